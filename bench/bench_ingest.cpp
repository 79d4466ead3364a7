// bench_ingest: goal I2/I7 of performance.md §8.1.
//   ours:     POST /call/upsert_batch, 1000 calls per request (each call a start item and an end
//             item), one client on one keep-alive loopback connection, in-process TraceServer.
//   baseline: the same rows through prepared INSERTs straight into `calls` of a database created
//             by server::Database (same schema, indexes, pragmas), 1000 rows per transaction.
// Each run starts from an empty database. The request bodies and the rows are generated before
// the clock starts. Reports the median of N runs after one warm-up run; the warm-up run also
// checks that both paths stored identical rows.
#include "bench/common.h"
#include "server/json.h"
#include "server/traceserver.h"

#include <filesystem>
#include <httplib.h>
#include <iostream>
#include <sqlite3.h>

using namespace spindle::bench;

namespace {

struct RunResult
{
    double ms = 0;
    std::vector<double> latencies; // per request (HTTP only)
    int connections = 0;
};

RunResult runRaw(const std::string& dir, const std::vector<GenCall>& calls)
{
    removeTree(dir);
    std::filesystem::create_directories(dir);
    RunResult result;
    RawInserter inserter(dir + "/spindle.sqlite");
    const auto start = Clock::now();
    for (std::size_t begin = 0; begin < calls.size(); begin += 1000)
        inserter.insert(calls, begin, std::min(calls.size(), begin + 1000));
    result.ms = msSince(start);
    return result;
}

RunResult runHttp(const std::string& dir, const std::vector<std::string>& bodies)
{
    removeTree(dir);
    std::filesystem::create_directories(dir);
    spindle::server::ServerOptions options;
    options.port = 0;
    options.dataDir = dir;
    spindle::server::TraceServer server(options);
    const int port = server.startInBackground();
    RunResult result;
    {
        HttpClient client(port);
        const auto start = Clock::now();
        for (const auto& body : bodies) {
            const auto response = client.post("/call/upsert_batch", body);
            if (response.status != 200)
                throw std::runtime_error("upsert_batch answered " + std::to_string(response.status) + ": "
                    + response.body.substr(0, 300));
            result.latencies.push_back(response.totalMs);
        }
        result.ms = msSince(start);
        result.connections = client.connectionsOpened();
    }
    server.stop();
    return result;
}

// The HTTP layer alone: the same bodies POSTed to a bare cpp-httplib server (same library and
// settings as TraceServer) whose handler answers {} without looking at the body.
double runTransportOnly(const std::vector<std::string>& bodies)
{
    httplib::Server http;
    http.set_tcp_nodelay(true);
    http.set_payload_max_length(32u << 20);
    http.Post("/call/upsert_batch",
        [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
    const int port = http.bind_to_any_port("127.0.0.1");
    std::thread thread([&] { http.listen_after_bind(); });
    while (!http.is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    double ms = 0;
    {
        HttpClient client(port);
        const auto start = Clock::now();
        for (const auto& body : bodies)
            if (client.post("/call/upsert_batch", body).status != 200)
                throw std::runtime_error("transport-only server failed");
        ms = msSince(start);
    }
    http.stop();
    thread.join();
    return ms;
}

// The server's own request parser (spindle::server::parseJson) over the same bodies.
double runParseOnly(const std::vector<std::string>& bodies)
{
    const auto start = Clock::now();
    std::size_t items = 0;
    for (const auto& body : bodies)
        items += spindle::server::parseJson(body)["batch"].Size();
    const double ms = msSince(start);
    if (items == 0)
        throw std::runtime_error("parse-only: no items");
    return ms;
}

// Both databases must hold the same rows, column for column.
void verifySame(const std::string& rawDb, const std::string& httpDb, std::size_t expected)
{
    sqlite3* db = nullptr;
    sqlite3_open_v2(rawDb.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* attach = nullptr;
    sqlite3_prepare_v2(db, "ATTACH ?1 AS h", -1, &attach, nullptr);
    sqlite3_bind_text(attach, 1, httpDb.c_str(), -1, SQLITE_TRANSIENT);
    const int attached = sqlite3_step(attach);
    sqlite3_finalize(attach);
    if (attached != SQLITE_DONE)
        throw std::runtime_error(std::string("verify: attach: ") + sqlite3_errmsg(db));
    const std::string sql =
        "CREATE TEMP VIEW diff AS SELECT count(*) AS n FROM main.calls a JOIN h.calls b USING (project_id, "
        "id) WHERE "
        "a.trace_id IS NOT b.trace_id OR a.parent_id IS NOT b.parent_id OR a.thread_id IS NOT b.thread_id OR "
        "a.turn_id IS NOT b.turn_id OR a.op_name IS NOT b.op_name OR a.op_short IS NOT b.op_short OR "
        "a.display_name IS NOT b.display_name OR a.started_at IS NOT b.started_at OR a.ended_at IS NOT "
        "b.ended_at OR "
        "a.exception IS NOT b.exception OR a.attributes IS NOT b.attributes OR a.inputs IS NOT b.inputs OR "
        "a.input_refs IS NOT b.input_refs OR a.output IS NOT b.output OR a.output_refs IS NOT b.output_refs "
        "OR "
        "a.summary IS NOT b.summary OR a.wb_user_id IS NOT b.wb_user_id OR a.wb_run_id IS NOT b.wb_run_id OR "
        "a.wb_run_step IS NOT b.wb_run_step OR a.wb_run_step_end IS NOT b.wb_run_step_end OR "
        "a.deleted_at IS NOT b.deleted_at OR a.descendant_error IS NOT b.descendant_error OR "
        "a.total_tokens IS NOT b.total_tokens OR a.status IS NOT b.status;";
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK)
        throw std::runtime_error(std::string("verify: ") + (error ? error : "?"));
    const auto scalar = [&](const char* query) {
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(db, query, -1, &stmt, nullptr);
        sqlite3_step(stmt);
        const auto value = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        return value;
    };
    const auto rawCount = scalar("SELECT count(*) FROM main.calls");
    const auto httpCount = scalar("SELECT count(*) FROM h.calls");
    const auto joined = scalar("SELECT count(*) FROM main.calls JOIN h.calls USING (project_id, id)");
    const auto differing = scalar("SELECT n FROM diff");
    sqlite3_close(db);
    std::cout << "  verify: raw rows " << rawCount << ", HTTP rows " << httpCount << ", matched " << joined
              << ", differing " << differing << "\n";
    if (rawCount != static_cast<std::int64_t>(expected) || httpCount != rawCount || joined != rawCount
        || differing != 0)
        throw std::runtime_error("the HTTP path and the raw path stored different rows");
}

} // namespace

int main(int argc, char** argv)
{
    if (hasFlag(argc, argv, "--help")) {
        std::cout << "usage: bench_ingest [--data DIR] [--calls 200000] [--runs 5] [--only http|raw]\n"
                     "  --only: run one side only (for profiling); prints no goal lines\n";
        return 0;
    }
    const std::string data = argValue(argc, argv, "--data", "bench/data");
    const std::size_t callCount = std::stoul(argValue(argc, argv, "--calls", "200000"));
    const int runs = std::stoi(argValue(argc, argv, "--runs", "5"));
    const std::string only = argValue(argc, argv, "--only", "");
    const std::size_t traces = (callCount + kCallsPerTrace - 1) / kCallsPerTrace;

    std::cout << "bench_ingest: " << traces * kCallsPerTrace << " calls (first " << traces
              << " traces of D1), 1000 calls per request/transaction, " << runs << " runs after 1 warm-up\n";
    std::vector<GenCall> calls;
    calls.reserve(traces * kCallsPerTrace);
    CallGenerator generator;
    while (static_cast<std::size_t>(generator.tracesGenerated()) < traces)
        generator.nextTrace(calls);
    std::vector<std::string> bodies;
    std::size_t bodyBytes = 0;
    for (std::size_t begin = 0; begin < calls.size(); begin += 1000) {
        bodies.push_back(upsertBatchBody(calls, begin, std::min(calls.size(), begin + 1000)));
        bodyBytes += bodies.back().size();
    }
    std::cout << "  " << bodies.size() << " request bodies, mean " << fmt(bodyBytes / bodies.size() / 1e6, 2)
              << " MB (" << fmt(static_cast<double>(bodyBytes) / calls.size(), 0) << " B per call)\n";

    const std::string rawDir = data + "/ingest-raw";
    const std::string httpDir = data + "/ingest-http";
    std::vector<double> httpMs, rawMs;
    std::vector<double> rawRates, httpRates, ratios, latencies, transportMs, parseMs;
    int connections = 0;
    if (!only.empty()) {
        for (int run = 0; run <= runs; ++run) {
            const RunResult result = only == "raw" ? runRaw(rawDir, calls) : runHttp(httpDir, bodies);
            std::cout << "  " << only << " run " << run << ": " << fmt(result.ms / 1000, 2) << " s ("
                      << fmt(calls.size() / (result.ms / 1000), 0) << " calls/s)\n";
        }
        removeTree(rawDir);
        removeTree(httpDir);
        return 0;
    }
    for (int run = 0; run <= runs; ++run) {
        // Alternate the order so that disk write-back from one run does not always land on the same side.
        RunResult raw, http;
        if (run % 2 == 0) {
            raw = runRaw(rawDir, calls);
            http = runHttp(httpDir, bodies);
        } else {
            http = runHttp(httpDir, bodies);
            raw = runRaw(rawDir, calls);
        }
        const double rawRate = calls.size() / (raw.ms / 1000), httpRate = calls.size() / (http.ms / 1000);
        httpMs.push_back(http.ms);
        rawMs.push_back(raw.ms);
        std::cout << "  " << (run == 0 ? "warm-up" : "run " + std::to_string(run)) << ": raw "
                  << fmt(raw.ms / 1000, 2) << " s (" << fmt(rawRate, 0) << " calls/s), HTTP "
                  << fmt(http.ms / 1000, 2) << " s (" << fmt(httpRate, 0) << " calls/s), ratio "
                  << fmt(httpRate / rawRate, 2) << "\n"
                  << std::flush;
        if (run == 0) {
            verifySame(rawDir + "/spindle.sqlite", httpDir + "/spindle.sqlite", calls.size());
            continue;
        }
        transportMs.push_back(runTransportOnly(bodies));
        parseMs.push_back(runParseOnly(bodies));
        rawRates.push_back(rawRate);
        ratios.push_back(httpRate / rawRate);
        httpRates.push_back(httpRate);
        latencies.insert(latencies.end(), http.latencies.begin(), http.latencies.end());
        connections = http.connections;
    }
    removeTree(rawDir);
    removeTree(httpDir);

    // The ratio is taken per run (both sides measured back to back), then the median is reported.
    const double raw = median(rawRates), http = median(httpRates);
    const double ratio = median(ratios);
    reportGoal("I2", "HTTP upsert_batch vs raw insert, calls/s (" + std::to_string(calls.size()) + " calls)",
        fmt(http, 0), fmt(raw, 0), fmt(ratio, 2), ">= 0.5x", ratio >= 0.5);
    reportGoal("I7", "HTTP ingest absolute, calls/s", fmt(http, 0), "-", "-", ">= 20000", http >= 20000);
    const double p50 = percentile(latencies, 50), p95 = percentile(latencies, 95),
                 p99 = percentile(latencies, 99);
    reportInfo("I6", "1000-call request latency p50 / p95 / p99 (ms)",
        fmt(p50, 1) + " / " + fmt(p95, 1) + " / " + fmt(p99, 1) + " (p99/p50 " + fmt(p99 / p50, 2) + ")");
    // Where the time of one 1000-call request goes (medians over the runs, warm-up excluded).
    const double requests = static_cast<double>(bodies.size());
    httpMs.erase(httpMs.begin());
    rawMs.erase(rawMs.begin());
    const double perHttp = median(httpMs) / requests, perRaw = median(rawMs) / requests;
    const double perTransport = median(transportMs) / requests, perParse = median(parseMs) / requests;
    reportInfo("I2",
        "per 1000-call request (ms): HTTP total / transport only / parseJson only / raw insert / rest",
        fmt(perHttp, 1) + " / " + fmt(perTransport, 1) + " / " + fmt(perParse, 1) + " / " + fmt(perRaw, 1)
            + " / " + fmt(perHttp - perTransport - perParse - perRaw, 1));
    reportInfo("I2", "TCP connections opened for " + std::to_string(bodies.size()) + " requests",
        std::to_string(connections));
    return 0;
}
