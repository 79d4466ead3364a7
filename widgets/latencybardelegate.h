#pragma once

#include <QStyledItemDelegate>

namespace spindle::widgets {

// Draws a small waterfall bar under the latency text: where the call starts within its trace and
// how long it runs, as fractions given by two roles. The row is made tall enough for the text's
// line and the bar's band below it, so that neither covers the other.
class LatencyBarDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    LatencyBarDelegate(int offsetRole, int fractionRole, int statusRole, QObject* parent = nullptr);
    void paint(
        QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    int m_offsetRole;
    int m_fractionRole;
    int m_statusRole;
};

} // namespace spindle::widgets
