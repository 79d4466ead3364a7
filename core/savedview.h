#pragma once

#include "core/callsquery.h"

#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QStringList>

namespace spindle {

// What a saved view holds of the Traces page: the query (filters, $expr chips, sort, time range),
// the visible dynamic columns in order, the pinned name column, the page size and the column
// widths. Weave's SavedView schema has no width field and its server drops keys the schema does
// not name, so widths never go into the definition: the app keeps them per view in local settings.
struct TracesViewState
{
    CallsQuery query; // projectId is not part of a view
    bool customColumns = false; // false: the view names no columns, the page shows its defaults
    QStringList visibleColumns; // dynamic columns (inputs.*, output.*, ...) in order
    QStringList hiddenColumns; // known dynamic columns the view does not show (written as cols: false)
    bool pinned = true;
    int pageSize = 100; // Spindle's table scrolls instead of paging; kept so Weave's value survives
    QMap<QString, int> columnWidths; // column field → pixels; local, never in the definition

    // Widths count where both sides know the column (columns appear as data arrives); hidden
    // columns depend on what has been discovered, so they do not count.
    bool operator==(const TracesViewState& other) const;
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
    bool broken = false; // the definition cannot be used: `problems` says why
    QStringList problems;
    QStringList notes; // parts that load but do not apply, or apply differently
};

// True for the columns Spindle shows as dynamic columns: paths into inputs, output, attributes and
// summary (except summary.weave.* and summary.usage.*, which are Spindle's fixed columns).
bool isDynamicColumn(const QString& column);

// The definition for `state`, merged into `base` so that unknown keys (and unknown filter keys)
// survive an update. Only the schema's fields are written, so Weave's UI can read the view.
QJsonObject definitionFromState(const TracesViewState& state, const QJsonObject& base = {});
// The state a definition describes. Type errors go to `problems` (the view is broken); parts that
// are readable but cannot apply in Spindle go to `notes`.
TracesViewState stateFromDefinition(
    const QJsonObject& definition, QStringList* problems, QStringList* notes = nullptr);

// `weave:///e/p/op/name:digest` → `weave:///e/p/op/name:*`; anything else unchanged.
QString opWildcard(const QString& opRef);
// The entries of `opNames` whose op is not among `projectOps` (wildcards of the project's ops).
QStringList missingOps(const QStringList& opNames, const QSet<QString>& projectOps);

// One item of /objs/query or obj/read; `broken` when its value is not a usable traces view.
SavedView savedViewFromObject(const QJsonObject& object);
QJsonObject savedViewCreateRequest(
    const QString& projectId, const QString& objectId, const QString& label, const QJsonObject& definition);
QString newSavedViewId(const QDateTime& now);

} // namespace spindle

Q_DECLARE_METATYPE(spindle::TracesViewState)
