// InferenceClient errors against the OpenAI-compatible fixture server: the kind of each W&B
// Inference error and its plain message, retries with backoff where the docs say to retry (429
// concurrency, 500, 503) and nowhere else (quota, 401, 403, other 4xx), one failing pane beside
// working ones, an unreachable server, a stream cut mid-answer, stop during a backoff wait.

#include "inferenceharness.h"

#include <QScopeGuard>
#include <QTest>

#include <httplib.h>
#include <thread>

using namespace Qt::StringLiterals;
using namespace spindle::test;
using spindle::ChatRequest;

class TestInferenceErrors : public InferenceTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void errorKindForStatus_data();
    void errorKindForStatus();
    void errorInOnePaneOnly();
    void retriesUntilSuccess_data();
    void retriesUntilSuccess();
    void errorsAndRetries_data();
    void errorsAndRetries();
    void wrongKeyIsInvalidKey();
    void unreachableServer();
    void redirectElsewhereKeepsTheKey();
    void dropMidstreamKeepsPartialAnswer();
    void errorEventFailsTheRunDespiteDone();
    void answeredRequestIsNotSentAgain();
    void stopDuringBackoff();
    void concurrencyLimitMeansFewerRequestsAtOnce();
    void concurrencyLimitIsForgottenWhenQuiet();
};

void TestInferenceErrors::errorKindForStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::addColumn<Kind>("kind");
    QTest::newRow("401") << 401 << u"Authentication failed"_s << Kind::InvalidKey;
    QTest::newRow("403") << 403 << u"Country, region, or territory not supported"_s << Kind::Forbidden;
    QTest::newRow("429 concurrency") << 429 << u"Concurrency limit reached for requests"_s
                                     << Kind::ConcurrencyLimit;
    QTest::newRow("429 tokens per minute")
        << 429
        << u"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29000"_s
        << Kind::RateLimited;
    QTest::newRow("429 quota")
        << 429 << u"You exceeded your current quota, please check your plan and billing details"_s
        << Kind::QuotaExceeded;
    QTest::newRow("402 quota")
        << 402 << u"You exceeded your current quota, please check your plan and billing details"_s
        << Kind::QuotaExceeded;
    QTest::newRow("500") << 500 << u"The server had an error while processing your request"_s
                         << Kind::Overloaded;
    QTest::newRow("503") << 503 << u"The engine is currently overloaded, please try again later"_s
                         << Kind::Overloaded;
    QTest::newRow("400") << 400 << u"Invalid 'messages'"_s << Kind::BadRequest;
    QTest::newRow("422") << 422 << u"Unsupported parameter"_s << Kind::BadRequest;
}

void TestInferenceErrors::errorKindForStatus()
{
    QFETCH(int, status);
    QFETCH(QString, message);
    QFETCH(Kind, kind);
    QCOMPARE(kindName(spindle::net::errorKindFor(status, message)), kindName(kind));
}

void TestInferenceErrors::errorInOnePaneOnly()
{
    m_h.client->setRetryPolicy(2, 10);
    auto good1 = m_h.start(chatRequest(u"fixture-echo:left"_s));
    auto bad = m_h.start(chatRequest(u"fail-503"_s));
    auto good2 = m_h.start(chatRequest(u"fixture-echo:right"_s));
    for (const auto& run : { good1, bad, good2 })
        QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    QCOMPARE(int(bad->outcome->status), int(ChatOutcome::Status::Failed));
    QVERIFY(bad->outcome->error);
    QCOMPARE(kindName(bad->outcome->error->kind), kindName(Kind::Overloaded));
    QVERIFY(bad->streamed.isEmpty());
    for (const auto& run : { good1, good2 }) {
        QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Completed));
        QVERIFY(!run->outcome->error);
        QCOMPARE(run->outcome->choices[0].content, OpenAIFixture::replyFor(chatRequest(u"x"_s).messages));
    }
}

void TestInferenceErrors::retriesUntilSuccess_data()
{
    QTest::addColumn<QString>("model");
    QTest::newRow("429 concurrency") << u"flaky-429-then-ok:r"_s;
    QTest::newRow("503 overloaded") << u"flaky-503-then-ok:r"_s;
}

