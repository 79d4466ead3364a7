#include "widgets/navicons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

#include <iterator>

namespace spindle::widgets {
namespace {

// Each picture is drawn on a 16×16 grid; the painter's scale gives the 2× pixmap.
void drawTraces(QPainter& p)
{
    // A root and two indented children: the trace tree.
    p.drawLine(QPointF(2, 3.5), QPointF(14, 3.5));
    p.drawLine(QPointF(6, 8), QPointF(14, 8));
    p.drawLine(QPointF(6, 12.5), QPointF(14, 12.5));
    p.drawPolyline(QPolygonF({ QPointF(3.5, 5), QPointF(3.5, 12.5), QPointF(4.5, 12.5) }));
    p.drawLine(QPointF(3.5, 8), QPointF(4.5, 8));
}

void drawCosts(QPainter& p)
{
    // Bars over time.
    p.drawLine(QPointF(1.5, 14.5), QPointF(14.5, 14.5));
    p.drawRect(QRectF(2.5, 8.5, 2.5, 4));
    p.drawRect(QRectF(6.75, 4.5, 2.5, 8));
    p.drawRect(QRectF(11, 6.5, 2.5, 6));
}

void drawPrices(QPainter& p)
{
    // A price tag.
    QPainterPath tag;
    tag.moveTo(8.5, 1.5);
    tag.lineTo(14.5, 1.5);
    tag.lineTo(14.5, 7.5);
    tag.lineTo(7.5, 14.5);
    tag.lineTo(1.5, 8.5);
    tag.closeSubpath();
    p.drawPath(tag);
    p.drawEllipse(QPointF(11.5, 4.5), 1, 1);
}

void drawPlayground(QPainter& p)
{
    // A chat bubble with a play mark: one prompt, run.
    QPainterPath bubble;
    bubble.addRoundedRect(QRectF(1.5, 2, 13, 9.5), 2.5, 2.5);
    bubble.moveTo(4.5, 11.5);
    bubble.lineTo(3.5, 14.5);
    bubble.lineTo(7.5, 11.5);
    p.drawPath(bubble);
    p.setBrush(p.pen().color());
    p.drawPolygon(QPolygonF({ QPointF(6.5, 4.5), QPointF(10.5, 6.75), QPointF(6.5, 9) }));
}

void drawModels(QPainter& p)
{
    // A cube.
    p.drawPolygon(QPolygonF({ QPointF(8, 1.5), QPointF(14, 4.5), QPointF(14, 11.5), QPointF(8, 14.5),
        QPointF(2, 11.5), QPointF(2, 4.5) }));
    p.drawPolyline(QPolygonF({ QPointF(2, 4.5), QPointF(8, 7.5), QPointF(14, 4.5) }));
    p.drawLine(QPointF(8, 7.5), QPointF(8, 14.5));
}

// In NavIcon's order.
constexpr void (*kDrawings[])(QPainter&) = { drawTraces, drawCosts, drawPrices, drawPlayground, drawModels };
static_assert(std::size(kDrawings) == std::size_t(NavIcon::Models) + 1);

QPixmap render(NavIcon kind, const QColor& color, int scale)
{
    QPixmap pixmap(16 * scale, 16 * scale);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(scale, scale);
    p.setPen(QPen(color, 1.3, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.setBrush(Qt::NoBrush);
    kDrawings[int(kind)](p);
    p.end();
    pixmap.setDevicePixelRatio(scale);
    return pixmap;
}

} // namespace

QIcon navIcon(NavIcon kind, const QColor& color, const QColor& selectedColor)
{
    QIcon icon;
    for (int scale : { 1, 2 }) {
        icon.addPixmap(render(kind, color, scale), QIcon::Normal);
        icon.addPixmap(render(kind, selectedColor, scale), QIcon::Selected);
    }
    return icon;
}

} // namespace spindle::widgets
