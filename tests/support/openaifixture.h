#pragma once

// A protocol-faithful OpenAI-compatible inference server for tests (the shape of W&B Inference,
// https://api.inference.wandb.ai/v1): cpp-httplib on 127.0.0.1, port 0, on its own threads.
//
//   POST /v1/chat/completions
//     stream:false  -> one chat.completion with usage
//     stream:true   -> text/event-stream, chunked transfer, a real pause between events:
//                      role chunk, content deltas (one choice per chunk, choices interleaved when
//                      n > 1), one finish_reason chunk per choice, then - only when
//                      stream_options.include_usage is true - a chunk with "choices": [] and
//                      "usage" (the other chunks then carry "usage": null), then "data: [DONE]".
//                      Each event is written as two HTTP chunks split mid-event (possibly inside
//                      a UTF-8 sequence), so clients must buffer.
//     With "tools": the answer is tool calls instead of text, streamed as OpenAI does: the first
//     delta of each call has index, id, type and function.name with empty arguments, the
//     arguments follow in small pieces, finish_reason "tool_calls". One call per tool (at most
//     two; one when parallel_tool_calls is false), arguments {"text": <last user message>}.
//     max_tokens / max_completion_tokens cut the answer to that many words (finish "length").
//     Streams are never compressed (as OpenAI's): the fixture ignores Accept-Encoding, which
//     cpp-httplib would otherwise honour with gzip, holding every event back until the end.
//   GET /v1/models -> {"object":"list","data":[{"id","object":"model","created","owned_by"}]}
//   Anything else -> 404 with OpenAI's error envelope.
//
// Auth: "Authorization: Bearer <Options::apiKey>" (empty apiKey: no check). Missing or wrong
// key -> 401 {"error":{"message","type","param","code"}} (every error uses this envelope).
// Bad bodies -> 400: not JSON, no model, empty/missing messages, n outside 1..128,
// stream_options without stream (OpenAI's own message).
//
// Behaviour by model name. Everything after the first ':' is a free tag, so
// "flaky-503-then-ok:a" and "flaky-503-then-ok:b" behave alike but are counted apart. Names not
// listed here (e.g. "gpt-4o-mini", "meta-llama/Llama-3.1-8B-Instruct") behave like fixture-echo.
//   fixture-echo          answer "Echo: <last user message>" (see replyFor); word = token.
//   fixture-reasoning     like echo, preceded by reasoning_content "Thinking about: <text>"
//                         (DeepSeek R1 on W&B Inference streams reasoning that way).
//   no-usage              like echo but never sends usage (ignores stream_options; the
//                         non-streamed completion has no "usage" either), like some local servers.
//   no-stream-options     like an older server: 400 "Unrecognized request argument supplied:
//                         stream_options" when the body has stream_options, else like no-usage.
//   slow                  like echo with Options::slowDelayMs between events (for stop tests).
//   sse-as-octets         like echo, the stream sent as application/octet-stream after a blank
//                         line (a gateway that relabels it).
//   drop-midstream        role chunk + Options::dropAfterDeltas content deltas, then the socket is
//                         closed without the terminating chunk and without [DONE].
//   error-midstream       role chunk + Options::dropAfterDeltas content deltas, then vLLM's error
//                         event ({"object":"error","message":...,"code":400}) and [DONE].
//   drop-before-content   200 and an SSE comment, then the socket is closed: the request reached
//                         the server, which must not be asked again.
//   fail-401              401 "Authentication failed"                                  (W&B docs)
//   fail-403              403 "Country, region, or territory not supported"
//   fail-402-quota        402 "You exceeded your current quota, please check your plan and billing
//                         details" (current W&B docs use 402 for this)
//   fail-429-quota        429 with the same quota message (older W&B docs, and OpenAI)
//   fail-429-concurrency  429 "Concurrency limit reached for requests"
//   fail-500              500 "The server had an error while processing your request"
//   fail-503              503 "The engine is currently overloaded, please try again later"
//   flaky-429-then-ok     the first Options::flakyFailures requests of that exact model name get
//                         the 429 concurrency error, later ones the echo answer
//   flaky-503-then-ok     the same with the 503 error
// Every failure above is a plain JSON reply before any stream starts.
//
// Usage (the fixture's deterministic token counts, see usageFor): prompt = 3 + per message
// (words of its text + 4); completion = words of the answers of all choices (tool calls: words of
// the arguments, plus 1 each); reasoning words are not counted.
//
// Every request is recorded (method, path, headers, parsed body) before auth, so tests can count
// attempts per model (requestCount) and check bodies and headers (lastRequest, requests).

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace spindle::test {

struct FixtureRequest
{
    QByteArray method;
    QByteArray path;
    QHash<QByteArray, QByteArray> headers; // names lower-cased
    QByteArray rawBody;
    QJsonObject body; // empty when rawBody is not a JSON object
    QString model; // body.model (empty for GET /v1/models)

    QByteArray header(const QByteArray& name) const
    {
        return headers.value(name.toLower());
    }
};

struct FixtureUsage
{
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 totalTokens() const
    {
        return promptTokens + completionTokens;
    }
};

class OpenAIFixture
{
public:
    struct Options
    {
        QString apiKey = QStringLiteral("fixture-key"); // empty: no Authorization check
        int chunkDelayMs = 10; // pause between SSE events (and before a non-streamed answer)
        int slowDelayMs = 250; // pause between events for the "slow" model
        int flakyFailures = 2; // failures before success for the flaky-* models
        int dropAfterDeltas = 3; // content deltas drop-midstream sends before closing
        qint64 created = 1735689600; // "created" of every completion and model
    };

    OpenAIFixture();
    ~OpenAIFixture();
    OpenAIFixture(const OpenAIFixture&) = delete;
    OpenAIFixture& operator=(const OpenAIFixture&) = delete;

    // Binds 127.0.0.1 on a free port and serves on a background thread. False on failure.
    bool start(const Options& options);
    bool start()
    {
        return start(Options {});
    }
    // Ends pauses in running streams, closes the sockets and joins the threads. Idempotent.
    void stop();

    int port() const
    {
        return m_port;
    }
    QUrl baseUrl() const; // http://127.0.0.1:<port>/v1 (what InferenceProvider::baseUrl takes)
    QString apiKey() const
    {
        return m_options.apiKey;
    }
    const Options& options() const
    {
        return m_options;
    }

    // Requests recorded so far (all routes).
    QList<FixtureRequest> requests() const;
    // POST /v1/chat/completions requests whose body named exactly this model.
    int requestCount(const QString& model) const;
    int totalRequests() const;
    // The last request for the model (any model when empty); a default one when none.
    FixtureRequest lastRequest(const QString& model = {}) const;
    // Forgets the recorded requests and the flaky counters.
    void reset();

    // The deterministic answers. choice 0: "Echo: <text>", choice k > 0: "Echo <k+1>: <text>",
    // where <text> is the last user message's text (content parts' texts joined by spaces).
    static QString replyFor(const QJsonArray& messages, int choice = 0);
    static QString reasoningFor(const QJsonArray& messages);
    // The answer of drop-midstream before the cut: the first `deltas` words of replyFor.
    static QString partialReplyFor(const QJsonArray& messages, int deltas);
    // What the fixture reports for this request body (as received, i.e. ChatRequest::body()).
    static FixtureUsage usageFor(const QJsonObject& body);
    // The ids GET /v1/models lists.
    static QStringList modelIds();
    // The behaviour name of a model id (its part before ':'; unknown names -> "fixture-echo").
    static QString behaviourOf(const QString& model);

    struct Impl;

private:
    Options m_options;
    int m_port = 0;
    std::unique_ptr<Impl> m_impl;
};

} // namespace spindle::test
