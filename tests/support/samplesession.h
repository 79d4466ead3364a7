#pragma once

// The desktop GUI tests' common start: the whole app on its embedded server (port 0, a temporary
// store and settings), with the sample traces loaded into `projectId`.
#include "app/session.h"
#include "ui/mainwindow.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

inline std::unique_ptr<spindle::app::AppSession> startSampleSession(
    const QTemporaryDir& dir, const QString& projectId, const QSize& windowSize)
{
    QCoreApplication::setOrganizationName(QStringLiteral("spindle-test"));
    QSettings::setPath(
        QSettings::NativeFormat, QSettings::UserScope, dir.filePath(QStringLiteral("settings")));
    spindle::app::AppOptions options;
    options.dataDir = dir.filePath(QStringLiteral("data"));
    options.port = 0;
    options.projectId = projectId;
    options.sampleData = true;
    auto session = std::make_unique<spindle::app::AppSession>(options);
    session->window()->resize(windowSize);
    session->window()->show();
    QSignalSpy loaded(session.get(), &spindle::app::AppSession::sampleDataLoaded);
    session->start();
    if (!loaded.wait(30000) || !loaded.first().first().toBool())
        return nullptr;
    return session;
}
