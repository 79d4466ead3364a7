#include "server/json.h"

#include <cmath>
#include <rapidjson/error/en.h>
#include <rapidjson/writer.h>

namespace spindle::server {
namespace {

struct StringSink
{
    using Ch = char;
    std::string& out;
    void Put(char c)
    {
        out.push_back(c);
    }
    void Flush() { }
};

// JSON has no NaN or infinities. Requests may carry them (Python's json.dumps writes them), but
// stored and answered they would break every strict reader: Qt's, browsers', the weave JS SDK's.
// They are written as null, which is what pydantic and JSON.stringify send for them.
class CompactWriter : public rapidjson::Writer<StringSink>
{
public:
    using Writer::Writer;
    bool Double(double value)
    {
        return std::isfinite(value) ? Writer::Double(value) : Writer::Null();
    }
};

std::string fieldName(std::string_view where, const char* key)
{
    std::string name(where);
    if (!name.empty())
        name += '.';
    return name + key;
}

} // namespace

// Values deeper than this are refused: the serialisers recurse, and no real trace nests so deep.
constexpr int kMaxJsonDepth = 512;

static bool deeperThan(const JsonValue& root, int limit)
{
    std::vector<std::pair<const JsonValue*, int>> stack { { &root, 1 } };
    while (!stack.empty()) {
        const auto [value, depth] = stack.back();
        stack.pop_back();
        if (depth > limit)
            return true;
        if (value->IsArray())
            for (const auto& item : value->GetArray())
                stack.emplace_back(&item, depth + 1);
        else if (value->IsObject())
            for (const auto& member : value->GetObject())
                stack.emplace_back(&member.value, depth + 1);
    }
    return false;
}

// The code unit of the \uXXXX escape at text[at] (at the backslash), or -1.
static int escapedUnit(std::string_view text, std::size_t at)
{
    if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u')
        return -1;
    int unit = 0;
    for (std::size_t i = at + 2; i < at + 6; ++i) {
        const char c = text[i];
        const int digit = c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f'             ? c - 'a' + 10
            : c >= 'A' && c <= 'F'             ? c - 'A' + 10
                                               : -1;
        if (digit < 0)
            return -1;
        unit = unit * 16 + digit;
    }
    return unit;
}

// JSON text with every escaped lone surrogate ("\ud83d" without its pair) as U+FFFD, or nothing
// when it has none. JavaScript writes them for a string cut mid-emoji and Python for text decoded
// with surrogateescape. The parser refused a lone high surrogate, so a whole batch of calls was
// lost over one cut string, and it stored a lone low one as invalid UTF-8 that no client could read.
static std::optional<std::string> mendLoneSurrogates(std::string_view text)
{
    if (text.find("\\ud") == std::string_view::npos && text.find("\\uD") == std::string_view::npos)
        return std::nullopt;
    std::string out;
    bool mended = false;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] != '\\' || i + 1 >= text.size()) {
            out.push_back(text[i++]);
            continue;
        }
        const int unit = escapedUnit(text, i);
        const bool high = unit >= 0xD800 && unit <= 0xDBFF;
        const int next = high ? escapedUnit(text, i + 6) : -1;
        if (high && next >= 0xDC00 && next <= 0xDFFF) {
            out.append(text.substr(i, 12)); // a pair
            i += 12;
        } else if (unit >= 0xD800 && unit <= 0xDFFF) {
            out.append("\\ufffd");
            mended = true;
            i += 6;
        } else {
            out.append(text.substr(i, 2)); // any other escape, an escaped backslash included
            i += 2;
        }
    }
    return mended ? std::optional<std::string>(std::move(out)) : std::nullopt;
}

JsonDocument parseJson(std::string_view body)
{
    const std::optional<std::string> mended = mendLoneSurrogates(body);
    const std::string_view text = mended ? std::string_view(*mended) : body;
    JsonDocument document;
    // The iterative parser keeps its own stack, so hostile nesting cannot overflow ours.
    document.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseNanAndInfFlag
        | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text.data(), text.size());
    if (document.HasParseError()) {
        throw badRequest(std::string("malformed JSON at offset ") + std::to_string(document.GetErrorOffset())
            + ": " + rapidjson::GetParseError_En(document.GetParseError()));
    }
    if (deeperThan(document, kMaxJsonDepth))
        throw badRequest("JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    return document;
}

void appendJson(std::string& out, const JsonValue& value)
{
    StringSink sink { out };
    CompactWriter writer(sink);
    value.Accept(writer);
}

void appendJsonStrings(std::string& out, const std::vector<std::string>& texts)
{
    out.push_back('[');
    for (std::size_t i = 0; i < texts.size(); ++i) {
        if (i)
            out.push_back(',');
        appendJsonString(out, texts[i]);
    }
    out.push_back(']');
}

std::string toJson(const JsonValue& value)
{
    std::string out;
    appendJson(out, value);
    return out;
}

