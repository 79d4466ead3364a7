#pragma once

#include <QByteArray>
#include <QString>

namespace spindle {

// One field of a CSV (separator ',') or TSV (separator '\t') file, written for the spreadsheets
// that open these exports.
// - CSV quotes a field holding the separator, a quote or a line break (RFC 4180).
// - TSV has no quoting, so a backslash, tab or line break is written as \\, \t, \n or \r.
// - A field a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage
//   return and is not a number) gets a leading apostrophe. Inputs and outputs of LLM calls are
//   text from users and models; "=HYPERLINK(...)" in a model's answer must stay text in Excel.
QString delimitedField(const QString& text, QChar separator);

// Starts a CSV file: spreadsheets (Excel) read a CSV without it in the system's legacy code page, so
// non-ASCII text in prompts and answers would come out garbled.
inline constexpr char kUtf8Bom[] = "\xEF\xBB\xBF";

// A whole CSV file's bytes: the BOM, then `csv` in UTF-8.
QByteArray csvFileBytes(const QString& csv);

} // namespace spindle
