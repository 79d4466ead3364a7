#include "server/callrows.h"

#include "core/timeformat.h"
#include "server/objects.h"

#include <rapidjson/allocators.h>

namespace spindle::server {
namespace {

void appendKey(std::string& out, const char* key)
{
    out += ",\"";
    out += key;
    out += "\":";
}

void appendTextOrNull(std::string& out, const Statement& row, int column)
{
    if (row.isNull(column))
        out += "null";
    else
        appendJsonString(out, row.columnText(column));
}

void appendTimeOrNull(std::string& out, const Statement& row, int column)
{
    if (row.isNull(column)) {
        out += "null";
        return;
    }
    out.push_back('"');
    out += formatIsoTime(row.columnInt(column));
    out.push_back('"');
}

void appendIntOrNull(std::string& out, const Statement& row, int column)
{
    out += row.isNull(column) ? std::string("null") : std::to_string(row.columnInt(column));
}

JsonValue textValue(std::string_view text, JsonAllocator& alloc)
{
    return JsonValue(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc);
}

// Splits "inputs.model.name" into the column ("inputs") and the path inside it.
std::pair<std::string, std::vector<std::string>> splitExpandPath(const std::string& dotted)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = dotted.find('.', start);
        parts.push_back(dotted.substr(start, dot == std::string::npos ? dot : dot - start));
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    std::string column = parts.front();
    parts.erase(parts.begin());
    return { column, parts };
}

} // namespace

CallRowWriter::CallRowWriter(const CallsQuery& query, Connection& reader, PriceCatalog& prices)
    : m_query(query)
    , m_reader(reader)
{
    if (query.includeCosts)
        m_prices = std::make_unique<PriceBook>(prices.forProject(reader, query.projectId));
}

CallRowWriter::~CallRowWriter() = default;

bool CallRowWriter::wants(const char* column) const
{
    return m_query.columns.empty() || m_query.columns.count(column) > 0;
}

void CallRowWriter::append(const Statement& row, std::string& out)
{
    const bool summary = wants("summary");
    out += "{\"id\":";
    appendJsonString(out, row.columnText(ColId));
    appendKey(out, "project_id");
    appendJsonString(out, row.columnText(ColProjectId));
    appendKey(out, "op_name");
    appendTextOrNull(out, row, ColOpName);
    if (summary || wants("display_name")) {
        appendKey(out, "display_name");
        appendTextOrNull(out, row, ColDisplayName);
    }
    appendKey(out, "trace_id");
    appendTextOrNull(out, row, ColTraceId);
    const std::pair<const char*, int> idColumns[] = { { "parent_id", ColParentId },
        { "thread_id", ColThreadId }, { "turn_id", ColTurnId } };
    for (const auto& [name, column] : idColumns) {
        if (wants(name)) {
            appendKey(out, name);
            appendTextOrNull(out, row, column);
        }
    }
    appendKey(out, "started_at");
    appendTimeOrNull(out, row, ColStartedAt);
    if (summary || wants("ended_at")) {
        appendKey(out, "ended_at");
        appendTimeOrNull(out, row, ColEndedAt);
    }
    appendJsonColumn(row, ColAttributes, "attributes", out);
    appendJsonColumn(row, ColInputs, "inputs", out);
    appendJsonColumn(row, ColOutput, "output", out);
    if (summary || wants("exception")) {
        appendKey(out, "exception");
        appendTextOrNull(out, row, ColException);
    }
    if (summary)
        appendSummary(row, out);
    const std::pair<const char*, int> userColumns[] = { { "wb_user_id", ColWbUserId },
        { "wb_run_id", ColWbRunId } };
    for (const auto& [name, column] : userColumns) {
        if (wants(name)) {
            appendKey(out, name);
            appendTextOrNull(out, row, column);
        }
    }
    if (wants("wb_run_step")) {
        appendKey(out, "wb_run_step");
        appendIntOrNull(out, row, ColWbRunStep);
    }
    if (wants("wb_run_step_end")) {
        appendKey(out, "wb_run_step_end");
        appendIntOrNull(out, row, ColWbRunStepEnd);
    }
    appendKey(out, "deleted_at");
    out += "null";
    appendStorageSizes(row, out);
    out.push_back('}');
}

void CallRowWriter::appendJsonColumn(const Statement& row, int column, const char* name, std::string& out)
{
    if (!wants(name)) {
        // The Python SDK's CallSchema requires attributes and inputs; Weave's server sends them
        // empty when they are not among the columns.
        if (column != ColOutput) {
            appendKey(out, name);
            out += "{}";
        }
        return;
    }
    appendKey(out, name);
    if (row.isNull(column)) {
        out += column == ColOutput ? "null" : "{}";
        return;
    }
    const std::string_view stored = row.columnText(column);
    bool expands = false;
    for (const auto& path : m_query.expandColumns)
        expands = expands || path.starts_with(std::string(name) + ".");
    if (!expands || !m_query.returnExpandedValues) {
        out += stored;
        return;
    }
    JsonDocument doc = parseJson(stored);
    std::vector<std::pair<std::string, std::vector<std::string>>> paths;
    for (const auto& path : m_query.expandColumns) {
        auto split = splitExpandPath(path);
        if (split.first == name)
            paths.push_back(std::move(split));
    }
    // Shallowest first, so a ref inside an expanded object can be expanded by a longer path.
    std::sort(paths.begin(), paths.end(), [](auto& a, auto& b) { return a.second.size() < b.second.size(); });
    for (const auto& [unused, path] : paths)
        expandRefAt(m_reader, doc, path, doc.GetAllocator());
    appendJson(out, doc);
}

