// The playground's runs: starting a round on every pane, finishing it (log, cost, summary),
// "Run N times", and the prices used for estimates. Presets: playgroundpage_presets.cpp.
#include "core/ids.h"
#include "ui/messagelisteditor.h"
#include "ui/playgroundlogger.h"
#include "ui/playgroundpage.h"
#include "ui/providerstore.h"

#include <QCheckBox>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QSpinBox>
#include <QTableWidget>

#include <algorithm>

namespace spindle::ui {

using namespace Qt::StringLiterals;

namespace {
QString newId()
{
    return QString::fromStdString(newUuid7());
}
} // namespace

// Also for the same project again: a new connection's server has its own presets and prices.
void PlaygroundPage::setProject(const QString& projectId)
{
    m_projectId = projectId;
    loadPresets();
    reloadPrices();
}

void PlaygroundPage::send()
{
    if (!m_runs.isEmpty())
        return;
    const QString text = m_composer->toPlainText().trimmed();
    if (!text.isEmpty()) {
        m_messages->appendMessage(u"user"_s, text);
        m_composer->clear();
    }
    if (m_messages->messages().isEmpty()) {
        m_note->setText(tr("Type a message first, then Ctrl+Enter."));
        return;
    }
    m_note->clear();
    startSeries();
    m_roundsLeft = m_repeat->value();
    startRound();
}

void PlaygroundPage::startSeries()
{
    ++m_series;
    m_history.clear();
}

void PlaygroundPage::startRound()
{
    --m_roundsLeft;
    for (PlaygroundPane* pane : std::as_const(m_panes)) {
        ActiveRun run;
        run.serial = ++m_runSerial;
        run.series = m_series;
        m_runs.insert(pane, run);
        pane->beginRun();
        QPointer<PlaygroundPane> guard(pane);
        // The key may take a while (the keychain): a run stopped meanwhile, and one started after it
        // on the same pane, must not both start from this answer.
        m_providers->resolve(this, pane->providerName(),
            [this, guard, serial = run.serial](const net::InferenceProvider& provider, const QString&) {
                if (guard && m_runs.contains(guard) && m_runs.value(guard).serial == serial)
                    startPaneRun(guard, provider);
            });
    }
    updateActions();
}

QJsonArray PlaygroundPage::conversationFor(PlaygroundPane* pane) const
{
    const QJsonArray shared = m_messages->messages();
    const QMap<int, QJsonObject> replies = m_replies.value(pane);
    QJsonArray all;
    const QString system = pane->systemPrompt().isEmpty() ? m_messages->systemPrompt() : pane->systemPrompt();
    if (!system.isEmpty())
        all.append(QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, system } });
    for (int i = 0; i < shared.size(); ++i) {
        all.append(shared.at(i));
        const bool nextIsAnswer = i + 1 < shared.size()
            && shared.at(i + 1).toObject().value("role"_L1).toString() == "assistant"_L1;
        if (i + 1 < shared.size() && !nextIsAnswer && replies.contains(i + 1))
            all.append(replies.value(i + 1));
    }
    return all;
}

static ChatOutcome failedBeforeStart(const QString& message)
{
    ChatOutcome outcome;
    outcome.status = ChatOutcome::Status::Failed;
    outcome.error = net::InferenceError { net::InferenceError::Kind::BadRequest, 0, message, 0 };
    return outcome;
}

void PlaygroundPage::startPaneRun(PlaygroundPane* pane, const net::InferenceProvider& provider)
{
    if (pane->model().isEmpty() || !provider.baseUrl.isValid() || provider.baseUrl.isEmpty()) {
        finishPaneRun(pane,
            failedBeforeStart(pane->model().isEmpty() ? tr("Choose a model for this pane.")
                                                      : m_providers->keyHelp(pane->providerName())));
        return;
    }
    ChatRequest request;
    request.model = pane->model();
    request.messages = conversationFor(pane);
    request.settings = pane->settings();
    // OpenAI's own API takes max_completion_tokens for every chat model, and its reasoning models
    // (o-series, gpt-5) refuse max_tokens.
    if (provider.baseUrl.host() == QLatin1String("api.openai.com"))
        request.settings.maxTokensAsCompletionTokens = true;
    ActiveRun& run = m_runs[pane];
    run.logging = m_logRuns->isChecked() && !m_projectId.isEmpty();
    run.sharedCount = int(m_messages->messages().size());
    // Logged for the whole project to see: never a password in the address.
    run.log = PlaygroundRun { m_projectId, newId(), newId(), provider.name,
        provider.baseUrl.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery), request,
        QDateTime::currentDateTimeUtc(), {}, {}, -1, -1, {}, {}, -1 };
    if (run.logging)
        m_logger->begin(run.log);
    QPointer<PlaygroundPane> guard(pane);
    run.request = m_inference->startChat(
        this, provider, request,
        [guard](const QVector<ChatDelta>& deltas, qint64) {
            if (guard)
                guard->appendDeltas(deltas);
        },
        [this, guard](const ChatOutcome& outcome) {
            if (guard)
                finishPaneRun(guard, outcome);
        });
}

