#include "widgets/reflowgrid.h"

#include <QGridLayout>
#include <QResizeEvent>

#include <algorithm>

namespace spindle::widgets {

ReflowGrid::ReflowGrid(int maxColumns, QWidget* parent)
    : QWidget(parent)
    , m_grid(new QGridLayout(this))
    , m_maxColumns(std::max(1, maxColumns))
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    // The layout would make its current columns the widget's minimum width: the widget says it.
    m_grid->setSizeConstraint(QLayout::SetNoConstraint);
}

void ReflowGrid::addItem(QWidget* item, int stretch)
{
    m_items.append(item);
    m_stretch.append(stretch);
    relayout(columnsFor(width()));
}

void ReflowGrid::setSpacing(int spacing)
{
    m_grid->setSpacing(spacing);
    relayout(columnsFor(width()));
}

void ReflowGrid::setMinimumItemWidth(int width)
{
    m_minimumItemWidth = width;
    updateGeometry();
    relayout(columnsFor(this->width()));
}

QSize ReflowGrid::minimumSizeHint() const
{
    int widest = m_minimumItemWidth;
    for (const QWidget* item : m_items) // the width a layout gives it at least
        widest = std::max(widest, item->minimumSizeHint().expandedTo(item->minimumSize()).width());
    return { widest, m_grid->minimumSize().height() };
}

int ReflowGrid::columnsFor(int width) const
{
    const int item = std::max(1, minimumSizeHint().width());
    const int spacing = std::max(0, m_grid->spacing());
    const int fit = (width + spacing) / (item + spacing);
    return std::clamp(fit, 1, std::min(m_maxColumns, int(std::max<qsizetype>(1, m_items.size()))));
}

void ReflowGrid::relayout(int columns)
{
    if (m_items.isEmpty() || (columns == m_columns && m_grid->count() == m_items.size()))
        return;
    for (QWidget* item : std::as_const(m_items))
        m_grid->removeWidget(item);
    for (int column = 0; column < m_grid->columnCount(); ++column)
        m_grid->setColumnStretch(column, 0);
    const bool oneRow = columns >= m_items.size();
    for (qsizetype i = 0; i < m_items.size(); ++i)
        m_grid->addWidget(m_items[i], int(i / columns), int(i % columns));
    for (int column = 0; column < columns; ++column)
        m_grid->setColumnStretch(column, oneRow ? m_stretch[column] : 1);
    m_columns = columns;
    updateGeometry(); // the height follows the number of rows
}

void ReflowGrid::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    relayout(columnsFor(event->size().width()));
}

} // namespace spindle::widgets
