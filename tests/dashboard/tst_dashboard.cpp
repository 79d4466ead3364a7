// The cost dashboard: DashboardModel's /calls/stats parsing (pure), the ChartView wrapper with
// 2000-point series, and DashboardPage against the real trace server in-process, with screenshots.

#include "../app/apptestutil.h"
#include "../app/faultproxy.h"
#include "../support/filesizelimit.h"
#include "app/sampledata.h"
#include "models/callstablemodel.h"
#include "models/dashboardmodel.h"
#include "net/traceclient.h"
#include "server/traceserver.h"
#include "ui/callscontroller.h"
#include "ui/customrangedialog.h"
#include "ui/dashboardpage.h"
#include "ui/filterbar.h"
#include "ui/mainwindow.h"
#include "ui/tracespage.h"
#include "widgets/chartview.h"
#include "widgets/reflowgrid.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QGraphicsView>
#include <QJsonArray>
#include <QLabel>
#include <QListWidget>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStackedWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolTip>
#include <QtTest>

#include <cmath>
#include <memory>

using namespace spindle;
using models::StatsSeries;
using widgets::ChartView;

namespace {

constexpr int kWaitMs = 20000;

QJsonObject usage(const char* ts, const char* model, double cost, int in, int out, int count)
{
    return QJsonObject { { QStringLiteral("timestamp"), QLatin1String(ts) },
        { QStringLiteral("model"), QLatin1String(model) }, { QStringLiteral("sum_total_cost"), cost },
        { QStringLiteral("sum_input_tokens"), in }, { QStringLiteral("sum_output_tokens"), out },
        { QStringLiteral("count"), count } };
}

QJsonObject callBucket(const char* ts, int calls, int errors, QJsonValue p50, QJsonValue p95)
{
    return QJsonObject { { QStringLiteral("timestamp"), QLatin1String(ts) },
        { QStringLiteral("sum_call_count"), calls }, { QStringLiteral("sum_error_count"), errors },
        { QStringLiteral("p50_latency_ms"), p50 }, { QStringLiteral("p95_latency_ms"), p95 },
        { QStringLiteral("p99_latency_ms"), p95 }, { QStringLiteral("count"), calls } };
}

// Three hourly buckets, the middle one empty (as the server emits it: zeros and null percentiles).
QJsonObject realisticResponse()
{
    return QJsonObject { { QStringLiteral("start"), QStringLiteral("2025-03-01T10:00:00Z") },
        { QStringLiteral("end"), QStringLiteral("2025-03-01T13:00:00Z") },
        { QStringLiteral("granularity"), 3600 }, { QStringLiteral("timezone"), QStringLiteral("UTC") },
        { QStringLiteral("usage_buckets"),
            QJsonArray { usage("2025-03-01T10:00:00Z", "claude-3-5-haiku", 0.01, 1000, 200, 2),
                usage("2025-03-01T10:00:00Z", "gpt-4o", 0.5, 20000, 3000, 4),
                usage("2025-03-01T11:00:00Z", "claude-3-5-haiku", 0, 0, 0, 0),
                usage("2025-03-01T11:00:00Z", "gpt-4o", 0, 0, 0, 0),
                usage("2025-03-01T12:00:00Z", "claude-3-5-haiku", 0.02, 2000, 400, 3),
                usage("2025-03-01T12:00:00Z", "gpt-4o", 0.25, 10000, 1000, 2) } },
        { QStringLiteral("call_buckets"),
            QJsonArray { callBucket("2025-03-01T10:00:00Z", 6, 1, 800, 2000),
                callBucket("2025-03-01T11:00:00Z", 0, 0, QJsonValue::Null, QJsonValue::Null),
                callBucket("2025-03-01T12:00:00Z", 2, 0, 400, 1000) } } };
}

QVector<QPointF> wave(int n, double phase)
{
    QVector<QPointF> points;
    for (int i = 0; i < n; ++i)
        points.append(QPointF(1.74e12 + i * 60e3, 50 + 40 * std::sin(i / 40.0 + phase)));
    return points;
}

// Non-background pixels: a cheap "something was drawn" check.
int inkPixels(const QImage& image)
{
    int ink = 0;
    const QRgb background = image.pixel(1, 1);
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            ink += image.pixel(x, y) != background;
    return ink;
}

// The disk fills up during the export (a file size limit of 64 bytes for this process, whose write
// then fails with EFBIG): the export says so, and the CSV written before at `path` is unchanged.
void exportOnAFullDiskKeepsTheEarlierFile(const spindle::ui::DashboardPage& page, const QString& path)
{
    QFile earlier(path);
    QVERIFY(earlier.open(QIODevice::ReadOnly));
    const QByteArray before = earlier.readAll();
    earlier.close();
    QVERIFY(before.size() > 64);
    QString error;
    bool written = true;
    {
        spindle::test::FileSizeLimit fullDisk(64);
        QVERIFY(fullDisk.isSet());
        written = page.exportCsv(path, &error);
    }
    QVERIFY2(!written, "the export passed for written on a full disk");
    QVERIFY(!error.isEmpty());
    QVERIFY(earlier.open(QIODevice::ReadOnly));
    QCOMPARE(earlier.readAll(), before);
    QCOMPARE(
        QDir(QFileInfo(path).path()).entryList({ QFileInfo(path).fileName() + u'*' }, QDir::Files).size(), 1);
}

} // namespace

