#include "ui/pricespage.h"

#include "models/pricelistmodel.h"
#include "net/traceclient.h"
#include "ui/defaultprices.h"
#include "ui/pricedialog.h"
#include "ui/searchtext.h"
#include "widgets/headerstyle.h"
#include "widgets/remember.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace spindle::ui {

using namespace Qt::StringLiterals;
using models::PriceListModel;

namespace {

constexpr qint64 kUsageDays = 30; // /calls/stats takes at most 31 days

QLabel* emptyLabel(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setMargin(16);
    label->setStyleSheet(u"color: #6b7280;"_s);
    return label;
}

QTableView* priceView(QSortFilterProxyModel* proxy, QWidget* parent)
{
    auto* view = new QTableView(parent);
    view->setModel(proxy);
    view->setSortingEnabled(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(24);
    // Fixed widths: ResizeToContents would measure all ~3,500 default rows on every reset.
    QHeaderView* header = view->horizontalHeader();
    widgets::applyHeaderStyle(header);
    header->setSectionResizeMode(PriceListModel::ModelColumn, QHeaderView::Stretch);
    const int widths[] = { 0, 110, 95, 95, 115, 130, 100 };
    for (int column = PriceListModel::ProviderColumn; column < PriceListModel::ColumnCount; ++column)
        header->resizeSection(column, widths[column]);
    return view;
}

QSortFilterProxyModel* priceProxy(PriceListModel* model, QObject* parent)
{
    auto* proxy = new QSortFilterProxyModel(parent);
    proxy->setSourceModel(model);
    proxy->setSortRole(PriceListModel::SortRole);
    proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy->setFilterKeyColumn(-1); // the filter matches model, provider or any other column
    return proxy;
}

QWidget* section(const QString& title, const QString& tip, QWidget* body, QWidget* parent)
{
    auto* box = new QGroupBox(title, parent);
    box->setToolTip(tip);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(body);
    return box;
}

} // namespace

PricesPage::PricesPage(net::TraceClient* client, QWidget* parent)
    : QWidget(parent)
    , m_client(client)
    , m_busy(new QProgressBar(this))
    , m_add(new QPushButton(tr("Add price…"), this))
    , m_delete(new QPushButton(tr("Delete…"), this))
    , m_customModel(new PriceListModel(this))
    , m_defaultsModel(new PriceListModel(this))
{
    m_customProxy = priceProxy(m_customModel, this);
    m_defaultsProxy = priceProxy(m_defaultsModel, this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(6);
    layout->addWidget(buildHeader());
    auto* top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(buildCustomSection());
    top->addWidget(buildUnpricedSection());
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(buildDefaultsSection());
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    widgets::rememberSplitter(top, QStringLiteral("layout/prices/top"));
    widgets::rememberSplitter(split, QStringLiteral("layout/prices/split"));
    layout->addWidget(split, 1);
    showCustomPrices();
    showUnpriced();
    showDefaults();
}

QWidget* PricesPage::buildHeader()
{
    auto* header = new QWidget(this);
    auto* row = new QHBoxLayout(header);
    row->setContentsMargins(0, 0, 0, 0);
    auto* title = new QLabel(tr("<b>Token prices</b> — costs are computed from these when calls are read, "
                                "so a change applies to past calls at once."),
        header);
    title->setToolTip(tr("A project price beats the default table from its effective date on"));
    title->setWordWrap(true); // two lines in a narrow window, not a wider minimum
    row->addWidget(title, 1);
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setToolTip(tr("Loading prices and usage…"));
    m_busy->hide();
    row->addWidget(m_busy);
    m_add->setToolTip(tr("Add a price for a model to this project (Ctrl+N)"));
    m_add->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_N));
    connect(m_add, &QPushButton::clicked, this, [this] { openAddDialog(); });
    row->addWidget(m_add);
    m_delete->setToolTip(tr("Delete the selected project price (Del)"));
    m_delete->setEnabled(false);
    connect(m_delete, &QPushButton::clicked, this, &PricesPage::deleteSelectedPrice);
    row->addWidget(m_delete);
    auto* reload = new QPushButton(tr("Refresh"), header);
    reload->setToolTip(tr("Reload prices and usage (F5)"));
    reload->setShortcut(QKeySequence(Qt::Key_F5));
    connect(reload, &QPushButton::clicked, this, &PricesPage::refresh);
    row->addWidget(reload);
    return header;
}

