// CallsTableModel, the passive windowed calls model, driven by CallsController and a TraceClient
// against the real trace server in-process (1050 calls), and fed directly where a test needs to
// control what arrives (stale generations, the page cache bound). Every test runs the model under
// QAbstractItemModelTester.
#include "apptestutil.h"
#include "models/callformat.h"
#include "models/callstablemodel.h"
#include "net/traceclient.h"
#include "ui/callscontroller.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using namespace spindle;
using namespace spindle::apptest;
using namespace Qt::StringLiterals;
using models::CallsTableModel;

namespace {

constexpr int kCalls = 1050;
constexpr int kWaitMs = 15000;
const QString kProject = u"model/main"_s;

QString callId(int i)
{
    return u"call-%1"_s.arg(i, 4, 10, QLatin1Char('0'));
}

// A permutation of 1..1050 (7919 is prime and does not divide 1050): every latency is distinct.
qint64 latencyOf(int i)
{
    return qint64(i) * 7919 % kCalls + 1;
}

bool isOpB(int i)
{
    return i % 3 == 0;
}

bool isError(int i)
{
    return i % 10 == 0;
}

QString opRef(bool b)
{
    return b ? u"weave:///model/main/op/op_b:v1"_s : u"weave:///model/main/op/op_a:v1"_s;
}

// Rows for direct setPage() calls.
QVector<Call> fakePage(const QString& prefix, int count)
{
    QVector<Call> page;
    for (int i = 0; i < count; ++i) {
        Call call;
        call.id = prefix + QString::number(i);
        call.opName = u"fake_op"_s;
        call.status = u"success"_s;
        page << call;
    }
    return page;
}

CallsQuery baseQuery()
{
    CallsQuery query;
    query.projectId = kProject;
    return query;
}

} // namespace

class TestCallsTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void rowCountMatchesServer_data();
    void rowCountMatchesServer();
    void unloadedRowIsPlaceholderAndAsksForItsPage();
    void rowsPaintedTogetherAskTogether();
    void lastPartialPage();
    void newQueryDropsLatePages();
    void quickRequeryShowsOnlyTheNewest();
    void cacheStaysBounded();
    void insertAtTopGrowsRowCount();
    void insertAtTopKeepsLoadedRows();
    void invalidatePagesRefetchesWithoutFlicker();
    void sortingFollowsServer_data();
    void sortingFollowsServer();
    void firstRowsShowBeforeTheirPageEnds();
    void completingAPageRepaintsOnlyNewRows();
    void boundedJsonCellText_data();
    void boundedJsonCellText();
    void scalarNumbersStayExact();
    void relativeTimes();
    void nameTooltipHasTheShownNameAndTheOp();
    void pythonExceptionsReadAsPython();

private:
    // setQuery() then wait until the count and the first page are in.
    bool runQuery(const CallsQuery& query);
    QStringList idsOfRows(int first, int count) const;
    bool loadRows(int first, int count);

    InProcessServer m_server;
    std::unique_ptr<CallsTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<net::TraceClient> m_client;
    std::unique_ptr<ui::CallsController> m_controller;
};

void TestCallsTableModel::initTestCase()
{
    const QString error = m_server.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QList<CallRecord> calls;
    for (int i = 0; i < kCalls; ++i) {
        CallRecord call;
        call.id = callId(i);
        call.opName = opRef(isOpB(i));
        call.startedMs = kEpoch2025Ms + qint64(i) * 1000;
        call.endedMs = call.startedMs + latencyOf(i);
        call.inputs = QJsonObject { { u"n"_s, i } };
        call.output = QJsonObject { { u"answer"_s, u"a%1"_s.arg(i) } };
        if (isError(i))
            call.exception = u"ValueError: boom"_s;
        calls << call;
    }
    QCOMPARE(m_server.logCalls(kProject, calls), 200);
    QCOMPARE(m_server.count(QJsonObject { { u"project_id"_s, kProject } }), kCalls);
}

void TestCallsTableModel::init()
{
    m_model = std::make_unique<CallsTableModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_client = std::make_unique<net::TraceClient>();
    m_client->setConnection({ m_server.url(), {} });
    m_client->setRetryPolicy(3, 20);
    m_controller = std::make_unique<ui::CallsController>(m_client.get(), m_model.get());
}

