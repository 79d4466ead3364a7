// The Prices page's editing: the "Add price" dialog (/cost/create) and delete with confirmation
// (/cost/purge). Loading and display are in pricespage.cpp.
#include "core/callsquery.h"
#include "models/pricelistmodel.h"
#include "net/traceclient.h"
#include "ui/pricedialog.h"
#include "ui/pricespage.h"

#include <QItemSelectionModel>
#include <QJsonArray>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>

namespace spindle::ui {

using namespace Qt::StringLiterals;

PriceDialog* PricesPage::openAddDialog(const QString& model)
{
    if (m_projectId.isEmpty()) {
        Q_EMIT statusMessage(tr("Choose a project first: prices are stored per project."));
        return nullptr;
    }
    if (m_dialog)
        m_dialog->reject();
    auto* dialog = new PriceDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QStringList suggestions;
    for (const models::UnpricedModel& entry : std::as_const(m_unpriced))
        suggestions << entry.model;
    for (const TokenPrice& price : m_table.all())
        suggestions << price.model;
    suggestions.removeDuplicates();
    dialog->setModelSuggestions(suggestions);
    dialog->setModelName(model);
    if (const auto current = m_table.priceFor(model, now()); current && !model.isEmpty()) {
        dialog->setProvider(current->provider);
        dialog->setPriceTexts(formatPrice(current->inputPerToken, dialog->unit()),
            formatPrice(current->outputPerToken, dialog->unit()));
        const auto cacheText = [&](double perToken) {
            return perToken > 0 ? formatPrice(perToken, dialog->unit()) : QString();
        };
        dialog->setCachePriceTexts(
            cacheText(current->cacheReadPerToken), cacheText(current->cacheCreationPerToken));
    }
    connect(dialog, &PriceDialog::submitted, this,
        [this, dialog](const QJsonObject& costs) { submitPrice(dialog, costs); });
    m_dialog = dialog;
    dialog->open(); // window-modal, returns at once
    return dialog;
}

void PricesPage::submitPrice(PriceDialog* dialog, const QJsonObject& costs)
{
    const QPointer<PriceDialog> guard(dialog);
    const QString model = costs.keys().value(0);
    const auto id = m_client->post(
        this, u"/cost/create"_s, QJsonObject { { u"project_id"_s, m_projectId }, { u"costs"_s, costs } },
        [this, guard, model](const QJsonObject&) {
            if (guard)
                guard->accept();
            Q_EMIT statusMessage(tr("Added a price for %1").arg(model));
            Q_EMIT pricesChanged();
            refresh();
        },
        [this, guard, model](const net::ApiError& error) {
            const QString why = error.httpStatus >= 400 && error.httpStatus < 500
                ? tr("The server did not accept the price: %1").arg(error.reason)
                : error.message();
            if (guard && guard->isVisible()) // a closed dialog lives on until its deferred delete
                guard->showError(why);
            else // closed while it saved: the failure must not go unseen
                Q_EMIT warning(tr("The price for %1 was not saved. %2").arg(model, why));
        });
    m_client->setQuiet(id); // the dialog (or the page's warning) shows the error, not the banner
}

void PricesPage::deleteSelectedPrice()
{
    const QModelIndexList rows = m_customView->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        Q_EMIT statusMessage(tr("Select a project price to delete."));
        return;
    }
    const TokenPrice price = m_customModel->priceAt(m_customProxy->mapToSource(rows.first()).row());
    auto* box = new QMessageBox(QMessageBox::Question, tr("Delete price"),
        tr("Delete the price for %1 effective from %2?")
            .arg(price.model, models::formatPriceDate(price.effectiveDate)),
        QMessageBox::NoButton, this);
    box->setInformativeText(tr("Calls are re-priced with the price that applies without it (an earlier "
                               "project price or the default table), or show no cost."));
    box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    box->addButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, price](QAbstractButton* button) {
        if (box->buttonRole(button) == QMessageBox::DestructiveRole)
            purge(price);
    });
    box->open();
}

void PricesPage::purge(const TokenPrice& price)
{
    const QJsonObject query { { u"$expr"_s,
        conditionExpr(FieldCondition { u"id"_s, FilterOp::Equals, price.id }) } };
    m_client->post(this, u"/cost/purge"_s,
        QJsonObject { { u"project_id"_s, m_projectId }, { u"query"_s, query } },
        [this, model = price.model](const QJsonObject&) {
            Q_EMIT statusMessage(tr("Deleted a price for %1").arg(model));
            Q_EMIT pricesChanged();
            refresh();
        });
}

} // namespace spindle::ui