QWidget* PricesPage::buildCustomSection()
{
    m_customStack = new QStackedWidget(this);
    m_customView = priceView(m_customProxy, m_customStack);
    m_customView->setObjectName(u"projectPrices"_s);
    m_customView->sortByColumn(PriceListModel::ModelColumn, Qt::AscendingOrder);
    m_customEmpty = emptyLabel(m_customStack);
    m_customStack->addWidget(m_customView);
    m_customStack->addWidget(m_customEmpty);
    connect(m_customView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        [this] { m_delete->setEnabled(m_customView->selectionModel()->hasSelection()); });
    auto* del = new QShortcut(QKeySequence::Delete, m_customView, nullptr, nullptr, Qt::WidgetShortcut);
    del->setWhatsThis(tr("Delete the selected project price"));
    connect(del, &QShortcut::activated, this, &PricesPage::deleteSelectedPrice);
    return section(tr("Project prices"),
        tr("Prices stored in this project; they beat the default table from their effective date"),
        m_customStack, this);
}

QWidget* PricesPage::buildUnpricedSection()
{
    m_unpricedStack = new QStackedWidget(this);
    m_unpricedTable = new QTableWidget(0, 3, m_unpricedStack);
    m_unpricedTable->setObjectName(u"unpricedModels"_s);
    m_unpricedTable->setHorizontalHeaderLabels({ tr("Model"), tr("Usage"), QString() });
    m_unpricedTable->horizontalHeaderItem(1)->setToolTip(
        tr("Calls and tokens in the last %1 days").arg(kUsageDays));
    m_unpricedTable->verticalHeader()->hide();
    m_unpricedTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_unpricedTable->setSelectionMode(QAbstractItemView::NoSelection);
    widgets::applyHeaderStyle(m_unpricedTable->horizontalHeader());
    m_unpricedTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_unpricedTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_unpricedTable->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_unpricedTable->verticalHeader()->setDefaultSectionSize(30);
    m_unpricedEmpty = emptyLabel(m_unpricedStack);
    m_unpricedStack->addWidget(m_unpricedTable);
    m_unpricedStack->addWidget(m_unpricedEmpty);
    return section(tr("Models without a price (last %1 days)").arg(kUsageDays),
        tr("Models in this project's usage whose calls show no cost: add a price to count them"),
        m_unpricedStack, this);
}

QWidget* PricesPage::buildDefaultsSection()
{
    auto* body = new QWidget(this);
    auto* column = new QVBoxLayout(body);
    column->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout;
    m_filter = new QLineEdit(body);
    m_filter->setPlaceholderText(tr("Filter by model or provider (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setToolTip(tr("Shows rows whose model, provider or other columns contain the text"));
    auto* find = new QShortcut(QKeySequence::Find, this);
    find->setWhatsThis(tr("Filter the default prices"));
    connect(find, &QShortcut::activated, m_filter, [this] {
        m_filter->setFocus();
        m_filter->selectAll();
    });
    connect(m_filter, &QLineEdit::textChanged, this, &PricesPage::setDefaultsFilter);
    m_defaultsCount = new QLabel(body);
    m_defaultsCount->setStyleSheet(u"color: #6b7280;"_s);
    row->addWidget(m_filter, 1);
    row->addWidget(m_defaultsCount);
    column->addLayout(row);
    m_defaultsStack = new QStackedWidget(body);
    m_defaultsView = priceView(m_defaultsProxy, m_defaultsStack);
    m_defaultsView->setObjectName(u"defaultPrices"_s);
    m_defaultsView->sortByColumn(PriceListModel::ModelColumn, Qt::AscendingOrder);
    m_defaultsEmpty = emptyLabel(m_defaultsStack);
    m_defaultsStack->addWidget(m_defaultsView);
    m_defaultsStack->addWidget(m_defaultsEmpty);
    column->addWidget(m_defaultsStack, 1);
    return section(tr("Default prices"),
        tr("The price table shipped with Spindle (USD); the server uses the same rows"), body, this);
}

// Also for the same project again: a new connection's server has its own prices.
void PricesPage::setProject(const QString& projectId)
{
    m_projectId = projectId;
    ++m_generation; // answers for the previous project (or server) are dropped, also while hidden
    if (m_dialog)
        m_dialog->reject(); // it was for the previous project
    m_table.setCustomPrices({});
    m_unpriced.clear();
    m_modelsSeen = 0;
    if (isVisible())
        refresh();
    else
        m_stale = true;
}

void PricesPage::setNow(const QDateTime& now)
{
    m_fixedNow = now;
}

QDateTime PricesPage::now() const
{
    return m_fixedNow.isValid() ? m_fixedNow.toUTC() : QDateTime::currentDateTimeUtc();
}

void PricesPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale || (!m_defaultsLoaded && m_pending == 0))
        refresh();
}

