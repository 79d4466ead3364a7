#include "net/traceclient.h"

#include "net/httpworker.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QJsonDocument>
#include <QThread>

namespace spindle::net {

namespace {
// What a request was for, in the user's words: the banner leads with it.
QString purposeOf(const QString& path)
{
    static const QHash<QString, const char*> purposes {
        { QStringLiteral("/calls/stream_query"), "load calls" },
        { QStringLiteral("/calls/query_stats"), "count calls" },
        { QStringLiteral("/calls/stats"), "load the cost statistics" },
        { QStringLiteral("/call/read"), "load the call" },
        { QStringLiteral("/call/update"), "rename the call" },
        { QStringLiteral("/calls/delete"), "delete calls" },
        { QStringLiteral("/call/start"), "log the call" },
        { QStringLiteral("/call/end"), "log the call" },
        { QStringLiteral("/call/upsert_batch"), "log calls" },
        { QStringLiteral("/obj/create"), "save" },
        { QStringLiteral("/obj/read"), "read a saved object" },
        { QStringLiteral("/objs/query"), "list saved objects" },
        { QStringLiteral("/obj/delete"), "delete a saved object" },
        { QStringLiteral("/feedback/create"), "add the feedback" },
        { QStringLiteral("/feedback/query"), "load feedback" },
        { QStringLiteral("/feedback/purge"), "remove the feedback" },
        { QStringLiteral("/cost/create"), "save the price" },
        { QStringLiteral("/cost/query"), "load prices" },
        { QStringLiteral("/cost/purge"), "delete the price" },
        { QStringLiteral("/file/create"), "upload a file" },
        { QStringLiteral("/file/content"), "load a file" },
        { QStringLiteral("/refs/read_batch"), "read references" },
        { QStringLiteral("/spindle/projects"), "list projects" },
    };
    const char* purpose = purposes.value(path);
    return purpose ? QString::fromLatin1(purpose) : QStringLiteral("complete a request");
}
} // namespace

// What failed first, then why; the status and the path last, for whoever looks into it.
QString ApiError::message() const
{
    if (timedOut)
        return QStringLiteral("The trace server did not answer in time to %1: %2 (%3). It may be busy with a "
                              "slow query: a narrower filter or time range helps")
            .arg(purposeOf(path), reason, path);
    if (httpStatus == 0)
        return QStringLiteral("Cannot reach the trace server to %1: %2 (%3)")
            .arg(purposeOf(path), reason, path);
    // One arg() call: a reason holding "%2" (a URL-encoded slash) must not take the status.
    return QStringLiteral("Could not %1: %2 (HTTP %3 from %4)%5")
        .arg(purposeOf(path), reason.isEmpty() ? QStringLiteral("no reason given") : reason,
            QString::number(httpStatus), path, hint.isEmpty() ? QString() : QStringLiteral(". ") + hint);
}

QString ApiError::brief() const
{
    if (timedOut)
        return QStringLiteral("the trace server did not answer in time (%1)").arg(reason);
    if (httpStatus == 0)
        return QStringLiteral("the trace server cannot be reached (%1)").arg(reason);
    const QString said = reason.isEmpty() ? QStringLiteral("the server answered %1").arg(httpStatus) : reason;
    return hint.isEmpty() ? said : said + QStringLiteral(". ") + hint;
}

TraceClient::TraceClient(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<spindle::net::ApiError>();
    m_thread.setObjectName(QStringLiteral("spindle-network"));
    m_worker = new HttpWorker(this);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

bool TraceClient::finishPosts(int timeoutMs)
{
    // The worker thread goes on sending and reading meanwhile; nothing here needs the GUI's events.
    const QDeadlineTimer deadline(timeoutMs);
    while (m_worker->unfinishedPosts() > 0 && !deadline.hasExpired())
        QThread::msleep(2);
    return m_worker->unfinishedPosts() == 0;
}

TraceClient::~TraceClient()
{
    m_pending.clear();
    m_thread.quit();
    m_thread.wait();
}

void TraceClient::setConnection(const ServerConnection& connection)
{
    m_connection = connection;
    QString path = m_connection.baseUrl.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    m_connection.baseUrl.setPath(path);
    // A new connection is presumed there (no signal: the window sets itself up for it anew), so its
    // first failure is news that starts the probing.
    m_reachable = true;
}

void TraceClient::setRetryPolicy(int maxRetries, int firstDelayMs)
{
    m_maxRetries = maxRetries;
    m_firstDelayMs = firstDelayMs;
}

void TraceClient::setTransferTimeout(int ms)
{
    m_transferTimeoutMs = ms;
}

TraceClient::RequestId TraceClient::submit(QObject* context, const QString& path, const QByteArray& body,
    int kind, Handlers handlers, int maxRetries, const QStringList& uploadFields)
{
    const RequestId id = m_nextId++;
    handlers.context = context;
    m_pending.insert(id, std::move(handlers));
    m_contexts.watch(context);
    dispatch({ id, path, body, static_cast<RequestKind>(kind), m_connection,
        maxRetries < 0 ? m_maxRetries : maxRetries, m_firstDelayMs, uploadFields, m_transferTimeoutMs });
    return id;
}

void TraceClient::dispatch(const HttpRequest& request)
{
    m_worker->noteSubmitted(request.kind);
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, request] { worker->start(request); });
}

