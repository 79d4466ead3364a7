#include "ui/traceview.h"

#include "models/tracetreemodel.h"
#include "ui/counttext.h"
#include "widgets/backgroundpool.h"
#include "widgets/headerstyle.h"
#include "widgets/latencybardelegate.h"
#include "widgets/timelinewidget.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QScopedValueRollback>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QTabWidget>
#include <QThreadPool>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace spindle::ui {

using models::TraceTreeModel;

namespace {

constexpr int kRebuildIntervalMs = 200;
constexpr int kExpandedDepth = 2;

} // namespace

// One build: the tree and what is O(calls) to derive from it, made on the pool.
struct TraceBuild
{
    std::shared_ptr<const models::TraceTree> tree;
    QVector<int> order; // preorder
    widgets::TimelineLayout timeline;
    int errors = 0;
    int running = 0; // calls without an end
    int received = 0; // rows the build was given
};

namespace {

std::shared_ptr<TraceBuild> buildTrace(const QVector<QVector<spindle::Call>>& batches, int received)
{
    QVector<spindle::Call> calls;
    calls.reserve(received);
    for (const auto& batch : batches)
        calls += batch;
    auto tree = std::make_shared<const models::TraceTree>(models::TraceTree::build(std::move(calls)));
    auto build = std::make_shared<TraceBuild>();
    build->order = tree->preorder();
    for (int root : tree->roots)
        build->errors += tree->subtreeErrors[root];
    QVector<widgets::TimelineSpan> spans;
    spans.reserve(tree->size());
    for (int node = 0; node < tree->size(); ++node) {
        const spindle::Call& call = tree->calls[node];
        build->running += !call.endedAtMs;
        spans.append({ node, tree->parent[node], call.startedAtMs, call.endedAtMs.value_or(-1), call.name(),
            call.status, call.totalTokens(), call.totalCost().value_or(0) });
    }
    build->timeline.setSpans(std::move(spans));
    build->tree = std::move(tree);
    build->received = received;
    return build;
}

} // namespace

