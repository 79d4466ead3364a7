// Compare: buildComparison for two and three calls (flattening, missing values, metric deltas),
// the delta formatters and the word diff (data-driven), CallComparisonModel under
// QAbstractItemModelTester, and CompareDialog on the offscreen platform: fed in memory (with
// screenshots under <build>/tests/compare/screenshots) and through /call/read against the real
// trace server in-process.
#include "apptestutil.h"
#include "models/callcomparison.h"
#include "models/callformat.h"
#include "net/traceclient.h"
#include "ui/comparedialog.h"
#include "widgets/banner.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QDir>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTextBlock>
#include <QTextEdit>

using namespace spindle;
using namespace spindle::models;
using namespace Qt::StringLiterals;

class TestCallComparison : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void twoCalls();
    void threeCalls();
    void flattening();
    void pathsKeepTheirShape();
    void toolTipsAreText();
    void deltaFormat_data();
    void deltaFormat();
    void wordDiff_data();
    void wordDiff();
    void wordDiffTooBig();
    void model();
    void modelOnlyDifferences();
    void dialogInMemory();
    void dialogFetches();
};

namespace {

QJsonObject parseObject(const QByteArray& json)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("bad JSON in the test: %s (%s)", json.constData(), qPrintable(error.errorString()));
    return doc.object();
}

// A call as /call/read returns it: `io` holds {"inputs", "output"[, "exception"]}; latency,
// tokens and cost land in summary.weave / summary.usage when given.
Call makeCall(const QString& id, const QString& name, std::optional<qint64> latencyMs,
    std::optional<qint64> tokens, std::optional<double> cost, const QByteArray& io)
{
    QJsonObject json = parseObject(io);
    json.insert(u"id"_s, id);
    json.insert(u"display_name"_s, name);
    json.insert(u"op_name"_s, u"weave:///team/proj/op/%1:v1"_s.arg(name));
    json.insert(u"started_at"_s, u"2025-01-01T00:00:00Z"_s);
    QJsonObject weave { { u"status"_s, json.contains(u"exception"_s) ? u"error"_s : u"success"_s } };
    if (latencyMs)
        weave.insert(u"latency_ms"_s, *latencyMs);
    QJsonObject summary;
    if (tokens)
        summary.insert(
            u"usage"_s, QJsonObject { { u"gpt-4o"_s, QJsonObject { { u"total_tokens"_s, *tokens } } } });
    if (cost) {
        weave.insert(u"costs"_s,
            QJsonObject { { u"gpt-4o"_s, QJsonObject { { u"prompt_tokens_total_cost"_s, *cost } } } });
    }
    summary.insert(u"weave"_s, weave);
    json.insert(u"summary"_s, summary);
    return Call::fromJson(json);
}

Call callA()
{
    return makeCall(u"a1"_s, u"summarize"_s, 1000, 100, 0.0010,
        R"({"inputs": {"question": "What is 2+2?", "user": "u1", "params": {"temperature": 0.2, "model": "gpt-4o"},
            "tags": ["a", "b"]}, "output": {"answer": "4", "score": 0.9}})");
}

Call callB()
{
    return makeCall(u"b2"_s, u"summarize"_s, 1320, 88, 0.0014,
        R"({"inputs": {"question": "What is 2+2?", "user": "u1", "params": {"temperature": 0.7, "model": "gpt-4o"},
            "tags": ["a", "c", "d"]}, "output": {"answer": "four", "score": 0.9}})");
}

Call callC() // no latency, no usage, a string output and an exception
{
    return makeCall(u"c3"_s, u"summarize"_s, std::nullopt, std::nullopt, std::nullopt,
        R"({"inputs": {"question": "What is 3+3?", "user": "u1", "params": {"temperature": 0.2}},
            "output": "six", "exception": "ValueError: boom"})");
}

// One line per row: "path: cell | cell [*]", a missing cell as ∅, metric deltas in brackets.
QStringList printRows(const QVector<ComparisonRow>& rows)
{
    QStringList lines;
    for (const ComparisonRow& row : rows) {
        QStringList cells;
        for (int i = 0; i < row.values.size(); ++i) {
            QString cell = row.isMissing(i) ? u"∅"_s : row.texts[i];
            if (!row.deltaTexts.value(i).isEmpty())
                cell += u" ("_s + row.deltaTexts[i] + u')';
            cells << cell;
        }
        lines << row.path + u": "_s + cells.join(u" | "_s) + (row.differs ? u" *"_s : QString());
    }
    return lines;
}

