#include "bench/common.h"

#include "core/timeformat.h"
#include "core/weaveref.h"
#include "server/database.h"
#include "server/json.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <numeric>
#include <spawn.h>
#include <sqlite3.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <variant>

extern char** environ;

namespace spindle::bench {

using server::appendJsonString;

// ---------------------------------------------------------------------------------------------
// Dataset

namespace {

const char* const kWords[] = {
    "the",
    "model",
    "answer",
    "question",
    "context",
    "retrieval",
    "document",
    "agent",
    "tool",
    "result",
    "summary",
    "please",
    "explain",
    "briefly",
    "using",
    "only",
    "facts",
    "from",
    "source",
    "search",
    "query",
    "returned",
    "several",
    "relevant",
    "pages",
    "about",
    "latency",
    "budget",
    "token",
    "usage",
    "report",
    "customer",
    "invoice",
    "shipping",
    "delay",
    "refund",
    "policy",
    "section",
    "clause",
    "within",
    "thirty",
    "days",
    "of",
    "purchase",
    "and",
    "with",
    "a",
    "receipt",
    "the",
    "user",
    "asked",
    "whether",
    "weather",
    "in",
    "Zürich",
    "is",
    "sunny",
    "today",
    "\"quote\"",
    "step",
    "plan",
    "execute",
    "verify",
    "done",
};
constexpr std::size_t kWordCount = sizeof kWords / sizeof kWords[0];

constexpr std::int64_t kEpoch = 1736121600000000; // 2025-01-06T00:00:00Z in µs

std::string opRef(const std::string& project, const char* name, const char* digest)
{
    return std::string("weave:///") + project + "/op/" + name + ":" + digest;
}

} // namespace

CallGenerator::CallGenerator(std::uint64_t seed, GeneratorOptions options)
    : m_rng(seed)
    , m_options(options)
{
}

std::int64_t CallGenerator::epochMicros()
{
    return kEpoch;
}

namespace {

// D4's models by share of calls; picked by a hash of the call's position, so the random stream
// (and everything else about the calls) stays that of D1.
const char* mixModel(std::int64_t trace, int i)
{
    const std::uint64_t h = (static_cast<std::uint64_t>(trace * kCallsPerTrace + i) * 2654435761ULL) % 100;
    return h < 50 ? "gpt-4o-mini-2024-07-18"
        : h < 70  ? "gpt-4o-2024-08-06"
        : h < 85  ? "claude-3-5-haiku-20241022"
        : h < 95  ? "claude-3-5-sonnet-20241022"
                  : "acme-finetune-v2";
}

std::string usageEntry(
    const std::string& model, std::int64_t requests, std::int64_t prompt, std::int64_t completion)
{
    return "\"" + model + R"(":{"requests":)" + std::to_string(requests) + R"(,"prompt_tokens":)"
        + std::to_string(prompt) + R"(,"completion_tokens":)" + std::to_string(completion)
        + R"(,"total_tokens":)" + std::to_string(prompt + completion) + "}";
}

} // namespace

// The root's usage becomes the sum over its trace, by model (the root's own included).
void CallGenerator::rollUpUsage(std::vector<GenCall>& out, std::size_t first,
    const std::vector<std::string>& models, const std::vector<std::int64_t>& prompts,
    const std::vector<std::int64_t>& completions)
{
    std::vector<std::string> names;
    std::vector<std::int64_t> requests, prompt, completion;
    for (std::size_t i = 0; i < models.size(); ++i) {
        const auto at = std::find(names.begin(), names.end(), models[i]) - names.begin();
        if (at == static_cast<std::ptrdiff_t>(names.size())) {
            names.push_back(models[i]);
            requests.push_back(0);
            prompt.push_back(0);
            completion.push_back(0);
        }
        ++requests[at];
        prompt[at] += prompts[i];
        completion[at] += completions[i];
    }
    std::string usage;
    std::int64_t total = 0;
    for (std::size_t m = 0; m < names.size(); ++m) {
        usage += (m ? "," : "") + usageEntry(names[m], requests[m], prompt[m], completion[m]);
        total += prompt[m] + completion[m];
    }
    out[first].summary = R"({"usage":{)" + usage + "}}";
    out[first].totalTokens = total;
}

std::string CallGenerator::uuid7(std::int64_t micros)
{
    const std::uint64_t millis = static_cast<std::uint64_t>(micros / 1000);
    const std::uint64_t random = m_rng();
    const unsigned randA = static_cast<unsigned>(random & 0x0FFF);
    const std::uint64_t randB = (random >> 12) & 0x3FFFFFFFFFFFFFFFULL;
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%08x-%04x-7%03x-%04x-%012llx", static_cast<unsigned>(millis >> 16),
        static_cast<unsigned>(millis & 0xFFFF), randA, static_cast<unsigned>(0x8000 | (randB >> 48)),
        static_cast<unsigned long long>(randB & 0xFFFFFFFFFFFFULL));
    return buffer;
}

