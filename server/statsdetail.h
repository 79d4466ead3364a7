#pragma once

// Internals of /calls/stats (stats.cpp, statsplan.cpp, statsusage.cpp) and of /trace/usage and
// /calls/usage (usage.cpp). Not part of the server's interface: stats.h is.

#include "server/context.h"
#include "server/prices.h"
#include "server/querycompiler.h"

#include <QTimeZone>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <rapidjson/allocators.h>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace spindle::server::statsdetail {

constexpr std::int64_t kMicros = 1'000'000;
constexpr std::int64_t kDaySeconds = 86'400;
constexpr std::size_t kMaxUsageRows = 1'000'000; // usage_buckets entries (buckets × groups)
// Numbers in usage_buckets (entries × the aggregations and percentiles asked for each): about
// 100 MB of JSON. Entries alone let one request build gigabytes (every aggregation of every metric).
constexpr std::size_t kMaxUsageValues = 5'000'000;

// ---------------------------------------------------------------------------------------------
// Shared helpers

inline void appendNumber(std::string& out, double value)
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

inline std::int64_t floorDiv(std::int64_t a, std::int64_t b)
{
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

inline std::string clipped(std::string_view text)
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
// /calls/stats request (statsplan.cpp)

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
const char* aggName(Agg agg);

enum UsageMetric
{
    InputTokens,
    OutputTokens,
    TotalTokens,
    CacheReadTokens,
    CacheCreationTokens,
    Requests, // Spindle extension: the entry's `requests`
    InputCost, // costs last: `metric >= InputCost` means a price is needed
    OutputCost,
    TotalCost,
};
inline constexpr const char* kUsageMetricNames[] = { "input_tokens", "output_tokens", "total_tokens",
    "cache_read_input_tokens", "cache_creation_input_tokens", "requests", "input_cost", "output_cost",
    "total_cost" };

enum CallMetric
{
    LatencyMs,
    CallCount,
    ErrorCount,
};
inline constexpr const char* kCallMetricNames[] = { "latency_ms", "call_count", "error_count" };

struct MetricSpec
{
    int metric = 0;
    const char* name = "";
    std::vector<Agg> aggs;
    std::vector<double> percentiles;
};

// The buckets of [start, end): bucket k starts at local time origin + k × step, where local time is
// UTC plus the zone's offset. Day-sized buckets follow the offset through daylight-saving changes;
// other sizes use the offset at `start` throughout, so they stay uniform.
class BucketGrid
{
public:
    BucketGrid(std::int64_t startUs, std::int64_t endUs, std::int64_t seconds, const QTimeZone* zone);

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
    Sql keyExpression() const;

private:
    static std::int64_t offsetFromUtc(const QTimeZone& zone, std::int64_t us);
    static std::int64_t utcOfLocal(const QTimeZone& zone, std::int64_t local);
    std::int64_t rawIndex(std::int64_t us) const;

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
    // Spindle extensions (stats.cpp's header): usage_group_by, include_totals, usage_sample.
    bool groupByModel = true;
    bool groupByOp = false;
    bool totals = false;
    std::size_t sampleLimit = 0;
    bool needsPrices = false; // costs or a sample (whose points carry their cost)
    // The scan's columns: 0 bucket, 1 latency_ms, 2 has exception, 3 started_at, 4 summary (or NULL),
    // then op_name and rowid when these are >= 0.
    int opColumn = -1;
    int rowidColumn = -1;
    Sql sql;
    // sql.params[rangeParam] and [rangeParam + 1] are the scan's start and end (µs): a slice of the
    // range is scanned by binding other values to them.
    std::size_t rangeParam = 0;
};

StatsPlan planStats(const JsonValue& body, std::int64_t now);

// ---------------------------------------------------------------------------------------------
// Aggregation (stats.cpp, statsusage.cpp)

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

    // Adds another slice's values of the same metric (values are kept in both or in neither).
    void merge(const Series& other)
    {
        if (other.count == 0)
            return;
        min = count == 0 ? other.min : std::min(min, other.min);
        max = count == 0 ? other.max : std::max(max, other.max);
        count += other.count;
        sum += other.sum;
        zeros += other.zeros;
        ones += other.ones;
        values.insert(values.end(), other.values.begin(), other.values.end());
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

// Appends `,"<agg>_<metric>":…` and `,"p<N>_<metric>":…` for `spec` (sorts series.values).
void appendSeries(std::string& out, const MetricSpec& spec, Series& series);

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
using NameIndex = std::unordered_map<std::string, std::uint32_t, TransparentHash, std::equal_to<>>;

// Names the sampled calls (looked up by rowid after the scan).
struct SampledCall
{
    std::string id, traceId, opName;
};

class PriceTimeline;
// A model's effective dates for PriceTimeline (bound: llm_id, project_id).
inline constexpr const char* kPriceDatesSql = "SELECT DISTINCT effective_date FROM llm_token_prices WHERE "
                                              "llm_id = ? AND pricing_level_id IN ('default', ?) ORDER BY 1";

// usage_metrics: per (group, bucket) series of the per-entry values, where a group is a model, an
// op or both (usage_group_by); also the whole range's totals and the usage sample when asked for.
class UsageStats
{
public:
    // `dates` lists a model's effective dates (kPriceDatesSql); needed only when plan.needsPrices.
    UsageStats(const StatsPlan& plan, const PriceBook* book, Statement* dates);
    ~UsageStats();

    // One scanned row that has a summary; `op` and `rowid` only matter when grouped or sampled.
    void add(std::size_t bucket, std::int64_t startedAt, std::string_view summary, std::string_view op,
        std::int64_t rowid);

    // Adds what `other` gathered from another slice of the range (same plan).
    void merge(UsageStats&& other);

    void appendBuckets(std::string& out); // usage_buckets items
    void appendTotals(std::string& out); // usage_totals items
    std::vector<std::int64_t> sampledRowids() const;
    // usage_sample items, each call named by `names` (calls missing from it are skipped).
    void appendSample(std::string& out, const std::unordered_map<std::int64_t, SampledCall>& names);
    std::int64_t sampledFrom() const
    {
        return m_sampledFrom;
    }

private:
    struct Model;
    struct Group
    {
        std::uint32_t model, op;
    };
    struct SamplePoint
    {
        std::uint32_t model;
        double input, output;
        std::optional<double> cost;
    };
    struct SampleCall
    {
        std::uint64_t key;
        std::int64_t rowid, startedAt;
        std::vector<SamplePoint> points;
        bool operator<(const SampleCall& other) const
        {
            return key != other.key ? key < other.key : rowid < other.rowid;
        }
    };

    std::uint32_t modelIndex(std::string_view name);
    std::uint32_t opIndex(std::string_view name);
    std::size_t groupOf(std::uint32_t model, std::uint32_t op);
    UsageCell& cellOf(std::size_t group, std::size_t bucket);
    const PriceRow* priceOf(std::uint32_t model, std::int64_t startedAt);
    void addValues(UsageCell& cell, const double* values, bool priced);
    std::vector<std::size_t> groupOrder() const;
    void appendGroupKeys(std::string& out, std::size_t group) const;
    void offerSample(SampleCall&& call);

    const StatsPlan& m_plan;
    const PriceBook* m_book;
    Statement* m_dates;
    std::vector<bool> m_keep;
    SummaryParser m_parser;
    std::vector<Model> m_models;
    NameIndex m_modelIndex;
    std::uint32_t m_lastModel = UINT32_MAX;
    std::vector<std::string> m_ops;
    NameIndex m_opIndex;
    std::uint32_t m_lastOp = UINT32_MAX;
    std::vector<Group> m_groups;
    std::unordered_map<std::uint64_t, std::size_t> m_groupIndex;
    std::deque<UsageCell> m_cells;
    std::unordered_map<std::uint64_t, std::size_t> m_cellIndex;
    UsageCell* m_lastCell = nullptr;
    std::uint64_t m_lastKey = 0;
    std::vector<SampleCall> m_sample; // a max-heap on (key, rowid) of at most sampleLimit calls
    std::int64_t m_sampledFrom = 0; // usage entries the sample was drawn from
};

} // namespace spindle::server::statsdetail
