#include "app/session.h"

#include "app/embeddedserver.h"
#include "app/sampleloader.h"
#include "net/credentials.h"
#include "net/traceclient.h"
#include "ui/connectiondialog.h"
#include "ui/mainwindow.h"
#include "ui/savedviewsbar.h"
#include "ui/tracespage.h"
#include "widgets/banner.h"

#include <QSettings>
#include <QStandardPaths>

#include <utility>

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
    // A remote server down when the app connected never said whether it is a Spindle one.
    connect(m_window.get(), &ui::MainWindow::serverReturned, this, [this] {
        if (m_profileKind != int(ui::ConnectionProfile::Kind::Local))
            checkServerTotals();
    });
    connect(
        m_window.get(), &ui::MainWindow::connectionDialogRequested, this, &AppSession::openConnectionDialog);
    connect(m_window.get(), &ui::MainWindow::projectChanged, this, [this](const QString& project) {
        QSettings().setValue(QStringLiteral("project/last/%1").arg(m_profileKind), project);
    });
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
    connect(m_embedded, &EmbeddedServer::started, this, [this](const QUrl& url) {
        m_embeddedStarting = false;
        m_embeddedUrl = url; // for a return to the local profile from another connection
        if (m_embeddedFor != m_attempt) // not when the user chose another connection meanwhile
            return;
        useServer(url, tr("Local · %1").arg(url.toString()), QString());
        // The SDKs set up for the usual port would reach the program that holds it: say where to go.
        if (m_options.port != 0 && url.port() != m_options.port)
            m_window->banner()->showMessage(
                tr("Port %1 is taken by another program, so the local trace server "
                   "listens on port %2: point the SDKs at %3 (Copy setup).")
                    .arg(m_options.port)
                    .arg(url.port())
                    .arg(url.toString()),
                widgets::Banner::Kind::Info);
    });
    connect(
        m_embedded, &EmbeddedServer::linkOpened, this, [this](const QString& project, const QString& call) {
            if (m_profileKind == int(ui::ConnectionProfile::Kind::Local))
                m_window->openLink(project, call);
            else // its project and call are on the local server, not on this connection
                m_window->banner()->showMessage(tr("A link to a call on the local server was opened: choose "
                                                   "Local in Connection… to see it."),
                    widgets::Banner::Kind::Info);
        });
    connect(m_embedded, &EmbeddedServer::failed, this, [this](const QString& message) {
        m_embeddedStarting = false;
        if (m_embeddedFor != m_attempt)
            return;
        m_window->showStatus(tr("The local trace server did not start")); // not "Starting…" for ever
        m_window->banner()->showMessage(tr("The local trace server could not start: %1").arg(message));
    });
}

AppSession::~AppSession()
{
    m_window.reset(); // a Playground run cut short ends its logged call here (/call/end)
    // Writes already sent get their answer (at most a second), so closing the app drops none.
    m_client->finishPosts(1000);
    // The client's kept-alive connections close first: the embedded server then need not end them.
    m_client.reset();
    m_embedded->stop();
}

void AppSession::start()
{
    if (!m_options.serverUrl.isEmpty()) {
        ui::ConnectionProfile profile;
        profile.url = ui::ConnectionProfile::urlFromUserInput(m_options.serverUrl);
        profile.kind = profile.url.host().endsWith(QLatin1String("wandb.ai"))
            ? ui::ConnectionProfile::Kind::Wandb
            : ui::ConnectionProfile::Kind::Custom;
        connectProfile(profile);
        return;
    }
    connectProfile(ui::ConnectionProfile::load());
}

void AppSession::connectProfile(const ui::ConnectionProfile& profile)
{
    // Answers to an earlier attempt (a slow start, health check or keychain read) are dropped.
    ++m_attempt;
    // A load's next requests would go to the new server; Local again is the same server.
    const auto local = ui::ConnectionProfile::Kind::Local;
    if (profile.kind != local || m_profileKind != int(local))
        m_samples->stop();
    m_profileKind = int(profile.kind);
    if (profile.kind == ui::ConnectionProfile::Kind::Local)
        startLocal();
    else
        connectRemote(profile);
}

