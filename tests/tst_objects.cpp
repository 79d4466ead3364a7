// Objects, files, tables and refs: /obj/create|read|delete, /objs/query, /file/create|content,
// /table/create|query|query_stats and /refs/read_batch (weave-protocol.md 1.3-1.6, 5).
// Expected digests were computed with Python 3:
//   base64.urlsafe_b64encode(sha256(json.dumps(val, sort_keys=True).encode()).digest())
//       .decode().replace('-', 'X').replace('_', 'Y').rstrip('=')
#include "support/testserver.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace spindle::test;

namespace {

// Rows of the test table; the first and the last are identical on purpose.
const char* const kRows =
    R"([{"q": "a", "n": 9}, {"q": "b", "n": 10}, {"q": "c", "n": 100}, {"n": 9, "q": "a"}])";
const QString kRowA = u"OHovLmbGBp0QS5hK5YsUwqDq6aBW3kL7A2X7p7Yq1gI"_s;
const QString kRowB = u"Q2DJXNyRvnV1vZTpZ0p4A3ofgwzSbYtWcXKNqLh1No8"_s;
const QString kRowC = u"LhKTXPFLXvC5MdZ72KIRE3YbGXKngsuXHlcYQSg6dX8"_s;
const QString kTableDigest = u"4a96e5498dcff4b2cdc5f970f9f67893c6ba061ca6f20917ff55deef90072148"_s;

const char* const kSavedView =
    R"({"view_type": "traces", "label": "My view", "definition": {"filter": {"trace_roots_only": true}, "sort_by": [{"field": "started_at", "direction": "desc"}], "page_size": 50}})";
const QString kSavedViewDigest = u"hp6W9FpcphXSBsWOc5puodOnOQxpG05J5hso1SyXlW4"_s;

} // namespace

class TestObjects : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void createDigest_data();
    void createDigest();
    void createAnswersObjectId();
    void keyOrderDoesNotMatter();
    void intAndFloatDiffer();
    void dedupAndVersions();
    void expectedDigest();
    void savedView();
    void savedViewAlias();
    void savedViewInvalid_data();
    void savedViewInvalid();
    void unknownBuiltinClass();
    void savedViewListing();

    void readVersions();
    void readNotFound_data();
    void readNotFound();
    void readDeletedSaysWhen();
    void readMetadataOnly();

    void queryFilters_data();
    void queryFilters();
    void querySortAndPaging();
    void queryMetadataOnly();
    void deleteMovesLatestBack();
    void recreatedVersionGetsAFreshIndex();
    void deleteAllVersions();

    void fileRoundTrip_data();
    void fileRoundTrip();
    void fileNotFound();
    void fileCreateNeedsParts();

    void tableCreate();
    void tableCreateEmptyAndDedup();
    void tableRowsMustBeObjects();
    void tableQuery_data();
    void tableQuery();
    void tableQueryStats();

    void refsReadBatch();
    void refsReadBatchRejects_data();
    void refsReadBatchRejects();

private:
    Reply createObject(
        const QString& project, const QString& objectId, const QByteArray& val, const QByteArray& extra = {});
    QStringList versionDigests(const QString& project, const QString& objectId);

    TestServer m_server;
};

void TestObjects::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestObjects::cleanup()
{
    EXPECT_SERVER_HEALTHY(m_server);
}

Reply TestObjects::createObject(
    const QString& project, const QString& objectId, const QByteArray& val, const QByteArray& extra)
{
    const QByteArray body = "{\"obj\": {\"project_id\": " + jsonString(project)
        + ", \"object_id\": " + jsonString(objectId) + ", \"val\": " + val + extra + "}}";
    return m_server.post("/obj/create", body);
}

// Live versions of an object in version order: "<version_index>:<is_latest>:<digest>".
QStringList TestObjects::versionDigests(const QString& project, const QString& objectId)
{
    const Reply reply =
        m_server.post("/objs/query", R"({"project_id": "{{p}}", "filter": {"object_ids": ["{{o}}"]}})",
            { { "p", project }, { "o", objectId } });
    QStringList out;
    for (const QJsonValue& obj : reply.value(u"objs").toArray())
        out << u"%1:%2:%3"_s.arg(obj[u"version_index"].toInt())
                   .arg(obj[u"is_latest"].toInt())
                   .arg(obj[u"digest"].toString());
    return out;
}

void TestObjects::createDigest_data()
{
    QTest::addColumn<QByteArray>("val");
    QTest::addColumn<QString>("digest");
    QTest::newRow("int") << QByteArray(R"({"x": 1})") << u"YTYlqmU0Pbsbmr5qusZ3P1yRvWDT8vX34urmnh24sic"_s;
    QTest::newRow("floats, unicode escapes, nesting") << QByteArray(
        R"({"b": 1, "a": [1.0, 1e-05, "\u00e9"], "c": null, "d": true, "e": {"z": "\ud83d\ude00", "y": 2.5}})")
                                                      << u"MhASQRkTHjjP1aaEXJvq1YhOFD5fYWnHNIjcx6ZsXIY"_s;
    QTest::newRow("same value as raw UTF-8")
        << QByteArray("{\"b\": 1, \"a\": [1.0, 0.00001, \"\xC3\xA9\"], \"c\": null, \"d\": true, \"e\": "
                      "{\"z\": \"\xF0\x9F\x98\x80\", \"y\": 2.50}}")
        << u"MhASQRkTHjjP1aaEXJvq1YhOFD5fYWnHNIjcx6ZsXIY"_s;
    QTest::newRow("float repr") << QByteArray(
        R"({"f": 0.0001, "g": 123.456, "n": 10000000000000000.0, "name": "obj"})")
                                << u"lzBq0fshsqXxYR8yfqZb1WYby2ro4LpR1S1IlVl9b4c"_s;
    QTest::newRow("float repr 2") << QByteArray(
        R"({"small": 1e-7, "neg": -0.0, "big": 1.5e300, "third": 0.30000000000000004, "exp": 1E5, "e15": 123456789012345.6, "neg2": -2.5e-5})")
                                  << u"ItEU0oD1T23eYCQY7Y8zEYSY1d3v6WVFgJuWZdKWMSg"_s;
    QTest::newRow("big ints stay exact")
        << QByteArray(R"({"big": 12345678901234567890, "min": -9223372036854775808, "zero": 0, "neg": -7})")
        << u"ukVggIckNbY1ia6xveq7vTtNlluEq9dDad47PiUtB2c"_s;
    QTest::newRow("string escapes") << QByteArray(
        R"({"s": "quote \" backslash \\ slash \/ nl \n tab \t ctrl \u0001 del \u007f bell \b ff \f cr \r"})")
                                    << u"SVfRqfqXThKr6NJZh4eVBbVUyytHpB5mk05rdGn4G08"_s;
    QTest::newRow("non-BMP and CJK escaped") << QByteArray("{\"t\": \"\xE6\x97\xA5\xE6\x9C\xAC\"}")
                                             << u"Tn7QvWHm3NnWAoGfYPwifnTyK6pvQKZhN0rLXx2mFUo"_s;
    QTest::newRow("top-level list") << QByteArray(R"([1, "a", {"k": []}, null, false])")
                                    << u"5NJb64QY1HlTTz4HSvfEGnxILsH2eyV9TxmMj0ifNuk"_s;
    QTest::newRow("top-level string")
        << QByteArray(R"("just a string")") << u"PXAd71Sxxs15Wy6Yy6tkFQ9qUHvOBDBAxmLGgu6Y7R4"_s;
    QTest::newRow("empty object") << QByteArray("{}") << u"RBNvo1WzZ4oRRq0W9XhknpT7T8If536DEMBg9hyqY4o"_s;
    QTest::newRow("empty containers")
        << QByteArray(R"({"a": {}, "b": []})") << u"1TVTjcaqobpiw90kjBhBtgixwj2HcgxfyWUu5oL3D0I"_s;
    QTest::newRow("key sort by code point")
        << QByteArray(R"({"b": 1, "a": 2, "B": 3, "_": 4, "\u00e9": 5, "Z1": 6, "10": 7, "9": 8})")
        << u"Ox5PgP3THeRGyR7Au7YFOCUsIehGO7zlcM2h9RkvJzM"_s;
}

