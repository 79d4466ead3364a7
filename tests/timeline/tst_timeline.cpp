// Timeline: the pure TimelineLayout (lanes, window queries, hit tests, range sums, a 100k-call
// trace with a 10,000-child fan-out) and the TimelineWidget on the offscreen platform (clicks,
// drags, keys, wheel, screenshots under the build dir).
#include "widgets/timelinelayout.h"
#include "widgets/timelinewidget.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QThreadPool>
#include <QWheelEvent>
#include <QtTest>

using spindle::widgets::TimelineLayout;
using spindle::widgets::TimelineRangeSummary;
using spindle::widgets::TimelineSpan;
using spindle::widgets::TimelineWidget;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000; // epoch ms; fixture times are offsets from it
constexpr int kIdBase = 100; // ids differ from indices, so the tests catch a mix-up

// One span per line: two spaces of indent per tree level, then "name start end status tokens cost"
// with start/end as ms offsets from kT0 and end "-" for a running call.
QVector<TimelineSpan> spansFromText(const QString& text)
{
    QVector<TimelineSpan> spans;
    QVector<int> stack; // last span seen at each depth
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString& line : lines) {
        const int depth = int(line.size() - line.trimmed().size()) / 2;
        const QStringList f = line.trimmed().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        TimelineSpan s;
        s.id = kIdBase + int(spans.size());
        s.parent = depth > 0 ? stack[depth - 1] : -1;
        s.label = f[0];
        s.startMs = kT0 + f[1].toLongLong();
        s.endMs = f[2] == QLatin1String("-") ? -1 : kT0 + f[2].toLongLong();
        s.status = f[3];
        s.tokens = f[4].toLongLong();
        s.cost = f[5].toDouble();
        stack.resize(depth + 1);
        stack[depth] = int(spans.size());
        spans.append(s);
    }
    return spans;
}