TraceView::TraceView(net::TraceClient* client, QWidget* parent)
    : QWidget(parent)
    , m_client(client)
    , m_model(new TraceTreeModel(this))
    , m_tree(new QTreeView(this))
    , m_timeline(new widgets::TimelineWidget(this))
    , m_tabs(new QTabWidget(this))
    , m_breadcrumbs(new QLabel(this))
    , m_status(new QLabel(this))
    , m_search(new QLineEdit(this))
    , m_searchStatus(new QLabel(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QWidget(this);
    buildHeader(bar);
    layout->addWidget(bar);
    m_breadcrumbs->setTextFormat(Qt::RichText);
    m_breadcrumbs->setWordWrap(true);
    // Its longest word (a crumb: a name without spaces, a URL) must not set the pane's least width.
    m_breadcrumbs->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    connect(m_breadcrumbs, &QLabel::linkActivated, this,
        [this](const QString& link) { selectNode(link.toInt()); });
    layout->addWidget(m_breadcrumbs);
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setIndentation(14); // the style's 20 px a level leaves deep calls no room for their name
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    widgets::applyHeaderStyle(m_tree->header());
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(TraceTreeModel::NameColumn, QHeaderView::Stretch);
    m_tree->header()->setResizeContentsPrecision(0);
    m_tree->setItemDelegateForColumn(TraceTreeModel::LatencyColumn,
        new widgets::LatencyBarDelegate(TraceTreeModel::OffsetFractionRole,
            TraceTreeModel::LatencyFractionRole, TraceTreeModel::StatusRole, m_tree));
    m_tree->setColumnWidth(TraceTreeModel::LatencyColumn, kLatencyWidth);
    m_tree->setColumnWidth(TraceTreeModel::TokensColumn, kTokensWidth);
    m_tree->setColumnWidth(TraceTreeModel::CostColumn, kCostWidth);
    m_tree->setColumnWidth(TraceTreeModel::ChildrenColumn, kChildrenWidth);
    m_tree->viewport()->installEventFilter(this); // fitColumns() on every resize
    m_tree->installEventFilter(this); // the walking keys, before the tree's type-to-search takes them
    // And once per turn of the event loop when rows open or close (a build opens many at once).
    m_fitTimer.setSingleShot(true);
    m_fitTimer.setInterval(0);
    connect(&m_fitTimer, &QTimer::timeout, this, [this] {
        m_shownDepth = deepestShownDepth(); // here, not on every resize: a walk over the open rows
        fitColumns();
    });
    connect(m_tree, &QTreeView::expanded, &m_fitTimer, qOverload<>(&QTimer::start));
    connect(m_tree, &QTreeView::collapsed, &m_fitTimer, qOverload<>(&QTimer::start));
    m_tabs->addTab(m_tree, tr("Tree"));
    m_tabs->addTab(m_timeline, tr("Timeline"));
    // Tree or timeline, as the user left it.
    m_tabs->setCurrentIndex(QSettings().value(QStringLiteral("layout/trace/tab"), 0).toInt());
    connect(m_tabs, &QTabWidget::currentChanged, this,
        [](int tab) { QSettings().setValue(QStringLiteral("layout/trace/tab"), tab); });
    layout->addWidget(m_tabs, 1);
    connect(
        m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &TraceView::onCurrentChanged);
    connect(m_timeline, &widgets::TimelineWidget::spanClicked, this, &TraceView::selectNode);
    connect(m_timeline, &widgets::TimelineWidget::rangeSelected, this,
        [this](const widgets::TimelineRangeSummary& sum, qint64 t0, qint64 t1) {
            m_status->setText(tr("%1 calls in %2 ms: %3 ms latency, %4 tokens, $%5")
                                  .arg(sum.calls)
                                  .arg(t1 - t0)
                                  .arg(sum.latencyMs)
                                  .arg(sum.tokens)
                                  .arg(sum.cost, 0, 'f', 4));
        });
    m_rebuildTimer.setSingleShot(true);
    m_rebuildTimer.setInterval(kRebuildIntervalMs);
    connect(&m_rebuildTimer, &QTimer::timeout, this, &TraceView::rebuild);
    setFocusPolicy(Qt::StrongFocus);
}

TraceView::~TraceView()
{
    if (m_request)
        m_client->cancel(m_request);
}

bool TraceView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_tree->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    if (watched == m_tree && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (walkingKey(key)) {
            keyPressEvent(key);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void TraceView::buildHeader(QWidget* bar)
{
    auto* rows = new QVBoxLayout(bar);
    rows->setContentsMargins(4, 2, 4, 0);
    rows->setSpacing(0);
    // The status on a line of its own, wrapped: a long one never sets the pane's minimum width.
    m_status->setWordWrap(true);
    rows->addWidget(m_status);
    // The tools in a tool bar: on a narrow pane they fold into its ">>" menu instead of widening the
    // pane (a row of them held the trace pane at ~600 px and squeezed the calls table).
    auto* tools = new QToolBar(bar);
    tools->setToolButtonStyle(Qt::ToolButtonTextOnly);
    rows->addWidget(tools);
    m_search->setPlaceholderText(tr("Search this trace (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setToolTip(
        tr("Op and display names match here; input and output text is searched on the server. "
           "Enter: next hit, Shift+Enter: previous"));
    m_search->setMinimumWidth(170);
    m_search->setMaximumWidth(260);
    tools->addWidget(m_search);
    m_searchStatus->setObjectName(QStringLiteral("searchStatus"));
    tools->addWidget(m_searchStatus);
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (m_hits.isEmpty() || m_search->isModified())
            runSearch();
        else
            stepSearch(!(QApplication::keyboardModifiers() & Qt::ShiftModifier));
        m_search->setModified(false);
    });
    auto* find = new QShortcut(
        QKeySequence::Find, this,
        [this] {
            m_search->setFocus();
            m_search->selectAll();
        },
        Qt::WidgetWithChildrenShortcut);
    find->setWhatsThis(tr("Search this trace"));
    declareKeys();
    const auto addTool = [&](const QString& text, const QString& tip, auto slot) {
        QAction* action = tools->addAction(text, this, slot);
        action->setToolTip(tip);
        return action;
    };
    m_errorTools = { addTool(tr("◀ Error"), tr("Previous error (p)"), [this] { nextError(false); }),
        addTool(tr("Error ▶"), tr("Next error (n)"), [this] { nextError(true); }) };
    addTool(tr("Expand all"), tr("Expand every node"), &TraceView::expandAll);
    m_errorTools.append(addTool(
        tr("Errors only"), tr("Collapse everything but the paths to errors"), &TraceView::collapseToErrors));
    for (QAction* action : std::as_const(m_errorTools))
        action->setData(action->toolTip());
    enableErrorTools(0);
}

void TraceView::clear()
{
    for (const auto request : { m_request, m_countRequest })
        if (request)
            m_client->cancel(request);
    m_request = 0;
    m_countRequest = 0;
    m_streamEnded = false;
    m_rechecked = false;
    m_firstLoadRecheck = false;
    m_refreshFailed = false;
    ++m_generation;
    m_rebuildTimer.stop();
    m_rebuildAgain = false; // a build still running belongs to the old trace; the new one asks anew
    m_refreshing = false;
    m_failed = false;
    m_running = 0;
    widgets::releaseInBackground(std::exchange(m_batches, {}));
    m_received = 0;
    auto oldTree = std::exchange(m_traceTree, {});
    m_order.clear();
    m_hits.clear();
    m_model->setTree(nullptr);
    widgets::releaseInBackground(std::move(oldTree)); // the model held the only other reference
    m_timeline->setSpans({});
    m_breadcrumbs->clear();
    m_status->setText(tr("Select a call in the table to see its whole trace here."));
    m_traceId.clear();
    enableErrorTools(0);
    m_fitTimer.start(); // no rows: the names stretch again
}

void TraceView::openTrace(const QString& projectId, const QString& traceId, const QString& selectCallId)
{
    // The same trace, shown or streaming in (not one whose stream broke off: that one loads again).
    if (traceId == m_traceId && projectId == m_projectId && m_traceTree && !m_failed) {
        if (const auto it = m_traceTree->indexById.constFind(selectCallId);
            it != m_traceTree->indexById.cend())
            selectNode(*it);
        else if (isLoading())
            m_pendingSelection = selectCallId; // selected when a build holds it
        return;
    }
    clear();
    m_projectId = projectId;
    m_traceId = traceId;
    m_pendingSelection = selectCallId;
    m_status->setText(tr("Loading trace…"));
    enableErrorTools(0); // "loading" now that a trace is named
    streamTrace();
}

// Live mode's view of a trace whose calls still run: the trace is fetched again and swapped in
// whole once it is in, keeping what is expanded, selected and scrolled to. Until then the old
// tree stays as it is.
void TraceView::refresh()
{
    if (m_traceId.isEmpty() || isLoading())
        return;
    m_refreshing = true; // m_failed stays what it was until a whole trace is in
    widgets::releaseInBackground(std::exchange(m_batches, {}));
    m_received = 0;
    streamTrace();
}

void TraceView::rebuild()
{
    if (m_building) {
        m_rebuildAgain = true; // one build at a time; the newest rows go in the next one
        return;
    }
    m_building = true;
    m_buildingReceived = m_received;
    widgets::backgroundPool()->start([batches = m_batches, received = m_received,
                                         guard = QPointer<TraceView>(this),
                                         generation = m_generation]() mutable {
        auto build = buildTrace(batches, received);
        batches = {}; // the rows now live in the tree; this copy must not be the last one on the GUI thread
        // Delivered through the application object; the guard is only read on the GUI thread.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [guard = std::move(guard), generation, build = std::move(build)]() mutable {
                if (guard)
                    guard->onBuilt(generation, std::move(build));
                else
                    widgets::releaseInBackground(std::move(build));
            },
            Qt::QueuedConnection);
    });
}

