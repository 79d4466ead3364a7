// The dashboard's data from Spindle's /calls/stats extensions (exact totals, usage by op, the usage
// sample), unpriced models, what-if prices and the project cost report. Pure: no server, no widgets.

#include "models/costanalysis.h"
#include "models/dashboardmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QtTest>

using namespace spindle;
using namespace spindle::models;

namespace {

const QString kOpV1 = QStringLiteral("weave:///acme/app/op/answer:v1digest");
const QString kOpV2 = QStringLiteral("weave:///acme/app/op/answer:v2digest");
const QString kOpOther = QStringLiteral("weave:///acme/app/op/embed:d1");

QJsonObject usage(const char* ts, const char* model, const QString& op, double cost, int priced, int in,
    int out, int count, int requests)
{
    return QJsonObject { { QStringLiteral("timestamp"), QLatin1String(ts) },
        { QStringLiteral("model"), QLatin1String(model) }, { QStringLiteral("op_name"), op },
        { QStringLiteral("sum_total_cost"), cost }, { QStringLiteral("count_total_cost"), priced },
        { QStringLiteral("sum_input_cost"), cost / 2 }, { QStringLiteral("sum_output_cost"), cost / 2 },
        { QStringLiteral("sum_input_tokens"), in }, { QStringLiteral("sum_output_tokens"), out },
        { QStringLiteral("sum_requests"), requests }, { QStringLiteral("count"), count } };
}

QJsonObject sample(const char* id, const char* model, double in, double out, QJsonValue cost)
{
    return QJsonObject { { QStringLiteral("id"), QLatin1String(id) },
        { QStringLiteral("trace_id"), QStringLiteral("t") }, { QStringLiteral("op_name"), kOpV1 },
        { QStringLiteral("started_at"), QStringLiteral("2025-03-01T10:05:00.123000Z") },
        { QStringLiteral("model"), QLatin1String(model) }, { QStringLiteral("input_tokens"), in },
        { QStringLiteral("output_tokens"), out }, { QStringLiteral("total_cost"), cost } };
}

// Two hourly buckets, grouped by model and op, with the range's totals and a sample (as Spindle's
// server answers include_totals, usage_group_by [model, op_name] and usage_sample).
QJsonObject extendedResponse()
{
    const QJsonArray buckets { usage("2025-03-01T10:00:00Z", "gpt-4o", kOpV1, 0.30, 3, 3000, 300, 3, 5),
        usage("2025-03-01T10:00:00Z", "gpt-4o", kOpV2, 0.10, 1, 1000, 100, 1, 1),
        usage("2025-03-01T10:00:00Z", "my-finetune", kOpOther, 0, 0, 500, 50, 2, 2),
        usage("2025-03-01T11:00:00Z", "gpt-4o", kOpV1, 0.20, 2, 2000, 200, 2, 2),
        usage("2025-03-01T11:00:00Z", "gpt-4o", kOpV2, 0, 0, 0, 0, 0, 0),
        usage("2025-03-01T11:00:00Z", "my-finetune", kOpOther, 0, 0, 0, 0, 0, 0) };
    QJsonArray totals;
    totals.append(usage("", "gpt-4o", kOpV1, 0.50, 5, 5000, 500, 5, 7));
    totals.append(usage("", "gpt-4o", kOpV2, 0.10, 1, 1000, 100, 1, 1));
    totals.append(usage("", "my-finetune", kOpOther, 0, 0, 500, 50, 2, 2));
    const auto call = [](const char* ts, int n) {
        return QJsonObject { { QStringLiteral("timestamp"), QLatin1String(ts) },
            { QStringLiteral("sum_call_count"), n }, { QStringLiteral("sum_error_count"), 0 },
            { QStringLiteral("p50_latency_ms"), 100 * n }, { QStringLiteral("p95_latency_ms"), 200 * n },
            { QStringLiteral("count"), n } };
    };
    return QJsonObject { { QStringLiteral("granularity"), 3600 },
        { QStringLiteral("usage_buckets"), buckets },
        { QStringLiteral("call_buckets"),
            QJsonArray { call("2025-03-01T10:00:00Z", 4), call("2025-03-01T11:00:00Z", 2) } },
        { QStringLiteral("call_totals"),
            QJsonObject { { QStringLiteral("sum_call_count"), 6 }, { QStringLiteral("sum_error_count"), 1 },
                { QStringLiteral("p50_latency_ms"), 333 }, { QStringLiteral("p95_latency_ms"), 777 },
                { QStringLiteral("count"), 6 } } },
        { QStringLiteral("usage_totals"), totals },
        { QStringLiteral("usage_sample"),
            QJsonArray { sample("c1", "gpt-4o", 1000, 100, 0.1),
                sample("c2", "my-finetune", 250, 25, QJsonValue::Null),
                sample("c3", "gpt-4o", 2000, 200, 0.2) } },
        { QStringLiteral("usage_sample_of"), 8 } };
}

} // namespace