void TestObjects::createDigest()
{
    QFETCH(QByteArray, val);
    QFETCH(QString, digest);
    const QString project = testProject("objects");
    const Reply reply = createObject(project, u"o"_s, val);
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"digest").toString(), digest);
    // The stored value reads back as sent (same JSON value).
    const Reply read =
        m_server.post("/obj/read", R"({"project_id": "{{p}}", "object_id": "o", "digest": "{{d}}"})",
            { { "p", project }, { "d", digest } });
    EXPECT_OK(read);
    QCOMPARE(read.value(u"obj")[u"val"], parseJson(val));
}

void TestObjects::createAnswersObjectId()
{
    const QString project = testProject("objects");
    const Reply reply = createObject(project, u"my-obj.v2_x"_s, R"({"x": 1})");
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"object_id").toString(), u"my-obj.v2_x"_s);
    QCOMPARE(reply.value(u"digest").toString(), u"YTYlqmU0Pbsbmr5qusZ3P1yRvWDT8vX34urmnh24sic"_s);
    QCOMPARE(reply.value(u"digest").toString().size(), 43);
}

void TestObjects::keyOrderDoesNotMatter()
{
    const QString project = testProject("objects");
    const Reply first = createObject(project, u"k"_s, R"({"b": 1, "a": {"y": 2, "x": 3}})");
    const Reply second = createObject(project, u"k"_s, R"({"a": {"x": 3, "y": 2}, "b": 1})");
    EXPECT_OK(first);
    EXPECT_OK(second);
    QCOMPARE(second.value(u"digest").toString(), first.value(u"digest").toString());
    QCOMPARE(versionDigests(project, u"k"_s).size(), 1);
}

void TestObjects::intAndFloatDiffer()
{
    const QString project = testProject("objects");
    const Reply asInt = createObject(project, u"v"_s, R"({"v": 1})");
    const Reply asFloat = createObject(project, u"v"_s, R"({"v": 1.0})");
    QCOMPARE(asInt.value(u"digest").toString(), u"mrIlP8OJgfWXnCXPCjS2LN8zRlI0S97xaz1dvAt08vE"_s);
    QCOMPARE(asFloat.value(u"digest").toString(), u"I6qXQcLCJCNONYKNc7z3fTjFtcWF9jbmM3CHXofleDw"_s);
}

void TestObjects::dedupAndVersions()
{
    const QString project = testProject("objects");
    const QString d0 = createObject(project, u"thing"_s, R"({"x": 1})").value(u"digest").toString();
    QCOMPARE(createObject(project, u"thing"_s, R"({"x": 1})").value(u"digest").toString(), d0);
    QCOMPARE(versionDigests(project, u"thing"_s), QStringList { u"0:1:"_s + d0 });

    const QString d1 = createObject(project, u"thing"_s, R"({"x": 2})").value(u"digest").toString();
    QVERIFY(d1 != d0);
    QCOMPARE(versionDigests(project, u"thing"_s), (QStringList { u"0:0:"_s + d0, u"1:1:"_s + d1 }));

    // Re-creating an old value returns it unchanged: same index, and it does not become latest.
    const Reply again = createObject(project, u"thing"_s, R"({"x": 1})");
    QCOMPARE(again.value(u"digest").toString(), d0);
    QCOMPARE(versionDigests(project, u"thing"_s), (QStringList { u"0:0:"_s + d0, u"1:1:"_s + d1 }));

    const QString d2 = createObject(project, u"thing"_s, R"({"x": 3})").value(u"digest").toString();
    QCOMPARE(versionDigests(project, u"thing"_s),
        (QStringList { u"0:0:"_s + d0, u"1:0:"_s + d1, u"2:1:"_s + d2 }));
    // The same value under another object id is its own object.
    const Reply other = createObject(project, u"other"_s, R"({"x": 1})");
    QCOMPARE(other.value(u"digest").toString(), d0);
    QCOMPARE(versionDigests(project, u"other"_s), QStringList { u"0:1:"_s + d0 });
}

void TestObjects::expectedDigest()
{
    const QString project = testProject("objects");
    const Reply match = createObject(project, u"e"_s, R"({"x": 1})",
        R"(, "expected_digest": "YTYlqmU0Pbsbmr5qusZ3P1yRvWDT8vX34urmnh24sic")");
    EXPECT_OK(match);
    const Reply mismatch = createObject(project, u"e"_s, R"({"x": 2})",
        R"(, "expected_digest": "YTYlqmU0Pbsbmr5qusZ3P1yRvWDT8vX34urmnh24sic")");
    EXPECT_API_ERROR(mismatch, 409);
    // Nothing was stored by the refused create.
    QCOMPARE(versionDigests(project, u"e"_s).size(), 1);
}

