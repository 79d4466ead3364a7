// Export of a whole query to disk (no row cap, every format, cancel) and the app's behaviour when
// the server is wrong or goes away: a clear banner, nothing shown is lost, recovery without a restart.
#include "../support/filesizelimit.h"
#include "app/sampledata.h"
#include "core/csv.h"
#include "models/callstablemodel.h"
#include "net/traceclient.h"
#include "server/traceserver.h"
#include "ui/calldetailpanel.h"
#include "ui/callexporter.h"
#include "ui/callscontroller.h"
#include "ui/mainwindow.h"
#include "ui/tracespage.h"
#include "ui/traceview.h"
#include "widgets/banner.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageBox>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace spindle;

class ExportAndResilienceTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void exportsEveryFormat_data();
    void exportsEveryFormat();
    void cancelLeavesTheDiskAsItWas();
    void fullDiskFailsTheExport_data();
    void fullDiskFailsTheExport();
    void snippetsCarryTheQuery();
    void liveModeKeepsSelection();
    void refreshKeepsSelectionOnItsCall();
    void liveModeKeepsTheRowsInView();
    void deleteAllWithRowsNotLoadedIsRefused();
    void newServerKeepsNothingOfTheLast();
    void wrongApiKeyShowsABanner();
    void serverGoingAwayAndComingBack();
    void cleanupTestCase();

private:
    void startServer(const QString& apiKey = {});
    static void writeFile(const QString& path, const QByteArray& bytes);
    QString firstTraceId(); // of the newest call
    void post(const QString& path, const QJsonObject& body);
    // Shows `window` on the test project and waits for its first rows and count.
    void showProject(ui::MainWindow& window);

    QTemporaryDir m_dir;
    std::unique_ptr<server::TraceServer> m_server;
    int m_port = 0;
    net::TraceClient m_client;
    int m_calls = 0;
    const QString m_project = QStringLiteral("export-test/sample");
};

void ExportAndResilienceTest::writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

void ExportAndResilienceTest::startServer(const QString& apiKey)
{
    server::ServerOptions options;
    options.port = m_port; // 0 the first time; the same port when it comes back
    options.dataDir = m_dir.filePath(QStringLiteral("data")).toStdString();
    options.apiKey = apiKey.toStdString();
    m_server = std::make_unique<server::TraceServer>(options);
    m_port = m_server->startInBackground();
}

void ExportAndResilienceTest::post(const QString& path, const QJsonObject& body)
{
    bool done = false;
    QString error;
    const auto ok = [&](const QJsonObject&) { done = true; };
    const auto failed = [&](const net::ApiError& e) {
        error = e.message();
        done = true;
    };
    if (path == QLatin1String("/file/create")) // sample op sources go up as multipart
        m_client.uploadFile(nullptr, body.value(QLatin1String("project_id")).toString(),
            body.value(QLatin1String("content")).toString().toUtf8(), QStringLiteral("obj.py"), ok, failed);
    else
        m_client.post(nullptr, path, body, ok, failed);
    QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void ExportAndResilienceTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QSettings::setPath(
        QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
    startServer();
    m_client.setConnection({ QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port)), {} });
    m_client.setRetryPolicy(1, 20);
    // 400 traces: well over one page and a couple of streamed batches.
    for (const auto& request : app::buildSampleData(m_project, QDateTime::currentDateTimeUtc(), 400)) {
        post(request.path, request.body);
        if (QTest::currentTestFailed())
            return;
    }
    QJsonObject stats { { QStringLiteral("project_id"), m_project } };
    m_client.post(nullptr, QStringLiteral("/calls/query_stats"), stats,
        [this](const QJsonObject& json) { m_calls = json.value(QLatin1String("count")).toInt(); });
    QTRY_VERIFY_WITH_TIMEOUT(m_calls > 1000, 10000);
}

