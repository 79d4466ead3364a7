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
    void graphqlRefusals_data();
    void graphqlRefusals();

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

QTEST_GUILESS_MAIN(TestSdkCompat)
#include "tst_sdk_compat.moc"
