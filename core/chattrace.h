#pragma once

#include "core/chatrequest.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace spindle {

// One playground run, logged as a call the way weave's OpenAI integration logs
// chat.completions.create: op "openai.chat.completions.create", inputs = the request's keyword
// arguments, output = the assembled ChatCompletion, summary.usage keyed by the model.
struct PlaygroundRun
{
    QString projectId; // entity/project
    QString callId; // uuid7
    QString traceId;
    QString providerName;
    QString baseUrl;
    ChatRequest request;
    QDateTime startedAt;
    QDateTime endedAt;
    QJsonObject completion; // output; empty when the run failed before any answer
    qint64 promptTokens = -1; // -1: unknown, then no usage is logged for the model
    qint64 completionTokens = -1;
    QString usageModel; // the model the provider reported (falls back to request.model)
    QString exception; // set when the run failed or was interrupted
    qint64 timeToFirstTokenMs = -1;
};

QString playgroundOpName();
QJsonObject callStartBody(const PlaygroundRun& run); // POST /call/start
QJsonObject callEndBody(const PlaygroundRun& run); // POST /call/end

} // namespace spindle
