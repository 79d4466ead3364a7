// Query routes: /calls/stream_query, /calls/query and /calls/query_stats over one fixed set of
// calls. Covers every CallsFilter field, every $expr operator, field semantics (weave-protocol.md
// 3.1-3.6), sorting, paging, projection, costs, feedback and ref expansion.
#include "support/testserver.h"

#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace spindle::test;

namespace {

const QString kProject = u"q/main"_s;
const QString kOtherProject = u"q/other"_s;
const QStringList kAll { u"c1"_s, u"c2"_s, u"c3"_s, u"c4"_s, u"c5"_s, u"c6"_s };

QStringList list(std::initializer_list<const char*> ids)
{
    QStringList out;
    for (const char* id : ids)
        out << QString::fromLatin1(id);
    return out;
}

} // namespace

class TestCallsQuery : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void streamQueryIsJsonLines();
    void streamQueryEmptyResultIsEmptyBody();
    void callsQueryWrapsCalls();
    void hiddenCallsStayHidden();
    void otherProjectIsSeparate();
    void queryStats_data();
    void queryStats();
    void storageSizeFollowsACostQuery();

    void filter_data();
    void filter();
    void expr_data();
    void expr();

    void sortBy_data();
    void sortBy();
    void sortTiebreakIsIdAsc();
    void paging_data();
    void paging();

    void columnsProjection();
    void includeCosts();
    void includeFeedback();
    void expandColumns();
    void expandedPathsInQueryAndSort();

private:
    QByteArray fillVars(const char* jsonTemplate) const;
    QStringList queryIds(const QByteArray& requestBody);

    TestServer m_server;
    QString m_model1, m_model2, m_dataset, m_userId;
};

QByteArray TestCallsQuery::fillVars(const char* jsonTemplate) const
{
    return fill(jsonTemplate,
        {
            { "P", kProject },
            { "M1", m_model1 },
            { "M2", m_model2 },
            { "DS", m_dataset },
            { "U", m_userId },
            { "A1", opRef(kProject, u"alpha"_s, u"a1"_s) },
            { "A2", opRef(kProject, u"alpha"_s, u"a2"_s) },
            { "B1", opRef(kProject, u"beta"_s, u"b1"_s) },
            { "AB", opRef(kProject, u"alphabet"_s, u"ab"_s) },
        });
}

// The ids a stream_query answers, after checking that /calls/query answers the same.
QStringList TestCallsQuery::queryIds(const QByteArray& requestBody)
{
    const LinesReply lines = m_server.postLines("/calls/stream_query", requestBody);
    if (lines.status != 200) {
        qWarning().noquote() << "stream_query failed:" << lines.describe() << "request:" << requestBody;
        return { u"<HTTP %1>"_s.arg(lines.status) };
    }
    if (!lines.badLines.isEmpty())
        return { u"<bad JSONL line>"_s };
    const Reply whole = m_server.post("/calls/query", requestBody);
    if (idsOf(whole) != idsOf(lines.lines))
        return { u"<calls/query disagrees: %1>"_s.arg(idsOf(whole).join(u',')) };
    return idsOf(lines.lines);
}

void TestCallsQuery::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));

    const auto createObject = [&](const char* name, const char* val) {
        const Reply reply = m_server.post("/obj/create",
            fill(R"({"obj": {"project_id": "{{p}}", "object_id": "{{n}}", "val": {{v}}}})",
                { { "p", kProject }, { "n", QString::fromLatin1(name) },
                    { "v", QString::fromLatin1(val) } }));
        return reply.status == 200
            ? objectRef(kProject, QString::fromLatin1(name), reply.value(u"digest").toString())
            : QString();
    };
    m_model1 = createObject("model", R"({"name": "m1", "temperature": 0.5})");
    m_model2 = createObject("model", R"({"name": "m2", "temperature": 1.5})");
    m_dataset = createObject("dataset", R"({"rows": [1, 2, 3]})");
    QVERIFY(!m_model1.isEmpty() && !m_model2.isEmpty() && !m_dataset.isEmpty());
    QVERIFY(m_model1 != m_model2);

    const QString a1 = opRef(kProject, u"alpha"_s, u"a1"_s), a2 = opRef(kProject, u"alpha"_s, u"a2"_s);
    const QString b1 = opRef(kProject, u"beta"_s, u"b1"_s), ab = opRef(kProject, u"alphabet"_s, u"ab"_s);

    CallSpec c1 {
        .id = u"c1"_s, .traceId = u"T1"_s, .opName = a1, .startedAt = isoAt(0), .endedAt = isoAt(1500)
    };
    c1.inputs = fillVars(
        R"({"x": 5, "name": "Hello World", "n": 9, "flag": true, "model": "{{M1}}", "tags": ["a", "b"], "messages": [{"role": "user", "content": "first msg"}]})");
    c1.output = R"({"answer": "yes", "score": 0.5})";
    c1.attributes = R"({"env": "prod"})";
    c1.summary =
        R"({"usage": {"gpt-4o": {"requests": 1, "prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}})";
    c1.threadId = u"th1"_s, c1.turnId = u"tu1"_s, c1.wbRunId = u"q/main/run1"_s;

    CallSpec c2 { .id = u"c2"_s,
        .traceId = u"T1"_s,
        .parentId = u"c1"_s,
        .opName = a2,
        .startedAt = isoAt(1000),
        .endedAt = isoAt(1200) };
    c2.inputs = R"({"x": "5", "n": 10, "name": "hello there", "flag": false})";
    c2.exception = u"boom"_s;
    c2.attributes = R"({"env": "dev"})";
    c2.threadId = u"th1"_s, c2.turnId = u"tu2"_s, c2.wbRunId = u"q/main/run1"_s;

    CallSpec c3 {
        .id = u"c3"_s, .traceId = u"T1"_s, .parentId = u"c1"_s, .opName = b1, .startedAt = isoAt(2000)
    };
    c3.inputs = R"({"n": 100, "name": "HELLO"})";
    c3.threadId = u"th2"_s, c3.wbRunId = u"q/main/run2"_s;

    CallSpec c4 { .id = u"c4"_s,
        .traceId = u"T2"_s,
        .opName = u"plain_op"_s,
        .startedAt = isoAt(3000),
        .endedAt = isoAt(6000) };
    c4.inputs = R"({"n": "abc", "x": 5.0})";
    c4.output = R"("scalar output")";
    c4.displayName = u"Custom Name"_s;
    c4.summary = R"({"status_counts": {"success": 1, "error": 1}})";
    c4.attributes = R"({"env": "prod", "weave": {"source": "js-sdk"}})";

    CallSpec c5 {
        .id = u"c5"_s, .traceId = u"T3"_s, .opName = b1, .startedAt = isoAt(4000), .endedAt = isoAt(4050)
    };
    c5.inputs = fillVars(R"({"model": "{{M2}}", "list": ["{{DS}}"]})");
    c5.output = fillVars(R"({"result": "{{M1}}"})");

    CallSpec c6 {
        .id = u"c6"_s, .traceId = u"T4"_s, .opName = ab, .startedAt = isoAt(5000), .endedAt = isoAt(5010)
    };
    c6.inputs = R"({"n": 9.5, "name": "zeta", "note": "ÄRGER in der Straße"})";
    c6.summary = R"({"usage": {"claude-x": {"input_tokens": 3, "output_tokens": 4}}})";

    // Logged in a shuffled order: results must not depend on insertion order.
    EXPECT_OK(m_server.logCalls(kProject, { c4, c2, c6 }));
    EXPECT_OK(m_server.logCalls(kProject, { c1, c5, c3 }));

    // Invisible rows: an end without a start, and a deleted call.
    const CallSpec orphan { .id = u"c7"_s, .endedAt = isoAt(7000) };
    EXPECT_OK(m_server.post("/call/upsert_batch", batchBody({ endItem(kProject, orphan) })));
    EXPECT_OK(m_server.logCalls(kProject,
        { CallSpec { .id = u"c8"_s,
            .traceId = u"T1"_s,
            .opName = a1,
            .startedAt = isoAt(8000),
            .endedAt = isoAt(8001) } }));
    EXPECT_OK(m_server.post(
        "/calls/delete", fill(R"({"project_id": "{{p}}", "call_ids": ["c8"]})", { { "p", kProject } })));
    // Same ids in another project must never leak in.
    EXPECT_OK(m_server.logCalls(kOtherProject,
        { CallSpec { .id = u"c1"_s, .opName = a1, .startedAt = isoAt(0) },
            CallSpec { .id = u"x1"_s, .opName = a1, .startedAt = isoAt(1) } }));

    const auto feedback = [&](const char* call, const char* type, const char* payload) {
        return m_server.post("/feedback/create",
            fill(
                R"({"project_id": "{{p}}", "weave_ref": "{{r}}", "feedback_type": "{{t}}", "payload": {{pl}}})",
                { { "p", kProject }, { "r", callRef(kProject, QString::fromLatin1(call)) },
                    { "t", QString::fromLatin1(type) }, { "pl", QString::fromUtf8(payload) } }));
    };
    EXPECT_OK(feedback("c1", "custom.score", R"({"score": 0.9, "label": "good"})"));
    EXPECT_OK(feedback("c2", "custom.score", R"({"score": 0.2, "label": "bad"})"));
    EXPECT_OK(feedback("c3", "custom.link", R"({"about": "c3"})"));
    EXPECT_OK(feedback("c3", "wandb.reaction.1", "{\"emoji\": \"\xF0\x9F\x91\x8D\"}"));
    EXPECT_OK(feedback("c1", "wandb.note.1", R"({"note": "check this"})"));

    const Reply c1Read =
        m_server.post("/call/read", fill(R"({"project_id": "{{p}}", "id": "c1"})", { { "p", kProject } }));
    m_userId = c1Read.value(u"call")[u"wb_user_id"].toString();
    QVERIFY2(!m_userId.isEmpty(), qPrintable(c1Read.describe()));
}

