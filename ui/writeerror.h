#pragma once

#include <QCoreApplication>
#include <QFileDevice>

namespace spindle::ui {

// Why `file` took only `written` of `wanted` bytes. An unbuffered write to a full disk (or past the
// process's file size limit) comes back short with no error set, so errorString() says "Unknown
// error"; a buffered one even passes, and its flush loses the rest silently.
inline QString writeErrorText(const QFileDevice& file, qint64 written, qint64 wanted)
{
    if (written >= 0 && written < wanted)
        return QCoreApplication::translate(
            "spindle::ui", "only %1 of %2 bytes could be written (is the disk full?)")
            .arg(written)
            .arg(wanted);
    return file.errorString();
}

} // namespace spindle::ui