const ComparisonRow* findRow(const QVector<ComparisonRow>& rows, const QString& path)
{
    for (const ComparisonRow& row : rows) {
        if (row.path == path)
            return &row;
    }
    return nullptr;
}

int modelRow(const CallComparisonModel& model, const QString& path)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.index(row, 0).data(CallComparisonModel::PathRole).toString() == path)
            return row;
    }
    return -1;
}

// "a [-b-]{+c+} d": a diff in git's --word-diff=plain notation.
QString diffToString(const QVector<DiffSegment>& segments)
{
    QString text;
    for (const DiffSegment& segment : segments) {
        if (segment.op == DiffSegment::Equal)
            text += segment.text;
        else if (segment.op == DiffSegment::Delete)
            text += u"[-"_s + segment.text + u"-]"_s;
        else
            text += u"{+"_s + segment.text + u"+}"_s;
    }
    return text;
}

// The highlighted runs of a diff pane, joined with '|'.
QString markedText(const QTextEdit* edit)
{
    QStringList runs;
    for (QTextBlock block = edit->document()->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            if (it.fragment().charFormat().background().style() != Qt::NoBrush)
                runs << it.fragment().text();
        }
    }
    return runs.join(u'|');
}

// Three chat completions of one prompt: another model, another temperature, other answers.
QVector<Call> releaseNoteCalls()
{
    const QString prompt = u"Summarize the release notes for version 2.4 in two sentences."_s;
    const auto chat = [&](const QString& id, const char* model, double temperature, qint64 latency,
                          qint64 tokens, double cost, const QString& answer) {
        QJsonObject io {
            { u"inputs"_s,
                QJsonObject { { u"model"_s, QString::fromLatin1(model) }, { u"temperature"_s, temperature },
                    { u"messages"_s,
                        QJsonArray { QJsonObject { { u"role"_s, u"system"_s },
                                         { u"content"_s, u"You are a concise technical writer."_s } },
                            QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, prompt } } } } } },
            { u"output"_s, QJsonObject { { u"content"_s, answer }, { u"finish_reason"_s, u"stop"_s } } }
        };
        return makeCall(id, u"openai.chat.completions.create"_s, latency, tokens, cost,
            QJsonDocument(io).toJson(QJsonDocument::Compact));
    };
    return {
        chat(u"0193a1f2-7c1e-7a10-9d2e-5b7e0c4a1111"_s, "gpt-4o", 0.2, 1000, 100, 0.0010,
            u"Version 2.4 adds a trace compare view and faster exports.\nIt also fixes three crashes in the timeline."_s),
        chat(u"0193a1f2-7c1e-7a10-9d2e-5b7e0c4a2222"_s, "gpt-4o-mini", 0.2, 1320, 88, 0.0014,
            u"Version 2.4 adds a side-by-side compare view and much faster exports.\nIt also fixes two crashes in the timeline."_s),
        chat(u"0193a1f2-7c1e-7a10-9d2e-5b7e0c4a3333"_s, "gpt-4o", 0.9, 700, 130, 0.0009,
            u"Release 2.4 brings a compare view and faster exports.\nIt also fixes three crashes in the timeline."_s),
    };
}

void saveShot(QWidget& widget, const QString& name)
{
    const QString dir = QStringLiteral(SPINDLE_TEST_OUTPUT_DIR) + "/screenshots"_L1;
    QVERIFY(QDir().mkpath(dir));
    const QString path = dir + u'/' + name + ".png"_L1;
    QVERIFY2(widget.grab().save(path), qPrintable(path));
}

} // namespace

