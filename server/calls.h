#pragma once

#include "server/callquery.h"
#include "server/callrows.h"
#include "server/context.h"
#include "server/prices.h"

#include <memory>
#include <optional>

namespace spindle::server {

std::string callStart(const JsonValue& body, RequestContext& context);
std::string callEnd(const JsonValue& body, RequestContext& context);
std::string callUpsertBatch(const JsonValue& body, RequestContext& context);
// /v2/{entity}/{project}/calls/complete: {"batch": [call]}, each call with its start and end fields.
std::string callsComplete(const JsonValue& body, RequestContext& context);
std::string callRead(const JsonValue& body, RequestContext& context);
std::string callUpdate(const JsonValue& body, RequestContext& context);
std::string callsDelete(const JsonValue& body, RequestContext& context);
std::string callsQueryStats(const JsonValue& body, RequestContext& context);
std::string callsQuery(const JsonValue& body, RequestContext& context);
// Spindle extension: the projects the store holds, newest activity first.
std::string spindleProjects(const JsonValue& body, RequestContext& context);

// /calls/stream_query: validated and prepared up front (so errors are still a 4xx), then
// pulled in batches by the HTTP layer while it writes JSON Lines to the socket.
class CallStream
{
public:
    CallStream(RequestContext& context, const JsonValue& request);
    ~CallStream();
    // Appends up to `maxRows` JSONL lines; false once the result is exhausted.
    bool next(std::string& out, int maxRows);

private:
    CallsQuery m_query;
    Database::Reader m_reader;
    std::unique_ptr<PriceBook> m_costBook; // backs wv_cost() while this stream's statement runs
    std::optional<CostFunctionScope> m_costFunction; // destroyed after the statement, before the book
    std::unique_ptr<Statement> m_statement;
    std::unique_ptr<CallRowWriter> m_writer;
    bool m_done = false;
};

} // namespace spindle::server
