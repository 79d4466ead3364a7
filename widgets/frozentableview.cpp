#include "widgets/frozentableview.h"

#include <QCoreApplication>
#include <QHeaderView>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>

namespace spindle::widgets {
namespace {

const QColor kPinnedEdge(0xc8, 0xcc, 0xd2);

// The pinned columns' view, with a line down its right edge where the scrolling columns begin.
// The line was a style sheet on the view, which sent every style call of its cells through
// QStyleSheetStyle: a tenth of its paint time (docs/benchmarks.md, C12).
class PinnedOverlay : public FastGridTableView
{
public:
    using FastGridTableView::FastGridTableView;

protected:
    void paintEvent(QPaintEvent* event) override
    {
        FastGridTableView::paintEvent(event);
        // The line ends with the last row, as the grid's lines do: an empty table shows none
        // (it stuck out above and below the empty state's message).
        const int rows = model() ? model()->rowCount(rootIndex()) : 0;
        if (rows == 0)
            return;
        const int rowsBottom = rowViewportPosition(rows - 1) + rowHeight(rows - 1);
        const QRect line = QRect(viewport()->width() - 1, 0, 1, rowsBottom).intersected(event->rect());
        if (line.isEmpty())
            return;
        QPainter painter(viewport());
        painter.fillRect(line, kPinnedEdge);
    }
};

} // namespace

FrozenTableView::FrozenTableView(QWidget* parent)
    : FastGridTableView(parent)
    , m_frozen(new PinnedOverlay(this))
{
    m_frozen->setFocusPolicy(Qt::NoFocus);
    m_frozen->verticalHeader()->hide();
    m_frozen->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_frozen->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_frozen->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_frozen->setVerticalScrollMode(ScrollPerPixel);
    m_frozen->setFrameShape(QFrame::NoFrame);
    viewport()->stackUnder(m_frozen);
    setHorizontalScrollMode(ScrollPerPixel);
    setVerticalScrollMode(ScrollPerPixel);
    connect(
        verticalScrollBar(), &QScrollBar::valueChanged, m_frozen->verticalScrollBar(), &QScrollBar::setValue);
    // Only the main view scrolls; wheel events over the overlay are handed to it (a two-way link
    // would ping-pong whenever the two scroll ranges differ by a pixel).
    m_frozen->viewport()->installEventFilter(this);
    connect(horizontalHeader(), &QHeaderView::sectionResized, this, [this](int logical, int, int size) {
        if (m_pinned.contains(logical)) {
            m_frozen->setColumnWidth(logical, size);
            updateFrozenGeometry();
        }
    });
    connect(
        m_frozen->horizontalHeader(), &QHeaderView::sectionResized, this, [this](int logical, int, int size) {
            if (m_pinned.contains(logical) && columnWidth(logical) != size)
                setColumnWidth(logical, size);
        });
    connect(horizontalHeader(), &QHeaderView::sectionMoved, this, [this] { syncColumns(); });
    connect(verticalHeader(), &QHeaderView::sectionResized, this,
        [this](int logical, int, int size) { m_frozen->setRowHeight(logical, size); });
    forwardOverlayInput();
    m_frozen->hide();
}

// The overlay's cells and header sections stand for the table's own: their clicks reach whoever
// listens to the table (an Alt+click filter on a pinned cell, a sort by a pinned column), and the
// table's sort indicator shows on a pinned section.
void FrozenTableView::forwardOverlayInput()
{
    for (const auto signal : { &QAbstractItemView::pressed, &QAbstractItemView::clicked,
             &QAbstractItemView::doubleClicked, &QAbstractItemView::activated })
        connect(m_frozen, signal, this, signal);
    connect(m_frozen->horizontalHeader(), &QHeaderView::sectionClicked, horizontalHeader(),
        &QHeaderView::sectionClicked);
    connect(
        horizontalHeader(), &QHeaderView::sortIndicatorChanged, this, &FrozenTableView::syncSortIndicator);
}

void FrozenTableView::syncSortIndicator()
{
    const QHeaderView* table = horizontalHeader();
    QHeaderView* pinned = m_frozen->horizontalHeader();
    pinned->setSortIndicatorShown(table->isSortIndicatorShown());
    pinned->setSortIndicator(table->sortIndicatorSection(), table->sortIndicatorOrder());
}

void FrozenTableView::setModel(QAbstractItemModel* model)
{
    QTableView::setModel(model);
    m_frozen->setModel(model);
    m_frozen->setSelectionModel(selectionModel());
    m_frozen->setSelectionBehavior(SelectRows);
    m_frozen->verticalHeader()->setDefaultSectionSize(verticalHeader()->defaultSectionSize());
    connect(model, &QAbstractItemModel::modelReset, this, &FrozenTableView::syncColumns);
    connect(model, &QAbstractItemModel::columnsInserted, this, &FrozenTableView::syncColumns);
    syncColumns();
}

void FrozenTableView::setPinnedColumns(const QList<int>& columns)
{
    m_pinned = columns;
    syncColumns();
}

// How much of the viewport's left edge the overlay hides (none right to left: it is not mirrored).
int FrozenTableView::coveredWidth() const
{
    return m_frozen->isVisible() && !isRightToLeft() ? pinnedWidth() : 0;
}

int FrozenTableView::pinnedWidth() const
{
    int width = 0;
    for (int column : m_pinned)
        width += columnWidth(column);
    return width;
}

void FrozenTableView::syncColumns()
{
    if (m_syncing || !model())
        return;
    m_syncing = true;
    // Pinned columns sit at the left edge of the main view, under the overlay, in pin order.
    for (int i = 0; i < m_pinned.size(); ++i) {
        const int visual = horizontalHeader()->visualIndex(m_pinned[i]);
        if (visual != i && visual >= 0)
            horizontalHeader()->moveSection(visual, i);
    }
    if (m_frozen->itemDelegate() != itemDelegate())
        m_frozen->setItemDelegate(itemDelegate()); // pinned columns paint like the others
    for (int column = 0; column < model()->columnCount(); ++column) {
        m_frozen->setColumnHidden(column, !m_pinned.contains(column));
        if (m_pinned.contains(column)) {
            m_frozen->setColumnWidth(column, columnWidth(column));
            m_frozen->setItemDelegateForColumn(column, itemDelegateForColumn(column));
            const int visual = m_frozen->horizontalHeader()->visualIndex(column);
            const int wanted = int(m_pinned.indexOf(column));
            if (visual != wanted)
                m_frozen->horizontalHeader()->moveSection(visual, wanted);
        }
    }
    m_frozen->setVisible(!m_pinned.isEmpty());
    syncSortIndicator();
    m_syncing = false;
    updateFrozenGeometry();
}

void FrozenTableView::updateFrozenGeometry()
{
    m_frozen->setGeometry(
        verticalHeader()->isVisible() ? verticalHeader()->width() + frameWidth() : frameWidth(), frameWidth(),
        pinnedWidth(), viewport()->height() + horizontalHeader()->height());
    m_frozen->horizontalHeader()->setFixedHeight(horizontalHeader()->height());
}

bool FrozenTableView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_frozen->viewport() && event->type() == QEvent::Wheel) {
        QCoreApplication::sendEvent(viewport(), event);
        return true;
    }
    return QTableView::eventFilter(watched, event);
}

