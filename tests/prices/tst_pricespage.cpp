// The Prices page against the real trace server in-process (offscreen): the default table and its
// filter, an unpriced model from the sample usage, adding its price through the dialog (exact unit
// conversion, server errors shown in the dialog, nothing written), purging it with confirmation,
// the empty states, and the page as the main window's third page (Ctrl+3). Screenshots are saved
// next to the test binary.

#include "../app/apptestutil.h"
#include "app/sampledata.h"
#include "models/pricelistmodel.h"
#include "net/traceclient.h"
#include "server/traceserver.h"
#include "ui/mainwindow.h"
#include "ui/pricedialog.h"
#include "ui/pricespage.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <memory>

using namespace spindle;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWaitMs = 20000;
const QString kLocalModel = u"llama-3.1-8b-local"_s; // the sample data's model without a default price

bool sameBits(double a, double b)
{
    return std::memcmp(&a, &b, sizeof a) == 0;
}

bool listsUnpriced(const ui::PricesPage& page, const QString& model)
{
    for (const auto& entry : page.unpricedModels())
        if (entry.model == model)
            return true;
    return false;
}

QString shot(const char* name)
{
    return QStringLiteral(PRICES_SHOT_DIR "/") + QLatin1String(name);
}

} // namespace

class TestPricesPage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void priceListModel();
    void unpricedFromStats();
    void addAndPurgeThroughTheDialog();
    void unitSwitchIsExact();
    void addPriceKeepsTheCachePrices();
    void emptyProject();
    void mainWindowPage();

private:
    void ingest(const QString& project);
    QJsonObject post(const QString& path, const QJsonObject& body);
    QLineEdit* field(ui::PriceDialog* dialog, const QString& placeholder);
    // The steps of addAndPurgeThroughTheDialog, in order, on one page.
    void searchTheDefaults(ui::PricesPage& page, QSignalSpy& changed);
    void addAPriceForTheLocalModel(ui::PricesPage& page, QSignalSpy& changed);
    void refusedPriceWritesNothing(ui::PricesPage& page, QSignalSpy& changed);
    void purgeWithConfirmation(ui::PricesPage& page, QSignalSpy& changed);

    apptest::InProcessServer m_server;
    std::unique_ptr<net::TraceClient> m_client;
    const QString m_project = u"acme/prices"_s;
};

void TestPricesPage::initTestCase()
{
    const QString error = m_server.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_client = std::make_unique<net::TraceClient>();
    m_client->setConnection({ m_server.url(), {} });
    ingest(m_project);
}

void TestPricesPage::cleanupTestCase()
{
    m_client.reset();
    m_server.stop();
}

void TestPricesPage::ingest(const QString& project)
{
    for (const app::SampleRequest& request :
        app::buildSampleData(project, QDateTime::currentDateTimeUtc(), 40, 11)) {
        if (request.path != "/file/create"_L1)
            post(request.path, request.body);
    }
}

QJsonObject TestPricesPage::post(const QString& path, const QJsonObject& body)
{
    QJsonObject answer;
    bool done = false;
    m_client->post(
        nullptr, path, body,
        [&](const QJsonObject& json) {
            answer = json;
            done = true;
        },
        [&](const net::ApiError& error) {
            qWarning() << error.message();
            done = true;
        });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(done, kWaitMs); }();
    return answer;
}

// The dialog's line edits, found by their placeholder (model, prices) to keep the widget private.
QLineEdit* TestPricesPage::field(ui::PriceDialog* dialog, const QString& placeholder)
{
    for (QLineEdit* edit : dialog->findChildren<QLineEdit*>())
        if (edit->placeholderText() == placeholder)
            return edit;
    return nullptr;
}

