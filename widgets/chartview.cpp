#include "widgets/chartview.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QDateTime>
#include <QLegendMarker>
#include <QLineSeries>
#include <QRegularExpression>
#include <QScatterSeries>
#include <QStackedBarSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace spindle::widgets {

namespace {

// Tableau 10: distinguishable, calm, and readable on white.
const QColor kPalette[] = { QColor(0x4e79a7), QColor(0xf28e2b), QColor(0x59a14f), QColor(0xb07aa1),
    QColor(0x76b7b2), QColor(0xedc948), QColor(0xff9da7), QColor(0x9c755f), QColor(0xe15759),
    QColor(0xbab0ac) };

QColor colorFor(const ChartSeries& series, int index)
{
    if (series.color.isValid())
        return series.color;
    if (series.name == QLatin1String("other"))
        return QColor(0xbab0ac);
    return kPalette[index % int(std::size(kPalette))];
}

// A maximum that splits into 4 round steps: 1, 2, 3, 4, 6 or 8 times a power of ten.
double niceMax(double value)
{
    if (value <= 0)
        return 1;
    const double power = std::pow(10.0, std::floor(std::log10(value)));
    for (const double m : { 1.0, 2.0, 3.0, 4.0, 6.0, 8.0 })
        if (value <= m * power * (1 + 1e-9))
            return m * power;
    return 10 * power;
}

// The first round local time at or after `fromMs`: minutes, hours and days count from local midnight.
qint64 firstRoundTime(qint64 fromMs, qint64 stepMs)
{
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(fromMs);
    const qint64 midnight = QDateTime(from.date(), QTime(0, 0)).toMSecsSinceEpoch();
    return midnight + (fromMs - midnight + stepMs - 1) / stepMs * stepMs;
}

void setTimeTicks(QCategoryAxis* axis, double minMs, double maxMs)
{
    for (const QString& label : axis->categoriesLabels())
        axis->remove(label);
    axis->setStartValue(minMs);
    for (const TimeTick& tick : timeAxisTicks(qint64(minMs), qint64(maxMs)))
        axis->append(tick.label, double(tick.ms));
}

// The caller's printf format with just enough decimals for the tick step ("$%.2f" → "$%.3f" for 0.005).
QString axisFormatFor(const QString& format, double step)
{
    static const QRegularExpression precision(QStringLiteral("%\\.(\\d+)f"));
    if (step <= 0 || !format.contains(precision))
        return format;
    int decimals = 0;
    while (decimals < 6
        && std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
        ++decimals;
    QString out = format;
    return out.replace(precision, QStringLiteral("%.%1f").arg(decimals));
}

} // namespace

QVector<TimeTick> timeAxisTicks(qint64 minMs, qint64 maxMs, int maxTicks)
{
    constexpr qint64 kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;
    static constexpr qint64 kSteps[] = { kMinute, 2 * kMinute, 5 * kMinute, 10 * kMinute, 15 * kMinute,
        30 * kMinute, kHour, 2 * kHour, 3 * kHour, 6 * kHour, 12 * kHour, kDay, 2 * kDay, 7 * kDay };
    const qint64 span = maxMs - minMs;
    if (span <= 0 || maxTicks < 2)
        return {};
    qint64 step = kSteps[std::size(kSteps) - 1];
    for (qint64 candidate : kSteps)
        if (span / candidate + 1 <= maxTicks) {
            step = candidate;
            break;
        }
    // A quarter of a day of slack: bar charts pad their range by half a bar on each side.
    const QString format = span > 2 * kDay + kDay / 4 ? QStringLiteral("MMM d")
        : span > kDay + kDay / 4                      ? QStringLiteral("ddd HH:mm")
                                                      : QStringLiteral("HH:mm");
    QVector<TimeTick> ticks;
    // Days step in local time, so that they stay whole across a daylight-saving change.
    QDateTime at = QDateTime::fromMSecsSinceEpoch(firstRoundTime(minMs, std::min(step, kDay)));
    while (at.toMSecsSinceEpoch() <= maxMs && ticks.size() < 4 * maxTicks) {
        ticks.append({ at.toMSecsSinceEpoch(), QLocale::c().toString(at, format) });
        at = step >= kDay ? at.addDays(step / kDay) : at.addMSecs(step);
    }
    return ticks;
}

struct ChartView::Private
{
    Kind kind;
    QChart* chart = nullptr;
    QChartView* view = nullptr;
    QVector<ChartSeries> data;
    QString xTitle, yTitle;
    QString axisFormat = QStringLiteral("%.0f");
    std::function<QString(double)> format = [](double v) { return QString::number(v, 'g', 6); };
    std::function<QString(int, int)> toolTips;
    bool timeAxis = true;
    double xMin = std::nan(""), xMax = std::nan("");
    // Created once and kept: only the series are replaced (removing axes of a shown chart left stale
    // ranges painted in Qt 6.4).
    QValueAxis* yAxis = nullptr;
    QCategoryAxis* timeX = nullptr; // labels at round times (timeAxisTicks), x in epoch ms
    QValueAxis* valueX = nullptr;
    QBarCategoryAxis* categories = nullptr; // StackedBar only: hidden, the bars' own x axis

