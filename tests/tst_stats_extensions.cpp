// Spindle's extensions of /calls/stats (weave-protocol.md 1.2): usage grouped by model and op, the
// range's totals, the `requests` metric and usage_sample, against sums from the raw calls; and
// uncompressed answers on loopback.
#include "support/statsfixture.h"

#include <QJsonArray>
#include <QSet>

#include <map>

using namespace Qt::StringLiterals;
using namespace spindle::test;
using namespace spindle::test::statsfixture;

namespace {

// The op name at the end of an op ref ("weave:///p/op/op_a:digest" → "op_a").
QString opShort(const QJsonValue& opName)
{
    const QString text = opName.toString();
    const qsizetype slash = text.lastIndexOf(u'/');
    return text.mid(slash + 1).section(u':', 0, 0);
}

} // namespace

class TestStatsExtensions : public StatsTestCase
{
    Q_OBJECT

private slots:
    void extensionsMatchRawCalls();
    void sampleIsStable();
    void loopbackAnswersUncompressed();
};

// Spindle extensions: usage grouped by model and op, the range's totals (exact percentiles) and the
// `requests` metric, against sums from the raw calls.
void TestStatsExtensions::extensionsMatchRawCalls()
{
    const QString p = testProject("stats");
    const qint64 startMs = msOf(u"2025-04-01T00:00:00Z"_s), endMs = msOf(u"2025-04-02T00:00:00Z"_s);
    const QList<qint64> starts = bucketStarts(startMs, endMs, 3 * 3600, {});
    const QList<Price>& prices = projectPrices(startMs + 5 * 3'600'000 + 1);
    createPrices(p, prices);
    const QList<RawCall> calls = makeCalls(startMs, endMs, starts.mid(1), 99);
    QList<CallSpec> specs;
    for (const RawCall& call : calls)
        specs << specOf(call);
    EXPECT_OK(m_server.logCalls(p, specs));

    struct Sums
    {
        int entries = 0;
        double requests = 0, input = 0, cost = 0;
        int priced = 0;
    };
    std::map<std::pair<QString, QString>, std::map<qsizetype, Sums>> byGroup; // (model, op) → bucket
    std::map<QString, Sums> byOp;
    QList<double> latencies;
    int inRange = 0, errors = 0;
    for (const RawCall& call : calls) {
        if (call.startMs < startMs || call.startMs >= endMs)
            continue;
        ++inRange;
        errors += call.error ? 1 : 0;
        if (call.endMs)
            latencies << double(*call.endMs - call.startMs);
        for (const Use& use : call.usage) {
            const Price* price = priceFor(prices, use.model, call.startMs);
            const double cost = price ? use.prompt * price->prompt + use.completion * price->completion : 0;
            for (Sums* s :
                { &byGroup[{ use.model, call.op }][bucketOf(starts, call.startMs)], &byOp[call.op] }) {
                ++s->entries;
                s->requests += use.requests;
                s->input += use.prompt;
                s->cost += cost;
                s->priced += price ? 1 : 0;
            }
        }
    }
    QVERIFY(byGroup.size() >= 6); // 4 models × 2 ops, minus pairs that did not happen

    QJsonObject request { { u"project_id"_s, p }, { u"start"_s, isoMs(startMs) }, { u"end"_s, isoMs(endMs) },
        { u"granularity"_s, 3 * 3600 }, { u"include_totals"_s, true },
        { u"usage_group_by"_s, QJsonArray { u"op_name"_s, u"model"_s } },
        { u"call_metrics"_s,
            QJsonArray {
                QJsonObject { { u"metric"_s, u"latency_ms"_s }, { u"percentiles"_s, QJsonArray { 50, 95 } } },
                QJsonObject { { u"metric"_s, u"error_count"_s } } } },
        { u"usage_metrics"_s,
            QJsonArray { QJsonObject { { u"metric"_s, u"requests"_s } },
                QJsonObject { { u"metric"_s, u"input_tokens"_s } },
                QJsonObject { { u"metric"_s, u"total_cost"_s },
                    { u"aggregations"_s, QJsonArray { u"sum"_s, u"count"_s } } } } } };
    Reply reply = stats(request);
    EXPECT_OK(reply);

    // Every bucket × (model, op) with usage, ordered by time, then model, then op: grouped by op the
    // grid's empty cells are left out.
    const QJsonArray buckets = reply.value(u"usage_buckets").toArray();
    qsizetype i = 0, cells = 0;
    for (qsizetype b = 0; b < starts.size(); ++b) {
        for (auto& [group, perBucket] : byGroup) {
            if (!perBucket.count(b))
                continue;
            ++cells;
            QVERIFY(i < buckets.size());
            const QJsonObject bucket = buckets[i++].toObject();
            const Sums& e = perBucket[b];
            const QString at = u"bucket %1 %2 %3"_s.arg(b).arg(group.first, group.second);
            QCOMPARE(bucket.value(u"timestamp").toString(), isoMicros(starts[b]));
            QCOMPARE(bucket.value(u"model").toString(), group.first);
            QVERIFY2(bucket.value(u"op_name").toString().endsWith(group.second), qPrintable(at));
            QCOMPARE(bucket.value(u"count").toInteger(), qint64(e.entries));
            EXPECT_NUMBER(bucket.value(u"sum_requests"), e.requests, at);
            EXPECT_NUMBER(bucket.value(u"sum_input_tokens"), e.input, at);
            EXPECT_NUMBER(bucket.value(u"sum_total_cost"), e.cost, at);
            EXPECT_NUMBER(bucket.value(u"count_total_cost"), e.priced, at); // unpriced entries have none
        }
    }

    QCOMPARE(buckets.size(), cells);
    QVERIFY(cells < starts.size() * qsizetype(byGroup.size())); // some (model, op) pairs miss buckets

    // Totals: the whole range as one bucket, percentiles exact over every call.
    const QJsonObject callTotals = reply.value(u"call_totals").toObject();
    QCOMPARE(callTotals.value(u"count").toInteger(), qint64(inRange));
    EXPECT_NUMBER(callTotals.value(u"sum_error_count"), errors, u"errors"_s);
    EXPECT_NUMBER(callTotals.value(u"p50_latency_ms"), percentile(latencies, 50), u"p50"_s);
    EXPECT_NUMBER(callTotals.value(u"p95_latency_ms"), percentile(latencies, 95), u"p95"_s);
    const QJsonArray usageTotals = reply.value(u"usage_totals").toArray();
    QCOMPARE(usageTotals.size(), qsizetype(byGroup.size()));
    for (const QJsonValue& total : usageTotals) {
        Sums e;
        for (const auto& [bucket, sums] :
            byGroup[{ total[u"model"].toString(), opShort(total[u"op_name"]) }]) {
            e.entries += sums.entries;
            e.cost += sums.cost;
        }
        QCOMPARE(total[u"count"].toInteger(), qint64(e.entries));
        EXPECT_NUMBER(total[u"sum_total_cost"], e.cost, total[u"model"].toString());
    }

    // By op alone: entries carry op_name and no model, summed over the models.
    request[u"usage_group_by"_s] = QJsonArray { u"op_name"_s };
    reply = stats(request);
    EXPECT_OK(reply);
    const QJsonArray opTotals = reply.value(u"usage_totals").toArray();
    QCOMPARE(opTotals.size(), qsizetype(byOp.size()));
    for (const QJsonValue& total : opTotals) {
        QVERIFY(!total.toObject().contains(u"model"));
        const Sums& e = byOp[opShort(total[u"op_name"])];
        QCOMPARE(total[u"count"].toInteger(), qint64(e.entries));
        EXPECT_NUMBER(total[u"sum_requests"], e.requests, u"op requests"_s);
        EXPECT_NUMBER(total[u"sum_total_cost"], e.cost, u"op cost"_s);
    }
    QVERIFY(reply.value(u"usage_buckets").toArray().size() <= starts.size() * qsizetype(byOp.size()));
    for (const QJsonValue& bucket : reply.value(u"usage_buckets").toArray())
        QVERIFY(bucket[u"count"].toInteger() > 0);
    // By model (hosted Weave's grouping) the grid stays whole: every bucket × every model seen.
    request[u"usage_group_by"_s] = QJsonArray { u"model"_s };
    reply = stats(request);
    EXPECT_OK(reply);
    QCOMPARE(reply.value(u"usage_buckets").toArray().size(),
        starts.size() * reply.value(u"usage_totals").toArray().size());
    QVERIFY(!reply.object().contains(u"usage_sample"));
}

