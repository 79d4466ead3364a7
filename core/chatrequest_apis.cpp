// "Open in playground" for two more APIs: OpenAI's Responses API and Google's generate_content,
// read into a chat completions request (the playground's one request shape). What chat completions
// cannot carry is left out: reasoning items, built-in tools (web search, code execution), files
// given by id or by a URI the model's server cannot fetch.
#include "core/chatrequest_p.h"

#include <QHash>
#include <QSet>

namespace spindle::chat_request_detail {

using namespace Qt::StringLiterals;

namespace {

// OpenAI's "developer" role is its newer name for "system", which every compatible server knows.
QString chatRole(const QString& role)
{
    if (role == "developer"_L1 || role == "system"_L1)
        return u"system"_s;
    return role == "assistant"_L1 || role == "model"_L1 ? u"assistant"_s : u"user"_s;
}

// A Responses content part as a chat completions part; empty for one it has no part for.
QJsonObject responsesPart(const QJsonObject& part)
{
    const QString type = part.value("type"_L1).toString();
    if (type == "input_text"_L1 || type == "output_text"_L1 || type == "text"_L1)
        return textPart(part.value("text"_L1).toString());
    if (type == "refusal"_L1)
        return textPart(part.value("refusal"_L1).toString());
    if (type == "input_image"_L1 && part.value("image_url"_L1).isString())
        return imagePart(part.value("image_url"_L1).toString());
    if (type == "input_file"_L1 && part.value("file_data"_L1).isString())
        return filePart(part.value("filename"_L1).toString(), part.value("file_data"_L1).toString());
    return {};
}

QJsonValue responsesContent(const QJsonValue& content)
{
    if (content.isString())
        return content;
    QJsonArray parts;
    for (const QJsonValue& value : content.toArray())
        if (const QJsonObject part = responsesPart(value.toObject()); !part.isEmpty())
            parts.append(part);
    return messageContent(parts);
}

// A tool call joins the assistant message before it (its text, or the calls made with it): chat
// completions carries a turn's text and calls in one message, which the tool results then follow.
void appendToolCall(QJsonArray& messages, const QJsonObject& call)
{
    QJsonObject last = messages.isEmpty() ? QJsonObject() : messages.last().toObject();
    if (last.value("role"_L1).toString() != "assistant"_L1) {
        messages.append(QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, QJsonValue::Null },
            { u"tool_calls"_s, QJsonArray { call } } });
        return;
    }
    QJsonArray calls = last.value("tool_calls"_L1).toArray();
    calls.append(call);
    last.insert(u"tool_calls"_s, calls);
    messages[messages.size() - 1] = last;
}

void appendResponsesItem(QJsonArray& messages, const QJsonObject& item)
{
    const QString type = item.value("type"_L1).toString();
    if (type.isEmpty() || type == "message"_L1) {
        const QJsonValue content = responsesContent(item.value("content"_L1));
        if (!content.toString().isEmpty() || !content.toArray().isEmpty())
            messages.append(QJsonObject {
                { u"role"_s, chatRole(item.value("role"_L1).toString()) }, { u"content"_s, content } });
    } else if (type == "function_call"_L1 || type == "custom_tool_call"_L1) {
        const QJsonValue arguments = item.value(item.contains("input"_L1) ? "input"_L1 : "arguments"_L1);
        appendToolCall(
            messages, toolCall(item.value("call_id"_L1), item.value("name"_L1), compactJson(arguments)));
    } else if (type == "function_call_output"_L1 || type == "custom_tool_call_output"_L1) {
        const QJsonValue output = item.value("output"_L1);
        const QJsonValue content = output.isArray() ? responsesContent(output) : output;
        messages.append(
            QJsonObject { { u"role"_s, u"tool"_s }, { u"tool_call_id"_s, item.value("call_id"_L1) },
                { u"content"_s, content.isArray() ? compactJson(content) : content.toString() } });
    }
}

