// A saved view's unsaved changes are asked about before they would go: a project switch (chooser
// or link), a connection switch and closing the window each ask Save / Discard / Cancel, as a switch
// to another view does. The whole app on its embedded server (offscreen, sample traces).
#include "../app/apptestutil.h"
#include "../app/faultproxy.h"
#include "../support/samplesession.h"
#include "models/callstablemodel.h"
#include "net/traceclient.h"
#include "ui/callscontroller.h"
#include "ui/connectiondialog.h"
#include "ui/filterbar.h"
#include "ui/savedviewsbar.h"
#include "ui/tracespage.h"
#include "windowtestutil.h"

#include <QApplication>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace spindle;
using namespace Qt::StringLiterals;
using windowtest::answeringLeave;
using windowtest::chooseProject;
using windowtest::projectChooser;

namespace {
constexpr int kWaitMs = 15000;
const QSize kWindow(1600, 900);
const QString kQuestion = u"The view “Mine” has unsaved changes."_s;

// The saved view called `label`, as the bar last listed it.
const SavedView* viewNamed(ui::SavedViewsBar* views, const QString& label)
{
    for (const SavedView& view : views->views())
        if (view.label == label)
            return &view;
    return nullptr;
}
} // namespace

class LeaveViewTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void projectSwitchAndCloseAsk();
    void refusedSaveStays();
    void editsDuringTheSaveAskAgain();
    void connectionSwitchAsks();
    void secondLinkWhileAsking();

private:
    // The page's rows loaded, then a view `label` saved and changed (an error status filter).
    void saveAndChangeAView(ui::TracesPage* page, const QString& label);
    // A sample session on `project`, connected again to its own server through `proxy` (made here).
    std::unique_ptr<app::AppSession> startBehindProxy(
        const QString& project, std::unique_ptr<apptest::FaultProxy>& proxy);

    QTemporaryDir m_dir;
};

void LeaveViewTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    windowtest::isolateSettingsAndKeys(m_dir);
}

std::unique_ptr<app::AppSession> LeaveViewTest::startBehindProxy(
    const QString& project, std::unique_ptr<apptest::FaultProxy>& proxy)
{
    auto session = startSampleSession(m_dir, project, kWindow);
    if (!session)
        return nullptr;
    proxy = std::make_unique<apptest::FaultProxy>(session->serverUrl().port());
    QSettings().setValue(u"project/last/%1"_s.arg(int(ui::ConnectionProfile::Kind::Custom)), project);
    ui::ConnectionProfile profile;
    profile.kind = ui::ConnectionProfile::Kind::Custom;
    profile.url = proxy->url();
    QSignalSpy connected(session.get(), &app::AppSession::connected);
    session->connectProfile(profile);
    return connected.wait(kWaitMs) ? std::move(session) : nullptr;
}

void LeaveViewTest::saveAndChangeAView(ui::TracesPage* page, const QString& label)
{
    QTRY_VERIFY_WITH_TIMEOUT(!page->controller()->isLoading(), kWaitMs);
    ui::SavedViewsBar* views = page->savedViews();
    QSignalSpy listed(views, &ui::SavedViewsBar::listChanged);
    views->saveAsNew(label);
    QVERIFY(listed.wait(kWaitMs));
    page->filterBar()->addStatus(u"error"_s);
    QVERIFY(views->isModified());
}

