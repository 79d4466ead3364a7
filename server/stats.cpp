// /calls/stats (weave-protocol.md 1.2). /trace/usage and /calls/usage are in usage.cpp.
//
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
//    (more than 1 000 000 such entries, or 5 000 000 numbers in them, is a 413).
//  Differences from hosted Weave: costs support every aggregation (hosted: sum only) and are priced at
//  each call's start (hosted: the newest price); total_tokens falls back to input + output (hosted:
//  null); timestamps are UTC rather than in `timezone`; percentiles are exact (hosted: approximate).
//
//  Spindle extensions (the desktop dashboard's; hosted Weave has none of them):
//  - usage metric `requests`: the entry's `requests` (LLM requests, as the SDK rolled them up).
//  - `usage_group_by`: ["model"] (default, hosted's shape), ["op_name"] or ["model", "op_name"]:
//    usage_buckets (and usage_totals) get one entry per bucket and group seen in the range, keyed by
//    the listed fields, ordered by time, then model, then op_name. op_name is the call's as stored.
//    Grouped by op_name, usage_buckets holds only the cells with usage, not the whole grid.
//  - `include_totals`: the whole range as one more bucket, exact (percentiles too):
//    "call_totals": {<agg>_<metric>..., count} when call_metrics are asked for, and "usage_totals":
//    [{<group keys>, <agg>_<metric>..., count}] when usage_metrics are. Saves a second scan.
//  - `usage_sample`: N (1..10000) → "usage_sample": at most N usage entries {id, trace_id, op_name,
//    started_at, model, input_tokens, output_tokens, total_cost (null when unpriced)} of the matched
//    calls, listed by started_at, and "usage_sample_of": the number of entries they were drawn from.
//    The calls are those with the smallest (rowid × 2654435761) mod 2^32 (then rowid): a uniform
//    sample that does not change when the range moves or calls are added elsewhere, chosen during
//    the same scan (a bounded heap) instead of by a second ORDER BY … LIMIT over the range.
//
// How it runs: one SQL statement over the (project_id, started_at) index; the bucket number is
// integer arithmetic on started_at (a CASE over the UTC-offset changes for day buckets in a zone
// with daylight saving). The scan returns (bucket, latency_ms, has exception, started_at, summary for
// calls whose total_tokens is set, and op_name and rowid when grouped or sampled) in index order and
// the aggregation happens here (statsusage.cpp), so one pass serves call metrics, usage metrics,
// totals and the sample. That beats a SQL GROUP BY on the same rows, whose sorter costs more than the
// aggregation (docs/benchmarks.md, bench_dashboard: each request against the sqlite3 CLI running
// equivalent GROUP BY / json_each SQL). RapidJSON parses summary in situ, prices come from a per-model
// timeline of effective dates, and each bucket's latencies are sorted once when percentiles are asked
// for. A range of 6 hours or more is cut into equal slices of time (one per core, 2 to 4) scanned at
// once on their own connections and added up: a month of every call is mostly reading table rows, which
// one core does at ~1 GB/s (docs/benchmarks.md, dashboard D2).
#include "server/stats.h"

#include "core/timeformat.h"
#include "server/statsdetail.h"

#include <algorithm>
#include <exception>
#include <thread>

namespace spindle::server {

using namespace statsdetail;

namespace {

// The two ranks (0-based) a percentile of n values interpolates between.
std::pair<std::int64_t, std::int64_t> closestRanks(std::int64_t n, double percentile)
{
    const auto lower = static_cast<std::int64_t>(std::floor(percentile / 100.0 * static_cast<double>(n - 1)));
    return { lower, std::min(lower + 1, n - 1) };
}

// Linear interpolation between the closest ranks (numpy's default) of n sorted values.
template <typename ValueAt> double interpolate(std::int64_t n, double percentile, ValueAt at)
{
    const double position = percentile / 100.0 * static_cast<double>(n - 1);
    const auto [lower, upper] = closestRanks(n, percentile);
    const double a = at(lower), b = at(upper);
    return a + (b - a) * (position - static_cast<double>(lower));
}

// Puts the values the percentiles need at their sorted places without sorting them all: a month of
// calls is ~1M latencies, and three percentiles need six ranks.
void placeRanks(std::vector<double>& values, const std::vector<double>& percentiles)
{
    std::vector<std::int64_t> ranks;
    for (const double percentile : percentiles) {
        const auto [lower, upper] = closestRanks(std::int64_t(values.size()), percentile);
        ranks.push_back(lower);
        ranks.push_back(upper);
    }
    std::sort(ranks.begin(), ranks.end());
    auto from = values.begin(); // everything before `from` is in place
    for (const std::int64_t rank : ranks) {
        const auto at = values.begin() + rank;
        if (at < from)
            continue;
        std::nth_element(from, at, values.end());
        from = at + 1;
    }
}

std::string percentileLabel(double percentile)
{
    if (percentile == std::trunc(percentile))
        return std::to_string(static_cast<long long>(percentile));
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, percentile);
    return std::string(buffer, result.ptr);
}

} // namespace

