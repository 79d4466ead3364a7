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
// - a Transfer-Encoding other than chunked is 501: the library would read it as unframed.
std::optional<ApiError> framingError(const httplib::Request& req);

} // namespace spindle::server
