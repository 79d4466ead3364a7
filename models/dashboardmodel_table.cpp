// The dashboard's cost-by-model table (dashboardmodel.h).
#include "models/callstablemodel.h"
#include "models/dashboardmodel.h"

#include <QFont>
#include <QLocale>

namespace spindle::models {

void ModelCostTableModel::setModels(const QVector<ModelUsage>& models)
{
    beginResetModel();
    m_models = models;
    m_total = ModelUsage { tr("Total") };
    for (const ModelUsage& m : models) {
        m_total.requests += m.requests;
        m_total.inputTokens += m.inputTokens;
        m_total.outputTokens += m.outputTokens;
        m_total.cost += m.cost;
        m_total.entries += m.entries;
        m_total.pricedEntries += m.pricedEntries;
    }
    endResetModel();
}

void ModelCostTableModel::setWhatIf(const QHash<QString, double>& costs)
{
    beginResetModel();
    m_whatIf = costs;
    endResetModel();
}

int ModelCostTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || m_models.isEmpty() ? 0 : int(m_models.size()) + 1;
}

int ModelCostTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : (m_whatIf.isEmpty() ? WhatIfColumn : WhatIfColumn + 1);
}

QVariant ModelCostTableModel::display(const ModelUsage& m, int column, bool total) const
{
    const auto perMillion = [](std::optional<double> price) {
        return price ? QStringLiteral("$%1").arg(*price, 0, 'f', *price < 1 ? 3 : 2) : QStringLiteral("—");
    };
    switch (column) {
    case ModelColumn:
        return m.model.isEmpty() ? tr("(unknown)") : m.model;
    case RequestsColumn:
        return QLocale().toString(m.requests);
    case InputColumn:
        return QLocale().toString(m.inputTokens);
    case OutputColumn:
        return QLocale().toString(m.outputTokens);
    case TotalTokensColumn:
        return QLocale().toString(m.inputTokens + m.outputTokens);
    case InputPriceColumn:
        return total ? QString() : perMillion(m.inputPerMillion());
    case OutputPriceColumn:
        return total ? QString() : perMillion(m.outputPerMillion());
    case CostColumn:
        return m.hasPrice() ? formatCost(m.cost) : QStringLiteral("—");
    case WhatIfColumn: {
        if (!total)
            return m_whatIf.contains(m.model) ? formatCost(m_whatIf.value(m.model)) : QStringLiteral("—");
        double cost = 0;
        for (const double each : m_whatIf)
            cost += each;
        return formatCost(cost);
    }
    }
    return {};
}

QVariant ModelCostTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const bool total = index.row() == m_models.size();
    const ModelUsage& m = total ? m_total : m_models[index.row()];
    const qint64 tokens = m.inputTokens + m.outputTokens;
    if (role == Qt::DisplayRole) {
        return display(m, index.column(), total);
    } else if (role == Qt::ToolTipRole) {
        if (index.column() == CostColumn && !m.hasPrice() && m.entries > 0)
            return tr("No price is known for %1: its cost is unknown, not zero. Add one on the Prices page "
                      "(Ctrl+3).")
                .arg(m.model);
        if (index.column() == CostColumn && m.pricedEntries < m.entries)
            return tr("%1 of the %2 calls that used it had no price for it and are not counted")
                .arg(m.entries - m.pricedEntries)
                .arg(m.entries);
        if (index.column() == InputPriceColumn && m.hasPrice() && m.cachedInputTokens > 0)
            return tr("%L1 prompt tokens were read from or written to the cache, at prices of their own: the "
                      "input cost has no single price per token")
                .arg(m.cachedInputTokens);
        if ((index.column() == InputPriceColumn || index.column() == OutputPriceColumn) && m.hasPrice())
            return tr("USD per million tokens: the cost divided by the tokens (the unit price when one price "
                      "applied over the range)");
    } else if (role == Qt::TextAlignmentRole) {
        return int((index.column() == ModelColumn ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter);
    } else if (role == Qt::FontRole && total) {
        QFont font;
        font.setBold(true);
        return font;
    } else if (role == Qt::UserRole) { // raw numbers for sorting and tests
        switch (index.column()) {
        case ModelColumn:
            return m.model;
        case RequestsColumn:
            return m.requests;
        case InputColumn:
            return m.inputTokens;
        case OutputColumn:
            return m.outputTokens;
        case TotalTokensColumn:
            return tokens;
        case CostColumn:
            return m.hasPrice() ? QVariant(m.cost) : QVariant();
        default:
            return {};
        }
    }
    return {};
}

QVariant ModelCostTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    const char* const names[] = { "Model", "Requests", "Input tokens", "Output tokens", "Total tokens",
        "$/1M input", "$/1M output", "Cost", "What-if" };
    return section >= 0 && section < columnCount() ? tr(names[section]) : QVariant();
}

} // namespace spindle::models
