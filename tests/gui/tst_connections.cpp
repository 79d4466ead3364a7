// Connections, in the whole app (offscreen): a typed server address without a scheme is https (a
// key never goes out in clear text); a connection chosen while the embedded server still starts
// stays chosen; only a Spindle server on the local port is taken for one, and an explicit data
// directory is never another server's; sample traces and the local server's links stay on the
// local profile; --project is checked and names the first connection's project only; a new
// connection clears the last one's errors.
#include "../app/apptestutil.h"
#include "app/embeddedserver.h"
#include "app/session.h"
#include "models/callstablemodel.h"
#include "net/traceclient.h"
#include "ui/callscontroller.h"
#include "ui/conditiondialog.h"
#include "ui/connectiondialog.h"
#include "ui/filterbar.h"
#include "ui/tracespage.h"
#include "widgets/banner.h"
#include "windowtestutil.h"

#include <QApplication>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QProcess>
#include <QScopeGuard>
#include <QStatusBar>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

using namespace spindle;
using namespace Qt::StringLiterals;

namespace {
constexpr int kWaitMs = 15000;

app::AppOptions localOptions(const QTemporaryDir& dir, const QString& name)
{
    app::AppOptions options;
    options.dataDir = dir.filePath(name);
    options.port = 0;
    return options;
}

ui::ConnectionProfile customProfile(const QUrl& url)
{
    ui::ConnectionProfile profile;
    profile.kind = ui::ConnectionProfile::Kind::Custom;
    profile.url = url;
    profile.apiKey = u"custom-key"_s; // no keychain read
    return profile;
}

// Starts the session and waits for its first connection.
bool startConnected(app::AppSession& session)
{
    QSignalSpy connected(&session, &app::AppSession::connected);
    session.start();
    return connected.wait(kWaitMs);
}

// Opens the session's Connection dialog and presses Connect with the key field left empty; gives
// what the dialog said of the key in use.
QString connectAgain(app::AppSession& session)
{
    QString shown;
    QTimer::singleShot(0, &session, [&shown] {
        auto* dialog = qobject_cast<ui::ConnectionDialog*>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        for (auto* label : dialog->findChildren<QLabel*>())
            if (label->text().contains(u"in use"_s))
                shown = label->text();
        dialog->grab().save(QStringLiteral(SHOT_DIR "/connection-key-in-use.png"));
        dialog->accept();
    });
    Q_EMIT session.window()->connectionDialogRequested();
    return shown;
}

// A service that is not Spindle but answers 200 to everything, /health included.
class AnswersEverything : public QTcpServer
{
public:
    AnswersEverything()
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = nextPendingConnection())
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    received += socket->readAll();
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                                  "Connection: close\r\n\r\n{}");
                    socket->disconnectFromHost();
                });
        });
    }
    QByteArray received; // every request, as it came
};
} // namespace

class ConnectionsTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void typedAddressesAreHttpsOffThisMachine();
    void connectionChosenDuringTheLocalStartStays();
    void localChosenAgainDuringItsStartStartsOneServer();
    void onlyASpindleServerIsTakenForTheLocalOne();
    void explicitDataDirIsNeverAnotherServers();
    void sampleTracesStayLocal();
    void localLinksStayLocal();
    void projectOptionIsCheckedAndUsedOnce();
    void newConnectionClearsTheLastOnesErrors();
    void tokensAndCostSortOnSpindleServersOnly();
    void totalsSortAndFiltersGoOnAnotherServer();
    void sampleTracesLoadOnce();
    void badPortAndProfileKindAreRefused();
    void failedLocalStartSaysSo();
    void typedKeyStaysForTheSameServer();

private:
    QTemporaryDir m_dir;
};

void ConnectionsTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    windowtest::isolateSettingsAndKeys(m_dir);
}