void ExportAndResilienceTest::exportsEveryFormat_data()
{
    QTest::addColumn<int>("format");
    QTest::newRow("csv") << int(ui::CallExporter::Format::Csv);
    QTest::newRow("tsv") << int(ui::CallExporter::Format::Tsv);
    QTest::newRow("json") << int(ui::CallExporter::Format::Json);
    QTest::newRow("jsonl") << int(ui::CallExporter::Format::Jsonl);
}

void ExportAndResilienceTest::exportsEveryFormat()
{
    QFETCH(int, format);
    ui::CallExporter exporter(&m_client);
    QSignalSpy finished(&exporter, &ui::CallExporter::finished);
    const QString path = m_dir.filePath(QStringLiteral("export-%1").arg(format));
    writeFile(path, "an earlier export, which this one replaces\n");
    CallsQuery query;
    query.projectId = m_project;
    query.rootsOnly = false;
    QString error;
    QVERIFY2(exporter.start(query.requestJson(), { QStringLiteral("inputs.question") },
                 static_cast<ui::CallExporter::Format>(format), path, &error),
        qPrintable(error));
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().first().toBool(), true);
    QCOMPARE(finished.first().at(1).toString(),
        QStringLiteral("Exported %L1 calls to %2").arg(m_calls).arg(QDir::toNativeSeparators(path)));
    QCOMPARE(exporter.rowsWritten(), qint64(m_calls));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    switch (static_cast<ui::CallExporter::Format>(format)) {
    case ui::CallExporter::Format::Csv:
    case ui::CallExporter::Format::Tsv: {
        // Quoted fields may hold newlines, so count records by their leading id column instead of lines.
        // CSV is for spreadsheets, which need the BOM to read UTF-8; TSV is for programs.
        const bool csv = static_cast<ui::CallExporter::Format>(format) == ui::CallExporter::Format::Csv;
        QVERIFY(bytes.startsWith(csv ? QByteArray(kUtf8Bom) + "id," : QByteArray("id\t")));
        QVERIFY(bytes.contains("inputs.question"));
        break;
    }
    case ui::CallExporter::Format::Json: {
        const QJsonDocument doc = QJsonDocument::fromJson(bytes);
        QVERIFY(doc.isArray());
        QCOMPARE(doc.array().size(), m_calls);
        QVERIFY(!doc.array().first().toObject().value(QLatin1String("id")).toString().isEmpty());
        break;
    }
    case ui::CallExporter::Format::Jsonl: {
        const QList<QByteArray> lines = bytes.trimmed().split('\n');
        QCOMPARE(lines.size(), m_calls);
        for (const QByteArray& line : lines)
            QVERIFY(QJsonDocument::fromJson(line).isObject());
        break;
    }
    }
}

// A cancelled export leaves nothing behind: no partial file, no temporary file, and a file that
// was at the path before (an earlier export) as it was.
void ExportAndResilienceTest::cancelLeavesTheDiskAsItWas()
{
    CallsQuery query;
    query.projectId = m_project;
    const QByteArray earlier = "an earlier export\n";
    const QString existing = m_dir.filePath(QStringLiteral("existing.jsonl"));
    writeFile(existing, earlier);
    for (const QString& path : { m_dir.filePath(QStringLiteral("cancelled.jsonl")), existing }) {
        ui::CallExporter exporter(&m_client);
        QSignalSpy finished(&exporter, &ui::CallExporter::finished);
        QString error;
        QVERIFY(exporter.start(query.requestJson(), {}, ui::CallExporter::Format::Jsonl, path, &error));
        exporter.cancel();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().first().toBool(), false);
    }
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("cancelled.jsonl"))));
    QFile file(existing);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), earlier);
    const QStringList left = QDir(m_dir.path()).entryList({ QStringLiteral("*.jsonl*") }, QDir::Files);
    QCOMPARE(left, QStringList { QStringLiteral("existing.jsonl") });
    QString error;
    ui::CallExporter exporter(&m_client);
    QVERIFY(!exporter.start(query.requestJson(), {}, ui::CallExporter::Format::Jsonl,
        m_dir.filePath(QStringLiteral("no/such/dir/x.jsonl")), &error));
    QVERIFY(error.contains(QStringLiteral("Cannot write")));
}

