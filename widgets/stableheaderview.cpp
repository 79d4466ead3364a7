#include "widgets/stableheaderview.h"

#include <QPainter>
#include <QProxyStyle>
#include <QStyleOptionHeaderV2>

namespace spindle::widgets {
namespace {

// Qt 6.4's headers clip a title wider than its section at both ends ("nputs.temperatur"), whatever
// their elide mode: this style elides it on the right, as the cells are. The tooltip has it whole.
class ElidingHeaderStyle : public QProxyStyle
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
};

} // namespace

StableHeaderView::StableHeaderView(QWidget* parent)
    : QHeaderView(Qt::Horizontal, parent)
{
    // What QTableView gives its own headers.
    setSectionsClickable(true);
    setHighlightSections(true);
    auto* style = new ElidingHeaderStyle; // on the application's style, which it does not own
    style->setParent(this);
    setStyle(style);
}

void StableHeaderView::setModel(QAbstractItemModel* model)
{
    disconnect(m_aboutToReset);
    m_titlesBeforeReset.reset();
    QHeaderView::setModel(model);
    if (model)
        m_aboutToReset = connect(model, &QAbstractItemModel::modelAboutToBeReset, this,
            [this] { m_titlesBeforeReset = sectionTitles(); });
}

void StableHeaderView::reset()
{
    const std::optional<QStringList> before = std::exchange(m_titlesBeforeReset, std::nullopt);
    if (before && count() == before->size() && sectionTitles() == *before)
        return; // the same sections: nothing to redo, nothing to repaint
    QHeaderView::reset();
}

QStringList StableHeaderView::sectionTitles() const
{
    QStringList titles;
    const QAbstractItemModel* source = model();
    if (!source)
        return titles;
    const int columns = source->columnCount(rootIndex());
    titles.reserve(columns);
    for (int column = 0; column < columns; ++column)
        titles.append(source->headerData(column, Qt::Horizontal).toString());
    return titles;
}

} // namespace spindle::widgets
