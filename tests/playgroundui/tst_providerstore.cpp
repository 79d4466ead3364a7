// ProviderStore (settings round trip, validation, key resolution order, secrets never in the
// settings file) and ProvidersDialog (editing, "Test connection" against a /v1/models double,
// screenshot) on the offscreen platform. The offscreen session has no keychain service, so keys
// are given through the environment, ~/.netrc or addTransient(), and keychain writes must fail
// without the key landing anywhere else.

#include "modelsserver.h"
#include "net/credentials.h"
#include "ui/providersdialog.h"
#include "ui/providerstore.h"

#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

using namespace spindle;
using spindle::ui::ProviderConfig;
using spindle::ui::ProviderStore;

namespace {

struct Resolved
{
    net::InferenceProvider provider;
    QString source;
};

Resolved resolveNow(ProviderStore& store, const QString& name)
{
    Resolved result;
    bool done = false;
    store.resolve(nullptr, name, [&](const net::InferenceProvider& provider, const QString& source) {
        result = { provider, source };
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 10000))
        qWarning("resolve did not call back");
    return result;
}

QByteArray fileText(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

ProviderConfig compatible(const QString& name, const QString& url, const QString& headers = {})
{
    ProviderConfig config;
    config.name = name;
    config.baseUrl = QUrl(url);
    config.extraHeaders = ProviderStore::parseHeaderLines(headers);
    return config;
}

} // namespace

class ProviderStoreTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void builtInsComeFirst();
    void settingsRoundTrip();
    void validationMessages();
    void headerLines();
    void renameAndRemove();
    void wandbKeyOrderAndProjectHeader();
    void openAiKeyFromEnvironment();
    void transientShadowsAndNeverSaves();
    void resolveEndsWithItsContext();
    void secretsNeverInSettingsFile();
    void dialogTestConnection();
    void dialogKeepsInvalidDraftAndScreenshot();
    void closingWithAnInvalidDraftAsks();
    void unwritableSettingsSaySo();
    void keyNotMovedIsReported();

private:
    QTemporaryDir m_dir;
    QString m_settings;
};

void ProviderStoreTest::init()
{
    QVERIFY(m_dir.isValid());
    m_settings =
        m_dir.filePath(QStringLiteral("%1.ini").arg(QString::fromLatin1(QTest::currentTestFunction())));
    QFile::remove(m_settings);
    // Keys must come only from what each test sets up.
    qunsetenv("WANDB_API_KEY");
    qunsetenv("OPENAI_API_KEY");
    qputenv("NETRC", m_dir.filePath(QStringLiteral("no-netrc")).toLocal8Bit());
}

void ProviderStoreTest::builtInsComeFirst()
{
    ProviderStore store(m_settings);
    const QVector<ProviderConfig> providers = store.providers();
    QCOMPARE(providers.size(), 2);
    QCOMPARE(providers[0].name, QStringLiteral("W&B Inference"));
    QCOMPARE(providers[0].baseUrl, QUrl(QStringLiteral("https://api.inference.wandb.ai/v1")));
    QCOMPARE(providers[1].name, QStringLiteral("OpenAI"));
    QCOMPARE(providers[1].baseUrl, QUrl(QStringLiteral("https://api.openai.com/v1")));
    QVERIFY(providers[0].isBuiltIn() && providers[1].isBuiltIn());
    QCOMPARE(store.keychainAccount(QStringLiteral("W&B Inference")), QStringLiteral("api.wandb.ai"));
    QCOMPARE(store.keychainAccount(QStringLiteral("OpenAI")), QStringLiteral("spindle-provider/OpenAI"));
}

