// Hostile and broken requests: every one must get a 4xx with a JSON {"reason": str} body, never a
// 5xx, must change nothing, and must not reach SQL as text. Also body limits, auth and the refusal
// to listen on a public address without an API key.
#include "support/rawhttp.h"
#include "support/testserver.h"

#include <QJsonArray>
#include <QScopeGuard>
#include <QTest>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace spindle::test;

namespace {

const QString kProject = u"bad/main"_s;

const char* const kJsonRoutes[] = {
    "/call/start",
    "/call/end",
    "/call/upsert_batch",
    "/v2/bad/main/calls/complete",
    "/v2/bad/main/call/start",
    "/v2/bad/main/call/end",
    "/call/read",
    "/call/update",
    "/calls/delete",
    "/calls/query",
    "/calls/stream_query",
    "/calls/query_stats",
    "/obj/create",
    "/obj/read",
    "/objs/query",
    "/obj/delete",
    "/table/create",
    "/table/update",
    "/table/query",
    "/table/query_stats",
    "/refs/read_batch",
    "/feedback/create",
    "/feedback/batch/create",
    "/feedback/query",
    "/feedback/purge",
    "/feedback/replace",
    "/cost/create",
    "/cost/query",
    "/cost/purge",
    "/file/content",
    "/graphql",
};

} // namespace

class TestBadInput : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void malformedJson_data();
    void malformedJson();
    void wrongTypes_data();
    void wrongTypes();
    void unknownExprOperators_data();
    void unknownExprOperators();
    void fieldPathsCannotEscapeIntoSql_data();
    void fieldPathsCannotEscapeIntoSql();
    void valuesCannotEscapeIntoSql();
    void dataIntactAfterAttacks();
    void otherProjectSeesNothing();
    void bodyOverLimitIs413_data();
    void bodyOverLimitIs413();
    void largeBodyUnderLimitWorks();
    void batchIsAllOrNothing_data();
    void batchIsAllOrNothing();
    void feedbackBatchIsAllOrNothing();
    void listLimits_data();
    void listLimits();
    void longListsWithinTheLimitsWork_data();
    void longListsWithinTheLimitsWork();
    void nonFiniteNumbersAreStoredAsNull();
    void nulBytesAndInvalidUtf8();
    void loneSurrogatesBecomeReplacementCharacters();
    void idleConnectionsDoNotLockOthersOut();
    void unknownEndpoint_data();
    void unknownEndpoint();
    void deepNestingDoesNotCrash_data();
    void deepNestingDoesNotCrash();
    void apiKeyRequired();
    void refusesPublicHostWithoutApiKey_data();
    void refusesPublicHostWithoutApiKey();

private:
    int callCount(const QString& project);
    TestServer m_server;
};

void TestBadInput::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    // A little of everything in kProject, to prove later that nothing was touched.
    CallSpec root {
        .id = u"r1"_s, .opName = u"weave:///bad/main/op/f:abc"_s, .startedAt = isoAt(0), .endedAt = isoAt(10)
    };
    root.inputs = R"({"x": 1, "secret": "s"})";
    CallSpec child {
        .id = u"r2"_s, .traceId = u"r1"_s, .parentId = u"r1"_s, .startedAt = isoAt(1), .endedAt = isoAt(2)
    };
    CallSpec other { .id = u"r3"_s, .startedAt = isoAt(3) };
    EXPECT_OK(m_server.logCalls(kProject, { root, child, other }));
    EXPECT_OK(m_server.post("/obj/create",
        R"({"obj": {"project_id": "{{p}}", "object_id": "kept", "val": {"a": 1}}})", { { "p", kProject } }));
    EXPECT_OK(m_server.post(
        "/table/create", R"({"table": {"project_id": "{{p}}", "rows": [{"a": 1}]}})", { { "p", kProject } }));
    EXPECT_OK(m_server.uploadFile(kProject, "file bytes"));
    EXPECT_OK(m_server.post("/feedback/create",
        R"({"project_id": "{{p}}", "weave_ref": "weave:///bad/main/call/r1", "feedback_type": "custom", "payload": {"ok": true}})",
        { { "p", kProject } }));
    EXPECT_OK(m_server.post("/cost/create",
        R"({"project_id": "{{p}}", "costs": {"m": {"prompt_token_cost": 1, "completion_token_cost": 1}}})",
        { { "p", kProject } }));
}

void TestBadInput::cleanup()
{
    EXPECT_SERVER_HEALTHY(m_server);
}

int TestBadInput::callCount(const QString& project)
{
    const Reply reply = m_server.post("/calls/query_stats", "{\"project_id\": " + jsonString(project) + "}");
    return reply.status == 200 ? reply.value(u"count").toInt() : -1;
}

void TestBadInput::malformedJson_data()
{
    QTest::addColumn<QByteArray>("route");
    QTest::addColumn<QByteArray>("body");
    const std::pair<const char*, QByteArray> bodies[] = {
        { "empty", QByteArray() },
        { "truncated", QByteArray(R"({"project_id": "bad/main", "filter": {)") },
        { "not json", QByteArray("project_id=bad/main") },
        { "missing value", QByteArray(R"({"project_id": })") },
        { "trailing garbage", QByteArray(R"({"project_id": "bad/main"} x)") },
        { "invalid UTF-8", QByteArray("{\"project_id\": \"bad/main\xff\xfe\"}") },
        { "array body", QByteArray("[]") },
        { "string body", QByteArray(R"("bad/main")") },
        { "null body", QByteArray("null") },
    };
    for (const char* route : kJsonRoutes)
        for (const auto& [name, body] : bodies)
            QTest::addRow("%s %s", route, name) << QByteArray(route) << body;
}

void TestBadInput::malformedJson()
{
    QFETCH(QByteArray, route);
    QFETCH(QByteArray, body);
    const Reply reply = m_server.post(route.constData(), body);
    EXPECT_CLIENT_ERROR(reply);
}

