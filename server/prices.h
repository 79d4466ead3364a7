#pragma once

#include "server/json.h"
#include "server/sqlite.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace spindle::server {

struct PriceRow
{
    std::string id;
    std::string pricingLevel; // "default" or "project"
    std::string pricingLevelId;
    std::string providerId;
    std::string llmId;
    std::int64_t effectiveDate = 0; // µs
    double promptTokenCost = 0;
    double completionTokenCost = 0;
    double cacheReadInputTokenCost = 0;
    double cacheCreationInputTokenCost = 0;
    std::string promptTokenCostUnit = "USD";
    std::string completionTokenCostUnit = "USD";
    std::string createdBy;
    std::int64_t createdAt = 0;
};

using PricesByModel = std::unordered_map<std::string, std::vector<PriceRow>>;

extern const char* const kPriceSelectColumns;
PriceRow readPriceRow(const Statement& stmt);

// The prices one read request sees: the shipped defaults (loaded once) plus the project's own.
class PriceBook
{
public:
    PriceBook(std::shared_ptr<const PricesByModel> defaults, PricesByModel projectPrices);

    // weave-protocol.md 4.2: effective at the call's start first, then project over default,
    // then the latest effective date, then the latest creation. Future-only prices still apply.
    const PriceRow* select(const std::string& llmId, std::int64_t startedAt) const;

    // summary.weave.costs for one call's own summary.usage (4.3, 4.4); null when nothing is priced.
    bool buildCosts(
        const JsonValue& usage, std::int64_t startedAt, JsonValue& costs, JsonAllocator& alloc) const;
    // Sum of prompt, completion and cache costs over the priced models; nullopt when none is priced.
    std::optional<double> totalCost(const JsonValue& usage, std::int64_t startedAt) const;

private:
    std::shared_ptr<const PricesByModel> m_defaults;
    PricesByModel m_project;
};

// Caches the default price rows; they change only with a schema migration.
class PriceCatalog
{
public:
    PriceBook forProject(Connection& reader, const std::string& projectId);

private:
    std::mutex m_mutex;
    std::shared_ptr<const PricesByModel> m_defaults;
};

// Registers `wv_cost(summary, started_at)` on a connection: the call's total cost in USD under
// `book` (NULL when no model is priced). Pass nullptr to unregister the book before it dies.
// Lets the server filter and sort by cost, which hosted Weave cannot.
void registerCostFunction(sqlite3* db, const PriceBook* book);

// Whether `sql` calls wv_cost(), the cost of a `query` on summary.weave.total_cost: then it needs
// the project's price book, and a CostFunctionScope while it runs.
inline bool usesCostFunction(std::string_view sql)
{
    return sql.find("wv_cost(") != std::string_view::npos;
}

// Backs wv_cost() (a `query` on summary.weave.total_cost) while the statements of `sql` run, and
// takes it back on the way out, exceptions included: the function must not outlive `book`.
class CostFunctionScope
{
public:
    CostFunctionScope(Connection& connection, const PriceBook* book, std::string_view sql)
        : m_connection(connection)
        , m_active(book && usesCostFunction(sql))
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

// Normalised token counts of one usage entry (4.3). `uncachedPrompt` is what the prompt price applies
// to. OpenAI-style `prompt_tokens` include the cached tokens, so those come out of it; Anthropic's
// `input_tokens` already leave them out, so taking them out again would price a cache-heavy call's
// prompt at nothing (hosted Weave does; docs/protocol-coverage.md).
struct TokenCounts
{
    double requests = 0, prompt = 0, completion = 0, total = 0, cacheRead = 0, cacheCreation = 0;
    double uncachedPrompt = 0;
};
TokenCounts normaliseUsage(const JsonValue& entry);

// One usage entry's cost at one price, in the parts summary.weave.costs lists (4.4): the prompt
// tokens that were not read from or written to the cache, the completion, the cache read and the
// cache creation. The one place the formula is written: include_costs, wv_cost(), /calls/stats and
// the usage rollups all use it.
struct EntryCost
{
    double prompt = 0, completion = 0, cacheRead = 0, cacheCreation = 0;
    double input() const
    {
        return prompt + cacheRead + cacheCreation;
    }
};
inline EntryCost costOf(const TokenCounts& n, const PriceRow& price)
{
    return { n.uncachedPrompt * price.promptTokenCost, n.completion * price.completionTokenCost,
        n.cacheRead * price.cacheReadInputTokenCost, n.cacheCreation * price.cacheCreationInputTokenCost };
}

} // namespace spindle::server
