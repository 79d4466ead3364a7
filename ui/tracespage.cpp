#include "ui/tracespage.h"

#include "models/callstablemodel.h"
#include "ui/calldetailpanel.h"
#include "ui/callscontroller.h"
#include "ui/countlabel.h"
#include "ui/filterbar.h"
#include "ui/savedviewsbar.h"
#include "ui/traceview.h"
#include "widgets/celltextdelegate.h"
#include "widgets/frozentableview.h"
#include "widgets/keyhelp.h"
#include "widgets/statusdelegate.h"

#include <QAction>
#include <QApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace spindle::ui {

using models::CallsTableModel;

namespace {
const QString kPaneSizesKey = QStringLiteral("traces/paneSizes");
}

TracesPage::TracesPage(net::TraceClient* client, QWidget* parent)
    : QWidget(parent)
    , m_client(client)
    , m_model(new CallsTableModel(this))
    , m_controller(new CallsController(client, m_model, this))
    , m_filters(new FilterBar(this))
    , m_table(new widgets::FrozenTableView(this))
    , m_trace(new TraceView(client, this))
    , m_views(nullptr)
    , m_detail(new CallDetailPanel(client, this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_countLabel(new CountLabel(this))
    , m_emptyState(new QLabel(m_table)) // over the viewport and the pinned columns' overlay
    , m_live(new QToolButton(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    auto* bar = new QWidget(this);
    buildToolbar(bar);
    layout->addWidget(bar);
    layout->addWidget(m_filters);
    buildTable();
    buildPanes();
    connectPanes();
    layout->addWidget(m_splitter, 1);
    connect(m_filters, &FilterBar::changed, this, &TracesPage::applyFilters);
    connectController();
}

TracesPage::~TracesPage() = default;

QTableView* TracesPage::table() const
{
    return m_table;
}

void TracesPage::buildPanes()
{
    // Table, the selected call's trace, and the call's detail.
    m_splitter->setObjectName(QStringLiteral("tableAndCallPanes"));
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_trace);
    m_splitter->addWidget(m_detail);
    widgets::setKeyArea(m_table, tr("Calls table"));
    widgets::setKeyArea(m_trace, tr("Trace"));
    widgets::setKeyArea(m_detail, tr("Call detail"));
    // The table has the whole width until a call is chosen, as on Weave's calls page: its cost,
    // tokens and latency columns are in view. Choosing a call opens its trace and detail beside
    // it; Esc in the table closes them. The panes' sizes the user drags are remembered, but the page
    // always opens on the table alone.
    m_splitter->setSizes({ 1, 0, 0 });
    m_openPaneSizes = rememberedPaneSizes();
    connect(m_splitter, &QSplitter::splitterMoved, this, [this] {
        const bool shown = callPanesShown();
        m_panesButton->setChecked(shown);
        if (!shown)
            return;
        m_openPaneSizes = m_splitter->sizes();
        QSettings().setValue(kPaneSizesKey, QVariantList(m_openPaneSizes.cbegin(), m_openPaneSizes.cend()));
    });
}

// What the trace and detail panes ask of the page and of each other: a call chosen in the trace
// shows in the detail, a call the detail links to is selected in the trace.
void TracesPage::connectPanes()
{
    connect(m_trace, &TraceView::callSelected, this,
        [this](const spindle::Call& call) { m_detail->showCall(m_projectId, call); });
    connect(m_detail, &CallDetailPanel::openCallRequested, this, [this](const QString& callId) {
        if (const auto* tree = m_trace->traceTree(); tree && tree->indexById.contains(callId))
            m_trace->selectNode(tree->indexById.value(callId));
        else if (m_trace->isLoading())
            Q_EMIT statusMessage(tr("Call %1 is not in the trace yet: it is still loading.").arg(callId));
        else // another trace's call (a ref), or one never logged here or deleted: read it, or say so
            openCall(callId);
    });
    connect(m_detail, &CallDetailPanel::callChanged, this, [this] { m_model->invalidatePages(); });
    connect(m_detail, &CallDetailPanel::callDeleted, this, [this] {
        closeDeletedCalls();
        m_controller->refresh();
    });
    connect(m_detail, &CallDetailPanel::statusMessage, this, &TracesPage::statusMessage);
}

// The query's progress on the page: the count label, the empty state, the filter bar's known fields,
// the first rows' paint and data warnings.
void TracesPage::connectController()
{
    connect(m_controller, &CallsController::countChanged, this, [this](int count) {
        m_countLabel->setCount(count);
        updateEmptyState();
    });
    connect(m_controller, &CallsController::loadingChanged, this, [this](bool loading) {
        const bool counting = m_controller->totalCount() < 0; // a new query, its count not in yet
        if (counting && loading)
            m_countLabel->queryStarted();
        else if (counting)
            m_countLabel->queryEnded();
        updateEmptyState();
    });
    connect(m_controller, &CallsController::columnsDiscovered, this, [this](const QStringList& columns) {
        m_filters->setKnownFields(columns);
        applyColumnSettings();
    });
    // A new query's first rows are painted at once, not in the event loop's next round: the table's
    // delayed layout (the scroll bars' new range) then paints in the frame after. When the layout
    // ran first, the scroll bars joined the rows' frame and delayed them by 1-2.5 ms
    // (docs/benchmarks.md, C8).
    connect(m_controller, &CallsController::firstRowsShown, this, [this] { m_table->viewport()->repaint(); });
    connect(m_controller, &CallsController::queryFailed, this, [this] { updateEmptyState(); });
    connect(m_controller, &CallsController::dataWarning, this, &TracesPage::warning);
}

void TracesPage::buildToolbar(QWidget* bar)
{
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    auto* title = new QLabel(tr("<b>Traces</b>"), bar);
    row->addWidget(title);
    row->addWidget(m_countLabel);
    row->addSpacing(12);
    m_views = new SavedViewsBar(m_client, this, bar);
    row->addWidget(m_views);
    connect(m_views, &SavedViewsBar::currentViewChanged, this, &TracesPage::viewChanged);
    connect(m_views, &SavedViewsBar::message, this, &TracesPage::statusMessage);
    connect(m_views, &SavedViewsBar::warning, this, &TracesPage::warning);
    row->addStretch(1);
    const auto addButton = [&](const QString& text, const QString& tip, auto slot) {
        auto* button = new QToolButton(bar);
        button->setText(text);
        button->setToolTip(tip);
        connect(button, &QToolButton::clicked, this, slot);
        row->addWidget(button);
        return button;
    };
    m_live->setText(tr("Live"));
    m_live->setCheckable(true);
    m_live->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    m_live->setWhatsThis(tr("Live: turn polling for new calls on or off"));
    m_live->setToolTip(tr("Poll for new calls every few seconds; running calls update in place, and so "
                          "does the open trace (Ctrl+Shift+L)"));
    connect(m_live, &QToolButton::toggled, m_controller, &CallsController::setLive);
    // The open trace follows too while its calls run: new children appear, running ones end.
    connect(m_controller, &CallsController::livePolled, this, [this] {
        if (m_trace->hasRunningCalls() && callPanesShown())
            m_trace->refresh();
    });
    row->addWidget(m_live);
    addButton(tr("Refresh"), tr("Run the query again (F5)"), &TracesPage::refresh);
    addButton(tr("Columns"), tr("Choose which input, output and attribute columns to show"),
        &TracesPage::chooseColumns);
    addButton(tr("Export"), tr("Export every row of this query to CSV, TSV, JSON or JSONL (Ctrl+E)"),
        &TracesPage::exportCalls);
    addButton(
        tr("Code"), tr("Show the Python and curl equivalents of this query"), &TracesPage::showCodeSnippets);
    m_compare = addButton(tr("Compare"),
        tr("Compare the selected calls side by side (Ctrl+D; select two or more rows)"),
        &TracesPage::compareSelected);
    m_compare->setEnabled(false);
    m_panesButton = addButton(tr("Details"),
        tr("Show or hide the selected call's trace and detail beside the table (Ctrl+I; Esc in the "
           "table hides them)"),
        [this] { showCallPanes(m_panesButton->isChecked()); });
    m_panesButton->setCheckable(true);
    m_panesButton->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    m_panesButton->setWhatsThis(tr("Show or hide the call's trace and detail"));
}

void TracesPage::buildTable()
{
    // Text cells through a delegate that paints what the style paints but keeps each text's glyphs:
    // the style's item painting cost 10-13 ms a frame on a software raster (benchmarks.md, C1).
    m_table->setItemDelegate(new widgets::CellTextDelegate(m_table));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    // The pinned overlay draws its own rows: same fixed height, stripes and eliding, or they drift
    // apart.
    for (QTableView* view : { static_cast<QTableView*>(m_table), m_table->pinnedView() }) {
        view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        view->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
        view->setWordWrap(false);
        view->setAlternatingRowColors(true);
        view->setTextElideMode(Qt::ElideRight);
        view->horizontalHeader()->setHighlightSections(false);
    }
    restoreColumnsPinned();
    m_table->verticalHeader()->hide();
    setUpHeader();
    m_table->setItemDelegateForColumn(
        CallsTableModel::StatusColumn, new widgets::StatusDelegate(CallsTableModel::StatusRole, m_table));
    connectTableSelection();
    addTableActions();
    buildEmptyState();
    m_table->viewport()->installEventFilter(this);
}

// Columns move, sort on a click (server-side, onHeaderClicked) and remember their widths.
void TracesPage::setUpHeader()
{
    QHeaderView* header = m_table->horizontalHeader();
    header->setSectionsMovable(true);
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setResizeContentsPrecision(0);
    header->setStretchLastSection(true);
    header->setHighlightSections(false);
    header->setDefaultSectionSize(110);
    header->setSortIndicator(CallsTableModel::CalledColumn, Qt::DescendingOrder); // the default order
    connect(header, &QHeaderView::sectionClicked, this, &TracesPage::onHeaderClicked);
    connect(header, &QHeaderView::sectionResized, this, &TracesPage::saveColumnWidth);
    connect(header, &QHeaderView::sectionMoved, this, &TracesPage::onSectionMoved);
}

// Pressing, clicking and selecting rows: the call's panes and detail, and the Compare button.
void TracesPage::connectTableSelection()
{
    connect(m_table, &QTableView::pressed, this, &TracesPage::onCellPressed);
    // A click on the chosen row (or Enter) opens its panes again after Esc closed them; Alt+click
    // adds a filter instead.
    for (const auto signal : { &QAbstractItemView::clicked, &QAbstractItemView::activated })
        connect(m_table, signal, this, [this](const QModelIndex& index) {
            if (!(QApplication::keyboardModifiers() & Qt::AltModifier) && m_model->isLoaded(index.row()))
                showCallPanes(true);
        });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &TracesPage::showCurrentDetail);
    const auto updateCompare = [this] {
        int rows = 0; // summing ranges stays cheap when Ctrl+A selects a million rows
        for (const QItemSelectionRange& range : m_table->selectionModel()->selection())
            rows += range.height();
        m_compare->setEnabled(rows >= 2);
    };
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, updateCompare);
    connect(m_model, &QAbstractItemModel::modelReset, this, updateCompare);
    // Live mode puts new calls on top: further down, the rows the user is reading stay where they are.
    connect(
        m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex&, int first, int last) {
            QScrollBar* bar = m_table->verticalScrollBar();
            if (first != 0 || bar->value() == 0 || m_model->rowCount() == last + 1)
                return;
            const int shift = (last + 1) * m_table->verticalHeader()->defaultSectionSize();
            bar->setMaximum(bar->maximum() + shift); // the view's own layout comes later, to the same
            bar->setValue(bar->value() + shift);
        });
    connect(m_model, &QAbstractItemModel::dataChanged, this,
        [this](const QModelIndex& from, const QModelIndex& to) {
            const QModelIndex current = m_table->currentIndex();
            if (!current.isValid() || current.row() < from.row() || current.row() > to.row()
                || !m_table->selectionModel()->isRowSelected(current.row()))
                return;
            // Only a row the user chose: the table's focus-in makes a row current without
            // selecting it, and that must not open the panes (after Details closed them).
            if (m_detail->callId().isEmpty())
                showCurrentDetail();
            else
                followSelectedCall();
        });
}