void TestCallComparison::twoCalls()
{
    const QVector<ComparisonRow> rows = buildComparison({ callA(), callB() });
    const QStringList expected {
        u"latency: 1.00 s | 1.32 s (+320 ms) *"_s,
        u"tokens: 100 | 88 (−12 tokens) *"_s,
        u"cost: $0.0010 | $0.0014 (+$0.0004) *"_s,
        u"inputs.params.model: gpt-4o | gpt-4o"_s,
        u"inputs.params.temperature: 0.2 | 0.7 *"_s,
        u"inputs.question: What is 2+2? | What is 2+2?"_s,
        u"inputs.tags.0: a | a"_s,
        u"inputs.tags.1: b | c *"_s,
        u"inputs.tags.2: ∅ | d *"_s,
        u"inputs.user: u1 | u1"_s,
        u"output.answer: 4 | four *"_s,
        u"output.score: 0.9 | 0.9"_s,
    };
    QCOMPARE(printRows(rows), expected);
    // The deltas are exact numbers too.
    QCOMPARE(*findRow(rows, u"latency"_s)->deltas[1], 320.0);
    QCOMPARE(*findRow(rows, u"tokens"_s)->deltas[1], -12.0);
    QVERIFY(qAbs(*findRow(rows, u"cost"_s)->deltas[1] - 0.0004) < 1e-12);
    QVERIFY(!findRow(rows, u"latency"_s)->deltas[0]);
    QVERIFY(findRow(rows, u"inputs.tags.1"_s)->differsFromFirst(1));
    QVERIFY(!findRow(rows, u"inputs.user"_s)->differsFromFirst(1));
    QCOMPARE(findRow(rows, u"inputs.params.temperature"_s)->values[1], QJsonValue(0.7));
}

void TestCallComparison::threeCalls()
{
    const QVector<ComparisonRow> rows = buildComparison({ callA(), callB(), callC() });
    const QStringList expected {
        u"latency: 1.00 s | 1.32 s (+320 ms) | ∅ *"_s,
        u"tokens: 100 | 88 (−12 tokens) | ∅ *"_s,
        u"cost: $0.0010 | $0.0014 (+$0.0004) | ∅ *"_s,
        u"inputs.params.model: gpt-4o | gpt-4o | ∅ *"_s,
        u"inputs.params.temperature: 0.2 | 0.7 | 0.2 *"_s,
        u"inputs.question: What is 2+2? | What is 2+2? | What is 3+3? *"_s,
        u"inputs.tags.0: a | a | ∅ *"_s,
        u"inputs.tags.1: b | c | ∅ *"_s,
        u"inputs.tags.2: ∅ | d | ∅ *"_s,
        u"inputs.user: u1 | u1 | u1"_s,
        u"output: ∅ | ∅ | six *"_s,
        u"output.answer: 4 | four | ∅ *"_s,
        u"output.score: 0.9 | 0.9 | ∅ *"_s,
        u"exception: ∅ | ∅ | ValueError: boom *"_s,
    };
    QCOMPARE(printRows(rows), expected);
    // Call #3 has the baseline's temperature: that cell is not a difference, the row is.
    const ComparisonRow* temperature = findRow(rows, u"inputs.params.temperature"_s);
    QVERIFY(temperature->differsFromFirst(1));
    QVERIFY(!temperature->differsFromFirst(2));
    // Identical calls flag nothing.
    for (const ComparisonRow& row : buildComparison({ callC(), callC(), callC() }))
        QVERIFY2(!row.differs, qPrintable(row.path));
    QVERIFY(buildComparison({}).isEmpty());
}

