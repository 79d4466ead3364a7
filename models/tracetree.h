#pragma once

#include "core/call.h"

#include <QHash>
#include <QVector>

namespace spindle::models {

// One trace as a tree over flat arrays (node i = calls[i]). Built off the GUI thread from the
// calls of a trace in any order. Calls whose parent is not in the trace (orphans) and calls on
// a parent-id cycle become roots, flagged, so nothing is lost and nothing loops.
struct TraceTree
{
    QVector<spindle::Call> calls;
    QVector<int> parent; // -1 for roots
    QVector<QVector<int>> children; // ordered by start time, then id
    QVector<int> roots;
    QVector<int> rowInParent; // position in the parent's children (or in roots)
    QVector<int> depth;
    QVector<int> subtreeSize; // the node and all its descendants
    QVector<int> subtreeErrors; // calls with an exception in the node's subtree, itself included
    QVector<bool> orphan; // its parent_id names a call that is not in the trace
    QVector<bool> cycle; // it was on a parent-id cycle, which was cut here
    QHash<QString, int> indexById;

    static TraceTree build(QVector<spindle::Call> calls);

    int size() const
    {
        return int(calls.size());
    }
    bool isError(int node) const
    {
        return !calls[node].exception.isEmpty();
    }
    QVector<int> preorder() const; // depth-first, children in order: the tree's reading order
    QVector<int> pathFromRoot(int node) const; // root … node
    qint64 traceStartMs() const;
    qint64 traceEndMs() const; // the latest end (or start, for running calls)
};

} // namespace spindle::models
