// LatencyBarDelegate, the trace tree's latency column: the text and the waterfall bar each have
// their own pixel rows, whatever the bar's length, and the row is tall enough for both.
#include "widgets/latencybardelegate.h"

#include <QStandardItemModel>
#include <QTreeView>
#include <QtTest>

#include <set>

using spindle::widgets::LatencyBarDelegate;

namespace {

constexpr int kOffsetRole = Qt::UserRole + 1;
constexpr int kFractionRole = Qt::UserRole + 2;
constexpr int kStatusRole = Qt::UserRole + 3;

// One row of a tree whose only column the delegate paints, as the trace view sets it up.
struct Tree
{
    QStandardItemModel model { 1, 1 };
    QTreeView view;

    Tree(const QString& text, double offset, double fraction)
    {
        QStandardItem* item = new QStandardItem(text);
        item->setData(offset, kOffsetRole);
        item->setData(fraction, kFractionRole);
        item->setData(QStringLiteral("error"), kStatusRole);
        model.setItem(0, 0, item);
        view.setModel(&model);
        view.setUniformRowHeights(true);
        view.setHeaderHidden(true);
        view.setRootIsDecorated(false);
        view.setItemDelegate(new LatencyBarDelegate(kOffsetRole, kFractionRole, kStatusRole, &view));
        view.resize(160, 60);
        view.show();
    }
    QRect rowRect() const
    {
        return view.visualRect(model.index(0, 0));
    }
    QImage rowImage()
    {
        return view.viewport()->grab(rowRect()).toImage().convertToFormat(QImage::Format_RGB32);
    }
};

// The pixel rows of a cell with something painted on its background: its last pixel column is
// in the side margin that neither the text nor the bar reaches.
std::set<int> rowsWithPaint(const QImage& cell)
{
    std::set<int> rows;
    for (int y = 0; y < cell.height(); ++y) {
        const QRgb background = cell.pixel(cell.width() - 1, y);
        for (int x = 0; x < cell.width(); ++x) {
            if (cell.pixel(x, y) != background) {
                rows.insert(y);
                break;
            }
        }
    }
    return rows;
}

// The pixel rows of the cell where two images of it differ.
std::set<int> rowsThatDiffer(const QImage& a, const QImage& b)
{
    std::set<int> rows;
    for (int y = 0; y < std::min(a.height(), b.height()); ++y) {
        for (int x = 0; x < std::min(a.width(), b.width()); ++x) {
            if (a.pixel(x, y) != b.pixel(x, y)) {
                rows.insert(y);
                break;
            }
        }
    }
    return rows;
}

QString describe(const std::set<int>& rows)
{
    QStringList out;
    for (const int row : rows)
        out << QString::number(row);
    return out.join(QLatin1Char(' '));
}

} // namespace

class LatencyBarTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void textAndBarDoNotOverlap_data();
    void textAndBarDoNotOverlap();
};

void LatencyBarTest::textAndBarDoNotOverlap_data()
{
    QTest::addColumn<double>("offset");
    QTest::addColumn<double>("fraction");
    QTest::addRow("whole trace") << 0.0 << 1.0;
    QTest::addRow("under the text") << 0.5 << 0.5;
    QTest::addRow("short, at the start") << 0.0 << 0.05;
}

void LatencyBarTest::textAndBarDoNotOverlap()
{
    QFETCH(double, offset);
    QFETCH(double, fraction);
    // "Wg" has an ascender and a descender: the text's whole line.
    Tree both(QStringLiteral("10.0 s Wg"), offset, fraction);
    Tree barOnly(QString(), offset, fraction);
    QVERIFY(QTest::qWaitForWindowExposed(&both.view));
    QVERIFY(QTest::qWaitForWindowExposed(&barOnly.view));

    const int lineHeight = both.view.fontMetrics().height();
    QVERIFY2(both.rowRect().height() >= lineHeight + 4,
        qPrintable(QStringLiteral("row %1 px, line %2 px").arg(both.rowRect().height()).arg(lineHeight)));
    // The rows of the text: where the text changes the cell. The rows of the bar: what is painted
    // on a cell without text.
    QCOMPARE(barOnly.rowRect().height(), both.rowRect().height());
    const std::set<int> textRows = rowsThatDiffer(both.rowImage(), barOnly.rowImage());
    const std::set<int> barRows = rowsWithPaint(barOnly.rowImage());
    QVERIFY(!textRows.empty());
    QVERIFY(!barRows.empty());
    std::set<int> shared;
    std::set_intersection(textRows.begin(), textRows.end(), barRows.begin(), barRows.end(),
        std::inserter(shared, shared.end()));
    QVERIFY2(shared.empty(),
        qPrintable(QStringLiteral("text rows %1; bar rows %2").arg(describe(textRows), describe(barRows))));
    // Neither touches the row's edges: the text is not clipped, the bar does not run into the next row.
    QVERIFY2(*textRows.begin() > 0, qPrintable(describe(textRows)));
    QVERIFY2(*barRows.rbegin() < both.rowRect().height() - 1, qPrintable(describe(barRows)));
}

QTEST_MAIN(LatencyBarTest)
#include "tst_latencybar.moc"
