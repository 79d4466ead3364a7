// Filters from the table find the calls they name: "is empty" and "is not" on a plain column the
// server keeps NULL when unset (no display name, no exception), and Alt+click on a cell, which does
// not offer a whole object or list (its text here, keys sorted, is not the server's).
#include "../app/apptestutil.h"
#include "models/callstablemodel.h"
#include "net/traceclient.h"
#include "ui/callscontroller.h"
#include "ui/conditiondialog.h"
#include "ui/filterbar.h"
#include "ui/mainwindow.h"
#include "ui/tracespage.h"
#include "widgets/chipbar.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTimer>
#include <QtTest>

using namespace spindle;
using namespace Qt::StringLiterals;
using models::CallsTableModel;

class CellFiltersTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void emptyPlainColumnMeansEmpty();
    void objectCellIsNotFiltered();
    void relativeRangeMovesWithTheClock();
    void blankTokensCellIsNotFiltered();
    void conditionDialogOffersTheFieldsOperators();
    void userAndTraceFiltersHaveChips();

private:
    void altClick(int row, int column);
    int rowOf(const QString& id) const;
    int columnOf(const QString& field) const;
    void waitForRows();

    apptest::InProcessServer m_server;
    net::TraceClient m_client;
    std::unique_ptr<ui::MainWindow> m_window;
    ui::TracesPage* m_page = nullptr;
};

void CellFiltersTest::initTestCase()
{
    QVERIFY(m_server.start().isEmpty());
    apptest::CallRecord object;
    object.id = u"with-object"_s;
    object.endedMs = object.startedMs + 10;
    // Keys out of alphabetical order, as an SDK writes a chat message.
    object.inputs = QJsonDocument::fromJson(R"({"msg": {"role": "user", "content": "hi"}})").object();
    apptest::CallRecord text = object;
    text.id = u"with-text"_s;
    text.startedMs += 1000;
    text.inputs = QJsonObject { { u"msg"_s, u"plain"_s } };
    QCOMPARE(m_server.logCalls(u"cells/test"_s, { object, text }), 200);
    m_client.setConnection({ m_server.url(), {} });
    m_window = std::make_unique<ui::MainWindow>(&m_client);
    m_window->resize(1600, 900);
    m_window->show();
    m_window->setProject(u"cells/test"_s);
    m_page = m_window->tracesPage();
    waitForRows();
    QCOMPARE(m_page->model()->rowCount(), 2);
}

void CellFiltersTest::waitForRows()
{
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->controller()->isLoading(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(m_page->model()->rowCount() == 0 || m_page->model()->isLoaded(0), 10000);
}

int CellFiltersTest::rowOf(const QString& id) const
{
    return m_page->model()->rowOfCall(id);
}

int CellFiltersTest::columnOf(const QString& field) const
{
    for (int column = 0; column < m_page->model()->columnCount(); ++column)
        if (m_page->model()->columnField(column) == field)
            return column;
    return -1;
}

void CellFiltersTest::altClick(int row, int column)
{
    QTableView* table = m_page->table();
    const QModelIndex index = m_page->model()->index(row, column);
    table->scrollTo(index);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::AltModifier, table->visualRect(index).center());
}

// The condition dialog's "is empty" and "is not" on a column the server keeps NULL when unset.
void CellFiltersTest::emptyPlainColumnMeansEmpty()
{
    for (const FieldCondition& condition : { FieldCondition { u"display_name"_s, FilterOp::IsEmpty, {} },
             FieldCondition { u"exception"_s, FilterOp::NotEquals, u"boom"_s } }) {
        m_page->filterBar()->addCondition(condition);
        waitForRows();
        QCOMPARE(m_page->model()->rowCount(), 2); // neither call has a display name or an exception
        m_page->filterBar()->clearAll();
        waitForRows();
    }
    m_page->filterBar()->addCondition({ u"display_name"_s, FilterOp::IsNotEmpty, {} });
    waitForRows();
    QCOMPARE(m_page->model()->rowCount(), 0);
    m_page->filterBar()->clearAll();
    waitForRows();
}

void CellFiltersTest::objectCellIsNotFiltered()
{
    const int column = columnOf(u"inputs.msg"_s);
    QVERIFY(column >= 0);
    const int row = rowOf(u"with-object"_s);
    QSignalSpy status(m_page, &ui::TracesPage::statusMessage);
    altClick(row, column);
    QVERIFY(m_page->controller()->query().conditions.isEmpty());
    QCOMPARE(status.size(), 1);
    QVERIFY(status.first().first().toString().contains(u"inputs.msg"_s));
    // A plain value still filters, and finds its call.
    altClick(rowOf(u"with-text"_s), column);
    QCOMPARE(m_page->controller()->query().conditions.size(), 1);
    waitForRows();
    QCOMPARE(m_page->model()->rowCount(), 1);
    QCOMPARE(m_page->model()->callAt(0)->id, u"with-text"_s);
}

