// TracesPage: columns (chooser, remembered widths) and the export / code-snippet dialogs.
#include "models/callstablemodel.h"
#include "ui/callexporter.h"
#include "ui/callscontroller.h"
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
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace spindle::ui {
namespace {

constexpr int kDefaultDynamicColumns = 6;

QString widthKey(const QString& field)
{
    return QStringLiteral("columns/width/") + QString(field).replace(QLatin1Char('/'), QLatin1Char('_'));
}

} // namespace

void TracesPage::applyColumnSettings()
{
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
    QHeaderView* header = m_table->horizontalHeader();
    const QSignalBlocker blocker(header);
    const auto& sort = m_controller->query().sortBy;
    for (int column = 0; !sort.isEmpty() && column < m_model->columnCount(); ++column)
        if (m_model->columnSortField(column) == sort.first().field)
            header->setSortIndicator(
                column, sort.first().descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    for (int column = 0; column < m_model->columnCount(); ++column) {
        const int width = settings.value(widthKey(m_model->columnField(column)), 0).toInt();
        if (width > 0)
            header->resizeSection(column, width);
        else if (column == models::CallsTableModel::StatusColumn)
            header->resizeSection(column, 110);
        else if (column == models::CallsTableModel::NameColumn)
            header->resizeSection(column, 220);
    }
}

void TracesPage::saveColumnWidth(int section, int, int newSize)
{
    QSettings().setValue(widthKey(m_model->columnField(section)), newSize);
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
        const bool pinned = pin->isChecked();
        m_table->setPinnedColumns(pinned
                ? QList<int> { models::CallsTableModel::StatusColumn, models::CallsTableModel::NameColumn }
                : QList<int> {});
        QSettings().setValue(QStringLiteral("columns/pinned"), pinned);
        Q_EMIT stateChanged();
        return;
    }
    if (chosen->isChecked())
        m_visibleDynamic.append(chosen->text());
    else
        m_visibleDynamic.removeAll(chosen->text());
    m_columnsChosen = true;
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
    connect(
        exporter, &CallExporter::finished, this, [this, exporter, progress](bool, const QString& message) {
            progress->deleteLater();
            exporter->deleteLater();
            Q_EMIT statusMessage(message);
        });
    QString error;
    if (!exporter->start(m_controller->query().requestJson(), m_visibleDynamic, format, path, &error)) {
        progress->deleteLater();
        exporter->deleteLater();
        Q_EMIT statusMessage(error);
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
    addTab(tr("Python"), CallExporter::pythonSnippet(request));
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
