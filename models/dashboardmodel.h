#pragma once

// The cost dashboard's data: builds /calls/stats requests and reads their responses into
// headline totals, per-model usage and chart series (weave-protocol.md 1.2). Passive and pure:
// the page does the networking, everything here is testable without a server.

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonObject>
#include <QPointF>
#include <QVector>

#include <optional>

namespace spindle::models {

// One chart series: x is epoch milliseconds (a bucket's start), y the value.
struct StatsSeries
{
    QString name;
    QVector<QPointF> points;
};

struct StatsTotals
{
    double cost = 0;
    bool hasCost = false; // some model had a price
    qint64 requests = 0; // (call, model) usage entries
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    qint64 calls = 0;
    qint64 errors = 0;
    std::optional<double> p50LatencyMs; // exact when the response has one bucket, else call-weighted
    std::optional<double> p95LatencyMs;

    std::optional<double> errorRate() const; // 0..1, nullopt without calls
};

struct ModelUsage
{
    QString model;
    qint64 requests = 0;
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    double cost = 0;
};

struct StatsSummary
{
    StatsTotals totals;
    QVector<ModelUsage> models; // by cost, then tokens, descending
};

struct StatsTimeSeries
{
    QVector<StatsSeries> costByModel; // top N models by cost, then "other"; all on the same x grid
    QVector<StatsSeries> tokens; // input, output
    QVector<StatsSeries> calls; // calls, errors
    QVector<StatsSeries> latency; // p50, p95, p99
    qint64 granularitySeconds = 0;
    bool hasCalls = false;
};

// The dashboard's metrics: total_cost, input/output tokens (sum); latency p50/p95/p99, call and
// error counts. `granularitySeconds` 0 lets the server choose.
QJsonObject statsRequest(const QString& projectId, const QDateTime& start, const QDateTime& end,
    const QJsonObject& filter, const std::optional<QJsonObject>& query, qint64 granularitySeconds);

// A bucket size that puts all of [start, end) into one bucket on a server that aligns buckets to
// the Unix epoch (as Spindle's does for UTC), so totals and percentiles come back exact; 0 if none
// within 31 days.
qint64 singleBucketGranularity(const QDateTime& start, const QDateTime& end);

// The bucket size the charts ask for: about 60–170 buckets for the dashboard's ranges.
qint64 chartGranularity(qint64 rangeSeconds);

StatsSummary parseStatsSummary(const QJsonObject& response);
StatsTimeSeries parseStatsSeries(const QJsonObject& response, int topModels = 6);

// (current − previous) / previous; nullopt when previous is 0 or missing.
std::optional<double> relativeChange(double current, std::optional<double> previous);
// "+12%", "−3.4%", "new" when there was nothing before, "" without a comparison.
QString formatChange(double current, std::optional<double> previous);

// Averages consecutive points so a series has at most `maxPoints` (house style: ≤ ~2000).
QVector<QPointF> downsample(const QVector<QPointF>& points, int maxPoints);

QString modelUsageCsv(const QVector<ModelUsage>& models);

// Cost by model: Model, Requests, Input tokens, Output tokens, Cost; a total row at the end.
class ModelCostTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;

    void setModels(const QVector<ModelUsage>& models);
    const QVector<ModelUsage>& models() const
    {
        return m_models;
    }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<ModelUsage> m_models;
    ModelUsage m_total;
};

} // namespace spindle::models
