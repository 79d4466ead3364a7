#include "models/callcomparison.h"

#include "models/callstablemodel.h"

#include <QColor>
#include <QFont>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <vector>

namespace spindle::models {

namespace {

const QChar kMinus(0x2212);

QString signOf(double delta)
{
    return delta > 0 ? QStringLiteral("+") : delta < 0 ? QString(kMinus) : QStringLiteral("±");
}

// The text of one compared value: "" when the call lacks the path, "null" for an explicit null.
QString valueText(const QJsonValue& value)
{
    if (value.isString() && value.toString().size() > kMaxValueTextChars)
        return value.toString().left(kMaxValueTextChars) + QStringLiteral("…");
    return value.isUndefined() ? QString()
        : value.isNull()       ? QStringLiteral("null")
                               : jsonCellText(value, kMaxValueTextChars);
}

// One step of a leaf's path: an array index, or an object key.
struct Segment
{
    QString key;
    qint64 index = -1; // >= 0: an array index
};

// A leaf of one call's inputs or output, with the steps that lead to it (for the row order).
struct Leaf
{
    QJsonValue value;
    QVector<Segment> segments;
};

// A key as a path shows it: ".key", or ["key"] when a dot, a bracket or all digits would make it
// read as two keys or as an array index ({"a.b": 1} is not {"a": {"b": 1}}, nor {"0": 5} [5]).
QString keyStep(const QString& key)
{
    bool numeric = false;
    key.toLongLong(&numeric);
    const bool plain = !key.isEmpty() && !numeric && !key.contains(QLatin1Char('.'))
        && !key.contains(QLatin1Char('[')) && !key.contains(QLatin1Char('"'));
    if (plain)
        return QLatin1Char('.') + key;
    QString escaped = key; // as a JSON string: a key holding "] cannot end the brackets early
    escaped.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('"'), QStringLiteral("\\\""));
    return QStringLiteral("[\"%1\"]").arg(escaped);
}

// The leaves of `value` at `path`. Arrays whose path is in `longArrays` (longer than
// kMaxArrayItems in some call) stay one leaf in every call, so two calls' leaves line up; their
// paths are added to `foundLong` otherwise.
void flatten(const QJsonValue& value, const QString& path, QVector<Segment>& segments, int depth,
    const QSet<QString>& longArrays, QSet<QString>* foundLong, QHash<QString, Leaf>& out)
{
    if (depth < kMaxDepth && value.isObject() && !value.toObject().isEmpty()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            segments.append({ it.key(), -1 });
            flatten(it.value(), path + keyStep(it.key()), segments, depth + 1, longArrays, foundLong, out);
            segments.removeLast();
        }
        return;
    }
    if (value.isArray() && value.toArray().size() > kMaxArrayItems && foundLong)
        foundLong->insert(path);
    if (depth < kMaxDepth && value.isArray() && !value.toArray().isEmpty()
        && value.toArray().size() <= kMaxArrayItems && !longArrays.contains(path)) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            segments.append({ QString(), i });
            flatten(array.at(i), path + QLatin1Char('.') + QString::number(i), segments, depth + 1,
                longArrays, foundLong, out);
            segments.removeLast();
        }
        return;
    }
    out.insert(path, { value, segments });
}

QHash<QString, Leaf> flattenCall(
    const spindle::Call& call, const QSet<QString>& longArrays, QSet<QString>* foundLong)
{
    QHash<QString, Leaf> leaves;
    QVector<Segment> segments;
    // An empty inputs object is no row of its own: it would only add noise next to inputs.*.
    for (auto it = call.inputs.begin(); it != call.inputs.end(); ++it) {
        segments = { { QStringLiteral("inputs"), -1 }, { it.key(), -1 } };
        flatten(it.value(), QStringLiteral("inputs") + keyStep(it.key()), segments, 1, longArrays, foundLong,
            leaves);
    }
    if (!call.output.isUndefined()) {
        segments = { { QStringLiteral("output"), -1 } };
        flatten(call.output, QStringLiteral("output"), segments, 0, longArrays, foundLong, leaves);
    }
    if (!call.exception.isEmpty())
        leaves.insert(
            QStringLiteral("exception"), { call.exception, { { QStringLiteral("exception"), -1 } } });
    return leaves;
}

// Path order: inputs, then output, then exception; within a root step by step: array indexes in
// numeric order ("…10" follows "…9"), then keys that are numbers, in numeric order, then the other
// keys. Each step has one place in that order, so the order is total (std::sort needs it).
struct PathKey
{
    QString path;
    int rank;
    QVector<Segment> segments;
};

