#include "ui/playgroundsettings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace spindle::ui {

using namespace Qt::StringLiterals;

PlaygroundSettingsDialog::PlaygroundSettingsDialog(QWidget* parent)
    : QDialog(parent)
    , m_n(new QSpinBox(this))
    , m_stop(new QLineEdit(this))
    , m_format(new QComboBox(this))
    , m_schema(new QPlainTextEdit(this))
    , m_tools(new QPlainTextEdit(this))
    , m_system(new QPlainTextEdit(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Pane settings"));
    auto* form = new QFormLayout;
    m_temperature =
        addNumber(form, tr("Temperature"), 0, 2, 0.1, 2, tr("Randomness of sampling; 0 is greedy"));
    m_maxTokens =
        addNumber(form, tr("Max tokens"), 1, 1'000'000, 64, 0, tr("Upper bound of the answer's tokens"));
    m_topP =
        addNumber(form, tr("Top p"), 0, 1, 0.05, 2, tr("Nucleus sampling: keep the top tokens of this mass"));
    m_frequency = addNumber(
        form, tr("Frequency penalty"), -2, 2, 0.1, 2, tr("Penalise tokens by how often they appeared"));
    m_presence =
        addNumber(form, tr("Presence penalty"), -2, 2, 0.1, 2, tr("Penalise tokens that appeared at all"));
    m_seed = addNumber(form, tr("Seed"), 0, 2'147'483'647, 1, 0,
        tr("Same seed, same settings: repeatable answers where supported"));
    m_n->setRange(1, 8);
    m_n->setToolTip(tr("Number of choices to generate (n)"));
    form->addRow(tr("Choices (n)"), m_n);
    m_stop->setPlaceholderText(tr("Stop sequences, separated by |"));
    form->addRow(tr("Stop"), m_stop);
    m_format->addItems({ tr("Text"), tr("JSON object"), tr("JSON schema") });
    form->addRow(tr("Response format"), m_format);
    m_schema->setPlaceholderText(
        uR"({"name": "answer", "schema": {"type": "object", "properties": {}}, "strict": true})"_s);
    m_schema->setFixedHeight(70);
    form->addRow(tr("JSON schema"), m_schema);
    m_tools->setPlaceholderText(
        tr("Tools as a JSON array in OpenAI's shape: [{\"type\": \"function\", \"function\": {…}}]"));
    m_tools->setFixedHeight(90);
    form->addRow(tr("Tools"), m_tools);
    m_system->setPlaceholderText(tr("Empty: the shared system prompt applies"));
    m_system->setFixedHeight(60);
    form->addRow(tr("System prompt (this pane)"), m_system);
    connect(m_format, &QComboBox::currentIndexChanged, this,
        [this](int index) { m_schema->setEnabled(index == 2); });
    m_schema->setEnabled(false);
    m_error->setStyleSheet(u"color: #b00020"_s);
    m_error->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
}

PlaygroundSettingsDialog::OptionalNumber PlaygroundSettingsDialog::addNumber(QFormLayout* form,
    const QString& label, double min, double max, double step, int decimals, const QString& tip)
{
    auto* row = new QHBoxLayout;
    OptionalNumber number { new QCheckBox(this), new QDoubleSpinBox(this) };
    number.enabled->setToolTip(tr("Unchecked: not sent, the provider's default applies"));
    number.value->setRange(min, max);
    number.value->setSingleStep(step);
    number.value->setDecimals(decimals);
    number.value->setToolTip(tip);
    number.value->setEnabled(false);
    connect(number.enabled, &QCheckBox::toggled, number.value, &QWidget::setEnabled);
    row->addWidget(number.enabled);
    row->addWidget(number.value, 1);
    form->addRow(label, row);
    return number;
}

template <typename T>
static void showValue(const std::optional<T>& value, QCheckBox* enabled, QDoubleSpinBox* box)
{
    enabled->setChecked(value.has_value());
    if (value)
        box->setValue(double(*value));
}

void PlaygroundSettingsDialog::setSettings(const ChatSettings& s, const QString& systemPrompt)
{
    showValue(s.temperature, m_temperature.enabled, m_temperature.value);
    showValue(s.maxTokens, m_maxTokens.enabled, m_maxTokens.value);
    m_maxTokensAsCompletionTokens = s.maxTokensAsCompletionTokens;
    showValue(s.topP, m_topP.enabled, m_topP.value);
    showValue(s.frequencyPenalty, m_frequency.enabled, m_frequency.value);
    showValue(s.presencePenalty, m_presence.enabled, m_presence.value);
    showValue(s.seed, m_seed.enabled, m_seed.value);
    m_n->setValue(s.n);
    m_stop->setText(s.stop.join(u'|'));
    m_format->setCurrentIndex(int(s.responseFormat));
    m_schema->setPlainText(s.jsonSchema.isEmpty()
            ? QString()
            : QString::fromUtf8(QJsonDocument(s.jsonSchema).toJson(QJsonDocument::Indented)));
    m_tools->setPlainText(s.tools.isEmpty()
            ? QString()
            : QString::fromUtf8(QJsonDocument(s.tools).toJson(QJsonDocument::Indented)));
    m_system->setPlainText(systemPrompt);
}

template <typename T> static std::optional<T> read(const QCheckBox* enabled, const QDoubleSpinBox* box)
{
    if (!enabled->isChecked())
        return std::nullopt;
    return T(box->value());
}

ChatSettings PlaygroundSettingsDialog::settings() const
{
    ChatSettings s;
    s.temperature = read<double>(m_temperature.enabled, m_temperature.value);
    s.maxTokens = read<int>(m_maxTokens.enabled, m_maxTokens.value);
    s.maxTokensAsCompletionTokens = m_maxTokensAsCompletionTokens;
    s.topP = read<double>(m_topP.enabled, m_topP.value);
    s.frequencyPenalty = read<double>(m_frequency.enabled, m_frequency.value);
    s.presencePenalty = read<double>(m_presence.enabled, m_presence.value);
    s.seed = read<qint64>(m_seed.enabled, m_seed.value);
    s.n = m_n->value();
    for (const QString& stop : m_stop->text().split(u'|', Qt::SkipEmptyParts))
        s.stop.append(stop);
    s.responseFormat = ChatSettings::ResponseFormat(m_format->currentIndex());
    if (s.responseFormat == ChatSettings::ResponseFormat::JsonSchema)
        s.jsonSchema = QJsonDocument::fromJson(m_schema->toPlainText().toUtf8()).object();
    s.tools = QJsonDocument::fromJson(m_tools->toPlainText().toUtf8()).array();
    return s;
}

QString PlaygroundSettingsDialog::systemPrompt() const
{
    return m_system->toPlainText().trimmed();
}

QString PlaygroundSettingsDialog::validateJson(const QString& text, bool wantArray, QString* error)
{
    if (text.trimmed().isEmpty())
        return {};
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parse);
    if (parse.error != QJsonParseError::NoError)
        *error = tr("not valid JSON at offset %1: %2").arg(parse.offset).arg(parse.errorString());
    else if (wantArray && !doc.isArray())
        *error = tr("must be a JSON array");
    else if (!wantArray && !doc.isObject())
        *error = tr("must be a JSON object");
    return *error;
}

void PlaygroundSettingsDialog::accept()
{
    QString error;
    if (!validateJson(m_tools->toPlainText(), true, &error).isEmpty()) {
        m_error->setText(tr("Tools: %1").arg(error));
        return;
    }
    if (m_format->currentIndex() == 2) {
        if (m_schema->toPlainText().trimmed().isEmpty())
            error = tr("a JSON schema response format needs a schema");
        if (!error.isEmpty() || !validateJson(m_schema->toPlainText(), false, &error).isEmpty()) {
            m_error->setText(tr("JSON schema: %1").arg(error));
            return;
        }
    }
    QDialog::accept();
}

} // namespace spindle::ui
