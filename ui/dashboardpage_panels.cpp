// DashboardPage: the charts, the cost-by-model table, the project cost report and what-if panels,
// click-through to the calls table, CSV exports and saving the filter as a Traces view.
#include "core/call.h"
#include "core/csv.h"
#include "core/savedview.h"
#include "models/callstablemodel.h"
#include "net/traceclient.h"
#include "ui/dashboardpage.h"
#include "ui/filterbar.h"
#include "ui/savedviewsbar.h"
#include "widgets/chartview.h"
#include "widgets/headerstyle.h"
#include "widgets/reflowgrid.h"
#include "widgets/savefile.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace spindle::ui {

using models::formatCost;
using models::formatLatency;
using widgets::ChartView;

namespace {

QString integerText(double v)
{
    return QLocale().toString(qRound64(v));
}

QFrame* panelFrame()
{
    auto* frame = new QFrame;
    frame->setObjectName(QStringLiteral("dashboardPanel"));
    frame->setStyleSheet(QStringLiteral("#dashboardPanel { background: palette(base); border: 1px solid "
                                        "palette(midlight); border-radius: 6px; }"));
    return frame;
}

QString perMillionText(std::optional<double> price)
{
    return price ? QLocale().toString(*price, 'f', *price < 1 ? 3 : 2) : QString();
}

} // namespace

ChartView* DashboardPage::addChart(const QString& name, const QString& title, int kind)
{
    auto* chart = new ChartView(ChartView::Kind(kind));
    chart->setObjectName(name);
    chart->setTitle(title);
    chart->setMinimumHeight(260);
    m_charts.append(chart);
    return chart;
}

QWidget* DashboardPage::buildCharts()
{
    auto* box = new widgets::ReflowGrid(2);
    box->setSpacing(8);
    box->setMinimumItemWidth(360);
    const auto money = [](double v) { return formatCost(v); };
    addChart(QStringLiteral("costByModel"), tr("Cost by model"), int(ChartView::Kind::StackedBar))
        ->setValueFormat(QStringLiteral("$%.2f"), money);
    addChart(QStringLiteral("costByOp"), tr("Cost by op"), int(ChartView::Kind::StackedBar))
        ->setValueFormat(QStringLiteral("$%.2f"), money);
    addChart(QStringLiteral("tokens"), tr("Tokens"), int(ChartView::Kind::Line))
        ->setValueFormat(QStringLiteral("%.0f"), integerText);
    addChart(QStringLiteral("calls"), tr("Calls and errors"), int(ChartView::Kind::Line))
        ->setValueFormat(QStringLiteral("%.0f"), integerText);
    addChart(QStringLiteral("latency"), tr("Latency percentiles (ms)"), int(ChartView::Kind::Line))
        ->setValueFormat(QStringLiteral("%.0f"), [](double v) { return formatLatency(qRound64(v)); });
    ChartView* scatter =
        addChart(QStringLiteral("scatter"), tr("Prompt vs completion tokens"), int(ChartView::Kind::Scatter));
    scatter->setTimeAxis(false);
    scatter->setAxisTitles(tr("prompt tokens"), tr("completion tokens"));
    scatter->setValueFormat(QStringLiteral("%.0f"), integerText);
    scatter->setToolTipProvider([this](int series, int index) { return scatterToolTip(series, index); });
    for (int i = 0; i < m_charts.size(); ++i) {
        m_charts[i]->setToolTip(
            tr("Hover for values; click a bar or point to open its calls on the Traces page"));
        box->addItem(m_charts[i]);
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
    exportButton->setToolTip(tr("Save this table as CSV"));
    top->addWidget(title);
    top->addStretch(1);
    top->addWidget(exportButton);
    v->addLayout(top);
    m_tableModel = new models::ModelCostTableModel(this);
    m_table = new QTableView;
    m_table->setModel(m_tableModel);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    // Model names are long ("claude-3-5-sonnet-20241022"): the model column takes the spare width.
    widgets::applyHeaderStyle(m_table->horizontalHeader());
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->horizontalHeader()->setMinimumSectionSize(80);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    v->addWidget(m_table);
    connect(exportButton, &QPushButton::clicked, this, &DashboardPage::chooseExportFile);
    return box;
}

QWidget* DashboardPage::buildPanels()
{
    auto* box = new widgets::ReflowGrid(2);
    box->setSpacing(8);
    box->addItem(buildReportPanel(), 2);
    box->addItem(buildWhatIfPanel(), 3);
    return box;
}

QWidget* DashboardPage::buildReportPanel()
{
    QFrame* frame = panelFrame();
    auto* v = new QVBoxLayout(frame);
    v->setContentsMargins(12, 8, 12, 8);
    auto* top = new QHBoxLayout;
    auto* title = new QLabel(tr("<b>Project cost report</b>"));
    title->setToolTip(tr("Like Weave's get_costs_for_project: the cost, LLM requests and calls of every root "
                         "call of the project in this range (the filters above do not apply)"));
    auto* exportButton = new QPushButton(tr("Export…"));
    exportButton->setToolTip(tr("Save the report as CSV"));
    top->addWidget(title);
    top->addStretch(1);
    top->addWidget(exportButton);
    v->addLayout(top);
    m_reportText = new QLabel(QStringLiteral("–"));
    m_reportText->setTextFormat(Qt::RichText);
    m_reportText->setWordWrap(true);
    m_reportText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_reportText);
    v->addStretch(1);
    connect(exportButton, &QPushButton::clicked, this, &DashboardPage::chooseReportFile);
    return frame;
}

