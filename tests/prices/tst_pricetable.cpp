// PriceTable: exact per-token / per-million conversion, parsing of the shipped table and of
// /cost/query answers, and the selection rule, finally checked against the server's own choice
// (include_costs) on the in-process trace server.

#include "core/pricetable.h"
#include "net/traceclient.h"
#include "server/traceserver.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <memory>

using namespace Qt::StringLiterals;
using spindle::parsePrice;
using spindle::PriceTable;
using spindle::PriceUnit;
using spindle::TokenPrice;

Q_DECLARE_METATYPE(spindle::PriceUnit)

namespace {

constexpr int kWaitMs = 20000;

bool sameBits(double a, double b)
{
    return std::memcmp(&a, &b, sizeof a) == 0;
}

QDateTime utc(const char* iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs).toUTC();
}

TokenPrice custom(
    const char* model, double in, double out, const char* effective, const char* created, const char* id = "")
{
    TokenPrice p;
    p.model = QString::fromLatin1(model);
    p.provider = u"default"_s;
    p.inputPerToken = in;
    p.outputPerToken = out;
    p.effectiveDate = utc(effective);
    p.createdAt = utc(created);
    p.id = QString::fromLatin1(id);
    return p;
}

// Two default rows for "m" (2024-01-01 and 2024-06-01) and one for "only-default".
const QByteArray kDefaults = R"({
  "m": [{"provider": "acme", "input": 1e-06, "output": 2e-06, "created_at": "2024-01-01 00:00:00"},
        {"provider": "acme", "input": 3e-06, "output": 4e-06, "cache_read_input": 1.5e-06,
         "created_at": "2024-06-01 00:00:00"}],
  "only-default": [{"input": 5e-07, "output": 6e-07, "created_at": "2024-02-01 12:30:00"}]
})";

} // namespace

class TestPriceTable : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsePriceExact_data();
    void parsePriceExact();
    void parsePriceRejects_data();
    void parsePriceRejects();
    void formatPrice_data();
    void formatPrice();
    void shippedPricesRoundTrip();
    void parsesDefaultTable();
    void rejectsBadDefaultTable();
    void parsesCostQuery();
    void selectionRule();
    void shippedDefaults();
    void costOf();
    void matchesServerSelection();
};

void TestPriceTable::parsePriceExact_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<PriceUnit>("unit");
    QTest::addColumn<double>("expected");
    const auto perM = PriceUnit::PerMillionTokens;
    const auto perT = PriceUnit::PerToken;
    QTest::newRow("0.15 per M") << u"0.15"_s << perM << 1.5e-07;
    // 0.1 / 1e6 is 1.0000000000000001e-07 in doubles; the decimal shift gives the literal 1e-07.
    QTest::newRow("0.1 per M") << u"0.1"_s << perM << 1e-07;
    QTest::newRow("0.05 per M") << u"0.05"_s << perM << 5e-08;
    QTest::newRow("2.19 per M") << u"2.19"_s << perM << 2.19e-06;
    QTest::newRow("0.9 per M") << u"0.9"_s << perM << 9e-07;
    QTest::newRow("integer per M") << u"60"_s << perM << 6e-05;
    QTest::newRow("leading point") << u".5"_s << perM << 5e-07;
    QTest::newRow("trailing point") << u"3."_s << perM << 3e-06;
    QTest::newRow("trailing zeros") << u"2.500"_s << perM << 2.5e-06;
    QTest::newRow("leading zeros") << u"007.5"_s << perM << 7.5e-06;
    QTest::newRow("comma decimal") << u"0,15"_s << perM << 1.5e-07;
    QTest::newRow("spaces") << u"  0.8 "_s << perM << 8e-07;
    QTest::newRow("exponent per M") << u"1.5e-1"_s << perM << 1.5e-07;
    QTest::newRow("zero") << u"0"_s << perM << 0.0;
    QTest::newRow("zero point zero") << u"0.000"_s << perT << 0.0;
    QTest::newRow("per token") << u"0.00000015"_s << perT << 1.5e-07;
    QTest::newRow("per token exponent") << u"1.5e-7"_s << perT << 1.5e-07;
    QTest::newRow("per token upper E") << u"2E-06"_s << perT << 2e-06;
    QTest::newRow("per token one") << u"1"_s << perT << 1.0;
}

