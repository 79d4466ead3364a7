#pragma once

#include <QLabel>
#include <QTimer>

namespace spindle::ui {

// The Traces page's "N calls". While a new query counts, the previous count stays, greyed, and
// "Loading…" replaces it only if the count is slow (kLoadingDelayMs): a quick query shows no flash
// of "Loading…", and the views bar beside the label moves once per query (to fit the new
// count), not twice.
class CountLabel : public QLabel
{
    Q_OBJECT
public:
    static constexpr int kLoadingDelayMs = 150;

    explicit CountLabel(QWidget* parent = nullptr);

    void queryStarted(); // the count is unknown from now on
    void setCount(int count);
    void queryEnded(); // loading stopped: without a count (a failure) the label is cleared
    bool isStale() const
    {
        return m_stale;
    }

private:
    void setStale(bool stale);

    QTimer m_loadingText;
    bool m_stale = false;
};

} // namespace spindle::ui
