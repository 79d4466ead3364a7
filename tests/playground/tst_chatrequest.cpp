// ChatSettings / ChatRequest: the request body sends only what was set (plus stream_options when
// streaming with usage), settings survive a round trip through JSON, and "open in playground"
// reads the inputs the weave integrations log: the JS SDK's wrapOpenAI (the request object),
// the Python SDK's OpenAI patch (keyword arguments plus "self"), positional JS ops (arg0) and
// the Anthropic messages call (system prompt, content blocks, tool_use / tool_result).

#include "core/chatrequest.h"
#include "testjson.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using spindle::ChatRequest;
using spindle::chatRequestFromCallInputs;
using spindle::ChatSettings;
using spindle::test::parse;

Q_DECLARE_METATYPE(spindle::ChatSettings)

namespace {

QStringList sortedKeys(const QJsonObject& object)
{
    QStringList keys = object.keys();
    keys.sort();
    return keys;
}

const QJsonArray kMessages { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"Hi"_s } } };

const char* kWeatherTool =
    R"({"type": "function", "function": {"name": "get_weather", "description": "Weather of a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}})";

} // namespace

class TestChatRequest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bodyWithDefaults();
    void bodyWithoutStreaming();
    void bodyWithEverySetting();
    void bodySendsZeroes();
    void settingsRoundTrip_data();
    void settingsRoundTrip();
    void settingsFromOtherSpellings();

    void fromJsSdkInputs();
    void fromPythonSdkInputs();
    void fromPositionalInputs();
    void keepsContentParts();
    void fromAnthropicInputs();
    void anthropicSystemBlocks();
    void anthropicImagesAndDocuments();
    void notAChat_data();
    void notAChat();
};

void TestChatRequest::bodyWithDefaults()
{
    ChatRequest request;
    request.model = u"meta-llama/Llama-3.1-8B-Instruct"_s;
    request.messages = kMessages;
    const QJsonObject body = request.body();
    QCOMPARE(body,
        (QJsonObject { { u"model"_s, request.model }, { u"messages"_s, kMessages }, { u"stream"_s, true },
            { u"stream_options"_s, QJsonObject { { u"include_usage"_s, true } } } }));
    // Nothing the user did not set: the provider's defaults apply.
    request.includeUsage = false;
    QCOMPARE(sortedKeys(request.body()), (QStringList { u"messages"_s, u"model"_s, u"stream"_s }));
}

void TestChatRequest::bodyWithoutStreaming()
{
    ChatRequest request;
    request.model = u"m"_s;
    request.messages = kMessages;
    request.stream = false;
    request.includeUsage = true; // stream_options is only allowed with stream (OpenAI answers 400)
    QCOMPARE(sortedKeys(request.body()), (QStringList { u"messages"_s, u"model"_s }));
}

void TestChatRequest::bodyWithEverySetting()
{
    ChatRequest request;
    request.model = u"gpt-4o-mini"_s;
    request.messages = kMessages;
    request.settings.temperature = 0.7;
    request.settings.maxTokens = 256;
    request.settings.topP = 0.9;
    request.settings.frequencyPenalty = 0.5;
    request.settings.presencePenalty = -0.5;
    request.settings.stop = QStringList { u"END"_s, u"\n\n"_s };
    request.settings.seed = 42;
    request.settings.n = 3;
    request.settings.responseFormat = ChatSettings::ResponseFormat::JsonSchema;
    request.settings.jsonSchema = parse(R"({"name": "answer", "strict": true,
        "schema": {"type": "object", "properties": {"a": {"type": "number"}}}})");
    request.settings.tools = QJsonArray { parse(kWeatherTool) };
    const QJsonObject body = request.body();
    QCOMPARE(body.value(u"temperature"_s).toDouble(), 0.7);
    QCOMPARE(body.value(u"max_tokens"_s).toInt(), 256);
    QCOMPARE(body.value(u"top_p"_s).toDouble(), 0.9);
    QCOMPARE(body.value(u"frequency_penalty"_s).toDouble(), 0.5);
    QCOMPARE(body.value(u"presence_penalty"_s).toDouble(), -0.5);
    QCOMPARE(body.value(u"stop"_s).toArray(), (QJsonArray { u"END"_s, u"\n\n"_s }));
    QCOMPARE(body.value(u"seed"_s).toInteger(), qint64(42));
    QCOMPARE(body.value(u"n"_s).toInt(), 3);
    QCOMPARE(body.value(u"response_format"_s).toObject(),
        (QJsonObject { { u"type"_s, u"json_schema"_s }, { u"json_schema"_s, request.settings.jsonSchema } }));
    QCOMPARE(body.value(u"tools"_s).toArray(), request.settings.tools);
    QCOMPARE(sortedKeys(body),
        (QStringList { u"frequency_penalty"_s, u"max_tokens"_s, u"messages"_s, u"model"_s, u"n"_s,
            u"presence_penalty"_s, u"response_format"_s, u"seed"_s, u"stop"_s, u"stream"_s,
            u"stream_options"_s, u"temperature"_s, u"tools"_s, u"top_p"_s }));

    request.settings.responseFormat = ChatSettings::ResponseFormat::JsonObject;
    QCOMPARE(request.body().value(u"response_format"_s).toObject(),
        (QJsonObject { { u"type"_s, u"json_object"_s } }));
}

