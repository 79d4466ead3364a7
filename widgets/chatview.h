#pragma once

#include "models/chatmessages.h"

#include <QTextBrowser>
#include <QWidget>

namespace spindle::widgets {

// A QTextBrowser that never loads anything: trace content is untrusted, so Markdown images and
// links to local files (file:///dev/zero...) show a placeholder instead of being read, and
// clicked links open in the desktop browser (http/https only) instead of replacing the page.
class OfflineTextBrowser : public QTextBrowser
{
    Q_OBJECT
public:
    explicit OfflineTextBrowser(QWidget* parent = nullptr);
    QVariant loadResource(int type, const QUrl& name) override;
};

// A conversation as people read it: one box per message with a role header, the system prompt
// set apart, Markdown rendered, tool calls with their name and pretty-printed arguments, and
// tool results. Very long messages are cut with a visible note (the JSON tree has the rest).
class ChatView : public QWidget
{
    Q_OBJECT
public:
    // Per message: Qt wraps a line without break opportunities in quadratic time, so this bounds the
    // cost of base64 blobs and minified JSON (the JSON tree and its full-value dialog show all).
    static constexpr qsizetype kMaxRenderedChars = 20000;
    // How Markdown in prompts and answers is read: GitHub's dialect, with tags in the text
    // (<instructions>, <T>) shown as written, never taken for HTML that vanishes.
    static constexpr QTextDocument::MarkdownFeatures kMarkdown { QTextDocument::MarkdownDialectGitHub
        | QTextDocument::MarkdownNoHTML };

    explicit ChatView(QWidget* parent = nullptr);
    void setTranscript(const models::ChatTranscript& transcript);
    void clear();
    int messageCount() const
    {
        return m_messageCount;
    }
    QTextBrowser* browser() const
    {
        return m_browser;
    }

private:
    OfflineTextBrowser* m_browser;
    int m_messageCount = 0;
};

} // namespace spindle::widgets
