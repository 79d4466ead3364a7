#pragma once

#include "server/sqlite.h"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace spindle::server {

// The store: one SQLite file in WAL mode, one writer connection (writes are serialised, one
// transaction per request) and a pool of reader connections, so reads never wait on writes.
class Database
{
public:
    explicit Database(std::string path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs `work` inside one write transaction; an exception rolls everything back.
    template <typename Work> auto write(Work&& work)
    {
        std::lock_guard lock(m_writeMutex);
        Transaction transaction(*m_writer);
        if constexpr (std::is_void_v<decltype(work(*m_writer))>) {
            work(*m_writer);
            transaction.commit();
        } else {
            auto result = work(*m_writer);
            transaction.commit();
            return result;
        }
    }

    class Reader
    {
    public:
        Reader(Database& db, std::unique_ptr<Connection> connection);
        Reader(Reader&&) = default;
        ~Reader();
        Connection& operator*() const
        {
            return *m_connection;
        }
        Connection* operator->() const
        {
            return m_connection.get();
        }

    private:
        Database* m_db;
        std::unique_ptr<Connection> m_connection;
    };
    Reader read();

    const std::string& path() const
    {
        return m_path;
    }
    int schemaVersion() const;

private:
    void migrate();
    void release(std::unique_ptr<Connection> connection);

    std::string m_path;
    std::mutex m_writeMutex;
    std::unique_ptr<Connection> m_writer;
    std::mutex m_poolMutex;
    std::vector<std::unique_ptr<Connection>> m_readers;
};

// Makes llm_token_prices' default rows the shipped table's (a store made by an older build has
// an older table). Returns whether it wrote: only when the table's digest differs from the one
// the store last loaded, so a start with the same build reads one row.
bool syncDefaultPrices(Connection& connection);
bool defaultPricesAreCurrent(Connection& connection);

} // namespace spindle::server
