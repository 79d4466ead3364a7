#pragma once

// Helpers of the main window's GUI tests: the project chooser, and answering the question about a
// saved view's unsaved changes.
#include "ui/mainwindow.h"

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QMessageBox>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <functional>

namespace windowtest {

// Settings in `dir`, as startSampleSession sets them (for what a test stores before its session
// starts), and API keys only from what a test sets: no ~/.netrc, no environment.
inline void isolateSettingsAndKeys(const QTemporaryDir& dir)
{
    QCoreApplication::setOrganizationName(QStringLiteral("spindle-test"));
    QSettings::setPath(
        QSettings::NativeFormat, QSettings::UserScope, dir.filePath(QStringLiteral("settings")));
    qunsetenv("WANDB_API_KEY");
    qputenv("NETRC", dir.filePath(QStringLiteral("no-netrc")).toLocal8Bit());
}

// Runs `act`, answering a question about a view's unsaved changes with `answer`. Returns the
// question's text, or nothing when none was asked; `detail` gets its informative text.
inline QString answeringLeave(
    const QString& answer, const std::function<void()>& act, QString* detail = nullptr)
{
    QString asked;
    QObject answering;
    QTimer::singleShot(0, &answering, [&asked, answer, detail] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || box->objectName() != QLatin1String("leaveView"))
            return;
        asked = box->text();
        if (detail)
            *detail = box->informativeText();
        for (QAbstractButton* button : box->buttons())
            if (button->text() == answer)
                button->click();
    });
    act();
    return asked;
}

inline QComboBox* projectChooser(spindle::ui::MainWindow* window)
{
    for (QComboBox* combo : window->findChildren<QComboBox*>())
        if (combo->isEditable() && combo->currentText() == window->project())
            return combo;
    return nullptr;
}

// Types a project's name into the chooser and presses Return.
inline void chooseProject(spindle::ui::MainWindow* window, const QString& projectId)
{
    QComboBox* combo = projectChooser(window);
    QVERIFY(combo);
    combo->setEditText(projectId);
    QTest::keyClick(combo->lineEdit(), Qt::Key_Return);
}

} // namespace windowtest
