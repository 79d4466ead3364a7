// bench_trace: the desktop trace view on one very large trace (goal U7, and U3 while it loads, of
// docs/benchmarks.md). Dataset D2: one trace of 100,000 calls (a node with 10,000 children, a
// node with 1,000 children of 5 each, a 30-deep chain and ~840 agent steps of 100 calls) and the
// same shape at 1,000 calls (fan-out 100), raw-inserted once into the real schema (bench/common)
// and reused. The real TraceView (1000×1000, offscreen raster) opens it through the in-process
// server and client; a 1 ms heartbeat measures GUI-thread lag during the whole load.
#include "bench/common.h"
#include "bench/uibench.h"
#include "models/tracetree.h"
#include "models/tracetreemodel.h"
#include "net/traceclient.h"
#include "server/traceserver.h"
#include "ui/traceview.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QScrollBar>
#include <QTreeView>

#include <filesystem>
#include <fstream>
#include <iostream>

using namespace spindle;
using namespace spindle::bench;

namespace {

constexpr const char* kProject = "bench/trace";
constexpr int kLoads = 3; // 100k-call loads measured (the first is also reported alone)
constexpr int kToggles = 5; // collapse + expand pairs of the 10k-child node
constexpr int kBigCalls = 100000, kSmallCalls = 1000;

// ---------------------------------------------------------------------------------------------
// Dataset D2

// Parent of each call in preorder: root, a node with `fanout` leaves, a node with fanout/10
// children of 5 leaves each, a 30-deep chain, then agent steps (9 children of up to 10 leaves).
std::vector<int> treeShape(int total, int fanout)
{
    std::vector<int> parent { -1 };
    const auto add = [&](int up) {
        parent.push_back(up);
        return static_cast<int>(parent.size()) - 1;
    };
    const int fan = add(0);
    for (int i = 0; i < fanout; ++i)
        add(fan);
    const int wide = add(0);
    for (int i = 0; i < fanout / 10; ++i) {
        const int child = add(wide);
        for (int j = 0; j < 5; ++j)
            add(child);
    }
    for (int i = 0, up = 0; i < 30; ++i)
        up = add(up);
    while (static_cast<int>(parent.size()) < total) {
        const int step = add(0);
        for (int i = 0; i < 9 && static_cast<int>(parent.size()) < total; ++i) {
            const int child = add(step);
            for (int j = 0; j < 10 && static_cast<int>(parent.size()) < total; ++j)
                add(child);
        }
    }
    return parent;
}

std::string makeId(std::int64_t micros, std::mt19937_64& rng)
{
    const auto millis = static_cast<std::uint64_t>(micros / 1000);
    const std::uint64_t random = rng();
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%08x-%04x-7%03x-%04x-%012llx", static_cast<unsigned>(millis >> 16),
        static_cast<unsigned>(millis & 0xFFFF), static_cast<unsigned>(random & 0xFFF),
        static_cast<unsigned>(0x8000 | ((random >> 12) & 0x3FFF)),
        static_cast<unsigned long long>((random >> 26) & 0xFFFFFFFFFFFFULL));
    return buffer;
}

// One trace of the D2 shape; payloads come from the D1 generator (same sizes and error rate).
std::vector<GenCall> makeTrace(
    int total, int fanout, std::int64_t startMicros, CallGenerator& generator, std::mt19937_64& rng)
{
    const std::vector<int> parent = treeShape(total, fanout);
    std::vector<GenCall> calls;
    while (static_cast<int>(calls.size()) < total)
        generator.nextTrace(calls);
    calls.resize(total);
    for (int i = 0; i < total; ++i) { // preorder: parents start before their children
        GenCall& call = calls[i];
        const std::string digest = call.opName.substr(call.opName.rfind(':') + 1);
        call.projectId = kProject;
        call.opName = std::string("weave:///") + kProject + "/op/" + call.opShort + ":" + digest;
        call.startedAt = startMicros + std::int64_t(i) * 1000;
        call.endedAt = call.startedAt + (5 + std::int64_t(rng() % 40)) * 1000;
        call.id = makeId(call.startedAt, rng);
        call.traceId = i == 0 ? makeId(call.startedAt, rng) : calls[0].traceId;
        call.parentId = parent[i] < 0 ? std::nullopt : std::optional(calls[parent[i]].id);
    }
    for (int i = total - 1; i > 0; --i) // parents end after their last child
        calls[parent[i]].endedAt = std::max(calls[parent[i]].endedAt, calls[i].endedAt + 1000);
    return calls;
}

