#include "core/chattrace.h"

#include "core/digest.h"
#include "core/timeformat.h"

#include <QJsonArray>

namespace spindle {

using namespace Qt::StringLiterals;

QString playgroundOpName()
{
    return u"openai.chat.completions.create"_s;
}

static QString isoTime(const QDateTime& time)
{
    return QString::fromStdString(formatIsoTime(time.toMSecsSinceEpoch() * 1000));
}

// Weave refers to ops by a ref with the digest of their published value; the playground's op
// has no Python source, so the digest is that of its name.
static QString opRef(const QString& projectId)
{
    const QString name = playgroundOpName();
    return u"weave:///%1/op/%2:%3"_s.arg(
        projectId, name, QString::fromStdString(weaveDigest(name.toStdString())));
}

QJsonObject callStartBody(const PlaygroundRun& run)
{
    QJsonObject inputs = run.request.body();
    inputs.remove(u"stream_options"_s); // a transport detail, not a setting the user chose
    const QJsonObject attributes {
        { u"weave"_s,
            QJsonObject { { u"client_name"_s, u"spindle"_s }, { u"source"_s, u"spindle-playground"_s } } },
        { u"playground"_s,
            QJsonObject { { u"provider"_s, run.providerName }, { u"base_url"_s, run.baseUrl } } }
    };
    const QJsonObject start { { u"project_id"_s, run.projectId }, { u"id"_s, run.callId },
        { u"trace_id"_s, run.traceId }, { u"op_name"_s, opRef(run.projectId) },
        { u"started_at"_s, isoTime(run.startedAt) }, { u"attributes"_s, attributes },
        { u"inputs"_s, inputs } };
    return { { u"start"_s, start } };
}

QJsonObject callEndBody(const PlaygroundRun& run)
{
    QJsonObject summary;
    const QString model = run.usageModel.isEmpty() ? run.request.model : run.usageModel;
    if (run.promptTokens >= 0 && run.completionTokens >= 0)
        summary.insert(u"usage"_s,
            QJsonObject { { model,
                QJsonObject { { u"requests"_s, 1 }, { u"prompt_tokens"_s, run.promptTokens },
                    { u"completion_tokens"_s, run.completionTokens },
                    { u"total_tokens"_s, run.promptTokens + run.completionTokens } } } });
    if (run.timeToFirstTokenMs >= 0)
        summary.insert(
            u"playground"_s, QJsonObject { { u"time_to_first_token_ms"_s, run.timeToFirstTokenMs } });
    QJsonObject end { { u"project_id"_s, run.projectId }, { u"id"_s, run.callId },
        { u"ended_at"_s, isoTime(run.endedAt) }, { u"summary"_s, summary },
        { u"output"_s, run.completion.isEmpty() ? QJsonValue() : QJsonValue(run.completion) } };
    if (!run.exception.isEmpty())
        end.insert(u"exception"_s, run.exception);
    return { { u"end"_s, end } };
}

} // namespace spindle
