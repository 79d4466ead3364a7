// SseParser and ChatAccumulator: event framing under any chunking of the bytes, and the assembly
// of OpenAI chat.completion.chunk objects (text, reasoning, tool calls by index, n > 1, the final
// usage chunk) and of a whole chat.completion. The last tests parse real streams of the
// OpenAI-compatible fixture server, cut at every byte.

#include "core/chatstream.h"
#include "support/openaifixture.h"

#include <QJsonDocument>
#include <QTest>

#include <httplib.h>

using namespace Qt::StringLiterals;
using spindle::ChatAccumulator;
using spindle::SseParser;
using spindle::test::OpenAIFixture;

namespace {

QJsonObject parse(const QByteArray& json)
{
    return QJsonDocument::fromJson(json).object();
}

// Feeds `bytes` cut at the given offsets, then finish().
QVector<QByteArray> feedCut(const QByteArray& bytes, const QList<qsizetype>& cuts)
{
    SseParser parser;
    QVector<QByteArray> events;
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        events += parser.feed(bytes.mid(from, cut - from));
        from = cut;
    }
    events += parser.feed(bytes.mid(from));
    events += parser.finish();
    return events;
}

QVector<QByteArray> feedBytewise(const QByteArray& bytes)
{
    SseParser parser;
    QVector<QByteArray> events;
    for (char c : bytes)
        events += parser.feed(QByteArray(1, c));
    events += parser.finish();
    return events;
}

QJsonObject chunk(const QJsonArray& choices, const QJsonValue& usage = QJsonValue::Undefined)
{
    QJsonObject c { { u"id"_s, u"chatcmpl-1"_s }, { u"object"_s, u"chat.completion.chunk"_s },
        { u"created"_s, 1735689600 }, { u"model"_s, u"m-1"_s }, { u"system_fingerprint"_s, u"fp_1"_s },
        { u"choices"_s, choices } };
    if (!usage.isUndefined())
        c.insert(u"usage"_s, usage);
    return c;
}

QJsonObject delta(int index, const QJsonObject& d, const QJsonValue& finish = QJsonValue::Null)
{
    return QJsonObject { { u"index"_s, index }, { u"delta"_s, d }, { u"logprobs"_s, QJsonValue::Null },
        { u"finish_reason"_s, finish } };
}

QJsonObject text(const QString& content)
{
    return QJsonObject { { u"content"_s, content } };
}

} // namespace

class TestChatStream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sseEverySplitPoint();
    void sseByteByByte_data();
    void sseByteByByte();
    void sseFieldsAndComments_data();
    void sseFieldsAndComments();
    void sseFinishFlushesUnterminatedEvent();
    void sseKeepsUtf8SplitAcrossFeeds();

    void accumulatesContentAndUsage();
    void reportsOnlyNewText();
    void accumulatesReasoning();
    void mergesToolCallsByIndex();
    void keepsChoicesApart();
    void usageUnknownWithoutUsageChunk();
    void brokenStreamIsUnfinished();
    void appliesWholeCompletion();

    void parsesFixtureStreams_data();
    void parsesFixtureStreams();
};

void TestChatStream::sseEverySplitPoint()
{
    const QByteArray stream =
        "data: {\"a\":1}\n\n: keep-alive\n\ndata: {\"b\":\"x\\ny\"}\r\n\r\ndata: [DONE]\n\n";
    const QVector<QByteArray> expected { "{\"a\":1}", "{\"b\":\"x\\ny\"}", "[DONE]" };
    QCOMPARE(feedCut(stream, {}), expected);
    for (qsizetype i = 0; i <= stream.size(); ++i)
        QVERIFY2(feedCut(stream, { i }) == expected, qPrintable(u"cut at byte %1"_s.arg(i)));
    for (qsizetype i = 0; i <= stream.size(); ++i)
        for (qsizetype j = i; j <= stream.size(); j += 3)
            QVERIFY2(feedCut(stream, { i, j }) == expected, qPrintable(u"cuts at %1 and %2"_s.arg(i).arg(j)));
}

