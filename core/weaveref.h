#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spindle {

// A parsed `weave:///<entity>/<project>/<kind>/<name>[:<digest>][/<edge>/<value>]*` URI.
struct WeaveRef
{
    std::string entity;
    std::string project;
    std::string kind; // "object", "op", "table", "call"
    std::string name; // object id, op name, table digest or call id
    std::string digest; // empty for table and call refs
    std::vector<std::pair<std::string, std::string>> extra; // (edge, value), values percent-decoded

    std::string projectId() const
    {
        return entity + '/' + project;
    }
};

inline constexpr std::string_view kWeaveRefPrefix = "weave:///";

std::optional<WeaveRef> parseWeaveRef(std::string_view uri);

// The op's short name for display and `summary.weave.trace_name`: `<name>` of an op ref,
// otherwise the op_name text itself.
std::string opShortName(std::string_view opName);

std::string callRefUri(std::string_view projectId, std::string_view callId);

} // namespace spindle