void TestPricesPage::priceListModel()
{
    models::PriceListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    PriceTable table = PriceTable::fromDefaultTableJson(R"({"m": [
        {"provider": "acme", "input": 1e-06, "output": 2e-06, "created_at": "2024-01-01 00:00:00"},
        {"provider": "acme", "input": 1.5e-07, "output": 6e-07, "cache_read_input": 7.5e-08,
         "created_at": "2024-06-01 00:00:00"}], "n": [{"input": 1e-06, "output": 1e-06}]})");
    TokenPrice mine;
    mine.model = u"n"_s;
    mine.inputPerToken = 2e-06;
    mine.effectiveDate = QDateTime(QDate(2024, 3, 1), QTime(0, 0), Qt::UTC);
    mine.id = u"x"_s;
    TokenPrice later = mine;
    later.effectiveDate = QDateTime(QDate(2030, 1, 1), QTime(0, 0), Qt::UTC);
    later.id = u"y"_s;
    table.setCustomPrices({ mine, later });
    const QDateTime now(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC);
    model.setPrices(table.defaultPrices(), table, now);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(models::PriceListModel::ColumnCount));
    const auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
    QCOMPARE(text(0, models::PriceListModel::StatusColumn), u"Superseded"_s);
    QCOMPARE(text(1, models::PriceListModel::StatusColumn), u"In effect"_s);
    QCOMPARE(text(2, models::PriceListModel::StatusColumn), u"Overridden"_s); // by the project's "n"
    QCOMPARE(text(1, models::PriceListModel::InputColumn), u"$0.15"_s);
    QCOMPARE(text(1, models::PriceListModel::CachedColumn), u"$0.075"_s);
    QCOMPARE(text(0, models::PriceListModel::CachedColumn), u"–"_s);
    QVERIFY(model.index(1, models::PriceListModel::InputColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(u"0.00000015 per token"_s));
    QCOMPARE(
        model.index(1, models::PriceListModel::InputColumn).data(models::PriceListModel::SortRole).toDouble(),
        1.5e-07);
    model.setPrices(table.customPrices(), table, now);
    QCOMPARE(text(0, models::PriceListModel::StatusColumn), u"In effect"_s);
    QCOMPARE(text(1, models::PriceListModel::StatusColumn), u"Scheduled"_s);
    QCOMPARE(model.priceAt(1).id, u"y"_s);
    const auto statusTip = [&](int row) {
        return model.index(row, models::PriceListModel::StatusColumn).data(Qt::ToolTipRole).toString();
    };
    QVERIFY2(statusTip(1).contains(u"earlier calls keep their price"_s), qPrintable(statusTip(1)));
    // A model whose only price is scheduled: the table prices its earlier calls with it too.
    TokenPrice only = later;
    only.model = u"only-later"_s;
    only.id = u"z"_s;
    table.setCustomPrices({ mine, later, only });
    model.setPrices(table.customPrices(), table, now);
    QCOMPARE(model.priceAt(2).id, u"z"_s);
    QCOMPARE(text(2, models::PriceListModel::StatusColumn), u"Scheduled"_s);
    QVERIFY2(statusTip(2).contains(u"earlier calls too"_s), qPrintable(statusTip(2)));
    model.setPrices({}, table, now);
    QCOMPARE(model.rowCount(), 0);
}

