// Feedback and cost routes: /feedback/create|query|purge|replace, /cost/create|query|purge, and how
// prices turn into summary.weave.costs (weave-protocol.md 1.7, 1.8, 4, 6).
#include "support/testserver.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace spindle::test;

namespace {

const QByteArray kThumbsUp = "\xF0\x9F\x91\x8D"; // U+1F44D
const QByteArray kThumbsUpMedium = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"; // U+1F44D U+1F3FD

bool near(double actual, double expected)
{
    return qAbs(actual - expected) <= 1e-12 * qMax(1.0, qAbs(expected)) + 1e-18;
}

} // namespace

#define EXPECT_NEAR(actual, expected)                                                                        \
    QVERIFY2(near((actual), (expected)),                                                                     \
        qPrintable(u"%1 = %2, expected %3"_s.arg(QStringLiteral(#actual))                                    \
                       .arg(actual, 0, 'g', 17)                                                              \
                       .arg(expected, 0, 'g', 17)))

class TestFeedbackCosts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void createCustom();
    void createWithClientId();
    void reaction_data();
    void reaction();
    void note_data();
    void note();
    void builtInTypeRules_data();
    void builtInTypeRules();
    void runnable();
    void runnableOpNeedsCallRef();
    void annotationNeedsAnnotationRef();
    void unknownWandbType_data();
    void unknownWandbType();
    void customTypeRejectsRefs_data();
    void customTypeRejectsRefs();
    void weaveRefMustBeInProject_data();
    void weaveRefMustBeInProject();
    void query_data();
    void query();
    void queryFields();
    void queryIsPerProject();
    void purge_data();
    void purge();
    void purgeRejectsOtherQueries_data();
    void purgeRejectsOtherQueries();
    void replace();

    void costCreateAndQuery();
    void costCreateRejects_data();
    void costCreateRejects();
    void costPurge();
    void costPurgeRejectsOtherQueries();
    void priceByEffectiveDate();
    void projectPriceOverDefault();
    void futureProjectPriceDoesNotApplyYet();
    void priceAddedLaterRepricesFromItsDate();
    void usageNormalisation_data();
    void usageNormalisation();
    void costsShape();
    void cachedPromptTokens_data();
    void cachedPromptTokens();
    void costsOnlyForPricedModels();
    void purgedPriceNoLongerApplies();

private:
    Reply createFeedback(const QString& project, const QByteArray& fields);
    QJsonObject costsOf(const QString& project, const QString& callId);
    QStringList feedbackIds(const QString& project, const QByteArray& extra = {});
    Reply createPrice(const QString& project, const QByteArray& costs);

    TestServer m_server;
};

void TestFeedbackCosts::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestFeedbackCosts::cleanup()
{
    EXPECT_SERVER_HEALTHY(m_server);
}

// `fields` are extra members after project_id, e.g. "\"feedback_type\": \"x\", ...".
Reply TestFeedbackCosts::createFeedback(const QString& project, const QByteArray& fields)
{
    return m_server.post("/feedback/create", "{\"project_id\": " + jsonString(project) + ", " + fields + "}");
}

QStringList TestFeedbackCosts::feedbackIds(const QString& project, const QByteArray& extra)
{
    const Reply reply =
        m_server.post("/feedback/query", "{\"project_id\": " + jsonString(project) + extra + "}");
    QStringList ids;
    for (const QJsonValue& row : reply.value(u"result").toArray())
        ids << row[u"id"].toString();
    return ids;
}

QJsonObject TestFeedbackCosts::costsOf(const QString& project, const QString& callId)
{
    const Reply reply = m_server.post("/calls/query",
        R"({"project_id": "{{p}}", "filter": {"call_ids": ["{{id}}"]}, "include_costs": true})",
        { { "p", project }, { "id", callId } });
    const QJsonArray calls = reply.value(u"calls").toArray();
    if (calls.size() != 1) {
        qWarning() << "no call" << callId << reply.describe();
        return {};
    }
    return calls[0][u"summary"][u"weave"][u"costs"].toObject();
}

Reply TestFeedbackCosts::createPrice(const QString& project, const QByteArray& costs)
{
    return m_server.post(
        "/cost/create", "{\"project_id\": " + jsonString(project) + ", \"costs\": " + costs + "}");
}

void TestFeedbackCosts::createCustom()
{
    const QString p = testProject("fb");
    const QString ref = callRef(p, u"call-1"_s);
    const Reply reply = createFeedback(p,
        fill(
            R"("weave_ref": "{{r}}", "feedback_type": "custom.rating", "creator": "Ann", "payload": {"score": 4, "tags": ["x"]})",
            { { "r", ref } }));
    EXPECT_OK(reply);
    const QString id = reply.value(u"id").toString();
    QVERIFY(!id.isEmpty());
    QVERIFY(reply.value(u"created_at").toString().endsWith(u'Z'));
    QVERIFY(reply.value(u"wb_user_id").isString());
    QCOMPARE(reply.value(u"payload").toObject(), parseJson(R"({"score": 4, "tags": ["x"]})").toObject());

    const Reply query = m_server.post("/feedback/query", R"({"project_id": "{{p}}"})", { { "p", p } });
    EXPECT_OK(query);
    const QJsonArray result = query.value(u"result").toArray();
    QCOMPARE(result.size(), 1);
    const QJsonObject row = result[0].toObject();
    QCOMPARE(row.value(u"id").toString(), id);
    QCOMPARE(row.value(u"project_id").toString(), p);
    QCOMPARE(row.value(u"weave_ref").toString(), ref);
    QCOMPARE(row.value(u"feedback_type").toString(), u"custom.rating"_s);
    QCOMPARE(row.value(u"creator").toString(), u"Ann"_s);
    QCOMPARE(row.value(u"payload")[u"score"].toInt(), 4);
    QCOMPARE(row.value(u"created_at").toString(), reply.value(u"created_at").toString());
    QCOMPARE(row.value(u"wb_user_id").toString(), reply.value(u"wb_user_id").toString());
    for (const QString& key : { u"annotation_ref"_s, u"runnable_ref"_s, u"call_ref"_s, u"trigger_ref"_s })
        QVERIFY2(row.contains(key) && row.value(key).isNull(), qPrintable(key));
}

void TestFeedbackCosts::createWithClientId()
{
    const QString p = testProject("fb");
    const Reply reply = createFeedback(p,
        fill(
            R"("id": "0195f0a2-aaaa-7bbb-8ccc-000000000001", "weave_ref": "{{r}}", "feedback_type": "x", "payload": {})",
            { { "r", callRef(p, u"c"_s) } }));
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"id").toString(), u"0195f0a2-aaaa-7bbb-8ccc-000000000001"_s);
    QCOMPARE(feedbackIds(p), QStringList { u"0195f0a2-aaaa-7bbb-8ccc-000000000001"_s });
}

void TestFeedbackCosts::reaction_data()
{
    QTest::addColumn<QByteArray>("emoji");
    QTest::newRow("thumbs up") << kThumbsUp;
    QTest::newRow("thumbs up, medium skin tone") << kThumbsUpMedium;
}

void TestFeedbackCosts::reaction()
{
    QFETCH(QByteArray, emoji);
    const QString p = testProject("fb");
    const Reply reply = createFeedback(p,
        "\"weave_ref\": " + jsonString(callRef(p, u"c"_s))
            + R"(, "feedback_type": "wandb.reaction.1", "payload": {"emoji": ")" + emoji + "\"}");
    EXPECT_OK(reply);
    const QJsonObject payload = reply.value(u"payload").toObject();
    QCOMPARE(payload.value(u"emoji").toString(), QString::fromUtf8(emoji));
    QCOMPARE(payload.value(u"detoned").toString(), QString::fromUtf8(kThumbsUp));
    QCOMPARE(payload.value(u"detoned_alias").toString(), u":thumbs_up:"_s);
    QVERIFY(payload.value(u"alias").isString());
    // An emoji alias (":thumbs_up:", ":thumbs_up_medium_skin_tone:"), not the glyph again.
    QVERIFY2(payload.value(u"alias").toString().startsWith(u":thumbs_up"_s),
        qPrintable(payload.value(u"alias").toString()));
    // The stored row carries the enriched payload.
    const Reply query = m_server.post("/feedback/query", R"({"project_id": "{{p}}"})", { { "p", p } });
    QCOMPARE(query.value(u"result")[0][u"payload"].toObject(), payload);

    EXPECT_API_ERROR(createFeedback(p,
                         "\"weave_ref\": " + jsonString(callRef(p, u"c"_s))
                             + R"(, "feedback_type": "wandb.reaction.1", "payload": {"text": "no emoji"})"),
        400);
}

