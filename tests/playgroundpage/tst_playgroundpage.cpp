// The playground inside the whole app: a 3-model comparison streamed from the OpenAI-compatible
// fixture, each run logged into the embedded trace server with its usage and the server's cost,
// an error in one pane that leaves the others alone, and "open in playground" from a logged call.
#include "core/call.h"
#include "core/chatrequest.h"
#include "support/openaifixture.h"
#include "support/samplesession.h"
#include "ui/calldetailpanel.h"
#include "ui/messagelisteditor.h"
#include "ui/modelcatalogpage.h"
#include "ui/playgroundpage.h"
#include "ui/providerstore.h"
#include "ui/tracespage.h"

#include <QDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolButton>

using namespace Qt::StringLiterals;
using spindle::test::OpenAIFixture;
using spindle::ui::PlaygroundPage;
using spindle::ui::PlaygroundPane;

namespace {
const QString kProject = u"spindle/playground"_s;
const QString kProvider = u"Fixture"_s;

// The server's answer to `body` at `path`, waited for (empty on an error).
QJsonObject postAndWait(spindle::net::TraceClient* client, const QString& path, const QJsonObject& body)
{
    QJsonObject result;
    bool done = false;
    client->post(
        nullptr, path, body,
        [&](const QJsonObject& answer) {
            result = answer;
            done = true;
        },
        [&](const spindle::net::ApiError&) { done = true; });
    QElapsedTimer clock;
    clock.start();
    while (!done && clock.elapsed() < 10000)
        QTest::qWait(10);
    return result;
}

QJsonObject readCall(spindle::net::TraceClient* client, const QString& id)
{
    return postAndWait(client, u"/call/read"_s,
        QJsonObject { { u"project_id"_s, kProject }, { u"id"_s, id }, { u"include_costs"_s, true } })
        .value("call"_L1)
        .toObject();
}

// The names in the latest version of the project's presets object, as the server has it.
QStringList storedPresetNames(spindle::net::TraceClient* client)
{
    const QJsonObject answer = postAndWait(client, u"/obj/read"_s,
        QJsonObject { { u"project_id"_s, kProject }, { u"object_id"_s, u"SpindlePlaygroundPresets"_s },
            { u"digest"_s, u"latest"_s } });
    return answer.value("obj"_L1).toObject().value("val"_L1).toObject().value("presets"_L1).toObject().keys();
}
} // namespace

class PlaygroundPageTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void threeModelsSideBySide();
    void errorInOnePaneLeavesTheOthers();
    void openInPlaygroundFromALoggedCall();
    void runNTimesAndPresets();
    void stopKeepsThePartialAnswer();
    void compareDuringARunStartsOver();
    void useAddsTheFirstChoiceAsSent();
    void removedPaneEndsItsLoggedRun();
    void runNGoesOnWhenTheRoundsLastPaneIsRemoved();
    void cutAnswerSaysWhy();
    void catalogPricesWithTheProjectsPrices();
    void cleanupTestCase();

private:
    void runAndWait(const QString& message);
    // Compares the "slow" model with the echo and sends; the slow pane once its answer has begun
    // to stream (before its end), or null.
    PlaygroundPane* startSlowAndEcho();

    QTemporaryDir m_dir;
    OpenAIFixture m_fixture;
    std::unique_ptr<spindle::app::AppSession> m_session;
    PlaygroundPage* m_page = nullptr;
    QStringList m_loggedIds;
};

void PlaygroundPageTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    OpenAIFixture::Options options;
    options.chunkDelayMs = 15;
    QVERIFY(m_fixture.start(options));
    m_session = startSampleSession(m_dir, kProject, QSize(1500, 900));
    QVERIFY(m_session);
    auto* window = m_session->window();
    window->providerStore()->addTransient({ kProvider, m_fixture.baseUrl(), m_fixture.apiKey(), {} });
    m_page = window->playgroundPage();
    QVERIFY(m_page);
    connect(m_page, &PlaygroundPage::runLogged, this, [this](const QString& id) { m_loggedIds << id; });
}

