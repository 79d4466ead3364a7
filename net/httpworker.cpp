#include "net/httpworker.h"

#include "net/abandonreply.h"

#include <QDateTime>
#include <QHttpMultiPart>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLocale>
#include <QNetworkRequest>
#include <QTimeZone>
#include <QTimer>

#include <algorithm>

namespace spindle::net {
namespace {

constexpr int kFirstBatchRows = 50; // a screenful: the table shows it while the page streams on
constexpr int kBatchRows = 500;
constexpr int kProbeTimeoutMs = 5000; // a TLS handshake on a slow link takes seconds
constexpr int kMaxRetryAfterMs = 30000; // a Retry-After longer than this is not waited for

bool isRetryableStatus(int status)
{
    return status == 429 || status == 502 || status == 503 || status == 504;
}

// Feedback and prices get a new id on each create, so a create the server made but whose answer
// was lost would be made twice by a retry.
bool createsOnEachRequest(const QString& path)
{
    return path == QLatin1String("/feedback/create") || path == QLatin1String("/cost/create");
}

// 429 and 503 say the request was not served and a refused connection never reached a server; after
// a 502 or 504 (a gateway that gave up) or a dropped connection the server may have done it already.
bool surelyNotServed(int status, QNetworkReply::NetworkError error)
{
    return status ? (status == 429 || status == 503) : error == QNetworkReply::ConnectionRefusedError;
}

bool isRetryableNetworkError(QNetworkReply::NetworkError error)
{
    return error == QNetworkReply::ConnectionRefusedError || error == QNetworkReply::RemoteHostClosedError
        || error == QNetworkReply::TemporaryNetworkFailureError
        || error == QNetworkReply::NetworkSessionFailedError;
}

// Retry-After, in seconds or as an HTTP date; 0 when the answer has none.
int retryAfterMs(const QNetworkReply& reply)
{
    const QByteArray value = reply.rawHeader("Retry-After").trimmed();
    if (value.isEmpty())
        return 0;
    bool isNumber = false;
    const qint64 seconds = value.toLongLong(&isNumber);
    if (isNumber)
        return int(std::clamp<qint64>(seconds, 0, 24 * 3600) * 1000);
    // An HTTP date ("Wed, 21 Oct 2025 07:28:00 GMT"): Qt 6.4's RFC 2822 reader refuses its "GMT".
    QDateTime at = QLocale::c().toDateTime(
        QString::fromLatin1(value), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    at.setTimeZone(QTimeZone::utc());
    return at.isValid()
        ? int(std::clamp<qint64>(QDateTime::currentDateTimeUtc().msecsTo(at), 0, 24 * 3600 * 1000))
        : 0;
}

QString reasonFromBody(const QByteArray& body, int status)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        const QJsonValue reason = doc.object().value(QLatin1String("reason"));
        if (reason.isString())
            return reason.toString();
        const QJsonValue detail = doc.object().value(QLatin1String("detail"));
        if (!detail.isUndefined())
            return QString::fromUtf8(QJsonDocument(
                QJsonObject { { QStringLiteral("detail"),
                    detail } }).toJson(QJsonDocument::Compact));
    }
    if (status == 401)
        return QStringLiteral("the server rejected the API key (401)");
    if (status == 403)
        return QStringLiteral("no access to this project (403)");
    if (status == 404)
        return QStringLiteral("not found (404)");
    return QStringLiteral("HTTP %1").arg(status);
}

// What an HTTP failure says: the server's reason, or where a redirect it did not follow pointed.
QString failureReason(const QNetworkReply& reply, const QByteArray& body, int status)
{
    if (status >= 300 && status < 400) {
        const QString location = reply.header(QNetworkRequest::LocationHeader).toUrl().toString();
        if (location.isEmpty())
            return QStringLiteral("the server answered HTTP %1 without an address to go to").arg(status);
        return QStringLiteral("the server redirected to %1 (HTTP %2), another address: Spindle does not "
                              "send your API key there. Use that address as the server URL")
            .arg(location)
            .arg(status);
    }
    const int retryAfter = retryAfterMs(reply);
    if ((status == 429 || status == 503) && retryAfter > kMaxRetryAfterMs) // more than was worth waiting for
        return reasonFromBody(body, status)
            + QStringLiteral(" (the server asks to be tried again in %1 s)").arg((retryAfter + 999) / 1000);
    return reasonFromBody(body, status);
}

} // namespace

