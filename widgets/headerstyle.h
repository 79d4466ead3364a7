#pragma once

class QHeaderView;

namespace spindle::widgets {

// Gives a header the look every table of the app shares, through a style of its own over the
// application's style (owned by the header):
// - a title wider than its section is elided on the right, as the cells are. Qt 6.4's headers clip
//   it at both ends ("nputs.temperatur") whatever their elide mode; the tooltip has it whole.
// - the sort arrow points the way the values run down the column: down for descending (newest,
//   slowest, dearest first), up for ascending, as Weave's tables and the file lists of Windows and
//   macOS draw it. QHeaderView flags a descending column SortUp, which Fusion draws pointing up.
void applyHeaderStyle(QHeaderView* header);

} // namespace spindle::widgets