void PlaygroundPageTest::runAndWait(const QString& message)
{
    m_page->setComposerText(message);
    m_page->send();
    QVERIFY(m_page->busy());
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->busy(), 20000);
}

PlaygroundPane* PlaygroundPageTest::startSlowAndEcho()
{
    m_page->compareModels(kProvider, { u"slow"_s, u"fixture-echo"_s });
    m_page->setComposerText(u"one two three four five six seven eight"_s);
    m_page->send();
    PlaygroundPane* slow = m_page->panes().first();
    return QTest::qWaitFor([slow] { return !slow->answerText().isEmpty(); }, 10000) ? slow : nullptr;
}

void PlaygroundPageTest::threeModelsSideBySide()
{
    auto* window = m_session->window();
    window->show();
    m_page->compareModels(kProvider, { u"gpt-4o-mini"_s, u"fixture-reasoning"_s, u"no-usage"_s });
    QCOMPARE(m_page->panes().size(), 3);
    // The nav shows the playground, as the catalog's "Compare" does.
    QMetaObject::invokeMethod(window, [window] { window->findChild<QListWidget*>()->setCurrentRow(3); });
    m_page->conversation()->setSystemPrompt(u"Answer briefly."_s);
    runAndWait(u"Compare the three of you"_s);

    const QString expected = u"Echo: Compare the three of you"_s;
    for (PlaygroundPane* pane : m_page->panes()) {
        QCOMPARE(pane->answerText(), expected);
        QVERIFY2(pane->lastResult().error.isEmpty(), qPrintable(pane->lastResult().error));
        QVERIFY(pane->lastResult().timeToFirstTokenMs >= 0);
        QVERIFY(pane->lastResult().timeToFirstTokenMs <= pane->lastResult().latencyMs);
    }
    // Usage as the fixture counts it; the no-usage server leaves it unknown.
    const auto usage = OpenAIFixture::usageFor(m_fixture.lastRequest(u"gpt-4o-mini"_s).body);
    QCOMPARE(m_page->panes()[0]->lastResult().usage.promptTokens, usage.promptTokens);
    QCOMPARE(m_page->panes()[0]->lastResult().usage.completionTokens, usage.completionTokens);
    QVERIFY(!m_page->panes()[2]->lastResult().usage.known());
    // The request carried the shared system prompt first and asked for usage in the stream.
    const QJsonObject body = m_fixture.lastRequest(u"gpt-4o-mini"_s).body;
    QCOMPARE(body.value("messages"_L1).toArray().first().toObject().value("role"_L1).toString(), u"system"_s);
    QCOMPARE(body.value("stream_options"_L1).toObject().value("include_usage"_L1).toBool(), true);
    // Reasoning models show their reasoning apart from the answer.
    QVERIFY(
        m_page->panes()[1]->findChildren<QPlainTextEdit*>().first()->toPlainText().startsWith(u"Thinking"_s));

    // Each run is a call in the project, with its usage; the priced model gets the server's cost.
    QTRY_COMPARE_WITH_TIMEOUT(m_loggedIds.size(), 3, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(m_page->panes()[0]->lastResult().costFromServer, 10000);
    const spindle::Call logged = spindle::Call::fromJson(readCall(m_session->client(), m_loggedIds.first()));
    QVERIFY(logged.opName.contains(u"openai.chat.completions.create"_s));
    QVERIFY(logged.output.toObject().value("choices"_L1).isArray());
    const auto priced = std::find_if(m_loggedIds.begin(), m_loggedIds.end(), [&](const QString& id) {
        return readCall(m_session->client(), id).value("inputs"_L1).toObject().value("model"_L1).toString()
            == u"gpt-4o-mini"_s;
    });
    QVERIFY(priced != m_loggedIds.end());
    const spindle::Call pricedCall = spindle::Call::fromJson(readCall(m_session->client(), *priced));
    const QJsonObject modelUsage =
        pricedCall.summary.value("usage"_L1).toObject().value("gpt-4o-mini"_L1).toObject();
    QCOMPARE(qint64(modelUsage.value("prompt_tokens"_L1).toDouble()), usage.promptTokens);
    QVERIFY(pricedCall.totalCost().value_or(0) > 0);
    QCOMPARE(*m_page->panes()[0]->lastResult().costUsd, *pricedCall.totalCost());

    QTableWidget* summary = m_page->summaryTable();
    QCOMPARE(summary->rowCount(), 3);
    QCOMPARE(summary->item(0, 6)->text(), QString::number(usage.promptTokens));
    window->grab().save(QStringLiteral(SHOT_DIR "/playground_three.png"));

    // The conversation goes on per pane: each model sees its own earlier answer.
    runAndWait(u"And now?"_s);
    const QJsonArray sent = m_fixture.lastRequest(u"fixture-reasoning"_s).body.value("messages"_L1).toArray();
    QCOMPARE(sent.size(), 4); // system, user, its own assistant answer, user
    QCOMPARE(sent.at(2).toObject().value("role"_L1).toString(), u"assistant"_s);
    QCOMPARE(sent.at(2).toObject().value("content"_L1).toString(), expected);
    QCOMPARE(m_page->panes()[1]->answerText(), u"Echo: And now?"_s);
}

void PlaygroundPageTest::errorInOnePaneLeavesTheOthers()
{
    m_fixture.reset();
    m_page->compareModels(kProvider, { u"gpt-4o-mini"_s, u"fail-429-quota"_s, u"flaky-503-then-ok"_s });
    runAndWait(u"Again please"_s);
    const auto panes = m_page->panes();
    QCOMPARE(panes[0]->answerText(), u"Echo: Again please"_s);
    QVERIFY(panes[1]->answerText().isEmpty());
    QVERIFY2(panes[1]->lastResult().error.contains(u"quota"_s), qPrintable(panes[1]->lastResult().error));
    QCOMPARE(m_fixture.requestCount(u"fail-429-quota"_s), 1); // quota: never retried
    QCOMPARE(panes[2]->answerText(), u"Echo: Again please"_s); // 503s retried, then answered
    QCOMPARE(m_fixture.requestCount(u"flaky-503-then-ok"_s), m_fixture.options().flakyFailures + 1);
    m_session->window()->grab().save(QStringLiteral(SHOT_DIR "/playground_error.png"));
}

void PlaygroundPageTest::openInPlaygroundFromALoggedCall()
{
    QVERIFY(!m_loggedIds.isEmpty());
    const spindle::Call call = spindle::Call::fromJson(readCall(m_session->client(), m_loggedIds.first()));
    auto* detail = m_session->window()->tracesPage()->detailPanel();
    m_page->compareModels(kProvider, { u"fixture-echo"_s });
    Q_EMIT detail->openInPlaygroundRequested(call);
    const QString model = call.inputs.value("model"_L1).toString();
    QCOMPARE(m_page->panes().first()->model(), model);
    QCOMPARE(m_page->conversation()->systemPrompt(), u"Answer briefly."_s);
    const QJsonArray messages = m_page->conversation()->messages();
    QCOMPARE(messages.last().toObject().value("content"_L1).toString(), u"Compare the three of you"_s);
    // System messages given as text parts, and more than one: one system prompt, a line each.
    spindle::Call parts = call;
    parts.inputs.insert(u"messages"_s,
        QJsonArray {
            QJsonObject { { u"role"_s, u"system"_s },
                { u"content"_s,
                    QJsonArray { QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, u"Be brief."_s } },
                        QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, u" Be kind."_s } } } } },
            QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, u"Use French."_s } },
            QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"Hi"_s } } });
    Q_EMIT detail->openInPlaygroundRequested(parts);
    QCOMPARE(m_page->conversation()->systemPrompt(), u"Be brief. Be kind.\nUse French."_s);
    QCOMPARE(m_page->conversation()->messages().size(), 1);
    Q_EMIT detail->openInPlaygroundRequested(call);
    QCOMPARE(m_page->conversation()->messages(), messages);

    // A call whose inputs hold no messages is refused with a message, not loaded.
    spindle::Call plain = call;
    plain.inputs = QJsonObject { { u"x"_s, 1 } };
    Q_EMIT detail->openInPlaygroundRequested(plain);
    QCOMPARE(m_page->conversation()->messages(), messages);

    // A Gemini call (an image, a function call and its response) opens as chat completions, and the
    // panes' answers to the conversation before go.
    runAndWait(u"Before the Gemini call"_s);
    QVERIFY(!m_page->panes().first()->answerText().isEmpty());
    spindle::Call gemini = call;
    gemini.inputs = QJsonDocument::fromJson(R"({"model": "models/gemini-2.5-flash",
        "config": {"system_instruction": "Be brief.", "temperature": 0.4},
        "contents": [{"role": "user", "parts": [{"text": "What is on this?"},
                         {"inline_data": {"mime_type": "image/png", "data": "iVBORw0KGgo="}}]},
                     {"role": "model", "parts": [{"function_call": {"name": "lookup", "args": {"q": "cat"}}}]},
                     {"role": "user", "parts": [{"function_response": {"name": "lookup", "response": {"hits": 3}}}]},
                     "And the colour?"]})")
                        .object();
    Q_EMIT detail->openInPlaygroundRequested(gemini);
    QCOMPARE(m_page->panes().first()->model(), u"gemini-2.5-flash"_s);
    QCOMPARE(m_page->conversation()->systemPrompt(), u"Be brief."_s);
    const QJsonArray geminiMessages = m_page->conversation()->messages();
    QCOMPARE(geminiMessages.size(), 4);
    QCOMPARE(geminiMessages[2].toObject().value("tool_call_id"_L1).toString(), u"call_1"_s);
    // The panes' answers were to the conversation before: gone, and the summary names the new model.
    for (PlaygroundPane* pane : m_page->panes())
        QVERIFY(pane->answerText().isEmpty());
    QCOMPARE(m_page->summaryTable()->item(0, 0)->text(), u"gemini-2.5-flash"_s);
    m_page->grab().save(QStringLiteral(SHOT_DIR "/playground_gemini.png"));
    Q_EMIT detail->openInPlaygroundRequested(call);
}

