#pragma once

// Shared by the /calls/stats, /trace/usage and /calls/usage tests (tst_stats, tst_stats_requests,
// tst_stats_extensions, tst_usage). The expected numbers of those tests are computed from the raw
// calls that were logged, so the raw-call model, the price rules and the bucket arithmetic live here
// once, written independently of the server's code.

#include "support/testserver.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QString>

#include <optional>

namespace spindle::test::statsfixture {

// Equal within a relative 1e-9: sums of costs differ in the last bits depending on the order in
// which the server and this test add them.
bool near(double actual, double expected);

qint64 msOf(const QString& iso);
// "2025-01-01T00:00:00.000Z": what the tests send.
QString isoMs(qint64 ms);
// The server's timestamps: UTC with microseconds.
QString isoMicros(qint64 ms);

// One model's entry in a call's summary.usage.
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
    QString op = QStringLiteral("op_a");
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
const Price* priceFor(const QList<Price>& prices, const QString& model, qint64 atMs);

CallSpec specOf(const RawCall& call);

// Linear interpolation between the closest ranks.
double percentile(QList<double> values, double p);

// The bucket starts of [start, end), worked out independently of the server: whole days start at
// local midnight (daylight saving included), other sizes are uniform on the local clock at `start`.
QList<qint64> bucketStarts(qint64 startMs, qint64 endMs, qint64 seconds, const QString& timezone);
// The index of the bucket holding `ms` (-1 before the first).
qsizetype bucketOf(const QList<qint64>& starts, qint64 ms);

// The project's prices: one model priced throughout, one whose price changes at `changeMs`, one with
// only a future price, and "spindle-stats-free" with none. The list stays valid until the next call.
const QList<Price>& projectPrices(qint64 changeMs);

// Random calls around [start, end) plus calls exactly on, just before and just after bucket edges
// (some of which end in a later bucket), running calls, errors and usage in both token styles.
QList<RawCall> makeCalls(qint64 startMs, qint64 endMs, const QList<qint64>& edges, quint32 seed);

// The server every test function of one executable talks to. Test classes derive from this:
// QtTest finds the inherited initTestCase() and cleanup() slots by name.
class StatsTestCase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

protected:
    Reply stats(const QJsonObject& request) const;
    void createPrices(const QString& project, const QList<Price>& prices);

    TestServer m_server;
};

} // namespace spindle::test::statsfixture

// A JSON number equal to `expected` (see near()), with the label `what` in the failure message.
#define EXPECT_NUMBER(value, expected, what)                                                                 \
    do {                                                                                                     \
        const QJsonValue v_ = (value);                                                                       \
        const double e_ = (expected);                                                                        \
        QVERIFY2(v_.isDouble() && spindle::test::statsfixture::near(v_.toDouble(), e_),                      \
            qPrintable(QStringLiteral("%1: got %2, expected %3")                                             \
                           .arg(what, QString::fromUtf8(spindle::test::toJsonText(v_)))                      \
                           .arg(e_, 0, 'g', 17)));                                                           \
    } while (false)

#define EXPECT_NULL(value, what)                                                                             \
    QVERIFY2((value).isNull(),                                                                               \
        qPrintable(QStringLiteral("%1: got %2, expected null")                                               \
                       .arg(what, QString::fromUtf8(spindle::test::toJsonText(value)))))
