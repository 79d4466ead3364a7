// spindle: the desktop explorer. With no options it opens the local profile on the embedded server.
#include "app/session.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("spindle"));
    QApplication::setApplicationName(QStringLiteral("spindle"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Spindle: explore the traces of LLM applications."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption server(QStringLiteral("server"),
        QStringLiteral("A Weave-compatible trace server, e.g. https://trace.wandb.ai."),
        QStringLiteral("url"));
    const QCommandLineOption project(QStringLiteral("project"), QStringLiteral("Open this entity/project."),
        QStringLiteral("entity/project"));
    const QCommandLineOption dataDir(
        QStringLiteral("data-dir"), QStringLiteral("Local store directory."), QStringLiteral("dir"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Local server port (default 6345)."),
        QStringLiteral("port"), QStringLiteral("6345"));
    const QCommandLineOption sample(
        QStringLiteral("sample-data"), QStringLiteral("Load sample traces into the project."));
    parser.addOptions({ server, project, dataDir, port, sample });
    parser.process(app);

    spindle::app::AppOptions options;
    options.serverUrl = parser.value(server);
    options.projectId = parser.value(project);
    options.dataDir = parser.value(dataDir);
    bool portIsNumber = false;
    options.port = parser.value(port).toInt(&portIsNumber);
    if (!portIsNumber || options.port < 1 || options.port > 65535) {
        // Not 0 for a bad value: that would quietly start the local server on a random port, where
        // the SDKs configured for the asked one would not find it.
        std::fprintf(stderr, "spindle: --port takes a port number from 1 to 65535, not \"%s\"\n",
            qPrintable(parser.value(port)));
        return 2;
    }
    options.sampleData = parser.isSet(sample);
    spindle::app::AppSession session(options);
    session.window()->show();
    session.start();
    return app.exec();
}
