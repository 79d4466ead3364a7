#pragma once

#include <exception>
#include <string>

namespace spindle::server {

// A client mistake or a missing resource: becomes an HTTP 4xx with {"reason": ...}.
// Anything else thrown while serving is a server bug and becomes a 500.
struct ApiError : std::exception
{
    ApiError(int httpStatus, std::string message)
        : status(httpStatus)
        , reason(std::move(message))
    {
    }
    const char* what() const noexcept override
    {
        return reason.c_str();
    }

    int status;
    std::string reason;
    std::string extraMembers; // optional extra JSON members for the error body, e.g. "deleted_at":"..."
};

inline ApiError badRequest(std::string message)
{
    return ApiError(400, std::move(message));
}

inline ApiError notFound(std::string message)
{
    return ApiError(404, std::move(message));
}

} // namespace spindle::server
