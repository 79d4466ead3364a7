// bench_ui: the desktop calls table on a large local project (goals U1-U5 of docs/benchmarks.md).
// The real TracesPage (1600×1000, offscreen raster) on the real in-process server and client:
// time to first painted rows when the project opens, sort and filter changes against the
// server's own time for the same request, GUI-thread lag (a 1 ms heartbeat) while scrolling,
// and resident memory. One process per dataset keeps RSS clean: run it on D3 with --write FILE,
// then on D1 with --baseline FILE, which prints the goals (bench/run_ui.sh does both).
#include "bench/common.h"
#include "bench/uibench.h"
#include "models/callstablemodel.h"
#include "net/traceclient.h"
#include "server/traceserver.h"
#include "ui/callscontroller.h"
#include "ui/tracespage.h"

#include <QHeaderView>
#include <QJsonDocument>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sqlite3.h>
#include <thread>

using namespace spindle;
using namespace spindle::bench;

namespace {

using Results = std::map<std::string, double>;
constexpr int kReps = 5; // measured repetitions of each UI step, after one warm-up

// ---------------------------------------------------------------------------------------------
// The calls table on one project

struct Timing
{
    double modelMs = -1; // the first loaded rows inserted into the model
    double paintMs = -1; // end of the first frame showing loaded rows
    double frameMs = -1; // that frame's own duration
    double frameCpuMs = -1; // the GUI thread's CPU time in that frame
    double framesBeforeModelMs = 0; // frames painted (placeholders) before the page was in the model
};

class TableBench
{
public:
    TableBench(TimedApp& app, int port, QString project);
    Timing openProject(); // from an empty project to this one, as a project switch does
    Timing changeQuery(const CallsQuery& from, const CallsQuery& to);
    // The median time of the whole page; `screenfulMs`: of its first 50 rows (the table's first batch).
    double serverPageMs(const CallsQuery& query, int offset = 0, int reps = 7, bool withCount = false,
        double* screenfulMs = nullptr);
    // The same, each time right after `from`'s page and count: the table's requests before the
    // change, which leave the server's page cache as the change finds it.
    double serverPageAfterMs(const CallsQuery& from, const CallsQuery& to, double* screenfulMs);
    double serverCountMs(const CallsQuery& query);
    double clientParseMs() const;
    void scroll(Results& out, bool settle);
    void frameCost(Results& out);
    void waitIdle();
    CallsQuery query() const
    {
        return m_page.controller()->query();
    }
    int rowCount() const
    {
        return m_model->rowCount();
    }
    Heartbeat heartbeat;

private:
    bool visibleRowsLoaded() const;
    // The table's request for the page at `offset` of `query` (which the table is switched to).
    std::string pageBody(const CallsQuery& query, int offset = 0);
    Timing finish(Clock::time_point start);
    double waitForRowsPainted(
        Clock::time_point start, double timeoutMs, double* frameMs = nullptr, double* frameCpuMs = nullptr);

