// Call::fromJson on CallSchema JSON as the server returns it (weave-protocol.md 2.1-2.3, 4.3-4.4):
// status fallback, latency, token normalisation, costs from summary.weave.costs, valueAt paths and
// the toJson round trip.
#include "core/call.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cmath>

using namespace spindle;
using namespace Qt::StringLiterals;

namespace {

QJsonObject parseObject(const QByteArray& json)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("bad JSON in the test: %s (%s)", json.constData(), qPrintable(error.errorString()));
    return doc.object();
}

QJsonValue parseValue(const QByteArray& json)
{
    // Wrapped so that scalars parse too.
    return parseObject("{\"v\":" + json + "}").value(QLatin1String("v"));
}

qint64 msAt(const char* iso)
{
    const QDateTime t = QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs);
    if (!t.isValid())
        qFatal("bad date in the test: %s", iso);
    return t.toMSecsSinceEpoch();
}

// weave-protocol.md 2.2's example, with Anthropic-style usage and costs added.
const char* const kFull = //
    R"({)"
    R"("id": "0195f0a2-1c7e-7b21-9a8e-2d5f4c1b0a11",)"
    R"("project_id": "acme/demo",)"
    R"("op_name": "weave:///acme/demo/op/summarize:Xq3kAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abc",)"
    R"("display_name": null,)"
    R"("trace_id": "0195f0a2-1c7d-7000-8000-aaaaaaaaaaaa",)"
    R"("parent_id": null,)"
    R"("thread_id": null, "turn_id": null,)"
    R"("started_at": "2025-03-01T10:00:00.000000Z",)"
    R"("ended_at": "2025-03-01T10:00:01.250000Z",)"
    R"("attributes": {"weave": {"client_version": "0.11.1", "source": "js-sdk"}, "env": "prod"},)"
    R"("inputs": {"text": "hello", "messages": [{"role": "system", "content": "be brief"},)"
    R"({"role": "user", "content": "hi", "parts": [10, 20, 30]}],)"
    R"("config": {"temperature": 0.2, "nested": {"deep": true}}},)"
    R"("output": {"answer": "hi", "score": 0.75, "tags": ["a", "b"]},)"
    R"("exception": null,)"
    R"("summary": {)"
    R"("usage": {)"
    R"("gpt-4o": {"requests": 2, "prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},)"
    R"("claude-3-5-sonnet-20241022": {"requests": 1, "input_tokens": 50, "output_tokens": 10})"
    R"(},)"
    R"("weave": {)"
    R"("status": "success", "trace_name": "summarize", "latency_ms": 1250,)"
    R"("costs": {)"
    R"("gpt-4o": {"prompt_tokens": 100, "completion_tokens": 20, "requests": 2, "total_tokens": 120,)"
    R"("prompt_tokens_total_cost": 0.00025, "completion_tokens_total_cost": 0.0002,)"
    R"("prompt_token_cost": 2.5e-06, "completion_token_cost": 1e-05,)"
    R"("prompt_token_cost_unit": "USD", "completion_token_cost_unit": "USD",)"
    R"("effective_date": "2024-08-06 00:00:00", "provider_id": "openai",)"
    R"("pricing_level": "default", "pricing_level_id": "default",)"
    R"("created_at": "2024-08-06 00:00:00", "created_by": "system"})"
    R"(})"
    R"(})"
    R"(},)"
    R"("wb_user_id": "VXNlcjox",)"
    R"("wb_run_id": null,)"
    R"("deleted_at": null)"
    R"(})";

const ModelCost* findCost(const Call& call, const QString& model)
{
    for (const auto& cost : call.costs)
        if (cost.model == model)
            return &cost;
    return nullptr;
}

} // namespace

class TestCall : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fromJsonFields();
    void status_data();
    void status();
    void latency_data();
    void latency();
    void name_data();
    void name();
    void tokens_data();
    void tokens();
    void costs();
    void totalCost_data();
    void totalCost();
    void valueAt_data();
    void valueAt();
    void toleratesMissingKeys();
    void toJsonRoundTrip();
    void toJsonKeepsWhatTheTableDoesNotShow();
    void parseTimestamp_data();
    void parseTimestamp();
};

