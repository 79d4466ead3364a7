// A name typed into a prompt survives a refusal. Rename a call (the table's and the detail panel's),
// save a view (the views bar and the Costs page) and name a preset each ask with a
// widgets::TextPromptDialog that stays open while the name is saved: a refusal (the server's 400, or a
// server that has gone away) shows the reason under the field with the name kept, and OK sends it
// again. Against the real trace server in-process.
#include "apptestutil.h"
#include "models/callstablemodel.h"
#include "net/traceclient.h"
#include "ui/calldetailpanel.h"
#include "ui/callscontroller.h"
#include "ui/dashboardpage.h"
#include "ui/playgroundpage.h"
#include "ui/providerstore.h"
#include "ui/savedviewsbar.h"
#include "ui/tracespage.h"
#include "widgets/textprompt.h"

#include <QDialogButtonBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace spindle;
using namespace spindle::apptest;
using namespace Qt::StringLiterals;
using widgets::TextPromptDialog;

namespace {
const QString kProject = u"prompts/names"_s;

// The one prompt open under `parent`, waited for.
TextPromptDialog* openPrompt(QWidget* parent)
{
    TextPromptDialog* found = nullptr;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 5000) {
        const auto prompts = parent->findChildren<TextPromptDialog*>();
        if (prompts.size() == 1 && prompts.first()->isVisible())
            found = prompts.first();
        if (found)
            break;
        QTest::qWait(10);
    }
    return found;
}

void typeAndSend(TextPromptDialog* prompt, const QString& text)
{
    prompt->findChild<QLineEdit*>()->setText(text);
    QTest::keyClick(prompt->findChild<QLineEdit*>(), Qt::Key_Return);
}

// Waits until the prompt has its answer; false if it closed instead of showing a refusal.
bool refusalShown(const QPointer<TextPromptDialog>& prompt)
{
    QElapsedTimer clock;
    clock.start();
    while (prompt && prompt->isBusy() && clock.elapsed() < 10000)
        QTest::qWait(10);
    return prompt && prompt->isVisible() && !prompt->isBusy();
}

QString typed(TextPromptDialog* prompt)
{
    return prompt->findChild<QLineEdit*>()->text();
}
} // namespace

class NamePromptsTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void promptWaitsForTheAnswer();
    void tableRenameKeepsARefusedName();
    void detailRenameKeepsARefusedName();
    void viewNameSurvivesAServerAway();
    void dashboardViewNameSurvivesAServerAway();
    void presetNameSurvivesAServerAway();
    void markupInANameIsText();

private:
    QJsonObject readCall(const QString& id);
    // Sends `name` through `prompt` while the server is away, checks the name and a reason stay,
    // then sends it again with the server back; the prompt closes.
    void refusedThenSaved(QPointer<TextPromptDialog> prompt, const QString& name);

    QTemporaryDir m_dir;
    InProcessServer m_server;
    net::TraceClient m_client;
};

void NamePromptsTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(u"spindle-test"_s);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(u"settings"_s));
    const QString error = m_server.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_client.setConnection({ m_server.url(), {} });
    m_client.setRetryPolicy(0, 10); // a server away fails at once
    CallRecord call;
    call.id = u"call-1"_s;
    call.opName = u"weave:///prompts/names/op/answer:d1"_s;
    call.endedMs = call.startedMs + 10;
    QCOMPARE(m_server.logCalls(kProject, { call }), 200);
}

