#pragma once

#include "server/context.h"

#include <string>

namespace spindle::server {

// The default entity the W&B stand-in reports: `weave.init("my-project")` logs to "me/my-project",
// the project the desktop app opens first.
inline constexpr const char* kDefaultEntity = "me";

// POST /graphql: the W&B API queries the Python SDK's weave.init makes before it traces, answered
// for a local store. weave.init fails unless they succeed, so `WANDB_BASE_URL` points the SDK here
// as `WF_TRACE_SERVER_URL` does. Known root fields: viewer, project, upsertModel, entity and
// serverInfo; every project exists (projects are made by their first write). Other root fields
// answer null with a GraphQL error. Only the fields a query selects are returned.
std::string wandbGraphql(const JsonValue& body, RequestContext& context);

} // namespace spindle::server
