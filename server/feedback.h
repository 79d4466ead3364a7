#pragma once

#include "server/context.h"

namespace spindle::server {

std::string feedbackCreate(const JsonValue& body, RequestContext& context);
std::string feedbackBatchCreate(const JsonValue& body, RequestContext& context);
std::string feedbackQuery(const JsonValue& body, RequestContext& context);
std::string feedbackPurge(const JsonValue& body, RequestContext& context);
std::string feedbackReplace(const JsonValue& body, RequestContext& context);

// Hard delete of `table` rows by id within one project (feedback and cost purges).
std::int64_t purgeByIds(Connection& db, const char* table, const std::string& projectId,
    const std::vector<std::string>& ids, const char* projectColumn);

std::string costCreate(const JsonValue& body, RequestContext& context);
std::string costQuery(const JsonValue& body, RequestContext& context);
std::string costPurge(const JsonValue& body, RequestContext& context);

} // namespace spindle::server