void TestCallsTableModel::cleanup()
{
    m_controller.reset();
    m_client.reset();
    m_tester.reset();
    m_model.reset();
}

bool TestCallsTableModel::runQuery(const CallsQuery& query)
{
    m_controller->setQuery(query);
    return QTest::qWaitFor(
        [&] {
            return m_controller->totalCount() >= 0 && !m_controller->isLoading()
                && (m_model->rowCount() == 0 || m_model->isLoaded(0));
        },
        kWaitMs);
}

QStringList TestCallsTableModel::idsOfRows(int first, int count) const
{
    QStringList ids;
    for (int row = first; row < first + count; ++row)
        ids << m_model->index(row, 0).data(CallsTableModel::CallIdRole).toString();
    return ids;
}

bool TestCallsTableModel::loadRows(int first, int count)
{
    // Ask as a view painting these rows would.
    for (int row = first; row < first + count; ++row)
        m_model->index(row, CallsTableModel::NameColumn).data();
    return QTest::qWaitFor(
        [&] {
            for (int row = first; row < first + count; ++row)
                if (!m_model->isLoaded(row))
                    return false;
            return true;
        },
        kWaitMs);
}

void TestCallsTableModel::rowCountMatchesServer_data()
{
    QTest::addColumn<QStringList>("statuses");
    QTest::addColumn<QStringList>("opNames");
    QTest::addColumn<int>("expected");
    int errors = 0, opB = 0, opBErrors = 0;
    for (int i = 0; i < kCalls; ++i) {
        errors += isError(i);
        opB += isOpB(i);
        opBErrors += isError(i) && isOpB(i);
    }
    QTest::addRow("all") << QStringList() << QStringList() << kCalls;
    QTest::addRow("errors") << QStringList { u"error"_s } << QStringList() << errors;
    QTest::addRow("op_b, any version")
        << QStringList() << QStringList { u"weave:///model/main/op/op_b:*"_s } << opB;
    QTest::addRow("op_b errors") << QStringList { u"error"_s } << QStringList { opRef(true) } << opBErrors;
    QTest::addRow("success or error") << QStringList { u"success"_s, u"error"_s } << QStringList() << kCalls;
    QTest::addRow("nothing running") << QStringList { u"running"_s } << QStringList() << 0;
}

void TestCallsTableModel::rowCountMatchesServer()
{
    QFETCH(QStringList, statuses);
    QFETCH(QStringList, opNames);
    QFETCH(int, expected);
    CallsQuery query = baseQuery();
    query.statuses = statuses;
    query.opNames = opNames;
    QSignalSpy counted(m_controller.get(), &ui::CallsController::countChanged);
    QVERIFY(runQuery(query));
    QJsonObject stats = query.requestJson();
    stats.remove(u"sort_by"_s);
    QCOMPARE(m_server.count(stats), expected);
    QCOMPARE(m_model->rowCount(), expected);
    QCOMPARE(m_controller->totalCount(), expected);
    QCOMPARE(counted.count(), 1);
    QCOMPARE(counted.first().first().toInt(), expected);
    if (expected > 0) {
        // Newest first by default.
        int newest = -1;
        for (int i = kCalls - 1; i >= 0 && newest < 0; --i) {
            const bool statusOk =
                statuses.isEmpty() || statuses.contains(isError(i) ? u"error"_s : u"success"_s);
            const bool opOk = opNames.isEmpty() || isOpB(i);
            if (statusOk && opOk)
                newest = i;
        }
        QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), callId(newest));
    }
}