class TestDashboard : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void parsesSummary();
    void parsesSeriesWithTopModels();
    void previousPeriodChanges();
    void singleBucketGranularity();
    void downsamplesAndExportsCsv();
    void chartWith2000Points();
    void legendShowsWholeNames();
    void timeAxisTicksAreRound_data();
    void timeAxisTicksAreRound();
    void pageAgainstServer();
    void narrowPageStacksInsteadOfScrolling();
    void pageExtensionsAndReport();
    void clicksSelectTheirCalls();
    void modelClickFindsOddNames();
    void whatIfOnThePage();
    void clickOpensTracesPage();
    void badFilterSaysWhy();
    void tooLargeAnswerKeepsTheExtensions();
    void tooLargeWhileProbingKeepsTheExtensions();
    void pageEmptyState();
    void customRange();
    void customChosenAgainAsks();
    void hiddenPageDropsTheLastProjectsAnswers();
    void rangeComesBack();

private:
    void ingest(const QString& project, const QDateTime& now, int traces, quint32 seed);
    // The project pageAgainstServer fills (60 traces now, 30 a day earlier), ingested once.
    QString sampleProject();
    // A page on sampleProject(), shown and loaded.
    std::unique_ptr<ui::DashboardPage> loadedPage();
    qint64 countCalls(const CallsQuery& query);

    QTemporaryDir m_dir; // exported files
    apptest::InProcessServer m_server;
    std::unique_ptr<net::TraceClient> m_client;
    QDateTime m_now;
    bool m_sampleIngested = false;
};

void TestDashboard::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("spindle-test"));
    QSettings::setPath(
        QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
    const QString error = m_server.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_client = std::make_unique<net::TraceClient>();
    m_client->setConnection({ m_server.url(), {} });
    m_now = QDateTime::currentDateTimeUtc();
}

void TestDashboard::cleanupTestCase()
{
    m_client.reset();
    m_server.stop();
}

void TestDashboard::ingest(const QString& project, const QDateTime& now, int traces, quint32 seed)
{
    int posted = 0, done = 0, failed = 0;
    for (const app::SampleRequest& request : app::buildSampleData(project, now, traces, seed)) {
        if (request.path == QLatin1String("/file/create"))
            continue; // images need TraceClient::uploadFile; the dashboard does not use them
        ++posted;
        m_client->post(
            nullptr, request.path, request.body, [&](const QJsonObject&) { ++done; },
            [&](const net::ApiError& e) {
                qWarning() << e.message();
                ++failed;
            });
        QTRY_VERIFY_WITH_TIMEOUT(done + failed == posted, kWaitMs); // in order: ops before calls
    }
    QCOMPARE(failed, 0);
}

void TestDashboard::parsesSummary()
{
    const models::StatsSummary summary = models::parseStatsSummary(realisticResponse());
    const models::StatsTotals& t = summary.totals;
    QCOMPARE(t.calls, 8);
    QCOMPARE(t.errors, 1);
    QCOMPARE(*t.errorRate(), 1.0 / 8);
    QVERIFY(std::abs(t.cost - 0.78) < 1e-9);
    QVERIFY(t.hasCost);
    QCOMPARE(t.requests, 11);
    QCOMPARE(t.inputTokens, 33000);
    QCOMPARE(t.outputTokens, 4600);
    // Several buckets: the call-weighted mean of the bucket percentiles; the empty bucket is skipped.
    QCOMPARE(*t.p50LatencyMs, (800.0 * 6 + 400 * 2) / 8);
    QCOMPARE(*t.p95LatencyMs, (2000.0 * 6 + 1000 * 2) / 8);
    QCOMPARE(summary.models.size(), 2);
    QCOMPARE(summary.models[0].model, QStringLiteral("gpt-4o")); // most expensive first
    QCOMPARE(summary.models[0].requests, 6);
    QCOMPARE(summary.models[1].inputTokens, 3000);

    models::ModelCostTableModel table;
    table.setModels(summary.models);
    QCOMPARE(table.rowCount(), 3); // two models and the total
    QCOMPARE(table.data(table.index(2, 0)).toString(), QStringLiteral("Total"));
    QCOMPARE(
        table.data(table.index(2, models::ModelCostTableModel::CostColumn), Qt::UserRole).toDouble(), 0.78);

    const models::StatsSummary empty = models::parseStatsSummary(QJsonObject {});
    QCOMPARE(empty.totals.calls, 0);
    QVERIFY(!empty.totals.errorRate());
    QVERIFY(!empty.totals.p50LatencyMs);
    QVERIFY(empty.models.isEmpty());
}

void TestDashboard::parsesSeriesWithTopModels()
{
    models::StatsTimeSeries s = models::parseStatsSeries(realisticResponse());
    QCOMPARE(s.granularitySeconds, 3600);
    QVERIFY(s.hasCalls);
    QCOMPARE(s.costByModel.size(), 2);
    QCOMPARE(s.costByModel[0].name, QStringLiteral("gpt-4o"));
    QCOMPARE(s.costByModel[0].points.size(), 3); // the empty bucket is a zero, not a gap
    QCOMPARE(s.costByModel[0].points[1].y(), 0.0);
    QCOMPARE(s.costByModel[1].points[2].y(), 0.02);
    QCOMPARE(qint64(s.costByModel[0].points[2].x()),
        QDateTime::fromString(QStringLiteral("2025-03-01T12:00:00Z"), Qt::ISODate).toMSecsSinceEpoch());
    QCOMPARE(s.tokens[0].points[0].y(), 21000.0);
    QCOMPARE(s.tokens[1].points[2].y(), 1400.0);
    QCOMPARE(s.calls[1].points[0].y(), 1.0);
    QCOMPARE(s.latency[1].points.size(), 2); // null percentiles leave a gap

    // Top one model: the rest becomes "other", summed per bucket.
    s = models::parseStatsSeries(realisticResponse(), 1);
    QCOMPARE(s.costByModel.size(), 2);
    QCOMPARE(s.costByModel[1].name, QStringLiteral("other"));
    QCOMPARE(s.costByModel[1].points[0].y(), 0.01);

    QVERIFY(!models::parseStatsSeries(QJsonObject {}).hasCalls);
}

