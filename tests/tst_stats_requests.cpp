// /calls/stats request handling (weave-protocol.md 1.2): the granularity the server picks, empty
// ranges and requests without metrics, the default aggregations, and bad requests answered with 400.
#include "support/statsfixture.h"

#include <QDateTime>
#include <QJsonArray>

using namespace Qt::StringLiterals;
using namespace spindle::test;
using namespace spindle::test::statsfixture;

class TestStatsRequests : public StatsTestCase
{
    Q_OBJECT

private slots:
    void granularityChoice_data();
    void granularityChoice();
    void emptyRangeAndNoMetrics();
    void answerSizeIsBounded();
    void defaultsAndAggregations();
    void badRequests_data();
    void badRequests();
};

void TestStatsRequests::granularityChoice_data()
{
    QTest::addColumn<qint64>("rangeSeconds");
    QTest::addColumn<qint64>("granularity"); // 0: not sent
    QTest::addColumn<qint64>("expected");
    QTest::newRow("1 h") << 3600LL << 0LL << 300LL;
    QTest::newRow("2 h") << 7200LL << 0LL << 300LL;
    QTest::newRow("3 h") << 10800LL << 0LL << 3600LL;
    QTest::newRow("12 h") << 43200LL << 0LL << 3600LL;
    QTest::newRow("2 days") << 172800LL << 0LL << 21600LL;
    QTest::newRow("10 days") << 864000LL << 0LL << 43200LL;
    QTest::newRow("20 days") << 1728000LL << 0LL << 86400LL;
    QTest::newRow("given") << 1728000LL << 3600LL << 3600LL;
    // 30 days of 60 s would be 43 200 buckets: widened to stay within 10 000.
    QTest::newRow("widened to 10000 buckets") << 2592000LL << 60LL << 260LL;
    QTest::newRow("31 days is allowed") << 2678400LL << 0LL << 86400LL;
}

void TestStatsRequests::granularityChoice()
{
    QFETCH(qint64, rangeSeconds);
    QFETCH(qint64, granularity);
    QFETCH(qint64, expected);
    const QString p = testProject("stats");
    const qint64 startMs = msOf(u"2025-01-01T00:00:00Z"_s);
    QJsonObject request { { u"project_id"_s, p }, { u"start"_s, isoMs(startMs) },
        { u"end"_s, isoMs(startMs + rangeSeconds * 1000) },
        { u"call_metrics"_s, QJsonArray { QJsonObject { { u"metric"_s, u"call_count"_s } } } } };
    if (granularity)
        request[u"granularity"_s] = granularity;
    const Reply reply = stats(request);
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"granularity").toInteger(), expected);
    const qsizetype buckets = reply.value(u"call_buckets").toArray().size();
    // UTC buckets sit on multiples of the granularity since the epoch, so the first may start early.
    const qint64 startS = startMs / 1000, firstS = startS / expected * expected;
    QCOMPARE(buckets, qsizetype((startS + rangeSeconds - firstS + expected - 1) / expected));
    QVERIFY(buckets <= 10000);
}

void TestStatsRequests::emptyRangeAndNoMetrics()
{
    const QString p = testProject("stats");
    EXPECT_OK(
        m_server.logCalls(p, { CallSpec { .id = u"x"_s, .startedAt = u"2025-01-01T00:00:00.000Z"_s } }));
    // start == end: no bucket at all.
    Reply reply = stats(QJsonObject { { u"project_id"_s, p }, { u"start"_s, u"2025-01-01T00:00:00Z"_s },
        { u"end"_s, u"2025-01-01T00:00:00Z"_s },
        { u"call_metrics"_s, QJsonArray { QJsonObject { { u"metric"_s, u"call_count"_s } } } } });
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"call_buckets").toArray().size(), 0);
    // No metrics asked for: both lists are empty.
    reply = stats(QJsonObject { { u"project_id"_s, p }, { u"start"_s, u"2025-01-01T00:00:00Z"_s },
        { u"end"_s, u"2025-01-01T01:00:00Z"_s } });
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"call_buckets").toArray().size(), 0);
    QCOMPARE(reply.value(u"usage_buckets").toArray().size(), 0);
    QCOMPARE(reply.value(u"granularity").toInt(), 300);
    // Usage asked for, but no call in the range has any: no model, so no usage buckets.
    reply = stats(QJsonObject { { u"project_id"_s, p }, { u"start"_s, u"2025-01-01T00:00:00Z"_s },
        { u"end"_s, u"2025-01-01T01:00:00Z"_s },
        { u"usage_metrics"_s, QJsonArray { QJsonObject { { u"metric"_s, u"total_tokens"_s } } } } });
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"usage_buckets").toArray().size(), 0);
    // A missing end means now; a range of a year is then too long.
    reply = stats(QJsonObject { { u"project_id"_s, p },
        { u"start"_s, isoMs(QDateTime::currentMSecsSinceEpoch() - 3'600'000) },
        { u"call_metrics"_s, QJsonArray { QJsonObject { { u"metric"_s, u"call_count"_s } } } } });
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"granularity").toInt(), 300);
    QVERIFY(qAbs(msOf(reply.value(u"end").toString()) - QDateTime::currentMSecsSinceEpoch()) < 60'000);
}

