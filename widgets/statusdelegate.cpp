#include "widgets/statusdelegate.h"

#include <QPainter>

namespace spindle::widgets {

StatusDelegate::StatusDelegate(int statusRole, QObject* parent)
    : QStyledItemDelegate(parent)
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

void StatusDelegate::paint(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QString status = index.data(m_statusRole).toString();
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    QStyle* style = opt.widget ? opt.widget->style() : nullptr;
    if (style)
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    if (status.isEmpty())
        return;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const int diameter = 9;
    const QRect dot(opt.rect.left() + 6, opt.rect.center().y() - diameter / 2, diameter, diameter);
    painter->setPen(Qt::NoPen);
    painter->setBrush(statusColor(status));
    painter->drawEllipse(dot);
    painter->setPen(
        opt.palette.color(opt.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text));
    const QRect textRect = opt.rect.adjusted(diameter + 12, 0, -2, 0);
    painter->drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft,
        opt.fontMetrics.elidedText(text, Qt::ElideRight, textRect.width()));
    painter->restore();
}

} // namespace spindle::widgets
