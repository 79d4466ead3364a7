// The requests the Python weave SDK makes that the TypeScript SDK of the end-to-end test does not,
// shaped as the SDK sends them (its trace_server_interface models and its W&B API queries). PyPI
// cannot be reached from here, so the SDK itself does not run: these replay its requests.
#include "support/testserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace spindle::test;

namespace {

// A CompletedCallSchemaForInsert as pydantic writes it: every optional field present, null.
QJsonObject completedCall(const QString& project, const QString& id, const QString& parent)
{
    const QJsonObject usage { { u"gpt-4o"_s,
        QJsonObject { { u"requests"_s, 1 }, { u"prompt_tokens"_s, 12 }, { u"completion_tokens"_s, 3 },
            { u"total_tokens"_s, 15 } } } };
    return { { u"project_id"_s, project }, { u"id"_s, id }, { u"trace_id"_s, u"trace-1"_s },
        { u"parent_id"_s, parent.isEmpty() ? QJsonValue() : QJsonValue(parent) },
        { u"thread_id"_s, QJsonValue() }, { u"turn_id"_s, QJsonValue() },
        { u"op_name"_s, u"weave:///e/p/op/answer:abc"_s }, { u"display_name"_s, QJsonValue() },
        { u"started_at"_s, u"2026-11-23T08:00:00.000000Z"_s },
        { u"ended_at"_s, u"2026-11-23T08:00:01.250000Z"_s },
        { u"attributes"_s, QJsonObject { { u"weave"_s, QJsonObject { { u"source"_s, u"python-sdk"_s } } } } },
        { u"inputs"_s, QJsonObject { { u"question"_s, u"why"_s } } }, { u"otel_dump"_s, QJsonValue() },
        { u"exception"_s, QJsonValue() }, { u"output"_s, QJsonObject { { u"answer"_s, 42 } } },
        { u"summary"_s, QJsonObject { { u"usage"_s, usage } } }, { u"wb_user_id"_s, QJsonValue() },
        { u"wb_run_id"_s, QJsonValue() }, { u"wb_run_step"_s, QJsonValue() },
        { u"wb_run_step_end"_s, QJsonValue() } };
}

QByteArray json(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray graphql(const QByteArray& query, const QJsonObject& variables = {})
{
    QJsonObject body { { u"query"_s, QString::fromUtf8(query) } };
    if (!variables.isEmpty())
        body.insert(u"variables"_s, variables);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace

class TestSdkCompat : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void weaveInitQueries();
    void graphqlSelectsOnlyWhatIsAsked();
    void graphqlStringsAndDefaults();
    void graphqlRefusals_data();
    void graphqlRefusals();
    void graphqlStringErrorsSayWhy_data();
    void graphqlStringErrorsSayWhy();
    void callsCompleteStoresWholeCalls();
    void callsCompleteIsAllOrNothing();
    void v2StartAndEnd();
    void tableUpdateAppliesChangesInOrder();
    void tableUpdateRefusals_data();
    void tableUpdateRefusals();
    void sdkLinksGetAPage();

private:
    TestServer m_server;
};

void TestSdkCompat::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

// weave.init("my-project") asks the viewer's default entity; every weave.init asks its username and
// whether the project exists, and creates it when not. Each failure stops weave.init.
void TestSdkCompat::weaveInitQueries()
{
    const Reply viewer = m_server.post("/graphql", graphql(R"(
        query DefaultEntity {
            viewer {
                username
                defaultEntity {
                    name
                }
            }
        })"));
    EXPECT_OK(viewer);
    const QJsonObject data = viewer.value(u"data").toObject();
    QCOMPARE(data.value(u"viewer"_s)[u"username"_s].toString(), u"local-user"_s);
    QCOMPARE(data.value(u"viewer"_s)[u"defaultEntity"_s][u"name"_s].toString(), u"me"_s);
    QVERIFY(!viewer.object().contains(u"errors"_s));

    const Reply project = m_server.post("/graphql",
        graphql(R"(
        query Project($name: String!, $entityName: String!) {
            project(name: $name, entityName: $entityName) {
                name
            }
        })",
            { { u"name"_s, u"my-project"_s }, { u"entityName"_s, u"team"_s } }));
    EXPECT_OK(project);
    QCOMPARE(project.value(u"data").toObject(),
        QJsonObject({ { u"project"_s, QJsonObject { { u"name"_s, u"my-project"_s } } } }));

    const Reply upsert = m_server.post("/graphql",
        graphql(R"(
    mutation UpsertModel($name: String!, $id: String, $entity: String!, $description: String, $repo: String)  {
        upsertModel(input: { id: $id, name: $name, entityName: $entity, description: $description, repo: $repo }) {
            model {
                name
                description
            }
        }
    })",
            { { u"name"_s, u"new-project"_s }, { u"entity"_s, u"team"_s },
                { u"description"_s, u"made here"_s } }));
    EXPECT_OK(upsert);
    const QJsonObject model = upsert.value(u"data").toObject()[u"upsertModel"_s][u"model"_s].toObject();
    QCOMPARE(model, QJsonObject({ { u"name"_s, u"new-project"_s }, { u"description"_s, u"made here"_s } }));
}

// Literal arguments, aliases, lists and comments; fields the stand-in lacks are null.
void TestSdkCompat::graphqlSelectsOnlyWhatIsAsked()
{
    const Reply reply = m_server.post("/graphql", graphql(R"(
        # two root fields, one under an alias
        {
            mine: project(name: "p1", entityName: "e1") { name entityName entity { name } unknownField }
            viewer { teams { edges { node { name } } } }
            entity(name: "e1") { readOnly }
        })"));
    EXPECT_OK(reply);
    const QJsonObject data = reply.value(u"data").toObject();
    QCOMPARE(data.keys(), QStringList({ u"entity"_s, u"mine"_s, u"viewer"_s }));
    const QJsonObject mine = data.value(u"mine"_s).toObject();
    QCOMPARE(mine.value(u"name"_s).toString(), u"p1"_s);
    QCOMPARE(mine.value(u"entityName"_s).toString(), u"e1"_s);
    QCOMPARE(mine.value(u"entity"_s).toObject(), QJsonObject({ { u"name"_s, u"e1"_s } }));
    QVERIFY(mine.contains(u"unknownField"_s) && mine.value(u"unknownField"_s).isNull());
    QCOMPARE(mine.size(), 4);
    QCOMPARE(data.value(u"viewer"_s)[u"teams"_s][u"edges"_s].toArray(), QJsonArray());
    QCOMPARE(data.value(u"entity"_s)[u"readOnly"_s].toBool(true), false);
}

// Strings read as JSON's, and variable definitions with defaults that hold brackets.
void TestSdkCompat::graphqlStringsAndDefaults()
{
    const Reply reply = m_server.post("/graphql",
        graphql(R"Q(
        mutation M($name: String = ")", $n: Int = 3) {
            upsertModel(input: {name: $name, entityName: "e", description: "\u00e9 \ud83d\ude00 \ud83d \"q\" \\ \/ \r\t"}) {
                model { name description }
            }
        })Q",
            { { u"name"_s, u"p"_s } }));
    EXPECT_OK(reply);
    const QJsonObject model = reply.value(u"data").toObject()[u"upsertModel"_s][u"model"_s].toObject();
    QCOMPARE(model.value(u"name"_s).toString(), u"p"_s);
    QCOMPARE(model.value(u"description"_s).toString(), u"\u00e9 \U0001F600 \ufffd \"q\" \\ / \r\t"_s);
}

void TestSdkCompat::graphqlRefusals_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status"); // 200: answered with a GraphQL error and a null field
    QTest::newRow("a root field it lacks")
        << graphql("{ viewer { username } runs(first: 3) { edges { node { id } } } }") << 200;
    QTest::newRow("no query") << QByteArray(R"({"variables": {}})") << 400;
    QTest::newRow("query not a string") << QByteArray(R"({"query": 5})") << 400;
    QTest::newRow("unclosed selection") << graphql("{ viewer { username }") << 400;
    QTest::newRow("unclosed string") << graphql("{ project(name: \"p) { name } }") << 400;
    QTest::newRow("a fragment") << graphql("{ viewer { ...F } } fragment F on User { username }") << 400;
    QTest::newRow("a subscription") << graphql("subscription S { viewer { username } }") << 400;
    QTest::newRow("two operations") << graphql("{ viewer { username } } { viewer { username } }") << 400;
    QTest::newRow("upsertModel without input")
        << graphql("mutation { upsertModel { model { name } } }") << 400;
    // Limits: deep nesting crashed the server (its stack), and copies of a variable per use, or a
    // lookup per use, let a small request take gigabytes or minutes.
    QTest::newRow("values 40 deep") << graphql("{ project(name: " + QByteArray(40, '[') + QByteArray(40, ']')
        + ") { name } }") << 400;
    QTest::newRow("selections 40 deep")
        << graphql(QByteArray("{ a ").repeated(40) + QByteArray(40, '}')) << 400;
    QTest::newRow("1001 fields") << graphql("{ " + QByteArray("viewer { username } ").repeated(1) + [] {
        QByteArray fields;
        for (int i = 0; i < 1001; ++i)
            fields += "f" + QByteArray::number(i) + ": viewer { username } ";
        return fields;
    }() + "}") << 400;
    QTest::newRow("101 variable uses") << graphql("{ project(name: \"x\", " +
            [] {
                QByteArray uses;
                for (int i = 0; i < 101; ++i)
                    uses += "a" + QByteArray::number(i) + ": $v ";
                return uses;
            }()
            + ") { name } }",
        { { u"v"_s, u"x"_s } }) << 400;
    QTest::newRow("a 65 KiB query") << graphql("{ viewer { username } }" + QByteArray(65 * 1024, ' ')) << 400;
    QTest::newRow("65 KiB of variables")
        << graphql("{ viewer { username } }", { { u"v"_s, QString(65 * 1024, u'x') } }) << 400;
    for (const char* number :
        { "0", "-0", "12", "-3.25", "1e3", "2.5E-2", "6e+2" }) // numbers, in a field it lacks
        QTest::addRow("number %s", number)
            << graphql(QByteArray("{ viewer { username } runs(first: ") + number + ") { id } }") << 200;
    for (const char* number :
        { "-", "--1", "1e", "1.2.3", "1e999", "0x1p3", "00", "1nan", "1.", ".5", "1e+" })
        QTest::addRow("number %s", number)
            << graphql(QByteArray("{ project(name: \"x\", n: ") + number + ") { name } }") << 400;
    QTest::newRow("unknown escape") << graphql(R"({ project(name: "a\qb") { name } })") << 400;
    QTest::newRow("short \\u escape") << graphql(R"({ project(name: "a\u12") { name } })") << 400;
    QTest::newRow("empty selection") << graphql("{ }") << 400;
    QTest::newRow("empty inner selection") << graphql("{ viewer { } }") << 400;
    QTest::newRow("two fields, one key") << graphql("{ v: viewer { username } v: viewer { name } }") << 400;
    QTest::newRow("an argument twice") << graphql(R"({ project(name: "a", name: "b") { name } })") << 400;
}

