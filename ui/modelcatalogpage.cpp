#include "ui/modelcatalogpage.h"

#include "ui/defaultprices.h"
#include "ui/providerstore.h"
#include "ui/searchtext.h"
#include "widgets/headerstyle.h"

#include <QAction>
#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

namespace spindle::ui {

ModelCatalogPage::ModelCatalogPage(ProviderStore* store, net::InferenceClient* client, QWidget* parent)
    : QWidget(parent)
    , m_store(store)
    , m_client(client)
    , m_providerName(ProviderStore::kWandbName)
    , m_model(new QStandardItemModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_stack(new QStackedWidget(this))
    , m_emptyLabel(new QLabel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setSortRole(SortRole);
    m_table->setObjectName(QStringLiteral("catalogTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // catalog order until a header is clicked
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(true);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    // Every row is a two-line card (name over id); longer descriptions are elided, with a tooltip.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(2 * fontMetrics().lineSpacing() + 12);
    m_table->setTextElideMode(Qt::ElideRight);
    widgets::applyHeaderStyle(m_table->horizontalHeader());
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const QString id = index.siblingAtColumn(ModelColumn).data(IdRole).toString();
        setChecked(id, !m_checkOrder.contains(id));
    });
    connect(m_model, &QStandardItemModel::itemChanged, this, &ModelCatalogPage::onItemChanged);

    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setObjectName(QStringLiteral("emptyState"));
    m_stack->addWidget(m_table);
    m_stack->addWidget(m_emptyLabel);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildHeader());
    layout->addWidget(m_stack, 1);

    QFile file(QStringLiteral(":/spindle/inference-models.json"));
    if (!file.open(QIODevice::ReadOnly) || !loadCatalog(file.readAll()))
        showState(tr("The built-in model catalog could not be read. Press Refresh from server to list the "
                     "models the server offers."),
            true);
    loadDefaultPrices(this, [this](const PriceTable& defaults) {
        if (m_pricesGiven)
            return;
        m_prices = defaults;
        rebuildRows();
    });
}

ModelCatalogPage::~ModelCatalogPage()
{
    if (m_refreshId)
        m_client->cancel(m_refreshId);
}

void ModelCatalogPage::buildSearch(QWidget* parent)
{
    m_search = new QLineEdit(parent);
    m_search->setObjectName(QStringLiteral("search"));
    m_search->setPlaceholderText(tr("Search name, id, type or description (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(260);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_proxy->setFilterFixedString(searchText(text));
        updateEmptyState();
    });
    auto* find = new QAction(this);
    find->setWhatsThis(tr("Search the models"));
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, m_search, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    addAction(find);
    auto* clear = new QAction(m_search);
    clear->setWhatsThis(tr("Clear the search"));
    clear->setShortcut(Qt::Key_Escape);
    clear->setShortcutContext(Qt::WidgetShortcut);
    connect(clear, &QAction::triggered, m_search, &QLineEdit::clear);
    m_search->addAction(clear);
}

QWidget* ModelCatalogPage::buildHeader()
{
    auto* header = new QWidget(this);
    auto* title =
        new QLabel(tr("<b>W&amp;B Inference models</b> — tick up to %1 to compare them side by side "
                      "on the same prompt.")
                       .arg(kMaxCompared),
            header);
    title->setWordWrap(true);
    buildSearch(header);
    m_refresh = new QPushButton(tr("Refresh from server"), header);
    m_refresh->setShortcut(QKeySequence::Refresh);
    m_refresh->setToolTip(tr("Ask W&B Inference which models it serves now (GET /models, F5)"));
    connect(m_refresh, &QPushButton::clicked, this, &ModelCatalogPage::refreshFromServer);
    m_compare = new QPushButton(header);
    m_compare->setObjectName(QStringLiteral("compare"));
    m_compare->setDefault(true);
    // Wide enough for the longest label, so the row does not jump while ticking.
    m_compare->setMinimumWidth(
        m_compare->fontMetrics().horizontalAdvance(tr("Compare %1 models").arg(kMaxCompared)) + 32);
    connect(m_compare, &QPushButton::clicked, this, [this] {
        if (compareEnabled())
            Q_EMIT compareRequested(m_providerName, m_checkOrder);
    });
    m_state = new QLabel(header);
    m_state->setObjectName(QStringLiteral("state"));
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_state->hide();
    m_providers = new QPushButton(tr("Providers…"), header);
    m_providers->setObjectName(QStringLiteral("providers"));
    m_providers->setToolTip(tr("Set the keys of the inference providers"));
    m_providers->hide();
    connect(m_providers, &QPushButton::clicked, this, &ModelCatalogPage::providersRequested);
    m_busy = new QProgressBar(header);
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setTextVisible(false);
    m_busy->hide();

    auto* row = new QHBoxLayout;
    row->addWidget(m_search, 1);
    row->addWidget(m_busy);
    row->addWidget(m_refresh);
    row->addWidget(m_compare);
    auto* stateRow = new QHBoxLayout;
    stateRow->addWidget(m_state, 1);
    stateRow->addWidget(m_providers);
    auto* layout = new QVBoxLayout(header);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title);
    layout->addLayout(row);
    layout->addLayout(stateRow);
    updateCompareButton();
    return header;
}

