#pragma once

#include "app/sampledata.h"
#include "net/traceclient.h"

#include <QObject>

namespace spindle::app {

// Posts the sample traces to the server one request after another, reporting progress.
class SampleLoader : public QObject
{
    Q_OBJECT
public:
    SampleLoader(net::TraceClient* client, QObject* parent = nullptr);
    void load(const QString& projectId);
    // Sends nothing more (the connection changed); the request on its way is dropped; finished(false).
    void stop();
    bool isRunning() const
    {
        return m_checking || m_next < m_requests.size();
    }

Q_SIGNALS:
    void progress(int done, int total);
    void finished(bool ok, const QString& message);

private:
    void sendNext();
    void fail(const net::ApiError& error); // nothing more is sent; finished(false)

    net::TraceClient* m_client;
    QList<SampleRequest> m_requests;
    qsizetype m_next = 0;
    net::TraceClient::RequestId m_sending = 0; // the request on its way
    bool m_checking = false; // asking whether the project has the sample traces already
};

} // namespace spindle::app