void TestFeedbackCosts::note_data()
{
    QTest::addColumn<QByteArray>("note"); // JSON value of payload.note
    QTest::addColumn<bool>("accepted");
    QTest::newRow("one char") << QByteArray(R"("x")") << true;
    QTest::newRow("1024 chars") << "\"" + QByteArray(1024, 'n') + "\"" << true;
    QTest::newRow("1024 non-ASCII chars") << "\"" + QByteArray("\xC3\xA9").repeated(1024) + "\"" << true;
    QTest::newRow("1025 chars") << "\"" + QByteArray(1025, 'n') + "\"" << false;
    QTest::newRow("empty") << QByteArray(R"("")") << false;
    QTest::newRow("not a string") << QByteArray("42") << false;
}

void TestFeedbackCosts::note()
{
    QFETCH(QByteArray, note);
    QFETCH(bool, accepted);
    const QString p = testProject("fb");
    const Reply reply = createFeedback(p,
        "\"weave_ref\": " + jsonString(callRef(p, u"c"_s))
            + R"(, "feedback_type": "wandb.note.1", "payload": {"note": )" + note + "}");
    if (accepted) {
        EXPECT_OK(reply);
        QCOMPARE(feedbackIds(p).size(), 1);
    } else {
        EXPECT_API_ERROR(reply, 400);
        QCOMPARE(feedbackIds(p).size(), 0);
    }
}

void TestFeedbackCosts::builtInTypeRules_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("refs"); // more fields, as JSON members
    QTest::addColumn<QString>("payload");
    QTest::addColumn<bool>("accepted");
    const QString reaction = u"wandb.reaction.1"_s;
    const auto emoji = [](const QString& e) { return u"{\"emoji\": \"%1\"}"_s.arg(e); };
    QTest::newRow("family (ZWJ)") << reaction << QString() << emoji(u"👨‍👩‍👧"_s) << true;
    QTest::newRow("flag") << reaction << QString() << emoji(u"🇫🇷"_s) << true;
    QTest::newRow("keycap") << reaction << QString() << emoji(u"1️⃣"_s) << true;
    QTest::newRow("heart") << reaction << QString() << emoji(u"❤️"_s) << true;
    QTest::newRow("info (a letter asking for emoji presentation)")
        << reaction << QString() << emoji(u"ℹ️"_s) << true;
    QTest::newRow("one emoji among words") << reaction << QString() << emoji(u"great 👍"_s) << true;
    QTest::newRow("degree sign") << reaction << QString() << emoji(u"°"_s) << false;
    QTest::newRow("two emoji") << reaction << QString() << emoji(u"👍👍"_s) << false;
    QTest::newRow("words") << reaction << QString() << emoji(u"hello world"_s) << false;
    QTest::newRow("a letter") << reaction << QString() << emoji(u"a"_s) << false;
    QTest::newRow("empty") << reaction << QString() << emoji(QString()) << false;
    const QString runnable = u", \"runnable_ref\": \"weave:///fb/x/object/judge:abc\""_s;
    QTest::newRow("note with a runnable_ref")
        << u"wandb.note.1"_s << runnable << u"{\"note\": \"x\"}"_s << false;
    QTest::newRow("reaction with a call_ref")
        << reaction << u", \"call_ref\": \"weave:///fb/x/call/c1\""_s << emoji(u"👍"_s) << false;
    QTest::newRow("reaction with an annotation_ref")
        << reaction << u", \"annotation_ref\": \"weave:///fb/x/object/spec:abc\""_s << emoji(u"👍"_s) << false;
    QTest::newRow("runnable of another name")
        << u"wandb.runnable.other"_s << runnable << u"{\"output\": 1}"_s << false;
    QTest::newRow("runnable without output") << u"wandb.runnable.judge"_s << runnable << u"{}"_s << false;
    QTest::newRow("runnable object") << u"wandb.runnable.judge"_s << runnable << u"{\"output\": 1}"_s << true;
}

// Weave's rules for its own feedback types: a reaction is exactly one emoji; only runnable
// feedback names a runnable, a call or a trigger, and its runnable is the one its type names.
void TestFeedbackCosts::builtInTypeRules()
{
    QFETCH(QString, type);
    QFETCH(QString, refs);
    QFETCH(QString, payload);
    QFETCH(bool, accepted);
    const QString p = u"fb/x"_s;
    const Reply reply = createFeedback(p,
        fill(R"("weave_ref": "{{t}}", "feedback_type": "{{y}}", "payload": {{l}})",
            { { "t", callRef(p, u"c1"_s) }, { "y", type }, { "l", payload } })
            + refs.toUtf8());
    if (accepted)
        EXPECT_OK(reply);
    else
        EXPECT_API_ERROR(reply, 400);
}

void TestFeedbackCosts::runnable()
{
    const QString p = testProject("fb");
    const QString target = callRef(p, u"predict"_s);
    const QString scorer = opRef(p, u"my_scorer"_s, u"abc"_s);
    const QString scorerCall = callRef(p, u"score-call"_s);
    EXPECT_API_ERROR(
        createFeedback(p,
            fill(
                R"("weave_ref": "{{t}}", "feedback_type": "wandb.runnable.my_scorer", "payload": {"output": 1})",
                { { "t", target } })),
        400);
    const Reply ok = createFeedback(p,
        fill(
            R"("weave_ref": "{{t}}", "feedback_type": "wandb.runnable.my_scorer", "runnable_ref": "{{r}}", "call_ref": "{{c}}", "payload": {"output": {"score": 0.7}})",
            { { "t", target }, { "r", scorer }, { "c", scorerCall } }));
    EXPECT_OK(ok);
    const Reply query = m_server.post("/feedback/query", R"({"project_id": "{{p}}"})", { { "p", p } });
    const QJsonObject row = query.value(u"result")[0].toObject();
    QCOMPARE(row.value(u"runnable_ref").toString(), scorer);
    QCOMPARE(row.value(u"call_ref").toString(), scorerCall);
    QCOMPARE(row.value(u"payload")[u"output"][u"score"].toDouble(), 0.7);
}

void TestFeedbackCosts::runnableOpNeedsCallRef()
{
    // weave-protocol.md 6: call_ref is required when the runnable is an op (the scorer call).
    const QString p = testProject("fb");
    EXPECT_API_ERROR(
        createFeedback(p,
            fill(
                R"("weave_ref": "{{t}}", "feedback_type": "wandb.runnable.s", "runnable_ref": "{{r}}", "payload": {"output": 1})",
                { { "t", callRef(p, u"predict"_s) }, { "r", opRef(p, u"s"_s, u"abc"_s) } })),
        400);
    QCOMPARE(feedbackIds(p), QStringList());
}

void TestFeedbackCosts::annotationNeedsAnnotationRef()
{
    const QString p = testProject("fb");
    const QString target = callRef(p, u"c"_s);
    EXPECT_API_ERROR(
        createFeedback(p,
            fill(
                R"("weave_ref": "{{t}}", "feedback_type": "wandb.annotation.quality", "payload": {"value": 3})",
                { { "t", target } })),
        400);
    EXPECT_OK(createFeedback(p,
        fill(
            R"("weave_ref": "{{t}}", "feedback_type": "wandb.annotation.quality", "annotation_ref": "{{a}}", "payload": {"value": 3})",
            { { "t", target }, { "a", objectRef(p, u"quality"_s, u"abc"_s) } })));
}

