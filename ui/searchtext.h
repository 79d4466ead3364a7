#pragma once

#include <QString>

namespace spindle::ui {

// What a search field's text filters by: trimmed, without halves of surrogate pairs (a paste cut
// mid-emoji). A lone half makes QSortFilterProxyModel's fixed-string pattern invalid: it then
// matches nothing and warns once per row.
inline QString searchText(const QString& typed)
{
    const QString text = typed.trimmed();
    QString kept;
    kept.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            kept += c;
            kept += text.at(++i);
        } else if (!c.isSurrogate()) {
            kept += c;
        }
    }
    return kept;
}

} // namespace spindle::ui