void TestChatStream::sseByteByByte_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QList<QByteArray>>("events");
    QTest::newRow("LF") << QByteArray("data: one\n\ndata: two\n\n") << QList<QByteArray> { "one", "two" };
    QTest::newRow("CRLF") << QByteArray("data: one\r\n\r\ndata: two\r\n\r\n")
                          << QList<QByteArray> { "one", "two" };
    QTest::newRow("mixed line ends") << QByteArray("data: one\r\n\ndata: two\n\r\n")
                                     << QList<QByteArray> { "one", "two" };
    QTest::newRow("CR only") << QByteArray("data: one\r\rdata: two\r\r")
                             << QList<QByteArray> { "one", "two" };
    QTest::newRow("CR only, ending without its blank line")
        << QByteArray("data: one\r\rdata: two\r") << QList<QByteArray> { "one", "two" };
    QTest::newRow("multi-line data") << QByteArray("data: {\"a\":\ndata: 1}\n\n")
                                     << QList<QByteArray> { "{\"a\":\n1}" };
}

void TestChatStream::sseByteByByte()
{
    QFETCH(QByteArray, stream);
    QFETCH(QList<QByteArray>, events);
    QCOMPARE(feedBytewise(stream), events);
    QCOMPARE(feedCut(stream, {}), events);
}

void TestChatStream::sseFieldsAndComments_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QList<QByteArray>>("events");
    QTest::newRow("comment only") << QByteArray(": ping\n\n") << QList<QByteArray> {};
    QTest::newRow("comment between data lines")
        << QByteArray("data: a\n: note\ndata: b\n\n") << QList<QByteArray> { "a\nb" };
    QTest::newRow("event, id, retry ignored")
        << QByteArray("event: message\nid: 7\nretry: 100\ndata: x\n\n") << QList<QByteArray> { "x" };
    QTest::newRow("field that starts with data") << QByteArray("database: x\n\n") << QList<QByteArray> {};
    QTest::newRow("no space after colon") << QByteArray("data:x\n\n") << QList<QByteArray> { "x" };
    QTest::newRow("only one space removed") << QByteArray("data:  x\n\n") << QList<QByteArray> { " x" };
    QTest::newRow("blank lines between events")
        << QByteArray("\n\ndata: a\n\n\n\ndata: b\n\n") << QList<QByteArray> { "a", "b" };
}

void TestChatStream::sseFieldsAndComments()
{
    QFETCH(QByteArray, stream);
    QFETCH(QList<QByteArray>, events);
    QCOMPARE(feedBytewise(stream), events);
}

void TestChatStream::sseFinishFlushesUnterminatedEvent()
{
    SseParser parser;
    QVERIFY(parser.feed("data: first\n\ndata: tail").size() == 1);
    QCOMPARE(parser.finish(), QVector<QByteArray> { "tail" });
    QVERIFY(parser.finish().isEmpty()); // nothing left twice

    SseParser lineEnded;
    QVERIFY(lineEnded.feed("data: a\n").isEmpty()); // no blank line yet: not dispatched
    QCOMPARE(lineEnded.finish(), QVector<QByteArray> { "a" });

    SseParser empty;
    QVERIFY(empty.finish().isEmpty());
}

void TestChatStream::sseKeepsUtf8SplitAcrossFeeds()
{
    const QString word = u"h\u00e9llo \U0001F30D"_s;
    const QByteArray json = QJsonDocument(text(word)).toJson(QJsonDocument::Compact);
    const QByteArray stream = "data: " + json + "\n\n";
    for (qsizetype i = 1; i < stream.size(); ++i) {
        const QVector<QByteArray> events = feedCut(stream, { i });
        QCOMPARE(events.size(), 1);
        QCOMPARE(parse(events[0]).value(u"content"_s).toString(), word);
    }
}

