// CallsTableModel + CallsController paging under a slow or failing server: page requests for rows
// the view scrolled far away from are cancelled, a page that failed for a transient reason is asked
// again after a backoff while it is in view (and not when it is out of view), and a permanent
// failure waits for the next query. A new query sends its count after its first page and keeps
// the old rows on screen until that page arrives (or 100 ms). A first page whose stream breaks
// keeps the rows it showed and is asked for again. The real trace server runs in-process; a small
// fault-injecting proxy in front of it holds or fails chosen page requests. The model runs under
// QAbstractItemModelTester; "painting" rows means asking their cells for Qt::DisplayRole in one
// event-loop turn, as a view does.
#include "apptestutil.h"
#include "faultproxy.h"
#include "models/callstablemodel.h"
#include "net/traceclient.h"
#include "ui/callscontroller.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTimeZone>

using namespace spindle;
using namespace spindle::apptest;
using namespace Qt::StringLiterals;
using models::CallsTableModel;

namespace {

constexpr int kCalls = 1050;
constexpr int kWaitMs = 15000;
const QString kProject = u"paging/main"_s;

} // namespace

class TestCallsPaging : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void farPagesAreCancelledNearOnesKept();
    void adjacentPagesShareOneRequest();
    void failedSharedRequestFailsEachPage();
    void droppingOnePageKeepsTheSharedRequest();
    void failedVisiblePageIsRetriedAfterBackoff();
    void failedPageOutOfViewIsNotRetried();
    void permanentFailureWaitsForTheNextQuery();
    void countFollowsTheFirstPage();
    void newQueryKeepsOldRowsUntilItsFirstPage();
    void brokenFirstPageKeepsItsRowsAndLoadsTheRest();
    void callsLoggedBeforeTheCountAreNoCut();
    void callsLoggedBeforeAQuickCountAreNoCut();
    void livePollDropsPagesAskedByOldOffsets();
    void liveRelativeRangeSlides();
    void dottedKeysAreNoColumns();

private:
    bool runQuery();
    void paint(int firstRow, int rows); // one event-loop turn of DisplayRole asks, like a paint
    QList<int> neededPages(const QSignalSpy& spy) const;

    InProcessServer m_server;
    std::unique_ptr<FaultProxy> m_proxy;
    std::unique_ptr<CallsTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<net::TraceClient> m_client;
    std::unique_ptr<ui::CallsController> m_controller;
};

void TestCallsPaging::initTestCase()
{
    const QString error = m_server.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QList<CallRecord> calls;
    for (int i = 0; i < kCalls; ++i) {
        CallRecord call;
        call.id = u"call-%1"_s.arg(i, 4, 10, QLatin1Char('0'));
        call.startedMs = kEpoch2025Ms + qint64(i) * 1000;
        call.endedMs = call.startedMs + 5;
        calls << call;
    }
    QCOMPARE(m_server.logCalls(kProject, calls), 200);
}

void TestCallsPaging::init()
{
    m_proxy = std::make_unique<FaultProxy>(m_server.port());
    m_model = std::make_unique<CallsTableModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_client = std::make_unique<net::TraceClient>();
    m_client->setConnection({ m_proxy->url(), {} });
    m_client->setRetryPolicy(1, 20); // the client's own retry: 2 attempts per request
    m_controller = std::make_unique<ui::CallsController>(m_client.get(), m_model.get());
}

void TestCallsPaging::cleanup()
{
    m_controller.reset();
    m_client.reset();
    m_tester.reset();
    m_model.reset();
    m_proxy.reset();
}

bool TestCallsPaging::runQuery()
{
    CallsQuery query;
    query.projectId = kProject;
    m_controller->setQuery(query);
    return QTest::qWaitFor(
        [&] {
            return m_controller->totalCount() == kCalls && !m_controller->isLoading() && m_model->isLoaded(0);
        },
        kWaitMs);
}

void TestCallsPaging::paint(int firstRow, int rows)
{
    for (int row = firstRow; row < firstRow + rows; ++row)
        for (int column = 0; column < CallsTableModel::FixedColumnCount; ++column)
            m_model->index(row, column).data();
    QTest::qWait(1); // the pass ends on the next event-loop turn
}

QList<int> TestCallsPaging::neededPages(const QSignalSpy& spy) const
{
    QList<int> pages;
    for (const auto& args : spy)
        pages += args.at(1).value<QList<int>>();
    return pages;
}

