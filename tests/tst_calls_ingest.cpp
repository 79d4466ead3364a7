// Ingest and single-call routes: /call/start, /call/end, /call/upsert_batch, /call/read,
// /call/update, /calls/delete, plus the server-computed summary.weave and crash-safe shutdown.
#include "support/testserver.h"

#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace spindle::test;

class TestCallsIngest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void startThenEnd();
    void startWithoutIdsGetsServerIds();
    void upsertBatchAnswersPerItem();
    void endBeforeStartMerges_data();
    void endBeforeStartMerges();
    void startAndEndInSeparateBatches();
    void endWithoutStartIsInvisible();
    void readMissingOrDeletedIsNull();
    void readReturnsCallSchema();
    void updateDisplayName();
    void deleteCascadesToDescendants();
    void deleteCountsOnlyLiveCalls();
    void status_data();
    void status();
    void clientSummaryWeaveIsReplaced();
    void latency_data();
    void latency();
    void traceNameAndDisplayName_data();
    void traceNameAndDisplayName();
    void displayNameFromEndRecord();
    void inputAndOutputRefs();
    void sigtermKeepsAcknowledgedWrites();
    void serviceRoutes();

private:
    QJsonObject readCall(const QString& project, const QString& id);
    TestServer m_server;
};

void TestCallsIngest::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestCallsIngest::cleanup()
{
    EXPECT_SERVER_HEALTHY(m_server);
}

QJsonObject TestCallsIngest::readCall(const QString& project, const QString& id)
{
    const Reply reply = m_server.post(
        "/call/read", R"({"project_id": "{{p}}", "id": "{{id}}"})", { { "p", project }, { "id", id } });
    if (reply.status != 200) {
        qWarning() << "call/read failed:" << reply.describe();
        return {};
    }
    return reply.value(u"call").toObject();
}

void TestCallsIngest::startThenEnd()
{
    const QString p = testProject("ingest");
    CallSpec call { .id = u"c1"_s,
        .traceId = u"t1"_s,
        .startedAt = u"2025-01-01T00:00:00.000Z"_s,
        .endedAt = u"2025-01-01T00:00:01.500Z"_s };
    call.inputs = R"({"q": "hi"})";
    call.output = R"({"a": 1})";

    Reply started = m_server.post("/call/start", "{\"start\": " + startRecord(p, call) + "}");
    EXPECT_OK(started);
    QCOMPARE(started.value(u"id").toString(), u"c1"_s);
    QCOMPARE(started.value(u"trace_id").toString(), u"t1"_s);

    QJsonObject read = readCall(p, u"c1"_s);
    QCOMPARE(read.value(u"id").toString(), u"c1"_s);
    QVERIFY(read.value(u"ended_at").isNull());
    QCOMPARE(read.value(u"summary")[u"weave"][u"status"].toString(), u"running"_s);
    QVERIFY(!read.value(u"summary")[u"weave"].toObject().contains(u"latency_ms"));

    Reply ended = m_server.post("/call/end", "{\"end\": " + endRecord(p, call) + "}");
    EXPECT_OK(ended);
    QCOMPARE(ended.json, QJsonValue(QJsonObject()));

    read = readCall(p, u"c1"_s);
    QCOMPARE(read.value(u"ended_at").toString(), u"2025-01-01T00:00:01.500000Z"_s);
    QCOMPARE(read.value(u"output")[u"a"].toInt(), 1);
    QCOMPARE(read.value(u"inputs")[u"q"].toString(), u"hi"_s);
    QCOMPARE(read.value(u"summary")[u"weave"][u"status"].toString(), u"success"_s);
    QCOMPARE(read.value(u"summary")[u"weave"][u"latency_ms"].toInt(), 1500);
}

void TestCallsIngest::startWithoutIdsGetsServerIds()
{
    const QString p = testProject("ingest");
    const Reply started = m_server.post("/call/start",
        R"({"start": {"project_id": "{{p}}", "op_name": "gen", "started_at": "2025-01-01T00:00:00Z", "attributes": {}, "inputs": {}}})",
        { { "p", p } });
    EXPECT_OK(started);
    const QString id = started.value(u"id").toString();
    const QString traceId = started.value(u"trace_id").toString();
    QVERIFY(!id.isEmpty());
    QVERIFY(!traceId.isEmpty());
    const QJsonObject read = readCall(p, id);
    QCOMPARE(read.value(u"id").toString(), id);
    QCOMPARE(read.value(u"trace_id").toString(), traceId);
}