void TestObjects::savedView()
{
    const QString project = testProject("objects");
    const Reply created = createObject(
        project, u"traces_2025-01-01_00-00-00-000"_s, kSavedView, R"(, "builtin_object_class": "SavedView")");
    EXPECT_OK(created);
    QCOMPARE(created.value(u"digest").toString(), kSavedViewDigest);
    const Reply read = m_server.post("/obj/read",
        R"({"project_id": "{{p}}", "object_id": "traces_2025-01-01_00-00-00-000", "digest": "latest"})",
        { { "p", project } });
    EXPECT_OK(read);
    const QJsonObject obj = read.value(u"obj").toObject();
    QCOMPARE(obj.value(u"base_object_class").toString(), u"SavedView"_s);
    QCOMPARE(obj.value(u"kind").toString(), u"object"_s);
    const QJsonObject val = obj.value(u"val").toObject();
    QCOMPARE(val.value(u"_type").toString(), u"SavedView"_s);
    QCOMPARE(val.value(u"_class_name").toString(), u"SavedView"_s);
    QCOMPARE(val.value(u"_bases").toArray(), (QJsonArray { u"BaseObject"_s, u"BaseModel"_s }));
    QVERIFY(val.contains(u"name") && val.value(u"name").isNull());
    QVERIFY(val.contains(u"description") && val.value(u"description").isNull());
    QCOMPARE(val.value(u"label").toString(), u"My view"_s);
    QCOMPARE(val.value(u"view_type").toString(), u"traces"_s);
    QCOMPARE(val.value(u"definition")[u"page_size"].toInt(), 50);
    // Client-sent class annotations are replaced, so the digest is the same.
    const QByteArray withWrongAnnotations =
        R"({"_type": "Wrong", "_class_name": "Wrong", "_bases": ["X"], "view_type": "traces", "label": "My view", "definition": {"filter": {"trace_roots_only": true}, "sort_by": [{"field": "started_at", "direction": "desc"}], "page_size": 50}})";
    const Reply again = createObject(project, u"traces_2025-01-01_00-00-00-000"_s, withWrongAnnotations,
        R"(, "builtin_object_class": "SavedView")");
    QCOMPARE(again.value(u"digest").toString(), kSavedViewDigest);
}

void TestObjects::savedViewAlias()
{
    const QString project = testProject("objects");
    const Reply created =
        createObject(project, u"view"_s, kSavedView, R"(, "set_base_object_class": "SavedView")");
    EXPECT_OK(created);
    QCOMPARE(created.value(u"digest").toString(), kSavedViewDigest);
}

void TestObjects::savedViewInvalid_data()
{
    QTest::addColumn<QByteArray>("val");
    QTest::newRow("not an object") << QByteArray(R"(["traces"])");
    QTest::newRow("missing label") << QByteArray(R"({"view_type": "traces", "definition": {}})");
    QTest::newRow("label not a string")
        << QByteArray(R"({"view_type": "traces", "label": 5, "definition": {}})");
    QTest::newRow("missing view_type") << QByteArray(R"({"label": "x", "definition": {}})");
    QTest::newRow("missing definition") << QByteArray(R"({"view_type": "traces", "label": "x"})");
    QTest::newRow("definition not an object")
        << QByteArray(R"({"view_type": "traces", "label": "x", "definition": []})");
    QTest::newRow("bad sort direction") << QByteArray(
        R"({"view_type": "traces", "label": "x", "definition": {"sort_by": [{"field": "id", "direction": "up"}]}})");
    QTest::newRow("page not an int") << QByteArray(
        R"({"view_type": "traces", "label": "x", "definition": {"page": "1"}})");
    QTest::newRow("cols not booleans")
        << QByteArray(R"({"view_type": "traces", "label": "x", "definition": {"cols": {"a": "yes"}}})");
    QTest::newRow("pin not lists") << QByteArray(
        R"({"view_type": "traces", "label": "x", "definition": {"pin": {"left": "x"}}})");
    QTest::newRow("query without $expr")
        << QByteArray(R"({"view_type": "traces", "label": "x", "definition": {"query": {"a": 1}}})");
    QTest::newRow("filter not an object")
        << QByteArray(R"({"view_type": "traces", "label": "x", "definition": {"filter": 3}})");
    QTest::newRow("name not a string")
        << QByteArray(R"({"view_type": "traces", "label": "x", "name": 7, "definition": {}})");
}

void TestObjects::savedViewInvalid()
{
    QFETCH(QByteArray, val);
    const QString project = testProject("objects");
    EXPECT_API_ERROR(
        createObject(project, u"bad_view"_s, val, R"(, "builtin_object_class": "SavedView")"), 400);
    QCOMPARE(versionDigests(project, u"bad_view"_s), QStringList());
}

void TestObjects::unknownBuiltinClass()
{
    const QString project = testProject("objects");
    EXPECT_CLIENT_ERROR(
        createObject(project, u"x"_s, R"({"a": 1})", R"(, "builtin_object_class": "NoSuchClass")"));
}

void TestObjects::savedViewListing()
{
    const QString project = testProject("objects");
    EXPECT_OK(
        createObject(project, u"traces_1"_s, R"({"view_type": "traces", "label": "First", "definition": {}})",
            R"(, "builtin_object_class": "SavedView")"));
    EXPECT_OK(createObject(project, u"traces_1"_s,
        R"({"view_type": "traces", "label": "First, renamed", "definition": {}})",
        R"(, "builtin_object_class": "SavedView")"));
    EXPECT_OK(createObject(project, u"evaluations_1"_s,
        R"({"view_type": "evaluations", "label": "Evals", "definition": {}})",
        R"(, "builtin_object_class": "SavedView")"));
    EXPECT_OK(createObject(project, u"plain"_s, R"({"label": "not a view"})"));
    const Reply list = m_server.post("/objs/query",
        R"({"project_id": "{{p}}", "filter": {"base_object_classes": ["SavedView"], "latest_only": true}, "sort_by": [{"field": "object_id", "direction": "asc"}]})",
        { { "p", project } });
    EXPECT_OK(list);
    const QJsonArray objs = list.value(u"objs").toArray();
    QCOMPARE(objs.size(), 2);
    QCOMPARE(objs[0][u"object_id"].toString(), u"evaluations_1"_s);
    QCOMPARE(objs[1][u"object_id"].toString(), u"traces_1"_s);
    QCOMPARE(objs[1][u"val"][u"label"].toString(), u"First, renamed"_s);
    QCOMPARE(objs[1][u"version_index"].toInt(), 1);
}

