#pragma once

#include <QNetworkReply>
#include <QPointer>

namespace spindle::net {

// Stops a transfer nobody waits for any more: no signal of it reaches `owner` after this.
inline void abandonReply(const QPointer<QNetworkReply>& reply, QObject* owner)
{
    if (!reply)
        return;
    reply->disconnect(owner);
    reply->abort();
    reply->deleteLater();
}

} // namespace spindle::net
