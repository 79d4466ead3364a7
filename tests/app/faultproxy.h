#pragma once

// A fault-injecting HTTP proxy in front of the real trace server, for the paging tests.
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <condition_variable>
#include <functional>
#include <httplib.h>
#include <mutex>
#include <string>
#include <thread>

namespace spindle::apptest {

// Forwards every request to the real server, except /calls/stream_query pages whose offset the
// test scripts (held until released, or answered with an error status a number of times) and the
// answers to a path it is told to hold.
class FaultProxy
{
public:
    explicit FaultProxy(int serverPort)
        : m_serverPort(serverPort)
    {
        m_http.Post(".*", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
        m_http.Get(
            ".*", [this](const httplib::Request& req, httplib::Response& res) { forwardGet(req, res); });
        m_port = m_http.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_http.listen_after_bind(); });
        while (!m_http.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~FaultProxy()
    {
        release();
        m_http.stop();
        m_thread.join();
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
    }
    void holdOffset(int offset)
    {
        std::lock_guard lock(m_mutex);
        m_hold = offset;
    }
    // The next answer for this offset is read from the server, then held until release(): the page
    // is the data as it was, delivered later.
    void holdAnswerOf(int offset)
    {
        std::lock_guard lock(m_mutex);
        m_holdAnswer = offset;
    }
    // The next `times` POSTs of this path are answered with `status` and a reason, not forwarded.
    void failPath(const std::string& path, int status, int times)
    {
        std::lock_guard lock(m_mutex);
        m_failPath = path;
        m_failPathStatus = status;
        m_failPathTimes = times;
    }
    // The next `times` POSTs of this path go on to the server, and their answers are replaced by
    // `status`: a gateway that gave up after the server had done the work.
    void loseAnswerOfPath(const std::string& path, int status, int times)
    {
        std::lock_guard lock(m_mutex);
        m_losePath = path;
        m_loseStatus = status;
        m_loseTimes = times;
    }
    // Every answer to a POST of this path (e.g. "/objs/query") is read, then held until release().
    void holdAnswerOfPath(const std::string& path)
    {
        std::lock_guard lock(m_mutex);
        m_holdPath = path;
    }
    void release()
    {
        std::lock_guard lock(m_mutex);
        m_hold = -1;
        m_holdAnswer = -1;
        m_holdPath.clear();
        m_released.notify_all();
    }
    // The next request for this offset gets the first `rows` rows of its answer and the start of the
    // next, then the connection drops (no terminating chunk), after a pause that lets the client
    // take the first rows.
    void cutOffset(int offset, int rows)
    {
        std::lock_guard lock(m_mutex);
        m_cutOffset = offset;
        m_cutRows = rows;
    }
    // Runs `hook` (on the proxy's thread) before the next /calls/query_stats goes on to the server.
    void beforeNextCount(std::function<void()> hook)
    {
        std::lock_guard lock(m_mutex);
        m_beforeCount = std::move(hook);
    }
    // Every POST is shown to `judge` (its path and JSON body) first: a status it returns answers the
    // request with a reason, 0 forwards it. An empty function forwards them all again.
    void judgeBodies(std::function<int(const std::string&, const QJsonObject&)> judge)
    {
        std::lock_guard lock(m_mutex);
        m_judge = std::move(judge);
    }
    // The next `times` requests for this offset are answered with `status`.
    void failOffset(int offset, int status, int times)
    {
        std::lock_guard lock(m_mutex);
        m_failOffset = offset;
        m_failStatus = status;
        m_failTimes = times;
    }
    int requestsFor(int offset) const
    {
        std::lock_guard lock(m_mutex);
        return m_seen.count(offset);
    }
    // Every request so far, in arrival order: "page <offset>" or "count".
    QStringList log() const
    {
        std::lock_guard lock(m_mutex);
        return m_log;
    }
    bool holding() const
    {
        return heldAnswers() > 0;
    }
    int heldAnswers() const
    {
        std::lock_guard lock(m_mutex);
        return m_holding;
    }

private:
    void handle(const httplib::Request& req, httplib::Response& res)
    {
        int offset = -1;
        if (req.path == "/calls/stream_query") {
            const auto body = QJsonDocument::fromJson(QByteArray::fromStdString(req.body)).object();
            offset = body.value(QStringLiteral("offset")).toInt(-1);
        }
        {
            std::unique_lock lock(m_mutex);
            if (offset >= 0)
                m_seen.append(offset);
            if (offset >= 0)
                m_log.append(QStringLiteral("page %1").arg(offset));
            else if (req.path == "/calls/query_stats")
                m_log.append(QStringLiteral("count"));
            if (offset >= 0 && offset == m_failOffset && m_failTimes > 0) {
                --m_failTimes;
                res.status = m_failStatus;
                res.set_content(R"({"reason":"injected failure"})", "application/json");
                return;
            }
            const int judged = m_judge
                ? m_judge(req.path, QJsonDocument::fromJson(QByteArray::fromStdString(req.body)).object())
                : 0;
            if (judged || (req.path == m_failPath && m_failPathTimes > 0)) {
                if (!judged)
                    --m_failPathTimes;
                res.status = judged ? judged : m_failPathStatus;
                res.set_content(R"({"reason":"injected failure"})", "application/json");
                return;
            }
            if (req.path == "/calls/query_stats" && m_beforeCount)
                std::exchange(m_beforeCount, {})();
            if (offset >= 0 && offset == m_hold) {
                ++m_holding;
                m_released.wait_for(lock, std::chrono::seconds(10), [&] { return offset != m_hold; });
                --m_holding;
            }
        }
        httplib::Client server("127.0.0.1", m_serverPort);
        server.set_read_timeout(30, 0);
        const auto answer = server.Post(req.path, req.body, "application/json");
        if (!answer) {
            res.status = 502;
            return;
        }
        {
            std::unique_lock lock(m_mutex);
            if (offset >= 0 && offset == m_holdAnswer) {
                ++m_holding;
                m_released.wait_for(lock, std::chrono::seconds(10), [&] { return offset != m_holdAnswer; });
                --m_holding;
            } else if (!m_holdPath.empty() && req.path == m_holdPath) {
                ++m_holding;
                m_released.wait_for(lock, std::chrono::seconds(10), [&] { return m_holdPath.empty(); });
                --m_holding;
            }
        }
        if (takeLostAnswer(req.path)) {
            res.status = m_loseStatus;
            res.set_content(R"({"reason":"the gateway gave up"})", "application/json");
            return;
        }
        res.status = answer->status;
        if (offset >= 0 && takeCut(offset)) {
            cutAnswer(answer->body, res);
            return;
        }
        res.set_content(answer->body, answer->get_header_value("Content-Type"));
    }
    void forwardGet(const httplib::Request& req, httplib::Response& res)
    {
        httplib::Client server("127.0.0.1", m_serverPort);
        const auto answer = server.Get(req.path);
        if (!answer) {
            res.status = 502;
            return;
        }
        res.status = answer->status;
        res.set_content(answer->body, answer->get_header_value("Content-Type"));
    }
    bool takeLostAnswer(const std::string& path)
    {
        std::lock_guard lock(m_mutex);
        if (path != m_losePath || m_loseTimes == 0)
            return false;
        --m_loseTimes;
        return true;
    }
    bool takeCut(int offset)
    {
        std::lock_guard lock(m_mutex);
        return offset == std::exchange(m_cutOffset, -1);
    }
    void cutAnswer(const std::string& body, httplib::Response& res)
    {
        std::size_t end = 0;
        for (int row = 0; row < m_cutRows && end != std::string::npos; ++row)
            end = body.find('\n', end ? end + 1 : 0);
        // Cut inside the next line: a cut right after a newline can pass for a complete answer in
        // Qt 6.4 (see tst_traceclient's truncatedStream).
        const std::string head = body.substr(0, end == std::string::npos ? body.size() : end + 12);
        res.set_chunked_content_provider(
            "application/jsonl", [head](std::size_t offset, httplib::DataSink& sink) {
                if (offset > 0)
                    return false; // the connection closes without the terminating chunk
                sink.write(head.data(), head.size());
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                return true;
            });
    }

    int m_serverPort;
    httplib::Server m_http;
    std::thread m_thread;
    int m_port = 0;
    mutable std::mutex m_mutex;
    std::condition_variable m_released;
    int m_hold = -1;
    int m_holdAnswer = -1;
    int m_holding = 0;
    std::string m_holdPath;
    std::string m_failPath;
    int m_failPathStatus = 0;
    int m_failPathTimes = 0;
    std::string m_losePath;
    int m_loseStatus = 0;
    int m_loseTimes = 0;
    int m_failOffset = -1;
    int m_failStatus = 0;
    int m_failTimes = 0;
    int m_cutOffset = -1;
    int m_cutRows = 0;
    std::function<void()> m_beforeCount;
    std::function<int(const std::string&, const QJsonObject&)> m_judge;
    QList<int> m_seen; // offsets of page requests, in order
    QStringList m_log;
};

} // namespace spindle::apptest
