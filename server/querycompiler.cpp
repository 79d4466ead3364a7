#include "server/querycompiler.h"

#include "core/timeformat.h"

#include <cmath>
#include <cstdio>
#include <optional>

namespace spindle::server {
namespace {

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxListSize = 10000;

Sql raw(std::string text)
{
    return Sql { std::move(text), {} };
}

Sql bound(SqlValue value)
{
    Sql sql;
    sql.bind(std::move(value));
    return sql;
}

std::string canonicalNumberText(const JsonValue& number)
{
    if (number.IsInt64())
        return std::to_string(number.GetInt64());
    if (number.IsUint64())
        return std::to_string(number.GetUint64());
    const double d = number.GetDouble();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18)
        return std::to_string(static_cast<long long>(d));
    std::string out;
    appendPythonFloat(out, d);
    return out;
}

SqlValue numberValue(const JsonValue& number)
{
    if (number.IsInt64())
        return number.GetInt64();
    return number.GetDouble();
}

struct Operand
{
    ValueKind kind = ValueKind::Text;
    Sql sql; // natural form
    Field field; // set for Json fields
    bool isJsonField = false;
    const JsonValue* literal = nullptr;
};

class Compiler
{
public:
    explicit Compiler(const FieldResolver& fields)
        : m_fields(fields)
    {
    }

    Sql boolean(const JsonValue& op);

private:
    struct DepthGuard
    {
        explicit DepthGuard(int& depth)
            : m_depth(depth)
        {
            if (++m_depth > kMaxDepth)
                throw badRequest("query nests deeper than " + std::to_string(kMaxDepth) + " levels");
        }
        ~DepthGuard()
        {
            --m_depth;
        }
        int& m_depth;
    };

    Operand operand(const JsonValue& value);
    Operand convert(const JsonValue& spec);
    Sql textForm(const Operand& op) const;
    std::optional<Sql> nullableTextEquality(const Operand& a, const Operand& b) const;
    Sql numericForm(const Operand& op) const;
    Sql comparison(std::string_view name, const JsonValue& args);
    Sql inList(const JsonValue& args);
    Sql contains(const JsonValue& args);
    Sql logical(std::string_view name, const JsonValue& args);
    Sql wrapFeedback(Sql condition);
    Sql timeLiteral(const JsonValue& literal) const;

    const FieldResolver& m_fields;
    int m_depth = 0;
    std::optional<Field> m_feedbackField;
    // The comparison being wrapped is "= ''": on feedback it holds for a call with no non-empty
    // value, none at all included (a call without feedback reads as '', as Weave's join gives it).
    bool m_equalsEmpty = false;
};

} // namespace

std::pair<std::string_view, const JsonValue*> singleOperator(const JsonValue& op)
{
    if (!op.IsObject() || op.MemberCount() != 1 || !op.MemberBegin()->name.GetStringLength()
        || op.MemberBegin()->name.GetString()[0] != '$')
        throw badRequest("each $expr operation must be an object with exactly one $operator key");
    return { stringView(op.MemberBegin()->name), &op.MemberBegin()->value };
}