class TestCostAnalysis : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void summaryFromTotals();
    void seriesByOpAndScatter();
    void requestAsksForExtensions();
    void whatIfPrices();
    void pricePerMillionInput_data();
    void pricePerMillionInput();
    void costReportAndUnpricedTable();
    void cachedPromptsHaveNoSingleInputPrice();
};

void TestCostAnalysis::summaryFromTotals()
{
    const StatsSummary s = parseStatsSummary(extendedResponse());
    // Exact totals from call_totals, not the call-weighted mean of bucket percentiles (266.7).
    QCOMPARE(s.totals.calls, 6);
    QCOMPARE(s.totals.errors, 1);
    QCOMPARE(*s.totals.p50LatencyMs, 333.0);
    QCOMPARE(*s.totals.p95LatencyMs, 777.0);
    // usage_totals by (model, op) summed per model; requests from sum_requests, not entries.
    QCOMPARE(s.models.size(), 2);
    QCOMPARE(s.models[0].model, QStringLiteral("gpt-4o"));
    QCOMPARE(s.models[0].requests, 8);
    QCOMPARE(s.models[0].entries, 6);
    QCOMPARE(s.models[0].inputTokens, 6000);
    QVERIFY(std::abs(s.models[0].cost - 0.6) < 1e-12);
    QVERIFY(std::abs(*s.models[0].inputPerMillion() - 50.0) < 1e-9); // $0.30 for 6000 tokens
    QVERIFY(!s.models[1].hasPrice());
    QVERIFY(!s.models[1].inputPerMillion());
    QCOMPARE(s.unpricedModels(), QStringList { QStringLiteral("my-finetune") });
    QVERIFY(s.totals.hasCost);
    QCOMPARE(s.totals.requests, 10);
}

void TestCostAnalysis::seriesByOpAndScatter()
{
    const StatsTimeSeries s = parseStatsSeries(extendedResponse(), 1);
    QVERIFY(s.hasOps);
    // The two versions of "answer" are one series; "embed" has no cost, so no series.
    QCOMPARE(s.costByOp.size(), 1);
    QCOMPARE(s.costByOp[0].name, QStringLiteral("answer"));
    QCOMPARE(s.costByOp[0].points.size(), 2);
    QVERIFY(std::abs(s.costByOp[0].points[0].y() - 0.4) < 1e-12);
    QCOMPARE(s.opFilters.value(QStringLiteral("answer")), QStringLiteral("weave:///acme/app/op/answer:*"));
    QCOMPARE(s.costByModel.size(), 1); // my-finetune is unpriced: nothing to stack
    // The scatter: top 1 model by points, then "other"; each point names its sample entry.
    QCOMPARE(s.sample.size(), 3);
    QCOMPARE(s.sampledFrom, 8);
    QCOMPARE(s.scatter.size(), 2);
    QCOMPARE(s.scatter[0].name, QStringLiteral("gpt-4o"));
    QCOMPARE(s.scatter[0].points, (QVector<QPointF> { { 1000, 100 }, { 2000, 200 } }));
    QCOMPARE(s.scatter[0].sampleIndex, (QVector<int> { 0, 2 }));
    QCOMPARE(s.scatter[1].name, QStringLiteral("other"));
    QCOMPARE(s.sample[s.scatter[1].sampleIndex[0]].callId, QStringLiteral("c2"));
    QVERIFY(!s.sample[1].cost);
    QCOMPARE(s.sample[0].startedAt.toMSecsSinceEpoch() % 1000, 123);

    QCOMPARE(opFilterFor(QStringLiteral("openai.chat.completions.create")),
        QStringLiteral("openai.chat.completions.create"));
    QVERIFY(!parseStatsSeries(QJsonObject {}).hasOps);
}

