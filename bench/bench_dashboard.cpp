// bench_dashboard: the cost dashboard on D4 (1 M calls over 30 days; bench_dataset --days 30
// --model-mix) on bench/main (900k calls, 45k roots): "last month" for the default filter (roots
// only) and for every call, and "last week" for every call (whose previous week has calls too).
//  - S1: each /calls/stats request the page sends (models::dashboardRequests, the page's own
//    bodies) against the sqlite3 CLI running equivalent SQL on the same file (dashboardsql.h),
//    paired runs, median of the per-pair ratios; goal ≤ 1.3×. The CLI also runs the server's scan
//    statement alone, which is the floor any answer pays for reading the rows.
//  - S2: one refresh's requests sent together (each on its own connection, as the page does),
//    until the last answer; goal ≤ 1 s.
//  - U8: the real DashboardPage on the same server: refresh → every chart shown, the longest
//    GUI-thread stall meanwhile (a 1 ms heartbeat), and each chart's redraw (grab()).
// Before timing, the server's answers are checked against the CLI: calls counted, total cost, and
// the usage sample's calls.
#include "bench/common.h"
#include "bench/dashboardsql.h"
#include "bench/uibench.h"
#include "models/dashboardmodel.h"
#include "net/traceclient.h"
#include "server/json.h"
#include "server/stats.h"
#include "server/traceserver.h"
#include "ui/dashboardpage.h"
#include "widgets/chartview.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

using namespace spindle;
using namespace spindle::bench;

