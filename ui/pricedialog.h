#pragma once

#include "core/pricetable.h"

#include <QDialog>
#include <QJsonObject>

#include <optional>

class QComboBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace spindle::ui {

// "Add price": a model, its provider, input and output prices (and, optionally, the prices of
// prompt tokens read from or written to the provider's cache) per token or per million tokens
// (switching the unit converts the typed text exactly, see core/pricetable.h) and the effective
// date (default now). It does no I/O: Save emits submitted() and the dialog waits, busy, until the
// owner calls accept() or showError() with the server's reason. Nothing is written on an error.
class PriceDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PriceDialog(QWidget* parent = nullptr);

    void setModelName(const QString& model);
    QString modelName() const;
    void setModelSuggestions(const QStringList& models);
    void setProvider(const QString& provider);
    void setPriceTexts(const QString& input, const QString& output);
    // Empty: that cache price is 0. A project price replaces the default one whole, cache prices
    // included, so "Add price" for a priced model starts from its current ones.
    void setCachePriceTexts(const QString& read, const QString& write);
    QString inputText() const;
    QString outputText() const;
    void setUnit(PriceUnit unit); // converts what is typed into the new unit
    PriceUnit unit() const;
    void setEffectiveDate(const QDateTime& at);

    // The /cost/create "costs" object for the form, {model: {prompt_token_cost, ...}}, or nullopt
    // with a readable *error when the form is not complete or a price is not a number.
    std::optional<QJsonObject> costs(QString* error = nullptr) const;

    // Shows a (server) error under the form and makes it editable again.
    void showError(const QString& message);
    QString errorText() const;
    bool isBusy() const;

Q_SIGNALS:
    void submitted(const QJsonObject& costs);

private:
    void save();
    void setBusy(bool busy);
    void updateHint();

    QLineEdit* m_model;
    QLineEdit* m_provider;
    QComboBox* m_unit;
    QLineEdit* m_input;
    QLineEdit* m_output;
    QLineEdit* m_cacheRead;
    QLineEdit* m_cacheWrite;
    QLabel* m_hint;
    QDateTimeEdit* m_effective;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
    PriceUnit m_currentUnit = PriceUnit::PerMillionTokens;
    bool m_busy = false;
};

} // namespace spindle::ui
