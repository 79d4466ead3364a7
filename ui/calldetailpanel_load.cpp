// CallDetailPanel: rendering, fetching the full call and its op's code, and the header actions.
#include "core/chatrequest.h"
#include "core/weaveref.h"
#include "models/callformat.h"
#include "models/callstablemodel.h"
#include "models/chatmessages.h"
#include "ui/calldetailpanel.h"
#include "ui/feedbackpanel.h"
#include "ui/renamecall.h"
#include "ui/summaryhtml.h"
#include "widgets/chatview.h"
#include "widgets/imagestrip.h"
#include "widgets/jsonview.h"
#include "widgets/statusdelegate.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFutureWatcher>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTextBrowser>
#include <QtConcurrent/QtConcurrentRun>

namespace spindle::ui {
namespace {

constexpr int kMaxImages = 12;

// Weave stores images as custom objects whose `files` map names an image file by digest
// (PIL.Image.Image → "image.png"); collect (name, digest) pairs, depth-first.
void findImageFiles(const QJsonValue& value, QList<QPair<QString, QString>>& found, int depth = 0)
{
    if (found.size() >= kMaxImages || depth > 32)
        return;
    if (value.isArray()) {
        for (const QJsonValue& item : value.toArray())
            findImageFiles(item, found, depth + 1);
        return;
    }
    const QJsonObject object = value.toObject();
    const QJsonObject files = object.value(QLatin1String("files")).toObject();
    for (auto it = files.begin(); it != files.end(); ++it) {
        static const QStringList kSuffixes { QStringLiteral(".png"), QStringLiteral(".jpg"),
            QStringLiteral(".jpeg"), QStringLiteral(".gif"), QStringLiteral(".webp") };
        if (std::any_of(
                kSuffixes.cbegin(), kSuffixes.cend(), [&](const QString& s) { return it.key().endsWith(s); }))
            found.append({ it.key(), it.value().toString() });
    }
    for (auto it = object.begin(); it != object.end(); ++it)
        if (it.key() != QLatin1String("files"))
            findImageFiles(it.value(), found, depth + 1);
}

// Why the Output box is empty: a running call has no output yet, a failed one raised instead.
QString emptyOutputText(const spindle::Call& call)
{
    if (call.status == QLatin1String("running"))
        return CallDetailPanel::tr("Still running: the output shows when the call ends");
    if (!call.exception.isEmpty())
        return CallDetailPanel::tr("No output: the call raised an exception (see Exception)");
    if (call.output.isNull())
        return CallDetailPanel::tr("The op returned null (None)");
    if (call.output.isObject())
        return CallDetailPanel::tr("The op returned an empty object");
    if (call.output.isArray())
        return CallDetailPanel::tr("The op returned an empty list");
    return CallDetailPanel::tr("No output");
}

} // namespace

void CallDetailPanel::render()
{
    const spindle::Call& call = m_call;
    m_title->setText(call.name());
    // A tool tip that looks like markup is shown as markup (and its <img> files read): as text here.
    m_title->setToolTip(Qt::convertFromPlainText(call.opName));
    const QColor color = widgets::StatusDelegate::statusColor(call.status);
    QStringList meta;
    meta << QStringLiteral("<span style='color:%1'>●</span> %2")
                .arg(color.name(), models::statusText(call.status).toHtmlEscaped());
    meta << QDateTime::fromMSecsSinceEpoch(call.startedAtMs)
                .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    if (call.latencyMs)
        meta << models::formatLatency(*call.latencyMs);
    if (call.totalTokens())
        meta << tr("%1 tokens").arg(call.totalTokens());
    if (const auto cost = call.totalCost())
        meta << models::formatCost(*cost);
    meta << tr("id %1").arg(call.id.toHtmlEscaped());
    m_meta->setText(meta.join(QStringLiteral(" · ")));
    m_parent->setVisible(!call.parentId.isEmpty());
    const auto chat = models::chatFromCall(call);
    // For chats whose messages the playground takes (every API the chat view reads, as chat
    // completions). Until a playground page is attached, it copies the request's messages (and
    // model) so they can be pasted into any playground.
    m_playground->setVisible(chat.has_value() && chatRequestFromCallInputs(call.inputs).has_value());
    m_playground->setToolTip(m_playgroundAvailable
            ? tr("Open these messages in the playground")
            : tr("Copy this call's messages and model as JSON, to try them in a playground"));
    m_chat->setVisible(chat.has_value());
    if (chat)
        m_chat->setTranscript(*chat);
    // A call from the trace tree has no inputs or output until its full read answers: say that,
    // or why the read failed, rather than "No inputs".
    const QString pending = m_loaded ? QString() : m_loadError.isEmpty() ? tr("Loading…") : m_loadError;
    m_inputs->setEmptyText(pending.isEmpty() ? tr("No inputs") : pending);
    m_attributes->setEmptyText(pending.isEmpty() ? tr("No attributes") : pending);
    m_inputs->setValue(call.inputs, QStringLiteral("inputs"));
    m_output->setEmptyText(pending.isEmpty() ? emptyOutputText(call) : pending);
    m_output->setValue(call.output, QStringLiteral("output"));
    m_summary->setHtml(summaryHtml(call));
    m_attributes->setValue(call.attributes, QStringLiteral("attributes"));
    m_exception->setPlainText(models::exceptionText(call.exception));
    // Shown only for a call that raised one: a tab that can never hold anything would push the
    // Feedback tab out of a narrow pane.
    if (m_tabs->currentIndex() == ExceptionTab && call.exception.isEmpty())
        m_tabs->setCurrentIndex(0);
    m_tabs->setTabVisible(ExceptionTab, !call.exception.isEmpty());
    if (m_tabs->currentIndex() == CodeTab)
        loadCode();
}

void CallDetailPanel::loadFullCall()
{
    if (m_readRequest)
        m_client->cancel(m_readRequest);
    const QString id = m_call.id;
    m_feedback->setCall(m_projectId, id);
    const QJsonObject body { { QStringLiteral("project_id"), m_projectId }, { QStringLiteral("id"), id },
        { QStringLiteral("include_costs"), true } };
    m_loadError.clear();
    m_readRequest = m_client->post(
        this, QStringLiteral("/call/read"), body,
        [this, id](const QJsonObject& json) {
            m_readRequest = 0;
            const QJsonObject call = json.value(QLatin1String("call")).toObject();
            if (id != m_call.id)
                return;
            if (call.isEmpty()) {
                m_loadError = tr("The server no longer has this call (deleted?)");
                render();
                return;
            }
            m_call = spindle::Call::fromJson(call);
            m_loaded = true;
            render();
            loadImages();
        },
        [this, id](const net::ApiError& error) {
            m_readRequest = 0;
            if (id != m_call.id)
                return;
            m_loadError = tr("Not loaded: %1").arg(error.brief());
            render();
        });
}

void CallDetailPanel::loadImages()
{
    QList<QPair<QString, QString>> files;
    findImageFiles(m_call.inputs, files);
    findImageFiles(m_call.output, files);
    // The call and its images: a call that ends while it is shown has its output's images now.
    QString key = m_call.id;
    for (const auto& file : std::as_const(files))
        key += QLatin1Char(' ') + file.second;
    if (m_imagesLoadedFor == key)
        return;
    m_imagesLoadedFor = key;
    m_images->clear();
    const QString forCall = key; // the call and its image set: a set replaced since drops its answers
    for (const auto& [name, digest] : std::as_const(files)) {
        const auto id = m_client->postForBytes(this, QStringLiteral("/file/content"),
            { { QStringLiteral("project_id"), m_projectId }, { QStringLiteral("digest"), digest } },
            [this, forCall, name](const QByteArray& bytes) {
                // Decoding happens on the thread pool; only the thumbnail is made here.
                auto* watcher = new QFutureWatcher<QImage>(this);
                connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, forCall, name] {
                    watcher->deleteLater();
                    const QImage image = watcher->result();
                    if (forCall == m_imagesLoadedFor && !image.isNull())
                        m_images->addImage(image, name);
                });
                watcher->setFuture(QtConcurrent::run([bytes] { return QImage::fromData(bytes); }));
            });
        m_client->setQuiet(id);
    }
}

