#pragma once

#include <QHash>
#include <QString>
#include <QVector>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

class QObject;

namespace spindle::widgets {

// One call as the timeline sees it. Index in the vector handed to TimelineLayout::setSpans is the
// span's identity inside the layout; `id` is the caller's own key, passed back through signals.
struct TimelineSpan
{
    int id = -1; // caller's node index, returned by signals
    int parent = -1; // index into the same vector, -1 for roots
    qint64 startMs = 0; // epoch ms
    qint64 endMs = -1; // -1 while running (drawn up to the trace's end)
    QString label; // op / display name
    QString status; // success, error, running, descendant_error
    // The call's usage as its summary gives it: a parent's includes its children's (Weave rolls
    // usage up). Range summaries count each call's own share (TimelineLayout derives it).
    qint64 tokens = 0;
    double cost = 0; // USD
};

enum class TimelineStatus : quint8
{
    Success,
    Error,
    DescendantError,
    Running,
    Other
};

struct TimelineRangeSummary
{
    int calls = 0;
    qint64 latencyMs = 0;
    qint64 tokens = 0;
    double cost = 0;
};

/*
 * The widget-free half of the timeline: lanes, window queries, hit tests and range sums.
 *
 * Lanes (rows) follow the parent tree: every tree depth owns a band of consecutive lanes, bands in
 * depth order, so children always sit below their parent (flame/icicle layout). Inside a band a
 * span takes the first lane that is free at its start (greedy interval partitioning), so siblings
 * that ran in parallel get rows of their own instead of hiding each other; a sequential trace gets
 * exactly one lane per depth. Touching spans (end == next start) share a lane.
 *
 * Spans of one lane never overlap, so sorted by start their ends ascend too: the spans visible
 * in [t0, t1] are one contiguous run found with two binary searches, O(log n + reported), and with
 * pixel folding a lane reports at most about two spans per pixel column, whatever n is. Building
 * costs O(n log n).
 */
class TimelineLayout
{
public:
    void setSpans(QVector<TimelineSpan> spans);
    void clear();

    int spanCount() const
    {
        return int(m_spans.size());
    }
    const TimelineSpan& span(int index) const
    {
        return m_spans[index];
    }
    int laneCount() const
    {
        return int(m_laneDepth.size());
    }
    int laneOf(int index) const
    {
        return m_lane[index];
    }
    int depthOf(int index) const
    {
        return m_depth[index];
    }
    int laneDepth(int lane) const
    {
        return m_laneDepth[lane];
    }
    qint64 startMs() const
    {
        return m_startMs;
    }
    qint64 endMs() const
    {
        return m_endMs;
    }
    // The end used for layout: endMs, or the trace's end for running spans (never before start).
    qint64 effectiveEnd(int index) const
    {
        return m_end[index];
    }
    bool isRunning(int index) const
    {
        return m_spans[index].endMs < 0;
    }
    TimelineStatus status(int index) const
    {
        return m_status[index];
    }
    int indexOfId(int id) const; // first span with that caller id, or -1

    // Calls fn(int index) for every span on `lane` whose [start, effectiveEnd] intersects [t0, t1]
    // (both inclusive), in start order.
    template <typename Fn> void forEachSpan(int lane, qint64 t0, qint64 t1, Fn&& fn) const
    {
        forEachSpanMerged(lane, t0, t1, 0.0, 0.0, [&](int index, bool) { fn(index); });
    }

    // Like forEachSpan, for painting. The time axis is cut into buckets of `bucketMs` starting at
    // `originMs` (one bucket = one pixel column). A span shorter than one bucket is "thin" and is
    // painted as a 1-px mark in the bucket of its start; once a thin span is reported, the other
    // thin spans starting in the same bucket are folded into it, so each lane reports at most one
    // thin span per bucket. fn(index, false) reports a span; fn(rep, true) says an error span was
    // folded into the reported thin span `rep`. bucketMs <= 0 disables folding.
    template <typename Fn>
    void forEachSpanMerged(int lane, qint64 t0, qint64 t1, double originMs, double bucketMs, Fn&& fn) const
    {
        if (lane < 0 || lane >= laneCount() || t1 < t0)
            return;
        const int hi = m_laneBegin[lane + 1];
        int k = int(std::lower_bound(m_ends.cbegin() + m_laneBegin[lane], m_ends.cbegin() + hi, t0)
            - m_ends.cbegin());
        const auto column = [&](qint64 t) { return std::floor((double(t) - originMs) / bucketMs); };
        const auto thin = [&](int slot) { return double(m_ends[slot] - m_starts[slot]) < bucketMs; };
        while (k < hi && m_starts[k] <= t1) {
            fn(m_order[k], false);
            if (bucketMs <= 0 || !thin(k)) {
                ++k;
                continue;
            }
            // Fold the rest of k's pixel column. All its spans but the last end before the next
            // one starts, so lie inside the column; the last one may be long and is kept.
            const double col = column(m_starts[k]);
            const int next = int(std::partition_point(m_starts.cbegin() + k + 1, m_starts.cbegin() + hi,
                                     [&](qint64 start) { return column(start) <= col; })
                - m_starts.cbegin());
            const int stop = next - 1 > k && !thin(next - 1) ? next - 1 : next;
            if (m_errorPrefix[stop] > m_errorPrefix[k + 1])
                fn(m_order[k], true);
            k = stop;
        }
    }