void ExportAndResilienceTest::fullDiskFailsTheExport_data()
{
    QTest::addColumn<bool>("oneCall");
    // Rows reach the file in chunks of up to 500; one call's chunk is small enough for the file's
    // write buffer, which would take it whole and lose it at the final flush.
    QTest::newRow("one call") << true;
    QTest::newRow("every call") << false;
}

// The disk fills up during an export (a file size limit of 64 bytes for this process: writes past
// it fail with EFBIG): the export fails with a message that says so, not "Exported", and an earlier
// file at the path is unchanged.
void ExportAndResilienceTest::fullDiskFailsTheExport()
{
    QFETCH(bool, oneCall);
    const QByteArray earlier = "an earlier export\n";
    const QString path = m_dir.filePath(QStringLiteral("full.jsonl"));
    writeFile(path, earlier);
    CallsQuery query;
    query.projectId = m_project;
    query.rootsOnly = oneCall;
    if (oneCall)
        query.traceIds = { firstTraceId() };
    ui::CallExporter exporter(&m_client);
    QSignalSpy finished(&exporter, &ui::CallExporter::finished);
    QString error;
    bool started = false, ended = false;
    {
        test::FileSizeLimit fullDisk(64);
        QVERIFY(fullDisk.isSet());
        started = exporter.start(query.requestJson(), {}, ui::CallExporter::Format::Jsonl, path, &error);
        ended = started && finished.wait(30000);
    }
    QVERIFY2(started, qPrintable(error));
    QVERIFY(ended);
    const QString message = finished.first().at(1).toString();
    QVERIFY2(!finished.first().first().toBool(), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("bytes could be written")), qPrintable(message));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), earlier);
}

QString ExportAndResilienceTest::firstTraceId()
{
    QString traceId;
    bool done = false;
    m_client.streamCalls(
        nullptr, { { QStringLiteral("project_id"), m_project }, { QStringLiteral("limit"), 1 } },
        [&](const QVector<spindle::Call>& rows) {
            if (!rows.isEmpty())
                traceId = rows.first().traceId;
        },
        [&] { done = true; }, [&](const net::ApiError&) { done = true; });
    if (!QTest::qWaitFor([&] { return done; }, 10000))
        return {};
    return traceId;
}

void ExportAndResilienceTest::snippetsCarryTheQuery()
{
    CallsQuery query;
    query.projectId = m_project;
    query.statuses = { QStringLiteral("error") };
    const QString python =
        ui::CallExporter::pythonSnippet(query.requestJson(), QUrl(QStringLiteral("http://127.0.0.1:1")));
    QVERIFY(python.contains(QStringLiteral("weave.init(\"export-test/sample\")")));
    QVERIFY(python.contains(QStringLiteral("summary.weave.status")));
    // The SDK is pointed at this server before weave is imported; hosted W&B needs nothing.
    const qsizetype server =
        python.indexOf(QStringLiteral("os.environ[\"WF_TRACE_SERVER_URL\"] = \"http://127.0.0.1:1\""));
    QVERIFY2(server >= 0 && server < python.indexOf(QStringLiteral("import weave")), qPrintable(python));
    QVERIFY(python.contains(QStringLiteral("os.environ[\"WANDB_BASE_URL\"] = \"http://127.0.0.1:1\"")));
    const QString hosted =
        ui::CallExporter::pythonSnippet(query.requestJson(), QUrl(QStringLiteral("https://trace.wandb.ai")));
    QVERIFY2(!hosted.contains(QStringLiteral("os.environ")), qPrintable(hosted));
    // A dedicated W&B install: traces under /traces, the W&B API at the root, the user's own key.
    const QString dedicated = ui::CallExporter::pythonSnippet(
        query.requestJson(), QUrl(QStringLiteral("https://acme.wandb.io/traces")));
    QVERIFY2(dedicated.contains(
                 QStringLiteral("os.environ[\"WF_TRACE_SERVER_URL\"] = \"https://acme.wandb.io/traces\"")),
        qPrintable(dedicated));
    QVERIFY2(
        dedicated.contains(QStringLiteral("os.environ[\"WANDB_BASE_URL\"] = \"https://acme.wandb.io\"\n")),
        qPrintable(dedicated));
    QVERIFY2(!dedicated.contains(QStringLiteral("WANDB_API_KEY")), qPrintable(dedicated));
    const QString curl =
        ui::CallExporter::curlSnippet(query.requestJson(), QUrl(QStringLiteral("http://127.0.0.1:1")));
    QVERIFY(curl.contains(QStringLiteral("http://127.0.0.1:1/calls/stream_query")));
    QVERIFY(curl.contains(QStringLiteral("\"trace_roots_only\":true")));
}

