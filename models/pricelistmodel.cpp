#include "models/pricelistmodel.h"

#include <QHash>
#include <QJsonArray>
#include <QMap>
#include <QSet>

#include <algorithm>

namespace spindle::models {
namespace {

using namespace Qt::StringLiterals;

bool samePrice(const TokenPrice& a, const TokenPrice& b)
{
    return a.custom == b.custom && a.id == b.id && a.model == b.model && a.effectiveDate == b.effectiveDate
        && a.createdAt == b.createdAt && a.inputPerToken == b.inputPerToken
        && a.outputPerToken == b.outputPerToken;
}

QString perTokenTip(double perToken)
{
    return QObject::tr("USD %1 per token = %2 per million tokens")
        .arg(formatPrice(perToken, PriceUnit::PerToken), formatPrice(perToken, PriceUnit::PerMillionTokens));
}

} // namespace

QJsonObject unpricedStatsRequest(const QString& projectId, const QDateTime& now, qint64 days)
{
    const QDateTime end = now.toUTC();
    return QJsonObject { { u"project_id"_s, projectId },
        { u"start"_s, end.addDays(-days).toString(Qt::ISODateWithMs) },
        { u"end"_s, end.toString(Qt::ISODateWithMs) }, { u"granularity"_s, days * 86400 },
        { u"usage_metrics"_s,
            QJsonArray { QJsonObject { { u"metric"_s, u"input_tokens"_s } },
                QJsonObject { { u"metric"_s, u"output_tokens"_s } },
                // count: the entries that have a cost, i.e. were priced (sum is 0 either way).
                QJsonObject { { u"metric"_s, u"total_cost"_s },
                    { u"aggregations"_s, QJsonArray { u"count"_s } } } } } };
}

QVector<UnpricedModel> unpricedModels(const QJsonObject& statsAnswer, int* modelsSeen)
{
    // The server's word, not the client's table: a model is unpriced when no entry has a cost
    // (a hosted server may price differently from the shipped defaults). A free model priced at 0
    // still counts as priced. Without count_total_cost (a server with sum-only cost metrics), a
    // number in sum_total_cost means priced.
    QMap<QString, UnpricedModel> byModel;
    QSet<QString> priced;
    for (const QJsonValue& bucket : statsAnswer.value("usage_buckets"_L1).toArray()) {
        const QString model = bucket["model"_L1].toString();
        const qint64 count = bucket["count"_L1].toInteger();
        if (model.isEmpty() || count == 0)
            continue;
        const QJsonValue costCount = bucket["count_total_cost"_L1];
        if (costCount.isUndefined() ? bucket["sum_total_cost"_L1].isDouble() : costCount.toDouble() > 0)
            priced.insert(model);
        UnpricedModel& entry = byModel[model];
        entry.model = model;
        entry.calls += count;
        entry.tokens +=
            qint64(bucket["sum_input_tokens"_L1].toDouble() + bucket["sum_output_tokens"_L1].toDouble());
    }
    if (modelsSeen)
        *modelsSeen = int(byModel.size());
    QVector<UnpricedModel> out;
    for (const UnpricedModel& entry : std::as_const(byModel))
        if (!priced.contains(entry.model))
            out.append(entry);
    std::stable_sort(out.begin(), out.end(),
        [](const UnpricedModel& a, const UnpricedModel& b) { return a.calls > b.calls; });
    return out;
}

QString formatPerMillion(double perToken, bool dashForZero)
{
    if (dashForZero && perToken == 0)
        return u"–"_s;
    return u"$"_s + formatPrice(perToken, PriceUnit::PerMillionTokens);
}

QString formatPriceDate(const QDateTime& utc)
{
    return utc.isValid() ? utc.toLocalTime().toString(u"yyyy-MM-dd HH:mm"_s) : u"–"_s;
}

void PriceListModel::setPrices(const QVector<TokenPrice>& rows, const PriceTable& table, const QDateTime& now)
{
    beginResetModel();
    m_rows.clear();
    m_rows.reserve(rows.size());
    QHash<QString, std::optional<TokenPrice>> winners; // per model, at `now`
    for (const TokenPrice& price : rows) {
        auto winner = winners.find(price.model);
        if (winner == winners.end())
            winner = winners.insert(price.model, table.priceFor(price.model, now));
        Row row { price, {}, {} };
        if (price.effectiveDate > now) {
            row.status = tr("Scheduled");
            // Without an earlier price for the model, the table prices earlier calls with it too.
            const bool pricesEarlierCalls = *winner && samePrice(**winner, price);
            row.statusTip = (pricesEarlierCalls
                    ? tr("Applies to calls from %1 on, and to earlier calls too: the model has no earlier "
                         "price.")
                    : tr("Applies to calls from %1 on; earlier calls keep their price."))
                                .arg(formatPriceDate(price.effectiveDate));
        } else if (*winner && samePrice(**winner, price)) {
            row.status = tr("In effect");
            row.statusTip = tr("Prices calls made now (and back to %1 unless an earlier price applies).")
                                .arg(formatPriceDate(price.effectiveDate));
        } else if (*winner && (*winner)->custom && !price.custom) {
            row.status = tr("Overridden");
            row.statusTip = tr("A project price applies instead, since %1.")
                                .arg(formatPriceDate((*winner)->effectiveDate));
        } else {
            row.status = tr("Superseded");
            row.statusTip = tr("Still prices calls from %1 until a later price took over.")
                                .arg(formatPriceDate(price.effectiveDate));
        }
        m_rows.append(std::move(row));
    }
    endResetModel();
}

int PriceListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PriceListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PriceListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::ToolTipRole:
        return toolTip(row, index.column());
    case SortRole:
        return sortKey(row, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() >= InputColumn && index.column() <= CachedColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant PriceListModel::display(const Row& row, int column) const
{
    const TokenPrice& p = row.price;
    switch (column) {
    case ModelColumn:
        return p.model;
    case ProviderColumn:
        return p.provider;
    case InputColumn:
        return formatPerMillion(p.inputPerToken);
    case OutputColumn:
        return formatPerMillion(p.outputPerToken);
    case CachedColumn:
        return formatPerMillion(p.cacheReadPerToken, true);
    case EffectiveColumn:
        return formatPriceDate(p.effectiveDate);
    case StatusColumn:
        return row.status;
    default:
        return {};
    }
}

QVariant PriceListModel::toolTip(const Row& row, int column) const
{
    const TokenPrice& p = row.price;
    switch (column) {
    case InputColumn:
        return perTokenTip(p.inputPerToken);
    case OutputColumn:
        return perTokenTip(p.outputPerToken);
    case CachedColumn:
        return p.cacheReadPerToken == 0 ? tr("No separate price for cached input tokens")
                                        : perTokenTip(p.cacheReadPerToken);
    case EffectiveColumn:
        return tr("Effective from %1 (UTC)%2")
            .arg(p.effectiveDate.toUTC().toString(Qt::ISODate),
                p.createdAt.isValid() && p.custom
                    ? tr("; added %1").arg(p.createdAt.toUTC().toString(Qt::ISODate))
                    : QString());
    case StatusColumn:
        return row.statusTip;
    default:
        return p.custom ? tr("Project price for %1").arg(p.model) : tr("Default price for %1").arg(p.model);
    }
}

QVariant PriceListModel::sortKey(const Row& row, int column) const
{
    const TokenPrice& p = row.price;
    switch (column) {
    case InputColumn:
        return p.inputPerToken;
    case OutputColumn:
        return p.outputPerToken;
    case CachedColumn:
        return p.cacheReadPerToken;
    case EffectiveColumn:
        return p.effectiveDate.toMSecsSinceEpoch();
    default:
        return display(row, column);
    }
}

QVariant PriceListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    static const char* const titles[] = { QT_TR_NOOP("Model"), QT_TR_NOOP("Provider"),
        QT_TR_NOOP("Input / 1M"), QT_TR_NOOP("Output / 1M"), QT_TR_NOOP("Cache read / 1M"),
        QT_TR_NOOP("Effective from"), QT_TR_NOOP("Status") };
    static const char* const tips[] = { "The model id as it appears in summary.usage",
        "The provider the price is for", "USD per million prompt (input) tokens",
        "USD per million completion (output) tokens", "USD per million cached prompt tokens read",
        "Calls that start at or after this time use this price (local time)",
        "Whether this price applies to calls made now" };
    if (section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole)
        return tr(titles[section]);
    if (role == Qt::ToolTipRole)
        return tr(tips[section]);
    return {};
}

} // namespace spindle::models
