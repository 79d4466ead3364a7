#pragma once

// A compact text format for trace trees in tests. One call per line; two spaces of indentation
// per level make a call the child of the nearest shallower line above it. Words after the name:
//   !            the call failed (it gets an exception)
//   ...          the call is still running
//   parent=X     sets parent_id to X explicitly (for orphans and cycles), ignoring indentation
//   ms=N         latency in ms (default 10)
// Calls start 1 ms apart in line order. Ids are the names.
#include "core/call.h"

#include <QStringList>
#include <QVector>

inline QVector<spindle::Call> parseTreeFixture(const QString& text)
{
    QVector<spindle::Call> calls;
    QVector<QPair<int, QString>> stack; // (indent, id)
    qint64 start = 1'700'000'000'000;
    for (const QString& rawLine : text.split(QLatin1Char('\n'))) {
        if (rawLine.trimmed().isEmpty())
            continue;
        const int depth = int(rawLine.indexOf(rawLine.trimmed())) / 2;
        const QStringList words = rawLine.trimmed().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        spindle::Call call;
        call.id = words.first();
        call.traceId = QStringLiteral("t");
        call.opName = QStringLiteral("weave:///e/p/op/%1:d").arg(call.id);
        call.startedAtMs = start++;
        qint64 latency = 10;
        bool running = false;
        while (!stack.isEmpty() && stack.last().first >= depth)
            stack.removeLast();
        call.parentId = stack.isEmpty() ? QString() : stack.last().second;
        for (const QString& word : words.mid(1)) {
            if (word == QLatin1String("!"))
                call.exception = QStringLiteral("%1 failed").arg(call.id);
            else if (word == QLatin1String("..."))
                running = true;
            else if (word.startsWith(QLatin1String("parent=")))
                call.parentId = word.mid(7);
            else if (word.startsWith(QLatin1String("ms=")))
                latency = word.mid(3).toLongLong();
        }
        call.status = !call.exception.isEmpty() ? QStringLiteral("error")
            : running                           ? QStringLiteral("running")
                                                : QStringLiteral("success");
        if (!running) {
            call.endedAtMs = call.startedAtMs + latency;
            call.latencyMs = latency;
        }
        stack.append({ depth, call.id });
        calls.append(call);
    }
    return calls;
}