void TestCallsTableModel::unloadedRowIsPlaceholderAndAsksForItsPage()
{
    QVERIFY(runQuery(baseQuery()));
    QCOMPARE(m_model->rowCount(), kCalls);
    const quint64 generation = m_model->generation();
    QVERIFY(generation > 0);
    QVERIFY(!m_model->isLoaded(523));

    QSignalSpy needed(m_model.get(), &CallsTableModel::pagesNeeded);
    QSignalSpy changed(m_model.get(), &CallsTableModel::dataChanged);
    const QModelIndex name = m_model->index(523, CallsTableModel::NameColumn);
    QCOMPARE(name.data().toString(), u"Loading…"_s);
    QCOMPARE(name.data(CallsTableModel::LoadedRole), QVariant(false));
    QVERIFY(!name.data(CallsTableModel::CallIdRole).isValid());
    QVERIFY(!m_model->index(523, CallsTableModel::StatusColumn).data().isValid());
    // More rows of the same page in the same pass: still one request.
    for (int row = 500; row < 600; ++row)
        m_model->index(row, CallsTableModel::CalledColumn).data();
    QCOMPARE(needed.count(), 0); // asked for on the next event-loop turn, together

    QTRY_COMPARE_WITH_TIMEOUT(needed.count(), 1, kWaitMs);
    QCOMPARE(needed.first().at(0).value<quint64>(), generation);
    QCOMPARE(needed.first().at(1).value<QList<int>>(), QList<int> { 5 });

    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(523), kWaitMs);
    QCOMPARE(needed.count(), 1); // rows asked for while in flight were not asked for again
    bool sawPage = false;
    for (const auto& args : std::as_const(changed)) {
        const auto topLeft = args.at(0).value<QModelIndex>();
        const auto bottomRight = args.at(1).value<QModelIndex>();
        if (topLeft.row() <= 500 && bottomRight.row() >= 599 && topLeft.column() == 0
            && bottomRight.column() == m_model->columnCount() - 1)
            sawPage = true;
    }
    QVERIFY2(sawPage, "dataChanged covers the loaded page");
    for (int row = 500; row < 600; ++row)
        QVERIFY(m_model->isLoaded(row));
    QVERIFY(!m_model->isLoaded(499));
    QVERIFY(!m_model->isLoaded(600));

    // Newest first: row 523 is call 1049 - 523.
    const int i = kCalls - 1 - 523;
    QCOMPARE(name.data(CallsTableModel::CallIdRole).toString(), callId(i));
    QCOMPARE(name.data().toString(), isOpB(i) ? u"op_b"_s : u"op_a"_s);
    QCOMPARE(name.data(CallsTableModel::LoadedRole), QVariant(true));
    QCOMPARE(name.data(CallsTableModel::StatusRole).toString(), isError(i) ? u"error"_s : u"success"_s);
    QCOMPARE(m_model->callAt(523)->latencyMs, std::optional<qint64>(latencyOf(i)));

    // Loaded rows do not ask again.
    m_model->index(523, CallsTableModel::NameColumn).data();
    QTest::qWait(50);
    QCOMPARE(needed.count(), 1);
}

void TestCallsTableModel::rowsPaintedTogetherAskTogether()
{
    QVERIFY(runQuery(baseQuery()));
    QSignalSpy needed(m_model.get(), &CallsTableModel::pagesNeeded);
    for (int row : { 730, 250, 251, 1049, 999 })
        m_model->index(row, CallsTableModel::NameColumn).data();
    QTRY_COMPARE_WITH_TIMEOUT(needed.count(), 1, kWaitMs);
    QCOMPARE(needed.first().at(1).value<QList<int>>(), (QList<int> { 2, 7, 9, 10 }));
    QVERIFY(QTest::qWaitFor([&] { return !m_controller->isLoading(); }, kWaitMs));
    for (int row : { 730, 250, 251, 1049, 999 })
        QVERIFY2(m_model->isLoaded(row), qPrintable(QString::number(row)));
    QCOMPARE(m_model->index(1049, 0).data(CallsTableModel::CallIdRole).toString(), callId(0));
    QCOMPARE(needed.count(), 1);
}

void TestCallsTableModel::lastPartialPage()
{
    QVERIFY(runQuery(baseQuery()));
    QVERIFY(loadRows(1000, kCalls - 1000));
    QCOMPARE(idsOfRows(1000, 3), (QStringList { callId(49), callId(48), callId(47) }));
    QCOMPARE(m_model->rowCount(), kCalls); // a short last page does not shrink the table
    QVERIFY(!m_model->index(kCalls, 0).isValid());
}

