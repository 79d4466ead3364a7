// The window's pages together, in the whole app on its embedded server (offscreen, sample traces):
// the last project of a kind of connection comes back at the next start; a project switch leaves
// nothing of the last project (the table's dynamic columns, the filters' fields, the Costs page's
// ops); a new connection reloads every page even for a project of the same name, and lists only
// its own projects; the Models page's "Providers…" opens the providers dialog; calls deleted from
// the table leave the trace and detail panes that showed them; the page's keys work away from the
// table.
#include "../app/apptestutil.h"
#include "../app/faultproxy.h"
#include "../support/samplesession.h"
#include "models/callstablemodel.h"
#include "ui/calldetailpanel.h"
#include "ui/callscontroller.h"
#include "ui/conditiondialog.h"
#include "ui/connectiondialog.h"
#include "ui/dashboardpage.h"
#include "ui/filterbar.h"
#include "ui/modelcatalogpage.h"
#include "ui/playgroundpage.h"
#include "ui/pricespage.h"
#include "ui/savedviewsbar.h"
#include "ui/tracespage.h"
#include "ui/traceview.h"
#include "windowtestutil.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>

using namespace spindle;
using namespace Qt::StringLiterals;
using models::CallsTableModel;

namespace {
constexpr int kWaitMs = 15000;
const QSize kWindow(1600, 900);

void showPage(ui::MainWindow* window, int row)
{
    window->findChild<QListWidget*>()->setCurrentRow(row);
}

// The project chooser's entries.
QStringList listedProjects(ui::MainWindow* window)
{
    QStringList projects;
    for (QComboBox* combo : window->findChildren<QComboBox*>())
        if (combo->isEditable() && combo->findText(window->project()) >= 0)
            for (int i = 0; i < combo->count(); ++i)
                projects.append(combo->itemText(i));
    return projects;
}
} // namespace

class MainWindowTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void lastProjectComesBack();
    void projectSwitchLeavesNothingOfTheLast();
    void newConnectionReloadsTheSameProject();
    void lateListsOfTheLastServerAreDropped();
    void modelsPageOpensTheProviders();
    void deletedCallsLeaveTheSidePanes();
    void pageKeysWorkAwayFromTheTable();
    void splitterSizesComeBack();
    void errorToolsNeedErrors();
    void iconButtonsHaveNames();
    void pageAndTraceTabComeBack(); // last: it leaves the window's page as it found it

private:
    void waitForRows(ui::TracesPage* page);
    static bool logCalls(
        app::AppSession* session, const QString& project, const QList<apptest::CallRecord>& calls);

    QTemporaryDir m_dir;
};

void MainWindowTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    windowtest::isolateSettingsAndKeys(m_dir);
}

void MainWindowTest::waitForRows(ui::TracesPage* page)
{
    QTRY_VERIFY_WITH_TIMEOUT(!page->controller()->isLoading(), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowCount() == 0 || page->model()->isLoaded(0), kWaitMs);
}

void MainWindowTest::lastProjectComesBack()
{
    {
        auto session = startSampleSession(m_dir, u"restore/sample"_s, kWindow);
        QVERIFY(session);
        session->window()->setProject(u"restore/second"_s);
    }
    app::AppOptions options; // no project on the command line
    options.dataDir = m_dir.filePath(u"data"_s);
    options.port = 0;
    app::AppSession again(options);
    QSignalSpy connected(&again, &app::AppSession::connected);
    again.start();
    QVERIFY(connected.wait(kWaitMs));
    QCOMPARE(again.window()->project(), u"restore/second"_s);
}

