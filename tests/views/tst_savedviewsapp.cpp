// Saved views in the whole app (offscreen, embedded server, sample traces): save a view, switch
// away, come back to the same table (filters, time range, sort, column order and widths); what a
// view that names missing ops and columns drops, and says; a broken view listed as broken. Saves
// screenshots of the window and of the views menu under the build dir.
#include "../support/samplesession.h"
#include "models/callstablemodel.h"
#include "ui/callscontroller.h"
#include "ui/filterbar.h"
#include "ui/savedviewsbar.h"
#include "ui/tracespage.h"
#include "widgets/banner.h"

#include <QApplication>
#include <QDialog>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QTableView>
#include <QTimer>
#include <QToolButton>

using namespace spindle;
using namespace Qt::StringLiterals;
using models::CallsTableModel;

class SavedViewsAppTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void saveSwitchAndComeBack();
    void reportsWhatWasDropped();
    void listsBrokenViews();
    void switchRenameDelete();
    void deleteAnswerKeepsAViewOpenedMeanwhile();
    void leavingAChangedViewAsks();

private:
    QJsonObject post(const QString& path, const QJsonObject& body);
    void waitForRows();
    void reloadViews();
    int columnOf(const QString& field) const;
    // Picks `label` in the views menu, answering a question about unsaved changes with `answer`;
    // returns the question's text ("" when none was asked).
    QString chooseInMenu(const QString& label, const QString& answer);
    const SavedView* viewNamed(const QString& label) const;
    ui::TracesPage* page() const
    {
        return m_session->window()->tracesPage();
    }
    ui::SavedViewsBar* views() const
    {
        return page()->savedViews();
    }

    const QString m_project = u"views-app/sample"_s;
    QTemporaryDir m_dir;
    std::unique_ptr<app::AppSession> m_session;
};

void SavedViewsAppTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Wide enough for the table next to the trace and the detail panes (their minimum widths).
    m_session = startSampleSession(m_dir, m_project, QSize(2000, 900));
    QVERIFY(m_session);
    waitForRows();
}

QJsonObject SavedViewsAppTest::post(const QString& path, const QJsonObject& body)
{
    QJsonObject result;
    bool done = false;
    m_session->client()->post(
        nullptr, path, body, [&](const QJsonObject& json) { result = json, done = true; },
        [&](const net::ApiError& e) {
            result = { { u"error"_s, e.message() } }, done = true;
        });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(done, 10000); }();
    return result;
}

