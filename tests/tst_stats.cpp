// /calls/stats buckets (weave-protocol.md 1.2, 4): the expected numbers are computed here from the raw
// calls that were logged: bucket edges, time zones, daylight saving, empty buckets, percentiles, usage
// normalisation and prices that change on their effective dates; plus costs against include_costs and
// the filter/query selection. Request handling is in tst_stats_requests, the Spindle extensions in
// tst_stats_extensions, /trace/usage and /calls/usage in tst_usage.
#include "support/statsfixture.h"

#include <QJsonArray>

#include <algorithm>
#include <map>

using namespace Qt::StringLiterals;
using namespace spindle::test;
using namespace spindle::test::statsfixture;

namespace {

// What one bucket should hold.
struct ExpectedCalls
{
    int calls = 0, errors = 0;
    QList<double> latencies;
};

struct ExpectedUsage
{
    int entries = 0;
    double input = 0, output = 0, total = 0;
    double inputCost = 0, outputCost = 0;
    QList<double> totalCosts; // per priced entry
    QList<double> inputs;
};

} // namespace

class TestStats : public StatsTestCase
{
    Q_OBJECT

private slots:
    void bucketsMatchRawCalls_data();
    void bucketsMatchRawCalls();
    void daylightSavingDayBuckets_data();
    void daylightSavingDayBuckets();
    void costsMatchIncludeCosts();
    void filterAndQuery();
};

void TestStats::bucketsMatchRawCalls_data()
{
    QTest::addColumn<QString>("start");
    QTest::addColumn<QString>("end");
    QTest::addColumn<qint64>("granularity"); // 0: chosen by the server
    QTest::addColumn<QString>("timezone"); // empty: not sent
    QTest::addColumn<qint64>("expectedGranularity");

    QTest::newRow("hourly UTC") << u"2025-01-01T00:00:00Z"_s << u"2025-01-02T00:00:00Z"_s << 3600LL
                                << QString() << 3600LL;
    QTest::newRow("auto 5 min") << u"2025-01-01T00:00:00Z"_s << u"2025-01-01T02:00:00Z"_s << 0LL << QString()
                                << 300LL;
    QTest::newRow("15 min, start off the grid")
        << u"2025-01-01T00:07:30Z"_s << u"2025-01-01T05:00:00.500Z"_s << 900LL << u"UTC"_s << 900LL;
    QTest::newRow("2 days") << u"2025-01-01T00:00:00Z"_s << u"2025-01-11T00:00:00Z"_s << 172800LL << QString()
                            << 172800LL;
    QTest::newRow("6 h Kolkata (+05:30)")
        << u"2025-01-01T00:00:00Z"_s << u"2025-01-03T00:00:00Z"_s << 21600LL << u"Asia/Kolkata"_s << 21600LL;
    QTest::newRow("daily New York, spring forward") << u"2025-03-07T12:00:00Z"_s << u"2025-03-12T00:00:00Z"_s
                                                    << 86400LL << u"America/New_York"_s << 86400LL;
    QTest::newRow("daily Berlin, fall back")
        << u"2025-10-24T00:00:00Z"_s << u"2025-10-29T00:00:00Z"_s << 86400LL << u"Europe/Berlin"_s << 86400LL;
    QTest::newRow("auto daily Tokyo") << u"2025-06-01T00:00:00+09:00"_s << u"2025-06-20T00:00:00+09:00"_s
                                      << 0LL << u"Asia/Tokyo"_s << 86400LL;
}

