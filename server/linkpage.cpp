#include "server/linkpage.h"

namespace spindle::server {
namespace {

std::string htmlEscaped(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            if ((c >= 0 && c < 0x20) || c == 0x7f)
                out += "\xEF\xBF\xBD"; // U+FFFD: a NUL or line break from the URL shows as such
            else
                out.push_back(c);
        }
    }
    return out;
}

} // namespace

std::string linkPage(const std::string& projectId, const std::string& callId, bool shown)
{
    const std::string what = callId.empty()
        ? "The project <b>" + htmlEscaped(projectId) + "</b>"
        : "Call <code>" + htmlEscaped(callId) + "</code> in <b>" + htmlEscaped(projectId) + "</b>";
    const std::string where = shown ? "<p>The Spindle window shows it now.</p>"
                                    : "<p>Open the Spindle desktop app on this server to see it.</p>";
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Spindle</title></head>"
           "<body style=\"font-family: sans-serif; margin: 3em\"><h1>Spindle</h1><p>"
        + what + "</p>" + where + "</body></html>";
}

} // namespace spindle::server
