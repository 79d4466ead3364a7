// CallsQuery and FieldCondition → the Weave request JSON, compared with literal JSON written from
// weave-protocol.md 3.1-3.4 ("How the UI builds queries from its filter widgets") and
// feature-landscape.md 4.2 (operators and their symbols).
#include "core/callsquery.h"

#include <QJsonDocument>
#include <QTest>

using namespace spindle;
using namespace Qt::StringLiterals;

namespace {

QJsonObject parseObject(const char* json)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("bad expected JSON in the test: %s (%s)", json, qPrintable(error.errorString()));
    return doc.object();
}

QJsonArray parseArray(const char* json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json));
    if (!doc.isArray())
        qFatal("bad expected JSON array in the test: %s", json);
    return doc.array();
}

QByteArray compact(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray compact(const QJsonArray& array)
{
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

// QJsonObject equality (key order and 5 vs 5.0 do not matter), the compact text on failure.
#define COMPARE_JSON(actual, expected)                                                                       \
    do {                                                                                                     \
        const auto actual_ = (actual);                                                                       \
        const auto expected_ = (expected);                                                                   \
        QVERIFY2(actual_ == expected_,                                                                       \
            qPrintable(                                                                                      \
                QStringLiteral("\n   actual: %1\n expected: %2")                                             \
                    .arg(QString::fromUtf8(compact(actual_)), QString::fromUtf8(compact(expected_)))));      \
    } while (false)

QDateTime utc(const char* iso)
{
    QDateTime t = QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs);
    if (!t.isValid())
        qFatal("bad date in the test: %s", iso);
    return t.toUTC();
}

} // namespace

Q_DECLARE_METATYPE(spindle::FilterOp)
Q_DECLARE_METATYPE(spindle::SortKey)
Q_DECLARE_METATYPE(spindle::CallsQuery)

class TestCallsQueryJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void conditionExpr_data();
    void conditionExpr();
    void everyOpIsCovered();

    void statuses_data();
    void statuses();
    void timeRange_data();
    void timeRange();
    void conditionsAreAndedInOrder();
    void noConditionMeansNoQuery();

    void filter_data();
    void filter();

    void sort_data();
    void sort();

    void requestJson_data();
    void requestJson();
    void protocolExample();

    void parseRelativeRange_data();
    void parseRelativeRange();
    void parseRelativeRangeInvalid_data();
    void parseRelativeRangeInvalid();

    void symbols_data();
    void symbols();
    void symbolRoundTrip();
    void unknownSymbol_data();
    void unknownSymbol();
    void takesValue_data();
    void takesValue();
    void operatorsByField();
};