void TestCallsQuery::cleanup()
{
    EXPECT_SERVER_HEALTHY(m_server);
}

void TestCallsQuery::streamQueryIsJsonLines()
{
    const LinesReply reply =
        m_server.postLines("/calls/stream_query", fillVars(R"({"project_id": "{{P}}"})"));
    EXPECT_OK(reply);
    QVERIFY2(reply.contentType.startsWith("application/jsonl"), reply.contentType.constData());
    QVERIFY(!reply.body.trimmed().startsWith('['));
    QVERIFY(reply.badLines.isEmpty());
    QCOMPARE(idsOf(reply.lines), kAll);
    // One object per line, each a complete call.
    QCOMPARE(reply.body.count('\n') - (reply.body.endsWith('\n') ? 1 : 0) + 1, 6);
    for (const QJsonObject& call : reply.lines) {
        QCOMPARE(call.value(u"project_id").toString(), kProject);
        QVERIFY(call.value(u"started_at").toString().endsWith(u'Z'));
        QVERIFY(call.value(u"summary")[u"weave"][u"status"].isString());
    }
}

void TestCallsQuery::streamQueryEmptyResultIsEmptyBody()
{
    const QByteArray body =
        fillVars(R"({"project_id": "{{P}}", "filter": {"call_ids": ["does-not-exist"]}})");
    const LinesReply reply = m_server.postLines("/calls/stream_query", body);
    EXPECT_OK(reply);
    QVERIFY2(reply.body.isEmpty(), reply.body.constData());
    const Reply unknownProject =
        m_server.post("/calls/stream_query", R"({"project_id": "nobody/nothing"})", {});
    EXPECT_OK(unknownProject);
    QVERIFY(unknownProject.body.isEmpty());
}

void TestCallsQuery::callsQueryWrapsCalls()
{
    const Reply reply = m_server.post("/calls/query", fillVars(R"({"project_id": "{{P}}"})"));
    EXPECT_OK(reply);
    QVERIFY(reply.json.isObject());
    QVERIFY(reply.value(u"calls").isArray());
    QCOMPARE(idsOf(reply), kAll);
    const LinesReply lines =
        m_server.postLines("/calls/stream_query", fillVars(R"({"project_id": "{{P}}"})"));
    QCOMPARE(reply.value(u"calls").toArray().first().toObject(), lines.lines.first());
    const Reply empty =
        m_server.post("/calls/query", fillVars(R"({"project_id": "{{P}}", "filter": {"call_ids": ["zz"]}})"));
    EXPECT_OK(empty);
    QCOMPARE(empty.value(u"calls").toArray(), QJsonArray());
}

void TestCallsQuery::hiddenCallsStayHidden()
{
    // c7 only has an end, c8 is deleted: no query path may return them.
    QCOMPARE(queryIds(fillVars(R"({"project_id": "{{P}}", "filter": {"call_ids": ["c7", "c8"]}})")),
        QStringList());
    QCOMPARE(
        queryIds(fillVars(R"({"project_id": "{{P}}", "filter": {"op_names": ["{{A1}}"]}})")), list({ "c1" }));
    QCOMPARE(
        queryIds(fillVars(
            R"({"project_id": "{{P}}", "query": {"$expr": {"$in": [{"$getField": "id"}, [{"$literal": "c7"}, {"$literal": "c8"}]]}}})")),
        QStringList());
    const Reply stats = m_server.post(
        "/calls/query_stats", fillVars(R"({"project_id": "{{P}}", "filter": {"trace_ids": ["T1"]}})"));
    QCOMPARE(stats.value(u"count").toInt(), 3);
}

