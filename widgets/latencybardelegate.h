#pragma once

#include <QStyledItemDelegate>

namespace spindle::widgets {

// Draws a small waterfall bar behind the latency text: where the call starts within its trace and
// how long it runs, as fractions given by two roles.
class LatencyBarDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    LatencyBarDelegate(int offsetRole, int fractionRole, int statusRole, QObject* parent = nullptr);
    void paint(
        QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    int m_offsetRole;
    int m_fractionRole;
    int m_statusRole;
};

} // namespace spindle::widgets