void TestFeedbackCosts::unknownWandbType_data()
{
    QTest::addColumn<QString>("type");
    QTest::newRow("wandb.foo") << u"wandb.foo"_s;
    QTest::newRow("wandb.reaction.2") << u"wandb.reaction.2"_s;
    QTest::newRow("wandb.note") << u"wandb.note"_s;
}

void TestFeedbackCosts::unknownWandbType()
{
    QFETCH(QString, type);
    const QString p = testProject("fb");
    EXPECT_API_ERROR(
        createFeedback(p,
            fill(
                R"("weave_ref": "{{t}}", "feedback_type": "{{type}}", "payload": {"note": "x", "emoji": "x"})",
                { { "t", callRef(p, u"c"_s) }, { "type", type } })),
        400);
    QCOMPARE(feedbackIds(p), QStringList());
}

void TestFeedbackCosts::customTypeRejectsRefs_data()
{
    QTest::addColumn<QString>("field");
    QTest::newRow("annotation_ref") << u"annotation_ref"_s;
    QTest::newRow("runnable_ref") << u"runnable_ref"_s;
    QTest::newRow("call_ref") << u"call_ref"_s;
    QTest::newRow("trigger_ref") << u"trigger_ref"_s;
}

void TestFeedbackCosts::customTypeRejectsRefs()
{
    QFETCH(QString, field);
    const QString p = testProject("fb");
    EXPECT_API_ERROR(
        createFeedback(p,
            fill(R"("weave_ref": "{{t}}", "feedback_type": "custom", "{{f}}": "{{r}}", "payload": {})",
                { { "t", callRef(p, u"c"_s) }, { "f", field }, { "r", objectRef(p, u"o"_s, u"d"_s) } })),
        400);
    QCOMPARE(feedbackIds(p), QStringList());
}

void TestFeedbackCosts::weaveRefMustBeInProject_data()
{
    QTest::addColumn<QString>("weaveRef");
    QTest::newRow("call in another project") << u"weave:///someone/else/call/c1"_s;
    QTest::newRow("object in another project") << u"weave:///someone/else/object/o:abc"_s;
    QTest::newRow("not a ref") << u"call c1"_s;
}

void TestFeedbackCosts::weaveRefMustBeInProject()
{
    QFETCH(QString, weaveRef);
    const QString p = testProject("fb");
    EXPECT_API_ERROR(
        createFeedback(p,
            fill(R"("weave_ref": "{{t}}", "feedback_type": "custom", "payload": {})", { { "t", weaveRef } })),
        400);
    QCOMPARE(feedbackIds(p), QStringList());
    // Feedback on objects of the same project is fine.
    EXPECT_OK(createFeedback(p,
        fill(R"("weave_ref": "{{t}}", "feedback_type": "custom", "payload": {})",
            { { "t", objectRef(p, u"o"_s, u"abc"_s) } })));
}

namespace {

// Feedback rows for the query tests, created in this order (created_at ascending).
struct FeedbackSeed
{
    const char* id;
    const char* call;
    const char* type;
    const char* payload;
};

const FeedbackSeed kSeeds[] = {
    { "f1", "c1", "custom.score", R"({"score": 0.9, "label": "good", "n": 9})" },
    { "f2", "c1", "custom.score", R"({"score": 0.2, "label": "Bad", "n": 10})" },
    { "f3", "c2", "custom.score", R"({"score": 0.5, "label": "good", "n": 100})" },
    { "f4", "c2", "wandb.note.1", R"({"note": "Looks GOOD"})" },
    { "f5", "c3", "custom.other", R"({"nested": {"deep": [1, {"x": "y"}]}})" },
};

} // namespace

