#include "widgets/textprompt.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

namespace spindle::widgets {

TextPromptDialog::TextPromptDialog(
    const QString& title, const QString& label, const QString& text, Empty empty, QWidget* parent)
    : QDialog(parent)
    , m_edit(new QLineEdit(text, this))
    , m_status(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
    , m_empty(empty)
{
    setWindowTitle(title);
    setMinimumWidth(420);
    auto* layout = new QVBoxLayout(this);
    auto* prompt = new QLabel(label, this);
    prompt->setBuddy(m_edit);
    prompt->setWordWrap(true);
    layout->addWidget(prompt);
    layout->addWidget(m_edit);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse); // a reason can be copied
    m_status->hide();
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    m_edit->selectAll();
    connect(m_buttons, &QDialogButtonBox::accepted, this, &TextPromptDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &TextPromptDialog::reject);
    connect(m_edit, &QLineEdit::textChanged, this, &TextPromptDialog::updateOk);
    updateOk();
}

QString TextPromptDialog::text() const
{
    return m_edit->text().trimmed();
}

QString TextPromptDialog::errorText() const
{
    return m_busy || m_status->isHidden() ? QString() : m_status->text();
}

void TextPromptDialog::accept()
{
    if (m_busy || !m_buttons->button(QDialogButtonBox::Ok)->isEnabled())
        return; // Enter on a field that cannot be sent, or a second OK while saving
    setBusy(true);
    Q_EMIT submitted(text());
}

void TextPromptDialog::succeed()
{
    setBusy(false);
    QDialog::accept();
}

void TextPromptDialog::fail(const QString& reason)
{
    setBusy(false);
    m_status->setText(tr("Not saved: %1").arg(reason));
    setStatusColor(QColor(0x7a, 0x1c, 0x14)); // the error banner's text colour
    m_edit->setFocus();
    m_edit->selectAll();
}

void TextPromptDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_edit->setReadOnly(busy);
    if (busy) {
        m_status->setText(tr("Saving…"));
        setStatusColor(palette().color(QPalette::WindowText));
    }
    updateOk();
}

void TextPromptDialog::setStatusColor(const QColor& color)
{
    QPalette palette = m_status->palette();
    palette.setColor(QPalette::WindowText, color);
    m_status->setPalette(palette);
    m_status->show();
    adjustSize(); // a long reason wraps onto more lines; a top-level does not grow by itself
}

void TextPromptDialog::updateOk()
{
    const bool sendable = m_empty == Empty::Allowed || !text().isEmpty();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(sendable && !m_busy);
}

TextPromptDialog* promptText(QWidget* parent, const QString& title, const QString& label, const QString& text,
    TextPromptDialog::Empty empty, std::function<void(const QString& text, PromptReply reply)> send)
{
    auto* dialog = new TextPromptDialog(title, label, text, empty, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(dialog, &TextPromptDialog::submitted, dialog, [dialog, send](const QString& typed) {
        // A reply after Cancel finds the dialog hidden (closed, its delete still queued) or gone.
        send(typed, [guard = QPointer<TextPromptDialog>(dialog)](const QString& error) {
            if (!guard || !guard->isVisible())
                return;
            if (error.isEmpty())
                guard->succeed();
            else
                guard->fail(error);
        });
    });
    dialog->open();
    return dialog;
}

} // namespace spindle::widgets
