// /calls/stats, /trace/usage and /calls/usage (weave-protocol.md 1.2, 2.3 and 4).
//
// POST /calls/stats — what is covered:
//  - `start` (required) and `end` (default: now): ISO-8601 with `Z`, `±hh:mm` or naive (UTC). A date
//    that does not parse, `end` before `start` or a range over 31 days is a 400.
//  - `granularity` in seconds (a positive whole number), else chosen from the range as hosted does
//    (≤ 2 h → 300, ≤ 12 h → 3600, ≤ 3 d → 21600, ≤ 14 d → 43200, else 86400); raised when the range
//    would need more than 10 000 buckets.
//  - `timezone`: an IANA name (Qt's QTimeZone), default "UTC"; an unknown name is a 400. Buckets
//    of whole days start at local midnight and follow daylight saving (a day can last 23 or 25 h);
//    other sizes are uniform and aligned to the local wall clock at `start` (the Unix epoch for UTC).
//    Bucket timestamps are UTC ("...Z"). The first bucket may begin before `start`, but only calls
//    with start <= started_at < end count, each in the bucket holding its started_at.
//  - `call_metrics`: latency_ms (ended_at − started_at; running calls have no value), call_count (1 per
//    call) and error_count (1 when the call has an exception, else 0).
//  - `usage_metrics`, one value per (call, model) entry of summary.usage, normalised as in 4.3:
//    input_tokens (prompt + input), output_tokens (completion + output), total_tokens (as reported, else
//    input + output), cache_read_input_tokens, cache_creation_input_tokens; and costs with the price
//    `include_costs` uses (4.2: that model's price effective at the call's started_at, project rows
//    first): input_cost = uncached prompt + cache read + cache creation cost, output_cost = completion
//    cost, total_cost = both. A model without any price has no cost values.
//  - `aggregations`: sum, avg, min, max, count (values present), count_true (values equal to 1),
//    count_false (values equal to 0); none and no `percentiles` means [sum]. `percentiles`: numbers
//    0-100, linear interpolation between the closest ranks. An empty bucket has 0 for sum, avg and the
//    counts, null for min, max and percentiles. Unknown metrics or aggregations: 400.
//  - `filter` (CallsFilter) and, beyond hosted, `query` ($expr), as in /calls/stream_query.
//  - Response: {start, end, granularity, timezone, usage_buckets, call_buckets}. call_buckets has one
//    entry per bucket {timestamp, <agg>_<metric>..., p<N>_<metric>..., count (calls)}; usage_buckets
//    has one per bucket and model seen in the range, ordered by time then model, with count = entries
//    (more than 1 000 000 such entries is a 413).
//  Differences from hosted Weave: costs support every aggregation (hosted: sum only) and are priced at
//  each call's start (hosted: the newest price); total_tokens falls back to input + output (hosted:
//  null); timestamps are UTC rather than in `timezone`; percentiles are exact (hosted: approximate).
//
// How it runs: one SQL statement over the (project_id, started_at) index; the bucket number is
// integer arithmetic on started_at (a CASE over the UTC-offset changes for day buckets in a zone
// with daylight saving). The scan returns (bucket, latency_ms, has exception, started_at, and summary
// for calls whose total_tokens is set) in index order and the aggregation happens here, so one pass
// serves call and usage metrics. That beats a SQL GROUP BY on the same rows, whose sorter costs more
// than the aggregation (900k calls over 30 days, warm: call metrics 0.56 s here against 0.69 s for the
// GROUP BY in the sqlite3 CLI; usage by model 0.8 s against 1.3 s for json_each + json_extract + GROUP
// BY). RapidJSON parses summary in situ, prices come from a per-model timeline of effective dates,
// and each bucket's latencies are sorted once when percentiles are asked for.
//
// POST /trace/usage and /calls/usage: as the protocol describes, with these choices:
//  - /trace/usage rolls up within the matched calls (at most `limit`, default 10 000, ordered by
//    started_at); every matched call is a key of call_usage, `{}` when it has no usage.
//  - /calls/usage loads every call of the listed calls' traces; more than `limit` is a 413. Each
//    listed id is a key, `{}` when it is unknown or deleted.
//  - Costs (include_costs) are each call's own summary.weave.costs (4.4) summed up the tree; without
//    include_costs the cost fields are null. Models whose numbers are all zero are left out.
//  - unfinished_call_ids: the returned calls that are still running (no end yet).
#include "server/stats.h"

#include "core/timeformat.h"
#include "server/callquery.h"

#include <QByteArray>
#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <rapidjson/allocators.h>
#include <unordered_map>