void TestFeedbackCosts::query_data()
{
    QTest::addColumn<QByteArray>("extra");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("all, created_at order")
        << QByteArray() << QStringList { u"f1"_s, u"f2"_s, u"f3"_s, u"f4"_s, u"f5"_s };
    QTest::newRow("payload number gt")
        << QByteArray(R"(, "query": {"$expr": {"$gt": [{"$getField": "payload.score"}, {"$literal": 0.4}]}})")
        << QStringList { u"f1"_s, u"f3"_s };
    QTest::newRow("payload string eq") << QByteArray(
        R"(, "query": {"$expr": {"$eq": [{"$getField": "payload.label"}, {"$literal": "good"}]}})")
                                       << QStringList { u"f1"_s, u"f3"_s };
    QTest::newRow("payload number as string")
        << QByteArray(R"(, "query": {"$expr": {"$eq": [{"$getField": "payload.n"}, {"$literal": "10"}]}})")
        << QStringList { u"f2"_s };
    QTest::newRow("payload array path") << QByteArray(
        R"(, "query": {"$expr": {"$eq": [{"$getField": "payload.nested.deep.1.x"}, {"$literal": "y"}]}})")
                                        << QStringList { u"f5"_s };
    QTest::newRow("payload contains ci") << QByteArray(
        R"(, "query": {"$expr": {"$contains": {"input": {"$getField": "payload.note"}, "substr": {"$literal": "good"}, "case_insensitive": true}}})")
                                         << QStringList { u"f4"_s };
    QTest::newRow("feedback_type") << QByteArray(
        R"(, "query": {"$expr": {"$eq": [{"$getField": "feedback_type"}, {"$literal": "custom.score"}]}})")
                                   << QStringList { u"f1"_s, u"f2"_s, u"f3"_s };
    QTest::newRow("weave_ref of a call (UI query)") << QByteArray(
        R"(, "query": {"$expr": {"$eq": [{"$getField": "weave_ref"}, {"$literal": "weave:///fb/query/call/c2"}]}})")
                                                    << QStringList { u"f3"_s, u"f4"_s };
    QTest::newRow("and + in") << QByteArray(
        R"(, "query": {"$expr": {"$and": [{"$in": [{"$getField": "feedback_type"}, [{"$literal": "custom.score"}, {"$literal": "custom.other"}]]}, {"$not": [{"$eq": [{"$getField": "payload.label"}, {"$literal": "good"}]}]}]}})")
                              << QStringList { u"f2"_s, u"f5"_s };
    QTest::newRow("sort payload number desc") << QByteArray(
        R"(, "query": {"$expr": {"$eq": [{"$getField": "feedback_type"}, {"$literal": "custom.score"}]}}, "sort_by": [{"field": "payload.n", "direction": "desc"}])")
                                              << QStringList { u"f3"_s, u"f2"_s, u"f1"_s };
    QTest::newRow("sort created_at desc")
        << QByteArray(R"(, "sort_by": [{"field": "created_at", "direction": "desc"}])")
        << QStringList { u"f5"_s, u"f4"_s, u"f3"_s, u"f2"_s, u"f1"_s };
    QTest::newRow("limit offset") << QByteArray(R"(, "limit": 2, "offset": 1)")
                                  << QStringList { u"f2"_s, u"f3"_s };
}

void TestFeedbackCosts::query()
{
    QFETCH(QByteArray, extra);
    QFETCH(QStringList, expected);
    const QString p = u"fb/query"_s;
    if (feedbackIds(p).isEmpty()) {
        for (const FeedbackSeed& seed : kSeeds)
            EXPECT_OK(createFeedback(p,
                fill(R"("id": "{{id}}", "weave_ref": "{{r}}", "feedback_type": "{{t}}", "payload": {{pl}})",
                    { { "id", QString::fromLatin1(seed.id) },
                        { "r", callRef(p, QString::fromLatin1(seed.call)) },
                        { "t", QString::fromLatin1(seed.type) },
                        { "pl", QString::fromLatin1(seed.payload) } })));
    }
    QCOMPARE(feedbackIds(p, extra), expected);
}

void TestFeedbackCosts::queryFields()
{
    const QString p = testProject("fb");
    EXPECT_OK(createFeedback(p,
        fill(R"("weave_ref": "{{r}}", "feedback_type": "custom", "payload": {"a": 1}, "creator": "me")",
            { { "r", callRef(p, u"c"_s) } })));
    const Reply reply = m_server.post("/feedback/query",
        R"({"project_id": "{{p}}", "fields": ["id", "payload", "feedback_type"]})", { { "p", p } });
    EXPECT_OK(reply);
    const QJsonObject row = reply.value(u"result")[0].toObject();
    QStringList keys = row.keys();
    keys.sort();
    QCOMPARE(keys, (QStringList { u"feedback_type"_s, u"id"_s, u"payload"_s }));
    QCOMPARE(row.value(u"payload")[u"a"].toInt(), 1);
}

void TestFeedbackCosts::queryIsPerProject()
{
    const QString p = testProject("fb");
    EXPECT_OK(createFeedback(p,
        fill(R"("weave_ref": "{{r}}", "feedback_type": "custom", "payload": {})",
            { { "r", callRef(p, u"c"_s) } })));
    QCOMPARE(feedbackIds(p).size(), 1);
    QCOMPARE(feedbackIds(p + u"-other"_s), QStringList());
}

void TestFeedbackCosts::purge_data()
{
    QTest::addColumn<QByteArray>("expr");
    QTest::addColumn<QStringList>("left");
    QTest::newRow("$eq id") << QByteArray(R"({"$eq": [{"$getField": "id"}, {"$literal": "p2"}]})")
                            << QStringList { u"p1"_s, u"p3"_s, u"p4"_s };
    QTest::newRow("$in id") << QByteArray(
        R"({"$in": [{"$getField": "id"}, [{"$literal": "p1"}, {"$literal": "p4"}]]})")
                            << QStringList { u"p2"_s, u"p3"_s };
    QTest::newRow("$or of $eq") << QByteArray(
        R"({"$or": [{"$eq": [{"$getField": "id"}, {"$literal": "p1"}]}, {"$eq": [{"$getField": "id"}, {"$literal": "p3"}]}]})")
                                << QStringList { u"p2"_s, u"p4"_s };
    QTest::newRow("unknown id") << QByteArray(R"({"$eq": [{"$getField": "id"}, {"$literal": "zz"}]})")
                                << QStringList { u"p1"_s, u"p2"_s, u"p3"_s, u"p4"_s };
}

void TestFeedbackCosts::purge()
{
    QFETCH(QByteArray, expr);
    QFETCH(QStringList, left);
    const QString p = testProject("fb");
    // Feedback ids are global (UUIDs in practice): make this row's ids unique, then strip the suffix.
    const QString suffix = u"-"_s + QString::number(qHash(p));
    for (const char* id : { "p1", "p2", "p3", "p4" })
        expr.replace(QByteArray(QByteArray("\"") + id + "\""),
            QByteArray("\"" + QByteArray(id) + suffix.toLatin1() + "\""));
    for (const char* id : { "p1", "p2", "p3", "p4" })
        EXPECT_OK(createFeedback(p,
            fill(R"("id": "{{id}}", "weave_ref": "{{r}}", "feedback_type": "custom", "payload": {})",
                { { "id", QString::fromLatin1(id) + suffix }, { "r", callRef(p, u"c"_s) } })));
    // Another project's feedback is not touched.
    const QString other = p + u"-other"_s;
    EXPECT_OK(createFeedback(other,
        fill(R"("weave_ref": "{{r}}", "feedback_type": "custom", "payload": {})",
            { { "r", callRef(other, u"c"_s) } })));
    const Reply reply = m_server.post(
        "/feedback/purge", "{\"project_id\": " + jsonString(p) + ", \"query\": {\"$expr\": " + expr + "}}");
    EXPECT_OK(reply);
    QCOMPARE(reply.json, QJsonValue(QJsonObject()));
    QStringList remaining = feedbackIds(p);
    for (QString& id : remaining)
        id.chop(suffix.size());
    QCOMPARE(remaining, left);
    QCOMPARE(feedbackIds(other).size(), 1);
}

void TestFeedbackCosts::purgeRejectsOtherQueries_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::newRow("by type") << QByteArray(
        R"({"$expr": {"$eq": [{"$getField": "feedback_type"}, {"$literal": "custom"}]}})");
    QTest::newRow("and") << QByteArray(
        R"({"$expr": {"$and": [{"$eq": [{"$getField": "id"}, {"$literal": "k1"}]}]}})");
    QTest::newRow("not") << QByteArray(
        R"({"$expr": {"$not": [{"$eq": [{"$getField": "id"}, {"$literal": "k1"}]}]}})");
    QTest::newRow("gt on id") << QByteArray(R"({"$expr": {"$gt": [{"$getField": "id"}, {"$literal": ""}]}})");
    QTest::newRow("id against a field")
        << QByteArray(R"({"$expr": {"$eq": [{"$getField": "id"}, {"$getField": "weave_ref"}]}})");
    QTest::newRow("or with a non-id term") << QByteArray(
        R"({"$expr": {"$or": [{"$eq": [{"$getField": "id"}, {"$literal": "k1"}]}, {"$eq": [{"$getField": "creator"}, {"$literal": "x"}]}]}})");
    QTest::newRow("no $expr") << QByteArray(R"({"id": "k1"})");
}

void TestFeedbackCosts::purgeRejectsOtherQueries()
{
    QFETCH(QByteArray, query);
    const QString p = testProject("fb");
    const QString id = u"k1-"_s + QString::number(qHash(p));
    query.replace("\"k1\"", jsonString(id));
    EXPECT_OK(createFeedback(p,
        fill(R"("id": "{{id}}", "weave_ref": "{{r}}", "feedback_type": "custom", "payload": {})",
            { { "id", id }, { "r", callRef(p, u"c"_s) } })));
    EXPECT_API_ERROR(
        m_server.post("/feedback/purge", "{\"project_id\": " + jsonString(p) + ", \"query\": " + query + "}"),
        400);
    QCOMPARE(feedbackIds(p), QStringList { id });
}

void TestFeedbackCosts::replace()
{
    const QString p = testProject("fb");
    const QString ref = callRef(p, u"c"_s);
    const Reply created = createFeedback(p,
        fill(R"("weave_ref": "{{r}}", "feedback_type": "wandb.note.1", "payload": {"note": "first"})",
            { { "r", ref } }));
    EXPECT_OK(created);
    const QString oldId = created.value(u"id").toString();
    const Reply replaced = m_server.post("/feedback/replace",
        fill(
            R"({"project_id": "{{p}}", "feedback_id": "{{old}}", "weave_ref": "{{r}}", "feedback_type": "wandb.note.1", "payload": {"note": "second"}})",
            { { "p", p }, { "old", oldId }, { "r", ref } }));
    EXPECT_OK(replaced);
    const QString newId = replaced.value(u"id").toString();
    QVERIFY(!newId.isEmpty());
    QVERIFY(newId != oldId);
    QCOMPARE(replaced.value(u"payload")[u"note"].toString(), u"second"_s);
    const Reply query = m_server.post("/feedback/query", R"({"project_id": "{{p}}"})", { { "p", p } });
    const QJsonArray rows = query.value(u"result").toArray();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0][u"id"].toString(), newId);
    QCOMPARE(rows[0][u"payload"][u"note"].toString(), u"second"_s);
    // The replacement is validated like a create; the old row survives a refused replace.
    EXPECT_API_ERROR(
        m_server.post("/feedback/replace",
            fill(
                R"({"project_id": "{{p}}", "feedback_id": "{{old}}", "weave_ref": "{{r}}", "feedback_type": "wandb.note.1", "payload": {"note": ""}})",
                { { "p", p }, { "old", newId }, { "r", ref } })),
        400);
    QCOMPARE(feedbackIds(p), QStringList { newId });
}

