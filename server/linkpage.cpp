#include "server/linkpage.h"

#include <QString>

namespace spindle::server {
namespace {

// Qt's escaping, and a NUL or line break from the URL shown as U+FFFD.
std::string htmlEscaped(const std::string& text)
{
    QString escaped = QString::fromUtf8(text).toHtmlEscaped();
    for (QChar& c : escaped)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = QChar::ReplacementCharacter;
    return escaped.toStdString();
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