void ConnectionsTest::typedAddressesAreHttpsOffThisMachine()
{
    using Profile = ui::ConnectionProfile;
    QCOMPARE(Profile::urlFromUserInput(u" trace.wandb.ai "_s), QUrl(u"https://trace.wandb.ai"_s));
    QCOMPARE(Profile::urlFromUserInput(u"weave.example.com:8443/traces"_s),
        QUrl(u"https://weave.example.com:8443/traces"_s));
    QCOMPARE(Profile::urlFromUserInput(u"localhost:6345"_s), QUrl(u"http://localhost:6345"_s));
    QCOMPARE(Profile::urlFromUserInput(u"127.0.0.1:6345"_s), QUrl(u"http://127.0.0.1:6345"_s));
    QCOMPARE(Profile::urlFromUserInput(u"http://weave.lan:6345"_s), QUrl(u"http://weave.lan:6345"_s));
    QVERIFY(Profile::urlFromUserInput(u""_s).isEmpty());

    app::AppOptions options;
    options.serverUrl = u"weave.example.invalid"_s; // a name that never resolves: no traffic leaves
    app::AppSession session(options);
    QSignalSpy connected(&session, &app::AppSession::connected);
    session.start();
    QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty(), kWaitMs); // the keychain has no key: it says so
    QCOMPARE(session.serverUrl().scheme(), u"https"_s);
}

// The embedded server starts on a background thread; a connection the user chose meanwhile is not
// replaced by it when it is up (nor by a key-less local connection).
void ConnectionsTest::connectionChosenDuringTheLocalStartStays()
{
    apptest::InProcessServer other;
    const QString error = other.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    app::AppSession session(localOptions(m_dir, u"slowstart"_s));
    auto* embedded = session.findChild<app::EmbeddedServer*>();
    QVERIFY(embedded);
    QSignalSpy started(embedded, &app::EmbeddedServer::started);
    session.start();
    QVERIFY(!embedded->isRunning());
    session.connectProfile(customProfile(other.url()));
    QCOMPARE(session.serverUrl(), other.url());
    QVERIFY(started.wait(kWaitMs));
    QTest::qWait(50);
    QCOMPARE(session.serverUrl(), other.url());
    QCOMPARE(session.client()->connection().apiKey, u"custom-key"_s);

    // Back to Local: the server that started is used, not a second one on the same store.
    ui::ConnectionProfile local;
    session.connectProfile(local);
    QCOMPARE(session.serverUrl(), started.first().first().toUrl());
}

// Local chosen again (the Connection dialog's OK) while the embedded server still starts: that one
// server serves it when it is up; a second would open the same store.
void ConnectionsTest::localChosenAgainDuringItsStartStartsOneServer()
{
    app::AppSession session(localOptions(m_dir, u"twice"_s));
    auto* embedded = session.findChild<app::EmbeddedServer*>();
    QSignalSpy started(embedded, &app::EmbeddedServer::started);
    QSignalSpy connected(&session, &app::AppSession::connected);
    session.start();
    session.connectProfile(ui::ConnectionProfile {});
    QVERIFY(started.wait(kWaitMs));
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, kWaitMs);
    QTest::qWait(300);
    QCOMPARE(started.size(), 1);
    QCOMPARE(session.serverUrl(), started.first().first().toUrl());
}

void ConnectionsTest::onlyASpindleServerIsTakenForTheLocalOne()
{
    AnswersEverything impostor;
    QVERIFY(impostor.listen(QHostAddress::LocalHost));
    app::AppOptions options;
    options.port = impostor.serverPort(); // no data directory: the local profile's own probe
    const QByteArray xdg = qgetenv("XDG_DATA_HOME");
    const auto restore =
        qScopeGuard([xdg] { xdg.isNull() ? qunsetenv("XDG_DATA_HOME") : qputenv("XDG_DATA_HOME", xdg); });
    qputenv("XDG_DATA_HOME", m_dir.filePath(u"xdg"_s).toLocal8Bit());
    app::AppSession session(options);
    QSignalSpy connected(&session, &app::AppSession::connected);
    session.start();
    QVERIFY(connected.wait(kWaitMs));
    QVERIFY(session.serverUrl().port() != impostor.serverPort());
    // It says so: SDKs set up for the usual port would log to the other program.
    auto* banner = session.window()->findChild<widgets::Banner*>();
    QVERIFY(!banner->isHidden());
    QVERIFY2(banner->text().contains(u"Port %1 is taken"_s.arg(impostor.serverPort()))
            && banner->text().contains(session.serverUrl().toString()),
        qPrintable(banner->text()));
    session.window()->resize(1200, 700);
    QVERIFY(session.window()->grab().save(QStringLiteral(SHOT_DIR "/port-taken-banner.png")));

    // A real Spindle server on the port is used as it is.
    apptest::InProcessServer spindleServer;
    QVERIFY(spindleServer.start().isEmpty());
    options.port = spindleServer.url().port();
    app::AppSession reuse(options);
    QSignalSpy reused(&reuse, &app::AppSession::connected);
    reuse.start();
    QVERIFY(reused.wait(kWaitMs));
    QCOMPARE(reuse.serverUrl().port(), spindleServer.url().port());
}