void TestStats::bucketsMatchRawCalls()
{
    QFETCH(QString, start);
    QFETCH(QString, end);
    QFETCH(qint64, granularity);
    QFETCH(QString, timezone);
    QFETCH(qint64, expectedGranularity);

    const QString p = testProject("stats");
    const qint64 startMs = msOf(start), endMs = msOf(end);
    const QList<qint64> starts = bucketStarts(startMs, endMs, expectedGranularity, timezone);
    QVERIFY(starts.size() >= 2);
    const QList<Price>& prices = projectPrices(startMs + (endMs - startMs) * 2 / 5 + 12'345);
    createPrices(p, prices);
    QList<RawCall> calls = makeCalls(startMs, endMs, starts.mid(1), quint32(startMs / 1000 + granularity));
    QList<CallSpec> specs;
    for (const RawCall& call : calls)
        specs << specOf(call);
    EXPECT_OK(m_server.logCalls(p, specs));
    // A deleted call and another project's calls must not count.
    const QString deleted = calls[10].id;
    EXPECT_OK(m_server.post("/calls/delete",
        toJsonText(QJsonObject { { u"project_id"_s, p }, { u"call_ids"_s, QJsonArray { deleted } } })));
    calls.removeAt(10);
    EXPECT_OK(m_server.logCalls(p + u"-other"_s, specs));

    // Expected buckets from the raw calls.
    QList<ExpectedCalls> expectedCalls(starts.size());
    std::map<QString, QList<ExpectedUsage>> expectedUsage;
    for (const RawCall& call : calls) {
        if (call.startMs < startMs || call.startMs >= endMs)
            continue;
        const qsizetype b = bucketOf(starts, call.startMs);
        QVERIFY(b >= 0 && b < starts.size());
        ExpectedCalls& c = expectedCalls[b];
        ++c.calls;
        c.errors += call.error ? 1 : 0;
        if (call.endMs)
            c.latencies << double(*call.endMs - call.startMs);
        for (const Use& use : call.usage) {
            auto& perBucket = expectedUsage[use.model];
            perBucket.resize(starts.size());
            ExpectedUsage& u = perBucket[b];
            ++u.entries;
            u.input += use.prompt;
            u.output += use.completion;
            u.total += use.total && *use.total != 0 ? *use.total : use.prompt + use.completion;
            u.inputs << use.prompt;
            if (const Price* price = priceFor(prices, use.model, call.startMs)) {
                u.inputCost += use.prompt * price->prompt;
                u.outputCost += use.completion * price->completion;
                u.totalCosts << use.prompt * price->prompt + use.completion * price->completion;
            }
        }
    }

    QJsonObject request {
        { u"project_id"_s, p },
        { u"start"_s, start },
        { u"end"_s, end },
        { u"call_metrics"_s,
            QJsonArray {
                QJsonObject { { u"metric"_s, u"call_count"_s } },
                QJsonObject { { u"metric"_s, u"error_count"_s },
                    { u"aggregations"_s, QJsonArray { u"sum"_s, u"count_true"_s, u"count_false"_s } } },
                QJsonObject { { u"metric"_s, u"latency_ms"_s },
                    { u"aggregations"_s, QJsonArray { u"sum"_s, u"avg"_s, u"min"_s, u"max"_s, u"count"_s } },
                    { u"percentiles"_s, QJsonArray { 50, 95, 99 } } },
            } },
        { u"usage_metrics"_s,
            QJsonArray {
                QJsonObject { { u"metric"_s, u"input_tokens"_s },
                    { u"aggregations"_s, QJsonArray { u"sum"_s, u"min"_s } } },
                QJsonObject { { u"metric"_s, u"output_tokens"_s } },
                QJsonObject { { u"metric"_s, u"total_tokens"_s },
                    { u"aggregations"_s, QJsonArray { u"sum"_s, u"avg"_s } } },
                QJsonObject { { u"metric"_s, u"input_cost"_s } },
                QJsonObject { { u"metric"_s, u"output_cost"_s } },
                QJsonObject { { u"metric"_s, u"total_cost"_s },
                    { u"aggregations"_s, QJsonArray { u"sum"_s, u"max"_s } } },
            } },
    };
    if (granularity)
        request[u"granularity"_s] = granularity;
    if (!timezone.isEmpty())
        request[u"timezone"_s] = timezone;
    const Reply reply = stats(request);
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"granularity").toInteger(), expectedGranularity);
    QCOMPARE(reply.value(u"timezone").toString(), timezone.isEmpty() ? u"UTC"_s : timezone);
    QCOMPARE(msOf(reply.value(u"start").toString()), startMs);
    QCOMPARE(msOf(reply.value(u"end").toString()), endMs);

    // Call buckets: every bucket, in order, with the raw sums.
    const QJsonArray callBuckets = reply.value(u"call_buckets").toArray();
    QCOMPARE(callBuckets.size(), starts.size());
    int counted = 0;
    for (qsizetype b = 0; b < starts.size(); ++b) {
        const QJsonObject bucket = callBuckets[b].toObject();
        const ExpectedCalls& e = expectedCalls[b];
        const QString at = u"bucket %1 (%2)"_s.arg(b).arg(isoMs(starts[b]));
        QCOMPARE(bucket.value(u"timestamp").toString(), isoMicros(starts[b]));
        QCOMPARE(bucket.value(u"count").toInteger(), qint64(e.calls));
        counted += e.calls;
        EXPECT_NUMBER(bucket.value(u"sum_call_count"), e.calls, at);
        EXPECT_NUMBER(bucket.value(u"sum_error_count"), e.errors, at);
        EXPECT_NUMBER(bucket.value(u"count_true_error_count"), e.errors, at);
        EXPECT_NUMBER(bucket.value(u"count_false_error_count"), e.calls - e.errors, at);
        double sum = 0;
        for (double latency : e.latencies)
            sum += latency;
        EXPECT_NUMBER(bucket.value(u"sum_latency_ms"), sum, at + u" sum_latency_ms"_s);
        EXPECT_NUMBER(bucket.value(u"count_latency_ms"), e.latencies.size(), at + u" count_latency_ms"_s);
        if (e.latencies.isEmpty()) {
            EXPECT_NUMBER(bucket.value(u"avg_latency_ms"), 0, at);
            EXPECT_NULL(bucket.value(u"min_latency_ms"), at);
            EXPECT_NULL(bucket.value(u"max_latency_ms"), at);
            EXPECT_NULL(bucket.value(u"p95_latency_ms"), at);
            continue;
        }
        EXPECT_NUMBER(bucket.value(u"avg_latency_ms"), sum / double(e.latencies.size()), at);
        EXPECT_NUMBER(
            bucket.value(u"min_latency_ms"), *std::min_element(e.latencies.begin(), e.latencies.end()), at);
        EXPECT_NUMBER(
            bucket.value(u"max_latency_ms"), *std::max_element(e.latencies.begin(), e.latencies.end()), at);
        EXPECT_NUMBER(bucket.value(u"p50_latency_ms"), percentile(e.latencies, 50), at + u" p50"_s);
        EXPECT_NUMBER(bucket.value(u"p95_latency_ms"), percentile(e.latencies, 95), at + u" p95"_s);
        EXPECT_NUMBER(bucket.value(u"p99_latency_ms"), percentile(e.latencies, 99), at + u" p99"_s);
    }
    QVERIFY(counted > 100);
    // Some buckets are empty in the sparser rows, and they are still listed.

    // Usage buckets: bucket × model (every model seen), ordered by time then model.
    const QJsonArray usageBuckets = reply.value(u"usage_buckets").toArray();
    QStringList models;
    for (const auto& [model, perBucket] : expectedUsage)
        models << model;
    QCOMPARE(usageBuckets.size(), starts.size() * models.size());
    for (qsizetype b = 0; b < starts.size(); ++b) {
        for (qsizetype m = 0; m < models.size(); ++m) {
            const QJsonObject bucket = usageBuckets[b * models.size() + m].toObject();
            const ExpectedUsage& e = expectedUsage[models[m]][b];
            const QString at = u"bucket %1 model %2"_s.arg(b).arg(models[m]);
            QCOMPARE(bucket.value(u"timestamp").toString(), isoMicros(starts[b]));
            QCOMPARE(bucket.value(u"model").toString(), models[m]);
            QCOMPARE(bucket.value(u"count").toInteger(), qint64(e.entries));
            EXPECT_NUMBER(bucket.value(u"sum_input_tokens"), e.input, at);
            EXPECT_NUMBER(bucket.value(u"sum_output_tokens"), e.output, at);
            EXPECT_NUMBER(bucket.value(u"sum_total_tokens"), e.total, at);
            EXPECT_NUMBER(bucket.value(u"avg_total_tokens"), e.entries ? e.total / e.entries : 0, at);
            if (e.inputs.isEmpty())
                EXPECT_NULL(bucket.value(u"min_input_tokens"), at);
            else
                EXPECT_NUMBER(bucket.value(u"min_input_tokens"),
                    *std::min_element(e.inputs.begin(), e.inputs.end()), at);
            EXPECT_NUMBER(bucket.value(u"sum_input_cost"), e.inputCost, at + u" sum_input_cost"_s);
            EXPECT_NUMBER(bucket.value(u"sum_output_cost"), e.outputCost, at + u" sum_output_cost"_s);
            EXPECT_NUMBER(
                bucket.value(u"sum_total_cost"), e.inputCost + e.outputCost, at + u" sum_total_cost"_s);
            if (e.totalCosts.isEmpty())
                EXPECT_NULL(bucket.value(u"max_total_cost"), at + u" max_total_cost"_s); // unpriced or empty
            else
                EXPECT_NUMBER(bucket.value(u"max_total_cost"),
                    *std::max_element(e.totalCosts.begin(), e.totalCosts.end()), at + u" max_total_cost"_s);
        }
    }
}