void TestCallsPaging::farPagesAreCancelledNearOnesKept()
{
    QVERIFY(runQuery());
    QSignalSpy needed(m_model.get(), &CallsTableModel::pagesNeeded);
    QSignalSpy notNeeded(m_model.get(), &CallsTableModel::pagesNotNeeded);
    m_proxy->holdOffset(500);
    paint(510, 40);
    QTRY_VERIFY_WITH_TIMEOUT(m_proxy->holding(), kWaitMs);
    QCOMPARE(neededPages(needed), QList<int> { 5 });
    QVERIFY(m_controller->isLoading());

    // Scrolling on to the next page keeps page 5: it is near.
    paint(580, 40);
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(620), kWaitMs);
    QCOMPARE(notNeeded.count(), 0);
    QVERIFY(m_controller->isLoading()); // page 5 is still on its way

    // Jumping far away drops page 5's request; the table is idle although the proxy still holds it.
    paint(900, 40);
    QTRY_COMPARE_WITH_TIMEOUT(notNeeded.count(), 1, kWaitMs);
    QCOMPARE(notNeeded.first().at(0).value<quint64>(), m_model->generation());
    QCOMPARE(notNeeded.first().at(1).value<QList<int>>(), QList<int> { 5 });
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(939) && !m_controller->isLoading(), kWaitMs);
    QVERIFY(m_proxy->holding());

    // Its late answer is dropped with the cancelled request; painting the rows again asks anew.
    m_proxy->release();
    QTest::qWait(200);
    QVERIFY(!m_model->isLoaded(510));
    paint(510, 40);
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(510) && !m_controller->isLoading(), kWaitMs);
    QCOMPARE(m_model->index(510, 0).data(CallsTableModel::CallIdRole).toString(), u"call-0539"_s);
    QCOMPARE(neededPages(needed).count(5), 2);
    QCOMPARE(m_proxy->requestsFor(500), 2);
}

// A view straddling two pages gets both from one request (the server walks the offset once);
// scrolled far away, that request is cancelled as a whole.
void TestCallsPaging::adjacentPagesShareOneRequest()
{
    QVERIFY(runQuery());
    QSignalSpy needed(m_model.get(), &CallsTableModel::pagesNeeded);
    paint(350, 100);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_model->isLoaded(350) && m_model->isLoaded(449) && !m_controller->isLoading(), kWaitMs);
    QCOMPARE(neededPages(needed), (QList<int> { 3, 4 }));
    QCOMPARE(m_proxy->requestsFor(300), 1);
    QCOMPARE(m_proxy->requestsFor(400), 0);
    QCOMPARE(m_model->index(350, 0).data(CallsTableModel::CallIdRole).toString(), u"call-0699"_s);
    QCOMPARE(m_model->index(399, 0).data(CallsTableModel::CallIdRole).toString(), u"call-0650"_s);
    QCOMPARE(m_model->index(400, 0).data(CallsTableModel::CallIdRole).toString(), u"call-0649"_s);
    QCOMPARE(m_model->index(449, 0).data(CallsTableModel::CallIdRole).toString(), u"call-0600"_s);

    m_proxy->holdOffset(600);
    paint(650, 100); // pages 6 and 7, held by the proxy
    QTRY_VERIFY_WITH_TIMEOUT(m_proxy->holding(), kWaitMs);
    QCOMPARE(m_proxy->requestsFor(700), 0);
    paint(1000, 40); // far from both
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(1000) && !m_controller->isLoading(), kWaitMs);
    m_proxy->release();
    QTest::qWait(200);
    QVERIFY(!m_model->isLoaded(650)); // the cancelled answer was dropped
    QVERIFY(!m_model->isLoaded(749));
}

// Both pages of a failed request are marked failed, reported once, and asked again together.
void TestCallsPaging::failedSharedRequestFailsEachPage()
{
    QVERIFY(runQuery());
    QSignalSpy failed(m_controller.get(), &ui::CallsController::queryFailed);
    m_proxy->failOffset(300, 503, 2); // both of the client's attempts fail
    paint(350, 100);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
    QVERIFY(!m_model->isLoaded(350));
    QVERIFY(!m_model->isLoaded(449));
    QVERIFY(!m_controller->isLoading());
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(350) && m_model->isLoaded(449), kWaitMs); // the retry
    QCOMPARE(m_proxy->requestsFor(300), 3);
    QCOMPARE(m_proxy->requestsFor(400), 0);
    QCOMPARE(failed.count(), 1);
}

