#include "widgets/chipbar.h"

#include <QFontMetrics>
#include <QHBoxLayout>
#include <QToolButton>

namespace spindle::widgets {

ChipBar::ChipBar(QWidget* parent)
    : QWidget(parent)
    , m_layout(new QHBoxLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(4);
    m_layout->addStretch(1);
}

void ChipBar::setChips(const QStringList& labels)
{
    m_labels = labels;
    while (m_layout->count() > 1) {
        QLayoutItem* item = m_layout->takeAt(0);
        delete item->widget();
        delete item;
    }
    for (int i = 0; i < labels.size(); ++i) {
        auto* chip = new QToolButton(this);
        const QString elided = fontMetrics().elidedText(labels[i], Qt::ElideMiddle, 320);
        chip->setText(elided + QStringLiteral("  ✕"));
        chip->setToolTip(tr("%1\nClick to remove this filter").arg(labels[i]));
        chip->setStyleSheet(QStringLiteral("QToolButton { border: 1px solid #b9c7d8; border-radius: 10px; "
                                           "background: #eef3f9; padding: 2px 8px; }"
                                           "QToolButton:hover { background: #dde8f5; }"));
        connect(chip, &QToolButton::clicked, this, [this, i] { Q_EMIT chipRemoved(i); });
        m_layout->insertWidget(i, chip);
    }
    setVisible(!labels.isEmpty());
}

} // namespace spindle::widgets