void PlaygroundPageTest::runNTimesAndPresets()
{
    m_fixture.reset();
    m_page->compareModels(kProvider, { u"gpt-4o-mini"_s, u"fixture-echo"_s });
    m_page->setRepeatCount(3);
    runAndWait(u"Variance?"_s);
    m_page->setRepeatCount(1);
    QCOMPARE(m_fixture.requestCount(u"gpt-4o-mini"_s), 3);
    QCOMPARE(m_fixture.requestCount(u"fixture-echo"_s), 3);
    QCOMPARE(m_page->summaryTable()->item(0, 2)->text(), u"3 runs ok"_s);
    QVERIFY2(m_page->summaryTable()->item(0, 4)->text().contains(u'–'), // mean (min–max)
        qPrintable(m_page->summaryTable()->item(0, 4)->text()));

    // A preset is stored in the project and survives a reload of the page's project.
    PlaygroundPane* pane = m_page->panes().first();
    spindle::ChatSettings settings;
    settings.temperature = 0.25;
    settings.maxTokens = 64;
    pane->setSettings(settings);
    QSignalSpy saved(m_page, &PlaygroundPage::presetsChanged);
    m_page->savePresetAs(pane, u"cheap and cool"_s);
    QVERIFY(saved.wait(10000));
    m_page->setProject(u"spindle/elsewhere"_s);
    QVERIFY(m_page->presetNames().isEmpty());
    m_page->setProject(kProject);
    QTRY_VERIFY_WITH_TIMEOUT(m_page->presetNames().contains(u"cheap and cool"_s), 10000);
    PlaygroundPane* other = m_page->panes().last();
    m_page->applyPreset(other, u"cheap and cool"_s);
    QCOMPARE(other->model(), u"gpt-4o-mini"_s);
    QCOMPARE(other->settings(), settings);

    // A preset saved meanwhile elsewhere (another window, another machine) is kept by the next save
    // here, although this page has not read it.
    spindle::net::TraceClient* client = m_session->client();
    QJsonObject presets { { u"cheap and cool"_s, QJsonObject { { u"model"_s, u"gpt-4o-mini"_s } } },
        { u"from elsewhere"_s, QJsonObject { { u"model"_s, u"fixture-echo"_s } } } };
    QVERIFY(!postAndWait(client, u"/obj/create"_s,
        QJsonObject { { u"obj"_s,
            QJsonObject { { u"project_id"_s, kProject }, { u"object_id"_s, u"SpindlePlaygroundPresets"_s },
                { u"val"_s, QJsonObject { { u"presets"_s, presets } } } } } })
                 .isEmpty());
    QVERIFY(!m_page->presetNames().contains(u"from elsewhere"_s));
    saved.clear();
    m_page->savePresetAs(pane, u"third"_s);
    QVERIFY(saved.wait(10000));
    QCOMPARE(
        storedPresetNames(client), (QStringList { u"cheap and cool"_s, u"from elsewhere"_s, u"third"_s }));
    QCOMPARE(m_page->presetNames(), storedPresetNames(client));

    // Two saves in a row (the second asked for before the first is written) keep both.
    m_page->savePresetAs(pane, u"fourth"_s);
    m_page->savePresetAs(other, u"fifth"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_page->presetNames().contains(u"fifth"_s), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(storedPresetNames(client).contains(u"fourth"_s), 10000);
    QVERIFY(storedPresetNames(client).contains(u"fifth"_s));
}

void PlaygroundPageTest::stopKeepsThePartialAnswer()
{
    const qsizetype loggedBefore = m_loggedIds.size();
    PlaygroundPane* slow = startSlowAndEcho();
    QVERIFY(slow);
    m_page->stopAll();
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->busy(), 10000);
    QCOMPARE(slow->lastResult().status, spindle::net::ChatOutcome::Status::Stopped);
    // The stopped run is logged as stopped (its output is partial), not as a whole answer.
    QTRY_VERIFY_WITH_TIMEOUT(m_loggedIds.size() >= loggedBefore + 2, 10000); // both panes' runs
    QStringList exceptions;
    for (const QString& id : m_loggedIds.mid(loggedBefore))
        exceptions << spindle::Call::fromJson(readCall(m_session->client(), id)).exception;
    QVERIFY2(exceptions.join(u'|').contains(u"Stopped by the user"_s), qPrintable(exceptions.join(u'|')));
    QVERIFY(!slow->answerText().isEmpty());
    QVERIFY(slow->answerText().size() < u"Echo: one two three four five six seven eight"_s.size());

    // The word diff of the stopped answer against the whole one: what is missing shows inserted.
    QDialog* diff = m_page->showDiff(0, 1);
    QVERIFY(diff);
    auto* view = diff->findChild<QTextBrowser*>();
    QVERIFY(view);
    QVERIFY2(view->toHtml().contains(u"eight"_s), qPrintable(view->toPlainText()));
    QVERIFY(view->toHtml().contains(u"#ddffdd"_s, Qt::CaseInsensitive)); // the inserted words' background
    diff->grab().save(QStringLiteral(SHOT_DIR "/playground_diff.png"));
    diff->close();
}

