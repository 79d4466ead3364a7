// /calls/stats: reading and checking the request, the bucket grid and the scan's SQL. stats.cpp
// documents the request and the response.
#include "core/timeformat.h"
#include "server/callquery.h"
#include "server/statsdetail.h"

#include <QByteArray>
#include <QDateTime>

namespace spindle::server::statsdetail {
namespace {

constexpr std::int64_t kMaxRangeDays = 31;
constexpr std::int64_t kMaxBuckets = 10'000;
constexpr std::size_t kMaxPercentiles = 20;
constexpr std::int64_t kMaxSample = 10'000;

struct AggName
{
    const char* name;
    Agg agg;
};

constexpr AggName kAggNames[] = {
    { "sum", Agg::Sum },
    { "avg", Agg::Avg },
    { "min", Agg::Min },
    { "max", Agg::Max },
    { "count", Agg::Count },
    { "count_true", Agg::CountTrue },
    { "count_false", Agg::CountFalse },
};

template <std::size_t N> std::string joinNames(const char* const (&names)[N])
{
    std::string out;
    for (const char* name : names)
        out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

// `[{"metric", "aggregations"?, "percentiles"?}]`; repeated metrics merge into one entry.
template <std::size_t N>
std::vector<MetricSpec> parseMetricSpecs(
    const JsonValue& body, const char* key, const char* const (&names)[N])
{
    std::vector<MetricSpec> specs;
    const JsonValue* list = optionalArray(body, key, "");
    if (!list)
        return specs;
    std::string aggList;
    for (const auto& entry : kAggNames)
        aggList += (aggList.empty() ? "" : ", ") + std::string(entry.name);
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        const JsonValue& item = (*list)[i];
        const std::string where = std::string(key) + "[" + std::to_string(i) + "]";
        if (!item.IsObject())
            throw badRequest(where + " must be an object {\"metric\", \"aggregations\"?, \"percentiles\"?}");
        const std::string metric = requireString(item, "metric", where);
        const auto found = std::find_if(
            std::begin(names), std::end(names), [&](const char* name) { return metric == name; });
        if (found == std::end(names))
            throw badRequest(where + ".metric '" + clipped(metric) + "' is not a known metric; use one of "
                + joinNames(names));
        const int index = static_cast<int>(found - std::begin(names));
        auto spec =
            std::find_if(specs.begin(), specs.end(), [&](const auto& s) { return s.metric == index; });
        if (spec == specs.end()) {
            specs.push_back(MetricSpec { index, names[index], {}, {} });
            spec = specs.end() - 1;
        }
        const auto aggregations = optionalStringList(item, "aggregations", where);
        for (const auto& name : aggregations) {
            const auto agg = std::find_if(
                std::begin(kAggNames), std::end(kAggNames), [&](const auto& a) { return name == a.name; });
            if (agg == std::end(kAggNames))
                throw badRequest(where + ".aggregations: '" + clipped(name) + "' is not one of " + aggList);
            if (std::find(spec->aggs.begin(), spec->aggs.end(), agg->agg) == spec->aggs.end())
                spec->aggs.push_back(agg->agg);
        }
        bool anyPercentile = false;
        if (const JsonValue* percentiles = optionalArray(item, "percentiles", where)) {
            for (const auto& p : percentiles->GetArray()) {
                if (!p.IsNumber() || !(p.GetDouble() >= 0 && p.GetDouble() <= 100))
                    throw badRequest(where + ".percentiles must be numbers from 0 to 100");
                anyPercentile = true;
                if (std::find(spec->percentiles.begin(), spec->percentiles.end(), p.GetDouble())
                    == spec->percentiles.end())
                    spec->percentiles.push_back(p.GetDouble());
            }
            if (spec->percentiles.size() > kMaxPercentiles)
                throw badRequest(
                    where + ".percentiles: at most " + std::to_string(kMaxPercentiles) + " values");
        }
        if (aggregations.empty() && !anyPercentile
            && std::find(spec->aggs.begin(), spec->aggs.end(), Agg::Sum) == spec->aggs.end())
            spec->aggs.push_back(Agg::Sum);
    }
    return specs;
}

std::optional<std::int64_t> optionalTime(const JsonValue& body, const char* key)
{
    const JsonValue* value = optionalMember(body, key);
    if (!value)
        return std::nullopt;
    if (!value->IsString())
        throw badRequest(
            std::string(key) + " must be an ISO-8601 datetime string, e.g. \"2025-01-02T03:04:05Z\"");
    const auto parsed = parseIsoTime(stringView(*value));
    if (!parsed)
        throw badRequest(std::string(key) + " '" + clipped(stringView(*value))
            + "' is not an ISO-8601 datetime, e.g. \"2025-01-02T03:04:05Z\"");
    return parsed;
}

// Hosted's choice of bucket size for a range (stats_query_base.py).
std::int64_t autoGranularity(std::int64_t rangeMicros)
{
    constexpr std::int64_t hour = 3600 * kMicros;
    if (rangeMicros <= 2 * hour)
        return 300;
    if (rangeMicros <= 12 * hour)
        return 3600;
    if (rangeMicros <= 72 * hour)
        return 6 * 3600;
    if (rangeMicros <= 14 * 24 * hour)
        return 12 * 3600;
    return kDaySeconds;
}

std::int64_t parseGranularity(const JsonValue& body, std::int64_t rangeMicros)
{
    std::int64_t seconds = 0;
    if (const JsonValue* value = optionalMember(body, "granularity")) {
        const double number = value->IsNumber() ? value->GetDouble() : 0;
        if (!value->IsNumber() || number != std::trunc(number) || number < 1)
            throw badRequest("granularity must be a positive whole number of seconds");
        if (number > static_cast<double>(kMaxRangeDays * kDaySeconds))
            throw badRequest("granularity must not exceed " + std::to_string(kMaxRangeDays) + " days ("
                + std::to_string(kMaxRangeDays * kDaySeconds) + " seconds)");
        seconds = static_cast<std::int64_t>(number);
    } else {
        seconds = autoGranularity(rangeMicros);
    }
    // At most kMaxBuckets buckets: widen the bucket rather than refuse (as hosted does).
    const double rangeSeconds = static_cast<double>(rangeMicros) / kMicros;
    if (rangeSeconds / static_cast<double>(seconds) > kMaxBuckets)
        seconds = std::max(seconds, static_cast<std::int64_t>(rangeSeconds / kMaxBuckets) + 1);
    return seconds;
}

// Spindle extensions (stats.cpp's header): usage_group_by, include_totals, usage_sample.
void parseExtensions(const JsonValue& body, StatsPlan& plan)
{
    if (optionalMember(body, "usage_group_by")) {
        const auto keys = optionalStringList(body, "usage_group_by", "");
        if (keys.empty())
            throw badRequest("usage_group_by must list \"model\", \"op_name\" or both");
        plan.groupByModel = false;
        for (const auto& key : keys) {
            if (key == "model")
                plan.groupByModel = true;
            else if (key == "op_name")
                plan.groupByOp = true;
            else
                throw badRequest("usage_group_by: '" + clipped(key) + "' is not one of model, op_name");
        }
    }
    plan.totals = optionalBool(body, "include_totals", "").value_or(false);
    if (const auto sample = optionalInt(body, "usage_sample", "")) {
        if (*sample < 1 || *sample > kMaxSample)
            throw badRequest(
                "usage_sample must be a number of points from 1 to " + std::to_string(kMaxSample));
        plan.sampleLimit = static_cast<std::size_t>(*sample);
    }
    plan.needsPrices = plan.wantsCosts || plan.sampleLimit > 0;
}

// `start` (required) and `end` (default `now`), at most kMaxRangeDays apart.
void parseRange(const JsonValue& body, std::int64_t now, StatsPlan& plan)
{
    const auto start = optionalTime(body, "start");
    if (!start)
        throw badRequest("start is required: an ISO-8601 datetime such as \"2025-01-02T03:04:05Z\"");
    plan.startUs = *start;
    plan.endUs = optionalTime(body, "end").value_or(now);
    if (plan.endUs < plan.startUs)
        throw badRequest(
            "end (" + formatIsoTime(plan.endUs) + ") is before start (" + formatIsoTime(plan.startUs) + ")");
    if (plan.endUs - plan.startUs > kMaxRangeDays * kDaySeconds * kMicros)
        throw badRequest("the range from start to end must not exceed " + std::to_string(kMaxRangeDays)
            + " days; it spans " + std::to_string((plan.endUs - plan.startUs) / (kDaySeconds * kMicros))
            + " days");
}

// An IANA zone name; "UTC" and "Etc/UTC" keep plan.zone empty (buckets aligned to the Unix epoch).
void parseTimezone(const JsonValue& body, StatsPlan& plan)
{
    if (auto timezone = optionalString(body, "timezone", "")) {
        const bool utc = *timezone == "UTC" || *timezone == "Etc/UTC";
        if (!utc) {
            QTimeZone zone(QByteArray::fromStdString(*timezone));
            if (timezone->empty() || timezone->size() > 64 || !zone.isValid())
                throw badRequest("timezone '" + clipped(*timezone)
                    + "' is not a known IANA time zone name (e.g. \"Europe/Berlin\", \"UTC\")");
            plan.zone = zone;
        }
        plan.timezone = *timezone;
    }
}

// The scan's SQL and its column numbers; none when nothing needs a scan. `rangeParamInWhere` is the
// index of the range's first parameter within plan.where.
void planScan(StatsPlan& plan, std::size_t rangeParamInWhere)
{
    const bool scanUsage = !plan.usage.empty() || plan.sampleLimit > 0;
    if (plan.calls.empty() && !scanUsage)
        return;
    // One scan in index order, aggregated in C++: cheaper than a GROUP BY, whose sorter costs more than
    // the aggregation itself, and it serves call metrics, usage metrics, totals and the sample in one pass.
    plan.sql.append("SELECT ").append(plan.grid->keyExpression());
    plan.sql.append(", latency_ms, exception IS NOT NULL, started_at, ");
    if (!scanUsage)
        plan.sql.append("NULL");
    else if (plan.calls.empty())
        plan.sql.append("summary");
    else
        plan.sql.append("CASE WHEN total_tokens IS NOT NULL THEN summary END");
    int column = 5;
    if (plan.groupByOp) {
        plan.sql.append(", op_name");
        plan.opColumn = column++;
    }
    if (plan.sampleLimit > 0) {
        plan.sql.append(", rowid");
        plan.rowidColumn = column++;
    }
    plan.sql.append(" FROM calls WHERE ");
    plan.rangeParam = plan.sql.params.size() + rangeParamInWhere;
    plan.sql.append(plan.where);
    // Only calls with summary.usage matter for usage alone (total_tokens is set exactly for those).
    if (plan.calls.empty())
        plan.sql.append(" AND total_tokens IS NOT NULL");
}

} // namespace

const char* aggName(Agg agg)
{
    for (const auto& entry : kAggNames) {
        if (entry.agg == agg)
            return entry.name;
    }
    return "";
}

BucketGrid::BucketGrid(std::int64_t startUs, std::int64_t endUs, std::int64_t seconds, const QTimeZone* zone)
    : m_step(seconds * kMicros)
{
    const auto offsetAt = [zone](std::int64_t us) { return zone ? offsetFromUtc(*zone, us) : 0; };
    m_offsets.push_back(offsetAt(startUs));
    const bool calendar = zone && seconds % kDaySeconds == 0;
    if (calendar && endUs > startUs) {
        const auto transitions =
            zone->transitions(QDateTime::fromMSecsSinceEpoch(floorDiv(startUs, 1000), Qt::UTC),
                QDateTime::fromMSecsSinceEpoch(floorDiv(endUs, 1000) + 1, Qt::UTC));
        for (const auto& transition : transitions) {
            const std::int64_t at = transition.atUtc.toMSecsSinceEpoch() * 1000;
            const std::int64_t offset = std::int64_t(transition.offsetFromUtc) * kMicros;
            if (at > startUs && at < endUs && offset != m_offsets.back()) {
                m_switchAt.push_back(at);
                m_offsets.push_back(offset);
            }
        }
    }
    m_origin = floorDiv(startUs + m_offsets.front(), m_step) * m_step;
    const std::int64_t count = endUs > startUs ? std::max<std::int64_t>(0, rawIndex(endUs - 1) + 1) : 0;
    m_starts.reserve(static_cast<std::size_t>(count));
    for (std::int64_t k = 0; k < count; ++k) {
        const std::int64_t local = m_origin + k * m_step;
        if (calendar) {
            m_starts.push_back(utcOfLocal(*zone, local));
        } else {
            m_starts.push_back(local - m_offsets.front());
        }
    }
}

std::int64_t BucketGrid::offsetFromUtc(const QTimeZone& zone, std::int64_t us)
{
    return zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(floorDiv(us, 1000), Qt::UTC)) * kMicros;
}

