#include "models/chatmessages.h"

#include "core/call.h"
#include "models/chatmessages_p.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>

namespace spindle::models {
namespace chat_detail {

QString textAt(const QJsonObject& object, const char* key)
{
    return object.value(QLatin1String(key)).toString();
}

QString compactJson(const QJsonValue& value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    if (value.isString())
        return value.toString();
    if (value.isUndefined())
        return {};
    return QString::fromUtf8(QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact))
        .mid(1)
        .chopped(1);
}

// Cheap: only the first and last non-space characters, so a 10 MB text costs nothing.
bool looksLikeJson(const QString& text)
{
    qsizetype begin = 0, end = text.size();
    while (begin < end && text.at(begin).isSpace())
        ++begin;
    while (end > begin && text.at(end - 1).isSpace())
        --end;
    if (end - begin < 2)
        return false;
    const QChar first = text.at(begin), last = text.at(end - 1);
    return (first == u'{' && last == u'}') || (first == u'[' && last == u']');
}

// Media never goes into the text: a base64 image can be megabytes.
QString inlinePlaceholder(const QString& kind, const QString& mime, qsizetype base64Chars)
{
    return QStringLiteral("*[%1: %2, ~%3 bytes inline]*").arg(kind, mime).arg(base64Chars * 3 / 4);
}

QString dataUrlPlaceholder(const QString& kind, const QString& url)
{
    if (!url.startsWith(QLatin1String("data:")))
        return QStringLiteral("*[%1: %2]*").arg(kind, url.left(500));
    const QString mime = url.mid(5, url.indexOf(u';') - 5).left(60);
    return inlinePlaceholder(kind, mime, url.size() - url.indexOf(u',') - 1);
}

QString mediaPlaceholder(const QString& type, const QJsonObject& part)
{
    if (type == QLatin1String("input_image")) // OpenAI Responses: the URL is the value itself
        return dataUrlPlaceholder(QStringLiteral("image"), textAt(part, "image_url"));
    if (type == QLatin1String("image_url")) {
        const QJsonValue image = part.value(QLatin1String("image_url"));
        return dataUrlPlaceholder(
            QStringLiteral("image"), image.isObject() ? textAt(image.toObject(), "url") : image.toString());
    }
    const QJsonObject source = part.value(QLatin1String("source")).toObject();
    if (textAt(source, "type") == QLatin1String("base64"))
        return inlinePlaceholder(type, textAt(source, "media_type"), textAt(source, "data").size());
    if (source.contains(QLatin1String("url")))
        return dataUrlPlaceholder(type, textAt(source, "url"));
    if (type == QLatin1String("input_audio"))
        return QStringLiteral("*[audio: %1]*")
            .arg(textAt(part.value(QLatin1String("input_audio")).toObject(), "format"));
    const QString file = textAt(part.value(QLatin1String("file")).toObject(), "filename");
    return QStringLiteral("*[%1%2]*").arg(type, file.isEmpty() ? QString() : QStringLiteral(": ") + file);
}

QString quoted(const QString& text)
{
    QString result = QStringLiteral("> ") + text;
    result.replace(u'\n', QStringLiteral("\n> "));
    return result;
}

void appendText(QString& text, const QString& more)
{
    if (more.isEmpty())
        return;
    if (!text.isEmpty())
        text += QStringLiteral("\n\n");
    text += more;
}

// The text of a non-tool part (text, thinking, media...); empty for tool parts.
QString partText(const QJsonObject& part)
{
    const QString type = textAt(part, "type");
    if (type.isEmpty() && !part.value(QLatin1String("text")).isString())
        return compactJson(part); // not a part we know: shown as it is
    if (type.isEmpty() || type == QLatin1String("text") || type == QLatin1String("input_text")
        || type == QLatin1String("output_text"))
        return textAt(part, "text");
    if (type == QLatin1String("thinking"))
        return quoted(textAt(part, "thinking"));
    if (type == QLatin1String("redacted_thinking"))
        return QStringLiteral("*[redacted thinking]*");
    if (type == QLatin1String("refusal"))
        return textAt(part, "refusal");
    if (type == QLatin1String("image_url") || type == QLatin1String("image")
        || type == QLatin1String("input_audio") || type == QLatin1String("document")
        || type == QLatin1String("file") || type == QLatin1String("input_image"))
        return mediaPlaceholder(type, part);
    if (part.value(QLatin1String("text")).isString())
        return textAt(part, "text");
    return QStringLiteral("*[%1]*").arg(type);
}

// Content that is a string, a list of parts or anything else (shown as JSON).
QString contentText(const QJsonValue& content)
{
    if (content.isString() || content.isNull() || content.isUndefined())
        return content.toString();
    if (!content.isArray())
        return content.isObject() ? partText(content.toObject()) : compactJson(content);
    QString text;
    for (const QJsonValue& part : content.toArray())
        appendText(text, part.isObject() ? partText(part.toObject()) : part.toString());
    return text;
}

ToolCall openAiToolCall(const QJsonObject& call)
{
    const QJsonObject function = call.value(QLatin1String("function")).toObject();
    return { textAt(call, "id"), textAt(function, "name"),
        compactJson(function.value(QLatin1String("arguments"))) };
}

void TranscriptBuilder::addText(const QString& role, const QString& text, bool fromOutput)
{
    ChatMessage message;
    message.role = role;
    message.text = text;
    message.fromOutput = fromOutput;
    push(std::move(message));
}

// Anthropic-style blocks: tool_use becomes a tool call of the message, each tool_result a
// message of its own (in order), everything else text.
void TranscriptBuilder::addBlocks(ChatMessage& current, const QJsonArray& blocks, bool& pushed)
{
    for (const QJsonValue& value : blocks) {
        const QJsonObject block = value.toObject();
        const QString type = textAt(block, "type");
        if (type == QLatin1String("tool_use")) {
            current.toolCalls.append({ textAt(block, "id"), textAt(block, "name"),
                compactJson(block.value(QLatin1String("input"))) });
        } else if (type == QLatin1String("tool_result")) {
            if (!current.text.isEmpty() || !current.toolCalls.isEmpty()) {
                push(current);
                current.text.clear();
                current.toolCalls.clear();
            }
            ChatMessage result;
            result.role = QStringLiteral("tool");
            result.toolCallId = textAt(block, "tool_use_id");
            result.text = contentText(block.value(QLatin1String("content")));
            result.isError = block.value(QLatin1String("is_error")).toBool();
            result.fromOutput = current.fromOutput;
            push(std::move(result));
            pushed = true;
        } else {
            appendText(current.text, value.isObject() ? partText(block) : value.toString());
        }
    }
}

void TranscriptBuilder::addMessage(const QJsonObject& message, bool fromOutput, const QString& defaultRole)
{
    ChatMessage current;
    current.role = textAt(message, "role");
    if (current.role.isEmpty())
        current.role = defaultRole;
    current.name = textAt(message, "name");
    current.toolCallId = textAt(message, "tool_call_id");
    current.fromOutput = fromOutput;
    bool pushed = false;
    const QJsonValue content = message.value(QLatin1String("content"));
    if (content.isArray() && current.role != QLatin1String("tool"))
        addBlocks(current, content.toArray(), pushed);
    else
        current.text = contentText(content);
    appendText(current.text, textAt(message, "refusal"));
    for (const QJsonValue& call : message.value(QLatin1String("tool_calls")).toArray())
        current.toolCalls.append(openAiToolCall(call.toObject()));
    const QJsonObject functionCall = message.value(QLatin1String("function_call")).toObject();
    if (!functionCall.isEmpty())
        current.toolCalls.append(openAiToolCall({ { QStringLiteral("function"), functionCall } }));
    if (!pushed || !current.text.isEmpty() || !current.toolCalls.isEmpty())
        push(std::move(current));
}

// A list of OpenAI stream chunks: deltas merged per choice, tool call arguments concatenated.
void TranscriptBuilder::addChunks(const QJsonArray& chunks)
{
    QMap<int, QJsonObject> merged; // choice index -> {role, content, tool_calls}
    QMap<int, QMap<int, ToolCall>> calls;
    for (const QJsonValue& chunk : chunks) {
        for (const QJsonValue& value : chunk.toObject().value(QLatin1String("choices")).toArray()) {
            const QJsonObject choice = value.toObject();
            const int index = choice.value(QLatin1String("index")).toInt();
            const QJsonObject delta = choice.value(QLatin1String("delta")).toObject();
            QJsonObject& message = merged[index];
            if (delta.contains(QLatin1String("role")))
                message.insert(QStringLiteral("role"), delta.value(QLatin1String("role")));
            message.insert(
                QStringLiteral("content"), QString(textAt(message, "content") + textAt(delta, "content")));
            for (const QJsonValue& callValue : delta.value(QLatin1String("tool_calls")).toArray()) {
                const QJsonObject call = callValue.toObject();
                const QJsonObject function = call.value(QLatin1String("function")).toObject();
                ToolCall& target = calls[index][call.value(QLatin1String("index")).toInt()];
                target.id += textAt(call, "id");
                target.name += textAt(function, "name");
                target.arguments += textAt(function, "arguments");
            }
        }
    }
    for (auto it = merged.cbegin(); it != merged.cend(); ++it) {
        addMessage(it.value(), true, QStringLiteral("assistant"));
        for (const ToolCall& call : calls.value(it.key()))
            transcript.messages.last().toolCalls.append(call);
    }
}

// A list of Anthropic stream events: text and tool-input deltas merged per content block.
void TranscriptBuilder::addAnthropicEvents(const QJsonArray& events)
{
    QMap<int, QJsonObject> blocks;
    for (const QJsonValue& value : events) {
        const QJsonObject event = value.toObject();
        const QString type = textAt(event, "type");
        const int index = event.value(QLatin1String("index")).toInt();
        if (type == QLatin1String("content_block_start")) {
            blocks[index] = event.value(QLatin1String("content_block")).toObject();
        } else if (type == QLatin1String("content_block_delta")) {
            const QJsonObject delta = event.value(QLatin1String("delta")).toObject();
            QJsonObject& block = blocks[index];
            block.insert(QStringLiteral("text"), QString(textAt(block, "text") + textAt(delta, "text")));
            block.insert(QStringLiteral("partial_json"),
                QString(textAt(block, "partial_json") + textAt(delta, "partial_json")));
        }
    }
    QJsonArray content;
    for (QJsonObject block : blocks) {
        const QString json = textAt(block, "partial_json");
        if (textAt(block, "type") == QLatin1String("tool_use") && !json.isEmpty())
            block.insert(QStringLiteral("input"), QJsonDocument::fromJson(json.toUtf8()).object());
        content.append(block);
    }
    addMessage(
        { { QStringLiteral("role"), QStringLiteral("assistant") }, { QStringLiteral("content"), content } },
        true, QStringLiteral("assistant"));
}

bool isChunkList(const QJsonArray& array, const char* key)
{
    return !array.isEmpty() && array.first().isObject()
        && array.first().toObject().contains(QLatin1String(key));
}

void TranscriptBuilder::addOutput(const QJsonValue& output)
{
    const QString assistant = QStringLiteral("assistant");
    if (output.isString()) {
        addText(assistant, output.toString(), true);
        return;
    }
    if (output.isArray()) {
        const QJsonArray array = output.toArray();
        if (isChunkList(array, "choices"))
            addChunks(array);
        else if (isChunkList(array, "type")
            && textAt(array.first().toObject(), "type").startsWith(QLatin1String("message_")))
            addAnthropicEvents(array);
        return;
    }
    const QJsonObject object = output.toObject();
    const QJsonValue choices = object.value(QLatin1String("choices"));
    if (choices.isArray()) {
        for (const QJsonValue& value : choices.toArray()) {
            const QJsonObject choice = value.toObject();
            if (choice.value(QLatin1String("message")).isObject())
                addMessage(choice.value(QLatin1String("message")).toObject(), true, assistant);
            else if (choice.value(QLatin1String("delta")).isObject())
                addMessage(choice.value(QLatin1String("delta")).toObject(), true, assistant);
            else if (choice.value(QLatin1String("text")).isString())
                addText(assistant, textAt(choice, "text"), true);
        }
    } else if (object.contains(QLatin1String("content"))
        && (object.contains(QLatin1String("role")) || textAt(object, "type") == QLatin1String("message"))) {
        addMessage(object, true, assistant); // Anthropic Message, or a bare message
    } else if (object.value(QLatin1String("message")).toObject().contains(QLatin1String("role"))) {
        addMessage(object.value(QLatin1String("message")).toObject(), true, assistant);
    }
}

bool isMessageList(const QJsonValue& value)
{
    if (!value.isArray() || value.toArray().isEmpty())
        return false;
    for (const QJsonValue& message : value.toArray()) {
        if (!message.isObject() || !message.toObject().value(QLatin1String("role")).isString())
            return false;
    }
    return true;
}

} // namespace chat_detail

using namespace chat_detail;

std::optional<ChatTranscript> chatFromCall(const spindle::Call& call)
{
    const QJsonValue messages = call.inputs.value(QLatin1String("messages"));
    std::optional<ChatTranscript> chat;
    if (isMessageList(messages)) {
        TranscriptBuilder builder;
        const QString system = contentText(call.inputs.value(QLatin1String("system")));
        if (!system.isEmpty())
            builder.addText(QStringLiteral("system"), system, false);
        for (const QJsonValue& message : messages.toArray())
            builder.addMessage(message.toObject(), false, QStringLiteral("user"));
        builder.addOutput(call.output);
        chat = std::move(builder.transcript);
    } else {
        chat = responsesOrGeminiChat(call);
    }
    if (!chat)
        return std::nullopt;
    // OpenAI's tool results carry only the call id: name them after the call they answer.
    QHash<QString, QString> toolNames;
    for (ChatMessage& message : chat->messages) {
        for (const ToolCall& toolCall : std::as_const(message.toolCalls))
            toolNames.insert(toolCall.id, toolCall.name);
        if (message.name.isEmpty() && !message.toolCallId.isEmpty())
            message.name = toolNames.value(message.toolCallId);
    }
    return chat;
}

} // namespace spindle::models