void TestBadInput::wrongTypes_data()
{
    QTest::addColumn<QByteArray>("route");
    QTest::addColumn<QByteArray>("body");
    const auto row = [](const char* tag, const char* route, const char* body) {
        QTest::newRow(tag) << QByteArray(route) << QByteArray(body);
    };
    const char* q = "/calls/query";
    row("limit as string", q, R"({"project_id": "bad/main", "limit": "10"})");
    row("limit negative", q, R"({"project_id": "bad/main", "limit": -5})");
    row("limit fractional", q, R"({"project_id": "bad/main", "limit": 1.5})");
    row("limit huge", q, R"({"project_id": "bad/main", "limit": 1e30})");
    row("offset negative", q, R"({"project_id": "bad/main", "offset": -1})");
    row("offset as string", q, R"({"project_id": "bad/main", "offset": "2"})");
    // Every listing route refuses a negative page, not only the calls' ones.
    row("objs/query limit negative", "/objs/query", R"({"project_id": "bad/main", "limit": -1})");
    row("objs/query offset negative", "/objs/query", R"({"project_id": "bad/main", "offset": -3})");
    row("feedback/query limit negative", "/feedback/query", R"({"project_id": "bad/main", "limit": -2})");
    row("cost/query offset negative", "/cost/query", R"({"project_id": "bad/main", "offset": -1})");
    row("filter not an object", q, R"({"project_id": "bad/main", "filter": "r1"})");
    row("call_ids not a list", q, R"({"project_id": "bad/main", "filter": {"call_ids": "r1"}})");
    row("call_ids of numbers", q, R"({"project_id": "bad/main", "filter": {"call_ids": [1]}})");
    row("trace_roots_only as string", q,
        R"({"project_id": "bad/main", "filter": {"trace_roots_only": "yes"}})");
    row("sort_by not a list", q, R"({"project_id": "bad/main", "sort_by": {"field": "id"}})");
    row("sort_by bad direction", q,
        R"({"project_id": "bad/main", "sort_by": [{"field": "id", "direction": "up"}]})");
    row("sort_by without field", q, R"({"project_id": "bad/main", "sort_by": [{"direction": "asc"}]})");
    row("columns not a list", q, R"({"project_id": "bad/main", "columns": "id"})");
    row("include_costs as string", q, R"({"project_id": "bad/main", "include_costs": "true"})");
    row("query not an object", q, R"({"project_id": "bad/main", "query": "status = error"})");
    row("query without $expr", q, R"({"project_id": "bad/main", "query": {}})");
    row("project_id missing", q, R"({"filter": {}})");
    row("project_id not a string", q, R"({"project_id": 5})");
    row("project_id without slash", q, R"({"project_id": "badmain"})");
    row("project_id with two slashes", q, R"({"project_id": "bad/main/x"})");
    row("project_id empty entity", q, R"({"project_id": "/main"})");
    row("stream limit as string", "/calls/stream_query", R"({"project_id": "bad/main", "limit": "10"})");
    // Epoch seconds beyond the years 1-9999 overflowed into a filter that matched every call.
    row("datetime literal out of range", q,
        R"({"project_id": "bad/main", "query": {"$expr": {"$gt": [{"$getField": "started_at"}, {"$literal": 1e300}]}}})");
    row("feedback datetime literal out of range", "/feedback/query",
        R"({"project_id": "bad/main", "query": {"$expr": {"$lt": [{"$getField": "created_at"}, {"$literal": 1e17}]}}})");
    row("started_at in year 0 once in UTC", "/call/start",
        R"({"start": {"project_id": "bad/main", "id": "w0", "op_name": "f", "started_at": "0001-01-01T00:00:00+14:00", "attributes": {}, "inputs": {}}})");
    row("stats limit as string", "/calls/query_stats", R"({"project_id": "bad/main", "limit": "3"})");
    row("started_at not a date", "/call/start",
        R"({"start": {"project_id": "bad/main", "id": "w1", "op_name": "f", "started_at": "yesterday", "attributes": {}, "inputs": {}}})");
    row("started_at a number", "/call/start",
        R"({"start": {"project_id": "bad/main", "id": "w1", "op_name": "f", "started_at": 1735689600, "attributes": {}, "inputs": {}}})");
    row("started_at missing", "/call/start",
        R"({"start": {"project_id": "bad/main", "id": "w1", "op_name": "f", "attributes": {}, "inputs": {}}})");
    row("op_name missing", "/call/start",
        R"({"start": {"project_id": "bad/main", "id": "w1", "started_at": "2025-01-01T00:00:00Z", "attributes": {}, "inputs": {}}})");
    row("inputs not an object", "/call/start",
        R"({"start": {"project_id": "bad/main", "id": "w1", "op_name": "f", "started_at": "2025-01-01T00:00:00Z", "attributes": {}, "inputs": "x"}})");
    row("attributes a list", "/call/start",
        R"({"start": {"project_id": "bad/main", "id": "w1", "op_name": "f", "started_at": "2025-01-01T00:00:00Z", "attributes": [], "inputs": {}}})");
    row("parent_id a number", "/call/start",
        R"({"start": {"project_id": "bad/main", "id": "w1", "op_name": "f", "parent_id": 7, "started_at": "2025-01-01T00:00:00Z", "attributes": {}, "inputs": {}}})");
    row("start missing", "/call/start", R"({"project_id": "bad/main"})");
    row("start not an object", "/call/start", R"({"start": "now"})");
    row("ended_at not a date", "/call/end",
        R"({"end": {"project_id": "bad/main", "id": "r3", "ended_at": "never", "summary": {}}})");
    row("summary a string", "/call/end",
        R"({"end": {"project_id": "bad/main", "id": "r3", "ended_at": "2025-01-01T00:00:09Z", "summary": "x"}})");
    row("end id missing", "/call/end",
        R"({"end": {"project_id": "bad/main", "ended_at": "2025-01-01T00:00:09Z", "summary": {}}})");
    row("end id empty", "/call/end",
        R"({"end": {"project_id": "bad/main", "id": "", "ended_at": "2025-01-01T00:00:09Z", "summary": {}}})");
    static const QByteArray longEnd = R"({"end": {"project_id": "bad/main", "id": ")" + QByteArray(129, 'e')
        + R"(", "ended_at": "2025-01-01T00:00:09Z", "summary": {}}})";
    row("end id of 129 characters", "/call/end", longEnd.constData());
    row("batch not a list", "/call/upsert_batch", R"({"batch": {"mode": "start"}})");
    row("batch missing", "/call/upsert_batch", R"({})");
    row("batch item a number", "/call/upsert_batch", R"({"batch": [1]})");
    row("batch mode unknown", "/call/upsert_batch", R"({"batch": [{"mode": "middle", "req": {}}]})");
    row("batch item without req", "/call/upsert_batch", R"({"batch": [{"mode": "start"}]})");
    row("display_name a number", "/call/update",
        R"({"project_id": "bad/main", "call_id": "r3", "display_name": 5})");
    row("display_name missing", "/call/update", R"({"project_id": "bad/main", "call_id": "r3"})");
    row("call/read id missing", "/call/read", R"({"project_id": "bad/main"})");
    row("call_ids a string", "/calls/delete", R"({"project_id": "bad/main", "call_ids": "r3"})");
    row("object_id with slash", "/obj/create",
        R"({"obj": {"project_id": "bad/main", "object_id": "a/b", "val": {}}})");
    row("object_id with quote", "/obj/create",
        R"({"obj": {"project_id": "bad/main", "object_id": "a'b", "val": {}}})");
    row("object_id empty", "/obj/create",
        R"({"obj": {"project_id": "bad/main", "object_id": "", "val": {}}})");
    row("object val missing", "/obj/create", R"({"obj": {"project_id": "bad/main", "object_id": "x"}})");
    row("obj missing", "/obj/create", R"({"project_id": "bad/main", "object_id": "x", "val": {}})");
    row("obj/read digest missing", "/obj/read", R"({"project_id": "bad/main", "object_id": "kept"})");
    row("objs/query filter a list", "/objs/query", R"({"project_id": "bad/main", "filter": []})");
    row("obj/delete digests a string", "/obj/delete",
        R"({"project_id": "bad/main", "object_id": "kept", "digests": "x"})");
    row("table rows missing", "/table/create", R"({"table": {"project_id": "bad/main"}})");
    row("table digest a number", "/table/query", R"({"project_id": "bad/main", "digest": 5})");
    row("refs a string", "/refs/read_batch", R"({"refs": "weave:///bad/main/object/kept:x"})");
    row("refs of numbers", "/refs/read_batch", R"({"refs": [1]})");
    row("feedback payload a string", "/feedback/create",
        R"({"project_id": "bad/main", "weave_ref": "weave:///bad/main/call/r1", "feedback_type": "custom", "payload": "x"})");
    row("feedback_type missing", "/feedback/create",
        R"({"project_id": "bad/main", "weave_ref": "weave:///bad/main/call/r1", "payload": {}})");
    row("feedback query fields a string", "/feedback/query", R"({"project_id": "bad/main", "fields": "id"})");
    row("purge without query", "/feedback/purge", R"({"project_id": "bad/main"})");
    row("costs missing", "/cost/create", R"({"project_id": "bad/main"})");
    row("file/content digest missing", "/file/content", R"({"project_id": "bad/main"})");
}

void TestBadInput::wrongTypes()
{
    QFETCH(QByteArray, route);
    QFETCH(QByteArray, body);
    EXPECT_CLIENT_ERROR(m_server.post(route.constData(), body));
    // Nothing was written by the refused request.
    QCOMPARE(callCount(kProject), 3);
    QVERIFY(
        m_server.post("/call/read", R"({"project_id": "bad/main", "id": "w1"})", {}).value(u"call").isNull());
    const Reply r3 = m_server.post("/call/read", R"({"project_id": "bad/main", "id": "r3"})", {});
    QVERIFY(r3.value(u"call")[u"ended_at"].isNull());
    QVERIFY(r3.value(u"call")[u"display_name"].isNull());
}

void TestBadInput::unknownExprOperators_data()
{
    QTest::addColumn<QByteArray>("route");
    QTest::addColumn<QByteArray>("expr");
    const std::pair<const char*, const char*> exprs[] = {
        { "$regex", R"({"$regex": [{"$getField": "id"}, {"$literal": ".*"}]})" },
        { "$where", R"({"$where": "1 = 1"})" },
        { "$foo", R"({"$foo": []})" },
        { "no dollar", R"({"eq": [{"$getField": "id"}, {"$literal": "r1"}]})" },
        { "two operators",
            R"({"$eq": [{"$getField": "id"}, {"$literal": "r1"}], "$gt": [{"$getField": "id"}, {"$literal": "r1"}]})" },
        { "empty object", R"({})" },
        { "not an object", R"("id = 'r1'")" },
        { "$not with two",
            R"({"$not": [{"$eq": [{"$literal": 1}, {"$literal": 1}]}, {"$eq": [{"$literal": 1}, {"$literal": 1}]}]})" },
        { "$not not a list", R"({"$not": {"$eq": [{"$literal": 1}, {"$literal": 1}]}})" },
        { "$eq with three", R"({"$eq": [{"$getField": "id"}, {"$literal": "r1"}, {"$literal": "r2"}]})" },
        { "$eq with one", R"({"$eq": [{"$getField": "id"}]})" },
        { "$in second not a list", R"({"$in": [{"$getField": "id"}, {"$literal": "r1"}]})" },
        { "$contains without substr", R"({"$contains": {"input": {"$getField": "id"}}})" },
        { "$contains case_insensitive string",
            R"({"$contains": {"input": {"$getField": "id"}, "substr": {"$literal": "r"}, "case_insensitive": "yes"}})" },
        { "$convert to date",
            R"({"$eq": [{"$convert": {"input": {"$getField": "id"}, "to": "date"}}, {"$literal": 1}]})" },
        { "$getField not a string", R"({"$eq": [{"$getField": 5}, {"$literal": 1}]})" },
        { "bare value operand", R"({"$eq": [{"$getField": "id"}, "r1"]})" },
        { "unknown operand", R"({"$eq": [{"$field": "id"}, {"$literal": "r1"}]})" },
        { "unknown op nested in $and",
            R"({"$and": [{"$eq": [{"$literal": 1}, {"$literal": 1}]}, {"$bogus": []}]})" },
        { "$and not a list", R"({"$and": {"$eq": [{"$literal": 1}, {"$literal": 1}]}})" },
    };
    for (const char* route :
        { "/calls/stream_query", "/calls/query_stats", "/feedback/query", "/cost/query" })
        for (const auto& [name, expr] : exprs)
            QTest::addRow("%s %s", route, name) << QByteArray(route) << QByteArray(expr);
}

void TestBadInput::unknownExprOperators()
{
    QFETCH(QByteArray, route);
    QFETCH(QByteArray, expr);
    EXPECT_CLIENT_ERROR(
        m_server.post(route.constData(), R"({"project_id": "bad/main", "query": {"$expr": )" + expr + "}}"));
}

void TestBadInput::fieldPathsCannotEscapeIntoSql_data()
{
    QTest::addColumn<QByteArray>("route");
    QTest::addColumn<QString>("field");
    QTest::addColumn<bool>("mustBeRefused"); // false: may also be a valid (and empty) dynamic path

    const std::pair<const char*, bool> callFields[] = {
        { "id; DROP TABLE calls", true },
        { "id) OR 1=1 --", true },
        { "started_at DESC, (SELECT 1)", true },
        { "nonexistent", true },
        { "Inputs.x", true },
        { "summary.weave.bogus", true },
        { "summary.weave.status; DROP TABLE calls", true },
        { "feedback.[x'] OR 1=1 --", true },
        { "inputs.x') OR 1=1 --", false },
        { "inputs.x\" OR \"1\"=\"1", false },
        { "output.$[0]", false },
        { "attributes.a'); DROP TABLE calls; --", false },
        { "feedback.[a' OR '1'='1].payload.x", false },
    };
    for (const auto& [field, refused] : callFields) {
        QTest::addRow("stream_query %s", field)
            << QByteArray("/calls/stream_query") << QString::fromLatin1(field) << refused;
        QTest::addRow("query_stats %s", field)
            << QByteArray("/calls/query_stats") << QString::fromLatin1(field) << refused;
    }
    QTest::newRow("feedback id; DROP TABLE feedback")
        << QByteArray("/feedback/query") << u"id; DROP TABLE feedback"_s << true;
    QTest::newRow("feedback payload injection")
        << QByteArray("/feedback/query") << u"payload.x') OR 1=1 --"_s << false;
    QTest::newRow("cost llm_id; DROP")
        << QByteArray("/cost/query") << u"llm_id; DROP TABLE llm_token_prices"_s << true;
}

void TestBadInput::fieldPathsCannotEscapeIntoSql()
{
    QFETCH(QByteArray, route);
    QFETCH(QString, field);
    QFETCH(bool, mustBeRefused);
    const QByteArray filterBody = R"({"project_id": "bad/main", "query": {"$expr": {"$eq": [{"$getField": )"
        + jsonString(field) + R"(}, {"$literal": "zzz"}]}}})";
    const QByteArray sortBody = R"({"project_id": "bad/main", "sort_by": [{"field": )" + jsonString(field)
        + R"(, "direction": "asc"}]})";
    for (const QByteArray& body : { filterBody, sortBody }) {
        if (route == "/calls/query_stats" && body == sortBody)
            continue;
        const Reply reply = m_server.post(route.constData(), body);
        if (mustBeRefused) {
            EXPECT_CLIENT_ERROR(reply);
            continue;
        }
        QVERIFY2(reply.status == 200 || (reply.status >= 400 && reply.status < 500 && reply.isApiError()),
            qPrintable(reply.describe()));
        if (reply.status != 200 || body == sortBody)
            continue;
        // A valid but odd path matches nothing: no row has that key.
        if (route == "/calls/query_stats")
            QCOMPARE(reply.value(u"count").toInt(), 0);
        else if (route == "/feedback/query")
            QCOMPARE(reply.value(u"result").toArray().size(), 0);
        else
            QVERIFY2(reply.body.isEmpty(), reply.body.constData());
    }
    QCOMPARE(callCount(kProject), 3);
}

void TestBadInput::valuesCannotEscapeIntoSql()
{
    // Literal values and filter lists are bound, never pasted: they match only themselves.
    const char* const bodies[] = {
        R"({"project_id": "bad/main", "query": {"$expr": {"$eq": [{"$getField": "id"}, {"$literal": "' OR '1'='1"}]}}})",
        R"({"project_id": "bad/main", "query": {"$expr": {"$eq": [{"$getField": "inputs.x"}, {"$literal": "1' OR '1'='1"}]}}})",
        R"({"project_id": "bad/main", "query": {"$expr": {"$contains": {"input": {"$getField": "id"}, "substr": {"$literal": "%"}}}}})",
        R"({"project_id": "bad/main", "query": {"$expr": {"$contains": {"input": {"$getField": "id"}, "substr": {"$literal": "_"}}}}})",
        R"({"project_id": "bad/main", "filter": {"op_names": ["x' OR '1'='1"]}})",
        R"({"project_id": "bad/main", "filter": {"call_ids": ["r1') OR ('1'='1"]}})",
        R"({"project_id": "bad/main' OR '1'='1"})",
        R"({"project_id": "bad/main", "filter": {"op_names": ["%:*"]}})",
    };
    for (const char* body : bodies) {
        const Reply reply = m_server.post("/calls/stream_query", QByteArray(body));
        QVERIFY2(
            reply.status == 200 || (reply.status >= 400 && reply.status < 500 && reply.isApiError()), body);
        if (reply.status == 200)
            QVERIFY2(reply.body.isEmpty(),
                qPrintable(QString::fromUtf8(body) + u" → "_s + QString::fromUtf8(reply.body)));
    }
    const Reply feedback = m_server.post("/feedback/query",
        R"({"project_id": "bad/main", "query": {"$expr": {"$eq": [{"$getField": "feedback_type"}, {"$literal": "x' OR '1'='1"}]}}})",
        {});
    EXPECT_OK(feedback);
    QCOMPARE(feedback.value(u"result").toArray().size(), 0);
    QCOMPARE(callCount(kProject), 3);
}

void TestBadInput::dataIntactAfterAttacks()
{
    QCOMPARE(idsOf(m_server.postLines("/calls/stream_query", R"({"project_id": "bad/main"})").lines),
        (QStringList { u"r1"_s, u"r2"_s, u"r3"_s }));
    const Reply obj = m_server.post(
        "/obj/read", R"({"project_id": "bad/main", "object_id": "kept", "digest": "latest"})", {});
    EXPECT_OK(obj);
    QCOMPARE(obj.value(u"obj")[u"val"][u"a"].toInt(), 1);
    const Reply feedback = m_server.post("/feedback/query", R"({"project_id": "bad/main"})", {});
    QCOMPARE(feedback.value(u"result").toArray().size(), 1);
    const Reply costs = m_server.post("/cost/query", R"({"project_id": "bad/main"})", {});
    QCOMPARE(costs.value(u"results").toArray().size(), 1);
    const Reply r1 = m_server.post("/call/read", R"({"project_id": "bad/main", "id": "r1"})", {});
    QCOMPARE(r1.value(u"call")[u"inputs"][u"secret"].toString(), u"s"_s);
    QCOMPARE(r1.value(u"call")[u"summary"][u"weave"][u"status"].toString(), u"success"_s);
}

void TestBadInput::otherProjectSeesNothing()
{
    const QString other = u"bad/other"_s;
    const QByteArray p = jsonString(other);
    const LinesReply calls = m_server.postLines("/calls/stream_query", "{\"project_id\": " + p + "}");
    EXPECT_OK(calls);
    QVERIFY(calls.body.isEmpty());
    QCOMPARE(callCount(other), 0);
    QVERIFY(
        m_server.post("/call/read", "{\"project_id\": " + p + ", \"id\": \"r1\"}").value(u"call").isNull());
    const LinesReply byId = m_server.postLines(
        "/calls/stream_query", "{\"project_id\": " + p + ", \"filter\": {\"call_ids\": [\"r1\", \"r2\"]}}");
    QVERIFY(byId.body.isEmpty());
    EXPECT_API_ERROR(m_server.post("/obj/read",
                         "{\"project_id\": " + p + ", \"object_id\": \"kept\", \"digest\": \"latest\"}"),
        404);
    QCOMPARE(m_server.post("/objs/query", "{\"project_id\": " + p + "}").value(u"objs").toArray().size(), 0);
    const QString table =
        m_server.post("/table/create", R"({"table": {"project_id": "bad/main", "rows": [{"a": 1}]}})", {})
            .value(u"digest")
            .toString();
    const Reply otherTable =
        m_server.post("/table/query", "{\"project_id\": " + p + ", \"digest\": " + jsonString(table) + "}");
    EXPECT_OK(otherTable); // no such table in this project: no rows, as in Weave
    QCOMPARE(otherTable.value(u"rows").toArray().size(), 0);
    EXPECT_API_ERROR(
        m_server.post("/file/content",
            "{\"project_id\": " + p + ", \"digest\": " + jsonString(weaveDigestOf("file bytes")) + "}"),
        404);
    QCOMPARE(
        m_server.post("/feedback/query", "{\"project_id\": " + p + "}").value(u"result").toArray().size(), 0);
    QCOMPARE(
        m_server.post("/cost/query", "{\"project_id\": " + p + "}").value(u"results").toArray().size(), 0);
    // Writes through another project do not reach this one.
    const Reply hijack = m_server.post(
        "/call/update", "{\"project_id\": " + p + ", \"call_id\": \"r1\", \"display_name\": \"hijack\"}");
    QVERIFY2(
        hijack.status == 200 || (hijack.status == 404 && hijack.isApiError()), qPrintable(hijack.describe()));
    QCOMPARE(m_server.post("/calls/delete", "{\"project_id\": " + p + ", \"call_ids\": [\"r1\"]}")
                 .value(u"num_deleted")
                 .toInt(),
        0);
    const Reply r1 = m_server.post("/call/read", R"({"project_id": "bad/main", "id": "r1"})", {});
    QVERIFY(r1.value(u"call")[u"display_name"].isNull());
    QCOMPARE(callCount(kProject), 3);
}

void TestBadInput::bodyOverLimitIs413_data()
{
    QTest::addColumn<QByteArray>("route");
    QTest::addColumn<bool>("multipart");
    QTest::newRow("calls/query") << QByteArray("/calls/query") << false;
    QTest::newRow("call/upsert_batch") << QByteArray("/call/upsert_batch") << false;
    QTest::newRow("obj/create") << QByteArray("/obj/create") << false;
    QTest::newRow("file/create multipart") << QByteArray("/file/create") << true;
}

void TestBadInput::bodyOverLimitIs413()
{
    QFETCH(QByteArray, route);
    QFETCH(bool, multipart);
    const QByteArray filler(33 * 1024 * 1024, 'a');
    const Reply reply = multipart
        ? m_server.uploadFile(kProject, filler)
        : m_server.post(route.constData(), R"({"project_id": "bad/main", "x": ")" + filler + "\"}");
    EXPECT_API_ERROR(reply, 413);
    QCOMPARE(callCount(kProject), 3);
}

void TestBadInput::largeBodyUnderLimitWorks()
{
    const QString p = testProject("bad");
    CallSpec big { .id = u"big"_s, .endedAt = isoAt(1) };
    big.inputs = "{\"blob\": \"" + QByteArray(6 * 1024 * 1024, 'b') + "\"}";
    EXPECT_OK(m_server.logCalls(p, { big }));
    const Reply read =
        m_server.post("/call/read", "{\"project_id\": " + jsonString(p) + ", \"id\": \"big\"}");
    EXPECT_OK(read);
    QCOMPARE(read.value(u"call")[u"inputs"][u"blob"].toString().size(), 6 * 1024 * 1024);
}

void TestBadInput::batchIsAllOrNothing_data()
{
    QTest::addColumn<int>("badPosition");
    QTest::addColumn<QByteArray>("badItem");
    const QByteArray badDate =
        R"({"mode": "start", "req": {"start": {"project_id": "{{p}}", "id": "bad", "op_name": "f", "started_at": "not a date", "attributes": {}, "inputs": {}}}})";
    const QByteArray badEnd =
        R"({"mode": "end", "req": {"end": {"project_id": "{{p}}", "id": "a", "ended_at": 12, "summary": {}}}})";
    const QByteArray badMode = R"({"mode": "upsert", "req": {"start": {}}})";
    const QByteArray badProject =
        R"({"mode": "start", "req": {"start": {"project_id": "no-slash", "id": "bad", "op_name": "f", "started_at": "2025-01-01T00:00:00Z", "attributes": {}, "inputs": {}}}})";
    QTest::newRow("bad date last") << 4 << badDate;
    QTest::newRow("bad date first") << 0 << badDate;
    QTest::newRow("bad end in the middle") << 2 << badEnd;
    QTest::newRow("bad mode") << 3 << badMode;
    QTest::newRow("bad project") << 1 << badProject;
}

void TestBadInput::batchIsAllOrNothing()
{
    QFETCH(int, badPosition);
    QFETCH(QByteArray, badItem);
    const QString p = testProject("bad");
    // An existing running call that the batch would have ended.
    EXPECT_OK(m_server.logCalls(p, { CallSpec { .id = u"existing"_s, .startedAt = isoAt(0) } }));
    const CallSpec a { .id = u"a"_s, .startedAt = isoAt(1), .endedAt = isoAt(2) };
    const CallSpec b { .id = u"b"_s, .startedAt = isoAt(2), .endedAt = isoAt(3) };
    const CallSpec existing { .id = u"existing"_s, .endedAt = isoAt(9) };
    QList<QByteArray> items { startItem(p, a), endItem(p, a), startItem(p, b), endItem(p, existing) };
    items.insert(badPosition, fill(badItem.constData(), { { "p", p } }));
    EXPECT_CLIENT_ERROR(m_server.post("/call/upsert_batch", batchBody(items)));
    QCOMPARE(
        idsOf(m_server.postLines("/calls/stream_query", "{\"project_id\": " + jsonString(p) + "}").lines),
        QStringList { u"existing"_s });
    const Reply still =
        m_server.post("/call/read", "{\"project_id\": " + jsonString(p) + ", \"id\": \"existing\"}");
    QCOMPARE(still.value(u"call")[u"summary"][u"weave"][u"status"].toString(), u"running"_s);
}

void TestBadInput::feedbackBatchIsAllOrNothing()
{
    const QString p = testProject("bad");
    const QByteArray good = fill(
        R"({"project_id": "{{p}}", "weave_ref": "weave:///{{p}}/call/x", "feedback_type": "custom", "payload": {}})",
        { { "p", p } });
    const QByteArray bad = fill(
        R"({"project_id": "{{p}}", "weave_ref": "weave:///{{p}}/call/x", "feedback_type": "wandb.nope", "payload": {}})",
        { { "p", p } });
    EXPECT_CLIENT_ERROR(m_server.post("/feedback/batch/create", "{\"batch\": [" + good + ", " + bad + "]}"));
    QCOMPARE(m_server.post("/feedback/query", "{\"project_id\": " + jsonString(p) + "}")
                 .value(u"result")
                 .toArray()
                 .size(),
        0);
    const Reply ok = m_server.post("/feedback/batch/create", "{\"batch\": [" + good + ", " + good + "]}");
    EXPECT_OK(ok);
    QCOMPARE(ok.value(u"res").toArray().size(), 2);
    QCOMPARE(m_server.post("/feedback/query", "{\"project_id\": " + jsonString(p) + "}")
                 .value(u"result")
                 .toArray()
                 .size(),
        2);
}

void TestBadInput::listLimits_data()
{
    QTest::addColumn<QByteArray>("route");
    QTest::addColumn<QByteArray>("body");
    const auto strings = [](int count, const char* prefix) -> QByteArray {
        QStringList items;
        for (int i = 0; i < count; ++i)
            items << QString::fromLatin1(prefix) + QString::number(i);
        return "[\"" + items.join(u"\", \""_s).toUtf8() + "\"]";
    };
    QTest::newRow("calls/delete 1001 ids")
        << QByteArray("/calls/delete")
        << QByteArray(R"({"project_id": "bad/main", "call_ids": )" + strings(1001, "r") + "}");
    QTest::newRow("filter.call_ids 1001 ids")
        << QByteArray("/calls/query")
        << QByteArray(R"({"project_id": "bad/main", "filter": {"call_ids": )" + strings(1001, "r") + "}}");
    QTest::newRow("refs/read_batch 1001 refs")
        << QByteArray("/refs/read_batch")
        << QByteArray(R"({"refs": )" + strings(1001, "weave:///bad/main/object/kept:") + "}");
    const auto idTerms = [](int count) -> QByteArray {
        QByteArrayList terms;
        for (int i = 0; i < count; ++i)
            terms << R"({"$eq": [{"$getField": "id"}, {"$literal": "x)" + QByteArray::number(i) + "\"}]}";
        return "[" + terms.join(", ") + "]";
    };
    QTest::newRow("$or of 10001 operations")
        << QByteArray("/calls/query_stats")
        << QByteArray(R"({"project_id": "bad/main", "query": {"$expr": {"$or": )" + idTerms(10001) + "}}}");
    // 260,000 bound values, each list within its limit: over SQLite's 250,000 for one statement
    // (Debian's build), which is the client's 400, not a 500.
    QByteArrayList literals;
    for (int i = 0; i < 10000; ++i)
        literals << R"({"$literal": "v)" + QByteArray::number(i) + "\"}";
    const QByteArray inList = R"({"$in": [{"$getField": "id"}, [)" + literals.join(", ") + "]]}";
    QTest::newRow("260000 values in 26 $in lists")
        << QByteArray("/calls/query_stats")
        << QByteArray(R"({"project_id": "bad/main", "query": {"$expr": {"$or": [)"
               + QByteArrayList(26, inList).join(", ") + "]}}}");
    QTest::newRow("obj/delete 101 digests")
        << QByteArray("/obj/delete")
        << QByteArray(
               R"({"project_id": "bad/main", "object_id": "kept", "digests": )" + strings(101, "d") + "}");
}

