// The OS keychain for real: QtKeychain against gnome-keyring's Secret Service in a private D-Bus
// session (ctest runs this test through tests/support/with-keyring.sh). W&B profile keys and the
// playground providers' keys live only there; nothing of them reaches the settings file.
#include "net/credentials.h"
#include "ui/providerstore.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

namespace {
// The keychain answers asynchronously; a helper that gets no answer says so (its result stays unset).
template <typename Done> void waitForKeychain(Done done)
{
    if (!QTest::qWaitFor(done, 10000))
        qWarning("the keychain did not answer in 10 s");
}

struct WriteResult
{
    bool done = false;
    bool ok = false;
    QString error;
};

WriteResult writeKey(const QString& account, const QString& key)
{
    WriteResult result;
    spindle::net::writeKeychainApiKey(account, key, [&](bool ok, const QString& error) {
        result = { true, ok, error };
    });
    waitForKeychain([&] { return result.done; });
    return result;
}

// Whether the keychain holds an entry at all (an empty one counts): "forget" must remove it.
bool hasEntry(const QString& account)
{
    bool done = false;
    bool found = false;
    auto* job = new QKeychain::ReadPasswordJob(u"spindle"_s);
    job->setAutoDelete(true);
    job->setKey(account);
    QObject::connect(job, &QKeychain::Job::finished, [&](QKeychain::Job* finished) {
        found = finished->error() == QKeychain::NoError;
        done = true;
    });
    job->start();
    waitForKeychain([&] { return done; });
    return found;
}

bool deleteKey(const QString& account)
{
    WriteResult result;
    spindle::net::deleteKeychainApiKey(account, [&](bool ok, const QString& error) {
        result = { true, ok, error };
    });
    waitForKeychain([&] { return result.done; });
    return result.ok;
}

QString readKey(const QString& account)
{
    bool done = false;
    QString key;
    spindle::net::readKeychainApiKey(account, [&](const QString& value, const QString&) {
        key = value;
        done = true;
    });
    waitForKeychain([&] { return done; });
    return key;
}
} // namespace

class TestKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void providerKeyOnlyInTheKeychain();
};

void TestKeychain::roundTrip()
{
    const QString account = u"spindle-test/round-trip"_s;
    const WriteResult written = writeKey(account, u"first-key"_s);
    QVERIFY2(written.ok, qPrintable(written.error));
    QCOMPARE(readKey(account), u"first-key"_s);
    QVERIFY(writeKey(account, u"second-key"_s).ok); // a new key replaces the old one
    QCOMPARE(readKey(account), u"second-key"_s);
    QCOMPARE(readKey(u"spindle-test/never-written"_s), QString());
    QVERIFY(hasEntry(account));
    QVERIFY(deleteKey(account));
    QVERIFY(!hasEntry(account));
    QCOMPARE(readKey(account), QString());
    QVERIFY(deleteKey(u"spindle-test/never-written"_s)); // nothing to delete is not an error
}

