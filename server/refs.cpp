// weave:/// refs read as values: /refs/read_batch, and the refs calls' expand_columns replace.
#include "core/weaveref.h"
#include "server/objects.h"

#include <charconv>
#include <deque>

namespace spindle::server {
namespace {

// Walks a ref's path (key, attr, index, id) through a value. An object or op ref of the same project
// met on the way (an Evaluation's dataset) is followed to the value it names (hosted Weave reads such
// a ref's own path instead and drops the rest: protocol-coverage.md).
class RefWalk
{
public:
    RefWalk(Connection& reader, std::string projectId)
        : m_reader(reader)
        , m_projectId(std::move(projectId))
    {
    }
    // The value at the end of `path` from `node`; nullptr when the path names nothing.
    const JsonValue* walk(
        const JsonValue* node, const std::vector<std::pair<std::string, std::string>>& path);
    // The value an object or op ref string names (its path walked); `node` itself when it is no such
    // ref; nullptr when the ref names nothing here.
    const JsonValue* followRef(const JsonValue& node);

private:
    const JsonValue* edge(const JsonValue& node, const std::string& edge, const std::string& value);

    static constexpr int kMaxFollows = 16; // refs that name each other end here
    Connection& m_reader;
    std::string m_projectId;
    std::deque<JsonDocument> m_docs; // the values read on the way; nodes point into them
    int m_follows = 0;
};

const JsonValue* RefWalk::walk(
    const JsonValue* node, const std::vector<std::pair<std::string, std::string>>& path)
{
    for (const auto& [name, value] : path) {
        // A ref may name a value that is a ref again: follow until a value (kMaxFollows ends cycles).
        for (const JsonValue* next = node; node && (next = followRef(*node)) != node;)
            node = next;
        if (!node)
            return nullptr;
        node = edge(*node, name, value);
    }
    return node;
}

const JsonValue* RefWalk::followRef(const JsonValue& node)
{
    if (!node.IsString())
        return &node;
    const auto ref = parseWeaveRef(stringView(node));
    if (!ref || (ref->kind != "object" && ref->kind != "op"))
        return &node; // text, or a table ref (the id edge reads its rows)
    if (ref->projectId() != m_projectId || ++m_follows > kMaxFollows)
        return nullptr;
    const auto val = readObjectVal(m_reader, ref->projectId(), ref->name, ref->digest);
    if (!val)
        return nullptr;
    m_docs.push_back(parseJson(*val));
    return walk(&m_docs.back(), ref->extra);
}

const JsonValue* RefWalk::edge(const JsonValue& node, const std::string& edge, const std::string& value)
{
    if ((edge == "key" || edge == "attr") && node.IsObject()) {
        const auto it = node.FindMember(rapidjson::StringRef(value.data(), value.size()));
        return it == node.MemberEnd() ? nullptr : &it->value;
    }
    if (edge == "index" && node.IsArray()) {
        std::size_t index = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), index);
        return ec == std::errc() && end == value.data() + value.size() && index < node.Size()
            ? &node[static_cast<rapidjson::SizeType>(index)]
            : nullptr;
    }
    if (edge == "id" && node.IsString()) {
        const auto table = parseWeaveRef(stringView(node));
        if (!table || table->kind != "table")
            return nullptr;
        auto stmt = m_reader.prepare(
            "SELECT r.val FROM table_entries e JOIN table_rows r ON r.project_id = e.project_id "
            "AND r.digest = e.row_digest WHERE e.project_id = ? AND e.table_digest = ? AND e.row_digest = ? "
            "LIMIT 1");
        stmt->bind(1, std::string_view(table->projectId()));
        stmt->bind(2, std::string_view(table->name));
        stmt->bind(3, std::string_view(value));
        if (!stmt->step())
            return nullptr;
        m_docs.push_back(parseJson(stmt->columnText(0)));
        return &m_docs.back();
    }
    return nullptr;
}

} // namespace

std::optional<JsonDocument> resolveRef(Connection& reader, std::string_view uri)
{
    const auto ref = parseWeaveRef(uri);
    if (!ref || (ref->kind != "object" && ref->kind != "op"))
        return std::nullopt;
    const JsonValue start(rapidjson::StringRef(uri.data(), uri.size()));
    RefWalk walk(reader, ref->projectId());
    const JsonValue* node = walk.followRef(start);
    if (!node)
        return std::nullopt;
    JsonDocument result;
    result.CopyFrom(*node, result.GetAllocator());
    return result;
}

std::string refsReadBatch(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const auto refs = optionalStringList(body, "refs", "");
    if (refs.size() > 1000)
        throw badRequest("refs/read_batch takes at most 1000 refs");
    for (const auto& uri : refs) {
        const auto ref = parseWeaveRef(uri);
        if (!ref)
            throw badRequest("'" + uri + "' is not a weave:/// ref");
        if (ref->kind != "object" && ref->kind != "op")
            throw badRequest(
                "refs/read_batch reads object and op refs, not " + ref->kind + " refs ('" + uri + "')");
    }
    auto reader = context.db.read();
    std::string out = "{\"vals\":[";
    for (std::size_t i = 0; i < refs.size(); ++i) {
        if (i)
            out.push_back(',');
        const auto value = resolveRef(*reader, refs[i]);
        value ? appendJson(out, *value) : void(out += "null");
    }
    return out + "]}";
}

void expandRefAt(
    Connection& reader, JsonValue& root, const std::vector<std::string>& path, JsonAllocator& alloc)
{
    JsonValue* node = &root;
    for (const auto& key : path) {
        if (node->IsObject()) {
            auto it = node->FindMember(rapidjson::StringRef(key.data(), key.size()));
            if (it == node->MemberEnd())
                return;
            node = &it->value;
        } else if (node->IsArray()) {
            std::size_t index = 0;
            const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
            if (ec != std::errc() || index >= node->Size())
                return;
            node = &(*node)[static_cast<rapidjson::SizeType>(index)];
        } else {
            return;
        }
    }
    if (!node->IsString())
        return;
    const std::string uri(stringView(*node));
    auto value = resolveRef(reader, uri);
    if (!value)
        return;
    node->CopyFrom(*value, alloc);
    if (node->IsObject() && !node->HasMember("_ref"))
        node->AddMember("_ref", jsonText(uri, alloc), alloc);
}

} // namespace spindle::server
