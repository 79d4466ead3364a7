#include "server/traceserver.h"

#include "core/digest.h"
#include "server/calls.h"
#include "server/connections.h"
#include "server/feedback.h"
#include "server/httpframing.h"
#include "server/linkpage.h"
#include "server/objects.h"
#include "server/objecttags.h"
#include "server/routeguard.h"
#include "server/stats.h"
#include "server/tables.h"
#include "server/wandbapi.h"

#include <condition_variable>
#include <filesystem>
#include <httplib.h>
#include <iostream>
#include <mutex>

namespace spindle::server {
namespace {

// /calls/stream_query writes its first 50 rows (a screenful and more) 10 at a time, then 500.
constexpr int kSmallChunks = 5;
constexpr int kSmallChunkRows = 10;
constexpr int kLargeChunkRows = 500;

// How long stop() lets connections end on their own (an upload that is still arriving) before it
// ends their reading side.
constexpr std::chrono::milliseconds kStopGrace(250);

struct Route
{
    const char* path;
    JsonRoute handler;
};

// cpp-httplib compresses "application/json" answers, with brotli at its slowest quality whenever the
// client accepts "br", as Qt's network stack does: 1.5 s for an 800 KB /calls/stats answer that
// takes 0.2 s to compute (docs/benchmarks.md, dashboard). A loopback client (the desktop app and
// its embedded server) gains nothing from compression: the same type with a charset parameter is
// not compressed.
const char* jsonContentType(const httplib::Request& req)
{
    const bool loopback =
        req.remote_addr == "127.0.0.1" || req.remote_addr == "::1" || req.remote_addr == "::ffff:127.0.0.1";
    return loopback ? "application/json; charset=utf-8" : "application/json";
}

// One route a line.
// clang-format off
const Route kJsonRoutes[] = {
    { "/call/start", callStart },
    { "/call/end", callEnd },
    { "/call/upsert_batch", callUpsertBatch },
    // The Python SDK's calls-complete mode. Each call names its project, as Weave's server reads it.
    { "/v2/[^/]+/[^/]+/calls/complete", callsComplete },
    { "/v2/[^/]+/[^/]+/call/start", callStart },
    { "/v2/[^/]+/[^/]+/call/end", callEnd },
    { "/call/read", callRead },
    { "/call/update", callUpdate },
    { "/calls/delete", callsDelete },
    { "/calls/query", callsQuery },
    { "/calls/query_stats", callsQueryStats },
    { "/calls/stats", callsStats }, // stats.h: buckets, usage/call metrics, filter, timezone
    { "/trace/usage", traceUsage }, // stats.h: per-call usage rolled up over descendants
    { "/calls/usage", callsUsage }, // stats.h: the same for listed calls and their whole traces
    { "/obj/create", objCreate },
    { "/obj/read", objRead },
    { "/objs/query", objsQuery },
    { "/obj/delete", objDelete },
    { "/table/create", tableCreate },
    { "/table/update", tableUpdate },
    { "/table/query", tableQuery },
    { "/table/query_stats", tableQueryStats },
    { "/refs/read_batch", refsReadBatch },
    { "/feedback/create", feedbackCreate },
    { "/feedback/batch/create", feedbackBatchCreate },
    { "/feedback/query", feedbackQuery },
    { "/feedback/purge", feedbackPurge },
    { "/feedback/replace", feedbackReplace },
    { "/cost/create", costCreate },
    { "/cost/query", costQuery },
    { "/cost/purge", costPurge },
    { "/spindle/projects", spindleProjects },
    { "/graphql", wandbGraphql }, // wandbapi.h: what weave.init asks the W&B API
};
// clang-format on

// Enough for the desktop app's six connections, SDK connection pools and an export at once. Idle
// threads cost a stack each and nothing else.
constexpr std::size_t kHttpThreads = 64;

std::string errorBody(const ApiError& error)
{
    std::string out = "{\"reason\":";
    appendJsonString(out, withValidUtf8(error.reason)); // it may quote the request's bytes
    if (!error.extraMembers.empty())
        out += "," + error.extraMembers;
    return out + "}";
}

void answerError(httplib::Response& res, const ApiError& error)
{
    res.status = error.status;
    res.set_content(errorBody(error), "application/json");
}

const char* defaultReason(int status)
{
    switch (status) {
    case 400:
        return "bad request";
    case 401:
        return "unauthorized: send HTTP Basic auth with the server's API key as the password";
    case 404:
        return "no such endpoint";
    case 405:
        return "method not allowed";
    case 413:
        return "request body exceeds the size limit";
    case 414:
        return "request URI too long";
    default:
        return "request failed";
    }
}

} // namespace

bool isLoopbackHost(const std::string& host)
{
    return isLoopbackName(host);
}

struct TraceServer::Impl
{
    explicit Impl(const ServerOptions& options)
        : options(options)
        , db((std::filesystem::create_directories(options.dataDir), options.dataDir + "/spindle.sqlite"))
        , userId(options.apiKey.empty() ? std::string("local-user")
                                        : "user-" + sha256Hex(options.apiKey).substr(0, 12))
    {
    }

