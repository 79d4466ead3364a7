// GUI test on the offscreen platform: the whole app on its embedded server with sample data.
// Sorts, filters, pages to the end, and saves screenshots of the Traces page under the build dir.
#include "../support/samplesession.h"
#include "app/session.h"
#include "models/callcomparison.h"
#include "models/callstablemodel.h"
#include "ui/calldetailpanel.h"
#include "ui/callscontroller.h"
#include "ui/comparedialog.h"
#include "ui/filterbar.h"
#include "ui/mainwindow.h"
#include "ui/shortcutsheet.h"
#include "ui/tracespage.h"
#include "ui/traceview.h"
#include "widgets/frozentableview.h"

#include <QAction>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QSignalSpy>
#include <QSplitter>
#include <QTableView>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

using namespace spindle;
using models::CallsTableModel;

class TracesPageTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void pinnedOverlayMatchesTheTable(); // first: the first load sizes the columns
    void showsSampleData();
    void longColumnTitlesAreElided();
    void pageListShowsItsShortcuts();
    void shortcutSheetListsThePagesKeys();
    void callPanesOpenWithACall();
    void callPanesKeepTheirRememberedSizes();
    void pageDestroyedWhileItLoads();
    void sortsOnTheServer();
    void filtersOnTheServer();
    void emptyStateIsAboveThePinnedColumns();
    void emptyProjectSaysHowToLogToIt();
    void sdkLinkOpensTheCall();
    void pinnedColumnsFilterAndSort();
    void newRowsArePaintedAtOnce();
    void pinIsRemembered();
    void pagesToTheEnd();
    void comparesSelectedCalls();
    void closingDoesNotWaitForClients(); // last: it closes the app
    void cleanupTestCase();

private:
    void waitForRows();
    void screenshot(const QString& name);
    CallsTableModel* model() const
    {
        return m_session->window()->tracesPage()->model();
    }
    ui::TracesPage* page() const
    {
        return m_session->window()->tracesPage();
    }

    QTemporaryDir m_dir;
    std::unique_ptr<app::AppSession> m_session;
};

void TracesPageTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_session = startSampleSession(m_dir, QStringLiteral("gui-test/sample"), QSize(1500, 900));
    QVERIFY(m_session);
}

