// JsonTreeModel: model invariants under QAbstractItemModelTester (with fetchMore), lazy growth and
// grouping of big containers, paths, long-string previews, bad strings (binary, lone surrogates,
// 10 MB), weave types, search over unbuilt nodes and indexForPositions.
#include "models/jsontreemodel.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using spindle::models::JsonTreeModel;
using namespace Qt::StringLiterals;

namespace {

QJsonValue parse(const QByteArray& json)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson("{\"v\":" + json + "}", &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in the test: %s (%s)", json.constData(), qPrintable(error.errorString()));
    return doc.object().value("v"_L1);
}

// "key = value [type]" per row, indented by depth, fetching every row on the way.
void printRows(JsonTreeModel& model, const QModelIndex& parent, int depth, QStringList& out)
{
    if (model.canFetchMore(parent))
        model.fetchMore(parent);
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        out << QString(depth * 2, u' ') + index.data().toString() + " = "_L1
                + index.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString() + " ["_L1
                + index.siblingAtColumn(JsonTreeModel::TypeColumn).data().toString() + u']';
        printRows(model, index, depth + 1, out);
    }
}

QStringList printModel(JsonTreeModel& model)
{
    QStringList out;
    printRows(model, {}, 0, out);
    return out;
}

// The row reached through `keys` (Key column texts), fetching as needed.
QModelIndex rowAt(JsonTreeModel& model, const QStringList& keys)
{
    QModelIndex parent;
    for (const QString& key : keys) {
        if (model.canFetchMore(parent))
            model.fetchMore(parent);
        QModelIndex found;
        for (int row = 0; row < model.rowCount(parent) && !found.isValid(); ++row) {
            if (model.index(row, 0, parent).data().toString() == key)
                found = model.index(row, 0, parent);
        }
        if (!found.isValid())
            return {};
        parent = found;
    }
    return parent;
}

// How the model shows an instant: local time, as the calls table does.
QString localTime(const char* iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs)
        .toLocalTime()
        .toString(u"yyyy-MM-dd HH:mm:ss.zzz t"_s);
}

// Qt 6.4's tester runs its checks from modelReset before it clears its "reset in flight" state, so
// with setUseFetchMore(true) a fetch made by those checks reports a false failure. The tests fetch
// explicitly instead (printModel, rowAt), which the tester watches like any insertion.
std::unique_ptr<QAbstractItemModelTester> watch(JsonTreeModel& model)
{
    auto tester = std::make_unique<QAbstractItemModelTester>(
        &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    tester->setUseFetchMore(false);
    return tester;
}

QJsonArray bigArray(int count)
{
    QJsonArray array;
    for (int i = 0; i < count; ++i)
        array.append(QJsonObject { { "i"_L1, i }, { "text"_L1, QStringLiteral("item %1").arg(i) } });
    return array;
}

} // namespace

class TestJsonTreeModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void modelTester_data();
    void modelTester();
    void printedTree();
    void lazyGrowth();
    void nestedGroups();
    void objectGroups();
    void paths();
    void longStringPreview();
    void badStrings();
    void hugeString();
    void weaveTypes_data();
    void weaveTypes();
    void numbers_data();
    void numbers();
    void rawValueAndFullText();
    void search();
    void searchFindsUnbuiltRows();
    void resetSignals();
};

void TestJsonTreeModel::modelTester_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addRow("empty object") << "{}"_ba;
    QTest::addRow("empty array") << "[]"_ba;
    QTest::addRow("null") << "null"_ba;
    QTest::addRow("string") << "\"hello\""_ba;
    QTest::addRow("number") << "42"_ba;
    QTest::addRow("flat object") << R"({"a": 1, "b": "two", "c": true, "d": null})"_ba;
    QTest::addRow("nested") << R"({"messages": [{"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "text", "text": "hello"}]}], "model": "gpt-4o",
        "config": {"temperature": 0.2, "nested": {"deep": {"deeper": [1, [2, [3, {}]]]}}}})"_ba;
    QTest::addRow("array of arrays") << "[[1, 2], [], [[3]], {\"x\": []}]"_ba;
    QByteArray grouped = "[0";
    for (int i = 1; i < 2500; ++i)
        grouped += ", " + QByteArray::number(i);
    QTest::addRow("grouped") << grouped + "]";
    QTest::addRow("grouped objects") << QJsonDocument(bigArray(1100)).toJson();
}

