#pragma once

#include "server/querycompiler.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace spindle::server {

// `$getField` paths of the calls table (weave-protocol.md 3.3).
class CallFieldResolver : public FieldResolver
{
public:
    // Paths under an expanded column (expand_columns) read through the referenced object.
    explicit CallFieldResolver(std::vector<std::string> expandColumns = {});
    Field resolve(std::string_view path) const override;
    Sql feedbackLink(const Field& field) const override;

private:
    std::string jsonPathThroughRefs(std::string_view column, std::string_view path) const;
    std::vector<std::string> m_expand;
};

// A validated /calls/stream_query (or query_stats) request.
struct CallsQuery
{
    std::string projectId;
    Sql where; // includes the project, soft-delete and has-a-start conditions
    Sql orderBy;
    std::optional<std::int64_t> limit;
    std::int64_t offset = 0;
    bool includeCosts = false;
    bool includeFeedback = false;
    bool includeStorageSize = false;
    bool includeTotalStorageSize = false;
    std::set<std::string> columns; // top-level names; empty means every column
    std::vector<std::string> expandColumns;
    bool returnExpandedValues = true;
};

CallsQuery parseCallsQuery(const JsonValue& request);
std::string requireProjectId(const JsonValue& body, const char* key = "project_id");
// The same check of an id from a path, a query string or a multipart part.
std::string checkProjectId(std::string id);

// The SELECT list the row writer expects, in CallColumn order.
extern const char* const kCallSelectColumns;
enum CallColumn
{
    ColId,
    ColProjectId,
    ColOpName,
    ColDisplayName,
    ColTraceId,
    ColParentId,
    ColThreadId,
    ColTurnId,
    ColStartedAt,
    ColEndedAt,
    ColAttributes,
    ColInputs,
    ColOutput,
    ColException,
    ColSummary,
    ColWbUserId,
    ColWbRunId,
    ColWbRunStep,
    ColWbRunStepEnd,
    ColStatus,
    ColLatencyMs,
    ColOpShort,
    ColStorageSize,
};

} // namespace spindle::server
