#pragma once

#include "widgets/celltextdelegate.h"

#include <QHash>
#include <QPixmap>

namespace spindle::widgets {

// Paints a call's status as a coloured dot plus its label; the colour comes from StatusRole. The
// label is painted by CellTextDelegate and the dot is a cached pixmap: the style's item painting
// and an anti-aliased ellipse per cell were a tenth of a calls-table frame (docs/benchmarks.md, C7).
class StatusDelegate : public CellTextDelegate
{
    Q_OBJECT
public:
    explicit StatusDelegate(int statusRole, QObject* parent = nullptr);
    void paint(
        QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    static QColor statusColor(const QString& status);

private:
    QPixmap dot(const QColor& color, const QColor& ring, qreal devicePixelRatio) const;

    int m_statusRole;
    mutable QHash<quint64, QPixmap> m_dots; // by colour and ring, at m_dotsRatio
    mutable qreal m_dotsRatio = 0;
};

} // namespace spindle::widgets
