#include "core/savedview.h"

namespace spindle {
namespace {

// The name column as Weave's UI names it in `pin`.
const QString kNameColumn = QStringLiteral("summary.weave.trace_name");

QStringList stringList(const QJsonValue& value)
{
    QStringList list;
    for (const QJsonValue& item : value.toArray())
        if (item.isString())
            list.append(item.toString());
    return list;
}

void setOrRemove(QJsonObject& object, const QString& key, const QJsonValue& value, bool present)
{
    if (present)
        object.insert(key, value);
    else
        object.remove(key);
}

QStringList visibleFrom(const QJsonObject& definition)
{
    const QJsonObject cols = definition.value(QLatin1String("cols")).toObject();
    QStringList visible = stringList(definition.value(QLatin1String("column_order")));
    if (visible.isEmpty()) {
        for (auto it = cols.begin(); it != cols.end(); ++it)
            if (it.value().toBool())
                visible.append(it.key());
    }
    // cols: false hides a column the order still lists.
    visible.erase(std::remove_if(visible.begin(), visible.end(),
                      [&](const QString& c) { return cols.contains(c) && !cols.value(c).toBool(); }),
        visible.end());
    return visible;
}

} // namespace

QJsonObject definitionFromState(const TracesViewState& state, const QJsonObject& base)
{
    QJsonObject definition = base;
    const QJsonObject filter = state.query.filterJson();
    setOrRemove(definition, QStringLiteral("filter"), filter, true);
    const auto query = state.query.queryJson();
    setOrRemove(definition, QStringLiteral("query"), query.value_or(QJsonObject()), query.has_value());
    definition.insert(QStringLiteral("sort_by"), state.query.sortJson());
    QJsonObject cols;
    for (const QString& column : state.visibleColumns)
        cols.insert(column, true);
    definition.insert(QStringLiteral("cols"), cols);
    definition.insert(QStringLiteral("column_order"), QJsonArray::fromStringList(state.visibleColumns));
    QJsonObject pin = base.value(QLatin1String("pin")).toObject();
    QStringList left = stringList(pin.value(QLatin1String("left")));
    left.removeAll(kNameColumn);
    if (state.pinned)
        left.append(kNameColumn);
    pin.insert(QStringLiteral("left"), QJsonArray::fromStringList(left));
    if (!pin.contains(QLatin1String("right")))
        pin.insert(QStringLiteral("right"), QJsonArray());
    definition.insert(QStringLiteral("pin"), pin);
    definition.insert(QStringLiteral("page_size"), state.pageSize);
    return definition;
}

TracesViewState stateFromDefinition(const QJsonObject& definition, QStringList* problems)
{
    TracesViewState state;
    const auto expect = [&](const char* key, bool ok, const char* what) {
        if (definition.contains(QLatin1String(key)) && !ok)
            problems->append(QStringLiteral("%1 is not %2").arg(QLatin1String(key), QLatin1String(what)));
        return ok;
    };
    const QJsonValue filter = definition.value(QLatin1String("filter"));
    const QJsonValue query = definition.value(QLatin1String("query"));
    const QJsonValue sort = definition.value(QLatin1String("sort_by"));
    expect("filter", filter.isObject(), "an object");
    expect(
        "query", query.isObject() && query.toObject().contains(QLatin1String("$expr")), "{\"$expr\": ...}");
    expect("sort_by", sort.isArray(), "a list");
    state.query = callsQueryFromParts({}, filter.toObject(), query.toObject(), sort.toArray());
    if (!state.query.extraTerms.isEmpty())
        problems->append(QStringLiteral("%1 query term(s) kept as written (no filter chip for them)")
                             .arg(state.query.extraTerms.size()));
    state.visibleColumns = visibleFrom(definition);
    const QStringList left =
        stringList(definition.value(QLatin1String("pin")).toObject().value(QLatin1String("left")));
    state.pinned = !definition.contains(QLatin1String("pin")) || left.contains(kNameColumn)
        || left.contains(QLatin1String("op_name"));
    const QJsonValue pageSize = definition.value(QLatin1String("page_size"));
    if (expect("page_size", pageSize.isDouble() && pageSize.toInt() > 0, "a positive integer"))
        state.pageSize = pageSize.toInt();
    return state;
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
    view.state = stateFromDefinition(view.definition, &view.problems);
    view.broken = std::any_of(view.problems.cbegin(), view.problems.cend(),
        [](const QString& p) { return p.contains(QLatin1String(" is not ")); });
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
