#include "ui/savedviewsbar.h"

#include "core/call.h"
#include "ui/tracespage.h"

#include <QDialog>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>

#include <utility>

namespace spindle::ui {
namespace {

// Column widths of a saved view, in local settings: Weave's SavedView schema has no width field and
// Weave's server drops definition keys the schema does not name, so the object cannot carry them.
// Keyed by project and object id (ids are creation timestamps), so they follow every version.
QString widthsKey(const QString& projectId, const QString& objectId)
{
    return QStringLiteral("savedViews/widths/%1/%2").arg(projectId, objectId);
}

QMap<QString, int> storedWidths(const QString& projectId, const QString& objectId)
{
    QMap<QString, int> widths;
    const QVariantMap stored = QSettings().value(widthsKey(projectId, objectId)).toMap();
    for (auto it = stored.begin(); it != stored.end(); ++it)
        if (it.value().toInt() > 0)
            widths.insert(it.key(), it.value().toInt());
    return widths;
}

void storeWidths(const QString& projectId, const QString& objectId, const QMap<QString, int>& widths)
{
    QVariantMap stored;
    for (auto it = widths.begin(); it != widths.end(); ++it)
        stored.insert(it.key(), it.value());
    QSettings().setValue(widthsKey(projectId, objectId), stored);
}

} // namespace

SavedViewsBar::SavedViewsBar(net::TraceClient* client, TracesPage* page, QWidget* parent)
    : QWidget(parent)
    , m_client(client)
    , m_page(page)
    , m_button(new QToolButton(this))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_button->setPopupMode(QToolButton::InstantPopup);
    // Room for the menu arrow, which the style draws in the corner over the text otherwise.
    m_button->setStyleSheet(QStringLiteral("QToolButton { padding-right: 10px; }"));
    m_button->setToolTip(
        tr("Saved views: save this table's filters, sort and columns (Ctrl+S), switch views (Ctrl+K)"));
    layout->addWidget(m_button);
    m_button->setMenu(new QMenu(m_button));
    connect(m_button->menu(), &QMenu::aboutToShow, this, &SavedViewsBar::buildMenu);
    connect(m_page, &TracesPage::stateChanged, this, &SavedViewsBar::updateModified);
    connect(m_page, &TracesPage::viewPartsDropped, this, &SavedViewsBar::onPartsDropped);
    auto* saveKey = new QShortcut(
        QKeySequence::Save, m_page, [this] { save(); }, Qt::WidgetWithChildrenShortcut);
    saveKey->setWhatsThis(tr("Save the view"));
    auto* switchKey = new QShortcut(
        QKeySequence(Qt::CTRL | Qt::Key_K), m_page, [this] { openSwitcher(); },
        Qt::WidgetWithChildrenShortcut);
    switchKey->setWhatsThis(tr("Switch to a saved view"));
    updateModified();
}

QString SavedViewsBar::currentLabel() const
{
    return m_current.objectId.isEmpty() ? tr("Default view") : m_current.label;
}

void SavedViewsBar::setProject(const QString& projectId)
{
    m_projectId = projectId;
    m_current = {};
    m_baseline = m_page->currentState();
    m_views.clear();
    m_loadNotes.clear();
    m_droppedParts.clear();
    updateModified();
    reload();
}

void SavedViewsBar::reload()
{
    if (m_projectId.isEmpty())
        return;
    const QJsonObject body { { QStringLiteral("project_id"), m_projectId },
        { QStringLiteral("filter"),
            QJsonObject {
                { QStringLiteral("base_object_classes"), QJsonArray { QStringLiteral("SavedView") } },
                { QStringLiteral("latest_only"), true } } } };
    const QString project = m_projectId;
    m_client->cancel(m_listRequest); // an older list: another project's, or the last connection's
    m_listRequest =
        m_client->post(this, QStringLiteral("/objs/query"), body, [this, project](const QJsonObject& json) {
            m_listRequest = 0;
            if (project != m_projectId)
                return;
            m_views.clear();
            for (const QJsonValue& obj : json.value(QLatin1String("objs")).toArray()) {
                const QJsonObject val = obj.toObject().value(QLatin1String("val")).toObject();
                if (val.value(QLatin1String("view_type")).toString() == QLatin1String("traces"))
                    m_views.append(savedViewFromObject(obj.toObject()));
            }
            std::sort(m_views.begin(), m_views.end(), [](const SavedView& a, const SavedView& b) {
                return a.label.localeAwareCompare(b.label) < 0;
            });
            Q_EMIT listChanged();
        });
}

