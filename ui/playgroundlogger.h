#pragma once

#include "core/chattrace.h"
#include "net/traceclient.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <optional>

namespace spindle::ui {

// Logs playground runs as calls in the open project: /call/start when a run begins (the call
// shows as running), /call/end when it ends (sent only after the start was accepted), then
// reads the call back with include_costs so the pane shows the server's price.
class PlaygroundLogger : public QObject
{
    Q_OBJECT
public:
    using CostCallback = std::function<void(std::optional<double> costUsd)>;

    explicit PlaygroundLogger(net::TraceClient* client, QObject* parent = nullptr);

    void begin(const PlaygroundRun& run);
    void end(const PlaygroundRun& run, CostCallback onCost);

Q_SIGNALS:
    void logFailed(const QString& message);
    void runLogged(const QString& callId);

private:
    struct Pending
    {
        bool started = false;
        std::optional<PlaygroundRun> endedRun;
        CostCallback onCost;
    };
    void sendEnd(const PlaygroundRun& run, CostCallback onCost);
    void readCost(const PlaygroundRun& run, CostCallback onCost);

    net::TraceClient* m_client;
    QHash<QString, Pending> m_pending; // by call id
};

} // namespace spindle::ui
