#include "ui/filterbar.h"

#include "core/call.h"
#include "models/callstablemodel.h"
#include "ui/conditiondialog.h"
#include "widgets/chipbar.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace spindle::ui {
namespace {

const char* const kStatuses[] = { "success", "error", "running", "descendant_error" };

const char* const kRanges[][2] = {
    { "", "Any time" },
    { "1h", "Last hour" },
    { "1d", "Last day" },
    { "1w", "Last week" },
    { "1mo", "Last month" },
};

QString wildcardOf(const QString& opRef)
{
    const qsizetype colon = opRef.lastIndexOf(QLatin1Char(':'));
    return opRef.startsWith(QLatin1String("weave:///")) && colon > 8
        ? opRef.left(colon) + QStringLiteral(":*")
        : opRef;
}

} // namespace

QString describeCondition(const spindle::FieldCondition& c)
{
    QString value;
    if (c.op == FilterOp::After || c.op == FilterOp::Before)
        value = c.value.toDateTime().toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    else if (c.op == FilterOp::In)
        value = c.value.toStringList().join(QStringLiteral(", "));
    else if (filterOpTakesValue(c.op))
        value = c.value.toString();
    return QStringLiteral("%1 %2 %3").arg(c.field, filterOpSymbol(c.op), value).trimmed();
}

FilterBar::FilterBar(QWidget* parent)
    : QWidget(parent)
    , m_op(new QComboBox(this))
    , m_status(new QToolButton(this))
    , m_time(new QComboBox(this))
    , m_rootsOnly(new QCheckBox(tr("Roots only"), this))
    , m_addFilter(new QToolButton(this))
    , m_chips(new widgets::ChipBar(this))
{
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout;
    column->addLayout(row);
    column->addWidget(m_chips);
    m_op->setObjectName(QStringLiteral("opFilter"));
    m_op->setMinimumContentsLength(18);
    m_op->setToolTip(tr("Show calls of one op (all its versions)"));
    m_op->addItem(tr("All ops"), QString());
    m_status->setText(tr("Status"));
    m_status->setPopupMode(QToolButton::InstantPopup);
    // Room for the menu arrow, which the style draws in the corner over the text otherwise.
    m_status->setStyleSheet(QStringLiteral("QToolButton { padding-right: 10px; }"));
    m_status->setToolTip(tr("Show only calls with these statuses"));
    auto* statusMenu = new QMenu(m_status);
    for (const auto& status : kStatuses) {
        QAction* action = statusMenu->addAction(models::statusText(QString::fromLatin1(status)));
        action->setCheckable(true);
        action->setData(QString::fromLatin1(status));
        connect(action, &QAction::toggled, this, [this] {
            refreshChips();
            Q_EMIT changed();
        });
    }
    m_status->setMenu(statusMenu);
    for (const auto& range : kRanges)
        m_time->addItem(tr(range[1]), QString::fromLatin1(range[0]));
    m_time->addItem(tr("Custom range…"), QStringLiteral("custom"));
    m_time->setToolTip(tr("Only calls started in this time range"));
    m_rootsOnly->setChecked(true);
    m_rootsOnly->setToolTip(tr("Show only root calls (traces); untick to see every call"));
    m_addFilter->setText(tr("+ Filter"));
    m_addFilter->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F)); // Ctrl+F searches a trace
    m_addFilter->setWhatsThis(tr("Add a filter condition"));
    m_addFilter->setToolTip(
        tr("Add a condition on any column, e.g. inputs.model equals gpt-4o or Latency > 2000 "
           "(Ctrl+Shift+F; Alt+click a cell does it from its value)"));
    row->addWidget(m_op);
    row->addWidget(m_status);
    row->addWidget(m_time);
    row->addWidget(m_rootsOnly);
    row->addWidget(m_addFilter);
    row->addStretch(1);
    m_chips->setVisible(false);
    connect(m_op, &QComboBox::currentIndexChanged, this, &FilterBar::changed);
    connect(m_time, &QComboBox::activated, this, &FilterBar::onTimeChosen);
    connect(m_rootsOnly, &QCheckBox::toggled, this, &FilterBar::changed);
    connect(m_addFilter, &QToolButton::clicked, this, &FilterBar::editNewCondition);
    connect(m_chips, &widgets::ChipBar::chipRemoved, this, [this](int index) {
        // The chips in refreshChips' order: conditions, query terms, users, traces.
        if (index < m_conditions.size()) {
            m_conditions.removeAt(index);
        } else if ((index -= m_conditions.size()) < m_extraTerms.size()) {
            m_extraTerms.removeAt(index);
        } else if ((index -= m_extraTerms.size()) < m_userIds.size()) {
            m_userIds.removeAt(index);
        } else if ((index -= m_userIds.size()) < m_traceIds.size()) {
            m_traceIds.removeAt(index);
        }
        refreshChips();
        Q_EMIT changed();
    });
}

