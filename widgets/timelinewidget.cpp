#include "widgets/timelinewidget.h"

#include "widgets/backgroundpool.h"
#include "widgets/keyhelp.h"
#include "widgets/statusdelegate.h"

#include <QApplication>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QScrollBar>
#include <QThreadPool>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>
#include <optional>

namespace spindle::widgets {

namespace {

constexpr int kRangeClickSlop = 3; // a shorter drag is a click, not a range
constexpr double kWheelZoom = 0.8; // per wheel notch
constexpr double kKeyZoom = 1.5;

} // namespace

TimelineWidget::TimelineWidget(QWidget* parent)
    : QWidget(parent)
    , m_scroll(new QScrollBar(Qt::Vertical, this))
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_scroll->hide();
    connect(m_scroll, &QScrollBar::valueChanged, this, [this] { update(); });
    const char* names[] = { "success", "error", "descendant_error", "running", "" };
    for (int i = 0; i < 5; ++i)
        m_statusColors[i] = StatusDelegate::statusColor(QLatin1String(names[i]));
    declareKeys();
}

TimelineWidget::~TimelineWidget() = default;

void TimelineWidget::setSpans(const QVector<TimelineSpan>& spans)
{
    TimelineLayout layout;
    layout.setSpans(spans);
    setTimelineLayout(std::move(layout));
}

void TimelineWidget::setSpansInBackground(const QVector<TimelineSpan>& spans)
{
    replaceLayout({}); // show the "laying out" placeholder, not the previous trace
    m_pendingBuild = true;
    const quint64 generation = m_generation;
    buildTimelineLayoutAsync(spans, this, [this, generation](TimelineLayout layout) {
        if (generation == m_generation) // else a newer trace replaced this one meanwhile
            setTimelineLayout(std::move(layout));
    });
}

void TimelineWidget::setTimelineLayout(TimelineLayout layout, bool keepZoom)
{
    const bool whole = m_view.startMs() <= m_layout.startMs() && m_view.endMs() >= m_layout.endMs();
    const double startMs = m_view.startMs();
    const double endMs = m_view.endMs();
    const int scrolled = verticalOffset();
    const std::optional<std::pair<qint64, qint64>> range =
        m_hasRange ? std::optional(std::pair(m_rangeStart, m_rangeEnd)) : std::nullopt;
    replaceLayout(std::move(layout));
    if (keepZoom) { // the same trace, grown: the user's view of it stays, its range is summed anew
        if (!whole)
            setViewRange(startMs, endMs);
        setVerticalOffset(scrolled);
        if (range)
            setRange(range->first, range->second);
    }
    Q_EMIT layoutReady();
}

void TimelineWidget::replaceLayout(TimelineLayout layout)
{
    ++m_generation;
    m_pendingBuild = false;
    TimelineLayout old = std::exchange(m_layout, std::move(layout));
    // A 100k-call layout takes tens of ms to free: the pool does that, not the GUI thread.
    if (old.spanCount() > kFreeInBackgroundSpans)
        releaseInBackground(std::move(old));
    m_selectedId = -1;
    m_hover = -1;
    m_drag = Drag::None;
    m_hasRange = false;
    m_view.setTraceBounds(m_layout.startMs(), m_layout.endMs());
    updateScrollBar();
    m_scroll->setValue(0);
    zoomToFit();
    update();
}

void TimelineWidget::setSelectedId(int id, bool reveal)
{
    m_selectedId = id;
    const int index = m_layout.indexOfId(id);
    if (index >= 0 && reveal)
        ensureVisible(index);
    update();
}

void TimelineWidget::zoomToFit()
{
    viewMoved(m_view.fit());
}

void TimelineWidget::setViewRange(double startMs, double endMs)
{
    viewMoved(m_view.setRange(startMs, endMs));
}

void TimelineWidget::viewMoved(bool changed)
{
    if (!changed)
        return;
    update();
    Q_EMIT viewChanged();
}

int TimelineWidget::verticalOffset() const
{
    return m_scroll->value();
}

void TimelineWidget::setVerticalOffset(int pixels)
{
    m_scroll->setValue(pixels); // clamped to the scroll bar's range
}

void TimelineWidget::setRange(qint64 t0, qint64 t1)
{
    m_hasRange = true;
    m_rangeStart = std::min(t0, t1);
    m_rangeEnd = std::max(t0, t1);
    update();
    Q_EMIT rangeSelected(m_layout.summarize(m_rangeStart, m_rangeEnd), m_rangeStart, m_rangeEnd);
}

void TimelineWidget::clearRange()
{
    if (!m_hasRange)
        return;
    m_hasRange = false;
    update();
    Q_EMIT rangeCleared();
}

QString TimelineWidget::rangeText() const
{
    return m_hasRange ? m_layout.rangeText(m_rangeStart, m_rangeEnd) : QString();
}

QRect TimelineWidget::plotRect() const
{
    return QRect(0, 0, width() - (m_scroll->isHidden() ? 0 : m_scroll->width()), height());
}

