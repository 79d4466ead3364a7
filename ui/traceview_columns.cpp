// The trace tree's columns: which fixed columns a narrow pane drops, and how wide the call names
// are, so that a deep call's name is not squeezed out by its indentation.
#include "models/tracetreemodel.h"
#include "ui/traceview.h"

#include <QHeaderView>
#include <QTreeView>

namespace spindle::ui {

using models::TraceTreeModel;

// Call names first (they take what the other columns leave): on a narrow pane the tree drops
// Children, then Cost, then Tokens, each of which the detail panel shows for the selected call.
// When the deepest row shown would still leave its name less than kNameWidth, the names get that
// width and the tree scrolls sideways.
void TraceView::fitColumns()
{
    const int width = m_tree->viewport()->width();
    int needed = kNameWidth + kLatencyWidth + kTokensWidth + kCostWidth + kChildrenWidth;
    m_tree->setColumnHidden(TraceTreeModel::ChildrenColumn, width < needed);
    needed -= kChildrenWidth;
    m_tree->setColumnHidden(TraceTreeModel::CostColumn, width < needed);
    needed -= kCostWidth;
    m_tree->setColumnHidden(TraceTreeModel::TokensColumn, width < needed);

    int fixed = 0;
    for (int column = TraceTreeModel::NameColumn + 1; column < TraceTreeModel::ColumnCount; ++column)
        fixed += m_tree->isColumnHidden(column) ? 0 : m_tree->columnWidth(column);
    // The root's name is indented once too (its decoration).
    const int nameNeeded = m_tree->indentation() * (m_shownDepth + 1) + kNameWidth;
    QHeaderView* header = m_tree->header();
    if (width - fixed >= nameNeeded) {
        header->setSectionResizeMode(TraceTreeModel::NameColumn, QHeaderView::Stretch);
        return;
    }
    header->setSectionResizeMode(TraceTreeModel::NameColumn, QHeaderView::Interactive);
    header->resizeSection(TraceTreeModel::NameColumn, nameNeeded);
}

// The depth of the deepest row the tree shows: a walk through the open rows only, so a large trace
// with its deep levels closed costs what its shown rows do.
int TraceView::deepestShownDepth() const
{
    if (!m_traceTree)
        return 0;
    int deepest = 0;
    QVector<int> open(m_traceTree->roots.cbegin(), m_traceTree->roots.cend());
    while (!open.isEmpty()) {
        const int node = open.takeLast();
        deepest = std::max(deepest, m_traceTree->depth[node]);
        const QVector<int>& children = m_traceTree->children[node];
        if (!children.isEmpty() && m_tree->isExpanded(m_model->indexOfNode(node)))
            open += children;
    }
    return deepest;
}

} // namespace spindle::ui