void ConnectionsTest::explicitDataDirIsNeverAnotherServers()
{
    apptest::InProcessServer running;
    QVERIFY(running.start().isEmpty());
    apptest::InProcessServer second;
    QVERIFY(!second.start(running.url().port()).isEmpty()); // a served port is not bound twice
    app::AppOptions options = localOptions(m_dir, u"explicit"_s);
    options.port = running.url().port();
    app::AppSession session(options);
    QVERIFY(startConnected(session));
    QVERIFY(session.serverUrl().port() != running.url().port());
    QVERIFY(QFile::exists(m_dir.filePath(u"explicit/spindle.sqlite"_s)));
}

// Sample traces are for looking around: the empty state offers them on the local profile only, and
// a request elsewhere (--sample-data with --server) writes nothing there.
void ConnectionsTest::sampleTracesStayLocal()
{
    apptest::InProcessServer other;
    QVERIFY(other.start().isEmpty());
    app::AppOptions options;
    options.serverUrl = other.url().toString();
    options.projectId = u"team/prod"_s;
    options.sampleData = true;
    app::AppSession session(options);
    session.window()->resize(1200, 800);
    session.window()->show();
    QSignalSpy connected(&session, &app::AppSession::connected);
    session.start();
    QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty(), kWaitMs); // the keychain has no key
    auto* banner = session.window()->findChild<widgets::Banner*>();
    QTRY_VERIFY_WITH_TIMEOUT(banner->text().contains(u"local server only"_s), kWaitMs);
    QTest::qWait(300);
    QCOMPARE(other.count(QJsonObject { { u"project_id"_s, u"team/prod"_s } }), 0);
    auto* empty = session.window()->tracesPage()->findChild<QLabel*>(u"emptyState"_s);
    QVERIFY(empty);
    QTRY_VERIFY_WITH_TIMEOUT(empty->isVisible(), kWaitMs);
    QVERIFY(!empty->text().contains(u"href='sample'"_s));
}

void ConnectionsTest::localLinksStayLocal()
{
    apptest::InProcessServer other;
    QVERIFY(other.start().isEmpty());
    app::AppSession session(localOptions(m_dir, u"links"_s));
    QVERIFY(startConnected(session));
    session.connectProfile(customProfile(other.url()));
    const QString project = session.window()->project();
    auto* embedded = session.findChild<app::EmbeddedServer*>();
    Q_EMIT embedded->linkOpened(u"local/elsewhere"_s, u"call-1"_s);
    QCOMPARE(session.window()->project(), project);
    QVERIFY(session.window()->findChild<widgets::Banner*>()->text().contains(u"local server"_s));
}

