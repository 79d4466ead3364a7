#include "models/dashboardmodel.h"

#include "core/call.h"
#include "core/csv.h"
#include "models/callstablemodel.h"
#include "models/costanalysis.h"

#include <QFont>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QMap>

#include <algorithm>
#include <cmath>
#include <functional>

namespace spindle::models {

namespace {

constexpr qint64 kMaxGranularity = 31 * 86400;

QString isoSeconds(const QDateTime& time)
{
    return time.toUTC().toString(Qt::ISODate); // whole seconds, "...Z"
}

QJsonObject metric(const char* name, const QJsonArray& aggregations, const QJsonArray& percentiles = {})
{
    QJsonObject spec { { QStringLiteral("metric"), QLatin1String(name) },
        { QStringLiteral("aggregations"), aggregations } };
    if (!percentiles.isEmpty())
        spec.insert(QStringLiteral("percentiles"), percentiles);
    return spec;
}

qint64 timestampMs(const QJsonObject& bucket)
{
    return QDateTime::fromString(bucket.value(QLatin1String("timestamp")).toString(), Qt::ISODate)
        .toMSecsSinceEpoch();
}

qint64 integer(const QJsonObject& bucket, QLatin1String key)
{
    return qRound64(bucket.value(key).toDouble());
}

// Number of calls in a call bucket: sum_call_count when asked for, else the bucket's count.
qint64 callCount(const QJsonObject& bucket)
{
    const QJsonValue sum = bucket.value(QLatin1String("sum_call_count"));
    return qRound64(sum.isDouble() ? sum.toDouble() : bucket.value(QLatin1String("count")).toDouble());
}

// Call-weighted mean of the buckets' percentiles (exact when there is one bucket with calls).
std::optional<double> weightedPercentile(const QJsonArray& buckets, QLatin1String key)
{
    double weighted = 0;
    qint64 weight = 0;
    for (const QJsonValue& value : buckets) {
        const QJsonObject bucket = value.toObject();
        const QJsonValue p = bucket.value(key);
        const qint64 n = qMax<qint64>(1, integer(bucket, QLatin1String("count")));
        if (!p.isDouble())
            continue;
        weighted += p.toDouble() * double(n);
        weight += n;
    }
    if (weight == 0)
        return std::nullopt;
    return weighted / double(weight);
}

void sortModels(QVector<ModelUsage>& models)
{
    std::sort(models.begin(), models.end(), [](const ModelUsage& a, const ModelUsage& b) {
        if (a.cost != b.cost)
            return a.cost > b.cost;
        const qint64 ta = a.inputTokens + a.outputTokens, tb = b.inputTokens + b.outputTokens;
        return ta != tb ? ta > tb : a.model < b.model;
    });
}

// One usage bucket (or usage_totals entry) into a model's sums. `count` is entries; count_total_cost
// the entries that had a price; sum_requests (Spindle) the LLM requests, else one per entry.
void addUsage(ModelUsage& usage, const QJsonObject& bucket)
{
    const qint64 entries = integer(bucket, QLatin1String("count"));
    usage.entries += entries;
    const QJsonValue requests = bucket.value(QLatin1String("sum_requests"));
    usage.requests += requests.isDouble() ? qRound64(requests.toDouble()) : entries;
    usage.inputTokens += integer(bucket, QLatin1String("sum_input_tokens"));
    usage.outputTokens += integer(bucket, QLatin1String("sum_output_tokens"));
    usage.cachedInputTokens += integer(bucket, QLatin1String("sum_cache_read_input_tokens"))
        + integer(bucket, QLatin1String("sum_cache_creation_input_tokens"));
    usage.cost += bucket.value(QLatin1String("sum_total_cost")).toDouble();
    usage.inputCost += bucket.value(QLatin1String("sum_input_cost")).toDouble();
    usage.outputCost += bucket.value(QLatin1String("sum_output_cost")).toDouble();
    const QJsonValue priced = bucket.value(QLatin1String("count_total_cost"));
    // A server without count_total_cost: a positive cost means a price was known.
    usage.pricedEntries += priced.isDouble()
        ? qRound64(priced.toDouble())
        : (bucket.value(QLatin1String("sum_total_cost")).toDouble() > 0 ? entries : 0);
}

} // namespace

std::optional<double> StatsTotals::errorRate() const
{
    if (calls <= 0)
        return std::nullopt;
    return double(errors) / double(calls);
}

QJsonObject statsRequest(const QString& projectId, const QDateTime& start, const QDateTime& end,
    const QJsonObject& filter, const std::optional<QJsonObject>& query, const StatsOptions& options,
    bool extensions)
{
    const QJsonArray sum { QStringLiteral("sum") };
    QJsonArray usage { metric("total_cost", QJsonArray { QStringLiteral("sum"), QStringLiteral("count") }),
        metric("input_cost", sum), metric("output_cost", sum), metric("input_tokens", sum),
        metric("output_tokens", sum), metric("cache_read_input_tokens", sum),
        metric("cache_creation_input_tokens", sum) };
    if (extensions)
        usage.append(metric("requests", sum));
    QJsonObject body { { QStringLiteral("project_id"), projectId },
        { QStringLiteral("start"), isoSeconds(start) }, { QStringLiteral("end"), isoSeconds(end) },
        { QStringLiteral("usage_metrics"), usage },
        { QStringLiteral("call_metrics"),
            QJsonArray { metric("latency_ms", QJsonArray {}, QJsonArray { 50, 95, 99 }),
                metric("call_count", sum), metric("error_count", sum) } } };
    if (options.granularitySeconds > 0)
        body.insert(QStringLiteral("granularity"), options.granularitySeconds);
    if (!filter.isEmpty())
        body.insert(QStringLiteral("filter"), filter);
    if (query)
        body.insert(QStringLiteral("query"), *query);
    if (extensions && options.totals)
        body.insert(QStringLiteral("include_totals"), true);
    if (extensions && options.byOp)
        body.insert(QStringLiteral("usage_group_by"),
            QJsonArray { QStringLiteral("model"), QStringLiteral("op_name") });
    if (extensions && options.sample > 0)
        body.insert(QStringLiteral("usage_sample"), options.sample);
    return body;
}

bool isRootsOnlyFilter(const CallsQuery& q)
{
    return q.rootsOnly && q.opNames.isEmpty() && q.statuses.isEmpty() && q.userIds.isEmpty()
        && q.traceIds.isEmpty() && q.conditions.isEmpty() && q.extraTerms.isEmpty();
}

DashboardRequests dashboardRequests(
    const CallsQuery& query, const QDateTime& end, qint64 rangeSeconds, bool extensions, int samplePoints)
{
    CallsQuery filter = query;
    filter.startedAfter.reset();
    filter.startedBefore.reset();
    const QJsonObject filterJson = filter.filterJson();
    const std::optional<QJsonObject> expr = filter.queryJson();
    DashboardRequests r;
    r.end = end;
    r.start = end.addSecs(-rangeSeconds);
    r.previousStart = r.start.addSecs(-rangeSeconds);
    const StatsOptions single { singleBucketGranularity(r.start, r.end), true };
    const StatsOptions chart { chartGranularity(rangeSeconds), true, true, samplePoints };
    r.current = statsRequest(query.projectId, r.start, r.end, filterJson, expr, chart, extensions);
    if (!extensions) // exact totals and percentiles need a one-bucket request without include_totals
        r.currentTotals = statsRequest(query.projectId, r.start, r.end, filterJson, expr, single, extensions);
    r.previous = statsRequest(query.projectId, r.previousStart, r.start, filterJson, expr,
        { singleBucketGranularity(r.previousStart, r.start), true }, extensions);
    if (!isRootsOnlyFilter(filter)) // the report is over every root call, whatever the filter says
        r.roots = statsRequest(query.projectId, r.start, r.end,
            QJsonObject { { QStringLiteral("trace_roots_only"), true } }, std::nullopt, single, extensions);
    return r;
}

qint64 singleBucketGranularity(const QDateTime& start, const QDateTime& end)
{
    const qint64 s = start.toSecsSinceEpoch();
    const qint64 e = qMax(end.toSecsSinceEpoch(), s + 1);
    const qint64 range = e - s;
    if (s <= 0 || range > kMaxGranularity)
        return 0;
    // Bucket [kG, (k+1)G) holds [s, e) when kG <= s and e <= (k+1)G.
    const qint64 lowestK = qMax<qint64>(1, e / kMaxGranularity - 1);
    for (qint64 k = s / range; k >= lowestK; --k) {
        const qint64 low = qMax(range, (e + k) / (k + 1)); // ceil(e / (k + 1))
        const qint64 high = qMin(kMaxGranularity, s / k);
        if (low <= high)
            return low;
    }
    return 0;
}

qint64 chartGranularity(qint64 rangeSeconds)
{
    if (rangeSeconds <= 2 * 3600)
        return 60;
    if (rangeSeconds <= 2 * 86400)
        return 900;
    if (rangeSeconds <= 8 * 86400)
        return 3600;
    return 6 * 3600;
}

StatsSummary parseStatsSummary(const QJsonObject& response)
{
    StatsSummary summary;
    StatsTotals& totals = summary.totals;
    // Exact range totals when the server sent them (include_totals), else the buckets' sums.
    const QJsonObject callTotals = response.value(QLatin1String("call_totals")).toObject();
    const QJsonArray callBuckets = callTotals.isEmpty()
        ? response.value(QLatin1String("call_buckets")).toArray()
        : QJsonArray { callTotals };
    for (const QJsonValue& value : callBuckets) {
        const QJsonObject bucket = value.toObject();
        totals.calls += callCount(bucket);
        totals.errors += integer(bucket, QLatin1String("sum_error_count"));
    }
    totals.p50LatencyMs = weightedPercentile(callBuckets, QLatin1String("p50_latency_ms"));
    totals.p95LatencyMs = weightedPercentile(callBuckets, QLatin1String("p95_latency_ms"));

    const QJsonValue usageTotals = response.value(QLatin1String("usage_totals"));
    QHash<QString, int> index;
    for (const QJsonValue& value :
        (usageTotals.isArray() ? usageTotals : response.value(QLatin1String("usage_buckets"))).toArray()) {
        const QJsonObject bucket = value.toObject();
        const QString model = bucket.value(QLatin1String("model")).toString();
        auto it = index.constFind(model);
        if (it == index.constEnd()) {
            it = index.insert(model, int(summary.models.size()));
            summary.models.append(ModelUsage { model });
        }
        addUsage(summary.models[*it], bucket);
    }
    summary.models.erase(std::remove_if(summary.models.begin(), summary.models.end(),
                             [](const ModelUsage& m) { return m.entries == 0 && m.cost == 0; }),
        summary.models.end());
    sortModels(summary.models);
    for (const ModelUsage& usage : std::as_const(summary.models)) {
        totals.cost += usage.cost;
        totals.hasCost = totals.hasCost || usage.hasPrice();
        totals.requests += usage.requests;
        totals.inputTokens += usage.inputTokens;
        totals.outputTokens += usage.outputTokens;
    }
    return summary;
}

QStringList StatsSummary::unpricedModels() const
{
    QStringList names;
    for (const ModelUsage& m : models)
        if (!m.hasPrice() && m.entries > 0)
            names.append(m.model);
    return names;
}

std::optional<double> ModelUsage::inputPerMillion() const
{
    if (!hasPrice() || inputTokens <= 0 || pricedEntries != entries || cachedInputTokens > 0)
        return std::nullopt;
    return inputCost / double(inputTokens) * 1e6;
}

std::optional<double> ModelUsage::outputPerMillion() const
{
    if (!hasPrice() || outputTokens <= 0 || pricedEntries != entries)
        return std::nullopt;
    return outputCost / double(outputTokens) * 1e6;
}

namespace {

// Cost per key (model or op) and bucket on the x grid; keys beyond the top N by cost merge into
// "other".
QVector<StatsSeries> costSeries(const QJsonArray& usageBuckets, const QVector<qint64>& grid, int topModels,
    const std::function<QString(const QJsonObject&)>& keyOf)
{
    QMap<QString, QHash<qint64, double>> perModel;
    QHash<QString, double> totals;
    for (const QJsonValue& value : usageBuckets) {
        const QJsonObject bucket = value.toObject();
        const QString model = keyOf(bucket);
        const double cost = bucket.value(QLatin1String("sum_total_cost")).toDouble();
        perModel[model][timestampMs(bucket)] += cost;
        totals[model] += cost;
    }
    QStringList models;
    for (auto it = totals.cbegin(); it != totals.cend(); ++it)
        if (it.value() > 0)
            models.append(it.key());
    std::sort(models.begin(), models.end(), [&](const QString& a, const QString& b) {
        return totals[a] != totals[b] ? totals[a] > totals[b] : a < b;
    });
    const bool needOther = models.size() > topModels;
    const QStringList shown = needOther ? models.mid(0, topModels) : models;
    QVector<StatsSeries> out;
    for (const QString& model : shown)
        out.append(StatsSeries { model, {}, {} });
    if (needOther)
        out.append(StatsSeries { QStringLiteral("other"), {}, {} });
    for (const qint64 x : grid) {
        double other = 0;
        for (int i = 0; i < models.size(); ++i) {
            const double cost = perModel[models[i]].value(x);
            if (i < shown.size())
                out[i].points.append(QPointF(double(x), cost));
            else
                other += cost;
        }
        if (needOther)
            out.back().points.append(QPointF(double(x), other));
    }
    return out;
}

// Every bucket's start (epoch ms), sorted and once each: the x grid the cost and token series share.
QVector<qint64> bucketTimes(const QJsonArray& callBuckets, const QJsonArray& usageBuckets)
{
    QVector<qint64> grid;
    for (const QJsonValue& value : callBuckets)
        grid.append(timestampMs(value.toObject()));
    for (const QJsonValue& value : usageBuckets)
        grid.append(timestampMs(value.toObject()));
    std::sort(grid.begin(), grid.end());
    grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
    return grid;
}

// Input and output tokens per x of `grid`, summed over the models; 0 where no model had usage.
QVector<StatsSeries> tokenSeries(const QJsonArray& usageBuckets, const QVector<qint64>& grid)
{
    QVector<StatsSeries> out = { StatsSeries { QStringLiteral("input"), {}, {} },
        StatsSeries { QStringLiteral("output"), {}, {} } };
    QHash<qint64, QPointF> tokens; // x → (input, output)
    for (const QJsonValue& value : usageBuckets) {
        const QJsonObject bucket = value.toObject();
        QPointF& sum = tokens[timestampMs(bucket)];
        sum += QPointF(bucket.value(QLatin1String("sum_input_tokens")).toDouble(),
            bucket.value(QLatin1String("sum_output_tokens")).toDouble());
    }
    for (const qint64 x : grid) {
        const QPointF sum = tokens.value(x);
        out[0].points.append(QPointF(double(x), sum.x()));
        out[1].points.append(QPointF(double(x), sum.y()));
    }
    return out;
}

// Calls and errors, and the latency percentiles where a bucket has them, per call bucket.
void addCallSeries(StatsTimeSeries& out, const QJsonArray& callBuckets)
{
    out.calls = { StatsSeries { QStringLiteral("calls"), {}, {} },
        StatsSeries { QStringLiteral("errors"), {}, {} } };
    out.latency = { StatsSeries { QStringLiteral("p50"), {}, {} },
        StatsSeries { QStringLiteral("p95"), {}, {} }, StatsSeries { QStringLiteral("p99"), {}, {} } };
    const QLatin1String percentileKeys[] = { QLatin1String("p50_latency_ms"), QLatin1String("p95_latency_ms"),
        QLatin1String("p99_latency_ms") };
    for (const QJsonValue& value : callBuckets) {
        const QJsonObject bucket = value.toObject();
        const double x = double(timestampMs(bucket));
        const qint64 calls = callCount(bucket);
        out.hasCalls = out.hasCalls || calls > 0;
        out.calls[0].points.append(QPointF(x, double(calls)));
        out.calls[1].points.append(QPointF(x, double(integer(bucket, QLatin1String("sum_error_count")))));
        for (int i = 0; i < 3; ++i)
            if (const QJsonValue p = bucket.value(percentileKeys[i]); p.isDouble())
                out.latency[i].points.append(QPointF(x, p.toDouble()));
    }
}

} // namespace

StatsTimeSeries parseStatsSeries(const QJsonObject& response, int topModels)
{
    StatsTimeSeries out;
    out.granularitySeconds = qRound64(response.value(QLatin1String("granularity")).toDouble());
    const QJsonArray callBuckets = response.value(QLatin1String("call_buckets")).toArray();
    const QJsonArray usageBuckets = response.value(QLatin1String("usage_buckets")).toArray();
    const QVector<qint64> grid = bucketTimes(callBuckets, usageBuckets);

    out.tokens = tokenSeries(usageBuckets, grid);
    addCallSeries(out, callBuckets);
    out.costByModel = costSeries(usageBuckets, grid, topModels,
        [](const QJsonObject& bucket) { return bucket.value(QLatin1String("model")).toString(); });
    out.hasOps =
        !usageBuckets.isEmpty() && usageBuckets.first().toObject().contains(QLatin1String("op_name"));
    if (out.hasOps) {
        // Versions of an op are one series, named by the op; a click filters on every version.
        out.costByOp = costSeries(usageBuckets, grid, topModels, [&out](const QJsonObject& bucket) {
            const QString op = bucket.value(QLatin1String("op_name")).toString();
            const QString name = opShortName(op);
            if (!out.opFilters.contains(name))
                out.opFilters.insert(name, opFilterFor(op));
            return name;
        });
    }
    out.sample = parseUsageSample(response.value(QLatin1String("usage_sample")).toArray());
    out.sampledFrom = qRound64(response.value(QLatin1String("usage_sample_of")).toDouble());
    out.scatter = scatterSeries(out.sample, topModels);
    for (auto* group : { &out.costByModel, &out.costByOp, &out.tokens, &out.calls, &out.latency })
        for (StatsSeries& series : *group)
            series.points = downsample(series.points, 2000);
    return out;
}

std::optional<double> relativeChange(double current, std::optional<double> previous)
{
    if (!previous || *previous == 0)
        return std::nullopt;
    return (current - *previous) / *previous;
}

QString formatChange(double current, std::optional<double> previous)
{
    if (!previous)
        return {};
    if (*previous == 0)
        return current == 0 ? QStringLiteral("±0%") : QStringLiteral("new");
    const double change = *relativeChange(current, previous) * 100;
    if (std::abs(change) < 0.05)
        return QStringLiteral("±0%");
    const QString sign = change > 0 ? QStringLiteral("+") : QStringLiteral("\u2212");
    const int decimals = std::abs(change) < 10 ? 1 : 0;
    return sign + QString::number(std::abs(change), 'f', decimals) + QLatin1Char('%');
}

QVector<QPointF> downsample(const QVector<QPointF>& points, int maxPoints)
{
    if (maxPoints <= 0 || points.size() <= maxPoints)
        return points;
    QVector<QPointF> out;
    out.reserve(maxPoints);
    const double step = double(points.size()) / maxPoints;
    for (int i = 0; i < maxPoints; ++i) {
        const int from = int(i * step), to = qMin(int(points.size()), int((i + 1) * step));
        QPointF sum;
        for (int j = from; j < to; ++j)
            sum += points[j];
        out.append(sum / double(qMax(1, to - from)));
    }
    return out;
}

QString modelUsageCsv(const QVector<ModelUsage>& models)
{
    // Unknown numbers (no price, or several prices in the range) are empty fields, not zeros.
    const auto number = [](std::optional<double> value) {
        return value ? QString::number(*value, 'f', 6) : QString();
    };
    QString csv = QStringLiteral("model,requests,input_tokens,output_tokens,total_tokens,"
                                 "input_usd_per_million,output_usd_per_million,total_cost_usd\n");
    for (const ModelUsage& m : models)
        csv += delimitedField(m.model, QLatin1Char(',')) + QLatin1Char(',') + QString::number(m.requests)
            + QLatin1Char(',') + QString::number(m.inputTokens) + QLatin1Char(',')
            + QString::number(m.outputTokens) + QLatin1Char(',')
            + QString::number(m.inputTokens + m.outputTokens) + QLatin1Char(',') + number(m.inputPerMillion())
            + QLatin1Char(',') + number(m.outputPerMillion()) + QLatin1Char(',')
            + number(m.hasPrice() ? std::optional<double>(m.cost) : std::nullopt) + QLatin1Char('\n');
    return csv;
}

QString usageKeyText(const QString& model)
{
    const QByteArray array = QJsonDocument(QJsonArray { model }).toJson(QJsonDocument::Compact); // ["…"]
    return QString::fromUtf8(array.mid(1, array.size() - 2)) + QLatin1Char(':');
}

} // namespace spindle::models
