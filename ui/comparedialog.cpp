#include "ui/comparedialog.h"

#include "models/callcomparison.h"
#include "models/callstablemodel.h"
#include "widgets/banner.h"
#include "widgets/headerstyle.h"
#include "widgets/statusdelegate.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTextCursor>
#include <QTextEdit>
#include <QVBoxLayout>

#include <algorithm>

namespace spindle::ui {

using models::CallComparisonModel;
using models::ComparisonRow;
using models::DiffSegment;

namespace {

// Longer values are cut before the word diff; the LCS table stays small either way.
constexpr qsizetype kMaxDiffChars = 200'000;

const QColor kWorse(190, 40, 40);
const QColor kBetter(40, 125, 50);

// The value as the diff pane shows it: objects and arrays indented, text as is.
QString paneText(const ComparisonRow& row, int call)
{
    const QJsonValue value = row.values.value(call);
    // A value whose text was cut is shown as that text: indenting all of it would stall.
    const bool huge = row.texts.value(call).size() > models::kMaxValueTextChars;
    if (row.kind == ComparisonRow::Kind::Field && (value.isObject() || value.isArray()) && !huge) {
        const QJsonDocument doc =
            value.isObject() ? QJsonDocument(value.toObject()) : QJsonDocument(value.toArray());
        return QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed();
    }
    return row.texts.value(call);
}

// Writes one side of a diff: the common text plain, this side's changes highlighted.
void fillPane(QTextEdit* edit, const QVector<DiffSegment>& segments, DiffSegment::Op side)
{
    edit->clear();
    QTextCursor cursor(edit->document());
    QTextCharFormat plain;
    QTextCharFormat marked;
    if (side == DiffSegment::Delete) {
        marked.setBackground(QColor(250, 205, 200));
        marked.setForeground(QColor(120, 20, 10));
    } else {
        marked.setBackground(QColor(200, 238, 200));
        marked.setForeground(QColor(15, 85, 25));
    }
    for (const DiffSegment& segment : segments) {
        if (segment.op == DiffSegment::Equal)
            cursor.insertText(segment.text, plain);
        else if (segment.op == side)
            cursor.insertText(segment.text, marked);
    }
    edit->moveCursor(QTextCursor::Start);
}

void showMissing(QTextEdit* edit)
{
    edit->clear();
    QTextCharFormat format;
    format.setFontItalic(true);
    format.setForeground(QColor(140, 140, 140));
    QTextCursor(edit->document()).insertText(QObject::tr("(no value)"), format);
}

QLabel* smallLabel(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    label->setStyleSheet(QStringLiteral("color: #666;"));
    return label;
}

} // namespace

CompareDialog::CompareDialog(net::TraceClient* client, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_model(new CallComparisonModel(this))
    , m_banner(new widgets::Banner(this))
    , m_status(new QLabel(this))
    , m_cards(new QWidget(this))
    , m_cardsLayout(new QHBoxLayout(m_cards))
    , m_filter(new QLineEdit(this))
    , m_onlyDifferences(new QCheckBox(tr("Only &differences"), this))
    , m_summary(new QLabel(this))
    , m_table(new QTableView(this))
    , m_diffTitle(new QLabel(this))
    , m_before(new QTextEdit(this))
    , m_after(new QTextEdit(this))
{
    setWindowTitle(tr("Compare calls"));
    setWindowFlag(Qt::WindowMaximizeButtonHint, true);
    setSizeGripEnabled(true);
    resize(1100, 760);
    buildUi();
    connect(m_filter, &QLineEdit::textChanged, m_model, &CallComparisonModel::setFilterText);
    connect(m_onlyDifferences, &QCheckBox::toggled, m_model, &CallComparisonModel::setOnlyDifferences);
    // "Only differences" and the filter reset the model: keep the row (by path) and the column.
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        const QModelIndex current = m_table->currentIndex();
        m_keepPath = current.data(CallComparisonModel::PathRole).toString();
        m_keepColumn = current.isValid() ? current.column() : CallComparisonModel::callColumn(1);
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        restoreCurrent();
        updateSummary();
        showDiff();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentChanged, this, &CompareDialog::showDiff);
    showDiff();
}

CompareDialog::~CompareDialog()
{
    cancelPending();
}

void CompareDialog::buildUi()
{
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    m_status->hide();
    layout->addWidget(m_status);

    m_cardsLayout->setContentsMargins(0, 0, 0, 0);
    m_cardsLayout->setSpacing(8);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_cards);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    layout->addWidget(scroll);
    layout->addWidget(buildToolRow());

    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    widgets::applyHeaderStyle(m_table->horizontalHeader());
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(buildDiffPane());
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);
    layout->addWidget(split, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

QWidget* CompareDialog::buildToolRow()
{
    auto* row = new QWidget(this);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    m_filter->setPlaceholderText(tr("Filter fields and values…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(320);
    m_onlyDifferences->setToolTip(tr("Hide the rows where every call has the same value"));
    layout->addWidget(m_filter, 1);
    layout->addWidget(m_onlyDifferences);
    layout->addStretch(1);
    layout->addWidget(m_summary);
    return row;
}

QWidget* CompareDialog::buildDiffPane()
{
    auto* pane = new QWidget(this);
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 4, 0, 0);
    m_diffTitle->setTextFormat(Qt::RichText);
    m_diffTitle->setWordWrap(true);
    layout->addWidget(m_diffTitle);
    auto* sides = new QSplitter(Qt::Horizontal, pane);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (QTextEdit* edit : { m_before, m_after }) {
        edit->setReadOnly(true);
        edit->setFont(fixed);
        edit->setLineWrapMode(QTextEdit::WidgetWidth);
        edit->setUndoRedoEnabled(false);
        sides->addWidget(edit);
    }
    layout->addWidget(sides, 1);
    return pane;
}

void CompareDialog::compare(const QString& projectId, const QStringList& callIds)
{
    cancelPending();
    m_errors.clear();
    const QStringList ids = callIds.mid(0, kMaxCalls);
    if (callIds.size() > kMaxCalls)
        m_errors
            << tr("Only the first %1 of %2 selected calls are compared.").arg(kMaxCalls).arg(callIds.size());
    if (!m_client || ids.isEmpty()) {
        setCalls({});
        return;
    }
    m_fetched = QVector<std::optional<spindle::Call>>(ids.size());
    m_outstanding = int(ids.size());
    m_status->setText(tr("Loading %1 calls…").arg(ids.size()));
    m_status->show();
    for (int i = 0; i < ids.size(); ++i) {
        const QString id = ids[i];
        const QJsonObject body { { QStringLiteral("project_id"), projectId }, { QStringLiteral("id"), id },
            { QStringLiteral("include_costs"), true } };
        const auto request = m_client->post(
            this, QStringLiteral("/call/read"), body,
            [this, i, id](const QJsonObject& json) {
                const QJsonObject call = json.value(QLatin1String("call")).toObject();
                if (call.isEmpty())
                    m_errors << tr("Call %1 was not found.").arg(id);
                else
                    m_fetched[i] = spindle::Call::fromJson(call);
                readFinished();
            },
            [this, id](const net::ApiError& error) {
                m_errors << tr("Call %1: %2").arg(id, error.message());
                readFinished();
            });
        // Failures are listed in this dialog's banner, not in the main window's.
        m_client->setQuiet(request);
        m_pending.append(request);
    }
}

void CompareDialog::readFinished()
{
    if (--m_outstanding > 0)
        return;
    m_pending.clear();
    QVector<spindle::Call> calls;
    for (const auto& call : std::as_const(m_fetched)) {
        if (call)
            calls.append(*call);
    }
    m_fetched.clear();
    setCalls(calls);
    Q_EMIT loaded();
}

void CompareDialog::cancelPending()
{
    if (m_client) {
        for (const auto request : std::as_const(m_pending))
            m_client->cancel(request);
    }
    m_pending.clear();
    m_outstanding = 0;
    m_status->hide();
}

void CompareDialog::setCalls(const QVector<spindle::Call>& calls)
{
    m_status->hide();
    m_shownDiff.clear();
    m_model->setCalls(calls);
    setWindowTitle(tr("Compare %1 calls").arg(calls.size()));
    rebuildCards();
    QHeaderView* header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Stretch);
    header->setSectionResizeMode(CallComparisonModel::FieldColumn, QHeaderView::Interactive);
    header->resizeSection(CallComparisonModel::FieldColumn, 230);
    if (calls.size() < 2 && m_errors.isEmpty())
        m_errors << tr("Select at least two calls to compare them.");
    if (!m_errors.isEmpty())
        m_banner->showMessage(m_errors.join(QLatin1Char('\n')),
            calls.size() >= 2 ? widgets::Banner::Kind::Info : widgets::Banner::Kind::Error);
    else
        m_banner->hide();
    m_errors.clear();
    // New calls: the first differing field is what one usually came to see.
    m_keepPath.clear();
    m_keepColumn = CallComparisonModel::callColumn(1);
    restoreCurrent();
}

void CompareDialog::restoreCurrent()
{
    const int rows = m_model->rowCount();
    if (rows == 0)
        return;
    int target = -1;
    int firstDiffering = -1;
    for (int row = 0; row < rows && target < 0; ++row) {
        const ComparisonRow* r = m_model->comparisonRow(row);
        if (!m_keepPath.isEmpty() && r->path == m_keepPath)
            target = row;
        if (firstDiffering < 0 && r->differs && r->kind == ComparisonRow::Kind::Field)
            firstDiffering = row;
    }
    if (target < 0)
        target = firstDiffering >= 0 ? firstDiffering : 0;
    const int column = std::clamp(m_keepColumn, 0, m_model->columnCount() - 1);
    m_table->setCurrentIndex(m_model->index(target, column));
}

void CompareDialog::rebuildCards()
{
    while (QLayoutItem* item = m_cardsLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    int tallest = 0;
    for (int call = 0; call < m_model->calls().size(); ++call) {
        QWidget* card = callCard(call);
        tallest = std::max(tallest, card->sizeHint().height());
        m_cardsLayout->addWidget(card, 1);
    }
    if (m_model->calls().size() < 4)
        m_cardsLayout->addStretch(1);
    // The strip is as tall as its cards (it only scrolls sideways when many calls are compared).
    if (auto* area = qobject_cast<QScrollArea*>(m_cards->parentWidget()->parentWidget()))
        area->setFixedHeight(tallest + area->horizontalScrollBar()->sizeHint().height() + 4);
}

QWidget* CompareDialog::callCard(int call)
{
    const spindle::Call& c = m_model->calls().at(call);
    auto* card = new QFrame(m_cards);
    card->setObjectName(QStringLiteral("compareCard"));
    card->setStyleSheet(
        QStringLiteral("#compareCard { border: 1px solid %1; border-radius: 4px; background: %2; }")
            .arg(call == 0 ? QStringLiteral("#7aa7e0") : QStringLiteral("#c8c8c8"),
                call == 0 ? QStringLiteral("#f3f7fd") : QStringLiteral("#fafafa")));
    card->setMinimumWidth(210);
    auto* grid = new QGridLayout(card);
    grid->setContentsMargins(10, 8, 10, 8);
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(2);
    auto* title = new QLabel(card);
    title->setTextFormat(Qt::RichText);
    const QString name = c.name().size() > 48 ? c.name().left(47) + QStringLiteral("…") : c.name();
    title->setText(QStringLiteral("<b>#%1 %2</b>").arg(call + 1).arg(name.toHtmlEscaped()));
    title->setToolTip(models::plainToolTip(c.opName));
    grid->addWidget(title, 0, 0, 1, 3);
    auto* status = new QLabel(card);
    status->setTextFormat(Qt::RichText);
    status->setText(
        QStringLiteral("<span style='color:%1'>●</span> %2%3")
            .arg(widgets::StatusDelegate::statusColor(c.status).name(),
                models::statusText(c.status).toHtmlEscaped(),
                call == 0 ? tr(" · <span style='color:#4a78b5'>baseline for deltas</span>") : QString()));
    grid->addWidget(status, 1, 0, 1, 3);
    auto* id = smallLabel(c.id, card);
    id->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(id, 2, 0, 1, 3);
    int line = 3;
    for (const ComparisonRow& row : m_model->allRows()) {
        if (row.kind == ComparisonRow::Kind::Metric)
            addMetricLine(grid, line++, row, call);
    }
    grid->setColumnStretch(2, 1);
    return card;
}

void CompareDialog::addMetricLine(QGridLayout* grid, int line, const ComparisonRow& row, int call)
{
    QWidget* card = grid->parentWidget();
    grid->addWidget(smallLabel(row.label, card), line, 0);
    auto* value = new QLabel(row.isMissing(call) ? QStringLiteral("—") : row.texts.value(call), card);
    value->setTextFormat(Qt::PlainText);
    grid->addWidget(value, line, 1);
    auto* delta = new QLabel(row.deltaTexts.value(call), card);
    delta->setTextFormat(Qt::PlainText);
    const auto d = row.deltas.value(call);
    const QColor color = !d || *d == 0 ? QColor(120, 120, 120) : *d > 0 ? kWorse : kBetter;
    delta->setStyleSheet(QStringLiteral("color: %1;").arg(color.name()));
    grid->addWidget(delta, line, 2);
}

QString CompareDialog::headerText() const
{
    QStringList lines;
    for (const QLabel* label : m_cards->findChildren<QLabel*>()) {
        if (!label->text().isEmpty())
            lines << label->text();
    }
    return lines.join(QLatin1Char('\n'));
}

void CompareDialog::updateSummary()
{
    const int fields = int(m_model->allRows().size());
    m_summary->setText(tr("%1 of %2 rows differ · %3 shown")
                           .arg(m_model->differingRowCount())
                           .arg(fields)
                           .arg(m_model->rowCount()));
}

void CompareDialog::showDiff()
{
    const QModelIndex current = m_table->currentIndex();
    const ComparisonRow* row = current.isValid() ? m_model->comparisonRow(current.row()) : nullptr;
    const auto& calls = m_model->calls();
    if (!row || calls.isEmpty()) {
        m_shownDiff.clear();
        m_diffTitle->setText(tr("Select a row to see the first call's value next to another call's; "
                                "click a cell to choose that call."));
        m_before->clear();
        m_after->clear();
        return;
    }
    const int other = current.column() >= 2 ? current.column() - 1 : (calls.size() > 1 ? 1 : 0);
    const QString shown = row->path + QLatin1Char('\n') + QString::number(other);
    if (shown == m_shownDiff)
        return; // a large value's diff takes a while: not again for the same row and call
    m_shownDiff = shown;
    const auto name = [&](int call) {
        return QStringLiteral("#%1 %2").arg(call + 1).arg(calls[call].name().toHtmlEscaped());
    };
    const bool same = !row->differsFromFirst(other);
    m_diffTitle->setText(QStringLiteral("<b>%1</b> — %2 <span style='color:#b03a2e'>(removed)</span> vs %3 "
                                        "<span style='color:#2e7d32'>(added)</span>%4")
                             .arg(row->label.toHtmlEscaped(), name(0), name(other),
                                 same ? tr(" · <i>identical</i>") : QString()));
    const QString before = paneText(*row, 0).left(kMaxDiffChars);
    const QString after = paneText(*row, other).left(kMaxDiffChars);
    const QVector<DiffSegment> segments = models::wordDiff(before, after);
    if (row->isMissing(0))
        showMissing(m_before);
    else
        fillPane(m_before, segments, DiffSegment::Delete);
    if (row->isMissing(other))
        showMissing(m_after);
    else
        fillPane(m_after, segments, DiffSegment::Insert);
}

} // namespace spindle::ui