void ConnectionsTest::projectOptionIsCheckedAndUsedOnce()
{
    app::AppOptions options = localOptions(m_dir, u"projectopt"_s);
    options.projectId = u"not-a-project"_s;
    QSettings().setValue(u"project/last/0"_s, u"me/kept"_s);
    {
        app::AppSession session(options);
        QSignalSpy connected(&session, &app::AppSession::connected);
        session.start();
        QVERIFY(connected.wait(kWaitMs));
        QCOMPARE(session.window()->project(), u"me/kept"_s);
        QVERIFY(session.window()->findChild<widgets::Banner*>()->text().contains(u"not-a-project"_s));
    }
    QCOMPARE(QSettings().value(u"project/last/0"_s).toString(), u"me/kept"_s);

    // A valid one opens on the first connection; the next connection opens its own last project.
    apptest::InProcessServer other;
    QVERIFY(other.start().isEmpty());
    QSettings().setValue(u"project/last/%1"_s.arg(int(ui::ConnectionProfile::Kind::Custom)), u"team/last"_s);
    options.projectId = u"me/asked"_s;
    app::AppSession session(options);
    QSignalSpy connected(&session, &app::AppSession::connected);
    session.start();
    QVERIFY(connected.wait(kWaitMs));
    QCOMPARE(session.window()->project(), u"me/asked"_s);
    session.connectProfile(customProfile(other.url()));
    QCOMPARE(session.window()->project(), u"team/last"_s);
}

void ConnectionsTest::newConnectionClearsTheLastOnesErrors()
{
    apptest::InProcessServer other;
    QVERIFY(other.start().isEmpty());
    app::AppSession session(localOptions(m_dir, u"banner"_s));
    QVERIFY(startConnected(session));
    auto* banner = session.window()->findChild<widgets::Banner*>();
    banner->showMessage(u"The server rejected the API key (HTTP 401)."_s);
    QVERIFY(!banner->isHidden());
    session.connectProfile(customProfile(other.url()));
    QVERIFY(banner->isHidden());
}

// Sorting by total tokens and cost is Spindle's (hosted Weave answers 422 and the table emptied).
void ConnectionsTest::tokensAndCostSortOnSpindleServersOnly()
{
    using models::CallsTableModel;
    app::AppSession session(localOptions(m_dir, u"totals"_s));
    QVERIFY(startConnected(session));
    const CallsTableModel* model = session.window()->tracesPage()->model();
    QCOMPARE(model->columnSortField(CallsTableModel::CostColumn), u"summary.weave.total_cost"_s);

    AnswersEverything weave; // not Spindle
    QVERIFY(weave.listen(QHostAddress::LocalHost));
    session.connectProfile(customProfile(QUrl(u"http://127.0.0.1:%1"_s.arg(weave.serverPort()))));
    QVERIFY(model->columnSortField(CallsTableModel::TokensColumn).isEmpty());
    QTest::qWait(300); // its /server_info came back by now, naming no Spindle server
    QVERIFY(model->columnSortField(CallsTableModel::CostColumn).isEmpty());
    QVERIFY(!model->columnSortField(CallsTableModel::LatencyColumn).isEmpty());

    apptest::InProcessServer spindleServer;
    QVERIFY(spindleServer.start().isEmpty());
    session.connectProfile(customProfile(spindleServer.url()));
    QTRY_COMPARE_WITH_TIMEOUT(
        model->columnSortField(CallsTableModel::TokensColumn), u"summary.weave.total_tokens"_s, kWaitMs);

    // The condition dialog offers them as the server allows.
    for (const bool totals : { true, false }) {
        ui::ConditionDialog dialog({}, totals);
        const auto* fields = dialog.findChild<QComboBox*>();
        QVERIFY(fields && fields->findText(u"summary.weave.latency_ms"_s) >= 0);
        QCOMPARE(fields->findText(u"summary.weave.total_cost"_s) >= 0, totals);
    }
}

