#include "server/feedback.h"

#include "core/ids.h"
#include "core/timeformat.h"
#include "core/weaveref.h"
#include "server/callquery.h"

#include <QList>
#include <QString>
#include <QTextBoundaryFinder>

namespace spindle::server {
namespace {

constexpr std::size_t kMaxPayloadBytes = 1 << 20;
const char* const kRefFields[] = { "annotation_ref", "runnable_ref", "call_ref", "trigger_ref" };

struct FeedbackRow
{
    std::string id, projectId, weaveRef, feedbackType, payload;
    std::optional<std::string> callId, creator, refs[4];
    std::int64_t createdAt = 0;
};

std::size_t codePoints(std::string_view text)
{
    std::size_t count = 0;
    for (unsigned char c : text)
        count += (c & 0xC0) != 0x80;
    return count;
}

// Skin-tone modifiers U+1F3FB..U+1F3FF are F0 9F 8F BB..BF in UTF-8.
std::string detone(std::string_view emoji)
{
    std::string out;
    for (std::size_t i = 0; i < emoji.size(); ++i) {
        if (i + 3 < emoji.size() && emoji.substr(i, 3) == "\xF0\x9F\x8F"
            && static_cast<unsigned char>(emoji[i + 3]) >= 0xBB
            && static_cast<unsigned char>(emoji[i + 3]) <= 0xBF) {
            i += 3;
            continue;
        }
        out.push_back(emoji[i]);
    }
    return out;
}

std::string emojiAlias(std::string_view emoji)
{
    static const std::pair<const char*, const char*> aliases[] = {
        { "\xF0\x9F\x91\x8D", ":thumbs_up:" },
        { "\xF0\x9F\x91\x8E", ":thumbs_down:" },
        { "\xE2\x9D\xA4\xEF\xB8\x8F", ":red_heart:" },
        { "\xF0\x9F\x98\x82", ":face_with_tears_of_joy:" },
        { "\xF0\x9F\x8E\x89", ":party_popper:" },
        { "\xF0\x9F\x91\x80", ":eyes:" },
        { "\xF0\x9F\x9A\x80", ":rocket:" },
        { "\xF0\x9F\x94\xA5", ":fire:" },
        { "\xE2\x9C\x85", ":check_mark_button:" },
        { "\xE2\x9D\x8C", ":cross_mark:" },
    };
    for (const auto& [glyph, alias] : aliases)
        if (emoji == glyph)
            return alias;
    return std::string(emoji);
}

// ":thumbs_up:" plus the skin tone the emoji carries: ":thumbs_up_medium_skin_tone:".
std::string tonedAlias(std::string_view emoji, const std::string& detoned)
{
    static const char* const tones[] = { "light", "medium-light", "medium", "medium-dark", "dark" };
    std::string alias = emojiAlias(detoned);
    const std::size_t at = emoji.find("\xF0\x9F\x8F");
    if (at == std::string_view::npos || at + 3 >= emoji.size() || alias.empty() || alias.back() != ':')
        return emojiAlias(emoji);
    const int tone = static_cast<unsigned char>(emoji[at + 3]) - 0xBB;
    if (tone < 0 || tone > 4)
        return emojiAlias(emoji);
    alias.pop_back();
    return alias + "_" + tones[tone] + "_skin_tone:";
}

// Whether one grapheme is an emoji: a pictograph (the emoji planes, the symbol and dingbat blocks),
// or a character asking for emoji presentation (U+FE0F) or a keycap (U+20E3).
bool isEmojiGrapheme(const QString& grapheme)
{
    if (grapheme.contains(QChar(0xFE0F)) || grapheme.contains(QChar(0x20E3)))
        return true;
    const char32_t c = grapheme.toUcs4().value(0);
    return c >= 0x1F000 || (c >= 0x2600 && c <= 0x27BF) || (c >= 0x2B05 && c <= 0x2B55) || c == 0x231A
        || c == 0x231B || (c >= 0x23E9 && c <= 0x23FA) || c == 0x00A9 || c == 0x00AE;
}

// Weave takes a reaction with exactly one emoji in it (emoji.emoji_count): a skin tone, a ZWJ
// family or a flag is one; "hello" has none, "👍👍" two.
bool hasOneEmoji(const std::string& text)
{
    const QString emoji = QString::fromUtf8(text);
    QTextBoundaryFinder graphemes(QTextBoundaryFinder::Grapheme, emoji);
    int count = 0;
    for (qsizetype start = 0, end = graphemes.toNextBoundary(); end > start;
         start = end, end = graphemes.toNextBoundary())
        count += isEmojiGrapheme(emoji.mid(start, end - start)) ? 1 : 0;
    return count == 1;
}

void validateType(const std::string& type, JsonValue& payload, const FeedbackRow& row, JsonAllocator& alloc)
{
    const auto hasRef = [&](int i) { return row.refs[i].has_value(); };
    // Weave's rules: only annotation feedback names an annotation spec, and only runnable feedback
    // a runnable, the scorer's call or a trigger.
    if (!type.starts_with("wandb.annotation.") && hasRef(0))
        throw badRequest("annotation_ref is only for wandb.annotation.* feedback");
    if (!type.starts_with("wandb.runnable."))
        for (int i = 1; i < 4; ++i)
            if (hasRef(i))
                throw badRequest(std::string(kRefFields[i]) + " is only for wandb.runnable.* feedback");
    if (type == "wandb.reaction.1") {
        const std::string emoji = requireString(payload, "emoji", "payload");
        if (!hasOneEmoji(emoji))
            throw badRequest("a reaction's emoji must hold exactly one emoji, not '" + emoji + "'");
        const std::string detoned = detone(emoji);
        payload.RemoveMember("detoned");
        payload.RemoveMember("detoned_alias");
        payload.RemoveMember("alias");
        payload.AddMember("detoned", jsonText(detoned, alloc), alloc);
        payload.AddMember("detoned_alias", jsonText(emojiAlias(detoned), alloc), alloc);
        payload.AddMember("alias", jsonText(tonedAlias(emoji, detoned), alloc), alloc);
    } else if (type == "wandb.note.1") {
        const std::string note = requireString(payload, "note", "payload");
        if (codePoints(note) < 1 || codePoints(note) > 1024)
            throw badRequest("a note must be 1 to 1024 characters");
    } else if (type.starts_with("wandb.annotation.")) {
        if (!hasRef(0))
            throw badRequest("annotation feedback needs an annotation_ref");
        if (!payload.HasMember("value"))
            throw badRequest("annotation feedback payload needs a 'value'");
    } else if (type.starts_with("wandb.runnable.")) {
        if (!hasRef(1))
            throw badRequest("runnable feedback needs a runnable_ref");
        const auto runnable = parseWeaveRef(*row.refs[1]);
        const std::string name = type.substr(std::string_view("wandb.runnable.").size());
        if (!runnable || (runnable->kind != "op" && runnable->kind != "object") || runnable->name != name)
            throw badRequest("runnable_ref must name the op or object " + name + " of the feedback type");
        if (runnable->kind == "op" && !hasRef(2))
            throw badRequest("runnable feedback from an op needs the scorer's call_ref");
        if (!payload.HasMember("output"))
            throw badRequest("runnable feedback payload needs an 'output'");
    } else if (type.starts_with("wandb.")) {
        throw badRequest("unknown built-in feedback type '" + type + "'");
    } else {
        for (int i = 0; i < 4; ++i)
            if (hasRef(i))
                throw badRequest(std::string("custom feedback types cannot set ") + kRefFields[i]);
    }
}

FeedbackRow parseFeedback(const JsonValue& body, const std::string& userId)
{
    FeedbackRow row;
    row.projectId = requireProjectId(body);
    row.weaveRef = requireString(body, "weave_ref", "");
    const auto target = parseWeaveRef(row.weaveRef);
    if (!target)
        throw badRequest("weave_ref must be a weave:/// ref, not '" + row.weaveRef + "'");
    if (target->projectId() != row.projectId)
        throw badRequest("weave_ref points into project " + target->projectId() + ", not " + row.projectId);
    if (target->kind == "call")
        row.callId = target->name;
    row.feedbackType = requireString(body, "feedback_type", "");
    row.creator = optionalString(body, "creator", "");
    for (int i = 0; i < 4; ++i) {
        row.refs[i] = optionalString(body, kRefFields[i], "");
        if (row.refs[i] && !parseWeaveRef(*row.refs[i]))
            throw badRequest(std::string(kRefFields[i]) + " must be a weave:/// ref");
    }
    JsonDocument payload;
    payload.CopyFrom(requireObject(body, "payload", ""), payload.GetAllocator());
    validateType(row.feedbackType, payload, row, payload.GetAllocator());
    row.payload = toJson(payload);
    if (row.payload.size() > kMaxPayloadBytes)
        throw ApiError(413, "feedback payloads are limited to 1 MiB");
    row.id = optionalString(body, "id", "").value_or(newUuid4());
    row.createdAt = nowMicros();
    (void)userId;
    return row;
}

void insertFeedback(Connection& db, const FeedbackRow& row, const std::string& userId)
{
    auto insert = db.prepare(
        "INSERT INTO feedback (id, project_id, weave_ref, call_id, wb_user_id, creator, created_at, "
        "feedback_type, payload, annotation_ref, runnable_ref, call_ref, trigger_ref) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, id) DO NOTHING");
    insert->bind(1, std::string_view(row.id));
    insert->bind(2, std::string_view(row.projectId));
    insert->bind(3, std::string_view(row.weaveRef));
    insert->bind(4, row.callId);
    insert->bind(5, std::string_view(userId));
    insert->bind(6, row.creator);
    insert->bind(7, row.createdAt);
    insert->bind(8, std::string_view(row.feedbackType));
    insert->bind(9, std::string_view(row.payload));
    for (int i = 0; i < 4; ++i)
        insert->bind(10 + i, row.refs[i]);
    insert->run();
    if (db.changes() == 0)
        throw ApiError(409, "feedback id " + row.id + " already exists");
}

std::string createResponse(const FeedbackRow& row, const std::string& userId)
{
    std::string out = "{\"id\":";
    appendJsonString(out, row.id);
    out += ",\"created_at\":\"" + formatIsoTime(row.createdAt) + "\",\"wb_user_id\":";
    appendJsonString(out, userId);
    return out + ",\"payload\":" + row.payload + "}";
}

const ColumnResolver& feedbackColumns()
{
    static const ColumnResolver resolver(
        { { "id", ValueKind::Text }, { "project_id", ValueKind::Text }, { "weave_ref", ValueKind::Text },
            { "wb_user_id", ValueKind::Text }, { "creator", ValueKind::Text },
            { "created_at", ValueKind::Time }, { "feedback_type", ValueKind::Text },
            { "annotation_ref", ValueKind::Text }, { "runnable_ref", ValueKind::Text },
            { "call_ref", ValueKind::Text }, { "trigger_ref", ValueKind::Text } },
        "payload");
    return resolver;
}

} // namespace

std::int64_t purgeByIds(Connection& db, const char* table, const std::string& projectId,
    const std::vector<std::string>& ids, const char* extraCondition)
{
    if (ids.empty())
        return 0;
    Sql sql { std::string("DELETE FROM ") + table + " WHERE " + extraCondition + " = ? AND id IN (",
        { projectId } };
    for (std::size_t i = 0; i < ids.size(); ++i)
        (i ? sql.append(", ") : sql).bind(ids[i]);
    sql.append(")");
    auto stmt = db.prepareAdHoc(sql.text);
    stmt->bindAll(sql.params);
    stmt->run();
    return db.changes();
}

std::string feedbackCreate(const JsonValue& body, RequestContext& context)
{
    const FeedbackRow row = parseFeedback(body, context.userId);
    context.db.write([&](Connection& db) { insertFeedback(db, row, context.userId); });
    return createResponse(row, context.userId);
}

std::string feedbackBatchCreate(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const JsonValue* batch = optionalArray(body, "batch", "");
    if (!batch)
        throw badRequest("missing required list 'batch'");
    std::vector<FeedbackRow> rows;
    for (const auto& item : batch->GetArray())
        rows.push_back(parseFeedback(item, context.userId));
    context.db.write([&](Connection& db) {
        for (const auto& row : rows)
            insertFeedback(db, row, context.userId);
    });
    std::string out = "{\"res\":[";
    for (std::size_t i = 0; i < rows.size(); ++i)
        out += (i ? "," : "") + createResponse(rows[i], context.userId);
    return out + "]}";
}

std::string feedbackQuery(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    Sql sql { "SELECT id, project_id, weave_ref, wb_user_id, creator, created_at, feedback_type, payload, "
              "annotation_ref, runnable_ref, call_ref, trigger_ref FROM feedback WHERE project_id = ?",
        { projectId } };
    if (const JsonValue* query = optionalMember(body, "query"))
        sql.append(" AND ").append(compileQuery(*query, feedbackColumns()));
    sql.append(" ORDER BY ");
    for (const auto& term : parseSortBy(body))
        sql.append(compileSortTerm(term.field, term.descending, feedbackColumns())).append(", ");
    sql.append("created_at ASC, id ASC LIMIT ").bind(optionalCount(body, "limit", "").value_or(-1));
    sql.append(" OFFSET ").bind(optionalCount(body, "offset", "").value_or(0));
    const auto fields = optionalStringList(body, "fields", "");
    const auto wanted = [&](std::string_view name) {
        return fields.empty() || std::find(fields.begin(), fields.end(), name) != fields.end();
    };
    const char* const names[] = { "id", "project_id", "weave_ref", "wb_user_id", "creator", "created_at",
        "feedback_type", "payload", "annotation_ref", "runnable_ref", "call_ref", "trigger_ref" };
    auto reader = context.db.read();
    auto stmt = reader->prepareAdHoc(sql.text);
    stmt->bindAll(sql.params);
    std::string out = "{\"result\":[";
    for (bool firstRow = true; stmt->step(); firstRow = false) {
        out += firstRow ? "{" : ",{";
        bool first = true;
        for (int column = 0; column < 12; ++column) {
            if (!wanted(names[column]))
                continue;
            out += first ? "\"" : ",\"";
            first = false;
            out += std::string(names[column]) + "\":";
            if (column == 5)
                out += "\"" + formatIsoTime(stmt->columnInt(5)) + "\"";
            else if (column == 7)
                out += stmt->columnText(7);
            else if (stmt->isNull(column))
                out += "null";
            else
                appendJsonString(out, stmt->columnText(column));
        }
        out += "}";
    }
    return out + "]}";
}

std::string feedbackPurge(const JsonValue& body, RequestContext& context)
{
    const std::string projectId = requireProjectId(body);
    const auto ids = parseIdSelection(requireObject(body, "query", ""));
    context.db.write([&](Connection& db) { purgeByIds(db, "feedback", projectId, ids, "project_id"); });
    return "{}";
}

std::string feedbackReplace(const JsonValue& body, RequestContext& context)
{
    requireObjectBody(body);
    const std::string oldId = requireString(body, "feedback_id", "");
    JsonDocument fresh;
    fresh.CopyFrom(body, fresh.GetAllocator());
    fresh.RemoveMember("id");
    const FeedbackRow row = parseFeedback(fresh, context.userId);
    context.db.write([&](Connection& db) {
        if (purgeByIds(db, "feedback", row.projectId, { oldId }, "project_id") == 0)
            throw notFound("feedback " + oldId + " not found in " + row.projectId);
        insertFeedback(db, row, context.userId);
    });
    return createResponse(row, context.userId);
}

} // namespace spindle::server
