#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QVector>

#include <optional>

namespace spindle {
struct Call;
}

namespace spindle::models {

// A function/tool call requested by the assistant. `arguments` is JSON text as the provider sent
// it (OpenAI's arguments string; Anthropic's input object, compact).
struct ToolCall
{
    QString id;
    QString name;
    QString arguments;
};

// One message of a conversation in a provider-neutral form. Roles keep the provider's words
// (system, developer, user, assistant, tool); Anthropic's tool_result blocks become "tool" messages.
struct ChatMessage
{
    QString role;
    QString text;
    QList<ToolCall> toolCalls;
    QString toolCallId; // a tool result: the call it answers
    QString name; // the tool's or participant's name, when given
    bool isMarkdown = true; // false for JSON-looking tool results and other verbatim text
    bool isError = false; // a tool result flagged as an error
    bool fromOutput = false; // the call's reply, not part of its inputs
};

struct ChatTranscript
{
    QVector<ChatMessage> messages;
};

// The conversation in a call when its inputs hold `messages` in the OpenAI or Anthropic shape
// (with Anthropic's `system` prompt first); the reply from the output (OpenAI `choices`, streamed
// chunk lists, an Anthropic message, a bare message or string) is appended. Also OpenAI's Responses
// API (`input` items, `instructions`, the reply's `output` items) and Google's generate_content
// (`contents`, config.system_instruction, the reply's candidates), when the inputs name a `model`.
// nullopt when the call is not a chat.
std::optional<ChatTranscript> chatFromCall(const spindle::Call& call);

} // namespace spindle::models

Q_DECLARE_METATYPE(spindle::models::ChatTranscript)
