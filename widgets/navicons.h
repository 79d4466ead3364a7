#pragma once

#include <QIcon>

namespace spindle::widgets {

// The pictures of the page list's entries, drawn as vector strokes: the app ships no image files,
// and the offscreen and minimal platforms have no icon theme to borrow from.
enum class NavIcon
{
    Traces,
    Costs,
    Prices,
    Playground,
    Models
};

// `color` for the normal state; the selected state is drawn in `selectedColor` (the text colour
// of a highlighted row), so the picture stays legible on the selection.
QIcon navIcon(NavIcon kind, const QColor& color, const QColor& selectedColor);

} // namespace spindle::widgets
