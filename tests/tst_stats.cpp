// /calls/stats, /trace/usage and /calls/usage (weave-protocol.md 1.2, 2.3, 4). The expected numbers
// are computed here from the raw calls that were logged: bucket edges, time zones, empty buckets,
// percentiles, usage normalisation and prices that change on their effective dates.
#include "support/testserver.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>

using namespace Qt::StringLiterals;
using namespace spindle::test;

namespace {

bool near(double actual, double expected)
{
    return std::fabs(actual - expected) <= 1e-9 * std::max(1.0, std::fabs(expected)) + 1e-15;
}

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

qint64 msOf(const QString& iso)
{
    return QDateTime::fromString(iso, Qt::ISODateWithMs).toMSecsSinceEpoch();
}

QString isoMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(u"yyyy-MM-ddTHH:mm:ss.zzzZ"_s);
}

// The server's timestamps: UTC with microseconds.
QString isoMicros(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(u"yyyy-MM-ddTHH:mm:ss.zzz"_s)
        + u"000Z"_s;
}

struct Use
{
    QString model;
    double prompt = 0, completion = 0;
    std::optional<double> total; // reported total_tokens
    bool anthropicStyle = false; // input_tokens/output_tokens instead of prompt/completion
    double requests = 1;
};

struct RawCall
{
    QString id;
    qint64 startMs = 0;
    std::optional<qint64> endMs; // none: still running
    bool error = false;
    QString op = u"op_a"_s;
    QString parentId;
    QList<Use> usage;
};

struct Price
{
    QString model;
    qint64 effectiveMs;
    double prompt, completion;
};

// weave-protocol.md 4.2 for project rows only: effective at the call's start first, then the latest
// effective date (a model with only future prices still gets one).
const Price* priceFor(const QList<Price>& prices, const QString& model, qint64 atMs)
{
    const Price* best = nullptr;
    for (const Price& price : prices) {
        if (price.model != model)
            continue;
        const auto rank = [atMs](const Price& p) { return std::pair(p.effectiveMs <= atMs, p.effectiveMs); };
        if (!best || rank(price) > rank(*best))
            best = &price;
    }
    return best;
}

CallSpec specOf(const RawCall& call)
{
    CallSpec spec { .id = call.id, .opName = call.op, .startedAt = isoMs(call.startMs) };
    spec.parentId = call.parentId;
    if (call.endMs)
        spec.endedAt = isoMs(*call.endMs);
    if (call.error)
        spec.exception = u"RuntimeError: boom"_s;
    if (!call.usage.isEmpty()) {
        QJsonObject usage;
        for (const Use& use : call.usage) {
            QJsonObject entry { { u"requests"_s, use.requests } };
            entry[use.anthropicStyle ? u"input_tokens"_s : u"prompt_tokens"_s] = use.prompt;
            entry[use.anthropicStyle ? u"output_tokens"_s : u"completion_tokens"_s] = use.completion;
            if (use.total)
                entry[u"total_tokens"_s] = *use.total;
            usage[use.model] = entry;
        }
        spec.summary = toJsonText(QJsonObject { { u"usage"_s, usage } });
    }
    return spec;
}

// Linear interpolation between the closest ranks.
double percentile(QList<double> values, double p)
{
    std::sort(values.begin(), values.end());
    const double position = p / 100.0 * double(values.size() - 1);
    const auto lower = qsizetype(std::floor(position));
    const auto upper = std::min(lower + 1, values.size() - 1);
    return values[lower] + (values[upper] - values[lower]) * (position - double(lower));
}

