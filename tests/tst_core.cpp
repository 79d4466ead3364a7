// Unit tests for the core library: ISO time parsing/formatting, weave:/// refs, digests and CSV fields.
// Expected digests and epoch values were computed with Python 3 (hashlib, base64, datetime).
#include "core/csv.h"
#include "core/digest.h"
#include "core/timeformat.h"
#include "core/weaveref.h"

#include <QTest>

#include <optional>

using namespace Qt::StringLiterals;
using spindle::MicrosSinceEpoch;

Q_DECLARE_METATYPE(std::optional<MicrosSinceEpoch>)

class TestCore : public QObject
{
    Q_OBJECT

private slots:
    void parseIsoTime_data();
    void parseIsoTime();
    void parseIsoTimeRejects_data();
    void parseIsoTimeRejects();
    void formatIsoTime_data();
    void formatIsoTime();
    void formatSqlTime();
    void isoRoundTrip();
    void nowIsRecent();

    void parseWeaveRef_data();
    void parseWeaveRef();
    void parseWeaveRefRejects_data();
    void parseWeaveRefRejects();
    void opShortName_data();
    void opShortName();
    void callRefUri();

    void weaveDigest_data();
    void weaveDigest();
    void sha256Hex_data();
    void sha256Hex();

    void delimitedField_data();
    void delimitedField();
};

void TestCore::parseIsoTime_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("micros");

    const qint64 t = 1735787045123000; // 2025-01-02T03:04:05.123Z
    QTest::newRow("Z") << QByteArray("2025-01-02T03:04:05.123Z") << t;
    QTest::newRow("lowercase z and t") << QByteArray("2025-01-02t03:04:05.123z") << t;
    QTest::newRow("+00:00") << QByteArray("2025-01-02T03:04:05.123+00:00") << t;
    QTest::newRow("+01:00") << QByteArray("2025-01-02T04:04:05.123+01:00") << t;
    QTest::newRow("-05:30") << QByteArray("2025-01-01T21:34:05.123-05:30") << t;
    QTest::newRow("+0100 without colon") << QByteArray("2025-01-02T04:04:05.123+0100") << t;
    QTest::newRow("the first second") << QByteArray("0001-01-01T00:00:00Z") << qint64(-62135596800000000);
    QTest::newRow("the last second") << QByteArray("9999-12-31T23:59:59.999999Z")
                                     << qint64(253402300799999999);
    QTest::newRow("naive is UTC") << QByteArray("2025-01-02T03:04:05.123") << t;
    QTest::newRow("space separator") << QByteArray("2025-01-02 03:04:05.123") << t;
    QTest::newRow("space separator with Z") << QByteArray("2025-01-02 03:04:05.123Z") << t;
    QTest::newRow("microseconds") << QByteArray("2025-01-02T03:04:05.123456Z") << t + 456;
    QTest::newRow("nanoseconds truncate") << QByteArray("2025-01-02T03:04:05.123456789Z") << t + 456;
    QTest::newRow("one fraction digit") << QByteArray("2025-01-02T03:04:05.1Z") << t - 23000;
    QTest::newRow("no fraction") << QByteArray("2025-01-02T03:04:05Z") << t - 123000;
    QTest::newRow("no seconds") << QByteArray("2025-01-02T03:04Z") << qint64(1735787040000000);
    QTest::newRow("date only") << QByteArray("2025-01-02") << qint64(1735776000000000);
    QTest::newRow("leap day") << QByteArray("2024-02-29T12:00:00Z") << qint64(1709208000000000);
    QTest::newRow("century leap year") << QByteArray("2000-03-01T00:00:00Z") << qint64(951868800000000);
    QTest::newRow("29 February 2000") << QByteArray("2000-02-29T00:00:00Z") << qint64(951782400000000);
    QTest::newRow("epoch") << QByteArray("1970-01-01T00:00:00Z") << qint64(0);
    QTest::newRow("before epoch") << QByteArray("1969-12-31T23:59:59.999999Z") << qint64(-1);
}

