// Where API keys come from: WANDB_API_KEY first, then the netrc entry for the W&B host.
#include "net/credentials.h"

#include <QTemporaryDir>
#include <QtTest>

class CredentialsTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void environment();
    void netrc_data();
    void netrc();
    void missingNetrc();
};

void CredentialsTest::environment()
{
    qputenv("WANDB_API_KEY", "  env-key \n");
    QCOMPARE(spindle::net::apiKeyFromEnvironment(), QStringLiteral("env-key"));
    qunsetenv("WANDB_API_KEY");
    QVERIFY(spindle::net::apiKeyFromEnvironment().isEmpty());
}

void CredentialsTest::netrc_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("key");
    const QByteArray file = "machine example.com login me password other\n"
                            "machine api.wandb.ai\n  login user\n  password wandb-secret\n"
                            "default login anon password fallback\n";
    QTest::newRow("wandb entry") << file << QStringLiteral("api.wandb.ai") << QStringLiteral("wandb-secret");
    QTest::newRow("another host") << file << QStringLiteral("example.com") << QStringLiteral("other");
    // `default` stands in for the W&B API host only: a default meant for other hosts is not sent
    // to a server the user typed.
    QTest::newRow("unknown host") << file << QStringLiteral("nowhere.test") << QString();
    QTest::newRow("default for W&B") << QByteArray(
        "machine example.com password other\ndefault password dflt")
                                     << QStringLiteral("api.wandb.ai") << QStringLiteral("dflt");
    QTest::newRow("# in a value") << QByteArray(
        "machine api.wandb.ai login u password #abc\nmachine x password y")
                                  << QStringLiteral("api.wandb.ai") << QStringLiteral("#abc");
    QTest::newRow("no default") << QByteArray("machine example.com password other")
                                << QStringLiteral("nowhere.test") << QString();
    QTest::newRow("one line") << QByteArray("machine api.wandb.ai login api password k1")
                              << QStringLiteral("api.wandb.ai") << QStringLiteral("k1");
    QTest::newRow("commented-out entry")
        << QByteArray("# machine api.wandb.ai login u password OLD\n"
                      "machine api.wandb.ai login u password NEW # rotated\n")
        << QStringLiteral("api.wandb.ai") << QStringLiteral("NEW");
    QTest::newRow("quoted value") << QByteArray("machine api.wandb.ai login \"a b\" password \"k\\\"2 x\"")
                                  << QStringLiteral("api.wandb.ai") << QStringLiteral("k\"2 x");
    // A comment is plain text to the end of its line: a backslash at its end or a quote in it does
    // not reach into the entries after it (they did: no key was found).
    QTest::newRow("comment ending in a backslash")
        << QByteArray("# keys for C:\\Users\\me\\\nmachine api.wandb.ai login u password k4\n")
        << QStringLiteral("api.wandb.ai") << QStringLiteral("k4");
    QTest::newRow("comment with an unclosed quote")
        << QByteArray("# \"work key, see below\nmachine api.wandb.ai login u password k5\n")
        << QStringLiteral("api.wandb.ai") << QStringLiteral("k5");
    // Two entries for one host: Python's netrc (the SDK's) keeps the last.
    QTest::newRow("same host twice") << QByteArray(
        "machine api.wandb.ai password old\nmachine api.wandb.ai password new")
                                     << QStringLiteral("api.wandb.ai") << QStringLiteral("new");
    QTest::newRow("login named password") << QByteArray("machine api.wandb.ai login password password k3")
                                          << QStringLiteral("api.wandb.ai") << QStringLiteral("k3");
}

void CredentialsTest::netrc()
{
    QFETCH(QByteArray, file);
    QFETCH(QString, host);
    QFETCH(QString, key);
    QTemporaryDir dir;
    QFile netrc(dir.filePath(QStringLiteral("netrc")));
    QVERIFY(netrc.open(QIODevice::WriteOnly));
    netrc.write(file);
    netrc.close();
    QCOMPARE(spindle::net::apiKeyFromNetrc(host, netrc.fileName()), key);
    qputenv("NETRC", netrc.fileName().toUtf8()); // the SDKs' override of ~/.netrc
    QCOMPARE(spindle::net::apiKeyFromNetrc(host), key);
    qunsetenv("NETRC");
}

void CredentialsTest::missingNetrc()
{
    QVERIFY(
        spindle::net::apiKeyFromNetrc(QStringLiteral("api.wandb.ai"), QStringLiteral("/nonexistent/netrc"))
            .isEmpty());
}

QTEST_GUILESS_MAIN(CredentialsTest)
#include "tst_credentials.moc"