void ExportAndResilienceTest::liveModeKeepsSelection()
{
    ui::MainWindow window(&m_client);
    window.show();
    window.setProject(m_project);
    ui::TracesPage* page = window.tracesPage();
    // The count follows the first page: wait for both before taking the row count.
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowCount() > 0 && page->model()->isLoaded(0)
            && page->controller()->totalCount() >= 0 && !page->controller()->isLoading(),
        10000);
    const int before = page->model()->rowCount();
    page->table()->setCurrentIndex(page->model()->index(0, 0));
    const QString selected = page->model()->callAt(0)->id;
    page->controller()->setLive(true);
    // A new root call that is still running: it appears on top, the selection stays on its call.
    const QString now = QDateTime::currentDateTimeUtc().addSecs(1).toString(Qt::ISODateWithMs);
    const QJsonObject start { { QStringLiteral("project_id"), m_project },
        { QStringLiteral("id"), QStringLiteral("live-call") },
        { QStringLiteral("trace_id"), QStringLiteral("live-trace") },
        { QStringLiteral("op_name"), QStringLiteral("live_op") }, { QStringLiteral("started_at"), now },
        { QStringLiteral("attributes"), QJsonObject() }, { QStringLiteral("inputs"), QJsonObject() } };
    post(QStringLiteral("/call/start"), { { QStringLiteral("start"), start } });
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), before + 1, 10000);
    QCOMPARE(page->table()->currentIndex().row(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->isLoaded(1) && page->model()->callAt(1)->id == selected, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        page->model()->isLoaded(0) && page->model()->callAt(0)->status == QLatin1String("running"), 10000);
    // It finishes: the running row turns into a finished one in place.
    const QJsonObject end { { QStringLiteral("project_id"), m_project },
        { QStringLiteral("id"), QStringLiteral("live-call") },
        { QStringLiteral("ended_at"),
            QDateTime::currentDateTimeUtc().addSecs(2).toString(Qt::ISODateWithMs) },
        { QStringLiteral("summary"), QJsonObject() } };
    post(QStringLiteral("/call/end"), { { QStringLiteral("end"), end } });
    QTRY_VERIFY_WITH_TIMEOUT(
        page->model()->isLoaded(0) && page->model()->callAt(0)->status == QLatin1String("success"), 10000);
    QCOMPARE(page->model()->callAt(1)->id, selected);
    page->controller()->setLive(false);
    ++m_calls;
}

void ExportAndResilienceTest::showProject(ui::MainWindow& window)
{
    window.resize(1200, 800);
    window.show();
    window.setProject(m_project);
    ui::TracesPage* page = window.tracesPage();
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->isLoaded(0) && page->controller()->totalCount() > 0
            && !page->controller()->isLoading(),
        10000);
}

