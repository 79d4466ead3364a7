// CellTextDelegate against QStyledItemDelegate on the offscreen platform (Fusion): each cell is
// painted by both into images that must match pixel for pixel, in every state the calls table
// paints (selected in an active and an inactive window, focused, disabled) and at several widths;
// then the things that matter are checked on their own: elision ends in an ellipsis inside the
// margins, the selection uses the right palette group, numbers hug the right margin, the
// ForegroundRole colour is used, and a whole table looks the same.
#include "widgets/celltextdelegate.h"

#include <QPainter>
#include <QStandardItemModel>
#include <QStyleFactory>
#include <QTableView>
#include <QTextDocument>
#include <QToolTip>
#include <QtTest>

using spindle::widgets::CellTextDelegate;

namespace {

// Exposes the option a view hands its delegate.
class ProbeView : public QTableView
{
public:
    using QTableView::initViewItemOption;
};

const QColor kActiveHighlight(0x30, 0x60, 0xd0);
const QColor kInactiveHighlight(0xa0, 0xc8, 0xa0);
const QString kLong = QStringLiteral("The quick brown fox jumps over the lazy dog, then naps in the sun");

// Pixels that differ from the background by more than a faint anti-aliasing fringe.
struct Ink
{
    int left = -1, right = -1, count = 0;
};

Ink inkOf(const QImage& image, QColor background)
{
    Ink ink;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - background.red()) + std::abs(c.green() - background.green())
                    + std::abs(c.blue() - background.blue())
                > 96) {
                ink.left = ink.left < 0 ? x : std::min(ink.left, x);
                ink.right = std::max(ink.right, x);
                ++ink.count;
            }
        }
    return ink;
}

int differingPixels(const QImage& a, const QImage& b)
{
    int count = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x)
            count += a.pixel(x, y) != b.pixel(x, y);
    return count;
}

// Pixels that differ by more than a faint shade (any channel off by more than `shade`).
int clearlyDifferingPixels(const QImage& a, const QImage& b, int shade)
{
    int count = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x) {
            const QRgb p = a.pixel(x, y);
            const QRgb q = b.pixel(x, y);
            count += qAbs(qRed(p) - qRed(q)) > shade || qAbs(qGreen(p) - qGreen(q)) > shade
                || qAbs(qBlue(p) - qBlue(q)) > shade || qAbs(qAlpha(p) - qAlpha(q)) > shade;
        }
    return count;
}

} // namespace

class CellTextDelegateTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void paintsLikeTheStyle_data();
    void paintsLikeTheStyle();
    void matchesTheStyleOnManyTexts();
    void elidesWithAnEllipsis();
    void selectionUsesThePaletteGroup();
    void rightAlignsNumbers();
    void usesTheForegroundColour();
    void tableLooksTheSame_data();
    void tableLooksTheSame();
    void cacheIsBounded();
    void elidedTextIsItsTooltip();

private:
    QImage paint(QAbstractItemDelegate* delegate, const QModelIndex& index, int width, QStyle::State state);
    QModelIndex cell(const QString& name) const;

    QStandardItemModel m_model;
    ProbeView m_view;
    QStyledItemDelegate m_styled;
    CellTextDelegate m_lean;
    QStringList m_names;
};

