#include "server/wandbapi.h"

#include "server/apierror.h"

#include <cctype>
#include <optional>
#include <vector>

namespace spindle::server {
namespace {

// One field of a GraphQL selection: `alias: name(arguments) { children }`.
struct Field
{
    std::string key; // the alias, else the name: the answer's member
    std::string name;
    JsonValue arguments { rapidjson::kObjectType };
    std::vector<Field> children;
};

// A reader for the executable subset of GraphQL the SDKs send: one operation, fields with
// arguments (literals or variables), aliases and nested selections. Fragments and directives are
// refused with a 400, as is anything else it cannot read.
class QueryReader
{
public:
    QueryReader(std::string_view text, const JsonValue* variables, JsonAllocator& allocator)
        : m_text(text)
        , m_variables(variables)
        , m_allocator(allocator)
    {
    }

    std::vector<Field> operation()
    {
        skipIgnored();
        if (peek() != '{') {
            const std::string keyword = name();
            if (keyword != "query" && keyword != "mutation")
                fail("expected a query or a mutation");
            skipIgnored();
            if (isNameStart(peek()))
                name();
            skipIgnored();
            if (peek() == '(')
                skipBalanced('(', ')'); // variable definitions: the variables come as JSON
        }
        std::vector<Field> fields = selectionSet();
        skipIgnored();
        if (m_at < m_text.size())
            fail("one operation per request");
        return fields;
    }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw badRequest("graphql: " + what + " at offset " + std::to_string(m_at));
    }
    char peek() const
    {
        return m_at < m_text.size() ? m_text[m_at] : '\0';
    }
    static bool isNameStart(char c)
    {
        return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
    }
    void skipIgnored() // white space, commas and comments
    {
        while (m_at < m_text.size()) {
            const char c = m_text[m_at];
            if (c == '#') {
                while (m_at < m_text.size() && m_text[m_at] != '\n')
                    ++m_at;
            } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
                ++m_at;
            } else {
                return;
            }
        }
    }
    void expect(char c)
    {
        skipIgnored();
        if (peek() != c)
            fail(std::string("expected '") + c + "'");
        ++m_at;
    }
    std::string name()
    {
        skipIgnored();
        if (!isNameStart(peek()))
            fail("expected a name");
        const std::size_t start = m_at;
        while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_')
            ++m_at;
        return std::string(m_text.substr(start, m_at - start));
    }
    void skipBalanced(char open, char close)
    {
        int depth = 0;
        do {
            if (m_at >= m_text.size())
                fail(std::string("unclosed '") + open + "'");
            depth += m_text[m_at] == open ? 1 : m_text[m_at] == close ? -1 : 0;
            ++m_at;
        } while (depth > 0);
    }

    std::vector<Field> selectionSet()
    {
        expect('{');
        std::vector<Field> fields;
        for (skipIgnored(); peek() != '}'; skipIgnored()) {
            if (peek() == '.' || peek() == '@')
                fail("fragments and directives are not supported");
            fields.push_back(field());
        }
        ++m_at;
        return fields;
    }

    Field field()
    {
        Field field;
        field.name = name();
        skipIgnored();
        if (peek() == ':') {
            ++m_at;
            field.key = field.name;
            field.name = name();
        } else {
            field.key = field.name;
        }
        skipIgnored();
        if (peek() == '(') {
            ++m_at;
            for (skipIgnored(); peek() != ')'; skipIgnored()) {
                const std::string argument = name();
                expect(':');
                JsonValue value = this->value();
                field.arguments.AddMember(jsonText(argument, m_allocator), value, m_allocator);
            }
            ++m_at;
        }
        skipIgnored();
        if (peek() == '{')
            field.children = selectionSet();
        return field;
    }

    JsonValue value()
    {
        skipIgnored();
        const char c = peek();
        if (c == '$') {
            ++m_at;
            const std::string variable = name();
            const JsonValue* found = m_variables ? optionalMember(*m_variables, variable.c_str()) : nullptr;
            return found ? JsonValue(*found, m_allocator) : JsonValue();
        }
        if (c == '"')
            return stringValue();
        if (c == '[') {
            ++m_at;
            JsonValue list(rapidjson::kArrayType);
            for (skipIgnored(); peek() != ']'; skipIgnored())
                list.PushBack(value(), m_allocator);
            ++m_at;
            return list;
        }
        if (c == '{') {
            ++m_at;
            JsonValue object(rapidjson::kObjectType);
            for (skipIgnored(); peek() != '}'; skipIgnored()) {
                const std::string member = name();
                expect(':');
                JsonValue inner = value();
                object.AddMember(jsonText(member, m_allocator), inner, m_allocator);
            }
            ++m_at;
            return object;
        }
        if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
            const std::size_t start = m_at;
            while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '.' || peek() == '-'
                || peek() == '+')
                ++m_at;
            return JsonValue(std::strtod(std::string(m_text.substr(start, m_at - start)).c_str(), nullptr));
        }
        const std::string word = name(); // true, false, null or an enum value
        if (word == "true" || word == "false")
            return JsonValue(word == "true");
        return word == "null" ? JsonValue() : jsonText(word, m_allocator);
    }

    JsonValue stringValue()
    {
        ++m_at;
        std::string out;
        for (char c; (c = peek()) != '"'; ++m_at) {
            if (m_at >= m_text.size() || c == '\n')
                fail("unclosed string");
            if (c == '\\') {
                ++m_at;
                const char escaped = peek();
                out += escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped;
                continue;
            }
            out += c;
        }
        ++m_at;
        return jsonText(out, m_allocator);
    }

    std::string_view m_text;
    std::size_t m_at = 0;
    const JsonValue* m_variables;
    JsonAllocator& m_allocator;
};

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
    std::optional<JsonValue> root(const Field& field)
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
JsonValue select(const JsonValue& value, const std::vector<Field>& fields, JsonAllocator& allocator)
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
    for (const Field& field : fields) {
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
    const std::vector<Field> fields = QueryReader(query, variables, allocator).operation();
    Resolver resolver(context, allocator);
    JsonValue data(rapidjson::kObjectType);
    JsonValue errors(rapidjson::kArrayType);
    for (const Field& field : fields) {
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