void TestObjects::readVersions()
{
    const QString project = testProject("objects");
    const QString d0 = createObject(project, u"r"_s, R"({"v": 0})").value(u"digest").toString();
    const QString d1 = createObject(project, u"r"_s, R"({"v": 1})").value(u"digest").toString();
    const auto read = [&](const QString& digest) {
        return m_server.post("/obj/read", R"({"project_id": "{{p}}", "object_id": "r", "digest": "{{d}}"})",
            { { "p", project }, { "d", digest } });
    };
    const struct
    {
        QString digest;
        int value;
        QString realDigest;
        int index;
        int latest;
    } cases[] = { { d0, 0, d0, 0, 0 }, { d1, 1, d1, 1, 1 }, { u"latest"_s, 1, d1, 1, 1 },
        { u"v0"_s, 0, d0, 0, 0 }, { u"v1"_s, 1, d1, 1, 1 } };
    for (const auto& c : cases) {
        const Reply reply = read(c.digest);
        EXPECT_OK(reply);
        const QJsonObject obj = reply.value(u"obj").toObject();
        QCOMPARE(obj.value(u"val")[u"v"].toInt(), c.value);
        QCOMPARE(obj.value(u"digest").toString(), c.realDigest);
        QCOMPARE(obj.value(u"version_index").toInt(), c.index);
        QCOMPARE(obj.value(u"is_latest").toInt(), c.latest);
        QCOMPARE(obj.value(u"object_id").toString(), u"r"_s);
        QCOMPARE(obj.value(u"project_id").toString(), project);
        QCOMPARE(obj.value(u"kind").toString(), u"object"_s);
        QVERIFY(obj.value(u"base_object_class").isNull());
        QVERIFY(obj.contains(u"deleted_at") && obj.value(u"deleted_at").isNull());
        QVERIFY(obj.value(u"created_at").toString().endsWith(u'Z'));
        QVERIFY(obj.value(u"wb_user_id").isString());
    }
}

void TestObjects::readNotFound_data()
{
    QTest::addColumn<QString>("objectId");
    QTest::addColumn<QString>("digest");
    QTest::newRow("unknown object") << u"nope"_s << u"latest"_s;
    QTest::newRow("unknown digest") << u"known"_s << u"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"_s;
    QTest::newRow("unknown version index") << u"known"_s << u"v9"_s;
}

void TestObjects::readNotFound()
{
    QFETCH(QString, objectId);
    QFETCH(QString, digest);
    const QString project = testProject("objects");
    EXPECT_OK(createObject(project, u"known"_s, R"({"a": 1})"));
    EXPECT_API_ERROR(
        m_server.post("/obj/read", R"({"project_id": "{{p}}", "object_id": "{{o}}", "digest": "{{d}}"})",
            { { "p", project }, { "o", objectId }, { "d", digest } }),
        404);
    // The object exists in this project only.
    EXPECT_API_ERROR(m_server.post("/obj/read",
                         R"({"project_id": "{{p}}-else", "object_id": "known", "digest": "latest"})",
                         { { "p", project } }),
        404);
}

void TestObjects::readDeletedSaysWhen()
{
    const QString project = testProject("objects");
    const QString d0 = createObject(project, u"gone"_s, R"({"a": 1})").value(u"digest").toString();
    EXPECT_OK(m_server.post(
        "/obj/delete", R"({"project_id": "{{p}}", "object_id": "gone"})", { { "p", project } }));
    const Reply reply =
        m_server.post("/obj/read", R"({"project_id": "{{p}}", "object_id": "gone", "digest": "{{d}}"})",
            { { "p", project }, { "d", d0 } });
    EXPECT_API_ERROR(reply, 404);
    QVERIFY2(reply.value(u"deleted_at").isString(), reply.body.constData());
    QVERIFY(reply.value(u"deleted_at").toString().startsWith(u"20"_s));
}

void TestObjects::readMetadataOnly()
{
    const QString project = testProject("objects");
    EXPECT_OK(createObject(project, u"m"_s, R"({"big": [1, 2, 3]})"));
    const Reply reply = m_server.post("/obj/read",
        R"({"project_id": "{{p}}", "object_id": "m", "digest": "latest", "metadata_only": true})",
        { { "p", project } });
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"obj")[u"val"], QJsonValue(QJsonObject()));
    QCOMPARE(reply.value(u"obj")[u"object_id"].toString(), u"m"_s);
}

namespace {

const char* const kOpVal =
    R"({"_type": "CustomWeaveType", "weave_type": {"type": "Op"}, "files": {"obj.py": "W3bQliwJq07jCfrGX601aMl6veyYO0BRRq4XhqI141I"}, "load_op": "NO_LOAD_OP"})";

} // namespace

void TestObjects::queryFilters_data()
{
    QTest::addColumn<QByteArray>("filter");
    QTest::addColumn<QStringList>("expected"); // "<object_id>:<version_index>" in created_at order

    QTest::newRow("no filter") << QByteArray("{}")
                               << QStringList { u"alpha:0"_s, u"alpha:1"_s, u"beta:0"_s, u"my_op:0"_s,
                                      u"op2:0"_s, u"ds:0"_s, u"model:0"_s, u"view:0"_s };
    QTest::newRow("base_object_classes")
        << QByteArray(R"({"base_object_classes": ["Dataset"]})") << QStringList { u"ds:0"_s };
    QTest::newRow("base_object_classes several")
        << QByteArray(R"({"base_object_classes": ["Model", "SavedView"]})")
        << QStringList { u"model:0"_s, u"view:0"_s };
    QTest::newRow("object_ids") << QByteArray(R"({"object_ids": ["alpha"]})")
                                << QStringList { u"alpha:0"_s, u"alpha:1"_s };
    QTest::newRow("object_ids latest_only")
        << QByteArray(R"({"object_ids": ["alpha", "beta"], "latest_only": true})")
        << QStringList { u"alpha:1"_s, u"beta:0"_s };
    QTest::newRow("is_op true") << QByteArray(R"({"is_op": true})")
                                << QStringList { u"my_op:0"_s, u"op2:0"_s };
    QTest::newRow("is_op false latest_only")
        << QByteArray(R"({"is_op": false, "latest_only": true})")
        << QStringList { u"alpha:1"_s, u"beta:0"_s, u"ds:0"_s, u"model:0"_s, u"view:0"_s };
    QTest::newRow("latest_only") << QByteArray(R"({"latest_only": true})")
                                 << QStringList { u"alpha:1"_s, u"beta:0"_s, u"my_op:0"_s, u"op2:0"_s,
                                        u"ds:0"_s, u"model:0"_s, u"view:0"_s };
    QTest::newRow("nothing") << QByteArray(R"({"object_ids": ["nope"]})") << QStringList();
}

