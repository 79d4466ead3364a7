#pragma once

// Shared by the InferenceClient tests: the OpenAI-compatible fixture server, a client per test
// function, a recorder of what the callbacks of one chat saw, and the test classes' base.

#include "net/inferenceclient.h"
#include "support/openaifixture.h"

#include <QElapsedTimer>
#include <QTest>

#include <memory>

namespace spindle::test {

using namespace Qt::StringLiterals;
using net::ChatOutcome;
using net::InferenceError;
using net::InferenceProvider;
using Kind = net::InferenceError::Kind;

inline constexpr int kWaitMs = 15000;
inline const QString kLongPrompt = u"Please repeat these words back to me one at a time so that the answer "
                                   u"streams in many small pieces across several flushes of the client"_s;

// What the callbacks of one chat saw, with wall-clock times from the test's own clock.
struct Run
{
    net::InferenceClient::RequestId id = 0;
    QString streamed;
    QString reasoning;
    int deltaBatches = 0;
    bool sawToolCalls = false;
    QList<qint64> sinceStart;
    qint64 firstDeltaAt = -1;
    qint64 finishedAt = -1;
    int finishedCount = 0;
    std::optional<net::ChatOutcome> outcome;
};

inline ChatRequest chatRequest(const QString& model, const QString& prompt = kLongPrompt)
{
    ChatRequest request;
    request.model = model;
    request.messages =
        QJsonArray { QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, u"Be exact."_s } },
            QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, prompt } } };
    return request;
}

// Kinds by name, so a failed comparison says which.
inline QString kindName(net::InferenceError::Kind kind)
{
    static const char* names[] = { "InvalidKey", "Forbidden", "ConcurrencyLimit", "QuotaExceeded",
        "Overloaded", "BadRequest", "Network", "Interrupted", "NoAnswer", "RateLimited" };
    return QString::fromLatin1(names[int(kind)]);
}

// The fixture (fast chunks, 200 ms for "slow", 2 flaky failures, a drop after 3 deltas) and a
// fresh InferenceClient with the real backoff on short delays.
class InferenceHarness
{
public:
    bool startFixture()
    {
        OpenAIFixture::Options options;
        options.chunkDelayMs = 10;
        options.slowDelayMs = 200;
        options.flakyFailures = 2;
        options.dropAfterDeltas = 3;
        m_clock.start();
        return fixture.start(options);
    }
    void newClient()
    {
        fixture.reset();
        client = std::make_unique<net::InferenceClient>();
        client->setRetryPolicy(3, 20);
    }
    void stop()
    {
        client.reset();
        fixture.stop();
    }
    net::InferenceProvider provider(const QString& key = {}) const
    {
        net::InferenceProvider p;
        p.name = u"Fixture"_s;
        p.baseUrl = fixture.baseUrl();
        p.apiKey = key.isEmpty() ? fixture.apiKey() : key;
        return p;
    }
    std::shared_ptr<Run> start(const ChatRequest& request)
    {
        return start(request, provider());
    }
    std::shared_ptr<Run> start(
        const ChatRequest& request, const net::InferenceProvider& provider, QObject* context = nullptr)
    {
        auto run = std::make_shared<Run>();
        const QElapsedTimer* clock = &m_clock;
        run->id = client->startChat(
            context, provider, request,
            [run, clock](const QVector<ChatDelta>& deltas, qint64 ms) {
                ++run->deltaBatches;
                run->sinceStart << ms;
                if (run->firstDeltaAt < 0)
                    run->firstDeltaAt = clock->elapsed();
                for (const auto& d : deltas) {
                    if (d.choice == 0) {
                        run->streamed += d.content;
                        run->reasoning += d.reasoning;
                    }
                    run->sawToolCalls = run->sawToolCalls || d.toolCallsChanged;
                }
            },
            [run, clock](const net::ChatOutcome& outcome) {
                ++run->finishedCount;
                run->finishedAt = clock->elapsed();
                run->outcome = outcome;
            });
        return run;
    }

    OpenAIFixture fixture;
    std::unique_ptr<net::InferenceClient> client;

private:
    QElapsedTimer m_clock;
};

// The base of both test classes: QtTest finds the inherited slots by name, so every test function
// gets a fresh client on the one fixture.
class InferenceTestCase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_h.startFixture());
    }
    void init()
    {
        m_h.newClient();
    }
    void cleanupTestCase()
    {
        m_h.stop();
    }

protected:
    InferenceHarness m_h;
};

} // namespace spindle::test

Q_DECLARE_METATYPE(spindle::net::InferenceError::Kind)