// Writes D2 into <dir>/spindle.sqlite unless it is there; returns the ids of the big and small trace.
std::pair<std::string, std::string> ensureDataset(const std::string& dir)
{
    const std::string marker = dir + "/dataset.txt", db = dir + "/spindle.sqlite";
    const std::string wanted = "D2 v1 calls=" + std::to_string(kBigCalls) + "," + std::to_string(kSmallCalls)
        + " fanout=10000,100 seed=" + std::to_string(kDefaultSeed);
    std::ifstream in(marker);
    std::string line, big, small;
    if (fileSize(db) > 0 && std::getline(in, line) && line == wanted && in >> big >> small)
        return { big, small };
    removeTree(dir);
    std::filesystem::create_directories(dir);
    std::cout << "bench_trace: writing D2 to " << db << "\n";
    CallGenerator generator;
    std::mt19937_64 rng(kDefaultSeed);
    const auto start = Clock::now();
    {
        RawInserter inserter(db);
        for (const auto& [total, fanout] : { std::pair(kBigCalls, 10000), std::pair(kSmallCalls, 100) }) {
            const auto calls = makeTrace(total, fanout, 1736121600000000 + total * 1000LL, generator, rng);
            for (std::size_t at = 0; at < calls.size(); at += 1000)
                inserter.insert(calls, at, std::min(calls.size(), at + 1000));
            (total == kBigCalls ? big : small) = calls[0].traceId;
        }
    }
    std::cout << "bench_trace: D2 written in " << fmt(msSince(start) / 1000, 1) << " s\n";
    std::ofstream(marker) << wanted << "\n" << big << "\n" << small << "\n";
    return { big, small };
}

// ---------------------------------------------------------------------------------------------
// The trace view

struct Load
{
    double shownMs = -1; // openTrace → first frame after loaded()
    double buildMs = -1; // last row batch delivered → first frame after loaded()
    double loadedAfterLastRowMs = -1; // last row batch delivered → loaded()
    double doneAfterLastRowMs = -1; // last row batch → end-of-stream delivery (queueing on the GUI thread)
    double lastRowMs = -1; // openTrace → last row batch delivered (the stream through the client)
    int partialLoads = 0; // loaded() signals with part of the trace, before the full one
};

class TraceBench
{
public:
    TraceBench(TimedApp& app, int port);
    Load open(const std::string& traceId, int calls);
    bool switchesDuringBuild(const std::string& big, const std::string& small, int smallCalls);
    std::pair<std::vector<double>, std::vector<double>> toggleBiggestNode(); // collapse, expand ms
    std::vector<double> grabFrames();
    double serverStreamMs(const std::string& traceId);
    const models::TraceTree* tree() const
    {
        return m_view.traceTree();
    }
    Heartbeat heartbeat;

private:
    double waitForFrame(Clock::time_point after, double timeoutMs);

    TimedApp& m_app;
    int m_port;
    net::TraceClient m_client;
    ui::TraceView m_view { &m_client };
    std::vector<std::pair<Clock::time_point, int>> m_loaded; // loaded(calls) signals
};

TraceBench::TraceBench(TimedApp& app, int port)
    : m_app(app)
    , m_port(port)
{
    m_client.setConnection({ QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), {} });
    m_view.resize(1000, 1000);
    m_view.show();
    m_app.client = &m_client;
    m_app.viewport = m_view.tree()->viewport();
    QObject::connect(
        &m_view, &ui::TraceView::loaded, [this](int calls) { m_loaded.emplace_back(Clock::now(), calls); });
    spinFor(100);
}

