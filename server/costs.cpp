#include "core/ids.h"
#include "core/timeformat.h"
#include "server/callquery.h"
#include "server/feedback.h"

#include <cmath>

namespace spindle::server {
namespace {

double requireCost(const JsonValue& entry, const char* key, const std::string& llmId, bool required)
{
    const JsonValue* value = optionalMember(entry, key);
    if (!value) {
        if (required)
            throw badRequest("costs." + llmId + "." + key + " is required");
        return 0;
    }
    // The JSON parser accepts NaN and Infinity; neither is a price.
    if (!value->IsNumber() || !std::isfinite(value->GetDouble()) || value->GetDouble() < 0)
        throw badRequest("costs." + llmId + "." + key + " must be a non-negative number (USD per token)");
    return value->GetDouble();
}

struct NewPrice
{
    std::string id, llmId, providerId, promptUnit, completionUnit;
    double prompt, completion, cacheRead, cacheCreation;
    std::int64_t effectiveDate;
};

NewPrice parsePrice(const std::string& llmId, const JsonValue& entry)
{
    if (!entry.IsObject())
        throw badRequest("costs." + llmId + " must be an object");
    if (llmId.empty() || llmId.size() > 256)
        throw badRequest("a model id must be 1-256 characters");
    NewPrice price;
    price.id = newUuid4();
    price.llmId = llmId;
    price.prompt = requireCost(entry, "prompt_token_cost", llmId, true);
    price.completion = requireCost(entry, "completion_token_cost", llmId, true);
    price.cacheRead = requireCost(entry, "cache_read_input_token_cost", llmId, false);
    price.cacheCreation = requireCost(entry, "cache_creation_input_token_cost", llmId, false);
    price.promptUnit = optionalString(entry, "prompt_token_cost_unit", "costs").value_or("USD");
    price.completionUnit = optionalString(entry, "completion_token_cost_unit", "costs").value_or("USD");
    price.providerId = optionalString(entry, "provider_id", "costs").value_or("default");
    price.effectiveDate = nowMicros();
    if (auto date = optionalString(entry, "effective_date", "costs")) {
        const auto parsed = parseIsoTime(*date);
        if (!parsed)
            throw badRequest(
                "costs." + llmId + ".effective_date '" + *date + "' is not an ISO-8601 datetime");
        price.effectiveDate = *parsed;
    }
    return price;
}

const ColumnResolver& priceColumns()
{
    static const ColumnResolver resolver({
        { "id", ValueKind::Text },
        { "llm_id", ValueKind::Text },
        { "provider_id", ValueKind::Text },
        { "pricing_level", ValueKind::Text },
        { "pricing_level_id", ValueKind::Text },
        { "prompt_token_cost", ValueKind::Number },
        { "completion_token_cost", ValueKind::Number },
        { "cache_read_input_token_cost", ValueKind::Number },
        { "cache_creation_input_token_cost", ValueKind::Number },
        { "prompt_token_cost_unit", ValueKind::Text },
        { "completion_token_cost_unit", ValueKind::Text },
        { "effective_date", ValueKind::Time },
        { "created_at", ValueKind::Time },
        { "created_by", ValueKind::Text },
    });
    return resolver;
}

} // namespace

std::string costCreate(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    const JsonValue& costs = requireObject(body, "costs", "");
    std::vector<NewPrice> prices;
    for (const auto& member : costs.GetObject())
        prices.push_back(parsePrice(std::string(stringView(member.name)), member.value));
    context.db.write([&](Connection& db) {
        auto insert =
            db.prepare("INSERT INTO llm_token_prices (id, pricing_level, pricing_level_id, provider_id, "
                       "llm_id, effective_date, "
                       "prompt_token_cost, completion_token_cost, cache_read_input_token_cost, "
                       "cache_creation_input_token_cost, "
                       "prompt_token_cost_unit, completion_token_cost_unit, created_by, created_at) "
                       "VALUES (?, 'project', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        for (const auto& price : prices) {
            insert->bind(1, std::string_view(price.id));
            insert->bind(2, std::string_view(projectId));
            insert->bind(3, std::string_view(price.providerId));
            insert->bind(4, std::string_view(price.llmId));
            insert->bind(5, price.effectiveDate);
            insert->bind(6, price.prompt);
            insert->bind(7, price.completion);
            insert->bind(8, price.cacheRead);
            insert->bind(9, price.cacheCreation);
            insert->bind(10, std::string_view(price.promptUnit));
            insert->bind(11, std::string_view(price.completionUnit));
            insert->bind(12, std::string_view(context.userId));
            insert->bind(13, nowMicros());
            insert->run();
        }
    });
    std::string out = "{\"ids\":[";
    for (std::size_t i = 0; i < prices.size(); ++i) {
        out += i ? ",[" : "[";
        appendJsonString(out, prices[i].id);
        out.push_back(',');
        appendJsonString(out, prices[i].llmId);
        out.push_back(']');
    }
    return out + "]}";
}

std::string costQuery(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    Sql sql { std::string("SELECT ") + kPriceSelectColumns
            + " FROM llm_token_prices WHERE pricing_level = 'project' AND pricing_level_id = ?",
        { projectId } };
    if (const JsonValue* query = optionalMember(body, "query"))
        sql.append(" AND ").append(compileQuery(*query, priceColumns()));
    sql.append(" ORDER BY ");
    for (const auto& term : parseSortBy(body))
        sql.append(compileSortTerm(term.field, term.descending, priceColumns())).append(", ");
    sql.append("effective_date DESC, id ASC LIMIT ").bind(optionalCount(body, "limit", "").value_or(-1));
    sql.append(" OFFSET ").bind(optionalCount(body, "offset", "").value_or(0));
    const auto fields = optionalStringList(body, "fields", "");
    auto reader = context.db.read();
    auto stmt = reader->prepareAdHoc(sql.text);
    stmt->bindAll(sql.params);
    std::string out = "{\"results\":[";
    for (bool firstRow = true; stmt->step(); firstRow = false) {
        const PriceRow row = readPriceRow(*stmt);
        JsonDocument item(rapidjson::kObjectType);
        auto& alloc = item.GetAllocator();
        const auto add = [&](const char* key, JsonValue value) {
            if (fields.empty() || std::find(fields.begin(), fields.end(), key) != fields.end())
                item.AddMember(JsonValue(rapidjson::StringRef(key)), value, alloc);
        };
        const auto text = [&](const std::string& s) { return jsonText(s, alloc); };
        add("id", text(row.id));
        add("llm_id", text(row.llmId));
        add("prompt_token_cost", JsonValue(row.promptTokenCost));
        add("completion_token_cost", JsonValue(row.completionTokenCost));
        add("cache_read_input_token_cost", JsonValue(row.cacheReadInputTokenCost));
        add("cache_creation_input_token_cost", JsonValue(row.cacheCreationInputTokenCost));
        add("prompt_token_cost_unit", text(row.promptTokenCostUnit));
        add("completion_token_cost_unit", text(row.completionTokenCostUnit));
        add("effective_date", text(formatIsoTime(row.effectiveDate)));
        add("provider_id", text(row.providerId));
        add("pricing_level", text(row.pricingLevel));
        add("pricing_level_id", text(row.pricingLevelId));
        add("created_by", text(row.createdBy));
        add("created_at", text(formatIsoTime(row.createdAt)));
        if (!firstRow)
            out.push_back(',');
        appendJson(out, item);
    }
    return out + "]}";
}

std::string costPurge(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    const auto ids = parseIdSelection(requireObject(body, "query", ""));
    context.db.write([&](Connection& db) {
        purgeByIds(db, "llm_token_prices", projectId, ids, "pricing_level = 'project' AND pricing_level_id");
    });
    return "{}";
}

} // namespace spindle::server
