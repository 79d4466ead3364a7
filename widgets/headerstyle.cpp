#include "widgets/headerstyle.h"

#include <QHeaderView>
#include <QPainter>
#include <QProxyStyle>
#include <QStyleOptionHeaderV2>

namespace spindle::widgets {
namespace {

class HeaderStyle : public QProxyStyle
{
public:
    void drawControl(ControlElement element, const QStyleOption* option, QPainter* painter,
        const QWidget* widget) const override
    {
        const auto* header = qstyleoption_cast<const QStyleOptionHeader*>(option);
        if (element != CE_HeaderLabel || !header || !header->icon.isNull()) {
            QProxyStyle::drawControl(element, option, painter, widget);
            return;
        }
        QFont font = painter->font();
        font.setBold(font.bold() || header->state & State_On); // the style bolds a highlighted title
        const QString text =
            QFontMetrics(font).elidedText(header->text, Qt::ElideRight, header->rect.width());
        const auto drawElided = [&](auto elided) { // a copy of the option as it came, V2 or not
            elided.text = text;
            QProxyStyle::drawControl(element, &elided, painter, widget);
        };
        if (const auto* v2 = qstyleoption_cast<const QStyleOptionHeaderV2*>(option))
            drawElided(*v2);
        else
            drawElided(*header);
    }

    // The base style's plain arrows, which point where they say in every style, in the place and
    // colour the header gives its sort arrow.
    void drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
        const QWidget* widget) const override
    {
        const auto* header = qstyleoption_cast<const QStyleOptionHeader*>(option);
        if (element != PE_IndicatorHeaderArrow || !header
            || !(header->sortIndicator & (QStyleOptionHeader::SortUp | QStyleOptionHeader::SortDown))) {
            QProxyStyle::drawPrimitive(element, option, painter, widget);
            return;
        }
        const bool descending = header->sortIndicator & QStyleOptionHeader::SortUp; // QHeaderView's flag
        QProxyStyle::drawPrimitive(
            descending ? PE_IndicatorArrowDown : PE_IndicatorArrowUp, option, painter, widget);
    }
};

} // namespace

void applyHeaderStyle(QHeaderView* header)
{
    auto* style = new HeaderStyle; // on the application's style, which it does not own
    style->setParent(header);
    header->setStyle(style);
}

} // namespace spindle::widgets