void TestCore::parseIsoTime()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, micros);
    const auto parsed = spindle::parseIsoTime(std::string_view(text.constData(), text.size()));
    QVERIFY2(parsed.has_value(), text.constData());
    QCOMPARE(qint64(*parsed), micros);
}

void TestCore::parseIsoTimeRejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("word") << QByteArray("yesterday");
    QTest::newRow("slashes") << QByteArray("2025/01/02");
    QTest::newRow("short month") << QByteArray("2025-1-02");
    QTest::newRow("month 13") << QByteArray("2025-13-01T00:00:00Z");
    QTest::newRow("month 0") << QByteArray("2025-00-01T00:00:00Z");
    QTest::newRow("day 32") << QByteArray("2025-01-32T00:00:00Z");
    QTest::newRow("day 0") << QByteArray("2025-01-00");
    QTest::newRow("31 February") << QByteArray("2024-02-31T00:00:00Z");
    QTest::newRow("29 February, not a leap year") << QByteArray("2025-02-29T00:00:00Z");
    QTest::newRow("29 February 1900") << QByteArray("1900-02-29");
    QTest::newRow("31 April") << QByteArray("2025-04-31");
    QTest::newRow("year 0") << QByteArray("0000-01-01T00:00:00Z");
    QTest::newRow("hour 24") << QByteArray("2025-01-02T24:00:00Z");
    QTest::newRow("minute 60") << QByteArray("2025-01-02T03:60:00Z");
    QTest::newRow("trailing junk") << QByteArray("2025-01-02T03:04:05Zjunk");
    QTest::newRow("trailing junk after offset") << QByteArray("2025-01-02T03:04:05+01:00x");
    QTest::newRow("offset hour 25") << QByteArray("2025-01-02T03:04:05+25:00");
    QTest::newRow("hour without minutes") << QByteArray("2025-01-02T03");
    QTest::newRow("epoch number") << QByteArray("1735787045");
    QTest::newRow("space before Z") << QByteArray("2025-01-02T03:04:05 Z");
    // In UTC these fall in years 0 and 10000, which no client can read back.
    QTest::newRow("year 1 moved to year 0 by its offset") << QByteArray("0001-01-01T00:00:00+14:00");
    QTest::newRow("year 9999 moved to year 10000 by its offset") << QByteArray("9999-12-31T23:00:00-14:00");
}

void TestCore::parseIsoTimeRejects()
{
    QFETCH(QByteArray, text);
    const auto parsed = spindle::parseIsoTime(std::string_view(text.constData(), text.size()));
    QVERIFY2(!parsed.has_value(), text.constData());
}

void TestCore::formatIsoTime_data()
{
    QTest::addColumn<qint64>("micros");
    QTest::addColumn<QString>("expected");
    QTest::newRow("epoch") << qint64(0) << u"1970-01-01T00:00:00.000000Z"_s;
    QTest::newRow("millis") << qint64(1735787045123000) << u"2025-01-02T03:04:05.123000Z"_s;
    QTest::newRow("micros") << qint64(1735787045123456) << u"2025-01-02T03:04:05.123456Z"_s;
    QTest::newRow("before epoch") << qint64(-1) << u"1969-12-31T23:59:59.999999Z"_s;
    QTest::newRow("leap day") << qint64(1709208000000000) << u"2024-02-29T12:00:00.000000Z"_s;
}

void TestCore::formatIsoTime()
{
    QFETCH(qint64, micros);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(spindle::formatIsoTime(micros)), expected);
}

void TestCore::formatSqlTime()
{
    QCOMPARE(QString::fromStdString(spindle::formatSqlTime(1735787045123456)), u"2025-01-02 03:04:05"_s);
    QCOMPARE(QString::fromStdString(spindle::formatSqlTime(0)), u"1970-01-01 00:00:00"_s);
}