    bool authorized(const httplib::Request& req, httplib::Response& res) const
    {
        if (options.apiKey.empty())
            return true;
        const std::string header = req.get_header_value("Authorization");
        if (authorizationMatches(header, options.apiKey))
            return true;
        res.set_header("WWW-Authenticate", "Basic realm=\"spindle\"");
        // The body is left unread (the handler reads it): nothing after it on the connection can
        // be trusted, so the answer closes it (the logger ends its reads).
        res.set_header("Connection", "close");
        answerError(res, ApiError(401, "missing or wrong API key"));
        return false;
    }

    // The request's JSON body, read within the size limit (httpframing.h's readBody).
    JsonDocument readJson(
        const httplib::Request& req, const httplib::ContentReader& reader, httplib::Response& res) const
    {
        return parseJson(readBody(req, reader, options.maxBodyBytes, res));
    }

    template <typename Work> void guarded(const httplib::Request& req, httplib::Response& res, Work&& work)
    {
        if (!authorized(req, res))
            return;
        try {
            work();
        } catch (const ApiError& error) {
            answerError(res, error);
        } catch (const std::exception& error) {
            std::cerr << "spindle-server: " << req.path << " failed: " << error.what() << std::endl;
            answerError(res, ApiError(500, std::string("internal error: ") + error.what()));
        }
    }

    // Registers a route that takes a body, and notes it for the check made before bodies are read.
    template <typename Handler>
    void onBody(const std::string& method, const std::string& pattern, Handler handler)
    {
        bodyRoutes.add(method, pattern);
        if (method == "PUT")
            http.Put(pattern, std::move(handler));
        else
            http.Post(pattern, std::move(handler));
    }
    // Refusals before a route runs or a body is read: framing, an unbounded body no route takes (the
    // library would read and inflate it whole; one a Content-Length bounds it reads within the limit,
    // and then answers 404 as for any path), cross-site requests.
    std::optional<ApiError> preRoutingError(const httplib::Request& req) const
    {
        if (auto error = framingError(req))
            return error;
        if (methodCarriesBody(req.method) && bodyUnbounded(req))
            if (auto refusal = bodyRoutes.refusal(req.method, req.path))
                return refusal;
        return options.apiKey.empty() ? crossSiteError(req) : std::nullopt;
    }

    void addRoutes();
    void addLinkRoutes();
    void addTagRoutes();
    void addFileRoutes();
    void addStreamRoute();

    ServerOptions options;
    Database db;
    PriceCatalog prices;
    std::string userId;
    httplib::Server http;
    BodyRoutes bodyRoutes;
    std::mutex servingMutex;
    std::condition_variable servingEnded;
    bool served = false; // serve() has returned: every connection is closed
};

void TraceServer::Impl::addRoutes()
{
    for (const Route& route : kJsonRoutes) {
        onBody("POST", route.path,
            [this, handler = route.handler](
                const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
                guarded(req, res, [&] {
                    const JsonDocument body = readJson(req, reader, res);
                    RequestContext context { db, prices, userId };
                    res.set_content(handler(body, context), jsonContentType(req));
                });
            });
    }
    http.Get("/health", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("{\"status\":\"ok\"}", "application/json");
    });
    http.Get("/server_info", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("{\"min_required_weave_python_version\":\"0.0.0\",\"trace_server_version\":\"0.1.0\","
                        "\"server\":\"spindle\"}",
            "application/json");
    });
    addLinkRoutes();
    addTagRoutes();
    addFileRoutes();
    addStreamRoute();
}

// The links weave.init and every traced call print point at the W&B app, which WANDB_BASE_URL
// makes this server: https://<app>/<entity>/<project>/weave and /<entity>/<project>/r/call/<id>.
// A browser gets a page that says where the call is, and the desktop app embedding the server
// shows it.
void TraceServer::Impl::addLinkRoutes()
{
    const auto page = [this](const httplib::Request& req, httplib::Response& res, const std::string& callId) {
        guarded(req, res, [&] {
            const std::string projectId = checkProjectId(req.matches[1].str() + "/" + req.matches[2].str());
            if (callId.size() > 128)
                throw badRequest("a call id has at most 128 characters");
            if (!isValidUtf8(callId))
                throw badRequest("a call id is UTF-8 text (percent-encoded in a link)");
            const bool shown = bool(options.onOpenLink);
            if (shown)
                options.onOpenLink(projectId, callId);
            res.set_content(linkPage(projectId, callId, shown), "text/html; charset=utf-8");
        });
    };
    http.Get(
        R"(/([^/]+)/([^/]+)/r/call/([^/]+))", [page](const httplib::Request& req, httplib::Response& res) {
            page(req, res, req.matches[3].str());
        });
    http.Get(R"(/([^/]+)/([^/]+)/weave(/.*)?)",
        [page](const httplib::Request& req, httplib::Response& res) { page(req, res, std::string()); });
}