QWidget* DashboardPage::buildWhatIfPanel()
{
    QFrame* frame = panelFrame();
    auto* v = new QVBoxLayout(frame);
    v->setContentsMargins(12, 8, 12, 8);
    auto* title = new QLabel(tr("<b>What-if price</b>"));
    title->setToolTip(tr("Pick a model and another price: the totals under the current and the hypothetical "
                         "price, side by side. Computed here from the token totals; nothing is saved."));
    v->addWidget(title);
    auto* inputs = new QHBoxLayout;
    m_whatIfModel = new QComboBox;
    m_whatIfModel->setMinimumContentsLength(18);
    m_whatIfModel->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_whatIfModel->setToolTip(tr("The model to re-price"));
    m_whatIfInput = new QLineEdit;
    m_whatIfOutput = new QLineEdit;
    for (QLineEdit* edit : { m_whatIfInput, m_whatIfOutput }) {
        edit->setMaximumWidth(90);
        edit->setClearButtonEnabled(true);
        connect(edit, &QLineEdit::textEdited, this, &DashboardPage::updateWhatIf);
    }
    m_whatIfInput->setPlaceholderText(tr("input"));
    m_whatIfInput->setToolTip(tr("USD per million prompt (input) tokens"));
    m_whatIfOutput->setPlaceholderText(tr("output"));
    m_whatIfOutput->setToolTip(tr("USD per million completion (output) tokens"));
    auto* reset = new QPushButton(tr("Reset"));
    reset->setToolTip(tr("Back to the price in use"));
    inputs->addWidget(m_whatIfModel, 1);
    inputs->addWidget(new QLabel(tr("$ per 1M tokens: in")));
    inputs->addWidget(m_whatIfInput);
    inputs->addWidget(new QLabel(tr("out")));
    inputs->addWidget(m_whatIfOutput);
    inputs->addWidget(reset);
    v->addLayout(inputs);
    m_whatIfResult = new QLabel(tr("Pick a model and enter a price."));
    m_whatIfResult->setTextFormat(Qt::RichText);
    m_whatIfResult->setWordWrap(true);
    v->addWidget(m_whatIfResult);
    const auto fillCurrent = [this] {
        for (const models::ModelUsage& m : std::as_const(m_current.models))
            if (m.model == m_whatIfModel->currentText()) {
                m_whatIfInput->setText(perMillionText(m.inputPerMillion()));
                m_whatIfOutput->setText(perMillionText(m.outputPerMillion()));
            }
        updateWhatIf();
    };
    connect(m_whatIfModel, &QComboBox::activated, this, fillCurrent);
    connect(reset, &QPushButton::clicked, this, fillCurrent);
    return frame;
}

void DashboardPage::showReport()
{
    m_report = models::costReport(m_reportSeparate ? m_roots : m_current);
    m_reportProject = m_projectId;
    m_reportStart = m_start;
    m_reportEnd = m_end;
    const QLocale locale;
    QString cost = m_report.hasCost || m_report.unpricedModels.isEmpty() ? formatCost(m_report.totalCost)
                                                                         : QStringLiteral("—");
    QString text = tr("<span style='font-size:large'><b>%1</b></span> total cost · <b>%2</b> LLM requests · "
                      "<b>%3</b> root calls")
                       .arg(cost, locale.toString(m_report.requests), locale.toString(m_report.calls));
    if (!m_report.unpricedModels.isEmpty())
        text += tr("<br><span style='color:#b35c00'>No price for %1: not counted. Add one on the Prices page "
                   "(Ctrl+3).</span>")
                    .arg(m_report.unpricedModels.join(QStringLiteral(", ")).toHtmlEscaped());
    m_reportText->setText(text);
}