void statsdetail::appendSeries(std::string& out, const MetricSpec& spec, Series& series)
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
    if (!series.binary && !series.values.empty())
        placeRanks(series.values, spec.percentiles);
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

namespace {

struct CallCell
{
    std::int64_t calls = 0;
    std::int64_t errors = 0;
    Series latency;
};

// One scanned row: columns 1 (latency_ms) and 2 (has exception).
void addCall(CallCell& cell, const Statement& row, bool keepLatency)
{
    ++cell.calls;
    cell.errors += row.columnInt(2);
    if (!row.isNull(1))
        cell.latency.add(static_cast<double>(row.columnInt(1)), keepLatency);
}

// The call metrics of one bucket (or the totals), each value after a comma, then the count.
void appendCallCell(std::string& out, const StatsPlan& plan, CallCell& cell)
{
    std::string values;
    for (const auto& spec : plan.calls) {
        if (spec.metric == LatencyMs) {
            appendSeries(values, spec, cell.latency);
        } else {
            Series series = Series::binaryOf(cell.calls, spec.metric == CallCount ? cell.calls : cell.errors);
            appendSeries(values, spec, series);
        }
    }
    values += ",\"count\":" + std::to_string(cell.calls);
    out.append(values, 1, std::string::npos);
}

void appendCallBuckets(std::string& out, const StatsPlan& plan, std::vector<CallCell>& cells)
{
    for (std::size_t bucket = 0; bucket < cells.size(); ++bucket) {
        out += bucket ? ",{\"timestamp\":\"" : "{\"timestamp\":\"";
        out += formatIsoTime(plan.grid->startOf(bucket));
        out += "\",";
        appendCallCell(out, plan, cells[bucket]);
        out += '}';
    }
}

// id, trace_id and op_name of the sampled calls, read by rowid after the scan (same snapshot).
std::unordered_map<std::int64_t, SampledCall> nameSampledCalls(
    Connection& reader, const std::vector<std::int64_t>& rowids)
{
    std::unordered_map<std::int64_t, SampledCall> names;
    if (rowids.empty())
        return names;
    Sql sql { "SELECT rowid, id, trace_id, op_name FROM calls WHERE rowid IN (", {} };
    for (std::size_t i = 0; i < rowids.size(); ++i)
        (i ? sql.append(", ") : sql).bind(rowids[i]);
    sql.append(")");
    auto stmt = reader.prepareAdHoc(sql.text);
    stmt->bindAll(sql.params);
    while (stmt->step())
        names.emplace(stmt->columnInt(0),
            SampledCall { std::string(stmt->columnText(1)), std::string(stmt->columnText(2)),
                std::string(stmt->columnText(3)) });
    return names;
}

// call_totals, usage_totals, usage_sample and usage_sample_of, when asked for.
void appendExtensions(std::string& out, const StatsPlan& plan, CallCell& callTotals, UsageStats* usage,
    const std::unordered_map<std::int64_t, SampledCall>& sampled)
{
    if (plan.totals && !plan.calls.empty()) {
        out += ",\"call_totals\":{";
        appendCallCell(out, plan, callTotals);
        out += '}';
    }
    if (plan.totals && !plan.usage.empty()) {
        out += ",\"usage_totals\":[";
        if (usage)
            usage->appendTotals(out);
        out += ']';
    }
    if (plan.sampleLimit > 0) {
        out += ",\"usage_sample\":[";
        if (usage)
            usage->appendSample(out, sampled);
        out += "],\"usage_sample_of\":" + std::to_string(usage ? usage->sampledFrom() : 0);
    }
}

} // namespace

std::vector<Sql> callsStatsSql(const JsonValue& body, std::int64_t nowMicros)
{
    StatsPlan plan = planStats(body, nowMicros);
    if (plan.sql.text.empty())
        return {};
    return { std::move(plan.sql) };
}

