// Reading Weave-shaped queries back into CallsQuery: the inverse of conditionExpr and requestJson.
#include "core/callsquery.h"

namespace spindle {
namespace {

// {"$name": args} → (name, args), or empty.
std::pair<QString, QJsonValue> unwrap(const QJsonValue& value)
{
    const QJsonObject object = value.toObject();
    if (object.size() != 1)
        return {};
    return { object.begin().key(), object.begin().value() };
}

std::optional<QString> fieldOf(const QJsonValue& operand)
{
    const auto [name, arg] = unwrap(operand);
    if (name == QLatin1String("$getField") && arg.isString())
        return arg.toString();
    return std::nullopt;
}

// {"$convert": {"input": {"$getField": f}, "to": "double"}} → f; latency as Weave's UI writes it
// (no conversion: hosted Weave computes it as a number).
std::optional<QString> numericFieldOf(const QJsonValue& operand)
{
    if (fieldOf(operand) == QStringLiteral("summary.weave.latency_ms"))
        return QStringLiteral("summary.weave.latency_ms");
    const auto [name, arg] = unwrap(operand);
    if (name != QLatin1String("$convert")
        || arg.toObject().value(QLatin1String("to")).toString() != QLatin1String("double"))
        return std::nullopt;
    return fieldOf(arg.toObject().value(QLatin1String("input")));
}

std::optional<QJsonValue> literalOf(const QJsonValue& operand)
{
    const auto [name, arg] = unwrap(operand);
    if (name == QLatin1String("$literal"))
        return arg;
    return std::nullopt;
}

bool isTimeColumn(const QString& field)
{
    return field == QLatin1String("started_at") || field == QLatin1String("ended_at");
}

std::optional<FieldCondition> comparison(const QString& op, const QJsonArray& args, bool negated)
{
    if (args.size() != 2)
        return std::nullopt;
    const auto value = literalOf(args[1]);
    if (!value)
        return std::nullopt;
    if (const auto numeric = numericFieldOf(args[0]); numeric && value->isDouble()) {
        const double n = value->toDouble();
        if (op == QLatin1String("$eq"))
            return FieldCondition { *numeric, negated ? FilterOp::NumNotEquals : FilterOp::NumEquals, n };
        if (op == QLatin1String("$gt"))
            return FieldCondition { *numeric, negated ? FilterOp::LessOrEqual : FilterOp::Greater, n };
        if (op == QLatin1String("$gte"))
            return FieldCondition { *numeric, negated ? FilterOp::Less : FilterOp::GreaterOrEqual, n };
        return std::nullopt;
    }
    const auto field = fieldOf(args[0]);
    if (!field)
        return std::nullopt;
    if (op == QLatin1String("$gt")) {
        QDateTime when;
        if (isTimeColumn(*field) && value->isDouble())
            when = QDateTime::fromMSecsSinceEpoch(qint64(value->toDouble() * 1000), Qt::UTC);
        else if (!isTimeColumn(*field) && value->isString())
            when = QDateTime::fromString(value->toString(), Qt::ISODateWithMs);
        // A dynamic field compares text: a date written otherwise ("2024-05-01", an offset) would
        // go back to the server rewritten in UTC, and match other rows. It stays a term as written.
        if (when.isValid() && value->isString()
            && when.toUTC().toString(Qt::ISODateWithMs) != value->toString())
            return std::nullopt;
        if (!when.isValid())
            return std::nullopt;
        return FieldCondition { *field, negated ? FilterOp::Before : FilterOp::After, when };
    }
    if (op != QLatin1String("$eq") || !value->isString())
        return std::nullopt;
    const QString text = value->toString();
    if (text.isEmpty())
        return FieldCondition { *field, negated ? FilterOp::IsNotEmpty : FilterOp::IsEmpty, QVariant() };
    return FieldCondition { *field, negated ? FilterOp::NotEquals : FilterOp::Equals, text };
}

std::optional<FieldCondition> positive(const QString& op, const QJsonValue& args)
{
    if (op == QLatin1String("$contains")) {
        const QJsonObject spec = args.toObject();
        const auto field = fieldOf(spec.value(QLatin1String("input")));
        const auto text = literalOf(spec.value(QLatin1String("substr")));
        if (!field || !text || !text->isString() || !spec.value(QLatin1String("case_insensitive")).toBool())
            return std::nullopt;
        return FieldCondition { *field, FilterOp::Contains, text->toString() };
    }
    if (op == QLatin1String("$in")) {
        const QJsonArray pair = args.toArray();
        const auto field = pair.size() == 2 ? fieldOf(pair[0]) : std::nullopt;
        if (!field || !pair[1].isArray())
            return std::nullopt;
        QStringList values;
        for (const QJsonValue& item : pair[1].toArray()) {
            const auto value = literalOf(item);
            if (!value || !value->isString())
                return std::nullopt;
            values.append(value->toString());
        }
        return FieldCondition { *field, FilterOp::In, values };
    }
    return comparison(op, args.toArray(), false);
}

} // namespace

std::optional<FieldCondition> conditionFromExpr(const QJsonObject& term)
{
    const auto [op, args] = unwrap(term);
    if (op == QLatin1String("$not")) {
        const QJsonArray inner = args.toArray();
        if (inner.size() != 1)
            return std::nullopt;
        const auto [innerOp, innerArgs] = unwrap(inner[0]);
        return comparison(innerOp, innerArgs.toArray(), true);
    }
    return positive(op, args);
}

static bool takeStatuses(const QJsonObject& term, QStringList& statuses)
{
    const auto condition = conditionFromExpr(term);
    if (!condition || condition->field != QLatin1String("summary.weave.status"))
        return false;
    if (condition->op == FilterOp::Equals)
        statuses.append(condition->value.toString());
    else if (condition->op == FilterOp::In)
        statuses.append(condition->value.toStringList());
    else
        return false;
    return true;
}

CallsQuery callsQueryFromParts(
    const QString& projectId, const QJsonObject& filter, const QJsonObject& query, const QJsonArray& sortBy)
{
    CallsQuery result;
    result.projectId = projectId;
    const auto strings = [&](const char* key) {
        QStringList list;
        for (const QJsonValue& v : filter.value(QLatin1String(key)).toArray())
            list.append(v.toString());
        return list;
    };
    result.opNames = strings("op_names");
    result.userIds = strings("wb_user_ids");
    result.traceIds = strings("trace_ids");
    result.rootsOnly = filter.value(QLatin1String("trace_roots_only")).toBool(false);
    const QJsonValue expr = query.value(QLatin1String("$expr"));
    const auto [top, args] = unwrap(expr);
    const QJsonArray terms = top == QLatin1String("$and")
        ? args.toArray()
        : (expr.isObject() ? QJsonArray { expr } : QJsonArray {});
    for (const QJsonValue& term : terms) {
        // One status term is the status filter; a second one AND-ed to it stays a condition (two
        // taken together would read back as one $in: error OR success).
        if (result.statuses.isEmpty() && takeStatuses(term.toObject(), result.statuses))
            continue;
        const auto condition = conditionFromExpr(term.toObject());
        if (condition && condition->field == QLatin1String("started_at") && condition->op == FilterOp::After
            && !result.startedAfter)
            result.startedAfter = condition->value.toDateTime();
        else if (condition && condition->field == QLatin1String("started_at")
            && condition->op == FilterOp::Before && !result.startedBefore)
            result.startedBefore = condition->value.toDateTime();
        else if (condition)
            result.conditions.append(*condition);
        else
            result.extraTerms.append(term);
    }
    result.sortBy.clear();
    for (const QJsonValue& key : sortBy) {
        const QJsonObject o = key.toObject();
        result.sortBy.append({ o.value(QLatin1String("field")).toString(),
            o.value(QLatin1String("direction")).toString() == QLatin1String("desc") });
    }
    if (result.sortBy.isEmpty())
        result.sortBy = CallsQuery().sortBy;
    return result;
}

} // namespace spindle