// Tags and aliases of object versions: the object (and version) in the path, the rest in the body
// or, for the lists, in the query string.
void TraceServer::Impl::addTagRoutes()
{
    using Handler = std::string (*)(const httplib::Request&, const JsonValue&, RequestContext&);
    const auto route = [this](Handler handler) {
        return [this, handler](const httplib::Request& req, httplib::Response& res,
                   const httplib::ContentReader& reader) {
            guarded(req, res, [&] {
                const JsonDocument body = readJson(req, reader, res);
                RequestContext context { db, prices, userId };
                res.set_content(handler(req, body, context), jsonContentType(req));
            });
        };
    };
    onBody("PUT", R"(/objs/([^/]+)/versions/([^/]+)/tags)",
        route([](const httplib::Request& req, const JsonValue& body, RequestContext& context) {
            return objAddTags(req.matches[1].str(), req.matches[2].str(), body, context);
        }));
    onBody("POST", R"(/objs/([^/]+)/versions/([^/]+)/tags/remove)",
        route([](const httplib::Request& req, const JsonValue& body, RequestContext& context) {
            return objRemoveTags(req.matches[1].str(), req.matches[2].str(), body, context);
        }));
    onBody("PUT", R"(/objs/([^/]+)/aliases)",
        route([](const httplib::Request& req, const JsonValue& body, RequestContext& context) {
            return objSetAliases(req.matches[1].str(), body, context);
        }));
    onBody("POST", R"(/objs/([^/]+)/aliases/remove)",
        route([](const httplib::Request& req, const JsonValue& body, RequestContext& context) {
            return objRemoveAliases(req.matches[1].str(), body, context);
        }));
    using List = std::string (*)(const std::string&, RequestContext&);
    for (const auto& [path, list] :
        { std::pair<const char*, List>("/tags", tagsList), { "/aliases", aliasesList } }) {
        http.Get(path, [this, list](const httplib::Request& req, httplib::Response& res) {
            guarded(req, res, [&] {
                if (!req.has_param("project_id"))
                    throw badRequest("missing query parameter 'project_id'");
                RequestContext context { db, prices, userId };
                res.set_content(
                    list(checkProjectId(req.get_param_value("project_id")), context), jsonContentType(req));
            });
        });
    }
}

void TraceServer::Impl::addFileRoutes()
{
    const auto create = [this](const httplib::Request& req, httplib::Response& res) {
        guarded(req, res, [&] {
            if (!req.is_multipart_form_data() || !req.has_file("project_id") || !req.has_file("file"))
                throw badRequest("file/create takes multipart/form-data with 'project_id' and 'file' parts");
            const std::string projectId = checkProjectId(req.get_file_value("project_id").content);
            const std::string& bytes = req.get_file_value("file").content;
            // Checked before anything is stored: a refused upload leaves nothing behind.
            const std::string digest = weaveDigest(bytes);
            if (req.has_file("expected_digest") && req.get_file_value("expected_digest").content != digest)
                throw ApiError(409, "digest mismatch: computed " + digest);
            storeFile(db, projectId, bytes, digest);
            std::string out = "{\"digest\":";
            appendJsonString(out, digest);
            res.set_content(out + "}", "application/json");
        });
    };
    const auto content = [this](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) {
        guarded(req, res, [&] {
            std::string projectId;
            const std::string digest = fileContentDigest(readJson(req, reader, res), projectId);
            const auto bytes = readFile(db, projectId, digest);
            if (!bytes)
                throw notFound("file " + digest + " not found in " + projectId);
            res.set_content(*bytes, "application/octet-stream");
        });
    };
    onBody("POST", "/file/create", create);
    onBody("POST", "/files/create", create);
    onBody("POST", "/file/content", content);
    onBody("POST", "/files/content", content);
}

void TraceServer::Impl::addStreamRoute()
{
    onBody("POST", "/calls/stream_query",
        [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
            guarded(req, res, [&] {
                const JsonDocument body = readJson(req, reader, res);
                RequestContext context { db, prices, userId };
                auto stream = std::make_shared<CallStream>(context, body);
                // The first screenful leaves in small chunks, so the client decodes them while the
                // server looks for the next ones and can show them early; later chunks are large to
                // amortise the writes.
                auto chunks = std::make_shared<int>(0);
                res.set_chunked_content_provider(
                    "application/jsonl", [stream, chunks](std::size_t, httplib::DataSink& sink) {
                        try {
                            std::string out;
                            const int rows = (*chunks)++ < kSmallChunks ? kSmallChunkRows : kLargeChunkRows;
                            const bool more = stream->next(out, rows);
                            if (!out.empty() && !sink.write(out.data(), out.size()))
                                return false;
                            if (!more)
                                sink.done();
                            return true;
                        } catch (const std::exception& error) {
                            std::cerr << "spindle-server: stream_query failed mid-stream: " << error.what()
                                      << std::endl;
                            return false;
                        }
                    });
            });
        });
}