void TestCore::isoRoundTrip()
{
    for (const qint64 micros :
        { qint64(0), qint64(1), qint64(1735787045123456), qint64(-1), qint64(4102444800000000) }) {
        const std::string text = spindle::formatIsoTime(micros);
        const auto parsed = spindle::parseIsoTime(text);
        QVERIFY2(parsed.has_value(), text.c_str());
        QCOMPARE(qint64(*parsed), micros);
    }
}

void TestCore::nowIsRecent()
{
    const qint64 now = spindle::nowMicros();
    const qint64 expected = QDateTime::currentMSecsSinceEpoch() * 1000;
    QVERIFY(qAbs(now - expected) < 5'000'000);
}

void TestCore::parseWeaveRef_data()
{
    QTest::addColumn<QByteArray>("uri");
    QTest::addColumn<QString>("entity");
    QTest::addColumn<QString>("project");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("digest");
    QTest::addColumn<QStringList>("extra"); // edge, value, edge, value, ...

    QTest::newRow("object") << QByteArray("weave:///acme/demo/object/my_model:abc123") << u"acme"_s
                            << u"demo"_s << u"object"_s << u"my_model"_s << u"abc123"_s << QStringList();
    QTest::newRow("op") << QByteArray("weave:///acme/demo/op/summarize:Xq3k") << u"acme"_s << u"demo"_s
                        << u"op"_s << u"summarize"_s << u"Xq3k"_s << QStringList();
    QTest::newRow("op latest") << QByteArray("weave:///acme/demo/op/summarize:latest") << u"acme"_s
                               << u"demo"_s << u"op"_s << u"summarize"_s << u"latest"_s << QStringList();
    QTest::newRow("table") << QByteArray("weave:///acme/demo/table/e3b0c442") << u"acme"_s << u"demo"_s
                           << u"table"_s << u"e3b0c442"_s << QString() << QStringList();
    QTest::newRow("call") << QByteArray("weave:///acme/demo/call/0195f0a2-1c7e") << u"acme"_s << u"demo"_s
                          << u"call"_s << u"0195f0a2-1c7e"_s << QString() << QStringList();
    QTest::newRow("extra path") << QByteArray(
        "weave:///e/p/object/ds:d1/attr/rows/id/rowdig/key/score/index/3")
                                << u"e"_s << u"p"_s << u"object"_s << u"ds"_s << u"d1"_s
                                << QStringList { u"attr"_s, u"rows"_s, u"id"_s, u"rowdig"_s, u"key"_s,
                                       u"score"_s, u"index"_s, u"3"_s };
    QTest::newRow("percent-encoded value")
        << QByteArray("weave:///e/p/object/o:d/key/a%2Fb%3Ac%20d") << u"e"_s << u"p"_s << u"object"_s
        << u"o"_s << u"d"_s << QStringList { u"key"_s, u"a/b:c d"_s };
    QTest::newRow("percent-encoded name")
        << QByteArray("weave:///e/p/object/my%3Aname:dig") << u"e"_s << u"p"_s << u"object"_s << u"my:name"_s
        << u"dig"_s << QStringList();
    QTest::newRow("colon in name uses last colon") << QByteArray("weave:///e/p/op/a:b:c") << u"e"_s << u"p"_s
                                                   << u"op"_s << u"a:b"_s << u"c"_s << QStringList();
}

void TestCore::parseWeaveRef()
{
    QFETCH(QByteArray, uri);
    QFETCH(QString, entity);
    QFETCH(QString, project);
    QFETCH(QString, kind);
    QFETCH(QString, name);
    QFETCH(QString, digest);
    QFETCH(QStringList, extra);
    const auto ref = spindle::parseWeaveRef(std::string_view(uri.constData(), uri.size()));
    QVERIFY2(ref.has_value(), uri.constData());
    QCOMPARE(QString::fromStdString(ref->entity), entity);
    QCOMPARE(QString::fromStdString(ref->project), project);
    QCOMPARE(QString::fromStdString(ref->projectId()), entity + u'/' + project);
    QCOMPARE(QString::fromStdString(ref->kind), kind);
    QCOMPARE(QString::fromStdString(ref->name), name);
    QCOMPARE(QString::fromStdString(ref->digest), digest);
    QStringList actualExtra;
    for (const auto& [edge, value] : ref->extra)
        actualExtra << QString::fromStdString(edge) << QString::fromStdString(value);
    QCOMPARE(actualExtra, extra);
}

