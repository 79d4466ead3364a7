// FrozenTableView on the offscreen platform: the pinned overlay and the main view beneath it.
// A delegate counts the cells each view paints.
#include "widgets/frozentableview.h"

#include <QHeaderView>
#include <QPaintEvent>
#include <QScreen>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QStyledItemDelegate>
#include <QtTest>

using spindle::widgets::FrozenTableView;

namespace {

QStandardItemModel* makeModel(int rows, int columns, QObject* parent)
{
    auto* model = new QStandardItemModel(rows, columns, parent);
    for (int row = 0; row < rows; ++row)
        for (int column = 0; column < columns; ++column)
            model->setItem(row, column, new QStandardItem(QStringLiteral("r%1 c%2").arg(row).arg(column)));
    return model;
}

// Counts the cells painted, per painting view's viewport and column.
class CountingDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        ++painted[{ option.widget, index.column() }];
        QStyledItemDelegate::paint(painter, option, index);
    }
    int count(const QWidget* view, int column) const
    {
        return painted.value({ view, column });
    }
    mutable QHash<QPair<const QWidget*, int>, int> painted;
};

// A shown table of 40 rows, `columns` wide, with `pinned` pinned and a counting delegate.
CountingDelegate* showTable(FrozenTableView& view, int columns, const QList<int>& pinned, int width)
{
    view.setModel(makeModel(40, columns, &view));
    auto* delegate = new CountingDelegate(&view);
    view.setItemDelegate(delegate);
    view.setPinnedColumns(pinned);
    view.resize(width, 300);
    view.show();
    return QTest::qWaitForWindowExposed(&view) ? delegate : nullptr;
}

// The region of a widget's last paint event, and how many it had.
class RegionSpy : public QObject
{
public:
    explicit RegionSpy(QWidget* widget)
    {
        widget->installEventFilter(this);
    }
    bool eventFilter(QObject*, QEvent* event) override
    {
        if (event->type() == QEvent::Paint) {
            last = static_cast<QPaintEvent*>(event)->region();
            ++paints;
        }
        return false;
    }
    QRegion last;
    int paints = 0;
};

// What the window shows: the backing store's pixels, not a fresh render as QWidget::grab() makes.
QImage shown(QWidget& window)
{
    QCoreApplication::processEvents();
    return window.screen()->grabWindow(window.winId()).toImage();
}

} // namespace

class TestFrozenTable : public QObject
{
    Q_OBJECT
private slots:
    void mainViewLeavesPinnedCellsToTheOverlay();
    void partlyCoveredCellsArePainted();
    void unpinnedViewPaintsEverything();
    void overlayClicksReachTheTable();
    void overlayShowsTheSortIndicator();
    void pinnedEdgeIsALine();
    void pinnedEdgeEndsWithTheRows();
    void currentPinnedCellKeepsTheOverlayAligned();
    void scrollRepaintsOnlyWhatItUncovers_data();
    void scrollRepaintsOnlyWhatItUncovers();
    void scrolledPixelsMatchAFullRepaint_data();
    void scrolledPixelsMatchAFullRepaint();
};

void TestFrozenTable::mainViewLeavesPinnedCellsToTheOverlay()
{
    FrozenTableView view;
    CountingDelegate* delegate = showTable(view, 6, { 0, 1 }, 600);
    QVERIFY(delegate);
    QVERIFY(view.pinnedView()->isVisible());

    delegate->painted.clear();
    view.viewport()->repaint();
    QCOMPARE(delegate->count(&view, 0), 0);
    QCOMPARE(delegate->count(&view, 1), 0);
    QVERIFY(delegate->count(&view, 2) > 0);

    // The overlay still shows the pinned cells, over the main view's rows.
    delegate->painted.clear();
    view.pinnedView()->viewport()->repaint();
    QVERIFY(delegate->count(view.pinnedView(), 0) > 0);
    QVERIFY(delegate->count(view.pinnedView(), 1) > 0);
    QCOMPARE(delegate->count(view.pinnedView(), 2), 0);
}

// Scrolled sideways by part of a column: the cell half under the overlay shows its other half.
void TestFrozenTable::partlyCoveredCellsArePainted()
{
    FrozenTableView view;
    CountingDelegate* delegate = showTable(view, 8, { 0 }, 400);
    QVERIFY(delegate);
    view.horizontalScrollBar()->setValue(view.columnWidth(1) + view.columnWidth(0) / 2);
    QCoreApplication::processEvents();

    delegate->painted.clear();
    view.viewport()->repaint();
    const int pinnedRight = view.columnWidth(0);
    const int columnTwoLeft = view.columnViewportPosition(2);
    QVERIFY(columnTwoLeft < pinnedRight); // column 2 starts under the overlay
    QVERIFY(columnTwoLeft + view.columnWidth(2) > pinnedRight); // and ends beside it
    QVERIFY(delegate->count(&view, 2) > 0);
    QCOMPARE(delegate->count(&view, 1), 0); // wholly under the overlay
}

