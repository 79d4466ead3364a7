#include "ui/callexporter.h"

#include "core/csv.h"
#include "models/callstablemodel.h"
#include "ui/counttext.h"
#include "widgets/savefile.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

namespace spindle::ui {
namespace {

const char* const kStandardColumns[] = {
    "id",
    "trace_id",
    "parent_id",
    "op_name",
    "display_name",
    "status",
    "started_at",
    "ended_at",
    "latency_ms",
    "total_tokens",
    "total_cost",
    "wb_user_id",
    "exception",
};

const char* const kExtensions[] = { "csv", "tsv", "json", "jsonl" };

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

CallExporter::CallExporter(net::TraceClient* client, QObject* parent)
    : QObject(parent)
    , m_client(client)
{
}

QStringList CallExporter::standardColumns()
{
    QStringList columns;
    for (const char* column : kStandardColumns)
        columns.append(QString::fromLatin1(column));
    return columns;
}

QString CallExporter::defaultFileName(const QString& projectId, Format format, const QDate& date)
{
    QString project = projectId;
    project.replace(QLatin1Char('/'), QLatin1Char('_'));
    return QStringLiteral("spindle_export_%1_%2.%3")
        .arg(project, date.toString(Qt::ISODate), QString::fromLatin1(kExtensions[int(format)]));
}

bool CallExporter::start(const QJsonObject& request, const QStringList& columns, Format format,
    const QString& path, QString* error)
{
    if (isRunning()) {
        *error = tr("An export is already running");
        return false;
    }
    m_file.setFileName(path);
    // Unbuffered: a short write (a full disk) shows in write()'s result (widgets/savefile.h).
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        *error = tr("Cannot write %1: %2").arg(path, m_file.errorString());
        return false;
    }
    m_format = format;
    m_columns = columns;
    m_rows = 0;
    QByteArray head;
    if (format == Format::Csv || format == Format::Tsv) {
        const QChar separator = format == Format::Csv ? QLatin1Char(',') : QLatin1Char('\t');
        QStringList header;
        for (const QString& column : standardColumns() + columns)
            header.append(delimitedField(column, separator));
        head = (format == Format::Csv ? QByteArray(kUtf8Bom) : QByteArray()) + header.join(separator).toUtf8()
            + '\n';
    } else if (format == Format::Json) {
        head = "[";
    }
    if (const qint64 written = m_file.write(head); written != head.size()) {
        *error = tr("Cannot write %1: %2").arg(path, widgets::writeErrorText(m_file, written, head.size()));
        m_file.cancelWriting();
        m_file.commit(); // drops the temporary file
        return false;
    }
    QJsonObject body = request;
    body.remove(QStringLiteral("limit"));
    body.remove(QStringLiteral("offset"));
    body.insert(QStringLiteral("include_costs"), true);
    m_request = m_client->streamCalls(
        this, body, [this](const QVector<spindle::Call>& calls) { writeRows(calls); },
        [this] {
            if (m_rows < m_expectedRows)
                finish(false,
                    tr("Export failed: the server's stream ended after %L1 of %L2 calls. Nothing was saved; "
                       "try again.")
                        .arg(m_rows)
                        .arg(m_expectedRows));
            else if (m_format != Format::Json || writeOrFail(m_rows ? "\n]\n" : "]\n"))
                finish(true,
                    countText(m_rows, tr("Exported 1 call to %1"), tr("Exported %L1 calls to %2"))
                        .arg(QDir::toNativeSeparators(m_file.fileName())));
        },
        [this](const net::ApiError& error) { finish(false, tr("Export failed: %1").arg(error.message())); });
    return true;
}

QStringList CallExporter::rowFields(const spindle::Call& call) const
{
    const auto cost = call.totalCost();
    QStringList fields { call.id, call.traceId, call.parentId, call.opName, call.displayName, call.status,
        isoTime(call.startedAtMs), call.endedAtMs ? isoTime(*call.endedAtMs) : QString(),
        call.latencyMs ? QString::number(*call.latencyMs) : QString(), QString::number(call.totalTokens()),
        cost ? QString::number(*cost, 'g', 10) : QString(), call.wbUserId, call.exception };
    for (const QString& column : m_columns)
        fields.append(models::jsonCellText(call.valueAt(column)));
    return fields;
}

void CallExporter::writeRows(const QVector<spindle::Call>& calls)
{
    QByteArray chunk;
    const QChar separator = m_format == Format::Tsv ? QLatin1Char('\t') : QLatin1Char(',');
    for (const auto& call : calls) {
        if (m_format == Format::Csv || m_format == Format::Tsv) {
            QStringList fields;
            for (const QString& field : rowFields(call))
                fields.append(delimitedField(field, separator));
            chunk += fields.join(separator).toUtf8() + '\n';
        } else {
            if (m_format == Format::Json)
                chunk += m_rows ? ",\n" : "\n";
            chunk += QJsonDocument(call.toJson()).toJson(QJsonDocument::Compact);
            if (m_format == Format::Jsonl)
                chunk += '\n';
        }
        ++m_rows;
    }
    if (writeOrFail(chunk))
        Q_EMIT progress(m_rows);
}

bool CallExporter::writeOrFail(const QByteArray& bytes)
{
    const qint64 written = m_file.write(bytes);
    if (written == bytes.size())
        return true;
    finish(false, cannotWrite(widgets::writeErrorText(m_file, written, bytes.size())));
    return false;
}

QString CallExporter::cannotWrite(const QString& why) const
{
    return tr("Export failed: cannot write %1: %2").arg(QDir::toNativeSeparators(m_file.fileName()), why);
}

void CallExporter::cancel()
{
    if (!isRunning())
        return;
    finish(false, tr("Export cancelled"));
}

void CallExporter::finish(bool ok, const QString& message)
{
    if (m_request)
        m_client->cancel(m_request);
    m_request = 0;
    if (!ok)
        m_file.cancelWriting(); // commit() then drops the temporary file
    if (!m_file.commit() && ok) {
        Q_EMIT finished(false, cannotWrite(m_file.errorString()));
        return;
    }
    Q_EMIT finished(ok, message);
}

QString CallExporter::pythonSnippet(const QJsonObject& request, const QUrl& baseUrl)
{
    const auto literal = [&](const char* key) {
        return QString::fromUtf8(
            QJsonDocument(request.value(QLatin1String(key)).toObject()).toJson(QJsonDocument::Compact));
    };
    // Without the server's address the SDK reads hosted Weave, not the data on screen. Hosted W&B
    // needs none. A dedicated W&B install serves traces at https://<host>/traces and its W&B API at
    // the host's root, with the user's own key (~/.netrc). Any other server also stands in for the
    // W&B API weave.init asks (Spindle does), and takes any key.
    QString snippet = QStringLiteral("import json\n");
    const QString traces = baseUrl.toString(QUrl::StripTrailingSlash);
    const bool dedicatedWandb = traces.endsWith(QLatin1String("/traces"));
    if (baseUrl.host().endsWith(QLatin1String("wandb.ai"))) {
        snippet += QStringLiteral("\nimport weave\n");
    } else if (dedicatedWandb) {
        snippet += QStringLiteral("import os\n\nos.environ[\"WF_TRACE_SERVER_URL\"] = \"%1\"\n"
                                  "os.environ[\"WANDB_BASE_URL\"] = \"%2\"\n\n"
                                  "import weave  # after the environment, which the SDK reads\n")
                       .arg(traces, traces.chopped(int(qstrlen("/traces"))));
    } else {
        snippet += QStringLiteral("import os\n\nos.environ[\"WF_TRACE_SERVER_URL\"] = \"%1\"\n"
                                  "os.environ[\"WANDB_BASE_URL\"] = \"%1\"\n"
                                  "os.environ.setdefault(\"WANDB_API_KEY\", \"any\")\n\n"
                                  "import weave  # after the environment, which the SDK reads\n")
                       .arg(traces);
    }
    snippet +=
        QStringLiteral("\nclient = weave.init(%1)\ncalls = client.get_calls(\n")
            .arg(QString::fromUtf8(QJsonDocument(QJsonArray { request.value(QLatin1String("project_id")) })
                                       .toJson(QJsonDocument::Compact))
                     .mid(1)
                     .chopped(1));
    if (request.contains(QLatin1String("filter")))
        snippet += QStringLiteral("    filter=json.loads(r'''%1'''),\n").arg(literal("filter"));
    if (request.contains(QLatin1String("query")))
        snippet += QStringLiteral("    query=json.loads(r'''%1'''),\n").arg(literal("query"));
    if (request.contains(QLatin1String("sort_by")))
        snippet += QStringLiteral("    sort_by=json.loads(r'''%1'''),\n")
                       .arg(QString::fromUtf8(QJsonDocument(request.value(QLatin1String("sort_by")).toArray())
                                                  .toJson(QJsonDocument::Compact)));
    snippet +=
        QStringLiteral("    include_costs=True,\n)\nfor call in calls:\n    print(call.id, call.op_name)\n");
    return snippet;
}

QString CallExporter::curlSnippet(const QJsonObject& request, const QUrl& baseUrl)
{
    QString body = QString::fromUtf8(QJsonDocument(request).toJson(QJsonDocument::Compact));
    body.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QStringLiteral(
        "curl -X POST '%1/calls/stream_query' \\\n  -u \"api:$WANDB_API_KEY\" \\\n"
        "  -H 'Content-Type: application/json' -H 'Accept: application/jsonl' \\\n  -d '%2'\n")
        .arg(baseUrl.toString(QUrl::StripTrailingSlash), body);
}

} // namespace spindle::ui