void TestObjects::queryFilters()
{
    QFETCH(QByteArray, filter);
    QFETCH(QStringList, expected);
    const QString project = testProject("objects");
    EXPECT_OK(createObject(project, u"alpha"_s, R"({"a": 0})"));
    EXPECT_OK(createObject(project, u"alpha"_s, R"({"a": 1})"));
    EXPECT_OK(createObject(project, u"beta"_s, R"({"b": 0})"));
    EXPECT_OK(createObject(project, u"my_op"_s, kOpVal));
    EXPECT_OK(createObject(project, u"op2"_s, R"({"_type": "Op", "name": "op2"})"));
    const QByteArray dataset =
        R"({"_type": "Dataset", "_class_name": "Dataset", "_bases": ["Object", "BaseModel"], "rows": "weave:///x/y/table/abc"})";
    EXPECT_OK(createObject(project, u"ds"_s, dataset));
    EXPECT_OK(createObject(project, u"model"_s,
        R"({"_type": "MyModel", "_class_name": "MyModel", "_bases": ["Model", "Object", "BaseModel"]})"));
    EXPECT_OK(createObject(project, u"view"_s, kSavedView, R"(, "builtin_object_class": "SavedView")"));
    EXPECT_OK(createObject(project, u"gone"_s, R"({"g": 1})"));
    EXPECT_OK(m_server.post(
        "/obj/delete", R"({"project_id": "{{p}}", "object_id": "gone"})", { { "p", project } }));

    const Reply reply = m_server.post(
        "/objs/query", fill(R"({"project_id": "{{p}}", "filter": )", { { "p", project } }) + filter + "}");
    EXPECT_OK(reply);
    QStringList actual;
    for (const QJsonValue& obj : reply.value(u"objs").toArray())
        actual << obj[u"object_id"].toString() + u':' + QString::number(obj[u"version_index"].toInt());
    QCOMPARE(actual, expected);
    // Kinds and base classes as derived by the server.
    for (const QJsonValue& obj : reply.value(u"objs").toArray()) {
        const QString id = obj[u"object_id"].toString();
        QCOMPARE(obj[u"kind"].toString(), id == u"my_op"_s || id == u"op2"_s ? u"op"_s : u"object"_s);
        const QString base = id == u"ds"_s ? u"Dataset"_s
            : id == u"model"_s             ? u"Model"_s
            : id == u"view"_s              ? u"SavedView"_s
                                           : QString();
        if (base.isEmpty())
            QVERIFY2(obj[u"base_object_class"].isNull(), qPrintable(id));
        else
            QCOMPARE(obj[u"base_object_class"].toString(), base);
    }
}

void TestObjects::querySortAndPaging()
{
    const QString project = testProject("objects");
    const QStringList created { u"delta"_s, u"alpha"_s, u"echo"_s, u"charlie"_s, u"bravo"_s };
    for (const QString& id : created)
        EXPECT_OK(createObject(project, id, "{\"id\": " + jsonString(id) + "}"));
    EXPECT_OK(createObject(project, u"alpha"_s, R"({"id": "alpha", "v": 2})"));

    const auto ids = [&](const char* extra) {
        const Reply reply = m_server.post("/objs/query",
            fill(R"({"project_id": "{{p}}", "filter": {"latest_only": true})", { { "p", project } }) + extra
                + "}");
        QStringList out;
        for (const QJsonValue& obj : reply.value(u"objs").toArray())
            out << obj[u"object_id"].toString();
        return out;
    };
    QStringList sorted = created;
    sorted.sort();
    QCOMPARE(ids(R"(, "sort_by": [{"field": "object_id", "direction": "asc"}])"), sorted);
    QStringList reversed(sorted.rbegin(), sorted.rend());
    QCOMPARE(ids(R"(, "sort_by": [{"field": "object_id", "direction": "desc"}])"), reversed);
    // created_at: alpha's latest version is the newest row.
    QCOMPARE(ids(R"(, "sort_by": [{"field": "created_at", "direction": "asc"}])"),
        (QStringList { u"delta"_s, u"echo"_s, u"charlie"_s, u"bravo"_s, u"alpha"_s }));
    QCOMPARE(ids(R"(, "sort_by": [{"field": "created_at", "direction": "desc"}])"),
        (QStringList { u"alpha"_s, u"bravo"_s, u"charlie"_s, u"echo"_s, u"delta"_s }));
    // Default order is created_at asc.
    QCOMPARE(ids(""), (QStringList { u"delta"_s, u"echo"_s, u"charlie"_s, u"bravo"_s, u"alpha"_s }));
    QStringList paged;
    for (int offset = 0; offset < 6; offset += 2)
        paged += ids(
            QByteArray(R"(, "sort_by": [{"field": "object_id", "direction": "asc"}], "limit": 2, "offset": )"
                + QByteArray::number(offset))
                .constData());
    QCOMPARE(paged, sorted);
    QCOMPARE(ids(R"(, "limit": 2)").size(), 2);
    // Only object_id and created_at are sortable.
    EXPECT_CLIENT_ERROR(m_server.post("/objs/query",
        R"({"project_id": "{{p}}", "sort_by": [{"field": "val", "direction": "asc"}]})",
        { { "p", project } }));
}

void TestObjects::queryMetadataOnly()
{
    const QString project = testProject("objects");
    EXPECT_OK(createObject(project, u"m"_s, R"({"big": [1, 2, 3]})"));
    const Reply reply = m_server.post(
        "/objs/query", R"({"project_id": "{{p}}", "metadata_only": true})", { { "p", project } });
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"objs")[0][u"val"], QJsonValue(QJsonObject()));
    QCOMPARE(reply.value(u"objs")[0][u"object_id"].toString(), u"m"_s);
}

// A deleted version created again is a new version with its own index. Its index used to be the
// count of rows, which the next version got too: A 0, B 2, C 2 (latest), and "v2" read B.
void TestObjects::recreatedVersionGetsAFreshIndex()
{
    const QString project = testProject("objects");
    const QString a = createObject(project, u"r"_s, R"({"v": "A"})").value(u"digest").toString();
    const QString b = createObject(project, u"r"_s, R"({"v": "B"})").value(u"digest").toString();
    EXPECT_OK(
        m_server.post("/obj/delete", R"({"project_id": "{{p}}", "object_id": "r", "digests": ["{{d}}"]})",
            { { "p", project }, { "d", b } }));
    QCOMPARE(createObject(project, u"r"_s, R"({"v": "B"})").value(u"digest").toString(), b);
    const QString c = createObject(project, u"r"_s, R"({"v": "C"})").value(u"digest").toString();
    QCOMPARE(versionDigests(project, u"r"_s), (QStringList { u"0:0:"_s + a, u"2:0:"_s + b, u"3:1:"_s + c }));
    const Reply v3 = m_server.post(
        "/obj/read", R"({"project_id": "{{p}}", "object_id": "r", "digest": "v3"})", { { "p", project } });
    EXPECT_OK(v3);
    QCOMPARE(v3.value(u"obj")[u"digest"].toString(), c);
}

