#pragma once

// Internals of the OpenAI fixture shared by its two source files: the deterministic answers
// (openaifixtureanswers.cpp) and the HTTP serving (openaifixture.cpp).

#include "support/openaifixture.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>
#include <string>
#include <utility>

namespace spindle::test::fixture {

std::string compactJson(const QJsonObject& object);
QString lastUserText(const QJsonArray& messages);

// How a failing behaviour answers: status, message (W&B Inference's docs), type and code.
struct Failure
{
    int status;
    QString message;
    QString type;
    QJsonValue code;
};
// The failure of a behaviour (flaky ones included: the caller decides when they succeed).
std::optional<Failure> failureFor(const QString& behaviour);

// One choice of the answer: the deltas it streams (the first carries the role), the message
// of the non-streamed completion, its finish reason and token count.
struct ChoicePlan
{
    QList<QJsonObject> deltas;
    QJsonObject message;
    QString finish = QStringLiteral("stop");
    qint64 completionTokens = 0;
};
QList<ChoicePlan> planAnswer(const QJsonObject& body, const QString& behaviour, int completionNumber);

QJsonObject usageJson(const FixtureUsage& usage);

// OpenAI's 400 for a body it would reject: {message, param}; nullopt when acceptable.
std::optional<std::pair<QString, QString>> invalidBody(const QJsonObject& body);

} // namespace spindle::test::fixture
