#include "core/chatrequest.h"

#include "core/chatrequest_p.h"

#include <QJsonDocument>

namespace spindle {

namespace chat_request_detail {

using namespace Qt::StringLiterals;

QJsonValue messageContent(const QJsonArray& parts)
{
    QString text;
    for (const QJsonValue& value : parts) {
        const QJsonObject part = value.toObject();
        if (part.value("type"_L1).toString() != "text"_L1)
            return parts;
        text += (text.isEmpty() ? QString() : u"\n"_s) + part.value("text"_L1).toString();
    }
    return text;
}

QJsonObject textPart(const QString& text)
{
    return { { u"type"_s, u"text"_s }, { u"text"_s, text } };
}

QJsonObject imagePart(const QString& url)
{
    return { { u"type"_s, u"image_url"_s }, { u"image_url"_s, QJsonObject { { u"url"_s, url } } } };
}

QJsonObject filePart(const QString& filename, const QString& dataUrl)
{
    return { { u"type"_s, u"file"_s },
        { u"file"_s,
            QJsonObject { { u"filename"_s, filename.isEmpty() ? u"document.pdf"_s : filename },
                { u"file_data"_s, dataUrl } } } };
}

QString compactJson(const QJsonValue& value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return value.toString();
}

QJsonObject toolCall(const QJsonValue& id, const QJsonValue& name, const QString& arguments)
{
    return { { u"id"_s, id }, { u"type"_s, u"function"_s },
        { u"function"_s, QJsonObject { { u"name"_s, name }, { u"arguments"_s, arguments } } } };
}

} // namespace chat_request_detail

using namespace chat_request_detail;

using namespace Qt::StringLiterals;

QJsonObject ChatSettings::toJson() const
{
    QJsonObject json;
    if (temperature)
        json.insert(u"temperature"_s, *temperature);
    if (maxTokens)
        json.insert(maxTokensAsCompletionTokens ? u"max_completion_tokens"_s : u"max_tokens"_s, *maxTokens);
    if (topP)
        json.insert(u"top_p"_s, *topP);
    if (frequencyPenalty)
        json.insert(u"frequency_penalty"_s, *frequencyPenalty);
    if (presencePenalty)
        json.insert(u"presence_penalty"_s, *presencePenalty);
    if (!stop.isEmpty())
        json.insert(u"stop"_s, QJsonArray::fromStringList(stop));
    if (seed)
        json.insert(u"seed"_s, double(*seed));
    if (n != 1)
        json.insert(u"n"_s, n);
    if (responseFormat == ResponseFormat::JsonObject)
        json.insert(u"response_format"_s, QJsonObject { { u"type"_s, u"json_object"_s } });
    if (responseFormat == ResponseFormat::JsonSchema)
        json.insert(u"response_format"_s,
            QJsonObject { { u"type"_s, u"json_schema"_s }, { u"json_schema"_s, jsonSchema } });
    if (!tools.isEmpty())
        json.insert(u"tools"_s, tools);
    return json;
}

template <typename T> static std::optional<T> number(const QJsonObject& json, QLatin1String key)
{
    const QJsonValue v = json.value(key);
    if (!v.isDouble())
        return std::nullopt;
    return T(v.toDouble());
}

static QStringList stopSequences(const QJsonValue& value)
{
    if (value.isString())
        return { value.toString() };
    QStringList list;
    for (const QJsonValue& v : value.toArray())
        list.append(v.toString());
    return list;
}

ChatSettings ChatSettings::fromJson(const QJsonObject& request)
{
    ChatSettings s;
    s.temperature = number<double>(request, "temperature"_L1);
    s.maxTokens = number<int>(request, "max_tokens"_L1);
    if (!s.maxTokens) {
        s.maxTokens = number<int>(request, "max_completion_tokens"_L1);
        s.maxTokensAsCompletionTokens = s.maxTokens.has_value();
    }
    s.topP = number<double>(request, "top_p"_L1);
    s.frequencyPenalty = number<double>(request, "frequency_penalty"_L1);
    s.presencePenalty = number<double>(request, "presence_penalty"_L1);
    s.stop = stopSequences(request.value("stop"_L1));
    s.seed = number<qint64>(request, "seed"_L1);
    s.n = number<int>(request, "n"_L1).value_or(1);
    const QJsonObject format = request.value("response_format"_L1).toObject();
    const QString type = format.value("type"_L1).toString();
    if (type == "json_object"_L1)
        s.responseFormat = ResponseFormat::JsonObject;
    if (type == "json_schema"_L1) {
        s.responseFormat = ResponseFormat::JsonSchema;
        s.jsonSchema = format.value("json_schema"_L1).toObject();
    }
    s.tools = request.value("tools"_L1).toArray();
    return s;
}

QJsonObject ChatRequest::body() const
{
    QJsonObject json = settings.toJson();
    json.insert(u"model"_s, model);
    json.insert(u"messages"_s, messages);
    if (stream) {
        json.insert(u"stream"_s, true);
        if (includeUsage)
            json.insert(u"stream_options"_s, QJsonObject { { u"include_usage"_s, true } });
    }
    return json;
}

// An Anthropic image or document block as an OpenAI content part: images as image_url (a data URL
// or the block's URL), a base64 document (a PDF) as a file part, a plain-text document as text.
// Empty for a block the chat completions API has no part for (a document given by URL).
static QJsonObject mediaPart(const QJsonObject& block)
{
    const QString type = block.value("type"_L1).toString();
    const QJsonObject source = block.value("source"_L1).toObject();
    const QString sourceType = source.value("type"_L1).toString();
    const QString data = source.value("data"_L1).toString();
    const QString dataUrl = u"data:%1;base64,%2"_s.arg(source.value("media_type"_L1).toString(), data);
    if (type == "image"_L1 && (sourceType == "base64"_L1 || sourceType == "url"_L1))
        return imagePart(sourceType == "url"_L1 ? source.value("url"_L1).toString() : dataUrl);
    if (type == "document"_L1 && sourceType == "text"_L1)
        return textPart(data);
    if (type == "document"_L1 && sourceType == "base64"_L1)
        return filePart(block.value("title"_L1).toString(), dataUrl);
    return {};
}

// Anthropic content blocks as OpenAI messages: text joined, images and documents as content parts,
// tool_use as tool_calls, tool_result as role "tool" messages.
static void appendAnthropicMessage(QJsonArray& out, const QJsonObject& message)
{
    const QString role = message.value("role"_L1).toString();
    const QJsonValue content = message.value("content"_L1);
    if (content.isString()) {
        out.append(QJsonObject { { u"role"_s, role }, { u"content"_s, content } });
        return;
    }
    QJsonArray parts; // text, image and file parts in the blocks' order
    QJsonArray toolCalls;
    for (const QJsonValue& value : content.toArray()) {
        const QJsonObject block = value.toObject();
        const QString type = block.value("type"_L1).toString();
        if (type == "text"_L1)
            parts.append(QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, block.value("text"_L1) } });
        else if (const QJsonObject part = mediaPart(block); !part.isEmpty())
            parts.append(part);
        else if (type == "tool_use"_L1)
            toolCalls.append(toolCall(block.value("id"_L1), block.value("name"_L1),
                compactJson(block.value("input"_L1).toObject())));
        else if (type == "tool_result"_L1) {
            const QJsonValue result = block.value("content"_L1);
            out.append(
                QJsonObject { { u"role"_s, u"tool"_s }, { u"tool_call_id"_s, block.value("tool_use_id"_L1) },
                    { u"content"_s,
                        result.isString()
                            ? result.toString()
                            : QString::fromUtf8(
                                QJsonDocument(result.toArray()).toJson(QJsonDocument::Compact)) } });
        }
    }
    if (parts.isEmpty() && toolCalls.isEmpty())
        return;
    QJsonObject converted { { u"role"_s, role }, { u"content"_s, messageContent(parts) } };
    if (!toolCalls.isEmpty())
        converted.insert(u"tool_calls"_s, toolCalls);
    out.append(converted);
}