PathKey pathKey(const QString& path, const QVector<Segment>& segments)
{
    const QString& root = segments.first().key;
    return { path, root == QLatin1String("inputs") ? 0 : root == QLatin1String("output") ? 1 : 2, segments };
}

int compareSteps(const Segment& a, const Segment& b)
{
    const auto place = [](const Segment& s, qlonglong* number) {
        if (s.index >= 0) {
            *number = s.index;
            return 0;
        }
        bool numeric = false;
        *number = s.key.toLongLong(&numeric);
        return numeric ? 1 : 2;
    };
    qlonglong an = 0;
    qlonglong bn = 0;
    const int aPlace = place(a, &an);
    const int bPlace = place(b, &bn);
    if (aPlace != bPlace)
        return aPlace < bPlace ? -1 : 1;
    if (aPlace < 2 && an != bn)
        return an < bn ? -1 : 1;
    return a.key.compare(b.key); // "01" and "1" apart too
}

bool pathLess(const PathKey& a, const PathKey& b)
{
    if (a.rank != b.rank)
        return a.rank < b.rank;
    const qsizetype common = std::min(a.segments.size(), b.segments.size());
    for (qsizetype i = 0; i < common; ++i)
        if (const int c = compareSteps(a.segments[i], b.segments[i]); c != 0)
            return c < 0;
    if (a.segments.size() != b.segments.size())
        return a.segments.size() < b.segments.size();
    return a.path < b.path;
}

// Each call's leaves; arrays too long to flatten in any call are one leaf in all of them.
QVector<QHash<QString, Leaf>> callLeaves(const QVector<spindle::Call>& calls)
{
    QVector<QHash<QString, Leaf>> leaves;
    QSet<QString> longArrays;
    for (const auto& call : calls)
        leaves.append(flattenCall(call, {}, &longArrays));
    if (!longArrays.isEmpty())
        for (qsizetype i = 0; i < calls.size(); ++i)
            leaves[i] = flattenCall(calls[i], longArrays, nullptr);
    return leaves;
}

// In a row that holds numbers, bools or nulls too, strings show in quotes: "1" and 1 differ, and
// the cells say how.
void quoteStringsAmongOtherTypes(ComparisonRow& row)
{
    const auto isString = [](const QJsonValue& v) { return v.isString(); };
    const auto isOther = [](const QJsonValue& v) { return !v.isString() && !v.isUndefined(); };
    if (std::none_of(row.values.begin(), row.values.end(), isString)
        || std::none_of(row.values.begin(), row.values.end(), isOther))
        return;
    for (qsizetype i = 0; i < row.values.size(); ++i)
        if (row.values[i].isString())
            row.texts[i] = QLatin1Char('"') + row.texts[i] + QLatin1Char('"');
}

QVector<ComparisonRow> fieldRows(const QVector<spindle::Call>& calls)
{
    const QVector<QHash<QString, Leaf>> leaves = callLeaves(calls);
    QSet<QString> seen;
    std::vector<PathKey> keys;
    for (const auto& oneCall : leaves) {
        for (auto it = oneCall.cbegin(); it != oneCall.cend(); ++it) {
            if (!seen.contains(it.key())) {
                seen.insert(it.key());
                keys.push_back(pathKey(it.key(), it.value().segments));
            }
        }
    }
    std::sort(keys.begin(), keys.end(), pathLess);
    QVector<ComparisonRow> rows;
    rows.reserve(qsizetype(keys.size()));
    for (const PathKey& key : keys) {
        const QString& path = key.path;
        ComparisonRow row;
        row.path = path;
        row.label = path;
        for (const auto& oneCall : leaves) {
            const auto found = oneCall.constFind(path);
            const QJsonValue value =
                found == oneCall.cend() ? QJsonValue(QJsonValue::Undefined) : found->value;
            row.values.append(value);
            row.texts.append(valueText(value));
            row.differs = row.differs || value != row.values.first();
        }
        quoteStringsAmongOtherTypes(row);
        rows.append(row);
    }
    return rows;
}

struct MetricSpec
{
    const char* path;
    const char* label;
    std::optional<double> (*value)(const spindle::Call&);
    QString (*text)(double);
    QString (*delta)(double);
};