void TestCallsIngest::upsertBatchAnswersPerItem()
{
    const QString p = testProject("ingest");
    const CallSpec a { .id = u"a"_s, .traceId = u"ta"_s, .endedAt = u"2025-01-01T00:00:01Z"_s };
    const CallSpec b { .id = u"b"_s, .traceId = u"ta"_s, .parentId = u"a"_s };
    const Reply reply =
        m_server.post("/call/upsert_batch", batchBody({ startItem(p, a), startItem(p, b), endItem(p, a) }));
    EXPECT_OK(reply);
    const QJsonArray res = reply.value(u"res").toArray();
    QCOMPARE(res.size(), 3);
    QCOMPARE(res[0][u"id"].toString(), u"a"_s);
    QCOMPARE(res[0][u"trace_id"].toString(), u"ta"_s);
    QCOMPARE(res[1][u"id"].toString(), u"b"_s);
    QCOMPARE(res[2].toObject(), QJsonObject());
    QCOMPARE(readCall(p, u"a"_s).value(u"summary")[u"weave"][u"status"].toString(), u"success"_s);
    QCOMPARE(readCall(p, u"b"_s).value(u"parent_id").toString(), u"a"_s);
}

void TestCallsIngest::endBeforeStartMerges_data()
{
    QTest::addColumn<bool>("sameBatch");
    QTest::newRow("end first in the same batch") << true;
    QTest::newRow("end in an earlier batch") << false;
}

void TestCallsIngest::endBeforeStartMerges()
{
    QFETCH(bool, sameBatch);
    const QString p = testProject("ingest");
    CallSpec call { .id = u"late-start"_s,
        .opName = u"weave:///x/y/op/merge_me:abc"_s,
        .startedAt = u"2025-01-01T00:00:00Z"_s,
        .endedAt = u"2025-01-01T00:00:02Z"_s };
    call.inputs = R"({"in": 1})";
    call.output = R"("done")";
    call.exception = u"failed late"_s;
    call.summary = R"({"usage": {"m": {"requests": 1}}})";
    if (sameBatch) {
        EXPECT_OK(m_server.post("/call/upsert_batch", batchBody({ endItem(p, call), startItem(p, call) })));
    } else {
        EXPECT_OK(m_server.post("/call/upsert_batch", batchBody({ endItem(p, call) })));
        QVERIFY(m_server.post("/call/read", R"({"project_id": "{{p}}", "id": "late-start"})", { { "p", p } })
                    .value(u"call")
                    .isNull());
        EXPECT_OK(m_server.post("/call/upsert_batch", batchBody({ startItem(p, call) })));
    }
    const QJsonObject read = readCall(p, u"late-start"_s);
    QCOMPARE(read.value(u"started_at").toString(), u"2025-01-01T00:00:00.000000Z"_s);
    QCOMPARE(read.value(u"ended_at").toString(), u"2025-01-01T00:00:02.000000Z"_s);
    QCOMPARE(read.value(u"inputs")[u"in"].toInt(), 1);
    QCOMPARE(read.value(u"output").toString(), u"done"_s);
    QCOMPARE(read.value(u"exception").toString(), u"failed late"_s);
    QCOMPARE(read.value(u"op_name").toString(), u"weave:///x/y/op/merge_me:abc"_s);
    QCOMPARE(read.value(u"summary")[u"usage"][u"m"][u"requests"].toInt(), 1);
    QCOMPARE(read.value(u"summary")[u"weave"][u"status"].toString(), u"error"_s);
    QCOMPARE(read.value(u"summary")[u"weave"][u"latency_ms"].toInt(), 2000);
    QCOMPARE(read.value(u"summary")[u"weave"][u"trace_name"].toString(), u"merge_me"_s);
}

