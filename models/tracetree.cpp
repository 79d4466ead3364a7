#include "models/tracetree.h"

#include <algorithm>

namespace spindle::models {
namespace {

bool startsBefore(const spindle::Call& a, const spindle::Call& b)
{
    return a.startedAtMs != b.startedAtMs ? a.startedAtMs < b.startedAtMs : a.id < b.id;
}

// Marks nodes whose parent chain loops back, and cuts each cycle at the node where the walk
// first re-enters it.
void breakCycles(TraceTree& tree)
{
    enum State : char
    {
        Unvisited,
        OnPath,
        Done
    };
    QVector<char> state(tree.size(), Unvisited);
    QVector<int> path;
    for (int start = 0; start < tree.size(); ++start) {
        path.clear();
        int node = start;
        while (node >= 0 && state[node] == Unvisited) {
            state[node] = OnPath;
            path.append(node);
            node = tree.parent[node];
        }
        if (node >= 0 && state[node] == OnPath) {
            tree.cycle[node] = true;
            tree.parent[node] = -1;
        }
        for (int visited : std::as_const(path))
            state[visited] = Done;
    }
}

void computeDepthsAndSizes(TraceTree& tree)
{
    const QVector<int> order = tree.preorder();
    for (int node : order)
        tree.depth[node] = tree.parent[node] < 0 ? 0 : tree.depth[tree.parent[node]] + 1;
    for (auto it = order.crbegin(); it != order.crend(); ++it) {
        const int node = *it;
        tree.subtreeSize[node] += 1;
        tree.subtreeErrors[node] += tree.isError(node) ? 1 : 0;
        if (const int up = tree.parent[node]; up >= 0) {
            tree.subtreeSize[up] += tree.subtreeSize[node];
            tree.subtreeErrors[up] += tree.subtreeErrors[node];
        }
    }
}

} // namespace

TraceTree TraceTree::build(QVector<spindle::Call> calls)
{
    TraceTree tree;
    std::sort(calls.begin(), calls.end(), startsBefore);
    const int n = int(calls.size());
    tree.calls = std::move(calls);
    tree.parent.fill(-1, n);
    tree.children.resize(n);
    tree.rowInParent.fill(0, n);
    tree.depth.fill(0, n);
    tree.subtreeSize.fill(0, n);
    tree.subtreeErrors.fill(0, n);
    tree.orphan.fill(false, n);
    tree.cycle.fill(false, n);
    tree.indexById.reserve(n);
    for (int i = 0; i < n; ++i)
        tree.indexById.insert(tree.calls[i].id, i);
    for (int i = 0; i < n; ++i) {
        const QString& parentId = tree.calls[i].parentId;
        if (parentId.isEmpty())
            continue;
        const auto it = tree.indexById.constFind(parentId);
        if (it == tree.indexById.cend() || *it == i)
            tree.orphan[i] = true;
        else
            tree.parent[i] = *it;
    }
    breakCycles(tree);
    // Calls are in start order, so appending keeps every child list ordered.
    for (int i = 0; i < n; ++i) {
        QVector<int>& siblings = tree.parent[i] < 0 ? tree.roots : tree.children[tree.parent[i]];
        tree.rowInParent[i] = int(siblings.size());
        siblings.append(i);
    }
    computeDepthsAndSizes(tree);
    return tree;
}

QVector<int> TraceTree::preorder() const
{
    QVector<int> order;
    order.reserve(size());
    QVector<int> stack;
    for (auto it = roots.crbegin(); it != roots.crend(); ++it)
        stack.append(*it);
    while (!stack.isEmpty()) {
        const int node = stack.takeLast();
        order.append(node);
        const QVector<int>& kids = children[node];
        for (auto it = kids.crbegin(); it != kids.crend(); ++it)
            stack.append(*it);
    }
    return order;
}

QVector<int> TraceTree::pathFromRoot(int node) const
{
    QVector<int> path;
    for (int at = node; at >= 0; at = parent[at])
        path.prepend(at);
    return path;
}

qint64 TraceTree::traceStartMs() const
{
    return calls.isEmpty() ? 0 : calls.first().startedAtMs;
}

qint64 TraceTree::traceEndMs() const
{
    qint64 end = traceStartMs();
    for (const auto& call : calls)
        end = std::max(end, call.endedAtMs.value_or(call.startedAtMs));
    return end;
}

} // namespace spindle::models