    TimedApp& m_app;
    int m_port;
    QString m_project;
    net::TraceClient m_client;
    ui::TracesPage m_page { &m_client };
    QTableView* m_table = m_page.table();
    models::CallsTableModel* m_model = m_page.model();
    std::optional<Clock::time_point> m_firstRowsAt;
    // While a query changes, the previous query's rows stay on screen until the new first page
    // arrives: rows of this generation do not count as loaded.
    static constexpr quint64 kNoGeneration = ~quint64(0);
    quint64 m_oldGeneration = kNoGeneration;
    // Each query's row count once it has loaded: a view the rows do not fill shows all of them.
    std::map<QByteArray, int> m_finalRows;
    QByteArray queryKey() const
    {
        return QJsonDocument(query().requestJson()).toJson(QJsonDocument::Compact);
    }
    int m_pagesRequested = 0;
    int m_pagesCancelled = 0; // requests dropped because the view scrolled far away
    int m_failures = 0; // CallsController::queryFailed
    std::string m_lastPageBody;
};

TableBench::TableBench(TimedApp& app, int port, QString project)
    : m_app(app)
    , m_port(port)
    , m_project(std::move(project))
{
    m_client.setConnection({ QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), {} });
    m_page.resize(1600, 1000);
    // No call is selected, so the trace and detail panes are collapsed: the table gets the width.
    if (auto* splitter = m_page.findChild<QSplitter*>())
        splitter->setSizes({ 1600, 0, 0 });
    m_page.show();
    m_app.viewport = m_table->viewport();
    m_app.rowsLoaded = [this] { return visibleRowsLoaded(); };
    // The new query's first loaded rows entering the model (the controller's firstRowsShown comes
    // after the Traces page has painted them).
    QObject::connect(m_model, &QAbstractItemModel::rowsInserted, [this](const QModelIndex&, int first, int) {
        if (!m_firstRowsAt && m_model->generation() != m_oldGeneration && m_model->isLoaded(first))
            m_firstRowsAt = Clock::now();
    });
    QObject::connect(m_page.controller(), &ui::CallsController::queryFailed, [this](const QString& message) {
        if (m_failures++ == 0)
            std::cout << "  first failed request: " << message.toStdString() << "\n";
    });
    QObject::connect(m_model, &models::CallsTableModel::pagesNeeded,
        [this](quint64, const QList<int>& pages) { m_pagesRequested += int(pages.size()); });
    QObject::connect(m_model, &models::CallsTableModel::pagesNotNeeded,
        [this](quint64, const QList<int>& pages) { m_pagesCancelled += int(pages.size()); });
    spinFor(100);
}

bool TableBench::visibleRowsLoaded() const
{
    if (m_model->generation() == m_oldGeneration)
        return false;
    const int top = m_table->rowAt(0);
    if (top < 0)
        return false;
    int bottom = m_table->rowAt(m_table->viewport()->height() - 1);
    if (bottom < 0) {
        // The rows end above the viewport's bottom: only all of the query's rows count, not a first
        // batch shorter than the screen.
        const auto expected = m_finalRows.find(queryKey());
        if (expected == m_finalRows.end() || m_model->rowCount() != expected->second)
            return false;
        bottom = m_model->rowCount() - 1;
    }
    for (int row = top; row <= bottom; ++row)
        if (!m_model->isLoaded(row))
            return false;
    return true;
}

void TableBench::waitIdle()
{
    spinUntil([this] { return !m_page.controller()->isLoading(); }, 60000);
    spinFor(30);
}

// From `start` to the end of the first later frame that showed loaded rows; -1 on timeout.
double TableBench::waitForRowsPainted(
    Clock::time_point start, double timeoutMs, double* frameMs, double* frameCpuMs)
{
    std::size_t next = m_app.frames.size();
    double result = -1;
    spinUntil(
        [&] {
            for (; next < m_app.frames.size(); ++next)
                if (m_app.frames[next].rowsLoaded && m_app.frames[next].end > start) {
                    result = msBetween(start, m_app.frames[next].end);
                    if (frameMs)
                        *frameMs = m_app.frames[next].ms;
                    if (frameCpuMs)
                        *frameCpuMs = m_app.frames[next].cpuMs;
                    return true;
                }
            return false;
        },
        timeoutMs);
    return result;
}

Timing TableBench::finish(Clock::time_point start)
{
    Timing timing;
    const std::size_t firstFrame = m_app.frames.size();
    timing.paintMs = waitForRowsPainted(start, 20000, &timing.frameMs, &timing.frameCpuMs);
    if (m_firstRowsAt) {
        timing.modelMs = msBetween(start, *m_firstRowsAt);
        for (std::size_t i = firstFrame; i < m_app.frames.size(); ++i)
            if (m_app.frames[i].end > start && m_app.frames[i].end <= *m_firstRowsAt)
                timing.framesBeforeModelMs += m_app.frames[i].ms;
    }
    waitIdle();
    m_finalRows[queryKey()] = m_model->rowCount();
    m_oldGeneration = kNoGeneration;
    return timing;
}

