#pragma once

#include "core/call.h"
#include "net/contextwatch.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QThread>
#include <QUrl>
#include <QVector>

#include <functional>

namespace spindle::net {

struct ServerConnection
{
    QUrl baseUrl; // e.g. http://127.0.0.1:6345 or https://trace.wandb.ai (no trailing slash)
    QString apiKey; // sent as HTTP Basic api:<key>; empty sends no Authorization header
};

struct ApiError
{
    QString path;
    int httpStatus = 0; // 0: no HTTP answer (refused, timeout, broken stream)
    QString reason; // the server's {"reason"} or a readable description
    bool timedOut = false; // no answer in time: the server may be there, busy with a slow query
    QString hint {}; // what the client knows besides the server's reason (no API key was sent)

    QString message() const;
    // Without the request's path, for where the UI already says what was being done (a dialog).
    QString brief() const;
};

class HttpWorker;
struct HttpRequest;

// The typed async client for the Weave trace-server API. Requests run on a network thread;
// JSON and JSONL bodies are parsed there and results come back to this object's thread as
// values, through the callbacks. 429/5xx and refused connections are retried with backoff.
class TraceClient : public QObject
{
    Q_OBJECT
public:
    using RequestId = quint64;
    using JsonCallback = std::function<void(const QJsonObject&)>;
    using BytesCallback = std::function<void(const QByteArray&)>;
    using CallsCallback = std::function<void(const QVector<spindle::Call>&)>;
    using DoneCallback = std::function<void()>;
    using ErrorCallback = std::function<void(const ApiError&)>;

    explicit TraceClient(QObject* parent = nullptr);
    ~TraceClient() override;

    void setConnection(const ServerConnection& connection);
    ServerConnection connection() const
    {
        return m_connection;
    }
    void setRetryPolicy(int maxRetries, int firstDelayMs);
    // A request with no byte for this long fails (timedOut); 30 s unless set.
    void setTransferTimeout(int ms);

    // Every request takes a context, as QObject::connect does: its callbacks never run once the
    // context (an object of this client's thread) is destroyed. The request itself goes on, so a
    // write is not lost. Pass nullptr only when the callbacks capture nothing that can die first.
    RequestId post(QObject* context, const QString& path, const QJsonObject& body, JsonCallback onResult,
        ErrorCallback onError = {});
    RequestId postForBytes(QObject* context, const QString& path, const QJsonObject& body,
        BytesCallback onResult, ErrorCallback onError = {});
    // /calls/stream_query: rows arrive in batches (the first one early) then onDone.
    RequestId streamCalls(QObject* context, const QJsonObject& request, CallsCallback onBatch,
        DoneCallback onDone, ErrorCallback onError = {});
    // POST /file/create as multipart/form-data (project_id + the file part); answers {"digest"}.
    RequestId uploadFile(QObject* context, const QString& projectId, const QByteArray& bytes,
        const QString& fileName, JsonCallback onResult, ErrorCallback onError = {});
    // GET /health once, without retries: true when the server answers 2xx.
    RequestId checkHealth(QObject* context, std::function<void(bool)> onResult);
    // GET /server_info once, without retries: true when a Spindle server answers (any other service
    // on the port, even one with a /health of its own, is not one).
    RequestId checkSpindle(QObject* context, std::function<void(bool)> onResult);
    RequestId getJson(
        QObject* context, const QString& path, JsonCallback onResult, ErrorCallback onError = {});
    // The request's callbacks will not run after this; the transfer is aborted.
    void cancel(RequestId id);
    // At exit: blocks, at most `timeoutMs`, until the POSTs already submitted (a Playground run's
    // /call/end among them) have had their answer, so that closing the app does not drop them. Streams
    // of calls are not waited for. False when some were still on their way.
    bool finishPosts(int timeoutMs);
    // Failures of this request go to its own error callback only, not to requestFailed().
    void setQuiet(RequestId id);

Q_SIGNALS:
    // Every failed request, for the one place errors surface in the UI.
    void requestFailed(const spindle::net::ApiError& error);
    void reachabilityChanged(bool reachable);

private:
    friend class HttpWorker;
    struct Handlers
    {
        // Default-initialised, so that a request names only its own callbacks (designated
        // initializers) without -Wmissing-field-initializers for the others.
        JsonCallback onJson {};
        BytesCallback onBytes {};
        CallsCallback onCalls {};
        DoneCallback onDone {};
        ErrorCallback onError {};
        const QObject* context = nullptr; // compared only, never dereferenced
        bool quiet = false;
    };
    RequestId submit(QObject* context, const QString& path, const QByteArray& body, int kind,
        Handlers handlers, int maxRetries = -1, const QStringList& uploadFields = {});
    void dispatch(const HttpRequest& request); // to the worker thread, counted for finishPosts
    void forgetCallbacksOf(const QObject* context);
    void deliverJson(RequestId id, const QJsonObject& json);
    void deliverBytes(RequestId id, const QByteArray& bytes);
    void deliverCalls(RequestId id, const QVector<spindle::Call>& calls);
    void deliverDone(RequestId id);
    void deliverError(RequestId id, const ApiError& error);
    // What a finished request says of the server at `base`; news of an earlier connection's is none.
    void noteReachable(bool reachable, const QUrl& base);
    // After a request to `base` timed out: a /health probe, whose lack of an answer means it is gone.
    void probeAfterTimeout(const QUrl& base);

    ServerConnection m_connection;
    QThread m_thread;
    HttpWorker* m_worker = nullptr;
    RequestId m_nextId = 1;
    QHash<RequestId, Handlers> m_pending;
    ContextWatch m_contexts { this, [this](const QObject* gone) { forgetCallbacksOf(gone); } };
    int m_maxRetries = 3;
    int m_firstDelayMs = 250;
    int m_transferTimeoutMs = 30000;
    bool m_reachable = true;
};

} // namespace spindle::net

Q_DECLARE_METATYPE(spindle::net::ApiError)