// Day buckets begin at local midnight, so around a daylight-saving change one day is 23 or 25 hours.
void TestStats::daylightSavingDayBuckets_data()
{
    QTest::addColumn<QString>("timezone");
    QTest::addColumn<QString>("start");
    QTest::addColumn<QString>("end");
    QTest::addColumn<QStringList>("timestamps");
    QTest::newRow("New York") << u"America/New_York"_s << u"2025-03-08T12:00:00Z"_s
                              << u"2025-03-11T00:00:00Z"_s
                              << QStringList { u"2025-03-08T05:00:00.000000Z"_s,
                                     u"2025-03-09T05:00:00.000000Z"_s, u"2025-03-10T04:00:00.000000Z"_s };
    QTest::newRow("Berlin") << u"Europe/Berlin"_s << u"2025-10-25T00:00:00Z"_s << u"2025-10-27T12:00:00Z"_s
                            << QStringList { u"2025-10-24T22:00:00.000000Z"_s,
                                   u"2025-10-25T22:00:00.000000Z"_s, u"2025-10-26T23:00:00.000000Z"_s };
    // Chile moves its clocks at midnight: 8 September 2024 has no 00:00 and starts at 01:00 (-03:00).
    QTest::newRow("Santiago, no midnight")
        << u"America/Santiago"_s << u"2024-09-07T12:00:00Z"_s << u"2024-09-10T00:00:00Z"_s
        << QStringList { u"2024-09-07T04:00:00.000000Z"_s, u"2024-09-08T04:00:00.000000Z"_s,
               u"2024-09-09T03:00:00.000000Z"_s };
    QTest::newRow("UTC") << u"UTC"_s << u"2025-03-08T12:00:00Z"_s << u"2025-03-10T00:00:00Z"_s
                         << QStringList { u"2025-03-08T00:00:00.000000Z"_s,
                                u"2025-03-09T00:00:00.000000Z"_s };
}