Timing TableBench::openProject()
{
    m_page.setProject(QStringLiteral("bench/empty"));
    waitIdle();
    m_firstRowsAt.reset();
    m_oldGeneration = m_model->generation();
    const auto start = Clock::now();
    m_page.setProject(m_project);
    return finish(start);
}

Timing TableBench::changeQuery(const CallsQuery& from, const CallsQuery& to)
{
    m_oldGeneration = m_model->generation();
    m_page.controller()->setQuery(from);
    finish(Clock::now());
    m_firstRowsAt.reset();
    m_oldGeneration = m_model->generation();
    const auto start = Clock::now();
    m_page.controller()->setQuery(to);
    return finish(start);
}

std::string countBody(const CallsQuery& query) // what CallsController::requestCount sends
{
    QJsonObject request = query.requestJson();
    request.remove(QStringLiteral("sort_by"));
    return QJsonDocument(request).toJson(QJsonDocument::Compact).toStdString();
}

// The page request the controller sends for `query`, straight over HTTP (keep-alive). With
// `withCount`, the count request leaves at the same moment on a second connection, as the
// controller sends both.
double TableBench::serverPageMs(
    const CallsQuery& query, int offset, int reps, bool withCount, double* screenfulMs)
{
    const std::string body = pageBody(query, offset);
    const std::string counting = countBody(query);
    HttpClient http(m_port), countHttp(m_port);
    std::vector<double> times, screenfuls;
    for (int i = 0; i <= reps; ++i) {
        std::thread count;
        if (withCount)
            count = std::thread([&] { countHttp.post("/calls/query_stats", counting, false); });
        const auto response = http.post("/calls/stream_query", body, i == reps);
        if (count.joinable())
            count.join();
        if (response.status != 200 || response.lines == 0)
            throw std::runtime_error("stream_query answered " + std::to_string(response.status));
        if (i > 0) {
            times.push_back(response.totalMs);
            screenfuls.push_back(response.screenfulMs >= 0 ? response.screenfulMs : response.totalMs);
        }
        if (i == reps)
            m_lastPageBody = response.body;
    }
    if (screenfulMs)
        *screenfulMs = median(screenfuls);
    return median(times);
}

std::string TableBench::pageBody(const CallsQuery& query, int offset)
{
    if (!(query == this->query())) {
        m_page.controller()->setQuery(query);
        waitIdle();
    }
    const QJsonObject request = m_page.controller()->pageRequest(offset, models::CallsTableModel::kPageSize);
    return QJsonDocument(request).toJson(QJsonDocument::Compact).toStdString();
}

// serverPageMs repeats one request; the table's change instead finds the server as the previous
// query's page and its count (a scan of every matching call) left it. Each timed request here
// follows those two, as the table's does, in case the repetitions were kinder (a hotter page
// cache). On D1 they are not (docs/benchmarks.md, C19); this keeps it shown in every run.
double TableBench::serverPageAfterMs(const CallsQuery& from, const CallsQuery& to, double* screenfulMs)
{
    const std::string before = pageBody(from);
    const std::string counting = countBody(from);
    const std::string body = pageBody(to);
    HttpClient http(m_port);
    std::vector<double> times, screenfuls;
    for (int i = 0; i <= 7; ++i) {
        http.post("/calls/stream_query", before, false);
        http.post("/calls/query_stats", counting, false);
        const auto response = http.post("/calls/stream_query", body, false);
        if (response.status != 200 || response.lines == 0)
            throw std::runtime_error("stream_query answered " + std::to_string(response.status));
        if (i > 0) {
            times.push_back(response.totalMs);
            screenfuls.push_back(response.screenfulMs >= 0 ? response.screenfulMs : response.totalMs);
        }
    }
    *screenfulMs = median(screenfuls);
    return median(times);
}

