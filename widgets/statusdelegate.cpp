#include "widgets/statusdelegate.h"

#include <QPainter>

namespace spindle::widgets {

namespace {

constexpr int kDotDiameter = 9;
constexpr int kRingWidth = 1; // around the dot of a selected row
constexpr int kRingBox = kDotDiameter + 2 * kRingWidth + 1; // with room for the anti-aliased edge
constexpr int kLabelIndent = 18; // the label starts 21 px in: this plus the text margin

} // namespace

StatusDelegate::StatusDelegate(int statusRole, QObject* parent)
    : CellTextDelegate(parent)
    , m_statusRole(statusRole)
{
}

QColor StatusDelegate::statusColor(const QString& status)
{
    if (status == QLatin1String("success"))
        return QColor(0x2e, 0x9e, 0x5b);
    if (status == QLatin1String("error"))
        return QColor(0xd9, 0x3f, 0x3f);
    if (status == QLatin1String("descendant_error"))
        return QColor(0xe0, 0x8a, 0x1e);
    if (status == QLatin1String("running"))
        return QColor(0x3b, 0x7d, 0xd8);
    return QColor(0x9a, 0x9a, 0x9a);
}

// `ring` (when valid) circles the dot: on a selected row the selection's text colour, so a dot
// whose colour is close to the selection's (running, blue on blue) still stands out.
QPixmap StatusDelegate::dot(const QColor& color, const QColor& ring, qreal devicePixelRatio) const
{
    if (devicePixelRatio != m_dotsRatio) {
        m_dots.clear();
        m_dotsRatio = devicePixelRatio;
    }
    const quint64 key = quint64(color.rgba()) << 32 | (ring.isValid() ? ring.rgba() : 0);
    auto it = m_dots.find(key);
    if (it != m_dots.end())
        return *it;
    QPixmap pixmap(QSize(kRingBox, kRingBox) * devicePixelRatio);
    pixmap.setDevicePixelRatio(devicePixelRatio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    if (ring.isValid()) {
        painter.setBrush(ring);
        painter.drawEllipse(QRect(0, 0, kDotDiameter + 2 * kRingWidth, kDotDiameter + 2 * kRingWidth));
    }
    painter.setBrush(color);
    painter.drawEllipse(QRect(kRingWidth, kRingWidth, kDotDiameter, kDotDiameter));
    painter.end();
    return *m_dots.insert(key, pixmap);
}

void StatusDelegate::paint(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QString status = index.data(m_statusRole).toString();
    if (status.isEmpty()) {
        CellTextDelegate::paint(painter, option, index);
        return;
    }
    // The label right of the dot, then the strip under the dot with the same selection.
    QStyleOptionViewItem label = option;
    label.rect.setLeft(option.rect.left() + kLabelIndent);
    CellTextDelegate::paint(painter, label, index);
    const bool selected = option.state & QStyle::State_Selected;
    if (selected)
        painter->fillRect(QRect(option.rect.left(), option.rect.top(), kLabelIndent, option.rect.height()),
            option.palette.brush(panelColorGroup(option), QPalette::Highlight));
    const QColor ring =
        selected ? option.palette.color(panelColorGroup(option), QPalette::HighlightedText) : QColor();
    const QPoint at(
        option.rect.left() + 6 - kRingWidth, option.rect.center().y() - kDotDiameter / 2 - kRingWidth);
    painter->drawPixmap(at, dot(statusColor(status), ring, painter->device()->devicePixelRatioF()));
}

} // namespace spindle::widgets
