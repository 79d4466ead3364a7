#pragma once

#include "core/pricetable.h"
#include "net/inferenceclient.h"

#include <QStringList>
#include <QVector>
#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QStandardItem;
class QStandardItemModel;
class QTableView;

namespace spindle::ui {

class ProviderStore;

// One model of the W&B Inference catalog (resources/inference-models.json), or one the server
// listed that the catalog does not know (then only the id is set).
struct CatalogModel
{
    QString id; // the API model id, e.g. "meta-llama/Llama-3.1-8B-Instruct"
    QString name; // "Llama 3.1 8B"
    QStringList types; // chat, reasoning, vision, code, tools
    QString contextWindow; // as published, e.g. "128K"
    QString parameters; // e.g. "17B–109B (active–total)"
    QString description;
    std::optional<double> inputPerMillion; // USD per 1M tokens, as the catalog lists it
    std::optional<double> outputPerMillion;
    bool inCatalog = true;

    qint64 contextTokens() const; // "128K" -> 128000, for sorting; 0 when unknown
};

// The W&B Inference model catalog: one row per model with a checkbox, a search box, "Refresh
// from server" (merges GET /models of the provider) and "Compare N models" for 1 to 6 ticked
// models. Prices come from the price table when it has the model (what traced calls will cost),
// else from the catalog; the tooltip says which.
class ModelCatalogPage : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kMaxCompared = 6;
    static constexpr int IdRole = Qt::UserRole; // the model id, on the Model column
    static constexpr int SortRole = Qt::UserRole + 1;
    enum Column
    {
        ModelColumn,
        TypeColumn,
        ContextColumn,
        ParametersColumn,
        InputPriceColumn,
        OutputPriceColumn,
        DescriptionColumn,
        ColumnCount
    };

    // Loads the shipped catalog; prices from the shipped price table (loaded on a worker thread)
    // until setPriceTable().
    ModelCatalogPage(ProviderStore* store, net::InferenceClient* client, QWidget* parent = nullptr);
    ~ModelCatalogPage() override;

    // The catalog JSON ({"models": [...]}); sets *error and returns nothing when it is not one.
    static QVector<CatalogModel> parseCatalog(const QByteArray& json, QString* error = nullptr);
    bool loadCatalog(const QByteArray& json); // replaces the rows (ticks are kept by id)
    void setPriceTable(const PriceTable& prices); // e.g. with the open project's custom prices
    // The provider whose /models "Refresh" asks and that compareRequested names (W&B Inference).
    void setProviderName(const QString& name);
    QString providerName() const
    {
        return m_providerName;
    }

    void setSearchText(const QString& text);
    void refreshFromServer();
    bool isRefreshing() const
    {
        return m_refreshing;
    }

    QVector<CatalogModel> models() const
    {
        return m_models;
    }
    QStringList visibleModelIds() const; // in display order, after the search
    QStringList checkedModelIds() const; // in the order they were ticked
    void setChecked(const QString& id, bool checked);
    QString stateText() const; // the message line: errors, no key, refresh results
    QString compareButtonText() const;
    bool compareEnabled() const;
    QString priceToolTip(const QString& id) const;

Q_SIGNALS:
    void compareRequested(const QString& providerName, const QStringList& modelIds);
    void providersRequested(); // "Providers…" from the no-key state
    void refreshed(bool ok);

private:
    QWidget* buildHeader();
    void buildSearch(QWidget* parent); // the search box with Ctrl+F and Esc
    void rebuildRows();
    QList<QStandardItem*> rowFor(const CatalogModel& model) const;
    void mergeServerModels(const QVector<net::ModelInfo>& served);
    void showState(const QString& text, bool error, bool offerProviders = false);
    void updateCompareButton();
    void updateEmptyState();
    void onItemChanged(QStandardItem* item);

    ProviderStore* m_store;
    net::InferenceClient* m_client;
    QString m_providerName;
    PriceTable m_prices;
    bool m_pricesGiven = false; // setPriceTable() was called: the shipped table no longer applies
    QVector<CatalogModel> m_models;
    QStringList m_served; // ids of the last successful refresh; empty before one
    QStringList m_checkOrder;
    net::InferenceClient::RequestId m_refreshId = 0;
    bool m_refreshing = false; // from the click until refreshed(): includes reading the key
    bool m_rebuilding = false;

    QStandardItemModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QStackedWidget* m_stack;
    QLabel* m_emptyLabel;
    QLineEdit* m_search;
    QPushButton* m_refresh;
    QPushButton* m_compare;
    QPushButton* m_providers;
    QLabel* m_state;
    QProgressBar* m_busy;
};

} // namespace spindle::ui