// The client's decoding of the last page serverPageMs fetched, as HttpWorker does it per line
// (QJsonDocument, then Call::fromJson), best of 5.
double TableBench::clientParseMs() const
{
    double best = 1e9;
    for (int rep = 0; rep < 5; ++rep) {
        const auto start = Clock::now();
        QVector<Call> calls;
        for (const QByteArray& line : QByteArray::fromStdString(m_lastPageBody).split('\n'))
            if (!line.trimmed().isEmpty())
                calls.push_back(Call::fromJson(QJsonDocument::fromJson(line).object()));
        best = std::min(best, msSince(start));
    }
    return best;
}

double TableBench::serverCountMs(const CallsQuery& query)
{
    HttpClient http(m_port);
    std::vector<double> times;
    for (int i = 0; i <= 3; ++i)
        times.push_back(http.post("/calls/query_stats", countBody(query), false).totalMs);
    times.erase(times.begin());
    return median(times);
}

// Random jumps over the whole range, each followed by 4 steps (a wheel notch of 3 rows, a page, a
// notch, a page). Drag: 200 positions, a new one every 16 ms like dragging the thumb, then the
// time until the last position's rows are painted. Settle: 100 positions, each waiting until its
// rows are painted (the fill time).
void TableBench::scroll(Results& out, bool settle)
{
    QScrollBar* bar = m_table->verticalScrollBar();
    const int rowHeight = m_table->verticalHeader()->defaultSectionSize();
    std::mt19937 rng(settle ? 7 : 11);
    std::vector<double> fills;
    int unfilled = 0;
    waitIdle();
    m_pagesRequested = 0;
    m_pagesCancelled = 0;
    m_failures = 0;
    const std::size_t firstFrame = m_app.frames.size();
    heartbeat.clear();
    heartbeat.start();
    for (int jump = 0; jump < (settle ? 20 : 40); ++jump) {
        int position = static_cast<int>(rng() % static_cast<unsigned>(bar->maximum() + 1));
        for (int step = 0; step < 5; ++step) {
            if (step > 0)
                position = std::min(bar->maximum(), position + (step % 2 ? 3 * rowHeight : bar->pageStep()));
            if (position == bar->value())
                continue;
            const auto start = Clock::now();
            bar->setValue(position);
            const double fill = settle ? waitForRowsPainted(start, 5000) : (spinFor(16), 0);
            fill < 0 ? ++unfilled : (fills.push_back(fill), 0);
        }
    }
    if (!settle) { // how long the last position shows placeholders, and until every request is done
        const auto stop = Clock::now();
        if (!visibleRowsLoaded() && waitForRowsPainted(stop, 60000) < 0)
            ++unfilled;
        out["scroll_drag_fill_after_stop_ms"] = msSince(stop);
        waitIdle();
        out["scroll_drag_idle_after_stop_ms"] = msSince(stop);
    }
    heartbeat.stop();
    std::vector<double> frames, frameCpu;
    for (std::size_t i = firstFrame; i < m_app.frames.size(); ++i) {
        frames.push_back(m_app.frames[i].ms);
        frameCpu.push_back(m_app.frames[i].cpuMs);
    }
    const std::string p = settle ? "scroll_settle_" : "scroll_drag_";
    heartbeat.report(out, p);
    out[p + "pages_requested"] = m_pagesRequested;
    out[p + "pages_cancelled"] = m_pagesCancelled;
    out[p + "failed_requests"] = m_failures;
    out[p + "frame_p50_ms"] = percentile(frames, 50);
    out[p + "frame_p95_ms"] = percentile(frames, 95);
    out[p + "frame_p99_ms"] = percentile(frames, 99);
    out[p + "frame_cpu_p95_ms"] = percentile(frameCpu, 95);
    out[p + "frames"] = static_cast<double>(frames.size());
    out[p + "unfilled"] = unfilled;
    if (settle) {
        out[p + "fill_p50_ms"] = percentile(fills, 50);
        out[p + "fill_p95_ms"] = percentile(fills, 95);
        out[p + "fill_max_ms"] = percentile(fills, 100);
    }
}