void ProviderStoreTest::settingsRoundTrip()
{
    {
        ProviderStore store(m_settings);
        QSignalSpy changed(&store, &ProviderStore::changed);
        // A pasted full endpoint is cut back to the base URL.
        QCOMPARE(store.save(compatible(QStringLiteral("Ollama"),
                     QStringLiteral("http://127.0.0.1:11434/v1/chat/completions/"),
                     QStringLiteral("X-Team: research\nOpenAI-Organization: org-1"))),
            QString());
        QCOMPARE(
            store.save(compatible(QStringLiteral("vLLM box"), QStringLiteral("http://10.0.0.5:8000/v1"))),
            QString());
        ProviderConfig openai = *store.provider(QStringLiteral("OpenAI"));
        openai.extraHeaders = ProviderStore::parseHeaderLines(QStringLiteral("OpenAI-Organization: org-9"));
        QCOMPARE(store.save(openai), QString());
        QCOMPARE(changed.size(), 3);
    }
    ProviderStore reloaded(m_settings);
    QCOMPARE(reloaded.names(),
        QStringList({ QStringLiteral("W&B Inference"), QStringLiteral("OpenAI"), QStringLiteral("Ollama"),
            QStringLiteral("vLLM box") }));
    const ProviderConfig ollama =
        *reloaded.provider(QStringLiteral("ollama")); // names match case-insensitively
    QCOMPARE(ollama.name, QStringLiteral("Ollama"));
    QCOMPARE(ollama.kind, ProviderConfig::Kind::Compatible);
    QCOMPARE(ollama.baseUrl, QUrl(QStringLiteral("http://127.0.0.1:11434/v1")));
    QCOMPARE(ProviderStore::headerLines(ollama.extraHeaders),
        QStringLiteral("X-Team: research\nOpenAI-Organization: org-1"));
    QVERIFY(!ollama.hasStoredKey);
    QCOMPARE(ProviderStore::headerLines(reloaded.provider(QStringLiteral("OpenAI"))->extraHeaders),
        QStringLiteral("OpenAI-Organization: org-9"));
    // The built-in's address is not configurable, whatever is saved.
    QCOMPARE(reloaded.provider(QStringLiteral("OpenAI"))->baseUrl, ProviderStore::kOpenAIBaseUrl);
    QVERIFY(fileText(m_settings).contains("playground\\providers")
        || fileText(m_settings).contains("[playground]"));
}

void ProviderStoreTest::validationMessages()
{
    ProviderStore store(m_settings);
    QVERIFY(store.save(compatible(QStringLiteral("  "), QStringLiteral("http://a/v1")))
                .contains(QStringLiteral("name")));
    QVERIFY(store.save(compatible(QStringLiteral("W&B inference"), QStringLiteral("http://a/v1")))
                .contains(QStringLiteral("already exists")));
    QVERIFY(store.save(compatible(QStringLiteral("Bad"), QStringLiteral("ftp://a/v1")))
                .contains(QStringLiteral("http://")));
    QVERIFY(store.save(compatible(QStringLiteral("Bad"), QString())).contains(QStringLiteral("base URL")));
    const QString secret = store.save(compatible(QStringLiteral("Leaky"), QStringLiteral("http://a/v1"),
        QStringLiteral("Authorization: Bearer sk-123")));
    QVERIFY2(secret.contains(QStringLiteral("keychain")), qPrintable(secret));
    QVERIFY(!store
                 .save(compatible(
                     QStringLiteral("Leaky"), QStringLiteral("http://a/v1"), QStringLiteral("X-Api-Key: k")))
                 .isEmpty());
    for (const char* url : { "https://alice:s3cret@proxy.example.com/v1",
             "https://proxy.example.com/v1?api-key=k", "https://proxy.example.com/v1?key=k",
             "https://proxy.example.com/v1?access_token=t", "https://proxy.example.com/v1?api_key=k",
             "https://proxy.example.com/v1?password=p", "https://proxy.example.com/v1?sig=s" }) {
        const QString error = store.save(compatible(QStringLiteral("Leaky"), QString::fromLatin1(url)));
        QVERIFY2(error.contains(QStringLiteral("keychain")), url);
    }
    QCOMPARE(store.save(compatible(
                 QStringLiteral("Azure"), QStringLiteral("https://a.example.com/v1?api-version=2024-06-01"))),
        QString()); // a query without a secret is fine
    QVERIFY(store.remove(QStringLiteral("Azure")));
    QCOMPARE(store.names().size(), 2); // nothing invalid was added
    QCOMPARE(store.save(compatible(QStringLiteral("Fine"), QStringLiteral("https://gpu.example.com/v1"))),
        QString());
    QVERIFY(store.save(compatible(QStringLiteral("fine"), QStringLiteral("http://b/v1")))
                .contains(QStringLiteral("already")));
}

