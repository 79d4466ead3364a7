#pragma once
// The baseline of bench_dashboard: SQL that computes what one /calls/stats request answers, for the
// sqlite3 CLI on the same file. Call metrics are GROUP BYs plus window functions for the exact
// percentiles (row_number over the sorted latencies, linear interpolation between the closest
// ranks); usage metrics are json_each over summary.usage with the price of each (call, model) chosen
// by a correlated subquery in the order of weave-protocol.md 4.2; the usage sample is ORDER BY the
// server's hash of the rowid, LIMIT N. Intermediate rows go to TEMP tables once and are grouped from
// there, so no scan runs twice. Covers what the dashboard asks for (UTC buckets, sum/count
// aggregations, percentiles of latency, no cache tokens in the data).

#include "server/querycompiler.h"

#include <QJsonObject>

#include <string>

namespace spindle::bench {

struct StatsSql
{
    std::string script; // every statement, each ending in ';' (repeatable: temp tables are dropped)
    std::string countCalls; // SELECT count(*) of the matched calls
    std::string totalCost; // SELECT the summed cost of the priced usage entries, %.9f
    std::string sampleIds; // SELECT the usage sample's call ids, one per line (empty: no sample)
};

// `request` is a /calls/stats body as the dashboard sends it (granularity given, UTC).
StatsSql equivalentSql(const QJsonObject& request);

} // namespace spindle::bench
