// TimelineWidget: painting (the axis, the lanes and their bars, the hover and selection outlines,
// the selected range).
#include "widgets/timelinewidget.h"

#include <QPaintEvent>
#include <QPainter>

#include <cmath>

namespace spindle::widgets {

void TimelineWidget::paintEvent(QPaintEvent* event)
{
    QPainter p(this);
    p.fillRect(event->rect(), palette().base());
    if (m_layout.spanCount() == 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(
            rect(), Qt::AlignCenter, m_pendingBuild ? tr("Laying out calls…") : tr("No calls to show"));
        return;
    }
    const int offset = verticalOffset() - kLanesPad;
    const int first = std::max(0, offset / kLanePitch);
    const int last = std::min(m_layout.laneCount() - 1, (offset + lanesRect().height()) / kLanePitch);
    p.save();
    p.setClipRect(lanesRect().intersected(event->rect()));
    for (int lane = first; lane <= last; ++lane) { // odd tree depths get a shaded band
        if (m_layout.laneDepth(lane) % 2)
            p.fillRect(0, laneTop(lane) - 1, width(), kLanePitch, palette().alternateBase());
    }
    p.restore();
    paintAxis(p);
    p.save();
    p.setClipRect(lanesRect().intersected(event->rect()));
    for (int lane = first; lane <= last; ++lane) {
        const QRect laneRect(0, laneTop(lane), plotRect().width(), kLaneHeight);
        if (laneRect.intersects(event->rect()))
            paintLane(p, lane);
    }
    const QColor text = palette().color(QPalette::Text);
    if (m_hover >= 0)
        paintOutline(p, m_hover, QColor(text.red(), text.green(), text.blue(), 120), 1);
    paintOutline(p, m_layout.indexOfId(m_selectedId), text, 2);
    p.restore();
    paintRange(p);
}

void TimelineWidget::paintAxis(QPainter& p) const
{
    const QRect plot = plotRect();
    p.fillRect(QRect(0, 0, width(), kAxisHeight), palette().window());
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(0, kAxisHeight - 1, width(), kAxisHeight - 1);
    const double step = timelineTickStep(m_view.msPerPixel());
    const double origin = double(m_layout.startMs());
    QColor grid = palette().color(QPalette::Mid);
    grid.setAlpha(70);
    const QFontMetrics fm = fontMetrics();
    for (double k = std::ceil((m_view.startMs() - origin) / step);; k += 1) {
        const double x = std::round(xForTime(origin + k * step));
        if (x > plot.right())
            break;
        p.setPen(palette().color(QPalette::WindowText));
        p.drawLine(QPointF(x, kAxisHeight - 6), QPointF(x, kAxisHeight - 1));
        const QString label = timelineTickLabel(k * step, step);
        if (x + 3 + fm.horizontalAdvance(label) <= plot.right())
            p.drawText(QPointF(x + 3, kAxisHeight - 8 - fm.descent()), label);
        p.setPen(grid);
        p.drawLine(QPointF(x, kAxisHeight), QPointF(x, plot.bottom()));
    }
}

// One lane: bars at least a pixel long are drawn as they are; thinner spans become 1-px marks, at
// most one per pixel column (the layout folds the rest), red if any folded span failed.
void TimelineWidget::paintLane(QPainter& p, int lane) const
{
    const int y = laneTop(lane);
    const double mpp = m_view.msPerPixel();
    const double limit = plotRect().width() + 2.0;
    const qint64 t0 = qint64(std::floor(m_view.startMs()));
    const qint64 t1 = qint64(std::ceil(m_view.endMs()));
    double lastMark = -1e9;
    m_layout.forEachSpanMerged(lane, t0, t1, m_view.startMs(), mpp, [&](int i, bool foldedError) {
        const qint64 start = m_layout.span(i).startMs;
        const qint64 end = m_layout.effectiveEnd(i);
        const double x0 = (double(start) - m_view.startMs()) / mpp;
        if (foldedError) {
            p.fillRect(QRectF(std::floor(x0), y, 1, kLaneHeight), m_statusColors[int(TimelineStatus::Error)]);
        } else if (double(end - start) < mpp) { // thin: the same test the layout folds by
            if (std::floor(x0) == lastMark)
                return;
            lastMark = std::floor(x0);
            p.fillRect(QRectF(lastMark, y, 1, kLaneHeight), spanColor(i));
        } else {
            const double left = std::max(x0, -2.0);
            const double right = std::min((double(end) - m_view.startMs()) / mpp, limit);
            paintBar(p, i, QRectF(left, y, right - left, kLaneHeight));
        }
    });
}

void TimelineWidget::paintBar(QPainter& p, int index, const QRectF& bar) const
{
    const QColor color = spanColor(index);
    const bool running = m_layout.isRunning(index);
    if (running) {
        p.fillRect(bar, color.lighter(165));
        p.fillRect(bar, QBrush(color, Qt::BDiagPattern));
    } else {
        p.fillRect(bar, color);
    }
    if (bar.width() >= 4) // a darker leading edge separates abutting siblings
        p.fillRect(QRectF(bar.left(), bar.top(), 1, bar.height()), color.darker(140));
    if (bar.width() < 24)
        return;
    const QRectF visible = bar.intersected(QRectF(0, bar.top(), plotRect().width(), bar.height()));
    const QRectF textRect = visible.adjusted(4, 0, -3, 0);
    const QString text =
        fontMetrics().elidedText(m_layout.span(index).label, Qt::ElideRight, int(textRect.width()));
    if (text.isEmpty() || text == QStringLiteral("…"))
        return;
    p.setPen(running ? palette().color(QPalette::Text) : QColor(Qt::white));
    p.drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft, text);
}

void TimelineWidget::paintOutline(QPainter& p, int index, const QColor& color, qreal width) const
{
    QRectF r = spanRect(index);
    if (r.isEmpty())
        return;
    if (r.width() < 5) // keep the outline of a 1-px span visible
        r.adjust(-2, 0, 2, 0);
    p.setPen(QPen(color, width));
    p.setBrush(Qt::NoBrush);
    p.drawRect(r.adjusted(width / 2, width / 2, -width / 2, -width / 2));
}

void TimelineWidget::paintRange(QPainter& p) const
{
    if (!m_hasRange)
        return;
    const QRect plot = plotRect();
    const double x0 = std::clamp(xForTime(double(m_rangeStart)), -1.0, plot.width() + 1.0);
    const double x1 = std::clamp(xForTime(double(m_rangeEnd)), -1.0, plot.width() + 1.0);
    QColor fill = palette().color(QPalette::Highlight);
    p.setPen(fill);
    p.drawLine(QPointF(x0, 0), QPointF(x0, plot.bottom()));
    p.drawLine(QPointF(x1, 0), QPointF(x1, plot.bottom()));
    fill.setAlpha(45);
    p.fillRect(QRectF(x0, 0, std::max(1.0, x1 - x0), plot.height()), fill);
    const QString text = rangeText();
    const QFontMetrics fm = fontMetrics();
    const int w = fm.horizontalAdvance(text) + 14;
    const int left = std::clamp(int((x0 + x1) / 2) - w / 2, 2, std::max(2, plot.width() - w - 2));
    const QRect box(left, kAxisHeight + 4, w, fm.height() + 8);
    p.setPen(palette().color(QPalette::Highlight));
    p.setBrush(palette().toolTipBase());
    p.drawRoundedRect(QRectF(box).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
    p.setPen(palette().color(QPalette::ToolTipText));
    p.drawText(box, Qt::AlignCenter, text);
}

} // namespace spindle::widgets
