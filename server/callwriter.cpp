// Ingest: /call/start, /call/end and /call/upsert_batch. Starts and ends may arrive in any order
// and any batch; both halves merge into one row. A batch is validated whole before anything is
// written, then written in one transaction: all or nothing.
#include "core/ids.h"
#include "core/timeformat.h"
#include "core/weaveref.h"
#include "server/calls.h"
#include "server/prices.h"

#include <map>

namespace spindle::server {
namespace {

struct StartHalf
{
    std::string traceId, opName, opShort, attributes, inputs, inputRefs;
    std::optional<std::string> parentId, threadId, turnId, displayName, wbRunId;
    std::optional<std::int64_t> wbRunStep;
    std::int64_t startedAt = 0;
};

struct EndHalf
{
    std::optional<std::string> exception, output, displayName;
    std::string outputRefs, summary;
    std::optional<std::int64_t> wbRunStepEnd, totalTokens;
    std::int64_t endedAt = 0;
    bool descendantError = false;
};

struct CallWrite
{
    std::string projectId, id;
    std::optional<StartHalf> start;
    std::optional<EndHalf> end;
};

std::int64_t requireTime(const JsonValue& record, const char* key, const char* where)
{
    const std::string text = requireString(record, key, where);
    const auto micros = parseIsoTime(text);
    if (!micros)
        throw badRequest(std::string(where) + "." + key + " '" + text + "' is not an ISO-8601 datetime");
    return *micros;
}

std::string refsJson(const JsonValue* value)
{
    std::vector<std::string> refs;
    if (value)
        collectWeaveRefs(*value, refs);
    std::string out = "[";
    for (std::size_t i = 0; i < refs.size(); ++i) {
        if (i)
            out.push_back(',');
        appendJsonString(out, refs[i]);
    }
    return out + "]";
}

std::string objectJson(const JsonValue& record, const char* key, const char* where)
{
    const JsonValue* value = optionalObject(record, key, where);
    return value ? toJson(*value) : std::string("{}");
}

StartHalf parseStart(const JsonValue& start, std::string& id)
{
    StartHalf half;
    id = optionalString(start, "id", "start").value_or(newUuid7());
    half.traceId = optionalString(start, "trace_id", "start").value_or(newUuid7());
    half.opName = requireString(start, "op_name", "start");
    half.opShort = opShortName(half.opName);
    half.parentId = optionalString(start, "parent_id", "start");
    half.threadId = optionalString(start, "thread_id", "start");
    half.turnId = optionalString(start, "turn_id", "start");
    half.displayName = optionalString(start, "display_name", "start");
    half.wbRunId = optionalString(start, "wb_run_id", "start");
    half.wbRunStep = optionalInt(start, "wb_run_step", "start");
    half.startedAt = requireTime(start, "started_at", "start");
    half.attributes = objectJson(start, "attributes", "start");
    half.inputs = objectJson(start, "inputs", "start");
    half.inputRefs = refsJson(optionalMember(start, "inputs"));
    if (id.empty() || id.size() > 128 || half.traceId.empty() || half.traceId.size() > 128)
        throw badRequest("call ids and trace ids must be 1-128 characters");
    return half;
}

std::optional<std::int64_t> totalTokens(const JsonValue& summary)
{
    const auto usage = summary.FindMember("usage");
    if (usage == summary.MemberEnd() || !usage->value.IsObject())
        return std::nullopt;
    // An entry whose count is no number of tokens (NaN, negative, beyond 2^53) is left out of the
    // total: a NULL total would drop the call's other models from /calls/stats' usage as well.
    constexpr double kMostTokens = 9007199254740992.0; // 2^53
    double total = 0;
    for (const auto& model : usage->value.GetObject()) {
        const double tokens = normaliseUsage(model.value).total;
        if (tokens >= 0 && tokens <= kMostTokens)
            total += tokens;
    }
    if (!fitsInt64(total))
        return std::nullopt;
    return static_cast<std::int64_t>(total);
}

EndHalf parseEnd(const JsonValue& end)
{
    EndHalf half;
    half.endedAt = requireTime(end, "ended_at", "end");
    half.exception = optionalString(end, "exception", "end");
    half.displayName = optionalString(end, "display_name", "end");
    half.wbRunStepEnd = optionalInt(end, "wb_run_step_end", "end");
    if (const auto it = end.FindMember("output"); it != end.MemberEnd() && !it->value.IsNull()) {
        half.output = toJson(it->value);
        half.outputRefs = refsJson(&it->value);
    } else {
        half.outputRefs = "[]";
    }
    const JsonValue* summary = optionalObject(end, "summary", "end");
    half.summary = summary ? toJson(*summary) : std::string("{}");
    if (summary) {
        half.totalTokens = totalTokens(*summary);
        const JsonValue* counts = optionalMember(*summary, "status_counts");
        const JsonValue* errors = counts && counts->IsObject() ? optionalMember(*counts, "error") : nullptr;
        half.descendantError = errors && errors->IsNumber() && errors->GetDouble() > 0;
    }
    return half;
}

class BatchBuilder
{
public:
    // Returns the response entry for this item.
    std::string addStart(const JsonValue& req)
    {
        const JsonValue& start = requireObject(req, "start", "");
        const std::string projectId = requireProjectId(start);
        std::string id;
        StartHalf half = parseStart(start, id);
        std::string response = startResponse(id, half);
        entry(projectId, id).start = std::move(half);
        return response;
    }
    std::string addEnd(const JsonValue& req)
    {
        const JsonValue& end = requireObject(req, "end", "");
        const std::string projectId = requireProjectId(end);
        const std::string id = requireString(end, "id", "end");
        if (id.empty() || id.size() > 128) // as a start's: an end alone makes the row
            throw badRequest("call ids and trace ids must be 1-128 characters");
        entry(projectId, id).end = parseEnd(end);
        return "{}";
    }
    // A call sent whole, its start and end fields in one record: the SDKs' calls-complete mode.
    std::string addComplete(const JsonValue& call)
    {
        if (!call.IsObject())
            throw badRequest("each batch item must be a call object");
        const std::string projectId = requireProjectId(call);
        requireString(call, "id", "call"); // a finished call names itself
        std::string id;
        StartHalf start = parseStart(call, id);
        std::string response = startResponse(id, start);
        CallWrite& write = entry(projectId, id);
        write.start = std::move(start);
        write.end = parseEnd(call);
        return response;
    }
    std::vector<CallWrite>& writes()
    {
        return m_writes;
    }

private:
    static std::string startResponse(const std::string& id, const StartHalf& start)
    {
        std::string response = "{\"id\":";
        appendJsonString(response, id);
        response += ",\"trace_id\":";
        appendJsonString(response, start.traceId);
        return response + "}";
    }
    CallWrite& entry(const std::string& projectId, const std::string& id)
    {
        auto [it, inserted] = m_index.try_emplace({ projectId, id }, m_writes.size());
        if (inserted)
            m_writes.push_back(CallWrite { projectId, id, {}, {} });
        return m_writes[it->second];
    }
    std::map<std::pair<std::string, std::string>, std::size_t> m_index;
    std::vector<CallWrite> m_writes;
};

const char* const kStartColumns =
    "trace_id, parent_id, thread_id, turn_id, op_name, op_short, display_name, "
    "started_at, attributes, inputs, input_refs, wb_user_id, wb_run_id, wb_run_step";
const char* const kStartUpdates =
    "trace_id = excluded.trace_id, parent_id = excluded.parent_id, thread_id = excluded.thread_id, "
    "turn_id = excluded.turn_id, op_name = excluded.op_name, op_short = excluded.op_short, "
    "display_name = COALESCE(excluded.display_name, calls.display_name), started_at = excluded.started_at, "
    "attributes = excluded.attributes, inputs = excluded.inputs, input_refs = excluded.input_refs, "
    "wb_user_id = excluded.wb_user_id, wb_run_id = excluded.wb_run_id, wb_run_step = excluded.wb_run_step";
const char* const kEndColumns = "ended_at, exception, output, output_refs, summary, wb_run_step_end, "
                                "descendant_error, total_tokens";
const char* const kEndUpdates =
    "ended_at = excluded.ended_at, exception = excluded.exception, output = excluded.output, "
    "output_refs = excluded.output_refs, summary = excluded.summary, "
    "wb_run_step_end = excluded.wb_run_step_end, descendant_error = excluded.descendant_error, "
    "total_tokens = excluded.total_tokens";
// Only a lone end carries its own display name (the TS SDK sends one there); a start's wins.
const char* const kEndDisplayName =
    ", display_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, id) DO UPDATE SET "
    "display_name = COALESCE(calls.display_name, excluded.display_name), ";

int bindStart(Statement& stmt, int i, const StartHalf& s, const std::string& userId)
{
    stmt.bind(i++, std::string_view(s.traceId));
    stmt.bind(i++, s.parentId);
    stmt.bind(i++, s.threadId);
    stmt.bind(i++, s.turnId);
    stmt.bind(i++, std::string_view(s.opName));
    stmt.bind(i++, std::string_view(s.opShort));
    stmt.bind(i++, s.displayName && !s.displayName->empty() ? s.displayName : std::nullopt);
    stmt.bind(i++, s.startedAt);
    stmt.bind(i++, std::string_view(s.attributes));
    stmt.bind(i++, std::string_view(s.inputs));
    stmt.bind(i++, std::string_view(s.inputRefs));
    stmt.bind(i++, std::string_view(userId));
    stmt.bind(i++, s.wbRunId);
    stmt.bind(i++, s.wbRunStep);
    return i;
}

int bindEnd(Statement& stmt, int i, const EndHalf& e)
{
    stmt.bind(i++, e.endedAt);
    stmt.bind(i++, e.exception);
    stmt.bind(i++, e.output);
    stmt.bind(i++, std::string_view(e.outputRefs));
    stmt.bind(i++, std::string_view(e.summary));
    stmt.bind(i++, e.wbRunStepEnd);
    stmt.bind(i++, std::int64_t(e.descendantError ? 1 : 0));
    stmt.bind(i++, e.totalTokens);
    return i;
}

std::string placeholders(int count)
{
    std::string out;
    for (int i = 0; i < count; ++i)
        out += i ? ", ?" : "?";
    return out;
}

void writeCalls(Connection& db, const std::vector<CallWrite>& writes, const std::string& userId)
{
    const std::string base = "INSERT INTO calls (project_id, id, ";
    auto startOnly = db.prepare(base + kStartColumns + ") VALUES (" + placeholders(16)
        + ") ON CONFLICT (project_id, id) DO UPDATE SET " + kStartUpdates);
    auto endOnly = db.prepare(base + kEndColumns + kEndDisplayName + kEndUpdates);
    auto both = db.prepare(base + kStartColumns + ", " + kEndColumns + ") VALUES (" + placeholders(24)
        + ") ON CONFLICT (project_id, id) DO UPDATE SET " + kStartUpdates + ", " + kEndUpdates);
    for (const CallWrite& call : writes) {
        Statement& stmt = call.start && call.end ? *both : call.start ? *startOnly : *endOnly;
        stmt.bind(1, std::string_view(call.projectId));
        stmt.bind(2, std::string_view(call.id));
        int next = 3;
        if (call.start) {
            StartHalf start = *call.start;
            if (!start.displayName && call.end)
                start.displayName = call.end->displayName;
            next = bindStart(stmt, next, start, userId);
        }
        if (call.end)
            next = bindEnd(stmt, next, *call.end);
        if (!call.start) {
            const auto& name = call.end->displayName;
            stmt.bind(next, name && !name->empty() ? name : std::nullopt);
        }
        stmt.run();
    }
}

std::string ingest(BatchBuilder& builder, RequestContext& context)
{
    context.db.write([&](Connection& db) { writeCalls(db, builder.writes(), context.userId); });
    return {};
}

} // namespace

std::string callStart(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    BatchBuilder builder;
    std::string response = builder.addStart(body);
    ingest(builder, context);
    return response;
}

std::string callEnd(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    BatchBuilder builder;
    std::string response = builder.addEnd(body);
    ingest(builder, context);
    return response;
}

namespace {

// The items of a batch request, each through `add`; an error names the item it is about.
template <typename Add> std::string addBatch(const JsonValue& body, Add&& add)
{
    requireObjectBody(body);
    const JsonValue* batch = optionalArray(body, "batch", "");
    if (!batch)
        throw badRequest("missing required list 'batch'");
    std::string response = "{\"res\":[";
    rapidjson::SizeType index = 0;
    for (const auto& item : batch->GetArray()) {
        try {
            response += index ? "," : "";
            response += add(item);
        } catch (ApiError& error) {
            error.reason = "batch[" + std::to_string(index) + "]: " + error.reason;
            throw;
        }
        ++index;
    }
    return response + "]}";
}

} // namespace

std::string callUpsertBatch(const JsonValue& body, RequestContext& context)
{
    BatchBuilder builder;
    const std::string response = addBatch(body, [&builder](const JsonValue& item) {
        const std::string mode = item.IsObject() ? requireString(item, "mode", "") : std::string();
        const JsonValue* req = item.IsObject() ? optionalObject(item, "req", "") : nullptr;
        if (!req || (mode != "start" && mode != "end"))
            throw badRequest("each batch item must be {\"mode\": \"start\"|\"end\", \"req\": {...}}");
        return mode == "start" ? builder.addStart(*req) : builder.addEnd(*req);
    });
    ingest(builder, context);
    return response;
}

std::string callsComplete(const JsonValue& body, RequestContext& context)
{
    BatchBuilder builder;
    const std::string response =
        addBatch(body, [&builder](const JsonValue& item) { return builder.addComplete(item); });
    ingest(builder, context);
    return response;
}

} // namespace spindle::server
