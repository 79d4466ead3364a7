#pragma once

#include "server/callquery.h"
#include "server/prices.h"

#include <memory>
#include <string>

namespace spindle::server {

// Turns rows selected with kCallSelectColumns into CallSchema JSON, computing summary.weave at
// read time (status, latency, trace_name/display_name, costs, feedback) as the protocol says.
class CallRowWriter
{
public:
    CallRowWriter(const CallsQuery& query, Connection& reader, PriceCatalog& prices);
    ~CallRowWriter();

    void append(const Statement& row, std::string& out);

private:
    bool wants(const char* column) const;
    void appendSummary(const Statement& row, std::string& out);
    void appendFeedback(std::string_view callId, JsonValue& weave, JsonAllocator& alloc);
    void appendJsonColumn(const Statement& row, int column, const char* name, std::string& out);
    void appendStorageSizes(const Statement& row, std::string& out);

    const CallsQuery& m_query;
    Connection& m_reader;
    std::unique_ptr<PriceBook> m_prices;
};

} // namespace spindle::server