void TestChatStream::accumulatesContentAndUsage()
{
    ChatAccumulator acc;
    acc.applyChunk(chunk({ delta(0, QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, u""_s } }) },
        QJsonValue::Null));
    acc.applyChunk(chunk({ delta(0, text(u"Hello"_s)) }, QJsonValue::Null));
    acc.applyChunk(chunk({ delta(0, text(u", world"_s)) }, QJsonValue::Null));
    QVERIFY(!acc.finished());
    acc.applyChunk(chunk({ delta(0, QJsonObject(), u"stop"_s) }, QJsonValue::Null));
    QVERIFY(acc.finished());
    QVERIFY(!acc.usage().known()); // "usage": null until the last chunk
    acc.applyChunk(chunk({},
        QJsonObject {
            { u"prompt_tokens"_s, 12 }, { u"completion_tokens"_s, 3 }, { u"total_tokens"_s, 15 } }));

    QCOMPARE(acc.choices().size(), 1);
    QCOMPARE(acc.choices()[0].content, u"Hello, world"_s);
    QCOMPARE(acc.choices()[0].role, u"assistant"_s);
    QCOMPARE(acc.choices()[0].finishReason, u"stop"_s);
    QCOMPARE(acc.usage().promptTokens, 12);
    QCOMPARE(acc.usage().completionTokens, 3);
    QCOMPARE(acc.usage().totalTokens, 15);
    QCOMPARE(acc.responseId(), u"chatcmpl-1"_s);
    QCOMPARE(acc.model(), u"m-1"_s);

    const QJsonObject json = acc.toCompletionJson();
    QCOMPARE(json.value(u"object"_s).toString(), u"chat.completion"_s);
    QCOMPARE(json.value(u"id"_s).toString(), u"chatcmpl-1"_s);
    QCOMPARE(json.value(u"created"_s).toInteger(), 1735689600);
    QCOMPARE(json.value(u"model"_s).toString(), u"m-1"_s);
    QCOMPARE(json.value(u"system_fingerprint"_s).toString(), u"fp_1"_s);
    const QJsonObject choice = json.value(u"choices"_s).toArray().at(0).toObject();
    QCOMPARE(choice.value(u"index"_s).toInt(-1), 0);
    QCOMPARE(choice.value(u"finish_reason"_s).toString(), u"stop"_s);
    QCOMPARE(choice.value(u"message"_s).toObject(),
        (QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, u"Hello, world"_s } }));
    QCOMPARE(json.value(u"usage"_s).toObject(),
        (QJsonObject {
            { u"prompt_tokens"_s, 12 }, { u"completion_tokens"_s, 3 }, { u"total_tokens"_s, 15 } }));
}

void TestChatStream::reportsOnlyNewText()
{
    ChatAccumulator acc;
    QVERIFY(
        acc.applyChunk(
               chunk({ delta(0, QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, u""_s } }) }))
            .isEmpty());
    QVERIFY(!acc.sawContent());
    const auto added = acc.applyChunk(chunk({ delta(0, text(u"Hi"_s)) }));
    QCOMPARE(added.size(), 1);
    QCOMPARE(added[0].choice, 0);
    QCOMPARE(added[0].content, u"Hi"_s);
    QVERIFY(added[0].reasoning.isEmpty());
    QVERIFY(!added[0].toolCallsChanged);
    QVERIFY(acc.sawContent());
    QVERIFY(acc.applyChunk(chunk({ delta(0, QJsonObject(), u"stop"_s) })).isEmpty());
}

void TestChatStream::accumulatesReasoning()
{
    ChatAccumulator acc;
    const auto first =
        acc.applyChunk(chunk({ delta(0, QJsonObject { { u"reasoning_content"_s, u"Let me"_s } }) }));
    QCOMPARE(first.size(), 1);
    QCOMPARE(first[0].reasoning, u"Let me"_s);
    acc.applyChunk(chunk({ delta(0, QJsonObject { { u"reasoning"_s, u" think."_s } }) })); // vLLM's name
    acc.applyChunk(chunk({ delta(0, text(u"42"_s)) }));
    acc.applyChunk(chunk({ delta(0, QJsonObject(), u"stop"_s) }));
    QCOMPARE(acc.choices()[0].reasoning, u"Let me think."_s);
    QCOMPARE(acc.choices()[0].content, u"42"_s);
    const QJsonObject message =
        acc.toCompletionJson().value(u"choices"_s).toArray().at(0).toObject().value(u"message"_s).toObject();
    QCOMPARE(message.value(u"reasoning_content"_s).toString(), u"Let me think."_s);
    QCOMPARE(message.value(u"content"_s).toString(), u"42"_s);
}

