// TracesPage: the query — the filter bar's filter, Alt+click filters on a cell, the sort a header
// click picks, and the project's op list for the op filter.
#include "core/savedview.h"
#include "models/callstablemodel.h"
#include "ui/calldetailpanel.h"
#include "ui/callscontroller.h"
#include "ui/filterbar.h"
#include "ui/oplist.h"
#include "ui/tracespage.h"
#include "widgets/frozentableview.h"

#include <QApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>

namespace spindle::ui {

using models::CallsTableModel;

void TracesPage::sortBy(const QString& field, bool descending)
{
    spindle::CallsQuery query = m_controller->query();
    query.sortBy = { spindle::SortKey { field, descending } };
    m_controller->setQuery(query);
    Q_EMIT stateChanged();
}

void TracesPage::showCalls(const spindle::CallsQuery& filter)
{
    m_filters->setFrom(filter);
    applyFilters();
}

void TracesPage::applyFilters()
{
    spindle::CallsQuery query = m_controller->query();
    query.projectId = m_projectId;
    dropUnsupportedSort(query);
    restoreSetAsideSort(query);
    m_filters->applyTo(query);
    m_detail->clear();
    m_controller->setQuery(query);
    Q_EMIT stateChanged();
}

// A sort on total tokens or cost made on a Spindle server: another server answers 422 and the table
// would go empty, so the query goes back to the default order (setProject applies it on a new server).
void TracesPage::dropUnsupportedSort(spindle::CallsQuery& query)
{
    if (m_serverTotals || query.sortBy.isEmpty() || !FilterBar::isServerTotal(query.sortBy.first().field))
        return;
    m_setAsideSort = query.sortBy.first();
    query.sortBy.clear();
    m_table->horizontalHeader()->setSortIndicator(CallsTableModel::CalledColumn, Qt::DescendingOrder);
}

void TracesPage::restoreSetAsideSort(spindle::CallsQuery& query)
{
    if (!m_serverTotals || !m_setAsideSort)
        return;
    const spindle::SortKey sort = *std::exchange(m_setAsideSort, std::nullopt);
    query.sortBy = { sort };
    for (int column = 0; column < m_model->columnCount(); ++column) {
        if (m_model->columnSortField(column) == sort.field)
            m_table->horizontalHeader()->setSortIndicator(
                column, sort.descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    }
}

void TracesPage::onHeaderClicked(int section)
{
    const QString field = m_model->columnSortField(section);
    if (field.isEmpty())
        return;
    const auto& sort = m_controller->query().sortBy;
    // A first click sorts descending (newest, slowest, most expensive first), a second ascending.
    const bool descending = sort.isEmpty() || sort.first().field != field || !sort.first().descending;
    m_setAsideSort.reset();
    m_table->horizontalHeader()->setSortIndicator(
        section, descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    sortBy(field, descending);
}

void TracesPage::onCellPressed(const QModelIndex& index)
{
    if (!(QApplication::keyboardModifiers() & Qt::AltModifier) || !m_model->isLoaded(index.row()))
        return;
    // Alt+click: filter on this cell's value, with the operator Weave's UI picks for its type.
    const spindle::Call* call = m_model->callAt(index.row());
    switch (index.column()) {
    case CallsTableModel::StatusColumn:
        m_filters->addStatus(call->status);
        return;
    case CallsTableModel::NameColumn:
        m_filters->addCondition({ QStringLiteral("op_name"), FilterOp::Equals, call->opName });
        return;
    case CallsTableModel::CalledColumn:
        m_filters->addCondition({ QStringLiteral("started_at"), FilterOp::After,
            QDateTime::fromMSecsSinceEpoch(call->startedAtMs - call->startedAtMs % 60000, Qt::UTC) });
        return;
    case CallsTableModel::LatencyColumn:
        if (call->latencyMs)
            m_filters->addCondition({ QStringLiteral("summary.weave.latency_ms"), FilterOp::GreaterOrEqual,
                double(*call->latencyMs) });
        return;
    case CallsTableModel::TokensColumn: // a blank cell (no usage) is no number: "≥ 0" would hide its row
        if (m_serverTotals && call->totalTokens())
            m_filters->addCondition({ QStringLiteral("summary.weave.total_tokens"), FilterOp::GreaterOrEqual,
                double(call->totalTokens()) });
        return;
    case CallsTableModel::CostColumn:
        if (const auto cost = call->totalCost(); cost && m_serverTotals)
            m_filters->addCondition(
                { QStringLiteral("summary.weave.total_cost"), FilterOp::GreaterOrEqual, *cost });
        return;
    case CallsTableModel::UserColumn:
        m_filters->addCondition({ QStringLiteral("wb_user_id"), FilterOp::Equals, call->wbUserId });
        return;
    case CallsTableModel::TraceIdColumn:
        m_filters->addCondition({ QStringLiteral("trace_id"), FilterOp::Equals, call->traceId });
        return;
    default:
        break;
    }
    const QJsonValue value = call->valueAt(m_model->columnField(index.column()));
    const QString field = m_model->columnField(index.column());
    if (value.isDouble())
        m_filters->addCondition({ field, FilterOp::NumEquals, value.toDouble() });
    else if (value.isBool())
        m_filters->addCondition({ field, FilterOp::Is, value.toBool() });
    else if (value.isNull() || value.isUndefined())
        m_filters->addCondition({ field, FilterOp::IsEmpty, {} });
    else if (value.isObject() || value.isArray()) // its text here is not the server's (key order, 5 vs 5.0)
        Q_EMIT statusMessage(
            tr("Alt+click filters on single values: show a field inside %1 to filter on it").arg(field));
    else
        m_filters->addCondition({ field, FilterOp::Equals, models::jsonCellText(value) });
}

void TracesPage::loadOps()
{
    m_client->cancel(std::exchange(m_opsRequest, 0)); // an earlier project's, or the last server's
    if (m_projectId.isEmpty())
        return;
    const QString project = m_projectId;
    m_opsRequest = loadOpRefs(m_client, this, project, [this, project](const QStringList& refs) {
        m_opsRequest = 0;
        if (project != m_projectId)
            return;
        m_projectOps.clear();
        for (const QString& ref : refs)
            m_projectOps.insert(spindle::opWildcard(ref));
        m_opsLoaded = true;
        m_filters->setOps(refs);
        reconcileOps();
    });
}

} // namespace spindle::ui