void TestCallsQueryJson::conditionExpr_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<FilterOp>("op");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QByteArray>("expected");

    // Text
    QTest::addRow("contains") << "inputs.text" << FilterOp::Contains << QVariant(QStringLiteral("Hello"))
                              << QByteArray(R"({"$contains":{"input":{"$getField":"inputs.text"},)"
                                            R"("substr":{"$literal":"Hello"},"case_insensitive":true}})");
    QTest::addRow("equals") << "output.label" << FilterOp::Equals << QVariant(QStringLiteral("cat"))
                            << QByteArray(R"({"$eq":[{"$getField":"output.label"},{"$literal":"cat"}]})");
    QTest::addRow("equals number text")
        << "inputs.x" << FilterOp::Equals << QVariant(QStringLiteral("5"))
        << QByteArray(R"({"$eq":[{"$getField":"inputs.x"},{"$literal":"5"}]})");
    QTest::addRow("is not") << "summary.weave.status" << FilterOp::NotEquals
                            << QVariant(QStringLiteral("error"))
                            << QByteArray(R"({"$not":[{"$eq":[{"$getField":"summary.weave.status"},)"
                                          R"({"$literal":"error"}]}]})");
    QTest::addRow("in") << "id" << FilterOp::In << QVariant(QStringList { u"a"_s, u"b"_s, u"c"_s })
                        << QByteArray(R"({"$in":[{"$getField":"id"},)"
                                      R"([{"$literal":"a"},{"$literal":"b"},{"$literal":"c"}]]})");
    QTest::addRow("in one") << "wb_user_id" << FilterOp::In << QVariant(QStringList { u"u1"_s })
                            << QByteArray(R"({"$in":[{"$getField":"wb_user_id"},[{"$literal":"u1"}]]})");

    // Number: $convert to double on the field
    const auto num = [](const char* inner, bool negated, const char* literal) {
        QByteArray cmp = QByteArray(R"({")") + inner
            + R"(":[{"$convert":{"input":{"$getField":"output.score"},"to":"double"}},{"$literal":)" + literal
            + "}]}";
        return negated ? QByteArray(R"({"$not":[)") + cmp + "]}" : cmp;
    };
    QTest::addRow("=") << "output.score" << FilterOp::NumEquals << QVariant(0.5) << num("$eq", false, "0.5");
    QTest::addRow("= integer") << "output.score" << FilterOp::NumEquals << QVariant(3)
                               << num("$eq", false, "3");
    QTest::addRow("≠") << "output.score" << FilterOp::NumNotEquals << QVariant(2) << num("$eq", true, "2");
    QTest::addRow(">") << "output.score" << FilterOp::Greater << QVariant(1000) << num("$gt", false, "1000");
    QTest::addRow("≥") << "output.score" << FilterOp::GreaterOrEqual << QVariant(-1.25)
                       << num("$gte", false, "-1.25");
    QTest::addRow("< is not ≥") << "output.score" << FilterOp::Less << QVariant(10)
                                << num("$gte", true, "10");
    QTest::addRow("≤ is not >") << "output.score" << FilterOp::LessOrEqual << QVariant(0.75)
                                << num("$gt", true, "0.75");
    QTest::addRow("> from text") << "output.score" << FilterOp::Greater << QVariant(QStringLiteral("42"))
                                 << num("$gt", false, "42");
    // Latency without $convert, as Weave's UI sends it (FIELDS_NO_FLOAT_CONVERT): hosted Weave computes
    // it as a float, which its ClickHouse will not convert from text.
    QTest::addRow("latency >")
        << "summary.weave.latency_ms" << FilterOp::Greater << QVariant(1000)
        << QByteArray(R"({"$gt":[{"$getField":"summary.weave.latency_ms"},{"$literal":1000}]})");

    // Boolean: against the literal strings, no $convert
    QTest::addRow("is true") << "output.ok" << FilterOp::Is << QVariant(true)
                             << QByteArray(R"({"$eq":[{"$getField":"output.ok"},{"$literal":"true"}]})");
    QTest::addRow("is false") << "output.ok" << FilterOp::Is << QVariant(false)
                              << QByteArray(R"({"$eq":[{"$getField":"output.ok"},{"$literal":"false"}]})");

    // Date: started_at/ended_at against epoch seconds; dynamic fields against ISO text
    QTest::addRow("after started_at")
        << "started_at" << FilterOp::After << QVariant(utc("2025-01-02T03:04:05.000Z"))
        << QByteArray(R"({"$gt":[{"$getField":"started_at"},{"$literal":1735787045}]})");
    QTest::addRow("after started_at ms")
        << "started_at" << FilterOp::After << QVariant(utc("2025-01-02T03:04:05.500Z"))
        << QByteArray(R"({"$gt":[{"$getField":"started_at"},{"$literal":1735787045.5}]})");
    QTest::addRow("after started_at offset")
        << "started_at" << FilterOp::After << QVariant(utc("2025-01-02T05:04:05.000+02:00"))
        << QByteArray(R"({"$gt":[{"$getField":"started_at"},{"$literal":1735787045}]})");
    QTest::addRow("before started_at")
        << "started_at" << FilterOp::Before << QVariant(utc("2025-01-02T03:04:05.000Z"))
        << QByteArray(R"({"$not":[{"$gt":[{"$getField":"started_at"},{"$literal":1735787045}]}]})");
    QTest::addRow("after ended_at") << "ended_at" << FilterOp::After
                                    << QVariant(utc("2024-12-31T23:59:59.000Z"))
                                    << QByteArray(
                                           R"({"$gt":[{"$getField":"ended_at"},{"$literal":1735689599}]})");
    QTest::addRow("after dynamic date")
        << "inputs.when" << FilterOp::After << QVariant(utc("2025-01-02T03:04:05.000Z"))
        << QByteArray(R"({"$gt":[{"$getField":"inputs.when"},{"$literal":"2025-01-02T03:04:05.000Z"}]})");
    QTest::addRow("before dynamic date")
        << "output.due" << FilterOp::Before << QVariant(utc("2025-01-02T05:04:05.250+02:00"))
        << QByteArray(R"({"$not":[{"$gt":[{"$getField":"output.due"},)"
                      R"({"$literal":"2025-01-02T03:04:05.250Z"}]}]})");

    // Other: empty means '' (missing and null read as '' on the server)
    QTest::addRow("is empty") << "output.error" << FilterOp::IsEmpty << QVariant()
                              << QByteArray(R"({"$eq":[{"$getField":"output.error"},{"$literal":""}]})");
    QTest::addRow("is not empty")
        << "output.error" << FilterOp::IsNotEmpty << QVariant()
        << QByteArray(R"({"$not":[{"$eq":[{"$getField":"output.error"},{"$literal":""}]}]})");
    QTest::addRow("is empty ignores value")
        << "output.error" << FilterOp::IsEmpty << QVariant(QStringLiteral("ignored"))
        << QByteArray(R"({"$eq":[{"$getField":"output.error"},{"$literal":""}]})");
}