void TestChatRequest::bodySendsZeroes()
{
    // A setting set to 0 is a choice (greedy decoding), not "unset".
    ChatRequest request;
    request.model = u"m"_s;
    request.messages = kMessages;
    request.settings.temperature = 0.0;
    request.settings.seed = 0;
    request.settings.frequencyPenalty = 0.0;
    const QJsonObject body = request.body();
    QVERIFY(body.value(u"temperature"_s).isDouble());
    QCOMPARE(body.value(u"temperature"_s).toDouble(), 0.0);
    QVERIFY(body.value(u"seed"_s).isDouble());
    QVERIFY(body.value(u"frequency_penalty"_s).isDouble());
    QVERIFY(!body.contains(u"top_p"_s));
}

void TestChatRequest::settingsRoundTrip_data()
{
    QTest::addColumn<ChatSettings>("settings");
    QTest::newRow("defaults") << ChatSettings {};
    ChatSettings all;
    all.temperature = 1.3;
    all.maxTokens = 1000;
    all.topP = 0.25;
    all.frequencyPenalty = 1.5;
    all.presencePenalty = -2.0;
    all.stop = QStringList { u"###"_s };
    all.seed = 123456789012LL;
    all.n = 4;
    all.responseFormat = ChatSettings::ResponseFormat::JsonSchema;
    all.jsonSchema = parse(R"({"name": "s", "schema": {"type": "object"}})");
    all.tools = QJsonArray { parse(kWeatherTool) };
    QTest::newRow("everything") << all;
    ChatSettings some;
    some.temperature = 0.0;
    some.responseFormat = ChatSettings::ResponseFormat::JsonObject;
    QTest::newRow("zero temperature, json object") << some;
}

void TestChatRequest::settingsRoundTrip()
{
    QFETCH(ChatSettings, settings);
    const QJsonObject json = settings.toJson();
    QVERIFY(ChatSettings::fromJson(json) == settings);
    // Through the text a preset is stored as.
    const QJsonObject reread = QJsonDocument::fromJson(QJsonDocument(json).toJson()).object();
    QVERIFY(ChatSettings::fromJson(reread) == settings);
}

void TestChatRequest::settingsFromOtherSpellings()
{
    // stop as one string; max_completion_tokens (newer OpenAI name); integral numbers as doubles.
    const ChatSettings s =
        ChatSettings::fromJson(parse(R"({"stop": "END", "max_completion_tokens": 64, "n": 2.0, "seed": 7})"));
    QCOMPARE(s.stop, QStringList { u"END"_s });
    QCOMPARE(s.maxTokens, std::optional<int>(64));
    // Sent back under the name it came with (an o3 call opened in the playground runs again).
    QCOMPARE(s.toJson().value(u"max_completion_tokens"_s).toInt(), 64);
    QVERIFY(!s.toJson().contains(u"max_tokens"_s));
    QCOMPARE(s.n, 2);
    QCOMPARE(s.seed, std::optional<qint64>(7));
    QVERIFY(!s.temperature);
    QCOMPARE(ChatSettings::fromJson(QJsonObject()).n, 1);
}

void TestChatRequest::fromJsSdkInputs()
{
    // tests/e2e: weave.wrapOpenAI logs the request object itself as the inputs.
    const QJsonObject inputs = parse(R"({"model": "gpt-4o-mini",
        "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hi"}],
        "stream": true})");
    const auto request = chatRequestFromCallInputs(inputs);
    QVERIFY(request);
    QCOMPARE(request->model, u"gpt-4o-mini"_s);
    QCOMPARE(request->messages, inputs.value(u"messages"_s).toArray());
    QVERIFY(request->settings == ChatSettings {});
}