double TraceBench::waitForFrame(Clock::time_point after, double timeoutMs)
{
    double result = -1;
    spinUntil(
        [&] {
            for (auto it = m_app.frames.rbegin(); it != m_app.frames.rend() && it->end > after; ++it)
                result = msBetween(after, it->end); // ends at the earliest frame after `after`
            return result >= 0;
        },
        timeoutMs);
    return result;
}

// Opens a trace and waits for loaded(calls) with every call of it; a loaded() with a partial tree
// first (bug T2, fixed) is counted.
Load TraceBench::open(const std::string& traceId, int calls)
{
    Load load;
    m_loaded.clear();
    m_app.deliveries.clear();
    const auto start = Clock::now();
    m_view.openTrace(QString::fromLatin1(kProject), QString::fromStdString(traceId));
    if (!spinUntil([&] { return !m_loaded.empty() && m_loaded.back().second == calls; }, 30000))
        return load;
    const auto loadedAt = m_loaded.back().first;
    const auto shown =
        loadedAt + std::chrono::microseconds(std::int64_t(waitForFrame(loadedAt, 10000) * 1000));
    load.shownMs = msBetween(start, shown);
    load.partialLoads = int(m_loaded.size()) - 1;
    const auto& d = m_app.deliveries; // …, last row batch, end of stream (then nothing until loaded)
    if (d.size() >= 2) {
        const auto lastRows = d[d.size() - 2];
        load.buildMs = msBetween(lastRows, shown);
        load.loadedAfterLastRowMs = msBetween(lastRows, loadedAt);
        load.doneAfterLastRowMs = msBetween(lastRows, d.back());
        load.lastRowMs = msBetween(start, lastRows);
    }
    spinFor(50);
    return load;
}

// Opens the big trace and, at its first loaded(), the small one, while builds may still be
// running on the pool: is the small one shown within 5 s (bug T3, fixed)?
bool TraceBench::switchesDuringBuild(const std::string& big, const std::string& small, int smallCalls)
{
    m_loaded.clear();
    m_view.openTrace(QString::fromLatin1(kProject), QString::fromStdString(big));
    spinUntil([&] { return !m_loaded.empty(); }, 30000);
    m_loaded.clear();
    m_view.openTrace(QString::fromLatin1(kProject), QString::fromStdString(small));
    const bool shown =
        spinUntil([&] { return !m_loaded.empty() && m_loaded.back().second == smallCalls; }, 5000);
    spinUntil([&] { return !m_view.isLoading(); }, 10000);
    return shown;
}

// Collapses and expands the node with the most children (10,000 in the big trace), timing each
// from the call to the end of the frame that shows it.
std::pair<std::vector<double>, std::vector<double>> TraceBench::toggleBiggestNode()
{
    const models::TraceTree& tree = *m_view.traceTree();
    int node = 0;
    for (int i = 0; i < tree.size(); ++i)
        if (tree.children[i].size() > tree.children[node].size())
            node = i;
    const QModelIndex index = m_view.model()->indexOfNode(node);
    QTreeView* view = m_view.tree();
    view->scrollTo(index, QAbstractItemView::PositionAtTop);
    spinFor(50);
    std::vector<double> collapse, expand;
    for (int i = 0; i < 2 * kToggles; ++i) {
        const bool expanded = view->isExpanded(index);
        const auto start = Clock::now();
        expanded ? view->collapse(index) : view->expand(index);
        (expanded ? collapse : expand).push_back(waitForFrame(start, 10000));
        spinFor(20);
    }
    return { collapse, expand };
}

// grab() of the tree at 40 scroll positions over the whole range: the best of 3 at each (grabs
// are short, so the best filters out moments the thread waited for a core).
std::vector<double> TraceBench::grabFrames()
{
    QTreeView* view = m_view.tree();
    QScrollBar* bar = view->verticalScrollBar();
    std::vector<double> times;
    (void)view->grab(); // warm-up
    for (int i = 0; i < 40; ++i) {
        bar->setValue(i * bar->maximum() / 39);
        spinFor(5);
        double best = 1e9;
        for (int k = 0; k < 3; ++k) {
            const auto start = Clock::now();
            const QPixmap pixmap = view->grab();
            best = std::min(best, msSince(start));
        }
        times.push_back(best);
    }
    bar->setValue(0);
    return times;
}

