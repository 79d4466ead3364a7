#pragma once

#include "core/call.h"

#include <QAbstractTableModel>
#include <QBrush>
#include <QFont>
#include <QJsonValue>
#include <QStringList>
#include <QVector>

#include <optional>

namespace spindle::models {

// One row of a side-by-side comparison of N calls: a metric (latency, tokens, cost) or a leaf
// of the flattened inputs/output ("inputs.messages.0.content", "output.score", "output").
struct ComparisonRow
{
    enum class Kind
    {
        Metric,
        Field,
    };
    Kind kind = Kind::Field;
    QString path; // "latency" / "tokens" / "cost" for metrics, the dotted path otherwise
    QString label; // what the Field column shows
    QVector<QJsonValue> values; // one per call; Undefined when the call has no such leaf
    QStringList texts; // one per call: the display text ("" when missing; see kMaxValueTextChars)
    QVector<std::optional<double>> deltas; // metrics: value minus the first call's (nullopt: unknown)
    QStringList deltaTexts; // metrics: "+320 ms", "−12 tokens", "+$0.0004" ("" for the first call)
    bool differs = false; // some call's value is not the first call's (missing counts)

    bool isMissing(int call) const
    {
        return values.value(call).isUndefined();
    }
    // True when this call's value differs from the first call's.
    bool differsFromFirst(int call) const;
};

// Flattened comparison rows for the calls, metrics first, then inputs.*, output*, exception.
// Objects are flattened by key and arrays by index; arrays longer than kMaxArrayItems (in any of
// the calls) and values nested deeper than kMaxDepth stay one (compact JSON) leaf so a vector of
// 1,536 embedding floats is one row, not 1,536. A key that would read as two steps or an index
// is written ["a.b"]; a string beside a number, bool or null of the same text shows quoted.
QVector<ComparisonRow> buildComparison(const QVector<spindle::Call>& calls);
inline constexpr int kMaxArrayItems = 50;
// A value's text is cut after this many characters (its value still decides whether it differs):
// a multi-megabyte value is not written out whole on the GUI thread.
inline constexpr qsizetype kMaxValueTextChars = 200'000;
inline constexpr int kMaxDepth = 12;

// Signed deltas in the units of the calls table: "+320 ms", "−1.20 s", "−12 tokens", "+$0.0004".
// The minus sign is U+2212; a zero delta reads "±0 ms", "±0 tokens", "±$0".
QString formatLatencyDelta(qint64 deltaMs);
QString formatTokenDelta(qint64 delta);
QString formatCostDelta(double deltaUsd);

// A word-level diff: runs of word characters, runs of whitespace and single punctuation marks
// are the tokens; an LCS on them gives the common part.
struct DiffSegment
{
    enum Op
    {
        Equal,
        Delete, // only in the first text
        Insert, // only in the second text
    };
    Op op = Equal;
    QString text;

    bool operator==(const DiffSegment&) const = default;
};
// Adjacent changes are merged (deletions before insertions), and a lone space between two
// changed words joins them: "the [-quick brown-]{+slow red+} fox", not word by word. Inputs whose
// LCS table would be too big after trimming the common prefix and suffix fall back to one
// deletion plus one insertion.
QVector<DiffSegment> wordDiff(const QString& before, const QString& after);

// Side-by-side comparison of N calls: a "Field" column then one column per call (the first
// call is the baseline for deltas). Passive: fed with setCalls(); "only differences" and a
// filter text (matched against the path and every value) choose the visible rows.
class CallComparisonModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role
    {
        DiffersRole = Qt::UserRole + 1, // bool: the row's values are not all equal
        PathRole, // QString: the row's path ("inputs.a.b", "latency")
        RawValueRole, // QJsonValue of the cell (Undefined when missing)
        DeltaRole, // double: metric cells, the value minus the first call's
        MissingRole, // bool: the call has no value at this path
        IsMetricRole, // bool
    };
    static constexpr int FieldColumn = 0;

    explicit CallComparisonModel(QObject* parent = nullptr);

    void setCalls(const QVector<spindle::Call>& calls);
    const QVector<spindle::Call>& calls() const
    {
        return m_calls;
    }
    void setOnlyDifferences(bool only);
    bool onlyDifferences() const
    {
        return m_onlyDifferences;
    }
    void setFilterText(const QString& text);
    QString filterText() const
    {
        return m_filterText;
    }
    // The row behind a visible row (nullptr when out of range).
    const ComparisonRow* comparisonRow(int row) const;
    const QVector<ComparisonRow>& allRows() const
    {
        return m_rows;
    }
    int differingRowCount() const;
    static int callColumn(int callIndex)
    {
        return callIndex + 1;
    }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant cellDisplay(const ComparisonRow& row, int call) const;
    QString cellToolTip(const ComparisonRow& row, int call) const;
    QVariant cellBackground(const ComparisonRow& row, int column) const;
    QVariant cellForeground(const ComparisonRow& row, int column) const;
    bool rowVisible(const ComparisonRow& row) const;
    void refilter(); // one reset around updateVisibleRows()
    void updateVisibleRows();

    QVector<spindle::Call> m_calls;
    QVector<ComparisonRow> m_rows;
    QVector<int> m_visible; // indexes into m_rows
    bool m_onlyDifferences = false;
    QString m_filterText;
    QBrush m_rowDiffers;
    QBrush m_cellDiffers;
    QBrush m_missing;
    QBrush m_worse;
    QBrush m_better;
    QFont m_italic;
};

} // namespace spindle::models
