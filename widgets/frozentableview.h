#pragma once

#include "widgets/fastgridtableview.h"

#include <QList>

namespace spindle::widgets {

// A table whose first columns stay put while the rest scroll sideways (the pinned Status and
// Name columns of the calls table). A second view overlays the left edge, sharing the model,
// the selection and the vertical scroll position (Qt's frozen-column pattern).
class FrozenTableView : public FastGridTableView
{
    Q_OBJECT
public:
    explicit FrozenTableView(QWidget* parent = nullptr);

    void setModel(QAbstractItemModel* model) override;
    // Logical columns to pin, kept in this order at the left edge; empty unpins.
    void setPinnedColumns(const QList<int>& columns);
    QList<int> pinnedColumns() const
    {
        return m_pinned;
    }
    QTableView* pinnedView() const
    {
        return m_frozen;
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    QModelIndex moveCursor(CursorAction cursorAction, Qt::KeyboardModifiers modifiers) override;
    void scrollTo(const QModelIndex& index, ScrollHint hint = EnsureVisible) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    void syncColumns();
    void forwardOverlayInput();
    void syncSortIndicator();
    void updateFrozenGeometry();
    int pinnedWidth() const;
    int coveredWidth() const;

    FastGridTableView* m_frozen;
    QList<int> m_pinned;
    bool m_syncing = false;
};

} // namespace spindle::widgets