void TraceView::onBuilt(quint64 generation, std::shared_ptr<TraceBuild> build)
{
    m_building = false;
    if (generation == m_generation)
        applyTree(*build);
    widgets::releaseInBackground(std::move(build)); // a stale build, or the tree this one replaced
    // Rows that arrived during this build (possibly of a newer trace) get their own build.
    if (m_rebuildAgain) {
        m_rebuildAgain = false;
        rebuild();
    }
}

// Swaps a finished build in. What stays on the GUI thread is proportional to the expanded nodes
// (the view's own layout), not to the calls: everything O(calls) was done on the pool.
void TraceView::applyTree(TraceBuild& build)
{
    // Keep what the user expanded, collapsed and selected across rebuilds (the trace streaming in,
    // live refreshes); a call that has gained children opens by the first build's rule.
    QSet<QString> expanded;
    for (int node = 0; m_traceTree && node < m_traceTree->size(); ++node)
        if (!m_traceTree->children[node].isEmpty() && m_tree->isExpanded(m_model->indexOfNode(node)))
            expanded.insert(m_traceTree->calls[node].id);
    const int selected = selectedNode();
    // A call asked for (openTrace) stays asked for while the trace streams in without it.
    const QString selectedId = !m_pendingSelection.isEmpty() ? m_pendingSelection
        : selected >= 0                                      ? m_traceTree->calls[selected].id
                                                             : QString();
    const bool firstBuild = !m_traceTree;
    const int scrolled = m_tree->verticalScrollBar()->value();
    const QStringList hitIds = searchHitIds(); // the new tree numbers its nodes anew
    // The replaced tree goes to `build`, which the caller frees on the pool.
    std::swap(m_traceTree, build.tree);
    m_order = std::move(build.order);
    m_model->setTree(m_traceTree);
    const models::TraceTree* previous = build.tree.get();
    const auto wasParent = [previous](const QString& id) {
        const auto it =
            previous ? previous->indexById.constFind(id) : decltype(previous->indexById.cend()) {};
        return previous && it != previous->indexById.cend() && !previous->children[*it].isEmpty();
    };
    for (int node = 0; node < m_traceTree->size(); ++node) {
        if (m_traceTree->children[node].isEmpty())
            continue;
        const QString& id = m_traceTree->calls[node].id;
        // Only the first levels open by default, so only they ask whether they are new parents.
        const bool open =
            expanded.contains(id) || (m_traceTree->depth[node] < kExpandedDepth && !wasParent(id));
        if (open)
            m_tree->setExpanded(m_model->indexOfNode(node), true);
    }
    m_running = build.running;
    enableErrorTools(build.errors);
    restoreSearchHits(hitIds);
    m_timeline->setTimelineLayout(std::exchange(build.timeline, {}), !firstBuild);
    // Only a tree holding every received row, with the stream finished, is the loaded trace.
    const bool complete = !m_request && build.received == m_received;
    restoreCurrent(selectedId, firstBuild, scrolled, complete);
    m_fitTimer.start(); // deeper rows may show
    if (complete && !m_failed) {
        m_refreshing = false;
        widgets::releaseInBackground(std::exchange(m_batches, {})); // the tree holds every row now
        m_status->setText(countText(m_traceTree->size(), tr("1 call"), tr("%L1 calls"))
            + (build.errors ? countText(build.errors, tr(", 1 error"), tr(", %L1 errors")) : QString())
            + (build.running ? countText(build.running, tr(", 1 running"), tr(", %L1 running")) : QString()));
        Q_EMIT loaded(m_traceTree->size());
    }
}

