#include "bench/dashboardsql.h"

#include "bench/common.h"
#include "server/callquery.h"
#include "server/json.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <variant>

namespace spindle::bench {

namespace {

std::int64_t micros(const QJsonValue& iso)
{
    return QDateTime::fromString(iso.toString(), Qt::ISODate).toMSecsSinceEpoch() * 1000;
}

// The server's choice when no granularity is sent (stats.cpp: hosted's rule).
std::int64_t autoGranularity(std::int64_t rangeMicros)
{
    constexpr std::int64_t hour = 3600'000'000;
    return rangeMicros <= 2 * hour  ? 300
        : rangeMicros <= 12 * hour  ? 3600
        : rangeMicros <= 72 * hour  ? 21600
        : rangeMicros <= 336 * hour ? 43200
                                    : 86400;
}

// Exact percentile p of v over the rows of a window CTE with the rank i (from 0) and count n.
std::string percentileSql(int p)
{
    const std::string pos = "(" + std::to_string(p) + " * (n - 1) / 100.0)";
    const std::string lo = "CAST(" + pos + " AS INTEGER)";
    const std::string at = "max(CASE WHEN i = " + lo + " THEN v END)";
    const std::string next = "coalesce(max(CASE WHEN i = " + lo + " + 1 THEN v END), " + at + ")";
    return at + " + (" + next + " - " + at + ") * (" + pos + " - " + lo + ")";
}

const char* const kPrompt = "(coalesce(json_extract(j.value, '$.prompt_tokens'), 0) + "
                            "coalesce(json_extract(j.value, '$.input_tokens'), 0))";
const char* const kCompletion = "(coalesce(json_extract(j.value, '$.completion_tokens'), 0) + "
                                "coalesce(json_extract(j.value, '$.output_tokens'), 0))";

// The price row 4.2 selects for (j.key, c.started_at): effective by then first, else the
// future ones; within each, project rows, then the latest effective date and creation. (SQLite
// takes the outer c.started_at in a subquery's WHERE but not in its ORDER BY.)
std::string priceIdSql(const std::string& project)
{
    const auto pick = [&](const char* when) {
        return "(SELECT p.id FROM llm_token_prices p WHERE p.llm_id = j.key AND p.pricing_level_id IN "
               "('default', '"
            + project + "') AND p.effective_date " + when
            + " c.started_at ORDER BY p.pricing_level = 'project' DESC, p.effective_date DESC, p.created_at "
              "DESC "
              "LIMIT 1)";
    };
    return "coalesce(" + pick("<=") + ", " + pick(">") + ")";
}

} // namespace

namespace {

struct Shape
{
    std::string project, where, bucket;
    std::int64_t origin = 0, step = 0;
    bool totals = false, byOp = false;
    int sample = 0;
};

Shape shapeOf(const QJsonObject& request)
{
    Shape shape;
    shape.project = request.value(QStringLiteral("project_id")).toString().toStdString();
    const std::int64_t start = micros(request.value(QStringLiteral("start")));
    const std::int64_t end = micros(request.value(QStringLiteral("end")));
    const std::int64_t seconds = request.contains(QStringLiteral("granularity"))
        ? request.value(QStringLiteral("granularity")).toInteger()
        : autoGranularity(end - start);
    shape.step = seconds * 1'000'000;
    shape.origin = (start / shape.step) * shape.step; // UTC buckets are aligned to the epoch
    shape.bucket = "(started_at - " + std::to_string(shape.origin) + ") / " + std::to_string(shape.step);
    const auto body = server::parseJson(QJsonDocument(request).toJson(QJsonDocument::Compact).toStdString());
    shape.where = inlineSql(server::parseCallsQuery(body).where)
        + " AND started_at >= " + std::to_string(start) + " AND started_at < " + std::to_string(end);
    shape.totals = request.value(QStringLiteral("include_totals")).toBool();
    shape.byOp =
        request.value(QStringLiteral("usage_group_by")).toArray().contains(QStringLiteral("op_name"));
    shape.sample = request.value(QStringLiteral("usage_sample")).toInt();
    return shape;
}

// Call metrics: count, errors and exact latency percentiles per bucket (and for the range).
std::string callSql(const Shape& q)
{
    std::string s = "CREATE TEMP TABLE k AS SELECT " + q.bucket
        + " AS b, latency_ms AS v, exception IS NOT NULL AS e FROM calls WHERE " + q.where + ";\n";
    s += "SELECT b, count(*), sum(e) FROM k GROUP BY b;\n";
    const std::string percentiles = percentileSql(50) + ", " + percentileSql(95) + ", " + percentileSql(99);
    s += "WITH r AS (SELECT b, v, row_number() OVER (PARTITION BY b ORDER BY v) - 1 AS i, count(*) OVER "
         "(PARTITION BY b) AS n FROM k WHERE v IS NOT NULL) SELECT b, "
        + percentiles + " FROM r GROUP BY b;\n";
    if (q.totals) {
        s += "SELECT count(*), sum(e) FROM k;\n";
        s += "WITH r AS (SELECT v, row_number() OVER (ORDER BY v) - 1 AS i, count(*) OVER () AS n FROM k "
             "WHERE v "
             "IS NOT NULL) SELECT "
            + percentiles + " FROM r;\n";
    }
    return s + "DROP TABLE k;\n";
}

// One row per (call, model) usage entry with the id of its price, in TEMP table u.
std::string usageTableSql(const Shape& q)
{
    return "CREATE TEMP TABLE u AS SELECT (c.started_at - " + std::to_string(q.origin) + ") / "
        + std::to_string(q.step) + " AS b, j.key AS model, c.op_name AS op, " + kPrompt + " AS pt, "
        + kCompletion + " AS ct, coalesce(json_extract(j.value, '$.requests'), 0) AS rq, "
        + priceIdSql(q.project) + " AS price FROM (SELECT started_at, op_name, summary FROM calls WHERE "
        + q.where
        + " AND total_tokens IS NOT NULL) c, json_each(c.summary, '$.usage') j WHERE j.type = 'object';\n";
}

const char* const kJoinPrices = " FROM u LEFT JOIN llm_token_prices p ON p.id = u.price";

// Usage metrics per bucket and group (and per group for the range).
std::string usageSql(const Shape& q)
{
    const std::string sums = "count(*), sum(rq), sum(pt), sum(ct), sum(pt * p.prompt_token_cost), sum(ct * "
                             "p.completion_token_cost), sum(pt * p.prompt_token_cost + ct * "
                             "p.completion_token_cost), count(p.id)";
    const std::string groups = q.byOp ? "u.model, u.op" : "u.model";
    std::string s = usageTableSql(q);
    s += "SELECT u.b, " + groups + ", " + sums + kJoinPrices + " GROUP BY u.b, " + groups + ";\n";
    if (q.totals)
        s += "SELECT " + groups + ", " + sums + kJoinPrices + " GROUP BY " + groups + ";\n";
    return s + "DROP TABLE u;\n";
}

// The usage sample's calls: the smallest (rowid × 2654435761) mod 2^32, as the server picks them.
std::string sampledEntries(const Shape& q)
{
    return "(SELECT rowid AS r, id, trace_id, op_name, started_at, summary FROM calls WHERE " + q.where
        + " AND total_tokens IS NOT NULL ORDER BY (rowid * 2654435761) % 4294967296, rowid LIMIT "
        + std::to_string(q.sample) + ") c, json_each(c.summary, '$.usage') j WHERE j.type = 'object'";
}

} // namespace

StatsSql equivalentSql(const QJsonObject& request)
{
    const Shape q = shapeOf(request);
    StatsSql sql;
    sql.script = callSql(q) + usageSql(q);
    if (q.sample > 0) {
        sql.script += "SELECT c.id, c.trace_id, c.op_name, c.started_at, j.key, " + std::string(kPrompt)
            + ", " + kCompletion + ", (SELECT " + kPrompt + " * p.prompt_token_cost + " + kCompletion
            + " * p.completion_token_cost FROM llm_token_prices p WHERE p.id = " + priceIdSql(q.project)
            + ") FROM " + sampledEntries(q) + ";\n";
        sql.sampleIds = "SELECT c.id FROM " + sampledEntries(q) + ";";
    }
    sql.countCalls = "SELECT count(*) FROM calls WHERE " + q.where + ";";
    sql.totalCost = usageTableSql(q)
        + "SELECT printf('%.9f', sum(pt * p.prompt_token_cost + ct * "
          "p.completion_token_cost))"
        + kJoinPrices + ";\nDROP TABLE u;";
    return sql;
}

} // namespace spindle::bench
