#pragma once

#include "core/chatrequest.h"
#include "core/chatstream.h"
#include "net/contextwatch.h"

#include <QHash>
#include <QObject>
#include <QThread>
#include <QUrl>

#include <functional>

namespace spindle::net {

// An OpenAI-compatible inference endpoint: W&B Inference, OpenAI, or any local server
// (Ollama, vLLM, llama.cpp, LM Studio). baseUrl ends before /chat/completions, e.g.
// https://api.inference.wandb.ai/v1 or http://127.0.0.1:11434/v1.
struct InferenceProvider
{
    QString name;
    QUrl baseUrl;
    QString apiKey; // sent as Authorization: Bearer <key>; empty sends none (local servers)
    QList<QPair<QByteArray, QByteArray>> extraHeaders; // e.g. OpenAI-Project: team/project
};

struct InferenceError
{
    enum class Kind
    {
        InvalidKey, // 401
        Forbidden, // 403, e.g. W&B Inference's region not supported
        ConcurrencyLimit, // 429 "Concurrency limit reached": retried with backoff
        QuotaExceeded, // 429 quota or credits: not retried
        Overloaded, // 500/503 still failing after the retries
        BadRequest, // other 4xx: the provider's own message
        Network, // no HTTP answer: refused, timeout, TLS
        Interrupted, // the stream broke after it started; the partial answer is kept
        NoAnswer, // the provider may have had the request, but nothing came: not sent again
        RateLimited, // 429 for requests or tokens per minute: retried after the wait it asks for
    };
    Kind kind = Kind::Network;
    int httpStatus = 0;
    QString serverMessage; // the provider's error.message (or body text)
    int attempts = 1;

    QString plainMessage() const; // for the pane, in plain words
    bool retryable() const;
};

InferenceError::Kind errorKindFor(int httpStatus, const QString& serverMessage);

struct ChatOutcome
{
    enum class Status
    {
        Completed,
        Stopped, // the user pressed stop: partial answer kept
        Failed, // error set; for Interrupted the partial answer is kept
    } status = Status::Completed;
    QVector<ChatChoice> choices;
    ChatUsage usage;
    QJsonObject completion; // OpenAI ChatCompletion shape of what arrived
    QString responseModel;
    qint64 timeToFirstTokenMs = -1; // -1: no token arrived
    qint64 latencyMs = 0; // from the first request to the end of the stream
    int attempts = 1;
    std::optional<InferenceError> error;
};

struct ModelInfo
{
    QString id;
    QString ownedBy;
    QJsonObject raw; // the provider's whole entry (some add context length, pricing)
};

class InferenceWorker;

// Async client for OpenAI-compatible chat completions with SSE streaming. Requests run on a
// network thread; chunks are parsed there and text arrives here in small batches (at most
// one per ~30 ms per request). 429 concurrency and 500/503 are retried with backoff
// (Retry-After honoured); quota 429, 401, 403 and other 4xx are not.
class InferenceClient : public QObject
{
    Q_OBJECT
public:
    using RequestId = quint64;
    using DeltaCallback = std::function<void(const QVector<ChatDelta>&, qint64 msSinceStart)>;
    using FinishedCallback = std::function<void(const ChatOutcome&)>;

    explicit InferenceClient(QObject* parent = nullptr);
    ~InferenceClient() override;

    void setRetryPolicy(int maxRetries, int firstDelayMs);
    // How long the fewer requests at once learnt from a provider's 429 "concurrency limit" last
    // after the last such 429 (default 60 s); then all requests go at once again.
    void setConcurrencyMemory(int ms);

    // Each request belongs to a context (an object of this client's thread), as a QObject::connect
    // does: when the context is destroyed its requests are cancelled (no callback runs, and a chat's
    // transfer is aborted, which ends its billing). Pass nullptr only when the callbacks capture
    // nothing that can die first.
    RequestId startChat(QObject* context, const InferenceProvider& provider, const ChatRequest& request,
        DeltaCallback onDelta, FinishedCallback onFinished);
    // GET {base}/models.
    RequestId listModels(QObject* context, const InferenceProvider& provider,
        std::function<void(const QVector<ModelInfo>&)> onModels,
        std::function<void(const InferenceError&)> onError);
    // Stops a chat: the transfer is aborted and onFinished runs with Status::Stopped and the
    // partial answer.
    void stop(RequestId id);
    // Forgets a request: no callback runs after this.
    void cancel(RequestId id);

private:
    friend class InferenceWorker;
    struct Handlers
    {
        DeltaCallback onDelta {};
        FinishedCallback onFinished {};
        std::function<void(const QVector<ModelInfo>&)> onModels {};
        std::function<void(const InferenceError&)> onError {};
        const QObject* context = nullptr; // compared only, never dereferenced
    };
    RequestId track(QObject* context, Handlers handlers);
    void cancelRequestsOf(const QObject* context);
    void deliverDeltas(RequestId id, const QVector<ChatDelta>& deltas, qint64 msSinceStart);
    void deliverOutcome(RequestId id, const ChatOutcome& outcome);
    void deliverModels(RequestId id, const QVector<ModelInfo>& models);
    void deliverError(RequestId id, const InferenceError& error);

    QThread m_thread;
    InferenceWorker* m_worker = nullptr;
    RequestId m_nextId = 1;
    QHash<RequestId, Handlers> m_pending;
    int m_maxRetries = 3;
    int m_firstDelayMs = 500;
    ContextWatch m_contexts { this, [this](const QObject* gone) { cancelRequestsOf(gone); } };
};

} // namespace spindle::net
