#include "ui/calldetailpanel.h"

#include "core/weaveref.h"
#include "models/callstablemodel.h"
#include "models/chatmessages.h"
#include "ui/codehighlighter.h"
#include "ui/feedbackpanel.h"
#include "ui/refdialog.h"
#include "ui/summaryhtml.h"
#include "widgets/chatview.h"
#include "widgets/imagestrip.h"
#include "widgets/jsonview.h"
#include "widgets/remember.h"
#include "widgets/statusdelegate.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBrowser>
#include <QToolBar>
#include <QVBoxLayout>

namespace spindle::ui {

namespace {

// The call's name: elided (the full name is in the tool tip) when the pane is narrower than it,
// so a long op name does not widen the detail pane and squeeze the table.
class ElidedTitle : public QLabel
{
public:
    using QLabel::QLabel;
    QSize minimumSizeHint() const override
    {
        // Up to ~24 characters stay in sight; the tool bar beside it folds first.
        const int width =
            std::min(fontMetrics().horizontalAdvance(text()), fontMetrics().averageCharWidth() * 24);
        return { width, QLabel::minimumSizeHint().height() };
    }

protected:
    void paintEvent(QPaintEvent* event) override
    {
        const QRect rect = contentsRect();
        if (fontMetrics().horizontalAdvance(text()) <= rect.width()) {
            QLabel::paintEvent(event); // fits: the label draws it (and its selection)
            return;
        }
        QPainter painter(this);
        painter.drawText(rect, Qt::AlignLeft | Qt::AlignVCenter,
            fontMetrics().elidedText(text(), Qt::ElideRight, rect.width()));
    }
};

} // namespace

CallDetailPanel::CallDetailPanel(net::TraceClient* client, QWidget* parent)
    : QWidget(parent)
    , m_client(client)
    , m_title(new ElidedTitle(this))
    , m_meta(new QLabel(this))
    , m_empty(new QLabel(tr("Select a call to see its inputs, output, cost and code."), this))
    , m_tabs(new QTabWidget(this))
    , m_chat(new widgets::ChatView(this))
    , m_images(new widgets::ImageStrip(this))
    , m_inputs(new widgets::JsonView(this))
    , m_output(new widgets::JsonView(this))
    , m_summary(new QTextBrowser(this))
    , m_code(new QPlainTextEdit(this))
    , m_codeInfo(new QLabel(this))
    , m_attributes(new widgets::JsonView(this))
    , m_exception(new QPlainTextEdit(this))
    , m_feedback(new FeedbackPanel(client, this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 4, 4);
    m_header = buildHeader();
    layout->addWidget(m_header);
    m_tabs->addTab(buildCallTab(), tr("Call"));
    m_tabs->addTab(m_summary, tr("Summary"));
    auto* code = new QWidget(this);
    auto* codeLayout = new QVBoxLayout(code);
    codeLayout->setContentsMargins(0, 0, 0, 0);
    m_codeInfo->setTextFormat(Qt::PlainText); // op names and versions are the trace's text
    codeLayout->addWidget(m_codeInfo);
    codeLayout->addWidget(m_code, 1);
    m_tabs->addTab(code, tr("Code"));
    m_tabs->addTab(m_attributes, tr("Attributes"));
    m_tabs->addTab(m_exception, tr("Exception ●"));
    m_tabs->setTabToolTip(ExceptionTab, tr("The exception this call raised"));
    m_tabs->addTab(m_feedback, tr("Feedback"));
    for (QPlainTextEdit* edit : { m_code, m_exception }) {
        edit->setReadOnly(true);
        edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    }
    new CodeHighlighter(m_code->document());
    m_inputs->setEmptyText(tr("No inputs"));
    m_attributes->setEmptyText(tr("No attributes"));
    // A weave:/// ref (Enter or a double-click on it): the object or op it names, or the call.
    for (widgets::JsonView* view : { m_inputs, m_output, m_attributes })
        connect(view, &widgets::JsonView::refActivated, this, &CallDetailPanel::openRef);
    m_summary->setOpenLinks(false);
    layout->addWidget(m_tabs, 1);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true); // its width must not widen the detail pane
    m_empty->setStyleSheet(QStringLiteral("color: #777;"));
    layout->addWidget(m_empty, 1);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int tab) {
        if (tab == CodeTab)
            loadCode();
    });
    clear();
}

