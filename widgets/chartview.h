#pragma once

// The one place Spindle draws charts (design.md "Charts"). Callers hand over plain series; the
// backend (Qt Charts today, Qt Graphs later) stays inside chartview.cpp.

#include <QColor>
#include <QPointF>
#include <QVector>
#include <QWidget>

#include <functional>
#include <memory>

namespace spindle::widgets {

struct ChartSeries
{
    QString name;
    QVector<QPointF> points; // x: epoch ms on a time axis, else a plain number
    QColor color = {}; // invalid: the next palette colour
};

// A time axis's ticks over [minMs, maxMs]: round local times, every 1, 2, 5, 10, 15 or 30 minutes,
// 1, 2, 3, 6 or 12 hours, or 1, 2 or 7 days, at most `maxTicks` of them, each with its label: the
// time ("HH:mm"), with the weekday when the range is well over a day, the date past two days.
struct TimeTick
{
    qint64 ms = 0;
    QString label;
};
QVector<TimeTick> timeAxisTicks(qint64 minMs, qint64 maxMs, int maxTicks = 7);

class ChartView : public QWidget
{
    Q_OBJECT
public:
    enum class Kind
    {
        Line,
        StackedBar, // all series share the first series' x values (one bar per x)
        Scatter,
    };

    explicit ChartView(Kind kind, QWidget* parent = nullptr);
    ~ChartView() override;

    void setTitle(const QString& title);
    void setAxisTitles(const QString& x, const QString& y);
    void setTimeAxis(bool time); // default true
    // How values read on the y axis (printf style, e.g. "$%.2f") and in tooltips.
    void setValueFormat(const QString& axisFormat, std::function<QString(double)> tooltip);
    // The x range to show at least (e.g. the whole requested period); applied by the next setSeries.
    void setXRange(double min, double max);
    // Replaces everything shown; series longer than ~2000 points should be downsampled first.
    void setSeries(const QVector<ChartSeries>& series);

    // Replaces the default tooltip (series, x, value), e.g. for scatter points that stand for calls.
    void setToolTipProvider(std::function<QString(int series, int index)> provider);

    int seriesCount() const;
    // The tooltip text for point `index` of series `series` (what hovering shows).
    QString toolTipText(int series, int index) const;
    // What a click on point `index` of series `series` emits (tests; the mouse does the same).
    void clickPoint(int series, int index);

Q_SIGNALS:
    void pointClicked(const QString& series, double x);
    void pointIndexClicked(int series, int index); // with pointClicked: which point of which series

private:
    struct Private;
    struct Bounds;
    void rebuild();
    Bounds dataBounds() const;
    void showXAxis();
    void addStackedBars(Bounds& bounds);
    void addXYSeries();
    void setAxisRanges(Bounds bounds);
    void showToolTip(int series, int index);
    int nearestIndex(int series, const QPointF& point) const;

    std::unique_ptr<Private> d;
};

} // namespace spindle::widgets
