#include "ui/messagelisteditor.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace spindle::ui {

using namespace Qt::StringLiterals;

static bool isTextPart(const QJsonValue& part)
{
    const QJsonObject object = part.toObject();
    return part.isString() || object.value("type"_L1).toString() == "text"_L1
        || (!object.contains("type"_L1) && object.contains("text"_L1));
}

QString messageEditableText(const QJsonObject& message)
{
    const QJsonValue content = message.value("content"_L1);
    if (content.isString())
        return content.toString();
    QString text; // multi-part content: the text parts
    for (const QJsonValue& part : content.toArray())
        if (isTextPart(part))
            text += part.isString() ? part.toString() : part.toObject().value("text"_L1).toString();
    return text;
}

QJsonObject messageWithEdits(const QJsonObject& message, const QString& role, const QString& text)
{
    QJsonObject edited = message;
    edited.insert(u"role"_s, role);
    if (text == messageEditableText(message))
        return edited;
    const QJsonValue content = message.value("content"_L1);
    if (!content.isArray()) {
        edited.insert(u"content"_s, text);
        return edited;
    }
    QJsonArray parts; // the new text where the first text part was; images and the rest in place
    bool placed = false;
    for (const QJsonValue& part : content.toArray()) {
        if (!isTextPart(part)) {
            parts.append(part);
        } else if (!placed) {
            parts.append(QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } });
            placed = true;
        }
    }
    if (!placed && !text.isEmpty())
        parts.prepend(QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } });
    edited.insert(u"content"_s, parts);
    return edited;
}

// A part that is not text, as a row names it: "[image]", "[file q3.pdf]", "[input_audio]".
static QString attachmentLabel(const QJsonObject& part)
{
    const QString type = part.value("type"_L1).toString();
    if (type == "image_url"_L1)
        return QObject::tr("[image]");
    if (type == "file"_L1)
        return QObject::tr("[file %1]").arg(part.value("file"_L1).toObject().value("filename"_L1).toString());
    return u"[%1]"_s.arg(type);
}

QString messageRowText(const QJsonObject& message)
{
    QStringList pieces;
    if (const QString text = messageEditableText(message); !text.isEmpty())
        pieces.append(text);
    for (const QJsonValue& part : message.value("content"_L1).toArray())
        if (!isTextPart(part))
            pieces.append(attachmentLabel(part.toObject()));
    for (const QJsonValue& call : message.value("tool_calls"_L1).toArray()) {
        const QJsonObject function = call.toObject().value("function"_L1).toObject();
        pieces.append(u"→ %1(%2)"_s.arg(
            function.value("name"_L1).toString(), function.value("arguments"_L1).toString()));
    }
    const QString text = pieces.join(u' ');
    const QString callId = message.value("tool_call_id"_L1).toString();
    return callId.isEmpty() ? text : u"(%1) %2"_s.arg(callId, text);
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
    m_add = new QToolButton(this);
    const auto tool = [&](QToolButton* button, const QString& text, const QString& tip, auto slot) {
        button->setText(text);
        button->setToolTip(tip);
        button->setAutoRaise(true);
        connect(button, &QToolButton::clicked, this, slot);
        row->addWidget(button);
    };
    tool(m_add, tr("Add"), tr("Add a message (user, assistant or system)"), &MessageListEditor::addRow);
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
    appendMessage(QJsonObject { { u"role"_s, role }, { u"content"_s, content } });
}

void MessageListEditor::appendMessage(const QJsonObject& message)
{
    m_messages.append(message);
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
    const QString text = messageRowText(message);
    QListWidgetItem* item = m_list->item(row);
    const QString shown = text.size() > 400 ? text.left(400) + u"…"_s : text;
    item->setText(u"%1: %2"_s.arg(role, shown));
    item->setToolTip(text.left(4000));
}

void MessageListEditor::setEditable(bool editable)
{
    m_editable = editable;
    m_system->setReadOnly(!editable);
    updateButtons();
}

void MessageListEditor::editRow(int row)
{
    if ((row < 0 && row != -2) || !m_editable)
        return;
    const bool adding = row == -2;
    const QJsonObject message =
        adding ? QJsonObject { { u"role"_s, u"user"_s } } : m_messages.at(row).toObject();
    QDialog dialog(this);
    dialog.setWindowTitle(adding ? tr("Add message") : tr("Edit message"));
    auto* role = new QComboBox(&dialog);
    role->addItems({ u"user"_s, u"assistant"_s, u"system"_s, u"developer"_s, u"tool"_s });
    const QString current = message.value("role"_L1).toString();
    if (!current.isEmpty() && role->findText(current) < 0)
        role->addItem(current); // a role this list does not know is kept, not turned into "user"
    role->setCurrentText(current);
    auto* text = new QPlainTextEdit(messageEditableText(message), &dialog);
    QStringList kept; // what the dialog cannot edit and keeps as it is
    if (message.contains("tool_calls"_L1))
        kept << tr("its tool calls");
    const QJsonArray parts = message.value("content"_L1).toArray();
    if (std::any_of(parts.begin(), parts.end(), [](const QJsonValue& part) { return !isTextPart(part); }))
        kept << tr("its images and other non-text parts");
    auto* note = new QLabel(tr("Kept as they are: %1.").arg(kept.join(tr(" and "))), &dialog);
    note->setVisible(!kept.isEmpty());
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(role);
    layout->addWidget(text, 1);
    layout->addWidget(note);
    layout->addWidget(buttons);
    dialog.resize(480, 300);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (adding) {
        appendMessage(role->currentText(), text->toPlainText());
        return;
    }
    m_messages.replace(row, messageWithEdits(message, role->currentText(), text->toPlainText()));
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
    if (row < 0 || !m_editable)
        return;
    m_messages.removeAt(row);
    delete m_list->takeItem(row);
    updateButtons();
    Q_EMIT changed();
}

void MessageListEditor::retryFromRow()
{
    const int row = m_list->currentRow();
    if (row < 0 || !m_editable)
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
    const bool selected = m_list->currentRow() >= 0 && m_editable;
    m_add->setEnabled(m_editable);
    m_edit->setEnabled(selected);
    m_delete->setEnabled(selected);
    m_retry->setEnabled(selected);
}

} // namespace spindle::ui
