#include "ui/mainwindow.h"

#include "core/chatrequest.h"
#include "ui/calldetailpanel.h"
#include "ui/callscontroller.h"
#include "ui/dashboardpage.h"
#include "ui/modelcatalogpage.h"
#include "ui/playgroundpage.h"
#include "ui/pricespage.h"
#include "ui/providerstore.h"
#include "ui/savedviewsbar.h"
#include "ui/shortcutsheet.h"
#include "ui/tracespage.h"
#include "widgets/banner.h"
#include "widgets/navicons.h"

#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QRegularExpression>
#include <QSettings>
#include <QShortcut>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace spindle::ui {
namespace {

// The pale grey of the window's chrome: the connection bar and the page list.
const QColor kChromeBackground(0xf3, 0xf4, 0xf6);

} // namespace

MainWindow::MainWindow(net::TraceClient* client, QWidget* parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_banner(new widgets::Banner(this))
    , m_nav(new QListWidget(this))
    , m_pages(new QStackedWidget(this))
    , m_traces(new TracesPage(client, this))
    , m_dashboard(new DashboardPage(client, this))
    , m_prices(new PricesPage(client, this))
    , m_connection(new QLabel(this))
    , m_copySnippet(new QToolButton(this))
    , m_project(new QComboBox(this))
{
    setWindowTitle(tr("Spindle"));
    buildCentralWidget();
    connect(m_nav, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    addPlayground(client);
    auto* help = new QShortcut(QKeySequence::HelpContents, this, [this] { showShortcuts(); });
    help->setWhatsThis(tr("Show this list of keyboard shortcuts"));
    connectServerState();
    connectPages();
    statusBar()->showMessage(tr("Ready"));
    QSettings settings;
    resize(1280, 800);
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    // The page the window was closed on (a link from the SDK still opens the Traces page).
    m_nav->setCurrentRow(
        qBound(0, settings.value(QStringLiteral("window/page"), 0).toInt(), m_nav->count() - 1));
}

MainWindow::~MainWindow() = default;

// The connection bar and the banner above the page list and its pages.
void MainWindow::buildCentralWidget()
{
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(buildConnectionBar());
    layout->addWidget(m_banner);
    auto* body = new QHBoxLayout;
    body->setSpacing(0);
    setUpNav();
    addNavItem(widgets::NavIcon::Traces, tr("Traces"), tr("Every call of the project, and their traces"));
    addNavItem(
        widgets::NavIcon::Costs, tr("Costs"), tr("Cost, tokens, requests, latency and errors over time"));
    addNavItem(widgets::NavIcon::Prices, tr("Prices"), tr("The prices that turn token counts into costs"));
    m_nav->setCurrentRow(0);
    body->addWidget(m_nav);
    auto* edge = new QFrame(this);
    edge->setFrameShape(QFrame::VLine);
    edge->setFrameShadow(QFrame::Plain);
    edge->setForegroundRole(QPalette::Mid);
    body->addWidget(edge);
    m_pages->addWidget(m_traces);
    m_pages->addWidget(m_dashboard);
    m_pages->addWidget(m_prices);
    body->addWidget(m_pages, 1);
    layout->addLayout(body, 1);
    setCentralWidget(central);
}

// Server errors go to the banner; while the server is unreachable it is probed until it answers.
void MainWindow::connectServerState()
{
    connect(m_client, &net::TraceClient::requestFailed, this,
        [this](const net::ApiError& error) { m_banner->showMessage(error.message()); });
    // When the server goes away, probe it every few seconds; when it answers again, reload.
    m_reconnect.setInterval(2000);
    // Whether the probe or another request (a refresh, live mode's poll) finds it first.
    const auto serverBack = [this] {
        if (!m_reconnect.isActive())
            return;
        m_reconnect.stop();
        m_banner->showMessage(tr("The trace server is reachable again."), widgets::Banner::Kind::Info);
        // Every page that asked while it was away: the calls, the charts, the list of projects, and
        // what the session learns of the server (whether it is a Spindle one).
        m_traces->refresh();
        m_dashboard->refresh();
        loadProjects();
        Q_EMIT serverReturned();
    };
    connect(&m_reconnect, &QTimer::timeout, this, [this, serverBack] {
        m_client->checkHealth(this, [serverBack](bool ok) {
            if (ok)
                serverBack();
        });
    });
    connect(m_client, &net::TraceClient::reachabilityChanged, this, [this, serverBack](bool reachable) {
        if (!reachable)
            m_reconnect.start();
        else
            serverBack();
    });
}

// What the pages tell the window: status messages, warnings for the banner, the saved view's name
// for the title, and requests to open calls or sample data.
void MainWindow::connectPages()
{
    connect(
        m_traces, &TracesPage::statusMessage, this, [this](const QString& message) { showStatus(message); });
    connect(m_dashboard, &DashboardPage::viewSaved, this, [this](const QString& label) {
        m_traces->savedViews()->reload();
        showStatus(tr("Saved view “%1”: open it on the Traces page").arg(label));
    });
    // A click on a dashboard bar or point: its calls on the Traces page.
    connect(m_dashboard, &DashboardPage::openCallsRequested, this, [this](const CallsQuery& query) {
        m_traces->showCalls(query);
        m_nav->setCurrentRow(0);
        showStatus(tr("Calls of the clicked bucket; clear the filters to see all calls"));
    });
    connect(
        m_prices, &PricesPage::statusMessage, this, [this](const QString& message) { showStatus(message); });
    connect(m_traces, &TracesPage::warning, this, &MainWindow::showWarning);
    // The Costs page has no rows to find the dynamic columns in: the Traces page's, for its conditions.
    connect(m_traces->controller(), &CallsController::columnsDiscovered, m_dashboard,
        &DashboardPage::setKnownFields);
    connect(m_prices, &PricesPage::warning, this, &MainWindow::showWarning);
    connect(m_traces, &TracesPage::viewChanged, this,
        [this](const QString& label) { setWindowTitle(tr("%1 — %2 — Spindle").arg(label, m_projectId)); });
    connect(m_traces, &TracesPage::sampleDataRequested, this,
        [this] { Q_EMIT sampleDataRequested(m_projectId); });
}

QWidget* MainWindow::buildConnectionBar()
{
    auto* bar = new QWidget(this);
    bar->setObjectName(QStringLiteral("connectionBar"));
    bar->setStyleSheet(QStringLiteral("#connectionBar { background: %1; border-bottom: 1px solid #d9dce1; }")
                           .arg(kChromeBackground.name()));
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(10, 6, 10, 6);
    auto* logo = new QLabel(tr("<b>Spindle</b>"), bar);
    row->addWidget(logo);
    row->addSpacing(12);
    row->addWidget(new QLabel(tr("Project"), bar));
    m_project->setEditable(true);
    m_project->setMinimumContentsLength(24);
    m_project->setInsertPolicy(QComboBox::NoInsert);
    m_project->setToolTip(tr("entity/project — pick one the server has, or type a name"));
    m_project->lineEdit()->setPlaceholderText(tr("entity/project"));
    row->addWidget(m_project);
    connect(m_project, &QComboBox::activated, this, &MainWindow::onProjectChosen);
    connect(m_project->lineEdit(), &QLineEdit::returnPressed, this, &MainWindow::onProjectChosen);
    row->addStretch(1);
    m_connection->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row->addWidget(m_connection);
    m_copySnippet->setText(tr("Copy setup"));
    m_copySnippet->setToolTip(tr("Copy the environment an app needs to log traces here"));
    connect(m_copySnippet, &QToolButton::clicked, this, [this] {
        QApplication::clipboard()->setText(m_snippet);
        showStatus(tr("Copied: %1").arg(m_snippet));
    });
    row->addWidget(m_copySnippet);
    auto* connection = new QToolButton(bar);
    connection->setText(tr("Connection…"));
    connection->setToolTip(tr("Switch between the local server, W&B and another Weave-compatible server"));
    connect(connection, &QToolButton::clicked, this, &MainWindow::connectionDialogRequested);
    row->addWidget(connection);
    auto* shortcuts = new QToolButton(bar);
    shortcuts->setText(tr("?"));
    shortcuts->setToolTip(tr("Keyboard shortcuts (F1)"));
    shortcuts->setAccessibleName(tr("Keyboard shortcuts")); // not "?"
    connect(shortcuts, &QToolButton::clicked, this, &MainWindow::showShortcuts);
    row->addWidget(shortcuts);
    return bar;
}

// The sheet lists the window's keys and the shown page's; asked again, it is made afresh for the
// page shown now.
void MainWindow::showShortcuts()
{
    delete m_shortcutSheet;
    const QListWidgetItem* page = m_nav->currentItem();
    m_shortcutSheet =
        new ShortcutSheet(collectShortcuts(this, m_pages, page ? page->text() : QString()), this);
    m_shortcutSheet->setAttribute(Qt::WA_DeleteOnClose);
    m_shortcutSheet->show();
}

void MainWindow::setConnectionInfo(const QString& description, const QString& snippet, bool sampleDataOffered)
{
    m_snippet = snippet;
    m_connection->setText(description);
    m_connection->setToolTip(snippet);
    m_copySnippet->setVisible(!snippet.isEmpty());
    m_traces->setConnectionHint(snippet, sampleDataOffered);
    m_reconnect.stop(); // probes of the previous server
    m_banner->dismiss();
}

void MainWindow::setServerTotals(bool supported)
{
    m_traces->setServerTotals(supported);
    m_dashboard->setServerTotals(supported);
}

bool MainWindow::isProjectName(const QString& text)
{
    static const QRegularExpression valid(QStringLiteral("^[^/\\s]+/[^/\\s]+$"));
    return valid.match(text).hasMatch();
}

QString MainWindow::notAProjectName(const QString& text)
{
    return tr("A project is named entity/project, e.g. me/my-project; '%1' is not.").arg(text);
}

void MainWindow::onProjectChosen()
{
    const QString text = m_project->currentText().trimmed();
    if (!isProjectName(text)) {
        m_banner->showMessage(notAProjectName(text));
        return;
    }
    if (text != m_projectId)
        switchProject(text);
}

void MainWindow::switchProject(const QString& projectId, std::function<void()> then)
{
    m_project->setCurrentText(m_projectId); // until the switch happens: a Cancel leaves it there
    m_traces->savedViews()->confirmLeave(
        tr("Save them before opening %1?").arg(projectId), [this, projectId, then] {
            setProject(projectId);
            if (then)
                then();
        });
}

void MainWindow::openLink(const QString& projectId, const QString& callId)
{
    if (isMinimized())
        showNormal();
    raise();
    activateWindow();
    const auto show = [this, callId] {
        m_nav->setCurrentRow(0); // a project's link shows its calls, whatever page was open
        if (!callId.isEmpty())
            m_traces->openCall(callId);
    };
    if (projectId != m_projectId)
        switchProject(projectId, show);
    else
        show();
}

void MainWindow::setProject(const QString& projectId)
{
    m_projectId = projectId;
    if (m_project->findText(projectId) < 0)
        m_project->addItem(projectId);
    m_project->setCurrentText(projectId);
    setWindowTitle(tr("%1 — Spindle").arg(projectId));
    m_traces->setProject(projectId);
    m_dashboard->setProject(projectId);
    m_prices->setProject(projectId);
    m_playground->setProject(projectId);
    // W&B Inference bills usage to an entity/project of W&B; a local project name means nothing there.
    const bool hostedWandb = m_client->connection().baseUrl.host().endsWith(QLatin1String("wandb.ai"));
    m_providers->setWandbProject(hostedWandb ? projectId : QString());
    Q_EMIT projectChanged(projectId);
}

// The list is this server's: a connection switch leaves none of the previous server's projects.
void MainWindow::loadProjects()
{
    m_project->clear();
    if (!m_projectId.isEmpty())
        m_project->addItem(m_projectId);
    m_project->setCurrentText(m_projectId);
    m_client->cancel(m_projectsRequest); // the previous server's list, if it has not come yet
    const auto id =
        m_client->post(this, QStringLiteral("/spindle/projects"), {}, [this](const QJsonObject& json) {
            m_projectsRequest = 0;
            for (const QJsonValue& project : json.value(QLatin1String("projects")).toArray()) {
                const QString id = project.toObject().value(QLatin1String("project_id")).toString();
                if (!id.isEmpty() && m_project->findText(id) < 0)
                    m_project->addItem(id);
            }
        });
    m_client->setQuiet(id); // hosted servers have no project list: typing a name still works
    m_projectsRequest = id;
}

void MainWindow::showWarning(const QString& message)
{
    m_banner->showMessage(message);
}

void MainWindow::showStatus(const QString& message, int timeoutMs)
{
    statusBar()->showMessage(message, timeoutMs);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    SavedViewsBar* views = m_traces->savedViews();
    if (!m_closeConfirmed && views->hasUnsavedChanges()) {
        event->ignore(); // asked first; the window closes once the changes are saved or dropped
        views->confirmLeave(tr("Save them before closing Spindle?"), [this] {
            m_closeConfirmed = true;
            QTimer::singleShot(0, this, &QWidget::close); // not from inside this close event
        });
        return;
    }
    m_closeConfirmed = false;
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/page"), m_nav->currentRow());
    QMainWindow::closeEvent(event);
}

// The page list: a pale column like the connection bar, with a picture beside each page's name.
void MainWindow::setUpNav()
{
    m_nav->setFixedWidth(136);
    m_nav->setFrameShape(QFrame::NoFrame);
    m_nav->setIconSize(QSize(16, 16));
    m_nav->setSpacing(1);
    QPalette palette = m_nav->palette();
    palette.setColor(QPalette::Base, kChromeBackground);
    m_nav->setPalette(palette);
}

// A page's entry and its shortcut: Ctrl+1 for the first row, and so on.
void MainWindow::addNavItem(widgets::NavIcon icon, const QString& title, const QString& what)
{
    const int row = m_nav->count();
    auto* shortcut = new QShortcut(
        QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + row)), this, [this, row] { m_nav->setCurrentRow(row); });
    shortcut->setWhatsThis(tr("Open the %1 page").arg(title));
    const QPalette palette = m_nav->palette();
    auto* item = new QListWidgetItem(
        widgets::navIcon(icon, palette.color(QPalette::Text), palette.color(QPalette::HighlightedText)),
        title);
    item->setSizeHint(QSize(0, m_nav->fontMetrics().height() + 12));
    item->setToolTip(tr("%1 (%2)").arg(what, shortcut->key().toString(QKeySequence::NativeText)));
    m_nav->addItem(item);
}