// The trace view's own request, straight over HTTP: every row of the trace, tree columns only.
double TraceBench::serverStreamMs(const std::string& traceId)
{
    const QJsonObject request { { QStringLiteral("project_id"), QString::fromLatin1(kProject) },
        { QStringLiteral("filter"),
            QJsonObject { { QStringLiteral("trace_ids"), QJsonArray { QString::fromStdString(traceId) } } } },
        { QStringLiteral("sort_by"),
            QJsonArray { QJsonObject { { QStringLiteral("field"), QStringLiteral("started_at") },
                { QStringLiteral("direction"), QStringLiteral("asc") } } } },
        { QStringLiteral("columns"),
            QJsonArray { QStringLiteral("id"), QStringLiteral("trace_id"), QStringLiteral("parent_id"),
                QStringLiteral("op_name"), QStringLiteral("display_name"), QStringLiteral("started_at"),
                QStringLiteral("ended_at"), QStringLiteral("exception"), QStringLiteral("summary") } },
        { QStringLiteral("include_costs"), true } };
    const std::string body = QJsonDocument(request).toJson(QJsonDocument::Compact).toStdString();
    HttpClient http(m_port);
    std::vector<double> times;
    for (int i = 0; i < 4; ++i) {
        const auto response = http.post("/calls/stream_query", body, false);
        if (response.status != 200)
            throw std::runtime_error("stream_query answered " + std::to_string(response.status));
        if (i > 0)
            times.push_back(response.totalMs);
    }
    return median(times);
}

// ---------------------------------------------------------------------------------------------
// The run

void goal(const std::string& id, const std::string& metric, double ours, double limit)
{
    reportGoal(
        id, metric, fmt(ours, 1) + " ms", "-", "-", "≤ " + fmt(limit, 0) + " ms", ours >= 0 && ours <= limit);
}

// The worst gap, the GUI thread's CPU time in it, the p99 gap, and the most CPU in any gap: the
// part of a stall that is work on the GUI thread, whatever else runs on the machine.
std::string lagText(const Heartbeat& beat)
{
    return fmt(beat.maxGap(), 1) + " ms (GUI-thread CPU in it " + fmt(beat.cpuInMaxGap(), 1) + " ms), p99 "
        + fmt(percentile(beat.gaps, 99), 1) + " ms; most GUI-thread CPU in one gap "
        + fmt(percentile(beat.cpu, 100), 1) + " ms";
}

void measureLoads(TraceBench& bench, const std::string& big, const std::string& small)
{
    std::vector<double> shown, build, loaded, queued, streamed;
    int partial = 0;
    Heartbeat switching; // opening the small trace while the big one is shown
    bench.open(small, kSmallCalls); // warm-up: client, server connection
    for (int i = 0; i < kLoads; ++i) {
        bench.heartbeat.start();
        const Load load = bench.open(big, kBigCalls);
        partial += load.partialLoads;
        bench.heartbeat.stop();
        shown.push_back(load.shownMs);
        build.push_back(load.buildMs);
        loaded.push_back(load.loadedAfterLastRowMs);
        queued.push_back(load.doneAfterLastRowMs);
        streamed.push_back(load.lastRowMs);
        if (i + 1 < kLoads) {
            switching.start();
            bench.open(small, kSmallCalls);
            switching.stop();
        }
    }
    reportInfo("U7", "100k trace: openTrace → tree shown (first, median)",
        fmt(shown[0], 0) + " ms, " + fmt(median(shown), 0) + " ms");
    reportInfo(
        "U7", "100k trace: openTrace → last row batch delivered (median)", fmt(median(streamed), 0) + " ms");
    reportInfo("U7", "100k trace: the server's stream of the same request (HTTP, median of 3)",
        fmt(bench.serverStreamMs(big), 0) + " ms");
    reportInfo("U7", "100k trace: last row batch → loaded() (median)", fmt(median(loaded), 0) + " ms");
    reportInfo(
        "U7", "100k trace: last row batch → end-of-stream delivery (median)", fmt(median(queued), 1) + " ms");
    goal("U7",
        "100k trace: last row batch → tree shown (median of " + std::to_string(kLoads) + ", max "
            + fmt(percentile(build, 100), 0) + " ms)",
        median(build), 1000);
    reportInfo("U7",
        "loaded() signals with a partial tree before the full one, in " + std::to_string(kLoads) + " loads",
        std::to_string(partial));
    reportInfo("U3", "lag while loading the 100k trace", lagText(bench.heartbeat));
    reportInfo("U3", "lag while switching from the 100k trace to the 1k one", lagText(switching));
    goal("U3", "max GUI-thread lag while loading the 100k trace", bench.heartbeat.maxGap(), 50);
}

