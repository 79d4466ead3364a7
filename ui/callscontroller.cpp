#include "ui/callscontroller.h"

#include "models/callstablemodel.h"
#include "widgets/backgroundpool.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>

#include <memory>

namespace spindle::ui {
namespace {

constexpr int kLiveIntervalMs = 3000;
// How long a new query's first page may take before the old rows give way to placeholders, and
// before the count starts anyway.
constexpr int kStaleRowsMs = 100;
constexpr int kCountDelayMs = 100;
constexpr int kMaxDiscoveredColumns = 200;
constexpr int kPagesPerRequest = 4;

void addKeys(
    QStringList& into, const QString& prefix, const QJsonObject& object, const QStringList& skip = {})
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        // A key with a dot in it cannot be named by a path (weave-protocol §3.3): its column would
        // show, sort and filter "a" → "b" instead.
        if (skip.contains(it.key()) || it.key().isEmpty() || it.key().contains(QLatin1Char('.')))
            continue;
        const QString path = prefix + QLatin1Char('.') + it.key();
        if (!into.contains(path) && into.size() < kMaxDiscoveredColumns)
            into.append(path);
    }
}

} // namespace

CallsController::CallsController(net::TraceClient* client, models::CallsTableModel* model, QObject* parent)
    : QObject(parent)
    , m_client(client)
    , m_model(model)
{
    connect(m_model, &models::CallsTableModel::pagesNeeded, this, &CallsController::fetchPages);
    connect(m_model, &models::CallsTableModel::pagesNotNeeded, this, &CallsController::dropPages);
    m_liveTimer.setInterval(kLiveIntervalMs);
    connect(&m_liveTimer, &QTimer::timeout, this, &CallsController::pollLive);
    m_resetTimer.setSingleShot(true);
    m_resetTimer.setInterval(kStaleRowsMs);
    connect(&m_resetTimer, &QTimer::timeout, this, [this] { applyPendingReset(); });
    m_countTimer.setSingleShot(true);
    m_countTimer.setInterval(kCountDelayMs);
    connect(&m_countTimer, &QTimer::timeout, this, &CallsController::startCount);
}

QJsonObject CallsController::pageRequest(int offset, int limit) const
{
    QJsonObject request = m_anchored.requestJson();
    request.insert(QStringLiteral("limit"), limit);
    request.insert(QStringLiteral("offset"), offset);
    request.insert(QStringLiteral("include_costs"), true);
    return request;
}

CallsController::~CallsController()
{
    cancelAll();
}

void CallsController::cancelAll()
{
    if (m_countRequest)
        m_client->cancel(m_countRequest);
    m_countRequest = 0;
    m_countPending = false;
    m_countTimer.stop();
    cancelPages();
}

void CallsController::cancelPages()
{
    for (auto id : std::as_const(m_pageStreams))
        m_client->cancel(id);
    m_pageStreams.clear();
    m_pageRequests.clear();
}

void CallsController::setQuery(const spindle::CallsQuery& query)
{
    // The same query again, with its rows on screen: they stay until fresh ones replace them.
    const bool sameQuery = !std::exchange(m_forgetRows, false) && m_generation > 0 && !m_resetPending
        && query == m_query && m_model->generation() == m_generation;
    cancelAll();
    m_query = query;
    // "Last hour" is the hour before this moment for the count, every page and an export alike:
    // each with its own now would count and page different sets of calls.
    m_anchored = query;
    if (!query.startedWithin.isEmpty() && !query.startedAfter) {
        m_anchored.startedAfter = parseRelativeRange(query.startedWithin, m_clock());
        m_anchored.startedWithin.clear();
    }
    ++m_generation;
    m_firstPageReported = false;
    m_firstRowsReported = false;
    m_firstPageRechecked = false;
    m_queryStartedMs = QDateTime::currentMSecsSinceEpoch();
    // The first page goes alone; the count follows when it is in (or after kCountDelayMs). On
    // the server both compete for the same cores: a sort's first page took 100-130 ms with a
    // 65-135 ms count beside it, 40-47 ms alone (docs/benchmarks.md, U5).
    fetchPages(m_generation, { 0 });
    m_countPending = true;
    m_countTimer.start();
    if (sameQuery) {
        m_model->setNow(QDateTime::currentDateTimeUtc());
        m_model->refreshQuery(m_generation);
    } else {
        // The old rows stay until the new first page arrives (at most kStaleRowsMs), then the
        // model resets straight to the new rows: no frames of an empty table and of placeholders
        // in the way of the first page, and no flicker.
        m_totalCount = -1;
        m_resetPending = true;
        m_resetTimer.start();
    }
    Q_EMIT loadingChanged(true);
}