// The first instant whose local time is `local` (µs). A local midnight that a daylight-saving
// change skips begins at the change; one that happens twice begins at its first occurrence.
std::int64_t BucketGrid::utcOfLocal(const QTimeZone& zone, std::int64_t local)
{
    constexpr std::int64_t margin = 18 * 3600 * kMicros; // beyond any UTC offset
    const std::int64_t before = offsetFromUtc(zone, local - margin);
    const std::int64_t after = offsetFromUtc(zone, local + margin);
    std::optional<std::int64_t> first;
    for (const std::int64_t offset : { before, after }) {
        const std::int64_t utc = local - offset;
        if (offsetFromUtc(zone, utc) == offset && (!first || utc < *first))
            first = utc;
    }
    if (first)
        return *first;
    const auto change =
        zone.nextTransition(QDateTime::fromMSecsSinceEpoch(floorDiv(local - after, 1000) - 1, Qt::UTC));
    return change.atUtc.isValid() ? change.atUtc.toMSecsSinceEpoch() * 1000 : local - before;
}

std::int64_t BucketGrid::rawIndex(std::int64_t us) const
{
    const auto segment = std::upper_bound(m_switchAt.begin(), m_switchAt.end(), us) - m_switchAt.begin();
    return floorDiv(us + m_offsets[static_cast<std::size_t>(segment)] - m_origin, m_step);
}