// Cancel stays (project, window and changes), Save goes on once the server has the changes,
// Discard goes on without them.
void LeaveViewTest::projectSwitchAndCloseAsk()
{
    auto session = startSampleSession(m_dir, u"leave/sample"_s, kWindow);
    QVERIFY(session);
    ui::MainWindow* window = session->window();
    ui::TracesPage* page = window->tracesPage();
    ui::SavedViewsBar* views = page->savedViews();
    saveAndChangeAView(page, u"Mine"_s);
    if (QTest::currentTestFailed())
        return;

    QCOMPARE(answeringLeave(u"Cancel"_s, [&] { chooseProject(window, u"leave/other"_s); }), kQuestion);
    QCOMPARE(window->project(), u"leave/sample"_s);
    QCOMPARE(projectChooser(window)->currentText(), u"leave/sample"_s);
    QVERIFY(views->isModified());
    QCOMPARE(answeringLeave(u"Cancel"_s, [&] { window->close(); }), kQuestion);
    QTest::qWait(50);
    QVERIFY(window->isVisible());
    QVERIFY(views->isModified());

    QCOMPARE(answeringLeave(u"Save"_s, [&] { chooseProject(window, u"leave/other"_s); }), kQuestion);
    QTRY_COMPARE_WITH_TIMEOUT(window->project(), u"leave/other"_s, kWaitMs);
    QCOMPARE(answeringLeave(u"Save"_s, [&] { chooseProject(window, u"leave/sample"_s); }), QString());
    QCOMPARE(window->project(), u"leave/sample"_s);
    QTRY_VERIFY_WITH_TIMEOUT(viewNamed(views, u"Mine"_s) != nullptr, kWaitMs);
    QCOMPARE(viewNamed(views, u"Mine"_s)->state.query.statuses, QStringList { u"error"_s }); // saved

    views->loadView(viewNamed(views, u"Mine"_s)->objectId);
    QTRY_COMPARE_WITH_TIMEOUT(views->currentLabel(), u"Mine"_s, kWaitMs);
    page->filterBar()->clearAll();
    QVERIFY(views->isModified());
    QCOMPARE(answeringLeave(u"Discard"_s, [&] { window->close(); }), kQuestion);
    QTRY_VERIFY_WITH_TIMEOUT(!window->isVisible(), kWaitMs);
    QSignalSpy listed(views, &ui::SavedViewsBar::listChanged);
    views->reload(); // what the server has
    QVERIFY(listed.wait(kWaitMs));
    QVERIFY(viewNamed(views, u"Mine"_s));
    QCOMPARE(
        viewNamed(views, u"Mine"_s)->state.query.statuses, QStringList { u"error"_s }); // dropped, not saved
}

// Save in the question goes on only once the server has the changes: a refused save leaves the
// project, the window and the changes as they were, and says why.
void LeaveViewTest::refusedSaveStays()
{
    std::unique_ptr<apptest::FaultProxy> proxied;
    auto session = startBehindProxy(u"refused/sample"_s, proxied);
    QVERIFY(session);
    apptest::FaultProxy& proxy = *proxied;
    ui::MainWindow* window = session->window();
    ui::SavedViewsBar* views = window->tracesPage()->savedViews();
    saveAndChangeAView(window->tracesPage(), u"Kept"_s);
    if (QTest::currentTestFailed())
        return;

    proxy.failPath("/obj/create", 400, 2);
    QSignalSpy failed(session->client(), &net::TraceClient::requestFailed);
    QVERIFY(!answeringLeave(u"Save"_s, [&] { chooseProject(window, u"refused/other"_s); }).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
    QCOMPARE(window->project(), u"refused/sample"_s);
    QVERIFY(views->isModified());
    QVERIFY(!answeringLeave(u"Save"_s, [&] { window->close(); }).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, kWaitMs);
    QTest::qWait(50);
    QVERIFY(window->isVisible());
    QVERIFY(views->isModified());
    QCOMPARE(views->currentLabel(), u"Kept"_s);
}

// Changes made while Save's write is on its way are not in it: the question comes again before the
// switch, and Discard then drops only them.
void LeaveViewTest::editsDuringTheSaveAskAgain()
{
    std::unique_ptr<apptest::FaultProxy> proxied;
    auto session = startBehindProxy(u"during/sample"_s, proxied);
    QVERIFY(session);
    apptest::FaultProxy& proxy = *proxied;
    ui::MainWindow* window = session->window();
    ui::TracesPage* page = window->tracesPage();
    ui::SavedViewsBar* views = page->savedViews();
    saveAndChangeAView(page, u"Mine"_s);
    if (QTest::currentTestFailed())
        return;

    proxy.holdAnswerOfPath("/obj/create");
    QCOMPARE(answeringLeave(u"Save"_s, [&] { chooseProject(window, u"during/other"_s); }), kQuestion);
    QTRY_VERIFY_WITH_TIMEOUT(proxy.holding(), kWaitMs);
    page->filterBar()->addStatus(u"success"_s); // while the save is on its way
    QStringList asked;
    QTimer answering; // the second question comes from the save's answer
    connect(&answering, &QTimer::timeout, &answering, [&asked] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || box->objectName() != u"leaveView"_s)
            return;
        asked.append(box->text());
        for (QAbstractButton* button : box->buttons())
            if (button->text() == u"Discard"_s)
                button->click();
    });
    answering.start(10);
    QTest::qWait(100);
    QCOMPARE(window->project(), u"during/sample"_s); // not before the server has the save
    proxy.release();
    QTRY_COMPARE_WITH_TIMEOUT(window->project(), u"during/other"_s, kWaitMs);
    QCOMPARE(asked, QStringList { kQuestion });
    chooseProject(window, u"during/sample"_s);
    QTRY_VERIFY_WITH_TIMEOUT(viewNamed(views, u"Mine"_s) != nullptr, kWaitMs);
    QCOMPARE(viewNamed(views, u"Mine"_s)->state.query.statuses, QStringList { u"error"_s });
}