void TestObjects::deleteMovesLatestBack()
{
    const QString project = testProject("objects");
    const QString d0 = createObject(project, u"t"_s, R"({"v": 0})").value(u"digest").toString();
    const QString d1 = createObject(project, u"t"_s, R"({"v": 1})").value(u"digest").toString();
    const QString d2 = createObject(project, u"t"_s, R"({"v": 2})").value(u"digest").toString();

    const Reply deleted =
        m_server.post("/obj/delete", R"({"project_id": "{{p}}", "object_id": "t", "digests": ["{{d}}"]})",
            { { "p", project }, { "d", d2 } });
    EXPECT_OK(deleted);
    QCOMPARE(deleted.value(u"num_deleted").toInt(), 1);
    QCOMPARE(versionDigests(project, u"t"_s), (QStringList { u"0:0:"_s + d0, u"1:1:"_s + d1 }));
    const Reply latest = m_server.post("/obj/read",
        R"({"project_id": "{{p}}", "object_id": "t", "digest": "latest"})", { { "p", project } });
    EXPECT_OK(latest);
    QCOMPARE(latest.value(u"obj")[u"digest"].toString(), d1);
    QCOMPARE(latest.value(u"obj")[u"is_latest"].toInt(), 1);
    EXPECT_API_ERROR(
        m_server.post("/obj/read", R"({"project_id": "{{p}}", "object_id": "t", "digest": "v2"})",
            { { "p", project } }),
        404);

    // Deleting a non-latest version keeps latest where it is; indexes are not renumbered.
    EXPECT_OK(
        m_server.post("/obj/delete", R"({"project_id": "{{p}}", "object_id": "t", "digests": ["{{d}}"]})",
            { { "p", project }, { "d", d0 } }));
    QCOMPARE(versionDigests(project, u"t"_s), QStringList { u"1:1:"_s + d1 });
    const Reply v1 = m_server.post(
        "/obj/read", R"({"project_id": "{{p}}", "object_id": "t", "digest": "v1"})", { { "p", project } });
    QCOMPARE(v1.value(u"obj")[u"digest"].toString(), d1);

    // A new version becomes latest again.
    const QString d3 = createObject(project, u"t"_s, R"({"v": 3})").value(u"digest").toString();
    const Reply newest = m_server.post("/obj/read",
        R"({"project_id": "{{p}}", "object_id": "t", "digest": "latest"})", { { "p", project } });
    QCOMPARE(newest.value(u"obj")[u"digest"].toString(), d3);
    QVERIFY(newest.value(u"obj")[u"version_index"].toInt() > 1);
}

void TestObjects::deleteAllVersions()
{
    const QString project = testProject("objects");
    EXPECT_OK(createObject(project, u"all"_s, R"({"v": 0})"));
    EXPECT_OK(createObject(project, u"all"_s, R"({"v": 1})"));
    EXPECT_OK(createObject(project, u"keep"_s, R"({"v": 0})"));
    const Reply deleted =
        m_server.post("/obj/delete", R"({"project_id": "{{p}}", "object_id": "all"})", { { "p", project } });
    EXPECT_OK(deleted);
    QCOMPARE(deleted.value(u"num_deleted").toInt(), 2);
    QCOMPARE(versionDigests(project, u"all"_s), QStringList());
    QCOMPARE(versionDigests(project, u"keep"_s).size(), 1);
    EXPECT_API_ERROR(
        m_server.post("/obj/read", R"({"project_id": "{{p}}", "object_id": "all", "digest": "latest"})",
            { { "p", project } }),
        404);
    EXPECT_API_ERROR(
        m_server.post("/obj/delete", R"({"project_id": "{{p}}", "object_id": "all"})", { { "p", project } }),
        404);
    EXPECT_API_ERROR(m_server.post("/obj/delete", R"({"project_id": "{{p}}", "object_id": "never"})",
                         { { "p", project } }),
        404);
}

void TestObjects::fileRoundTrip_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("expectedDigest"); // from Python; empty: only the independent computation

    QTest::newRow("source text") << QByteArray("def f():\n    return 1\n") << u"obj.py"_s
                                 << u"W3bQliwJq07jCfrGX601aMl6veyYO0BRRq4XhqI141I"_s;
    QTest::newRow("binary with NULs") << QByteArray("\x00\x01\x02\xff\x00"
                                                    "binary\x00",
        12) << u"blob"_s << u"SxQZhvU8ycXmbEbyRQy0z0mF4gAwmkYGGQQazmVkYo4"_s;
    QByteArray allBytes;
    for (int i = 0; i < 256; ++i)
        allBytes.append(char(i));
    QTest::newRow("every byte value") << allBytes.repeated(4) << u"image.png"_s << QString();
    QTest::newRow("empty") << QByteArray() << u"blob"_s << u"47DEQpj8HBSaXYTImWX5JCeuQeRkm5NMpJWZG3hSuFU"_s;
    QByteArray big(2 * 1024 * 1024, '\0');
    for (qsizetype i = 0; i < big.size(); ++i)
        big[i] = char((i * 7919) % 251);
    QTest::newRow("2 MiB") << big << u"audio.wav"_s << QString();
}

void TestObjects::fileRoundTrip()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, fileName);
    QFETCH(QString, expectedDigest);
    const QString project = testProject("objects");
    const Reply created = m_server.uploadFile(project, bytes, fileName);
    EXPECT_OK(created);
    const QString digest = created.value(u"digest").toString();
    QCOMPARE(digest, weaveDigestOf(bytes));
    if (!expectedDigest.isEmpty())
        QCOMPARE(digest, expectedDigest);

    const Reply content = m_server.post("/file/content", R"({"project_id": "{{p}}", "digest": "{{d}}"})",
        { { "p", project }, { "d", digest } });
    EXPECT_OK(content);
    QVERIFY2(content.contentType.startsWith("application/octet-stream"), content.contentType.constData());
    QCOMPARE(content.body.size(), bytes.size());
    QVERIFY(content.body == bytes);

    // The /files/* aliases and a second upload of the same bytes agree.
    const Reply again = m_server.uploadFile(project, bytes, u"other-name"_s, "/files/create");
    EXPECT_OK(again);
    QCOMPARE(again.value(u"digest").toString(), digest);
    const Reply aliasContent = m_server.post("/files/content",
        R"({"project_id": "{{p}}", "digest": "{{d}}"})", { { "p", project }, { "d", digest } });
    EXPECT_OK(aliasContent);
    QVERIFY(aliasContent.body == bytes);
}

