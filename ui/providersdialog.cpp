#include "ui/providersdialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace spindle::ui {
namespace {

// Usual local endpoints, so adding one is two clicks.
struct LocalPreset
{
    const char* name;
    const char* url;
};
constexpr LocalPreset kPresets[] = {
    { "Ollama", "http://127.0.0.1:11434/v1" },
    { "LM Studio", "http://127.0.0.1:1234/v1" },
    { "llama.cpp server", "http://127.0.0.1:8080/v1" },
    { "vLLM", "http://127.0.0.1:8000/v1" },
};

QString kindLabel(ProviderConfig::Kind kind)
{
    switch (kind) {
    case ProviderConfig::Kind::WandbInference:
    case ProviderConfig::Kind::OpenAI:
        return ProvidersDialog::tr("built in");
    case ProviderConfig::Kind::Transient:
        return ProvidersDialog::tr("this session only");
    case ProviderConfig::Kind::Compatible:
        break;
    }
    return {};
}

// The key help of the form itself ("type it above"), unlike ProviderStore::keyHelp for other pages.
QString noKeyText(ProviderConfig::Kind kind)
{
    switch (kind) {
    case ProviderConfig::Kind::WandbInference:
        return ProvidersDialog::tr(
            "No key found. Set WANDB_API_KEY, run \"wandb login\" (it writes ~/.netrc), or "
            "type your W&B API key above (https://wandb.ai/authorize).");
    case ProviderConfig::Kind::OpenAI:
        return ProvidersDialog::tr("No key found. Set OPENAI_API_KEY or type your OpenAI key above.");
    case ProviderConfig::Kind::Compatible:
    case ProviderConfig::Kind::Transient:
        break;
    }
    return ProvidersDialog::tr(
        "No key stored. Local servers usually need none; if this one does, type it above.");
}

} // namespace

ProvidersDialog::ProvidersDialog(ProviderStore* store, net::InferenceClient* client, QWidget* parent)
    : QDialog(parent)
    , m_store(store)
    , m_client(client ? client : new net::InferenceClient(this))
    , m_list(new QListWidget(this))
{
    setWindowTitle(tr("Inference providers"));
    auto* splitter = new QSplitter(this);
    splitter->addWidget(buildList());
    splitter->addWidget(buildForm());
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_store, &ProviderStore::storageFailed, this, [this](const QString& message) {
        m_storageError = message;
        setStatus(message, true);
    });
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter, 1);
    layout->addWidget(buttons);
    resize(760, 440);

    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (m_loading || row < 0)
            return;
        const QString name = m_list->item(row)->data(Qt::UserRole).toString();
        if (name != m_editing && !selectProvider(name))
            reloadList(m_editing); // the unsaved form was invalid: stay on it
    });
    selectProvider(ProviderStore::kWandbName);
}

ProvidersDialog::~ProvidersDialog()
{
    if (m_testId)
        m_client->cancel(m_testId);
}

QWidget* ProvidersDialog::buildList()
{
    m_list->setObjectName(QStringLiteral("providerList"));
    m_list->setMinimumWidth(190);
    m_list->setSpacing(2);
    m_add = new QToolButton(this);
    m_add->setText(tr("Add"));
    m_add->setToolTip(tr("Add an OpenAI-compatible server (Ctrl+N)"));
    m_add->setPopupMode(QToolButton::MenuButtonPopup);
    auto* presets = new QMenu(m_add);
    for (const LocalPreset& preset : kPresets)
        presets->addAction(QString::fromLatin1(preset.name), this, [this, preset] {
            addProvider(QString::fromLatin1(preset.name), QString::fromLatin1(preset.url));
        });
    presets->addAction(tr("Other server…"), this, [this] { addProvider(); });
    m_add->setMenu(presets);
    connect(m_add, &QToolButton::clicked, this, [this] { addProvider(); });
    auto* addShortcut = new QAction(this);
    addShortcut->setShortcut(QKeySequence::New);
    connect(addShortcut, &QAction::triggered, this, [this] { addProvider(); });
    addAction(addShortcut);
    m_remove = new QToolButton(this);
    m_remove->setObjectName(QStringLiteral("remove"));
    m_remove->setText(tr("Remove"));
    m_remove->setToolTip(tr("Remove this provider and forget its key"));
    connect(m_remove, &QToolButton::clicked, this, &ProvidersDialog::removeCurrent);

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_list);
    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(m_add);
    listButtons->addWidget(m_remove);
    listButtons->addStretch();
    leftLayout->addLayout(listButtons);
    return left;
}

