#include "net/inferenceclient.h"

#include "net/inferenceworker.h"

namespace spindle::net {

using namespace Qt::StringLiterals;

InferenceError::Kind errorKindFor(int httpStatus, const QString& serverMessage)
{
    const QString lower = serverMessage.toLower();
    switch (httpStatus) {
    case 401:
        return InferenceError::Kind::InvalidKey;
    case 403:
        return InferenceError::Kind::Forbidden;
    case 402: // W&B Inference's current docs: out of credits or spending cap reached
        return InferenceError::Kind::QuotaExceeded;
    case 429:
        // W&B Inference and OpenAI send 429 for both; only the wording tells them apart.
        if (lower.contains("quota"_L1) || lower.contains("credit"_L1) || lower.contains("billing"_L1)
            || lower.contains("insufficient"_L1))
            return InferenceError::Kind::QuotaExceeded;
        // OpenAI's "Rate limit reached ... on tokens per min (TPM)": a budget per minute, which
        // fewer requests at once would not help.
        if (lower.contains("per min"_L1) || lower.contains("(tpm)"_L1) || lower.contains("(rpm)"_L1))
            return InferenceError::Kind::RateLimited;
        return InferenceError::Kind::ConcurrencyLimit;
    default:
        break;
    }
    if (httpStatus >= 500)
        return InferenceError::Kind::Overloaded;
    if (httpStatus >= 400)
        return InferenceError::Kind::BadRequest;
    return InferenceError::Kind::Network;
}

bool InferenceError::retryable() const
{
    if (kind == Kind::ConcurrencyLimit || kind == Kind::RateLimited || kind == Kind::Overloaded)
        return true;
    return kind == Kind::Network && httpStatus == 0;
}

QString InferenceError::plainMessage() const
{
    const QString detail = serverMessage.isEmpty() ? QString() : u" (%1)"_s.arg(serverMessage);
    const QString tries = attempts > 1 ? u" after %1 attempts"_s.arg(attempts) : QString();
    switch (kind) {
    case Kind::InvalidKey:
        return u"The API key or project was not accepted (401). Check the provider's key in Providers."_s
            + detail;
    case Kind::Forbidden:
        return u"The provider refused the request (403), e.g. the service is not offered in your region."_s
            + detail;
    case Kind::ConcurrencyLimit:
        return u"Too many requests at once: the concurrency limit was reached%1. Run fewer panes at a time."_s
                   .arg(tries)
            + detail;
    case Kind::QuotaExceeded:
        return u"The account's quota or credits are used up (HTTP %1)."_s.arg(httpStatus)
            + u" Add credits or pick another provider."_s + detail;
    case Kind::Overloaded:
        return u"The inference engine is overloaded or failing (HTTP %1)%2. Try again later."_s
                   .arg(httpStatus)
                   .arg(tries)
            + detail;
    case Kind::BadRequest:
        return u"The provider rejected the request (HTTP %1)."_s.arg(httpStatus) + detail;
    case Kind::Network:
        return u"Cannot reach the provider%1."_s.arg(tries) + detail;
    case Kind::Interrupted:
        return u"The answer was interrupted; what arrived is kept."_s + detail;
    case Kind::RateLimited:
        return u"The provider's rate limit per minute was reached%1. Wait a minute or send fewer rounds."_s
                   .arg(tries)
            + detail;
    case Kind::NoAnswer:
        return u"No answer came: the connection to the provider failed after the request went out. It was "
               u"not sent again, so that it is not answered and billed twice."_s
            + detail;
    }
    return serverMessage;
}

InferenceClient::InferenceClient(QObject* parent)
    : QObject(parent)
{
    m_thread.setObjectName(u"spindle-inference"_s);
    m_worker = new InferenceWorker(this);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

InferenceClient::~InferenceClient()
{
    m_pending.clear();
    m_thread.quit();
    m_thread.wait();
}

void InferenceClient::setRetryPolicy(int maxRetries, int firstDelayMs)
{
    m_maxRetries = maxRetries;
    m_firstDelayMs = firstDelayMs;
}

void InferenceClient::setConcurrencyMemory(int ms)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, ms] { worker->setConcurrencyMemory(ms); });
}

InferenceClient::RequestId InferenceClient::track(QObject* context, Handlers handlers)
{
    const RequestId id = m_nextId++;
    handlers.context = context;
    m_pending.insert(id, std::move(handlers));
    m_contexts.watch(context);
    return id;
}

void InferenceClient::cancelRequestsOf(const QObject* context)
{
    QList<RequestId> owned;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        if (it->context == context)
            owned.append(it.key());
    }
    for (const RequestId id : std::as_const(owned))
        cancel(id);
}

InferenceClient::RequestId InferenceClient::startChat(QObject* context, const InferenceProvider& provider,
    const ChatRequest& request, DeltaCallback onDelta, FinishedCallback onFinished)
{
    const RequestId id =
        track(context, Handlers { .onDelta = std::move(onDelta), .onFinished = std::move(onFinished) });
    ChatJob job { id, provider, request, m_maxRetries, m_firstDelayMs };
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, job] { worker->startChat(job); });
    return id;
}

InferenceClient::RequestId InferenceClient::listModels(QObject* context, const InferenceProvider& provider,
    std::function<void(const QVector<ModelInfo>&)> onModels,
    std::function<void(const InferenceError&)> onError)
{
    const RequestId id =
        track(context, Handlers { .onModels = std::move(onModels), .onError = std::move(onError) });
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, id, provider] { worker->startModels(id, provider); });
    return id;
}

void InferenceClient::stop(RequestId id)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id] { worker->stop(id); });
}

void InferenceClient::cancel(RequestId id)
{
    m_pending.remove(id);
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id] { worker->cancel(id); });
}

void InferenceClient::deliverDeltas(RequestId id, const QVector<ChatDelta>& deltas, qint64 msSinceStart)
{
    const auto it = m_pending.constFind(id);
    if (it == m_pending.cend() || !it->onDelta)
        return;
    // A copy: the callback may cancel this request, or destroy its context, while it runs.
    const DeltaCallback onDelta = it->onDelta;
    onDelta(deltas, msSinceStart);
}

void InferenceClient::deliverOutcome(RequestId id, const ChatOutcome& outcome)
{
    const Handlers handlers = m_pending.take(id);
    if (handlers.onFinished)
        handlers.onFinished(outcome);
}

void InferenceClient::deliverModels(RequestId id, const QVector<ModelInfo>& models)
{
    const Handlers handlers = m_pending.take(id);
    if (handlers.onModels)
        handlers.onModels(models);
}

void InferenceClient::deliverError(RequestId id, const InferenceError& error)
{
    const Handlers handlers = m_pending.take(id);
    if (handlers.onError)
        handlers.onError(error);
}

} // namespace spindle::net