void TestCall::fromJsonFields()
{
    const Call call = Call::fromJson(parseObject(kFull));
    QCOMPARE(call.id, u"0195f0a2-1c7e-7b21-9a8e-2d5f4c1b0a11"_s);
    QCOMPARE(call.projectId, u"acme/demo"_s);
    QCOMPARE(call.traceId, u"0195f0a2-1c7d-7000-8000-aaaaaaaaaaaa"_s);
    QCOMPARE(call.parentId, QString());
    QVERIFY(call.isRoot());
    QCOMPARE(call.opName, u"weave:///acme/demo/op/summarize:Xq3kAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abc"_s);
    QCOMPARE(call.displayName, QString());
    QCOMPARE(call.status, u"success"_s);
    QCOMPARE(call.exception, QString());
    QCOMPARE(call.wbUserId, u"VXNlcjox"_s);
    QCOMPARE(call.startedAtMs, msAt("2025-03-01T10:00:00.000Z"));
    QVERIFY(call.endedAtMs.has_value());
    QCOMPARE(*call.endedAtMs, msAt("2025-03-01T10:00:01.250Z"));
    QVERIFY(call.latencyMs.has_value());
    QCOMPARE(*call.latencyMs, qint64(1250));
    QCOMPARE(call.inputs.value(u"text"_s).toString(), u"hello"_s);
    QCOMPARE(call.output.toObject().value(u"answer"_s).toString(), u"hi"_s);
    QCOMPARE(call.attributes.value(u"env"_s).toString(), u"prod"_s);
    QVERIFY(call.summary.contains(u"usage"_s));
    QCOMPARE(call.costs.size(), 2);
    QCOMPARE(call.name(), u"summarize"_s);

    // A child call keeps its parent.
    QJsonObject child = parseObject(kFull);
    child.insert(u"parent_id"_s, u"p-1"_s);
    const Call childCall = Call::fromJson(child);
    QCOMPARE(childCall.parentId, u"p-1"_s);
    QVERIFY(!childCall.isRoot());
}

void TestCall::status_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("status");
    const QByteArray base = R"("id":"c","started_at":"2025-03-01T10:00:00Z")";
    QTest::addRow("server success") << "{" + base
            + R"(,"ended_at":"2025-03-01T10:00:01Z","summary":{"weave":{"status":"success"}}})"
                                    << u"success"_s;
    QTest::addRow("server descendant_error") << "{" + base
            + R"(,"ended_at":"2025-03-01T10:00:01Z","summary":{"weave":{"status":"descendant_error"}}})"
                                             << u"descendant_error"_s;
    QTest::addRow("server wins over derivation")
        << "{" + base + R"(,"summary":{"weave":{"status":"error"}}})" << u"error"_s;
    QTest::addRow("missing: exception → error")
        << "{" + base + R"(,"ended_at":"2025-03-01T10:00:01Z","exception":"ValueError: boom","summary":{}})"
        << u"error"_s;
    QTest::addRow("missing: exception while running → error")
        << "{" + base + R"(,"ended_at":null,"exception":"boom"})" << u"error"_s;
    QTest::addRow("missing: ended → success")
        << "{" + base + R"(,"ended_at":"2025-03-01T10:00:01Z","exception":null,"summary":{"weave":{}}})"
        << u"success"_s;
    QTest::addRow("missing: no end → running") << "{" + base + R"(,"ended_at":null})" << u"running"_s;
    QTest::addRow("missing: no summary, no end key → running") << "{" + base + "}" << u"running"_s;
    QTest::addRow("empty status string → derived")
        << "{" + base + R"(,"ended_at":"2025-03-01T10:00:01Z","summary":{"weave":{"status":""}}})"
        << u"success"_s;
}