void TestDashboard::previousPeriodChanges()
{
    QCOMPARE(models::formatChange(120, 100.0), QStringLiteral("+20%"));
    QCOMPARE(models::formatChange(95, 100.0), QStringLiteral("\u22125.0%"));
    QCOMPARE(models::formatChange(5, 0.0), QStringLiteral("new"));
    QCOMPARE(models::formatChange(0, 0.0), QStringLiteral("±0%"));
    QCOMPARE(models::formatChange(5, std::nullopt), QString());
    QVERIFY(!models::relativeChange(5, 0.0));
    QCOMPARE(*models::relativeChange(50, 100.0), -0.5);

    // The same response as current and halved as previous: every count doubled.
    const auto current = models::parseStatsSummary(realisticResponse()).totals;
    QJsonObject half = realisticResponse();
    half[QStringLiteral("call_buckets")] = QJsonArray { callBucket("2025-03-01T09:00:00Z", 4, 0, 500, 900) };
    const auto previous = models::parseStatsSummary(half).totals;
    QCOMPARE(models::formatChange(double(current.calls), double(previous.calls)), QStringLiteral("+100%"));
    QCOMPARE(*previous.p50LatencyMs, 500.0); // one bucket: the server's exact percentile
}

void TestDashboard::singleBucketGranularity()
{
    const QDateTime end = QDateTime::fromSecsSinceEpoch(1741000123, Qt::UTC);
    for (const qint64 range : { qint64(3600), qint64(86400), qint64(7 * 86400), qint64(30 * 86400) }) {
        for (int shift = 0; shift < 5; ++shift) {
            const QDateTime e = end.addSecs(shift * 7919);
            const QDateTime s = e.addSecs(-range);
            const qint64 g = models::singleBucketGranularity(s, e);
            QVERIFY2(g >= range && g <= 31 * 86400, qPrintable(QString::number(g)));
            QCOMPARE(s.toSecsSinceEpoch() / g, (e.toSecsSinceEpoch() - 1) / g);
        }
    }
    QCOMPARE(models::chartGranularity(3600), 60);
    QCOMPARE(models::chartGranularity(30 * 86400), 21600);
}

void TestDashboard::downsamplesAndExportsCsv()
{
    const QVector<QPointF> many = wave(10000, 0);
    const QVector<QPointF> few = models::downsample(many, 2000);
    QCOMPARE(few.size(), 2000);
    QCOMPARE(few.first().x(), (many[0].x() + many[4].x()) / 2);
    QCOMPARE(models::downsample(few, 2000), few);

    // gpt-4o priced on every entry ($2.50 and $10 per million), "a,b" without any price.
    const QString csv =
        models::modelUsageCsv({ { QStringLiteral("gpt-4o"), 3, 100, 20, 0.00045, 0.00025, 0.0002, 3, 3 },
            { QStringLiteral("a,b"), 1, 1, 1, 0, 0, 0, 1, 0 } });
    QCOMPARE(csv,
        QStringLiteral("model,requests,input_tokens,output_tokens,total_tokens,input_usd_per_million,"
                       "output_usd_per_million,total_cost_usd\n"
                       "gpt-4o,3,100,20,120,2.500000,10.000000,0.000450\n\"a,b\",1,1,1,2,,,\n"));
}

void TestDashboard::chartWith2000Points()
{
    for (const auto kind : { widgets::ChartView::Kind::Line, widgets::ChartView::Kind::StackedBar,
             widgets::ChartView::Kind::Scatter }) {
        widgets::ChartView chart(kind);
        chart.setTitle(QStringLiteral("2000 points"));
        chart.setValueFormat(QStringLiteral("%.0f"), [](double v) { return QString::number(v, 'f', 1); });
        QVector<widgets::ChartSeries> series;
        for (int i = 0; i < 3; ++i)
            series.append({ QStringLiteral("s%1").arg(i), wave(2000, i), {} });
        QElapsedTimer timer;
        timer.start();
        chart.setSeries(series);
        chart.resize(800, 300);
        const QImage image = chart.grab().toImage();
        qInfo("kind %d: set + paint %lld ms", int(kind), timer.elapsed());
        QCOMPARE(chart.seriesCount(), kind == widgets::ChartView::Kind::StackedBar ? 1 : 3);
        QVERIFY(!image.isNull());
        QVERIFY(inkPixels(image) > 200);
        QVERIFY(chart.toolTipText(1, 10).contains(QStringLiteral("s1")));
        if (kind == widgets::ChartView::Kind::Line)
            image.save(QStringLiteral(DASHBOARD_SHOT_DIR "/chart_line_2000.png"));
    }
}

// The legend elides long names; the mouse over an entry shows the whole name as a tooltip.
void TestDashboard::legendShowsWholeNames()
{
    for (const auto kind : { ChartView::Kind::Line, ChartView::Kind::StackedBar }) {
        ChartView chart(kind);
        QVector<widgets::ChartSeries> series;
        QStringList names;
        for (int i = 0; i < 4; ++i) {
            names.append(QStringLiteral("claude-3-5-sonnet-20241022-variant-number-%1").arg(i));
            series.append({ names.last(), wave(24, i), {} });
        }
        chart.setSeries(series);
        chart.resize(520, 300);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        auto* view = chart.findChild<QGraphicsView*>();
        QVERIFY(view);
        // Over the legend's band at the bottom, left to right: every entry's tooltip comes up.
        QSet<QString> shown;
        const QRect band = view->viewport()->rect().adjusted(0, view->viewport()->height() - 40, 0, 0);
        for (int y = band.top(); y < band.bottom(); y += 6) {
            for (int x = band.left(); x < band.right(); x += 4) {
                QTest::mouseMove(view->viewport(), QPoint(x, y));
                if (QToolTip::isVisible())
                    shown.insert(QToolTip::text());
            }
        }
        QCOMPARE(QSet<QString>(names.begin(), names.end()), shown);
    }
}