void TestCallsTableModel::newQueryDropsLatePages()
{
    QVERIFY(runQuery(baseQuery()));
    const quint64 oldGeneration = m_model->generation();
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), callId(kCalls - 1));

    CallsQuery ascending = baseQuery();
    ascending.sortBy = { { u"started_at"_s, false } };
    QVERIFY(runQuery(ascending));
    const quint64 newGeneration = m_model->generation();
    QVERIFY(newGeneration != oldGeneration);
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), callId(0));
    QVERIFY(!m_model->isLoaded(300));

    QSignalSpy changed(m_model.get(), &CallsTableModel::dataChanged);
    QSignalSpy inserted(m_model.get(), &CallsTableModel::rowsInserted);
    QSignalSpy removed(m_model.get(), &CallsTableModel::rowsRemoved);
    QSignalSpy reset(m_model.get(), &CallsTableModel::modelReset);
    // Late answers to the old query.
    m_model->setPage(oldGeneration, 0, fakePage(u"stale-"_s, CallsTableModel::kPageSize));
    m_model->setPage(oldGeneration, 3, fakePage(u"stale-"_s, CallsTableModel::kPageSize));
    m_model->setTotalCount(oldGeneration, 5);
    m_model->insertAtTop(oldGeneration, 3);
    m_model->pageFailed(oldGeneration, 0);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(m_model->rowCount(), kCalls);
    QCOMPARE(m_model->generation(), newGeneration);
    QCOMPARE(idsOfRows(0, 3), (QStringList { callId(0), callId(1), callId(2) }));
    QVERIFY(!m_model->isLoaded(300)); // the stale page 3 was not cached
}

void TestCallsTableModel::quickRequeryShowsOnlyTheNewest()
{
    // The first query's count and page are still on their way when the second one starts.
    m_controller->setQuery(baseQuery());
    CallsQuery errors = baseQuery();
    errors.statuses = QStringList { u"error"_s };
    errors.sortBy = { { u"started_at"_s, false } };
    QVERIFY(runQuery(errors));
    QTest::qWait(200); // anything late from the first query would have arrived by now
    QCOMPARE(m_model->rowCount(), 105);
    QCOMPARE(m_controller->totalCount(), 105);
    QCOMPARE(idsOfRows(0, 3), (QStringList { callId(0), callId(10), callId(20) }));
    for (int row = 0; row < CallsTableModel::kPageSize; ++row)
        QCOMPARE(m_model->index(row, 0).data(CallsTableModel::StatusRole).toString(), u"error"_s);
}

void TestCallsTableModel::cacheStaysBounded()
{
    // Pages are fed directly, as late answers would arrive, for a table of more rows than the
    // cache holds. (QAbstractItemModelTester re-checks the whole model on every dataChanged, which
    // makes this the slowest test; the table is kept just above the cache size.)
    constexpr int kMax = CallsTableModel::kMaxCachedPages;
    constexpr int kPageSize = CallsTableModel::kPageSize;
    constexpr int kExtra = 5;
    constexpr int kRows = (kMax + kExtra) * kPageSize;
    constexpr int kOnScreen = kMax * 3 / 4; // a page the "view" keeps painting
    const auto loadedRows = [&] {
        int loaded = 0;
        for (int row = 0; row < kRows; ++row)
            loaded += m_model->isLoaded(row);
        return loaded;
    };
    m_model->beginQuery(777); // the controller ignores this generation
    m_model->setTotalCount(777, kRows);
    QCOMPARE(m_model->rowCount(), kRows);
    for (int page = 0; page < kMax; ++page)
        m_model->setPage(777, page, fakePage(u"p%1-"_s.arg(page), kPageSize));
    QCOMPARE(loadedRows(), kMax * kPageSize); // full, nothing evicted yet

    for (int page = kMax; page < kMax + kExtra; ++page) {
        m_model->index(kOnScreen * kPageSize + 7, CallsTableModel::NameColumn).data(); // painted
        m_model->setPage(777, page, fakePage(u"p%1-"_s.arg(page), kPageSize));
        QVERIFY2(m_model->isLoaded(page * kPageSize), qPrintable(QString::number(page)));
    }
    const int loaded = loadedRows();
    QVERIFY2(loaded <= kMax * kPageSize, qPrintable(u"%1 rows cached"_s.arg(loaded)));
    QCOMPARE(loaded, kMax * kPageSize); // bounded, and eviction removed only what it had to
    QCOMPARE(m_model->index(kRows - 1, 0).data(CallsTableModel::CallIdRole).toString(),
        u"p%1-99"_s.arg(kMax + kExtra - 1));
    // Least recently used went first: a few of the earliest pages, never the painted one.
    QVERIFY(m_model->isLoaded(kOnScreen * kPageSize));
    QList<int> evicted;
    for (int page = 0; page < kMax; ++page)
        if (!m_model->isLoaded(page * kPageSize))
            evicted << page;
    QCOMPARE(evicted.size(), kExtra);
    for (int page : std::as_const(evicted))
        QVERIFY2(page < 2 * kExtra, qPrintable(u"evicted page %1 was used recently"_s.arg(page)));
    QCOMPARE(m_model->rowCount(), kRows);
}