void SavedViewsAppTest::waitForRows()
{
    QTRY_VERIFY_WITH_TIMEOUT(!page()->controller()->isLoading(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(page()->model()->rowCount() == 0 || page()->model()->isLoaded(0), 15000);
}

void SavedViewsAppTest::reloadViews()
{
    QSignalSpy listed(views(), &ui::SavedViewsBar::listChanged);
    views()->reload();
    QVERIFY(listed.wait(10000));
}

int SavedViewsAppTest::columnOf(const QString& field) const
{
    for (int column = 0; column < page()->model()->columnCount(); ++column)
        if (page()->model()->columnField(column) == field)
            return column;
    return -1;
}

void SavedViewsAppTest::saveSwitchAndComeBack()
{
    QVERIFY(!views()->isModified());
    QHeaderView* header = page()->table()->horizontalHeader();
    const int firstDynamic = CallsTableModel::FixedColumnCount;
    QVERIFY2(page()->model()->columnCount() >= firstDynamic + 2, "the sample shows two dynamic columns");
    // The user's edits: a status filter, a time range, a sort, a column dragged ahead of another,
    // and a column made wider.
    page()->filterBar()->addStatus(u"error"_s);
    QVERIFY(views()->isModified());
    CallsQuery ranged = page()->controller()->query();
    ranged.startedAfter = QDateTime::currentDateTimeUtc().addDays(-30);
    ranged.startedBefore = QDateTime::currentDateTimeUtc().addDays(1);
    page()->filterBar()->setFrom(ranged);
    Q_EMIT page()->filterBar()->changed();
    page()->sortBy(u"summary.weave.latency_ms"_s, false);
    const QString moved = page()->model()->columnField(firstDynamic + 1);
    header->moveSection(header->visualIndex(firstDynamic + 1), header->visualIndex(firstDynamic));
    QCOMPARE(page()->currentState().visibleColumns.first(), moved);
    header->resizeSection(CallsTableModel::LatencyColumn, 333);
    waitForRows();
    const TracesViewState saved = page()->currentState();
    QCOMPARE(saved.columnWidths.value(u"summary.weave.latency_ms"_s), 333);

    QSignalSpy listed(views(), &ui::SavedViewsBar::listChanged);
    views()->saveAsNew(u"Errors by latency"_s);
    QVERIFY(listed.wait(10000));
    QCOMPARE(views()->currentLabel(), u"Errors by latency"_s);
    QVERIFY(!views()->isModified());
    QVERIFY(m_session->window()->windowTitle().startsWith(u"Errors by latency"_s));
    const QString id = views()->currentObjectId();

    // Away: the default view, where the same column gets another width.
    views()->loadDefault();
    waitForRows();
    QVERIFY(page()->controller()->query().statuses.isEmpty());
    QVERIFY(!page()->controller()->query().startedAfter);
    header->resizeSection(CallsTableModel::LatencyColumn, 150);
    QVERIFY(!views()->isModified());

    // Back: the same table, widths included, and not modified.
    views()->loadView(id);
    waitForRows();
    const TracesViewState back = page()->currentState();
    QCOMPARE(back.query, saved.query);
    QCOMPARE(back.visibleColumns, saved.visibleColumns);
    QCOMPARE(page()->model()->columnField(firstDynamic), moved);
    QCOMPARE(header->sectionSize(CallsTableModel::LatencyColumn), 333);
    QCOMPARE(back.pageSize, saved.pageSize);
    QCOMPARE(back.pinned, saved.pinned);
    QVERIFY(!views()->isModified());
    QVERIFY(m_session->window()->grab().save(QStringLiteral(SPINDLE_BUILD_DIR "/saved-views.png")));

    // A width is part of the view: changing it modifies the view, reverting restores it.
    header->resizeSection(CallsTableModel::LatencyColumn, 200);
    QVERIFY(views()->isModified());
    views()->revert();
    QCOMPARE(header->sectionSize(CallsTableModel::LatencyColumn), 333);
    QVERIFY(!views()->isModified());
}

void SavedViewsAppTest::reportsWhatWasDropped()
{
    // A view written elsewhere that names an op and a column this project does not have.
    const QString real = page()->model()->columnField(CallsTableModel::FixedColumnCount);
    const QJsonObject definition {
        { u"filter"_s,
            QJsonObject {
                { u"op_names"_s, QJsonArray { u"weave:///views-app/sample/op/retired_op:*"_s } } } },
        { u"cols"_s, QJsonObject { { real, true }, { u"inputs.no_such_field"_s, true } } },
        { u"column_order"_s, QJsonArray { u"op_name"_s, real, u"inputs.no_such_field"_s } }
    };
    const QString id = u"traces_2024-05-05_10-00-00-000"_s;
    QVERIFY(post(u"/obj/create"_s, savedViewCreateRequest(m_project, id, u"Old agent view"_s, definition))
                .contains(QLatin1String("digest")));
    reloadViews();
    QSignalSpy warnings(page(), &ui::TracesPage::warning);
    views()->loadView(id);
    QTRY_VERIFY_WITH_TIMEOUT(!warnings.isEmpty()
            && warnings.last().first().toString().contains(QLatin1String("inputs.no_such_field")),
        10000);
    const QString text = warnings.last().first().toString();
    QCOMPARE(text,
        u"View “Old agent view”: dropped op retired_op, column inputs.no_such_field (no longer in the project)"_s);
    // What still applies is applied; what was dropped is gone from the query and the columns.
    QVERIFY(page()->controller()->query().opNames.isEmpty());
    CallsQuery shown;
    page()->filterBar()->applyTo(shown);
    QVERIFY(shown.opNames.isEmpty());
    QCOMPARE(page()->currentState().visibleColumns, QStringList { real });
    QCOMPARE(columnOf(u"inputs.no_such_field"_s), -1);
    QVERIFY(!views()->isModified());
    auto* banner = m_session->window()->findChild<widgets::Banner*>();
    QVERIFY(banner && banner->isVisible());
    QCOMPARE(banner->text(), text);
    QVERIFY(m_session->window()->grab().save(QStringLiteral(SPINDLE_BUILD_DIR "/saved-views-dropped.png")));
}

void SavedViewsAppTest::listsBrokenViews()
{
    // Written without the builtin class (e.g. by an old client), so no server validated it.
    const QJsonObject val { { u"_type"_s, u"SavedView"_s }, { u"_class_name"_s, u"SavedView"_s },
        { u"_bases"_s, QJsonArray { u"BaseObject"_s, u"BaseModel"_s } }, { u"view_type"_s, u"traces"_s },
        { u"label"_s, u"Half-written view"_s },
        { u"definition"_s, QJsonObject { { u"sort_by"_s, u"latency"_s } } } };
    QVERIFY(post(u"/obj/create"_s,
        { { u"obj"_s,
            QJsonObject { { u"project_id"_s, m_project }, { u"object_id"_s, u"traces_broken"_s },
                { u"val"_s, val } } } })
                .contains(QLatin1String("digest")));
    reloadViews();
    const auto broken = std::find_if(views()->views().begin(), views()->views().end(),
        [](const SavedView& view) { return view.objectId == QLatin1String("traces_broken"); });
    QVERIFY(broken != views()->views().end());
    QVERIFY(broken->broken);
    const QString before = views()->currentObjectId();
    views()->loadView(u"traces_broken"_s); // refused, nothing crashes
    QCOMPARE(views()->currentObjectId(), before);
    auto* button = views()->findChild<QToolButton*>();
    QMetaObject::invokeMethod(button->menu(), "aboutToShow");
    const QList<QAction*> actions = button->menu()->actions();
    const auto action = std::find_if(actions.begin(), actions.end(),
        [](QAction* a) { return a->text() == QLatin1String("Half-written view (broken)"); });
    QVERIFY(action != actions.end());
    QVERIFY(!(*action)->isEnabled());
    QVERIFY2((*action)->toolTip().contains(QLatin1String("sort_by is not a list")),
        qPrintable((*action)->toolTip()));
    button->menu()->adjustSize();
    QVERIFY(button->menu()->grab().save(QStringLiteral(SPINDLE_BUILD_DIR "/saved-views-menu.png")));
}

// The quick switcher by keyboard (type to filter, Enter), then rename and delete: each a new
// version or the removal of all of them on the server, the title following along.
void SavedViewsAppTest::switchRenameDelete()
{
    views()->loadDefault();
    QTimer::singleShot(0, this, [] {
        auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        auto* filter = dialog->findChild<QLineEdit*>();
        QTest::keyClicks(filter, u"by lat"_s);
        QTest::keyClick(filter, Qt::Key_Return);
    });
    views()->openSwitcher();
    QCOMPARE(views()->currentLabel(), u"Errors by latency"_s);
    const QString id = views()->currentObjectId();
    QSignalSpy listed(views(), &ui::SavedViewsBar::listChanged);
    views()->rename(u"Slow errors"_s);
    QVERIFY(listed.wait(10000));
    QVERIFY(m_session->window()->windowTitle().startsWith(u"Slow errors"_s));
    const QJsonObject renamed = post(u"/obj/read"_s,
        { { u"project_id"_s, m_project }, { u"object_id"_s, id }, { u"digest"_s, u"latest"_s } });
    QCOMPARE(renamed.value(u"obj"_s).toObject().value(u"version_index"_s).toInt(), 1);
    QVERIFY(QSettings().contains(u"savedViews/widths/%1/%2"_s.arg(m_project, id)));
    views()->remove(false);
    QVERIFY(listed.wait(10000));
    QCOMPARE(views()->currentLabel(), u"Default view"_s);
    QVERIFY(std::none_of(views()->views().begin(), views()->views().end(),
        [&](const SavedView& view) { return view.objectId == id; }));
    QVERIFY(!QSettings().contains(u"savedViews/widths/%1/%2"_s.arg(m_project, id)));
}

// The server's answer to a delete comes after the user opened another view: that view stays.
void SavedViewsAppTest::deleteAnswerKeepsAViewOpenedMeanwhile()
{
    views()->loadDefault();
    views()->saveAsNew(u"To delete"_s);
    QTRY_COMPARE_WITH_TIMEOUT(views()->currentLabel(), u"To delete"_s, 10000);
    const QString doomed = views()->currentObjectId();
    views()->loadDefault();
    views()->saveAsNew(u"To keep"_s);
    QTRY_COMPARE_WITH_TIMEOUT(views()->currentLabel(), u"To keep"_s, 10000);
    const QString kept = views()->currentObjectId();
    reloadViews();
    views()->loadView(doomed);
    QSignalSpy listed(views(), &ui::SavedViewsBar::listChanged);
    views()->remove(false);
    views()->loadView(kept); // before the answer
    QVERIFY(listed.wait(10000));
    QCOMPARE(views()->currentObjectId(), kept);
}

QString SavedViewsAppTest::chooseInMenu(const QString& label, const QString& answer)
{
    auto* button = views()->findChild<QToolButton*>();
    QMetaObject::invokeMethod(button->menu(), "aboutToShow");
    QAction* choice = nullptr;
    for (QAction* action : button->menu()->actions())
        if (action->text() == label)
            choice = action;
    if (!choice)
        return u"(no menu entry %1)"_s.arg(label);
    QString asked;
    QObject answering;
    QTimer::singleShot(0, &answering, [&asked, answer] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box)
            return;
        asked = box->text();
        for (QAbstractButton* button : box->buttons())
            if (button->text() == answer)
                button->click();
    });
    choice->trigger();
    return asked;
}

