#pragma once

#include <QJsonValue>
#include <QString>

class QDateTime;

namespace spindle::models {

// What people read for a call's summary.weave.status: "Success", "Error", "Running", "Child error"
// (descendant_error). Exports keep the protocol's value.
QString statusText(const QString& status);
QString formatRelativeTime(qint64 epochMs, const QDateTime& now);
QString formatLatency(qint64 ms);
QString formatCost(double usd);
QString formatCount(qint64 n);
// A JSON number as QJsonDocument::toJson writes it: integers exactly (no exponent, no rounding of
// 13+ digit ids and timestamps), other values in the shortest form that reads back the same.
QString jsonNumberText(const QJsonValue& value);
QString jsonCellText(const QJsonValue& value);
// jsonCellText(value) when that has at most maxChars characters; else a text longer than maxChars
// that starts with its first maxChars, without writing the rest (a cell shows one line of a value
// that may be megabytes of JSON).
QString jsonCellText(const QJsonValue& value, qsizetype maxChars);
// A call's exception as people read it. The Python SDK sends JSON ({"type", "message",
// "traceback": [{"filename", "line_number", "function_name", "text"}...]}): shown as Python prints
// it, the traceback then "Type: message". Any other text (the TypeScript SDK's) is shown as it is.
QString exceptionText(const QString& exception);
// Its last line alone ("ValueError: bad input"), for tool tips; other text cut to 500 characters.
QString exceptionSummary(const QString& exception);
// A tool tip of the trace's text (names, values, exceptions): a tool tip that looks like markup is
// shown as markup, and an <img> in it reads a local file (/dev/zero: the app hangs). Empty stays empty.
QString plainToolTip(const QString& text);

} // namespace spindle::models
