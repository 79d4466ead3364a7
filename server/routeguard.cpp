#include "server/routeguard.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <strings.h>

namespace spindle::server {

namespace {

std::vector<std::string> segmentsOf(const std::string& path)
{
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        segments.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return segments;
}

const std::string kWildcard = "\x01"; // a pattern's "[^/]+" (which holds a '/' of its own)

bool isWildcard(const std::string& segment)
{
    return segment == kWildcard;
}

// A pattern's segments against a path's: a wildcard takes any one non-empty segment.
bool matches(const std::vector<std::string>& pattern, const std::string& path)
{
    const std::vector<std::string> segments = segmentsOf(path);
    if (segments.size() != pattern.size())
        return false;
    for (std::size_t i = 0; i < segments.size(); ++i)
        if (isWildcard(pattern[i]) ? segments[i].empty() : pattern[i] != segments[i])
            return false;
    return true;
}

} // namespace

void BodyRoutes::add(const std::string& method, const std::string& pattern)
{
    std::string marked = pattern;
    for (const std::string token : { "([^/]+)", "[^/]+" })
        for (std::size_t at = marked.find(token); at != std::string::npos; at = marked.find(token, at))
            marked.replace(at, token.size(), kWildcard);
    std::vector<std::string> segments = segmentsOf(marked);
    if (std::any_of(segments.begin(), segments.end(), isWildcard))
        m_patterns.emplace_back(method, std::move(segments));
    else
        m_exact.emplace(pattern, method);
}

std::optional<ApiError> BodyRoutes::refusal(const std::string& method, const std::string& path) const
{
    bool pathKnown = false;
    const auto [first, last] = m_exact.equal_range(path);
    for (auto it = first; it != last; ++it) {
        if (it->second == method)
            return std::nullopt;
        pathKnown = true;
    }
    for (const auto& [routeMethod, pattern] : m_patterns) {
        if (!matches(pattern, path))
            continue;
        if (routeMethod == method)
            return std::nullopt;
        pathKnown = true;
    }
    if (pathKnown)
        return ApiError(405, "method not allowed: " + method + " " + path);
    return ApiError(404, "no such endpoint: " + method + " " + path);
}

bool isLoopbackName(const std::string& host)
{
    if (host == "localhost" || host == "::1")
        return true;
    // 127.0.0.1, 127.1.2.3: digits and dots after "127.", four parts at most
    if (host.rfind("127.", 0) != 0 || host.size() > 15)
        return false;
    return std::all_of(host.begin(), host.end(), [](unsigned char c) { return std::isdigit(c) || c == '.'; })
        && std::count(host.begin(), host.end(), '.') <= 3 && host.back() != '.';
}

namespace {

// The host of a Host header: "127.0.0.1:6345" → "127.0.0.1", "[::1]:6345" → "::1"; in lower case
// and without a final dot ("LOCALHOST", "localhost." name the same host).
std::string hostName(const std::string& header)
{
    std::string host;
    if (!header.empty() && header.front() == '[') {
        const std::size_t end = header.find(']');
        host = end == std::string::npos ? header : header.substr(1, end - 1);
    } else {
        host = header.substr(0, header.find(':'));
    }
    std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!host.empty() && host.back() == '.')
        host.pop_back();
    return host;
}

// The header's scheme, "Basic" or "Bearer", in any case (HTTP's schemes are case-insensitive).
bool hasScheme(const std::string& header, const char* scheme)
{
    const std::size_t size = std::strlen(scheme);
    return header.size() > size && header[size] == ' ' && ::strncasecmp(header.c_str(), scheme, size) == 0;
}

std::string basicPassword(const std::string& header)
{
    if (!hasScheme(header, "Basic"))
        return {};
    const QByteArray decoded = QByteArray::fromBase64(QByteArray::fromStdString(header.substr(6)));
    const qsizetype colon = decoded.indexOf(':');
    return colon < 0 ? std::string() : decoded.mid(colon + 1).toStdString();
}

// Compared in a time that does not depend on where the two first differ.
bool sameSecret(const std::string& given, const std::string& key)
{
    unsigned char differ = given.size() == key.size() ? 0 : 1;
    for (std::size_t i = 0; i < key.size(); ++i)
        differ |= static_cast<unsigned char>(key[i] ^ (i < given.size() ? given[i] : 0));
    return differ == 0;
}

} // namespace

bool authorizationMatches(const std::string& header, const std::string& key)
{
    const std::string given = hasScheme(header, "Bearer") ? header.substr(7) : basicPassword(header);
    return sameSecret(given, key);
}

std::optional<ApiError> crossSiteError(const httplib::Request& req)
{
    if (req.has_header("Origin")) {
        const std::string origin = req.get_header_value("Origin");
        const QUrl url(QString::fromStdString(origin));
        const bool own = url.scheme() == QLatin1String("http") && isLoopbackName(url.host().toStdString())
            && url.port(80) == req.local_port;
        if (!own)
            return ApiError(403,
                "a request from a web page (Origin: " + origin
                    + ") is refused: without an API key this server serves programs on this machine only");
    }
    if (req.has_header("Host") && !isLoopbackName(hostName(req.get_header_value("Host"))))
        return ApiError(403,
            "Host '" + req.get_header_value("Host")
                + "' is not this machine: without an API key this server answers requests for 127.0.0.1, "
                  "localhost or [::1] only (a site's name pointed at this machine is refused)");
    return std::nullopt;
}

} // namespace spindle::server