QFormLayout* ProvidersDialog::buildFields(QWidget* form)
{
    m_kindNote = new QLabel(form);
    m_kindNote->setWordWrap(true);
    m_kindNote->setForegroundRole(QPalette::PlaceholderText);
    m_name = new QLineEdit(form);
    m_name->setObjectName(QStringLiteral("name"));
    m_name->setPlaceholderText(tr("e.g. Ollama"));
    m_url = new QLineEdit(form);
    m_url->setObjectName(QStringLiteral("baseUrl"));
    m_url->setPlaceholderText(QStringLiteral("http://127.0.0.1:11434/v1"));
    m_url->setToolTip(tr("The address before /chat/completions, usually ending in /v1"));
    m_key = new QLineEdit(form);
    m_key->setObjectName(QStringLiteral("apiKey"));
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setClearButtonEnabled(true);
    m_key->setToolTip(tr("Kept in the system keychain, never in Spindle's settings file"));
    m_keySource = new QLabel(form);
    m_keySource->setObjectName(QStringLiteral("keySource"));
    m_keySource->setWordWrap(true);
    m_keySource->setForegroundRole(QPalette::PlaceholderText);
    m_forgetKey = new QToolButton(form);
    m_forgetKey->setText(tr("Forget key"));
    m_forgetKey->setToolTip(tr("Remove the key from the system keychain"));
    connect(m_forgetKey, &QToolButton::clicked, this, [this] {
        m_store->setKey(m_editing, QString(), [self = QPointer(this)](bool ok, const QString& error) {
            if (!self)
                return;
            self->setStatus(ok ? tr("The key was removed from the keychain.")
                               : tr("The keychain could not remove the key: %1").arg(error),
                !ok);
            self->showKeySource();
        });
    });
    m_headers = new QPlainTextEdit(form);
    m_headers->setObjectName(QStringLiteral("headers"));
    m_headers->setPlaceholderText(tr("One per line, e.g.\nOpenAI-Organization: org-123"));
    m_headers->setTabChangesFocus(true);
    m_headers->setMaximumHeight(6 * m_headers->fontMetrics().lineSpacing() + 12);
    m_headers->setToolTip(tr("Extra HTTP headers sent with every request, one \"Name: value\" per line"));

    auto* keyRow = new QHBoxLayout;
    keyRow->addWidget(m_key, 1);
    keyRow->addWidget(m_forgetKey);
    auto* fields = new QFormLayout;
    fields->addRow(m_kindNote);
    fields->addRow(tr("&Name:"), m_name);
    fields->addRow(tr("Base &URL:"), m_url);
    auto* keyLabel = new QLabel(tr("API &key:"), form);
    keyLabel->setBuddy(m_key);
    fields->addRow(keyLabel, keyRow);
    fields->addRow(QString(), m_keySource);
    fields->addRow(tr("&Headers:"), m_headers);
    return fields;
}

QWidget* ProvidersDialog::buildForm()
{
    auto* form = new QWidget(this);
    m_save = new QPushButton(tr("&Save"), form);
    m_save->setObjectName(QStringLiteral("save"));
    m_save->setShortcut(QKeySequence::Save);
    m_save->setToolTip(tr("Save this provider (Ctrl+S)"));
    connect(m_save, &QPushButton::clicked, this, [this] { saveCurrent(); });
    m_test = new QPushButton(tr("&Test connection"), form);
    m_test->setToolTip(tr("Ask the server for its model list (GET /models) with the values above"));
    connect(m_test, &QPushButton::clicked, this, &ProvidersDialog::testConnection);
    m_status = new QLabel(form);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_save);
    actions->addWidget(m_test);
    actions->addStretch();

    auto* layout = new QVBoxLayout(form);
    layout->setContentsMargins(8, 0, 0, 0);
    layout->addLayout(buildFields(form));
    layout->addStretch(1);
    layout->addLayout(actions);
    layout->addWidget(m_status);
    for (QLineEdit* edit : { m_name, m_url, m_key })
        connect(edit, &QLineEdit::textEdited, this, [this] { setDirty(true); });
    connect(m_headers, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_loading)
            setDirty(true);
    });
    return form;
}