TraceServer::TraceServer(ServerOptions options)
    : m_options(std::move(options))
{
}

TraceServer::~TraceServer()
{
    stop();
}

int TraceServer::bind()
{
    if (!isLoopbackHost(m_options.host) && m_options.apiKey.empty())
        throw std::runtime_error(
            "refusing to listen on non-loopback host " + m_options.host + " without --api-key");
    m_impl = std::make_unique<Impl>(m_options);
    auto& http = m_impl->http;
    http.set_payload_max_length(m_options.maxBodyBytes);
    http.set_tcp_nodelay(true);
    // cpp-httplib's default sets SO_REUSEPORT, which lets a second server bind a port already
    // served, and the kernel then splits the connections between two stores. SO_REUSEADDR only lets
    // a restart bind over connections still in TIME_WAIT.
    http.set_socket_options([](auto sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    http.set_keep_alive_max_count(1000); // the default (5) would reconnect every 5th SDK request
    // A thread serves one connection for as long as it is kept alive (up to 5 s idle): with the
    // library's 8, eight SDK or idle connections locked every other client out, the desktop app too.
    http.new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
    // Framing is checked before cpp-httplib reads a body (httpframing.h). A refused request's body
    // is unread, so nothing after it on the connection can be trusted: the connection ends once the
    // answer is out. The logger runs after the answer is written, and cpp-httplib drops an answer to
    // a connection whose reading side is already shut.
    http.set_pre_routing_handler([impl = m_impl.get()](const httplib::Request& req, httplib::Response& res) {
        // Range is GET's (RFC 9110 says to ignore it elsewhere), but the library cuts any answer to
        // it: a write's, once the write is made, and the refusals below. The request is the
        // library's own, not a const object, so it may be changed.
        if (req.method != "GET" && req.method != "HEAD")
            const_cast<httplib::Request&>(req).ranges.clear();
        const auto error = impl->preRoutingError(req);
        if (!error)
            return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("Connection", "close");
        answerError(res, *error);
        return httplib::Server::HandlerResponse::Handled;
    });
    http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        // Also after a body left unread (refusals before routing and readBody's say "Connection: close").
        if (framingError(req) || (res.status >= 400 && res.get_header_value("Connection") == "close"))
            endReadsOfConnection(req.local_port, req.remote_addr, req.remote_port);
    });
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty())
            return;
        std::string reason = defaultReason(res.status);
        if (res.status == 404)
            reason += ": " + req.method + " " + req.path;
        answerError(res, ApiError(res.status, reason));
    });
    m_impl->addRoutes();
    if (m_options.port == 0) {
        m_port = http.bind_to_any_port(m_options.host);
        if (m_port <= 0)
            throw std::runtime_error("cannot bind " + m_options.host);
    } else {
        if (!http.bind_to_port(m_options.host, m_options.port))
            throw std::runtime_error("cannot bind " + m_options.host + ":" + std::to_string(m_options.port));
        m_port = m_options.port;
    }
    return m_port;
}

void TraceServer::serve()
{
    m_impl->http.listen_after_bind();
    const std::lock_guard lock(m_impl->servingMutex);
    m_impl->served = true;
    m_impl->servingEnded.notify_all();
}

int TraceServer::startInBackground()
{
    const int port = bind();
    m_thread = std::thread([this] { serve(); });
    // stop() only reaches a server that is already listening.
    while (!m_impl->http.is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return port;
}

void TraceServer::stop()
{
    if (m_impl) {
        const bool serving = m_impl->http.is_running();
        m_impl->http.stop();
        // serve() returns once every connection's thread is done, and an idle kept-alive
        // connection holds its thread for 5 s: closing the desktop app waited for the SDKs' and
        // its own connections, and for a trickling client without end.
        std::unique_lock lock(m_impl->servingMutex);
        if (serving && !m_impl->servingEnded.wait_for(lock, kStopGrace, [this] { return m_impl->served; }))
            endReadsOfAcceptedConnections(m_port);
    }
    if (m_thread.joinable())
        m_thread.join();
}

std::string TraceServer::url() const
{
    const bool v6 = m_options.host.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + m_options.host + "]" : m_options.host) + ":" + std::to_string(m_port);
}

} // namespace spindle::server