void ProviderStoreTest::headerLines()
{
    QString error;
    const auto headers = ProviderStore::parseHeaderLines(
        QStringLiteral("  X-A:  1 \n\n# comment\nOpenAI-Project: team/proj\nnot a header\nX-B:"), &error);
    QCOMPARE(headers.size(), 3);
    QCOMPARE(headers[0], qMakePair(QByteArray("X-A"), QByteArray("1")));
    QCOMPARE(headers[1], qMakePair(QByteArray("OpenAI-Project"), QByteArray("team/proj")));
    QCOMPARE(headers[2], qMakePair(QByteArray("X-B"), QByteArray()));
    QVERIFY2(error.contains(QStringLiteral("line 5")), qPrintable(error));
    QString none;
    ProviderStore::parseHeaderLines(QStringLiteral("X-A: 1"), &none);
    QVERIFY(none.isEmpty());
}

void ProviderStoreTest::renameAndRemove()
{
    ProviderStore store(m_settings);
    QCOMPARE(store.save(compatible(QStringLiteral("Local"), QStringLiteral("http://127.0.0.1:8080/v1"))),
        QString());
    QCOMPARE(store.save(compatible(QStringLiteral("llama.cpp"), QStringLiteral("http://127.0.0.1:8081/v1")),
                 QStringLiteral("Local")),
        QString());
    QVERIFY(!store.provider(QStringLiteral("Local")));
    QCOMPARE(store.provider(QStringLiteral("llama.cpp"))->baseUrl,
        QUrl(QStringLiteral("http://127.0.0.1:8081/v1")));
    QVERIFY(!store.remove(QStringLiteral("OpenAI"))); // built-ins stay
    QVERIFY(store.remove(QStringLiteral("llama.cpp")));
    QVERIFY(!store.remove(QStringLiteral("llama.cpp")));
    QCOMPARE(ProviderStore(m_settings).names().size(), 2);
}

void ProviderStoreTest::wandbKeyOrderAndProjectHeader()
{
    ProviderStore store(m_settings);
    store.setWandbProject(QStringLiteral("my-team/my-project"));
    // ~/.netrc for the W&B API host (what `wandb login` writes).
    const QString netrc = m_dir.filePath(QStringLiteral("netrc"));
    QFile file(netrc);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("machine example.com login x password other\nmachine api.wandb.ai\n  login user\n  password "
               "netrc-key\n");
    file.close();
    qputenv("NETRC", netrc.toLocal8Bit());
    Resolved r = resolveNow(store, QStringLiteral("W&B Inference"));
    QCOMPARE(r.provider.apiKey, QStringLiteral("netrc-key"));
    QCOMPARE(r.source, QStringLiteral("~/.netrc"));
    QCOMPARE(r.provider.baseUrl, ProviderStore::kWandbBaseUrl);
    QVERIFY(r.provider.extraHeaders.contains(
        qMakePair(QByteArray("OpenAI-Project"), QByteArray("my-team/my-project"))));
    // The environment wins over ~/.netrc, as in the W&B SDKs.
    qputenv("WANDB_API_KEY", "env-key");
    r = resolveNow(store, QStringLiteral("W&B Inference"));
    QCOMPARE(r.provider.apiKey, QStringLiteral("env-key"));
    QCOMPARE(r.source, QStringLiteral("WANDB_API_KEY"));
    // A header the user set explicitly is not doubled.
    ProviderConfig wandb = *store.provider(QStringLiteral("W&B Inference"));
    wandb.extraHeaders = ProviderStore::parseHeaderLines(QStringLiteral("OpenAI-Project: other/proj"));
    QCOMPARE(store.save(wandb), QString());
    r = resolveNow(store, QStringLiteral("W&B Inference"));
    QCOMPARE(r.provider.extraHeaders.size(), 1);
    QCOMPARE(r.provider.extraHeaders.first().second, QByteArray("other/proj"));
    QVERIFY(store.keyHelp(QStringLiteral("W&B Inference")).contains(QStringLiteral("WANDB_API_KEY")));
}