QRect TimelineWidget::lanesRect() const
{
    return plotRect().adjusted(0, kAxisHeight, 0, 0);
}

int TimelineWidget::laneTop(int lane) const
{
    return kAxisHeight + kLanesPad + lane * kLanePitch - verticalOffset();
}

QRect TimelineWidget::spanRect(int index) const
{
    if (index < 0 || index >= m_layout.spanCount())
        return {};
    const double limit = plotRect().width() + 10.0;
    const double x0 = std::clamp(xForTime(double(m_layout.span(index).startMs)), -10.0, limit);
    const double x1 = std::clamp(xForTime(double(m_layout.effectiveEnd(index))), x0 + 1, limit + 1);
    const int left = int(std::floor(x0));
    const int top = laneTop(m_layout.laneOf(index));
    const QRect bar(left, top, std::max(1, int(std::ceil(x1)) - left), kLaneHeight);
    return bar.intersected(lanesRect());
}

// The lane under pos, then the layout's hit test with a 3-px tolerance for thin spans.
int TimelineWidget::spanIndexAt(const QPoint& pos) const
{
    if (!lanesRect().contains(pos))
        return -1;
    const int y = pos.y() - (kAxisHeight + kLanesPad) + verticalOffset();
    if (y < 0 || y % kLanePitch >= kLaneHeight)
        return -1;
    const qint64 time = qint64(std::llround(timeForX(pos.x() + 0.5)));
    const qint64 tolerance = qint64(std::ceil(3 * m_view.msPerPixel()));
    return m_layout.spanAt(time, y / kLanePitch, tolerance);
}

// Scroll bar range and visibility for the lanes, then the plot width it leaves.
void TimelineWidget::updateScrollBar()
{
    const int available = std::max(0, height() - kAxisHeight);
    const int total = m_layout.laneCount() * kLanePitch + 2 * kLanesPad;
    const int barWidth = m_scroll->sizeHint().width();
    m_scroll->setGeometry(width() - barWidth, kAxisHeight, barWidth, available);
    m_scroll->setRange(0, std::max(0, total - available));
    m_scroll->setPageStep(std::max(1, available));
    m_scroll->setSingleStep(kLanePitch);
    m_scroll->setVisible(total > available);
    viewMoved(m_view.setWidth(plotRect().width()));
}

// Scrolls the span's lane into view, and its time into the window (TimelineViewport::reveal).
void TimelineWidget::ensureVisible(int index)
{
    const int top = laneTop(m_layout.laneOf(index)) + verticalOffset() - kAxisHeight;
    const int viewHeight = lanesRect().height();
    if (top < verticalOffset())
        setVerticalOffset(top - kLanesPad);
    else if (top + kLanePitch > verticalOffset() + viewHeight)
        setVerticalOffset(top + kLanePitch - viewHeight);
    viewMoved(m_view.reveal(double(m_layout.span(index).startMs), double(m_layout.effectiveEnd(index))));
}

void TimelineWidget::setHover(int index)
{
    if (index == m_hover)
        return;
    update(spanRect(m_hover).adjusted(-3, -3, 3, 3));
    m_hover = index;
    update(spanRect(m_hover).adjusted(-3, -3, 3, 3));
}

QColor TimelineWidget::spanColor(int index) const
{
    return m_statusColors[int(m_layout.status(index))];
}

bool TimelineWidget::event(QEvent* event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    const auto* help = static_cast<QHelpEvent*>(event);
    const int index = spanIndexAt(help->pos());
    if (index >= 0)
        QToolTip::showText(help->globalPos(), toolTipText(index), this, spanRect(index));
    else
        QToolTip::hideText();
    return true;
}

void TimelineWidget::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    updateScrollBar();
}

void TimelineWidget::mousePressEvent(QMouseEvent* event)
{
    m_pressPos = event->position().toPoint();
    m_pressViewStart = m_view.startMs();
    m_pressScroll = verticalOffset();
    m_pressIndex = -1;
    if (event->button() == Qt::MiddleButton) {
        m_drag = Drag::Pan;
    } else if (event->button() != Qt::LeftButton) {
        return QWidget::mousePressEvent(event);
    } else if (m_pressPos.y() < kAxisHeight) {
        m_drag = Drag::Pan;
    } else if (event->modifiers() & Qt::ShiftModifier) {
        m_drag = Drag::Range;
    } else {
        m_pressIndex = spanIndexAt(m_pressPos);
        m_drag = m_pressIndex >= 0 ? Drag::PendingClick : Drag::Range;
    }
    if (m_drag == Drag::Pan)
        setCursor(Qt::ClosedHandCursor);
}

