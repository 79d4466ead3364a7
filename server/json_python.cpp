// Python's json.dumps(value, sort_keys=True) byte for byte (json.h): the bytes that object and
// table-row digests are taken over.
#include "server/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace spindle::server {
namespace {

void appendHex4(std::string& out, unsigned value)
{
    static const char digits[] = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
        out.push_back(digits[(value >> shift) & 0xF]);
}

// Decodes one UTF-8 sequence; invalid bytes are passed through as U+FFFD like Python's
// surrogateescape would not, but a request with invalid UTF-8 is already rejected by the parser.
unsigned decodeUtf8(std::string_view text, std::size_t& i)
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned c = byte(i);
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    unsigned code = extra == 3 ? c & 0x07 : extra == 2 ? c & 0x0F : extra == 1 ? c & 0x1F : c;
    for (int k = 0; k < extra && i + 1 < text.size(); ++k)
        code = (code << 6) | (byte(++i) & 0x3F);
    return code;
}

void appendPythonString(std::string& out, std::string_view text)
{
    out.push_back('"');
    for (std::size_t i = 0; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        switch (c) {
        case '"':
            out += "\\\"";
            continue;
        case '\\':
            out += "\\\\";
            continue;
        case '\n':
            out += "\\n";
            continue;
        case '\r':
            out += "\\r";
            continue;
        case '\t':
            out += "\\t";
            continue;
        case '\b':
            out += "\\b";
            continue;
        case '\f':
            out += "\\f";
            continue;
        default:
            break;
        }
        if (c >= 0x20 && c < 0x7F) {
            out.push_back(static_cast<char>(c));
            continue;
        }
        const unsigned code = c < 0x80 ? c : decodeUtf8(text, i);
        if (code >= 0x10000) {
            const unsigned v = code - 0x10000;
            appendHex4(out, 0xD800 + (v >> 10));
            appendHex4(out, 0xDC00 + (v & 0x3FF));
        } else {
            appendHex4(out, code);
        }
    }
    out.push_back('"');
}

} // namespace

void appendPythonFloat(std::string& out, double value)
{
    if (std::isnan(value)) {
        out += "NaN";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "Infinity" : "-Infinity";
        return;
    }
    // Shortest round-trip digits, then laid out the way Python's float repr does:
    // positional for exponents in [-4, 16), scientific with a signed 2+ digit exponent otherwise.
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string_view sci(buffer, static_cast<std::size_t>(result.ptr - buffer));
    const bool negative = sci.front() == '-';
    if (negative)
        sci.remove_prefix(1);
    const std::size_t ePos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, ePos))
        if (c != '.')
            digits.push_back(c);
    const int exponent = std::stoi(std::string(sci.substr(ePos + 1)));
    if (negative)
        out.push_back('-');
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out += "0.";
            out.append(static_cast<std::size_t>(-exponent - 1), '0');
            out += digits;
        } else if (static_cast<int>(digits.size()) <= exponent + 1) {
            out += digits;
            out.append(static_cast<std::size_t>(exponent + 1) - digits.size(), '0');
            out += ".0";
        } else {
            out += digits.substr(0, static_cast<std::size_t>(exponent) + 1);
            out.push_back('.');
            out += digits.substr(static_cast<std::size_t>(exponent) + 1);
        }
        return;
    }
    out.push_back(digits[0]);
    if (digits.size() > 1) {
        out.push_back('.');
        out += digits.substr(1);
    }
    out.push_back('e');
    out.push_back(exponent < 0 ? '-' : '+');
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10)
        out.push_back('0');
    out += std::to_string(magnitude);
}

void appendPythonJson(std::string& out, const JsonValue& value)
{
    switch (value.GetType()) {
    case rapidjson::kNullType:
        out += "null";
        return;
    case rapidjson::kFalseType:
        out += "false";
        return;
    case rapidjson::kTrueType:
        out += "true";
        return;
    case rapidjson::kStringType:
        appendPythonString(out, stringView(value));
        return;
    case rapidjson::kNumberType:
        if (value.IsInt64())
            out += std::to_string(value.GetInt64());
        else if (value.IsUint64())
            out += std::to_string(value.GetUint64());
        else
            appendPythonFloat(out, value.GetDouble());
        return;
    case rapidjson::kArrayType: {
        out.push_back('[');
        bool first = true;
        for (const auto& item : value.GetArray()) {
            if (!first)
                out += ", ";
            first = false;
            appendPythonJson(out, item);
        }
        out.push_back(']');
        return;
    }
    case rapidjson::kObjectType: {
        std::vector<const JsonValue::Member*> members;
        for (const auto& member : value.GetObject())
            members.push_back(&member);
        std::sort(members.begin(), members.end(),
            [](auto* a, auto* b) { return stringView(a->name) < stringView(b->name); });
        out.push_back('{');
        bool first = true;
        for (const auto* member : members) {
            if (!first)
                out += ", ";
            first = false;
            appendPythonString(out, stringView(member->name));
            out += ": ";
            appendPythonJson(out, member->value);
        }
        out.push_back('}');
        return;
    }
    }
}

std::string pythonJson(const JsonValue& value)
{
    std::string out;
    appendPythonJson(out, value);
    return out;
}

} // namespace spindle::server