void ProviderStoreTest::openAiKeyFromEnvironment()
{
    ProviderStore store(m_settings);
    qputenv("OPENAI_API_KEY", " sk-env \n");
    const Resolved r = resolveNow(store, QStringLiteral("OpenAI"));
    QCOMPARE(r.provider.apiKey, QStringLiteral("sk-env"));
    QCOMPARE(r.source, QStringLiteral("OPENAI_API_KEY"));
    QVERIFY(r.provider.extraHeaders.isEmpty()); // the W&B project header is for W&B only
    // A local server without a stored key resolves at once, without asking the keychain.
    QCOMPARE(store.save(compatible(QStringLiteral("Ollama"), QStringLiteral("http://127.0.0.1:11434/v1"))),
        QString());
    const Resolved local = resolveNow(store, QStringLiteral("Ollama"));
    QCOMPARE(local.provider.baseUrl, QUrl(QStringLiteral("http://127.0.0.1:11434/v1")));
    QVERIFY(local.provider.apiKey.isEmpty());
    QVERIFY(local.source.isEmpty());
    const Resolved unknown = resolveNow(store, QStringLiteral("Nope"));
    QVERIFY(unknown.provider.baseUrl.isEmpty());
}

void ProviderStoreTest::transientShadowsAndNeverSaves()
{
    ProviderStore store(m_settings);
    store.setWandbProject(QStringLiteral("t/p"));
    store.addTransient({ QStringLiteral("W&B Inference"), QUrl(QStringLiteral("http://127.0.0.1:9/v1")),
        QStringLiteral("transient-key"), {} });
    QCOMPARE(store.names(), QStringList({ QStringLiteral("OpenAI"), QStringLiteral("W&B Inference") }));
    QCOMPARE(store.provider(QStringLiteral("W&B Inference"))->kind, ProviderConfig::Kind::Transient);
    const Resolved r = resolveNow(store, QStringLiteral("W&B Inference"));
    QCOMPARE(r.provider.apiKey, QStringLiteral("transient-key"));
    QCOMPARE(r.provider.baseUrl, QUrl(QStringLiteral("http://127.0.0.1:9/v1")));
    QVERIFY(r.provider.extraHeaders.contains(qMakePair(QByteArray("OpenAI-Project"), QByteArray("t/p"))));
    QVERIFY(!fileText(m_settings).contains("transient-key"));
    QVERIFY(!fileText(m_settings).contains("127.0.0.1:9"));
    QVERIFY(store.remove(QStringLiteral("W&B Inference"))); // the transient goes, the built-in is back
    QCOMPARE(store.provider(QStringLiteral("W&B Inference"))->kind, ProviderConfig::Kind::WandbInference);
}

// A window closed before its provider is resolved: its callback never runs.
void ProviderStoreTest::resolveEndsWithItsContext()
{
    ProviderStore store(m_settings);
    store.addTransient({ QStringLiteral("Local"), QUrl(QStringLiteral("http://127.0.0.1:9/v1")), {}, {} });
    auto closed = std::make_unique<QObject>();
    QObject open;
    int closedCalls = 0;
    bool openCalled = false;
    store.resolve(closed.get(), QStringLiteral("Local"),
        [&closedCalls](const net::InferenceProvider&, const QString&) { ++closedCalls; });
    store.resolve(&open, QStringLiteral("Local"),
        [&openCalled](const net::InferenceProvider&, const QString&) { openCalled = true; });
    closed.reset(); // the answer is always queued, so it cannot have run yet
    QTRY_VERIFY_WITH_TIMEOUT(openCalled, 10000);
    QCoreApplication::processEvents();
    QCOMPARE(closedCalls, 0);
}

