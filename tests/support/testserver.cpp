#include "support/testserver.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimeZone>

#include <csignal>
#include <httplib.h>
#include <sys/prctl.h>

#ifndef SPINDLE_SERVER_BIN_DEFAULT
#define SPINDLE_SERVER_BIN_DEFAULT ""
#endif

using namespace Qt::StringLiterals;

namespace spindle::test {
namespace {

constexpr int kStartTimeoutMs = 15000;
constexpr int kStopTimeoutMs = 15000;

QString shorten(const QByteArray& body)
{
    constexpr int kMax = 1500;
    QString text = QString::fromUtf8(body.left(kMax));
    if (body.size() > kMax)
        text += u"… (%1 bytes)"_s.arg(body.size());
    return text;
}

// cpp-httplib writes to sockets without MSG_NOSIGNAL; a server that closes early (413) must
// not kill the test with SIGPIPE.
void ignoreSigpipe()
{
    static const bool done = [] {
        std::signal(SIGPIPE, SIG_IGN);
        return true;
    }();
    (void)done;
}

} // namespace

QString serverBinaryPath()
{
    const QByteArray fromEnv = qgetenv("SPINDLE_SERVER_BIN");
    return QString::fromLocal8Bit(fromEnv.isEmpty() ? QByteArray(SPINDLE_SERVER_BIN_DEFAULT) : fromEnv);
}

bool Reply::isApiError() const
{
    return json.isObject() && json.toObject().value(u"reason").isString()
        && !json.toObject().value(u"reason").toString().isEmpty();
}

QString Reply::describe() const
{
    if (status == 0)
        return u"no HTTP response (%1)"_s.arg(transportError);
    return u"HTTP %1 %2 %3"_s.arg(status).arg(QString::fromLatin1(contentType), shorten(body));
}

QString LinesReply::describe() const
{
    return u"HTTP %1 %2 %3"_s.arg(status).arg(QString::fromLatin1(contentType), shorten(body));
}

QByteArray fill(const char* jsonTemplate, Vars vars)
{
    QByteArray out(jsonTemplate);
    for (const auto& [name, value] : vars)
        out.replace(QByteArray(QByteArray("{{") + name + "}}"), value.toUtf8());
    // A placeholder nobody filled is a bug in the test itself.
    static const QRegularExpression unfilled(uR"(\{\{[A-Za-z0-9_]+\}\})"_s);
    if (QString::fromUtf8(out).contains(unfilled))
        qFatal("fill(): unfilled placeholder in %s", out.constData());
    return out;
}

QByteArray jsonString(const QString& text)
{
    const QByteArray array = QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

QJsonValue parseJson(const QByteArray& text)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]", &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1)
        return QJsonValue(QJsonValue::Undefined);
    return doc.array().first();
}

QByteArray toJsonText(const QJsonValue& value)
{
    const QByteArray array = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

QString weaveDigestOf(const QByteArray& bytes)
{
    QByteArray encoded = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256)
                             .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    encoded.replace('-', 'X').replace('_', 'Y');
    return QString::fromLatin1(encoded);
}

