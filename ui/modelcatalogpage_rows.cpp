#include "ui/modelcatalogpage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPalette>
#include <QStandardItem>

// The catalog's rows: parsing resources/inference-models.json, one table row per model with its
// price, and merging the server's GET /models answer.

namespace spindle::ui {
namespace {

const QString kDash = QStringLiteral("—");

std::optional<double> optionalNumber(const QJsonValue& value)
{
    return value.isDouble() ? std::optional<double>(value.toDouble()) : std::nullopt;
}

// "$0.22", "$5.40", "$0.035": cents always shown, further digits only when the price has them.
QString money(QString decimal)
{
    if (!decimal.contains(u'.'))
        decimal += QStringLiteral(".");
    while (decimal.endsWith(u'0') && decimal.indexOf(u'.') < decimal.size() - 3)
        decimal.chop(1);
    while (decimal.size() - decimal.indexOf(u'.') < 3)
        decimal += u'0';
    return QStringLiteral("$") + decimal;
}

} // namespace

qint64 CatalogModel::contextTokens() const
{
    QString text = contextWindow.trimmed().toUpper();
    qint64 scale = 1;
    if (text.endsWith(u'K'))
        scale = 1000;
    else if (text.endsWith(u'M'))
        scale = 1000000;
    if (scale > 1)
        text.chop(1);
    bool ok = false;
    const double value = text.toDouble(&ok);
    return ok ? qint64(value * double(scale)) : 0;
}

QVector<CatalogModel> ModelCatalogPage::parseCatalog(const QByteArray& json, QString* error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    const QJsonValue list = doc.object().value(QLatin1String("models"));
    if (parseError.error != QJsonParseError::NoError || !list.isArray()) {
        if (error)
            *error = parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                  : tr("no \"models\" list");
        return {};
    }
    QVector<CatalogModel> models;
    for (const QJsonValue& value : list.toArray()) {
        const QJsonObject entry = value.toObject();
        CatalogModel model;
        model.id = entry.value(QLatin1String("id")).toString().trimmed();
        if (model.id.isEmpty())
            continue;
        model.name = entry.value(QLatin1String("name")).toString(model.id);
        for (const QJsonValue& type : entry.value(QLatin1String("types")).toArray())
            model.types.append(type.toString());
        model.contextWindow = entry.value(QLatin1String("contextWindow")).toString();
        model.parameters = entry.value(QLatin1String("parameters")).toString();
        model.description = entry.value(QLatin1String("description")).toString();
        model.inputPerMillion = optionalNumber(entry.value(QLatin1String("inputPerMillion")));
        model.outputPerMillion = optionalNumber(entry.value(QLatin1String("outputPerMillion")));
        models.append(model);
    }
    return models;
}

QList<QStandardItem*> ModelCatalogPage::rowFor(const CatalogModel& model) const
{
    const auto cell = [](const QString& text, const QVariant& sortKey) {
        auto* item = new QStandardItem(text.isEmpty() ? kDash : text);
        item->setData(sortKey.isValid() ? sortKey : QVariant(text), SortRole);
        item->setEditable(false);
        return item;
    };
    auto* name = cell(model.inCatalog ? model.name + u'\n' + model.id : model.id, model.name.toLower());
    name->setData(model.id, IdRole);
    name->setCheckable(true);
    name->setCheckState(m_checkOrder.contains(model.id) ? Qt::Checked : Qt::Unchecked);
    QList<QStandardItem*> row { name, cell(model.types.join(QStringLiteral(", ")), {}),
        cell(model.contextWindow, model.contextTokens()), cell(model.parameters, {}) };

    // The price table first: it is what the server will charge traced calls of this model.
    const std::optional<TokenPrice> price = m_prices.priceFor(model.id, QDateTime::currentDateTimeUtc());
    const QString tip = priceToolTip(model.id);
    const auto priceCell = [&](std::optional<double> perToken, std::optional<double> listedPerMillion) {
        QString text;
        double sortKey = -1;
        if (perToken) { // exact decimal text of the table's per-token double
            text = money(formatPrice(*perToken, PriceUnit::PerMillionTokens));
            sortKey = *perToken * 1e6;
        } else if (listedPerMillion) {
            text = money(QString::number(*listedPerMillion, 'f', 6));
            sortKey = *listedPerMillion;
        }
        QStandardItem* item = cell(text, sortKey);
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        item->setToolTip(tip);
        return item;
    };
    row.append(priceCell(price ? std::optional(price->inputPerToken) : std::nullopt, model.inputPerMillion));
    row.append(
        priceCell(price ? std::optional(price->outputPerToken) : std::nullopt, model.outputPerMillion));
    QStandardItem* description =
        cell(model.inCatalog ? model.description : tr("Listed by the server; not in Spindle's catalog."), {});
    description->setToolTip(description->text());
    row.append(description);
    name->setToolTip(model.id + u'\n' + description->text());

    if (!m_served.isEmpty() && model.inCatalog && !m_served.contains(model.id)) {
        for (QStandardItem* item : row) {
            item->setForeground(QPalette().brush(QPalette::Disabled, QPalette::Text));
            item->setToolTip(tr("Not listed by the server at the last refresh; it may have been retired."));
        }
    }
    return row;
}

QString ModelCatalogPage::priceToolTip(const QString& id) const
{
    if (const std::optional<TokenPrice> price = m_prices.priceFor(id, QDateTime::currentDateTimeUtc())) {
        const QString since = price->effectiveDate.isValid()
            ? price->effectiveDate.toString(QStringLiteral("yyyy-MM-dd"))
            : tr("unknown date");
        return (price->custom ? tr("The project's custom price") : tr("From the price table"))
            + tr(" (effective %1), per 1M tokens: what traced playground calls will cost.").arg(since);
    }
    const auto it =
        std::find_if(m_models.cbegin(), m_models.cend(), [&](const CatalogModel& m) { return m.id == id; });
    if (it != m_models.cend() && (it->inputPerMillion || it->outputPerMillion))
        return tr("Listed in the W&B Inference catalog, per 1M tokens. The price table has no price for this "
                  "model, so traced calls will show no cost until you add one.");
    return tr("No price known for this model. Add one on the Prices page (Ctrl+3) to see what calls cost.");
}

void ModelCatalogPage::mergeServerModels(const QVector<net::ModelInfo>& served)
{
    m_served.clear();
    // Server-only rows of an earlier refresh are rebuilt from this answer.
    m_models.removeIf([](const CatalogModel& m) { return !m.inCatalog; });
    int added = 0;
    for (const net::ModelInfo& info : served) {
        if (info.id.isEmpty())
            continue;
        m_served.append(info.id);
        const bool known = std::any_of(
            m_models.cbegin(), m_models.cend(), [&](const CatalogModel& m) { return m.id == info.id; });
        if (!known) {
            CatalogModel model;
            model.id = info.id;
            model.name = info.id;
            model.inCatalog = false;
            m_models.append(model);
            ++added;
        }
    }
    const qsizetype missing = std::count_if(m_models.cbegin(), m_models.cend(),
        [this](const CatalogModel& m) { return m.inCatalog && !m_served.contains(m.id); });
    rebuildRows();
    QString text = m_served.size() == 1 ? tr("%1 lists 1 model.").arg(m_providerName)
                                        : tr("%1 lists %2 models.").arg(m_providerName).arg(m_served.size());
    if (added > 0)
        text += u' '
            + (added == 1 ? tr("1 model not in the catalog was added (shown with —).")
                          : tr("%1 models not in the catalog were added (shown with —).").arg(added));
    if (missing > 0 && !m_served.isEmpty())
        text += u' '
            + (missing == 1
                    ? tr("1 catalog model it does not list is greyed out, at the bottom.")
                    : tr("%1 catalog models it does not list are greyed out, at the bottom.").arg(missing));
    showState(text, false);
}

} // namespace spindle::ui
