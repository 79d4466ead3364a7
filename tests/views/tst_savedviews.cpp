// Saved views: the Traces page state ↔ Weave SavedView definitions (round trips and Weave-shaped
// fixtures), save/rename/delete/versioning against a real server, and the views bar in the app.
#include "app/session.h"
#include "core/savedview.h"
#include "net/traceclient.h"
#include "server/traceserver.h"
#include "ui/callscontroller.h"
#include "ui/dashboardpage.h"
#include "ui/filterbar.h"
#include "ui/mainwindow.h"
#include "ui/savedviewsbar.h"
#include "ui/tracespage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMenu>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

using namespace spindle;

static QJsonObject json(const char* text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

static QSet<QByteArray> termsOf(const std::optional<QJsonObject>& query)
{
    QSet<QByteArray> terms;
    if (!query)
        return terms;
    const QJsonObject expr = query->value(QLatin1String("$expr")).toObject();
    const QJsonArray list = expr.contains(QLatin1String("$and")) ? expr.value(QLatin1String("$and")).toArray()
                                                                 : QJsonArray { expr };
    for (const QJsonValue& term : list)
        terms.insert(QJsonDocument(term.toObject()).toJson(QJsonDocument::Compact));
    return terms;
}

class SavedViewsTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void roundTrip_data();
    void roundTrip();
    void weaveDefinitions_data();
    void weaveDefinitions();
    void brokenViews();
    void serverLifecycle();
    void viewsBarInTheApp();
    void dashboardFilterAsView();
    void cleanupTestCase();

private:
    QJsonObject call(const QString& path, const QJsonObject& body);

    QTemporaryDir m_dir;
    std::unique_ptr<server::TraceServer> m_server;
    net::TraceClient m_client;
};

void SavedViewsTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("spindle-test"));
    QSettings::setPath(
        QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
    server::ServerOptions options;
    options.port = 0;
    options.dataDir = m_dir.filePath(QStringLiteral("data")).toStdString();
    m_server = std::make_unique<server::TraceServer>(options);
    const int port = m_server->startInBackground();
    m_client.setConnection({ QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), {} });
}

QJsonObject SavedViewsTest::call(const QString& path, const QJsonObject& body)
{
    QJsonObject result;
    bool done = false;
    m_client.post(
        path, body, [&](const QJsonObject& json) { result = json, done = true; },
        [&](const net::ApiError& e) {
            result = { { QStringLiteral("error"), e.message() } }, done = true;
        });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(done, 10000); }();
    return result;
}

void SavedViewsTest::roundTrip_data()
{
    QTest::addColumn<TracesViewState>("state");
    const QDateTime at = QDateTime::fromString(QStringLiteral("2025-03-01T10:00:00.250Z"), Qt::ISODateWithMs);
    TracesViewState fallback;
    QTest::newRow("default") << fallback;
    TracesViewState full;
    full.query.opNames = { QStringLiteral("weave:///e/p/op/rag:*") };
    full.query.statuses = { QStringLiteral("error"), QStringLiteral("descendant_error") };
    full.query.startedAfter = at;
    full.query.startedBefore = at.addDays(2);
    full.query.rootsOnly = false;
    full.query.userIds = { QStringLiteral("u1") };
    full.query.sortBy = { { QStringLiteral("summary.weave.latency_ms"), true },
        { QStringLiteral("inputs.n"), false } };
    full.visibleColumns = { QStringLiteral("inputs.question"), QStringLiteral("output.answer") };
    full.pinned = false;
    full.pageSize = 50;
    const FilterOp ops[] = { FilterOp::Contains, FilterOp::Equals, FilterOp::NotEquals, FilterOp::NumEquals,
        FilterOp::NumNotEquals, FilterOp::Less, FilterOp::LessOrEqual, FilterOp::Greater,
        FilterOp::GreaterOrEqual, FilterOp::IsEmpty, FilterOp::IsNotEmpty };
    for (FilterOp op : ops) {
        const bool numeric = op >= FilterOp::NumEquals && op <= FilterOp::GreaterOrEqual;
        full.query.conditions.append({ QStringLiteral("inputs.f%1").arg(int(op)), op,
            numeric                      ? QVariant(2.5)
                : filterOpTakesValue(op) ? QVariant(QStringLiteral("x"))
                                         : QVariant() });
    }
    full.query.conditions.append({ QStringLiteral("inputs.tags"), FilterOp::In,
        QStringList { QStringLiteral("a"), QStringLiteral("b") } });
    full.query.conditions.append({ QStringLiteral("output.when"), FilterOp::After, at });
    QTest::newRow("everything") << full;
}