std::string CallGenerator::words(std::size_t length)
{
    std::string out;
    out.reserve(length + 16);
    while (out.size() < length) {
        if (!out.empty())
            out.push_back(m_rng() % 23 == 0 ? '\n' : ' ');
        out += kWords[m_rng() % kWordCount];
    }
    // Never cut a multi-byte UTF-8 sequence.
    std::size_t cut = std::min(length, out.size());
    while (cut > 0 && cut < out.size() && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
        --cut;
    out.resize(cut);
    return out;
}

void CallGenerator::nextTrace(std::vector<GenCall>& out)
{
    const std::int64_t k = m_trace++;
    const std::string project = k % 10 == 9 ? kSmallProject : kMainProject;
    const std::int64_t traceStart = kEpoch + k * m_options.traceSpacingMicros;
    std::vector<std::string> models;
    std::vector<std::int64_t> prompts, completions;
    const std::size_t first = out.size();
    for (int i = 0; i < kCallsPerTrace; ++i) {
        GenCall call;
        call.projectId = project;
        call.startedAt = traceStart + i * 20'000;
        // Parents end after their children (children have larger i and end earlier).
        call.endedAt = traceStart + 500'000 - i * 5'000 + static_cast<std::int64_t>(m_rng() % 5) * 1'000;
        call.id = uuid7(call.startedAt);
        call.traceId = i == 0 ? uuid7(call.startedAt) : out[first].traceId;
        if (i > 0)
            call.parentId = out[first + (i - 1) / 3].id;
        if (i == 0)
            call.opName = opRef(project, "agent.run", "Zq8dLr0xgTu3kMPyWb2NvA7cYhJ1sE4oRfKiXmUwQlB");
        else if (i % 3 == 1)
            call.opName = opRef(project, "llm.chat", "Hk3VbN9qWe5TyUi0OpAsDf2GhJkL4zXcVbNm8QwErTy");
        else if (i % 3 == 2)
            call.opName = opRef(project, "tool.search", "Pq7RsT1uVw3XyZa5BcDe9FgHi2JkLm4NoPq6RsTuVwX");
        else
            call.opName = opRef(project, "tool.fetch_page", "Mn2BvC4xZa6SdF8gHj0KlQ1wE3rT5yU7iO9pAsDfGhJ");
        call.opShort = opShortName(call.opName);
        call.attributes = R"({"weave":{"client_version":"0.11.1","source":"js-sdk"}})";

        // inputs ≈ 420 B
        const std::string system = words(50 + m_rng() % 20);
        std::string inputs = R"({"messages":[{"role":"system","content":)";
        const std::size_t userTarget = 212 + m_rng() % 30;
        appendJsonString(inputs, system);
        inputs += R"(},{"role":"user","content":)";
        appendJsonString(inputs, words(userTarget));
        inputs += R"(}],"model":"gpt-4o-mini","temperature":0.7,"max_tokens":512})";
        call.inputs = std::move(inputs);

        const std::int64_t prompt = 200 + static_cast<std::int64_t>(m_rng() % 800);
        const std::int64_t completion = 20 + static_cast<std::int64_t>(m_rng() % 300);
        if (m_rng() % 50 == 0) {
            call.exception = "RuntimeError: upstream model timed out after 30s (attempt 3 of 3)";
        } else {
            // output ≈ 310 B
            char id[32];
            std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(m_rng()));
            std::string output = std::string(R"({"id":"chatcmpl-)") + id
                + R"(","choices":[{"index":0,"message":{"role":"assistant","content":)";
            appendJsonString(output, words(134 + m_rng() % 30));
            output += R"(},"finish_reason":"stop"}],"model":"gpt-4o-mini-2024-07-18"})";
            call.output = std::move(output);
        }
        // summary ≈ 110 B
        call.totalTokens = prompt + completion;
        const std::string model = m_options.modelMix ? mixModel(k, i) : "gpt-4o-mini-2024-07-18";
        call.summary = R"({"usage":{)" + usageEntry(model, 1, prompt, completion) + "}}";
        models.push_back(model);
        prompts.push_back(prompt);
        completions.push_back(completion);
        out.push_back(std::move(call));
    }
    if (m_options.modelMix)
        rollUpUsage(out, first, models, prompts, completions);
}

std::string isoMillis(std::int64_t micros)
{
    // "2025-01-06T00:00:00.000000Z" → "2025-01-06T00:00:00.000Z", like JavaScript's toISOString().
    std::string text = formatIsoTime(micros);
    text.erase(text.size() - 4, 3);
    return text;
}

void appendStartItem(std::string& out, const GenCall& call)
{
    out += R"({"mode":"start","req":{"start":{"project_id":)";
    appendJsonString(out, call.projectId);
    out += R"(,"id":")" + call.id + R"(","trace_id":")" + call.traceId + '"';
    if (call.parentId)
        out += R"(,"parent_id":")" + *call.parentId + '"';
    out += R"(,"op_name":)";
    appendJsonString(out, call.opName);
    out += R"(,"started_at":")" + isoMillis(call.startedAt) + R"(","attributes":)";
    out += call.attributes;
    out += R"(,"inputs":)";
    out += call.inputs;
    out += "}}}";
}

