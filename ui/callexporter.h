#pragma once

#include "net/traceclient.h"

#include <QObject>
#include <QSaveFile>

namespace spindle::ui {

// Writes every row of a calls query to a file as it streams in: CSV, TSV, JSON or JSONL, with
// progress and cancel, and no row cap. A cancelled or failed export removes its partial file.
class CallExporter : public QObject
{
    Q_OBJECT
public:
    enum class Format
    {
        Csv,
        Tsv,
        Json,
        Jsonl,
    };

    explicit CallExporter(net::TraceClient* client, QObject* parent = nullptr);
    // `request` is a /calls/stream_query body without paging; `columns` are the extra dynamic
    // column paths written to CSV/TSV after the standard ones.
    bool start(const QJsonObject& request, const QStringList& columns, Format format, const QString& path,
        QString* error);
    void cancel();
    // The query's count, when known: a stream cut between two lines looks complete to HTTP, and an
    // export with fewer rows than this is failed and saves nothing. Rows logged meanwhile only add,
    // as long as the request's range is fixed (CallsController::requestQuery) and nothing is deleted.
    void setExpectedRows(qint64 rows)
    {
        m_expectedRows = rows;
    }
    bool isRunning() const
    {
        return m_request != 0;
    }
    qint64 rowsWritten() const
    {
        return m_rows;
    }

    static QString defaultFileName(const QString& projectId, Format format, const QDate& date);
    static QString pythonSnippet(const QJsonObject& request, const QUrl& baseUrl);
    static QString curlSnippet(const QJsonObject& request, const QUrl& baseUrl);
    static QStringList standardColumns();

Q_SIGNALS:
    void progress(qint64 rows);
    void finished(bool ok, const QString& message);

private:
    void writeRows(const QVector<spindle::Call>& calls);
    bool writeOrFail(const QByteArray& bytes); // false: the export ended as failed
    QString cannotWrite(const QString& why) const; // "Export failed: cannot write <file>: <why>"
    void finish(bool ok, const QString& message);
    QStringList rowFields(const spindle::Call& call) const;

    net::TraceClient* m_client;
    net::TraceClient::RequestId m_request = 0;
    // Written beside the target and renamed over it when the export is complete: a failed or
    // cancelled export leaves a file that was there before as it was.
    QSaveFile m_file;
    Format m_format = Format::Csv;
    QStringList m_columns;
    qint64 m_expectedRows = -1;
    qint64 m_rows = 0;
};

} // namespace spindle::ui