void CallDetailPanel::loadCode()
{
    if (m_codeLoadedFor == m_call.id)
        return;
    m_codeLoadedFor = m_call.id;
    m_code->clear();
    const auto ref = parseWeaveRef(m_call.opName.toStdString());
    if (!ref || ref->kind != "op") {
        m_codeInfo->setText(tr("This op (%1) was not saved with its code.").arg(m_call.opName));
        return;
    }
    const QString project = QString::fromStdString(ref->projectId());
    m_codeInfo->setText(tr("Loading the code of %1…").arg(QString::fromStdString(ref->name)));
    const QString forCall = m_call.id;
    const QJsonObject read { { QStringLiteral("project_id"), project },
        { QStringLiteral("object_id"), QString::fromStdString(ref->name) },
        { QStringLiteral("digest"), QString::fromStdString(ref->digest) } };
    const auto failed = [this, forCall](const net::ApiError& error) {
        if (forCall == m_call.id)
            m_codeInfo->setText(tr("No code for this op: %1").arg(error.reason));
    };
    const auto id = m_client->post(
        this, QStringLiteral("/obj/read"), read,
        [this, project, forCall, failed](const QJsonObject& json) {
            if (forCall != m_call.id)
                return;
            const QJsonObject obj = json.value(QLatin1String("obj")).toObject();
            const QJsonObject files =
                obj.value(QLatin1String("val")).toObject().value(QLatin1String("files")).toObject();
            const QString digest = files.value(QLatin1String("obj.py"))
                                       .toString(files.isEmpty() ? QString() : files.begin()->toString());
            const QString version = QStringLiteral("%1 v%2 · %3")
                                        .arg(obj.value(QLatin1String("object_id")).toString())
                                        .arg(obj.value(QLatin1String("version_index")).toInt())
                                        .arg(obj.value(QLatin1String("digest")).toString().left(12));
            if (digest.isEmpty()) {
                m_codeInfo->setText(tr("%1 — saved without source files").arg(version));
                return;
            }
            const auto fileId = m_client->postForBytes(
                this, QStringLiteral("/file/content"),
                { { QStringLiteral("project_id"), project }, { QStringLiteral("digest"), digest } },
                [this, forCall, version](const QByteArray& bytes) {
                    if (forCall != m_call.id)
                        return;
                    m_codeInfo->setText(version);
                    m_code->setPlainText(QString::fromUtf8(bytes));
                },
                failed);
            m_client->setQuiet(fileId);
        },
        failed);
    m_client->setQuiet(id);
}

