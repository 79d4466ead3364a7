// GUI test on the offscreen platform: open a sample trace from the table, walk to its errors,
// and write screenshots of the trace view (tree and timeline) and of every detail tab.
#include "../support/samplesession.h"
#include "app/session.h"
#include "models/callstablemodel.h"
#include "models/tracetreemodel.h"
#include "net/traceclient.h"
#include "ui/calldetailpanel.h"
#include "ui/callscontroller.h"
#include "ui/filterbar.h"
#include "ui/mainwindow.h"
#include "ui/messagelisteditor.h"
#include "ui/playgroundpage.h"
#include "ui/tracespage.h"
#include "ui/traceview.h"
#include "widgets/imagestrip.h"
#include "widgets/jsonview.h"

#include <QBuffer>
#include <QClipboard>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextEdit>
#include <QToolButton>
#include <QTreeView>
#include <QtTest>

#include <atomic>
#include <functional>
#include <httplib.h>
#include <thread>

using namespace spindle;

namespace {

// Trace "t1" of project p/q as JSON Lines: call c0 and its children c1 … c<n-1>.
std::string traceRows(int from, int to)
{
    std::string rows;
    for (int i = from; i < to; ++i)
        rows += QStringLiteral(R"({"id":"c%1","project_id":"p/q","trace_id":"t1","op_name":"step",)"
                               R"("parent_id":%2,"started_at":"2026-01-01T00:%3:%4Z"})")
                    .arg(i)
                    .arg(i ? QStringLiteral("\"c0\"") : QStringLiteral("null"))
                    .arg(i / 60, 2, 10, QLatin1Char('0'))
                    .arg(i % 60, 2, 10, QLatin1Char('0'))
                    .toStdString()
            + "\n";
    return rows;
}

// A trace server that misbehaves on purpose: `stream` answers /calls/stream_query (given how many
// came before), and /calls/query_stats answers `count` unless it is negative (no such endpoint).
class TraceStub
{
public:
    TraceStub(std::function<void(int, httplib::Response&)> stream, int count)
    {
        m_http.Post("/calls/stream_query",
            [this, stream](const httplib::Request&, httplib::Response& res) { stream(m_streams++, res); });
        if (count >= 0)
            m_http.Post("/calls/query_stats", [count](const httplib::Request&, httplib::Response& res) {
                res.set_content("{\"count\":" + std::to_string(count) + "}", "application/json");
            });
        m_port = m_http.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_http.listen_after_bind(); });
    }
    ~TraceStub()
    {
        m_http.stop();
        m_thread.join();
    }
    bool isRunning() const
    {
        return m_http.is_running();
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
    }
    int streams() const
    {
        return m_streams;
    }

private:
    httplib::Server m_http;
    std::thread m_thread;
    int m_port = 0;
    std::atomic_int m_streams = 0;
};

// A trace view that reads from a TraceStub.
struct StubView
{
    explicit StubView(const TraceStub& stub)
    {
        client.setConnection({ stub.url(), QString() });
    }
    // Opens trace t1 of project p/q: true once it loaded.
    bool open()
    {
        view.openTrace(QStringLiteral("p/q"), QStringLiteral("t1"));
        return loaded.wait(10000);
    }
    net::TraceClient client;
    ui::TraceView view { &client };
    QSignalSpy loaded { &view, &ui::TraceView::loaded };
};

QString labelsText(const QWidget& widget)
{
    QStringList texts;
    for (const QLabel* label : widget.findChildren<QLabel*>())
        texts << label->text();
    return texts.join(u'|');
}

} // namespace

class TraceViewTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void opensTheTraceOfTheSelectedCall();
    void walksToTheNextError();
    void refreshKeepsWhatTheUserDid();
    void searchStaysOnItsHit();
    void opensACallOfAnotherTrace();
    void detailTabs();
    void siblingsAndSameOp();
    void showsImagesInline();
    void emptyOutputSaysWhy();
    void liveModeFollowsARunningTrace();
    void failedRefreshKeepsTheTree();
    void brokenStreamShowsWhatCame_data();
    void brokenStreamShowsWhatCame();
    void shortRefreshKeepsTheTree();
    void deepCallsKeepRoomForTheirNames();
    void failedServerSearchSaysNamesOnly();
    void cleanupTestCase();

private:
    void screenshot(QWidget* widget, const QString& name);
    ui::TracesPage* page() const
    {
        return m_session->window()->tracesPage();
    }
    ui::TraceView* trace() const
    {
        return page()->traceView();
    }
    const models::TraceTree* openErrorTrace();

    QTemporaryDir m_dir;
    std::unique_ptr<app::AppSession> m_session;
};

void TraceViewTest::screenshot(QWidget* widget, const QString& name)
{
    QCoreApplication::processEvents();
    QVERIFY(widget->grab().save(QStringLiteral(SPINDLE_BUILD_DIR "/") + name));
}

void TraceViewTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_session = startSampleSession(m_dir, QStringLiteral("trace-test/sample"), QSize(1700, 950));
    QVERIFY(m_session);
}