void TestCallComparison::flattening()
{
    QJsonArray list;
    for (int i = 0; i < 12; ++i)
        list.append(i * 10);
    QJsonArray big;
    for (int i = 0; i < kMaxArrayItems + 10; ++i)
        big.append(i);
    QJsonValue deep = 1;
    for (int i = 0; i < kMaxDepth + 3; ++i)
        deep = QJsonObject { { u"d"_s, deep } };
    Call call;
    call.inputs = QJsonObject { { u"list"_s, list }, { u"big"_s, big }, { u"empty"_s, QJsonObject() },
        { u"none"_s, QJsonArray() }, { u"deep"_s, deep.toObject().value(u"d"_s) },
        { u"msgs"_s, QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"hi"_s } } } } };
    call.output = QJsonValue::Null;
    const QVector<ComparisonRow> rows = buildComparison({ call, call });
    QStringList paths;
    for (const ComparisonRow& row : rows) {
        if (row.kind == ComparisonRow::Kind::Field)
            paths << row.path;
        QVERIFY2(!row.differs, qPrintable(row.path));
    }
    QStringList expected { u"inputs.big"_s };
    QString deepPath = u"inputs.deep"_s;
    for (int depth = 1; depth < kMaxDepth; ++depth)
        deepPath += u".d"_s;
    expected << deepPath << u"inputs.empty"_s;
    for (int i = 0; i < 12; ++i) // numeric order: .10 and .11 after .9
        expected << u"inputs.list.%1"_s.arg(i);
    expected << u"inputs.msgs.0.content"_s << u"inputs.msgs.0.role"_s << u"inputs.none"_s << u"output"_s;
    QCOMPARE(paths, expected);
    QVERIFY(findRow(rows, u"inputs.big"_s)->texts[0].startsWith(u"[0,1,2,"_s));
    QCOMPARE(findRow(rows, deepPath)->texts[0], u"{\"d\":{\"d\":{\"d\":1}}}"_s);
    QCOMPARE(findRow(rows, u"inputs.empty"_s)->texts[0], u"{}"_s);
    QCOMPARE(findRow(rows, u"inputs.none"_s)->texts[0], u"[]"_s);
    QCOMPARE(findRow(rows, u"output"_s)->texts[0], u"null"_s);
    QCOMPARE(findRow(rows, u"inputs.list.11"_s)->texts[1], u"110"_s);
}

// Paths tell apart what dots would join: a key with a dot from nested keys, an object's "0" from an
// array's first item. A list over the limit in one call is one leaf in every call; a string beside
// a number of the same text shows quoted; keys that are numbers or not sort in one total order.
void TestCallComparison::pathsKeepTheirShape()
{
    Call a;
    a.inputs = parseObject(R"({"a.b": 1, "a": {"b": 2}, "x": [5], "n": 1, "t": true, "z": null,
        "keys": {"2": 0, "10": 0, "1a": 0, "b": 0}})");
    Call b;
    b.inputs = parseObject(R"({"a.b": 1, "a": {"b": 2}, "x": {"0": 5}, "n": "1", "t": "true", "z": "null",
        "keys": {"2": 0, "10": 0, "1a": 0, "b": 0}})");
    QJsonArray turns;
    for (int i = 0; i < kMaxArrayItems; ++i)
        turns.append(i);
    a.inputs.insert(u"turns"_s, turns);
    turns.append(kMaxArrayItems); // one more turn: over the limit
    b.inputs.insert(u"turns"_s, turns);
    const QVector<ComparisonRow> rows = buildComparison({ a, b });
    QStringList paths;
    for (const ComparisonRow& row : rows)
        if (row.kind == ComparisonRow::Kind::Field)
            paths << row.path;
    const QStringList expected { u"inputs.a.b"_s, u"inputs[\"a.b\"]"_s, u"inputs.keys[\"2\"]"_s,
        u"inputs.keys[\"10\"]"_s, u"inputs.keys.1a"_s, u"inputs.keys.b"_s, u"inputs.n"_s, u"inputs.t"_s,
        u"inputs.turns"_s, u"inputs.x.0"_s, u"inputs.x[\"0\"]"_s, u"inputs.z"_s, u"output"_s };
    QCOMPARE(paths.join(u" "_s), expected.join(u" "_s));
    QCOMPARE(findRow(rows, u"inputs.a.b"_s)->values[0], QJsonValue(2));
    QCOMPARE(findRow(rows, u"inputs[\"a.b\"]"_s)->values[0], QJsonValue(1));
    QVERIFY(findRow(rows, u"inputs.x.0"_s)->isMissing(1));
    QVERIFY(findRow(rows, u"inputs.x[\"0\"]"_s)->isMissing(0));
    const ComparisonRow* list = findRow(rows, u"inputs.turns"_s);
    QVERIFY(list->differs);
    QVERIFY(list->texts[0].startsWith(u"[0,1,"_s) && list->texts[1].endsWith(u",50]"_s));
    QCOMPARE(findRow(rows, u"inputs.n"_s)->texts, QStringList({ u"1"_s, u"\"1\""_s }));
    QCOMPARE(findRow(rows, u"inputs.t"_s)->texts, QStringList({ u"true"_s, u"\"true\""_s }));
    QCOMPARE(findRow(rows, u"inputs.z"_s)->texts, QStringList({ u"null"_s, u"\"null\""_s }));
    QCOMPARE(findRow(rows, u"inputs.a.b"_s)->texts[1], u"2"_s); // same types: as they are

    // A key with quotes and brackets in it is escaped: it does not read as two keys.
    Call c;
    c.inputs = parseObject(R"({"k": {"1\"][\"2": "flat", "1": {"2": "nested"}}})");
    const QVector<ComparisonRow> escaped = buildComparison({ c, c });
    QCOMPARE(findRow(escaped, u"inputs.k[\"1\\\"][\\\"2\"]"_s)->texts[0], u"flat"_s);
    QCOMPARE(findRow(escaped, u"inputs.k[\"1\"][\"2\"]"_s)->texts[0], u"nested"_s);
}

