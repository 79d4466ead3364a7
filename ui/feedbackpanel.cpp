#include "ui/feedbackpanel.h"

#include "core/timeformat.h"
#include "core/weaveref.h"
#include "models/callformat.h"

#include <QAction>
#include <QDateTime>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace spindle::ui {
namespace {

constexpr qsizetype kMaxRowChars = 300;
constexpr qsizetype kMaxToolTipChars = 2000;

const char* const kReactions[] = { "👍", "👎", "❤️", "🎉", "👀" };

// The row of one feedback; `toolTip` gets the whole of a shortened payload.
QString describe(const QJsonObject& row, QString* toolTip)
{
    const QString type = row.value(QLatin1String("feedback_type")).toString();
    const QJsonObject payload = row.value(QLatin1String("payload")).toObject();
    const QString who =
        row.value(QLatin1String("creator")).toString(row.value(QLatin1String("wb_user_id")).toString());
    // The server's time is UTC; the calls table shows local time, and so does this list.
    const auto micros = parseIsoTime(row.value(QLatin1String("created_at")).toString().toStdString());
    const QString when = micros
        ? QLocale().toString(
            QDateTime::fromMSecsSinceEpoch(*micros / 1000).toLocalTime(), QLocale::ShortFormat)
        : row.value(QLatin1String("created_at")).toString();
    QString what;
    if (type == QLatin1String("wandb.reaction.1"))
        what = payload.value(QLatin1String("emoji")).toString();
    else if (type == QLatin1String("wandb.note.1"))
        what = QStringLiteral("📝 ") + payload.value(QLatin1String("note")).toString();
    else if (type.startsWith(QLatin1String("wandb.runnable.")))
        what = QStringLiteral("%1: %2").arg(type.mid(15),
            QString::fromUtf8(QJsonDocument(
                QJsonObject { { QStringLiteral("output"), payload.value(QLatin1String("output")) } })
                                  .toJson(QJsonDocument::Compact)));
    else
        what = QStringLiteral("%1: %2").arg(
            type, QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Compact)));
    // A custom payload may be up to 1 MiB: the row shows its start, the tool tip more.
    if (what.size() > kMaxRowChars && toolTip)
        *toolTip = models::plainToolTip(what.left(kMaxToolTipChars));
    if (what.size() > kMaxRowChars)
        what = what.left(kMaxRowChars) + QStringLiteral("…");
    return QStringLiteral("%1    — %2, %3").arg(what, who, when);
}

} // namespace

FeedbackPanel::FeedbackPanel(net::TraceClient* client, QWidget* parent)
    : QWidget(parent)
    , m_client(client)
    , m_list(new QListWidget(this))
    , m_note(new QLineEdit(this))
{
    auto* layout = new QVBoxLayout(this);
    auto* reactions = new QHBoxLayout;
    for (const char* emoji : kReactions) {
        auto* button = new QToolButton(this);
        button->setText(QString::fromUtf8(emoji));
        button->setToolTip(tr("React with %1").arg(QString::fromUtf8(emoji)));
        button->setAccessibleName(button->toolTip());
        connect(
            button, &QToolButton::clicked, this, [this, emoji] { addReaction(QString::fromUtf8(emoji)); });
        reactions->addWidget(button);
    }
    reactions->addStretch(1);
    layout->addLayout(reactions);
    auto* noteRow = new QHBoxLayout;
    m_note->setPlaceholderText(tr("Add a note (up to 1024 characters)"));
    m_note->setMaxLength(1024);
    auto* add = new QPushButton(tr("Add note"), this);
    connect(add, &QPushButton::clicked, this, [this] { addNote(m_note->text()); });
    connect(m_note, &QLineEdit::returnPressed, this, [this] { addNote(m_note->text()); });
    noteRow->addWidget(m_note, 1);
    noteRow->addWidget(add);
    layout->addLayout(noteRow);
    layout->addWidget(m_list, 1);
    m_list->setWordWrap(true); // a long row wraps: who and when stay in view, not off to the right
    auto* remove = new QAction(tr("Remove"), m_list);
    remove->setWhatsThis(tr("Remove the selected feedback"));
    remove->setShortcut(QKeySequence::Delete);
    remove->setShortcutContext(Qt::WidgetShortcut);
    connect(remove, &QAction::triggered, this, &FeedbackPanel::removeSelected);
    m_list->addAction(remove);
    m_list->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_list->setToolTip(tr("Delete removes the selected feedback"));
}

int FeedbackPanel::itemCount() const
{
    return m_list->count();
}