// What the logged call's exception says: the error once (plainMessage already carries the
// server's words), or that the user stopped the answer, which is then partial.
static QString exceptionText(const ChatOutcome& outcome)
{
    if (!outcome.error)
        return outcome.status == ChatOutcome::Status::Stopped
            ? u"Stopped by the user before the answer ended; the output is partial"_s
            : QString();
    QString text = outcome.error->plainMessage();
    const QString status = QString::number(outcome.error->httpStatus);
    if (outcome.error->httpStatus > 0 && !text.contains(status))
        text += u" (HTTP %1)"_s.arg(status);
    return text;
}

void PlaygroundPage::abandonRun(PlaygroundPane* pane, const QString& why)
{
    ActiveRun run = m_runs.take(pane);
    m_inference->cancel(run.request);
    if (!run.logging)
        return;
    run.log.endedAt = QDateTime::currentDateTimeUtc();
    run.log.exception = why;
    m_logger->end(run.log, {});
}

void PlaygroundPage::finishPaneRun(PlaygroundPane* pane, const ChatOutcome& outcome)
{
    ActiveRun run = m_runs.take(pane);
    // A run stopped by Compare or Open in playground: its pane now stands for another conversation,
    // which neither its partial answer nor its numbers belong to (its call is still logged).
    const bool current = run.series == m_series;
    PaneRunResult result;
    result.model = run.log.request.model.isEmpty() ? pane->model() : run.log.request.model;
    result.provider = run.log.providerName.isEmpty() ? pane->providerName() : run.log.providerName;
    result.status = outcome.status;
    result.error = outcome.error ? outcome.error->plainMessage() : QString();
    result.timeToFirstTokenMs = outcome.timeToFirstTokenMs;
    result.latencyMs = outcome.latencyMs;
    result.usage = outcome.usage;
    const QString usageModel = outcome.responseModel.isEmpty() ? result.model : outcome.responseModel;
    const auto price = m_prices.priceFor(usageModel, run.log.startedAt);
    if (price && result.usage.known())
        result.costUsd = costOf(*price, result.usage.promptTokens, result.usage.completionTokens);
    if (current)
        pane->finishRun(outcome, result);
    else
        pane->clearRun();
    if (current && !outcome.choices.isEmpty() && !outcome.choices.first().content.isEmpty())
        m_replies[pane].insert(run.sharedCount,
            QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, outcome.choices.first().content } });
    if (current)
        m_history[pane].append(result);
    if (run.logging) { // failures too: they show in the calls table with their exception
        run.log.endedAt = QDateTime::currentDateTimeUtc();
        run.log.completion = outcome.choices.isEmpty() ? QJsonObject() : outcome.completion;
        run.log.promptTokens = outcome.usage.promptTokens;
        run.log.completionTokens = outcome.usage.completionTokens;
        run.log.usageModel = usageModel;
        run.log.exception = exceptionText(outcome);
        run.log.timeToFirstTokenMs = outcome.timeToFirstTokenMs;
        const int index = int(m_history.value(pane).size()) - 1; // a stale run's is never looked up
        QPointer<PlaygroundPane> guard(pane);
        m_logger->end(run.log, [this, guard, index, series = run.series](std::optional<double> cost) {
            if (!guard || !cost || series != m_series || index >= m_history.value(guard).size())
                return;
            PaneRunResult& logged = m_history[guard][index];
            logged.costUsd = cost;
            logged.costFromServer = true;
            if (index == m_history.value(guard).size() - 1)
                guard->updateCost(logged);
            updateSummary();
        });
    }
    updateSummary();
    if (!m_runs.isEmpty())
        return;
    endRound();
    updateActions();
}

