// spindle-server: the local Weave-compatible trace server as a standalone process.
#include "server/traceserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <pthread.h>
#include <thread>

using spindle::server::ServerOptions;
using spindle::server::TraceServer;

static ServerOptions parseOptions(const QCoreApplication& app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Local W&B Weave-compatible trace server (SQLite)."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host(QStringLiteral("host"),
        QStringLiteral("Address to bind (default 127.0.0.1)."), QStringLiteral("host"),
        QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"),
        QStringLiteral("Port; 0 picks a free one (default 6345)."), QStringLiteral("port"),
        QStringLiteral("6345"));
    const QCommandLineOption dataDir(
        QStringLiteral("data-dir"), QStringLiteral("Directory of the SQLite store."), QStringLiteral("dir"));
    const QCommandLineOption apiKey(QStringLiteral("api-key"),
        QStringLiteral("Require HTTP Basic auth with this key as the password."), QStringLiteral("key"));
    parser.addOptions({ host, port, dataDir, apiKey });
    parser.process(app);

    ServerOptions options;
    options.host = parser.value(host).toStdString();
    bool portOk = false;
    options.port = parser.value(port).toInt(&portOk);
    if (!portOk || options.port < 0 || options.port > 65535) {
        std::cerr << "spindle-server: --port must be 0-65535" << std::endl;
        std::exit(2);
    }
    const QString dir = parser.isSet(dataDir)
        ? parser.value(dataDir)
        : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    options.dataDir = QDir(dir).absolutePath().toStdString();
    options.apiKey = parser.value(apiKey).toStdString();
    return options;
}

int main(int argc, char** argv)
{
    // SIGINT/SIGTERM are taken by a waiting thread, never by a random worker mid-transaction.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("spindle"));
    QCoreApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    TraceServer server(parseOptions(app));
    try {
        server.bind();
    } catch (const std::exception& error) {
        std::cerr << "spindle-server: " << error.what() << std::endl;
        return 2;
    }
    std::cout << "listening on " << server.url() << std::endl;
    std::thread signalWaiter([&server, stopSignals] {
        int received = 0;
        sigwait(&stopSignals, &received);
        server.stop();
    });
    server.serve();
    // serve() returned: either a signal stopped it or the socket failed; wake the waiter either way.
    pthread_kill(signalWaiter.native_handle(), SIGTERM);
    signalWaiter.join();
    return 0;
}