void NamePromptsTest::init()
{
    if (!m_server.isRunning()) { // a failed test may have left it away
        const QString error = m_server.restart();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
}

QJsonObject NamePromptsTest::readCall(const QString& id)
{
    const HttpReply reply =
        m_server.post("/call/read", QJsonObject { { u"project_id"_s, kProject }, { u"id"_s, id } });
    return QJsonDocument::fromJson(reply.body).object().value("call"_L1).toObject();
}

void NamePromptsTest::refusedThenSaved(QPointer<TextPromptDialog> prompt, const QString& name)
{
    QVERIFY(prompt);
    m_server.stop();
    typeAndSend(prompt, name);
    QVERIFY(prompt->isBusy());
    QVERIFY(refusalShown(prompt));
    QCOMPARE(typed(prompt), name);
    QVERIFY2(prompt->errorText().startsWith(u"Not saved: "_s), qPrintable(prompt->errorText()));
    QVERIFY(!prompt->findChild<QLineEdit*>()->isReadOnly());

    const QString error = m_server.restart();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QTest::keyClick(prompt->findChild<QLineEdit*>(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(prompt.isNull(), 10000);
}

void NamePromptsTest::promptWaitsForTheAnswer()
{
    QWidget parent;
    parent.show();
    QList<widgets::PromptReply> replies;
    QStringList sent;
    widgets::promptText(&parent, u"Name"_s, u"Name:"_s, {}, TextPromptDialog::Empty::Refused,
        [&](const QString& text, widgets::PromptReply reply) {
            sent.append(text);
            replies.append(std::move(reply));
        });
    QPointer<TextPromptDialog> prompt = openPrompt(&parent);
    QVERIFY(prompt);
    QPushButton* ok = prompt->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled()); // nothing typed yet
    typeAndSend(prompt, u"   "_s);
    QVERIFY(sent.isEmpty()); // only spaces: Enter sends nothing

    typeAndSend(prompt, u"  first  "_s);
    QCOMPARE(sent, QStringList { u"first"_s }); // trimmed
    QVERIFY(prompt->isBusy() && !ok->isEnabled());
    QVERIFY(prompt->findChild<QLineEdit*>()->isReadOnly());
    QTest::keyClick(prompt->findChild<QLineEdit*>(), Qt::Key_Return);
    QCOMPARE(sent.size(), 1); // not sent twice while it is on its way

    replies.takeFirst()(u"taken"_s);
    QVERIFY(refusalShown(prompt));
    QVERIFY(ok->isEnabled());
    QCOMPARE(prompt->errorText(), u"Not saved: taken"_s);
    QCOMPARE(typed(prompt), u"  first  "_s);

    typeAndSend(prompt, u"second"_s);
    QCOMPARE(sent.last(), u"second"_s);
    QVERIFY(prompt->errorText().isEmpty()); // "Saving…" now
    replies.takeFirst()({});
    QTRY_VERIFY(prompt.isNull());

    // Cancel while a name is on its way: the late answer finds no prompt, and nothing breaks.
    widgets::promptText(&parent, u"Name"_s, u"Name:"_s, u"third"_s, TextPromptDialog::Empty::Allowed,
        [&](const QString&, widgets::PromptReply reply) { replies.append(std::move(reply)); });
    prompt = openPrompt(&parent);
    QVERIFY(prompt);
    QTest::keyClick(prompt->findChild<QLineEdit*>(), Qt::Key_Return);
    QCOMPARE(replies.size(), 1);
    prompt->reject();
    replies.takeFirst()(u"too late"_s);
    QTRY_VERIFY(prompt.isNull());
}

void NamePromptsTest::tableRenameKeepsARefusedName()
{
    ui::TracesPage page(&m_client);
    page.resize(1200, 700);
    page.show();
    page.setProject(kProject);
    QTRY_VERIFY_WITH_TIMEOUT(page.model()->rowCount() == 1 && page.model()->isLoaded(0), 10000);
    page.table()->setCurrentIndex(page.model()->index(0, 1));
    page.renameCurrent();
    QPointer<TextPromptDialog> prompt = openPrompt(&page);
    QVERIFY(prompt);

    // Over the server's limit: its 400 and reason, with the whole name kept to shorten.
    const QString tooLong(1025, u'x');
    typeAndSend(prompt, tooLong);
    QVERIFY(refusalShown(prompt));
    QVERIFY2(prompt->errorText().contains(u"limited to 1024 characters"_s), qPrintable(prompt->errorText()));
    QCOMPARE(typed(prompt), tooLong);
    QVERIFY(prompt->grab().save(QStringLiteral(SHOT_DIR "/prompt_refused.png")));

    typeAndSend(prompt, u"Answer, renamed"_s);
    QTRY_VERIFY_WITH_TIMEOUT(prompt.isNull(), 10000);
    QCOMPARE(readCall(u"call-1"_s).value("display_name"_L1).toString(), u"Answer, renamed"_s);
}

void NamePromptsTest::detailRenameKeepsARefusedName()
{
    ui::CallDetailPanel panel(&m_client);
    panel.resize(800, 600);
    panel.show();
    spindle::Call call;
    call.id = u"call-1"_s;
    call.opName = u"weave:///prompts/names/op/answer:d1"_s;
    panel.showCall(kProject, call);
    panel.rename();
    QPointer<TextPromptDialog> prompt = openPrompt(&panel);
    QVERIFY(prompt);
    typeAndSend(prompt, QString(1025, u'y'));
    QVERIFY(refusalShown(prompt));
    QVERIFY(prompt->errorText().contains(u"limited to 1024 characters"_s));
    QCOMPARE(typed(prompt), QString(1025, u'y'));

    refusedThenSaved(prompt, u"From the panel"_s);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(readCall(u"call-1"_s).value("display_name"_L1).toString(), u"From the panel"_s);
}

// A name is the trace's text: one that looks like markup is shown as it is, and an <img> in it
// reads no file (a QLabel's rich text would load it, /dev/zero for ever).
void NamePromptsTest::markupInANameIsText()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(u"tall.png"_s);
    QImage tall(20, 600, QImage::Format_RGB32);
    tall.fill(Qt::red);
    QVERIFY(tall.save(file));
    ui::CallDetailPanel panel(&m_client);
    panel.resize(800, 600);
    panel.show();
    spindle::Call call;
    call.id = u"call-markup"_s;
    call.displayName = u"<img src=\"%1\">"_s.arg(file);
    call.opName = call.displayName;
    panel.showCall(kProject, call);
    QLabel* title = nullptr;
    for (QLabel* label : panel.findChildren<QLabel*>())
        if (label->text() == call.displayName)
            title = label;
    QVERIFY(title);
    QCOMPARE(title->textFormat(), Qt::PlainText);
    QVERIFY2(title->sizeHint().height() < 100, qPrintable(QString::number(title->sizeHint().height())));
    QVERIFY(!Qt::mightBeRichText(title->toolTip()) || title->toolTip().contains(u"&lt;img"_s));
}

void NamePromptsTest::viewNameSurvivesAServerAway()
{
    ui::TracesPage page(&m_client);
    page.resize(1200, 700);
    page.show();
    page.setProject(kProject);
    QTRY_VERIFY_WITH_TIMEOUT(!page.controller()->isLoading(), 10000);
    ui::SavedViewsBar* views = page.savedViews();
    views->saveAsNew();
    refusedThenSaved(openPrompt(&page), u"Kept through an outage"_s);
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(views->currentLabel(), u"Kept through an outage"_s, 10000);

    views->rename();
    refusedThenSaved(openPrompt(&page), u"Renamed through an outage"_s);
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(views->currentLabel(), u"Renamed through an outage"_s, 10000);
}

void NamePromptsTest::dashboardViewNameSurvivesAServerAway()
{
    ui::DashboardPage dashboard(&m_client);
    dashboard.resize(1200, 800);
    dashboard.show();
    dashboard.setProject(kProject);
    QSignalSpy saved(&dashboard, &ui::DashboardPage::viewSaved);
    dashboard.saveFilterAsView();
    refusedThenSaved(openPrompt(&dashboard), u"Costs view"_s);
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 10000);
    QCOMPARE(saved.first().first().toString(), u"Costs view"_s);
}

void NamePromptsTest::presetNameSurvivesAServerAway()
{
    ui::ProviderStore providers(m_dir.filePath(u"providers.ini"_s));
    ui::PlaygroundPage page(&m_client, &providers);
    page.resize(1200, 800);
    page.show();
    page.setProject(kProject);
    ui::PlaygroundPane* pane = page.panes().first();
    Q_EMIT pane->savePresetRequested();
    QPointer<TextPromptDialog> prompt = openPrompt(&page);
    refusedThenSaved(prompt, u"My preset"_s);
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY_WITH_TIMEOUT(page.presetNames().contains(u"My preset"_s), 10000);
}

QTEST_MAIN(NamePromptsTest)
#include "tst_nameprompts.moc"
