#pragma once

// Monitoring and usage rollups (weave-protocol.md 1.2, 2.3 and 4):
//
// POST /calls/stats
//   {"project_id", "start", "end"?, "granularity"?, "timezone"?, "filter"?, "query"?,
//    "usage_metrics"?: [{"metric", "aggregations"?, "percentiles"?}], "call_metrics"?: [...]}
//   → {"start", "end", "granularity", "timezone",
//      "usage_buckets": [{"timestamp", "model", "<agg>_<metric>", "p<N>_<metric>", ..., "count"}],
//      "call_buckets": [{"timestamp", "<agg>_<metric>", "p<N>_<metric>", ..., "count"}]}
//   Every bucket of the range is listed (usage buckets once per model seen in the range).
//
// POST /trace/usage  {"project_id", "filter"?, "query"?, "include_costs"?, "limit"? (10000)}
// POST /calls/usage  {"project_id", "call_ids", "include_costs"?, "limit"? (10000)}
//   → {"call_usage": {"<call id>": {"<model>": LLMAggregatedUsage}}, "unfinished_call_ids": [...]}
//   Each call's own summary.usage plus that of all its descendants (bottom-up over parent_id).
//
// stats.cpp documents the details and what differs from hosted Weave.

#include "server/context.h"
#include "server/querycompiler.h"

#include <string>
#include <vector>

namespace spindle::server {

std::string callsStats(const JsonValue& body, RequestContext& context);
std::string traceUsage(const JsonValue& body, RequestContext& context);
std::string callsUsage(const JsonValue& body, RequestContext& context);

// The SQL statements /calls/stats runs for `body` (validated as the route does, 4xx as ApiError),
// for benchmarks that time the same SQL in the sqlite3 CLI. `nowMicros` stands in for a missing end.
std::vector<Sql> callsStatsSql(const JsonValue& body, std::int64_t nowMicros);

} // namespace spindle::server
