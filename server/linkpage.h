#pragma once

#include <string>

namespace spindle::server {

// The HTML page a browser gets for a link the SDKs print (a call, or with no call id the project):
// what it names, and whether the Spindle window shows it (`shown`) or should be opened.
std::string linkPage(const std::string& projectId, const std::string& callId, bool shown);

} // namespace spindle::server
