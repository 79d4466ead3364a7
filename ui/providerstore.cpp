#include "ui/providerstore.h"

#include "net/credentials.h"

#include <QDir>
#include <QPointer>
#include <QRegularExpression>
#include <QSettings>
#include <QUrlQuery>

namespace spindle::ui {
namespace {

const QString kGroup = QStringLiteral("playground/providers");
// The W&B profile stores its key under the API host (ui/connectiondialog.cpp); share it.
const QString kWandbAccount = QLatin1String(net::kWandbApiHost);

QUrl normalizedBaseUrl(QUrl url)
{
    // People paste the full endpoint; the client appends /chat/completions and /models itself.
    QString path = url.path();
    const auto chopSlashes = [&path] {
        while (path.endsWith(u'/'))
            path.chop(1);
    };
    chopSlashes();
    for (const QString& tail : { QStringLiteral("/chat/completions"), QStringLiteral("/models") }) {
        if (path.endsWith(tail))
            path.chop(tail.size());
    }
    chopSlashes();
    url.setPath(path);
    return url;
}

bool looksSecret(const QByteArray& headerName)
{
    // Such headers would land in the plain settings file; keys belong in the keychain.
    const QByteArray lower = headerName.toLower();
    return lower == "authorization" || lower.contains("api-key") || lower.contains("apikey")
        || lower.contains("token") || lower.contains("secret");
}

// A query parameter that carries a credential: api_key, key, access_token, password, sig ...
bool looksSecretInAddress(const QString& name)
{
    QString lower = name.toLower();
    lower.replace(u'_', u'-');
    return looksSecret(lower.toUtf8()) || lower == QLatin1String("key")
        || lower.contains(QLatin1String("password")) || lower == QLatin1String("sig")
        || lower.contains(QLatin1String("signature")) || lower.contains(QLatin1String("credential"));
}

QString trimmed(const QString& name)
{
    return name.simplified();
}

} // namespace

const QString ProviderStore::kWandbName = QStringLiteral("W&B Inference");
const QString ProviderStore::kOpenAIName = QStringLiteral("OpenAI");
const QUrl ProviderStore::kWandbBaseUrl = QUrl(QStringLiteral("https://api.inference.wandb.ai/v1"));
const QUrl ProviderStore::kOpenAIBaseUrl = QUrl(QStringLiteral("https://api.openai.com/v1"));
const QString ProviderStore::kKeychainSource = QStringLiteral("the keychain");

ProviderStore::ProviderStore(const QString& settingsFile, QObject* parent)
    : QObject(parent)
    , m_settings(settingsFile.isEmpty() ? std::make_unique<QSettings>()
                                        : std::make_unique<QSettings>(settingsFile, QSettings::IniFormat))
{
    ProviderConfig wandb;
    wandb.kind = ProviderConfig::Kind::WandbInference;
    wandb.name = kWandbName;
    wandb.baseUrl = kWandbBaseUrl;
    ProviderConfig openai;
    openai.kind = ProviderConfig::Kind::OpenAI;
    openai.name = kOpenAIName;
    openai.baseUrl = kOpenAIBaseUrl;
    m_builtIns = { wandb, openai };
    load();
}

ProviderStore::~ProviderStore() = default;

void ProviderStore::load()
{
    m_settings->beginGroup(kGroup);
    m_builtIns[0].extraHeaders =
        parseHeaderLines(m_settings->value(QStringLiteral("wandb/headers")).toString());
    m_builtIns[1].extraHeaders =
        parseHeaderLines(m_settings->value(QStringLiteral("openai/headers")).toString());
    const int count = m_settings->beginReadArray(QStringLiteral("custom"));
    m_custom.clear();
    for (int i = 0; i < count; ++i) {
        m_settings->setArrayIndex(i);
        ProviderConfig config;
        config.kind = ProviderConfig::Kind::Compatible;
        config.name = m_settings->value(QStringLiteral("name")).toString();
        config.baseUrl = QUrl(m_settings->value(QStringLiteral("baseUrl")).toString());
        config.extraHeaders = parseHeaderLines(m_settings->value(QStringLiteral("headers")).toString());
        config.hasStoredKey = m_settings->value(QStringLiteral("hasKey"), false).toBool();
        if (!config.name.isEmpty() && config.baseUrl.isValid())
            m_custom.append(config);
    }
    m_settings->endArray();
    m_settings->endGroup();
}

QString ProviderStore::store() const
{
    m_settings->remove(kGroup);
    m_settings->beginGroup(kGroup);
    m_settings->setValue(QStringLiteral("wandb/headers"), headerLines(m_builtIns[0].extraHeaders));
    m_settings->setValue(QStringLiteral("openai/headers"), headerLines(m_builtIns[1].extraHeaders));
    m_settings->beginWriteArray(QStringLiteral("custom"), int(m_custom.size()));
    for (int i = 0; i < m_custom.size(); ++i) {
        m_settings->setArrayIndex(i);
        const ProviderConfig& config = m_custom[i];
        m_settings->setValue(QStringLiteral("name"), config.name);
        m_settings->setValue(QStringLiteral("baseUrl"), config.baseUrl.toString());
        m_settings->setValue(QStringLiteral("headers"), headerLines(config.extraHeaders));
        m_settings->setValue(QStringLiteral("hasKey"), config.hasStoredKey);
    }
    m_settings->endArray();
    m_settings->endGroup();
    m_settings->sync();
    if (m_settings->status() != QSettings::NoError)
        return tr("The change could not be written to the settings file %1: it will not be there next "
                  "time Spindle starts.")
            .arg(QDir::toNativeSeparators(m_settings->fileName()));
    return {};
}

QVector<ProviderConfig> ProviderStore::providers() const
{
    QVector<ProviderConfig> all;
    const auto shadowed = [this](const QString& name) {
        return std::any_of(m_transient.cbegin(), m_transient.cend(),
            [&](const net::InferenceProvider& t) { return t.name.compare(name, Qt::CaseInsensitive) == 0; });
    };
    for (const ProviderConfig& config : m_builtIns + m_custom) {
        if (!shadowed(config.name))
            all.append(config);
    }
    for (const net::InferenceProvider& t : m_transient) {
        ProviderConfig config;
        config.kind = ProviderConfig::Kind::Transient;
        config.name = t.name;
        config.baseUrl = t.baseUrl;
        config.extraHeaders = t.extraHeaders;
        config.hasStoredKey = !t.apiKey.isEmpty();
        all.append(config);
    }
    return all;
}

std::optional<ProviderConfig> ProviderStore::provider(const QString& name) const
{
    for (const ProviderConfig& config : providers()) {
        if (config.name.compare(trimmed(name), Qt::CaseInsensitive) == 0)
            return config;
    }
    return std::nullopt;
}

QStringList ProviderStore::names() const
{
    QStringList names;
    for (const ProviderConfig& config : providers())
        names.append(config.name);
    return names;
}

QString ProviderStore::validate(const ProviderConfig& config, const QString& oldName) const
{
    const QString name = trimmed(config.name);
    if (name.isEmpty())
        return tr("Give the provider a name.");
    if (name.size() > 60)
        return tr("The name is too long (at most 60 characters).");
    const bool renaming = name.compare(oldName, Qt::CaseInsensitive) != 0;
    if (renaming && provider(name))
        return tr("A provider named \"%1\" already exists.").arg(name);
    if (!config.isBuiltIn()) {
        const QUrl url = config.baseUrl;
        if (!url.isValid() || url.host().isEmpty()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
            return tr("The base URL must be an http:// or https:// address, e.g. http://127.0.0.1:11434/v1.");
        // The address is kept in the plain settings file and logged with every playground run.
        if (!url.userInfo().isEmpty())
            return tr(
                "The base URL holds a user name or password: put the key in the API key field, which is "
                "kept in the system keychain, not in the address.");
        for (const auto& item : QUrlQuery(url).queryItems()) {
            if (looksSecretInAddress(item.first))
                return tr(
                    "\"%1\" in the base URL looks like a secret: put the key in the API key field, which is "
                    "kept in the system keychain, not in the address.")
                    .arg(item.first);
        }
    }
    for (const auto& header : config.extraHeaders) {
        if (looksSecret(header.first))
            return tr("\"%1\" looks like a secret: put the key in the API key field, which is kept in the "
                      "system keychain, not in a header.")
                .arg(QString::fromLatin1(header.first));
    }
    return {};
}

QString ProviderStore::save(const ProviderConfig& input, const QString& oldName)
{
    ProviderConfig config = input;
    config.name = trimmed(config.name);
    // A built-in keeps its name; for the others an empty oldName means "new", which must not clash.
    const QString editing = config.isBuiltIn() ? config.name : oldName;
    if (const QString error = validate(config, editing); !error.isEmpty())
        return error;
    if (config.isBuiltIn()) {
        for (ProviderConfig& builtIn : m_builtIns) {
            if (builtIn.kind == config.kind)
                builtIn.extraHeaders = config.extraHeaders;
        }
        storeAndAnnounce();
        return {};
    }
    config.kind = ProviderConfig::Kind::Compatible;
    config.baseUrl = normalizedBaseUrl(config.baseUrl);
    const QString previous = oldName.isEmpty() ? config.name : oldName;
    auto it = std::find_if(m_custom.begin(), m_custom.end(),
        [&](const ProviderConfig& c) { return c.name.compare(previous, Qt::CaseInsensitive) == 0; });
    if (it == m_custom.end()) {
        m_custom.append(config);
    } else {
        config.hasStoredKey = it->hasStoredKey;
        const QString oldAccount = keychainAccount(it->name);
        *it = config;
        const QString newAccount = keychainAccount(config.name);
        if (oldAccount != newAccount) {
            m_renamedTo.remove(config.name); // the name is in use again (renamed back)
            m_renamedTo.insert(previous, config.name); // a key move under way follows the name
            m_keyWrites.insert(config.name, m_keyWrites.take(previous));
        }
        if (config.hasStoredKey && oldAccount != newAccount)
            moveKey(config.name, oldAccount); // the key follows the provider
    }
    storeAndAnnounce();
    return {};
}

bool ProviderStore::remove(const QString& name)
{
    const auto matches = [&](const QString& other) { return other.compare(name, Qt::CaseInsensitive) == 0; };
    const auto transientCount = m_transient.size();
    m_transient.removeIf([&](const net::InferenceProvider& t) { return matches(t.name); });
    if (m_transient.size() != transientCount) {
        Q_EMIT changed();
        return true;
    }
    auto it = std::find_if(
        m_custom.begin(), m_custom.end(), [&](const ProviderConfig& c) { return matches(c.name); });
    if (it == m_custom.end())
        return false;
    if (it->hasStoredKey)
        net::deleteKeychainApiKey(keychainAccount(it->name), [](bool, const QString&) {});
    m_custom.erase(it);
    storeAndAnnounce();
    return true;
}

void ProviderStore::setKey(
    const QString& name, const QString& key, std::function<void(bool ok, const QString& error)> done)
{
    const std::optional<ProviderConfig> config = provider(name);
    if (!config || config->kind == ProviderConfig::Kind::Transient) {
        auto it = std::find_if(m_transient.begin(), m_transient.end(),
            [&](const net::InferenceProvider& t) { return t.name.compare(name, Qt::CaseInsensitive) == 0; });
        if (it != m_transient.end())
            it->apiKey = key.trimmed();
        QMetaObject::invokeMethod(
            this,
            [done, found = config.has_value()] { done(found, found ? QString() : tr("No such provider.")); },
            Qt::QueuedConnection);
        return;
    }
    const QString providerName = config->name;
    const bool clearing = key.trimmed().isEmpty();
    ++m_keyWrites[providerName]; // a key move under way must not put an older key back
    auto finished = [self = QPointer(this), providerName, clearing, done](bool ok, const QString& error) {
        if (self && ok)
            self->setHasStoredKey(providerName, !clearing);
        done(ok, error);
    };
    if (clearing)
        net::deleteKeychainApiKey(keychainAccount(providerName), std::move(finished));
    else
        net::writeKeychainApiKey(keychainAccount(providerName), key.trimmed(), std::move(finished));
}

// Read, write, then delete: the old entry goes only once the new one holds the key, so a failed
// step leaves the key where it was; the provider then claims none (its new account has none), and
// the window's banner says so. The key goes to the provider's name when the read is in, which a
// second rename may have changed; a key set for it meanwhile (a rename with a new key in one Save)
// wins, and the old entry just goes.
void ProviderStore::moveKey(const QString& name, const QString& fromAccount)
{
    const int writes = m_keyWrites.value(name);
    net::readKeychainApiKey(fromAccount,
        [self = QPointer(this), name, fromAccount, writes](const QString& key, const QString& readError) {
            if (!self)
                return;
            const QString now = self->currentName(name);
            if (self->m_keyWrites.value(now) != writes) {
                net::deleteKeychainApiKey(fromAccount, [](bool, const QString&) {});
                return;
            }
            if (key.isEmpty()) {
                self->setHasStoredKey(now, false);
                if (!readError.isEmpty())
                    self->reportKeyNotMoved(now, readError);
                return;
            }
            net::writeKeychainApiKey(self->keychainAccount(now), key,
                [self, name, fromAccount](bool ok, const QString& writeError) {
                    if (ok)
                        net::deleteKeychainApiKey(fromAccount, [](bool, const QString&) {});
                    if (!self)
                        return;
                    self->setHasStoredKey(self->currentName(name), ok);
                    if (!ok)
                        self->reportKeyNotMoved(self->currentName(name), writeError);
                });
        });
}

void ProviderStore::reportKeyNotStored(const QString& name, const QString& error)
{
    Q_EMIT storageFailed(
        tr("The key for %1 could not be stored in the system keychain: %2").arg(name, error));
}

void ProviderStore::reportKeyNotMoved(const QString& name, const QString& error)
{
    Q_EMIT storageFailed(tr("The API key of “%1” could not be moved to its new name: %2. It is still in the "
                            "keychain under the old name; enter it again for “%1”.")
                             .arg(name, error));
}

// `name` after the renames since (A renamed to B, then to C: C).
QString ProviderStore::currentName(QString name) const
{
    for (int hops = 0; m_renamedTo.contains(name) && hops < 64; ++hops)
        name = m_renamedTo.value(name);
    return name;
}

void ProviderStore::setHasStoredKey(const QString& name, bool hasKey)
{
    for (ProviderConfig& c : m_custom) {
        if (c.name == name)
            c.hasStoredKey = hasKey;
    }
    storeAndAnnounce();
}

// The change is in effect either way; a settings file that cannot be written (a read-only home, a
// full disk) would lose it at the next start, which the dialog says (storageFailed).
void ProviderStore::storeAndAnnounce()
{
    const QString error = store();
    Q_EMIT changed();
    if (!error.isEmpty())
        Q_EMIT storageFailed(error);
}

void ProviderStore::addTransient(const net::InferenceProvider& provider)
{
    m_transient.removeIf([&](const net::InferenceProvider& t) { return t.name == provider.name; });
    m_transient.append(provider);
    Q_EMIT changed();
}

void ProviderStore::setWandbProject(const QString& entityProject)
{
    m_wandbProject = entityProject.trimmed();
}

QString ProviderStore::keychainAccount(const QString& name) const
{
    const std::optional<ProviderConfig> config = provider(name);
    if (config && config->kind == ProviderConfig::Kind::WandbInference)
        return kWandbAccount;
    return QStringLiteral("spindle-provider/") + (config ? config->name : trimmed(name));
}

QString ProviderStore::keyHelp(const QString& name) const
{
    const std::optional<ProviderConfig> config = provider(name);
    if (!config)
        return tr("There is no provider named \"%1\".").arg(name);
    // A transient stand-in for a built-in (tests, scripted sessions) gets the built-in's advice.
    ProviderConfig::Kind kind = config->kind;
    if (config->name == kWandbName)
        kind = ProviderConfig::Kind::WandbInference;
    else if (config->name == kOpenAIName)
        kind = ProviderConfig::Kind::OpenAI;
    switch (kind) {
    case ProviderConfig::Kind::WandbInference:
        return tr("W&B Inference uses your W&B API key (from https://wandb.ai/authorize). Set WANDB_API_KEY, "
                  "run \"wandb login\" (it writes ~/.netrc), or type the key in Playground ▸ Providers…, "
                  "which keeps it in the system keychain.");
    case ProviderConfig::Kind::OpenAI:
        return tr("Set OPENAI_API_KEY, or type your OpenAI key in Playground ▸ Providers…, which keeps it in "
                  "the system keychain.");
    case ProviderConfig::Kind::Compatible:
    case ProviderConfig::Kind::Transient:
        break;
    }
    return tr("Local servers usually need no key. If \"%1\" does, type it in Playground ▸ Providers…; it is "
              "kept in the system keychain.")
        .arg(config->name);
}

void ProviderStore::resolve(QObject* context, const QString& name, ResolveCallback done)
{
    if (!context)
        context = this; // then `done` may use only what outlives the store
    for (const net::InferenceProvider& t : m_transient) {
        if (t.name.compare(trimmed(name), Qt::CaseInsensitive) == 0) {
            ProviderConfig config;
            config.kind = ProviderConfig::Kind::Transient;
            config.name = t.name;
            config.baseUrl = t.baseUrl;
            config.extraHeaders = t.extraHeaders;
            finishResolve(
                context, config, t.apiKey, t.apiKey.isEmpty() ? QString() : QStringLiteral("memory"), done);
            return;
        }
    }
    const std::optional<ProviderConfig> found = provider(name);
    if (!found) {
        finishResolve(context, {}, {}, {}, done);
        return;
    }
    const ProviderConfig config = *found;
    QString key;
    QString source;
    if (config.kind == ProviderConfig::Kind::WandbInference) {
        key = net::apiKeyFromEnvironment();
        source = QStringLiteral("WANDB_API_KEY");
        if (key.isEmpty()) {
            key = net::apiKeyFromNetrc(kWandbAccount);
            source = QStringLiteral("~/.netrc");
        }
    } else if (config.kind == ProviderConfig::Kind::OpenAI) {
        key = qEnvironmentVariable("OPENAI_API_KEY").trimmed();
        source = QStringLiteral("OPENAI_API_KEY");
    }
    const bool askKeychain = key.isEmpty() && (config.isBuiltIn() || config.hasStoredKey);
    if (!askKeychain) {
        finishResolve(context, config, key, key.isEmpty() ? QString() : source, done);
        return;
    }
    net::readKeychainApiKey(keychainAccount(config.name),
        [self = QPointer(this), context = QPointer(context), config, done](
            const QString& found, const QString&) {
            if (self && context)
                self->finishResolve(context, config, found.trimmed(),
                    found.trimmed().isEmpty() ? QString() : kKeychainSource, done);
        });
}

void ProviderStore::finishResolve(QObject* context, const ProviderConfig& config, const QString& key,
    const QString& source, const ResolveCallback& done)
{
    net::InferenceProvider provider;
    provider.name = config.name;
    provider.baseUrl = config.baseUrl;
    provider.apiKey = key;
    provider.extraHeaders = config.extraHeaders;
    const bool wandb = config.kind == ProviderConfig::Kind::WandbInference
        || (config.kind == ProviderConfig::Kind::Transient && config.name == kWandbName);
    const bool hasProjectHeader = std::any_of(provider.extraHeaders.cbegin(), provider.extraHeaders.cend(),
        [](const auto& h) { return h.first.compare("OpenAI-Project", Qt::CaseInsensitive) == 0; });
    if (wandb && !m_wandbProject.isEmpty() && !hasProjectHeader)
        provider.extraHeaders.append({ QByteArrayLiteral("OpenAI-Project"), m_wandbProject.toUtf8() });
    // Always later, so callers see one order whether or not the keychain was asked. Queued to the
    // context, so that Qt drops the call if the context goes first.
    QMetaObject::invokeMethod(
        context, [done, provider, source] { done(provider, source); }, Qt::QueuedConnection);
}

QList<QPair<QByteArray, QByteArray>> ProviderStore::parseHeaderLines(const QString& text, QString* error)
{
    static const QRegularExpression token(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
    QList<QPair<QByteArray, QByteArray>> headers;
    const QStringList lines = text.split(u'\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const qsizetype colon = line.indexOf(u':');
        const QString name = colon < 0 ? line : line.left(colon).trimmed();
        if (colon <= 0 || !token.match(name).hasMatch()) {
            if (error && error->isEmpty())
                *error = tr("Header line %1 is not \"Name: value\": %2").arg(i + 1).arg(line);
            continue;
        }
        headers.append({ name.toLatin1(), line.mid(colon + 1).trimmed().toUtf8() });
    }
    return headers;
}

QString ProviderStore::headerLines(const QList<QPair<QByteArray, QByteArray>>& headers)
{
    QStringList lines;
    for (const auto& header : headers)
        lines.append(
            QString::fromLatin1(header.first) + QStringLiteral(": ") + QString::fromUtf8(header.second));
    return lines.join(u'\n');
}

} // namespace spindle::ui
