#include "widgets/latencybardelegate.h"

#include "widgets/statusdelegate.h"

#include <QPainter>

namespace spindle::widgets {

LatencyBarDelegate::LatencyBarDelegate(int offsetRole, int fractionRole, int statusRole, QObject* parent)
    : QStyledItemDelegate(parent)
    , m_offsetRole(offsetRole)
    , m_fractionRole(fractionRole)
    , m_statusRole(statusRole)
{
}

void LatencyBarDelegate::paint(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    if (QStyle* style = opt.widget ? opt.widget->style() : nullptr) {
        const QString text = opt.text;
        opt.text.clear();
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
        opt.text = text;
    }
    const double offset = std::clamp(index.data(m_offsetRole).toDouble(), 0.0, 1.0);
    const double fraction = std::clamp(index.data(m_fractionRole).toDouble(), 0.0, 1.0 - offset);
    const QRect area = opt.rect.adjusted(3, opt.rect.height() / 2 + 3, -3, -2);
    QColor color = StatusDelegate::statusColor(index.data(m_statusRole).toString());
    color.setAlpha(110);
    const int x = area.left() + int(offset * area.width());
    const int width = std::max(2, int(fraction * area.width()));
    painter->save();
    painter->fillRect(QRect(x, area.top(), width, std::max(3, area.height())), color);
    painter->setPen(
        opt.palette.color(opt.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text));
    painter->drawText(
        opt.rect.adjusted(3, 0, -3, -opt.rect.height() / 3), Qt::AlignRight | Qt::AlignVCenter, opt.text);
    painter->restore();
}

} // namespace spindle::widgets