void TestJsonTreeModel::modelTester()
{
    QFETCH(QByteArray, json);
    JsonTreeModel model;
    const auto tester = watch(model);
    model.setValue(parse(json), u"inputs"_s);
    printModel(model); // fetches everything, under the tester's eyes
    model.setValue(parse(R"({"other": [1, 2, 3]})"), u"output"_s);
    printModel(model);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestJsonTreeModel::printedTree()
{
    JsonTreeModel model;
    const auto tester = watch(model);
    model.setValue(parse(R"({"messages": [{"role": "user", "content": "hi"}], "n": 2, "ok": false,
                             "none": null, "tags": ["a", "b"]})"),
        u"inputs"_s);
    const QStringList expected {
        u"messages = (1) [{…}] [array]"_s,
        u"  0 = {content: \"hi\", role: \"user\"} [object]"_s,
        u"    content = hi [string]"_s,
        u"    role = user [string]"_s,
        u"n = 2 [number]"_s,
        u"none = null [null]"_s,
        u"ok = false [bool]"_s,
        u"tags = (2) [\"a\", \"b\"] [array]"_s,
        u"  0 = a [string]"_s,
        u"  1 = b [string]"_s,
    };
    QCOMPARE(printModel(model), expected);
}

void TestJsonTreeModel::lazyGrowth()
{
    JsonTreeModel model;
    const auto tester = watch(model);
    model.setValue(bigArray(100000), u"output"_s);
    // 100 groups of 1000, nothing else.
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(model.builtNodeCount(), 100);
    const QModelIndex first = model.index(0, 0);
    QCOMPARE(first.data().toString(), u"[0 … 999]"_s);
    QCOMPARE(model.index(99, 0).data().toString(), u"[99000 … 99999]"_s);
    QCOMPARE(first.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString(), u"1000 items"_s);
    QVERIFY(first.data(JsonTreeModel::IsGroupRole).toBool());
    QVERIFY(model.hasChildren(first));
    QCOMPARE(model.rowCount(first), 0);
    QVERIFY(model.canFetchMore(first));

    model.fetchMore(first); // what expanding the group does
    QCOMPARE(model.rowCount(first), 1000);
    QCOMPARE(model.builtNodeCount(), 1100);
    const QModelIndex item = model.index(500, 0, first);
    QCOMPARE(item.data().toString(), u"500"_s);
    QCOMPARE(item.data(JsonTreeModel::PathRole).toString(), u"output.500"_s);
    QCOMPARE(model.rowCount(item), 0); // the item's own members wait too
    model.fetchMore(item);
    QCOMPARE(model.rowCount(item), 2);
    QCOMPARE(model.builtNodeCount(), 1102);
    QCOMPARE(model.index(1, 0, item).data(JsonTreeModel::PathRole).toString(), u"output.500.text"_s);
}

void TestJsonTreeModel::nestedGroups()
{
    QJsonArray array;
    for (int i = 0; i < 1200000; ++i)
        array.append(i);
    JsonTreeModel model;
    model.setValue(array, u"v"_s);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, 0).data().toString(), u"[0 … 999999]"_s);
    QCOMPARE(model.index(1, 0).data().toString(), u"[1000000 … 1199999]"_s);
    const QModelIndex second = model.index(1, 0);
    model.fetchMore(second);
    QCOMPARE(model.rowCount(second), 200);
    QCOMPARE(model.index(199, 0, second).data().toString(), u"[1199000 … 1199999]"_s);
    QCOMPARE(model.builtNodeCount(), 202);
}

