#pragma once

#include "core/callsquery.h"

#include <QJsonObject>
#include <QStringList>

namespace spindle {

// What a saved view holds of the Traces page: the query (filters, $expr chips, sort), the
// visible dynamic columns in order, the pinned name column and the page size. Column widths are
// not part of Weave's SavedView schema, so they stay in local settings.
struct TracesViewState
{
    CallsQuery query; // projectId is not part of a view
    QStringList visibleColumns;
    bool pinned = true;
    int pageSize = 100;

    bool operator==(const TracesViewState&) const = default;
};

// A Weave `SavedView` object (weave-protocol.md 5.6) with `view_type: "traces"`.
struct SavedView
{
    QString objectId; // traces_<yyyy-MM-dd_HH-mm-ss-zzz>
    QString label;
    QString digest;
    int versionIndex = 0;
    QJsonObject definition; // as stored: keys Spindle does not know are kept on update
    TracesViewState state;
    bool broken = false;
    QStringList problems; // why it is broken, or what could not be applied
};

// The definition for `state`, merged into `base` so that unknown keys survive an update. Only
// the schema's fields are written, so Weave's UI can read the view.
QJsonObject definitionFromState(const TracesViewState& state, const QJsonObject& base = {});
// The state a definition describes; problems (bad types, unreadable parts) are appended.
TracesViewState stateFromDefinition(const QJsonObject& definition, QStringList* problems);

// One item of /objs/query or obj/read; `broken` when its value is not a usable traces view.
SavedView savedViewFromObject(const QJsonObject& object);
QJsonObject savedViewCreateRequest(
    const QString& projectId, const QString& objectId, const QString& label, const QJsonObject& definition);
QString newSavedViewId(const QDateTime& now);

} // namespace spindle

Q_DECLARE_METATYPE(spindle::TracesViewState)
