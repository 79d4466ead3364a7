// The Traces page's count label: a new query greys the previous count and shows "Loading…" only
// when its count is slow; a count replaces either; a query that ends without one clears it.
#include "ui/countlabel.h"

#include <QtTest>

using spindle::ui::CountLabel;

class TestCountLabel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void quickCountShowsNoLoadingText();
    void slowCountShowsLoadingText();
    void furtherLoadingDoesNotPostponeTheText();
    void failedQueryClearsTheStaleCount();
};

void TestCountLabel::quickCountShowsNoLoadingText()
{
    CountLabel label;
    label.setCount(900000);
    const QString before = label.text();
    QVERIFY(before.contains(QStringLiteral("900000")) || before.contains(QStringLiteral("900,000")));
    label.queryStarted();
    QCOMPARE(label.text(), before); // the old count stays, greyed
    QVERIFY(label.isStale());
    QVERIFY(!label.isEnabled());
    label.setCount(45);
    QCOMPARE(label.text(), QStringLiteral("45 calls"));
    QVERIFY(label.isEnabled());
    QTest::qWait(CountLabel::kLoadingDelayMs + 100);
    QVERIFY(label.text().contains(QStringLiteral("45"))); // the pending "Loading…" was cancelled
}

void TestCountLabel::slowCountShowsLoadingText()
{
    CountLabel label;
    label.setCount(12);
    label.queryStarted();
    QTRY_COMPARE_WITH_TIMEOUT(label.text(), QStringLiteral("Loading…"), CountLabel::kLoadingDelayMs + 500);
    QVERIFY(!label.isEnabled());
    label.setCount(1);
    QCOMPARE(label.text(), QStringLiteral("1 call"));
    QVERIFY(label.isEnabled());
}

void TestCountLabel::furtherLoadingDoesNotPostponeTheText()
{
    CountLabel label;
    label.queryStarted();
    QElapsedTimer clock;
    clock.start();
    // The controller reports loading again while the same query goes on (its pages arrive).
    while (clock.elapsed() < CountLabel::kLoadingDelayMs - 10) {
        label.queryStarted();
        QTest::qWait(10);
    }
    // Due 150 ms after the first call (~10 ms from here); restarted by each call it would come 150 ms
    // after the last (~140 ms from here). The wait leaves room for a late timer, not for a restarted one.
    QTRY_COMPARE_WITH_TIMEOUT(label.text(), QStringLiteral("Loading…"), CountLabel::kLoadingDelayMs * 2 / 3);
}

void TestCountLabel::failedQueryClearsTheStaleCount()
{
    CountLabel label;
    label.setCount(7);
    label.queryStarted();
    label.queryEnded();
    QVERIFY(label.text().isEmpty());
    QVERIFY(label.isEnabled());
    QTest::qWait(CountLabel::kLoadingDelayMs + 100);
    QVERIFY(label.text().isEmpty()); // no late "Loading…" for a query that is over
    label.setCount(7);
    label.queryEnded(); // not loading a new query: the count stays
    QVERIFY(label.text().contains(QStringLiteral("7")));
}

QTEST_MAIN(TestCountLabel)
#include "tst_countlabel.moc"
