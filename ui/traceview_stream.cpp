// TraceView's requests: the trace's calls as a stream, and their count beside it, which tells a stream
// cut between two lines (the HTTP layer may take it for a whole answer) from a whole one.

#include "ui/counttext.h"
#include "ui/traceview.h"
#include "widgets/backgroundpool.h"

#include <QJsonArray>
#include <QLabel>
#include <QTimer>

namespace spindle::ui {

namespace {

const QStringList& treeColumns()
{
    static const QStringList columns { QStringLiteral("id"), QStringLiteral("trace_id"),
        QStringLiteral("parent_id"), QStringLiteral("op_name"), QStringLiteral("display_name"),
        QStringLiteral("started_at"), QStringLiteral("ended_at"), QStringLiteral("exception"),
        QStringLiteral("summary") };
    return columns;
}

QJsonObject traceFilter(const QString& traceId)
{
    return QJsonObject { { QStringLiteral("trace_ids"), QJsonArray { traceId } } };
}

} // namespace

void TraceView::streamTrace()
{
    const quint64 generation = m_generation;
    m_expected = -1;
    m_rechecked = false;
    m_countRequest = m_client->post(
        this, QStringLiteral("/calls/query_stats"),
        QJsonObject { { QStringLiteral("project_id"), m_projectId },
            { QStringLiteral("filter"), traceFilter(m_traceId) } },
        [this, generation](const QJsonObject& json) {
            if (generation == m_generation)
                onCounted(json.value(QLatin1String("count")).toInteger(-1));
        },
        [this, generation](const net::ApiError&) {
            if (generation == m_generation)
                onCounted(-1); // no count (a server without query_stats): the stream is taken as it comes
        });
    m_client->setQuiet(m_countRequest); // the stream's own failure is the one to tell
    streamRows();
}

void TraceView::streamRows()
{
    const quint64 generation = m_generation;
    m_streamEnded = false;
    const QJsonObject request { { QStringLiteral("project_id"), m_projectId },
        { QStringLiteral("filter"), traceFilter(m_traceId) },
        { QStringLiteral("sort_by"),
            QJsonArray { QJsonObject { { QStringLiteral("field"), QStringLiteral("started_at") },
                { QStringLiteral("direction"), QStringLiteral("asc") } } } },
        { QStringLiteral("columns"), QJsonArray::fromStringList(treeColumns()) },
        { QStringLiteral("include_costs"), true } };
    m_request = m_client->streamCalls(
        this, request, [this, generation](const QVector<spindle::Call>& rows) { onRows(generation, rows); },
        [this, generation] {
            if (generation != m_generation)
                return;
            m_rebuildTimer.stop();
            m_streamEnded = true;
            if (m_countRequest && !m_refreshing)
                rebuild(); // every row shown now; the trace counts as loaded once the count agrees
            finishStream();
        },
        [this, generation](const net::ApiError& error) { onStreamFailed(generation, error); });
}

void TraceView::onCounted(qint64 count)
{
    m_countRequest = 0;
    m_expected = count;
    finishStream();
}

// Once both the stream and the count are in: fewer calls than counted means the answer was cut
// short, or calls were logged between the two reads (a trace still running), so the stream is read
// once more, now that the count is in. Still short, the trace is shown as a part, like one whose
// stream failed (a refresh keeps the tree shown).
void TraceView::finishStream()
{
    if (!m_streamEnded || m_countRequest)
        return;
    m_request = 0;
    if (m_expected <= m_received) {
        m_failed = false;
        m_refreshFailed = false;
        m_firstLoadRecheck = false;
        // A build asked for at the stream's end, with every row, counts as the loaded trace.
        if (!m_building || (!m_rebuildAgain && m_buildingReceived != m_received))
            rebuild();
        return;
    }
    if (!std::exchange(m_rechecked, true)) {
        m_firstLoadRecheck = !m_refreshing;
        m_refreshing = true; // the rows shown stay until the second answer is in
        widgets::releaseInBackground(std::exchange(m_batches, {}));
        m_received = 0;
        streamRows();
        return;
    }
    const bool firstLoad = std::exchange(m_firstLoadRecheck, false);
    const QString shortBy = firstLoad
        ? tr(
            "Only %L1 of the trace's %L2 calls came: the answer was cut short or the trace changed. Press F5 "
            "to load it again.")
        : tr("Could not refresh the trace: only %L1 of its %L2 calls came (the answer was cut short or the "
             "trace changed). It is shown as it was; press F5 to try again.");
    const QString message = shortBy.arg(m_received).arg(m_expected);
    if (firstLoad)
        m_refreshing = false; // a first load shows the part that came
    dropOrShowPart();
    m_status->setText(message);
}

// A refresh that failed leaves the last tree shown. A first load shows the calls that came,
// as a part: the error stays in the status line and the trace does not count as loaded.
void TraceView::onStreamFailed(quint64 generation, const net::ApiError& error)
{
    if (generation != m_generation)
        return;
    if (m_countRequest)
        m_client->cancel(m_countRequest);
    m_countRequest = 0;
    m_request = 0;
    m_rebuildTimer.stop();
    if (std::exchange(m_firstLoadRecheck, false))
        m_refreshing = false;
    dropOrShowPart();
    QString reason = error.reason;
    if (reason.endsWith(u'.'))
        reason.chop(1);
    m_status->setText(tr("Could not load the trace: %1. Press F5 to try again.").arg(reason));
}

void TraceView::dropOrShowPart()
{
    if (std::exchange(m_refreshing, false)) {
        m_refreshFailed = true;
        widgets::releaseInBackground(std::exchange(m_batches, {}));
        m_received = 0;
    } else {
        m_failed = true;
        if (m_received > 0)
            rebuild();
    }
    if (!m_traceTree)
        enableErrorTools(0);
}

void TraceView::onRows(quint64 generation, const QVector<spindle::Call>& rows)
{
    if (generation != m_generation)
        return;
    m_batches.append(rows); // shares the batch: no row is copied here
    m_received += int(rows.size());
    if (m_refreshing)
        return; // the shown tree stays until the whole trace is in
    m_status->setText(countText(m_received, tr("Loading trace… 1 call"), tr("Loading trace… %L1 calls")));
    if (!m_rebuildTimer.isActive())
        m_rebuildTimer.start();
}

// F5: a trace whose stream broke off loads again, keeping the call selected in it; one whose last
// refresh did is refreshed.
void TraceView::reloadIfBroken()
{
    if (m_traceId.isEmpty() || isLoading())
        return;
    if (m_failed) {
        const int selected = selectedNode();
        openTrace(m_projectId, m_traceId, selected >= 0 ? m_traceTree->calls[selected].id : QString());
    } else if (m_refreshFailed) {
        refresh();
    }
}

} // namespace spindle::ui