// Where a frame's time goes: grab() of the table with and without the dynamic (JSON) columns.
void TableBench::frameCost(Results& out)
{
    const auto grabMs = [this] {
        std::vector<double> times;
        for (int i = 0; i < 12; ++i) {
            const auto start = Clock::now();
            const QPixmap pixmap = m_table->viewport()->grab();
            times.push_back(msSince(start));
        }
        return median(times);
    };
    out["frame_grab_ms"] = grabMs();
    for (int column = models::CallsTableModel::FixedColumnCount; column < m_model->columnCount(); ++column)
        m_table->setColumnHidden(column, true);
    spinFor(50);
    out["frame_grab_fixed_columns_only_ms"] = grabMs();
    for (int column = models::CallsTableModel::FixedColumnCount; column < m_model->columnCount(); ++column)
        m_table->setColumnHidden(column, false);
    out["dynamic_columns"] = m_model->columnCount() - models::CallsTableModel::FixedColumnCount;
    out["viewport_rows"] =
        double(m_table->viewport()->height()) / m_table->verticalHeader()->defaultSectionSize();
}

// ---------------------------------------------------------------------------------------------
// The run

// One warm-up, then kReps measured runs: out[key_model_ms], out[key_paint_ms] are medians.
template <typename Step> void measure(Results& out, const std::string& key, Step step)
{
    std::vector<double> model, paint, frame, frameCpu, before;
    out[key + "_first_paint_ms"] = step().paintMs;
    for (int i = 0; i < kReps; ++i) {
        const Timing timing = step();
        model.push_back(timing.modelMs);
        paint.push_back(timing.paintMs);
        frame.push_back(timing.frameMs);
        frameCpu.push_back(timing.frameCpuMs);
        before.push_back(timing.framesBeforeModelMs);
    }
    out[key + "_model_ms"] = median(model);
    out[key + "_paint_ms"] = median(paint);
    out[key + "_paint_max_ms"] = percentile(paint, 100);
    out[key + "_rows_frame_ms"] = median(frame); // the frame that showed the rows
    out[key + "_rows_frame_cpu_ms"] = median(frameCpu);
    out[key + "_frames_before_model_ms"] = median(before); // placeholder frames while waiting
}

// Project open, then on the default view (root calls) and on every call: a sort change (latency,
// slowest first) and a filter change (status error), then the server's time for each request.
void measureQueries(TableBench& bench, Results& out)
{
    const auto start = Clock::now();
    bench.heartbeat.clear();
    bench.heartbeat.start();
    measure(out, "open", [&] { return bench.openProject(); });
    const CallsQuery roots = bench.query();
    out["rows_roots"] = bench.rowCount();
    CallsQuery all = roots;
    all.rootsOnly = false;
    measure(out, "all", [&] { return bench.changeQuery(roots, all); });
    out["rows_all"] = bench.rowCount();
    std::map<std::string, CallsQuery> changed { { "open", roots } };
    std::map<std::string, CallsQuery> changedFrom; // the query each U5 step changes from
    for (const auto& [name, base] : { std::pair("roots", roots), std::pair("all", all) }) {
        CallsQuery sorted = base, errors = base;
        sorted.sortBy = { SortKey { QStringLiteral("summary.weave.latency_ms"), true } };
        errors.statuses = { QStringLiteral("error") };
        measure(out, std::string("sort_") + name, [&] { return bench.changeQuery(base, sorted); });
        measure(out, std::string("filter_") + name, [&] { return bench.changeQuery(base, errors); });
        changed[std::string("sort_") + name] = sorted;
        changed[std::string("filter_") + name] = errors;
        changedFrom[std::string("sort_") + name] = base;
        changedFrom[std::string("filter_") + name] = base;
    }
    bench.heartbeat.stop();
    bench.heartbeat.report(out, "queries_");
    out["seconds_ui_queries"] = msSince(start) / 1000;
    for (const auto& [key, query] : changed) {
        double screenful = -1;
        out[key + "_server_ms"] = bench.serverPageMs(query, 0, 7, false, &screenful);
        out[key + "_server_first50_ms"] = screenful;
        out[key + "_client_parse_ms"] = bench.clientParseMs();
        out[key + "_server_with_count_ms"] = bench.serverPageMs(query, 0, 7, true);
        out[key + "_count_server_ms"] = bench.serverCountMs(query);
        if (const auto from = changedFrom.find(key); from != changedFrom.end()) {
            out[key + "_server_after_ms"] = bench.serverPageAfterMs(from->second, query, &screenful);
            out[key + "_server_after_first50_ms"] = screenful;
        }
    }
    out["all_count_server_ms"] = bench.serverCountMs(all);
    out["all_server_ms"] = bench.serverPageMs(all); // leaves the table on every call, for scrolling
    out["all_server_offset_50pct_ms"] = bench.serverPageMs(all, bench.rowCount() / 2, 3);
    out["all_server_offset_90pct_ms"] = bench.serverPageMs(all, bench.rowCount() * 9 / 10, 3);
}

