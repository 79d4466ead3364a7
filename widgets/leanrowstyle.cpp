#include "widgets/leanrowstyle.h"

#include "widgets/celltextdelegate.h"
#include "widgets/fastgridtableview.h"

#include <QPainter>
#include <QStyleOptionViewItem>

using namespace Qt::StringLiterals;

namespace spindle::widgets {

bool LeanRowStyle::suits(const QStyle* style)
{
    if (!style || qobject_cast<const LeanRowStyle*>(style))
        return false;
    const QString name = style->name();
    return name == "fusion"_L1 || name == "windows"_L1;
}

LeanRowStyle::LeanRowStyle(const QString& key)
    : QProxyStyle(key)
{
}

void LeanRowStyle::drawPrimitive(
    PrimitiveElement element, const QStyleOption* option, QPainter* painter, const QWidget* widget) const
{
    const auto* item = qstyleoption_cast<const QStyleOptionViewItem*>(option);
    if (element != PE_PanelItemViewRow || !item) {
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        return;
    }
    // QCommonStyle's PE_PanelItemViewRow, in the colour group the cell's own panel uses.
    const QPalette::ColorGroup group = CellTextDelegate::panelColorGroup(*item);
    if ((item->state & State_Selected)
        && proxy()->styleHint(SH_ItemView_ShowDecorationSelected, option, widget))
        painter->fillRect(item->rect, item->palette.brush(group, QPalette::Highlight));
    else if (item->features & QStyleOptionViewItem::Alternate)
        paintAlternate(*item, group, painter, widget);
}

// The view may have painted the alternate rows already, with this very brush.
void LeanRowStyle::paintAlternate(const QStyleOptionViewItem& item, QPalette::ColorGroup group,
    QPainter* painter, const QWidget* widget) const
{
    const QBrush& brush = item.palette.brush(group, QPalette::AlternateBase);
    const auto* view = qobject_cast<const FastGridTableView*>(widget);
    const QBrush* painted = view ? view->paintedAlternateBrush() : nullptr;
    if (!painted || *painted != brush)
        painter->fillRect(item.rect, brush);
}

} // namespace spindle::widgets