void TestBadInput::listLimits()
{
    QFETCH(QByteArray, route);
    QFETCH(QByteArray, body);
    EXPECT_CLIENT_ERROR(m_server.post(route.constData(), body));
    QCOMPARE(callCount(kProject), 3);
    EXPECT_OK(m_server.post(
        "/obj/read", R"({"project_id": "bad/main", "object_id": "kept", "digest": "latest"})", {}));
}

// Lists up to the documented limits run: SQLite parsed a chain of n ORs as a tree n deep and
// refused 1000, so a 999-item $or, or 500 refs in a filter list, failed with a 500.
void TestBadInput::longListsWithinTheLimitsWork_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("count");
    const auto repeated = [](int count, const QByteArray& item, const QByteArray& last) -> QByteArray {
        QByteArrayList items;
        for (int i = 0; i + 1 < count; ++i)
            items << QByteArray(item).replace("#", QByteArray::number(i));
        items << last;
        return "[" + items.join(", ") + "]";
    };
    const QByteArray idIs = R"({"$eq": [{"$getField": "id"}, {"$literal": "x#"}]})";
    const QByteArray idIsNot = R"({"$not": [{"$eq": [{"$getField": "id"}, {"$literal": "x#"}]}]})";
    QTest::newRow("$or of 5000, one matching")
        << QByteArray(R"({"project_id": "bad/main", "query": {"$expr": {"$or": )"
               + repeated(5000, idIs, R"({"$eq": [{"$getField": "id"}, {"$literal": "r1"}]})") + "}}}")
        << 1;
    QTest::newRow("$and of 10000, all true")
        << QByteArray(R"({"project_id": "bad/main", "query": {"$expr": {"$and": )"
               + repeated(10000, idIsNot, QByteArray(idIsNot).replace("#", "last")) + "}}}")
        << 3;
    QTest::newRow("1000 op_names with versions")
        << QByteArray(R"({"project_id": "bad/main", "filter": {"op_names": )"
               + repeated(1000, R"("weave:///bad/main/op/g#:*")", R"("weave:///bad/main/op/f:*")") + "}}")
        << 1;
    QTest::newRow("1000 input_refs") << QByteArray(R"({"project_id": "bad/main", "filter": {"input_refs": )"
        + repeated(1000, R"("weave:///bad/main/object/o#:d")", R"("weave:///bad/main/object/kept:d")") + "}}")
                                     << 0;
}

void TestBadInput::longListsWithinTheLimitsWork()
{
    QFETCH(QByteArray, body);
    QFETCH(int, count);
    const Reply reply = m_server.post("/calls/query_stats", body);
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"count").toInt(), count);
}

// Python's json.dumps writes NaN and ±Infinity, which JSON does not have: answered as they came,
// they broke strict readers (the desktop's whole page of rows failed as "malformed JSON Lines").
void TestBadInput::nonFiniteNumbersAreStoredAsNull()
{
    EXPECT_OK(m_server.post("/call/start",
        R"({"start": {"project_id": "bad/nan", "id": "n1", "trace_id": "n1", "op_name": "f",
            "started_at": "2026-01-01T00:00:00Z", "attributes": {},
            "inputs": {"a": NaN, "b": Infinity, "c": [-Infinity, 1.5]}}})"));
    const LinesReply rows = m_server.postLines("/calls/stream_query", R"({"project_id": "bad/nan"})");
    QCOMPARE(rows.status, 200);
    QVERIFY2(rows.badLines.isEmpty(), qPrintable(rows.badLines.join(u'\n')));
    QCOMPARE(rows.lines.size(), 1);
    const QJsonObject inputs = rows.lines.first().value(u"inputs").toObject();
    QVERIFY(inputs.value(u"a").isNull());
    QVERIFY(inputs.value(u"b").isNull());
    QCOMPARE(inputs.value(u"c").toArray(), QJsonArray({ QJsonValue(), 1.5 }));
    // The stored value is JSON that SQLite's functions read: a filter on it runs.
    const Reply count = m_server.post("/calls/query_stats",
        R"({"project_id": "bad/nan", "query": {"$expr": {"$eq": [{"$getField": "inputs.c"}, {"$literal": "x"}]}}})");
    EXPECT_OK(count);
    QCOMPARE(count.value(u"count").toInt(), 0);

    // A usage entry with a NaN count leaves the call's other models in the usage statistics.
    EXPECT_OK(m_server.post("/call/end",
        R"({"end": {"project_id": "bad/nan", "id": "n1", "ended_at": "2026-01-01T00:00:01Z", "output": null,
            "summary": {"usage": {"gpt-4o": {"prompt_tokens": 1000, "completion_tokens": 10},
                                  "other": {"prompt_tokens": NaN}}}}})"));
    const Reply stats = m_server.post("/calls/stats",
        R"({"project_id": "bad/nan", "start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z",
            "granularity": 86400, "usage_metrics": [{"metric": "input_tokens", "aggregations": ["sum"]}]})");
    EXPECT_OK(stats);
    QVERIFY2(!stats.value(u"usage_buckets").toArray().isEmpty(), stats.body.constData());
    QVERIFY2(stats.body.contains("1000"), stats.body.constData());
}

