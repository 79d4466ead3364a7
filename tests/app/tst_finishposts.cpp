// TraceClient::finishPosts, what the app calls at exit: the POSTs already submitted reach the
// server before the client (and its network thread) goes, though the client is destroyed at once.
#include "apptestutil.h"
#include "net/traceclient.h"

#include <QElapsedTimer>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace spindle;
using namespace spindle::apptest;
using namespace Qt::StringLiterals;

class TestFinishPosts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void postsReachTheServerBeforeTheClientGoes();
    void aServerThatDoesNotAnswerIsWaitedForAtMostTheTimeout();
};

void TestFinishPosts::postsReachTheServerBeforeTheClientGoes()
{
    InProcessServer server;
    const QString error = server.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QString project = u"exit/posts"_s;
    constexpr int kCalls = 40;
    {
        net::TraceClient client;
        client.setConnection({ server.url(), {} });
        for (int i = 0; i < kCalls; ++i) {
            const QJsonObject start { { u"project_id"_s, project }, { u"id"_s, u"exit-%1"_s.arg(i) },
                { u"trace_id"_s, u"exit-%1"_s.arg(i) }, { u"op_name"_s, u"closing"_s },
                { u"started_at"_s, u"2025-01-01T00:00:00Z"_s }, { u"attributes"_s, QJsonObject() },
                { u"inputs"_s, QJsonObject() } };
            client.post(nullptr, u"/call/start"_s, { { u"start"_s, start } }, {});
        }
        QVERIFY(client.finishPosts(10000));
    } // no event loop ran: only finishPosts let them out
    QCOMPARE(server.count(QJsonObject { { u"project_id"_s, project } }), kCalls);
}

void TestFinishPosts::aServerThatDoesNotAnswerIsWaitedForAtMostTheTimeout()
{
    // A socket that listens and never accepts: the connection opens (the kernel's backlog) and the
    // request is never answered.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(listener >= 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    QVERIFY(::bind(listener, reinterpret_cast<sockaddr*>(&address), size) == 0);
    QVERIFY(::listen(listener, 8) == 0);
    QVERIFY(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    net::TraceClient client;
    client.setConnection({ QUrl(u"http://127.0.0.1:%1"_s.arg(ntohs(address.sin_port))), {} });
    client.setRetryPolicy(0, 10);
    client.post(nullptr, u"/calls/query_stats"_s, { { u"project_id"_s, u"a/b"_s } }, {});
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!client.finishPosts(300));
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    ::close(listener);
}

QTEST_GUILESS_MAIN(TestFinishPosts)
#include "tst_finishposts.moc"
