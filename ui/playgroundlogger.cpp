#include "ui/playgroundlogger.h"

#include "core/call.h"

namespace spindle::ui {

using namespace Qt::StringLiterals;

PlaygroundLogger::PlaygroundLogger(net::TraceClient* client, QObject* parent)
    : QObject(parent)
    , m_client(client)
{
}

void PlaygroundLogger::begin(const PlaygroundRun& run)
{
    m_pending.insert(run.callId, Pending {});
    const QString id = run.callId;
    const auto request = m_client->post(
        this, u"/call/start"_s, callStartBody(run),
        [this, id](const QJsonObject&) {
            auto it = m_pending.find(id);
            if (it == m_pending.end())
                return;
            it->started = true;
            if (it->endedRun) {
                const Pending pending = m_pending.take(id);
                sendEnd(*pending.endedRun, pending.onCost);
            }
        },
        [this, id](const net::ApiError& error) {
            const Pending pending = m_pending.take(id);
            if (pending.onCost)
                pending.onCost(std::nullopt);
            Q_EMIT logFailed(tr("The run was not logged: %1").arg(error.message()));
        });
    m_client->setQuiet(request); // the pane says it; the banner stays for the trace views
}

void PlaygroundLogger::end(const PlaygroundRun& run, CostCallback onCost)
{
    auto it = m_pending.find(run.callId);
    if (it == m_pending.end()) {
        if (onCost)
            onCost(std::nullopt); // the start failed and was reported
        return;
    }
    if (!it->started) {
        it->endedRun = run;
        it->onCost = std::move(onCost);
        return;
    }
    m_pending.erase(it);
    sendEnd(run, std::move(onCost));
}

void PlaygroundLogger::sendEnd(const PlaygroundRun& run, CostCallback onCost)
{
    const auto request = m_client->post(
        this, u"/call/end"_s, callEndBody(run),
        [this, run, onCost](const QJsonObject&) {
            Q_EMIT runLogged(run.callId);
            readCost(run, onCost);
        },
        [this, onCost](const net::ApiError& error) {
            if (onCost)
                onCost(std::nullopt);
            Q_EMIT logFailed(tr("The run's end was not logged: %1").arg(error.message()));
        });
    m_client->setQuiet(request);
}

void PlaygroundLogger::readCost(const PlaygroundRun& run, CostCallback onCost)
{
    if (!onCost)
        return;
    const QJsonObject body { { u"project_id"_s, run.projectId }, { u"id"_s, run.callId },
        { u"include_costs"_s, true } };
    const auto request = m_client->post(
        this, u"/call/read"_s, body,
        [onCost](const QJsonObject& answer) {
            const QJsonObject call = answer.value("call"_L1).toObject();
            onCost(call.isEmpty() ? std::nullopt : Call::fromJson(call).totalCost());
        },
        [onCost](const net::ApiError&) { onCost(std::nullopt); });
    m_client->setQuiet(request);
}

} // namespace spindle::ui
