#include "widgets/chatview.h"

#include <QDesktopServices>
#include <QFontDatabase>
#include <QImage>
#include <QJsonDocument>
#include <QPainter>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocumentFragment>
#include <QTextFrame>
#include <QVBoxLayout>

namespace spindle::widgets {
namespace {

using models::ChatMessage;
using models::ToolCall;

constexpr qsizetype kMaxPrettyJsonChars = 1 << 20;

QColor mix(const QColor& from, const QColor& to, qreal amount)
{
    return QColor::fromRgbF(from.redF() + (to.redF() - from.redF()) * amount,
        from.greenF() + (to.greenF() - from.greenF()) * amount,
        from.blueF() + (to.blueF() - from.blueF()) * amount);
}

bool isSystemRole(const QString& role)
{
    return role == QLatin1String("system") || role == QLatin1String("developer");
}

QColor accentFor(const QString& role)
{
    if (isSystemRole(role))
        return QColor(0xb7, 0x79, 0x1f);
    if (role == QLatin1String("user"))
        return QColor(0x2b, 0x6c, 0xb0);
    if (role == QLatin1String("assistant") || role == QLatin1String("model"))
        return QColor(0x2f, 0x85, 0x5a);
    if (role == QLatin1String("tool") || role == QLatin1String("function"))
        return QColor(0x80, 0x5a, 0xd5);
    return QColor(0x71, 0x80, 0x96);
}

QString roleTitle(const QString& role)
{
    if (role == QLatin1String("system"))
        return ChatView::tr("System prompt");
    if (role == QLatin1String("tool") || role == QLatin1String("function"))
        return ChatView::tr("Tool result");
    if (role.isEmpty())
        return ChatView::tr("Message");
    return role.left(1).toUpper() + role.mid(1);
}

QString headerText(const ChatMessage& message)
{
    QStringList parts { roleTitle(message.role) };
    if (!message.name.isEmpty())
        parts << message.name;
    if (!message.toolCallId.isEmpty())
        parts << message.toolCallId;
    if (message.isError)
        parts << ChatView::tr("error");
    if (message.fromOutput)
        parts << ChatView::tr("output");
    return parts.join(QStringLiteral(" · "));
}

QString prettyJson(const QString& text)
{
    if (text.size() > kMaxPrettyJsonChars)
        return text;
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        return text;
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
}

// Writes a transcript into a QTextDocument, one framed box per message.
class TranscriptWriter
{
public:
    // `resourceOwner` answers the resource requests of scratch documents (an OfflineTextBrowser):
    // a QTextDocument without such a parent reads local files named in Markdown images itself.
    TranscriptWriter(QTextDocument* document, const QPalette& palette, QObject* resourceOwner)
        : m_document(document)
        , m_resourceOwner(resourceOwner)
        , m_cursor(document)
        , m_base(palette.color(QPalette::Base))
        , m_text(palette.color(QPalette::Text))
        , m_dark(m_base.lightness() < 128)
        , m_fixed(QFontDatabase::systemFont(QFontDatabase::FixedFont))
    {
    }
    void add(const ChatMessage& message);

private:
    QColor accentText(const QColor& accent) const
    {
        return m_dark ? accent.lighter(150) : accent;
    }
    void addBody(const ChatMessage& message);
    void addMarkdown(const QString& text);
    void addVerbatim(const QString& text);
    void addNote(const QString& text);
    bool addCut(const QString& text, const QString& note);
    void addToolCall(const ToolCall& call, QTextFrame* box);
    void newBlock()
    {
        m_cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
    }

