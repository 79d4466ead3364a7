// Objects, refs and tables where Weave's server has rules of its own (trace_server validation.py,
// object_class_util.py, obj_delete, table_query, refs read_batch), found by a read-only audit:
// object names of any script, deleting by version alias, which values have object classes, refs
// followed through the objects they name, and the table reads of a table that does not exist.
#include "support/testserver.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace spindle::test;

class TestObjectsWeave : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void namesOfAnyScript_data();
    void namesOfAnyScript();
    void deleteByVersionName();
    void classesOfWeaveObjectsOnly();
    void refsFollowObjectsOnTheirPath();
    void missingTableHasNoRows();
    void tableSortFieldsArePaths_data();
    void tableSortFieldsArePaths();

private:
    Reply createObject(const QString& project, const QString& objectId, const QByteArray& val);
    QStringList liveVersions(const QString& project, const QString& objectId);
    QJsonArray readRefs(const QStringList& refs);

    TestServer m_server;
};

void TestObjectsWeave::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestObjectsWeave::cleanup()
{
    EXPECT_SERVER_HEALTHY(m_server);
}

Reply TestObjectsWeave::createObject(const QString& project, const QString& objectId, const QByteArray& val)
{
    return m_server.post("/obj/create",
        "{\"obj\": {\"project_id\": " + jsonString(project) + ", \"object_id\": " + jsonString(objectId)
            + ", \"val\": " + val + "}}");
}

// The live versions of an object: "v<index>" in version order, "*" after the latest.
QStringList TestObjectsWeave::liveVersions(const QString& project, const QString& objectId)
{
    const Reply reply =
        m_server.post("/objs/query", R"({"project_id": "{{p}}", "filter": {"object_ids": [{{o}}]}})",
            { { "p", project }, { "o", QString::fromUtf8(jsonString(objectId)) } });
    QStringList out;
    for (const QJsonValue& obj : reply.value(u"objs").toArray())
        out << u"v%1%2"_s.arg(obj[u"version_index"].toInt())
                   .arg(obj[u"is_latest"].toInt() ? u"*"_s : QString());
    return out;
}

QJsonArray TestObjectsWeave::readRefs(const QStringList& refs)
{
    QJsonArray list;
    for (const QString& ref : refs)
        list << ref;
    const Reply reply = m_server.post("/refs/read_batch", "{\"refs\": " + toJsonText(list) + "}");
    return reply.status == 200 ? reply.value(u"vals").toArray() : QJsonArray();
}

void TestObjectsWeave::namesOfAnyScript_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("french") << u"données"_s << true;
    QTest::newRow("japanese") << u"翻訳"_s << true;
    QTest::newRow("digits, dot, dash, underscore") << u"v1.2-beta_3"_s << true;
    QTest::newRow("128 characters, 256 bytes") << QString(128, QChar(0xe9)) << true;
    QTest::newRow("129 characters") << QString(129, QChar(0xe9)) << false;
    QTest::newRow("space") << u"my model"_s << false;
    QTest::newRow("slash") << u"a/b"_s << false;
    QTest::newRow("colon") << u"a:b"_s << false;
    QTest::newRow("emoji") << u"\U0001F600"_s << false;
    QTest::newRow("empty") << QString() << false;
}

// Weave takes 1-128 characters of [\w._-] in Python's sense: letters and digits of any script.
void TestObjectsWeave::namesOfAnyScript()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    const QString project = testProject("objects");
    const Reply created = createObject(project, name, R"({"a": 1})");
    if (!valid) {
        EXPECT_API_ERROR(created, 400);
        return;
    }
    EXPECT_OK(created);
    QCOMPARE(created.value(u"object_id").toString(), name);
    QCOMPARE(liveVersions(project, name), QStringList { u"v0*"_s });
}

