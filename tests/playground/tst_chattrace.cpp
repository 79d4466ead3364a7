// Playground runs logged as calls: callStartBody / callEndBody posted to the real spindle-server
// (127.0.0.1, port 0, real SQLite) read back with the op name of weave's OpenAI integration,
// the request as inputs, the assembled completion as output, summary.usage keyed by model and,
// with include_costs, summary.weave.costs from the server's shipped price table. The answers
// come from a real streamed run against the OpenAI-compatible fixture. Also "open in
// playground" from such a call and from a call the weave SDK would have logged.

#include "core/chatrequest.h"
#include "core/chattrace.h"
#include "core/ids.h"
#include "net/inferenceclient.h"
#include "support/openaifixture.h"
#include "support/testserver.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using spindle::ChatRequest;
using spindle::PlaygroundRun;
using spindle::net::ChatOutcome;
using spindle::net::InferenceClient;
using spindle::net::InferenceProvider;
using spindle::test::OpenAIFixture;
using spindle::test::TestServer;

namespace {

// resources/llm-prices.json: gpt-4o-mini and gpt-4o-mini-2024-07-18, USD per token (every row).
constexpr double kMiniPrompt = 1.5e-07;
constexpr double kMiniCompletion = 6e-07;
// meta-llama/Llama-3.1-8B-Instruct, provider "wandb": the same price for prompt and completion.
constexpr double kLlama8b = 2.2e-07;

bool near(double a, double b)
{
    return std::abs(a - b) <= 1e-12 + 1e-9 * std::abs(b);
}

QString uuid7()
{
    return QString::fromStdString(spindle::newUuid7());
}

ChatRequest weatherRequest(const QString& model)
{
    ChatRequest request;
    request.model = model;
    request.messages =
        QJsonArray { QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, u"Be brief."_s } },
            QJsonObject {
                { u"role"_s, u"user"_s }, { u"content"_s, u"What is the weather like in Paris today"_s } } };
    request.settings.temperature = 0.3;
    request.settings.maxTokens = 200;
    request.settings.seed = 11;
    return request;
}

} // namespace

class TestChatTrace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void streamedRunReadsBackWithCost();
    void providerModelKeysTheUsage();
    void wandbModelPricedLocalModelNot();
    void failedRunIsAnError();
    void interruptedRunKeepsPartialOutput();
    void openInPlaygroundFromSdkCall();

private:
    ChatOutcome runChat(const ChatRequest& request);
    PlaygroundRun runFor(const ChatRequest& request, const ChatOutcome& outcome);
    QJsonObject logAndRead(const PlaygroundRun& run);

    TestServer m_server;
    OpenAIFixture m_fixture;
    std::unique_ptr<InferenceClient> m_client;
};

void TestChatTrace::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    OpenAIFixture::Options options;
    options.chunkDelayMs = 2;
    QVERIFY(m_fixture.start(options));
    m_client = std::make_unique<InferenceClient>();
    m_client->setRetryPolicy(1, 10);
}

void TestChatTrace::cleanup()
{
    EXPECT_SERVER_HEALTHY(m_server);
}

ChatOutcome TestChatTrace::runChat(const ChatRequest& request)
{
    InferenceProvider provider { u"Fixture"_s, m_fixture.baseUrl(), m_fixture.apiKey(), {} };
    std::optional<ChatOutcome> outcome;
    m_client->startChat(nullptr, provider, request, {}, [&](const ChatOutcome& o) { outcome = o; });
    if (!QTest::qWaitFor([&] { return outcome.has_value(); }, 15000))
        qWarning() << "no outcome for" << request.model;
    return outcome.value_or(ChatOutcome {});
}