void ProvidersDialog::reloadList(const QString& select)
{
    m_loading = true;
    m_list->clear();
    int selectRow = -1;
    for (const ProviderConfig& config : m_store->providers()) {
        const QString note = kindLabel(config.kind);
        auto* item =
            new QListWidgetItem(note.isEmpty() ? config.name : config.name + QStringLiteral(" — ") + note);
        item->setData(Qt::UserRole, config.name);
        item->setToolTip(config.baseUrl.toString());
        m_list->addItem(item);
        if (config.name == select)
            selectRow = m_list->count() - 1;
    }
    if (select.isEmpty() && m_editing.isEmpty()) {
        auto* draft = new QListWidgetItem(tr("New provider…"));
        draft->setData(Qt::UserRole, QString());
        m_list->addItem(draft);
        selectRow = m_list->count() - 1;
    }
    m_list->setCurrentRow(selectRow);
    m_loading = false;
}

bool ProvidersDialog::selectProvider(const QString& name)
{
    if (m_dirty && !saveCurrent().isEmpty())
        return false;
    const std::optional<ProviderConfig> config = m_store->provider(name);
    if (!config)
        return false;
    m_editing = config->name;
    reloadList(m_editing);
    showProvider(config);
    return true;
}

QString ProvidersDialog::currentName() const
{
    return m_editing;
}

void ProvidersDialog::addProvider(const QString& suggestedName, const QString& url)
{
    if (m_dirty && !saveCurrent().isEmpty())
        return;
    m_editing.clear();
    reloadList(QString());
    showProvider(std::nullopt);
    QString name = suggestedName;
    for (int i = 2; !name.isEmpty() && m_store->provider(name); ++i)
        name = suggestedName + QStringLiteral(" %1").arg(i);
    m_name->setText(name);
    m_url->setText(url);
    setDirty(!name.isEmpty());
    m_name->setFocus();
    m_name->selectAll();
}

void ProvidersDialog::showProvider(const std::optional<ProviderConfig>& config)
{
    m_loading = true;
    m_kind = config ? config->kind : ProviderConfig::Kind::Compatible;
    const bool builtIn = config && config->isBuiltIn();
    m_name->setText(config ? config->name : QString());
    m_url->setText(config ? config->baseUrl.toString() : QString());
    // A built-in's name and address are fixed: shown, not editable.
    m_name->setEnabled(!builtIn);
    m_url->setEnabled(!builtIn);
    m_key->clear();
    m_headers->setPlainText(config ? ProviderStore::headerLines(config->extraHeaders) : QString());
    if (m_kind == ProviderConfig::Kind::WandbInference)
        m_kindNote->setText(tr("Built in. Uses your W&B API key — the same one the W&B profile uses. When a "
                               "hosted project is open, its name is sent as OpenAI-Project."));
    else if (m_kind == ProviderConfig::Kind::OpenAI)
        m_kindNote->setText(tr("Built in. Uses OPENAI_API_KEY, or the key you store here."));
    else if (m_kind == ProviderConfig::Kind::Transient)
        m_kindNote->setText(tr("Added for this session only; it is not saved."));
    else
        m_kindNote->setText(
            tr("Any server that speaks OpenAI's chat completions API: Ollama, vLLM, llama.cpp "
               "server, LM Studio… Local servers usually need no key."));
    m_loading = false;
    setStatus(QString(), false);
    setDirty(false);
    showKeySource();
}

void ProvidersDialog::showKeySource()
{
    m_keySource->setText(tr("Checking for a stored key…"));
    m_forgetKey->setVisible(false);
    if (m_editing.isEmpty()) {
        m_keySource->setText(tr("No key yet. Leave empty for servers that need none."));
        m_key->setPlaceholderText(tr("optional"));
        return;
    }
    m_store->resolve(this, m_editing,
        [this, name = m_editing](const net::InferenceProvider& provider, const QString& source) {
            if (m_editing != name)
                return;
            const bool hasKey = !provider.apiKey.isEmpty();
            m_key->setPlaceholderText(hasKey ? QString(12, QChar(0x2022)) : tr("none"));
            m_keySource->setText(hasKey
                    ? tr("A key is in use, from %1. Type a new one to replace it.").arg(source)
                    : noKeyText(m_kind));
            m_forgetKey->setVisible(hasKey && source == ProviderStore::kKeychainSource);
            // W&B Inference has no key of its own: it is the W&B profile's, and goes for both.
            m_forgetKey->setToolTip(m_kind == ProviderConfig::Kind::WandbInference
                    ? tr("Remove the W&B API key from the system keychain (the W&B profile uses it too)")
                    : tr("Remove the key from the system keychain"));
        });
}

