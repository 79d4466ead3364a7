#include "ui/playgroundpane.h"

#include "ui/playgroundsettings.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextCursor>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace spindle::ui {

using namespace Qt::StringLiterals;

double PaneRunResult::tokensPerSecond() const
{
    const qint64 generating = latencyMs - qMax<qint64>(0, timeToFirstTokenMs);
    if (usage.completionTokens <= 0 || generating <= 0)
        return 0;
    return double(usage.completionTokens) * 1000.0 / double(generating);
}

QString formatUsd(double usd)
{
    if (usd == 0)
        return u"$0"_s;
    if (usd < 0.01) { // two significant digits, never an exponent: $0.0000063
        const int decimals = qMin(12, 1 - int(std::floor(std::log10(usd))));
        QString text = QString::number(usd, 'f', decimals);
        while (text.endsWith(u'0'))
            text.chop(1);
        return u"$"_s + text;
    }
    return u"$%1"_s.arg(usd, 0, 'f', 4);
}

QString formatRunMetrics(const PaneRunResult& r)
{
    QStringList parts;
    if (r.timeToFirstTokenMs >= 0)
        parts << QObject::tr("first token %1 s").arg(double(r.timeToFirstTokenMs) / 1000.0, 0, 'f', 2);
    parts << QObject::tr("%1 s").arg(double(r.latencyMs) / 1000.0, 0, 'f', 2);
    if (r.tokensPerSecond() > 0)
        parts << QObject::tr("%1 tok/s").arg(r.tokensPerSecond(), 0, 'f', 1);
    if (r.usage.known())
        parts << QObject::tr("%1 → %2 tokens").arg(r.usage.promptTokens).arg(r.usage.completionTokens);
    else
        parts << QObject::tr("tokens unknown");
    if (r.costUsd)
        parts << (r.costFromServer ? formatUsd(*r.costUsd) : QObject::tr("≈%1").arg(formatUsd(*r.costUsd)));
    else
        parts << QObject::tr("cost —");
    return parts.join(u" · "_s);
}

PlaygroundPane::PlaygroundPane(QWidget* parent)
    : QFrame(parent)
    , m_provider(new QComboBox(this))
    , m_model(new QComboBox(this))
    , m_settingsButton(new QToolButton(this))
    , m_presets(new QToolButton(this))
    , m_stop(new QToolButton(this))
    , m_use(new QToolButton(this))
    , m_remove(new QToolButton(this))
    , m_reasoning(new QPlainTextEdit(this))
    , m_answer(new QPlainTextEdit(this))
    , m_status(new QLabel(this))
    , m_metrics(new QLabel(this))
{
    setFrameShape(QFrame::StyledPanel);
    setMinimumWidth(260);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(buildHeader());
    m_reasoning->setReadOnly(true);
    m_reasoning->setMaximumHeight(90);
    m_reasoning->setPlaceholderText(tr("Reasoning"));
    m_reasoning->setStyleSheet(u"color: #666; font-style: italic"_s);
    m_reasoning->setVisible(false);
    layout->addWidget(m_reasoning);
    m_answer->setReadOnly(true);
    m_answer->setPlaceholderText(idleHint());
    layout->addWidget(m_answer, 1);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setVisible(false);
    layout->addWidget(m_status);
    m_metrics->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_metrics->setWordWrap(true);
    m_metrics->setStyleSheet(u"color: #555"_s);
    m_metrics->setToolTip(tr("Time to first token · total latency · generation speed · prompt → completion "
                             "tokens · cost at the server's price for the model (≈: estimated here)"));
    layout->addWidget(m_metrics);
}

