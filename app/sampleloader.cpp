#include "app/sampleloader.h"

#include "core/callsquery.h"

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
    // A project that has the sample traces already (--sample-data run a second time) gets no second
    // copy of each trace: one is enough to look around, and two would look like a bug.
    spindle::CallsQuery samples;
    samples.rootsOnly = false;
    samples.conditions = { { QStringLiteral("attributes.weave.client_version"), spindle::FilterOp::Equals,
        kSampleClientVersion } };
    const QJsonObject request { { QStringLiteral("project_id"), projectId },
        { QStringLiteral("query"), *samples.queryJson() }, { QStringLiteral("limit"), 1 } };
    m_checking = true;
    m_sending = m_client->post(
        this, QStringLiteral("/calls/query_stats"), request,
        [this, projectId](const QJsonObject& stats) {
            m_checking = false;
            if (stats.value(QLatin1String("count")).toInteger() > 0) {
                Q_EMIT finished(true, tr("The sample traces are in %1 already").arg(projectId));
                return;
            }
            m_requests = buildSampleData(projectId, QDateTime::currentDateTimeUtc());
            m_next = 0;
            sendNext();
        },
        [this](const net::ApiError& error) {
            m_checking = false;
            fail(error);
        });
}

void SampleLoader::fail(const net::ApiError& error)
{
    m_next = m_requests.size();
    Q_EMIT finished(false, tr("Loading sample traces failed: %1").arg(error.message()));
}

void SampleLoader::stop()
{
    if (!isRunning())
        return;
    m_checking = false;
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
    const auto onError = [this](const net::ApiError& error) { fail(error); };
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
        onError);
}

} // namespace spindle::app
