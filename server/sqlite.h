#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <sqlite3.h>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace spindle::server {

// A value bound to a `?` placeholder. Client strings only ever reach SQL this way.
using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

class Statement
{
public:
    // An owned statement is finalized when it dies; a cached one is only reset.
    Statement(sqlite3_stmt* stmt, bool owned)
        : m_stmt(stmt)
        , m_owned(owned)
    {
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    void bind(int index, std::string_view text);
    void bind(int index, std::int64_t value);
    void bind(int index, double value);
    void bind(int index, const std::optional<std::string>& text);
    void bind(int index, const std::optional<std::int64_t>& value);
    void bindNull(int index);
    void bindBlob(int index, std::string_view bytes);
    void bind(int index, const SqlValue& value);
    void bindAll(const std::vector<SqlValue>& values, int firstIndex = 1);

    bool step(); // true while a row is available
    void run(); // steps to the end, then resets for the next use
    void reset();

    bool isNull(int column) const;
    std::int64_t columnInt(int column) const;
    double columnDouble(int column) const;
    std::string_view columnText(int column) const;
    std::string_view columnBlob(int column) const;
    std::optional<std::string> columnOptionalText(int column) const;
    std::optional<std::int64_t> columnOptionalInt(int column) const;

private:
    sqlite3_stmt* m_stmt;
    bool m_owned;
};

class Connection
{
public:
    Connection(const std::string& path, bool readOnly);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // Fixed SQL text: prepared once per connection and reset when the returned handle dies.
    std::unique_ptr<Statement> prepare(const std::string& sql);
    // SQL built per request (filters, sorts): prepared now, finalized when the handle dies.
    std::unique_ptr<Statement> prepareAdHoc(const std::string& sql);
    void exec(const std::string& sql);
    std::int64_t changes() const;
    sqlite3* handle() const
    {
        return m_db;
    }

private:
    sqlite3* m_db = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> m_cache;
};

// A write transaction: BEGIN IMMEDIATE now, ROLLBACK unless commit() was reached.
class Transaction
{
public:
    explicit Transaction(Connection& connection);
    ~Transaction();
    void commit();

private:
    Connection& m_connection;
    bool m_done = false;
};

// Any SQLite failure is a server-side fault (never caused by a client string, which is always bound).
struct SqlError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

// A path segment for the JSON functions meaning "follow the weave:/// ref found here" (expand_columns).
inline constexpr std::string_view kDerefSegment = "\x01";

void registerJsonFunctions(sqlite3* db);

} // namespace spindle::server