// The bucket starts of [start, end), worked out independently of the server: whole days start at
// local midnight (daylight saving included), other sizes are uniform on the local clock at `start`.
QList<qint64> bucketStarts(qint64 startMs, qint64 endMs, qint64 seconds, const QString& timezone)
{
    QList<qint64> starts;
    const bool utc = timezone.isEmpty() || timezone == u"UTC"_s;
    const QTimeZone zone = utc ? QTimeZone::utc() : QTimeZone(timezone.toUtf8());
    if (!utc && seconds % 86400 == 0) {
        const qint64 days = seconds / 86400;
        const QDate startDay = QDateTime::fromMSecsSinceEpoch(startMs, zone).date();
        QDate day = QDate::fromJulianDay(floorDiv(startDay.toJulianDay() - 2440588, days) * days + 2440588);
        for (qint64 at = QDateTime(day, QTime(0, 0), zone).toMSecsSinceEpoch(); at < endMs;) {
            starts << at;
            day = day.addDays(days);
            at = QDateTime(day, QTime(0, 0), zone).toMSecsSinceEpoch();
        }
        return starts;
    }
    const qint64 offset =
        qint64(zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(startMs, QTimeZone::utc()))) * 1000;
    for (qint64 at = floorDiv(startMs + offset, seconds * 1000) * seconds * 1000 - offset; at < endMs;
         at += seconds * 1000)
        starts << at;
    return starts;
}

qsizetype bucketOf(const QList<qint64>& starts, qint64 ms)
{
    return std::upper_bound(starts.begin(), starts.end(), ms) - starts.begin() - 1;
}

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

const QList<Price>& projectPrices(qint64 changeMs)
{
    static QList<Price> prices;
    prices = {
        { u"spindle-stats-a"_s, msOf(u"2020-01-01T00:00:00Z"_s), 1e-6, 2e-6 },
        { u"spindle-stats-b"_s, msOf(u"2020-01-01T00:00:00Z"_s), 3e-6, 4e-6 },
        { u"spindle-stats-b"_s, changeMs, 5e-6, 6e-6 }, // changes inside the range, mid-bucket
        { u"spindle-stats-c"_s, msOf(u"2030-01-01T00:00:00Z"_s), 7e-6, 8e-6 }, // only a future price
    };
    return prices;
}

const QStringList kModels = { u"spindle-stats-a"_s, u"spindle-stats-b"_s, u"spindle-stats-c"_s,
    u"spindle-stats-free"_s };

// The op name at the end of an op ref ("weave:///p/op/op_a:digest" → "op_a").
QString opShort(const QJsonValue& opName)
{
    const QString text = opName.toString();
    const qsizetype slash = text.lastIndexOf(u'/');
    return text.mid(slash + 1).section(u':', 0, 0);
}

} // namespace

#define EXPECT_NUMBER(value, expected, what)                                                                 \
    do {                                                                                                     \
        const QJsonValue v_ = (value);                                                                       \
        const double e_ = (expected);                                                                        \
        QVERIFY2(v_.isDouble() && near(v_.toDouble(), e_),                                                   \
            qPrintable(u"%1: got %2, expected %3"_s.arg(what, QString::fromUtf8(toJsonText(v_)))             \
                           .arg(e_, 0, 'g', 17)));                                                           \
    } while (false)

#define EXPECT_NULL(value, what)                                                                             \
    QVERIFY2((value).isNull(),                                                                               \
        qPrintable(u"%1: got %2, expected null"_s.arg(what, QString::fromUtf8(toJsonText(value)))))

class TestStats : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void bucketsMatchRawCalls_data();
    void bucketsMatchRawCalls();
    void daylightSavingDayBuckets_data();
    void daylightSavingDayBuckets();
    void costsMatchIncludeCosts();
    void filterAndQuery();
    void granularityChoice_data();
    void granularityChoice();
    void emptyRangeAndNoMetrics();
    void defaultsAndAggregations();
    void badRequests_data();
    void badRequests();
    void extensionsMatchRawCalls();
    void sampleIsStable();
    void loopbackAnswersUncompressed();

    void traceUsageRollsUp();
    void traceUsageCosts();
    void callsUsage();
    void usageBadRequests_data();
    void usageBadRequests();

private:
    QList<RawCall> makeCalls(qint64 startMs, qint64 endMs, const QList<qint64>& edges, quint32 seed) const;
    Reply stats(const QJsonObject& request) const;
    void createPrices(const QString& project, const QList<Price>& prices);

    TestServer m_server;
};

void TestStats::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestStats::cleanup()
{
    EXPECT_SERVER_HEALTHY(m_server);
}

Reply TestStats::stats(const QJsonObject& request) const
{
    return m_server.post("/calls/stats", toJsonText(request));
}