void CellTextDelegateTest::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QCOMPARE(QApplication::style()->name(), QStringLiteral("fusion"));
    const auto add = [this](const QString& name, QStandardItem* item) {
        m_names << name;
        m_model.setItem(0, int(m_names.size()) - 1, item);
    };
    add(QStringLiteral("short"), new QStandardItem(QStringLiteral("summarize")));
    add(QStringLiteral("long"), new QStandardItem(kLong));
    auto* number = new QStandardItem(QStringLiteral("1,234 ms"));
    number->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    add(QStringLiteral("number"), number);
    auto* red = new QStandardItem(QStringLiteral("error: rate limited"));
    red->setForeground(QColor(Qt::red));
    add(QStringLiteral("foreground"), red);
    add(QStringLiteral("empty"), new QStandardItem());
    auto* background = new QStandardItem(QStringLiteral("highlighted row"));
    background->setBackground(QColor(0xff, 0xee, 0x99));
    add(QStringLiteral("background"), background);
    QPixmap dot(10, 10);
    dot.fill(QColor(0x2e, 0x9e, 0x5b));
    add(QStringLiteral("icon"), new QStandardItem(QIcon(dot), QStringLiteral("with an icon")));
    auto* bold = new QStandardItem(QStringLiteral("bold and long enough to elide"));
    QFont font;
    font.setBold(true);
    bold->setFont(font);
    add(QStringLiteral("font"), bold);
    auto* underlined = new QStandardItem(QStringLiteral("underlined italic"));
    QFont decorated;
    decorated.setUnderline(true);
    decorated.setItalic(true);
    underlined->setFont(decorated);
    add(QStringLiteral("underline"), underlined);
    auto* integer = new QStandardItem;
    integer->setData(1234567, Qt::DisplayRole); // formatted by the locale, as the base class does
    add(QStringLiteral("integer"), integer);
    auto* centred = new QStandardItem(QStringLiteral("Loading…"));
    centred->setTextAlignment(Qt::AlignCenter);
    add(QStringLiteral("centred"), centred);
    auto* check = new QStandardItem(QStringLiteral("checked"));
    check->setCheckable(true);
    check->setCheckState(Qt::Checked);
    add(QStringLiteral("check"), check); // handed to the base class
    add(QStringLiteral("lines"), new QStandardItem(QStringLiteral("first line\nsecond line")));
    add(QStringLiteral("spaces"), new QStandardItem(QStringLiteral("  padded   ")));
    m_view.setModel(&m_model);
    m_view.setWordWrap(false);
    m_view.setTextElideMode(Qt::ElideRight);
    QPalette palette = m_view.palette();
    palette.setColor(QPalette::Active, QPalette::Highlight, kActiveHighlight);
    palette.setColor(QPalette::Inactive, QPalette::Highlight, kInactiveHighlight);
    palette.setColor(QPalette::Inactive, QPalette::HighlightedText, Qt::black);
    m_view.setPalette(palette);
}

QModelIndex CellTextDelegateTest::cell(const QString& name) const
{
    return m_model.index(0, int(m_names.indexOf(name)));
}

QImage CellTextDelegateTest::paint(
    QAbstractItemDelegate* delegate, const QModelIndex& index, int width, QStyle::State state)
{
    QStyleOptionViewItem option;
    m_view.initViewItemOption(&option);
    option.rect = QRect(0, 0, width, m_view.fontMetrics().height() + 8);
    option.state = state;
    QImage image(option.rect.size(), QImage::Format_ARGB32_Premultiplied);
    image.fill(m_view.palette().color(QPalette::Base));
    QPainter painter(&image);
    delegate->paint(&painter, option, index);
    return image;
}

void CellTextDelegateTest::paintsLikeTheStyle_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("state");
    const QStyle::State on = QStyle::State_Enabled;
    const std::pair<const char*, QStyle::State> states[] = {
        { "normal", on | QStyle::State_Active },
        { "selected", on | QStyle::State_Active | QStyle::State_Selected },
        { "selected-inactive", on | QStyle::State_Selected },
        { "focus", on | QStyle::State_Active | QStyle::State_HasFocus | QStyle::State_Selected },
        { "disabled", QStyle::State_Active },
    };
    for (const QString& name : std::as_const(m_names))
        for (const auto& [label, state] : states)
            QTest::addRow("%s/%s", qPrintable(name), label) << name << int(state);
}

// Pixel for pixel the base class's painting, at widths where every text fits, where most are
// elided, and where almost nothing fits; twice, so the cached layouts are compared too, and with a
// larger view font, which must not reuse layouts of the smaller one.
void CellTextDelegateTest::paintsLikeTheStyle()
{
    QFETCH(QString, name);
    QFETCH(int, state);
    const QFont viewFont = m_view.font();
    for (int pointSize : { viewFont.pointSize(), viewFont.pointSize() + 3 }) {
        QFont font = viewFont;
        font.setPointSize(pointSize);
        m_view.setFont(font);
        for (int pass = 0; pass < 2; ++pass)
            for (int width : { 420, 120, 61, 12 }) {
                const QImage styled = paint(&m_styled, cell(name), width, QStyle::State(state));
                const QImage lean = paint(&m_lean, cell(name), width, QStyle::State(state));
                const int differing = differingPixels(styled, lean);
                if (differing) {
                    const QString shot =
                        QStringLiteral(DELEGATE_SHOT_DIR "/cell-%1-%2-%3.png").arg(name).arg(width);
                    styled.save(shot.arg(QStringLiteral("styled")));
                    lean.save(shot.arg(QStringLiteral("lean")));
                }
                QVERIFY2(differing == 0,
                    qPrintable(QStringLiteral("%1 px differ at width %2, %3 pt")
                                   .arg(differing)
                                   .arg(width)
                                   .arg(pointSize)));
            }
    }
    m_view.setFont(viewFont);
}

