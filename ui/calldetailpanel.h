#pragma once

#include "core/call.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTabWidget;
class QToolButton;

namespace spindle::ui {

// A simple read-only view of one call: name, status, ids (copyable), timing, usage and cost,
// and its inputs, output, exception, attributes and summary as formatted JSON.
class CallDetailPanel : public QWidget
{
    Q_OBJECT
public:
    explicit CallDetailPanel(QWidget* parent = nullptr);
    void showCall(const spindle::Call& call);
    void clear();
    QString callId() const
    {
        return m_callId;
    }

private:
    QPlainTextEdit* addJsonTab(const QString& title);

    QLabel* m_title;
    QLabel* m_meta;
    QToolButton* m_copyId;
    QTabWidget* m_tabs;
    QPlainTextEdit* m_inputs;
    QPlainTextEdit* m_output;
    QPlainTextEdit* m_exception;
    QPlainTextEdit* m_attributes;
    QPlainTextEdit* m_summary;
    QLabel* m_empty;
    QString m_callId;
};

} // namespace spindle::ui
