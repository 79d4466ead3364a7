// CallDetailPanel: rendering, fetching the full call and its op's code, and the header actions.
#include "core/weaveref.h"
#include "models/callstablemodel.h"
#include "models/chatmessages.h"
#include "ui/calldetailpanel.h"
#include "ui/feedbackpanel.h"
#include "ui/summaryhtml.h"
#include "widgets/chatview.h"
#include "widgets/jsonview.h"
#include "widgets/statusdelegate.h"

#include <QApplication>
#include <QClipboard>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTextBrowser>
#include <QToolButton>

namespace spindle::ui {

void CallDetailPanel::render()
{
    const spindle::Call& call = m_call;
    m_title->setText(call.name());
    m_title->setToolTip(call.opName);
    const QColor color = widgets::StatusDelegate::statusColor(call.status);
    QStringList meta;
    meta << QStringLiteral("<span style='color:%1'>●</span> %2")
                .arg(color.name(), call.status.toHtmlEscaped());
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
    m_playground->setVisible(m_playgroundAvailable && chat.has_value());
    m_chat->setVisible(chat.has_value());
    if (chat)
        m_chat->setTranscript(*chat);
    m_inputs->setValue(call.inputs, QStringLiteral("inputs"));
    m_output->setValue(call.output, QStringLiteral("output"));
    m_summary->setHtml(summaryHtml(call));
    m_attributes->setValue(call.attributes, QStringLiteral("attributes"));
    m_exception->setPlainText(call.exception);
    m_tabs->setTabEnabled(4, !call.exception.isEmpty());
    m_tabs->setTabText(4, call.exception.isEmpty() ? tr("Exception") : tr("Exception ●"));
    if (m_tabs->currentIndex() == 4 && call.exception.isEmpty())
        m_tabs->setCurrentIndex(0);
    if (m_tabs->currentIndex() == 2)
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
    m_readRequest = m_client->post(QStringLiteral("/call/read"), body, [this, id](const QJsonObject& json) {
        m_readRequest = 0;
        const QJsonObject call = json.value(QLatin1String("call")).toObject();
        if (id != m_call.id || call.isEmpty())
            return;
        m_call = spindle::Call::fromJson(call);
        m_loaded = true;
        render();
    });
}

void CallDetailPanel::loadCode()
{
    if (m_codeLoadedFor == m_call.id)
        return;
    m_codeLoadedFor = m_call.id;
    m_code->clear();
    const auto ref = parseWeaveRef(m_call.opName.toStdString());
    if (!ref || ref->kind != "op") {
        m_codeInfo->setText(
            tr("This op (%1) was not saved with its code.").arg(m_call.opName.toHtmlEscaped()));
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
        QStringLiteral("/obj/read"), read,
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
                QStringLiteral("/file/content"),
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
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename call"),
        tr("Display name (empty to show the op name):"), QLineEdit::Normal, m_call.displayName, &ok);
    if (!ok)
        return;
    const QString id = m_call.id;
    const QJsonObject body { { QStringLiteral("project_id"), m_projectId }, { QStringLiteral("call_id"), id },
        { QStringLiteral("display_name"), name } };
    m_client->post(QStringLiteral("/call/update"), body, [this, id](const QJsonObject&) {
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
    QPushButton* remove = confirm.addButton(tr("Delete"), QMessageBox::DestructiveRole);
    confirm.exec();
    if (confirm.clickedButton() != remove)
        return;
    const QString id = m_call.id;
    const QJsonObject body { { QStringLiteral("project_id"), m_projectId },
        { QStringLiteral("call_ids"), QJsonArray { id } } };
    m_client->post(QStringLiteral("/calls/delete"), body, [this, id](const QJsonObject&) {
        clear();
        Q_EMIT callDeleted(id);
    });
}

} // namespace spindle::ui
