// FeedbackPanel against the real trace server: a note goes to /feedback/create and shows in the
// list, and the field empties only once the server has it (read-only meanwhile, so it is not sent
// twice). When the write fails (here the server has gone away) the typed note stays in the field
// to send again.
#include "apptestutil.h"
#include "net/traceclient.h"
#include "ui/feedbackpanel.h"

#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QTest>

using namespace spindle;
using namespace spindle::apptest;
using namespace Qt::StringLiterals;

class TestFeedbackPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void noteIsKeptUntilTheServerHasIt();
};

void TestFeedbackPanel::noteIsKeptUntilTheServerHasIt()
{
    InProcessServer server;
    const QString error = server.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QString project = u"feedback/notes"_s;
    CallRecord call;
    call.id = u"call-1"_s;
    call.endedMs = call.startedMs + 10;
    QCOMPARE(server.logCalls(project, { call }), 200);

    net::TraceClient client;
    client.setConnection({ server.url(), {} });
    client.setRetryPolicy(0, 10);
    ui::FeedbackPanel panel(&client);
    auto* note = panel.findChild<QLineEdit*>();
    QVERIFY(note);
    panel.setCall(project, call.id);

    note->setText(u"looks right"_s);
    panel.addNote(note->text());
    auto* list = panel.findChild<QListWidget*>();
    QTRY_VERIFY_WITH_TIMEOUT(list->count() == 1 && list->item(0)->text().contains(u"looks right"_s), 10000);
    QCOMPARE(note->text(), QString());
    QVERIFY(!note->isReadOnly());

    server.stop();
    QSignalSpy failed(&client, &net::TraceClient::requestFailed);
    note->setText(u"keep me"_s);
    panel.addNote(note->text());
    // While it is on its way the note cannot be sent twice.
    QVERIFY(note->isReadOnly());
    panel.addNote(note->text());
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 10000);
    QTest::qWait(50);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(note->text(), u"keep me"_s);
    QVERIFY(!note->isReadOnly()); // to send again
}

QTEST_MAIN(TestFeedbackPanel)
#include "tst_feedbackpanel.moc"
