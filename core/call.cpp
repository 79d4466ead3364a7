#include "core/call.h"

#include "core/timeformat.h"
#include "core/weaveref.h"

#include <QJsonArray>
#include <QSet>

namespace spindle {

QString opShortName(const QString& opName)
{
    return QString::fromStdString(spindle::opShortName(std::string_view(opName.toStdString())));
}

std::optional<qint64> parseTimestampMs(const QString& text)
{
    if (text.isEmpty())
        return std::nullopt;
    const auto micros = parseIsoTime(text.toStdString());
    if (!micros)
        return std::nullopt;
    return *micros / 1000;
}

QString Call::name() const
{
    return displayName.isEmpty() ? opShortName(opName) : displayName;
}

qint64 Call::totalTokens() const
{
    qint64 total = 0;
    for (const auto& cost : costs)
        total += cost.totalTokens;
    return total;
}

std::optional<double> Call::totalCost() const
{
    std::optional<double> total;
    for (const auto& cost : costs) {
        if (cost.priced)
            total = total.value_or(0) + cost.cost;
    }
    return total;
}

QJsonValue Call::valueAt(const QString& path) const
{
    return valueAt(path.split(QLatin1Char('.')));
}

QJsonValue Call::valueAt(const QStringList& parts) const
{
    if (parts.isEmpty())
        return {};
    QJsonValue node;
    const QString& root = parts.first();
    if (root == QLatin1String("inputs"))
        node = inputs;
    else if (root == QLatin1String("output"))
        node = output;
    else if (root == QLatin1String("attributes"))
        node = attributes;
    else if (root == QLatin1String("summary"))
        node = summary;
    else
        return {};
    for (qsizetype i = 1; i < parts.size(); ++i) {
        if (node.isObject()) {
            node = node.toObject().value(parts[i]);
        } else if (node.isArray()) {
            bool ok = false;
            const int index = parts[i].toInt(&ok);
            node = ok ? node.toArray().at(index) : QJsonValue();
        } else {
            return {};
        }
    }
    return node;
}

static QVector<ModelCost> readCosts(const QJsonObject& summary)
{
    QVector<ModelCost> costs;
    const QJsonObject usage = summary.value(QLatin1String("usage")).toObject();
    const QJsonObject priced =
        summary.value(QLatin1String("weave")).toObject().value(QLatin1String("costs")).toObject();
    for (auto it = usage.begin(); it != usage.end(); ++it) {
        const QJsonObject entry = it.value().toObject();
        ModelCost cost;
        cost.model = it.key();
        const auto count = [&](const char* a, const char* b) {
            return entry.value(QLatin1String(a)).toInteger()
                + (b ? entry.value(QLatin1String(b)).toInteger() : 0);
        };
        cost.promptTokens = count("prompt_tokens", "input_tokens");
        cost.completionTokens = count("completion_tokens", "output_tokens");
        cost.totalTokens = count("total_tokens", nullptr);
        if (cost.totalTokens == 0)
            cost.totalTokens = cost.promptTokens + cost.completionTokens;
        cost.requests = count("requests", nullptr);
        const QJsonObject price = priced.value(it.key()).toObject();
        if (!price.isEmpty()) {
            cost.priced = true;
            for (const char* key : { "prompt_tokens_total_cost", "completion_tokens_total_cost",
                     "cache_read_input_tokens_total_cost", "cache_creation_input_tokens_total_cost" })
                cost.cost += price.value(QLatin1String(key)).toDouble();
        }
        costs.push_back(cost);
    }
    return costs;
}

namespace {

// The fields Call::fromJson reads into members; any other field with a value goes to otherFields.
bool isModelled(const QString& key)
{
    static const QSet<QString> modelled { QStringLiteral("id"), QStringLiteral("project_id"),
        QStringLiteral("trace_id"), QStringLiteral("parent_id"), QStringLiteral("op_name"),
        QStringLiteral("display_name"), QStringLiteral("exception"), QStringLiteral("wb_user_id"),
        QStringLiteral("started_at"), QStringLiteral("ended_at"), QStringLiteral("inputs"),
        QStringLiteral("output"), QStringLiteral("attributes"), QStringLiteral("summary") };
    return modelled.contains(key);
}

// The CallSchema fields that toJson() writes as null when the server sent no value.
constexpr const char* kNullableSchemaFields[] = { "thread_id", "turn_id", "wb_run_id", "wb_run_step",
    "wb_run_step_end", "deleted_at" };

// Splits an ISO time into epoch ms and the microseconds past them (0 when absent or unparsable).
std::optional<qint64> readTime(const QString& text, int* extraMicros)
{
    const auto micros = text.isEmpty() ? std::nullopt : parseIsoTime(text.toStdString());
    if (!micros)
        return std::nullopt;
    *extraMicros = int(*micros % 1000);
    return *micros / 1000;
}

} // namespace

Call Call::fromJson(const QJsonObject& json)
{
    Call call;
    const auto text = [&](const char* key) { return json.value(QLatin1String(key)).toString(); };
    call.id = text("id");
    call.projectId = text("project_id");
    call.traceId = text("trace_id");
    call.parentId = text("parent_id");
    call.opName = text("op_name");
    call.displayName = text("display_name");
    call.exception = text("exception");
    call.wbUserId = text("wb_user_id");
    call.startedAtMs = readTime(text("started_at"), &call.startedAtExtraUs).value_or(0);
    call.endedAtMs = readTime(text("ended_at"), &call.endedAtExtraUs);
    call.inputs = json.value(QLatin1String("inputs")).toObject();
    call.output = json.value(QLatin1String("output"));
    call.attributes = json.value(QLatin1String("attributes")).toObject();
    call.summary = json.value(QLatin1String("summary")).toObject();
    const QJsonObject weave = call.summary.value(QLatin1String("weave")).toObject();
    call.status = weave.value(QLatin1String("status")).toString();
    if (call.status.isEmpty())
        call.status = !call.exception.isEmpty() ? QStringLiteral("error")
            : call.endedAtMs                    ? QStringLiteral("success")
                                                : QStringLiteral("running");
    if (weave.contains(QLatin1String("latency_ms")))
        call.latencyMs = weave.value(QLatin1String("latency_ms")).toInteger();
    else if (call.endedAtMs)
        call.latencyMs = *call.endedAtMs - call.startedAtMs;
    call.costs = readCosts(call.summary);
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (!it.value().isNull() && !isModelled(it.key()))
            call.otherFields.insert(it.key(), it.value());
    }
    return call;
}

