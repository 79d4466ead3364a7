#pragma once

#include "core/pricetable.h"
#include "models/pricelistmodel.h"

#include <QDateTime>
#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;
class QTableWidget;

namespace spindle::net {
class TraceClient;
struct ApiError;
} // namespace spindle::net

namespace spindle::ui {

class PriceDialog;

// The Prices page: the project's own prices (/cost/query) with add (/cost/create) and delete
// (/cost/purge), the models used in the last 30 days that have no price (/calls/stats) with a
// one-click "Add price…", and the shipped default table, searchable. All requests are async; a
// newer project or refresh makes older answers stale and they are dropped.
class PricesPage : public QWidget
{
    Q_OBJECT
public:
    explicit PricesPage(net::TraceClient* client, QWidget* parent = nullptr);

    void setProject(const QString& projectId);
    QString project() const
    {
        return m_projectId;
    }
    void refresh();
    // Pins "now" (tests, screenshots); an invalid time follows the clock again.
    void setNow(const QDateTime& now);

    // Defaults plus this project's custom prices, as last loaded.
    const PriceTable& priceTable() const
    {
        return m_table;
    }
    // Models in the project's usage over the last 30 days that the server cannot price.
    const QVector<models::UnpricedModel>& unpricedModels() const
    {
        return m_unpriced;
    }
    bool isLoading() const
    {
        return m_pending > 0;
    }

    // Opens the non-modal-blocking "Add price" dialog, prefilled with `model` when given.
    PriceDialog* openAddDialog(const QString& model = {});
    // Asks for confirmation, then purges the selected project price.
    void deleteSelectedPrice();
    void setDefaultsFilter(const QString& text);

Q_SIGNALS:
    void loaded(); // defaults, project prices and usage have all arrived (or failed)
    void pricesChanged(); // a project price was added or deleted: costs elsewhere are stale
    void statusMessage(const QString& message);
    void warning(const QString& message); // for the window's banner

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* buildHeader();
    QWidget* buildCustomSection();
    QWidget* buildUnpricedSection();
    QWidget* buildDefaultsSection();
    void loadDefaults();
    void loadCustomPrices(quint64 generation);
    void loadUsage(quint64 generation);
    void finishOne(quint64 generation);
    void showCustomPrices();
    void showUnpriced();
    void showDefaults();
    void submitPrice(PriceDialog* dialog, const QJsonObject& costs);
    void purge(const TokenPrice& price);
    QDateTime now() const;

    net::TraceClient* m_client;
    QString m_projectId;
    bool m_stale = false; // the project changed while the page was hidden
    QDateTime m_fixedNow;
    quint64 m_generation = 0;
    int m_pending = 0;
    bool m_defaultsLoaded = false;
    QString m_customError, m_usageError;

    PriceTable m_table;
    QVector<models::UnpricedModel> m_unpriced;
    int m_modelsSeen = 0; // models with usage in the range, priced or not
    QPointer<PriceDialog> m_dialog;

    QProgressBar* m_busy;
    QPushButton* m_add;
    QPushButton* m_delete;
    QStackedWidget* m_customStack;
    QLabel* m_customEmpty;
    QTableView* m_customView;
    models::PriceListModel* m_customModel;
    QSortFilterProxyModel* m_customProxy;
    QStackedWidget* m_unpricedStack;
    QLabel* m_unpricedEmpty;
    QTableWidget* m_unpricedTable;
    QLineEdit* m_filter;
    QLabel* m_defaultsCount;
    QStackedWidget* m_defaultsStack;
    QLabel* m_defaultsEmpty;
    QTableView* m_defaultsView;
    models::PriceListModel* m_defaultsModel;
    QSortFilterProxyModel* m_defaultsProxy;
};

} // namespace spindle::ui
