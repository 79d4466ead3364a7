#include "models/costanalysis.h"

#include "core/csv.h"

#include <QLocale>
#include <QObject>

#include <algorithm>
#include <cmath>

namespace spindle::models {

namespace {

constexpr double kMaxPricePerMillion = 1e6;

double hypotheticalCost(const ModelUsage& m, const WhatIfPrice& price)
{
    return (double(m.inputTokens) * price.inputPerMillion + double(m.outputTokens) * price.outputPerMillion)
        / 1e6;
}

} // namespace

WhatIfResult whatIf(const QVector<ModelUsage>& models, const WhatIfPrice& price)
{
    WhatIfResult result;
    for (const ModelUsage& m : models) {
        result.currentTotal += m.cost;
        if (m.model != price.model) {
            result.whatIfTotal += m.cost;
            continue;
        }
        result.modelFound = true;
        result.modelPriced = m.hasPrice();
        result.currentModel = m.cost;
        result.whatIfModel = hypotheticalCost(m, price);
        result.whatIfTotal += result.whatIfModel;
    }
    return result;
}

QHash<QString, double> whatIfCosts(const QVector<ModelUsage>& models, const WhatIfPrice& price)
{
    QHash<QString, double> costs;
    for (const ModelUsage& m : models)
        if (m.model == price.model)
            costs.insert(m.model, hypotheticalCost(m, price));
        else if (m.hasPrice()) // an unpriced model stays unknown
            costs.insert(m.model, m.cost);
    return costs;
}

std::optional<double> parsePricePerMillion(const QString& text, QString* error)
{
    QString t = text.trimmed();
    if (t.startsWith(QLatin1Char('$')))
        t = t.mid(1).trimmed();
    bool ok = false;
    double value = QLocale().toDouble(t, &ok);
    if (!ok)
        value = t.toDouble(&ok); // "2.5" also where the locale's decimal point is a comma
    QString problem;
    if (t.isEmpty())
        problem = QObject::tr("Enter a price in USD per million tokens");
    else if (!ok || !std::isfinite(value))
        problem = QObject::tr("“%1” is not a number").arg(text.trimmed());
    else if (value < 0)
        problem = QObject::tr("A price cannot be negative");
    else if (value > kMaxPricePerMillion)
        problem = QObject::tr("At most $1,000,000 per million tokens");
    if (error)
        *error = problem;
    return problem.isEmpty() ? std::optional<double>(value) : std::nullopt;
}

CostReport costReport(const StatsSummary& rootCalls)
{
    CostReport report;
    report.totalCost = rootCalls.totals.cost;
    report.hasCost = rootCalls.totals.hasCost;
    report.requests = rootCalls.totals.requests;
    report.calls = rootCalls.totals.calls;
    report.unpricedModels = rootCalls.unpricedModels();
    return report;
}

QString costReportCsv(
    const QString& projectId, const QDateTime& start, const QDateTime& end, const CostReport& report)
{
    return QStringLiteral("project,start,end,total_cost_usd,requests,calls,unpriced_models\n")
        + delimitedField(projectId, QLatin1Char(',')) + QLatin1Char(',') + start.toUTC().toString(Qt::ISODate)
        + QLatin1Char(',') + end.toUTC().toString(Qt::ISODate) + QLatin1Char(',')
        + (report.hasCost ? QString::number(report.totalCost, 'f', 6) : QString()) + QLatin1Char(',')
        + QString::number(report.requests) + QLatin1Char(',') + QString::number(report.calls)
        + QLatin1Char(',') + delimitedField(report.unpricedModels.join(QLatin1Char(' ')), QLatin1Char(','))
        + QLatin1Char('\n');
}

QVector<UsagePoint> parseUsageSample(const QJsonArray& sample)
{
    QVector<UsagePoint> points;
    points.reserve(sample.size());
    for (const QJsonValue& value : sample) {
        const QJsonObject o = value.toObject();
        UsagePoint p;
        p.callId = o.value(QLatin1String("id")).toString();
        p.traceId = o.value(QLatin1String("trace_id")).toString();
        p.opName = o.value(QLatin1String("op_name")).toString();
        p.model = o.value(QLatin1String("model")).toString();
        p.startedAt =
            QDateTime::fromString(o.value(QLatin1String("started_at")).toString(), Qt::ISODateWithMs);
        p.inputTokens = o.value(QLatin1String("input_tokens")).toDouble();
        p.outputTokens = o.value(QLatin1String("output_tokens")).toDouble();
        if (const QJsonValue cost = o.value(QLatin1String("total_cost")); cost.isDouble())
            p.cost = cost.toDouble();
        points.append(p);
    }
    return points;
}

QVector<StatsSeries> scatterSeries(const QVector<UsagePoint>& sample, int topModels)
{
    QHash<QString, int> counts;
    for (const UsagePoint& p : sample)
        ++counts[p.model];
    QStringList models = counts.keys();
    std::sort(models.begin(), models.end(), [&](const QString& a, const QString& b) {
        return counts[a] != counts[b] ? counts[a] > counts[b] : a < b;
    });
    const bool needOther = models.size() > topModels;
    QHash<QString, int> seriesOf;
    QVector<StatsSeries> out;
    for (int i = 0; i < qMin(int(models.size()), topModels); ++i) {
        seriesOf.insert(models[i], i);
        out.append(StatsSeries { models[i], {}, {} });
    }
    if (needOther)
        out.append(StatsSeries { QStringLiteral("other"), {}, {} });
    for (int i = 0; i < sample.size(); ++i) {
        StatsSeries& series = out[seriesOf.value(sample[i].model, int(out.size()) - 1)];
        series.points.append(QPointF(sample[i].inputTokens, sample[i].outputTokens));
        series.sampleIndex.append(i);
    }
    return out;
}

QString opFilterFor(const QString& opName)
{
    // weave:///entity/project/op/name:digest → weave:///entity/project/op/name:*
    const qsizetype colon = opName.lastIndexOf(QLatin1Char(':'));
    if (opName.startsWith(QLatin1String("weave:///")) && opName.contains(QLatin1String("/op/"))
        && colon > opName.lastIndexOf(QLatin1Char('/')))
        return opName.left(colon) + QLatin1String(":*");
    return opName;
}

} // namespace spindle::models
