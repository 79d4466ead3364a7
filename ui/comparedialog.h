#pragma once

#include "core/call.h"
#include "net/traceclient.h"

#include <QDialog>
#include <QPointer>
#include <QVector>

#include <optional>

class QCheckBox;
class QGridLayout;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QTableView;
class QTextEdit;

namespace spindle::models {
class CallComparisonModel;
struct ComparisonRow;
} // namespace spindle::models
namespace spindle::widgets {
class Banner;
}

namespace spindle::ui {

// Compare: two or more calls side by side. A card per call (name, status, id, latency, tokens
// and cost with deltas against the first call), the flattened inputs/output in a table with
// differing rows highlighted ("Only differences" and a filter narrow it), and a word diff of
// the selected row: the first call's value against the clicked call's (the second by default).
// Non-modal; the caller decides whether it deletes itself on close.
class CompareDialog : public QDialog
{
    Q_OBJECT
public:
    static constexpr int kMaxCalls = 8;

    // client may be null when the dialog is only fed with setCalls().
    explicit CompareDialog(net::TraceClient* client, QWidget* parent = nullptr);
    ~CompareDialog() override;

    // Reads the full calls (POST /call/read with costs, all at once) and shows them when every
    // request has answered; failures are listed in a banner. At most kMaxCalls are compared.
    void compare(const QString& projectId, const QStringList& callIds);
    // Shows calls that are already loaded; the first one is the baseline for deltas.
    void setCalls(const QVector<spindle::Call>& calls);

    models::CallComparisonModel* model() const
    {
        return m_model;
    }
    QTableView* table() const
    {
        return m_table;
    }
    QCheckBox* onlyDifferencesBox() const
    {
        return m_onlyDifferences;
    }
    QLineEdit* filterEdit() const
    {
        return m_filter;
    }
    // The diff pane: the baseline value (deletions marked) and the other call's (insertions).
    QTextEdit* diffBefore() const
    {
        return m_before;
    }
    QTextEdit* diffAfter() const
    {
        return m_after;
    }
    QString headerText() const; // the cards' text, for tests

Q_SIGNALS:
    void loaded(); // every requested call has answered (or failed)

private:
    void buildUi();
    QWidget* buildToolRow();
    QWidget* buildDiffPane();
    void rebuildCards();
    QWidget* callCard(int call);
    void addMetricLine(QGridLayout* grid, int line, const models::ComparisonRow& row, int call);
    void restoreCurrent();
    void updateSummary();
    void showDiff();
    void readFinished();
    void cancelPending();

    QPointer<net::TraceClient> m_client;
    models::CallComparisonModel* m_model;
    widgets::Banner* m_banner;
    QLabel* m_status;
    QWidget* m_cards;
    QHBoxLayout* m_cardsLayout;
    QLineEdit* m_filter;
    QCheckBox* m_onlyDifferences;
    QLabel* m_summary;
    QTableView* m_table;
    QLabel* m_diffTitle;
    QTextEdit* m_before;
    QTextEdit* m_after;
    QVector<net::TraceClient::RequestId> m_pending;
    QVector<std::optional<spindle::Call>> m_fetched;
    QStringList m_errors;
    int m_outstanding = 0;
    QString m_keepPath; // the current row's path across model resets
    QString m_shownDiff; // the row path and call the diff panes show: a filter keystroke keeps them
    int m_keepColumn = 2;
};

} // namespace spindle::ui
