#include "core/weaveref.h"

namespace spindle {
namespace {

std::vector<std::string_view> splitSlashes(std::string_view text)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = text.find('/', start);
        parts.push_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
        if (slash == std::string_view::npos)
            return parts;
        start = slash + 1;
    }
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percentDecode(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = hexValue(text[i + 1]);
            const int lo = hexValue(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

} // namespace

std::optional<WeaveRef> parseWeaveRef(std::string_view uri)
{
    if (!uri.starts_with(kWeaveRefPrefix))
        return std::nullopt;
    const auto parts = splitSlashes(uri.substr(kWeaveRefPrefix.size()));
    if (parts.size() < 4 || parts[0].empty() || parts[1].empty() || parts[3].empty())
        return std::nullopt;
    WeaveRef ref;
    ref.entity = std::string(parts[0]);
    ref.project = std::string(parts[1]);
    ref.kind = std::string(parts[2]);
    std::string_view nameAndVersion = parts[3];
    if (ref.kind == "object" || ref.kind == "op") {
        const std::size_t colon = nameAndVersion.rfind(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == nameAndVersion.size())
            return std::nullopt;
        ref.name = percentDecode(nameAndVersion.substr(0, colon));
        ref.digest = std::string(nameAndVersion.substr(colon + 1));
    } else if (ref.kind == "table" || ref.kind == "call") {
        ref.name = std::string(nameAndVersion);
    } else {
        return std::nullopt;
    }
    if ((parts.size() - 4) % 2 != 0)
        return std::nullopt;
    for (std::size_t i = 4; i + 1 < parts.size(); i += 2)
        ref.extra.emplace_back(std::string(parts[i]), percentDecode(parts[i + 1]));
    return ref;
}

std::string opShortName(std::string_view opName)
{
    if (auto ref = parseWeaveRef(opName); ref && ref->kind == "op")
        return ref->name;
    return std::string(opName);
}

std::string callRefUri(std::string_view projectId, std::string_view callId)
{
    std::string uri(kWeaveRefPrefix);
    uri.append(projectId).append("/call/").append(callId);
    return uri;
}

} // namespace spindle
