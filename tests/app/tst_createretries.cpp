// Retries of requests that create a new row each time (/feedback/create, /cost/create): after a
// 502 or 504 from a gateway the server may have made the row already, so TraceClient does not send
// it again (a second row would be a duplicate). A 503 or 429 means it was not served: retried.
// Requests that can be repeated safely are still retried after a lost answer.
#include "apptestutil.h"
#include "faultproxy.h"
#include "net/traceclient.h"

#include <QTest>

using namespace spindle;
using namespace spindle::apptest;
using namespace Qt::StringLiterals;

namespace {

const QString kProject = u"retry/creates"_s;

QJsonObject createBody(const QString& path)
{
    if (path == u"/feedback/create"_s)
        return { { u"project_id"_s, kProject }, { u"weave_ref"_s, u"weave:///retry/creates/call/c1"_s },
            { u"feedback_type"_s, u"note"_s }, { u"payload"_s, QJsonObject { { u"text"_s, u"once"_s } } } };
    return {
        { u"project_id"_s, kProject },
        { u"costs"_s,
            QJsonObject { { u"my-model"_s,
                QJsonObject { { u"prompt_token_cost"_s, 1e-06 }, { u"completion_token_cost"_s, 2e-06 } } } } }
    };
}

// How many rows the create made, read from the server itself.
int storedRows(const InProcessServer& server, const QString& createPath)
{
    const bool feedback = createPath == u"/feedback/create"_s;
    const HttpReply reply = server.post(
        feedback ? "/feedback/query" : "/cost/query", QJsonObject { { u"project_id"_s, kProject } });
    if (reply.status != 200)
        return -1;
    return QJsonDocument::fromJson(reply.body)
        .object()
        .value(feedback ? u"result"_s : u"results"_s)
        .toArray()
        .size();
}

struct Outcome
{
    bool finished = false;
    int errorStatus = 0;
};

Outcome postAndWait(net::TraceClient& client, const QString& path, const QJsonObject& body)
{
    Outcome outcome;
    client.post(
        nullptr, path, body, [&](const QJsonObject&) { outcome.finished = true; },
        [&](const net::ApiError& error) {
            outcome.finished = true;
            outcome.errorStatus = error.httpStatus;
        });
    if (QTest::qWaitFor([&] { return outcome.finished; }, 10000))
        QTest::qWait(200); // a late retry would have reached the server by now
    return outcome;
}

} // namespace

class TestCreateRetries : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void createIsRetriedOnlyWhenNotServed_data();
    void createIsRetriedOnlyWhenNotServed();
    void repeatableRequestIsRetriedAfterLostAnswer();
};

void TestCreateRetries::createIsRetriedOnlyWhenNotServed_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("served"); // the server made the row before the status came back
    for (const char* path : { "/feedback/create", "/cost/create" })
        for (int status : { 502, 504, 429, 503 })
            QTest::addRow("%s %d", path, status)
                << QString::fromLatin1(path) << status << (status == 502 || status == 504);
}

void TestCreateRetries::createIsRetriedOnlyWhenNotServed()
{
    QFETCH(QString, path);
    QFETCH(int, status);
    QFETCH(bool, served);
    InProcessServer server;
    QVERIFY(server.start().isEmpty());
    FaultProxy proxy(server.port());
    if (served)
        proxy.loseAnswerOfPath(path.toStdString(), status, 1); // a gateway that gave up after the server
    else
        proxy.failPath(path.toStdString(), status, 2); // answered by the proxy, never forwarded
    net::TraceClient client;
    client.setConnection({ proxy.url(), {} });
    client.setRetryPolicy(3, 10);
    const Outcome outcome = postAndWait(client, path, createBody(path));
    QVERIFY(outcome.finished);
    // Served: the user is told, and the row the server made is the only one. Not served: retried.
    QCOMPARE(outcome.errorStatus, served ? status : 0);
    QCOMPARE(storedRows(server, path), 1);
}

void TestCreateRetries::repeatableRequestIsRetriedAfterLostAnswer()
{
    InProcessServer server;
    QVERIFY(server.start().isEmpty());
    FaultProxy proxy(server.port());
    proxy.loseAnswerOfPath("/calls/query_stats", 504, 1);
    net::TraceClient client;
    client.setConnection({ proxy.url(), {} });
    client.setRetryPolicy(3, 10);
    const Outcome outcome =
        postAndWait(client, u"/calls/query_stats"_s, QJsonObject { { u"project_id"_s, kProject } });
    QVERIFY(outcome.finished);
    QCOMPARE(outcome.errorStatus, 0);
}

QTEST_MAIN(TestCreateRetries)
#include "tst_createretries.moc"
