#include "widgets/celltextdelegate.h"

#include "widgets/leanrowstyle.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QFontMetrics>
#include <QHelpEvent>
#include <QPainter>
#include <QRawFont>
#include <QStyle>
#include <QTextDocument>
#include <QTextLayout>
#include <QToolTip>

#include <array>
#include <optional>

using namespace Qt::StringLiterals;

namespace spindle::widgets {

namespace {

// The roles QStyledItemDelegate::initStyleOption reads, fetched in one multiData() call.
enum Slot
{
    Display,
    Decoration,
    Alignment,
    Foreground,
    Background,
    Font,
    CheckState,
    SlotCount
};

std::array<QModelRoleData, SlotCount> cellData(const QModelIndex& index)
{
    std::array<QModelRoleData, SlotCount> data { QModelRoleData(Qt::DisplayRole),
        QModelRoleData(Qt::DecorationRole), QModelRoleData(Qt::TextAlignmentRole),
        QModelRoleData(Qt::ForegroundRole), QModelRoleData(Qt::BackgroundRole), QModelRoleData(Qt::FontRole),
        QModelRoleData(Qt::CheckStateRole) };
    index.multiData(data);
    return data;
}

Qt::Alignment alignmentOf(const QVariant& value, Qt::Alignment fallback)
{
    if (!value.isValid())
        return fallback;
    if (value.metaType() == QMetaType::fromType<Qt::Alignment>())
        return value.value<Qt::Alignment>();
    return Qt::Alignment::fromInt(value.toInt());
}

// The colour groups QCommonStyle uses: the panel asks the widget whether it is enabled, the text
// asks the option's state.
QPalette::ColorGroup colorGroup(bool enabled, QStyle::State state)
{
    if (!enabled)
        return QPalette::Disabled;
    return state & QStyle::State_Active ? QPalette::Normal : QPalette::Inactive;
}

bool isMultiLine(const QString& text)
{
    return text.contains(QChar::LineSeparator) || text.contains(u'\n')
        || text.contains(QChar::ParagraphSeparator);
}

QTextLayout* layOut(QTextLayout& layout, int width, Qt::Alignment alignment)
{
    QTextOption option;
    option.setWrapMode(QTextOption::ManualWrap);
    option.setTextDirection(Qt::LeftToRight);
    option.setAlignment(QStyle::visualAlignment(Qt::LeftToRight, alignment));
    layout.setTextOption(option);
    layout.setCacheEnabled(true); // else endLayout() drops the glyphs and glyphRuns() shapes again
    layout.beginLayout();
    QTextLine line = layout.createLine();
    line.setLineWidth(width);
    line.setPosition(QPointF(0, 0));
    layout.endLayout();
    return &layout;
}

// Where QCommonStylePrivate::viewItemLayout puts an icon at the left: its rect, and the rest of
// the cell for the text.
QRect placeIcon(const QStyleOptionViewItem& option, int margin, QRect* display)
{
    const QRect column(
        option.rect.x(), option.rect.y(), option.decorationSize.width() + 2 * margin, option.rect.height());
    display->setLeft(column.right() + 1);
    return QStyle::alignedRect(Qt::LeftToRight, option.decorationAlignment, option.decorationSize, column);
}

// QCommonStyle's PE_PanelItemViewItem: the selection, or the BackgroundRole brush.
void paintPanel(QPainter* painter, const QStyleOptionViewItem& option, const QRect& display, bool selectWhole,
    const QVariant& background)
{
    const QPalette::ColorGroup group = CellTextDelegate::panelColorGroup(option);
    if (selectWhole) {
        painter->fillRect(option.rect, option.palette.brush(group, QPalette::Highlight));
        return;
    }
    if (background.canConvert<QBrush>()) {
        const QPointF origin = painter->brushOrigin();
        painter->setBrushOrigin(option.rect.topLeft());
        painter->fillRect(option.rect, qvariant_cast<QBrush>(background));
        painter->setBrushOrigin(origin);
    }
    if (option.state & QStyle::State_Selected)
        painter->fillRect(display, option.palette.brush(group, QPalette::Highlight));
}

// The text as CE_ItemViewItem draws it: the selection's or the ForegroundRole's colour, the line's
// rounded height aligned in the text rect (QStyle::alignedRect, as the style places its layout).
void paintText(QPainter* painter, const QStyleOptionViewItem& option, const QVariant& foreground,
    const QRect& textRect, Qt::Alignment alignment, const QList<QGlyphRun>& glyphs, int height)
{
    const bool selected = option.state & QStyle::State_Selected;
    QColor color = option.palette.color(colorGroup(option.state & QStyle::State_Enabled, option.state),
        selected ? QPalette::HighlightedText : QPalette::Text);
    if (!selected && foreground.canConvert<QBrush>())
        color = qvariant_cast<QBrush>(foreground).color();
    const int top =
        QStyle::alignedRect(Qt::LayoutDirectionAuto, alignment, QSize(textRect.width(), height), textRect)
            .top();
    const QPen pen = painter->pen();
    painter->setPen(color);
    for (const QGlyphRun& run : glyphs)
        painter->drawGlyphRun(QPointF(textRect.x(), top), run);
    painter->setPen(pen);
}

// The string the style draws for a text FontFacts::covers, or nothing when it probably fits
// (laying it out is then the cheapest way to know). Eliding a prefix that is about twice the width
// gives the same string as eliding the whole text when the cut falls a few characters before the
// prefix ends: the widths before the cut do not depend on what follows (kerning and ligatures
// reach one or two characters).
std::optional<QString> shownText(
    const QString& text, const QFont& font, int width, Qt::TextElideMode mode, qreal averageWidth)
{
    if (text.size() * averageWidth <= width)
        return std::nullopt;
    const QFontMetrics metrics(font);
    const qsizetype length = qsizetype(2 * width / averageWidth) + 4;
    if (mode == Qt::ElideRight && length < text.size()) {
        const QString prefix = text.left(length);
        const QString shown = metrics.elidedText(prefix, mode, width, Qt::TextLongestVariant);
        const qsizetype cut = shown.endsWith(QChar(0x2026)) ? shown.size() - 1
            : shown.endsWith("..."_L1)                      ? shown.size() - 3
                                                            : -1;
        if (shown != prefix && cut >= 0 && cut <= length - 5
            && QStringView(shown).left(cut) == QStringView(prefix).left(cut))
            return shown;
    }
    return metrics.elidedText(text, mode, width, Qt::TextLongestVariant);
}

} // namespace

// Once per font: which characters its own glyphs draw (a fallback font could change the line's
// height), and its average character width for guessing which texts overflow.
CellTextDelegate::FontFacts CellTextDelegate::factsOf(const QFont& font)
{
    CellTextDelegate::FontFacts facts;
    const QRawFont raw = QRawFont::fromFont(font);
    for (char16_t u = 0x20; u < facts.primary.size(); ++u)
        facts.primary[u] =
            u != 0x7f && !(u >= 0x80 && u < 0xa0) && u != 0xad && raw.supportsCharacter(QChar(u));
    facts.ellipsis = raw.supportsCharacter(QChar(0x2026));
    facts.averageWidth = std::max<qreal>(1, QFontMetricsF(font).averageCharWidth());
    return facts;
}

CellTextDelegate::CellTextDelegate(QObject* parent)
    : QStyledItemDelegate(parent)
{
}

CellTextDelegate::~CellTextDelegate() = default;

QPalette::ColorGroup CellTextDelegate::panelColorGroup(const QStyleOptionViewItem& option)
{
    const QWidget* widget = option.widget;
    return colorGroup(
        widget ? widget->isEnabled() : bool(option.state & QStyle::State_Enabled), option.state);
}

// Whether QCommonStyle's CE_ItemViewItem paints this view's items: Fusion and Windows do; other
// styles (Breeze, macOS, Windows Vista) add hover and rounded selections of their own.
bool CellTextDelegate::styleIsPlain(const QWidget* widget) const
{
    QStyle* style = widget ? widget->style() : QApplication::style();
    if (style != m_style) {
        m_style = style;
        const QStyle* base = style;
        // A view with its own style sheet gets a QStyleSheetStyle over the application's style.
        if (style->inherits("QStyleSheetStyle"))
            base = qApp->styleSheet().isEmpty() ? QApplication::style() : nullptr;
        if (const auto* lean = qobject_cast<const LeanRowStyle*>(base)) // item painting unchanged
            base = lean->baseStyle();
        const QString name = base ? base->name() : QString();
        m_plainStyle = name == "fusion"_L1 || name == "windows"_L1;
        m_textMargin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
    }
    // Item rules of the view's own sheet change the painting; other rules only its palette.
    return m_plainStyle && !(widget && widget->styleSheet().contains("item"_L1));
}

// Text the style draws as QFontMetrics::elidedText(text) would elide it, in the font's own line
// height: Latin characters the font itself draws (no fallback font, grapheme = character, no bidi
// controls, no shaping across more than a pair), no tab, no trailing space (the style measures
// without trailing spaces, elidedText with them).
bool CellTextDelegate::FontFacts::covers(const QString& text) const
{
    if (text.isEmpty() || text.back().isSpace())
        return false;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u < primary.size() ? !primary[u] : !(u == 0x2026 && ellipsis))
            return false;
    }
    return true;
}

