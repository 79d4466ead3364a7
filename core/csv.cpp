#include "core/csv.h"

namespace spindle {
namespace {

// True when a spreadsheet would evaluate the text as a formula (see delimitedField).
bool looksLikeFormula(const QString& text)
{
    if (text.isEmpty())
        return false;
    const QChar first = text.front();
    if (first != QLatin1Char('=') && first != QLatin1Char('+') && first != QLatin1Char('-')
        && first != QLatin1Char('@') && first != QLatin1Char('\t') && first != QLatin1Char('\r'))
        return false;
    // "-0.25" and "+3" are numbers, which spreadsheets read as numbers: left as they are.
    bool isNumber = false;
    text.toDouble(&isNumber);
    return !isNumber;
}

} // namespace

QString delimitedField(const QString& text, QChar separator)
{
    QString field = looksLikeFormula(text) ? QLatin1Char('\'') + text : text;
    if (separator == QLatin1Char('\t'))
        return field.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
            .replace(QLatin1Char('\t'), QStringLiteral("\\t"))
            .replace(QLatin1Char('\n'), QStringLiteral("\\n"))
            .replace(QLatin1Char('\r'), QStringLiteral("\\r"));
    if (!field.contains(separator) && !field.contains(QLatin1Char('"')) && !field.contains(QLatin1Char('\n'))
        && !field.contains(QLatin1Char('\r')))
        return field;
    return QLatin1Char('"') + field.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
}

QByteArray csvFileBytes(const QString& csv)
{
    return kUtf8Bom + csv.toUtf8();
}

} // namespace spindle
