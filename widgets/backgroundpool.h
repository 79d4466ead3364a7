#pragma once

#include <QThreadPool>

namespace spindle::widgets {

// The thread pool for long background work of the GUI (trace layouts and tree builds, the price
// table, freeing big values). Not QThreadPool::globalInstance(): Qt 6.4's raster engine splits large fills
// over the global pool and the GUI thread waits for those pieces, so a 100 ms job queued there stalls
// painting (seen as 40-80 ms waits in QRasterPaintEngine::fillRect while a 100k trace loaded).
// Owned by the application object; call it on the GUI thread.
QThreadPool* backgroundPool();

// Frees `value` on backgroundPool(): destroying a 100k-call trace or layout takes tens of ms.
template <typename T> void releaseInBackground(T value)
{
    backgroundPool()->start(
        [value = std::move(value)]() mutable { [[maybe_unused]] T dying = std::move(value); });
}

} // namespace spindle::widgets