// "Last hour" is the last hour of each request (a refresh, live mode's poll the next morning), and a
// cancelled "Custom range…" leaves it as it was.
void CellFiltersTest::relativeRangeMovesWithTheClock()
{
    m_page->filterBar()->clearAll();
    waitForRows();
    QComboBox* time = nullptr;
    for (QComboBox* combo : m_page->filterBar()->findChildren<QComboBox*>())
        if (combo->findData(u"1h"_s) >= 0)
            time = combo;
    QVERIFY(time);
    const auto choose = [time](int index) {
        time->setCurrentIndex(index);
        Q_EMIT time->activated(index);
    };
    choose(time->findData(u"1h"_s));
    const CallsQuery query = m_page->controller()->query();
    QCOMPARE(query.startedWithin, u"1h"_s);
    const auto after = [&query] { // the request's started_at term (the only one)
        const auto condition = conditionFromExpr(query.queryJson()->value(u"$expr"_s).toObject());
        return condition && condition->field == u"started_at"_s ? condition->value.toDateTime() : QDateTime();
    };
    const QDateTime first = after();
    QVERIFY(qAbs(first.secsTo(QDateTime::currentDateTimeUtc()) - 3600) <= 5);
    QTest::qWait(1100);
    QVERIFY(after() > first);

    QTimer::singleShot(0, this, [] {
        if (auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget()))
            dialog->reject();
    });
    choose(time->findData(u"custom"_s));
    QCOMPARE(time->currentData().toString(), u"1h"_s);
    // A range that ends before it starts cannot be chosen: the dialog says so, OK is off.
    bool okOffWhenReversed = false;
    QString said;
    QTimer::singleShot(0, this, [&] {
        auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        const auto edits = dialog->findChildren<QDateTimeEdit*>();
        edits.value(0)->setDateTime(edits.value(1)->dateTime().addSecs(3600));
        okOffWhenReversed =
            !dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled();
        dialog->grab().save(QStringLiteral(SHOT_DIR "/custom-range-reversed.png"));
        for (auto* label : dialog->findChildren<QLabel*>())
            said += label->text();
        dialog->reject();
    });
    choose(time->findData(u"custom"_s));
    QVERIFY(okOffWhenReversed);
    QVERIFY2(said.contains(u"must be earlier"_s), qPrintable(said));
    QCOMPARE(m_page->controller()->query(), query);
    m_page->filterBar()->clearAll();
    waitForRows();
}

// A call without usage has a blank Tokens cell: Alt+click there filters nothing ("≥ 0" hid the row,
// the server's total_tokens being null for it).
void CellFiltersTest::blankTokensCellIsNotFiltered()
{
    m_page->filterBar()->clearAll();
    waitForRows();
    altClick(rowOf(u"with-text"_s), CallsTableModel::TokensColumn);
    QVERIFY(m_page->controller()->query().conditions.isEmpty());
    QCOMPARE(m_page->model()->rowCount(), 2);
}

// A time takes after/before only (it was offered "contains" and "is empty", which matched nothing or
// were refused), a number the comparisons; a number must be finite (nan went as null: "missing").
void CellFiltersTest::conditionDialogOffersTheFieldsOperators()
{
    ui::ConditionDialog dialog({ u"inputs.msg"_s });
    auto* field = dialog.findChildren<QComboBox*>().value(0);
    auto* op = dialog.findChildren<QComboBox*>().value(1);
    QVERIFY(field && op && field->isEditable());
    field->setCurrentText(u"started_at"_s);
    QCOMPARE(op->count(), 2);
    dialog.resize(420, dialog.sizeHint().height());
    QVERIFY(dialog.grab().save(QStringLiteral(SHOT_DIR "/condition-started-at.png")));
    QCOMPARE(op->itemText(0), spindle::filterOpSymbol(FilterOp::After));
    field->setCurrentText(u"inputs.msg"_s);
    QCOMPARE(op->count(), int(std::size(spindle::kAllFilterOps)));
    op->setCurrentIndex(op->findData(int(FilterOp::Less)));
    field->setCurrentText(u"summary.weave.latency_ms"_s); // "<" is one of its operators: it stays
    QCOMPARE(op->currentData().toInt(), int(FilterOp::Less));
    QString error;
    QVERIFY(!ui::ConditionDialog::parseValue(FilterOp::Less, u"nan"_s, &error));
    QVERIFY(!ui::ConditionDialog::parseValue(FilterOp::Greater, u"inf"_s, &error));
    QVERIFY(ui::ConditionDialog::parseValue(FilterOp::Greater, u"1e3"_s, &error));
}

// A saved view's user and trace filters (Weave's UI keeps its user filter in filter.wb_user_ids) are
// chips: "Clear" and their ✕ remove them (they applied unseen, and the empty table said "no calls
// yet").
void CellFiltersTest::userAndTraceFiltersHaveChips()
{
    m_page->filterBar()->clearAll();
    waitForRows();
    CallsQuery query = m_page->controller()->query();
    query.userIds = { u"someone-else"_s };
    query.traceIds = { u"some-trace"_s };
    m_page->showCalls(query);
    waitForRows();
    QCOMPARE(m_page->controller()->query().userIds, QStringList { u"someone-else"_s });
    QCOMPARE(m_page->model()->rowCount(), 0);
    QVERIFY(m_page->filterBar()->hasFilters());
    auto* chips = m_page->filterBar()->findChild<widgets::ChipBar*>();
    QVERIFY(chips);
    QCOMPARE(chips->chipCount(), 2);
    QVERIFY(m_page->filterBar()->grab().save(QStringLiteral(SHOT_DIR "/filterbar-user-trace-chips.png")));
    Q_EMIT chips->chipRemoved(0); // the user's ✕
    waitForRows();
    QVERIFY(m_page->controller()->query().userIds.isEmpty());
    QCOMPARE(m_page->controller()->query().traceIds, QStringList { u"some-trace"_s });
    m_page->filterBar()->clearAll();
    waitForRows();
    QVERIFY(m_page->controller()->query().traceIds.isEmpty());
    QCOMPARE(m_page->model()->rowCount(), 2);
}

QTEST_MAIN(CellFiltersTest)
#include "tst_cellfilters.moc"