void TestCallsIngest::startAndEndInSeparateBatches()
{
    const QString p = testProject("ingest");
    CallSpec call {
        .id = u"two-step"_s, .startedAt = u"2025-01-01T00:00:00Z"_s, .endedAt = u"2025-01-01T00:00:00.250Z"_s
    };
    EXPECT_OK(m_server.post("/call/upsert_batch", batchBody({ startItem(p, call) })));
    QCOMPARE(readCall(p, u"two-step"_s).value(u"summary")[u"weave"][u"status"].toString(), u"running"_s);
    const LinesReply running =
        m_server.postLines("/calls/stream_query", fill(R"({"project_id": "{{p}}"})", { { "p", p } }));
    QCOMPARE(idsOf(running.lines), QStringList { u"two-step"_s });
    EXPECT_OK(m_server.post("/call/upsert_batch", batchBody({ endItem(p, call) })));
    const QJsonObject read = readCall(p, u"two-step"_s);
    QCOMPARE(read.value(u"summary")[u"weave"][u"status"].toString(), u"success"_s);
    QCOMPARE(read.value(u"summary")[u"weave"][u"latency_ms"].toInt(), 250);
}

void TestCallsIngest::endWithoutStartIsInvisible()
{
    const QString p = testProject("ingest");
    const CallSpec visible { .id = u"visible"_s, .endedAt = u"2025-01-01T00:00:01Z"_s };
    const CallSpec orphan { .id = u"orphan"_s, .endedAt = u"2025-01-01T00:00:01Z"_s };
    EXPECT_OK(m_server.logCalls(p, { visible }));
    const Reply ended = m_server.post("/call/end", "{\"end\": " + endRecord(p, orphan) + "}");
    EXPECT_OK(ended);

    QVERIFY(m_server.post("/call/read", R"({"project_id": "{{p}}", "id": "orphan"})", { { "p", p } })
                .value(u"call")
                .isNull());
    const LinesReply all =
        m_server.postLines("/calls/stream_query", fill(R"({"project_id": "{{p}}"})", { { "p", p } }));
    EXPECT_OK(all);
    QCOMPARE(idsOf(all.lines), QStringList { u"visible"_s });
    const LinesReply byId = m_server.postLines("/calls/stream_query",
        fill(R"({"project_id": "{{p}}", "filter": {"call_ids": ["orphan"]}})", { { "p", p } }));
    QCOMPARE(byId.lines.size(), 0);
    const Reply byExpr = m_server.post("/calls/query",
        R"({"project_id": "{{p}}", "query": {"$expr": {"$eq": [{"$getField": "id"}, {"$literal": "orphan"}]}}})",
        { { "p", p } });
    EXPECT_OK(byExpr);
    QCOMPARE(idsOf(byExpr), QStringList());
    const Reply stats = m_server.post("/calls/query_stats", R"({"project_id": "{{p}}"})", { { "p", p } });
    QCOMPARE(stats.value(u"count").toInt(), 1);
}

void TestCallsIngest::readMissingOrDeletedIsNull()
{
    const QString p = testProject("ingest");
    const Reply missing =
        m_server.post("/call/read", R"({"project_id": "{{p}}", "id": "nope"})", { { "p", p } });
    EXPECT_OK(missing);
    QVERIFY(missing.object().contains(u"call"));
    QVERIFY(missing.value(u"call").isNull());

    EXPECT_OK(m_server.logCalls(p, { CallSpec { .id = u"doomed"_s, .endedAt = u"2025-01-01T00:00:01Z"_s } }));
    QCOMPARE(readCall(p, u"doomed"_s).value(u"id").toString(), u"doomed"_s);
    EXPECT_OK(
        m_server.post("/calls/delete", R"({"project_id": "{{p}}", "call_ids": ["doomed"]})", { { "p", p } }));
    const Reply deleted =
        m_server.post("/call/read", R"({"project_id": "{{p}}", "id": "doomed"})", { { "p", p } });
    EXPECT_OK(deleted);
    QVERIFY(deleted.object().contains(u"call"));
    QVERIFY(deleted.value(u"call").isNull());
}