void TestPriceTable::parsePriceExact()
{
    QFETCH(QString, text);
    QFETCH(PriceUnit, unit);
    QFETCH(double, expected);
    const auto parsed = parsePrice(text, unit);
    QVERIFY(parsed);
    QVERIFY2(sameBits(*parsed, expected),
        qPrintable(u"%1 != %2"_s.arg(*parsed, 0, 'g', 17).arg(expected, 0, 'g', 17)));
}

void TestPriceTable::parsePriceRejects_data()
{
    QTest::addColumn<QString>("text");
    for (const char* bad : { "", "   ", "-1", "-0.15", "+1", "abc", "1.2.3", "1e", "1e+", "e5", ".", "0x10",
             "1,000.5", "1 000", "NaN", "inf", "Infinity", "1e999", "1.5$", "$1.5", "1.5 e-7" })
        QTest::newRow(bad[0] ? bad : "empty") << QString::fromLatin1(bad);
}

void TestPriceTable::parsePriceRejects()
{
    QFETCH(QString, text);
    QVERIFY(!parsePrice(text, PriceUnit::PerToken));
    QVERIFY(!parsePrice(text, PriceUnit::PerMillionTokens));
}

void TestPriceTable::formatPrice_data()
{
    QTest::addColumn<double>("perToken");
    QTest::addColumn<QString>("perMillion");
    QTest::addColumn<QString>("perTokenText");
    QTest::newRow("1.5e-07") << 1.5e-07 << u"0.15"_s << u"0.00000015"_s;
    QTest::newRow("1e-07") << 1e-07 << u"0.1"_s << u"0.0000001"_s;
    QTest::newRow("2.5e-06") << 2.5e-06 << u"2.5"_s << u"0.0000025"_s;
    QTest::newRow("6e-05") << 6e-05 << u"60"_s << u"0.00006"_s;
    QTest::newRow("zero") << 0.0 << u"0"_s << u"0"_s;
    QTest::newRow("one") << 1.0 << u"1000000"_s << u"1"_s;
    QTest::newRow("2.19e-06") << 2.19e-06 << u"2.19"_s << u"0.00000219"_s;
}

void TestPriceTable::formatPrice()
{
    QFETCH(double, perToken);
    QFETCH(QString, perMillion);
    QFETCH(QString, perTokenText);
    QCOMPARE(spindle::formatPrice(perToken, PriceUnit::PerMillionTokens), perMillion);
    QCOMPARE(spindle::formatPrice(perToken, PriceUnit::PerToken), perTokenText);
}

// Every shipped price shows per million and reads back as the very same double, both units.
void TestPriceTable::shippedPricesRoundTrip()
{
    const QVector<TokenPrice> rows = PriceTable::defaults().defaultPrices();
    QVERIFY(rows.size() > 2000);
    int checked = 0;
    for (const TokenPrice& row : rows) {
        for (const double value : { row.inputPerToken, row.outputPerToken, row.cacheReadPerToken }) {
            for (const PriceUnit unit : { PriceUnit::PerMillionTokens, PriceUnit::PerToken }) {
                const QString text = spindle::formatPrice(value, unit);
                const auto back = parsePrice(text, unit);
                QVERIFY2(back && sameBits(*back, value),
                    qPrintable(u"%1: %2 -> %3"_s.arg(row.model).arg(value, 0, 'g', 17).arg(text)));
                QVERIFY(!text.contains(u'e'));
                ++checked;
            }
        }
    }
    QVERIFY(checked > 6 * 2000);
}

void TestPriceTable::parsesDefaultTable()
{
    QString error;
    const PriceTable table = PriceTable::fromDefaultTableJson(kDefaults, &error);
    QVERIFY(error.isEmpty());
    const QVector<TokenPrice> rows = table.defaultPrices();
    QCOMPARE(rows.size(), 3);
    QVERIFY(table.customPrices().isEmpty());
    QCOMPARE(table.all().size(), 3);
    const TokenPrice& later = rows[1];
    QCOMPARE(later.model, u"m"_s);
    QCOMPARE(later.provider, u"acme"_s);
    QCOMPARE(later.inputPerToken, 3e-06);
    QCOMPARE(later.outputPerToken, 4e-06);
    QCOMPARE(later.cacheReadPerToken, 1.5e-06);
    QCOMPARE(later.effectiveDate, utc("2024-06-01T00:00:00Z"));
    QCOMPARE(later.effectiveDate.timeSpec(), Qt::UTC);
    QVERIFY(!later.custom);
    QVERIFY(later.id.isEmpty());
    QCOMPARE(rows[2].provider, u"default"_s); // as the server seeds a row without a provider
    QCOMPARE(rows[2].effectiveDate, utc("2024-02-01T12:30:00Z"));
}

