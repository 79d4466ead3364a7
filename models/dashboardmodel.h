#pragma once

// The cost dashboard's data: builds /calls/stats requests and reads their responses into
// headline totals, per-model usage and chart series (weave-protocol.md 1.2). Passive and pure:
// the page does the networking, everything here is testable without a server.

#include "core/callsquery.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QPointF>
#include <QVector>

#include <optional>

namespace spindle::models {

// One chart series: x is epoch milliseconds (a bucket's start), y the value; for the token scatter
// x and y are prompt and completion tokens and `sampleIndex` names each point's usage-sample entry.
struct StatsSeries
{
    QString name;
    QVector<QPointF> points;
    QVector<int> sampleIndex;
};

struct StatsTotals
{
    double cost = 0;
    bool hasCost = false; // some model had a price
    qint64 requests = 0; // LLM requests (summary.usage `requests`; usage entries on other servers)
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
    double inputCost = 0, outputCost = 0;
    qint64 entries = 0; // (call, model) usage entries
    qint64 pricedEntries = 0; // of which a price was known (count_total_cost)
    qint64 cachedInputTokens = 0; // prompt tokens read from or written to the cache

    bool hasPrice() const
    {
        return pricedEntries > 0;
    }
    // The average price paid per million tokens (the unit price when one price applied). None for
    // input when the cache was used: its tokens have prices of their own, in the input cost.
    std::optional<double> inputPerMillion() const;
    std::optional<double> outputPerMillion() const;
};

struct StatsSummary
{
    StatsTotals totals;
    QVector<ModelUsage> models; // by cost, then tokens, descending
    QStringList unpricedModels() const; // models with usage but no price at all
};

// One usage entry of the server's usage_sample (a Spindle extension).
struct UsagePoint
{
    QString callId, traceId, opName, model;
    QDateTime startedAt;
    double inputTokens = 0, outputTokens = 0;
    std::optional<double> cost;
};

struct StatsTimeSeries
{
    QVector<StatsSeries> costByModel; // top N models by cost, then "other"; all on the same x grid
    QVector<StatsSeries> costByOp; // top N ops (versions merged) by cost, then "other"
    QHash<QString, QString> opFilters; // costByOp series name → op_names entry (a `:*` wildcard)
    QVector<StatsSeries> tokens; // input, output
    QVector<StatsSeries> calls; // calls, errors
    QVector<StatsSeries> latency; // p50, p95, p99
    QVector<UsagePoint> sample; // the token scatter's points, at most the requested number
    QVector<StatsSeries> scatter; // sample by model (top N, then "other"): x prompt, y completion
    qint64 sampledFrom = 0; // usage entries the sample was drawn from
    qint64 granularitySeconds = 0;
    bool hasCalls = false;
    bool hasOps = false; // the server grouped usage by op (Spindle); hosted Weave cannot
};

// What a /calls/stats request asks for beyond the range and filter.
struct StatsOptions
{
    qint64 granularitySeconds = 0; // 0: the server chooses
    bool totals = false; // include_totals: exact range totals in the same scan (Spindle)
    bool byOp = false; // usage_group_by [model, op_name] (Spindle)
    int sample = 0; // usage_sample points (Spindle)
};

// The dashboard's metrics: total_cost (sum and count, which tells unpriced models apart), input and
// output cost, input/output tokens; latency p50/p95/p99, call and error counts. With `extensions`
// also `requests` (Spindle); hosted Weave rejects unknown metrics.
QJsonObject statsRequest(const QString& projectId, const QDateTime& start, const QDateTime& end,
    const QJsonObject& filter, const std::optional<QJsonObject>& query, const StatsOptions& options,
    bool extensions = true);

// The /calls/stats requests of one dashboard refresh over [end − rangeSeconds, end) for `query`'s
// filter (its time range is ignored). dashboardpage.cpp says why these; bench_dashboard times them.
struct DashboardRequests
{
    QDateTime start, end, previousStart;
    QJsonObject current; // chart buckets; with extensions also exact totals, usage by op, the sample
    std::optional<QJsonObject> currentTotals; // without extensions: one bucket for exact totals
    QJsonObject previous; // the period before, one bucket
    std::optional<QJsonObject> roots; // the cost report's root calls, unless the filter is just that
};
DashboardRequests dashboardRequests(const CallsQuery& query, const QDateTime& end, qint64 rangeSeconds,
    bool extensions, int samplePoints = 2000);
// "Roots only" and nothing else: the cost report is the dashboard's own totals.
bool isRootsOnlyFilter(const CallsQuery& query);

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

// The text that finds calls whose summary.usage has `model` as a key: "<model>": as the stored
// compact JSON writes it (quotes, backslashes and control characters escaped).
QString usageKeyText(const QString& model);

// Cost by model: Model, Requests, Input/Output/Total tokens, $/1M input and output (the prices
// used), Cost, and What-if when a hypothetical price is set; a total row at the end. An unpriced
// model's cost reads "—", with a tooltip.
class ModelCostTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        ModelColumn,
        RequestsColumn,
        InputColumn,
        OutputColumn,
        TotalTokensColumn,
        InputPriceColumn,
        OutputPriceColumn,
        CostColumn,
        WhatIfColumn, // only while a what-if price is set
    };
    using QAbstractTableModel::QAbstractTableModel;

    void setModels(const QVector<ModelUsage>& models);
    // Per-model costs under a hypothetical price (whatIfCosts); empty hides the column.
    void setWhatIf(const QHash<QString, double>& costs);
    const QVector<ModelUsage>& models() const
    {
        return m_models;
    }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant display(const ModelUsage& m, int column, bool total) const;

    QVector<ModelUsage> m_models;
    ModelUsage m_total;
    QHash<QString, double> m_whatIf;
};

} // namespace spindle::models
