#pragma once

#include "server/apierror.h"

#include <httplib.h>
#include <optional>

namespace spindle::server {

// How a request says where its body ends, checked before cpp-httplib reads the body:
// - a POST, PUT or PATCH with neither Content-Length nor chunks is 411: the library would read
//   until the connection closed, so a client waiting for the answer (curl -X POST without -d)
//   hung for the 5 s read timeout before it was refused;
// - Content-Length values that disagree, a length that is not a number, and a length beside
//   Transfer-Encoding are 400: the library read the first length and took the rest of the body
//   for the next request on the connection;
// - a Transfer-Encoding other than chunked is 501: the library would read it as unframed;
// - a Content-Encoding other than gzip, deflate, br or identity is 415: the library would read
//   it as plain bytes;
// - a file upload (file/create) that is compressed is 415, chunked 411: the library checks its size
//   limit against a Content-Length only, and a multipart body is read whole;
// - a body on a method the library reads none for (GET, HEAD, OPTIONS) is 400: it would read the body
//   as the next request.
std::optional<ApiError> framingError(const httplib::Request& req);

// The methods whose body cpp-httplib reads (its expect_content); it reads no other method's.
bool methodCarriesBody(const std::string& method);
// A body whose size no Content-Length bounds: chunked, or compressed (it inflates as it is read).
bool bodyUnbounded(const httplib::Request& req);

// A request's body, read through the route's content reader so that `limit` holds on the bytes
// that arrive, chunked or not, and after decompression (cpp-httplib's own limit only looks at a
// Content-Length: a 500 KB gzip body could inflate to gigabytes). Over the limit: 413; a broken
// chunk or compressed stream: 400; a multipart body: 415. These leave the rest of the body unread,
// so their answer closes the connection (`res` gets "Connection: close"). A Content-Length over the
// limit is 413 too, with the connection kept: cpp-httplib has read past that body.
std::string readBody(const httplib::Request& req, const httplib::ContentReader& reader, std::size_t limit,
    httplib::Response& res);

} // namespace spindle::server