// After a rebuild: the call that was current stays current (else the first root). A later build
// keeps the view where the user left it: no scroll to the call, none of its ancestors opened. A
// call asked for that the trace streaming in does not hold yet is selected by the build that brings
// it; until then nothing is (the detail keeps the call the user chose, not the root).
void TraceView::restoreCurrent(const QString& id, bool firstBuild, int scrolled, bool complete)
{
    const auto it = m_traceTree->indexById.constFind(id);
    const bool found = it != m_traceTree->indexById.cend();
    const int target = found ? *it : (m_traceTree->roots.isEmpty() ? -1 : m_traceTree->roots.first());
    const bool pending = !m_pendingSelection.isEmpty();
    if (pending && !found && !complete) { // not selected yet; the rows stay where the user scrolled
        if (!firstBuild) {
            m_tree->doItemsLayout();
            m_tree->verticalScrollBar()->setValue(scrolled);
        }
        return;
    }
    const QScopedValueRollback restoring(m_restoringCurrent, true);
    if (firstBuild || pending) {
        m_pendingSelection.clear();
        selectNode(target);
        return;
    }
    const bool autoScroll = m_tree->hasAutoScroll();
    m_tree->setAutoScroll(false);
    const QScopedValueRollback keepView(m_keepTimelineView, true); // the timeline's zoom and scroll too
    m_tree->setCurrentIndex(m_model->indexOfNode(target));
    m_tree->setAutoScroll(autoScroll);
    m_tree->doItemsLayout(); // the scroll bar's range for the rows now shown
    m_tree->verticalScrollBar()->setValue(scrolled);
}

int TraceView::selectedNode() const
{
    return m_model->nodeOf(m_tree->currentIndex());
}

void TraceView::selectNode(int node)
{
    const QModelIndex index = m_model->indexOfNode(node);
    if (!index.isValid())
        return;
    m_tree->setCurrentIndex(index);
    m_tree->scrollTo(index);
}

void TraceView::onCurrentChanged()
{
    if (!m_restoringCurrent)
        m_pendingSelection.clear(); // the user chose another call meanwhile
    const int node = selectedNode();
    if (node < 0 || !m_traceTree)
        return;
    updateBreadcrumbs(node);
    m_timeline->setSelectedId(node, !m_keepTimelineView);
    Q_EMIT callSelected(m_traceTree->calls[node]);
}

void TraceView::updateBreadcrumbs(int node)
{
    QStringList parts;
    for (int step : m_traceTree->pathFromRoot(node)) {
        const QString name = m_traceTree->calls[step].name().toHtmlEscaped();
        parts.append(step == node ? QStringLiteral("<b>%1</b>").arg(name)
                                  : QStringLiteral("<a href='%1'>%2</a>").arg(step).arg(name));
    }
    m_breadcrumbs->setText(parts.join(QStringLiteral(" › ")));
}

} // namespace spindle::ui