void appendEndItem(std::string& out, const GenCall& call)
{
    out += R"({"mode":"end","req":{"end":{"project_id":)";
    appendJsonString(out, call.projectId);
    out += R"(,"id":")" + call.id + R"(","ended_at":")" + isoMillis(call.endedAt) + R"(","output":)";
    out += call.output ? *call.output : std::string("null");
    if (call.exception) {
        out += R"(,"exception":)";
        appendJsonString(out, *call.exception);
    }
    out += R"(,"summary":)";
    out += call.summary;
    out += "}}}";
}

std::string upsertBatchBody(const std::vector<GenCall>& calls, std::size_t begin, std::size_t end)
{
    std::string body = R"({"batch":[)";
    body.reserve((end - begin) * 1700);
    for (std::size_t i = begin; i < end; ++i) {
        if (i > begin)
            body.push_back(',');
        appendStartItem(body, calls[i]);
        body.push_back(',');
        appendEndItem(body, calls[i]);
    }
    return body + "]}";
}

struct RawInserter::Impl
{
    explicit Impl(const std::string& path)
        : db(path)
    {
    }
    ~Impl()
    {
        sqlite3_finalize(stmt);
    }
    server::Database db;
    sqlite3_stmt* stmt = nullptr;
};

RawInserter::RawInserter(const std::string& dbPath)
    : m_impl(new Impl(dbPath))
{
}

RawInserter::~RawInserter()
{
    delete m_impl;
}