// JavaScript's JSON.stringify writes "\ud83d" for a string cut mid-emoji. A lone high half made the
// whole request a 400 (an SDK batch of calls lost over one string); a lone low half was stored as
// invalid UTF-8, which broke every reader of the page it was on.
void TestBadInput::loneSurrogatesBecomeReplacementCharacters()
{
    const QByteArray start =
        R"({"mode": "start", "req": {"start": {"project_id": "bad/surrogates", "id": "{{id}}",
        "trace_id": "t", "op_name": "f", "started_at": "2026-01-01T00:00:00Z", "attributes": {},
        "inputs": {"text": {{text}}}}}})";
    const QList<std::pair<QByteArray, QString>> cases {
        { R"("cut \ud83d")", u"cut \ufffd"_s },
        { R"("low \udE00 half")", u"low \ufffd half"_s },
        { R"("\ud83d\ud83d\ude00")", u"\ufffd\U0001F600"_s }, // the second high half has its pair
        { R"("pair \ud83d\ude00 kept")", u"pair \U0001F600 kept"_s },
        { R"("not an escape \\ud83d")", u"not an escape \\ud83d"_s },
    };
    QByteArray batch = R"({"batch": [)";
    for (qsizetype i = 0; i < cases.size(); ++i)
        batch += (i ? "," : "")
            + fill(start.constData(),
                { { "id", u"s%1"_s.arg(i) }, { "text", QString::fromUtf8(cases[i].first) } });
    EXPECT_OK(m_server.post("/call/upsert_batch", batch + "]}"));
    const LinesReply rows = m_server.postLines("/calls/stream_query",
        R"({"project_id": "bad/surrogates", "sort_by": [{"field": "id", "direction": "asc"}]})");
    QCOMPARE(rows.status, 200);
    QVERIFY2(rows.badLines.isEmpty(), qPrintable(rows.badLines.join(u'\n')));
    QCOMPARE(rows.lines.size(), cases.size());
    for (qsizetype i = 0; i < cases.size(); ++i)
        QCOMPARE(rows.lines[i].value(u"inputs")[u"text"].toString(), cases[i].second);
    QVERIFY(!rows.body.contains("\xed")); // no surrogate's UTF-8 bytes anywhere
}

