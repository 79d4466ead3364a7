// The cost dashboard page: layout, the /calls/stats requests and showing their results. The cards
// and charts are filled in dashboardpage_results.cpp; the report and what-if panels, click-through,
// exports and saved views are in dashboardpage_panels.cpp.
//
// Requests per refresh, all in parallel and each one scan of the range on the server:
//  - current period: chart buckets by model and op, exact range totals and a 2000-point usage
//    sample (Spindle's /calls/stats extensions), so headline, charts, scatter and table share a scan;
//  - previous period: one bucket, for the changes on the cards;
//  - root calls of the project (the cost report), only when the filter is not "roots only" alone
//    (else the current period's totals are the report).
// Against a server without the extensions (hosted Weave answers 4xx) the page asks again in plain
// protocol form: a single-bucket request for exact totals plus the chart buckets, no op chart or
// scatter.
#include "ui/dashboardpage.h"

#include "net/traceclient.h"
#include "ui/customrangedialog.h"
#include "ui/filterbar.h"
#include "ui/oplist.h"
#include "widgets/chartview.h"
#include "widgets/reflowgrid.h"

#include <QComboBox>
#include <QFrame>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <utility>

namespace spindle::ui {

using widgets::ChartView;

namespace {

constexpr qint64 kRanges[] = { 3600, 86400, 7 * 86400, 30 * 86400 };
const char* const kRangeNames[] = { "Last hour", "Last day", "Last week", "Last month", "Custom…" };
const char* const kPeriodNames[] = { "previous hour", "previous day", "previous week", "previous month",
    "period before it" };
constexpr int kCustomRange = 4;
// The last preset range chosen, for the next start (a custom range is a moment's question).
const QString kRangeSetting = QStringLiteral("costs/range");
const char* const kCardTitles[] = { "Total cost", "LLM requests", "Prompt tokens", "Completion tokens",
    "Calls", "Error rate", "p50 latency", "p95 latency" };
constexpr int kScatterPoints = 2000;

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
    column->addWidget(buildPanels());
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
    connectClicks();
}

DashboardPage::~DashboardPage()
{
    for (const quint64 id : std::as_const(m_requests))
        m_client->cancel(id);
}

QWidget* DashboardPage::buildHeader()
{
    auto* header = new QWidget;
    auto* rows = new QVBoxLayout(header);
    rows->setContentsMargins(0, 0, 0, 0);
    auto* top = new QHBoxLayout;
    m_range = new QComboBox;
    m_range->setObjectName(QStringLiteral("costsRange"));
    for (const char* name : kRangeNames)
        m_range->addItem(tr(name));
    m_presetIndex = qBound(0, QSettings().value(kRangeSetting, 1).toInt(), int(std::size(kRanges)) - 1);
    m_range->setCurrentIndex(m_presetIndex);
    m_range->setToolTip(tr("The period the dashboard covers; changes compare with the period before it"));
    auto* reload = new QPushButton(tr("Refresh"));
    reload->setShortcut(QKeySequence::Refresh);
    reload->setToolTip(tr("Query the server again (F5)"));
    m_rangeLabel = new QLabel;
    m_rangeLabel->setObjectName(QStringLiteral("costsRangeLabel"));
    m_rangeLabel->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_rangeLabel->setWordWrap(true); // two lines in a narrow window, not a wider minimum
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
    // A preset applies when the index changes; "Custom…" asks when the user picks it, also again
    // while a custom range is shown (the index then stays, so only the activation says so).
    connect(m_range, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index != kCustomRange)
            onRangeChosen(index);
    });
    connect(m_range, &QComboBox::activated, this, [this](int index) {
        if (index == kCustomRange)
            onRangeChosen(index);
    });
    connect(reload, &QPushButton::clicked, this, &DashboardPage::refresh);
    connect(saveView, &QPushButton::clicked, this, [this] { saveFilterAsView(); });
    return header;
}

QWidget* DashboardPage::buildCards()
{
    auto* box = new widgets::ReflowGrid(4);
    box->setSpacing(8);
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
        box->addItem(frame);
        m_cards.append(card);
    }
    return box;
}

void DashboardPage::setProject(const QString& projectId)
{
    m_projectId = projectId;
    // Also while hidden: the previous project's answers must not show (nor, failing, decide that
    // the new server has no extensions).
    cancelRequests();
    m_extensions = true; // a new project may be on another server: try the extensions again
    // The queries run when the page is on screen: a project switch costs nothing until then.
    if (isVisible()) {
        loadOps(); // first: the previous project's op must not filter this one's query
        refresh();
    } else {
        m_stale = true;
    }
}

void DashboardPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale) {
        m_stale = false;
        loadOps();
        refresh();
    }
}

// The op filter offers the project's ops, as the Traces page's does.
void DashboardPage::loadOps()
{
    m_filters->setOps({});
    m_client->cancel(std::exchange(m_opsRequest, 0)); // an earlier project's, or the last server's
    if (m_projectId.isEmpty())
        return;
    const QString project = m_projectId;
    m_opsRequest = loadOpRefs(m_client, this, project, [this, project](const QStringList& refs) {
        m_opsRequest = 0;
        if (project == m_projectId)
            m_filters->setOps(refs);
    });
}

void DashboardPage::setKnownFields(const QStringList& fields)
{
    m_filters->setKnownFields(fields);
}

void DashboardPage::setServerTotals(bool supported)
{
    if (!m_filters->setServerTotals(supported))
        return;
    if (isVisible()) // the conditions set aside came back
        refresh();
    else
        m_stale = true;
}

void DashboardPage::setRangeIndex(int index)
{
    m_range->setCurrentIndex(qBound(0, index, int(std::size(kRanges)) - 1)); // refreshes when it changes
}

void DashboardPage::setNow(const QDateTime& now)
{
    m_fixedNow = now;
}

void DashboardPage::setCustomRange(const QDateTime& start, const QDateTime& end)
{
    m_customStart = start.toUTC();
    m_customEnd = end.toUTC();
    m_customShown = true;
    const QSignalBlocker block(m_range);
    m_range->setCurrentIndex(kCustomRange);
    refresh();
}