void TestChatStream::mergesToolCallsByIndex()
{
    // OpenAI's parallel tool calls: a header delta per call, then arguments in pieces; here the
    // pieces of the two calls interleave.
    auto header = [](int index, const QString& id, const QString& name) {
        return QJsonObject { { u"tool_calls"_s,
            QJsonArray { QJsonObject { { u"index"_s, index }, { u"id"_s, id }, { u"type"_s, u"function"_s },
                { u"function"_s, QJsonObject { { u"name"_s, name }, { u"arguments"_s, u""_s } } } } } } };
    };
    auto args = [](int index, const QString& piece) {
        return QJsonObject { { u"tool_calls"_s,
            QJsonArray { QJsonObject {
                { u"index"_s, index }, { u"function"_s, QJsonObject { { u"arguments"_s, piece } } } } } } };
    };
    ChatAccumulator acc;
    QJsonObject first = header(0, u"call_a"_s, u"get_weather"_s);
    first.insert(u"role"_s, u"assistant"_s);
    first.insert(u"content"_s, QJsonValue::Null);
    const auto added = acc.applyChunk(chunk({ delta(0, first) }));
    QCOMPARE(added.size(), 1);
    QVERIFY(added[0].toolCallsChanged);
    acc.applyChunk(chunk({ delta(0, args(0, u"{\"city\":"_s)) }));
    acc.applyChunk(chunk({ delta(0, header(1, u"call_b"_s, u"get_time"_s)) }));
    acc.applyChunk(chunk({ delta(0, args(1, u"{\"tz\":\"UTC\"}"_s)) }));
    acc.applyChunk(chunk({ delta(0, args(0, u"\"Paris\"}"_s)) }));
    acc.applyChunk(chunk({ delta(0, QJsonObject(), u"tool_calls"_s) }));

    const auto& calls = acc.choices()[0].toolCalls;
    QCOMPARE(calls.size(), 2);
    QCOMPARE(calls[0].id, u"call_a"_s);
    QCOMPARE(calls[0].name, u"get_weather"_s);
    QCOMPARE(calls[0].type, u"function"_s);
    QCOMPARE(calls[0].arguments, u"{\"city\":\"Paris\"}"_s);
    QCOMPARE(calls[1].id, u"call_b"_s);
    QCOMPARE(calls[1].name, u"get_time"_s);
    QCOMPARE(calls[1].arguments, u"{\"tz\":\"UTC\"}"_s);
    QCOMPARE(acc.choices()[0].finishReason, u"tool_calls"_s);

    const QJsonObject message =
        acc.toCompletionJson().value(u"choices"_s).toArray().at(0).toObject().value(u"message"_s).toObject();
    QVERIFY(message.value(u"content"_s).isNull()); // OpenAI's shape of a tool-call answer
    const QJsonArray json = message.value(u"tool_calls"_s).toArray();
    QCOMPARE(json.size(), 2);
    QCOMPARE(json[0].toObject(),
        (QJsonObject { { u"id"_s, u"call_a"_s }, { u"type"_s, u"function"_s },
            { u"function"_s,
                QJsonObject {
                    { u"name"_s, u"get_weather"_s }, { u"arguments"_s, u"{\"city\":\"Paris\"}"_s } } } }));
}