void TestCall::status()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, status);
    QCOMPARE(Call::fromJson(parseObject(json)).status, status);
}

void TestCall::latency_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qint64>("latency"); // -1: none
    QTest::addRow("from summary.weave")
        << QByteArray(R"({"started_at":"2025-03-01T10:00:00Z","ended_at":"2025-03-01T10:00:05Z",)"
                      R"("summary":{"weave":{"latency_ms":532}}})")
        << qint64(532);
    QTest::addRow("from the timestamps") << QByteArray(
        R"({"started_at":"2025-03-01T10:00:00.100000Z","ended_at":"2025-03-01T10:00:02.350000Z"})")
                                         << qint64(2250);
    QTest::addRow("offset timestamps")
        << QByteArray(R"({"started_at":"2025-03-01T11:00:00+01:00","ended_at":"2025-03-01T10:00:00.500Z"})")
        << qint64(500);
    QTest::addRow("running") << QByteArray(R"({"started_at":"2025-03-01T10:00:00Z","ended_at":null})")
                             << qint64(-1);
    QTest::addRow("unparsable end") << QByteArray(
        R"({"started_at":"2025-03-01T10:00:00Z","ended_at":"yesterday"})")
                                    << qint64(-1);
}

void TestCall::latency()
{
    QFETCH(QByteArray, json);
    QFETCH(qint64, latency);
    const Call call = Call::fromJson(parseObject(json));
    if (latency < 0) {
        QVERIFY(!call.latencyMs.has_value());
        QVERIFY(!call.endedAtMs.has_value());
    } else {
        QVERIFY(call.latencyMs.has_value());
        QCOMPARE(*call.latencyMs, latency);
    }
}

void TestCall::name_data()
{
    QTest::addColumn<QString>("opName");
    QTest::addColumn<QJsonValue>("displayName");
    QTest::addColumn<QString>("name");
    QTest::addRow("op ref") << u"weave:///e/p/op/my_op:abc123"_s << QJsonValue() << u"my_op"_s;
    QTest::addRow("op ref wildcard version")
        << u"weave:///e/p/op/chat.completions:*"_s << QJsonValue() << u"chat.completions"_s;
    QTest::addRow("plain op name") << u"openai.chat"_s << QJsonValue() << u"openai.chat"_s;
    QTest::addRow("display name wins")
        << u"weave:///e/p/op/my_op:abc"_s << QJsonValue(u"My run"_s) << u"My run"_s;
    QTest::addRow("empty display name falls back")
        << u"weave:///e/p/op/my_op:abc"_s << QJsonValue(u""_s) << u"my_op"_s;
}

void TestCall::name()
{
    QFETCH(QString, opName);
    QFETCH(QJsonValue, displayName);
    QFETCH(QString, name);
    QJsonObject json { { u"id"_s, u"c"_s }, { u"op_name"_s, opName } };
    if (!displayName.isUndefined())
        json.insert(u"display_name"_s, displayName);
    QCOMPARE(Call::fromJson(json).name(), name);
}

void TestCall::tokens_data()
{
    QTest::addColumn<QByteArray>("usage");
    QTest::addColumn<qint64>("prompt");
    QTest::addColumn<qint64>("completion");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<qint64>("requests");
    QTest::addRow("openai") << QByteArray(
        R"({"requests":1,"prompt_tokens":12,"completion_tokens":3,"total_tokens":15})")
                            << qint64(12) << qint64(3) << qint64(15) << qint64(1);
    QTest::addRow("anthropic, total computed")
        << QByteArray(R"({"requests":1,"input_tokens":50,"output_tokens":10})") << qint64(50) << qint64(10)
        << qint64(60) << qint64(1);
    QTest::addRow("both spellings add up")
        << QByteArray(R"({"prompt_tokens":5,"input_tokens":7,"completion_tokens":1,"output_tokens":2})")
        << qint64(12) << qint64(3) << qint64(15) << qint64(0);
    QTest::addRow("reported total kept")
        << QByteArray(R"({"prompt_tokens":5,"completion_tokens":1,"total_tokens":9})") << qint64(5)
        << qint64(1) << qint64(9) << qint64(0);
    QTest::addRow("zero total replaced")
        << QByteArray(R"({"prompt_tokens":5,"completion_tokens":1,"total_tokens":0,"requests":3})")
        << qint64(5) << qint64(1) << qint64(6) << qint64(3);
    QTest::addRow("cache details ignored")
        << QByteArray(R"({"input_tokens":40,"output_tokens":4,"cache_read_input_tokens":30,)"
                      R"("prompt_tokens_details":{"cached_tokens":30}})")
        << qint64(40) << qint64(4) << qint64(44) << qint64(0);
    QTest::addRow("empty entry") << QByteArray("{}") << qint64(0) << qint64(0) << qint64(0) << qint64(0);
}