// Opens the trace of the table's first call among traces whose calls failed somewhere below the
// root, unless a trace is open already: the functions after the first one go on in the trace it
// opened, and each of them run alone (-functions) opens it for itself.
const models::TraceTree* TraceViewTest::openErrorTrace()
{
    if (trace()->traceTree())
        return trace()->traceTree();
    page()->filterBar()->addStatus(QStringLiteral("descendant_error"));
    if (!QTest::qWaitFor(
            [this] { return !page()->controller()->isLoading() && page()->model()->isLoaded(0); }, 15000))
        return nullptr;
    QSignalSpy loaded(trace(), &ui::TraceView::loaded);
    page()->table()->setCurrentIndex(page()->model()->index(0, models::CallsTableModel::NameColumn));
    if (!loaded.wait(15000) && loaded.isEmpty())
        return nullptr;
    return trace()->traceTree();
}

void TraceViewTest::opensTheTraceOfTheSelectedCall()
{
    const models::TraceTree* tree = openErrorTrace();
    QVERIFY(tree);
    QVERIFY2(tree->size() > 3, qPrintable(QString::number(tree->size())));
    QCOMPARE(tree->calls[trace()->selectedNode()].id, page()->model()->callAt(0)->id);
    QVERIFY(tree->subtreeErrors[tree->roots.first()] > 0);
    // The detail panel names the status as the table does, not by its protocol value.
    ui::CallDetailPanel* detail = page()->detailPanel();
    QTRY_VERIFY_WITH_TIMEOUT(
        detail->callId() == page()->model()->callAt(0)->id && detail->isFullyLoaded(), 5000);
    QCOMPARE(detail->call().status, QStringLiteral("descendant_error"));
    QStringList shown;
    for (const QLabel* label : detail->findChildren<QLabel*>())
        shown << label->text();
    for (const QTextEdit* edit : detail->findChildren<QTextEdit*>())
        shown << edit->toPlainText();
    QVERIFY(shown.join(u'\n').contains(QStringLiteral("Child error")));
    QVERIFY(!shown.join(u'\n').contains(QStringLiteral("descendant_error")));
    screenshot(m_session->window(), QStringLiteral("trace-view.png"));
}

void TraceViewTest::walksToTheNextError()
{
    const models::TraceTree* tree = openErrorTrace();
    QVERIFY(tree);
    trace()->setFocus();
    QTest::keyClick(trace(), Qt::Key_N);
    const int node = trace()->selectedNode();
    QVERIFY(node >= 0);
    QVERIFY2(tree->isError(node), qPrintable(tree->calls[node].name()));
    QTRY_COMPARE_WITH_TIMEOUT(page()->detailPanel()->callId(), tree->calls[node].id, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(page()->detailPanel()->isFullyLoaded(), 5000);
    // An error's detail has its Exception tab; a call without one has none (detailTabs).
    QVERIFY(page()->detailPanel()->tabs()->isTabVisible(ui::CallDetailPanel::ExceptionTab));
    page()->detailPanel()->tabs()->setCurrentIndex(ui::CallDetailPanel::ExceptionTab);
    screenshot(page()->detailPanel(), QStringLiteral("detail-exception.png"));
    page()->detailPanel()->tabs()->setCurrentIndex(ui::CallDetailPanel::CallTab);
    QTest::keyClick(trace(), Qt::Key_P); // back to the same (only) error or the previous one
    QVERIFY(tree->isError(trace()->selectedNode()));
    auto* tabs = trace()->findChild<QTabWidget*>();
    QVERIFY(tabs);
    tabs->setCurrentIndex(1);
    screenshot(trace(), QStringLiteral("trace-view-timeline.png"));
    tabs->setCurrentIndex(0);
}

// A refresh (live mode polls one every few seconds) keeps the branch the user collapsed, the call
// they selected inside it, and where they scrolled to: nothing jumps back to the selection.
void TraceViewTest::refreshKeepsWhatTheUserDid()
{
    QTreeView* view = trace()->tree();
    const models::TraceTree* tree = openErrorTrace();
    QVERIFY(tree);
    const int root = tree->roots.first();
    QVERIFY(tree->children[root].size() >= 4);
    const QString child = tree->calls[tree->children[root].at(2)].id;
    trace()->selectNode(tree->children[root].at(2));
    view->collapse(trace()->model()->indexOfNode(root));
    QSignalSpy loaded(trace(), &ui::TraceView::loaded);
    trace()->refresh();
    QVERIFY(loaded.wait(10000));
    tree = trace()->traceTree();
    QVERIFY(!view->isExpanded(trace()->model()->indexOfNode(tree->roots.first())));
    QCOMPARE(tree->calls[trace()->selectedNode()].id, child);

    // Scrolled away from the selected root, in a view too short for the whole trace.
    view->expandAll();
    view->setFixedHeight(4 * view->sizeHintForRow(0) + view->header()->height());
    trace()->selectNode(tree->roots.first());
    QTRY_VERIFY(view->verticalScrollBar()->maximum() > 0);
    view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum());
    const int scrolled = view->verticalScrollBar()->value();
    QVERIFY(scrolled > 0);
    trace()->refresh();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(view->verticalScrollBar()->value(), scrolled);
    QCOMPARE(trace()->selectedNode(), trace()->traceTree()->roots.first());
    view->setMinimumHeight(0);
    view->setMaximumHeight(QWIDGETSIZE_MAX);
}

