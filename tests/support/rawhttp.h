#pragma once

// Raw HTTP over a loopback socket, for tests that must send bytes no HTTP client would (a trickled
// request, bad framing) or hold connections open.
#include <QByteArray>

namespace spindle::test {

// A connection to 127.0.0.1:`port`, or -1.
int connectTo(int port);
// The same from the local address `from` (e.g. "127.0.0.2") and port `fromPort` (0: any); the port
// it got goes to `boundPort` when given.
int connectFrom(const char* from, int fromPort, int port, int* boundPort = nullptr);
bool sendAll(int fd, const QByteArray& bytes);
// One whole response with a Content-Length (its head and body may come in separate reads); what
// came before the connection closed, or before a read timed out, otherwise.
QByteArray readResponse(int fd);

} // namespace spindle::test