    // The x axis the chart shows: time or value, as setTimeAxis chose.
    QAbstractAxis* xAxis() const
    {
        return timeAxis ? static_cast<QAbstractAxis*>(timeX) : valueX;
    }
};

ChartView::ChartView(Kind kind, QWidget* parent)
    : QWidget(parent)
    , d(std::make_unique<Private>())
{
    d->kind = kind;
    d->chart = new QChart;
    d->chart->setAnimationOptions(QChart::NoAnimation);
    d->chart->setBackgroundRoundness(0);
    d->chart->setMargins(QMargins(4, 4, 4, 4));
    d->chart->legend()->setAlignment(Qt::AlignBottom);
    QFont titleFont = font();
    titleFont.setBold(true);
    d->chart->setTitleFont(titleFont);
    d->yAxis = new QValueAxis(d->chart);
    d->yAxis->setTickCount(5);
    d->yAxis->setMinorGridLineVisible(false);
    d->yAxis->setTruncateLabels(false);
    d->chart->addAxis(d->yAxis, Qt::AlignLeft);
    d->timeX = new QCategoryAxis(d->chart);
    d->timeX->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    d->timeX->setTruncateLabels(false);
    d->valueX = new QValueAxis(d->chart);
    d->valueX->setLabelFormat(QStringLiteral("%.0f"));
    d->valueX->setTickCount(5);
    d->valueX->setMinorGridLineVisible(false);
    if (kind == Kind::StackedBar) {
        d->categories = new QBarCategoryAxis(d->chart);
        d->chart->addAxis(d->categories, Qt::AlignBottom);
        d->categories->setVisible(false);
    }
    d->view = new QChartView(d->chart, this);
    d->view->setRenderHint(QPainter::Antialiasing);
    d->view->setMinimumHeight(220);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->view);
}

ChartView::~ChartView() = default;

void ChartView::setTitle(const QString& title)
{
    d->chart->setTitle(title);
}

void ChartView::setAxisTitles(const QString& x, const QString& y)
{
    d->xTitle = x;
    d->yTitle = y;
    rebuild();
}

void ChartView::setTimeAxis(bool time)
{
    d->timeAxis = time;
    rebuild();
}

void ChartView::setValueFormat(const QString& axisFormat, std::function<QString(double)> tooltip)
{
    d->axisFormat = axisFormat;
    if (tooltip)
        d->format = std::move(tooltip);
    rebuild();
}

void ChartView::setXRange(double min, double max)
{
    d->xMin = min;
    d->xMax = max;
}

void ChartView::setSeries(const QVector<ChartSeries>& series)
{
    d->data = series;
    rebuild();
}

void ChartView::setToolTipProvider(std::function<QString(int series, int index)> provider)
{
    d->toolTips = std::move(provider);
}

void ChartView::clickPoint(int series, int index)
{
    if (series < 0 || series >= d->data.size() || index < 0 || index >= d->data[series].points.size())
        return;
    Q_EMIT pointClicked(d->data[series].name, d->data[series].points[index].x());
    Q_EMIT pointIndexClicked(series, index);
}

int ChartView::seriesCount() const
{
    return int(d->chart->series().size());
}

QString ChartView::toolTipText(int series, int index) const
{
    if (series < 0 || series >= d->data.size() || index < 0 || index >= d->data[series].points.size())
        return {};
    if (d->toolTips)
        return d->toolTips(series, index);
    const QPointF point = d->data[series].points[index];
    const QString x = d->timeAxis ? QDateTime::fromMSecsSinceEpoch(qint64(point.x()))
                                        .toLocalTime()
                                        .toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                                  : QString::number(point.x());
    QString text = QStringLiteral("<b>%1</b><br>%2: %3")
                       .arg(d->data[series].name.toHtmlEscaped(), x, d->format(point.y()));
    if (d->kind == Kind::StackedBar && d->data.size() > 1) {
        double total = 0;
        for (const ChartSeries& other : std::as_const(d->data))
            total += index < other.points.size() ? other.points[index].y() : 0;
        text += QStringLiteral("<br>all: %1").arg(d->format(total));
    }
    return text;
}

