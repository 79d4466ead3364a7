#include "core/digest.h"

#include <QByteArray>
#include <QCryptographicHash>

namespace spindle {

static QByteArray sha256(std::string_view bytes)
{
    return QCryptographicHash::hash(
        QByteArrayView(bytes.data(), static_cast<qsizetype>(bytes.size())), QCryptographicHash::Sha256);
}

std::string weaveDigest(std::string_view bytes)
{
    QByteArray encoded =
        sha256(bytes).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    encoded.replace('-', 'X').replace('_', 'Y');
    return encoded.toStdString();
}

std::string sha256Hex(std::string_view bytes)
{
    return sha256(bytes).toHex().toStdString();
}

} // namespace spindle