void TestCallsTableModel::insertAtTopGrowsRowCount()
{
    m_model->beginQuery(900);
    m_model->setTotalCount(900, 250);
    QSignalSpy inserted(m_model.get(), &CallsTableModel::rowsInserted);
    m_model->insertAtTop(900, 7);
    QCOMPARE(m_model->rowCount(), 257);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 0);
    QCOMPARE(inserted.first().at(2).toInt(), 6);
    m_model->insertAtTop(900, 0);
    m_model->insertAtTop(900, -3);
    QCOMPARE(m_model->rowCount(), 257);
    QCOMPARE(inserted.count(), 1);
}

void TestCallsTableModel::insertAtTopKeepsLoadedRows()
{
    // Live mode: the newest rows are on screen and 3 new calls appear above them.
    CallsQuery errors = baseQuery();
    errors.statuses = QStringList { u"error"_s };
    QVERIFY(runQuery(errors));
    const QString topStatus = m_model->index(0, CallsTableModel::StatusColumn).data().toString();
    const QString topId = m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString();
    QCOMPARE(topId, callId(1040));
    QSignalSpy inserted(m_model.get(), &CallsTableModel::rowsInserted);
    // QAbstractItemModelTester checks in rowsInserted that the rows below the insertion keep their data.
    m_model->insertAtTop(m_model->generation(), 3);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(m_model->rowCount(), 105 + 3);
    QCOMPARE(m_model->index(3, CallsTableModel::StatusColumn).data().toString(), topStatus);
    QCOMPARE(m_model->index(3, 0).data(CallsTableModel::CallIdRole).toString(), topId);
}

void TestCallsTableModel::invalidatePagesRefetchesWithoutFlicker()
{
    QVERIFY(runQuery(baseQuery()));
    QVERIFY(loadRows(0, 200));
    QSignalSpy needed(m_model.get(), &CallsTableModel::pagesNeeded);
    QSignalSpy changed(m_model.get(), &CallsTableModel::dataChanged);
    m_model->invalidatePages();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), 0);
    QCOMPARE(changed.first().at(1).value<QModelIndex>().row(), kCalls - 1);
    // Still shown while the refresh is on its way.
    QVERIFY(m_model->isLoaded(0));
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), callId(kCalls - 1));
    QTRY_COMPARE_WITH_TIMEOUT(needed.count(), 1, kWaitMs);
    QCOMPARE(needed.first().at(1).value<QList<int>>(), QList<int> { 0 }); // only what was painted
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() >= 2, kWaitMs); // the refreshed page arrived
    QVERIFY(QTest::qWaitFor([&] { return !m_controller->isLoading(); }, kWaitMs));
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), callId(kCalls - 1));
    // Fresh again: painting it does not ask a second time.
    m_model->index(0, 0).data();
    QTest::qWait(50);
    QCOMPARE(needed.count(), 1);
}

void TestCallsTableModel::sortingFollowsServer_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<bool>("descending");
    QTest::addRow("started_at asc") << u"started_at"_s << false;
    QTest::addRow("started_at desc") << u"started_at"_s << true;
    QTest::addRow("latency desc") << u"summary.weave.latency_ms"_s << true;
    QTest::addRow("latency asc") << u"summary.weave.latency_ms"_s << false;
    QTest::addRow("inputs.n asc (numeric)") << u"inputs.n"_s << false;
}