void AppSession::connectRemote(const ui::ConnectionProfile& profile)
{
    const QString description = profile.kind == ui::ConnectionProfile::Kind::Wandb
        ? tr("W&B · %1").arg(profile.url.toString())
        : tr("Server · %1").arg(profile.url.toString());
    QString key = profile.apiKey;
    if (key != m_apiKey) // the key in use, kept for the same server, keeps the source it came from
        m_keySource = tr("typed in Connection…");
    if (key.isEmpty()) {
        key = net::apiKeyFromEnvironment();
        m_keySource = QStringLiteral("WANDB_API_KEY");
    }
    if (key.isEmpty()) {
        key = net::apiKeyFromNetrc(profile.keychainAccount());
        m_keySource = QStringLiteral("~/.netrc");
    }
    if (!key.isEmpty()) {
        useServer(profile.url, description, key);
        return;
    }
    m_keySource = tr("the system keychain");
    // Last, the OS keychain (asynchronous); without a key, hosted Weave answers 401 and says so.
    net::readKeychainApiKey(profile.keychainAccount(),
        [this, attempt = m_attempt, url = profile.url, description](
            const QString& found, const QString& error) {
            if (attempt != m_attempt)
                return;
            // Else the only word of it would be the server's 401s.
            const QString problem = error.isEmpty()
                ? QString()
                : tr("The API key could not be read from the system keychain: %1").arg(error);
            useServer(url, description, found, problem);
        });
}

void AppSession::startLocal()
{
    if (m_embedded->isRunning()) {
        useServer(m_embeddedUrl, tr("Local · %1").arg(m_embeddedUrl.toString()), QString());
        return;
    }
    if (m_embeddedStarting) { // started() connects this attempt: a second server would share the store
        m_embeddedFor = m_attempt;
        return;
    }
    if (!m_options.dataDir.isEmpty()) { // the store asked for, never another server's
        startEmbedded();
        return;
    }
    // A Spindle server already answering on the local port is used as it is (a probe gives up after
    // 5 s: a process that holds the port without answering is not one).
    m_window->showStatus(tr("Looking for a Spindle server on port %1…").arg(m_options.port), 0);
    m_client->setConnection({ QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_options.port)), {} });
    m_client->checkSpindle(this, [this, attempt = m_attempt](bool ok) {
        if (attempt != m_attempt)
            return;
        if (ok)
            useServer(m_client->connection().baseUrl,
                tr("Local server · %1").arg(m_client->connection().baseUrl.toString()), QString());
        else
            startEmbedded();
    });
}

void AppSession::openConnectionDialog()
{
    ui::ConnectionProfile current = ui::ConnectionProfile::load();
    current.kind = static_cast<ui::ConnectionProfile::Kind>(m_profileKind);
    if (current.kind != ui::ConnectionProfile::Kind::Local)
        current.url = m_url;
    ui::ConnectionDialog dialog(current, m_window.get());
    if (!m_apiKey.isEmpty())
        dialog.setKeySource(tr("A key is in use (%1). Leave this empty to keep it for this server, or type "
                               "another one to replace it.")
                                .arg(m_keySource));
    if (dialog.exec() != QDialog::Accepted)
        return;
    ui::ConnectionProfile chosen = dialog.profile();
    // The same server again with the field left empty keeps the key in use: one typed without
    // "remember" is nowhere else to be found again.
    const bool keepsKey =
        chosen.apiKey.isEmpty() && chosen.kind != ui::ConnectionProfile::Kind::Local && chosen.url == m_url;
    if (keepsKey)
        chosen.apiKey = m_apiKey;
    switchConnection(chosen);
}

void AppSession::switchConnection(const ui::ConnectionProfile& chosen)
{
    const QString where =
        chosen.kind == ui::ConnectionProfile::Kind::Local ? tr("the local server") : chosen.url.toString();
    m_window->tracesPage()->savedViews()->confirmLeave(
        tr("Save them before connecting to %1?").arg(where), [this, chosen] { connectChosen(chosen); });
}

