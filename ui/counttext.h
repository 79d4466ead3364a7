#pragma once

#include <QString>

namespace spindle::ui {

// "1 call" or "900,000 calls": the singular for one, else the plural with the locale's digit
// grouping (`many` holds %L1). Qt's "%n call(s)" picks a form only through a translation, and
// Spindle ships none, so it showed "900000 call(s)".
inline QString countText(qint64 count, const QString& one, const QString& many)
{
    return count == 1 ? one : many.arg(count);
}

} // namespace spindle::ui
