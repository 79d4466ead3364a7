// ModelCatalogPage on the offscreen platform: the shipped W&B Inference catalog, search, ticking
// models for "Compare N models", prices (price table vs. the catalog's own), and "Refresh from
// server" against a /v1/models double (merge, wrong key, no key). Screenshots go next to the
// test binary.

#include "modelsserver.h"
#include "ui/modelcatalogpage.h"
#include "ui/providerstore.h"

#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace spindle;
using spindle::ui::ModelCatalogPage;
using spindle::ui::ProviderStore;

namespace {

const QString kLlama8B = QStringLiteral("meta-llama/Llama-3.1-8B-Instruct");
const QString kScout = QStringLiteral("meta-llama/Llama-4-Scout-17B-16E-Instruct");
const QString kR1 = QStringLiteral("deepseek-ai/DeepSeek-R1-0528");
const QString kPhi = QStringLiteral("microsoft/Phi-4-mini-instruct");

QString cellText(const ModelCatalogPage& page, const QString& id, int column)
{
    const auto* table = page.findChild<QTableView*>(QStringLiteral("catalogTable"));
    for (int row = 0; row < table->model()->rowCount(); ++row) {
        const QModelIndex index = table->model()->index(row, ModelCatalogPage::ModelColumn);
        if (index.data(Qt::UserRole).toString() == id)
            return index.siblingAtColumn(column).data().toString();
    }
    return {};
}

} // namespace

class ModelCatalogTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void shippedCatalogIsComplete();
    void badCatalogIsRejected();
    void searchFilters();
    void tickingEnablesCompare();
    void pricesSayWhereTheyComeFrom();
    void refreshMergesServerModels();
    void refreshErrorsInPlainWords();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ProviderStore> m_store;
    net::InferenceClient m_client;
};

void ModelCatalogTest::init()
{
    qunsetenv("WANDB_API_KEY");
    qputenv("NETRC", m_dir.filePath(QStringLiteral("no-netrc")).toLocal8Bit());
    QFile::remove(m_dir.filePath(QStringLiteral("s.ini")));
    m_store = std::make_unique<ProviderStore>(m_dir.filePath(QStringLiteral("s.ini")));
}

