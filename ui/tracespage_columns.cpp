// TracesPage: its state as a saved view holds it, columns (chooser, remembered widths, order), and
// the export / code-snippet dialogs.
#include "core/call.h"
#include "core/callsquery.h"
#include "models/callstablemodel.h"
#include "ui/calldetailpanel.h"
#include "ui/callexporter.h"
#include "ui/callscontroller.h"
#include "ui/filterbar.h"
#include "ui/savedviewsbar.h"
#include "ui/tracespage.h"
#include "widgets/frozentableview.h"

#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace spindle::ui {

using models::CallsTableModel;

namespace {

constexpr int kDefaultDynamicColumns = 6;
constexpr QLatin1String kPinnedSetting("columns/pinned");

QString widthKey(const QString& field)
{
    return QStringLiteral("columns/width/") + QString(field).replace(QLatin1Char('/'), QLatin1Char('_'));
}

} // namespace

spindle::TracesViewState TracesPage::currentState() const
{
    spindle::TracesViewState state;
    state.query = m_controller->query();
    state.query.projectId.clear();
    state.customColumns = m_columnsChosen;
    state.visibleColumns = m_visibleDynamic;
    for (const QString& column : m_controller->discoveredColumns())
        if (!m_visibleDynamic.contains(column))
            state.hiddenColumns.append(column);
    state.pinned = !m_table->pinnedColumns().isEmpty();
    state.pageSize = m_pageSize;
    // Every column's width but the stretched last one, whose width is the window's, not the user's.
    const QHeaderView* header = m_table->horizontalHeader();
    for (int column = 0; column < m_model->columnCount(); ++column)
        if (!isStretchedSection(column))
            state.columnWidths.insert(m_model->columnField(column), header->sectionSize(column));
    return state;
}

DroppedViewParts TracesPage::applyState(const spindle::TracesViewState& state)
{
    ++m_applyGeneration;
    DroppedViewParts dropped;
    spindle::CallsQuery query = state.query;
    query.projectId = m_projectId;
    // The filter bar picks one op; Weave's UI does the same, but a hand-written view may list more.
    for (const QString& op : query.opNames.mid(1))
        dropped.notes.append(tr("dropped op %1 (the op filter takes one op)").arg(spindle::opShortName(op)));
    query.opNames = query.opNames.mid(0, 1);
    if (m_opsLoaded) { // otherwise reconcileOps checks them when the op list arrives
        dropped.ops = spindle::missingOps(query.opNames, m_projectOps);
        for (const QString& op : std::as_const(dropped.ops))
            query.opNames.removeAll(op);
    }
    // The view's filter and sort replace whatever was set aside for an earlier server; its own
    // Tokens and Cost terms are set aside while this server may not be Spindle.
    m_setAsideSort.reset();
    m_filters->forgetSetAsideTotals();
    m_filters->setFrom(query);
    if (!m_serverTotals) {
        m_filters->setServerTotals(false);
        query.conditions.removeIf([](const spindle::FieldCondition& condition) {
            return FilterBar::isServerTotal(condition.field);
        });
        dropUnsupportedSort(query);
    }
    m_visibleDynamic = state.visibleColumns;
    m_columnsChosen = state.customColumns;
    m_viewWidths.clear();
    for (auto it = state.columnWidths.begin(); it != state.columnWidths.end(); ++it)
        m_viewWidths.insert(it.key(), it.value());
    m_pageSize = state.pageSize;
    setColumnsPinned(state.pinned);
    m_detail->clear();
    m_controller->setQuery(query);
    applyColumnSettings();
    {
        // The view's column order is the model's: undo columns dragged around before.
        const QScopedValueRollback guard(m_applyingColumns, true);
        QHeaderView* header = m_table->horizontalHeader();
        for (int logical = 0; logical < header->count(); ++logical)
            if (header->visualIndex(logical) != logical)
                header->moveSection(header->visualIndex(logical), logical);
    }
    if (state.customColumns)
        checkViewColumns(state.visibleColumns);
    Q_EMIT stateChanged();
    return dropped;
}

// Columns the first page did not show may still exist further down: only a column no call in the
// project has (its value is empty everywhere) is dropped. One capped count per column.
void TracesPage::checkViewColumns(const QStringList& columns)
{
    const QStringList seen = m_controller->discoveredColumns();
    const quint64 generation = m_applyGeneration;
    auto pending = std::make_shared<int>(0);
    auto missing = std::make_shared<QStringList>();
    const auto finish = [this, generation, pending, missing] {
        if (--*pending > 0 || generation != m_applyGeneration || missing->isEmpty())
            return;
        for (const QString& column : std::as_const(*missing))
            m_visibleDynamic.removeAll(column);
        applyColumnSettings();
        Q_EMIT stateChanged();
        Q_EMIT viewPartsDropped(*missing, {});
    };
    for (const QString& column : columns) {
        if (seen.contains(column))
            continue;
        const QJsonObject notEmpty = conditionExpr(FieldCondition { column, FilterOp::IsNotEmpty, {} });
        const QJsonObject body { { QStringLiteral("project_id"), m_projectId },
            { QStringLiteral("query"), QJsonObject { { QStringLiteral("$expr"), notEmpty } } },
            { QStringLiteral("limit"), 1 } };
        ++*pending;
        m_client->post(
            this, QStringLiteral("/calls/query_stats"), body,
            [column, missing, finish](const QJsonObject& json) {
                if (json.value(QLatin1String("count")).toInteger() == 0)
                    missing->append(column);
                finish();
            },
            [finish](const net::ApiError&) { finish(); }); // unknown: keep the column
    }
}

