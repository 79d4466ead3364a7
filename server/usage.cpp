// /trace/usage and /calls/usage (weave-protocol.md 1.2, 2.3 and 4): per-call usage and cost rollups.
//
// POST /trace/usage and /calls/usage: as the protocol describes, with these choices:
//  - /trace/usage rolls up within the matched calls (at most `limit`, default 10 000, ordered by
//    started_at); every matched call is a key of call_usage, `{}` when it has no usage.
//  - /calls/usage loads every call of the listed calls' traces, in batches of at most `limit` calls
//    (one trace over it is a 413), and lists every running call of them in unfinished_call_ids, as
//    Weave's newer revision does. Each listed id is a key, `{}` when it is unknown or deleted.
//  - Costs (include_costs) are each call's own summary.weave.costs (4.4) summed up the tree; without
//    include_costs the cost fields are null. Models whose numbers are all zero are left out.
#include "server/callquery.h"
#include "server/stats.h"
#include "server/statsdetail.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace spindle::server {

using namespace statsdetail;

namespace {

constexpr std::int64_t kDefaultUsageLimit = 10'000;
constexpr std::size_t kMaxUsageCallIds = 1000;

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
            const EntryCost cost = costOf(n, *price);
            own.promptCost = cost.prompt;
            own.completionCost = cost.completion;
            own.cacheReadCost = cost.cacheRead;
            own.cacheCreationCost = cost.cacheCreation;
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
        const std::pair<const char*, double> tokenFields[] = {
            { ":{\"requests\":", u.requests },
            { ",\"prompt_tokens\":", u.prompt },
            { ",\"completion_tokens\":", u.completion },
            { ",\"total_tokens\":", u.total },
            { ",\"cache_read_input_tokens\":", u.cacheRead },
            { ",\"cache_creation_input_tokens\":", u.cacheCreation },
        };
        for (const auto& [key, value] : tokenFields) {
            out += key;
            appendNumber(out, value);
        }
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
                if (isWholeInt64(value))
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
    return std::min(limit, std::numeric_limits<std::int64_t>::max() - 1); // the query asks for limit + 1
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

// The traces of the listed calls, in batches of at most `limit` calls each; 413 when one trace alone
// holds more.
std::vector<std::vector<std::string>> traceBatches(
    Connection& reader, const std::string& projectId, const std::vector<std::string>& ids, std::int64_t limit)
{
    Sql sql { "SELECT trace_id, COUNT(*) FROM calls WHERE project_id = ?", { projectId } };
    sql.append(
           " AND deleted_at IS NULL AND started_at IS NOT NULL AND trace_id IN (SELECT trace_id FROM calls "
           "WHERE project_id = ")
        .bind(projectId)
        .append(" AND deleted_at IS NULL AND started_at IS NOT NULL AND id IN ")
        .bindList(ids)
        .append(") GROUP BY trace_id ORDER BY trace_id");
    auto stmt = reader.prepareAdHoc(sql.text);
    stmt->bindAll(sql.params);
    std::vector<std::vector<std::string>> batches;
    std::int64_t inBatch = 0;
    while (stmt->step()) {
        const std::int64_t calls = stmt->columnInt(1);
        if (calls > limit)
            throw ApiError(413,
                "trace " + std::string(stmt->columnText(0)) + " holds " + std::to_string(calls)
                    + " calls, more than the limit of " + std::to_string(limit) + "; pass a larger limit");
        if (batches.empty() || inBatch + calls > limit) {
            batches.emplace_back();
            inBatch = 0;
        }
        batches.back().emplace_back(stmt->columnText(0));
        inBatch += calls;
    }
    return batches;
}

} // namespace

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
        if (includeCosts || usesCostFunction(sql.text))
            book = std::make_unique<PriceBook>(context.prices.forProject(*reader, query.projectId));
        CostFunctionScope costFunction(*reader, book.get(), sql.text);
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

    std::map<std::string, UsageByModel, std::less<>> usageOf; // of the listed calls found
    std::set<std::string> unfinished; // every running call of their traces, as Weave lists them
    const std::set<std::string, std::less<>> wanted(ids.begin(), ids.end());
    if (!ids.empty()) {
        auto reader = context.db.read();
        ReadSnapshot snapshot(*reader);
        std::unique_ptr<PriceBook> book;
        if (includeCosts)
            book = std::make_unique<PriceBook>(context.prices.forProject(*reader, projectId));
        // As Weave does: the traces go in batches of at most `limit` calls; only a single trace over
        // the limit is refused.
        for (const std::vector<std::string>& batch : traceBatches(*reader, projectId, ids, limit)) {
            Sql sql { std::string("SELECT ") + kUsageColumns + " FROM calls WHERE project_id = ?",
                { projectId } };
            sql.append(" AND deleted_at IS NULL AND started_at IS NOT NULL AND trace_id IN ")
                .bindList(batch)
                .append(" ORDER BY started_at, id");
            std::vector<UsageCall> calls = loadUsageCalls(*reader, sql, book.get());
            rollUp(calls);
            for (UsageCall& call : calls) {
                if (call.running)
                    unfinished.insert(call.id);
                if (wanted.count(call.id))
                    usageOf.emplace(call.id, std::move(call.usage));
            }
        }
    }
    std::string out = "{\"call_usage\":{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i)
            out += ',';
        appendJsonString(out, ids[i]);
        out += ':';
        const auto it = usageOf.find(ids[i]);
        appendUsageMap(out, it == usageOf.end() ? UsageByModel {} : it->second, includeCosts);
    }
    out += "},\"unfinished_call_ids\":[";
    for (auto it = unfinished.begin(); it != unfinished.end(); ++it) {
        if (it != unfinished.begin())
            out += ',';
        appendJsonString(out, *it);
    }
    return out + "]}";
}

} // namespace spindle::server
