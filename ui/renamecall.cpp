#include "ui/renamecall.h"

#include "core/call.h"
#include "net/traceclient.h"
#include "widgets/textprompt.h"

#include <QCoreApplication>
#include <QJsonObject>

namespace spindle::ui {

void promptRenameCall(QWidget* context, net::TraceClient* client, const QString& projectId,
    const spindle::Call& call, std::function<void()> renamed)
{
    const auto tr = [](const char* text) {
        return QCoreApplication::translate("spindle::ui::RenameCall", text);
    };
    widgets::promptText(context, tr("Rename call"), tr("Display name (empty to show the op name):"),
        call.displayName, widgets::TextPromptDialog::Empty::Allowed,
        [context, client, projectId, id = call.id, renamed](const QString& name, widgets::PromptReply reply) {
            const QJsonObject body { { QStringLiteral("project_id"), projectId },
                { QStringLiteral("call_id"), id }, { QStringLiteral("display_name"), name } };
            client->post(
                context, QStringLiteral("/call/update"), body,
                [reply, renamed](const QJsonObject&) {
                    reply({});
                    renamed();
                },
                [reply](const net::ApiError& error) { reply(error.brief()); });
        });
}

} // namespace spindle::ui
