#pragma once

#include <QCache>
#include <QFont>
#include <QGlyphRun>
#include <QPointer>
#include <QStyledItemDelegate>

#include <bitset>
#include <optional>

namespace spindle::widgets {

// Paints one-line text cells exactly as QStyledItemDelegate does under the Fusion (or Windows)
// style — background and selection, the decoration icon, the display text elided with the same
// margins and alignment, foreground and font roles — at a fraction of the cost. The style lays a
// cell's text out three or four times per paint (its size, the elision, the drawing), a third of a
// calls-table frame on a software raster (docs/benchmarks.md, C1). This delegate lays each
// distinct (text, width) out once, eliding plain Latin text from a prefix about twice the width,
// and keeps the glyphs in a small bounded cache, so a repaint of unchanged cells shapes nothing.
//
// Anything unusual is handed to QStyledItemDelegate::paint: check boxes, several lines, word wrap,
// right-to-left, editing, the focused cell (the style draws its focus frame), underlined or struck
// out fonts, another style, or items styled by the view's or the application's style sheet. Style
// sheets of the view's parents are not looked at: do not give such views ::item rules.
class CellTextDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit CellTextDelegate(QObject* parent = nullptr);
    ~CellTextDelegate() override;

    void paint(
        QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    // A cell without a tooltip of its own shows its whole text as one when the cell elides it.
    bool helpEvent(QHelpEvent* event, QAbstractItemView* view, const QStyleOptionViewItem& option,
        const QModelIndex& index) override;

    // Texts whose layout is kept; at most kCacheSize.
    int cachedTexts() const
    {
        return m_cache.size();
    }
    static constexpr int kCacheSize = 2048;

    // The colour group the style paints a cell's panel (its selection) with.
    static QPalette::ColorGroup panelColorGroup(const QStyleOptionViewItem& option);

private:
    struct Key
    {
        QString text;
        int width;
        int flags; // horizontal alignment and elide mode
        friend bool operator==(const Key& a, const Key& b)
        {
            return a.width == b.width && a.flags == b.flags && a.text == b.text;
        }
        friend size_t qHash(const Key& key, size_t seed = 0)
        {
            return qHashMulti(seed, key.text, key.width, key.flags);
        }
    };
    struct TextLayout
    {
        QList<QGlyphRun> glyphs; // the shown (possibly elided) text, aligned within the width
        int height = 0; // of the whole text's line: places the text vertically as the style does
    };

    // What decides whether a text of the view's font can be elided the quick way.
    struct FontFacts
    {
        std::bitset<0x300> primary; // characters up to U+02FF the font's own (not a fallback) glyphs draw
        bool ellipsis = false; // whether "…" is one of them
        qreal averageWidth = 1;
        bool covers(const QString& text) const;
    };

    static FontFacts factsOf(const QFont& font);
    bool styleIsPlain(const QWidget* widget) const;
    static TextLayout layoutText(const QString& text, const QFont& font, int width, Qt::Alignment alignment,
        Qt::TextElideMode mode, const FontFacts* facts);
    const TextLayout* layoutFor(const QString& text, const QFont& font, bool viewFont, int width,
        Qt::Alignment alignment, Qt::TextElideMode mode, TextLayout& scratch) const;

    mutable QCache<Key, TextLayout> m_cache { kCacheSize };
    mutable std::optional<QFont> m_cacheFont; // the font of every cached layout
    mutable FontFacts m_facts; // of m_cacheFont
    mutable QPointer<QStyle> m_style; // the style the next two were computed for
    mutable bool m_plainStyle = false;
    mutable int m_textMargin = 0;
};

} // namespace spindle::widgets
