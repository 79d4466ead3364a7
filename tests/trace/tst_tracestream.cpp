// The trace view while a trace streams in, against a real HTTP server on 127.0.0.1 that sends a
// trace in two parts: the call asked for (from the table, an SDK link) is selected when the part
// holding it comes, and the root is not shown in its place meanwhile; a trace whose stream broke
// off loads again when asked again; the keys that walk errors and running calls work from the tree;
// a long name in the breadcrumbs leaves the pane narrow; a refresh keeps the timeline where it was.
#include "models/tracetree.h"
#include "net/traceclient.h"
#include "ui/traceview.h"
#include "widgets/timelinewidget.h"

#include <QSignalSpy>
#include <QTreeView>
#include <QtTest>

#include <atomic>
#include <httplib.h>
#include <thread>

using namespace spindle;

namespace {

// Calls c0 (the root) .. c<count-1>, every other one a child of c0; c<error> failed.
std::string traceLines(int from, int to, int error = -1)
{
    std::string lines;
    for (int i = from; i < to; ++i)
        lines += QStringLiteral(R"({"id":"c%1","project_id":"p/q","trace_id":"t1","op_name":"step",)"
                                R"("parent_id":%2,"started_at":"2026-01-01T00:%3:%4Z",)"
                                R"("ended_at":"2026-01-01T01:00:00Z"%5})")
                     .arg(i)
                     .arg(i ? QStringLiteral("\"c0\"") : QStringLiteral("null"))
                     .arg(i / 60, 2, 10, QLatin1Char('0'))
                     .arg(i % 60, 2, 10, QLatin1Char('0'))
                     .arg((i == error ? QStringLiteral(R"(,"exception":"boom")") : QString())
                         + (i == 7 ? QStringLiteral(R"(,"display_name":"%1")").arg(QString(300, u'x'))
                                   : QString()))
                     .toStdString()
            + "\n";
    return lines;
}

// Answers a trace's stream in two parts, 400 ms apart; `breakFirst` cuts the first answer after
// its first part.
class TwoPartServer
{
public:
    explicit TwoPartServer(bool breakFirst = false)
    {
        m_http.Post(
            "/calls/stream_query", [this, breakFirst](const httplib::Request&, httplib::Response& res) {
                const bool broken = breakFirst && m_requests++ == 0;
                res.set_chunked_content_provider(
                    "application/jsonl", [this, broken](std::size_t offset, httplib::DataSink& sink) {
                        // A broken answer ends inside a line: a cut between two lines looks complete.
                        const std::string first = traceLines(0, 50) + (broken ? R"({"id":"c50","proj)" : "");
                        if (offset == 0)
                            return sink.write(first.data(), first.size());
                        if (broken)
                            return false;
                        std::this_thread::sleep_for(std::chrono::milliseconds(400));
                        const std::string rest = traceLines(50, 200, 120);
                        sink.write(rest.data(), rest.size());
                        sink.done();
                        return true;
                    });
            });
        m_port = m_http.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_http.listen_after_bind(); });
        while (!m_http.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~TwoPartServer()
    {
        m_http.stop();
        m_thread.join();
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
    }

private:
    httplib::Server m_http;
    std::thread m_thread;
    std::atomic<int> m_requests = 0;
    int m_port = 0;
};

// A trace view, shown, on its own client of its own TwoPartServer.
struct Viewing
{
    explicit Viewing(bool breakFirst = false)
        : server(breakFirst)
    {
        client.setConnection({ server.url(), QString() });
        view.resize(800, 600);
        view.show();
    }
    // Opens trace t1 asking for `callId`; true once all of it is in.
    bool open(const QString& callId)
    {
        QSignalSpy loaded(&view, &ui::TraceView::loaded);
        view.openTrace(QStringLiteral("p/q"), QStringLiteral("t1"), callId);
        return loaded.wait(10000);
    }
    QString selectedId() const
    {
        return view.traceTree()->calls[view.selectedNode()].id;
    }