namespace {

const JsonValue& pairArgs(std::string_view name, const JsonValue& args)
{
    if (!args.IsArray() || args.Size() != 2)
        throw badRequest(std::string(name) + " takes a list of exactly two operands");
    return args;
}

Sql Compiler::boolean(const JsonValue& op)
{
    DepthGuard guard(m_depth);
    const auto [name, args] = singleOperator(op);
    if (name == "$and" || name == "$or" || name == "$not")
        return logical(name, *args);
    if (name == "$eq" || name == "$gt" || name == "$gte" || name == "$lt" || name == "$lte")
        return comparison(name, *args);
    if (name == "$in")
        return inList(*args);
    if (name == "$contains")
        return contains(*args);
    throw badRequest("unknown $expr operator '" + std::string(name) + "'");
}

Sql Compiler::logical(std::string_view name, const JsonValue& args)
{
    if (!args.IsArray())
        throw badRequest(std::string(name) + " takes a list of operations");
    if (name == "$not") {
        if (args.Size() != 1)
            throw badRequest("$not takes a list of exactly one operation");
        Sql sql = raw("(NOT ");
        return sql.append(boolean(args[0])).append(")");
    }
    if (args.Empty())
        return raw(name == "$and" ? "1" : "0");
    if (args.Size() > kMaxListSize)
        throw badRequest(
            std::string(name) + " takes at most " + std::to_string(kMaxListSize) + " operations");
    std::vector<Sql> terms;
    terms.reserve(args.Size());
    for (const JsonValue& arg : args.GetArray())
        terms.push_back(boolean(arg));
    return raw("(").append(joinBalanced(std::move(terms), name == "$and" ? " AND " : " OR ")).append(")");
}

Operand Compiler::operand(const JsonValue& value)
{
    DepthGuard guard(m_depth);
    const auto [name, args] = singleOperator(value);
    Operand op;
    if (name == "$literal") {
        op.literal = args;
        if (args->IsString()) {
            op.kind = ValueKind::Text;
            op.sql = bound(std::string(stringView(*args)));
        } else if (args->IsNumber()) {
            op.kind = ValueKind::Number;
            op.sql = bound(numberValue(*args));
        } else if (args->IsBool()) {
            op.kind = ValueKind::Bool;
            op.sql = bound(std::int64_t(args->GetBool() ? 1 : 0));
        } else if (args->IsNull()) {
            op.kind = ValueKind::Null;
            op.sql = raw("NULL");
        } else {
            op.kind = ValueKind::Text;
            op.sql = bound(toJson(*args));
        }
        return op;
    }
    if (name == "$getField") {
        if (!args->IsString())
            throw badRequest("$getField takes a field path string");
        op.field = m_fields.resolve(stringView(*args));
        if (op.field.viaFeedback) {
            if (m_feedbackField && m_feedbackField->feedbackType != op.field.feedbackType)
                throw badRequest("one comparison can use feedback of only one type");
            m_feedbackField = op.field;
        }
        op.kind = op.field.kind;
        op.isJsonField = op.field.kind == ValueKind::Json;
        if (op.isJsonField)
            op.sql = raw("wv_text(" + op.field.column + ", ").bind(op.field.jsonPath).append(")");
        else
            op.sql = raw(op.field.column);
        return op;
    }
    if (name == "$convert")
        return convert(*args);
    // Any boolean operation can serve as an operand.
    auto saved = m_feedbackField;
    m_feedbackField.reset();
    op.kind = ValueKind::Bool;
    op.sql = boolean(value);
    m_feedbackField = saved;
    return op;
}

Operand Compiler::convert(const JsonValue& spec)
{
    if (!spec.IsObject() || !spec.HasMember("input") || !spec.HasMember("to") || !spec["to"].IsString())
        throw badRequest("$convert takes {\"input\": operand, \"to\": type}");
    const Operand input = operand(spec["input"]);
    const std::string_view to = stringView(spec["to"]);
    Operand out;
    if (to == "double" || to == "int") {
        out.kind = ValueKind::Number;
        out.sql = numericForm(input);
        if (to == "int")
            out.sql = raw("CAST(").append(out.sql).append(" AS INTEGER)");
    } else if (to == "string") {
        out.kind = ValueKind::Text;
        out.sql = textForm(input);
    } else if (to == "exists") {
        out.kind = ValueKind::Bool;
        out.sql = input.isJsonField
            ? raw("wv_exists(" + input.field.column + ", ").bind(input.field.jsonPath).append(")")
            : raw("(").append(input.sql).append(" IS NOT NULL)");
    } else if (to == "bool") {
        out.kind = ValueKind::Bool;
        out.sql = raw("(lower(").append(textForm(input)).append(") IN ('true', '1'))");
    } else {
        throw badRequest("$convert cannot convert to '" + std::string(to) + "'");
    }
    return out;
}

// A text column that may be NULL (display_name, exception, wb_user_id ...) against a string: NULL
// reads as the empty string, as a missing JSON field does (wv_text). So "is empty" finds the calls
// without a value, and NOT(= 'x') keeps them (NULL = 'x' is NULL, and NOT NULL is no match). `IS`
// is an = that never gives NULL, and it still uses the column's indexes.
std::optional<Sql> Compiler::nullableTextEquality(const Operand& a, const Operand& b) const
{
    const auto isColumn = [](const Operand& op) {
        return !op.literal && !op.isJsonField && !op.field.viaFeedback && op.kind == ValueKind::Text
            && op.field.nullable && !op.field.column.empty();
    };
    const Operand* column = isColumn(a) ? &a : isColumn(b) ? &b : nullptr;
    const Operand* text = column == &a ? &b : &a;
    if (!column || !text->literal || !text->literal->IsString())
        return std::nullopt;
    Sql sql = raw("(");
    if (text->literal->GetStringLength() == 0)
        sql.append(column->sql).append(" = '' OR ").append(column->sql).append(" IS NULL)");
    else
        sql.append(column->sql).append(" IS ").append(text->sql).append(")");
    return sql;
}

Sql Compiler::textForm(const Operand& op) const
{
    if (op.literal && op.literal->IsNumber())
        return bound(canonicalNumberText(*op.literal));
    if (op.literal && op.literal->IsBool())
        return bound(std::string(op.literal->GetBool() ? "true" : "false"));
    if (op.kind == ValueKind::Number || op.kind == ValueKind::Time)
        return raw("CAST(").append(op.sql).append(" AS TEXT)");
    return op.sql;
}

Sql Compiler::numericForm(const Operand& op) const
{
    if (op.isJsonField)
        return raw("wv_num(" + op.field.column + ", ").bind(op.field.jsonPath).append(")");
    if (op.kind == ValueKind::Text)
        return raw("wv_to_num(").append(op.sql).append(")");
    if (op.kind == ValueKind::Time)
        return raw("(").append(op.sql).append(" / 1000000.0)");
    return op.sql;
}

Sql Compiler::timeLiteral(const JsonValue& literal) const
{
    if (literal.IsNumber()) {
        // Years 1 to 9999, as ISO-8601 strings can say: beyond, the microseconds would overflow.
        const double seconds = literal.GetDouble();
        if (!(seconds >= double(kFirstEpochSecond) && seconds <= double(kLastEpochSecond))) {
            char shown[32];
            std::snprintf(shown, sizeof shown, "%g", seconds);
            throw badRequest(std::string("epoch seconds ") + shown + " are outside the years 1 to 9999");
        }
        return bound(static_cast<std::int64_t>(std::llround(seconds * 1e6)));
    }
    if (literal.IsString()) {
        if (auto micros = parseIsoTime(stringView(literal)))
            return bound(*micros);
        throw badRequest("'" + std::string(stringView(literal)) + "' is not an ISO-8601 datetime");
    }
    throw badRequest("a datetime field compares with epoch seconds or an ISO-8601 string");
}

Sql Compiler::wrapFeedback(Sql condition)
{
    const bool equalsEmpty = std::exchange(m_equalsEmpty, false);
    if (!m_feedbackField)
        return condition;
    // "Is empty": no row with a value that is not ''. Its $not ("is not empty") is then a row with one.
    Sql sql = raw(equalsEmpty ? "NOT EXISTS (SELECT 1 FROM feedback f WHERE "
                              : "EXISTS (SELECT 1 FROM feedback f WHERE ");
    sql.append(m_fields.feedbackLink(*m_feedbackField))
        .append(equalsEmpty ? " AND NOT " : " AND ")
        .append(condition);
    m_feedbackField.reset();
    return sql.append(")");
}

Sql Compiler::comparison(std::string_view name, const JsonValue& args)
{
    pairArgs(name, args);
    m_feedbackField.reset();
    const Operand a = operand(args[0]);
    const Operand b = operand(args[1]);
    const std::string symbol = name == "$eq" ? " = "
        : name == "$gt"                      ? " > "
        : name == "$gte"                     ? " >= "
        : name == "$lt"                      ? " < "
                                             : " <= ";
    Sql left, right;
    if (a.kind == ValueKind::Null || b.kind == ValueKind::Null) {
        const Operand& other = a.kind == ValueKind::Null ? b : a;
        if (name != "$eq")
            return wrapFeedback(raw("NULL"));
        if (other.isJsonField)
            return wrapFeedback(
                raw("(wv_exists(" + other.field.column + ", ").bind(other.field.jsonPath).append(") = 0)"));
        return wrapFeedback(raw("(").append(other.sql).append(" IS NULL)"));
    }
    const auto isEmptyText = [](const Operand& op) {
        return op.literal && op.literal->IsString() && op.literal->GetStringLength() == 0;
    };
    m_equalsEmpty = name == "$eq" && (isEmptyText(a) || isEmptyText(b));
    if (name == "$eq")
        if (auto sql = nullableTextEquality(a, b))
            return wrapFeedback(std::move(*sql));
    const bool aTime = a.kind == ValueKind::Time, bTime = b.kind == ValueKind::Time;
    const auto isNumeric = [](const Operand& op) { return op.kind == ValueKind::Number; };
    const auto isBool = [](const Operand& op) { return op.kind == ValueKind::Bool; };
    if (aTime || bTime) {
        left = aTime
            ? a.sql
            : (a.literal ? timeLiteral(*a.literal) : raw("(").append(numericForm(a)).append(" * 1000000)"));
        right = bTime
            ? b.sql
            : (b.literal ? timeLiteral(*b.literal) : raw("(").append(numericForm(b)).append(" * 1000000)"));
    } else if ((isBool(a) && b.isJsonField) || (isBool(b) && a.isJsonField)) {
        left = textForm(a), right = textForm(b);
    } else if (isNumeric(a) || isNumeric(b) || isBool(a) || isBool(b)) {
        left = numericForm(a), right = numericForm(b);
    } else {
        left = textForm(a), right = textForm(b);
    }
    Sql sql = raw("(");
    sql.append(left).append(symbol).append(right).append(")");
    return wrapFeedback(std::move(sql));
}

Sql Compiler::inList(const JsonValue& args)
{
    if (!args.IsArray() || args.Size() != 2 || !args[1].IsArray())
        throw badRequest("$in takes [operand, [operand, ...]]");
    if (args[1].Size() > kMaxListSize)
        throw badRequest("$in lists are limited to " + std::to_string(kMaxListSize) + " values");
    m_feedbackField.reset();
    const Operand subject = operand(args[0]);
    if (args[1].Empty())
        return wrapFeedback(raw("0"));
    const bool numeric = subject.kind == ValueKind::Number || subject.kind == ValueKind::Bool;
    const bool time = subject.kind == ValueKind::Time;
    Sql sql = raw("(");
    sql.append(numeric                        ? numericForm(subject)
            : subject.kind == ValueKind::Time ? subject.sql
                                              : textForm(subject));
    sql.append(" IN (");
    for (rapidjson::SizeType i = 0; i < args[1].Size(); ++i) {
        const Operand item = operand(args[1][i]);
        if (i)
            sql.append(", ");
        if (time && item.literal)
            sql.append(timeLiteral(*item.literal));
        else
            sql.append(numeric ? numericForm(item) : textForm(item));
    }
    sql.append("))");
    return wrapFeedback(std::move(sql));
}

Sql Compiler::contains(const JsonValue& args)
{
    if (!args.IsObject() || !args.HasMember("input") || !args.HasMember("substr"))
        throw badRequest(
            "$contains takes {\"input\": operand, \"substr\": operand, \"case_insensitive\"?: bool}");
    bool caseInsensitive = false;
    if (auto it = args.FindMember("case_insensitive"); it != args.MemberEnd() && !it->value.IsNull()) {
        if (!it->value.IsBool())
            throw badRequest("$contains.case_insensitive must be a boolean");
        caseInsensitive = it->value.GetBool();
    }
    m_feedbackField.reset();
    const Sql input = textForm(operand(args["input"]));
    const Sql substr = textForm(operand(args["substr"]));
    Sql sql = raw(caseInsensitive ? "(wv_icontains(" : "(instr(");
    sql.append(input).append(", ").append(substr).append(") > 0)");
    return wrapFeedback(std::move(sql));
}

} // namespace