void RawInserter::insert(const std::vector<GenCall>& calls, std::size_t begin, std::size_t end)
{
    m_impl->db.write([&](server::Connection& connection) {
        sqlite3* db = connection.handle();
        sqlite3_stmt*& stmt = m_impl->stmt;
        if (!stmt) {
            const char* sql =
                "INSERT INTO calls (project_id, id, trace_id, parent_id, thread_id, turn_id, op_name, "
                "op_short, display_name, started_at, attributes, inputs, input_refs, wb_user_id, "
                "wb_run_id, wb_run_step, ended_at, exception, output, output_refs, summary, "
                "wb_run_step_end, descendant_error, total_tokens) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
            if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
                throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db));
        }
        const auto text = [&](int index, const std::string& value) {
            sqlite3_bind_text64(stmt, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
        };
        const auto optionalText = [&](int index, const std::optional<std::string>& value) {
            if (value)
                text(index, *value);
            else
                sqlite3_bind_null(stmt, index);
        };
        static const std::string emptyRefs = "[]";
        static const std::string userId = kWbUserId;
        for (std::size_t i = begin; i < end; ++i) {
            const GenCall& c = calls[i];
            text(1, c.projectId);
            text(2, c.id);
            text(3, c.traceId);
            optionalText(4, c.parentId);
            sqlite3_bind_null(stmt, 5);
            sqlite3_bind_null(stmt, 6);
            text(7, c.opName);
            text(8, c.opShort);
            sqlite3_bind_null(stmt, 9);
            sqlite3_bind_int64(stmt, 10, c.startedAt);
            text(11, c.attributes);
            text(12, c.inputs);
            text(13, emptyRefs);
            text(14, userId);
            sqlite3_bind_null(stmt, 15);
            sqlite3_bind_null(stmt, 16);
            sqlite3_bind_int64(stmt, 17, c.endedAt);
            optionalText(18, c.exception);
            optionalText(19, c.output);
            text(20, emptyRefs);
            text(21, c.summary);
            sqlite3_bind_null(stmt, 22);
            sqlite3_bind_int64(stmt, 23, 0);
            sqlite3_bind_int64(stmt, 24, c.totalTokens);
            if (sqlite3_step(stmt) != SQLITE_DONE)
                throw std::runtime_error(std::string("insert: ") + sqlite3_errmsg(db));
            sqlite3_reset(stmt);
        }
    });
}

// ---------------------------------------------------------------------------------------------
// HTTP

namespace {
constexpr std::size_t kReadChunk = 256 * 1024;
}

HttpClient::HttpClient(int port)
    : m_port(port)
{
}

HttpClient::~HttpClient()
{
    disconnect();
}

void HttpClient::connect()
{
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        throw std::runtime_error("socket failed");
    int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(m_port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw std::runtime_error(std::string("connect failed: ") + std::strerror(errno));
    ++m_connections;
    m_pos = m_end = 0;
}

void HttpClient::disconnect()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_pos = m_end = 0;
}

