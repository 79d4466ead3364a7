#pragma once

#include <QWidget>

class QGridLayout;

namespace spindle::widgets {

// Items side by side in as many columns as fit (up to a maximum), in reading order; fewer
// columns when the widget is narrow. Its minimum width is one column's, so a narrow window
// stacks the dashboard's cards, panels and charts instead of cutting them off or scrolling
// sideways. Columns share the width evenly (or by the items' stretch, in a single row).
class ReflowGrid : public QWidget
{
    Q_OBJECT
public:
    explicit ReflowGrid(int maxColumns, QWidget* parent = nullptr);

    // `stretch` weighs the item's column while every item fits in one row.
    void addItem(QWidget* item, int stretch = 1);
    void setSpacing(int spacing);
    // Items get a column only when they can have this much (charts read badly narrower).
    void setMinimumItemWidth(int width);
    int columns() const
    {
        return m_columns;
    }
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    int columnsFor(int width) const;
    void relayout(int columns);

    QGridLayout* m_grid;
    QList<QWidget*> m_items;
    QList<int> m_stretch;
    int m_maxColumns;
    int m_minimumItemWidth = 0;
    int m_columns = 0;
};

} // namespace spindle::widgets
