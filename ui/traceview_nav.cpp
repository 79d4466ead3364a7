// TraceView: keyboard navigation, expand/collapse helpers and search.
#include "models/tracetreemodel.h"
#include "ui/counttext.h"
#include "ui/traceview.h"
#include "widgets/keyhelp.h"

#include <QAction>
#include <QApplication>
#include <QJsonArray>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QTreeView>

namespace spindle::ui {

void TraceView::jumpTo(const QVector<int>& order, bool forward, const std::function<bool(int)>& matches)
{
    if (order.isEmpty())
        return;
    const int current = selectedNode();
    const qsizetype at = current >= 0 ? order.indexOf(current) : -1;
    const qsizetype n = order.size();
    for (qsizetype step = 1; step <= n; ++step) {
        const qsizetype i = ((at < 0 ? (forward ? -1 : 0) : at) + (forward ? step : -step) % n + n) % n;
        if (matches(order[i])) {
            selectNode(order[i]);
            return;
        }
    }
}

void TraceView::nextError(bool forward)
{
    if (m_traceTree)
        jumpTo(m_order, forward, [this](int node) { return m_traceTree->isError(node); });
}

// The error tools do something only on a trace with errors; otherwise they say why not.
void TraceView::enableErrorTools(int errors)
{
    QString why; // the tools do nothing: why not
    if (m_traceId.isEmpty())
        why = tr("No trace is open");
    else if (!m_traceTree)
        why = m_failed ? tr("The trace could not be loaded") : tr("The trace is loading");
    else if (errors == 0)
        why = tr("No errors in this trace");
    for (QAction* action : std::as_const(m_errorTools)) {
        action->setEnabled(why.isEmpty());
        action->setToolTip(why.isEmpty() ? action->data().toString() : why);
    }
}

void TraceView::nextSibling(bool forward)
{
    const int node = selectedNode();
    if (node < 0)
        return;
    const int up = m_traceTree->parent[node];
    const QVector<int>& siblings = up < 0 ? m_traceTree->roots : m_traceTree->children[up];
    const int row = m_traceTree->rowInParent[node] + (forward ? 1 : -1);
    if (row >= 0 && row < siblings.size())
        selectNode(siblings[row]);
}

void TraceView::nextSameOp(bool forward)
{
    const int node = selectedNode();
    if (node < 0)
        return;
    const QString op = m_traceTree->calls[node].opName;
    jumpTo(m_order, forward,
        [this, op, node](int other) { return other != node && m_traceTree->calls[other].opName == op; });
}

void TraceView::expandAll()
{
    m_tree->expandAll();
}

void TraceView::collapseToErrors()
{
    if (!m_traceTree)
        return;
    m_tree->collapseAll();
    for (int node = 0; node < m_traceTree->size(); ++node) {
        if (m_traceTree->subtreeErrors[node] > 0 && !m_traceTree->isError(node))
            m_tree->setExpanded(m_model->indexOfNode(node), true);
        else if (m_traceTree->subtreeErrors[node] > 0 && m_traceTree->subtreeErrors[node] > 1)
            m_tree->setExpanded(m_model->indexOfNode(node), true);
    }
}

// keyPressEvent's keys, for the shortcut sheet: the two change together.
void TraceView::declareKeys()
{
    widgets::setKeyHelp(this,
        { { { Qt::Key_N }, tr("Next error") }, { { Qt::Key_P }, tr("Previous error") },
            { { Qt::Key_BracketRight }, tr("Next sibling call") },
            { { Qt::Key_BracketLeft }, tr("Previous sibling call") },
            { { Qt::Key_O }, tr("Next call of the same op") },
            { { Qt::SHIFT | Qt::Key_O }, tr("Previous call of the same op") } });
}

bool TraceView::walkingKey(const QKeyEvent* event)
{
    const auto modifiers = event->modifiers() & ~Qt::KeypadModifier;
    const int key = event->key();
    return (modifiers == Qt::NoModifier
               && (key == Qt::Key_N || key == Qt::Key_P || key == Qt::Key_BracketRight
                   || key == Qt::Key_BracketLeft || key == Qt::Key_O))
        || (modifiers == Qt::ShiftModifier && key == Qt::Key_O);
}

void TraceView::keyPressEvent(QKeyEvent* event)
{
    const bool shift = event->modifiers() & Qt::ShiftModifier;
    switch (event->key()) {
    case Qt::Key_N:
        nextError(true);
        return;
    case Qt::Key_P:
        nextError(false);
        return;
    case Qt::Key_BracketRight:
        nextSibling(true);
        return;
    case Qt::Key_BracketLeft:
        nextSibling(false);
        return;
    case Qt::Key_O:
        nextSameOp(!shift);
        return;
    default:
        QWidget::keyPressEvent(event);
    }
}

void TraceView::runSearch()
{
    const QString text = m_search->text().trimmed();
    m_hits.clear();
    m_hitIndex = -1;
    if (m_searchRequest)
        m_client->cancel(m_searchRequest);
    m_searchRequest = 0;
    if (text.isEmpty() || !m_traceTree) {
        m_model->setHighlighted({});
        m_searchStatus->clear();
        return;
    }
    QSet<int> hits;
    for (int node = 0; node < m_traceTree->size(); ++node)
        if (m_traceTree->calls[node].name().contains(text, Qt::CaseInsensitive)
            || m_traceTree->calls[node].opName.contains(text, Qt::CaseInsensitive))
            hits.insert(node);
    showSearchHits(hits, -1);
    // Input and output text is searched on the server, where the full values are.
    const QJsonObject request = textSearchRequest(text);
    auto found = std::make_shared<QSet<int>>(hits);
    const quint64 generation = m_generation;
    m_searchRequest = m_client->streamCalls(
        this, request,
        [this, found, generation](const QVector<spindle::Call>& rows) {
            if (generation != m_generation)
                return;
            for (const auto& call : rows)
                if (const auto it = m_traceTree->indexById.constFind(call.id);
                    it != m_traceTree->indexById.cend())
                    found->insert(*it);
        },
        [this, found, generation] {
            if (generation != m_generation)
                return;
            m_searchRequest = 0;
            showSearchHits(*found, m_hitIndex >= 0 && m_hitIndex < m_hits.size() ? m_hits[m_hitIndex] : -1);
        },
        [this, generation](const net::ApiError&) { // the banner says why
            if (generation != m_generation)
                return;
            m_searchRequest = 0;
            m_searchStatus->setText(
                m_searchStatus->text() + tr(" (names only: inputs and outputs were not searched)"));
        });
}

// The ids of this trace's calls whose inputs or output contain `text`, case-insensitively.
QJsonObject TraceView::textSearchRequest(const QString& text) const
{
    const auto contains = [&](const char* field) {
        return QJsonObject { { QStringLiteral("$contains"),
            QJsonObject { { QStringLiteral("input"),
                              QJsonObject { { QStringLiteral("$getField"), QString::fromLatin1(field) } } },
                { QStringLiteral("substr"), QJsonObject { { QStringLiteral("$literal"), text } } },
                { QStringLiteral("case_insensitive"), true } } } };
    };
    return QJsonObject {
        { QStringLiteral("project_id"), m_projectId },
        { QStringLiteral("filter"),
            QJsonObject { { QStringLiteral("trace_ids"), QJsonArray { m_traceId } } } },
        { QStringLiteral("query"),
            QJsonObject { { QStringLiteral("$expr"),
                QJsonObject {
                    { QStringLiteral("$or"), QJsonArray { contains("inputs"), contains("output") } } } } } },
        { QStringLiteral("columns"), QJsonArray { QStringLiteral("id") } },
    };
}

// Highlights `found` and lists the hits in reading order. The hit the user is on (`current`, a
// node) stays current, renumbered; without one, the first hit is selected.
void TraceView::showSearchHits(const QSet<int>& found, int current)
{
    m_model->setHighlighted(found);
    m_hits.clear();
    for (int node : std::as_const(m_order))
        if (found.contains(node))
            m_hits.append(node);
    m_hitIndex = current >= 0 ? int(m_hits.indexOf(current)) : -1;
    if (m_hits.isEmpty())
        m_searchStatus->setText(tr("no hits"));
    else if (m_hitIndex >= 0)
        m_searchStatus->setText(tr("%1 of %2").arg(m_hitIndex + 1).arg(m_hits.size()));
    else
        stepSearch(true);
}

void TraceView::stepSearch(bool forward)
{
    if (m_hits.isEmpty())
        return;
    m_hitIndex = m_hitIndex < 0 ? 0 : int((m_hitIndex + (forward ? 1 : -1) + m_hits.size()) % m_hits.size());
    selectNode(m_hits[m_hitIndex]);
    m_searchStatus->setText(tr("%1 of %2").arg(m_hitIndex + 1).arg(m_hits.size()));
}

QStringList TraceView::searchHitIds() const
{
    QStringList ids;
    for (int node : std::as_const(m_hits))
        ids.append(m_traceTree->calls[node].id);
    return ids;
}

// The hits of the tree just swapped in, found by id, and highlighted again: setTree forgot them.
void TraceView::restoreSearchHits(const QStringList& ids)
{
    m_hits.clear();
    for (const QString& id : ids)
        if (const auto it = m_traceTree->indexById.constFind(id); it != m_traceTree->indexById.cend())
            m_hits.append(*it);
    m_hitIndex = std::min(m_hitIndex, int(m_hits.size()) - 1);
    m_model->setHighlighted(QSet<int>(m_hits.cbegin(), m_hits.cend()));
}

} // namespace spindle::ui
