#pragma once

// Private to the JSON tree model: how one JSON value is described in a row. One-line previews that
// never hide characters, the type name, and the values recognised on sight: ISO datetimes, weave:///
// refs, binary-looking text, and Weave's serialised types (CustomWeaveType datetimes and Markdown,
// objects with `_type`).

#include <QJsonValue>
#include <QString>

namespace spindle::models::detail {

struct ValueText
{
    QString typeName; // as in the Type column: string, number, datetime, Markdown, ...
    QString display; // the one-line value
    QString text; // strings; a Markdown's markup; a weave datetime's ISO text
    bool markdown = false; // `text` is weave Markdown
};

ValueText describeValue(const QJsonValue& value);

// Numbers, booleans and null as text (as search matches them); a string as itself.
QString scalarText(const QJsonValue& value);
// The first `maxChars` of `text` on one line: line breaks become ↵ and other control characters
// their visible Unicode pictures, so binary-looking text neither breaks rows nor hides bytes.
QString oneLine(const QString& text, qsizetype maxChars);

} // namespace spindle::models::detail
