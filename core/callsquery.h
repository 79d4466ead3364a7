#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>

namespace spindle {

// The operators of Weave's filter builder by field type (feature-landscape 4.2), plus numeric
// filters on latency, tokens and cost.
enum class FilterOp
{
    Contains, // text, case-insensitive
    Equals,
    NotEquals,
    In, // value: QStringList
    NumEquals,
    NumNotEquals,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Is, // bool
    After, // date; value: QDateTime
    Before,
    IsEmpty,
    IsNotEmpty,
};

// Every FilterOp, in declaration order (the condition dialog lists them; tests cover each).
inline constexpr FilterOp kAllFilterOps[] = { FilterOp::Contains, FilterOp::Equals, FilterOp::NotEquals,
    FilterOp::In, FilterOp::NumEquals, FilterOp::NumNotEquals, FilterOp::Less, FilterOp::LessOrEqual,
    FilterOp::Greater, FilterOp::GreaterOrEqual, FilterOp::Is, FilterOp::After, FilterOp::Before,
    FilterOp::IsEmpty, FilterOp::IsNotEmpty };

struct FieldCondition
{
    QString field; // a $getField path: inputs.x, output.score, summary.weave.latency_ms, started_at ...
    FilterOp op = FilterOp::Equals;
    QVariant value;

    bool operator==(const FieldCondition&) const = default;
};

QString filterOpSymbol(FilterOp op); // "contains", "=", "≠", "after", ...
std::optional<FilterOp> filterOpFromSymbol(const QString& symbol);
bool filterOpTakesValue(FilterOp op);
// The operators a condition on `field` may use (the condition dialog offers these).
QList<FilterOp> filterOpsForField(const QString& field);

// Builds the `$expr` operation for one condition, the way Weave's UI does: numbers through
// $convert to double, booleans against "true"/"false", dates as epoch seconds, text contains
// case-insensitive.
QJsonObject conditionExpr(const FieldCondition& condition);

struct SortKey
{
    QString field;
    bool descending = false;
    bool operator==(const SortKey&) const = default;
};

// Everything the filter bar and the table header edit; becomes one /calls/stream_query request.
struct CallsQuery
{
    QString projectId;
    QStringList opNames; // exact op refs or `...:*` wildcards
    QStringList statuses; // success, error, running, descendant_error
    QStringList userIds;
    QStringList traceIds;
    std::optional<QDateTime> startedAfter;
    std::optional<QDateTime> startedBefore;
    // A range back from now ("1h", "1d", "1w", "1mo"), taken afresh by every request: a refresh
    // or live mode's poll the next day still shows the last day. Ignored when startedAfter is set.
    QString startedWithin;
    bool rootsOnly = true;
    QList<FieldCondition> conditions;
    // $expr terms Spindle's filter bar cannot express (e.g. from a view saved by Weave's UI):
    // kept verbatim and AND-ed with the rest.
    QJsonArray extraTerms;
    QList<SortKey> sortBy { SortKey { QStringLiteral("started_at"), true } };

    bool operator==(const CallsQuery&) const = default;

    QJsonObject filterJson() const; // CallsFilter, empty when nothing is set
    std::optional<QJsonObject> queryJson() const; // {"$expr": ...}, nullopt when no condition
    QJsonArray sortJson() const;
    // The stream_query body without paging: project_id, filter, query, sort_by.
    QJsonObject requestJson() const;
};

// The inverse of conditionExpr: the condition an $expr term expresses, if it is one of the
// filter bar's shapes (the way Weave's UI writes them too).
std::optional<FieldCondition> conditionFromExpr(const QJsonObject& term);

// Reads a request's filter, query and sort back into a CallsQuery (saved views, pasted queries).
// Terms it cannot map to the filter bar land in extraTerms, so nothing is lost.
CallsQuery callsQueryFromParts(
    const QString& projectId, const QJsonObject& filter, const QJsonObject& query, const QJsonArray& sortBy);

// "1h", "1d", "2d", "1w", "1mo", "3mo" → the start of that range before `now`.
std::optional<QDateTime> parseRelativeRange(const QString& text, const QDateTime& now);

} // namespace spindle
