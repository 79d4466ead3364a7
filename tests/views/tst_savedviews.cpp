// Saved views: the Traces page state ↔ Weave SavedView definitions (round trips and Weave-shaped
// fixtures), save/rename/delete/versioning against a real server, two pages saving the same view,
// and the dashboard's filter saved as a view. The views bar in the whole app: tst_savedviewsapp.
#include "core/savedview.h"
#include "net/traceclient.h"
#include "server/traceserver.h"
#include "ui/callscontroller.h"
#include "ui/dashboardpage.h"
#include "ui/filterbar.h"
#include "ui/savedviewsbar.h"
#include "ui/tracespage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace spindle;
using namespace Qt::StringLiterals;

static QJsonObject json(const char* text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

static QSet<QByteArray> termsOf(const std::optional<QJsonObject>& query)
{
    QSet<QByteArray> terms;
    if (!query || !query->contains(QLatin1String("$expr")))
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
    void columnsAndOps();
    void brokenViews();
    void serverLifecycle();
    void twoPagesSaveTheSameView();
    void droppedParts();
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
        nullptr, path, body, [&](const QJsonObject& json) { result = json, done = true; },
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
    full.customColumns = true;
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
    // "Last day": Weave's UI reads the range as of the save, Spindle the range back from now.
    TracesViewState lastDay;
    lastDay.query.startedWithin = QStringLiteral("1d");
    QTest::newRow("last day") << lastDay;
    // With a "started before" chip: it stays a chip, and the range stays "Last day" (the two came
    // back as a fixed custom range, the chip gone).
    TracesViewState lastDayBefore = lastDay;
    lastDayBefore.query.conditions.append({ QStringLiteral("started_at"), FilterOp::Before, at });
    QTest::newRow("last day and a before chip") << lastDayBefore;
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
    QCOMPARE(back.query.startedWithin, state.query.startedWithin);
    if (!state.query.startedWithin.isEmpty()) // and Weave's UI reads the range as of the save
        QVERIFY(QJsonDocument(definitionFromState(state)).toJson().contains("started_at"));
    QCOMPARE(back.query.rootsOnly, state.query.rootsOnly);
    QCOMPARE(back.query.userIds, state.query.userIds);
    QCOMPARE(back.query.sortBy, state.query.sortBy);
    QCOMPARE(back.query.conditions.size(), state.query.conditions.size());
    for (qsizetype i = 0; i < state.query.conditions.size(); ++i)
        QCOMPARE(back.query.conditions[i], state.query.conditions[i]);
    QVERIFY(back.query.extraTerms.isEmpty());
    QCOMPARE(back.customColumns, state.customColumns);
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
    QTest::addColumn<QStringList>("notes");
    // As Weave's web UI writes them (feature-landscape 4.4, weave-protocol 5.6): column_order lists
    // Weave's own columns too (Spindle's fixed columns stand for them), cols: false hides one.
    QTest::newRow("ui filters") << QByteArray(
        R"({"filter":{"op_names":["weave:///e/p/op/chat:*"],"trace_roots_only":true},
        "query":{"$expr":{"$and":[{"$contains":{"input":{"$getField":"inputs.q"},"substr":{"$literal":"refund"},"case_insensitive":true}},
          {"$not":[{"$gte":[{"$convert":{"input":{"$getField":"output.score"},"to":"double"}},{"$literal":0.5}]}]},
          {"$eq":[{"$getField":"summary.weave.status"},{"$literal":"error"}]}]}},
        "sort_by":[{"field":"started_at","direction":"desc"}],
        "cols":{"inputs.q":true,"output.score":true,"attributes.env":false,"feedback":false},
        "column_order":["CustomCheckbox","op_name","feedback","status","inputs.q","attributes.env","output.score","wb_user_id","started_at","tokens","cost","latency"],
        "pin":{"left":["CustomCheckbox","summary.weave.trace_name"],"right":[]},"page_size":50,
        "charts":[{"x_axis":"started_at","y_axis":"latency","plot_type":"scatter"}],"header_depth":2})")
                                << 2 << 0
                                << QStringList { QStringLiteral("inputs.q"), QStringLiteral("output.score") }
                                << QStringList {};
    QTest::newRow("nested logic") << QByteArray(R"({"query":{"$expr":{"$and":[
          {"$or":[{"$eq":[{"$getField":"inputs.model"},{"$literal":"a"}]},{"$eq":[{"$getField":"inputs.model"},{"$literal":"b"}]}]},
          {"$not":[{"$and":[{"$gt":[{"$getField":"started_at"},{"$literal":1700000000}]},{"$eq":[{"$getField":"op_name"},{"$literal":"x"}]}]}]},
          {"$gt":[{"$getField":"started_at"},{"$literal":1700000000}]}]}},
        "sort_by":[{"field":"inputs.n","direction":"asc"}]})")
                                  << 0 << 2 << QStringList {}
                                  << QStringList { QStringLiteral(
                                         "2 query term(s) shown as written (no filter chip for them)") };
    // Dates on dynamic fields compare as text: one written otherwise than Spindle writes it (a bare
    // date, an offset) stays as written (it came back in UTC: other rows matched).
    QTest::newRow("dates as written")
        << QByteArray(R"({"query":{"$expr":{"$and":[
          {"$gt":[{"$getField":"attributes.day"},{"$literal":"2024-05-01"}]},
          {"$gt":[{"$getField":"inputs.at"},{"$literal":"2024-05-01T10:00:00+02:00"}]},
          {"$gt":[{"$getField":"inputs.at"},{"$literal":"2024-05-01T08:00:00.000Z"}]}]}}})")
        << 1 << 2 << QStringList {}
        << QStringList { QStringLiteral("2 query term(s) shown as written (no filter chip for them)") };
    // Two status terms AND-ed: the first is the status filter, the second a condition (both read as
    // the status filter, they came back as one $in: error OR success).
    QTest::newRow("two status terms") << QByteArray(R"({"query":{"$expr":{"$and":[
          {"$eq":[{"$getField":"summary.weave.status"},{"$literal":"error"}]},
          {"$eq":[{"$getField":"summary.weave.status"},{"$literal":"success"}]}]}}})")
                                      << 1 << 0 << QStringList {} << QStringList {};
    // The Python helper's shape: an explicit `columns` list, a filter key the page cannot apply.
    QTest::newRow("python helper")
        << QByteArray(R"({"filter":{"op_names":["weave:///e/p/op/a:*"],"parent_ids":["p1"]},
        "columns":[{"path":["inputs","question"],"label":"Question"},{"path":["op_name"]},{"path":["scores","x"]},
          {"path":["output"]}],"sort_by":[{"field":"started_at","direction":"asc"}],"pin":{"left":["CustomCheckbox","op_name"],"right":[]}})")
        << 0 << 0 << QStringList { QStringLiteral("inputs.question"), QStringLiteral("output") }
        << QStringList { QStringLiteral("filter parent_ids does not apply in Spindle (kept in the view)"),
               QStringLiteral("dropped column scores.x (Spindle has no such column)") };
}

