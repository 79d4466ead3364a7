#include "app/sampleloader.h"

namespace spindle::app {

SampleLoader::SampleLoader(net::TraceClient* client, QObject* parent)
    : QObject(parent)
    , m_client(client)
{
}

void SampleLoader::load(const QString& projectId)
{
    if (isRunning())
        return;
    m_requests = buildSampleData(projectId, QDateTime::currentDateTimeUtc());
    m_next = 0;
    sendNext();
}

void SampleLoader::stop()
{
    if (!isRunning())
        return;
    m_client->cancel(m_sending);
    m_requests.clear();
    m_next = 0;
    Q_EMIT finished(false, tr("Loading sample traces stopped: the connection changed"));
}

void SampleLoader::sendNext()
{
    if (m_next >= m_requests.size()) {
        Q_EMIT finished(true, tr("Loaded sample traces"));
        return;
    }
    const SampleRequest& request = m_requests[m_next];
    const auto onError = [this](const net::ApiError& error) {
        m_next = m_requests.size();
        Q_EMIT finished(false, tr("Loading sample traces failed: %1").arg(error.message()));
    };
    if (request.path == QLatin1String("/file/create")) {
        m_sending = m_client->uploadFile(
            this, request.body.value(QLatin1String("project_id")).toString(),
            request.body.value(QLatin1String("content")).toString().toUtf8(), QStringLiteral("obj.py"),
            [this](const QJsonObject&) {
                ++m_next;
                sendNext();
            },
            onError);
        return;
    }
    m_sending = m_client->post(
        this, request.path, request.body,
        [this](const QJsonObject&) {
            ++m_next;
            Q_EMIT progress(int(m_next), int(m_requests.size()));
            sendNext();
        },
        [this](const net::ApiError& error) {
            m_next = m_requests.size();
            Q_EMIT finished(false, tr("Loading sample traces failed: %1").arg(error.message()));
        });
}

} // namespace spindle::app
