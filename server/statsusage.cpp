// /calls/stats usage metrics: per (group, bucket) series, the range's totals and the usage sample.
// stats.cpp documents what they mean; this is how they are computed in the one scan.
#include "core/timeformat.h"
#include "server/statsdetail.h"

#include <algorithm>
#include <tuple>

namespace spindle::server::statsdetail {

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

struct UsageStats::Model
{
    std::string name;
    std::unique_ptr<PriceTimeline> prices;
};

namespace {

constexpr std::uint32_t kNone = UINT32_MAX; // a group key left out by usage_group_by

// The sample's order: a multiplicative hash of the rowid (Knuth's 2654435761, mod 2^32). The same
// calls are chosen whatever else is in the range, and the expression is plain SQLite integer
// arithmetic, so the sqlite3 CLI can pick the same sample (bench_dashboard).
std::uint64_t sampleKey(std::int64_t rowid)
{
    return (static_cast<std::uint64_t>(rowid) * 2654435761ULL) & 0xFFFFFFFFULL;
}

void mergeCell(UsageCell& into, const UsageCell& from)
{
    into.entries += from.entries;
    for (std::size_t i = 0; i < into.series.size(); ++i)
        into.series[i].merge(from.series[i]);
}

double metricValue(int metric, const TokenCounts& n, double inputCost, double outputCost)
{
    switch (metric) {
    case InputTokens:
        return n.prompt;
    case OutputTokens:
        return n.completion;
    case TotalTokens:
        return n.total;
    case CacheReadTokens:
        return n.cacheRead;
    case CacheCreationTokens:
        return n.cacheCreation;
    case Requests:
        return n.requests;
    case InputCost:
        return inputCost;
    case OutputCost:
        return outputCost;
    case TotalCost:
        return inputCost + outputCost;
    }
    return 0;
}

} // namespace

UsageStats::UsageStats(const StatsPlan& plan, const PriceBook* book, Statement* dates)
    : m_plan(plan)
    , m_book(book)
    , m_dates(dates)
{
    for (const auto& spec : plan.usage)
        m_keep.push_back(!spec.percentiles.empty());
}

UsageStats::~UsageStats() = default;

void UsageStats::add(std::size_t bucket, std::int64_t startedAt, std::string_view summary,
    std::string_view op, std::int64_t rowid)
{
    const JsonValue* usage = m_parser.usageOf(summary);
    if (!usage)
        return;
    const std::uint32_t opIdx = m_plan.groupByOp ? opIndex(op) : kNone;
    // A call enters the sample when the heap has room or its key beats the largest kept one.
    SampleCall candidate { sampleKey(rowid), rowid, startedAt, {} };
    const bool sampling =
        m_plan.sampleLimit > 0 && (m_sample.size() < m_plan.sampleLimit || candidate < m_sample.front());
    double values[std::size(kUsageMetricNames)];
    for (const auto& entry : usage->GetObject()) {
        if (!entry.value.IsObject())
            continue;
        const std::uint32_t model = modelIndex(stringView(entry.name));
        const TokenCounts n = normaliseUsage(entry.value);
        const PriceRow* price = m_plan.needsPrices ? priceOf(model, startedAt) : nullptr;
        const EntryCost cost = price ? costOf(n, *price) : EntryCost {};
        const double inputCost = cost.input(), outputCost = cost.completion;
        if (!m_plan.usage.empty()) {
            for (std::size_t i = 0; i < m_plan.usage.size(); ++i)
                values[i] = metricValue(m_plan.usage[i].metric, n, inputCost, outputCost);
            const std::size_t group = groupOf(m_plan.groupByModel ? model : kNone, opIdx);
            addValues(cellOf(group, bucket), values, price != nullptr);
        }
        if (m_plan.sampleLimit > 0) {
            ++m_sampledFrom;
            if (sampling)
                candidate.points.push_back(SamplePoint { model, n.prompt, n.completion,
                    price ? std::optional<double>(inputCost + outputCost) : std::nullopt });
        }
    }
    if (sampling && !candidate.points.empty())
        offerSample(std::move(candidate));
}

void UsageStats::merge(UsageStats&& other)
{
    // Other's model and op numbers are its own: translate them through the names.
    std::vector<std::uint32_t> models, ops;
    for (const Model& model : other.m_models)
        models.push_back(modelIndex(model.name));
    for (const std::string& op : other.m_ops)
        ops.push_back(opIndex(op));
    const auto translate = [](const std::vector<std::uint32_t>& to, std::uint32_t index) {
        return index == kNone ? kNone : to[index];
    };
    std::vector<std::size_t> groups;
    for (const Group& group : other.m_groups)
        groups.push_back(groupOf(translate(models, group.model), translate(ops, group.op)));
    for (const auto& [key, index] : other.m_cellIndex)
        mergeCell(cellOf(groups[key >> 32], key & 0xFFFFFFFFULL), other.m_cells[index]);
    m_sampledFrom += other.m_sampledFrom;
    for (SampleCall& call : other.m_sample) {
        if (m_sample.size() >= m_plan.sampleLimit && !(call < m_sample.front()))
            continue;
        for (SamplePoint& point : call.points)
            point.model = models[point.model];
        offerSample(std::move(call));
    }
}

void UsageStats::addValues(UsageCell& cell, const double* values, bool priced)
{
    ++cell.entries;
    for (std::size_t i = 0; i < m_plan.usage.size(); ++i) {
        if (m_plan.usage[i].metric >= InputCost && !priced)
            continue; // an unpriced model has no cost
        cell.series[i].add(values[i], m_keep[i]);
    }
}

void UsageStats::offerSample(SampleCall&& call)
{
    if (m_sample.size() >= m_plan.sampleLimit) {
        std::pop_heap(m_sample.begin(), m_sample.end());
        m_sample.pop_back();
    }
    m_sample.push_back(std::move(call));
    std::push_heap(m_sample.begin(), m_sample.end());
}

std::uint32_t UsageStats::modelIndex(std::string_view name)
{
    if (m_lastModel < m_models.size() && m_models[m_lastModel].name == name)
        return m_lastModel;
    auto it = m_modelIndex.find(name);
    if (it == m_modelIndex.end()) {
        m_models.push_back(Model { std::string(name), nullptr });
        it = m_modelIndex.emplace(m_models.back().name, std::uint32_t(m_models.size() - 1)).first;
    }
    m_lastModel = it->second;
    return m_lastModel;
}

std::uint32_t UsageStats::opIndex(std::string_view name)
{
    if (m_lastOp < m_ops.size() && m_ops[m_lastOp] == name)
        return m_lastOp;
    auto it = m_opIndex.find(name);
    if (it == m_opIndex.end()) {
        m_ops.emplace_back(name);
        it = m_opIndex.emplace(m_ops.back(), std::uint32_t(m_ops.size() - 1)).first;
    }
    m_lastOp = it->second;
    return m_lastOp;
}

std::size_t UsageStats::groupOf(std::uint32_t model, std::uint32_t op)
{
    const std::uint64_t key = (std::uint64_t(model) << 32) | op;
    const auto [it, inserted] = m_groupIndex.try_emplace(key, m_groups.size());
    if (inserted)
        m_groups.push_back(Group { model, op });
    return it->second;
}

UsageCell& UsageStats::cellOf(std::size_t group, std::size_t bucket)
{
    const std::uint64_t k = (std::uint64_t(group) << 32) | std::uint64_t(bucket);
    if (m_lastCell && m_lastKey == k)
        return *m_lastCell;
    const auto [it, inserted] = m_cellIndex.try_emplace(k, m_cells.size());
    if (inserted)
        m_cells.push_back(UsageCell { 0, std::vector<Series>(m_plan.usage.size()) });
    m_lastKey = k;
    m_lastCell = &m_cells[it->second];
    return *m_lastCell;
}

const PriceRow* UsageStats::priceOf(std::uint32_t model, std::int64_t startedAt)
{
    Model& m = m_models[model];
    if (!m.prices) {
        m.prices = std::make_unique<PriceTimeline>();
        m.prices->load(*m_dates, m.name, m_plan.projectId);
    }
    return m.prices->at(startedAt, *m_book, m.name);
}

// Groups by model name, then op name (the keys usage_group_by asked for).
std::vector<std::size_t> UsageStats::groupOrder() const
{
    std::vector<std::size_t> order(m_groups.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    const auto name = [](const auto& names, std::uint32_t index) -> std::string_view {
        if (index == kNone)
            return {};
        if constexpr (std::is_same_v<std::decay_t<decltype(names)>, std::vector<Model>>)
            return names[index].name;
        else
            return names[index];
    };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const Group &ga = m_groups[a], &gb = m_groups[b];
        const auto ka = std::pair(name(m_models, ga.model), name(m_ops, ga.op));
        const auto kb = std::pair(name(m_models, gb.model), name(m_ops, gb.op));
        return ka < kb;
    });
    return order;
}