void TestPricesPage::unpricedFromStats()
{
    // Spindle's answer: count_total_cost counts the priced entries (a price of 0 is still a price).
    const auto bucket = [](const char* model, int count, int priced) {
        return QJsonObject { { u"timestamp"_s, u"2025-01-01T00:00:00Z"_s },
            { u"model"_s, QLatin1String(model) }, { u"count"_s, count },
            { u"sum_input_tokens"_s, 100 * count }, { u"sum_output_tokens"_s, 10 * count },
            { u"count_total_cost"_s, priced } };
    };
    const QJsonObject answer { { u"usage_buckets"_s,
        QJsonArray { bucket("priced", 3, 3), bucket("local", 2, 0), bucket("other", 5, 0),
            bucket("local", 1, 0), bucket("empty", 0, 0), bucket("priced", 1, 0), bucket("free", 1, 1) } } };
    int seen = 0;
    const QVector<models::UnpricedModel> unpriced = models::unpricedModels(answer, &seen);
    QCOMPARE(seen, 4); // "empty" has no usage
    QCOMPARE(unpriced.size(), 2);
    QCOMPARE(unpriced[0].model, u"other"_s); // most calls first
    QCOMPARE(unpriced[0].calls, 5);
    QCOMPARE(unpriced[1].model, u"local"_s);
    QCOMPARE(unpriced[1].calls, 3);
    QCOMPARE(unpriced[1].tokens, 330);
    // A server with sum-only cost metrics: a number means priced, null or absent does not.
    const QJsonObject sumOnly { { u"usage_buckets"_s,
        QJsonArray { QJsonObject { { u"model"_s, u"a"_s }, { u"count"_s, 1 }, { u"sum_total_cost"_s, 0.5 } },
            QJsonObject {
                { u"model"_s, u"b"_s }, { u"count"_s, 1 }, { u"sum_total_cost"_s, QJsonValue::Null } },
            QJsonObject { { u"model"_s, u"c"_s }, { u"count"_s, 1 } } } } };
    const QVector<models::UnpricedModel> fromSums = models::unpricedModels(sumOnly);
    QCOMPARE(fromSums.size(), 2);
    QCOMPARE(fromSums[0].model, u"b"_s);
    QCOMPARE(fromSums[1].model, u"c"_s);
    QVERIFY(models::unpricedModels({}).isEmpty());

    const QJsonObject request =
        models::unpricedStatsRequest(u"a/b"_s, QDateTime(QDate(2025, 3, 31), QTime(12, 0), Qt::UTC), 30);
    QCOMPARE(request.value(u"start"_s).toString(), u"2025-03-01T12:00:00.000Z"_s);
    QCOMPARE(request.value(u"end"_s).toString(), u"2025-03-31T12:00:00.000Z"_s);
    QCOMPARE(request.value(u"granularity"_s).toInteger(), 30 * 86400);
}