void TestCallsIngest::readReturnsCallSchema()
{
    const QString p = testProject("ingest");
    CallSpec call { .id = u"full"_s,
        .traceId = u"trace-full"_s,
        .parentId = u"parent-x"_s,
        .opName = u"weave:///ingest/x/op/full_op:d1"_s,
        .startedAt = u"2025-03-01T11:00:00.5+01:00"_s,
        .endedAt = u"2025-03-01T10:00:01.75Z"_s };
    call.inputs = R"({"text": "hello", "nested": {"n": [1, 2.5]}})";
    call.attributes = R"({"weave": {"client_version": "0.11.1", "source": "js-sdk"}, "user": "a"})";
    call.output = R"("hi")";
    call.summary = R"({"usage": {"gpt-4o-mini": {"requests": 1, "prompt_tokens": 12}}, "custom": true})";
    call.threadId = u"thread-1"_s;
    call.turnId = u"turn-1"_s;
    call.wbRunId = u"ingest/x/run-1"_s;
    EXPECT_OK(m_server.logCalls(p, { call }));

    const QJsonObject read = readCall(p, u"full"_s);
    QCOMPARE(read.value(u"id").toString(), u"full"_s);
    QCOMPARE(read.value(u"project_id").toString(), p);
    QCOMPARE(read.value(u"op_name").toString(), call.opName);
    QVERIFY(read.value(u"display_name").isNull());
    QCOMPARE(read.value(u"trace_id").toString(), u"trace-full"_s);
    QCOMPARE(read.value(u"parent_id").toString(), u"parent-x"_s);
    QCOMPARE(read.value(u"thread_id").toString(), u"thread-1"_s);
    QCOMPARE(read.value(u"turn_id").toString(), u"turn-1"_s);
    // Offsets are normalised to UTC with microseconds and a Z.
    QCOMPARE(read.value(u"started_at").toString(), u"2025-03-01T10:00:00.500000Z"_s);
    QCOMPARE(read.value(u"ended_at").toString(), u"2025-03-01T10:00:01.750000Z"_s);
    QCOMPARE(read.value(u"attributes").toObject(), parseJson(call.attributes).toObject());
    QCOMPARE(read.value(u"inputs").toObject(), parseJson(call.inputs).toObject());
    QCOMPARE(read.value(u"output").toString(), u"hi"_s);
    QVERIFY(read.value(u"exception").isNull());
    QCOMPARE(read.value(u"summary")[u"custom"].toBool(), true);
    QCOMPARE(read.value(u"summary")[u"usage"][u"gpt-4o-mini"][u"prompt_tokens"].toInt(), 12);
    QCOMPARE(read.value(u"summary")[u"weave"][u"latency_ms"].toInt(), 1250);
    QVERIFY(read.value(u"wb_user_id").isString());
    QVERIFY(!read.value(u"wb_user_id").toString().isEmpty());
    QCOMPARE(read.value(u"wb_run_id").toString(), u"ingest/x/run-1"_s);
    QVERIFY(read.contains(u"deleted_at"));
    QVERIFY(read.value(u"deleted_at").isNull());
    // No costs unless asked for.
    QVERIFY(!read.value(u"summary")[u"weave"].toObject().contains(u"costs"));
}

void TestCallsIngest::updateDisplayName()
{
    const QString p = testProject("ingest");
    EXPECT_OK(m_server.logCalls(p,
        { CallSpec { .id = u"named"_s,
            .opName = u"weave:///a/b/op/my_op:abc"_s,
            .endedAt = u"2025-01-01T00:00:01Z"_s } }));
    QCOMPARE(readCall(p, u"named"_s).value(u"summary")[u"weave"][u"trace_name"].toString(), u"my_op"_s);

    const Reply set = m_server.post("/call/update",
        R"({"project_id": "{{p}}", "call_id": "named", "display_name": "My run"})", { { "p", p } });
    EXPECT_OK(set);
    QCOMPARE(set.json, QJsonValue(QJsonObject()));
    QJsonObject read = readCall(p, u"named"_s);
    QCOMPARE(read.value(u"display_name").toString(), u"My run"_s);
    QCOMPARE(read.value(u"summary")[u"weave"][u"display_name"].toString(), u"My run"_s);
    QVERIFY(!read.value(u"summary")[u"weave"].toObject().contains(u"trace_name"));

    EXPECT_OK(m_server.post("/call/update",
        R"({"project_id": "{{p}}", "call_id": "named", "display_name": ""})", { { "p", p } }));
    read = readCall(p, u"named"_s);
    QVERIFY2(read.value(u"display_name").isNull() || read.value(u"display_name").toString().isEmpty(),
        toJsonText(read.value(u"display_name")).constData());
    QCOMPARE(read.value(u"summary")[u"weave"][u"trace_name"].toString(), u"my_op"_s);
    QVERIFY(!read.value(u"summary")[u"weave"].toObject().contains(u"display_name"));
}