double statusKb(const char* field) // a "kB" line of /proc/self/status
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0)
            return std::stod(line.substr(std::strlen(field) + 1));
    return 0;
}

// RSS, and the part of it that is the in-process server's SQLite: its page caches (heap) and its
// memory maps of the database file (one per connection, each counted in RSS).
void recordMemory(Results& out, const std::string& dbPath)
{
    out["rss_mb"] = statusKb("VmRSS:") / 1024;
    out["rss_anon_mb"] = statusKb("RssAnon:") / 1024;
    out["rss_file_mb"] = statusKb("RssFile:") / 1024;
    out["sqlite_heap_mb"] = double(sqlite3_memory_used()) / 1048576;
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool dbMap = false;
    double mapKb = 0, maps = 0;
    while (std::getline(smaps, line)) {
        if (std::isdigit(static_cast<unsigned char>(line[0]))
            || std::islower(static_cast<unsigned char>(line[0]))) {
            // a mapping's header line: "start-end perms offset dev inode path"
            dbMap = line.size() > dbPath.size()
                && line.compare(line.size() - dbPath.size(), dbPath.size(), dbPath) == 0;
            maps += dbMap;
        } else if (dbMap && line.rfind("Rss:", 0) == 0) {
            mapKb += std::stod(line.substr(4));
        }
    }
    out["sqlite_db_maps"] = maps;
    out["sqlite_mmap_rss_mb"] = mapKb / 1024;
    out["rss_without_sqlite_mb"] = out["rss_mb"] - out["sqlite_heap_mb"] - out["sqlite_mmap_rss_mb"];
}

Results run(TimedApp& app, const std::string& dataDir, const std::string& label, const std::string& project)
{
    server::ServerOptions options;
    options.port = 0;
    options.dataDir = dataDir;
    server::TraceServer server(options);
    const int port = server.startInBackground();
    Results results;
    {
        TableBench bench(app, port, QString::fromStdString(project));
        auto phase = Clock::now();
        const auto timed = [&](const char* name, auto step) {
            step();
            results[std::string("seconds_") + name] = msSince(phase) / 1000;
            phase = Clock::now();
        };
        timed("queries", [&] { measureQueries(bench, results); });
        timed("scroll_drag", [&] { bench.scroll(results, false); }); // every call, newest first
        timed("scroll_settle", [&] { bench.scroll(results, true); });
        bench.waitIdle();
        bench.frameCost(results);
        recordMemory(results, std::filesystem::canonical(dataDir + "/spindle.sqlite").string());
    }
    server.stop();
    for (const auto& [name, text] : app.slowEventSummary())
        reportInfo(label, "slow GUI-thread event (≥ 30 ms) " + name, text);
    for (const auto& [key, value] : results)
        reportInfo(label, key, fmt(value, 1));
    return results;
}

