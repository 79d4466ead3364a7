// chatFromCall: OpenAI and Anthropic conversations in a call's inputs (plain, content parts, tool
// calls and results, system prompts) with the reply from the output (choices, streamed chunks,
// Anthropic messages and events, bare strings), OpenAI Responses API and Google generate_content
// calls, and calls that are not chats.
#include "core/call.h"
#include "models/chatmessages.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace spindle;
using namespace spindle::models;
using namespace Qt::StringLiterals;

namespace {

Call callFrom(const QByteArray& json)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("bad JSON in the test: %s (%s)", json.constData(), qPrintable(error.errorString()));
    Call call;
    call.inputs = doc.object().value("inputs"_L1).toObject();
    call.output = doc.object().value("output"_L1);
    call.opName = doc.object().value("op_name"_L1).toString();
    return call;
}

// One line per message: `role[#toolCallId][(flags)]: text`, then one `  -> id name(args)` per tool call.
QStringList print(const ChatTranscript& transcript)
{
    QStringList lines;
    for (const ChatMessage& m : transcript.messages) {
        QStringList flags;
        if (m.fromOutput)
            flags << u"out"_s;
        if (!m.isMarkdown)
            flags << u"verbatim"_s;
        if (m.isError)
            flags << u"error"_s;
        QString line = m.role;
        if (!m.name.isEmpty())
            line += u'@' + m.name;
        if (!m.toolCallId.isEmpty())
            line += u'#' + m.toolCallId;
        if (!flags.isEmpty())
            line += u'(' + flags.join(u',') + u')';
        lines << line + u": "_s + QString(m.text).replace(u'\n', u"\\n"_s);
        for (const ToolCall& call : m.toolCalls)
            lines << u"  -> "_s + call.id + u' ' + call.name + u'(' + call.arguments + u')';
    }
    return lines;
}

} // namespace

class TestChatMessages : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void chats_data();
    void chats();
    void notChats_data();
    void notChats();
    void hugeAndOddContent();
};