void TestFrozenTable::unpinnedViewPaintsEverything()
{
    FrozenTableView view;
    CountingDelegate* delegate = showTable(view, 6, { 0, 1 }, 600);
    QVERIFY(delegate);
    view.setPinnedColumns({}); // unpinned after being pinned
    QCoreApplication::processEvents();
    QVERIFY(!view.pinnedView()->isVisible());
    delegate->painted.clear();
    view.viewport()->repaint();
    QVERIFY(delegate->count(&view, 0) > 0);
    QVERIFY(delegate->count(&view, 1) > 0);
}

// A click on a pinned cell or on a pinned column's header section is the table's: the Traces
// page filters on Alt+click and sorts on a section click through the table's own signals.
void TestFrozenTable::overlayClicksReachTheTable()
{
    FrozenTableView view;
    QVERIFY(showTable(view, 8, { 0, 1 }, 600));
    QSignalSpy pressed(&view, &QAbstractItemView::pressed);
    QSignalSpy sections(view.horizontalHeader(), &QHeaderView::sectionClicked);
    const QTableView* overlay = view.pinnedView();
    const QModelIndex cell = view.model()->index(3, 1);
    QTest::mouseClick(
        overlay->viewport(), Qt::LeftButton, Qt::AltModifier, overlay->visualRect(cell).center());
    QCOMPARE(pressed.count(), 1);
    QCOMPARE(pressed.first().first().value<QModelIndex>(), cell);
    const QHeaderView* header = overlay->horizontalHeader();
    const QPoint onSection(header->sectionViewportPosition(1) + 5, header->height() / 2);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, onSection);
    QCOMPARE(sections.count(), 1);
    QCOMPARE(sections.first().first().toInt(), 1);
}

// Sorted by a pinned column, the indicator shows on the overlay's section (the table's own is
// beneath the overlay).
void TestFrozenTable::overlayShowsTheSortIndicator()
{
    FrozenTableView view;
    QVERIFY(showTable(view, 8, { 0, 1 }, 600));
    view.horizontalHeader()->setSortIndicatorShown(true);
    view.horizontalHeader()->setSortIndicator(1, Qt::AscendingOrder);
    const QHeaderView* pinned = view.pinnedView()->horizontalHeader();
    QVERIFY(pinned->isSortIndicatorShown());
    QCOMPARE(pinned->sortIndicatorSection(), 1);
    QCOMPARE(pinned->sortIndicatorOrder(), Qt::AscendingOrder);
    view.horizontalHeader()->setSortIndicator(4, Qt::DescendingOrder);
    QCOMPARE(pinned->sortIndicatorSection(), 4); // hidden in the overlay: no indicator there
}

// The overlay ends in a line down its rows, drawn without a style sheet: one sent every style call
// of the overlay's cells through QStyleSheetStyle (docs/benchmarks.md, C12).
void TestFrozenTable::pinnedEdgeIsALine()
{
    FrozenTableView view;
    QVERIFY(showTable(view, 8, { 0, 1 }, 600));
    QTest::qWait(30);
    const QTableView* overlay = view.pinnedView();
    QVERIFY(!overlay->style()->inherits("QStyleSheetStyle"));
    const QImage window = shown(view);
    const QWidget* rows = overlay->viewport();
    const QPoint edge = rows->mapTo(&view, QPoint(rows->width() - 1, 0));
    QCOMPARE(edge.x(), overlay->geometry().right());
    for (const int y : { 0, rows->height() / 2, rows->height() - 1 })
        QCOMPARE(QColor(window.pixel(edge.x(), edge.y() + y)), QColor(0xc8, 0xcc, 0xd2));
}

