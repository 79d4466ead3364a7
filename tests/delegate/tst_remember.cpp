// widgets::rememberSplitter: a handle the user drags is stored and the next splitter under the same
// key comes back with those sizes; sizes the program sets are not stored.
#include "widgets/remember.h"

#include <QLabel>
#include <QMouseEvent>
#include <QSettings>
#include <QSplitter>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace spindle;

class RememberTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void draggedSizesComeBack();

private:
    static std::unique_ptr<QSplitter> splitter();
    QTemporaryDir m_dir;
};

void RememberTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("spindle-test"));
    QSettings::setPath(
        QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
}

std::unique_ptr<QSplitter> RememberTest::splitter()
{
    auto split = std::make_unique<QSplitter>(Qt::Horizontal);
    split->addWidget(new QLabel(QStringLiteral("left")));
    split->addWidget(new QLabel(QStringLiteral("right")));
    split->resize(600, 200);
    split->setSizes({ 300, 300 });
    widgets::rememberSplitter(split.get(), QStringLiteral("layout/test"));
    split->show();
    return split;
}

void RememberTest::draggedSizesComeBack()
{
    auto first = splitter();
    QVERIFY(QTest::qWaitForWindowExposed(first.get()));
    first->setSizes({ 500, 100 }); // the program's: not a preference
    QVERIFY(!QSettings().contains(QStringLiteral("layout/test")));
    first->setSizes({ 300, 300 });

    // The user drags the handle 150 px to the left.
    QSplitterHandle* handle = first->handle(1);
    const QPoint from = handle->rect().center();
    const auto send = [handle](QEvent::Type type, const QPoint& at, Qt::MouseButtons buttons) {
        QMouseEvent event(type, at, handle->mapToGlobal(at), Qt::LeftButton, buttons, Qt::NoModifier);
        QApplication::sendEvent(handle, &event);
    };
    send(QEvent::MouseButtonPress, from, Qt::LeftButton);
    send(QEvent::MouseMove, from - QPoint(150, 0), Qt::LeftButton);
    send(QEvent::MouseButtonRelease, from - QPoint(150, 0), Qt::NoButton);
    const QList<int> dragged = first->sizes();
    QVERIFY2(dragged.first() < 200, qPrintable(QString::number(dragged.first())));
    first.reset();

    auto second = splitter(); // sets 300/300 before it restores
    QVERIFY(QTest::qWaitForWindowExposed(second.get()));
    QCOMPARE(second->sizes(), dragged);
    QCOMPARE(second->objectName(), QStringLiteral("layout/test"));
}

QTEST_MAIN(RememberTest)
#include "tst_remember.moc"