const SavedView* SavedViewsAppTest::viewNamed(const QString& label) const
{
    for (const SavedView& view : views()->views())
        if (view.label == label)
            return &view;
    return nullptr;
}

// Leaving a saved view with unsaved changes asks first: Cancel stays with the changes, Discard
// drops them, Save stores them in that view and then goes to the other one.
void SavedViewsAppTest::leavingAChangedViewAsks()
{
    QSignalSpy listed(views(), &ui::SavedViewsBar::listChanged);
    views()->loadDefault();
    views()->saveAsNew(u"Second"_s);
    QVERIFY(listed.wait(10000));
    views()->loadDefault();
    views()->saveAsNew(u"First"_s);
    QVERIFY(listed.wait(10000));
    QCOMPARE(views()->currentLabel(), u"First"_s);

    page()->filterBar()->addStatus(u"error"_s);
    QVERIFY(views()->isModified());
    QCOMPARE(chooseInMenu(u"Second"_s, u"Cancel"_s), u"The view “First” has unsaved changes."_s);
    QCOMPARE(views()->currentLabel(), u"First"_s);
    QVERIFY(views()->isModified());
    QCOMPARE(chooseInMenu(u"First"_s, u"Save"_s), QString()); // the view itself: nothing to ask
    QVERIFY(views()->isModified());

    QVERIFY(!chooseInMenu(u"Second"_s, u"Discard"_s).isEmpty());
    QCOMPARE(views()->currentLabel(), u"Second"_s);
    QVERIFY(!views()->isModified());
    QVERIFY(viewNamed(u"First"_s) && viewNamed(u"First"_s)->state.query.statuses.isEmpty());

    QCOMPARE(chooseInMenu(u"First"_s, u"Save"_s), QString()); // no changes: no question
    page()->filterBar()->addStatus(u"error"_s);
    QVERIFY(!chooseInMenu(u"Second"_s, u"Save"_s).isEmpty());
    // The switch waits for the server to have the changes (a refused save would stay on First).
    QTRY_COMPARE_WITH_TIMEOUT(views()->currentLabel(), u"Second"_s, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        viewNamed(u"First"_s) && viewNamed(u"First"_s)->state.query.statuses == QStringList { u"error"_s },
        10000);
    QCOMPARE(views()->currentLabel(), u"Second"_s); // and the finished write does not switch back
    QVERIFY(!views()->isModified());
}

QTEST_MAIN(SavedViewsAppTest)
#include "tst_savedviewsapp.moc"