void TracesPageTest::waitForRows()
{
    QTRY_VERIFY_WITH_TIMEOUT(!page()->controller()->isLoading(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(model()->rowCount() == 0 || model()->isLoaded(0), 15000);
}

void TracesPageTest::screenshot(const QString& name)
{
    QCoreApplication::processEvents();
    const QString path = QStringLiteral(SPINDLE_BUILD_DIR "/") + name;
    QVERIFY(m_session->window()->grab().save(path));
}

void TracesPageTest::showsSampleData()
{
    waitForRows();
    QVERIFY2(model()->rowCount() >= 50, qPrintable(QString::number(model()->rowCount())));
    // Newest first by default; dynamic columns were discovered from the data.
    QVERIFY(model()->callAt(0)->startedAtMs >= model()->callAt(1)->startedAtMs);
    QVERIFY(model()->columnCount() > CallsTableModel::FixedColumnCount);
    screenshot(QStringLiteral("traces-page.png"));
}

// A title wider than its column ends in "…" instead of being clipped at both ends: its first
// letter stays at the section's left margin, and the tooltip has it whole.
void TracesPageTest::longColumnTitlesAreElided()
{
    waitForRows();
    QTableView* table = page()->table();
    QHeaderView* header = table->horizontalHeader();
    int column = -1;
    for (int c = CallsTableModel::FixedColumnCount; c < model()->columnCount() && column < 0; ++c)
        if (model()->headerData(c, Qt::Horizontal).toString() == QLatin1String("inputs.temperature"))
            column = c;
    QVERIFY(column >= 0);
    const QString title = model()->headerData(column, Qt::Horizontal).toString();
    QCOMPARE(model()->headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString().contains(title), true);
    header->resizeSection(column, header->fontMetrics().horizontalAdvance(title) / 2);
    table->scrollTo(model()->index(0, column));
    QCoreApplication::processEvents();
    const QRect section(
        header->sectionViewportPosition(column), 0, header->sectionSize(column), header->height());
    QVERIFY(section.left() >= 0 && section.right() < header->width());
    const QImage image = header->grab(section).toImage();
    int firstInk = -1;
    for (int x = 2; x < image.width() - 2 && firstInk < 0; ++x)
        for (int y = 3; y < image.height() - 3; ++y)
            if (qGray(image.pixel(x, y)) < 100) {
                firstInk = x;
                break;
            }
    QVERIFY(firstInk >= 0); // the title is drawn
    QVERIFY2(firstInk >= 3, qPrintable(QStringLiteral("ink at x=%1 of %2").arg(firstInk).arg(image.width())));
    header->resizeSection(column, header->defaultSectionSize());
}

// Each page in the list has a picture, and its tooltip names the shortcut that opens it.
void TracesPageTest::pageListShowsItsShortcuts()
{
    auto* pages = m_session->window()->findChild<QListWidget*>();
    QVERIFY(pages);
    QCOMPARE(pages->count(), 5);
    m_session->window()->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_session->window()));
    for (int row = pages->count() - 1; row >= 0; --row) {
        const QListWidgetItem* item = pages->item(row);
        const QImage picture = item->icon().pixmap(16, 16).toImage();
        int inked = 0;
        for (int y = 0; y < picture.height(); ++y)
            for (int x = 0; x < picture.width(); ++x)
                inked += qAlpha(picture.pixel(x, y)) > 128;
        QVERIFY2(inked >= 20, qPrintable(QStringLiteral("%1: %2 pixels").arg(item->text()).arg(inked)));
        const QString key = QStringLiteral("Ctrl+%1").arg(row + 1);
        QVERIFY2(item->toolTip().contains(key), qPrintable(item->toolTip()));
        QTest::keySequence(m_session->window(), QKeySequence(key));
        QCOMPARE(pages->currentRow(), row);
    }
}