void TestCallsQueryJson::conditionExpr()
{
    QFETCH(QString, field);
    QFETCH(FilterOp, op);
    QFETCH(QVariant, value);
    QFETCH(QByteArray, expected);
    const FieldCondition condition { field, op, value };
    COMPARE_JSON(spindle::conditionExpr(condition), parseObject(expected.constData()));
}

void TestCallsQueryJson::everyOpIsCovered()
{
    // Every operator yields a non-empty single-operator expression on the given field.
    for (FilterOp op : kAllFilterOps) {
        const QJsonObject expr = spindle::conditionExpr({ QStringLiteral("inputs.q"), op, QVariant(1) });
        QVERIFY2(expr.size() == 1, qPrintable(filterOpSymbol(op)));
        QVERIFY2(expr.begin().key().startsWith(QLatin1Char('$')), qPrintable(filterOpSymbol(op)));
        QVERIFY2(compact(expr).contains(R"({"$getField":"inputs.q"})"), qPrintable(filterOpSymbol(op)));
    }
}

void TestCallsQueryJson::statuses_data()
{
    QTest::addColumn<QStringList>("statuses");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("one") << QStringList { u"error"_s }
                         << QByteArray(R"({"$expr":{"$eq":[{"$getField":"summary.weave.status"},)"
                                       R"({"$literal":"error"}]}})");
    QTest::addRow("running") << QStringList { u"running"_s }
                             << QByteArray(R"({"$expr":{"$eq":[{"$getField":"summary.weave.status"},)"
                                           R"({"$literal":"running"}]}})");
    QTest::addRow("two") << QStringList { u"error"_s, u"descendant_error"_s }
                         << QByteArray(R"({"$expr":{"$in":[{"$getField":"summary.weave.status"},)"
                                       R"([{"$literal":"error"},{"$literal":"descendant_error"}]]}})");
    QTest::addRow("all four") << QStringList { u"success"_s, u"error"_s, u"running"_s, u"descendant_error"_s }
                              << QByteArray(R"({"$expr":{"$in":[{"$getField":"summary.weave.status"},)"
                                            R"([{"$literal":"success"},{"$literal":"error"},)"
                                            R"({"$literal":"running"},{"$literal":"descendant_error"}]]}})");
}

