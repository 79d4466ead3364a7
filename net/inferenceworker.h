#pragma once

#include "net/inferenceclient.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>

#include <optional>

namespace spindle::net {

struct ChatJob
{
    InferenceClient::RequestId id = 0;
    InferenceProvider provider;
    ChatRequest request;
    int maxRetries = 3;
    int firstDelayMs = 500;
};

// Lives on the inference client's thread: owns the QNetworkAccessManager, parses the SSE
// stream into an accumulated response, coalesces text deltas, and decides on retries.
class InferenceWorker : public QObject
{
    Q_OBJECT
public:
    explicit InferenceWorker(InferenceClient* client);

    void startChat(const ChatJob& job);
    void startModels(InferenceClient::RequestId id, const InferenceProvider& provider);
    void stop(InferenceClient::RequestId id);
    void setConcurrencyMemory(int ms)
    {
        m_capMemoryMs = ms;
    }
    void cancel(InferenceClient::RequestId id);

private:
    struct Transfer
    {
        ChatJob job;
        QPointer<QNetworkReply> reply;
        int attempt = 0;
        QElapsedTimer clock;
        SseParser sse;
        ChatAccumulator response;
        QVector<ChatDelta> pending; // deltas not yet delivered
        qint64 firstTokenMs = -1;
        QByteArray body; // error or non-streamed body; the first bytes while `events` is unknown
        std::optional<bool> events; // the answer is a server-sent event stream
        bool sawDone = false;
        bool stopped = false;
        bool queued = false; // waiting for a slot under the provider's concurrency limit
    };
    int activeFor(const QString& host) const;
    void dispatchQueued(const QString& host);

    void send(InferenceClient::RequestId id);
    void onReadyRead(InferenceClient::RequestId id);
    static std::optional<bool> looksLikeEvents(const Transfer& transfer);
    void onFinished(InferenceClient::RequestId id);
    void takeEvents(Transfer& transfer, const QVector<QByteArray>& events);
    void finishHttpError(Transfer& transfer, int status, const QByteArray& retryAfter);
    // `answered`: an HTTP status came, so the request reached the provider (it is never sent again).
    void finishStream(
        Transfer& transfer, QNetworkReply::NetworkError error, const QString& errorText, bool answered);
    bool retryLater(Transfer& transfer, const QByteArray& retryAfter);
    void complete(Transfer& transfer, ChatOutcome::Status status, std::optional<InferenceError> error);
    void flushDeltas();

    InferenceClient* m_client;
    QNetworkAccessManager* m_network = nullptr;
    QHash<InferenceClient::RequestId, Transfer> m_transfers;
    // Requests at once a provider accepted after a 429 "concurrency limit", learnt when the 429 came
    // and forgotten after m_capMemoryMs without another one: the limit may have been the account's
    // other work, and a session should not stay throttled for it.
    struct HostCap
    {
        int requests = 1;
        QElapsedTimer since;
    };
    int capFor(const QString& host);
    QHash<QString, HostCap> m_hostCap;
    int m_capMemoryMs = 60000;
    QTimer m_flush;
};

QNetworkRequest inferenceRequest(const InferenceProvider& provider, const QString& path);
QString providerErrorMessage(const QByteArray& body);

} // namespace spindle::net
