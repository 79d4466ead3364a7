// The word-level diff of two values (wordDiff, callcomparison.h): tokens, an LCS on them, and the
// changes merged into runs.
#include "models/callcomparison.h"

#include <algorithm>
#include <vector>

namespace spindle::models {

namespace {

// Tokens for the word diff: a run of word characters, a run of whitespace, or one other
// character (a surrogate pair counts as one).
QStringList tokenize(const QString& text)
{
    QStringList tokens;
    const auto kind = [](QChar c) { return c.isSpace() ? 1 : (c.isLetterOrNumber() || c == u'_') ? 2 : 0; };
    qsizetype i = 0;
    while (i < text.size()) {
        const int k = kind(text[i]);
        qsizetype end = i + 1;
        if (k == 0) {
            if (text[i].isHighSurrogate() && end < text.size() && text[end].isLowSurrogate())
                ++end;
        } else {
            while (end < text.size() && kind(text[end]) == k)
                ++end;
        }
        tokens.append(text.mid(i, end - i));
        i = end;
    }
    return tokens;
}

constexpr qsizetype kMaxLcsCells = 4'000'000;

// Token-level diff of a and b (already without their common prefix and suffix).
QVector<DiffSegment> lcsDiff(const QStringList& a, const QStringList& b)
{
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    QVector<DiffSegment> out;
    if (n == 0 || m == 0 || (n + 1) * (m + 1) > kMaxLcsCells) {
        if (n)
            out.append({ DiffSegment::Delete, a.join(QString()) });
        if (m)
            out.append({ DiffSegment::Insert, b.join(QString()) });
        return out;
    }
    // lcs[i * (m + 1) + j]: LCS length of a[i..] and b[j..].
    std::vector<quint32> lcs(size_t((n + 1) * (m + 1)), 0);
    const auto at = [&](qsizetype i, qsizetype j) -> quint32& { return lcs[size_t(i * (m + 1) + j)]; };
    for (qsizetype i = n - 1; i >= 0; --i) {
        for (qsizetype j = m - 1; j >= 0; --j)
            at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    }
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            out.append({ DiffSegment::Equal, a[i++] });
            ++j;
        } else if (j == m || (i < n && at(i + 1, j) >= at(i, j + 1))) {
            out.append({ DiffSegment::Delete, a[i++] });
        } else {
            out.append({ DiffSegment::Insert, b[j++] });
        }
    }
    return out;
}

// Merges runs into one deletion then one insertion, folding whitespace that only separates
// two changes into both sides.
QVector<DiffSegment> mergeSegments(const QVector<DiffSegment>& raw)
{
    QVector<DiffSegment> out;
    QString deleted;
    QString inserted;
    const auto flush = [&] {
        if (!deleted.isEmpty())
            out.append({ DiffSegment::Delete, deleted });
        if (!inserted.isEmpty())
            out.append({ DiffSegment::Insert, inserted });
        deleted.clear();
        inserted.clear();
    };
    for (qsizetype k = 0; k < raw.size(); ++k) {
        const DiffSegment& seg = raw[k];
        if (seg.op == DiffSegment::Delete) {
            deleted += seg.text;
        } else if (seg.op == DiffSegment::Insert) {
            inserted += seg.text;
        } else if ((!deleted.isEmpty() || !inserted.isEmpty()) && seg.text.trimmed().isEmpty()
            && k + 1 < raw.size() && raw[k + 1].op != DiffSegment::Equal) {
            deleted += seg.text;
            inserted += seg.text;
        } else {
            flush();
            if (!out.isEmpty() && out.last().op == DiffSegment::Equal)
                out.last().text += seg.text;
            else
                out.append(seg);
        }
    }
    flush();
    return out;
}

} // namespace

QVector<DiffSegment> wordDiff(const QString& before, const QString& after)
{
    QStringList a = tokenize(before);
    QStringList b = tokenize(after);
    qsizetype prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix
        && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    QVector<DiffSegment> raw;
    if (prefix)
        raw.append({ DiffSegment::Equal, a.mid(0, prefix).join(QString()) });
    raw.append(lcsDiff(a.mid(prefix, a.size() - prefix - suffix), b.mid(prefix, b.size() - prefix - suffix)));
    if (suffix)
        raw.append({ DiffSegment::Equal, a.mid(a.size() - suffix).join(QString()) });
    return mergeSegments(raw);
}

} // namespace spindle::models
