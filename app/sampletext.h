#pragma once

// Private to sampledata.cpp: what the sample traces say and the JSON shapes the Weave SDKs give it.
// Content tables, the trace model the generator fills in, and deterministic builders for LLM
// requests and responses, usage, op objects and call start/end items. Nothing here draws random
// numbers: the generator passes in whatever it drew, so its draw order stays in one place.

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace spindle::app::sample {

using Micros = qint64;
using Obj = QJsonObject;
using Arr = QJsonArray;
constexpr Micros kMs = 1000;
constexpr Micros kSec = 1000 * kMs;

inline constexpr const char* kOps[] = { "rag_query", "embed_query", "openai.embeddings.create",
    "vector_search", "rerank", "generate_answer", "openai.chat.completions.create",
    "anthropic.Messages.create", "support_agent", "lookup_order", "refund_order", "search_kb" };
// "question|answer"; kQuestions[i] is answered by kDocs[i].
inline constexpr const char* kQuestions[] = {
    "How do I rotate an API key without downtime?|Create a second key, deploy it, revoke the old [kb-0142].",
    "What is the rate limit on the free tier?|Free projects get 60 requests/min and 10k/day [kb-0307].",
    "Can I export my traces to Parquet?|Yes: Export > Parquet in the traces view, or /export [kb-0219].",
    "How long are logs kept on the Pro plan?|Pro keeps logs for 90 days; Enterprise chooses [kb-0388].",
    "How do I set up SSO with Okta?|Add a SAML app with the ACS URL from Settings > Security [kb-0455].",
    "Why does my webhook return 401?|The signing secret was likely rotated; update the receiver [kb-0512].",
    "Does the Python SDK support asyncio?|Yes, every method has an awaitable twin in acme.aio [kb-0160].",
    "How do I delete a project?|Owners use Settings > Danger zone; data is purged in 30 days [kb-0601].",
};
// "id|title|text"
inline constexpr const char* kDocs[] = {
    "kb-0142|Rotating API keys|Keys can overlap: create the new key, roll it out, revoke the old one.",
    "kb-0307|Rate limits|Free: 60 req/min and 10k/day. Pro: 600 req/min. Enterprise: custom.",
    "kb-0219|Exporting data|Traces export to CSV, JSONL or Parquet from the UI or the /export API.",
    "kb-0388|Data retention|Retention is 14 days (Free), 90 days (Pro), configurable on Enterprise.",
    "kb-0455|SAML SSO with Okta|Create a SAML 2.0 app, paste the ACS URL, upload the IdP metadata.",
    "kb-0512|Webhook signatures|Each delivery carries an X-Acme-Signature HMAC-SHA256 of the body.",
    "kb-0160|Python SDK: async usage|Import acme.aio for asyncio-native clients.",
    "kb-0601|Deleting projects|Deletion becomes permanent after a 30-day grace period.",
    "kb-0077|Getting started|Install the SDK, create a project and send your first event.",
    "kb-0333|Billing and invoices|Invoices are monthly; usage above the plan is billed per unit.",
};
// "label|system prompt|user message|reply"
inline constexpr const char* kTasks[] = {
    "Summarize ticket|Summarize support tickets in one sentence.|"
    "Ticket #8812: the app logs me out every few minutes since 4.2 (iOS 17.5).|"
    "Since 4.2 the user is logged out every few minutes on iOS 17.5, likely a session-token regression.",
    "Classify sentiment|Classify the review as positive, neutral or negative. One word.|"
    "The delivery was late but support sorted it out quickly and were lovely.|positive",
    "Translate release notes|Translate the user's text to French.|Dark mode is now available on all plans.|"
    "Le mode sombre est désormais disponible sur toutes les offres.",
    "Write SQL|You write SQLite queries. Reply with SQL only.|Top 5 customers in orders(customer_id, total)|"
    "SELECT customer_id, SUM(total) AS v FROM orders GROUP BY 1 ORDER BY v DESC LIMIT 5;",
    "Draft reply|Draft a short, friendly reply.|Can I switch to annual billing mid-cycle?|"
    "Yes! Switch any time under Settings > Billing; we credit the unused part of this month.",
};
inline constexpr const char* kChatModels[] = { "gpt-4o-mini", "gpt-4o-mini", "gpt-4o",
    "claude-3-5-haiku-20241022", "llama-3.1-8b-local" };
inline constexpr const char* kAgentSystem = "You are Acme Shop's support agent. Use the tools to look up "
                                            "orders, refund up to $250 and search the help center. Be brief.";
// Trace attributes: the app of each trace kind (RAG, agent, chat), and the users' plans.
inline constexpr const char* kApps[] = { "docs-assistant", "support-agent", "playground" };
inline constexpr const char* kUserTiers[] = { "free", "free", "pro", "pro", "enterprise" };
// "name|description"
inline constexpr const char* kTools[] = {
    "lookup_order|Look up an order by id: status, items, total, shipping.",
    "refund_order|Refund all or part of an order.", "search_kb|Search the help-center knowledge base."
};

struct Span
{
    int parent = -1;
    QString id, op, displayName, exception;
    Micros start = 0, end = -1; // end < 0: still running
    Obj inputs, ownUsage, summary;
    QJsonValue output;
    bool dropped = false; // started after a running trace's cut-off: never sent
};

struct Trace
{
    QString traceId, threadId;
    Obj attributes;
    QList<Span> spans; // spans[0] is the root; children come after their parents
};

struct Completion
{
    QString model, system, reply, failure, toolName, toolCallId;
    Arr messages; // without the system prompt
    Obj toolArgs;
    int extraPromptTokens = 0;
    bool withTools = false;
};

struct Step
{
    QString tool;
    Obj args, result;
};

struct Scenario
{
    QString message, reply;
    QList<Step> steps;
};

QString str(const char* text);
QStringList fields(const char* row);
QString compact(const Obj& object);
bool isClaude(const QString& model);

// One model's entry in summary.usage.
Obj usageEntry(const QString& model, int prompt, int completion);
// The SDK rollup: a finished call's summary.usage is its own plus its children's, and status_counts
// (self plus descendants) is written where something in the subtree failed.
void rollUpSummaries(Trace& trace);

// An openai.embeddings.create response and its own usage ({model: entry}).
Obj embeddingResponse(const QString& model, const Arr& embedding, int tokens);
Obj embeddingUsage(const QString& model, int tokens);

// The inputs of an OpenAI chat or Anthropic Messages call, tools included when `c.withTools`.
Obj llmRequest(const Completion& c);
Obj anthropicMessage(const Completion& c, int prompt, int completion, const QString& id);
Obj openAiCompletion(const Completion& c, int prompt, int completion, qint64 createdSeconds,
    const QString& id, const QString& fingerprint);
// The assistant's tool request and the tool's answer, appended to an agent's conversation.
void appendToolExchange(Arr& messages, const Completion& c, const Obj& result);

// A support-agent conversation: 0 order status, 1 duplicate charge, 2 help-center question, 3 damage.
Scenario supportScenario(int kind, const QString& order, double amount, const QString& refundId);

// Op objects as the Python SDK saves them, and the op_name ref a call to one carries.
QString opSource(const QString& name);
Obj opValue(const QString& name);
QString opRef(const QString& project, const QString& name);

// The /call/upsert_batch items for one call of `trace`.
Obj callStartItem(const QString& project, const Trace& trace, const Span& span);
Obj callEndItem(const QString& project, const Span& span);

} // namespace spindle::app::sample