void PricesPage::refresh()
{
    m_stale = false;
    const quint64 generation = ++m_generation;
    m_pending = 0;
    m_customError.clear();
    m_usageError.clear();
    if (!m_defaultsLoaded)
        loadDefaults();
    if (!m_projectId.isEmpty()) {
        loadCustomPrices(generation);
        loadUsage(generation);
    }
    m_busy->setVisible(m_pending > 0);
    if (m_pending == 0)
        Q_EMIT loaded();
}

void PricesPage::loadDefaults()
{
    ++m_pending;
    const quint64 generation = m_generation;
    loadDefaultPrices(this, [this, generation](const PriceTable& loaded) {
        PriceTable defaults = loaded;
        defaults.setCustomPrices(m_table.customPrices());
        m_table = defaults;
        m_defaultsLoaded = true;
        showDefaults();
        showCustomPrices();
        finishOne(generation);
    });
}

void PricesPage::loadCustomPrices(quint64 generation)
{
    ++m_pending;
    const QJsonObject body { { u"project_id"_s, m_projectId },
        { u"sort_by"_s,
            QJsonArray { QJsonObject { { u"field"_s, u"llm_id"_s }, { u"direction"_s, u"asc"_s } },
                QJsonObject { { u"field"_s, u"effective_date"_s }, { u"direction"_s, u"desc"_s } } } } };
    m_client->post(
        this, u"/cost/query"_s, body,
        [this, generation](const QJsonObject& json) {
            if (generation != m_generation)
                return;
            m_table.setCustomPrices(PriceTable::parseCostQuery(json));
            showCustomPrices();
            showDefaults(); // statuses depend on the project's prices
            finishOne(generation);
        },
        [this, generation](const net::ApiError& error) {
            if (generation != m_generation)
                return;
            m_customError = error.message();
            showCustomPrices();
            finishOne(generation);
        });
}

void PricesPage::loadUsage(quint64 generation)
{
    ++m_pending;
    const QJsonObject body = models::unpricedStatsRequest(m_projectId, now(), kUsageDays);
    m_client->post(
        this, u"/calls/stats"_s, body,
        [this, generation](const QJsonObject& json) {
            if (generation != m_generation)
                return;
            m_unpriced = models::unpricedModels(json, &m_modelsSeen);
            showUnpriced();
            finishOne(generation);
        },
        [this, generation](const net::ApiError& error) {
            if (generation != m_generation)
                return;
            m_usageError = error.message();
            m_unpriced.clear();
            showUnpriced();
            finishOne(generation);
        });
}

void PricesPage::finishOne(quint64 generation)
{
    if (generation != m_generation || m_pending == 0)
        return;
    if (--m_pending == 0) {
        m_busy->hide();
        Q_EMIT loaded();
    }
}

