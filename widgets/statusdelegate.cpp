#include "widgets/statusdelegate.h"

#include <QPainter>

namespace spindle::widgets {

namespace {

constexpr int kDotDiameter = 9;
constexpr int kDotBox = kDotDiameter + 1; // room for the anti-aliased edge
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

QPixmap StatusDelegate::dot(const QColor& color, qreal devicePixelRatio) const
{
    if (devicePixelRatio != m_dotsRatio) {
        m_dots.clear();
        m_dotsRatio = devicePixelRatio;
    }
    auto it = m_dots.find(color.rgba());
    if (it != m_dots.end())
        return *it;
    QPixmap pixmap(QSize(kDotBox, kDotBox) * devicePixelRatio);
    pixmap.setDevicePixelRatio(devicePixelRatio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QRect(0, 0, kDotDiameter, kDotDiameter));
    painter.end();
    return *m_dots.insert(color.rgba(), pixmap);
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
    if (option.state & QStyle::State_Selected)
        painter->fillRect(QRect(option.rect.left(), option.rect.top(), kLabelIndent, option.rect.height()),
            option.palette.brush(panelColorGroup(option), QPalette::Highlight));
    const QPoint at(option.rect.left() + 6, option.rect.center().y() - kDotDiameter / 2);
    painter->drawPixmap(at, dot(statusColor(status), painter->device()->devicePixelRatioF()));
}

} // namespace spindle::widgets