// The playground (Ctrl+4) and the W&B Inference model catalog (Ctrl+5): the catalog's
// "Compare N models" fills the playground's panes; a chat call's "Playground" button loads it.
void MainWindow::addPlayground(net::TraceClient* client)
{
    m_providers = new ProviderStore({}, this);
    // What the providers dialog cannot say itself (closed by then): settings or keys not stored.
    connect(m_providers, &ProviderStore::storageFailed, this, &MainWindow::showWarning);
    auto* inference = new net::InferenceClient(this);
    m_playground = new PlaygroundPage(client, m_providers, inference, this);
    m_catalog = new ModelCatalogPage(m_providers, inference, this);
    addNavItem(
        widgets::NavIcon::Playground, tr("Playground"), tr("One prompt to several models, side by side"));
    addNavItem(
        widgets::NavIcon::Models, tr("Models"), tr("The W&B Inference models, to compare in the playground"));
    const int playgroundRow = m_pages->addWidget(m_playground);
    const int catalogRow = m_pages->addWidget(m_catalog);
    connect(m_playground, &PlaygroundPage::catalogRequested, this,
        [this, catalogRow] { m_nav->setCurrentRow(catalogRow); });
    // The catalog prices models as the playground estimates them: with the project's own prices.
    connect(m_playground, &PlaygroundPage::pricesLoaded, m_catalog, &ModelCatalogPage::setPriceTable);
    connect(m_catalog, &ModelCatalogPage::providersRequested, m_playground, &PlaygroundPage::editProviders);
    connect(m_catalog, &ModelCatalogPage::compareRequested, this,
        [this, playgroundRow](const QString& provider, const QStringList& models) {
            m_playground->compareModels(provider, models);
            m_nav->setCurrentRow(playgroundRow);
        });
    // A price added or purged re-prices past calls: the dashboard and estimates follow.
    connect(m_prices, &PricesPage::pricesChanged, this, [this] {
        m_dashboard->refresh();
        m_playground->reloadPrices();
    });
    CallDetailPanel* detail = m_traces->detailPanel();
    detail->setPlaygroundAvailable(true);
    connect(detail, &CallDetailPanel::openInPlaygroundRequested, this,
        [this, playgroundRow](const spindle::Call& call) {
            const auto request = chatRequestFromCallInputs(call.inputs);
            if (!request) {
                showStatus(tr("This call's inputs hold no chat messages"));
                return;
            }
            m_playground->openRequest(*request);
            m_nav->setCurrentRow(playgroundRow);
        });
}

} // namespace spindle::ui
