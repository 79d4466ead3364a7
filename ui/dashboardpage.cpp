#include "ui/dashboardpage.h"

#include "core/savedview.h"
#include "models/callstablemodel.h"
#include "net/traceclient.h"
#include "ui/filterbar.h"
#include "widgets/chartview.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFrame>
#include <QGridLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace spindle::ui {

using models::formatCost;
using models::formatCount;
using models::formatLatency;
using models::StatsSummary;
using widgets::ChartSeries;
using widgets::ChartView;

namespace {

constexpr qint64 kRanges[] = { 3600, 86400, 7 * 86400, 30 * 86400 };
const char* const kRangeNames[] = { "Last hour", "Last day", "Last week", "Last month" };
const char* const kPeriodNames[] = { "previous hour", "previous day", "previous week", "previous month" };
const char* const kCardTitles[] = { "Total cost", "LLM requests", "Prompt tokens", "Completion tokens",
    "Calls", "Error rate", "p50 latency", "p95 latency" };

QVector<ChartSeries> toChart(const QVector<models::StatsSeries>& series, const QVector<QColor>& colors = {})
{
    QVector<ChartSeries> out;
    for (int i = 0; i < series.size(); ++i)
        out.append(
            ChartSeries { series[i].name, series[i].points, i < colors.size() ? colors[i] : QColor() });
    return out;
}

QString percent(std::optional<double> rate)
{
    return rate ? QStringLiteral("%1%").arg(*rate * 100, 0, 'f', *rate < 0.1 ? 1 : 0) : QStringLiteral("–");
}

QString latency(std::optional<double> ms)
{
    return ms ? formatLatency(qRound64(*ms)) : QStringLiteral("–");
}

} // namespace

DashboardPage::DashboardPage(net::TraceClient* client, QWidget* parent)
    : QWidget(parent)
    , m_client(client)
    , m_stack(new QStackedWidget(this))
    , m_empty(new QLabel(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(6);
    layout->addWidget(buildHeader());

    auto* content = new QWidget;
    auto* column = new QVBoxLayout(content);
    column->setContentsMargins(0, 0, 4, 0);
    column->setSpacing(10);
    column->addWidget(buildCards());
    column->addWidget(buildCharts());
    column->addWidget(buildTable());
    column->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);

    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setTextFormat(Qt::RichText);
    m_stack->addWidget(scroll);
    m_stack->addWidget(m_empty);
    layout->addWidget(m_stack, 1);
}

QWidget* DashboardPage::buildHeader()
{
    auto* header = new QWidget;
    auto* rows = new QVBoxLayout(header);
    rows->setContentsMargins(0, 0, 0, 0);
    auto* top = new QHBoxLayout;
    m_range = new QComboBox;
    for (const char* name : kRangeNames)
        m_range->addItem(tr(name));
    m_range->setCurrentIndex(1);
    m_range->setToolTip(tr("The period the dashboard covers; changes compare with the period before it"));
    auto* reload = new QPushButton(tr("Refresh"));
    m_rangeLabel = new QLabel;
    m_rangeLabel->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_busy = new QProgressBar;
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setMaximumHeight(10);
    m_busy->setTextVisible(false);
    m_busy->setVisible(false);
    auto* saveView = new QPushButton(tr("Save as view…"));
    saveView->setToolTip(tr("Save this filter as a saved view of the Traces page (a Weave SavedView)"));
    top->addWidget(m_range);
    top->addWidget(reload);
    top->addWidget(saveView);
    top->addWidget(m_rangeLabel, 1);
    top->addWidget(m_busy);
    rows->addLayout(top);

    m_filters = new FilterBar;
    // The range picker owns the time range: hide the filter bar's own time combo box.
    for (QComboBox* combo : m_filters->findChildren<QComboBox*>())
        if (combo->findData(QStringLiteral("custom")) >= 0)
            combo->hide();
    rows->addWidget(m_filters);

    auto* debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(300);
    connect(debounce, &QTimer::timeout, this, &DashboardPage::refresh);
    connect(m_filters, &FilterBar::changed, debounce, qOverload<>(&QTimer::start));
    connect(m_range, &QComboBox::currentIndexChanged, this, &DashboardPage::refresh);
    connect(reload, &QPushButton::clicked, this, &DashboardPage::refresh);
    connect(saveView, &QPushButton::clicked, this, [this] { saveFilterAsView(); });
    return header;
}