// F1 opens a sheet of every key the window and the shown page answer to, read from their widgets:
// another page's keys are not in it, and on every page each key says what it does.
void TracesPageTest::shortcutSheetListsThePagesKeys()
{
    ui::MainWindow* window = m_session->window();
    auto* pages = window->findChild<QListWidget*>();
    QVERIFY(pages);
    pages->setCurrentRow(0);
    const auto restore = qScopeGuard([&] {
        qDeleteAll(window->findChildren<ui::ShortcutSheet*>());
        pages->setCurrentRow(0); // the tests that follow are on the Traces page, in the active window
        window->activateWindow(); // (the offscreen platform does not give it back when a dialog goes)
        if (!QTest::qWaitForWindowActive(window))
            qWarning("the window is not active again: the next tests' keys may go nowhere");
    });
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window));
    const auto openSheet = [window]() -> ui::ShortcutSheet* {
        QTest::keyClick(window, Qt::Key_F1);
        const auto sheets = window->findChildren<ui::ShortcutSheet*>();
        return sheets.size() == 1 && sheets.first()->isVisible() ? sheets.first() : nullptr;
    };
    ui::ShortcutSheet* sheet = openSheet();
    QVERIFY(sheet);
    const auto has = [&sheet](const QKeySequence& key, const QString& area) {
        const QString text = key.toString(QKeySequence::NativeText);
        const auto entries = sheet->entries();
        return std::any_of(entries.begin(), entries.end(), [&](const ui::ShortcutEntry& entry) {
            return entry.area.startsWith(area) && entry.keys.split(QStringLiteral(" or ")).contains(text);
        });
    };
    // Every key of the page's actions and shortcuts (menus, which are windows of their own, aside).
    const QString traces = QStringLiteral("Traces");
    for (const QAction* action : page()->findChildren<QAction*>()) {
        const auto* owner = qobject_cast<const QWidget*>(action->parent());
        if (owner && owner->window() == window && action->isVisible())
            for (const QKeySequence& key : action->shortcuts())
                QVERIFY2(has(key, traces), qPrintable(action->text() + QLatin1Char(' ') + key.toString()));
    }
    for (const QShortcut* shortcut : page()->findChildren<QShortcut*>())
        QVERIFY2(has(shortcut->key(), traces), qPrintable(shortcut->key().toString()));
    // One key, two meanings, each under the part of the page where it applies.
    const QString copy = QKeySequence(QKeySequence::Copy).toString(QKeySequence::NativeText);
    QVERIFY(sheet->entries().contains(
        ui::ShortcutEntry { copy, QStringLiteral("Copy call ID"), QStringLiteral("Traces · Calls table") }));
    QVERIFY(sheet->entries().contains(
        ui::ShortcutEntry { copy, QStringLiteral("Copy value"), QStringLiteral("Traces · Call detail") }));
    QVERIFY(has(QKeySequence(Qt::Key_N), traces)); // the trace view's own keys
    QVERIFY(has(QKeySequence(Qt::Key_0), traces)); // and the timeline's
    const QList<ui::ShortcutEntry> entries = sheet->entries();
    const auto detailHas = [&](const QKeySequence& key, const QString& description) {
        const QString text = key.toString(QKeySequence::NativeText);
        return std::any_of(entries.cbegin(), entries.cend(), [&](const ui::ShortcutEntry& entry) {
            return entry.area == QStringLiteral("Traces · Call detail") && entry.description == description
                && entry.keys.split(QStringLiteral(" or ")).contains(text);
        });
    };
    QVERIFY(detailHas(QKeySequence(Qt::Key_Return), QStringLiteral("Next match"))); // the JSON search's
    QVERIFY(detailHas(QKeySequence(Qt::Key_F3), QStringLiteral("Next match")));
    QVERIFY(detailHas(QKeySequence(Qt::SHIFT | Qt::Key_Return), QStringLiteral("Previous match")));
    QVERIFY(has(QKeySequence(Qt::CTRL | Qt::Key_5), QStringLiteral("Everywhere")));
    QVERIFY(has(QKeySequence::HelpContents, QStringLiteral("Everywhere")));
    QVERIFY(!has(QKeySequence(Qt::CTRL | Qt::Key_Return), QString())); // the playground's, in no area
    QVERIFY(QTest::qWaitForWindowExposed(sheet));
    QVERIFY(sheet->grab().save(QStringLiteral(SPINDLE_BUILD_DIR "/shortcut-sheet.png")));

    // Closed, it goes; asked again on the Costs page, the sheet is the Costs page's.
    QPointer<ui::ShortcutSheet> first = sheet;
    sheet->close();
    QTRY_VERIFY(!first);
    pages->setCurrentRow(1);
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window));
    sheet = openSheet();
    QVERIFY(sheet);
    QVERIFY(has(QKeySequence::Refresh, QStringLiteral("Costs")));
    QVERIFY(!has(QKeySequence(Qt::Key_N), traces));

    // The playground's keys, on its page.
    sheet->close();
    pages->setCurrentRow(3);
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window));
    sheet = openSheet();
    QVERIFY(sheet);
    QVERIFY(has(QKeySequence(Qt::CTRL | Qt::Key_Return), QStringLiteral("Playground")));
    QVERIFY(has(QKeySequence(Qt::Key_Escape), QStringLiteral("Playground")));
    QVERIFY(QTest::qWaitForWindowExposed(sheet));
    QVERIFY(sheet->grab().save(QStringLiteral(SPINDLE_BUILD_DIR "/shortcut-sheet-playground.png")));

    // On every page, every key says what it does.
    for (int row = 0; row < pages->count(); ++row) {
        sheet->close();
        pages->setCurrentRow(row);
        window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window));
        sheet = openSheet();
        QVERIFY(sheet);
        for (const ui::ShortcutEntry& entry : sheet->entries())
            QVERIFY2(!entry.description.isEmpty(), qPrintable(entry.area + QLatin1Char(' ') + entry.keys));
    }
}