// obj/delete's digests may name versions as obj/read does ("latest", "v<N>", an alias); one that
// names no live version is a 404 and nothing is deleted.
void TestObjectsWeave::deleteByVersionName()
{
    const QString project = testProject("objects");
    QStringList digests;
    for (int v = 0; v < 4; ++v) {
        const Reply created =
            createObject(project, u"o"_s, QByteArray("{\"v\": ") + QByteArray::number(v) + "}");
        EXPECT_OK(created);
        digests << created.value(u"digest").toString();
    }
    EXPECT_OK(m_server.send("PUT", "/objs/o/aliases",
        fill(R"({"project_id": "{{p}}", "digest": "{{d}}", "aliases": ["prod"]})",
            { { "p", project }, { "d", digests[1] } }),
        "application/json"));
    const auto remove = [&](const char* list) {
        return m_server.post("/obj/delete", R"({"project_id": "{{p}}", "object_id": "o", "digests": {{l}}})",
            { { "p", project }, { "l", QString::fromLatin1(list) } });
    };
    const QByteArray partial = "[\"nope\", " + jsonString(digests[2]) + "]";
    EXPECT_API_ERROR(remove(partial.constData()), 404);
    QCOMPARE(liveVersions(project, u"o"_s), QStringList({ u"v0"_s, u"v1"_s, u"v2"_s, u"v3*"_s }));
    const QByteArray twoNames = "[\"latest\", " + jsonString(digests[3]) + "]"; // one version, named twice
    EXPECT_API_ERROR(remove(twoNames.constData()), 404);
    QCOMPARE(liveVersions(project, u"o"_s).size(), 4);
    const Reply latest = remove(R"(["latest"])");
    EXPECT_OK(latest);
    QCOMPARE(latest.value(u"num_deleted").toInt(), 1);
    QCOMPARE(liveVersions(project, u"o"_s), QStringList({ u"v0"_s, u"v1"_s, u"v2*"_s }));
    EXPECT_OK(remove(R"(["v0", "prod"])"));
    QCOMPARE(liveVersions(project, u"o"_s), QStringList({ u"v2*"_s }));
    EXPECT_API_ERROR(remove(R"(["v0"])"), 404); // deleted already
}

// base_object_class and leaf_object_class belong to subclasses of weave.Object or BaseObject only.
void TestObjectsWeave::classesOfWeaveObjectsOnly()
{
    const QString project = testProject("objects");
    const struct
    {
        const char* id;
        QByteArray val;
        QString base, leaf; // empty: null
    } cases[] = {
        { "model", R"({"_class_name": "MyModel", "_bases": ["Model", "Object", "BaseModel"]})", u"Model"_s,
            u"MyModel"_s },
        { "dataset", R"({"_class_name": "Dataset", "_bases": ["Object", "BaseModel"]})", u"Dataset"_s,
            u"Dataset"_s },
        { "scorer", R"({"_class_name": "Judge", "_bases": ["Scorer", "BaseObject", "BaseModel"]})",
            u"Scorer"_s, u"Judge"_s },
        { "pydantic", R"({"_class_name": "Foo", "_bases": ["BaseModel"]})", {}, {} },
        { "pydantic3", R"({"_class_name": "C", "_bases": ["B", "A", "BaseModel"]})", {}, {} },
        { "plain", R"({"_class_name": "MyThing", "_bases": []})", {}, {} },
        { "unnamed", R"({"_bases": ["Object", "BaseModel"]})", {}, {} },
    };
    for (const auto& c : cases)
        EXPECT_OK(createObject(project, QString::fromLatin1(c.id), c.val));
    const Reply reply = m_server.post("/objs/query", R"({"project_id": "{{p}}"})", { { "p", project } });
    EXPECT_OK(reply);
    QHash<QString, QJsonObject> byId;
    for (const QJsonValue& obj : reply.value(u"objs").toArray())
        byId.insert(obj[u"object_id"].toString(), obj.toObject());
    for (const auto& c : cases) {
        const QJsonObject obj = byId.value(QString::fromLatin1(c.id));
        QVERIFY2(!obj.isEmpty(), c.id);
        QCOMPARE(obj.value(u"base_object_class").toString(), c.base);
        QCOMPARE(obj.value(u"leaf_object_class").toString(), c.leaf);
        QCOMPARE(obj.value(u"base_object_class").isNull(), c.base.isEmpty());
    }
    const Reply pydantic = m_server.post("/objs/query",
        R"({"project_id": "{{p}}", "filter": {"leaf_object_classes": ["Foo", "C", "MyThing"]}})",
        { { "p", project } });
    EXPECT_OK(pydantic);
    QCOMPARE(pydantic.value(u"objs").toArray().size(), 0);
}