static std::optional<ChatRequest> anthropicRequest(const QJsonObject& inputs)
{
    ChatRequest request;
    request.model = inputs.value("model"_L1).toString();
    const QJsonValue system = inputs.value("system"_L1);
    QString systemText = system.toString();
    for (const QJsonValue& block : system.toArray())
        systemText +=
            (systemText.isEmpty() ? QString() : u"\n"_s) + block.toObject().value("text"_L1).toString();
    if (!systemText.isEmpty())
        request.messages.append(QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, systemText } });
    for (const QJsonValue& m : inputs.value("messages"_L1).toArray())
        appendAnthropicMessage(request.messages, m.toObject());
    request.settings = ChatSettings::fromJson(inputs);
    request.settings.stop = stopSequences(inputs.value("stop_sequences"_L1));
    request.settings.tools = {};
    for (const QJsonValue& t : inputs.value("tools"_L1).toArray()) {
        const QJsonObject tool = t.toObject();
        request.settings.tools.append(QJsonObject { { u"type"_s, u"function"_s },
            { u"function"_s,
                QJsonObject { { u"name"_s, tool.value("name"_L1) },
                    { u"description"_s, tool.value("description"_L1) },
                    { u"parameters"_s, tool.value("input_schema"_L1) } } } });
    }
    return request;
}

static bool looksAnthropic(const QJsonObject& inputs)
{
    if (inputs.contains("system"_L1) || inputs.contains("stop_sequences"_L1))
        return true;
    for (const QJsonValue& m : inputs.value("messages"_L1).toArray())
        for (const QJsonValue& block : m.toObject().value("content"_L1).toArray()) {
            const QString type = block.toObject().value("type"_L1).toString();
            // OpenAI's images are image_url parts; a "source" is Anthropic's.
            if (type == "tool_use"_L1 || type == "tool_result"_L1 || block.toObject().contains("source"_L1))
                return true;
        }
    return false;
}

std::optional<ChatRequest> chatRequestFromCallInputs(const QJsonObject& inputs)
{
    QJsonObject kwargs = inputs;
    if (!kwargs.value("messages"_L1).isArray()) {
        // The JS SDK logs positional arguments (arg0, ...); the request is the one with messages.
        kwargs = {};
        for (auto it = inputs.begin(); it != inputs.end(); ++it)
            if (it->toObject().value("messages"_L1).isArray()) {
                kwargs = it->toObject();
                break;
            }
    }
    if (kwargs.value("messages"_L1).toArray().isEmpty()) {
        if (!inputs.value("model"_L1).isString())
            return std::nullopt;
        if (inputs.value("input"_L1).isString() || inputs.value("input"_L1).isArray())
            return responsesRequest(inputs);
        if (inputs.contains("contents"_L1))
            return geminiRequest(inputs);
        return std::nullopt;
    }
    if (looksAnthropic(kwargs))
        return anthropicRequest(kwargs);
    ChatRequest request;
    request.model = kwargs.value("model"_L1).toString();
    request.messages = kwargs.value("messages"_L1).toArray();
    request.settings = ChatSettings::fromJson(kwargs);
    return request;
}

} // namespace spindle
