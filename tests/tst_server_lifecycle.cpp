// Stopping the server (SIGTERM, or closing the desktop app with its embedded server) must not wait
// for clients: connections an SDK keeps alive, or a client that sends its request slowly.
#include "support/testserver.h"

#include <QElapsedTimer>
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

} // namespace

class TestServerLifecycle : public QObject
{
    Q_OBJECT

private slots:
    void stopDoesNotWaitForIdleOrSlowClients();
    void stopAnswersARequestAlreadySent();
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
    char buffer[512];
    QVERIFY(::read(idle, buffer, sizeof buffer) > 0); // answered, and kept alive
    QVERIFY(sendAll(slow,
        "POST /calls/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n{\"project_id\""));
    QTest::qWait(100); // both connections are being served

    QElapsedTimer stopping;
    stopping.start();
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
    QVERIFY2(
        stopping.elapsed() < 2000, qPrintable(QStringLiteral("stop took %1 ms").arg(stopping.elapsed())));
    QCOMPARE(::read(idle, buffer, sizeof buffer), ssize_t(0)); // closed, not reset
}

// Ending the reading side leaves what a client has already sent: that request is still answered.
void TestServerLifecycle::stopAnswersARequestAlreadySent()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const int fd = connectTo(server.port());
    QVERIFY(fd >= 0);
    const auto closeIt = qScopeGuard([fd] { ::close(fd); });
    const QByteArray health = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    QVERIFY(sendAll(fd, health));
    char buffer[512];
    QVERIFY(::read(fd, buffer, sizeof buffer) > 0);
    const QByteArray body = R"({"project_id": "life/main"})";
    QVERIFY(sendAll(fd,
        "POST /calls/query_stats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body));
    QVERIFY(server.stop());
    QByteArray answer;
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
        answer.append(buffer, n);
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
    QVERIFY2(answer.contains(R"("count":0)"), answer.constData());
}

QTEST_GUILESS_MAIN(TestServerLifecycle)
#include "tst_server_lifecycle.moc"