void TestCallsQueryJson::statuses()
{
    QFETCH(QStringList, statuses);
    QFETCH(QByteArray, expected);
    CallsQuery query;
    query.statuses = statuses;
    const auto json = query.queryJson();
    QVERIFY(json.has_value());
    COMPARE_JSON(*json, parseObject(expected.constData()));
    // Statuses are a query term, never a CallsFilter field.
    COMPARE_JSON(query.filterJson(), parseObject(R"({"trace_roots_only":true})"));
}

void TestCallsQueryJson::timeRange_data()
{
    QTest::addColumn<QDateTime>("after");
    QTest::addColumn<QDateTime>("before");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("after") << utc("2025-03-01T10:00:00.000Z") << QDateTime()
                           << QByteArray(R"({"$expr":{"$gt":[{"$getField":"started_at"},)"
                                         R"({"$literal":1740823200}]}})");
    QTest::addRow("before") << QDateTime() << utc("2025-03-01T10:00:00.000Z")
                            << QByteArray(R"({"$expr":{"$not":[{"$gt":[{"$getField":"started_at"},)"
                                          R"({"$literal":1740823200}]}]}})");
    QTest::addRow("between") << utc("2025-03-01T10:00:00.000Z") << utc("2025-03-02T10:00:00.000Z")
                             << QByteArray(R"({"$expr":{"$and":[)"
                                           R"({"$gt":[{"$getField":"started_at"},{"$literal":1740823200}]},)"
                                           R"({"$not":[{"$gt":[{"$getField":"started_at"},)"
                                           R"({"$literal":1740909600}]}]}]}})");
    QTest::addRow("local time zone") << utc("2025-03-01T10:00:00.000Z").toLocalTime() << QDateTime()
                                     << QByteArray(R"({"$expr":{"$gt":[{"$getField":"started_at"},)"
                                                   R"({"$literal":1740823200}]}})");
}

void TestCallsQueryJson::timeRange()
{
    QFETCH(QDateTime, after);
    QFETCH(QDateTime, before);
    QFETCH(QByteArray, expected);
    CallsQuery query;
    if (after.isValid())
        query.startedAfter = after;
    if (before.isValid())
        query.startedBefore = before;
    const auto json = query.queryJson();
    QVERIFY(json.has_value());
    COMPARE_JSON(*json, parseObject(expected.constData()));
}

void TestCallsQueryJson::conditionsAreAndedInOrder()
{
    // Statuses, then the time range, then the conditions in the order given.
    CallsQuery query;
    query.conditions = {
        { QStringLiteral("inputs.text"), FilterOp::Contains, QStringLiteral("hi") },
        { QStringLiteral("output.score"), FilterOp::GreaterOrEqual, 0.5 },
    };
    query.statuses = QStringList { QStringLiteral("success") };
    query.startedAfter = utc("2025-03-01T10:00:00.000Z");
    const auto json = query.queryJson();
    QVERIFY(json.has_value());
    COMPARE_JSON(*json,
        parseObject(R"({"$expr":{"$and":[)"
                    R"({"$eq":[{"$getField":"summary.weave.status"},{"$literal":"success"}]},)"
                    R"({"$gt":[{"$getField":"started_at"},{"$literal":1740823200}]},)"
                    R"({"$contains":{"input":{"$getField":"inputs.text"},"substr":{"$literal":"hi"},)"
                    R"("case_insensitive":true}},)"
                    R"({"$gte":[{"$convert":{"input":{"$getField":"output.score"},"to":"double"}},)"
                    R"({"$literal":0.5}]}]}})"));

    // A single condition is not wrapped in $and.
    CallsQuery single;
    single.conditions = { { QStringLiteral("output.ok"), FilterOp::Is, true } };
    COMPARE_JSON(*single.queryJson(),
        parseObject(R"({"$expr":{"$eq":[{"$getField":"output.ok"},{"$literal":"true"}]}})"));
}

void TestCallsQueryJson::noConditionMeansNoQuery()
{
    CallsQuery query;
    QVERIFY(!query.queryJson().has_value());
    query.opNames = QStringList { QStringLiteral("weave:///e/p/op/x:*") };
    query.userIds = QStringList { QStringLiteral("u1") };
    QVERIFY(!query.queryJson().has_value());
    QVERIFY(!query.requestJson().contains(QLatin1String("query")));
}