void PricesPage::showCustomPrices()
{
    m_customModel->setPrices(m_table.customPrices(), m_table, now());
    m_delete->setEnabled(m_customView->selectionModel()->hasSelection());
    if (m_customModel->rowCount() > 0) {
        m_customStack->setCurrentWidget(m_customView);
        return;
    }
    if (!m_customError.isEmpty())
        m_customEmpty->setText(
            tr("Could not load this project's prices: %1\nPress F5 to try again.").arg(m_customError));
    else if (m_projectId.isEmpty())
        m_customEmpty->setText(tr("Choose a project above to see and add its prices."));
    else
        m_customEmpty->setText(tr("No project prices yet.\nClick “Add price…” (Ctrl+N) to price your own or "
                                  "fine-tuned models, or to override a default price from a date on."));
    m_customStack->setCurrentWidget(m_customEmpty);
}

void PricesPage::showUnpriced()
{
    m_unpricedTable->setRowCount(0);
    m_unpricedTable->setRowCount(int(m_unpriced.size()));
    const QLocale locale;
    for (int row = 0; row < m_unpriced.size(); ++row) {
        const models::UnpricedModel& entry = m_unpriced[row];
        auto* name = new QTableWidgetItem(entry.model);
        name->setToolTip(tr("%1 has usage but no price: its calls show no cost").arg(entry.model));
        m_unpricedTable->setItem(row, 0, name);
        auto* usage = new QTableWidgetItem(
            (entry.calls == 1 ? tr("1 call") : tr("%1 calls").arg(locale.toString(entry.calls))) + u", "_s
            + tr("%1 tokens").arg(locale.toString(entry.tokens)));
        usage->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_unpricedTable->setItem(row, 1, usage);
        auto* add = new QPushButton(tr("Add price…"), m_unpricedTable);
        add->setToolTip(tr("Add a price for %1").arg(entry.model));
        add->setObjectName(u"addPrice:"_s + entry.model);
        connect(add, &QPushButton::clicked, this, [this, model = entry.model] { openAddDialog(model); });
        m_unpricedTable->setCellWidget(row, 2, add);
    }
    if (!m_unpriced.isEmpty()) {
        m_unpricedStack->setCurrentWidget(m_unpricedTable);
        return;
    }
    if (!m_usageError.isEmpty())
        m_unpricedEmpty->setText(tr("Could not read this project's usage: %1").arg(m_usageError));
    else if (m_projectId.isEmpty())
        m_unpricedEmpty->setText(tr("Choose a project to check its models for missing prices."));
    else if (m_modelsSeen == 0)
        m_unpricedEmpty->setText(tr("No LLM usage in the last %1 days.\nOnce your app logs calls with "
                                    "token usage (summary.usage), models without a price show up here.")
                                     .arg(kUsageDays));
    else
        m_unpricedEmpty->setText(
            tr("All %1 models used in the last %2 days have a price.").arg(m_modelsSeen).arg(kUsageDays));
    m_unpricedStack->setCurrentWidget(m_unpricedEmpty);
}

void PricesPage::showDefaults()
{
    m_defaultsModel->setPrices(m_table.defaultPrices(), m_table, now());
    setDefaultsFilter(m_filter->text());
}

void PricesPage::setDefaultsFilter(const QString& text)
{
    if (m_filter->text() != text)
        m_filter->setText(text); // comes back here through textChanged
    m_defaultsProxy->setFilterFixedString(searchText(text));
    const int shown = m_defaultsProxy->rowCount();
    const int total = m_defaultsModel->rowCount();
    const QLocale locale;
    m_defaultsCount->setText(shown == total
            ? tr("%1 prices").arg(locale.toString(total))
            : tr("%1 of %2 prices").arg(locale.toString(shown), locale.toString(total)));
    if (shown > 0) {
        m_defaultsStack->setCurrentWidget(m_defaultsView);
        return;
    }
    m_defaultsEmpty->setText(!m_defaultsLoaded
            ? tr("Loading the default price table…")
            : tr("No default price matches “%1”.\nIf your model is missing, click “Add price…” to give it a "
                 "project price.")
                  .arg(text.trimmed()));
    m_defaultsStack->setCurrentWidget(m_defaultsEmpty);
}

} // namespace spindle::ui