const MetricSpec kMetrics[] = {
    { "latency", "Latency",
        [](const spindle::Call& c) -> std::optional<double> {
            return c.latencyMs ? std::optional<double>(double(*c.latencyMs)) : std::nullopt;
        },
        [](double v) { return formatLatency(qint64(v)); },
        [](double d) { return formatLatencyDelta(qint64(d)); } },
    { "tokens", "Tokens",
        [](const spindle::Call& c) -> std::optional<double> {
            return c.costs.isEmpty() ? std::nullopt : std::optional<double>(double(c.totalTokens()));
        },
        [](double v) { return QString::number(qint64(v)); },
        [](double d) { return formatTokenDelta(qint64(d)); } },
    { "cost", "Cost", [](const spindle::Call& c) { return c.totalCost(); },
        [](double v) { return formatCost(v); }, [](double d) { return formatCostDelta(d); } },
};

bool sameNumber(double a, double b)
{
    return std::abs(a - b) <= 1e-12 * std::max({ 1.0, std::abs(a), std::abs(b) });
}

ComparisonRow metricRow(const MetricSpec& spec, const QVector<spindle::Call>& calls)
{
    ComparisonRow row;
    row.kind = ComparisonRow::Kind::Metric;
    row.path = QLatin1String(spec.path);
    row.label = QLatin1String(spec.label);
    std::optional<double> first;
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const std::optional<double> value = spec.value(calls[i]);
        if (i == 0)
            first = value;
        row.values.append(value ? QJsonValue(*value) : QJsonValue(QJsonValue::Undefined));
        row.texts.append(value ? spec.text(*value) : QString());
        const bool known = i > 0 && value && first;
        const double delta = known ? *value - *first : 0;
        row.deltas.append(known ? std::optional<double>(delta) : std::nullopt);
        row.deltaTexts.append(known ? spec.delta(delta) : QString());
        if (i > 0)
            row.differs =
                row.differs || value.has_value() != first.has_value() || (known && !sameNumber(delta, 0));
    }
    return row;
}

} // namespace

bool ComparisonRow::differsFromFirst(int call) const
{
    if (call <= 0 || call >= values.size())
        return false;
    if (kind == Kind::Metric && deltas.value(call))
        return !sameNumber(*deltas.value(call), 0);
    return values[call] != values.first();
}

QVector<ComparisonRow> buildComparison(const QVector<spindle::Call>& calls)
{
    QVector<ComparisonRow> rows;
    if (calls.isEmpty())
        return rows;
    for (const MetricSpec& spec : kMetrics)
        rows.append(metricRow(spec, calls));
    rows.append(fieldRows(calls));
    return rows;
}

QString formatLatencyDelta(qint64 deltaMs)
{
    return signOf(double(deltaMs)) + formatLatency(std::abs(deltaMs));
}

QString formatTokenDelta(qint64 delta)
{
    const qint64 size = std::abs(delta);
    return signOf(double(delta)) + QString::number(size)
        + (size == 1 ? QStringLiteral(" token") : QStringLiteral(" tokens"));
}

QString formatCostDelta(double deltaUsd)
{
    const double size = std::abs(deltaUsd);
    if (size < 1e-9)
        return QStringLiteral("±$0");
    const int decimals = size >= 1 ? 2 : size >= 0.0001 ? 4 : 6;
    return signOf(deltaUsd) + QLatin1Char('$') + QString::number(size, 'f', decimals);
}

CallComparisonModel::CallComparisonModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_rowDiffers(QColor(255, 246, 214))
    , m_cellDiffers(QColor(255, 224, 160))
    , m_missing(QColor(140, 140, 140))
    , m_worse(QColor(190, 40, 40))
    , m_better(QColor(40, 125, 50))
{
    m_italic.setItalic(true);
}

void CallComparisonModel::setCalls(const QVector<spindle::Call>& calls)
{
    beginResetModel();
    m_calls = calls;
    m_rows = buildComparison(calls);
    updateVisibleRows();
    endResetModel();
}

void CallComparisonModel::setOnlyDifferences(bool only)
{
    if (only == m_onlyDifferences)
        return;
    m_onlyDifferences = only;
    refilter();
}

void CallComparisonModel::setFilterText(const QString& text)
{
    if (text == m_filterText)
        return;
    m_filterText = text;
    refilter();
}

bool CallComparisonModel::rowVisible(const ComparisonRow& row) const
{
    if (m_onlyDifferences && !row.differs)
        return false;
    const QString needle = m_filterText.trimmed();
    if (needle.isEmpty() || row.label.contains(needle, Qt::CaseInsensitive)
        || row.path.contains(needle, Qt::CaseInsensitive))
        return true;
    return std::any_of(row.texts.begin(), row.texts.end(),
        [&](const QString& text) { return text.contains(needle, Qt::CaseInsensitive); });
}

void CallComparisonModel::refilter()
{
    beginResetModel();
    updateVisibleRows();
    endResetModel();
}