void TestDashboard::timeAxisTicksAreRound_data()
{
    QTest::addColumn<QDateTime>("from");
    QTest::addColumn<QDateTime>("to");
    QTest::addColumn<QStringList>("labels");
    const QDate day(2026, 11, 22); // a Sunday
    QTest::newRow("last hour") << QDateTime(day, QTime(17, 51, 30)) << QDateTime(day, QTime(18, 51, 30))
                               << QStringList { QStringLiteral("18:00"), QStringLiteral("18:10"),
                                      QStringLiteral("18:20"), QStringLiteral("18:30"),
                                      QStringLiteral("18:40"), QStringLiteral("18:50") };
    QTest::newRow("last day") << QDateTime(day, QTime(18, 51, 30))
                              << QDateTime(day.addDays(1), QTime(18, 51, 30))
                              << QStringList { QStringLiteral("00:00"), QStringLiteral("06:00"),
                                     QStringLiteral("12:00"), QStringLiteral("18:00") };
    QTest::newRow("36 hours: weekday with the time")
        << QDateTime(day, QTime(7, 0)) << QDateTime(day.addDays(1), QTime(19, 0))
        << QStringList { QStringLiteral("Sun 12:00"), QStringLiteral("Sun 18:00"),
               QStringLiteral("Mon 00:00"), QStringLiteral("Mon 06:00"), QStringLiteral("Mon 12:00"),
               QStringLiteral("Mon 18:00") };
    QTest::newRow("a week: days") << QDateTime(day, QTime(9, 30)) << QDateTime(day.addDays(7), QTime(9, 30))
                                  << QStringList { QStringLiteral("Nov 23"), QStringLiteral("Nov 25"),
                                         QStringLiteral("Nov 27"), QStringLiteral("Nov 29") };
    QTest::newRow("three minutes") << QDateTime(day, QTime(10, 0, 10)) << QDateTime(day, QTime(10, 3, 10))
                                   << QStringList { QStringLiteral("10:01"), QStringLiteral("10:02"),
                                          QStringLiteral("10:03") };
}

// The dashboard's time axes label round local times, not the range's start plus even steps
// (17:51, 18:01, ... and bars at 18:21, 18:31 before).
void TestDashboard::timeAxisTicksAreRound()
{
    QFETCH(QDateTime, from);
    QFETCH(QDateTime, to);
    QFETCH(QStringList, labels);
    const auto ticks = widgets::timeAxisTicks(from.toMSecsSinceEpoch(), to.toMSecsSinceEpoch());
    QStringList got;
    for (const auto& tick : ticks) {
        got << tick.label;
        QVERIFY(tick.ms >= from.toMSecsSinceEpoch() && tick.ms <= to.toMSecsSinceEpoch());
    }
    QCOMPARE(got, labels);
    QVERIFY(got.size() <= 7);
}

QString TestDashboard::sampleProject()
{
    const QString project = QStringLiteral("acme/dashboard");
    if (!m_sampleIngested) {
        m_sampleIngested = true;
        ingest(project, m_now, 60, 42);
        ingest(project, m_now.addDays(-1), 30, 7); // the previous day, for the changes
    }
    return project;
}

void TestDashboard::init()
{
    QSettings().remove(QStringLiteral("costs/range")); // each test's page starts on "Last day"
}

std::unique_ptr<ui::DashboardPage> TestDashboard::loadedPage()
{
    auto page = std::make_unique<ui::DashboardPage>(m_client.get());
    page->resize(1280, 1100);
    page->setNow(m_now.addSecs(60));
    page->show();
    QSignalSpy loaded(page.get(), &ui::DashboardPage::loaded);
    page->setProject(sampleProject());
    if (!loaded.wait(kWaitMs))
        return nullptr;
    return page;
}

// The calls a query selects, counted by the server (/calls/query_stats).
qint64 TestDashboard::countCalls(const CallsQuery& query)
{
    QJsonObject body { { QStringLiteral("project_id"), query.projectId } };
    if (!query.filterJson().isEmpty())
        body.insert(QStringLiteral("filter"), query.filterJson());
    if (const auto expr = query.queryJson())
        body.insert(QStringLiteral("query"), *expr);
    qint64 count = -1;
    bool done = false;
    m_client->post(
        nullptr, QStringLiteral("/calls/query_stats"), body,
        [&](const QJsonObject& json) {
            count = json.value(QStringLiteral("count")).toInteger();
            done = true;
        },
        [&](const net::ApiError& e) {
            qWarning() << e.message();
            done = true;
        });
    if (!QTest::qWaitFor([&] { return done; }, kWaitMs))
        return -2;
    return count;
}