bool HttpClient::fill()
{
    if (m_pos == m_end) {
        m_pos = m_end = 0;
    } else if (m_pos > 0 && m_buffer.size() - m_end < kReadChunk) {
        std::memmove(m_buffer.data(), m_buffer.data() + m_pos, m_end - m_pos);
        m_end -= m_pos;
        m_pos = 0;
    }
    if (m_buffer.size() - m_end < kReadChunk)
        m_buffer.resize(std::max<std::size_t>(m_buffer.size() * 2, m_end + kReadChunk));
    ssize_t n;
    do {
        n = ::recv(m_fd, m_buffer.data() + m_end, m_buffer.size() - m_end, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
        return false;
    m_end += static_cast<std::size_t>(n);
    return true;
}

HttpClient::Response HttpClient::post(const std::string& path, const std::string& body, bool keepBody)
{
    Response response;
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = m_fd >= 0;
        if (!reused)
            connect();
        const std::string head = "POST " + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: "
              "application/jsonl\r\n"
              "Content-Length: "
            + std::to_string(body.size()) + "\r\n\r\n";
        const auto start = Clock::now();
        iovec parts[2] = { { const_cast<char*>(head.data()), head.size() },
            { const_cast<char*>(body.data()), body.size() } };
        std::size_t total = head.size() + body.size(), sent = 0;
        bool failed = false;
        while (sent < total) {
            iovec rest[2];
            int count = 0;
            std::size_t skip = sent;
            for (const auto& part : parts) {
                if (skip >= part.iov_len) {
                    skip -= part.iov_len;
                    continue;
                }
                rest[count++] = { static_cast<char*>(part.iov_base) + skip, part.iov_len - skip };
                skip = 0;
            }
            msghdr message {};
            message.msg_iov = rest;
            message.msg_iovlen = static_cast<std::size_t>(count);
            const ssize_t n = ::sendmsg(m_fd, &message, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                failed = true;
                break;
            }
            sent += static_cast<std::size_t>(n);
        }
        // Status line and headers.
        std::size_t headerEnd = std::string::npos;
        bool first = true;
        while (!failed && (headerEnd = buffered().find("\r\n\r\n", m_pos)) == std::string::npos) {
            if (!fill()) {
                failed = true;
                break;
            }
            if (first) {
                response.firstByteMs = msSince(start);
                first = false;
            }
        }
        if (failed) {
            disconnect();
            if (reused && attempt == 0)
                continue; // the server closed an idle keep-alive connection: retry once on a new one
            throw std::runtime_error("HTTP request to " + path + " failed");
        }
        if (first)
            response.firstByteMs = msSince(start);
        const std::string headers(buffered().substr(m_pos, headerEnd - m_pos));
        m_pos = headerEnd + 4;
        response.status = std::atoi(headers.c_str() + headers.find(' ') + 1);
        std::string lower = headers;
        std::transform(
            lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        const bool chunked = lower.find("transfer-encoding: chunked") != std::string::npos;
        response.serverClosed = lower.find("connection: close") != std::string::npos;
        std::size_t contentLength = 0;
        if (const auto at = lower.find("content-length:"); at != std::string::npos)
            contentLength = std::strtoull(lower.c_str() + at + 15, nullptr, 10);

        const auto take = [&](std::size_t n) { // consumes n body bytes
            while (n > 0) {
                if (m_pos == m_end && !fill())
                    throw std::runtime_error("connection closed mid-body");
                const std::size_t k = std::min(n, m_end - m_pos);
                const char* data = m_buffer.data() + m_pos;
                const std::size_t newlines = static_cast<std::size_t>(std::count(data, data + k, '\n'));
                if (newlines && response.lines == 0)
                    response.firstLineMs = msSince(start);
                if (response.lines < kScreenfulLines && response.lines + newlines >= kScreenfulLines)
                    response.screenfulMs = msSince(start);
                response.lines += newlines;
                response.bodyBytes += k;
                if (keepBody)
                    response.body.append(data, k);
                m_pos += k;
                n -= k;
            }
        };
        const auto readLine = [&] {
            std::size_t eol;
            while ((eol = buffered().find("\r\n", m_pos)) == std::string::npos)
                if (!fill())
                    throw std::runtime_error("connection closed mid-chunk");
            std::string line(buffered().substr(m_pos, eol - m_pos));
            m_pos = eol + 2;
            return line;
        };
        if (chunked) {
            while (true) {
                const std::size_t size = std::strtoull(readLine().c_str(), nullptr, 16);
                if (size == 0) {
                    while (!readLine().empty()) { }
                    break;
                }
                take(size);
                readLine();
            }
        } else {
            take(contentLength);
        }
        response.totalMs = msSince(start);
        if (response.serverClosed)
            disconnect();
        return response;
    }
    throw std::runtime_error("unreachable");
}

// ---------------------------------------------------------------------------------------------
// sqlite3 CLI

namespace {

double spawnCli(const std::vector<std::string>& args, const std::string& dbPath,
    const std::string& scriptPath, const std::string& outPath)
{
    std::vector<std::string> argvStrings { "sqlite3" };
    argvStrings.insert(argvStrings.end(), args.begin(), args.end());
    argvStrings.push_back(dbPath);
    std::vector<char*> argv;
    for (auto& arg : argvStrings)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, scriptPath.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const auto start = Clock::now();
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, "sqlite3", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        throw std::runtime_error("cannot start sqlite3: " + std::string(std::strerror(rc)));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    const double ms = msSince(start);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("sqlite3 CLI failed");
    return ms;
}

std::string writeScript(const std::string& script)
{
    static int counter = 0;
    const std::string path = (std::filesystem::temp_directory_path()
        / ("spindle-bench-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".sql"))
                                 .string();
    std::ofstream(path) << script;
    return path;
}

} // namespace

double runSqliteCli(
    const std::vector<std::string>& args, const std::string& dbPath, const std::string& script)
{
    const std::string path = writeScript(script);
    const double ms = spawnCli(args, dbPath, path, "/dev/null");
    std::filesystem::remove(path);
    return ms;
}

double cliStatementMs(
    const std::vector<std::string>& args, const std::string& dbPath, const std::string& statement, int reps)
{
    std::string many;
    for (int i = 0; i < reps + 1; ++i)
        many += statement + "\n";
    const double one = runSqliteCli(args, dbPath, statement + "\n");
    const double more = runSqliteCli(args, dbPath, many);
    return (more - one) / reps;
}

std::string runSqliteCliOutput(const std::string& dbPath, const std::string& script)
{
    const std::string path = writeScript(script);
    const std::string out = path + ".out";
    spawnCli({}, dbPath, path, out);
    std::ifstream in(out);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(path);
    std::filesystem::remove(out);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

// ---------------------------------------------------------------------------------------------
// Timing and reporting

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const std::size_t rank =
        static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

double mean(const std::vector<double>& values)
{
    return values.empty()
        ? 0
        : std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

std::string fmt(double value, int decimals)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

void reportGoal(const std::string& id, const std::string& metric, const std::string& ours,
    const std::string& baseline, const std::string& ratio, const std::string& goal, bool pass)
{
    std::cout << "  [" << id << "] " << metric << ": ours " << ours << " | baseline " << baseline
              << " | ratio " << ratio << " | goal " << goal << " → " << (pass ? "PASS" : "FAIL") << "\n";
    std::cout << "RESULT|" << id << "|" << metric << "|" << ours << "|" << baseline << "|" << ratio << "|"
              << goal << "|" << (pass ? "PASS" : "FAIL") << std::endl;
}

void reportInfo(const std::string& id, const std::string& metric, const std::string& value)
{
    std::cout << "  [" << id << "] " << metric << ": " << value << "\n";
    std::cout << "INFO|" << id << "|" << metric << "|" << value << std::endl;
}

std::string argValue(int argc, char** argv, const std::string& name, const std::string& fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (argv[i] == name)
            return argv[i + 1];
    return fallback;
}

bool hasFlag(int argc, char** argv, const std::string& name)
{
    for (int i = 1; i < argc; ++i)
        if (argv[i] == name)
            return true;
    return false;
}

void removeTree(const std::string& path)
{
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

std::int64_t fileSize(const std::string& path)
{
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    return error ? -1 : static_cast<std::int64_t>(size);
}

std::string inlineSql(const server::Sql& sql)
{
    std::string out;
    std::size_t next = 0;
    for (char c : sql.text) {
        if (c != '?') {
            out.push_back(c);
            continue;
        }
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::nullptr_t>) {
                    out += "NULL";
                } else if constexpr (std::is_same_v<T, std::string>) {
                    out.push_back('\'');
                    for (char ch : v)
                        out += ch == '\'' ? std::string("''") : std::string(1, ch);
                    out.push_back('\'');
                } else {
                    out += fmt(static_cast<double>(v), std::is_same_v<T, double> ? 17 : 0);
                }
            },
            sql.params.at(next++));
    }
    return out;
}

} // namespace spindle::bench