ProviderConfig ProvidersDialog::formConfig(QString* headerError) const
{
    ProviderConfig config;
    config.kind = m_kind;
    config.name = m_name->text().simplified();
    config.baseUrl = QUrl::fromUserInput(m_url->text().trimmed());
    if (m_url->text().trimmed().isEmpty())
        config.baseUrl = QUrl();
    config.extraHeaders = ProviderStore::parseHeaderLines(m_headers->toPlainText(), headerError);
    return config;
}

QString ProvidersDialog::saveCurrent()
{
    QString error;
    const ProviderConfig config = formConfig(&error);
    m_storageError.clear(); // set by the store's storageFailed during save()
    if (error.isEmpty())
        error = m_store->save(config, m_editing);
    if (!error.isEmpty()) {
        setStatus(error, true);
        return error;
    }
    const QString typedKey = m_key->text().trimmed();
    m_editing = config.name;
    setDirty(false);
    reloadList(m_editing);
    if (m_storageError.isEmpty())
        setStatus(tr("Saved."), false);
    else
        setStatus(m_storageError, true); // in effect now, gone at the next start
    if (!typedKey.isEmpty()) {
        // The field empties once the keychain has the key; a failed write keeps it (and Save) for
        // another try.
        const QString name = m_editing;
        m_store->setKey(name, typedKey,
            [self = QPointer(this), store = QPointer(m_store), name, typedKey](
                bool ok, const QString& keyError) {
                if (!self) { // closed meanwhile (Close saves): the window says it
                    if (!ok && store)
                        store->reportKeyNotStored(name, keyError);
                    return;
                }
                const bool sameForm = self->m_editing == name && self->m_key->text().trimmed() == typedKey;
                if (ok) {
                    self->setStatus(tr("Saved. The key is in the system keychain."), false);
                    if (sameForm)
                        self->m_key->clear();
                } else {
                    self->setStatus(
                        tr("Saved, but the key could not be stored in the system keychain: %1. Set it in "
                           "the environment instead, or unlock the keychain and try again.")
                            .arg(keyError),
                        true);
                    if (sameForm)
                        self->setDirty(true);
                }
                self->showKeySource();
            });
    } else {
        showKeySource();
    }
    return {};
}

void ProvidersDialog::removeCurrent()
{
    if (m_editing.isEmpty()) { // a draft: just drop it
        setDirty(false);
        selectProvider(ProviderStore::kWandbName);
        return;
    }
    const std::optional<ProviderConfig> config = m_store->provider(m_editing);
    if (!config || config->isBuiltIn())
        return;
    if (config->hasStoredKey
        && QMessageBox::question(this, tr("Remove provider"),
               tr("Remove \"%1\" and forget its key in the system keychain?").arg(m_editing))
            != QMessageBox::Yes)
        return;
    m_store->remove(m_editing);
    m_editing.clear();
    setDirty(false);
    selectProvider(ProviderStore::kWandbName);
}

QString ProvidersDialog::statusText() const
{
    return m_status->text();
}

void ProvidersDialog::setStatus(const QString& text, bool error)
{
    m_status->setText(text);
    QPalette palette = this->palette();
    if (error)
        palette.setColor(QPalette::WindowText, QColor(0xc0, 0x2b, 0x2b));
    m_status->setPalette(palette);
}

void ProvidersDialog::setDirty(bool dirty)
{
    m_dirty = dirty;
    updateButtons();
}

void ProvidersDialog::updateButtons()
{
    m_save->setEnabled(m_dirty || m_editing.isEmpty());
    m_test->setEnabled(m_testId == 0);
    const std::optional<ProviderConfig> config = m_store->provider(m_editing);
    m_remove->setEnabled(m_editing.isEmpty() || (config && !config->isBuiltIn()));
}

void ProvidersDialog::done(int result)
{
    // Closing keeps valid edits, like a preferences window. Invalid ones are not dropped unasked:
    // the user fixes them (the dialog stays, with the error) or discards them.
    if (m_dirty && !saveCurrent().isEmpty() && !confirmDiscard())
        return;
    QDialog::done(result);
}

bool ProvidersDialog::confirmDiscard()
{
    QMessageBox box(QMessageBox::Warning, tr("Unsaved provider"),
        tr("The changes to this provider cannot be saved: %1").arg(m_status->text()), QMessageBox::NoButton,
        this);
    box.setObjectName(QStringLiteral("discardChanges"));
    QPushButton* discard = box.addButton(tr("Discard changes"), QMessageBox::DestructiveRole);
    box.setDefaultButton(box.addButton(tr("Keep editing"), QMessageBox::RejectRole));
    box.exec();
    return box.clickedButton() == discard;
}

} // namespace spindle::ui
