#pragma once

#include "net/traceclient.h"

#include <QHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>

#include <atomic>

namespace spindle::net {

enum class RequestKind
{
    Json,
    Bytes,
    CallStream,
    Health,
    GetJson,
    Upload, // multipart /file/create: body = the file's bytes
};

struct HttpRequest
{
    TraceClient::RequestId id = 0;
    QString path;
    QByteArray body;
    RequestKind kind = RequestKind::Json;
    ServerConnection connection;
    int maxRetries = 3;
    int firstDelayMs = 250;
    QStringList uploadFields; // Upload: { project_id, file name }
    int timeoutMs = 30000; // no byte for this long: the transfer gives up
    bool reportsDown = false; // Health: no answer means the server is gone (a probe after a timeout)
};

// Lives on the client's network thread: owns the QNetworkAccessManager, retries, and parses
// bodies (JSON, JSONL rows into Call values) before handing values back to the client.
class HttpWorker : public QObject
{
    Q_OBJECT
public:
    explicit HttpWorker(TraceClient* client);

    void start(const HttpRequest& request); // call on the worker thread
    void cancel(TraceClient::RequestId id);
    // POSTs (JSON and uploads: the writes among them) submitted and not yet finished, counted from
    // the submitting thread on, so that TraceClient::finishPosts can wait for them at exit.
    static bool isPost(RequestKind kind)
    {
        return kind == RequestKind::Json || kind == RequestKind::Bytes || kind == RequestKind::Upload;
    }
    void noteSubmitted(RequestKind kind)
    {
        if (isPost(kind))
            ++m_unfinishedPosts;
    }
    int unfinishedPosts() const
    {
        return m_unfinishedPosts;
    }

private:
    struct Transfer
    {
        HttpRequest request;
        QPointer<QNetworkReply> reply;
        int attempt = 0;
        QByteArray pending; // JSONL bytes not yet split into lines
        QVector<spindle::Call> batch;
        int delivered = 0;
        int lineNumber = 0;
        bool failed = false;
    };

    void send(TraceClient::RequestId id);
    void drop(TraceClient::RequestId id); // the transfer is over: forgotten, and no longer counted
    QNetworkReply* postMultipart(QNetworkRequest& http, const HttpRequest& request);
    void onReadyRead(TraceClient::RequestId id);
    void onFinished(TraceClient::RequestId id);
    bool parseLines(Transfer& transfer, bool final);
    void flushBatch(Transfer& transfer);
    bool deliverCompleteLines(Transfer& transfer, const QByteArray& tail);
    void failUnfinished(Transfer& transfer, const QByteArray& tail, const QNetworkReply* reply);
    bool retryIfWorthIt(Transfer& transfer, const QNetworkReply& reply);
    void fail(Transfer& transfer, int status, const QString& reason, bool timedOut = false);
    void finishJson(Transfer& transfer, const QByteArray& body);

    TraceClient* m_client;
    QNetworkAccessManager* m_network = nullptr;
    QHash<TraceClient::RequestId, Transfer> m_transfers;
    std::atomic<int> m_unfinishedPosts { 0 };
};

} // namespace spindle::net
