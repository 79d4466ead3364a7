#include "ui/defaultprices.h"

#include "widgets/backgroundpool.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace spindle::ui {

void loadDefaultPrices(QObject* context, std::function<void(const PriceTable&)> done)
{
    auto* watcher = new QFutureWatcher<PriceTable>(context);
    QObject::connect(watcher, &QFutureWatcher<PriceTable>::finished, context, [watcher, done] {
        watcher->deleteLater();
        done(watcher->result());
    });
    // Not the global pool, which Qt's raster engine shares with the GUI thread (backgroundpool.h).
    watcher->setFuture(QtConcurrent::run(widgets::backgroundPool(), [] { return PriceTable::defaults(); }));
}

} // namespace spindle::ui