void TestPricesPage::addAndPurgeThroughTheDialog()
{
    ui::PricesPage page(m_client.get());
    page.resize(1280, 860);
    page.show();
    QSignalSpy loaded(&page, &ui::PricesPage::loaded);
    QSignalSpy changed(&page, &ui::PricesPage::pricesChanged);
    QVERIFY(loaded.wait(kWaitMs)); // the default table alone (no project yet)
    page.setProject(m_project);
    QVERIFY(page.isLoading());
    QVERIFY(loaded.wait(kWaitMs));
    for (const auto step : { &TestPricesPage::searchTheDefaults, &TestPricesPage::addAPriceForTheLocalModel,
             &TestPricesPage::refusedPriceWritesNothing, &TestPricesPage::purgeWithConfirmation }) {
        (this->*step)(page, changed);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestPricesPage::searchTheDefaults(ui::PricesPage& page, QSignalSpy&)
{
    // The default table: every shipped row, searchable.
    auto* defaultsView = page.findChild<QTableView*>(u"defaultPrices"_s);
    QVERIFY(defaultsView);
    QVERIFY(defaultsView->model()->rowCount() > 2000);
    page.setDefaultsFilter(u"gpt-4o-mini"_s);
    const int matches = defaultsView->model()->rowCount();
    QVERIFY(matches >= 2 && matches < 50);
    for (int row = 0; row < matches; ++row)
        QVERIFY(defaultsView->model()->index(row, 0).data().toString().contains(u"gpt-4o-mini"_s));
    page.setDefaultsFilter(u"no-such-model-anywhere"_s);
    QCOMPARE(defaultsView->model()->rowCount(), 0);
    // Half of a surrogate pair (a paste cut mid-emoji) made an invalid pattern: one warning per row.
    QTest::failOnWarning(QRegularExpression(u"QRegularExpression"_s));
    page.setDefaultsFilter(u"gpt-4o-mini"_s + QChar(0xD83D));
    QCOMPARE(defaultsView->model()->rowCount(), matches);
    page.setDefaultsFilter(QString());
}

void TestPricesPage::addAPriceForTheLocalModel(ui::PricesPage& page, QSignalSpy& changed)
{
    // The sample usage has a local model with no price; priced models are not listed.
    QVERIFY(listsUnpriced(page, kLocalModel));
    QVERIFY(!listsUnpriced(page, u"gpt-4o"_s));
    QVERIFY(page.priceTable().customPrices().isEmpty());

    // One click on its "Add price…" opens the dialog for it.
    auto* add = page.findChild<QPushButton*>(u"addPrice:"_s + kLocalModel);
    QVERIFY(add);
    add->click();
    auto* dialog = page.findChild<ui::PriceDialog*>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->modelName(), kLocalModel);
    QCOMPARE(dialog->unit(), PriceUnit::PerMillionTokens);

    // A local mistake: no request, a readable message.
    dialog->setPriceTexts(u"-1"_s, u"0.2"_s);
    dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
    QVERIFY(dialog->errorText().contains(u"at least 0"_s));
    QVERIFY(!dialog->isBusy());

    QLineEdit* input = field(dialog, u"0.15"_s);
    QVERIFY(input);
    input->clear();
    QTest::keyClicks(input, u"0.1"_s);
    QTest::keyClicks(field(dialog, u"0.60"_s), u"2"_s); // appended to the "0.2" already there
    QCOMPARE(dialog->outputText(), u"0.22"_s);
    QVERIFY(dialog->grab().save(shot("prices_dialog.png")));
    dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
    QVERIFY(changed.wait(kWaitMs));
    QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading(), kWaitMs);
    QTRY_VERIFY(!page.findChild<ui::PriceDialog*>()); // closed and deleted

    // Listed, stored exactly as typed (0.1 per million is the double 1e-07, not 0.1 / 1e6), and the
    // server now prices the model's calls, so it left the unpriced list.
    const QVector<TokenPrice> custom = page.priceTable().customPrices();
    QCOMPARE(custom.size(), 1);
    QCOMPARE(custom[0].model, kLocalModel);
    QVERIFY(sameBits(custom[0].inputPerToken, 1e-07));
    QVERIFY(sameBits(custom[0].outputPerToken, 2.2e-07));
    const QJsonArray stored =
        post(u"/cost/query"_s, { { u"project_id"_s, m_project } }).value(u"results"_s).toArray();
    QCOMPARE(stored.size(), 1);
    QVERIFY(sameBits(stored[0][u"prompt_token_cost"].toDouble(), 1e-07));
    auto* customView = page.findChild<QTableView*>(u"projectPrices"_s);
    QVERIFY(customView);
    QCOMPARE(customView->model()->rowCount(), 1);
    QCOMPARE(customView->model()->index(0, models::PriceListModel::InputColumn).data().toString(), u"$0.1"_s);
    QCOMPARE(customView->model()->index(0, models::PriceListModel::StatusColumn).data().toString(),
        u"In effect"_s);
    QVERIFY(!listsUnpriced(page, kLocalModel));
    QVERIFY(page.unpricedModels().isEmpty());
    QVERIFY(page.priceTable().priceFor(kLocalModel, QDateTime::currentDateTimeUtc()));
}

void TestPricesPage::refusedPriceWritesNothing(ui::PricesPage& page, QSignalSpy&)
{
    // A server error (model id too long) is shown in the dialog and nothing is written.
    ui::PriceDialog* dialog = page.openAddDialog(QString(300, u'x'));
    QVERIFY(dialog);
    dialog->setPriceTexts(u"1"_s, u"2"_s);
    dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
    QVERIFY(dialog->isBusy());
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), kWaitMs);
    QVERIFY2(dialog->errorText().contains(u"1-256 characters"_s), qPrintable(dialog->errorText()));
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->grab().save(shot("prices_dialog_error.png")));
    dialog->reject();
    // The same, with the dialog closed while it saves: the page warns (the window's banner).
    QSignalSpy warnings(&page, &ui::PricesPage::warning);
    dialog = page.openAddDialog(QString(300, u'y'));
    QVERIFY(dialog);
    dialog->setPriceTexts(u"1"_s, u"2"_s);
    dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
    QVERIFY(dialog->isBusy());
    dialog->reject();
    QTRY_COMPARE_WITH_TIMEOUT(warnings.size(), 1, kWaitMs);
    QVERIFY2(warnings.first().first().toString().contains(u"1-256 characters"_s),
        qPrintable(warnings.first().first().toString()));
    QCOMPARE(
        post(u"/cost/query"_s, { { u"project_id"_s, m_project } }).value(u"results"_s).toArray().size(), 1);

    auto* unpricedEmpty = page.findChild<QTableWidget*>(u"unpricedModels"_s);
    QVERIFY(unpricedEmpty && !unpricedEmpty->isVisible()); // the "all priced" message instead
    bool allPriced = false;
    for (QLabel* label : page.findChildren<QLabel*>())
        allPriced |=
            label->isVisible() && label->text().contains(u"models used in the last 30 days have a price"_s);
    QVERIFY(allPriced);
    QTest::qWait(50);
    QVERIFY(page.grab().save(shot("prices_page.png")));
}

