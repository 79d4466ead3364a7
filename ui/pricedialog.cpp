#include "ui/pricedialog.h"

#include <QComboBox>
#include <QCompleter>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace spindle::ui {

using namespace Qt::StringLiterals;

namespace {

QString unitName(PriceUnit unit)
{
    return unit == PriceUnit::PerMillionTokens ? QObject::tr("per million tokens") : QObject::tr("per token");
}

} // namespace

PriceDialog::PriceDialog(QWidget* parent)
    : QDialog(parent)
    , m_model(new QLineEdit(this))
    , m_provider(new QLineEdit(this))
    , m_unit(new QComboBox(this))
    , m_input(new QLineEdit(this))
    , m_output(new QLineEdit(this))
    , m_cacheRead(new QLineEdit(this))
    , m_cacheWrite(new QLineEdit(this))
    , m_hint(new QLabel(this))
    , m_effective(new QDateTimeEdit(QDateTime::currentDateTime(), this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Add price"));
    setMinimumWidth(540); // the hint echoes both prices in the other unit on one line
    m_model->setPlaceholderText(tr("e.g. my-finetune-v2"));
    m_model->setToolTip(tr("The model id exactly as it appears in the calls' usage (summary.usage)"));
    m_provider->setPlaceholderText(u"default"_s);
    m_provider->setToolTip(tr("Optional: who serves the model, e.g. openai or local"));
    m_unit->addItem(tr("USD per million tokens"), int(PriceUnit::PerMillionTokens));
    m_unit->addItem(tr("USD per token"), int(PriceUnit::PerToken));
    m_unit->setToolTip(tr("Type prices in either unit; switching converts exactly, digit for digit"));
    m_input->setPlaceholderText(u"0.15"_s);
    m_input->setToolTip(tr("Price of prompt (input) tokens"));
    m_output->setPlaceholderText(u"0.60"_s);
    m_output->setToolTip(tr("Price of completion (output) tokens"));
    m_cacheRead->setPlaceholderText(tr("0 (optional)"));
    m_cacheRead->setToolTip(tr("Price of prompt tokens read from the provider's cache "
                               "(cache_read_input_tokens); empty: free"));
    m_cacheWrite->setPlaceholderText(tr("0 (optional)"));
    m_cacheRead->setObjectName(u"cacheRead"_s);
    m_cacheWrite->setObjectName(u"cacheWrite"_s);
    m_cacheWrite->setToolTip(tr("Price of prompt tokens written to the provider's cache "
                                "(cache_creation_input_tokens); empty: free"));
    m_hint->setStyleSheet(u"color: #6b7280;"_s);
    m_hint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_effective->setCalendarPopup(true);
    m_effective->setDisplayFormat(u"yyyy-MM-dd HH:mm:ss"_s);
    m_effective->setToolTip(
        tr("Calls that start at or after this time (local time) use the price. "
           "A past date re-prices earlier calls; a future date applies from then on (and to earlier calls "
           "too while the model has no other price)."));
    auto* now = new QToolButton(this);
    now->setText(tr("Now"));
    now->setToolTip(tr("Set the effective date to the current time"));
    connect(
        now, &QToolButton::clicked, this, [this] { m_effective->setDateTime(QDateTime::currentDateTime()); });
    m_error->setWordWrap(true);
    m_error->setStyleSheet(u"color: #b91c1c;"_s);
    m_error->hide();

    auto* form = new QFormLayout;
    form->addRow(tr("&Model:"), m_model);
    form->addRow(tr("&Provider:"), m_provider);
    form->addRow(tr("&Unit:"), m_unit);
    form->addRow(tr("&Input price:"), m_input);
    form->addRow(tr("&Output price:"), m_output);
    form->addRow(tr("Cache &read price:"), m_cacheRead);
    form->addRow(tr("Cache &write price:"), m_cacheWrite);
    form->addRow(QString(), m_hint);
    auto* dateRow = new QHBoxLayout;
    dateRow->addWidget(m_effective, 1);
    dateRow->addWidget(now);
    auto* dateLabel = new QLabel(tr("&Effective from:"), this);
    dateLabel->setBuddy(m_effective); // a layout row gets no buddy from addRow(QString, QLayout*)
    form->addRow(dateLabel, dateRow);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    m_buttons->button(QDialogButtonBox::Save)->setText(tr("Add price"));
    m_buttons->button(QDialogButtonBox::Save)->setToolTip(tr("Store the price in this project (Enter)"));

    connect(m_buttons, &QDialogButtonBox::accepted, this, &PriceDialog::save);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_unit, &QComboBox::currentIndexChanged, this,
        [this] { setUnit(PriceUnit(m_unit->currentData().toInt())); });
    for (QLineEdit* edit : { m_input, m_output })
        connect(edit, &QLineEdit::textChanged, this, &PriceDialog::updateHint);
    // An error is about what was submitted; editing makes it stale.
    for (QLineEdit* edit : { m_model, m_provider, m_input, m_output, m_cacheRead, m_cacheWrite })
        connect(edit, &QLineEdit::textEdited, m_error, &QLabel::hide);
    updateHint();
}

void PriceDialog::setModelName(const QString& model)
{
    m_model->setText(model);
    if (!model.isEmpty())
        m_input->setFocus();
}

QString PriceDialog::modelName() const
{
    return m_model->text().trimmed();
}

void PriceDialog::setModelSuggestions(const QStringList& models)
{
    auto* completer = new QCompleter(models, m_model);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    m_model->setCompleter(completer);
}