void SavedViewsTest::weaveDefinitions()
{
    QFETCH(QByteArray, definition);
    QFETCH(int, conditions);
    QFETCH(int, extraTerms);
    QFETCH(QStringList, columns);
    QFETCH(QStringList, notes);
    const QJsonObject original = QJsonDocument::fromJson(definition).object();
    QVERIFY(!original.isEmpty());
    QStringList problems;
    QStringList readNotes;
    const TracesViewState state = stateFromDefinition(original, &problems, &readNotes);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char(';'))));
    QCOMPARE(readNotes, notes);
    QCOMPARE(state.query.conditions.size(), conditions);
    QCOMPARE(state.query.extraTerms.size(), extraTerms);
    QCOMPARE(state.visibleColumns, columns);
    QCOMPARE(state.customColumns, !columns.isEmpty());
    QVERIFY(state.pinned);
    // Written back: the same $expr terms (order aside), and keys Spindle does not know are kept,
    // including filter keys it cannot apply.
    const QJsonObject rewritten = definitionFromState(state, original);
    QCOMPARE(termsOf(CallsQuery(
                 callsQueryFromParts({}, {}, rewritten.value(QLatin1String("query")).toObject(), {}))
                         .queryJson()),
        termsOf(original.value(QLatin1String("query")).toObject()));
    for (const QString& key : original.keys())
        QVERIFY2(rewritten.contains(key), qPrintable(key));
    for (const QString& key : original.value(QLatin1String("filter")).toObject().keys())
        QCOMPARE(rewritten.value(QLatin1String("filter")).toObject().value(key),
            original.value(QLatin1String("filter")).toObject().value(key));
    QCOMPARE(rewritten.value(QLatin1String("charts")), original.value(QLatin1String("charts")));
    if (original.contains(QLatin1String("pin")))
        QCOMPARE(rewritten.value(QLatin1String("pin")), original.value(QLatin1String("pin")));
    const QJsonObject cols = original.value(QLatin1String("cols")).toObject();
    for (auto it = cols.begin(); it != cols.end(); ++it) // hidden stays hidden, shown stays shown
        QCOMPARE(rewritten.value(QLatin1String("cols")).toObject().value(it.key()), it.value());
    // Weave's own columns keep their places; read again, the view shows the same columns.
    if (original.contains(QLatin1String("column_order")))
        QCOMPARE(rewritten.value(QLatin1String("column_order")).toArray().first(),
            QJsonValue(u"CustomCheckbox"_s));
    QCOMPARE(stateFromDefinition(rewritten, &problems).visibleColumns, columns);
    if (original.contains(QLatin1String("columns")))
        QCOMPARE(rewritten.value(QLatin1String("columns")).toArray().first(),
            original.value(QLatin1String("columns")).toArray().first()); // label kept
}