// Enter on a search selects its first hit by name at once; the server's hits in inputs and outputs
// come later and renumber the list, and the user stays on the hit they are on.
void TraceViewTest::searchStaysOnItsHit()
{
    const models::TraceTree* tree = openErrorTrace();
    QVERIFY(tree);
    auto* search = trace()->findChild<QLineEdit*>();
    auto* status = trace()->findChild<QLabel*>(QStringLiteral("searchStatus"));
    QVERIFY(search && status);
    search->setText(QStringLiteral("order")); // lookup_order and refund_order; the texts say it more
    QTest::keyClick(search, Qt::Key_Return);
    const int first = trace()->selectedNode();
    QCOMPARE(tree->calls[first].opName.contains(QStringLiteral("order")), true);
    QTRY_VERIFY_WITH_TIMEOUT(trace()->model()->highlighted().size() > 2, 10000); // the server's too
    QCOMPARE(trace()->selectedNode(), first);
    int position = 0; // the hit's place in reading order
    for (int node : tree->preorder()) {
        if (trace()->model()->highlighted().contains(node))
            ++position;
        if (node == first)
            break;
    }
    QCOMPARE(
        status->text(), QStringLiteral("%1 of %2").arg(position).arg(trace()->model()->highlighted().size()));
    QTest::keyClick(search, Qt::Key_Return); // the next hit after it, not one further
    QVERIFY(trace()->selectedNode() != first);
    QCOMPARE(status->text(),
        QStringLiteral("%1 of %2").arg(position + 1).arg(trace()->model()->highlighted().size()));
    search->clear();

    // A link to a call the trace does not have is read from the server (a call ref may name another
    // trace's call); one the project does not have (a parent never logged here) is said so.
    QSignalSpy said(page(), &ui::TracesPage::statusMessage);
    const int selected = trace()->selectedNode();
    Q_EMIT page()->detailPanel()->openCallRequested(QStringLiteral("no-such-call"));
    QTRY_COMPARE(said.size(), 1);
    QVERIFY(said.first().first().toString().contains(QStringLiteral("No call no-such-call")));
    QCOMPARE(trace()->selectedNode(), selected); // left where it was

    // While the trace loads (here a refresh, as live mode's), a call not in it yet may still come:
    // that is what it says.
    trace()->refresh();
    QVERIFY(trace()->isLoading());
    Q_EMIT page()->detailPanel()->openCallRequested(QStringLiteral("no-such-call"));
    QCOMPARE(said.size(), 2);
    QVERIFY2(said.last().first().toString().contains(QStringLiteral("still loading")),
        qPrintable(said.last().first().toString()));
    QTRY_VERIFY_WITH_TIMEOUT(!trace()->isLoading(), 10000);
}

// A link to a call of another trace (a call ref in an input) opens that trace at that call; a link
// back returns to the first.
void TraceViewTest::opensACallOfAnotherTrace()
{
    const models::TraceTree* tree = openErrorTrace();
    QVERIFY(tree);
    QTRY_VERIFY_WITH_TIMEOUT(page()->model()->isLoaded(1), 10000);
    const Call first = *page()->model()->callAt(0);
    const Call other = *page()->model()->callAt(1); // another root: another trace
    QVERIFY(other.traceId != first.traceId);
    QVERIFY(!tree->indexById.contains(other.id));
    for (const Call& call : { other, first }) {
        QSignalSpy loaded(trace(), &ui::TraceView::loaded);
        Q_EMIT page()->detailPanel()->openCallRequested(call.id);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(trace()->traceTree()->calls[trace()->selectedNode()].id, call.id);
        QCOMPARE(trace()->traceTree()->calls[trace()->selectedNode()].traceId, call.traceId);
        QTRY_COMPARE_WITH_TIMEOUT(page()->detailPanel()->callId(), call.id, 5000);
    }
}

void TraceViewTest::detailTabs()
{
    ui::CallDetailPanel* detail = page()->detailPanel();
    const models::TraceTree* tree = openErrorTrace();
    QVERIFY(tree);
    // An LLM call: it has a chat, usage, cost and code.
    int llm = -1;
    for (int node = 0; node < tree->size() && llm < 0; ++node)
        if (tree->children[node].isEmpty() && tree->calls[node].totalCost()
            && tree->calls[node].exception.isEmpty())
            llm = node;
    QVERIFY(llm >= 0);
    trace()->selectNode(llm);
    QTRY_VERIFY_WITH_TIMEOUT(detail->isFullyLoaded() && detail->callId() == tree->calls[llm].id, 5000);
    QVERIFY(!detail->call().inputs.isEmpty());
    QVERIFY(!detail->tabs()->isTabVisible(ui::CallDetailPanel::ExceptionTab));
    // A chat call: the playground action loads its messages into the playground page.
    QToolButton* playground = nullptr;
    for (auto* button : detail->findChildren<QToolButton*>())
        if (button->text() == QLatin1String("Playground"))
            playground = button;
    // The tool bar shows the action's button when it next lays itself out (a posted event).
    QTRY_VERIFY_WITH_TIMEOUT(playground && playground->isVisible(), 5000);
    playground->click();
    ui::PlaygroundPage* playgroundPage = m_session->window()->playgroundPage();
    QVERIFY(playgroundPage->isVisible());
    QVERIFY(!playgroundPage->conversation()->messages().isEmpty());
    QCOMPARE(playgroundPage->panes().first()->model(),
        detail->call().inputs.value(QLatin1String("model")).toString());
    m_session->window()->findChild<QListWidget*>()->setCurrentRow(0); // back to the Traces page
    const QStringList names { QStringLiteral("call"), QStringLiteral("summary"), QStringLiteral("code"),
        QStringLiteral("attributes"), QStringLiteral("exception"), QStringLiteral("feedback") };
    for (int tab = 0; tab < detail->tabs()->count(); ++tab) {
        if (!detail->tabs()->isTabVisible(tab))
            continue;
        detail->tabs()->setCurrentIndex(tab);
        if (tab == 2) { // the op's captured source, from obj/read and file/content
            const auto edits = detail->findChildren<QPlainTextEdit*>();
            const auto showsSource = [&edits] {
                return std::any_of(edits.cbegin(), edits.cend(), [](QPlainTextEdit* edit) {
                    return edit->toPlainText().contains(QStringLiteral("@weave.op"));
                });
            };
            QTRY_VERIFY_WITH_TIMEOUT(showsSource(), 5000);
        }
        screenshot(detail, QStringLiteral("detail-%1.png").arg(names.value(tab)));
    }
    detail->tabs()->setCurrentIndex(0);
}

