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

// The selected calls that are loaded, walking the selection's ranges: Ctrl+A selects every row,
// a million of them, and selectedRows() would build an index for each. `selectedRows` gets how many
// rows are selected, loaded or not; `traceIds` the loaded calls' traces.
QStringList TracesPage::selectedIds(qint64* selectedRows, QSet<QString>* traceIds) const
{
    QStringList ids;
    QSet<QString> seen;
    qint64 rows = 0;
    for (const QItemSelectionRange& range : m_table->selectionModel()->selection()) {
        if (range.left() != 0)
            continue; // rows are selected whole: one range per block of rows starts at column 0
        rows += range.height();
        for (int row = range.top(); row <= range.bottom(); ++row) {
            const spindle::Call* call = m_model->callAt(row);
            if (!call || seen.contains(call->id))
                continue;
            seen.insert(call->id);
            ids.append(call->id);
            if (traceIds)
                traceIds->insert(call->traceId);
        }
    }
    if (selectedRows)
        *selectedRows = rows;
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
    m_tableCallId.clear();
    m_trace->clear();
    m_detail->clear();
}

void TracesPage::deleteSelected()
{
    qint64 selected = 0;
    // Taken with the ids: the question's own event loop may see the table change under it.
    QSet<QString> traces; // the deleted calls' traces lose them and their descendants
    const QStringList ids = selectedIds(&selected, &traces);
    if (ids.isEmpty())
        return;
    if (selected > ids.size()) { // the rest were never loaded: deleting only some would surprise
        Q_EMIT warning(tr("Only loaded calls can be deleted, and %L1 of the %L2 selected are: select fewer "
                          "rows, or filter the table down to the calls to delete.")
                           .arg(ids.size())
                           .arg(selected));
        return;
    }
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
    if (!call || m_tableCallId.isEmpty() || call->id == m_tableCallId)
        return;
    const int row = m_model->rowOfCall(m_tableCallId);
    QItemSelectionModel* selection = m_table->selectionModel();
    if (row < 0) {
        selection->clear(); // the current row too: Copy and Rename act on it
        return;
    }
    selection->setCurrentIndex(m_model->index(row, current.column()),
        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

} // namespace spindle::ui