namespace {

constexpr qint64 kMonth = 30 * 86400;

std::string text(const QJsonObject& json)
{
    return QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString();
}

HttpClient::Response mustPost(HttpClient& client, const std::string& body)
{
    auto response = client.post("/calls/stats", body);
    if (response.status != 200)
        throw std::runtime_error(
            "/calls/stats answered " + std::to_string(response.status) + ": " + response.body.substr(0, 300));
    return response;
}

std::string queryPlan(const std::string& db, const std::string& sql)
{
    std::string plan, line;
    std::istringstream lines(runSqliteCliOutput(db, "EXPLAIN QUERY PLAN " + sql));
    while (std::getline(lines, line)) {
        const std::size_t at = line.find_first_not_of("|`- ");
        if (at != std::string::npos && line != "QUERY PLAN")
            plan += (plan.empty() ? "" : "; ") + line.substr(at);
    }
    return plan;
}

// The server's answer agrees with the CLI: calls, total cost, sample calls.
void check(const std::string& name, const std::string& db, const QJsonObject& answer, const StatsSql& sql)
{
    qint64 calls = 0;
    for (const QJsonValue& bucket : answer.value(QStringLiteral("call_buckets")).toArray())
        calls += bucket[QStringLiteral("count")].toInteger();
    const std::string cliCalls = runSqliteCliOutput(db, sql.countCalls);
    double cost = 0;
    for (const QJsonValue& bucket : answer.value(QStringLiteral("usage_buckets")).toArray())
        cost += bucket[QStringLiteral("sum_total_cost")].toDouble();
    const double cliCost = std::stod("0" + runSqliteCliOutput(db, sql.totalCost));
    if (std::to_string(calls) != cliCalls || std::fabs(cost - cliCost) > 1e-6 * std::max(1.0, cliCost))
        throw std::runtime_error(name + ": server " + std::to_string(calls) + " calls, $" + fmt(cost, 6)
            + " vs CLI " + cliCalls + " calls, $" + fmt(cliCost, 6));
    std::string detail = cliCalls + " calls, $" + fmt(cost, 2) + " priced cost";
    if (!sql.sampleIds.empty()) {
        std::set<std::string> cliIds;
        std::istringstream lines(runSqliteCliOutput(db, sql.sampleIds));
        for (std::string id; std::getline(lines, id);)
            cliIds.insert(id);
        const QJsonArray sample = answer.value(QStringLiteral("usage_sample")).toArray();
        for (const QJsonValue& point : sample)
            if (!cliIds.count(point[QStringLiteral("id")].toString().toStdString()))
                throw std::runtime_error(name + ": sampled call not in the CLI's sample");
        detail += ", " + std::to_string(sample.size()) + " sample points of "
            + std::to_string(answer.value(QStringLiteral("usage_sample_of")).toInteger())
            + ", same calls as the CLI";
    }
    reportInfo("S1", name + ": checked against the CLI", detail);
}

struct Request
{
    std::string name;
    QJsonObject body;
};

// One refresh of the page: "last month" or "last week" for roots only (the default) or every call.
std::vector<Request> requestsFor(const std::string& view, bool rootsOnly, qint64 range, const QDateTime& end)
{
    CallsQuery query;
    query.projectId = QString::fromLatin1(kMainProject);
    query.rootsOnly = rootsOnly;
    const models::DashboardRequests r = models::dashboardRequests(query, end, range, true, 2000);
    const std::string period = range == kMonth ? "month" : "week";
    std::vector<Request> out { { view + ", current " + period + " (chart buckets, totals, by op, sample)",
                                   r.current },
        { view + ", previous " + period + " (one bucket)", r.previous } };
    if (r.roots)
        out.push_back({ view + ", cost report (root calls)", *r.roots });
    return out;
}

// S1 for one request; returns its median time.
double timeRequest(
    const Request& request, const std::string& db, HttpClient& client, int runs, std::int64_t nowUs)
{
    const std::string body = text(request.body);
    const StatsSql sql = equivalentSql(request.body);
    const auto scan = server::callsStatsSql(server::parseJson(body), nowUs);
    const std::string scanSql = scan.empty() ? std::string() : inlineSql(scan.front()) + ";";
    reportInfo("S1", request.name + ": scan plan", queryPlan(db, scanSql));
    check(request.name, db,
        QJsonDocument::fromJson(QByteArray::fromStdString(mustPost(client, body).body)).object(), sql);
    std::vector<double> ours, base, scanOnly, ratio;
    for (int run = 0; run <= runs; ++run) {
        const double o = mustPost(client, body).totalMs;
        const double b = cliStatementMs({}, db, sql.script, 1);
        const double s = cliStatementMs({}, db, scanSql, 1);
        if (run == 0)
            continue; // warm-up
        ours.push_back(o);
        base.push_back(b);
        scanOnly.push_back(s);
        ratio.push_back(o / b);
    }
    // An empty range (the month before D4) costs the CLI well under a millisecond: the ratio of two
    // sub-millisecond times is noise, so such a request only has to stay under 2 ms.
    const bool tiny = median(base) < 1;
    reportGoal("S1", request.name + ", ms", fmt(median(ours), 1), fmt(median(base), 1),
        tiny ? "-" : fmt(median(ratio), 2) + "x", "<= 1.3x (< 2 ms if the CLI needs < 1 ms)",
        tiny ? median(ours) < 2 : median(ratio) <= 1.3);
    reportInfo("S1", request.name + ": CLI running the server's scan alone, ms (ours / scan)",
        fmt(median(scanOnly), 1) + " (" + fmt(median(ours) / median(scanOnly), 2) + "x)");
    return median(ours);
}

// S2: every request of one refresh at once, each on its own keep-alive connection.
void timeTogether(
    const std::string& view, const std::vector<Request>& requests, int port, int runs, double sequential)
{
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (std::size_t i = 0; i < requests.size(); ++i)
        clients.push_back(std::make_unique<HttpClient>(port));
    std::vector<double> walls;
    for (int run = 0; run <= runs; ++run) {
        const auto start = Clock::now();
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < requests.size(); ++i)
            threads.emplace_back([&, i] { mustPost(*clients[i], text(requests[i].body)); });
        for (auto& thread : threads)
            thread.join();
        if (run > 0)
            walls.push_back(msSince(start));
    }
    reportGoal("S2", view + ": one refresh's " + std::to_string(requests.size()) + " requests together, ms",
        fmt(median(walls), 1), "-", "-", "<= 1000 ms", median(walls) <= 1000);
    reportInfo("S2", view + ": the same one after another (sum of S1 medians), ms", fmt(sequential, 1));
}

bool waitLoaded(ui::DashboardPage& page, const std::function<void()>& start)
{
    bool loaded = false;
    const auto connection = QObject::connect(&page, &ui::DashboardPage::loaded, [&] { loaded = true; });
    start();
    const bool ok = spinUntil([&] { return loaded; }, 60000);
    QObject::disconnect(connection);
    return ok;
}