// The op list (re)loaded: the query's op must be one of the project's ops, and the filter bar must
// show it (its list offers `name:*` wildcards, so a version ref from a view is added back).
void TracesPage::reconcileOps()
{
    spindle::CallsQuery query = m_controller->query();
    const QStringList missing = spindle::missingOps(query.opNames, m_projectOps);
    for (const QString& op : missing)
        query.opNames.removeAll(op);
    spindle::CallsQuery shown;
    m_filters->applyTo(shown);
    if (shown.opNames != query.opNames)
        m_filters->setFrom(query);
    if (missing.isEmpty())
        return;
    m_detail->clear();
    m_controller->setQuery(query);
    Q_EMIT stateChanged();
    Q_EMIT viewPartsDropped({}, missing);
}

void TracesPage::applyColumnSettings()
{
    const QScopedValueRollback guard(m_applyingColumns, true);
    const QStringList discovered = m_controller->discoveredColumns();
    if (!m_columnsChosen) {
        QSettings settings;
        const QString key = QStringLiteral("columns/visible/") + m_projectId;
        if (settings.contains(key)) {
            m_visibleDynamic = settings.value(key).toStringList();
        } else {
            m_visibleDynamic.clear();
            for (const QString& column : discovered)
                if (!column.startsWith(QLatin1String("attributes."))
                    && m_visibleDynamic.size() < kDefaultDynamicColumns)
                    m_visibleDynamic.append(column);
        }
    }
    m_model->setDynamicColumns(m_visibleDynamic);
    QSettings settings;
    // Not blocked: the table and its pinned overlay follow the header's resizes (saveColumnWidth
    // and onSectionMoved ignore them while m_applyingColumns).
    QHeaderView* header = m_table->horizontalHeader();
    const auto& sort = m_controller->query().sortBy;
    for (int column = 0; !sort.isEmpty() && column < m_model->columnCount(); ++column)
        if (m_model->columnSortField(column) == sort.first().field)
            header->setSortIndicator(
                column, sort.first().descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    // The current view's widths first, then the default view's remembered ones.
    for (int column = 0; column < m_model->columnCount(); ++column) {
        const QString field = m_model->columnField(column);
        const int width = m_viewWidths.value(field, settings.value(widthKey(field), 0).toInt());
        if (width > 0)
            header->resizeSection(column, width);
        else if (column == models::CallsTableModel::StatusColumn)
            header->resizeSection(column, 110);
        else if (column == models::CallsTableModel::NameColumn)
            header->resizeSection(column, 220);
    }
}

void TracesPage::setColumnsPinned(bool pinned)
{
    m_table->setPinnedColumns(
        pinned ? QList<int> { CallsTableModel::StatusColumn, CallsTableModel::NameColumn } : QList<int> {});
}

// Status and Name stay pinned unless the user unpinned them (the pin of the default view,
// spindle::SavedView; a saved view brings its own).
void TracesPage::restoreColumnsPinned()
{
    setColumnsPinned(QSettings().value(kPinnedSetting, true).toBool());
}

bool TracesPage::isStretchedSection(int section) const
{
    const QHeaderView* header = m_table->horizontalHeader();
    if (!header->stretchLastSection())
        return false;
    int last = header->count() - 1;
    while (last > 0 && header->isSectionHidden(header->logicalIndex(last)))
        --last;
    return header->visualIndex(section) == last;
}

// A width the user set: part of the current view; the default view's widths are also remembered
// for the next start (a saved view's are stored with it when it is saved).
void TracesPage::saveColumnWidth(int section, int, int newSize)
{
    if (m_applyingColumns || isStretchedSection(section))
        return;
    const QString field = m_model->columnField(section);
    m_viewWidths.insert(field, newSize);
    if (m_views->currentObjectId().isEmpty())
        QSettings().setValue(widthKey(field), newSize);
    Q_EMIT stateChanged();
}

// Dragging a dynamic column's header reorders the view's columns.
void TracesPage::onSectionMoved()
{
    if (m_applyingColumns)
        return;
    const QHeaderView* header = m_table->horizontalHeader();
    QStringList order;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (logical >= models::CallsTableModel::FixedColumnCount)
            order.append(m_model->columnField(logical));
    }
    if (order == m_visibleDynamic)
        return;
    m_visibleDynamic = order;
    m_columnsChosen = true;
    if (m_views->currentObjectId().isEmpty())
        QSettings().setValue(QStringLiteral("columns/visible/") + m_projectId, m_visibleDynamic);
    Q_EMIT stateChanged();
}

