// FastGridTableView against QTableView's own grid on the offscreen platform (Fusion): the same
// table is grabbed with the fast grid on and off and the images must match pixel for pixel, over
// the layouts a table can be in (scrolled by pixel and by item, headers shown and hidden, rows
// and columns that end before the viewport does, hidden sections, right to left, a selection)
// and for a repaint of part of the viewport (each dirty rectangle draws its own lines).
#include "widgets/celltextdelegate.h"
#include "widgets/fastgridtableview.h"

#include <QHeaderView>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QStyledItemDelegate>
#include <QtTest>

using spindle::widgets::FastGridTableView;

namespace {

QStandardItemModel* makeModel(int rows, int columns, QObject* parent)
{
    auto* model = new QStandardItemModel(rows, columns, parent);
    for (int row = 0; row < rows; ++row)
        for (int column = 0; column < columns; ++column)
            model->setItem(
                row, column, new QStandardItem(QStringLiteral("r%1 c%2 text").arg(row).arg(column)));
    return model;
}

// "" when both images are the same, else how many pixels differ and where.
QString difference(const QImage& a, const QImage& b)
{
    if (a.size() != b.size())
        return QStringLiteral("sizes differ");
    int count = 0;
    QRect box;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x)
            if (a.pixel(x, y) != b.pixel(x, y)) {
                ++count;
                box |= QRect(x, y, 1, 1);
            }
    if (count == 0)
        return {};
    return QStringLiteral("%1 pixels differ within x %2..%3, y %4..%5 (fast %6, Qt %7 at the first)")
        .arg(count)
        .arg(box.left())
        .arg(box.right())
        .arg(box.top())
        .arg(box.bottom())
        .arg(a.pixelColor(box.topLeft()).name(), b.pixelColor(box.topLeft()).name());
}

// The viewport (or a part of it) grabbed with the fast grid, then with QTableView's.
std::pair<QImage, QImage> grabBoth(FastGridTableView& view, const QRect& part = {})
{
    const QRect rect = part.isNull() ? view.viewport()->rect() : part;
    view.setLeanPaintingEnabled(true);
    const QImage fast = view.viewport()->grab(rect).toImage();
    view.setLeanPaintingEnabled(false);
    const QImage native = view.viewport()->grab(rect).toImage();
    view.setLeanPaintingEnabled(true);
    return { fast, native };
}

// Counts the alternate rows' cells, and those the view had already given their panel.
class PanelProbe : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        if (option.features & QStyleOptionViewItem::Alternate) {
            ++alternateCells;
            const auto* view = qobject_cast<const FastGridTableView*>(option.widget);
            overPaintedBands += view && view->paintedAlternateBrush();
        }
        QStyledItemDelegate::paint(painter, option, index);
    }
    mutable int alternateCells = 0;
    mutable int overPaintedBands = 0;
};

} // namespace

class TestFastGrid : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void samePixels_data();
    void samePixels();
    void gridIsActuallyPainted();
    void rowPanelsMatchQtInEveryState_data();
    void rowPanelsMatchQtInEveryState();
    void cellDelegateKeepsItsFastPath();
    void backgroundIsPaintedOnce();
    void texturedBackgroundIsLeftToQt();
    void translucentGridIsLeftToQt();
    void otherPenStylesAreLeftToQt();
};

void TestFastGrid::samePixels_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("columns");
    QTest::addColumn<bool>("perPixel");
    QTest::addColumn<bool>("headers");
    QTest::addColumn<bool>("stretchLast");
    QTest::addColumn<bool>("rightToLeft");
    QTest::addColumn<int>("scrollY");
    QTest::addColumn<int>("scrollX");
    QTest::addColumn<QRect>("part");
    QTest::newRow("calls table: per pixel, header, stretched")
        << 200 << 9 << true << true << true << false << 37 << 0 << QRect();
    QTest::newRow("scrolled both ways")
        << 200 << 12 << true << true << false << false << 501 << 133 << QRect();
    QTest::newRow("per item, no headers")
        << 200 << 12 << false << false << false << false << 7 << 3 << QRect();
    QTest::newRow("per item, no headers, at the origin")
        << 200 << 12 << false << false << false << false << 0 << 0 << QRect();
    QTest::newRow("few rows and columns: blank right and below")
        << 5 << 3 << true << true << false << false << 0 << 0 << QRect();
    QTest::newRow("right to left") << 200 << 12 << true << true << false << true << 40 << 50 << QRect();
    QTest::newRow("right to left, few columns")
        << 6 << 2 << false << false << false << true << 0 << 0 << QRect();
    QTest::newRow("part of the viewport")
        << 200 << 12 << true << true << false << false << 15 << 20 << QRect(37, 41, 201, 93);
    QTest::newRow("part off the content")
        << 4 << 2 << true << true << false << false << 0 << 0 << QRect(120, 60, 300, 200);
    QTest::newRow("empty table") << 0 << 0 << true << true << false << false << 0 << 0 << QRect();
}

