#include "widgets/keyhelp.h"

#include <QVariant>
#include <QWidget>

namespace spindle::widgets {
namespace {

// A dynamic property: a widget needs no base class or registry to declare its keys.
constexpr char kProperty[] = "spindleKeyHelp";
constexpr char kAreaProperty[] = "spindleKeyArea";
constexpr char kAreaOrderProperty[] = "spindleKeyAreaOrder";

const QWidget* namedArea(const QWidget* widget)
{
    for (; widget; widget = widget->parentWidget())
        if (!widget->property(kAreaProperty).toString().isEmpty())
            return widget;
    return nullptr;
}

} // namespace

void setKeyHelp(QWidget* widget, const QList<KeyHelp>& keys)
{
    QVariantList list;
    for (const KeyHelp& help : keys) {
        QVariantList keyList;
        for (const QKeySequence& key : help.keys)
            keyList.append(key);
        list.append(QVariant(QVariantList { keyList, help.description })); // one entry, not two
    }
    widget->setProperty(kProperty, list);
}

QList<KeyHelp> keyHelp(const QWidget* widget)
{
    QList<KeyHelp> keys;
    for (const QVariant& entry : widget->property(kProperty).toList()) {
        const QVariantList parts = entry.toList();
        KeyHelp help { {}, parts.value(1).toString() };
        for (const QVariant& key : parts.value(0).toList())
            help.keys.append(key.value<QKeySequence>());
        keys.append(help);
    }
    return keys;
}

void setKeyArea(QWidget* widget, const QString& name)
{
    static int named = 0; // GUI thread only, as widgets are
    widget->setProperty(kAreaProperty, name);
    widget->setProperty(kAreaOrderProperty, named++);
}

QString keyArea(const QWidget* widget)
{
    const QWidget* area = namedArea(widget);
    return area ? area->property(kAreaProperty).toString() : QString();
}

int keyAreaOrder(const QWidget* widget)
{
    const QWidget* area = namedArea(widget);
    return area ? area->property(kAreaOrderProperty).toInt() : -1;
}

} // namespace spindle::widgets
