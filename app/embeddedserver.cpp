#include "app/embeddedserver.h"

#include "server/traceserver.h"

#include <QCoreApplication>
#include <QDir>
#include <QPointer>
#include <QThread>

namespace spindle::app {

EmbeddedServer::EmbeddedServer(QObject* parent)
    : QObject(parent)
{
}

EmbeddedServer::~EmbeddedServer()
{
    stop();
}

void EmbeddedServer::start(const QString& dataDir, int port)
{
    const std::string dir = QDir(dataDir).absolutePath().toStdString();
    QPointer<EmbeddedServer> self(this);
    QThread* thread = QThread::create([self, dir, port] {
        std::shared_ptr<server::TraceServer> server;
        QString error;
        for (int attempt : { port, 0 }) {
            server::ServerOptions options;
            options.port = attempt;
            options.dataDir = dir;
            options.onOpenLink = [self](const std::string& project, const std::string& call) {
                QMetaObject::invokeMethod(qApp, [self, project, call] {
                    if (self)
                        Q_EMIT self->linkOpened(
                            QString::fromStdString(project), QString::fromStdString(call));
                });
            };
            try {
                server = std::make_shared<server::TraceServer>(options);
                server->startInBackground();
                break;
            } catch (const std::exception& e) {
                error = QString::fromStdString(e.what());
                server.reset();
            }
        }
        QMetaObject::invokeMethod(qApp, [self, server, error] {
            if (!self) {
                if (server)
                    server->stop();
                return;
            }
            if (!server) {
                Q_EMIT self->failed(error);
                return;
            }
            self->m_server = server;
            Q_EMIT self->started(QUrl(QString::fromStdString(server->url())));
        });
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

void EmbeddedServer::stop()
{
    if (m_server)
        m_server->stop();
    m_server.reset();
}

} // namespace spindle::app
