#include "net/credentials.h"

#include <QDir>
#include <QFile>
#include <qt6keychain/keychain.h>

namespace spindle::net {
namespace {

const QString kKeychainService = QStringLiteral("spindle");

// netrc's tokens, as Python's netrc module reads them (the SDK's `wandb login` writes the file):
// whitespace-separated; a value in double quotes may hold spaces and backslash escapes. `line`
// says where a token starts, for comments (netrcEntries).
struct NetrcToken
{
    QString text;
    int line = 0;
    bool quoted = false;
};

QList<NetrcToken> netrcTokens(const QString& text)
{
    QList<NetrcToken> tokens;
    int line = 0;
    qsizetype i = 0;
    while (i < text.size()) {
        if (text[i].isSpace()) {
            line += text[i] == QLatin1Char('\n');
            ++i;
            continue;
        }
        NetrcToken token { {}, line, text[i] == QLatin1Char('"') };
        for (i += token.quoted ? 1 : 0; i < text.size(); ++i) {
            const QChar c = text[i];
            if (token.quoted ? c == QLatin1Char('"') : c.isSpace())
                break;
            if (c == QLatin1Char('\\') && i + 1 < text.size())
                ++i; // the escaped character itself
            token.text.append(text[i]);
        }
        i += token.quoted ? 1 : 0; // past the closing quote
        tokens.append(token);
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
    // entry, used for the W&B API host only (a default meant for other hosts, an ftp login say, is
    // not sent to a server the user typed). Where a keyword is due, # comments out the rest of its
    // line; a value is taken as it is, # and all.
    const QList<NetrcToken> tokens = netrcTokens(QString::fromUtf8(file.readAll()));
    enum class Entry
    {
        Other,
        Host,
        Default
    } entry = Entry::Other;
    QString fallback;
    for (qsizetype i = 0; i < tokens.size(); ++i) {
        const QString& token = tokens[i].text;
        const bool hasValue = i + 1 < tokens.size();
        if (!tokens[i].quoted && token.startsWith(QLatin1Char('#'))) {
            while (i + 1 < tokens.size() && tokens[i + 1].line == tokens[i].line)
                ++i;
        } else if (token == QLatin1String("machine") && hasValue) {
            entry = tokens[++i].text == host ? Entry::Host : Entry::Other;
        } else if (token == QLatin1String("default")) {
            entry = host == QLatin1String(kWandbApiHost) ? Entry::Default : Entry::Other;
        } else if (token == QLatin1String("password") && hasValue) {
            const QString& secret = tokens[++i].text;
            if (entry == Entry::Host)
                return secret;
            if (entry == Entry::Default)
                fallback = secret;
        } else if ((token == QLatin1String("login") || token == QLatin1String("account")) && hasValue) {
            ++i; // a value, even one that reads "password"
        }
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
