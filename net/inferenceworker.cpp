#include "net/inferenceworker.h"

#include "net/abandonreply.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

#include <climits>

namespace spindle::net {

using namespace Qt::StringLiterals;

namespace {
constexpr int kFlushIntervalMs = 30; // deltas reach the GUI at most ~33 times a second
constexpr int kTransferTimeoutMs = 180'000; // no byte for 3 minutes: give up
constexpr int kMaxBodyBytes = 64 * 1024 * 1024; // a runaway stream is cut here
} // namespace

QNetworkRequest inferenceRequest(const InferenceProvider& provider, const QString& path)
{
    QUrl url = provider.baseUrl;
    QString base = url.path();
    while (base.endsWith(u'/'))
        base.chop(1);
    url.setPath(base + path);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    request.setRawHeader("Accept", "application/json, text/event-stream");
    if (!provider.apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + provider.apiKey.toUtf8());
    for (const auto& [name, value] : provider.extraHeaders)
        request.setRawHeader(name, value);
    request.setTransferTimeout(kTransferTimeoutMs);
    // The key goes to the provider's own origin only: a redirect elsewhere comes back as the answer.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    return request;
}

// OpenAI answers {"error": {"message"}}; vLLM, Ollama and proxies use "message", "detail" or
// plain text.
QString providerErrorMessage(const QByteArray& body)
{
    const QJsonObject json = QJsonDocument::fromJson(body).object();
    const QJsonValue error = json.value("error"_L1);
    if (error.isObject() && error.toObject().value("message"_L1).isString())
        return error.toObject().value("message"_L1).toString();
    if (error.isString())
        return error.toString();
    for (const auto key : { "message"_L1, "detail"_L1 })
        if (json.value(key).isString())
            return json.value(key).toString();
    return QString::fromUtf8(body.left(500)).trimmed();
}

InferenceWorker::InferenceWorker(InferenceClient* client)
    : m_client(client)
    , m_flush(this) // as a child it moves to the network thread with the worker
{
    m_flush.setInterval(kFlushIntervalMs);
    connect(&m_flush, &QTimer::timeout, this, &InferenceWorker::flushDeltas);
}

void InferenceWorker::startChat(const ChatJob& job)
{
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    Transfer& transfer = m_transfers[job.id];
    transfer.job = job;
    transfer.clock.start();
    send(job.id);
    if (!m_flush.isActive())
        m_flush.start();
}

static QString hostKey(const InferenceProvider& provider)
{
    return provider.baseUrl.toString();
}

int InferenceWorker::activeFor(const QString& host) const
{
    int active = 0;
    for (const Transfer& transfer : m_transfers)
        active += transfer.reply && hostKey(transfer.job.provider) == host ? 1 : 0;
    return active;
}

int InferenceWorker::capFor(const QString& host)
{
    const auto it = m_hostCap.find(host);
    if (it == m_hostCap.end())
        return INT_MAX;
    if (it->since.elapsed() > m_capMemoryMs) {
        m_hostCap.erase(it);
        return INT_MAX;
    }
    return it->requests;
}

// Sends queued requests of `host` while it is under the concurrency it accepted.
void InferenceWorker::dispatchQueued(const QString& host)
{
    const int cap = capFor(host);
    for (auto it = m_transfers.begin(); it != m_transfers.end() && activeFor(host) < cap; ++it)
        if (it->queued && hostKey(it->job.provider) == host) {
            it->queued = false;
            send(it.key());
        }
}

void InferenceWorker::send(InferenceClient::RequestId id)
{
    Transfer& transfer = m_transfers[id];
    const QString host = hostKey(transfer.job.provider);
    if (activeFor(host) >= capFor(host)) {
        transfer.queued = true; // the provider said "concurrency limit": wait for a free slot
        return;
    }
    ++transfer.attempt;
    transfer.sse = {};
    transfer.body.clear();
    transfer.events.reset();
    const QByteArray body = QJsonDocument(transfer.job.request.body()).toJson(QJsonDocument::Compact);
    QNetworkReply* reply =
        m_network->post(inferenceRequest(transfer.job.provider, u"/chat/completions"_s), body);
    transfer.reply = reply;
    connect(reply, &QNetworkReply::readyRead, this, [this, id] { onReadyRead(id); });
    connect(reply, &QNetworkReply::finished, this, [this, id] { onFinished(id); });
}

static int statusOf(QNetworkReply* reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

void InferenceWorker::onReadyRead(InferenceClient::RequestId id)
{
    auto it = m_transfers.find(id);
    if (it == m_transfers.end() || !it->reply)
        return;
    Transfer& transfer = *it;
    const QByteArray bytes = transfer.reply->readAll();
    if (transfer.events.value_or(false)) {
        takeEvents(transfer, transfer.sse.feed(bytes));
        return;
    }
    if (transfer.body.size() < kMaxBodyBytes)
        transfer.body.append(bytes);
    if (!transfer.events) {
        transfer.events = looksLikeEvents(transfer);
        if (transfer.events.value_or(false))
            takeEvents(transfer, transfer.sse.feed(std::exchange(transfer.body, {})));
    }
}

// An event stream by its type (in any case), or, under another type (a gateway that relabels it),
// by its first line: a field of the event-stream format. Unknown until that line is in.
std::optional<bool> InferenceWorker::looksLikeEvents(const Transfer& transfer)
{
    if (statusOf(transfer.reply) / 100 != 2)
        return false;
    const QString type = transfer.reply->header(QNetworkRequest::ContentTypeHeader).toString();
    if (type.contains("event-stream"_L1, Qt::CaseInsensitive))
        return true;
    // Blank lines (keep-alives) first decide nothing; a JSON answer starts with { or [.
    const QByteArray head = transfer.body.trimmed();
    if (head.isEmpty() || (!head.contains('\n') && head.size() < 6))
        return std::nullopt;
    for (const char* field : { "data:", "event:", "id:", "retry:", ":" })
        if (head.startsWith(field))
            return true;
    return false;
}

void InferenceWorker::takeEvents(Transfer& transfer, const QVector<QByteArray>& events)
{
    for (const QByteArray& data : events) {
        if (data.trimmed() == "[DONE]") {
            transfer.sawDone = true;
            continue;
        }
        const QJsonObject chunk = QJsonDocument::fromJson(data).object();
        // Some servers report failures inside the stream: OpenAI's {"error": {...}}, vLLM's
        // {"object": "error", "message": ...}. Kept, so that the run fails with it, [DONE] or not.
        const bool failure = (chunk.contains("error"_L1) && !chunk.value("error"_L1).isNull())
            || chunk.value("object"_L1).toString() == "error"_L1;
        if (failure) {
            transfer.body = data;
            continue;
        }
        const QVector<ChatDelta> deltas = transfer.response.applyChunk(chunk);
        if (!deltas.isEmpty() && transfer.firstTokenMs < 0)
            transfer.firstTokenMs = transfer.clock.elapsed();
        transfer.pending += deltas;
    }
}

void InferenceWorker::flushDeltas()
{
    bool active = false;
    for (auto it = m_transfers.begin(); it != m_transfers.end(); ++it) {
        active = true;
        if (it->pending.isEmpty())
            continue;
        const auto deltas = std::exchange(it->pending, {});
        const qint64 elapsed = it->clock.elapsed();
        const auto id = it.key();
        QMetaObject::invokeMethod(m_client,
            [client = m_client, id, deltas, elapsed] { client->deliverDeltas(id, deltas, elapsed); });
    }
    if (!active)
        m_flush.stop();
}

void InferenceWorker::onFinished(InferenceClient::RequestId id)
{
    auto it = m_transfers.find(id);
    if (it == m_transfers.end() || !it->reply)
        return;
    Transfer& transfer = *it;
    QNetworkReply* reply = transfer.reply;
    reply->deleteLater();
    transfer.reply = nullptr;
    if (transfer.stopped) {
        complete(transfer, ChatOutcome::Status::Stopped, std::nullopt);
        return;
    }
    const int status = statusOf(reply);
    if (status >= 300 && status < 400) { // to another origin: not followed (inferenceRequest)
        const QString location = reply->header(QNetworkRequest::LocationHeader).toUrl().toString();
        const QString message = location.isEmpty()
            ? u"the provider answered HTTP %1 without an address to go to"_s.arg(status)
            : u"the provider redirected to %1, another address: Spindle does not send your key there. "
              "Use that address as the provider's base URL"_s.arg(location);
        complete(transfer, ChatOutcome::Status::Failed,
            InferenceError { InferenceError::Kind::BadRequest, status, message, transfer.attempt });
        return;
    }
    if (status >= 400) {
        transfer.body.append(reply->readAll());
        finishHttpError(transfer, status, reply->rawHeader("Retry-After"));
        return;
    }
    // A transfer timeout aborts the reply: say so, not "Operation canceled".
    const QString errorText = reply->error() == QNetworkReply::OperationCanceledError
        ? u"the provider sent nothing for %1 minutes"_s.arg(kTransferTimeoutMs / 60000)
        : reply->errorString();
    finishStream(transfer, reply->error(), errorText, status != 0);
}

void InferenceWorker::finishHttpError(Transfer& transfer, int status, const QByteArray& retryAfter)
{
    const QString message = providerErrorMessage(transfer.body);
    // Servers that predate stream_options reject it; ask again without (usage then unknown).
    if (status == 400 && message.contains("stream_options"_L1) && transfer.job.request.includeUsage) {
        transfer.job.request.includeUsage = false;
        --transfer.attempt;
        send(transfer.job.id);
        return;
    }
    InferenceError error { errorKindFor(status, message), status, message, transfer.attempt };
    if (error.kind == InferenceError::Kind::ConcurrencyLimit) {
        // Fewer requests at once to this provider from now on: as many as it still serves.
        const QString host = hostKey(transfer.job.provider);
        const int requests = qMax(1, qMin(capFor(host), activeFor(host)));
        HostCap& cap = m_hostCap[host];
        cap.requests = requests;
        cap.since.start();
    }
    if (error.retryable() && retryLater(transfer, retryAfter))
        return;
    complete(transfer, ChatOutcome::Status::Failed, error);
}

// Errors where the request cannot have reached the provider: the only ones worth sending again (a
// chat that did reach it would be answered, and billed, twice).
static bool neverReachedProvider(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyAuthenticationRequiredError:
    case QNetworkReply::SslHandshakeFailedError: // the request is sent only over a finished handshake
        return true;
    default:
        return false;
    }
}

void InferenceWorker::finishStream(
    Transfer& transfer, QNetworkReply::NetworkError error, const QString& errorText, bool answered)
{
    takeEvents(transfer, transfer.sse.finish());
    const bool started = transfer.response.sawContent() || !transfer.response.choices().isEmpty();
    if (!started && !transfer.body.isEmpty() && error == QNetworkReply::NoError) {
        const QJsonObject json = QJsonDocument::fromJson(transfer.body).object();
        if (json.value("choices"_L1).isArray()) { // a server that ignored "stream": true
            transfer.response.applyCompletion(json);
            transfer.firstTokenMs = transfer.clock.elapsed();
            complete(transfer, ChatOutcome::Status::Completed, std::nullopt);
        } else { // a 200 that carries an error instead of an answer
            complete(transfer, ChatOutcome::Status::Failed,
                InferenceError { InferenceError::Kind::BadRequest, 200, providerErrorMessage(transfer.body),
                    transfer.attempt });
        }
        return;
    }
    if (error != QNetworkReply::NoError && !started) {
        InferenceError failure { answered || !neverReachedProvider(error) ? InferenceError::Kind::NoAnswer
                                                                          : InferenceError::Kind::Network,
            0, errorText, transfer.attempt };
        // A certificate or proxy login that failed fails the same way again: said at once.
        const bool permanent = error == QNetworkReply::SslHandshakeFailedError
            || error == QNetworkReply::ProxyAuthenticationRequiredError;
        if (failure.kind == InferenceError::Kind::NoAnswer || permanent || !retryLater(transfer, {}))
            complete(transfer, ChatOutcome::Status::Failed, failure);
        return;
    }
    if (started && !transfer.body.isEmpty()) { // an error event after the answer had begun
        complete(transfer, ChatOutcome::Status::Failed,
            InferenceError { InferenceError::Kind::Interrupted, 0, providerErrorMessage(transfer.body),
                transfer.attempt });
        return;
    }
    if (transfer.sawDone || transfer.response.finished()) {
        complete(transfer, ChatOutcome::Status::Completed, std::nullopt);
        return;
    }
    // A server that failed mid-stream may have said why in an error event.
    QString why = transfer.body.isEmpty() ? QString() : providerErrorMessage(transfer.body);
    if (why.isEmpty())
        why = error != QNetworkReply::NoError ? errorText : u"the stream ended before the answer did"_s;
    complete(transfer, ChatOutcome::Status::Failed,
        InferenceError { InferenceError::Kind::Interrupted, 0, why, transfer.attempt });
}

bool InferenceWorker::retryLater(Transfer& transfer, const QByteArray& retryAfter)
{
    if (transfer.attempt > transfer.job.maxRetries)
        return false;
    bool ok = false;
    const int serverSeconds = retryAfter.trimmed().toInt(&ok);
    int delay = transfer.job.firstDelayMs << (transfer.attempt - 1);
    delay += QRandomGenerator::global()->bounded(qMax(1, delay / 4)); // spread concurrent panes
    if (ok && serverSeconds >= 0)
        delay = qMax(delay, qMin(serverSeconds, 60) * 1000);
    const auto id = transfer.job.id;
    QTimer::singleShot(delay, this, [this, id] {
        auto it = m_transfers.find(id);
        if (it != m_transfers.end() && !it->stopped)
            send(id);
        else if (it != m_transfers.end())
            complete(*it, ChatOutcome::Status::Stopped, std::nullopt);
    });
    return true;
}

void InferenceWorker::complete(
    Transfer& transfer, ChatOutcome::Status status, std::optional<InferenceError> error)
{
    ChatOutcome outcome;
    outcome.status = status;
    outcome.choices = transfer.response.choices();
    outcome.usage = transfer.response.usage();
    outcome.completion = transfer.response.toCompletionJson();
    outcome.responseModel = transfer.response.model();
    outcome.timeToFirstTokenMs = transfer.firstTokenMs;
    outcome.latencyMs = transfer.clock.elapsed();
    outcome.attempts = transfer.attempt;
    outcome.error = error;
    const auto id = transfer.job.id;
    const auto deltas = std::exchange(transfer.pending, {});
    const QString host = hostKey(transfer.job.provider);
    m_transfers.remove(id);
    dispatchQueued(host);
    QMetaObject::invokeMethod(m_client, [client = m_client, id, deltas, outcome] {
        if (!deltas.isEmpty())
            client->deliverDeltas(id, deltas, outcome.latencyMs);
        client->deliverOutcome(id, outcome);
    });
}

void InferenceWorker::stop(InferenceClient::RequestId id)
{
    auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    it->stopped = true;
    if (it->reply)
        it->reply->abort(); // finished() follows and completes as Stopped
    else // waiting to retry: stop now; the retry timer then finds no transfer
        complete(*it, ChatOutcome::Status::Stopped, std::nullopt);
}

void InferenceWorker::cancel(InferenceClient::RequestId id)
{
    auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    const QPointer<QNetworkReply> reply = it->reply;
    const QString host = hostKey(it->job.provider);
    m_transfers.erase(it);
    abandonReply(reply, this);
    dispatchQueued(host); // a request queued behind this one (the provider's concurrency) goes now
}

static QVector<ModelInfo> parseModels(const QByteArray& body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    // OpenAI: {"object":"list","data":[...]}; a few servers answer the bare array.
    const QJsonArray data = doc.isArray() ? doc.array() : doc.object().value("data"_L1).toArray();
    QVector<ModelInfo> models;
    for (const QJsonValue& value : data) {
        const QJsonObject entry = value.toObject();
        if (entry.value("id"_L1).isString())
            models.append({ entry.value("id"_L1).toString(), entry.value("owned_by"_L1).toString(), entry });
    }
    return models;
}

void InferenceWorker::startModels(InferenceClient::RequestId id, const InferenceProvider& provider)
{
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    QNetworkReply* reply = m_network->get(inferenceRequest(provider, u"/models"_s));
    connect(reply, &QNetworkReply::finished, this, [this, id, reply] {
        reply->deleteLater();
        const int status = statusOf(reply);
        const QByteArray body = reply->readAll();
        if (status / 100 == 2) {
            const auto models = parseModels(body);
            QMetaObject::invokeMethod(
                m_client, [client = m_client, id, models] { client->deliverModels(id, models); });
            return;
        }
        InferenceError error { status ? errorKindFor(status, providerErrorMessage(body))
                                      : InferenceError::Kind::Network,
            status, status ? providerErrorMessage(body) : reply->errorString(), 1 };
        QMetaObject::invokeMethod(
            m_client, [client = m_client, id, error] { client->deliverError(id, error); });
    });
}

} // namespace spindle::net