// A NUL cut strings short where the server made JSON of them: "r1\0x" read call r1, and a multipart
// project "bad/nul\0x" stored a file under bad/nul. Error messages quoted invalid UTF-8 as it came,
// which made their bodies invalid JSON.
void TestBadInput::nulBytesAndInvalidUtf8()
{
    const Reply read = m_server.post("/call/read", R"({"project_id": "bad/main", "id": "r1\u0000x"})");
    EXPECT_OK(read);
    QVERIFY2(read.value(u"call").isNull(), qPrintable(read.describe()));
    const auto upload = [this](const QByteArray& project) {
        const QByteArray body = "--b0\r\nContent-Disposition: form-data; name=\"project_id\"\r\n\r\n"
            + project
            + "\r\n--b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n"
              "Content-Type: application/octet-stream\r\n\r\nbytes\r\n--b0--\r\n";
        return m_server.send("POST", "/file/create", body, "multipart/form-data; boundary=b0");
    };
    EXPECT_OK(upload("bad/main"));
    EXPECT_CLIENT_ERROR(upload(QByteArray("bad/nul\0x", 9)));
    EXPECT_CLIENT_ERROR(upload("bad/\xff\xfe"));
    EXPECT_CLIENT_ERROR(upload("bad/\xc3"));
    EXPECT_API_ERROR(m_server.send("POST", "/%ff%fe", "{}", "application/json"), 404);
}