// The table has the whole width until a call is chosen (its cost column in view), the call's
// trace and detail open beside it, Esc closes them, and they open again at the same sizes.
void TracesPageTest::callPanesOpenWithACall()
{
    waitForRows();
    auto* splitter = page()->findChild<QSplitter*>(QString(), Qt::FindDirectChildrenOnly);
    QVERIFY(splitter);
    QTableView* table = page()->table();
    QCOMPARE(splitter->sizes().mid(1), QList<int>({ 0, 0 }));
    const int costRight = table->columnViewportPosition(CallsTableModel::CostColumn)
        + table->columnWidth(CallsTableModel::CostColumn);
    QVERIFY2(costRight <= table->viewport()->width(), qPrintable(QString::number(costRight)));

    table->setFocus();
    table->setCurrentIndex(model()->index(2, CallsTableModel::NameColumn));
    QTRY_COMPARE(page()->detailPanel()->callId(), model()->callAt(2)->id);
    const QList<int> open = splitter->sizes();
    QVERIFY2(open.at(1) > 200 && open.at(2) > 200 && open.at(0) > 400,
        qPrintable(QStringLiteral("%1 %2 %3").arg(open.at(0)).arg(open.at(1)).arg(open.at(2))));
    QTest::qWait(200); // the detail's full call
    screenshot(QStringLiteral("traces-page-call-open.png"));

    QTest::keyClick(table, Qt::Key_Escape);
    QCOMPARE(splitter->sizes().mid(1), QList<int>({ 0, 0 }));
    QVERIFY(table->hasFocus());
    table->setCurrentIndex(model()->index(4, CallsTableModel::NameColumn));
    QCOMPARE(splitter->sizes(), open);
    // The toolbar's Details button shows the state, and toggles it.
    QToolButton* details = nullptr;
    for (auto* button : page()->findChildren<QToolButton*>())
        if (button->text() == QLatin1String("Details"))
            details = button;
    QVERIFY(details);
    QVERIFY(details->isChecked());
    QTest::keyClick(table, Qt::Key_Escape); // the screenshots that follow show the table alone
    QVERIFY(!details->isChecked());
    details->click();
    QCOMPARE(splitter->sizes(), open);
    details->click();
    QCOMPARE(splitter->sizes().mid(1), QList<int>({ 0, 0 }));
    // A click on the row that is already chosen opens them again.
    const QModelIndex chosen = table->currentIndex();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(chosen).center());
    QCOMPARE(table->currentIndex(), chosen);
    QCOMPARE(splitter->sizes(), open);
    QTest::keyClick(table, Qt::Key_Escape);

    // A row that is current but not selected (as the table's focus-in leaves one after a query
    // change has emptied the detail) does not open the panes when its data changes, as it does at
    // every live refresh.
    table->selectionModel()->clearSelection();
    page()->detailPanel()->clear(); // as a query change does
    QVERIFY(table->currentIndex().isValid());
    model()->invalidatePages(); // dataChanged on every row
    QTest::qWait(50);
    QCOMPARE(splitter->sizes().mid(1), QList<int>({ 0, 0 }));
}

// Sizes the user dragged are remembered for the panes, and the page still opens on the table alone.
void TracesPageTest::callPanesKeepTheirRememberedSizes()
{
    QSettings().setValue(QStringLiteral("traces/paneSizes"), QVariantList { 600, 300, 500 });
    const auto forget = qScopeGuard([] { QSettings().remove(QStringLiteral("traces/paneSizes")); });
    // A second page, a window of its own.
    auto second = std::make_unique<ui::TracesPage>(m_session->client());
    ui::TracesPage& page = *second;
    page.resize(1400, 800);
    page.show();
    auto* splitter = page.findChild<QSplitter*>(QString(), Qt::FindDirectChildrenOnly);
    QVERIFY(splitter);
    QCOMPARE(splitter->sizes().mid(1), QList<int>({ 0, 0 }));
    page.setProject(m_session->window()->project());
    QTRY_VERIFY_WITH_TIMEOUT(page.model()->rowCount() > 0 && page.model()->isLoaded(0), 15000);
    page.table()->setCurrentIndex(page.model()->index(0, CallsTableModel::NameColumn));
    const QList<int> open = splitter->sizes();
    // 600 : 300 : 500 of the page's width, not the first opening's 37 : 33 : 30.
    QVERIFY2(open.at(2) > open.at(1) * 3 / 2 && open.at(0) > open.at(2),
        qPrintable(QStringLiteral("%1 %2 %3").arg(open.at(0)).arg(open.at(1)).arg(open.at(2))));

    // A drag of the handle between trace and detail is remembered for the next page.
    QSplitterHandle* handle = splitter->handle(2);
    const QPoint grip = handle->rect().center();
    QTest::mousePress(handle, Qt::LeftButton, {}, grip);
    QTest::mouseMove(handle, grip + QPoint(150, 0));
    QTest::mouseRelease(handle, Qt::LeftButton, {}, grip + QPoint(150, 0));
    const QList<int> dragged = splitter->sizes();
    QVERIFY2(dragged.at(1) > open.at(1) + 100, qPrintable(QString::number(dragged.at(1))));
    QCOMPARE(QSettings().value(QStringLiteral("traces/paneSizes")).toList().value(1).toInt(), dragged.at(1));
}

