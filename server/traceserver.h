#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace spindle::server {

struct ServerOptions
{
    std::string host = "127.0.0.1";
    int port = 6345; // 0 picks a free port
    std::string dataDir; // holds spindle.sqlite
    std::string apiKey; // empty: no auth (loopback only)
    std::size_t maxBodyBytes = 32u << 20;
    // A browser opened a link the SDKs print (a call, or the project's page): the desktop app
    // that embeds the server shows it. Runs on a server thread; callId is empty for the project.
    std::function<void(const std::string& projectId, const std::string& callId)> onOpenLink;
};

bool isLoopbackHost(const std::string& host);

// The local Weave-compatible trace server: HTTP routes over one SQLite store. Used by the
// `spindle-server` executable and embedded in the desktop app.
class TraceServer
{
public:
    explicit TraceServer(ServerOptions options);
    ~TraceServer();
    TraceServer(const TraceServer&) = delete;
    TraceServer& operator=(const TraceServer&) = delete;

    // Opens the store and binds; returns the bound port. Throws std::runtime_error on failure.
    int bind();
    // Serves until stop(); call after bind().
    void serve();
    // bind() + serve() on a background thread; returns the bound port.
    int startInBackground();
    // Stops accepting, lets in-flight requests finish, ends idle and trickling connections (after a
    // short grace), and joins the background thread. Safe from any thread while serve() runs.
    void stop();

    int port() const
    {
        return m_port;
    }
    std::string url() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    ServerOptions m_options;
    int m_port = 0;
    std::thread m_thread;
};

} // namespace spindle::server
