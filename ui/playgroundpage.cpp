#include "ui/playgroundpage.h"

#include "models/callcomparison.h"
#include "ui/defaultprices.h"
#include "ui/messagelisteditor.h"
#include "ui/playgroundlogger.h"
#include "ui/providersdialog.h"
#include "ui/providerstore.h"
#include "widgets/remember.h"

#include <QCheckBox>
#include <QDialog>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

namespace spindle::ui {

using namespace Qt::StringLiterals;

PlaygroundPage::PlaygroundPage(
    net::TraceClient* traceClient, ProviderStore* providers, net::InferenceClient* inference, QWidget* parent)
    : QWidget(parent)
    , m_traceClient(traceClient)
    , m_providers(providers)
    , m_inference(inference ? inference : new net::InferenceClient(this))
    , m_logger(new PlaygroundLogger(traceClient, this))
    , m_messages(new MessageListEditor(this))
    , m_paneArea(new QWidget(this))
    , m_grid(new QGridLayout(m_paneArea))
    , m_composer(new QPlainTextEdit(this))
    , m_send(new QPushButton(tr("Send to all"), this))
    , m_stop(new QPushButton(tr("Stop"), this))
    , m_addPane(new QToolButton(this))
    , m_diff(new QToolButton(this))
    , m_sync(new QCheckBox(tr("Sync scroll"), this))
    , m_logRuns(new QCheckBox(tr("Log runs to the project"), this))
    , m_repeat(new QSpinBox(this))
    , m_note(new QLabel(this))
    , m_summary(new QTableWidget(this))
{
    loadDefaultPrices(this, [this](const PriceTable& defaults) {
        PriceTable table = defaults;
        table.setCustomPrices(m_prices.customPrices()); // they may have come first
        m_prices = table;
        m_defaultPricesLoaded = true;
        Q_EMIT pricesLoaded(m_prices);
    });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(buildToolbar());
    auto* body = new QSplitter(Qt::Horizontal, this);
    body->addWidget(m_messages);
    auto* right = new QSplitter(Qt::Vertical, body);
    auto* scroll = new QScrollArea(right);
    scroll->setWidgetResizable(true);
    scroll->setWidget(m_paneArea);
    scroll->viewport()->installEventFilter(this); // re-flow the grid when the area resizes
    right->addWidget(scroll);
    m_summary->setColumnCount(9);
    m_summary->setHorizontalHeaderLabels({ tr("Model"), tr("Provider"), tr("Status"), tr("First token"),
        tr("Latency"), tr("Tok/s"), tr("Prompt"), tr("Completion"), tr("Cost") });
    m_summary->horizontalHeader()->setStretchLastSection(true);
    m_summary->verticalHeader()->hide();
    m_summary->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_summary->setToolTip(tr("One row per pane; after Run N times: mean (min–max) over the runs"));
    right->addWidget(m_summary);
    right->setStretchFactor(0, 4);
    right->setStretchFactor(1, 1);
    right->setSizes({ 600, 130 });
    body->addWidget(right);
    body->setStretchFactor(0, 1);
    body->setStretchFactor(1, 4);
    body->setSizes({ 280, 1100 });
    widgets::rememberSplitter(body, QStringLiteral("layout/playground/body"));
    widgets::rememberSplitter(right, QStringLiteral("layout/playground/panes"));
    layout->addWidget(body, 1);
    layout->addWidget(buildComposer());
    connect(m_logger, &PlaygroundLogger::logFailed, m_note, &QLabel::setText);
    connect(m_logger, &PlaygroundLogger::runLogged, this, &PlaygroundPage::runLogged);
    connect(m_messages, &MessageListEditor::retryFromRequested, this, &PlaygroundPage::send);
    connect(m_messages, &MessageListEditor::changed, this, [this] {
        // Answers to messages that were edited away no longer belong to any conversation.
        const int shared = int(m_messages->messages().size());
        for (auto& replies : m_replies)
            replies.removeIf([shared](const auto& entry) { return entry.key() > shared; });
    });
    connect(m_providers, &ProviderStore::changed, this, [this] {
        m_modelLists.clear(); // a provider's URL or key may have changed
        for (PlaygroundPane* pane : m_panes)
            pane->setProviders(m_providers->names());
    });
    addPane();
}

PlaygroundPage::~PlaygroundPage()
{
    for (PlaygroundPane* pane : m_runs.keys())
        abandonRun(pane, tr("Cancelled: the Playground was closed before the answer ended"));
}

QWidget* PlaygroundPage::buildToolbar()
{
    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    auto* providers = new QToolButton(bar);
    providers->setText(tr("Providers…"));
    providers->setToolTip(tr("W&B Inference, OpenAI and your OpenAI-compatible servers (Ollama, vLLM, …)"));
    connect(providers, &QToolButton::clicked, this, &PlaygroundPage::editProviders);
    auto* catalog = new QToolButton(bar);
    catalog->setText(tr("Model catalog"));
    catalog->setToolTip(tr("Browse W&B Inference models and compare several of them"));
    connect(catalog, &QToolButton::clicked, this, &PlaygroundPage::catalogRequested);
    m_addPane->setText(tr("+ Pane"));
    m_addPane->setToolTip(tr("Add a model pane (up to %1; Ctrl+Shift+N)").arg(kMaxPanes));
    connect(m_addPane, &QToolButton::clicked, this, [this] { addPane(); });
    auto* addPaneKey =
        new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), this, [this] { addPane(); });
    addPaneKey->setWhatsThis(tr("Add a model pane"));
    m_diff->setText(tr("Diff…"));
    m_diff->setToolTip(tr("Word diff of two panes' answers"));
    connect(m_diff, &QToolButton::clicked, this, &PlaygroundPage::chooseDiff);
    m_sync->setToolTip(tr("Scroll all answers together"));
    connect(m_sync, &QCheckBox::toggled, this, &PlaygroundPage::syncScrolling);
    m_repeat->setRange(1, 20);
    m_repeat->setPrefix(tr("Run × "));
    m_repeat->setToolTip(
        tr("Send the same messages N times to see the variance of latency, tokens and cost"));
    m_logRuns->setChecked(true);
    m_logRuns->setToolTip(tr("Log every run as an openai.chat.completions.create call in the open project, "
                             "so it shows in the calls table and the cost dashboard"));
    for (QWidget* w :
        std::initializer_list<QWidget*> { providers, catalog, m_addPane, m_diff, m_sync, m_repeat })
        row->addWidget(w);
    row->addStretch(1);
    m_note->setStyleSheet(u"color: #8a6d00"_s);
    row->addWidget(m_note);
    row->addWidget(m_logRuns);
    return bar;
}