void MainWindowTest::projectSwitchLeavesNothingOfTheLast()
{
    auto session = startSampleSession(m_dir, u"switch/sample"_s, kWindow);
    QVERIFY(session);
    ui::MainWindow* window = session->window();
    ui::TracesPage* page = window->tracesPage();
    waitForRows(page);
    QVERIFY(page->model()->columnCount() > CallsTableModel::FixedColumnCount);
    QVERIFY(!page->filterBar()->knownFields().isEmpty());
    auto* dashboard = window->findChild<ui::DashboardPage*>();
    QVERIFY(dashboard);
    QTRY_VERIFY_WITH_TIMEOUT(!dashboard->findChild<ui::FilterBar*>()->knownFields().isEmpty(), kWaitMs);
    showPage(window, 1);
    auto* ops = dashboard->findChild<QComboBox*>(u"opFilter"_s);
    QVERIFY(ops);
    QTRY_VERIFY_WITH_TIMEOUT(ops->count() > 2, kWaitMs); // "All ops" and the sample's ops

    window->setProject(u"switch/empty"_s);
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->columnCount(), int(CallsTableModel::FixedColumnCount), kWaitMs);
    QCOMPARE(page->model()->rowCount(), 0);
    QVERIFY(page->filterBar()->knownFields().isEmpty());
    QVERIFY(dashboard->findChild<ui::FilterBar*>()->knownFields().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(ops->count(), 1, kWaitMs);
}

void MainWindowTest::newConnectionReloadsTheSameProject()
{
    auto session = startSampleSession(m_dir, u"connect/sample"_s, kWindow);
    QVERIFY(session);
    ui::MainWindow* window = session->window();
    ui::PricesPage* prices = window->pricesPage();
    showPage(window, 2);
    QTRY_VERIFY_WITH_TIMEOUT(!prices->isLoading() && !prices->unpricedModels().isEmpty(), kWaitMs);
    // A second project on this server, for the list.
    apptest::CallRecord call;
    call.id = u"other-1"_s;
    QVERIFY(logCalls(session.get(), u"connect/other"_s, { call }));
    window->loadProjects();
    QTRY_VERIFY_WITH_TIMEOUT(listedProjects(window).contains(u"connect/other"_s), kWaitMs);

    // Another server, with a project of the same name there (empty).
    apptest::InProcessServer other;
    const QString error = other.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QSettings().setValue(
        u"project/last/%1"_s.arg(int(ui::ConnectionProfile::Kind::Custom)), u"connect/sample"_s);
    ui::ConnectionProfile profile;
    profile.kind = ui::ConnectionProfile::Kind::Custom;
    profile.url = other.url();
    QSignalSpy connected(session.get(), &app::AppSession::connected);
    session->connectProfile(profile);
    QVERIFY(connected.wait(kWaitMs));
    QCOMPARE(window->project(), u"connect/sample"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!prices->isLoading() && prices->unpricedModels().isEmpty(), kWaitMs);
    waitForRows(window->tracesPage());
    QCOMPARE(window->tracesPage()->model()->rowCount(), 0);
    // The first server's columns mean nothing on the second, though the project has the same name.
    QTRY_COMPARE_WITH_TIMEOUT(
        window->tracesPage()->model()->columnCount(), int(CallsTableModel::FixedColumnCount), kWaitMs);
    QVERIFY(window->tracesPage()->filterBar()->knownFields().isEmpty());
    QTest::qWait(100); // the new server's (empty) project list
    QCOMPARE(listedProjects(window), QStringList { u"connect/sample"_s });
}