// Columns Spindle writes for Weave (cols: false for the columns it leaves out, since Weave shows
// every column its cols does not hide), which columns are dynamic, and op refs by op.
void SavedViewsTest::columnsAndOps()
{
    TracesViewState state;
    state.customColumns = true;
    state.visibleColumns = { QStringLiteral("output"), QStringLiteral("inputs.a") };
    state.hiddenColumns = { QStringLiteral("inputs.b") };
    const QJsonObject definition = definitionFromState(state);
    QCOMPARE(definition.value(QLatin1String("cols")).toObject(),
        json(R"({"output":true,"inputs.a":true,"inputs.b":false})"));
    QCOMPARE(definition.value(QLatin1String("column_order")).toArray(),
        QJsonArray({ u"output"_s, u"inputs.a"_s }));
    QCOMPARE(definition.value(QLatin1String("pin")).toObject(),
        json(R"({"left":["CustomCheckbox","summary.weave.trace_name"],"right":[]})"));
    const QStringList schema { QStringLiteral("filter"), QStringLiteral("query"), QStringLiteral("cols"),
        QStringLiteral("columns"), QStringLiteral("column_order"), QStringLiteral("pin"),
        QStringLiteral("sort_by"), QStringLiteral("page_size") };
    for (const QString& key : definition.keys())
        QVERIFY2(schema.contains(key), qPrintable(key)); // only SavedViewDefinition's fields
    // A view without columns keeps the page's default columns and writes none.
    QVERIFY(!definitionFromState(TracesViewState {}).contains(QLatin1String("cols")));
    QVERIFY(isDynamicColumn(u"inputs.messages.0.content"_s));
    QVERIFY(isDynamicColumn(u"summary.custom"_s));
    QVERIFY(!isDynamicColumn(u"summary.weave.latency_ms"_s));
    QVERIFY(!isDynamicColumn(u"inputs"_s));
    QVERIFY(!isDynamicColumn(u"op_name"_s));
    QCOMPARE(opWildcard(u"weave:///e/p/op/chat:abc123"_s), u"weave:///e/p/op/chat:*"_s);
    const QSet<QString> ops { u"weave:///e/p/op/chat:*"_s };
    QCOMPARE(missingOps({ u"weave:///e/p/op/chat:abc"_s, u"weave:///e/p/op/chat:*"_s,
                            u"weave:///e/p/op/gone:*"_s, u"plain_name"_s },
                 ops),
        QStringList({ u"weave:///e/p/op/gone:*"_s, u"plain_name"_s }));
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
    const SavedView badInside = savedViewFromObject(json(
        R"({"object_id":"traces_z","val":{"label":"Odd","definition":{"query":{"$expr":5},
        "sort_by":[{"field":"x","direction":"sideways"}],"filter":{"op_names":"chat"}}}})"));
    QVERIFY(badInside.broken);
    QCOMPARE(badInside.problems.size(), 3);
    // Nulls are the schema's "not set", not errors.
    const SavedView nulls = savedViewFromObject(json(
        R"({"object_id":"traces_n","val":{"label":"Nulls","definition":{"filter":null,"query":null,"sort_by":null,"cols":null}}})"));
    QVERIFY2(!nulls.broken, qPrintable(nulls.problems.join(QLatin1Char(';'))));
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