void TestChatRequest::fromPythonSdkInputs()
{
    // weave's Python patch of Completions.create logs the keyword arguments and "self".
    QJsonObject inputs = parse(R"({
        "self": "weave:///me/proj/object/Completions:AbCdEf",
        "model": "meta-llama/Llama-3.3-70B-Instruct",
        "messages": [{"role": "user", "content": "Weather in Paris?"},
                     {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                        "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
                     {"role": "tool", "tool_call_id": "call_1", "content": "18C"}],
        "temperature": 0.2, "max_tokens": 50, "top_p": 0.95, "n": 2, "seed": 7, "stop": ["END"],
        "stream": true, "stream_options": {"include_usage": true},
        "response_format": {"type": "json_object"}})");
    QJsonArray tools { parse(kWeatherTool) };
    inputs.insert(u"tools"_s, tools);
    const auto request = chatRequestFromCallInputs(inputs);
    QVERIFY(request);
    QCOMPARE(request->model, u"meta-llama/Llama-3.3-70B-Instruct"_s);
    QCOMPARE(request->messages, inputs.value(u"messages"_s).toArray()); // tool messages kept as they are
    const ChatSettings& s = request->settings;
    QCOMPARE(s.temperature, std::optional<double>(0.2));
    QCOMPARE(s.maxTokens, std::optional<int>(50));
    QCOMPARE(s.topP, std::optional<double>(0.95));
    QCOMPARE(s.n, 2);
    QCOMPARE(s.seed, std::optional<qint64>(7));
    QCOMPARE(s.stop, QStringList { u"END"_s });
    QVERIFY(s.responseFormat == ChatSettings::ResponseFormat::JsonObject);
    QCOMPARE(s.tools, tools);
    // The body sent from the playground asks the same thing again (without "self").
    const QJsonObject body = request->body();
    for (const QString& key : { u"model"_s, u"messages"_s, u"temperature"_s, u"max_tokens"_s, u"top_p"_s,
             u"n"_s, u"seed"_s, u"stop"_s, u"tools"_s, u"response_format"_s })
        QVERIFY2(body.value(key) == inputs.value(key), qPrintable(key));
    QVERIFY(!body.contains(u"self"_s));
}

void TestChatRequest::fromPositionalInputs()
{
    // A JS op without parameter names logs its arguments as arg0, arg1, ...
    const QJsonObject inputs = parse(R"({"arg0": {"model": "fixture-echo",
        "messages": [{"role": "user", "content": "hello"}], "temperature": 1.0}, "arg1": {"timeout": 5}})");
    const auto request = chatRequestFromCallInputs(inputs);
    QVERIFY(request);
    QCOMPARE(request->model, u"fixture-echo"_s);
    QCOMPARE(request->messages.size(), 1);
    QCOMPARE(request->settings.temperature, std::optional<double>(1.0));
}

void TestChatRequest::keepsContentParts()
{
    const QJsonObject inputs = parse(R"({"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "What is in this image?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}]})");
    const auto request = chatRequestFromCallInputs(inputs);
    QVERIFY(request);
    QCOMPARE(request->messages, inputs.value(u"messages"_s).toArray());
}

void TestChatRequest::fromAnthropicInputs()
{
    // weave's Anthropic integration logs Messages.create's keyword arguments.
    const QJsonObject inputs = parse(R"({
        "self": "weave:///me/proj/object/Messages:XyZ",
        "model": "claude-3-5-sonnet-20241022", "max_tokens": 1024, "temperature": 0.5,
        "system": "Answer in French.", "stop_sequences": ["FIN"],
        "tools": [{"name": "get_weather", "description": "Weather of a city",
                   "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}],
        "messages": [
          {"role": "user", "content": "Weather in Paris?"},
          {"role": "assistant", "content": [{"type": "text", "text": "Let me check."},
             {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
          {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"}]}]})");
    const auto request = chatRequestFromCallInputs(inputs);
    QVERIFY(request);
    QCOMPARE(request->model, u"claude-3-5-sonnet-20241022"_s);
    const QJsonArray& m = request->messages;
    QCOMPARE(m.size(), 4);
    QCOMPARE(m[0].toObject(),
        (QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, u"Answer in French."_s } }));
    QCOMPARE(m[1].toObject(),
        (QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"Weather in Paris?"_s } }));
    const QJsonObject assistant = m[2].toObject();
    QCOMPARE(assistant.value(u"role"_s).toString(), u"assistant"_s);
    QCOMPARE(assistant.value(u"content"_s).toString(), u"Let me check."_s);
    const QJsonObject call = assistant.value(u"tool_calls"_s).toArray().at(0).toObject();
    QCOMPARE(call.value(u"id"_s).toString(), u"toolu_1"_s);
    QCOMPARE(call.value(u"type"_s).toString(), u"function"_s);
    QCOMPARE(call.value(u"function"_s).toObject().value(u"name"_s).toString(), u"get_weather"_s);
    QCOMPARE(QJsonDocument::fromJson(
                 call.value(u"function"_s).toObject().value(u"arguments"_s).toString().toUtf8())
                 .object(),
        (QJsonObject { { u"city"_s, u"Paris"_s } }));
    QCOMPARE(m[3].toObject(),
        (QJsonObject {
            { u"role"_s, u"tool"_s }, { u"tool_call_id"_s, u"toolu_1"_s }, { u"content"_s, u"18C"_s } }));

    const ChatSettings& s = request->settings;
    QCOMPARE(s.maxTokens, std::optional<int>(1024));
    QCOMPARE(s.temperature, std::optional<double>(0.5));
    QCOMPARE(s.stop, QStringList { u"FIN"_s });
    QCOMPARE(s.tools.size(), 1);
    const QJsonObject function = s.tools[0].toObject().value(u"function"_s).toObject();
    QCOMPARE(s.tools[0].toObject().value(u"type"_s).toString(), u"function"_s);
    QCOMPARE(function.value(u"name"_s).toString(), u"get_weather"_s);
    QCOMPARE(function.value(u"parameters"_s).toObject(),
        inputs.value(u"tools"_s).toArray().at(0).toObject().value(u"input_schema"_s).toObject());
}

void TestChatRequest::anthropicSystemBlocks()
{
    const QJsonObject inputs = parse(R"({"model": "claude-3-haiku-20240307", "max_tokens": 10,
        "system": [{"type": "text", "text": "Be brief."}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]})");
    const auto request = chatRequestFromCallInputs(inputs);
    QVERIFY(request);
    QCOMPARE(request->messages.size(), 2);
    QCOMPARE(request->messages[0].toObject(),
        (QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, u"Be brief."_s } }));
    QCOMPARE(request->messages[1].toObject(),
        (QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"Hi"_s } }));
}