void TestChatMessages::chats_data()
{
    QTest::addColumn<QByteArray>("call");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("openai plain") << R"({"inputs": {"model": "gpt-4o", "messages": [
            {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]},
        "output": {"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0,
            "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}]}})"_ba
                                  << QStringList { u"system: Be brief."_s, u"user: Hi"_s,
                                         u"assistant(out): Hello!"_s };

    QTest::addRow("openai tool calls and results")
        << R"({"inputs": {"messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp\": 22}"}]},
        "output": {"choices": [{"message": {"role": "assistant", "content": "It is 22°C in Paris."}}]}})"_ba
        << QStringList {
               u"user: Weather in Paris?"_s,
               u"assistant: "_s,
               u"  -> call_1 get_weather({\"city\":\"Paris\"})"_s,
               u"tool@get_weather#call_1(verbatim): {\"temp\": 22}"_s,
               u"assistant(out): It is 22°C in Paris."_s,
           };

    QTest::addRow("openai content parts")
        << R"({"inputs": {"messages": [{"role": "user", "name": "ann", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
            {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}]}]},
        "output": {"choices": [{"message": {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]}}]}})"_ba
        << QStringList {
               u"user@ann: What is this?\\n\\n*[image: image/png, ~9 bytes inline]*"
               u"\\n\\n*[image: https://example.com/cat.png]*\\n\\n*[audio: wav]*"_s,
               u"assistant(out): A cat."_s,
           };

    QTest::addRow("anthropic system, tool_use and tool_result")
        << R"({"inputs": {"model": "claude-3-5-sonnet",
        "system": "You are a weather bot.", "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": [{"type": "text", "text": "Let me check."},
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "22C"},
                {"type": "text", "text": "Thanks"}]}]},
        "output": {"id": "msg_1", "type": "message", "role": "assistant",
            "content": [{"type": "text", "text": "It is 22C."}], "stop_reason": "end_turn"}})"_ba
        << QStringList {
               u"system: You are a weather bot."_s,
               u"user: Weather?"_s,
               u"assistant: Let me check."_s,
               u"  -> toolu_1 get_weather({\"city\":\"Paris\"})"_s,
               u"tool@get_weather#toolu_1: 22C"_s,
               u"user: Thanks"_s,
               u"assistant(out): It is 22C."_s,
           };

    QTest::addRow("anthropic system blocks, error result, thinking")
        << R"({"inputs": {
        "system": [{"type": "text", "text": "Rule one."}, {"type": "text", "text": "Rule two."}],
        "messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "is_error": true,
            "content": [{"type": "text", "text": "boom"}, {"type": "image", "source": {"type": "base64",
            "media_type": "image/jpeg", "data": "AAAA"}}]}]}]},
        "output": {"role": "assistant", "content": [{"type": "thinking", "thinking": "hmm\nok"},
            {"type": "tool_use", "id": "t2", "name": "retry", "input": {}}]}})"_ba
        << QStringList {
               u"system: Rule one.\\n\\nRule two."_s,
               u"tool#t1(error): boom\\n\\n*[image: image/jpeg, ~3 bytes inline]*"_s,
               u"assistant(out): > hmm\\n> ok"_s,
               u"  -> t2 retry({})"_s,
           };

    QTest::addRow("output choices with tool calls")
        << R"({"inputs": {"messages": [{"role": "user", "content": "Go"}]},
        "output": {"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant",
            "content": null, "tool_calls": [
                {"id": "a", "type": "function", "function": {"name": "one", "arguments": "{}"}},
                {"id": "b", "type": "function", "function": {"name": "two", "arguments": "{\"x\":1}"}}]}}]}})"_ba
        << QStringList {
               u"user: Go"_s,
               u"assistant(out): "_s,
               u"  -> a one({})"_s,
               u"  -> b two({\"x\":1})"_s,
           };

    QTest::addRow("openai streamed chunks")
        << R"({"inputs": {"messages": [{"role": "user", "content": "Go"}]},
        "output": [
            {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}]},
            {"choices": [{"index": 0, "delta": {"content": "lo"}}]},
            {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "c1",
                "function": {"name": "f", "arguments": "{\"a\""}}]}}]},
            {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": ":1}"}}]}}]},
            {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}]})"_ba
        << QStringList { u"user: Go"_s, u"assistant(out): Hello"_s, u"  -> c1 f({\"a\":1})"_s };

    QTest::addRow("anthropic stream events")
        << R"({"inputs": {"messages": [{"role": "user", "content": "Go"}]},
        "output": [
            {"type": "message_start", "message": {"role": "assistant", "content": []}},
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi "}},
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "there"}},
            {"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "t", "name": "g", "input": {}}},
            {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"q\": "}},
            {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "2}"}},
            {"type": "message_stop"}]})"_ba
        << QStringList { u"user: Go"_s, u"assistant(out): Hi there"_s, u"  -> t g({\"q\":2})"_s };

    QTest::addRow("two choices") << R"({"inputs": {"messages": [{"role": "user", "content": "Pick"}]},
        "output": {"choices": [{"message": {"role": "assistant", "content": "A"}},
                               {"message": {"role": "assistant", "content": "B"}}]}})"_ba
                                 << QStringList { u"user: Pick"_s, u"assistant(out): A"_s,
                                        u"assistant(out): B"_s };

    QTest::addRow("legacy function_call and completion text") << R"({"inputs": {"messages": [
            {"role": "assistant", "content": null, "function_call": {"name": "f", "arguments": "{}"}},
            {"role": "function", "name": "f", "content": "done"}]},
        "output": {"choices": [{"text": "ok"}]}})"_ba
                                                              << QStringList {
                                                                     u"assistant: "_s,
                                                                     u"  ->  f({})"_s,
                                                                     u"function@f: done"_s,
                                                                     u"assistant(out): ok"_s,
                                                                 };

    QTest::addRow("string output") << R"({"inputs": {"messages": [{"role": "user", "content": "Hi"}]},
        "output": "**Hello** there"})"_ba
                                   << QStringList { u"user: Hi"_s, u"assistant(out): **Hello** there"_s };

    QTest::addRow("running call: no output yet")
        << R"({"inputs": {"messages": [{"role": "developer",
        "content": "Answer in JSON."}, {"role": "user", "content": "[1, 2]"}]}, "output": null})"_ba
        << QStringList { u"developer: Answer in JSON."_s, u"user(verbatim): [1, 2]"_s };

    QTest::addRow("refusal and unknown parts")
        << R"({"inputs": {"messages": [{"role": "user", "content": [
            {"type": "mystery", "x": 1}, {"type": "file", "file": {"filename": "a.pdf"}}, "bare string"]}]},
        "output": {"choices": [{"message": {"role": "assistant", "content": null, "refusal": "I cannot."}}]}})"_ba
        << QStringList {
               u"user: *[mystery]*\\n\\n*[file: a.pdf]*\\n\\nbare string"_s,
               u"assistant(out): I cannot."_s,
           };

    // OpenAI's Responses API, as weave logs openai.responses.create: a string input with instructions.
    QTest::addRow("responses: string input")
        << R"({"inputs": {"model": "gpt-5", "instructions": "Be brief.",
        "input": "Hi"}, "output": {"object": "response", "output": [
            {"type": "reasoning", "summary": [{"type": "summary_text", "text": "Greeting."}]},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello"}]}]}})"_ba
        << QStringList { u"system: Be brief."_s, u"user: Hi"_s, u"assistant(out): > Greeting."_s,
               u"assistant(out): Hello"_s };

    QTest::addRow("responses: items with a tool round")
        << R"({"inputs": {"model": "gpt-5", "input": [
            {"role": "user", "content": [{"type": "input_text", "text": "Weather?"},
                {"type": "input_image", "image_url": "data:image/png;base64,AAAA"}]},
            {"type": "function_call", "call_id": "fc1", "name": "weather", "arguments": "{\"city\":\"Oslo\"}"},
            {"type": "function_call_output", "call_id": "fc1", "output": "rain"}]},
        "output": {"output": [{"type": "web_search_call", "id": "ws1"},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Rain."}]}]}})"_ba
        << QStringList {
               u"user: Weather?\\n\\n*[image: image/png, ~3 bytes inline]*"_s,
               u"assistant: "_s,
               u"  -> fc1 weather({\"city\":\"Oslo\"})"_s,
               u"tool@weather#fc1: rain"_s,
               u"assistant(out): *[web_search_call]*"_s,
               u"assistant(out): Rain."_s,
           };

    // Google's generate_content, as weave logs google.genai: contents, a system instruction, candidates.
    QTest::addRow("gemini: contents and candidates")
        << R"({"inputs": {"model": "gemini-2.5-flash", "config": {"system_instruction": "Be brief."},
            "contents": [{"role": "user", "parts": [{"text": "Weather?"}]},
                {"role": "model", "parts": [{"function_call": {"id": "g1", "name": "weather", "args": {"city": "Oslo"}}}]},
                {"role": "user", "parts": [{"function_response": {"id": "g1", "name": "weather", "response": {"sky": "rain"}}}]}]},
        "output": {"candidates": [{"content": {"role": "model", "parts": [{"thought": true, "text": "Rainy."},
            {"text": "Rain."}]}}]}})"_ba
        << QStringList {
               u"system: Be brief."_s,
               u"user: Weather?"_s,
               u"model: "_s,
               u"  -> g1 weather({\"city\":\"Oslo\"})"_s,
               u"tool@weather#g1(verbatim): {\"sky\":\"rain\"}"_s,
               u"model(out): > Rainy.\\n\\nRain."_s,
           };

    QTest::addRow("responses: running, then streamed in part")
        << R"({"op_name": "weave:///e/p/op/openai.responses.create:d1", "inputs": {"model": "gpt-5",
            "input": [{"role": "user", "content": "Hi"}, "weave:///e/p/object/Other:d2"]}, "output": null})"_ba
        << QStringList { u"user: Hi"_s, u"user: weave:///e/p/object/Other:d2"_s };
    QTest::addRow("responses: a reply cut short") << R"({"inputs": {"model": "gpt-5", "input": "Hi"},
            "output": {"output": ["", "Hel"]}})"_ba
                                                  << QStringList { u"user: Hi"_s, u"assistant(out): Hel"_s };
    QTest::addRow("gemini: a string, camelCase output")
        << R"({"inputs": {"model": "gemini-2.5-flash", "contents": "Hi"},
        "output": {"candidates": [{"content": {"role": "model", "parts": [{"inlineData": {"mimeType": "image/png", "data": "AAAA"}}]}}]}})"_ba
        << QStringList { u"user: Hi"_s, u"model(out): *[media: image/png, ~3 bytes inline]*"_s };
    // A list of parts is one user message, as google-genai sends it; a Content among them splits it.
    QTest::addRow("gemini: a list of parts")
        << R"({"inputs": {"model": "gemini-2.5-flash", "contents": ["Describe", {"file_data":
            {"mime_type": "video/mp4", "file_uri": "gs://b/v.mp4"}}, "briefly",
            {"role": "model", "parts": [{"text": "Sure."}]}, "Go"]},
        "output": {"candidates": [{"content": {"role": "model", "parts": [{"text": "A cat."}]}}]}})"_ba
        << QStringList { u"user: Describe\\n\\n*[file: video/mp4 gs://b/v.mp4]*\\n\\nbriefly"_s,
               u"model: Sure."_s, u"user: Go"_s, u"model(out): A cat."_s };
}

