#pragma once

#include "core/savedview.h"
#include "net/traceclient.h"
#include "widgets/textprompt.h"

#include <QWidget>

class QToolButton;
class QLabel;
class QMessageBox;

namespace spindle::ui {

class TracesPage;

// Saved views of the Traces page, stored as Weave SavedView objects: a menu button with the list
// (the default view is built in, never stored), save (Ctrl+S), save as new, rename, delete and
// revert, a modified marker, and a quick switcher (Ctrl+K). Column widths are not in Weave's
// schema, so they are kept in local settings per view object (see TracesViewState).
class SavedViewsBar : public QWidget
{
    Q_OBJECT
public:
    SavedViewsBar(net::TraceClient* client, TracesPage* page, QWidget* parent = nullptr);

    void setProject(const QString& projectId);
    void reload();
    const QList<spindle::SavedView>& views() const
    {
        return m_views;
    }
    QString currentLabel() const; // "Default view" when none is loaded
    QString currentObjectId() const
    {
        return m_current.objectId;
    }
    bool isModified() const
    {
        return m_modified;
    }
    // Changes a save would keep: the default view's are not stored anywhere to lose.
    bool hasUnsavedChanges() const
    {
        return m_modified && !m_current.objectId.isEmpty();
    }

    void loadView(const QString& objectId);
    void loadDefault();
    void save(); // update the current view, or save as new when it is the default
    // Without a label these ask for one (widgets::promptText); `reply` hears how the write ended.
    void saveAsNew(const QString& label = {}, widgets::PromptReply reply = {});
    void rename(const QString& label = {}, widgets::PromptReply reply = {});
    void remove(bool confirm = true);
    void revert();
    void openSwitcher();
    // Runs `proceed` once the open view's unsaved changes are dealt with: at once when it has none,
    // else after the user's Discard, or after Save once the server has them; never on Cancel or a
    // refused save. Changes made while a save is on its way are asked about again. `question` says
    // where the user is going ("Save them before …?"). Asked again while the question is open (a
    // second SDK link), the open question takes the new destination: the answer goes to the
    // latest, and no second question stacks on the first.
    void confirmLeave(const QString& question, std::function<void()> proceed);

Q_SIGNALS:
    void currentViewChanged(const QString& label);
    void listChanged();
    void message(const QString& text); // for the status bar
    void warning(const QString& text); // what a loaded view could not apply, for the banner

private:
    void buildMenu();
    // Writes a new version; `state` is what the page shows of it once saved.
    void writeView(const QString& objectId, const QString& label, const QJsonObject& definition,
        const spindle::TracesViewState& state, widgets::PromptReply reply = {});
    void writeCurrent(widgets::PromptReply reply = {});
    // The server has `saved`: it becomes the current view, unless the page shows another view than
    // when the write left (`shownWhenSent`).
    void adoptSaved(const spindle::SavedView& saved, const QString& shownWhenSent);
    void updateModified();
    void switchTo(const QString& objectId); // asks first when the current view has unsaved changes
    void setCurrent(const spindle::SavedView& view);
    void onPartsDropped(const QStringList& columns, const QStringList& ops);
    void reportNotes();

    net::TraceClient* m_client;
    TracesPage* m_page;
    QToolButton* m_button;
    QString m_projectId;
    quint64 m_listRequest = 0; // the list of views on its way
    QList<spindle::SavedView> m_views;
    spindle::SavedView m_current; // objectId empty: the default view
    spindle::TracesViewState m_baseline; // the state the current view was loaded with
    QStringList m_loadNotes; // what the current view could not apply, as reported
    QStringList m_droppedParts; // "column x", "op y": what it named that the project no longer has
    bool m_modified = false;
    bool m_applying = false;
    QMessageBox* m_leaveQuestion = nullptr; // while confirmLeave's question is open
    std::function<void()> m_leaveProceed; // what its answer goes on to
};

// Asks for a new view's name over `parent` and hands it to `save`, unless the open project
// (`openProject()`) has changed since the prompt opened.
void promptNewViewName(QWidget* parent, std::function<QString()> openProject,
    std::function<void(const QString& name, widgets::PromptReply reply)> save);

} // namespace spindle::ui