// "Compare" while an answer streams stops it, and the stopped answer and its numbers belong to no
// model of the new comparison: the summary says "not run" under the new names, and the next send
// does not hand the old partial answer to the new model as its own reply. The shared messages
// cannot be edited while answers stream (a retry then would cut the list and send nothing).
void PlaygroundPageTest::compareDuringARunStartsOver()
{
    PlaygroundPane* slow = startSlowAndEcho();
    QVERIFY(slow);
    QToolButton* deleteButton = nullptr;
    for (auto* button : m_page->conversation()->findChildren<QToolButton*>())
        if (button->text() == u"Delete"_s)
            deleteButton = button;
    QVERIFY(deleteButton);
    m_page->conversation()->findChild<QListWidget*>()->setCurrentRow(0);
    QVERIFY(!deleteButton->isEnabled());
    m_page->compareModels(kProvider, { u"fixture-echo"_s, u"gpt-4o-mini"_s });
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->busy(), 10000);
    QTest::qWait(100); // the stopped run's outcome and its logged cost come back meanwhile
    auto* summary = m_page->findChild<QTableWidget*>();
    QVERIFY(summary);
    QCOMPARE(summary->item(0, 0)->text(), u"fixture-echo"_s);
    QCOMPARE(summary->item(0, 2)->text(), u"not run"_s);
    QVERIFY(deleteButton->isEnabled());
    // The pane shows nothing of the stopped run: not its partial answer, not its numbers.
    QVERIFY2(slow->answerText().isEmpty(), qPrintable(slow->answerText()));
    QVERIFY(slow->lastResult().model.isEmpty());

    runAndWait(u"and again"_s);
    const QByteArray sent = m_fixture.lastRequest(u"fixture-echo"_s).rawBody;
    QVERIFY2(!sent.contains("Echo:"), sent.constData()); // the slow model's partial answer stayed out
    QCOMPARE(summary->item(0, 0)->text(), u"fixture-echo"_s);
    QCOMPARE(summary->item(0, 2)->text(), u"ok"_s);
}

