#include "server/tables.h"

#include "core/digest.h"
#include "core/timeformat.h"
#include "server/callquery.h"

namespace spindle::server {
namespace {

constexpr std::size_t kMaxTableRows = 1'000'000;

// Table rows: fields are dotted paths into the row value.
class RowFieldResolver : public FieldResolver
{
public:
    Field resolve(std::string_view path) const override
    {
        Field field;
        field.kind = ValueKind::Json;
        field.column = "r.val";
        field.jsonPath = std::string(path);
        return field;
    }
};

bool tableExists(Connection& connection, const std::string& projectId, const std::string& digest)
{
    auto stmt = connection.prepare("SELECT 1 FROM tables WHERE project_id = ? AND digest = ?");
    stmt->bind(1, std::string_view(projectId));
    stmt->bind(2, std::string_view(digest));
    return stmt->step();
}

} // namespace

std::string tableCreate(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const JsonValue& table = requireObject(body, "table", "");
    const std::string projectId = requireProjectId(table);
    const JsonValue* rows = optionalArray(table, "rows", "table");
    if (!rows)
        throw badRequest("missing required list 'table.rows'");
    if (rows->Size() > kMaxTableRows)
        throw ApiError(413, "a table holds at most " + std::to_string(kMaxTableRows) + " rows");
    std::vector<std::string> rowDigests, rowTexts;
    std::string concatenated;
    for (const auto& row : rows->GetArray()) {
        if (!row.IsObject())
            throw badRequest("table rows must be JSON objects");
        rowDigests.push_back(weaveDigest(pythonJson(row)));
        rowTexts.push_back(toJson(row));
        concatenated += rowDigests.back();
    }
    const std::string digest = sha256Hex(concatenated);
    context.db.write([&](Connection& db) {
        if (tableExists(db, projectId, digest))
            return;
        auto insertRow =
            db.prepare("INSERT OR IGNORE INTO table_rows (project_id, digest, val) VALUES (?, ?, ?)");
        auto insertEntry = db.prepare(
            "INSERT INTO table_entries (project_id, table_digest, idx, row_digest) VALUES (?, ?, ?, ?)");
        for (std::size_t i = 0; i < rowDigests.size(); ++i) {
            insertRow->bind(1, std::string_view(projectId));
            insertRow->bind(2, std::string_view(rowDigests[i]));
            insertRow->bind(3, std::string_view(rowTexts[i]));
            insertRow->run();
            insertEntry->bind(1, std::string_view(projectId));
            insertEntry->bind(2, std::string_view(digest));
            insertEntry->bind(3, static_cast<std::int64_t>(i));
            insertEntry->bind(4, std::string_view(rowDigests[i]));
            insertEntry->run();
        }
        auto insertTable =
            db.prepare("INSERT INTO tables (project_id, digest, row_count, created_at) VALUES (?, ?, ?, ?)");
        insertTable->bind(1, std::string_view(projectId));
        insertTable->bind(2, std::string_view(digest));
        insertTable->bind(3, static_cast<std::int64_t>(rowDigests.size()));
        insertTable->bind(4, nowMicros());
        insertTable->run();
    });
    std::string out = "{\"digest\":";
    appendJsonString(out, digest);
    out += ",\"row_digests\":[";
    for (std::size_t i = 0; i < rowDigests.size(); ++i) {
        if (i)
            out.push_back(',');
        appendJsonString(out, rowDigests[i]);
    }
    return out + "]}";
}

std::string tableQuery(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    const std::string digest = requireString(body, "digest", "");
    Sql sql { "SELECT e.row_digest, r.val, e.idx FROM table_entries e JOIN table_rows r ON r.project_id = "
              "e.project_id AND r.digest = e.row_digest WHERE e.project_id = ? AND e.table_digest = ?",
        { projectId, digest } };
    if (const JsonValue* filter = optionalObject(body, "filter", "")) {
        const auto digests = optionalStringList(*filter, "row_digests", "filter");
        if (!digests.empty()) {
            sql.append(" AND e.row_digest IN (");
            for (std::size_t i = 0; i < digests.size(); ++i)
                (i ? sql.append(", ") : sql).bind(digests[i]);
            sql.append(")");
        }
    }
    const RowFieldResolver fields;
    sql.append(" ORDER BY ");
    for (const auto& term : parseSortBy(body))
        sql.append(compileSortTerm(term.field, term.descending, fields)).append(", ");
    sql.append("e.idx ASC LIMIT ").bind(optionalCount(body, "limit", "").value_or(-1));
    sql.append(" OFFSET ").bind(optionalCount(body, "offset", "").value_or(0));
    auto reader = context.db.read();
    if (!tableExists(*reader, projectId, digest))
        throw notFound("table " + digest + " not found in " + projectId);
    auto stmt = reader->prepareAdHoc(sql.text);
    stmt->bindAll(sql.params);
    std::string out = "{\"rows\":[";
    for (bool first = true; stmt->step(); first = false) {
        out += first ? "{\"digest\":" : ",{\"digest\":";
        appendJsonString(out, stmt->columnText(0));
        out += ",\"val\":";
        out += stmt->columnText(1);
        out += ",\"original_index\":" + std::to_string(stmt->columnInt(2)) + "}";
    }
    return out + "]}";
}

std::string tableQueryStats(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    const std::string digest = requireString(body, "digest", "");
    auto reader = context.db.read();
    auto stmt = reader->prepare("SELECT row_count FROM tables WHERE project_id = ? AND digest = ?");
    stmt->bind(1, std::string_view(projectId));
    stmt->bind(2, std::string_view(digest));
    if (!stmt->step())
        throw notFound("table " + digest + " not found in " + projectId);
    return "{\"count\":" + std::to_string(stmt->columnInt(0)) + "}";
}

std::string fileContentDigest(const JsonValue& body, std::string& projectId)
{
    projectId = requireProjectId(body);
    return requireString(body, "digest", "");
}

std::string storeFile(Database& db, const std::string& projectId, std::string_view bytes)
{
    const std::string digest = weaveDigest(bytes);
    db.write([&](Connection& connection) {
        auto insert = connection.prepare(
            "INSERT OR IGNORE INTO files (project_id, digest, content, created_at) VALUES (?, ?, ?, ?)");
        insert->bind(1, std::string_view(projectId));
        insert->bind(2, std::string_view(digest));
        insert->bindBlob(3, bytes);
        insert->bind(4, nowMicros());
        insert->run();
    });
    return digest;
}

std::optional<std::string> readFile(Database& db, const std::string& projectId, const std::string& digest)
{
    auto reader = db.read();
    auto stmt = reader->prepare("SELECT content FROM files WHERE project_id = ? AND digest = ?");
    stmt->bind(1, std::string_view(projectId));
    stmt->bind(2, std::string_view(digest));
    if (!stmt->step())
        return std::nullopt;
    return std::string(stmt->columnBlob(0));
}

} // namespace spindle::server