// Random texts at random widths and alignments, pixel for pixel: Latin text (which the delegate
// elides from a prefix), JSON cut at 64 characters as the calls table shows it, and text the quick
// path must leave alone (other scripts, emoji, tabs, trailing spaces, combining accents).
void CellTextDelegateTest::matchesTheStyleOnManyTexts()
{
    QRandomGenerator random(20261122);
    const QStringList pieces = { QStringLiteral("{\"content\":\""), QStringLiteral("\",\"role\":\"user\"}"),
        QStringLiteral("Summarize"), QStringLiteral(" the "), QStringLiteral("ticket"), QStringLiteral("0.2"),
        QStringLiteral("fi"), QStringLiteral("ffl"), QStringLiteral("AV"), QStringLiteral("To"),
        QStringLiteral("WAVE"), QStringLiteral("iiii"), QStringLiteral("MMMM"), QStringLiteral("..."),
        QStringLiteral("café"), QStringLiteral("ß"), QStringLiteral(" ") };
    const QStringList unusual = { QStringLiteral("日本語のテキスト"), QStringLiteral("🙂"),
        QStringLiteral("\t"), QStringLiteral("שלום"), QStringLiteral("e\u0301"), QStringLiteral("Ω≈"),
        QStringLiteral("  ") };
    QStandardItemModel model;
    model.setItem(0, 0, new QStandardItem);
    const QStyle::State state = QStyle::State_Enabled | QStyle::State_Active;
    const Qt::Alignment alignments[] = { Qt::AlignLeft | Qt::AlignVCenter, Qt::AlignRight | Qt::AlignVCenter,
        Qt::AlignHCenter | Qt::AlignVCenter };
    int elided = 0;
    for (int i = 0; i < 600; ++i) {
        QString text;
        const int count = 1 + int(random.bounded(14));
        for (int p = 0; p < count; ++p)
            text += pieces.at(random.bounded(pieces.size()));
        if (i % 5 == 0)
            text.insert(random.bounded(text.size() + 1), unusual.at(random.bounded(unusual.size())));
        if (i % 3 == 0 && text.size() > 64)
            text = text.left(64) + QChar(0x2026); // as CallsTableModel cuts JSON cells
        const int width = 8 + int(random.bounded(300));
        model.item(0, 0)->setText(text);
        model.item(0, 0)->setTextAlignment(alignments[i % 3]);
        const QImage styled = paint(&m_styled, model.index(0, 0), width, state);
        const QImage lean = paint(&m_lean, model.index(0, 0), width, state);
        elided += m_view.fontMetrics().horizontalAdvance(text) > width - 6;
        if (styled != lean) {
            styled.save(QStringLiteral(DELEGATE_SHOT_DIR "/random-styled.png"));
            lean.save(QStringLiteral(DELEGATE_SHOT_DIR "/random-lean.png"));
        }
        // A colour emoji is a bitmap glyph scaled down, and its edge pixels come out a shade apart
        // from one paint to another in some processes (2 px, 4 levels, seen with Noto Color Emoji):
        // a faint shade there is the font's, any other difference the delegate's.
        const bool colourGlyph = text.contains(QStringLiteral("🙂"));
        QVERIFY2(colourGlyph ? clearlyDifferingPixels(styled, lean, 16) == 0 : styled == lean,
            qPrintable(QStringLiteral("\"%1\" at width %2").arg(text).arg(width)));
    }
    QVERIFY2(elided > 200, qPrintable(QString::number(elided))); // most of them are cut
}