void TraceViewTest::siblingsAndSameOp()
{
    const models::TraceTree* tree = openErrorTrace();
    QVERIFY(tree);
    const int root = tree->roots.first();
    QVERIFY(tree->children[root].size() >= 2);
    trace()->selectNode(tree->children[root][0]);
    QTest::keyClick(trace(), Qt::Key_BracketRight);
    QCOMPARE(trace()->selectedNode(), tree->children[root][1]);
    QTest::keyClick(trace(), Qt::Key_BracketLeft);
    QCOMPARE(trace()->selectedNode(), tree->children[root][0]);
    trace()->collapseToErrors();
    trace()->expandAll();
    QVERIFY(trace()->tree()->isExpanded(trace()->model()->indexOfNode(root)));
}

void TraceViewTest::showsImagesInline()
{
    // An image logged the way the SDKs do: a file, and a custom object naming it by digest.
    QImage image(64, 48, QImage::Format_RGB32);
    image.fill(QColor(30, 120, 200));
    QByteArray png;
    QBuffer buffer(&png);
    QVERIFY(image.save(&buffer, "PNG"));
    net::TraceClient* client = m_session->client();
    QString digest;
    client->uploadFile(nullptr, QStringLiteral("trace-test/sample"), png, QStringLiteral("image.png"),
        [&](const QJsonObject& json) { digest = json.value(QLatin1String("digest")).toString(); });
    QTRY_VERIFY_WITH_TIMEOUT(!digest.isEmpty(), 5000);
    const QJsonObject imageValue { { QStringLiteral("_type"), QStringLiteral("CustomWeaveType") },
        { QStringLiteral("weave_type"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("PIL.Image.Image") } } },
        { QStringLiteral("files"), QJsonObject { { QStringLiteral("image.png"), digest } } } };
    const QJsonObject start { { QStringLiteral("project_id"), QStringLiteral("trace-test/sample") },
        { QStringLiteral("id"), QStringLiteral("image-call") },
        { QStringLiteral("trace_id"), QStringLiteral("image-trace") },
        { QStringLiteral("op_name"), QStringLiteral("describe_image") },
        { QStringLiteral("started_at"), QStringLiteral("2026-01-01T00:00:00Z") },
        { QStringLiteral("attributes"), QJsonObject() },
        { QStringLiteral("inputs"), QJsonObject { { QStringLiteral("image"), imageValue } } } };
    bool stored = false;
    client->post(nullptr, QStringLiteral("/call/start"), { { QStringLiteral("start"), start } },
        [&](const QJsonObject&) { stored = true; });
    QTRY_VERIFY_WITH_TIMEOUT(stored, 5000);
    Call call;
    call.id = QStringLiteral("image-call");
    call.traceId = QStringLiteral("image-trace");
    ui::CallDetailPanel* detail = page()->detailPanel();
    detail->showCall(QStringLiteral("trace-test/sample"), call);
    auto* strip = detail->findChild<widgets::ImageStrip*>();
    QVERIFY(strip);
    QTRY_COMPARE_WITH_TIMEOUT(strip->imageCount(), 1, 5000);

    // The call ends while it is shown, with an image in its output: a live refresh of its trace
    // shows it again, ended, and the output's image joins the input's (it did not appear).
    image.fill(QColor(200, 80, 30));
    QByteArray outputPng;
    QBuffer outputBuffer(&outputPng);
    QVERIFY(image.save(&outputBuffer, "PNG"));
    QString outputDigest;
    client->uploadFile(nullptr, QStringLiteral("trace-test/sample"), outputPng, QStringLiteral("image.png"),
        [&](const QJsonObject& json) { outputDigest = json.value(QLatin1String("digest")).toString(); });
    QTRY_VERIFY_WITH_TIMEOUT(!outputDigest.isEmpty(), 5000);
    QJsonObject outputImage = imageValue;
    outputImage.insert(
        QStringLiteral("files"), QJsonObject { { QStringLiteral("image.png"), outputDigest } });
    const QJsonObject end { { QStringLiteral("project_id"), QStringLiteral("trace-test/sample") },
        { QStringLiteral("id"), QStringLiteral("image-call") },
        { QStringLiteral("ended_at"), QStringLiteral("2026-01-01T00:00:02Z") },
        { QStringLiteral("output"), outputImage }, { QStringLiteral("summary"), QJsonObject() } };
    bool ended = false;
    client->post(nullptr, QStringLiteral("/call/end"), { { QStringLiteral("end"), end } },
        [&](const QJsonObject&) { ended = true; });
    QTRY_VERIFY_WITH_TIMEOUT(ended, 5000);
    call.endedAtMs =
        QDateTime::fromString(QStringLiteral("2026-01-01T00:00:02Z"), Qt::ISODate).toMSecsSinceEpoch();
    detail->showCall(QStringLiteral("trace-test/sample"), call);
    QTRY_COMPARE_WITH_TIMEOUT(strip->imageCount(), 2, 5000);
    screenshot(detail, QStringLiteral("detail-image.png"));
}

