// Stopping the server (SIGTERM, or closing the desktop app with its embedded server) must not wait
// for clients: connections an SDK keeps alive, or a client that sends its request slowly.
#include "support/testserver.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace spindle::test;

namespace {

// A raw connection to the server, or -1.
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

bool sendAll(int fd, const QByteArray& bytes)
{
    return ::write(fd, bytes.constData(), size_t(bytes.size())) == ssize_t(bytes.size());
}

// One whole response with a Content-Length (its head and body may come in separate reads).
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

} // namespace

class TestServerLifecycle : public QObject
{
    Q_OBJECT

private slots:
    void stopDoesNotWaitForIdleOrSlowClients();
};

// The server's threads wait 5 s for the next request on a kept-alive connection, and 5 s per read
// of a request that trickles in. Without ending those connections, stop took 5 s here (and as long
// as the client kept trickling).
void TestServerLifecycle::stopDoesNotWaitForIdleOrSlowClients()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    std::vector<int> open;
    const auto closeAll = qScopeGuard([&open] {
        for (int fd : open)
            ::close(fd);
    });
    const int idle = connectTo(server.port());
    const int slow = connectTo(server.port());
    QVERIFY(idle >= 0 && slow >= 0);
    open = { idle, slow };
    QVERIFY(sendAll(idle, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    QVERIFY(readResponse(idle).endsWith(R"({"status":"ok"})")); // answered, and kept alive
    QVERIFY(sendAll(slow,
        "POST /calls/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n{\"project_id\""));
    QTest::qWait(100); // both connections are being served

    QElapsedTimer stopping;
    stopping.start();
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
    QVERIFY2(
        stopping.elapsed() < 2000, qPrintable(QStringLiteral("stop took %1 ms").arg(stopping.elapsed())));
    char byte = 0;
    QCOMPARE(::read(idle, &byte, 1), ssize_t(0)); // closed, not reset
}

QTEST_GUILESS_MAIN(TestServerLifecycle)
#include "tst_server_lifecycle.moc"
