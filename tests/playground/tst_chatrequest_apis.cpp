// "Open in playground" from a Responses API call or a Google generate_content call: their inputs, as
// the weave integrations log them, read into the chat completions request the playground sends.

#include "core/chatrequest.h"
#include "testjson.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using spindle::chatRequestFromCallInputs;
using spindle::ChatSettings;
using spindle::test::parse;

namespace {

QJsonObject message(const QString& role, const QJsonValue& content)
{
    return { { u"role"_s, role }, { u"content"_s, content } };
}

QJsonObject textPart(const QString& text)
{
    return { { u"type"_s, u"text"_s }, { u"text"_s, text } };
}

QJsonObject imagePart(const QString& url)
{
    return { { u"type"_s, u"image_url"_s }, { u"image_url"_s, QJsonObject { { u"url"_s, url } } } };
}

QJsonObject toolCall(const QString& id, const QString& name, const QString& arguments)
{
    return { { u"id"_s, id }, { u"type"_s, u"function"_s },
        { u"function"_s, QJsonObject { { u"name"_s, name }, { u"arguments"_s, arguments } } } };
}

QJsonObject toolResult(const QString& id, const QString& content)
{
    return { { u"role"_s, u"tool"_s }, { u"tool_call_id"_s, id }, { u"content"_s, content } };
}

} // namespace

class TestChatRequestApis : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void responsesStringInput();
    void responsesItems();
    void responsesSettings();
    void geminiContents();
    void geminiBarePartsAndStrings();
    void geminiSettings();
    void parallelCallsAndOrphanResults();
    void notAChat_data();
    void notAChat();
};

void TestChatRequestApis::responsesStringInput()
{
    const auto request =
        chatRequestFromCallInputs(parse(R"({"model": "gpt-5", "instructions": "Be brief.", "input": "Hi"})"));
    QVERIFY(request);
    QCOMPARE(request->model, u"gpt-5"_s);
    QCOMPARE(request->messages,
        (QJsonArray { message(u"system"_s, u"Be brief."_s), message(u"user"_s, u"Hi"_s) }));
}

// Items as a multi-turn Responses conversation has them: a developer message, parts with an image,
// the previous reply's output items (a reasoning item, text, two function calls) and the results.
void TestChatRequestApis::responsesItems()
{
    const auto request = chatRequestFromCallInputs(parse(R"({"model": "gpt-4.1", "input": [
        {"role": "developer", "content": "Answer in French."},
        {"role": "user", "content": [{"type": "input_text", "text": "Weather here?"},
            {"type": "input_image", "image_url": "https://example.com/sky.jpg", "detail": "auto"}]},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Look it up"}]},
        {"type": "message", "role": "assistant", "id": "msg_1", "status": "completed",
         "content": [{"type": "output_text", "text": "Checking.", "annotations": []}]},
        {"type": "function_call", "call_id": "call_a", "name": "weather", "arguments": "{\"city\":\"Paris\"}"},
        {"type": "function_call", "call_id": "call_b", "name": "time", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_a", "output": "18C"},
        {"type": "function_call_output", "call_id": "call_b",
         "output": [{"type": "input_text", "text": "noon"}]},
        {"type": "web_search_call", "id": "ws_1", "status": "completed"}]})"));
    QVERIFY(request);
    QJsonObject assistant = message(u"assistant"_s, u"Checking."_s);
    assistant.insert(u"tool_calls"_s,
        QJsonArray { toolCall(u"call_a"_s, u"weather"_s, uR"({"city":"Paris"})"_s),
            toolCall(u"call_b"_s, u"time"_s, u"{}"_s) });
    const QJsonArray expected {
        message(u"system"_s, u"Answer in French."_s),
        message(u"user"_s,
            QJsonArray { textPart(u"Weather here?"_s), imagePart(u"https://example.com/sky.jpg"_s) }),
        assistant,
        toolResult(u"call_a"_s, u"18C"_s),
        toolResult(u"call_b"_s, u"noon"_s),
    };
    QCOMPARE(request->messages, expected);
}