// The overlay hides the viewport's left edge: cells wholly beneath it are left to the overlay
// rather than painted twice (the pinned Name column is the table's widest text).
void FrozenTableView::paintEvent(QPaintEvent* event)
{
    const int covered = coveredWidth();
    const QRegion shown = event->region() - QRect(0, 0, covered, viewport()->height());
    if (covered <= 0 || shown == event->region()) {
        FastGridTableView::paintEvent(event);
        return;
    }
    if (shown.isEmpty())
        return;
    QPaintEvent narrowed(shown);
    FastGridTableView::paintEvent(&narrowed);
}

void FrozenTableView::resizeEvent(QResizeEvent* event)
{
    QTableView::resizeEvent(event);
    updateFrozenGeometry();
}

// Qt moves a scrolled viewport's pixels instead of repainting it only where no sibling overlaps
// it, and the overlay does: every scroll step repainted the whole table. A per-pixel step, down or
// sideways, moves the part right of the overlay and repaints what it uncovers; the overlay scrolls
// its own rows.
void FrozenTableView::scrollContentsBy(int dx, int dy)
{
    const int covered = coveredWidth();
    const bool perPixel = (dx == 0 || horizontalScrollMode() == ScrollPerPixel)
        && (dy == 0 || verticalScrollMode() == ScrollPerPixel);
    if (covered <= 0 || covered >= viewport()->width() || (dx == 0 && dy == 0) || !perPixel) {
        FastGridTableView::scrollContentsBy(dx, dy);
        return;
    }
    FastGridTableView::scrollContentsBy(0, 0); // its other duty: cancel a pending scroll to a click
    // The headers follow the scroll bars as QTableView has them do per pixel (left to right:
    // coveredWidth() is 0 right to left).
    if (dx != 0)
        horizontalHeader()->setOffset(horizontalScrollBar()->value());
    if (dy != 0)
        verticalHeader()->setOffset(verticalScrollBar()->value());
    scrollDirtyRegion(dx, dy);
    viewport()->scroll(dx, dy, QRect(covered, 0, viewport()->width() - covered, viewport()->height()));
    if (showGrid() && dy > 0 && horizontalHeader()->isHidden()) // QTableView's grid line at the top
        viewport()->update(0, dy, viewport()->width(), dy);
}

QModelIndex FrozenTableView::moveCursor(CursorAction cursorAction, Qt::KeyboardModifiers modifiers)
{
    QModelIndex current = QTableView::moveCursor(cursorAction, modifiers);
    // Keep the cursor cell out from under the overlay when moving left.
    if (cursorAction == MoveLeft && current.column() >= 0 && !m_pinned.contains(current.column())
        && visualRect(current).topLeft().x() < pinnedWidth()) {
        const int newValue =
            horizontalScrollBar()->value() + visualRect(current).topLeft().x() - pinnedWidth();
        horizontalScrollBar()->setValue(newValue);
    }
    return current;
}

void FrozenTableView::scrollTo(const QModelIndex& index, ScrollHint hint)
{
    if (!m_pinned.contains(index.column()))
        QTableView::scrollTo(index, hint);
    else if (index.isValid())
        QTableView::scrollTo(model()->index(index.row(),
                                 horizontalHeader()->logicalIndexAt(pinnedWidth() + 1) >= 0
                                     ? horizontalHeader()->logicalIndexAt(pinnedWidth() + 1)
                                     : index.column()),
            hint);
}

} // namespace spindle::widgets