void TestCore::parseWeaveRefRejects_data()
{
    QTest::addColumn<QByteArray>("uri");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("http") << QByteArray("http://example.com/e/p/object/a:b");
    QTest::newRow("two slashes") << QByteArray("weave://e/p/object/a:b");
    QTest::newRow("no kind") << QByteArray("weave:///e/p");
    QTest::newRow("no name") << QByteArray("weave:///e/p/object/");
    QTest::newRow("object without digest") << QByteArray("weave:///e/p/object/name");
    QTest::newRow("object with empty digest") << QByteArray("weave:///e/p/object/name:");
    QTest::newRow("op with empty name") << QByteArray("weave:///e/p/op/:digest");
    QTest::newRow("unknown kind") << QByteArray("weave:///e/p/thing/name:d");
    QTest::newRow("empty entity") << QByteArray("weave:////p/object/n:d");
    QTest::newRow("empty project") << QByteArray("weave:///e//object/n:d");
    QTest::newRow("dangling edge") << QByteArray("weave:///e/p/object/n:d/key");
}

void TestCore::parseWeaveRefRejects()
{
    QFETCH(QByteArray, uri);
    QVERIFY2(
        !spindle::parseWeaveRef(std::string_view(uri.constData(), uri.size())).has_value(), uri.constData());
}

void TestCore::opShortName_data()
{
    QTest::addColumn<QByteArray>("opName");
    QTest::addColumn<QString>("expected");
    QTest::newRow("op ref") << QByteArray("weave:///e/p/op/summarize:abc") << u"summarize"_s;
    QTest::newRow("plain name") << QByteArray("openai.chat.completions.create")
                                << u"openai.chat.completions.create"_s;
    QTest::newRow("object ref is not an op")
        << QByteArray("weave:///e/p/object/model:abc") << u"weave:///e/p/object/model:abc"_s;
    QTest::newRow("broken ref kept") << QByteArray("weave:///e/p/op/nodigest")
                                     << u"weave:///e/p/op/nodigest"_s;
}

void TestCore::opShortName()
{
    QFETCH(QByteArray, opName);
    QFETCH(QString, expected);
    QCOMPARE(
        QString::fromStdString(spindle::opShortName(std::string_view(opName.constData(), opName.size()))),
        expected);
}

void TestCore::callRefUri()
{
    QCOMPARE(
        QString::fromStdString(spindle::callRefUri("acme/demo", "c-1")), u"weave:///acme/demo/call/c-1"_s);
    const auto ref = spindle::parseWeaveRef(spindle::callRefUri("acme/demo", "c-1"));
    QVERIFY(ref.has_value());
    QCOMPARE(QString::fromStdString(ref->kind), u"call"_s);
    QCOMPARE(QString::fromStdString(ref->name), u"c-1"_s);
}

void TestCore::weaveDigest_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("digest");
    // python3: base64.urlsafe_b64encode(hashlib.sha256(b).digest()).decode()
    //            .replace('-', 'X').replace('_', 'Y').rstrip('=')
    QTest::newRow("empty") << QByteArray("") << u"47DEQpj8HBSaXYTImWX5JCeuQeRkm5NMpJWZG3hSuFU"_s;
    QTest::newRow("hello world") << QByteArray("hello world")
                                 << u"uU0nuZNNPgilLlLX2n2rXsSE7XN6U4DukIj3rOLvzek"_s;
    // urlsafe base64 is 7DFoL95WGReVL_eKeore_9D-vDct0mhxkWxGxjA4G0U=: exercises both substitutions
    QTest::newRow("x1 (has - and _)") << QByteArray("x1") << u"7DFoL95WGReVLYeKeoreY9DXvDct0mhxkWxGxjA4G0U"_s;
    QTest::newRow("binary with NULs") << QByteArray("\x00\x01\x02\xff\x00"
                                                    "binary\x00",
        12) << u"SxQZhvU8ycXmbEbyRQy0z0mF4gAwmkYGGQQazmVkYo4"_s;
    QTest::newRow("python json of {\"x\": 1}")
        << QByteArray("{\"x\": 1}") << u"YTYlqmU0Pbsbmr5qusZ3P1yRvWDT8vX34urmnh24sic"_s;
}