void TestCallsIngest::deleteCascadesToDescendants()
{
    const QString p = testProject("ingest");
    // root ─ a ─ b ─ c, root ─ d; plus an unrelated trace.
    const QString end = u"2025-01-01T00:00:09Z"_s;
    EXPECT_OK(m_server.logCalls(p,
        {
            CallSpec { .id = u"root"_s, .traceId = u"t"_s, .endedAt = end },
            CallSpec { .id = u"a"_s,
                .traceId = u"t"_s,
                .parentId = u"root"_s,
                .startedAt = u"2025-01-01T00:00:01Z"_s,
                .endedAt = end },
            CallSpec { .id = u"b"_s,
                .traceId = u"t"_s,
                .parentId = u"a"_s,
                .startedAt = u"2025-01-01T00:00:02Z"_s,
                .endedAt = end },
            CallSpec {
                .id = u"c"_s, .traceId = u"t"_s, .parentId = u"b"_s, .startedAt = u"2025-01-01T00:00:03Z"_s },
            CallSpec { .id = u"d"_s,
                .traceId = u"t"_s,
                .parentId = u"root"_s,
                .startedAt = u"2025-01-01T00:00:04Z"_s,
                .endedAt = end },
            CallSpec { .id = u"other"_s,
                .traceId = u"t2"_s,
                .startedAt = u"2025-01-01T00:00:05Z"_s,
                .endedAt = end },
        }));

    const Reply deleted =
        m_server.post("/calls/delete", R"({"project_id": "{{p}}", "call_ids": ["a"]})", { { "p", p } });
    EXPECT_OK(deleted);
    QCOMPARE(deleted.value(u"num_deleted").toInt(), 3);
    const LinesReply left =
        m_server.postLines("/calls/stream_query", fill(R"({"project_id": "{{p}}"})", { { "p", p } }));
    QCOMPARE(idsOf(left.lines), (QStringList { u"root"_s, u"d"_s, u"other"_s }));
    for (const QString& gone : { u"a"_s, u"b"_s, u"c"_s })
        QVERIFY2(m_server
                     .post("/call/read", R"({"project_id": "{{p}}", "id": "{{id}}"})",
                         { { "p", p }, { "id", gone } })
                     .value(u"call")
                     .isNull(),
            qPrintable(gone));
    const Reply stats = m_server.post("/calls/query_stats", R"({"project_id": "{{p}}"})", { { "p", p } });
    QCOMPARE(stats.value(u"count").toInt(), 3);
    // Children of deleted calls no longer show up under their parent either.
    const LinesReply children = m_server.postLines("/calls/stream_query",
        fill(R"({"project_id": "{{p}}", "filter": {"parent_ids": ["a", "b"]}})", { { "p", p } }));
    QCOMPARE(children.lines.size(), 0);
}

void TestCallsIngest::deleteCountsOnlyLiveCalls()
{
    const QString p = testProject("ingest");
    EXPECT_OK(m_server.logCalls(p,
        { CallSpec { .id = u"x"_s, .endedAt = u"2025-01-01T00:00:01Z"_s },
            CallSpec { .id = u"y"_s, .endedAt = u"2025-01-01T00:00:01Z"_s } }));
    Reply reply = m_server.post(
        "/calls/delete", R"({"project_id": "{{p}}", "call_ids": ["x", "missing"]})", { { "p", p } });
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"num_deleted").toInt(), 1);
    reply = m_server.post("/calls/delete", R"({"project_id": "{{p}}", "call_ids": ["x"]})", { { "p", p } });
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"num_deleted").toInt(), 0);
    // Another project's ids are not touched.
    reply = m_server.post("/calls/delete", R"({"project_id": "{{p}}x", "call_ids": ["y"]})", { { "p", p } });
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"num_deleted").toInt(), 0);
    QCOMPARE(readCall(p, u"y"_s).value(u"id").toString(), u"y"_s);
}

void TestCallsIngest::status_data()
{
    QTest::addColumn<bool>("ended");
    QTest::addColumn<QString>("exception");
    QTest::addColumn<QByteArray>("summary");
    QTest::addColumn<QString>("status");

    QTest::newRow("success") << true << QString() << QByteArray("{}") << u"success"_s;
    QTest::newRow("error") << true << u"ValueError: bad"_s << QByteArray("{}") << u"error"_s;
    QTest::newRow("running") << false << QString() << QByteArray("{}") << u"running"_s;
    QTest::newRow("descendant_error")
        << true << QString() << QByteArray(R"({"status_counts": {"success": 3, "error": 1}})")
        << u"descendant_error"_s;
    QTest::newRow("zero errors is success")
        << true << QString() << QByteArray(R"({"status_counts": {"success": 3, "error": 0}})")
        << u"success"_s;
    QTest::newRow("own exception beats descendant_error")
        << true << u"boom"_s << QByteArray(R"({"status_counts": {"error": 2}})") << u"error"_s;
}

