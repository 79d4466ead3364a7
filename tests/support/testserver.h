#pragma once

// Test fixture for the route tests: runs the real `spindle-server` binary on 127.0.0.1 with
// port 0 and a temporary data directory, and talks to it over HTTP with cpp-httplib's client.
// Request bodies are written as JSON text (see fill()) so that number spellings such as 5.0 or
// 1e-05 reach the server exactly as typed; QJsonDocument would reformat them.

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <initializer_list>
#include <memory>
#include <utility>

namespace spindle::test {

// One HTTP exchange. `status` is 0 when no HTTP response arrived at all.
struct Reply
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    QJsonValue json; // the parsed body; Undefined when it is not JSON
    QString transportError;

    QJsonObject object() const
    {
        return json.toObject();
    }
    QJsonValue value(QStringView key) const
    {
        return json.toObject().value(key);
    }
    // A client error as the protocol wants it: a JSON object with a non-empty string "reason".
    bool isApiError() const;
    // "HTTP 400 application/json {...}" for failure messages.
    QString describe() const;
};

// /calls/stream_query and other JSON Lines answers.
struct LinesReply
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    QList<QJsonObject> lines;
    QStringList badLines; // lines that are not a JSON object
    QString describe() const;
};

// Substitutes {{name}} placeholders in a JSON template with the given raw text. Values are pasted
// as they are: quote them with jsonString() unless they are known to need no escaping.
using Vars = std::initializer_list<std::pair<const char*, QString>>;
QByteArray fill(const char* jsonTemplate, Vars vars = {});
// A JSON string literal (with quotes) for `text`.
QByteArray jsonString(const QString& text);
// Parses any JSON value (also scalars); Undefined when malformed.
QJsonValue parseJson(const QByteArray& text);
QByteArray toJsonText(const QJsonValue& value);

// Weave's digest encoding computed here independently of the server: SHA-256, URL-safe base64,
// '-' → 'X', '_' → 'Y', no padding.
QString weaveDigestOf(const QByteArray& bytes);
QString sha256HexOf(const QByteArray& bytes);

// "2025-01-01T00:00:00.000Z" plus the given milliseconds.
QString isoAt(qint64 millisAfter2025);
QString callRef(const QString& projectId, const QString& callId);
QString objectRef(const QString& projectId, const QString& name, const QString& digest);
QString opRef(const QString& projectId, const QString& name, const QString& digest);

// The spindle-server binary: $SPINDLE_SERVER_BIN, else the path CMake compiled in.
QString serverBinaryPath();

// A project id unique to the running test function and data row, e.g. "calls/readMissing_row1".
QString testProject(const char* entity);

// A call to log; JSON members are raw JSON text.
struct CallSpec
{
    QString id;
    QString traceId; // empty: same as id
    QString parentId; // empty: a root (the key is omitted, as the TS SDK does)
    QString opName = QStringLiteral("test_op");
    QString startedAt = QStringLiteral("2025-01-01T00:00:00.000Z");
    QString endedAt; // empty: the call has no end record
    QByteArray inputs = "{}";
    QByteArray attributes = "{}";
    QByteArray output = "null";
    QByteArray summary = "{}";
    QString exception; // empty: none
    QString displayName; // empty: none
    QString threadId, turnId, wbRunId;
};

QByteArray startRecord(const QString& projectId, const CallSpec& call);
QByteArray endRecord(const QString& projectId, const CallSpec& call);
// {"mode": "start", "req": {"start": ...}} and the end counterpart.
QByteArray startItem(const QString& projectId, const CallSpec& call);
QByteArray endItem(const QString& projectId, const CallSpec& call);
QByteArray batchBody(const QList<QByteArray>& items);

// Call ids in reply order, from JSONL lines or from a {"calls": [...]} reply.
QStringList idsOf(const QList<QJsonObject>& calls);
QStringList idsOf(const Reply& callsQueryReply);

class TestServer
{
public:
    struct Options
    {
        QString apiKey; // empty: no --api-key
        QString dataDir; // empty: a fresh temporary directory
        QString host = QStringLiteral("127.0.0.1");
    };

    TestServer();
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    // Starts the binary and waits for "listening on http://<host>:<port>".
    bool start(const Options& options);
    bool start()
    {
        return start(Options {});
    }
    // Starts again with the same options and data directory (after stop() or a crash).
    bool restart();
    // SIGTERM and wait; true when the process ended normally with exit code 0.
    bool stop();
    bool isRunning() const;
    // The process is up and answers GET /health (notices a crash that the process state, which
    // updates only from an event loop, may not show yet).
    bool isAlive() const;
    QString errorString() const
    {
        return m_error;
    }
    QString serverStderr() const;
    int port() const
    {
        return m_port;
    }
    QString dataDir() const
    {
        return m_dataDir;
    }