QWidget* PlaygroundPane::buildHeader()
{
    // Two rows, so three or more panes side by side keep readable model ids.
    auto* header = new QWidget(this);
    auto* rows = new QVBoxLayout(header);
    rows->setContentsMargins(0, 0, 0, 0);
    rows->setSpacing(2);
    auto* models = new QHBoxLayout;
    auto* row = new QHBoxLayout;
    rows->addLayout(models);
    rows->addLayout(row);
    m_provider->setToolTip(tr("Provider (edit them with Providers… in the toolbar)"));
    connect(m_provider, &QComboBox::currentTextChanged, this, &PlaygroundPane::providerChanged);
    m_model->setEditable(true);
    m_model->setInsertPolicy(QComboBox::NoInsert);
    m_model->setMinimumContentsLength(12);
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_provider->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_model->setToolTip(tr("Model id: pick one the provider lists, or type any id"));
    m_model->lineEdit()->setPlaceholderText(tr("model id"));
    const auto tool = [&](QToolButton* button, const QString& text, const QString& tip) {
        button->setText(text);
        button->setToolTip(tip);
        button->setAutoRaise(true);
        row->addWidget(button);
    };
    models->addWidget(m_provider);
    models->addWidget(m_model, 1);
    tool(m_settingsButton, tr("Settings"), tr("Temperature, max tokens, stop, response format, tools…"));
    tool(m_presets, tr("Presets"),
        tr("Save or apply a named model + settings preset (stored in the project)"));
    m_presets->setPopupMode(QToolButton::InstantPopup);
    // Room for the menu arrow, which the style draws in the corner over the text otherwise.
    m_presets->setStyleSheet(u"QToolButton { padding-right: 10px; }"_s);
    tool(m_stop, tr("Stop"), tr("Stop this pane's answer (Esc stops all)"));
    tool(m_use, tr("Use"),
        tr("Continue the conversation with this answer (the first choice, with its tool calls)"));
    m_remove->setText(u"✕"_s);
    m_remove->setToolTip(tr("Remove this pane"));
    m_remove->setAccessibleName(tr("Remove this pane")); // not "✕"
    m_remove->setAutoRaise(true);
    row->addStretch(1);
    row->addWidget(m_remove); // apart from the others, at the far right
    m_stop->setEnabled(false);
    m_use->setEnabled(false);
    connect(m_settingsButton, &QToolButton::clicked, this, &PlaygroundPane::editSettings);
    connect(m_stop, &QToolButton::clicked, this, &PlaygroundPane::stopRequested);
    connect(m_remove, &QToolButton::clicked, this, &PlaygroundPane::removeRequested);
    connect(m_use, &QToolButton::clicked, this, [this] { Q_EMIT useAnswerRequested(m_answerMessage); });
    setPresetNames({});
    return header;
}

void PlaygroundPane::setPresetNames(const QStringList& names)
{
    auto* menu = new QMenu(m_presets);
    menu->addAction(tr("Save as preset…"), this, &PlaygroundPane::savePresetRequested);
    if (!names.isEmpty())
        menu->addSeparator();
    for (const QString& name : names)
        menu->addAction(name, this, [this, name] { Q_EMIT presetChosen(name); });
    delete m_presets->menu();
    m_presets->setMenu(menu);
}

void PlaygroundPane::editSettings()
{
    PlaygroundSettingsDialog dialog(this);
    dialog.setSettings(m_settings, m_systemPrompt);
    if (dialog.exec() != QDialog::Accepted)
        return;
    setSettings(dialog.settings());
    setSystemPrompt(dialog.systemPrompt());
}

void PlaygroundPane::setProviders(const QStringList& names)
{
    const QString current = m_provider->currentText();
    const QSignalBlocker block(m_provider);
    m_provider->clear();
    m_provider->addItems(names);
    if (names.contains(current))
        m_provider->setCurrentText(current);
}

QString PlaygroundPane::providerName() const
{
    return m_provider->currentText();
}

void PlaygroundPane::setProviderName(const QString& name)
{
    if (m_provider->findText(name) < 0)
        m_provider->addItem(name);
    m_provider->setCurrentText(name);
}

QString PlaygroundPane::model() const
{
    return m_model->currentText().trimmed();
}

void PlaygroundPane::setModel(const QString& model)
{
    m_model->setCurrentText(model);
}

void PlaygroundPane::setModelChoices(const QStringList& models)
{
    const QString current = model();
    m_model->clear();
    m_model->addItems(models);
    m_model->setCurrentText(current);
}