// Too narrow: the text ends in "…" inside the right margin, exactly as the base class paints the
// elided string when it is given that string to begin with.
void CellTextDelegateTest::elidesWithAnEllipsis()
{
    const int width = 120, margin = QApplication::style()->pixelMetric(QStyle::PM_FocusFrameHMargin) + 1;
    const QStyle::State state = QStyle::State_Enabled | QStyle::State_Active;
    const QImage lean = paint(&m_lean, cell(QStringLiteral("long")), width, state);
    const QString elided = m_view.fontMetrics().elidedText(kLong, Qt::ElideRight, width - 2 * margin);
    QVERIFY(elided.endsWith(QChar(0x2026)));
    QVERIFY(elided.size() < kLong.size() / 2);
    QStandardItemModel reference;
    reference.setItem(0, 0, new QStandardItem(elided));
    const QImage expected = paint(&m_styled, reference.index(0, 0), width, state);
    QCOMPARE(differingPixels(expected, lean), 0);
    const Ink ink = inkOf(lean, m_view.palette().color(QPalette::Base));
    QVERIFY2(ink.right < width - margin && ink.right > width - margin - 12,
        qPrintable(QString::number(ink.right)));
    QVERIFY2(ink.left >= margin, qPrintable(QString::number(ink.left)));
    // Given room, the same text runs far past the narrow cell.
    const Ink wide = inkOf(paint(&m_lean, cell(QStringLiteral("long")), 1000, state), Qt::white);
    QVERIFY2(wide.right > 2 * width, qPrintable(QString::number(wide.right)));
}

void CellTextDelegateTest::selectionUsesThePaletteGroup()
{
    const QStyle::State selected = QStyle::State_Enabled | QStyle::State_Selected;
    const QImage active = paint(&m_lean, cell(QStringLiteral("empty")), 80, selected | QStyle::State_Active);
    const QImage inactive = paint(&m_lean, cell(QStringLiteral("empty")), 80, selected);
    QCOMPARE(active.pixelColor(40, 5), kActiveHighlight);
    QCOMPARE(inactive.pixelColor(40, 5), kInactiveHighlight);
    QCOMPARE(active.pixelColor(0, 0), kActiveHighlight); // the whole cell, margins included
    // Text on the selection takes HighlightedText of the same group (black when inactive here).
    const QImage text = paint(&m_lean, cell(QStringLiteral("foreground")), 200, selected);
    bool dark = false;
    for (int x = 0; x < text.width(); ++x)
        dark = dark || qGray(text.pixel(x, text.height() / 2)) < 40;
    QVERIFY(dark);
}

void CellTextDelegateTest::rightAlignsNumbers()
{
    const int width = 160, margin = QApplication::style()->pixelMetric(QStyle::PM_FocusFrameHMargin) + 1;
    const Ink ink = inkOf(paint(&m_lean, cell(QStringLiteral("number")), width, QStyle::State_Enabled),
        m_view.palette().color(QPalette::Base));
    QVERIFY2(ink.right >= width - margin - 3 && ink.right < width - margin,
        qPrintable(QString::number(ink.right)));
    QVERIFY2(ink.left > width / 2, qPrintable(QString::number(ink.left)));
}

void CellTextDelegateTest::usesTheForegroundColour()
{
    const QImage image =
        paint(&m_lean, cell(QStringLiteral("foreground")), 200, QStyle::State_Enabled | QStyle::State_Active);
    int red = 0, grey = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            red += c.red() > 200 && c.green() < 80 && c.blue() < 80;
            grey += c.red() < 120 && std::abs(c.red() - c.green()) < 20 && std::abs(c.red() - c.blue()) < 20;
        }
    QVERIFY2(red > 20 && grey == 0, qPrintable(QStringLiteral("%1 red, %2 grey").arg(red).arg(grey)));
}

void CellTextDelegateTest::tableLooksTheSame_data()
{
    QTest::addColumn<QString>("styleSheet");
    QTest::addColumn<bool>("lean"); // whether the delegate paints the cells itself
    QTest::newRow("no sheet") << QString() << true;
    // The frozen column overlay of the calls table has this one.
    QTest::newRow("border sheet") << QStringLiteral(
        "QTableView { border: none; border-right: 1px solid #c8ccd2; }")
                                  << true;
    QTest::newRow("item sheet") << QStringLiteral("QTableView::item { color: #b00020; padding: 4px; }")
                                << false;
}