void CallsController::startCount()
{
    if (!m_countPending)
        return;
    m_countPending = false;
    m_countTimer.stop();
    requestCount();
}

bool CallsController::applyPendingReset(const QVector<spindle::Call>& firstRows, bool complete)
{
    if (!m_resetPending)
        return false;
    m_resetPending = false;
    m_resetTimer.stop();
    // Relative times ("3 min ago") count from now. Set before the reset, it repaints nothing
    // extra; set when the query changed, it repainted the old rows while the new ones were due.
    m_model->setNow(QDateTime::currentDateTimeUtc());
    // Freeing the old query's cached rows takes ~1 ms per few pages: not before this frame.
    widgets::releaseInBackground(
        m_model->beginQueryWithRows(m_generation, firstRows, std::max(m_totalCount, 0), complete));
    if (!firstRows.isEmpty())
        reportFirstRows();
    return true;
}

void CallsController::reportFirstRows()
{
    if (m_firstRowsReported)
        return;
    m_firstRowsReported = true;
    Q_EMIT firstRowsShown(QDateTime::currentMSecsSinceEpoch() - m_queryStartedMs);
}

// The first rows of a new query's first page go on screen while the rest of the page streams
// in: they fill the view, and the server's last rows of the page and their decoding no longer
// stand between a filter change and its rows (docs/benchmarks.md, U5).
void CallsController::onFirstRows(quint64 generation, const QVector<spindle::Call>& rows)
{
    if (generation != m_generation || !m_resetPending)
        return; // a refresh keeps its old rows until the whole page is in
    discoverColumns(rows);
    applyPendingReset(rows, false);
}

void CallsController::resetColumns()
{
    m_discovered.clear();
    m_announceColumns = true;
}

void CallsController::refresh()
{
    setQuery(m_query);
}

void CallsController::postCount(
    std::function<void(int)> onCount, bool reportErrors, const spindle::CallsQuery* query)
{
    QJsonObject request = (query ? *query : m_anchored).requestJson();
    request.remove(QStringLiteral("sort_by"));
    const quint64 generation = m_generation;
    m_countRequest = m_client->post(
        this, QStringLiteral("/calls/query_stats"), request,
        [this, generation, onCount](const QJsonObject& json) {
            if (generation != m_generation)
                return;
            m_countRequest = 0;
            onCount(int(json.value(QLatin1String("count")).toInteger()));
        },
        [this, generation, reportErrors](const net::ApiError& error) {
            if (generation != m_generation)
                return;
            m_countRequest = 0;
            if (reportErrors)
                Q_EMIT queryFailed(error.message());
            Q_EMIT loadingChanged(isLoading());
        });
}

void CallsController::requestCount()
{
    postCount(
        [this](int count) {
            m_totalCount = count;
            if (!m_resetPending) // else it comes with the reset
                m_model->setTotalCount(m_generation, count);
            Q_EMIT countChanged(count);
            if (m_firstPageReported) // the first page came before the count
                recheckFirstPage(m_firstPageRows);
            Q_EMIT loadingChanged(isLoading());
        },
        true);
}

// Pages side by side go in one request (up to kPagesPerRequest): the server walks a deep offset
// once for them rather than once per page, on the cores the table paints on. A view straddling
// two pages wants both at once. Page 0 always goes alone: its first rows are shown early.
void CallsController::fetchPages(quint64 generation, const QList<int>& pages)
{
    if (generation != m_generation)
        return;
    QList<int> run;
    for (int page : pages) { // sorted by the model
        if (m_pageRequests.contains(page))
            continue;
        const bool joins = !run.isEmpty() && page == run.last() + 1 && run.size() < kPagesPerRequest;
        if (!run.isEmpty() && (!joins || page == 0 || run.first() == 0)) {
            fetchRun(generation, run);
            run.clear();
        }
        run.append(page);
    }
    if (!run.isEmpty())
        fetchRun(generation, run);
}