// "Use" continues the conversation with the first choice as the provider sent it: not the pane's
// text with its choice headers, without the reasoning, and with its tool calls as tool_calls.
void PlaygroundPageTest::useAddsTheFirstChoiceAsSent()
{
    m_page->compareModels(kProvider, { u"fixture-reasoning"_s });
    PlaygroundPane* pane = m_page->panes().first();
    QToolButton* use = nullptr;
    for (auto* button : pane->findChildren<QToolButton*>())
        if (button->text() == u"Use"_s)
            use = button;
    QVERIFY(use);
    spindle::ChatSettings settings;
    settings.n = 2;
    pane->setSettings(settings);
    runAndWait(u"pick one"_s);
    QVERIFY2(pane->answerText().contains(u"choice 2"_s), qPrintable(pane->answerText()));
    QVERIFY(use->isEnabled());
    use->click();
    const QJsonObject answer = m_page->conversation()->messages().last().toObject();
    QCOMPARE(answer.value("role"_L1).toString(), u"assistant"_s);
    QCOMPARE(answer.value("content"_L1).toString(), u"Echo: pick one"_s);
    QVERIFY(!answer.contains("reasoning_content"_L1));

    settings.n = 1;
    settings.tools = QJsonArray { QJsonObject { { u"type"_s, u"function"_s },
        { u"function"_s,
            QJsonObject { { u"name"_s, u"lookup"_s },
                { u"parameters"_s, QJsonObject { { u"type"_s, u"object"_s } } } } } } };
    pane->setSettings(settings);
    runAndWait(u"look it up"_s);
    use->click();
    const QJsonArray conversation = m_page->conversation()->messages();
    const QJsonObject call = conversation.at(conversation.size() - 2).toObject();
    const QJsonArray toolCalls = call.value("tool_calls"_L1).toArray();
    QCOMPARE(toolCalls.size(), 1);
    QCOMPARE(toolCalls.at(0)[u"function"_s][u"name"_s].toString(), u"lookup"_s);
    QVERIFY2(!call.value("content"_L1).toString().contains(u"→"_s),
        qPrintable(call.value("content"_L1).toString()));
    // Each call gets a tool message to fill in: a provider refuses tool calls left unanswered.
    const QJsonObject result = conversation.last().toObject();
    QCOMPARE(result.value("role"_L1).toString(), u"tool"_s);
    QCOMPARE(result.value("tool_call_id"_L1).toString(), toolCalls.at(0)[u"id"_s].toString());
    QVERIFY(!toolCalls.at(0)[u"id"_s].toString().isEmpty());
    pane->setSettings({}); // the tests after this one run plain answers on this pane
}