void SavedViewsBar::buildMenu()
{
    QMenu* menu = m_button->menu();
    menu->clear();
    menu->setToolTipsVisible(true); // a broken view's tooltip says why
    QAction* fallback = menu->addAction(tr("Default view"), this, [this] { switchTo({}); });
    fallback->setCheckable(true);
    fallback->setChecked(m_current.objectId.isEmpty());
    for (const SavedView& view : std::as_const(m_views)) {
        QAction* action = menu->addAction(view.broken ? tr("%1 (broken)").arg(view.label) : view.label, this,
            [this, id = view.objectId] { switchTo(id); });
        action->setCheckable(true);
        action->setChecked(view.objectId == m_current.objectId);
        action->setEnabled(!view.broken);
        action->setToolTip(view.problems.join(QLatin1Char('\n')));
    }
    menu->addSeparator();
    menu->addAction(tr("Save"), QKeySequence::Save, this, &SavedViewsBar::save);
    menu->addAction(tr("Save as new view…"), this, [this] { saveAsNew(); });
    QAction* rename = menu->addAction(tr("Rename…"), this, [this] { this->rename(); });
    QAction* remove = menu->addAction(tr("Delete…"), this, [this] { this->remove(); });
    QAction* revert = menu->addAction(tr("Revert changes"), this, &SavedViewsBar::revert);
    menu->addAction(
        tr("Switch view…"), QKeySequence(Qt::CTRL | Qt::Key_K), this, &SavedViewsBar::openSwitcher);
    rename->setEnabled(!m_current.objectId.isEmpty());
    remove->setEnabled(!m_current.objectId.isEmpty());
    revert->setEnabled(m_modified);
}

void SavedViewsBar::setCurrent(const SavedView& view)
{
    m_current = view;
    TracesViewState state = view.objectId.isEmpty() ? TracesViewState {} : view.state;
    if (!view.objectId.isEmpty())
        state.columnWidths = storedWidths(m_projectId, view.objectId);
    m_applying = true;
    const DroppedViewParts dropped = m_page->applyState(state);
    m_applying = false;
    m_baseline = m_page->currentState();
    updateModified();
    Q_EMIT currentViewChanged(currentLabel());
    m_loadNotes = view.notes + dropped.notes;
    m_droppedParts.clear();
    if (!dropped.ops.isEmpty())
        onPartsDropped({}, dropped.ops);
    else
        reportNotes();
}

// Checks that finish after loading (the op list, which columns any call has) removed these parts
// from the page: they are not changes of the user's, so the baseline loses them too.
void SavedViewsBar::onPartsDropped(const QStringList& columns, const QStringList& ops)
{
    for (const QString& column : columns) {
        m_baseline.visibleColumns.removeAll(column);
        m_droppedParts.append(tr("column %1").arg(column));
    }
    for (const QString& op : ops) {
        m_baseline.query.opNames.removeAll(op);
        m_droppedParts.append(tr("op %1").arg(spindle::opShortName(op)));
    }
    updateModified();
    if (!columns.isEmpty() || !ops.isEmpty())
        reportNotes();
}

// One message for everything the current view could not apply, however many checks found it.
void SavedViewsBar::reportNotes()
{
    QStringList notes = m_loadNotes;
    if (!m_droppedParts.isEmpty())
        notes.prepend(
            tr("dropped %1 (no longer in the project)").arg(m_droppedParts.join(QStringLiteral(", "))));
    if (!notes.isEmpty())
        Q_EMIT warning(tr("View “%1”: %2").arg(currentLabel(), notes.join(QStringLiteral("; "))));
}

void SavedViewsBar::loadView(const QString& objectId)
{
    for (const SavedView& view : std::as_const(m_views))
        if (view.objectId == objectId && !view.broken)
            setCurrent(view);
}

void SavedViewsBar::loadDefault()
{
    setCurrent(SavedView {});
}

// The menu's and the switcher's choice (empty: the default view). A saved view with unsaved changes
// asks first: Save switches once the server has them (a refused save stays, the banner says why),
// Discard drops them, Cancel stays. The default view's changes are the page's filters of the
// moment, not something to save: it is left without a question.
void SavedViewsBar::switchTo(const QString& objectId)
{
    if (objectId == m_current.objectId)
        return; // its changes stay; "Revert changes" drops them
    confirmLeave(tr("Save them before switching to another view?"), [this, objectId] {
        if (objectId.isEmpty())
            loadDefault();
        else
            loadView(objectId);
    });
}