void TestChatMessages::chats()
{
    QFETCH(QByteArray, call);
    QFETCH(QStringList, expected);
    const auto transcript = chatFromCall(callFrom(call));
    QVERIFY(transcript);
    QCOMPARE(print(*transcript), expected);
}

void TestChatMessages::notChats_data()
{
    QTest::addColumn<QByteArray>("call");
    QTest::addRow("no inputs") << R"({"inputs": {}, "output": null})"_ba;
    QTest::addRow("messages is a ref") << R"({"inputs": {"messages": "weave:///a/b/object/m:1"}})"_ba;
    QTest::addRow("empty messages") << R"({"inputs": {"messages": []}})"_ba;
    QTest::addRow("messages of numbers") << R"({"inputs": {"messages": [1, 2]}})"_ba;
    QTest::addRow("messages without roles") << R"({"inputs": {"messages": [{"content": "x"}]}})"_ba;
    QTest::addRow("role not a string") << R"({"inputs": {"messages": [{"role": 3, "content": "x"}]}})"_ba;
    QTest::addRow("prompt with choices") << R"({"inputs": {"prompt": "Hi"},
        "output": {"choices": [{"message": {"role": "assistant", "content": "Hello"}}]}})"_ba;
    QTest::addRow("plain function") << R"({"inputs": {"a": 1, "b": 2}, "output": 3})"_ba;
    // An op that merely takes `input` or `contents` names no model.
    QTest::addRow("input argument") << R"({"inputs": {"input": "Hi"}, "output": "Hello"})"_ba;
    QTest::addRow("contents argument") << R"({"inputs": {"contents": [{"parts": [{"text": "x"}]}]}})"_ba;
    QTest::addRow("model with a number input") << R"({"inputs": {"model": "m", "input": 3}})"_ba;
    // Embeddings, moderations and count_tokens take a model and an input too.
    QTest::addRow("embeddings")
        << R"({"op_name": "openai.embeddings.create", "inputs": {"model": "text-embedding-3-small",
        "input": "Hi"}, "output": {"object": "list", "data": [{"embedding": [0.1]}]}})"_ba;
    QTest::addRow("count_tokens") << R"({"inputs": {"model": "gemini-2.5-flash", "contents": "Hi"},
        "output": {"total_tokens": 3}})"_ba;
    QTest::addRow("embeddings, running") << R"({"op_name": "openai.embeddings.create",
        "inputs": {"model": "m", "input": "Hi"}, "output": null})"_ba;
}

