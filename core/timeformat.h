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

std::optional<MicrosSinceEpoch> parseIsoTime(std::string_view text);
std::string formatIsoTime(MicrosSinceEpoch micros);
// "YYYY-MM-DD HH:MM:SS", the form the price table and summary.weave.costs use.
std::string formatSqlTime(MicrosSinceEpoch micros);
MicrosSinceEpoch nowMicros();

} // namespace spindle