void TestCallsQueryJson::filter_data()
{
    QTest::addColumn<QStringList>("opNames");
    QTest::addColumn<QStringList>("userIds");
    QTest::addColumn<QStringList>("traceIds");
    QTest::addColumn<bool>("rootsOnly");
    QTest::addColumn<QByteArray>("expected");

    QTest::addRow("default") << QStringList() << QStringList() << QStringList() << true
                             << QByteArray(R"({"trace_roots_only":true})");
    QTest::addRow("nothing") << QStringList() << QStringList() << QStringList() << false << QByteArray("{}");
    QTest::addRow("ops") << QStringList { u"weave:///e/p/op/a:*"_s, u"weave:///e/p/op/b:abc"_s }
                         << QStringList() << QStringList() << false
                         << QByteArray(R"({"op_names":["weave:///e/p/op/a:*","weave:///e/p/op/b:abc"]})");
    QTest::addRow("users") << QStringList() << QStringList { u"u1"_s, u"u2"_s } << QStringList() << false
                           << QByteArray(R"({"wb_user_ids":["u1","u2"]})");
    QTest::addRow("traces") << QStringList() << QStringList() << QStringList { u"t1"_s } << false
                            << QByteArray(R"({"trace_ids":["t1"]})");
    QTest::addRow("all") << QStringList { u"weave:///e/p/op/a:*"_s } << QStringList { u"u1"_s }
                         << QStringList { u"t1"_s, u"t2"_s } << true
                         << QByteArray(R"({"op_names":["weave:///e/p/op/a:*"],"wb_user_ids":["u1"],)"
                                       R"("trace_ids":["t1","t2"],"trace_roots_only":true})");
}

void TestCallsQueryJson::filter()
{
    QFETCH(QStringList, opNames);
    QFETCH(QStringList, userIds);
    QFETCH(QStringList, traceIds);
    QFETCH(bool, rootsOnly);
    QFETCH(QByteArray, expected);
    CallsQuery query;
    query.opNames = opNames;
    query.userIds = userIds;
    query.traceIds = traceIds;
    query.rootsOnly = rootsOnly;
    COMPARE_JSON(query.filterJson(), parseObject(expected.constData()));
    // Filter lists never leak into the $expr.
    QVERIFY(!query.queryJson().has_value());
}

void TestCallsQueryJson::sort_data()
{
    QTest::addColumn<QList<SortKey>>("sortBy");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("default") << CallsQuery().sortBy
                             << QByteArray(R"([{"field":"started_at","direction":"desc"}])");
    QTest::addRow("none") << QList<SortKey>() << QByteArray("[]");
    QTest::addRow("asc") << QList<SortKey> { { QStringLiteral("summary.weave.latency_ms"), false } }
                         << QByteArray(R"([{"field":"summary.weave.latency_ms","direction":"asc"}])");
    QTest::addRow("two keys") << QList<SortKey> { { QStringLiteral("summary.weave.status"), false },
        { QStringLiteral("inputs.n"), true } }
                              << QByteArray(R"([{"field":"summary.weave.status","direction":"asc"},)"
                                            R"({"field":"inputs.n","direction":"desc"}])");
}

void TestCallsQueryJson::sort()
{
    QFETCH(QList<SortKey>, sortBy);
    QFETCH(QByteArray, expected);
    CallsQuery query;
    query.sortBy = sortBy;
    COMPARE_JSON(query.sortJson(), parseArray(expected.constData()));
    const QJsonObject request = query.requestJson();
    if (sortBy.isEmpty())
        QVERIFY(!request.contains(QLatin1String("sort_by")));
    else
        COMPARE_JSON(request.value(QLatin1String("sort_by")).toArray(), parseArray(expected.constData()));
}

void TestCallsQueryJson::requestJson_data()
{
    QTest::addColumn<CallsQuery>("query");
    QTest::addColumn<QByteArray>("expected");

    CallsQuery defaults;
    defaults.projectId = QStringLiteral("acme/demo");
    QTest::addRow("defaults") << defaults
                              << QByteArray(R"({"project_id":"acme/demo","filter":{"trace_roots_only":true},)"
                                            R"("sort_by":[{"field":"started_at","direction":"desc"}]})");

    CallsQuery bare;
    bare.projectId = QStringLiteral("acme/demo");
    bare.rootsOnly = false;
    bare.sortBy.clear();
    QTest::addRow("bare") << bare << QByteArray(R"({"project_id":"acme/demo"})");

    CallsQuery full;
    full.projectId = QStringLiteral("e/p");
    full.opNames = QStringList { QStringLiteral("weave:///e/p/op/chat:*") };
    full.userIds = QStringList { QStringLiteral("u1") };
    full.traceIds = QStringList { QStringLiteral("t1") };
    full.rootsOnly = false;
    full.statuses = QStringList { QStringLiteral("error"), QStringLiteral("running") };
    full.startedBefore = utc("2025-03-01T10:00:00.000Z");
    full.conditions = { { QStringLiteral("id"), FilterOp::In, QStringList { QStringLiteral("c1") } } };
    full.sortBy = { { QStringLiteral("summary.weave.latency_ms"), true } };
    QTest::addRow("full") << full
                          << QByteArray(
                                 R"({"project_id":"e/p",)"
                                 R"("filter":{"op_names":["weave:///e/p/op/chat:*"],"wb_user_ids":["u1"],)"
                                 R"("trace_ids":["t1"]},)"
                                 R"("query":{"$expr":{"$and":[)"
                                 R"({"$in":[{"$getField":"summary.weave.status"},)"
                                 R"([{"$literal":"error"},{"$literal":"running"}]]},)"
                                 R"({"$not":[{"$gt":[{"$getField":"started_at"},{"$literal":1740823200}]}]},)"
                                 R"({"$in":[{"$getField":"id"},[{"$literal":"c1"}]]}]}},)"
                                 R"("sort_by":[{"field":"summary.weave.latency_ms","direction":"desc"}]})");
}

void TestCallsQueryJson::requestJson()
{
    QFETCH(CallsQuery, query);
    QFETCH(QByteArray, expected);
    const QJsonObject request = query.requestJson();
    COMPARE_JSON(request, parseObject(expected.constData()));
    // No paging in the composed request: the controller adds limit/offset per page.
    QVERIFY(!request.contains(QLatin1String("limit")));
    QVERIFY(!request.contains(QLatin1String("offset")));
}

void TestCallsQueryJson::protocolExample()
{
    // weave-protocol.md 3.2's example request, minus its "$not $in" term (no such filter widget)
    // and the paging/include flags the controller adds, and with latency unconverted, as Weave's UI
    // sends it (see "latency >" above; the server takes both).
    CallsQuery query;
    query.projectId = QStringLiteral("acme/demo");
    query.opNames = QStringList { QStringLiteral("weave:///acme/demo/op/summarize:*") };
    query.statuses = QStringList { QStringLiteral("error") };
    query.conditions = {
        { QStringLiteral("summary.weave.latency_ms"), FilterOp::Greater, 1000 },
        { QStringLiteral("inputs.text"), FilterOp::Contains, QStringLiteral("Hello") },
    };
    query.sortBy = { { QStringLiteral("summary.weave.latency_ms"), true } };
    COMPARE_JSON(query.requestJson(),
        parseObject(R"({"project_id":"acme/demo",)"
                    R"("filter":{"op_names":["weave:///acme/demo/op/summarize:*"],"trace_roots_only":true},)"
                    R"("query":{"$expr":{"$and":[)"
                    R"({"$eq":[{"$getField":"summary.weave.status"},{"$literal":"error"}]},)"
                    R"({"$gt":[{"$getField":"summary.weave.latency_ms"},{"$literal":1000}]},)"
                    R"({"$contains":{"input":{"$getField":"inputs.text"},"substr":{"$literal":"Hello"},)"
                    R"("case_insensitive":true}}]}},)"
                    R"("sort_by":[{"field":"summary.weave.latency_ms","direction":"desc"}]})"));
}

void TestCallsQueryJson::parseRelativeRange_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("now");
    QTest::addColumn<QDateTime>("expected");
    const QDateTime now = utc("2025-03-15T12:00:00.000Z");
    QTest::addRow("1h") << "1h" << now << utc("2025-03-15T11:00:00.000Z");
    QTest::addRow("1d") << "1d" << now << utc("2025-03-14T12:00:00.000Z");
    QTest::addRow("2d") << "2d" << now << utc("2025-03-13T12:00:00.000Z");
    QTest::addRow("1w") << "1w" << now << utc("2025-03-08T12:00:00.000Z");
    QTest::addRow("1mo") << "1mo" << now << utc("2025-02-15T12:00:00.000Z");
    QTest::addRow("3mo") << "3mo" << now << utc("2024-12-15T12:00:00.000Z");
    QTest::addRow("12h") << "12h" << now << utc("2025-03-15T00:00:00.000Z");
    QTest::addRow("30m") << "30m" << now << utc("2025-03-15T11:30:00.000Z");
    QTest::addRow("1y") << "1y" << now << utc("2024-03-15T12:00:00.000Z");
    QTest::addRow("upper case and spaces") << "  1H " << now << utc("2025-03-15T11:00:00.000Z");
    QTest::addRow("1mo at month end")
        << "1mo" << utc("2025-03-31T08:00:00.000Z") << utc("2025-02-28T08:00:00.000Z");
    QTest::addRow("1d across new year")
        << "1d" << utc("2025-01-01T00:30:00.000Z") << utc("2024-12-31T00:30:00.000Z");
}

