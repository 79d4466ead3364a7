#include "server/connections.h"

#ifdef __linux__
#include <cstdlib>
#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#endif

namespace spindle::server {

#ifdef __linux__
namespace {

// The port of the socket's own end (getsockname) or of its peer's (getpeername); -1 when it has none.
int portOf(int fd, int (*name)(int, sockaddr*, socklen_t*))
{
    sockaddr_storage address {};
    socklen_t size = sizeof address;
    if (name(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0)
        return -1; // not a socket, or not a connected one
    if (address.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
    return -1;
}

// The numeric address of the socket's peer, as cpp-httplib writes a request's remote_addr
// (getnameinfo, NI_NUMERICHOST); empty when it has none.
std::string peerAddress(int fd)
{
    sockaddr_storage address {};
    socklen_t size = sizeof address;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0)
        return {};
    char host[NI_MAXHOST] = {};
    if (::getnameinfo(
            reinterpret_cast<sockaddr*>(&address), size, host, sizeof host, nullptr, 0, NI_NUMERICHOST)
        != 0)
        return {};
    return host;
}

int localPort(int fd)
{
    return portOf(fd, ::getsockname);
}

int peerPort(int fd)
{
    return portOf(fd, ::getpeername);
}

bool isListening(int fd)
{
    int listening = 0;
    socklen_t size = sizeof listening;
    return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || listening;
}

} // namespace

// Each of the process's open descriptors (the directory's own excepted) until `visit` says stop.
template <typename Visit> void forEachOpenFile(Visit&& visit)
{
    DIR* directory = ::opendir("/proc/self/fd");
    if (!directory)
        return;
    const int own = ::dirfd(directory);
    while (const dirent* entry = ::readdir(directory)) {
        char* end = nullptr;
        const long fd = std::strtol(entry->d_name, &end, 10);
        if (end == entry->d_name || *end || fd == own)
            continue;
        if (!visit(int(fd)))
            break;
    }
    ::closedir(directory);
}

// cpp-httplib keeps no list of its connections, so they are found among the process's open files:
// a connection the server accepted has the server's port as its own. shutdown() rather than
// close(): the descriptor stays the server thread's, so it cannot be reused under it.
void endReadsOfAcceptedConnections(int port)
{
    forEachOpenFile([port](int fd) {
        if (localPort(fd) == port && !isListening(fd))
            ::shutdown(fd, SHUT_RD);
        return true;
    });
}

// The desktop app's own client sockets have the server's port as their peer's, never as their
// own, so only the accepted end matches both ports.
void endReadsOfConnection(int serverPort, const std::string& clientAddress, int clientPort)
{
    // The client's address too: two clients on two addresses (127.0.0.1 and 127.0.0.2, or two
    // machines of a team) may use the same port, and one's bad request must not cut the other's.
    forEachOpenFile([&](int fd) {
        if (localPort(fd) != serverPort || peerPort(fd) != clientPort || peerAddress(fd) != clientAddress)
            return true;
        ::shutdown(fd, SHUT_RD);
        return false;
    });
}
#else
void endReadsOfAcceptedConnections(int) { }
void endReadsOfConnection(int, const std::string&, int) { }
#endif

} // namespace spindle::server
