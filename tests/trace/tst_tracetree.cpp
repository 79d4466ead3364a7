// The trace tree (flat arrays) and its item model, from compact text fixtures.
#include "models/tracetreemodel.h"
#include "treefixture.h"

#include <QAbstractItemModelTester>
#include <QtTest>

#include <random>

using namespace spindle;
using models::TraceTree;
using models::TraceTreeModel;

// Renders a tree back into the fixture's shape (names and indentation only), for comparisons.
static QString render(const TraceTree& tree)
{
    QStringList lines;
    for (int node : tree.preorder())
        lines.append(QString(tree.depth[node] * 2, QLatin1Char(' ')) + tree.calls[node].id);
    return lines.join(QLatin1Char('\n'));
}

class TraceTreeTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void buildsTheTree_data();
    void buildsTheTree();
    void orderDoesNotMatter();
    void orphansAndCyclesBecomeFlaggedRoots();
    void countsSubtreesAndErrors();
    void modelPassesTheTester();
    void modelShowsNodes();
    void largeFanOut();
};

void TraceTreeTest::buildsTheTree_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::newRow("single") << QStringLiteral("root");
    QTest::newRow("chain") << QStringLiteral("a\n  b\n    c\n      d");
    QTest::newRow("siblings") << QStringLiteral("a\n  b\n  c\n    d\n  e");
    QTest::newRow("two roots") << QStringLiteral("a\n  b\nc\n  d");
}

void TraceTreeTest::buildsTheTree()
{
    QFETCH(QString, fixture);
    const TraceTree tree = TraceTree::build(parseTreeFixture(fixture));
    QCOMPARE(render(tree), fixture);
}

void TraceTreeTest::orderDoesNotMatter()
{
    const QString fixture = QStringLiteral("a\n  b\n    c\n  d\n    e\n    f\n  g");
    QVector<Call> calls = parseTreeFixture(fixture);
    std::mt19937 random(7);
    std::shuffle(calls.begin(), calls.end(), random);
    QCOMPARE(render(TraceTree::build(calls)), fixture);
}

void TraceTreeTest::orphansAndCyclesBecomeFlaggedRoots()
{
    const TraceTree tree = TraceTree::build(parseTreeFixture(
        QStringLiteral("a\n  b\nlost parent=nowhere\nx parent=y\ny parent=x\nself parent=self")));
    QCOMPARE(tree.size(), 6);
    const int lost = tree.indexById.value(QStringLiteral("lost"));
    QVERIFY(tree.orphan[lost]);
    QCOMPARE(tree.parent[lost], -1);
    const int x = tree.indexById.value(QStringLiteral("x")), y = tree.indexById.value(QStringLiteral("y"));
    QVERIFY(tree.cycle[x] || tree.cycle[y]);
    QVERIFY(tree.parent[x] == -1 || tree.parent[y] == -1);
    QVERIFY(tree.orphan[tree.indexById.value(QStringLiteral("self"))]);
    QCOMPARE(tree.preorder().size(), 6); // every call reachable exactly once
}

void TraceTreeTest::countsSubtreesAndErrors()
{
    const TraceTree tree =
        TraceTree::build(parseTreeFixture(QStringLiteral("a\n  b !\n    c\n  d\n    e !\n    f")));
    const auto node = [&](const char* id) { return tree.indexById.value(QString::fromLatin1(id)); };
    QCOMPARE(tree.subtreeSize[node("a")], 6);
    QCOMPARE(tree.subtreeErrors[node("a")], 2);
    QCOMPARE(tree.subtreeErrors[node("d")], 1);
    QCOMPARE(tree.subtreeErrors[node("f")], 0);
    QCOMPARE(tree.pathFromRoot(node("e")), (QVector<int> { node("a"), node("d"), node("e") }));
}

void TraceTreeTest::modelPassesTheTester()
{
    TraceTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTree(std::make_shared<TraceTree>(
        TraceTree::build(parseTreeFixture(QStringLiteral("a\n  b\n    c ...\n  d !\ne")))));
    model.setHighlighted({ 1, 2 });
    model.setTree(std::make_shared<TraceTree>(TraceTree::build(parseTreeFixture(QStringLiteral("x\n  y")))));
    model.setTree(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void TraceTreeTest::modelShowsNodes()
{
    TraceTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto tree = std::make_shared<TraceTree>(
        TraceTree::build(parseTreeFixture(QStringLiteral("a ms=100\n  b ms=40\n  c ...\n"))));
    model.setTree(tree);
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex a = model.index(0, 0);
    QCOMPARE(model.rowCount(a), 2);
    QCOMPARE(a.data().toString(), QStringLiteral("a"));
    QCOMPARE(model.index(0, TraceTreeModel::ChildrenColumn).data().toString(), QStringLiteral("2"));
    const QModelIndex c = model.index(1, TraceTreeModel::LatencyColumn, a);
    QCOMPARE(c.data().toString(), QStringLiteral("running"));
    QCOMPARE(c.data(TraceTreeModel::StatusRole).toString(), QStringLiteral("running"));
    QCOMPARE(model.parent(c), a);
    const double fraction =
        model.index(0, TraceTreeModel::LatencyColumn, a).data(TraceTreeModel::LatencyFractionRole).toDouble();
    QVERIFY2(fraction > 0.3 && fraction < 0.5, qPrintable(QString::number(fraction)));
    QCOMPARE(model.indexOfNode(tree->indexById.value(QStringLiteral("b"))), model.index(0, 0, a));
    // The Name cell's tooltip starts with the name, which a deep row may not show at all.
    QVERIFY(model.index(0, 0, a).data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("<p>b<br>")));
}

void TraceTreeTest::largeFanOut()
{
    QString fixture = QStringLiteral("root\n");
    for (int i = 0; i < 10000; ++i)
        fixture += QStringLiteral("  child%1\n").arg(i);
    const TraceTree tree = TraceTree::build(parseTreeFixture(fixture));
    QCOMPARE(tree.children[tree.roots.first()].size(), 10000);
    TraceTreeModel model;
    model.setTree(std::make_shared<TraceTree>(tree));
    QCOMPARE(model.rowCount(model.index(0, 0)), 10000);
    QCOMPARE(model.index(9999, 0, model.index(0, 0)).data().toString(), QStringLiteral("child9999"));
}

QTEST_MAIN(TraceTreeTest)
#include "tst_tracetree.moc"