    TwoPartServer server;
    net::TraceClient client;
    ui::TraceView view { &client };
};

} // namespace

class TraceStreamTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void askedCallIsSelectedWhenItComes();
    void brokenTraceLoadsAgain();
    void walkingKeysWorkFromTheTree();
    void longNameLeavesThePaneNarrow();
    void refreshKeepsTheTimelinesView();
};

void TraceStreamTest::askedCallIsSelectedWhenItComes()
{
    Viewing viewing;
    ui::TraceView& view = viewing.view;
    QSignalSpy selected(&view, &ui::TraceView::callSelected);
    QSignalSpy loaded(&view, &ui::TraceView::loaded);
    view.openTrace(QStringLiteral("p/q"), QStringLiteral("t1"), QStringLiteral("c150"));
    QTRY_VERIFY_WITH_TIMEOUT(view.traceTree() && view.traceTree()->size() == 50, 5000); // the first part
    QVERIFY(view.selectedNode() < 0);
    QVERIFY(loaded.wait(10000));
    QCOMPARE(viewing.selectedId(), QStringLiteral("c150"));
    QVERIFY(!selected.isEmpty());
    for (const auto& args : selected) // never the root in the meantime
        QCOMPARE(args.first().value<spindle::Call>().id, QStringLiteral("c150"));
}

void TraceStreamTest::brokenTraceLoadsAgain()
{
    Viewing viewing(true);
    viewing.client.setRetryPolicy(0, 10);
    viewing.view.openTrace(QStringLiteral("p/q"), QStringLiteral("t1"), QStringLiteral("c10"));
    QTRY_VERIFY_WITH_TIMEOUT(viewing.view.traceTree() && !viewing.view.isLoading(), 10000);
    QCOMPARE(viewing.view.traceTree()->size(), 50);
    QVERIFY(viewing.open(QStringLiteral("c10")));
    QCOMPARE(viewing.view.traceTree()->size(), 200);
}

// n (next error) with the tree focused, as after a click on a row: the tree's type-to-search took it.
void TraceStreamTest::walkingKeysWorkFromTheTree()
{
    Viewing viewing;
    QVERIFY(viewing.open(QStringLiteral("c0")));
    QTreeView* tree = viewing.view.findChild<QTreeView*>();
    QVERIFY(tree);
    tree->setFocus();
    QTest::keyClick(tree, Qt::Key_N);
    QCOMPARE(viewing.selectedId(), QStringLiteral("c120"));
}

// The breadcrumbs of a call named with 300 characters and no space (a URL, a generated name).
void TraceStreamTest::longNameLeavesThePaneNarrow()
{
    Viewing viewing;
    QVERIFY(viewing.open(QStringLiteral("c7")));
    QCOMPARE(viewing.view.traceTree()->calls[viewing.view.selectedNode()].name(), QString(300, u'x'));
    const int width = viewing.view.minimumSizeHint().width();
    QVERIFY2(width < 600, qPrintable(QString::number(width)));
}

// Live mode swaps a refreshed trace in: the timeline stays zoomed where the user left it, rather than
// going back to the selected call (the root, as wide as the trace).
void TraceStreamTest::refreshKeepsTheTimelinesView()
{
    Viewing viewing;
    QVERIFY(viewing.open(QStringLiteral("c0")));
    auto* timeline = viewing.view.findChild<widgets::TimelineWidget*>();
    QVERIFY(timeline);
    const double end = timeline->viewEndMs();
    timeline->setViewRange(end - 1000, end);
    const double start = timeline->viewStartMs();
    QSignalSpy loaded(&viewing.view, &ui::TraceView::loaded);
    viewing.view.refresh();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(timeline->viewStartMs(), start);
}

QTEST_MAIN(TraceStreamTest)
#include "tst_tracestream.moc"
