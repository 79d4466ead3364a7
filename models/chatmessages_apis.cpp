// The chats of two more APIs, read into a TranscriptBuilder: OpenAI's Responses API (`input` and
// `instructions`, the reply's `output` items) and Google's generate_content (`contents` and
// config.system_instruction, the reply's candidates).
#include "core/call.h"
#include "models/chatmessages.h"
#include "models/chatmessages_p.h"

#include <QJsonArray>
#include <QJsonObject>

namespace spindle::models::chat_detail {

// OpenAI's Responses API items: messages, function calls and their outputs, reasoning summaries.
void TranscriptBuilder::addResponseItem(const QJsonObject& item, bool fromOutput)
{
    const QString type = textAt(item, "type");
    const QString assistant = QStringLiteral("assistant");
    if (type.isEmpty() || type == QLatin1String("message")) {
        addMessage(item, fromOutput, fromOutput ? assistant : QStringLiteral("user"));
    } else if (type == QLatin1String("function_call") || type == QLatin1String("custom_tool_call")) {
        ChatMessage call;
        call.role = assistant;
        call.fromOutput = fromOutput;
        const QJsonValue arguments =
            item.value(QLatin1String(item.contains(QLatin1String("input")) ? "input" : "arguments"));
        call.toolCalls.append({ textAt(item, "call_id"), textAt(item, "name"), compactJson(arguments) });
        push(std::move(call));
    } else if (type.endsWith(QLatin1String("call_output"))) {
        ChatMessage result;
        result.role = QStringLiteral("tool");
        result.toolCallId = textAt(item, "call_id");
        result.text = contentText(item.value(QLatin1String("output")));
        result.fromOutput = fromOutput;
        push(std::move(result));
    } else if (type == QLatin1String("reasoning")) {
        QString summary;
        for (const QJsonValue& part : item.value(QLatin1String("summary")).toArray())
            appendText(summary, textAt(part.toObject(), "text"));
        if (!summary.isEmpty())
            addText(assistant, quoted(summary), fromOutput);
    } else { // web searches, file searches, computer actions...: named, not shown
        addText(
            fromOutput ? assistant : QStringLiteral("user"), QStringLiteral("*[%1]*").arg(type), fromOutput);
    }
}

// Google's Content {role: user|model, parts: [text | function_call | function_response | inline_data]},
// a list of them, or a bare string; snake_case as the Python SDK logs it, camelCase as JSON has it.
void TranscriptBuilder::addGeminiContent(const QJsonValue& content, bool fromOutput)
{
    const QString defaultRole = fromOutput ? QStringLiteral("model") : QStringLiteral("user");
    if (content.isString()) {
        addText(defaultRole, content.toString(), fromOutput);
        return;
    }
    if (content.isArray()) {
        // As google-genai reads a list: Contents stay messages, and the parts between them (text,
        // images, files) are one message of the user's, not one each.
        QJsonArray parts;
        const auto flushParts = [&] {
            if (!parts.isEmpty())
                addGeminiContent(QJsonObject { { QStringLiteral("parts"), parts } }, fromOutput);
            parts = {};
        };
        for (const QJsonValue& each : content.toArray()) {
            const QJsonObject object = each.toObject();
            if (each.isString())
                parts.append(QJsonObject { { QStringLiteral("text"), each } });
            else if (each.isObject() && !object.contains(QLatin1String("parts"))
                && !object.contains(QLatin1String("role")))
                parts.append(object);
            else {
                flushParts();
                addGeminiContent(each, fromOutput);
            }
        }
        flushParts();
        return;
    }
    const QJsonObject object = content.toObject();
    const auto member = [](const QJsonObject& o, const char* snake, const char* camel) {
        return o.contains(QLatin1String(snake)) ? o.value(QLatin1String(snake))
                                                : o.value(QLatin1String(camel));
    };
    ChatMessage message;
    message.role = textAt(object, "role").isEmpty() ? defaultRole : textAt(object, "role");
    message.fromOutput = fromOutput;
    const QJsonArray parts = object.contains(QLatin1String("parts"))
        ? object.value(QLatin1String("parts")).toArray()
        : QJsonArray { object };
    for (const QJsonValue& value : parts) {
        const QJsonObject part = value.toObject();
        const QJsonObject call = member(part, "function_call", "functionCall").toObject();
        const QJsonObject response = member(part, "function_response", "functionResponse").toObject();
        const QJsonObject inlineData = member(part, "inline_data", "inlineData").toObject();
        const QJsonObject fileData = member(part, "file_data", "fileData").toObject();
        if (!fileData.isEmpty()) {
            appendText(message.text,
                QStringLiteral("*[file: %1 %2]*")
                    .arg(member(fileData, "mime_type", "mimeType").toString(),
                        member(fileData, "file_uri", "fileUri").toString()));
        } else if (!call.isEmpty()) {
            message.toolCalls.append(
                { textAt(call, "id"), textAt(call, "name"), compactJson(call.value(QLatin1String("args"))) });
        } else if (!response.isEmpty()) {
            ChatMessage result;
            result.role = QStringLiteral("tool");
            result.name = textAt(response, "name");
            result.toolCallId = textAt(response, "id");
            result.text = compactJson(response.value(QLatin1String("response")));
            result.fromOutput = fromOutput;
            push(std::move(result));
        } else if (!inlineData.isEmpty()) {
            const QJsonValue data = inlineData.value(QLatin1String("data"));
            appendText(message.text,
                !data.isString() // bytes the SDK logged as an object: no size to tell
                    ? QStringLiteral("*[media: %1]*")
                          .arg(member(inlineData, "mime_type", "mimeType").toString())
                    : inlinePlaceholder(QStringLiteral("media"),
                        member(inlineData, "mime_type", "mimeType").toString(),
                        textAt(inlineData, "data").size()));
        } else if (part.value(QLatin1String("thought")).toBool()) {
            appendText(message.text, quoted(textAt(part, "text")));
        } else if (part.value(QLatin1String("text")).isString()) {
            appendText(message.text, textAt(part, "text"));
        }
    }
    if (!message.text.isEmpty() || !message.toolCalls.isEmpty())
        push(std::move(message));
}

namespace {

// The reply is the API's own (Responses: an `output` list; generate_content: `candidates`), or the
// call still runs and its op is that API's: embeddings, moderations and count_tokens take a model
// and an input too.
bool answeredBy(const spindle::Call& call, const char* outputKey, const char* opPart)
{
    if (call.output.isNull() || call.output.isUndefined())
        return call.opName.contains(QLatin1String(opPart));
    return call.output.toObject().value(QLatin1String(outputKey)).isArray();
}

// An item of a Responses input or output list: a string (a partly streamed reply) as text.
void addResponseValue(TranscriptBuilder& builder, const QJsonValue& item, bool fromOutput)
{
    if (item.isObject())
        builder.addResponseItem(item.toObject(), fromOutput);
    else if (item.isString() && !item.toString().isEmpty())
        builder.addText(
            fromOutput ? QStringLiteral("assistant") : QStringLiteral("user"), item.toString(), fromOutput);
}

} // namespace

// Both APIs name a model, which a function that merely takes an `input` argument does not.
std::optional<ChatTranscript> responsesOrGeminiChat(const spindle::Call& call)
{
    if (!call.inputs.value(QLatin1String("model")).isString())
        return std::nullopt;
    const QJsonValue input = call.inputs.value(QLatin1String("input"));
    const QJsonValue contents = call.inputs.value(QLatin1String("contents"));
    TranscriptBuilder builder;
    if ((input.isString() || input.isArray()) && answeredBy(call, "output", "responses")) {
        const QString instructions = contentText(call.inputs.value(QLatin1String("instructions")));
        if (!instructions.isEmpty())
            builder.addText(QStringLiteral("system"), instructions, false);
        if (input.isString())
            builder.addText(QStringLiteral("user"), input.toString(), false);
        for (const QJsonValue& item : input.toArray())
            addResponseValue(builder, item, false);
        for (const QJsonValue& item : call.output.toObject().value(QLatin1String("output")).toArray())
            addResponseValue(builder, item, true);
        return builder.transcript;
    }
    if ((!contents.isString() && !contents.isArray() && !contents.isObject())
        || !answeredBy(call, "candidates", "generate_content"))
        return std::nullopt;
    const QJsonObject config = call.inputs.value(QLatin1String("config")).toObject();
    const QJsonValue system = config.contains(QLatin1String("system_instruction"))
        ? config.value(QLatin1String("system_instruction"))
        : config.value(QLatin1String("systemInstruction"));
    if (!system.isUndefined() && !system.isNull()) {
        TranscriptBuilder instruction;
        instruction.addGeminiContent(system, false);
        for (ChatMessage message : instruction.transcript.messages) {
            message.role = QStringLiteral("system");
            builder.transcript.messages.append(std::move(message));
        }
    }
    builder.addGeminiContent(contents, false);
    for (const QJsonValue& candidate : call.output.toObject().value(QLatin1String("candidates")).toArray())
        builder.addGeminiContent(candidate.toObject().value(QLatin1String("content")), true);
    return builder.transcript;
}

} // namespace spindle::models::chat_detail
