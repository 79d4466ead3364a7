#include "core/callsquery.h"

#include <QJsonArray>

namespace spindle {
namespace {

QJsonObject field(const QString& path)
{
    return { { QStringLiteral("$getField"), path } };
}

QJsonObject literal(const QJsonValue& value)
{
    return { { QStringLiteral("$literal"), value } };
}

QJsonObject asDouble(const QString& path)
{
    // As Weave's UI (FIELDS_NO_FLOAT_CONVERT): hosted Weave computes latency as a float, and its
    // ClickHouse refuses to convert a float from text.
    if (path == QLatin1String("summary.weave.latency_ms"))
        return field(path);
    return { { QStringLiteral("$convert"),
        QJsonObject { { QStringLiteral("input"), field(path) },
            { QStringLiteral("to"), QStringLiteral("double") } } } };
}

QJsonObject op(const char* name, const QJsonValue& args)
{
    return { { QString::fromLatin1(name), args } };
}

QJsonObject binary(const char* name, const QJsonObject& a, const QJsonObject& b)
{
    return op(name, QJsonArray { a, b });
}

QJsonObject negate(const QJsonObject& inner)
{
    return op("$not", QJsonArray { inner });
}

bool isTimeField(const QString& path)
{
    return path == QLatin1String("started_at") || path == QLatin1String("ended_at");
}

QJsonObject dateExpr(const FieldCondition& c, bool after)
{
    const double seconds = c.value.toDateTime().toMSecsSinceEpoch() / 1000.0;
    // Plain datetime columns compare with epoch seconds; dynamic fields hold ISO text.
    const QJsonObject value = isTimeField(c.field)
        ? literal(seconds)
        : literal(c.value.toDateTime().toUTC().toString(Qt::ISODateWithMs));
    const QJsonObject gt = binary("$gt", field(c.field), value);
    return after ? gt : negate(gt);
}

struct Symbol
{
    FilterOp op;
    const char* text;
};

const Symbol kSymbols[] = {
    { FilterOp::Contains, "contains" },
    { FilterOp::Equals, "equals" },
    { FilterOp::NotEquals, "is not" },
    { FilterOp::In, "in" },
    { FilterOp::NumEquals, "=" },
    { FilterOp::NumNotEquals, "≠" },
    { FilterOp::Less, "<" },
    { FilterOp::LessOrEqual, "≤" },
    { FilterOp::Greater, ">" },
    { FilterOp::GreaterOrEqual, "≥" },
    { FilterOp::Is, "is" },
    { FilterOp::After, "after" },
    { FilterOp::Before, "before" },
    { FilterOp::IsEmpty, "is empty" },
    { FilterOp::IsNotEmpty, "is not empty" },
};

QJsonArray strings(const QStringList& list)
{
    return QJsonArray::fromStringList(list);
}

} // namespace

QString filterOpSymbol(FilterOp op)
{
    for (const auto& symbol : kSymbols)
        if (symbol.op == op)
            return QString::fromUtf8(symbol.text);
    return {};
}

std::optional<FilterOp> filterOpFromSymbol(const QString& text)
{
    for (const auto& symbol : kSymbols)
        if (text == QString::fromUtf8(symbol.text))
            return symbol.op;
    return std::nullopt;
}

bool filterOpTakesValue(FilterOp op)
{
    return op != FilterOp::IsEmpty && op != FilterOp::IsNotEmpty;
}

QJsonObject conditionExpr(const FieldCondition& c)
{
    const QJsonObject f = field(c.field);
    const auto number = [&] { return literal(c.value.toDouble()); };
    switch (c.op) {
    case FilterOp::Contains:
        return op("$contains",
            QJsonObject { { QStringLiteral("input"), f },
                { QStringLiteral("substr"), literal(c.value.toString()) },
                { QStringLiteral("case_insensitive"), true } });
    case FilterOp::Equals:
        return binary("$eq", f, literal(c.value.toString()));
    case FilterOp::NotEquals:
        return negate(binary("$eq", f, literal(c.value.toString())));
    case FilterOp::In: {
        QJsonArray values;
        for (const QString& v : c.value.toStringList())
            values.append(literal(v));
        return op("$in", QJsonArray { f, values });
    }
    case FilterOp::NumEquals:
        return binary("$eq", asDouble(c.field), number());
    case FilterOp::NumNotEquals:
        return negate(binary("$eq", asDouble(c.field), number()));
    case FilterOp::Less:
        return negate(binary("$gte", asDouble(c.field), number()));
    case FilterOp::LessOrEqual:
        return negate(binary("$gt", asDouble(c.field), number()));
    case FilterOp::Greater:
        return binary("$gt", asDouble(c.field), number());
    case FilterOp::GreaterOrEqual:
        return binary("$gte", asDouble(c.field), number());
    case FilterOp::Is:
        return binary("$eq", f, literal(c.value.toBool() ? QStringLiteral("true") : QStringLiteral("false")));
    case FilterOp::After:
        return dateExpr(c, true);
    case FilterOp::Before:
        return dateExpr(c, false);
    case FilterOp::IsEmpty:
        return binary("$eq", f, literal(QString()));
    case FilterOp::IsNotEmpty:
        return negate(binary("$eq", f, literal(QString())));
    }
    return {};
}

QJsonObject CallsQuery::filterJson() const
{
    QJsonObject filter;
    if (!opNames.isEmpty())
        filter.insert(QStringLiteral("op_names"), strings(opNames));
    if (!userIds.isEmpty())
        filter.insert(QStringLiteral("wb_user_ids"), strings(userIds));
    if (!traceIds.isEmpty())
        filter.insert(QStringLiteral("trace_ids"), strings(traceIds));
    if (rootsOnly)
        filter.insert(QStringLiteral("trace_roots_only"), true);
    return filter;
}

std::optional<QJsonObject> CallsQuery::queryJson() const
{
    QJsonArray terms;
    if (statuses.size() == 1) {
        terms.append(binary("$eq", field(QStringLiteral("summary.weave.status")), literal(statuses.first())));
    } else if (!statuses.isEmpty()) {
        QJsonArray values;
        for (const QString& status : statuses)
            values.append(literal(status));
        terms.append(op("$in", QJsonArray { field(QStringLiteral("summary.weave.status")), values }));
    }
    std::optional<QDateTime> after = startedAfter;
    if (!after && !startedWithin.isEmpty())
        after = parseRelativeRange(startedWithin, QDateTime::currentDateTimeUtc());
    if (after)
        terms.append(conditionExpr({ QStringLiteral("started_at"), FilterOp::After, *after }));
    if (startedBefore)
        terms.append(conditionExpr({ QStringLiteral("started_at"), FilterOp::Before, *startedBefore }));
    for (const auto& condition : conditions)
        terms.append(conditionExpr(condition));
    for (const QJsonValue& term : extraTerms)
        terms.append(term);
    if (terms.isEmpty())
        return std::nullopt;
    const QJsonValue expr = terms.size() == 1 ? terms.first() : QJsonValue(op("$and", terms));
    return QJsonObject { { QStringLiteral("$expr"), expr } };
}

QJsonArray CallsQuery::sortJson() const
{
    QJsonArray sort;
    for (const auto& key : sortBy)
        sort.append(QJsonObject { { QStringLiteral("field"), key.field },
            { QStringLiteral("direction"),
                key.descending ? QStringLiteral("desc") : QStringLiteral("asc") } });
    return sort;
}

QJsonObject CallsQuery::requestJson() const
{
    QJsonObject request { { QStringLiteral("project_id"), projectId } };
    const QJsonObject filter = filterJson();
    if (!filter.isEmpty())
        request.insert(QStringLiteral("filter"), filter);
    if (const auto query = queryJson())
        request.insert(QStringLiteral("query"), *query);
    if (!sortBy.isEmpty())
        request.insert(QStringLiteral("sort_by"), sortJson());
    return request;
}

std::optional<QDateTime> parseRelativeRange(const QString& text, const QDateTime& now)
{
    const QString t = text.trimmed().toLower();
    qsizetype digits = 0;
    while (digits < t.size() && t[digits].isDigit())
        ++digits;
    bool ok = false;
    const int count = t.left(digits).toInt(&ok);
    if (!ok || count <= 0)
        return std::nullopt;
    const QString unit = t.mid(digits);
    // Back past the year 1 is no range (the server refuses such a time): at most 100 years.
    const QDateTime back = [&] {
        if (unit == QLatin1String("m") || unit == QLatin1String("min"))
            return now.addSecs(-60LL * count);
        if (unit == QLatin1String("h"))
            return now.addSecs(-3600LL * count);
        if (unit == QLatin1String("d"))
            return now.addDays(-count);
        if (unit == QLatin1String("w"))
            return now.addDays(-7LL * count);
        if (unit == QLatin1String("mo"))
            return now.addMonths(-count);
        if (unit == QLatin1String("y"))
            return now.addYears(-count);
        return QDateTime();
    }();
    if (!back.isValid() || back < now.addYears(-100))
        return std::nullopt;
    return back;
}

QList<FilterOp> filterOpsForField(const QString& field)
{
    using Op = FilterOp;
    // As Weave's UI offers them: times are after/before, ids equal or in a list, the numbers Spindle
    // filters on compare as numbers, and the text columns take the text operators. Other paths
    // (inputs.*, output.*, ...) may hold anything: every operator.
    if (isTimeField(field))
        return { Op::After, Op::Before };
    if (field == QLatin1String("id") || field == QLatin1String("trace_id")
        || field == QLatin1String("parent_id"))
        return { Op::Equals, Op::In };
    if (field == QLatin1String("summary.weave.latency_ms")
        || field == QLatin1String("summary.weave.total_tokens")
        || field == QLatin1String("summary.weave.total_cost"))
        return { Op::NumEquals, Op::NumNotEquals, Op::Less, Op::LessOrEqual, Op::Greater,
            Op::GreaterOrEqual };
    if (field == QLatin1String("op_name") || field == QLatin1String("display_name")
        || field == QLatin1String("exception") || field == QLatin1String("wb_user_id"))
        return { Op::Contains, Op::Equals, Op::NotEquals, Op::In, Op::IsEmpty, Op::IsNotEmpty };
    return QList<FilterOp>(std::begin(kAllFilterOps), std::end(kAllFilterOps));
}

} // namespace spindle
