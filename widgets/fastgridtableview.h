#pragma once

#include <QTableView>

namespace spindle::widgets {

class LeanRowStyle;

// A QTableView whose grid costs next to nothing to paint. QTableView draws its grid with a
// cosmetic pen, which the raster engine steps pixel by pixel: a sixth of a calls-table frame on a
// software raster (docs/benchmarks.md, C7). This view keeps the grid's 1 px gaps between cells
// (the grid pen is Qt::NoPen), then fills the same lines with solid rectangles: the same pixels,
// as tests/delegate/tst_fastgrid checks. A grid colour with alpha, or a grid style other than a
// solid line, is left to QTableView (rectangles drawn over each other would blend twice).
// Over Fusion or Windows it also paints the panel under each cell through LeanRowStyle, and
// paints the viewport's background itself, each pixel once: Qt fills the whole viewport with Base
// before every paint, then each alternate row's cells again (docs/benchmarks.md, C10). Its
// horizontal header is a StableHeaderView. The view does not support spans.
class FastGridTableView : public QTableView
{
    Q_OBJECT
public:
    explicit FastGridTableView(QWidget* parent = nullptr);

    // The grid style the view shows; QTableView's own is Qt::NoPen while the fast grid is on.
    void setGridLineStyle(Qt::PenStyle style);
    bool fastGrid() const
    {
        return m_fast;
    }
    bool leanRowPanels() const
    {
        return m_rowStyle != nullptr;
    }
    // Off: QTableView paints the grid and the style the row panels (the tests compare both).
    void setLeanPaintingEnabled(bool enabled);
    // While the view paints: the brush it has already given the alternate rows' cells, which
    // LeanRowStyle then leaves alone (null when it has not).
    const QBrush* paintedAlternateBrush() const
    {
        return m_alternatePainted ? &m_alternateBrush : nullptr;
    }

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;
    bool viewportEvent(QEvent* event) override;

private:
    QColor gridColor() const;
    void updateGridMode();
    void updateRowStyle();
    void updateBackgroundMode();
    void paintBackground(const QRegion& region);
    QRegion alternateRowBands(const QRect& dirty) const;
    QRect contentPart(const QRect& dirty) const;
    void paintGrid(QPainter& painter, const QRect& dirty, const QColor& color) const;

    Qt::PenStyle m_style = Qt::SolidLine;
    bool m_enabled = true;
    bool m_fast = false;
    LeanRowStyle* m_rowStyle = nullptr; // the view's own style while it paints the row panels
    bool m_ownBackground = false; // the viewport's background is painted here, not by Qt
    bool m_alternatePainted = false;
    QBrush m_alternateBrush;
};

} // namespace spindle::widgets