void PriceDialog::setProvider(const QString& provider)
{
    m_provider->setText(provider);
}

void PriceDialog::setPriceTexts(const QString& input, const QString& output)
{
    m_input->setText(input);
    m_output->setText(output);
}

void PriceDialog::setCachePriceTexts(const QString& read, const QString& write)
{
    m_cacheRead->setText(read);
    m_cacheWrite->setText(write);
}

QString PriceDialog::inputText() const
{
    return m_input->text();
}

QString PriceDialog::outputText() const
{
    return m_output->text();
}

void PriceDialog::setUnit(PriceUnit unit)
{
    if (unit == m_currentUnit)
        return;
    // Text that is a price is rewritten in the new unit; anything else is left for the user to fix.
    for (QLineEdit* edit : { m_input, m_output, m_cacheRead, m_cacheWrite }) {
        if (const auto perToken = parsePrice(edit->text(), m_currentUnit))
            edit->setText(formatPrice(*perToken, unit));
    }
    m_currentUnit = unit;
    const QSignalBlocker block(m_unit);
    m_unit->setCurrentIndex(m_unit->findData(int(unit)));
    updateHint();
}

PriceUnit PriceDialog::unit() const
{
    return m_currentUnit;
}

void PriceDialog::setEffectiveDate(const QDateTime& at)
{
    m_effective->setDateTime(at.toLocalTime());
}

std::optional<QJsonObject> PriceDialog::costs(QString* error) const
{
    const auto fail = [error](const QString& message) -> std::optional<QJsonObject> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QString model = modelName();
    if (model.isEmpty())
        return fail(tr("Enter the model id as it appears in the calls' usage, e.g. gpt-4o-mini."));
    const auto input = parsePrice(m_input->text(), m_currentUnit);
    const auto output = parsePrice(m_output->text(), m_currentUnit);
    const QString example = m_currentUnit == PriceUnit::PerMillionTokens ? u"0.15"_s : u"0.00000015"_s;
    if (!input)
        return fail(tr("The input price must be a number of at least 0, such as %1 (USD %2).")
                        .arg(example, unitName(m_currentUnit)));
    if (!output)
        return fail(tr("The output price must be a number of at least 0, such as %1 (USD %2).")
                        .arg(example, unitName(m_currentUnit)));
    std::optional<double> cache[2] = { 0.0, 0.0 };
    const QLineEdit* cacheEdits[2] = { m_cacheRead, m_cacheWrite };
    for (int i = 0; i < 2; ++i) {
        if (!cacheEdits[i]->text().trimmed().isEmpty())
            cache[i] = parsePrice(cacheEdits[i]->text(), m_currentUnit);
        if (!cache[i])
            return fail(tr("The cache %1 price must be empty or a number of at least 0, such as %2 (USD %3).")
                            .arg(i == 0 ? tr("read") : tr("write"), example, unitName(m_currentUnit)));
    }
    QJsonObject entry { { u"prompt_token_cost"_s, *input }, { u"completion_token_cost"_s, *output },
        { u"prompt_token_cost_unit"_s, u"USD"_s }, { u"completion_token_cost_unit"_s, u"USD"_s },
        { u"effective_date"_s, m_effective->dateTime().toUTC().toString(Qt::ISODateWithMs) } };
    if (const QString provider = m_provider->text().trimmed(); !provider.isEmpty())
        entry.insert(u"provider_id"_s, provider);
    // Sent only when set: hosted Weave's /cost/create refuses fields it does not know (422).
    if (*cache[0] > 0)
        entry.insert(u"cache_read_input_token_cost"_s, *cache[0]);
    if (*cache[1] > 0)
        entry.insert(u"cache_creation_input_token_cost"_s, *cache[1]);
    return QJsonObject { { model, entry } };
}

void PriceDialog::save()
{
    if (m_busy)
        return;
    QString error;
    const auto body = costs(&error);
    if (!body) {
        showError(error);
        return;
    }
    m_error->hide();
    setBusy(true);
    Q_EMIT submitted(*body);
}

void PriceDialog::showError(const QString& message)
{
    setBusy(false);
    m_error->setText(message);
    m_error->show();
}

QString PriceDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

bool PriceDialog::isBusy() const
{
    return m_busy;
}

void PriceDialog::setBusy(bool busy)
{
    m_busy = busy;
    for (QWidget* w :
        std::initializer_list<QWidget*> { m_model, m_provider, m_unit, m_input, m_output, m_effective })
        w->setEnabled(!busy);
    QPushButton* save = m_buttons->button(QDialogButtonBox::Save);
    save->setEnabled(!busy);
    save->setText(busy ? tr("Saving…") : tr("Add price"));
}

void PriceDialog::updateHint()
{
    // Echo the price in the other unit so the user sees what is stored.
    const PriceUnit other =
        m_currentUnit == PriceUnit::PerToken ? PriceUnit::PerMillionTokens : PriceUnit::PerToken;
    const auto describe = [&](QLineEdit* edit) {
        const auto value = parsePrice(edit->text(), m_currentUnit);
        return value ? formatPrice(*value, other) : u"?"_s;
    };
    if (m_input->text().trimmed().isEmpty() && m_output->text().trimmed().isEmpty()) {
        m_hint->setText(tr("Prices are stored in USD per token."));
        return;
    }
    m_hint->setText(
        tr("= input %1, output %2 USD %3").arg(describe(m_input), describe(m_output), unitName(other)));
}

} // namespace spindle::ui
