// ReflowGrid: as many columns as fit, one column's width as its minimum, and the items' own
// visibility kept across a reflow.
#include "widgets/reflowgrid.h"

#include <QTest>

using spindle::widgets::ReflowGrid;

namespace {

// A widget that needs exactly `width` pixels.
QWidget* fixedMinimum(int width)
{
    auto* widget = new QWidget;
    widget->setMinimumSize(width, 40);
    return widget;
}

} // namespace

class TestReflowGrid : public QObject
{
    Q_OBJECT

private slots:
    void columnsFollowTheWidth_data();
    void columnsFollowTheWidth();
    void minimumIsOneColumn();
    void oneRowSharesByStretch();
    void hiddenItemsStayHidden();
    void minimumItemWidth();
};

void TestReflowGrid::columnsFollowTheWidth_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("columns");
    // Items of 100 px with 8 px between them: n columns need 108 n - 8.
    QTest::newRow("four fit") << 500 << 4;
    QTest::newRow("exactly four") << 424 << 4;
    QTest::newRow("one short of four") << 423 << 3;
    QTest::newRow("two") << 300 << 2;
    QTest::newRow("one") << 150 << 1;
    QTest::newRow("narrower than one") << 60 << 1;
}

void TestReflowGrid::columnsFollowTheWidth()
{
    QFETCH(int, width);
    QFETCH(int, columns);
    ReflowGrid grid(4);
    grid.setSpacing(8);
    QList<QWidget*> items;
    for (int i = 0; i < 8; ++i) {
        items.append(fixedMinimum(100));
        grid.addItem(items.last());
    }
    grid.resize(width, 400);
    grid.show();
    QVERIFY(QTest::qWaitForWindowExposed(&grid));
    QCOMPARE(grid.columns(), columns);
    // Reading order: item `columns` starts the second row, under the first item.
    QCOMPARE(items[columns]->x(), items[0]->x());
    QVERIFY(items[columns]->y() > items[0]->y());
    if (columns > 1)
        QVERIFY(items[1]->x() > items[0]->x() && items[1]->y() == items[0]->y());
}

// Without it a narrow window scrolled the dashboard sideways and cut its cards off.
void TestReflowGrid::minimumIsOneColumn()
{
    ReflowGrid grid(4);
    grid.setSpacing(8);
    for (int width : { 100, 180, 120 })
        grid.addItem(fixedMinimum(width));
    grid.resize(800, 200);
    grid.show();
    QVERIFY(QTest::qWaitForWindowExposed(&grid));
    QCOMPARE(grid.columns(), 3);
    QCOMPARE(grid.minimumSizeHint().width(), 180);
    QVERIFY(grid.minimumSize().width() <= 180); // the layout did not impose its current columns
}

void TestReflowGrid::oneRowSharesByStretch()
{
    ReflowGrid grid(2);
    grid.setSpacing(0);
    QWidget* left = fixedMinimum(10);
    QWidget* right = fixedMinimum(10);
    grid.addItem(left, 2);
    grid.addItem(right, 3);
    grid.resize(1000, 100);
    grid.show();
    QVERIFY(QTest::qWaitForWindowExposed(&grid));
    QCOMPARE(left->width(), 400);
    QCOMPARE(right->width(), 600);
}

void TestReflowGrid::hiddenItemsStayHidden()
{
    ReflowGrid grid(4);
    QWidget* shown = fixedMinimum(100);
    QWidget* hidden = fixedMinimum(100);
    grid.addItem(shown);
    grid.addItem(hidden);
    hidden->hide();
    grid.resize(500, 100);
    grid.show();
    QVERIFY(QTest::qWaitForWindowExposed(&grid));
    grid.resize(120, 100); // reflows to one column
    QTRY_COMPARE(grid.columns(), 1);
    QVERIFY(shown->isVisible());
    QVERIFY(!hidden->isVisible());
}

void TestReflowGrid::minimumItemWidth()
{
    ReflowGrid grid(2);
    grid.setSpacing(0);
    grid.addItem(fixedMinimum(50));
    grid.addItem(fixedMinimum(50));
    grid.setMinimumItemWidth(300);
    grid.resize(599, 100);
    grid.show();
    QVERIFY(QTest::qWaitForWindowExposed(&grid));
    QCOMPARE(grid.columns(), 1);
    QCOMPARE(grid.minimumSizeHint().width(), 300);
    grid.resize(600, 100);
    QTRY_COMPARE(grid.columns(), 2);
}

QTEST_MAIN(TestReflowGrid)
#include "tst_reflowgrid.moc"