// The table's context menu, each entry with its shortcut while the table has the focus; those on
// the whole query (refresh, export, compare) work wherever the focus is on the page.
void TracesPage::addTableActions()
{
    const auto addAction = [&](const QString& text, const QKeySequence& keys, auto slot,
                               bool pageWide = false) {
        auto* action = new QAction(text, m_table);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        m_table->addAction(action);
        if (pageWide)
            this->addAction(action); // the page's too: its children include the filter bar and the panes
    };
    addAction(tr("Copy call ID"), QKeySequence::Copy, [this] { copyCurrent(QStringLiteral("id")); });
    addAction(tr("Copy call ref"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C),
        [this] { copyCurrent(QStringLiteral("ref")); });
    addAction(tr("Copy call JSON"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C),
        [this] { copyCurrent(QStringLiteral("json")); });
    addAction(tr("Rename…"), QKeySequence(Qt::Key_F2), &TracesPage::renameCurrent);
    addAction(tr("Delete…"), QKeySequence::Delete, &TracesPage::deleteSelected);
    addAction(tr("Refresh"), QKeySequence::Refresh, &TracesPage::refresh, true);
    addAction(tr("Export…"), QKeySequence(Qt::CTRL | Qt::Key_E), &TracesPage::exportCalls, true);
    addAction(
        tr("Compare selected…"), QKeySequence(Qt::CTRL | Qt::Key_D), &TracesPage::compareSelected, true);
    addAction(tr("Close the call's trace and detail"), QKeySequence(Qt::Key_Escape),
        [this] { showCallPanes(false); });
}