void DashboardPage::setWhatIf(
    const QString& model, const QString& inputPerMillion, const QString& outputPerMillion)
{
    m_whatIfModel->setCurrentIndex(m_whatIfModel->findText(model));
    m_whatIfInput->setText(inputPerMillion);
    m_whatIfOutput->setText(outputPerMillion);
    updateWhatIf();
}

QString DashboardPage::whatIfText() const
{
    return m_whatIfResult->text();
}

void DashboardPage::updateWhatIf()
{
    // Keep the model list in step with the table, keeping the choice when the model is still there.
    QStringList names;
    for (const models::ModelUsage& m : std::as_const(m_current.models))
        names.append(m.model);
    const QString chosen = m_whatIfModel->currentText();
    QStringList listed;
    for (int i = 0; i < m_whatIfModel->count(); ++i)
        listed.append(m_whatIfModel->itemText(i));
    if (listed != names) {
        const int kept = int(names.indexOf(chosen));
        m_whatIfModel->clear();
        m_whatIfModel->addItems(names);
        m_whatIfModel->setCurrentIndex(qMax(0, kept));
        if (kept < 0) { // the prices typed were for a model this period has not used: not another's
            const QSignalBlocker inputBlocker(m_whatIfInput);
            const QSignalBlocker outputBlocker(m_whatIfOutput);
            m_whatIfInput->clear();
            m_whatIfOutput->clear();
        }
    }
    m_tableModel->setWhatIf({});
    if (names.isEmpty()) {
        m_whatIfResult->setText(tr("No LLM usage in this period."));
        return;
    }
    if (m_whatIfInput->text().trimmed().isEmpty() && m_whatIfOutput->text().trimmed().isEmpty()) {
        m_whatIfResult->setText(tr("Enter another input and output price for %1 (USD per million tokens).")
                                    .arg(m_whatIfModel->currentText().toHtmlEscaped()));
        return;
    }
    QString inputError, outputError;
    const auto input = models::parsePricePerMillion(m_whatIfInput->text(), &inputError);
    const auto output = models::parsePricePerMillion(m_whatIfOutput->text(), &outputError);
    if (!input || !output) {
        m_whatIfResult->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>")
                                    .arg((input ? tr("Output: %1") : tr("Input: %1"))
                                             .arg(input ? outputError : inputError)
                                             .toHtmlEscaped()));
        return;
    }
    const models::WhatIfPrice price { m_whatIfModel->currentText(), *input, *output };
    const models::WhatIfResult r = models::whatIf(m_current.models, price);
    m_tableModel->setWhatIf(models::whatIfCosts(m_current.models, price));
    const QString change = models::formatChange(r.whatIfTotal, r.currentTotal);
    m_whatIfResult->setText(
        tr("Total: <b>%1</b> now → <b>%2</b> with this price%3<br>%4: %5 → %6")
            .arg(formatCost(r.currentTotal), formatCost(r.whatIfTotal),
                change.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(change),
                price.model.toHtmlEscaped(), r.modelPriced ? formatCost(r.currentModel) : tr("— (no price)"),
                formatCost(r.whatIfModel)));
}

void DashboardPage::connectClicks()
{
    // A bar is a bucket of one series: its model, op or status narrows the filter ("other" cannot).
    const auto onBar = [this](std::function<void(CallsQuery&, const QString&)> narrow) {
        return [this, narrow](const QString& series, double x) {
            openBucket(qint64(x), [&](CallsQuery& q) {
                if (series != QLatin1String("other"))
                    narrow(q, series);
            });
        };
    };
    connect(chart(QStringLiteral("costByModel")), &ChartView::pointClicked, this,
        onBar([](CallsQuery& q, const QString& model) {
            // Calls whose summary.usage has this model as a key: "<model>": as the stored compact JSON
            // writes it, quotes and backslashes in the name escaped (a name with a quote found none).
            q.conditions.append(FieldCondition {
                QStringLiteral("summary.usage"), FilterOp::Contains, models::usageKeyText(model) });
        }));
    connect(chart(QStringLiteral("costByOp")), &ChartView::pointClicked, this,
        onBar([this](CallsQuery& q, const QString& op) {
            q.opNames = QStringList { m_series.opFilters.value(op, op) };
        }));
    connect(chart(QStringLiteral("calls")), &ChartView::pointClicked, this,
        onBar([](CallsQuery& q, const QString& series) {
            if (series == QLatin1String("errors"))
                q.statuses = QStringList { QStringLiteral("error") };
        }));
    for (const char* name : { "tokens", "latency" })
        connect(chart(QLatin1String(name)), &ChartView::pointClicked, this,
            [this](const QString&, double x) { openBucket(qint64(x), [](CallsQuery&) {}); });
    // A scatter point is one call: show that call.
    connect(
        chart(QStringLiteral("scatter")), &ChartView::pointIndexClicked, this, [this](int series, int index) {
            if (series >= m_series.scatter.size() || index >= m_series.scatter[series].sampleIndex.size())
                return;
            const models::UsagePoint& p = m_series.sample[m_series.scatter[series].sampleIndex[index]];
            CallsQuery query = dashboardQuery();
            query.startedAfter = p.startedAt.addMSecs(-1);
            query.startedBefore = p.startedAt.addMSecs(1);
            query.conditions.append(FieldCondition { QStringLiteral("id"), FilterOp::Equals, p.callId });
            Q_EMIT openCallsRequested(query);
        });
}