void SavedViewsTest::roundTrip()
{
    QFETCH(TracesViewState, state);
    QStringList problems;
    const TracesViewState back = stateFromDefinition(definitionFromState(state), &problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char(';'))));
    QCOMPARE(back.query.opNames, state.query.opNames);
    QCOMPARE(back.query.statuses, state.query.statuses);
    QCOMPARE(back.query.startedAfter, state.query.startedAfter);
    QCOMPARE(back.query.startedBefore, state.query.startedBefore);
    QCOMPARE(back.query.rootsOnly, state.query.rootsOnly);
    QCOMPARE(back.query.userIds, state.query.userIds);
    QCOMPARE(back.query.sortBy, state.query.sortBy);
    QCOMPARE(back.query.conditions.size(), state.query.conditions.size());
    for (qsizetype i = 0; i < state.query.conditions.size(); ++i)
        QCOMPARE(back.query.conditions[i], state.query.conditions[i]);
    QVERIFY(back.query.extraTerms.isEmpty());
    QCOMPARE(back.visibleColumns, state.visibleColumns);
    QCOMPARE(back.pinned, state.pinned);
    QCOMPARE(back.pageSize, state.pageSize);
}

void SavedViewsTest::weaveDefinitions_data()
{
    QTest::addColumn<QByteArray>("definition");
    QTest::addColumn<int>("conditions");
    QTest::addColumn<int>("extraTerms");
    QTest::addColumn<QStringList>("columns");
    // As Weave's web UI writes them (feature-landscape 4.4, weave-protocol 5.6).
    QTest::newRow("ui filters") << QByteArray(
        R"({"filter":{"op_names":["weave:///e/p/op/chat:*"],"trace_roots_only":true},
        "query":{"$expr":{"$and":[{"$contains":{"input":{"$getField":"inputs.q"},"substr":{"$literal":"refund"},"case_insensitive":true}},
          {"$not":[{"$gte":[{"$convert":{"input":{"$getField":"output.score"},"to":"double"}},{"$literal":0.5}]}]},
          {"$eq":[{"$getField":"summary.weave.status"},{"$literal":"error"}]}]}},
        "sort_by":[{"field":"started_at","direction":"desc"}],
        "cols":{"inputs.q":true,"output.score":true,"attributes.env":false},"column_order":["inputs.q","attributes.env","output.score"],
        "pin":{"left":["CustomCheckbox","summary.weave.trace_name"],"right":[]},"page_size":50,
        "charts":[{"x_axis":"started_at","y_axis":"latency","plot_type":"scatter"}],"header_depth":2})")
                                << 2 << 0
                                << QStringList { QStringLiteral("inputs.q"), QStringLiteral("output.score") };
    QTest::newRow("nested logic") << QByteArray(R"({"query":{"$expr":{"$and":[
          {"$or":[{"$eq":[{"$getField":"inputs.model"},{"$literal":"a"}]},{"$eq":[{"$getField":"inputs.model"},{"$literal":"b"}]}]},
          {"$not":[{"$and":[{"$gt":[{"$getField":"started_at"},{"$literal":1700000000}]},{"$eq":[{"$getField":"op_name"},{"$literal":"x"}]}]}]},
          {"$gt":[{"$getField":"started_at"},{"$literal":1700000000}]}]}},
        "sort_by":[{"field":"inputs.n","direction":"asc"}]})")
                                  << 0 << 2 << QStringList {};
}