// Connections kept alive and idle, as SDKs and the desktop app leave them, each hold a server
// thread until they close. With eight threads, sixteen of them locked a new client out until the
// server dropped some of them (after 5 s idle): a reply then means some idle connection was closed.
void TestBadInput::idleConnectionsDoNotLockOthersOut()
{
    std::vector<int> idle;
    const auto closeAll = qScopeGuard([&idle] {
        for (int fd : idle)
            ::close(fd);
    });
    const QByteArray request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    for (int i = 0; i < 16; ++i) {
        const int fd = connectTo(m_server.port());
        QVERIFY(fd >= 0);
        idle.push_back(fd);
        QVERIFY(sendAll(fd, request));
    }
    // Each got its answer and stays open.
    for (int fd : idle) {
        char buffer[512];
        QVERIFY(::read(fd, buffer, sizeof buffer) > 0);
    }
    EXPECT_OK(m_server.post("/calls/query_stats", R"({"project_id": "bad/main"})"));
    for (int fd : idle) {
        pollfd state { fd, POLLIN, 0 };
        char byte = 0;
        const bool closed = ::poll(&state, 1, 0) == 1 && ::recv(fd, &byte, 1, MSG_PEEK) == 0;
        QVERIFY2(!closed, "the server closed an idle connection to serve the new one");
    }
}

