#pragma once

#include "core/chatrequest.h"
#include "net/inferenceclient.h"

#include <QFrame>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QScrollBar;
class QToolButton;

namespace spindle::ui {

using net::ChatOutcome;

// What one run of a pane measured, for the pane's footer and the summary table.
struct PaneRunResult
{
    QString model; // as the run asked for it: the pane's choice may have changed since
    QString provider;
    ChatOutcome::Status status = ChatOutcome::Status::Completed;
    QString error; // plain words; empty when the run completed
    qint64 timeToFirstTokenMs = -1;
    qint64 latencyMs = 0;
    ChatUsage usage;
    std::optional<double> costUsd;
    bool costFromServer = false; // read back from the logged call, not estimated locally
    double tokensPerSecond() const;
};

// One model of the playground: provider, model and settings at the top, the streamed answer in
// the middle, and what the run measured at the bottom. Passive about the network: the page
// starts runs and feeds the pane deltas and outcomes.
class PlaygroundPane : public QFrame
{
    Q_OBJECT
public:
    explicit PlaygroundPane(QWidget* parent = nullptr);

    void setProviders(const QStringList& names);
    QString providerName() const;
    void setProviderName(const QString& name);
    QString model() const;
    void setModel(const QString& model);
    void setModelChoices(const QStringList& models);
    ChatSettings settings() const
    {
        return m_settings;
    }
    void setSettings(const ChatSettings& settings);
    QString systemPrompt() const
    {
        return m_systemPrompt;
    }
    void setSystemPrompt(const QString& prompt);
    void setPresetNames(const QStringList& names);

    void beginRun();
    void appendDeltas(const QVector<ChatDelta>& deltas);
    void finishRun(const ChatOutcome& outcome, const PaneRunResult& result);
    // The run ended but is no longer this pane's (Compare or Open in playground gave the pane another
    // conversation): nothing of it stays on show.
    void clearRun();
    void updateCost(const PaneRunResult& result);
    QString answerText() const;
    QScrollBar* answerScrollBar() const;
    const PaneRunResult& lastResult() const
    {
        return m_result;
    }

Q_SIGNALS:
    void providerChanged(const QString& provider);
    void stopRequested();
    void removeRequested();
    void useAnswerRequested(const QJsonObject& assistantMessage);
    void savePresetRequested();
    void presetChosen(const QString& name);

private:
    QWidget* buildHeader();
    void editSettings();
    QString finishNote(const ChatOutcome& outcome) const;
    void showMetrics();
    void showChoices(const ChatOutcome& outcome);

    QComboBox* m_provider;
    QComboBox* m_model;
    QToolButton* m_settingsButton;
    QToolButton* m_presets;
    QToolButton* m_stop;
    QToolButton* m_use;
    QJsonObject m_answerMessage; // the last run's first choice, for "Use"
    static QString idleHint();
    QToolButton* m_remove;
    QPlainTextEdit* m_reasoning;
    QPlainTextEdit* m_answer;
    QLabel* m_status;
    QLabel* m_metrics;
    ChatSettings m_settings;
    QString m_systemPrompt;
    PaneRunResult m_result;
};

QString formatRunMetrics(const PaneRunResult& result);
QString formatUsd(double usd);

} // namespace spindle::ui
