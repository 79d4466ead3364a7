#pragma once

#include "models/tracetree.h"

#include <QAbstractItemModel>
#include <QSet>

#include <memory>

namespace spindle::models {

// The trace tree for a QTreeView: name, status, latency (with a bar fraction), tokens, cost and
// child count per node. Passive: it shows whatever TraceTree it is given.
class TraceTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        LatencyColumn,
        TokensColumn,
        CostColumn,
        ChildrenColumn,
        ColumnCount,
    };
    enum Role
    {
        NodeRole = Qt::UserRole + 1, // int node index
        StatusRole,
        LatencyFractionRole, // the node's latency as a fraction of the trace's span, for the bar
        OffsetFractionRole, // where the node starts within the trace, as a fraction
        CallIdRole,
    };

    explicit TraceTreeModel(QObject* parent = nullptr);

    void setTree(std::shared_ptr<const TraceTree> tree);
    // Search hits are painted with a highlight background.
    void setHighlighted(const QSet<int>& nodes);
    const QSet<int>& highlighted() const
    {
        return m_highlighted;
    }
    const TraceTree* tree() const
    {
        return m_tree.get();
    }
    QModelIndex indexOfNode(int node, int column = 0) const;
    int nodeOf(const QModelIndex& index) const; // -1 for invalid

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant display(int node, int column) const;

    std::shared_ptr<const TraceTree> m_tree;
    QSet<int> m_highlighted;
    qint64 m_startMs = 0;
    qint64 m_spanMs = 1;
};

} // namespace spindle::models
