// SQL functions that read a dotted path out of a JSON text column with Weave's semantics
// (weave-protocol.md 3.3). The path is always a bound parameter, never SQL text.
//   wv_text(json, path)   the value as a string: missing/null → '', numbers canonical,
//                         booleans 'true'/'false', objects/arrays compact JSON
//   wv_num(json, path)    the value as a double, lenient: numeric strings parse, else NULL
//   wv_exists(json, path) 1 when present and not null, else 0
//   wv_icontains(text, needle)  1 when text holds needle, ignoring case beyond ASCII too
#include "core/weaveref.h"
#include "server/json.h"
#include "server/sqlite.h"

#include <QString>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <rapidjson/allocators.h>

namespace spindle::server {
namespace {

using Path = std::vector<std::string>;

Path splitPath(std::string_view dotted)
{
    Path path;
    if (dotted.empty())
        return path;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = dotted.find('.', start);
        path.emplace_back(dotted.substr(start, dot == std::string_view::npos ? dot : dot - start));
        if (dot == std::string_view::npos)
            return path;
        start = dot + 1;
    }
}

const Path& cachedPath(sqlite3_context* ctx, sqlite3_value* arg)
{
    if (auto* path = static_cast<Path*>(sqlite3_get_auxdata(ctx, 1)))
        return *path;
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(arg));
    auto* path =
        new Path(splitPath(text ? std::string_view(text, sqlite3_value_bytes(arg)) : std::string_view()));
    sqlite3_set_auxdata(ctx, 1, path, [](void* p) { delete static_cast<Path*>(p); });
    // SQLite may drop auxdata right away; re-read it and fall back to a per-call copy.
    if (auto* kept = static_cast<Path*>(sqlite3_get_auxdata(ctx, 1)))
        return *kept;
    thread_local Path fallback;
    fallback = splitPath(text ? std::string_view(text, sqlite3_value_bytes(arg)) : std::string_view());
    return fallback;
}

using Doc = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>;

// The stored value of the object a weave:/// object or op ref names (expand_columns paths).
std::unique_ptr<JsonDocument> dereference(sqlite3* db, const JsonValue& node)
{
    if (!node.IsString())
        return nullptr;
    const auto ref = parseWeaveRef(stringView(node));
    if (!ref || (ref->kind != "object" && ref->kind != "op"))
        return nullptr;
    sqlite3_stmt* stmt = nullptr;
    const char* sql = "SELECT val FROM objects WHERE project_id = ? AND object_id = ? AND digest = ? "
                      "AND deleted_at IS NULL";
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK)
        return nullptr;
    const std::string project = ref->projectId();
    sqlite3_bind_text(stmt, 1, project.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, ref->name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, ref->digest.c_str(), -1, SQLITE_TRANSIENT);
    std::unique_ptr<JsonDocument> value;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        value = std::make_unique<JsonDocument>();
        value->Parse(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
            static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)));
        if (value->HasParseError())
            value.reset();
    }
    sqlite3_finalize(stmt);
    return value;
}

// Walks `path`; a kDerefSegment step replaces the ref string reached so far by its object.
const JsonValue* walk(sqlite3* db, const JsonValue& root, const Path& path,
    std::vector<std::unique_ptr<JsonDocument>>& keepAlive)
{
    const JsonValue* node = &root;
    for (const std::string& key : path) {
        if (key == kDerefSegment) {
            keepAlive.push_back(dereference(db, *node));
            if (!keepAlive.back())
                return nullptr;
            node = keepAlive.back().get();
        } else if (node->IsObject()) {
            auto it = node->FindMember(rapidjson::StringRef(key.data(), key.size()));
            if (it == node->MemberEnd())
                return nullptr;
            node = &it->value;
        } else if (node->IsArray()) {
            unsigned index = 0;
            const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
            if (ec != std::errc() || end != key.data() + key.size() || index >= node->Size())
                return nullptr;
            node = &(*node)[index];
        } else {
            return nullptr;
        }
    }
    return node;
}

// Parses the column into a stack-backed pool so a per-row call costs no heap churn for typical rows.
template <typename Use> void withValue(sqlite3_context* ctx, sqlite3_value** argv, Use&& use)
{
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    if (!text) {
        use(nullptr);
        return;
    }
    const Path& path = cachedPath(ctx, argv[1]);
    char buffer[16384];
    rapidjson::MemoryPoolAllocator<> pool(buffer, sizeof buffer);
    Doc doc(&pool);
    doc.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseNanAndInfFlag>(
        text, static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
    if (doc.HasParseError()) {
        use(nullptr);
        return;
    }
    std::vector<std::unique_ptr<JsonDocument>> keepAlive;
    const auto* node = reinterpret_cast<const JsonValue*>(
        walk(sqlite3_context_db_handle(ctx), reinterpret_cast<const JsonValue&>(doc), path, keepAlive));
    use(node && !node->IsNull() ? node : nullptr);
}

void appendCanonicalNumber(std::string& out, const JsonValue& value)
{
    if (value.IsInt64()) {
        out += std::to_string(value.GetInt64());
    } else if (value.IsUint64()) {
        out += std::to_string(value.GetUint64());
    } else {
        const double d = value.GetDouble();
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18) {
            out += std::to_string(static_cast<long long>(d));
        } else {
            char buffer[64];
            const auto result = std::to_chars(buffer, buffer + sizeof buffer, d);
            out.append(buffer, result.ptr);
        }
    }
}

