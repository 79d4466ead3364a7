#include "models/tracetreemodel.h"

#include "models/callformat.h"
#include "models/callstablemodel.h"

#include <QColor>

namespace spindle::models {

TraceTreeModel::TraceTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

void TraceTreeModel::setTree(std::shared_ptr<const TraceTree> tree)
{
    beginResetModel();
    m_tree = std::move(tree);
    m_highlighted.clear();
    m_startMs = m_tree ? m_tree->traceStartMs() : 0;
    m_spanMs = m_tree ? std::max<qint64>(1, m_tree->traceEndMs() - m_startMs) : 1;
    endResetModel();
}

void TraceTreeModel::setHighlighted(const QSet<int>& nodes)
{
    const QSet<int> changed = m_highlighted + nodes;
    m_highlighted = nodes;
    for (int node : changed)
        if (m_tree && node < m_tree->size())
            Q_EMIT dataChanged(
                indexOfNode(node, 0), indexOfNode(node, ColumnCount - 1), { Qt::BackgroundRole });
}

int TraceTreeModel::nodeOf(const QModelIndex& index) const
{
    return index.isValid() ? int(index.internalId()) : -1;
}

QModelIndex TraceTreeModel::indexOfNode(int node, int column) const
{
    if (!m_tree || node < 0 || node >= m_tree->size())
        return {};
    return createIndex(m_tree->rowInParent[node], column, quintptr(node));
}

QModelIndex TraceTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!m_tree || row < 0 || column < 0 || column >= ColumnCount)
        return {};
    const QVector<int>& siblings = parent.isValid() ? m_tree->children[nodeOf(parent)] : m_tree->roots;
    if (row >= siblings.size())
        return {};
    return createIndex(row, column, quintptr(siblings[row]));
}

QModelIndex TraceTreeModel::parent(const QModelIndex& child) const
{
    if (!m_tree || !child.isValid())
        return {};
    const int up = m_tree->parent[nodeOf(child)];
    return up < 0 ? QModelIndex() : createIndex(m_tree->rowInParent[up], 0, quintptr(up));
}

int TraceTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!m_tree)
        return 0;
    if (!parent.isValid())
        return int(m_tree->roots.size());
    return parent.column() == 0 ? int(m_tree->children[nodeOf(parent)].size()) : 0;
}

int TraceTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant TraceTreeModel::display(int node, int column) const
{
    const spindle::Call& call = m_tree->calls[node];
    switch (column) {
    case NameColumn: {
        QString name = call.name();
        if (m_tree->orphan[node])
            name += tr(" (parent missing)");
        if (m_tree->cycle[node])
            name += tr(" (parent cycle)");
        return name;
    }
    case LatencyColumn:
        return call.latencyMs ? formatLatency(*call.latencyMs) : tr("running");
    case TokensColumn:
        return call.totalTokens() ? formatCount(call.totalTokens()) : QString();
    case CostColumn:
        return call.totalCost() ? formatCost(*call.totalCost()) : QString();
    case ChildrenColumn: {
        const int kids = int(m_tree->children[node].size());
        return kids ? QString::number(kids) : QString();
    }
    default:
        return {};
    }
}

QVariant TraceTreeModel::data(const QModelIndex& index, int role) const
{
    if (!m_tree || !index.isValid())
        return {};
    const int node = nodeOf(index);
    const spindle::Call& call = m_tree->calls[node];
    switch (role) {
    case Qt::DisplayRole:
        return display(node, index.column());
    case Qt::ToolTipRole:
        if (index.column() == NameColumn) // the name first: a deep row may show none of it
            return plainToolTip(call.name() + QLatin1Char('\n')
                + (call.exception.isEmpty() ? call.opName : exceptionSummary(call.exception)));
        if (index.column() == ChildrenColumn)
            return tr("%1 descendants, %2 with errors")
                .arg(m_tree->subtreeSize[node] - 1)
                .arg(m_tree->subtreeErrors[node]);
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == NameColumn ? QVariant() : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    case Qt::BackgroundRole:
        return m_highlighted.contains(node) ? QVariant(QColor(255, 236, 153)) : QVariant();
    case Qt::ForegroundRole:
        return m_tree->isError(node) ? QVariant(QColor(0xb3, 0x26, 0x1e)) : QVariant();
    case NodeRole:
        return node;
    case StatusRole:
        return call.status;
    case CallIdRole:
        return call.id;
    case LatencyFractionRole: {
        const qint64 end = call.endedAtMs.value_or(m_startMs + m_spanMs);
        return double(end - call.startedAtMs) / double(m_spanMs);
    }
    case OffsetFractionRole:
        return double(call.startedAtMs - m_startMs) / double(m_spanMs);
    default:
        return {};
    }
}

QVariant TraceTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const titles[] = { "Call", "Latency", "Tokens", "Cost", "Children" };
    return section >= 0 && section < ColumnCount ? tr(titles[section]) : QVariant();
}

} // namespace spindle::models
