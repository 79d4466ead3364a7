// /trace/usage and /calls/usage (weave-protocol.md 2.3, 4): usage rolled up over a call's
// descendants, with costs at the prices effective at each call's start.
#include "support/statsfixture.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;
using namespace spindle::test;
using namespace spindle::test::statsfixture;

class TestUsage : public StatsTestCase
{
    Q_OBJECT

private slots:
    void traceUsageRollsUp();
    void traceUsageCosts();
    void callsUsage();
    void hugeCountsStayPositive();
    void usageBadRequests_data();
    void usageBadRequests();
};

namespace {

// root ─┬─ child (A 10/5) ── grandchild (A 1/1, B 2/2)
//       └─ running (no end yet, so no summary either)
// The root itself has A 100/50; "lonely" is another trace.
QList<CallSpec> usageTree()
{
    const auto call = [](const char* id, const char* parent, int ms, const QByteArray& usage,
                          bool ended = true) {
        CallSpec spec { .id = QString::fromLatin1(id), .traceId = u"t1"_s, .startedAt = isoAt(ms) };
        spec.parentId = QString::fromLatin1(parent);
        if (ended)
            spec.endedAt = isoAt(ms + 500);
        if (!usage.isEmpty())
            spec.summary = "{\"usage\": " + usage + "}";
        return spec;
    };
    QList<CallSpec> specs {
        call("root", "", 0,
            R"({"spindle-use-a": {"requests": 1, "prompt_tokens": 100, "completion_tokens": 50}})"),
        call("child", "root", 10,
            R"({"spindle-use-a": {"requests": 1, "prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})"),
        call("grandchild", "child", 20,
            R"({"spindle-use-a": {"requests": 1, "input_tokens": 1, "output_tokens": 1},
                "spindle-use-b": {"requests": 1, "prompt_tokens": 2, "completion_tokens": 2,
                                  "cache_read_input_tokens": 1},
                "zero-model": {"requests": 0}})"),
        call("running", "root", 30, {}, false),
        call("plain", "child", 40, {}),
    };
    CallSpec lonely { .id = u"lonely"_s, .traceId = u"t2"_s, .startedAt = isoAt(50), .endedAt = isoAt(60) };
    lonely.summary =
        R"({"usage": {"spindle-use-a": {"requests": 1, "prompt_tokens": 7, "completion_tokens": 7}}})";
    specs << lonely;
    return specs;
}

} // namespace

