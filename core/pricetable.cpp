#include "core/pricetable.h"

#include "core/timeformat.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace spindle {
namespace {

using namespace Qt::StringLiterals;

// Epoch ms (UTC) of the protocol's time text; invalid when it does not parse.
QDateTime utcTime(const QString& text)
{
    const auto micros = parseIsoTime(text.toStdString());
    if (!micros)
        return {};
    // Floor division keeps pre-1970 times on the right millisecond.
    const qint64 ms = *micros >= 0 ? *micros / 1000 : -((-*micros + 999) / 1000);
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

TokenPrice defaultRow(const QString& model, const QJsonObject& row)
{
    TokenPrice price;
    price.model = model;
    price.provider = row.value("provider"_L1).toString(u"default"_s);
    price.inputPerToken = row.value("input"_L1).toDouble();
    price.outputPerToken = row.value("output"_L1).toDouble();
    price.cacheReadPerToken = row.value("cache_read_input"_L1).toDouble();
    price.cacheCreationPerToken = row.value("cache_creation_input"_L1).toDouble();
    // The server seeds a default row with effective_date = created_at (0 when absent).
    price.createdAt = utcTime(row.value("created_at"_L1).toString());
    if (!price.createdAt.isValid())
        price.createdAt = QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    price.effectiveDate = price.createdAt;
    return price;
}

// A decimal number as digits × 10^exponent; digits carry no leading or trailing zeros ("" is 0).
struct Decimal
{
    QByteArray digits;
    int exponent = 0;
};

std::optional<Decimal> parseDecimal(QStringView text)
{
    text = text.trimmed();
    const bool hasDot = text.contains(u'.');
    Decimal out;
    qsizetype i = 0;
    bool seenPoint = false, seenDigit = false;
    for (; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c.isDigit() && c.unicode() < 128) {
            seenDigit = true;
            if (!(out.digits.isEmpty() && c == u'0'))
                out.digits.append(char(c.unicode()));
            if (seenPoint)
                --out.exponent;
        } else if ((c == u'.' || (c == u',' && !hasDot)) && !seenPoint) {
            seenPoint = true;
        } else {
            break;
        }
    }
    if (!seenDigit)
        return std::nullopt;
    if (i < text.size()) {
        if (text[i] != u'e' && text[i] != u'E')
            return std::nullopt;
        bool ok = false;
        const int power = text.mid(i + 1).toInt(&ok);
        if (!ok || text.mid(i + 1).startsWith(u' '))
            return std::nullopt;
        out.exponent += power;
    }
    while (out.digits.endsWith('0')) {
        out.digits.chop(1);
        ++out.exponent;
    }
    if (out.digits.isEmpty())
        out.exponent = 0;
    return out;
}

QString plainDecimal(const Decimal& d)
{
    if (d.digits.isEmpty())
        return u"0"_s;
    const QString digits = QString::fromLatin1(d.digits);
    if (d.exponent >= 0)
        return digits + QString(d.exponent, u'0');
    const qsizetype point = digits.size() + d.exponent;
    if (point > 0)
        return digits.left(point) + u'.' + digits.mid(point);
    return u"0."_s + QString(-point, u'0') + digits;
}

int shiftFor(PriceUnit unit)
{
    return unit == PriceUnit::PerMillionTokens ? 6 : 0;
}

} // namespace

struct PriceTable::Defaults
{
    QVector<TokenPrice> rows;
    QHash<QString, QList<qsizetype>> byModel; // row indexes; priceFor() need not scan ~3000 rows
};

PriceTable::PriceTable()
    : m_defaults(std::make_shared<const Defaults>())
{
}

PriceTable PriceTable::defaults()
{
    // Parsed once (about 0.6 MB); a magic static makes the first call thread-safe.
    static const PriceTable table = [] {
        QFile file(u":/spindle/llm-prices.json"_s);
        if (!file.open(QIODevice::ReadOnly))
            return PriceTable();
        return fromDefaultTableJson(file.readAll());
    }();
    return table;
}

PriceTable PriceTable::fromDefaultTableJson(const QByteArray& json, QString* error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (!doc.isObject()) {
        if (error)
            *error = parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                  : u"the price table is not a JSON object"_s;
        return {};
    }
    auto defaults = std::make_shared<Defaults>();
    const QJsonObject models = doc.object();
    for (auto it = models.begin(); it != models.end(); ++it) {
        for (const QJsonValue& row : it.value().toArray()) {
            if (!row.isObject())
                continue;
            defaults->byModel[it.key()].append(defaults->rows.size());
            defaults->rows.append(defaultRow(it.key(), row.toObject()));
        }
    }
    PriceTable table;
    table.m_defaults = std::move(defaults);
    return table;
}