// Removing a pane while it streams cancels its run and ends the run's logged call with why: the
// call does not stay "running" in the project for ever. The other pane's run goes on.
void PlaygroundPageTest::removedPaneEndsItsLoggedRun()
{
    const qsizetype loggedBefore = m_loggedIds.size();
    PlaygroundPane* slow = startSlowAndEcho();
    QVERIFY(slow);
    m_page->removePane(slow);
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->busy(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_loggedIds.size(), loggedBefore + 2, 10000); // both runs ended
    int cancelled = 0;
    for (const QString& id : m_loggedIds.mid(loggedBefore)) {
        const spindle::Call call = spindle::Call::fromJson(readCall(m_session->client(), id));
        QVERIFY(call.endedAtMs.has_value());
        if (call.exception.contains(u"pane was removed"_s)) {
            ++cancelled;
            QCOMPARE(call.status, u"error"_s);
        }
    }
    QCOMPARE(cancelled, 1);
}

// Run × N: removing the pane that was the round's last one running ends that round, and the next
// round starts with the panes left.
void PlaygroundPageTest::runNGoesOnWhenTheRoundsLastPaneIsRemoved()
{
    m_fixture.reset();
    m_page->compareModels(kProvider, { u"slow"_s, u"fixture-echo"_s });
    m_page->setRepeatCount(2);
    m_page->setComposerText(u"one two three four five six seven eight"_s);
    m_page->send();
    PlaygroundPane* slow = m_page->panes().first();
    QTRY_COMPARE_WITH_TIMEOUT(m_page->summaryTable()->item(1, 2)->text(), u"ok"_s, 10000); // echo's
    QVERIFY(m_page->busy()); // the slow pane still streams round 1
    m_page->removePane(slow);
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->busy(), 10000);
    m_page->setRepeatCount(1);
    QCOMPARE(m_fixture.requestCount(u"fixture-echo"_s), 2);
    QCOMPARE(m_fixture.requestCount(u"slow"_s), 1);
    QCOMPARE(m_page->summaryTable()->item(0, 2)->text(), u"2 runs ok"_s);
}

