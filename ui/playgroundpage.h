#pragma once

#include "core/chatrequest.h"
#include "core/chattrace.h"
#include "core/pricetable.h"
#include "net/inferenceclient.h"
#include "net/traceclient.h"
#include "ui/playgroundpane.h"
#include "widgets/textprompt.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QPointer>
#include <QWidget>

class QCheckBox;
class QDialog;
class QGridLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QToolButton;

namespace spindle::ui {

class MessageListEditor;
class PlaygroundLogger;
class ProviderStore;

// The playground: one prompt sent to 1–6 models side by side. Each pane streams its answer from
// its provider (W&B Inference, OpenAI, any OpenAI-compatible server) through the InferenceClient;
// every run is logged as a call in the open project unless logging is switched off; a summary
// table compares latency, tokens and cost, also over "Run N times".
class PlaygroundPage : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kMaxPanes = 6;

    PlaygroundPage(net::TraceClient* traceClient, ProviderStore* providers,
        net::InferenceClient* inference = nullptr, QWidget* parent = nullptr);
    ~PlaygroundPage() override;

    void setProject(const QString& projectId);
    // Panes for `models` of one provider (the catalog's "Compare N models").
    void compareModels(const QString& provider, const QStringList& models);
    // "Open in playground": the call's model, messages and settings into the first pane.
    void openRequest(const ChatRequest& request);

    PlaygroundPane* addPane(const QString& provider = {}, const QString& model = {});
    void removePane(PlaygroundPane* pane);
    QVector<PlaygroundPane*> panes() const
    {
        return m_panes;
    }
    MessageListEditor* conversation() const
    {
        return m_messages;
    }
    void setComposerText(const QString& text);
    // Sends the composer's text (if any) as a user message to every pane; Ctrl+Enter.
    void send();
    void stopAll();
    void setLoggingEnabled(bool enabled);
    bool busy() const
    {
        return !m_runs.isEmpty();
    }
    QTableWidget* summaryTable() const
    {
        return m_summary;
    }
    // A word diff of two panes' answers (by index) in a non-modal window, which it returns.
    QDialog* showDiff(int first, int second);
    void setRepeatCount(int runs); // "Run × N"
    void reloadPrices(); // after the project's prices changed (estimates when logging is off)
    // Stores the pane's provider, model, settings and system prompt under `name` in the project
    // (one object, SpindlePlaygroundPresets, a new version per save); `reply` hears how it ended.
    void savePresetAs(PlaygroundPane* pane, const QString& name, widgets::PromptReply reply = {});
    void applyPreset(PlaygroundPane* pane, const QString& name);
    void editProviders(); // the providers dialog (modal)
    QStringList presetNames() const
    {
        return m_presets.keys();
    }

Q_SIGNALS:
    void roundFinished(); // every pane of a round ended (for "Run N times" and tests)
    void runLogged(const QString& callId);
    void presetsChanged();
    void catalogRequested();
    // The prices its estimates use changed: the project's custom prices arrived or were cleared.
    void pricesLoaded(const spindle::PriceTable& prices);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct ActiveRun
    {
        net::InferenceClient::RequestId request = 0;
        PlaygroundRun log;
        bool logging = false;
        int sharedCount = 0; // shared messages the run answered
        quint64 serial = 0; // which run this is: a provider resolved for an earlier one is dropped
        quint64 series = 0; // the Send it belongs to (m_series): a later one does not take its answer
    };
    QJsonArray conversationFor(PlaygroundPane* pane) const;
    // A run that will not finish (its pane removed, the page closing): the request is cancelled and
    // its logged call ended with `why`, so no call stays "running" in the project for ever (at the
    // app's exit, AppSession lets the /call/end out: TraceClient::finishPosts).
    void abandonRun(PlaygroundPane* pane, const QString& why);
    QWidget* buildToolbar();
    QWidget* buildComposer();
    void layoutPanes();
    void startSeries(); // results start over: see m_series
    void startRound();
    void endRound(); // every pane of the round has ended: the next round of Run × N, if any
    void startPaneRun(PlaygroundPane* pane, const net::InferenceProvider& provider);
    void finishPaneRun(PlaygroundPane* pane, const ChatOutcome& outcome);
    void stopPane(PlaygroundPane* pane);
    void refreshModels(PlaygroundPane* pane);
    void updateSummary();
    void updateActions();
    void syncScrolling(bool on);
    void chooseDiff();
    void loadPresets();
    void savePreset(PlaygroundPane* pane);
    void savePendingPresets();
    struct PresetSave
    {
        QJsonObject adding; // name -> preset
        QList<widgets::PromptReply> replies;
    };
    void writePresets(const QString& project, const QJsonObject& presets, const PresetSave& save);
    void presetSaveEnded(const PresetSave& save, const QString& error);

    net::TraceClient* m_traceClient;
    ProviderStore* m_providers;
    net::InferenceClient* m_inference;
    PlaygroundLogger* m_logger;
    MessageListEditor* m_messages;
    QWidget* m_paneArea;
    QGridLayout* m_grid;
    QVector<PlaygroundPane*> m_panes;
    QPlainTextEdit* m_composer;
    QPushButton* m_send;
    QPushButton* m_stop;
    QToolButton* m_addPane;
    QToolButton* m_diff;
    QCheckBox* m_sync;
    QCheckBox* m_logRuns;
    QSpinBox* m_repeat;
    QLabel* m_note;
    QTableWidget* m_summary;
    QString m_projectId;
    QHash<PlaygroundPane*, ActiveRun> m_runs;
    QHash<PlaygroundPane*, QVector<PaneRunResult>> m_history; // results of the current series
    // Each pane's own answers, keyed by the number of shared messages they answered: a pane's
    // conversation goes on with its own replies until one is "used" for all.
    QHash<PlaygroundPane*, QMap<int, QJsonObject>> m_replies;
    int m_roundsLeft = 0;
    quint64 m_runSerial = 0; // ActiveRun::serial of the last run started
    // Bumped when the conversation's results start over (Send, Compare, Open in playground): a
    // stopped run's late outcome and a logged run's late cost then stay out of the new ones.
    quint64 m_series = 0;
    QJsonObject m_presets; // name -> {provider, model, settings, system_prompt}
    QHash<QString, PresetSave> m_pendingPresets; // by project: asked for while a save was under way
    bool m_savingPresets = false;
    net::TraceClient::RequestId m_presetsLoad = 0; // the presets' read under way
    net::TraceClient::RequestId m_pricesLoad = 0; // the project's prices' read under way
    PriceTable m_prices; // the shipped table once loaded (on a worker), with the project's prices
    bool m_defaultPricesLoaded = false;
    QList<QMetaObject::Connection> m_syncConnections;
    QHash<QString, QStringList> m_modelLists; // by provider name, from GET /models
    QHash<QString, QVector<QPointer<PlaygroundPane>>> m_modelWaiters; // panes waiting for a list
};

} // namespace spindle::ui