    // Sends `Authorization: Basic base64("api:" + key)` on every request; empty sends none.
    void setApiKey(const QString& key)
    {
        m_authKey = key;
    }

    Reply get(const char* path) const;
    Reply post(const char* path, const QByteArray& jsonBody) const;
    Reply post(const char* path, const char* jsonTemplate, Vars vars) const
    {
        return post(path, fill(jsonTemplate, vars));
    }
    // Any method/body/headers; for malformed or unusual requests.
    Reply send(const char* method, const char* path, const QByteArray& body, const QByteArray& contentType,
        const QList<std::pair<QByteArray, QByteArray>>& headers = {}) const;
    LinesReply postLines(const char* path, const QByteArray& jsonBody) const;
    // multipart/form-data with 'project_id' and 'file' parts, as the SDKs send it.
    Reply uploadFile(const QString& projectId, const QByteArray& bytes,
        const QString& fileName = QStringLiteral("blob"), const char* path = "/file/create") const;

    // Logs the calls through one /call/upsert_batch (start, then end when endedAt is set).
    Reply logCalls(const QString& projectId, const QList<CallSpec>& calls) const;

    // 5xx replies seen so far (a 5xx is always a server bug here); cleared by the call.
    QStringList takeServerErrors() const;

private:
    bool launch();
    Reply finish(const void* result, const char* method, const char* path) const;

    Options m_options;
    std::unique_ptr<QTemporaryDir> m_tempDir;
    std::unique_ptr<QProcess> m_process;
    QString m_dataDir;
    QString m_stderrPath;
    QString m_host;
    QString m_authKey;
    QString m_error;
    int m_port = 0;
    mutable QStringList m_serverErrors;
};

} // namespace spindle::test

// Status check that prints the whole reply when it fails.
#define EXPECT_STATUS(reply, code)                                                                           \
    do {                                                                                                     \
        const auto& reply_ = (reply);                                                                        \
        QVERIFY2(reply_.status == (code),                                                                    \
            qPrintable(QStringLiteral("expected HTTP %1, got %2").arg(code).arg(reply_.describe())));        \
    } while (false)

#define EXPECT_OK(reply) EXPECT_STATUS(reply, 200)

// A client error: exactly this 4xx status, a JSON body with a string "reason", never a 5xx.
#define EXPECT_API_ERROR(reply, code)                                                                        \
    do {                                                                                                     \
        const auto& reply_ = (reply);                                                                        \
        QVERIFY2(reply_.status == (code),                                                                    \
            qPrintable(QStringLiteral("expected HTTP %1, got %2").arg(code).arg(reply_.describe())));        \
        QVERIFY2(reply_.isApiError(),                                                                        \
            qPrintable(QStringLiteral("4xx body is not {\"reason\": str}: ") + reply_.describe()));          \
    } while (false)

// Some 4xx (the protocol leaves the exact code open) with a proper {"reason"} body.
#define EXPECT_CLIENT_ERROR(reply)                                                                           \
    do {                                                                                                     \
        const auto& reply_ = (reply);                                                                        \
        QVERIFY2(reply_.status >= 400 && reply_.status < 500,                                                \
            qPrintable(QStringLiteral("expected a 4xx, got ") + reply_.describe()));                         \
        QVERIFY2(reply_.isApiError(),                                                                        \
            qPrintable(QStringLiteral("4xx body is not {\"reason\": str}: ") + reply_.describe()));          \
    } while (false)

// For cleanup(): the server never answered 5xx during the test and is still up. A server that
// died is restarted on the same data directory so that the following tests still mean something.
#define EXPECT_SERVER_HEALTHY(server)                                                                        \
    do {                                                                                                     \
        const QStringList errors_ = (server).takeServerErrors();                                             \
        if (!(server).isAlive()) {                                                                           \
            const QString stderr_ = (server).serverStderr();                                                 \
            const bool restarted_ = (server).restart();                                                      \
            QVERIFY2(false,                                                                                  \
                qPrintable(QStringLiteral("the server process died during this test (restarted: %1); "       \
                                          "stderr: %2")                                                      \
                               .arg(restarted_ ? QStringLiteral("yes") : QStringLiteral("no"), stderr_)));   \
        }                                                                                                    \
        QVERIFY2(                                                                                            \
            errors_.isEmpty(), qPrintable(QStringLiteral("server answered 5xx: ") + errors_.join(u"\n")));   \
    } while (false)