void TestPricesPage::purgeWithConfirmation(ui::PricesPage& page, QSignalSpy& changed)
{
    auto* customView = page.findChild<QTableView*>(u"projectPrices"_s);
    QVERIFY(customView);
    // Delete with confirmation: Cancel keeps it, Delete purges it and the model is unpriced again.
    customView->selectRow(0);
    page.deleteSelectedPrice();
    auto* box = page.findChild<QMessageBox*>();
    QVERIFY(box);
    QVERIFY(box->text().contains(kLocalModel));
    box->button(QMessageBox::Cancel)->click();
    QTest::qWait(100);
    QCOMPARE(changed.size(), 1);
    QTRY_VERIFY(!page.findChild<QMessageBox*>());
    customView->selectRow(0);
    page.deleteSelectedPrice();
    box = page.findChild<QMessageBox*>();
    QVERIFY(box);
    QAbstractButton* deleteButton = nullptr;
    for (QAbstractButton* button : box->buttons())
        if (box->buttonRole(button) == QMessageBox::DestructiveRole)
            deleteButton = button;
    QVERIFY(deleteButton);
    deleteButton->click();
    QVERIFY(changed.wait(kWaitMs));
    QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading() && listsUnpriced(page, kLocalModel), kWaitMs);
    QVERIFY(page.priceTable().customPrices().isEmpty());
    QCOMPARE(
        post(u"/cost/query"_s, { { u"project_id"_s, m_project } }).value(u"results"_s).toArray().size(), 0);
    QVERIFY(page.grab().save(shot("prices_page_after_purge.png")));
}

// A project price replaces the default row whole: "Add price" for a model whose default prices
// cached prompt tokens starts from those prices, so the new row does not make them free.
void TestPricesPage::addPriceKeepsTheCachePrices()
{
    ui::PricesPage page(m_client.get());
    page.resize(1280, 860);
    page.show();
    QSignalSpy loaded(&page, &ui::PricesPage::loaded);
    QVERIFY(loaded.wait(kWaitMs));
    page.setProject(m_project);
    QVERIFY(loaded.wait(kWaitMs));
    const auto current = page.priceTable().priceFor(u"gpt-4o"_s, QDateTime::currentDateTimeUtc());
    QVERIFY(current && current->cacheReadPerToken > 0);
    ui::PriceDialog* dialog = page.openAddDialog(u"gpt-4o"_s);
    QVERIFY(dialog);
    auto* cacheRead = dialog->findChild<QLineEdit*>(u"cacheRead"_s);
    auto* cacheWrite = dialog->findChild<QLineEdit*>(u"cacheWrite"_s);
    QVERIFY(cacheRead && cacheWrite);
    QCOMPARE(cacheRead->text(), formatPrice(current->cacheReadPerToken, PriceUnit::PerMillionTokens));
    dialog->setPriceTexts(u"2"_s, u"8"_s);
    const auto costs = dialog->costs();
    QVERIFY(costs);
    const QJsonObject entry = costs->value(u"gpt-4o"_s).toObject();
    QVERIFY(sameBits(entry.value(u"cache_read_input_token_cost"_s).toDouble(), current->cacheReadPerToken));
    // Its cache write price is 0: not sent, as hosted Weave refuses fields it does not know.
    QCOMPARE(current->cacheCreationPerToken, 0.0);
    QVERIFY(!entry.contains(u"cache_creation_input_token_cost"_s));
    cacheWrite->setText(u"free"_s);
    QString error;
    QVERIFY(!dialog->costs(&error));
    QVERIFY2(error.contains(u"cache write"_s), qPrintable(error));
    dialog->reject();
}