// An op list or a saved views list from the previous connection that comes after the new
// connection's is dropped, though the project has the same name: the page offers the new server's
// ops and views (there: none).
void MainWindowTest::lateListsOfTheLastServerAreDropped()
{
    auto session = startSampleSession(m_dir, u"lateops/sample"_s, kWindow);
    QVERIFY(session);
    ui::MainWindow* window = session->window();
    showPage(window, 1); // the Costs page loads its ops while shown
    auto* traceOps = window->tracesPage()->filterBar()->findChild<QComboBox*>(u"opFilter"_s);
    auto* costOps = window->findChild<ui::DashboardPage*>()->findChild<QComboBox*>(u"opFilter"_s);
    QVERIFY(traceOps && costOps);
    QTRY_VERIFY_WITH_TIMEOUT(traceOps->count() > 2 && costOps->count() > 2, kWaitMs);
    ui::SavedViewsBar* views = window->tracesPage()->savedViews();
    QSignalSpy listed(views, &ui::SavedViewsBar::listChanged);
    views->saveAsNew(u"First server's"_s);
    QVERIFY(listed.wait(kWaitMs));

    // The same server behind a proxy that holds its op lists (and its saved views).
    apptest::FaultProxy proxy(session->serverUrl().port());
    proxy.holdAnswerOfPath("/objs/query");
    QSettings().setValue(
        u"project/last/%1"_s.arg(int(ui::ConnectionProfile::Kind::Custom)), u"lateops/sample"_s);
    ui::ConnectionProfile profile;
    profile.kind = ui::ConnectionProfile::Kind::Custom;
    profile.url = proxy.url();
    QSignalSpy connected(session.get(), &app::AppSession::connected);
    session->connectProfile(profile);
    QVERIFY(connected.wait(kWaitMs));
    QTRY_VERIFY_WITH_TIMEOUT(proxy.holding(), kWaitMs);

    // A new server with an empty project of the same name, before the held lists come.
    apptest::InProcessServer other;
    const QString error = other.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    profile.url = other.url();
    session->connectProfile(profile);
    QVERIFY(connected.wait(kWaitMs));
    QTRY_COMPARE_WITH_TIMEOUT(traceOps->count(), 1, kWaitMs); // "All ops"
    QTRY_COMPARE_WITH_TIMEOUT(costOps->count(), 1, kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(views->views().isEmpty(), kWaitMs);
    proxy.release();
    QTRY_VERIFY_WITH_TIMEOUT(!proxy.holding(), kWaitMs);
    // The held answers reach the client within a moment (well under this, when they are applied).
    QVERIFY(!QTest::qWaitFor(
        [&] { return traceOps->count() != 1 || costOps->count() != 1 || !views->views().isEmpty(); }, 1500));
    showPage(window, 0);
}

void MainWindowTest::modelsPageOpensTheProviders()
{
    auto session = startSampleSession(m_dir, u"models/sample"_s, kWindow);
    QVERIFY(session);
    QString opened;
    QObject answering; // the timer dies with the test, whatever happens
    QTimer::singleShot(0, &answering, [&opened] {
        if (QWidget* modal = QApplication::activeModalWidget()) {
            opened = QString::fromLatin1(modal->metaObject()->className());
            modal->close();
        }
    });
    session->window()->modelCatalogPage()->findChild<QPushButton*>(u"providers"_s)->click();
    QCOMPARE(opened, u"spindle::ui::ProvidersDialog"_s);
}

void MainWindowTest::deletedCallsLeaveTheSidePanes()
{
    auto session = startSampleSession(m_dir, u"delete/sample"_s, kWindow);
    QVERIFY(session);
    ui::TracesPage* page = session->window()->tracesPage();
    waitForRows(page);
    page->table()->selectRow(0);
    QTRY_VERIFY_WITH_TIMEOUT(
        !page->detailPanel()->callId().isEmpty() && !page->traceView()->traceId().isEmpty(), kWaitMs);
    const QString deleted = page->model()->callAt(0)->id;
    QCOMPARE(page->detailPanel()->callId(), deleted);

    QObject answering;
    QTimer::singleShot(0, &answering, [] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        for (QAbstractButton* button : box ? box->buttons() : QList<QAbstractButton*> {})
            if (box->buttonRole(button) == QMessageBox::DestructiveRole)
                button->click();
    });
    const QString trace = page->traceView()->traceId();
    page->deleteSelected();
    QTRY_VERIFY_WITH_TIMEOUT(page->detailPanel()->callId() != deleted, kWaitMs);
    QVERIFY(page->traceView()->traceId() != trace);
    waitForRows(page);
    QVERIFY(page->model()->rowCount() == 0 || page->model()->callAt(0)->id != deleted);
}