void TestFastGrid::samePixels()
{
    QFETCH(int, rows);
    QFETCH(int, columns);
    QFETCH(bool, perPixel);
    QFETCH(bool, headers);
    QFETCH(bool, stretchLast);
    QFETCH(bool, rightToLeft);
    QFETCH(int, scrollY);
    QFETCH(int, scrollX);
    QFETCH(QRect, part);

    FastGridTableView view;
    view.setModel(makeModel(rows, columns, &view));
    view.setAlternatingRowColors(true);
    view.setLayoutDirection(rightToLeft ? Qt::RightToLeft : Qt::LeftToRight);
    view.setVerticalScrollMode(
        perPixel ? QAbstractItemView::ScrollPerPixel : QAbstractItemView::ScrollPerItem);
    view.setHorizontalScrollMode(
        perPixel ? QAbstractItemView::ScrollPerPixel : QAbstractItemView::ScrollPerItem);
    view.horizontalHeader()->setVisible(headers);
    view.verticalHeader()->setVisible(headers);
    view.horizontalHeader()->setStretchLastSection(stretchLast);
    if (columns > 4) {
        view.setColumnHidden(2, true);
        view.setColumnWidth(3, 37);
    }
    if (rows > 10) {
        view.setRowHidden(4, true);
        view.setRowHeight(6, 41);
        view.selectRow(8);
    }
    view.resize(640, 420);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.verticalScrollBar()->setValue(scrollY);
    view.horizontalScrollBar()->setValue(scrollX);
    QVERIFY(view.fastGrid());
    QVERIFY(view.leanRowPanels());

    const auto [fast, native] = grabBoth(view, part);
    const QString differs = difference(fast, native);
    QVERIFY2(differs.isEmpty(), qPrintable(differs));
}

// Not vacuous: the grid's pixels are there, in the grid colour, where QTableView puts them.
void TestFastGrid::gridIsActuallyPainted()
{
    FastGridTableView view;
    view.setModel(makeModel(30, 6, &view));
    view.verticalHeader()->hide();
    view.resize(500, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QStyleOptionViewItem option;
    option.initFrom(&view);
    const QColor grid = QColor::fromRgba(
        static_cast<QRgb>(view.style()->styleHint(QStyle::SH_Table_GridLineColor, &option, &view)));
    const QImage image = view.viewport()->grab().toImage();
    const int x = view.columnViewportPosition(1) + view.columnWidth(1) - 1;
    const int y = view.rowViewportPosition(2) + view.rowHeight(2) - 1;
    QVERIFY(view.fastGrid());
    QCOMPARE(image.pixelColor(x, 5).rgb(), grid.rgb());
    QCOMPARE(image.pixelColor(100, y).rgb(), grid.rgb());
    QVERIFY(image.pixelColor(x - 3, 5).rgb() != grid.rgb()); // a cell, not a line
}

// LeanRowStyle's row panels (alternate rows, selected rows) in the colour group QCommonStyle
// picks: an active or inactive window, a disabled view (the palette gives each group its own
// colours, so a wrong group shows), and colours from a style sheet.
void TestFastGrid::rowPanelsMatchQtInEveryState_data()
{
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<bool>("active");
    QTest::addColumn<QString>("sheet");
    QTest::newRow("active window") << true << true << QString();
    QTest::newRow("inactive window") << true << false << QString();
    QTest::newRow("disabled view") << false << true << QString();
    QTest::newRow("style sheet colours")
        << true << true
        << QStringLiteral("QTableView { alternate-background-color: #ffe0e0; "
                          "selection-background-color: #204a87; }");
    QTest::newRow("style sheet background")
        << true << true
        << QStringLiteral("QTableView { background-color: #f4f8ff; alternate-background-color: #ffe0e0; }");
}

void TestFastGrid::rowPanelsMatchQtInEveryState()
{
    QFETCH(bool, enabled);
    QFETCH(bool, active);
    QFETCH(QString, sheet);

    QWidget other; // takes the activation away when the table's window must be inactive
    FastGridTableView view;
    view.setModel(makeModel(60, 5, &view));
    QPalette palette = view.palette();
    palette.setColor(QPalette::Active, QPalette::AlternateBase, QColor(0xe0, 0xf0, 0xe0));
    palette.setColor(QPalette::Inactive, QPalette::AlternateBase, QColor(0xf0, 0xe0, 0xe0));
    palette.setColor(QPalette::Disabled, QPalette::AlternateBase, QColor(0xe0, 0xe0, 0xf0));
    palette.setColor(QPalette::Active, QPalette::Highlight, QColor(0x20, 0x60, 0x20));
    palette.setColor(QPalette::Inactive, QPalette::Highlight, QColor(0x60, 0x20, 0x20));
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x20, 0x20, 0x60));
    view.setPalette(palette);
    view.setAlternatingRowColors(true);
    view.setSelectionBehavior(QAbstractItemView::SelectRows);
    view.selectRow(3);
    view.setEnabled(enabled);
    view.setStyleSheet(sheet);
    view.resize(520, 360);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    if (active) {
        view.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&view));
    } else {
        other.show();
        other.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&other));
        QVERIFY(!view.isActiveWindow());
    }
    QVERIFY(view.leanRowPanels());

    const auto [lean, native] = grabBoth(view);
    const QString differs = difference(lean, native);
    QVERIFY2(differs.isEmpty(), qPrintable(differs));
    // Not vacuous: an alternate row and the selected row show their panels beside the text.
    const int x = view.columnViewportPosition(0) + view.columnWidth(0) - 4;
    const QColor plain = lean.pixelColor(x, view.rowViewportPosition(2) + 3);
    QVERIFY(lean.pixelColor(x, view.rowViewportPosition(1) + 3) != plain);
    QVERIFY(lean.pixelColor(x, view.rowViewportPosition(3) + 3) != plain);
}

