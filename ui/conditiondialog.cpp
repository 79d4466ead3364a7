#include "ui/conditiondialog.h"

#include "ui/filterbar.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

#include <cmath>

namespace spindle::ui {
namespace {

const char* const kFixedFields[] = {
    "summary.weave.latency_ms",
    "summary.weave.total_tokens",
    "summary.weave.total_cost",
    "started_at",
    "id",
    "trace_id",
    "op_name",
    "display_name",
    "exception",
    "wb_user_id",
};

bool isNumericOp(FilterOp op)
{
    return op == FilterOp::NumEquals || op == FilterOp::NumNotEquals || op == FilterOp::Less
        || op == FilterOp::LessOrEqual || op == FilterOp::Greater || op == FilterOp::GreaterOrEqual;
}

} // namespace

std::optional<QVariant> ConditionDialog::parseValue(FilterOp op, const QString& text, QString* error)
{
    const QString value = text.trimmed();
    if (!filterOpTakesValue(op))
        return QVariant();
    if (isNumericOp(op)) {
        bool ok = false;
        const double number = value.toDouble(&ok);
        if (!ok || !std::isfinite(number)) { // nan and inf would go as null: "is missing"
            *error = tr("'%1' is not a number").arg(value);
            return std::nullopt;
        }
        return number;
    }
    if (op == FilterOp::Is) {
        if (value.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0)
            return true;
        if (value.compare(QLatin1String("false"), Qt::CaseInsensitive) == 0)
            return false;
        *error = tr("use true or false");
        return std::nullopt;
    }
    if (op == FilterOp::After || op == FilterOp::Before) {
        if (auto relative = parseRelativeRange(value, QDateTime::currentDateTimeUtc()))
            return *relative;
        QDateTime date = QDateTime::fromString(value, Qt::ISODate);
        if (!date.isValid())
            date = QDateTime::fromString(value, QStringLiteral("yyyy-MM-dd HH:mm"));
        if (!date.isValid()) {
            *error = tr("use a date like 2025-03-01 14:00 or a span like 1h, 2d, 1w");
            return std::nullopt;
        }
        return date.toUTC();
    }
    if (op == FilterOp::In) {
        QStringList values;
        for (const QString& part : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
            values.append(part.trimmed());
        if (values.isEmpty()) {
            *error = tr("give one or more comma-separated values");
            return std::nullopt;
        }
        return values;
    }
    if (value.isEmpty() && op == FilterOp::Contains) {
        *error = tr("type the text to look for");
        return std::nullopt;
    }
    return value;
}

ConditionDialog::ConditionDialog(const QStringList& fields, bool serverTotals, QWidget* parent)
    : QDialog(parent)
    , m_field(new QComboBox(this))
    , m_op(new QComboBox(this))
    , m_value(new QLineEdit(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Add filter"));
    m_field->setEditable(true);
    for (const char* field : kFixedFields)
        if (serverTotals || !FilterBar::isServerTotal(QLatin1String(field)))
            m_field->addItem(QString::fromLatin1(field));
    m_field->addItems(fields);
    m_field->setToolTip(
        tr("Any column path: inputs.x, output.y.z, attributes.env, summary.usage.gpt-4o.total_tokens"));
    offerOperatorsOf(m_field->currentText());
    m_value->setPlaceholderText(tr("value"));
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    auto* form = new QFormLayout(this);
    form->addRow(tr("Field"), m_field);
    form->addRow(tr("Operator"), m_op);
    form->addRow(tr("Value"), m_value);
    form->addRow(m_error);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_field, &QComboBox::currentTextChanged, this, [this](const QString& field) {
        offerOperatorsOf(field);
        validate();
    });
    connect(m_op, &QComboBox::currentIndexChanged, this, &ConditionDialog::validate);
    connect(m_value, &QLineEdit::textChanged, this, &ConditionDialog::validate);
    validate();
}

// The field's operators only (a time is after or before, not "contains"); the one chosen stays when
// the new field has it too.
void ConditionDialog::offerOperatorsOf(const QString& field)
{
    const QVariant chosen = m_op->currentData();
    const QSignalBlocker quiet(m_op);
    m_op->clear();
    for (FilterOp op : filterOpsForField(field.trimmed()))
        m_op->addItem(filterOpSymbol(op), int(op));
    const int again = m_op->findData(chosen);
    m_op->setCurrentIndex(again >= 0 ? again : 0);
}

void ConditionDialog::validate()
{
    const auto op = static_cast<FilterOp>(m_op->currentData().toInt());
    m_value->setEnabled(filterOpTakesValue(op));
    QString error;
    const QString field = m_field->currentText().trimmed();
    std::optional<QVariant> value;
    if (field.isEmpty())
        error = tr("choose a field");
    else
        value = parseValue(op, m_value->text(), &error);
    const bool ok = error.isEmpty() && value.has_value();
    m_error->setText(m_value->text().isEmpty() && filterOpTakesValue(op) ? QString() : error);
    if (auto* button = findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok))
        button->setEnabled(ok);
    if (ok)
        m_condition = { field, op, *value };
}

} // namespace spindle::ui
