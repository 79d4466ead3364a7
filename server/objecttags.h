#pragma once

#include "server/context.h"
#include "server/querycompiler.h"

#include <optional>
#include <string>

namespace spindle::server {

// Tags and aliases of object versions (weave.publish(obj, tags=..., aliases=...)). A tag marks
// one version; an alias names one version of an object and moves when set on another. "latest"
// is not stored: it is the latest version's alias by definition.

// PUT /objs/{object_id}/versions/{digest}/tags and POST .../tags/remove: {"project_id", "tags"}.
std::string objAddTags(
    const std::string& objectId, const std::string& digest, const JsonValue& body, RequestContext& context);
std::string objRemoveTags(
    const std::string& objectId, const std::string& digest, const JsonValue& body, RequestContext& context);
// PUT /objs/{object_id}/aliases {"project_id", "digest", "aliases"} and POST .../aliases/remove.
std::string objSetAliases(const std::string& objectId, const JsonValue& body, RequestContext& context);
std::string objRemoveAliases(const std::string& objectId, const JsonValue& body, RequestContext& context);
// GET /tags?project_id= and GET /aliases?project_id=: the project's distinct names, sorted.
std::string tagsList(const std::string& projectId, RequestContext& context);
std::string aliasesList(const std::string& projectId, RequestContext& context);

// The version an alias names, for reading "name:alias"; nothing for "latest", "v<N>", a digest
// or an unknown alias.
std::optional<std::string> aliasedDigest(Connection& reader, const std::string& projectId,
    const std::string& objectId, const std::string& version);
// ,"tags":[...],"aliases":[...] of one version, sorted; the latest version has the alias "latest".
void appendTagsAndAliases(Connection& reader, const std::string& projectId, const std::string& objectId,
    const std::string& digest, bool isLatest, std::string& out);
// objs/query's filter.tags and filter.aliases (any of each) as conditions on `objects`.
Sql tagAndAliasFilter(const JsonValue& filter);
// After versions of an object were deleted: their tags and aliases go too.
void dropDeletedVersionsTags(Connection& db, const std::string& projectId, const std::string& objectId);

} // namespace spindle::server
