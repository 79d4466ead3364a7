// Helpers around the query compiler: id-only purge selections and flat-table field resolvers.
#include "server/querycompiler.h"

namespace spindle::server {
namespace {

void collectIdSelection(const JsonValue& expr, std::vector<std::string>& ids, int depth)
{
    const auto invalid = [] {
        return badRequest("purge queries may only select by id: {\"$eq\": [{\"$getField\": \"id\"}, "
                          "{\"$literal\": \"...\"}]}, an $or of those, or $in on id");
    };
    if (depth > 8)
        throw invalid();
    const auto [name, args] = singleOperator(expr);
    const auto isIdField = [](const JsonValue& v) {
        return v.IsObject() && v.HasMember("$getField") && v["$getField"].IsString()
            && stringView(v["$getField"]) == "id";
    };
    const auto literalString = [&](const JsonValue& v) {
        if (!v.IsObject() || !v.HasMember("$literal") || !v["$literal"].IsString())
            throw invalid();
        ids.emplace_back(stringView(v["$literal"]));
    };
    if (name == "$eq" && args->IsArray() && args->Size() == 2 && isIdField((*args)[0])) {
        literalString((*args)[1]);
    } else if (name == "$in" && args->IsArray() && args->Size() == 2 && isIdField((*args)[0])
        && (*args)[1].IsArray()) {
        for (const auto& item : (*args)[1].GetArray())
            literalString(item);
    } else if (name == "$or" && args->IsArray()) {
        for (const auto& item : args->GetArray())
            collectIdSelection(item, ids, depth + 1);
    } else {
        throw invalid();
    }
}

} // namespace

std::vector<std::string> parseIdSelection(const JsonValue& query)
{
    if (!query.IsObject() || !query.HasMember("$expr"))
        throw badRequest("query must be an object {\"$expr\": ...}");
    std::vector<std::string> ids;
    collectIdSelection(query["$expr"], ids, 0);
    return ids;
}

ColumnResolver::ColumnResolver(std::vector<Column> columns, std::string jsonColumn)
    : m_columns(std::move(columns))
    , m_jsonColumn(std::move(jsonColumn))
{
}

Field ColumnResolver::resolve(std::string_view path) const
{
    for (const auto& column : m_columns) {
        if (path == column.name)
            return Field { column.kind, column.name, {}, true };
    }
    if (!m_jsonColumn.empty()
        && (path == m_jsonColumn
            || (path.starts_with(m_jsonColumn) && path.size() > m_jsonColumn.size()
                && path[m_jsonColumn.size()] == '.'))) {
        Field field;
        field.kind = ValueKind::Json;
        field.column = m_jsonColumn;
        field.jsonPath = path.size() > m_jsonColumn.size() ? std::string(path.substr(m_jsonColumn.size() + 1))
                                                           : std::string();
        return field;
    }
    throw ApiError(422, "unknown field '" + std::string(path) + "'");
}

std::vector<SortTerm> parseSortBy(const JsonValue& request)
{
    std::vector<SortTerm> terms;
    const JsonValue* list = optionalArray(request, "sort_by", "");
    if (!list)
        return terms;
    if (list->Size() > 20)
        throw badRequest("sort_by takes at most 20 fields");
    for (const auto& item : list->GetArray()) {
        if (!item.IsObject())
            throw badRequest("each sort_by entry must be {\"field\", \"direction\"}");
        SortTerm term;
        term.field = requireString(item, "field", "sort_by");
        const std::string direction = optionalString(item, "direction", "sort_by").value_or("asc");
        if (direction != "asc" && direction != "desc")
            throw badRequest("sort_by direction must be 'asc' or 'desc', not '" + direction + "'");
        term.descending = direction == "desc";
        terms.push_back(std::move(term));
    }
    return terms;
}

} // namespace spindle::server