// A sort and conditions on total tokens and cost made on a Spindle server are not sent to the next
// server that is not one: it would answer 422 and the table and dashboard would go empty.
void ConnectionsTest::totalsSortAndFiltersGoOnAnotherServer()
{
    using models::CallsTableModel;
    app::AppSession session(localOptions(m_dir, u"totals-carry"_s));
    QVERIFY(startConnected(session));
    ui::TracesPage* page = session.window()->tracesPage();
    QHeaderView* header = page->table()->horizontalHeader();
    Q_EMIT header->sectionClicked(CallsTableModel::CostColumn);
    QCOMPARE(page->controller()->query().sortBy.value(0).field, u"summary.weave.total_cost"_s);
    const auto filterBars = session.window()->findChildren<ui::FilterBar*>();
    QCOMPARE(filterBars.size(), 2); // the Traces page's and the dashboard's
    for (ui::FilterBar* bar : filterBars) {
        bar->addCondition({ u"summary.weave.total_tokens"_s, FilterOp::GreaterOrEqual, 10 });
        bar->addCondition({ u"summary.weave.latency_ms"_s, FilterOp::GreaterOrEqual, 5 });
    }
    const auto totalConditions = [&filterBars] {
        int count = 0;
        for (ui::FilterBar* bar : filterBars) {
            spindle::CallsQuery query;
            bar->applyTo(query);
            for (const auto& condition : query.conditions)
                count += condition.field == u"summary.weave.total_tokens"_s ? 1 : 0;
        }
        return count;
    };

    // Another Spindle server: set aside until it says what it is, then all back.
    apptest::InProcessServer spindleServer;
    QVERIFY(spindleServer.start().isEmpty());
    session.connectProfile(customProfile(spindleServer.url()));
    QTRY_COMPARE_WITH_TIMEOUT(
        page->controller()->query().sortBy.value(0).field, u"summary.weave.total_cost"_s, kWaitMs);
    QCOMPARE(header->sortIndicatorSection(), int(CallsTableModel::CostColumn));
    QTRY_COMPARE_WITH_TIMEOUT(totalConditions(), 2, kWaitMs);

    AnswersEverything weave; // not Spindle
    QVERIFY(weave.listen(QHostAddress::LocalHost));
    session.connectProfile(customProfile(QUrl(u"http://127.0.0.1:%1"_s.arg(weave.serverPort()))));
    QTRY_VERIFY_WITH_TIMEOUT(weave.received.contains("/calls/stream_query"), kWaitMs);
    QTest::qWait(300);
    QVERIFY2(!weave.received.contains("summary.weave.total_"), weave.received.constData());
    QVERIFY(weave.received.contains("summary.weave.latency_ms")); // the other condition stays
    QVERIFY(page->controller()->query().sortBy.isEmpty());
    QCOMPARE(header->sortIndicatorSection(), int(CallsTableModel::CalledColumn));
    for (ui::FilterBar* bar : filterBars) {
        spindle::CallsQuery query;
        bar->applyTo(query);
        QCOMPARE(query.conditions.size(), 1);
        QCOMPARE(query.conditions.first().field, u"summary.weave.latency_ms"_s);
    }

    // Back to the local server: everything set aside comes back, for the local project.
    session.connectProfile(ui::ConnectionProfile {});
    QTRY_COMPARE_WITH_TIMEOUT(
        page->controller()->query().sortBy.value(0).field, u"summary.weave.total_cost"_s, kWaitMs);
    QCOMPARE(totalConditions(), 2);
    QCOMPARE(page->controller()->query().projectId, session.window()->project());
}

// --sample-data run a second time on the same store adds no second copy of the traces.
void ConnectionsTest::sampleTracesLoadOnce()
{
    app::AppOptions options = localOptions(m_dir, u"samples-twice"_s);
    options.projectId = u"me/samples"_s;
    options.sampleData = true;
    const auto callCount = [](const QUrl& url) {
        httplib::Client client("127.0.0.1", url.port());
        const auto reply =
            client.Post("/calls/query_stats", R"({"project_id":"me/samples"})", "application/json");
        return reply && reply->status == 200 ? QJsonDocument::fromJson(QByteArray::fromStdString(reply->body))
                                                   .object()
                                                   .value(u"count"_s)
                                                   .toInteger()
                                             : -1;
    };
    qint64 loadedCalls = 0;
    for (int run = 0; run < 2; ++run) {
        app::AppSession session(options);
        QSignalSpy loaded(&session, &app::AppSession::sampleDataLoaded);
        session.start();
        QVERIFY(loaded.wait(30000));
        QVERIFY(loaded.first().first().toBool());
        if (run == 0) {
            loadedCalls = callCount(session.serverUrl());
            QVERIFY(loadedCalls > 0);
            continue;
        }
        QCOMPARE(callCount(session.serverUrl()), loadedCalls);
        const QString status = session.window()->statusBar()->currentMessage();
        QVERIFY2(status.contains(u"already"_s), qPrintable(status));
    }
}