void textFunction(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    withValue(ctx, argv, [&](const JsonValue* node) {
        std::string text;
        if (!node)
            text.clear();
        else if (node->IsString())
            text.assign(stringView(*node));
        else if (node->IsBool())
            text = node->GetBool() ? "true" : "false";
        else if (node->IsNumber())
            appendCanonicalNumber(text, *node);
        else
            appendJson(text, *node);
        sqlite3_result_text64(ctx, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    });
}

std::optional<double> lenientNumber(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    if (text.empty())
        return std::nullopt;
    std::string copy(text);
    char* end = nullptr;
    const double value = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size())
        return std::nullopt;
    return value;
}

void numberFunction(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    withValue(ctx, argv, [&](const JsonValue* node) {
        std::optional<double> number;
        if (node && node->IsNumber())
            number = node->GetDouble();
        else if (node && node->IsString())
            number = lenientNumber(stringView(*node));
        if (number)
            sqlite3_result_double(ctx, *number);
        else
            sqlite3_result_null(ctx);
    });
}

void existsFunction(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    withValue(ctx, argv, [&](const JsonValue* node) { sqlite3_result_int(ctx, node ? 1 : 0); });
}

// Lenient text → number for $convert on plain columns.
void toNumberFunction(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    switch (sqlite3_value_type(argv[0])) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
        sqlite3_result_double(ctx, sqlite3_value_double(argv[0]));
        return;
    case SQLITE_TEXT: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
        if (auto number = lenientNumber({ text, static_cast<std::size_t>(sqlite3_value_bytes(argv[0])) })) {
            sqlite3_result_double(ctx, *number);
            return;
        }
        break;
    }
    default:
        break;
    }
    sqlite3_result_null(ctx);
}

bool isAscii(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x80; });
}

std::string_view textOf(sqlite3_value* value)
{
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(value));
    return { text ? text : "", static_cast<std::size_t>(sqlite3_value_bytes(value)) };
}

// A-Z to a-z, nothing else: not std::tolower, which follows the C locale (Qt sets the user's,
// and under tr_TR 'I' is not 'i').
char foldAscii(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

// $contains with case_insensitive: SQLite's lower() folds ASCII letters only, so "ärger" did not
// find "ÄRGER". An ASCII needle (the usual search) is matched byte by byte with ASCII folding, in
// any text; a needle with other letters compares by Unicode's simple case folding.
void containsIgnoringCaseFunction(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const std::string_view text = textOf(argv[0]);
    const std::string_view needle = textOf(argv[1]);
    if (needle.empty()) { // found in any text, as instr() finds it
        sqlite3_result_int(ctx, 1);
        return;
    }
    if (isAscii(needle)) {
        const auto same = [](char a, char b) { return foldAscii(a) == foldAscii(b); };
        sqlite3_result_int(
            ctx, std::search(text.begin(), text.end(), needle.begin(), needle.end(), same) != text.end());
        return;
    }
    const QString haystack = QString::fromUtf8(text.data(), qsizetype(text.size()));
    sqlite3_result_int(ctx,
        haystack.contains(QString::fromUtf8(needle.data(), qsizetype(needle.size())), Qt::CaseInsensitive));
}

} // namespace

void registerJsonFunctions(sqlite3* db)
{
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    sqlite3_create_function_v2(db, "wv_text", 2, flags, nullptr, textFunction, nullptr, nullptr, nullptr);
    sqlite3_create_function_v2(db, "wv_num", 2, flags, nullptr, numberFunction, nullptr, nullptr, nullptr);
    sqlite3_create_function_v2(db, "wv_exists", 2, flags, nullptr, existsFunction, nullptr, nullptr, nullptr);
    sqlite3_create_function_v2(
        db, "wv_to_num", 1, flags, nullptr, toNumberFunction, nullptr, nullptr, nullptr);
    sqlite3_create_function_v2(
        db, "wv_icontains", 2, flags, nullptr, containsIgnoringCaseFunction, nullptr, nullptr, nullptr);
}

} // namespace spindle::server