// F5 (and Ctrl+E, Ctrl+D) act on the whole query: they work with the focus in the filter bar too,
// not only in the table.
void MainWindowTest::pageKeysWorkAwayFromTheTable()
{
    auto session = startSampleSession(m_dir, u"keys/sample"_s, kWindow);
    QVERIFY(session);
    ui::MainWindow* window = session->window();
    ui::TracesPage* page = window->tracesPage();
    waitForRows(page);
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window));
    auto* ops = page->filterBar()->findChild<QComboBox*>(u"opFilter"_s);
    ops->setFocus();
    QTRY_VERIFY(ops->hasFocus());
    QSignalSpy loading(page->controller(), &ui::CallsController::loadingChanged);
    QTest::keyClick(ops, Qt::Key_F5);
    QVERIFY(!loading.isEmpty());
    QCOMPARE(loading.first().first().toBool(), true); // a refresh started

    // The buttons' own keys: Details, Live, and + Filter (which opens the condition editor).
    QToolButton* details = nullptr;
    for (QToolButton* button : page->findChildren<QToolButton*>())
        if (button->text() == u"Details"_s)
            details = button;
    QVERIFY(details);
    auto* splitter = page->findChild<QSplitter*>(u"tableAndCallPanes"_s);
    QVERIFY(splitter);
    // 1 open, 0 closed, -1 when the button and the splitter disagree.
    const auto panes = [details, splitter] {
        const bool open = splitter->sizes().value(1) > 0 || splitter->sizes().value(2) > 0;
        return open != details->isChecked() ? -1 : int(open);
    };
    const int before = panes();
    QVERIFY(before >= 0);
    const QString shownCall = page->detailPanel()->callId();
    QTest::keyClick(ops, Qt::Key_I, Qt::ControlModifier);
    QTRY_COMPARE(panes(), 1 - before);
    QTest::keyClick(ops, Qt::Key_I, Qt::ControlModifier);
    QTRY_COMPARE(panes(), before);
    // Closing hands the focus to the table, which makes a row current: that opens no call.
    QCOMPARE(page->detailPanel()->callId(), shownCall);
    QVERIFY(!page->controller()->isLive());
    QTest::keyClick(ops, Qt::Key_L, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_VERIFY(page->controller()->isLive());
    QTest::keyClick(ops, Qt::Key_L, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_VERIFY(!page->controller()->isLive());
    bool editorOpened = false;
    QTimer closer;
    connect(&closer, &QTimer::timeout, &closer, [&editorOpened] {
        if (auto* editor = qobject_cast<ui::ConditionDialog*>(QApplication::activeModalWidget())) {
            editorOpened = true;
            editor->reject();
        }
    });
    closer.start(20);
    QTest::keyClick(ops, Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_VERIFY(editorOpened);
}

// The pages' splitters keep what the user dragged (widgets::rememberSplitter): the Prices page's
// comes back from the settings in the next session.
void MainWindowTest::splitterSizesComeBack()
{
    const QStringList keys { u"layout/detail/call"_s, u"layout/playground/body"_s,
        u"layout/playground/panes"_s, u"layout/prices/top"_s, u"layout/prices/split"_s };
    {
        QSplitter dragged(Qt::Vertical);
        dragged.addWidget(new QWidget);
        dragged.addWidget(new QWidget);
        dragged.setSizes({ 60, 900 }); // the price lists small, the shipped table large
        QSettings().setValue(u"layout/prices/split"_s, dragged.saveState());
    }
    auto session = startSampleSession(m_dir, u"layout/sample"_s, kWindow);
    QVERIFY(session);
    ui::MainWindow* window = session->window();
    for (const QString& key : keys)
        QVERIFY2(window->findChild<QSplitter*>(key), qPrintable(key));
    showPage(window, 2);
    auto* split = window->findChild<QSplitter*>(u"layout/prices/split"_s);
    QTRY_VERIFY(split->isVisible());
    const QList<int> sizes = split->sizes();
    QVERIFY2(sizes.size() == 2 && sizes[0] * 4 < sizes[1],
        qPrintable(u"%1 / %2"_s.arg(sizes.value(0)).arg(sizes.value(1))));
}

bool MainWindowTest::logCalls(
    app::AppSession* session, const QString& project, const QList<apptest::CallRecord>& calls)
{
    bool logged = false;
    session->client()->post(nullptr, u"/call/upsert_batch"_s, apptest::upsertBatchBody(project, calls),
        [&](const QJsonObject&) { logged = true; });
    return QTest::qWaitFor([&] { return logged; }, kWaitMs);
}

// The trace view's error tools ("◀ Error", "Error ▶", "Errors only") work only on a trace with
// errors; otherwise they are disabled and say why.
void MainWindowTest::errorToolsNeedErrors()
{
    auto session = startSampleSession(m_dir, u"errors/sample"_s, kWindow);
    QVERIFY(session);
    ui::TraceView* trace = session->window()->tracesPage()->traceView();
    QAction* next = nullptr;
    for (QAction* action : trace->findChildren<QAction*>())
        if (action->text() == u"Error ▶"_s)
            next = action;
    QVERIFY(next);
    QVERIFY(!next->isEnabled());
    QCOMPARE(next->toolTip(), u"No trace is open"_s);

    apptest::CallRecord ok;
    ok.id = u"ok-root"_s;
    ok.traceId = u"trace-ok"_s;
    ok.endedMs = ok.startedMs + 5;
    apptest::CallRecord root = ok;
    root.id = u"bad-root"_s;
    root.traceId = u"trace-bad"_s;
    apptest::CallRecord child = root;
    child.id = u"bad-child"_s;
    child.parentId = root.id;
    child.exception = u"ValueError: boom"_s;
    QVERIFY(logCalls(session.get(), u"errors/sample"_s, { ok, root, child }));

    QSignalSpy loaded(trace, &ui::TraceView::loaded);
    trace->openTrace(u"errors/sample"_s, u"trace-ok"_s);
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(!next->isEnabled());
    QCOMPARE(next->toolTip(), u"No errors in this trace"_s);
    trace->openTrace(u"errors/sample"_s, u"trace-bad"_s);
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(next->isEnabled());
    QCOMPARE(next->toolTip(), u"Next error (n)"_s);
}

// A button that shows only a symbol or a picture ("✕", an arrow, a thumbnail) has a name a screen
// reader can say. Qt's own buttons are left to Qt.
void MainWindowTest::iconButtonsHaveNames()
{
    auto session = startSampleSession(m_dir, u"names/sample"_s, kWindow);
    QVERIFY(session);
    ui::TracesPage* page = session->window()->tracesPage();
    waitForRows(page);
    page->table()->selectRow(0); // the detail panel's search arrows
    QTRY_VERIFY_WITH_TIMEOUT(!page->detailPanel()->callId().isEmpty(), kWaitMs);
    session->window()->showWarning(u"a message"_s); // the banner's close button
    static const QRegularExpression letter(u"\\p{L}"_s);
    QStringList unnamed;
    for (QAbstractButton* button : session->window()->findChildren<QAbstractButton*>()) {
        const QLatin1String kind(button->metaObject()->className());
        if ((kind != "QToolButton"_L1 && kind != "QPushButton"_L1) || button->text().contains(letter))
            continue; // Qt's own (a table's corner, a tool bar's overflow), or a button with a word on it
        if (button->accessibleName().isEmpty())
            unnamed << u"%1 \"%2\" (tooltip: %3)"_s.arg(
                QString::fromLatin1(button->metaObject()->className()), button->text(), button->toolTip());
    }
    QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(u"; "_s)));
}

// The page the window was closed on and the trace view's Tree or Timeline come back at the next
// start.
void MainWindowTest::pageAndTraceTabComeBack()
{
    const auto traceTabs = [](ui::MainWindow* window) {
        return window->tracesPage()->traceView()->findChild<QTabWidget*>();
    };
    {
        auto session = startSampleSession(m_dir, u"page/sample"_s, kWindow);
        QVERIFY(session);
        QCOMPARE(session->window()->findChild<QListWidget*>()->currentRow(), 0);
        showPage(session->window(), 3); // the Playground
        traceTabs(session->window())->setCurrentIndex(1); // the timeline
        session->window()->close();
    }
    auto session = startSampleSession(m_dir, u"page/sample"_s, kWindow);
    QVERIFY(session);
    auto* pages = session->window()->findChild<QListWidget*>();
    QCOMPARE(pages->currentRow(), 3);
    QVERIFY(session->window()->playgroundPage()->isVisible());
    QCOMPARE(traceTabs(session->window())->currentIndex(), 1);
    traceTabs(session->window())->setCurrentIndex(0);
    showPage(session->window(), 0);
    session->window()->close();
}

QTEST_MAIN(MainWindowTest)
#include "tst_mainwindow.moc"