void ProviderStoreTest::secretsNeverInSettingsFile()
{
    ProviderStore store(m_settings);
    QCOMPARE(store.save(compatible(QStringLiteral("Ollama"), QStringLiteral("http://127.0.0.1:11434/v1"))),
        QString());
    bool done = false;
    bool stored = false;
    store.setKey(QStringLiteral("Ollama"), QStringLiteral("sk-SECRET-store"), [&](bool ok, const QString&) {
        stored = ok;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
    qInfo("keychain available: %s", stored ? "yes" : "no");
    // Typed in the dialog too: saved through the same path.
    ui::ProvidersDialog dialog(&store);
    QVERIFY(dialog.selectProvider(QStringLiteral("Ollama")));
    dialog.findChild<QLineEdit*>(QStringLiteral("apiKey"))->setText(QStringLiteral("sk-SECRET-dialog"));
    QCOMPARE(dialog.saveCurrent(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(dialog.statusText().contains(QStringLiteral("key")), 20000);
    // Stored: the form forgets it. Not stored: the typed key stays, with Save, for another try.
    auto* keyField = dialog.findChild<QLineEdit*>(QStringLiteral("apiKey"));
    auto* save = dialog.findChild<QPushButton*>(QStringLiteral("save"));
    QVERIFY(save);
    QCOMPARE(keyField->text().isEmpty(), stored);
    QCOMPARE(save->isEnabled(), !stored);
    const QByteArray text = fileText(m_settings);
    QVERIFY(!text.isEmpty());
    QVERIFY2(!text.contains("SECRET"), text.constData());
    // Only the fact that a key exists may be saved, and only when the keychain took it.
    QCOMPARE(ProviderStore(m_settings).provider(QStringLiteral("Ollama"))->hasStoredKey, stored);
    if (!stored)
        QVERIFY2(dialog.statusText().contains(QStringLiteral("could not be stored")),
            qPrintable(dialog.statusText()));

    // Typed, then the dialog closed (Close saves) before the keychain answered: the store reports
    // a key it could not keep, for the window's banner.
    QSignalSpy failed(&store, &ProviderStore::storageFailed);
    auto* closing = new ui::ProvidersDialog(&store);
    QVERIFY(closing->selectProvider(QStringLiteral("Ollama")));
    auto* field = closing->findChild<QLineEdit*>(QStringLiteral("apiKey"));
    field->setText(QStringLiteral("sk-SECRET-closing"));
    QCOMPARE(closing->saveCurrent(), QString());
    delete closing;
    if (!stored) {
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 20000);
        QVERIFY2(
            failed[0][0].toString().contains(QStringLiteral("Ollama")), qPrintable(failed[0][0].toString()));
    }
}

void ProviderStoreTest::dialogTestConnection()
{
    test::ModelsServer server(
        { QStringLiteral("llama3.2:3b"), QStringLiteral("qwen2.5:7b") }, QStringLiteral("local-key"));
    ProviderStore store(m_settings);
    net::InferenceClient client;
    ui::ProvidersDialog dialog(&store, &client);
    QSignalSpy tested(&dialog, &ui::ProvidersDialog::connectionTested);
    dialog.addProvider(QStringLiteral("Ollama"), server.baseUrl().toString());
    dialog.findChild<QPlainTextEdit*>(QStringLiteral("headers"))->setPlainText(QStringLiteral("X-Test: yes"));
    // Without the key: the server's 401 in plain words.
    dialog.testConnection();
    QTRY_COMPARE_WITH_TIMEOUT(tested.size(), 1, 15000);
    QCOMPARE(tested[0][0].toBool(), false);
    QVERIFY2(tested[0][1].toString().contains(QStringLiteral("401")), qPrintable(tested[0][1].toString()));
    QVERIFY(server.lastAuthorization().isEmpty());
    // With the typed (unsaved) key and the header lines.
    dialog.findChild<QLineEdit*>(QStringLiteral("apiKey"))->setText(QStringLiteral("local-key"));
    dialog.testConnection();
    QTRY_COMPARE_WITH_TIMEOUT(tested.size(), 2, 15000);
    QVERIFY2(tested[1][0].toBool(), qPrintable(tested[1][1].toString()));
    QCOMPARE(tested[1][2].toStringList(),
        QStringList({ QStringLiteral("llama3.2:3b"), QStringLiteral("qwen2.5:7b") }));
    QVERIFY2(dialog.statusText().contains(QStringLiteral("2 models")), qPrintable(dialog.statusText()));
    QCOMPARE(server.lastAuthorization(), QByteArray("Bearer local-key"));
    QCOMPARE(server.lastCustomHeader(), QByteArray("yes"));
    // Nothing listens: the network error, not a hang.
    dialog.findChild<QLineEdit*>(QStringLiteral("baseUrl"))->setText(QStringLiteral("http://127.0.0.1:1/v1"));
    dialog.testConnection();
    QTRY_COMPARE_WITH_TIMEOUT(tested.size(), 3, 30000);
    QCOMPARE(tested[2][0].toBool(), false);
    QVERIFY2(tested[2][1].toString().contains(QStringLiteral("Cannot reach")),
        qPrintable(tested[2][1].toString()));
}

void ProviderStoreTest::dialogKeepsInvalidDraftAndScreenshot()
{
    test::ModelsServer server(
        { QStringLiteral("llama3.2:3b"), QStringLiteral("qwen2.5:7b"), QStringLiteral("phi4-mini") }, {});
    ProviderStore store(m_settings);
    QCOMPARE(store.save(compatible(QStringLiteral("vLLM box"), QStringLiteral("http://10.0.0.5:8000/v1"))),
        QString());
    ui::ProvidersDialog dialog(&store);
    dialog.show();
    // A draft with a bad URL cannot be left for another provider; it stays with its message.
    dialog.addProvider(QStringLiteral("Ollama"), QStringLiteral("not a url"));
    dialog.findChild<QLineEdit*>(QStringLiteral("baseUrl"))->setText(QStringLiteral("ftp://x"));
    QVERIFY(!dialog.selectProvider(QStringLiteral("OpenAI")));
    QVERIFY(dialog.currentName().isEmpty());
    QVERIFY(dialog.statusText().contains(QStringLiteral("http://")));
    // Fixed, it is saved on leaving.
    dialog.findChild<QLineEdit*>(QStringLiteral("baseUrl"))->setText(server.baseUrl().toString());
    QVERIFY(dialog.selectProvider(QStringLiteral("OpenAI")));
    QVERIFY(store.provider(QStringLiteral("Ollama")));
    QVERIFY(dialog.selectProvider(QStringLiteral("Ollama")));
    dialog.findChild<QPlainTextEdit*>(QStringLiteral("headers"))
        ->setPlainText(QStringLiteral("X-Team: research"));
    QSignalSpy tested(&dialog, &ui::ProvidersDialog::connectionTested);
    dialog.testConnection();
    QTRY_COMPARE_WITH_TIMEOUT(tested.size(), 1, 15000);
    QVERIFY(tested[0][0].toBool());
    QVERIFY(dialog.grab().save(QStringLiteral(PLAYGROUNDUI_SHOT_DIR "/providers_dialog.png")));
    QVERIFY(dialog.selectProvider(QStringLiteral("W&B Inference")));
    const auto* keySource = dialog.findChild<QLabel*>(QStringLiteral("keySource"));
    QTRY_VERIFY_WITH_TIMEOUT(!keySource->text().startsWith(QStringLiteral("Checking")), 20000);
    QVERIFY2(keySource->text().contains(QStringLiteral("WANDB_API_KEY")), qPrintable(keySource->text()));
    QVERIFY(dialog.grab().save(QStringLiteral(PLAYGROUNDUI_SHOT_DIR "/providers_dialog_wandb.png")));
    // Built-ins cannot be removed; a server without a stored key goes without a question.
    QVERIFY(!dialog.findChild<QToolButton*>(QStringLiteral("remove"))->isEnabled());
    QVERIFY(dialog.selectProvider(QStringLiteral("vLLM box")));
    QVERIFY(dialog.findChild<QToolButton*>(QStringLiteral("remove"))->isEnabled());
    dialog.removeCurrent();
    QVERIFY(!store.provider(QStringLiteral("vLLM box")));
    QVERIFY(!ProviderStore(m_settings).provider(QStringLiteral("vLLM box")));
    QCOMPARE(dialog.currentName(), QStringLiteral("W&B Inference"));
}

// A settings file that cannot be written: the change is in effect for this session and the store
// says it is not kept (storageFailed); the dialog shows that instead of "Saved." and goes on.
void ProviderStoreTest::unwritableSettingsSaySo()
{
    const QString blocker = m_dir.filePath(QStringLiteral("a-file-not-a-folder"));
    QFile file(blocker);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    ProviderStore store(blocker + QStringLiteral("/providers.ini"));
    QSignalSpy failed(&store, &ProviderStore::storageFailed);
    QCOMPARE(store.save(compatible(QStringLiteral("Ollama"), QStringLiteral("http://127.0.0.1:11434/v1"))),
        QString());
    QCOMPARE(failed.size(), 1);
    QVERIFY2(failed[0][0].toString().contains(QStringLiteral("settings file")),
        qPrintable(failed[0][0].toString()));
    QVERIFY(store.provider(QStringLiteral("Ollama")));

    ui::ProvidersDialog dialog(&store);
    dialog.addProvider(QStringLiteral("vLLM"), QStringLiteral("http://127.0.0.1:8000/v1"));
    QCOMPARE(dialog.saveCurrent(), QString());
    QCOMPARE(dialog.currentName(), QStringLiteral("vLLM"));
    QVERIFY2(dialog.statusText().contains(QStringLiteral("settings file")), qPrintable(dialog.statusText()));
    QVERIFY(dialog.selectProvider(QStringLiteral("Ollama"))); // not stuck on the saved one
}

// Closing the dialog with changes that cannot be saved asks: "Keep editing" leaves it open with the
// draft as typed, "Discard changes" closes it without saving.
void ProviderStoreTest::closingWithAnInvalidDraftAsks()
{
    ProviderStore store(m_settings);
    ui::ProvidersDialog dialog(&store);
    dialog.show();
    dialog.addProvider(QStringLiteral("Ollama"), QStringLiteral("ftp://x"));
    // The question box runs its own event loop: the timer answers it, and the test checks afterwards
    // what it saw, so that a wrong box is still closed rather than waited on.
    QString asked;
    const auto answer = [&dialog, &asked](const QString& choice) {
        asked.clear();
        QTimer::singleShot(0, &dialog, [choice, &asked] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box)
                return; // no question: reject() has returned already
            asked = box->objectName() + u'|' + box->text();
            box->grab().save(QStringLiteral(PLAYGROUNDUI_SHOT_DIR "/providers_discard.png"));
            QAbstractButton* chosen = nullptr;
            for (QAbstractButton* button : box->buttons())
                if (button->text() == choice)
                    chosen = button;
            if (chosen)
                chosen->click();
            else
                box->reject();
        });
    };
    answer(QStringLiteral("Keep editing"));
    dialog.reject();
    QVERIFY2(asked.startsWith(QStringLiteral("discardChanges|")), qPrintable(asked));
    QVERIFY2(asked.contains(QStringLiteral("http://")), qPrintable(asked));
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.findChild<QLineEdit*>(QStringLiteral("baseUrl"))->text(), QStringLiteral("ftp://x"));
    answer(QStringLiteral("Discard changes"));
    dialog.reject();
    QVERIFY2(asked.startsWith(QStringLiteral("discardChanges|")), qPrintable(asked));
    QVERIFY(!dialog.isVisible());
    QVERIFY(!store.provider(QStringLiteral("Ollama")));
}

