#pragma once

#include <QString>

class QSplitter;

namespace spindle::widgets {

// The sizes the user gave `splitter`, kept in QSettings under `key` across runs: restored now, and
// stored each time the user drags a handle (sizes the program sets are not preferences).
void rememberSplitter(QSplitter* splitter, const QString& key);

} // namespace spindle::widgets
