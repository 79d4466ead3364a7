#include "core/call.h"

#include "core/timeformat.h"
#include "core/weaveref.h"

#include <QJsonArray>

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
    call.startedAtMs = parseTimestampMs(text("started_at")).value_or(0);
    call.endedAtMs = parseTimestampMs(text("ended_at"));
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
    json.insert(QStringLiteral("started_at"), QString::fromStdString(formatIsoTime(startedAtMs * 1000)));
    json.insert(QStringLiteral("ended_at"),
        endedAtMs ? QJsonValue(QString::fromStdString(formatIsoTime(*endedAtMs * 1000))) : QJsonValue());
    json.insert(QStringLiteral("attributes"), attributes);
    json.insert(QStringLiteral("inputs"), inputs);
    json.insert(QStringLiteral("output"), output);
    json.insert(QStringLiteral("exception"), orNull(exception));
    json.insert(QStringLiteral("summary"), summary);
    json.insert(QStringLiteral("wb_user_id"), orNull(wbUserId));
    return json;
}

} // namespace spindle
