#pragma once

#include "models/tracetree.h"
#include "net/traceclient.h"

#include <QSet>
#include <QTimer>
#include <QWidget>

#include <memory>

class QAction;
class QLabel;
class QLineEdit;
class QTabWidget;
class QTreeView;

namespace spindle::models {
class TraceTreeModel;
}
namespace spindle::widgets {
class TimelineWidget;
}

namespace spindle::ui {

struct TraceBuild; // a tree built on the pool, with what the views need of it (traceview.cpp)

// One trace as a tree and a timeline. The trace streams in with one query for its trace id
// (only the columns the tree needs) and the tree is rebuilt off the GUI thread as rows arrive:
// the tree, its reading order and the timeline's layout are built on the pool and handed over as
// values, and replaced trees are freed on the pool too, so the GUI thread never pays O(calls).
// Keyboard: arrows move through the tree, n/p next/previous error, ]/[ next/previous sibling,
// o/O next/previous call of the same op, Ctrl+F search (op names here, input/output text on the server).
// refresh() fetches the trace again for live mode and swaps it in whole, keeping the view's state.
class TraceView : public QWidget
{
    Q_OBJECT
public:
    explicit TraceView(net::TraceClient* client, QWidget* parent = nullptr);
    ~TraceView() override;

    void openTrace(const QString& projectId, const QString& traceId, const QString& selectCallId = {});
    void refresh();
    void reloadIfBroken(); // F5: a trace whose stream (or last refresh) broke off or came short loads again
    void clear();
    bool hasRunningCalls() const
    {
        return m_running > 0;
    }
    QString traceId() const
    {
        return m_traceId;
    }
    bool isLoading() const
    {
        return m_request != 0 || m_building;
    }
    int selectedNode() const;
    void selectNode(int node);
    models::TraceTreeModel* model() const
    {
        return m_model;
    }
    QTreeView* tree() const
    {
        return m_tree;
    }
    const models::TraceTree* traceTree() const
    {
        return m_traceTree.get();
    }

    void nextError(bool forward);
    void nextSibling(bool forward);
    void nextSameOp(bool forward);
    void expandAll();
    void collapseToErrors();

Q_SIGNALS:
    void callSelected(const spindle::Call& call); // the tree's row; the detail fetches the full call
    void loaded(int calls);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    static bool walkingKey(const QKeyEvent* event); // keyPressEvent's own keys

private:
    // The tree's columns: the call name takes what the fixed ones leave, at least kNameWidth past
    // its indentation; fitColumns() hides fixed ones on a narrow pane.
    static constexpr int kNameWidth = 180;
    static constexpr int kLatencyWidth = 130;
    static constexpr int kTokensWidth = 60;
    static constexpr int kCostWidth = 70;
    static constexpr int kChildrenWidth = 60;

    void declareKeys();
    void enableErrorTools(int errors);
    void fitColumns();
    int deepestShownDepth() const;
    void buildHeader(QWidget* bar);
    void streamTrace();
    void streamRows();
    void onCounted(qint64 count);
    void finishStream();
    void onStreamFailed(quint64 generation, const net::ApiError& error);
    void dropOrShowPart(); // a stream that broke off: a refresh's rows go, a first load's are shown
    void onRows(quint64 generation, const QVector<spindle::Call>& rows);
    void rebuild();
    void onBuilt(quint64 generation, std::shared_ptr<TraceBuild> build);
    void applyTree(TraceBuild& build);
    void restoreCurrent(const QString& id, bool firstBuild, int scrolled, bool complete);
    QStringList searchHitIds() const;
    void restoreSearchHits(const QStringList& ids);
    void onCurrentChanged();
    void updateBreadcrumbs(int node);
    void runSearch();
    QJsonObject textSearchRequest(const QString& text) const;
    void showSearchHits(const QSet<int>& found, int current);
    void stepSearch(bool forward);
    void jumpTo(const QVector<int>& order, bool forward, const std::function<bool(int)>& matches);

    net::TraceClient* m_client;
    models::TraceTreeModel* m_model;
    QTreeView* m_tree;
    widgets::TimelineWidget* m_timeline;
    QTabWidget* m_tabs;
    QLabel* m_breadcrumbs;
    QLabel* m_status;
    QLineEdit* m_search;
    QLabel* m_searchStatus;
    QString m_projectId;
    QString m_traceId;
    QString m_pendingSelection; // asked for by openTrace, not in the tree built so far
    bool m_restoringCurrent = false; // a rebuild sets the current call, not the user
    bool m_keepTimelineView = false; // a later rebuild: the timeline stays where the user left it
    // The rows received so far, as the batches they came in: appending never copies a row, and a
    // build on the pool shares them. Released once a tree holds every row.
    QVector<QVector<spindle::Call>> m_batches;
    int m_received = 0;
    std::shared_ptr<const models::TraceTree> m_traceTree;
    QVector<int> m_order; // preorder of the current tree
    QVector<int> m_hits;
    int m_hitIndex = -1;
    quint64 m_generation = 0;
    net::TraceClient::RequestId m_request = 0;
    net::TraceClient::RequestId m_searchRequest = 0;
    net::TraceClient::RequestId m_countRequest = 0; // the trace's calls counted beside the stream
    qint64 m_expected = -1; // that count; -1 while unknown
    bool m_streamEnded = false; // the stream is in; the trace counts as loaded once the count is too
    bool m_rechecked = false; // the stream came short of the count and was asked for again
    bool m_firstLoadRecheck = false; // that second stream is a first load's (its part is shown)
    bool m_refreshFailed = false; // the last refresh broke off: the tree shown is the one before
    QTimer m_rebuildTimer;
    QTimer m_fitTimer; // fitColumns() once rows have opened or closed
    int m_shownDepth = 0; // deepestShownDepth() when rows last opened or closed
    bool m_building = false;
    int m_buildingReceived = 0; // the rows the build in flight holds
    bool m_rebuildAgain = false;
    bool m_refreshing = false; // refresh(): the rows stream in beside the tree shown
    int m_running = 0; // calls of the shown tree without an end
    QList<QAction*> m_errorTools; // previous and next error, errors only
    bool m_failed = false; // the stream broke off: the tree shows the calls that came
};

} // namespace spindle::ui
