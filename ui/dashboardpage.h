#pragma once

#include "models/dashboardmodel.h"

#include <QDateTime>
#include <QWidget>

class QComboBox;
class QLabel;
class QProgressBar;
class QStackedWidget;
class QTableView;

namespace spindle::net {
class TraceClient;
}
namespace spindle::widgets {
class ChartView;
}

namespace spindle::ui {

class FilterBar;

// The cost dashboard: headline numbers against the previous period, cost/tokens/calls/latency over
// time and cost by model, all from /calls/stats for the chosen range and the filter bar's filter.
class DashboardPage : public QWidget
{
    Q_OBJECT
public:
    explicit DashboardPage(net::TraceClient* client, QWidget* parent = nullptr);

    void setProject(const QString& projectId);
    // Stores the dashboard's filter as a Traces saved view (asks for a name when none is given).
    void saveFilterAsView(const QString& label = {});
    // 0 last hour, 1 last day, 2 last week, 3 last month.
    void setRangeIndex(int index);
    // Pins "now" (tests, screenshots); an invalid time follows the clock again.
    void setNow(const QDateTime& now);
    void refresh();

    bool isLoading() const
    {
        return m_pending > 0;
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
    QString headlineText(int index) const; // "<title>|<value>|<change>", for tests
    bool showsEmptyState() const;
    bool exportCsv(const QString& path) const;

Q_SIGNALS:
    void loaded();
    void viewSaved(const QString& label);
    // A bar or point was clicked: the Traces page can show that bucket's calls.
    void bucketClicked(const QDateTime& from, const QDateTime& to);

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
    QWidget* buildCharts();
    QWidget* buildTable();
    void requestStats(const QJsonObject& body, std::function<void(const QJsonObject&)> onJson);
    void finishOne();
    void showResults();
    void showCards();
    void showCharts();
    void setCard(
        int index, const QString& value, double current, std::optional<double> previous, bool upIsBad);
    void chooseExportFile();
    qint64 rangeSeconds() const;

    net::TraceClient* m_client;
    QString m_projectId;
    bool m_stale = false; // the project changed while the page was hidden
    QDateTime m_fixedNow;
    quint64 m_generation = 0;
    int m_pending = 0;
    bool m_failed = false;
    QVector<quint64> m_requests;

    QComboBox* m_range;
    FilterBar* m_filters;
    QProgressBar* m_busy;
    QLabel* m_rangeLabel;
    QStackedWidget* m_stack;
    QLabel* m_empty;
    QVector<Card> m_cards;
    widgets::ChartView* m_costChart;
    widgets::ChartView* m_tokenChart;
    widgets::ChartView* m_callChart;
    widgets::ChartView* m_latencyChart;
    QTableView* m_table;
    models::ModelCostTableModel* m_tableModel;

    models::StatsSummary m_current;
    models::StatsSummary m_previous;
    models::StatsTimeSeries m_series;
};

} // namespace spindle::ui
