#pragma once

#include "core/callsquery.h"
#include "models/costanalysis.h"
#include "models/dashboardmodel.h"
#include "widgets/textprompt.h"

#include <QDateTime>
#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QStackedWidget;
class QTableView;

namespace spindle::net {
class TraceClient;
struct ApiError;
} // namespace spindle::net
namespace spindle::widgets {
class ChartView;
}

namespace spindle::ui {

class FilterBar;

// The cost dashboard: headline numbers against the previous period; cost by model and by op,
// tokens, calls and errors, latency percentiles over time and a prompt-vs-completion scatter; the
// project cost report (root calls) and a what-if price; cost by model as a table and CSV. All from
// /calls/stats for the chosen range and the filter bar's filter (dashboardpage.cpp says which
// requests). Clicking a bar or point asks for the calls table filtered to it (openCallsRequested).
class DashboardPage : public QWidget
{
    Q_OBJECT
public:
    explicit DashboardPage(net::TraceClient* client, QWidget* parent = nullptr);
    ~DashboardPage() override; // cancels its requests: their callbacks hold `this`

    void setProject(const QString& projectId);
    // The dynamic columns the Traces page found, for the filter bar's conditions.
    void setKnownFields(const QStringList& fields);
    void setServerTotals(bool supported); // see FilterBar::setServerTotals
    // Stores the dashboard's filter as a Traces saved view (asks for a name when none is given).
    void saveFilterAsView(const QString& label = {}, widgets::PromptReply reply = {});
    // 0 last hour, 1 last day, 2 last week, 3 last month.
    void setRangeIndex(int index);
    // A custom range (UTC), compared with the period of the same length before it.
    void setCustomRange(const QDateTime& start, const QDateTime& end);
    // Pins "now" (tests, screenshots); an invalid time follows the clock again.
    void setNow(const QDateTime& now);
    void refresh();

    bool isLoading() const
    {
        return m_pending > 0 || !m_chartSteps.isEmpty();
    }
    const models::StatsSummary& summary() const
    {
        return m_current;
    }
    const models::StatsSummary& previousSummary() const
    {
        return m_previous;
    }
    const models::StatsTimeSeries& series() const
    {
        return m_series;
    }
    const models::CostReport& costReport() const
    {
        return m_report;
    }
    QString headlineText(int index) const; // "<title>|<value>|<change>", for tests
    QString headlineToolTip(int index) const;
    bool showsEmptyState() const;
    // Empty `error` unless false: why the file could not be written.
    bool exportCsv(const QString& path, QString* error = nullptr) const;
    bool exportCostReport(const QString& path, QString* error = nullptr) const;
    // The what-if inputs (as a user types them); the result shows at once, nothing is written.
    void setWhatIf(const QString& model, const QString& inputPerMillion, const QString& outputPerMillion);
    QString whatIfText() const; // the what-if panel's result line, for tests
    widgets::ChartView* chart(const QString& objectName) const; // "costByModel", "costByOp", ...
    // False once the server refused Spindle's /calls/stats extensions (hosted Weave): no op chart,
    // no scatter, requests counted as usage entries.
    bool usesExtensions() const
    {
        return m_extensions;
    }

Q_SIGNALS:
    void loaded(); // everything shown, charts included (or the empty or failed state)
    void viewSaved(const QString& label);
    // A bar or point was clicked: show these calls (the dashboard's filter, the bucket's time range
    // and the series' model, op, status or call) on the Traces page.
    void openCallsRequested(const spindle::CallsQuery& query);

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct Card
    {
        QLabel* title;
        QLabel* value;
        QLabel* change;
    };

    QWidget* buildHeader();
    QWidget* buildCards();
    QWidget* buildPanels();
    QWidget* buildReportPanel();
    QWidget* buildWhatIfPanel();
    QWidget* buildCharts();
    QWidget* buildTable();
    widgets::ChartView* addChart(const QString& name, const QString& title, int kind);
    void connectClicks();
    void loadOps();
    void requestStats(const QJsonObject& body, std::function<void(const QJsonObject&)> onJson);
    void onRequestFailed(const net::ApiError& error);
    void finishOne();
    void showResults();
    void showCards();
    void showCharts();
    void applyNextChart(quint64 generation);
    void showReport();
    void updateWhatIf();
    // `current` unknown (no finished call for a latency): no change is shown.
    void setCard(int index, const QString& value, std::optional<double> current,
        std::optional<double> previous, bool upIsBad);
    void cancelRequests(); // the answers on their way no longer count
    void chooseExportFile();
    void chooseReportFile();
    void reportWriteError(const QString& title, const QString& path, const QString& error);
    qint64 rangeSeconds() const;
    void onRangeChosen(int index);
    spindle::CallsQuery dashboardQuery() const; // the filter bar's filter, without a time range
    void openBucket(qint64 startMs, const std::function<void(spindle::CallsQuery&)>& narrow);
    QString scatterToolTip(int series, int index) const;

    net::TraceClient* m_client;
    QString m_projectId;
    quint64 m_opsRequest = 0; // the op list on its way (ui/oplist.h)
    bool m_stale = false; // the project changed while the page was hidden (its data and ops)
    bool m_extensions = true;
    bool m_probingPlain = false; // asked again without extensions after a 4xx
    QDateTime m_fixedNow;
    QDateTime m_start, m_end; // the range shown
    QDateTime m_customStart, m_customEnd; // "Custom…"
    int m_presetIndex = 1; // the last preset range, to return to when "Custom…" is cancelled
    bool m_customShown = false; // the page shows a custom range: a cancelled "Custom…" keeps it
    quint64 m_generation = 0;
    int m_pending = 0;
    QString m_failure; // why the last refresh failed, shown instead of the results
    QVector<quint64> m_requests;

    QComboBox* m_range;
    FilterBar* m_filters;
    QProgressBar* m_busy;
    QLabel* m_rangeLabel;
    QStackedWidget* m_stack;
    QLabel* m_empty;
    QVector<Card> m_cards;
    QLabel* m_reportText;
    QComboBox* m_whatIfModel;
    QLineEdit* m_whatIfInput;
    QLineEdit* m_whatIfOutput;
    QLabel* m_whatIfResult;
    QVector<widgets::ChartView*> m_charts;
    QList<std::function<void()>> m_chartSteps; // charts still to draw for the current results
    QTableView* m_table;
    models::ModelCostTableModel* m_tableModel;

    models::StatsSummary m_current;
    models::StatsSummary m_previous;
    models::StatsSummary m_roots; // root calls only, when the filter shows more than roots
    bool m_reportSeparate = false; // m_roots (not m_current) is the cost report
    models::StatsTimeSeries m_series;
    models::CostReport m_report;
    // What the report is of: an export writes these, not a project or range still loading.
    QString m_reportProject;
    QDateTime m_reportStart, m_reportEnd;
};

} // namespace spindle::ui
