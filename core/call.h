#pragma once

#include <QHash>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QVector>

#include <optional>

namespace spindle {

// Per-model usage and cost of one call, from summary.usage and summary.weave.costs.
struct ModelCost
{
    QString model;
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 totalTokens = 0;
    qint64 requests = 0;
    double cost = 0; // USD; prompt + completion (+ cache) cost
    bool priced = false;
};

// One call as the app shows it: the hot fields decoded once (off the GUI thread), plus the raw
// JSON parts for dynamic columns and the detail view.
struct Call
{
    QString id;
    QString projectId;
    QString traceId;
    QString parentId;
    QString opName; // usually a weave:/// op ref
    QString displayName;
    QString status; // success, error, running, descendant_error
    QString exception;
    QString wbUserId;
    qint64 startedAtMs = 0; // epoch ms
    std::optional<qint64> endedAtMs;
    std::optional<qint64> latencyMs;
    QJsonObject inputs;
    QJsonValue output;
    QJsonObject attributes;
    QJsonObject summary;
    QVector<ModelCost> costs;
    // What the table does not show and an export keeps: the microseconds past startedAtMs and
    // endedAtMs, and the fields with a value that this struct does not model (thread_id, turn_id,
    // wb_run_id, wb_run_step, storage sizes, fields of newer servers).
    int startedAtExtraUs = 0;
    int endedAtExtraUs = 0;
    QJsonObject otherFields;

    QString name() const; // display name, else the op's short name
    qint64 totalTokens() const;
    std::optional<double> totalCost() const; // nullopt when no model is priced
    bool isRoot() const
    {
        return parentId.isEmpty();
    }
    // Value at a dotted column path such as "inputs.question" or "output.score".
    QJsonValue valueAt(const QString& path) const;
    // The same with the path already split at its dots (a table cell asks on every repaint).
    QJsonValue valueAt(const QStringList& parts) const;

    static Call fromJson(const QJsonObject& json);
    QJsonObject toJson() const; // the call as the server sent it, with the CallSchema's fields
};

QString opShortName(const QString& opName);
// Epoch ms from the protocol's ISO-8601 text; nullopt when absent or unparsable.
std::optional<qint64> parseTimestampMs(const QString& text);

} // namespace spindle

Q_DECLARE_METATYPE(spindle::Call)