// A string's refusal names its fault: a raw control character was once called a bad escape.
void TestSdkCompat::graphqlStringErrorsSayWhy_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("reason");
    QTest::newRow("unknown escape") << graphql(R"({ project(name: "a\qb") { name } })") << u"a bad escape"_s;
    QTest::newRow("raw U+0001") << graphql(QByteArray("{ project(name: \"a") + char(1) + "b\") { name } }")
                                << u"a control character (U+0001)"_s;
    QTest::newRow("raw carriage return")
        << graphql("{ project(name: \"a\rb\") { name } }") << u"a control character (U+000D)"_s;
}

void TestSdkCompat::graphqlStringErrorsSayWhy()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, reason);
    const Reply reply = m_server.post("/graphql", body);
    QCOMPARE(reply.status, 400);
    const QString said = reply.value(u"reason").toString();
    QVERIFY2(said.contains(reason), qPrintable(said));
}

void TestSdkCompat::graphqlRefusals()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    const Reply reply = m_server.post("/graphql", body);
    if (status != 200) {
        EXPECT_API_ERROR(reply, status);
        return;
    }
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"data").toObject().value(u"viewer"_s)[u"username"_s].toString(), u"local-user"_s);
    QVERIFY(reply.value(u"data").toObject().value(u"runs"_s).isNull());
    const QJsonArray errors = reply.value(u"errors").toArray();
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors[0][u"message"_s].toString().contains(u"runs"_s), qPrintable(reply.describe()));
    QCOMPARE(errors[0][u"path"_s].toArray(), QJsonArray({ u"runs"_s }));
}

