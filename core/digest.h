#pragma once

#include <string>
#include <string_view>

namespace spindle {

// Weave's digest encoding: SHA-256, URL-safe base64 with `-`→`X` and `_`→`Y`, no padding.
// Used for file digests (raw bytes) and object/row digests (Python-json.dumps bytes).
std::string weaveDigest(std::string_view bytes);
// Lowercase hex SHA-256; table digests are this over the concatenated row digests.
std::string sha256Hex(std::string_view bytes);

} // namespace spindle
