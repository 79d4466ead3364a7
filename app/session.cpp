#include "app/session.h"

#include "app/embeddedserver.h"
#include "app/sampleloader.h"
#include "net/credentials.h"
#include "net/traceclient.h"
#include "ui/mainwindow.h"
#include "ui/tracespage.h"
#include "widgets/banner.h"

#include <QSettings>
#include <QStandardPaths>

namespace spindle::app {

AppSession::AppSession(AppOptions options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_client(std::make_unique<net::TraceClient>())
    , m_window(std::make_unique<ui::MainWindow>(m_client.get()))
    , m_embedded(new EmbeddedServer(this))
    , m_samples(new SampleLoader(m_client.get(), this))
{
    connect(m_window.get(), &ui::MainWindow::sampleDataRequested, this, &AppSession::loadSampleData);
    connect(m_samples, &SampleLoader::progress, this, [this](int done, int total) {
        m_window->showStatus(tr("Loading sample traces… %1/%2").arg(done).arg(total), 0);
    });
    connect(m_samples, &SampleLoader::finished, this, [this](bool ok, const QString& message) {
        m_window->showStatus(message);
        if (!ok)
            m_window->banner()->showMessage(message);
        m_window->loadProjects();
        m_window->tracesPage()->refresh();
        Q_EMIT sampleDataLoaded(ok);
    });
    connect(m_embedded, &EmbeddedServer::started, this,
        [this](const QUrl& url) { useServer(url, tr("Local · %1").arg(url.toString()), QString()); });
    connect(m_embedded, &EmbeddedServer::failed, this, [this](const QString& message) {
        m_window->banner()->showMessage(tr("The local trace server could not start: %1").arg(message));
    });
}

AppSession::~AppSession()
{
    m_window.reset();
    m_embedded->stop();
}

void AppSession::start()
{
    if (!m_options.serverUrl.isEmpty()) {
        const QUrl url(m_options.serverUrl);
        QString key = net::apiKeyFromEnvironment();
        if (key.isEmpty())
            key = net::apiKeyFromNetrc(
                url.host() == QLatin1String("trace.wandb.ai") ? QStringLiteral("api.wandb.ai") : url.host());
        useServer(url,
            url.host() == QLatin1String("trace.wandb.ai") ? tr("W&B · %1").arg(url.toString())
                                                          : tr("Server · %1").arg(url.toString()),
            key);
        return;
    }
    // A Spindle server already answering on the local port is used as it is.
    m_client->setConnection({ QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_options.port)), {} });
    m_client->checkHealth([this](bool ok) {
        if (ok)
            useServer(m_client->connection().baseUrl,
                tr("Local server · %1").arg(m_client->connection().baseUrl.toString()), QString());
        else
            startEmbedded();
    });
}

void AppSession::startEmbedded()
{
    QString dir = m_options.dataDir;
    if (dir.isEmpty())
        dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    m_window->showStatus(tr("Starting the local trace server…"), 0);
    m_embedded->start(dir, m_options.port);
}

void AppSession::useServer(const QUrl& url, const QString& description, const QString& apiKey)
{
    m_url = url;
    m_client->setConnection({ url, apiKey });
    const QString snippet = QStringLiteral("WF_TRACE_SERVER_URL=%1 WANDB_API_KEY=%2")
                                .arg(url.toString(QUrl::StripTrailingSlash),
                                    apiKey.isEmpty() ? QStringLiteral("any") : QStringLiteral("<your key>"));
    m_window->setConnectionInfo(description, snippet);
    m_window->showStatus(tr("Connected to %1").arg(url.toString()));
    m_window->loadProjects();
    QString project = m_options.projectId;
    if (project.isEmpty())
        project =
            QSettings().value(QStringLiteral("project/last"), QStringLiteral("me/my-project")).toString();
    m_window->setProject(project);
    Q_EMIT connected(url);
    if (m_options.sampleData)
        loadSampleData(project);
}

void AppSession::loadSampleData(const QString& projectId)
{
    m_samples->load(projectId);
}

} // namespace spindle::app