namespace spindle::server {
namespace {

constexpr std::int64_t kMicros = 1'000'000;
constexpr std::int64_t kDaySeconds = 86'400;
constexpr std::int64_t kMaxRangeDays = 31;
constexpr std::int64_t kMaxBuckets = 10'000;
constexpr std::size_t kMaxPercentiles = 20;
constexpr std::size_t kMaxUsageRows = 1'000'000; // usage_buckets entries (buckets × models)
constexpr std::int64_t kDefaultUsageLimit = 10'000;
constexpr std::size_t kMaxUsageCallIds = 1000;

// ---------------------------------------------------------------------------------------------
// Shared helpers

void appendNumber(std::string& out, double value)
{
    if (!std::isfinite(value)) {
        out += "null";
    } else if (value == std::trunc(value) && std::fabs(value) < 9.0e15) {
        out += std::to_string(static_cast<long long>(value));
    } else {
        char buffer[32];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
        out.append(buffer, result.ptr);
    }
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b)
{
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

std::string clipped(std::string_view text)
{
    return text.size() <= 80 ? std::string(text) : std::string(text.substr(0, 80)) + "...";
}

// A deferred read transaction: the price rows and the calls are read from one snapshot.
class ReadSnapshot
{
public:
    explicit ReadSnapshot(Connection& connection)
        : m_connection(connection)
    {
        m_connection.exec("BEGIN");
    }
    ~ReadSnapshot()
    {
        try {
            m_connection.exec("COMMIT");
        } catch (const std::exception&) {
            sqlite3_exec(m_connection.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        }
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

private:
    Connection& m_connection;
};

// Backs wv_cost() (a `query` on summary.weave.total_cost) while a statement runs.
class CostFunctionScope
{
public:
    CostFunctionScope(Connection& connection, const PriceBook* book, const Sql& sql)
        : m_connection(connection)
        , m_active(book && sql.text.find("wv_cost(") != std::string::npos)
    {
        if (m_active)
            registerCostFunction(m_connection.handle(), book);
    }
    ~CostFunctionScope()
    {
        if (m_active)
            registerCostFunction(m_connection.handle(), nullptr);
    }
    CostFunctionScope(const CostFunctionScope&) = delete;
    CostFunctionScope& operator=(const CostFunctionScope&) = delete;

private:
    Connection& m_connection;
    bool m_active;
};

// Reusable parser for many small summary texts: one pool, cleared per document.
class SummaryParser
{
public:
    using Document = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>;

    SummaryParser()
        : m_pool(m_buffer, sizeof m_buffer)
        , m_doc(&m_pool)
    {
    }
    // summary.usage when it is an object, else nullptr. Valid until the next call.
    const JsonValue* usageOf(std::string_view summary)
    {
        m_pool.Clear();
        // In situ: strings stay in this copy instead of being copied again into the pool.
        m_text.assign(summary);
        m_doc.ParseInsitu(m_text.data());
        if (m_doc.HasParseError() || !m_doc.IsObject())
            return nullptr;
        const auto usage = m_doc.FindMember("usage");
        return usage != m_doc.MemberEnd() && usage->value.IsObject() ? &usage->value : nullptr;
    }

private:
    char m_buffer[16384];
    rapidjson::MemoryPoolAllocator<> m_pool;
    Document m_doc;
    std::string m_text;
};

// ---------------------------------------------------------------------------------------------
// /calls/stats request

enum class Agg
{
    Sum,
    Avg,
    Min,
    Max,
    Count,
    CountTrue,
    CountFalse,
};

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

const char* aggName(Agg agg)
{
    for (const auto& entry : kAggNames) {
        if (entry.agg == agg)
            return entry.name;
    }
    return "";
}

enum UsageMetric
{
    InputTokens,
    OutputTokens,
    TotalTokens,
    CacheReadTokens,
    CacheCreationTokens,
    InputCost,
    OutputCost,
    TotalCost,
};
constexpr const char* kUsageMetricNames[] = { "input_tokens", "output_tokens", "total_tokens",
    "cache_read_input_tokens", "cache_creation_input_tokens", "input_cost", "output_cost", "total_cost" };

enum CallMetric
{
    LatencyMs,
    CallCount,
    ErrorCount,
};
constexpr const char* kCallMetricNames[] = { "latency_ms", "call_count", "error_count" };

struct MetricSpec
{
    int metric = 0;
    const char* name = "";
    std::vector<Agg> aggs;
    std::vector<double> percentiles;
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

// The buckets of [start, end): bucket k starts at local time origin + k × step, where local time is
// UTC plus the zone's offset. Day-sized buckets follow the offset through daylight-saving changes;
// other sizes use the offset at `start` throughout, so they stay uniform.
class BucketGrid
{
public:
    BucketGrid(std::int64_t startUs, std::int64_t endUs, std::int64_t seconds, const QTimeZone* zone)
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

    std::size_t size() const
    {
        return m_starts.size();
    }
    std::int64_t startOf(std::size_t bucket) const
    {
        return m_starts[bucket];
    }
    // The bucket number SQL computed, kept inside the grid.
    std::size_t clamp(std::int64_t bucket) const
    {
        return static_cast<std::size_t>(std::clamp<std::int64_t>(bucket, 0, std::int64_t(size()) - 1));
    }
    // The bucket of `started_at` as SQL integer arithmetic (only ever evaluated for started_at >= start,
    // so the division never truncates a negative number).
    Sql keyExpression() const
    {
        Sql sql;
        if (m_switchAt.empty()) {
            sql.append("(started_at - ").bind(m_origin - m_offsets.front()).append(") / ").bind(m_step);
            return sql;
        }
        sql.append("(started_at + CASE");
        for (std::size_t i = 0; i < m_switchAt.size(); ++i)
            sql.append(" WHEN started_at < ").bind(m_switchAt[i]).append(" THEN ").bind(m_offsets[i]);
        sql.append(" ELSE ")
            .bind(m_offsets.back())
            .append(" END - ")
            .bind(m_origin)
            .append(") / ")
            .bind(m_step);
        return sql;
    }

private:
    static std::int64_t offsetFromUtc(const QTimeZone& zone, std::int64_t us)
    {
        return zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(floorDiv(us, 1000), Qt::UTC)) * kMicros;
    }

    // The first instant whose local time is `local` (µs). A local midnight that a daylight-saving
    // change skips begins at the change; one that happens twice begins at its first occurrence.
    static std::int64_t utcOfLocal(const QTimeZone& zone, std::int64_t local)
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

    std::int64_t rawIndex(std::int64_t us) const
    {
        const auto segment = std::upper_bound(m_switchAt.begin(), m_switchAt.end(), us) - m_switchAt.begin();
        return floorDiv(us + m_offsets[static_cast<std::size_t>(segment)] - m_origin, m_step);
    }

    std::int64_t m_step;
    std::int64_t m_origin = 0; // local µs at which bucket 0 starts
    std::vector<std::int64_t> m_switchAt; // UTC µs where the zone's offset changes
    std::vector<std::int64_t> m_offsets; // µs; m_offsets[i] applies before m_switchAt[i]
    std::vector<std::int64_t> m_starts; // UTC µs of each bucket's start
};

struct StatsPlan
{
    std::string projectId;
    std::int64_t startUs = 0, endUs = 0, granularity = 0;
    std::string timezone = "UTC";
    std::optional<QTimeZone> zone;
    std::unique_ptr<BucketGrid> grid;
    std::vector<MetricSpec> usage, calls;
    Sql where;
    bool wantsCosts = false;
    bool latencyValues = false; // latency percentiles: keep each bucket's values
    Sql sql;
};

StatsPlan planStats(const JsonValue& body, std::int64_t now)
{
    requireObjectBody(body);
    StatsPlan plan;
    plan.projectId = requireProjectId(body);
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
    plan.granularity = parseGranularity(body, plan.endUs - plan.startUs);
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
    plan.usage = parseMetricSpecs(body, "usage_metrics", kUsageMetricNames);
    plan.calls = parseMetricSpecs(body, "call_metrics", kCallMetricNames);
    for (const auto& spec : plan.usage)
        plan.wantsCosts = plan.wantsCosts || spec.metric >= InputCost;
    for (const auto& spec : plan.calls)
        plan.latencyValues = plan.latencyValues || (spec.metric == LatencyMs && !spec.percentiles.empty());
    plan.grid = std::make_unique<BucketGrid>(
        plan.startUs, plan.endUs, plan.granularity, plan.zone ? &*plan.zone : nullptr);

    // Implicit conditions, `filter` and `query` exactly as /calls/stream_query applies them.
    plan.where = parseCallsQuery(body).where;
    plan.where.append(" AND started_at >= ").bind(plan.startUs).append(" AND started_at < ").bind(plan.endUs);

    if (plan.calls.empty() && plan.usage.empty())
        return plan;
    // One scan in index order, aggregated in C++: cheaper than a GROUP BY, whose sorter costs more than
    // the aggregation itself, and it serves call and usage metrics in one pass.
    plan.sql.append("SELECT ").append(plan.grid->keyExpression());
    plan.sql.append(", latency_ms, exception IS NOT NULL, ");
    if (plan.usage.empty())
        plan.sql.append("NULL, NULL");
    else if (plan.calls.empty())
        plan.sql.append("started_at, summary");
    else
        plan.sql.append("started_at, CASE WHEN total_tokens IS NOT NULL THEN summary END");
    plan.sql.append(" FROM calls WHERE ").append(plan.where);
    // Only calls with summary.usage matter for usage alone (total_tokens is set exactly for those).
    if (plan.calls.empty())
        plan.sql.append(" AND total_tokens IS NOT NULL");
    return plan;
}

// ---------------------------------------------------------------------------------------------
// Aggregation

// The values of one metric in one bucket.
struct Series
{
    std::int64_t count = 0;
    double sum = 0, min = 0, max = 0;
    std::int64_t zeros = 0, ones = 0;
    std::vector<double> values; // only when percentiles are wanted
    bool binary = false; // every value is 0 or 1: percentiles follow from zeros and ones

    void add(double value, bool keep)
    {
        if (count == 0 || value < min)
            min = value;
        if (count == 0 || value > max)
            max = value;
        ++count;
        sum += value;
        zeros += value == 0;
        ones += value == 1;
        if (keep)
            values.push_back(value);
    }

    static Series binaryOf(std::int64_t count, std::int64_t ones)
    {
        Series series;
        series.binary = true;
        series.count = count;
        series.ones = ones;
        series.zeros = count - ones;
        series.sum = static_cast<double>(ones);
        series.min = count > 0 && ones == count ? 1 : 0;
        series.max = ones > 0 ? 1 : 0;
        return series;
    }
};

// Linear interpolation between the closest ranks (numpy's default) of n sorted values.
template <typename ValueAt> double interpolate(std::int64_t n, double percentile, ValueAt at)
{
    const double position = percentile / 100.0 * static_cast<double>(n - 1);
    const auto lower = static_cast<std::int64_t>(std::floor(position));
    const auto upper = std::min(lower + 1, n - 1);
    const double a = at(lower), b = at(upper);
    return a + (b - a) * (position - static_cast<double>(lower));
}

std::string percentileLabel(double percentile)
{
    if (percentile == std::trunc(percentile))
        return std::to_string(static_cast<long long>(percentile));
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, percentile);
    return std::string(buffer, result.ptr);
}

void appendSeries(std::string& out, const MetricSpec& spec, Series& series)
{
    for (const Agg agg : spec.aggs) {
        out += ",\"";
        out += aggName(agg);
        out += '_';
        out += spec.name;
        out += "\":";
        const bool empty = series.count == 0;
        switch (agg) {
        case Agg::Sum:
            appendNumber(out, empty ? 0 : series.sum);
            break;
        case Agg::Avg:
            appendNumber(out, empty ? 0 : series.sum / static_cast<double>(series.count));
            break;
        case Agg::Min:
            empty ? void(out += "null") : appendNumber(out, series.min);
            break;
        case Agg::Max:
            empty ? void(out += "null") : appendNumber(out, series.max);
            break;
        case Agg::Count:
            out += std::to_string(series.count);
            break;
        case Agg::CountTrue:
            out += std::to_string(series.ones);
            break;
        case Agg::CountFalse:
            out += std::to_string(series.zeros);
            break;
        }
    }
    if (spec.percentiles.empty())
        return;
    if (!series.binary)
        std::sort(series.values.begin(), series.values.end());
    for (const double percentile : spec.percentiles) {
        out += ",\"p" + percentileLabel(percentile) + "_" + spec.name + "\":";
        if (series.count == 0)
            out += "null";
        else if (series.binary)
            appendNumber(out, interpolate(series.count, percentile, [&](std::int64_t i) {
                return i < series.zeros ? 0.0 : 1.0;
            }));
        else
            appendNumber(out,
                interpolate(std::int64_t(series.values.size()), percentile,
                    [&](std::int64_t i) { return series.values[static_cast<std::size_t>(i)]; }));
    }
}

struct CallCell
{
    std::int64_t calls = 0;
    std::int64_t errors = 0;
    Series latency;
};

// The price 4.2 selects for one model, by started_at. The selection only changes at the effective
// dates of the model's rows, so it is resolved once per interval between them.
class PriceTimeline
{
public:
    void load(Statement& dates, const std::string& llmId, const std::string& projectId)
    {
        dates.bind(1, std::string_view(llmId));
        dates.bind(2, std::string_view(projectId));
        while (dates.step())
            m_dates.push_back(dates.columnInt(0));
        dates.reset();
        m_rows.assign(m_dates.size() + 1, nullptr);
        m_resolved.assign(m_dates.size() + 1, false);
    }
    const PriceRow* at(std::int64_t startedAt, const PriceBook& book, const std::string& llmId)
    {
        const auto interval = static_cast<std::size_t>(
            std::upper_bound(m_dates.begin(), m_dates.end(), startedAt) - m_dates.begin());
        if (!m_resolved[interval]) {
            m_rows[interval] = book.select(llmId, startedAt);
            m_resolved[interval] = true;
        }
        return m_rows[interval];
    }

private:
    std::vector<std::int64_t> m_dates;
    std::vector<const PriceRow*> m_rows;
    std::vector<bool> m_resolved;
};

const char* const kPriceDatesSql = "SELECT DISTINCT effective_date FROM llm_token_prices WHERE llm_id = ? "
                                   "AND pricing_level_id IN ('default', ?) ORDER BY 1";

struct UsageCell
{
    std::int64_t entries = 0;
    std::vector<Series> series; // one per usage metric spec
};

struct TransparentHash
{
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const
    {
        return std::hash<std::string_view>()(text);
    }
};

// usage_metrics: per (model, bucket) series of the per-entry values.
class UsageStats
{
public:
    // `dates` lists a model's effective dates (kPriceDatesSql); needed only when costs are asked for.
    UsageStats(const StatsPlan& plan, const PriceBook* book, Statement* dates)
        : m_plan(plan)
        , m_book(book)
        , m_dates(dates)
    {
        for (const auto& spec : plan.usage)
            m_keep.push_back(!spec.percentiles.empty());
    }

    void add(std::size_t bucket, std::int64_t startedAt, std::string_view summary)
    {
        const JsonValue* usage = m_parser.usageOf(summary);
        if (!usage)
            return;
        for (const auto& entry : usage->GetObject()) {
            if (!entry.value.IsObject())
                continue;
            const std::size_t model = modelIndex(stringView(entry.name));
            const TokenCounts n = normaliseUsage(entry.value);
            const PriceRow* price = m_plan.wantsCosts ? priceOf(model, startedAt) : nullptr;
            double inputCost = 0, outputCost = 0;
            if (price) {
                const double uncached = std::max(0.0, n.prompt - n.cacheRead - n.cacheCreation);
                inputCost = uncached * price->promptTokenCost + n.cacheRead * price->cacheReadInputTokenCost
                    + n.cacheCreation * price->cacheCreationInputTokenCost;
                outputCost = n.completion * price->completionTokenCost;
            }
            UsageCell& cell = cellOf(model, bucket);
            ++cell.entries;
            for (std::size_t i = 0; i < m_plan.usage.size(); ++i) {
                double value = 0;
                switch (m_plan.usage[i].metric) {
                case InputTokens:
                    value = n.prompt;
                    break;
                case OutputTokens:
                    value = n.completion;
                    break;
                case TotalTokens:
                    value = n.total;
                    break;
                case CacheReadTokens:
                    value = n.cacheRead;
                    break;
                case CacheCreationTokens:
                    value = n.cacheCreation;
                    break;
                case InputCost:
                    value = inputCost;
                    break;
                case OutputCost:
                    value = outputCost;
                    break;
                case TotalCost:
                    value = inputCost + outputCost;
                    break;
                }
                if (m_plan.usage[i].metric >= InputCost && !price)
                    continue; // an unpriced model has no cost
                cell.series[i].add(value, m_keep[i]);
            }
        }
    }

    void append(std::string& out)
    {
        std::vector<std::size_t> order(m_models.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::sort(
            order.begin(), order.end(), [&](auto a, auto b) { return m_models[a].name < m_models[b].name; });
        if (m_plan.grid->size() * m_models.size() > kMaxUsageRows)
            throw ApiError(413,
                "usage_buckets would hold " + std::to_string(m_plan.grid->size() * m_models.size())
                    + " entries (buckets × models); use a larger granularity, a shorter range or a filter");
        UsageCell empty { 0, std::vector<Series>(m_plan.usage.size()) };
        bool first = true;
        for (std::size_t bucket = 0; bucket < m_plan.grid->size(); ++bucket) {
            const std::string timestamp = formatIsoTime(m_plan.grid->startOf(bucket));
            for (const std::size_t model : order) {
                const auto it = m_cellIndex.find(key(model, bucket));
                UsageCell& cell = it == m_cellIndex.end() ? empty : m_cells[it->second];
                out += first ? "{\"timestamp\":\"" : ",{\"timestamp\":\"";
                first = false;
                out += timestamp;
                out += "\",\"model\":";
                appendJsonString(out, m_models[model].name);
                for (std::size_t i = 0; i < m_plan.usage.size(); ++i)
                    appendSeries(out, m_plan.usage[i], cell.series[i]);
                out += ",\"count\":" + std::to_string(cell.entries) + "}";
            }
        }
    }

private:
    struct Model
    {
        std::string name;
        std::unique_ptr<PriceTimeline> prices;
    };

    static std::uint64_t key(std::size_t model, std::size_t bucket)
    {
        return (std::uint64_t(model) << 32) | std::uint64_t(bucket);
    }

    std::size_t modelIndex(std::string_view name)
    {
        if (m_lastModel < m_models.size() && m_models[m_lastModel].name == name)
            return m_lastModel;
        auto it = m_modelIndex.find(name);
        if (it == m_modelIndex.end()) {
            m_models.push_back(Model { std::string(name), nullptr });
            it = m_modelIndex.emplace(m_models.back().name, m_models.size() - 1).first;
        }
        m_lastModel = it->second;
        return m_lastModel;
    }

    UsageCell& cellOf(std::size_t model, std::size_t bucket)
    {
        const std::uint64_t k = key(model, bucket);
        if (m_lastCell && m_lastKey == k)
            return *m_lastCell;
        const auto [it, inserted] = m_cellIndex.try_emplace(k, m_cells.size());
        if (inserted)
            m_cells.push_back(UsageCell { 0, std::vector<Series>(m_plan.usage.size()) });
        m_lastKey = k;
        m_lastCell = &m_cells[it->second];
        return *m_lastCell;
    }

    const PriceRow* priceOf(std::size_t model, std::int64_t startedAt)
    {
        Model& m = m_models[model];
        if (!m.prices) {
            m.prices = std::make_unique<PriceTimeline>();
            m.prices->load(*m_dates, m.name, m_plan.projectId);
        }
        return m.prices->at(startedAt, *m_book, m.name);
    }

    const StatsPlan& m_plan;
    const PriceBook* m_book;
    Statement* m_dates;
    std::vector<bool> m_keep;
    SummaryParser m_parser;
    std::vector<Model> m_models;
    std::unordered_map<std::string, std::size_t, TransparentHash, std::equal_to<>> m_modelIndex;
    std::size_t m_lastModel = SIZE_MAX;
    std::deque<UsageCell> m_cells;
    std::unordered_map<std::uint64_t, std::size_t> m_cellIndex;
    UsageCell* m_lastCell = nullptr;
    std::uint64_t m_lastKey = 0;
};

void appendCallBuckets(std::string& out, const StatsPlan& plan, std::vector<CallCell>& cells)
{
    for (std::size_t bucket = 0; bucket < cells.size(); ++bucket) {
        CallCell& cell = cells[bucket];
        out += bucket ? ",{\"timestamp\":\"" : "{\"timestamp\":\"";
        out += formatIsoTime(plan.grid->startOf(bucket));
        out += '"';
        for (const auto& spec : plan.calls) {
            if (spec.metric == LatencyMs) {
                appendSeries(out, spec, cell.latency);
            } else {
                Series series =
                    Series::binaryOf(cell.calls, spec.metric == CallCount ? cell.calls : cell.errors);
                appendSeries(out, spec, series);
            }
        }
        out += ",\"count\":" + std::to_string(cell.calls) + "}";
    }
}

// ---------------------------------------------------------------------------------------------
// /trace/usage and /calls/usage

struct LlmUsage
{
    double requests = 0, prompt = 0, completion = 0, total = 0, cacheRead = 0, cacheCreation = 0;
    double promptCost = 0, completionCost = 0, cacheReadCost = 0, cacheCreationCost = 0;

    void add(const LlmUsage& other)
    {
        requests += other.requests;
        prompt += other.prompt;
        completion += other.completion;
        total += other.total;
        cacheRead += other.cacheRead;
        cacheCreation += other.cacheCreation;
        promptCost += other.promptCost;
        completionCost += other.completionCost;
        cacheReadCost += other.cacheReadCost;
        cacheCreationCost += other.cacheCreationCost;
    }
    bool hasUsage(bool costs) const
    {
        return requests != 0 || prompt != 0 || completion != 0 || total != 0 || cacheRead != 0
            || cacheCreation != 0
            || (costs
                && (promptCost != 0 || completionCost != 0 || cacheReadCost != 0 || cacheCreationCost != 0));
    }
};

using UsageByModel = std::map<std::string, LlmUsage, std::less<>>;

struct UsageCall
{
    std::string id;
    std::optional<std::string> parentId;
    bool running = false;
    UsageByModel usage;
    std::ptrdiff_t parent = -1;
    int pendingChildren = 0;
};

// Rows selected as (id, parent_id, started_at, ended_at IS NULL, summary).
const char* const kUsageColumns = "id, parent_id, started_at, ended_at IS NULL, summary";

UsageCall readUsageCall(const Statement& row, SummaryParser& parser, const PriceBook* book)
{
    UsageCall call;
    call.id = std::string(row.columnText(0));
    call.parentId = row.columnOptionalText(1);
    call.running = row.columnInt(3) != 0;
    const JsonValue* usage = row.isNull(4) ? nullptr : parser.usageOf(row.columnText(4));
    if (!usage)
        return call;
    const std::int64_t startedAt = row.columnInt(2);
    for (const auto& entry : usage->GetObject()) {
        if (!entry.value.IsObject())
            continue;
        const TokenCounts n = normaliseUsage(entry.value);
        LlmUsage own;
        own.requests = n.requests;
        own.prompt = n.prompt;
        own.completion = n.completion;
        own.total = n.total;
        own.cacheRead = n.cacheRead;
        own.cacheCreation = n.cacheCreation;
        std::string model(stringView(entry.name));
        // The call's own summary.weave.costs (4.4): the same price and formulas as include_costs.
        if (const PriceRow* price = book ? book->select(model, startedAt) : nullptr) {
            own.promptCost = std::max(0.0, n.prompt - n.cacheRead - n.cacheCreation) * price->promptTokenCost;
            own.completionCost = n.completion * price->completionTokenCost;
            own.cacheReadCost = n.cacheRead * price->cacheReadInputTokenCost;
            own.cacheCreationCost = n.cacheCreation * price->cacheCreationInputTokenCost;
        }
        if (own.hasUsage(book != nullptr))
            call.usage[std::move(model)].add(own);
    }
    return call;
}

// Adds every call's usage to its parent's, leaves first (iterative, so deep trees are fine; calls in
// a parent_id cycle keep their own usage).
void rollUp(std::vector<UsageCall>& calls)
{
    std::unordered_map<std::string_view, std::size_t> byId;
    byId.reserve(calls.size());
    for (std::size_t i = 0; i < calls.size(); ++i)
        byId.emplace(calls[i].id, i);
    for (auto& call : calls) {
        if (!call.parentId)
            continue;
        const auto parent = byId.find(*call.parentId);
        if (parent == byId.end())
            continue;
        call.parent = static_cast<std::ptrdiff_t>(parent->second);
        ++calls[parent->second].pendingChildren;
    }
    std::vector<std::size_t> ready;
    for (std::size_t i = 0; i < calls.size(); ++i) {
        if (calls[i].pendingChildren == 0)
            ready.push_back(i);
    }
    while (!ready.empty()) {
        const std::size_t i = ready.back();
        ready.pop_back();
        if (calls[i].parent < 0)
            continue;
        UsageCall& parent = calls[static_cast<std::size_t>(calls[i].parent)];
        for (const auto& [model, usage] : calls[i].usage)
            parent.usage[model].add(usage);
        if (--parent.pendingChildren == 0)
            ready.push_back(static_cast<std::size_t>(calls[i].parent));
    }
}

void appendUsageMap(std::string& out, const UsageByModel& usage, bool costs)
{
    out += '{';
    bool first = true;
    for (const auto& [model, u] : usage) {
        if (!first)
            out += ',';
        first = false;
        appendJsonString(out, model);
        out += ":{\"requests\":";
        appendNumber(out, u.requests);
        out += ",\"prompt_tokens\":";
        appendNumber(out, u.prompt);
        out += ",\"completion_tokens\":";
        appendNumber(out, u.completion);
        out += ",\"total_tokens\":";
        appendNumber(out, u.total);
        out += ",\"cache_read_input_tokens\":";
        appendNumber(out, u.cacheRead);
        out += ",\"cache_creation_input_tokens\":";
        appendNumber(out, u.cacheCreation);
        const std::pair<const char*, double> costFields[] = {
            { ",\"prompt_tokens_total_cost\":", u.promptCost },
            { ",\"completion_tokens_total_cost\":", u.completionCost },
            { ",\"cache_read_input_tokens_total_cost\":", u.cacheReadCost },
            { ",\"cache_creation_input_tokens_total_cost\":", u.cacheCreationCost },
        };
        for (const auto& [key, value] : costFields) {
            out += key;
            if (costs) {
                // Costs stay JSON floats, as hosted returns them.
                if (value == std::trunc(value) && std::isfinite(value))
                    out += std::to_string(static_cast<long long>(value)) + ".0";
                else
                    appendNumber(out, value);
            } else {
                out += "null";
            }
        }
        out += '}';
    }
    out += '}';
}

std::int64_t usageLimit(const JsonValue& body)
{
    const auto limit = optionalInt(body, "limit", "").value_or(kDefaultUsageLimit);
    if (limit < 1)
        throw badRequest("limit must be at least 1");
    return limit;
}

std::vector<UsageCall> loadUsageCalls(Connection& reader, const Sql& sql, const PriceBook* book)
{
    auto stmt = reader.prepareAdHoc(sql.text);
    stmt->bindAll(sql.params);
    auto parser = std::make_unique<SummaryParser>();
    std::vector<UsageCall> calls;
    while (stmt->step())
        calls.push_back(readUsageCall(*stmt, *parser, book));
    return calls;
}

} // namespace

std::vector<Sql> callsStatsSql(const JsonValue& body, std::int64_t nowMicros)
{
    StatsPlan plan = planStats(body, nowMicros);
    if (plan.sql.text.empty())
        return {};
    return { std::move(plan.sql) };
}

std::string callsStats(const JsonValue& body, RequestContext& context)
{
    const StatsPlan plan = planStats(body, nowMicros());
    std::vector<CallCell> callCells(plan.calls.empty() ? 0 : plan.grid->size());
    std::unique_ptr<UsageStats> usage;
    if (!plan.sql.text.empty() && plan.grid->size() > 0) {
        auto reader = context.db.read();
        ReadSnapshot snapshot(*reader);
        std::unique_ptr<PriceBook> book;
        if (plan.wantsCosts || plan.sql.text.find("wv_cost(") != std::string::npos)
            book = std::make_unique<PriceBook>(context.prices.forProject(*reader, plan.projectId));
        CostFunctionScope costFunction(*reader, book.get(), plan.sql);
        // The price book and this statement die with this block; `usage` only reads them in add().
        const auto dates = plan.wantsCosts ? reader->prepare(kPriceDatesSql) : nullptr;
        if (!plan.usage.empty())
            usage = std::make_unique<UsageStats>(plan, book.get(), dates.get());
        auto stmt = reader->prepareAdHoc(plan.sql.text);
        stmt->bindAll(plan.sql.params);
        const bool calls = !plan.calls.empty();
        while (stmt->step()) {
            const std::size_t bucket = plan.grid->clamp(stmt->columnInt(0));
            if (calls) {
                CallCell& cell = callCells[bucket];
                ++cell.calls;
                cell.errors += stmt->columnInt(2);
                if (!stmt->isNull(1))
                    cell.latency.add(static_cast<double>(stmt->columnInt(1)), plan.latencyValues);
            }
            if (usage && !stmt->isNull(4))
                usage->add(bucket, stmt->columnInt(3), stmt->columnText(4));
        }
    }

    std::string out = "{\"start\":\"" + formatIsoTime(plan.startUs) + "\",\"end\":\""
        + formatIsoTime(plan.endUs) + "\",\"granularity\":" + std::to_string(plan.granularity)
        + ",\"timezone\":";
    appendJsonString(out, plan.timezone);
    out += ",\"usage_buckets\":[";
    if (usage)
        usage->append(out);
    out += "],\"call_buckets\":[";
    appendCallBuckets(out, plan, callCells);
    return out + "]}";
}

std::string traceUsage(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const std::int64_t limit = usageLimit(body);
    const bool includeCosts = optionalBool(body, "include_costs", "").value_or(false);
    const CallsQuery query = parseCallsQuery(body);
    Sql sql { std::string("SELECT ") + kUsageColumns + " FROM calls WHERE ", {} };
    sql.append(query.where).append(" ORDER BY ").append(query.orderBy).append(" LIMIT ").bind(limit);

    std::vector<UsageCall> calls;
    {
        auto reader = context.db.read();
        ReadSnapshot snapshot(*reader);
        std::unique_ptr<PriceBook> book;
        if (includeCosts || sql.text.find("wv_cost(") != std::string::npos)
            book = std::make_unique<PriceBook>(context.prices.forProject(*reader, query.projectId));
        CostFunctionScope costFunction(*reader, book.get(), sql);
        calls = loadUsageCalls(*reader, sql, includeCosts ? book.get() : nullptr);
    }
    rollUp(calls);

    std::string out = "{\"call_usage\":{";
    for (std::size_t i = 0; i < calls.size(); ++i) {
        if (i)
            out += ',';
        appendJsonString(out, calls[i].id);
        out += ':';
        appendUsageMap(out, calls[i].usage, includeCosts);
    }
    out += "},\"unfinished_call_ids\":[";
    bool first = true;
    for (const auto& call : calls) {
        if (!call.running)
            continue;
        if (!first)
            out += ',';
        first = false;
        appendJsonString(out, call.id);
    }
    return out + "]}";
}

std::string callsUsage(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    if (!optionalMember(body, "call_ids"))
        throw badRequest("call_ids is required: the calls whose usage (with their descendants') to sum");
    std::vector<std::string> ids;
    for (auto& id : optionalStringList(body, "call_ids", "")) {
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(std::move(id));
    }
    if (ids.size() > kMaxUsageCallIds)
        throw badRequest("call_ids takes at most " + std::to_string(kMaxUsageCallIds) + " ids");
    const std::int64_t limit = usageLimit(body);
    const bool includeCosts = optionalBool(body, "include_costs", "").value_or(false);

    std::vector<UsageCall> calls;
    if (!ids.empty()) {
        // Every call of the listed calls' traces, so that each listed call gets all its descendants.
        Sql sql { std::string("SELECT ") + kUsageColumns + " FROM calls WHERE project_id = ?",
            { projectId } };
        sql.append(" AND deleted_at IS NULL AND started_at IS NOT NULL AND trace_id IN (SELECT trace_id FROM "
                   "calls WHERE project_id = ")
            .bind(projectId)
            .append(" AND deleted_at IS NULL AND started_at IS NOT NULL AND id IN (");
        for (std::size_t i = 0; i < ids.size(); ++i)
            (i ? sql.append(", ") : sql).bind(ids[i]);
        sql.append(")) ORDER BY started_at, id LIMIT ").bind(limit + 1);
        auto reader = context.db.read();
        ReadSnapshot snapshot(*reader);
        std::unique_ptr<PriceBook> book;
        if (includeCosts)
            book = std::make_unique<PriceBook>(context.prices.forProject(*reader, projectId));
        calls = loadUsageCalls(*reader, sql, book.get());
    }
    if (static_cast<std::int64_t>(calls.size()) > limit)
        throw ApiError(413,
            "the traces of these call_ids hold more than " + std::to_string(limit)
                + " calls; pass a larger limit or fewer call_ids");
    rollUp(calls);

    std::unordered_map<std::string_view, const UsageCall*> byId;
    for (const auto& call : calls)
        byId.emplace(call.id, &call);
    std::string out = "{\"call_usage\":{";
    std::string unfinished;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i)
            out += ',';
        appendJsonString(out, ids[i]);
        out += ':';
        const auto it = byId.find(ids[i]);
        appendUsageMap(out, it == byId.end() ? UsageByModel {} : it->second->usage, includeCosts);
        if (it != byId.end() && it->second->running) {
            if (!unfinished.empty())
                unfinished += ',';
            appendJsonString(unfinished, ids[i]);
        }
    }
    return out + "},\"unfinished_call_ids\":[" + unfinished + "]}";
}

} // namespace spindle::server