void measureTree(TraceBench& bench, const std::string& small)
{
    QVector<Call> rows = bench.tree()->calls;
    std::vector<double> builds;
    for (int i = 0; i < 3; ++i) {
        const auto start = Clock::now();
        const auto tree = models::TraceTree::build(rows);
        builds.push_back(msSince(start));
    }
    reportInfo("U7", "TraceTree::build of 100k calls (median of 3)",
        fmt(median(builds), 0) + " ms = " + fmt(median(builds) * 1000 / rows.size(), 2) + " µs/node");
    const auto [collapse, expand] = bench.toggleBiggestNode();
    for (const auto& [name, times] : { std::pair("collapse", collapse), std::pair("expand", expand) })
        goal("U7",
            std::string(name) + " of the 10k-child node until painted (median of " + std::to_string(kToggles)
                + ", max " + fmt(percentile(times, 100), 1) + " ms)",
            median(times), 100);
    const std::vector<double> bigFrames = bench.grabFrames();
    bench.open(small, kSmallCalls);
    const std::vector<double> smallFrames = bench.grabFrames();
    const double ratio = median(bigFrames) / median(smallFrames);
    reportGoal("U7", "frame(100k)/frame(1k), grab() of the tree at 40 scroll positions (median)",
        fmt(median(bigFrames), 1) + " ms", fmt(median(smallFrames), 1) + " ms", fmt(ratio, 2), "≤ 1.2×",
        ratio <= 1.2);
    reportInfo("U7", "grab() p95, 100k / 1k trace",
        fmt(percentile(bigFrames, 95), 1) + " ms / " + fmt(percentile(smallFrames, 95), 1) + " ms");
}

} // namespace

int main(int argc, char** argv)
{
    if (hasFlag(argc, argv, "--help")) {
        std::cout << "usage: bench_trace [--data DIR]   (D2 goes to DIR/d2, default bench/data)\n";
        return 0;
    }
    useOffscreenPlatform();
    TimedApp app(argc, argv);
    try {
        const std::string dir = argValue(argc, argv, "--data", "bench/data") + "/d2";
        const auto [big, small] = ensureDataset(dir);
        server::ServerOptions options;
        options.port = 0;
        options.dataDir = dir;
        server::TraceServer server(options);
        const int port = server.startInBackground();
        {
            TraceBench bench(app, port);
            measureLoads(bench, big, small);
            measureTree(bench, small);
            int lost = 0;
            for (int i = 0; i < 3; ++i)
                lost += bench.switchesDuringBuild(big, small, kSmallCalls) ? 0 : 1;
            reportInfo("U7", "1k trace opened at the 100k trace's first loaded(): never shown (of 3)",
                std::to_string(lost)
                    + (lost ? " (its build is dropped; the view stays on 'Loading trace…')" : ""));
        }
        server.stop();
        for (const auto& [name, text] : app.slowEventSummary())
            reportInfo("U3", "slow GUI-thread event (≥ 30 ms) " + name, text);
    } catch (const std::exception& error) {
        std::cerr << "bench_trace: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
