#include "widgets/fastgridtableview.h"

#include "widgets/leanrowstyle.h"

#include <QApplication>
#include <QEvent>
#include <QHeaderView>
#include <QPaintEvent>
#include <QPainter>
#include <QStyle>

#include <algorithm>

namespace spindle::widgets {
namespace {

// QPainter::drawLine's pixels from x1 to x2 (in either order) on row y.
QRect horizontalLine(int x1, int x2, int y)
{
    return QRect(QPoint(std::min(x1, x2), y), QPoint(std::max(x1, x2), y));
}

} // namespace

FastGridTableView::FastGridTableView(QWidget* parent)
    : QTableView(parent)
{
    updateGridMode();
    updateRowStyle();
}

void FastGridTableView::setGridLineStyle(Qt::PenStyle style)
{
    m_style = style;
    updateGridMode();
}

void FastGridTableView::setLeanPaintingEnabled(bool enabled)
{
    m_enabled = enabled;
    updateGridMode();
    updateRowStyle();
}

// The view gets a style of its own over the application's, which it keeps if the application
// later switches styles (Spindle never does).
void FastGridTableView::updateRowStyle()
{
    const bool wanted = m_enabled && (m_rowStyle || LeanRowStyle::suits(QApplication::style()));
    if (wanted == (m_rowStyle != nullptr))
        return;
    if (wanted) {
        m_rowStyle = new LeanRowStyle(QApplication::style()->name());
        m_rowStyle->setParent(this);
        setStyle(m_rowStyle);
    } else {
        setStyle(nullptr); // the application's style again
        delete m_rowStyle;
        m_rowStyle = nullptr;
    }
}

// The colour QTableView::paintEvent gives its grid pen.
QColor FastGridTableView::gridColor() const
{
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    return QColor::fromRgba(
        static_cast<QRgb>(style()->styleHint(QStyle::SH_Table_GridLineColor, &option, this)));
}

void FastGridTableView::updateGridMode()
{
    m_fast = m_enabled && m_style == Qt::SolidLine && gridColor().alpha() == 255;
    const Qt::PenStyle wanted = m_fast ? Qt::NoPen : m_style;
    if (gridStyle() != wanted)
        setGridStyle(wanted);
}

void FastGridTableView::changeEvent(QEvent* event)
{
    QTableView::changeEvent(event);
    if (event->type() == QEvent::StyleChange || event->type() == QEvent::PaletteChange)
        updateGridMode();
}

void FastGridTableView::paintEvent(QPaintEvent* event)
{
    QTableView::paintEvent(event);
    if (!m_fast || !showGrid() || horizontalHeader()->count() == 0 || verticalHeader()->count() == 0)
        return;
    QPainter painter(viewport());
    const QColor color = gridColor();
    for (const QRect& dirty : event->region())
        paintGrid(painter, dirty, color);
}

// QTableView::paintEvent's grid, line for line: a row's line under its last pixel row across the
// dirty rectangle, a column's line on its last pixel column (its first one right to left) down
// the dirty rectangle, both only within the table's content.
void FastGridTableView::paintGrid(QPainter& painter, const QRect& rect, const QColor& color) const
{
    const QHeaderView* rows = verticalHeader();
    const QHeaderView* columns = horizontalHeader();
    const bool rightToLeft = isRightToLeft();
    const int contentRight = columns->length() - columns->offset() - (rightToLeft ? 0 : 1);
    const int contentBottom = rows->length() - rows->offset() - 1;
    QRect dirty = rect;
    dirty.setBottom(std::min(dirty.bottom(), contentBottom));
    if (rightToLeft)
        dirty.setLeft(std::max(dirty.left(), viewport()->width() - contentRight));
    else
        dirty.setRight(std::min(dirty.right(), contentRight));

    int left = columns->visualIndexAt(dirty.left());
    int right = columns->visualIndexAt(dirty.right());
    if (rightToLeft)
        std::swap(left, right);
    if (left == -1)
        left = 0;
    if (right == -1)
        right = columns->count() - 1;
    int bottom = rows->visualIndexAt(dirty.bottom());
    if (bottom == -1)
        bottom = rows->count() - 1;
    const int top = rows->visualIndexAt(dirty.top());
    if (top == -1 || top > bottom)
        return;
    while (bottom > 0 && rows->isSectionHidden(rows->logicalIndex(bottom)))
        --bottom;

    for (int visual = top; visual <= bottom; ++visual) {
        const int row = rows->logicalIndex(visual);
        if (rows->isSectionHidden(row))
            continue;
        const int y = rowViewportPosition(row) + rowHeight(row) - 1;
        painter.fillRect(horizontalLine(dirty.left(), dirty.right(), y), color);
    }
    for (int visual = left; visual <= right; ++visual) {
        const int column = columns->logicalIndex(visual);
        if (columns->isSectionHidden(column))
            continue;
        const int x = columnViewportPosition(column) + (rightToLeft ? 0 : columnWidth(column) - 1);
        painter.fillRect(QRect(x, dirty.top(), 1, dirty.height()), color);
    }
    // Qt 6.4 draws no outer line at the first row or column when a header is hidden (the
    // tests compare).
}

} // namespace spindle::widgets