// An agent run: tools in parallel, a failing fetch, nested retrieval in parallel, and a call
// still running that starts as the answer ends. Lanes: 0 agent; 1 plan, search, answer, eval;
// 2 fetch_page (parallel to search); 3 http.get, retriever; 4 embeddings (parallel to retriever).
QVector<TimelineSpan> smallTrace()
{
    return spansFromText(QStringLiteral(R"(
agent.run 0 4200 descendant_error 4680 0.01381
  openai.chat.plan 20 820 success 1200 0.0036
  tool.search 900 1500 success 0 0
  tool.fetch_page 900 2100 error 0 0
    http.get 950 2050 error 0 0
  openai.chat.answer 2200 3900 success 3480 0.01021
    retriever.query 2250 2600 success 0 0
    embeddings.create 2260 2400 success 80 0.00001
  eval.score 3900 - running 0 0
)"));
}

struct BigTrace
{
    QVector<TimelineSpan> spans;
    QVector<int> children; // indices of the root's 10,000 children, in start order
};

// 100,000 calls: a root with 10,000 children, each with 3 grandchildren and 6 leaves (the very
// last leaf left out to land on 100,000 exactly). Staggered: a child every 10 ms lasting 25 ms, so
// neighbours overlap. Parallel: all children start within 100 ms and run 2-5 s, a batch fan-out.
BigTrace bigTrace(bool parallel = false)
{
    BigTrace t;
    t.spans.reserve(100000);
    auto add = [&](int parent, qint64 start, qint64 length, const char* label, qint64 tokens) {
        TimelineSpan s;
        s.id = kIdBase + int(t.spans.size());
        s.parent = parent;
        s.startMs = kT0 + start;
        s.endMs = kT0 + start + length;
        s.label = QString::fromLatin1(label);
        s.status = QStringLiteral("success");
        s.tokens = tokens;
        s.cost = tokens * 1e-6;
        t.spans.append(s);
        return int(t.spans.size()) - 1;
    };
    const int root = add(-1, 0, parallel ? 5200 : 100020, "batch.eval", 0);
    for (int j = 0; j < 10000; ++j) {
        const qint64 start = parallel ? j % 100 : j * 10;
        const int child = add(root, start, parallel ? 2000 + (j * 37) % 3000 : 25, "eval.example", 100);
        t.children.append(child);
        if (j % 97 == 0)
            t.spans[child].status = QStringLiteral("error");
        const qint64 step = parallel ? 600 : 8;
        for (int g = 0; g < 3; ++g) {
            const int grand = add(child, start + g * step, step * 3 / 4, "openai.chat", 40);
            for (int l = 0; l < 2 && t.spans.size() < 100000; ++l)
                add(grand, start + g * step + l * step / 3, step / 4, "http.post", 10);
        }
    }
    // Each call's usage as a summary gives it: its own plus its children's (children come after
    // their parents, so one backward pass rolls everything up).
    for (int i = int(t.spans.size()) - 1; i > 0; --i) {
        t.spans[t.spans[i].parent].tokens += t.spans[i].tokens;
        t.spans[t.spans[i].parent].cost += t.spans[i].cost;
    }
    return t;
}

// No two spans of a lane overlap (touching is fine), and lanes come in depth order.
void verifyLanesDisjoint(const TimelineLayout& layout)
{
    for (int lane = 0; lane < layout.laneCount(); ++lane) {
        if (lane > 0)
            QVERIFY(layout.laneDepth(lane) >= layout.laneDepth(lane - 1));
        qint64 lastEnd = std::numeric_limits<qint64>::min();
        bool any = false;
        layout.forEachSpan(lane, layout.startMs(), layout.endMs(), [&](int i) {
            any = true;
            QVERIFY(layout.depthOf(i) == layout.laneDepth(lane));
            QVERIFY(layout.span(i).startMs >= lastEnd);
            lastEnd = layout.effectiveEnd(i);
        });
        QVERIFY(any);
    }
}

QList<int> visible(const TimelineLayout& layout, int lane, qint64 t0, qint64 t1);

// A random forest with overlapping siblings, long spans among short ones and running calls.
const TimelineLayout& randomLayout()
{
    static const TimelineLayout layout = [] {
        QRandomGenerator rng(42);
        QVector<TimelineSpan> spans(3000);
        for (int i = 0; i < spans.size(); ++i) {
            TimelineSpan& s = spans[i];
            s.id = i;
            s.parent = i == 0 || rng.bounded(10) == 0 ? -1 : int(rng.bounded(i));
            s.startMs = kT0 + rng.bounded(100000);
            s.endMs = rng.bounded(50) == 0 ? -1 : s.startMs + rng.bounded(rng.bounded(3) ? 50 : 20000);
            s.status = rng.bounded(10) == 0 ? QStringLiteral("error") : QStringLiteral("success");
        }
        TimelineLayout l;
        l.setSpans(spans);
        return l;
    }();
    return layout;
}

struct MergedVisit
{
    int reported = 0;
    int errorsFolded = 0;
};

// forEachSpanMerged against the plain window: reports only visible spans, at most one thin span
// per pixel column; every visible span is reported or is thin and starts in the column of a
// reported thin span, which is flagged if the folded span failed.
void checkMerged(
    const TimelineLayout& l, int lane, qint64 t0, qint64 t1, double origin, double bucket, MergedVisit& v)
{
    const auto column = [&](int i) { return qint64(std::floor((l.span(i).startMs - origin) / bucket)); };
    const auto thin = [&](int i) { return double(l.effectiveEnd(i) - l.span(i).startMs) < bucket; };
    QHash<qint64, int> thinByColumn; // column -> reported thin span
    QSet<int> reported;
    QSet<int> flagged;
    l.forEachSpanMerged(lane, t0, t1, origin, bucket, [&](int i, bool foldedError) {
        if (foldedError) {
            flagged.insert(i);
            ++v.errorsFolded;
            return;
        }
        ++v.reported;
        reported.insert(i);
        if (thin(i)) {
            QVERIFY2(!thinByColumn.contains(column(i)), "two thin spans in one pixel column");
            thinByColumn.insert(column(i), i);
        }
    });
    const QList<int> all = visible(l, lane, t0, t1);
    QVERIFY(QSet<int>(all.begin(), all.end()).contains(reported));
    for (const int i : all) {
        if (reported.contains(i))
            continue;
        QVERIFY2(thin(i) && thinByColumn.contains(column(i)), "a visible span was dropped");
        if (l.status(i) == spindle::widgets::TimelineStatus::Error)
            QVERIFY(flagged.contains(thinByColumn.value(column(i))));
    }
}

QList<int> visible(const TimelineLayout& layout, int lane, qint64 t0, qint64 t1)
{
    QList<int> out;
    layout.forEachSpan(lane, t0, t1, [&](int i) { out.append(i); });
    return out;
}

QList<int> bruteVisible(const TimelineLayout& layout, int lane, qint64 t0, qint64 t1)
{
    QList<std::pair<qint64, int>> hits;
    for (int i = 0; i < layout.spanCount(); ++i) {
        if (layout.laneOf(i) == lane && layout.span(i).startMs <= t1 && layout.effectiveEnd(i) >= t0)
            hits.append({ layout.span(i).startMs, i });
    }
    std::sort(hits.begin(), hits.end());
    QList<int> out;
    for (const auto& h : hits)
        out.append(h.second);
    return out;
}

// The overlapping calls' own usage, each found by subtracting its children's the slow way.
TimelineRangeSummary bruteSummary(
    const QVector<TimelineSpan>& spans, const TimelineLayout& layout, qint64 t0, qint64 t1)
{
    QVector<qint64> childTokens(spans.size());
    QVector<double> childCost(spans.size());
    for (const TimelineSpan& span : spans) {
        if (span.parent >= 0) {
            childTokens[span.parent] += span.tokens;
            childCost[span.parent] += span.cost;
        }
    }
    TimelineRangeSummary sum;
    for (int i = 0; i < spans.size(); ++i) {
        if (spans[i].startMs <= t1 && layout.effectiveEnd(i) >= t0) {
            sum.calls += 1;
            sum.latencyMs += layout.effectiveEnd(i) - spans[i].startMs;
            sum.tokens += spans[i].tokens - childTokens[i];
            sum.cost += spans[i].cost - childCost[i];
        }
    }
    return sum;
}

void compareSummary(const TimelineRangeSummary& actual, const TimelineRangeSummary& expected)
{
    QCOMPARE(actual.calls, expected.calls);
    QCOMPARE(actual.latencyMs, expected.latencyMs);
    QCOMPARE(actual.tokens, expected.tokens);
    QVERIFY2(std::abs(actual.cost - expected.cost) < 1e-9,
        qPrintable(QStringLiteral("cost %1 != %2").arg(actual.cost).arg(expected.cost)));
}

// Shows w at `size` with `spans` on the offscreen platform.
bool show(TimelineWidget& w, QSize size, const QVector<TimelineSpan>& spans)
{
    w.resize(size);
    w.setSpans(spans);
    w.show();
    return QTest::qWaitForWindowExposed(&w);
}

QString shotPath(const QString& name)
{
    return QStringLiteral(TIMELINE_SHOT_DIR "/") + name;
}

} // namespace

class TimelineTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lanesFromParentTree();
    void brokenParents();
    void visibleWindow_data();
    void visibleWindow();
    void visibleWindowMatchesBruteForce();
    void mergedVisitFoldsPerPixel();
    void spanAt_data();
    void spanAt();
    void summarize_data();
    void summarize();
    void bigTraceLayout();
    void bigTraceHitTests();
    void viewport();
    void tickLabels_data();
    void tickLabels();

    void screenshots();
    void clickEmitsSpanClicked();
    void dragEmitsRangeSelected();
    void dragOnBarPansAndShiftDragSelects();
    void keysAndWheel();
    void growingTraceKeepsTheZoom();
    void selectScrollsIntoView();
    void toolTipText();
    void backgroundLayout();
};

void TimelineTest::lanesFromParentTree()
{
    TimelineLayout layout;
    layout.setSpans(smallTrace());
    QCOMPARE(layout.spanCount(), 9);
    QCOMPARE(layout.laneCount(), 5);
    const QList<int> lanes { 0, 1, 1, 2, 3, 1, 3, 4, 1 };
    const QList<int> depths { 0, 1, 1, 1, 2, 1, 2, 2, 1 };
    for (int i = 0; i < lanes.size(); ++i) {
        QCOMPARE(layout.laneOf(i), lanes[i]);
        QCOMPARE(layout.depthOf(i), depths[i]);
    }
    const QList<int> laneDepths { 0, 1, 1, 2, 2 };
    for (int lane = 0; lane < laneDepths.size(); ++lane)
        QCOMPARE(layout.laneDepth(lane), laneDepths[lane]);
    QCOMPARE(layout.startMs(), kT0);
    QCOMPARE(layout.endMs(), kT0 + 4200);
    QVERIFY(layout.isRunning(8));
    QCOMPARE(layout.effectiveEnd(8), kT0 + 4200); // running: drawn up to the trace's end
    QCOMPARE(layout.indexOfId(kIdBase + 5), 5);
    QCOMPARE(layout.indexOfId(7), -1);
}

void TimelineTest::brokenParents()
{
    // Parent listed after its child, a parent out of range, a two-node cycle, a self-parent.
    QVector<TimelineSpan> spans(7);
    const int parents[] = { 2, -1, 1, 99, 5, 4, 6 };
    for (int i = 0; i < 7; ++i) {
        spans[i].id = i;
        spans[i].parent = parents[i];
        spans[i].startMs = kT0 + i;
        spans[i].endMs = kT0 + 10;
    }
    TimelineLayout layout;
    layout.setSpans(spans);
    const QList<int> expected { 2, 0, 1, 0, 1, 0, 0 }; // the cycle is cut at the node met twice
    for (int i = 0; i < 7; ++i)
        QCOMPARE(layout.depthOf(i), expected[i]);
    // All overlap, so each depth gets a lane per span: 4 roots, 2 at depth 1, 1 at depth 2.
    QCOMPARE(layout.laneCount(), 7);
    QCOMPARE(layout.laneDepth(6), 2);
    QCOMPARE(layout.laneOf(0), 6);
}

void TimelineTest::visibleWindow_data()
{
    QTest::addColumn<int>("lane");
    QTest::addColumn<qint64>("t0");
    QTest::addColumn<qint64>("t1");
    QTest::addColumn<QList<int>>("expected");
    QTest::newRow("whole lane 1") << 1 << qint64(0) << qint64(4200) << QList<int> { 1, 2, 5, 8 };
    QTest::newRow("tools") << 1 << qint64(1000) << qint64(2150) << QList<int> { 2 };
    QTest::newRow("parallel row") << 2 << qint64(0) << qint64(4200) << QList<int> { 3 };
    QTest::newRow("gap") << 1 << qint64(1501) << qint64(2199) << QList<int> {};
    QTest::newRow("end edge") << 1 << qint64(820) << qint64(820) << QList<int> { 1 };
    QTest::newRow("start edge") << 1 << qint64(1500) << qint64(2200) << QList<int> { 2, 5 };
    QTest::newRow("touching") << 1 << qint64(3900) << qint64(3900) << QList<int> { 5, 8 };
    QTest::newRow("running") << 1 << qint64(4100) << qint64(9000) << QList<int> { 8 };
    QTest::newRow("lane 3 middle") << 3 << qint64(2300) << qint64(2300) << QList<int> { 6 };
    QTest::newRow("lane 4 middle") << 4 << qint64(2300) << qint64(2300) << QList<int> { 7 };
    QTest::newRow("before") << 0 << qint64(-10) << qint64(-1) << QList<int> {};
    QTest::newRow("reversed") << 1 << qint64(2000) << qint64(1000) << QList<int> {};
    QTest::newRow("no lane") << 5 << qint64(0) << qint64(4200) << QList<int> {};
}

