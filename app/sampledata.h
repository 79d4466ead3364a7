#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace spindle::app {

// One HTTP request of the sample set: POST `path` with JSON `body`. For "/file/create" the body is
// {"project_id", "content"}: the loader uploads `content` as the multipart file part.
struct SampleRequest
{
    QString path;
    QJsonObject body;
};

// attributes.weave.client_version of every sample call: how a project's sample traces are found.
inline const QString kSampleClientVersion = QStringLiteral("spindle-sample");

// Realistic sample traces for `projectId` ("entity/project"), timed in the hours before `now`:
// op objects first (/obj/create with the Op value shape; digests are whatever the server returns, so
// refer to ops in op_name refs by a digest you compute yourself with spindle::weaveDigest over a stable
// string — op_name only needs to be a well-formed ref), then /call/upsert_batch bodies of at most 500 items.
QList<SampleRequest> buildSampleData(
    const QString& projectId, const QDateTime& now, int traceCount = 60, quint32 seed = 42);

} // namespace spindle::app
