#pragma once

#include <QByteArray>
#include <QFileDevice>
#include <QString>

namespace spindle::widgets {

// Why `file` took only `written` of `wanted` bytes. An unbuffered write to a full disk (or past the
// process's file size limit) comes back short with no error set, so errorString() says "Unknown
// error"; a buffered one even passes, and its flush loses the rest silently. Files the app saves
// are therefore written unbuffered.
QString writeErrorText(const QFileDevice& file, qint64 written, qint64 wanted);

// `bytes` to `path`, written beside it and renamed over it once all of it is on disk: a failed
// write leaves an earlier file as it was. False with the reason in `error` when it failed.
bool saveBytes(const QString& path, const QByteArray& bytes, QString* error);

} // namespace spindle::widgets
