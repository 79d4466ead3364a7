#pragma once

#include "server/context.h"

#include <optional>
#include <string>
#include <vector>

namespace spindle::server {

std::string objCreate(const JsonValue& body, RequestContext& context);
std::string objRead(const JsonValue& body, RequestContext& context);
std::string objsQuery(const JsonValue& body, RequestContext& context);
std::string objDelete(const JsonValue& body, RequestContext& context);
std::string refsReadBatch(const JsonValue& body, RequestContext& context);

// The value a weave:/// object or op ref points at, after walking its extra path; nullopt when
// the object, version or path does not exist. Table and call refs are not values here.
std::optional<JsonDocument> resolveRef(Connection& reader, std::string_view uri);

// Replaces the ref string at `path` inside `root` by the object it names (dicts gain "_ref").
void expandRefAt(
    Connection& reader, JsonValue& root, const std::vector<std::string>& path, JsonAllocator& alloc);

// Built-in object classes the server validates (weave-protocol.md 5.3, 5.6); throws a 400 on
// an invalid value or an unknown class.
void applyBuiltinClass(const std::string& className, JsonValue& val, JsonAllocator& alloc);

} // namespace spindle::server