void CallDetailPanel::copy(const QString& text, const QString& what)
{
    QApplication::clipboard()->setText(text);
    Q_EMIT statusMessage(tr("Copied %1").arg(what));
}

void CallDetailPanel::rename()
{
    if (m_call.id.isEmpty())
        return;
    promptRenameCall(this, m_client, m_projectId, m_call, [this, id = m_call.id] {
        if (id == m_call.id)
            loadFullCall();
        Q_EMIT callChanged(id);
    });
}

void CallDetailPanel::deleteWithDescendants()
{
    if (m_call.id.isEmpty())
        return;
    QMessageBox confirm(QMessageBox::Warning, tr("Delete call"),
        tr("Delete “%1” and all its descendants?").arg(m_call.name()), QMessageBox::Cancel, this);
    confirm.setTextFormat(Qt::PlainText);
    QPushButton* remove = confirm.addButton(tr("Delete"), QMessageBox::DestructiveRole);
    confirm.exec();
    if (confirm.clickedButton() != remove)
        return;
    const QString id = m_call.id;
    const QJsonObject body { { QStringLiteral("project_id"), m_projectId },
        { QStringLiteral("call_ids"), QJsonArray { id } } };
    m_client->post(this, QStringLiteral("/calls/delete"), body, [this, id](const QJsonObject&) {
        clear();
        Q_EMIT callDeleted(id);
    });
}

} // namespace spindle::ui
