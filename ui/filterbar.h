#pragma once

#include "core/callsquery.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QToolButton;

namespace spindle::widgets {
class ChipBar;
}

namespace spindle::ui {

// The filter controls above the calls table: op (all versions), status, time range, roots only,
// and field conditions shown as removable chips. Edits the filter part of a CallsQuery.
class FilterBar : public QWidget
{
    Q_OBJECT
public:
    explicit FilterBar(QWidget* parent = nullptr);

    void setOps(const QStringList& opRefs); // latest op refs; offered as `name:*` wildcards
    void setKnownFields(const QStringList& fields); // dynamic columns, for the condition editor
    // Whether the server filters on total tokens and cost (Spindle's fields; hosted Weave's 422).
    // Without them, conditions on them are set aside; with them again, as when a server turns out
    // to be a Spindle one, they come back, and the result says so. No changed(): the page decides
    // when to query (a connection's first query is for its own project).
    bool setServerTotals(bool supported);
    void forgetSetAsideTotals(); // a saved view or Clear replaced the filter
    static bool isServerTotal(const QString& field); // summary.weave.total_tokens and _cost
    QStringList knownFields() const
    {
        return m_knownFields;
    }
    void applyTo(spindle::CallsQuery& query) const;
    void setFrom(const spindle::CallsQuery& query);
    void addCondition(const spindle::FieldCondition& condition);
    void addStatus(const QString& status);
    void clearAll();
    bool hasFilters() const;

Q_SIGNALS:
    void changed();

private:
    void editNewCondition();
    bool chooseCustomRange(); // false when cancelled
    void refreshChips();
    void onTimeChosen(int index);

    QComboBox* m_op;
    QToolButton* m_status;
    QComboBox* m_time;
    int m_timeIndex = 0; // the range in force: a cancelled Custom range… goes back to it
    bool m_serverTotals = true;
    QList<spindle::FieldCondition> m_setAsideTotals;
    QCheckBox* m_rootsOnly;
    QToolButton* m_addFilter;
    widgets::ChipBar* m_chips;
    QList<spindle::FieldCondition> m_conditions;
    QJsonArray m_extraTerms; // query terms from a saved view that have no chip of their own
    // Filters of a saved view (Weave's UI stores its user filter so) or of a link: a chip each.
    QStringList m_userIds;
    QStringList m_traceIds;
    QStringList m_knownFields;
    std::optional<QDateTime> m_customAfter;
    std::optional<QDateTime> m_customBefore;
};

QString describeCondition(const spindle::FieldCondition& condition);

} // namespace spindle::ui