void TestDashboard::pageAgainstServer()
{
    const QString project = sampleProject();

    ui::DashboardPage page(m_client.get());
    page.resize(1280, 1100);
    page.setNow(m_now.addSecs(60));
    page.show();
    QSignalSpy loaded(&page, &ui::DashboardPage::loaded);
    page.setProject(project);
    QVERIFY(page.isLoading());
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(!page.isLoading());
    QVERIFY(!page.showsEmptyState());

    const auto& now = page.summary().totals;
    const auto& before = page.previousSummary().totals;
    QCOMPARE(now.calls, 60); // roots only: one per trace
    QCOMPARE(before.calls, 30);
    QVERIFY(now.requests > 0 && now.inputTokens > 0 && now.outputTokens > 0);
    QVERIFY(now.hasCost && now.cost > 0);
    QVERIFY(now.p50LatencyMs && now.p95LatencyMs && *now.p95LatencyMs >= *now.p50LatencyMs);
    QVERIFY(!page.summary().models.isEmpty());
    QVERIFY(page.headlineText(4).startsWith(QStringLiteral("Calls|60|+100% vs previous")));
    QVERIFY(page.series().hasCalls);
    QVERIFY(!page.series().costByModel.isEmpty());
    double chartCost = 0;
    for (const StatsSeries& s : page.series().costByModel)
        for (const QPointF& p : s.points)
            chartCost += p.y();
    QVERIFY(std::abs(chartCost - now.cost) < 1e-6 * qMax(1.0, now.cost));

    auto* table = page.findChild<QTableView*>();
    QVERIFY(table);
    QCOMPARE(table->model()->rowCount(), page.summary().models.size() + 1);
    const QString csvPath = m_dir.filePath(QStringLiteral("costs.csv"));
    QVERIFY(page.exportCsv(csvPath));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll().count('\n'), page.summary().models.size() + 1);
    csv.close();
    exportOnAFullDiskKeepsTheEarlierFile(page, csvPath);
    if (QTest::currentTestFailed())
        return;

    QTest::qWait(100); // let the charts' scenes lay out (legends, ticks) as they would on screen
    QVERIFY(page.grab().save(QStringLiteral(DASHBOARD_SHOT_DIR "/dashboard_day.png")));

    page.setRangeIndex(0); // last hour
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(page.summary().totals.calls <= 60);
    QTest::qWait(100);
    QVERIFY(page.grab().save(QStringLiteral(DASHBOARD_SHOT_DIR "/dashboard_hour.png")));
}

// Spindle's extensions on the page: cost by op, the token scatter (≤ 2000 points), exact totals,
// the project cost report over root calls (its own request once the filter shows more than roots),
// an unpriced model shown as unknown, and a tooltip on every chart.
// A narrow window stacks the cards, panels and charts: before, the page was at least 942 px wide
// (the whole window 1062, more than a 1024 px screen) and cut its cards off.
void TestDashboard::narrowPageStacksInsteadOfScrolling()
{
    ui::DashboardPage page(m_client.get());
    page.resize(1280, 900);
    page.setNow(m_now.addSecs(60));
    page.show();
    QSignalSpy loaded(&page, &ui::DashboardPage::loaded);
    page.setProject(sampleProject());
    QVERIFY(loaded.wait(kWaitMs));
    auto* scroll = page.findChild<QScrollArea*>();
    const QList<widgets::ReflowGrid*> grids = page.findChildren<widgets::ReflowGrid*>();
    QCOMPARE(grids.size(), 3); // cards, panels, charts
    QVERIFY2(
        page.minimumSizeHint().width() <= 500, qPrintable(QString::number(page.minimumSizeHint().width())));
    const auto columns = [&grids] {
        QList<int> counts;
        for (const widgets::ReflowGrid* grid : grids)
            counts << grid->columns();
        return counts;
    };
    QTRY_COMPARE(columns(), QList<int>({ 4, 2, 2 }));
    page.resize(680, 900); // what the page gets in the narrowest main window (809 px)
    QTRY_VERIFY2(columns()[0] < 4 && columns()[1] == 1 && columns()[2] == 1,
        qPrintable(QStringLiteral("%1 %2 %3").arg(columns()[0]).arg(columns()[1]).arg(columns()[2])));
    QTRY_VERIFY(!scroll->horizontalScrollBar()->isVisible());
    page.resize(1280, 900);
    QTRY_COMPARE(columns(), QList<int>({ 4, 2, 2 }));
    QVERIFY(!scroll->horizontalScrollBar()->isVisible());
}

void TestDashboard::pageExtensionsAndReport()
{
    const auto page = loadedPage();
    QVERIFY(page);
    QVERIFY(page->usesExtensions());
    const models::StatsTimeSeries& series = page->series();
    QVERIFY(series.hasOps);
    QVERIFY(!series.costByOp.isEmpty());
    QVERIFY(!series.sample.isEmpty() && series.sample.size() <= 2000);
    QCOMPARE(series.sampledFrom, page->summary().totals.requests > 0 ? series.sampledFrom : 0);
    double opCost = 0;
    for (const StatsSeries& s : series.costByOp)
        for (const QPointF& p : s.points)
            opCost += p.y();
    QVERIFY(std::abs(opCost - page->summary().totals.cost) < 1e-9);

    // Roots only is the default filter: the report is the current totals.
    const models::CostReport& report = page->costReport();
    QCOMPARE(report.calls, 60);
    QCOMPARE(report.requests, page->summary().totals.requests);
    QVERIFY(std::abs(report.totalCost - page->summary().totals.cost) < 1e-12);

    // The sample data logs a local model without a price: not $0, and said so.
    QVERIFY(!page->summary().unpricedModels().isEmpty());
    QVERIFY(page->headlineText(0).contains(QStringLiteral("unpriced")));
    QVERIFY(page->headlineToolTip(0).contains(QStringLiteral("Prices page (Ctrl+3)")));
    QVERIFY(page->headlineToolTip(0).contains(page->summary().unpricedModels().first()));

    for (const char* name : { "costByModel", "costByOp", "tokens", "calls", "latency", "scatter" }) {
        ChartView* chart = page->chart(QLatin1String(name));
        QVERIFY2(chart && chart->seriesCount() > 0, name);
        QVERIFY2(!chart->toolTipText(0, 0).isEmpty(), name);
    }
    QVERIFY(page->chart(QStringLiteral("scatter"))->toolTipText(0, 0).contains(QStringLiteral("prompt")));
    const QString reportPath = m_dir.filePath(QStringLiteral("report.csv"));
    QVERIFY(page->exportCostReport(reportPath));
    QFile reportFile(reportPath);
    QVERIFY(reportFile.open(QIODevice::ReadOnly));
    QVERIFY(reportFile.readAll().contains(",60,"));

    // All calls: many more calls, while the report still counts the 60 root calls.
    QSignalSpy loaded(page.get(), &ui::DashboardPage::loaded);
    QCheckBox* roots = nullptr;
    for (QCheckBox* box : page->findChildren<QCheckBox*>())
        if (box->text().contains(QStringLiteral("Roots")))
            roots = box;
    QVERIFY(roots);
    auto* rangeLabel = page->findChild<QLabel*>(QStringLiteral("costsRangeLabel"));
    QVERIFY(rangeLabel && !rangeLabel->text().contains(QStringLiteral("once per level")));
    roots->click();
    QVERIFY(loaded.wait(kWaitMs));
    // Over every call, a parent's usage counts its children's again: the page says so.
    QVERIFY2(rangeLabel->text().contains(QStringLiteral("once per level")), qPrintable(rangeLabel->text()));
    QVERIFY(page->grab().save(QStringLiteral(DASHBOARD_SHOT_DIR "/dashboard_all_calls.png")));
    QVERIFY(page->summary().totals.calls > 60);
    QCOMPARE(page->costReport().calls, 60);
    QCOMPARE(page->costReport().requests, report.requests);
}

