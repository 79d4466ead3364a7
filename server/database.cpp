#include "server/database.h"

namespace spindle::server {
namespace {

// Each entry moves the schema one version forward; never edit a released entry, add one.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE calls (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    trace_id TEXT,
    parent_id TEXT,
    thread_id TEXT,
    turn_id TEXT,
    op_name TEXT,
    op_short TEXT,
    display_name TEXT,
    started_at INTEGER,
    ended_at INTEGER,
    exception TEXT,
    attributes TEXT,
    inputs TEXT,
    input_refs TEXT,
    output TEXT,
    output_refs TEXT,
    summary TEXT,
    wb_user_id TEXT,
    wb_run_id TEXT,
    wb_run_step INTEGER,
    wb_run_step_end INTEGER,
    deleted_at INTEGER,
    descendant_error INTEGER NOT NULL DEFAULT 0,
    total_tokens INTEGER,
    status TEXT GENERATED ALWAYS AS (CASE WHEN exception IS NOT NULL THEN 'error'
        WHEN ended_at IS NULL THEN 'running' WHEN descendant_error THEN 'descendant_error'
        ELSE 'success' END) STORED,
    latency_ms INTEGER GENERATED ALWAYS AS ((ended_at - started_at) / 1000) STORED,
    trace_name TEXT GENERATED ALWAYS AS (COALESCE(NULLIF(display_name, ''), op_short)) VIRTUAL,
    UNIQUE (project_id, id)
);
CREATE INDEX calls_started ON calls (project_id, started_at, id);
CREATE INDEX calls_roots ON calls (project_id, started_at, id) WHERE parent_id IS NULL;
CREATE INDEX calls_trace ON calls (project_id, trace_id, started_at);
CREATE INDEX calls_parent ON calls (project_id, parent_id);
CREATE INDEX calls_op ON calls (project_id, op_name, started_at);
CREATE INDEX calls_status ON calls (project_id, status, started_at);
CREATE INDEX calls_latency ON calls (project_id, latency_ms);

CREATE TABLE objects (
    project_id TEXT NOT NULL,
    object_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    kind TEXT NOT NULL,
    base_object_class TEXT,
    leaf_object_class TEXT,
    refs TEXT NOT NULL,
    val TEXT NOT NULL,
    version_index INTEGER NOT NULL,
    is_latest INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER,
    wb_user_id TEXT,
    UNIQUE (project_id, object_id, digest)
);
CREATE INDEX objects_latest ON objects (project_id, is_latest, kind);

CREATE TABLE files (
    project_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, digest)
);

CREATE TABLE table_rows (
    project_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    val TEXT NOT NULL,
    PRIMARY KEY (project_id, digest)
);
CREATE TABLE tables (
    project_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, digest)
);
CREATE TABLE table_entries (
    project_id TEXT NOT NULL,
    table_digest TEXT NOT NULL,
    idx INTEGER NOT NULL,
    row_digest TEXT NOT NULL,
    PRIMARY KEY (project_id, table_digest, idx)
);

CREATE TABLE feedback (
    id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    weave_ref TEXT NOT NULL,
    call_id TEXT,
    wb_user_id TEXT,
    creator TEXT,
    created_at INTEGER NOT NULL,
    feedback_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    annotation_ref TEXT,
    runnable_ref TEXT,
    call_ref TEXT,
    trigger_ref TEXT,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX feedback_ref ON feedback (project_id, weave_ref);
CREATE INDEX feedback_call ON feedback (project_id, call_id);

CREATE TABLE llm_token_prices (
    id TEXT PRIMARY KEY,
    pricing_level TEXT NOT NULL,
    pricing_level_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    llm_id TEXT NOT NULL,
    effective_date INTEGER NOT NULL,
    prompt_token_cost REAL NOT NULL,
    completion_token_cost REAL NOT NULL,
    cache_read_input_token_cost REAL NOT NULL DEFAULT 0,
    cache_creation_input_token_cost REAL NOT NULL DEFAULT 0,
    prompt_token_cost_unit TEXT NOT NULL DEFAULT 'USD',
    completion_token_cost_unit TEXT NOT NULL DEFAULT 'USD',
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX prices_llm ON llm_token_prices (llm_id, pricing_level_id);
)sql",
    // v2: newest-first pages are the common order: index started_at descending, so a forward scan
    // serves "started_at DESC, id ASC" exactly; and only live rows, so counts and deep offsets read
    // the index alone (every calls query carries "deleted_at IS NULL"). See docs/benchmarks.md.
    R"sql(
DROP INDEX calls_started;
CREATE INDEX calls_started ON calls (project_id, started_at DESC, id) WHERE deleted_at IS NULL;
DROP INDEX calls_roots;
CREATE INDEX calls_roots ON calls (project_id, started_at DESC, id) WHERE parent_id IS NULL AND deleted_at IS NULL;
)sql",
    // v3: tags and aliases of object versions (server/objecttags.h).
    R"sql(