// Scrolled so that one page of a shared request is far and the other near: the request goes on
// for the near one (and counts as loading), and nothing is asked for again.
void TestCallsPaging::droppingOnePageKeepsTheSharedRequest()
{
    QVERIFY(runQuery());
    QSignalSpy notNeeded(m_model.get(), &CallsTableModel::pagesNotNeeded);
    m_proxy->holdOffset(600);
    paint(650, 100); // pages 6 and 7 in one request, held
    QTRY_VERIFY_WITH_TIMEOUT(m_proxy->holding(), kWaitMs);
    paint(850, 40); // page 8: page 7 is near, page 6 is not
    QTRY_COMPARE_WITH_TIMEOUT(notNeeded.count(), 1, kWaitMs);
    QCOMPARE(notNeeded.first().at(1).value<QList<int>>(), QList<int> { 6 });
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(850), kWaitMs);
    QVERIFY(m_controller->isLoading()); // page 7 is still on its way
    m_proxy->release();
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(749) && !m_controller->isLoading(), kWaitMs);
    QCOMPARE(m_model->index(749, 0).data(CallsTableModel::CallIdRole).toString(), u"call-0300"_s);
    QCOMPARE(m_proxy->requestsFor(600), 1);
    QCOMPARE(m_proxy->requestsFor(700), 0);
}

void TestCallsPaging::failedVisiblePageIsRetriedAfterBackoff()
{
    QVERIFY(runQuery());
    QSignalSpy needed(m_model.get(), &CallsTableModel::pagesNeeded);
    QSignalSpy failed(m_controller.get(), &ui::CallsController::queryFailed);
    m_proxy->failOffset(300, 503, 2); // both of the client's attempts fail
    QElapsedTimer clock;
    clock.start();
    paint(300, 40);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
    const qint64 failedAt = clock.elapsed();
    QVERIFY(!m_model->isLoaded(300));
    QCOMPARE(m_model->index(300, CallsTableModel::NameColumn).data().toString(), u"Loading…"_s);

    // Painting during the backoff does not ask again ...
    paint(300, 40);
    QTest::qWait(100);
    QCOMPARE(neededPages(needed), QList<int> { 3 });
    // ... the model does, by itself, once the backoff is over: nothing paints in the meantime.
    QTRY_COMPARE_WITH_TIMEOUT(neededPages(needed), (QList<int> { 3, 3 }), kWaitMs);
    const qint64 retriedAt = clock.elapsed();
    QVERIFY2(retriedAt - failedAt >= CallsTableModel::kFirstRetryMs - 50,
        qPrintable(u"retried %1 ms after the failure"_s.arg(retriedAt - failedAt)));
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(300) && m_model->isLoaded(339), kWaitMs);
    QCOMPARE(m_model->index(300, 0).data(CallsTableModel::CallIdRole).toString(), u"call-0749"_s);
    QCOMPARE(m_proxy->requestsFor(300), 3);
    QCOMPARE(failed.count(), 1);
}

void TestCallsPaging::failedPageOutOfViewIsNotRetried()
{
    QVERIFY(runQuery());
    m_proxy->failOffset(300, 503, 2);
    paint(300, 40);
    QTRY_COMPARE_WITH_TIMEOUT(m_proxy->requestsFor(300), 2, kWaitMs);
    paint(800, 40); // scrolled away before the retry is due
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(800), kWaitMs);
    QTest::qWait(CallsTableModel::kFirstRetryMs * 2);
    QCOMPARE(m_proxy->requestsFor(300), 2);
    // Back in view: painting asks right away.
    paint(300, 40);
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(300), kWaitMs);
    QCOMPARE(m_proxy->requestsFor(300), 3);
}