// Each click asks for a query that the server answers with that bucket's calls of that series.
// A click on a model's bar finds its calls by the model's key in summary.usage, written as the stored
// JSON writes it: a name with a quote or a backslash found none.
void TestDashboard::modelClickFindsOddNames()
{
    const QString project = QStringLiteral("acme/odd-models");
    const QString odd = QStringLiteral("weird \"q\" \\ model");
    apptest::CallRecord call;
    call.id = QStringLiteral("odd-model-call");
    call.endedMs = call.startedMs + 10;
    call.summary = QJsonObject { { QStringLiteral("usage"),
        QJsonObject { { odd, QJsonObject { { QStringLiteral("prompt_tokens"), 5 } } } } } };
    QCOMPARE(m_server.logCalls(project, { call }), 200);
    CallsQuery query;
    query.projectId = project;
    query.conditions.append(
        FieldCondition { QStringLiteral("summary.usage"), FilterOp::Contains, models::usageKeyText(odd) });
    QCOMPARE(countCalls(query), 1);
    query.conditions.first().value = models::usageKeyText(QStringLiteral("weird"));
    QCOMPARE(countCalls(query), 0);
}

void TestDashboard::clicksSelectTheirCalls()
{
    const auto page = loadedPage();
    QVERIFY(page);
    QSignalSpy opened(page.get(), &ui::DashboardPage::openCallsRequested);
    const auto click = [&](const char* chart, int series, int index) -> CallsQuery {
        page->chart(QLatin1String(chart))->clickPoint(series, index);
        return opened.isEmpty() ? CallsQuery {} : opened.takeLast().first().value<CallsQuery>();
    };
    // The busiest bucket of the top model and of the top op.
    const auto busiest = [](const StatsSeries& s) {
        int best = 0;
        for (int i = 0; i < s.points.size(); ++i)
            if (s.points[i].y() > s.points[best].y())
                best = i;
        return best;
    };
    const StatsSeries& model = page->series().costByModel.first();
    CallsQuery query = click("costByModel", 0, busiest(model));
    QCOMPARE(query.projectId, QStringLiteral("acme/dashboard"));
    QVERIFY(query.rootsOnly && query.startedAfter && query.startedBefore);
    QCOMPARE(query.startedBefore->toMSecsSinceEpoch() - query.startedAfter->toMSecsSinceEpoch(),
        page->series().granularitySeconds * 1000);
    QCOMPARE(query.conditions.size(), 1);
    QVERIFY(query.conditions.first().value.toString().contains(model.name));
    const qint64 modelCalls = countCalls(query);
    QVERIFY2(modelCalls > 0, qPrintable(QString::number(modelCalls)));
    CallsQuery bucketOnly = query;
    bucketOnly.conditions.clear();
    QVERIFY(countCalls(bucketOnly) >= modelCalls);

    const StatsSeries& op = page->series().costByOp.first();
    query = click("costByOp", 0, busiest(op));
    QCOMPARE(query.opNames.size(), 1);
    QVERIFY(query.opNames.first().endsWith(op.name + QStringLiteral(":*")));
    QVERIFY(countCalls(query) > 0);

    query = click("calls", 1, 0); // the errors series
    QCOMPARE(query.statuses, QStringList { QStringLiteral("error") });

    // A scatter point is one call.
    query = click("scatter", 0, 0);
    QCOMPARE(query.conditions.size(), 1);
    QCOMPARE(query.conditions.first().field, QStringLiteral("id"));
    QCOMPARE(countCalls(query), 1);
}