QWidget* DashboardPage::buildCards()
{
    auto* box = new QWidget;
    auto* grid = new QGridLayout(box);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(8);
    for (int i = 0; i < int(std::size(kCardTitles)); ++i) {
        auto* frame = new QFrame;
        frame->setObjectName(QStringLiteral("dashboardCard"));
        frame->setStyleSheet(QStringLiteral("#dashboardCard { background: palette(base); border: 1px solid "
                                            "palette(midlight); border-radius: 6px; }"));
        auto* v = new QVBoxLayout(frame);
        v->setContentsMargins(12, 8, 12, 8);
        v->setSpacing(2);
        Card card { new QLabel(tr(kCardTitles[i])), new QLabel(QStringLiteral("–")), new QLabel };
        card.title->setStyleSheet(QStringLiteral("color: palette(dark);"));
        QFont big = font();
        big.setPointSizeF(big.pointSizeF() * 1.7);
        big.setBold(true);
        card.value->setFont(big);
        for (QLabel* label : { card.title, card.value, card.change })
            v->addWidget(label);
        grid->addWidget(frame, i / 4, i % 4);
        m_cards.append(card);
    }
    return box;
}

QWidget* DashboardPage::buildCharts()
{
    auto* box = new QWidget;
    auto* grid = new QGridLayout(box);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(8);
    m_costChart = new ChartView(ChartView::Kind::StackedBar);
    m_costChart->setTitle(tr("Cost by model"));
    m_costChart->setValueFormat(QStringLiteral("$%.2f"), [](double v) { return formatCost(v); });
    m_tokenChart = new ChartView(ChartView::Kind::Line);
    m_tokenChart->setTitle(tr("Tokens"));
    m_tokenChart->setValueFormat(
        QStringLiteral("%.0f"), [](double v) { return QLocale().toString(qRound64(v)); });
    m_callChart = new ChartView(ChartView::Kind::Line);
    m_callChart->setTitle(tr("Calls and errors"));
    m_callChart->setValueFormat(
        QStringLiteral("%.0f"), [](double v) { return QLocale().toString(qRound64(v)); });
    m_latencyChart = new ChartView(ChartView::Kind::Line);
    m_latencyChart->setTitle(tr("Latency percentiles (ms)"));
    m_latencyChart->setValueFormat(
        QStringLiteral("%.0f"), [](double v) { return formatLatency(qRound64(v)); });
    const ChartView* charts[] = { m_costChart, m_tokenChart, m_callChart, m_latencyChart };
    for (int i = 0; i < 4; ++i) {
        auto* chart = const_cast<ChartView*>(charts[i]);
        chart->setMinimumHeight(260);
        grid->addWidget(chart, i / 2, i % 2);
        connect(chart, &ChartView::pointClicked, this, [this](const QString&, double x) {
            const QDateTime from = QDateTime::fromMSecsSinceEpoch(qint64(x));
            Q_EMIT bucketClicked(from, from.addSecs(qMax<qint64>(1, m_series.granularitySeconds)));
        });
    }
    return box;
}

QWidget* DashboardPage::buildTable()
{
    auto* box = new QWidget;
    auto* v = new QVBoxLayout(box);
    v->setContentsMargins(0, 0, 0, 0);
    auto* top = new QHBoxLayout;
    auto* title = new QLabel(tr("<b>Cost by model</b>"));
    auto* exportButton = new QPushButton(tr("Export CSV…"));
    top->addWidget(title);
    top->addStretch(1);
    top->addWidget(exportButton);
    v->addLayout(top);
    m_tableModel = new models::ModelCostTableModel(this);
    m_table = new QTableView;
    m_table->setModel(m_tableModel);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    v->addWidget(m_table);
    connect(exportButton, &QPushButton::clicked, this, &DashboardPage::chooseExportFile);
    return box;
}

void DashboardPage::setProject(const QString& projectId)
{
    m_projectId = projectId;
    // The queries run when the page is on screen: a project switch costs nothing until then.
    if (isVisible())
        refresh();
    else
        m_stale = true;
}

void DashboardPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale) {
        m_stale = false;
        refresh();
    }
}

void DashboardPage::setRangeIndex(int index)
{
    m_range->setCurrentIndex(qBound(0, index, int(std::size(kRanges)) - 1)); // refreshes when it changes
}

void DashboardPage::setNow(const QDateTime& now)
{
    m_fixedNow = now;
}

qint64 DashboardPage::rangeSeconds() const
{
    return kRanges[qBound(0, m_range->currentIndex(), int(std::size(kRanges)) - 1)];
}

void DashboardPage::refresh()
{
    for (const quint64 id : std::as_const(m_requests))
        m_client->cancel(id);
    m_requests.clear();
    ++m_generation;
    m_pending = 0;
    m_failed = false;
    if (m_projectId.isEmpty())
        return;
    CallsQuery query;
    query.projectId = m_projectId;
    m_filters->applyTo(query);
    query.startedAfter.reset();
    query.startedBefore.reset();
    const QJsonObject filter = query.filterJson();
    const std::optional<QJsonObject> expr = query.queryJson();

    const QDateTime now = (m_fixedNow.isValid() ? m_fixedNow : QDateTime::currentDateTimeUtc()).toUTC();
    const QDateTime end = QDateTime::fromSecsSinceEpoch(now.toSecsSinceEpoch(), Qt::UTC);
    const QDateTime start = end.addSecs(-rangeSeconds());
    const QDateTime before = start.addSecs(-rangeSeconds());
    const QLocale locale;
    m_rangeLabel->setText(tr("%1 – %2, compared with the %3")
                              .arg(locale.toString(start.toLocalTime(), QLocale::ShortFormat),
                                  locale.toString(end.toLocalTime(), QLocale::ShortFormat),
                                  tr(kPeriodNames[m_range->currentIndex()])));

    m_busy->setVisible(true);
    using namespace models;
    requestStats(statsRequest(m_projectId, start, end, filter, expr, singleBucketGranularity(start, end)),
        [this](const QJsonObject& json) { m_current = parseStatsSummary(json); });
    requestStats(
        statsRequest(m_projectId, before, start, filter, expr, singleBucketGranularity(before, start)),
        [this](const QJsonObject& json) { m_previous = parseStatsSummary(json); });
    requestStats(statsRequest(m_projectId, start, end, filter, expr, chartGranularity(rangeSeconds())),
        [this](const QJsonObject& json) { m_series = parseStatsSeries(json); });
}

void DashboardPage::requestStats(const QJsonObject& body, std::function<void(const QJsonObject&)> onJson)
{
    ++m_pending;
    const quint64 generation = m_generation;
    m_requests.append(m_client->post(
        QStringLiteral("/calls/stats"), body,
        [this, generation, onJson](const QJsonObject& json) {
            if (generation != m_generation)
                return;
            onJson(json);
            finishOne();
        },
        [this, generation](const net::ApiError&) { // the banner shows it (requestFailed)
            if (generation != m_generation)
                return;
            m_failed = true;
            finishOne();
        }));
}

void DashboardPage::finishOne()
{
    if (--m_pending > 0)
        return;
    m_requests.clear();
    m_busy->setVisible(false);
    if (!m_failed)
        showResults();
    Q_EMIT loaded();
}

void DashboardPage::showResults()
{
    if (m_current.totals.calls == 0 && !m_series.hasCalls) {
        m_empty->setText(tr("<h3>No calls in this period</h3><p>Nothing matched %1 and the filters above.</p>"
                            "<p>Try a longer range, or clear the filters.</p>")
                             .arg(tr(kRangeNames[m_range->currentIndex()]).toLower()));
        m_stack->setCurrentWidget(m_empty);
        return;
    }
    m_stack->setCurrentIndex(0);
    showCards();
    showCharts();
    m_tableModel->setModels(m_current.models);
    const int rows = m_tableModel->rowCount();
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height()
        + rows * m_table->verticalHeader()->defaultSectionSize() + 2 * m_table->frameWidth() + 2);
}

