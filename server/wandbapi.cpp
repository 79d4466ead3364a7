#include "server/wandbapi.h"

#include "server/apierror.h"
#include "server/graphqlreader.h"

#include <cctype>
#include <optional>
#include <vector>

namespace spindle::server {
namespace {

std::string textArgument(const JsonValue& arguments, const char* key)
{
    const JsonValue* value = optionalMember(arguments, key);
    return value && value->IsString() ? std::string(stringView(*value)) : std::string();
}

// Builds an object member by member: rapidjson values move, they do not copy.
class Members
{
public:
    explicit Members(JsonAllocator& allocator)
        : m_allocator(allocator)
    {
    }
    Members& operator()(const char* key, JsonValue value)
    {
        m_object.AddMember(JsonValue(key, m_allocator), value, m_allocator);
        return *this;
    }
    JsonValue take()
    {
        return std::move(m_object);
    }

private:
    JsonAllocator& m_allocator;
    JsonValue m_object { rapidjson::kObjectType };
};

// What the stand-in knows of each root field, whole; the query picks its fields from it.
class Resolver
{
public:
    Resolver(const RequestContext& context, JsonAllocator& allocator)
        : m_context(context)
        , m_allocator(allocator)
    {
    }

    // Nothing for a root field it does not know.
    std::optional<JsonValue> root(const GraphqlField& field)
    {
        const JsonValue& arguments = field.arguments;
        if (field.name == "viewer")
            return viewer();
        if (field.name == "project")
            return project(
                textArgument(arguments, "entityName"), textArgument(arguments, "name"), JsonValue());
        if (field.name == "upsertModel")
            return upsertModel(optionalMember(arguments, "input"));
        if (field.name == "entity")
            return entity(textArgument(arguments, "name"));
        if (field.name == "serverInfo")
            return members()("frontendHost", JsonValue())("latestLocalVersionInfo", JsonValue()).take();
        if (field.name == "__typename")
            return text("Query");
        return std::nullopt;
    }

private:
    JsonValue text(std::string_view value)
    {
        return jsonText(value, m_allocator);
    }
    Members members()
    {
        return Members(m_allocator);
    }
    JsonValue entity(const std::string& name)
    {
        if (name.empty())
            return JsonValue();
        return members()("id", text("entity:" + name))("name", text(name))("readOnly", JsonValue(false))(
            "isTeam", JsonValue(false))
            .take();
    }
    JsonValue viewer()
    {
        return members()("id", text("user:" + m_context.userId))("username", text(m_context.userId))(
            "name", text(m_context.userId))("email", JsonValue())("admin", JsonValue(false))(
            "entity", text(kDefaultEntity))("defaultEntity", entity(kDefaultEntity))(
            "teams", members()("edges", JsonValue(rapidjson::kArrayType)).take())
            .take();
    }
    // Every project exists: the store makes one with its first write.
    JsonValue project(const std::string& entityName, const std::string& name, JsonValue description)
    {
        if (name.empty())
            return JsonValue();
        const std::string owner = entityName.empty() ? std::string(kDefaultEntity) : entityName;
        return members()("id", text("project:" + owner + "/" + name))("name", text(name))(
            "entityName", text(owner))("entity", entity(owner))("description", std::move(description))
            .take();
    }
    JsonValue upsertModel(const JsonValue* input)
    {
        if (!input || !input->IsObject())
            throw badRequest("graphql: upsertModel takes an input object");
        const JsonValue* description = optionalMember(*input, "description");
        JsonValue model = project(textArgument(*input, "entityName"), textArgument(*input, "name"),
            description ? JsonValue(*description, m_allocator) : JsonValue());
        return members()("model", std::move(model))("inserted", JsonValue(false)).take();
    }

    const RequestContext& m_context;
    JsonAllocator& m_allocator;
};

// The selected fields of `value` under their answer keys; fields it lacks are null.
JsonValue select(const JsonValue& value, const std::vector<GraphqlField>& fields, JsonAllocator& allocator)
{
    if (fields.empty() || value.IsNull())
        return JsonValue(value, allocator);
    if (value.IsArray()) {
        JsonValue list(rapidjson::kArrayType);
        for (const JsonValue& item : value.GetArray())
            list.PushBack(select(item, fields, allocator), allocator);
        return list;
    }
    JsonValue out(rapidjson::kObjectType);
    for (const GraphqlField& field : fields) {
        const JsonValue* member = value.IsObject() ? optionalMember(value, field.name.c_str()) : nullptr;
        out.AddMember(jsonText(field.key, allocator),
            member ? select(*member, field.children, allocator) : JsonValue(), allocator);
    }
    return out;
}

} // namespace

std::string wandbGraphql(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const std::string query = requireString(body, "query", "graphql");
    const JsonValue* variables = optionalObject(body, "variables", "graphql");
    JsonDocument answer(rapidjson::kObjectType);
    JsonAllocator& allocator = answer.GetAllocator();
    const std::vector<GraphqlField> fields = readGraphqlOperation(query, variables, allocator);
    Resolver resolver(context, allocator);
    JsonValue data(rapidjson::kObjectType);
    JsonValue errors(rapidjson::kArrayType);
    for (const GraphqlField& field : fields) {
        const std::optional<JsonValue> whole = resolver.root(field);
        data.AddMember(jsonText(field.key, allocator),
            whole ? select(*whole, field.children, allocator) : JsonValue(), allocator);
        if (!whole) {
            JsonValue error(rapidjson::kObjectType);
            error.AddMember("message",
                jsonText("Spindle's stand-in for the W&B API has no '" + field.name + "'", allocator),
                allocator);
            JsonValue path(rapidjson::kArrayType);
            path.PushBack(jsonText(field.key, allocator), allocator);
            error.AddMember("path", path, allocator);
            errors.PushBack(error, allocator);
        }
    }
    answer.AddMember("data", data, allocator);
    if (!errors.Empty())
        answer.AddMember("errors", errors, allocator);
    return toJson(answer);
}

} // namespace spindle::server
