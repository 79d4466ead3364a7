#include "server/httpframing.h"

#include <algorithm>
#include <cctype>
#include <strings.h>

namespace spindle::server {
namespace {

bool isDecimal(const std::string& text)
{
    return !text.empty() && text.size() <= 19
        && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool carriesBody(const std::string& method)
{
    return method == "POST" || method == "PUT" || method == "PATCH";
}

} // namespace

std::optional<ApiError> framingError(const httplib::Request& req)
{
    const std::size_t lengths = req.get_header_value_count("Content-Length");
    const bool transferEncoded = req.has_header("Transfer-Encoding");
    if (transferEncoded) {
        if (::strcasecmp(req.get_header_value("Transfer-Encoding").c_str(), "chunked") != 0)
            return ApiError(501,
                "only Transfer-Encoding: chunked is supported, not '"
                    + req.get_header_value("Transfer-Encoding") + "'");
        if (lengths > 0)
            return badRequest("a request has Content-Length or Transfer-Encoding, not both");
        return std::nullopt;
    }
    if (lengths == 0)
        return carriesBody(req.method) ? std::optional(ApiError(411,
                   "a " + req.method + " needs a Content-Length header (0 for no body) or a chunked body"))
                                       : std::nullopt;
    const std::string length = req.get_header_value("Content-Length");
    if (!isDecimal(length))
        return badRequest("Content-Length '" + length + "' is not a number of bytes");
    for (std::size_t i = 1; i < lengths; ++i)
        if (req.get_header_value("Content-Length", i) != length)
            return badRequest("the request has two Content-Length values that disagree");
    return std::nullopt;
}

} // namespace spindle::server