void TestInferenceErrors::retriesUntilSuccess()
{
    QFETCH(QString, model);
    auto run = m_h.start(chatRequest(model));
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Completed));
    QVERIFY(!run->outcome->error);
    QCOMPARE(run->outcome->choices[0].content, OpenAIFixture::replyFor(chatRequest(model).messages));
    // Two refusals, then the answer: three requests of the same body.
    QCOMPARE(m_h.fixture.requestCount(model), 3);
    QCOMPARE(run->outcome->attempts, 3);
    QVERIFY(run->outcome->usage.known());
    QVERIFY(run->outcome->timeToFirstTokenMs <= run->outcome->latencyMs);
}

void TestInferenceErrors::errorsAndRetries_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("requests"); // with setRetryPolicy(3, ...): 4 when retried
    QTest::addColumn<QString>("serverMessage");
    QTest::addColumn<QString>("plainWord"); // the plain message says this (case-insensitive)
    const QString quota = u"You exceeded your current quota, please check your plan and billing details"_s;
    QTest::newRow("401") << u"fail-401"_s << Kind::InvalidKey << 401 << 1 << u"Authentication failed"_s
                         << u"key"_s;
    QTest::newRow("403 region") << u"fail-403"_s << Kind::Forbidden << 403 << 1
                                << u"Country, region, or territory not supported"_s << u"region"_s;
    QTest::newRow("429 quota") << u"fail-429-quota"_s << Kind::QuotaExceeded << 429 << 1 << quota
                               << u"credits"_s;
    QTest::newRow("402 quota") << u"fail-402-quota"_s << Kind::QuotaExceeded << 402 << 1 << quota
                               << u"credits"_s;
    QTest::newRow("429 concurrency") << u"fail-429-concurrency"_s << Kind::ConcurrencyLimit << 429 << 4
                                     << u"Concurrency limit reached for requests"_s << u"concurren"_s;
    QTest::newRow("500") << u"fail-500"_s << Kind::Overloaded << 500 << 4
                         << u"The server had an error while processing your request"_s << u"try again"_s;
    QTest::newRow("503") << u"fail-503"_s << Kind::Overloaded << 503 << 4
                         << u"The engine is currently overloaded, please try again later"_s
                         << u"overloaded"_s;
}

void TestInferenceErrors::errorsAndRetries()
{
    QFETCH(QString, model);
    QFETCH(Kind, kind);
    QFETCH(int, status);
    QFETCH(int, requests);
    QFETCH(QString, serverMessage);
    QFETCH(QString, plainWord);
    auto run = m_h.start(chatRequest(model));
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    const ChatOutcome& out = *run->outcome;
    QCOMPARE(int(out.status), int(ChatOutcome::Status::Failed));
    QVERIFY(out.error);
    QCOMPARE(kindName(out.error->kind), kindName(kind));
    QCOMPARE(out.error->httpStatus, status);
    QCOMPARE(out.error->serverMessage, serverMessage);
    QCOMPARE(m_h.fixture.requestCount(model), requests);
    QCOMPARE(out.error->attempts, requests);
    QCOMPARE(out.error->retryable(), requests > 1);
    QVERIFY(out.choices.isEmpty() || out.choices[0].content.isEmpty());
    QVERIFY(run->streamed.isEmpty());
    // Plain words for the pane: no JSON, and what to do about it.
    const QString plain = out.error->plainMessage();
    QVERIFY2(!plain.contains(u"{\""_s) && !plain.contains(u"\"error\""_s), qPrintable(plain));
    QVERIFY2(plain.contains(plainWord, Qt::CaseInsensitive), qPrintable(plain));
}

void TestInferenceErrors::wrongKeyIsInvalidKey()
{
    auto run = m_h.start(chatRequest(u"fixture-echo"_s), m_h.provider(u"not-the-key"_s));
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    QVERIFY(run->outcome->error);
    QCOMPARE(kindName(run->outcome->error->kind), kindName(Kind::InvalidKey));
    QCOMPARE(m_h.fixture.requestCount(u"fixture-echo"_s), 1);
    QCOMPARE(m_h.fixture.lastRequest().header("authorization"), QByteArray("Bearer not-the-key"));
    // A bad body is the provider's complaint, passed on, and not retried.
    ChatRequest empty = chatRequest(u"fixture-echo:empty"_s);
    empty.messages = {};
    auto bad = m_h.start(empty);
    QTRY_VERIFY_WITH_TIMEOUT(bad->outcome.has_value(), kWaitMs);
    QVERIFY(bad->outcome->error);
    QCOMPARE(kindName(bad->outcome->error->kind), kindName(Kind::BadRequest));
    QCOMPARE(bad->outcome->error->httpStatus, 400);
    QVERIFY(bad->outcome->error->serverMessage.contains(u"'messages'"_s));
    QVERIFY(bad->outcome->error->plainMessage().contains(u"'messages'"_s));
    QCOMPARE(m_h.fixture.requestCount(u"fixture-echo:empty"_s), 1);
}

