#pragma once

#include "core/call.h"

#include <QString>

namespace spindle::ui {

// The Summary tab as HTML: status and timing, usage and cost per model with the unit prices and
// the price's effective date (from summary.weave.costs), then the call's other summary keys.
QString summaryHtml(const spindle::Call& call);

} // namespace spindle::ui
