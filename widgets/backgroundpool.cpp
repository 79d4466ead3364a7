#include "widgets/backgroundpool.h"

#include <QCoreApplication>
#include <QPointer>

namespace spindle::widgets {

QThreadPool* backgroundPool()
{
    static QPointer<QThreadPool> pool;
    if (!pool) {
        pool = new QThreadPool(QCoreApplication::instance());
        pool->setObjectName(QStringLiteral("spindle-background"));
        // One thread: jobs run in order, and a core stays free for the GUI thread (and the raster
        // engine's helpers on the global pool) while the in-process server streams a trace.
        pool->setMaxThreadCount(1);
    }
    return pool;
}

} // namespace spindle::widgets
