#pragma once

#include "core/callsquery.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;

namespace spindle::ui {

// Edits one field condition: a field (any column path), an operator from Weave's set, a value.
// The value is checked against the operator (numbers, dates, booleans) before OK is allowed.
class ConditionDialog : public QDialog
{
    Q_OBJECT
public:
    // `serverTotals`: the server filters on total tokens and cost (Spindle does, hosted Weave not).
    explicit ConditionDialog(const QStringList& fields, bool serverTotals = true, QWidget* parent = nullptr);
    spindle::FieldCondition condition() const
    {
        return m_condition;
    }

    // Parses `text` for `op`; on failure returns nullopt and sets `error`.
    static std::optional<QVariant> parseValue(FilterOp op, const QString& text, QString* error);

private:
    void offerOperatorsOf(const QString& field);
    void validate();

    QComboBox* m_field;
    QComboBox* m_op;
    QLineEdit* m_value;
    QLabel* m_error;
    spindle::FieldCondition m_condition;
};

} // namespace spindle::ui