PlaygroundRun TestChatTrace::runFor(const ChatRequest& request, const ChatOutcome& outcome)
{
    PlaygroundRun run;
    run.projectId = spindle::test::testProject("playground");
    run.callId = uuid7();
    run.traceId = uuid7();
    run.providerName = u"Fixture"_s;
    run.baseUrl = m_fixture.baseUrl().toString();
    run.request = request;
    run.endedAt = QDateTime::currentDateTimeUtc();
    run.startedAt = run.endedAt.addMSecs(-outcome.latencyMs);
    run.completion = outcome.completion;
    run.promptTokens = outcome.usage.promptTokens;
    run.completionTokens = outcome.usage.completionTokens;
    run.usageModel = outcome.responseModel;
    run.timeToFirstTokenMs = outcome.timeToFirstTokenMs;
    if (outcome.error)
        run.exception = outcome.error->plainMessage();
    return run;
}

// Posts the two bodies as the app does and reads the call back with its costs.
QJsonObject TestChatTrace::logAndRead(const PlaygroundRun& run)
{
    const auto start = m_server.post("/call/start", QJsonDocument(spindle::callStartBody(run)).toJson());
    if (start.status != 200 || start.value(u"id").toString() != run.callId) {
        qWarning() << "call/start:" << start.describe();
        return {};
    }
    const auto end = m_server.post("/call/end", QJsonDocument(spindle::callEndBody(run)).toJson());
    if (end.status != 200) {
        qWarning() << "call/end:" << end.describe();
        return {};
    }
    const auto read = m_server.post("/call/read",
        QJsonDocument(QJsonObject { { u"project_id"_s, run.projectId }, { u"id"_s, run.callId },
                          { u"include_costs"_s, true } })
            .toJson());
    return read.value(u"call").toObject();
}

void TestChatTrace::streamedRunReadsBackWithCost()
{
    const ChatRequest request = weatherRequest(u"gpt-4o-mini"_s);
    const ChatOutcome outcome = runChat(request);
    QCOMPARE(int(outcome.status), int(ChatOutcome::Status::Completed));
    const PlaygroundRun run = runFor(request, outcome);
    const QJsonObject call = logAndRead(run);
    QVERIFY(!call.isEmpty());

    QCOMPARE(spindle::playgroundOpName(), u"openai.chat.completions.create"_s);
    const QString op = call.value(u"op_name"_s).toString();
    QVERIFY2(op.startsWith(u"weave:///%1/op/openai.chat.completions.create:"_s.arg(run.projectId)),
        qPrintable(op));
    QCOMPARE(call.value(u"trace_id"_s).toString(), run.traceId);

    const QJsonObject inputs = call.value(u"inputs"_s).toObject();
    QCOMPARE(inputs.value(u"model"_s).toString(), u"gpt-4o-mini"_s);
    QCOMPARE(inputs.value(u"messages"_s).toArray(), request.messages);
    QCOMPARE(inputs.value(u"temperature"_s).toDouble(), 0.3);
    QCOMPARE(inputs.value(u"max_tokens"_s).toInt(), 200);

    const QString answer = OpenAIFixture::replyFor(request.messages);
    const QJsonObject output = call.value(u"output"_s).toObject();
    QCOMPARE(output.value(u"object"_s).toString(), u"chat.completion"_s);
    QCOMPARE(output[u"choices"_s][0][u"message"_s][u"content"_s].toString(), answer);
    QCOMPARE(output[u"choices"_s][0][u"finish_reason"_s].toString(), u"stop"_s);

    const auto expected = OpenAIFixture::usageFor(request.body());
    const QJsonObject summary = call.value(u"summary"_s).toObject();
    const QJsonObject usage = summary[u"usage"_s][u"gpt-4o-mini"_s].toObject();
    QCOMPARE(usage.value(u"prompt_tokens"_s).toInteger(), expected.promptTokens);
    QCOMPARE(usage.value(u"completion_tokens"_s).toInteger(), expected.completionTokens);
    QCOMPARE(usage.value(u"total_tokens"_s).toInteger(), expected.totalTokens());
    QCOMPARE(usage.value(u"requests"_s).toInt(), 1);

    const QJsonObject weave = summary.value(u"weave"_s).toObject();
    QCOMPARE(weave.value(u"status"_s).toString(), u"success"_s);
    QCOMPARE(weave.value(u"latency_ms"_s).toInteger(), run.startedAt.msecsTo(run.endedAt));
    const QJsonObject cost = weave[u"costs"_s][u"gpt-4o-mini"_s].toObject();
    QVERIFY2(!cost.isEmpty(), QJsonDocument(summary).toJson().constData());
    QVERIFY(near(cost.value(u"prompt_tokens_total_cost"_s).toDouble(), expected.promptTokens * kMiniPrompt));
    QVERIFY(near(cost.value(u"completion_tokens_total_cost"_s).toDouble(),
        expected.completionTokens * kMiniCompletion));

    // Open in playground from this call gives the same request back.
    const auto reopened = spindle::chatRequestFromCallInputs(inputs);
    QVERIFY(reopened);
    QCOMPARE(reopened->model, request.model);
    QCOMPARE(reopened->messages, request.messages);
    QVERIFY(reopened->settings == request.settings);
}