void TestPriceTable::rejectsBadDefaultTable()
{
    QString error;
    QVERIFY(PriceTable::fromDefaultTableJson("[1, 2]", &error).all().isEmpty());
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(PriceTable::fromDefaultTableJson("{\"m\": [", &error).all().isEmpty());
    QVERIFY(!error.isEmpty());
    // Rows that are not objects are skipped, not fatal.
    QCOMPARE(PriceTable::fromDefaultTableJson(R"({"m": [5, {"input": 1e-6, "output": 2e-6}], "n": 3})")
                 .all()
                 .size(),
        1);
}

void TestPriceTable::parsesCostQuery()
{
    const QJsonObject answer { { u"results"_s,
        QJsonArray { QJsonObject { { u"id"_s, u"abc"_s }, { u"llm_id"_s, u"my-llm"_s },
            { u"prompt_token_cost"_s, 1.5e-07 }, { u"completion_token_cost"_s, 6e-07 },
            { u"cache_read_input_token_cost"_s, 0 }, { u"cache_creation_input_token_cost"_s, 0 },
            { u"prompt_token_cost_unit"_s, u"USD"_s }, { u"completion_token_cost_unit"_s, u"USD"_s },
            { u"effective_date"_s, u"2025-03-01T10:00:00.123456Z"_s }, { u"provider_id"_s, u"me"_s },
            { u"pricing_level"_s, u"project"_s }, { u"pricing_level_id"_s, u"a/b"_s },
            { u"created_by"_s, u"u"_s }, { u"created_at"_s, u"2025-03-02T00:00:00.000000Z"_s } } } } };
    const QVector<TokenPrice> prices = PriceTable::parseCostQuery(answer);
    QCOMPARE(prices.size(), 1);
    const TokenPrice& p = prices[0];
    QCOMPARE(p.id, u"abc"_s);
    QCOMPARE(p.model, u"my-llm"_s);
    QCOMPARE(p.provider, u"me"_s);
    QCOMPARE(p.inputPerToken, 1.5e-07);
    QCOMPARE(p.outputPerToken, 6e-07);
    QVERIFY(p.custom);
    QCOMPARE(p.effectiveDate, utc("2025-03-01T10:00:00.123Z"));
    QCOMPARE(p.createdAt, utc("2025-03-02T00:00:00Z"));
    QVERIFY(PriceTable::parseCostQuery({}).isEmpty());
}