void TestStats::daylightSavingDayBuckets()
{
    QFETCH(QString, timezone);
    QFETCH(QString, start);
    QFETCH(QString, end);
    QFETCH(QStringList, timestamps);
    const QString p = testProject("stats");
    // One call an hour before and one right after each local midnight.
    QList<CallSpec> specs;
    for (qsizetype i = 1; i < timestamps.size(); ++i) {
        const qint64 midnight = msOf(timestamps[i]);
        specs << CallSpec { .id = u"before%1"_s.arg(i),
            .startedAt = isoMs(midnight - 3'600'000),
            .endedAt = isoMs(midnight + 10) };
        specs << CallSpec {
            .id = u"after%1"_s.arg(i), .startedAt = isoMs(midnight), .endedAt = isoMs(midnight + 10)
        };
    }
    EXPECT_OK(m_server.logCalls(p, specs));
    const Reply reply = stats(QJsonObject { { u"project_id"_s, p }, { u"start"_s, start }, { u"end"_s, end },
        { u"granularity"_s, 86400 }, { u"timezone"_s, timezone },
        { u"call_metrics"_s, QJsonArray { QJsonObject { { u"metric"_s, u"call_count"_s } } } } });
    EXPECT_OK(reply);
    const QJsonArray buckets = reply.value(u"call_buckets").toArray();
    QStringList got;
    for (const QJsonValue& bucket : buckets)
        got << bucket[u"timestamp"].toString();
    QCOMPARE(got, timestamps);
    for (qsizetype i = 0; i < buckets.size(); ++i) {
        // Bucket 0 gets the first "before" call; each later one its "after" call and the next "before".
        const int expected = (i + 1 < buckets.size() ? 1 : 0) + (i > 0 ? 1 : 0);
        QCOMPARE(buckets[i][u"count"].toInt(), expected);
    }
}