// F5 refetches the rows in place: a call logged meanwhile moves the others down, and the selection
// (what Delete, Rename and Copy act on) follows the call the user chose, not its old row.
void ExportAndResilienceTest::refreshKeepsSelectionOnItsCall()
{
    ui::MainWindow window(&m_client);
    showProject(window);
    if (QTest::currentTestFailed())
        return;
    ui::TracesPage* page = window.tracesPage();
    page->table()->selectRow(0);
    const QString selected = page->model()->callAt(0)->id;
    // A call of its trace chosen in the tree goes to the detail; the row stays the one chosen.
    QTRY_VERIFY_WITH_TIMEOUT(!page->traceView()->isLoading(), 10000);
    page->detailPanel()->showCall(m_project, *page->model()->callAt(2));
    const QJsonObject start { { QStringLiteral("project_id"), m_project },
        { QStringLiteral("id"), QStringLiteral("refresh-call") },
        { QStringLiteral("trace_id"), QStringLiteral("refresh-trace") },
        { QStringLiteral("op_name"), QStringLiteral("refresh_op") },
        { QStringLiteral("started_at"),
            QDateTime::currentDateTimeUtc().addSecs(5).toString(Qt::ISODateWithMs) },
        { QStringLiteral("attributes"), QJsonObject() }, { QStringLiteral("inputs"), QJsonObject() } };
    post(QStringLiteral("/call/start"), { { QStringLiteral("start"), start } });
    ++m_calls;
    page->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->isLoaded(0)
            && page->model()->callAt(0)->id == QLatin1String("refresh-call")
            && !page->controller()->isLoading(),
        10000);
    const QModelIndex current = page->table()->currentIndex();
    QVERIFY(current.isValid() && page->model()->isLoaded(current.row()));
    QCOMPARE(page->model()->callAt(current.row())->id, selected);
    QCOMPARE(page->table()->selectionModel()->selectedRows().size(), 1);
}

// Scrolled away from the top, the rows on screen stay there when live mode puts new calls on top.
void ExportAndResilienceTest::liveModeKeepsTheRowsInView()
{
    ui::MainWindow window(&m_client);
    showProject(window);
    if (QTest::currentTestFailed())
        return;
    ui::TracesPage* page = window.tracesPage();
    QTableView* table = page->table();
    table->verticalScrollBar()->setValue(30 * table->verticalHeader()->defaultSectionSize());
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->isLoaded(table->rowAt(0)), 10000);
    const QString top = page->model()->callAt(table->rowAt(0))->id;
    const QJsonObject start { { QStringLiteral("project_id"), m_project },
        { QStringLiteral("id"), QStringLiteral("live-top") },
        { QStringLiteral("trace_id"), QStringLiteral("live-top") },
        { QStringLiteral("op_name"), QStringLiteral("live_op") },
        { QStringLiteral("started_at"),
            QDateTime::currentDateTimeUtc().addSecs(10).toString(Qt::ISODateWithMs) },
        { QStringLiteral("attributes"), QJsonObject() }, { QStringLiteral("inputs"), QJsonObject() } };
    post(QStringLiteral("/call/start"), { { QStringLiteral("start"), start } });
    ++m_calls;
    QSignalSpy polled(page->controller(), &ui::CallsController::livePolled);
    page->controller()->setLive(true);
    QVERIFY(polled.wait(10000));
    page->controller()->setLive(false);
    QTRY_VERIFY_WITH_TIMEOUT(
        page->model()->isLoaded(table->rowAt(0)) && !page->controller()->isLoading(), 10000);
    QCOMPARE(page->model()->callAt(table->rowAt(0))->id, top);
}

