#pragma once

#include "widgets/timelinelayout.h"

#include <QColor>
#include <QWidget>

class QScrollBar;

namespace spindle::widgets {

// The calls of one trace as a flame/waterfall on a time axis: lanes grouped in bands by tree depth
// (see TimelineLayout; odd depths are shaded), bars coloured by status, a tick axis on top.
// Mouse: wheel zooms around the cursor, Ctrl+wheel or a horizontal wheel pans, Shift+wheel scrolls
// lanes; left-drag on empty space (or Shift+drag anywhere) selects a time range; left-drag on a
// bar, middle-drag or any drag on the axis pans; click selects a bar, double-click zooms to it.
// Keys: +/- zoom, Left/Right pan, Up/Down/PgUp/PgDn scroll, 0 zooms to fit, Escape clears the
// range. Painting costs O(visible lanes x pixel columns), whatever the number of calls.
class TimelineWidget : public QWidget
{
    Q_OBJECT
public:
    explicit TimelineWidget(QWidget* parent = nullptr);
    ~TimelineWidget() override;

    // Replaces the trace: zooms to fit, clears selection, range and scroll. setSpans lays out on
    // the calling thread (about 0.5-1 us per call); setSpansInBackground lays out on the thread
    // pool and swaps the result in later (layoutReady), so 100k calls never stall the GUI; the
    // latest call wins. setTimelineLayout adopts a layout the caller built elsewhere.
    void setSpans(const QVector<TimelineSpan>& spans);
    void setSpansInBackground(const QVector<TimelineSpan>& spans);
    // keepZoom (a trace growing while it runs): a view the user zoomed into stays on the same
    // times, and one showing the whole trace shows the new whole; the scroll position and a
    // selected range stay too (rangeSelected again, with the new spans' sums).
    void setTimelineLayout(TimelineLayout layout, bool keepZoom = false);
    const TimelineLayout& timelineLayout() const
    {
        return m_layout;
    }
    bool isLayingOut() const
    {
        return m_pendingBuild;
    }

    // Highlights, and scrolls into view unless `reveal` is false (a rebuild keeping the selection:
    // the user's zoom and scroll stay); -1 clears; emits nothing.
    void setSelectedId(int id, bool reveal = true);
    int selectedId() const
    {
        return m_selectedId;
    }
    void zoomToFit();

    // View state: the visible time window (epoch ms, fractional) and the lanes' vertical offset.
    const TimelineViewport& viewport() const
    {
        return m_view;
    }
    double viewStartMs() const
    {
        return m_view.startMs();
    }
    double viewEndMs() const
    {
        return m_view.endMs();
    }
    void setViewRange(double startMs, double endMs); // clamped, see TimelineViewport
    int verticalOffset() const;
    void setVerticalOffset(int pixels);

    // The selected time range, if any. setRange emits rangeSelected, clearRange rangeCleared.
    bool hasRange() const
    {
        return m_hasRange;
    }
    qint64 rangeStartMs() const
    {
        return m_rangeStart;
    }
    qint64 rangeEndMs() const
    {
        return m_rangeEnd;
    }
    void setRange(qint64 t0, qint64 t1);
    void clearRange();

    // Geometry, for tests and overlays: a span's bar in widget coordinates clipped to the lanes
    // area (empty when scrolled out of view), the span under a point (or -1), the time axis.
    QRect spanRect(int index) const;
    int spanIndexAt(const QPoint& pos) const;
    double xForTime(double timeMs) const
    {
        return m_view.xForTime(timeMs);
    }
    double timeForX(double x) const
    {
        return m_view.timeForX(x);
    }
    QRect lanesRect() const;
    QString toolTipText(int index) const
    {
        return m_layout.toolTip(index);
    }
    QString rangeText() const; // the band's label, empty without a range

    QSize sizeHint() const override
    {
        return { 800, 300 };
    }
    QSize minimumSizeHint() const override
    {
        return { 200, kAxisHeight + 2 * kLanePitch };
    }

    static constexpr int kAxisHeight = 24;
    static constexpr int kLanesPad = 3; // space between the axis and the first lane
    static constexpr int kLaneHeight = 18;
    static constexpr int kLanePitch = 21; // lane height plus the gap below it
    static constexpr int kFreeInBackgroundSpans = 5000; // bigger replaced layouts are freed on the pool

Q_SIGNALS:
    void spanClicked(int id);
    void rangeSelected(const spindle::widgets::TimelineRangeSummary& summary, qint64 t0, qint64 t1);
    void rangeCleared();
    void viewChanged();
    void layoutReady(); // a new trace is in place (after any of the three setters)

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void declareKeys();
    enum class Drag
    {
        None,
        PendingClick,
        Pan,
        Range
    };

    void replaceLayout(TimelineLayout layout);
    QRect plotRect() const;
    int laneTop(int lane) const;
    void updateScrollBar();
    void viewMoved(bool changed);
    void ensureVisible(int index);
    void setHover(int index);
    QColor spanColor(int index) const;

    void paintAxis(QPainter& p) const;
    void paintLane(QPainter& p, int lane) const;
    void paintBar(QPainter& p, int index, const QRectF& bar) const;
    void paintOutline(QPainter& p, int index, const QColor& color, qreal width) const;
    void paintRange(QPainter& p) const;

    TimelineLayout m_layout;
    TimelineViewport m_view;
    QColor m_statusColors[5]; // by TimelineStatus
    QScrollBar* m_scroll;
    quint64 m_generation = 0; // of the latest setSpans*; stale background layouts are dropped
    bool m_pendingBuild = false;
    int m_selectedId = -1;
    int m_hover = -1;
    bool m_hasRange = false;
    qint64 m_rangeStart = 0;
    qint64 m_rangeEnd = 0;
    Drag m_drag = Drag::None;
    QPoint m_pressPos;
    double m_pressViewStart = 0;
    int m_pressScroll = 0;
    int m_pressIndex = -1;
};

} // namespace spindle::widgets
