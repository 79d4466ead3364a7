#pragma once

#include <string>

namespace spindle {

std::string newUuid4();
// Time-ordered (RFC 9562 v7), like the SDKs' call ids, so new rows append to the id index.
std::string newUuid7();

} // namespace spindle