// The SDK's calls-complete mode sends each finished call once, start and end fields together, to
// a URL that names the project (the server reads each call's own project_id).
void TestSdkCompat::callsCompleteStoresWholeCalls()
{
    QJsonObject failed = completedCall(u"compat/complete"_s, u"c-child"_s, u"c-root"_s);
    failed.insert(u"exception"_s, u"ValueError: no"_s);
    failed.insert(u"output"_s, QJsonValue());
    const Reply reply = m_server.post("/v2/compat/complete/calls/complete",
        json(
            { { u"batch"_s, QJsonArray { completedCall(u"compat/complete"_s, u"c-root"_s, {}), failed } } }));
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"res").toArray().size(), 2);
    QCOMPARE(reply.value(u"res").toArray()[0][u"id"_s].toString(), u"c-root"_s);

    const Reply root = m_server.post("/call/read", R"({"project_id": "compat/complete", "id": "c-root"})");
    EXPECT_OK(root);
    const QJsonObject call = root.value(u"call").toObject();
    QCOMPARE(call.value(u"output"_s)[u"answer"_s].toInt(), 42);
    QCOMPARE(call.value(u"inputs"_s)[u"question"_s].toString(), u"why"_s);
    QCOMPARE(call.value(u"summary"_s)[u"weave"_s][u"status"_s].toString(), u"success"_s);
    QCOMPARE(call.value(u"summary"_s)[u"weave"_s][u"latency_ms"_s].toInt(), 1250);
    QCOMPARE(call.value(u"summary"_s)[u"usage"_s][u"gpt-4o"_s][u"total_tokens"_s].toInt(), 15);
    const Reply child = m_server.post("/call/read", R"({"project_id": "compat/complete", "id": "c-child"})");
    QCOMPARE(child.value(u"call").toObject()[u"parent_id"_s].toString(), u"c-root"_s);
    QCOMPARE(child.value(u"call").toObject()[u"summary"_s][u"weave"_s][u"status"_s].toString(), u"error"_s);
}