// Values and names are the trace's text: their tool tips show markup as text (a rich-text <img>
// would read the file, /dev/zero for ever).
void TestCallComparison::toolTipsAreText()
{
    const QString markup = u"<img src=\"/dev/zero\"> and some more words to pass forty characters"_s;
    Call a;
    a.displayName = u"<b>x</b>"_s;
    a.inputs = QJsonObject { { u"q"_s, markup } };
    Call b = a;
    b.inputs = QJsonObject { { u"q"_s, u"plain"_s } };
    CallComparisonModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCalls({ a, b });
    int row = -1;
    for (int r = 0; r < model.rowCount(); ++r)
        if (model.index(r, 0).data(CallComparisonModel::PathRole).toString() == u"inputs.q"_s)
            row = r;
    QVERIFY(row >= 0);
    const QString cell =
        model.index(row, CallComparisonModel::callColumn(0)).data(Qt::ToolTipRole).toString();
    QCOMPARE(cell, plainToolTip(markup));
    QVERIFY(cell.contains(u"&lt;img"_s) && !cell.contains(u"<img"_s));
    const QString header =
        model.headerData(CallComparisonModel::callColumn(0), Qt::Horizontal, Qt::ToolTipRole).toString();
    QVERIFY2(header.contains(u"&lt;b&gt;x"_s) && !header.contains(u"<b>"_s), qPrintable(header));
}

void TestCallComparison::deltaFormat_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<double>("delta");
    QTest::addColumn<QString>("expected");
    QTest::addRow("latency ms") << u"latency"_s << 320.0 << u"+320 ms"_s;
    QTest::addRow("latency s") << u"latency"_s << -1200.0 << u"−1.20 s"_s;
    QTest::addRow("latency zero") << u"latency"_s << 0.0 << u"±0 ms"_s;
    QTest::addRow("latency min") << u"latency"_s << 90000.0 << u"+1.5 min"_s;
    QTest::addRow("tokens down") << u"tokens"_s << -12.0 << u"−12 tokens"_s;
    QTest::addRow("tokens one") << u"tokens"_s << 1.0 << u"+1 token"_s;
    QTest::addRow("tokens zero") << u"tokens"_s << 0.0 << u"±0 tokens"_s;
    QTest::addRow("cost small") << u"cost"_s << 0.0004 << u"+$0.0004"_s;
    QTest::addRow("cost tiny") << u"cost"_s << -0.00004 << u"−$0.000040"_s;
    QTest::addRow("cost dollars") << u"cost"_s << 2.5 << u"+$2.50"_s;
    QTest::addRow("cost zero") << u"cost"_s << 0.0 << u"±$0"_s;
}

void TestCallComparison::deltaFormat()
{
    QFETCH(QString, kind);
    QFETCH(double, delta);
    QFETCH(QString, expected);
    const QString text = kind == "latency"_L1 ? formatLatencyDelta(qint64(delta))
        : kind == "tokens"_L1                 ? formatTokenDelta(qint64(delta))
                                              : formatCostDelta(delta);
    QCOMPARE(text, expected);
}

