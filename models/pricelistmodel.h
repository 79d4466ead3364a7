#pragma once

#include "core/pricetable.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonObject>

namespace spindle::models {

// Token prices as a table for the Prices page: the shipped defaults or a project's custom prices.
// Prices show in USD per million tokens (the per-token value is in the tooltip and the sort key);
// Status says which row the server applies today (PriceTable::priceFor at `now`).
class PriceListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        ModelColumn,
        ProviderColumn,
        InputColumn,
        OutputColumn,
        CachedColumn,
        EffectiveColumn,
        StatusColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole; // raw values: doubles, epoch ms, text

    using QAbstractTableModel::QAbstractTableModel;

    // `rows` are shown; `table` (defaults + the project's prices) decides each row's status at `now`.
    void setPrices(const QVector<TokenPrice>& rows, const PriceTable& table, const QDateTime& now);
    const TokenPrice& priceAt(int row) const
    {
        return m_rows[row].price;
    }
    QString statusAt(int row) const
    {
        return m_rows[row].status;
    }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        TokenPrice price;
        QString status;
        QString statusTip;
    };
    QVariant display(const Row& row, int column) const;
    QVariant toolTip(const Row& row, int column) const;
    QVariant sortKey(const Row& row, int column) const;

    QVector<Row> m_rows;
};

// A model seen in a project's usage that the server could not price.
struct UnpricedModel
{
    QString model;
    qint64 calls = 0; // usage entries (calls that report this model)
    qint64 tokens = 0; // input + output
};

// POST /calls/stats body: usage by model (tokens and the count of priced entries) over the `days` before
// `now`, in one or two buckets (granularity = the range, aligned to the epoch).
QJsonObject unpricedStatsRequest(const QString& projectId, const QDateTime& now, qint64 days);
// The models of a /calls/stats answer none of whose entries has a cost, most calls first.
// `modelsSeen`, when given, receives the number of models with usage at all.
QVector<UnpricedModel> unpricedModels(const QJsonObject& statsAnswer, int* modelsSeen = nullptr);

// "$0.15" for a per-token price shown per million tokens; "–" for zero when `dashForZero`.
QString formatPerMillion(double perToken, bool dashForZero = false);
// Local time "yyyy-MM-dd HH:mm" for tables.
QString formatPriceDate(const QDateTime& utc);

} // namespace spindle::models