void FilterBar::setOps(const QStringList& opRefs)
{
    const QString current = m_op->currentData().toString();
    QSignalBlocker blocker(m_op);
    m_op->clear();
    m_op->addItem(tr("All ops"), QString());
    QStringList seen;
    for (const QString& ref : opRefs) {
        const QString wildcard = wildcardOf(ref);
        if (seen.contains(wildcard))
            continue;
        seen.append(wildcard);
        m_op->addItem(spindle::opShortName(ref), wildcard);
        m_op->setItemData(m_op->count() - 1, wildcard, Qt::ToolTipRole);
    }
    const int index = m_op->findData(current);
    m_op->setCurrentIndex(index < 0 ? 0 : index);
}

void FilterBar::setKnownFields(const QStringList& fields)
{
    m_knownFields = fields;
}

void FilterBar::onTimeChosen(int index)
{
    if (m_time->itemData(index).toString() == QLatin1String("custom")) {
        if (!chooseCustomRange()) { // cancelled: the range chosen before stays, and so do the rows
            m_time->setCurrentIndex(m_timeIndex);
            return;
        }
    } else {
        m_customAfter.reset(), m_customBefore.reset();
    }
    m_timeIndex = index;
    Q_EMIT changed();
}

bool FilterBar::chooseCustomRange()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Custom time range"));
    auto* form = new QFormLayout(&dialog);
    auto* after =
        new QDateTimeEdit(m_customAfter.value_or(QDateTime::currentDateTime().addDays(-1)), &dialog);
    auto* before = new QDateTimeEdit(m_customBefore.value_or(QDateTime::currentDateTime()), &dialog);
    after->setCalendarPopup(true);
    before->setCalendarPopup(true);
    form->addRow(tr("Started after"), after);
    form->addRow(tr("Started before"), before);
    auto* problem = new QLabel(&dialog);
    problem->setStyleSheet(QStringLiteral("color: #b3261e;"));
    const QString reversed = tr("“Started after” must be earlier than “Started before”.");
    // Room for the sentence from the start: shown later, it was cut at the dialog's edge.
    dialog.setMinimumWidth(problem->fontMetrics().horizontalAdvance(reversed) + 40);
    problem->setMinimumHeight(problem->fontMetrics().height());
    form->addRow(problem);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    // A range that ends before it starts holds no call: said here, not shown as an empty table.
    const auto check = [after, before, problem, buttons, reversed] {
        const bool ordered = after->dateTime() < before->dateTime();
        problem->setText(ordered ? QString() : reversed);
        buttons->button(QDialogButtonBox::Ok)->setEnabled(ordered);
    };
    connect(after, &QDateTimeEdit::dateTimeChanged, &dialog, check);
    connect(before, &QDateTimeEdit::dateTimeChanged, &dialog, check);
    check();
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    m_customAfter = after->dateTime().toUTC();
    m_customBefore = before->dateTime().toUTC();
    return true;
}

void FilterBar::editNewCondition()
{
    ConditionDialog dialog(m_knownFields, m_serverTotals, this);
    if (dialog.exec() == QDialog::Accepted)
        addCondition(dialog.condition());
}

bool FilterBar::setServerTotals(bool supported)
{
    m_serverTotals = supported;
    if (supported) {
        if (m_setAsideTotals.isEmpty())
            return false;
        for (const auto& condition : std::exchange(m_setAsideTotals, {}))
            if (!m_conditions.contains(condition))
                m_conditions.append(condition);
        refreshChips();
        return true;
    }
    for (const auto& condition : std::as_const(m_conditions))
        if (isServerTotal(condition.field))
            m_setAsideTotals.append(condition);
    const auto removed = m_conditions.removeIf(
        [](const spindle::FieldCondition& condition) { return isServerTotal(condition.field); });
    if (removed > 0)
        refreshChips();
    return false;
}