void TimelineTest::visibleWindow()
{
    QFETCH(int, lane);
    QFETCH(qint64, t0);
    QFETCH(qint64, t1);
    QFETCH(QList<int>, expected);
    TimelineLayout layout;
    layout.setSpans(smallTrace());
    QCOMPARE(visible(layout, lane, kT0 + t0, kT0 + t1), expected);
}

void TimelineTest::visibleWindowMatchesBruteForce()
{
    const TimelineLayout& layout = randomLayout();
    verifyLanesDisjoint(layout);
    QRandomGenerator rng(42);
    for (int q = 0; q < 300; ++q) {
        const qint64 t0 = kT0 - 100 + rng.bounded(101000);
        const qint64 t1 = t0 + rng.bounded(q % 3 ? 500 : 30000);
        const int lane = int(rng.bounded(layout.laneCount()));
        QCOMPARE(visible(layout, lane, t0, t1), bruteVisible(layout, lane, t0, t1));
    }
}

void TimelineTest::mergedVisitFoldsPerPixel()
{
    const BigTrace big = bigTrace();
    TimelineLayout layout;
    layout.setSpans(big.spans);
    const double bucket = double(layout.endMs() - layout.startMs()) / 1000; // 1000 px wide
    int errorsFolded = 0;
    for (int lane = 0; lane < layout.laneCount(); ++lane) {
        MergedVisit v;
        checkMerged(layout, lane, layout.startMs(), layout.endMs(), layout.startMs(), bucket, v);
        QVERIFY(v.reported <= 1001); // bounded by pixels, not by the thousands of spans per lane
        errorsFolded += v.errorsFolded;
    }
    QVERIFY(errorsFolded > 0); // failed children show through the fold
    // Random forests, windows and zooms.
    QRandomGenerator rng(3);
    for (int q = 0; q < 200; ++q) {
        const TimelineLayout& l = q % 2 ? layout : randomLayout();
        const qint64 t0 = l.startMs() + rng.bounded(l.endMs() - l.startMs());
        const double b = rng.bounded(2) ? rng.bounded(50.0) : rng.bounded(5000.0);
        MergedVisit v;
        checkMerged(l, int(rng.bounded(l.laneCount())), t0, t0 + rng.bounded(100000), double(t0 - 7), b, v);
        if (QTest::currentTestFailed())
            return;
    }
}

void TimelineTest::spanAt_data()
{
    QTest::addColumn<qint64>("time");
    QTest::addColumn<int>("lane");
    QTest::addColumn<qint64>("tolerance");
    QTest::addColumn<int>("expected");
    QTest::newRow("start edge") << qint64(20) << 1 << qint64(0) << 1;
    QTest::newRow("end edge") << qint64(820) << 1 << qint64(0) << 1;
    QTest::newRow("just after") << qint64(821) << 1 << qint64(0) << -1;
    QTest::newRow("gap, near left") << qint64(850) << 1 << qint64(50) << 1;
    QTest::newRow("gap, near right") << qint64(880) << 1 << qint64(50) << 2;
    QTest::newRow("touching: later") << qint64(3900) << 1 << qint64(0) << 8;
    QTest::newRow("touching: inside") << qint64(3899) << 1 << qint64(0) << 5;
    QTest::newRow("parallel row") << qint64(1600) << 2 << qint64(0) << 3;
    QTest::newRow("gap, too far") << qint64(2150) << 1 << qint64(40) << -1;
    QTest::newRow("gap, in reach") << qint64(2180) << 1 << qint64(40) << 5;
    QTest::newRow("running end") << qint64(4200) << 1 << qint64(0) << 8;
    QTest::newRow("lane 3") << qint64(1000) << 3 << qint64(0) << 4;
    QTest::newRow("nested") << qint64(2300) << 3 << qint64(0) << 6;
    QTest::newRow("nested parallel") << qint64(2300) << 4 << qint64(0) << 7;
    QTest::newRow("root") << qint64(3000) << 0 << qint64(0) << 0;
    QTest::newRow("past the end") << qint64(4201) << 0 << qint64(0) << -1;
    QTest::newRow("no such lane") << qint64(1000) << 5 << qint64(100) << -1;
    QTest::newRow("negative lane") << qint64(1000) << -1 << qint64(100) << -1;
}

void TimelineTest::spanAt()
{
    QFETCH(qint64, time);
    QFETCH(int, lane);
    QFETCH(qint64, tolerance);
    QFETCH(int, expected);
    TimelineLayout layout;
    layout.setSpans(smallTrace());
    QCOMPARE(layout.spanAt(kT0 + time, lane, tolerance), expected);
}

