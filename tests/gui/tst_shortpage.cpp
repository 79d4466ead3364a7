// A stream cut exactly between two lines looks complete to the HTTP layer. The table notices from
// the count that the page came back short and says so in the banner, keeping the rows that came.
#include "models/callstablemodel.h"
#include "net/traceclient.h"
#include "ui/callexporter.h"
#include "ui/callscontroller.h"
#include "ui/mainwindow.h"
#include "ui/tracespage.h"
#include "widgets/banner.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <httplib.h>
#include <thread>

using namespace spindle;

// A real HTTP server on 127.0.0.1 that answers like a trace server whose stream broke off:
// the count says 120 calls, the stream delivers 40 whole lines and ends.
class TruncatingServer
{
public:
    TruncatingServer()
    {
        m_http.Post("/calls/query_stats", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(R"({"count":120})", "application/json");
        });
        m_http.Post("/objs/query", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(R"({"objs":[]})", "application/json");
        });
        m_http.Post("/calls/stream_query", [](const httplib::Request&, httplib::Response& res) {
            std::string body;
            for (int i = 0; i < 40; ++i)
                body += R"({"id":"c)" + std::to_string(i)
                    + R"(","project_id":"t/p","op_name":"op","trace_id":"t","started_at":"2025-01-01T00:00:00Z",)"
                      R"("ended_at":"2025-01-01T00:00:01Z","summary":{"weave":{"status":"success"}}})"
                    + "\n";
            res.set_content(body, "application/jsonl");
        });
        m_port = m_http.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_http.listen_after_bind(); });
        while (!m_http.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~TruncatingServer()
    {
        m_http.stop();
        m_thread.join();
    }
    int port() const
    {
        return m_port;
    }

private:
    httplib::Server m_http;
    std::thread m_thread;
    int m_port = 0;
};

class ShortPageTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shortPageIsReported();
    void exportOfACutStreamSavesNothing();
};

void ShortPageTest::shortPageIsReported()
{
    TruncatingServer server;
    net::TraceClient client;
    client.setConnection({ QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.port())), {} });
    ui::MainWindow window(&client);
    window.show();
    QSignalSpy warnings(window.tracesPage()->controller(), &ui::CallsController::dataWarning);
    window.setProject(QStringLiteral("t/p"));
    QTRY_VERIFY_WITH_TIMEOUT(!warnings.isEmpty(), 10000);
    QVERIFY2(warnings.first().first().toString().contains(QStringLiteral("40 of the 100 rows")),
        qPrintable(warnings.first().first().toString()));
    QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isVisible(), 5000);
    QVERIFY(window.banner()->text().contains(QStringLiteral("cut short")));
    QVERIFY(window.tracesPage()->model()->isLoaded(39)); // what came is shown
}

// An export of the same cut stream: 40 of the 120 calls counted came, and no file looks complete.
void ShortPageTest::exportOfACutStreamSavesNothing()
{
    TruncatingServer server;
    net::TraceClient client;
    client.setConnection({ QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.port())), {} });
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("calls.csv"));
    ui::CallExporter exporter(&client);
    exporter.setExpectedRows(120);
    QSignalSpy finished(&exporter, &ui::CallExporter::finished);
    QString error;
    QVERIFY(exporter.start(QJsonObject { { QStringLiteral("project_id"), QStringLiteral("t/p") } }, {},
        ui::CallExporter::Format::Csv, path, &error));
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QVERIFY2(finished.first().at(1).toString().contains(QStringLiteral("40 of 120")),
        qPrintable(finished.first().at(1).toString()));
    QVERIFY(!QFile::exists(path));
}

QTEST_MAIN(ShortPageTest)
#include "tst_shortpage.moc"
