#include "server/tables.h"

#include "core/digest.h"
#include "core/timeformat.h"
#include "server/callquery.h"

namespace spindle::server {
namespace {

constexpr std::size_t kMaxTableRows = 1'000'000;
constexpr std::size_t kMaxPositionalChanges = 1000; // inserts and pops in one /table/update

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

// A table row's digest and its stored text.
struct NewRow
{
    std::string digest;
    std::string text;
};

NewRow newRow(const JsonValue& row)
{
    if (!row.IsObject())
        throw badRequest("table rows must be JSON objects");
    return { weaveDigest(pythonJson(row)), toJson(row) };
}

// Weave's table digest: of its row digests in order.
std::string tableDigest(const std::vector<std::string>& rowDigests)
{
    std::string concatenated;
    for (const auto& digest : rowDigests)
        concatenated += digest;
    return sha256Hex(concatenated);
}

// Stores the table `digest` of `rowDigests` (unless it exists) and the rows it does not hold yet.
void writeTable(Connection& db, const std::string& projectId, const std::string& digest,
    const std::vector<std::string>& rowDigests, const std::vector<NewRow>& newRows)
{
    if (tableExists(db, projectId, digest))
        return;
    auto insertRow =
        db.prepare("INSERT OR IGNORE INTO table_rows (project_id, digest, val) VALUES (?, ?, ?)");
    for (const NewRow& row : newRows) {
        insertRow->bind(1, std::string_view(projectId));
        insertRow->bind(2, std::string_view(row.digest));
        insertRow->bind(3, std::string_view(row.text));
        insertRow->run();
    }
    auto insertEntry = db.prepare(
        "INSERT INTO table_entries (project_id, table_digest, idx, row_digest) VALUES (?, ?, ?, ?)");
    for (std::size_t i = 0; i < rowDigests.size(); ++i) {
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
}

std::vector<std::string> rowDigestsOf(Connection& db, const std::string& projectId, const std::string& digest)
{
    if (!tableExists(db, projectId, digest))
        throw notFound("table " + digest + " not found in " + projectId);
    auto stmt = db.prepare(
        "SELECT row_digest FROM table_entries WHERE project_id = ? AND table_digest = ? ORDER BY idx");
    stmt->bind(1, std::string_view(projectId));
    stmt->bind(2, std::string_view(digest));
    std::vector<std::string> digests;
    while (stmt->step())
        digests.emplace_back(stmt->columnText(0));
    return digests;
}

std::string digestsJson(const char* key, const std::vector<std::string>& digests)
{
    std::string out = std::string(",\"") + key + "\":";
    appendJsonStrings(out, digests);
    return out;
}

void checkRowCount(std::size_t rows)
{
    if (rows > kMaxTableRows)
        throw ApiError(413, "a table holds at most " + std::to_string(kMaxTableRows) + " rows");
}

// One change of /table/update: {"append": {"row"}}, {"pop": {"index"}} or {"insert": {"index", "row"}}.
struct TableChange
{
    enum class Kind
    {
        Append,
        Pop,
        Insert
    } kind;
    std::int64_t index = 0;
    NewRow row {};
};

TableChange parseChange(const JsonValue& update)
{
    const char* const shapes = "each update must be one of {\"append\"}, {\"pop\"} or {\"insert\"}";
    if (!update.IsObject() || update.MemberCount() != 1)
        throw badRequest(shapes);
    const auto& [name, spec] = *update.MemberBegin();
    const std::string kind(stringView(name));
    if (!spec.IsObject() || (kind != "append" && kind != "pop" && kind != "insert"))
        throw badRequest(shapes);
    TableChange change { kind == "append" ? TableChange::Kind::Append
            : kind == "pop"               ? TableChange::Kind::Pop
                                          : TableChange::Kind::Insert };
    if (change.kind != TableChange::Kind::Pop)
        change.row = newRow(requireObject(spec, "row", kind));
    if (change.kind != TableChange::Kind::Append) {
        const auto index = optionalInt(spec, "index", kind);
        if (!index)
            throw badRequest("missing required integer '" + kind + ".index'");
        change.index = *index;
    }
    return change;
}

// Applies `change` to the rows; returns the digest of the row it added or removed.
std::string applyChange(std::vector<std::string>& rows, const TableChange& change)
{
    const auto size = static_cast<std::int64_t>(rows.size());
    const auto outOfRange = [size](const char* what, std::int64_t index) {
        return badRequest(std::string(what) + " index " + std::to_string(index) + " is out of range ("
            + std::to_string(size) + " rows)");
    };
    switch (change.kind) {
    case TableChange::Kind::Append:
        rows.push_back(change.row.digest);
        return change.row.digest;
    case TableChange::Kind::Pop: {
        if (change.index < 0 || change.index >= size)
            throw outOfRange("pop", change.index);
        std::string popped = std::move(rows[std::size_t(change.index)]);
        rows.erase(rows.begin() + change.index);
        return popped;
    }
    case TableChange::Kind::Insert:
        if (change.index < 0 || change.index > size)
            throw outOfRange("insert", change.index);
        rows.insert(rows.begin() + change.index, change.row.digest);
        return change.row.digest;
    }
    return {};
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
    checkRowCount(rows->Size());
    std::vector<std::string> rowDigests;
    std::vector<NewRow> newRows;
    for (const auto& row : rows->GetArray()) {
        newRows.push_back(newRow(row));
        rowDigests.push_back(newRows.back().digest);
    }
    const std::string digest = tableDigest(rowDigests);
    context.db.write([&](Connection& db) { writeTable(db, projectId, digest, rowDigests, newRows); });
    std::string out = "{\"digest\":";
    appendJsonString(out, digest);
    return out + digestsJson("row_digests", rowDigests) + "}";
}

// Applies the changes in order to the base table's rows and stores the result as a new table, as
// the Python SDK does to publish a dataset too large for one request. updated_row_digests has one
// digest per change: the row it appended or inserted, or the row it popped.
std::string tableUpdate(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const std::string projectId = requireProjectId(body);
    const std::string base = requireString(body, "base_digest", "");
    const JsonValue* updates = optionalArray(body, "updates", "");
    if (!updates)
        throw badRequest("missing required list 'updates'");
    checkRowCount(updates->Size());
    std::vector<TableChange> changes;
    std::vector<NewRow> newRows;
    std::size_t positional = 0; // inserts and pops: each moves the rows after it
    for (rapidjson::SizeType i = 0; i < updates->Size(); ++i) {
        try {
            changes.push_back(parseChange((*updates)[i]));
        } catch (ApiError& error) {
            error.reason = "updates[" + std::to_string(i) + "]: " + error.reason;
            throw;
        }
        if (changes.back().kind != TableChange::Kind::Pop)
            newRows.push_back(changes.back().row);
        if (changes.back().kind != TableChange::Kind::Append && ++positional > kMaxPositionalChanges)
            throw badRequest("at most " + std::to_string(kMaxPositionalChanges)
                + " inserts and pops a request (appends are not limited)");
    }
    // A table never changes once made, so the base is read and changed outside the write lock:
    // inserts and pops on a million rows take seconds, and every writer would wait for them.
    std::vector<std::string> rows = rowDigestsOf(*context.db.read(), projectId, base);
    std::vector<std::string> changed;
    for (std::size_t i = 0; i < changes.size(); ++i) {
        try {
            changed.push_back(applyChange(rows, changes[i]));
        } catch (ApiError& error) {
            error.reason = "updates[" + std::to_string(i) + "]: " + error.reason;
            throw;
        }
    }
    checkRowCount(rows.size());
    const std::string digest = tableDigest(rows);
    context.db.write([&](Connection& db) { writeTable(db, projectId, digest, rows, newRows); });
    std::string out = "{\"digest\":";
    appendJsonString(out, digest);
    return out + digestsJson("updated_row_digests", changed) + "}";
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
    for (const auto& term : parseSortBy(body)) {
        // Weave's rule for a row field path: no empty step ("", ".a", "a.", "a..b").
        const std::string& field = term.field;
        if (field.empty() || field.front() == '.' || field.back() == '.'
            || field.find("..") != std::string::npos)
            throw badRequest("sort_by field '" + field + "' is not a path of row keys (a.b.c)");
        sql.append(compileSortTerm(field, term.descending, fields)).append(", ");
    }
    sql.append("e.idx ASC LIMIT ").bind(optionalCount(body, "limit", "").value_or(-1));
    sql.append(" OFFSET ").bind(optionalCount(body, "offset", "").value_or(0));
    auto reader = context.db.read(); // a table that does not exist has no rows, as in Weave
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
    // A table that does not exist counts no rows, as in Weave.
    return "{\"count\":" + std::to_string(stmt->step() ? stmt->columnInt(0) : 0) + "}";
}

std::string fileContentDigest(const JsonValue& body, std::string& projectId)
{
    projectId = requireProjectId(body);
    return requireString(body, "digest", "");
}

void storeFile(Database& db, const std::string& projectId, std::string_view bytes, const std::string& digest)
{
    db.write([&](Connection& connection) {
        auto insert = connection.prepare(
            "INSERT OR IGNORE INTO files (project_id, digest, content, created_at) VALUES (?, ?, ?, ?)");
        insert->bind(1, std::string_view(projectId));
        insert->bind(2, std::string_view(digest));
        insert->bindBlob(3, bytes);
        insert->bind(4, nowMicros());
        insert->run();
    });
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