void TestCall::tokens()
{
    QFETCH(QByteArray, usage);
    QFETCH(qint64, prompt);
    QFETCH(qint64, completion);
    QFETCH(qint64, total);
    QFETCH(qint64, requests);
    const Call call = Call::fromJson(parseObject(R"({"id":"c","summary":{"usage":{"m-1":)" + usage + "}}}"));
    QCOMPARE(call.costs.size(), 1);
    const ModelCost& cost = call.costs.first();
    QCOMPARE(cost.model, u"m-1"_s);
    QCOMPARE(cost.promptTokens, prompt);
    QCOMPARE(cost.completionTokens, completion);
    QCOMPARE(cost.totalTokens, total);
    QCOMPARE(cost.requests, requests);
    QCOMPARE(call.totalTokens(), total);
    QVERIFY(!cost.priced);
    QVERIFY(!call.totalCost().has_value());
}

void TestCall::costs()
{
    const Call call = Call::fromJson(parseObject(kFull));
    const ModelCost* gpt = findCost(call, u"gpt-4o"_s);
    const ModelCost* claude = findCost(call, u"claude-3-5-sonnet-20241022"_s);
    QVERIFY(gpt);
    QVERIFY(claude);
    QVERIFY(gpt->priced);
    QCOMPARE(gpt->promptTokens, qint64(100));
    QCOMPARE(gpt->completionTokens, qint64(20));
    QCOMPARE(gpt->totalTokens, qint64(120));
    QCOMPARE(gpt->requests, qint64(2));
    QVERIFY(std::abs(gpt->cost - 0.00045) < 1e-12);
    QVERIFY(!claude->priced); // usage without a price entry
    QCOMPARE(claude->cost, 0.0);
    QCOMPARE(claude->totalTokens, qint64(60));
    QCOMPARE(call.totalTokens(), qint64(180));
    QVERIFY(call.totalCost().has_value());
    QVERIFY(std::abs(*call.totalCost() - 0.00045) < 1e-12);
}

void TestCall::totalCost_data()
{
    QTest::addColumn<QByteArray>("summary");
    QTest::addColumn<double>("cost"); // < 0: nullopt
    QTest::addRow("no usage") << QByteArray(R"({"weave":{"status":"success"}})") << -1.0;
    QTest::addRow("empty usage") << QByteArray(R"({"usage":{}})") << -1.0;
    QTest::addRow("usage, no costs") << QByteArray(R"({"usage":{"local":{"prompt_tokens":3}}})") << -1.0;
    QTest::addRow("costs for another model only")
        << QByteArray(R"({"usage":{"local":{"prompt_tokens":3}},)"
                      R"("weave":{"costs":{"gpt-4o":{"prompt_tokens_total_cost":1.0}}}})")
        << -1.0;
    QTest::addRow("priced at zero") << QByteArray(R"({"usage":{"free":{"prompt_tokens":3}},)"
                                                  R"("weave":{"costs":{"free":{"prompt_tokens_total_cost":0,)"
                                                  R"("completion_tokens_total_cost":0}}}})")
                                    << 0.0;
    QTest::addRow("two priced models") << QByteArray(
        R"({"usage":{"a":{"prompt_tokens":1},"b":{"prompt_tokens":1}},)"
        R"("weave":{"costs":{"a":{"prompt_tokens_total_cost":0.5,"completion_tokens_total_cost":0.25},)"
        R"("b":{"prompt_tokens_total_cost":0.125}}}})")
                                       << 0.875;
    QTest::addRow("cache costs count")
        << QByteArray(R"({"usage":{"claude":{"input_tokens":100,"cache_read_input_tokens":50}},)"
                      R"("weave":{"costs":{"claude":{"prompt_tokens_total_cost":0.01,)"
                      R"("completion_tokens_total_cost":0.02,"cache_read_input_tokens_total_cost":0.004,)"
                      R"("cache_creation_input_tokens_total_cost":0.001}}}})")
        << 0.035;
}

