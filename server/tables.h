#pragma once

#include "server/context.h"

namespace spindle::server {

std::string tableCreate(const JsonValue& body, RequestContext& context);
std::string tableUpdate(const JsonValue& body, RequestContext& context);
std::string tableQuery(const JsonValue& body, RequestContext& context);
std::string tableQueryStats(const JsonValue& body, RequestContext& context);
std::string fileContentDigest(const JsonValue& body, std::string& projectId);

// Files are raw bytes keyed by their digest; the name is not part of the key.
// Stores `bytes` under `digest`, their weaveDigest (computed once by the caller, which checks it).
void storeFile(Database& db, const std::string& projectId, std::string_view bytes, const std::string& digest);
std::optional<std::string> readFile(Database& db, const std::string& projectId, const std::string& digest);

} // namespace spindle::server