void CallRowWriter::appendSummary(const Statement& row, std::string& out)
{
    char buffer[8192];
    rapidjson::MemoryPoolAllocator<> pool(buffer, sizeof buffer);
    JsonDocument summary(&pool);
    if (!row.isNull(ColSummary))
        summary.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseNanAndInfFlag>(
            row.columnText(ColSummary).data(), row.columnText(ColSummary).size());
    if (row.isNull(ColSummary) || summary.HasParseError() || !summary.IsObject())
        summary.SetObject();
    auto& alloc = summary.GetAllocator();
    summary.RemoveMember("weave");
    JsonValue weave(rapidjson::kObjectType);
    weave.AddMember("status", textValue(row.columnText(ColStatus), alloc), alloc);
    if (!row.isNull(ColLatencyMs))
        weave.AddMember("latency_ms", row.columnInt(ColLatencyMs), alloc);
    if (!row.isNull(ColDisplayName) && !row.columnText(ColDisplayName).empty())
        weave.AddMember("display_name", textValue(row.columnText(ColDisplayName), alloc), alloc);
    else
        weave.AddMember("trace_name", textValue(row.columnText(ColOpShort), alloc), alloc);
    if (m_prices) {
        const auto usage = summary.FindMember("usage");
        JsonValue costs;
        if (usage != summary.MemberEnd()
            && m_prices->buildCosts(usage->value, row.columnInt(ColStartedAt), costs, alloc))
            weave.AddMember("costs", costs, alloc);
    }
    if (m_query.includeFeedback)
        appendFeedback(row.columnText(ColId), weave, alloc);
    summary.AddMember("weave", weave, alloc);
    appendKey(out, "summary");
    appendJson(out, summary);
}

void CallRowWriter::appendFeedback(std::string_view callId, JsonValue& weave, JsonAllocator& alloc)
{
    auto stmt = m_reader.prepare(
        "SELECT id, feedback_type, weave_ref, payload, creator, created_at, wb_user_id, annotation_ref, "
        "runnable_ref, call_ref, trigger_ref FROM feedback WHERE project_id = ? AND call_id = ? "
        "ORDER BY created_at");
    stmt->bind(1, std::string_view(m_query.projectId));
    stmt->bind(2, callId);
    JsonValue list(rapidjson::kArrayType);
    const char* const names[] = { "id", "feedback_type", "weave_ref", "payload", "creator", "created_at",
        "wb_user_id", "annotation_ref", "runnable_ref", "call_ref", "trigger_ref" };
    while (stmt->step()) {
        JsonValue item(rapidjson::kObjectType);
        for (int column = 0; column < 11; ++column) {
            JsonValue value;
            if (column == 3) {
                JsonDocument payload(&alloc);
                payload.Parse(stmt->columnText(3).data(), stmt->columnText(3).size());
                value.CopyFrom(payload, alloc);
            } else if (column == 5) {
                value = textValue(formatIsoTime(stmt->columnInt(5)), alloc);
            } else if (!stmt->isNull(column)) {
                value = textValue(stmt->columnText(column), alloc);
            }
            item.AddMember(JsonValue(rapidjson::StringRef(names[column])), value, alloc);
        }
        list.PushBack(item, alloc);
    }
    weave.AddMember("feedback", list, alloc);
}

void CallRowWriter::appendStorageSizes(const Statement& row, std::string& out)
{
    if (m_query.includeStorageSize) {
        appendKey(out, "storage_size_bytes");
        out += std::to_string(row.columnInt(ColStorageSize));
    }
    if (!m_query.includeTotalStorageSize)
        return;
    appendKey(out, "total_storage_size_bytes");
    if (!row.isNull(ColParentId)) {
        out += "null";
        return;
    }
    auto stmt = m_reader.prepare("SELECT sum(length(attributes) + length(inputs) + ifnull(length(output), 0) "
                                 "+ ifnull(length(summary), 0)) "
                                 "FROM calls WHERE project_id = ? AND trace_id = ? AND deleted_at IS NULL");
    stmt->bind(1, row.columnText(ColProjectId));
    stmt->bind(2, row.columnText(ColTraceId));
    out += stmt->step() ? std::to_string(stmt->columnInt(0)) : std::string("null");
}

} // namespace spindle::server