// An answer cut by the max tokens says so under it (finish reason "length"); a whole one says
// nothing.
void PlaygroundPageTest::cutAnswerSaysWhy()
{
    m_page->compareModels(kProvider, { u"fixture-echo"_s, u"fixture-echo"_s });
    PlaygroundPane* cut = m_page->panes().first();
    spindle::ChatSettings settings = cut->settings();
    settings.maxTokens = 2;
    cut->setSettings(settings);
    runAndWait(u"one two three four five"_s);
    const auto notes = [](PlaygroundPane* pane) {
        QStringList shown;
        for (const QLabel* label : pane->findChildren<QLabel*>())
            if (label->isVisibleTo(pane))
                shown << label->text();
        return shown.join(u'|');
    };
    QVERIFY2(notes(cut).contains(u"Cut off at the max tokens"_s), qPrintable(notes(cut)));
    m_session->window()->findChild<QListWidget*>()->setCurrentRow(3); // the Playground, for the picture
    QTest::qWait(50);
    m_page->grab().save(QStringLiteral(SHOT_DIR "/playground_cut.png"));
    QVERIFY2(!notes(m_page->panes().last()).contains(u"finish reason"_s),
        qPrintable(notes(m_page->panes().last())));
}

// A price the project sets for a model reaches the model catalog (through the playground's price
// reload, which the Prices page triggers when a price is added).
void PlaygroundPageTest::catalogPricesWithTheProjectsPrices()
{
    auto* catalog = m_session->window()->findChild<spindle::ui::ModelCatalogPage*>();
    QVERIFY(catalog);
    const QString model = u"meta-llama/Llama-3.1-8B-Instruct"_s;
    QVERIFY(catalog->priceToolTip(model).contains(u"From the price table"_s));
    bool done = false;
    m_session->client()->post(
        nullptr, u"/cost/create"_s,
        QJsonObject { { u"project_id"_s, kProject },
            { u"costs"_s,
                QJsonObject { { model,
                    QJsonObject {
                        { u"prompt_token_cost"_s, 1e-06 }, { u"completion_token_cost"_s, 3e-06 } } } } } },
        [&](const QJsonObject&) { done = true; }, [&](const spindle::net::ApiError&) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
    m_page->reloadPrices();
    QTRY_VERIFY_WITH_TIMEOUT(catalog->priceToolTip(model).contains(u"custom price"_s), 10000);
}

void PlaygroundPageTest::cleanupTestCase()
{
    m_session.reset();
    m_fixture.stop();
}

QTEST_MAIN(PlaygroundPageTest)
#include "tst_playgroundpage.moc"
