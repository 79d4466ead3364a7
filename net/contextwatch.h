#pragma once

#include <QObject>
#include <QSet>

#include <functional>

namespace spindle::net {

// The clients' requests belong to a context object, as a QObject::connect does. This tells the
// client once when a context it was given is destroyed, with the address it had, so that the
// client can drop (or stop) that context's requests. Contexts must live in the client's thread.
class ContextWatch
{
public:
    using GoneCallback = std::function<void(const QObject* gone)>;

    // `client` is the receiver of the destroyed() connections, so they end with it.
    ContextWatch(QObject* client, GoneCallback onGone);
    ContextWatch(const ContextWatch&) = delete;
    ContextWatch& operator=(const ContextWatch&) = delete;

    // Null is accepted and never reported.
    void watch(QObject* context);

private:
    QObject* m_client;
    GoneCallback m_onGone;
    QSet<const QObject*> m_watched;
};

} // namespace spindle::net
