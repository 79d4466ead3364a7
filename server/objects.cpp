#include "server/objects.h"

#include "core/digest.h"
#include "core/timeformat.h"
#include "core/weaveref.h"
#include "server/callquery.h"
#include "server/objecttags.h"

#include <QList>
#include <QString>

#include <charconv>
#include <set>

namespace spindle::server {
namespace {

const char* const kObjectColumns = "project_id, object_id, created_at, deleted_at, digest, version_index, "
                                   "is_latest, kind, base_object_class, leaf_object_class, val, wb_user_id";

// Weave's rule for object names: 1-128 characters, each a letter or digit of any script, '_', '.'
// or '-' (Python's [\w._-]): the Python SDK names an op or object after its Python name, which may
// be 翻訳 or données.
std::string requireObjectId(const JsonValue& obj)
{
    std::string id = requireString(obj, "object_id", "obj");
    const QList<uint> characters = QString::fromUtf8(id).toUcs4();
    bool valid = !characters.isEmpty() && characters.size() <= 128;
    for (const uint c : characters)
        valid = valid && (c == '.' || c == '_' || c == '-' || QChar::isLetterOrNumber(char32_t(c)));
    if (!valid)
        throw badRequest("object_id must be 1-128 letters, digits, '.', '_' or '-', not '" + id + "'");
    return id;
}

std::string stringMember(const JsonValue& val, const char* key)
{
    const auto it = val.FindMember(key);
    return it != val.MemberEnd() && it->value.IsString() ? std::string(stringView(it->value)) : std::string();
}

std::string objectKind(const JsonValue& val)
{
    if (!val.IsObject())
        return "object";
    const std::string type = stringMember(val, "_type");
    if (type == "Op")
        return "op";
    if (type == "CustomWeaveType") {
        const auto it = val.FindMember("weave_type");
        if (it != val.MemberEnd() && it->value.IsObject() && stringMember(it->value, "type") == "Op")
            return "op";
    }
    return "object";
}

// The classes Weave files an object under: only a subclass of weave.Object or BaseObject (whose
// _bases end "Object"/"BaseObject", "BaseModel") has them. The leaf is its own class, the base the
// first subclass below Object or BaseObject (the leaf itself when it is that subclass). A plain
// pydantic model or any other value has neither.
struct ObjectClasses
{
    std::optional<std::string> base;
    std::optional<std::string> leaf;
};

ObjectClasses objectClasses(const JsonValue& val)
{
    if (!val.IsObject())
        return {};
    const auto bases = val.FindMember("_bases");
    if (bases == val.MemberEnd() || !bases->value.IsArray() || bases->value.Size() < 2)
        return {};
    const auto& list = bases->value;
    const auto nameAt = [&](rapidjson::SizeType fromEnd) {
        const JsonValue& item = list[list.Size() - fromEnd];
        return item.IsString() ? std::string(stringView(item)) : std::string();
    };
    const std::string root = nameAt(2);
    if (nameAt(1) != "BaseModel" || (root != "Object" && root != "BaseObject"))
        return {};
    const std::string className = stringMember(val, "_class_name");
    if (className.empty())
        return {};
    const std::string base = list.Size() > 2 ? nameAt(3) : className;
    return { base.empty() ? std::nullopt : std::optional(base), className };
}

void appendObjectRow(std::string& out, const Statement& row, bool metadataOnly, bool withSize)
{
    out += "{\"project_id\":";
    appendJsonString(out, row.columnText(0));
    out += ",\"object_id\":";
    appendJsonString(out, row.columnText(1));
    out += ",\"created_at\":\"" + formatIsoTime(row.columnInt(2)) + "\",\"deleted_at\":null,\"digest\":";
    appendJsonString(out, row.columnText(4));
    out += ",\"version_index\":" + std::to_string(row.columnInt(5));
    out += ",\"is_latest\":" + std::to_string(row.columnInt(6));
    out += ",\"kind\":";
    appendJsonString(out, row.columnText(7));
    out += ",\"base_object_class\":";
    row.isNull(8) ? void(out += "null") : appendJsonString(out, row.columnText(8));
    out += ",\"leaf_object_class\":";
    row.isNull(9) ? void(out += "null") : appendJsonString(out, row.columnText(9));
    out += ",\"val\":";
    out += metadataOnly ? std::string_view("{}") : row.columnText(10);
    out += ",\"wb_user_id\":";
    row.isNull(11) ? void(out += "null") : appendJsonString(out, row.columnText(11));
    if (withSize)
        out += ",\"size_bytes\":" + std::to_string(row.columnText(10).size());
    out.push_back('}');
}

// The row's tags and aliases, inside its object (before the closing brace appendObjectRow wrote).
void appendVersionNames(Connection& reader, const Statement& row, std::string& out)
{
    out.pop_back();
    appendTagsAndAliases(reader, std::string(row.columnText(0)), std::string(row.columnText(1)),
        std::string(row.columnText(4)), row.columnInt(6) == 1, out);
    out.push_back('}');
}

// "latest", "v<N>" or a digest → the SQL condition selecting that version.
Sql versionCondition(const std::string& digest)
{
    Sql sql;
    if (digest == "latest")
        return sql.append("is_latest = 1");
    if (digest.size() > 1 && digest[0] == 'v') {
        std::int64_t index = 0;
        const auto [end, ec] = std::from_chars(digest.data() + 1, digest.data() + digest.size(), index);
        if (ec == std::errc() && end == digest.data() + digest.size())
            return sql.append("version_index = ").bind(index);
    }
    return sql.append("digest = ").bind(digest);
}

void insertVersion(Connection& db, const JsonValue& obj, const std::string& projectId,
    const std::string& objectId, const std::string& digest, const std::string& valText, const JsonValue& val,
    const std::string& userId)
{
    // One past the highest index, deleted versions included: that is the count of versions (0, 1,
    // 2, ...) until a deleted one comes back with a new index, after which a count would repeat one.
    auto next = db.prepare(
        "SELECT ifnull(max(version_index) + 1, 0) FROM objects WHERE project_id = ? AND object_id = ?");
    next->bind(1, std::string_view(projectId));
    next->bind(2, std::string_view(objectId));
    next->step();
    const std::int64_t versionIndex = next->columnInt(0);
    next->reset();
    auto clear = db.prepare("UPDATE objects SET is_latest = 0 WHERE project_id = ? AND object_id = ?");
    clear->bind(1, std::string_view(projectId));
    clear->bind(2, std::string_view(objectId));
    clear->run();
    std::vector<std::string> refs;
    collectWeaveRefs(val, refs);
    JsonDocument refList(rapidjson::kArrayType);
    for (const auto& ref : refs)
        refList.PushBack(jsonText(ref, refList.GetAllocator()), refList.GetAllocator());
    auto insert = db.prepare(
        "INSERT INTO objects (project_id, object_id, digest, kind, base_object_class, leaf_object_class, "
        "refs, "
        "val, version_index, is_latest, created_at, wb_user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
        "ON CONFLICT (project_id, object_id, digest) DO UPDATE SET deleted_at = NULL, is_latest = 1, "
        "version_index = excluded.version_index, created_at = excluded.created_at");
    insert->bind(1, std::string_view(projectId));
    insert->bind(2, std::string_view(objectId));
    insert->bind(3, std::string_view(digest));
    insert->bind(4, std::string_view(objectKind(val)));
    const ObjectClasses classes = objectClasses(val);
    insert->bind(5, classes.base);
    insert->bind(6, classes.leaf);
    insert->bind(7, std::string_view(toJson(refList)));
    insert->bind(8, std::string_view(valText));
    insert->bind(9, versionIndex);
    insert->bind(10, nowMicros());
    insert->bind(11, std::string_view(userId));
    insert->run();
    (void)obj;
}

} // namespace

std::optional<std::string> readObjectVal(
    Connection& reader, const std::string& projectId, const std::string& objectId, const std::string& digest)
{
    Sql sql { "SELECT val FROM objects WHERE project_id = ? AND object_id = ? AND deleted_at IS NULL AND ",
        { projectId, objectId } };
    sql.append(versionCondition(digest));
    auto stmt = reader.prepare(sql.text);
    stmt->bindAll(sql.params);
    if (!stmt->step())
        return std::nullopt;
    return std::string(stmt->columnText(0));
}

std::string objCreate(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const JsonValue& obj = requireObject(body, "obj", "");
    const std::string projectId = requireProjectId(obj);
    const std::string objectId = requireObjectId(obj);
    if (!obj.HasMember("val"))
        throw badRequest("missing required field 'obj.val'");
    JsonDocument val;
    val.CopyFrom(obj["val"], val.GetAllocator());
    auto builtin = optionalString(obj, "builtin_object_class", "obj");
    if (!builtin)
        builtin = optionalString(obj, "set_base_object_class", "obj");
    if (builtin)
        applyBuiltinClass(*builtin, val, val.GetAllocator());
    const std::string digest = weaveDigest(pythonJson(val));
    if (auto expected = optionalString(obj, "expected_digest", "obj"); expected && *expected != digest)
        throw ApiError(409, "digest mismatch: expected " + *expected + ", computed " + digest);
    const std::string valText = toJson(val);
    context.db.write([&](Connection& db) {
        auto existing =
            db.prepare("SELECT deleted_at IS NULL FROM objects WHERE project_id = ? AND object_id = ? "
                       "AND digest = ?");
        existing->bind(1, std::string_view(projectId));
        existing->bind(2, std::string_view(objectId));
        existing->bind(3, std::string_view(digest));
        // An identical live version is returned unchanged: its index and created_at stay.
        if (existing->step() && existing->columnInt(0) == 1)
            return;
        existing->reset();
        insertVersion(db, obj, projectId, objectId, digest, valText, val, context.userId);
    });
    std::string out = "{\"digest\":";
    appendJsonString(out, digest);
    out += ",\"object_id\":";
    appendJsonString(out, objectId);
    return out + "}";
}

std::string objRead(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    const std::string objectId = requireString(body, "object_id", "");
    const std::string digest = requireString(body, "digest", "");
    const bool metadataOnly = optionalBool(body, "metadata_only", "").value_or(false);
    auto reader = context.db.read();
    Sql sql { std::string("SELECT ") + kObjectColumns
            + " FROM objects WHERE project_id = ? AND object_id = ? AND ",
        { projectId, objectId } };
    const std::string version = aliasedDigest(*reader, projectId, objectId, digest).value_or(digest);
    sql.append(versionCondition(version)).append(" ORDER BY deleted_at IS NULL DESC LIMIT 1");
    auto stmt = reader->prepare(sql.text);
    stmt->bindAll(sql.params);
    if (!stmt->step() || (digest == "latest" && !stmt->isNull(3)))
        throw notFound("object " + objectId + ":" + digest + " not found in " + projectId);
    if (!stmt->isNull(3)) {
        ApiError error = notFound("object " + objectId + ":" + digest + " was deleted");
        error.extraMembers = "\"deleted_at\":\"" + formatIsoTime(stmt->columnInt(3)) + "\"";
        throw error;
    }
    std::string out = "{\"obj\":";
    appendObjectRow(out, *stmt, metadataOnly, optionalBool(body, "include_storage_size", "").value_or(false));
    if (optionalBool(body, "include_tags_and_aliases", "").value_or(false))
        appendVersionNames(*reader, *stmt, out);
    return out + "}";
}

std::string objsQuery(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    Sql sql { std::string("SELECT ") + kObjectColumns
            + " FROM objects WHERE project_id = ? AND deleted_at IS NULL",
        { projectId } };
    if (const JsonValue* filter = optionalObject(body, "filter", "")) {
        const auto addList = [&](const char* key, const char* column, bool negate) {
            const auto values = optionalStringList(*filter, key, "filter");
            if (values.empty())
                return;
            sql.append(std::string(" AND ")
                   + (negate ? "ifnull(" + std::string(column) + ", '') NOT IN "
                             : std::string(column) + " IN "))
                .bindList(values);
        };
        addList("base_object_classes", "base_object_class", false);
        addList("exclude_base_object_classes", "base_object_class", true);
        addList("leaf_object_classes", "leaf_object_class", false);
        addList("object_ids", "object_id", false);
        if (auto isOp = optionalBool(*filter, "is_op", "filter"))
            sql.append(*isOp ? " AND kind = 'op'" : " AND kind = 'object'");
        if (optionalBool(*filter, "latest_only", "filter").value_or(false))
            sql.append(" AND is_latest = 1");
        sql.append(tagAndAliasFilter(*filter));
    }
    std::string order;
    for (const auto& term : parseSortBy(body)) {
        if (term.field != "object_id" && term.field != "created_at")
            throw badRequest("objs/query sorts by object_id or created_at, not '" + term.field + "'");
        order += term.field + (term.descending ? " DESC, " : " ASC, ");
    }
    sql.append(
        " ORDER BY " + (order.empty() ? std::string("created_at ASC, ") : order) + "version_index ASC");
    const auto limit = optionalCount(body, "limit", "");
    sql.append(" LIMIT ")
        .bind(limit.value_or(-1))
        .append(" OFFSET ")
        .bind(optionalCount(body, "offset", "").value_or(0));
    auto reader = context.db.read();
    auto stmt = reader->prepareAdHoc(sql.text);
    stmt->bindAll(sql.params);
    const bool metadataOnly = optionalBool(body, "metadata_only", "").value_or(false);
    const bool withSize = optionalBool(body, "include_storage_size", "").value_or(false);
    const bool withNames = optionalBool(body, "include_tags_and_aliases", "").value_or(false);
    std::string out = "{\"objs\":[";
    for (bool first = true; stmt->step(); first = false) {
        if (!first)
            out.push_back(',');
        appendObjectRow(out, *stmt, metadataOnly, withSize);
        if (withNames)
            appendVersionNames(*reader, *stmt, out);
    }
    return out + "]}";
}

namespace {

// The digests of the live versions that `versions` name (a digest, "latest", "v<N>" or an alias),
// as Weave deletes them: one that names none is a 404, and nothing is deleted.
std::vector<std::string> liveDigests(Connection& db, const std::string& projectId,
    const std::string& objectId, const std::vector<std::string>& versions)
{
    std::vector<std::string> digests;
    for (const std::string& version : versions) {
        Sql sql {
            "SELECT digest FROM objects WHERE project_id = ? AND object_id = ? AND deleted_at IS NULL AND ",
            { projectId, objectId }
        };
        sql.append(versionCondition(aliasedDigest(db, projectId, objectId, version).value_or(version)));
        auto stmt = db.prepareAdHoc(sql.text);
        stmt->bindAll(sql.params);
        if (!stmt->step())
            throw notFound("object " + objectId + " has no live version " + version + " in " + projectId
                + ": nothing was deleted");
        digests.emplace_back(stmt->columnText(0));
    }
    // As Weave counts them: two names of one version ("latest" and its digest) are a 404 too.
    const std::set<std::string> named(versions.begin(), versions.end());
    if (std::set<std::string>(digests.begin(), digests.end()).size() != named.size())
        throw notFound("object " + objectId
            + ": two of the versions named are the same version; nothing was "
              "deleted");
    return digests;
}

} // namespace

std::string objDelete(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    const std::string objectId = requireString(body, "object_id", "");
    const auto digests = optionalStringList(body, "digests", "");
    if (digests.size() > 100)
        throw badRequest("obj/delete takes at most 100 digests");
    const std::int64_t deleted = context.db.write([&](Connection& db) {
        Sql sql { "UPDATE objects SET deleted_at = ?, is_latest = 0 WHERE project_id = ? AND object_id = ? "
                  "AND deleted_at IS NULL",
            { nowMicros(), projectId, objectId } };
        if (!digests.empty()) {
            sql.append(" AND digest IN ").bindList(liveDigests(db, projectId, objectId, digests));
        }
        auto stmt = db.prepareAdHoc(sql.text);
        stmt->bindAll(sql.params);
        stmt->run();
        const std::int64_t count = db.changes();
        if (count == 0)
            throw notFound("object " + objectId + " has no matching live versions in " + projectId);
        // Latest moves to the newest remaining version; indexes are not renumbered.
        auto latest = db.prepare("UPDATE objects SET is_latest = 1 WHERE rowid = (SELECT rowid FROM objects "
                                 "WHERE project_id = ? AND "
                                 "object_id = ? AND deleted_at IS NULL ORDER BY version_index DESC LIMIT 1)");
        latest->bind(1, std::string_view(projectId));
        latest->bind(2, std::string_view(objectId));
        latest->run();
        dropDeletedVersionsTags(db, projectId, objectId);
        return count;
    });
    return "{\"num_deleted\":" + std::to_string(deleted) + "}";
}

} // namespace spindle::server