void DashboardPage::setCard(
    int index, const QString& value, double current, std::optional<double> previous, bool upIsBad)
{
    Card& card = m_cards[index];
    card.value->setText(value);
    const QString change = models::formatChange(current, previous);
    const auto ratio = models::relativeChange(current, previous);
    QString color = QStringLiteral("palette(dark)");
    if (ratio && std::abs(*ratio) >= 0.0005 && upIsBad)
        color = (*ratio > 0) ? QStringLiteral("#c0392b") : QStringLiteral("#2e8b57");
    card.change->setStyleSheet(QStringLiteral("color: %1;").arg(color));
    card.change->setText(change.isEmpty() ? QString() : tr("%1 vs previous").arg(change));
}

void DashboardPage::showCards()
{
    const auto& now = m_current.totals;
    const auto& before = m_previous.totals;
    const auto number = [](qint64 n) { return QLocale().toString(n); };
    setCard(0, now.hasCost ? formatCost(now.cost) : tr("no prices"), now.cost, before.cost, true);
    setCard(1, number(now.requests), double(now.requests), double(before.requests), false);
    setCard(2, formatCount(now.inputTokens), double(now.inputTokens), double(before.inputTokens), false);
    setCard(3, formatCount(now.outputTokens), double(now.outputTokens), double(before.outputTokens), false);
    setCard(4, number(now.calls), double(now.calls), double(before.calls), false);
    setCard(5, percent(now.errorRate()), now.errorRate().value_or(0), before.errorRate(), true);
    setCard(6, latency(now.p50LatencyMs), now.p50LatencyMs.value_or(0), before.p50LatencyMs, true);
    setCard(7, latency(now.p95LatencyMs), now.p95LatencyMs.value_or(0), before.p95LatencyMs, true);
}

void DashboardPage::showCharts()
{
    // Every time chart spans the whole period, also where a series has gaps (no latency without calls).
    const auto& grid = m_series.calls.isEmpty() ? QVector<QPointF>() : m_series.calls.first().points;
    if (!grid.isEmpty())
        for (ChartView* chart : { m_tokenChart, m_callChart, m_latencyChart })
            chart->setXRange(grid.first().x(), grid.last().x());
    m_costChart->setSeries(toChart(m_series.costByModel));
    m_tokenChart->setSeries(toChart(m_series.tokens));
    m_callChart->setSeries(toChart(m_series.calls, { QColor(0x4e79a7), QColor(0xe15759) }));
    m_latencyChart->setSeries(
        toChart(m_series.latency, { QColor(0x59a14f), QColor(0xf28e2b), QColor(0xe15759) }));
}

QString DashboardPage::headlineText(int index) const
{
    if (index < 0 || index >= m_cards.size())
        return {};
    const Card& card = m_cards[index];
    return card.title->text() + QLatin1Char('|') + card.value->text() + QLatin1Char('|')
        + card.change->text();
}

bool DashboardPage::showsEmptyState() const
{
    return m_stack->currentWidget() == m_empty;
}

bool DashboardPage::exportCsv(const QString& path) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(models::modelUsageCsv(m_current.models).toUtf8()) >= 0;
}

void DashboardPage::chooseExportFile()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export cost by model"), QStringLiteral("cost-by-model.csv"), tr("CSV files (*.csv)"));
    if (!path.isEmpty())
        exportCsv(path);
}

void DashboardPage::saveFilterAsView(const QString& label)
{
    QString name = label;
    if (name.isEmpty()) {
        bool ok = false;
        name = QInputDialog::getText(
            this, tr("Save view"), tr("Name of the new view:"), QLineEdit::Normal, QString(), &ok)
                   .trimmed();
        if (!ok || name.isEmpty())
            return;
    }
    // The dashboard's filter (op, status, roots only, chips) becomes a traces view; the time range
    // stays with the dashboard's range picker.
    TracesViewState state;
    m_filters->applyTo(state.query);
    state.query.projectId.clear();
    state.query.startedAfter.reset();
    state.query.startedBefore.reset();
    const QJsonObject body = savedViewCreateRequest(
        m_projectId, newSavedViewId(QDateTime::currentDateTimeUtc()), name, definitionFromState(state));
    m_client->post(
        QStringLiteral("/obj/create"), body, [this, name](const QJsonObject&) { Q_EMIT viewSaved(name); });
}

} // namespace spindle::ui