// The label over an empty table: why it is empty, with a link that helps (load samples, clear filters).
void TracesPage::buildEmptyState()
{
    m_emptyState->setObjectName(QStringLiteral("emptyState"));
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_emptyState->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    // Opaque: the pinned columns' edge runs beneath it and would strike through the text.
    m_emptyState->setStyleSheet(QStringLiteral("color: #555; background: palette(base);"));
    connect(m_emptyState, &QLabel::linkActivated, this, [this](const QString& link) {
        if (link == QLatin1String("sample"))
            Q_EMIT sampleDataRequested();
        else if (link == QLatin1String("clear"))
            m_filters->clearAll();
    });
}

void TracesPage::setProject(const QString& projectId)
{
    m_projectId = projectId;
    m_columnsChosen = false;
    m_visibleDynamic.clear();
    m_viewWidths.clear();
    m_projectOps.clear();
    m_opsLoaded = false;
    ++m_applyGeneration;
    m_detail->clear();
    m_trace->clear();
    m_tableCallId.clear();
    m_controller->resetColumns();
    m_controller->forgetRows();
    applyFilters();
    m_views->setProject(projectId);
    loadOps();
}

void TracesPage::setConnectionHint(const QString& hint, bool sampleDataOffered)
{
    m_connectionHint = hint;
    m_sampleDataOffered = sampleDataOffered;
    updateEmptyState();
}