int ChartView::nearestIndex(int series, const QPointF& point) const
{
    const QVector<QPointF>& points = d->data[series].points;
    if (points.isEmpty())
        return -1;
    if (d->kind == Kind::Scatter) {
        // Points are not ordered by x: the nearest in data units, each axis scaled by its span.
        const double sx = qMax(1e-9, d->valueX->max() - d->valueX->min());
        const double sy = qMax(1e-9, d->yAxis->max() - d->yAxis->min());
        int best = 0;
        double bestDistance = std::numeric_limits<double>::max();
        for (int i = 0; i < points.size(); ++i) {
            const double dx = (points[i].x() - point.x()) / sx, dy = (points[i].y() - point.y()) / sy;
            if (dx * dx + dy * dy < bestDistance) {
                bestDistance = dx * dx + dy * dy;
                best = i;
            }
        }
        return best;
    }
    const double x = point.x();
    const auto it = std::lower_bound(
        points.begin(), points.end(), x, [](const QPointF& p, double v) { return p.x() < v; });
    int index = int(it - points.begin());
    if (index >= points.size() || (index > 0 && x - points[index - 1].x() < points[index].x() - x))
        --index;
    return qBound(0, index, int(points.size()) - 1);
}

void ChartView::showToolTip(int series, int index)
{
    QToolTip::showText(QCursor::pos(), toolTipText(series, index), d->view);
}

// The data's x extent and largest value; 0 to 1 and 0 without points.
struct ChartView::Bounds
{
    double minX = 0, maxX = 1, maxY = 0;
};

ChartView::Bounds ChartView::dataBounds() const
{
    Bounds bounds;
    bool any = false;
    for (const ChartSeries& s : std::as_const(d->data))
        for (const QPointF& p : s.points) {
            bounds.minX = any ? qMin(bounds.minX, p.x()) : p.x();
            bounds.maxX = any ? qMax(bounds.maxX, p.x()) : p.x();
            bounds.maxY = qMax(bounds.maxY, p.y());
            any = true;
        }
    return bounds;
}

// The time or the value axis at the bottom, as setTimeAxis chose; the other one comes off the chart.
void ChartView::showXAxis()
{
    QChart* chart = d->chart;
    QAbstractAxis* xAxis = d->xAxis();
    for (QAbstractAxis* axis :
        { static_cast<QAbstractAxis*>(d->timeX), static_cast<QAbstractAxis*>(d->valueX) })
        if (axis != xAxis && chart->axes(Qt::Horizontal).contains(axis))
            chart->removeAxis(axis);
    if (!chart->axes(Qt::Horizontal).contains(xAxis))
        chart->addAxis(xAxis, Qt::AlignBottom);
    xAxis->setTitleText(d->xTitle);
}

// One bar per x of the first series, the series stacked: `bounds` gets the tallest stack and half a
// bar more on each side of x.
void ChartView::addStackedBars(Bounds& bounds)
{
    auto* bars = new QStackedBarSeries;
    bars->setBarWidth(0.85);
    const QVector<QPointF> grid = d->data.isEmpty() ? QVector<QPointF>() : d->data.first().points;
    QVector<double> stack(grid.size(), 0);
    for (int i = 0; i < d->data.size(); ++i) {
        const ChartSeries& s = d->data[i];
        auto* set = new QBarSet(s.name);
        QList<qreal> values;
        values.reserve(grid.size());
        for (int k = 0; k < grid.size(); ++k)
            values.append(k < s.points.size() ? s.points[k].y() : 0);
        for (int k = 0; k < grid.size(); ++k)
            stack[k] += values[k];
        set->append(values);
        set->setColor(colorFor(s, i));
        set->setBorderColor(colorFor(s, i));
        connect(set, &QBarSet::hovered, this,
            [this, i](bool on, int index) { on ? showToolTip(i, index) : QToolTip::hideText(); });
        connect(set, &QBarSet::clicked, this, [this, i](int index) { clickPoint(i, index); });
        bars->append(set);
    }
    bounds.maxY = stack.isEmpty() ? 0 : *std::max_element(stack.begin(), stack.end());
    d->chart->addSeries(bars);
    // Bars sit on a hidden category axis; the visible time axis spans the same bucket edges.
    QStringList names;
    for (int k = 0; k < grid.size(); ++k)
        names.append(QString::number(k));
    d->categories->clear();
    d->categories->append(names);
    bars->attachAxis(d->categories);
    bars->attachAxis(d->yAxis);
    const double step = grid.size() > 1 ? (bounds.maxX - bounds.minX) / (grid.size() - 1) : 3600e3;
    bounds.minX -= step / 2;
    bounds.maxX += step / 2;
}