// Ctrl+A selects every row, most of them never loaded: Delete says so instead of deleting the loaded
// ones only (and asks nothing).
void ExportAndResilienceTest::deleteAllWithRowsNotLoadedIsRefused()
{
    ui::MainWindow window(&m_client);
    showProject(window);
    if (QTest::currentTestFailed())
        return;
    ui::TracesPage* page = window.tracesPage();
    const int rows = page->model()->rowCount();
    QVERIFY(rows > models::CallsTableModel::kPageSize && !page->model()->isLoaded(rows - 1));
    page->table()->selectAll();
    QSignalSpy warnings(page, &ui::TracesPage::warning);
    bool asked = false;
    QTimer::singleShot(0, this, [&asked] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            asked = true;
            box->reject();
        }
    });
    for (QAction* action : page->table()->actions())
        if (action->shortcut() == QKeySequence(QKeySequence::Delete))
            action->trigger();
    QVERIFY(!asked);
    QCOMPARE(warnings.size(), 1);
    QVERIFY2(warnings.first().first().toString().contains(QStringLiteral("of the %L1 selected").arg(rows)),
        qPrintable(warnings.first().first().toString()));
    QCOMPARE(page->model()->rowCount(), rows);
}

// The same project name on another server (a new connection, here one that never answers): the
// rows and count on screen were the last server's, and they go.
void ExportAndResilienceTest::newServerKeepsNothingOfTheLast()
{
    ui::MainWindow window(&m_client);
    showProject(window);
    if (QTest::currentTestFailed())
        return;
    ui::TracesPage* page = window.tracesPage();
    const auto restore =
        qScopeGuard([this, reachable = m_client.connection()] { m_client.setConnection(reachable); });
    m_client.setConnection({ QUrl(QStringLiteral("http://127.0.0.1:1")), {} });
    window.setProject(m_project);
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 0, 5000);
}

void ExportAndResilienceTest::wrongApiKeyShowsABanner()
{
    server::ServerOptions options;
    options.port = 0;
    options.dataDir = m_dir.filePath(QStringLiteral("keyed")).toStdString();
    options.apiKey = "right-key";
    server::TraceServer keyed(options);
    const int port = keyed.startInBackground();
    net::TraceClient client;
    client.setConnection(
        { QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), QStringLiteral("wrong-key") });
    ui::MainWindow window(&client);
    window.show();
    window.setProject(QStringLiteral("a/b"));
    QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isVisible(), 10000);
    // What failed first, in words, then the server's reason; the status and the request last.
    const QString text = window.banner()->text();
    QVERIFY2(
        text.startsWith(QStringLiteral("Could not ")) && text.contains(QStringLiteral("(HTTP 401 from /")),
        qPrintable(text));
    keyed.stop();
}

void ExportAndResilienceTest::serverGoingAwayAndComingBack()
{
    ui::MainWindow window(&m_client);
    window.show();
    window.setProject(m_project);
    ui::TracesPage* page = window.tracesPage();
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowCount() > 0 && page->model()->isLoaded(0), 10000);
    const QString firstId = page->model()->callAt(0)->id;
    QSignalSpy reachability(&m_client, &net::TraceClient::reachabilityChanged);
    m_server->stop();
    m_server.reset();
    page->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isVisible(), 15000);
    QVERIFY2(window.banner()->text().startsWith(QStringLiteral("Cannot reach the trace server to ")),
        qPrintable(window.banner()->text()));
    QVERIFY(page->model()->isLoaded(0)); // what was shown stays shown
    QCOMPARE(page->model()->callAt(0)->id, firstId);
    startServer(); // same port, same store
    // The window's probe notices the server is back and reloads, without a restart of the app.
    QTRY_VERIFY_WITH_TIMEOUT(!reachability.isEmpty() && reachability.last().first().toBool(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->isLoaded(0), 10000);
    QCOMPARE(page->model()->callAt(0)->id, firstId);
}

void ExportAndResilienceTest::cleanupTestCase()
{
    if (m_server)
        m_server->stop();
}

QTEST_MAIN(ExportAndResilienceTest)
#include "tst_exportandresilience.moc"