bool ModelCatalogPage::loadCatalog(const QByteArray& json)
{
    QString error;
    QVector<CatalogModel> models = parseCatalog(json, &error);
    if (!error.isEmpty())
        return false;
    m_models = models;
    rebuildRows();
    return true;
}

void ModelCatalogPage::setPriceTable(const PriceTable& prices)
{
    m_pricesGiven = true;
    m_prices = prices;
    rebuildRows();
}

void ModelCatalogPage::setProviderName(const QString& name)
{
    m_providerName = name;
}

void ModelCatalogPage::setSearchText(const QString& text)
{
    m_search->setText(text);
}

void ModelCatalogPage::rebuildRows()
{
    m_rebuilding = true;
    m_model->clear();
    m_model->setColumnCount(ColumnCount);
    m_model->setHorizontalHeaderLabels({ tr("Model"), tr("Type"), tr("Context"), tr("Parameters"),
        tr("Input $/1M"), tr("Output $/1M"), tr("Description") });
    // After a refresh, what the server does not list goes to the bottom (greyed by rowFor).
    const auto served = [this](
                            const CatalogModel& m) { return m_served.isEmpty() || m_served.contains(m.id); };
    for (const bool wantServed : { true, false }) {
        for (const CatalogModel& model : std::as_const(m_models)) {
            if (served(model) == wantServed)
                m_model->appendRow(rowFor(model));
        }
    }
    m_rebuilding = false;
    m_table->setColumnWidth(ModelColumn, 300);
    m_table->setColumnWidth(TypeColumn, 110);
    m_table->setColumnWidth(ContextColumn, 70);
    m_table->setColumnWidth(ParametersColumn, 170);
    m_table->setColumnWidth(InputPriceColumn, 85);
    m_table->setColumnWidth(OutputPriceColumn, 90);
    // Ticked ids the catalog no longer has are dropped, so the button counts what is visible.
    m_checkOrder.removeIf([this](const QString& id) {
        return std::none_of(
            m_models.cbegin(), m_models.cend(), [&](const CatalogModel& m) { return m.id == id; });
    });
    updateCompareButton();
    updateEmptyState();
}

void ModelCatalogPage::onItemChanged(QStandardItem* item)
{
    if (m_rebuilding || item->column() != ModelColumn)
        return;
    const QString id = item->data(IdRole).toString();
    const bool checked = item->checkState() == Qt::Checked;
    if (checked && !m_checkOrder.contains(id))
        m_checkOrder.append(id);
    else if (!checked)
        m_checkOrder.removeAll(id);
    updateCompareButton();
}

void ModelCatalogPage::setChecked(const QString& id, bool checked)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        QStandardItem* item = m_model->item(row, ModelColumn);
        if (item->data(IdRole).toString() == id)
            item->setCheckState(checked ? Qt::Checked : Qt::Unchecked); // onItemChanged does the rest
    }
}

