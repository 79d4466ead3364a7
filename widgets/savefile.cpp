#include "widgets/savefile.h"

#include <QCoreApplication>
#include <QSaveFile>

namespace spindle::widgets {

QString writeErrorText(const QFileDevice& file, qint64 written, qint64 wanted)
{
    if (written >= 0 && written < wanted)
        return QCoreApplication::translate(
            "spindle::widgets", "only %1 of %2 bytes could be written (is the disk full?)")
            .arg(written)
            .arg(wanted);
    return file.errorString();
}

bool saveBytes(const QString& path, const QByteArray& bytes, QString* error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    const qint64 written = file.write(bytes);
    if (written == bytes.size() && file.commit())
        return true;
    if (error)
        *error = writeErrorText(file, written, bytes.size());
    return false; // the temporary file goes with `file`
}

} // namespace spindle::widgets