namespace {

// Ranges from this long on are scanned in slices on several connections at once.
constexpr std::int64_t kSplitRangeMicros = 6 * 3600 * kMicros;

// What one slice [from, to) of the range adds up to.
struct ScanPart
{
    std::int64_t from = 0, to = 0;
    std::vector<CallCell> cells;
    std::unique_ptr<UsageStats> usage;
};

// Equal slices of time, one per core (at least two, so one machine's answers do not depend on its
// cores); a short range is one slice.
std::vector<ScanPart> sliceRange(const StatsPlan& plan)
{
    const std::int64_t span = plan.endUs - plan.startUs;
    const auto cores = static_cast<std::int64_t>(std::thread::hardware_concurrency());
    const std::int64_t count = span < kSplitRangeMicros ? 1 : std::clamp<std::int64_t>(cores, 2, 4);
    std::vector<ScanPart> parts(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) {
        parts[std::size_t(i)].from = plan.startUs + span * i / count;
        parts[std::size_t(i)].to = i + 1 == count ? plan.endUs : plan.startUs + span * (i + 1) / count;
    }
    return parts;
}

void scanPart(Connection& reader, const StatsPlan& plan, const PriceBook* book, ScanPart& part)
{
    CostFunctionScope costFunction(reader, book, plan.sql.text);
    // The dates statement dies with this call; `usage` reads it only in add().
    const auto dates = plan.needsPrices ? reader.prepare(kPriceDatesSql) : nullptr;
    if (!plan.usage.empty() || plan.sampleLimit > 0)
        part.usage = std::make_unique<UsageStats>(plan, book, dates.get());
    part.cells.resize(plan.calls.empty() ? 0 : plan.grid->size());
    std::vector<SqlValue> params = plan.sql.params;
    params[plan.rangeParam] = part.from;
    params[plan.rangeParam + 1] = part.to;
    auto stmt = reader.prepareAdHoc(plan.sql.text);
    stmt->bindAll(params);
    const bool calls = !plan.calls.empty();
    while (stmt->step()) {
        const std::size_t bucket = plan.grid->clamp(stmt->columnInt(0));
        if (calls) {
            addCall(part.cells[bucket], *stmt, plan.latencyValues);
        }
        if (part.usage && !stmt->isNull(4))
            part.usage->add(bucket, stmt->columnInt(3), stmt->columnText(4),
                plan.opColumn >= 0 ? stmt->columnText(plan.opColumn) : std::string_view(),
                plan.rowidColumn >= 0 ? stmt->columnInt(plan.rowidColumn) : 0);
    }
}

void mergeCallCell(CallCell& into, const CallCell& from)
{
    into.calls += from.calls;
    into.errors += from.errors;
    into.latency.merge(from.latency);
}

// Scans every slice but the first on its own connection and thread, the first on `reader`, and
// adds them all into the first. Each slice reads its own snapshot: the slices hold disjoint calls
// (by started_at), so a call written meanwhile is counted once or not at all, never twice.
ScanPart scanInSlices(Connection& reader, Database& db, const StatsPlan& plan, const PriceBook* book)
{
    std::vector<ScanPart> parts = sliceRange(plan);
    std::vector<std::exception_ptr> errors(parts.size());
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 1; i < parts.size(); ++i)
            threads.emplace_back([&, i] {
                try {
                    auto sliceReader = db.read();
                    ReadSnapshot snapshot(*sliceReader);
                    scanPart(*sliceReader, plan, book, parts[i]);
                } catch (...) {
                    errors[i] = std::current_exception();
                }
            });
        try {
            scanPart(reader, plan, book, parts[0]);
        } catch (...) {
            errors[0] = std::current_exception();
        }
    } // joins the threads
    for (const auto& error : errors)
        if (error)
            std::rethrow_exception(error);
    ScanPart& all = parts[0];
    for (std::size_t i = 1; i < parts.size(); ++i) {
        for (std::size_t bucket = 0; bucket < all.cells.size(); ++bucket)
            mergeCallCell(all.cells[bucket], parts[i].cells[bucket]);
        if (all.usage)
            all.usage->merge(std::move(*parts[i].usage));
    }
    return std::move(all);
}

} // namespace

std::string callsStats(const JsonValue& body, RequestContext& context)
{
    const StatsPlan plan = planStats(body, nowMicros());
    ScanPart scanned;
    scanned.cells.resize(plan.calls.empty() ? 0 : plan.grid->size());
    std::unordered_map<std::int64_t, SampledCall> sampled;
    if (!plan.sql.text.empty() && plan.grid->size() > 0) {
        auto reader = context.db.read();
        ReadSnapshot snapshot(*reader);
        std::unique_ptr<PriceBook> book;
        if (plan.needsPrices || usesCostFunction(plan.sql.text))
            book = std::make_unique<PriceBook>(context.prices.forProject(*reader, plan.projectId));
        scanned = scanInSlices(*reader, context.db, plan, book.get());
        if (scanned.usage && plan.sampleLimit > 0)
            sampled = nameSampledCalls(*reader, scanned.usage->sampledRowids());
    }
    std::vector<CallCell>& callCells = scanned.cells;
    CallCell callTotals; // the buckets added up: cheaper than a second cell per row in the scan
    if (plan.totals)
        for (const CallCell& cell : callCells)
            mergeCallCell(callTotals, cell);
    UsageStats* usage = scanned.usage.get();

    std::string out = "{\"start\":\"" + formatIsoTime(plan.startUs) + "\",\"end\":\""
        + formatIsoTime(plan.endUs) + "\",\"granularity\":" + std::to_string(plan.granularity)
        + ",\"timezone\":";
    appendJsonString(out, plan.timezone);
    out += ",\"usage_buckets\":[";
    if (usage && !plan.usage.empty())
        usage->appendBuckets(out);
    out += "],\"call_buckets\":[";
    appendCallBuckets(out, plan, callCells);
    out += ']';
    appendExtensions(out, plan, callTotals, usage, sampled);
    return out + '}';
}

} // namespace spindle::server
