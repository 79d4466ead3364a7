#pragma once

#include "net/inferenceclient.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QUrl>
#include <QVector>

#include <functional>
#include <memory>
#include <optional>

class QSettings;

namespace spindle::ui {

// One playground provider as the user configured it. The key is not part of it: keys live only in
// the OS keychain (or the environment / ~/.netrc for the built-ins) and are filled in by resolve().
struct ProviderConfig
{
    enum class Kind
    {
        WandbInference, // built in: https://api.inference.wandb.ai/v1, the W&B API key
        OpenAI, // built in: https://api.openai.com/v1, OPENAI_API_KEY or the keychain
        Compatible, // user-defined OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio)
        Transient, // added in memory with its key (tests, scripted sessions); never saved
    };
    Kind kind = Kind::Compatible;
    QString name;
    QUrl baseUrl;
    QList<QPair<QByteArray, QByteArray>> extraHeaders;
    bool hasStoredKey = false; // Compatible: a key was saved in the keychain (a hint, not the key)

    bool isBuiltIn() const
    {
        return kind == Kind::WandbInference || kind == Kind::OpenAI;
    }
    bool operator==(const ProviderConfig&) const = default;
};

// The playground's providers: the two built-ins, any number of OpenAI-compatible servers, and
// in-memory transient ones. Non-secret configuration lives in QSettings (group
// "playground/providers"); keys only in the OS keychain under "spindle-provider/<name>" (the W&B
// key under the W&B profile's account "api.wandb.ai", so both share it).
class ProviderStore : public QObject
{
    Q_OBJECT
public:
    static const QString kWandbName; // "W&B Inference"
    static const QString kOpenAIName; // "OpenAI"
    static const QUrl kWandbBaseUrl;
    static const QUrl kOpenAIBaseUrl;
    static const QString kKeychainSource; // resolve()'s keySource for a key read from the keychain

    // settingsFile empty: the application's QSettings; else an INI file at that path (tests).
    explicit ProviderStore(const QString& settingsFile = {}, QObject* parent = nullptr);
    ~ProviderStore() override;

    QVector<ProviderConfig> providers() const; // built-ins, then user-defined, then transient
    std::optional<ProviderConfig> provider(const QString& name) const;
    QStringList names() const;

    // A readable reason why `config` cannot be saved (empty name, name taken, bad URL, header
    // syntax), or empty when it can. `oldName` is the provider being edited, if any.
    QString validate(const ProviderConfig& config, const QString& oldName = {}) const;
    // Adds or replaces a Compatible provider (renaming moves its keychain entry), or updates a
    // built-in's extra headers. Returns the validate() message on failure, empty on success.
    QString save(const ProviderConfig& config, const QString& oldName = {});
    bool remove(const QString& name); // Compatible and transient only; also clears the stored key

    // Stores (or, with an empty key, clears) the provider's key in the OS keychain. `done` runs
    // on this thread. Nothing is written to the settings file except the fact that a key exists.
    void setKey(
        const QString& name, const QString& key, std::function<void(bool ok, const QString& error)> done);

    // An in-memory provider with its key: listed and resolved like the others, never saved; it
    // shadows a saved provider of the same name (tests use it for "W&B Inference").
    void addTransient(const net::InferenceProvider& provider);

    // "entity/project" sent as OpenAI-Project to W&B Inference (usage is attributed there). Set it
    // from the open hosted project; empty sends none.
    void setWandbProject(const QString& entityProject);

    // The provider with its key and headers, ready for InferenceClient. The key comes from, in
    // order: transient, environment (WANDB_API_KEY / OPENAI_API_KEY), ~/.netrc (W&B), keychain.
    // `done` always runs later on this thread, also for unknown names (with an empty provider),
    // and never once `context` is destroyed (as with QObject::connect).
    using ResolveCallback =
        std::function<void(const net::InferenceProvider& provider, const QString& keySource)>;
    void resolve(QObject* context, const QString& name, ResolveCallback done);

    // Where the key of `name` is looked for, in plain words, for empty states ("no key").
    QString keyHelp(const QString& name) const;
    QString keychainAccount(const QString& name) const;

    // "Name: value" lines <-> header pairs. parse sets *error (line number and reason) on bad lines.
    static QList<QPair<QByteArray, QByteArray>> parseHeaderLines(
        const QString& text, QString* error = nullptr);
    static QString headerLines(const QList<QPair<QByteArray, QByteArray>>& headers);

    // For a key refused by the keychain after the dialog that set it was closed: storageFailed().
    void reportKeyNotStored(const QString& name, const QString& error);

Q_SIGNALS:
    void changed();
    // A change could not be written to the settings file, or a key kept (the keychain refused it).
    void storageFailed(const QString& message);

private:
    void load();
    QString store() const; // empty, or why the settings file could not be written
    void storeAndAnnounce(); // store(), then changed() and, if it failed, storageFailed()
    void reportKeyNotMoved(const QString& name, const QString& error); // storageFailed()
    void moveKey(const QString& name, const QString& fromAccount);
    QString currentName(QString name) const;
    void setHasStoredKey(const QString& name, bool hasKey);
    void finishResolve(QObject* context, const ProviderConfig& config, const QString& key,
        const QString& source, const ResolveCallback& done);

    std::unique_ptr<QSettings> m_settings;
    QHash<QString, QString> m_renamedTo; // old name -> new name, for key moves under way
    QHash<QString, int> m_keyWrites; // keys set per provider name, for key moves under way
    QVector<ProviderConfig> m_builtIns;
    QVector<ProviderConfig> m_custom;
    QVector<net::InferenceProvider> m_transient;
    QString m_wandbProject;
};

} // namespace spindle::ui