void TestCallsTableModel::sortingFollowsServer()
{
    QFETCH(QString, field);
    QFETCH(bool, descending);
    // The expected order, computed here from the fixture.
    QList<int> order;
    for (int i = 0; i < kCalls; ++i)
        order << i;
    const auto key = [&](int i) { return field == u"summary.weave.latency_ms"_s ? latencyOf(i) : qint64(i); };
    std::sort(order.begin(), order.end(),
        [&](int a, int b) { return descending ? key(a) > key(b) : key(a) < key(b); });
    QStringList expected;
    for (int i : std::as_const(order))
        expected << callId(i);

    // First the default order, then re-sorted through setQuery on the same controller.
    QVERIFY(runQuery(baseQuery()));
    CallsQuery sorted = baseQuery();
    sorted.sortBy = { { field, descending } };
    QVERIFY(runQuery(sorted));
    QCOMPARE(m_controller->pageRequest(0, 100).value(u"sort_by"_s).toArray(), sorted.sortJson());
    QCOMPARE(m_model->rowCount(), kCalls);
    QVERIFY(loadRows(0, 120));
    QVERIFY(loadRows(kCalls - 20, 20));
    QCOMPARE(idsOfRows(0, 120), expected.mid(0, 120));
    QCOMPARE(idsOfRows(kCalls - 20, 20), expected.mid(kCalls - 20));
    // ... which is what the server returns for the same request.
    QJsonObject request = sorted.requestJson();
    request.insert(u"limit"_s, 120);
    QCOMPARE(m_server.streamIds(request), expected.mid(0, 120));
}

QTEST_GUILESS_MAIN(TestCallsTableModel)
// A new query's first rows (the client's first batch of 50) are on screen while the rest of the
// page streams in; then the page completes and the count arrives.
void TestCallsTableModel::firstRowsShowBeforeTheirPageEnds()
{
    QVERIFY(runQuery(baseQuery()));
    QList<int> loadedAtInsert; // rows loaded when rows were inserted
    connect(m_model.get(), &CallsTableModel::rowsInserted, this, [&] {
        int loaded = 0;
        while (loaded < m_model->rowCount() && m_model->isLoaded(loaded))
            ++loaded;
        loadedAtInsert << m_model->rowCount() << loaded;
    });
    QSignalSpy reset(m_model.get(), &CallsTableModel::modelReset);
    QElapsedTimer sinceQuery;
    qint64 resetAfterMs = -1;
    connect(m_model.get(), &CallsTableModel::modelReset, this, [&] { resetAfterMs = sinceQuery.elapsed(); });
    CallsQuery errors = baseQuery();
    errors.statuses = QStringList { u"error"_s }; // 105 calls: a full first page and more
    sinceQuery.start();
    QVERIFY(runQuery(errors));
    if (resetAfterMs >= 100) // CallsController's kStaleRowsMs
        QSKIP("the first rows took over 100 ms here, so the old rows gave way to placeholders first");
    QCOMPARE(reset.count(), 1);
    // 50 rows, all loaded; then the rest of the page (rows 50-99); then the count (105).
    QCOMPARE(loadedAtInsert, (QList<int> { 50, 50, 100, 100, 105, 100 }));
    QCOMPARE(m_model->rowCount(), 105);
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), callId(kCalls - 10));
}

void TestCallsTableModel::completingAPageRepaintsOnlyNewRows()
{
    QVERIFY(runQuery(baseQuery()));
    const quint64 generation = m_model->generation() + 1;
    const auto old = m_model->beginQueryWithRows(generation, fakePage(u"a-"_s, 30), 300, false);
    QVERIFY(!old.isEmpty()); // the previous query's rows, handed back to be freed
    QCOMPARE(m_model->rowCount(), 300);
    QVERIFY(m_model->isLoaded(29));
    QVERIFY(!m_model->isLoaded(30));
    QSignalSpy wanted(m_model.get(), &CallsTableModel::pagesNeeded);
    m_model->index(60, CallsTableModel::NameColumn).data(); // a placeholder of the streaming page
    QTest::qWait(20);
    QCOMPARE(wanted.count(), 0); // page 0 is on its way: not asked for again

    QSignalSpy changed(m_model.get(), &CallsTableModel::dataChanged);
    m_model->setPage(generation, 0, fakePage(u"a-"_s, CallsTableModel::kPageSize));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed[0][0].toModelIndex().row(), 30);
    QCOMPARE(changed[0][1].toModelIndex().row(), CallsTableModel::kPageSize - 1);
    QVERIFY(m_model->isLoaded(99));
    // A page that was complete already is all new when it comes again.
    m_model->setPage(generation, 0, fakePage(u"b-"_s, CallsTableModel::kPageSize));
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed[1][0].toModelIndex().row(), 0);
}

