#include "widgets/latencybardelegate.h"

#include "widgets/statusdelegate.h"

#include <QPainter>

namespace spindle::widgets {
namespace {

constexpr int kBarHeight = 3;
constexpr int kBarBottomMargin = 1; // between the bar and the row's bottom edge
constexpr int kTextGap = 1; // between the text's line and the bar
constexpr int kSideMargin = 3;

// The text stays centred in the row, on the other columns' baseline, so the row has a band of this
// height under the text for the bar and the same above it.
int barBand()
{
    return kBarHeight + kBarBottomMargin + kTextGap;
}

} // namespace

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
    const QRect inner = opt.rect.adjusted(kSideMargin, 0, -kSideMargin, 0);
    QColor color = StatusDelegate::statusColor(index.data(m_statusRole).toString());
    color.setAlpha(110);
    const int x = inner.left() + int(offset * inner.width());
    const int width = std::max(2, int(fraction * inner.width()));
    const int barTop = opt.rect.bottom() - kBarBottomMargin - kBarHeight + 1;
    painter->save();
    painter->fillRect(QRect(x, barTop, width, kBarHeight), color);
    painter->setPen(
        opt.palette.color(opt.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text));
    painter->drawText(inner, Qt::AlignRight | Qt::AlignVCenter, opt.text);
    painter->restore();
}

QSize LatencyBarDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(std::max(size.height(), option.fontMetrics.height() + 2 * barBand()));
    return size;
}

} // namespace spindle::widgets