void TestFeedbackCosts::costCreateAndQuery()
{
    const QString p = testProject("cost");
    const Reply created = createPrice(p,
        R"({"model-a": {"prompt_token_cost": 1e-6, "completion_token_cost": 2e-6, "effective_date": "2025-01-01T00:00:00Z", "provider_id": "acme"},
                                            "model-b": {"prompt_token_cost": 3e-6, "completion_token_cost": 4e-6}})");
    EXPECT_OK(created);
    const QJsonArray ids = created.value(u"ids").toArray();
    QCOMPARE(ids.size(), 2);
    QHash<QString, QString> idByModel; // pairs are identified by value: one element is the llm_id
    for (const QJsonValue& pair : ids) {
        QCOMPARE(pair.toArray().size(), 2);
        const QString first = pair[0].toString(), second = pair[1].toString();
        QVERIFY(first.startsWith(u"model-"_s) != second.startsWith(u"model-"_s));
        if (first.startsWith(u"model-"_s))
            idByModel[first] = second;
        else
            idByModel[second] = first;
    }
    QCOMPARE(QSet<QString>(idByModel.keyBegin(), idByModel.keyEnd()),
        (QSet<QString> { u"model-a"_s, u"model-b"_s }));

    // Only the project's own rows, not the default price table.
    const Reply all = m_server.post("/cost/query", R"({"project_id": "{{p}}"})", { { "p", p } });
    EXPECT_OK(all);
    QCOMPARE(all.value(u"results").toArray().size(), 2);

    const Reply one = m_server.post("/cost/query",
        R"({"project_id": "{{p}}", "query": {"$expr": {"$eq": [{"$getField": "llm_id"}, {"$literal": "model-a"}]}}})",
        { { "p", p } });
    EXPECT_OK(one);
    const QJsonArray results = one.value(u"results").toArray();
    QCOMPARE(results.size(), 1);
    const QJsonObject row = results[0].toObject();
    QCOMPARE(row.value(u"id").toString(), idByModel[u"model-a"_s]);
    QCOMPARE(row.value(u"llm_id").toString(), u"model-a"_s);
    QCOMPARE(row.value(u"prompt_token_cost").toDouble(), 1e-6);
    QCOMPARE(row.value(u"completion_token_cost").toDouble(), 2e-6);
    QCOMPARE(row.value(u"prompt_token_cost_unit").toString(), u"USD"_s);
    QCOMPARE(row.value(u"completion_token_cost_unit").toString(), u"USD"_s);
    QCOMPARE(row.value(u"provider_id").toString(), u"acme"_s);
    QVERIFY2(row.value(u"effective_date").toString().startsWith(u"2025-01-01"_s),
        qPrintable(row.value(u"effective_date").toString()));
    // Defaults: provider "default", effective now.
    const Reply b = m_server.post("/cost/query",
        R"({"project_id": "{{p}}", "query": {"$expr": {"$eq": [{"$getField": "llm_id"}, {"$literal": "model-b"}]}}})",
        { { "p", p } });
    QCOMPARE(b.value(u"results")[0][u"provider_id"].toString(), u"default"_s);
    QCOMPARE(b.value(u"results")[0][u"prompt_token_cost"].toDouble(), 3e-6);

    const Reply projected = m_server.post(
        "/cost/query", R"({"project_id": "{{p}}", "fields": ["id", "llm_id"]})", { { "p", p } });
    EXPECT_OK(projected);
    for (const QJsonValue& item : projected.value(u"results").toArray()) {
        QStringList keys = item.toObject().keys();
        keys.sort();
        QCOMPARE(keys, (QStringList { u"id"_s, u"llm_id"_s }));
    }
    const Reply other = m_server.post("/cost/query", R"({"project_id": "{{p}}-other"})", { { "p", p } });
    EXPECT_OK(other);
    QCOMPARE(other.value(u"results").toArray().size(), 0);
}

void TestFeedbackCosts::costCreateRejects_data()
{
    QTest::addColumn<QByteArray>("costs");
    QTest::newRow("missing completion cost") << QByteArray(R"({"m": {"prompt_token_cost": 1e-6}})");
    QTest::newRow("missing prompt cost") << QByteArray(R"({"m": {"completion_token_cost": 1e-6}})");
    QTest::newRow("cost as string") << QByteArray(
        R"({"m": {"prompt_token_cost": "0.1", "completion_token_cost": 1e-6}})");
    QTest::newRow("bad effective_date") << QByteArray(
        R"({"m": {"prompt_token_cost": 1e-6, "completion_token_cost": 1e-6, "effective_date": "soon"}})");
    QTest::newRow("negative cost") << QByteArray(
        R"({"m": {"prompt_token_cost": -1e-6, "completion_token_cost": 1e-6}})");
    QTest::newRow("negative completion cost")
        << QByteArray(R"({"m": {"prompt_token_cost": 1e-6, "completion_token_cost": -0.5}})");
    QTest::newRow("negative cache cost") << QByteArray(
        R"({"m": {"prompt_token_cost": 1e-6, "completion_token_cost": 1e-6, "cache_read_input_token_cost": -1}})");
    // The server's JSON parser accepts NaN and Infinity literals; neither is a price.
    QTest::newRow("NaN cost") << QByteArray(
        R"({"m": {"prompt_token_cost": NaN, "completion_token_cost": 1e-6}})");
    QTest::newRow("Infinity cost") << QByteArray(
        R"({"m": {"prompt_token_cost": 1e-6, "completion_token_cost": Infinity}})");
    QTest::newRow("cost as bool") << QByteArray(
        R"({"m": {"prompt_token_cost": true, "completion_token_cost": 1}})");
    QTest::newRow("cost null") << QByteArray(
        R"({"m": {"prompt_token_cost": null, "completion_token_cost": 1}})");
    QTest::newRow("impossible effective_date") << QByteArray(
        R"({"m": {"prompt_token_cost": 1e-6, "completion_token_cost": 1e-6, "effective_date": "2025-13-45T00:00:00Z"}})");
    QTest::newRow("effective_date as number") << QByteArray(
        R"({"m": {"prompt_token_cost": 1e-6, "completion_token_cost": 1e-6, "effective_date": 1735689600}})");
    QTest::newRow("empty model id") << QByteArray(
        R"({"": {"prompt_token_cost": 1e-6, "completion_token_cost": 1e-6}})");
    QTest::newRow("entry not an object") << QByteArray(R"({"m": 5})");
    QTest::newRow("costs not an object") << QByteArray(R"([1, 2])");
    QTest::newRow("one bad entry of two") << QByteArray(
        R"({"ok": {"prompt_token_cost": 1e-6, "completion_token_cost": 1e-6}, "bad": {"prompt_token_cost": 1e-6}})");
}

void TestFeedbackCosts::costCreateRejects()
{
    QFETCH(QByteArray, costs);
    const QString p = testProject("cost");
    EXPECT_API_ERROR(createPrice(p, costs), 400);
    const Reply all = m_server.post("/cost/query", R"({"project_id": "{{p}}"})", { { "p", p } });
    QCOMPARE(all.value(u"results").toArray().size(), 0);
}