void TestCallsQueryJson::parseRelativeRange()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, now);
    QFETCH(QDateTime, expected);
    const auto start = spindle::parseRelativeRange(text, now);
    QVERIFY2(start.has_value(), qPrintable(text));
    QCOMPARE(start->toMSecsSinceEpoch(), expected.toMSecsSinceEpoch());
}

void TestCallsQueryJson::parseRelativeRangeInvalid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addRow("empty") << "";
    QTest::addRow("blank") << "   ";
    QTest::addRow("unit only") << "h";
    QTest::addRow("number only") << "5";
    QTest::addRow("zero") << "0d";
    QTest::addRow("negative") << "-1d";
    QTest::addRow("unknown unit") << "2x";
    QTest::addRow("space inside") << "1 d";
    QTest::addRow("fraction") << "1.5h";
    QTest::addRow("trailing text") << "1dd";
    QTest::addRow("words") << "last week";
    QTest::addRow("iso date") << "2025-03-01";
    // Further back than the server takes a time (it answered 400 for years before 1).
    QTest::addRow("a thousand centuries") << "99999y";
    QTest::addRow("the most weeks an int holds") << "2147483647w";
    QTest::addRow("over a hundred years") << "101y";
}

void TestCallsQueryJson::parseRelativeRangeInvalid()
{
    QFETCH(QString, text);
    const auto start = spindle::parseRelativeRange(text, utc("2025-03-15T12:00:00.000Z"));
    QVERIFY2(!start.has_value(), qPrintable(start ? start->toString(Qt::ISODateWithMs) : QString()));
}

