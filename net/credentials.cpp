#include "net/credentials.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <qt6keychain/keychain.h>

namespace spindle::net {
namespace {

const QString kKeychainService = QStringLiteral("spindle");

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
    // netrc is a stream of tokens: machine <host> login <user> password <secret> ...
    const QStringList tokens = QString::fromUtf8(file.readAll())
                                   .split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    bool inMachine = false;
    for (qsizetype i = 0; i + 1 < tokens.size(); ++i) {
        if (tokens[i] == QLatin1String("machine"))
            inMachine = tokens[i + 1] == host;
        else if (tokens[i] == QLatin1String("default"))
            inMachine = false;
        else if (inMachine && tokens[i] == QLatin1String("password"))
            return tokens[i + 1];
    }
    return {};
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