void TestJsonTreeModel::objectGroups()
{
    QJsonObject object;
    for (int i = 0; i < 1500; ++i)
        object.insert(u"k%1"_s.arg(i, 4, 10, QChar(u'0')), i);
    JsonTreeModel model;
    const auto tester = watch(model);
    model.setValue(object, u"inputs"_s);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, 0).data().toString(), u"{k0000 … k0999}"_s);
    QCOMPARE(model.index(0, 0).data(JsonTreeModel::PathRole).toString(), u"inputs"_s);
    const QModelIndex member = rowAt(model, { u"{k1000 … k1499}"_s, u"k1234"_s });
    QVERIFY(member.isValid());
    QCOMPARE(member.data(JsonTreeModel::PathRole).toString(), u"inputs.k1234"_s);
    QCOMPARE(member.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString(), u"1234"_s);
}

void TestJsonTreeModel::paths()
{
    JsonTreeModel model;
    const QJsonValue value = parse(R"({"messages": [{"role": "user", "content": "hi"}], "a.b": {"c": 1}})");
    model.setValue(value, u"inputs"_s);
    QCOMPARE(rowAt(model, { u"messages"_s, u"0"_s, u"content"_s }).data(JsonTreeModel::PathRole).toString(),
        u"inputs.messages.0.content"_s);
    QVERIFY(
        rowAt(model, { u"messages"_s }).data(Qt::ToolTipRole).toString().contains(u">inputs.messages<"_s));
    model.setValue(value, QString());
    QCOMPARE(rowAt(model, { u"messages"_s, u"0"_s, u"role"_s }).data(JsonTreeModel::PathRole).toString(),
        u"messages.0.role"_s);
    // A scalar root is one row named after the root path.
    model.setValue(u"plain text"_s, u"output"_s);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, 0).data().toString(), u"output"_s);
    QCOMPARE(model.index(0, 0).data(JsonTreeModel::PathRole).toString(), u"output"_s);
    QCOMPARE(model.index(0, JsonTreeModel::ValueColumn).data().toString(), u"plain text"_s);
}

void TestJsonTreeModel::longStringPreview()
{
    JsonTreeModel model;
    const QString exact = QString(500, u'a');
    QString long_ = u"first line\nsecond line "_s;
    while (long_.size() < 1200)
        long_ += u"lorem ipsum "_s;
    long_.truncate(1200);
    model.setValue(QJsonObject { { u"exact"_s, exact }, { u"long"_s, long_ } }, u"output"_s);

    const QModelIndex exactRow = rowAt(model, { u"exact"_s });
    QCOMPARE(exactRow.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString(), exact);

    const QModelIndex longRow = rowAt(model, { u"long"_s }).siblingAtColumn(JsonTreeModel::ValueColumn);
    const QString display = longRow.data().toString();
    QVERIFY2(display.endsWith(u"… (1200 chars)"_s), qPrintable(display));
    QVERIFY(display.startsWith(u"first line↵second line"_s));
    QVERIFY(display.size() < 260);
    QVERIFY(!display.contains(u'\n'));
    QCOMPARE(longRow.data(JsonTreeModel::FullTextRole).toString(), long_);
    QCOMPARE(longRow.data(JsonTreeModel::TextLengthRole).toLongLong(), 1200);
    QVERIFY(longRow.data(Qt::ToolTipRole).toString().contains(u"1200 characters"_s));
}