void TestFeedbackCosts::costPurge()
{
    const QString p = testProject("cost");
    EXPECT_OK(createPrice(p,
        R"({"a": {"prompt_token_cost": 1, "completion_token_cost": 1}, "b": {"prompt_token_cost": 1, "completion_token_cost": 1}, "c": {"prompt_token_cost": 1, "completion_token_cost": 1}})"));
    const auto models = [&] {
        const Reply reply = m_server.post("/cost/query",
            R"({"project_id": "{{p}}", "sort_by": [{"field": "llm_id", "direction": "asc"}]})",
            { { "p", p } });
        QHash<QString, QString> byModel;
        for (const QJsonValue& row : reply.value(u"results").toArray())
            byModel[row[u"llm_id"].toString()] = row[u"id"].toString();
        return byModel;
    };
    QHash<QString, QString> ids = models();
    QCOMPARE(ids.size(), 3);
    EXPECT_OK(m_server.post("/cost/purge",
        R"({"project_id": "{{p}}", "query": {"$expr": {"$eq": [{"$getField": "id"}, {"$literal": "{{id}}"}]}}})",
        { { "p", p }, { "id", ids[u"a"_s] } }));
    QCOMPARE(QSet<QString>(models().keyBegin(), models().keyEnd()), (QSet<QString> { u"b"_s, u"c"_s }));
    // Another project cannot purge this project's rows.
    EXPECT_OK(m_server.post("/cost/purge",
        R"({"project_id": "{{p}}-other", "query": {"$expr": {"$eq": [{"$getField": "id"}, {"$literal": "{{id}}"}]}}})",
        { { "p", p }, { "id", ids[u"b"_s] } }));
    QCOMPARE(models().size(), 2);
    EXPECT_OK(m_server.post("/cost/purge",
        R"({"project_id": "{{p}}", "query": {"$expr": {"$in": [{"$getField": "id"}, [{"$literal": "{{b}}"}, {"$literal": "{{c}}"}]]}}})",
        { { "p", p }, { "b", ids[u"b"_s] }, { "c", ids[u"c"_s] } }));
    QCOMPARE(models().size(), 0);
}

void TestFeedbackCosts::costPurgeRejectsOtherQueries()
{
    const QString p = testProject("cost");
    EXPECT_OK(createPrice(p, R"({"a": {"prompt_token_cost": 1, "completion_token_cost": 1}})"));
    EXPECT_API_ERROR(
        m_server.post("/cost/purge",
            R"({"project_id": "{{p}}", "query": {"$expr": {"$eq": [{"$getField": "llm_id"}, {"$literal": "a"}]}}})",
            { { "p", p } }),
        400);
    EXPECT_API_ERROR(
        m_server.post("/cost/purge",
            R"({"project_id": "{{p}}", "query": {"$expr": {"$gte": [{"$getField": "prompt_token_cost"}, {"$literal": 0}]}}})",
            { { "p", p } }),
        400);
    const Reply all = m_server.post("/cost/query", R"({"project_id": "{{p}}"})", { { "p", p } });
    QCOMPARE(all.value(u"results").toArray().size(), 1);
}

namespace {

CallSpec usageCall(const char* id, const QString& startedAt, const QByteArray& usage)
{
    CallSpec call { .id = QString::fromLatin1(id), .startedAt = startedAt, .endedAt = startedAt };
    call.summary = "{\"usage\": " + usage + "}";
    return call;
}

const QByteArray kMyLlmUsage =
    R"({"my-llm": {"requests": 2, "prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})";

} // namespace

void TestFeedbackCosts::priceByEffectiveDate()
{
    const QString p = testProject("cost");
    EXPECT_OK(createPrice(p,
        R"({"my-llm": {"prompt_token_cost": 1e-6, "completion_token_cost": 2e-6, "effective_date": "2025-01-01T00:00:00Z"}})"));
    EXPECT_OK(createPrice(p,
        R"({"my-llm": {"prompt_token_cost": 3e-6, "completion_token_cost": 4e-6, "effective_date": "2025-06-01T00:00:00Z"}})"));
    EXPECT_OK(m_server.logCalls(p,
        {
            usageCall(
                "early", u"2024-06-01T00:00:00Z"_s, kMyLlmUsage), // only future prices: one still applies
            usageCall("mid", u"2025-03-01T00:00:00Z"_s, kMyLlmUsage),
            usageCall("at", u"2025-06-01T00:00:00Z"_s, kMyLlmUsage),
            usageCall("late", u"2025-07-01T00:00:00Z"_s, kMyLlmUsage),
        }));
    const struct
    {
        const char* call;
        double prompt, completion;
        const char* effective;
    } expected[] = {
        { "mid", 1e-6, 2e-6, "2025-01-01 00:00:00" },
        { "at", 3e-6, 4e-6, "2025-06-01 00:00:00" },
        { "late", 3e-6, 4e-6, "2025-06-01 00:00:00" },
        // Nothing is effective yet: the first row by the same ordering (latest effective_date).
        { "early", 3e-6, 4e-6, "2025-06-01 00:00:00" },
    };
    for (const auto& e : expected) {
        const QJsonObject costs = costsOf(p, QString::fromLatin1(e.call));
        QVERIFY2(costs.contains(u"my-llm"), e.call);
        const QJsonObject c = costs.value(u"my-llm").toObject();
        QCOMPARE(c.value(u"prompt_token_cost").toDouble(), e.prompt);
        QCOMPARE(c.value(u"completion_token_cost").toDouble(), e.completion);
        EXPECT_NEAR(c.value(u"prompt_tokens_total_cost").toDouble(), 100 * e.prompt);
        EXPECT_NEAR(c.value(u"completion_tokens_total_cost").toDouble(), 20 * e.completion);
        QCOMPARE(c.value(u"effective_date").toString(), QString::fromLatin1(e.effective));
        QCOMPARE(c.value(u"pricing_level").toString(), u"project"_s);
    }
}

void TestFeedbackCosts::projectPriceOverDefault()
{
    const QString p = testProject("cost");
    const QString other = p + u"-default"_s;
    const QByteArray usage =
        R"({"gpt-4o": {"requests": 1, "prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100}})";
    // Older than every shipped default row, but it is the project's: it wins once effective.
    EXPECT_OK(createPrice(p,
        R"({"gpt-4o": {"prompt_token_cost": 7e-6, "completion_token_cost": 8e-6, "effective_date": "2024-01-01T00:00:00Z"}})"));
    EXPECT_OK(m_server.logCalls(p, { usageCall("mine", u"2025-01-01T00:00:00Z"_s, usage) }));
    EXPECT_OK(m_server.logCalls(other, { usageCall("theirs", u"2025-01-01T00:00:00Z"_s, usage) }));

    const QJsonObject mine = costsOf(p, u"mine"_s).value(u"gpt-4o").toObject();
    QCOMPARE(mine.value(u"prompt_token_cost").toDouble(), 7e-6);
    QCOMPARE(mine.value(u"completion_token_cost").toDouble(), 8e-6);
    EXPECT_NEAR(mine.value(u"prompt_tokens_total_cost").toDouble(), 7e-3);
    EXPECT_NEAR(mine.value(u"completion_tokens_total_cost").toDouble(), 8e-4);
    QCOMPARE(mine.value(u"pricing_level").toString(), u"project"_s);
    QCOMPARE(mine.value(u"pricing_level_id").toString(), p);
    QCOMPARE(mine.value(u"provider_id").toString(), u"default"_s);

    // The default table applies elsewhere: gpt-4o at 2.5e-06/1e-05 since 2024-12-18.
    const QJsonObject theirs = costsOf(other, u"theirs"_s).value(u"gpt-4o").toObject();
    QCOMPARE(theirs.value(u"prompt_token_cost").toDouble(), 2.5e-6);
    QCOMPARE(theirs.value(u"completion_token_cost").toDouble(), 1e-5);
    EXPECT_NEAR(theirs.value(u"prompt_tokens_total_cost").toDouble(), 2.5e-3);
    EXPECT_NEAR(theirs.value(u"completion_tokens_total_cost").toDouble(), 1e-3);
    QCOMPARE(theirs.value(u"pricing_level").toString(), u"default"_s);
    QCOMPARE(theirs.value(u"pricing_level_id").toString(), u"default"_s);
    QCOMPARE(theirs.value(u"provider_id").toString(), u"openai"_s);
    QCOMPARE(theirs.value(u"created_by").toString(), u"system"_s);
    QCOMPARE(theirs.value(u"effective_date").toString(), u"2024-12-18 09:00:21"_s);
}

