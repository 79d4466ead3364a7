#pragma once
// Shared pieces of the Spindle benchmarks: the deterministic call generator (dataset D1 of
// docs/benchmarks.md), the raw-insert baseline, a minimal keep-alive HTTP/1.1 client, the
// sqlite3 CLI runner and result reporting. Benchmarks are not tests: they are never run by ctest.

#include "server/querycompiler.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace spindle::bench {

// ---------------------------------------------------------------------------------------------
// Dataset

// One generated call, already in the form the server stores (compact JSON text, micros).
struct GenCall
{
    std::string projectId, id, traceId;
    std::optional<std::string> parentId;
    std::string opName, opShort;
    std::int64_t startedAt = 0, endedAt = 0; // µs since the epoch, whole milliseconds
    std::string attributes, inputs; // compact JSON objects
    std::optional<std::string> output; // compact JSON, null when the call failed
    std::optional<std::string> exception;
    std::string summary; // compact JSON object with usage
    std::int64_t totalTokens = 0;
};

inline constexpr int kCallsPerTrace = 20;
inline constexpr const char* kMainProject = "bench/main"; // 90 % of the traces
inline constexpr const char* kSmallProject = "bench/small"; // every 10th trace
inline constexpr std::uint64_t kDefaultSeed = 20250106;

// What differs between datasets made by the same generator (the defaults make D1).
struct GeneratorOptions
{
    std::int64_t traceSpacingMicros = 1'000'000; // D1: one trace per second of simulated time
    // D4: each call's usage is for one of five models (one without a price: acme-finetune-v2) and a
    // root's summary.usage holds its whole trace's usage, as the SDKs roll it up.
    bool modelMix = false;
};

// D1: traces of 20 calls (a 3-ary tree: call i's parent is call (i-1)/3), one trace per second
// of simulated time, UUIDv7 ids derived from started_at, so generation order is time order.
// Trace k belongs to bench/small when k % 10 == 9, else to bench/main.
class CallGenerator
{
public:
    explicit CallGenerator(std::uint64_t seed = kDefaultSeed, GeneratorOptions options = {});
    // The simulated time of the first trace (µs since the epoch): 2025-01-06T00:00:00Z.
    static std::int64_t epochMicros();
    // Appends the 20 calls of the next trace to `out`.
    void nextTrace(std::vector<GenCall>& out);
    std::int64_t tracesGenerated() const
    {
        return m_trace;
    }

private:
    std::string uuid7(std::int64_t micros);
    std::string words(std::size_t length);
    void rollUpUsage(std::vector<GenCall>& out, std::size_t first, const std::vector<std::string>& models,
        const std::vector<std::int64_t>& prompts, const std::vector<std::int64_t>& completions);
    std::mt19937_64 m_rng;
    GeneratorOptions m_options;
    std::int64_t m_trace = 0;
};

// Wire form (TS SDK style): a start item and an end item for each call, 1000 calls per request.
std::string isoMillis(std::int64_t micros);
void appendStartItem(std::string& out, const GenCall& call);
void appendEndItem(std::string& out, const GenCall& call);
std::string upsertBatchBody(const std::vector<GenCall>& calls, std::size_t begin, std::size_t end);

// The baseline writer: prepared INSERT straight into `calls` of a database made by
// server::Database (same schema, indexes and connection settings), one transaction per batch.
// It binds exactly the columns the server's ingest writes, with the values the server would store.
class RawInserter
{
public:
    explicit RawInserter(const std::string& dbPath);
    ~RawInserter();
    void insert(const std::vector<GenCall>& calls, std::size_t begin, std::size_t end);

private:
    struct Impl;
    Impl* m_impl;
};

inline constexpr const char* kWbUserId = "local-user"; // what a server without an API key stamps

// ---------------------------------------------------------------------------------------------
// HTTP

// A blocking HTTP/1.1 client on one keep-alive connection (TCP_NODELAY), reconnecting when the
// server closes it. Handles Content-Length and chunked bodies.
class HttpClient
{
public:
    explicit HttpClient(int port);
    ~HttpClient();

    static constexpr std::size_t kScreenfulLines = 50; // what HttpWorker hands the table first
    struct Response
    {
        int status = 0;
        std::string body; // only when keepBody
        std::size_t bodyBytes = 0;
        std::size_t lines = 0; // '\n' count in the body
        double firstByteMs = 0; // request sent → first response byte
        double firstLineMs = -1; // request sent → first '\n' of the body (JSONL)
        double screenfulMs = -1; // request sent → the kScreenfulLines-th '\n' (a table's first screen)
        double totalMs = 0; // request sent → last body byte
        bool serverClosed = false; // the response said Connection: close
    };
    Response post(const std::string& path, const std::string& body, bool keepBody = true);
    int connectionsOpened() const
    {
        return m_connections;
    }

private:
    void connect();
    void disconnect();
    bool fill(); // reads more bytes into the buffer; false on EOF
    std::string_view buffered() const
    {
        return { m_buffer.data(), m_end };
    } // [0, m_end) is valid
    int m_port;
    int m_fd = -1;
    int m_connections = 0;
    std::string m_buffer; // sized once, never zero-filled again
    std::size_t m_pos = 0; // next unread byte
    std::size_t m_end = 0; // end of the received bytes
};

// ---------------------------------------------------------------------------------------------
// sqlite3 CLI

// Runs `sqlite3 <args...> <db>` with `script` on stdin and stdout to /dev/null; wall ms.
double runSqliteCli(
    const std::vector<std::string>& args, const std::string& dbPath, const std::string& script);
// The cost of one statement inside an already-running CLI: (T(1 + reps) − T(1)) / reps, where
// T(n) is a CLI process executing `statement` n times. Start-up, schema load and the first
// (cold) execution cancel out.
double cliStatementMs(
    const std::vector<std::string>& args, const std::string& dbPath, const std::string& statement, int reps);
std::string runSqliteCliOutput(const std::string& dbPath, const std::string& script);

// ---------------------------------------------------------------------------------------------
// Timing and reporting

using Clock = std::chrono::steady_clock;
inline double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}
double median(std::vector<double> values);
double percentile(std::vector<double> values, double p); // nearest-rank, p in [0, 100]
double mean(const std::vector<double>& values);

// One goal line. Printed human-readable and as a `RESULT|...` line that run.sh tabulates.
void reportGoal(const std::string& id, const std::string& metric, const std::string& ours,
    const std::string& baseline, const std::string& ratio, const std::string& goal, bool pass);
void reportInfo(const std::string& id, const std::string& metric, const std::string& value);
std::string fmt(double value, int decimals = 2);

// A server statement with its parameters written inline, for the sqlite3 CLI baseline. The
// server's SQL text only ever holds `?` placeholders (client values are always bound), so every
// '?' is a parameter.
std::string inlineSql(const server::Sql& sql);

// Tiny argument helper: --name value.
std::string argValue(int argc, char** argv, const std::string& name, const std::string& fallback);
bool hasFlag(int argc, char** argv, const std::string& name);

void removeTree(const std::string& path);
std::int64_t fileSize(const std::string& path);

} // namespace spindle::bench
