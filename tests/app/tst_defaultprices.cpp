// A store keeps the default price table it was made with, in llm_token_prices. A newer build ships
// a newer table (the Prices page shows it), so opening the store loads it when it differs from the
// one the store last loaded; the project's own prices stay as they are.
#include "server/database.h"
#include "server/sqlite.h"

#include <QTemporaryDir>
#include <QTest>

using namespace spindle::server;

namespace {

// gpt-4o's newest default row, as the store has it.
double newestGpt4oInputPrice(Database& db)
{
    auto reader = db.read();
    auto stmt = (*reader).prepare("SELECT prompt_token_cost FROM llm_token_prices WHERE pricing_level = "
                                  "'default' AND llm_id = 'gpt-4o' ORDER BY effective_date DESC LIMIT 1");
    return stmt->step() ? stmt->columnDouble(0) : -1;
}

int projectPrices(Database& db)
{
    auto reader = db.read();
    auto stmt = (*reader).prepare("SELECT count(*) FROM llm_token_prices WHERE pricing_level = 'project'");
    return stmt->step() ? int(stmt->columnInt(0)) : -1;
}

} // namespace

class TestDefaultPrices : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void olderTableIsReplacedOnOpen();
};

void TestDefaultPrices::olderTableIsReplacedOnOpen()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("spindle.sqlite")).toStdString();
    double shipped = 0;
    {
        Database db(path);
        shipped = newestGpt4oInputPrice(db);
        QVERIFY(shipped > 0);
        db.write([](Connection& c) {
            c.exec("INSERT INTO llm_token_prices (id, pricing_level, pricing_level_id, provider_id, llm_id, "
                   "effective_date, prompt_token_cost, completion_token_cost, created_by, created_at) VALUES "
                   "('mine', 'project', 'me/p', 'default', 'gpt-4o', 0, 9, 9, 'me', 0)");
            // The same build opening the store again writes nothing: this edit stays.
            c.exec("UPDATE llm_token_prices SET prompt_token_cost = 1 WHERE pricing_level = 'default'");
        });
    }
    {
        Database db(path);
        QCOMPARE(newestGpt4oInputPrice(db), 1.0);
        // As a store made by an older build: its table is another one.
        db.write([](Connection& c) {
            c.exec("UPDATE spindle_meta SET value = 'an older table' WHERE key = 'default_prices'");
        });
    }
    {
        Database db(path);
        QCOMPARE(newestGpt4oInputPrice(db), shipped);
        QCOMPARE(projectPrices(db), 1);
        // As a store of the build before spindle_meta (schema v3), with its own default rows.
        db.write([](Connection& c) {
            c.exec("DROP TABLE spindle_meta");
            c.exec("UPDATE llm_token_prices SET prompt_token_cost = 2 WHERE pricing_level = 'default'");
            c.exec("PRAGMA user_version=3");
        });
    }
    Database db(path);
    QCOMPARE(db.schemaVersion(), 4);
    QCOMPARE(newestGpt4oInputPrice(db), shipped);
    QCOMPARE(projectPrices(db), 1);
}

QTEST_GUILESS_MAIN(TestDefaultPrices)
#include "tst_defaultprices.moc"