void SavedViewsBar::confirmLeave(const QString& question, std::function<void()> proceed)
{
    if (m_leaveQuestion) { // asked while the question is open: it now asks about this destination
        m_leaveQuestion->setInformativeText(question);
        m_leaveProceed = std::move(proceed);
        return;
    }
    if (!hasUnsavedChanges()) {
        proceed();
        return;
    }
    QMessageBox box(QMessageBox::Question, tr("Unsaved changes"),
        tr("The view “%1” has unsaved changes.").arg(m_current.label), QMessageBox::NoButton, m_page);
    box.setObjectName(QStringLiteral("leaveView"));
    box.setInformativeText(question);
    QPushButton* keep = box.addButton(tr("Save"), QMessageBox::AcceptRole);
    QPushButton* drop = box.addButton(tr("Discard"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(keep);
    m_leaveQuestion = &box;
    m_leaveProceed = std::move(proceed);
    box.exec();
    m_leaveQuestion = nullptr;
    proceed = std::exchange(m_leaveProceed, {});
    if (box.clickedButton() == drop) {
        proceed();
    } else if (box.clickedButton() == keep) {
        const QString asked = box.informativeText(); // the latest destination's question
        writeCurrent([this, asked, proceed, view = m_current.objectId, project = m_projectId](
                         const QString& error) {
            // Not if the user has gone to another view or project meanwhile, nor over a newer
            // question now open (its answer decides). Changes made while the save was on its way
            // are not in it: asked about again (else it goes on now).
            if (error.isEmpty() && m_current.objectId == view && m_projectId == project && !m_leaveQuestion)
                confirmLeave(asked, proceed);
        });
    }
}

void SavedViewsBar::revert()
{
    setCurrent(m_current);
}

void SavedViewsBar::updateModified()
{
    if (m_applying)
        return;
    const TracesViewState now = m_page->currentState();
    // The default view's columns come from the data, so only its query counts as a change.
    m_modified = m_current.objectId.isEmpty()
        ? !(now.query == m_baseline.query) || now.pinned != m_baseline.pinned
        : !(now == m_baseline);
    m_button->setText(tr("View: %1%2").arg(currentLabel(), m_modified ? QStringLiteral(" •") : QString()));
    m_button->setToolTip(m_modified ? tr("This view has unsaved changes: Ctrl+S saves, the menu can revert")
                                    : tr("Saved views (Ctrl+K to switch)"));
}

void SavedViewsBar::writeView(const QString& objectId, const QString& label, const QJsonObject& definition,
    const TracesViewState& state, widgets::PromptReply reply)
{
    const QJsonObject body = savedViewCreateRequest(m_projectId, objectId, label, definition);
    const QString project = m_projectId;
    const QString shown = m_current.objectId; // the view on the page when the write left
    m_client->post(
        this, QStringLiteral("/obj/create"), body,
        [this, project, objectId, label, definition, state, reply, shown](const QJsonObject& json) {
            storeWidths(project, objectId, state.columnWidths);
            if (project == m_projectId) {
                SavedView saved;
                saved.objectId = objectId;
                saved.label = label;
                saved.digest = json.value(QLatin1String("digest")).toString();
                saved.definition = definition;
                saved.state = state;
                adoptSaved(saved, shown);
            }
            if (reply) // last: it sees the bar as saved (confirmLeave asks about later changes)
                reply({});
        },
        [reply](const net::ApiError& error) {
            if (reply)
                reply(error.brief());
        });
}

void SavedViewsBar::adoptSaved(const SavedView& saved, const QString& shownWhenSent)
{
    if (m_current.objectId != shownWhenSent) { // saved on the way to another view: that one stays
        Q_EMIT message(tr("Saved view “%1”").arg(saved.label));
        reload();
        return;
    }
    m_current = saved;
    m_baseline = saved.state;
    m_loadNotes.clear();
    m_droppedParts.clear();
    updateModified();
    Q_EMIT currentViewChanged(saved.label);
    Q_EMIT message(tr("Saved view “%1”").arg(saved.label));
    reload();
}

void SavedViewsBar::save()
{
    if (m_current.objectId.isEmpty()) {
        saveAsNew();
        return;
    }
    writeCurrent();
}

// The page's state as a new version of the open saved view.
void SavedViewsBar::writeCurrent(widgets::PromptReply reply)
{
    const TracesViewState state = m_page->currentState();
    writeView(m_current.objectId, m_current.label, definitionFromState(state, m_current.definition), state,
        std::move(reply));
}

void SavedViewsBar::saveAsNew(const QString& label, widgets::PromptReply reply)
{
    if (label.isEmpty()) {
        promptNewViewName(
            m_page, [this] { return m_projectId; },
            [this](const QString& name, widgets::PromptReply done) { saveAsNew(name, std::move(done)); });
        return;
    }
    // Weave's UI starts a copy from the current definition, so keys Spindle does not know survive.
    const TracesViewState state = m_page->currentState();
    writeView(newSavedViewId(QDateTime::currentDateTimeUtc()), label,
        definitionFromState(state, m_current.definition), state, std::move(reply));
}

void SavedViewsBar::rename(const QString& label, widgets::PromptReply reply)
{
    if (m_current.objectId.isEmpty()) {
        if (reply)
            reply(tr("no saved view is open"));
        return;
    }
    if (label.isEmpty()) {
        widgets::promptText(m_page, tr("Rename view"), tr("New name:"), m_current.label,
            widgets::TextPromptDialog::Empty::Refused,
            [this, view = m_current.objectId](const QString& name, widgets::PromptReply done) {
                if (view != m_current.objectId) // another view (or project) came meanwhile
                    done(tr("another view was opened meanwhile"));
                else
                    rename(name, std::move(done));
            });
        return;
    }
    // A rename is a new version of the same object, with the definition as it was saved; unsaved
    // changes stay unsaved (the baseline is the saved state).
    writeView(m_current.objectId, label, m_current.definition, m_baseline, std::move(reply));
}

void SavedViewsBar::remove(bool confirm)
{
    if (m_current.objectId.isEmpty())
        return;
    if (confirm) {
        QMessageBox question(QMessageBox::Question, tr("Delete view"),
            tr("Delete the view “%1” and all its versions?").arg(m_current.label),
            QMessageBox::Yes | QMessageBox::No, m_page);
        question.setTextFormat(Qt::PlainText); // a label is text, even one a Weave UI user typed as markup
        if (question.exec() != QMessageBox::Yes)
            return;
    }
    const QJsonObject body { { QStringLiteral("project_id"), m_projectId },
        { QStringLiteral("object_id"), m_current.objectId } };
    const QString label = m_current.label;
    const QString objectId = m_current.objectId;
    const QString project = m_projectId;
    m_client->post(
        this, QStringLiteral("/obj/delete"), body, [this, label, project, objectId](const QJsonObject&) {
            QSettings().remove(widthsKey(project, objectId));
            Q_EMIT message(tr("Deleted view “%1”").arg(label));
            if (project != m_projectId)
                return; // another project's views are shown now
            if (m_current.objectId == objectId) // not a view the user opened meanwhile
                loadDefault();
            reload();
        });
}

void SavedViewsBar::openSwitcher()
{
    QDialog dialog(m_page);
    dialog.setWindowTitle(tr("Switch view"));
    dialog.resize(420, 360);
    auto* layout = new QVBoxLayout(&dialog);
    auto* filter = new QLineEdit(&dialog);
    filter->setPlaceholderText(tr("Type to filter views, Enter to open"));
    auto* list = new QListWidget(&dialog);
    layout->addWidget(filter);
    layout->addWidget(list);
    const auto fill = [&, this] {
        list->clear();
        auto* fallback = new QListWidgetItem(tr("Default view"), list);
        fallback->setData(Qt::UserRole, QString());
        for (const SavedView& view : std::as_const(m_views)) {
            if (!view.label.contains(filter->text(), Qt::CaseInsensitive) || view.broken)
                continue;
            auto* item = new QListWidgetItem(view.label, list);
            item->setData(Qt::UserRole, view.objectId);
        }
        list->setCurrentRow(list->count() > 1 && !filter->text().isEmpty() ? 1 : 0);
    };
    fill();
    connect(filter, &QLineEdit::textChanged, &dialog, fill);
    connect(filter, &QLineEdit::returnPressed, &dialog, &QDialog::accept);
    connect(list, &QListWidget::itemActivated, &dialog, &QDialog::accept);
    if (dialog.exec() != QDialog::Accepted || !list->currentItem())
        return;
    switchTo(list->currentItem()->data(Qt::UserRole).toString());
}

void promptNewViewName(QWidget* parent, std::function<QString()> openProject,
    std::function<void(const QString& name, widgets::PromptReply reply)> save)
{
    widgets::promptText(parent, SavedViewsBar::tr("Save view"), SavedViewsBar::tr("Name of the new view:"),
        {}, widgets::TextPromptDialog::Empty::Refused,
        [project = openProject(), openProject, save](const QString& name, widgets::PromptReply done) {
            if (project != openProject()) // an SDK link can switch it while the prompt is open
                done(SavedViewsBar::tr("the project changed meanwhile"));
            else
                save(name, std::move(done));
        });
}

} // namespace spindle::ui
