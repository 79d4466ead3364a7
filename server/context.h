#pragma once

#include "server/database.h"
#include "server/json.h"
#include "server/prices.h"

#include <string>

namespace spindle::server {

// What every route handler gets: the store, the price catalogue and who is asking.
struct RequestContext
{
    Database& db;
    PriceCatalog& prices;
    std::string userId; // wb_user_id stamped on writes
};

// A JSON route: parsed body in, JSON response text out; ApiError for client mistakes.
using JsonRoute = std::string (*)(const JsonValue& body, RequestContext& context);

} // namespace spindle::server