void TestInferenceErrors::unreachableServer()
{
    int deadPort = 0;
    {
        OpenAIFixture gone; // a port that was just free and is closed again
        QVERIFY(gone.start());
        deadPort = gone.port();
    }
    InferenceProvider p = m_h.provider();
    p.baseUrl = QUrl(u"http://127.0.0.1:%1/v1"_s.arg(deadPort));
    m_h.client->setRetryPolicy(1, 10);
    auto run = m_h.start(chatRequest(u"fixture-echo"_s), p);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Failed));
    QCOMPARE(kindName(run->outcome->error->kind), kindName(Kind::Network));
    QCOMPARE(run->outcome->error->httpStatus, 0);
    QCOMPARE(run->outcome->attempts, 2); // retried once, as the policy says
    QCOMPARE(run->outcome->timeToFirstTokenMs, -1);
}

// A provider that redirects to another origin (here the fixture, on another port): the request with
// the key is not sent there; the run fails with the redirect's status.
void TestInferenceErrors::redirectElsewhereKeepsTheKey()
{
    httplib::Server redirecting;
    const std::string target =
        "http://127.0.0.1:" + std::to_string(m_h.fixture.port()) + "/v1/chat/completions";
    redirecting.Post(".*", [&](const httplib::Request&, httplib::Response& res) {
        res.status = 307;
        res.set_header("Location", target);
    });
    const int port = redirecting.bind_to_any_port("127.0.0.1");
    std::thread thread([&] { redirecting.listen_after_bind(); });
    const auto stop = qScopeGuard([&] {
        redirecting.stop();
        thread.join();
    });
    InferenceProvider p = m_h.provider();
    p.baseUrl = QUrl(u"http://127.0.0.1:%1/v1"_s.arg(port));
    auto run = m_h.start(chatRequest(u"fixture-echo:redirected"_s), p);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Failed));
    QCOMPARE(run->outcome->error->httpStatus, 307);
    QVERIFY(run->outcome->error->plainMessage().contains(QString::fromStdString(target)));
    QCOMPARE(m_h.fixture.requestCount(u"fixture-echo:redirected"_s), 0);
}

void TestInferenceErrors::dropMidstreamKeepsPartialAnswer()
{
    const ChatRequest request = chatRequest(u"drop-midstream"_s);
    auto run = m_h.start(request);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    const ChatOutcome& out = *run->outcome;
    QCOMPARE(int(out.status), int(ChatOutcome::Status::Failed));
    QVERIFY(out.error);
    QCOMPARE(kindName(out.error->kind), kindName(Kind::Interrupted));
    const QString partial = OpenAIFixture::partialReplyFor(request.messages, 3);
    QCOMPARE(out.choices.value(0).content, partial);
    QCOMPARE(run->streamed, partial);
    QVERIFY(out.choices[0].finishReason.isEmpty());
    QVERIFY(!out.usage.known());
    QVERIFY(out.timeToFirstTokenMs >= 0);
    // A started answer is not sent again (that would bill twice and show another text).
    QCOMPARE(m_h.fixture.requestCount(u"drop-midstream"_s), 1);
    QVERIFY(out.error->plainMessage().contains(u"interrupted"_s, Qt::CaseInsensitive));
}

// vLLM reports a failure mid-answer as an error event and still ends with [DONE]: the run fails with
// the provider's message, keeping what came, instead of passing for a whole answer.
void TestInferenceErrors::errorEventFailsTheRunDespiteDone()
{
    const ChatRequest request = chatRequest(u"error-midstream"_s);
    auto run = m_h.start(request);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    const ChatOutcome& out = *run->outcome;
    QCOMPARE(int(out.status), int(ChatOutcome::Status::Failed));
    QVERIFY(out.error);
    QCOMPARE(kindName(out.error->kind), kindName(Kind::Interrupted));
    QVERIFY2(out.error->plainMessage().contains(u"maximum context length"_s),
        qPrintable(out.error->plainMessage()));
    QCOMPARE(out.choices.value(0).content, OpenAIFixture::partialReplyFor(request.messages, 3));
    QCOMPARE(m_h.fixture.requestCount(u"error-midstream"_s), 1);
}

