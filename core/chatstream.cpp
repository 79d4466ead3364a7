#include "core/chatstream.h"

#include <QJsonDocument>

#include <algorithm>

namespace spindle {

using namespace Qt::StringLiterals;

// Lines end with LF, CRLF or a lone CR, as the SSE spec allows all three. A CR at the end of what
// has come waits for the next bytes: its LF may be in them.
QVector<QByteArray> SseParser::feed(const QByteArray& bytes)
{
    QVector<QByteArray> events;
    m_buffer.append(bytes);
    qsizetype start = 0;
    for (;;) {
        qsizetype end = start;
        while (end < m_buffer.size() && m_buffer.at(end) != '\n' && m_buffer.at(end) != '\r')
            ++end;
        if (end == m_buffer.size())
            break;
        qsizetype next = end + 1;
        if (m_buffer.at(end) == '\r') {
            if (next == m_buffer.size())
                break;
            if (m_buffer.at(next) == '\n')
                ++next;
        }
        takeLine(m_buffer.mid(start, end - start), events);
        start = next;
    }
    m_buffer.remove(0, start);
    return events;
}

QVector<QByteArray> SseParser::finish()
{
    QVector<QByteArray> events;
    if (m_buffer.endsWith('\r')) // the stream ended on a CR: it ended its line
        events = feed("\n");
    if (!m_buffer.isEmpty()) {
        QByteArray line = std::exchange(m_buffer, {});
        if (line.endsWith('\r'))
            line.chop(1);
        takeLine(std::move(line), events);
    }
    takeLine({}, events); // the blank line the stream never sent
    return events;
}

void SseParser::takeLine(QByteArray line, QVector<QByteArray>& events)
{
    if (line.isEmpty()) {
        if (m_hasData)
            events.append(std::exchange(m_data, {}));
        m_hasData = false;
        return;
    }
    if (line.startsWith(':') || !line.startsWith("data"))
        return; // comments keep proxies awake; event:, id:, retry: do not matter to chat streams
    if (line.size() > 4 && line.at(4) != ':')
        return; // a field that only starts with "data", e.g. "database"
    QByteArray value = line.mid(5);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (m_hasData)
        m_data.append('\n');
    m_data.append(value);
    m_hasData = true;
}

ChatChoice& ChatAccumulator::choiceAt(int index)
{
    auto it = std::find_if(
        m_choices.begin(), m_choices.end(), [index](const ChatChoice& c) { return c.index == index; });
    if (it != m_choices.end())
        return *it;
    ChatChoice choice;
    choice.index = index;
    m_choices.append(choice);
    std::sort(m_choices.begin(), m_choices.end(),
        [](const ChatChoice& a, const ChatChoice& b) { return a.index < b.index; });
    return *std::find_if(
        m_choices.begin(), m_choices.end(), [index](const ChatChoice& c) { return c.index == index; });
}

void ChatAccumulator::readUsage(const QJsonObject& owner)
{
    const QJsonObject usage = owner.value("usage"_L1).toObject();
    if (usage.isEmpty())
        return;
    const auto count = [&](QLatin1String key) {
        const QJsonValue v = usage.value(key);
        return v.isDouble() ? qint64(v.toDouble()) : qint64(-1);
    };
    m_usage.promptTokens = count("prompt_tokens"_L1);
    m_usage.completionTokens = count("completion_tokens"_L1);
    m_usage.totalTokens = count("total_tokens"_L1);
    if (m_usage.totalTokens < 0 && m_usage.known())
        m_usage.totalTokens = m_usage.promptTokens + m_usage.completionTokens;
}

static void mergeToolCalls(QVector<ToolCall>& calls, const QJsonArray& deltas)
{
    for (const QJsonValue& value : deltas) {
        const QJsonObject delta = value.toObject();
        const int index = delta.value("index"_L1).toInt(int(calls.size()));
        while (calls.size() <= index)
            calls.append(ToolCall {});
        ToolCall& call = calls[index];
        if (delta.contains("id"_L1))
            call.id = delta.value("id"_L1).toString();
        if (delta.contains("type"_L1))
            call.type = delta.value("type"_L1).toString();
        const QJsonObject function = delta.value("function"_L1).toObject();
        call.name += function.value("name"_L1).toString();
        call.arguments += function.value("arguments"_L1).toString();
    }
}

QVector<ChatDelta> ChatAccumulator::applyChunk(const QJsonObject& chunk)
{
    if (m_id.isEmpty())
        m_id = chunk.value("id"_L1).toString();
    if (m_model.isEmpty())
        m_model = chunk.value("model"_L1).toString();
    if (m_created == 0)
        m_created = qint64(chunk.value("created"_L1).toDouble());
    if (chunk.contains("system_fingerprint"_L1))
        m_systemFingerprint = chunk.value("system_fingerprint"_L1).toString();
    readUsage(chunk);
    QVector<ChatDelta> added;
    for (const QJsonValue& value : chunk.value("choices"_L1).toArray()) {
        const QJsonObject c = value.toObject();
        ChatChoice& choice = choiceAt(c.value("index"_L1).toInt());
        const QJsonObject delta = c.value("delta"_L1).toObject();
        if (delta.contains("role"_L1))
            choice.role = delta.value("role"_L1).toString();
        ChatDelta piece;
        piece.choice = choice.index;
        piece.content = delta.value("content"_L1).toString();
        piece.reasoning = delta.value("reasoning_content"_L1).toString();
        if (piece.reasoning.isEmpty())
            piece.reasoning = delta.value("reasoning"_L1).toString(); // vLLM and Ollama say this
        choice.content += piece.content;
        choice.reasoning += piece.reasoning;
        if (delta.contains("tool_calls"_L1)) {
            mergeToolCalls(choice.toolCalls, delta.value("tool_calls"_L1).toArray());
            piece.toolCallsChanged = true;
        }
        const QJsonValue finish = c.value("finish_reason"_L1);
        if (finish.isString())
            choice.finishReason = finish.toString();
        if (!piece.content.isEmpty() || !piece.reasoning.isEmpty() || piece.toolCallsChanged) {
            m_sawContent = true;
            added.append(piece);
        }
    }
    return added;
}

void ChatAccumulator::applyCompletion(const QJsonObject& completion)
{
    m_id = completion.value("id"_L1).toString();
    m_model = completion.value("model"_L1).toString();
    m_created = qint64(completion.value("created"_L1).toDouble());
    m_systemFingerprint = completion.value("system_fingerprint"_L1).toString();
    readUsage(completion);
    for (const QJsonValue& value : completion.value("choices"_L1).toArray()) {
        const QJsonObject c = value.toObject();
        ChatChoice& choice = choiceAt(c.value("index"_L1).toInt());
        const QJsonObject message = c.value("message"_L1).toObject();
        choice.role = message.value("role"_L1).toString(u"assistant"_s);
        choice.content = message.value("content"_L1).toString();
        choice.reasoning = message.value("reasoning_content"_L1).toString();
        choice.toolCalls.clear();
        for (const QJsonValue& t : message.value("tool_calls"_L1).toArray()) {
            const QJsonObject call = t.toObject();
            const QJsonObject function = call.value("function"_L1).toObject();
            choice.toolCalls.append({ call.value("id"_L1).toString(), call.value("type"_L1).toString(),
                function.value("name"_L1).toString(), function.value("arguments"_L1).toString() });
        }
        choice.finishReason = c.value("finish_reason"_L1).toString();
        m_sawContent = m_sawContent || !choice.content.isEmpty() || !choice.toolCalls.isEmpty();
    }
}

bool ChatAccumulator::finished() const
{
    return !m_choices.isEmpty() && std::all_of(m_choices.begin(), m_choices.end(), [](const ChatChoice& c) {
        return !c.finishReason.isEmpty();
    });
}

static QJsonObject messageJson(const ChatChoice& choice)
{
    QJsonObject message { { u"role"_s, choice.role },
        { u"content"_s,
            choice.content.isEmpty() && !choice.toolCalls.isEmpty() ? QJsonValue() : choice.content } };
    if (!choice.reasoning.isEmpty())
        message.insert(u"reasoning_content"_s, choice.reasoning);
    if (!choice.toolCalls.isEmpty()) {
        QJsonArray calls;
        for (const ToolCall& call : choice.toolCalls)
            calls.append(QJsonObject { { u"id"_s, call.id }, { u"type"_s, call.type },
                { u"function"_s,
                    QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, call.arguments } } } });
        message.insert(u"tool_calls"_s, calls);
    }
    return message;
}

QJsonObject ChatAccumulator::toCompletionJson() const
{
    QJsonArray choices;
    for (const ChatChoice& choice : m_choices)
        choices.append(QJsonObject { { u"index"_s, choice.index }, { u"message"_s, messageJson(choice) },
            { u"finish_reason"_s, choice.finishReason.isEmpty() ? QJsonValue() : choice.finishReason } });
    QJsonObject completion { { u"id"_s, m_id }, { u"object"_s, u"chat.completion"_s },
        { u"created"_s, m_created }, { u"model"_s, m_model }, { u"choices"_s, choices } };
    if (!m_systemFingerprint.isEmpty())
        completion.insert(u"system_fingerprint"_s, m_systemFingerprint);
    if (m_usage.known())
        completion.insert(u"usage"_s,
            QJsonObject { { u"prompt_tokens"_s, m_usage.promptTokens },
                { u"completion_tokens"_s, m_usage.completionTokens },
                { u"total_tokens"_s, m_usage.totalTokens } });
    return completion;
}

} // namespace spindle
