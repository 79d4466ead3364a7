#pragma once

#include <QProxyStyle>
#include <QStyleOptionViewItem>

namespace spindle::widgets {

// An item view's style that paints the row panel (PE_PanelItemViewRow, drawn under every cell of
// a QTableView) the way QCommonStyle does, and leaves everything else to the base style. Fusion
// draws the panel through QCommonStyle too, but its drawPrimitive first derives an outline, a
// highlighted outline and a tab frame colour (each through HSV) for every primitive it is asked
// for: 12.6 % of the calls table's paint time (docs/benchmarks.md, C8).
class LeanRowStyle : public QProxyStyle
{
    Q_OBJECT
public:
    // The styles whose row panel is QCommonStyle's (Fusion, Windows): only they may be wrapped.
    static bool suits(const QStyle* style);
    // Over a new instance of the style named `key` (QStyleFactory).
    explicit LeanRowStyle(const QString& key);

    void drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
        const QWidget* widget = nullptr) const override;

private:
    void paintAlternate(const QStyleOptionViewItem& item, QPalette::ColorGroup group, QPainter* painter,
        const QWidget* widget) const;
};

} // namespace spindle::widgets
