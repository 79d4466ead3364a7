// Tags and aliases of object versions, as the Python SDK's weave.publish(obj, tags=..., aliases=...)
// sets them after /obj/create and reads them back (obj/read with include_tags_and_aliases, the
// objs/query filters, /tags and /aliases).
#include "support/testserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace spindle::test;

namespace {

QByteArray json(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonArray strings(const QStringList& values)
{
    return QJsonArray::fromStringList(values);
}

} // namespace

class TestObjectTags : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void tagsAndAliasesRoundTrip();
    void objsQueryFilters();
    void deletedVersionsLoseTheirNames();
    void refusals_data();
    void refusals();

private:
    QString create(const QString& project, const QString& objectId, int version);
    Reply read(const QString& project, const QString& objectId, const QString& digest, bool names = true);
    Reply tag(
        const QString& project, const QString& objectId, const QString& digest, const QStringList& tags);
    Reply alias(
        const QString& project, const QString& objectId, const QString& digest, const QStringList& aliases);
    TestServer m_server;
};

void TestObjectTags::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

QString TestObjectTags::create(const QString& project, const QString& objectId, int version)
{
    const Reply reply = m_server.post("/obj/create",
        json({ { u"obj"_s,
            QJsonObject { { u"project_id"_s, project }, { u"object_id"_s, objectId },
                { u"val"_s, QJsonObject { { u"prompt"_s, u"v%1"_s.arg(version) } } } } } }));
    return reply.value(u"digest").toString();
}

Reply TestObjectTags::read(const QString& project, const QString& objectId, const QString& digest, bool names)
{
    return m_server.post("/obj/read",
        json({ { u"project_id"_s, project }, { u"object_id"_s, objectId }, { u"digest"_s, digest },
            { u"include_tags_and_aliases"_s, names } }));
}

Reply TestObjectTags::tag(
    const QString& project, const QString& objectId, const QString& digest, const QStringList& tags)
{
    return m_server.send("PUT", qPrintable(u"/objs/%1/versions/%2/tags"_s.arg(objectId, digest)),
        json({ { u"project_id"_s, project }, { u"tags"_s, strings(tags) } }), "application/json");
}

Reply TestObjectTags::alias(
    const QString& project, const QString& objectId, const QString& digest, const QStringList& aliases)
{
    return m_server.send("PUT", qPrintable(u"/objs/%1/aliases"_s.arg(objectId)),
        json({ { u"project_id"_s, project }, { u"digest"_s, digest }, { u"aliases"_s, strings(aliases) } }),
        "application/json");
}

void TestObjectTags::tagsAndAliasesRoundTrip()
{
    const QString p = u"tags/roundtrip"_s;
    const QString d0 = create(p, u"prompt"_s, 0), d1 = create(p, u"prompt"_s, 1);
    QVERIFY(!d0.isEmpty() && !d1.isEmpty() && d0 != d1);
    EXPECT_OK(tag(p, u"prompt"_s, d0, { u"reviewed"_s, u"under review"_s, u"reviewed"_s, u"débogué"_s }));
    const QJsonObject first = read(p, u"prompt"_s, d0).value(u"obj").toObject();
    QCOMPARE(first.value(u"tags"_s).toArray(), strings({ u"débogué"_s, u"reviewed"_s, u"under review"_s }));
    QCOMPARE(first.value(u"aliases"_s).toArray(), QJsonArray());
    QCOMPARE(
        read(p, u"prompt"_s, u"latest"_s).value(u"obj")[u"aliases"_s].toArray(), strings({ u"latest"_s }));
    QVERIFY(!read(p, u"prompt"_s, d0, false).value(u"obj").toObject().contains(u"tags"_s));

    // An alias reads as a version, and moves when set on another one.
    EXPECT_OK(alias(p, u"prompt"_s, d0, { u"production"_s, u"my-deploy.v2"_s }));
    QCOMPARE(read(p, u"prompt"_s, u"production"_s).value(u"obj")[u"digest"_s].toString(), d0);
    EXPECT_OK(alias(p, u"prompt"_s, d1, { u"production"_s }));
    const QJsonObject moved = read(p, u"prompt"_s, u"production"_s).value(u"obj").toObject();
    QCOMPARE(moved.value(u"digest"_s).toString(), d1);
    QCOMPARE(moved.value(u"aliases"_s).toArray(), strings({ u"latest"_s, u"production"_s }));
    QCOMPARE(read(p, u"prompt"_s, d0).value(u"obj")[u"aliases"_s].toArray(), strings({ u"my-deploy.v2"_s }));

    QCOMPARE(m_server.get("/tags?project_id=tags/roundtrip").value(u"tags").toArray(),
        strings({ u"débogué"_s, u"reviewed"_s, u"under review"_s }));
    QCOMPARE(m_server.get("/aliases?project_id=tags/roundtrip").value(u"aliases").toArray(),
        strings({ u"my-deploy.v2"_s, u"production"_s }));

    // Removing is idempotent and quiet about names that are not there.
    for (int i = 0; i < 2; ++i) {
        EXPECT_OK(m_server.post(qPrintable(u"/objs/prompt/versions/%1/tags/remove"_s.arg(d0)),
            json({ { u"project_id"_s, p }, { u"tags"_s, strings({ u"reviewed"_s, u"never set"_s }) } })));
        EXPECT_OK(m_server.post("/objs/prompt/aliases/remove",
            json({ { u"project_id"_s, p }, { u"aliases"_s, strings({ u"production"_s }) } })));
    }
    QCOMPARE(read(p, u"prompt"_s, d0).value(u"obj")[u"tags"_s].toArray(),
        strings({ u"débogué"_s, u"under review"_s }));
    EXPECT_API_ERROR(read(p, u"prompt"_s, u"production"_s), 404);
}

