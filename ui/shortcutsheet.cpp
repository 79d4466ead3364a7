#include "ui/shortcutsheet.h"

#include "widgets/keyhelp.h"

#include <QAbstractButton>
#include <QAction>
#include <QDialogButtonBox>
#include <QHash>
#include <QHeaderView>
#include <QShortcut>
#include <QStackedWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace spindle::ui {
namespace {

// Where a shortcut of `owner` goes in the sheet: its area's name, and the part of the page it
// belongs to. An empty name when it is not the window's, or belongs to a page that is not shown.
struct Area
{
    QString name;
    int partOrder = -1;
};

Area areaOf(const QWidget* owner, QWidget* window, const QStackedWidget* pages, const QString& pageName)
{
    if (!owner || owner->window() != window)
        return {}; // a dialog, a menu, or nothing at all
    if (!pages->isAncestorOf(owner))
        return { QObject::tr("Everywhere") };
    const QWidget* page = pages->currentWidget();
    if (!page || (page != owner && !page->isAncestorOf(owner)))
        return {};
    const QString part = widgets::keyArea(owner);
    if (part.isEmpty())
        return { pageName };
    return { QObject::tr("%1 · %2").arg(pageName, part), widgets::keyAreaOrder(owner) };
}

void addEntry(QList<ShortcutEntry>& out, QHash<QString, int>& parts, const QList<QKeySequence>& keys,
    QString description, const Area& area)
{
    QStringList texts;
    for (const QKeySequence& key : keys)
        if (!key.isEmpty())
            texts.append(key.toString(QKeySequence::NativeText));
    if (texts.isEmpty() || area.name.isEmpty())
        return;
    description = description.trimmed();
    // Two bindings of one thing (Ctrl+Return, Ctrl+Enter) are one line.
    const QString separator = QObject::tr(" or ");
    for (ShortcutEntry& entry : out)
        if (entry.area == area.name && entry.description == description) {
            for (const QString& text : std::as_const(texts))
                if (!entry.keys.split(separator).contains(text))
                    entry.keys += separator + text;
            return;
        }
    out.append({ texts.join(separator), description, area.name });
    parts.insert(area.name, area.partOrder);
}

// A button's or an action's text without its mnemonic marks ("&Save" → "Save", "W&&B" → "W&B").
QString withoutMnemonic(const QString& text)
{
    QString plain;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) == QLatin1Char('&') && i + 1 < text.size())
            ++i;
        plain.append(text.at(i));
    }
    return plain;
}

QString firstNonEmpty(std::initializer_list<QString> texts)
{
    for (const QString& text : texts)
        if (!text.isEmpty())
            return text;
    return {};
}

} // namespace

QList<ShortcutEntry> collectShortcuts(QWidget* window, const QStackedWidget* pages, const QString& pageName)
{
    QList<ShortcutEntry> entries;
    QHash<QString, int> parts; // area → the order its part was named in
    const auto area = [&](const QWidget* owner) { return areaOf(owner, window, pages, pageName); };
    for (const QShortcut* shortcut : window->findChildren<QShortcut*>())
        if (shortcut->isEnabled())
            addEntry(entries, parts, shortcut->keys(), shortcut->whatsThis(),
                area(qobject_cast<const QWidget*>(shortcut->parent())));
    for (const QAction* action : window->findChildren<QAction*>())
        if (action->isVisible())
            addEntry(entries, parts, action->shortcuts(),
                firstNonEmpty({ action->whatsThis(), withoutMnemonic(action->text()) }),
                area(qobject_cast<const QWidget*>(action->parent())));
    for (const QAbstractButton* button : window->findChildren<QAbstractButton*>())
        addEntry(entries, parts, { button->shortcut() },
            firstNonEmpty({ button->whatsThis(), button->toolTip(), withoutMnemonic(button->text()) }),
            area(button));
    for (const QWidget* widget : window->findChildren<QWidget*>())
        for (const widgets::KeyHelp& help : widgets::keyHelp(widget))
            addEntry(entries, parts, help.keys, help.description, area(widget));
    // The window's own keys first, then the page's, then its parts in the order the page named
    // them (the calls table, its trace, the call's detail); within each, in the order of the code.
    const auto rank = [&](const QString& name) {
        return std::pair(name == pageName ? 1 : name == QObject::tr("Everywhere") ? 0 : 2, parts.value(name));
    };
    std::stable_sort(entries.begin(), entries.end(),
        [&](const ShortcutEntry& a, const ShortcutEntry& b) { return rank(a.area) < rank(b.area); });
    return entries;
}

ShortcutSheet::ShortcutSheet(const QList<ShortcutEntry>& entries, QWidget* parent)
    : QDialog(parent)
    , m_entries(entries)
{
    setWindowTitle(tr("Keyboard shortcuts"));
    auto* tree = new QTreeWidget(this);
    tree->setColumnCount(2);
    tree->setHeaderLabels({ tr("Keys"), tr("Action") });
    tree->setRootIsDecorated(false);
    tree->setIndentation(12);
    tree->setSelectionMode(QAbstractItemView::NoSelection);
    tree->setFocusPolicy(Qt::NoFocus);
    QTreeWidgetItem* group = nullptr;
    for (const ShortcutEntry& entry : entries) {
        if (!group || group->text(0) != entry.area) {
            group = new QTreeWidgetItem(tree, { entry.area });
            group->setFirstColumnSpanned(true);
            QFont bold = group->font(0);
            bold.setBold(true);
            group->setFont(0, bold);
        }
        auto* item = new QTreeWidgetItem(group, { entry.keys, entry.description });
        item->setToolTip(1, entry.description);
    }
    tree->expandAll();
    tree->resizeColumnToContents(0);
    tree->setColumnWidth(0, tree->columnWidth(0) + 24);
    tree->header()->setStretchLastSection(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(tree);
    layout->addWidget(buttons);
    // As tall as the list, up to a screenful.
    const int lines = int(entries.size()) + tree->topLevelItemCount() + 1;
    resize(600, std::clamp(lines * (fontMetrics().height() + 2) + 80, 300, 680));
}

} // namespace spindle::ui