void TimelineTest::summarize_data()
{
    QTest::addColumn<qint64>("t0");
    QTest::addColumn<qint64>("t1");
    QTest::addColumn<int>("calls");
    QTest::addColumn<qint64>("latency");
    QTest::addColumn<qint64>("tokens");
    QTest::addColumn<double>("cost");
    QTest::newRow("everything") << qint64(0) << qint64(4200) << 9 << qint64(10390) << qint64(4680) << 0.01381;
    QTest::newRow("root only") << qint64(0) << qint64(19) << 1 << qint64(4200) << qint64(0) << 0.0;
    QTest::newRow("end inclusive") << qint64(820) << qint64(899) << 2 << qint64(5000) << qint64(1200)
                                   << 0.0036;
    QTest::newRow("gap") << qint64(2101) << qint64(2199) << 1 << qint64(4200) << qint64(0) << 0.0;
    QTest::newRow("instant") << qint64(2300) << qint64(2300) << 4 << qint64(6390) << qint64(3480) << 0.01021;
    QTest::newRow("reversed") << qint64(2300) << qint64(1000) << 7 << qint64(9290) << qint64(3480) << 0.01021;
    QTest::newRow("running tail") << qint64(4100) << qint64(5000) << 2 << qint64(4500) << qint64(0) << 0.0;
    QTest::newRow("after") << qint64(4201) << qint64(9000) << 0 << qint64(0) << qint64(0) << 0.0;
    QTest::newRow("before") << qint64(-50) << qint64(-1) << 0 << qint64(0) << qint64(0) << 0.0;
}

void TimelineTest::summarize()
{
    QFETCH(qint64, t0);
    QFETCH(qint64, t1);
    QFETCH(int, calls);
    QFETCH(qint64, latency);
    QFETCH(qint64, tokens);
    QFETCH(double, cost);
    TimelineLayout layout;
    layout.setSpans(smallTrace());
    compareSummary(layout.summarize(kT0 + t0, kT0 + t1), { calls, latency, tokens, cost });
    compareSummary(TimelineLayout().summarize(kT0 + t0, kT0 + t1), {}); // empty layout
}

void TimelineTest::bigTraceLayout()
{
    for (const bool parallel : { false, true }) {
        const BigTrace big = bigTrace(parallel);
        QCOMPARE(big.spans.size(), 100000);
        QElapsedTimer timer;
        timer.start();
        TimelineLayout layout;
        layout.setSpans(big.spans);
        qInfo("TimelineLayout::setSpans(100k, %s): %lld ms, %d lanes", parallel ? "parallel" : "staggered",
            timer.elapsed(), layout.laneCount());
        verifyLanesDisjoint(layout);
        int perDepth[4] = {};
        for (int lane = 0; lane < layout.laneCount(); ++lane) {
            layout.forEachSpan(
                lane, layout.startMs(), layout.endMs(), [&](int) { ++perDepth[layout.laneDepth(lane)]; });
        }
        QCOMPARE(perDepth[0], 1);
        QCOMPARE(perDepth[1], 10000);
        QCOMPARE(perDepth[2], 30000);
        QCOMPARE(perDepth[3], 59999);
        const qint64 all0 = layout.startMs();
        const qint64 all1 = layout.endMs();
        QRandomGenerator rng(7);
        compareSummary(layout.summarize(all0, all1), bruteSummary(big.spans, layout, all0, all1));
        for (int q = 0; q < 20; ++q) {
            const qint64 t0 = all0 + rng.bounded(all1 - all0);
            const qint64 t1 = t0 + rng.bounded(5000);
            compareSummary(layout.summarize(t0, t1), bruteSummary(big.spans, layout, t0, t1));
        }
        if (parallel)
            QVERIFY(layout.laneCount() > 10000); // every concurrent child has a row of its own
    }
}

void TimelineTest::bigTraceHitTests()
{
    const BigTrace big = bigTrace();
    TimelineLayout layout;
    layout.setSpans(big.spans);
    QCOMPARE(layout.laneCount(), 1 + 3 + 3 + 2); // the most calls running at once, per depth
    // Child j covers [10j, 10j + 25], so 50012 lies in children 4999, 5000 and 5001, a row each.
    QList<int> hits;
    for (int lane = 0; lane < layout.laneCount(); ++lane) {
        if (layout.laneDepth(lane) == 1)
            hits += visible(layout, lane, kT0 + 50012, kT0 + 50012);
    }
    std::sort(hits.begin(), hits.end());
    QCOMPARE(hits, (QList<int> { big.children[4999], big.children[5000], big.children[5001] }));
    for (const int j : { 0, 4999, 5000, 5001, 9999 }) {
        const int child = big.children[j];
        QCOMPARE(layout.spanAt(kT0 + j * 10 + 12, layout.laneOf(child), 0), child);
    }
    QCOMPARE(layout.spanAt(kT0 + 100030, layout.laneOf(big.children[9999]), 0), -1);
}

