// How the calls table, the detail panel and the dashboard write a call's values as text.
#include "models/callformat.h"

#include <QCborValue>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextDocument>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

namespace spindle::models {

QString statusText(const QString& status)
{
    if (status == QLatin1String("descendant_error"))
        return QStringLiteral("Child error");
    if (status.isEmpty())
        return {};
    return status.at(0).toUpper() + status.mid(1);
}

QString formatRelativeTime(qint64 epochMs, const QDateTime& now)
{
    const qint64 seconds = (now.toMSecsSinceEpoch() - epochMs) / 1000;
    if (seconds < 0)
        return QStringLiteral("just now");
    if (seconds < 60)
        return QStringLiteral("%1 s ago").arg(seconds);
    if (seconds < 3600)
        return QStringLiteral("%1 min ago").arg(seconds / 60);
    if (seconds < 86400)
        return QStringLiteral("%1 h ago").arg(seconds / 3600);
    if (seconds < 86400 * 30)
        return QStringLiteral("%1 d ago").arg(seconds / 86400);
    // QDateTime's local time re-reads the time zone (tzset: a stat of /etc/localtime) on every
    // conversion, for every such cell of every repaint; the system zone, read once, does not.
    static const QTimeZone localZone = QTimeZone::systemTimeZone();
    return QDateTime::fromMSecsSinceEpoch(epochMs, localZone).date().toString(Qt::ISODate);
}

QString formatLatency(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 60000)
        return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', ms < 10000 ? 2 : 1);
    return QStringLiteral("%1 min").arg(ms / 60000.0, 0, 'f', 1);
}

QString formatCost(double usd)
{
    if (usd == 0)
        return QStringLiteral("$0");
    if (usd < 0.0001)
        return QStringLiteral("<$0.0001");
    if (usd < 1)
        return QStringLiteral("$%1").arg(usd, 0, 'f', 4);
    return QStringLiteral("$%1").arg(usd, 0, 'f', 2);
}

QString formatCount(qint64 n)
{
    if (n >= 1000000)
        return QStringLiteral("%1M").arg(n / 1e6, 0, 'f', 1);
    if (n >= 10000)
        return QStringLiteral("%1k").arg(n / 1e3, 0, 'f', 1);
    return QString::number(n);
}

QString jsonNumberText(const QJsonValue& value)
{
    const QCborValue number = QCborValue::fromJsonValue(value);
    if (number.isInteger())
        return QString::number(number.toInteger());
    if (std::isfinite(number.toDouble()))
        return QString::number(number.toDouble(), 'g', QLocale::FloatingPointShortest);
    return QStringLiteral("null");
}

QString jsonCellText(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return {};
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return jsonNumberText(value); // as inside an object or array: 1732012345678 stays whole
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    }
    return {};
}

namespace {

void appendJsonPrefix(QString& out, const QJsonValue& value, qsizetype limit);

// A string as QJsonDocument::toJson writes it (qjsonwriter.cpp): quotes, backslashes and control
// characters escaped, lone surrogates as \uXXXX, everything else as it is. `room`: how many more
// characters are wanted; the string is cut after that many.
void appendJsonString(QString& out, QStringView text, qsizetype room)
{
    static constexpr char kHex[] = "0123456789abcdef";
    const auto escapeHex = [&](char16_t c) {
        out += QLatin1String("\\u");
        for (int shift = 12; shift >= 0; shift -= 4)
            out += QLatin1Char(kHex[(c >> shift) & 0xf]);
    };
    out += QLatin1Char('"');
    const qsizetype stop = out.size() + room;
    for (qsizetype i = 0; i < text.size() && out.size() < stop; ++i) {
        const char16_t c = text[i].unicode();
        if (c == u'"' || c == u'\\') {
            out += QLatin1Char('\\');
            out += QChar(c);
        } else if (c < 0x20) {
            static constexpr char kShort[] = "btnvfr"; // \b \t \n (\v is written as \u000b) \f \r
            if (c >= 0x8 && c <= 0xd && c != 0xb) {
                out += QLatin1Char('\\');
                out += QLatin1Char(kShort[c - 0x8]);
            } else {
                escapeHex(c);
            }
        } else if (QChar::isHighSurrogate(c) && i + 1 < text.size()
            && QChar::isLowSurrogate(text[i + 1].unicode())) {
            out += text[i];
            out += text[++i];
        } else if (QChar::isSurrogate(c)) {
            escapeHex(c);
        } else {
            out += QChar(c);
        }
    }
    out += QLatin1Char('"');
}

// A scalar as QJsonDocument::toJson writes it inside a container.
void appendJsonScalar(QString& out, const QJsonValue& value, qsizetype limit)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        out += value.toBool() ? QLatin1String("true") : QLatin1String("false");
        return;
    case QJsonValue::Double:
        out += jsonNumberText(value);
        return;
    case QJsonValue::String:
        appendJsonString(out, value.toString(), limit + 1 - out.size());
        return;
    default:
        out += QLatin1String("null");
    }
}