void TestCostAnalysis::requestAsksForExtensions()
{
    const QDateTime start = QDateTime::fromSecsSinceEpoch(1740000000, Qt::UTC);
    const QJsonObject ext = statsRequest(QStringLiteral("a/b"), start, start.addSecs(3600), {}, std::nullopt,
        StatsOptions { 60, true, true, 2000 });
    QCOMPARE(ext.value(QStringLiteral("granularity")).toInt(), 60);
    QVERIFY(ext.value(QStringLiteral("include_totals")).toBool());
    QCOMPARE(ext.value(QStringLiteral("usage_sample")).toInt(), 2000);
    QCOMPARE(ext.value(QStringLiteral("usage_group_by")).toArray().size(), 2);
    QVERIFY(QJsonDocument(ext).toJson().contains("\"requests\""));
    // Plain protocol form for other servers: no extension keys and no `requests` metric.
    const QJsonObject plain = statsRequest(QStringLiteral("a/b"), start, start.addSecs(3600), {},
        std::nullopt, StatsOptions { 60, true, true, 2000 }, false);
    for (const char* key : { "include_totals", "usage_sample", "usage_group_by" })
        QVERIFY2(!plain.contains(QLatin1String(key)), key);
    QVERIFY(!QJsonDocument(plain).toJson().contains("\"requests\""));
}

void TestCostAnalysis::whatIfPrices()
{
    const QVector<ModelUsage> models = parseStatsSummary(extendedResponse()).models;
    // gpt-4o at $1 in / $2 out per million: 6000 × 1e-6 + 600 × 2e-6 = 0.0072.
    WhatIfResult r = whatIf(models, { QStringLiteral("gpt-4o"), 1, 2 });
    QVERIFY(r.modelFound && r.modelPriced);
    QVERIFY(std::abs(r.currentTotal - 0.6) < 1e-12);
    QVERIFY(std::abs(r.whatIfModel - 0.0072) < 1e-12);
    QVERIFY(std::abs(r.whatIfTotal - 0.0072) < 1e-12); // the other model has no cost either way
    // Pricing the unpriced model adds its cost; gpt-4o keeps its own.
    r = whatIf(models, { QStringLiteral("my-finetune"), 10, 20 });
    QVERIFY(r.modelFound && !r.modelPriced);
    QVERIFY(std::abs(r.whatIfTotal - (0.6 + 0.005 + 0.001)) < 1e-12);
    const QHash<QString, double> costs = whatIfCosts(models, { QStringLiteral("my-finetune"), 10, 20 });
    QVERIFY(std::abs(costs.value(QStringLiteral("gpt-4o")) - 0.6) < 1e-12);
    // Re-pricing another model leaves the unpriced one unknown.
    QVERIFY(!whatIfCosts(models, { QStringLiteral("gpt-4o"), 1, 1 }).contains(QStringLiteral("my-finetune")));
    QVERIFY(!whatIf(models, { QStringLiteral("nope"), 1, 1 }).modelFound);
}

void TestCostAnalysis::pricePerMillionInput_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("expected"); // -1: refused
    QTest::newRow("plain") << QStringLiteral("2.5") << 2.5;
    QTest::newRow("dollar") << QStringLiteral(" $10 ") << 10.0;
    QTest::newRow("zero") << QStringLiteral("0") << 0.0;
    QTest::newRow("negative") << QStringLiteral("-1") << -1.0;
    QTest::newRow("words") << QStringLiteral("cheap") << -1.0;
    QTest::newRow("empty") << QString() << -1.0;
    QTest::newRow("infinite") << QStringLiteral("inf") << -1.0;
    QTest::newRow("absurd") << QStringLiteral("5e9") << -1.0;
}

void TestCostAnalysis::pricePerMillionInput()
{
    QFETCH(QString, text);
    QFETCH(double, expected);
    QString error;
    const auto price = parsePricePerMillion(text, &error);
    if (expected < 0) {
        QVERIFY(!price);
        QVERIFY(!error.isEmpty());
    } else {
        QVERIFY2(price, qPrintable(error));
        QCOMPARE(*price, expected);
        QVERIFY(error.isEmpty());
    }
}