void TestCallsQuery::otherProjectIsSeparate()
{
    QCOMPARE(queryIds(fill(R"({"project_id": "{{p}}"})", { { "p", kOtherProject } })), list({ "c1", "x1" }));
    const Reply other = m_server.post(
        "/call/read", fill(R"({"project_id": "{{p}}", "id": "c1"})", { { "p", kOtherProject } }));
    QCOMPARE(other.value(u"call")[u"project_id"].toString(), kOtherProject);
    QVERIFY(other.value(u"call")[u"ended_at"].isNull());
    QCOMPARE(queryIds(fillVars(R"({"project_id": "{{P}}", "filter": {"call_ids": ["x1"]}})")), QStringList());
}

void TestCallsQuery::queryStats_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("hasMore"); // -1: not checked (no limit given)

    QTest::newRow("all") << QByteArray(R"({"project_id": "{{P}}"})") << 6 << -1;
    QTest::newRow("roots") << QByteArray(R"({"project_id": "{{P}}", "filter": {"trace_roots_only": true}})")
                           << 4 << -1;
    QTest::newRow("query") << QByteArray(
        R"({"project_id": "{{P}}", "query": {"$expr": {"$eq": [{"$getField": "summary.weave.status"}, {"$literal": "success"}]}}})")
                           << 3 << -1;
    QTest::newRow("limit below count") << QByteArray(R"({"project_id": "{{P}}", "limit": 3})") << 3 << 1;
    QTest::newRow("limit equal to count") << QByteArray(R"({"project_id": "{{P}}", "limit": 6})") << 6 << 0;
    QTest::newRow("limit above count") << QByteArray(R"({"project_id": "{{P}}", "limit": 100})") << 6 << 0;
    // The largest limit: the count asks for one row past it, which must not overflow.
    QTest::newRow("largest limit") << QByteArray(R"({"project_id": "{{P}}", "limit": 9223372036854775807})")
                                   << 6 << 0;
    QTest::newRow("limit with filter")
        << QByteArray(R"({"project_id": "{{P}}", "filter": {"trace_ids": ["T1"]}, "limit": 2})") << 2 << 1;
    QTest::newRow("nothing") << QByteArray(R"({"project_id": "{{P}}", "filter": {"call_ids": ["none"]}})")
                             << 0 << -1;
}

void TestCallsQuery::queryStats()
{
    QFETCH(QByteArray, request);
    QFETCH(int, count);
    QFETCH(int, hasMore);
    const Reply reply = m_server.post("/calls/query_stats", fillVars(request.constData()));
    EXPECT_OK(reply);
    QVERIFY(reply.value(u"count").isDouble());
    QCOMPARE(reply.value(u"count").toInt(), count);
    if (hasMore >= 0) {
        QVERIFY2(reply.value(u"has_more").isBool(), reply.body.constData());
        QCOMPARE(reply.value(u"has_more").toBool(), hasMore == 1);
    }
}

// The storage size is summed over the query's calls, a query on the cost included (it summed 0
// bytes: the cost function was taken back after the count).
void TestCallsQuery::storageSizeFollowsACostQuery()
{
    const Reply byCost = m_server.post(
        "/calls/query_stats", fillVars(R"({"project_id": "{{P}}", "include_total_storage_size": true,
            "query": {"$expr": {"$gt": [{"$getField": "summary.weave.total_cost"}, {"$literal": 0}]}}})"));
    EXPECT_OK(byCost);
    QCOMPARE(byCost.value(u"count").toInt(), 1); // c1, the only call on a priced model
    const Reply byId = m_server.post("/calls/query_stats",
        fillVars(
            R"({"project_id": "{{P}}", "include_total_storage_size": true, "filter": {"call_ids": ["c1"]}})"));
    EXPECT_OK(byId);
    QVERIFY(byId.value(u"total_storage_size_bytes").toInt() > 0);
    QCOMPARE(
        byCost.value(u"total_storage_size_bytes").toInt(), byId.value(u"total_storage_size_bytes").toInt());
}