// What the style's viewItemDrawText does for one line: lay the text out in the width, elide it if
// it does not fit, lay the elided text out again. Text of the view's font that FontFacts covers
// is elided first, from a prefix, and laid out once.
CellTextDelegate::TextLayout CellTextDelegate::layoutText(const QString& text, const QFont& font, int width,
    Qt::Alignment alignment, Qt::TextElideMode mode, const FontFacts* facts)
{
    TextLayout result;
    if (facts && facts->covers(text)) {
        if (const std::optional<QString> shown = shownText(text, font, width, mode, facts->averageWidth)) {
            QTextLayout layout(*shown, font);
            result.glyphs = layOut(layout, width, alignment)->glyphRuns();
            result.height = layout.boundingRect().size().toSize().height(); // the font's, as the whole text's
            return result;
        }
    }
    QTextLayout whole(text, font);
    const QTextLine line = layOut(whole, width, alignment)->lineAt(0);
    result.height = whole.boundingRect().size().toSize().height();
    if (line.naturalTextWidth() <= width) {
        result.glyphs = whole.glyphRuns();
        return result;
    }
    // TextLongestVariant: elide the whole string as the style does, not its first length variant.
    QTextLayout elided(QFontMetrics(font).elidedText(text, mode, width, Qt::TextLongestVariant), font);
    result.glyphs = layOut(elided, width, alignment)->glyphRuns();
    return result;
}

