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
// the object, version or path does not exist. Table and call refs are not values here; an object
// or op ref of the same project met on the path is followed.
std::optional<JsonDocument> resolveRef(Connection& reader, std::string_view uri);

// The stored value of a live object version ("latest", "v<N>" or a digest); nullopt if none.
std::optional<std::string> readObjectVal(
    Connection& reader, const std::string& projectId, const std::string& objectId, const std::string& digest);

// Replaces the ref string at `path` inside `root` by the object it names (dicts gain "_ref").
void expandRefAt(
    Connection& reader, JsonValue& root, const std::vector<std::string>& path, JsonAllocator& alloc);

// Built-in object classes the server validates (weave-protocol.md 5.3, 5.6); throws a 400 on
// an invalid value or an unknown class.
void applyBuiltinClass(const std::string& className, JsonValue& val, JsonAllocator& alloc);

} // namespace spindle::server