Sql compileExpr(const JsonValue& expr, const FieldResolver& fields)
{
    Compiler compiler(fields);
    return compiler.boolean(expr);
}

Sql joinBalanced(std::vector<Sql> terms, std::string_view op)
{
    if (terms.empty())
        return {};
    // Pairs neighbours until one term is left: each round halves the count, so the depth is log2(n).
    while (terms.size() > 1) {
        std::vector<Sql> joined;
        joined.reserve((terms.size() + 1) / 2);
        for (std::size_t i = 0; i + 1 < terms.size(); i += 2)
            joined.push_back(raw("(").append(terms[i]).append(op).append(terms[i + 1]).append(")"));
        if (terms.size() % 2)
            joined.push_back(std::move(terms.back()));
        terms = std::move(joined);
    }
    return std::move(terms.front());
}

Sql compileQuery(const JsonValue& query, const FieldResolver& fields)
{
    if (!query.IsObject() || !query.HasMember("$expr"))
        throw badRequest("query must be an object {\"$expr\": ...}");
    return compileExpr(query["$expr"], fields);
}

Sql compileSortTerm(std::string_view fieldPath, bool descending, const FieldResolver& fields)
{
    const Field field = fields.resolve(fieldPath);
    const std::string direction = descending ? " DESC" : " ASC";
    // SQLite puts NULLs first on ASC and last on DESC; the protocol wants them last both ways.
    const std::string nullsLast = descending ? "" : " NULLS LAST";
    if (field.viaFeedback) {
        const auto latest = [&](const std::string& expr) {
            Sql sql = raw("(SELECT " + expr);
            if (field.kind == ValueKind::Json)
                sql.append(", ").bind(field.jsonPath).append(")");
            sql.append(" FROM feedback f WHERE ").append(fields.feedbackLink(field));
            return sql.append(" ORDER BY f.created_at DESC LIMIT 1)");
        };
        if (field.kind != ValueKind::Json)
            return latest(field.column).append(direction + nullsLast);
        Sql sql = latest("wv_num(" + field.column);
        sql.append(direction + nullsLast + ", ");
        return sql.append(latest("wv_text(" + field.column)).append(direction + nullsLast);
    }
    if (field.kind == ValueKind::Json) {
        Sql sql = raw("wv_exists(" + field.column + ", ").bind(field.jsonPath).append(") DESC, ");
        sql.append("wv_num(" + field.column + ", ")
            .bind(field.jsonPath)
            .append(")" + direction + " NULLS LAST, ");
        return sql.append("wv_text(" + field.column + ", ").bind(field.jsonPath).append(")" + direction);
    }
    return raw(field.column + direction + (field.nullable ? nullsLast : ""));
}

} // namespace spindle::server
