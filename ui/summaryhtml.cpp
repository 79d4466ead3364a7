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

// One block per model (a heading and label/value rows) rather than one eight-column table: the
// detail pane is often under 400 px wide, where such a table broke its headers and numbers mid-word.
QString usageTable(const spindle::Call& call)
{
    const QJsonObject priced =
        call.summary.value(QLatin1String("weave")).toObject().value(QLatin1String("costs")).toObject();
    QString html = QStringLiteral("<h3>Usage and cost</h3>");
    for (const auto& cost : call.costs) {
        const QJsonObject price = priced.value(cost.model).toObject();
        html += QStringLiteral("<p style='margin-bottom:2px'><b>%1</b></p>"
                               "<table cellspacing='0' cellpadding='2'>")
                    .arg(cost.model.toHtmlEscaped());
        html += row(QStringLiteral("Requests"), QString::number(cost.requests));
        html += row(QStringLiteral("Tokens"),
            QStringLiteral("%1 prompt + %2 completion = %3")
                .arg(cost.promptTokens)
                .arg(cost.completionTokens)
                .arg(cost.totalTokens));
        html +=
            row(QStringLiteral("Cost"), cost.priced ? models::formatCost(cost.cost) : QStringLiteral("—"));
        if (price.isEmpty()) {
            html += row(QStringLiteral("Unit prices"), QStringLiteral("<i>no price for this model</i>"));
        } else {
            html += row(QStringLiteral("Unit prices"),
                QStringLiteral("%1 in, %2 out (%3)")
                    .arg(perMillion(price.value(QLatin1String("prompt_token_cost")).toDouble()),
                        perMillion(price.value(QLatin1String("completion_token_cost")).toDouble()),
                        price.value(QLatin1String("pricing_level")).toString().toHtmlEscaped()));
            html += row(QStringLiteral("Effective"),
                price.value(QLatin1String("effective_date")).toString().toHtmlEscaped());
        }
        html += QStringLiteral("</table>");
    }
    return html;
}

} // namespace

QString summaryHtml(const spindle::Call& call)
{
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='2'>");
    html += row(QStringLiteral("Status"), models::statusText(call.status).toHtmlEscaped());
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