void TestCallsPaging::permanentFailureWaitsForTheNextQuery()
{
    QVERIFY(runQuery());
    QSignalSpy needed(m_model.get(), &CallsTableModel::pagesNeeded);
    QSignalSpy changed(m_model.get(), &CallsTableModel::dataChanged);
    m_proxy->failOffset(300, 400, 1);
    paint(300, 40);
    QTRY_COMPARE_WITH_TIMEOUT(m_model->index(300, CallsTableModel::NameColumn).data().toString(),
        u"Could not load (F5 retries)"_s, kWaitMs);
    QVERIFY(!changed.isEmpty()); // the view repaints the placeholders with that text
    {
        // What a user sees (written next to the test binary): the rows say why they stay empty.
        QTableView view;
        view.setModel(m_model.get());
        view.resize(700, 260);
        view.horizontalHeader()->resizeSection(CallsTableModel::NameColumn, 220);
        view.scrollTo(m_model->index(300, 0), QAbstractItemView::PositionAtTop);
        view.show();
        QVERIFY(view.grab().save(QCoreApplication::applicationDirPath() + u"/calls-page-failed.png"_s));
    }
    paint(300, 40);
    QTest::qWait(CallsTableModel::kFirstRetryMs * 2);
    QCOMPARE(m_proxy->requestsFor(300), 1);
    QCOMPARE(neededPages(needed), QList<int> { 3 });

    m_controller->refresh(); // F5: the same query again
    QTRY_VERIFY_WITH_TIMEOUT(!m_controller->isLoading(), kWaitMs);
    paint(300, 40);
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(300), kWaitMs);
    QCOMPARE(m_proxy->requestsFor(300), 2);
}

void TestCallsPaging::countFollowsTheFirstPage()
{
    QVERIFY(runQuery());
    QCOMPARE(m_proxy->log().mid(0, 2), (QStringList { u"page 0"_s, u"count"_s }));
    const int before = int(m_proxy->log().size());
    CallsQuery ascending;
    ascending.projectId = kProject;
    ascending.sortBy = { { u"started_at"_s, false } };
    m_controller->setQuery(ascending);
    QVERIFY(m_controller->isLoading());
    QTRY_VERIFY_WITH_TIMEOUT(
        m_controller->totalCount() == kCalls && !m_controller->isLoading() && m_model->isLoaded(0), kWaitMs);
    // On the server the two compete for the same cores: the page goes alone.
    QCOMPARE(m_proxy->log().mid(before), (QStringList { u"page 0"_s, u"count"_s }));
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), u"call-0000"_s);
}

void TestCallsPaging::newQueryKeepsOldRowsUntilItsFirstPage()
{
    QVERIFY(runQuery());
    const quint64 oldGeneration = m_model->generation();
    QSignalSpy reset(m_model.get(), &CallsTableModel::modelReset);
    CallsQuery ascending;
    ascending.projectId = kProject;
    ascending.sortBy = { { u"started_at"_s, false } };

    // A quick first page: one reset, straight from the old rows to the new ones.
    m_controller->setQuery(ascending);
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), u"call-1049"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_model->generation() != oldGeneration && m_model->isLoaded(0), kWaitMs);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), u"call-0000"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!m_controller->isLoading(), kWaitMs);

    // A slow one: after 100 ms the old rows give way to placeholders (and the count goes anyway).
    reset.clear();
    m_proxy->holdOffset(0);
    CallsQuery newestFirst;
    newestFirst.projectId = kProject;
    m_controller->setQuery(newestFirst);
    QTest::qWait(20); // well within the 100 ms
    QCOMPARE(reset.count(), 0);
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), u"call-0000"_s);
    QTRY_COMPARE_WITH_TIMEOUT(reset.count(), 1, kWaitMs);
    QVERIFY(!m_model->isLoaded(0));
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), kCalls, kWaitMs); // the count came first this time
    QCOMPARE(m_model->index(0, CallsTableModel::NameColumn).data().toString(), u"Loading…"_s);
    m_proxy->release();
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(0) && !m_controller->isLoading(), kWaitMs);
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), u"call-1049"_s);
    QCOMPARE(reset.count(), 1);
}

// The first page's stream breaks after 70 rows: the first 50 (the first batch) are on screen and
// stay there, and the page is asked for again after the backoff, which brings rows 50-99.
void TestCallsPaging::brokenFirstPageKeepsItsRowsAndLoadsTheRest()
{
    QSignalSpy failed(m_controller.get(), &ui::CallsController::queryFailed);
    m_proxy->cutOffset(0, 70);
    CallsQuery query;
    query.projectId = kProject;
    m_controller->setQuery(query);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
    QVERIFY(m_model->isLoaded(0) && m_model->isLoaded(49));
    QVERIFY(!m_model->isLoaded(50));
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), u"call-1049"_s);
    QCOMPARE(m_proxy->requestsFor(0), 1); // rows had come: the client does not retry by itself
    paint(0, 100);
    QTRY_VERIFY_WITH_TIMEOUT(m_model->isLoaded(99), kWaitMs);
    QCOMPARE(m_model->index(99, 0).data(CallsTableModel::CallIdRole).toString(), u"call-0950"_s);
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), u"call-1049"_s);
    QCOMPARE(m_proxy->requestsFor(0), 2);
    QCOMPARE(failed.count(), 1);
}

