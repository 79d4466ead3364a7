#include "support/openaifixture.h"

#include "support/openaifixture_p.h"

#include <QJsonDocument>

#include <chrono>
#include <condition_variable>
#include <httplib.h>
#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;

namespace spindle::test {

using namespace fixture;

struct OpenAIFixture::Impl
{
    httplib::Server http;
    std::thread thread;
    Options options;
    mutable std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    QList<FixtureRequest> log;
    QHash<QString, int> chatCounts;
    int completions = 0;

    // Sleeps, but returns false at once when the fixture stops, so a slow stream never delays
    // the end of a test.
    bool pause(int ms)
    {
        std::unique_lock lock(mutex);
        return !wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
    }
};

namespace {

using Impl = OpenAIFixture::Impl;

void sendJson(httplib::Response& res, int status, const QJsonObject& body)
{
    res.status = status;
    res.set_content(compactJson(body), "application/json");
}

// OpenAI's error envelope, which W&B Inference uses too.
void sendError(httplib::Response& res, int status, const QString& message, const QString& type,
    const QJsonValue& param = QJsonValue::Null, const QJsonValue& code = QJsonValue::Null)
{
    sendJson(res, status,
        QJsonObject { { u"error"_s,
            QJsonObject { { u"message"_s, message }, { u"type"_s, type }, { u"param"_s, param },
                { u"code"_s, code } } } });
}

QByteArray sseEvent(const QJsonObject& chunk)
{
    return "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\n";
}

// The SSE events of a streamed answer, in order, ending with [DONE].
std::vector<QByteArray> streamEvents(
    const QJsonObject& body, const QList<ChoicePlan>& plans, const QJsonObject& base, bool includeUsage)
{
    std::vector<QByteArray> events;
    auto chunk = [&](const QJsonArray& choices, const QJsonValue& usage = QJsonValue::Null) {
        QJsonObject object = base;
        object.insert(u"choices"_s, choices);
        if (includeUsage)
            object.insert(u"usage"_s, usage); // OpenAI sends "usage": null until the last chunk
        events.push_back(sseEvent(object));
    };
    qsizetype longest = 0;
    for (const ChoicePlan& plan : plans)
        longest = std::max(longest, plan.deltas.size());
    for (qsizetype step = 0; step < longest; ++step) {
        for (qsizetype i = 0; i < plans.size(); ++i) {
            if (step < plans[i].deltas.size())
                chunk(
                    QJsonArray { QJsonObject { { u"index"_s, int(i) }, { u"delta"_s, plans[i].deltas[step] },
                        { u"logprobs"_s, QJsonValue::Null }, { u"finish_reason"_s, QJsonValue::Null } } });
        }
    }
    for (qsizetype i = 0; i < plans.size(); ++i)
        chunk(QJsonArray { QJsonObject { { u"index"_s, int(i) }, { u"delta"_s, QJsonObject() },
            { u"logprobs"_s, QJsonValue::Null }, { u"finish_reason"_s, plans[i].finish } } });
    if (includeUsage)
        chunk(QJsonArray(), usageJson(OpenAIFixture::usageFor(body)));
    events.push_back("data: [DONE]\n\n");
    return events;
}

// Writes the events as chunked transfer with a pause before each; every event goes out as two
// HTTP chunks cut in its middle. With `drop` the connection closes without the last chunk.
void sendStream(Impl& impl, httplib::Response& res, std::vector<QByteArray> events, int delayMs, bool drop,
    const char* contentType = "text/event-stream; charset=utf-8")
{
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(contentType,
        [&impl, events = std::move(events), delayMs, drop](std::size_t, httplib::DataSink& sink) {
            for (const QByteArray& event : events) {
                if (!impl.pause(delayMs))
                    return false;
                const qsizetype half = event.size() / 2;
                if (!sink.write(event.constData(), std::size_t(half))
                    || !sink.write(event.constData() + half, std::size_t(event.size() - half)))
                    return false;
            }
            if (drop)
                return false; // httplib closes the socket without the terminating chunk
            sink.done();
            return true;
        });
}

void sendCompletion(Impl& impl, httplib::Response& res, const QJsonObject& body,
    const QList<ChoicePlan>& plans, QJsonObject base, bool withUsage)
{
    QJsonArray choices;
    for (qsizetype i = 0; i < plans.size(); ++i)
        choices << QJsonObject { { u"index"_s, int(i) }, { u"message"_s, plans[i].message },
            { u"logprobs"_s, QJsonValue::Null }, { u"finish_reason"_s, plans[i].finish } };
    base.insert(u"object"_s, u"chat.completion"_s);
    base.insert(u"choices"_s, choices);
    if (withUsage)
        base.insert(u"usage"_s, usageJson(OpenAIFixture::usageFor(body)));
    impl.pause(impl.options.chunkDelayMs);
    sendJson(res, 200, base);
}

void handleChat(Impl& impl, const FixtureRequest& request, int modelCount, httplib::Response& res)
{
    const QJsonObject& body = request.body;
    if (request.rawBody.isEmpty() || !QJsonDocument::fromJson(request.rawBody).isObject())
        return sendError(res, 400,
            u"We could not parse the JSON body of your request. The OpenAI API expects a JSON payload."_s,
            u"invalid_request_error"_s);
    if (const auto invalid = invalidBody(body))
        return sendError(res, 400, invalid->first, u"invalid_request_error"_s,
            invalid->second.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(invalid->second));
    const QString behaviour = OpenAIFixture::behaviourOf(request.model);
    if (behaviour == u"no-stream-options" && body.contains(u"stream_options"_s))
        return sendError(res, 400, u"Unrecognized request argument supplied: stream_options"_s,
            u"invalid_request_error"_s);
    const bool flaky = behaviour.startsWith(u"flaky-");
    if (const auto failure = failureFor(behaviour);
        failure && (!flaky || modelCount <= impl.options.flakyFailures))
        return sendError(
            res, failure->status, failure->message, failure->type, QJsonValue::Null, failure->code);

    int number = 0;
    {
        std::lock_guard lock(impl.mutex);
        number = ++impl.completions;
    }
    res.set_header("x-request-id", "req_fx_" + std::to_string(number));
    const QList<ChoicePlan> plans = planAnswer(body, behaviour, number);
    const QJsonObject base { { u"id"_s, u"chatcmpl-fx%1"_s.arg(number, 6, 10, QLatin1Char('0')) },
        { u"object"_s, u"chat.completion.chunk"_s }, { u"created"_s, impl.options.created },
        { u"model"_s, request.model }, { u"system_fingerprint"_s, u"fp_fixture"_s } };
    const bool usage = behaviour != u"no-usage" && behaviour != u"no-stream-options";
    if (!body.value(u"stream"_s).toBool())
        return sendCompletion(impl, res, body, plans, base, usage);

    const bool includeUsage =
        usage && body.value(u"stream_options"_s).toObject().value(u"include_usage"_s).toBool();
    std::vector<QByteArray> events = streamEvents(body, plans, base, includeUsage);
    bool drop = behaviour == u"drop-midstream";
    const std::size_t cut = std::size_t(1 + impl.options.dropAfterDeltas) * plans.size();
    if (drop)
        events.resize(std::min(events.size(), cut));
    if (behaviour == u"error-midstream") { // vLLM's error event mid-answer, then [DONE] all the same
        events.resize(std::min(events.size(), cut));
        events.push_back("data: {\"object\":\"error\",\"message\":\"This model's maximum context length is "
                         "8192 tokens\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}\n\n");
        events.push_back("data: [DONE]\n\n");
    }
    if (behaviour == u"drop-before-content") { // answered 200, then the connection is lost
        events = { QByteArray(": keep-alive\n\n") };
        drop = true;
    }
    const int delay = behaviour == u"slow" ? impl.options.slowDelayMs : impl.options.chunkDelayMs;
    // A gateway that relabels the stream as it passes (events under a generic type), and opens it
    // with a blank line.
    const bool relabelled = behaviour == u"sse-as-octets";
    if (relabelled)
        events.insert(events.begin(), QByteArray("\r\n"));
    const char* type = relabelled ? "application/octet-stream" : "text/event-stream; charset=utf-8";
    sendStream(impl, res, std::move(events), delay, drop, type);
}

void handleModels(const Impl& impl, httplib::Response& res)
{
    QJsonArray data;
    for (const QString& id : OpenAIFixture::modelIds())
        data << QJsonObject { { u"id"_s, id }, { u"object"_s, u"model"_s },
            { u"created"_s, impl.options.created }, { u"owned_by"_s, u"fixture"_s } };
    sendJson(res, 200, QJsonObject { { u"object"_s, u"list"_s }, { u"data"_s, data } });
}

// OpenAI's answers for a missing or wrong Bearer key; true when the request may go on.
bool authorized(const Impl& impl, const FixtureRequest& request, httplib::Response& res)
{
    if (impl.options.apiKey.isEmpty())
        return true;
    const QByteArray auth = request.header("authorization");
    if (!auth.startsWith("Bearer ")) {
        sendError(res, 401,
            u"You didn't provide an API key. You need to provide your API key in an Authorization header "
            u"using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."_s,
            u"invalid_request_error"_s);
        return false;
    }
    if (QString::fromUtf8(auth.mid(7).trimmed()) != impl.options.apiKey) {
        sendError(res, 401, u"Incorrect API key provided."_s, u"invalid_request_error"_s, QJsonValue::Null,
            u"invalid_api_key"_s);
        return false;
    }
    return true;
}

FixtureRequest recordOf(const httplib::Request& req)
{
    FixtureRequest request;
    request.method = QByteArray::fromStdString(req.method);
    request.path = QByteArray::fromStdString(req.path);
    for (const auto& [name, value] : req.headers)
        request.headers.insert(QByteArray::fromStdString(name).toLower(), QByteArray::fromStdString(value));
    request.rawBody = QByteArray::fromStdString(req.body);
    request.body = QJsonDocument::fromJson(request.rawBody).object();
    request.model = request.body.value(u"model"_s).toString();
    return request;
}

void route(Impl& impl, const httplib::Request& req, httplib::Response& res)
{
    const FixtureRequest request = recordOf(req);
    // cpp-httplib 0.11 gzips every text/* answer, text/event-stream too, when the client accepts
    // it (Qt always does), and gzip holds the events back until the end. OpenAI never compresses a
    // stream, so the fixture answers as if the client had not offered it (the log keeps the
    // header). The request object is not const where httplib owns it.
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    const bool chat = request.method == "POST" && request.path == "/v1/chat/completions";
    int modelCount = 0;
    {
        std::lock_guard lock(impl.mutex);
        impl.log << request;
        if (chat)
            modelCount = ++impl.chatCounts[request.model];
    }
    if (!authorized(impl, request, res))
        return;
    if (chat)
        return handleChat(impl, request, modelCount, res);
    if (request.method == "GET" && request.path == "/v1/models")
        return handleModels(impl, res);
    sendError(res, 404,
        u"Invalid URL (%1 %2)"_s.arg(QString::fromUtf8(request.method), QString::fromUtf8(request.path)),
        u"invalid_request_error"_s);
}

} // namespace

OpenAIFixture::OpenAIFixture()
    : m_impl(std::make_unique<Impl>())
{
}

OpenAIFixture::~OpenAIFixture()
{
    stop();
}

bool OpenAIFixture::start(const Options& options)
{
    if (m_port != 0)
        return false;
    m_options = options;
    m_impl->options = options;
    // Each open stream holds a worker for its whole length: room for many concurrent panes.
    m_impl->http.new_task_queue = [] { return new httplib::ThreadPool(24); };
    auto handler = [impl = m_impl.get()](
                       const httplib::Request& req, httplib::Response& res) { route(*impl, req, res); };
    m_impl->http.Get(".*", handler);
    m_impl->http.Post(".*", handler);
    m_impl->http.Put(".*", handler);
    m_impl->http.Delete(".*", handler);
    m_port = m_impl->http.bind_to_any_port("127.0.0.1");
    if (m_port <= 0) {
        m_port = 0;
        return false;
    }
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->http.listen_after_bind(); });
    while (!m_impl->http.is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return true;
}

void OpenAIFixture::stop()
{
    if (!m_impl->thread.joinable())
        return;
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->stopping = true;
    }
    m_impl->wake.notify_all();
    m_impl->http.stop();
    m_impl->thread.join();
}

QUrl OpenAIFixture::baseUrl() const
{
    return QUrl(u"http://127.0.0.1:%1/v1"_s.arg(m_port));
}

QList<FixtureRequest> OpenAIFixture::requests() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->log;
}

int OpenAIFixture::requestCount(const QString& model) const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->chatCounts.value(model);
}

int OpenAIFixture::totalRequests() const
{
    std::lock_guard lock(m_impl->mutex);
    return int(m_impl->log.size());
}

FixtureRequest OpenAIFixture::lastRequest(const QString& model) const
{
    std::lock_guard lock(m_impl->mutex);
    for (qsizetype i = m_impl->log.size() - 1; i >= 0; --i) {
        if (model.isEmpty() || m_impl->log[i].model == model)
            return m_impl->log[i];
    }
    return {};
}

void OpenAIFixture::reset()
{
    std::lock_guard lock(m_impl->mutex);
    m_impl->log.clear();
    m_impl->chatCounts.clear();
}

} // namespace spindle::test
