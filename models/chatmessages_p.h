#pragma once

// Shared by chatmessages.cpp (Chat Completions, Anthropic, streamed chunks) and
// chatmessages_apis.cpp (the Responses API, generate_content): the transcript builder and the
// helpers both use.
#include "models/chatmessages.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace spindle {
struct Call;
}

namespace spindle::models::chat_detail {

QString textAt(const QJsonObject& object, const char* key);
QString compactJson(const QJsonValue& value);
bool looksLikeJson(const QString& text);
QString inlinePlaceholder(const QString& kind, const QString& mime, qsizetype base64Chars);
QString quoted(const QString& text);
void appendText(QString& text, const QString& more);
QString contentText(const QJsonValue& content);

class TranscriptBuilder
{
public:
    void addMessage(const QJsonObject& message, bool fromOutput, const QString& defaultRole);
    void addText(const QString& role, const QString& text, bool fromOutput);
    void addOutput(const QJsonValue& output);
    void addResponseItem(const QJsonObject& item, bool fromOutput);
    void addGeminiContent(const QJsonValue& content, bool fromOutput);
    ChatTranscript transcript;

private:
    void push(ChatMessage message)
    {
        message.isMarkdown = !looksLikeJson(message.text);
        transcript.messages.append(std::move(message));
    }
    void addBlocks(ChatMessage& current, const QJsonArray& blocks, bool& pushed);
    void addChunks(const QJsonArray& chunks);
    void addAnthropicEvents(const QJsonArray& events);
};

// A Responses API or generate_content call as a chat; nullopt for any other call.
std::optional<ChatTranscript> responsesOrGeminiChat(const spindle::Call& call);

} // namespace spindle::models::chat_detail