QStringList ModelCatalogPage::checkedModelIds() const
{
    return m_checkOrder;
}

QStringList ModelCatalogPage::visibleModelIds() const
{
    QStringList ids;
    for (int row = 0; row < m_proxy->rowCount(); ++row)
        ids.append(m_proxy->index(row, ModelColumn).data(IdRole).toString());
    return ids;
}

void ModelCatalogPage::updateCompareButton()
{
    const int n = int(m_checkOrder.size());
    m_compare->setText(n == 0 ? tr("Compare models")
            : n == 1          ? tr("Compare 1 model")
                              : tr("Compare %1 models").arg(n));
    m_compare->setEnabled(compareEnabled());
    if (n == 0)
        m_compare->setToolTip(
            tr("Tick 1 to %1 models to open them side by side in the playground").arg(kMaxCompared));
    else if (n > kMaxCompared)
        m_compare->setToolTip(
            tr("At most %1 models fit side by side: untick %2").arg(kMaxCompared).arg(n - kMaxCompared));
    else
        m_compare->setToolTip(tr("Open %1 in the playground").arg(m_checkOrder.join(QStringLiteral(", "))));
}

bool ModelCatalogPage::compareEnabled() const
{
    return !m_checkOrder.isEmpty() && m_checkOrder.size() <= kMaxCompared;
}

QString ModelCatalogPage::compareButtonText() const
{
    return m_compare->text();
}

void ModelCatalogPage::updateEmptyState()
{
    const bool empty = m_proxy->rowCount() == 0;
    if (empty && !m_search->text().trimmed().isEmpty())
        m_emptyLabel->setText(tr("No model matches \"%1\".\nClear the search (Esc) to see all %2 models.")
                                  .arg(m_search->text().trimmed())
                                  .arg(m_models.size()));
    else if (empty)
        m_emptyLabel->setText(
            tr("No models to show.\nPress Refresh from server to list the models W&B Inference "
               "serves."));
    m_stack->setCurrentWidget(empty ? static_cast<QWidget*>(m_emptyLabel) : m_table);
}

void ModelCatalogPage::showState(const QString& text, bool error, bool offerProviders)
{
    m_state->setText(text);
    m_state->setVisible(!text.isEmpty());
    QPalette palette = this->palette();
    if (error)
        palette.setColor(QPalette::WindowText, QColor(0xc0, 0x2b, 0x2b));
    m_state->setPalette(palette);
    m_providers->setVisible(offerProviders);
}

QString ModelCatalogPage::stateText() const
{
    return m_state->text();
}

void ModelCatalogPage::refreshFromServer()
{
    if (m_refreshing)
        return;
    m_refreshing = true;
    m_refresh->setEnabled(false);
    m_busy->show();
    showState(tr("Asking %1 for its models…").arg(m_providerName), false);
    m_store->resolve(this, m_providerName, [this](const net::InferenceProvider& provider, const QString&) {
        const auto finish = [this](bool ok) {
            m_refreshId = 0;
            m_refreshing = false;
            m_refresh->setEnabled(true);
            m_busy->hide();
            Q_EMIT refreshed(ok);
        };
        if (provider.baseUrl.isEmpty() || provider.apiKey.isEmpty()) {
            showState(provider.baseUrl.isEmpty()
                    ? tr("There is no provider named \"%1\". Add it in Providers….").arg(m_providerName)
                    : tr("No API key for %1. %2").arg(m_providerName, m_store->keyHelp(m_providerName)),
                true, true);
            finish(false);
            return;
        }
        m_refreshId = m_client->listModels(
            this, provider,
            [this, finish](const QVector<net::ModelInfo>& served) {
                mergeServerModels(served);
                finish(true);
            },
            [this, finish](const net::InferenceError& error) {
                const bool keyProblem = error.kind == net::InferenceError::Kind::InvalidKey;
                showState(
                    tr("Could not refresh the model list: %1").arg(error.plainMessage()), true, keyProblem);
                finish(false);
            });
    });
}

} // namespace spindle::ui
