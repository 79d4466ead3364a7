#pragma once

#include "core/callsquery.h"
#include "net/traceclient.h"

#include <QObject>
#include <QSet>
#include <QTimer>

namespace spindle::models {
class CallsTableModel;
}

namespace spindle::ui {

// Feeds the passive calls model from the server: one generation per query (a newer query
// cancels the older one's requests and its late answers are dropped), pages fetched only when
// the view asks (and cancelled when it scrolls far away before they arrive), the count from
// /calls/query_stats once the first page is in, dynamic columns discovered from the rows, and
// an optional live mode that polls for new and finished calls. A new query keeps the old rows
// on screen until its first page arrives (at most 100 ms), then resets the model once.
class CallsController : public QObject
{
    Q_OBJECT
public:
    CallsController(net::TraceClient* client, models::CallsTableModel* model, QObject* parent = nullptr);
    // The client may outlive the page: no callback of ours may run after this.
    ~CallsController() override;

    void setQuery(const spindle::CallsQuery& query);
    const spindle::CallsQuery& query() const
    {
        return m_query;
    }
    // The query as its requests send it: a relative range ("Last hour") taken as of setQuery (or
    // refresh), so that the count, the pages and an export all see the same calls.
    const spindle::CallsQuery& requestQuery() const
    {
        return m_anchored;
    }
    void refresh(); // same query, fresh data
    // Another project, or the same one on another server: the columns found so far mean nothing
    // there. The next query's first page announces its own, even none.
    void resetColumns();
    // The next query starts from no rows, though it be the same: another project or server, whose
    // rows and count the ones on screen are not (they go when its first page comes, or fails).
    void forgetRows()
    {
        m_forgetRows = true;
    }
    void setLive(bool live);
    // The time relative ranges ("Last hour") count back from; the system clock unless set (tests).
    void setClock(std::function<QDateTime()> clock)
    {
        m_clock = std::move(clock);
    }
    bool isLive() const
    {
        return m_liveTimer.isActive();
    }
    QStringList discoveredColumns() const
    {
        return m_discovered;
    }
    int totalCount() const
    {
        return m_totalCount;
    }
    bool isLoading() const
    {
        return m_countRequest != 0 || m_countPending || !m_pageStreams.isEmpty();
    }
    QJsonObject pageRequest(int offset, int limit) const;

Q_SIGNALS:
    void countChanged(int count);
    void loadingChanged(bool loading);
    void columnsDiscovered(const QStringList& columns);
    void queryFailed(const QString& message);
    // The data arrived but looks wrong (e.g. a page shorter than the count says).
    void dataWarning(const QString& message);
    void firstPageShown(qint64 elapsedMs); // the whole first page is in the model
    // The query's first rows are in the model (a screenful, while the rest of the page streams in).
    void firstRowsShown(qint64 elapsedMs);
    void livePolled(); // live mode's poll came back: the rows on screen are being fetched again

private:
    void fetchPages(quint64 generation, const QList<int>& pages);
    void fetchRun(quint64 generation, const QList<int>& run); // consecutive pages, one request
    void dropPages(quint64 generation, const QList<int>& pages); // cancels their requests
    // The model switches to the current query, straight to its first rows when they are here;
    // false when it had switched already.
    bool applyPendingReset(const QVector<spindle::Call>& firstRows = {}, bool complete = true);
    void onFirstRows(quint64 generation, const QVector<spindle::Call>& rows);
    void reportFirstRows();
    void startCount(); // the count of the current query, unless it was asked for already
    void requestCount();
    // The count of `query` (the anchored query when null).
    void postCount(std::function<void(int count)> onCount, bool reportErrors,
        const spindle::CallsQuery* query = nullptr);
    void onPage(quint64 generation, int page, const QVector<spindle::Call>& rows);
    int expectedRows(int page) const; // by the count (0 while it is unknown)
    bool recheckFirstPage(int rows);
    void checkPageLength(int page, int rows);
    void discoverColumns(const QVector<spindle::Call>& rows);
    void pollLive();
    void applyLiveCount(int withOldStart, int withNewStart);
    void cancelAll();
    void cancelPages();

    net::TraceClient* m_client;
    models::CallsTableModel* m_model;
    spindle::CallsQuery m_query;
    spindle::CallsQuery m_anchored; // m_query with its relative range resolved
    quint64 m_generation = 0;
    int m_totalCount = -1;
    net::TraceClient::RequestId m_countRequest = 0;
    QHash<int, net::TraceClient::RequestId> m_pageRequests; // wanted pages: the request carrying each
    // Page requests still streaming (cancelled with the query), wanted pages or not.
    QSet<net::TraceClient::RequestId> m_pageStreams;
    QStringList m_discovered;
    bool m_announceColumns = false; // a new project: its columns go out even when there are none
    QTimer m_liveTimer;
    std::function<QDateTime()> m_clock = [] { return QDateTime::currentDateTimeUtc(); };
    QTimer m_resetTimer;
    bool m_forgetRows = false;
    QTimer m_countTimer;
    bool m_countPending = false; // the count waits for the first page (or kCountDelayMs)
    bool m_resetPending = false; // the model still shows the previous query's rows
    qint64 m_queryStartedMs = 0;
    bool m_firstPageReported = false;
    bool m_firstRowsReported = false;
    bool m_firstPageRechecked = false; // page 0 was fetched again after it looked short
    int m_firstPageRows = 0;
};

} // namespace spindle::ui