// The count is taken after the first page. Calls logged in between (an app tracing while the table
// loads) make the page look short against it: the page is fetched again and holds them all, with no
// "cut short" warning. tst_shortpage covers a page that is short again (a real cut).
void TestCallsPaging::callsLoggedBeforeTheCountAreNoCut()
{
    const QString project = u"paging/growing"_s;
    const auto calls = [](int first, int count) {
        QList<CallRecord> list;
        for (int i = first; i < first + count; ++i) {
            CallRecord call;
            call.id = u"grow-%1"_s.arg(i, 3, 10, QLatin1Char('0'));
            call.startedMs = kEpoch2025Ms + qint64(i) * 1000;
            call.endedMs = call.startedMs + 5;
            list << call;
        }
        return list;
    };
    QCOMPARE(m_server.logCalls(project, calls(0, 60)), 200);
    m_proxy->beforeNextCount([this, project, later = calls(60, 3)] { m_server.logCalls(project, later); });
    QSignalSpy warnings(m_controller.get(), &ui::CallsController::dataWarning);
    CallsQuery query;
    query.projectId = project;
    m_controller->setQuery(query);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_controller->totalCount() == 63 && !m_controller->isLoading() && m_model->isLoaded(62), kWaitMs);
    QCOMPARE(m_proxy->log(), (QStringList { u"page 0"_s, u"count"_s, u"page 0"_s }));
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), u"grow-062"_s);
    QVERIFY2(warnings.isEmpty(), qPrintable(warnings.value(0).value(0).toString()));
}

// The same when the count answers first (a first page slower than kCountDelayMs): the page, read
// before the calls were logged, arrives short against the count, and is fetched again.
void TestCallsPaging::callsLoggedBeforeAQuickCountAreNoCut()
{
    const QString project = u"paging/growing-fast"_s;
    QList<CallRecord> calls;
    for (int i = 0; i < 63; ++i) {
        CallRecord call;
        call.id = u"fast-%1"_s.arg(i, 3, 10, QLatin1Char('0'));
        call.startedMs = kEpoch2025Ms + qint64(i) * 1000;
        call.endedMs = call.startedMs + 5;
        calls << call;
    }
    QCOMPARE(m_server.logCalls(project, calls.mid(0, 60)), 200);
    m_proxy->holdAnswerOf(0);
    m_proxy->beforeNextCount([this, project, later = calls.mid(60)] { m_server.logCalls(project, later); });
    QSignalSpy warnings(m_controller.get(), &ui::CallsController::dataWarning);
    CallsQuery query;
    query.projectId = project;
    m_controller->setQuery(query);
    QTRY_COMPARE_WITH_TIMEOUT(m_controller->totalCount(), 63, kWaitMs);
    m_proxy->release();
    QTRY_VERIFY_WITH_TIMEOUT(!m_controller->isLoading() && m_model->isLoaded(62), kWaitMs);
    QCOMPARE(m_proxy->log(), (QStringList { u"page 0"_s, u"count"_s, u"page 0"_s }));
    QCOMPARE(m_model->index(0, 0).data(CallsTableModel::CallIdRole).toString(), u"fast-062"_s);
    QVERIFY2(warnings.isEmpty(), qPrintable(warnings.value(0).value(0).toString()));
}

// Live mode finds new calls on top while a page is on its way: that page was asked by the offsets
// before them, and its rows would land shifted (calls missing and doubled at the page's edges).
void TestCallsPaging::livePollDropsPagesAskedByOldOffsets()
{
    const QString project = u"paging/live"_s;
    const auto callAt = [](int i) {
        CallRecord call;
        call.id = u"live-%1"_s.arg(i, 3, 10, QLatin1Char('0'));
        call.startedMs = kEpoch2025Ms + qint64(i) * 1000;
        call.endedMs = call.startedMs + 5;
        return call;
    };
    QList<CallRecord> calls;
    for (int i = 0; i < 250; ++i)
        calls << callAt(i);
    QCOMPARE(m_server.logCalls(project, calls), 200);
    CallsQuery query;
    query.projectId = project;
    m_controller->setQuery(query);
    QTRY_VERIFY_WITH_TIMEOUT(m_controller->totalCount() == 250 && m_model->isLoaded(0), kWaitMs);
    m_proxy->holdAnswerOf(100);
    paint(100, 40);
    QTRY_VERIFY_WITH_TIMEOUT(m_proxy->holding(), kWaitMs);
    QList<CallRecord> newer;
    for (int i = 250; i < 255; ++i)
        newer << callAt(i);
    QCOMPARE(m_server.logCalls(project, newer), 200);
    QSignalSpy polled(m_controller.get(), &ui::CallsController::livePolled);
    m_controller->setLive(true);
    QVERIFY(polled.wait(kWaitMs));
    m_controller->setLive(false);
    m_proxy->release(); // the page as it was, 5 rows too high now
    QTRY_VERIFY_WITH_TIMEOUT((paint(100, 40), m_model->isLoaded(100) && !m_controller->isLoading()), kWaitMs);
    // Newest first: row r is live-(254 - r).
    QCOMPARE(m_model->index(100, 0).data(CallsTableModel::CallIdRole).toString(), u"live-154"_s);
    QCOMPARE(m_model->index(139, 0).data(CallsTableModel::CallIdRole).toString(), u"live-115"_s);
}