QVector<TokenPrice> PriceTable::parseCostQuery(const QJsonObject& response)
{
    QVector<TokenPrice> prices;
    for (const QJsonValue& value : response.value("results"_L1).toArray()) {
        const QJsonObject row = value.toObject();
        TokenPrice price;
        price.id = row.value("id"_L1).toString();
        price.model = row.value("llm_id"_L1).toString();
        price.provider = row.value("provider_id"_L1).toString(u"default"_s);
        price.inputPerToken = row.value("prompt_token_cost"_L1).toDouble();
        price.outputPerToken = row.value("completion_token_cost"_L1).toDouble();
        price.cacheReadPerToken = row.value("cache_read_input_token_cost"_L1).toDouble();
        price.cacheCreationPerToken = row.value("cache_creation_input_token_cost"_L1).toDouble();
        price.effectiveDate = utcTime(row.value("effective_date"_L1).toString());
        price.createdAt = utcTime(row.value("created_at"_L1).toString());
        price.custom = row.value("pricing_level"_L1).toString(u"project"_s) == "project"_L1;
        prices.append(price);
    }
    return prices;
}

void PriceTable::setCustomPrices(QVector<TokenPrice> prices)
{
    for (TokenPrice& price : prices)
        price.custom = true;
    m_custom = std::move(prices);
}

std::optional<TokenPrice> PriceTable::priceFor(const QString& model, const QDateTime& at) const
{
    // The same ordering as server/prices.cpp PriceBook::select, on milliseconds.
    const qint64 atMs = at.toMSecsSinceEpoch();
    const auto rank = [atMs](const TokenPrice& p) {
        const qint64 effective = p.effectiveDate.toMSecsSinceEpoch();
        return std::tuple(effective <= atMs, p.custom, effective, p.createdAt.toMSecsSinceEpoch());
    };
    const TokenPrice* best = nullptr;
    const auto consider = [&](const TokenPrice& row) {
        if (row.model == model && (!best || rank(row) > rank(*best)))
            best = &row;
    };
    for (const qsizetype i : m_defaults->byModel.value(model))
        consider(m_defaults->rows[i]);
    for (const TokenPrice& row : m_custom)
        consider(row);
    if (!best)
        return std::nullopt;
    return *best;
}

bool PriceTable::hasPrice(const QString& model) const
{
    const auto matches = [&model](const TokenPrice& p) { return p.model == model; };
    return m_defaults->byModel.contains(model) || std::any_of(m_custom.begin(), m_custom.end(), matches);
}

QVector<TokenPrice> PriceTable::all() const
{
    return m_defaults->rows + m_custom;
}

QVector<TokenPrice> PriceTable::defaultPrices() const
{
    return m_defaults->rows;
}

QVector<TokenPrice> PriceTable::customPrices() const
{
    return m_custom;
}

double costOf(const TokenPrice& price, qint64 promptTokens, qint64 completionTokens)
{
    return double(promptTokens) * price.inputPerToken + double(completionTokens) * price.outputPerToken;
}

std::optional<double> parsePrice(QStringView text, PriceUnit unit)
{
    const auto decimal = parseDecimal(text);
    if (!decimal)
        return std::nullopt;
    // One correctly rounded conversion of the exact decimal value (no exponent overflow in
    // practice: prices are written with a handful of digits).
    const QByteArray exact = (decimal->digits.isEmpty() ? QByteArray("0") : decimal->digits) + 'e'
        + QByteArray::number(decimal->exponent - shiftFor(unit));
    bool ok = false;
    const double value = exact.toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return std::nullopt;
    return value;
}

QString formatPrice(double perToken, PriceUnit unit)
{
    if (!std::isfinite(perToken))
        return QString::number(perToken);
    // The shortest text that reads back as the same double, then a decimal shift.
    const QString shortest = QString::number(std::abs(perToken), 'e', QLocale::FloatingPointShortest);
    auto decimal = parseDecimal(shortest);
    if (!decimal)
        return QString::number(perToken);
    if (!decimal->digits.isEmpty())
        decimal->exponent += shiftFor(unit);
    return (perToken < 0 ? u"-"_s : QString()) + plainDecimal(*decimal);
}

} // namespace spindle