void TestCallsQueryJson::symbols_data()
{
    QTest::addColumn<FilterOp>("op");
    QTest::addColumn<QString>("symbol");
    QTest::addRow("contains") << FilterOp::Contains << QStringLiteral("contains");
    QTest::addRow("equals") << FilterOp::Equals << QStringLiteral("equals");
    QTest::addRow("is not") << FilterOp::NotEquals << QStringLiteral("is not");
    QTest::addRow("in") << FilterOp::In << QStringLiteral("in");
    QTest::addRow("=") << FilterOp::NumEquals << QStringLiteral("=");
    QTest::addRow("≠") << FilterOp::NumNotEquals << QStringLiteral("≠");
    QTest::addRow("<") << FilterOp::Less << QStringLiteral("<");
    QTest::addRow("≤") << FilterOp::LessOrEqual << QStringLiteral("≤");
    QTest::addRow(">") << FilterOp::Greater << QStringLiteral(">");
    QTest::addRow("≥") << FilterOp::GreaterOrEqual << QStringLiteral("≥");
    QTest::addRow("is") << FilterOp::Is << QStringLiteral("is");
    QTest::addRow("after") << FilterOp::After << QStringLiteral("after");
    QTest::addRow("before") << FilterOp::Before << QStringLiteral("before");
    QTest::addRow("is empty") << FilterOp::IsEmpty << QStringLiteral("is empty");
    QTest::addRow("is not empty") << FilterOp::IsNotEmpty << QStringLiteral("is not empty");
}