void CallsController::fetchRun(quint64 generation, const QList<int>& run)
{
    constexpr int pageSize = models::CallsTableModel::kPageSize;
    auto rows = std::make_shared<QVector<spindle::Call>>();
    auto done = std::make_shared<int>(0); // pages of the run handed to the model
    auto self = std::make_shared<net::TraceClient::RequestId>(0);
    // Whether `page` still waits for this request (it may have been dropped, and asked for anew).
    const auto carries = [this, self](int page) { return m_pageRequests.value(page) == *self; };
    const auto completePages = [this, generation, run, rows, done, carries](bool all) {
        // A page is complete once the next one's rows begin, or when the stream ends.
        while (*done < run.size() && (all || rows->size() > (*done + 1) * pageSize)) {
            const int page = run.at(*done);
            ++*done;
            if (carries(page))
                m_pageRequests.remove(page);
            onPage(generation, page, rows->mid((*done - 1) * pageSize, pageSize));
        }
    };
    const auto id = m_client->streamCalls(
        this, pageRequest(run.first() * pageSize, int(run.size()) * pageSize),
        [this, generation, run, rows, completePages](const QVector<spindle::Call>& batch) {
            *rows += batch;
            if (run.first() == 0)
                onFirstRows(generation, *rows);
            completePages(false);
        },
        [this, self, completePages] {
            m_pageStreams.remove(*self);
            completePages(true);
        },
        [this, generation, run, done, self, carries](const net::ApiError& error) {
            m_pageStreams.remove(*self);
            if (generation != m_generation)
                return;
            startCount();
            applyPendingReset(); // the old rows must not pass for the new query's
            // No answer, 429 and 5xx (after the client's own retries) may pass: the model asks
            // again while the page is in view. Other 4xx will not.
            const int status = error.httpStatus;
            for (int i = *done; i < run.size(); ++i) {
                if (!carries(run.at(i)))
                    continue;
                m_pageRequests.remove(run.at(i));
                m_model->pageFailed(generation, run.at(i), status == 0 || status == 429 || status >= 500);
            }
            Q_EMIT queryFailed(error.message());
            Q_EMIT loadingChanged(isLoading());
        });
    *self = id;
    m_pageStreams.insert(id);
    for (int page : run)
        m_pageRequests.insert(page, id);
}

void CallsController::dropPages(quint64 generation, const QList<int>& pages)
{
    if (generation != m_generation)
        return;
    for (int page : pages) {
        // Page 0 also discovers the columns and reports the first page: it always finishes.
        if (page == 0 || !m_pageRequests.contains(page))
            continue;
        const auto id = m_pageRequests.take(page);
        // A request for several pages goes on while one of them is still wanted.
        if (std::find(m_pageRequests.cbegin(), m_pageRequests.cend(), id) == m_pageRequests.cend()) {
            m_client->cancel(id);
            m_pageStreams.remove(id);
        }
    }
    Q_EMIT loadingChanged(isLoading());
}

void CallsController::onPage(quint64 generation, int page, const QVector<spindle::Call>& rows)
{
    if (generation != m_generation)
        return;
    bool resetToThese = false; // the model switched to the query with these very rows
    if (page == 0) {
        startCount();
        discoverColumns(rows);
        resetToThese = applyPendingReset(rows, true);
    }
    // The page goes in before its rows are counted in: rows appear with their data.
    if (!resetToThese)
        m_model->setPage(generation, page, rows);
    // Until the count arrives, the first page tells at least how many rows exist.
    if (page == 0 && m_totalCount < 0 && m_model->rowCount() < rows.size())
        m_model->setTotalCount(generation, int(rows.size()));
    if (page != 0 || !recheckFirstPage(int(rows.size())))
        checkPageLength(page, int(rows.size()));
    if (page == 0 && !m_firstPageReported) {
        reportFirstRows(); // a refresh's rows are replaced when the whole page is in
        m_firstPageRows = int(rows.size());
        m_firstPageReported = true;
        Q_EMIT firstPageShown(QDateTime::currentMSecsSinceEpoch() - m_queryStartedMs);
    }
    Q_EMIT loadingChanged(isLoading());
}

int CallsController::expectedRows(int page) const
{
    const int offset = page * models::CallsTableModel::kPageSize;
    return m_totalCount < 0 ? 0 : std::min(models::CallsTableModel::kPageSize, m_totalCount - offset);
}