void TestBadInput::unknownEndpoint_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status"); // 0: any 4xx
    QTest::newRow("POST /nope") << QByteArray("POST") << QByteArray("/nope") << 404;
    QTest::newRow("POST /call") << QByteArray("POST") << QByteArray("/call") << 404;
    QTest::newRow("POST /calls/query/extra") << QByteArray("POST") << QByteArray("/calls/query/extra") << 404;
    QTest::newRow("GET /nope") << QByteArray("GET") << QByteArray("/nope") << 404;
    QTest::newRow("GET on a POST route") << QByteArray("GET") << QByteArray("/calls/query") << 0;
    QTest::newRow("PUT on a POST route") << QByteArray("PUT") << QByteArray("/obj/create") << 0;
    QTest::newRow("DELETE on a POST route") << QByteArray("DELETE") << QByteArray("/calls/delete") << 0;
}

void TestBadInput::unknownEndpoint()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    const Reply reply = m_server.send(
        method.constData(), path.constData(), R"({"project_id": "bad/main"})", "application/json");
    if (status)
        EXPECT_API_ERROR(reply, status);
    else
        EXPECT_CLIENT_ERROR(reply);
    QVERIFY2(reply.contentType.startsWith("application/json"), reply.contentType.constData());
}

void TestBadInput::deepNestingDoesNotCrash_data()
{
    QTest::addColumn<QByteArray>("route");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("300 000 unclosed [ on calls/query")
        << QByteArray("/calls/query") << QByteArray(300000, '[');
    QTest::newRow("200 000 unclosed { on obj/create")
        << QByteArray("/obj/create") << QByteArray("{\"a\":").repeated(200000);
    const auto nested = [](int depth) -> QByteArray {
        return QByteArray(depth, '[') + QByteArray(depth, ']');
    };
    QTest::newRow("obj/create val nested 10 000 deep")
        << QByteArray("/obj/create")
        << QByteArray(R"({"obj": {"project_id": "bad/deep", "object_id": "deep", "val": {"x": )"
               + nested(10000) + "}}}");
    QTest::newRow("table/create row nested 10 000 deep")
        << QByteArray("/table/create")
        << QByteArray(R"({"table": {"project_id": "bad/deep", "rows": [{"x": )" + nested(10000) + "}]}}");
    QTest::newRow("call/start inputs nested 150 000 deep")
        << QByteArray("/call/start")
        << QByteArray(
               R"({"start": {"project_id": "bad/deep", "id": "d", "op_name": "f", "started_at": "2025-01-01T00:00:00Z", "attributes": {}, "inputs": {"x": )"
               + nested(150000) + "}}}");
}