// Pages destroyed while their loads are on their way (rows, count, ops, views; with a call chosen,
// its trace, detail and feedback too): the answers find no page, and the app goes on.
void TracesPageTest::pageDestroyedWhileItLoads()
{
    for (const bool callChosen : { false, true }) {
        auto doomed = std::make_unique<ui::TracesPage>(m_session->client());
        doomed->resize(1200, 700);
        doomed->show();
        doomed->setProject(m_session->window()->project());
        if (callChosen) {
            QTRY_VERIFY_WITH_TIMEOUT(doomed->model()->rowCount() > 0 && doomed->model()->isLoaded(0), 15000);
            doomed->table()->setCurrentIndex(doomed->model()->index(0, CallsTableModel::NameColumn));
        }
        doomed.reset();
        QTest::qWait(300); // their answers arrive meanwhile
    }
    page()->controller()->refresh();
    waitForRows();
    QVERIFY(model()->rowCount() > 0);
}

void TracesPageTest::sortsOnTheServer()
{
    QHeaderView* header = page()->table()->horizontalHeader();
    header->sectionClicked(CallsTableModel::LatencyColumn); // first click: slowest first
    waitForRows();
    const int rows = std::min(model()->rowCount(), 40);
    qint64 previous = std::numeric_limits<qint64>::max();
    for (int row = 0; row < rows; ++row) {
        const Call* call = model()->callAt(row);
        QVERIFY(call);
        if (!call->latencyMs)
            continue; // running calls (no latency) sort last
        QVERIFY2(*call->latencyMs <= previous, qPrintable(QStringLiteral("row %1").arg(row)));
        previous = *call->latencyMs;
    }
    QCOMPARE(page()->controller()->query().sortBy.first().field, QStringLiteral("summary.weave.latency_ms"));
}

void TracesPageTest::filtersOnTheServer()
{
    const int before = page()->controller()->totalCount();
    page()->filterBar()->addStatus(QStringLiteral("error"));
    waitForRows();
    const int errors = page()->controller()->totalCount();
    QVERIFY2(errors > 0 && errors < before, qPrintable(QStringLiteral("%1 of %2").arg(errors).arg(before)));
    for (int row = 0; row < errors; ++row) {
        QTRY_VERIFY(model()->isLoaded(row) || (page()->table()->scrollTo(model()->index(row, 0)), false));
        QCOMPARE(model()->callAt(row)->status, QStringLiteral("error"));
    }
    screenshot(QStringLiteral("traces-page-filtered.png"));
    page()->filterBar()->clearAll();
    waitForRows();
    QCOMPARE(page()->controller()->totalCount(), before);
}