ChatSettings responsesSettings(const QJsonObject& inputs)
{
    ChatSettings settings = ChatSettings::fromJson(inputs); // temperature and top_p share their names
    settings.tools = {};
    if (inputs.value("max_output_tokens"_L1).isDouble()) {
        settings.maxTokens = inputs.value("max_output_tokens"_L1).toInt();
        settings.maxTokensAsCompletionTokens = true; // the Responses API is OpenAI's own
    }
    for (const QJsonValue& value : inputs.value("tools"_L1).toArray()) {
        QJsonObject function = value.toObject();
        if (function.value("type"_L1).toString() != "function"_L1)
            continue;
        function.remove(u"type"_s);
        settings.tools.append(QJsonObject { { u"type"_s, u"function"_s }, { u"function"_s, function } });
    }
    QJsonObject format = inputs.value("text"_L1).toObject().value("format"_L1).toObject();
    const QString type = format.take(u"type"_s).toString();
    if (type == "json_object"_L1)
        settings.responseFormat = ChatSettings::ResponseFormat::JsonObject;
    if (type == "json_schema"_L1) {
        settings.responseFormat = ChatSettings::ResponseFormat::JsonSchema;
        settings.jsonSchema = format;
    }
    return settings;
}

// Gemini's fields in the Python SDK's snake_case or JSON's camelCase.
QJsonValue member(const QJsonObject& object, QLatin1String snake, QLatin1String camel)
{
    return object.contains(snake) ? object.value(snake) : object.value(camel);
}

// The reads of one generate_content conversation: a function call without an id (older models)
// gets one, which the response naming that function then answers.
struct GeminiReader
{
    QJsonArray messages;
    QHash<QString, QStringList> unansweredIds; // by function, in call order (parallel calls)
    int generatedIds = 0;

    QJsonObject takeCall(const QJsonObject& call);
    QJsonObject answer(const QJsonObject& response);

    QJsonObject mediaPart(const QJsonObject& part) const;
    void addContent(const QJsonValue& content);
    void addParts(const QString& role, const QJsonArray& parts);
};

QJsonObject GeminiReader::mediaPart(const QJsonObject& part) const
{
    const QJsonObject inlineData = member(part, "inline_data"_L1, "inlineData"_L1).toObject();
    const QJsonObject fileData = member(part, "file_data"_L1, "fileData"_L1).toObject();
    const QString mime =
        member(inlineData.isEmpty() ? fileData : inlineData, "mime_type"_L1, "mimeType"_L1).toString();
    if (inlineData.value("data"_L1).isString()) { // audio and video have no chat completions part
        const QString url = u"data:%1;base64,%2"_s.arg(mime, inlineData.value("data"_L1).toString());
        if (mime.startsWith("image/"_L1))
            return imagePart(url);
        return mime == "application/pdf"_L1 ? filePart(QString(), url) : QJsonObject();
    }
    const QString uri = member(fileData, "file_uri"_L1, "fileUri"_L1).toString();
    if (mime.startsWith("image/"_L1) && (uri.startsWith("https://"_L1) || uri.startsWith("http://"_L1)))
        return imagePart(uri);
    return {};
}

// A function call as a tool call: its id, or one made up (older models send none), which the
// response naming that function takes next.
QJsonObject GeminiReader::takeCall(const QJsonObject& call)
{
    const QString name = call.value("name"_L1).toString();
    QString id = call.value("id"_L1).toString();
    if (id.isEmpty())
        id = u"call_%1"_s.arg(++generatedIds);
    unansweredIds[name].append(id);
    const QJsonValue args = call.value("args"_L1);
    return toolCall(id, name, args.isObject() || args.isArray() ? compactJson(args) : u"{}"_s);
}

// A function response as a tool message, answering the call of that id, or the earliest call of that
// function not answered yet (two parallel calls of one function take their two responses in order).
QJsonObject GeminiReader::answer(const QJsonObject& response)
{
    const QString name = response.value("name"_L1).toString();
    QString id = response.value("id"_L1).toString();
    QStringList& waiting = unansweredIds[name];
    if (id.isEmpty())
        id = waiting.isEmpty() ? u"call_%1"_s.arg(++generatedIds) : waiting.takeFirst();
    else
        waiting.removeOne(id);
    return { { u"role"_s, u"tool"_s }, { u"tool_call_id"_s, id },
        { u"content"_s, compactJson(response.value("response"_L1)) } };
}