void ModelCatalogTest::shippedCatalogIsComplete()
{
    QFile file(QStringLiteral(":/spindle/inference-models.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray json = file.readAll();
    QVERIFY(json.contains("docs.wandb.ai/inference/models")); // the source is cited
    QString error;
    const QVector<ui::CatalogModel> models = ModelCatalogPage::parseCatalog(json, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(models.size() >= 10);
    QStringList ids;
    for (const ui::CatalogModel& model : models) {
        ids.append(model.id);
        QVERIFY2(!model.name.isEmpty() && !model.types.isEmpty() && !model.parameters.isEmpty()
                && !model.description.isEmpty(),
            qPrintable(model.id));
        QVERIFY2(model.contextTokens() >= 64000, qPrintable(model.id));
        QVERIFY2(model.inputPerMillion && model.outputPerMillion, qPrintable(model.id));
    }
    QCOMPARE(ids.removeDuplicates(), 0);
    for (const QString& id : { kLlama8B, kScout, kR1, kPhi, QStringLiteral("deepseek-ai/DeepSeek-V3-0324"),
             QStringLiteral("meta-llama/Llama-3.3-70B-Instruct") })
        QVERIFY2(ids.contains(id), qPrintable(id));
    const auto scout =
        std::find_if(models.cbegin(), models.cend(), [](const auto& m) { return m.id == kScout; });
    QVERIFY(scout->types.contains(QStringLiteral("vision")));
    QCOMPARE(scout->contextTokens(), qint64(64000));

    ModelCatalogPage page(m_store.get(), &m_client);
    QCOMPARE(page.visibleModelIds(), ids); // catalog order
    QVERIFY(page.stateText().isEmpty());
}

void ModelCatalogTest::badCatalogIsRejected()
{
    QString error;
    QVERIFY(ModelCatalogPage::parseCatalog("{\"models\": 3}", &error).isEmpty());
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(ModelCatalogPage::parseCatalog("not json", &error).isEmpty());
    QVERIFY(!error.isEmpty());
    ModelCatalogPage page(m_store.get(), &m_client);
    const int before = int(page.models().size());
    QVERIFY(!page.loadCatalog("[]"));
    QCOMPARE(page.models().size(), before); // the old rows stay
    QVERIFY(page.loadCatalog(R"({"models":[{"id":"a/b"},{"name":"no id"}]})"));
    QCOMPARE(page.visibleModelIds(), QStringList { QStringLiteral("a/b") });
    QCOMPARE(cellText(page, QStringLiteral("a/b"), ModelCatalogPage::ContextColumn), QStringLiteral("—"));
}

void ModelCatalogTest::searchFilters()
{
    ModelCatalogPage page(m_store.get(), &m_client);
    page.resize(1100, 600);
    page.show();
    page.setSearchText(QStringLiteral("llama"));
    QStringList visible = page.visibleModelIds();
    QVERIFY(visible.size() >= 3);
    const QStringList llamas = visible;
    for (const QString& id : visible)
        QVERIFY2(id.contains(QStringLiteral("llama"), Qt::CaseInsensitive), qPrintable(id));
    page.setSearchText(QStringLiteral("VISION")); // types are searched, case-insensitively
    visible = page.visibleModelIds();
    QVERIFY(visible.contains(kScout));
    QVERIFY(!visible.contains(kLlama8B));
    // Half of a surrogate pair (a paste cut mid-emoji) made an invalid pattern: nothing matched,
    // with a warning per row.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("QRegularExpression")));
    page.setSearchText(QStringLiteral("llama") + QChar(0xD83D));
    QCOMPARE(page.visibleModelIds(), llamas);
    page.setSearchText(QStringLiteral("zzz-nothing"));
    QVERIFY(page.visibleModelIds().isEmpty());
    const auto* empty = page.findChild<QLabel*>(QStringLiteral("emptyState"));
    QVERIFY(empty->isVisible());
    QVERIFY2(empty->text().contains(QStringLiteral("zzz-nothing"))
            && empty->text().contains(QStringLiteral("Clear")),
        qPrintable(empty->text()));
    page.setSearchText({});
    QCOMPARE(page.visibleModelIds().size(), page.models().size());
    QVERIFY(!empty->isVisible());
}

void ModelCatalogTest::tickingEnablesCompare()
{
    ModelCatalogPage page(m_store.get(), &m_client);
    page.resize(1200, 640);
    page.show();
    QSignalSpy compare(&page, &ModelCatalogPage::compareRequested);
    QVERIFY(!page.compareEnabled());
    QCOMPARE(page.compareButtonText(), QStringLiteral("Compare models"));
    page.setSearchText(QStringLiteral("llama")); // ticks survive filtering
    page.setChecked(kScout, true);
    page.setSearchText({});
    page.setChecked(kR1, true);
    QCOMPARE(page.compareButtonText(), QStringLiteral("Compare 2 models"));
    page.setChecked(kLlama8B, true);
    QCOMPARE(page.compareButtonText(), QStringLiteral("Compare 3 models"));
    QVERIFY(page.compareEnabled());
    QCOMPARE(page.checkedModelIds(), QStringList({ kScout, kR1, kLlama8B })); // the order they were ticked
    QVERIFY(page.grab().save(QStringLiteral(PLAYGROUNDUI_SHOT_DIR "/model_catalog.png")));
    auto* button = page.findChild<QPushButton*>(QStringLiteral("compare"));
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(compare.size(), 1);
    QCOMPARE(compare[0][0].toString(), QStringLiteral("W&B Inference"));
    QCOMPARE(compare[0][1].toStringList(), QStringList({ kScout, kR1, kLlama8B }));
    // Seven do not fit; unticking one makes it possible again.
    const QVector<ui::CatalogModel> models = page.models();
    for (const ui::CatalogModel& model : models.mid(0, 7))
        page.setChecked(model.id, true);
    QVERIFY(page.checkedModelIds().size() > 6);
    QVERIFY(!page.compareEnabled());
    QVERIFY(button->toolTip().contains(QStringLiteral("At most 6")));
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(compare.size(), 1);
    for (const QString& id : page.checkedModelIds().mid(6))
        page.setChecked(id, false);
    QVERIFY(page.compareEnabled());
    QCOMPARE(page.compareButtonText(), QStringLiteral("Compare 6 models"));
}

void ModelCatalogTest::pricesSayWhereTheyComeFrom()
{
    ModelCatalogPage page(m_store.get(), &m_client);
    // The shipped price table (loaded on a worker thread) has W&B's Llama 3.1 8B price: $0.22 per
    // 1M both ways.
    QTRY_VERIFY(page.priceToolTip(kLlama8B).contains(QStringLiteral("price table")));
    QCOMPARE(cellText(page, kLlama8B, ModelCatalogPage::InputPriceColumn), QStringLiteral("$0.22"));
    QCOMPARE(cellText(page, kR1, ModelCatalogPage::OutputPriceColumn), QStringLiteral("$5.40"));
    QVERIFY(page.priceToolTip(kLlama8B).contains(QStringLiteral("price table")));
    // A project's custom price wins, and says so.
    PriceTable custom = PriceTable::defaults();
    TokenPrice mine;
    mine.model = kLlama8B;
    mine.inputPerToken = 3.5e-08;
    mine.outputPerToken = 2e-06;
    mine.effectiveDate = QDateTime::currentDateTimeUtc().addDays(-1);
    mine.custom = true;
    custom.setCustomPrices({ mine });
    page.setPriceTable(custom);
    QCOMPARE(cellText(page, kLlama8B, ModelCatalogPage::InputPriceColumn), QStringLiteral("$0.035"));
    QCOMPARE(cellText(page, kLlama8B, ModelCatalogPage::OutputPriceColumn), QStringLiteral("$2.00"));
    QVERIFY(page.priceToolTip(kLlama8B).contains(QStringLiteral("custom")));
    // Without a price table entry the catalog's listed price shows, with a warning about costs.
    page.setPriceTable(PriceTable());
    QCOMPARE(cellText(page, kLlama8B, ModelCatalogPage::InputPriceColumn), QStringLiteral("$0.22"));
    QVERIFY(page.priceToolTip(kLlama8B).contains(QStringLiteral("Listed in the W&B Inference catalog")));
    QVERIFY(page.priceToolTip(QStringLiteral("unknown/model")).contains(QStringLiteral("No price")));
}

void ModelCatalogTest::refreshMergesServerModels()
{
    test::ModelsServer server(
        { kLlama8B, kScout, QStringLiteral("new-org/Brand-New-Model-7B") }, QStringLiteral("wb-key"));
    m_store->addTransient({ ProviderStore::kWandbName, server.baseUrl(), QStringLiteral("wb-key"), {} });
    m_store->setWandbProject(QStringLiteral("my-team/my-project"));
    ModelCatalogPage page(m_store.get(), &m_client);
    page.resize(1200, 640);
    page.show();
    page.setChecked(kPhi, true);
    QSignalSpy refreshed(&page, &ModelCatalogPage::refreshed);
    page.refreshFromServer();
    QVERIFY(page.isRefreshing());
    QTRY_COMPARE_WITH_TIMEOUT(refreshed.size(), 1, 15000);
    QCOMPARE(refreshed[0][0].toBool(), true);
    QCOMPARE(server.lastAuthorization(), QByteArray("Bearer wb-key"));
    QCOMPARE(server.lastProject(), QByteArray("my-team/my-project"));
    const QStringList visible = page.visibleModelIds();
    QVERIFY(visible.contains(QStringLiteral("new-org/Brand-New-Model-7B")));
    // Served models first (catalog order, then the server's new ones); the rest stay, greyed, below.
    QCOMPARE(
        visible.mid(0, 3), QStringList({ kLlama8B, kScout, QStringLiteral("new-org/Brand-New-Model-7B") }));
    QVERIFY(visible.contains(kR1));
    QCOMPARE(cellText(page, QStringLiteral("new-org/Brand-New-Model-7B"), ModelCatalogPage::ContextColumn),
        QStringLiteral("—"));
    QCOMPARE(cellText(page, QStringLiteral("new-org/Brand-New-Model-7B"), ModelCatalogPage::InputPriceColumn),
        QStringLiteral("—"));
    QVERIFY2(page.stateText().contains(QStringLiteral("lists 3 models"))
            && page.stateText().contains(QStringLiteral("1 model not in the catalog was added")),
        qPrintable(page.stateText()));
    QCOMPARE(page.checkedModelIds(), QStringList { kPhi }); // ticks survive the merge
    page.setChecked(QStringLiteral("new-org/Brand-New-Model-7B"), true);
    QCOMPARE(page.checkedModelIds().last(), QStringLiteral("new-org/Brand-New-Model-7B"));
    QVERIFY(page.grab().save(QStringLiteral(PLAYGROUNDUI_SHOT_DIR "/model_catalog_refreshed.png")));
    // A second refresh does not duplicate the server-only row.
    page.refreshFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(refreshed.size(), 2, 15000);
    QCOMPARE(page.visibleModelIds().count(QStringLiteral("new-org/Brand-New-Model-7B")), 1);
}

void ModelCatalogTest::refreshErrorsInPlainWords()
{
    test::ModelsServer server({ kLlama8B }, QStringLiteral("right-key"));
    ModelCatalogPage page(m_store.get(), &m_client);
    page.resize(1200, 640);
    page.show();
    QSignalSpy refreshed(&page, &ModelCatalogPage::refreshed);
    QSignalSpy providers(&page, &ModelCatalogPage::providersRequested);
    auto* providersButton = page.findChild<QPushButton*>(QStringLiteral("providers"));
    QVERIFY(!providersButton->isVisible());
    // No key anywhere: say where to put one, and do not call the server.
    m_store->addTransient({ ProviderStore::kWandbName, server.baseUrl(), QString(), {} });
    page.refreshFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(refreshed.size(), 1, 15000);
    QCOMPARE(refreshed[0][0].toBool(), false);
    QVERIFY2(page.stateText().contains(QStringLiteral("No API key"))
            && page.stateText().contains(QStringLiteral("WANDB_API_KEY")),
        qPrintable(page.stateText()));
    QCOMPARE(server.requests(), 0);
    QVERIFY(providersButton->isVisible());
    QTest::mouseClick(providersButton, Qt::LeftButton);
    QCOMPARE(providers.size(), 1);
    QVERIFY(page.grab().save(QStringLiteral(PLAYGROUNDUI_SHOT_DIR "/model_catalog_nokey.png")));
    // A wrong key: the server's 401 in plain words; the catalog rows stay.
    m_store->addTransient({ ProviderStore::kWandbName, server.baseUrl(), QStringLiteral("wrong"), {} });
    page.refreshFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(refreshed.size(), 2, 15000);
    QCOMPARE(refreshed[1][0].toBool(), false);
    QVERIFY2(page.stateText().contains(QStringLiteral("401")), qPrintable(page.stateText()));
    QCOMPARE(page.visibleModelIds().size(), page.models().size());
    QVERIFY(page.visibleModelIds().size() >= 10);
}

QTEST_MAIN(ModelCatalogTest)
#include "tst_modelcatalog.moc"