void TestCostAnalysis::costReportAndUnpricedTable()
{
    const StatsSummary s = parseStatsSummary(extendedResponse());
    const CostReport report = costReport(s);
    QVERIFY(std::abs(report.totalCost - 0.6) < 1e-12);
    QCOMPARE(report.requests, 10);
    QCOMPARE(report.calls, 6);
    QCOMPARE(report.unpricedModels, QStringList { QStringLiteral("my-finetune") });
    const QDateTime start = QDateTime::fromSecsSinceEpoch(1740000000, Qt::UTC);
    QCOMPARE(costReportCsv(QStringLiteral("acme/app"), start, start.addDays(1), report),
        QStringLiteral("project,start,end,total_cost_usd,requests,calls,unpriced_models\n"
                       "acme/app,2025-02-19T21:20:00Z,2025-02-20T21:20:00Z,0.600000,10,6,my-finetune\n"));

    ModelCostTableModel table;
    QAbstractItemModelTester tester(&table, QAbstractItemModelTester::FailureReportingMode::QtTest);
    table.setModels(s.models);
    QCOMPARE(table.columnCount(), int(ModelCostTableModel::WhatIfColumn)); // no what-if yet
    const QModelIndex unpriced = table.index(1, ModelCostTableModel::CostColumn);
    QCOMPARE(table.data(unpriced).toString(), QStringLiteral("—")); // unknown, not $0
    QVERIFY(table.data(unpriced, Qt::ToolTipRole).toString().contains(QStringLiteral("Prices page")));
    QVERIFY(!table.data(unpriced, Qt::UserRole).isValid());
    QCOMPARE(table.data(table.index(0, ModelCostTableModel::InputPriceColumn)).toString(),
        QStringLiteral("$50.00"));
    table.setWhatIf(whatIfCosts(s.models, { QStringLiteral("my-finetune"), 10, 20 }));
    QCOMPARE(table.columnCount(), int(ModelCostTableModel::WhatIfColumn) + 1);
    QCOMPARE(table.headerData(ModelCostTableModel::WhatIfColumn, Qt::Horizontal).toString(),
        QStringLiteral("What-if"));
    QCOMPARE(
        table.data(table.index(1, ModelCostTableModel::WhatIfColumn)).toString(), QStringLiteral("$0.0060"));
    QCOMPARE(
        table.data(table.index(2, ModelCostTableModel::WhatIfColumn)).toString(), QStringLiteral("$0.6060"));
    table.setWhatIf(whatIfCosts(s.models, { QStringLiteral("gpt-4o"), 1, 2 }));
    QCOMPARE(table.data(table.index(1, ModelCostTableModel::WhatIfColumn)).toString(), QStringLiteral("—"));
}

// Cache reads and writes are priced apart and their cost is in the input cost: dividing it by the
// prompt tokens is no price anyone set, so the table shows none and says why. Output keeps its own.
void TestCostAnalysis::cachedPromptsHaveNoSingleInputPrice()
{
    const QDateTime start = QDateTime::fromSecsSinceEpoch(1740000000, Qt::UTC);
    for (const bool extensions : { true, false }) {
        const QByteArray request =
            QJsonDocument(statsRequest(QStringLiteral("a/b"), start, start.addSecs(3600), {}, std::nullopt,
                              StatsOptions { 60 }, extensions))
                .toJson();
        QVERIFY(request.contains("\"cache_read_input_tokens\"")
            && request.contains("\"cache_creation_input_tokens\""));
    }
    QJsonObject entry = usage("", "claude-sonnet-4", kOpV1, 0.02, 2, 400, 100, 2, 2);
    QJsonObject response = extendedResponse();
    response.insert(QStringLiteral("usage_totals"), QJsonArray { entry });
    QVERIFY(parseStatsSummary(response).models.first().inputPerMillion());
    entry.insert(QStringLiteral("sum_cache_read_input_tokens"), 5000);
    entry.insert(QStringLiteral("sum_cache_creation_input_tokens"), 50);
    response.insert(QStringLiteral("usage_totals"), QJsonArray { entry });
    const ModelUsage m = parseStatsSummary(response).models.first();
    QCOMPARE(m.cachedInputTokens, 5050);
    QVERIFY(!m.inputPerMillion());
    QVERIFY(std::abs(*m.outputPerMillion() - 100.0) < 1e-9); // $0.01 for 100 tokens

    ModelCostTableModel table;
    QAbstractItemModelTester tester(&table, QAbstractItemModelTester::FailureReportingMode::QtTest);
    table.setModels({ m });
    const QModelIndex input = table.index(0, ModelCostTableModel::InputPriceColumn);
    QCOMPARE(table.data(input).toString(), QStringLiteral("—"));
    QVERIFY(table.data(input, Qt::ToolTipRole).toString().contains(QStringLiteral("cache")));
    QCOMPARE(table.data(table.index(0, ModelCostTableModel::OutputPriceColumn)).toString(),
        QStringLiteral("$100.00"));
}

QTEST_MAIN(TestCostAnalysis)
#include "tst_costanalysis.moc"