void TestCall::totalCost()
{
    QFETCH(QByteArray, summary);
    QFETCH(double, cost);
    const Call call = Call::fromJson(parseObject(R"({"id":"c","summary":)" + summary + "}"));
    const auto total = call.totalCost();
    if (cost < 0) {
        QVERIFY2(!total.has_value(), qPrintable(QString::number(total.value_or(-1))));
    } else {
        QVERIFY(total.has_value());
        QVERIFY2(std::abs(*total - cost) < 1e-12, qPrintable(QString::number(*total, 'g', 17)));
    }
}

void TestCall::valueAt_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("expected"); // JSON; "undefined" for none
    QTest::addRow("input scalar") << u"inputs.text"_s << QByteArray(R"("hello")");
    QTest::addRow("nested object") << u"inputs.config.nested.deep"_s << QByteArray("true");
    QTest::addRow("number") << u"inputs.config.temperature"_s << QByteArray("0.2");
    QTest::addRow("array index") << u"inputs.messages.0.content"_s << QByteArray(R"("be brief")");
    QTest::addRow("second element") << u"inputs.messages.1.role"_s << QByteArray(R"("user")");
    QTest::addRow("array in array element") << u"inputs.messages.1.parts.2"_s << QByteArray("30");
    QTest::addRow("whole array") << u"output.tags"_s << QByteArray(R"(["a","b"])");
    QTest::addRow("output key") << u"output.score"_s << QByteArray("0.75");
    QTest::addRow("whole output") << u"output"_s
                                  << QByteArray(R"({"answer":"hi","score":0.75,"tags":["a","b"]})");
    QTest::addRow("attributes") << u"attributes.weave.client_version"_s << QByteArray(R"("0.11.1")");
    QTest::addRow("summary with dashed key") << u"summary.usage.gpt-4o.total_tokens"_s << QByteArray("120");
    QTest::addRow("summary.weave") << u"summary.weave.latency_ms"_s << QByteArray("1250");
    QTest::addRow("missing key") << u"inputs.nope"_s << QByteArray("undefined");
    QTest::addRow("index out of range") << u"inputs.messages.5.content"_s << QByteArray("undefined");
    QTest::addRow("negative index") << u"inputs.messages.-1"_s << QByteArray("undefined");
    QTest::addRow("non-numeric index") << u"inputs.messages.first"_s << QByteArray("undefined");
    QTest::addRow("through a scalar") << u"inputs.text.length"_s << QByteArray("undefined");
    QTest::addRow("unknown root") << u"feedback.x"_s << QByteArray("undefined");
    QTest::addRow("plain column is not a JSON path") << u"id"_s << QByteArray("undefined");
}

void TestCall::valueAt()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, expected);
    const Call call = Call::fromJson(parseObject(kFull));
    const QJsonValue value = call.valueAt(path);
    if (expected == "undefined") {
        QVERIFY2(value.isUndefined() || value.isNull(),
            qPrintable(QString::fromUtf8(QJsonDocument(QJsonObject { { u"v"_s, value } }).toJson())));
    } else {
        QCOMPARE(value, parseValue(expected));
    }
}

