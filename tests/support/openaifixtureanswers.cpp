#include "support/openaifixture_p.h"

#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace spindle::test {
namespace fixture {

std::string compactJson(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString();
}

static QStringList wordsOf(const QString& text)
{
    static const QRegularExpression space(u"\\s+"_s);
    return text.split(space, Qt::SkipEmptyParts);
}

static QString contentText(const QJsonValue& content)
{
    if (content.isString())
        return content.toString();
    QStringList parts;
    for (const QJsonValue& part : content.toArray())
        parts << part.toObject().value(u"text"_s).toString();
    return parts.join(u' ');
}

QString lastUserText(const QJsonArray& messages)
{
    for (qsizetype i = messages.size() - 1; i >= 0; --i) {
        const QJsonObject message = messages.at(i).toObject();
        if (message.value(u"role"_s).toString() == u"user")
            return contentText(message.value(u"content"_s));
    }
    return {};
}

static const QString kQuota =
    u"You exceeded your current quota, please check your plan and billing details"_s;
static const QString kConcurrency = u"Concurrency limit reached for requests"_s;
static const QString kOverloaded = u"The engine is currently overloaded, please try again later"_s;

std::optional<Failure> failureFor(const QString& behaviour)
{
    if (behaviour == u"fail-401")
        return Failure { 401, u"Authentication failed"_s, u"invalid_request_error"_s, u"invalid_api_key"_s };
    if (behaviour == u"fail-403")
        return Failure { 403, u"Country, region, or territory not supported"_s, u"permission_error"_s,
            u"unsupported_country_region_territory"_s };
    if (behaviour == u"fail-402-quota")
        return Failure { 402, kQuota, u"insufficient_quota"_s, u"insufficient_quota"_s };
    if (behaviour == u"fail-429-quota")
        return Failure { 429, kQuota, u"insufficient_quota"_s, u"insufficient_quota"_s };
    if (behaviour == u"fail-429-concurrency" || behaviour == u"flaky-429-then-ok")
        return Failure { 429, kConcurrency, u"requests"_s, u"rate_limit_exceeded"_s };
    if (behaviour == u"fail-500")
        return Failure { 500, u"The server had an error while processing your request"_s, u"server_error"_s,
            QJsonValue::Null };
    if (behaviour == u"fail-503" || behaviour == u"flaky-503-then-ok")
        return Failure { 503, kOverloaded, u"server_error"_s, QJsonValue::Null };
    return std::nullopt;
}

static std::optional<int> maxTokensOf(const QJsonObject& body)
{
    for (const QString& key : { u"max_completion_tokens"_s, u"max_tokens"_s }) {
        if (body.value(key).isDouble())
            return body.value(key).toInt();
    }
    return std::nullopt;
}

static ChoicePlan textPlan(const QJsonObject& body, int choice, bool reasoning)
{
    const QJsonArray messages = body.value(u"messages"_s).toArray();
    ChoicePlan plan;
    QStringList words = wordsOf(OpenAIFixture::replyFor(messages, choice));
    if (const auto max = maxTokensOf(body); max && *max < words.size()) {
        words = words.mid(0, *max);
        plan.finish = u"length"_s;
    }
    plan.completionTokens = words.size();
    plan.deltas << QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, u""_s },
        { u"refusal"_s, QJsonValue::Null } };
    plan.message = QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, words.join(u' ') },
        { u"refusal"_s, QJsonValue::Null } };
    if (reasoning) {
        const QStringList thoughts = wordsOf(OpenAIFixture::reasoningFor(messages));
        for (qsizetype i = 0; i < thoughts.size(); ++i)
            plan.deltas << QJsonObject { { u"reasoning_content"_s,
                i == 0 ? thoughts[i] : u' ' + thoughts[i] } };
        plan.message.insert(u"reasoning_content"_s, thoughts.join(u' '));
    }
    for (qsizetype i = 0; i < words.size(); ++i)
        plan.deltas << QJsonObject { { u"content"_s, i == 0 ? words[i] : u' ' + words[i] } };
    return plan;
}

static QStringList toolNames(const QJsonObject& body)
{
    QStringList names;
    const int limit = body.value(u"parallel_tool_calls"_s).toBool(true) ? 2 : 1;
    for (const QJsonValue& tool : body.value(u"tools"_s).toArray()) {
        if (names.size() < limit)
            names << tool.toObject().value(u"function"_s).toObject().value(u"name"_s).toString();
    }
    return names;
}

// Tool calls streamed as OpenAI does: a header delta per call (index, id, type, name, empty
// arguments), then the arguments in 7-character pieces.
static ChoicePlan toolPlan(const QJsonObject& body, int choice, int completionNumber)
{
    const QString text = lastUserText(body.value(u"messages"_s).toArray());
    const QString arguments = QString::fromUtf8(compactJson(QJsonObject { { u"text"_s, text } }));
    ChoicePlan plan;
    plan.finish = u"tool_calls"_s;
    QJsonArray calls;
    const QStringList names = toolNames(body);
    for (qsizetype i = 0; i < names.size(); ++i) {
        const QString id = u"call_fx%1_%2_%3"_s.arg(completionNumber).arg(choice).arg(i);
        QJsonObject header { { u"index"_s, int(i) }, { u"id"_s, id }, { u"type"_s, u"function"_s },
            { u"function"_s, QJsonObject { { u"name"_s, names[i] }, { u"arguments"_s, u""_s } } } };
        QJsonObject delta { { u"tool_calls"_s, QJsonArray { header } } };
        if (i == 0) {
            delta.insert(u"role"_s, u"assistant"_s);
            delta.insert(u"content"_s, QJsonValue::Null);
            delta.insert(u"refusal"_s, QJsonValue::Null);
        }
        plan.deltas << delta;
        for (qsizetype at = 0; at < arguments.size(); at += 7) {
            const QJsonObject piece { { u"index"_s, int(i) },
                { u"function"_s, QJsonObject { { u"arguments"_s, arguments.mid(at, 7) } } } };
            plan.deltas << QJsonObject { { u"tool_calls"_s, QJsonArray { piece } } };
        }
        calls << QJsonObject { { u"id"_s, id }, { u"type"_s, u"function"_s },
            { u"function"_s, QJsonObject { { u"name"_s, names[i] }, { u"arguments"_s, arguments } } } };
        plan.completionTokens += wordsOf(arguments).size() + 1;
    }
    plan.message = QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, QJsonValue::Null },
        { u"refusal"_s, QJsonValue::Null }, { u"tool_calls"_s, calls } };
    return plan;
}

