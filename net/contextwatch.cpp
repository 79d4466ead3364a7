#include "net/contextwatch.h"

#include <QThread>

namespace spindle::net {

ContextWatch::ContextWatch(QObject* client, GoneCallback onGone)
    : m_client(client)
    , m_onGone(std::move(onGone))
{
}

void ContextWatch::watch(QObject* context)
{
    if (!context || m_watched.contains(context))
        return;
    Q_ASSERT(context->thread() == m_client->thread());
    m_watched.insert(context);
    // Emitted from ~QObject, so `gone` is only an address by then.
    QObject::connect(context, &QObject::destroyed, m_client, [this](QObject* gone) {
        m_watched.remove(gone);
        m_onGone(gone);
    });
}

} // namespace spindle::net