// A path through an Evaluation's dataset ref reads on in the dataset, and into its rows; a ref to
// another project's object is not followed, and refs that name each other end.
void TestObjectsWeave::refsFollowObjectsOnTheirPath()
{
    const QString project = testProject("objects");
    const Reply table = m_server.post("/table/create",
        R"({"table": {"project_id": "{{p}}", "rows": [{"q": "a"}, {"q": "b"}]}})", { { "p", project } });
    EXPECT_OK(table);
    const QString rowB = table.value(u"row_digests").toArray().at(1).toString();
    const QString tableRef = u"weave:///%1/table/%2"_s.arg(project, table.value(u"digest").toString());
    const QString ds =
        createObject(project, u"ds"_s, fill(R"({"name": "qa", "rows": "{{t}}"})", { { "t", tableRef } }))
            .value(u"digest")
            .toString();
    const QString dsRef = objectRef(project, u"ds"_s, ds);
    const QString elsewhere = testProject("elsewhere");
    const QString other =
        createObject(elsewhere, u"x"_s, R"({"name": "theirs"})").value(u"digest").toString();
    const QString ev = createObject(project, u"ev"_s,
        fill(R"({"dataset": "{{d}}", "name_ref": "{{d}}/attr/name", "theirs": "{{o}}"})",
            { { "d", dsRef }, { "o", objectRef(elsewhere, u"x"_s, other) } }))
                           .value(u"digest")
                           .toString();
    // Refs that name each other: "latest" needs no digest known beforehand. (The value is built
    // outside the macro: moc's preprocessor reads "//" in raw strings as a comment.)
    const QByteArray loop =
        fill(R"({"a": "weave:///{{p}}/object/loop:latest/attr/a/attr/a"})", { { "p", project } });
    EXPECT_OK(createObject(project, u"loop"_s, loop));
    QVERIFY(!ds.isEmpty() && !other.isEmpty() && !ev.isEmpty());
    const QString evRef = objectRef(project, u"ev"_s, ev);
    const QJsonArray vals =
        readRefs({ evRef + u"/attr/dataset/attr/name"_s, evRef + u"/attr/dataset/attr/rows/id/"_s + rowB,
            evRef + u"/attr/name_ref"_s, evRef + u"/attr/dataset"_s, evRef + u"/attr/theirs/attr/name"_s,
            u"weave:///%1/object/loop:latest/attr/a/attr/b"_s.arg(project) });
    QCOMPARE(vals.size(), 6);
    // A ref that names a ref: followed on to the value.
    const QString hop = createObject(project, u"hop"_s, fill(R"({"inner": "{{d}}"})", { { "d", dsRef } }))
                            .value(u"digest")
                            .toString();
    const QString chain = createObject(project, u"chain"_s,
        fill(R"({"x": "{{h}}/attr/inner"})", { { "h", objectRef(project, u"hop"_s, hop) } }))
                              .value(u"digest")
                              .toString();
    QCOMPARE(readRefs({ objectRef(project, u"chain"_s, chain) + u"/attr/x/attr/name"_s }),
        QJsonArray({ u"qa"_s }));
    QCOMPARE(vals[0].toString(), u"qa"_s);
    QCOMPARE(vals[1].toObject(), QJsonObject({ { u"q"_s, u"b"_s } }));
    QCOMPARE(vals[2].toString(), dsRef + u"/attr/name"_s); // where a path ends, a ref stays a ref
    QCOMPARE(vals[3].toString(), dsRef);
    QVERIFY(vals[4].isNull());
    QVERIFY(vals[5].isNull());
}

// Weave answers a table that does not exist with no rows, not an error.
void TestObjectsWeave::missingTableHasNoRows()
{
    const QString project = testProject("objects");
    const Reply rows =
        m_server.post("/table/query", R"({"project_id": "{{p}}", "digest": "abc123"})", { { "p", project } });
    EXPECT_OK(rows);
    QCOMPARE(rows.value(u"rows").toArray(), QJsonArray());
    const Reply count = m_server.post(
        "/table/query_stats", R"({"project_id": "{{p}}", "digest": "abc123"})", { { "p", project } });
    EXPECT_OK(count);
    QCOMPARE(count.value(u"count").toInt(-1), 0);
}

void TestObjectsWeave::tableSortFieldsArePaths_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<bool>("valid");
    QTest::newRow("key") << u"n"_s << true;
    QTest::newRow("nested") << u"a.b"_s << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("leading dot") << u".n"_s << false;
    QTest::newRow("trailing dot") << u"n."_s << false;
    QTest::newRow("double dot") << u"a..b"_s << false;
}

void TestObjectsWeave::tableSortFieldsArePaths()
{
    QFETCH(QString, field);
    QFETCH(bool, valid);
    const QString project = testProject("objects");
    const Reply table = m_server.post("/table/create",
        R"({"table": {"project_id": "{{p}}", "rows": [{"n": 2, "a": {"b": 1}}, {"n": 1, "a": {"b": 2}}]}})",
        { { "p", project } });
    EXPECT_OK(table);
    const Reply sorted = m_server.post("/table/query",
        R"({"project_id": "{{p}}", "digest": "{{d}}", "sort_by": [{"field": {{f}}, "direction": "desc"}]})",
        { { "p", project }, { "d", table.value(u"digest").toString() },
            { "f", QString::fromUtf8(jsonString(field)) } });
    if (!valid) {
        EXPECT_API_ERROR(sorted, 400);
        return;
    }
    EXPECT_OK(sorted);
    QCOMPARE(sorted.value(u"rows").toArray().size(), 2);
    const int first = sorted.value(u"rows").toArray().at(0)[u"original_index"].toInt(-1);
    QCOMPARE(first, field == u"n"_s ? 0 : 1); // descending: n = 2 first, a.b = 2 first
}

QTEST_GUILESS_MAIN(TestObjectsWeave)
#include "tst_objects_weave.moc"
