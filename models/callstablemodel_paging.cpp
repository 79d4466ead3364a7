// CallsTableModel: which pages to ask for, and when. The rows a paint asks for tell where the
// view is; requests for pages far from it are dropped, failed pages are retried with a backoff.
#include "models/callstablemodel.h"

#include <algorithm>
#include <chrono>

namespace spindle::models {
namespace {

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

void CallsTableModel::pageFailed(quint64 generation, int pageIndex, bool transient)
{
    if (generation != m_generation)
        return;
    m_inFlight.remove(pageIndex);
    // A page whose first rows are on screen keeps them, as a stale page: its retry asks for the
    // whole page again (a loaded page is never asked for), and may bring other rows.
    if (m_partial.remove(pageIndex))
        m_stale.insert(pageIndex);
    Failure& failure = m_failed[pageIndex];
    ++failure.attempts;
    failure.permanent = !transient;
    if (transient) {
        failure.dueMs = steadyMs()
            + std::min<qint64>(kMaxRetryMs, qint64(kFirstRetryMs) << std::min(failure.attempts - 1, 8));
        scheduleRetry();
        return;
    }
    // Its placeholders now say that it will not load by itself.
    const int first = pageIndex * kPageSize;
    if (first < m_rowCount)
        Q_EMIT dataChanged(index(first, NameColumn),
            index(std::min(m_rowCount, first + kPageSize) - 1, NameColumn), { Qt::DisplayRole });
}

void CallsTableModel::forgetFailures()
{
    m_failed.clear();
    m_retryTimer.stop();
}

void CallsTableModel::scheduleRetry()
{
    qint64 due = std::numeric_limits<qint64>::max();
    for (const Failure& failure : std::as_const(m_failed))
        if (!failure.permanent)
            due = std::min(due, failure.dueMs);
    if (due == std::numeric_limits<qint64>::max())
        m_retryTimer.stop();
    else
        m_retryTimer.start(int(std::clamp<qint64>(due - steadyMs(), 0, kMaxRetryMs)));
}

void CallsTableModel::retryFailedPages()
{
    const qint64 now = steadyMs();
    for (auto it = m_failed.begin(); it != m_failed.end();) {
        if (it->permanent || it->dueMs > now) {
            ++it;
        } else if (!isNear(it.key())) {
            it = m_failed.erase(it); // out of view: painting it asks again
        } else {
            requestPage(it.key());
            it->dueMs = std::numeric_limits<qint64>::max(); // asked again; pageFailed sets a new time
            ++it;
        }
    }
    scheduleRetry();
}
void CallsTableModel::requestPage(int pageIndex) const
{
    if (m_inFlight.contains(pageIndex) || m_wanted.contains(pageIndex))
        return;
    // A failed page waits for its retry (or, failed for good, for the next query).
    if (const auto failed = m_failed.constFind(pageIndex);
        failed != m_failed.cend() && (failed->permanent || failed->dueMs > steadyMs()))
        return;
    m_wanted.insert(pageIndex);
    if (!m_requestTimer.isActive())
        m_requestTimer.start();
}

// Called for every cell a paint asks for: the rows of one pass tell where the view is.
void CallsTableModel::notePainted(int row) const
{
    if (m_passRows == 0) {
        m_passFirstRow = m_passLastRow = m_passRow = row;
        m_passRows = 1;
        if (!m_requestTimer.isActive())
            m_requestTimer.start();
    } else if (row != m_passRow) {
        m_passRow = row;
        ++m_passRows;
        m_passFirstRow = std::min(m_passFirstRow, row);
        m_passLastRow = std::max(m_passLastRow, row);
    }
}

bool CallsTableModel::isNear(int pageIndex) const
{
    // Before the first paint nothing is known, so everything counts as near.
    return m_nearLastPage < 0 || (pageIndex >= m_nearFirstPage && pageIndex <= m_nearLastPage);
}

// One event-loop turn after the first data() call of a pass: a few cells (a tooltip, a test of
// the model) say nothing about the view, a paint walks over all of its rows.
void CallsTableModel::endPass()
{
    if (m_passRows >= kMinPaintedRows) {
        m_nearFirstPage = m_passFirstRow / kPageSize - kNearPages;
        m_nearLastPage = m_passLastRow / kPageSize + kNearPages;
        dropFarRequests();
    }
    m_passRows = 0;
    emitWantedPages();
}

void CallsTableModel::dropFarRequests()
{
    QList<int> far;
    for (int page : std::as_const(m_inFlight))
        if (!isNear(page))
            far.append(page);
    if (far.isEmpty())
        return;
    std::sort(far.begin(), far.end());
    for (int page : std::as_const(far)) {
        m_inFlight.remove(page);
        m_failed.remove(page); // a retry that is no longer wanted
    }
    Q_EMIT pagesNotNeeded(m_generation, far);
}

void CallsTableModel::emitWantedPages()
{
    QList<int> pages;
    for (int page : std::as_const(m_wanted)) {
        if ((!m_pages.contains(page) || m_stale.contains(page)) && !m_inFlight.contains(page)) {
            pages.append(page);
            m_inFlight.insert(page);
        }
    }
    m_wanted.clear();
    std::sort(pages.begin(), pages.end());
    if (!pages.isEmpty())
        Q_EMIT pagesNeeded(m_generation, pages);
}

} // namespace spindle::models
