// Stopping the server (SIGTERM, or closing the desktop app with its embedded server) must not wait
// for clients: connections an SDK keeps alive, or a client that sends its request slowly.
#include "support/rawhttp.h"
#include "support/testserver.h"

#include <QElapsedTimer>
#include <QScopeGuard>
#include <QTest>

#include <unistd.h>

using namespace spindle::test;

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