void TestCallsQuery::filter_data()
{
    QTest::addColumn<QByteArray>("filter");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("op_names exact") << QByteArray(R"({"op_names": ["{{A1}}"]})") << list({ "c1" });
    QTest::newRow("op_names wildcard")
        << QByteArray(R"({"op_names": ["weave:///q/main/op/alpha:*"]})") << list({ "c1", "c2" });
    QTest::newRow("op_names wildcard is not a plain prefix")
        << QByteArray(R"({"op_names": ["weave:///q/main/op/alphabet:*"]})") << list({ "c6" });
    QTest::newRow("op_names several")
        << QByteArray(R"({"op_names": ["{{B1}}", "plain_op"]})") << list({ "c3", "c4", "c5" });
    QTest::newRow("input_refs") << QByteArray(R"({"input_refs": ["{{M1}}"]})") << list({ "c1" });
    QTest::newRow("input_refs inside a list")
        << QByteArray(R"({"input_refs": ["{{DS}}"]})") << list({ "c5" });
    QTest::newRow("input_refs wildcard")
        << QByteArray(R"({"input_refs": ["weave:///q/main/object/model:*"]})") << list({ "c1", "c5" });
    QTest::newRow("output_refs") << QByteArray(R"({"output_refs": ["{{M1}}"]})") << list({ "c5" });
    QTest::newRow("output_refs none") << QByteArray(R"({"output_refs": ["{{M2}}"]})") << QStringList();
    QTest::newRow("parent_ids") << QByteArray(R"({"parent_ids": ["c1"]})") << list({ "c2", "c3" });
    QTest::newRow("trace_ids") << QByteArray(R"({"trace_ids": ["T1"]})") << list({ "c1", "c2", "c3" });
    QTest::newRow("trace_ids several")
        << QByteArray(R"({"trace_ids": ["T4", "T2"]})") << list({ "c4", "c6" });
    QTest::newRow("call_ids") << QByteArray(R"({"call_ids": ["c6", "c4", "nope"]})") << list({ "c4", "c6" });
    QTest::newRow("thread_ids") << QByteArray(R"({"thread_ids": ["th1"]})") << list({ "c1", "c2" });
    QTest::newRow("turn_ids") << QByteArray(R"({"turn_ids": ["tu2"]})") << list({ "c2" });
    QTest::newRow("wb_user_ids") << QByteArray(R"({"wb_user_ids": ["{{U}}"]})") << kAll;
    QTest::newRow("wb_user_ids other user")
        << QByteArray(R"({"wb_user_ids": ["someone-else"]})") << QStringList();
    QTest::newRow("wb_run_ids") << QByteArray(R"({"wb_run_ids": ["q/main/run1"]})") << list({ "c1", "c2" });
    QTest::newRow("wb_run_ids other run")
        << QByteArray(R"({"wb_run_ids": ["q/main/run2"]})") << list({ "c3" });
    QTest::newRow("trace_roots_only")
        << QByteArray(R"({"trace_roots_only": true})") << list({ "c1", "c4", "c5", "c6" });
    QTest::newRow("trace_roots_only false") << QByteArray(R"({"trace_roots_only": false})") << kAll;
    QTest::newRow("fields are ANDed")
        << QByteArray(R"({"trace_ids": ["T1"], "trace_roots_only": true})") << list({ "c1" });
    QTest::newRow("three fields") << QByteArray(
        R"({"op_names": ["weave:///q/main/op/alpha:*"], "thread_ids": ["th1"], "turn_ids": ["tu1"]})")
                                  << list({ "c1" });
    QTest::newRow("empty filter") << QByteArray("{}") << kAll;
}

void TestCallsQuery::filter()
{
    QFETCH(QByteArray, filter);
    QFETCH(QStringList, expected);
    const QByteArray body =
        fillVars(QByteArray(R"({"project_id": "{{P}}", "filter": )" + filter + "}").constData());
    QCOMPARE(queryIds(body), expected);
    const Reply stats = m_server.post("/calls/query_stats", body);
    QCOMPARE(stats.value(u"count").toInt(), expected.size());
}

void TestCallsQuery::expr_data()
{
    QTest::addColumn<QByteArray>("expr");
    QTest::addColumn<QStringList>("expected");

    const auto row = [](const char* tag, const char* expr, const QStringList& expected) {
        QTest::newRow(tag) << QByteArray(expr) << expected;
    };
    // Dynamic fields compare as strings; a numeric literal compares numerically (3.3).
    row("eq string literal matches int 5 and 5.0",
        R"({"$eq": [{"$getField": "inputs.x"}, {"$literal": "5"}]})", list({ "c1", "c2", "c4" }));
    row("eq numeric literal", R"({"$eq": [{"$getField": "inputs.x"}, {"$literal": 5}]})",
        list({ "c1", "c2", "c4" }));
    row("gt numeric literal", R"({"$gt": [{"$getField": "inputs.n"}, {"$literal": 9}]})",
        list({ "c2", "c3", "c6" }));
    row("gt string literal compares text", R"({"$gt": [{"$getField": "inputs.n"}, {"$literal": "9"}]})",
        list({ "c4", "c6" }));
    row("gte", R"({"$gte": [{"$getField": "inputs.n"}, {"$literal": 10}]})", list({ "c2", "c3" }));
    row("lt", R"({"$lt": [{"$getField": "inputs.n"}, {"$literal": 10}]})", list({ "c1", "c6" }));
    row("lte", R"({"$lte": [{"$getField": "inputs.n"}, {"$literal": 9.5}]})", list({ "c1", "c6" }));
    // Three-valued logic: "abc" and a missing value are NULL as numbers, and NOT NULL is no match.
    row("not of NULL is not a match", R"({"$not": [{"$gt": [{"$getField": "inputs.n"}, {"$literal": 9}]}]})",
        list({ "c1" }));
    row("in numeric literals",
        R"({"$in": [{"$getField": "inputs.n"}, [{"$literal": 9}, {"$literal": 100}]]})",
        list({ "c1", "c3" }));
    row("eq bool literal", R"({"$eq": [{"$getField": "inputs.flag"}, {"$literal": true}]})", list({ "c1" }));
    row("not gte is lt (UI form)",
        R"({"$not": [{"$gte": [{"$convert": {"input": {"$getField": "inputs.n"}, "to": "double"}}, {"$literal": 10}]}]})",
        list({ "c1", "c6" }));
    row("convert double",
        R"({"$gt": [{"$convert": {"input": {"$getField": "inputs.n"}, "to": "double"}}, {"$literal": 9}]})",
        list({ "c2", "c3", "c6" }));
    row("convert int",
        R"({"$eq": [{"$convert": {"input": {"$getField": "inputs.n"}, "to": "int"}}, {"$literal": 10}]})",
        list({ "c2" }));
    row("convert int gte",
        R"({"$gte": [{"$convert": {"input": {"$getField": "inputs.n"}, "to": "int"}}, {"$literal": 10}]})",
        list({ "c2", "c3" }));
    row("convert string",
        R"({"$eq": [{"$convert": {"input": {"$getField": "inputs.flag"}, "to": "string"}}, {"$literal": "true"}]})",
        list({ "c1" }));
    row("convert bool",
        R"({"$eq": [{"$convert": {"input": {"$getField": "inputs.flag"}, "to": "bool"}}, {"$literal": true}]})",
        list({ "c1" }));
    row("convert exists",
        R"({"$eq": [{"$convert": {"input": {"$getField": "inputs.model"}, "to": "exists"}}, {"$literal": true}]})",
        list({ "c1", "c5" }));
    row("not exists",
        R"({"$not": [{"$eq": [{"$convert": {"input": {"$getField": "inputs.model"}, "to": "exists"}}, {"$literal": true}]}]})",
        list({ "c2", "c3", "c4", "c6" }));
    row("missing is empty string", R"({"$eq": [{"$getField": "inputs.n"}, {"$literal": ""}]})",
        list({ "c5" }));
    row("bool as string", R"({"$eq": [{"$getField": "inputs.flag"}, {"$literal": "false"}]})",
        list({ "c2" }));
    row("array index path",
        R"({"$eq": [{"$getField": "inputs.messages.0.content"}, {"$literal": "first msg"}]})",
        list({ "c1" }));
    row("array as compact json", R"({"$eq": [{"$getField": "inputs.tags"}, {"$literal": "[\"a\",\"b\"]"}]})",
        list({ "c1" }));
    row("scalar output", R"({"$eq": [{"$getField": "output"}, {"$literal": "scalar output"}]})",
        list({ "c4" }));
    row("output key", R"({"$eq": [{"$getField": "output.answer"}, {"$literal": "yes"}]})", list({ "c1" }));
    row("float text", R"({"$eq": [{"$getField": "output.score"}, {"$literal": "0.5"}]})", list({ "c1" }));
    row("attributes path", R"({"$eq": [{"$getField": "attributes.weave.source"}, {"$literal": "js-sdk"}]})",
        list({ "c4" }));
    row("summary usage path with dash",
        R"({"$gt": [{"$getField": "summary.usage.gpt-4o.total_tokens"}, {"$literal": 10}]})", list({ "c1" }));
    row("contains case-sensitive",
        R"({"$contains": {"input": {"$getField": "inputs.name"}, "substr": {"$literal": "Hello"}}})",
        list({ "c1" }));
    row("contains case_insensitive",
        R"({"$contains": {"input": {"$getField": "inputs.name"}, "substr": {"$literal": "hello"}, "case_insensitive": true}})",
        list({ "c1", "c2", "c3" }));
    // Not only ASCII: Ä matches ä, as Weave's own case-insensitive search does.
    row("contains case_insensitive beyond ASCII",
        R"({"$contains": {"input": {"$getField": "inputs.note"}, "substr": {"$literal": "ärger"}, "case_insensitive": true}})",
        list({ "c6" }));
    // An ASCII needle in text with other letters; then simple case folding, as Qt's: ß is not SS.
    row("contains case_insensitive, an ASCII needle in other text",
        R"({"$contains": {"input": {"$getField": "inputs.note"}, "substr": {"$literal": "IN DER"}, "case_insensitive": true}})",
        list({ "c6" }));
    row("contains case_insensitive beyond ASCII, in the text",
        R"({"$contains": {"input": {"$getField": "inputs.note"}, "substr": {"$literal": "STRASSE"}, "case_insensitive": true}})",
        QStringList());
    row("contains case_insensitive false",
        R"({"$contains": {"input": {"$getField": "inputs.name"}, "substr": {"$literal": "HELLO"}, "case_insensitive": false}})",
        list({ "c3" }));
    row("contains on plain column",
        R"({"$contains": {"input": {"$getField": "op_name"}, "substr": {"$literal": "/op/beta:"}}})",
        list({ "c3", "c5" }));
    row("in dynamic",
        R"({"$in": [{"$getField": "inputs.name"}, [{"$literal": "zeta"}, {"$literal": "HELLO"}]]})",
        list({ "c3", "c6" }));
    row("in plain column", R"({"$in": [{"$getField": "id"}, [{"$literal": "c5"}, {"$literal": "c2"}]]})",
        list({ "c2", "c5" }));
    row("and",
        R"({"$and": [{"$eq": [{"$getField": "attributes.env"}, {"$literal": "prod"}]}, {"$gt": [{"$getField": "inputs.n"}, {"$literal": 5}]}]})",
        list({ "c1" }));
    row("or",
        R"({"$or": [{"$eq": [{"$getField": "id"}, {"$literal": "c2"}]}, {"$eq": [{"$getField": "id"}, {"$literal": "c6"}]}]})",
        list({ "c2", "c6" }));
    row("not", R"({"$not": [{"$eq": [{"$getField": "attributes.env"}, {"$literal": "prod"}]}]})",
        list({ "c2", "c3", "c5", "c6" }));
    row("nested and/or",
        R"({"$or": [{"$and": [{"$eq": [{"$getField": "summary.weave.status"}, {"$literal": "success"}]}, {"$gt": [{"$getField": "inputs.n"}, {"$literal": 9}]}]}, {"$eq": [{"$getField": "id"}, {"$literal": "c4"}]}]})",
        list({ "c4", "c6" }));
    row("literal on the left", R"({"$eq": [{"$literal": "boom"}, {"$getField": "exception"}]})",
        list({ "c2" }));
    // Plain columns.
    row("op_name", R"({"$eq": [{"$getField": "op_name"}, {"$literal": "plain_op"}]})", list({ "c4" }));
    row("display_name", R"({"$eq": [{"$getField": "display_name"}, {"$literal": "Custom Name"}]})",
        list({ "c4" }));
    row("trace_id", R"({"$eq": [{"$getField": "trace_id"}, {"$literal": "T1"}]})",
        list({ "c1", "c2", "c3" }));
    row("wb_run_id", R"({"$eq": [{"$getField": "wb_run_id"}, {"$literal": "q/main/run2"}]})", list({ "c3" }));
    row("thread_id", R"({"$eq": [{"$getField": "thread_id"}, {"$literal": "th2"}]})", list({ "c3" }));
    row("null literal means IS NULL", R"({"$eq": [{"$getField": "parent_id"}, {"$literal": null}]})",
        list({ "c1", "c4", "c5", "c6" }));
    row("not null", R"({"$not": [{"$eq": [{"$getField": "parent_id"}, {"$literal": null}]}]})",
        list({ "c2", "c3" }));
    row("ended_at null", R"({"$eq": [{"$getField": "ended_at"}, {"$literal": null}]})", list({ "c3" }));
    row("display_name null", R"({"$eq": [{"$getField": "display_name"}, {"$literal": null}]})",
        list({ "c1", "c2", "c3", "c5", "c6" }));
    row("exception", R"({"$eq": [{"$getField": "exception"}, {"$literal": "boom"}]})", list({ "c2" }));
    // A text column without a value is empty, as a missing JSON field is: "is empty" finds it, and
    // "is not" keeps it (NULL = 'x' is NULL, and NOT NULL would leave it out).
    row("empty column is NULL too", R"({"$eq": [{"$getField": "display_name"}, {"$literal": ""}]})",
        list({ "c1", "c2", "c3", "c5", "c6" }));
    row("not empty column", R"({"$not": [{"$eq": [{"$getField": "exception"}, {"$literal": ""}]}]})",
        list({ "c2" }));
    row("not equal keeps NULL",
        R"({"$not": [{"$eq": [{"$getField": "display_name"}, {"$literal": "Custom Name"}]}]})",
        list({ "c1", "c2", "c3", "c5", "c6" }));
    row("literal on the left, not",
        R"({"$not": [{"$eq": [{"$literal": "boom"}, {"$getField": "exception"}]}]})",
        list({ "c1", "c3", "c4", "c5", "c6" }));
    // Computed summary fields.
    row("status error", R"({"$eq": [{"$getField": "summary.weave.status"}, {"$literal": "error"}]})",
        list({ "c2" }));
    row("status running", R"({"$eq": [{"$getField": "summary.weave.status"}, {"$literal": "running"}]})",
        list({ "c3" }));
    row("status descendant_error",
        R"({"$eq": [{"$getField": "summary.weave.status"}, {"$literal": "descendant_error"}]})",
        list({ "c4" }));
    row("status success", R"({"$eq": [{"$getField": "summary.weave.status"}, {"$literal": "success"}]})",
        list({ "c1", "c5", "c6" }));
    row("status in",
        R"({"$in": [{"$getField": "summary.weave.status"}, [{"$literal": "error"}, {"$literal": "running"}]]})",
        list({ "c2", "c3" }));
    row("latency_ms", R"({"$gt": [{"$getField": "summary.weave.latency_ms"}, {"$literal": 1000}]})",
        list({ "c1", "c4" }));
    row("latency_ms converted",
        R"({"$gt": [{"$convert": {"input": {"$getField": "summary.weave.latency_ms"}, "to": "double"}}, {"$literal": 100}]})",
        list({ "c1", "c2", "c4" }));
    row("trace_name from op ref",
        R"({"$eq": [{"$getField": "summary.weave.trace_name"}, {"$literal": "alpha"}]})",
        list({ "c1", "c2" }));
    row("trace_name uses display_name",
        R"({"$eq": [{"$getField": "summary.weave.trace_name"}, {"$literal": "Custom Name"}]})",
        list({ "c4" }));
    row("trace_name is not the op of a named call",
        R"({"$eq": [{"$getField": "summary.weave.trace_name"}, {"$literal": "plain_op"}]})", QStringList());
    // Datetimes: epoch seconds or ISO strings (T0 = 2025-01-01T00:00:00Z = 1735689600).
    row("started_at gt epoch seconds",
        R"({"$gt": [{"$getField": "started_at"}, {"$literal": 1735689602.5}]})", list({ "c4", "c5", "c6" }));
    row("started_at gt ISO",
        R"({"$gt": [{"$getField": "started_at"}, {"$literal": "2025-01-01T00:00:02Z"}]})",
        list({ "c4", "c5", "c6" }));
    row("started_at gte ISO with offset",
        R"({"$gte": [{"$getField": "started_at"}, {"$literal": "2025-01-01T01:00:02+01:00"}]})",
        list({ "c3", "c4", "c5", "c6" }));
    row("started_at lt epoch seconds", R"({"$lt": [{"$getField": "started_at"}, {"$literal": 1735689601}]})",
        list({ "c1" }));
    row("started_at not gt (UI before)",
        R"({"$not": [{"$gt": [{"$getField": "started_at"}, {"$literal": 1735689601}]}]})",
        list({ "c1", "c2" }));
    row("ended_at lte ISO",
        R"({"$lte": [{"$getField": "ended_at"}, {"$literal": "2025-01-01T00:00:01.5Z"}]})",
        list({ "c1", "c2" }));
    // Feedback joined through the call ref.
    row("feedback payload number",
        R"({"$gt": [{"$getField": "feedback.[custom.score].payload.score"}, {"$literal": 0.5}]})",
        list({ "c1" }));
    row("feedback payload string",
        R"({"$eq": [{"$getField": "feedback.[custom.score].payload.label"}, {"$literal": "bad"}]})",
        list({ "c2" }));
    row("feedback any type",
        "{\"$eq\": [{\"$getField\": \"feedback.[*].payload.emoji\"}, {\"$literal\": \"\xF0\x9F\x91\x8D\"}]}",
        list({ "c3" }));
    // A call without such feedback reads as '' (as Weave's join gives it) for "is empty", and is
    // not "not empty" (it was: NOT EXISTS held without feedback). Other negations are NOT EXISTS.
    row("feedback is empty",
        R"({"$eq": [{"$getField": "feedback.[custom.score].payload.label"}, {"$literal": ""}]})",
        list({ "c3", "c4", "c5", "c6" }));
    row("feedback is not empty",
        R"({"$not": [{"$eq": [{"$getField": "feedback.[custom.score].payload.label"}, {"$literal": ""}]}]})",
        list({ "c1", "c2" }));
    row("feedback is not a value",
        R"({"$not": [{"$eq": [{"$getField": "feedback.[custom.score].payload.label"}, {"$literal": "bad"}]}]})",
        list({ "c1", "c3", "c4", "c5", "c6" }));
    row("feedback other type does not match",
        R"({"$eq": [{"$getField": "feedback.[wandb.note.1].payload.label"}, {"$literal": "good"}]})",
        QStringList());
    // The call's own columns beside a feedback field: not the feedback row's id.
    row("feedback payload equals the call's id",
        R"({"$eq": [{"$getField": "feedback.[custom.link].payload.about"}, {"$getField": "id"}]})",
        list({ "c3" }));
    row("feedback note",
        R"({"$contains": {"input": {"$getField": "feedback.[wandb.note.1].payload.note"}, "substr": {"$literal": "CHECK"}, "case_insensitive": true}})",
        list({ "c1" }));
}

void TestCallsQuery::expr()
{
    QFETCH(QByteArray, expr);
    QFETCH(QStringList, expected);
    const QByteArray body =
        fillVars(QByteArray(R"({"project_id": "{{P}}", "query": {"$expr": )" + expr + "}}").constData());
    QCOMPARE(queryIds(body), expected);
    const Reply stats = m_server.post("/calls/query_stats", body);
    EXPECT_OK(stats);
    QCOMPARE(stats.value(u"count").toInt(), expected.size());
}

void TestCallsQuery::sortBy_data()
{
    QTest::addColumn<QByteArray>("sortBy");
    QTest::addColumn<QStringList>("expected");

    // inputs.n: c1 9, c2 10, c3 100, c4 "abc", c5 missing, c6 9.5
    QTest::newRow("dynamic numbers asc (9 < 9.5 < 10 < 100), text then missing last") << QByteArray(
        R"([{"field": "inputs.n", "direction": "asc"}])") << list({ "c1", "c6", "c2", "c3", "c4", "c5" });
    QTest::newRow("dynamic numbers desc, missing still last") << QByteArray(
        R"([{"field": "inputs.n", "direction": "desc"}])") << list({ "c3", "c2", "c6", "c1", "c4", "c5" });
    QTest::newRow("dynamic strings asc") << QByteArray(R"([{"field": "inputs.name", "direction": "asc"}])")
                                         << list({ "c3", "c1", "c2", "c6", "c4", "c5" });
    QTest::newRow("dynamic strings desc, then id") << QByteArray(
        R"([{"field": "inputs.name", "direction": "desc"}, {"field": "id", "direction": "asc"}])")
                                                   << list({ "c6", "c2", "c1", "c3", "c4", "c5" });
    QTest::newRow("latency asc, running last")
        << QByteArray(R"([{"field": "summary.weave.latency_ms", "direction": "asc"}])")
        << list({ "c6", "c5", "c2", "c1", "c4", "c3" });
    QTest::newRow("latency desc, running last")
        << QByteArray(R"([{"field": "summary.weave.latency_ms", "direction": "desc"}])")
        << list({ "c4", "c1", "c2", "c5", "c6", "c3" });
    QTest::newRow("status asc") << QByteArray(R"([{"field": "summary.weave.status", "direction": "asc"}])")
                                << list({ "c4", "c2", "c3", "c1", "c5", "c6" });
    QTest::newRow("trace_name asc") << QByteArray(
        R"([{"field": "summary.weave.trace_name", "direction": "asc"}])")
                                    << list({ "c4", "c1", "c2", "c6", "c3", "c5" });
    QTest::newRow("started_at desc") << QByteArray(R"([{"field": "started_at", "direction": "desc"}])")
                                     << list({ "c6", "c5", "c4", "c3", "c2", "c1" });
    QTest::newRow("ended_at asc, null last") << QByteArray(R"([{"field": "ended_at", "direction": "asc"}])")
                                             << list({ "c2", "c1", "c5", "c6", "c4", "c3" });
    QTest::newRow("ended_at desc, null last") << QByteArray(R"([{"field": "ended_at", "direction": "desc"}])")
                                              << list({ "c4", "c6", "c5", "c1", "c2", "c3" });
    QTest::newRow("display_name asc, nulls last")
        << QByteArray(R"([{"field": "display_name", "direction": "asc"}])")
        << list({ "c4", "c1", "c2", "c3", "c5", "c6" });
    QTest::newRow("op_name asc") << QByteArray(R"([{"field": "op_name", "direction": "asc"}])")
                                 << list({ "c4", "c1", "c2", "c6", "c3", "c5" });
    QTest::newRow("two keys: op_name asc, started_at desc") << QByteArray(
        R"([{"field": "op_name", "direction": "asc"}, {"field": "started_at", "direction": "desc"}])")
                                                            << list({ "c4", "c1", "c2", "c6", "c5", "c3" });
    QTest::newRow("two dynamic keys") << QByteArray(
        R"([{"field": "attributes.env", "direction": "asc"}, {"field": "inputs.n", "direction": "desc"}])")
                                      << list({ "c2", "c1", "c4", "c3", "c6", "c5" });
    QTest::newRow("feedback payload asc, no feedback last")
        << QByteArray(R"([{"field": "feedback.[custom.score].payload.score", "direction": "asc"}])")
        << list({ "c2", "c1", "c3", "c4", "c5", "c6" });
    QTest::newRow("direction defaults to asc")
        << QByteArray(R"([{"field": "inputs.n"}])") << list({ "c1", "c6", "c2", "c3", "c4", "c5" });
}

void TestCallsQuery::sortBy()
{
    QFETCH(QByteArray, sortBy);
    QFETCH(QStringList, expected);
    QCOMPARE(
        queryIds(fillVars(QByteArray(R"({"project_id": "{{P}}", "sort_by": )" + sortBy + "}").constData())),
        expected);
}

void TestCallsQuery::sortTiebreakIsIdAsc()
{
    // weave-protocol.md 3.4: with a sort_by, "id asc" is appended as the tiebreak.
    // status desc: success (c1, c5, c6), running (c3), error (c2), descendant_error (c4).
    QCOMPARE(
        queryIds(fillVars(
            R"({"project_id": "{{P}}", "sort_by": [{"field": "summary.weave.status", "direction": "desc"}]})")),
        list({ "c1", "c5", "c6", "c3", "c2", "c4" }));
}

void TestCallsQuery::paging_data()
{
    QTest::addColumn<QByteArray>("sortBy");
    QTest::addColumn<int>("pageSize");
    QTest::newRow("default order, pages of 4") << QByteArray("null") << 4;
    QTest::newRow("default order, pages of 1") << QByteArray("null") << 1;
    QTest::newRow("dynamic sort, pages of 2")
        << QByteArray(R"([{"field": "inputs.n", "direction": "asc"}])") << 2;
    QTest::newRow("computed sort with ties, pages of 2")
        << QByteArray(R"([{"field": "summary.weave.status", "direction": "desc"}])") << 2;
    QTest::newRow("nulls, pages of 5")
        << QByteArray(R"([{"field": "display_name", "direction": "desc"}])") << 5;
}

void TestCallsQuery::paging()
{
    QFETCH(QByteArray, sortBy);
    QFETCH(int, pageSize);
    const QByteArray base = R"({"project_id": "{{P}}", "sort_by": )" + sortBy;
    const QStringList full = queryIds(fillVars(QByteArray(base + "}").constData()));
    QCOMPARE(full.size(), 6);
    QStringList paged;
    for (int offset = 0; offset < 10; offset += pageSize) {
        const QByteArray page = base + R"(, "limit": )" + QByteArray::number(pageSize) + R"(, "offset": )"
            + QByteArray::number(offset) + "}";
        const QStringList ids = queryIds(fillVars(page.constData()));
        QVERIFY(ids.size() <= pageSize);
        paged += ids;
        if (ids.isEmpty())
            break;
    }
    QCOMPARE(paged, full);
    QCOMPARE(QSet<QString>(paged.begin(), paged.end()).size(), 6);
    // Past the end: nothing.
    QCOMPARE(
        queryIds(fillVars(QByteArray(base + R"(, "limit": 3, "offset": 6})").constData())), QStringList());
}

void TestCallsQuery::columnsProjection()
{
    const Reply reply = m_server.post("/calls/query",
        fillVars(R"({"project_id": "{{P}}", "filter": {"call_ids": ["c1"]}, "columns": ["inputs.x"]})"));
    EXPECT_OK(reply);
    QCOMPARE(idsOf(reply), list({ "c1" }));
    const QJsonObject call = reply.value(u"calls").toArray().first().toObject();
    // Always present, whatever was asked for.
    for (const QString& key : { u"id"_s, u"trace_id"_s, u"project_id"_s, u"op_name"_s, u"started_at"_s })
        QVERIFY2(call.contains(key) && !call.value(key).isNull(), qPrintable(key));
    // A dotted column selects the whole top-level value.
    QCOMPARE(call.value(u"inputs")[u"x"].toInt(), 5);
    QCOMPARE(call.value(u"inputs")[u"name"].toString(), u"Hello World"_s);

    // Asking for summary brings what summary.weave is computed from.
    const Reply withSummary = m_server.post("/calls/query",
        fillVars(R"({"project_id": "{{P}}", "filter": {"call_ids": ["c2"]}, "columns": ["id", "summary"]})"));
    const QJsonObject c2 = withSummary.value(u"calls").toArray().first().toObject();
    QCOMPARE(c2.value(u"summary")[u"weave"][u"status"].toString(), u"error"_s);
    QCOMPARE(c2.value(u"summary")[u"weave"][u"latency_ms"].toInt(), 200);
    QCOMPARE(c2.value(u"exception").toString(), u"boom"_s);
    QVERIFY(!c2.value(u"ended_at").isNull());
    QVERIFY(c2.contains(u"display_name"));

    // The Python SDK's CallSchema requires attributes and inputs: they come empty when not asked
    // for (as Weave's server sends them); output is optional and stays out.
    const Reply idOnly = m_server.post("/calls/query",
        fillVars(R"({"project_id": "{{P}}", "filter": {"call_ids": ["c1"]}, "columns": ["id"]})"));
    const QJsonObject c1 = idOnly.value(u"calls").toArray().first().toObject();
    QCOMPARE(c1.value(u"inputs"), QJsonValue(QJsonObject()));
    QCOMPARE(c1.value(u"attributes"), QJsonValue(QJsonObject()));
    QVERIFY(!c1.contains(u"output"));
}

void TestCallsQuery::includeCosts()
{
    const Reply withCosts = m_server.post("/calls/query",
        fillVars(
            R"({"project_id": "{{P}}", "filter": {"call_ids": ["c1", "c6", "c3"]}, "include_costs": true})"));
    EXPECT_OK(withCosts);
    const QJsonArray calls = withCosts.value(u"calls").toArray();
    QCOMPARE(calls.size(), 3);
    // c1: 10 prompt + 5 completion tokens of gpt-4o, priced by the shipped default table
    // (2.5e-06 / 1e-05 per token, effective 2024-12-18, i.e. before the call).
    const QJsonObject costs = calls[0][u"summary"][u"weave"][u"costs"].toObject();
    QVERIFY2(costs.contains(u"gpt-4o"), withCosts.body.constData());
    const QJsonObject gpt = costs.value(u"gpt-4o").toObject();
    QCOMPARE(gpt.value(u"prompt_tokens").toInt(), 10);
    QCOMPARE(gpt.value(u"completion_tokens").toInt(), 5);
    QCOMPARE(gpt.value(u"total_tokens").toInt(), 15);
    QCOMPARE(gpt.value(u"requests").toInt(), 1);
    QCOMPARE(gpt.value(u"prompt_token_cost").toDouble(), 2.5e-06);
    QCOMPARE(gpt.value(u"completion_token_cost").toDouble(), 1e-05);
    QVERIFY(qFuzzyCompare(gpt.value(u"prompt_tokens_total_cost").toDouble(), 2.5e-05));
    QVERIFY(qFuzzyCompare(gpt.value(u"completion_tokens_total_cost").toDouble(), 5e-05));
    QCOMPARE(gpt.value(u"pricing_level").toString(), u"default"_s);
    // c3 has no usage and c6 has a model without a price: no costs key.
    QVERIFY(!calls[1][u"summary"][u"weave"].toObject().contains(u"costs"));
    QVERIFY(!calls[2][u"summary"][u"weave"].toObject().contains(u"costs"));

    const Reply without =
        m_server.post("/calls/query", fillVars(R"({"project_id": "{{P}}", "filter": {"call_ids": ["c1"]}})"));
    QVERIFY(!without.value(u"calls")[0][u"summary"][u"weave"].toObject().contains(u"costs"));
    // call/read takes include_costs too.
    const Reply read = m_server.post(
        "/call/read", fillVars(R"({"project_id": "{{P}}", "id": "c1", "include_costs": true})"));
    QCOMPARE(read.value(u"call")[u"summary"][u"weave"][u"costs"][u"gpt-4o"][u"prompt_tokens"].toInt(), 10);
}

void TestCallsQuery::includeFeedback()
{
    const Reply reply = m_server.post("/calls/query",
        fillVars(
            R"({"project_id": "{{P}}", "filter": {"call_ids": ["c1", "c5"]}, "include_feedback": true})"));
    EXPECT_OK(reply);
    const QJsonArray calls = reply.value(u"calls").toArray();
    QCOMPARE(calls.size(), 2);
    const QJsonArray feedback = calls[0][u"summary"][u"weave"][u"feedback"].toArray();
    QCOMPARE(feedback.size(), 2);
    QStringList types;
    for (const QJsonValue& item : feedback) {
        const QJsonObject row = item.toObject();
        types << row.value(u"feedback_type").toString();
        QCOMPARE(row.value(u"weave_ref").toString(), callRef(kProject, u"c1"_s));
        QVERIFY(row.value(u"id").isString());
        QVERIFY(row.value(u"payload").isObject());
        QVERIFY(row.value(u"created_at").isString());
        for (const QString& key : { u"creator"_s, u"wb_user_id"_s, u"annotation_ref"_s, u"runnable_ref"_s,
                 u"call_ref"_s, u"trigger_ref"_s })
            QVERIFY2(row.contains(key), qPrintable(key));
    }
    types.sort();
    QCOMPARE(types, (QStringList { u"custom.score"_s, u"wandb.note.1"_s }));
    const QJsonValue none = calls[1][u"summary"][u"weave"][u"feedback"];
    QVERIFY2(none.isUndefined() || none.toArray().isEmpty(), toJsonText(none).constData());

    const Reply without =
        m_server.post("/calls/query", fillVars(R"({"project_id": "{{P}}", "filter": {"call_ids": ["c1"]}})"));
    QVERIFY(!without.value(u"calls")[0][u"summary"][u"weave"].toObject().contains(u"feedback"));
}

void TestCallsQuery::expandColumns()
{
    Reply reply = m_server.post("/calls/query",
        fillVars(
            R"({"project_id": "{{P}}", "filter": {"call_ids": ["c1", "c5"]}, "expand_columns": ["inputs.model", "output.result", "inputs.x"]})"));
    EXPECT_OK(reply);
    QJsonArray calls = reply.value(u"calls").toArray();
    QCOMPARE(calls.size(), 2);
    const QJsonObject model1 = calls[0][u"inputs"][u"model"].toObject();
    QCOMPARE(model1.value(u"name").toString(), u"m1"_s);
    QCOMPARE(model1.value(u"temperature").toDouble(), 0.5);
    QCOMPARE(model1.value(u"_ref").toString(), m_model1);
    QCOMPARE(calls[0][u"inputs"][u"x"].toInt(), 5); // not a ref: left alone
    QCOMPARE(calls[0][u"inputs"][u"name"].toString(), u"Hello World"_s);
    QCOMPARE(calls[1][u"inputs"][u"model"][u"name"].toString(), u"m2"_s);
    QCOMPARE(calls[1][u"inputs"][u"model"][u"_ref"].toString(), m_model2);
    QCOMPARE(calls[1][u"output"][u"result"][u"_ref"].toString(), m_model1);
    // Paths that were not asked for keep their ref strings.
    QCOMPARE(calls[1][u"inputs"][u"list"][0].toString(), m_dataset);

    reply = m_server.post("/calls/query",
        fillVars(
            R"({"project_id": "{{P}}", "filter": {"call_ids": ["c1"]}, "expand_columns": ["inputs.model"], "return_expanded_column_values": false})"));
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"calls")[0][u"inputs"][u"model"].toString(), m_model1);
}

void TestCallsQuery::expandedPathsInQueryAndSort()
{
    // weave-protocol.md 3.5: expanded paths can be used in query and sort_by.
    QCOMPARE(
        queryIds(fillVars(
            R"({"project_id": "{{P}}", "expand_columns": ["inputs.model"], "query": {"$expr": {"$eq": [{"$getField": "inputs.model.name"}, {"$literal": "m2"}]}}})")),
        list({ "c5" }));
    QCOMPARE(
        queryIds(fillVars(
            R"({"project_id": "{{P}}", "expand_columns": ["inputs.model"], "filter": {"call_ids": ["c1", "c5"]}, "sort_by": [{"field": "inputs.model.temperature", "direction": "desc"}]})")),
        list({ "c5", "c1" }));
}

QTEST_GUILESS_MAIN(TestCallsQuery)
#include "tst_calls_query.moc"