// A query with no calls says so over the whole table, the pinned columns' overlay included: a
// label inside the viewport was hidden beneath it, left half and all.
void TracesPageTest::emptyStateIsAboveThePinnedColumns()
{
    page()->filterBar()->addCondition(
        { QStringLiteral("op_name"), FilterOp::Equals, QStringLiteral("no-such-op") });
    waitForRows();
    QCOMPARE(page()->controller()->totalCount(), 0);
    const auto* table = qobject_cast<const widgets::FrozenTableView*>(page()->table());
    QVERIFY(table && table->pinnedView()->isVisible());
    const auto* empty = table->findChild<QLabel*>();
    QVERIFY(empty && empty->isVisible() && empty->text().contains(QStringLiteral("No calls match")));
    // The topmost widget where the label and the overlay overlap is the label.
    const QRect overlap = empty->geometry() & table->pinnedView()->geometry();
    QVERIFY(!overlap.isEmpty());
    QCOMPARE(table->childAt(overlap.center()), empty);
    screenshot(QStringLiteral("traces-page-empty.png"));
    page()->filterBar()->clearAll();
    waitForRows();
    QVERIFY(!empty->isVisible());
}

// A project without calls shows the variables that point an SDK at this server, one a line, and
// the weave.init call for this very project. The Python SDK needs WANDB_BASE_URL as well.
void TracesPageTest::emptyProjectSaysHowToLogToIt()
{
    m_session->window()->setProject(QStringLiteral("gui-test/empty"));
    waitForRows();
    QCOMPARE(page()->controller()->totalCount(), 0);
    const auto* empty = page()->table()->findChild<QLabel*>();
    QVERIFY(empty && empty->isVisible());
    const QString url = m_session->client()->connection().baseUrl.toString(QUrl::StripTrailingSlash);
    for (const QString& line : { QStringLiteral("WANDB_BASE_URL=%1 \\\n").arg(url),
             QStringLiteral("\nWF_TRACE_SERVER_URL=%1 \\\n").arg(url), QStringLiteral("\nWANDB_API_KEY=any"),
             QStringLiteral("weave.init(\"gui-test/empty\")") })
        QVERIFY2(empty->text().contains(line), qPrintable(empty->text()));
    screenshot(QStringLiteral("traces-page-no-calls.png"));
    m_session->window()->setProject(QStringLiteral("gui-test/sample"));
    waitForRows();
    QVERIFY(!empty->isVisible());
}

