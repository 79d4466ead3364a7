// bench_query: goals Q1, Q2, Q4 and Q5 of performance.md §8.2 on dataset D1 (bench_dataset).
// Ours is an in-process TraceServer answering a keep-alive loopback client; the baseline is the
// `sqlite3` CLI on the same file running the same SQL: the statement the server prepares for the
// request (built here with the server's own parseCallsQuery, as CallStream does), with its bound
// parameters written inline. CLI times exclude process start-up: a statement's cost is
// (T(1 + reps) − T(1)) / reps, where T(n) is one CLI process running the statement n times.
#include "bench/common.h"
#include "server/callquery.h"
#include "server/json.h"
#include "server/traceserver.h"

#include <filesystem>
#include <iostream>
#include <sstream>

using namespace spindle::bench;

namespace {

const std::string kLive = "project_id = 'bench/main' AND deleted_at IS NULL AND started_at IS NOT NULL";

// The statement /calls/stream_query prepares for `body` (as CallStream's selectSql builds it),
// with `selectList` in place of the server's column list when given.
std::string streamSql(
    const std::string& body, const std::string& selectList = spindle::server::kCallSelectColumns)
{
    const auto request = spindle::server::parseJson(body);
    const auto query = spindle::server::parseCallsQuery(request);
    spindle::server::Sql sql { "SELECT " + selectList + " FROM calls WHERE ", {} };
    sql.append(query.where).append(" ORDER BY ").append(query.orderBy);
    sql.append(" LIMIT ").bind(query.limit.value_or(-1)).append(" OFFSET ").bind(query.offset);
    return inlineSql(sql) + ";";
}

// count(*) over the rows `body` selects (what calls/query_stats counts).
std::string countSql(const std::string& body)
{
    const auto request = spindle::server::parseJson(body);
    const auto query = spindle::server::parseCallsQuery(request);
    return "SELECT count(*) FROM calls WHERE " + inlineSql(query.where) + ";";
}

// SQLite's plan for `sql`, one line: a sorter ("USE TEMP B-TREE") or a table scan shows up here.
std::string queryPlan(const std::string& db, const std::string& sql)
{
    std::string plan, line;
    std::istringstream lines(runSqliteCliOutput(db, "EXPLAIN QUERY PLAN " + sql));
    while (std::getline(lines, line)) {
        const std::size_t text = line.find_first_not_of("|`- ");
        if (text == std::string::npos || line == "QUERY PLAN")
            continue;
        plan += (plan.empty() ? "" : "; ") + line.substr(text);
    }
    return plan;
}

std::vector<std::string> lineIds(const std::string& jsonl)
{
    std::vector<std::string> ids;
    std::size_t at = 0;
    while (at < jsonl.size()) {
        const std::size_t end = jsonl.find('\n', at);
        // Every line starts with {"id":"...".
        const std::size_t open = jsonl.find('"', at + 6);
        ids.push_back(jsonl.substr(open + 1, jsonl.find('"', open + 1) - open - 1));
        at = end == std::string::npos ? jsonl.size() : end + 1;
    }
    return ids;
}

// Runs ours and the baseline back to back, runs + 1 times; the first pair is the warm-up.
// Ratios are taken per pair (same moment, same machine state), then the median is reported.
struct Paired
{
    std::vector<double> ours, base, ratio; // ms; ratio = ours / base
};

template <typename Ours, typename Base> Paired paired(int runs, Ours&& ours, Base&& base)
{
    Paired result;
    for (int run = 0; run <= runs; ++run) {
        const double o = ours(run == 0);
        const double b = base();
        if (run == 0)
            continue;
        result.ours.push_back(o);
        result.base.push_back(b);
        result.ratio.push_back(o / b);
    }
    return result;
}

HttpClient::Response mustPost(
    HttpClient& client, const std::string& path, const std::string& body, bool keepBody = true)
{
    auto response = client.post(path, body, keepBody);
    if (response.status != 200)
        throw std::runtime_error(
            path + " answered " + std::to_string(response.status) + ": " + response.body.substr(0, 300));
    return response;
}

} // namespace