// Images and documents reach the Playground as OpenAI content parts, in the blocks' order; a
// message of only an image is kept. Nothing else in the inputs says "Anthropic" here: the blocks'
// "source" does.
void TestChatRequest::anthropicImagesAndDocuments()
{
    const QJsonObject inputs = parse(R"({"model": "claude-sonnet-4-5", "max_tokens": 100, "messages": [
        {"role": "user", "content": [
            {"type": "text", "text": "Compare"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
            {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
            {"type": "document", "title": "q3.pdf",
             "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}}]},
        {"role": "user", "content": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4A=="}}]},
        {"role": "user", "content": [{"type": "text", "text": "And this:"},
            {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "notes"}}]}]})");
    const auto request = chatRequestFromCallInputs(inputs);
    QVERIFY(request);
    QCOMPARE(request->messages.size(), 3);
    const auto image = [](const QString& url) {
        return QJsonObject { { u"type"_s, u"image_url"_s },
            { u"image_url"_s, QJsonObject { { u"url"_s, url } } } };
    };
    const QJsonArray first {
        QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, u"Compare"_s } },
        image(u"data:image/png;base64,iVBORw0KGgo="_s),
        image(u"https://example.com/cat.jpg"_s),
        QJsonObject { { u"type"_s, u"file"_s },
            { u"file"_s,
                QJsonObject { { u"filename"_s, u"q3.pdf"_s },
                    { u"file_data"_s, u"data:application/pdf;base64,JVBERi0="_s } } } },
    };
    QCOMPARE(
        request->messages[0].toObject(), (QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, first } }));
    QCOMPARE(request->messages[1].toObject(),
        (QJsonObject { { u"role"_s, u"user"_s },
            { u"content"_s, QJsonArray { image(u"data:image/jpeg;base64,/9j/4A=="_s) } } }));
    // Only text (a plain-text document among it): one string, as for any text message.
    QCOMPARE(request->messages[2].toObject(),
        (QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"And this:\nnotes"_s } }));
}

void TestChatRequest::notAChat_data()
{
    QTest::addColumn<QByteArray>("inputs");
    QTest::newRow("empty") << QByteArray("{}");
    QTest::newRow("plain op") << QByteArray(R"({"question": "hi", "arg0": 3})");
    QTest::newRow("no messages") << QByteArray(R"({"model": "gpt-4o", "prompt": "hi"})");
    QTest::newRow("empty messages") << QByteArray(R"({"model": "gpt-4o", "messages": []})");
    QTest::newRow("messages not a list") << QByteArray(R"({"model": "gpt-4o", "messages": "hi"})");
}

void TestChatRequest::notAChat()
{
    QFETCH(QByteArray, inputs);
    QVERIFY(!chatRequestFromCallInputs(QJsonDocument::fromJson(inputs).object()));
}

QTEST_GUILESS_MAIN(TestChatRequest)
#include "tst_chatrequest.moc"