// The connection dialog's OK asks too, since the view's changes belong to this server's project:
// Cancel keeps the connection (and does not remember the new profile); Save writes the view to this
// server before connecting to the other; back on the local profile, the view is there as saved.
void LeaveViewTest::connectionSwitchAsks()
{
    auto session = startSampleSession(m_dir, u"conn/sample"_s, kWindow);
    QVERIFY(session);
    const QUrl local = session->serverUrl();
    ui::TracesPage* page = session->window()->tracesPage();
    ui::SavedViewsBar* views = page->savedViews();
    saveAndChangeAView(page, u"Mine"_s);
    if (QTest::currentTestFailed())
        return;
    apptest::InProcessServer other;
    const QString error = other.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    ui::ConnectionProfile profile;
    profile.kind = ui::ConnectionProfile::Kind::Custom;
    profile.url = other.url();
    QSignalSpy connected(session.get(), &app::AppSession::connected);

    QString detail;
    QCOMPARE(answeringLeave(
                 u"Cancel"_s, [&] { session->switchConnection(profile); }, &detail),
        kQuestion);
    QVERIFY2(detail.contains(other.url().toString()), qPrintable(detail));
    QTest::qWait(50);
    QCOMPARE(connected.count(), 0);
    QCOMPARE(session->serverUrl(), local);
    QCOMPARE(ui::ConnectionProfile::load().kind, ui::ConnectionProfile::Kind::Local);
    QVERIFY(views->isModified());

    QCOMPARE(answeringLeave(u"Save"_s, [&] { session->switchConnection(profile); }), kQuestion);
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, kWaitMs);
    QCOMPARE(session->serverUrl(), other.url());
    QCOMPARE(ui::ConnectionProfile::load().url, other.url());

    ui::ConnectionProfile back;
    back.kind = ui::ConnectionProfile::Kind::Local;
    QCOMPARE(
        answeringLeave(u"Save"_s, [&] { session->switchConnection(back); }), QString()); // nothing to ask
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 2, kWaitMs);
    QCOMPARE(session->serverUrl(), local); // the embedded server, still running
    QTRY_VERIFY_WITH_TIMEOUT(viewNamed(views, u"Mine"_s) != nullptr, kWaitMs);
    QCOMPARE(viewNamed(views, u"Mine"_s)->state.query.statuses, QStringList { u"error"_s });
    QTRY_VERIFY_WITH_TIMEOUT(!page->controller()->isLoading() && page->model()->rowCount() > 0, kWaitMs);
}

// A second SDK link while the question about the first is open: still one question, now about the
// latest link, and its answer takes the user there.
void LeaveViewTest::secondLinkWhileAsking()
{
    auto session = startSampleSession(m_dir, u"links/sample"_s, kWindow);
    QVERIFY(session);
    ui::MainWindow* window = session->window();
    saveAndChangeAView(window->tracesPage(), u"Mine"_s);
    if (QTest::currentTestFailed())
        return;
    int most = 0; // the most questions open at once
    const auto countQuestions = [&] {
        most = std::max(most, int(window->findChildren<QMessageBox*>(u"leaveView"_s).size()));
    };
    // Without the fix a second question would wait for an answer: this one cancels it.
    QTimer unstacker;
    unstacker.setSingleShot(true);
    connect(&unstacker, &QTimer::timeout, &unstacker, [&] {
        countQuestions();
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget()))
            box->reject();
    });
    unstacker.start(500);
    QString detail;
    QObject answering;
    QTimer::singleShot(0, &answering, [&] {
        auto* first = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        QVERIFY(first);
        window->openLink(u"links/second"_s, QString());
        countQuestions();
        detail = first->informativeText();
        for (QAbstractButton* button : first->buttons())
            if (button->text() == u"Discard"_s)
                button->click();
    });
    window->openLink(u"links/first"_s, QString());
    QCOMPARE(most, 1);
    QVERIFY2(detail.contains(u"links/second"_s), qPrintable(detail));
    QCOMPARE(window->project(), u"links/second"_s);
}

QTEST_MAIN(LeaveViewTest)
#include "tst_leaveview.moc"
