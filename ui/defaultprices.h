#pragma once

#include "core/pricetable.h"

#include <QObject>

#include <functional>

namespace spindle::ui {

// The shipped price table (~0.6 MB of JSON, parsed once per process, ~10 ms) loaded on a worker
// thread, so that no page parses it on the GUI thread. `done` runs on the GUI thread, unless
// `context` was destroyed meanwhile.
void loadDefaultPrices(QObject* context, std::function<void(const PriceTable&)> done);

} // namespace spindle::ui