void TestStats::createPrices(const QString& project, const QList<Price>& prices)
{
    for (const Price& price : prices) {
        const QJsonObject costs { { price.model,
            QJsonObject { { u"prompt_token_cost"_s, price.prompt },
                { u"completion_token_cost"_s, price.completion },
                { u"effective_date"_s, isoMs(price.effectiveMs) } } } };
        const Reply reply = m_server.post(
            "/cost/create", toJsonText(QJsonObject { { u"project_id"_s, project }, { u"costs"_s, costs } }));
        QVERIFY2(reply.status == 200, qPrintable(reply.describe()));
    }
}

// Random calls around [start, end) plus calls exactly on, just before and just after bucket edges
// (some of which end in a later bucket), running calls, errors and usage in both token styles.
QList<RawCall> TestStats::makeCalls(
    qint64 startMs, qint64 endMs, const QList<qint64>& edges, quint32 seed) const
{
    std::mt19937 rng(seed);
    const auto uniform = [&](qint64 lo, qint64 hi) { return lo + qint64(rng() % quint64(hi - lo)); };
    QList<qint64> times;
    for (int i = 0; i < 160; ++i)
        times << uniform(startMs - 3'600'000, endMs + 3'600'000);
    for (qsizetype i = 0; i < std::min<qsizetype>(edges.size(), 8); ++i)
        times << edges[i] << edges[i] - 1 << edges[i] + 1;
    times << startMs << startMs - 1 << endMs << endMs - 1;
    QList<RawCall> calls;
    for (qsizetype i = 0; i < times.size(); ++i) {
        RawCall call;
        call.id = u"c%1"_s.arg(i, 4, 10, QChar(u'0'));
        call.startMs = times[i];
        // Edge calls run across the next edge; the rest take up to 5 s.
        if (i % 7 != 3)
            call.endMs = call.startMs + (i >= 160 ? 3'700'000 : uniform(0, 5000));
        // The exception and the summary travel with the end: running calls have neither.
        call.error = i % 11 == 5 && call.endMs;
        call.op = i % 3 == 0 ? u"op_b"_s : u"op_a"_s;
        if (i % 4 != 1 && call.endMs) {
            Use use;
            use.model = kModels[i % kModels.size()];
            use.prompt = double(uniform(1, 1000));
            use.completion = double(uniform(0, 300));
            use.anthropicStyle = i % 5 == 2;
            use.requests = double(1 + i % 3);
            if (i % 3 != 2)
                use.total = use.prompt + use.completion + (i % 6 == 0 ? 7 : 0); // reported (may differ)
            call.usage << use;
            if (i % 8 == 0) // a second model on the same call
                call.usage << Use { kModels[(i + 1) % kModels.size()], 5, 6, std::nullopt, false };
        }
        calls << call;
    }
    return calls;
}

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
}

void TestStats::granularityChoice_data()
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

void TestStats::granularityChoice()
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

void TestStats::emptyRangeAndNoMetrics()
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

// A metric without aggregations or percentiles is a sum; repeated metrics merge; error_count and
// call_count percentiles come from their 0/1 values.
void TestStats::defaultsAndAggregations()
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

void TestStats::badRequests_data()
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

void TestStats::badRequests()
{
    QFETCH(QByteArray, body);
    EXPECT_API_ERROR(m_server.post("/calls/stats", body), 400);
}

