#include "server/callquery.h"

#include <algorithm>
#include <array>

namespace spindle::server {
namespace {

constexpr std::size_t kMaxFilterList = 1000;

struct PlainColumn
{
    const char* name;
    ValueKind kind;
    bool nullable;
};

constexpr std::array kPlainColumns {
    PlainColumn { "id", ValueKind::Text, false },
    PlainColumn { "project_id", ValueKind::Text, false },
    PlainColumn { "trace_id", ValueKind::Text, true },
    PlainColumn { "parent_id", ValueKind::Text, true },
    PlainColumn { "thread_id", ValueKind::Text, true },
    PlainColumn { "turn_id", ValueKind::Text, true },
    PlainColumn { "op_name", ValueKind::Text, true },
    PlainColumn { "display_name", ValueKind::Text, true },
    PlainColumn { "exception", ValueKind::Text, true },
    PlainColumn { "wb_user_id", ValueKind::Text, true },
    PlainColumn { "wb_run_id", ValueKind::Text, true },
    PlainColumn { "wb_run_step", ValueKind::Number, true },
    PlainColumn { "wb_run_step_end", ValueKind::Number, true },
    PlainColumn { "started_at", ValueKind::Time, false },
    PlainColumn { "ended_at", ValueKind::Time, true },
    PlainColumn { "deleted_at", ValueKind::Time, true },
};

constexpr std::array kJsonColumns { "inputs", "output", "attributes", "summary" };

// `feedback.[<type>].<rest>` → (type, rest)
std::pair<std::string, std::string> splitFeedbackPath(std::string_view path)
{
    const std::string_view body = path.substr(std::string_view("feedback.[").size());
    const std::size_t close = body.find("]");
    if (close == std::string_view::npos || close + 1 >= body.size() || body[close + 1] != '.')
        throw ApiError(422,
            "feedback fields look like feedback.[<type>].payload.<path>, not '" + std::string(path) + "'");
    std::string type(body.substr(0, close));
    if (type == "*")
        type.clear();
    return { type, std::string(body.substr(close + 2)) };
}

Field feedbackField(std::string_view path)
{
    auto [type, rest] = splitFeedbackPath(path);
    Field field;
    field.viaFeedback = true;
    field.feedbackType = type;
    if (rest == "payload" || rest.starts_with("payload.")) {
        field.kind = ValueKind::Json;
        field.column = "f.payload";
        field.jsonPath = rest == "payload" ? "" : rest.substr(8);
    } else if (rest == "runnable_ref" || rest == "trigger_ref" || rest == "call_ref"
        || rest == "annotation_ref" || rest == "creator" || rest == "wb_user_id" || rest == "feedback_type") {
        field.column = "f." + rest;
    } else if (rest == "created_at") {
        field.kind = ValueKind::Time;
        field.column = "f.created_at";
    } else {
        throw ApiError(422, "unknown feedback field '" + std::string(path) + "'");
    }
    return field;
}

void addIn(Sql& where, const char* column, const std::vector<std::string>& values)
{
    if (values.empty())
        return;
    where.append(" AND ").append(column).append(" IN ").bindList(values);
}

// `...:*` matches every version: a range scan on the prefix keeps the op index usable.
Sql refMatch(const std::string& column, const std::string& value)
{
    Sql sql;
    if (value.size() >= 2 && value.ends_with(":*")) {
        std::string prefix = value.substr(0, value.size() - 1);
        std::string upper = prefix;
        upper.back() = static_cast<char>(upper.back() + 1);
        sql.append("(" + column + " >= ")
            .bind(prefix)
            .append(" AND " + column + " < ")
            .bind(upper)
            .append(")");
    } else {
        sql.append("(" + column + " = ").bind(value).append(")");
    }
    return sql;
}

void addRefFilter(
    Sql& where, const std::string& column, const std::vector<std::string>& values, bool inJsonList)
{
    if (values.empty())
        return;
    where.append(inJsonList ? " AND EXISTS (SELECT 1 FROM json_each(" + column + ") r WHERE " : " AND (");
    std::vector<Sql> matches;
    matches.reserve(values.size());
    for (const std::string& value : values)
        matches.push_back(refMatch(inJsonList ? "r.value" : column, value));
    where.append(joinBalanced(std::move(matches), " OR ")).append(")");
}

std::vector<std::string> filterList(const JsonValue& filter, const char* key)
{
    auto values = optionalStringList(filter, key, "filter");
    if (values.size() > kMaxFilterList)
        throw badRequest(
            std::string("filter.") + key + " takes at most " + std::to_string(kMaxFilterList) + " values");
    return values;
}

void addFilter(Sql& where, const JsonValue& filter)
{
    if (!filter.IsObject())
        throw badRequest("filter must be an object");
    addRefFilter(where, "op_name", filterList(filter, "op_names"), false);
    addRefFilter(where, "calls.input_refs", filterList(filter, "input_refs"), true);
    addRefFilter(where, "calls.output_refs", filterList(filter, "output_refs"), true);
    addIn(where, "parent_id", filterList(filter, "parent_ids"));
    addIn(where, "trace_id", filterList(filter, "trace_ids"));
    addIn(where, "id", filterList(filter, "call_ids"));
    addIn(where, "thread_id", filterList(filter, "thread_ids"));
    addIn(where, "turn_id", filterList(filter, "turn_ids"));
    addIn(where, "wb_user_id", filterList(filter, "wb_user_ids"));
    addIn(where, "wb_run_id", filterList(filter, "wb_run_ids"));
    if (optionalBool(filter, "trace_roots_only", "filter").value_or(false))
        where.append(" AND parent_id IS NULL");
}

Sql orderBy(const JsonValue& request, const FieldResolver& fields)
{
    const auto terms = parseSortBy(request);
    if (terms.empty())
        return Sql { "started_at ASC, id ASC", {} };
    Sql sql;
    bool hasId = false;
    for (const auto& term : terms) {
        if (!sql.text.empty())
            sql.append(", ");
        sql.append(compileSortTerm(term.field, term.descending, fields));
        hasId = hasId || term.field == "id";
    }
    // Ties break on id ascending, as the protocol says; SQLite sorts only the ties ("temp b-tree
    // for right part of order by"), so a started_at page is still one index scan.
    if (!hasId)
        sql.append(", id ASC");
    return sql;
}

} // namespace

const char* const kCallSelectColumns =
    "id, project_id, op_name, display_name, trace_id, parent_id, thread_id, turn_id, started_at, ended_at, "
    "attributes, inputs, output, exception, summary, wb_user_id, wb_run_id, wb_run_step, wb_run_step_end, "
    "status, latency_ms, op_short, "
    "length(attributes) + length(inputs) + ifnull(length(output), 0) + ifnull(length(summary), 0)";

CallFieldResolver::CallFieldResolver(std::vector<std::string> expandColumns)
    : m_expand(std::move(expandColumns))
{
    std::sort(m_expand.begin(), m_expand.end(), [](auto& a, auto& b) { return a.size() < b.size(); });
}

std::string CallFieldResolver::jsonPathThroughRefs(std::string_view column, std::string_view path) const
{
    if (path.size() <= column.size())
        return {};
    // "inputs.model.name" with inputs.model expanded → "model" + deref + "name" (shallowest first).
    std::string result;
    std::size_t consumed = column.size() + 1;
    for (const std::string& expanded : m_expand) {
        if (expanded.size() < consumed || !path.starts_with(expanded) || path.size() <= expanded.size()
            || path[expanded.size()] != '.')
            continue;
        result += std::string(path.substr(consumed, expanded.size() - consumed));
        result += '.';
        result += kDerefSegment;
        result += '.';
        consumed = expanded.size() + 1;
    }
    return result + std::string(path.substr(consumed));
}

Field CallFieldResolver::resolve(std::string_view path) const
{
    // Qualified: inside a feedback comparison's EXISTS over `feedback f`, a bare id, project_id or
    // wb_user_id would name the feedback row's own column.
    for (const auto& column : kPlainColumns) {
        if (path == column.name)
            return Field { column.kind, std::string("calls.") + column.name, {}, column.nullable };
    }
    if (path == "summary.weave.status")
        return Field { ValueKind::Text, "status", {}, false };
    if (path == "summary.weave.latency_ms")
        return Field { ValueKind::Number, "latency_ms", {}, true };
    if (path == "summary.weave.trace_name")
        return Field { ValueKind::Text, "trace_name", {}, true };
    // Spindle extensions: totals that hosted Weave can neither filter nor sort by.
    if (path == "summary.weave.total_tokens")
        return Field { ValueKind::Number, "total_tokens", {}, true };
    if (path == "summary.weave.total_cost")
        return Field { ValueKind::Number, "wv_cost(calls.summary, calls.started_at)", {}, true };
    if (path.starts_with("summary.weave."))
        throw ApiError(422,
            "'" + std::string(path)
                + "' is not a queryable field; summary.weave offers status, latency_ms, trace_name, "
                  "total_tokens and total_cost");
    if (path.starts_with("feedback.["))
        return feedbackField(path);
    for (const char* column : kJsonColumns) {
        const std::string_view name(column);
        if (path == name
            || (path.starts_with(name) && path.size() > name.size() && path[name.size()] == '.')) {
            Field field;
            field.kind = ValueKind::Json;
            field.column = std::string("calls.") + column;
            field.jsonPath = jsonPathThroughRefs(name, path);
            return field;
        }
    }
    throw ApiError(422, "unknown call field '" + std::string(path) + "'");
}

Sql CallFieldResolver::feedbackLink(const Field& field) const
{
    Sql sql { "f.project_id = calls.project_id AND f.call_id = calls.id", {} };
    if (!field.feedbackType.empty())
        sql.append(" AND f.feedback_type = ").bind(field.feedbackType);
    return sql;
}

std::string requireProjectId(const JsonValue& body, const char* key)
{
    requireObjectBody(body);
    return checkProjectId(requireString(body, key, ""));
}

std::string checkProjectId(std::string id)
{
    const std::size_t slash = id.find('/');
    const bool wellFormed = slash != std::string::npos && slash > 0 && slash + 1 < id.size()
        && id.find('/', slash + 1) == std::string::npos && id.size() <= 256;
    bool printable = true;
    for (unsigned char c : id)
        printable = printable && c > 0x20 && c != 0x7F;
    if (!wellFormed || !printable || !isValidUtf8(id)) // multipart parts are not checked as JSON is
        throw badRequest("project_id must look like 'entity/project', not '" + id + "'");
    return id;
}

CallsQuery parseCallsQuery(const JsonValue& request)
{
    CallsQuery query;
    query.projectId = requireProjectId(request);
    const CallFieldResolver fields(optionalStringList(request, "expand_columns", ""));
    query.where.append("project_id = ").bind(query.projectId);
    query.where.append(" AND deleted_at IS NULL AND started_at IS NOT NULL");
    if (const JsonValue* filter = optionalMember(request, "filter"))
        addFilter(query.where, *filter);
    if (const JsonValue* expr = optionalMember(request, "query"))
        query.where.append(" AND ").append(compileQuery(*expr, fields));
    query.orderBy = orderBy(request, fields);
    if (auto limit = optionalInt(request, "limit", "")) {
        if (*limit < 0)
            throw badRequest("limit must not be negative");
        query.limit = *limit;
    }
    query.offset = optionalCount(request, "offset", "").value_or(0);
    query.includeCosts = optionalBool(request, "include_costs", "").value_or(false);
    query.includeFeedback = optionalBool(request, "include_feedback", "").value_or(false);
    query.includeStorageSize = optionalBool(request, "include_storage_size", "").value_or(false);
    query.includeTotalStorageSize = optionalBool(request, "include_total_storage_size", "").value_or(false);
    for (const auto& column : optionalStringList(request, "columns", ""))
        query.columns.insert(column.substr(0, column.find('.')));
    query.expandColumns = optionalStringList(request, "expand_columns", "");
    query.returnExpandedValues = optionalBool(request, "return_expanded_column_values", "").value_or(true);
    return query;
}

} // namespace spindle::server
