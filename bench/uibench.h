#pragma once
// GUI-thread instrumentation shared by bench_ui and bench_trace: event-delivery timing (frames,
// slow events), a 1 ms heartbeat for event-loop lag, and event-loop helpers.
#include "bench/common.h"

#include <QApplication>
#include <QMetaEnum>
#include <QThread>
#include <QTimer>
#include <QWidget>

#include <algorithm>
#include <functional>
#include <map>
#include <time.h>

namespace spindle::bench {

inline double msBetween(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

// CPU time of the calling thread: tells work on the GUI thread from waiting for a core.
inline double threadCpuMs()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

// Times the GUI thread's event deliveries:
// - a frame is a top-level delivery during which `viewport` painted; `rowsLoaded()` is asked
//   right after that paint;
// - deliveries to `client` (queued calls: rows, end of stream) are time-stamped;
// - top-level deliveries of 30 ms or more are kept by receiver class and event type, with the
//   GUI thread's CPU time in them: that is where event-loop stalls come from.
class TimedApp : public QApplication
{
public:
    static constexpr double kSlowEventMs = 30;
    struct Frame
    {
        Clock::time_point end;
        double ms;
        bool rowsLoaded;
        double cpuMs; // the GUI thread's CPU time in it: its work, without waits for a core
    };
    TimedApp(int& argc, char** argv)
        : QApplication(argc, argv)
        , m_main(QThread::currentThreadId())
    {
    }
    bool notify(QObject* receiver, QEvent* event) override
    {
        if (QThread::currentThreadId() != m_main)
            return QApplication::notify(receiver, event);
        const QEvent::Type type = event->type();
        const char* className = receiver->metaObject()->className();
        const auto start = Clock::now();
        if (receiver == client && type == QEvent::MetaCall)
            deliveries.push_back(start);
        const double cpuStart = m_depth == 0 ? threadCpuMs() : 0;
        ++m_depth;
        const bool result = QApplication::notify(receiver, event);
        --m_depth;
        if (type == QEvent::Paint && receiver == viewport) {
            m_painted = true;
            m_paintedLoaded = rowsLoaded();
        }
        if (m_depth > 0)
            return result;
        const double ms = msSince(start);
        if (m_painted)
            frames.push_back({ Clock::now(), ms, m_paintedLoaded, threadCpuMs() - cpuStart });
        m_painted = false;
        if (ms >= kSlowEventMs) {
            const char* name = QMetaEnum::fromType<QEvent::Type>().valueToKey(type);
            slowEvents.push_back({ std::string(className) + " " + (name ? name : std::to_string(type)), ms,
                threadCpuMs() - cpuStart });
        }
        return result;
    }
    // "<class> <event>: N×, max M ms (most GUI-thread CPU in one: C ms)" per kind of slow event.
    std::map<std::string, std::string> slowEventSummary() const
    {
        std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> byName;
        for (const auto& event : slowEvents) {
            byName[event.name].first.push_back(event.ms);
            byName[event.name].second.push_back(event.cpuMs);
        }
        std::map<std::string, std::string> summary;
        for (const auto& [name, times] : byName)
            summary[name] = std::to_string(times.first.size()) + "×, max "
                + fmt(percentile(times.first, 100), 1)
                + " ms (most GUI-thread CPU in one: " + fmt(percentile(times.second, 100), 1) + " ms)";
        return summary;
    }

    QObject* client = nullptr;
    QWidget* viewport = nullptr;
    std::function<bool()> rowsLoaded = [] { return false; };
    std::vector<Clock::time_point> deliveries;
    std::vector<Frame> frames;
    struct SlowEvent
    {
        std::string name;
        double ms, cpuMs;
    };
    std::vector<SlowEvent> slowEvents;

private:
    Qt::HANDLE m_main;
    int m_depth = 0;
    bool m_painted = false, m_paintedLoaded = false;
};

// A 1 ms timer on the GUI thread: the gaps between its ticks are the event-loop lag. Each gap also
// gets the GUI thread's CPU time in it, which tells work on the thread (CPU ≈ gap) from the thread
// waiting for a core (CPU ≪ gap). Gaps accumulate over start()/stop() pairs until clear().
class Heartbeat
{
public:
    Heartbeat()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, [this] { tick(); });
    }
    void start()
    {
        m_last = Clock::now();
        m_lastCpu = threadCpuMs();
        m_timer.start();
    }
    void stop()
    {
        tick();
        m_timer.stop();
    }
    void clear()
    {
        gaps.clear();
        cpu.clear();
    }
    double maxGap() const
    {
        return percentile(gaps, 100);
    }
    double cpuInMaxGap() const
    {
        return gaps.empty() ? 0 : cpu[std::max_element(gaps.begin(), gaps.end()) - gaps.begin()];
    }
    // out[prefix + …]: the worst gap, the CPU time in it, the p99 gap, the most CPU in any gap.
    void report(std::map<std::string, double>& out, const std::string& prefix) const
    {
        out[prefix + "lag_max_ms"] = maxGap();
        out[prefix + "lag_max_cpu_ms"] = cpuInMaxGap();
        out[prefix + "lag_p99_ms"] = percentile(gaps, 99);
        out[prefix + "busy_max_ms"] = percentile(cpu, 100);
    }
    std::vector<double> gaps, cpu; // wall ms, GUI-thread CPU ms

private:
    void tick()
    {
        const auto now = Clock::now();
        const double used = threadCpuMs();
        gaps.push_back(msBetween(m_last, now));
        cpu.push_back(used - m_lastCpu);
        m_last = now;
        m_lastCpu = used;
    }
    QTimer m_timer;
    Clock::time_point m_last;
    double m_lastCpu = 0;
};

// Runs the GUI event loop (as QTest::qWait does) until done() or the timeout; false on timeout.
inline bool spinUntil(const std::function<bool()>& done, double timeoutMs)
{
    QTimer wake; // WaitForMoreEvents never sleeps past this
    wake.start(10);
    const auto start = Clock::now();
    while (!done()) {
        if (msSince(start) > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
    return true;
}

inline void spinFor(double ms)
{
    const auto start = Clock::now();
    spinUntil([&] { return msSince(start) >= ms; }, ms + 1000);
}

// QT_QPA_PLATFORM=offscreen unless set, and without the offscreen plugin's per-window warning.
inline void useOffscreenPlatform()
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static QtMessageHandler standard = nullptr;
    standard =
        qInstallMessageHandler([](QtMsgType type, const QMessageLogContext& context, const QString& text) {
            if (!text.contains(QLatin1String("propagateSizeHints")) && standard)
                standard(type, context, text);
        });
}

} // namespace spindle::bench