// Spindle extensions: usage grouped by model and op, the range's totals (exact percentiles) and the
// `requests` metric, against sums from the raw calls.
void TestStats::extensionsMatchRawCalls()
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

    // Every bucket × every (model, op) seen, ordered by time, then model, then op.
    const QJsonArray buckets = reply.value(u"usage_buckets").toArray();
    QCOMPARE(buckets.size(), starts.size() * qsizetype(byGroup.size()));
    qsizetype i = 0;
    for (qsizetype b = 0; b < starts.size(); ++b) {
        for (auto& [group, perBucket] : byGroup) {
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
    QCOMPARE(reply.value(u"usage_buckets").toArray().size(), starts.size() * qsizetype(byOp.size()));
    QVERIFY(!reply.object().contains(u"usage_sample"));
}

// A loopback client that accepts brotli (as Qt does) gets JSON uncompressed: cpp-httplib's brotli
// takes seconds for a large /calls/stats answer (docs/benchmarks.md, dashboard). A JSON type with a
// parameter is what cpp-httplib leaves uncompressed.
void TestStats::loopbackAnswersUncompressed()
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
void TestStats::sampleIsStable()
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

namespace {

// root ─┬─ child (A 10/5) ── grandchild (A 1/1, B 2/2)
//       └─ running (no end yet, so no summary either)
// The root itself has A 100/50; "lonely" is another trace.
QList<CallSpec> usageTree()
{
    const auto call = [](const char* id, const char* parent, int ms, const QByteArray& usage,
                          bool ended = true) {
        CallSpec spec { .id = QString::fromLatin1(id), .traceId = u"t1"_s, .startedAt = isoAt(ms) };
        spec.parentId = QString::fromLatin1(parent);
        if (ended)
            spec.endedAt = isoAt(ms + 500);
        if (!usage.isEmpty())
            spec.summary = "{\"usage\": " + usage + "}";
        return spec;
    };
    QList<CallSpec> specs {
        call("root", "", 0,
            R"({"spindle-use-a": {"requests": 1, "prompt_tokens": 100, "completion_tokens": 50}})"),
        call("child", "root", 10,
            R"({"spindle-use-a": {"requests": 1, "prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})"),
        call("grandchild", "child", 20,
            R"({"spindle-use-a": {"requests": 1, "input_tokens": 1, "output_tokens": 1},
                "spindle-use-b": {"requests": 1, "prompt_tokens": 2, "completion_tokens": 2,
                                  "cache_read_input_tokens": 1},
                "zero-model": {"requests": 0}})"),
        call("running", "root", 30, {}, false),
        call("plain", "child", 40, {}),
    };
    CallSpec lonely { .id = u"lonely"_s, .traceId = u"t2"_s, .startedAt = isoAt(50), .endedAt = isoAt(60) };
    lonely.summary =
        R"({"usage": {"spindle-use-a": {"requests": 1, "prompt_tokens": 7, "completion_tokens": 7}}})";
    specs << lonely;
    return specs;
}

} // namespace

