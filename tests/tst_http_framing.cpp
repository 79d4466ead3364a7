// Where a request's body ends (server/httpframing.h): requests whose framing the server cannot
// trust are refused at once with a reason, before any body is read; a body over the size limit is
// refused as it arrives, also chunked or compressed; good framings still work.
#include "support/rawhttp.h"
#include "support/testserver.h"

#include <QTest>

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

using namespace spindle::test;
using namespace Qt::StringLiterals;

namespace {

struct RawAnswer
{
    int status = 0; // 0: no status line before the connection closed or 3 s passed
    QByteArray head;
    QByteArray body;
    bool closed = false; // the server closed the connection after the answer
};

// Sends `request` as raw bytes on a new connection and reads one answer. The answer must come
// within 3 s: the server's read timeout is 5 s, so an answer that waited for it never arrives.
// With `untilClosed`, reads on until the server closes the connection (or 3 s pass).
RawAnswer exchange(int port, const QByteArray& request, bool untilClosed = false)
{
    RawAnswer answer;
    const int fd = connectTo(port);
    if (fd < 0)
        return answer;
    const timeval timeout { 3, 0 };
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    QByteArray received = sendAll(fd, request) ? readResponse(fd) : QByteArray();
    if (untilClosed) {
        char buffer[4096];
        while (true) {
            const ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n <= 0) {
                answer.closed = n == 0;
                break;
            }
            received.append(buffer, n); // anything more is a fault: the test compares the body
        }
    }
    ::close(fd);
    const qsizetype headEnd = received.indexOf("\r\n\r\n");
    if (headEnd < 0 || !received.startsWith("HTTP/1.1 "))
        return answer;
    answer.status = received.mid(9, 3).toInt();
    answer.head = received.left(headEnd);
    answer.body = received.mid(headEnd + 4);
    return answer;
}

QByteArray post(const QByteArray& headers, const QByteArray& body = {})
{
    return "POST /calls/query_stats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + headers + "\r\n" + body;
}

// `bytes` as a zlib stream (Content-Encoding: deflate): qCompress's without its 4-byte length.
QByteArray deflated(const QByteArray& bytes)
{
    return qCompress(bytes, 9).mid(4);
}

// `body` as one chunk and the last chunk.
QByteArray chunked(const QByteArray& body)
{
    return QByteArray::number(body.size(), 16) + "\r\n" + body + "\r\n0\r\n\r\n";
}

} // namespace

class TestHttpFraming : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void refusedAtOnce_data();
    void refusedAtOnce();
    void goodFramingsWork_data();
    void goodFramingsWork();
    void refusedKeyClosesTheConnection();
    void authSchemesInAnyCase();
    void crossSiteRequestsAreRefused_data();
    void crossSiteRequestsAreRefused();
    void anotherClientsRefusalCutsNothing();

private:
    TestServer m_server;
};