void TestChatMessages::notChats()
{
    QFETCH(QByteArray, call);
    QVERIFY(!chatFromCall(callFrom(call)));
}

void TestChatMessages::hugeAndOddContent()
{
    // A 10 MB message and a 10 MB inline image: the text is kept whole, the image is a placeholder.
    const QString huge(10 * 1024 * 1024, u'x');
    const QString image = u"data:image/png;base64,"_s + huge;
    Call call;
    call.inputs = QJsonObject {
        { u"messages"_s,
            QJsonArray {
                QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, huge } },
                QJsonObject { { u"role"_s, u"user"_s },
                    { u"content"_s,
                        QJsonArray { QJsonObject { { u"type"_s, u"image_url"_s },
                            { u"image_url"_s, QJsonObject { { u"url"_s, image } } } } } } },
                QJsonObject {
                    { u"role"_s, u"assistant"_s }, { u"content"_s, QJsonValue(QJsonValue::Undefined) } },
                QJsonObject {
                    { u"role"_s, u"assistant"_s }, { u"content"_s, QJsonObject { { u"weird"_s, true } } } },
            } },
    };
    call.output = QJsonValue(42); // an unknown output shape adds nothing
    const auto transcript = chatFromCall(call);
    QVERIFY(transcript);
    QCOMPARE(transcript->messages.size(), 4);
    QCOMPARE(transcript->messages.at(0).text.size(), huge.size());
    QVERIFY(transcript->messages.at(1).text.size() < 100);
    QVERIFY(transcript->messages.at(2).text.isEmpty());
    QCOMPARE(transcript->messages.at(3).text, u"{\"weird\":true}"_s);
    QVERIFY(!transcript->messages.at(3).isMarkdown);
}

QTEST_GUILESS_MAIN(TestChatMessages)
#include "tst_chatmessages.moc"
