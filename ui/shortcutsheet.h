#pragma once

#include <QDialog>
#include <QList>
#include <QString>

class QStackedWidget;

namespace spindle::ui {

// One key binding as the sheet lists it.
struct ShortcutEntry
{
    QString keys; // as the platform writes them, e.g. "Ctrl+Shift+C"; alternatives joined by " or "
    QString description;
    QString area; // "Everywhere", the page's name, or "page · part" (widgets::setKeyArea)

    bool operator==(const ShortcutEntry&) const = default;
};

// Every shortcut of the window's own chrome and of the page `pages` shows, read from the widgets
// themselves (actions, QShortcuts, buttons and the keys widgets declare with widgets::setKeyHelp),
// so the sheet cannot fall behind the code. Other pages and dialogs are left out. A QShortcut's
// description is its whatsThis; an action's, its text (or whatsThis); a button's, its tooltip (or
// text).
QList<ShortcutEntry> collectShortcuts(QWidget* window, const QStackedWidget* pages, const QString& pageName);

// The keyboard shortcut sheet (F1): keys and what they do, the window's first, then the page's.
class ShortcutSheet : public QDialog
{
    Q_OBJECT
public:
    ShortcutSheet(const QList<ShortcutEntry>& entries, QWidget* parent);

    QList<ShortcutEntry> entries() const
    {
        return m_entries;
    }

private:
    QList<ShortcutEntry> m_entries;
};

} // namespace spindle::ui