QWidget* PlaygroundPage::buildComposer()
{
    auto* box = new QWidget(this);
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    m_composer->setPlaceholderText(tr("Message to every pane… (Ctrl+Enter sends, Esc stops)"));
    m_composer->setMaximumHeight(80);
    row->addWidget(m_composer, 1);
    auto* buttons = new QVBoxLayout;
    m_send->setToolTip(tr("Send to every pane (Ctrl+Enter)"));
    m_stop->setToolTip(tr("Stop every pane (Esc)"));
    buttons->addWidget(m_send);
    buttons->addWidget(m_stop);
    row->addLayout(buttons);
    connect(m_send, &QPushButton::clicked, this, &PlaygroundPage::send);
    connect(m_stop, &QPushButton::clicked, this, &PlaygroundPage::stopAll);
    for (const auto key : { Qt::Key_Return, Qt::Key_Enter }) {
        auto* sendKey = new QShortcut(QKeySequence(Qt::CTRL | key), this, [this] { send(); });
        sendKey->setWhatsThis(tr("Send the message to every pane"));
    }
    auto* stopKey = new QShortcut(QKeySequence(Qt::Key_Escape), this, [this] { stopAll(); });
    stopKey->setWhatsThis(tr("Stop every pane's answer"));
    updateActions();
    return box;
}

PlaygroundPane* PlaygroundPage::addPane(const QString& provider, const QString& model)
{
    if (m_panes.size() >= kMaxPanes)
        return nullptr;
    auto* pane = new PlaygroundPane(m_paneArea);
    pane->setProviders(m_providers->names());
    const QString previous = m_panes.isEmpty() ? QString() : m_panes.last()->providerName();
    pane->setProviderName(!provider.isEmpty() ? provider
            : !previous.isEmpty()             ? previous
                                              : ProviderStore::kWandbName);
    pane->setModel(model);
    pane->setPresetNames(m_presets.keys());
    connect(pane, &PlaygroundPane::providerChanged, this, [this, pane] { refreshModels(pane); });
    connect(pane, &PlaygroundPane::stopRequested, this, [this, pane] { stopPane(pane); });
    connect(pane, &PlaygroundPane::removeRequested, this, [this, pane] { removePane(pane); });
    connect(pane, &PlaygroundPane::useAnswerRequested, this, [this](const QJsonObject& message) {
        if (!m_runs.isEmpty()) { // the running answers reply to the conversation as it was sent
            m_note->setText(tr("Wait for the other answers, or stop them, before using one."));
            return;
        }
        m_messages->appendMessage(message);
        // A provider takes an answer with tool calls only when a tool message answers each call.
        const QJsonArray calls = message.value("tool_calls"_L1).toArray();
        for (const QJsonValue& call : calls)
            m_messages->appendMessage(QJsonObject { { u"role"_s, u"tool"_s },
                { u"tool_call_id"_s, call.toObject().value("id"_L1).toString() },
                { u"content"_s, QString() } });
        if (!calls.isEmpty())
            m_note->setText(
                tr("Added the tool calls and an empty result for each: double-click a tool message to "
                   "write its result, then send."));
    });
    connect(pane, &PlaygroundPane::savePresetRequested, this, [this, pane] { savePreset(pane); });
    connect(pane, &PlaygroundPane::presetChosen, this,
        [this, pane](const QString& name) { applyPreset(pane, name); });
    m_panes.append(pane);
    refreshModels(pane);
    layoutPanes();
    syncScrolling(m_sync->isChecked());
    updateActions();
    return pane;
}