void TestCall::toleratesMissingKeys()
{
    // "Fields that were not requested via columns may be absent or null."
    const Call empty = Call::fromJson(QJsonObject());
    QCOMPARE(empty.id, QString());
    QCOMPARE(empty.startedAtMs, qint64(0));
    QVERIFY(!empty.endedAtMs.has_value());
    QVERIFY(!empty.latencyMs.has_value());
    QCOMPARE(empty.status, u"running"_s);
    QVERIFY(empty.costs.isEmpty());
    QCOMPARE(empty.totalTokens(), qint64(0));
    QVERIFY(!empty.totalCost().has_value());
    QVERIFY(empty.valueAt(u"inputs.x"_s).isUndefined());

    const Call scalarOutput =
        Call::fromJson(parseObject(R"({"id":"c","output":"plain text","inputs":null})"));
    QCOMPARE(scalarOutput.valueAt(u"output"_s), QJsonValue(u"plain text"_s));
    const QJsonValue throughScalar = scalarOutput.valueAt(u"output.key"_s);
    QVERIFY(throughScalar.isUndefined() || throughScalar.isNull());
    QVERIFY(scalarOutput.inputs.isEmpty());

    const Call arrayOutput = Call::fromJson(parseObject(R"({"id":"c","output":[1,[2,3]]})"));
    QCOMPARE(arrayOutput.valueAt(u"output.1.0"_s), QJsonValue(2));
}

// An export writes toJson(): the threads, the run, a newer server's fields and the microseconds
// are what the server sent, and the CallSchema's fields without a value are null.
void TestCall::toJsonKeepsWhatTheTableDoesNotShow()
{
    QJsonObject source = parseObject(kFull);
    source.insert(u"started_at"_s, u"2025-03-01T10:00:00.123456Z"_s);
    source.insert(u"ended_at"_s, u"2025-03-01T10:00:01.000789Z"_s);
    const QJsonObject kept { { u"thread_id"_s, u"thread-7"_s }, { u"turn_id"_s, u"turn-2"_s },
        { u"wb_run_id"_s, u"acme/demo/run-1"_s }, { u"wb_run_step"_s, 4 }, { u"wb_run_step_end"_s, 5 },
        { u"storage_size_bytes"_s, 1234 }, { u"a_future_field"_s, QJsonObject { { u"x"_s, 1 } } } };
    for (auto it = kept.begin(); it != kept.end(); ++it)
        source.insert(it.key(), it.value());
    const QJsonObject json = Call::fromJson(source).toJson();
    for (auto it = kept.begin(); it != kept.end(); ++it)
        QCOMPARE(json.value(it.key()), it.value());
    QCOMPARE(json.value(u"started_at"_s).toString(), u"2025-03-01T10:00:00.123456Z"_s);
    QCOMPARE(json.value(u"ended_at"_s).toString(), u"2025-03-01T10:00:01.000789Z"_s);

    const QJsonObject bare = Call::fromJson(parseObject(kFull)).toJson();
    for (const char* key :
        { "thread_id", "turn_id", "wb_run_id", "wb_run_step", "wb_run_step_end", "deleted_at" }) {
        QVERIFY2(bare.contains(QLatin1String(key)), key);
        QVERIFY2(bare.value(QLatin1String(key)).isNull(), key);
    }
}

