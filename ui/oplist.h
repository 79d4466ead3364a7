#pragma once

#include <QStringList>
#include <QtGlobal>

#include <functional>

class QObject;

namespace spindle::net {
class TraceClient;
}

namespace spindle::ui {

// The project's ops, the latest version of each, as weave:/// op refs sorted by name: what the op
// filters offer (FilterBar::setOps). `done` runs unless `context` has gone first; a failure goes to
// the window's banner as every failure does. Returns the request's id, to cancel it when a newer
// load (another project, or the same name on a new connection) takes its place.
quint64 loadOpRefs(net::TraceClient* client, QObject* context, const QString& projectId,
    std::function<void(const QStringList& refs)> done);

} // namespace spindle::ui
