#include "server/graphqlreader.h"

#include "server/apierror.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <unordered_map>

namespace spindle::server {
namespace {

std::string controlName(char c) // U+000D for a carriage return
{
    char name[8];
    std::snprintf(name, sizeof name, "U+%04X", unsigned(static_cast<unsigned char>(c)));
    return name;
}

class QueryReader
{
public:
    QueryReader(std::string_view text, const JsonValue* variables, JsonAllocator& allocator)
        : m_text(text)
        , m_allocator(allocator)
    {
        if (variables)
            for (const auto& member : variables->GetObject())
                m_variables.emplace(std::string(stringView(member.name)), &member.value);
    }

    std::vector<GraphqlField> operation()
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
                skipVariableDefinitions(); // the variables come as JSON
        }
        std::vector<GraphqlField> fields = selectionSet();
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
    // "($a: String = \")\", $b: Int)": skipped whole, strings and nesting included.
    void skipVariableDefinitions()
    {
        int depth = 0;
        do {
            if (m_at >= m_text.size())
                fail("unclosed '('");
            const char c = m_text[m_at];
            if (c == '"') {
                stringValue(); // leaves m_at after the string
                continue;
            }
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            ++m_at;
        } while (depth > 0);
    }
    // Guards a nesting level of selections or values.
    struct Level
    {
        explicit Level(QueryReader& reader)
            : reader(reader)
        {
            if (++reader.m_depth > kMaxGraphqlDepth)
                reader.fail("nests deeper than " + std::to_string(kMaxGraphqlDepth) + " levels");
        }
        ~Level()
        {
            --reader.m_depth;
        }
        QueryReader& reader;
    };

    std::vector<GraphqlField> selectionSet()
    {
        const Level level(*this);
        expect('{');
        std::vector<GraphqlField> fields;
        std::set<std::string> keys;
        for (skipIgnored(); peek() != '}'; skipIgnored()) {
            if (peek() == '.' || peek() == '@')
                fail("fragments and directives are not supported");
            if (++m_fields > kMaxGraphqlFields)
                fail("more than " + std::to_string(kMaxGraphqlFields) + " fields");
            fields.push_back(field());
            if (!keys.insert(fields.back().key).second)
                fail("two fields answer as '" + fields.back().key + "'");
        }
        if (fields.empty())
            fail("an empty selection");
        ++m_at;
        return fields;
    }

    GraphqlField field()
    {
        GraphqlField field;
        field.name = name();
        field.key = field.name;
        skipIgnored();
        if (peek() == ':') {
            ++m_at;
            field.name = name();
        }
        skipIgnored();
        if (peek() == '(') {
            ++m_at;
            for (skipIgnored(); peek() != ')'; skipIgnored()) {
                const std::string argument = name();
                expect(':');
                JsonValue value = this->value();
                if (field.arguments.HasMember(argument.c_str()))
                    fail("argument '" + argument + "' given twice");
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
        const Level level(*this);
        skipIgnored();
        const char c = peek();
        if (c == '$')
            return variable();
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
        if (c == '-' || std::isdigit(static_cast<unsigned char>(c)))
            return number();
        const std::string word = name(); // true, false, null or an enum value
        if (word == "true" || word == "false")
            return JsonValue(word == "true");
        return word == "null" ? JsonValue() : jsonText(word, m_allocator);
    }

    JsonValue variable()
    {
        ++m_at;
        const std::string variable = name();
        if (++m_variableUses > kMaxGraphqlVariableUses)
            fail("more than " + std::to_string(kMaxGraphqlVariableUses) + " uses of variables");
        const auto found = m_variables.find(variable);
        return found != m_variables.end() ? JsonValue(*found->second, m_allocator) : JsonValue();
    }

    // GraphQL's IntValue and FloatValue, finite. Their syntax is JSON's numbers', so the project's
    // JSON reader checks and reads it (its NaN and Infinity are not finite).
    JsonValue number()
    {
        const std::size_t start = m_at;
        while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '.' || peek() == '-'
            || peek() == '+')
            ++m_at;
        const std::string_view text = m_text.substr(start, m_at - start);
        JsonDocument decoded;
        try {
            decoded = parseJson(text);
        } catch (const ApiError&) {
            // left null, and refused below
        }
        if (!decoded.IsNumber() || !std::isfinite(decoded.GetDouble()))
            fail("'" + std::string(text) + "' is not a number");
        return JsonValue(decoded.GetDouble());
    }

    // A string literal. GraphQL's escapes are JSON's, so the project's JSON reader decodes it (a
    // lone surrogate half becomes U+FFFD, as in request bodies); only a raw tab, which GraphQL
    // allows in a string and JSON does not, is escaped first.
    JsonValue stringValue()
    {
        const std::size_t start = m_at++;
        while (peek() != '"') {
            if (m_at >= m_text.size() || peek() == '\n')
                fail("unclosed string");
            m_at += peek() == '\\' ? 2 : 1;
        }
        ++m_at;
        std::string literal;
        for (const char c : m_text.substr(start, m_at - start)) {
            if (c != '\t' && static_cast<unsigned char>(c) < 0x20)
                fail("a string with a control character (" + controlName(c)
                    + "): GraphQL allows only a tab unescaped");
            c == '\t' ? void(literal += "\\t") : literal.push_back(c);
        }
        JsonDocument decoded;
        try {
            decoded = parseJson(literal);
        } catch (const ApiError&) {
            fail("a string with a bad escape");
        }
        return JsonValue(decoded, m_allocator);
    }

    std::string_view m_text;
    std::size_t m_at = 0;
    std::unordered_map<std::string, const JsonValue*> m_variables;
    JsonAllocator& m_allocator;
    int m_depth = 0;
    int m_fields = 0;
    int m_variableUses = 0;
};

} // namespace

std::vector<GraphqlField> readGraphqlOperation(
    std::string_view query, const JsonValue* variables, JsonAllocator& allocator)
{
    if (query.size() > kMaxGraphqlQueryBytes)
        throw badRequest("graphql: a query has at most " + std::to_string(kMaxGraphqlQueryBytes) + " bytes");
    if (variables && toJson(*variables).size() > kMaxGraphqlVariablesBytes)
        throw badRequest(
            "graphql: the variables have at most " + std::to_string(kMaxGraphqlVariablesBytes) + " bytes");
    return QueryReader(query, variables, allocator).operation();
}

} // namespace spindle::server