HttpWorker::HttpWorker(TraceClient* client)
    : m_client(client)
{
}

void HttpWorker::start(const HttpRequest& request)
{
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    Transfer& transfer = m_transfers[request.id];
    transfer.request = request;
    send(request.id);
}

void HttpWorker::cancel(TraceClient::RequestId id)
{
    auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    const QPointer<QNetworkReply> reply = it->reply;
    drop(id);
    abandonReply(reply, this);
}

void HttpWorker::drop(TraceClient::RequestId id)
{
    const auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    if (isPost(it->request.kind))
        --m_unfinishedPosts;
    m_transfers.erase(it);
}

void HttpWorker::send(TraceClient::RequestId id)
{
    auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    Transfer& transfer = *it;
    const HttpRequest& request = transfer.request;
    QUrl url = request.connection.baseUrl;
    url.setPath(url.path() + request.path);
    QNetworkRequest http(url);
    // A redirect to another host (or port, or scheme) is not followed: it would carry the API key
    // there. The 3xx comes back as the answer, and says where it pointed.
    http.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    // A probe is answered at once by a live server: one that holds the connection is not live.
    http.setTransferTimeout(
        request.kind == RequestKind::Health ? qMin(kProbeTimeoutMs, request.timeoutMs) : request.timeoutMs);
    http.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    http.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Spindle/0.1"));
    if (request.kind == RequestKind::CallStream)
        http.setRawHeader("Accept", "application/jsonl");
    if (!request.connection.apiKey.isEmpty())
        http.setRawHeader(
            "Authorization", "Basic " + QByteArray("api:" + request.connection.apiKey.toUtf8()).toBase64());
    QNetworkReply* reply = nullptr;
    if (request.kind == RequestKind::Health || request.kind == RequestKind::GetJson)
        reply = m_network->get(http);
    else if (request.kind == RequestKind::Upload)
        reply = postMultipart(http, request);
    else
        reply = m_network->post(http, request.body);
    transfer.reply = reply;
    transfer.pending.clear();
    connect(reply, &QNetworkReply::readyRead, this, [this, id] { onReadyRead(id); });
    connect(reply, &QNetworkReply::finished, this, [this, id] { onFinished(id); });
}

QNetworkReply* HttpWorker::postMultipart(QNetworkRequest& http, const HttpRequest& request)
{
    // The SDKs' form: a text part `project_id` and a file part `file`.
    auto* multipart = new QHttpMultiPart(QHttpMultiPart::FormDataType);
    QHttpPart project;
    project.setHeader(
        QNetworkRequest::ContentDispositionHeader, QStringLiteral("form-data; name=\"project_id\""));
    project.setBody(request.uploadFields.value(0).toUtf8());
    QHttpPart file;
    file.setHeader(QNetworkRequest::ContentDispositionHeader,
        QStringLiteral("form-data; name=\"file\"; filename=\"%1\"").arg(request.uploadFields.value(1)));
    file.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/octet-stream"));
    file.setBody(request.body);
    multipart->append(project);
    multipart->append(file);
    http.setHeader(QNetworkRequest::ContentTypeHeader, QVariant()); // QNAM sets the boundary
    QNetworkReply* reply = m_network->post(http, multipart);
    multipart->setParent(reply);
    return reply;
}

