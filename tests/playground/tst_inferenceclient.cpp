// InferenceClient against the OpenAI-compatible fixture server (tests/support/openaifixture.h):
// streamed deltas in order, concurrent streams, stop and cancel, usage-less servers and servers
// that reject stream_options, non-streamed answers, tool calls and n > 1, reasoning, the models
// list and the headers sent. Errors and retries: tst_inferenceerrors.

#include "inferenceharness.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace spindle::test;
using spindle::ChatRequest;

class TestInferenceClient : public InferenceTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void streamsDeltasInOrder();
    void threeConcurrentStreams();
    void stopKeepsPartialAnswer();
    void cancelSilencesCallbacks();
    void destroyedContextCancelsItsChat();
    void noUsageMeansUnknown();
    void streamUnderAnotherType();
    void retriesWithoutStreamOptions();
    void nonStreamedAnswer();
    void toolCallsAndChoices();
    void reasoningDeltas();
    void listModels();
    void sendsKeyAndExtraHeaders();
};

void TestInferenceClient::streamsDeltasInOrder()
{
    const ChatRequest request = chatRequest(u"fixture-echo"_s);
    auto run = m_h.start(request);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    const ChatOutcome& out = *run->outcome;
    const QString expected = OpenAIFixture::replyFor(request.messages);
    QCOMPARE(int(out.status), int(ChatOutcome::Status::Completed));
    QVERIFY(!out.error);
    QCOMPARE(run->streamed, expected); // the deltas, in order, are the answer
    QVERIFY2(run->deltaBatches >= 2, "the answer arrived in one piece, not streamed");
    QVERIFY(std::is_sorted(run->sinceStart.begin(), run->sinceStart.end()));
    QCOMPARE(out.choices.size(), 1);
    QCOMPARE(out.choices[0].content, expected);
    QCOMPARE(out.choices[0].finishReason, u"stop"_s);
    QCOMPARE(
        out.completion.value(u"choices"_s).toArray().at(0)[u"message"_s][u"content"_s].toString(), expected);
    QCOMPARE(out.responseModel, u"fixture-echo"_s);

    const auto usage = OpenAIFixture::usageFor(request.body());
    QVERIFY(out.usage.known());
    QCOMPARE(out.usage.promptTokens, usage.promptTokens);
    QCOMPARE(out.usage.completionTokens, usage.completionTokens);
    QVERIFY(out.timeToFirstTokenMs >= 0);
    QVERIFY2(out.timeToFirstTokenMs <= out.latencyMs,
        qPrintable(u"TTFT %1 ms > latency %2 ms"_s.arg(out.timeToFirstTokenMs).arg(out.latencyMs)));
    QCOMPARE(out.attempts, 1);
    QCOMPARE(run->finishedCount, 1);

    QCOMPARE(m_h.fixture.requestCount(u"fixture-echo"_s), 1);
    const auto sent = m_h.fixture.lastRequest(u"fixture-echo"_s);
    QCOMPARE(sent.path, QByteArray("/v1/chat/completions"));
    QCOMPARE(sent.body, request.body());
    QVERIFY(sent.header("content-type").startsWith("application/json"));
}