// The answer's size is bounded by its numbers, not its entries alone: every aggregation and 20
// percentiles of every usage metric, for 10 models in 10,000 buckets, was a 630 MB answer (1.5 GB of
// the server's memory, which is the desktop app's own when embedded); a 413 that says what to ask.
void TestStatsRequests::answerSizeIsBounded()
{
    const QString p = testProject("stats");
    QByteArray usage = "{";
    for (int model = 0; model < 10; ++model)
        usage +=
            (model ? "," : "") + QByteArray("\"m") + QByteArray::number(model) + "\":{\"prompt_tokens\":1}";
    usage += "}";
    EXPECT_OK(m_server.logCalls(p,
        { CallSpec { .id = u"many-models"_s,
            .startedAt = u"2025-01-01T00:00:00.000Z"_s,
            .endedAt = u"2025-01-01T00:00:01.000Z"_s,
            .summary = "{\"usage\":" + usage + "}" } }));
    QJsonArray metrics;
    QJsonArray percentiles;
    for (int i = 1; i <= 20; ++i)
        percentiles.append(i * 5 - 1);
    for (const char* metric : { "input_tokens", "output_tokens", "total_tokens", "cache_read_input_tokens",
             "cache_creation_input_tokens", "input_cost", "output_cost", "total_cost" })
        metrics.append(QJsonObject { { u"metric"_s, QString::fromLatin1(metric) },
            { u"aggregations"_s, QJsonArray { u"sum"_s, u"avg"_s, u"min"_s, u"max"_s, u"count"_s } },
            { u"percentiles"_s, percentiles } });
    QJsonObject request { { u"project_id"_s, p }, { u"start"_s, u"2025-01-01T00:00:00Z"_s },
        { u"end"_s, u"2025-01-31T00:00:00Z"_s }, { u"granularity"_s, 1 }, { u"usage_metrics"_s, metrics } };
    const Reply refused = stats(request);
    EXPECT_API_ERROR(refused, 413);
    QVERIFY2(refused.value(u"reason").toString().contains(u"fewer aggregations"_s), refused.body.constData());
    // The same numbers in day buckets are a small answer.
    request.insert(u"granularity"_s, 86400);
    const Reply days = stats(request);
    EXPECT_OK(days);
    QCOMPARE(days.value(u"usage_buckets").toArray().size(), 30 * 10);
}

// A metric without aggregations or percentiles is a sum; repeated metrics merge; error_count and
// call_count percentiles come from their 0/1 values.
void TestStatsRequests::defaultsAndAggregations()
{
    const QString p = testProject("stats");
    QList<CallSpec> specs;
    for (int i = 0; i < 4; ++i) {
        CallSpec call {
            .id = u"c%1"_s.arg(i), .startedAt = isoAt(i * 1000), .endedAt = isoAt(i * 1000 + 100 * (i + 1))
        };
        if (i == 0)
            call.exception = u"boom"_s;
        specs << call;
    }
    EXPECT_OK(m_server.logCalls(p, specs));
    const Reply reply = m_server.post("/calls/stats",
        fill(R"({"project_id": "{{p}}", "start": "2025-01-01T00:00:00Z", "end": "2025-01-01T00:05:00Z",
                 "granularity": 300.0,
                 "call_metrics": [{"metric": "latency_ms"}, {"metric": "latency_ms", "aggregations": ["max"]},
                                  {"metric": "error_count", "percentiles": [25, 50, 100], "aggregations": ["avg", "min", "max"]},
                                  {"metric": "call_count", "aggregations": ["count", "count_false"], "percentiles": [99.9]}]})",
            { { "p", p } }));
    EXPECT_OK(reply);
    const QJsonArray buckets = reply.value(u"call_buckets").toArray();
    QCOMPARE(buckets.size(), 1);
    const QJsonObject b = buckets[0].toObject();
    EXPECT_NUMBER(b.value(u"sum_latency_ms"), 1000, u"sum_latency_ms"_s);
    EXPECT_NUMBER(b.value(u"max_latency_ms"), 400, u"max_latency_ms"_s);
    EXPECT_NUMBER(b.value(u"avg_error_count"), 0.25, u"avg_error_count"_s);
    EXPECT_NUMBER(b.value(u"min_error_count"), 0, u"min_error_count"_s);
    EXPECT_NUMBER(b.value(u"max_error_count"), 1, u"max_error_count"_s);
    // Sorted 0/1 values [0, 0, 0, 1]: p25 = 0, p50 = 0, p100 = 1.
    EXPECT_NUMBER(b.value(u"p25_error_count"), 0, u"p25_error_count"_s);
    EXPECT_NUMBER(b.value(u"p50_error_count"), 0, u"p50_error_count"_s);
    EXPECT_NUMBER(b.value(u"p100_error_count"), 1, u"p100_error_count"_s);
    EXPECT_NUMBER(b.value(u"count_call_count"), 4, u"count_call_count"_s);
    EXPECT_NUMBER(b.value(u"count_false_call_count"), 0, u"count_false_call_count"_s);
    EXPECT_NUMBER(b.value(u"p99.9_call_count"), 1, u"p99.9_call_count"_s);
    QVERIFY(!b.contains(u"sum_error_count")); // aggregations were given for it
    QCOMPARE(b.value(u"count").toInt(), 4);
}

