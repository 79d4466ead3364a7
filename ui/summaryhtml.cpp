#include "ui/summaryhtml.h"

#include "models/callstablemodel.h"

#include <QDateTime>
#include <QJsonDocument>

namespace spindle::ui {
namespace {

QString row(const QString& label, const QString& value)
{
    return QStringLiteral("<tr><td style='color:#555;padding-right:14px'>%1</td><td>%2</td></tr>")
        .arg(label.toHtmlEscaped(), value);
}

QString time(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms)
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz t"))
        .toHtmlEscaped();
}

QString perMillion(double perToken)
{
    return QStringLiteral("$%1 / 1M").arg(perToken * 1e6, 0, 'g', 6);
}

QString usageTable(const spindle::Call& call)
{
    const QJsonObject priced =
        call.summary.value(QLatin1String("weave")).toObject().value(QLatin1String("costs")).toObject();
    QString html =
        QStringLiteral("<h3>Usage and cost</h3><table cellspacing='0' cellpadding='3' border='0'>"
                       "<tr style='background:#eef1f5'><th align='left'>Model</th><th>Requests</th>"
                       "<th>Prompt</th><th>Completion</th><th>Total</th><th>Cost</th>"
                       "<th align='left'>Unit prices</th><th align='left'>Effective</th></tr>");
    for (const auto& cost : call.costs) {
        const QJsonObject price = priced.value(cost.model).toObject();
        const QString prices = price.isEmpty()
            ? QStringLiteral("<i>no price for this model</i>")
            : QStringLiteral("%1 in, %2 out (%3)")
                  .arg(perMillion(price.value(QLatin1String("prompt_token_cost")).toDouble()),
                      perMillion(price.value(QLatin1String("completion_token_cost")).toDouble()),
                      price.value(QLatin1String("pricing_level")).toString().toHtmlEscaped());
        html += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td align='right'>%3</td>"
                               "<td align='right'>%4</td><td align='right'>%5</td><td align='right'>%6</td>"
                               "<td>%7</td><td>%8</td></tr>")
                    .arg(cost.model.toHtmlEscaped())
                    .arg(cost.requests)
                    .arg(cost.promptTokens)
                    .arg(cost.completionTokens)
                    .arg(cost.totalTokens)
                    .arg(cost.priced ? models::formatCost(cost.cost) : QStringLiteral("—"))
                    .arg(prices)
                    .arg(price.value(QLatin1String("effective_date")).toString().toHtmlEscaped());
    }
    return html + QStringLiteral("</table>");
}

} // namespace

QString summaryHtml(const spindle::Call& call)
{
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='2'>");
    html += row(QStringLiteral("Status"), call.status.toHtmlEscaped());
    html += row(QStringLiteral("Started"), time(call.startedAtMs));
    html += row(
        QStringLiteral("Ended"), call.endedAtMs ? time(*call.endedAtMs) : QStringLiteral("still running"));
    if (call.latencyMs)
        html += row(QStringLiteral("Latency"), models::formatLatency(*call.latencyMs));
    if (const auto cost = call.totalCost())
        html += row(QStringLiteral("Cost"), models::formatCost(*cost));
    if (call.totalTokens())
        html += row(QStringLiteral("Tokens"), QString::number(call.totalTokens()));
    html += row(QStringLiteral("Call ID"), call.id.toHtmlEscaped());
    html += row(QStringLiteral("Trace ID"), call.traceId.toHtmlEscaped());
    html += row(QStringLiteral("Op"), call.opName.toHtmlEscaped());
    if (!call.wbUserId.isEmpty())
        html += row(QStringLiteral("User"), call.wbUserId.toHtmlEscaped());
    html += QStringLiteral("</table>");
    if (!call.costs.isEmpty())
        html += usageTable(call);
    QJsonObject rest = call.summary;
    rest.remove(QStringLiteral("usage"));
    rest.remove(QStringLiteral("weave"));
    if (!rest.isEmpty()) {
        html +=
            QStringLiteral("<h3>Other summary values</h3><pre>%1</pre>")
                .arg(QString::fromUtf8(QJsonDocument(rest).toJson(QJsonDocument::Indented)).toHtmlEscaped());
    }
    return html;
}

} // namespace spindle::ui