void TestCallsIngest::status()
{
    QFETCH(bool, ended);
    QFETCH(QString, exception);
    QFETCH(QByteArray, summary);
    QFETCH(QString, status);
    const QString p = testProject("ingest");
    CallSpec call { .id = u"s"_s, .endedAt = ended ? u"2025-01-01T00:00:01Z"_s : QString() };
    call.exception = exception;
    call.summary = summary;
    EXPECT_OK(m_server.logCalls(p, { call }));
    const QJsonObject read = readCall(p, u"s"_s);
    QCOMPARE(read.value(u"summary")[u"weave"][u"status"].toString(), status);
    if (!exception.isEmpty())
        QCOMPARE(read.value(u"exception").toString(), exception);
    // The same status is what $getField summary.weave.status filters on.
    const Reply filtered = m_server.post("/calls/query",
        R"({"project_id": "{{p}}", "query": {"$expr": {"$eq": [{"$getField": "summary.weave.status"}, {"$literal": "{{s}}"}]}}})",
        { { "p", p }, { "s", status } });
    QCOMPARE(idsOf(filtered), QStringList { u"s"_s });
}

void TestCallsIngest::clientSummaryWeaveIsReplaced()
{
    const QString p = testProject("ingest");
    CallSpec call { .id = u"w"_s, .endedAt = u"2025-01-01T00:00:00.100Z"_s };
    call.summary = R"({"weave": {"status": "bogus", "foo": 1, "latency_ms": 99999}, "keep": "me"})";
    EXPECT_OK(m_server.logCalls(p, { call }));
    const QJsonObject summary = readCall(p, u"w"_s).value(u"summary").toObject();
    QCOMPARE(summary.value(u"keep").toString(), u"me"_s);
    const QJsonObject weave = summary.value(u"weave").toObject();
    QCOMPARE(weave.value(u"status").toString(), u"success"_s);
    QCOMPARE(weave.value(u"latency_ms").toInt(), 100);
    QVERIFY(!weave.contains(u"foo"));
}

void TestCallsIngest::latency_data()
{
    QTest::addColumn<QString>("startedAt");
    QTest::addColumn<QString>("endedAt");
    QTest::addColumn<int>("latencyMs");
    QTest::newRow("Z") << u"2025-01-01T00:00:00.000Z"_s << u"2025-01-01T00:00:01.250Z"_s << 1250;
    QTest::newRow("offset and Z") << u"2025-01-01T01:00:00+01:00"_s << u"2025-01-01T00:00:02.5Z"_s << 2500;
    QTest::newRow("naive is UTC") << u"2025-01-01T00:00:03"_s << u"2025-01-01T00:00:03.007"_s << 7;
    QTest::newRow("python +00:00 micros")
        << u"2025-01-01T00:00:00.000100+00:00"_s << u"2025-01-01T00:01:00.000100+00:00"_s << 60000;
    QTest::newRow("zero") << u"2025-01-01T00:00:00Z"_s << u"2025-01-01T00:00:00Z"_s << 0;
}

void TestCallsIngest::latency()
{
    QFETCH(QString, startedAt);
    QFETCH(QString, endedAt);
    QFETCH(int, latencyMs);
    const QString p = testProject("ingest");
    EXPECT_OK(
        m_server.logCalls(p, { CallSpec { .id = u"l"_s, .startedAt = startedAt, .endedAt = endedAt } }));
    const QJsonObject weave = readCall(p, u"l"_s).value(u"summary")[u"weave"].toObject();
    QVERIFY2(weave.value(u"latency_ms").isDouble(), toJsonText(weave).constData());
    QCOMPARE(weave.value(u"latency_ms").toInt(), latencyMs);
}

void TestCallsIngest::traceNameAndDisplayName_data()
{
    QTest::addColumn<QString>("opName");
    QTest::addColumn<QString>("displayName");
    QTest::addColumn<QString>("traceName"); // empty: absent
    QTest::addColumn<QString>("weaveDisplayName"); // empty: absent

    QTest::newRow("op ref") << u"weave:///e/p/op/summarize:Xq3k"_s << QString() << u"summarize"_s
                            << QString();
    QTest::newRow("plain op name") << u"openai.chat.completions.create"_s << QString()
                                   << u"openai.chat.completions.create"_s << QString();
    QTest::newRow("display name wins")
        << u"weave:///e/p/op/summarize:Xq3k"_s << u"Nightly eval"_s << QString() << u"Nightly eval"_s;
}