// Below the last row there is no edge, as there is no grid: a short or empty table shows no line
// through its empty space (nor around the empty state's message).
void TestFrozenTable::pinnedEdgeEndsWithTheRows()
{
    FrozenTableView view;
    QVERIFY(showTable(view, 8, { 0, 1 }, 600));
    auto* model = static_cast<QStandardItemModel*>(view.model());
    model->removeRows(3, model->rowCount() - 3);
    QTest::qWait(30); // the views' delayed layouts repaint them
    const QTableView* overlay = view.pinnedView();
    const QWidget* rows = overlay->viewport();
    const QPoint edge = rows->mapTo(&view, QPoint(rows->width() - 1, 0));
    const int rowsBottom = overlay->rowViewportPosition(2) + overlay->rowHeight(2);
    QVERIFY(rowsBottom < rows->height() - 20);
    const QColor line(0xc8, 0xcc, 0xd2);
    QImage window = shown(view);
    QCOMPARE(QColor(window.pixel(edge.x(), edge.y() + 1)), line);
    QCOMPARE(QColor(window.pixel(edge.x(), edge.y() + rowsBottom - 1)), line);
    QCOMPARE(
        QColor(window.pixel(edge.x(), edge.y() + rowsBottom + 1)), rows->palette().color(QPalette::Base));
    QCOMPARE(
        QColor(window.pixel(edge.x(), edge.y() + rows->height() - 1)), rows->palette().color(QPalette::Base));

    model->removeRows(0, model->rowCount());
    QTest::qWait(30);
    window = shown(view);
    for (const int y : { 0, rows->height() / 2, rows->height() - 1 })
        QCOMPARE(QColor(window.pixel(edge.x(), edge.y() + y)), rows->palette().color(QPalette::Base));
}

// Making a pinned cell current scrolls nothing sideways: the overlay shows its columns whole, in
// line with the table's header. (Its viewport was a pixel narrower than its columns while a style
// sheet drew the edge, and a current Name cell shifted the overlay a pixel to the left.)
void TestFrozenTable::currentPinnedCellKeepsTheOverlayAligned()
{
    FrozenTableView view;
    QVERIFY(showTable(view, 8, { 0, 1 }, 600));
    view.setCurrentIndex(view.model()->index(3, 1));
    QTest::qWait(30);
    const QTableView* overlay = view.pinnedView();
    QCOMPARE(overlay->horizontalHeader()->offset(), 0);
    QCOMPARE(overlay->columnViewportPosition(0), 0);
}

void TestFrozenTable::scrollRepaintsOnlyWhatItUncovers_data()
{
    QTest::addColumn<bool>("sideways");
    QTest::newRow("down") << false;
    QTest::newRow("sideways") << true;
}

// A scroll step moves the pixels right of the overlay and repaints only the rows (or, sideways,
// the columns) it uncovers, as Qt does for a table without an overlay (a sibling over the viewport
// made Qt repaint all of it).
void TestFrozenTable::scrollRepaintsOnlyWhatItUncovers()
{
    QFETCH(bool, sideways);
    FrozenTableView view;
    QVERIFY(showTable(view, sideways ? 12 : 8, { 0, 1 }, 600));
    QTest::qWait(30);
    RegionSpy table(view.viewport());
    QScrollBar* bar = sideways ? view.horizontalScrollBar() : view.verticalScrollBar();
    const int step = sideways ? 30 : 60;
    bar->setValue(bar->value() + step);
    QTest::qWait(30);
    QCOMPARE(table.paints, 1);
    const QRect painted = table.last.boundingRect();
    QCOMPARE(sideways ? painted.width() : painted.height(), step);
    QCOMPARE(sideways ? painted.right() : painted.bottom(),
        (sideways ? view.viewport()->width() : view.viewport()->height()) - 1);
    if (sideways)
        QCOMPARE(view.horizontalHeader()->offset(), view.horizontalScrollBar()->value());
}

void TestFrozenTable::scrolledPixelsMatchAFullRepaint_data()
{
    QTest::addColumn<bool>("sideways");
    QTest::addColumn<bool>("verticalHeader");
    QTest::newRow("down and up") << false << true;
    QTest::newRow("sideways") << true << true;
    QTest::newRow("sideways, no row header") << true << false;
}

// The moved pixels are the ones a full repaint paints, after steps both ways.
void TestFrozenTable::scrolledPixelsMatchAFullRepaint()
{
    QFETCH(bool, sideways);
    QFETCH(bool, verticalHeader);
    FrozenTableView view;
    QVERIFY(showTable(view, 12, { 0, 1 }, 600));
    view.setAlternatingRowColors(true);
    view.pinnedView()->setAlternatingRowColors(true);
    view.verticalHeader()->setVisible(verticalHeader);
    QTest::qWait(30);
    QScrollBar* bar = sideways ? view.horizontalScrollBar() : view.verticalScrollBar();
    for (const int step : { 37, 53, -20, 100, -7 }) {
        bar->setValue(bar->value() + step);
        QTest::qWait(10);
    }
    QVERIFY(bar->value() > 0);
    const QImage scrolled = shown(view);
    view.viewport()->repaint();
    view.pinnedView()->viewport()->repaint();
    const QImage repainted = shown(view);
    QVERIFY(!scrolled.isNull());
    QCOMPARE(scrolled, repainted);
}

QTEST_MAIN(TestFrozenTable)
#include "tst_frozentable.moc"
