// FeedbackPanel against the real trace server: a note goes to /feedback/create and shows in the
// list, and the field empties only once the server has it (read-only meanwhile, so it is not sent
// twice). When the write fails (here the server has gone away) the typed note stays in the field
// to send again.
#include "apptestutil.h"
#include "net/traceclient.h"
#include "ui/feedbackpanel.h"

#include <QDateTime>
#include <QDir>
#include <QJsonObject>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
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
    void noteStaysWithItsCall();
    void noteOnItsWayStaysWithItsCall();
    void longPayloadRowIsShortAndLocal();

private:
    // `server` started with one finished call per id logged into `project`.
    static void startWithCalls(InProcessServer& server, const QString& project, const QStringList& ids);
};

void TestFeedbackPanel::startWithCalls(
    InProcessServer& server, const QString& project, const QStringList& ids)
{
    const QString error = server.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QList<CallRecord> calls;
    for (const QString& id : ids) {
        CallRecord call;
        call.id = id;
        call.endedMs = call.startedMs + 10;
        calls.append(call);
    }
    QCOMPARE(server.logCalls(project, calls), 200);
}

void TestFeedbackPanel::noteIsKeptUntilTheServerHasIt()
{
    InProcessServer server;
    const QString project = u"feedback/notes"_s;
    startWithCalls(server, project, { u"call-1"_s });
    if (QTest::currentTestFailed())
        return;

    net::TraceClient client;
    client.setConnection({ server.url(), {} });
    client.setRetryPolicy(0, 10);
    ui::FeedbackPanel panel(&client);
    auto* note = panel.findChild<QLineEdit*>();
    QVERIFY(note);
    panel.setCall(project, u"call-1"_s);

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

// A note typed on one call and not sent does not follow the user to the next call (where Enter
// would attach it there); it is waiting when they come back.
void TestFeedbackPanel::noteStaysWithItsCall()
{
    InProcessServer server;
    const QString project = u"feedback/drafts"_s;
    startWithCalls(server, project, { u"call-a"_s, u"call-b"_s });
    if (QTest::currentTestFailed())
        return;
    const QString a = u"call-a"_s;
    const QString b = u"call-b"_s;
    net::TraceClient client;
    client.setConnection({ server.url(), {} });
    ui::FeedbackPanel panel(&client);
    auto* note = panel.findChild<QLineEdit*>();
    auto* list = panel.findChild<QListWidget*>();
    QVERIFY(note && list);

    panel.setCall(project, a);
    note->setText(u"about A"_s);
    panel.setCall(project, b);
    QCOMPARE(note->text(), QString());
    QTest::keyClick(note, Qt::Key_Return); // nothing to send on B
    panel.setCall(project, b); // the same call again (a refresh) keeps its field
    note->setText(u"about B"_s);
    panel.setCall(project, b);
    QCOMPARE(note->text(), u"about B"_s);
    panel.setCall(project, a);
    QCOMPARE(note->text(), u"about A"_s);
    // Nothing was sent: the list says so for both calls.
    const QString none = u"No feedback yet"_s;
    QTRY_VERIFY_WITH_TIMEOUT(list->count() == 1 && list->item(0)->text().startsWith(none), 10000);
    panel.setCall(project, b);
    QTRY_VERIFY_WITH_TIMEOUT(list->count() == 1 && list->item(0)->text().startsWith(none), 10000);
}

// A note on its way to the server stays with its call: away and back before the answer, the field
// shows it, read-only; a refusal then leaves it there to send again, and a success empties it.
void TestFeedbackPanel::noteOnItsWayStaysWithItsCall()
{
    InProcessServer server;
    const QString project = u"feedback/sending"_s;
    startWithCalls(server, project, { u"call-a"_s, u"call-b"_s });
    if (QTest::currentTestFailed())
        return;
    net::TraceClient client;
    client.setConnection({ server.url(), {} });
    client.setRetryPolicy(0, 10);
    ui::FeedbackPanel panel(&client);
    auto* note = panel.findChild<QLineEdit*>();
    auto* list = panel.findChild<QListWidget*>();
    QVERIFY(note && list);

    panel.setCall(project, u"call-a"_s);
    note->setText(u"sent"_s);
    panel.addNote(note->text());
    panel.setCall(project, u"call-b"_s); // before the answer
    QCOMPARE(note->text(), QString());
    QVERIFY(!note->isReadOnly());
    panel.setCall(project, u"call-a"_s);
    QCOMPARE(note->text(), u"sent"_s);
    QVERIFY(note->isReadOnly());
    QTRY_VERIFY_WITH_TIMEOUT(list->count() == 1 && list->item(0)->text().contains(u"sent"_s), 10000);
    QCOMPARE(note->text(), QString());
    QVERIFY(!note->isReadOnly());

    server.stop();
    note->setText(u"keep me"_s);
    panel.addNote(note->text());
    panel.setCall(project, u"call-b"_s);
    panel.setCall(project, u"call-a"_s);
    QVERIFY(note->isReadOnly()); // on its way
    QTRY_VERIFY_WITH_TIMEOUT(!note->isReadOnly(), 10000); // the refusal: editable, to send again
    QCOMPARE(note->text(), u"keep me"_s);
}

// A custom payload (up to 1 MiB) shows its start in the row and more in the tool tip; the time is
// the local time, as the calls table shows it, not the server's UTC.
void TestFeedbackPanel::longPayloadRowIsShortAndLocal()
{
    qputenv("TZ", "Asia/Kolkata"); // UTC+5:30: a UTC time shown as it is would be off
    InProcessServer server;
    const QString project = u"feedback/long"_s;
    startWithCalls(server, project, { u"call-1"_s });
    if (QTest::currentTestFailed())
        return;
    const HttpReply created = server.post("/feedback/create",
        QJsonObject { { u"project_id"_s, project },
            { u"weave_ref"_s, u"weave:///feedback/long/call/call-1"_s },
            { u"feedback_type"_s, u"custom.review"_s },
            { u"payload"_s, QJsonObject { { u"text"_s, QString(20000, u'x') } } } });
    QCOMPARE(created.status, 200);
    const QString createdAt = created.json().value(u"created_at"_s).toString();
    const QDateTime when = QDateTime::fromString(createdAt, Qt::ISODateWithMs);
    QVERIFY2(when.isValid(), qPrintable(createdAt));

    net::TraceClient client;
    client.setConnection({ server.url(), {} });
    ui::FeedbackPanel panel(&client);
    panel.setCall(project, u"call-1"_s);
    auto* list = panel.findChild<QListWidget*>();
    QTRY_VERIFY_WITH_TIMEOUT(list->count() == 1 && list->item(0)->text().contains(u"custom.review"_s), 10000);
    const QString row = list->item(0)->text();
    QVERIFY2(row.size() < 400, qPrintable(QString::number(row.size())));
    QVERIFY(list->item(0)->toolTip().size() > row.size());
    QVERIFY2(row.contains(QLocale().toString(when.toLocalTime(), QLocale::ShortFormat)),
        qPrintable(row.right(60)));
    QVERIFY(!row.contains(createdAt.left(16).replace(u'T', u' '))); // not UTC
    const QDateTime shifted = when.toUTC().addSecs(5 * 3600 + 1800); // the UTC+5:30 wall clock
    QVERIFY2(row.contains(shifted.toString(u"h:mm"_s)) || row.contains(shifted.toString(u"hh:mm"_s)),
        qPrintable(row.right(40)));
    panel.resize(640, 240);
    panel.show();
    QVERIFY(panel.grab().save(QDir::temp().filePath(QStringLiteral("spindle_feedback_long.png"))));
    qunsetenv("TZ");
}

QTEST_MAIN(TestFeedbackPanel)
#include "tst_feedbackpanel.moc"