void PlaygroundPane::setSettings(const ChatSettings& settings)
{
    m_settings = settings;
    const QJsonObject json = settings.toJson();
    m_settingsButton->setToolTip(json.isEmpty()
            ? tr("Provider defaults. Click to set temperature, max tokens, tools…")
            : QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
}

void PlaygroundPane::setSystemPrompt(const QString& prompt)
{
    m_systemPrompt = prompt;
}

void PlaygroundPane::beginRun()
{
    m_answer->clear();
    m_reasoning->clear();
    m_reasoning->setVisible(false);
    m_status->setVisible(false);
    m_answer->setPlaceholderText(tr("Waiting for the answer…"));
    m_metrics->setText(tr("Waiting for the first token…"));
    m_stop->setEnabled(true);
    m_use->setEnabled(false);
}

void PlaygroundPane::clearRun()
{
    beginRun();
    m_result = {};
    m_answerMessage = {};
    m_stop->setEnabled(false);
    m_answer->setPlaceholderText(idleHint());
    m_metrics->clear();
}

QString PlaygroundPane::idleHint()
{
    return tr("Type a message below and press Ctrl+Enter to send it to every pane.");
}

void PlaygroundPane::appendDeltas(const QVector<ChatDelta>& deltas)
{
    QString content;
    QString reasoning;
    for (const ChatDelta& delta : deltas)
        if (delta.choice == 0) { // further choices are shown when the run ends
            content += delta.content;
            reasoning += delta.reasoning;
        }
    const auto append = [](QPlainTextEdit* edit, const QString& text) {
        QScrollBar* bar = edit->verticalScrollBar();
        const bool atEnd = bar->value() >= bar->maximum() - 4;
        QTextCursor cursor(edit->document());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(text);
        if (atEnd) // follow the stream unless the user scrolled up to read
            bar->setValue(bar->maximum());
    };
    if (!reasoning.isEmpty()) {
        m_reasoning->setVisible(true);
        append(m_reasoning, reasoning);
    }
    if (!content.isEmpty())
        append(m_answer, content);
}

void PlaygroundPane::showChoices(const ChatOutcome& outcome)
{
    QStringList sections;
    for (const ChatChoice& choice : outcome.choices) {
        QString text = choice.content;
        for (const ToolCall& call : choice.toolCalls)
            text += u"\n→ tool call %1(%2)"_s.arg(call.name, call.arguments);
        if (outcome.choices.size() > 1)
            text = tr("── choice %1 ──\n").arg(choice.index + 1) + text;
        sections << text.trimmed();
    }
    const QString all = sections.join(u"\n\n"_s);
    if (all != m_answer->toPlainText())
        m_answer->setPlainText(all);
}

void PlaygroundPane::finishRun(const ChatOutcome& outcome, const PaneRunResult& result)
{
    m_result = result;
    m_stop->setEnabled(false);
    showChoices(outcome);
    // What "Use" adds: the first choice as the provider sent it, not the pane's text with its
    // choice headers and tool call arrows. A reasoning model's thinking is not sent back (DeepSeek
    // refuses reasoning_content in a request).
    m_answerMessage =
        outcome.completion.value("choices"_L1).toArray().at(0).toObject().value("message"_L1).toObject();
    m_answerMessage.remove(u"reasoning_content"_s);
    const bool hasAnswer = !m_answerMessage.value("content"_L1).toString().isEmpty()
        || !m_answerMessage.value("tool_calls"_L1).toArray().isEmpty();
    if (!hasAnswer)
        m_answerMessage = {};
    m_use->setEnabled(hasAnswer);
    const QString status = result.error.isEmpty() ? finishNote(outcome) : result.error;
    m_status->setText(status);
    m_status->setStyleSheet(result.error.isEmpty() ? u"color: #8a6d00"_s : u"color: #b00020"_s);
    m_status->setVisible(!status.isEmpty());
    m_answer->setPlaceholderText(tr("No answer."));
    showMetrics();
}

// Why an answer that ended without an error may not be the whole answer, or none at all: the
// user stopped it, the max tokens cut it (a reasoning model can spend them all before any text),
// a content filter stopped it, or nothing came.
QString PlaygroundPane::finishNote(const ChatOutcome& outcome) const
{
    if (outcome.status == ChatOutcome::Status::Stopped)
        return tr("Stopped. The answer so far is kept.");
    const QString reason = outcome.choices.isEmpty() ? QString() : outcome.choices.first().finishReason;
    if (reason == u"length"_s)
        return answerText().isEmpty()
            ? tr("No text: the max tokens ran out first (finish reason: length). Raise Max tokens.")
            : tr("Cut off at the max tokens (finish reason: length).");
    if (reason == u"content_filter"_s)
        return tr("Stopped by the provider's content filter (finish reason: content_filter).");
    if (answerText().isEmpty())
        return reason.isEmpty() ? tr("The model sent no text.")
                                : tr("The model sent no text (finish reason: %1).").arg(reason);
    return {};
}

void PlaygroundPane::updateCost(const PaneRunResult& result)
{
    m_result.costUsd = result.costUsd;
    m_result.costFromServer = result.costFromServer;
    showMetrics();
}

void PlaygroundPane::showMetrics()
{
    m_metrics->setText(formatRunMetrics(m_result));
}

QString PlaygroundPane::answerText() const
{
    return m_answer->toPlainText();
}

QScrollBar* PlaygroundPane::answerScrollBar() const
{
    return m_answer->verticalScrollBar();
}

} // namespace spindle::ui
