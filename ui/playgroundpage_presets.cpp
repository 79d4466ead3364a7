// The playground's presets (a model with its settings and system prompt, by name), stored in the
// project as one object, SpindlePlaygroundPresets, a new version per save.
#include "ui/playgroundpage.h"
#include "ui/playgroundpane.h"

#include <QJsonObject>
#include <QLabel>
#include <QPointer>

namespace spindle::ui {

using namespace Qt::StringLiterals;

namespace {
const QString kPresetsObjectId = u"SpindlePlaygroundPresets"_s;

QJsonObject presetsRead(const QString& project) // the /obj/read of the presets' latest version
{
    return { { u"project_id"_s, project }, { u"object_id"_s, kPresetsObjectId },
        { u"digest"_s, u"latest"_s } };
}

QJsonObject presetsIn(const QJsonObject& readAnswer)
{
    return readAnswer.value("obj"_L1).toObject().value("val"_L1).toObject().value("presets"_L1).toObject();
}

} // namespace

void PlaygroundPage::loadPresets()
{
    m_presets = {};
    for (PlaygroundPane* pane : std::as_const(m_panes))
        pane->setPresetNames({});
    m_traceClient->cancel(m_presetsLoad); // an answer for an earlier project, or another server
    m_presetsLoad = 0;
    if (m_projectId.isEmpty())
        return;
    const QString project = m_projectId;
    const auto request = m_traceClient->post(
        this, u"/obj/read"_s, presetsRead(project), [this, project](const QJsonObject& answer) {
            if (project != m_projectId)
                return;
            m_presets = presetsIn(answer);
            for (PlaygroundPane* pane : std::as_const(m_panes))
                pane->setPresetNames(m_presets.keys());
            Q_EMIT presetsChanged();
        });
    m_traceClient->setQuiet(request); // a project without presets answers 404
    m_presetsLoad = request;
}

void PlaygroundPage::savePreset(PlaygroundPane* pane)
{
    if (m_projectId.isEmpty()) {
        savePresetAs(pane, {}); // says why not
        return;
    }
    widgets::promptText(this, tr("Save preset"), tr("Name for %1 with these settings:").arg(pane->model()),
        pane->model(), widgets::TextPromptDialog::Empty::Refused,
        [this, pane = QPointer<PlaygroundPane>(pane), project = m_projectId](
            const QString& name, widgets::PromptReply reply) {
            if (!pane)
                reply(tr("its pane was closed"));
            else if (project != m_projectId)
                reply(tr("the project changed meanwhile"));
            else
                savePresetAs(pane, name, std::move(reply));
        });
}

// Read, add, write: the presets object is read again right before the save, so a preset saved
// meanwhile from another window or machine, or a first read that failed, loses nothing. Saves from
// this page go one at a time (a second read would miss the first's write); those asked for during
// one go together in the next. A read that fails saves nothing (404: the project has no presets).
void PlaygroundPage::savePresetAs(PlaygroundPane* pane, const QString& name, widgets::PromptReply reply)
{
    if (m_projectId.isEmpty()) {
        m_note->setText(tr("Open a project to store presets in."));
        if (reply)
            reply(tr("no project is open"));
        return;
    }
    PresetSave& pending = m_pendingPresets[m_projectId];
    pending.adding.insert(name,
        QJsonObject { { u"provider"_s, pane->providerName() }, { u"model"_s, pane->model() },
            { u"settings"_s, pane->settings().toJson() }, { u"system_prompt"_s, pane->systemPrompt() } });
    if (reply)
        pending.replies.append(std::move(reply));
    if (!m_savingPresets)
        savePendingPresets();
}

void PlaygroundPage::savePendingPresets()
{
    if (m_pendingPresets.isEmpty())
        return;
    m_savingPresets = true;
    const QString project = m_pendingPresets.cbegin().key(); // one project per save
    const PresetSave save = m_pendingPresets.take(project);
    const auto request = m_traceClient->post(
        this, u"/obj/read"_s, presetsRead(project),
        [this, project, save](const QJsonObject& answer) {
            QJsonObject presets = presetsIn(answer);
            for (auto it = save.adding.begin(); it != save.adding.end(); ++it)
                presets.insert(it.key(), it.value());
            writePresets(project, presets, save);
        },
        [this, project, save](const net::ApiError& error) {
            if (error.httpStatus == 404) {
                writePresets(project, save.adding, save);
                return;
            }
            const QString why = tr("the project's presets could not be read: %1").arg(error.brief());
            if (project == m_projectId)
                m_note->setText(
                    tr("Preset “%1” was not saved: %2.").arg(save.adding.keys().join(u"”, “"_s), why));
            presetSaveEnded(save, why);
        });
    m_traceClient->setQuiet(request); // the note says it; a missing object is no error here
}

void PlaygroundPage::writePresets(const QString& project, const QJsonObject& presets, const PresetSave& save)
{
    const QJsonObject obj { { u"project_id"_s, project }, { u"object_id"_s, kPresetsObjectId },
        { u"val"_s, QJsonObject { { u"presets"_s, presets } } } };
    m_traceClient->post(
        this, u"/obj/create"_s, QJsonObject { { u"obj"_s, obj } },
        [this, presets, save, project](const QJsonObject&) {
            if (project == m_projectId) {
                m_presets = presets;
                for (PlaygroundPane* p : std::as_const(m_panes))
                    p->setPresetNames(m_presets.keys());
                m_note->setText(
                    tr("Preset “%1” saved in the project.").arg(save.adding.keys().join(u"”, “"_s)));
                Q_EMIT presetsChanged();
            }
            presetSaveEnded(save, {});
        },
        [this, save](const net::ApiError& error) { presetSaveEnded(save, error.brief()); }); // and the banner
}

void PlaygroundPage::presetSaveEnded(const PresetSave& save, const QString& error)
{
    for (const widgets::PromptReply& reply : save.replies)
        reply(error);
    m_savingPresets = false;
    savePendingPresets(); // those asked for meanwhile
}

void PlaygroundPage::applyPreset(PlaygroundPane* pane, const QString& name)
{
    const QJsonObject preset = m_presets.value(name).toObject();
    if (preset.isEmpty())
        return;
    pane->setProviderName(preset.value("provider"_L1).toString());
    pane->setModel(preset.value("model"_L1).toString());
    pane->setSettings(ChatSettings::fromJson(preset.value("settings"_L1).toObject()));
    pane->setSystemPrompt(preset.value("system_prompt"_L1).toString());
}

} // namespace spindle::ui
