#include "net/credentials.h"

#include <QDir>
#include <QFile>
#include <qt6keychain/keychain.h>

#include <optional>

namespace spindle::net {
namespace {

const QString kKeychainService = QStringLiteral("spindle");

// netrc read as Python's netrc module reads it (the SDK's `wandb login` writes the file): tokens
// are whitespace-separated; a value in double quotes may hold spaces and backslash escapes. Where a
// keyword is due, # comments out the rest of its line, read as plain text: a comment may end in a
// backslash or hold an unclosed quote. A value is taken as it is, # and all.
class NetrcLexer
{
public:
    explicit NetrcLexer(const QString& text)
        : m_text(text)
    {
    }
    // The next token, or nothing at the end. `keywordDue`: a # there starts a comment.
    std::optional<QString> next(bool keywordDue)
    {
        while (m_at < m_text.size()) {
            if (m_text[m_at].isSpace()) {
                ++m_at;
            } else if (keywordDue && m_text[m_at] == QLatin1Char('#')) {
                const qsizetype end = m_text.indexOf(QLatin1Char('\n'), m_at);
                m_at = end < 0 ? m_text.size() : end;
            } else {
                return token();
            }
        }
        return std::nullopt;
    }

private:
    QString token()
    {
        const bool quoted = m_text[m_at] == QLatin1Char('"');
        QString text;
        for (m_at += quoted ? 1 : 0; m_at < m_text.size(); ++m_at) {
            const QChar c = m_text[m_at];
            if (quoted ? c == QLatin1Char('"') : c.isSpace())
                break;
            if (c == QLatin1Char('\\') && m_at + 1 < m_text.size())
                ++m_at; // the escaped character itself
            text.append(m_text[m_at]);
        }
        m_at += quoted ? 1 : 0; // past the closing quote
        return text;
    }

    const QString& m_text;
    qsizetype m_at = 0;
};

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
    const QString text = QString::fromUtf8(file.readAll());
    NetrcLexer lexer(text);
    enum class Entry
    {
        Other,
        Host,
        Default
    } entry = Entry::Other;
    QString found; // the host's own entry; Python keeps the last one a file has
    QString fallback;
    while (const auto token = lexer.next(true)) {
        if (*token == QLatin1String("machine")) {
            entry = lexer.next(false).value_or(QString()) == host ? Entry::Host : Entry::Other;
        } else if (*token == QLatin1String("default")) {
            entry = host == QLatin1String(kWandbApiHost) ? Entry::Default : Entry::Other;
        } else if (*token == QLatin1String("password")) {
            const QString secret = lexer.next(false).value_or(QString());
            if (entry == Entry::Host)
                found = secret;
            if (entry == Entry::Default)
                fallback = secret;
        } else if (*token == QLatin1String("login") || *token == QLatin1String("account")) {
            lexer.next(false); // a value, even one that reads "password"
        }
    }
    return found.isEmpty() ? fallback : found;
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
