#pragma once

#include "server/json.h"
#include "server/sqlite.h"

#include <string>
#include <string_view>
#include <vector>

namespace spindle::server {

// A fragment of SQL with the values of its `?` placeholders, in order.
struct Sql
{
    std::string text;
    std::vector<SqlValue> params;

    Sql& append(std::string_view raw)
    {
        text += raw;
        return *this;
    }
    Sql& append(const Sql& other)
    {
        text += other.text;
        params.insert(params.end(), other.params.begin(), other.params.end());
        return *this;
    }
    Sql& bind(SqlValue value)
    {
        text += '?';
        params.push_back(std::move(value));
        return *this;
    }
    // "(?, ?, ...)" with one bound value each, for IN lists.
    Sql& bindList(const std::vector<std::string>& values)
    {
        text += '(';
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i)
                text += ", ";
            bind(values[i]);
        }
        text += ')';
        return *this;
    }
};

enum class ValueKind
{
    Text,
    Number,
    Time, // INTEGER microseconds; compares with epoch seconds or ISO strings
    Bool,
    Null,
    Json, // a path into a JSON text column: string semantics unless compared with a number
};

// What a `$getField` path means for one table.
struct Field
{
    ValueKind kind = ValueKind::Text;
    std::string column {}; // trusted SQL: a whitelisted column or expression
    std::string jsonPath {}; // for Json fields: bound as a parameter, never pasted
    bool nullable = true; // sort NULLs last without defeating indexes on NOT NULL columns
    // Feedback fields live in another table: comparisons on them become EXISTS over matching rows.
    bool viaFeedback = false;
    std::string feedbackType {}; // empty means any type ([*])
};

class FieldResolver
{
public:
    virtual ~FieldResolver() = default;
    // Throws ApiError for a path the table does not have.
    virtual Field resolve(std::string_view path) const = 0;
    // For feedback fields: the condition linking feedback rows `f` to the outer row (and to the type).
    virtual Sql feedbackLink(const Field&) const
    {
        throw badRequest("feedback fields are not available here");
    }
};

// `terms` joined by `op` (" AND ", " OR ") as a balanced tree of parentheses. SQLite parses a flat
// chain of n terms into an expression tree n deep and refuses more than 1000: a 999-item $or, or
// 500 refs in a filter list, failed with a 500.
Sql joinBalanced(std::vector<Sql> terms, std::string_view op);

// Compiles `{"$expr": ...}` (weave-protocol.md 3.2) into a boolean SQL expression.
Sql compileQuery(const JsonValue& query, const FieldResolver& fields);
Sql compileExpr(const JsonValue& expr, const FieldResolver& fields);

// One `sort_by` entry → ORDER BY terms (Json fields sort by existence, number, then text).
Sql compileSortTerm(std::string_view field, bool descending, const FieldResolver& fields);
// Reads and validates a sort_by list: [{"field", "direction"}].
struct SortTerm
{
    std::string field;
    bool descending = false;
};
std::vector<SortTerm> parseSortBy(const JsonValue& request);

} // namespace spindle::server

namespace spindle::server {

// The one `$operator` key of an operation object and its argument; throws a 400 otherwise.
std::pair<std::string_view, const JsonValue*> singleOperator(const JsonValue& op);

// Purge endpoints accept only a selection by id: $eq on id, an $or of those, or $in on id.
std::vector<std::string> parseIdSelection(const JsonValue& query);

// Resolver for a flat table: named columns of known kinds, plus one JSON column (may be empty).
class ColumnResolver : public FieldResolver
{
public:
    struct Column
    {
        const char* name;
        ValueKind kind;
    };
    ColumnResolver(std::vector<Column> columns, std::string jsonColumn = {});
    Field resolve(std::string_view path) const override;

private:
    std::vector<Column> m_columns;
    std::string m_jsonColumn;
};

} // namespace spindle::server