void TestCall::toJsonRoundTrip()
{
    const QJsonObject source = parseObject(kFull);
    const Call call = Call::fromJson(source);
    const QJsonObject json = call.toJson();

    for (const char* key : { "id", "project_id", "op_name", "trace_id", "wb_user_id" })
        QCOMPARE(json.value(QLatin1String(key)), source.value(QLatin1String(key)));
    for (const char* key : { "inputs", "output", "attributes", "summary" })
        QCOMPARE(json.value(QLatin1String(key)), source.value(QLatin1String(key)));
    // Empty strings go out as null, as the server sends them.
    QVERIFY(json.value(u"parent_id"_s).isNull());
    QVERIFY(json.value(u"display_name"_s).isNull());
    QVERIFY(json.value(u"exception"_s).isNull());
    QCOMPARE(
        parseTimestampMs(json.value(u"started_at"_s).toString()), std::optional<qint64>(call.startedAtMs));
    QCOMPARE(parseTimestampMs(json.value(u"ended_at"_s).toString()), call.endedAtMs);
    QVERIFY(json.value(u"started_at"_s).toString().endsWith(QLatin1Char('Z')));

    const Call again = Call::fromJson(json);
    QCOMPARE(again.id, call.id);
    QCOMPARE(again.projectId, call.projectId);
    QCOMPARE(again.traceId, call.traceId);
    QCOMPARE(again.parentId, call.parentId);
    QCOMPARE(again.opName, call.opName);
    QCOMPARE(again.displayName, call.displayName);
    QCOMPARE(again.status, call.status);
    QCOMPARE(again.wbUserId, call.wbUserId);
    QCOMPARE(again.startedAtMs, call.startedAtMs);
    QCOMPARE(again.endedAtMs, call.endedAtMs);
    QCOMPARE(again.latencyMs, call.latencyMs);
    QCOMPARE(again.inputs, call.inputs);
    QCOMPARE(again.output, call.output);
    QCOMPARE(again.attributes, call.attributes);
    QCOMPARE(again.summary, call.summary);
    QCOMPARE(again.totalTokens(), call.totalTokens());
    QCOMPARE(again.totalCost(), call.totalCost());

    // A running, errored child call with a display name.
    QJsonObject running = source;
    running.insert(u"parent_id"_s, u"parent-1"_s);
    running.insert(u"display_name"_s, u"My run"_s);
    running.insert(u"exception"_s, u"boom"_s);
    running.insert(u"ended_at"_s, QJsonValue());
    running.remove(u"summary"_s);
    const Call child = Call::fromJson(running);
    const QJsonObject childJson = child.toJson();
    QCOMPARE(childJson.value(u"parent_id"_s), QJsonValue(u"parent-1"_s));
    QCOMPARE(childJson.value(u"display_name"_s), QJsonValue(u"My run"_s));
    QCOMPARE(childJson.value(u"exception"_s), QJsonValue(u"boom"_s));
    QVERIFY(childJson.value(u"ended_at"_s).isNull());
    const Call childAgain = Call::fromJson(childJson);
    QCOMPARE(childAgain.status, u"error"_s);
    QCOMPARE(childAgain.name(), u"My run"_s);
    QVERIFY(!childAgain.endedAtMs.has_value());
    QVERIFY(!childAgain.isRoot());
}

void TestCall::parseTimestamp_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms"); // -1: nullopt
    const qint64 base = msAt("2025-01-02T03:04:05.000Z");
    QTest::addRow("server form") << u"2025-01-02T03:04:05.123000Z"_s << base + 123;
    QTest::addRow("TS SDK form") << u"2025-01-02T03:04:05.123Z"_s << base + 123;
    QTest::addRow("no fraction") << u"2025-01-02T03:04:05Z"_s << base;
    QTest::addRow("python offset") << u"2025-01-02T03:04:05.500000+00:00"_s << base + 500;
    QTest::addRow("positive offset") << u"2025-01-02T05:04:05+02:00"_s << base;
    QTest::addRow("negative offset") << u"2025-01-01T22:04:05.250-05:00"_s << base + 250;
    QTest::addRow("naive is UTC") << u"2025-01-02T03:04:05"_s << base;
    QTest::addRow("empty") << QString() << qint64(-1);
    QTest::addRow("garbage") << u"not a date"_s << qint64(-1);
}

void TestCall::parseTimestamp()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    const auto parsed = parseTimestampMs(text);
    if (ms < 0) {
        QVERIFY(!parsed.has_value());
    } else {
        QVERIFY2(parsed.has_value(), qPrintable(text));
        QCOMPARE(*parsed, ms);
    }
}

QTEST_GUILESS_MAIN(TestCall)
#include "tst_call.moc"
