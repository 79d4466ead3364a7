#pragma once

#include "core/callsquery.h"
#include "core/savedview.h"
#include "net/traceclient.h"

#include <QSet>
#include <QWidget>

class QLabel;
class QTableView;
namespace spindle::widgets {
class FrozenTableView;
}
class QToolButton;
class QSplitter;

namespace spindle::models {
class CallsTableModel;
}

namespace spindle::ui {

class CallDetailPanel;
class CountLabel;
class CallsController;
class TraceView;
class SavedViewsBar;
class FilterBar;

// Parts of a saved view that did not apply when it was loaded.
struct DroppedViewParts
{
    QStringList columns; // dynamic columns no call in the project has
    QStringList ops; // op refs the project no longer has
    QStringList notes; // other parts left out, as sentences
};

// The Traces page: filter bar, the windowed calls table (server-side sort and filter), and a
// detail area for the selected call, with rename, delete, copy, export and code snippets.
class TracesPage : public QWidget
{
    Q_OBJECT
public:
    TracesPage(net::TraceClient* client, QWidget* parent = nullptr);
    ~TracesPage() override;

    void setProject(const QString& projectId);
    QString project() const
    {
        return m_projectId;
    }
    // Shown by the empty state, with a link that loads sample traces when they are offered.
    void setConnectionHint(const QString& hint, bool sampleDataOffered = true);
    // Whether the server sorts and filters on total tokens and cost (Spindle's own fields; hosted
    // Weave answers 422): the Tokens and Cost headers and their Alt+click follow it.
    void setServerTotals(bool supported);
    QTableView* table() const;
    models::CallsTableModel* model() const
    {
        return m_model;
    }
    CallsController* controller() const
    {
        return m_controller;
    }
    TraceView* traceView() const
    {
        return m_trace;
    }
    SavedViewsBar* savedViews() const
    {
        return m_views;
    }
    CallDetailPanel* detailPanel() const
    {
        return m_detail;
    }
    FilterBar* filterBar() const
    {
        return m_filters;
    }
    void sortBy(const QString& field, bool descending);
    // Shows the calls `filter` selects (its filter part; the sort stays), e.g. a dashboard bucket.
    void showCalls(const spindle::CallsQuery& filter);
    // A call of this project by id (a link the SDK printed): its trace and detail, as a click on
    // its row shows them; a call that is not there is said in the status bar.
    void openCall(const QString& callId);

    // The page's state as a saved view holds it, and applying one (a view, or the default).
    spindle::TracesViewState currentState() const;
    // Returns what was dropped right away (ops the loaded op list lacks, ops beyond the one the
    // filter takes). What only the server can tell (columns no call has, ops when the op list is
    // not loaded yet) comes later through viewPartsDropped.
    DroppedViewParts applyState(const spindle::TracesViewState& state);

    void refresh();
    void exportCalls();
    void showCodeSnippets();
    void deleteSelected();
    void compareSelected(); // opens a CompareDialog on the selected calls (2+)
    void renameCurrent();
    void copyCurrent(const QString& what); // "id", "ref", "json"

Q_SIGNALS:
    void stateChanged(); // filters, sort, columns or pinning changed
    void viewChanged(const QString& label);
    void sampleDataRequested();
    void statusMessage(const QString& message);
    void warning(const QString& message); // for the banner
    // Parts of the applied state found missing after applyState returned; already removed.
    void viewPartsDropped(const QStringList& columns, const QStringList& ops);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void buildToolbar(QWidget* bar);
    void buildTable();
    void setUpHeader();
    void connectTableSelection();
    void addTableActions();
    void buildEmptyState();
    void buildPanes();
    void connectPanes();
    void connectController();
    void applyFilters();
    void dropUnsupportedSort(spindle::CallsQuery& query);
    void restoreSetAsideSort(spindle::CallsQuery& query);
    void onHeaderClicked(int section);
    void onCellPressed(const QModelIndex& index);
    void showCurrentDetail();
    void followSelectedCall();
    void closeDeletedCalls();
    // The selected call's trace and detail panes beside the table, or the table alone.
    void showCallPanes(bool shown);
    bool callPanesShown() const;
    static QList<int> rememberedPaneSizes();
    void updateEmptyState();
    void placeEmptyState();
    void loadOps();
    void chooseColumns();
    void applyColumnSettings();
    void setColumnsPinned(bool pinned); // Status and Name
    void restoreColumnsPinned(); // as the user last left them
    void saveColumnWidth(int section, int oldSize, int newSize);
    void onSectionMoved();
    bool isStretchedSection(int section) const;
    void checkViewColumns(const QStringList& columns);
    void reconcileOps();
    QStringList selectedIds(qint64* selectedRows = nullptr, QSet<QString>* traceIds = nullptr) const;

    net::TraceClient* m_client;
    models::CallsTableModel* m_model;
    CallsController* m_controller;
    FilterBar* m_filters;
    widgets::FrozenTableView* m_table;
    TraceView* m_trace;
    SavedViewsBar* m_views;
    CallDetailPanel* m_detail;
    QSplitter* m_splitter;
    CountLabel* m_countLabel;
    QLabel* m_emptyState;
    QToolButton* m_live;
    QToolButton* m_compare = nullptr;
    QToolButton* m_panesButton = nullptr; // checked while the call's panes are shown
    QString m_projectId;
    quint64 m_opsRequest = 0; // the op list on its way (ui/oplist.h)
    QString m_connectionHint;
    bool m_sampleDataOffered = true;
    bool m_serverTotals = true;
    // A sort on total tokens or cost dropped for a server that may not be Spindle (dropUnsupportedSort):
    // back when the server says it is one, forgotten when the user sorts otherwise.
    std::optional<spindle::SortKey> m_setAsideSort;
    QString m_tableCallId; // the call of the row the user chose (followSelectedCall)
    QStringList m_visibleDynamic;
    bool m_columnsChosen = false;
    bool m_applyingColumns = false; // header signals from our own changes are not user edits
    QHash<QString, int> m_viewWidths; // column field → width the current view holds
    int m_pageSize = 100; // the view's page_size, kept for Weave (the table itself scrolls)
    QSet<QString> m_projectOps; // `...:*` wildcards of the project's ops
    bool m_opsLoaded = false;
    QList<int> m_openPaneSizes; // the splitter's sizes for the next opening of the call's panes
    bool m_closingPanes = false; // showCallPanes(false) is moving the focus to the table
    quint64 m_applyGeneration = 0; // a newer applyState makes pending column checks stale
};

} // namespace spindle::ui
