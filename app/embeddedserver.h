#pragma once

#include <QObject>
#include <QUrl>

#include <memory>

namespace spindle::server {
class TraceServer;
}

namespace spindle::app {

// The local profile's trace server, in this process: opened and bound on a background thread
// (the store may need migrating), then serving on its own threads, bound to 127.0.0.1.
class EmbeddedServer : public QObject
{
    Q_OBJECT
public:
    explicit EmbeddedServer(QObject* parent = nullptr);
    ~EmbeddedServer() override;

    // Tries `port`; when it is taken, falls back to a free port. Emits started() or failed().
    void start(const QString& dataDir, int port);
    void stop();
    bool isRunning() const
    {
        return m_server != nullptr;
    }

Q_SIGNALS:
    void started(const QUrl& url);
    void failed(const QString& message);
    // A browser opened a link the SDKs print (server/traceserver.h onOpenLink).
    void linkOpened(const QString& projectId, const QString& callId);

private:
    std::shared_ptr<server::TraceServer> m_server;
};

} // namespace spindle::app
