#include "server/objecttags.h"

#include "core/timeformat.h"
#include "server/callquery.h"

#include <QList>
#include <QString>

#include <array>
#include <set>

namespace spindle::server {
namespace {

constexpr qsizetype kMaxTagLength = 256; // characters, as Weave's server counts them
constexpr qsizetype kMaxAliasLength = 128;
constexpr rapidjson::SizeType kMaxNamesPerRequest = 1000;

bool isWordCharacter(char32_t c)
{
    return c == '_' || c == '-' || QChar::isLetterOrNumber(c);
}

// Weave's rule: words of letters, digits, '_' and '-', single spaces between them.
std::optional<std::string> tagProblem(const std::string& tag)
{
    const QList<uint> characters = QString::fromUtf8(tag).toUcs4();
    if (characters.isEmpty() || characters.size() > kMaxTagLength)
        return "a tag has 1-" + std::to_string(kMaxTagLength) + " characters";
    for (qsizetype i = 0; i < characters.size(); ++i) {
        const bool space =
            characters[i] == ' ' && i > 0 && i + 1 < characters.size() && characters[i - 1] != ' ';
        if (!space && !isWordCharacter(characters[i]))
            return "a tag is words of letters, digits, '_' and '-' with single spaces between them, not '"
                + tag + "'";
    }
    return std::nullopt;
}

bool isVersionLike(const std::string& name) // v0, v12: the version index syntax
{
    return name.size() > 1 && name[0] == 'v'
        && std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::string> aliasProblem(const std::string& alias)
{
    const qsizetype length = QString::fromUtf8(alias).toUcs4().size();
    if (length == 0 || length > kMaxAliasLength || alias.find_first_not_of(" \t\r\n") == std::string::npos)
        return "an alias has 1-" + std::to_string(kMaxAliasLength) + " characters, not all spaces";
    if (alias.find_first_of("/:") != std::string::npos)
        return "an alias has no '/' or ':', unlike '" + alias + "'";
    if (std::any_of(alias.begin(), alias.end(), [](char c) { return (c >= 0 && c < 0x20) || c == 0x7f; }))
        return "an alias has no control characters";
    if (alias == "latest" || isVersionLike(alias))
        return "'" + alias + "' is reserved: it names versions already";
    return std::nullopt;
}

// The names of `key`, without repeats, in their order; each checked when `check` is given.
std::vector<std::string> namesOf(
    const JsonValue& body, const char* key, std::optional<std::string> (*check)(const std::string&))
{
    const JsonValue* list = optionalArray(body, key, "");
    if (!list)
        throw badRequest(std::string("missing required list '") + key + "'");
    if (list->Size() > kMaxNamesPerRequest)
        throw badRequest(
            std::string("at most ") + std::to_string(kMaxNamesPerRequest) + " " + key + " a request");
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const JsonValue& item : list->GetArray()) {
        if (!item.IsString())
            throw badRequest(std::string("'") + key + "' must be a list of strings");
        std::string name(stringView(item));
        if (check)
            if (const auto problem = check(name))
                throw badRequest(*problem);
        if (seen.insert(name).second)
            names.push_back(std::move(name));
    }
    return names;
}

void requireLiveVersion(
    Connection& db, const std::string& projectId, const std::string& objectId, const std::string& digest)
{
    auto stmt = db.prepare(
        "SELECT 1 FROM objects WHERE project_id = ? AND object_id = ? AND digest = ? AND deleted_at IS NULL");
    stmt->bind(1, std::string_view(projectId));
    stmt->bind(2, std::string_view(objectId));
    stmt->bind(3, std::string_view(digest));
    if (!stmt->step())
        throw notFound("object version " + objectId + ":" + digest + " not found in " + projectId);
}

// One row per name: the version's three keys, the name, when and by whom. `insert` ends with the
// name's column.
void insertNames(Connection& db, const std::string& insert, const std::array<std::string, 3>& version,
    const std::vector<std::string>& names, const std::string& userId)
{
    auto stmt = db.prepare(insert + ", created_at, wb_user_id) VALUES (?, ?, ?, ?, ?, ?)");
    for (const std::string& name : names) {
        for (int i = 0; i < 3; ++i)
            stmt->bind(i + 1, std::string_view(version[std::size_t(i)]));
        stmt->bind(4, std::string_view(name));
        stmt->bind(5, nowMicros());
        stmt->bind(6, std::string_view(userId));
        stmt->run();
    }
}

void run(Connection& db, const Sql& sql)
{
    auto stmt = db.prepareAdHoc(sql.text);
    stmt->bindAll(sql.params);
    stmt->run();
}

std::string namesJson(const char* key, std::vector<std::string> names)
{
    std::sort(names.begin(), names.end());
    std::string out = std::string("\"") + key + "\":";
    appendJsonStrings(out, names);
    return out;
}

std::vector<std::string> column(Connection& reader, const Sql& sql)
{
    auto stmt = reader.prepareAdHoc(sql.text);
    stmt->bindAll(sql.params);
    std::vector<std::string> values;
    while (stmt->step())
        values.emplace_back(stmt->columnText(0));
    return values;
}

} // namespace

std::string objAddTags(
    const std::string& objectId, const std::string& digest, const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const std::string projectId = requireProjectId(body);
    const std::vector<std::string> tags = namesOf(body, "tags", tagProblem);
    context.db.write([&](Connection& db) {
        requireLiveVersion(db, projectId, objectId, digest);
        insertNames(db, "INSERT OR IGNORE INTO object_tags (project_id, object_id, digest, tag",
            { projectId, objectId, digest }, tags, context.userId);
    });
    return "{}";
}

std::string objRemoveTags(
    const std::string& objectId, const std::string& digest, const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const std::string projectId = requireProjectId(body);
    const std::vector<std::string> tags = namesOf(body, "tags", nullptr);
    if (!tags.empty())
        context.db.write([&](Connection& db) {
            Sql remove {
                "DELETE FROM object_tags WHERE project_id = ? AND object_id = ? AND digest = ? AND tag IN ",
                { projectId, objectId, digest }
            };
            run(db, remove.bindList(tags));
        });
    return "{}";
}

std::string objSetAliases(const std::string& objectId, const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const std::string projectId = requireProjectId(body);
    const std::string digest = requireString(body, "digest", "");
    const std::vector<std::string> aliases = namesOf(body, "aliases", aliasProblem);
    context.db.write([&](Connection& db) {
        requireLiveVersion(db, projectId, objectId, digest);
        // One version per alias and object: setting it on this version moves it here.
        insertNames(db, "INSERT OR REPLACE INTO object_aliases (project_id, object_id, digest, alias",
            { projectId, objectId, digest }, aliases, context.userId);
    });
    return "{}";
}

std::string objRemoveAliases(const std::string& objectId, const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const std::string projectId = requireProjectId(body);
    const std::vector<std::string> aliases = namesOf(body, "aliases", nullptr);
    if (!aliases.empty())
        context.db.write([&](Connection& db) {
            Sql remove { "DELETE FROM object_aliases WHERE project_id = ? AND object_id = ? AND alias IN ",
                { projectId, objectId } };
            run(db, remove.bindList(aliases));
        });
    return "{}";
}

std::string tagsList(const std::string& projectId, RequestContext& context)
{
    auto reader = context.db.read();
    return "{"
        + namesJson("tags",
            column(*reader, { "SELECT DISTINCT tag FROM object_tags WHERE project_id = ?", { projectId } }))
        + "}";
}

std::string aliasesList(const std::string& projectId, RequestContext& context)
{
    auto reader = context.db.read();
    return "{"
        + namesJson("aliases",
            column(
                *reader, { "SELECT DISTINCT alias FROM object_aliases WHERE project_id = ?", { projectId } }))
        + "}";
}

std::optional<std::string> aliasedDigest(
    Connection& reader, const std::string& projectId, const std::string& objectId, const std::string& version)
{
    if (version == "latest" || isVersionLike(version) || aliasProblem(version))
        return std::nullopt;
    const auto found = column(reader,
        { "SELECT digest FROM object_aliases WHERE project_id = ? AND object_id = ? AND alias = ?",
            { projectId, objectId, version } });
    return found.empty() ? std::nullopt : std::optional(found.front());
}

void appendTagsAndAliases(Connection& reader, const std::string& projectId, const std::string& objectId,
    const std::string& digest, bool isLatest, std::string& out)
{
    const Sql tags { "SELECT tag FROM object_tags WHERE project_id = ? AND object_id = ? AND digest = ?",
        { projectId, objectId, digest } };
    const Sql aliases {
        "SELECT alias FROM object_aliases WHERE project_id = ? AND object_id = ? AND digest = ?",
        { projectId, objectId, digest }
    };
    std::vector<std::string> names = column(reader, aliases);
    if (isLatest)
        names.emplace_back("latest");
    out += "," + namesJson("tags", column(reader, tags)) + "," + namesJson("aliases", std::move(names));
}

Sql tagAndAliasFilter(const JsonValue& filter)
{
    Sql sql;
    if (const auto tags = optionalStringList(filter, "tags", "filter"); !tags.empty())
        sql.append(" AND EXISTS (SELECT 1 FROM object_tags t WHERE t.project_id = objects.project_id AND "
                   "t.object_id = objects.object_id AND t.digest = objects.digest AND t.tag IN ")
            .bindList(tags)
            .append(")");
    if (const auto aliases = optionalStringList(filter, "aliases", "filter"); !aliases.empty()) {
        sql.append(" AND (EXISTS (SELECT 1 FROM object_aliases a WHERE a.project_id = objects.project_id AND "
                   "a.object_id = objects.object_id AND a.digest = objects.digest AND a.alias IN ")
            .bindList(aliases)
            .append(")");
        if (std::find(aliases.begin(), aliases.end(), "latest") != aliases.end())
            sql.append(" OR objects.is_latest = 1");
        sql.append(")");
    }
    return sql;
}

void dropDeletedVersionsTags(Connection& db, const std::string& projectId, const std::string& objectId)
{
    for (const char* table : { "object_tags", "object_aliases" }) {
        run(db,
            { std::string("DELETE FROM ") + table
                    + " WHERE project_id = ? AND object_id = ? AND digest IN (SELECT digest FROM objects "
                      "WHERE project_id = ? AND object_id = ? AND deleted_at IS NOT NULL)",
                { projectId, objectId, projectId, objectId } });
    }
}

} // namespace spindle::server
