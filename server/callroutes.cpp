// Reading and changing stored calls: read, update, delete, query, query_stats, stream_query.
#include "core/timeformat.h"
#include "server/calls.h"

#include <limits>

namespace spindle::server {
namespace {

constexpr std::size_t kMaxDeleteIds = 1000;

Sql selectSql(const CallsQuery& query)
{
    Sql sql { std::string("SELECT ") + kCallSelectColumns + " FROM calls WHERE ", {} };
    sql.append(query.where).append(" ORDER BY ").append(query.orderBy);
    sql.append(" LIMIT ").bind(query.limit.value_or(-1)).append(" OFFSET ").bind(query.offset);
    return sql;
}

} // namespace

CallStream::CallStream(RequestContext& context, const JsonValue& request)
    : m_query(parseCallsQuery(request))
    , m_reader(context.db.read())
{
    const Sql sql = selectSql(m_query);
    if (usesCostFunction(sql.text)) {
        m_costBook = std::make_unique<PriceBook>(context.prices.forProject(*m_reader, m_query.projectId));
        m_costFunction.emplace(*m_reader, m_costBook.get(), sql.text);
    }
    m_statement = m_reader->prepareAdHoc(sql.text);
    m_statement->bindAll(sql.params);
    m_writer = std::make_unique<CallRowWriter>(m_query, *m_reader, context.prices);
}

CallStream::~CallStream()
{
    // The statement and writer use the reader connection: drop them before it goes back to the pool.
    m_writer.reset();
    m_statement.reset();
}

bool CallStream::next(std::string& out, int maxRows)
{
    for (int rows = 0; rows < maxRows && !m_done; ++rows) {
        if (!m_statement->step()) {
            m_done = true;
            break;
        }
        m_writer->append(*m_statement, out);
        out.push_back('\n');
    }
    return !m_done;
}

std::string callsQuery(const JsonValue& body, RequestContext& context)
{
    CallStream stream(context, body);
    std::string lines;
    while (stream.next(lines, 1000)) { }
    // JSONL → one JSON array body: the lines are complete objects, so join them with commas.
    std::string out = "{\"calls\":[";
    std::size_t start = 0;
    for (bool first = true; start < lines.size(); first = false) {
        const std::size_t end = lines.find('\n', start);
        if (!first)
            out.push_back(',');
        out.append(lines, start, end - start);
        start = end + 1;
    }
    return out + "]}";
}

std::string callRead(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    JsonDocument request(rapidjson::kObjectType);
    auto& alloc = request.GetAllocator();
    request.AddMember("project_id", jsonText(requireProjectId(body), alloc), alloc);
    JsonValue ids(rapidjson::kArrayType);
    ids.PushBack(jsonText(requireString(body, "id", ""), alloc), alloc);
    JsonValue filter(rapidjson::kObjectType);
    filter.AddMember("call_ids", ids, alloc);
    request.AddMember("filter", filter, alloc);
    for (const char* flag : { "include_costs", "include_storage_size", "include_total_storage_size" })
        request.AddMember(JsonValue(rapidjson::StringRef(flag)),
            JsonValue(optionalBool(body, flag, "").value_or(false)), alloc);
    CallStream stream(context, request);
    std::string line;
    stream.next(line, 1);
    if (line.empty())
        return "{\"call\":null}";
    line.pop_back(); // the newline
    return "{\"call\":" + line + "}";
}

std::string callUpdate(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    const std::string callId = requireString(body, "call_id", "");
    const JsonValue* name = optionalMember(body, "display_name");
    if (!name || !name->IsString())
        throw badRequest("call/update takes a string 'display_name' (\"\" clears it)");
    if (name->GetStringLength() > 1024)
        throw badRequest("display_name is limited to 1024 characters");
    context.db.write([&](Connection& db) {
        auto stmt =
            db.prepare("UPDATE calls SET display_name = NULLIF(?, '') WHERE project_id = ? AND id = ? "
                       "AND deleted_at IS NULL AND started_at IS NOT NULL");
        stmt->bind(1, stringView(*name));
        stmt->bind(2, std::string_view(projectId));
        stmt->bind(3, std::string_view(callId));
        stmt->run();
        if (db.changes() == 0)
            throw notFound("call " + callId + " not found in " + projectId);
    });
    return "{}";
}

std::string callsDelete(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    const auto ids = optionalStringList(body, "call_ids", "");
    if (ids.size() > kMaxDeleteIds)
        throw badRequest("calls/delete takes at most " + std::to_string(kMaxDeleteIds) + " call_ids");
    if (ids.empty())
        return "{\"num_deleted\":0}";
    // Soft delete of the listed calls and every descendant, found by walking parent_id links.
    Sql sql { "WITH RECURSIVE doomed(id, trace_id) AS (SELECT id, trace_id FROM calls WHERE project_id = ? "
              "AND deleted_at IS NULL "
              "AND id IN (",
        { projectId } };
    for (std::size_t i = 0; i < ids.size(); ++i)
        (i ? sql.append(", ") : sql).bind(ids[i]);
    // Descendants are found through parent_id links inside the same trace.
    sql.append(") UNION SELECT c.id, c.trace_id FROM calls c JOIN doomed d ON c.parent_id = d.id "
               "AND c.trace_id = d.trace_id WHERE c.project_id = ")
        .bind(projectId)
        .append(" AND c.deleted_at IS NULL) UPDATE calls SET deleted_at = ")
        .bind(nowMicros())
        .append(" WHERE project_id = ")
        .bind(projectId)
        .append(" AND id IN (SELECT id FROM doomed)");
    const std::int64_t deleted = context.db.write([&](Connection& db) {
        auto stmt = db.prepareAdHoc(sql.text);
        stmt->bindAll(sql.params);
        stmt->run();
        return db.changes();
    });
    return "{\"num_deleted\":" + std::to_string(deleted) + "}";
}

std::string callsQueryStats(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    JsonDocument request;
    request.CopyFrom(body, request.GetAllocator());
    request.RemoveMember("sort_by");
    request.RemoveMember("offset");
    request.RemoveMember("limit");
    const CallsQuery query = parseCallsQuery(request);
    const auto limit = optionalInt(body, "limit", "");
    if (limit && *limit < 0)
        throw badRequest("limit must not be negative");
    Sql sql { "SELECT count(*) FROM (SELECT 1 FROM calls WHERE ", {} };
    // One past the limit says whether there is more; a limit past any count needs no extra row.
    const std::int64_t counted = limit && *limit < std::numeric_limits<std::int64_t>::max() ? *limit + 1 : -1;
    sql.append(query.where).append(" LIMIT ").bind(counted).append(")");
    auto reader = context.db.read();
    std::unique_ptr<PriceBook> costBook;
    if (usesCostFunction(sql.text))
        costBook = std::make_unique<PriceBook>(context.prices.forProject(*reader, query.projectId));
    // Both statements below filter on the query: the size too needs wv_cost() (it summed 0 bytes).
    const CostFunctionScope costFunction(*reader, costBook.get(), sql.text);
    auto stmt = reader->prepareAdHoc(sql.text);
    stmt->bindAll(sql.params);
    stmt->step();
    const std::int64_t count = stmt->columnInt(0);
    stmt.reset();
    std::string out = "{\"count\":" + std::to_string(limit ? std::min(count, *limit) : count);
    if (limit)
        out += count > *limit ? ",\"has_more\":true" : ",\"has_more\":false";
    if (optionalBool(body, "include_total_storage_size", "").value_or(false)) {
        Sql size { "SELECT sum(length(attributes) + length(inputs) + ifnull(length(output), 0) + "
                   "ifnull(length(summary), 0)) FROM calls WHERE ",
            {} };
        size.append(query.where);
        auto sizeStmt = reader->prepareAdHoc(size.text);
        sizeStmt->bindAll(size.params);
        sizeStmt->step();
        out += ",\"total_storage_size_bytes\":" + std::to_string(sizeStmt->columnInt(0));
    }
    return out + "}";
}

std::string spindleProjects(const JsonValue&, RequestContext& context)
{
    // A Spindle extension (hosted Weave lists projects through W&B's GraphQL API instead).
    auto reader = context.db.read();
    auto stmt =
        reader->prepare("SELECT project_id, count(*), max(started_at) FROM calls WHERE deleted_at IS NULL "
                        "AND started_at IS NOT NULL GROUP BY project_id ORDER BY max(started_at) DESC");
    std::string out = "{\"projects\":[";
    for (bool first = true; stmt->step(); first = false) {
        out += first ? "{\"project_id\":" : ",{\"project_id\":";
        appendJsonString(out, stmt->columnText(0));
        out += ",\"call_count\":" + std::to_string(stmt->columnInt(1));
        out += ",\"last_started_at\":\"" + formatIsoTime(stmt->columnInt(2)) + "\"}";
    }
    return out + "]}";
}

} // namespace spindle::server