void TestPriceTable::selectionRule()
{
    PriceTable table = PriceTable::fromDefaultTableJson(kDefaults);
    QVERIFY(!table.priceFor(u"unknown"_s, utc("2025-01-01T00:00:00Z")));
    QVERIFY(!table.hasPrice(u"unknown"_s));
    QVERIFY(table.hasPrice(u"m"_s));
    const auto input = [&](const char* model, const char* at) {
        const auto p = table.priceFor(QString::fromLatin1(model), utc(at));
        return p ? p->inputPerToken : -1.0;
    };
    // Defaults: the latest effective row at the time.
    QCOMPARE(input("m", "2024-03-01T00:00:00Z"), 1e-06);
    QCOMPARE(input("m", "2024-06-01T00:00:00Z"), 3e-06); // effective at its exact start
    QCOMPARE(input("m", "2025-01-01T00:00:00Z"), 3e-06);
    // Nothing effective yet: the best of the future rows (the latest), as the server does.
    QCOMPARE(input("m", "2023-01-01T00:00:00Z"), 3e-06);

    table.setCustomPrices({ custom("m", 7e-06, 8e-06, "2024-02-01T00:00:00Z", "2024-02-01T00:00:00Z", "old"),
        custom("m", 9e-06, 9e-06, "2025-06-01T00:00:00Z", "2025-05-01T00:00:00Z", "future"),
        custom("only-custom", 1e-05, 2e-05, "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "a"),
        custom("only-custom", 1.1e-05, 2e-05, "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z", "b") });
    QCOMPARE(table.customPrices().size(), 4);
    QVERIFY(table.customPrices()[0].custom); // set by setCustomPrices
    QCOMPARE(table.all().size(), 7);
    // A project price beats a newer default once it is effective...
    QCOMPARE(input("m", "2024-07-01T00:00:00Z"), 7e-06);
    // ...but not before: then the default in effect applies.
    QCOMPARE(input("m", "2024-01-15T00:00:00Z"), 1e-06);
    // A future project price changes nothing until its date.
    QCOMPARE(input("m", "2025-05-31T23:59:59Z"), 7e-06);
    QCOMPARE(input("m", "2025-06-01T00:00:00Z"), 9e-06);
    QCOMPARE(table.priceFor(u"m"_s, utc("2025-07-01T00:00:00Z"))->id, u"future"_s);
    QVERIFY(table.priceFor(u"m"_s, utc("2025-07-01T00:00:00Z"))->custom);
    // Nothing effective: custom over default among the future rows.
    QCOMPARE(input("m", "2023-01-01T00:00:00Z"), 9e-06);
    // Same effective date: the later created wins.
    QCOMPARE(table.priceFor(u"only-custom"_s, utc("2025-02-01T00:00:00Z"))->id, u"b"_s);
    QCOMPARE(input("only-default", "2025-01-01T00:00:00Z"), 5e-07);

    table.setCustomPrices({});
    QCOMPARE(input("m", "2024-07-01T00:00:00Z"), 3e-06);
    QVERIFY(!table.hasPrice(u"only-custom"_s));
}

void TestPriceTable::shippedDefaults()
{
    const PriceTable table = PriceTable::defaults();
    // The same rows the server seeds (tst_feedback_costs projectPriceOverDefault checks its side).
    const auto gpt4o = table.priceFor(u"gpt-4o"_s, utc("2025-01-01T00:00:00Z"));
    QVERIFY(gpt4o);
    QCOMPARE(gpt4o->inputPerToken, 2.5e-06);
    QCOMPARE(gpt4o->outputPerToken, 1e-05);
    QCOMPARE(gpt4o->provider, u"openai"_s);
    QCOMPARE(gpt4o->effectiveDate, utc("2024-12-18T09:00:21Z"));
    QCOMPARE(table.priceFor(u"gpt-4o"_s, utc("2024-11-01T00:00:00Z"))->inputPerToken, 5e-06);
    QVERIFY(!table.priceFor(u"llama-3.1-8b-local"_s, QDateTime::currentDateTimeUtc()));
    // Cached: a second call shares the parsed rows.
    QCOMPARE(PriceTable::defaults().defaultPrices().size(), table.defaultPrices().size());
}

void TestPriceTable::costOf()
{
    TokenPrice p;
    p.inputPerToken = 1.5e-07;
    p.outputPerToken = 6e-07;
    QCOMPARE(spindle::costOf(p, 0, 0), 0.0);
    QCOMPARE(spindle::costOf(p, 1000, 0), 1000 * 1.5e-07);
    QCOMPARE(spindle::costOf(p, 1000000, 1000000), 1000000 * 1.5e-07 + 1000000 * 6e-07);
}

// The client's priceFor() and the server's include_costs pick the same row for every call.
void TestPriceTable::matchesServerSelection()
{
    QTemporaryDir dir;
    spindle::server::ServerOptions options;
    options.port = 0;
    options.dataDir = dir.path().toStdString();
    spindle::server::TraceServer server(options);
    const int port = server.startInBackground();
    spindle::net::TraceClient client;
    client.setConnection({ QUrl(u"http://127.0.0.1:%1"_s.arg(port)), {} });
    const QString project = u"acme/prices"_s;
    const auto post = [&](const QString& path, const QJsonObject& body) {
        QJsonObject answer;
        bool done = false;
        client.post(nullptr, 
            path, body,
            [&](const QJsonObject& json) {
                answer = json;
                done = true;
            },
            [&](const spindle::net::ApiError& e) {
                qWarning() << e.message();
                done = true;
            });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(done, kWaitMs); }();
        return answer;
    };
    const auto price = [&](const char* model, double in, const char* effective) {
        post(u"/cost/create"_s,
            QJsonObject { { u"project_id"_s, project },
                { u"costs"_s,
                    QJsonObject { { QString::fromLatin1(model),
                        QJsonObject { { u"prompt_token_cost"_s, in }, { u"completion_token_cost"_s, in },
                            { u"effective_date"_s, QString::fromLatin1(effective) } } } } } });
    };
    price("gpt-4o", 7e-06, "2024-11-01T00:00:00Z");
    price("gpt-4o", 8e-06, "2025-03-01T00:00:00Z");
    price("mine", 1e-06, "2025-01-01T00:00:00Z");
    price("mine", 2e-06, "2025-02-01T00:00:00Z");

    const char* const starts[] = { "2024-01-01T00:00:00Z", "2024-10-20T00:00:00Z", "2024-12-20T00:00:00Z",
        "2025-01-15T00:00:00Z", "2025-02-01T00:00:00Z", "2025-02-15T00:00:00Z", "2025-04-01T00:00:00Z" };
    QJsonArray batch;
    int n = 0;
    for (const char* start : starts) {
        const QJsonObject usage { { u"gpt-4o"_s, QJsonObject { { u"prompt_tokens"_s, 10 } } },
            { u"mine"_s, QJsonObject { { u"prompt_tokens"_s, 10 } } },
            { u"gpt-4o-mini"_s, QJsonObject { { u"prompt_tokens"_s, 10 } } } };
        const QString id = u"c%1"_s.arg(n++);
        batch.append(QJsonObject { { u"mode"_s, u"start"_s },
            { u"req"_s,
                QJsonObject { { u"start"_s,
                    QJsonObject { { u"project_id"_s, project }, { u"id"_s, id }, { u"trace_id"_s, id },
                        { u"op_name"_s, u"op"_s }, { u"started_at"_s, QString::fromLatin1(start) },
                        { u"attributes"_s, QJsonObject {} }, { u"inputs"_s, QJsonObject {} } } } } } });
        batch.append(QJsonObject { { u"mode"_s, u"end"_s },
            { u"req"_s,
                QJsonObject { { u"end"_s,
                    QJsonObject { { u"project_id"_s, project }, { u"id"_s, id },
                        { u"ended_at"_s, QString::fromLatin1(start) },
                        { u"summary"_s, QJsonObject { { u"usage"_s, usage } } } } } } } });
    }
    post(u"/call/upsert_batch"_s, QJsonObject { { u"batch"_s, batch } });

    PriceTable table = PriceTable::defaults();
    table.setCustomPrices(
        PriceTable::parseCostQuery(post(u"/cost/query"_s, { { u"project_id"_s, project } })));
    QCOMPARE(table.customPrices().size(), 4);
    const QJsonObject calls = post(u"/calls/query"_s,
        QJsonObject { { u"project_id"_s, project }, { u"include_costs"_s, true }, { u"limit"_s, 100 } });
    const QJsonArray rows = calls.value(u"calls"_s).toArray();
    QCOMPARE(rows.size(), int(std::size(starts)));
    int compared = 0;
    for (const QJsonValue& call : rows) {
        const QDateTime at = utc(call[u"started_at"].toString().toLatin1().constData());
        const QJsonObject costs = call[u"summary"][u"weave"][u"costs"].toObject();
        for (const QString& model : { u"gpt-4o"_s, u"mine"_s, u"gpt-4o-mini"_s }) {
            const auto mine = table.priceFor(model, at);
            QVERIFY2(mine, qPrintable(model));
            const QJsonObject theirs = costs.value(model).toObject();
            const QString where = model + u" at "_s + at.toString(Qt::ISODate);
            QVERIFY2(sameBits(mine->inputPerToken, theirs.value(u"prompt_token_cost").toDouble()),
                qPrintable(where));
            QCOMPARE(mine->custom, theirs.value(u"pricing_level").toString() == u"project"_s);
            QCOMPARE(mine->provider, theirs.value(u"provider_id").toString());
            ++compared;
        }
    }
    QCOMPARE(compared, 3 * int(std::size(starts)));
    server.stop();
}

QTEST_MAIN(TestPriceTable)
#include "tst_pricetable.moc"
