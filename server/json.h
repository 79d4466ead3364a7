#pragma once

#include "server/apierror.h"

#include <cstdint>
#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace spindle::server {

using JsonValue = rapidjson::Value;
using JsonDocument = rapidjson::Document;
using JsonAllocator = rapidjson::Document::AllocatorType;

// Parses a request body; malformed JSON is a 400 that names the offset.
JsonDocument parseJson(std::string_view text);

void appendJson(std::string& out, const JsonValue& value);
std::string toJson(const JsonValue& value);
void appendJsonString(std::string& out, std::string_view text);
// ["a","b",...]
void appendJsonStrings(std::string& out, const std::vector<std::string>& texts);

// Python's `json.dumps(value, sort_keys=True)`: ", "/": " separators, ensure_ascii, float repr.
// Object and table-row digests are SHA-256 over these bytes, so they must match byte for byte.
void appendPythonJson(std::string& out, const JsonValue& value);
std::string pythonJson(const JsonValue& value);
void appendPythonFloat(std::string& out, double value);

// Every string inside `value` (recursively) that is a weave:/// URI.
void collectWeaveRefs(const JsonValue& value, std::vector<std::string>& refs);

inline std::string_view stringView(const JsonValue& value)
{
    return { value.GetString(), value.GetStringLength() };
}

// A JSON string of all of `text`, NULs included (JsonValue(const char*) stops at the first NUL:
// "c1\0x" read call c1).
inline JsonValue jsonText(std::string_view text, JsonAllocator& allocator)
{
    return JsonValue(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator);
}

// Whether a 64-bit integer holds `value` (truncated): casting any other double to one is undefined
// (1e25 tokens became a negative cost). False for NaN.
inline bool fitsInt64(double value)
{
    return value >= -0x1p63 && value < 0x1p63;
}

// Whether `value` is a whole number a 64-bit integer holds.
inline bool isWholeInt64(double value)
{
    return fitsInt64(value) && value == static_cast<double>(static_cast<std::int64_t>(value));
}

bool isValidUtf8(std::string_view text);
// `text` with each invalid UTF-8 sequence replaced by U+FFFD: for messages that quote the request.
std::string withValidUtf8(std::string_view text);

// Typed access to request fields. `where` names the field in the error message.
// Missing or null optional fields give std::nullopt / nullptr; wrong types throw a 400.
const JsonValue* optionalMember(const JsonValue& object, const char* key);
const JsonValue& requireObject(const JsonValue& object, const char* key, std::string_view where);
const JsonValue* optionalObject(const JsonValue& object, const char* key, std::string_view where);
const JsonValue* optionalArray(const JsonValue& object, const char* key, std::string_view where);
std::string requireString(const JsonValue& object, const char* key, std::string_view where);
std::optional<std::string> optionalString(const JsonValue& object, const char* key, std::string_view where);
std::optional<bool> optionalBool(const JsonValue& object, const char* key, std::string_view where);
std::optional<std::int64_t> optionalInt(const JsonValue& object, const char* key, std::string_view where);
// An optional `limit` or `offset`: an integer, not negative.
std::optional<std::int64_t> optionalCount(const JsonValue& object, const char* key, std::string_view where);
std::vector<std::string> optionalStringList(const JsonValue& object, const char* key, std::string_view where);
void requireObjectBody(const JsonValue& body);

} // namespace spindle::server
