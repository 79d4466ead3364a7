#pragma once

#include "core/chatrequest.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace spindle::ui {

// The sampling settings of one pane. Each numeric setting has a checkbox: unchecked means
// "not sent", so the provider's own default applies. Tools and the JSON schema are edited as
// JSON text and checked before the dialog closes.
class PlaygroundSettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PlaygroundSettingsDialog(QWidget* parent = nullptr);

    void setSettings(const ChatSettings& settings, const QString& systemPrompt);
    ChatSettings settings() const;
    // A system prompt for this pane only; empty: the shared one applies.
    QString systemPrompt() const;

    void accept() override;

private:
    struct OptionalNumber
    {
        QCheckBox* enabled;
        QDoubleSpinBox* value;
    };
    OptionalNumber addNumber(QFormLayout* form, const QString& label, double min, double max, double step,
        int decimals, const QString& tip);
    static QString validateJson(const QString& text, bool wantArray, QString* error);

    OptionalNumber m_temperature;
    OptionalNumber m_maxTokens;
    OptionalNumber m_topP;
    OptionalNumber m_frequency;
    OptionalNumber m_presence;
    OptionalNumber m_seed;
    QSpinBox* m_n;
    QLineEdit* m_stop;
    QComboBox* m_format;
    QPlainTextEdit* m_schema;
    QPlainTextEdit* m_tools;
    QPlainTextEdit* m_system;
    QLabel* m_error;
    bool m_maxTokensAsCompletionTokens = false; // kept as the settings came (ChatSettings)
};

} // namespace spindle::ui
