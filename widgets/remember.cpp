#include "widgets/remember.h"

#include <QSettings>
#include <QSplitter>

namespace spindle::widgets {

void rememberSplitter(QSplitter* splitter, const QString& key)
{
    splitter->setObjectName(key); // findable, e.g. by tests
    const QByteArray state = QSettings().value(key).toByteArray();
    if (!state.isEmpty())
        splitter->restoreState(state);
    QObject::connect(splitter, &QSplitter::splitterMoved, splitter,
        [splitter, key] { QSettings().setValue(key, splitter->saveState()); });
}

} // namespace spindle::widgets