    // Hit test: the span on `lane` containing timeMs (the later one where two touch); otherwise the
    // nearest span within toleranceMs (the earlier one on a tie); otherwise -1.
    int spanAt(qint64 timeMs, int lane, qint64 toleranceMs) const;

    // Sums over the calls whose interval [start, effectiveEnd] overlaps [t0, t1] (inclusive; the
    // bounds are swapped if reversed). latencyMs is the sum of those calls' whole durations (not
    // clipped to the range), so nested calls count once each; tokens and cost are the calls' own
    // (a span's minus its children's, at least 0), so a parent and its children are not counted
    // twice.
    // O(log n) through prefix sums over start-sorted and end-sorted orders.
    TimelineRangeSummary summarize(qint64 t0, qint64 t1) const;

    // Display text: a span's tooltip (rich text: name, status, start offset, duration, tokens,
    // cost; empty for a bad index) and the one-line label of a selected range.
    QString toolTip(int index) const;
    QString rangeText(qint64 t0, qint64 t1) const;

private:
    struct Sums
    {
        qint64 calls = 0;
        qint64 latencyMs = 0;
        qint64 tokens = 0;
        double cost = 0;
    };

    void assignLanes();
    void buildSlots(const QVector<int>& order);
    void buildPrefixSums();
    void computeOwnUsage();

    QVector<TimelineSpan> m_spans;
    QHash<int, int> m_indexById;
    QVector<int> m_depth; // per span: depth in the parent tree
    QVector<int> m_lane; // per span
    QVector<qint64> m_end; // per span: effective end
    QVector<TimelineStatus> m_status; // per span
    QVector<qint64> m_ownTokens; // per span: its tokens less its children's
    QVector<double> m_ownCost; // per span: its cost less its children's
    QVector<int> m_laneDepth; // per lane
    // Slots: all spans sorted by (lane, start, index); lane l owns [m_laneBegin[l], m_laneBegin[l+1]).
    QVector<int> m_laneBegin;
    QVector<int> m_order; // slot -> span index
    QVector<qint64> m_starts;
    QVector<qint64> m_ends;
    QVector<int> m_errorPrefix; // error spans among slots [0, k)
    // Range sums: keys sorted ascending, prefix[k] = sums over the first k spans in that order.
    QVector<qint64> m_sortedStarts;
    QVector<Sums> m_startPrefix;
    QVector<qint64> m_sortedEnds;
    QVector<Sums> m_endPrefix;
    qint64 m_startMs = 0;
    qint64 m_endMs = 0;
};

// The visible time window of a timeline mapped onto a plot `width` pixels wide (x = 0 at the
// window's start). Setters clamp: the zoom stays between kMinMsPerPixel and four times the trace,
// and the window's centre stays inside the trace, so it cannot be panned away into nothing. They
// return whether the window changed.
class TimelineViewport
{
public:
    static constexpr double kMinMsPerPixel = 0.02; // deepest zoom: 50 px per millisecond

    double startMs() const
    {
        return m_start;
    }
    double endMs() const
    {
        return m_end;
    }
    int width() const
    {
        return m_width;
    }
    double msPerPixel() const
    {
        return (m_end - m_start) / m_width;
    }
    double xForTime(double timeMs) const
    {
        return (timeMs - m_start) / msPerPixel();
    }
    double timeForX(double x) const
    {
        return m_start + x * msPerPixel();
    }
    void setTraceBounds(qint64 startMs, qint64 endMs);
    bool setWidth(int pixels); // keeps the time window (re-clamped)
    bool setRange(double startMs, double endMs);
    bool zoomBy(double factor, double anchorX); // the time at anchorX stays put (unless clamped)
    bool panBy(double dx); // in pixels; positive moves the window later
    bool fit(); // the whole trace plus 2% on each side
    // Brings [startMs, endMs] into the window keeping the zoom: centred if it fits, else its start.
    bool reveal(double startMs, double endMs);

private:
    double m_start = 0;
    double m_end = 1;
    int m_width = 1;
    qint64 m_traceStart = 0;
    qint64 m_traceEnd = 0;
};

// Builds a layout on backgroundPool() and calls done(layout) on the GUI thread, unless
// `context` (a GUI-thread object) was destroyed meanwhile. The worker never touches `context`.
void buildTimelineLayoutAsync(
    QVector<TimelineSpan> spans, QObject* context, std::function<void(TimelineLayout)> done);

// Time axis: the smallest 1-2-5 step (at least 1 ms) leaving minSpacingPx between ticks, and a
// tick's label for an offset from the trace start, in ms or s with the decimals the step needs.
double timelineTickStep(double msPerPixel, int minSpacingPx = 90);
QString timelineTickLabel(double offsetMs, double stepMs);

} // namespace spindle::widgets