void TestSdkCompat::callsCompleteIsAllOrNothing()
{
    QJsonObject unfinished = completedCall(u"compat/partial"_s, u"p2"_s, {});
    unfinished.remove(u"ended_at"_s);
    QJsonObject anonymous = completedCall(u"compat/partial"_s, u"p3"_s, {});
    anonymous.remove(u"id"_s);
    for (const QJsonObject& bad : { unfinished, anonymous }) {
        const Reply reply = m_server.post("/v2/compat/partial/calls/complete",
            json({ { u"batch"_s, QJsonArray { completedCall(u"compat/partial"_s, u"p1"_s, {}), bad } } }));
        EXPECT_API_ERROR(reply, 400);
        QVERIFY2(reply.value(u"reason").toString().startsWith(u"batch[1]: "_s), qPrintable(reply.describe()));
    }
    EXPECT_API_ERROR(m_server.post("/v2/compat/partial/calls/complete", R"({"batch": [5]})"), 400);
    EXPECT_API_ERROR(m_server.post("/v2/compat/partial/calls/complete", R"({"calls": []})"), 400);
    const Reply count = m_server.post("/calls/query_stats", R"({"project_id": "compat/partial"})");
    QCOMPARE(count.value(u"count").toInt(-1), 0);
}

// Eager ops (an evaluation) in calls-complete mode: a start, then an end that repeats started_at.
void TestSdkCompat::v2StartAndEnd()
{
    QJsonObject start = completedCall(u"compat/eager"_s, u"e1"_s, {});
    for (const char* endField : { "ended_at", "exception", "output", "summary", "wb_run_step_end" })
        start.remove(QLatin1String(endField));
    EXPECT_OK(m_server.post("/v2/compat/eager/call/start", json({ { u"start"_s, start } })));
    const Reply running = m_server.post("/call/read", R"({"project_id": "compat/eager", "id": "e1"})");
    QCOMPARE(
        running.value(u"call").toObject()[u"summary"_s][u"weave"_s][u"status"_s].toString(), u"running"_s);
    const QJsonObject end { { u"project_id"_s, u"compat/eager"_s }, { u"id"_s, u"e1"_s },
        { u"trace_id"_s, u"trace-1"_s }, { u"started_at"_s, u"2026-11-23T08:00:00.000000Z"_s },
        { u"ended_at"_s, u"2026-11-23T08:00:02.000000Z"_s }, { u"exception"_s, QJsonValue() },
        { u"output"_s, u"done"_s }, { u"summary"_s, QJsonObject() }, { u"wb_run_step_end"_s, QJsonValue() } };
    const Reply ended = m_server.post("/v2/compat/eager/call/end", json({ { u"end"_s, end } }));
    EXPECT_OK(ended);
    const QJsonObject call = m_server.post("/call/read", R"({"project_id": "compat/eager", "id": "e1"})")
                                 .value(u"call")
                                 .toObject();
    QCOMPARE(call.value(u"summary"_s)[u"weave"_s][u"status"_s].toString(), u"success"_s);
    QCOMPARE(call.value(u"output"_s).toString(), u"done"_s);
}