void TestCallsQueryJson::symbols()
{
    QFETCH(FilterOp, op);
    QFETCH(QString, symbol);
    QCOMPARE(filterOpSymbol(op), symbol);
    const auto back = filterOpFromSymbol(symbol);
    QVERIFY(back.has_value());
    QCOMPARE(*back, op);
}

void TestCallsQueryJson::symbolRoundTrip()
{
    QSet<QString> seen;
    for (FilterOp op : kAllFilterOps) {
        const QString symbol = filterOpSymbol(op);
        QVERIFY(!symbol.isEmpty());
        QVERIFY2(!seen.contains(symbol), qPrintable(QStringLiteral("duplicate symbol ") + symbol));
        seen.insert(symbol);
        const auto back = filterOpFromSymbol(symbol);
        QVERIFY2(back.has_value(), qPrintable(symbol));
        QCOMPARE(*back, op);
    }
    QCOMPARE(seen.size(), qsizetype(std::size(kAllFilterOps)));
}

void TestCallsQueryJson::unknownSymbol_data()
{
    QTest::addColumn<QString>("symbol");
    QTest::addRow("empty") << "";
    QTest::addRow("bogus") << "bogus";
    QTest::addRow("case differs") << "Contains";
    QTest::addRow("padded") << " in ";
    QTest::addRow("prefix") << "is e";
}

void TestCallsQueryJson::unknownSymbol()
{
    QFETCH(QString, symbol);
    QVERIFY(!filterOpFromSymbol(symbol).has_value());
}

void TestCallsQueryJson::takesValue_data()
{
    QTest::addColumn<FilterOp>("op");
    QTest::addColumn<bool>("takesValue");
    for (FilterOp op : kAllFilterOps) {
        const bool none = op == FilterOp::IsEmpty || op == FilterOp::IsNotEmpty;
        QTest::addRow("%s", qPrintable(filterOpSymbol(op))) << op << !none;
    }
}

void TestCallsQueryJson::takesValue()
{
    QFETCH(FilterOp, op);
    QFETCH(bool, takesValue);
    QCOMPARE(filterOpTakesValue(op), takesValue);
}

// As Weave's UI: a time is after or before, an id equal or in a list, the numbers compare as
// numbers, the text columns take the text operators; any other path every operator.
void TestCallsQueryJson::operatorsByField()
{
    using Op = FilterOp;
    QCOMPARE(spindle::filterOpsForField(u"started_at"_s), (QList<Op> { Op::After, Op::Before }));
    QCOMPARE(spindle::filterOpsForField(u"trace_id"_s), (QList<Op> { Op::Equals, Op::In }));
    const QList<Op> numbers = spindle::filterOpsForField(u"summary.weave.total_tokens"_s);
    QCOMPARE(numbers.size(), 6);
    QVERIFY(!numbers.contains(Op::IsEmpty) && !numbers.contains(Op::Contains) && numbers.contains(Op::Less));
    const QList<Op> text = spindle::filterOpsForField(u"op_name"_s);
    QVERIFY(text.contains(Op::Contains) && text.contains(Op::IsEmpty) && !text.contains(Op::Greater));
    QCOMPARE(spindle::filterOpsForField(u"inputs.question"_s).size(), int(std::size(spindle::kAllFilterOps)));
}

QTEST_GUILESS_MAIN(TestCallsQueryJson)
#include "tst_callsquery.moc"
