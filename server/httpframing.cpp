#include "server/httpframing.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <strings.h>

namespace spindle::server {
namespace {

bool isDecimal(const std::string& text)
{
    return !text.empty() && text.size() <= 19
        && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool isFileUpload(const std::string& path)
{
    return path == "/file/create" || path == "/files/create";
}

// As cpp-httplib decompresses: these names exactly (it compares them case-sensitively, so "GZIP"
// would be read as plain bytes).
bool knownContentEncoding(const std::string& encoding)
{
    return encoding.empty() || encoding == "identity" || encoding == "gzip" || encoding == "deflate"
        || encoding == "br";
}

bool compressed(const std::string& encoding)
{
    return !encoding.empty() && encoding != "identity";
}

} // namespace

bool methodCarriesBody(const std::string& method)
{
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE" || method == "PRI";
}

bool bodyUnbounded(const httplib::Request& req)
{
    return req.has_header("Transfer-Encoding") || compressed(req.get_header_value("Content-Encoding"));
}

std::optional<ApiError> framingError(const httplib::Request& req)
{
    const std::size_t lengths = req.get_header_value_count("Content-Length");
    const bool transferEncoded = req.has_header("Transfer-Encoding");
    const std::string declared = req.get_header_value("Content-Length");
    // cpp-httplib leaves such a body unread, and reads it as the next request on the connection.
    if (!methodCarriesBody(req.method) && (transferEncoded || (lengths > 0 && declared != "0")))
        return badRequest("a " + req.method + " request carries no body");
    const std::string contentEncoding = req.get_header_value("Content-Encoding");
    if (!knownContentEncoding(contentEncoding))
        return ApiError(415,
            "Content-Encoding '" + contentEncoding
                + "' is not supported (gzip, deflate or br, in lower case)");
    if (isFileUpload(req.path) && compressed(contentEncoding))
        return ApiError(415, "a file upload is not compressed: its size limit holds on the bytes as sent");
    if (isFileUpload(req.path) && transferEncoded)
        return ApiError(411, "a file upload needs a Content-Length, not chunks");
    if (transferEncoded) {
        if (req.get_header_value_count("Transfer-Encoding") > 1) // the library reads the first only
            return badRequest("a request has one Transfer-Encoding header, not several");
        if (::strcasecmp(req.get_header_value("Transfer-Encoding").c_str(), "chunked") != 0)
            return ApiError(501,
                "only Transfer-Encoding: chunked is supported, not '"
                    + req.get_header_value("Transfer-Encoding") + "'");
        if (lengths > 0)
            return badRequest("a request has Content-Length or Transfer-Encoding, not both");
        return std::nullopt;
    }
    if (lengths == 0)
        return methodCarriesBody(req.method) ? std::optional(ApiError(411,
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

std::string readBody(const httplib::Request& req, const httplib::ContentReader& reader, std::size_t limit,
    httplib::Response& res)
{
    if (req.is_multipart_form_data()) { // the reader would call multipart handlers this route has not
        res.set_header("Connection", "close");
        throw ApiError(415, "this route takes a JSON body, not multipart/form-data");
    }
    std::string body;
    bool tooLarge = false;
    const bool complete = reader([&](const char* data, std::size_t size) {
        if (size > limit - body.size()) {
            tooLarge = true;
            return false;
        }
        body.append(data, size);
        return true;
    });
    if (complete)
        return body;
    // A Content-Length over the limit: cpp-httplib has skipped that body, so the connection can go on.
    const bool declaredTooLarge = req.has_header("Content-Length")
        && std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) > limit;
    if (!declaredTooLarge)
        res.set_header("Connection", "close");
    if (declaredTooLarge || tooLarge)
        throw ApiError(413,
            "the request body is over the server's limit of " + std::to_string(limit)
                + " bytes (counted after decompression)");
    throw badRequest("the request body could not be read: a broken chunk or compressed stream");
}

} // namespace spindle::server