// Live mode on "Last hour": the range slides with the clock. The calls that left it go from the
// bottom, and new ones still come on top (the range stayed where it was until F5).
void TestCallsPaging::liveRelativeRangeSlides()
{
    const QString project = u"paging/slide"_s;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto minutesAgo = [now](int minutes) {
        CallRecord call;
        call.id = u"at-%1"_s.arg(minutes);
        call.startedMs = now - qint64(minutes) * 60'000;
        call.endedMs = call.startedMs + 5;
        return call;
    };
    QList<CallRecord> calls;
    for (int minutes : { 59, 57, 55, 53, 51, 10, 8, 6 })
        calls << minutesAgo(minutes);
    QCOMPARE(m_server.logCalls(project, calls), 200);
    CallsQuery query;
    query.projectId = project;
    query.startedWithin = u"1h"_s;
    m_controller->setQuery(query);
    QTRY_VERIFY_WITH_TIMEOUT(m_controller->totalCount() == 8 && m_model->isLoaded(7), kWaitMs);
    QCOMPARE(m_model->index(7, 0).data(CallsTableModel::CallIdRole).toString(), u"at-59"_s);

    QCOMPARE(m_server.logCalls(project, { minutesAgo(1), minutesAgo(0) }), 200);
    // Six minutes on: the calls of 59, 57 and 55 minutes before the start are over an hour old.
    m_controller->setClock(
        [now] { return QDateTime::fromMSecsSinceEpoch(now + 6 * 60'000, QTimeZone::utc()); });
    QSignalSpy polled(m_controller.get(), &ui::CallsController::livePolled);
    m_controller->setLive(true);
    QVERIFY(polled.wait(kWaitMs));
    m_controller->setLive(false);
    QCOMPARE(m_controller->totalCount(), 7);
    QCOMPARE(m_model->rowCount(), 7);
    QTRY_VERIFY_WITH_TIMEOUT((paint(0, 7), m_model->isLoaded(0) && m_model->isLoaded(6)), kWaitMs);
    QStringList shown;
    for (int row = 0; row < 7; ++row)
        shown << m_model->index(row, 0).data(CallsTableModel::CallIdRole).toString();
    QCOMPARE(shown,
        (QStringList { u"at-0"_s, u"at-1"_s, u"at-6"_s, u"at-8"_s, u"at-10"_s, u"at-51"_s, u"at-53"_s }));
    QCOMPARE(m_controller->requestQuery().startedAfter->toMSecsSinceEpoch(), now + 6 * 60'000 - 3600'000);
}

// A key with a dot in it cannot be named by a path: no column for it (it showed "a" → "b").
void TestCallsPaging::dottedKeysAreNoColumns()
{
    const QString project = u"paging/dotted"_s;
    CallRecord call;
    call.id = u"dotted"_s;
    call.endedMs = call.startedMs + 5;
    call.inputs = QJsonObject { { u"a.b"_s, u"x"_s }, { u"plain"_s, u"y"_s } };
    QCOMPARE(m_server.logCalls(project, { call }), 200);
    CallsQuery query;
    query.projectId = project;
    m_controller->setQuery(query);
    QTRY_VERIFY_WITH_TIMEOUT(m_controller->totalCount() == 1 && m_model->isLoaded(0), kWaitMs);
    QVERIFY(m_controller->discoveredColumns().contains(u"inputs.plain"_s));
    QVERIFY(!m_controller->discoveredColumns().contains(u"inputs.a.b"_s));
}

QTEST_MAIN(TestCallsPaging)
#include "tst_callspaging.moc"