void TestFeedbackCosts::futureProjectPriceDoesNotApplyYet()
{
    const QString p = testProject("cost");
    const QByteArray usage = R"({"gpt-4o-mini": {"prompt_tokens": 1000, "completion_tokens": 1000}})";
    EXPECT_OK(createPrice(p,
        R"({"gpt-4o-mini": {"prompt_token_cost": 9e-7, "completion_token_cost": 9e-6, "effective_date": "2025-06-01T00:00:00Z"}})"));
    EXPECT_OK(m_server.logCalls(p,
        { usageCall("before", u"2025-03-01T00:00:00Z"_s, usage),
            usageCall("after", u"2025-07-01T00:00:00Z"_s, usage) }));
    const QJsonObject before = costsOf(p, u"before"_s).value(u"gpt-4o-mini").toObject();
    QCOMPARE(before.value(u"pricing_level").toString(), u"default"_s);
    QCOMPARE(before.value(u"prompt_token_cost").toDouble(), 1.5e-7);
    QCOMPARE(before.value(u"completion_token_cost").toDouble(), 6e-7);
    const QJsonObject after = costsOf(p, u"after"_s).value(u"gpt-4o-mini").toObject();
    QCOMPARE(after.value(u"pricing_level").toString(), u"project"_s);
    QCOMPARE(after.value(u"prompt_token_cost").toDouble(), 9e-7);
    EXPECT_NEAR(after.value(u"prompt_tokens_total_cost").toDouble(), 9e-4);
    EXPECT_NEAR(after.value(u"completion_tokens_total_cost").toDouble(), 9e-3);
}

// Relative to today, as a user adds prices: a price dated tomorrow changes nothing yet; one dated
// yesterday re-prices the calls since yesterday and leaves older ones alone.
void TestFeedbackCosts::priceAddedLaterRepricesFromItsDate()
{
    const QString p = testProject("cost");
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto iso = [&](qint64 hours) { return now.addSecs(hours * 3600).toString(Qt::ISODateWithMs); };
    const QByteArray usage = R"({"gpt-4o-mini": {"prompt_tokens": 1000, "completion_tokens": 100}})";
    EXPECT_OK(
        m_server.logCalls(p, { usageCall("old", iso(-48), usage), usageCall("recent", iso(-1), usage) }));
    const auto promptPrice = [&](const char* call) {
        return costsOf(p, QString::fromLatin1(call)).value(u"gpt-4o-mini")[u"prompt_token_cost"].toDouble();
    };
    QCOMPARE(promptPrice("old"), 1.5e-7); // the shipped default
    QCOMPARE(promptPrice("recent"), 1.5e-7);

    EXPECT_OK(createPrice(p,
        "{\"gpt-4o-mini\": {\"prompt_token_cost\": 5e-6, \"completion_token_cost\": 6e-6, "
        "\"effective_date\": \""
            + iso(24).toLatin1() + "\"}}"));
    QCOMPARE(promptPrice("old"), 1.5e-7);
    QCOMPARE(promptPrice("recent"), 1.5e-7);

    EXPECT_OK(createPrice(p,
        "{\"gpt-4o-mini\": {\"prompt_token_cost\": 3e-6, \"completion_token_cost\": 4e-6, "
        "\"effective_date\": \""
            + iso(-24).toLatin1() + "\"}}"));
    QCOMPARE(promptPrice("old"), 1.5e-7);
    QCOMPARE(promptPrice("recent"), 3e-6);
    const QJsonObject recent = costsOf(p, u"recent"_s).value(u"gpt-4o-mini").toObject();
    QCOMPARE(recent.value(u"pricing_level").toString(), u"project"_s);
    EXPECT_NEAR(recent.value(u"prompt_tokens_total_cost").toDouble(), 1000 * 3e-6);
    EXPECT_NEAR(recent.value(u"completion_tokens_total_cost").toDouble(), 100 * 4e-6);
}

void TestFeedbackCosts::usageNormalisation_data()
{
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<int>("prompt");
    QTest::addColumn<int>("completion");
    QTest::addColumn<int>("total");
    QTest::addColumn<int>("requests");

    QTest::newRow("input/output tokens")
        << QByteArray(R"({"input_tokens": 100, "output_tokens": 20})") << 100 << 20 << 120 << 0;
    QTest::newRow("openai names") << QByteArray(
        R"({"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10, "requests": 1})")
                                  << 7 << 3 << 10 << 1;
    QTest::newRow("both names add up") << QByteArray(
        R"({"prompt_tokens": 10, "input_tokens": 5, "completion_tokens": 1, "output_tokens": 2, "requests": 3})")
                                       << 15 << 3 << 18 << 3;
    QTest::newRow("reported total kept")
        << QByteArray(R"({"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 99})") << 10 << 5 << 99
        << 0;
    QTest::newRow("zero total replaced")
        << QByteArray(R"({"input_tokens": 4, "output_tokens": 6, "total_tokens": 0})") << 4 << 6 << 10 << 0;
}

void TestFeedbackCosts::usageNormalisation()
{
    QFETCH(QByteArray, entry);
    QFETCH(int, prompt);
    QFETCH(int, completion);
    QFETCH(int, total);
    QFETCH(int, requests);
    const QString p = testProject("cost");
    EXPECT_OK(createPrice(p,
        R"({"norm-llm": {"prompt_token_cost": 1e-6, "completion_token_cost": 2e-6, "effective_date": "2024-01-01T00:00:00Z"}})"));
    EXPECT_OK(
        m_server.logCalls(p, { usageCall("n", u"2025-01-01T00:00:00Z"_s, "{\"norm-llm\": " + entry + "}") }));
    const QJsonObject c = costsOf(p, u"n"_s).value(u"norm-llm").toObject();
    QCOMPARE(c.value(u"prompt_tokens").toInt(), prompt);
    QCOMPARE(c.value(u"completion_tokens").toInt(), completion);
    QCOMPARE(c.value(u"total_tokens").toInt(), total);
    QCOMPARE(c.value(u"requests").toInt(), requests);
    EXPECT_NEAR(c.value(u"prompt_tokens_total_cost").toDouble(), prompt * 1e-6);
    EXPECT_NEAR(c.value(u"completion_tokens_total_cost").toDouble(), completion * 2e-6);
}

void TestFeedbackCosts::cachedPromptTokens_data()
{
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<int>("uncachedPrompt");
    // Anthropic's input_tokens leave the cache out already; OpenAI's and LiteLLM's prompt_tokens count it.
    QTest::newRow("anthropic input_tokens") << QByteArray(
        R"({"input_tokens": 200, "output_tokens": 100, "cache_read_input_tokens": 5000, "cache_creation_input_tokens": 50})")
                                            << 200;
    QTest::newRow("prompt_tokens with the cache in them") << QByteArray(
        R"({"prompt_tokens": 5250, "completion_tokens": 100, "cache_read_input_tokens": 5000, "cache_creation_input_tokens": 50})")
                                                          << 200;
    QTest::newRow("more cache than prompt_tokens") << QByteArray(
        R"({"prompt_tokens": 10, "completion_tokens": 100, "cache_read_input_tokens": 5000, "cache_creation_input_tokens": 50})")
                                                   << 0;
}

void TestFeedbackCosts::cachedPromptTokens()
{
    QFETCH(QByteArray, entry);
    QFETCH(int, uncachedPrompt);
    const QString p = testProject("cache");
    EXPECT_OK(createPrice(p,
        R"({"cache-llm": {"prompt_token_cost": 1e-6, "completion_token_cost": 2e-6, "cache_read_input_token_cost": 1e-7, "cache_creation_input_token_cost": 1.25e-6, "effective_date": "2025-01-01T00:00:00Z"}})"));
    EXPECT_OK(m_server.logCalls(
        p, { usageCall("c", u"2025-02-01T00:00:00Z"_s, "{\"cache-llm\": " + entry + "}") }));
    const QJsonObject c = costsOf(p, u"c"_s).value(u"cache-llm").toObject();
    EXPECT_NEAR(c.value(u"prompt_tokens_total_cost").toDouble(), uncachedPrompt * 1e-6);
    EXPECT_NEAR(c.value(u"completion_tokens_total_cost").toDouble(), 100 * 2e-6);
    EXPECT_NEAR(c.value(u"cache_read_input_tokens_total_cost").toDouble(), 5000 * 1e-7);
    EXPECT_NEAR(c.value(u"cache_creation_input_tokens_total_cost").toDouble(), 50 * 1.25e-6);
}