void GeminiReader::addParts(const QString& role, const QJsonArray& parts)
{
    QJsonArray content;
    QJsonArray calls;
    for (const QJsonValue& value : parts) {
        const QJsonObject part = value.isString() ? QJsonObject { { u"text"_s, value } } : value.toObject();
        const QJsonObject call = member(part, "function_call"_L1, "functionCall"_L1).toObject();
        const QJsonObject response = member(part, "function_response"_L1, "functionResponse"_L1).toObject();
        if (!call.isEmpty())
            calls.append(takeCall(call));
        if (!response.isEmpty())
            messages.append(answer(response));
        if (part.value("text"_L1).isString() && !part.value("thought"_L1).toBool())
            content.append(textPart(part.value("text"_L1).toString()));
        else if (const QJsonObject media = mediaPart(part); !media.isEmpty())
            content.append(media);
    }
    if (content.isEmpty() && calls.isEmpty())
        return;
    QJsonObject message { { u"role"_s, role },
        { u"content"_s, content.isEmpty() ? QJsonValue(QJsonValue::Null) : messageContent(content) } };
    if (!calls.isEmpty())
        message.insert(u"tool_calls"_s, calls);
    messages.append(message);
}

// As google-genai reads `contents`: a string is the user's; in a list, Contents stay messages and
// the bare parts between them (text, images, files) make one user message.
void GeminiReader::addContent(const QJsonValue& content)
{
    if (content.isString()) {
        addParts(u"user"_s, QJsonArray { content });
        return;
    }
    if (content.isObject()) {
        const QJsonObject object = content.toObject();
        const bool isContent = object.contains("parts"_L1) || object.contains("role"_L1);
        addParts(chatRole(object.value("role"_L1).toString()),
            isContent ? object.value("parts"_L1).toArray() : QJsonArray { object });
        return;
    }
    QJsonArray bareParts;
    for (const QJsonValue& each : content.toArray()) {
        const QJsonObject object = each.toObject();
        if (each.isString() || (!object.contains("parts"_L1) && !object.contains("role"_L1))) {
            bareParts.append(each);
            continue;
        }
        if (!bareParts.isEmpty())
            addParts(u"user"_s, bareParts);
        bareParts = {};
        addContent(each);
    }
    if (!bareParts.isEmpty())
        addParts(u"user"_s, bareParts);
}

QString geminiSystemText(const QJsonValue& instruction)
{
    GeminiReader reader;
    reader.addContent(instruction);
    QStringList texts;
    for (const QJsonValue& message : reader.messages)
        texts.append(message.toObject().value("content"_L1).toString());
    texts.removeAll(QString());
    return texts.join(u'\n');
}