void PlaygroundPage::endRound()
{
    Q_EMIT roundFinished();
    if (m_roundsLeft > 0)
        startRound();
}

void PlaygroundPage::stopPane(PlaygroundPane* pane)
{
    const auto it = m_runs.constFind(pane);
    if (it == m_runs.cend())
        return;
    if (it->request) {
        m_inference->stop(it->request); // the outcome arrives as Stopped with the partial answer
        return;
    }
    ChatOutcome stopped; // still resolving the provider's key: nothing was sent
    stopped.status = ChatOutcome::Status::Stopped;
    finishPaneRun(pane, stopped);
}

void PlaygroundPage::stopAll()
{
    m_roundsLeft = 0;
    const auto running = m_runs.keys();
    for (PlaygroundPane* pane : running)
        stopPane(pane);
}

// One GET /models per provider, however many panes use it: panes that ask while the list is
// on its way wait for the same answer; later panes get the kept list.
void PlaygroundPage::refreshModels(PlaygroundPane* pane)
{
    const QString name = pane->providerName();
    if (m_modelLists.contains(name)) {
        pane->setModelChoices(m_modelLists.value(name));
        return;
    }
    auto& waiting = m_modelWaiters[name];
    waiting.append(pane);
    if (waiting.size() > 1)
        return;
    m_providers->resolve(this, name, [this, name](const net::InferenceProvider& provider, const QString&) {
        if (provider.baseUrl.isEmpty()) {
            m_modelWaiters.remove(name);
            return;
        }
        m_inference->listModels(
            this, provider,
            [this, name](const QVector<net::ModelInfo>& models) {
                QStringList ids;
                for (const auto& model : models)
                    ids << model.id;
                ids.sort(Qt::CaseInsensitive);
                m_modelLists.insert(name, ids);
                for (const QPointer<PlaygroundPane>& waiter : m_modelWaiters.take(name))
                    if (waiter)
                        waiter->setModelChoices(ids);
            },
            [this, name](const net::InferenceError& error) {
                for (const QPointer<PlaygroundPane>& waiter : m_modelWaiters.take(name))
                    if (waiter) // the model can still be typed; say why the list is empty
                        waiter->setToolTip(tr("Model list unavailable: %1").arg(error.plainMessage()));
            });
    });
}

// "12.3" for one run; "12.3 (10.1–15.0)" as mean (min–max) over several.
static QString spread(const QVector<double>& values, int decimals, const QString& suffix = {})
{
    if (values.isEmpty())
        return u"—"_s;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    double sum = 0;
    for (double v : values)
        sum += v;
    const QString mean = QString::number(sum / double(values.size()), 'f', decimals) + suffix;
    if (values.size() == 1)
        return mean;
    return u"%1 (%2–%3)"_s.arg(
        mean, QString::number(*lo, 'f', decimals), QString::number(*hi, 'f', decimals));
}

void PlaygroundPage::updateSummary()
{
    m_summary->setRowCount(int(m_panes.size()));
    for (int row = 0; row < m_panes.size(); ++row) {
        PlaygroundPane* pane = m_panes[row];
        const QVector<PaneRunResult> runs = m_history.value(pane);
        QVector<double> ttft, latency, speed, prompt, completion, cost;
        int failed = 0;
        for (const PaneRunResult& r : runs) {
            failed += r.error.isEmpty() ? 0 : 1;
            if (r.timeToFirstTokenMs >= 0)
                ttft << double(r.timeToFirstTokenMs) / 1000.0;
            latency << double(r.latencyMs) / 1000.0;
            if (r.tokensPerSecond() > 0)
                speed << r.tokensPerSecond();
            if (r.usage.known()) {
                prompt << double(r.usage.promptTokens);
                completion << double(r.usage.completionTokens);
            }
            if (r.costUsd)
                cost << *r.costUsd * 1e6; // shown in µ$ so the spread stays readable
        }
        QString status = runs.isEmpty() ? tr("not run")
            : failed                    ? tr("%1 of %2 failed").arg(failed).arg(runs.size())
            : runs.size() == 1          ? tr("ok")
                                        : tr("%1 runs ok").arg(runs.size());
        if (!runs.isEmpty() && runs.last().status == ChatOutcome::Status::Stopped)
            status = tr("stopped");
        QString costText = spread(cost, 1, u" µ$"_s);
        if (cost.size() == 1)
            costText = formatUsd(cost.first() / 1e6);
        const QString model = runs.isEmpty() ? pane->model() : runs.last().model;
        const QString provider = runs.isEmpty() ? pane->providerName() : runs.last().provider;
        const QStringList cells { model, provider, status, spread(ttft, 2, u" s"_s),
            spread(latency, 2, u" s"_s), spread(speed, 1), spread(prompt, 0), spread(completion, 0),
            costText };
        for (int column = 0; column < cells.size(); ++column) {
            auto* item = new QTableWidgetItem(cells[column]);
            item->setToolTip(cells[column]);
            m_summary->setItem(row, column, item);
        }
        if (!runs.isEmpty() && !runs.last().error.isEmpty())
            m_summary->item(row, 2)->setToolTip(runs.last().error);
    }
    m_summary->resizeColumnsToContents();
}