void HttpWorker::onReadyRead(TraceClient::RequestId id)
{
    auto it = m_transfers.find(id);
    if (it == m_transfers.end() || it->request.kind != RequestKind::CallStream || !it->reply)
        return;
    const int status = it->reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200)
        return; // error bodies are read whole in onFinished
    it->pending += it->reply->readAll();
    if (!parseLines(*it, false))
        cancel(id);
}

bool HttpWorker::parseLines(Transfer& transfer, bool final)
{
    qsizetype start = 0;
    while (true) {
        qsizetype end = transfer.pending.indexOf('\n', start);
        if (end < 0) {
            if (!final || start >= transfer.pending.size())
                break;
            end = transfer.pending.size(); // a last line without its newline
        }
        const QByteArray line = transfer.pending.mid(start, end - start).trimmed();
        start = end + 1;
        ++transfer.lineNumber;
        if (line.isEmpty())
            continue;
        QJsonParseError error {};
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            flushBatch(transfer); // the lines before the bad one are good rows
            fail(transfer, 0,
                QStringLiteral("the server sent malformed JSON Lines (line %1: %2)")
                    .arg(transfer.lineNumber)
                    .arg(error.error != QJsonParseError::NoError ? error.errorString()
                                                                 : QStringLiteral("not an object")));
            return false;
        }
        transfer.batch.push_back(spindle::Call::fromJson(doc.object()));
        const int threshold = transfer.delivered == 0 ? kFirstBatchRows : kBatchRows;
        if (transfer.batch.size() >= threshold)
            flushBatch(transfer);
    }
    transfer.pending.remove(0, std::min(start, transfer.pending.size()));
    return true;
}

void HttpWorker::flushBatch(Transfer& transfer)
{
    if (transfer.batch.isEmpty())
        return;
    transfer.delivered += transfer.batch.size();
    const auto id = transfer.request.id;
    QMetaObject::invokeMethod(m_client,
        [client = m_client, id, rows = std::move(transfer.batch)] { client->deliverCalls(id, rows); });
    transfer.batch = {};
}

// A stream that ended without its last chunk still hands over its whole lines before the error:
// they are what came (the trace view shows them; the calls table keeps a page's first rows and
// asks for the page again). A cut line is dropped.
bool HttpWorker::deliverCompleteLines(Transfer& transfer, const QByteArray& tail)
{
    if (transfer.request.kind != RequestKind::CallStream)
        return true;
    transfer.pending += tail;
    if (!parseLines(transfer, false))
        return false;
    flushBatch(transfer);
    return true;
}

bool HttpWorker::retryIfWorthIt(Transfer& transfer, const QNetworkReply& reply)
{
    const int status = reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError error = reply.error();
    const bool retryable = (status ? isRetryableStatus(status) : isRetryableNetworkError(error))
        && (!createsOnEachRequest(transfer.request.path) || surelyNotServed(status, error));
    if (!retryable || transfer.attempt >= transfer.request.maxRetries || transfer.delivered > 0)
        return false;
    // A 429 or 503 may say when to come back: sooner would be refused again. Past the longest wait
    // worth holding a request for, the failure is the answer (its message says the server is busy).
    const int asked = retryAfterMs(reply);
    if (asked > kMaxRetryAfterMs)
        return false;
    const int delay = qMax(transfer.request.firstDelayMs << transfer.attempt, asked);
    ++transfer.attempt;
    transfer.batch.clear();
    transfer.lineNumber = 0;
    const auto id = transfer.request.id;
    QTimer::singleShot(delay, this, [this, id] { send(id); });
    return true;
}

void HttpWorker::fail(Transfer& transfer, int status, const QString& reason, bool timedOut)
{
    transfer.failed = true;
    ApiError error {
        .path = transfer.request.path, .httpStatus = status, .reason = reason, .timedOut = timedOut
    };
    if (status == 401 && transfer.request.connection.apiKey.isEmpty())
        error.hint =
            QStringLiteral("No API key was sent: none was found in WANDB_API_KEY, in ~/.netrc (under the "
                           "server's host) or in the keychain. Enter one under Connection….");
    const auto id = transfer.request.id;
    QMetaObject::invokeMethod(m_client, [client = m_client, id, error] { client->deliverError(id, error); });
}