void TraceViewTest::cleanupTestCase()
{
    m_session.reset();
}

// The Output box of a call without output says why: still running, or it raised.
void TraceViewTest::emptyOutputSaysWhy()
{
    ui::CallDetailPanel* detail = page()->detailPanel();
    const auto outputText = [detail]() -> QString {
        const auto views = detail->findChildren<widgets::JsonView*>();
        for (const widgets::JsonView* view : views)
            if (view->isVisibleTo(detail) && view->isEmptyState()
                && view->emptyText() != QLatin1String("No inputs"))
                return view->emptyText();
        return {};
    };
    for (const QString& status : { QStringLiteral("running"), QStringLiteral("error") }) {
        page()->filterBar()->clearAll();
        page()->filterBar()->addStatus(status);
        QTRY_VERIFY_WITH_TIMEOUT(!page()->controller()->isLoading() && page()->model()->isLoaded(0)
                && page()->model()->callAt(0) && page()->model()->callAt(0)->status == status,
            15000);
        const QString id = page()->model()->callAt(0)->id;
        page()->table()->setCurrentIndex(page()->model()->index(0, models::CallsTableModel::NameColumn));
        QTRY_VERIFY_WITH_TIMEOUT(detail->callId() == id && detail->isFullyLoaded(), 5000);
        detail->tabs()->setCurrentIndex(0);
        const QString expected = status == QLatin1String("running") ? QStringLiteral("Still running")
                                                                    : QStringLiteral("raised an exception");
        QVERIFY2(outputText().contains(expected), qPrintable(status + u": " + outputText()));
    }
    page()->filterBar()->clearAll();
    // The last row's trace is built by now: its build selects that call, in the detail too.
    QTRY_VERIFY_WITH_TIMEOUT(!trace()->isLoading(), 15000);

    // A call shown before its full read answers says "Loading…" where its values will be, not
    // "No inputs"; a call the server no longer has says so there.
    spindle::Call ghost;
    ghost.id = QStringLiteral("ghost-call");
    ghost.opName = QStringLiteral("weave:///trace-test/sample/op/ghost:1");
    ghost.startedAtMs = QDateTime::currentMSecsSinceEpoch();
    detail->showCall(QStringLiteral("trace-test/sample"), ghost);
    const auto emptyTexts = [detail] {
        QStringList texts;
        for (const widgets::JsonView* view : detail->findChildren<widgets::JsonView*>())
            texts << view->emptyText();
        return texts;
    };
    QVERIFY2(emptyTexts().contains(QStringLiteral("Loading…")), qPrintable(emptyTexts().join(u'|')));
    QVERIFY(!emptyTexts().contains(QStringLiteral("No inputs")));
    QTRY_VERIFY_WITH_TIMEOUT(
        emptyTexts().join(u'|').contains(QStringLiteral("no longer has this call")), 15000);
}