void TestInferenceClient::threeConcurrentStreams()
{
    const QStringList models { u"fixture-echo:a"_s, u"meta-llama/Llama-3.1-8B-Instruct"_s,
        u"fixture-echo:c"_s };
    QList<std::shared_ptr<Run>> runs;
    QList<ChatRequest> requests;
    for (int i = 0; i < 3; ++i) {
        // Long answers (~90 events, about a second each) so the overlap is plain.
        requests << chatRequest(models[i], QStringList(3, kLongPrompt).join(u' ') + u" pane %1"_s.arg(i));
        runs << m_h.start(requests[i]);
    }
    for (const auto& run : runs)
        QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    qint64 lastFirstDelta = 0;
    qint64 firstFinish = std::numeric_limits<qint64>::max();
    for (int i = 0; i < 3; ++i) {
        const ChatOutcome& out = *runs[i]->outcome;
        QCOMPARE(int(out.status), int(ChatOutcome::Status::Completed));
        QCOMPARE(out.choices[0].content, OpenAIFixture::replyFor(requests[i].messages));
        QCOMPARE(runs[i]->streamed, out.choices[0].content);
        QCOMPARE(m_h.fixture.requestCount(models[i]), 1);
        lastFirstDelta = std::max(lastFirstDelta, runs[i]->firstDeltaAt);
        firstFinish = std::min(firstFinish, runs[i]->finishedAt);
    }
    // Concurrent, not one after the other: every pane had text before any pane finished.
    QVERIFY2(lastFirstDelta < firstFinish,
        qPrintable(
            u"last first delta at %1 ms, first finish at %2 ms"_s.arg(lastFirstDelta).arg(firstFinish)));
}

void TestInferenceClient::stopKeepsPartialAnswer()
{
    const ChatRequest request = chatRequest(u"slow"_s);
    auto run = m_h.start(request);
    QTRY_VERIFY_WITH_TIMEOUT(!run->streamed.isEmpty(), kWaitMs);
    m_h.client->stop(run->id);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    const ChatOutcome& out = *run->outcome;
    QCOMPARE(int(out.status), int(ChatOutcome::Status::Stopped));
    QVERIFY(!out.error);
    const QString full = OpenAIFixture::replyFor(request.messages);
    const QString partial = out.choices.value(0).content;
    QVERIFY2(
        !partial.isEmpty() && partial.size() < full.size() && full.startsWith(partial), qPrintable(partial));
    QCOMPARE(run->streamed, partial);
    QVERIFY(out.timeToFirstTokenMs >= 0 && out.timeToFirstTokenMs <= out.latencyMs);
    QTest::qWait(3 * m_h.fixture.options().slowDelayMs);
    QCOMPARE(run->finishedCount, 1);
    QCOMPARE(run->streamed, partial); // nothing after the stop
}

void TestInferenceClient::cancelSilencesCallbacks()
{
    auto run = m_h.start(chatRequest(u"slow:cancel"_s));
    QTRY_VERIFY_WITH_TIMEOUT(!run->streamed.isEmpty(), kWaitMs);
    m_h.client->cancel(run->id);
    const QString before = run->streamed;
    const int batches = run->deltaBatches;
    QTest::qWait(4 * m_h.fixture.options().slowDelayMs);
    QCOMPARE(run->finishedCount, 0);
    QCOMPARE(run->deltaBatches, batches);
    QCOMPARE(run->streamed, before);
    // The client is still usable afterwards.
    auto next = m_h.start(chatRequest(u"fixture-echo"_s));
    QTRY_VERIFY_WITH_TIMEOUT(next->outcome.has_value(), kWaitMs);
    QCOMPARE(int(next->outcome->status), int(ChatOutcome::Status::Completed));
}

// A pane closed while its answer streams: the chat is cancelled with it, and nothing calls back.
void TestInferenceClient::destroyedContextCancelsItsChat()
{
    auto pane = std::make_unique<QObject>();
    auto run = m_h.start(chatRequest(u"slow:closed"_s), m_h.provider(), pane.get());
    auto other = m_h.start(chatRequest(u"slow:open"_s), m_h.provider(), this);
    QTRY_VERIFY_WITH_TIMEOUT(!run->streamed.isEmpty(), kWaitMs);
    pane.reset();
    const QString before = run->streamed;
    const int batches = run->deltaBatches;
    QTRY_VERIFY_WITH_TIMEOUT(other->outcome.has_value(), kWaitMs); // another context's chat goes on
    QCOMPARE(int(other->outcome->status), int(ChatOutcome::Status::Completed));
    QTest::qWait(4 * m_h.fixture.options().slowDelayMs);
    QCOMPARE(run->finishedCount, 0);
    QCOMPARE(run->deltaBatches, batches);
    QCOMPARE(run->streamed, before);
}