void TestCallsIngest::traceNameAndDisplayName()
{
    QFETCH(QString, opName);
    QFETCH(QString, displayName);
    QFETCH(QString, traceName);
    QFETCH(QString, weaveDisplayName);
    const QString p = testProject("ingest");
    EXPECT_OK(m_server.logCalls(p,
        { CallSpec { .id = u"n"_s,
            .opName = opName,
            .endedAt = u"2025-01-01T00:00:01Z"_s,
            .displayName = displayName } }));
    const QJsonObject read = readCall(p, u"n"_s);
    const QJsonObject weave = read.value(u"summary")[u"weave"].toObject();
    QCOMPARE(weave.value(u"trace_name").toString(), traceName);
    QCOMPARE(weave.contains(u"trace_name"), !traceName.isEmpty());
    QCOMPARE(weave.value(u"display_name").toString(), weaveDisplayName);
    QCOMPARE(weave.contains(u"display_name"), !weaveDisplayName.isEmpty());
    QCOMPARE(read.value(u"op_name").toString(), opName);
    if (displayName.isEmpty())
        QVERIFY(read.value(u"display_name").isNull());
    else
        QCOMPARE(read.value(u"display_name").toString(), displayName);
}

void TestCallsIngest::displayNameFromEndRecord()
{
    // The TS SDK 0.11.1 sends an extra display_name inside the end record.
    const QString p = testProject("ingest");
    const CallSpec call { .id = u"ts"_s, .opName = u"weave:///e/p/op/f:1"_s };
    const QByteArray end = fill(
        R"({"mode": "end", "req": {"end": {"project_id": "{{p}}", "id": "ts", "ended_at": "2025-01-01T00:00:01Z", "output": null, "summary": {}, "display_name": "From end"}}})",
        { { "p", p } });
    EXPECT_OK(m_server.post("/call/upsert_batch", batchBody({ startItem(p, call), end })));
    const QJsonObject read = readCall(p, u"ts"_s);
    QCOMPARE(read.value(u"display_name").toString(), u"From end"_s);
    QCOMPARE(read.value(u"summary")[u"weave"][u"display_name"].toString(), u"From end"_s);
}

void TestCallsIngest::inputAndOutputRefs()
{
    const QString p = testProject("ingest");
    const QString model = objectRef(p, u"model"_s, u"m1"_s);
    const QString dataset = objectRef(p, u"dataset"_s, u"d1"_s);
    const QString nested = objectRef(p, u"prompt"_s, u"p1"_s);
    const QString result = objectRef(p, u"result"_s, u"r1"_s);
    const QString scalar = objectRef(p, u"scalar"_s, u"s1"_s);

    CallSpec withInputs { .id = u"in"_s, .endedAt = u"2025-01-01T00:00:01Z"_s };
    withInputs.inputs =
        fill(R"({"model": "{{m}}", "args": [1, {"deep": ["{{n}}"]}], "text": "weave:/ not a ref"})",
            { { "m", model }, { "n", nested } });
    withInputs.output = fill(R"({"result": ["{{r}}"]})", { { "r", result } });
    CallSpec scalarOutput {
        .id = u"out"_s, .startedAt = u"2025-01-01T00:00:01Z"_s, .endedAt = u"2025-01-01T00:00:02Z"_s
    };
    scalarOutput.inputs = fill(R"({"ds": "{{d}}"})", { { "d", dataset } });
    scalarOutput.output = jsonString(scalar); // a bare ref as the whole output
    CallSpec none {
        .id = u"none"_s, .startedAt = u"2025-01-01T00:00:02Z"_s, .endedAt = u"2025-01-01T00:00:03Z"_s
    };
    EXPECT_OK(m_server.logCalls(p, { withInputs, scalarOutput, none }));

    const auto query = [&](const char* key, const QString& ref) {
        const QByteArray body = fill(R"({"project_id": "{{p}}", "filter": {"{{k}}": ["{{r}}"]}})",
            { { "p", p }, { "k", QString::fromLatin1(key) }, { "r", ref } });
        return idsOf(m_server.postLines("/calls/stream_query", body).lines);
    };
    QCOMPARE(query("input_refs", model), QStringList { u"in"_s });
    QCOMPARE(query("input_refs", nested), QStringList { u"in"_s });
    QCOMPARE(query("input_refs", dataset), QStringList { u"out"_s });
    QCOMPARE(query("input_refs", result), QStringList());
    QCOMPARE(query("output_refs", result), QStringList { u"in"_s });
    QCOMPARE(query("output_refs", scalar), QStringList { u"out"_s });
    QCOMPARE(query("output_refs", model), QStringList());
    QCOMPARE(query("input_refs", u"weave:/ not a ref"_s), QStringList());
    // Wildcard over versions.
    QCOMPARE(query("input_refs", u"weave:///"_s + p + u"/object/model:*"_s), QStringList { u"in"_s });
    QCOMPARE(query("output_refs", u"weave:///"_s + p + u"/object/scalar:*"_s), QStringList { u"out"_s });
}