void FilterBar::forgetSetAsideTotals()
{
    m_setAsideTotals.clear();
}

bool FilterBar::isServerTotal(const QString& field)
{
    return field.startsWith(QLatin1String("summary.weave.total_"));
}

void FilterBar::addCondition(const spindle::FieldCondition& condition)
{
    if (m_conditions.contains(condition))
        return;
    m_conditions.append(condition);
    refreshChips();
    Q_EMIT changed();
}

void FilterBar::addStatus(const QString& status)
{
    for (QAction* action : m_status->menu()->actions())
        if (action->data().toString() == status)
            action->setChecked(true);
}

void FilterBar::refreshChips()
{
    QStringList labels;
    for (const auto& condition : std::as_const(m_conditions))
        labels.append(describeCondition(condition));
    for (const QJsonValue& term : std::as_const(m_extraTerms))
        labels.append(
            tr("query: %1")
                .arg(QString::fromUtf8(QJsonDocument(term.toObject()).toJson(QJsonDocument::Compact))));
    for (const QString& user : std::as_const(m_userIds))
        labels.append(tr("user = %1").arg(user));
    for (const QString& trace : std::as_const(m_traceIds))
        labels.append(tr("trace = %1").arg(trace));
    m_chips->setChips(labels);
    QStringList statuses;
    for (QAction* action : m_status->menu()->actions())
        if (action->isChecked())
            statuses.append(action->text());
    m_status->setText(
        statuses.isEmpty() ? tr("Status") : tr("Status: %1").arg(statuses.join(QStringLiteral(", "))));
}

void FilterBar::applyTo(spindle::CallsQuery& query) const
{
    const QString op = m_op->currentData().toString();
    query.opNames = op.isEmpty() ? QStringList() : QStringList { op };
    query.statuses.clear();
    for (QAction* action : m_status->menu()->actions())
        if (action->isChecked())
            query.statuses.append(action->data().toString());
    const QString range = m_time->currentData().toString();
    query.startedAfter.reset();
    query.startedBefore.reset();
    query.startedWithin.clear();
    if (range == QLatin1String("custom")) {
        query.startedAfter = m_customAfter;
        query.startedBefore = m_customBefore;
    } else {
        query.startedWithin = range;
    }
    query.rootsOnly = m_rootsOnly->isChecked();
    query.conditions = m_conditions;
    query.extraTerms = m_extraTerms;
    query.userIds = m_userIds;
    query.traceIds = m_traceIds;
}

void FilterBar::setFrom(const spindle::CallsQuery& query)
{
    QSignalBlocker blockOp(m_op), blockRoots(m_rootsOnly), blockTime(m_time);
    int op = query.opNames.isEmpty() ? 0 : m_op->findData(query.opNames.first());
    if (op < 0) { // an op the list does not have (yet): keep the filter, it still applies
        m_op->addItem(spindle::opShortName(query.opNames.first()), query.opNames.first());
        op = m_op->count() - 1;
    }
    m_op->setCurrentIndex(op);
    for (QAction* action : m_status->menu()->actions()) {
        QSignalBlocker blockAction(action);
        action->setChecked(query.statuses.contains(action->data().toString()));
    }
    m_rootsOnly->setChecked(query.rootsOnly);
    m_customAfter = query.startedAfter;
    m_customBefore = query.startedBefore;
    const int within = query.startedWithin.isEmpty() ? -1 : m_time->findData(query.startedWithin);
    m_time->setCurrentIndex(
        query.startedAfter || query.startedBefore ? m_time->count() - 1 : std::max(within, 0));
    m_timeIndex = m_time->currentIndex();
    m_conditions = query.conditions;
    m_extraTerms = query.extraTerms;
    m_userIds = query.userIds;
    m_traceIds = query.traceIds;
    refreshChips();
}

void FilterBar::clearAll()
{
    spindle::CallsQuery empty;
    setFrom(empty);
    forgetSetAsideTotals();
    Q_EMIT changed();
}

bool FilterBar::hasFilters() const
{
    spindle::CallsQuery query;
    applyTo(query);
    return !query.opNames.isEmpty() || !query.statuses.isEmpty() || query.startedAfter || query.startedBefore
        || !query.startedWithin.isEmpty() || !query.rootsOnly || !query.conditions.isEmpty()
        || !query.extraTerms.isEmpty() || !query.userIds.isEmpty() || !query.traceIds.isEmpty();
}

} // namespace spindle::ui
