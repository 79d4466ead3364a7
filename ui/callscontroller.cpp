#include "ui/callscontroller.h"

#include "models/callstablemodel.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>

#include <memory>

namespace spindle::ui {
namespace {

constexpr int kLiveIntervalMs = 3000;
constexpr int kMaxDiscoveredColumns = 200;

void addKeys(
    QStringList& into, const QString& prefix, const QJsonObject& object, const QStringList& skip = {})
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (skip.contains(it.key()))
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
    m_liveTimer.setInterval(kLiveIntervalMs);
    connect(&m_liveTimer, &QTimer::timeout, this, &CallsController::pollLive);
}

QJsonObject CallsController::pageRequest(int offset, int limit) const
{
    QJsonObject request = m_query.requestJson();
    request.insert(QStringLiteral("limit"), limit);
    request.insert(QStringLiteral("offset"), offset);
    request.insert(QStringLiteral("include_costs"), true);
    return request;
}

void CallsController::cancelAll()
{
    if (m_countRequest)
        m_client->cancel(m_countRequest);
    m_countRequest = 0;
    for (auto id : std::as_const(m_pageRequests))
        m_client->cancel(id);
    m_pageRequests.clear();
}

void CallsController::setQuery(const spindle::CallsQuery& query)
{
    const bool sameQuery = query == m_query && m_totalCount >= 0;
    cancelAll();
    m_query = query;
    ++m_generation;
    m_firstPageReported = false;
    m_queryStartedMs = QDateTime::currentMSecsSinceEpoch();
    m_model->setNow(QDateTime::currentDateTimeUtc());
    if (sameQuery) {
        m_model->refreshQuery(m_generation);
    } else {
        m_totalCount = -1;
        m_model->beginQuery(m_generation);
    }
    Q_EMIT loadingChanged(true);
    requestCount();
    // The first page is asked for right away, in parallel with the count.
    fetchPages(m_generation, { 0 });
}

void CallsController::refresh()
{
    setQuery(m_query);
}

void CallsController::postCount(std::function<void(int)> onCount, bool reportErrors)
{
    QJsonObject request = m_query.requestJson();
    request.remove(QStringLiteral("sort_by"));
    const quint64 generation = m_generation;
    m_countRequest = m_client->post(
        QStringLiteral("/calls/query_stats"), request,
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
            m_model->setTotalCount(m_generation, count);
            Q_EMIT countChanged(count);
            Q_EMIT loadingChanged(isLoading());
        },
        true);
}

void CallsController::fetchPages(quint64 generation, const QList<int>& pages)
{
    if (generation != m_generation)
        return;
    for (int page : pages) {
        if (m_pageRequests.contains(page))
            continue;
        auto rows = std::make_shared<QVector<spindle::Call>>();
        const int offset = page * models::CallsTableModel::kPageSize;
        m_pageRequests.insert(page,
            m_client->streamCalls(
                pageRequest(offset, models::CallsTableModel::kPageSize),
                [rows](const QVector<spindle::Call>& batch) { *rows += batch; },
                [this, generation, page, rows] { onPage(generation, page, *rows); },
                [this, generation, page](const net::ApiError& error) {
                    if (generation != m_generation)
                        return;
                    m_pageRequests.remove(page);
                    m_model->pageFailed(generation, page);
                    Q_EMIT queryFailed(error.message());
                    Q_EMIT loadingChanged(isLoading());
                }));
    }
}

void CallsController::onPage(quint64 generation, int page, const QVector<spindle::Call>& rows)
{
    if (generation != m_generation)
        return;
    m_pageRequests.remove(page);
    if (page == 0) {
        discoverColumns(rows);
        // Until the count arrives, the first page tells at least how many rows exist.
        if (m_totalCount < 0 && m_model->rowCount() < rows.size())
            m_model->setTotalCount(generation, int(rows.size()));
    }
    m_model->setPage(generation, page, rows);
    // A stream cut exactly between two lines looks complete to the HTTP layer; the count tells.
    const int offset = page * models::CallsTableModel::kPageSize;
    const int expected =
        m_totalCount < 0 ? 0 : std::min(models::CallsTableModel::kPageSize, m_totalCount - offset);
    if (int(rows.size()) < expected) {
        Q_EMIT dataWarning(
            tr("The server returned %1 of the %2 rows expected from row %3: the answer was cut short "
               "or the data changed. Press F5 to reload.")
                .arg(rows.size())
                .arg(expected)
                .arg(offset + 1));
    }
    if (page == 0 && !m_firstPageReported) {
        m_firstPageReported = true;
        Q_EMIT firstPageShown(QDateTime::currentMSecsSinceEpoch() - m_queryStartedMs);
    }
    Q_EMIT loadingChanged(isLoading());
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
    if (found == m_discovered)
        return;
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
    if (m_countRequest || m_totalCount < 0)
        return; // the previous poll or the initial count is still on its way
    postCount(
        [this](int count) {
            const bool newestFirst = !m_query.sortBy.isEmpty()
                && m_query.sortBy.first().field == QLatin1String("started_at")
                && m_query.sortBy.first().descending;
            m_model->setNow(QDateTime::currentDateTimeUtc());
            if (count > m_totalCount && newestFirst)
                m_model->insertAtTop(m_generation, count - m_totalCount);
            else
                m_model->setTotalCount(m_generation, count);
            if (count != m_totalCount) {
                m_totalCount = count;
                Q_EMIT countChanged(count);
            }
            // Running calls finish: refetch what is on screen.
            m_model->invalidatePages();
        },
        false);
}

} // namespace spindle::ui
