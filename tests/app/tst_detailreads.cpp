// The call detail's full read (/call/read) through a proxy that holds its answers: the same call
// shown again while its read is on its way, as each build of a trace streaming in selects it, does
// not start the read over (a slow server's answer would never come), and the answer fills the panel.
#include "apptestutil.h"
#include "faultproxy.h"
#include "net/traceclient.h"
#include "ui/calldetailpanel.h"

#include <QTest>

using namespace spindle;
using namespace spindle::apptest;
using namespace Qt::StringLiterals;

class TestDetailReads : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sameCallAgainKeepsItsRead();
};

void TestDetailReads::sameCallAgainKeepsItsRead()
{
    InProcessServer server;
    QVERIFY(server.start().isEmpty());
    CallRecord record;
    record.id = u"read-1"_s;
    record.endedMs = record.startedMs + 10;
    record.inputs = QJsonObject { { u"question"_s, u"why"_s } };
    QCOMPARE(server.logCalls(u"detail/reads"_s, { record }), 200);
    FaultProxy proxy(server.port());
    net::TraceClient client;
    client.setConnection({ proxy.url(), {} });
    ui::CallDetailPanel panel(&client);
    panel.resize(800, 600);
    panel.show();
    spindle::Call call; // as the trace tree has it: no inputs yet
    call.id = record.id;
    call.opName = record.opName;
    call.startedAtMs = record.startedMs;
    call.endedAtMs = record.endedMs;
    proxy.holdAnswerOfPath("/call/read");
    panel.showCall(u"detail/reads"_s, call);
    QTRY_COMPARE_WITH_TIMEOUT(proxy.heldAnswers(), 1, 5000);
    for (int build = 0; build < 3; ++build)
        panel.showCall(u"detail/reads"_s, call);
    QTest::qWait(300); // a read started over would be held here too by now
    QCOMPARE(proxy.heldAnswers(), 1);
    proxy.release();
    QTRY_VERIFY_WITH_TIMEOUT(panel.isFullyLoaded(), 5000);
    QCOMPARE(panel.call().inputs.value(u"question"_s).toString(), u"why"_s);
}

QTEST_MAIN(TestDetailReads)
#include "tst_detailreads.moc"
