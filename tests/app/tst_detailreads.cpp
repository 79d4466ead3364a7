// The call detail's full read (/call/read) through a proxy that holds its answers: the same call
// shown again while its read is on its way, as each build of a trace streaming in selects it, does
// not start the read over (a slow server's answer would never come), and the answer fills the panel.
// Refs among the values open what they name.
#include "apptestutil.h"
#include "faultproxy.h"
#include "models/jsontreemodel.h"
#include "net/traceclient.h"
#include "ui/calldetailpanel.h"
#include "ui/refdialog.h"
#include "widgets/jsonview.h"

#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

using namespace spindle;
using namespace spindle::apptest;
using namespace Qt::StringLiterals;

class TestDetailReads : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sameCallAgainKeepsItsRead();
    void refsOpenWhatTheyName();
};

namespace {

// Makes `key` of the view's top level the current row; false if there is no such key.
bool selectKey(widgets::JsonView* view, const QString& key)
{
    QAbstractItemModel* model = view->treeView()->model();
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row, 0).data().toString() == key) {
            view->treeView()->setCurrentIndex(model->index(row, 0));
            return true;
        }
    return false;
}

} // namespace

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

// A weave:/// ref among the inputs opens what it names: an object in a dialog of its own (read with
// /refs/read_batch, a ref inside it opening in turn), a call of the project as that call; a table ref
// says it is not shown here.
void TestDetailReads::refsOpenWhatTheyName()
{
    InProcessServer server;
    QVERIFY(server.start().isEmpty());
    const QString project = u"detail/refs"_s;
    const QString callRef = u"weave:///detail/refs/call/other-call"_s;
    const HttpReply created = server.post("/obj/create",
        QJsonObject { { u"obj"_s,
            QJsonObject { { u"project_id"_s, project }, { u"object_id"_s, u"Prompt"_s },
                { u"val"_s,
                    QJsonObject { { u"text"_s, u"Answer briefly."_s }, { u"source"_s, callRef } } } } } });
    QCOMPARE(created.status, 200);
    const QString objectRef =
        u"weave:///detail/refs/object/Prompt:"_s + created.json().value(u"digest"_s).toString();
    CallRecord record;
    record.id = u"ref-1"_s;
    record.endedMs = record.startedMs + 10;
    record.inputs = QJsonObject { { u"prompt"_s, objectRef }, { u"caller"_s, callRef },
        { u"rows"_s, u"weave:///detail/refs/table/abc123"_s }, { u"plain"_s, u"text"_s } };
    QCOMPARE(server.logCalls(project, { record }), 200);
    net::TraceClient client;
    client.setConnection({ server.url(), {} });
    ui::CallDetailPanel panel(&client);
    panel.resize(800, 600);
    panel.show();
    spindle::Call call;
    call.id = record.id;
    call.opName = record.opName;
    panel.showCall(project, call);
    QTRY_VERIFY_WITH_TIMEOUT(panel.isFullyLoaded(), 5000);
    widgets::JsonView* inputs = nullptr;
    for (widgets::JsonView* view : panel.findChildren<widgets::JsonView*>())
        if (selectKey(view, u"prompt"_s))
            inputs = view;
    QVERIFY(inputs);
    QSignalSpy opened(&panel, &ui::CallDetailPanel::openCallRequested);
    QSignalSpy said(&panel, &ui::CallDetailPanel::statusMessage);

    QVERIFY(selectKey(inputs, u"plain"_s));
    inputs->openRef(); // not a ref: nothing
    QVERIFY(!panel.findChild<ui::RefDialog*>());

    QVERIFY(selectKey(inputs, u"prompt"_s));
    inputs->openRef();
    auto* dialog = panel.findChild<ui::RefDialog*>();
    QVERIFY(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->isLoaded(), 5000);
    QVERIFY(selectKey(dialog->view(), u"text"_s));
    QCOMPARE(dialog->view()
                 ->treeView()
                 ->currentIndex()
                 .siblingAtColumn(2)
                 .data(models::JsonTreeModel::FullTextRole)
                 .toString(),
        u"Answer briefly."_s);
    QVERIFY(dialog->grab().save(QStringLiteral(SPINDLE_TEST_SHOT_DIR "/refdialog.png")));
    QVERIFY(selectKey(dialog->view(), u"source"_s)); // a call ref inside the object: the detail opens it
    dialog->view()->openRef();
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened.takeFirst().first().toString(), u"other-call"_s);

    QVERIFY(selectKey(inputs, u"caller"_s));
    inputs->openRef();
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened.takeFirst().first().toString(), u"other-call"_s);

    QVERIFY(selectKey(inputs, u"rows"_s));
    inputs->openRef();
    QCOMPARE(said.size(), 1);
    QVERIFY(said.first().first().toString().contains(u"not shown here"_s));
}

QTEST_MAIN(TestDetailReads)
#include "tst_detailreads.moc"