QString sha256HexOf(const QByteArray& bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QString isoAt(qint64 millisAfter2025)
{
    const QDateTime base(QDate(2025, 1, 1), QTime(0, 0), QTimeZone::utc());
    return base.addMSecs(millisAfter2025).toString(u"yyyy-MM-ddTHH:mm:ss.zzzZ"_s);
}

QString callRef(const QString& projectId, const QString& callId)
{
    return u"weave:///"_s + projectId + u"/call/"_s + callId;
}

QString objectRef(const QString& projectId, const QString& name, const QString& digest)
{
    return u"weave:///"_s + projectId + u"/object/"_s + name + u':' + digest;
}

QString opRef(const QString& projectId, const QString& name, const QString& digest)
{
    return u"weave:///"_s + projectId + u"/op/"_s + name + u':' + digest;
}

QString testProject(const char* entity)
{
    QString name = QString::fromLatin1(QTest::currentTestFunction());
    if (const char* tag = QTest::currentDataTag(); tag && *tag)
        name += u'_' + QString::fromUtf8(tag);
    static const QRegularExpression unsafe(u"[^A-Za-z0-9_.-]"_s);
    name.replace(unsafe, u"_"_s);
    return QString::fromLatin1(entity) + u'/' + name;
}

namespace {

void addString(QByteArray& out, const char* key, const QString& value)
{
    if (value.isEmpty())
        return;
    out += ", \"" + QByteArray(key) + "\": " + jsonString(value);
}

} // namespace

QByteArray startRecord(const QString& projectId, const CallSpec& call)
{
    QByteArray out = "{\"project_id\": " + jsonString(projectId);
    addString(out, "id", call.id);
    addString(out, "trace_id", call.traceId.isEmpty() ? call.id : call.traceId);
    addString(out, "parent_id", call.parentId);
    addString(out, "op_name", call.opName);
    addString(out, "display_name", call.displayName);
    addString(out, "thread_id", call.threadId);
    addString(out, "turn_id", call.turnId);
    addString(out, "wb_run_id", call.wbRunId);
    addString(out, "started_at", call.startedAt);
    out += ", \"attributes\": " + call.attributes + ", \"inputs\": " + call.inputs + "}";
    return out;
}

QByteArray endRecord(const QString& projectId, const CallSpec& call)
{
    QByteArray out = "{\"project_id\": " + jsonString(projectId);
    addString(out, "id", call.id);
    addString(out, "ended_at", call.endedAt);
    addString(out, "exception", call.exception);
    out += ", \"output\": " + call.output + ", \"summary\": " + call.summary + "}";
    return out;
}

QByteArray startItem(const QString& projectId, const CallSpec& call)
{
    return "{\"mode\": \"start\", \"req\": {\"start\": " + startRecord(projectId, call) + "}}";
}

QByteArray endItem(const QString& projectId, const CallSpec& call)
{
    return "{\"mode\": \"end\", \"req\": {\"end\": " + endRecord(projectId, call) + "}}";
}

QByteArray batchBody(const QList<QByteArray>& items)
{
    return "{\"batch\": [" + items.join(", ") + "]}";
}

QStringList idsOf(const QList<QJsonObject>& calls)
{
    QStringList ids;
    for (const QJsonObject& call : calls)
        ids << call.value(u"id").toString();
    return ids;
}

QStringList idsOf(const Reply& callsQueryReply)
{
    QStringList ids;
    for (const QJsonValue& call : callsQueryReply.value(u"calls").toArray())
        ids << call.toObject().value(u"id").toString();
    return ids;
}

TestServer::TestServer()
{
    ignoreSigpipe();
}

TestServer::~TestServer()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(kStopTimeoutMs)) {
            m_process->kill();
            m_process->waitForFinished(kStopTimeoutMs);
        }
    }
}

bool TestServer::start(const Options& options)
{
    m_error.clear();
    m_options = options;
    m_tempDir = std::make_unique<QTemporaryDir>();
    if (!m_tempDir->isValid()) {
        m_error = u"cannot create a temporary directory"_s;
        return false;
    }
    m_dataDir = options.dataDir.isEmpty() ? m_tempDir->filePath(u"data"_s) : options.dataDir;
    m_stderrPath = m_tempDir->filePath(u"server.stderr"_s);
    return launch();
}

bool TestServer::restart()
{
    if (!m_tempDir)
        return false;
    if (isRunning())
        stop();
    m_error.clear();
    return launch();
}

bool TestServer::launch()
{
    const Options& options = m_options;
    m_host = options.host;
    m_port = 0;
    const QString program = serverBinaryPath();
    if (program.isEmpty() || !QFile::exists(program)) {
        m_error = u"spindle-server binary not found (SPINDLE_SERVER_BIN='%1')"_s.arg(program);
        return false;
    }
    QStringList arguments { u"--host"_s, options.host, u"--port"_s, u"0"_s, u"--data-dir"_s, m_dataDir };
    if (!options.apiKey.isEmpty())
        arguments << u"--api-key"_s << options.apiKey;
    m_process = std::make_unique<QProcess>();
    m_process->setStandardErrorFile(m_stderrPath, QIODevice::Append);
    // If the test binary itself crashes, the server must not outlive it.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    m_process->start(program, arguments, QIODevice::ReadOnly);
    if (!m_process->waitForStarted(kStartTimeoutMs)) {
        m_error = u"cannot start %1: %2"_s.arg(program, m_process->errorString());
        return false;
    }
    static const QRegularExpression listening(uR"(^listening on http://(\S+):(\d+)\s*$)"_s);
    QByteArray output;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < kStartTimeoutMs) {
        if (m_process->canReadLine() || m_process->waitForReadyRead(200)) {
            while (m_process->canReadLine()) {
                const QByteArray line = m_process->readLine();
                output += line;
                const auto match = listening.match(QString::fromUtf8(line));
                if (match.hasMatch()) {
                    m_port = match.captured(2).toInt();
                    return m_port > 0;
                }
            }
        }
        if (m_process->state() == QProcess::NotRunning)
            break;
    }
    m_error = u"server did not report its port; stdout: '%1' stderr: '%2'"_s.arg(
        QString::fromUtf8(output), serverStderr());
    return false;
}

