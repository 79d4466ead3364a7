#include "core/savedview.h"

namespace spindle {
namespace {

// The name column as Weave's UI names it in `pin`, and the columns Weave's UI puts before the
// dynamic ones (Spindle's fixed columns stand for them).
const QString kNameColumn = QStringLiteral("summary.weave.trace_name");
const QString kCheckboxColumn = QStringLiteral("CustomCheckbox");
// The CallsFilter keys the Traces page edits; other filter keys are kept but do not apply.
const QStringList kFilterKeys { QStringLiteral("op_names"), QStringLiteral("wb_user_ids"),
    QStringLiteral("trace_ids"), QStringLiteral("trace_roots_only") };

QStringList stringList(const QJsonValue& value)
{
    QStringList list;
    for (const QJsonValue& item : value.toArray())
        if (item.isString())
            list.append(item.toString());
    return list;
}

bool isStringList(const QJsonValue& value)
{
    const QJsonArray array = value.toArray();
    return value.isArray()
        && std::all_of(array.begin(), array.end(), [](const QJsonValue& v) { return v.isString(); });
}

bool isSortList(const QJsonValue& value)
{
    const QJsonArray array = value.toArray();
    return value.isArray() && std::all_of(array.begin(), array.end(), [](const QJsonValue& v) {
        const QJsonObject key = v.toObject();
        const QString direction = key.value(QLatin1String("direction")).toString();
        return key.value(QLatin1String("field")).isString()
            && (!key.contains(QLatin1String("direction")) || direction == QLatin1String("asc")
                || direction == QLatin1String("desc"));
    });
}

// Columns of Weave's calls table that Spindle shows as fixed columns (or has no use for).
bool isWeaveBuiltinColumn(const QString& column)
{
    static const QSet<QString> builtins { kCheckboxColumn, kNameColumn, QStringLiteral("op_name"),
        QStringLiteral("feedback"), QStringLiteral("status"), QStringLiteral("wb_user_id"),
        QStringLiteral("wb_run_id"), QStringLiteral("started_at"), QStringLiteral("ended_at"),
        QStringLiteral("tokens"), QStringLiteral("cost"), QStringLiteral("latency"), QStringLiteral("id"),
        QStringLiteral("trace_id"), QStringLiteral("display_name") };
    return builtins.contains(column) || column.startsWith(QLatin1String("derived."))
        || column.startsWith(QLatin1String("summary.weave."))
        || column.startsWith(QLatin1String("summary.usage."));
}

// A `columns` entry's path as a dotted column name.
QString columnPath(const QJsonValue& column)
{
    QStringList parts;
    for (const QJsonValue& part : column.toObject().value(QLatin1String("path")).toArray())
        parts.append(part.isDouble() ? QString::number(part.toInt()) : part.toString());
    return parts.join(QLatin1Char('.'));
}

struct ViewColumns
{
    bool custom = false;
    QStringList visible;
    QStringList unknown; // named by the view, but not columns Spindle can show
};

// Which columns a definition shows, in order: the explicit `columns` list (newer), else
// `column_order`, else the `cols: true` entries; `cols: false` hides a column the order lists.
ViewColumns columnsFrom(const QJsonObject& definition)
{
    const QJsonObject cols = definition.value(QLatin1String("cols")).toObject();
    QStringList order;
    for (const QJsonValue& column : definition.value(QLatin1String("columns")).toArray())
        order.append(columnPath(column));
    if (order.isEmpty())
        order = stringList(definition.value(QLatin1String("column_order")));
    if (order.isEmpty())
        for (auto it = cols.begin(); it != cols.end(); ++it)
            if (it.value().toBool())
                order.append(it.key());
    ViewColumns result;
    result.custom = !order.isEmpty();
    for (const QString& column : std::as_const(order)) {
        if (cols.contains(column) && !cols.value(column).toBool())
            continue;
        if (isDynamicColumn(column) && !result.visible.contains(column))
            result.visible.append(column);
        else if (!isDynamicColumn(column) && !isWeaveBuiltinColumn(column) && !column.isEmpty())
            result.unknown.append(column);
    }
    return result;
}

// `order` with its dynamic entries replaced by `visible`, where the first dynamic entry was (or
// after Weave's leading columns), so Weave's own columns keep their places.
QStringList mergedOrder(const QStringList& order, const QStringList& visible)
{
    QStringList merged;
    bool inserted = false;
    for (const QString& column : order) {
        if (!isDynamicColumn(column)) {
            merged.append(column);
        } else if (!inserted) {
            merged.append(visible);
            inserted = true;
        }
    }
    if (!inserted) {
        qsizetype at = 0;
        while (at < merged.size() && isWeaveBuiltinColumn(merged.at(at))
            && merged.at(at) != QLatin1String("wb_user_id") && merged.at(at) != QLatin1String("started_at"))
            ++at;
        merged = merged.mid(0, at) + visible + merged.mid(at);
    }
    return merged;
}

void writeColumns(QJsonObject& definition, const TracesViewState& state, const QJsonObject& base)
{
    // Columns the view hid stay hidden unless they are shown now.
    QJsonObject cols = base.value(QLatin1String("cols")).toObject();
    for (const QString& key : cols.keys())
        if (isDynamicColumn(key) && (cols.value(key).toBool() || state.visibleColumns.contains(key)))
            cols.remove(key);
    // Weave shows every column its `cols` does not hide, so the ones Spindle leaves out are hidden.
    for (const QString& column : state.hiddenColumns)
        cols.insert(column, false);
    for (const QString& column : state.visibleColumns)
        cols.insert(column, true);
    definition.insert(QStringLiteral("cols"), cols);
    const QStringList order =
        mergedOrder(stringList(base.value(QLatin1String("column_order"))), state.visibleColumns);
    definition.insert(QStringLiteral("column_order"), QJsonArray::fromStringList(order));
    if (!base.contains(QLatin1String("columns")))
        return;
    // The newer explicit list, when the view has one: same merge, labels kept.
    QHash<QString, QJsonValue> byPath;
    QStringList paths;
    for (const QJsonValue& column : base.value(QLatin1String("columns")).toArray()) {
        byPath.insert(columnPath(column), column);
        paths.append(columnPath(column));
    }
    QJsonArray columns;
    for (const QString& path : mergedOrder(paths, state.visibleColumns))
        columns.append(byPath.value(path,
            QJsonObject {
                { QStringLiteral("path"), QJsonArray::fromStringList(path.split(QLatin1Char('.'))) } }));
    definition.insert(QStringLiteral("columns"), columns);
}

void writePin(QJsonObject& definition, bool pinned, const QJsonObject& base)
{
    const bool hadPin = base.contains(QLatin1String("pin"));
    QJsonObject pin = base.value(QLatin1String("pin")).toObject();
    QStringList left = stringList(pin.value(QLatin1String("left")));
    const bool namePinned = left.contains(kNameColumn) || left.contains(QLatin1String("op_name"));
    if (!pinned) {
        left.removeAll(kNameColumn);
        left.removeAll(QStringLiteral("op_name"));
    } else if (!namePinned) {
        if (!hadPin) // Weave's default view pins the row checkbox too
            left.append(kCheckboxColumn);
        left.append(kNameColumn);
    }
    pin.insert(QStringLiteral("left"), QJsonArray::fromStringList(left));
    if (!pin.contains(QLatin1String("right")))
        pin.insert(QStringLiteral("right"), QJsonArray());
    definition.insert(QStringLiteral("pin"), pin);
}

// Spindle's own definition key: the relative range a view was saved with (see definitionFromState).
constexpr char kStartedWithinKey[] = "spindle_started_within";

// Type errors that make a definition unusable (Weave's server would reject them too).
void checkTypes(const QJsonObject& definition, QStringList* problems)
{
    const auto expect = [&](const char* key, auto valid, const char* what) {
        const QJsonValue value = definition.value(QLatin1String(key));
        if (definition.contains(QLatin1String(key)) && !value.isNull() && !valid(value))
            problems->append(QStringLiteral("%1 is not %2").arg(QLatin1String(key), QLatin1String(what)));
    };
    expect(
        "filter", [](const QJsonValue& v) { return v.isObject(); }, "an object");
    expect(
        "query", [](const QJsonValue& v) { return v.toObject().value(QLatin1String("$expr")).isObject(); },
        "{\"$expr\": {...}}");
    expect("sort_by", isSortList, "a list of {field, direction: asc|desc}");
    expect(
        "page_size", [](const QJsonValue& v) { return v.isDouble() && v.toInt() > 0; }, "a positive integer");
    expect("column_order", isStringList, "a list of strings");
    expect(
        "cols", [](const QJsonValue& v) { return v.isObject(); }, "an object");
    const QJsonObject filter = definition.value(QLatin1String("filter")).toObject();
    for (const char* key : { "op_names", "wb_user_ids", "trace_ids" })
        if (filter.contains(QLatin1String(key)) && !isStringList(filter.value(QLatin1String(key))))
            problems->append(QStringLiteral("filter.%1 is not a list of strings").arg(QLatin1String(key)));
}

} // namespace

bool TracesViewState::operator==(const TracesViewState& other) const
{
    for (auto it = columnWidths.begin(); it != columnWidths.end(); ++it)
        if (other.columnWidths.contains(it.key()) && other.columnWidths.value(it.key()) != it.value())
            return false;
    return query == other.query && customColumns == other.customColumns
        && (!customColumns || visibleColumns == other.visibleColumns) && pinned == other.pinned
        && pageSize == other.pageSize;
}

bool isDynamicColumn(const QString& column)
{
    if (column == QLatin1String("output"))
        return true;
    for (const char* prefix : { "inputs.", "output.", "attributes.", "summary." })
        if (column.startsWith(QLatin1String(prefix)) && column.size() > qsizetype(qstrlen(prefix)))
            return !isWeaveBuiltinColumn(column);
    return false;
}

QJsonObject definitionFromState(const TracesViewState& state, const QJsonObject& base)
{
    QJsonObject definition = base;
    QJsonObject filter = base.value(QLatin1String("filter")).toObject();
    for (const QString& key : kFilterKeys)
        filter.remove(key);
    const QJsonObject ours = state.query.filterJson();
    for (auto it = ours.begin(); it != ours.end(); ++it)
        filter.insert(it.key(), it.value());
    definition.insert(QStringLiteral("filter"), filter);
    if (const auto query = state.query.queryJson())
        definition.insert(QStringLiteral("query"), *query);
    else
        definition.remove(QStringLiteral("query"));
    // Weave's views have no range back from now: the query holds the range as of this save (what
    // Weave's UI shows), and this key the range itself ("1d"), which Spindle reads back.
    if (!state.query.startedWithin.isEmpty() && !state.query.startedAfter)
        definition.insert(QLatin1String(kStartedWithinKey), state.query.startedWithin);
    else
        definition.remove(QLatin1String(kStartedWithinKey));
    definition.insert(QStringLiteral("sort_by"), state.query.sortJson());
    if (state.customColumns)
        writeColumns(definition, state, base);
    writePin(definition, state.pinned, base);
    definition.insert(QStringLiteral("page_size"), state.pageSize);
    return definition;
}

TracesViewState stateFromDefinition(const QJsonObject& definition, QStringList* problems, QStringList* notes)
{
    QStringList ignored;
    if (!notes)
        notes = &ignored;
    checkTypes(definition, problems);
    TracesViewState state;
    const QJsonObject filter = definition.value(QLatin1String("filter")).toObject();
    const QJsonObject query = definition.value(QLatin1String("query")).toObject();
    state.query =
        callsQueryFromParts({}, filter, query, definition.value(QLatin1String("sort_by")).toArray());
    const QString within = definition.value(QLatin1String(kStartedWithinKey)).toString();
    if (state.query.startedAfter && parseRelativeRange(within, QDateTime::currentDateTimeUtc())) {
        state.query.startedAfter.reset(); // the save's moment of the range, for Weave's UI
        state.query.startedWithin = within;
        // A range back from now has no end: a "before" term is a condition of its own (a chip).
        if (const auto before = std::exchange(state.query.startedBefore, std::nullopt))
            state.query.conditions.prepend(
                FieldCondition { QStringLiteral("started_at"), FilterOp::Before, *before });
    }
    if (!state.query.extraTerms.isEmpty())
        notes->append(QStringLiteral("%1 query term(s) shown as written (no filter chip for them)")
                          .arg(state.query.extraTerms.size()));
    for (const QString& key : filter.keys())
        if (!kFilterKeys.contains(key) && !filter.value(key).isNull())
            notes->append(QStringLiteral("filter %1 does not apply in Spindle (kept in the view)").arg(key));
    const ViewColumns columns = columnsFrom(definition);
    state.customColumns = columns.custom;
    state.visibleColumns = columns.visible;
    for (const QString& column : columns.unknown)
        notes->append(QStringLiteral("dropped column %1 (Spindle has no such column)").arg(column));
    const QStringList left =
        stringList(definition.value(QLatin1String("pin")).toObject().value(QLatin1String("left")));
    state.pinned = !definition.contains(QLatin1String("pin")) || left.contains(kNameColumn)
        || left.contains(QLatin1String("op_name"));
    const QJsonValue pageSize = definition.value(QLatin1String("page_size"));
    if (pageSize.isDouble() && pageSize.toInt() > 0)
        state.pageSize = pageSize.toInt();
    return state;
}

QString opWildcard(const QString& opRef)
{
    const qsizetype colon = opRef.lastIndexOf(QLatin1Char(':'));
    return opRef.startsWith(QLatin1String("weave:///")) && colon > 8
        ? opRef.left(colon) + QStringLiteral(":*")
        : opRef;
}

QStringList missingOps(const QStringList& opNames, const QSet<QString>& projectOps)
{
    QStringList missing;
    for (const QString& name : opNames)
        if (!projectOps.contains(opWildcard(name)))
            missing.append(name);
    return missing;
}

SavedView savedViewFromObject(const QJsonObject& object)
{
    SavedView view;
    view.objectId = object.value(QLatin1String("object_id")).toString();
    view.digest = object.value(QLatin1String("digest")).toString();
    view.versionIndex = object.value(QLatin1String("version_index")).toInt();
    const QJsonObject val = object.value(QLatin1String("val")).toObject();
    view.label = val.value(QLatin1String("label")).toString(view.objectId);
    const QJsonValue definition = val.value(QLatin1String("definition"));
    if (!definition.isObject()) {
        view.broken = true;
        view.problems.append(QStringLiteral("the view has no definition object"));
        return view;
    }
    view.definition = definition.toObject();
    view.state = stateFromDefinition(view.definition, &view.problems, &view.notes);
    view.broken = !view.problems.isEmpty();
    return view;
}

QJsonObject savedViewCreateRequest(
    const QString& projectId, const QString& objectId, const QString& label, const QJsonObject& definition)
{
    const QJsonObject val { { QStringLiteral("label"), label },
        { QStringLiteral("view_type"), QStringLiteral("traces") },
        { QStringLiteral("definition"), definition } };
    return { { QStringLiteral("obj"),
        QJsonObject { { QStringLiteral("project_id"), projectId }, { QStringLiteral("object_id"), objectId },
            { QStringLiteral("val"), val },
            { QStringLiteral("builtin_object_class"), QStringLiteral("SavedView") } } } };
}

QString newSavedViewId(const QDateTime& now)
{
    return QStringLiteral("traces_") + now.toUTC().toString(QStringLiteral("yyyy-MM-dd_HH-mm-ss-zzz"));
}

} // namespace spindle
