#pragma once

// The cost dashboard's analyses on numbers it already has: what-if prices (computed here from the
// per-model token totals; nothing is written anywhere), the project cost report (Weave's
// get_costs_for_project over root calls) and the token scatter's series. Pure functions.

#include "models/dashboardmodel.h"

#include <QHash>
#include <QJsonArray>

#include <optional>

namespace spindle::models {

struct WhatIfPrice
{
    QString model;
    double inputPerMillion = 0; // USD per million prompt tokens
    double outputPerMillion = 0; // USD per million completion tokens
};

struct WhatIfResult
{
    bool modelFound = false;
    double currentTotal = 0; // what the range cost under the prices used
    double whatIfTotal = 0; // the same with `model` at the what-if price
    double currentModel = 0;
    double whatIfModel = 0;
    bool modelPriced = false; // the model had a price before (else its current cost is unknown)
};

// Every prompt token the usage counts is charged at the input price (OpenAI's prompt_tokens count
// cached ones, Anthropic's input_tokens do not) and every completion token at the output price; the
// other models keep their cost. The page leaves the input price for the user to type when the cache
// was used (ModelUsage::inputPerMillion).
WhatIfResult whatIf(const QVector<ModelUsage>& models, const WhatIfPrice& price);
// Each model's cost with `price` applied to its model (for the table's What-if column); models
// without any price are left out (their cost stays unknown) unless they are the one re-priced.
QHash<QString, double> whatIfCosts(const QVector<ModelUsage>& models, const WhatIfPrice& price);
// "2.5", "$2.50", "2,50" (locale), "0": USD per million tokens; nullopt with `error` set for text
// that is not a number, a negative or non-finite price, or one over $1,000,000 per million tokens.
std::optional<double> parsePricePerMillion(const QString& text, QString* error);

// Weave's get_costs_for_project: total cost, LLM requests and calls over root calls.
struct CostReport
{
    double totalCost = 0;
    bool hasCost = false;
    qint64 requests = 0;
    qint64 calls = 0;
    QStringList unpricedModels;
};
CostReport costReport(const StatsSummary& rootCalls);
QString costReportCsv(
    const QString& projectId, const QDateTime& start, const QDateTime& end, const CostReport& report);

// usage_sample (a Spindle extension) as points, and grouped by model for the scatter: the
// `topModels` models with the most points, then "other".
QVector<UsagePoint> parseUsageSample(const QJsonArray& sample);
QVector<StatsSeries> scatterSeries(const QVector<UsagePoint>& sample, int topModels = 6);
// The op_names filter entry for an op as stored: every version of a weave:/// op ref (`…:*`),
// anything else as it is.
QString opFilterFor(const QString& opName);

} // namespace spindle::models