// The first page and the count are two reads: calls logged in between (an app tracing while the
// user looks) make the page look short against the count, whichever came first, and the rows they
// add would stay "Loading…". The page is fetched again, once: then it holds every call counted, and
// one still short was cut (checkPageLength). True when it was asked for again.
bool CallsController::recheckFirstPage(int rows)
{
    if (m_firstPageRechecked || rows >= expectedRows(0))
        return false;
    m_firstPageRechecked = true;
    fetchPages(m_generation, { 0 });
    return true;
}

// A stream cut exactly between two lines looks complete to the HTTP layer; the count tells.
void CallsController::checkPageLength(int page, int rows)
{
    const int expected = expectedRows(page);
    const int offset = page * models::CallsTableModel::kPageSize;
    if (rows >= expected)
        return;
    Q_EMIT dataWarning(tr("The server returned %1 of the %2 rows expected from row %3: the answer was cut "
                          "short or the data changed. Press F5 to reload.")
                           .arg(rows)
                           .arg(expected)
                           .arg(offset + 1));
}

void CallsController::discoverColumns(const QVector<spindle::Call>& rows)
{
    QStringList found = m_discovered;
    for (const auto& call : rows) {
        addKeys(found, QStringLiteral("inputs"), call.inputs, { QStringLiteral("self") });
        if (call.output.isObject())
            addKeys(found, QStringLiteral("output"), call.output.toObject());
        else if (!call.output.isNull() && !found.contains(QStringLiteral("output")))
            found.append(QStringLiteral("output"));
        addKeys(found, QStringLiteral("attributes"), call.attributes, { QStringLiteral("weave") });
    }
    if (found == m_discovered && !m_announceColumns)
        return;
    m_announceColumns = false;
    m_discovered = found;
    Q_EMIT columnsDiscovered(m_discovered);
}

void CallsController::setLive(bool live)
{
    if (live)
        m_liveTimer.start();
    else
        m_liveTimer.stop();
}

void CallsController::pollLive()
{
    if (m_countRequest || m_totalCount < 0 || m_resetPending)
        return; // the previous poll, the initial count or the first page is still on its way
    // A relative range ("Last hour") slides with the clock: the calls that left it go at a poll.
    std::optional<QDateTime> slid;
    if (!m_query.startedWithin.isEmpty() && !m_query.startedAfter)
        slid = parseRelativeRange(m_query.startedWithin, m_clock());
    postCount(
        [this, slid](int count) {
            if (!slid || slid == m_anchored.startedAfter) {
                applyLiveCount(count, count);
                return;
            }
            spindle::CallsQuery moved = m_anchored;
            moved.startedAfter = slid;
            postCount(
                [this, count, slid](int inRange) {
                    m_anchored.startedAfter = slid;
                    applyLiveCount(count, inRange);
                },
                false, &moved);
        },
        false);
}

// `withOldStart` counts the calls as the rows on screen were asked for, `withNewStart` once the
// relative range has slid (the same when it has not). Newest first, the calls that left the range
// are the bottom rows and the new ones go on top: the rows the user looks at stay where they are.
void CallsController::applyLiveCount(int withOldStart, int withNewStart)
{
    const bool newestFirst = !m_query.sortBy.isEmpty()
        && m_query.sortBy.first().field == QLatin1String("started_at") && m_query.sortBy.first().descending;
    m_model->setNow(m_clock());
    const int added = withOldStart - m_totalCount;
    const int left = withOldStart - withNewStart;
    if (newestFirst && added >= 0 && left >= 0 && left <= m_totalCount && added + left > 0) {
        if (left > 0)
            m_model->setTotalCount(m_generation, m_totalCount - left);
        if (added > 0) {
            // Pages on their way were asked by the old offsets: their rows would land shifted.
            cancelPages();
            m_model->insertAtTop(m_generation, added);
        }
    } else {
        m_model->setTotalCount(m_generation, withNewStart);
    }
    if (withNewStart != m_totalCount) {
        m_totalCount = withNewStart;
        Q_EMIT countChanged(withNewStart);
    }
    // Running calls finish: refetch what is on screen.
    m_model->invalidatePages();
    Q_EMIT livePolled();
}

} // namespace spindle::ui