void TestChatStream::keepsChoicesApart()
{
    ChatAccumulator acc;
    // Providers interleave choices; the first chunk may belong to any of them.
    acc.applyChunk(
        chunk({ delta(2, QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, u"C"_s } }) }));
    acc.applyChunk(
        chunk({ delta(0, QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, u"A"_s } }) }));
    acc.applyChunk(chunk({ delta(1, text(u"B"_s)) }));
    const auto added = acc.applyChunk(chunk({ delta(0, text(u"a"_s)), delta(2, text(u"c"_s)) }));
    QCOMPARE(added.size(), 2);
    QCOMPARE(added[0].choice, 0);
    QCOMPARE(added[1].choice, 2);
    acc.applyChunk(chunk({ delta(1, QJsonObject(), u"stop"_s) }));
    acc.applyChunk(chunk({ delta(0, QJsonObject(), u"length"_s) }));
    QVERIFY(!acc.finished()); // choice 2 still open
    acc.applyChunk(chunk({ delta(2, QJsonObject(), u"stop"_s) }));
    QVERIFY(acc.finished());

    QCOMPARE(acc.choices().size(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(acc.choices()[i].index, i);
    QCOMPARE(acc.choices()[0].content, u"Aa"_s);
    QCOMPARE(acc.choices()[1].content, u"B"_s);
    QCOMPARE(acc.choices()[2].content, u"Cc"_s);
    QCOMPARE(acc.choices()[0].finishReason, u"length"_s);
    const QJsonArray choices = acc.toCompletionJson().value(u"choices"_s).toArray();
    QCOMPARE(choices.size(), 3);
    QCOMPARE(choices[2].toObject().value(u"index"_s).toInt(), 2);
    QCOMPARE(choices[2].toObject().value(u"message"_s).toObject().value(u"content"_s).toString(), u"Cc"_s);
}

void TestChatStream::usageUnknownWithoutUsageChunk()
{
    ChatAccumulator acc;
    acc.applyChunk(chunk({ delta(0, text(u"x"_s)) }));
    acc.applyChunk(chunk({ delta(0, QJsonObject(), u"stop"_s) }));
    QVERIFY(!acc.usage().known());
    QCOMPARE(acc.usage().promptTokens, -1);
    QVERIFY(!acc.toCompletionJson().contains(u"usage"_s));
    // Some servers put usage on the finish chunk instead of a separate one.
    ChatAccumulator onFinish;
    onFinish.applyChunk(chunk({ delta(0, text(u"x"_s)) }));
    onFinish.applyChunk(chunk({ delta(0, QJsonObject(), u"stop"_s) },
        QJsonObject { { u"prompt_tokens"_s, 5 }, { u"completion_tokens"_s, 1 } }));
    QVERIFY(onFinish.usage().known());
    QCOMPARE(onFinish.usage().totalTokens, 6); // derived when the provider leaves it out
}

void TestChatStream::brokenStreamIsUnfinished()
{
    ChatAccumulator acc;
    QVERIFY(!acc.finished()); // nothing yet
    acc.applyChunk(chunk({ delta(0, text(u"partial"_s)) }));
    QVERIFY(!acc.finished());
    const QJsonObject choice = acc.toCompletionJson().value(u"choices"_s).toArray().at(0).toObject();
    QVERIFY(choice.value(u"finish_reason"_s).isNull());
    QCOMPARE(choice.value(u"message"_s).toObject().value(u"content"_s).toString(), u"partial"_s);
}

void TestChatStream::appliesWholeCompletion()
{
    const QJsonObject completion = parse(R"({"id": "chatcmpl-9", "object": "chat.completion",
        "created": 1735689601, "model": "gpt-4o-mini-2024-07-18", "system_fingerprint": "fp_9",
        "choices": [
          {"index": 0, "message": {"role": "assistant", "content": "Sure.", "reasoning_content": "Easy."},
           "logprobs": null, "finish_reason": "stop"},
          {"index": 1, "message": {"role": "assistant", "content": null, "tool_calls": [
             {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"x\":1}"}}]},
           "logprobs": null, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27}})");
    ChatAccumulator acc;
    acc.applyCompletion(completion);
    QVERIFY(acc.finished());
    QVERIFY(acc.sawContent());
    QCOMPARE(acc.choices().size(), 2);
    QCOMPARE(acc.choices()[0].content, u"Sure."_s);
    QCOMPARE(acc.choices()[0].reasoning, u"Easy."_s);
    QCOMPARE(acc.choices()[1].toolCalls.size(), 1);
    QCOMPARE(acc.choices()[1].toolCalls[0].arguments, u"{\"x\":1}"_s);
    QCOMPARE(acc.usage().totalTokens, 27);
    QCOMPARE(acc.model(), u"gpt-4o-mini-2024-07-18"_s);

    // Back out in the same shape (minus logprobs, which the playground does not keep).
    QJsonObject expected = completion;
    QJsonArray choices = expected.value(u"choices"_s).toArray();
    for (qsizetype i = 0; i < choices.size(); ++i) {
        QJsonObject c = choices[i].toObject();
        c.remove(u"logprobs"_s);
        choices[i] = c;
    }
    expected.insert(u"choices"_s, choices);
    QCOMPARE(acc.toCompletionJson(), expected);
}