// A renamed provider's key moves to its new keychain entry. When the keychain cannot be read (here:
// no keychain service; elsewhere a locked or refusing one), the provider claims no key, the old entry
// is left alone, and the window's banner hears why and what to do.
void ProviderStoreTest::keyNotMovedIsReported()
{
    QString readError;
    bool done = false;
    net::readKeychainApiKey(QStringLiteral("spindle-test/absent"), [&](const QString&, const QString& error) {
        readError = error;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
    if (readError.isEmpty())
        QSKIP("a keychain service answers here: the read cannot fail (tst_keychain covers the move)");
    {
        ProviderStore earlier(m_settings);
        QCOMPARE(
            earlier.save(compatible(QStringLiteral("Ollama"), QStringLiteral("http://127.0.0.1:11434/v1"))),
            QString());
    }
    { // its key stored in an earlier session
        QSettings settings(m_settings, QSettings::IniFormat);
        const QStringList keys = settings.allKeys().filter(QStringLiteral("custom/1/hasKey"));
        QCOMPARE(keys.size(), 1);
        settings.setValue(keys.first(), true);
    }
    ProviderStore store(m_settings);
    QVERIFY(
        store.provider(QStringLiteral("Ollama")) && store.provider(QStringLiteral("Ollama"))->hasStoredKey);
    QSignalSpy failed(&store, &ProviderStore::storageFailed);
    ProviderConfig renamed = *store.provider(QStringLiteral("Ollama"));
    renamed.name = QStringLiteral("Ollama box");
    QCOMPARE(store.save(renamed, QStringLiteral("Ollama")), QString());
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 20000);
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(QStringLiteral("“Ollama box”")) && message.contains(readError)
            && message.contains(QStringLiteral("enter it again")),
        qPrintable(message));
    QVERIFY(!store.provider(QStringLiteral("Ollama box"))->hasStoredKey);
}

QTEST_MAIN(ProviderStoreTest)
#include "tst_providerstore.moc"