void TestJsonTreeModel::badStrings()
{
    QString binary;
    for (int i = 0; i < 256; ++i)
        binary += QChar(char16_t(i % 32));
    const QString replacement = QString(64, QChar(0xfffd));
    const QString loneSurrogate = u"ab"_s + QChar(0xd800) + u"cd"_s;
    QString htmlLike = u"<img src=\"file:///dev/zero\"><b>x</b>"_s;
    JsonTreeModel model;
    const auto tester = watch(model);
    model.setValue(QJsonObject { { u"binary"_s, binary }, { u"bad utf8"_s, replacement },
                       { u"surrogate"_s, loneSurrogate }, { u"html"_s, htmlLike }, { htmlLike, 1 },
                       { u"unknown"_s, QJsonValue(QJsonValue::Undefined) } },
        u"v"_s);
    printModel(model);
    const QModelIndex binaryRow = rowAt(model, { u"binary"_s });
    QCOMPARE(binaryRow.siblingAtColumn(JsonTreeModel::TypeColumn).data().toString(), u"string (binary)"_s);
    const QString shown = binaryRow.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString();
    QCOMPARE(shown.size(), binary.size());
    for (const QChar c : shown)
        QVERIFY2(c.unicode() >= 0x20, "control characters are shown as visible pictures");
    QCOMPARE(binaryRow.data(JsonTreeModel::FullTextRole).toString(), binary);
    QCOMPARE(rowAt(model, { u"bad utf8"_s }).siblingAtColumn(JsonTreeModel::TypeColumn).data().toString(),
        u"string (binary)"_s);
    QCOMPARE(rowAt(model, { u"surrogate"_s }).data(JsonTreeModel::FullTextRole).toString(), loneSurrogate);
    // Tooltips are escaped rich text, so HTML-looking values are not interpreted.
    const QString tip = rowAt(model, { u"html"_s }).siblingAtColumn(1).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(u"&lt;img"_s) && !tip.contains(u"<img"_s), qPrintable(tip));
    const QString keyTip = rowAt(model, { htmlLike }).data(Qt::ToolTipRole).toString();
    QVERIFY2(keyTip.contains(u"&lt;img"_s) && !keyTip.contains(u"<img"_s), qPrintable(keyTip));
}

void TestJsonTreeModel::hugeString()
{
    // 10 MB of text; the preview, the search and FullTextRole must not scale with the display.
    QString huge = QString(10 * 1024 * 1024 - 6, u'x') + u"needle"_s;
    JsonTreeModel model;
    model.setValue(
        QJsonObject { { u"blob"_s, huge }, { u"list"_s, QJsonArray { huge, huge } } }, u"output"_s);
    const QModelIndex value = rowAt(model, { u"blob"_s }).siblingAtColumn(JsonTreeModel::ValueColumn);
    QVERIFY(value.data().toString().endsWith(u"… (10485760 chars)"_s));
    QCOMPARE(value.data(JsonTreeModel::FullTextRole).toString().size(), huge.size());
    QVERIFY(value.data(Qt::ToolTipRole).toString().size() < 200);
    QCOMPARE(model.search(u"NEEDLE"_s, 100).size(), 3);
    QVERIFY(rowAt(model, { u"list"_s, u"1"_s }).isValid());
}

