#include "net/credentials.h"

#include <QDir>
#include <QFile>
#include <qt6keychain/keychain.h>

namespace spindle::net {
namespace {

const QString kKeychainService = QStringLiteral("spindle");

// netrc's tokens, as Python's netrc module reads them (the SDK's `wandb login` writes the file):
// whitespace-separated, a token starting with # comments out the rest of its line, and a value in
// double quotes may hold spaces and backslash escapes.
QStringList netrcTokens(const QString& text)
{
    QStringList tokens;
    qsizetype i = 0;
    while (i < text.size()) {
        if (text[i].isSpace()) {
            ++i;
        } else if (text[i] == QLatin1Char('#')) {
            while (i < text.size() && text[i] != QLatin1Char('\n'))
                ++i;
        } else {
            QString token;
            const bool quoted = text[i] == QLatin1Char('"');
            for (i += quoted ? 1 : 0; i < text.size(); ++i) {
                const QChar c = text[i];
                if (quoted ? c == QLatin1Char('"') : c.isSpace())
                    break;
                if (c == QLatin1Char('\\') && i + 1 < text.size())
                    ++i; // the escaped character itself
                token.append(text[i]);
            }
            i += quoted ? 1 : 0; // past the closing quote
            tokens.append(token);
        }
    }
    return tokens;
}

} // namespace

QString apiKeyFromEnvironment()
{
    return qEnvironmentVariable("WANDB_API_KEY").trimmed();
}

QString apiKeyFromNetrc(const QString& host, const QString& netrcPath)
{
    QString path = netrcPath;
    if (path.isEmpty())
        path = qEnvironmentVariableIsSet("NETRC") ? qEnvironmentVariable("NETRC")
                                                  : QDir::homePath() + QStringLiteral("/.netrc");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    // A stream of entries: machine <host> login <user> password <secret> ..., and one `default`
    // entry for every other host.
    const QStringList tokens = netrcTokens(QString::fromUtf8(file.readAll()));
    enum class Entry
    {
        Other,
        Host,
        Default
    } entry = Entry::Other;
    QString fallback;
    for (qsizetype i = 0; i < tokens.size(); ++i) {
        const QString& token = tokens[i];
        if (token == QLatin1String("machine") && i + 1 < tokens.size())
            entry = tokens[++i] == host ? Entry::Host : Entry::Other;
        else if (token == QLatin1String("default"))
            entry = Entry::Default;
        else if (token == QLatin1String("password") && i + 1 < tokens.size()) {
            const QString& secret = tokens[++i];
            if (entry == Entry::Host)
                return secret;
            if (entry == Entry::Default)
                fallback = secret;
        } else if ((token == QLatin1String("login") || token == QLatin1String("account"))
            && i + 1 < tokens.size())
            ++i; // a value, even one that reads "password"
    }
    return fallback;
}

void readKeychainApiKey(
    const QString& account, std::function<void(const QString& key, const QString& error)> done)
{
    auto* job = new QKeychain::ReadPasswordJob(kKeychainService);
    job->setAutoDelete(true);
    job->setKey(account);
    QObject::connect(job, &QKeychain::Job::finished, [done](QKeychain::Job* finished) {
        auto* read = static_cast<QKeychain::ReadPasswordJob*>(finished);
        if (read->error() == QKeychain::NoError)
            done(read->textData(), {});
        else
            done({}, read->error() == QKeychain::EntryNotFound ? QString() : read->errorString());
    });
    job->start();
}

void writeKeychainApiKey(
    const QString& account, const QString& key, std::function<void(bool ok, const QString& error)> done)
{
    auto* job = new QKeychain::WritePasswordJob(kKeychainService);
    job->setAutoDelete(true);
    job->setKey(account);
    job->setTextData(key);
    QObject::connect(job, &QKeychain::Job::finished, [done](QKeychain::Job* finished) {
        done(finished->error() == QKeychain::NoError, finished->errorString());
    });
    job->start();
}

void deleteKeychainApiKey(const QString& account, std::function<void(bool ok, const QString& error)> done)
{
    auto* job = new QKeychain::DeletePasswordJob(kKeychainService);
    job->setAutoDelete(true);
    job->setKey(account);
    QObject::connect(job, &QKeychain::Job::finished, [done](QKeychain::Job* finished) {
        const bool ok =
            finished->error() == QKeychain::NoError || finished->error() == QKeychain::EntryNotFound;
        done(ok, ok ? QString() : finished->errorString());
    });
    job->start();
}

} // namespace spindle::net