// total_cost in /calls/stats is the same money that include_costs shows per call.
void TestStats::costsMatchIncludeCosts()
{
    const QString p = testProject("stats");
    const qint64 startMs = msOf(u"2025-05-01T00:00:00Z"_s), endMs = msOf(u"2025-05-03T00:00:00Z"_s);
    createPrices(p, projectPrices(startMs + 86'400'000 + 777));
    QList<CallSpec> specs;
    for (const RawCall& call : makeCalls(startMs, endMs, {}, 7))
        specs << specOf(call);
    EXPECT_OK(m_server.logCalls(p, specs));

    const Reply reply = stats(QJsonObject { { u"project_id"_s, p }, { u"start"_s, isoMs(startMs) },
        { u"end"_s, isoMs(endMs) }, { u"granularity"_s, 3600 },
        { u"usage_metrics"_s, QJsonArray { QJsonObject { { u"metric"_s, u"total_cost"_s } } } } });
    EXPECT_OK(reply);
    double fromStats = 0;
    for (const QJsonValue& bucket : reply.value(u"usage_buckets").toArray())
        fromStats += bucket[u"sum_total_cost"].toDouble();

    const Reply calls = m_server.post(
        "/calls/query", toJsonText(QJsonObject { { u"project_id"_s, p }, { u"include_costs"_s, true } }));
    EXPECT_OK(calls);
    double fromCalls = 0;
    int priced = 0;
    for (const QJsonValue& call : calls.value(u"calls").toArray()) {
        const qint64 startedMs = msOf(call[u"started_at"].toString());
        if (startedMs < startMs || startedMs >= endMs)
            continue;
        const QJsonObject costs = call[u"summary"][u"weave"][u"costs"].toObject();
        for (const QJsonValue& cost : costs) {
            fromCalls += cost[u"prompt_tokens_total_cost"].toDouble()
                + cost[u"completion_tokens_total_cost"].toDouble();
            ++priced;
        }
    }
    QVERIFY(priced > 50);
    QVERIFY2(near(fromStats, fromCalls),
        qPrintable(u"stats %1 vs include_costs %2"_s.arg(fromStats, 0, 'g', 17).arg(fromCalls, 0, 'g', 17)));
}

