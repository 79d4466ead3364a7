#include "server/connections.h"

#ifdef __linux__
#include <cstdlib>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

namespace spindle::server {

#ifdef __linux__
namespace {

int localPort(int fd)
{
    sockaddr_storage address {};
    socklen_t size = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0)
        return -1; // not a socket
    if (address.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
    return -1;
}

bool isListening(int fd)
{
    int listening = 0;
    socklen_t size = sizeof listening;
    return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || listening;
}

} // namespace

// cpp-httplib keeps no list of its connections, so they are found among the process's open files:
// a connection the server accepted has the server's port as its own. shutdown() rather than
// close(): the descriptor stays the server thread's, so it cannot be reused under it.
void endReadsOfAcceptedConnections(int port)
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
        if (localPort(int(fd)) == port && !isListening(int(fd)))
            ::shutdown(int(fd), SHUT_RD);
    }
    ::closedir(directory);
}
#else
void endReadsOfAcceptedConnections(int) { }
#endif

} // namespace spindle::server