void TracesPage::setServerTotals(bool supported)
{
    m_serverTotals = supported;
    m_model->setServerTotals(supported);
    const bool conditionsBack = m_filters->setServerTotals(supported);
    if (supported && (conditionsBack || m_setAsideSort))
        applyFilters(); // one query, with what was set aside back in it
}

void TracesPage::refresh()
{
    m_controller->refresh();
    m_trace->reloadIfBroken();
    loadOps();
}

bool TracesPage::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_table->viewport() && (event->type() == QEvent::Resize || event->type() == QEvent::Move))
        placeEmptyState();
    return QWidget::eventFilter(watched, event);
}

void TracesPage::updateEmptyState()
{
    const bool empty = m_controller->totalCount() == 0 && !m_controller->isLoading();
    if (!empty) {
        m_emptyState->hide();
        return;
    }
    if (m_filters->hasFilters()) {
        m_emptyState->setText(tr("<p><b>No calls match these filters.</b></p>"
                                 "<p><a href='clear'>Clear all filters</a></p>"));
    } else {
        // One variable a line (a shell continuation), so the snippet fits a narrow table.
        static const QRegularExpression beforeVariable(QStringLiteral(" (?=[A-Z_]+=)"));
        QString hint = m_connectionHint;
        hint.replace(beforeVariable, QStringLiteral(" \\\n"));
        const QString init =
            QStringLiteral("<code>weave.init(\"%1\")</code>").arg(m_projectId.toHtmlEscaped());
        m_emptyState->setText(
            tr("<p><b>No calls in %1 yet.</b></p>"
               "<p>Point your app at this server and run it:</p><pre>%2</pre><p>%3</p>")
                .arg(m_projectId.toHtmlEscaped(), hint.toHtmlEscaped(),
                    m_sampleDataOffered
                        ? tr("with %1, or <a href='sample'>load sample traces</a> to look around.").arg(init)
                        : tr("with %1.").arg(init)));
        m_emptyState->setToolTip(m_connectionHint);
    }
    placeEmptyState();
    m_emptyState->show();
}

