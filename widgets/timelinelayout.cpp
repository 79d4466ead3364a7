#include "widgets/timelinelayout.h"

#include "models/callstablemodel.h"
#include "widgets/backgroundpool.h"

#include <QCoreApplication>
#include <QPointer>
#include <QThreadPool>
#include <queue>

#include <algorithm>
#include <memory>
#include <numeric>
#include <vector>

namespace spindle::widgets {

namespace {

constexpr int kUnknown = -1;
constexpr int kVisiting = -2;

int validParent(const QVector<TimelineSpan>& spans, int i)
{
    const int p = spans[i].parent;
    return p >= 0 && p < spans.size() && p != i ? p : -1;
}

// Depth of every span in the parent tree, iteratively (a 100k-deep chain must not overflow the
// stack). Invalid parents make roots; a parent cycle is cut where the walk first meets itself.
QVector<int> treeDepths(const QVector<TimelineSpan>& spans)
{
    const int n = int(spans.size());
    QVector<int> depth(n, kUnknown);
    QVector<int> stack;
    for (int i = 0; i < n; ++i) {
        int cur = i;
        while (depth[cur] == kUnknown) {
            depth[cur] = kVisiting;
            stack.append(cur);
            const int p = validParent(spans, cur);
            if (p < 0 || depth[p] == kVisiting)
                break;
            cur = p;
        }
        while (!stack.isEmpty()) {
            const int c = stack.takeLast();
            const int p = validParent(spans, c);
            depth[c] = p >= 0 && depth[p] >= 0 ? depth[p] + 1 : 0;
        }
    }
    return depth;
}

TimelineStatus statusOf(const QString& status)
{
    if (status == QLatin1String("success"))
        return TimelineStatus::Success;
    if (status == QLatin1String("error"))
        return TimelineStatus::Error;
    if (status == QLatin1String("descendant_error"))
        return TimelineStatus::DescendantError;
    if (status == QLatin1String("running"))
        return TimelineStatus::Running;
    return TimelineStatus::Other;
}

QString tr(const char* text)
{
    return QCoreApplication::translate("spindle::widgets::TimelineWidget", text);
}

// Indices 0..n-1 ordered by key(i), then by index. Sorting (key, index) pairs kept side by side
// is several times faster than an index sort whose comparator chases the spans in memory.
template <typename KeyFn> QVector<int> sortedBy(int n, KeyFn key)
{
    using Key = decltype(key(0));
    std::vector<std::pair<Key, int>> keyed(n);
    for (int i = 0; i < n; ++i)
        keyed[i] = { key(i), i };
    std::sort(keyed.begin(), keyed.end());
    QVector<int> order(n);
    for (int k = 0; k < n; ++k)
        order[k] = keyed[k].second;
    return order;
}

} // namespace

void TimelineLayout::clear()
{
    setSpans({});
}

void TimelineLayout::setSpans(QVector<TimelineSpan> spans)
{
    m_spans = std::move(spans);
    const int n = int(m_spans.size());
    m_indexById.clear();
    m_indexById.reserve(n);
    qint64 first = std::numeric_limits<qint64>::max();
    qint64 last = std::numeric_limits<qint64>::min();
    for (int i = n - 1; i >= 0; --i) { // backwards, so the first span with an id wins
        const TimelineSpan& s = m_spans[i];
        first = std::min(first, s.startMs);
        last = std::max({ last, s.startMs, s.endMs });
        m_indexById.insert(s.id, i);
    }
    m_startMs = n ? first : 0;
    m_endMs = n ? last : 0;
    m_end.resize(n);
    m_status.resize(n);
    for (int i = 0; i < n; ++i) {
        const TimelineSpan& s = m_spans[i];
        m_end[i] = std::max(s.endMs < 0 ? m_endMs : s.endMs, s.startMs);
        m_status[i] = statusOf(s.status);
    }
    m_depth = treeDepths(m_spans);
    assignLanes();
    computeOwnUsage();
    buildPrefixSums();
}

void TimelineLayout::computeOwnUsage()
{
    const int n = int(m_spans.size());
    m_ownTokens.resize(n);
    m_ownCost.resize(n);
    for (int i = 0; i < n; ++i) {
        m_ownTokens[i] = m_spans[i].tokens;
        m_ownCost[i] = m_spans[i].cost;
    }
    for (int i = 0; i < n; ++i) {
        const int parent = m_spans[i].parent;
        if (parent >= 0 && parent < n && parent != i) {
            m_ownTokens[parent] -= m_spans[i].tokens;
            m_ownCost[parent] -= m_spans[i].cost;
        }
    }
    for (int i = 0; i < n; ++i) { // a summary short of its children's (a server's rounding) is 0
        m_ownTokens[i] = std::max<qint64>(m_ownTokens[i], 0);
        m_ownCost[i] = std::max(m_ownCost[i], 0.0);
    }
}

int TimelineLayout::indexOfId(int id) const
{
    return m_indexById.value(id, -1);
}

// Greedy interval partitioning per depth band: spans in start order take the lowest free row.
void TimelineLayout::assignLanes()
{
    const int n = int(m_spans.size());
    const QVector<int> order =
        sortedBy(n, [this](int i) { return std::pair(m_depth[i], m_spans[i].startMs); });
    using Busy = std::pair<qint64, int>; // (end, row)
    std::priority_queue<Busy, std::vector<Busy>, std::greater<>> busy;
    std::priority_queue<int, std::vector<int>, std::greater<>> freeRows;
    m_lane.resize(n);
    m_laneDepth.clear();
    int depth = -1;
    int base = 0;
    for (const int i : order) {
        if (m_depth[i] != depth) {
            depth = m_depth[i];
            base = int(m_laneDepth.size());
            busy = {};
            freeRows = {};
        }
        while (!busy.empty() && busy.top().first <= m_spans[i].startMs) {
            freeRows.push(busy.top().second);
            busy.pop();
        }
        int row = int(m_laneDepth.size()) - base;
        if (freeRows.empty()) {
            m_laneDepth.append(depth);
        } else {
            row = freeRows.top();
            freeRows.pop();
        }
        busy.push({ m_end[i], row });
        m_lane[i] = base + row;
    }
    buildSlots(order);
}

// Lays the spans out lane after lane: a stable counting sort of `order`, which is already by
// start within each depth.
void TimelineLayout::buildSlots(const QVector<int>& order)
{
    const int n = int(m_spans.size());
    const int lanes = laneCount();
    m_laneBegin.fill(0, lanes + 1);
    for (int i = 0; i < n; ++i)
        ++m_laneBegin[m_lane[i] + 1];
    std::partial_sum(m_laneBegin.begin(), m_laneBegin.end(), m_laneBegin.begin());
    QVector<int> next = m_laneBegin;
    m_order.resize(n);
    for (const int i : order)
        m_order[next[m_lane[i]]++] = i;
    m_starts.resize(n);
    m_ends.resize(n);
    m_errorPrefix.resize(n + 1);
    m_errorPrefix[0] = 0;
    for (int k = 0; k < n; ++k) {
        const int i = m_order[k];
        m_starts[k] = m_spans[i].startMs;
        m_ends[k] = m_end[i];
        m_errorPrefix[k + 1] = m_errorPrefix[k] + (m_status[i] == TimelineStatus::Error ? 1 : 0);
    }
}

void TimelineLayout::buildPrefixSums()
{
    const int n = int(m_spans.size());
    auto prefixBy = [&](const QVector<qint64>& key, QVector<qint64>& sortedKeys, QVector<Sums>& prefix) {
        const QVector<int> order = sortedBy(n, [&](int i) { return key[i]; });
        sortedKeys.resize(n);
        prefix.resize(n + 1);
        prefix[0] = Sums {};
        for (int k = 0; k < n; ++k) {
            const int i = order[k];
            sortedKeys[k] = key[i];
            Sums s = prefix[k];
            s.calls += 1;
            s.latencyMs += m_end[i] - m_spans[i].startMs;
            s.tokens += m_ownTokens[i];
            s.cost += m_ownCost[i];
            prefix[k + 1] = s;
        }
    };
    QVector<qint64> starts(n);
    for (int i = 0; i < n; ++i)
        starts[i] = m_spans[i].startMs;
    prefixBy(starts, m_sortedStarts, m_startPrefix);
    prefixBy(m_end, m_sortedEnds, m_endPrefix);
}

int TimelineLayout::spanAt(qint64 timeMs, int lane, qint64 toleranceMs) const
{
    toleranceMs = std::max<qint64>(toleranceMs, 0);
    int best = -1;
    bool bestContains = false;
    qint64 bestDistance = std::numeric_limits<qint64>::max();
    forEachSpan(lane, timeMs - toleranceMs, timeMs + toleranceMs, [&](int i) {
        const qint64 start = m_spans[i].startMs;
        const qint64 end = m_end[i];
        if (start <= timeMs && timeMs <= end) {
            best = i; // later starts paint on top, so the last containing span wins
            bestContains = true;
            return;
        }
        if (bestContains)
            return;
        const qint64 distance = timeMs < start ? start - timeMs : timeMs - end;
        if (distance < bestDistance) {
            best = i;
            bestDistance = distance;
        }
    });
    return best;
}

TimelineRangeSummary TimelineLayout::summarize(qint64 t0, qint64 t1) const
{
    if (t1 < t0)
        std::swap(t0, t1);
    if (m_spans.isEmpty())
        return {};
    // overlapping = all - (end < t0) - (start > t1); the two excluded sets are disjoint.
    const auto endsBefore = std::lower_bound(m_sortedEnds.cbegin(), m_sortedEnds.cend(), t0);
    const auto startsUpTo = std::upper_bound(m_sortedStarts.cbegin(), m_sortedStarts.cend(), t1);
    const Sums& upTo = m_startPrefix[startsUpTo - m_sortedStarts.cbegin()];
    const Sums& before = m_endPrefix[endsBefore - m_sortedEnds.cbegin()];
    TimelineRangeSummary out;
    out.calls = int(upTo.calls - before.calls);
    out.latencyMs = upTo.latencyMs - before.latencyMs;
    out.tokens = upTo.tokens - before.tokens;
    // Differences of double prefix sums can leave a rounding crumb where the true sum is zero.
    out.cost = out.calls > 0 ? std::max(0.0, upTo.cost - before.cost) : 0.0;
    return out;
}

QString TimelineLayout::toolTip(int index) const
{
    if (index < 0 || index >= spanCount())
        return {};
    const TimelineSpan& s = m_spans[index];
    const QString duration = models::formatLatency(m_end[index] - s.startMs);
    QStringList lines { QStringLiteral("<b>%1</b>").arg(s.label.toHtmlEscaped()) };
    if (!s.status.isEmpty())
        lines << tr("Status: %1").arg(s.status.toHtmlEscaped());
    lines << tr("Start: +%1").arg(models::formatLatency(s.startMs - m_startMs));
    lines << (isRunning(index) ? tr("Duration: running, %1 so far") : tr("Duration: %1")).arg(duration);
    lines << tr("Tokens: %1").arg(models::formatCount(s.tokens));
    lines << tr("Cost: %1").arg(models::formatCost(s.cost));
    return lines.join(QStringLiteral("<br>"));
}

QString TimelineLayout::rangeText(qint64 t0, qint64 t1) const
{
    const TimelineRangeSummary sum = summarize(t0, t1);
    const QString calls = sum.calls == 1 ? tr("1 call") : tr("%1 calls").arg(sum.calls);
    return tr("%1 range · %2 · latency %3 · %4 tokens · %5")
        .arg(models::formatLatency(std::abs(t1 - t0)), calls, models::formatLatency(sum.latencyMs),
            models::formatCount(sum.tokens), models::formatCost(sum.cost));
}

void TimelineViewport::setTraceBounds(qint64 startMs, qint64 endMs)
{
    m_traceStart = startMs;
    m_traceEnd = std::max(startMs, endMs);
}

bool TimelineViewport::setWidth(int pixels)
{
    m_width = std::max(1, pixels);
    return setRange(m_start, m_end);
}

bool TimelineViewport::setRange(double startMs, double endMs)
{
    if (endMs < startMs)
        std::swap(startMs, endMs);
    const double traceStart = double(m_traceStart);
    const double traceEnd = double(m_traceEnd);
    const double minSpan = kMinMsPerPixel * m_width;
    const double maxSpan = std::max(minSpan, std::max(traceEnd - traceStart, 1.0) * 4);
    const double span = std::clamp(endMs - startMs, minSpan, maxSpan);
    const double centre = std::clamp((startMs + endMs) / 2, traceStart, traceEnd);
    const double newStart =
        span == endMs - startMs && centre == (startMs + endMs) / 2 ? startMs : centre - span / 2;
    if (newStart == m_start && newStart + span == m_end)
        return false;
    m_start = newStart;
    m_end = newStart + span;
    return true;
}

bool TimelineViewport::zoomBy(double factor, double anchorX)
{
    const double anchor = timeForX(anchorX);
    const double span = (m_end - m_start) * factor;
    const double start = anchor - anchorX / m_width * span;
    return setRange(start, start + span);
}

bool TimelineViewport::panBy(double dx)
{
    const double delta = dx * msPerPixel();
    return setRange(m_start + delta, m_end + delta);
}

bool TimelineViewport::fit()
{
    const double pad = std::max(double(m_traceEnd - m_traceStart) * 0.02, 1.0);
    return setRange(double(m_traceStart) - pad, double(m_traceEnd) + pad);
}

bool TimelineViewport::reveal(double startMs, double endMs)
{
    if (startMs >= m_start && endMs <= m_end)
        return false;
    const double span = m_end - m_start;
    const double start = endMs - startMs <= span * 0.9 ? (startMs + endMs - span) / 2 : startMs - span * 0.05;
    return setRange(start, start + span);
}

void buildTimelineLayoutAsync(
    QVector<TimelineSpan> spans, QObject* context, std::function<void(TimelineLayout)> done)
{
    backgroundPool()->start(
        [spans = std::move(spans), guard = QPointer<QObject>(context), done = std::move(done)]() mutable {
            auto layout = std::make_shared<TimelineLayout>();
            layout->setSpans(std::move(spans));
            // Delivered through the application object; the guard is only read on the GUI thread.
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [guard = std::move(guard), done = std::move(done), layout] {
                    if (guard)
                        done(std::move(*layout));
                },
                Qt::QueuedConnection);
        });
}

double timelineTickStep(double msPerPixel, int minSpacingPx)
{
    const double raw = std::max(1.0, minSpacingPx * msPerPixel);
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : { 1.0, 2.0, 5.0 }) {
        if (m * decade >= raw)
            return m * decade;
    }
    return 10 * decade;
}

QString timelineTickLabel(double offsetMs, double stepMs)
{
    if (stepMs >= 1000)
        return QStringLiteral("%1 s").arg(offsetMs / 1000, 0, 'f', 0);
    if (std::abs(offsetMs) < 1000)
        return QStringLiteral("%1 ms").arg(qint64(offsetMs));
    const int decimals = stepMs >= 100 ? 1 : stepMs >= 10 ? 2 : 3;
    return QStringLiteral("%1 s").arg(offsetMs / 1000, 0, 'f', decimals);
}

} // namespace spindle::widgets
