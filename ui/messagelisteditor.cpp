#include "ui/messagelisteditor.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

namespace spindle::ui {

using namespace Qt::StringLiterals;

static QString messageText(const QJsonObject& message)
{
    const QJsonValue content = message.value("content"_L1);
    if (content.isString())
        return content.toString();
    QString text; // multi-part content: the text parts
    for (const QJsonValue& part : content.toArray())
        text += part.toObject().value("text"_L1).toString();
    if (text.isEmpty() && message.contains("tool_calls"_L1))
        text = QString::fromUtf8(
            QJsonDocument(message.value("tool_calls"_L1).toArray()).toJson(QJsonDocument::Compact));
    return text;
}

MessageListEditor::MessageListEditor(QWidget* parent)
    : QWidget(parent)
    , m_system(new QPlainTextEdit(this))
    , m_list(new QListWidget(this))
    , m_edit(new QToolButton(this))
    , m_delete(new QToolButton(this))
    , m_retry(new QToolButton(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("<b>System prompt</b> (shared by all panes)"), this));
    m_system->setPlaceholderText(tr("You are a helpful assistant."));
    m_system->setMaximumHeight(70);
    layout->addWidget(m_system);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("<b>Messages</b>"), this), 1);
    auto* add = new QToolButton(this);
    const auto tool = [&](QToolButton* button, const QString& text, const QString& tip, auto slot) {
        button->setText(text);
        button->setToolTip(tip);
        button->setAutoRaise(true);
        connect(button, &QToolButton::clicked, this, slot);
        row->addWidget(button);
    };
    tool(add, tr("Add"), tr("Add a message (user, assistant or system)"), &MessageListEditor::addRow);
    tool(m_edit, tr("Edit"), tr("Edit the selected message (or double-click it)"),
        [this] { editRow(m_list->currentRow()); });
    tool(m_delete, tr("Delete"), tr("Delete the selected message"), &MessageListEditor::deleteRow);
    tool(m_retry, tr("Retry from here"), tr("Drop the messages after the selected one and send again"),
        &MessageListEditor::retryFromRow);
    layout->addLayout(row);
    m_list->setWordWrap(true);
    m_list->setAlternatingRowColors(true);
    layout->addWidget(m_list, 1);
    connect(m_list, &QListWidget::itemDoubleClicked, this,
        [this](QListWidgetItem* item) { editRow(m_list->row(item)); });
    connect(m_list, &QListWidget::currentRowChanged, this, &MessageListEditor::updateButtons);
    connect(m_system, &QPlainTextEdit::textChanged, this, &MessageListEditor::changed);
    updateButtons();
}

QString MessageListEditor::systemPrompt() const
{
    return m_system->toPlainText().trimmed();
}

void MessageListEditor::setSystemPrompt(const QString& prompt)
{
    m_system->setPlainText(prompt);
}

QJsonArray MessageListEditor::messages() const
{
    return m_messages;
}

void MessageListEditor::setMessages(const QJsonArray& messages)
{
    m_messages = messages;
    m_list->clear();
    for (int row = 0; row < m_messages.size(); ++row) {
        m_list->addItem(QString());
        refreshRow(row);
    }
    updateButtons();
    Q_EMIT changed();
}

void MessageListEditor::appendMessage(const QString& role, const QString& content)
{
    m_messages.append(QJsonObject { { u"role"_s, role }, { u"content"_s, content } });
    m_list->addItem(QString());
    refreshRow(int(m_messages.size()) - 1);
    m_list->scrollToBottom();
    updateButtons();
    Q_EMIT changed();
}

void MessageListEditor::refreshRow(int row)
{
    const QJsonObject message = m_messages.at(row).toObject();
    const QString role = message.value("role"_L1).toString();
    const QString text = messageText(message);
    QListWidgetItem* item = m_list->item(row);
    const QString shown = text.size() > 400 ? text.left(400) + u"…"_s : text;
    item->setText(u"%1: %2"_s.arg(role, shown));
    item->setToolTip(text.left(4000));
}

void MessageListEditor::editRow(int row)
{
    if (row < 0 && row != -2)
        return;
    const bool adding = row == -2;
    const QJsonObject message =
        adding ? QJsonObject { { u"role"_s, u"user"_s } } : m_messages.at(row).toObject();
    QDialog dialog(this);
    dialog.setWindowTitle(adding ? tr("Add message") : tr("Edit message"));
    auto* role = new QComboBox(&dialog);
    role->addItems({ u"user"_s, u"assistant"_s, u"system"_s });
    role->setCurrentText(message.value("role"_L1).toString());
    auto* text = new QPlainTextEdit(messageText(message), &dialog);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(role);
    layout->addWidget(text, 1);
    layout->addWidget(buttons);
    dialog.resize(480, 300);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (adding) {
        appendMessage(role->currentText(), text->toPlainText());
        return;
    }
    QJsonObject edited = message; // keeps tool_calls and other fields
    edited.insert(u"role"_s, role->currentText());
    edited.insert(u"content"_s, text->toPlainText());
    m_messages.replace(row, edited);
    refreshRow(row);
    Q_EMIT changed();
}

void MessageListEditor::addRow()
{
    editRow(-2);
}

void MessageListEditor::deleteRow()
{
    const int row = m_list->currentRow();
    if (row < 0)
        return;
    m_messages.removeAt(row);
    delete m_list->takeItem(row);
    updateButtons();
    Q_EMIT changed();
}

void MessageListEditor::retryFromRow()
{
    const int row = m_list->currentRow();
    if (row < 0)
        return;
    while (m_messages.size() > row + 1) {
        m_messages.removeLast();
        delete m_list->takeItem(m_list->count() - 1);
    }
    updateButtons();
    Q_EMIT changed();
    Q_EMIT retryFromRequested();
}

void MessageListEditor::updateButtons()
{
    const bool selected = m_list->currentRow() >= 0;
    m_edit->setEnabled(selected);
    m_delete->setEnabled(selected);
    m_retry->setEnabled(selected);
}

} // namespace spindle::ui
