#pragma once

#include <QObject>
#include <QUrl>

#include <memory>

namespace spindle::net {
class TraceClient;
}
namespace spindle::ui {
class MainWindow;
struct ConnectionProfile;
} // namespace spindle::ui

namespace spindle::app {

class EmbeddedServer;
class SampleLoader;

struct AppOptions
{
    QString serverUrl; // empty: the local profile (embedded server)
    QString projectId; // empty: the last one, else me/my-project
    QString dataDir; // local store; empty: the user's data directory
    int port = 6345; // local profile port
    bool sampleData = false; // load sample traces into the project once connected
};

// One running app: picks the connection (a server URL, a Spindle server already on the local
// port, or the embedded one), builds the main window and wires sample data.
class AppSession : public QObject
{
    Q_OBJECT
public:
    explicit AppSession(AppOptions options, QObject* parent = nullptr);
    ~AppSession() override;

    void start();
    void connectProfile(const ui::ConnectionProfile& profile);
    // What the connection dialog's OK does: asks about the open view's unsaved changes first (they
    // belong to this server's project), then remembers the profile (its key in the keychain if the
    // user chose so) and connects. A Cancel to that question changes nothing.
    void switchConnection(const ui::ConnectionProfile& chosen);
    ui::MainWindow* window() const
    {
        return m_window.get();
    }
    net::TraceClient* client() const
    {
        return m_client.get();
    }
    QUrl serverUrl() const
    {
        return m_url;
    }

Q_SIGNALS:
    void connected(const QUrl& url);
    void sampleDataLoaded(bool ok);

private:
    void openConnectionDialog();
    void connectChosen(const ui::ConnectionProfile& chosen);
    void connectRemote(const ui::ConnectionProfile& profile);
    void startLocal();
    // `keyProblem`: why no API key could be read, for the banner.
    void checkServerTotals(); // sorting on tokens and cost, when the server is a Spindle one
    void useServer(
        const QUrl& url, const QString& description, const QString& apiKey, const QString& keyProblem = {});
    void startEmbedded();
    void loadSampleData(const QString& projectId);

    AppOptions m_options;
    std::unique_ptr<net::TraceClient> m_client;
    std::unique_ptr<ui::MainWindow> m_window;
    EmbeddedServer* m_embedded = nullptr;
    SampleLoader* m_samples = nullptr;
    QUrl m_url;
    QString m_apiKey;
    QString m_keySource; // where m_apiKey came from, as the Connection dialog names it
    QUrl m_embeddedUrl;
    int m_profileKind = 0;
    quint64 m_attempt = 0; // connectProfile calls so far: an older one's late answers are dropped
    quint64 m_embeddedFor = 0; // the attempt the embedded server's start() is for
    bool m_embeddedStarting = false;
};

} // namespace spindle::app