void TestJsonTreeModel::weaveTypes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("display");
    QTest::addColumn<bool>("markdown");
    QTest::addRow("iso datetime") << "\"2025-03-01T10:00:00.250000Z\""_ba << u"datetime"_s
                                  << localTime("2025-03-01T10:00:00.250Z") << false;
    QTest::addRow("datetime with offset") << "\"2025-03-01 12:00:00+02:00\""_ba << u"datetime"_s
                                          << localTime("2025-03-01T10:00:00.000Z") << false;
    QTest::addRow("bare date stays a string")
        << "\"2025-03-01\""_ba << u"string"_s << u"2025-03-01"_s << false;
    QTest::addRow("not a date") << "\"2025-13-45T99:00:00Z\""_ba << u"string"_s << u"2025-13-45T99:00:00Z"_s
                                << false;
    QTest::addRow("weave ref") << "\"weave:///acme/demo/object/doc:abc\""_ba << u"ref"_s
                               << u"weave:///acme/demo/object/doc:abc"_s << false;
    QTest::addRow("custom datetime")
        << R"({"_type": "CustomWeaveType", "weave_type": {"type": "datetime.datetime"},
               "val": "2024-12-31T23:59:59Z", "load_op": null})"_ba
        << u"datetime"_s << localTime("2024-12-31T23:59:59.000Z") << false;
    QTest::addRow("custom markdown")
        << R"({"_type": "CustomWeaveType", "weave_type": {"type": "rich.markdown.Markdown"},
               "val": {"markup": "# Title\n\n**bold**", "code_theme": "monokai"}})"_ba
        << u"Markdown"_s << u"# Title↵↵**bold**"_s << true;
    QTest::addRow("file markdown (content elsewhere)")
        << R"({"_type": "CustomWeaveType", "weave_type": {"type": "rich.markdown.Markdown"},
               "files": {"content.md": "abc123"}})"_ba
        << u"Markdown"_s << u"{_type: \"CustomWeaveType\", files: {…}, weave_type: {…}}"_s << false;
    QTest::addRow("custom image")
        << R"({"_type": "CustomWeaveType", "weave_type": {"type": "PIL.Image.Image"}})"_ba
        << u"PIL.Image.Image"_s << u"{_type: \"CustomWeaveType\", weave_type: {…}}"_s << false;
    QTest::addRow("object record") << R"({"_type": "MyModel", "name": "m"})"_ba << u"MyModel"_s
                                   << u"{_type: \"MyModel\", name: \"m\"}"_s << false;
    QTest::addRow("bogus _type") << R"({"_type": 12})"_ba << u"object"_s << u"{_type: 12}"_s << false;
}

void TestJsonTreeModel::weaveTypes()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, type);
    QFETCH(QString, display);
    QFETCH(bool, markdown);
    JsonTreeModel model;
    model.setValue(QJsonObject { { u"x"_s, parse(json) } }, u"output"_s);
    const QModelIndex row = model.index(0, 0);
    QCOMPARE(row.siblingAtColumn(JsonTreeModel::TypeColumn).data().toString(), type);
    QCOMPARE(row.data(JsonTreeModel::TypeNameRole).toString(), type);
    QCOMPARE(row.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString(), display);
    QCOMPARE(row.data(JsonTreeModel::IsMarkdownRole).toBool(), markdown);
    if (markdown)
        QCOMPARE(row.data(JsonTreeModel::FullTextRole).toString(), u"# Title\n\n**bold**"_s);
}

void TestJsonTreeModel::numbers_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("display");
    QTest::addRow("int") << "42"_ba << u"42"_s;
    QTest::addRow("negative") << "-7"_ba << u"-7"_s;
    QTest::addRow("fraction") << "0.1"_ba << u"0.1"_s;
    QTest::addRow("big int") << "9007199254740993"_ba << u"9007199254740993"_s;
    QTest::addRow("huge double") << "1e300"_ba << u"1e+300"_s;
    QTest::addRow("true") << "true"_ba << u"true"_s;
}

void TestJsonTreeModel::numbers()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, display);
    JsonTreeModel model;
    model.setValue(parse(json), u"output.score"_s);
    QCOMPARE(model.index(0, JsonTreeModel::ValueColumn).data().toString(), display);
    QCOMPARE(model.index(0, 0).data(JsonTreeModel::FullTextRole).toString(), display);
}