void TestCallComparison::wordDiff_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<QString>("expected");
    QTest::addRow("identical") << u"a b c"_s << u"a b c"_s << u"a b c"_s;
    QTest::addRow("both empty") << QString() << QString() << QString();
    QTest::addRow("from empty") << QString() << u"hello world"_s << u"{+hello world+}"_s;
    QTest::addRow("to empty") << u"hello world"_s << QString() << u"[-hello world-]"_s;
    QTest::addRow("replace two words")
        << u"the quick brown fox"_s << u"the slow red fox"_s << u"the [-quick brown-]{+slow red+} fox"_s;
    QTest::addRow("insert a word") << u"a c"_s << u"a b c"_s << u"a {+b +}c"_s;
    QTest::addRow("delete a word") << u"one two three"_s << u"one three"_s << u"one [-two -]three"_s;
    QTest::addRow("punctuation") << u"Hello, world!"_s << u"Hello world!"_s << u"Hello[-,-] world!"_s;
    QTest::addRow("two places") << u"It is 22 C in Paris."_s << u"It is 18 C in Lyon."_s
                                << u"It is [-22-]{+18+} C in [-Paris-]{+Lyon+}."_s;
    QTest::addRow("lines") << u"line one\nline two\n"_s << u"line one\nline 2\n"_s
                           << u"line one\nline [-two-]{+2+}\n"_s;
    QTest::addRow("accents") << u"naïve café"_s << u"naïve cafe"_s << u"naïve [-café-]{+cafe+}"_s;
    QTest::addRow("emoji") << u"ok 😀 done"_s << u"ok 😁 done"_s << u"ok [-😀-]{+😁+} done"_s;
    QTest::addRow("json") << uR"({"temp":22,"sky":"sunny"})"_s << uR"({"temp":18,"sky":"sunny"})"_s
                          << uR"({"temp":[-22-]{+18+},"sky":"sunny"})"_s;
}

void TestCallComparison::wordDiff()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(QString, expected);
    const QVector<DiffSegment> segments = models::wordDiff(before, after);
    QCOMPARE(diffToString(segments), expected);
    // Each side is rebuilt exactly from the common runs and its own changes.
    QString left;
    QString right;
    for (const DiffSegment& segment : segments) {
        QVERIFY(!segment.text.isEmpty());
        if (segment.op != DiffSegment::Insert)
            left += segment.text;
        if (segment.op != DiffSegment::Delete)
            right += segment.text;
    }
    QCOMPARE(left, before);
    QCOMPARE(right, after);
}

void TestCallComparison::wordDiffTooBig()
{
    // 2 × 3000 distinct words: the LCS table would be far over its bound, so the middle becomes
    // one deletion and one insertion; the shared prefix and suffix stay common.
    QStringList a;
    QStringList b;
    for (int i = 0; i < 3000; ++i) {
        a << u"a%1"_s.arg(i);
        b << u"b%1"_s.arg(i);
    }
    const QString before = u"start "_s + a.join(u' ') + u" end"_s;
    const QString after = u"start "_s + b.join(u' ') + u" end"_s;
    const QVector<DiffSegment> segments = models::wordDiff(before, after);
    QCOMPARE(segments.size(), 4);
    QCOMPARE(segments[0], (DiffSegment { DiffSegment::Equal, u"start "_s }));
    QCOMPARE(segments[1].op, DiffSegment::Delete);
    QCOMPARE(segments[1].text, a.join(u' '));
    QCOMPARE(segments[2].text, b.join(u' '));
    QCOMPARE(segments[3], (DiffSegment { DiffSegment::Equal, u" end"_s }));
}

