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
#include "widgets/chatview.h"
#include "widgets/jsonview.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QJsonArray>
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
    void chatsThePlaygroundTakes();
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

    QAction* openAction = nullptr; // the tree's "Open ref…", Return's and the context menu's
    for (QAction* action : inputs->treeView()->actions())
        if (action->text().startsWith(u"Open ref"_s))
            openAction = action;
    QVERIFY(openAction);
    QVERIFY(selectKey(inputs, u"plain"_s));
    QVERIFY(!openAction->isEnabled());
    inputs->openRef(); // not a ref: nothing
    QVERIFY(!panel.findChild<ui::RefDialog*>());
    QVERIFY(selectKey(inputs, u"caller"_s));
    QVERIFY(openAction->isEnabled());
    inputs->setValue(QJsonObject { { u"plain"_s, u"text"_s } }, QString()); // the current row goes
    QVERIFY(!openAction->isEnabled());
    panel.showCall(project, call);
    QTRY_VERIFY_WITH_TIMEOUT(panel.isFullyLoaded() && selectKey(inputs, u"prompt"_s), 5000);

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
    // Return on a row that is no ref belongs to the tree, not to the dialog's buttons (Close, Copy
    // ref).
    QGuiApplication::clipboard()->setText(u"before"_s);
    dialog->activateWindow();
    dialog->view()->treeView()->setFocus();
    QTest::keyClick(dialog->view()->treeView(), Qt::Key_Return);
    QVERIFY(dialog->isVisible());
    QCOMPARE(QGuiApplication::clipboard()->text(), u"before"_s);
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

// A Responses API call and a Chat Completions call show as chats, and the playground takes both (as
// chat completions). An embeddings call takes a model and an input too, but it is no chat: no button.
void TestDetailReads::chatsThePlaygroundTakes()
{
    InProcessServer server;
    QVERIFY(server.start().isEmpty());
    const QString project = u"detail/chats"_s;
    CallRecord responses;
    responses.id = u"responses-1"_s;
    responses.endedMs = responses.startedMs + 10;
    responses.inputs = QJsonObject { { u"model"_s, u"gpt-5"_s }, { u"input"_s, u"Hi"_s } };
    responses.output = QJsonObject { { u"output"_s,
        QJsonArray { QJsonObject { { u"type"_s, u"message"_s }, { u"role"_s, u"assistant"_s },
            { u"content"_s,
                QJsonArray {
                    QJsonObject { { u"type"_s, u"output_text"_s }, { u"text"_s, u"Hello"_s } } } } } } } };
    CallRecord completions = responses;
    completions.id = u"completions-1"_s;
    completions.inputs = QJsonObject { { u"model"_s, u"gpt-4o"_s },
        { u"messages"_s,
            QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"Hi"_s } } } } };
    CallRecord embeddings = responses;
    embeddings.id = u"embeddings-1"_s;
    embeddings.opName = u"openai.embeddings.create"_s;
    embeddings.inputs = QJsonObject { { u"model"_s, u"text-embedding-3-small"_s }, { u"input"_s, u"Hi"_s } };
    embeddings.output = QJsonObject { { u"data"_s,
        QJsonArray { QJsonObject { { u"embedding"_s, QJsonArray { 0.1, 0.2 } }, { u"index"_s, 0 } } } } };
    QCOMPARE(server.logCalls(project, { responses, completions, embeddings }), 200);
    net::TraceClient client;
    client.setConnection({ server.url(), {} });
    ui::CallDetailPanel panel(&client);
    panel.resize(800, 600);
    panel.show();
    QAction* playground = nullptr;
    for (QAction* action : panel.findChildren<QAction*>())
        if (action->text() == u"Playground"_s)
            playground = action;
    QVERIFY(playground);
    for (const CallRecord& record : { responses, completions, embeddings }) {
        spindle::Call call;
        call.id = record.id;
        panel.showCall(project, call);
        QTRY_VERIFY_WITH_TIMEOUT(panel.isFullyLoaded() && panel.call().id == record.id, 5000);
        auto* chat = panel.findChild<widgets::ChatView*>();
        QVERIFY(chat);
        QCOMPARE(chat->isHidden(), record.id == embeddings.id);
        QCOMPARE(playground->isVisible(), record.id != embeddings.id);
    }
}

QTEST_MAIN(TestDetailReads)
#include "tst_detailreads.moc"
