#pragma once

#include "core/call.h"
#include "net/traceclient.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QSplitter;
class QTabWidget;
class QTextBrowser;
class QAction;

namespace spindle::widgets {
class ChatView;
class ImageStrip;
class JsonView;
} // namespace spindle::widgets

namespace spindle::ui {

class FeedbackPanel;

// Everything about one call. Tabs: Call (chat view when the call holds messages, inputs and output
// as JSON trees), Summary (timing, usage and cost per model with unit prices), Code (the op's
// captured source), Attributes, Exception and Feedback. Header actions: rename, delete with
// descendants, copy id and ref, open the parent. The full call is fetched when it is shown, so
// views may hand over a partial call (the trace tree loads only the columns it needs).
class CallDetailPanel : public QWidget
{
    Q_OBJECT
public:
    enum Tab // the tabs, in order (Exception shows only for a call that raised one)
    {
        CallTab,
        SummaryTab,
        CodeTab,
        AttributesTab,
        ExceptionTab,
        FeedbackTab,
    };
    explicit CallDetailPanel(net::TraceClient* client, QWidget* parent = nullptr);

    void showCall(const QString& projectId, const spindle::Call& call);
    void clear();
    QString callId() const
    {
        return m_call.id;
    }
    const spindle::Call& call() const
    {
        return m_call;
    }
    QTabWidget* tabs() const
    {
        return m_tabs;
    }
    bool isFullyLoaded() const
    {
        return m_loaded;
    }
    void setPlaygroundAvailable(bool available);

    void rename();
    void deleteWithDescendants();

Q_SIGNALS:
    void callChanged(const QString& callId); // renamed
    void callDeleted(const QString& callId);
    void openCallRequested(const QString& callId); // e.g. the parent
    void openInPlaygroundRequested(const spindle::Call& call);
    void statusMessage(const QString& message);

private:
    void openRef(const QString& ref);
    QWidget* buildHeader();
    QWidget* buildCallTab();
    void render();
    void loadFullCall();
    void loadCode();
    void loadImages();
    void copy(const QString& text, const QString& what);

    net::TraceClient* m_client;
    QString m_projectId;
    spindle::Call m_call;
    bool m_loaded = false;
    QString m_loadError; // why the full read failed, shown where the values would be
    bool m_playgroundAvailable = false;
    net::TraceClient::RequestId m_readRequest = 0;
    QLabel* m_title;
    QLabel* m_meta;
    QLabel* m_empty;
    QAction* m_parent = nullptr; // header actions, in a tool bar that folds on a narrow pane
    QAction* m_playground = nullptr;
    QWidget* m_header;
    QTabWidget* m_tabs;
    widgets::ChatView* m_chat;
    widgets::ImageStrip* m_images;
    QString m_imagesLoadedFor;
    widgets::JsonView* m_inputs;
    widgets::JsonView* m_output;
    QTextBrowser* m_summary;
    QPlainTextEdit* m_code;
    QLabel* m_codeInfo;
    widgets::JsonView* m_attributes;
    QPlainTextEdit* m_exception;
    FeedbackPanel* m_feedback;
    QString m_codeLoadedFor;
};

} // namespace spindle::ui
