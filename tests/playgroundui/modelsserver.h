#pragma once

// A tiny OpenAI-compatible double for GET /v1/models only (the connection test and the catalog's
// "Refresh from server"): 127.0.0.1, port 0, cpp-httplib on its own thread. Answers in OpenAI's
// shape {"object":"list","data":[{"id","object":"model","created","owned_by"}]}, and a missing or
// wrong bearer key gets OpenAI's 401 envelope, as W&B Inference and OpenAI do.

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <httplib.h>
#include <mutex>
#include <thread>

namespace spindle::test {

class ModelsServer
{
public:
    ModelsServer(const QStringList& ids, const QString& key)
        : m_ids(ids)
        , m_key(key)
    {
        m_http.Get("/v1/models", [this](const httplib::Request& request, httplib::Response& response) {
            {
                std::lock_guard lock(m_mutex);
                m_lastAuthorization = QByteArray::fromStdString(request.get_header_value("Authorization"));
                m_lastProject = QByteArray::fromStdString(request.get_header_value("OpenAI-Project"));
                m_lastCustom = QByteArray::fromStdString(request.get_header_value("X-Test"));
                ++m_requests;
            }
            if (!m_key.isEmpty()
                && request.get_header_value("Authorization") != "Bearer " + m_key.toStdString()) {
                response.status = 401;
                response.set_content(
                    R"({"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})",
                    "application/json");
                return;
            }
            QJsonArray data;
            for (const QString& id : m_ids)
                data.append(QJsonObject { { QStringLiteral("id"), id },
                    { QStringLiteral("object"), QStringLiteral("model") },
                    { QStringLiteral("created"), 1735689600 },
                    { QStringLiteral("owned_by"), QStringLiteral("test") } });
            const QJsonObject body { { QStringLiteral("object"), QStringLiteral("list") },
                { QStringLiteral("data"), data } };
            response.set_content(
                QJsonDocument(body).toJson(QJsonDocument::Compact).toStdString(), "application/json");
        });
        // One request per connection: stop() then need not wait out a client's idle keep-alive.
        m_http.set_keep_alive_max_count(1);
        m_port = m_http.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_http.listen_after_bind(); });
        while (!m_http.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~ModelsServer()
    {
        m_http.stop();
        m_thread.join();
    }
    QUrl baseUrl() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(m_port));
    }
    QByteArray lastAuthorization() const
    {
        std::lock_guard lock(m_mutex);
        return m_lastAuthorization;
    }
    QByteArray lastProject() const
    {
        std::lock_guard lock(m_mutex);
        return m_lastProject;
    }
    QByteArray lastCustomHeader() const
    {
        std::lock_guard lock(m_mutex);
        return m_lastCustom;
    }
    int requests() const
    {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }

private:
    QStringList m_ids;
    QString m_key;
    httplib::Server m_http;
    std::thread m_thread;
    int m_port = 0;
    mutable std::mutex m_mutex;
    QByteArray m_lastAuthorization;
    QByteArray m_lastProject;
    QByteArray m_lastCustom;
    int m_requests = 0;
};

} // namespace spindle::test