CREATE TABLE object_tags (
    project_id TEXT NOT NULL,
    object_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    tag TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    wb_user_id TEXT,
    PRIMARY KEY (project_id, object_id, digest, tag)
);
CREATE INDEX object_tags_tag ON object_tags (project_id, tag);
CREATE TABLE object_aliases (
    project_id TEXT NOT NULL,
    object_id TEXT NOT NULL,
    alias TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    wb_user_id TEXT,
    PRIMARY KEY (project_id, object_id, alias)
);
CREATE INDEX object_aliases_version ON object_aliases (project_id, object_id, digest);
)sql",
    // v4: facts about the store itself, e.g. which default price table its rows come from.
    R"sql(
CREATE TABLE IF NOT EXISTS spindle_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
)sql",
};

} // namespace

constexpr std::int64_t kWalSizeLimitBytes = 64 * 1024 * 1024;

Database::Database(std::string path)
    : m_path(std::move(path))
{
    m_writer = std::make_unique<Connection>(m_path, false);
    m_writer->exec("PRAGMA journal_mode=WAL");
    // A stream keeps its read transaction open while it is read, and SQLite cannot restart the log
    // under a reader: a slow export beside busy writers grew it by gigabytes. Once it restarts, the
    // file is cut back to this size instead of keeping its peak on disk.
    m_writer->exec("PRAGMA journal_size_limit=" + std::to_string(kWalSizeLimitBytes));
    migrate();
}

Database::~Database() = default;

int Database::schemaVersion() const
{
    auto stmt = m_writer->prepare("PRAGMA user_version");
    stmt->step();
    return static_cast<int>(stmt->columnInt(0));
}

void Database::migrate()
{
    const int target = static_cast<int>(std::size(kMigrations));
    for (int version = schemaVersion(); version < target; ++version) {
        Transaction transaction(*m_writer);
        // Another process opening the same store may have run this step while this one waited for
        // the write lock.
        if (schemaVersion() > version)
            continue;
        m_writer->exec(kMigrations[version]);
        m_writer->exec("PRAGMA user_version=" + std::to_string(version + 1));
        transaction.commit();
    }
    // Checked before the write lock: another process may hold it, and most opens write nothing.
    if (defaultPricesAreCurrent(*m_writer))
        return;
    Transaction transaction(*m_writer);
    if (syncDefaultPrices(*m_writer))
        transaction.commit();
}

Database::Reader::Reader(Database& db, std::unique_ptr<Connection> connection)
    : m_db(&db)
    , m_connection(std::move(connection))
{
}

Database::Reader::~Reader()
{
    if (m_connection)
        m_db->release(std::move(m_connection));
}

Database::Reader Database::read()
{
    {
        std::lock_guard lock(m_poolMutex);
        if (!m_readers.empty()) {
            auto connection = std::move(m_readers.back());
            m_readers.pop_back();
            return Reader(*this, std::move(connection));
        }
    }
    return Reader(*this, std::make_unique<Connection>(m_path, true));
}

void Database::release(std::unique_ptr<Connection> connection)
{
    std::lock_guard lock(m_poolMutex);
    m_readers.push_back(std::move(connection));
}

} // namespace spindle::server