// A table with alternating rows, a selected row and a current cell, grabbed with each delegate.
void CellTextDelegateTest::tableLooksTheSame()
{
    QFETCH(QString, styleSheet);
    QFETCH(bool, lean);
    QStandardItemModel model;
    for (int row = 0; row < 12; ++row)
        for (int column = 0; column < m_model.columnCount(); ++column)
            model.setItem(row, column, m_model.item(0, column)->clone());
    const auto grab = [&](QAbstractItemDelegate* delegate) {
        QTableView view;
        view.setStyleSheet(styleSheet);
        view.setItemDelegate(delegate);
        view.setModel(&model);
        view.setAlternatingRowColors(true);
        view.setSelectionBehavior(QAbstractItemView::SelectRows);
        view.setWordWrap(false);
        view.resize(900, 360);
        for (int column = 0; column < model.columnCount(); ++column)
            view.setColumnWidth(column, 40 + 13 * column);
        view.selectRow(3);
        view.setCurrentIndex(model.index(3, 2));
        view.show();
        return view.viewport()->grab().toImage();
    };
    CellTextDelegate delegate;
    const QImage styled = grab(&m_styled);
    const QImage painted = grab(&delegate);
    // Saved for a look: build-*/tests/delegate/table-<case>-{styled,lean}.png.
    const QString shot = QStringLiteral(DELEGATE_SHOT_DIR "/table-%1-%2.png")
                             .arg(QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-'));
    styled.save(shot.arg(QStringLiteral("styled")));
    painted.save(shot.arg(QStringLiteral("lean")));
    QCOMPARE(differingPixels(styled, painted), 0);
    QCOMPARE(delegate.cachedTexts() > 0, lean);
}

void CellTextDelegateTest::cacheIsBounded()
{
    QStandardItemModel model;
    for (int row = 0; row < CellTextDelegate::kCacheSize + 500; ++row)
        model.setItem(row, 0, new QStandardItem(QStringLiteral("call %1").arg(row)));
    CellTextDelegate delegate;
    for (int row = 0; row < model.rowCount(); ++row)
        paint(&delegate, model.index(row, 0), 100, QStyle::State_Enabled);
    QCOMPARE(delegate.cachedTexts(), CellTextDelegate::kCacheSize);
    const QImage again = paint(&delegate, model.index(7, 0), 100, QStyle::State_Enabled);
    QCOMPARE(differingPixels(again, paint(&m_styled, model.index(7, 0), 100, QStyle::State_Enabled)), 0);
}

// A cell cut short shows its whole text as a tooltip; a cell that fits shows none, and a cell with a
// tooltip of its own keeps it.
void CellTextDelegateTest::elidedTextIsItsTooltip()
{
    QStandardItemModel model(1, 3);
    const QString id = QStringLiteral("01a20c6b-5594-7f25-ad1a-12716c8b27be");
    model.setItem(0, 0, new QStandardItem(id));
    model.setItem(0, 1, new QStandardItem(QStringLiteral("ok")));
    auto* own = new QStandardItem(id);
    own->setToolTip(QStringLiteral("its own"));
    model.setItem(0, 2, own);
    QTableView view;
    CellTextDelegate delegate;
    view.setItemDelegate(&delegate);
    view.setModel(&model);
    for (int column = 0; column < 3; ++column)
        view.setColumnWidth(column, 80); // the id needs about 250 px
    view.resize(400, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto tooltipAt = [&view](int column) {
        QToolTip::hideText(); // after a short delay
        if (!QTest::qWaitFor([] { return !QToolTip::isVisible(); }, 2000))
            return QStringLiteral("(an earlier tooltip stayed)");
        const QRect cell = view.visualRect(view.model()->index(0, column));
        QHelpEvent event(QEvent::ToolTip, cell.center(), view.viewport()->mapToGlobal(cell.center()));
        QApplication::sendEvent(view.viewport(), &event);
        return QToolTip::isVisible() ? QToolTip::text() : QString();
    };
    QCOMPARE(tooltipAt(0), Qt::convertFromPlainText(id, Qt::WhiteSpaceNormal)); // as text, never markup
    QCOMPARE(tooltipAt(1), QString());
    QCOMPARE(tooltipAt(2), QStringLiteral("its own"));
    view.setColumnWidth(0, 400);
    QCOMPARE(tooltipAt(0), QString()); // all of it shows
    QToolTip::hideText();
}

QTEST_MAIN(CellTextDelegateTest)
#include "tst_celltextdelegate.moc"
