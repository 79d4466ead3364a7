#pragma once

#include <string>

namespace spindle::server {

// Ends the reading side of every connection this process accepted on `port` (Linux; elsewhere it
// does nothing). A server thread that waits on a kept-alive connection, or on a client that
// trickles its request, then sees the end of the stream at once instead of after its 5 s timeout
// (per read: never, for a trickle). The writing side stays open, so an answer being written still
// goes out. (A request its thread has not read yet is dropped: cpp-httplib reads none after a stop.)
void endReadsOfAcceptedConnections(int port);

// The same for the one connection accepted on `localPort` from the client at `peerAddress` (numeric,
// as a request's remote_addr) and `peerPort`: the
// server answers the request it has read, then closes the connection. For a request whose body
// cannot be told from the next request, so nothing after it may be read (Linux only).
void endReadsOfConnection(int localPort, const std::string& peerAddress, int peerPort);

} // namespace spindle::server