void TimelineTest::viewport()
{
    spindle::widgets::TimelineViewport v;
    v.setTraceBounds(kT0, kT0 + 1000);
    v.setWidth(1000);
    QVERIFY(v.fit());
    QCOMPARE(v.startMs(), double(kT0 - 20)); // 2% padding each side
    QCOMPARE(v.endMs(), double(kT0 + 1020));
    QVERIFY(!v.fit()); // unchanged
    const double anchor = v.timeForX(250);
    QVERIFY(v.zoomBy(0.5, 250));
    QCOMPARE(v.endMs() - v.startMs(), 520.0);
    QCOMPARE(v.timeForX(250), anchor);
    v.setRange(double(kT0 + 100), double(kT0 + 101)); // deeper than 50 px per ms
    QCOMPARE(v.msPerPixel(), spindle::widgets::TimelineViewport::kMinMsPerPixel);
    v.setRange(double(kT0 - 1e6), double(kT0 + 1e6)); // wider than 4x the trace, centre at kT0
    QCOMPARE(v.startMs(), double(kT0 - 2000));
    QCOMPARE(v.endMs(), double(kT0 + 2000));
    v.setRange(double(kT0), double(kT0 + 100));
    QVERIFY(v.panBy(1e6)); // the centre stops at the trace's end
    QCOMPARE(v.startMs(), double(kT0 + 950));
    QVERIFY(v.reveal(double(kT0 + 10), double(kT0 + 30))); // centred, zoom kept
    QCOMPARE(v.startMs(), double(kT0 - 30));
    QVERIFY(!v.reveal(double(kT0 + 10), double(kT0 + 30)));
    QVERIFY(v.reveal(double(kT0 + 200), double(kT0 + 900))); // longer than the window: its start
    QCOMPARE(v.startMs(), double(kT0 + 195));
    v.setWidth(500); // same window, fewer pixels
    QCOMPARE(v.msPerPixel(), 0.2);
}

void TimelineTest::tickLabels_data()
{
    QTest::addColumn<double>("msPerPixel");
    QTest::addColumn<double>("offset");
    QTest::addColumn<double>("step");
    QTest::addColumn<QString>("label");
    QTest::newRow("zoomed in") << 0.02 << 0.0 << 2.0 << QStringLiteral("0 ms");
    QTest::newRow("ms") << 1.0 << 500.0 << 100.0 << QStringLiteral("500 ms");
    QTest::newRow("s, 1 decimal") << 1.0 << 1500.0 << 100.0 << QStringLiteral("1.5 s");
    QTest::newRow("s, 2 decimals") << 0.5 << 1020.0 << 50.0 << QStringLiteral("1.02 s");
    QTest::newRow("s, 3 decimals") << 0.05 << 12345.0 << 5.0 << QStringLiteral("12.345 s");
    QTest::newRow("whole s") << 50.0 << 20000.0 << 5000.0 << QStringLiteral("20 s");
}

void TimelineTest::tickLabels()
{
    QFETCH(double, msPerPixel);
    QFETCH(double, offset);
    QFETCH(double, step);
    QFETCH(QString, label);
    QCOMPARE(spindle::widgets::timelineTickStep(msPerPixel), step);
    QCOMPARE(spindle::widgets::timelineTickLabel(offset, step), label);
}

void TimelineTest::screenshots()
{
    TimelineWidget w;
    QVERIFY(show(w, { 1000, 230 }, smallTrace()));
    w.setSelectedId(kIdBase + 5);
    QTest::mouseMove(&w, w.spanRect(2).center()); // hover outline on tool.search
    QVERIFY(w.grab().save(shotPath(QStringLiteral("timeline_small.png"))));
    w.setRange(kT0 + 900, kT0 + 2300);
    QVERIFY(w.grab().save(shotPath(QStringLiteral("timeline_small_range.png"))));

    w.resize(1000, 300);
    for (const bool parallel : { false, true }) {
        const BigTrace big = bigTrace(parallel);
        const QString name = parallel ? QStringLiteral("parallel") : QStringLiteral("100k");
        QElapsedTimer timer;
        timer.start();
        w.setSpans(big.spans);
        const qint64 setMs = timer.restart();
        const QPixmap fit = w.grab();
        qInfo("TimelineWidget %s: setSpans %lld ms, paint at fit %lld ms", qPrintable(name), setMs,
            timer.elapsed());
        QVERIFY(fit.save(shotPath(QStringLiteral("timeline_%1_fit.png").arg(name))));
        const qint64 mid = parallel ? kT0 + 2000 : kT0 + 50000;
        w.setViewRange(double(mid - 50), double(mid + 250));
        w.setSelectedId(kIdBase + big.children[5000]);
        timer.restart();
        const QPixmap zoomed = w.grab();
        qInfo("TimelineWidget %s: paint zoomed in %lld ms", qPrintable(name), timer.elapsed());
        QVERIFY(zoomed.save(shotPath(QStringLiteral("timeline_%1_zoom.png").arg(name))));
    }
}

void TimelineTest::clickEmitsSpanClicked()
{
    TimelineWidget w;
    QVERIFY(show(w, { 1000, 200 }, smallTrace()));
    QSignalSpy clicked(&w, &TimelineWidget::spanClicked);
    const QRect bar = w.spanRect(5);
    QVERIFY(!bar.isEmpty());
    QCOMPARE(w.spanIndexAt(bar.center()), 5);
    QTest::mouseClick(&w, Qt::LeftButton, {}, bar.center());
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.at(0).at(0).toInt(), kIdBase + 5);
    QCOMPARE(w.selectedId(), kIdBase + 5);
    // A thin child under its parent: its own bar, not the parent's.
    QTest::mouseClick(&w, Qt::LeftButton, {}, w.spanRect(7).center());
    QCOMPARE(clicked.size(), 2);
    QCOMPARE(clicked.at(1).at(0).toInt(), kIdBase + 7);
    // Empty space below the lanes: no span.
    QTest::mouseClick(&w, Qt::LeftButton, {}, QPoint(500, 190));
    QCOMPARE(clicked.size(), 2);
}

