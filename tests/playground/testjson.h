#pragma once

// JSON written inline in the playground's tests, parsed; a typo in it stops the test at once.
#include <QJsonDocument>
#include <QJsonObject>

namespace spindle::test {

inline QJsonObject parse(const char* json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", qPrintable(error.errorString()));
    return doc.object();
}

} // namespace spindle::test
