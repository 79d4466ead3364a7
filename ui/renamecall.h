#pragma once

#include <QString>

#include <functional>

class QWidget;

namespace spindle {
struct Call;
}
namespace spindle::net {
class TraceClient;
}

namespace spindle::ui {

// Asks for `call`'s display name (empty: show the op name) and writes it with /call/update. The
// prompt stays open until the server answers and keeps a refused name (widgets::promptText);
// `renamed` runs once the server has it, unless `context` has gone.
void promptRenameCall(QWidget* context, net::TraceClient* client, const QString& projectId,
    const spindle::Call& call, std::function<void()> renamed);

} // namespace spindle::ui