void TestCallComparison::model()
{
    CallComparisonModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QCOMPARE(model.columnCount(), 1);
    model.setCalls({ callA(), callB() });
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.columnCount(), 3);
    QCOMPARE(model.rowCount(), 12);
    QCOMPARE(model.differingRowCount(), 7);
    QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), u"Field"_s);
    QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), u"#2 summarize"_s);
    QVERIFY(model.headerData(1, Qt::Horizontal, Qt::ToolTipRole).toString().contains(u"a1"_s));

    // Metrics: the value with its delta, coloured (more latency is worse, fewer tokens better).
    QCOMPARE(model.index(0, 0).data().toString(), u"Latency"_s);
    QCOMPARE(model.index(0, 1).data().toString(), u"1.00 s"_s);
    QCOMPARE(model.index(0, 2).data().toString(), u"1.32 s  (+320 ms)"_s);
    QCOMPARE(model.index(0, 2).data(CallComparisonModel::DeltaRole).toDouble(), 320.0);
    QVERIFY(!model.index(0, 1).data(CallComparisonModel::DeltaRole).isValid());
    const QColor worse = model.index(0, 2).data(Qt::ForegroundRole).value<QBrush>().color();
    const QColor better = model.index(1, 2).data(Qt::ForegroundRole).value<QBrush>().color();
    QVERIFY(worse.red() > worse.green() && better.green() > better.red());
    QVERIFY(model.index(0, 2).data(CallComparisonModel::IsMetricRole).toBool());

    // Fields: equal rows are plain, differing rows tinted and the differing cell more so.
    const int same = modelRow(model, u"inputs.question"_s);
    const int changed = modelRow(model, u"inputs.tags.1"_s);
    const int missing = modelRow(model, u"inputs.tags.2"_s);
    QVERIFY(!model.index(same, 0).data(CallComparisonModel::DiffersRole).toBool());
    QVERIFY(!model.index(same, 2).data(Qt::BackgroundRole).isValid());
    QVERIFY(model.index(changed, 0).data(CallComparisonModel::DiffersRole).toBool());
    const QBrush rowTint = model.index(changed, 1).data(Qt::BackgroundRole).value<QBrush>();
    const QBrush cellTint = model.index(changed, 2).data(Qt::BackgroundRole).value<QBrush>();
    QVERIFY(rowTint.style() != Qt::NoBrush && cellTint.style() != Qt::NoBrush && rowTint != cellTint);
    QCOMPARE(model.index(changed, 2).data(CallComparisonModel::RawValueRole).value<QJsonValue>(),
        QJsonValue(u"c"_s));
    QVERIFY(model.index(missing, 1).data(CallComparisonModel::MissingRole).toBool());
    QCOMPARE(model.index(missing, 1).data().toString(), u"—"_s);
    QVERIFY(model.index(missing, 1).data(Qt::FontRole).value<QFont>().italic());
    QVERIFY(!model.comparisonRow(12));
}

void TestCallComparison::modelOnlyDifferences()
{
    CallComparisonModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCalls({ callA(), callB() });
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    // Only differences: one reset, none when unchanged; every visible row differs.
    model.setOnlyDifferences(true);
    QCOMPARE(resets.count(), 1);
    model.setOnlyDifferences(true);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), 7);
    for (int row = 0; row < model.rowCount(); ++row)
        QVERIFY(model.index(row, 0).data(CallComparisonModel::DiffersRole).toBool());
    // The filter matches paths and values, case-insensitively, on top of it.
    model.setFilterText(u"tags"_s);
    QCOMPARE(model.rowCount(), 2);
    model.setFilterText(u"FOUR"_s);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, 0).data(CallComparisonModel::PathRole).toString(), u"output.answer"_s);
    model.setOnlyDifferences(false);
    QCOMPARE(model.rowCount(), 1);
    model.setFilterText(QString());
    QCOMPARE(model.rowCount(), 12);
    QCOMPARE(resets.count(), 5);

    model.setCalls({ callA(), callB(), callC() });
    QCOMPARE(model.columnCount(), 4);
    QCOMPARE(model.rowCount(), 14);
    model.setCalls({});
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), 1);
}