void TestCallsTableModel::boundedJsonCellText_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("object") << QByteArray(R"({"b":[1,2.5,true,null],"a":"x\"y\n","c":{"d":1e300}})");
    QTest::newRow("long string inside")
        << QByteArray(R"({"prompt":")" + QByteArray(5000, 'p') + R"(","n":3})");
    QTest::newRow("escapes near the cut") << QByteArray(R"(["\u0001\t\"\\)" + QByteArray(60, 'e') + R"("])");
    QTest::newRow("non-ASCII") << QByteArray(
        R"({"text":"naïve café – 日本語 😀 )" + QByteArray(80, 'z') + R"("})");
    QTest::newRow("deep") << QByteArray(R"({"a":{"b":{"c":{"d":[[[[{"e":"f"}]]]]}}}})");
    QTest::newRow("many keys") << []() -> QByteArray { // not a QStringBuilder over a local
        QByteArray json = "{";
        for (int i = 0; i < 300; ++i)
            json += (i ? "," : "") + QByteArray("\"k") + QByteArray::number(i)
                + "\":" + QByteArray::number(i * 1.5);
        return json + "}";
    }();
    QTest::newRow("short") << QByteArray(R"({"a":1})");
    QTest::newRow("numbers") << QByteArray(
        R"([0,-1,9007199254740993,0.1,-0.0,1e-7,123456789.125,1.5e300,-2.5,3.0,4294967296])");
    QTest::newRow("control characters") << QByteArray(R"({"\u000b\b\f\r\u001f":"\u0000\u007f\u0080"})");
    QTest::newRow("lone surrogates") << QByteArray(R"(["\ud800x","\udc00","\ud83d\ude00"])");
    QTest::newRow("empty containers") << QByteArray(R"({"a":[],"b":{}})");
}

// A number alone in a cell (and so in a CSV export) reads as the JSON has it: 13+ digit ids and
// timestamps were shown as 1.73201234568e+12.
void TestCallsTableModel::scalarNumbersStayExact()
{
    const auto cellOf = [](const QByteArray& json) {
        const QJsonValue value = QJsonDocument::fromJson("[" + json + "]").array().first();
        return models::jsonCellText(value);
    };
    QCOMPARE(cellOf("1732012345678"), u"1732012345678"_s);
    QCOMPARE(cellOf("9007199254740993"), u"9007199254740993"_s);
    QCOMPARE(cellOf("-42"), u"-42"_s);
    QCOMPARE(cellOf("0.1"), u"0.1"_s);
    QCOMPARE(cellOf("123456789.125"), u"123456789.125"_s);
    QCOMPARE(cellOf("2.5e-7"), u"2.5e-07"_s);
    QCOMPARE(cellOf("3.0"), u"3"_s);
    // The same text as the number has inside an object.
    QCOMPARE(models::jsonCellText(QJsonDocument::fromJson(R"({"t":1732012345678})").object()),
        u"{\"t\":1732012345678}"_s);
}

void TestCallsTableModel::boundedJsonCellText()
{
    QFETCH(QByteArray, json);
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonValue value = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
    const QString whole = models::jsonCellText(value);
    for (int limit : { 1, 7, 20, 64, 65, 200, 100000 }) {
        const QString cut = models::jsonCellText(value, limit);
        if (whole.size() <= limit) {
            QCOMPARE(cut, whole);
        } else {
            QVERIFY2(cut.size() > limit, qPrintable(u"limit %1: %2 characters"_s.arg(limit).arg(cut.size())));
            QCOMPARE(cut.left(limit), whole.left(limit));
            QVERIFY(cut.size() < limit + 5000); // the rest was not written
        }
    }
}