void TestCallsIngest::sigtermKeepsAcknowledgedWrites()
{
    const QString p = u"ingest/sigterm"_s;
    TestServer first;
    QVERIFY2(first.start(), qPrintable(first.errorString()));
    QList<CallSpec> calls;
    for (int i = 0; i < 20; ++i)
        calls << CallSpec { .id = u"k%1"_s.arg(i, 2, 10, QChar(u'0')),
            .startedAt = isoAt(i * 1000),
            .endedAt = i % 2 ? isoAt(i * 1000 + 5) : QString() };
    EXPECT_OK(first.logCalls(p, calls.mid(0, 10)));
    EXPECT_OK(first.logCalls(p, calls.mid(10)));
    EXPECT_OK(first.post("/call/update",
        R"({"project_id": "{{p}}", "call_id": "k03", "display_name": "renamed"})", { { "p", p } }));
    EXPECT_OK(first.post("/obj/create",
        R"({"obj": {"project_id": "{{p}}", "object_id": "kept", "val": {"a": 1}}})", { { "p", p } }));
    QVERIFY2(first.stop(), qPrintable(u"unclean SIGTERM shutdown: "_s + first.serverStderr()));

    TestServer second;
    QVERIFY2(
        second.start(TestServer::Options { .dataDir = first.dataDir() }), qPrintable(second.errorString()));
    const LinesReply back =
        second.postLines("/calls/stream_query", fill(R"({"project_id": "{{p}}"})", { { "p", p } }));
    EXPECT_OK(back);
    QStringList expected;
    for (const CallSpec& call : calls)
        expected << call.id;
    QCOMPARE(idsOf(back.lines), expected);
    QCOMPARE(back.lines[1].value(u"summary")[u"weave"][u"status"].toString(), u"success"_s);
    QCOMPARE(back.lines[2].value(u"summary")[u"weave"][u"status"].toString(), u"running"_s);
    QCOMPARE(back.lines[3].value(u"display_name").toString(), u"renamed"_s);
    const Reply obj = second.post(
        "/obj/read", R"({"project_id": "{{p}}", "object_id": "kept", "digest": "latest"})", { { "p", p } });
    EXPECT_OK(obj);
    QCOMPARE(obj.value(u"obj")[u"val"][u"a"].toInt(), 1);
    QVERIFY(second.takeServerErrors().isEmpty());
    QVERIFY(first.takeServerErrors().isEmpty());
    QVERIFY(second.stop());
}

void TestCallsIngest::serviceRoutes()
{
    const Reply health = m_server.get("/health");
    EXPECT_OK(health);
    QCOMPARE(health.value(u"status").toString(), u"ok"_s);
    const Reply info = m_server.get("/server_info");
    EXPECT_OK(info);
    // The Python SDK compares this with its own version: it must be a low x.y.z.
    const QString minimum = info.value(u"min_required_weave_python_version").toString();
    QVERIFY2(QRegularExpression(u"^0\\.\\d+\\.\\d+$"_s).match(minimum).hasMatch(), qPrintable(minimum));
    // It parses this with packaging.version once it has a minimum: "spindle-0.1.0" would raise.
    const QString version = info.value(u"trace_server_version").toString();
    QVERIFY2(QRegularExpression(u"^\\d+\\.\\d+\\.\\d+$"_s).match(version).hasMatch(), qPrintable(version));
}

QTEST_GUILESS_MAIN(TestCallsIngest)
#include "tst_calls_ingest.moc"