void PlaygroundPage::removePane(PlaygroundPane* pane)
{
    if (m_panes.size() <= 1 || !m_panes.contains(pane))
        return;
    const bool running = m_runs.contains(pane);
    if (running)
        abandonRun(pane, tr("Cancelled: its pane was removed from the Playground before the answer ended"));
    m_panes.removeOne(pane);
    m_history.remove(pane);
    m_replies.remove(pane);
    pane->hide(); // now, not when the event loop deletes it: a grab or a frame before that shows it
    pane->deleteLater();
    layoutPanes();
    updateSummary();
    if (running && m_runs.isEmpty()) // it was the round's last: the next round (Run × N) goes on
        endRound();
    updateActions();
}

void PlaygroundPage::layoutPanes()
{
    while (m_grid->count() > 0)
        m_grid->takeAt(0);
    // As many columns as fit at a readable width; the rest wrap into a grid.
    const QWidget* viewport = m_paneArea->parentWidget();
    const int fit = qMax(1, (viewport ? viewport->width() : width()) / 280);
    const int columns = qMin(int(m_panes.size()), fit);
    for (int i = 0; i < m_panes.size(); ++i)
        m_grid->addWidget(m_panes[i], i / columns, i % columns);
    for (int c = 0; c < kMaxPanes; ++c)
        m_grid->setColumnStretch(c, c < columns ? 1 : 0);
}

bool PlaygroundPage::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::Resize && watched != m_paneArea)
        layoutPanes();
    return QWidget::eventFilter(watched, event);
}

void PlaygroundPage::setComposerText(const QString& text)
{
    m_composer->setPlainText(text);
}

void PlaygroundPage::setLoggingEnabled(bool enabled)
{
    m_logRuns->setChecked(enabled);
}

void PlaygroundPage::updateActions()
{
    m_addPane->setEnabled(m_panes.size() < kMaxPanes);
    m_diff->setEnabled(m_panes.size() >= 2);
    m_stop->setEnabled(!m_runs.isEmpty());
    m_send->setEnabled(m_runs.isEmpty());
    m_messages->setEditable(m_runs.isEmpty());
}

void PlaygroundPage::syncScrolling(bool on)
{
    for (const auto& connection : std::as_const(m_syncConnections))
        disconnect(connection);
    m_syncConnections.clear();
    if (!on)
        return;
    for (PlaygroundPane* source : std::as_const(m_panes)) {
        QScrollBar* bar = source->answerScrollBar();
        m_syncConnections << connect(bar, &QScrollBar::valueChanged, this, [this, bar](int value) {
            const double fraction = bar->maximum() > 0 ? double(value) / bar->maximum() : 0;
            for (PlaygroundPane* other : std::as_const(m_panes)) {
                QScrollBar* target = other->answerScrollBar();
                if (target == bar)
                    continue;
                const QSignalBlocker block(target); // no echo back to the source
                target->setValue(qRound(fraction * target->maximum()));
            }
        });
    }
}

void PlaygroundPage::chooseDiff()
{
    if (m_panes.size() < 2)
        return;
    QStringList names;
    for (int i = 0; i < m_panes.size(); ++i)
        names << tr("%1: %2").arg(i + 1).arg(m_panes[i]->model());
    bool ok = false;
    const QString first = QInputDialog::getItem(this, tr("Diff"), tr("First pane"), names, 0, false, &ok);
    if (!ok)
        return;
    const QString second = QInputDialog::getItem(this, tr("Diff"), tr("Second pane"), names, 1, false, &ok);
    if (!ok)
        return;
    showDiff(int(names.indexOf(first)), int(names.indexOf(second)));
}

QDialog* PlaygroundPage::showDiff(int first, int second)
{
    if (first < 0 || second < 0 || first >= m_panes.size() || second >= m_panes.size())
        return nullptr;
    const auto* a = m_panes[first];
    const auto* b = m_panes[second];
    QString html;
    for (const auto& segment : models::wordDiff(a->answerText(), b->answerText())) {
        const QString text = segment.text.toHtmlEscaped().replace(u'\n', u"<br>"_s);
        if (segment.op == models::DiffSegment::Equal)
            html += text;
        else if (segment.op == models::DiffSegment::Delete)
            html += u"<span style='background:#fdd;text-decoration:line-through'>%1</span>"_s.arg(text);
        else
            html += u"<span style='background:#dfd'>%1</span>"_s.arg(text);
    }
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("%1 → %2").arg(a->model(), b->model()));
    auto* view = new QTextBrowser(dialog);
    view->setHtml(html);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(
        new QLabel(tr("Red: only in %1 · green: only in %2").arg(a->model(), b->model()), dialog));
    layout->addWidget(view);
    dialog->resize(700, 500);
    dialog->show();
    return dialog;
}

void PlaygroundPage::editProviders()
{
    ProvidersDialog dialog(m_providers, m_inference, this);
    dialog.exec();
}

} // namespace spindle::ui