void ratioGoal(const std::string& id, const std::string& metric, double ours, double base, double limit,
    const std::string& unit = " ms")
{
    const double ratio = base > 0 ? ours / base : 0;
    reportGoal(id, metric, fmt(ours, 1) + unit, fmt(base, 1) + unit, fmt(ratio, 2),
        "≤ " + fmt(limit, 1) + "×", ours >= 0 && base > 0 && ratio <= limit);
}

void limitGoal(const std::string& id, const std::string& metric, double ours, double limit)
{
    reportGoal(
        id, metric, fmt(ours, 1) + " ms", "-", "-", "≤ " + fmt(limit, 0) + " ms", ours >= 0 && ours <= limit);
}

void reportGoals(const std::string& label, const Results& r, const Results& base)
{
    limitGoal("U1", label + ": rows painted after the project opens (median)", r.at("open_paint_ms"), 300);
    ratioGoal("U1", "TTFP(" + label + ")/TTFP(D3), project open", r.at("open_paint_ms"),
        base.at("open_paint_ms"), 1.2);
    for (const std::string key : { "sort_roots", "filter_roots", "sort_all", "filter_all" })
        ratioGoal("U5",
            label + " " + key
                + ": first page's rows painted vs the server's time for the page (its first 50 rows "
                + fmt(r.at(key + "_server_first50_ms"), 1) + " ms; rows in the model after "
                + fmt(r.at(key + "_model_ms"), 1) + " ms)",
            r.at(key + "_paint_ms"), r.at(key + "_server_ms"), 1.5);
    limitGoal("U3", label + ": max GUI-thread lag while scrolling (drag and settle)",
        std::max(r.at("scroll_drag_lag_max_ms"), r.at("scroll_settle_lag_max_ms")), 50);
    limitGoal("U3", label + ": max GUI-thread lag, open/sort/filter", r.at("queries_lag_max_ms"), 50);
    ratioGoal("U4", "RSS(" + label + ")/RSS(D3), table open after scrolling", r.at("rss_mb"),
        base.at("rss_mb"), 1.5, " MB");
    ratioGoal("U2", "scroll frame p95 (" + label + ")/(D3)", r.at("scroll_settle_frame_p95_ms"),
        base.at("scroll_settle_frame_p95_ms"), 1.1);
}

Results readResults(const std::string& path)
{
    Results results;
    std::ifstream in(path);
    std::string key;
    double value;
    while (in >> key >> value)
        results[key] = value;
    return results;
}

} // namespace

int main(int argc, char** argv)
{
    if (hasFlag(argc, argv, "--help") || argValue(argc, argv, "--data", "").empty()) {
        std::cout << "usage: bench_ui --data DIR [--label D1] [--project bench/main] [--write FILE] "
                     "[--baseline FILE] [--unpinned]\n";
        return 2;
    }
    useOffscreenPlatform();
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1); // before the server opens anything
    QTemporaryDir settingsDir;
    QCoreApplication::setOrganizationName(QStringLiteral("spindle-bench-ui"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    TimedApp app(argc, argv);
    // The app pins Status and Name by default (an overlay view with its own viewport); --unpinned
    // measures the table as one view, as the runs before 2026-11-22 23:40 did.
    if (hasFlag(argc, argv, "--unpinned"))
        QSettings().setValue(QStringLiteral("columns/pinned"), false);
    const std::string label = argValue(argc, argv, "--label", "D1");
    const std::string baselinePath = argValue(argc, argv, "--baseline", "");
    const std::string writePath = argValue(argc, argv, "--write", "");
    try {
        const Results results = run(
            app, argValue(argc, argv, "--data", ""), label, argValue(argc, argv, "--project", "bench/main"));
        if (!baselinePath.empty())
            reportGoals(label, results, readResults(baselinePath));
        if (!writePath.empty()) {
            std::ofstream out(writePath);
            for (const auto& [key, value] : results)
                out << key << " " << value << "\n";
        }
    } catch (const std::exception& error) {
        std::cerr << "bench_ui: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