// Live mode: the open trace of a running call follows it. A child that starts appears and the
// root's end turns it, and its detail, from running into finished; the selection is kept.
void TraceViewTest::liveModeFollowsARunningTrace()
{
    const QString project = QStringLiteral("trace-test/sample");
    const auto post = [this](const QString& path, const QJsonObject& body) {
        bool done = false;
        m_session->client()->post(nullptr, path, body, [&](const QJsonObject&) { done = true; });
        return QTest::qWaitFor([&] { return done; }, 5000);
    };
    const auto at = [](qint64 secondsAgo) {
        return QDateTime::currentDateTimeUtc().addSecs(-secondsAgo).toString(Qt::ISODateWithMs);
    };
    const QJsonObject inputs { { QStringLiteral("config"), QJsonObject { { QStringLiteral("depth"), 2 } } } };
    const auto start = [&](const QString& id, const QString& parent, qint64 secondsAgo) {
        QJsonObject call { { QStringLiteral("project_id"), project }, { QStringLiteral("id"), id },
            { QStringLiteral("trace_id"), QStringLiteral("live-trace") }, { QStringLiteral("op_name"), id },
            { QStringLiteral("started_at"), at(secondsAgo) }, { QStringLiteral("attributes"), QJsonObject() },
            { QStringLiteral("inputs"), inputs } };
        if (!parent.isEmpty())
            call.insert(QStringLiteral("parent_id"), parent);
        return post(QStringLiteral("/call/start"), { { QStringLiteral("start"), call } });
    };
    const auto end = [&](const QString& id) {
        const QJsonObject call { { QStringLiteral("project_id"), project }, { QStringLiteral("id"), id },
            { QStringLiteral("ended_at"), at(0) }, { QStringLiteral("output"), QStringLiteral("done") },
            { QStringLiteral("summary"), QJsonObject() } };
        return post(QStringLiteral("/call/end"), { { QStringLiteral("end"), call } });
    };
    QVERIFY(start(QStringLiteral("live_root"), {}, 1));
    page()->controller()->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(!page()->controller()->isLoading() && page()->model()->callAt(0)
            && page()->model()->callAt(0)->id == QLatin1String("live_root"),
        15000);
    page()->table()->setCurrentIndex(page()->model()->index(0, models::CallsTableModel::NameColumn));
    QTRY_VERIFY_WITH_TIMEOUT(trace()->traceId() == QLatin1String("live-trace") && !trace()->isLoading()
            && page()->detailPanel()->isFullyLoaded()
            && page()->detailPanel()->callId() == QLatin1String("live_root"),
        5000);
    QVERIFY(trace()->hasRunningCalls());
    QCOMPARE(trace()->traceTree()->size(), 1);
    // A search's hits stay highlighted through the refresh, which numbers the nodes anew.
    auto* search = trace()->findChild<QLineEdit*>();
    QVERIFY(search);
    search->setText(QStringLiteral("live_root"));
    QTest::keyClick(search, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(trace()->model()->highlighted().size(), 1, 5000);

    // What the user opened in the call's detail stays as it is while the call runs on.
    QTreeView* inputsTree = nullptr;
    for (widgets::JsonView* view : page()->detailPanel()->findChildren<widgets::JsonView*>())
        if (view->treeView()->model()->index(0, 0).data().toString() == QLatin1String("config"))
            inputsTree = view->treeView();
    QVERIFY(inputsTree);
    const QModelIndex config = inputsTree->model()->index(0, 0);
    QVERIFY(inputsTree->isExpanded(config));
    inputsTree->collapse(config);

    // A child runs and ends; the root still runs.
    QVERIFY(start(QStringLiteral("live_child"), QStringLiteral("live_root"), 0));
    QVERIFY(end(QStringLiteral("live_child")));
    page()->controller()->setLive(true);
    const auto guard = qScopeGuard([this] { page()->controller()->setLive(false); });
    QTRY_COMPARE_WITH_TIMEOUT(trace()->traceTree()->size(), 2, 10000);
    const models::TraceTree* tree = trace()->traceTree();
    // The root has become a parent: it opens as the first build would have opened it.
    QVERIFY(trace()->tree()->isExpanded(
        trace()->model()->indexOfNode(tree->indexById.value(QStringLiteral("live_root")))));
    QVERIFY(trace()->hasRunningCalls());
    QCOMPARE(tree->calls[trace()->selectedNode()].id, QStringLiteral("live_root"));
    QCOMPARE(
        trace()->model()->highlighted(), QSet<int> { tree->indexById.value(QStringLiteral("live_root")) });
    QVERIFY(!inputsTree->isExpanded(inputsTree->model()->index(0, 0)));
    search->clear();

    // The root ends: the trace and the detail show it finished.
    QVERIFY(end(QStringLiteral("live_root")));
    QTRY_VERIFY_WITH_TIMEOUT(!trace()->hasRunningCalls(), 10000);
    QCOMPARE(trace()->traceTree()->calls[trace()->selectedNode()].id, QStringLiteral("live_root"));
    QTRY_VERIFY_WITH_TIMEOUT(page()->detailPanel()->isFullyLoaded()
            && page()->detailPanel()->call().status == QLatin1String("success"),
        5000);
    QCOMPARE(page()->detailPanel()->call().output.toString(), QStringLiteral("done"));
}

// A refresh the server does not answer leaves the trace shown as it was, says so, and nothing
// later takes the rows that did come for the whole trace.
void TraceViewTest::failedRefreshKeepsTheTree()
{
    net::TraceClient client;
    client.setConnection(m_session->client()->connection());
    client.setRetryPolicy(0, 10);
    ui::TraceView view(&client);
    QSignalSpy loaded(&view, &ui::TraceView::loaded);
    view.openTrace(QStringLiteral("trace-test/sample"), page()->model()->callAt(0)->traceId);
    QVERIFY(loaded.wait(10000));
    const int calls = view.traceTree()->size();
    QVERIFY(calls > 0);

    client.setConnection({ QUrl(QStringLiteral("http://127.0.0.1:1")), QString() }); // nothing listens
    view.refresh();
    const auto statusSays = [&view](const QString& text) {
        const auto labels = view.findChildren<QLabel*>();
        return std::any_of(labels.cbegin(), labels.cend(),
            [&](const QLabel* label) { return label->text().contains(text); });
    };
    QTRY_VERIFY_WITH_TIMEOUT(statusSays(QStringLiteral("Could not load the trace")), 10000);
    QTest::qWait(300); // a rebuild timer would have fired by now
    QVERIFY(statusSays(QStringLiteral("Could not load the trace")));
    QCOMPARE(view.traceTree()->size(), calls);
    QCOMPARE(view.model()->rowCount() > 0, true);
    QCOMPARE(loaded.size(), 1);

    client.setConnection(m_session->client()->connection()); // the server is back: so is the trace
    view.refresh();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(view.traceTree()->size(), calls);
}

// A call 30 levels down keeps 180 px for its name past its indentation: once its rows are open,
// the names get that width and the tree scrolls sideways; closed again, the names stretch.
void TraceViewTest::deepCallsKeepRoomForTheirNames()
{
    const QString project = QStringLiteral("trace-test/deep");
    constexpr int kDepth = 30;
    const QString started = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    for (int level = 0; level <= kDepth; ++level) {
        QJsonObject call { { QStringLiteral("project_id"), project },
            { QStringLiteral("id"), QStringLiteral("deep-%1").arg(level) },
            { QStringLiteral("trace_id"), QStringLiteral("deep-trace") },
            { QStringLiteral("op_name"), QStringLiteral("recurse") },
            { QStringLiteral("started_at"), started }, { QStringLiteral("attributes"), QJsonObject() },
            { QStringLiteral("inputs"), QJsonObject() } };
        if (level > 0)
            call.insert(QStringLiteral("parent_id"), QStringLiteral("deep-%1").arg(level - 1));
        bool done = false;
        m_session->client()->post(nullptr, QStringLiteral("/call/start"),
            { { QStringLiteral("start"), call } }, [&done](const QJsonObject&) { done = true; });
        QVERIFY(QTest::qWaitFor([&] { return done; }, 5000));
    }
    ui::TraceView view(m_session->client());
    view.resize(520, 400);
    view.show();
    QSignalSpy loaded(&view, &ui::TraceView::loaded);
    view.openTrace(project, QStringLiteral("deep-trace"));
    QVERIFY(loaded.wait(10000));
    auto* tree = view.findChild<QTreeView*>();
    QVERIFY(tree);
    const int nameNeeded = tree->indentation() * (kDepth + 1) + 180;
    QTRY_COMPARE(tree->header()->sectionResizeMode(0), QHeaderView::Stretch); // only the first levels open
    tree->expandAll();
    QTRY_COMPARE(tree->header()->sectionResizeMode(0), QHeaderView::Interactive);
    QTRY_COMPARE(tree->header()->sectionSize(0), nameNeeded); // fitted on a later round under load
    QVERIFY(tree->horizontalScrollBar()->maximum() > 0);
    tree->scrollToBottom();
    tree->horizontalScrollBar()->setValue(tree->horizontalScrollBar()->maximum());
    screenshot(&view, QStringLiteral("trace-deep.png"));
    tree->collapseAll();
    QTRY_COMPARE(tree->header()->sectionResizeMode(0), QHeaderView::Stretch);
    // The view lays its scroll bars out on its next round, later than that under ASan.
    QTRY_COMPARE(tree->horizontalScrollBar()->maximum(), 0);
}

// A trace whose stream breaks off shows the calls that came, says that it could not load the rest,
// and never counts as loaded (nor does a rebuild due later say "N calls" as if it were whole). F5
// (reloadIfBroken) loads it again. A cut in the middle of a line fails the stream. A cut between two
// lines may look whole to Qt 6.4 (it ends such a chunked reply without an error or reports the closed
// connection, as timing has it); the stub sends a whole answer a row short, and the trace's count
// (/calls/query_stats) tells. A stream short once is read again (a call may have been logged between
// the two reads); a server without the count is taken at its stream's word.
void TraceViewTest::brokenStreamShowsWhatCame_data()
{
    QTest::addColumn<QByteArray>("tail");
    QTest::addColumn<int>("shortAnswers"); // stream answers with 120 calls before the whole 121
    QTest::addColumn<bool>("counts"); // the server answers /calls/query_stats
    QTest::addColumn<int>("shownCalls");
    QTest::addColumn<QString>("status"); // empty: the trace loads without a word
    QTest::addRow("cut mid-line") << QByteArray(R"({"id":"c120","project_id":"p/q","trace)") << 1 << true
                                  << 120 << QStringLiteral("Could not load the trace");
    QTest::addRow("cut between lines")
        << QByteArray() << 2 << true << 120 << QStringLiteral("Only 120 of the trace's 121 calls came");
    QTest::addRow("a call logged between the reads") << QByteArray() << 1 << true << 121 << QString();
    QTest::addRow("no count on the server") << QByteArray() << 9 << false << 120 << QString();
}

void TraceViewTest::brokenStreamShowsWhatCame()
{
    QFETCH(QByteArray, tail);
    QFETCH(int, shortAnswers);
    QFETCH(bool, counts);
    QFETCH(int, shownCalls);
    QFETCH(QString, status);
    const std::string rows = traceRows(0, 120);
    const std::string cut = rows + tail.toStdString();
    const std::string all = rows + traceRows(120, 121);
    TraceStub stub(
        [&](int before, httplib::Response& res) {
            const bool whole = before >= shortAnswers;
            if (whole || tail.isEmpty()) {
                res.set_content(whole ? all : rows, "application/jsonl");
                return;
            }
            res.set_chunked_content_provider(
                "application/jsonl", [&cut](std::size_t offset, httplib::DataSink& sink) {
                    if (offset > 0)
                        return false; // the connection closes without the terminating chunk
                    sink.write(cut.data(), cut.size());
                    return true;
                });
        },
        counts ? 121 : -1);
    QTRY_VERIFY(stub.isRunning());

    net::TraceClient client;
    client.setConnection({ stub.url(), QString() });
    client.setRetryPolicy(0, 10);
    ui::TraceView view(&client);
    view.resize(520, 400); // a narrow pane: the status line wraps instead of widening it
    view.show();
    QSignalSpy loaded(&view, &ui::TraceView::loaded);
    view.openTrace(QStringLiteral("p/q"), QStringLiteral("t1"));
    if (status.isEmpty()) {
        QVERIFY(loaded.wait(10000));
        QCOMPARE(view.traceTree()->size(), shownCalls);
        QCOMPARE(stub.streams(), counts ? shortAnswers + 1 : 1);
        QVERIFY2(labelsText(view).contains(QStringLiteral("%1 calls").arg(shownCalls)),
            qPrintable(labelsText(view)));
        return;
    }
    QTRY_VERIFY2_WITH_TIMEOUT(labelsText(view).contains(status), qPrintable(labelsText(view)), 10000);
    // Every whole line that came before the break is shown; only the cut one is lost.
    QTRY_VERIFY_WITH_TIMEOUT(view.traceTree() && !view.isLoading(), 5000);
    QCOMPARE(view.traceTree()->size(), shownCalls);
    QCOMPARE(view.model()->rowCount() > 0, true);
    QTest::qWait(300); // a rebuild timer would have fired by now
    QVERIFY(labelsText(view).contains(status));
    QCOMPARE(loaded.size(), 0);
    QCOMPARE(stub.streams(), shortAnswers);
    screenshot(
        &view, tail.isEmpty() ? QStringLiteral("trace-short.png") : QStringLiteral("trace-broken.png"));

    // F5: loaded again, whole now, with the call that was selected still selected.
    view.selectNode(view.traceTree()->indexById.value(QStringLiteral("c7")));
    view.reloadIfBroken();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(view.traceTree()->size(), 121);
    QVERIFY(labelsText(view).contains(QStringLiteral("121 calls")));
    QCOMPARE(view.traceTree()->calls[view.selectedNode()].id, QStringLiteral("c7"));
    view.reloadIfBroken(); // a whole trace is not fetched again
    QVERIFY(!view.isLoading());
    QCOMPARE(stub.streams(), shortAnswers + 1);
}

// Live mode: a refresh whose stream comes short twice keeps the tree shown and says so; F5 then
// refreshes it, and a whole answer clears the message.
void TraceViewTest::shortRefreshKeepsTheTree()
{
    const std::string rows = traceRows(0, 120);
    const std::string all = rows + traceRows(120, 121);
    std::atomic_bool shortNow = false;
    TraceStub stub(
        [&](int, httplib::Response& res) { res.set_content(shortNow ? rows : all, "application/jsonl"); },
        121);
    QTRY_VERIFY(stub.isRunning());
    StubView stubView(stub);
    QVERIFY(stubView.open());
    ui::TraceView& view = stubView.view;
    QSignalSpy& loaded = stubView.loaded;
    QCOMPARE(view.traceTree()->size(), 121);

    shortNow = true;
    view.refresh();
    QTRY_VERIFY2_WITH_TIMEOUT(
        labelsText(view).contains(QStringLiteral("Could not refresh the trace: only 120 of its 121")),
        qPrintable(labelsText(view)), 10000);
    QTRY_VERIFY(!view.isLoading());
    QCOMPARE(stub.streams(), 3); // the load, the refresh and its second read
    QCOMPARE(view.traceTree()->size(), 121);
    QCOMPARE(loaded.size(), 1);

    shortNow = false;
    view.reloadIfBroken();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(view.traceTree()->size(), 121);
    QVERIFY2(labelsText(view).contains(QStringLiteral("121 calls")), qPrintable(labelsText(view)));
    QCOMPARE(stub.streams(), 4);
}

// The search's server part (inputs and outputs) failing keeps the hits by name and says that only
// names were searched.
void TraceViewTest::failedServerSearchSaysNamesOnly()
{
    const std::string rows = traceRows(0, 5);
    TraceStub stub(
        [&](int stream, httplib::Response& res) {
            if (stream == 0)
                return res.set_content(rows, "application/jsonl");
            res.status = 400; // the search's stream: not retried
            res.set_content(R"({"reason":"no search here"})", "application/json");
        },
        5);
    QTRY_VERIFY(stub.isRunning());
    StubView stubView(stub);
    QVERIFY(stubView.open());
    ui::TraceView& view = stubView.view;
    auto* search = view.findChild<QLineEdit*>();
    auto* status = view.findChild<QLabel*>(QStringLiteral("searchStatus"));
    QVERIFY(search && status);
    search->setText(QStringLiteral("step"));
    QTest::keyClick(search, Qt::Key_Return);
    QTRY_VERIFY2_WITH_TIMEOUT(
        status->text().contains(QStringLiteral("names only")), qPrintable(status->text()), 10000);
    QVERIFY2(status->text().startsWith(QStringLiteral("1 of 5")), qPrintable(status->text()));
    QCOMPARE(view.model()->highlighted().size(), 5);
    QCOMPARE(stub.streams(), 2);
}

QTEST_MAIN(TraceViewTest)
#include "tst_traceview.moc"