void TestPricesPage::unitSwitchIsExact()
{
    ui::PriceDialog dialog;
    dialog.setPriceTexts(u"0.15"_s, u"0.9"_s);
    dialog.setUnit(PriceUnit::PerToken);
    QCOMPARE(dialog.inputText(), u"0.00000015"_s);
    QCOMPARE(dialog.outputText(), u"0.0000009"_s);
    auto* unitBox = dialog.findChild<QComboBox*>();
    QCOMPARE(unitBox->currentIndex(), 1);
    unitBox->setCurrentIndex(0); // the user's switch back
    QCOMPARE(dialog.unit(), PriceUnit::PerMillionTokens);
    QCOMPARE(dialog.inputText(), u"0.15"_s);
    QCOMPARE(dialog.outputText(), u"0.9"_s);
    dialog.setModelName(u"m"_s);
    dialog.setEffectiveDate(QDateTime(QDate(2025, 3, 1), QTime(12, 0), Qt::UTC));
    const auto costs = dialog.costs();
    QVERIFY(costs);
    const QJsonObject entry = costs->value(u"m"_s).toObject();
    QVERIFY(sameBits(entry.value(u"prompt_token_cost"_s).toDouble(), 1.5e-07));
    QVERIFY(sameBits(entry.value(u"completion_token_cost"_s).toDouble(), 9e-07));
    QCOMPARE(entry.value(u"effective_date"_s).toString(), u"2025-03-01T12:00:00.000Z"_s);
    QVERIFY(!entry.contains(u"provider_id"_s)); // left to the server's "default"

    // Text that is not a price is left alone by a switch, and blocks saving with a message.
    dialog.setPriceTexts(u"abc"_s, u"1"_s);
    dialog.setUnit(PriceUnit::PerToken);
    QCOMPARE(dialog.inputText(), u"abc"_s);
    QCOMPARE(dialog.outputText(), u"0.000001"_s);
    QString error;
    QVERIFY(!dialog.costs(&error));
    QVERIFY(error.contains(u"input price"_s));
    dialog.setModelName(QString());
    dialog.setPriceTexts(u"1"_s, u"1"_s);
    QVERIFY(!dialog.costs(&error));
    QVERIFY(error.contains(u"model id"_s));
}

void TestPricesPage::emptyProject()
{
    ui::PricesPage page(m_client.get());
    page.resize(1100, 700);
    QSignalSpy loaded(&page, &ui::PricesPage::loaded);
    page.setProject(u"acme/nothing-here"_s);
    QVERIFY(!page.isLoading()); // hidden: loads when shown
    page.show();
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(page.unpricedModels().isEmpty());
    QVERIFY(page.priceTable().customPrices().isEmpty());
    QStringList texts;
    for (QLabel* label : page.findChildren<QLabel*>())
        if (label->isVisible())
            texts << label->text();
    QVERIFY2(texts.join(u'\n').contains(u"No project prices yet"_s), qPrintable(texts.join(u'\n')));
    QVERIFY(texts.join(u'\n').contains(u"No LLM usage in the last 30 days"_s));
    QVERIFY(page.grab().save(shot("prices_empty.png")));
}

void TestPricesPage::mainWindowPage()
{
    ui::MainWindow window(m_client.get());
    window.resize(1280, 800);
    window.show();
    window.setProject(m_project);
    auto* page = window.pricesPage();
    QVERIFY(page);
    QVERIFY(!page->isVisible());
    QSignalSpy loaded(page, &ui::PricesPage::loaded);
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
    QTRY_VERIFY(page->isVisible());
    QVERIFY(loaded.wait(kWaitMs));
    QCOMPARE(page->project(), m_project);
    QVERIFY(listsUnpriced(*page, kLocalModel));
    window.setProject(u"acme/other"_s); // follows the project
    QCOMPARE(page->project(), u"acme/other"_s);
    QVERIFY(loaded.wait(kWaitMs));
    QVERIFY(page->unpricedModels().isEmpty());
    QVERIFY(window.grab().save(shot("prices_in_window.png")));
}

QTEST_MAIN(TestPricesPage)
#include "tst_pricespage.moc"
