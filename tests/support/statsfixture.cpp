// What each helper is for, and why, is in statsfixture.h.
#include "support/statsfixture.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <cmath>
#include <random>

using namespace Qt::StringLiterals;

namespace spindle::test::statsfixture {

namespace {

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

const QStringList kModels = { u"spindle-stats-a"_s, u"spindle-stats-b"_s, u"spindle-stats-c"_s,
    u"spindle-stats-free"_s };

} // namespace

bool near(double actual, double expected)
{
    return std::fabs(actual - expected) <= 1e-9 * std::max(1.0, std::fabs(expected)) + 1e-15;
}

qint64 msOf(const QString& iso)
{
    return QDateTime::fromString(iso, Qt::ISODateWithMs).toMSecsSinceEpoch();
}

QString isoMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(u"yyyy-MM-ddTHH:mm:ss.zzzZ"_s);
}

QString isoMicros(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(u"yyyy-MM-ddTHH:mm:ss.zzz"_s)
        + u"000Z"_s;
}

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

double percentile(QList<double> values, double p)
{
    std::sort(values.begin(), values.end());
    const double position = p / 100.0 * double(values.size() - 1);
    const auto lower = qsizetype(std::floor(position));
    const auto upper = std::min(lower + 1, values.size() - 1);
    return values[lower] + (values[upper] - values[lower]) * (position - double(lower));
}

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

QList<RawCall> makeCalls(qint64 startMs, qint64 endMs, const QList<qint64>& edges, quint32 seed)
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

void StatsTestCase::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void StatsTestCase::cleanup()
{
    EXPECT_SERVER_HEALTHY(m_server);
}

Reply StatsTestCase::stats(const QJsonObject& request) const
{
    return m_server.post("/calls/stats", toJsonText(request));
}

void StatsTestCase::createPrices(const QString& project, const QList<Price>& prices)
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

} // namespace spindle::test::statsfixture