void PlaygroundPage::compareModels(const QString& provider, const QStringList& models)
{
    stopAll();
    startSeries();
    m_replies.clear();
    const QStringList chosen = models.mid(0, kMaxPanes);
    while (m_panes.size() > qMax(1, int(chosen.size())))
        removePane(m_panes.last());
    for (int i = 0; i < chosen.size(); ++i) {
        PlaygroundPane* pane = i < m_panes.size() ? m_panes[i] : addPane(provider, chosen[i]);
        pane->setProviderName(provider);
        pane->setModel(chosen[i]);
    }
    updateSummary();
}

// The provider a logged model most likely came from: W&B Inference serves "org/Model" ids.
static QString guessProvider(const QString& model, const QStringList& names)
{
    if (model.contains(u'/') && names.contains(ProviderStore::kWandbName))
        return ProviderStore::kWandbName;
    static const QStringList openAiPrefixes { u"gpt-"_s, u"o1"_s, u"o3"_s, u"o4"_s, u"chatgpt"_s };
    for (const QString& prefix : openAiPrefixes)
        if (model.startsWith(prefix) && names.contains(ProviderStore::kOpenAIName))
            return ProviderStore::kOpenAIName;
    return {};
}

void PlaygroundPage::openRequest(const ChatRequest& request)
{
    stopAll();
    startSeries();
    m_replies.clear();
    QJsonArray messages = request.messages;
    QString system;
    while (!messages.isEmpty() && messages.first().toObject().value("role"_L1).toString() == "system"_L1)
        system += (system.isEmpty() ? QString() : u"\n"_s)
            + messageEditableText(messages.takeAt(0).toObject()); // string or text parts
    m_messages->setSystemPrompt(system);
    m_messages->setMessages(messages);
    PlaygroundPane* pane = m_panes.first();
    const QString provider = guessProvider(request.model, m_providers->names());
    if (!provider.isEmpty())
        pane->setProviderName(provider);
    pane->setModel(request.model);
    pane->setSettings(request.settings);
    for (PlaygroundPane* each : std::as_const(m_panes)) // their answers were to another conversation
        each->clearRun();
    updateSummary();
    m_note->setText(tr("Loaded the call's %1 messages. Ctrl+Enter runs them.").arg(messages.size()));
}

void PlaygroundPage::reloadPrices()
{
    m_prices.setCustomPrices({});
    if (m_defaultPricesLoaded)
        Q_EMIT pricesLoaded(m_prices);
    m_traceClient->cancel(m_pricesLoad); // an answer for an earlier project, or another server
    m_pricesLoad = 0;
    if (m_projectId.isEmpty())
        return;
    const QString project = m_projectId;
    const auto request = m_traceClient->post(this, u"/cost/query"_s,
        QJsonObject { { u"project_id"_s, project } }, [this, project](const QJsonObject& answer) {
            if (project != m_projectId)
                return;
            m_prices.setCustomPrices(PriceTable::parseCostQuery(answer));
            if (m_defaultPricesLoaded)
                Q_EMIT pricesLoaded(m_prices);
        });
    m_traceClient->setQuiet(request); // estimates then use the default table only
    m_pricesLoad = request;
}

void PlaygroundPage::setRepeatCount(int runs)
{
    m_repeat->setValue(runs);
}

} // namespace spindle::ui