void SavedViewsTest::weaveDefinitions()
{
    QFETCH(QByteArray, definition);
    QFETCH(int, conditions);
    QFETCH(int, extraTerms);
    QFETCH(QStringList, columns);
    const QJsonObject original = QJsonDocument::fromJson(definition).object();
    QVERIFY(!original.isEmpty());
    QStringList problems;
    const TracesViewState state = stateFromDefinition(original, &problems);
    QCOMPARE(state.query.conditions.size(), conditions);
    QCOMPARE(state.query.extraTerms.size(), extraTerms);
    QCOMPARE(state.visibleColumns, columns);
    // Written back: the same $expr terms (order aside), and keys Spindle does not know are kept.
    const QJsonObject rewritten = definitionFromState(state, original);
    QCOMPARE(termsOf(CallsQuery(
                 callsQueryFromParts({}, {}, rewritten.value(QLatin1String("query")).toObject(), {}))
                         .queryJson()),
        termsOf(original.value(QLatin1String("query")).toObject()));
    for (const QString& key : original.keys())
        QVERIFY2(rewritten.contains(key), qPrintable(key));
    QCOMPARE(rewritten.value(QLatin1String("charts")), original.value(QLatin1String("charts")));
    QVERIFY(rewritten.value(QLatin1String("pin"))
                .toObject()
                .value(QLatin1String("left"))
                .toArray()
                .contains(QStringLiteral("summary.weave.trace_name")));
}

void SavedViewsTest::brokenViews()
{
    const SavedView noDefinition =
        savedViewFromObject(json(R"({"object_id":"traces_x","val":{"label":"Bad","definition":7}})"));
    QVERIFY(noDefinition.broken);
    const SavedView badParts = savedViewFromObject(json(
        R"({"object_id":"traces_y","val":{"label":"Odd","definition":{"filter":"nope","sort_by":{"a":1},"page_size":-3}}})"));
    QVERIFY(badParts.broken);
    QCOMPARE(badParts.problems.size(), 3);
}

void SavedViewsTest::serverLifecycle()
{
    const QString project = QStringLiteral("views/test");
    TracesViewState state;
    state.query.statuses = { QStringLiteral("error") };
    const QString id = newSavedViewId(QDateTime::currentDateTimeUtc());
    const QJsonObject first = call(QStringLiteral("/obj/create"),
        savedViewCreateRequest(project, id, QStringLiteral("Errors"), definitionFromState(state)));
    QVERIFY2(first.contains(QLatin1String("digest")), QJsonDocument(first).toJson());
    // Rename = a new version; the first stays readable.
    call(QStringLiteral("/obj/create"),
        savedViewCreateRequest(project, id, QStringLiteral("Prod errors"), definitionFromState(state)));
    const QJsonObject list = call(QStringLiteral("/objs/query"),
        { { QStringLiteral("project_id"), project },
            { QStringLiteral("filter"),
                QJsonObject {
                    { QStringLiteral("base_object_classes"), QJsonArray { QStringLiteral("SavedView") } },
                    { QStringLiteral("latest_only"), true } } } });
    const QJsonArray objs = list.value(QLatin1String("objs")).toArray();
    QCOMPARE(objs.size(), 1);
    const SavedView view = savedViewFromObject(objs.first().toObject());
    QCOMPARE(view.label, QStringLiteral("Prod errors"));
    QCOMPARE(view.versionIndex, 1);
    QCOMPARE(view.state.query.statuses, state.query.statuses);
    const QJsonObject v0 = call(QStringLiteral("/obj/read"),
        { { QStringLiteral("project_id"), project }, { QStringLiteral("object_id"), id },
            { QStringLiteral("digest"), QStringLiteral("v0") } });
    QCOMPARE(v0.value(QLatin1String("obj"))
                 .toObject()
                 .value(QLatin1String("val"))
                 .toObject()
                 .value(QLatin1String("label"))
                 .toString(),
        QStringLiteral("Errors"));
    call(QStringLiteral("/obj/delete"),
        { { QStringLiteral("project_id"), project }, { QStringLiteral("object_id"), id } });
    const QJsonObject after = call(QStringLiteral("/objs/query"),
        { { QStringLiteral("project_id"), project },
            { QStringLiteral("filter"),
                QJsonObject { { QStringLiteral("base_object_classes"),
                    QJsonArray { QStringLiteral("SavedView") } } } } });
    QVERIFY(after.value(QLatin1String("objs")).toArray().isEmpty());
}

