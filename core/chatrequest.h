#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace spindle {

// The sampling settings of one playground pane, as the OpenAI chat completions API names them.
// Unset optionals are not sent, so each provider applies its own default.
struct ChatSettings
{
    std::optional<double> temperature;
    std::optional<int> maxTokens;
    // Sent as max_completion_tokens, as the request it came from named it: OpenAI's reasoning
    // models (o-series, gpt-5) refuse max_tokens, and many OpenAI-compatible servers know only that.
    bool maxTokensAsCompletionTokens = false;
    std::optional<double> topP;
    std::optional<double> frequencyPenalty;
    std::optional<double> presencePenalty;
    QStringList stop;
    std::optional<qint64> seed;
    int n = 1;
    enum class ResponseFormat
    {
        Text,
        JsonObject,
        JsonSchema
    } responseFormat = ResponseFormat::Text;
    QJsonObject jsonSchema; // response_format.json_schema when JsonSchema: {name, schema, strict}
    QJsonArray tools; // OpenAI tools array, as the user wrote it

    QJsonObject toJson() const; // the request fields these settings set
    static ChatSettings fromJson(const QJsonObject& request); // reads the same fields back
    bool operator==(const ChatSettings&) const = default;
};

struct ChatRequest
{
    QString model;
    QJsonArray messages; // [{role, content, ...}] in OpenAI's shape
    ChatSettings settings;
    bool stream = true;
    bool includeUsage = true; // stream_options.include_usage; some servers reject it

    // The body of POST {base}/chat/completions.
    QJsonObject body() const;
};

// What "open in playground" needs from a logged call: the model, messages and settings of an
// OpenAI-style call's inputs (weave logs the request's keyword arguments as inputs), of an
// Anthropic messages call (system prompt folded into the messages), of a Responses API call
// (`input`, `instructions`) or of a Google generate_content call (`contents`, `config`), all as
// chat completions. Empty without messages. A model and an `input` are also what an embeddings
// call takes: the caller has seen that the call is a chat (models::chatFromCall).
std::optional<ChatRequest> chatRequestFromCallInputs(const QJsonObject& inputs);

} // namespace spindle