void TestHttpFraming::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestHttpFraming::refusedAtOnce_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason");
    const QByteArray body = R"({"project_id": "e/p"})";
    const QByteArray length = "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    // curl -X POST without -d sends this: it hung for the server's 5 s read timeout.
    QTest::newRow("POST without a length") << post({}) << 411 << u"needs a Content-Length"_s;
    QTest::newRow("PUT without a length")
        << QByteArray("PUT /objs/o/aliases HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") << 411
        << u"needs a Content-Length"_s;
    QTest::newRow("two lengths that disagree")
        << post(length + "Content-Length: 3\r\n", body) << 400 << u"two Content-Length values"_s;
    QTest::newRow("two lengths, and a request hidden in the body")
        << post(length + "Content-Length: 3\r\n", body + "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        << 400 << u"two Content-Length values"_s;
    QTest::newRow("a length that is not a number")
        << post("Content-Length: 2x\r\n", "{}") << 400 << u"is not a number"_s;
    QTest::newRow("a negative length") << post("Content-Length: -1\r\n") << 400 << u"is not a number"_s;
    QTest::newRow("a length beside chunks")
        << post(length + "Transfer-Encoding: chunked\r\n", "0\r\n\r\n") << 400 << u"not both"_s;
    QTest::newRow("two transfer encodings")
        << post("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", "0\r\n\r\n") << 400
        << u"one Transfer-Encoding header"_s;
    QTest::newRow("an encoding other than chunked") << post("Transfer-Encoding: gzip, chunked\r\n",
        "0\r\n\r\n") << 501 << u"only Transfer-Encoding: chunked"_s;
    QTest::newRow("a content encoding the server cannot read")
        << post(length + "Content-Encoding: zstd\r\n", body) << 415 << u"Content-Encoding 'zstd'"_s;
    QTest::newRow("a content encoding in upper case")
        << post(length + "Content-Encoding: GZIP\r\n", body) << 415 << u"in lower case"_s;
    const QByteArray parts =
        "--b\r\nContent-Disposition: form-data; name=\"project_id\"\r\n\r\ne/p\r\n--b--\r\n";
    QTest::newRow("a multipart body to a JSON route") << QByteArray(
        "POST /calls/query_stats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
        "boundary=b\r\nContent-Length: "
        + QByteArray::number(parts.size()) + "\r\n\r\n" + parts)
                                                      << 415 << u"not multipart/form-data"_s;
    QTest::newRow("a compressed file upload")
        << QByteArray("POST /file/create HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
                      "boundary=b\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc")
        << 415 << u"file upload is not compressed"_s;
    QTest::newRow("a chunked file upload")
        << QByteArray("POST /file/create HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
                      "boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        << 411 << u"file upload needs a Content-Length"_s;
    // The size limit (32 MiB) holds on the body as it inflates, and on chunks: a 40 KB body that
    // inflates to 40 MiB is refused once the limit is passed, not read whole into memory.
    const QByteArray bomb = deflated(QByteArray(40 << 20, ' '));
    QTest::newRow("a compressed body over the limit") << post(
        "Content-Encoding: deflate\r\nContent-Length: " + QByteArray::number(bomb.size()) + "\r\n", bomb)
                                                      << 413 << u"over the server's limit"_s;
    // A body no route takes, that no length bounds: refused unread (it was read and inflated whole
    // before the 404: 1 MB of gzip took the server to 1 GB).
    const QByteArray small = deflated(body);
    QTest::newRow("a compressed body to a path no route serves") << QByteArray(
        "POST /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Encoding: deflate\r\nContent-Length: "
        + QByteArray::number(small.size()) + "\r\n\r\n" + small) << 404
                                                                 << u"no such endpoint: POST /nope"_s;
    QTest::newRow("chunks to a pattern route in another method") << QByteArray(
        "POST /objs/o/aliases HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunked(body)) << 405 << u"method not allowed: POST /objs/o/aliases"_s;
    QTest::newRow("chunks to a path in another method") << QByteArray(
        "PUT /calls/query HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body))
                                                        << 405 << u"method not allowed: PUT /calls/query"_s;
    // A GET's body is not read by the library: it was taken for the next request (a delete, here).
    const QByteArray hidden = "POST /calls/delete HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}";
    QTest::newRow("a GET with a body") << QByteArray(
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + QByteArray::number(hidden.size())
        + "\r\n\r\n" + hidden) << 400 << u"a GET request carries no body"_s;
    QTest::newRow("DELETE without a length")
        << QByteArray("DELETE /calls/query HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") << 411
        << u"needs a Content-Length"_s;
    QTest::newRow("PRI without a length")
        << QByteArray("PRI /calls/query HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") << 411
        << u"needs a Content-Length"_s;
    QTest::newRow("a chunked compressed body over the limit")
        << post("Content-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n", chunked(bomb)) << 413
        << u"over the server's limit"_s;
}

void TestHttpFraming::refusedAtOnce()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, reason);
    const RawAnswer answer = exchange(m_server.port(), request, true);
    QCOMPARE(answer.status, status);
    const QString said = parseJson(answer.body).toObject().value(u"reason").toString();
    QVERIFY2(said.contains(reason), qPrintable(said));
    // Nothing after the request is read: its body, if any, could pass for another request.
    QVERIFY2(answer.head.toLower().contains("connection: close"), answer.head.constData());
    QVERIFY(answer.closed);
    QVERIFY(m_server.isAlive());
}

void TestHttpFraming::goodFramingsWork_data()
{
    QTest::addColumn<QByteArray>("request");
    const QByteArray body = R"({"project_id": "e/p"})";
    const QByteArray length = "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    QTest::newRow("one length") << post(length, body);
    QTest::newRow("the same length twice") << post(length + length, body);
    QTest::newRow("chunks") << post("Transfer-Encoding: chunked\r\n", chunked(body));
    const QByteArray compressed = deflated(body);
    QTest::newRow("a compressed body") << post(
        "Content-Encoding: deflate\r\nContent-Length: " + QByteArray::number(compressed.size()) + "\r\n",
        compressed);
    // Range is GET's: the library cut a write's answer to it (a 416 after the write was made).
    QTest::newRow("a Range on a POST") << post(length + "Range: bytes=900-1000\r\n", body);
    QTest::newRow("compressed chunks")
        << post("Content-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n", chunked(compressed));
    QTest::newRow("a GET without a length") << QByteArray("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

void TestHttpFraming::goodFramingsWork()
{
    QFETCH(QByteArray, request);
    const RawAnswer answer = exchange(m_server.port(), request);
    QCOMPARE(answer.status, 200);
    QVERIFY2(!parseJson(answer.body).isUndefined(), answer.body.constData());
}

// A wrong API key is refused before the body is read: the connection then closes, or the body
// would be read as the next request on it (a 400 for a request the client never sent).
void TestHttpFraming::refusedKeyClosesTheConnection()
{
    TestServer secured;
    QVERIFY2(
        secured.start(TestServer::Options { .apiKey = u"s3cret-key"_s }), qPrintable(secured.errorString()));
    const QByteArray body = R"({"project_id": "e/p"})";
    const RawAnswer answer = exchange(secured.port(),
        post("Content-Length: " + QByteArray::number(body.size()) + "\r\n", body)
            + "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        true);
    QCOMPARE(answer.status, 401);
    QVERIFY2(answer.head.toLower().contains("connection: close"), answer.head.constData());
    QVERIFY(answer.closed);
    // One answer only: neither the body nor the request after it was taken for a request.
    QVERIFY2(!answer.body.contains("HTTP/1.1"), answer.body.constData());
    QVERIFY(secured.isAlive());
}

// HTTP's authentication schemes are case-insensitive: "basic" and "BEARER" are read as the SDKs'
// "Basic" and "Bearer" (they were 401).
void TestHttpFraming::authSchemesInAnyCase()
{
    TestServer secured;
    QVERIFY2(
        secured.start(TestServer::Options { .apiKey = u"s3cret-key"_s }), qPrintable(secured.errorString()));
    const QByteArray basic = QByteArray("api:s3cret-key").toBase64();
    const auto statusWith = [&](const QByteArray& authorization) {
        return exchange(secured.port(),
            "GET /tags?project_id=e/p HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + authorization
                + "\r\n\r\n")
            .status;
    };
    QCOMPARE(statusWith("Basic " + basic), 200);
    QCOMPARE(statusWith("basic " + basic), 200);
    QCOMPARE(statusWith("BEARER s3cret-key"), 200);
    QCOMPARE(statusWith("Bearer s3cret-ke"), 401);
    QCOMPARE(statusWith("Bearer s3cret-keyX"), 401);
    QCOMPARE(statusWith("Basicx " + basic), 401);
}

void TestHttpFraming::crossSiteRequestsAreRefused_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<int>("status");
    const QByteArray own = "Host: 127.0.0.1\r\n";
    QTest::newRow("a program (no Origin)") << own << 200;
    QTest::newRow("localhost") << QByteArray("Host: localhost:6345\r\n") << 200;
    QTest::newRow("IPv6 loopback") << QByteArray("Host: [::1]:6345\r\n") << 200;
    QTest::newRow("a name in capitals, with a final dot") << QByteArray("Host: LOCALHOST.:6345\r\n") << 200;
    // Any page's script could delete calls with a "simple" POST (text/plain, no preflight).
    QTest::newRow("a web page's Origin") << own + "Origin: http://evil.example\r\n" << 403;
    QTest::newRow("a sandboxed page (Origin: null)") << own + "Origin: null\r\n" << 403;
    QTest::newRow("a page on another local port") << own + "Origin: http://127.0.0.1:1\r\n" << 403;
    // DNS rebinding: a site's name pointed at 127.0.0.1, so the page is "same-origin".
    QTest::newRow("a site's name as Host") << QByteArray("Host: attacker.example:6345\r\n") << 403;
    QTest::newRow("a name that starts with 127.") << QByteArray("Host: 127.attacker.example\r\n") << 403;
}

// A server without an API key serves the programs of this machine, not web pages.
void TestHttpFraming::crossSiteRequestsAreRefused()
{
    QFETCH(QByteArray, headers);
    QFETCH(int, status);
    const QByteArray body = R"({"project_id": "e/p"})";
    const RawAnswer answer = exchange(m_server.port(),
        "POST /calls/query_stats HTTP/1.1\r\n" + headers + "Content-Type: text/plain\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QCOMPARE(answer.status, status);
    if (status == 403)
        QVERIFY2(parseJson(answer.body).toObject().value(u"reason").toString().contains(u"this machine"_s),
            answer.body.constData());
    // The page's own origin (the link page's) is this server's.
    const QByteArray ownOrigin = "Origin: http://127.0.0.1:" + QByteArray::number(m_server.port()) + "\r\n";
    QCOMPARE(
        exchange(m_server.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + ownOrigin + "\r\n").status,
        200);
}

// A refusal ends the reads of its own connection only: another client on another address with the
// same port number (127.0.0.2 here; two machines of a team) keeps its upload (it got EOF mid-body).
void TestHttpFraming::anotherClientsRefusalCutsNothing()
{
    const QByteArray body = R"({"project_id": "e/p"})";
    int port = 0;
    const int other = connectFrom("127.0.0.2", 0, m_server.port(), &port);
    QVERIFY(other >= 0);
    const QByteArray request = post("Content-Length: " + QByteArray::number(body.size()) + "\r\n", body);
    QVERIFY(sendAll(other, request.left(request.size() - 5))); // its body is on its way
    QTest::qWait(100); // the server has read its head
    const int refused = connectFrom("127.0.0.1", port, m_server.port());
    QVERIFY(refused >= 0);
    QVERIFY(sendAll(refused, post({}))); // 411, and its connection's reads end
    const timeval timeout { 3, 0 };
    ::setsockopt(refused, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    QVERIFY(readResponse(refused).startsWith("HTTP/1.1 411"));
    ::close(refused);
    ::setsockopt(other, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    QVERIFY(sendAll(other, request.right(5)));
    const QByteArray answer = readResponse(other);
    ::close(other);
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
}

QTEST_GUILESS_MAIN(TestHttpFraming)
#include "tst_http_framing.moc"