void TracesPage::placeEmptyState()
{
    m_emptyState->setGeometry(m_table->viewport()->geometry().adjusted(40, 40, -40, -40));
    m_emptyState->raise(); // the pinned columns are a view stacked over the viewport
}

// Table, trace and detail widths as the user last dragged them; empty when there are none.
QList<int> TracesPage::rememberedPaneSizes()
{
    QList<int> sizes;
    for (const QVariant& size : QSettings().value(kPaneSizesKey).toList())
        sizes.append(size.toInt());
    const bool usable = sizes.size() == 3 && sizes.at(0) > 0 && (sizes.at(1) > 0 || sizes.at(2) > 0)
        && std::all_of(sizes.cbegin(), sizes.cend(), [](int size) { return size >= 0; });
    return usable ? sizes : QList<int> {};
}

bool TracesPage::callPanesShown() const
{
    const QList<int> sizes = m_splitter->sizes();
    return sizes.value(1) > 0 || sizes.value(2) > 0;
}

// Closing keeps the panes' sizes for the next opening; the first opening splits the width as
// 37 : 33 : 30, which leaves the trace room for call names beside their latency bars.
void TracesPage::showCallPanes(bool shown)
{
    if (callPanesShown() == shown)
        return;
    const QList<int> sizes = m_splitter->sizes();
    const int total = std::max(1, sizes.value(0) + sizes.value(1) + sizes.value(2));
    if (!shown) {
        m_openPaneSizes = sizes;
        // The table's focus-in makes its first row current when none is; that must not open the
        // panes again (showCurrentDetail) as they close.
        m_closingPanes = true;
        m_table->setFocus();
        m_closingPanes = false;
        m_splitter->setSizes({ total, 0, 0 });
    } else {
        m_splitter->setSizes(m_openPaneSizes.isEmpty()
                ? QList<int> { total * 37 / 100, total * 33 / 100, total - total * 70 / 100 }
                : m_openPaneSizes);
    }
    m_panesButton->setChecked(shown);
}

void TracesPage::showCurrentDetail()
{
    if (m_closingPanes)
        return;
    const QModelIndex current = m_table->currentIndex();
    const spindle::Call* call = current.isValid() ? m_model->callAt(current.row()) : nullptr;
    if (!call)
        return;
    showCallPanes(true);
    m_tableCallId = call->id; // the detail may go on to a call of its trace; the row stays this one
    m_detail->showCall(m_projectId, *call);
    m_trace->openTrace(m_projectId, call->traceId, call->id);
}

void TracesPage::openCall(const QString& callId)
{
    const QString project = m_projectId;
    const QJsonObject body { { QStringLiteral("project_id"), project }, { QStringLiteral("id"), callId } };
    m_client->post(
        this, QStringLiteral("/call/read"), body, [this, project, callId](const QJsonObject& json) {
            if (m_projectId != project)
                return;
            const QJsonObject found = json.value(QLatin1String("call")).toObject();
            if (found.isEmpty()) {
                Q_EMIT statusMessage(tr("No call %1 in %2").arg(callId, project));
                return;
            }
            const spindle::Call call = spindle::Call::fromJson(found);
            showCallPanes(true);
            m_detail->showCall(project, call);
            m_trace->openTrace(project, call.traceId, call.id);
        });
}

} // namespace spindle::ui