void TestFeedbackCosts::costsShape()
{
    const QString p = testProject("cost");
    EXPECT_OK(createPrice(p,
        R"({"shape-llm": {"prompt_token_cost": 1e-6, "completion_token_cost": 2e-6, "cache_read_input_token_cost": 5e-7, "cache_creation_input_token_cost": 1e-6, "effective_date": "2025-01-01T00:00:00Z", "provider_id": "my-provider"}})"));
    EXPECT_OK(m_server.logCalls(p,
        { usageCall("s", u"2025-02-01T00:00:00Z"_s,
            R"({"shape-llm": {"requests": 1, "prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120, "cache_read_input_tokens": 30, "cache_creation_input_tokens": 10}})") }));
    const QJsonObject costs = costsOf(p, u"s"_s);
    QCOMPARE(costs.keys(), QStringList { u"shape-llm"_s });
    const QJsonObject c = costs.value(u"shape-llm").toObject();
    QStringList keys = c.keys();
    keys.sort();
    QStringList expectedKeys { u"prompt_tokens"_s, u"completion_tokens"_s, u"requests"_s, u"total_tokens"_s,
        u"cache_read_input_tokens"_s, u"cache_creation_input_tokens"_s, u"prompt_tokens_total_cost"_s,
        u"completion_tokens_total_cost"_s, u"cache_read_input_tokens_total_cost"_s,
        u"cache_creation_input_tokens_total_cost"_s, u"prompt_token_cost"_s, u"completion_token_cost"_s,
        u"cache_read_input_token_cost"_s, u"cache_creation_input_token_cost"_s, u"prompt_token_cost_unit"_s,
        u"completion_token_cost_unit"_s, u"effective_date"_s, u"provider_id"_s, u"pricing_level"_s,
        u"pricing_level_id"_s, u"created_at"_s, u"created_by"_s };
    expectedKeys.sort();
    QCOMPARE(keys, expectedKeys);
    QCOMPARE(c.value(u"prompt_tokens").toInt(), 100);
    QCOMPARE(c.value(u"completion_tokens").toInt(), 20);
    QCOMPARE(c.value(u"requests").toInt(), 1);
    QCOMPARE(c.value(u"total_tokens").toInt(), 120);
    QCOMPARE(c.value(u"cache_read_input_tokens").toInt(), 30);
    QCOMPARE(c.value(u"cache_creation_input_tokens").toInt(), 10);
    // Cached tokens are billed at their own prices and taken out of the prompt cost.
    EXPECT_NEAR(c.value(u"prompt_tokens_total_cost").toDouble(), (100 - 30 - 10) * 1e-6);
    EXPECT_NEAR(c.value(u"completion_tokens_total_cost").toDouble(), 20 * 2e-6);
    EXPECT_NEAR(c.value(u"cache_read_input_tokens_total_cost").toDouble(), 30 * 5e-7);
    EXPECT_NEAR(c.value(u"cache_creation_input_tokens_total_cost").toDouble(), 10 * 1e-6);
    QCOMPARE(c.value(u"prompt_token_cost").toDouble(), 1e-6);
    QCOMPARE(c.value(u"completion_token_cost").toDouble(), 2e-6);
    QCOMPARE(c.value(u"cache_read_input_token_cost").toDouble(), 5e-7);
    QCOMPARE(c.value(u"cache_creation_input_token_cost").toDouble(), 1e-6);
    QCOMPARE(c.value(u"prompt_token_cost_unit").toString(), u"USD"_s);
    QCOMPARE(c.value(u"completion_token_cost_unit").toString(), u"USD"_s);
    QCOMPARE(c.value(u"effective_date").toString(), u"2025-01-01 00:00:00"_s);
    QCOMPARE(c.value(u"provider_id").toString(), u"my-provider"_s);
    QCOMPARE(c.value(u"pricing_level").toString(), u"project"_s);
    QCOMPARE(c.value(u"pricing_level_id").toString(), p);
    static const QRegularExpression sqlTime(u"^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}"_s);
    QVERIFY2(sqlTime.match(c.value(u"created_at").toString()).hasMatch(),
        qPrintable(c.value(u"created_at").toString()));
    QVERIFY(c.value(u"created_by").isString());
    // Every number in the entry is a JSON number.
    for (const QString& key : keys)
        if (!key.endsWith(u"_unit"_s) && key != u"effective_date"_s && key != u"provider_id"_s
            && !key.startsWith(u"pricing"_s) && !key.startsWith(u"created"_s))
            QVERIFY2(c.value(key).isDouble(), qPrintable(key));
}

void TestFeedbackCosts::costsOnlyForPricedModels()
{
    const QString p = testProject("cost");
    EXPECT_OK(createPrice(p,
        R"({"priced": {"prompt_token_cost": 1e-6, "completion_token_cost": 1e-6, "effective_date": "2024-01-01T00:00:00Z"}})"));
    EXPECT_OK(m_server.logCalls(p,
        {
            usageCall("two", u"2025-01-01T00:00:00Z"_s,
                R"({"priced": {"prompt_tokens": 1}, "unpriced-model-xyz": {"prompt_tokens": 5}})"),
            usageCall("none", u"2025-01-01T00:00:01Z"_s, R"({"unpriced-model-xyz": {"prompt_tokens": 5}})"),
            usageCall("empty", u"2025-01-01T00:00:02Z"_s, "{}"),
        }));
    QCOMPARE(costsOf(p, u"two"_s).keys(), QStringList { u"priced"_s });
    const Reply reply = m_server.post("/calls/query",
        R"({"project_id": "{{p}}", "filter": {"call_ids": ["none", "empty"]}, "include_costs": true})",
        { { "p", p } });
    EXPECT_OK(reply);
    const QJsonArray calls = reply.value(u"calls").toArray();
    QCOMPARE(calls.size(), 2);
    for (const QJsonValue& call : calls)
        QVERIFY2(
            !call[u"summary"][u"weave"].toObject().contains(u"costs"), qPrintable(call[u"id"].toString()));
    // Usage stays as the client sent it.
    QCOMPARE(calls[0][u"summary"][u"usage"][u"unpriced-model-xyz"][u"prompt_tokens"].toInt(), 5);
}

void TestFeedbackCosts::purgedPriceNoLongerApplies()
{
    const QString p = testProject("cost");
    const Reply created = createPrice(p,
        R"({"temp-llm": {"prompt_token_cost": 1e-6, "completion_token_cost": 1e-6, "effective_date": "2024-01-01T00:00:00Z"}})");
    EXPECT_OK(created);
    EXPECT_OK(m_server.logCalls(
        p, { usageCall("t", u"2025-01-01T00:00:00Z"_s, R"({"temp-llm": {"prompt_tokens": 3}})") }));
    QVERIFY(costsOf(p, u"t"_s).contains(u"temp-llm"));
    const QJsonArray pair = created.value(u"ids")[0].toArray();
    const QString id = pair[0].toString() == u"temp-llm"_s ? pair[1].toString() : pair[0].toString();
    EXPECT_OK(m_server.post("/cost/purge",
        R"({"project_id": "{{p}}", "query": {"$expr": {"$eq": [{"$getField": "id"}, {"$literal": "{{id}}"}]}}})",
        { { "p", p }, { "id", id } }));
    // Costs are computed at read time: the historical call loses its price.
    QVERIFY(!costsOf(p, u"t"_s).contains(u"temp-llm"));
}

QTEST_GUILESS_MAIN(TestFeedbackCosts)
#include "tst_feedback_costs.moc"