// A loopback client that accepts brotli (as Qt does) gets JSON uncompressed: cpp-httplib's brotli
// takes seconds for a large /calls/stats answer (docs/benchmarks.md, dashboard). A JSON type with a
// parameter is what cpp-httplib leaves uncompressed.
void TestStatsExtensions::loopbackAnswersUncompressed()
{
    const QByteArray body = R"({"project_id": "stats/plain", "start": "2025-01-01T00:00:00Z",
        "end": "2025-01-02T00:00:00Z", "call_metrics": [{"metric": "call_count"}]})";
    const Reply reply = m_server.send(
        "POST", "/calls/stats", body, "application/json", { { "Accept-Encoding", "gzip, deflate, br" } });
    EXPECT_OK(reply);
    QCOMPARE(reply.contentType, QByteArray("application/json; charset=utf-8"));
    QCOMPARE(reply.value(u"call_buckets").toArray().size(), 4); // auto granularity: 6 h over a day
}

// usage_sample: the same points on every request, a bottom-k sample (a smaller sample is a subset
// of a larger one), the raw call's tokens and cost on every point, and all entries when N covers them.
void TestStatsExtensions::sampleIsStable()
{
    const QString p = testProject("stats");
    const qint64 startMs = msOf(u"2025-04-10T00:00:00Z"_s), endMs = msOf(u"2025-04-11T00:00:00Z"_s);
    const QList<Price>& prices = projectPrices(startMs + 3'600'000);
    createPrices(p, prices);
    const QList<RawCall> calls = makeCalls(startMs, endMs, {}, 5);
    QList<CallSpec> specs;
    for (const RawCall& call : calls)
        specs << specOf(call);
    EXPECT_OK(m_server.logCalls(p, specs));
    std::map<std::pair<QString, QString>, std::pair<const RawCall*, const Use*>> entries; // (id, model)
    for (const RawCall& call : calls)
        if (call.startMs >= startMs && call.startMs < endMs)
            for (const Use& use : call.usage)
                entries[{ call.id, use.model }] = { &call, &use };

    // The sample's "id/model" keys; a line saying what is wrong instead of a key for a bad point.
    const auto sample = [&](int n) -> QStringList {
        const Reply reply = stats(QJsonObject { { u"project_id"_s, p }, { u"start"_s, isoMs(startMs) },
            { u"end"_s, isoMs(endMs) }, { u"usage_sample"_s, n } });
        if (reply.status != 200 || reply.value(u"usage_sample_of").toInteger() != qint64(entries.size()))
            return { reply.describe() };
        QStringList keys;
        for (const QJsonValue& point : reply.value(u"usage_sample").toArray()) {
            const auto it = entries.find({ point[u"id"].toString(), point[u"model"].toString() });
            if (it == entries.end())
                return QStringList { u"not a call in range: "_s + point[u"id"].toString() };
            const auto [call, use] = it->second;
            const Price* price = priceFor(prices, use->model, call->startMs);
            const bool ok = point[u"input_tokens"].toDouble() == use->prompt
                && point[u"output_tokens"].toDouble() == use->completion
                && msOf(point[u"started_at"].toString()) == call->startMs
                && point[u"op_name"].toString().endsWith(call->op)
                && (price ? near(point[u"total_cost"].toDouble(),
                        use->prompt * price->prompt + use->completion * price->completion)
                          : point[u"total_cost"].isNull());
            keys << (ok ? QString(point[u"id"].toString() + u'/' + use->model)
                        : QString(u"wrong point "_s + call->id));
        }
        return keys;
    };
    const QStringList small = sample(10), large = sample(40), again = sample(40);
    QCOMPARE(small.size(), 10);
    QCOMPARE(large.size(), 40);
    QCOMPARE(again, large);
    for (const QString& key : small)
        QVERIFY2(large.contains(key), qPrintable(key));
    const QStringList all = sample(10000);
    QCOMPARE(all.size(), qsizetype(entries.size()));
    QCOMPARE(QSet<QString>(all.begin(), all.end()).size(), all.size());
}

QTEST_GUILESS_MAIN(TestStatsExtensions)
#include "tst_stats_extensions.moc"