// A dataset over the SDK's 31 MiB request limit is published as an empty table and then appends.
// The result must be the table /table/create makes of the same rows, and each change reports the
// row it added or removed.
void TestSdkCompat::tableUpdateAppliesChangesInOrder()
{
    const auto row = [](int n) { return QJsonObject { { u"n"_s, n }, { u"text"_s, u"row %1"_s.arg(n) } }; };
    const Reply base = m_server.post("/table/create",
        json({ { u"table"_s,
            QJsonObject {
                { u"project_id"_s, u"compat/tables"_s }, { u"rows"_s, QJsonArray { row(1), row(2) } } } } }));
    EXPECT_OK(base);
    const QJsonArray baseDigests = base.value(u"row_digests").toArray();
    const QJsonArray updates { QJsonObject { { u"append"_s, QJsonObject { { u"row"_s, row(3) } } } },
        QJsonObject { { u"insert"_s, QJsonObject { { u"index"_s, 0 }, { u"row"_s, row(0) } } } },
        QJsonObject { { u"pop"_s, QJsonObject { { u"index"_s, 2 } } } } }; // row 2
    const Reply updated = m_server.post("/table/update",
        json({ { u"project_id"_s, u"compat/tables"_s }, { u"base_digest"_s, base.value(u"digest") },
            { u"updates"_s, updates } }));
    EXPECT_OK(updated);

    const Reply same = m_server.post("/table/create",
        json({ { u"table"_s,
            QJsonObject { { u"project_id"_s, u"compat/tables"_s },
                { u"rows"_s, QJsonArray { row(0), row(1), row(3) } } } } }));
    QCOMPARE(updated.value(u"digest").toString(), same.value(u"digest").toString());
    const QJsonArray finalDigests = same.value(u"row_digests").toArray();
    QCOMPARE(updated.value(u"updated_row_digests").toArray(),
        QJsonArray({ finalDigests[2], finalDigests[0], baseDigests[1] }));
    const Reply rows = m_server.post("/table/query",
        json({ { u"project_id"_s, u"compat/tables"_s }, { u"digest"_s, updated.value(u"digest") } }));
    QStringList texts;
    for (const QJsonValue& entry : rows.value(u"rows").toArray())
        texts << entry[u"val"_s][u"text"_s].toString();
    QCOMPARE(texts, QStringList({ u"row 0"_s, u"row 1"_s, u"row 3"_s }));
    // The base table is unchanged.
    const Reply before = m_server.post("/table/query_stats",
        json({ { u"project_id"_s, u"compat/tables"_s }, { u"digest"_s, base.value(u"digest") } }));
    QCOMPARE(before.value(u"count").toInt(), 2);
}