// --port that is no port ends the app with a message, before any window (it used to become 0: a
// random port the SDKs would not find); a stored profile kind this version does not know opens the
// local profile, and the Connection dialog opens on it (it used to crash).
void ConnectionsTest::badPortAndProfileKindAreRefused()
{
    for (const QString& port : { u"abc"_s, u"0"_s, u"70000"_s }) {
        QProcess app;
        app.setProcessEnvironment(QProcessEnvironment::systemEnvironment());
        app.start(QStringLiteral(SPINDLE_APP_BIN), { u"--port"_s, port });
        QVERIFY(app.waitForFinished(kWaitMs));
        QCOMPARE(app.exitCode(), 2);
        const QString said = QString::fromUtf8(app.readAllStandardError());
        QVERIFY2(said.contains(u"--port takes a port number from 1 to 65535"_s) && said.contains(port),
            qPrintable(said));
    }
    QSettings settings;
    settings.setValue(u"profile/kind"_s, 7);
    const auto restore = qScopeGuard([] { QSettings().remove(u"profile"_s); });
    const ui::ConnectionProfile profile = ui::ConnectionProfile::load();
    QCOMPARE(int(profile.kind), int(ui::ConnectionProfile::Kind::Local));
    ui::ConnectionDialog dialog(profile);
    QCOMPARE(int(dialog.profile().kind), int(ui::ConnectionProfile::Kind::Local));
}

// A local server that cannot start (its data directory is a file) says so in the banner, and the
// status bar no longer says it is starting.
void ConnectionsTest::failedLocalStartSaysSo()
{
    QFile notADirectory(m_dir.filePath(u"a-file"_s));
    QVERIFY(notADirectory.open(QIODevice::WriteOnly));
    notADirectory.close();
    app::AppOptions options;
    options.dataDir = notADirectory.fileName();
    options.port = 0;
    app::AppSession session(options);
    session.start();
    auto* banner = session.window()->findChild<widgets::Banner*>();
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isHidden(), kWaitMs);
    QVERIFY2(banner->text().contains(u"could not start"_s), qPrintable(banner->text()));
    const QString status = session.window()->statusBar()->currentMessage();
    QVERIFY2(!status.contains(u"Starting"_s) && status.contains(u"did not start"_s), qPrintable(status));
}

// A key typed without "remember" is nowhere but in the session: Connect again to the same server
// with the key field left empty keeps it (it was dropped, and the server then answered 401), and
// the dialog says where the key in use came from.
void ConnectionsTest::typedKeyStaysForTheSameServer()
{
    apptest::InProcessServer other;
    QVERIFY(other.start().isEmpty());
    app::AppSession session(localOptions(m_dir, u"typed-key"_s));
    QSignalSpy connected(&session, &app::AppSession::connected);
    session.connectProfile(customProfile(other.url()));
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, kWaitMs);
    QCOMPARE(session.client()->connection().apiKey, u"custom-key"_s);
    const QString keySourceShown = connectAgain(session);
    QVERIFY2(keySourceShown.contains(u"typed in Connection"_s), qPrintable(keySourceShown));
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 2, kWaitMs);
    QCOMPARE(session.client()->connection().baseUrl, other.url());
    QCOMPARE(session.client()->connection().apiKey, u"custom-key"_s);

    // A key from WANDB_API_KEY, kept the same way, is still named as WANDB_API_KEY's (it became
    // "typed in Connection…").
    qputenv("WANDB_API_KEY", "env-key");
    const auto unset = qScopeGuard([] { qunsetenv("WANDB_API_KEY"); });
    ui::ConnectionProfile fromEnvironment = customProfile(other.url());
    fromEnvironment.apiKey.clear();
    session.connectProfile(fromEnvironment);
    QTRY_COMPARE_WITH_TIMEOUT(session.client()->connection().apiKey, u"env-key"_s, kWaitMs);
    for (int round = 0; round < 2; ++round) {
        const QString shown = connectAgain(session);
        QVERIFY2(shown.contains(u"WANDB_API_KEY"_s), qPrintable(shown));
    }
}

QTEST_MAIN(ConnectionsTest)
#include "tst_connections.moc"