template <typename Container, typename Write>
void appendJsonContainer(
    QString& out, const Container& items, char open, char close, qsizetype limit, Write write)
{
    out += QLatin1Char(open);
    bool first = true;
    for (auto it = items.begin(); it != items.end() && out.size() <= limit; ++it) {
        if (!first)
            out += QLatin1Char(',');
        first = false;
        write(it);
    }
    if (out.size() <= limit)
        out += QLatin1Char(close);
}

void appendJsonPrefix(QString& out, const QJsonValue& value, qsizetype limit)
{
    if (value.isObject()) {
        appendJsonContainer(out, value.toObject(), '{', '}', limit, [&](QJsonObject::const_iterator it) {
            appendJsonString(out, it.key(), limit + 1 - out.size());
            out += QLatin1Char(':');
            appendJsonPrefix(out, it.value(), limit);
        });
    } else if (value.isArray()) {
        appendJsonContainer(out, value.toArray(), '[', ']', limit,
            [&](QJsonArray::const_iterator it) { appendJsonPrefix(out, *it, limit); });
    } else if (out.size() <= limit) {
        appendJsonScalar(out, value, limit);
    }
}

} // namespace

QString jsonCellText(const QJsonValue& value, qsizetype maxChars)
{
    if (!value.isObject() && !value.isArray())
        return jsonCellText(value);
    QString out;
    appendJsonPrefix(out, value, maxChars);
    return out;
}

namespace {

// The Python SDK's exception JSON, or an empty object for any other text.
QJsonObject pythonException(const QString& exception)
{
    if (!exception.startsWith(QLatin1Char('{')))
        return {};
    const QJsonObject json = QJsonDocument::fromJson(exception.toUtf8()).object();
    return json.contains(QLatin1String("type")) && json.contains(QLatin1String("message")) ? json
                                                                                           : QJsonObject();
}

QString exceptionLine(const QJsonObject& json)
{
    const QString type = json.value(QLatin1String("type")).toString();
    const QString message = json.value(QLatin1String("message")).toString();
    return message.isEmpty() ? type : type + QStringLiteral(": ") + message;
}

} // namespace

QString exceptionText(const QString& exception)
{
    const QJsonObject json = pythonException(exception);
    if (json.isEmpty())
        return exception;
    QString text;
    const QJsonArray frames = json.value(QLatin1String("traceback")).toArray();
    if (!frames.isEmpty())
        text = QStringLiteral("Traceback (most recent call last):\n");
    for (const QJsonValue& value : frames) {
        const QJsonObject frame = value.toObject();
        text += QStringLiteral("  File \"%1\", line %2, in %3\n")
                    .arg(frame.value(QLatin1String("filename")).toString())
                    .arg(frame.value(QLatin1String("line_number")).toInteger())
                    .arg(frame.value(QLatin1String("function_name")).toString());
        if (const QString code = frame.value(QLatin1String("text")).toString().trimmed(); !code.isEmpty())
            text += QStringLiteral("    ") + code + QLatin1Char('\n');
    }
    return text + exceptionLine(json);
}

QString exceptionSummary(const QString& exception)
{
    const QJsonObject json = pythonException(exception);
    return json.isEmpty() ? exception.left(500) : exceptionLine(json).left(500);
}

QString plainToolTip(const QString& text)
{
    return text.isEmpty() ? text : Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal);
}

} // namespace spindle::models