void DashboardPage::openBucket(qint64 startMs, const std::function<void(CallsQuery&)>& narrow)
{
    // The bucket [start, start + granularity) within the range. The calls filter takes
    // after (>) and before (<=), so both edges move back by a millisecond.
    const qint64 from = qMax(startMs, m_start.toMSecsSinceEpoch());
    const qint64 to =
        qMin(startMs + qMax<qint64>(1, m_series.granularitySeconds) * 1000, m_end.toMSecsSinceEpoch());
    CallsQuery query = dashboardQuery();
    query.startedAfter = QDateTime::fromMSecsSinceEpoch(from - 1, Qt::UTC);
    query.startedBefore = QDateTime::fromMSecsSinceEpoch(to - 1, Qt::UTC);
    narrow(query);
    Q_EMIT openCallsRequested(query);
}

QString DashboardPage::scatterToolTip(int series, int index) const
{
    if (series < 0 || series >= m_series.scatter.size() || index < 0
        || index >= m_series.scatter[series].sampleIndex.size())
        return {};
    const models::UsagePoint& p = m_series.sample[m_series.scatter[series].sampleIndex[index]];
    const QLocale locale;
    return tr("<b>%1</b><br>%2<br>%3 prompt · %4 completion tokens<br>cost %5<br>%6<br><i>click to open the "
              "call</i>")
        .arg(p.model.toHtmlEscaped(), opShortName(p.opName).toHtmlEscaped(),
            locale.toString(qRound64(p.inputTokens)), locale.toString(qRound64(p.outputTokens)),
            p.cost ? formatCost(*p.cost) : tr("— (no price)"),
            locale.toString(p.startedAt.toLocalTime(), QLocale::ShortFormat));
}

bool DashboardPage::exportCsv(const QString& path, QString* error) const
{
    return widgets::saveBytes(path, csvFileBytes(models::modelUsageCsv(m_current.models)), error);
}

bool DashboardPage::exportCostReport(const QString& path, QString* error) const
{
    return widgets::saveBytes(path,
        csvFileBytes(models::costReportCsv(m_reportProject, m_reportStart, m_reportEnd, m_report)), error);
}

void DashboardPage::chooseExportFile()
{
    const QString title = tr("Export cost by model");
    const QString path = QFileDialog::getSaveFileName(
        this, title, QStringLiteral("cost-by-model.csv"), tr("CSV files (*.csv)"));
    QString error;
    if (!path.isEmpty() && !exportCsv(path, &error))
        reportWriteError(title, path, error);
}

void DashboardPage::chooseReportFile()
{
    const QString title = tr("Export project cost report");
    const QString path =
        QFileDialog::getSaveFileName(this, title, QStringLiteral("cost-report.csv"), tr("CSV files (*.csv)"));
    QString error;
    if (!path.isEmpty() && !exportCostReport(path, &error))
        reportWriteError(title, path, error);
}

void DashboardPage::reportWriteError(const QString& title, const QString& path, const QString& error)
{
    QMessageBox::warning(
        this, title, tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), error));
}

void DashboardPage::saveFilterAsView(const QString& label, widgets::PromptReply reply)
{
    if (label.isEmpty()) {
        promptNewViewName(
            this, [this] { return m_projectId; },
            [this](
                const QString& name, widgets::PromptReply done) { saveFilterAsView(name, std::move(done)); });
        return;
    }
    // The dashboard's filter (op, status, roots only, chips) becomes a traces view; the time range
    // stays with the dashboard's range picker.
    TracesViewState state;
    state.query = dashboardQuery();
    state.query.projectId.clear();
    const QJsonObject body = savedViewCreateRequest(
        m_projectId, newSavedViewId(QDateTime::currentDateTimeUtc()), label, definitionFromState(state));
    m_client->post(
        this, QStringLiteral("/obj/create"), body,
        [this, label, reply](const QJsonObject&) {
            if (reply)
                reply({});
            Q_EMIT viewSaved(label);
        },
        [reply](const net::ApiError& error) {
            if (reply)
                reply(error.brief());
        });
}

} // namespace spindle::ui