bool TestServer::stop()
{
    if (!m_process)
        return false;
    if (m_process->state() == QProcess::NotRunning)
        return m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
    m_process->terminate();
    if (!m_process->waitForFinished(kStopTimeoutMs)) {
        m_error = u"server ignored SIGTERM"_s;
        m_process->kill();
        m_process->waitForFinished(kStopTimeoutMs);
        return false;
    }
    return m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
}

bool TestServer::isRunning() const
{
    if (!m_process)
        return false;
    if (m_process->state() != QProcess::NotRunning)
        m_process->waitForFinished(0); // reaps a child that already exited
    return m_process->state() == QProcess::Running;
}

bool TestServer::isAlive() const
{
    if (!isRunning())
        return false;
    if (get("/health").status == 200)
        return true;
    // Not answering: give a dying process the time to go, then report.
    m_process->waitForFinished(3000);
    return false;
}

QString TestServer::serverStderr() const
{
    QFile file(m_stderrPath);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

QStringList TestServer::takeServerErrors() const
{
    return std::exchange(m_serverErrors, {});
}

namespace {

std::unique_ptr<httplib::Client> makeClient(const QString& host, int port, const QString& authKey)
{
    auto client = std::make_unique<httplib::Client>(host.toStdString(), port);
    client->set_connection_timeout(5);
    client->set_read_timeout(60);
    client->set_write_timeout(60);
    if (!authKey.isEmpty())
        client->set_basic_auth("api", authKey.toStdString());
    return client;
}

} // namespace

Reply TestServer::finish(const void* resultPointer, const char* method, const char* path) const
{
    const auto& result = *static_cast<const httplib::Result*>(resultPointer);
    Reply reply;
    if (!result) {
        reply.transportError = QString::fromStdString(httplib::to_string(result.error()));
        return reply;
    }
    reply.status = result->status;
    reply.body = QByteArray::fromStdString(result->body);
    reply.contentType = QByteArray::fromStdString(result->get_header_value("Content-Type"));
    reply.json = parseJson(reply.body);
    if (reply.status >= 500)
        m_serverErrors << u"%1 %2 → %3"_s.arg(
            QString::fromLatin1(method), QString::fromLatin1(path), reply.describe());
    return reply;
}

Reply TestServer::get(const char* path) const
{
    auto client = makeClient(m_host, m_port, m_authKey);
    const auto result = client->Get(path);
    return finish(&result, "GET", path);
}

Reply TestServer::post(const char* path, const QByteArray& jsonBody) const
{
    return send("POST", path, jsonBody, "application/json");
}

Reply TestServer::send(const char* method, const char* path, const QByteArray& body,
    const QByteArray& contentType, const QList<std::pair<QByteArray, QByteArray>>& headers) const
{
    auto client = makeClient(m_host, m_port, m_authKey);
    httplib::Headers httpHeaders;
    for (const auto& [name, value] : headers)
        httpHeaders.emplace(name.toStdString(), value.toStdString());
    const std::string methodName(method);
    const std::string data = body.toStdString();
    const std::string type = contentType.toStdString();
    httplib::Result result = methodName == "GET" ? client->Get(path, httpHeaders)
        : methodName == "PUT"                    ? client->Put(path, httpHeaders, data, type.c_str())
        : methodName == "DELETE"                 ? client->Delete(path, httpHeaders, data, type.c_str())
                                                 : client->Post(path, httpHeaders, data, type.c_str());
    return finish(&result, method, path);
}

LinesReply TestServer::postLines(const char* path, const QByteArray& jsonBody) const
{
    const Reply reply = post(path, jsonBody);
    LinesReply lines;
    lines.status = reply.status;
    lines.body = reply.body;
    lines.contentType = reply.contentType;
    if (reply.status != 200)
        return lines;
    for (const QByteArray& line : reply.body.split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonValue value = parseJson(line);
        if (value.isObject())
            lines.lines << value.toObject();
        else
            lines.badLines << QString::fromUtf8(line);
    }
    return lines;
}

Reply TestServer::uploadFile(
    const QString& projectId, const QByteArray& bytes, const QString& fileName, const char* path) const
{
    auto client = makeClient(m_host, m_port, m_authKey);
    const httplib::MultipartFormDataItems items {
        { "project_id", projectId.toStdString(), "", "" },
        { "file", bytes.toStdString(), fileName.toStdString(), "application/octet-stream" },
    };
    const auto result = client->Post(path, items);
    return finish(&result, "POST", path);
}

Reply TestServer::logCalls(const QString& projectId, const QList<CallSpec>& calls) const
{
    QList<QByteArray> items;
    for (const CallSpec& call : calls) {
        items << startItem(projectId, call);
        if (!call.endedAt.isEmpty())
            items << endItem(projectId, call);
    }
    return post("/call/upsert_batch", batchBody(items));
}

} // namespace spindle::test
