#pragma once

#include <QDialog>

#include <functional>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace spindle::widgets {

// How the work behind a prompt ended: an empty text when it succeeded, else why not.
using PromptReply = std::function<void(const QString& error)>;

// A name asked for on its way to the server (rename a call, save a view, name a preset). Unlike
// QInputDialog it stays open while the name is being saved: OK sends it and shows "Saving…", success
// closes the dialog, and a refusal shows the reason under the field with the typed name kept, to
// correct or send again. Cancel closes it at any time; a write already sent still completes, and
// its failure goes to the window's banner as every failure does.
class TextPromptDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Empty
    {
        Allowed, // e.g. a display name, where empty means "show the op name"
        Refused,
    };
    TextPromptDialog(
        const QString& title, const QString& label, const QString& text, Empty empty, QWidget* parent);

    QString text() const; // trimmed
    bool isBusy() const
    {
        return m_busy;
    }
    QString errorText() const;

    // The name was saved: the dialog closes.
    void succeed();
    // The name was refused for `reason`: it stays in the field, editable, with the reason below.
    void fail(const QString& reason);

Q_SIGNALS:
    void submitted(const QString& text);

public Q_SLOTS:
    void accept() override;

private:
    void setBusy(bool busy);
    void setStatusColor(const QColor& color);
    void updateOk();

    QLineEdit* m_edit;
    QLabel* m_status;
    QDialogButtonBox* m_buttons;
    Empty m_empty;
    bool m_busy = false;
};

// Opens a window-modal TextPromptDialog over `parent` (it deletes itself when closed). Each OK runs
// `send(text, reply)`; `send` starts the write and calls `reply` once it has ended, at any later time:
// the reply is harmless once the dialog has gone.
TextPromptDialog* promptText(QWidget* parent, const QString& title, const QString& label, const QString& text,
    TextPromptDialog::Empty empty, std::function<void(const QString& text, PromptReply reply)> send);

} // namespace spindle::widgets
