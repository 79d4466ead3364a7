#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spindle {

// Times travel as microseconds since the Unix epoch (UTC). The protocol carries them as
// ISO-8601 text: clients send `Z`, `+hh:mm` offsets or naive (UTC) forms; the server always
// answers with UTC, six fractional digits and a `Z`.
using MicrosSinceEpoch = std::int64_t;

// The instants a time may be (in UTC): the years 1 to 9999, as ISO-8601 and Python's datetime have.
inline constexpr std::int64_t kFirstEpochSecond = -62135596800; // 0001-01-01T00:00:00Z
inline constexpr std::int64_t kLastEpochSecond = 253402300799; // 9999-12-31T23:59:59Z

std::optional<MicrosSinceEpoch> parseIsoTime(std::string_view text);
std::string formatIsoTime(MicrosSinceEpoch micros);
// "YYYY-MM-DD HH:MM:SS", the form the price table and summary.weave.costs use.
std::string formatSqlTime(MicrosSinceEpoch micros);
MicrosSinceEpoch nowMicros();

} // namespace spindle