void AppSession::connectChosen(const ui::ConnectionProfile& chosen)
{
    chosen.save();
    if (chosen.saveKeyInKeychain) {
        net::writeKeychainApiKey(
            chosen.keychainAccount(), chosen.apiKey, [this](bool ok, const QString& error) {
                if (!ok)
                    m_window->banner()->showMessage(
                        tr("The key could not be saved in the keychain: %1").arg(error));
            });
    }
    connectProfile(chosen);
}

void AppSession::startEmbedded()
{
    QString dir = m_options.dataDir;
    if (dir.isEmpty())
        dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    m_window->showStatus(tr("Starting the local trace server…"), 0);
    m_embeddedFor = m_attempt;
    m_embeddedStarting = true;
    m_embedded->start(dir, m_options.port);
}

void AppSession::checkServerTotals()
{
    m_client->checkSpindle(this, [this, attempt = m_attempt](bool spindle) {
        if (spindle && attempt == m_attempt)
            m_window->setServerTotals(true);
    });
}

void AppSession::useServer(
    const QUrl& url, const QString& description, const QString& apiKey, const QString& keyProblem)
{
    m_url = url;
    m_apiKey = apiKey;
    m_client->setConnection({ url, apiKey });
    const QString base = url.toString(QUrl::StripTrailingSlash);
    QString snippet = QStringLiteral("WF_TRACE_SERVER_URL=%1 WANDB_API_KEY=%2")
                          .arg(base, apiKey.isEmpty() ? QStringLiteral("any") : QStringLiteral("<your key>"));
    // The Python SDK's weave.init asks the W&B API about the user and the project first: a local
    // Spindle server answers those too (server/wandbapi.h).
    const bool local = m_profileKind == int(ui::ConnectionProfile::Kind::Local);
    if (local)
        snippet = QStringLiteral("WANDB_BASE_URL=%1 ").arg(base) + snippet;
    m_window->setConnectionInfo(description, snippet, local);
    // Sorting and filtering on total tokens and cost are Spindle's: hosted Weave refuses them. Off
    // before the new project's first query; on (bringing back what was set aside) after it.
    if (!local)
        m_window->setServerTotals(false);
    if (!local)
        checkServerTotals();
    if (!keyProblem.isEmpty())
        m_window->banner()->showMessage(keyProblem);
    m_window->showStatus(tr("Connected to %1").arg(url.toString()));
    // --project names the project of the connection the app starts on; later connections open
    // their own last one (the last of this kind of connection: projectChanged stores it).
    QString project = std::exchange(m_options.projectId, QString());
    if (!project.isEmpty() && !ui::MainWindow::isProjectName(project)) {
        m_window->banner()->showMessage(ui::MainWindow::notAProjectName(project));
        project.clear();
    }
    if (project.isEmpty())
        project =
            QSettings()
                .value(QStringLiteral("project/last/%1").arg(m_profileKind), QStringLiteral("me/my-project"))
                .toString();
    // Also on a new connection to a project of the same name: the pages load it from this server.
    m_window->setProject(project);
    if (local)
        m_window->setServerTotals(true);
    m_window->loadProjects();
    Q_EMIT connected(url);
    // --sample-data fills the project of the connection the app starts on, once: never a server the
    // user connects to later (a hosted W&B project would get sample traces).
    if (std::exchange(m_options.sampleData, false))
        loadSampleData(project);
}

void AppSession::loadSampleData(const QString& projectId)
{
    // Sample traces are for looking around the app: never into a team's hosted project.
    if (m_profileKind != int(ui::ConnectionProfile::Kind::Local)) {
        m_window->banner()->showMessage(
            tr("Sample traces go into the local server only: choose Local in Connection… to load them."),
            widgets::Banner::Kind::Info);
        return;
    }
    m_samples->load(projectId);
}

} // namespace spindle::app
