#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QWidget>

class QListWidget;
class QPlainTextEdit;
class QToolButton;

namespace spindle::ui {

// A chat message's own text, as the editor shows it for editing: its string content, or the text
// parts of multi-part content joined (images and other parts are not text).
QString messageEditableText(const QJsonObject& message);
// What the message's row in the list shows: its text, then what else it carries (images, files, the
// tools it calls); a tool result starts with the id of the call it answers.
QString messageRowText(const QJsonObject& message);
// `message` with `role` and its text replaced. Everything else stays: tool_calls, tool_call_id,
// name, and the non-text parts (images) of multi-part content. Unchanged text leaves the content
// exactly as it was.
QJsonObject messageWithEdits(const QJsonObject& message, const QString& role, const QString& text);

// The playground's shared conversation: a system prompt and a list of messages (user, assistant,
// system, developer, tool) that can be added, edited, deleted, and re-run from any point ("retry from here"
// drops what follows and sends again).
class MessageListEditor : public QWidget
{
    Q_OBJECT
public:
    explicit MessageListEditor(QWidget* parent = nullptr);

    QString systemPrompt() const;
    void setSystemPrompt(const QString& prompt);
    QJsonArray messages() const; // without the system prompt
    void setMessages(const QJsonArray& messages);
    void appendMessage(const QString& role, const QString& content);
    void appendMessage(const QJsonObject& message); // kept whole: tool_calls, parts, name
    // Off while answers stream: the runs answer the messages as they were sent, and a retry then
    // would cut the list and send nothing.
    void setEditable(bool editable);

Q_SIGNALS:
    void retryFromRequested(); // the list was cut after the chosen message; send again
    void changed();

private:
    void editRow(int row);
    void addRow();
    void deleteRow();
    void retryFromRow();
    void refreshRow(int row);
    void updateButtons();

    QPlainTextEdit* m_system;
    QListWidget* m_list;
    QToolButton* m_add;
    QToolButton* m_edit;
    QToolButton* m_delete;
    QToolButton* m_retry;
    QJsonArray m_messages;
    bool m_editable = true;
};

} // namespace spindle::ui