void TestObjects::fileNotFound()
{
    const QString project = testProject("objects");
    const Reply created = m_server.uploadFile(project, "mine");
    EXPECT_OK(created);
    EXPECT_API_ERROR(
        m_server.post("/file/content",
            R"({"project_id": "{{p}}", "digest": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})",
            { { "p", project } }),
        404);
    EXPECT_API_ERROR(m_server.post("/file/content", R"({"project_id": "{{p}}x", "digest": "{{d}}"})",
                         { { "p", project }, { "d", created.value(u"digest").toString() } }),
        404);
}

void TestObjects::fileCreateNeedsParts()
{
    const QString project = testProject("objects");
    EXPECT_CLIENT_ERROR(m_server.post("/file/create", R"({"project_id": "{{p}}"})", { { "p", project } }));
    EXPECT_CLIENT_ERROR(m_server.send("POST", "/file/create",
        "--b\r\nContent-Disposition: form-data; name=\"project_id\"\r\n\r\n" + project.toUtf8()
            + "\r\n--b--\r\n",
        "multipart/form-data; boundary=b"));

    // An expected digest the bytes do not have: 409, and nothing is stored.
    const auto part = [](const char* name, const QByteArray& value) -> QByteArray {
        return "--b\r\nContent-Disposition: form-data; name=\"" + QByteArray(name) + "\"\r\n\r\n" + value
            + "\r\n";
    };
    const QByteArray bytes = "not what was expected";
    EXPECT_API_ERROR(
        m_server.send("POST", "/file/create",
            part("project_id", project.toUtf8()) + part("file", bytes)
                + part("expected_digest", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") + "--b--\r\n",
            "multipart/form-data; boundary=b"),
        409);
    EXPECT_API_ERROR(m_server.post("/file/content", R"({"project_id": "{{p}}", "digest": "{{d}}"})",
                         { { "p", project }, { "d", weaveDigestOf(bytes) } }),
        404);
}

void TestObjects::tableCreate()
{
    const QString project = testProject("objects");
    const Reply reply = m_server.post("/table/create",
        fill(R"({"table": {"project_id": "{{p}}", "rows": {{r}}}})",
            { { "p", project }, { "r", QString::fromLatin1(kRows) } }));
    EXPECT_OK(reply);
    const QJsonArray rowDigests = reply.value(u"row_digests").toArray();
    QCOMPARE(rowDigests, (QJsonArray { kRowA, kRowB, kRowC, kRowA }));
    QCOMPARE(reply.value(u"digest").toString(), kTableDigest);
    QCOMPARE(reply.value(u"digest").toString(), sha256HexOf((kRowA + kRowB + kRowC + kRowA).toLatin1()));
}

void TestObjects::tableCreateEmptyAndDedup()
{
    const QString project = testProject("objects");
    const Reply empty = m_server.post(
        "/table/create", R"({"table": {"project_id": "{{p}}", "rows": []}})", { { "p", project } });
    EXPECT_OK(empty);
    QCOMPARE(empty.value(u"digest").toString(),
        u"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"_s);
    QCOMPARE(empty.value(u"row_digests").toArray(), QJsonArray());
    const Reply emptyStats =
        m_server.post("/table/query_stats", R"({"project_id": "{{p}}", "digest": "{{d}}"})",
            { { "p", project }, { "d", empty.value(u"digest").toString() } });
    QCOMPARE(emptyStats.value(u"count").toInt(), 0);

    const QByteArray body = fill(R"({"table": {"project_id": "{{p}}", "rows": {{r}}}})",
        { { "p", project }, { "r", QString::fromLatin1(kRows) } });
    EXPECT_OK(m_server.post("/table/create", body));
    const Reply again = m_server.post("/table/create", body);
    EXPECT_OK(again);
    QCOMPARE(again.value(u"digest").toString(), kTableDigest);
    const Reply stats = m_server.post("/table/query_stats", R"({"project_id": "{{p}}", "digest": "{{d}}"})",
        { { "p", project }, { "d", kTableDigest } });
    QCOMPARE(stats.value(u"count").toInt(), 4);
    const Reply rows = m_server.post("/table/query", R"({"project_id": "{{p}}", "digest": "{{d}}"})",
        { { "p", project }, { "d", kTableDigest } });
    QCOMPARE(rows.value(u"rows").toArray().size(), 4);
}

void TestObjects::tableRowsMustBeObjects()
{
    const QString project = testProject("objects");
    EXPECT_API_ERROR(
        m_server.post("/table/create", R"({"table": {"project_id": "{{p}}", "rows": [{"a": 1}, 2]}})",
            { { "p", project } }),
        400);
    EXPECT_API_ERROR(m_server.post("/table/create", R"({"table": {"project_id": "{{p}}", "rows": {"a": 1}}})",
                         { { "p", project } }),
        400);
}

void TestObjects::tableQuery_data()
{
    QTest::addColumn<QByteArray>("extra");
    QTest::addColumn<QList<int>>("indexes"); // original_index of each returned row, in order

    QTest::newRow("insertion order") << QByteArray() << QList<int> { 0, 1, 2, 3 };
    QTest::newRow("filter row_digests")
        << fill(R"(, "filter": {"row_digests": ["{{a}}"]})", { { "a", kRowA } }) << QList<int> { 0, 3 };
    QTest::newRow("filter two digests")
        << fill(R"(, "filter": {"row_digests": ["{{c}}", "{{b}}"]})", { { "b", kRowB }, { "c", kRowC } })
        << QList<int> { 1, 2 };
    QTest::newRow("limit") << QByteArray(R"(, "limit": 2)") << QList<int> { 0, 1 };
    QTest::newRow("limit offset") << QByteArray(R"(, "limit": 2, "offset": 1)") << QList<int> { 1, 2 };
    QTest::newRow("offset only") << QByteArray(R"(, "offset": 3)") << QList<int> { 3 };
    QTest::newRow("sort numbers asc (9 < 10 < 100)")
        << QByteArray(R"(, "sort_by": [{"field": "n", "direction": "asc"}])") << QList<int> { 0, 3, 1, 2 };
    QTest::newRow("sort numbers desc")
        << QByteArray(R"(, "sort_by": [{"field": "n", "direction": "desc"}])") << QList<int> { 2, 1, 0, 3 };
    QTest::newRow("sort strings desc")
        << QByteArray(R"(, "sort_by": [{"field": "q", "direction": "desc"}])") << QList<int> { 2, 1, 0, 3 };
    QTest::newRow("sort with paging")
        << QByteArray(R"(, "sort_by": [{"field": "n", "direction": "desc"}], "limit": 2, "offset": 1)")
        << QList<int> { 1, 0 };
}

void TestObjects::tableQuery()
{
    QFETCH(QByteArray, extra);
    QFETCH(QList<int>, indexes);
    const QString project = u"objects/tables"_s;
    EXPECT_OK(m_server.post("/table/create",
        fill(R"({"table": {"project_id": "{{p}}", "rows": {{r}}}})",
            { { "p", project }, { "r", QString::fromLatin1(kRows) } })));
    const Reply reply = m_server.post("/table/query",
        fill(R"({"project_id": "{{p}}", "digest": "{{d}}")", { { "p", project }, { "d", kTableDigest } })
            + extra + "}");
    EXPECT_OK(reply);
    const QJsonArray expectedRows = parseJson(kRows).toArray();
    const QStringList rowDigests { kRowA, kRowB, kRowC, kRowA };
    QList<int> actual;
    for (const QJsonValue& row : reply.value(u"rows").toArray()) {
        const int index = row[u"original_index"].toInt(-1);
        actual << index;
        QVERIFY(index >= 0 && index < 4);
        QCOMPARE(row[u"digest"].toString(), rowDigests[index]);
        QCOMPARE(row[u"val"].toObject(), expectedRows[index].toObject());
    }
    QCOMPARE(actual, indexes);
}

void TestObjects::tableQueryStats()
{
    const QString project = testProject("objects");
    const Reply created = m_server.post("/table/create",
        R"({"table": {"project_id": "{{p}}", "rows": [{"a": 1}, {"a": 2}, {"a": 3}]}})",
        { { "p", project } });
    const Reply stats = m_server.post("/table/query_stats", R"({"project_id": "{{p}}", "digest": "{{d}}"})",
        { { "p", project }, { "d", created.value(u"digest").toString() } });
    EXPECT_OK(stats);
    QCOMPARE(stats.value(u"count").toInt(), 3);
}

void TestObjects::refsReadBatch()
{
    const QString project = testProject("objects");
    EXPECT_OK(m_server.post("/table/create",
        fill(R"({"table": {"project_id": "{{p}}", "rows": {{r}}}})",
            { { "p", project }, { "r", QString::fromLatin1(kRows) } })));
    const QString table = u"weave:///"_s + project + u"/table/"_s + kTableDigest;
    const QString cfg = createObject(project, u"cfg"_s,
        fill(R"({"params": {"lr": 0.1, "layers": [64, 128], "a/b": "slash"}, "rows": "{{t}}"})",
            { { "t", table } }))
                            .value(u"digest")
                            .toString();
    const QString op = createObject(project, u"my_op"_s, kOpVal).value(u"digest").toString();
    const QString gone = createObject(project, u"gone"_s, R"({"x": 1})").value(u"digest").toString();
    EXPECT_OK(m_server.post(
        "/obj/delete", R"({"project_id": "{{p}}", "object_id": "gone"})", { { "p", project } }));
    QVERIFY(!cfg.isEmpty() && !op.isEmpty() && !gone.isEmpty());

    const QString cfgRef = objectRef(project, u"cfg"_s, cfg);
    const QStringList refs {
        cfgRef,
        opRef(project, u"my_op"_s, op),
        cfgRef + u"/key/params/key/lr"_s,
        cfgRef + u"/attr/params/key/layers/index/1"_s,
        cfgRef + u"/attr/rows/id/"_s + kRowB,
        cfgRef + u"/key/missing"_s,
        cfgRef + u"/key/params/index/0"_s,
        cfgRef + u"/attr/rows/id/"_s + u"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"_s,
        objectRef(project, u"nope"_s, cfg),
        objectRef(project, u"cfg"_s, u"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"_s),
        objectRef(project, u"gone"_s, gone),
        cfgRef + u"/key/params/key/a%2Fb"_s,
    };
    QJsonArray refArray;
    for (const QString& ref : refs)
        refArray << ref;
    const Reply reply = m_server.post("/refs/read_batch", "{\"refs\": " + toJsonText(refArray) + "}");
    EXPECT_OK(reply);
    const QJsonArray vals = reply.value(u"vals").toArray();
    QCOMPARE(vals.size(), refs.size());
    QCOMPARE(vals[0][u"params"][u"lr"].toDouble(), 0.1);
    QCOMPARE(vals[0][u"rows"].toString(), table);
    QCOMPARE(vals[1][u"weave_type"][u"type"].toString(), u"Op"_s);
    QCOMPARE(vals[1][u"files"][u"obj.py"].toString(), u"W3bQliwJq07jCfrGX601aMl6veyYO0BRRq4XhqI141I"_s);
    QCOMPARE(vals[2].toDouble(), 0.1);
    QCOMPARE(vals[3].toInt(), 128);
    QCOMPARE(vals[4].toObject(), parseJson(R"({"q": "b", "n": 10})").toObject());
    for (int i = 5; i <= 10; ++i)
        QVERIFY2(vals[i].isNull(),
            qPrintable(
                u"ref %1 should read as null: %2"_s.arg(i).arg(QString::fromUtf8(toJsonText(vals[i])))));
    QCOMPARE(vals[11].toString(), u"slash"_s);

    const Reply none = m_server.post("/refs/read_batch", R"({"refs": []})", {});
    EXPECT_OK(none);
    QCOMPARE(none.value(u"vals").toArray(), QJsonArray());
}

void TestObjects::refsReadBatchRejects_data()
{
    QTest::addColumn<QString>("ref");
    QTest::newRow("call ref") << u"weave:///objects/x/call/0195f0a2"_s;
    QTest::newRow("table ref")
        << u"weave:///objects/x/table/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"_s;
    QTest::newRow("not a ref") << u"https://example.com/x"_s;
}

void TestObjects::refsReadBatchRejects()
{
    QFETCH(QString, ref);
    // (The body is built outside the macro: moc's preprocessor reads "//" in raw strings as a comment.)
    const QByteArray body = fill(R"({"refs": ["weave:///objects/x/object/a:b", "{{r}}"]})", { { "r", ref } });
    EXPECT_API_ERROR(m_server.post("/refs/read_batch", body), 400);
}

QTEST_GUILESS_MAIN(TestObjects)
#include "tst_objects.moc"