void SavedViewsTest::viewsBarInTheApp()
{
    app::AppOptions options;
    options.dataDir = m_dir.filePath(QStringLiteral("app"));
    options.port = 0;
    options.projectId = QStringLiteral("views-app/sample");
    options.sampleData = true;
    app::AppSession session(options);
    session.window()->resize(1500, 900);
    session.window()->show();
    QSignalSpy loaded(&session, &app::AppSession::sampleDataLoaded);
    session.start();
    QVERIFY(loaded.wait(30000));
    ui::TracesPage* page = session.window()->tracesPage();
    ui::SavedViewsBar* views = page->savedViews();
    QTRY_VERIFY_WITH_TIMEOUT(!page->controller()->isLoading(), 10000);
    QVERIFY(!views->isModified());
    page->filterBar()->addStatus(QStringLiteral("error"));
    QVERIFY(views->isModified());
    QSignalSpy listed(views, &ui::SavedViewsBar::listChanged);
    views->saveAsNew(QStringLiteral("Errors only"));
    QVERIFY(listed.wait(10000));
    QCOMPARE(views->views().size(), 1);
    QCOMPARE(views->currentLabel(), QStringLiteral("Errors only"));
    QVERIFY(!views->isModified());
    QVERIFY(session.window()->windowTitle().startsWith(QStringLiteral("Errors only")));
    views->loadDefault();
    QVERIFY(page->controller()->query().statuses.isEmpty());
    views->loadView(views->views().first().objectId);
    QCOMPARE(page->controller()->query().statuses, QStringList { QStringLiteral("error") });
    QTRY_VERIFY_WITH_TIMEOUT(!page->controller()->isLoading(), 10000);
    QVERIFY(session.window()->grab().save(QStringLiteral(SPINDLE_BUILD_DIR "/saved-views.png")));
    auto* button = views->findChild<QToolButton*>();
    QMetaObject::invokeMethod(button->menu(), "aboutToShow");
    button->menu()->adjustSize();
    QVERIFY(button->menu()->grab().save(QStringLiteral(SPINDLE_BUILD_DIR "/saved-views-menu.png")));
}

void SavedViewsTest::dashboardFilterAsView()
{
    const QString project = QStringLiteral("views/dashboard");
    ui::DashboardPage dashboard(&m_client);
    dashboard.setProject(project);
    dashboard.findChild<ui::FilterBar*>()->addStatus(QStringLiteral("error"));
    QSignalSpy saved(&dashboard, &ui::DashboardPage::viewSaved);
    dashboard.saveFilterAsView(QStringLiteral("Dashboard errors"));
    QVERIFY(saved.wait(10000));
    const QJsonObject list = call(QStringLiteral("/objs/query"),
        { { QStringLiteral("project_id"), project },
            { QStringLiteral("filter"),
                QJsonObject { { QStringLiteral("base_object_classes"),
                    QJsonArray { QStringLiteral("SavedView") } } } } });
    const QJsonArray objs = list.value(QLatin1String("objs")).toArray();
    QCOMPARE(objs.size(), 1);
    const SavedView view = savedViewFromObject(objs.first().toObject());
    QCOMPARE(view.label, QStringLiteral("Dashboard errors"));
    QCOMPARE(view.state.query.statuses, QStringList { QStringLiteral("error") });
    QVERIFY(!view.state.query.startedAfter); // the range stays with the dashboard
}

void SavedViewsTest::cleanupTestCase()
{
    m_server->stop();
}

QTEST_MAIN(SavedViewsTest)
#include "tst_savedviews.moc"