QJsonObject Call::toJson() const
{
    QJsonObject json;
    const auto orNull = [](const QString& s) { return s.isEmpty() ? QJsonValue() : QJsonValue(s); };
    json.insert(QStringLiteral("id"), id);
    json.insert(QStringLiteral("project_id"), projectId);
    json.insert(QStringLiteral("op_name"), opName);
    json.insert(QStringLiteral("display_name"), orNull(displayName));
    json.insert(QStringLiteral("trace_id"), traceId);
    json.insert(QStringLiteral("parent_id"), orNull(parentId));
    json.insert(QStringLiteral("started_at"),
        QString::fromStdString(formatIsoTime(startedAtMs * 1000 + startedAtExtraUs)));
    json.insert(QStringLiteral("ended_at"),
        endedAtMs ? QJsonValue(QString::fromStdString(formatIsoTime(*endedAtMs * 1000 + endedAtExtraUs)))
                  : QJsonValue());
    json.insert(QStringLiteral("attributes"), attributes);
    json.insert(QStringLiteral("inputs"), inputs);
    json.insert(QStringLiteral("output"), output);
    json.insert(QStringLiteral("exception"), orNull(exception));
    json.insert(QStringLiteral("summary"), summary);
    json.insert(QStringLiteral("wb_user_id"), orNull(wbUserId));
    for (const char* field : kNullableSchemaFields)
        json.insert(QLatin1String(field), QJsonValue());
    for (auto it = otherFields.begin(); it != otherFields.end(); ++it)
        json.insert(it.key(), it.value());
    return json;
}

} // namespace spindle