void TestBadInput::deepNestingDoesNotCrash()
{
    QFETCH(QByteArray, route);
    QFETCH(QByteArray, body);
    // A server of its own: a crash here must not take the other tests down with it.
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const Reply reply = server.post(route.constData(), body);
    QVERIFY2(reply.status == 200 || (reply.status >= 400 && reply.status < 500 && reply.isApiError()),
        qPrintable(reply.describe() + u"; server stderr: "_s + server.serverStderr()));
    QVERIFY2(server.isRunning(), "the server process died");
    const Reply after = server.post("/calls/query", R"({"project_id": "bad/deep"})", {});
    EXPECT_OK(after);
    QVERIFY(server.takeServerErrors().isEmpty());
}

void TestBadInput::apiKeyRequired()
{
    TestServer secured;
    QVERIFY2(
        secured.start(TestServer::Options { .apiKey = u"s3cret-key"_s }), qPrintable(secured.errorString()));
    const QByteArray query = R"({"project_id": "auth/p"})";
    const auto basic = [](const QByteArray& credentials) {
        return QList<std::pair<QByteArray, QByteArray>> { { "Authorization",
            "Basic " + credentials.toBase64() } };
    };

    EXPECT_API_ERROR(secured.post("/calls/query", query), 401);
    EXPECT_API_ERROR(
        secured.send("POST", "/calls/query", query, "application/json", basic("api:wrong")), 401);
    EXPECT_API_ERROR(secured.send("POST", "/calls/query", query, "application/json", basic("api:")), 401);
    EXPECT_API_ERROR(
        secured.send("POST", "/calls/query", query, "application/json", basic("s3cret-key")), 401);
    EXPECT_API_ERROR(
        secured.send("POST", "/calls/query", query, "application/json", { { "Authorization", "Basic !!!" } }),
        401);
    EXPECT_API_ERROR(secured.send("POST", "/calls/query", query, "application/json",
                         { { "Authorization", "Bearer wrong" } }),
        401);
    EXPECT_API_ERROR(secured.post("/calls/stream_query", query), 401);
    EXPECT_API_ERROR(
        secured.post("/call/upsert_batch", batchBody({ startItem(u"auth/p"_s, CallSpec { .id = u"x"_s }) })),
        401);
    EXPECT_API_ERROR(secured.uploadFile(u"auth/p"_s, "bytes"), 401);
    EXPECT_API_ERROR(secured.post("/file/content", R"({"project_id": "auth/p", "digest": "x"})", {}), 401);

    // The right key works, whatever the Basic user name.
    EXPECT_OK(secured.send("POST", "/calls/query", query, "application/json", basic("api:s3cret-key")));
    EXPECT_OK(secured.send("POST", "/calls/query", query, "application/json", basic("user:s3cret-key")));
    secured.setApiKey(u"s3cret-key"_s);
    EXPECT_OK(secured.logCalls(u"auth/p"_s, { CallSpec { .id = u"ok"_s, .endedAt = isoAt(1) } }));
    const LinesReply lines = secured.postLines("/calls/stream_query", query);
    EXPECT_OK(lines);
    QCOMPARE(idsOf(lines.lines), QStringList { u"ok"_s });
    EXPECT_OK(secured.uploadFile(u"auth/p"_s, "bytes"));
    // Nothing got in through the refused requests.
    QCOMPARE(idsOf(secured.postLines("/calls/stream_query", query).lines), QStringList { u"ok"_s });
    QVERIFY(secured.takeServerErrors().isEmpty());
    QVERIFY(secured.stop());
}

void TestBadInput::refusesPublicHostWithoutApiKey_data()
{
    QTest::addColumn<QString>("host");
    QTest::newRow("0.0.0.0") << u"0.0.0.0"_s;
    QTest::newRow("::") << u"::"_s;
}

void TestBadInput::refusesPublicHostWithoutApiKey()
{
    QFETCH(QString, host);
    QTemporaryDir dir;
    QProcess process;
    process.start(
        serverBinaryPath(), { u"--host"_s, host, u"--port"_s, u"0"_s, u"--data-dir"_s, dir.path() });
    QVERIFY(process.waitForStarted());
    if (!process.waitForFinished(10000)) {
        process.kill();
        process.waitForFinished();
        QFAIL("the server kept running on a public address without --api-key");
    }
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(process.exitCode() != 0, "exit code 0");
    QVERIFY(!process.readAllStandardOutput().contains("listening on"));
    QVERIFY(!process.readAllStandardError().isEmpty());
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_bad_input.moc"
