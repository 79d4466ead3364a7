#pragma once

#include <QKeySequence>
#include <QList>
#include <QString>

class QWidget;

namespace spindle::widgets {

// Keys a widget handles itself, in keyPressEvent, rather than through a QAction or QShortcut.
// Declared on the widget, they reach the keyboard shortcut sheet as its actions do.
struct KeyHelp
{
    QList<QKeySequence> keys; // alternatives, e.g. + and =
    QString description;
};

void setKeyHelp(QWidget* widget, const QList<KeyHelp>& keys);
QList<KeyHelp> keyHelp(const QWidget* widget);

// Names the part of a page a widget is (the calls table, the trace, the call detail): the sheet
// groups the keys of the widgets inside it under that name, so that one key's two meanings
// (Ctrl+C on a call, Ctrl+C on a value) each stand where they apply.
void setKeyArea(QWidget* widget, const QString& name);
// The name of the nearest named widget, `widget` or one of its parents; empty if none.
QString keyArea(const QWidget* widget);
// The order in which that widget was named (the sheet lists a page's parts in it); -1 if none.
int keyAreaOrder(const QWidget* widget);

} // namespace spindle::widgets