// A line or scatter series per data series, on the shown x axis and the y axis.
void ChartView::addXYSeries()
{
    for (int i = 0; i < d->data.size(); ++i) {
        const ChartSeries& s = d->data[i];
        QXYSeries* series = d->kind == Kind::Scatter ? static_cast<QXYSeries*>(new QScatterSeries)
                                                     : static_cast<QXYSeries*>(new QLineSeries);
        series->setName(s.name);
        series->replace(QList<QPointF>(s.points.begin(), s.points.end())); // one call, no per-point signals
        if (auto* scatter = qobject_cast<QScatterSeries*>(series)) {
            scatter->setMarkerSize(6);
            scatter->setBorderColor(Qt::transparent);
            QColor color = colorFor(s, i);
            color.setAlpha(170); // overlapping points read as denser areas
            scatter->setColor(color);
        } else {
            QPen pen(colorFor(s, i), 2);
            series->setPen(pen);
            series->setPointsVisible(s.points.size() <= 40);
        }
        connect(series, &QXYSeries::hovered, this, [this, i](const QPointF& point, bool on) {
            on ? showToolTip(i, nearestIndex(i, point)) : QToolTip::hideText();
        });
        connect(series, &QXYSeries::clicked, this,
            [this, i](const QPointF& point) { clickPoint(i, nearestIndex(i, point)); });
        d->chart->addSeries(series);
        series->attachAxis(d->xAxis());
        series->attachAxis(d->yAxis);
    }
}

// Both axes' ranges over `bounds`, widened to the x range the caller asked for (setXRange).
void ChartView::setAxisRanges(Bounds bounds)
{
    if (d->kind == Kind::Scatter && !d->timeAxis) { // token counts: from 0 to a round number
        bounds.minX = 0;
        bounds.maxX = niceMax(bounds.maxX * 1.02);
    }
    if (bounds.minX == bounds.maxX)
        bounds.maxX = bounds.minX + 1;
    if (d->kind != Kind::StackedBar && !std::isnan(d->xMin) && !std::isnan(d->xMax)) {
        bounds.minX = qMin(bounds.minX, d->xMin);
        bounds.maxX = qMax(bounds.maxX, d->xMax);
    }
    d->xAxis()->setRange(bounds.minX, bounds.maxX);
    if (d->timeAxis)
        setTimeTicks(d->timeX, bounds.minX, bounds.maxX);
    QValueAxis* yAxis = d->yAxis;
    // A fixed tick count (changing it on a shown chart repaints late in Qt 6.4) and a nice maximum.
    yAxis->setRange(0, niceMax(bounds.maxY * 1.02));
    yAxis->setLabelFormat(
        axisFormatFor(d->axisFormat, (yAxis->max() - yAxis->min()) / qMax(1, yAxis->tickCount() - 1)));
}

void ChartView::rebuild()
{
    d->chart->removeAllSeries();
    Bounds bounds = dataBounds();
    d->yAxis->setLabelFormat(d->axisFormat);
    d->yAxis->setTitleText(d->yTitle);
    showXAxis();
    if (d->kind == Kind::StackedBar)
        addStackedBars(bounds);
    else
        addXYSeries();
    setAxisRanges(bounds);
    d->chart->legend()->setVisible(d->data.size() > 1);
    // The legend elides names to fit (a model's or an op's full name often does not): hovering an
    // entry shows it whole. The markers go with their series, and their connections with them.
    for (QLegendMarker* marker : d->chart->legend()->markers())
        connect(marker, &QLegendMarker::hovered, this, [this, name = marker->label()](bool on) {
            on ? QToolTip::showText(QCursor::pos(), name, d->view) : QToolTip::hideText();
        });
}

} // namespace spindle::widgets
