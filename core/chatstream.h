#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QVector>

namespace spindle {

// Splits a text/event-stream body into the data payloads of its events (the lines starting
// with "data:" joined by newlines), whatever the chunking of the bytes on the wire. Comments
// (":" lines) and other fields are skipped; both LF and CRLF line ends are accepted.
class SseParser
{
public:
    QVector<QByteArray> feed(const QByteArray& bytes);
    // An event left without its closing blank line when the stream ended.
    QVector<QByteArray> finish();

private:
    void takeLine(QByteArray line, QVector<QByteArray>& events);

    QByteArray m_buffer;
    QByteArray m_data;
    bool m_hasData = false;
};

struct ToolCall
{
    QString id;
    QString type = QStringLiteral("function");
    QString name;
    QString arguments; // JSON text as streamed; may be incomplete when interrupted
};

struct ChatChoice
{
    int index = 0;
    QString role = QStringLiteral("assistant");
    QString content;
    QString reasoning; // reasoning_content of reasoning models (DeepSeek R1 and others)
    QVector<ToolCall> toolCalls;
    QString finishReason; // empty while streaming or when the stream broke
};

struct ChatUsage
{
    qint64 promptTokens = -1; // -1: the provider did not say
    qint64 completionTokens = -1;
    qint64 totalTokens = -1;
    bool known() const
    {
        return promptTokens >= 0 && completionTokens >= 0;
    }
};

// One piece of new text for the live view of a pane.
struct ChatDelta
{
    int choice = 0;
    QString content;
    QString reasoning;
    bool toolCallsChanged = false;
};

// Assembles OpenAI chat.completion.chunk objects (or one whole chat.completion) into the
// response they describe: text per choice, tool calls merged by index, finish reasons and the
// usage of the final chunk.
class ChatAccumulator
{
public:
    // Applies one chunk and returns what it added, for display.
    QVector<ChatDelta> applyChunk(const QJsonObject& chunk);
    void applyCompletion(const QJsonObject& completion);

    const QVector<ChatChoice>& choices() const
    {
        return m_choices;
    }
    const ChatUsage& usage() const
    {
        return m_usage;
    }
    QString responseId() const
    {
        return m_id;
    }
    QString model() const
    {
        return m_model;
    }
    bool sawContent() const
    {
        return m_sawContent;
    }
    bool finished() const; // every choice has a finish reason
    // The response in the shape of an OpenAI ChatCompletion (what weave logs as the output).
    QJsonObject toCompletionJson() const;

private:
    ChatChoice& choiceAt(int index);
    void readUsage(const QJsonObject& owner);

    QVector<ChatChoice> m_choices;
    ChatUsage m_usage;
    QString m_id;
    QString m_model;
    qint64 m_created = 0;
    QString m_systemFingerprint;
    bool m_sawContent = false;
};

} // namespace spindle
