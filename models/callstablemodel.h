#pragma once

#include "core/call.h"
#include "models/callformat.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QSet>
#include <QTimer>

namespace spindle::models {

// The calls table: a window over a server-side query. rowCount is the server's count, rows are
// loaded by page only where the view looks (placeholders meanwhile), and a bounded page cache
// keeps memory flat on millions of calls. The model is passive: it asks for pages through
// pagesNeeded() and is fed with setTotalCount()/setPage(); a newer generation drops stale pages.
// It learns where the view looks from the rows a paint asks for: requests for pages the view has
// scrolled far away from are dropped (pagesNotNeeded()), and a page that failed for a transient
// reason is asked again after a backoff while it is still in view.
class CallsTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum FixedColumn
    {
        StatusColumn,
        NameColumn,
        CalledColumn,
        LatencyColumn,
        TokensColumn,
        CostColumn,
        UserColumn,
        TraceIdColumn,
        FixedColumnCount,
    };
    enum Role
    {
        CallIdRole = Qt::UserRole + 1,
        SortFieldRole, // header: the server field a click sorts by ("" when unsortable)
        FilterFieldRole, // header: the $getField path of the column
        RawValueRole, // cell: the JSON value (for Alt+click filters and copy)
        LoadedRole, // cell: false while the row's page is loading
        StatusRole, // cell: success / error / running / descendant_error
    };

    static constexpr int kPageSize = 100;
    static constexpr int kMaxCachedPages = 64; // 6,400 rows: about 150 screens
    static constexpr int kCellTextChars = 64; // JSON cells: about what a 400 px column shows
    static constexpr int kNearPages = 1; // in-flight pages this close to the painted ones are kept
    static constexpr int kMinPaintedRows = 8; // a pass over fewer rows is not taken for a paint
    static constexpr int kFirstRetryMs = 500; // then doubling, up to kMaxRetryMs
    static constexpr int kMaxRetryMs = 8000;

    explicit CallsTableModel(QObject* parent = nullptr);

    // A new query starts: everything cached belongs to the old one.
    void beginQuery(quint64 generation);
    // A new query starts with its first rows at hand, so the view paints neither an empty table
    // nor placeholders first. While `complete` is false the rest of page 0 is still streaming
    // in: its missing rows show as loading and are not asked for again; setPage() completes it.
    // Returns the old query's rows, for the caller to free where that holds up no frame.
    using Pages = QHash<int, QVector<spindle::Call>>;
    [[nodiscard]] Pages beginQueryWithRows(
        quint64 generation, const QVector<spindle::Call>& firstRows, int rowCount, bool complete);
    // The same query again: rows stay on screen (stale) until fresh pages replace them, so a
    // failed refresh loses nothing.
    void refreshQuery(quint64 generation);
    quint64 generation() const
    {
        return m_generation;
    }
    void setTotalCount(quint64 generation, int count);
    void setPage(quint64 generation, int pageIndex, const QVector<spindle::Call>& calls);
    // Live mode: `added` new rows appeared at the top of the current order.
    void insertAtTop(quint64 generation, int added);
    // A page request failed. A transient failure (no answer, 429, 5xx) is asked again after a
    // backoff if the page is still in view; a permanent one (other 4xx) waits for the next query
    // and its rows say so. Until then painting the rows does not ask again.
    void pageFailed(quint64 generation, int pageIndex, bool transient = true);

    void setDynamicColumns(const QStringList& paths);
    QStringList dynamicColumns() const
    {
        return m_dynamicColumns;
    }
    QString columnField(int column) const;
    QString columnSortField(int column) const; // empty when the server cannot sort by it
    // Whether the server sorts by summary.weave.total_tokens and total_cost: Spindle's own fields,
    // which hosted Weave refuses (422).
    void setServerTotals(bool supported)
    {
        m_serverTotals = supported;
    }
    const spindle::Call* callAt(int row) const;
    int rowOfCall(const QString& id) const; // among the loaded rows; -1 when none holds it
    bool isLoaded(int row) const
    {
        return callAt(row) != nullptr;
    }
    void setNow(const QDateTime& now); // the reference for relative times ("3 min ago")
    void invalidatePages(); // refetch visible rows on next paint, showing the old ones meanwhile

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void pagesNeeded(quint64 generation, const QList<int>& pageIndexes);
    // Pages asked for that the view has since scrolled far away from: their requests can go.
    void pagesNotNeeded(quint64 generation, const QList<int>& pageIndexes);

private:
    QVariant displayValue(const spindle::Call& call, int column) const;
    QVariant toolTip(const spindle::Call& call, int column) const;
    void requestPage(int pageIndex) const;
    void emitWantedPages();
    void notePainted(int row) const;
    void endPass();
    void dropFarRequests();
    bool isNear(int pageIndex) const;
    void retryFailedPages();
    void scheduleRetry();
    void forgetFailures();
    void evictIfNeeded(int keepPage);

    struct Failure
    {
        int attempts = 0;
        qint64 dueMs = 0; // when a transient failure may be asked again (steady clock)
        bool permanent = false;
    };

    quint64 m_generation = 0;
    int m_rowCount = 0;
    bool m_serverTotals = true;
    QStringList m_dynamicColumns;
    QList<QStringList> m_dynamicPaths; // m_dynamicColumns split at their dots
    Pages m_pages;
    mutable QHash<int, quint64> m_pageUse; // last use tick, for LRU eviction
    mutable quint64 m_useTick = 0;
    mutable QSet<int> m_inFlight;
    mutable QSet<int> m_wanted;
    QSet<int> m_stale; // cached but due for a refresh (live mode)
    QSet<int> m_partial; // cached with only its first rows, the rest still streaming in
    mutable QTimer m_requestTimer; // ends a pass: the data() calls of one event-loop turn
    // The rows asked for in the current pass (-1: none), and the page window of the last pass
    // that looked like a paint: that is where the view is.
    mutable int m_passFirstRow = -1;
    mutable int m_passLastRow = -1;
    mutable int m_passRow = -1;
    mutable int m_passRows = 0; // row changes in this pass: a paint walks row by row
    int m_nearFirstPage = -1;
    int m_nearLastPage = -1;
    QHash<int, Failure> m_failed;
    QTimer m_retryTimer;
    QDateTime m_now;
};

} // namespace spindle::models
