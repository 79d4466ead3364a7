#pragma once

#include "server/json.h"

#include <string>
#include <string_view>
#include <vector>

namespace spindle::server {

// One field of a GraphQL selection: `alias: name(arguments) { children }`.
struct GraphqlField
{
    std::string key; // the alias, else the name: the answer's member
    std::string name;
    JsonValue arguments { rapidjson::kObjectType };
    std::vector<GraphqlField> children;
};

// Limits of what the reader takes; the SDKs' queries are a few hundred bytes, three levels deep.
inline constexpr std::size_t kMaxGraphqlQueryBytes = 64 * 1024;
inline constexpr std::size_t kMaxGraphqlVariablesBytes = 64 * 1024;
inline constexpr int kMaxGraphqlDepth = 32; // selections and values nested
inline constexpr int kMaxGraphqlFields = 1000;
inline constexpr int kMaxGraphqlVariableUses = 100;

// The fields of the one operation in `query`: the executable subset of GraphQL the SDKs send
// (fields, aliases, arguments with literals or `$variables`, nested selections). Fragments,
// directives, and anything it cannot read or that passes a limit above are a 400 (ApiError).
std::vector<GraphqlField> readGraphqlOperation(
    std::string_view query, const JsonValue* variables, JsonAllocator& allocator);

} // namespace spindle::server
