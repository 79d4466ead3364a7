// applyHeaderStyle: the sort arrow points down on a descending column and up on an ascending one
// (Fusion alone draws the reverse: QHeaderView flags a descending column SortUp), and a title wider
// than its section is elided on the right instead of clipped at both ends.
#include "widgets/headerstyle.h"

#include <QHeaderView>
#include <QStandardItemModel>
#include <QStyleFactory>
#include <QTableView>
#include <QtTest>

#include <optional>

namespace {

// The rows of one header section where the sort arrow drew: the pixels that differ from the same
// section without a sort indicator. The section's title is empty, so only the arrow differs.
struct ArrowInk
{
    int topWidth = 0; // inked pixels in the arrow's first row
    int bottomWidth = 0; // and in its last
};

QImage sectionImage(QHeaderView* header, int section)
{
    header->viewport()->repaint();
    return header->viewport()->grab().toImage().copy(
        header->sectionViewportPosition(section), 0, header->sectionSize(section), header->height());
}

std::optional<ArrowInk> arrowInk(QHeaderView* header, Qt::SortOrder order)
{
    header->setSortIndicatorShown(false);
    const QImage plain = sectionImage(header, 0);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(0, order);
    const QImage sorted = sectionImage(header, 0);
    std::vector<int> widths;
    for (int y = 0; y < plain.height(); ++y) {
        int width = 0;
        for (int x = 0; x < plain.width(); ++x)
            width += plain.pixel(x, y) != sorted.pixel(x, y);
        if (width > 0)
            widths.push_back(width);
    }
    if (widths.size() < 3)
        return std::nullopt; // no arrow, or a line
    return ArrowInk { widths.front(), widths.back() };
}

} // namespace

class TestHeaderStyle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void fusionDrawsDescendingUp();
    void sortArrowPointsTheWayValuesRun();
    void longTitleIsElidedOnTheRight();

private:
    std::unique_ptr<QTableView> m_view;
};

void TestHeaderStyle::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
}

void TestHeaderStyle::init()
{
    m_view = std::make_unique<QTableView>();
    auto* model = new QStandardItemModel(3, 2, m_view.get());
    model->setHorizontalHeaderLabels({ QString(), QStringLiteral("inputs.temperature") });
    m_view->setModel(model);
    m_view->horizontalHeader()->resizeSection(0, 60);
    m_view->horizontalHeader()->resizeSection(1, 70);
    m_view->resize(300, 150);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void TestHeaderStyle::cleanup()
{
    m_view.reset();
}

// The premise: without the style, a descending column's arrow points up.
void TestHeaderStyle::fusionDrawsDescendingUp()
{
    const std::optional<ArrowInk> descending = arrowInk(m_view->horizontalHeader(), Qt::DescendingOrder);
    QVERIFY(descending);
    QVERIFY2(descending->topWidth < descending->bottomWidth,
        qPrintable(
            QStringLiteral("top %1, bottom %2").arg(descending->topWidth).arg(descending->bottomWidth)));
}

void TestHeaderStyle::sortArrowPointsTheWayValuesRun()
{
    QHeaderView* header = m_view->horizontalHeader();
    spindle::widgets::applyHeaderStyle(header);
    const std::optional<ArrowInk> descending = arrowInk(header, Qt::DescendingOrder);
    const std::optional<ArrowInk> ascending = arrowInk(header, Qt::AscendingOrder);
    QVERIFY(descending && ascending);
    QVERIFY2(descending->topWidth > descending->bottomWidth, // ▼: widest at the top
        qPrintable(
            QStringLiteral("top %1, bottom %2").arg(descending->topWidth).arg(descending->bottomWidth)));
    QVERIFY2(ascending->topWidth < ascending->bottomWidth, // ▲: widest at the bottom
        qPrintable(QStringLiteral("top %1, bottom %2").arg(ascending->topWidth).arg(ascending->bottomWidth)));
}

// With the style, the too-wide title looks exactly as an elided one ("inputs.te…") does without
// it; Qt's own drawing matches none of the elided strings (it clips the title at both ends).
void TestHeaderStyle::longTitleIsElidedOnTheRight()
{
    QHeaderView* header = m_view->horizontalHeader();
    auto* model = static_cast<QStandardItemModel*>(m_view->model());
    const QString title = model->horizontalHeaderItem(1)->text();
    const QImage clipped = sectionImage(header, 1);
    std::vector<QImage> elidedTitles; // the section with each elided form of the title, unstyled
    for (int width = header->sectionSize(1) - 16; width <= header->sectionSize(1); ++width) {
        const QString elided = header->fontMetrics().elidedText(title, Qt::ElideRight, width);
        if (elided == title || elided.isEmpty())
            continue;
        model->setHorizontalHeaderLabels({ QString(), elided });
        elidedTitles.push_back(sectionImage(header, 1));
    }
    QVERIFY(!elidedTitles.empty());
    model->setHorizontalHeaderLabels({ QString(), title });
    spindle::widgets::applyHeaderStyle(header);
    const QImage styled = sectionImage(header, 1);
    const auto matches = [&](const QImage& image) {
        return std::find(elidedTitles.begin(), elidedTitles.end(), image) != elidedTitles.end();
    };
    QVERIFY(!matches(clipped));
    QVERIFY(matches(styled));
}

QTEST_MAIN(TestHeaderStyle)
#include "tst_headerstyle.moc"