void TestSdkCompat::tableUpdateRefusals_data()
{
    QTest::addColumn<QByteArray>("updates");
    QTest::addColumn<int>("status");
    QTest::newRow("pop past the end") << QByteArray(R"([{"pop": {"index": 1}}])") << 400;
    QTest::newRow("pop negative") << QByteArray(R"([{"pop": {"index": -1}}])") << 400;
    QTest::newRow("insert past the end")
        << QByteArray(R"([{"insert": {"index": 2, "row": {"a": 1}}}])") << 400;
    QTest::newRow("pop after the rows ran out")
        << QByteArray(R"([{"pop": {"index": 0}}, {"pop": {"index": 0}}])") << 400;
    QTest::newRow("row not an object") << QByteArray(R"([{"append": {"row": [1]}}])") << 400;
    QTest::newRow("two kinds in one")
        << QByteArray(R"([{"append": {"row": {}}, "pop": {"index": 0}}])") << 400;
    QTest::newRow("unknown kind") << QByteArray(R"([{"replace": {"index": 0}}])") << 400;
    QTest::newRow("index not a number") << QByteArray(R"([{"pop": {"index": "0"}}])") << 400;
    QTest::newRow("no index") << QByteArray(R"([{"pop": {}}])") << 400;
    QTest::newRow("updates not a list") << QByteArray(R"({"append": {"row": {}}})") << 400;
    // Each insert or pop moves the rows after it: a million-row table and a request of them held
    // the write lock for minutes.
    QByteArray inserts = "[";
    for (int i = 0; i < 1001; ++i)
        inserts += QByteArray(i ? "," : "") + R"({"insert": {"index": 0, "row": {"i": )"
            + QByteArray::number(i) + "}}}";
    QTest::newRow("1001 inserts") << inserts + "]" << 400;
}

void TestSdkCompat::tableUpdateRefusals()
{
    QFETCH(QByteArray, updates);
    QFETCH(int, status);
    const Reply base =
        m_server.post("/table/create", R"({"table": {"project_id": "compat/refusals", "rows": [{"a": 1}]}})");
    EXPECT_OK(base);
    const QByteArray digest = base.value(u"digest").toString().toUtf8();
    const Reply reply = m_server.post("/table/update",
        R"({"project_id": "compat/refusals", "base_digest": ")" + digest + R"(", "updates": )" + updates
            + "}");
    EXPECT_API_ERROR(reply, status);
    const Reply missing = m_server.post("/table/update",
        R"({"project_id": "compat/refusals", "base_digest": "nope", "updates": [{"append": {"row": {}}}]})");
    EXPECT_API_ERROR(missing, 404);
}

// weave.init and each traced call print links to the W&B app: with WANDB_BASE_URL pointed here
// they reach this server. A browser gets a page naming the call (the desktop app, when it embeds
// the server, also shows it: tst_tracespage).
void TestSdkCompat::sdkLinksGetAPage()
{
    const Reply call = m_server.get("/me/my-project/r/call/01923-abc");
    EXPECT_OK(call);
    QVERIFY2(call.contentType.startsWith("text/html"), call.contentType.constData());
    QVERIFY(call.body.contains("Call <code>01923-abc</code> in <b>me/my-project</b>"));
    QVERIFY(call.body.contains("Open the Spindle desktop app")); // no app embeds this one
    const Reply project = m_server.get("/me/my-project/weave");
    EXPECT_OK(project);
    QVERIFY(project.body.contains("The project <b>me/my-project</b>"));
    EXPECT_OK(m_server.get("/me/my-project/weave/calls?filter=x"));
    const Reply hostile = m_server.get("/me/p/r/call/%3Cimg%20src%3Dx%20onerror%3D%22alert(1)%22%3E");
    EXPECT_OK(hostile);
    QVERIFY2(hostile.body.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;")
            && !hostile.body.contains("<img"),
        hostile.body.constData());
    EXPECT_API_ERROR(m_server.get("/bad%00name/p/r/call/x"), 400);
    const Reply notText = m_server.get("/me/p/r/call/%FF%FE");
    EXPECT_API_ERROR(notText, 400);
    QVERIFY2(notText.body.contains("UTF-8"), notText.body.constData());
    const Reply controls = m_server.get("/me/p/r/call/a%00b%0D%0Ac");
    EXPECT_OK(controls);
    QVERIFY2(controls.body.contains("a\xEF\xBF\xBD"
                                    "b\xEF\xBF\xBD\xEF\xBF\xBD"
                                    "c")
            && !controls.body.contains('\0'),
        controls.body.constData());
    EXPECT_API_ERROR(m_server.get(qPrintable(u"/me/p/r/call/"_s + QString(129, u'x'))), 400);
}

QTEST_GUILESS_MAIN(TestSdkCompat)
#include "tst_sdk_compat.moc"