// A request the provider answered (200) before the connection was lost is not sent again: the chat
// would be answered, and billed, twice.
void TestInferenceErrors::answeredRequestIsNotSentAgain()
{
    auto run = m_h.start(chatRequest(u"drop-before-content"_s));
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Failed));
    QVERIFY(run->outcome->error);
    QCOMPARE(kindName(run->outcome->error->kind), kindName(Kind::NoAnswer));
    // Nothing arrived: the message does not speak of a kept partial answer.
    QVERIFY2(!run->outcome->error->plainMessage().contains(u"kept"_s),
        qPrintable(run->outcome->error->plainMessage()));
    QTest::qWait(300); // a retry would have gone by now (the harness's backoff is short)
    QCOMPARE(m_h.fixture.requestCount(u"drop-before-content"_s), 1);
}

void TestInferenceErrors::stopDuringBackoff()
{
    // The pane's stop button while the client waits to retry a 503: it stops now, not after the
    // wait (which Retry-After can stretch to a minute), and sends nothing more.
    const int backoffMs = 20000;
    m_h.client->setRetryPolicy(3, backoffMs);
    auto run = m_h.start(chatRequest(u"fail-503:backoff"_s));
    QTRY_COMPARE_WITH_TIMEOUT(m_h.fixture.requestCount(u"fail-503:backoff"_s), 1, kWaitMs);
    QTest::qWait(200); // the 503 reaches the client, which schedules the retry
    m_h.client->stop(run->id);
    QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), backoffMs / 4);
    QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Stopped));
    QCOMPARE(m_h.fixture.requestCount(u"fail-503:backoff"_s), 1);
}

// After "Concurrency limit reached" the client sends fewer requests at once to that provider:
// the refused requests are retried one by one, and later requests wait for a free slot.
void TestInferenceErrors::concurrencyLimitMeansFewerRequestsAtOnce()
{
    QVector<std::shared_ptr<Run>> refused;
    for (const QString& tag : { u"a"_s, u"b"_s, u"c"_s })
        refused << m_h.start(chatRequest(u"flaky-429-then-ok:"_s + tag));
    for (const auto& run : refused) {
        QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
        QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Completed));
    }
    // Every refused request got its answer; now the provider gets one request at a time.
    auto first = m_h.start(chatRequest(u"fixture-echo:one"_s));
    auto second = m_h.start(chatRequest(u"fixture-echo:two"_s));
    for (const auto& run : { first, second })
        QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
    const bool firstEnded = first->finishedAt <= second->finishedAt;
    const auto& earlier = firstEnded ? first : second;
    const auto& later = firstEnded ? second : first;
    QVERIFY2(later->firstDeltaAt >= earlier->finishedAt,
        qPrintable(u"overlapping: one started at %1, the other finished at %2"_s.arg(later->firstDeltaAt)
                       .arg(earlier->finishedAt)));
}

// The fewer requests at once last while the provider keeps refusing: after a quiet period (300 ms
// here, 60 s by default) requests go out together again.
void TestInferenceErrors::concurrencyLimitIsForgottenWhenQuiet()
{
    m_h.client->setConcurrencyMemory(300);
    QVector<std::shared_ptr<Run>> refused;
    for (const QString& tag : { u"d"_s, u"e"_s, u"f"_s })
        refused << m_h.start(chatRequest(u"flaky-429-then-ok:"_s + tag));
    for (const auto& run : refused) {
        QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
        QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Completed));
    }
    QTest::qWait(400);
    // Two slow answers (200 ms between events) stream at the same time.
    auto first = m_h.start(chatRequest(u"slow:one"_s, u"a short answer"_s));
    auto second = m_h.start(chatRequest(u"slow:two"_s, u"a short answer"_s));
    for (const auto& run : { first, second }) {
        QTRY_VERIFY_WITH_TIMEOUT(run->outcome.has_value(), kWaitMs);
        QCOMPARE(int(run->outcome->status), int(ChatOutcome::Status::Completed));
    }
    QVERIFY2(second->firstDeltaAt < first->finishedAt && first->firstDeltaAt < second->finishedAt,
        qPrintable(u"one after the other: %1-%2 ms and %3-%4 ms"_s.arg(first->firstDeltaAt)
                       .arg(first->finishedAt)
                       .arg(second->firstDeltaAt)
                       .arg(second->finishedAt)));
}

QTEST_GUILESS_MAIN(TestInferenceErrors)
#include "tst_inferenceerrors.moc"