QWidget* CallDetailPanel::buildHeader()
{
    auto* header = new QWidget(this);
    auto* column = new QVBoxLayout(header);
    column->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout;
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextFormat(Qt::PlainText); // a call's name is the trace's text, never markup
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row->addWidget(m_title);
    // The actions in a tool bar: on a narrow pane the ones that do not fit fold into its ">>" menu
    // instead of widening the pane (a row of six buttons held it at ~640 px).
    auto* tools = new QToolBar(header);
    tools->setToolButtonStyle(Qt::ToolButtonTextOnly);
    // The name takes what it needs first (down to ~24 characters); the tool bar gets the rest.
    tools->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    row->addWidget(tools, 1);
    const auto addAction = [&](const QString& text, const QString& tip, auto slot) {
        QAction* action = tools->addAction(text);
        action->setToolTip(tip);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    // Actions fold from the end: the ones only some calls have come first.
    m_parent = addAction(
        tr("Parent"), tr("Open the parent call"), [this] { Q_EMIT openCallRequested(m_call.parentId); });
    m_playground = addAction(tr("Playground"), tr("Open these messages in the playground"), [this] {
        if (m_playgroundAvailable) {
            Q_EMIT openInPlaygroundRequested(m_call);
            return;
        }
        QJsonObject request { { QStringLiteral("messages"),
            m_call.inputs.value(QLatin1String("messages")) } };
        if (m_call.inputs.contains(QLatin1String("model")))
            request.insert(QStringLiteral("model"), m_call.inputs.value(QLatin1String("model")));
        if (m_call.inputs.contains(QLatin1String("system")))
            request.insert(QStringLiteral("system"), m_call.inputs.value(QLatin1String("system")));
        copy(QString::fromUtf8(QJsonDocument(request).toJson(QJsonDocument::Indented)), tr("the messages"));
    });
    addAction(tr("Rename"), tr("Set the display name (F2 in the table)"), &CallDetailPanel::rename);
    addAction(
        tr("Delete"), tr("Delete this call and its descendants"), &CallDetailPanel::deleteWithDescendants);
    addAction(tr("Copy ID"), tr("Copy the call id"), [this] { copy(m_call.id, tr("call id")); });
    addAction(tr("Copy ref"), tr("Copy the weave:/// ref of this call"), [this] {
        copy(QString::fromStdString(callRefUri(m_projectId.toStdString(), m_call.id.toStdString())),
            tr("call ref"));
    });
    tools->setMinimumWidth(tools->minimumSizeHint().width()); // its ">>" stays reachable
    column->addLayout(row);
    m_meta->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_meta->setWordWrap(true);
    column->addWidget(m_meta);
    return header;
}

QWidget* CallDetailPanel::buildCallTab()
{
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_images);
    splitter->addWidget(m_chat);
    const auto labelled = [&](const QString& title, QWidget* body) {
        auto* box = new QWidget(splitter);
        auto* layout = new QVBoxLayout(box);
        layout->setContentsMargins(0, 4, 0, 0);
        layout->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(title), box));
        layout->addWidget(body, 1);
        return box;
    };
    splitter->addWidget(labelled(tr("Inputs"), m_inputs));
    splitter->addWidget(labelled(tr("Output"), m_output));
    splitter->setChildrenCollapsible(false);
    widgets::rememberSplitter(splitter, QStringLiteral("layout/detail/call"));
    return splitter;
}

void CallDetailPanel::setPlaygroundAvailable(bool available)
{
    m_playgroundAvailable = available;
    render();
}

void CallDetailPanel::clear()
{
    if (m_readRequest)
        m_client->cancel(m_readRequest);
    m_readRequest = 0;
    m_call = {};
    m_loaded = false;
    m_header->hide();
    m_tabs->hide();
    m_empty->show();
}

void CallDetailPanel::showCall(const QString& projectId, const spindle::Call& call)
{
    const bool sameCall = call.id == m_call.id && projectId == m_projectId;
    // Live mode refreshed the call's trace and the call has ended since it was read: read it again.
    const bool endedSince = sameCall && call.endedAtMs != m_call.endedAtMs;
    m_projectId = projectId;
    // The same call again (its trace view selecting it, or a live refresh of its trace): what the
    // user expanded, searched or scrolled in its detail stays as it is.
    if (sameCall && !endedSince && m_loaded && m_header->isVisibleTo(this))
        return;
    // Also while its full read is on its way (each build of a trace streaming in selects it again):
    // starting the read over kept a slow server's answer from ever coming.
    if (sameCall && !endedSince && m_readRequest && m_header->isVisibleTo(this))
        return;
    if (!sameCall) {
        m_call = call;
        m_loaded = false;
        m_codeLoadedFor.clear();
        m_loadError.clear(); // the last call's failed read says nothing about this one
        m_images->clear(); // the last call's pictures must not stand beside this one's values
        m_imagesLoadedFor.clear();
    }
    m_empty->hide();
    m_header->show();
    m_tabs->show();
    render();
    if (!sameCall || !m_loaded || endedSince)
        loadFullCall();
}

void CallDetailPanel::openRef(const QString& ref)
{
    QString error;
    if (RefDialog* dialog = openObjectRef(m_client, ref, this, &error)) {
        connect(dialog, &RefDialog::callRefActivated, this, &CallDetailPanel::openRef);
        return;
    }
    if (!error.isEmpty()) {
        Q_EMIT statusMessage(error);
        return;
    }
    const auto parsed = parseWeaveRef(ref.toStdString());
    if (parsed && QString::fromStdString(parsed->projectId()) == m_projectId)
        Q_EMIT openCallRequested(QString::fromStdString(parsed->name));
    else
        Q_EMIT statusMessage(tr("%1 is a call of another project").arg(ref));
}

} // namespace spindle::ui
