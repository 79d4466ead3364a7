// DashboardPage: the results on screen — the headline cards with their changes against the previous
// period, and the charts, drawn one per event-loop turn.
#include "models/callformat.h"
#include "ui/dashboardpage.h"
#include "widgets/chartview.h"

#include <QLabel>
#include <QLocale>
#include <QTimer>

namespace spindle::ui {

using models::formatCost;
using models::formatCount;
using models::formatLatency;
using widgets::ChartSeries;
using widgets::ChartView;

namespace {

QVector<ChartSeries> toChart(const QVector<models::StatsSeries>& series, const QVector<QColor>& colors = {})
{
    QVector<ChartSeries> out;
    for (int i = 0; i < series.size(); ++i)
        out.append(
            ChartSeries { series[i].name, series[i].points, i < colors.size() ? colors[i] : QColor() });
    return out;
}

QString percent(std::optional<double> rate)
{
    if (!rate)
        return QStringLiteral("–");
    if (*rate > 0 && *rate < 0.0005) // 1 error in 5,000 calls is not "0.0%"
        return QStringLiteral("<0.1%");
    return QStringLiteral("%1%").arg(*rate * 100, 0, 'f', *rate < 0.1 ? 1 : 0);
}

QString latency(std::optional<double> ms)
{
    return ms ? formatLatency(qRound64(*ms)) : QStringLiteral("–");
}

} // namespace

void DashboardPage::setCard(int index, const QString& value, std::optional<double> current,
    std::optional<double> previous, bool upIsBad)
{
    Card& card = m_cards[index];
    card.value->setText(value);
    const QString change = current ? models::formatChange(*current, previous) : QString();
    const auto ratio = current ? models::relativeChange(*current, previous) : std::nullopt;
    QString color = QStringLiteral("palette(dark)");
    if (ratio && std::abs(*ratio) >= 0.0005 && upIsBad)
        color = (*ratio > 0) ? QStringLiteral("#c0392b") : QStringLiteral("#2e8b57");
    card.change->setStyleSheet(QStringLiteral("color: %1;").arg(color));
    card.change->setText(change.isEmpty() ? QString() : tr("%1 vs previous").arg(change));
}

void DashboardPage::showCards()
{
    const auto& now = m_current.totals;
    const auto& before = m_previous.totals;
    const auto number = [](qint64 n) { return QLocale().toString(n); };
    // An unpriced model's cost is unknown, not $0: "—" when nothing is priced, a note when some is.
    const QStringList unpriced = m_current.unpricedModels();
    const bool unknown = !now.hasCost && !unpriced.isEmpty();
    setCard(0, unknown ? QStringLiteral("—") : formatCost(now.cost), now.cost, before.cost, true);
    Card& cost = m_cards[0];
    cost.title->setText(unpriced.isEmpty() || unknown
            ? tr("Total cost")
            : tr("Total cost (excl. %n unpriced)", nullptr, int(unpriced.size())));
    const QString addHint = tr("Add a price on the Prices page (Ctrl+3).");
    cost.value->setToolTip(unpriced.isEmpty()
            ? QString()
            : (unknown ? tr("No price is known for %1, so the cost is unknown (not $0). %2")
                       : tr("Not counted, because no price is known: %1. %2"))
                  .arg(unpriced.join(QStringLiteral(", ")), addHint));
    if (unknown)
        cost.change->clear();
    setCard(1, number(now.requests), double(now.requests), double(before.requests), false);
    setCard(2, formatCount(now.inputTokens), double(now.inputTokens), double(before.inputTokens), false);
    setCard(3, formatCount(now.outputTokens), double(now.outputTokens), double(before.outputTokens), false);
    setCard(4, number(now.calls), double(now.calls), double(before.calls), false);
    setCard(5, percent(now.errorRate()), now.errorRate(), before.errorRate(), true);
    setCard(6, latency(now.p50LatencyMs), now.p50LatencyMs, before.p50LatencyMs, true);
    setCard(7, latency(now.p95LatencyMs), now.p95LatencyMs, before.p95LatencyMs, true);
}

// One chart per event-loop turn: a chart's rebuild costs up to ~20 ms (the scatter's 2000 markers),
// so the GUI thread paints and answers input between them instead of stalling for all six.
void DashboardPage::showCharts()
{
    // Every time chart spans the whole period, also where a series has gaps (no latency without calls).
    const auto& grid = m_series.calls.isEmpty() ? QVector<QPointF>() : m_series.calls.first().points;
    if (!grid.isEmpty())
        for (ChartView* chart : { chart(QStringLiteral("tokens")), chart(QStringLiteral("calls")),
                 chart(QStringLiteral("latency")) })
            chart->setXRange(grid.first().x(), grid.last().x());
    const auto set = [this](const char* name, QVector<ChartSeries> series) {
        return [this, name, series] { chart(QLatin1String(name))->setSeries(series); };
    };
    m_chartSteps = { set("costByModel", toChart(m_series.costByModel)),
        set("costByOp", toChart(m_series.costByOp)), set("tokens", toChart(m_series.tokens)),
        set("calls", toChart(m_series.calls, { QColor(0x4e79a7), QColor(0xe15759) })),
        set("latency", toChart(m_series.latency, { QColor(0x59a14f), QColor(0xf28e2b), QColor(0xe15759) })),
        set("scatter", toChart(m_series.scatter)) };
    chart(QStringLiteral("costByOp"))
        ->setTitle(m_series.hasOps ? tr("Cost by op") : tr("Cost by op (needs a Spindle server)"));
    chart(QStringLiteral("scatter"))
        ->setTitle(!m_extensions ? tr("Prompt vs completion tokens (needs a Spindle server)")
                : m_series.sampledFrom > m_series.sample.size()
                ? tr("Prompt vs completion tokens (%1 of %2 requests, sampled)")
                      .arg(QLocale().toString(qint64(m_series.sample.size())),
                          QLocale().toString(m_series.sampledFrom))
                : tr("Prompt vs completion tokens"));
    applyNextChart(m_generation);
}

void DashboardPage::applyNextChart(quint64 generation)
{
    if (generation != m_generation)
        return; // a newer refresh took over
    if (m_chartSteps.isEmpty()) {
        Q_EMIT loaded();
        return;
    }
    m_chartSteps.takeFirst()();
    QTimer::singleShot(0, this, [this, generation] { applyNextChart(generation); });
}

QString DashboardPage::headlineText(int index) const
{
    if (index < 0 || index >= m_cards.size())
        return {};
    const Card& card = m_cards[index];
    return card.title->text() + QLatin1Char('|') + card.value->text() + QLatin1Char('|')
        + card.change->text();
}

QString DashboardPage::headlineToolTip(int index) const
{
    return index >= 0 && index < m_cards.size() ? m_cards[index].value->toolTip() : QString();
}

} // namespace spindle::ui