void TestDashboard::whatIfOnThePage()
{
    const auto page = loadedPage();
    QVERIFY(page);
    const models::ModelUsage top = page->summary().models.first();
    QVERIFY(top.hasPrice());
    auto* table = page->findChild<QTableView*>();
    QCOMPARE(table->model()->columnCount(), int(models::ModelCostTableModel::WhatIfColumn));
    page->setWhatIf(top.model, QStringLiteral("0"), QStringLiteral("0"));
    // Free: the total drops by exactly that model's cost, shown next to the current total.
    const double expected = page->summary().totals.cost - top.cost;
    QVERIFY2(page->whatIfText().contains(models::formatCost(expected)), qPrintable(page->whatIfText()));
    QVERIFY(page->whatIfText().contains(models::formatCost(page->summary().totals.cost)));
    QCOMPARE(table->model()->columnCount(), int(models::ModelCostTableModel::WhatIfColumn) + 1);
    page->setWhatIf(top.model, QStringLiteral("-3"), QStringLiteral("1"));
    QVERIFY(page->whatIfText().contains(QStringLiteral("negative")));
    QCOMPARE(table->model()->columnCount(), int(models::ModelCostTableModel::WhatIfColumn));
    page->setWhatIf(top.model, QStringLiteral("2.5"), QStringLiteral("10"));
    QTest::qWait(100);
    QVERIFY(page->grab().save(QStringLiteral(DASHBOARD_SHOT_DIR "/dashboard_whatif.png")));
    // The whole scrolled content: the table with its What-if column is below the charts.
    auto* scroll = page->findChild<QScrollArea*>();
    QVERIFY(scroll && scroll->widget());
    QVERIFY(scroll->widget()->grab().save(QStringLiteral(DASHBOARD_SHOT_DIR "/dashboard_whatif_full.png")));
}

// In the main window a click switches to the Traces page with the bucket's filter applied.
void TestDashboard::clickOpensTracesPage()
{
    ui::MainWindow window(m_client.get());
    window.resize(1280, 900);
    window.show();
    // Every page fits a 1024 px screen (the Prices page's header made the window 1062 px at least).
    QVERIFY2(window.minimumSizeHint().width() <= 900,
        qPrintable(QString::number(window.minimumSizeHint().width())));
    window.setProject(sampleProject());
    auto* dashboard = window.findChild<ui::DashboardPage*>();
    auto* traces = window.findChild<ui::TracesPage*>();
    auto* nav = window.findChild<QListWidget*>();
    QVERIFY(dashboard && traces && nav);
    nav->setCurrentRow(1);
    QSignalSpy loaded(dashboard, &ui::DashboardPage::loaded);
    QVERIFY(loaded.wait(kWaitMs) || !dashboard->isLoading());
    const StatsSeries& op = dashboard->series().costByOp.first();
    QSignalSpy shown(traces->controller(), &ui::CallsController::firstPageShown);
    dashboard->chart(QStringLiteral("costByOp"))->clickPoint(0, int(op.points.size()) - 1);
    QCOMPARE(nav->currentRow(), 0);
    CallsQuery filter;
    traces->filterBar()->applyTo(filter);
    QCOMPARE(filter.opNames, QStringList { dashboard->series().opFilters.value(op.name) });
    QVERIFY(filter.startedAfter && filter.startedBefore);
    QVERIFY(filter.rootsOnly);
    // The pages' requests must be answered before the window goes: their callbacks hold the pages.
    QVERIFY(shown.wait(kWaitMs));
    QTest::qWait(1000);
}

// A filter the server refuses (422): the page asks once more without its extensions (as it would
// for hosted Weave), gets the same answer, says why, and keeps the extensions for the next query.
void TestDashboard::badFilterSaysWhy()
{
    const auto page = loadedPage();
    QVERIFY(page);
    auto* filters = page->findChild<ui::FilterBar*>();
    QVERIFY(filters);
    QSignalSpy loaded(page.get(), &ui::DashboardPage::loaded);
    filters->addCondition(
        { QStringLiteral("summary.weave.no_such_field"), FilterOp::Equals, QStringLiteral("x") });
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(page->showsEmptyState());
    auto* empty = page->findChild<QStackedWidget*>()->currentWidget();
    QVERIFY(qobject_cast<QLabel*>(empty)->text().contains(QStringLiteral("no_such_field")));
    QVERIFY(page->usesExtensions());
    QVERIFY(page->grab().save(QStringLiteral(DASHBOARD_SHOT_DIR "/dashboard_error.png")));
}

namespace {

// A dashboard page shown, talking to the test server through a FaultProxy, its clock at `now`.
struct ProxiedDashboard
{
    ProxiedDashboard(int serverPort, const QDateTime& now)
        : proxy(serverPort)
    {
        client.setConnection({ proxy.url(), {} });
        page.resize(1000, 700);
        page.setNow(now);
        page.show();
    }
    apptest::FaultProxy proxy;
    net::TraceClient client;
    ui::DashboardPage page { &client };
};

} // namespace

// A 413 (an answer too large for the range) is said as it is; it is no sign of a server without
// Spindle's extensions, so the page does not fall back to the plain protocol for good.
void TestDashboard::tooLargeAnswerKeepsTheExtensions()
{
    ProxiedDashboard dashboard(m_server.url().port(), m_now.addSecs(60));
    apptest::FaultProxy& proxy = dashboard.proxy;
    ui::DashboardPage& page = dashboard.page;
    proxy.failPath("/calls/stats", 413, 1);
    QSignalSpy loaded(&page, &ui::DashboardPage::loaded);
    page.setProject(sampleProject());
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(page.showsEmptyState());
    auto* empty = qobject_cast<QLabel*>(page.findChild<QStackedWidget*>()->currentWidget());
    QVERIFY(empty && empty->text().contains(QStringLiteral("injected failure")));
    QVERIFY(page.usesExtensions());
    page.refresh(); // F5: the next answer fits
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(!page.showsEmptyState());
    QVERIFY(page.usesExtensions() && page.series().hasOps);
}