void TestStatsRequests::badRequests_data()
{
    QTest::addColumn<QByteArray>("body");
    const QByteArray base =
        R"("project_id": "stats/bad", "start": "2025-01-01T00:00:00Z", "end": "2025-01-02T00:00:00Z")";
    const auto with = [&](const QByteArray& extra) -> QByteArray { return "{" + base + ", " + extra + "}"; };
    QTest::newRow("range over 31 days") << QByteArray(
        R"({"project_id": "stats/bad", "start": "2025-01-01T00:00:00Z", "end": "2025-02-01T00:00:01Z"})");
    QTest::newRow("start missing") << QByteArray(
        R"({"project_id": "stats/bad", "end": "2025-01-02T00:00:00Z"})");
    QTest::newRow("start does not parse")
        << QByteArray(R"({"project_id": "stats/bad", "start": "yesterday", "end": "2025-01-02T00:00:00Z"})");
    QTest::newRow("end does not parse") << QByteArray(
        R"({"project_id": "stats/bad", "start": "2025-01-01T00:00:00Z", "end": "2025-13-01T00:00:00Z"})");
    QTest::newRow("start is a number")
        << QByteArray(R"({"project_id": "stats/bad", "start": 1735689600, "end": "2025-01-02T00:00:00Z"})");
    QTest::newRow("end before start") << QByteArray(
        R"({"project_id": "stats/bad", "start": "2025-01-02T00:00:00Z", "end": "2025-01-01T00:00:00Z"})");
    QTest::newRow("unknown call metric") << with(R"("call_metrics": [{"metric": "tokens"}])");
    QTest::newRow("unknown usage metric") << with(R"("usage_metrics": [{"metric": "latency_ms"}])");
    QTest::newRow("unknown aggregation")
        << with(R"("call_metrics": [{"metric": "latency_ms", "aggregations": ["median"]}])");
    QTest::newRow("metric missing") << with(R"("call_metrics": [{"aggregations": ["sum"]}])");
    QTest::newRow("metrics not a list") << with(R"("usage_metrics": {"metric": "input_tokens"})");
    QTest::newRow("metric spec not an object") << with(R"("call_metrics": ["latency_ms"])");
    QTest::newRow("percentile over 100")
        << with(R"("call_metrics": [{"metric": "latency_ms", "percentiles": [101]}])");
    QTest::newRow("percentile not a number")
        << with(R"("call_metrics": [{"metric": "latency_ms", "percentiles": ["p95"]}])");
    QTest::newRow("granularity zero") << with(R"("granularity": 0)");
    QTest::newRow("granularity negative") << with(R"("granularity": -60)");
    QTest::newRow("granularity fractional") << with(R"("granularity": 1.5)");
    QTest::newRow("granularity text") << with(R"("granularity": "1h")");
    QTest::newRow("unknown timezone") << with(R"("timezone": "Mars/Olympus_Mons")");
    QTest::newRow("timezone not a string") << with(R"("timezone": 5)");
    QTest::newRow("filter not an object") << with(R"("filter": [])");
    QTest::newRow("bad project") << QByteArray(R"({"project_id": "nope", "start": "2025-01-01T00:00:00Z"})");
    QTest::newRow("group by nothing") << with(R"("usage_group_by": [])");
    QTest::newRow("group by unknown field") << with(R"("usage_group_by": ["model", "tenant"])");
    QTest::newRow("group by not a list") << with(R"("usage_group_by": "op_name")");
    QTest::newRow("sample of 0") << with(R"("usage_sample": 0)");
    QTest::newRow("sample over 10000") << with(R"("usage_sample": 10001)");
    QTest::newRow("sample not a number") << with(R"("usage_sample": "all")");
    QTest::newRow("totals not a bool") << with(R"("include_totals": "yes")");
    QTest::newRow("body not an object") << QByteArray(R"([])");
}

void TestStatsRequests::badRequests()
{
    QFETCH(QByteArray, body);
    EXPECT_API_ERROR(m_server.post("/calls/stats", body), 400);
}

QTEST_GUILESS_MAIN(TestStatsRequests)
#include "tst_stats_requests.moc"
