#pragma once

#include <QStyledItemDelegate>

namespace spindle::widgets {

// Paints a call's status as a coloured dot plus its label; the colour comes from StatusRole.
class StatusDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit StatusDelegate(int statusRole, QObject* parent = nullptr);
    void paint(
        QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    static QColor statusColor(const QString& status);

private:
    int m_statusRole;
};

} // namespace spindle::widgets
