#include "widgets/fastgridtableview.h"

#include "widgets/celltextdelegate.h"
#include "widgets/leanrowstyle.h"
#include "widgets/stableheaderview.h"

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

// A brush that paints every pixel the same whatever lies beneath: filling once is filling twice.
bool isSolidOpaque(const QBrush& brush)
{
    return brush.style() == Qt::SolidPattern && brush.isOpaque();
}

bool solidInEveryGroup(const QPalette& palette, QPalette::ColorRole role)
{
    for (const auto group : { QPalette::Active, QPalette::Inactive, QPalette::Disabled })
        if (!isSolidOpaque(palette.brush(group, role)))
            return false;
    return true;
}

} // namespace

FastGridTableView::FastGridTableView(QWidget* parent)
    : QTableView(parent)
{
    setHorizontalHeader(new StableHeaderView(this));
    updateGridMode();
    updateRowStyle();
    updateBackgroundMode();
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
    updateBackgroundMode();
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

// Qt fills the viewport with its background before each paint event, and the row panels fill the
// alternate rows' cells again. With a plain opaque background the view fills each pixel once
// instead; anything else (a texture, a translucent colour, a style sheet's background) stays Qt's.
void FastGridTableView::updateBackgroundMode()
{
    QWidget* area = viewport();
    const bool own = m_enabled && !area->testAttribute(Qt::WA_StyledBackground)
        && solidInEveryGroup(area->palette(), area->backgroundRole());
    if (own == m_ownBackground)
        return;
    m_ownBackground = own;
    area->setAutoFillBackground(!own);
    area->setAttribute(Qt::WA_OpaquePaintEvent, own);
}

void FastGridTableView::changeEvent(QEvent* event)
{
    QTableView::changeEvent(event);
    if (event->type() == QEvent::StyleChange || event->type() == QEvent::PaletteChange) {
        updateGridMode();
        updateBackgroundMode();
    }
}

// A style sheet marks the viewport as styled when it polishes it, before this event.
bool FastGridTableView::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::StyleChange || event->type() == QEvent::PaletteChange)
        updateBackgroundMode();
    return QTableView::viewportEvent(event);
}

void FastGridTableView::paintEvent(QPaintEvent* event)
{
    if (m_ownBackground)
        paintBackground(event->region());
    QTableView::paintEvent(event);
    m_alternatePainted = false;
    if (!m_fast || !showGrid() || horizontalHeader()->count() == 0 || verticalHeader()->count() == 0)
        return;
    QPainter painter(viewport());
    const QColor color = gridColor();
    for (const QRect& dirty : event->region())
        paintGrid(painter, dirty, color);
}

// The viewport's background, and the alternate rows' panels where the cells will be: the panel
// covers the grid's pixels too, which the grid then paints over (only an opaque grid, or none).
void FastGridTableView::paintBackground(const QRegion& region)
{
    QPainter painter(viewport());
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    m_alternateBrush =
        option.palette.brush(CellTextDelegate::panelColorGroup(option), QPalette::AlternateBase);
    m_alternatePainted = m_rowStyle && alternatingRowColors() && (m_fast || !showGrid())
        && isSolidOpaque(m_alternateBrush) && itemDelegate() && horizontalHeader()->count() > 0
        && verticalHeader()->count() > 0;
    QRegion alternate;
    if (m_alternatePainted)
        for (const QRect& dirty : region)
            alternate += alternateRowBands(dirty);
    const QBrush base = viewport()->palette().brush(viewport()->backgroundRole());
    for (const QRect& rect : region - alternate)
        painter.fillRect(rect, base);
    for (const QRect& rect : alternate)
        painter.fillRect(rect, m_alternateBrush);
}

// The part of `rect` the table's rows and columns cover, as QTableView::paintEvent clips it.
QRect FastGridTableView::contentPart(const QRect& rect) const
{
    const QHeaderView* rows = verticalHeader();
    const QHeaderView* columns = horizontalHeader();
    const bool rightToLeft = isRightToLeft();
    const int contentRight = columns->length() - columns->offset() - (rightToLeft ? 0 : 1);
    const int contentBottom = rows->length() - rows->offset() - 1;
    QRect part = rect;
    part.setBottom(std::min(part.bottom(), contentBottom));
    if (rightToLeft)
        part.setLeft(std::max(part.left(), viewport()->width() - contentRight));
    else
        part.setRight(std::min(part.right(), contentRight));
    return part;
}

// The rows QTableView::paintEvent gives the Alternate feature within `rect`, as whole bands: the
// same first row and the same count of shown rows (from the viewport's top when rows are hidden).
QRegion FastGridTableView::alternateRowBands(const QRect& rect) const
{
    const QRect dirty = contentPart(rect);
    QRegion bands;
    if (!dirty.isValid())
        return bands;
    const QHeaderView* rows = verticalHeader();
    int bottom = rows->visualIndexAt(dirty.bottom());
    if (bottom == -1)
        bottom = rows->count() - 1;
    int top = 0;
    bool alternate = false;
    if (rows->sectionsHidden()) {
        for (int y = 0; (y += rows->sectionSize(top)) <= rows->offset() && top < bottom; ++top)
            alternate ^= !rows->isSectionHidden(rows->logicalIndex(top));
    } else {
        top = rows->visualIndexAt(dirty.top());
        alternate = top & 1;
    }
    if (top == -1 || top > bottom)
        return bands;
    for (int visual = top; visual <= bottom; ++visual) {
        const int row = rows->logicalIndex(visual);
        if (rows->isSectionHidden(row))
            continue;
        if (alternate)
            bands += QRect(dirty.left(), rowViewportPosition(row), dirty.width(), rowHeight(row)) & dirty;
        alternate = !alternate;
    }
    return bands;
}

// QTableView::paintEvent's grid, line for line: a row's line under its last pixel row across the
// dirty rectangle, a column's line on its last pixel column (its first one right to left) down
// the dirty rectangle, both only within the table's content.
void FastGridTableView::paintGrid(QPainter& painter, const QRect& rect, const QColor& color) const
{
    const QHeaderView* rows = verticalHeader();
    const QHeaderView* columns = horizontalHeader();
    const bool rightToLeft = isRightToLeft();
    const QRect dirty = contentPart(rect);

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