void TimelineTest::dragEmitsRangeSelected()
{
    TimelineWidget w;
    QVERIFY(show(w, { 1000, 200 }, smallTrace()));
    QCOMPARE(w.lanesRect().width(), 1000); // three lanes fit: no scroll bar
    w.setViewRange(double(kT0 + 200), double(kT0 + 1200)); // 1 px = 1 ms
    QSignalSpy selected(&w, &TimelineWidget::rangeSelected);
    const int y = w.spanRect(4).center().y(); // lane 2, empty before http.get at 950
    QCOMPARE(w.spanIndexAt(QPoint(100, y)), -1);
    QTest::mousePress(&w, Qt::LeftButton, {}, QPoint(100, y));
    QTest::mouseMove(&w, QPoint(400, y));
    QTest::mouseMove(&w, QPoint(800, y));
    QTest::mouseRelease(&w, Qt::LeftButton, {}, QPoint(800, y));
    QCOMPARE(selected.size(), 1);
    // [300, 1000]: agent.run, plan, search, fetch_page, http.get.
    compareSummary(selected.at(0).at(0).value<TimelineRangeSummary>(), { 5, 7900, 1200, 0.0036 });
    QCOMPARE(selected.at(0).at(1).toLongLong(), kT0 + 300);
    QCOMPARE(selected.at(0).at(2).toLongLong(), kT0 + 1000);
    QVERIFY(w.hasRange());
    QVERIFY(w.rangeText().contains(QStringLiteral("5 calls")));
    QVERIFY(w.grab().save(shotPath(QStringLiteral("timeline_drag_range.png"))));
    // A click without a drag on empty space clears the range.
    QSignalSpy cleared(&w, &TimelineWidget::rangeCleared);
    QTest::mouseClick(&w, Qt::LeftButton, {}, QPoint(100, y));
    QCOMPARE(cleared.size(), 1);
    QVERIFY(!w.hasRange());
}

void TimelineTest::dragOnBarPansAndShiftDragSelects()
{
    TimelineWidget w;
    QVERIFY(show(w, { 1000, 200 }, smallTrace()));
    w.setViewRange(double(kT0 + 200), double(kT0 + 1200));
    QSignalSpy clicked(&w, &TimelineWidget::spanClicked);
    QSignalSpy selected(&w, &TimelineWidget::rangeSelected);
    const QPoint onRoot = w.spanRect(0).center();
    QTest::mousePress(&w, Qt::LeftButton, {}, onRoot);
    QTest::mouseMove(&w, onRoot + QPoint(100, 0));
    QTest::mouseRelease(&w, Qt::LeftButton, {}, onRoot + QPoint(100, 0));
    QCOMPARE(w.viewStartMs(), double(kT0 + 100)); // dragged the content 100 px to the right
    QCOMPARE(clicked.size(), 0);
    QCOMPARE(selected.size(), 0);
    QTest::mousePress(&w, Qt::LeftButton, Qt::ShiftModifier, onRoot);
    QTest::mouseMove(&w, onRoot + QPoint(50, 0));
    QTest::mouseRelease(&w, Qt::LeftButton, Qt::ShiftModifier, onRoot + QPoint(50, 0));
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.at(0).at(2).toLongLong() - selected.at(0).at(1).toLongLong(), 50);
}

// A trace that grew while it ran (live mode): a view zoomed into it stays on the same times, a
// view of the whole trace shows the new whole, and a new trace is fitted whatever the view.
void TimelineTest::growingTraceKeepsTheZoom()
{
    TimelineWidget w;
    QVERIFY(show(w, { 1000, 200 }, smallTrace()));
    QVector<TimelineSpan> grown = smallTrace();
    grown.append({ int(grown.size()), 0, kT0 + 4000, kT0 + 6000, QStringLiteral("late.step"),
        QStringLiteral("success") });
    const auto layoutOf = [&grown] {
        TimelineLayout layout;
        layout.setSpans(grown);
        return layout;
    };
    w.setTimelineLayout(layoutOf(), true);
    QVERIFY2(w.viewStartMs() <= double(kT0) && w.viewEndMs() >= double(kT0 + 6000),
        qPrintable(QStringLiteral("%1 – %2").arg(w.viewStartMs() - kT0).arg(w.viewEndMs() - kT0)));
    w.setViewRange(double(kT0 + 200), double(kT0 + 1200));
    w.setRange(kT0 + 300, kT0 + 1000);
    QSignalSpy summed(&w, &TimelineWidget::rangeSelected);
    w.setTimelineLayout(layoutOf(), true);
    QCOMPARE(w.viewStartMs(), double(kT0 + 200));
    QCOMPARE(w.viewEndMs(), double(kT0 + 1200));
    QVERIFY(w.hasRange());
    QCOMPARE(w.rangeStartMs(), kT0 + 300);
    QCOMPARE(summed.size(), 1);
    w.setTimelineLayout(layoutOf(), false);
    QVERIFY(w.viewStartMs() <= double(kT0) && w.viewEndMs() >= double(kT0 + 6000));
    QVERIFY(!w.hasRange());
}