void TestUsage::traceUsageRollsUp()
{
    const QString p = testProject("usage");
    EXPECT_OK(m_server.logCalls(p, usageTree()));
    const Reply reply = m_server.post(
        "/trace/usage", fill(R"({"project_id": "{{p}}", "filter": {"trace_ids": ["t1"]}})", { { "p", p } }));
    EXPECT_OK(reply);
    const QJsonObject usage = reply.value(u"call_usage").toObject();
    QCOMPARE(
        usage.keys(), (QStringList { u"child"_s, u"grandchild"_s, u"plain"_s, u"root"_s, u"running"_s }));
    // Leaves: their own usage; a model with all-zero numbers is left out.
    const QJsonObject grandchild = usage.value(u"grandchild").toObject();
    QCOMPARE(grandchild.keys(), (QStringList { u"spindle-use-a"_s, u"spindle-use-b"_s }));
    QCOMPARE(grandchild[u"spindle-use-a"][u"prompt_tokens"].toInt(), 1);
    QCOMPARE(
        grandchild[u"spindle-use-a"][u"total_tokens"].toInt(), 2); // prompt + completion when not reported
    QCOMPARE(grandchild[u"spindle-use-b"][u"cache_read_input_tokens"].toInt(), 1);
    QVERIFY(grandchild[u"spindle-use-b"][u"prompt_tokens_total_cost"].isNull()); // no include_costs
    QCOMPARE(usage.value(u"plain").toObject(), QJsonObject());
    // child = own + grandchild (+ plain, which has none).
    const QJsonObject child = usage.value(u"child").toObject();
    QCOMPARE(child[u"spindle-use-a"][u"requests"].toInt(), 2);
    QCOMPARE(child[u"spindle-use-a"][u"prompt_tokens"].toInt(), 11);
    QCOMPARE(child[u"spindle-use-a"][u"completion_tokens"].toInt(), 6);
    QCOMPARE(child[u"spindle-use-a"][u"total_tokens"].toInt(), 17);
    QCOMPARE(child[u"spindle-use-b"][u"total_tokens"].toInt(), 4);
    QCOMPARE(usage.value(u"running").toObject(), QJsonObject());
    // root = everything in the trace.
    const QJsonObject root = usage.value(u"root").toObject();
    QCOMPARE(root[u"spindle-use-a"][u"requests"].toInt(), 3);
    QCOMPARE(root[u"spindle-use-a"][u"prompt_tokens"].toInt(), 111);
    QCOMPARE(root[u"spindle-use-a"][u"total_tokens"].toInt(), 167);
    QCOMPARE(root[u"spindle-use-b"][u"requests"].toInt(), 1);
    QCOMPARE(root[u"spindle-use-b"][u"prompt_tokens"].toInt(), 2);
    const QJsonObject fields = root[u"spindle-use-b"].toObject();
    for (const char* key :
        { "requests", "prompt_tokens", "completion_tokens", "total_tokens", "cache_read_input_tokens",
            "cache_creation_input_tokens", "prompt_tokens_total_cost", "completion_tokens_total_cost",
            "cache_read_input_tokens_total_cost", "cache_creation_input_tokens_total_cost" })
        QVERIFY2(fields.contains(QLatin1StringView(key)), key);
    QCOMPARE(reply.value(u"unfinished_call_ids").toArray(), QJsonArray { u"running"_s });

    // A filter that leaves out the descendants rolls up only what it matched.
    const Reply roots = m_server.post("/trace/usage",
        fill(R"({"project_id": "{{p}}", "filter": {"trace_roots_only": true}})", { { "p", p } }));
    EXPECT_OK(roots);
    const QJsonObject rootsUsage = roots.value(u"call_usage").toObject();
    QCOMPARE(rootsUsage.keys(), (QStringList { u"lonely"_s, u"root"_s }));
    QCOMPARE(rootsUsage[u"root"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 100);
    // limit: the first calls by started_at.
    const Reply limited =
        m_server.post("/trace/usage", fill(R"({"project_id": "{{p}}", "limit": 2})", { { "p", p } }));
    EXPECT_OK(limited);
    QCOMPARE(limited.value(u"call_usage").toObject().keys(), (QStringList { u"child"_s, u"root"_s }));
    QCOMPARE(limited.value(u"call_usage")[u"root"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 110);
}

void TestUsage::traceUsageCosts()
{
    const QString p = testProject("usage");
    createPrices(p,
        { { u"spindle-use-a"_s, msOf(u"2020-01-01T00:00:00Z"_s), 1e-6, 2e-6 },
            { u"spindle-use-a"_s, msOf(u"2025-01-01T00:00:00.015Z"_s), 10e-6, 20e-6 } }); // from "child" on
    EXPECT_OK(m_server.logCalls(p, usageTree()));
    const Reply reply = m_server.post("/trace/usage",
        fill(R"({"project_id": "{{p}}", "include_costs": true, "filter": {"trace_ids": ["t1"]}})",
            { { "p", p } }));
    EXPECT_OK(reply);
    const QJsonObject root = reply.value(u"call_usage")[u"root"].toObject();
    // root (started before the change): 100 × 1e-6 / 50 × 2e-6; child (before the change, 10 ms):
    // 10 × 1e-6 / 5 × 2e-6; grandchild (after): 1 × 10e-6 / 1 × 20e-6.
    EXPECT_NUMBER(
        root[u"spindle-use-a"][u"prompt_tokens_total_cost"], 100e-6 + 10e-6 + 10e-6, u"prompt cost"_s);
    EXPECT_NUMBER(root[u"spindle-use-a"][u"completion_tokens_total_cost"], 100e-6 + 10e-6 + 20e-6,
        u"completion cost"_s);
    // An unpriced model: costs are 0, not null, once include_costs is set.
    EXPECT_NUMBER(root[u"spindle-use-b"][u"prompt_tokens_total_cost"], 0, u"unpriced cost"_s);

    // Each call's own costs are what include_costs shows for it.
    const Reply call = m_server.post("/calls/query",
        fill(R"({"project_id": "{{p}}", "include_costs": true, "filter": {"call_ids": ["grandchild"]}})",
            { { "p", p } }));
    const QJsonObject own =
        call.value(u"calls")[0][u"summary"][u"weave"][u"costs"][u"spindle-use-a"].toObject();
    const QJsonObject rolled = reply.value(u"call_usage")[u"grandchild"][u"spindle-use-a"].toObject();
    EXPECT_NUMBER(rolled[u"prompt_tokens_total_cost"], own[u"prompt_tokens_total_cost"].toDouble(),
        u"own prompt cost"_s);
}

// Counts and costs past 64-bit integers stay the doubles they are (1e25 tokens of a priced model
// came back as a cost of -9223372036854775808).
void TestUsage::hugeCountsStayPositive()
{
    const QString p = testProject("huge");
    CallSpec call { .id = u"h"_s, .traceId = u"h"_s, .startedAt = isoAt(0), .endedAt = isoAt(10) };
    call.summary = R"({"usage": {"gpt-4o": {"requests": 1, "prompt_tokens": 1e25, "completion_tokens": 1}}})";
    EXPECT_OK(m_server.logCalls(p, { call }));
    const Reply reply = m_server.post("/calls/usage",
        fill(R"({"project_id": "{{p}}", "call_ids": ["h"], "include_costs": true})", { { "p", p } }));
    EXPECT_OK(reply);
    const QJsonObject usage = reply.value(u"call_usage")[u"h"][u"gpt-4o"].toObject();
    QCOMPARE(usage.value(u"prompt_tokens").toDouble(), 1e25);
    QVERIFY2(usage.value(u"prompt_tokens_total_cost").toDouble() > 1e18, reply.body.constData());
}

void TestUsage::callsUsage()
{
    const QString p = testProject("usage");
    EXPECT_OK(m_server.logCalls(p, usageTree()));
    const Reply reply = m_server.post("/calls/usage",
        fill(R"({"project_id": "{{p}}", "call_ids": ["child", "root", "no-such-call", "child"]})",
            { { "p", p } }));
    EXPECT_OK(reply);
    const QJsonObject usage = reply.value(u"call_usage").toObject();
    QCOMPARE(usage.keys(), (QStringList { u"child"_s, u"no-such-call"_s, u"root"_s }));
    QCOMPARE(usage[u"child"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 11);
    QCOMPARE(usage[u"root"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 111);
    QCOMPARE(usage[u"root"][u"spindle-use-b"][u"prompt_tokens"].toInt(), 2);
    QCOMPARE(usage.value(u"no-such-call").toObject(), QJsonObject());
    // As Weave lists them: every call of these traces still running, so a client knows root's sum
    // is not final yet (only the listed calls themselves were named).
    QCOMPARE(reply.value(u"unfinished_call_ids").toArray(), QJsonArray { u"running"_s });

    const Reply running = m_server.post("/calls/usage",
        fill(R"({"project_id": "{{p}}", "call_ids": ["running"], "include_costs": true})", { { "p", p } }));
    EXPECT_OK(running);
    QCOMPARE(running.value(u"unfinished_call_ids").toArray(), QJsonArray { u"running"_s });
    QCOMPARE(running.value(u"call_usage")[u"running"].toObject(), QJsonObject());

    // A deleted call is unknown.
    EXPECT_OK(m_server.post(
        "/calls/delete", fill(R"({"project_id": "{{p}}", "call_ids": ["grandchild"]})", { { "p", p } })));
    const Reply afterDelete = m_server.post("/calls/usage",
        fill(R"({"project_id": "{{p}}", "call_ids": ["grandchild", "child"]})", { { "p", p } }));
    EXPECT_OK(afterDelete);
    QCOMPARE(afterDelete.value(u"call_usage")[u"grandchild"].toObject(), QJsonObject());
    QCOMPARE(afterDelete.value(u"call_usage")[u"child"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 10);

    // One trace holds more calls than the limit: refuse rather than return partial sums.
    EXPECT_API_ERROR(
        m_server.post("/calls/usage",
            fill(R"({"project_id": "{{p}}", "call_ids": ["root"], "limit": 2})", { { "p", p } })),
        413);
    // Traces that only together hold more go in batches, as Weave's (this was a 413).
    const Reply batched = m_server.post("/calls/usage",
        fill(R"({"project_id": "{{p}}", "call_ids": ["root", "lonely"], "limit": 4})", { { "p", p } }));
    EXPECT_OK(batched);
    QCOMPARE(batched.value(u"call_usage")[u"lonely"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 7);
    QCOMPARE(batched.value(u"call_usage")[u"root"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 110);
    // No ids: nothing to do.
    const Reply none =
        m_server.post("/calls/usage", fill(R"({"project_id": "{{p}}", "call_ids": []})", { { "p", p } }));
    EXPECT_OK(none);
    QCOMPARE(none.value(u"call_usage").toObject(), QJsonObject());
}

void TestUsage::usageBadRequests_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("calls/usage without call_ids")
        << QByteArray("/calls/usage") << QByteArray(R"({"project_id": "u/bad"})");
    QTest::newRow("calls/usage ids not strings")
        << QByteArray("/calls/usage") << QByteArray(R"({"project_id": "u/bad", "call_ids": [1]})");
    QTest::newRow("calls/usage limit 0") << QByteArray(
        "/calls/usage") << QByteArray(R"({"project_id": "u/bad", "call_ids": ["a"], "limit": 0})");
    QTest::newRow("trace/usage negative limit")
        << QByteArray("/trace/usage") << QByteArray(R"({"project_id": "u/bad", "limit": -1})");
    QTest::newRow("trace/usage bad filter") << QByteArray(
        "/trace/usage") << QByteArray(R"({"project_id": "u/bad", "filter": {"call_ids": "a"}})");
    QTest::newRow("trace/usage include_costs not bool")
        << QByteArray("/trace/usage") << QByteArray(R"({"project_id": "u/bad", "include_costs": "yes"})");
    QTest::newRow("trace/usage no project") << QByteArray("/trace/usage") << QByteArray(R"({})");
}

void TestUsage::usageBadRequests()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    EXPECT_API_ERROR(m_server.post(path.constData(), body), 400);
}

QTEST_GUILESS_MAIN(TestUsage)
#include "tst_usage.moc"