void TestCallComparison::dialogInMemory()
{
    const QVector<Call> calls = releaseNoteCalls();
    ui::CompareDialog dialog(nullptr);
    dialog.setCalls(calls);
    dialog.resize(1200, 780);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QCOMPARE(dialog.windowTitle(), u"Compare 3 calls"_s);

    // Cards: names, ids, and deltas against the baseline.
    const QString header = dialog.headerText();
    for (const QString& part : { u"baseline for deltas"_s, u"0193a1f2-7c1e-7a10-9d2e-5b7e0c4a2222"_s,
             u"+320 ms"_s, u"−12 tokens"_s, u"+$0.0004"_s, u"−300 ms"_s, u"+30 tokens"_s, u"−$0.0001"_s })
        QVERIFY2(header.contains(part), qPrintable(part));

    // The first differing field is current; its word diff against call #2 is shown.
    const QModelIndex current = dialog.table()->currentIndex();
    QCOMPARE(current.data(CallComparisonModel::PathRole).toString(), u"inputs.model"_s);
    QCOMPARE(dialog.diffBefore()->toPlainText(), u"gpt-4o"_s);
    QCOMPARE(markedText(dialog.diffAfter()), u"-mini"_s);
    const int answer = modelRow(*dialog.model(), u"output.content"_s);
    QVERIFY(answer >= 0);
    dialog.table()->setCurrentIndex(dialog.model()->index(answer, 2));
    QCOMPARE(dialog.diffBefore()->toPlainText(), calls[0].output.toObject().value(u"content"_s).toString());
    QCOMPARE(markedText(dialog.diffBefore()), u"trace|three"_s);
    QCOMPARE(markedText(dialog.diffAfter()), u"side-by-side|much |two"_s);
    saveShot(dialog, u"compare_dialog"_s);
    // Clicking the third call's cell diffs it against the baseline instead.
    dialog.table()->setCurrentIndex(dialog.model()->index(answer, 3));
    QCOMPARE(markedText(dialog.diffBefore()), u"Version|adds| trace"_s);

    // "Only differences" and the filter narrow the table.
    const int all = dialog.model()->rowCount();
    dialog.onlyDifferencesBox()->click();
    QVERIFY(dialog.model()->onlyDifferences());
    QCOMPARE(dialog.model()->rowCount(), dialog.model()->differingRowCount());
    QVERIFY(dialog.model()->rowCount() < all);
    dialog.diffAfter()->append(u"(not written again)"_s);
    QTest::keyClicks(dialog.filterEdit(), u"output"_s);
    QCOMPARE(dialog.model()->rowCount(), 1);
    // The current row and column survive the resets, so the diff pane keeps its content: it is
    // not diffed and written again at each keystroke (a large value's diff takes a while).
    QCOMPARE(dialog.table()->currentIndex(), dialog.model()->index(0, 3));
    QVERIFY(dialog.diffAfter()->toPlainText().endsWith(u"(not written again)"_s));
    dialog.table()->setCurrentIndex(dialog.model()->index(0, 2));
    dialog.table()->setCurrentIndex(dialog.model()->index(0, 3)); // chosen again: written again
    QVERIFY(!dialog.diffAfter()->toPlainText().contains(u"(not written again)"_s));
    QCOMPARE(markedText(dialog.diffAfter()), u"Release|brings"_s);
    saveShot(dialog, u"compare_only_differences"_s);
    dialog.filterEdit()->clear();
    dialog.onlyDifferencesBox()->click();
    QCOMPARE(dialog.model()->rowCount(), all);
}

void TestCallComparison::dialogFetches()
{
    apptest::InProcessServer server;
    QCOMPARE(server.start(), QString());
    const QString project = u"compare/main"_s;
    apptest::CallRecord first;
    first.id = u"c-1"_s;
    first.opName = u"weave:///compare/main/op/answer:v1"_s;
    first.endedMs = first.startedMs + 250;
    first.inputs = QJsonObject { { u"q"_s, u"two plus two"_s } };
    first.output = u"4"_s;
    apptest::CallRecord second = first;
    second.id = u"c-2"_s;
    second.endedMs = second.startedMs + 400;
    second.output = u"four"_s;
    QCOMPARE(server.logCalls(project, { first, second }), 200);

    net::TraceClient client;
    client.setConnection({ server.url(), {} });
    client.setRetryPolicy(0, 10);
    QSignalSpy failures(&client, &net::TraceClient::requestFailed);
    ui::CompareDialog dialog(&client);
    QSignalSpy loaded(&dialog, &ui::CompareDialog::loaded);
    dialog.compare(project, { u"c-1"_s, u"missing"_s, u"c-2"_s });
    QVERIFY(loaded.wait(15000));
    QCOMPARE(dialog.model()->calls().size(), 2);
    QCOMPARE(dialog.model()->calls()[1].id, u"c-2"_s);
    QStringList rows = printRows(dialog.model()->allRows());
    QVERIFY2(rows.contains(u"latency: 250 ms | 400 ms (+150 ms) *"_s), qPrintable(rows.join(u'\n')));
    QVERIFY2(rows.contains(u"output: 4 | four *"_s), qPrintable(rows.join(u'\n')));
    const auto* banner = dialog.findChild<widgets::Banner*>();
    QVERIFY(banner && banner->text().contains(u"missing"_s));
    QCOMPARE(failures.count(), 0);
}

QTEST_MAIN(TestCallComparison)
#include "tst_callcomparison.moc"