void FeedbackPanel::setCall(const QString& projectId, const QString& callId)
{
    if (projectId != m_projectId || callId != m_callId) {
        // A note typed and not sent stays with its call, found again there; the next call's field
        // holds its own draft or nothing, so Enter never attaches a note to the wrong call.
        // A note on its way shows, read-only, on its call until the server answers.
        if (!m_callId.isEmpty() && !m_note->isReadOnly() && !m_note->text().isEmpty())
            m_drafts.insert(m_callId, m_note->text());
        const bool sending = m_sending.contains(callId);
        m_note->setReadOnly(sending);
        m_note->setText(sending ? m_sending.value(callId) : m_drafts.take(callId));
    }
    m_projectId = projectId;
    m_callId = callId;
    reload();
}

void FeedbackPanel::reload()
{
    if (m_request)
        m_client->cancel(m_request);
    m_list->clear();
    if (m_callId.isEmpty())
        return;
    const QString ref = QString::fromStdString(callRefUri(m_projectId.toStdString(), m_callId.toStdString()));
    const QJsonObject query { { QStringLiteral("$expr"),
        QJsonObject { { QStringLiteral("$eq"),
            QJsonArray { QJsonObject { { QStringLiteral("$getField"), QStringLiteral("weave_ref") } },
                QJsonObject { { QStringLiteral("$literal"), ref } } } } } } };
    const QJsonObject body { { QStringLiteral("project_id"), m_projectId },
        { QStringLiteral("query"), query } };
    m_request =
        m_client->post(this, QStringLiteral("/feedback/query"), body, [this](const QJsonObject& json) {
            m_request = 0;
            for (const QJsonValue& value : json.value(QLatin1String("result")).toArray()) {
                QString toolTip;
                auto* item = new QListWidgetItem(describe(value.toObject(), &toolTip), m_list);
                item->setToolTip(toolTip);
                item->setData(Qt::UserRole, value.toObject().value(QLatin1String("id")).toString());
            }
            if (m_list->count() == 0)
                (new QListWidgetItem(tr("No feedback yet: react or add a note above."), m_list))
                    ->setFlags(Qt::NoItemFlags);
            Q_EMIT changed();
        });
}

void FeedbackPanel::create(
    const QString& type, const QJsonObject& payload, const std::function<void(bool)>& onAnswer)
{
    if (m_callId.isEmpty())
        return;
    const QJsonObject body { { QStringLiteral("project_id"), m_projectId },
        { QStringLiteral("weave_ref"),
            QString::fromStdString(callRefUri(m_projectId.toStdString(), m_callId.toStdString())) },
        { QStringLiteral("feedback_type"), type }, { QStringLiteral("payload"), payload } };
    m_client->post(
        this, QStringLiteral("/feedback/create"), body,
        [this, onAnswer](const QJsonObject&) {
            reload();
            if (onAnswer)
                onAnswer(true);
        },
        [onAnswer](const net::ApiError&) { // the window's banner says why
            if (onAnswer)
                onAnswer(false);
        });
}

void FeedbackPanel::addReaction(const QString& emoji)
{
    create(QStringLiteral("wandb.reaction.1"), { { QStringLiteral("emoji"), emoji } });
}

void FeedbackPanel::addNote(const QString& note)
{
    if (note.trimmed().isEmpty() || m_note->isReadOnly() || m_callId.isEmpty())
        return; // nothing to send, or the note is on its way
    // The field empties once the server has the note, and is read-only meanwhile (Enter again
    // would send it twice). A failed write (the window's banner says why) keeps the text to send
    // again.
    m_note->setReadOnly(true);
    m_sending.insert(m_callId, note);
    create(QStringLiteral("wandb.note.1"), { { QStringLiteral("note"), note.trimmed() } },
        [this, call = m_callId, text = note](bool created) {
            m_sending.remove(call);
            if (call != m_callId) { // the user is on another call now
                if (!created)
                    m_drafts.insert(call, text);
                return;
            }
            m_note->setReadOnly(false);
            if (created)
                m_note->clear();
        });
}

void FeedbackPanel::removeSelected()
{
    const QListWidgetItem* item = m_list->currentItem();
    const QString id = item ? item->data(Qt::UserRole).toString() : QString();
    if (id.isEmpty())
        return;
    const QJsonObject query { { QStringLiteral("$expr"),
        QJsonObject { { QStringLiteral("$eq"),
            QJsonArray { QJsonObject { { QStringLiteral("$getField"), QStringLiteral("id") } },
                QJsonObject { { QStringLiteral("$literal"), id } } } } } } };
    m_client->post(this, QStringLiteral("/feedback/purge"),
        { { QStringLiteral("project_id"), m_projectId }, { QStringLiteral("query"), query } },
        [this](const QJsonObject&) { reload(); });
}

} // namespace spindle::ui
