// The playground's presets (a model with its settings and system prompt, by name), stored in the
// project as one object, SpindlePlaygroundPresets, a new version per save.
#include "ui/playgroundpage.h"
#include "ui/playgroundpane.h"

#include <QInputDialog>
#include <QJsonObject>
#include <QLabel>

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
}

void PlaygroundPage::savePreset(PlaygroundPane* pane)
{
    if (m_projectId.isEmpty()) {
        savePresetAs(pane, {}); // says why not
        return;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save preset"),
        tr("Name for %1 with these settings:").arg(pane->model()), QLineEdit::Normal, pane->model(), &ok)
                             .trimmed();
    if (ok && !name.isEmpty())
        savePresetAs(pane, name);
}

// Read, add, write: the presets object is read again right before the save, so a preset saved
// meanwhile from another window or machine, or a first read that failed, loses nothing. Saves from
// this page go one at a time (a second read would miss the first's write); those asked for during
// one go together in the next. A read that fails saves nothing (404: the project has no presets).
void PlaygroundPage::savePresetAs(PlaygroundPane* pane, const QString& name)
{
    if (m_projectId.isEmpty()) {
        m_note->setText(tr("Open a project to store presets in."));
        return;
    }
    m_pendingPresets[m_projectId].insert(name,
        QJsonObject { { u"provider"_s, pane->providerName() }, { u"model"_s, pane->model() },
            { u"settings"_s, pane->settings().toJson() }, { u"system_prompt"_s, pane->systemPrompt() } });
    if (!m_savingPresets)
        savePendingPresets();
}

void PlaygroundPage::savePendingPresets()
{
    if (m_pendingPresets.isEmpty())
        return;
    m_savingPresets = true;
    const QString project = m_pendingPresets.cbegin().key(); // one project per save
    const QJsonObject adding = m_pendingPresets.take(project);
    const auto request = m_traceClient->post(
        this, u"/obj/read"_s, presetsRead(project),
        [this, project, adding](const QJsonObject& answer) {
            QJsonObject presets = presetsIn(answer);
            for (auto it = adding.begin(); it != adding.end(); ++it)
                presets.insert(it.key(), it.value());
            writePresets(project, presets, adding.keys());
        },
        [this, project, adding](const net::ApiError& error) {
            if (error.httpStatus == 404) {
                writePresets(project, adding, adding.keys());
                return;
            }
            if (project == m_projectId)
                m_note->setText(tr("Preset “%1” was not saved: the project's presets could not be read (%2).")
                                    .arg(adding.keys().join(u"”, “"_s), error.message()));
            presetSaveEnded();
        });
    m_traceClient->setQuiet(request); // the note says it; a missing object is no error here
}

void PlaygroundPage::writePresets(
    const QString& project, const QJsonObject& presets, const QStringList& names)
{
    const QJsonObject obj { { u"project_id"_s, project }, { u"object_id"_s, kPresetsObjectId },
        { u"val"_s, QJsonObject { { u"presets"_s, presets } } } };
    m_traceClient->post(
        this, u"/obj/create"_s, QJsonObject { { u"obj"_s, obj } },
        [this, presets, names, project](const QJsonObject&) {
            if (project == m_projectId) {
                m_presets = presets;
                for (PlaygroundPane* p : std::as_const(m_panes))
                    p->setPresetNames(m_presets.keys());
                m_note->setText(tr("Preset “%1” saved in the project.").arg(names.join(u"”, “"_s)));
                Q_EMIT presetsChanged();
            }
            presetSaveEnded();
        },
        [this](const net::ApiError&) { presetSaveEnded(); }); // the window's banner says why
}

void PlaygroundPage::presetSaveEnded()
{
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