// The view's own style must not make CellTextDelegate take the style's slower path.
void TestFastGrid::cellDelegateKeepsItsFastPath()
{
    FastGridTableView view;
    view.setModel(makeModel(30, 4, &view));
    auto* delegate = new spindle::widgets::CellTextDelegate(&view);
    view.setItemDelegate(delegate);
    view.setWordWrap(false); // as the calls table: wrapped text is the style's to lay out
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.leanRowPanels());
    view.viewport()->grab();
    QVERIFY(delegate->cachedTexts() > 0); // only the delegate's own path caches layouts
}

// The view fills the viewport's background and the alternate rows' bands itself, each pixel
// once (Qt's fill before the paint event is off), and the row panels leave those bands alone.
void TestFastGrid::backgroundIsPaintedOnce()
{
    FastGridTableView view;
    view.setModel(makeModel(30, 4, &view));
    view.setAlternatingRowColors(true);
    auto* probe = new PanelProbe(&view);
    view.setItemDelegate(probe);
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.viewport()->autoFillBackground());
    QVERIFY(view.viewport()->testAttribute(Qt::WA_OpaquePaintEvent));
    view.viewport()->grab();
    QVERIFY(probe->alternateCells > 0);
    QCOMPARE(probe->overPaintedBands, probe->alternateCells);
    QVERIFY(!view.paintedAlternateBrush()); // only while the view paints

    view.setLeanPaintingEnabled(false);
    QVERIFY(view.viewport()->autoFillBackground());
    QVERIFY(!view.viewport()->testAttribute(Qt::WA_OpaquePaintEvent));
}

// A texture (or a translucent colour) is Qt's to fill, with its origin and blending.
void TestFastGrid::texturedBackgroundIsLeftToQt()
{
    FastGridTableView view;
    view.setModel(makeModel(30, 4, &view));
    view.setAlternatingRowColors(true);
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.viewport()->autoFillBackground());
    QPixmap tile(8, 8);
    tile.fill(QColor(0xf0, 0xf4, 0xff));
    QPalette palette = view.palette();
    palette.setBrush(QPalette::Base, QBrush(tile));
    view.setPalette(palette);
    QVERIFY(view.viewport()->autoFillBackground());
    const auto [lean, native] = grabBoth(view);
    const QString differs = difference(lean, native);
    QVERIFY2(differs.isEmpty(), qPrintable(differs));
}

void TestFastGrid::translucentGridIsLeftToQt()
{
    FastGridTableView view;
    view.setModel(makeModel(30, 6, &view));
    view.setStyleSheet(QStringLiteral("QTableView { gridline-color: rgba(255, 0, 0, 100); }"));
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.fastGrid());
    QCOMPARE(view.gridStyle(), Qt::SolidLine);
}

void TestFastGrid::otherPenStylesAreLeftToQt()
{
    FastGridTableView view;
    view.setModel(makeModel(30, 6, &view));
    QCOMPARE(view.gridStyle(), Qt::NoPen); // the fast grid's own lines
    view.setGridLineStyle(Qt::DotLine);
    QVERIFY(!view.fastGrid());
    QCOMPARE(view.gridStyle(), Qt::DotLine);
    view.setGridLineStyle(Qt::SolidLine);
    QVERIFY(view.fastGrid());
}

QTEST_MAIN(TestFastGrid)
#include "tst_fastgrid.moc"
