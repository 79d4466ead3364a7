#include "ui/countlabel.h"

#include "ui/counttext.h"

namespace spindle::ui {

CountLabel::CountLabel(QWidget* parent)
    : QLabel(parent)
{
    m_loadingText.setSingleShot(true);
    m_loadingText.setInterval(kLoadingDelayMs);
    connect(&m_loadingText, &QTimer::timeout, this, [this] { setText(tr("Loading…")); });
}

void CountLabel::queryStarted()
{
    if (m_stale)
        return; // still the same wait
    setStale(true);
    m_loadingText.start();
}

void CountLabel::setCount(int count)
{
    m_loadingText.stop();
    setStale(false);
    setText(countText(count, tr("1 call"), tr("%L1 calls")));
}

void CountLabel::queryEnded()
{
    if (!m_stale)
        return;
    m_loadingText.stop();
    setStale(false);
    clear(); // the old count is not this query's; the error banner says what went wrong
}

// A greyed label reads as "being replaced"; disabling it greys it without another layout.
void CountLabel::setStale(bool stale)
{
    m_stale = stale;
    setEnabled(!stale);
}

} // namespace spindle::ui
