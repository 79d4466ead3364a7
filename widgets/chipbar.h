#pragma once

#include <QWidget>

class QHBoxLayout;

namespace spindle::widgets {

// A row of removable filter chips ("inputs.model equals gpt-4o ✕").
class ChipBar : public QWidget
{
    Q_OBJECT
public:
    explicit ChipBar(QWidget* parent = nullptr);
    void setChips(const QStringList& labels);
    int chipCount() const
    {
        return int(m_labels.size());
    }

Q_SIGNALS:
    void chipRemoved(int index);

private:
    QHBoxLayout* m_layout;
    QStringList m_labels;
};

} // namespace spindle::widgets