void TestChatTrace::providerModelKeysTheUsage()
{
    // The provider answers with a dated model id; usage is keyed (and priced) by that.
    const ChatRequest request = weatherRequest(u"gpt-4o-mini"_s);
    ChatOutcome outcome = runChat(request);
    PlaygroundRun run = runFor(request, outcome);
    run.usageModel = u"gpt-4o-mini-2024-07-18"_s;
    const QJsonObject call = logAndRead(run);
    const QJsonObject summary = call.value(u"summary"_s).toObject();
    QCOMPARE(summary.value(u"usage"_s).toObject().keys(), QStringList { u"gpt-4o-mini-2024-07-18"_s });
    const QJsonObject costs = summary[u"weave"_s][u"costs"_s].toObject();
    QCOMPARE(costs.keys(), QStringList { u"gpt-4o-mini-2024-07-18"_s });
    QVERIFY(near(costs[u"gpt-4o-mini-2024-07-18"_s][u"completion_tokens_total_cost"_s].toDouble(),
        outcome.usage.completionTokens * kMiniCompletion));

    // Without a reported model the request's model is the key.
    run.callId = uuid7();
    run.usageModel.clear();
    QCOMPARE(logAndRead(run)[u"summary"_s][u"usage"_s].toObject().keys(), QStringList { u"gpt-4o-mini"_s });
}

void TestChatTrace::wandbModelPricedLocalModelNot()
{
    // W&B Inference's models have "wandb" rows in the shipped price table.
    const ChatRequest wandb = weatherRequest(u"meta-llama/Llama-3.1-8B-Instruct"_s);
    const ChatOutcome priced = runChat(wandb);
    QVERIFY(priced.usage.known());
    const QJsonObject costs =
        logAndRead(runFor(wandb, priced))[u"summary"_s][u"weave"_s][u"costs"_s].toObject();
    QCOMPARE(costs.keys(), QStringList { u"meta-llama/Llama-3.1-8B-Instruct"_s });
    QVERIFY(near(costs.begin()->toObject().value(u"prompt_tokens_total_cost"_s).toDouble(),
        priced.usage.promptTokens * kLlama8b));

    // An Ollama model on localhost: usage logged, no price, so no cost.
    const ChatRequest local = weatherRequest(u"llama3.2:3b"_s);
    const ChatOutcome outcome = runChat(local);
    QVERIFY(outcome.usage.known());
    const QJsonObject summary = logAndRead(runFor(local, outcome)).value(u"summary"_s).toObject();
    QCOMPARE(
        summary[u"usage"_s][u"llama3.2:3b"_s][u"prompt_tokens"_s].toInteger(), outcome.usage.promptTokens);
    QVERIFY(summary[u"weave"_s][u"costs"_s].toObject().isEmpty());

    // A server that sent no usage: nothing is invented.
    const ChatOutcome silent = runChat(weatherRequest(u"no-usage"_s));
    QCOMPARE(int(silent.status), int(ChatOutcome::Status::Completed));
    QVERIFY(!silent.usage.known());
    const QJsonObject unknown = logAndRead(runFor(weatherRequest(u"no-usage"_s), silent));
    QVERIFY(!unknown.isEmpty());
    QVERIFY(unknown[u"summary"_s][u"usage"_s].toObject().isEmpty());
}