// A 4xx to the extended form makes the page try the plain protocol form; a 413 to that says the
// answer is too large, not that the extensions were refused: the next refresh uses them again.
void TestDashboard::tooLargeWhileProbingKeepsTheExtensions()
{
    ProxiedDashboard dashboard(m_server.url().port(), m_now.addSecs(60));
    apptest::FaultProxy& proxy = dashboard.proxy;
    ui::DashboardPage& page = dashboard.page;
    int plainAsked = 0;
    proxy.judgeBodies([&plainAsked](const std::string& path, const QJsonObject& body) {
        if (path != "/calls/stats")
            return 0;
        const bool extended = QJsonDocument(body).toJson().contains("\"requests\""); // a Spindle metric
        plainAsked += extended ? 0 : 1;
        return extended ? 400 : 413;
    });
    QSignalSpy loaded(&page, &ui::DashboardPage::loaded);
    page.setProject(sampleProject());
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(plainAsked > 0);
    QVERIFY(page.showsEmptyState());
    QVERIFY(page.usesExtensions());
    proxy.judgeBodies({});
    page.refresh();
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(!page.showsEmptyState());
    QVERIFY(page.usesExtensions() && page.series().hasOps);
}

void TestDashboard::pageEmptyState()
{
    ui::DashboardPage page(m_client.get());
    page.resize(1000, 700);
    page.show();
    QSignalSpy loaded(&page, &ui::DashboardPage::loaded);
    page.setProject(QStringLiteral("acme/nothing-here"));
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(page.showsEmptyState());
    QVERIFY(page.grab().save(QStringLiteral(DASHBOARD_SHOT_DIR "/dashboard_empty.png")));
}

// A custom range covers exactly the calls it spans, compared with the same length before it;
// a range over the maximum or backwards is refused with a reason.
void TestDashboard::customRange()
{
    const auto page = loadedPage();
    QVERIFY(page);
    const qint64 lastDay = page->summary().totals.calls; // "Last day" ends at m_now + 60 s
    QSignalSpy loaded(page.get(), &ui::DashboardPage::loaded);
    page->setCustomRange(m_now.addSecs(60).addDays(-1), m_now.addSecs(60));
    QVERIFY(loaded.wait(kWaitMs));
    QCOMPARE(page->summary().totals.calls, lastDay);
    QVERIFY(page->previousSummary().totals.calls > 0); // the 30 traces a day earlier
    page->setCustomRange(m_now.addSecs(60).addDays(-3), m_now.addSecs(60).addDays(-2));
    QVERIFY(loaded.wait(kWaitMs));
    QCOMPARE(page->summary().totals.calls, 0);
    QVERIFY(!ui::CustomRangeDialog::validate(m_now.addDays(-40), m_now).isEmpty());
    QVERIFY(!ui::CustomRangeDialog::validate(m_now, m_now.addDays(-1)).isEmpty());
    QVERIFY(ui::CustomRangeDialog::validate(m_now.addDays(-31), m_now).isEmpty());
    ui::CustomRangeDialog dialog(m_now.addDays(-1), m_now);
    dialog.show();
    dialog.grab().save(QStringLiteral(DASHBOARD_SHOT_DIR "/dashboard_custom_range.png"));
}

// "Custom…" chosen again while a custom range is shown asks for another range (the combo box's
// index does not change, so only its activation says so).
void TestDashboard::customChosenAgainAsks()
{
    const auto page = loadedPage();
    QVERIFY(page);
    auto* range = page->findChild<QComboBox*>(QStringLiteral("costsRange"));
    QVERIFY(range);
    const int preset = range->currentIndex();
    const int custom = range->count() - 1;
    int asked = 0;
    const auto choose = [&](int index) { // as a pick in the popup: the index changes, then activated
        QObject answering;
        QTimer::singleShot(0, &answering, [&asked] {
            if (auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget())) {
                ++asked;
                dialog->reject();
            }
        });
        range->setCurrentIndex(index);
        Q_EMIT range->activated(index);
    };
    choose(custom);
    QCOMPARE(asked, 1); // once, not once for the index change and once for the activation
    QCOMPARE(range->currentIndex(), preset); // cancelled: back to the preset

    QSignalSpy loaded(page.get(), &ui::DashboardPage::loaded);
    page->setCustomRange(m_now.addSecs(60).addDays(-3), m_now.addSecs(60).addDays(-2));
    QVERIFY(loaded.wait(kWaitMs));
    QCOMPARE(range->currentIndex(), custom);
    choose(custom);
    choose(custom);
    QCOMPARE(asked, 3); // each pick of "Custom…" while a custom range is shown asks again
    QCOMPARE(range->currentIndex(), custom); // cancelled: the custom range shown stays chosen
}

// A project switch while the page is hidden drops the answers still on their way for the previous
// project: they neither show nor count as loaded.
void TestDashboard::hiddenPageDropsTheLastProjectsAnswers()
{
    ui::DashboardPage page(m_client.get());
    page.resize(1000, 700);
    page.setNow(m_now.addSecs(60));
    page.show();
    QSignalSpy loaded(&page, &ui::DashboardPage::loaded);
    page.setProject(sampleProject()); // asks at once: the page is on screen
    page.hide();
    page.setProject(QStringLiteral("acme/nothing-here"));
    QTest::qWait(1000);
    QCOMPARE(loaded.count(), 0);
    page.show(); // the new project's data now
    QVERIFY(loaded.wait(kWaitMs));
    QCOMPARE(page.summary().totals.calls, 0);
}

// The preset range chosen last comes back with the next page (the next start); a custom range,
// a one-off question, leaves the last preset.
void TestDashboard::rangeComesBack()
{
    const auto rangeOf = [](ui::DashboardPage& page) {
        return page.findChild<QComboBox*>(QStringLiteral("costsRange"))->currentText();
    };
    {
        ui::DashboardPage page(m_client.get());
        QCOMPARE(rangeOf(page), QStringLiteral("Last day"));
        page.setRangeIndex(2);
        QCOMPARE(rangeOf(page), QStringLiteral("Last week"));
        page.setCustomRange(m_now.addDays(-3), m_now.addDays(-2));
    }
    ui::DashboardPage again(m_client.get());
    QCOMPARE(rangeOf(again), QStringLiteral("Last week"));
}

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