void TestObjectTags::objsQueryFilters()
{
    const QString p = u"tags/query"_s;
    const QString a0 = create(p, u"a"_s, 0), a1 = create(p, u"a"_s, 1), b0 = create(p, u"b"_s, 0);
    EXPECT_OK(tag(p, u"a"_s, a0, { u"gold"_s }));
    EXPECT_OK(tag(p, u"b"_s, b0, { u"gold"_s, u"silver"_s }));
    EXPECT_OK(alias(p, u"a"_s, a0, { u"stable"_s }));
    const auto digests = [this, &p](const QJsonObject& filter) {
        const Reply reply = m_server.post("/objs/query",
            json({ { u"project_id"_s, p }, { u"filter"_s, filter },
                { u"include_tags_and_aliases"_s, true } }));
        QStringList found;
        for (const QJsonValue& obj : reply.value(u"objs").toArray())
            found << obj[u"digest"_s].toString();
        found.sort();
        return found;
    };
    const auto sorted = [](QStringList list) {
        list.sort();
        return list;
    };
    QCOMPARE(digests({ { u"tags"_s, strings({ u"gold"_s }) } }), sorted({ a0, b0 }));
    QCOMPARE(digests({ { u"tags"_s, strings({ u"silver"_s, u"nope"_s }) } }), sorted({ b0 }));
    QCOMPARE(digests({ { u"aliases"_s, strings({ u"latest"_s }) } }), sorted({ a1, b0 }));
    QCOMPARE(digests({ { u"aliases"_s, strings({ u"stable"_s }) } }), sorted({ a0 }));
    QCOMPARE(digests({ { u"tags"_s, strings({ u"gold"_s }) }, { u"aliases"_s, strings({ u"latest"_s }) } }),
        sorted({ b0 }));
    QCOMPARE(digests({ { u"tags"_s, strings({ u"nope"_s }) } }), QStringList());
    QCOMPARE(digests({ { u"tags"_s, QJsonArray() } }), sorted({ a0, a1, b0 }));
}

void TestObjectTags::deletedVersionsLoseTheirNames()
{
    const QString p = u"tags/deleted"_s;
    const QString d0 = create(p, u"gone"_s, 0);
    EXPECT_OK(tag(p, u"gone"_s, d0, { u"old"_s }));
    EXPECT_OK(alias(p, u"gone"_s, d0, { u"prod"_s }));
    EXPECT_OK(m_server.post("/obj/delete", json({ { u"project_id"_s, p }, { u"object_id"_s, u"gone"_s } })));
    QCOMPARE(m_server.get("/tags?project_id=tags/deleted").value(u"tags").toArray(), QJsonArray());
    QCOMPARE(m_server.get("/aliases?project_id=tags/deleted").value(u"aliases").toArray(), QJsonArray());
    EXPECT_API_ERROR(tag(p, u"gone"_s, d0, { u"again"_s }), 404);
    EXPECT_API_ERROR(alias(p, u"gone"_s, d0, { u"again"_s }), 404);
}

void TestObjectTags::refusals_data()
{
    QTest::addColumn<QString>("kind"); // tags or aliases
    QTest::addColumn<QJsonValue>("names");
    QTest::addColumn<int>("status");
    const auto row = [](const char* tag, const char* kind, const QJsonValue& names, int status = 400) {
        QTest::newRow(tag) << QString::fromLatin1(kind) << names << status;
    };
    for (const QString& bad :
        { u"a.b"_s, u" lead"_s, u"trail "_s, u"double  space"_s, u""_s, u"x@y"_s, QString(257, u'x') })
        row(qPrintable(u"tag '%1'"_s.arg(bad.left(20))), "tags", strings({ bad }));
    row("a tag not a string", "tags", QJsonArray { 5 });
    row("tags not a list", "tags", u"gold"_s);
    row("1001 tags", "tags", strings(QStringList(1001, u"t"_s)));
    for (const QString& bad : { u"latest"_s, u"v3"_s, u"a/b"_s, u"a:b"_s, u"   "_s, u""_s, QString(129, u'x'),
             u"nul\u0000"_s, u"two\nlines"_s })
        row(qPrintable(u"alias '%1'"_s.arg(bad.left(20))), "aliases", strings({ bad }));
    row("unknown version, tags", "tags", strings({ u"fine"_s }), 404);
    row("unknown version, aliases", "aliases", strings({ u"fine"_s }), 404);
}

void TestObjectTags::refusals()
{
    QFETCH(QString, kind);
    QFETCH(QJsonValue, names);
    QFETCH(int, status);
    const QString p = u"tags/refusals"_s;
    const QString digest = status == 404 ? u"no-such-digest"_s : create(p, u"obj"_s, 0);
    const QByteArray path = kind == u"tags"_s ? u"/objs/obj/versions/%1/tags"_s.arg(digest).toUtf8()
                                              : QByteArray("/objs/obj/aliases");
    const Reply reply = m_server.send("PUT", path.constData(),
        json({ { u"project_id"_s, p }, { u"digest"_s, digest }, { kind, names } }), "application/json");
    EXPECT_API_ERROR(reply, status);
    QCOMPARE(m_server.get("/tags?project_id=tags/refusals").value(u"tags").toArray(), QJsonArray());
    EXPECT_API_ERROR(m_server.get("/tags"), 400);
    EXPECT_API_ERROR(
        m_server.send("PUT", path.constData(), json({ { kind, strings({ u"ok"_s }) } }), "application/json"),
        400);
}

QTEST_GUILESS_MAIN(TestObjectTags)
#include "tst_object_tags.moc"
