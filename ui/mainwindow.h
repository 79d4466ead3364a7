#pragma once

#include "net/traceclient.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QComboBox;
class QLabel;
class QListWidget;
class QStackedWidget;
class QToolButton;

namespace spindle::widgets {
class Banner;
enum class NavIcon;
} // namespace spindle::widgets

namespace spindle::ui {

class TracesPage;
class DashboardPage;
class PricesPage;
class PlaygroundPage;
class ModelCatalogPage;
class ProviderStore;
class ShortcutSheet;

// The application shell: connection and project bar, page navigation, the error banner (the
// one place server errors surface) and the status bar. Window layout is remembered.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(net::TraceClient* client, QWidget* parent = nullptr);
    ~MainWindow() override;

    // `description` names the profile ("Local", "W&B"); `snippet` is what an app needs to log here;
    // sample traces are offered on the local server only. The previous connection's errors go.
    void setConnectionInfo(const QString& description, const QString& snippet, bool sampleDataOffered);
    // entity/project, as the picker and --project take it; else the message that says so.
    static bool isProjectName(const QString& text);
    static QString notAProjectName(const QString& text);
    void setServerTotals(bool supported); // the Traces page's Tokens and Cost: see TracesPage
    void setProject(const QString& projectId);
    // A link the SDK printed was opened (server/traceserver.h onOpenLink): the project, and the
    // call on the Traces page when there is one; the window comes to the front.
    void openLink(const QString& projectId, const QString& callId);
    QString project() const
    {
        return m_projectId;
    }
    TracesPage* tracesPage() const
    {
        return m_traces;
    }
    PricesPage* pricesPage() const
    {
        return m_prices;
    }
    PlaygroundPage* playgroundPage() const
    {
        return m_playground;
    }
    ModelCatalogPage* modelCatalogPage() const
    {
        return m_catalog;
    }
    ProviderStore* providerStore() const
    {
        return m_providers;
    }
    widgets::Banner* banner() const
    {
        return m_banner;
    }
    void showWarning(const QString& message); // in the banner, until dismissed
    void showStatus(const QString& message, int timeoutMs = 5000);
    void loadProjects();

Q_SIGNALS:
    void sampleDataRequested(const QString& projectId);
    void connectionDialogRequested();
    void projectChanged(const QString& projectId);
    // The server answers again after it had gone away (the pages have reloaded).
    void serverReturned();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildCentralWidget();
    QWidget* buildConnectionBar();
    void connectServerState();
    void connectPages();
    void addPlayground(net::TraceClient* client);
    void setUpNav();
    void addNavItem(widgets::NavIcon icon, const QString& title, const QString& what);
    void showShortcuts();
    void onProjectChosen();
    // A project the user chose: asks first about the open saved view's unsaved changes.
    void switchProject(const QString& projectId, std::function<void()> then = {});

    net::TraceClient* m_client;
    quint64 m_projectsRequest = 0; // the /spindle/projects request under way
    bool m_closeConfirmed = false; // the open view's unsaved changes were saved or dropped
    widgets::Banner* m_banner;
    QListWidget* m_nav;
    QStackedWidget* m_pages;
    TracesPage* m_traces;
    DashboardPage* m_dashboard;
    PricesPage* m_prices;
    QLabel* m_connection;
    QToolButton* m_copySnippet;
    QComboBox* m_project;
    QString m_projectId;
    QString m_snippet;
    QTimer m_reconnect;
    ProviderStore* m_providers = nullptr;
    PlaygroundPage* m_playground = nullptr;
    ModelCatalogPage* m_catalog = nullptr;
    QPointer<ShortcutSheet> m_shortcutSheet;
};

} // namespace spindle::ui