void TestCore::weaveDigest()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, digest);
    const QString actual =
        QString::fromStdString(spindle::weaveDigest(std::string_view(bytes.constData(), bytes.size())));
    QCOMPARE(actual, digest);
    QCOMPARE(actual.size(), 43);
}

void TestCore::sha256Hex_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("hex");
    QTest::newRow("empty") << QByteArray("")
                           << u"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"_s;
    QTest::newRow("abc") << QByteArray("abc")
                         << u"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"_s;
}

void TestCore::sha256Hex()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, hex);
    QCOMPARE(
        QString::fromStdString(spindle::sha256Hex(std::string_view(bytes.constData(), bytes.size()))), hex);
}

void TestCore::delimitedField_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("csv");
    QTest::addColumn<QString>("tsv");
    QTest::newRow("plain") << u"gpt-4o"_s << u"gpt-4o"_s << u"gpt-4o"_s;
    QTest::newRow("empty") << u""_s << u""_s << u""_s;
    QTest::newRow("comma") << u"a,b"_s << u"\"a,b\""_s << u"a,b"_s;
    QTest::newRow("quote") << u"say \"hi\""_s << u"\"say \"\"hi\"\"\""_s << u"say \"hi\""_s;
    QTest::newRow("line break") << u"a\nb"_s << u"\"a\nb\""_s << u"a\\nb"_s;
    QTest::newRow("carriage return") << u"a\rb"_s << u"\"a\rb\""_s << u"a\\rb"_s;
    QTest::newRow("tab and backslash") << u"a\tb\\c"_s << u"a\tb\\c"_s << u"a\\tb\\\\c"_s;
    // What a spreadsheet would run as a formula gets an apostrophe; numbers stay numbers.
    QTest::newRow("formula") << u"=1+2"_s << u"'=1+2"_s << u"'=1+2"_s;
    QTest::newRow("formula with comma")
        << u"=HYPERLINK(\"http://x\",\"y\")"_s << u"\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""_s
        << u"'=HYPERLINK(\"http://x\",\"y\")"_s;
    QTest::newRow("plus") << u"+cmd"_s << u"'+cmd"_s << u"'+cmd"_s;
    QTest::newRow("minus") << u"-2+3"_s << u"'-2+3"_s << u"'-2+3"_s;
    QTest::newRow("at") << u"@SUM(A1)"_s << u"'@SUM(A1)"_s << u"'@SUM(A1)"_s;
    QTest::newRow("leading tab") << u"\t=1"_s << u"'\t=1"_s << u"'\\t=1"_s;
    QTest::newRow("leading carriage return") << u"\r=1"_s << u"\"'\r=1\""_s << u"'\\r=1"_s;
    QTest::newRow("negative number") << u"-0.25"_s << u"-0.25"_s << u"-0.25"_s;
    QTest::newRow("signed number") << u"+3"_s << u"+3"_s << u"+3"_s;
    QTest::newRow("exponent") << u"-1e-5"_s << u"-1e-5"_s << u"-1e-5"_s;
    QTest::newRow("equals inside") << u"a=b"_s << u"a=b"_s << u"a=b"_s;
}

void TestCore::delimitedField()
{
    QFETCH(QString, text);
    QFETCH(QString, csv);
    QFETCH(QString, tsv);
    QCOMPARE(spindle::delimitedField(text, QLatin1Char(',')), csv);
    QCOMPARE(spindle::delimitedField(text, QLatin1Char('\t')), tsv);
}

QTEST_GUILESS_MAIN(TestCore)
#include "tst_core.moc"
