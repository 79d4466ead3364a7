// A JSON or JSONL export writes each call as the server sent it: the thread and turn, the W&B run
// and its steps, and the times to the microsecond, all of which the calls table does not show.
#include "apptestutil.h"
#include "net/traceclient.h"
#include "ui/callexporter.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace spindle;
using namespace spindle::apptest;
using namespace Qt::StringLiterals;

namespace {

const QString kProject = u"export/fields"_s;

QJsonObject startItem()
{
    const QJsonObject start { { u"project_id"_s, kProject }, { u"id"_s, u"call-1"_s },
        { u"trace_id"_s, u"trace-1"_s }, { u"op_name"_s, u"chat"_s },
        { u"started_at"_s, u"2025-03-01T10:00:00.123456Z"_s }, { u"thread_id"_s, u"thread-7"_s },
        { u"turn_id"_s, u"turn-2"_s }, { u"wb_run_id"_s, u"export/fields/run-1"_s }, { u"wb_run_step"_s, 4 },
        { u"attributes"_s, QJsonObject() }, { u"inputs"_s, QJsonObject { { u"q"_s, u"hi"_s } } } };
    return { { u"mode"_s, u"start"_s }, { u"req"_s, QJsonObject { { u"start"_s, start } } } };
}

QJsonObject endItem()
{
    const QJsonObject end { { u"project_id"_s, kProject }, { u"id"_s, u"call-1"_s },
        { u"ended_at"_s, u"2025-03-01T10:00:01.000789Z"_s }, { u"output"_s, u"hello"_s },
        { u"summary"_s, QJsonObject() }, { u"wb_run_step_end"_s, 5 } };
    return { { u"mode"_s, u"end"_s }, { u"req"_s, QJsonObject { { u"end"_s, end } } } };
}

} // namespace

class TestExportFields : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void exportKeepsEveryField_data();
    void exportKeepsEveryField();
};

void TestExportFields::exportKeepsEveryField_data()
{
    QTest::addColumn<int>("format");
    QTest::addRow("json") << int(ui::CallExporter::Format::Json);
    QTest::addRow("jsonl") << int(ui::CallExporter::Format::Jsonl);
}

void TestExportFields::exportKeepsEveryField()
{
    QFETCH(int, format);
    InProcessServer server;
    QVERIFY(server.start().isEmpty());
    const HttpReply logged = server.post(
        "/call/upsert_batch", QJsonObject { { u"batch"_s, QJsonArray { startItem(), endItem() } } });
    QCOMPARE(logged.status, 200);

    net::TraceClient client;
    client.setConnection({ server.url(), {} });
    ui::CallExporter exporter(&client);
    exporter.setExpectedRows(1);
    QSignalSpy finished(&exporter, &ui::CallExporter::finished);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"calls.json"_s);
    QString error;
    QVERIFY2(exporter.start(QJsonObject { { u"project_id"_s, kProject } }, {},
                 ui::CallExporter::Format(format), path, &error),
        qPrintable(error));
    QVERIFY(finished.wait(10000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    const QJsonDocument doc =
        QJsonDocument::fromJson(format == int(ui::CallExporter::Format::Json) ? bytes : bytes.trimmed());
    const QJsonObject call = doc.isArray() ? doc.array().at(0).toObject() : doc.object();
    QCOMPARE(call.value(u"id"_s).toString(), u"call-1"_s);
    QCOMPARE(call.value(u"started_at"_s).toString(), u"2025-03-01T10:00:00.123456Z"_s);
    QCOMPARE(call.value(u"ended_at"_s).toString(), u"2025-03-01T10:00:01.000789Z"_s);
    QCOMPARE(call.value(u"thread_id"_s).toString(), u"thread-7"_s);
    QCOMPARE(call.value(u"turn_id"_s).toString(), u"turn-2"_s);
    QCOMPARE(call.value(u"wb_run_id"_s).toString(), u"export/fields/run-1"_s);
    QCOMPARE(call.value(u"wb_run_step"_s).toInt(), 4);
    QCOMPARE(call.value(u"wb_run_step_end"_s).toInt(), 5);
    QCOMPARE(call.value(u"output"_s).toString(), u"hello"_s);
}

QTEST_MAIN(TestExportFields)
#include "tst_exportfields.moc"