// Two pages (two windows) load the same view and both save: each save is a new version, the later
// one is the latest, and every version stays readable with the keys Spindle does not know.
void SavedViewsTest::twoPagesSaveTheSameView()
{
    const QString project = u"views/two"_s;
    const QString id = u"traces_2025-01-01_00-00-00-000"_s;
    const QJsonObject definition = json(R"({"sort_by":[{"field":"started_at","direction":"desc"}],
        "charts":[{"x_axis":"started_at","y_axis":"latency"}],"page":2})");
    QVERIFY(call(u"/obj/create"_s, savedViewCreateRequest(project, id, u"Shared"_s, definition))
                .contains(QLatin1String("digest")));
    ui::TracesPage first(&m_client);
    ui::TracesPage second(&m_client);
    for (ui::TracesPage* page : { &first, &second }) {
        QSignalSpy listed(page->savedViews(), &ui::SavedViewsBar::listChanged);
        page->setProject(project);
        QVERIFY(listed.wait(10000));
        page->savedViews()->loadView(id);
        QCOMPARE(page->savedViews()->currentLabel(), u"Shared"_s);
    }
    first.filterBar()->addStatus(u"error"_s);
    second.filterBar()->addCondition({ u"inputs.model"_s, FilterOp::Equals, u"gpt"_s });
    QVERIFY(first.savedViews()->isModified());
    QVERIFY(second.savedViews()->isModified());
    for (ui::TracesPage* page : { &first, &second }) {
        QSignalSpy listed(page->savedViews(), &ui::SavedViewsBar::listChanged);
        page->savedViews()->save();
        QVERIFY(listed.wait(10000));
        QVERIFY(!page->savedViews()->isModified());
    }
    const auto version = [&](const QString& digest) {
        const QJsonObject read = call(u"/obj/read"_s,
            { { u"project_id"_s, project }, { u"object_id"_s, id }, { u"digest"_s, digest } });
        return savedViewFromObject(read.value(QLatin1String("obj")).toObject());
    };
    const SavedView latest = version(u"latest"_s);
    QCOMPARE(latest.versionIndex, 2);
    QCOMPARE(latest.state.query.conditions.size(), 1);
    QVERIFY(latest.state.query.statuses.isEmpty());
    QVERIFY(version(u"v0"_s).state.query.statuses.isEmpty());
    const SavedView v1 = version(u"v1"_s);
    QCOMPARE(v1.state.query.statuses, QStringList { u"error"_s });
    for (const SavedView& view : { v1, latest }) {
        QCOMPARE(view.definition.value(QLatin1String("charts")), definition.value(QLatin1String("charts")));
        QCOMPARE(view.definition.value(QLatin1String("page")).toInt(), 2);
    }
}

// Ops and columns a view names that the project no longer has: checked once the op list has loaded
// (or at once when it has), and by asking the server whether any call has the column at all.
void SavedViewsTest::droppedParts()
{
    const QString project = u"views/dropped"_s;
    const QString gone = u"weave:///views/dropped/op/gone:*"_s;
    QVERIFY(call(u"/obj/create"_s,
        { { u"obj"_s,
            QJsonObject { { u"project_id"_s, project }, { u"object_id"_s, u"kept"_s },
                { u"val"_s, json(R"({"_type":"CustomWeaveType","weave_type":{"type":"Op"}})") } } } })
                .contains(QLatin1String("digest")));
    QJsonObject start = json(R"({"id":"c1","trace_id":"t1","op_name":"weave:///views/dropped/op/kept:d1",
        "started_at":"2025-01-01T00:00:00Z","attributes":{},"inputs":{"question":"hi"}})");
    start.insert(u"project_id"_s, project);
    QVERIFY(call(u"/call/start"_s, { { u"start"_s, start } }).contains(QLatin1String("id")));
    ui::TracesPage page(&m_client);
    QSignalSpy dropped(&page, &ui::TracesPage::viewPartsDropped);
    page.setProject(project);
    TracesViewState state;
    state.customColumns = true;
    state.visibleColumns = { u"inputs.question"_s, u"inputs.gone"_s };
    state.query.opNames = { gone };
    // The op list is still loading: nothing is dropped yet, the checks report when they finish.
    QVERIFY(page.applyState(state).ops.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(dropped.size(), 2, 10000);
    QStringList columns;
    QStringList ops;
    for (const QList<QVariant>& signal : std::as_const(dropped))
        columns += signal.at(0).toStringList(), ops += signal.at(1).toStringList();
    QCOMPARE(columns, QStringList { u"inputs.gone"_s });
    QCOMPARE(ops, QStringList { gone });
    QCOMPARE(page.currentState().visibleColumns, QStringList { u"inputs.question"_s });
    QVERIFY(page.controller()->query().opNames.isEmpty());
    // With the op list loaded: a missing op goes at once, a known one (any version) stays, and the
    // filter takes one op.
    state.visibleColumns = { u"inputs.question"_s };
    QCOMPARE(page.applyState(state).ops, QStringList { gone });
    state.query.opNames = { u"weave:///views/dropped/op/kept:d1"_s, gone };
    const ui::DroppedViewParts parts = page.applyState(state);
    QVERIFY(parts.ops.isEmpty());
    QCOMPARE(parts.notes, QStringList { u"dropped op gone (the op filter takes one op)"_s });
    QCOMPARE(page.controller()->query().opNames, QStringList { u"weave:///views/dropped/op/kept:d1"_s });
    CallsQuery shown;
    page.filterBar()->applyTo(shown);
    QCOMPARE(shown.opNames, page.controller()->query().opNames);
    QTest::qWait(200); // no late reports: both columns exist
    QCOMPARE(dropped.size(), 2);
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