// A preset range refreshes at once; "Custom…" asks for the range first, and going back to the
// previous choice when the question is cancelled.
void DashboardPage::onRangeChosen(int index)
{
    if (index != kCustomRange) {
        m_presetIndex = index;
        m_customShown = false;
        QSettings().setValue(kRangeSetting, index);
        refresh();
        return;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto range = CustomRangeDialog::ask(m_customStart.isValid() ? m_customStart : now.addDays(-1),
        m_customEnd.isValid() ? m_customEnd : now, this);
    if (!range) {
        const QSignalBlocker block(m_range);
        m_range->setCurrentIndex(m_customShown ? kCustomRange : m_presetIndex);
        return;
    }
    setCustomRange(range->first, range->second);
}

qint64 DashboardPage::rangeSeconds() const
{
    if (m_range->currentIndex() == kCustomRange)
        return m_customStart.secsTo(m_customEnd);
    return kRanges[qBound(0, m_range->currentIndex(), int(std::size(kRanges)) - 1)];
}

CallsQuery DashboardPage::dashboardQuery() const
{
    CallsQuery query;
    query.projectId = m_projectId;
    m_filters->applyTo(query);
    query.startedAfter.reset();
    query.startedBefore.reset();
    return query;
}

void DashboardPage::cancelRequests()
{
    for (const quint64 id : std::as_const(m_requests))
        m_client->cancel(id);
    m_requests.clear();
    ++m_generation;
    m_pending = 0;
    m_chartSteps.clear();
    m_busy->setVisible(false);
}

void DashboardPage::refresh()
{
    cancelRequests();
    m_failure.clear();
    if (m_projectId.isEmpty())
        return;
    const bool custom = m_range->currentIndex() == kCustomRange;
    const QDateTime now =
        custom ? m_customEnd : (m_fixedNow.isValid() ? m_fixedNow : QDateTime::currentDateTimeUtc()).toUTC();
    const CallsQuery filter = dashboardQuery();
    const models::DashboardRequests requests =
        models::dashboardRequests(filter, QDateTime::fromSecsSinceEpoch(now.toSecsSinceEpoch(), Qt::UTC),
            rangeSeconds(), m_extensions, kScatterPoints);
    m_start = requests.start;
    m_end = requests.end;
    const QLocale locale;
    QString rangeText = tr("%1 – %2, compared with the %3")
                            .arg(locale.toString(m_start.toLocalTime(), QLocale::ShortFormat),
                                locale.toString(m_end.toLocalTime(), QLocale::ShortFormat),
                                tr(kPeriodNames[m_range->currentIndex()]));
    // The SDKs add each call's LLM usage into its parents' summaries as well: over every call, the
    // same tokens count once per ancestor.
    if (!filter.rootsOnly)
        rangeText += tr(". Every call, not only roots: a parent's usage includes its children's, so "
                        "tokens and cost count once per level.");
    m_rangeLabel->setText(rangeText);

    m_busy->setVisible(true);
    using namespace models;
    m_roots = {};
    m_reportSeparate = requests.roots.has_value();
    requestStats(requests.current, [this](const QJsonObject& json) {
        m_series = parseStatsSeries(json);
        if (m_extensions)
            m_current = parseStatsSummary(json); // from the exact totals of the same scan
    });
    if (requests.currentTotals)
        requestStats(*requests.currentTotals,
            [this](const QJsonObject& json) { m_current = parseStatsSummary(json); });
    requestStats(
        requests.previous, [this](const QJsonObject& json) { m_previous = parseStatsSummary(json); });
    if (requests.roots)
        requestStats(*requests.roots, [this](const QJsonObject& json) { m_roots = parseStatsSummary(json); });
}

void DashboardPage::requestStats(const QJsonObject& body, std::function<void(const QJsonObject&)> onJson)
{
    ++m_pending;
    const quint64 generation = m_generation;
    const quint64 id = m_client->post(
        this, QStringLiteral("/calls/stats"), body,
        [this, generation, onJson](const QJsonObject& json) {
            if (generation != m_generation)
                return;
            onJson(json);
            finishOne();
        },
        [this, generation](const net::ApiError& error) {
            if (generation == m_generation)
                onRequestFailed(error);
        });
    // The page says what went wrong itself (and retries without the extensions on a 4xx).
    m_client->setQuiet(id);
    m_requests.append(id);
}

void DashboardPage::onRequestFailed(const net::ApiError& error)
{
    // A 413 says the answer would be too large (a range with too many groups), not that the server
    // lacks the extensions: the plain form would not be smaller.
    const bool clientError = error.httpStatus >= 400 && error.httpStatus < 500 && error.httpStatus != 401
        && error.httpStatus != 404 && error.httpStatus != 413;
    if (m_failure.isEmpty() && m_extensions && clientError) {
        m_extensions = false; // e.g. hosted Weave: ask again in plain protocol form
        m_probingPlain = true;
        refresh();
        return;
    }
    if (m_failure.isEmpty()) { // the first failure of this refresh says why
        if (m_probingPlain && (clientError || error.httpStatus == 413))
            m_extensions = true; // the plain form fails too: the request is wrong, not the extensions
        m_probingPlain = false;
        m_failure = error.message();
    }
    finishOne();
}

void DashboardPage::finishOne()
{
    if (--m_pending > 0)
        return;
    m_requests.clear();
    m_busy->setVisible(false);
    if (m_failure.isEmpty())
        m_probingPlain = false; // the plain form worked: this server has no extensions
    showResults(); // emits loaded() once the charts are drawn too
}

void DashboardPage::showResults()
{
    m_chartSteps.clear();
    if (!m_failure.isEmpty()) {
        m_empty->setText(tr("<h3>The dashboard could not be loaded</h3><p>%1</p><p>Change the filters above, "
                            "or press Refresh (F5) to try "
                            "again.</p>")
                             .arg(m_failure.toHtmlEscaped()));
        m_stack->setCurrentWidget(m_empty);
        Q_EMIT loaded();
        return;
    }
    if (m_current.totals.calls == 0 && !m_series.hasCalls) {
        m_empty->setText(tr("<h3>No calls in this period</h3><p>Nothing matched %1 and the filters above.</p>"
                            "<p>Try a longer range, or clear the filters.</p>")
                             .arg(m_range->currentIndex() == kCustomRange
                                     ? tr("the chosen range")
                                     : tr(kRangeNames[m_range->currentIndex()]).toLower()));
        m_stack->setCurrentWidget(m_empty);
        Q_EMIT loaded();
        return;
    }
    m_stack->setCurrentIndex(0);
    showCards();
    showReport();
    m_tableModel->setModels(m_current.models);
    updateWhatIf(); // refills the model list and recomputes with the new totals
    const int rows = m_tableModel->rowCount();
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height()
        + rows * m_table->verticalHeader()->defaultSectionSize() + 2 * m_table->frameWidth() + 2);
    showCharts();
}

bool DashboardPage::showsEmptyState() const
{
    return m_stack->currentWidget() == m_empty;
}

ChartView* DashboardPage::chart(const QString& objectName) const
{
    for (ChartView* chart : m_charts)
        if (chart->objectName() == objectName)
            return chart;
    return nullptr;
}

} // namespace spindle::ui