void TestStats::filterAndQuery()
{
    const QString p = testProject("stats");
    const qint64 startMs = msOf(u"2025-02-01T00:00:00Z"_s), endMs = msOf(u"2025-02-02T00:00:00Z"_s);
    QList<RawCall> calls = makeCalls(startMs, endMs, {}, 11);
    for (qsizetype i = 0; i < calls.size(); ++i) {
        if (i % 5 == 4)
            calls[i].parentId = calls[i - 1].id;
    }
    QList<CallSpec> specs;
    for (const RawCall& call : calls)
        specs << specOf(call);
    EXPECT_OK(m_server.logCalls(p, specs));

    const auto total = [&](const QJsonObject& extra) {
        QJsonObject request { { u"project_id"_s, p }, { u"start"_s, isoMs(startMs) },
            { u"end"_s, isoMs(endMs) }, { u"granularity"_s, 21600 },
            { u"call_metrics"_s, QJsonArray { QJsonObject { { u"metric"_s, u"call_count"_s } } } } };
        for (auto it = extra.begin(); it != extra.end(); ++it)
            request[it.key()] = it.value();
        const Reply reply = stats(request);
        int sum = -1;
        if (reply.status == 200) {
            sum = 0;
            for (const QJsonValue& bucket : reply.value(u"call_buckets").toArray())
                sum += bucket[u"sum_call_count"].toInt();
        } else {
            qWarning() << reply.describe();
        }
        return sum;
    };
    const auto expected = [&](auto predicate) {
        int n = 0;
        for (const RawCall& call : calls)
            n += call.startMs >= startMs && call.startMs < endMs && predicate(call) ? 1 : 0;
        return n;
    };
    QCOMPARE(total({}), expected([](const RawCall&) { return true; }));
    QCOMPARE(total({ { u"filter"_s, QJsonObject { { u"op_names"_s, QJsonArray { u"op_b"_s } } } } }),
        expected([](const RawCall& c) { return c.op == u"op_b"_s; }));
    QCOMPARE(total({ { u"filter"_s, QJsonObject { { u"trace_roots_only"_s, true } } } }),
        expected([](const RawCall& c) { return c.parentId.isEmpty(); }));
    QCOMPARE(total({ { u"filter"_s,
                 QJsonObject { { u"call_ids"_s, QJsonArray { calls[0].id, calls[1].id } } } } }),
        expected([&](const RawCall& c) { return c.id == calls[0].id || c.id == calls[1].id; }));
    // Beyond hosted: a $expr query, here on the status.
    QCOMPARE(total({ { u"query"_s,
                 QJsonObject { { u"$expr"_s,
                     QJsonObject { { u"$eq"_s,
                         QJsonArray { QJsonObject { { u"$getField"_s, u"summary.weave.status"_s } },
                             QJsonObject { { u"$literal"_s, u"error"_s } } } } } } } } }),
        expected([](const RawCall& c) { return c.error; }));
    // A query on the cost: wv_cost(), which every connection that scans a slice of the range needs.
    const QList<Price>& prices = projectPrices(startMs + 7 * 3'600'000);
    createPrices(p, prices);
    QCOMPARE(total({ { u"query"_s,
                 QJsonObject { { u"$expr"_s,
                     QJsonObject { { u"$gt"_s,
                         QJsonArray { QJsonObject { { u"$getField"_s, u"summary.weave.total_cost"_s } },
                             QJsonObject { { u"$literal"_s, 0 } } } } } } } } }),
        expected([&](const RawCall& c) {
            return std::any_of(c.usage.begin(), c.usage.end(), [&](const Use& use) {
                const Price* price = priceFor(prices, use.model, c.startMs);
                return price && use.prompt * price->prompt + use.completion * price->completion > 0;
            });
        }));
}

QTEST_GUILESS_MAIN(TestStats)
#include "tst_stats.moc"