void TestInferenceClient::noUsageMeansUnknown()
{
    const ChatRequest request = chatRequest(u"no-usage"_s);
    auto run = m_h.start(request);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Completed));
    QCOMPARE(run->outcome->choices[0].content, OpenAIFixture::replyFor(request.messages));
    QVERIFY(!run->outcome->usage.known());
    QVERIFY(!run->outcome->completion.contains(u"usage"_s));
    // It was asked for: the server just did not send it.
    QVERIFY(m_h.fixture.lastRequest(u"no-usage"_s).body.contains(u"stream_options"_s));
}

// A gateway that relabels the stream (application/octet-stream): the events are still streamed.
void TestInferenceClient::streamUnderAnotherType()
{
    const ChatRequest request = chatRequest(u"sse-as-octets"_s);
    auto run = m_h.start(request);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Completed));
    QCOMPARE(run->streamed, OpenAIFixture::replyFor(request.messages));
    QVERIFY2(run->deltaBatches >= 2, "the answer arrived in one piece, not streamed");
    QVERIFY(run->outcome->usage.known());
}

void TestInferenceClient::retriesWithoutStreamOptions()
{
    const ChatRequest request = chatRequest(u"no-stream-options"_s);
    auto run = m_h.start(request);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Completed));
    QCOMPARE(run->outcome->choices[0].content, OpenAIFixture::replyFor(request.messages));
    QVERIFY(!run->outcome->usage.known());
    QCOMPARE(m_h.fixture.requestCount(u"no-stream-options"_s), 2);
    const auto requests = m_h.fixture.requests();
    QVERIFY(requests.first().body.contains(u"stream_options"_s));
    QVERIFY(!requests.last().body.contains(u"stream_options"_s));
    QVERIFY(requests.last().body.value(u"stream"_s).toBool());
}

void TestInferenceClient::nonStreamedAnswer()
{
    ChatRequest request = chatRequest(u"fixture-echo"_s);
    request.stream = false;
    auto run = m_h.start(request);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    const ChatOutcome& out = *run->outcome;
    QCOMPARE(int(out.status), int(ChatOutcome::Status::Completed));
    QCOMPARE(out.choices[0].content, OpenAIFixture::replyFor(request.messages));
    QCOMPARE(out.usage.promptTokens, OpenAIFixture::usageFor(request.body()).promptTokens);
    QVERIFY(out.timeToFirstTokenMs >= 0 && out.timeToFirstTokenMs <= out.latencyMs);
    QVERIFY(!m_h.fixture.lastRequest().body.contains(u"stream"_s));
}

void TestInferenceClient::toolCallsAndChoices()
{
    ChatRequest request = chatRequest(u"fixture-echo"_s, u"weather in Paris"_s);
    request.settings.n = 2;
    request.settings.tools = QJsonArray { QJsonObject { { u"type"_s, u"function"_s },
        { u"function"_s,
            QJsonObject { { u"name"_s, u"get_weather"_s }, { u"parameters"_s, QJsonObject() } } } } };
    auto run = m_h.start(request);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    const ChatOutcome& out = *run->outcome;
    QCOMPARE(int(out.status), int(ChatOutcome::Status::Completed));
    QVERIFY(run->sawToolCalls);
    QCOMPARE(out.choices.size(), 2);
    for (const auto& choice : out.choices) {
        QCOMPARE(choice.finishReason, u"tool_calls"_s);
        QCOMPARE(choice.toolCalls.size(), 1);
        QCOMPARE(choice.toolCalls[0].name, u"get_weather"_s);
        QCOMPARE(choice.toolCalls[0].arguments, u"{\"text\":\"weather in Paris\"}"_s);
        QVERIFY(choice.toolCalls[0].id.startsWith(u"call_"_s));
    }
    QVERIFY(out.choices[0].toolCalls[0].id != out.choices[1].toolCalls[0].id);
    QCOMPARE(out.usage.completionTokens, OpenAIFixture::usageFor(request.body()).completionTokens);
}

