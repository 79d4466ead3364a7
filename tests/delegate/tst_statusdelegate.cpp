// StatusDelegate, the calls table's status column: the dot keeps its colour on a selected row and
// gets a ring of the selection's text colour there, so a dot close to the selection's colour (a
// running call's blue) still stands out.
#include "widgets/statusdelegate.h"

#include <QHeaderView>
#include <QStandardItemModel>
#include <QTableView>
#include <QtTest>

using spindle::widgets::StatusDelegate;

namespace {

constexpr int kStatusRole = Qt::UserRole + 1;

// Two rows of a one-column table with a running call each; the first is selected.
struct Table
{
    QStandardItemModel model { 2, 1 };
    QTableView view;

    Table()
    {
        for (int row = 0; row < 2; ++row) {
            auto* item = new QStandardItem(QStringLiteral("Running"));
            item->setData(QStringLiteral("running"), kStatusRole);
            model.setItem(row, 0, item);
        }
        view.setModel(&model);
        view.setItemDelegate(new StatusDelegate(kStatusRole, &view));
        view.setSelectionBehavior(QAbstractItemView::SelectRows);
        view.horizontalHeader()->hide();
        view.verticalHeader()->hide();
        view.setColumnWidth(0, 140);
        view.resize(180, 100);
        view.show();
        view.selectRow(0);
    }
    QImage cell(int row)
    {
        const QRect rect = view.visualRect(model.index(row, 0));
        return view.viewport()->grab(rect).toImage().convertToFormat(QImage::Format_RGB32);
    }
};

int distance(QColor a, QColor b)
{
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
}

// The pixels along the dot's horizontal diameter, from the cell's left edge into the label's gap.
QList<QColor> acrossTheDot(const QImage& cell)
{
    QList<QColor> pixels;
    const int y = cell.height() / 2;
    for (int x = 0; x < 18; ++x)
        pixels.append(cell.pixelColor(x, y));
    return pixels;
}

bool contains(const QList<QColor>& pixels, const QColor& color, int tolerance)
{
    return std::any_of(pixels.cbegin(), pixels.cend(),
        [&](const QColor& pixel) { return distance(pixel, color) <= tolerance; });
}

} // namespace

class StatusDelegateTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void selectedDotHasARing();
};

void StatusDelegateTest::selectedDotHasARing()
{
    Table table;
    QVERIFY(QTest::qWaitForWindowExposed(&table.view));
    const QColor running = StatusDelegate::statusColor(QStringLiteral("running"));
    const QPalette palette = table.view.palette();
    const QColor ring = palette.color(QPalette::Active, QPalette::HighlightedText);
    const QColor highlight = palette.color(QPalette::Active, QPalette::Highlight);
    const QList<QColor> selected = acrossTheDot(table.cell(0));
    const QList<QColor> plain = acrossTheDot(table.cell(1));
    // Both dots keep the status colour at their centre.
    QVERIFY(contains(selected, running, 12));
    QVERIFY(contains(plain, running, 12));
    // The selected row's dot is ringed: between the selection and the dot there is the ring's colour.
    QVERIFY(contains(selected, highlight, 12));
    QVERIFY2(contains(selected, ring, 24), "no ring around the selected row's dot");
    // The ring is outside the dot, which is as wide as before: the ring colour sits left of the
    // dot's first pixel on the selected row, where the unselected row has its background.
    const auto firstDot = [&](const QList<QColor>& pixels) {
        for (int x = 0; x < pixels.size(); ++x)
            if (distance(pixels[x], running) <= 12)
                return x;
        return -1;
    };
    QCOMPARE(firstDot(selected), firstDot(plain));
}

QTEST_MAIN(StatusDelegateTest)
#include "tst_statusdelegate.moc"