void TestChatTrace::failedRunIsAnError()
{
    const ChatRequest request = weatherRequest(u"fail-429-quota"_s);
    const ChatOutcome outcome = runChat(request);
    QCOMPARE(int(outcome.status), int(ChatOutcome::Status::Failed));
    PlaygroundRun run = runFor(request, outcome);
    run.completion = {}; // nothing arrived
    const QJsonObject call = logAndRead(run);
    QVERIFY(!call.isEmpty());
    QCOMPARE(call[u"summary"_s][u"weave"_s][u"status"_s].toString(), u"error"_s);
    QCOMPARE(call.value(u"exception"_s).toString(), outcome.error->plainMessage());
    QVERIFY(call.value(u"output"_s).isNull());
    QVERIFY(call[u"summary"_s][u"usage"_s].toObject().isEmpty());
    QCOMPARE(call[u"inputs"_s][u"model"_s].toString(), u"fail-429-quota"_s);
}

void TestChatTrace::interruptedRunKeepsPartialOutput()
{
    const ChatRequest request = weatherRequest(u"drop-midstream"_s);
    const ChatOutcome outcome = runChat(request);
    QVERIFY(outcome.error);
    const QJsonObject call = logAndRead(runFor(request, outcome));
    QCOMPARE(call[u"summary"_s][u"weave"_s][u"status"_s].toString(), u"error"_s);
    QVERIFY(!call.value(u"exception"_s).toString().isEmpty());
    QCOMPARE(call[u"output"_s][u"choices"_s][0][u"message"_s][u"content"_s].toString(),
        OpenAIFixture::partialReplyFor(request.messages, m_fixture.options().dropAfterDeltas));
}

void TestChatTrace::openInPlaygroundFromSdkCall()
{
    // A call as weave's JS wrapOpenAI logs it (tests/e2e), read back from the server, opened in
    // the playground and run again against the fixture.
    const QString project = spindle::test::testProject("playground");
    spindle::test::CallSpec sdkCall;
    sdkCall.id = uuid7();
    sdkCall.opName = u"weave:///%1/op/openai.chat.completions.create:abc"_s.arg(project);
    sdkCall.endedAt = u"2025-01-01T00:00:01.000Z"_s;
    sdkCall.inputs = R"({"model": "gpt-4o-mini", "stream": true, "temperature": 0.5,
        "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hi to Ada"}]})";
    sdkCall.output = R"({"object": "chat.completion", "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi Ada"}, "finish_reason": "stop"}]})";
    EXPECT_OK(m_server.logCalls(project, { sdkCall }));
    const auto read = m_server.post("/call/read",
        QJsonDocument(QJsonObject { { u"project_id"_s, project }, { u"id"_s, sdkCall.id } }).toJson());
    EXPECT_OK(read);
    const QJsonObject inputs = read.value(u"call").toObject().value(u"inputs"_s).toObject();

    const auto request = spindle::chatRequestFromCallInputs(inputs);
    QVERIFY(request);
    QCOMPARE(request->model, u"gpt-4o-mini"_s);
    QCOMPARE(request->messages, inputs.value(u"messages"_s).toArray());
    QCOMPARE(request->settings.temperature, std::optional<double>(0.5));
    const ChatOutcome outcome = runChat(*request);
    QCOMPARE(int(outcome.status), int(ChatOutcome::Status::Completed));
    QCOMPARE(outcome.choices.value(0).content, u"Echo: Say hi to Ada"_s);
    QCOMPARE(m_fixture.lastRequest(u"gpt-4o-mini"_s).body.value(u"messages"_s).toArray(), request->messages);
}

QTEST_GUILESS_MAIN(TestChatTrace)
#include "tst_chattrace.moc"