void TestJsonTreeModel::rawValueAndFullText()
{
    JsonTreeModel model;
    const QJsonValue value = parse(R"({"config": {"a": [1, 2]}, "s": "text"})");
    model.setValue(value, u"inputs"_s);
    const QModelIndex config = rowAt(model, { u"config"_s });
    QCOMPARE(
        config.data(JsonTreeModel::RawValueRole).value<QJsonValue>(), value.toObject().value("config"_L1));
    QCOMPARE(config.data(JsonTreeModel::FullTextRole).toString(),
        u"{\n    \"a\": [\n        1,\n        2\n    ]\n}\n"_s);
    QCOMPARE(rowAt(model, { u"s"_s }).data(JsonTreeModel::RawValueRole).value<QJsonValue>(),
        QJsonValue(u"text"_s));
    QCOMPARE(rowAt(model, { u"config"_s }).data(JsonTreeModel::TextLengthRole).toLongLong(), -1);

    model.setValue(bigArray(1500), u"output"_s);
    const QJsonArray slice =
        model.index(1, 0).data(JsonTreeModel::RawValueRole).value<QJsonValue>().toArray();
    QCOMPARE(slice.size(), 500);
    QCOMPARE(slice.first().toObject().value("i"_L1).toInt(), 1000);
}

void TestJsonTreeModel::search()
{
    const QJsonValue value = parse(R"({"messages": [{"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "paris is sunny"}], "paris_key": 1, "n": 12, "flag": true})");
    const auto hits = spindle::models::findInJson(value, u"PARIS"_s, 100);
    QCOMPARE(hits.size(), 3);
    // QJsonObject keys are sorted: flag, messages, n, paris_key.
    QCOMPARE(hits.at(0).positions, (QVector<qsizetype> { 1, 0, 0 }));
    QVERIFY(!hits.at(0).inKey);
    QCOMPARE(hits.at(2).positions, (QVector<qsizetype> { 3 }));
    QVERIFY(hits.at(2).inKey);
    QCOMPARE(spindle::models::findInJson(value, u"12"_s, 100).size(), 1);
    QCOMPARE(spindle::models::findInJson(value, u"TRUE"_s, 100).size(), 1);
    QCOMPARE(spindle::models::findInJson(value, u"e"_s, 2).size(), 2);
    QVERIFY(spindle::models::findInJson(value, QString(), 100).isEmpty());

    JsonTreeModel model;
    model.setValue(value, u"inputs"_s);
    const QModelIndex index = model.indexForPositions(hits.at(1).positions);
    QCOMPARE(index.data(JsonTreeModel::PathRole).toString(), u"inputs.messages.1.content"_s);
    QVERIFY(!model.indexForPositions({ 9, 9 }).isValid());

    model.setValue(u"just paris"_s, u"output"_s); // a scalar root
    const auto scalarHits = model.search(u"paris"_s, 10);
    QCOMPARE(scalarHits.size(), 1);
    QCOMPARE(model.indexForPositions(scalarHits.first().positions), model.index(0, 0));
}

void TestJsonTreeModel::searchFindsUnbuiltRows()
{
    QJsonArray array = bigArray(100000);
    array[54321] = QJsonObject { { u"text"_s, u"the needle"_s } };
    JsonTreeModel model;
    const auto tester = watch(model);
    model.setValue(array, u"output"_s);
    const auto hits = model.search(u"needle"_s, 10);
    QCOMPARE(hits.size(), 1);
    QCOMPARE(model.builtNodeCount(), 100); // searching built nothing
    const QModelIndex index = model.indexForPositions(hits.first().positions);
    QCOMPARE(index.data(JsonTreeModel::PathRole).toString(), u"output.54321.text"_s);
    QCOMPARE(model.builtNodeCount(), 100 + 1000 + 1); // one group and one item opened on the way
    QCOMPARE(index.parent().parent().data().toString(), u"[54000 … 54999]"_s);
}

void TestJsonTreeModel::resetSignals()
{
    JsonTreeModel model;
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
    model.setValue(parse(R"({"a": {"b": 1}})"), u"inputs"_s);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(inserts.count(), 0);
    model.fetchMore(model.index(0, 0));
    QCOMPARE(inserts.count(), 1);
    model.fetchMore(model.index(0, 0)); // already fetched: nothing
    QCOMPARE(inserts.count(), 1);
}

QTEST_MAIN(TestJsonTreeModel)
#include "tst_jsontreemodel.moc"