// The length of the valid UTF-8 sequence at text[i], or 0 (overlong forms, surrogates and code
// points past U+10FFFF are invalid).
static std::size_t utf8SequenceAt(std::string_view text, std::size_t i)
{
    const auto at = [&](std::size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
    const unsigned c = at(i);
    const auto continuation = [&](std::size_t k) { return (at(k) & 0xC0) == 0x80; };
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return continuation(i + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        const unsigned next = at(i + 1);
        const bool ok = (c == 0xE0          ? next >= 0xA0
                                : c == 0xED ? next < 0xA0
                                            : true)
            && continuation(i + 1) && continuation(i + 2);
        return ok ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        const unsigned next = at(i + 1);
        const bool ok = (c == 0xF0          ? next >= 0x90
                                : c == 0xF4 ? next < 0x90
                                            : true)
            && continuation(i + 1) && continuation(i + 2) && continuation(i + 3);
        return ok ? 4 : 0;
    }
    return 0;
}

bool isValidUtf8(std::string_view text)
{
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8SequenceAt(text, i);
        if (!length)
            return false;
        i += length;
    }
    return true;
}

std::string withValidUtf8(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8SequenceAt(text, i);
        if (length) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += "\xEF\xBF\xBD"; // U+FFFD
            ++i;
        }
    }
    return out;
}

void appendJsonString(std::string& out, std::string_view text)
{
    StringSink sink { out };
    CompactWriter writer(sink);
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void collectWeaveRefs(const JsonValue& value, std::vector<std::string>& refs)
{
    if (value.IsString()) {
        if (stringView(value).starts_with("weave:///"))
            refs.emplace_back(stringView(value));
    } else if (value.IsArray()) {
        for (const auto& item : value.GetArray())
            collectWeaveRefs(item, refs);
    } else if (value.IsObject()) {
        for (const auto& member : value.GetObject())
            collectWeaveRefs(member.value, refs);
    }
}

const JsonValue* optionalMember(const JsonValue& object, const char* key)
{
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd() || it->value.IsNull())
        return nullptr;
    return &it->value;
}

const JsonValue& requireObject(const JsonValue& object, const char* key, std::string_view where)
{
    const JsonValue* value = optionalObject(object, key, where);
    if (!value)
        throw badRequest("missing required object field '" + fieldName(where, key) + "'");
    return *value;
}

const JsonValue* optionalObject(const JsonValue& object, const char* key, std::string_view where)
{
    const JsonValue* value = optionalMember(object, key);
    if (value && !value->IsObject())
        throw badRequest("field '" + fieldName(where, key) + "' must be an object");
    return value;
}

const JsonValue* optionalArray(const JsonValue& object, const char* key, std::string_view where)
{
    const JsonValue* value = optionalMember(object, key);
    if (value && !value->IsArray())
        throw badRequest("field '" + fieldName(where, key) + "' must be a list");
    return value;
}

std::string requireString(const JsonValue& object, const char* key, std::string_view where)
{
    auto value = optionalString(object, key, where);
    if (!value)
        throw badRequest("missing required string field '" + fieldName(where, key) + "'");
    return *value;
}

std::optional<std::string> optionalString(const JsonValue& object, const char* key, std::string_view where)
{
    const JsonValue* value = optionalMember(object, key);
    if (!value)
        return std::nullopt;
    if (!value->IsString())
        throw badRequest("field '" + fieldName(where, key) + "' must be a string");
    return std::string(stringView(*value));
}

std::optional<bool> optionalBool(const JsonValue& object, const char* key, std::string_view where)
{
    const JsonValue* value = optionalMember(object, key);
    if (!value)
        return std::nullopt;
    if (!value->IsBool())
        throw badRequest("field '" + fieldName(where, key) + "' must be a boolean");
    return value->GetBool();
}

std::optional<std::int64_t> optionalInt(const JsonValue& object, const char* key, std::string_view where)
{
    const JsonValue* value = optionalMember(object, key);
    if (!value)
        return std::nullopt;
    if (!value->IsInt64())
        throw badRequest("field '" + fieldName(where, key) + "' must be an integer");
    return value->GetInt64();
}

std::optional<std::int64_t> optionalCount(const JsonValue& object, const char* key, std::string_view where)
{
    const auto value = optionalInt(object, key, where);
    if (value && *value < 0)
        throw badRequest("field '" + fieldName(where, key) + "' must not be negative");
    return value;
}

std::vector<std::string> optionalStringList(const JsonValue& object, const char* key, std::string_view where)
{
    std::vector<std::string> list;
    const JsonValue* value = optionalArray(object, key, where);
    if (!value)
        return list;
    for (const auto& item : value->GetArray()) {
        if (!item.IsString())
            throw badRequest("field '" + fieldName(where, key) + "' must be a list of strings");
        list.emplace_back(stringView(item));
    }
    return list;
}

void requireObjectBody(const JsonValue& body)
{
    if (!body.IsObject())
        throw badRequest("request body must be a JSON object");
}

} // namespace spindle::server
