#pragma once

// Checks made before a request reaches its route (and before cpp-httplib reads its body): where a
// body may go, and who may ask a server that has no API key.
#include "server/apierror.h"

#include <httplib.h>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace spindle::server {

// The method and path of every route that takes a body. cpp-httplib reads the body of any other
// request whole, and inflates it (a 1 MB gzip body to a path no route serves took 1 GB) before it
// answers 404: such a request is refused before that, unread.
class BodyRoutes
{
public:
    // `pattern` is a path whose segments are names, or "[^/]+" / "([^/]+)" for any one segment (the
    // route patterns the server registers with cpp-httplib).
    void add(const std::string& method, const std::string& pattern);
    // Why a request with a body cannot go to `path` with `method`: 404 (no route has that path) or
    // 405 (its route takes another method); nothing when one takes it.
    std::optional<ApiError> refusal(const std::string& method, const std::string& path) const;

private:
    std::unordered_multimap<std::string, std::string> m_exact; // path → method
    std::vector<std::pair<std::string, std::vector<std::string>>> m_patterns; // method, pattern's segments
};

// A server without an API key serves the programs of this machine, not web pages: a request with an
// Origin other than the server's own (a page's script: without this any site could delete calls
// with a "simple" cross-site POST), or whose Host is not a loopback name (DNS rebinding: a site's
// name pointed at 127.0.0.1), is 403.
std::optional<ApiError> crossSiteError(const httplib::Request& req);

// Whether an Authorization header carries `key`: "Basic" with any user name (the SDKs send "api"),
// or "Bearer", the scheme in any case; compared in a time that does not tell where a wrong key differs.
bool authorizationMatches(const std::string& header, const std::string& key);

// localhost, ::1 or a dotted 127.x.y.z address (not a name that merely starts with "127.").
bool isLoopbackName(const std::string& host);

} // namespace spindle::server
