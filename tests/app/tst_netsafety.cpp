// TraceClient against small cpp-httplib servers that misbehave the way real ones do: a redirect to
// another address (the API key must not follow it), a server that goes away and comes back (what
// reachabilityChanged says, and when), a query slower than the transfer timeout (not a server gone),
// and a 401 when no key was found at all (the message says so).
#include "net/traceclient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLocale>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <atomic>
#include <httplib.h>
#include <memory>
#include <thread>

using namespace spindle;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWaitMs = 10000;

// One cpp-httplib server on a thread, on a port it keeps across stop() and start(): "the server
// went away and came back" at the same address.
class LittleServer
{
public:
    using Setup = std::function<void(httplib::Server&)>;
    explicit LittleServer(Setup setup, int port = 0)
        : m_setup(std::move(setup))
        , m_port(port)
    {
        start();
    }
    ~LittleServer()
    {
        stop();
    }
    void start()
    {
        m_http = std::make_unique<httplib::Server>();
        m_setup(*m_http);
        if (m_port == 0)
            m_port = m_http->bind_to_any_port("127.0.0.1");
        else
            QVERIFY(m_http->bind_to_port("127.0.0.1", m_port));
        m_thread = std::thread([this] { m_http->listen_after_bind(); });
        while (!m_http->is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    void stop()
    {
        if (!m_http)
            return;
        m_http->stop();
        m_thread.join();
        m_http.reset();
    }
    int port() const
    {
        return m_port;
    }
    QUrl url() const
    {
        return QUrl(u"http://127.0.0.1:%1"_s.arg(m_port));
    }

private:
    Setup m_setup;
    int m_port;
    std::unique_ptr<httplib::Server> m_http;
    std::thread m_thread;
};

struct Outcome
{
    bool done = false;
    bool ok = false;
    net::ApiError error;
};

Outcome postAndWait(net::TraceClient& client, const QString& path)
{
    Outcome outcome;
    client.post(
        nullptr, path, QJsonObject { { u"project_id"_s, u"a/b"_s } },
        [&](const QJsonObject&) { outcome.done = outcome.ok = true; },
        [&](const net::ApiError& error) {
            outcome.done = true;
            outcome.error = error;
        });
    if (!QTest::qWaitFor([&] { return outcome.done; }, kWaitMs))
        qWarning("no answer within %d ms", kWaitMs);
    return outcome;
}

void answerJson(httplib::Server& http)
{
    http.Get("/health",
        [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
    http.Post(".*", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(R"({"count": 1})", "application/json");
    });
}

} // namespace

class TestNetSafety : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void redirectElsewhereKeepsTheKey();
    void reachabilityFollowsTheServer();
    void slowAnswerIsNotAServerGone();
    void missingKeyIsNamed();
    void retryAfterIsHonoured();
    void silentServerIsAServerGone();
};

// A server that answers 307 to another port on the same host: another origin. The request with the
// key must not go there, and the error says where the redirect pointed.
void TestNetSafety::redirectElsewhereKeepsTheKey()
{
    std::atomic<int> reached { 0 };
    std::atomic<bool> sawKey { false };
    LittleServer elsewhere([&](httplib::Server& http) {
        http.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
            ++reached;
            sawKey = req.has_header("Authorization");
            res.set_content("{}", "application/json");
        });
    });
    const std::string target = elsewhere.url().toString().toStdString() + "/calls/query_stats";
    LittleServer redirecting([&](httplib::Server& http) {
        http.Post(".*", [&](const httplib::Request&, httplib::Response& res) {
            res.status = 307;
            res.set_header("Location", target);
        });
    });
    net::TraceClient client;
    client.setConnection({ redirecting.url(), u"secret-key"_s });
    const Outcome outcome = postAndWait(client, u"/calls/query_stats"_s);
    QVERIFY(outcome.done);
    QVERIFY(!outcome.ok);
    QCOMPARE(outcome.error.httpStatus, 307);
    QVERIFY2(outcome.error.reason.contains(QString::fromStdString(target)), qPrintable(outcome.error.reason));
    QCOMPARE(reached.load(), 0);
    QVERIFY(!sawKey);
}

