// The Traces page's actions on the selected calls: copy, rename, delete, compare.
#include "core/weaveref.h"
#include "models/callstablemodel.h"
#include "ui/calldetailpanel.h"
#include "ui/callscontroller.h"
#include "ui/comparedialog.h"
#include "ui/counttext.h"
#include "ui/renamecall.h"
#include "ui/tracespage.h"
#include "ui/traceview.h"
#include "widgets/frozentableview.h"

#include <QApplication>
#include <QClipboard>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageBox>
#include <QPushButton>
#include <QSet>
#include <QTableView>

namespace spindle::ui {

QStringList TracesPage::selectedIds() const
{
    QStringList ids;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows()) {
        if (const spindle::Call* call = m_model->callAt(index.row()))
            ids.append(call->id);
    }
    return ids;
}

void TracesPage::copyCurrent(const QString& what)
{
    const QModelIndex current = m_table->currentIndex();
    const spindle::Call* call = current.isValid() ? m_model->callAt(current.row()) : nullptr;
    if (!call)
        return;
    QString text = call->id;
    if (what == QLatin1String("ref"))
        text = QString::fromStdString(spindle::callRefUri(m_projectId.toStdString(), call->id.toStdString()));
    else if (what == QLatin1String("json"))
        text = QString::fromUtf8(QJsonDocument(call->toJson()).toJson(QJsonDocument::Indented));
    QApplication::clipboard()->setText(text);
    Q_EMIT statusMessage(tr("Copied %1").arg(what == QLatin1String("json") ? tr("call JSON") : text));
}

void TracesPage::renameCurrent()
{
    const QModelIndex current = m_table->currentIndex();
    const spindle::Call* call = current.isValid() ? m_model->callAt(current.row()) : nullptr;
    if (!call)
        return;
    promptRenameCall(this, m_client, m_projectId, *call, [this] {
        m_model->invalidatePages();
        Q_EMIT statusMessage(tr("Renamed"));
    });
}

// The panes no longer show what is gone, and the table's current row (its old rows stay until the
// refresh's page is in) does not bring it back.
void TracesPage::closeDeletedCalls()
{
    m_table->selectionModel()->clear();
    m_trace->clear();
    m_detail->clear();
}

void TracesPage::deleteSelected()
{
    const QStringList ids = selectedIds();
    if (ids.isEmpty())
        return;
    // Taken with the ids: the question's own event loop may see the table change under it.
    QSet<QString> traces; // the deleted calls' traces lose them and their descendants
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
        if (const spindle::Call* call = m_model->callAt(index.row()))
            traces.insert(call->traceId);
    QMessageBox confirm(QMessageBox::Warning, tr("Delete calls"),
        countText(ids.size(),
            tr("Delete 1 call and all its descendants? This cannot be undone from Spindle."),
            tr("Delete %L1 calls and all their descendants? This cannot be undone from Spindle.")),
        QMessageBox::Cancel, this);
    QPushButton* remove = confirm.addButton(tr("Delete"), QMessageBox::DestructiveRole);
    confirm.setDefaultButton(QMessageBox::Cancel);
    confirm.exec();
    if (confirm.clickedButton() != remove)
        return;
    for (qsizetype start = 0; start < ids.size(); start += 1000) {
        const QJsonObject body { { QStringLiteral("project_id"), m_projectId },
            { QStringLiteral("call_ids"), QJsonArray::fromStringList(ids.mid(start, 1000)) } };
        m_client->post(
            this, QStringLiteral("/calls/delete"), body, [this, ids, traces](const QJsonObject& json) {
                Q_EMIT statusMessage(countText(json.value(QLatin1String("num_deleted")).toInteger(),
                    tr("Deleted 1 call"), tr("Deleted %L1 calls")));
                if (traces.contains(m_trace->traceId()) || ids.contains(m_detail->callId()))
                    closeDeletedCalls();
                m_controller->refresh();
            });
    }
}

void TracesPage::compareSelected()
{
    const QStringList ids = selectedIds();
    if (ids.size() < 2) {
        Q_EMIT statusMessage(tr("Select two or more loaded calls to compare them"));
        return;
    }
    auto* dialog = new CompareDialog(m_client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->compare(m_projectId, ids);
    dialog->show();
}

// A refetch (F5, the server back, live mode in an order other than newest first) can bring another
// call to the selected row: the selection follows the call the user chose, or goes when it is not
// among the loaded rows, so that Delete, Rename and Copy never act on a call the user did not pick.
void TracesPage::followSelectedCall()
{
    const QModelIndex current = m_table->currentIndex();
    const spindle::Call* call = m_model->callAt(current.row());
    if (!call || call->id == m_detail->callId())
        return;
    const int row = m_model->rowOfCall(m_detail->callId());
    QItemSelectionModel* selection = m_table->selectionModel();
    if (row < 0) {
        selection->clearSelection();
        return;
    }
    selection->setCurrentIndex(m_model->index(row, current.column()),
        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

} // namespace spindle::ui