// Hover without a button; otherwise the drag started in mousePressEvent. A press on a bar that
// moves past the drag distance becomes a pan.
void TimelineWidget::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    const QPoint delta = pos - m_pressPos;
    if (m_drag == Drag::PendingClick && delta.manhattanLength() >= QApplication::startDragDistance()) {
        m_drag = Drag::Pan;
        setCursor(Qt::ClosedHandCursor);
    }
    if (m_drag == Drag::None) {
        setHover(spanIndexAt(pos));
    } else if (m_drag == Drag::Pan) {
        const double start = m_pressViewStart - delta.x() * m_view.msPerPixel();
        setViewRange(start, start + (m_view.endMs() - m_view.startMs()));
        setVerticalOffset(m_pressScroll - delta.y());
    } else if (m_drag == Drag::Range && std::abs(delta.x()) >= kRangeClickSlop) {
        m_hasRange = true;
        m_rangeStart = std::llround(timeForX(std::min(pos.x(), m_pressPos.x())));
        m_rangeEnd = std::llround(timeForX(std::max(pos.x(), m_pressPos.x())));
        update();
    }
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent* event)
{
    const Drag drag = std::exchange(m_drag, Drag::None);
    unsetCursor();
    const int x = int(event->position().x());
    if (drag == Drag::PendingClick && m_pressIndex >= 0) {
        m_selectedId = m_layout.span(m_pressIndex).id;
        update();
        Q_EMIT spanClicked(m_selectedId);
    } else if (drag == Drag::Range && std::abs(x - m_pressPos.x()) < kRangeClickSlop) {
        clearRange();
    } else if (drag == Drag::Range) {
        setRange(std::llround(timeForX(m_pressPos.x())), std::llround(timeForX(x)));
    }
}

void TimelineWidget::mouseDoubleClickEvent(QMouseEvent* event)
{
    const int index = spanIndexAt(event->position().toPoint());
    if (index < 0)
        return QWidget::mouseDoubleClickEvent(event);
    const double start = double(m_layout.span(index).startMs);
    const double end = double(m_layout.effectiveEnd(index));
    const double pad = std::max((end - start) * 0.05, 1.0);
    setViewRange(start - pad, end + pad);
}

void TimelineWidget::wheelEvent(QWheelEvent* event)
{
    const QPoint d = event->angleDelta();
    const Qt::KeyboardModifiers mods = event->modifiers();
    if (mods & Qt::ShiftModifier) {
        const int steps = d.y() != 0 ? d.y() : d.x();
        setVerticalOffset(verticalOffset() - steps * 3 * kLanePitch / 120);
    } else if ((mods & Qt::ControlModifier) || std::abs(d.x()) > std::abs(d.y())) {
        const int steps = (mods & Qt::ControlModifier) && d.y() != 0 ? d.y() : d.x();
        viewMoved(m_view.panBy(-steps / 120.0 * m_view.width() / 8));
    } else if (d.y() != 0) {
        viewMoved(m_view.zoomBy(std::pow(kWheelZoom, d.y() / 120.0), event->position().x()));
    }
    event->accept();
}

// keyPressEvent's keys, for the shortcut sheet: the two change together.
void TimelineWidget::declareKeys()
{
    setKeyHelp(this,
        { { { Qt::Key_Plus, Qt::Key_Minus }, tr("Timeline: zoom in, zoom out") },
            { { Qt::Key_Left, Qt::Key_Right }, tr("Timeline: move back, move on in time") },
            { { Qt::Key_Up, Qt::Key_Down, Qt::Key_PageUp, Qt::Key_PageDown },
                tr("Timeline: scroll the lanes") },
            { { Qt::Key_0 }, tr("Timeline: fit the whole trace") },
            { { Qt::Key_Escape }, tr("Timeline: clear the chosen time range") } });
}

void TimelineWidget::keyPressEvent(QKeyEvent* event)
{
    const int key = event->key();
    const double middle = m_view.width() / 2.0;
    const int page = m_scroll->pageStep();
    if (key == Qt::Key_Plus || key == Qt::Key_Equal)
        viewMoved(m_view.zoomBy(1 / kKeyZoom, middle));
    else if (key == Qt::Key_Minus || key == Qt::Key_Underscore)
        viewMoved(m_view.zoomBy(kKeyZoom, middle));
    else if (key == Qt::Key_Left || key == Qt::Key_Right)
        viewMoved(m_view.panBy((key == Qt::Key_Left ? -1 : 1) * m_view.width() / 8.0));
    else if (key == Qt::Key_Up || key == Qt::Key_Down)
        setVerticalOffset(verticalOffset() + (key == Qt::Key_Up ? -kLanePitch : kLanePitch));
    else if (key == Qt::Key_PageUp || key == Qt::Key_PageDown)
        setVerticalOffset(verticalOffset() + (key == Qt::Key_PageUp ? -page : page));
    else if (key == Qt::Key_0)
        zoomToFit();
    else if (key == Qt::Key_Escape && m_hasRange)
        clearRange();
    else
        return QWidget::keyPressEvent(event);
}

void TimelineWidget::leaveEvent(QEvent* event)
{
    setHover(-1);
    QWidget::leaveEvent(event);
}

} // namespace spindle::widgets