void TestInferenceClient::reasoningDeltas()
{
    const ChatRequest request = chatRequest(u"fixture-reasoning"_s, u"why is the sky blue"_s);
    auto run = m_h.start(request);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    QCOMPARE(run->reasoning, OpenAIFixture::reasoningFor(request.messages));
    QCOMPARE(run->outcome->choices[0].reasoning, run->reasoning);
    QCOMPARE(run->outcome->choices[0].content, OpenAIFixture::replyFor(request.messages));
}

void TestInferenceClient::listModels()
{
    std::optional<QVector<spindle::net::ModelInfo>> models;
    m_h.client->listModels(
        nullptr, m_h.provider(), [&](const QVector<spindle::net::ModelInfo>& m) { models = m; },
        [](const InferenceError& e) { QFAIL(qPrintable(e.plainMessage())); });
    QTRY_VERIFY_WITH_TIMEOUT(models.has_value(), kWaitMs);
    QStringList ids;
    for (const auto& m : *models)
        ids << m.id;
    QCOMPARE(ids, OpenAIFixture::modelIds());
    QCOMPARE(models->first().ownedBy, u"fixture"_s);
    QCOMPARE(models->first().raw.value(u"object"_s).toString(), u"model"_s);
    QCOMPARE(m_h.fixture.lastRequest().path, QByteArray("/v1/models"));

    std::optional<InferenceError> error;
    m_h.client->listModels(
        nullptr, m_h.provider(u"bad"_s),
        [](const QVector<spindle::net::ModelInfo>&) { QFAIL("listed with a bad key"); },
        [&](const InferenceError& e) { error = e; });
    QTRY_VERIFY_WITH_TIMEOUT(error.has_value(), kWaitMs);
    QCOMPARE(kindName(error->kind), kindName(Kind::InvalidKey));
    QCOMPARE(error->httpStatus, 401);
}

void TestInferenceClient::sendsKeyAndExtraHeaders()
{
    InferenceProvider p = m_h.provider();
    p.extraHeaders = { { "OpenAI-Project", "my-team/my-project" }, { "X-Trace", "abc" } };
    auto run = m_h.start(chatRequest(u"fixture-echo"_s), p);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    const auto sent = m_h.fixture.lastRequest(u"fixture-echo"_s);
    QCOMPARE(sent.header("authorization"), QByteArray("Bearer " + m_h.fixture.apiKey().toUtf8()));
    QCOMPARE(sent.header("openai-project"), QByteArray("my-team/my-project"));
    QCOMPARE(sent.header("x-trace"), QByteArray("abc"));
    QVERIFY(sent.header("accept").contains("text/event-stream"));

    bool listed = false;
    m_h.client->listModels(nullptr, p, [&](const QVector<spindle::net::ModelInfo>&) { listed = true; }, {});
    QTRY_VERIFY_WITH_TIMEOUT(listed, kWaitMs);
    QCOMPARE(m_h.fixture.lastRequest().header("openai-project"), QByteArray("my-team/my-project"));

    // A local server without a key: no Authorization header at all.
    InferenceProvider local = m_h.provider();
    local.apiKey.clear();
    auto anonymous = m_h.start(chatRequest(u"fixture-echo:local"_s), local);
    QTRY_VERIFY_WITH_TIMEOUT(anonymous->outcome.has_value(), kWaitMs);
    QVERIFY(!m_h.fixture.lastRequest(u"fixture-echo:local"_s).headers.contains("authorization"));
}

QTEST_GUILESS_MAIN(TestInferenceClient)
#include "tst_inferenceclient.moc"