void TestChatRequestApis::responsesSettings()
{
    const auto request = chatRequestFromCallInputs(parse(R"({"model": "o4-mini", "input": "Hi",
        "temperature": 0.3, "top_p": 0.9, "max_output_tokens": 500,
        "tools": [{"type": "web_search"},
                  {"type": "function", "name": "weather", "description": "Weather of a city",
                   "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}, "strict": true}],
        "text": {"format": {"type": "json_schema", "name": "answer", "strict": true,
                            "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}})"));
    QVERIFY(request);
    const ChatSettings& s = request->settings;
    QCOMPARE(s.temperature, std::optional<double>(0.3));
    QCOMPARE(s.topP, std::optional<double>(0.9));
    QCOMPARE(s.maxTokens, std::optional<int>(500));
    QVERIFY(s.maxTokensAsCompletionTokens); // OpenAI's reasoning models refuse max_tokens
    QCOMPARE(s.tools,
        (QJsonArray { QJsonObject { { u"type"_s, u"function"_s },
            { u"function"_s, parse(R"({"name": "weather", "description": "Weather of a city", "strict": true,
                   "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}})") } } }));
    QCOMPARE(int(s.responseFormat), int(ChatSettings::ResponseFormat::JsonSchema));
    QCOMPARE(s.jsonSchema, parse(R"({"name": "answer", "strict": true,
                  "schema": {"type": "object", "properties": {"a": {"type": "string"}}}})"));
    const auto plain = chatRequestFromCallInputs(
        parse(R"({"model": "gpt-5", "input": "Hi", "text": {"format": {"type": "json_object"}}})"));
    QVERIFY(plain);
    QCOMPARE(int(plain->settings.responseFormat), int(ChatSettings::ResponseFormat::JsonObject));
    QVERIFY(!plain->settings.maxTokens);
}

// google-genai's Contents, as weave's integration logs generate_content: a system instruction in the
// config, a model turn with a function call but no id (older models), its response, an image and a
// thought (the model's own reasoning, not sent back).
void TestChatRequestApis::geminiContents()
{
    const auto request = chatRequestFromCallInputs(parse(R"({"self": "weave:///me/p/object/Models:1",
        "model": "models/gemini-2.5-flash",
        "config": {"system_instruction": {"parts": [{"text": "Be brief."}]}},
        "contents": [
          {"role": "user", "parts": [{"text": "What is on this?"},
              {"inline_data": {"mime_type": "image/png", "data": "iVBORw0KGgo="}}]},
          {"role": "model", "parts": [{"text": "Let me look.", "thought": true},
              {"function_call": {"name": "lookup", "args": {"q": "cat"}}}]},
          {"role": "user", "parts": [{"function_response": {"name": "lookup", "response": {"hits": 3}}}]},
          {"role": "user", "parts": [{"text": "And the "}, {"text": "colour?"}]}]})"));
    QVERIFY(request);
    QCOMPARE(request->model, u"gemini-2.5-flash"_s);
    QJsonObject modelTurn = message(u"assistant"_s, QJsonValue::Null);
    modelTurn.insert(u"tool_calls"_s, QJsonArray { toolCall(u"call_1"_s, u"lookup"_s, uR"({"q":"cat"})"_s) });
    const QJsonArray expected {
        message(u"system"_s, u"Be brief."_s),
        message(u"user"_s,
            QJsonArray {
                textPart(u"What is on this?"_s), imagePart(u"data:image/png;base64,iVBORw0KGgo="_s) }),
        modelTurn,
        toolResult(u"call_1"_s, uR"({"hits":3})"_s),
        message(u"user"_s, u"And the \ncolour?"_s),
    };
    QCOMPARE(request->messages, expected);
}

// Strings and bare parts between Contents make one user message each run, as google-genai reads
// them; camelCase (JSON) as well as snake_case; a PDF as a file part, audio left out.
void TestChatRequestApis::geminiBarePartsAndStrings()
{
    const auto request = chatRequestFromCallInputs(parse(R"({"model": "gemini-2.0-flash", "contents": [
        "Summarise", {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}},
        {"inline_data": {"mime_type": "audio/mp3", "data": "SUQz"}},
        {"role": "model", "parts": [{"text": "Done."}]},
        "Shorter", {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.com/a.jpg"}}]})"));
    QVERIFY(request);
    const QJsonObject pdf { { u"type"_s, u"file"_s },
        { u"file"_s,
            QJsonObject { { u"filename"_s, u"document.pdf"_s },
                { u"file_data"_s, u"data:application/pdf;base64,JVBERi0="_s } } } };
    const QJsonArray expected {
        message(u"user"_s, QJsonArray { textPart(u"Summarise"_s), pdf }),
        message(u"assistant"_s, u"Done."_s),
        message(u"user"_s, QJsonArray { textPart(u"Shorter"_s), imagePart(u"https://example.com/a.jpg"_s) }),
    };
    QCOMPARE(request->messages, expected);
    const auto single =
        chatRequestFromCallInputs(parse(R"({"model": "gemini-2.0-flash", "contents": "Hi"})"));
    QVERIFY(single);
    QCOMPARE(single->messages, (QJsonArray { message(u"user"_s, u"Hi"_s) }));
}

void TestChatRequestApis::geminiSettings()
{
    const auto request = chatRequestFromCallInputs(parse(R"({"model": "gemini-2.5-pro", "contents": "Hi",
        "config": {"temperature": 0.2, "topP": 0.8, "maxOutputTokens": 256, "stop_sequences": ["END"],
                   "seed": 7, "candidate_count": 2, "response_mime_type": "application/json",
                   "tools": [{"function_declarations": [{"name": "lookup", "description": "Find",
                              "parameters": {"type": "object"}}]}, {"google_search": {}}]}})"));
    QVERIFY(request);
    const ChatSettings& s = request->settings;
    QCOMPARE(s.temperature, std::optional<double>(0.2));
    QCOMPARE(s.topP, std::optional<double>(0.8));
    QCOMPARE(s.maxTokens, std::optional<int>(256));
    QCOMPARE(s.stop, QStringList { u"END"_s });
    QCOMPARE(s.seed, std::optional<qint64>(7));
    QCOMPARE(s.n, 2);
    QCOMPARE(int(s.responseFormat), int(ChatSettings::ResponseFormat::JsonObject));
    QCOMPARE(s.tools,
        (QJsonArray { QJsonObject { { u"type"_s, u"function"_s },
            { u"function"_s,
                parse(
                    R"({"name": "lookup", "description": "Find", "parameters": {"type": "object"}})") } } }));
    const auto schema = chatRequestFromCallInputs(parse(R"({"model": "gemini-2.5-pro", "contents": "Hi",
        "config": {"response_mime_type": "application/json", "response_json_schema": {"type": "object"}}})"));
    QVERIFY(schema);
    QCOMPARE(int(schema->settings.responseFormat), int(ChatSettings::ResponseFormat::JsonSchema));
    QCOMPARE(schema->settings.jsonSchema, parse(R"({"name": "response", "schema": {"type": "object"}})"));
}

// Two calls of one function without ids take their two responses in order (both went to the second
// call); a call without args sends "{}" (it sent "", not JSON); a part with text and a call keeps
// both; a result whose call is not in the conversation (a Responses chat continued from a
// previous_response_id) goes as the user's text (a tool message without its call is refused).
void TestChatRequestApis::parallelCallsAndOrphanResults()
{
    const auto gemini = chatRequestFromCallInputs(parse(R"({"model": "gemini-2.5-flash", "contents": [
        {"role": "user", "parts": [{"text": "Weather in Paris and Rome?"}]},
        {"role": "model", "parts": [{"text": "Checking both.", "function_call": {"name": "weather", "args": {"city": "Paris"}}},
                                    {"function_call": {"name": "weather", "args": {"city": "Rome"}}},
                                    {"function_call": {"name": "now"}}]},
        {"role": "user", "parts": [{"function_response": {"name": "weather", "response": {"c": 18}}},
                                   {"function_response": {"name": "weather", "response": {"c": 25}}}]}]})"));
    QVERIFY(gemini);
    QJsonObject model = message(u"assistant"_s, u"Checking both."_s);
    model.insert(u"tool_calls"_s,
        QJsonArray { toolCall(u"call_1"_s, u"weather"_s, uR"({"city":"Paris"})"_s),
            toolCall(u"call_2"_s, u"weather"_s, uR"({"city":"Rome"})"_s),
            toolCall(u"call_3"_s, u"now"_s, u"{}"_s) });
    QCOMPARE(gemini->messages[1].toObject(), model);
    QCOMPARE(gemini->messages[2].toObject(), toolResult(u"call_1"_s, uR"({"c":18})"_s));
    QCOMPARE(gemini->messages[3].toObject(), toolResult(u"call_2"_s, uR"({"c":25})"_s));

    const auto continued =
        chatRequestFromCallInputs(parse(R"({"model": "gpt-5", "previous_response_id": "resp_1",
        "input": [{"type": "function_call_output", "call_id": "call_a", "output": "18C"}]})"));
    QVERIFY(continued);
    QCOMPARE(continued->messages, (QJsonArray { message(u"user"_s, u"Result of call call_a: 18C"_s) }));
}

void TestChatRequestApis::notAChat_data()
{
    QTest::addColumn<QByteArray>("inputs");
    QTest::newRow("input without a model") << QByteArray(R"({"input": "hi"})");
    QTest::newRow("no input items") << QByteArray(R"({"model": "gpt-5", "input": []})");
    QTest::newRow("only items chat completions cannot carry")
        << QByteArray(R"({"model": "gpt-5", "input": [{"type": "reasoning", "summary": []}]})");
    QTest::newRow("contents without a model") << QByteArray(R"({"contents": "hi"})");
    QTest::newRow("no contents") << QByteArray(R"({"model": "gemini-2.0-flash", "contents": []})");
    QTest::newRow("only a thought") << QByteArray(
        R"({"model": "gemini-2.0-flash", "contents": [{"role": "model",
                         "parts": [{"text": "hm", "thought": true}]}]})");
}

void TestChatRequestApis::notAChat()
{
    QFETCH(QByteArray, inputs);
    QVERIFY(!chatRequestFromCallInputs(QJsonDocument::fromJson(inputs).object()));
}

QTEST_GUILESS_MAIN(TestChatRequestApis)
#include "tst_chatrequest_apis.moc"
