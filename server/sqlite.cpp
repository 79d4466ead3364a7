#include "server/sqlite.h"

#include "server/apierror.h"

namespace spindle::server {
namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what)
{
    throw SqlError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "no connection"));
}

// SQLite's limits on one statement (bound values, expression depth, terms, length). A statement
// over them was built from a request too large to run: the client's error, not the server's.
bool overStatementLimits(sqlite3* db, int code)
{
    const std::string_view message = sqlite3_errmsg(db);
    return code == SQLITE_TOOBIG || message.find("too many SQL variables") != message.npos
        || message.find("Expression tree is too large") != message.npos
        || message.find("too many terms") != message.npos
        || message.find("parser stack overflow") != message.npos;
}

sqlite3_stmt* prepareRaw(sqlite3* db, const std::string& sql, unsigned flags)
{
    sqlite3_stmt* stmt = nullptr;
    const int code = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), flags, &stmt, nullptr);
    if (code == SQLITE_OK)
        return stmt;
    if (overStatementLimits(db, code))
        throw ApiError(400, std::string("the query is too large to run: ") + sqlite3_errmsg(db));
    fail(db, "prepare");
}

} // namespace

Statement::~Statement()
{
    if (m_owned) {
        sqlite3_finalize(m_stmt);
        return;
    }
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

void Statement::bind(int index, std::string_view text)
{
    sqlite3_bind_text64(m_stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void Statement::bind(int index, std::int64_t value)
{
    sqlite3_bind_int64(m_stmt, index, value);
}

void Statement::bind(int index, double value)
{
    sqlite3_bind_double(m_stmt, index, value);
}

void Statement::bind(int index, const std::optional<std::string>& text)
{
    if (text)
        bind(index, std::string_view(*text));
    else
        bindNull(index);
}

void Statement::bind(int index, const std::optional<std::int64_t>& value)
{
    if (value)
        bind(index, *value);
    else
        bindNull(index);
}

void Statement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
}

void Statement::bindBlob(int index, std::string_view bytes)
{
    sqlite3_bind_blob64(m_stmt, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
}

void Statement::bind(int index, const SqlValue& value)
{
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>)
                bindNull(index);
            else if constexpr (std::is_same_v<T, std::string>)
                bind(index, std::string_view(v));
            else
                bind(index, v);
        },
        value);
}

void Statement::bindAll(const std::vector<SqlValue>& values, int firstIndex)
{
    for (std::size_t i = 0; i < values.size(); ++i)
        bind(firstIndex + static_cast<int>(i), values[i]);
}

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    fail(sqlite3_db_handle(m_stmt), "step");
}

void Statement::run()
{
    while (step()) { }
    reset();
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::columnInt(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::columnDouble(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

std::string_view Statement::columnText(int column) const
{
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    if (!text)
        return {};
    return { text, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)) };
}

std::string_view Statement::columnBlob(int column) const
{
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(m_stmt, column));
    if (!bytes)
        return {};
    return { bytes, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)) };
}

std::optional<std::string> Statement::columnOptionalText(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return std::string(columnText(column));
}

std::optional<std::int64_t> Statement::columnOptionalInt(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return columnInt(column);
}

Connection::Connection(const std::string& path, bool readOnly)
{
    const int flags =
        (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr) != SQLITE_OK)
        fail(m_db, "open " + path);
    sqlite3_busy_timeout(m_db, 10000);
    // Memory is per connection, and the server keeps one reader per concurrent request (up to
    // its ~8 worker threads): a 4 MB page cache each, and no memory map, because every
    // connection maps the file separately and the desktop app counts each map in its resident
    // memory (256 MB maps and 64 MB caches made the embedded server 590 MB of an 800 MB app on
    // 1 M calls). The OS page cache still keeps the file warm; deep OFFSET scans are ~1.4x
    // slower than with the big caches, on par with the sqlite3 CLI (docs/benchmarks.md, U4).
    exec("PRAGMA foreign_keys=OFF; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-4096; "
         "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=0");
    registerJsonFunctions(m_db);
}

Connection::~Connection()
{
    for (auto& [sql, stmt] : m_cache)
        sqlite3_finalize(stmt);
    sqlite3_close_v2(m_db);
}

std::unique_ptr<Statement> Connection::prepare(const std::string& sql)
{
    auto it = m_cache.find(sql);
    if (it == m_cache.end())
        it = m_cache.emplace(sql, prepareRaw(m_db, sql, SQLITE_PREPARE_PERSISTENT)).first;
    return std::make_unique<Statement>(it->second, false);
}

std::unique_ptr<Statement> Connection::prepareAdHoc(const std::string& sql)
{
    return std::make_unique<Statement>(prepareRaw(m_db, sql, 0), true);
}

void Connection::exec(const std::string& sql)
{
    char* error = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw SqlError("exec: " + message);
    }
}

std::int64_t Connection::changes() const
{
    return sqlite3_changes64(m_db);
}

Transaction::Transaction(Connection& connection)
    : m_connection(connection)
{
    m_connection.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (!m_done)
        sqlite3_exec(m_connection.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    m_connection.exec("COMMIT");
    m_done = true;
}

} // namespace spindle::server
