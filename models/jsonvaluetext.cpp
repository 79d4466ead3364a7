#include "models/jsonvaluetext.h"

#include "core/call.h"
#include "models/jsontreemodel.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>
#include <optional>

namespace spindle::models::detail {

namespace {

constexpr qsizetype kPreviewChars = 200;
constexpr qsizetype kInlineBudget = 100;

QString numberText(const QJsonValue& value)
{
    const QVariant variant = value.toVariant();
    if (variant.typeId() == QMetaType::LongLong)
        return QString::number(variant.toLongLong());
    return QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
}

QString stringPreview(const QString& text)
{
    if (text.size() <= JsonTreeModel::kPreviewThreshold)
        return oneLine(text, text.size());
    return oneLine(text, kPreviewChars) + QStringLiteral("… (%1 chars)").arg(text.size());
}

bool looksBinary(const QString& text)
{
    const qsizetype scanned = std::min<qsizetype>(text.size(), 1024);
    qsizetype odd = 0;
    for (qsizetype i = 0; i < scanned; ++i) {
        const char16_t c = text.at(i).unicode();
        if ((c < 0x20 && c != u'\n' && c != u'\r' && c != u'\t') || c == 0xfffd)
            ++odd;
    }
    return scanned > 0 && odd * 10 > scanned;
}

// ISO-8601 date and time ("2025-03-01T10:00:00Z"); a bare date stays a string.
std::optional<qint64> datetimeMs(const QString& text)
{
    if (text.size() < 16 || text.size() > 40 || text.at(4) != u'-'
        || (text.at(10) != u'T' && text.at(10) != u't' && text.at(10) != u' '))
        return std::nullopt;
    return spindle::parseTimestampMs(text);
}

QString timestampText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(
        QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz t"));
}

QString inlineValue(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::String: {
        const QString text = value.toString();
        const QString head = oneLine(text, 40);
        return u'"' + head + (head.size() < text.size() ? QStringLiteral("…\"") : QStringLiteral("\""));
    }
    case QJsonValue::Object:
        return value.toObject().isEmpty() ? QStringLiteral("{}") : QStringLiteral("{…}");
    case QJsonValue::Array:
        return value.toArray().isEmpty() ? QStringLiteral("[]") : QStringLiteral("[…]");
    default:
        return scalarText(value);
    }
}

// `{role: "user", content: "hi"}` or `(3) [1, 2, 3]`, cut at about kInlineBudget characters.
QString containerPreview(const QJsonValue& value)
{
    QString text;
    const auto add = [&text](const QString& item) {
        if (text.size() > kInlineBudget) {
            text += QStringLiteral(", …");
            return false;
        }
        if (!text.isEmpty())
            text += QStringLiteral(", ");
        text += item;
        return true;
    };
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (!add(oneLine(it.key(), 40) + QStringLiteral(": ") + inlineValue(it.value())))
                break;
        }
        return u'{' + text + u'}';
    }
    const QJsonArray array = value.toArray();
    for (const QJsonValue& item : array) {
        if (!add(inlineValue(item)))
            break;
    }
    return QStringLiteral("(%1) [").arg(array.size()) + text + u']';
}

// Weave's serialised types: CustomWeaveType (datetime, Markdown, images...) and objects with `_type`.
void applyWeaveType(ValueText& desc, const QJsonObject& object)
{
    const QJsonValue type = object.value(QLatin1String("_type"));
    if (!type.isString())
        return;
    if (type.toString() != QLatin1String("CustomWeaveType")) {
        desc.typeName = type.toString();
        const QJsonValue markup = object.value(QLatin1String("markdown"));
        if (desc.typeName.contains(QLatin1String("Markdown")) && markup.isString()) {
            desc.markdown = true;
            desc.text = markup.toString();
            desc.display = stringPreview(desc.text);
        }
        return;
    }
    const QString weaveType =
        object.value(QLatin1String("weave_type")).toObject().value(QLatin1String("type")).toString();
    const QJsonValue val = object.value(QLatin1String("val"));
    desc.typeName = weaveType.isEmpty() ? type.toString() : weaveType;
    if (weaveType == QLatin1String("datetime.datetime") && val.isString()) {
        if (const auto ms = datetimeMs(val.toString())) {
            desc.typeName = QStringLiteral("datetime");
            desc.text = val.toString();
            desc.display = timestampText(*ms);
        }
    } else if (weaveType.endsWith(QLatin1String("Markdown"))) {
        desc.typeName = QStringLiteral("Markdown");
        const QJsonValue markup = val.isObject() ? val.toObject().value(QLatin1String("markup")) : val;
        if (markup.isString()) {
            desc.markdown = true;
            desc.text = markup.toString();
            desc.display = stringPreview(desc.text);
        }
    }
}

void describeString(ValueText& desc, const QString& text)
{
    desc.text = text;
    desc.display = stringPreview(text);
    if (const auto ms = datetimeMs(text)) {
        desc.typeName = QStringLiteral("datetime");
        desc.display = timestampText(*ms);
    } else if (text.startsWith(QLatin1String("weave:///"))) {
        desc.typeName = QStringLiteral("ref");
    } else if (looksBinary(text)) {
        desc.typeName = QStringLiteral("string (binary)");
    } else {
        desc.typeName = QStringLiteral("string");
    }
}

} // namespace

QString scalarText(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Double:
        return numberText(value);
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::String:
        return value.toString();
    default:
        return {};
    }
}

QString oneLine(const QString& text, qsizetype maxChars)
{
    qsizetype count = std::min(text.size(), maxChars);
    if (count > 0 && count < text.size() && text.at(count - 1).isHighSurrogate())
        --count;
    QString line;
    line.reserve(count);
    for (qsizetype i = 0; i < count; ++i) {
        const QChar c = text.at(i);
        if (c == u'\n')
            line += QChar(0x21B5);
        else if (c == u'\r' || c == u'\t')
            line += u' ';
        else if (c.unicode() < 0x20)
            line += QChar(0x2400 + c.unicode());
        else if (c.unicode() == 0x7f)
            line += QChar(0x2421);
        else
            line += c;
    }
    return line;
}

ValueText describeValue(const QJsonValue& value)
{
    ValueText desc;
    switch (value.type()) {
    case QJsonValue::Object:
        desc.typeName = QStringLiteral("object");
        desc.display = containerPreview(value);
        applyWeaveType(desc, value.toObject());
        break;
    case QJsonValue::Array:
        desc.typeName = QStringLiteral("array");
        desc.display = containerPreview(value);
        break;
    case QJsonValue::String:
        describeString(desc, value.toString());
        break;
    default:
        desc.display = scalarText(value);
        desc.typeName = value.isDouble() ? QStringLiteral("number")
            : value.isBool()             ? QStringLiteral("bool")
            : value.isNull()             ? QStringLiteral("null")
                                         : QStringLiteral("undefined");
        break;
    }
    return desc;
}

} // namespace spindle::models::detail
