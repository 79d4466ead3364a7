#include "widgets/stableheaderview.h"

#include "widgets/headerstyle.h"

namespace spindle::widgets {

StableHeaderView::StableHeaderView(QWidget* parent)
    : QHeaderView(Qt::Horizontal, parent)
{
    // What QTableView gives its own headers.
    setSectionsClickable(true);
    setHighlightSections(true);
    applyHeaderStyle(this);
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