// Every traced call prints a link to the W&B app, which WANDB_BASE_URL makes the embedded server:
// opening it in a browser shows the call here (its trace and detail), whatever page was open.
void TracesPageTest::sdkLinkOpensTheCall()
{
    waitForRows();
    const Call* call = model()->callAt(3);
    QVERIFY(call);
    const QString id = call->id, traceId = call->traceId; // the model's rows go with the project
    m_session->window()->setProject(QStringLiteral("gui-test/empty"));
    waitForRows();
    auto* pages = m_session->window()->findChild<QListWidget*>();
    QVERIFY(pages);
    pages->setCurrentRow(1); // Costs
    const QUrl base = m_session->client()->connection().baseUrl;
    QNetworkAccessManager browser;
    std::unique_ptr<QNetworkReply> reply(
        browser.get(QNetworkRequest(base.resolved(QUrl(QStringLiteral("/gui-test/sample/r/call/") + id)))));
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QVERIFY(reply->readAll().contains("The Spindle window shows it now"));
    QTRY_COMPARE(m_session->window()->project(), QStringLiteral("gui-test/sample"));
    QCOMPARE(pages->currentRow(), 0); // Traces
    QTRY_COMPARE_WITH_TIMEOUT(page()->detailPanel()->callId(), id, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(page()->traceView()->traceId(), traceId, 10000);
    QTest::qWait(200); // the detail's full call
    screenshot(QStringLiteral("traces-page-link-opened.png"));

    // A call the project does not have is said, not shown.
    QSignalSpy status(page(), &ui::TracesPage::statusMessage);
    reply.reset(
        browser.get(QNetworkRequest(base.resolved(QUrl(QStringLiteral("/gui-test/sample/r/call/nope"))))));
    QTRY_VERIFY_WITH_TIMEOUT(!status.isEmpty(), 10000);
    QVERIFY(status.last().first().toString().contains(QStringLiteral("No call nope")));
    QCOMPARE(page()->detailPanel()->callId(), id);
}

// Status and Name are pinned by default: Alt+click on a Name cell filters by its op, and a click on
// the Name header sorts, as they do on the table's other columns.
void TracesPageTest::pinnedColumnsFilterAndSort()
{
    waitForRows();
    const auto* table = qobject_cast<const widgets::FrozenTableView*>(page()->table());
    QVERIFY(table && table->pinnedColumns().contains(CallsTableModel::NameColumn));
    const QTableView* overlay = table->pinnedView();
    const QModelIndex name = model()->index(0, CallsTableModel::NameColumn);
    const QString op = model()->callAt(0)->opName;
    QTest::mouseClick(
        overlay->viewport(), Qt::LeftButton, Qt::AltModifier, overlay->visualRect(name).center());
    const QList<FieldCondition> conditions = page()->controller()->query().conditions;
    QCOMPARE(conditions.size(), 1);
    QCOMPARE(conditions.first().field, QStringLiteral("op_name"));
    QCOMPARE(conditions.first().value.toString(), op);
    waitForRows();
    page()->filterBar()->clearAll();
    waitForRows();

    const QHeaderView* header = overlay->horizontalHeader();
    const int x = header->sectionViewportPosition(CallsTableModel::NameColumn) + 5;
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
    QCOMPARE(page()->controller()->query().sortBy.first().field, QStringLiteral("summary.weave.trace_name"));
    QVERIFY(header->isSortIndicatorShown());
    QCOMPARE(header->sortIndicatorSection(), int(CallsTableModel::NameColumn));
    waitForRows();
    screenshot(QStringLiteral("traces-page-sorted-by-name.png"));
    page()->sortBy(QStringLiteral("started_at"), true); // back to the default order
    waitForRows();
}

// Records the model generation each paint of a widget showed.
class PaintWatcher : public QObject
{
public:
    PaintWatcher(QWidget* widget, const CallsTableModel* model)
        : m_model(model)
    {
        widget->installEventFilter(this);
    }
    quint64 lastPaintedGeneration = 0;

protected:
    bool eventFilter(QObject*, QEvent* event) override
    {
        if (event->type() == QEvent::Paint)
            lastPaintedGeneration = m_model->generation();
        return false;
    }

private:
    const CallsTableModel* m_model;
};

// Status and Name are pinned by default, and stay unpinned once the user unpinned them.
void TracesPageTest::pinIsRemembered()
{
    net::TraceClient client;
    const auto pinned = [](const ui::TracesPage& page) {
        return qobject_cast<const widgets::FrozenTableView*>(page.table())->pinnedColumns();
    };
    QSettings().remove(QStringLiteral("columns/pinned"));
    {
        const ui::TracesPage fresh(&client);
        QCOMPARE(pinned(fresh), (QList<int> { CallsTableModel::StatusColumn, CallsTableModel::NameColumn }));
    }
    QSettings().setValue(QStringLiteral("columns/pinned"), false);
    {
        const ui::TracesPage unpinned(&client);
        QVERIFY(pinned(unpinned).isEmpty());
    }
    QSettings().remove(QStringLiteral("columns/pinned"));
}

// The overlay's pinned columns are as wide as the table's beneath them (the page sizes its
// columns with the header's signals blocked), and its header does not turn bold on a selection.
void TracesPageTest::pinnedOverlayMatchesTheTable()
{
    waitForRows();
    const auto* table = qobject_cast<const widgets::FrozenTableView*>(page()->table());
    QVERIFY(table);
    const QTableView* overlay = table->pinnedView();
    QVERIFY(overlay->isVisible());
    int width = 0;
    for (int column : table->pinnedColumns()) {
        QCOMPARE(overlay->columnWidth(column), table->columnWidth(column));
        width += table->columnWidth(column);
    }
    QCOMPARE(table->columnWidth(CallsTableModel::NameColumn), 220);
    QCOMPARE(overlay->width(), width);
    QVERIFY(!overlay->horizontalHeader()->highlightSections());
}

// The first rows of a new query are on screen when the controller reports them, without waiting
// for the event loop's next round (which may run the table's layout first).
void TracesPageTest::newRowsArePaintedAtOnce()
{
    waitForRows();
    // The pinned Status and Name columns are an overlay with a viewport of its own: it shows the
    // new rows in the same frame as the rest of the row (the repaint paints every dirty widget).
    const auto* table = qobject_cast<const widgets::FrozenTableView*>(page()->table());
    QVERIFY(table && !table->pinnedColumns().isEmpty() && table->pinnedView()->isVisible());
    PaintWatcher watcher(page()->table()->viewport(), model());
    PaintWatcher pinnedWatcher(table->pinnedView()->viewport(), model());
    quint64 paintedWhenShown = 0;
    quint64 pinnedPaintedWhenShown = 0;
    quint64 generationWhenShown = 0;
    const auto connection = connect(page()->controller(), &ui::CallsController::firstRowsShown, this, [&] {
        paintedWhenShown = watcher.lastPaintedGeneration;
        pinnedPaintedWhenShown = pinnedWatcher.lastPaintedGeneration;
        generationWhenShown = model()->generation();
    });
    page()->filterBar()->addStatus(QStringLiteral("success"));
    QTRY_VERIFY_WITH_TIMEOUT(generationWhenShown != 0, 15000);
    disconnect(connection);
    QCOMPARE(paintedWhenShown, generationWhenShown);
    QCOMPARE(pinnedPaintedWhenShown, generationWhenShown);
    waitForRows();
    page()->filterBar()->clearAll();
    waitForRows();
}

void TracesPageTest::pagesToTheEnd()
{
    page()->filterBar()->findChild<QCheckBox*>()->setChecked(false); // every call, not only roots
    waitForRows();
    const int total = page()->controller()->totalCount();
    QVERIFY2(total > CallsTableModel::kPageSize, qPrintable(QString::number(total)));
    page()->table()->scrollToBottom();
    QTRY_VERIFY_WITH_TIMEOUT(model()->isLoaded(total - 1), 15000);
    QVERIFY(!model()->callAt(total - 1)->id.isEmpty());
    screenshot(QStringLiteral("traces-page-end.png"));
}

void TracesPageTest::comparesSelectedCalls()
{
    QTableView* table = page()->table();
    table->scrollToTop();
    QTRY_VERIFY_WITH_TIMEOUT(model()->isLoaded(0) && model()->isLoaded(1), 10000);
    table->selectionModel()->select(
        model()->index(0, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    table->selectionModel()->select(
        model()->index(1, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    page()->compareSelected();
    auto* dialog = page()->findChild<ui::CompareDialog*>();
    QVERIFY(dialog);
    QSignalSpy loaded(dialog, &ui::CompareDialog::loaded);
    QVERIFY(loaded.count() > 0 || loaded.wait(10000));
    QCOMPARE(dialog->model()->columnCount(), 3); // the field column and one per call
    QVERIFY(dialog->model()->rowCount() > 3);
    dialog->resize(1200, 800);
    QTest::qWait(200); // let the cards lay out
    QVERIFY(dialog->grab().save(QStringLiteral(SPINDLE_BUILD_DIR "/compare-dialog.png")));
    dialog->close();
}

// Closing the app stops its embedded server, which waited up to 5 s for each connection an SDK
// (or the app itself) kept alive.
void TracesPageTest::closingDoesNotWaitForClients()
{
    const QUrl base = m_session->client()->connection().baseUrl;
    QTcpSocket sdk;
    sdk.connectToHost(base.host(), quint16(base.port()));
    QVERIFY(sdk.waitForConnected(5000));
    sdk.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY(sdk.bytesAvailable() > 0 || sdk.waitForReadyRead(100)); // answered, kept alive
    QElapsedTimer closing;
    closing.start();
    m_session.reset();
    QVERIFY2(
        closing.elapsed() < 2000, qPrintable(QStringLiteral("closing took %1 ms").arg(closing.elapsed())));
}

void TracesPageTest::cleanupTestCase()
{
    m_session.reset();
}

QTEST_MAIN(TracesPageTest)
#include "tst_tracespage.moc"