    QTextDocument* m_document;
    QObject* m_resourceOwner;
    QTextCursor m_cursor;
    QColor m_base;
    QColor m_text;
    bool m_dark;
    QFont m_fixed;
};

void TranscriptWriter::add(const ChatMessage& message)
{
    const QColor accent = accentFor(message.role);
    const bool system = isSystemRole(message.role);
    QTextFrameFormat box;
    box.setBorder(1);
    box.setBorderStyle(system ? QTextFrameFormat::BorderStyle_Dashed : QTextFrameFormat::BorderStyle_Solid);
    box.setBorderBrush(mix(m_base, accent, 0.5));
    box.setBackground(mix(m_base, accent, m_dark ? 0.2 : system ? 0.12 : 0.06));
    box.setPadding(8);
    QTextFrame* frame = m_cursor.insertFrame(box);

    QTextCharFormat header;
    header.setFontWeight(QFont::Bold);
    header.setFontItalic(system);
    header.setForeground(accentText(message.isError ? QColor(0xc5, 0x30, 0x30) : accent));
    m_cursor.insertText(headerText(message), header);
    if (!message.text.isEmpty() || message.toolCalls.isEmpty()) {
        newBlock();
        addBody(message);
    }
    for (const ToolCall& call : message.toolCalls)
        addToolCall(call, frame);
    m_cursor = m_document->rootFrame()->lastCursorPosition();
}

void TranscriptWriter::addBody(const ChatMessage& message)
{
    const QString& text = message.text;
    if (text.isEmpty())
        return addNote(ChatView::tr("(empty)"));
    if (addCut(text,
            ChatView::tr(
                "… %1 more characters not shown here; the Inputs and Output trees have the whole text.")))
        return;
    if (message.isMarkdown)
        addMarkdown(text);
    else
        addVerbatim(prettyJson(text));
}

// Text longer than kMaxRenderedChars is shown cut, followed by `note` (%1: the characters left
// out): rendering megabytes of text (one long line of base64) would freeze the view. False, and
// nothing added, when the text is short enough to show whole.
bool TranscriptWriter::addCut(const QString& text, const QString& note)
{
    const qsizetype hidden = text.size() - ChatView::kMaxRenderedChars;
    if (hidden <= 0)
        return false;
    addVerbatim(text.left(ChatView::kMaxRenderedChars));
    newBlock();
    addNote(note.arg(hidden));
    return true;
}

void TranscriptWriter::addMarkdown(const QString& text)
{
    QTextDocument markdown(m_resourceOwner);
    markdown.setMarkdown(text, ChatView::kMarkdown);
    const QColor codeBackground = mix(m_base, m_text, 0.07);
    for (QTextBlock block = markdown.begin(); block.isValid(); block = block.next()) {
        QTextBlockFormat format = block.blockFormat();
        if (format.hasProperty(QTextFormat::BlockCodeFence)
            || format.hasProperty(QTextFormat::BlockCodeLanguage)) {
            format.setBackground(codeBackground);
            QTextCursor(block).setBlockFormat(format);
        }
    }
    // The fragment's first block merges into the cursor's block and would lose its format
    // (a heading, a code block), so the cursor's block takes it first.
    m_cursor.setBlockFormat(markdown.begin().blockFormat());
    m_cursor.insertFragment(QTextDocumentFragment(&markdown));
}

void TranscriptWriter::addVerbatim(const QString& text)
{
    QTextCharFormat format;
    format.setFont(m_fixed);
    m_cursor.insertText(text, format);
}

void TranscriptWriter::addNote(const QString& text)
{
    QTextCharFormat format;
    format.setFontItalic(true);
    format.setForeground(mix(m_base, m_text, 0.55));
    m_cursor.insertText(text, format);
}

void TranscriptWriter::addToolCall(const ToolCall& call, QTextFrame* box)
{
    const QColor accent = accentFor(QStringLiteral("tool"));
    QTextFrameFormat format;
    format.setBackground(mix(m_base, accent, m_dark ? 0.25 : 0.08));
    format.setBorder(1);
    format.setBorderBrush(mix(m_base, accent, 0.35));
    format.setPadding(6);
    format.setTopMargin(6);
    m_cursor.insertFrame(format);
    QTextCharFormat header;
    header.setFontWeight(QFont::Bold);
    header.setForeground(accentText(accent));
    m_cursor.insertText(
        ChatView::tr("Tool call: %1").arg(call.name.isEmpty() ? ChatView::tr("(unnamed)") : call.name),
        header);
    if (!call.id.isEmpty()) {
        QTextCharFormat id;
        id.setForeground(mix(m_base, m_text, 0.55));
        m_cursor.insertText(QStringLiteral("  ") + call.id, id);
    }
    newBlock();
    if (!addCut(call.arguments,
            ChatView::tr("… %1 more characters not shown here; the Inputs and Output trees have the whole "
                         "arguments.")))
        addVerbatim(call.arguments.isEmpty() ? QStringLiteral("{}") : prettyJson(call.arguments));
    m_cursor = box->lastCursorPosition();
}

QImage placeholderImage()
{
    QImage image(48, 32, QImage::Format_ARGB32_Premultiplied);
    image.fill(QColor(0x90, 0x90, 0x90, 0x60));
    QPainter painter(&image);
    painter.setPen(QColor(0x70, 0x70, 0x70));
    painter.drawRect(image.rect().adjusted(0, 0, -1, -1));
    painter.drawLine(6, 26, 18, 12);
    painter.drawLine(18, 12, 28, 22);
    painter.drawLine(28, 22, 34, 16);
    painter.drawLine(34, 16, 42, 26);
    return image;
}

} // namespace

OfflineTextBrowser::OfflineTextBrowser(QWidget* parent)
    : QTextBrowser(parent)
{
    setOpenLinks(false);
    connect(this, &QTextBrowser::anchorClicked, this, [](const QUrl& url) {
        if (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"))
            QDesktopServices::openUrl(url);
    });
}

QVariant OfflineTextBrowser::loadResource(int type, const QUrl& name)
{
    Q_UNUSED(name);
    // A non-null value stops QTextDocument from reading the URL itself.
    if (type == QTextDocument::ImageResource)
        return placeholderImage();
    return QByteArray();
}

ChatView::ChatView(QWidget* parent)
    : QWidget(parent)
    , m_browser(new OfflineTextBrowser(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_browser);
    m_browser->setPlaceholderText(tr("No messages"));
    m_browser->document()->setDocumentMargin(8);
}

void ChatView::setTranscript(const models::ChatTranscript& transcript)
{
    QTextDocument* document = m_browser->document();
    document->clear();
    TranscriptWriter writer(document, m_browser->palette(), m_browser);
    for (const ChatMessage& message : transcript.messages)
        writer.add(message);
    m_messageCount = int(transcript.messages.size());
    m_browser->moveCursor(QTextCursor::Start);
}

void ChatView::clear()
{
    m_browser->document()->clear();
    m_messageCount = 0;
}

} // namespace spindle::widgets