void TestKeychain::providerKeyOnlyInTheKeychain()
{
    QTemporaryDir dir;
    const QString settings = dir.filePath(u"providers.ini"_s);
    const QString secret = u"sk-local-0123456789"_s;
    spindle::ui::ProviderStore store(settings);
    spindle::ui::ProviderConfig local;
    local.name = u"My vLLM"_s;
    local.baseUrl = QUrl(u"http://127.0.0.1:8000/v1"_s);
    QCOMPARE(store.save(local), QString());
    bool stored = false;
    store.setKey(local.name, secret, [&](bool ok, const QString& error) {
        QVERIFY2(ok, qPrintable(error));
        stored = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(stored, 10000);

    // A new store (the next start of the app) finds the key in the keychain.
    spindle::ui::ProviderStore reopened(settings);
    bool resolved = false;
    reopened.resolve(
        nullptr, local.name, [&](const spindle::net::InferenceProvider& provider, const QString& source) {
            QCOMPARE(provider.apiKey, secret);
            QCOMPARE(source, spindle::ui::ProviderStore::kKeychainSource);
            resolved = true;
        });
    QTRY_VERIFY_WITH_TIMEOUT(resolved, 10000);
    QFile file(settings);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(text.contains("My vLLM") || text.contains("My%20vLLM"));
    QVERIFY(!text.contains(secret.toUtf8()));

    // "Forget key" removes the keychain entry, and so does removing a provider that has a key.
    const QString account = u"spindle-provider/My vLLM"_s;
    QVERIFY(hasEntry(account));
    bool forgotten = false;
    reopened.setKey(local.name, QString(), [&](bool ok, const QString& error) {
        QVERIFY2(ok, qPrintable(error));
        forgotten = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(forgotten, 10000);
    QVERIFY(!hasEntry(account));
    QVERIFY(!reopened.provider(local.name)->hasStoredKey);
    stored = false;
    reopened.setKey(local.name, secret, [&](bool ok, const QString&) { stored = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(stored, 10000);
    QVERIFY(hasEntry(account));

    // A renamed provider's key moves to the new name's entry; the old entry goes once it has.
    spindle::ui::ProviderConfig renamed = *reopened.provider(local.name);
    renamed.name = u"Team vLLM"_s;
    QCOMPARE(reopened.save(renamed, local.name), QString());
    const QString newAccount = u"spindle-provider/Team vLLM"_s;
    QTRY_VERIFY_WITH_TIMEOUT(!hasEntry(account), 10000);
    QCOMPARE(readKey(newAccount), secret);
    QVERIFY(reopened.provider(renamed.name)->hasStoredKey);

    // Renamed twice in a row (the first move still under way): the key ends under the last name.
    spindle::ui::ProviderConfig twice = *reopened.provider(renamed.name);
    twice.name = u"Team vLLM 2"_s;
    QCOMPARE(reopened.save(twice, renamed.name), QString());
    spindle::ui::ProviderConfig thrice = twice;
    thrice.name = u"Team vLLM 3"_s;
    QCOMPARE(reopened.save(thrice, twice.name), QString());
    const QString thirdAccount = u"spindle-provider/Team vLLM 3"_s;
    QTRY_VERIFY_WITH_TIMEOUT(!hasEntry(newAccount) && readKey(thirdAccount) == secret, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(reopened.provider(thrice.name)->hasStoredKey, 10000);
    QVERIFY(!hasEntry(u"spindle-provider/Team vLLM 2"_s));
    // Renamed with a new key in one Save (what the dialog does): the new key, not the moved one.
    spindle::ui::ProviderConfig rekeyed = thrice;
    rekeyed.name = u"Team vLLM"_s;
    QCOMPARE(reopened.save(rekeyed, thrice.name), QString());
    bool rekeyDone = false;
    reopened.setKey(rekeyed.name, u"sk-new-key"_s, [&](bool ok, const QString&) { rekeyDone = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(rekeyDone && !hasEntry(thirdAccount), 10000);
    QTest::qWait(200); // a late move would have written by now
    QCOMPARE(readKey(newAccount), u"sk-new-key"_s);
    QVERIFY(reopened.provider(rekeyed.name)->hasStoredKey);

    // A key gone from the keychain behind the app's back: a rename claims no key and writes none.
    QVERIFY(deleteKey(newAccount));
    spindle::ui::ProviderConfig again = *reopened.provider(renamed.name);
    again.name = u"Lab vLLM"_s;
    QCOMPARE(reopened.save(again, renamed.name), QString());
    QTRY_VERIFY_WITH_TIMEOUT(!reopened.provider(again.name)->hasStoredKey, 10000);
    QVERIFY(!hasEntry(u"spindle-provider/Lab vLLM"_s));
    QVERIFY(reopened.remove(again.name));
}

QTEST_MAIN(TestKeychain)
#include "tst_keychain.moc"