void CallComparisonModel::updateVisibleRows()
{
    m_visible.clear();
    for (int i = 0; i < m_rows.size(); ++i) {
        if (rowVisible(m_rows[i]))
            m_visible.append(i);
    }
}

const ComparisonRow* CallComparisonModel::comparisonRow(int row) const
{
    return row >= 0 && row < m_visible.size() ? &m_rows[m_visible[row]] : nullptr;
}

int CallComparisonModel::differingRowCount() const
{
    return int(std::count_if(m_rows.begin(), m_rows.end(), [](const ComparisonRow& r) { return r.differs; }));
}

int CallComparisonModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size());
}

int CallComparisonModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_calls.size()) + 1;
}

QVariant CallComparisonModel::data(const QModelIndex& index, int role) const
{
    const ComparisonRow* row =
        checkIndex(index, CheckIndexOption::IndexIsValid) ? comparisonRow(index.row()) : nullptr;
    if (!row)
        return {};
    const int call = index.column() - 1;
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == FieldColumn ? QVariant(row->label) : cellDisplay(*row, call);
    case Qt::ToolTipRole: // the trace's text as text: markup in a value is not rendered
        return plainToolTip(index.column() == FieldColumn ? row->path : cellToolTip(*row, call));
    case Qt::BackgroundRole:
        return cellBackground(*row, index.column());
    case Qt::ForegroundRole:
        return cellForeground(*row, index.column());
    case Qt::FontRole:
        return index.column() != FieldColumn && row->isMissing(call) ? QVariant(m_italic) : QVariant();
    case DiffersRole:
        return row->differs;
    case PathRole:
        return row->path;
    case RawValueRole:
        return call >= 0 ? QVariant::fromValue(row->values.value(call)) : QVariant();
    case DeltaRole:
        return call >= 0 && row->deltas.value(call) ? QVariant(*row->deltas.value(call)) : QVariant();
    case MissingRole:
        return call >= 0 && row->isMissing(call);
    case IsMetricRole:
        return row->kind == ComparisonRow::Kind::Metric;
    default:
        return {};
    }
}

QVariant CallComparisonModel::cellDisplay(const ComparisonRow& row, int call) const
{
    if (row.isMissing(call))
        return QStringLiteral("—");
    QString text = row.texts.value(call);
    if (text.size() > 300)
        text = text.left(300) + QStringLiteral("…");
    text.replace(QLatin1Char('\n'), QStringLiteral("↵ "));
    const QString delta = row.deltaTexts.value(call);
    return delta.isEmpty() ? text : QStringLiteral("%1  (%2)").arg(text, delta);
}

QString CallComparisonModel::cellToolTip(const ComparisonRow& row, int call) const
{
    if (row.isMissing(call))
        return tr("Call #%1 has no value at %2").arg(call + 1).arg(row.path);
    const auto delta = row.deltas.value(call);
    const double first = row.values.value(0).toDouble();
    if (delta && first != 0) {
        return tr("%1 vs call #1 (%2%3%)")
            .arg(row.deltaTexts.value(call), signOf(*delta))
            .arg(std::abs(*delta) / std::abs(first) * 100, 0, 'f', 1);
    }
    const QString text = row.texts.value(call);
    return text.size() > 40 || text.contains(QLatin1Char('\n')) ? text.left(2000) : QString();
}

QVariant CallComparisonModel::cellBackground(const ComparisonRow& row, int column) const
{
    if (!row.differs)
        return {};
    return column > 1 && row.differsFromFirst(column - 1) ? m_cellDiffers : m_rowDiffers;
}

QVariant CallComparisonModel::cellForeground(const ComparisonRow& row, int column) const
{
    const int call = column - 1;
    if (call < 0)
        return {};
    if (row.isMissing(call))
        return m_missing;
    // Higher latency, tokens and cost are worse.
    if (const auto delta = row.deltas.value(call); delta && !sameNumber(*delta, 0))
        return *delta > 0 ? m_worse : m_better;
    return {};
}

QVariant CallComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == FieldColumn)
        return role == Qt::DisplayRole ? QVariant(tr("Field")) : QVariant();
    const spindle::Call& call = m_calls[section - 1];
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("#%1 %2").arg(section).arg(call.name());
    case Qt::ToolTipRole:
        return plainToolTip(tr("%1\nid %2\nstatus %3%4")
                                .arg(call.name(), call.id, statusText(call.status),
                                    section == 1 ? tr("\n(baseline for deltas)") : QString()));
    default:
        return {};
    }
}

} // namespace spindle::models
