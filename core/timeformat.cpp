#include "core/timeformat.h"

#include <chrono>
#include <cstdio>

namespace spindle {
namespace {

// Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil
{
    std::int64_t year;
    unsigned month, day;
};

Civil civilFromDays(std::int64_t z)
{
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return { static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d };
}

class Cursor
{
public:
    explicit Cursor(std::string_view text)
        : m_text(text)
    {
    }
    bool atEnd() const
    {
        return m_pos >= m_text.size();
    }
    char peek() const
    {
        return atEnd() ? '\0' : m_text[m_pos];
    }
    bool take(char c)
    {
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }
    // Reads exactly `count` digits.
    std::optional<int> digits(int count)
    {
        int value = 0;
        for (int i = 0; i < count; ++i) {
            const char c = peek();
            if (c < '0' || c > '9')
                return std::nullopt;
            value = value * 10 + (c - '0');
            ++m_pos;
        }
        return value;
    }
    // Fractional seconds of any length, rounded down to microseconds.
    std::int64_t fractionMicros()
    {
        std::int64_t micros = 0;
        int count = 0;
        while (peek() >= '0' && peek() <= '9') {
            if (count < 6) {
                micros = micros * 10 + (peek() - '0');
                ++count;
            }
            ++m_pos;
        }
        for (; count < 6; ++count)
            micros *= 10;
        return micros;
    }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
};

std::optional<std::int64_t> parseOffsetSeconds(Cursor& in)
{
    if (in.atEnd() || in.take('Z') || in.take('z'))
        return in.atEnd() ? std::optional<std::int64_t>(0) : std::nullopt;
    const char sign = in.peek();
    if (sign != '+' && sign != '-')
        return std::nullopt;
    in.take(sign);
    const auto hours = in.digits(2);
    in.take(':');
    const auto minutes = in.digits(2);
    if (!hours || !minutes || !in.atEnd() || *hours > 23 || *minutes > 59)
        return std::nullopt;
    const std::int64_t seconds = *hours * 3600 + *minutes * 60;
    return sign == '-' ? -seconds : seconds;
}

} // namespace

static int daysInMonth(int year, int month)
{
    static constexpr int kDays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

std::optional<MicrosSinceEpoch> parseIsoTime(std::string_view text)
{
    Cursor in(text);
    const auto year = in.digits(4);
    if (!year || !in.take('-'))
        return std::nullopt;
    const auto month = in.digits(2);
    if (!month || !in.take('-'))
        return std::nullopt;
    const auto day = in.digits(2);
    // A day the month has, and a year Python's datetime has (1-9999): 2024-02-31 is refused, not
    // read as 2 March.
    if (!day || *year < 1 || *month < 1 || *month > 12 || *day < 1 || *day > daysInMonth(*year, *month))
        return std::nullopt;
    int hour = 0, minute = 0, second = 0;
    std::int64_t micros = 0;
    if (in.take('T') || in.take('t') || in.take(' ')) {
        const auto h = in.digits(2);
        if (!h || !in.take(':'))
            return std::nullopt;
        const auto m = in.digits(2);
        if (!m)
            return std::nullopt;
        std::optional<int> s = 0;
        if (in.take(':'))
            s = in.digits(2);
        if (!s || *h > 23 || *m > 59 || *s > 60)
            return std::nullopt;
        hour = *h, minute = *m, second = *s;
        if (in.take('.'))
            micros = in.fractionMicros();
    }
    const auto offset = parseOffsetSeconds(in);
    if (!offset)
        return std::nullopt;
    const std::int64_t days =
        daysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
    const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - *offset;
    // In UTC too (an offset moves 0001-01-01 into year 0): what is stored is written back in UTC,
    // and Python's datetime, like the SDK reading it, has no year 0 or 10000.
    if (seconds < kFirstEpochSecond || seconds > kLastEpochSecond)
        return std::nullopt;
    return seconds * 1000000 + micros;
}

static void splitMicros(MicrosSinceEpoch micros, Civil& date, int& secondsOfDay, int& fraction)
{
    std::int64_t seconds = micros / 1000000;
    std::int64_t rest = micros % 1000000;
    if (rest < 0) {
        rest += 1000000;
        --seconds;
    }
    std::int64_t days = seconds / 86400;
    std::int64_t sod = seconds % 86400;
    if (sod < 0) {
        sod += 86400;
        --days;
    }
    date = civilFromDays(days);
    secondsOfDay = static_cast<int>(sod);
    fraction = static_cast<int>(rest);
}

std::string formatIsoTime(MicrosSinceEpoch micros)
{
    Civil date {};
    int sod = 0, fraction = 0;
    splitMicros(micros, date, sod, fraction);
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02d:%02d:%02d.%06dZ",
        static_cast<long long>(date.year), date.month, date.day, sod / 3600, sod / 60 % 60, sod % 60,
        fraction);
    return buffer;
}

std::string formatSqlTime(MicrosSinceEpoch micros)
{
    Civil date {};
    int sod = 0, fraction = 0;
    splitMicros(micros, date, sod, fraction);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u %02d:%02d:%02d", static_cast<long long>(date.year),
        date.month, date.day, sod / 3600, sod / 60 % 60, sod % 60);
    return buffer;
}

MicrosSinceEpoch nowMicros()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace spindle