void TracesPage::chooseColumns()
{
    QMenu menu(this);
    QAction* pin = menu.addAction(tr("Pin Status and Name while scrolling sideways"));
    pin->setCheckable(true);
    pin->setChecked(!m_table->pinnedColumns().isEmpty());
    menu.addSeparator();
    const QStringList discovered = m_controller->discoveredColumns();
    if (discovered.isEmpty())
        menu.addAction(tr("No input, output or attribute columns found yet"))->setEnabled(false);
    for (const QString& column : discovered) {
        QAction* action = menu.addAction(column);
        action->setCheckable(true);
        action->setChecked(m_visibleDynamic.contains(column));
    }
    QAction* chosen = menu.exec(QCursor::pos());
    if (!chosen || !chosen->isCheckable())
        return;
    if (chosen == pin) {
        setColumnsPinned(pin->isChecked());
        QSettings().setValue(kPinnedSetting, pin->isChecked());
        Q_EMIT stateChanged();
        return;
    }
    if (chosen->isChecked())
        m_visibleDynamic.append(chosen->text());
    else
        m_visibleDynamic.removeAll(chosen->text());
    m_columnsChosen = true;
    // The default view's columns are remembered per project; a saved view's are saved with it.
    if (m_views->currentObjectId().isEmpty())
        QSettings().setValue(QStringLiteral("columns/visible/") + m_projectId, m_visibleDynamic);
    applyColumnSettings();
    Q_EMIT stateChanged();
}

void TracesPage::exportCalls()
{
    static const QStringList filters { tr("CSV (*.csv)"), tr("TSV (*.tsv)"), tr("JSON (*.json)"),
        tr("JSON Lines (*.jsonl)") };
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    QString selected = filters.first();
    const QString suggested = dir + QLatin1Char('/')
        + CallExporter::defaultFileName(m_projectId, CallExporter::Format::Csv, QDate::currentDate());
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export calls"), suggested, filters.join(QStringLiteral(";;")), &selected);
    if (path.isEmpty())
        return;
    auto format = static_cast<CallExporter::Format>(std::max<qsizetype>(0, filters.indexOf(selected)));
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QStringList suffixes { QStringLiteral("csv"), QStringLiteral("tsv"), QStringLiteral("json"),
        QStringLiteral("jsonl") };
    if (suffixes.contains(suffix))
        format = static_cast<CallExporter::Format>(suffixes.indexOf(suffix));
    auto* exporter = new CallExporter(m_client, this);
    auto* progress = new QProgressDialog(
        tr("Exporting calls…"), tr("Cancel"), 0, std::max(0, m_controller->totalCount()), this);
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(300);
    connect(exporter, &CallExporter::progress, progress,
        [progress](qint64 rows) { progress->setValue(int(rows)); });
    connect(progress, &QProgressDialog::canceled, exporter, &CallExporter::cancel);
    // A failed export is a warning (the banner stays); done or cancelled, a status message.
    connect(
        exporter, &CallExporter::finished, this, [this, exporter, progress](bool ok, const QString& message) {
            const bool failed = !ok && !progress->wasCanceled();
            progress->deleteLater();
            exporter->deleteLater();
            if (failed)
                Q_EMIT warning(message);
            else
                Q_EMIT statusMessage(message);
        });
    QString error;
    exporter->setExpectedRows(m_controller->totalCount()); // -1 while it is not known
    if (!exporter->start(
            m_controller->requestQuery().requestJson(), m_visibleDynamic, format, path, &error)) {
        progress->deleteLater();
        exporter->deleteLater();
        Q_EMIT warning(error);
    }
}

void TracesPage::showCodeSnippets()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Use this query in code"));
    dialog.resize(720, 420);
    auto* layout = new QVBoxLayout(&dialog);
    auto* tabs = new QTabWidget(&dialog);
    const QJsonObject request = m_controller->query().requestJson();
    const auto addTab = [&](const QString& title, const QString& text) {
        auto* edit = new QPlainTextEdit(text, tabs);
        edit->setReadOnly(true);
        edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        tabs->addTab(edit, title);
    };
    addTab(tr("Python"), CallExporter::pythonSnippet(request, m_client->connection().baseUrl));
    addTab(tr("curl"), CallExporter::curlSnippet(request, m_client->connection().baseUrl));
    layout->addWidget(tabs);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    auto* copy = buttons->addButton(tr("Copy"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, &dialog, [tabs] {
        QApplication::clipboard()->setText(
            static_cast<QPlainTextEdit*>(tabs->currentWidget())->toPlainText());
    });
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.exec();
}

} // namespace spindle::ui