// The Called column: seconds to days ago, then the local date. The date must be the one local
// time gives (the model reads the system zone once instead of converting through local time).
void TestCallsTableModel::relativeTimes()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 nowMs = now.toMSecsSinceEpoch();
    QCOMPARE(models::formatRelativeTime(nowMs + 5000, now), u"just now"_s);
    QCOMPARE(models::formatRelativeTime(nowMs - 42'000, now), u"42 s ago"_s);
    QCOMPARE(models::formatRelativeTime(nowMs - 5 * 60'000, now), u"5 min ago"_s);
    QCOMPARE(models::formatRelativeTime(nowMs - 3 * 3'600'000, now), u"3 h ago"_s);
    QCOMPARE(models::formatRelativeTime(nowMs - 2 * 86'400'000LL, now), u"2 d ago"_s);
    // Both sides of a day's end, in summer and in winter: the offset differs between them.
    for (const QDate day : { QDate(2025, 1, 15), QDate(2025, 7, 15) })
        for (const QTime time : { QTime(0, 0, 30), QTime(23, 59, 30), QTime(12, 0) }) {
            const qint64 ms = QDateTime(day, time).toMSecsSinceEpoch(); // local time
            QCOMPARE(models::formatRelativeTime(ms, now), day.toString(Qt::ISODate));
        }
}

// The Name cell may be cut short: its tooltip has the shown name whole, and the op it calls.
void TestCallsTableModel::nameTooltipHasTheShownNameAndTheOp()
{
    spindle::Call named;
    named.id = u"named"_s;
    named.opName = opRef(false);
    named.displayName = u"A rather long display name for a narrow column"_s;
    spindle::Call plain = named;
    plain.id = u"plain"_s;
    plain.displayName.clear();
    const auto discarded = m_model->beginQueryWithRows(m_model->generation() + 1, { named, plain }, 2, true);
    Q_UNUSED(discarded);
    const auto tip = [this](int row) {
        return m_model->index(row, CallsTableModel::NameColumn).data(Qt::ToolTipRole).toString();
    };
    // As text (a name that looks like markup is no markup): models::plainToolTip.
    QCOMPARE(tip(0), models::plainToolTip(named.displayName + u'\n' + named.opName));
    QCOMPARE(tip(1), models::plainToolTip(plain.opName));
    QCOMPARE(models::plainToolTip(QStringLiteral("<img src=\"/dev/zero\">")),
        QStringLiteral("<p>&lt;img src=\"/dev/zero\"&gt;</p>"));
}

// The Python SDK's exception JSON, shown as Python prints it; the TypeScript SDK's text as it is.
void TestCallsTableModel::pythonExceptionsReadAsPython()
{
    const QString json = QStringLiteral(R"json({"type": "ValueError", "message": "bad input", "traceback": [
        {"filename": "app.py", "line_number": 12, "function_name": "main", "text": "  run()"},
        {"filename": "lib.py", "line_number": 3, "function_name": "run", "text": "raise ValueError('bad input')"}]})json");
    QCOMPARE(models::exceptionText(json),
        QStringLiteral("Traceback (most recent call last):\n"
                       "  File \"app.py\", line 12, in main\n    run()\n"
                       "  File \"lib.py\", line 3, in run\n    raise ValueError('bad input')\n"
                       "ValueError: bad input"));
    QCOMPARE(models::exceptionSummary(json), QStringLiteral("ValueError: bad input"));
    const QString plain = QStringLiteral("Error: {\"not\": \"python\"}");
    QCOMPARE(models::exceptionText(plain), plain);
    const QString otherJson = QStringLiteral("{\"just\": \"json\"}");
    QCOMPARE(models::exceptionSummary(otherJson), otherJson);

    spindle::Call call;
    call.id = QStringLiteral("failed");
    call.status = QStringLiteral("error");
    call.exception = json;
    const auto discarded = m_model->beginQueryWithRows(m_model->generation() + 1, { call }, 1, true);
    QCOMPARE(m_model->index(0, CallsTableModel::StatusColumn).data(Qt::ToolTipRole).toString(),
        models::plainToolTip(QStringLiteral("ValueError: bad input")));
}

#include "tst_callstablemodel.moc"