void TimelineTest::keysAndWheel()
{
    TimelineWidget w;
    QVERIFY(show(w, { 1000, 200 }, smallTrace()));
    const double fitStart = w.viewStartMs();
    const double fitSpan = w.viewEndMs() - w.viewStartMs();
    QTest::keyClick(&w, Qt::Key_Plus);
    QVERIFY(qFuzzyCompare(w.viewEndMs() - w.viewStartMs(), fitSpan / 1.5));
    const double zoomedStart = w.viewStartMs();
    QTest::keyClick(&w, Qt::Key_Right);
    QVERIFY(w.viewStartMs() > zoomedStart);
    QTest::keyClick(&w, Qt::Key_0);
    QCOMPARE(w.viewStartMs(), fitStart);
    // Wheel up zooms in around the cursor: the time under it stays put.
    const QPointF at(300, 60);
    const double before = w.timeForX(at.x());
    QWheelEvent wheel(
        at, w.mapToGlobal(at), {}, QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&w, &wheel);
    QVERIFY(w.viewEndMs() - w.viewStartMs() < fitSpan);
    QVERIFY(std::abs(w.timeForX(at.x()) - before) < 1e-6);
    QWheelEvent pan(at, w.mapToGlobal(at), {}, QPoint(0, -120), Qt::NoButton, Qt::ControlModifier,
        Qt::NoScrollPhase, false);
    const double startBeforePan = w.viewStartMs();
    QApplication::sendEvent(&w, &pan);
    QVERIFY(w.viewStartMs() > startBeforePan);
    w.setRange(kT0, kT0 + 10);
    QSignalSpy cleared(&w, &TimelineWidget::rangeCleared);
    QTest::keyClick(&w, Qt::Key_Escape);
    QCOMPARE(cleared.size(), 1);
    QVERIFY(!w.hasRange());
}

void TimelineTest::selectScrollsIntoView()
{
    QVector<TimelineSpan> chain(40); // 40 nested calls: more lanes than fit
    for (int i = 0; i < chain.size(); ++i) {
        chain[i] = { kIdBase + i, i - 1, kT0 + i * 10, kT0 + 1000 - i * 10, QStringLiteral("step"),
            QStringLiteral("success"), 0, 0 };
    }
    TimelineWidget w;
    QVERIFY(show(w, { 800, 200 }, chain));
    QVERIFY(w.spanRect(39).isEmpty()); // below the fold
    QVERIFY(w.lanesRect().width() < 800); // the scroll bar took its share
    w.setSelectedId(kIdBase + 39);
    QVERIFY(w.verticalOffset() > 0);
    const QRect bar = w.spanRect(39);
    QCOMPARE(bar.height(), TimelineWidget::kLaneHeight);
    QVERIFY(w.lanesRect().contains(bar));
    w.setSelectedId(kIdBase);
    QCOMPARE(w.spanRect(0).height(), TimelineWidget::kLaneHeight);
}

void TimelineTest::toolTipText()
{
    TimelineWidget w;
    w.setSpans(smallTrace());
    const QString tip = w.toolTipText(5);
    QVERIFY2(tip.contains(QStringLiteral("openai.chat.answer")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("+2.20 s")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("1.70 s")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("3480")), qPrintable(tip)); // the call's, children's included
    QVERIFY2(tip.contains(QStringLiteral("$0.0102")), qPrintable(tip));
    QVERIFY(w.toolTipText(8).contains(QStringLiteral("running")));
    QVERIFY(w.toolTipText(-1).isEmpty());
}

void TimelineTest::backgroundLayout()
{
    const BigTrace big = bigTrace(true);
    TimelineWidget w;
    QVERIFY(show(w, { 800, 300 }, smallTrace()));
    QSignalSpy ready(&w, &TimelineWidget::layoutReady);
    QElapsedTimer timer;
    timer.start();
    w.setSpansInBackground(big.spans);
    qInfo("setSpansInBackground(100k) returned after %lld ms", timer.elapsed());
    QVERIFY(timer.elapsed() < 50);
    QVERIFY(w.isLayingOut());
    QCOMPARE(w.timelineLayout().spanCount(), 0);
    QVERIFY(w.grab().save(shotPath(QStringLiteral("timeline_laying_out.png"))));
    QCOMPARE(ready.size(), 0); // the placeholder is not a layout
    QVERIFY(ready.wait(10000));
    QCOMPARE(ready.size(), 1);
    QVERIFY(!w.isLayingOut());
    QCOMPARE(w.timelineLayout().spanCount(), 100000);
    // The latest trace wins: a stale background result is dropped.
    w.setSpansInBackground(big.spans);
    w.setSpans(smallTrace());
    QThreadPool::globalInstance()->waitForDone();
    QCoreApplication::processEvents();
    QCOMPARE(w.timelineLayout().spanCount(), 9);
    // A widget destroyed mid-build is not called back.
    auto* doomed = new TimelineWidget;
    doomed->setSpansInBackground(big.spans);
    delete doomed;
    QThreadPool::globalInstance()->waitForDone();
    QCoreApplication::processEvents();
}

QTEST_MAIN(TimelineTest)
#include "tst_timeline.moc"
