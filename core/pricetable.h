#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QVector>

#include <memory>
#include <optional>

namespace spindle {

// One LLM token price, in USD per token (the unit the protocol and the server store).
struct TokenPrice
{
    QString model; // llm_id, e.g. "gpt-4o-mini"
    QString provider; // provider_id, e.g. "openai"; "default" when not given
    double inputPerToken = 0; // prompt_token_cost
    double outputPerToken = 0; // completion_token_cost
    double cacheReadPerToken = 0; // cache_read_input_token_cost
    double cacheCreationPerToken = 0; // cache_creation_input_token_cost
    QDateTime effectiveDate; // UTC; the default table uses its row's created_at
    QDateTime createdAt; // UTC; last tie-break of the selection rule
    bool custom = false; // a project price (from /cost/query), not a shipped default
    QString id; // the server's id of a custom price (what /cost/purge takes); empty for defaults
};

// The prices one project sees: the shipped default table plus the project's custom prices.
// A cheap-to-copy value (the default rows are shared, immutable). QtCore only, no I/O except
// defaults(), which reads the Qt resource once per process.
class PriceTable
{
public:
    PriceTable();

    // The shipped table `:/spindle/llm-prices.json` (resources/; link spindle_resources, which
    // spindle_core does). Parsed once per process, thread-safe; empty if the resource is absent.
    static PriceTable defaults();
    // The same format as the shipped table: {"model": [{provider,input,output,created_at,...}]}.
    // Returns an empty table and sets *error when the text is not such an object.
    static PriceTable fromDefaultTableJson(const QByteArray& json, QString* error = nullptr);
    // The "results" of a POST /cost/query answer, as custom prices.
    static QVector<TokenPrice> parseCostQuery(const QJsonObject& response);

    void setCustomPrices(QVector<TokenPrice> prices);

    // The price the server applies to `model`'s usage of a call started at `at` (server/prices.cpp,
    // weave-protocol.md 4.2): prices effective at `at` first, then custom over default, then the
    // latest effective date, then the latest creation. Like the server, a model whose prices all
    // start after `at` still gets one (the best of those); nullopt only when the model has none.
    std::optional<TokenPrice> priceFor(const QString& model, const QDateTime& at) const;
    bool hasPrice(const QString& model) const;

    QVector<TokenPrice> all() const; // defaults then custom prices
    QVector<TokenPrice> defaultPrices() const;
    QVector<TokenPrice> customPrices() const;

private:
    struct Defaults; // the rows plus a per-model index, shared by copies
    std::shared_ptr<const Defaults> m_defaults;
    QVector<TokenPrice> m_custom;
};

// USD for one call's token counts under `price` (no cache discount: the playground's case).
double costOf(const TokenPrice& price, qint64 promptTokens, qint64 completionTokens);

// Prices typed per token or per million tokens, converted exactly.
//
// Approach: the typed text is parsed as a decimal (digits + power of ten), the power of ten is
// shifted by 6, and the result is converted to double once, with correct rounding (Qt's
// double-conversion). So "0.15" per million gives the same double as the literal 1.5e-07 — never
// 0.15 / 1e6, which can be one ulp off. Back to text, a double is printed in its shortest
// round-trip form, shifted as decimal text, so 1.5e-07 per token shows as "0.15" per million.
enum class PriceUnit
{
    PerToken,
    PerMillionTokens
};

// USD per token from typed text in `unit`. Accepts "0.15", ".5", "2", "1.5e-7", "0,15" (a lone
// comma as decimal point), surrounding spaces. nullopt for empty, negative, non-numeric text.
std::optional<double> parsePrice(QStringView text, PriceUnit unit);
// A per-token price as plain decimal text in `unit` (no exponent): 1.5e-07 -> "0.00000015" or "0.15".
QString formatPrice(double perToken, PriceUnit unit);

} // namespace spindle