void TraceClient::forgetCallbacksOf(const QObject* context)
{
    // The requests themselves go on: a write the user made is not lost with the window that made
    // it, and a failure still reaches requestFailed().
    for (Handlers& handlers : m_pending) {
        if (handlers.context != context)
            continue;
        handlers = Handlers { .quiet = handlers.quiet };
    }
}

TraceClient::RequestId TraceClient::post(QObject* context, const QString& path, const QJsonObject& body,
    JsonCallback onResult, ErrorCallback onError)
{
    Handlers handlers { .onJson = std::move(onResult), .onError = std::move(onError) };
    return submit(context, path, QJsonDocument(body).toJson(QJsonDocument::Compact), int(RequestKind::Json),
        std::move(handlers));
}

TraceClient::RequestId TraceClient::postForBytes(QObject* context, const QString& path,
    const QJsonObject& body, BytesCallback onResult, ErrorCallback onError)
{
    Handlers handlers { .onBytes = std::move(onResult), .onError = std::move(onError) };
    return submit(context, path, QJsonDocument(body).toJson(QJsonDocument::Compact), int(RequestKind::Bytes),
        std::move(handlers));
}

TraceClient::RequestId TraceClient::streamCalls(QObject* context, const QJsonObject& request,
    CallsCallback onBatch, DoneCallback onDone, ErrorCallback onError)
{
    Handlers handlers {
        .onCalls = std::move(onBatch), .onDone = std::move(onDone), .onError = std::move(onError)
    };
    return submit(context, QStringLiteral("/calls/stream_query"),
        QJsonDocument(request).toJson(QJsonDocument::Compact), int(RequestKind::CallStream),
        std::move(handlers));
}

TraceClient::RequestId TraceClient::checkHealth(QObject* context, std::function<void(bool)> onResult)
{
    Handlers handlers { .onJson = [onResult](const QJsonObject& json) {
        onResult(json.value(QLatin1String("ok")).toBool());
    } };
    return submit(context, QStringLiteral("/health"), {}, int(RequestKind::Health), std::move(handlers), 0);
}

TraceClient::RequestId TraceClient::checkSpindle(QObject* context, std::function<void(bool)> onResult)
{
    Handlers handlers { .onJson = [onResult](const QJsonObject& json) {
        onResult(json.value(QLatin1String("ok")).toBool()
            && json.value(QLatin1String("server")).toString() == QLatin1String("spindle"));
    } };
    return submit(
        context, QStringLiteral("/server_info"), {}, int(RequestKind::Health), std::move(handlers), 0);
}

TraceClient::RequestId TraceClient::uploadFile(QObject* context, const QString& projectId,
    const QByteArray& bytes, const QString& fileName, JsonCallback onResult, ErrorCallback onError)
{
    Handlers handlers { .onJson = std::move(onResult), .onError = std::move(onError) };
    return submit(context, QStringLiteral("/file/create"), bytes, int(RequestKind::Upload),
        std::move(handlers), -1, { projectId, fileName });
}

TraceClient::RequestId TraceClient::getJson(
    QObject* context, const QString& path, JsonCallback onResult, ErrorCallback onError)
{
    Handlers handlers { .onJson = std::move(onResult), .onError = std::move(onError) };
    return submit(context, path, {}, int(RequestKind::GetJson), std::move(handlers));
}

void TraceClient::cancel(RequestId id)
{
    if (m_pending.remove(id) == 0)
        return;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id] { worker->cancel(id); });
}

void TraceClient::setQuiet(RequestId id)
{
    auto it = m_pending.find(id);
    if (it != m_pending.end())
        it->quiet = true;
}

void TraceClient::deliverJson(RequestId id, const QJsonObject& json)
{
    auto handlers = m_pending.take(id);
    if (handlers.onJson)
        handlers.onJson(json);
}

void TraceClient::deliverBytes(RequestId id, const QByteArray& bytes)
{
    auto handlers = m_pending.take(id);
    if (handlers.onBytes)
        handlers.onBytes(bytes);
}

void TraceClient::deliverCalls(RequestId id, const QVector<spindle::Call>& calls)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end() || !it->onCalls)
        return;
    // A copy: the batch may cancel this very request, or destroy its context, which erases the
    // handlers while they run.
    const CallsCallback onCalls = it->onCalls;
    onCalls(calls);
}

void TraceClient::deliverDone(RequestId id)
{
    auto handlers = m_pending.take(id);
    if (handlers.onDone)
        handlers.onDone();
}

void TraceClient::deliverError(RequestId id, const ApiError& error)
{
    if (!m_pending.contains(id))
        return; // cancelled: stale failures are not news
    auto handlers = m_pending.take(id);
    if (handlers.onError)
        handlers.onError(error);
    if (!handlers.quiet)
        Q_EMIT requestFailed(error);
}

void TraceClient::probeAfterTimeout(const QUrl& base)
{
    if (base != m_connection.baseUrl || !m_reachable)
        return; // another server's, or the window probes it already
    HttpRequest request { m_nextId++, QStringLiteral("/health"), {}, RequestKind::Health, m_connection, 0,
        m_firstDelayMs, {}, m_transferTimeoutMs };
    request.reportsDown = true;
    dispatch(request);
}

void TraceClient::noteReachable(bool reachable, const QUrl& base)
{
    if (reachable == m_reachable || base != m_connection.baseUrl)
        return;
    m_reachable = reachable;
    Q_EMIT reachabilityChanged(reachable);
}

} // namespace spindle::net