void UsageStats::appendGroupKeys(std::string& out, std::size_t group) const
{
    const Group& g = m_groups[group];
    if (m_plan.groupByModel) {
        out += ",\"model\":";
        appendJsonString(out, m_models[g.model].name);
    }
    if (m_plan.groupByOp) {
        out += ",\"op_name\":";
        appendJsonString(out, m_ops[g.op]);
    }
}

void UsageStats::appendBuckets(std::string& out)
{
    const std::vector<std::size_t> order = groupOrder();
    // Grouped by op (Spindle's own grouping), only the cells that hold usage are sent: every op
    // version is a group of its own, and most are empty in most buckets. By model the grid is whole,
    // as hosted Weave sends it.
    const bool sparse = m_plan.groupByOp;
    const std::size_t entries = sparse ? m_cells.size() : m_plan.grid->size() * order.size();
    std::size_t valuesPerEntry = 1; // the count
    for (const MetricSpec& spec : m_plan.usage)
        valuesPerEntry += spec.aggs.size() + spec.percentiles.size();
    if (entries > kMaxUsageRows || entries * valuesPerEntry > kMaxUsageValues)
        throw ApiError(413,
            "usage_buckets would hold " + std::to_string(entries) + " entries (buckets × groups) of "
                + std::to_string(valuesPerEntry)
                + " numbers each; use a larger granularity, a shorter range, a filter or fewer aggregations");
    bool first = true;
    const auto append = [&](std::size_t bucket, std::size_t group, UsageCell& cell) {
        out += first ? "{\"timestamp\":\"" : ",{\"timestamp\":\"";
        first = false;
        out += formatIsoTime(m_plan.grid->startOf(bucket));
        out += '"';
        appendGroupKeys(out, group);
        for (std::size_t i = 0; i < m_plan.usage.size(); ++i)
            appendSeries(out, m_plan.usage[i], cell.series[i]);
        out += ",\"count\":" + std::to_string(cell.entries) + "}";
    };
    if (sparse) { // the cells themselves, in (bucket, group order): not every pair of the grid looked up
        std::vector<std::size_t> rank(m_groups.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            rank[order[i]] = i;
        std::vector<std::tuple<std::size_t, std::size_t, std::size_t>> cells; // bucket, rank, cell
        cells.reserve(m_cellIndex.size());
        for (const auto& [key, index] : m_cellIndex)
            cells.emplace_back(key & 0xffffffffu, rank[key >> 32], index);
        std::sort(cells.begin(), cells.end());
        for (const auto& [bucket, groupRank, index] : cells)
            append(bucket, order[groupRank], m_cells[index]);
        return;
    }
    UsageCell empty { 0, std::vector<Series>(m_plan.usage.size()) };
    for (std::size_t bucket = 0; bucket < m_plan.grid->size(); ++bucket)
        for (const std::size_t group : order) {
            const auto it = m_cellIndex.find((std::uint64_t(group) << 32) | std::uint64_t(bucket));
            append(bucket, group, it == m_cellIndex.end() ? empty : m_cells[it->second]);
        }
}

void UsageStats::appendTotals(std::string& out)
{
    // Each group's cells added up: cheaper than a second series per entry in the scan.
    std::vector<UsageCell> totals(m_groups.size(), UsageCell { 0, std::vector<Series>(m_plan.usage.size()) });
    for (const auto& [key, index] : m_cellIndex)
        mergeCell(totals[key >> 32], m_cells[index]);
    bool first = true;
    for (const std::size_t group : groupOrder()) {
        UsageCell& cell = totals[group];
        out += first ? "{" : ",{";
        first = false;
        std::string keys;
        appendGroupKeys(keys, group);
        out.append(keys, 1, std::string::npos); // without the leading comma
        for (std::size_t i = 0; i < m_plan.usage.size(); ++i)
            appendSeries(out, m_plan.usage[i], cell.series[i]);
        out += ",\"count\":" + std::to_string(cell.entries) + "}";
    }
}

std::vector<std::int64_t> UsageStats::sampledRowids() const
{
    std::vector<std::int64_t> rowids;
    rowids.reserve(m_sample.size());
    for (const SampleCall& call : m_sample)
        rowids.push_back(call.rowid);
    return rowids;
}

void UsageStats::appendSample(std::string& out, const std::unordered_map<std::int64_t, SampledCall>& names)
{
    // The first sampleLimit points in key order, listed by time.
    std::sort(m_sample.begin(), m_sample.end());
    std::size_t points = 0, calls = 0;
    while (calls < m_sample.size() && points < m_plan.sampleLimit)
        points += m_sample[calls++].points.size();
    std::vector<SampleCall> chosen(std::make_move_iterator(m_sample.begin()),
        std::make_move_iterator(m_sample.begin() + std::ptrdiff_t(calls)));
    std::sort(chosen.begin(), chosen.end(), [](const SampleCall& a, const SampleCall& b) {
        return a.startedAt != b.startedAt ? a.startedAt < b.startedAt : a.rowid < b.rowid;
    });
    std::size_t written = 0;
    for (const SampleCall& call : chosen) {
        const auto name = names.find(call.rowid);
        if (name == names.end())
            continue;
        for (const SamplePoint& point : call.points) {
            if (written++ == m_plan.sampleLimit)
                return;
            out += written == 1 ? "{\"id\":" : ",{\"id\":";
            appendJsonString(out, name->second.id);
            out += ",\"trace_id\":";
            appendJsonString(out, name->second.traceId);
            out += ",\"op_name\":";
            appendJsonString(out, name->second.opName);
            out += ",\"started_at\":\"" + formatIsoTime(call.startedAt) + "\",\"model\":";
            appendJsonString(out, m_models[point.model].name);
            out += ",\"input_tokens\":";
            appendNumber(out, point.input);
            out += ",\"output_tokens\":";
            appendNumber(out, point.output);
            out += ",\"total_cost\":";
            point.cost ? appendNumber(out, *point.cost) : void(out += "null");
            out += '}';
        }
    }
}

} // namespace spindle::server::statsdetail
