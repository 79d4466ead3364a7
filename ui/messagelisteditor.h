#pragma once

#include <QJsonArray>
#include <QWidget>

class QListWidget;
class QPlainTextEdit;
class QToolButton;

namespace spindle::ui {

// The playground's shared conversation: a system prompt and a list of user/assistant/system
// messages that can be added, edited, deleted, and re-run from any point ("retry from here"
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
    QToolButton* m_edit;
    QToolButton* m_delete;
    QToolButton* m_retry;
    QJsonArray m_messages;
};

} // namespace spindle::ui