void TestStats::traceUsageRollsUp()
{
    const QString p = testProject("usage");
    EXPECT_OK(m_server.logCalls(p, usageTree()));
    const Reply reply = m_server.post(
        "/trace/usage", fill(R"({"project_id": "{{p}}", "filter": {"trace_ids": ["t1"]}})", { { "p", p } }));
    EXPECT_OK(reply);
    const QJsonObject usage = reply.value(u"call_usage").toObject();
    QCOMPARE(
        usage.keys(), (QStringList { u"child"_s, u"grandchild"_s, u"plain"_s, u"root"_s, u"running"_s }));
    // Leaves: their own usage; a model with all-zero numbers is left out.
    const QJsonObject grandchild = usage.value(u"grandchild").toObject();
    QCOMPARE(grandchild.keys(), (QStringList { u"spindle-use-a"_s, u"spindle-use-b"_s }));
    QCOMPARE(grandchild[u"spindle-use-a"][u"prompt_tokens"].toInt(), 1);
    QCOMPARE(
        grandchild[u"spindle-use-a"][u"total_tokens"].toInt(), 2); // prompt + completion when not reported
    QCOMPARE(grandchild[u"spindle-use-b"][u"cache_read_input_tokens"].toInt(), 1);
    QVERIFY(grandchild[u"spindle-use-b"][u"prompt_tokens_total_cost"].isNull()); // no include_costs
    QCOMPARE(usage.value(u"plain").toObject(), QJsonObject());
    // child = own + grandchild (+ plain, which has none).
    const QJsonObject child = usage.value(u"child").toObject();
    QCOMPARE(child[u"spindle-use-a"][u"requests"].toInt(), 2);
    QCOMPARE(child[u"spindle-use-a"][u"prompt_tokens"].toInt(), 11);
    QCOMPARE(child[u"spindle-use-a"][u"completion_tokens"].toInt(), 6);
    QCOMPARE(child[u"spindle-use-a"][u"total_tokens"].toInt(), 17);
    QCOMPARE(child[u"spindle-use-b"][u"total_tokens"].toInt(), 4);
    QCOMPARE(usage.value(u"running").toObject(), QJsonObject());
    // root = everything in the trace.
    const QJsonObject root = usage.value(u"root").toObject();
    QCOMPARE(root[u"spindle-use-a"][u"requests"].toInt(), 3);
    QCOMPARE(root[u"spindle-use-a"][u"prompt_tokens"].toInt(), 111);
    QCOMPARE(root[u"spindle-use-a"][u"total_tokens"].toInt(), 167);
    QCOMPARE(root[u"spindle-use-b"][u"requests"].toInt(), 1);
    QCOMPARE(root[u"spindle-use-b"][u"prompt_tokens"].toInt(), 2);
    const QJsonObject fields = root[u"spindle-use-b"].toObject();
    for (const char* key :
        { "requests", "prompt_tokens", "completion_tokens", "total_tokens", "cache_read_input_tokens",
            "cache_creation_input_tokens", "prompt_tokens_total_cost", "completion_tokens_total_cost",
            "cache_read_input_tokens_total_cost", "cache_creation_input_tokens_total_cost" })
        QVERIFY2(fields.contains(QLatin1StringView(key)), key);
    QCOMPARE(reply.value(u"unfinished_call_ids").toArray(), QJsonArray { u"running"_s });

    // A filter that leaves out the descendants rolls up only what it matched.
    const Reply roots = m_server.post("/trace/usage",
        fill(R"({"project_id": "{{p}}", "filter": {"trace_roots_only": true}})", { { "p", p } }));
    EXPECT_OK(roots);
    const QJsonObject rootsUsage = roots.value(u"call_usage").toObject();
    QCOMPARE(rootsUsage.keys(), (QStringList { u"lonely"_s, u"root"_s }));
    QCOMPARE(rootsUsage[u"root"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 100);
    // limit: the first calls by started_at.
    const Reply limited =
        m_server.post("/trace/usage", fill(R"({"project_id": "{{p}}", "limit": 2})", { { "p", p } }));
    EXPECT_OK(limited);
    QCOMPARE(limited.value(u"call_usage").toObject().keys(), (QStringList { u"child"_s, u"root"_s }));
    QCOMPARE(limited.value(u"call_usage")[u"root"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 110);
}

void TestStats::traceUsageCosts()
{
    const QString p = testProject("usage");
    createPrices(p,
        { { u"spindle-use-a"_s, msOf(u"2020-01-01T00:00:00Z"_s), 1e-6, 2e-6 },
            { u"spindle-use-a"_s, msOf(u"2025-01-01T00:00:00.015Z"_s), 10e-6, 20e-6 } }); // from "child" on
    EXPECT_OK(m_server.logCalls(p, usageTree()));
    const Reply reply = m_server.post("/trace/usage",
        fill(R"({"project_id": "{{p}}", "include_costs": true, "filter": {"trace_ids": ["t1"]}})",
            { { "p", p } }));
    EXPECT_OK(reply);
    const QJsonObject root = reply.value(u"call_usage")[u"root"].toObject();
    // root (started before the change): 100 × 1e-6 / 50 × 2e-6; child (before the change, 10 ms):
    // 10 × 1e-6 / 5 × 2e-6; grandchild (after): 1 × 10e-6 / 1 × 20e-6.
    EXPECT_NUMBER(
        root[u"spindle-use-a"][u"prompt_tokens_total_cost"], 100e-6 + 10e-6 + 10e-6, u"prompt cost"_s);
    EXPECT_NUMBER(root[u"spindle-use-a"][u"completion_tokens_total_cost"], 100e-6 + 10e-6 + 20e-6,
        u"completion cost"_s);
    // An unpriced model: costs are 0, not null, once include_costs is set.
    EXPECT_NUMBER(root[u"spindle-use-b"][u"prompt_tokens_total_cost"], 0, u"unpriced cost"_s);

    // Each call's own costs are what include_costs shows for it.
    const Reply call = m_server.post("/calls/query",
        fill(R"({"project_id": "{{p}}", "include_costs": true, "filter": {"call_ids": ["grandchild"]}})",
            { { "p", p } }));
    const QJsonObject own =
        call.value(u"calls")[0][u"summary"][u"weave"][u"costs"][u"spindle-use-a"].toObject();
    const QJsonObject rolled = reply.value(u"call_usage")[u"grandchild"][u"spindle-use-a"].toObject();
    EXPECT_NUMBER(rolled[u"prompt_tokens_total_cost"], own[u"prompt_tokens_total_cost"].toDouble(),
        u"own prompt cost"_s);
}

void TestStats::callsUsage()
{
    const QString p = testProject("usage");
    EXPECT_OK(m_server.logCalls(p, usageTree()));
    const Reply reply = m_server.post("/calls/usage",
        fill(R"({"project_id": "{{p}}", "call_ids": ["child", "root", "no-such-call", "child"]})",
            { { "p", p } }));
    EXPECT_OK(reply);
    const QJsonObject usage = reply.value(u"call_usage").toObject();
    QCOMPARE(usage.keys(), (QStringList { u"child"_s, u"no-such-call"_s, u"root"_s }));
    QCOMPARE(usage[u"child"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 11);
    QCOMPARE(usage[u"root"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 111);
    QCOMPARE(usage[u"root"][u"spindle-use-b"][u"prompt_tokens"].toInt(), 2);
    QCOMPARE(usage.value(u"no-such-call").toObject(), QJsonObject());
    QCOMPARE(reply.value(u"unfinished_call_ids").toArray(), QJsonArray());

    const Reply running = m_server.post("/calls/usage",
        fill(R"({"project_id": "{{p}}", "call_ids": ["running"], "include_costs": true})", { { "p", p } }));
    EXPECT_OK(running);
    QCOMPARE(running.value(u"unfinished_call_ids").toArray(), QJsonArray { u"running"_s });
    QCOMPARE(running.value(u"call_usage")[u"running"].toObject(), QJsonObject());

    // A deleted call is unknown.
    EXPECT_OK(m_server.post(
        "/calls/delete", fill(R"({"project_id": "{{p}}", "call_ids": ["grandchild"]})", { { "p", p } })));
    const Reply afterDelete = m_server.post("/calls/usage",
        fill(R"({"project_id": "{{p}}", "call_ids": ["grandchild", "child"]})", { { "p", p } }));
    EXPECT_OK(afterDelete);
    QCOMPARE(afterDelete.value(u"call_usage")[u"grandchild"].toObject(), QJsonObject());
    QCOMPARE(afterDelete.value(u"call_usage")[u"child"][u"spindle-use-a"][u"prompt_tokens"].toInt(), 10);

    // The traces hold more calls than the limit: refuse rather than return partial sums.
    EXPECT_API_ERROR(
        m_server.post("/calls/usage",
            fill(R"({"project_id": "{{p}}", "call_ids": ["root"], "limit": 2})", { { "p", p } })),
        413);
    // No ids: nothing to do.
    const Reply none =
        m_server.post("/calls/usage", fill(R"({"project_id": "{{p}}", "call_ids": []})", { { "p", p } }));
    EXPECT_OK(none);
    QCOMPARE(none.value(u"call_usage").toObject(), QJsonObject());
}

void TestStats::usageBadRequests_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("calls/usage without call_ids")
        << QByteArray("/calls/usage") << QByteArray(R"({"project_id": "u/bad"})");
    QTest::newRow("calls/usage ids not strings")
        << QByteArray("/calls/usage") << QByteArray(R"({"project_id": "u/bad", "call_ids": [1]})");
    QTest::newRow("calls/usage limit 0") << QByteArray(
        "/calls/usage") << QByteArray(R"({"project_id": "u/bad", "call_ids": ["a"], "limit": 0})");
    QTest::newRow("trace/usage negative limit")
        << QByteArray("/trace/usage") << QByteArray(R"({"project_id": "u/bad", "limit": -1})");
    QTest::newRow("trace/usage bad filter") << QByteArray(
        "/trace/usage") << QByteArray(R"({"project_id": "u/bad", "filter": {"call_ids": "a"}})");
    QTest::newRow("trace/usage include_costs not bool")
        << QByteArray("/trace/usage") << QByteArray(R"({"project_id": "u/bad", "include_costs": "yes"})");
    QTest::newRow("trace/usage no project") << QByteArray("/trace/usage") << QByteArray(R"({})");
}

void TestStats::usageBadRequests()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    EXPECT_API_ERROR(m_server.post(path.constData(), body), 400);
}

QTEST_GUILESS_MAIN(TestStats)
#include "tst_stats.moc"
