#include "ui/defaultprices.h"

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
    watcher->setFuture(QtConcurrent::run([] { return PriceTable::defaults(); }));
}

} // namespace spindle::ui