void HttpWorker::finishJson(Transfer& transfer, const QByteArray& body)
{
    const auto id = transfer.request.id;
    if (transfer.request.kind == RequestKind::Bytes) {
        QMetaObject::invokeMethod(
            m_client, [client = m_client, id, body] { client->deliverBytes(id, body); });
        return;
    }
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        fail(transfer, 200, QStringLiteral("the server sent a malformed JSON answer"));
        return;
    }
    QMetaObject::invokeMethod(
        m_client, [client = m_client, id, json = doc.object()] { client->deliverJson(id, json); });
}

void HttpWorker::onFinished(TraceClient::RequestId id)
{
    auto it = m_transfers.find(id);
    if (it == m_transfers.end() || !it->reply)
        return;
    Transfer& transfer = *it;
    QNetworkReply* reply = transfer.reply;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const auto networkError = reply->error();
    const bool answered = status != 0;
    const QUrl base = transfer.request.connection.baseUrl;
    if (transfer.request.kind == RequestKind::Health) { // a probe: news only when it is answered
        const bool ok = status >= 200 && status < 300;
        if (answered || transfer.request.reportsDown)
            QMetaObject::invokeMethod(
                m_client, [client = m_client, answered, base] { client->noteReachable(answered, base); });
        QJsonObject result { { QStringLiteral("ok"), ok } };
        if (ok) // /server_info names the server: a Spindle server says so
            result.insert(QStringLiteral("server"),
                QJsonDocument::fromJson(reply->readAll()).object().value(QLatin1String("server")));
        QMetaObject::invokeMethod(
            m_client, [client = m_client, id, result] { client->deliverJson(id, result); });
        drop(id);
        return;
    }
    if (retryIfWorthIt(transfer, *reply))
        return;
    // A request that timed out says nothing of whether the server is there: a slow query is not a
    // server gone (probing it, then re-running the query when the probe answers, would loop).
    if (answered || networkError != QNetworkReply::OperationCanceledError)
        QMetaObject::invokeMethod(
            m_client, [client = m_client, answered, base] { client->noteReachable(answered, base); });
    else // a probe tells a busy server (it answers at once) from one gone (it does not)
        QMetaObject::invokeMethod(m_client, [client = m_client, base] { client->probeAfterTimeout(base); });
    const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray(); // closed by a timeout
    if (status >= 200 && status < 300 && networkError == QNetworkReply::NoError) {
        if (transfer.request.kind == RequestKind::CallStream) {
            transfer.pending += body;
            if (parseLines(transfer, true)) {
                flushBatch(transfer);
                QMetaObject::invokeMethod(m_client, [client = m_client, id] { client->deliverDone(id); });
            }
        } else {
            finishJson(transfer, body);
        }
    } else if (answered && (status < 200 || status >= 300)) {
        fail(transfer, status, failureReason(*reply, body, status));
    } else {
        failUnfinished(transfer, body, reply); // no complete HTTP answer
    }
    drop(id);
}

// A transfer that timed out or whose connection broke: its whole lines go out first, then the
// error (a malformed line among them is the error, reported by parseLines).
void HttpWorker::failUnfinished(Transfer& transfer, const QByteArray& tail, const QNetworkReply* reply)
{
    if (!deliverCompleteLines(transfer, tail))
        return;
    if (reply->error() == QNetworkReply::OperationCanceledError) {
        fail(transfer, 0, QStringLiteral("no answer within %1 s").arg(transfer.request.timeoutMs / 1000.0),
            true);
        return;
    }
    const QString what = transfer.delivered > 0 ? QStringLiteral("the stream broke off after %1 rows: %2")
                                                      .arg(transfer.delivered)
                                                      .arg(reply->errorString())
                                                : reply->errorString();
    fail(transfer, 0, what);
}

} // namespace spindle::net
