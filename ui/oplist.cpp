#include "ui/oplist.h"

#include "net/traceclient.h"

#include <QJsonArray>
#include <QJsonObject>

namespace spindle::ui {

quint64 loadOpRefs(net::TraceClient* client, QObject* context, const QString& projectId,
    std::function<void(const QStringList& refs)> done)
{
    const QJsonObject body { { QStringLiteral("project_id"), projectId },
        { QStringLiteral("filter"),
            QJsonObject { { QStringLiteral("is_op"), true }, { QStringLiteral("latest_only"), true } } },
        { QStringLiteral("metadata_only"), true } };
    return client->post(
        context, QStringLiteral("/objs/query"), body, [projectId, done](const QJsonObject& json) {
            QStringList refs;
            for (const QJsonValue& obj : json.value(QLatin1String("objs")).toArray()) {
                const QJsonObject o = obj.toObject();
                refs.append(QStringLiteral("weave:///%1/op/%2:%3")
                                .arg(projectId, o.value(QLatin1String("object_id")).toString(),
                                    o.value(QLatin1String("digest")).toString()));
            }
            refs.sort();
            done(refs);
        });
}

} // namespace spindle::ui
