#pragma once

// Shared by the desktop tests that need a server: the real trace server in-process (127.0.0.1,
// port 0, a temporary data directory) and a synchronous cpp-httplib client to fill it with calls
// independently of the TraceClient under test.

#include "server/traceserver.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

#include <httplib.h>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace spindle::apptest {

// 2025-01-01T00:00:00Z, the start of every generated timeline.
inline constexpr qint64 kEpoch2025Ms = 1735689600000;

inline QString isoMs(qint64 epochMs)
{
    return QDateTime::fromMSecsSinceEpoch(epochMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

// A call to log; becomes a start item and, when endedMs is set, an end item.
struct CallRecord
{
    QString id;
    QString traceId; // empty: same as id
    QString parentId; // empty: a root
    QString opName = QStringLiteral("test_op");
    QString displayName;
    qint64 startedMs = kEpoch2025Ms;
    std::optional<qint64> endedMs;
    QJsonObject inputs;
    QJsonValue output;
    QJsonObject attributes;
    QJsonObject summary;
    QString exception;
};

inline QJsonObject upsertBatchBody(const QString& projectId, const QList<CallRecord>& calls)
{
    QJsonArray batch;
    for (const CallRecord& call : calls) {
        QJsonObject start { { QStringLiteral("project_id"), projectId }, { QStringLiteral("id"), call.id },
            { QStringLiteral("trace_id"), call.traceId.isEmpty() ? call.id : call.traceId },
            { QStringLiteral("op_name"), call.opName },
            { QStringLiteral("started_at"), isoMs(call.startedMs) },
            { QStringLiteral("attributes"), call.attributes }, { QStringLiteral("inputs"), call.inputs } };
        if (!call.parentId.isEmpty())
            start.insert(QStringLiteral("parent_id"), call.parentId);
        if (!call.displayName.isEmpty())
            start.insert(QStringLiteral("display_name"), call.displayName);
        batch.append(QJsonObject { { QStringLiteral("mode"), QStringLiteral("start") },
            { QStringLiteral("req"), QJsonObject { { QStringLiteral("start"), start } } } });
        if (!call.endedMs)
            continue;
        QJsonObject end { { QStringLiteral("project_id"), projectId }, { QStringLiteral("id"), call.id },
            { QStringLiteral("ended_at"), isoMs(*call.endedMs) }, { QStringLiteral("output"), call.output },
            { QStringLiteral("summary"), call.summary } };
        if (!call.exception.isEmpty())
            end.insert(QStringLiteral("exception"), call.exception);
        batch.append(QJsonObject { { QStringLiteral("mode"), QStringLiteral("end") },
            { QStringLiteral("req"), QJsonObject { { QStringLiteral("end"), end } } } });
    }
    return QJsonObject { { QStringLiteral("batch"), batch } };
}

// One synchronous HTTP exchange; status 0 when nothing came back.
struct HttpReply
{
    int status = 0;
    QByteArray body;
    QJsonObject json() const
    {
        return QJsonDocument::fromJson(body).object();
    }
};

class InProcessServer
{
public:
    explicit InProcessServer(const QString& apiKey = {})
        : m_apiKey(apiKey)
    {
    }
    ~InProcessServer()
    {
        stop();
    }
    InProcessServer(const InProcessServer&) = delete;
    InProcessServer& operator=(const InProcessServer&) = delete;

    // Empty on success, else what went wrong. `port` 0 takes a free one.
    QString start(int port = 0)
    {
        if (!m_dir.isValid())
            return QStringLiteral("no temporary directory");
        server::ServerOptions options;
        options.host = "127.0.0.1";
        options.port = port;
        options.dataDir = m_dir.filePath(QStringLiteral("data")).toStdString();
        options.apiKey = m_apiKey.toStdString();
        try {
            m_server = std::make_unique<server::TraceServer>(options);
            m_port = m_server->startInBackground();
        } catch (const std::exception& error) {
            return QString::fromStdString(error.what());
        }
        return {};
    }
    void stop()
    {
        if (m_server)
            m_server->stop();
        m_server.reset();
    }
    bool isRunning() const
    {
        return m_server != nullptr;
    }
    // The same server again after stop(): same port, same data.
    QString restart()
    {
        return start(m_port);
    }
    int port() const
    {
        return m_port;
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
    }

    HttpReply post(const char* path, const QJsonObject& body) const
    {
        return post(path, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    HttpReply post(const char* path, const QByteArray& body) const
    {
        httplib::Client client("127.0.0.1", m_port);
        client.set_read_timeout(30, 0);
        if (!m_apiKey.isEmpty())
            client.set_basic_auth("api", m_apiKey.toStdString());
        const auto result = client.Post(path, body.toStdString(), "application/json");
        if (!result)
            return {};
        return { result->status, QByteArray::fromStdString(result->body) };
    }
    // Logs the calls through /call/upsert_batch; the HTTP status.
    int logCalls(const QString& projectId, const QList<CallRecord>& calls) const
    {
        return post("/call/upsert_batch", upsertBatchBody(projectId, calls)).status;
    }
    // /calls/query_stats count for a request body (project_id, filter, query); -1 on failure.
    int count(const QJsonObject& request) const
    {
        const HttpReply reply = post("/calls/query_stats", request);
        return reply.status == 200 ? int(reply.json().value(QStringLiteral("count")).toInteger(-1)) : -1;
    }
    // Call ids in the order /calls/stream_query returns them.
    QStringList streamIds(const QJsonObject& request) const
    {
        const HttpReply reply = post("/calls/stream_query", request);
        QStringList ids;
        if (reply.status != 200)
            return { QStringLiteral("HTTP %1").arg(reply.status) };
        for (const QByteArray& line : reply.body.split('\n')) {
            if (!line.trimmed().isEmpty())
                ids << QJsonDocument::fromJson(line).object().value(QStringLiteral("id")).toString();
        }
        return ids;
    }

private:
    QString m_apiKey;
    QTemporaryDir m_dir;
    std::unique_ptr<server::TraceServer> m_server;
    int m_port = 0;
};

} // namespace spindle::apptest