// Down, probed, back: a probe that is answered says so (the window stops probing and reloads); a
// failure after that is news again; and a new connection starts presumed reachable, so its first
// failure is news too (the window probes it) even when the one before had failed.
void TestNetSafety::reachabilityFollowsTheServer()
{
    LittleServer server(answerJson);
    net::TraceClient client;
    client.setRetryPolicy(0, 10);
    client.setConnection({ server.url(), {} });
    QSignalSpy reachability(&client, &net::TraceClient::reachabilityChanged);
    QVERIFY(postAndWait(client, u"/calls/query_stats"_s).ok);
    QCOMPARE(reachability.count(), 0);

    server.stop();
    QCOMPARE(postAndWait(client, u"/calls/query_stats"_s).error.httpStatus, 0);
    QCOMPARE(reachability.count(), 1);
    QCOMPARE(reachability.last().first().toBool(), false);

    std::optional<bool> probe;
    client.checkHealth(nullptr, [&](bool ok) { probe = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(probe.has_value(), kWaitMs);
    QCOMPARE(*probe, false);
    QCOMPARE(reachability.count(), 1); // still away: no news

    server.start();
    probe.reset();
    client.checkHealth(nullptr, [&](bool ok) { probe = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(probe.has_value(), kWaitMs);
    QCOMPARE(*probe, true);
    QCOMPARE(reachability.count(), 2);
    QCOMPARE(reachability.last().first().toBool(), true);

    server.stop(); // gone again right after the probe: the reload's failure is news
    QCOMPARE(postAndWait(client, u"/calls/query_stats"_s).error.httpStatus, 0);
    QCOMPARE(reachability.count(), 3);
    QCOMPARE(reachability.last().first().toBool(), false);

    client.setConnection({ server.url(), {} }); // reconnecting to it while it is still away
    QCOMPARE(reachability.count(), 3);
    QCOMPARE(postAndWait(client, u"/calls/query_stats"_s).error.httpStatus, 0);
    QCOMPARE(reachability.count(), 4);
    QCOMPARE(reachability.last().first().toBool(), false);
}

// A server that takes longer than the transfer timeout is there, busy: the error says it did not
// answer in time, and reachability does not change (probing it and re-running the query would loop).
void TestNetSafety::slowAnswerIsNotAServerGone()
{
    std::atomic<bool> release { false };
    LittleServer slow([&](httplib::Server& http) {
        http.Post(".*", [&](const httplib::Request&, httplib::Response& res) {
            for (int i = 0; i < 500 && !release; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            res.set_content("{}", "application/json");
        });
    });
    net::TraceClient client;
    client.setRetryPolicy(0, 10);
    client.setTransferTimeout(300);
    client.setConnection({ slow.url(), {} });
    QSignalSpy reachability(&client, &net::TraceClient::reachabilityChanged);
    const Outcome outcome = postAndWait(client, u"/calls/query_stats"_s);
    release = true;
    QVERIFY(outcome.done && !outcome.ok);
    QVERIFY(outcome.error.timedOut);
    QCOMPARE(outcome.error.httpStatus, 0);
    QVERIFY2(
        outcome.error.message().contains(u"did not answer in time"_s), qPrintable(outcome.error.message()));
    QVERIFY2(!outcome.error.message().contains(u"Cannot reach"_s), qPrintable(outcome.error.message()));
    QCOMPARE(reachability.count(), 0);
}

// A 401 to a request sent without a key: the message says no key was found, and where it was looked
// for. With a key, the server's own reason is the whole story.
void TestNetSafety::missingKeyIsNamed()
{
    LittleServer guarded([](httplib::Server& http) {
        http.Post(".*", [](const httplib::Request&, httplib::Response& res) {
            res.status = 401;
            res.set_content(R"({"reason": "missing or wrong API key"})", "application/json");
        });
    });
    net::TraceClient client;
    client.setConnection({ guarded.url(), {} });
    const Outcome without = postAndWait(client, u"/calls/query_stats"_s);
    QCOMPARE(without.error.httpStatus, 401);
    QCOMPARE(without.error.reason, u"missing or wrong API key"_s);
    QVERIFY2(without.error.message().contains(u"No API key was sent"_s), qPrintable(without.error.message()));
    QVERIFY(without.error.brief().contains(u"WANDB_API_KEY"_s));
    client.setConnection({ guarded.url(), u"wrong"_s });
    const Outcome with = postAndWait(client, u"/calls/query_stats"_s);
    QCOMPARE(with.error.httpStatus, 401);
    QVERIFY(with.error.hint.isEmpty());
    QVERIFY(!with.error.message().contains(u"No API key"_s));
}

// A 429 that says when to come back is retried then, not sooner (the backoff alone would have sent
// three requests within a second); one that asks for longer than is worth holding a request for
// fails at once, and says how long.
void TestNetSafety::retryAfterIsHonoured()
{
    std::atomic<int> requests { 0 };
    std::atomic<int> waitSeconds { 1 };
    std::atomic<bool> asDate { false };
    LittleServer limited([&](httplib::Server& http) {
        http.Post(".*", [&](const httplib::Request&, httplib::Response& res) {
            if (requests++ % 2 == 0) { // every other request: the first of each test below
                res.status = 429;
                const QString at = QLocale::c().toString(QDateTime::currentDateTimeUtc().addSecs(waitSeconds),
                    u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s);
                res.set_header("Retry-After", asDate ? at.toStdString() : std::to_string(waitSeconds.load()));
                res.set_content(R"({"reason": "rate limited"})", "application/json");
                return;
            }
            res.set_content("{}", "application/json");
        });
    });
    net::TraceClient client;
    client.setRetryPolicy(3, 10);
    client.setConnection({ limited.url(), {} });
    QElapsedTimer timer;
    timer.start();
    QVERIFY(postAndWait(client, u"/calls/query_stats"_s).ok);
    QVERIFY2(timer.elapsed() >= 1000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(requests.load(), 2);

    waitSeconds = 120;
    timer.restart();
    const Outcome outcome = postAndWait(client, u"/calls/query_stats"_s);
    QVERIFY(!outcome.ok);
    QCOMPARE(outcome.error.httpStatus, 429);
    QVERIFY2(outcome.error.reason.contains(u"tried again in 120 s"_s), qPrintable(outcome.error.reason));
    QVERIFY(timer.elapsed() < 1000);
    QCOMPARE(requests.load(), 3);

    // As an HTTP date: understood too (Qt's RFC 2822 reader refuses its "GMT": it was retried at once).
    asDate = true;
    requests = 4; // the next one is a 429
    const Outcome dated = postAndWait(client, u"/calls/query_stats"_s);
    QVERIFY(!dated.ok);
    QVERIFY2(dated.error.reason.contains(u"tried again in 1"_s), qPrintable(dated.error.reason));
    QCOMPARE(requests.load(), 5);
}

// A server that takes connections and never answers anything, /health included (a hung process, a
// black-holed route): after a timeout the probe gets no answer either, and the server counts as gone
// (the window then probes it until it is back).
void TestNetSafety::silentServerIsAServerGone()
{
    QTcpServer silent;
    QList<QTcpSocket*> held; // accepted, read from, never answered
    connect(&silent, &QTcpServer::newConnection, &silent, [&] {
        while (QTcpSocket* socket = silent.nextPendingConnection())
            held.append(socket);
    });
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    net::TraceClient client;
    client.setRetryPolicy(0, 10);
    client.setTransferTimeout(300);
    client.setConnection({ QUrl(u"http://127.0.0.1:%1"_s.arg(silent.serverPort())), {} });
    QSignalSpy reachability(&client, &net::TraceClient::reachabilityChanged);
    const Outcome outcome = postAndWait(client, u"/calls/query_stats"_s);
    QVERIFY(outcome.error.timedOut);
    QTRY_COMPARE_WITH_TIMEOUT(reachability.count(), 1, kWaitMs);
    QCOMPARE(reachability.last().first().toBool(), false);
}

QTEST_GUILESS_MAIN(TestNetSafety)
#include "tst_netsafety.moc"