QList<ChoicePlan> planAnswer(const QJsonObject& body, const QString& behaviour, int completionNumber)
{
    QList<ChoicePlan> plans;
    const int n = body.value(u"n"_s).toInt(1);
    const bool tools = !toolNames(body).isEmpty();
    for (int choice = 0; choice < n; ++choice) {
        plans << (tools ? toolPlan(body, choice, completionNumber)
                        : textPlan(body, choice, behaviour == u"fixture-reasoning"));
    }
    return plans;
}

QJsonObject usageJson(const FixtureUsage& usage)
{
    return QJsonObject { { u"prompt_tokens"_s, usage.promptTokens },
        { u"completion_tokens"_s, usage.completionTokens }, { u"total_tokens"_s, usage.totalTokens() },
        { u"prompt_tokens_details"_s, QJsonObject { { u"cached_tokens"_s, 0 } } },
        { u"completion_tokens_details"_s, QJsonObject { { u"reasoning_tokens"_s, 0 } } } };
}

std::optional<std::pair<QString, QString>> invalidBody(const QJsonObject& body)
{
    if (body.value(u"model"_s).toString().isEmpty())
        return std::pair { u"you must provide a model parameter"_s, QString() };
    if (!body.value(u"messages"_s).isArray())
        return std::pair { u"Missing required parameter: 'messages'."_s, u"messages"_s };
    if (body.value(u"messages"_s).toArray().isEmpty())
        return std::pair { u"Invalid 'messages': empty array. Expected an array with minimum length 1, but "
                           u"got an empty array instead."_s,
            u"messages"_s };
    const int n = body.value(u"n"_s).toInt(1);
    if (n < 1 || n > 128)
        return std::pair { u"Invalid 'n': expected a value between 1 and 128, but got %1 instead."_s.arg(n),
            u"n"_s };
    if (body.contains(u"stream_options"_s) && !body.value(u"stream"_s).toBool())
        return std::pair { u"The 'stream_options' parameter is only allowed when 'stream' is enabled."_s,
            u"stream_options"_s };
    return std::nullopt;
}
} // namespace fixture

using namespace fixture;

// ---- answers -------------------------------------------------------------------------------

QString OpenAIFixture::replyFor(const QJsonArray& messages, int choice)
{
    const QString prefix = choice == 0 ? u"Echo:"_s : u"Echo %1:"_s.arg(choice + 1);
    return (QStringList { prefix } + wordsOf(lastUserText(messages))).join(u' ');
}

QString OpenAIFixture::reasoningFor(const QJsonArray& messages)
{
    return (QStringList { u"Thinking"_s, u"about:"_s } + wordsOf(lastUserText(messages))).join(u' ');
}

QString OpenAIFixture::partialReplyFor(const QJsonArray& messages, int deltas)
{
    return wordsOf(replyFor(messages)).mid(0, deltas).join(u' ');
}

FixtureUsage OpenAIFixture::usageFor(const QJsonObject& body)
{
    FixtureUsage usage;
    usage.promptTokens = 3;
    for (const QJsonValue& message : body.value(u"messages"_s).toArray())
        usage.promptTokens += wordsOf(contentText(message.toObject().value(u"content"_s))).size() + 4;
    for (const ChoicePlan& plan : planAnswer(body, behaviourOf(body.value(u"model"_s).toString()), 0))
        usage.completionTokens += plan.completionTokens;
    return usage;
}

// The behaviours, in the order GET /v1/models lists them.
static const QStringList kBehaviours = { u"fixture-echo"_s, u"fixture-reasoning"_s, u"no-usage"_s,
    u"no-stream-options"_s, u"slow"_s, u"sse-as-octets"_s, u"drop-midstream"_s, u"error-midstream"_s,
    u"drop-before-content"_s, u"fail-401"_s, u"fail-403"_s, u"fail-402-quota"_s, u"fail-429-quota"_s,
    u"fail-429-concurrency"_s, u"fail-500"_s, u"fail-503"_s, u"flaky-429-then-ok"_s, u"flaky-503-then-ok"_s };

QStringList OpenAIFixture::modelIds()
{
    return kBehaviours
        + QStringList { u"meta-llama/Llama-3.1-8B-Instruct"_s, u"deepseek-ai/DeepSeek-R1-0528"_s };
}

QString OpenAIFixture::behaviourOf(const QString& model)
{
    const QString name = model.section(u':', 0, 0);
    return kBehaviours.contains(name) ? name : u"fixture-echo"_s;
}

} // namespace spindle::test