// Real bytes from the fixture server (role chunk, deltas, finish, usage chunk, [DONE]), cut at
// every byte offset: the assembled answer and usage equal what the fixture says it sent.
void TestChatStream::parsesFixtureStreams_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("echo") << QByteArray(R"({"model": "fixture-echo", "stream": true,
        "stream_options": {"include_usage": true},
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "h\u00e9llo w\u00f6rld \ud83c\udf0d"}]})");
    QTest::newRow("n=2") << QByteArray(R"({"model": "fixture-echo", "stream": true, "n": 2,
        "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "two answers"}]})");
    QTest::newRow("tools") << QByteArray(R"({"model": "fixture-echo", "stream": true,
        "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "weather in Paris"}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}},
                  {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}]})");
    QTest::newRow("reasoning") << QByteArray(R"({"model": "fixture-reasoning", "stream": true,
        "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "why"}]})");
}

void TestChatStream::parsesFixtureStreams()
{
    QFETCH(QByteArray, request);
    OpenAIFixture fixture;
    OpenAIFixture::Options options;
    options.chunkDelayMs = 0;
    QVERIFY(fixture.start(options));
    httplib::Client http("127.0.0.1", fixture.port());
    const httplib::Headers headers { { "Authorization", "Bearer " + fixture.apiKey().toStdString() } };
    const auto res = http.Post("/v1/chat/completions", headers, request.toStdString(), "application/json");
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QVERIFY(QByteArray::fromStdString(res->get_header_value("Content-Type")).startsWith("text/event-stream"));
    const QByteArray stream = QByteArray::fromStdString(res->body);
    const QJsonObject body = parse(request);
    const QJsonArray messages = body.value(u"messages"_s).toArray();
    const auto expectedUsage = OpenAIFixture::usageFor(body);

    for (qsizetype cut = 0; cut <= stream.size(); cut += (cut < 200 ? 1 : 7)) {
        const QVector<QByteArray> events = feedCut(stream, { cut });
        QVERIFY(!events.isEmpty());
        QCOMPARE(events.last(), QByteArray("[DONE]"));
        ChatAccumulator acc;
        for (qsizetype i = 0; i + 1 < events.size(); ++i)
            acc.applyChunk(parse(events[i]));
        QVERIFY(acc.finished());
        QCOMPARE(acc.choices().size(), body.value(u"n"_s).toInt(1));
        for (const auto& choice : acc.choices()) {
            if (body.contains(u"tools"_s)) {
                QCOMPARE(choice.finishReason, u"tool_calls"_s);
                QCOMPARE(choice.toolCalls.size(), 2);
                QCOMPARE(choice.toolCalls[1].name, u"get_time"_s);
                QCOMPARE(parse(choice.toolCalls[0].arguments.toUtf8()).value(u"text"_s).toString(),
                    u"weather in Paris"_s);
                QVERIFY(choice.content.isEmpty());
            } else {
                QCOMPARE(choice.content, OpenAIFixture::replyFor(messages, choice.index));
                QCOMPARE(choice.finishReason, u"stop"_s);
            }
        }
        if (body.value(u"model"_s).toString() == u"fixture-reasoning")
            QCOMPARE(acc.choices()[0].reasoning, OpenAIFixture::reasoningFor(messages));
        QCOMPARE(acc.usage().promptTokens, expectedUsage.promptTokens);
        QCOMPARE(acc.usage().completionTokens, expectedUsage.completionTokens);
    }
}

QTEST_GUILESS_MAIN(TestChatStream)
#include "tst_chatstream.moc"