// U8: the page itself on "last month", default filter.
void timePage(int port, const QDateTime& end, int runs)
{
    net::TraceClient client;
    client.setConnection({ QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), {} });
    ui::DashboardPage page(&client);
    page.resize(1280, 1100);
    page.setNow(end);
    page.show();
    if (!waitLoaded(page, [&] { page.setProject(QString::fromLatin1(kMainProject)); })
        || !waitLoaded(page, [&] { page.setRangeIndex(3); }))
        throw std::runtime_error("U8: the dashboard did not load");
    reportInfo("U8", "the page shows (calls, cost report calls, extensions)",
        std::to_string(page.summary().totals.calls) + ", " + std::to_string(page.costReport().calls) + ", "
            + (page.usesExtensions() ? "on" : "off"));
    Heartbeat beat;
    std::vector<double> loadMs, lagMs, lagCpu;
    std::map<std::string, std::vector<double>> redraw;
    for (int run = 0; run <= runs; ++run) {
        beat.clear();
        beat.start();
        const auto start = Clock::now();
        if (!waitLoaded(page, [&] { page.refresh(); }))
            throw std::runtime_error("U8: refresh did not finish");
        const double ms = msSince(start);
        spinFor(300); // the charts' paints follow loaded()
        beat.stop();
        if (run == 0)
            continue;
        loadMs.push_back(ms);
        lagMs.push_back(beat.maxGap());
        lagCpu.push_back(beat.cpuInMaxGap());
        for (widgets::ChartView* chart : page.findChildren<widgets::ChartView*>()) {
            const auto t = Clock::now();
            chart->grab();
            redraw[chart->objectName().toStdString()].push_back(msSince(t));
        }
    }
    reportInfo("U8", "last month, roots: refresh → loaded (answers in, every chart drawn), median ms",
        fmt(median(loadMs), 1));
    reportGoal("U8",
        "longest GUI-thread stall during a refresh (median of runs; CPU in it " + fmt(median(lagCpu), 1)
            + " ms), ms",
        fmt(median(lagMs), 1), "-", "-", "<= 50 ms", median(lagMs) <= 50);
    double worst = 0;
    std::string each;
    for (const auto& [name, times] : redraw) {
        worst = std::max(worst, median(times));
        each += (each.empty() ? "" : ", ") + name + " " + fmt(median(times), 1);
    }
    reportInfo("U8", "redraw (grab) per chart, median ms", each);
    reportGoal(
        "U8", "slowest chart redraw, software raster, ms", fmt(worst, 1), "-", "-", "<= 16 ms", worst <= 16);
    for (const auto& [name, summary] :
        static_cast<TimedApp*>(QCoreApplication::instance())->slowEventSummary())
        reportInfo("U8", "slow GUI-thread event: " + name, summary);
    const auto& s = page.series();
    std::size_t most = 0;
    for (const auto* group : { &s.costByModel, &s.costByOp, &s.tokens, &s.calls, &s.latency, &s.scatter })
        for (const auto& series : *group)
            most = std::max<std::size_t>(most, series.points.size());
    reportGoal(
        "U8", "most points in one plotted series", std::to_string(most), "-", "-", "<= 2000", most <= 2000);
}

} // namespace

int main(int argc, char** argv)
{
    useOffscreenPlatform();
    TimedApp app(argc, argv);
    if (hasFlag(argc, argv, "--help")) {
        std::cout << "usage: bench_dashboard [--data bench/data/d4] [--runs 5] [--no-gui | --gui-only]"
                     " [--together-only]\n"
                     "  --together-only: S2 alone (no CLI baselines, no page), for quick re-measuring\n";
        return 0;
    }
    const std::string dataDir = argValue(argc, argv, "--data", "bench/data/d4");
    const int runs = std::stoi(argValue(argc, argv, "--runs", "5"));
    const std::string db = dataDir + "/spindle.sqlite";
    if (fileSize(db) <= 0) {
        std::cerr << "bench_dashboard: no dataset at " << db << " (bench_dataset --out " << dataDir
                  << " --days 30 --model-mix)\n";
        return 2;
    }
    // "Now" is the second after the last call, so "last month" holds the whole dataset.
    const std::int64_t last = std::stoll(runSqliteCliOutput(db, "SELECT max(started_at) FROM calls;"));
    const QDateTime end = QDateTime::fromSecsSinceEpoch(last / 1'000'000 + 1, Qt::UTC);
    std::cout << "bench_dashboard: " << db
              << ", last month = " << end.addSecs(-kMonth).toString(Qt::ISODate).toStdString() << " – "
              << end.toString(Qt::ISODate).toStdString() << ", " << runs << " runs after 1 warm-up\n";
    try {
        server::ServerOptions options;
        options.port = 0;
        options.dataDir = dataDir;
        server::TraceServer server(options);
        const int port = server.startInBackground();
        HttpClient client(port);
        struct View
        {
            std::string name;
            bool rootsOnly;
            qint64 range;
        };
        for (const View& view : { View { "roots", true, kMonth }, View { "all calls", false, kMonth },
                 View { "all calls", false, 7 * 86400 } }) {
            if (hasFlag(argc, argv, "--gui-only"))
                break;
            const auto requests = requestsFor(view.name, view.rootsOnly, view.range, end);
            double sequential = 0;
            if (!hasFlag(argc, argv, "--together-only"))
                for (const Request& request : requests)
                    sequential += timeRequest(request, db, client, runs, end.toMSecsSinceEpoch() * 1000);
            timeTogether(
                view.name + (view.range == kMonth ? ", month" : ", week"), requests, port, runs, sequential);
        }
        if (!hasFlag(argc, argv, "--no-gui") && !hasFlag(argc, argv, "--together-only"))
            timePage(port, end, runs);
        server.stop();
    } catch (const std::exception& e) {
        std::cerr << "bench_dashboard: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