Sql BucketGrid::keyExpression() const
{
    Sql sql;
    if (m_switchAt.empty()) {
        sql.append("(started_at - ").bind(m_origin - m_offsets.front()).append(") / ").bind(m_step);
        return sql;
    }
    sql.append("(started_at + CASE");
    for (std::size_t i = 0; i < m_switchAt.size(); ++i)
        sql.append(" WHEN started_at < ").bind(m_switchAt[i]).append(" THEN ").bind(m_offsets[i]);
    sql.append(" ELSE ").bind(m_offsets.back()).append(" END - ").bind(m_origin).append(") / ").bind(m_step);
    return sql;
}

StatsPlan planStats(const JsonValue& body, std::int64_t now)
{
    requireObjectBody(body);
    StatsPlan plan;
    plan.projectId = requireProjectId(body);
    parseRange(body, now, plan);
    plan.granularity = parseGranularity(body, plan.endUs - plan.startUs);
    parseTimezone(body, plan);
    plan.usage = parseMetricSpecs(body, "usage_metrics", kUsageMetricNames);
    plan.calls = parseMetricSpecs(body, "call_metrics", kCallMetricNames);
    for (const auto& spec : plan.usage)
        plan.wantsCosts = plan.wantsCosts || spec.metric >= InputCost;
    for (const auto& spec : plan.calls)
        plan.latencyValues = plan.latencyValues || (spec.metric == LatencyMs && !spec.percentiles.empty());
    parseExtensions(body, plan);
    plan.grid = std::make_unique<BucketGrid>(
        plan.startUs, plan.endUs, plan.granularity, plan.zone ? &*plan.zone : nullptr);

    // Implicit conditions, `filter` and `query` exactly as /calls/stream_query applies them.
    plan.where = parseCallsQuery(body).where;
    const std::size_t rangeParamInWhere = plan.where.params.size();
    plan.where.append(" AND started_at >= ").bind(plan.startUs).append(" AND started_at < ").bind(plan.endUs);

    planScan(plan, rangeParamInWhere);
    return plan;
}

} // namespace spindle::server::statsdetail