// A cell's text laid out, from the cache when it is in the view's font; null for text of several
// lines, which the style lays out, places and elides differently.
const CellTextDelegate::TextLayout* CellTextDelegate::layoutFor(const QString& text, const QFont& font,
    bool viewFont, int width, Qt::Alignment alignment, Qt::TextElideMode mode, TextLayout& scratch) const
{
    const Key key { text, width, int(alignment & Qt::AlignHorizontal_Mask) | int(mode) << 16 };
    if (viewFont) {
        if (!m_cacheFont || font != *m_cacheFont) {
            m_cache.clear();
            m_cacheFont = font;
            m_facts = factsOf(font);
        }
        if (const TextLayout* hit = m_cache.object(key))
            return hit;
    }
    if (isMultiLine(text))
        return nullptr;
    if (!viewFont) {
        scratch = layoutText(text, font, width, alignment, mode, nullptr); // m_facts are the view font's
        return &scratch;
    }
    auto* layout = new TextLayout(layoutText(text, font, width, alignment, mode, &m_facts));
    m_cache.insert(key, layout); // cost 1 of kCacheSize: evicts the least recently used, never this
    return layout;
}

void CellTextDelegate::paint(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QWidget* widget = option.widget;
    const std::array<QModelRoleData, SlotCount> data = cellData(index);
    const bool unusual = (option.state & (QStyle::State_HasFocus | QStyle::State_Editing))
        || (option.features & QStyleOptionViewItem::WrapText) || option.direction != Qt::LeftToRight
        || data[CheckState].data().isValid() || !styleIsPlain(widget);
    const QVariant& decoration = data[Decoration].data();
    const bool hasDecoration = decoration.isValid() && !decoration.isNull();
    // The icon and its size, converted as the base class does. Only cells with an icon pay for it:
    // a default QStyleOptionViewItem asks for the application's font and locale, under a mutex.
    std::optional<QStyleOptionViewItem> decorated;
    if (!unusual && hasDecoration) {
        decorated.emplace(option);
        initStyleOption(&*decorated, index);
    }
    if (unusual || (decorated && decorated->decorationPosition != QStyleOptionViewItem::Left)) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const QString text =
        data[Display].data().isValid() ? displayText(data[Display].data(), option.locale) : QString();
    const QVariant& fontValue = data[Font].data();
    const QFont font =
        fontValue.isValid() ? qvariant_cast<QFont>(fontValue).resolve(option.font) : option.font;
    const Qt::Alignment alignment = alignmentOf(data[Alignment].data(), option.displayAlignment);
    // QPainter::drawGlyphRun ends an underline a pixel off QTextLayout::draw: the style draws those.
    if (font.underline() || font.strikeOut() || font.overline()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }

    QRect display = option.rect;
    const bool hasIcon = decorated && !decorated->decorationSize.isEmpty();
    const QRect iconRect = hasIcon ? placeIcon(*decorated, m_textMargin, &display) : QRect();
    const QRect textRect = display.adjusted(m_textMargin, 0, -m_textMargin, 0);
    // Laid out before anything is painted: what the style would put on several lines goes to the
    // base class whole.
    TextLayout scratch;
    const TextLayout* layout = text.isEmpty() ? nullptr
                                              : layoutFor(text, font, !fontValue.isValid(), textRect.width(),
                                                  alignment, option.textElideMode, scratch);
    if (!text.isEmpty() && !layout) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }

    const bool selected = option.state & QStyle::State_Selected;
    const bool selectWhole = selected
        && (!hasIcon
            || (widget ? widget->style() : QApplication::style())
                   ->styleHint(QStyle::SH_ItemView_ShowDecorationSelected, &option, widget));
    paintPanel(painter, option, display, selectWhole, data[Background].data());
    if (hasIcon) {
        const QIcon::Mode mode = !(option.state & QStyle::State_Enabled) ? QIcon::Disabled
            : selected                                                   ? QIcon::Selected
                                                                         : QIcon::Normal;
        decorated->icon.paint(painter, iconRect, decorated->decorationAlignment, mode,
            option.state & QStyle::State_Open ? QIcon::On : QIcon::Off);
    }
    if (layout)
        paintText(
            painter, option, data[Foreground].data(), textRect, alignment, layout->glyphs, layout->height);
}

bool CellTextDelegate::helpEvent(
    QHelpEvent* event, QAbstractItemView* view, const QStyleOptionViewItem& option, const QModelIndex& index)
{
    if (event->type() == QEvent::ToolTip && index.isValid()
        && index.data(Qt::ToolTipRole).toString().isEmpty()) {
        QStyleOptionViewItem cell = option;
        initStyleOption(&cell, index);
        const QStyle* style = cell.widget ? cell.widget->style() : QApplication::style();
        const QRect textRect = style->subElementRect(QStyle::SE_ItemViewItemText, &cell, cell.widget);
        const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, cell.widget) + 1;
        if (!cell.text.isEmpty() && !cell.text.contains(QLatin1Char('\n'))
            && QFontMetrics(cell.font).horizontalAdvance(cell.text) > textRect.width() - 2 * margin) {
            // As text: a value that looks like markup would be shown as markup (and its <img> read).
            QToolTip::showText(event->globalPos(),
                Qt::convertFromPlainText(cell.text.left(2000), Qt::WhiteSpaceNormal), view->viewport(),
                cell.rect);
            return true;
        }
    }
    return QStyledItemDelegate::helpEvent(event, view, option, index);
}

} // namespace spindle::widgets
