#include "widgets/banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace spindle::widgets {

Banner::Banner(QWidget* parent)
    : QFrame(parent)
    , m_label(new QLabel(this))
    , m_close(new QToolButton(this))
{
    setObjectName(QStringLiteral("banner"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close->setText(QStringLiteral("✕"));
    m_close->setAutoRaise(true);
    m_close->setToolTip(tr("Dismiss"));
    m_close->setAccessibleName(tr("Dismiss the message")); // not "✕"
    layout->addWidget(m_label, 1);
    layout->addWidget(m_close);
    connect(m_close, &QToolButton::clicked, this, &Banner::dismiss);
    hide();
}

void Banner::dismiss()
{
    hide();
    m_lastText.clear();
}

void Banner::showMessage(const QString& text, Kind kind)
{
    m_repeats = text == m_lastText && isVisible() ? m_repeats + 1 : 0;
    m_lastText = text;
    m_label->setText(m_repeats ? tr("%1 (×%2)").arg(text).arg(m_repeats + 1) : text);
    setStyleSheet(kind == Kind::Error
            ? QStringLiteral("#banner { background: #fdecea; border: 1px solid #f5c2bd; color: #7a1c14; }")
            : QStringLiteral("#banner { background: #e8f1fd; border: 1px solid #b9d2f5; color: #123a6b; }"));
    show();
}

QString Banner::text() const
{
    return m_label->text();
}

} // namespace spindle::widgets