int main(int argc, char** argv)
{
    if (hasFlag(argc, argv, "--help")) {
        std::cout << "usage: bench_query [--data bench/data/d1] [--runs 5] [--requests 200] [--stream-rows "
                     "100000]\n";
        return 0;
    }
    const std::string dataDir = argValue(argc, argv, "--data", "bench/data/d1");
    const int runs = std::stoi(argValue(argc, argv, "--runs", "5"));
    const int requests = std::stoi(argValue(argc, argv, "--requests", "200"));
    const int streamRows = std::stoi(argValue(argc, argv, "--stream-rows", "100000"));
    const std::string db = dataDir + "/spindle.sqlite";
    if (fileSize(db) <= 0) {
        std::cerr << "bench_query: no dataset at " << db << " (run bench_dataset first)\n";
        return 2;
    }
    const long mainCalls =
        std::stol(runSqliteCliOutput(db, "SELECT count(*) FROM calls WHERE " + kLive + ";"));
    std::cout << "bench_query: " << db << " (" << mainCalls << " live calls in bench/main), " << runs
              << " runs after 1 warm-up\n";

    spindle::server::ServerOptions options;
    options.port = 0;
    options.dataDir = dataDir;
    spindle::server::TraceServer server(options);
    const int port = server.startInBackground();
    HttpClient client(port);

    // ------------------------------------------------------------------------------------------
    // Q1: first page of trace roots, newest first.
    double q1p50 = 0;
    const std::string q1Body = R"({"project_id":"bench/main","filter":{"trace_roots_only":true},)"
                               R"("sort_by":[{"field":"started_at","direction":"desc"}],"limit":50})";
    {
        const std::string sql = streamSql(q1Body);
        std::cout << "  Q1 SQL: " << streamSql(q1Body, "...") << "\n";
        reportInfo("Q1", "plan", queryPlan(db, sql));
        // Same rows, same order?
        const auto first = mustPost(client, "/calls/stream_query", q1Body);
        const std::string cliIds = runSqliteCliOutput(db, streamSql(q1Body, "id"));
        std::string ourIds;
        for (const auto& id : lineIds(first.body))
            ourIds += id + "\n";
        if (ourIds != cliIds + "\n")
            throw std::runtime_error("Q1: the server and the CLI returned different rows");

        std::vector<double> all;
        const int connectionsBefore = client.connectionsOpened();
        const Paired p = paired(
            runs,
            [&](bool warmUp) {
                std::vector<double> round;
                for (int i = 0; i < requests; ++i) {
                    const auto response = mustPost(client, "/calls/stream_query", q1Body, false);
                    if (response.lines != 50)
                        throw std::runtime_error(
                            "Q1: expected 50 lines, got " + std::to_string(response.lines));
                    round.push_back(response.totalMs);
                }
                if (!warmUp)
                    all.insert(all.end(), round.begin(), round.end());
                return mean(round);
            },
            [&] { return cliStatementMs({ "-json" }, db, sql, 1000); });
        const int connections = client.connectionsOpened() - connectionsBefore;
        const double ours = median(p.ours), base = median(p.base);
        q1p50 = percentile(all, 50);
        const double p95 = percentile(all, 95);
        reportGoal("Q1", "first page (50 roots, started_at desc), mean time-to-last-byte, ms", fmt(ours, 3),
            fmt(base, 3), fmt(median(p.ratio), 2) + "x", "<= 3x + 2 ms", ours <= 3 * base + 2);
        reportGoal("Q1", "first page p95 over " + std::to_string(all.size()) + " requests, ms", fmt(p95, 3),
            "-", "-", "<= 20 ms", p95 <= 20);
        reportInfo("Q1", "first page p50 / p95 / p99 / max (ms)",
            fmt(q1p50, 3) + " / " + fmt(p95, 3) + " / " + fmt(percentile(all, 99), 3) + " / "
                + fmt(percentile(all, 100), 3));
        reportInfo("Q1",
            "new TCP connections during " + std::to_string(all.size() + requests) + " keep-alive requests",
            std::to_string(connections));
    }

    // ------------------------------------------------------------------------------------------
    // Q2: an OFFSET page at 80 % depth of bench/main (all calls, newest first).
    {
        const long offset = mainCalls * 8 / 10;
        const std::string body =
            R"({"project_id":"bench/main","sort_by":[{"field":"started_at","direction":"desc"}],)"
            R"("limit":50,"offset":)"
            + std::to_string(offset) + "}";
        const std::string sql = streamSql(body);
        std::cout << "  Q2 SQL: " << streamSql(body, "...") << "\n";
        reportInfo("Q2", "plan", queryPlan(db, sql));
        const Paired p = paired(
            runs,
            [&](bool) {
                std::vector<double> round;
                for (int i = 0; i < 2; ++i)
                    round.push_back(mustPost(client, "/calls/stream_query", body, false).totalMs);
                return mean(round);
            },
            [&] { return cliStatementMs({ "-json" }, db, sql, 2); });
        reportGoal("Q2", "offset page at 80 % depth (offset " + std::to_string(offset) + "), ms",
            fmt(median(p.ours), 2), fmt(median(p.base), 2), fmt(median(p.ratio), 2) + "x", "<= 1.5x",
            median(p.ratio) <= 1.5);
    }

    // ------------------------------------------------------------------------------------------
    // Q4: stream 100k rows of JSONL vs `sqlite3 -json` to /dev/null.
    {
        const std::string limit = std::to_string(streamRows);
        const std::string body =
            R"({"project_id":"bench/main","sort_by":[{"field":"started_at","direction":"desc"}],)"
            R"("limit":)"
            + limit + "}";
        const std::string sql = streamSql(body);
        std::cout << "  Q4 SQL: " << streamSql(body, "...") << "\n";
        reportInfo("Q4", "plan", queryPlan(db, sql));
        const std::string pageBody =
            R"({"project_id":"bench/main","sort_by":[{"field":"started_at","direction":"desc"}],)"
            R"("limit":50})";
        std::vector<double> firstLine, firstByte, samePage;
        std::size_t bytes = 0;
        const Paired p = paired(
            runs,
            [&](bool warmUp) {
                // Each measured request follows a Q1, as in the Q1 loop, so that the stream's first
                // line and Q1 start from the same state. For comparison, a 50-row page of the
                // stream's own query is measured the same way.
                mustPost(client, "/calls/stream_query", q1Body, false);
                const double page = mustPost(client, "/calls/stream_query", pageBody, false).totalMs;
                mustPost(client, "/calls/stream_query", q1Body, false);
                const auto response = mustPost(client, "/calls/stream_query", body, false);
                if (response.lines != static_cast<std::size_t>(streamRows))
                    throw std::runtime_error(
                        "Q4: expected " + limit + " lines, got " + std::to_string(response.lines));
                if (!warmUp) {
                    samePage.push_back(page);
                    firstByte.push_back(response.firstByteMs);
                    firstLine.push_back(response.firstLineMs);
                    bytes = response.bodyBytes;
                }
                return response.totalMs;
            },
            [&] { return cliStatementMs({ "-json" }, db, sql, 1); });
        const std::size_t cliBytes = runSqliteCliOutput(db, ".mode json\n" + sql).size();
        const double o = median(p.ours), c = median(p.base);
        // Same rows: the throughput ratio is the inverse of the time ratio.
        std::vector<double> throughput;
        for (double r : p.ratio)
            throughput.push_back(1 / r);
        const double ratio = median(throughput);
        reportGoal("Q4", "stream " + limit + " rows, rows/s (JSONL vs sqlite3 -json > /dev/null)",
            fmt(streamRows / (o / 1000), 0), fmt(streamRows / (c / 1000), 0), fmt(ratio, 2) + "x", ">= 0.5x",
            ratio >= 0.5);
        reportInfo("Q4", "stream time ours / CLI (ms)", fmt(o, 0) + " / " + fmt(c, 0));
        reportInfo("Q4", "bytes ours / CLI (MB); MB/s ours / CLI",
            fmt(bytes / 1e6, 1) + " / " + fmt(cliBytes / 1e6, 1) + "; " + fmt(bytes / 1e3 / o, 1) + " / "
                + fmt(cliBytes / 1e3 / c, 1));
        const double ttfl = median(firstLine);
        reportGoal("Q4", "time to first line, ms (vs Q1 p50)", fmt(ttfl, 3), fmt(q1p50, 3),
            fmt(ttfl / q1p50, 2) + "x", "<= 1.2x Q1", ttfl <= 1.2 * q1p50);
        reportInfo("Q4",
            "stream: time to response headers / to first line (ms); last byte of a 50-row page of the "
            "same query, measured the same way (ms)",
            fmt(median(firstByte), 3) + " / " + fmt(ttfl, 3) + "; " + fmt(median(samePage), 3)
                + " (first line / page " + fmt(ttfl / median(samePage), 2) + "x)");
    }

    // ------------------------------------------------------------------------------------------
    // Q5: calls/query_stats count vs CLI count(*) with the same WHERE.
    {
        struct Case
        {
            const char* name;
            std::string body, sql;
        };
        const Case cases[] = {
            { "all calls", R"({"project_id":"bench/main"})", countSql(R"({"project_id":"bench/main"})") },
            { "trace roots", R"({"project_id":"bench/main","filter":{"trace_roots_only":true}})",
                countSql(R"({"project_id":"bench/main","filter":{"trace_roots_only":true}})") },
        };
        for (const auto& c : cases) {
            std::cout << "  Q5 SQL: " << c.sql << "\n";
            reportInfo("Q5", std::string("plan, ") + c.name, queryPlan(db, c.sql));
            const auto first = mustPost(client, "/calls/query_stats", c.body);
            const std::string cliCount = runSqliteCliOutput(db, c.sql);
            if (first.body != "{\"count\":" + cliCount + "}")
                throw std::runtime_error("Q5: " + first.body + " vs CLI " + cliCount);
            const Paired p = paired(
                runs,
                [&](bool) {
                    std::vector<double> round;
                    for (int i = 0; i < 2; ++i)
                        round.push_back(mustPost(client, "/calls/query_stats", c.body).totalMs);
                    return mean(round);
                },
                [&] { return cliStatementMs({}, db, c.sql, 2); });
            reportGoal("Q5", std::string("query_stats count, ") + c.name + " (" + cliCount + "), ms",
                fmt(median(p.ours), 2), fmt(median(p.base), 2), fmt(median(p.ratio), 2) + "x", "<= 1.5x",
                median(p.ratio) <= 1.5);
        }
        // For scale: the same count when it can be answered from an index alone.
        const std::string indexOnly = "SELECT count(*) FROM calls WHERE project_id = 'bench/main';";
        std::vector<double> cli;
        for (int run = 0; run < 3; ++run)
            cli.push_back(cliStatementMs({}, db, indexOnly, 3));
        reportInfo("Q5", "CLI count(*) WHERE project_id only (index-only scan), ms", fmt(median(cli), 2));
    }

    server.stop();
    return 0;
}
