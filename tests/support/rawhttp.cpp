#include "support/rawhttp.h"

#include <QRegularExpression>
#include <QString>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace spindle::test {

int connectTo(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(quint16(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

int connectFrom(const char* from, int fromPort, int port, int* boundPort)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local {};
    local.sin_family = AF_INET;
    local.sin_port = htons(quint16(fromPort));
    ::inet_pton(AF_INET, from, &local.sin_addr);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(quint16(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0
        || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    socklen_t size = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size);
    if (boundPort)
        *boundPort = ntohs(local.sin_port);
    return fd;
}

bool sendAll(int fd, const QByteArray& bytes)
{
    return ::write(fd, bytes.constData(), size_t(bytes.size())) == ssize_t(bytes.size());
}

QByteArray readResponse(int fd)
{
    QByteArray response;
    char buffer[4096];
    while (true) {
        const qsizetype headEnd = response.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
            static const QRegularExpression lengthHeader(
                QStringLiteral("content-length: *(\\d+)"), QRegularExpression::CaseInsensitiveOption);
            const auto length = lengthHeader.match(QString::fromLatin1(response.left(headEnd)));
            if (length.hasMatch() && response.size() >= headEnd + 4 + length.captured(1).toLongLong())
                return response;
        }
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            return response;
        response.append(buffer, n);
    }
}

} // namespace spindle::test
