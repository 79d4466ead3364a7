#pragma once

// Shared by chatrequest.cpp (Chat Completions, Anthropic) and chatrequest_apis.cpp (the Responses
// API, Google's generate_content): the pieces of a chat completions message both build.
#include "core/chatrequest.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace spindle::chat_request_detail {

// A message's text parts joined, or its parts when it has images or files (which a string cannot
// carry).
QJsonValue messageContent(const QJsonArray& parts);

// Chat completions content parts: {type: text}, {type: image_url} and {type: file}.
QJsonObject textPart(const QString& text);
QJsonObject imagePart(const QString& url);
QJsonObject filePart(const QString& filename, const QString& dataUrl);

// A tool_calls entry; `arguments` is the JSON text of the call's arguments.
QJsonObject toolCall(const QJsonValue& id, const QJsonValue& name, const QString& arguments);
QString compactJson(const QJsonValue& value); // objects and arrays as JSON text, strings as they are

// The request of a Responses API call (`input`, `instructions`) or of a generate_content call
// (`contents`, `config`) as chat completions. The caller has decided the call is that API's chat:
// an embeddings call also takes a model and an `input`.
std::optional<ChatRequest> responsesRequest(const QJsonObject& inputs);
std::optional<ChatRequest> geminiRequest(const QJsonObject& inputs);

} // namespace spindle::chat_request_detail
