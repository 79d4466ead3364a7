#include "server/prices.h"

#include "core/ids.h"
#include "core/timeformat.h"
#include "server/database.h"

#include <QCryptographicHash>
#include <QFile>

#include <algorithm>

namespace spindle::server {
namespace {

double numberOr(const JsonValue& object, const char* key, double fallback)
{
    const auto it = object.FindMember(key);
    return it != object.MemberEnd() && it->value.IsNumber() ? it->value.GetDouble() : fallback;
}

// Token counts are integers on the wire; keep them so when they are whole.
JsonValue count(double value)
{
    if (isWholeInt64(value))
        return JsonValue(static_cast<std::int64_t>(value));
    return JsonValue(value);
}

} // namespace

const char* const kPriceSelectColumns =
    "id, pricing_level, pricing_level_id, provider_id, llm_id, effective_date, prompt_token_cost, "
    "completion_token_cost, cache_read_input_token_cost, cache_creation_input_token_cost, "
    "prompt_token_cost_unit, completion_token_cost_unit, created_by, created_at";

PriceRow readPriceRow(const Statement& stmt)
{
    PriceRow row;
    row.id = stmt.columnText(0);
    row.pricingLevel = stmt.columnText(1);
    row.pricingLevelId = stmt.columnText(2);
    row.providerId = stmt.columnText(3);
    row.llmId = stmt.columnText(4);
    row.effectiveDate = stmt.columnInt(5);
    row.promptTokenCost = stmt.columnDouble(6);
    row.completionTokenCost = stmt.columnDouble(7);
    row.cacheReadInputTokenCost = stmt.columnDouble(8);
    row.cacheCreationInputTokenCost = stmt.columnDouble(9);
    row.promptTokenCostUnit = stmt.columnText(10);
    row.completionTokenCostUnit = stmt.columnText(11);
    row.createdBy = stmt.columnText(12);
    row.createdAt = stmt.columnInt(13);
    return row;
}

namespace {

QByteArray defaultPriceTable()
{
    QFile file(QStringLiteral(":/spindle/llm-prices.json"));
    if (!file.open(QIODevice::ReadOnly))
        throw SqlError("the default price table resource is missing");
    return file.readAll();
}

std::string digestOf(const QByteArray& bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().toStdString();
}

bool storedDigestIs(Connection& connection, const std::string& digest)
{
    auto stored = connection.prepare("SELECT value FROM spindle_meta WHERE key = 'default_prices'");
    return stored->step() && stored->columnText(0) == digest;
}

} // namespace

bool defaultPricesAreCurrent(Connection& connection)
{
    return storedDigestIs(connection, digestOf(defaultPriceTable()));
}

bool syncDefaultPrices(Connection& connection)
{
    const QByteArray bytes = defaultPriceTable();
    const std::string digest = digestOf(bytes);
    if (storedDigestIs(connection, digest))
        return false;
    connection.exec("DELETE FROM llm_token_prices WHERE pricing_level = 'default'");
    const JsonDocument doc =
        parseJson(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
    auto insert = connection.prepare(
        "INSERT INTO llm_token_prices (id, pricing_level, pricing_level_id, provider_id, llm_id, "
        "effective_date, "
        "prompt_token_cost, completion_token_cost, cache_read_input_token_cost, "
        "cache_creation_input_token_cost, "
        "created_by, created_at) VALUES (?, 'default', 'default', ?, ?, ?, ?, ?, ?, ?, 'system', ?)");
    for (const auto& model : doc.GetObject()) {
        if (!model.value.IsArray())
            continue;
        int point = 0;
        for (const auto& price : model.value.GetArray()) {
            const std::string llmId(stringView(model.name));
            const std::int64_t created = price.HasMember("created_at") && price["created_at"].IsString()
                ? parseIsoTime(stringView(price["created_at"])).value_or(0)
                : 0;
            insert->bind(1, std::string_view("default:" + llmId + ":" + std::to_string(point++)));
            insert->bind(2,
                price.HasMember("provider") && price["provider"].IsString() ? stringView(price["provider"])
                                                                            : std::string_view("default"));
            insert->bind(3, std::string_view(llmId));
            insert->bind(4, created);
            insert->bind(5, numberOr(price, "input", 0));
            insert->bind(6, numberOr(price, "output", 0));
            insert->bind(7, numberOr(price, "cache_read_input", 0));
            insert->bind(8, numberOr(price, "cache_creation_input", 0));
            insert->bind(9, created);
            insert->run();
        }
    }
    auto remember =
        connection.prepare("INSERT OR REPLACE INTO spindle_meta (key, value) VALUES ('default_prices', ?)");
    remember->bind(1, std::string_view(digest));
    remember->run();
    return true;
}

PriceBook::PriceBook(std::shared_ptr<const PricesByModel> defaults, PricesByModel projectPrices)
    : m_defaults(std::move(defaults))
    , m_project(std::move(projectPrices))
{
}

const PriceRow* PriceBook::select(const std::string& llmId, std::int64_t startedAt) const
{
    const PriceRow* best = nullptr;
    const auto rank = [startedAt](const PriceRow& row) {
        return std::tuple(
            row.effectiveDate <= startedAt, row.pricingLevel == "project", row.effectiveDate, row.createdAt);
    };
    const auto consider = [&](const PricesByModel& prices) {
        const auto it = prices.find(llmId);
        if (it == prices.end())
            return;
        for (const PriceRow& row : it->second)
            if (!best || rank(row) > rank(*best))
                best = &row;
    };
    consider(*m_defaults);
    consider(m_project);
    return best;
}

TokenCounts normaliseUsage(const JsonValue& entry)
{
    TokenCounts counts;
    if (!entry.IsObject())
        return counts;
    // One pass over the members: this runs for every usage entry a /calls/stats scan reads. The first
    // of repeated keys counts, as FindMember would have it.
    static constexpr std::string_view kNames[] = { "requests", "prompt_tokens", "input_tokens",
        "completion_tokens", "output_tokens", "total_tokens", "cache_read_input_tokens",
        "cache_creation_input_tokens" };
    double values[std::size(kNames)] = {};
    unsigned seen = 0;
    for (const auto& member : entry.GetObject()) {
        const std::string_view name = stringView(member.name);
        for (std::size_t i = 0; i < std::size(kNames); ++i) {
            if (name != kNames[i])
                continue;
            if (!(seen & (1u << i)) && member.value.IsNumber())
                values[i] = member.value.GetDouble();
            seen |= 1u << i;
            break;
        }
    }
    counts.requests = values[0];
    counts.prompt = values[1] + values[2];
    counts.completion = values[3] + values[4];
    counts.total = values[5] != 0 ? values[5] : counts.prompt + counts.completion;
    counts.cacheRead = values[6];
    counts.cacheCreation = values[7];
    counts.uncachedPrompt = std::max(0.0, values[1] - counts.cacheRead - counts.cacheCreation) + values[2];
    return counts;
}

bool PriceBook::buildCosts(
    const JsonValue& usage, std::int64_t startedAt, JsonValue& costs, JsonAllocator& alloc) const
{
    if (!usage.IsObject())
        return false;
    costs.SetObject();
    for (const auto& model : usage.GetObject()) {
        const std::string llmId(stringView(model.name));
        const PriceRow* price = select(llmId, startedAt);
        if (!price)
            continue;
        const TokenCounts n = normaliseUsage(model.value);
        const EntryCost parts = costOf(n, *price);
        JsonValue cost(rapidjson::kObjectType);
        cost.AddMember("prompt_tokens", count(n.prompt), alloc);
        cost.AddMember("completion_tokens", count(n.completion), alloc);
        cost.AddMember("requests", count(n.requests), alloc);
        cost.AddMember("total_tokens", count(n.total), alloc);
        cost.AddMember("cache_read_input_tokens", count(n.cacheRead), alloc);
        cost.AddMember("cache_creation_input_tokens", count(n.cacheCreation), alloc);
        cost.AddMember("prompt_tokens_total_cost", parts.prompt, alloc);
        cost.AddMember("completion_tokens_total_cost", parts.completion, alloc);
        cost.AddMember("cache_read_input_tokens_total_cost", parts.cacheRead, alloc);
        cost.AddMember("cache_creation_input_tokens_total_cost", parts.cacheCreation, alloc);
        cost.AddMember("prompt_token_cost", price->promptTokenCost, alloc);
        cost.AddMember("completion_token_cost", price->completionTokenCost, alloc);
        cost.AddMember("cache_read_input_token_cost", price->cacheReadInputTokenCost, alloc);
        cost.AddMember("cache_creation_input_token_cost", price->cacheCreationInputTokenCost, alloc);
        cost.AddMember("prompt_token_cost_unit", jsonText(price->promptTokenCostUnit, alloc), alloc);
        cost.AddMember("completion_token_cost_unit", jsonText(price->completionTokenCostUnit, alloc), alloc);
        cost.AddMember("effective_date", jsonText(formatSqlTime(price->effectiveDate), alloc), alloc);
        cost.AddMember("provider_id", jsonText(price->providerId, alloc), alloc);
        cost.AddMember("pricing_level", jsonText(price->pricingLevel, alloc), alloc);
        cost.AddMember("pricing_level_id", jsonText(price->pricingLevelId, alloc), alloc);
        cost.AddMember("created_at", jsonText(formatSqlTime(price->createdAt), alloc), alloc);
        cost.AddMember("created_by", jsonText(price->createdBy, alloc), alloc);
        costs.AddMember(jsonText(llmId, alloc), cost, alloc);
    }
    return costs.MemberCount() > 0;
}

PriceBook PriceCatalog::forProject(Connection& reader, const std::string& projectId)
{
    std::shared_ptr<const PricesByModel> defaults;
    {
        std::lock_guard lock(m_mutex);
        if (!m_defaults) {
            auto loaded = std::make_shared<PricesByModel>();
            auto stmt = reader.prepare(std::string("SELECT ") + kPriceSelectColumns
                + " FROM llm_token_prices WHERE pricing_level = 'default'");
            while (stmt->step()) {
                PriceRow row = readPriceRow(*stmt);
                (*loaded)[row.llmId].push_back(std::move(row));
            }
            m_defaults = std::move(loaded);
        }
        defaults = m_defaults;
    }
    PricesByModel project;
    auto stmt = reader.prepare(std::string("SELECT ") + kPriceSelectColumns
        + " FROM llm_token_prices WHERE pricing_level = 'project' AND pricing_level_id = ?");
    stmt->bind(1, std::string_view(projectId));
    while (stmt->step()) {
        PriceRow row = readPriceRow(*stmt);
        project[row.llmId].push_back(std::move(row));
    }
    return PriceBook(std::move(defaults), std::move(project));
}

} // namespace spindle::server

namespace spindle::server {

std::optional<double> PriceBook::totalCost(const JsonValue& usage, std::int64_t startedAt) const
{
    if (!usage.IsObject())
        return std::nullopt;
    std::optional<double> total;
    for (const auto& model : usage.GetObject()) {
        const PriceRow* price = select(std::string(stringView(model.name)), startedAt);
        if (!price)
            continue;
        const EntryCost c = costOf(normaliseUsage(model.value), *price);
        total = total.value_or(0) + c.prompt + c.completion + c.cacheRead + c.cacheCreation;
    }
    return total;
}

static void costFunction(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    const auto* book = static_cast<const PriceBook*>(sqlite3_user_data(ctx));
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    if (!book || !text) {
        sqlite3_result_null(ctx);
        return;
    }
    JsonDocument summary;
    summary.Parse(text, static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
    const auto usage = summary.IsObject() ? summary.FindMember("usage") : summary.MemberEnd();
    const auto total = usage != summary.MemberEnd()
        ? book->totalCost(usage->value, sqlite3_value_int64(argv[1]))
        : std::nullopt;
    if (total)
        sqlite3_result_double(ctx, *total);
    else
        sqlite3_result_null(ctx);
}

void registerCostFunction(sqlite3* db, const PriceBook* book)
{
    sqlite3_create_function_v2(db, "wv_cost", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
        const_cast<PriceBook*>(book), costFunction, nullptr, nullptr, nullptr);
}

} // namespace spindle::server