ChatSettings geminiSettings(const QJsonObject& config)
{
    ChatSettings settings;
    const auto numberAt = [&config](const char* snake, const char* camel) {
        const QJsonValue value = member(config, QLatin1String(snake), QLatin1String(camel));
        return value.isDouble() ? std::optional<double>(value.toDouble()) : std::nullopt;
    };
    settings.temperature = numberAt("temperature", "temperature");
    settings.topP = numberAt("top_p", "topP");
    settings.presencePenalty = numberAt("presence_penalty", "presencePenalty");
    settings.frequencyPenalty = numberAt("frequency_penalty", "frequencyPenalty");
    if (const auto tokens = numberAt("max_output_tokens", "maxOutputTokens"))
        settings.maxTokens = int(*tokens);
    if (const auto seed = numberAt("seed", "seed"))
        settings.seed = qint64(*seed);
    settings.n = int(numberAt("candidate_count", "candidateCount").value_or(1));
    for (const QJsonValue& stop : member(config, "stop_sequences"_L1, "stopSequences"_L1).toArray())
        settings.stop.append(stop.toString());
    QJsonValue schema = member(config, "response_json_schema"_L1, "responseJsonSchema"_L1);
    if (!schema.isObject())
        schema = member(config, "response_schema"_L1, "responseSchema"_L1);
    if (schema.isObject()) {
        settings.responseFormat = ChatSettings::ResponseFormat::JsonSchema;
        settings.jsonSchema = { { u"name"_s, u"response"_s }, { u"schema"_s, schema } };
    } else if (member(config, "response_mime_type"_L1, "responseMimeType"_L1).toString()
        == "application/json"_L1) {
        settings.responseFormat = ChatSettings::ResponseFormat::JsonObject;
    }
    for (const QJsonValue& tool : config.value("tools"_L1).toArray())
        for (const QJsonValue& declaration :
            member(tool.toObject(), "function_declarations"_L1, "functionDeclarations"_L1).toArray()) {
            QJsonObject function = declaration.toObject();
            if (!function.contains("parameters"_L1) && function.contains("parametersJsonSchema"_L1))
                function.insert(u"parameters"_s, function.take(u"parametersJsonSchema"_s));
            settings.tools.append(QJsonObject { { u"type"_s, u"function"_s }, { u"function"_s, function } });
        }
    return settings;
}

// A tool result must follow the assistant message that made its call; one without (a Responses
// conversation continued from a previous_response_id holds only the results) would be refused by
// the provider: it goes as the user's text instead.
void adoptOrphanResults(QJsonArray& messages)
{
    QSet<QString> called;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonObject message = messages[i].toObject();
        for (const QJsonValue& call : message.value("tool_calls"_L1).toArray())
            called.insert(call.toObject().value("id"_L1).toString());
        const QString id = message.value("tool_call_id"_L1).toString();
        if (message.value("role"_L1).toString() != "tool"_L1 || called.contains(id))
            continue;
        messages[i] = QJsonObject { { u"role"_s, u"user"_s },
            { u"content"_s, u"Result of call %1: %2"_s.arg(id, message.value("content"_L1).toString()) } };
    }
}

} // namespace

std::optional<ChatRequest> responsesRequest(const QJsonObject& inputs)
{
    ChatRequest request;
    request.model = inputs.value("model"_L1).toString();
    const QJsonValue instructions = inputs.value("instructions"_L1);
    if (instructions.isString() && !instructions.toString().isEmpty())
        request.messages.append(QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, instructions } });
    for (const QJsonValue& item : instructions.toArray()) // instructions given as input items
        appendResponsesItem(request.messages, item.toObject());
    const QJsonValue input = inputs.value("input"_L1);
    if (input.isString())
        request.messages.append(QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, input } });
    for (const QJsonValue& item : input.toArray())
        appendResponsesItem(request.messages, item.toObject());
    if (request.messages.isEmpty())
        return std::nullopt;
    adoptOrphanResults(request.messages);
    request.settings = responsesSettings(inputs);
    return request;
}

std::optional<ChatRequest> geminiRequest(const QJsonObject& inputs)
{
    ChatRequest request;
    request.model = inputs.value("model"_L1).toString();
    if (request.model.startsWith("models/"_L1)) // the API's resource name; providers want the id
        request.model = request.model.mid(7);
    QJsonObject config = inputs.value("config"_L1).toObject();
    if (config.isEmpty()) // google-generativeai, the older SDK
        config = member(inputs, "generation_config"_L1, "generationConfig"_L1).toObject();
    const QString system = geminiSystemText(member(config, "system_instruction"_L1, "systemInstruction"_L1));
    if (!system.isEmpty())
        request.messages.append(QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, system } });
    GeminiReader reader;
    reader.addContent(inputs.value("contents"_L1));
    if (reader.messages.isEmpty())
        return std::nullopt;
    for (const QJsonValue& message : reader.messages)
        request.messages.append(message);
    adoptOrphanResults(request.messages);
    request.settings = geminiSettings(config);
    return request;
}

} // namespace spindle::chat_request_detail
