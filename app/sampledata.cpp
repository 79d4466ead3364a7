// Sample traces shaped like what the Weave SDKs send. Each trace is built in memory as a tree of spans
// (times in microseconds), usage is rolled up the tree the way the SDKs do it, ids are assigned, and the
// start/end items are emitted in time order into /call/upsert_batch bodies.
#include "app/sampledata.h"

#include "core/digest.h"
#include "core/timeformat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

#include <algorithm>
#include <tuple>
#include <utility>

namespace spindle::app {

using namespace Qt::StringLiterals;

namespace {

using Micros = qint64;
using Obj = QJsonObject;
using Arr = QJsonArray;
constexpr Micros kMs = 1000;
constexpr Micros kSec = 1000 * kMs;
constexpr int kMaxBatchItems = 500;

const char* const kOps[] = { "rag_query", "embed_query", "openai.embeddings.create", "vector_search",
    "rerank", "generate_answer", "openai.chat.completions.create", "anthropic.Messages.create",
    "support_agent", "lookup_order", "refund_order", "search_kb" };
// "question|answer"; kQuestions[i] is answered by kDocs[i].
const char* const kQuestions[] = {
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
const char* const kDocs[] = {
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
const char* const kTasks[] = {
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
const char* const kChatModels[] = { "gpt-4o-mini", "gpt-4o-mini", "gpt-4o", "claude-3-5-haiku-20241022",
    "llama-3.1-8b-local" };
const char* const kAgentSystem = "You are Acme Shop's support agent. Use the tools to look up orders, refund "
                                 "up to $250 and search the help center. Be brief.";
const char* const kTools[] = { "lookup_order|Look up an order by id: status, items, total, shipping.",
    "refund_order|Refund all or part of an order.", "search_kb|Search the help-center knowledge base." };

QString str(const char* text)
{
    return QString::fromUtf8(text);
}

QStringList fields(const char* row)
{
    return str(row).split(u'|');
}

QString compact(const Obj& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

bool isClaude(const QString& model)
{
    return model.startsWith(u"claude");
}

// Numbers add, objects merge recursively: the SDKs' summary rollup.
void addNumbers(Obj& into, const Obj& from)
{
    for (auto it = from.begin(); it != from.end(); ++it) {
        if (it->isObject()) {
            Obj nested = into.value(it.key()).toObject();
            addNumbers(nested, it->toObject());
            into[it.key()] = nested;
        } else if (it->isDouble()) {
            into[it.key()] = into.value(it.key()).toInteger() + it->toInteger();
        }
    }
}

Obj usageEntry(const QString& model, int prompt, int completion)
{
    if (isClaude(model)) // Anthropic's keys, and no total_tokens
        return { { u"requests"_s, 1 }, { u"input_tokens"_s, prompt }, { u"output_tokens"_s, completion } };
    return { { u"requests"_s, 1 }, { u"prompt_tokens"_s, prompt }, { u"completion_tokens"_s, completion },
        { u"total_tokens"_s, prompt + completion } };
}

// An exception raised inside a traced op; it unwinds through the ancestors as it would in the SDK.
struct Raised
{
    QString message;
    Micros at;
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

Arr toolSchemas(bool claude)
{
    Arr tools;
    for (const char* row : kTools) {
        const QStringList tool = fields(row);
        const Obj schema { { u"type"_s, u"object"_s } };
        if (claude)
            tools.append(
                Obj { { u"name"_s, tool[0] }, { u"description"_s, tool[1] }, { u"input_schema"_s, schema } });
        else
            tools.append(Obj { { u"type"_s, u"function"_s },
                { u"function"_s,
                    Obj { { u"name"_s, tool[0] }, { u"description"_s, tool[1] },
                        { u"parameters"_s, schema } } } });
    }
    return tools;
}

Arr openAiToolCalls(const Completion& c)
{
    const Obj function { { u"name"_s, c.toolName }, { u"arguments"_s, compact(c.toolArgs) } };
    return { Obj { { u"id"_s, c.toolCallId }, { u"type"_s, u"function"_s }, { u"function"_s, function } } };
}

Arr anthropicContent(const Completion& c)
{
    Arr content;
    if (!c.reply.isEmpty())
        content.append(Obj { { u"type"_s, u"text"_s }, { u"text"_s, c.reply } });
    if (!c.toolName.isEmpty())
        content.append(Obj { { u"type"_s, u"tool_use"_s }, { u"id"_s, c.toolCallId },
            { u"name"_s, c.toolName }, { u"input"_s, c.toolArgs } });
    return content;
}

// The assistant's tool request and the tool's answer, appended to an agent's conversation.
void appendToolExchange(Arr& messages, const Completion& c, const Obj& result)
{
    if (isClaude(c.model)) {
        messages.append(Obj { { u"role"_s, u"assistant"_s }, { u"content"_s, anthropicContent(c) } });
        const Obj block { { u"type"_s, u"tool_result"_s }, { u"tool_use_id"_s, c.toolCallId },
            { u"content"_s, compact(result) } };
        messages.append(Obj { { u"role"_s, u"user"_s }, { u"content"_s, Arr { block } } });
    } else {
        messages.append(Obj { { u"role"_s, u"assistant"_s }, { u"content"_s, QJsonValue() },
            { u"tool_calls"_s, openAiToolCalls(c) } });
        messages.append(Obj { { u"role"_s, u"tool"_s }, { u"tool_call_id"_s, c.toolCallId },
            { u"content"_s, compact(result) } });
    }
}

// Op objects as the Python SDK saves them. The ref digest is that of the value as Python's
// json.dumps(sort_keys=True) prints it, so it matches what a Weave-compatible server answers.
QString opSource(const QString& name)
{
    return u"import weave\n\n@weave.op()\ndef %1(*args, **kwargs):\n    ...\n"_s.arg(name);
}

Obj opValue(const QString& name)
{
    const QString file = QString::fromStdString(weaveDigest(opSource(name).toStdString()));
    return { { u"_type"_s, u"CustomWeaveType"_s }, { u"files"_s, Obj { { u"obj.py"_s, file } } },
        { u"load_op"_s, QJsonValue() }, { u"weave_type"_s, Obj { { u"type"_s, u"Op"_s } } } };
}

QString opRef(const QString& project, const QString& name)
{
    const QString val =
        uR"({"_type": "CustomWeaveType", "files": {"obj.py": "%1"}, "load_op": null, )"
        uR"("weave_type": {"type": "Op"}})"_s.arg(opValue(name)[u"files"_s][u"obj.py"_s].toString());
    return u"weave:///%1/op/%2:%3"_s.arg(
        project, name, QString::fromStdString(weaveDigest(val.toStdString())));
}

class Generator
{
public:
    Generator(const QString& projectId, quint32 seed)
        : m_project(projectId)
        , m_rng(seed)
    {
    }
    QList<SampleRequest> build(const QDateTime& now, int traceCount);

private:
    int between(int low, int high)
    {
        return int(m_rng.bounded(low, high + 1));
    }
    bool chance(double p)
    {
        return m_rng.generateDouble() < p;
    }
    Micros ms(int low, int high)
    {
        return Micros(between(low, high)) * kMs;
    }
    template <std::size_t N> QString choose(const char* const (&items)[N])
    {
        return str(items[m_rng.bounded(int(N))]);
    }
    QString token(const QString& prefix, int length);
    QString uuid7(Micros at);

    int addSpan(int parent, const QString& op, Micros start, const Obj& inputs);
    template <typename Body>
    Micros traced(int parent, const QString& op, Micros start, const Obj& inputs, Body body);
    QString failureFor(const QString& model);
    Obj llmOutput(const Completion& c, int prompt, int completion, Micros start);
    Micros llmCall(int parent, Micros start, const Completion& c);
    Micros embed(int parent, Micros start, const QString& text);
    Micros vectorSearch(int parent, Micros start, int answerDoc, int topK, Arr& docs);
    Micros rerank(int parent, Micros start, const QString& question, const QString& answerId, Arr& docs);
    Micros generateAnswer(
        int parent, Micros start, const QStringList& qa, const Arr& docs, const QString& model, int failMode);
    void ragTrace(Micros start, bool failing);
    Scenario scenario(int kind, const QString& order);
    Micros agentStep(int root, Micros t, Completion& c, const Step& step, bool refundFails, QString& reply);
    void agentTrace(Micros start, bool failing);
    void chatTrace(Micros start, bool failing);
    void makeTrace(int kind, Micros start, bool failing);
    void makeRunning(Micros now);
    void summarise();
    Arr traceItems();
    Obj startItem(const Span& span) const;
    Obj endItem(const Span& span) const;

    QString m_project;
    QRandomGenerator m_rng;
    QStringList m_threads;
    Trace m_trace; // the trace being built
};

QString Generator::token(const QString& prefix, int length)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString out = prefix;
    for (int i = 0; i < length; ++i)
        out += QLatin1Char(alphabet[m_rng.bounded(int(sizeof alphabet - 1))]);
    return out;
}

// RFC 9562 v7 layout from the call's own start time, with seeded random bits.
QString Generator::uuid7(Micros at)
{
    const quint64 millis = quint64(at / kMs);
    const quint64 randA = m_rng.generate64();
    const quint64 randB = m_rng.generate64();
    return QString::asprintf("%08x-%04x-7%03x-%04x-%012llx", unsigned(millis >> 16),
        unsigned(millis & 0xFFFF), unsigned(randA & 0x0FFF), unsigned(0x8000 | (randB >> 50)),
        static_cast<unsigned long long>(randB & 0xFFFFFFFFFFFFULL));
}

int Generator::addSpan(int parent, const QString& op, Micros start, const Obj& inputs)
{
    Span span;
    span.parent = parent;
    span.op = op;
    span.start = start;
    span.inputs = inputs;
    m_trace.spans.append(span);
    return int(m_trace.spans.size() - 1);
}

// Runs `body(spanIndex, time)` as an op call; a Raised marks this span failed and propagates.
template <typename Body>
Micros Generator::traced(int parent, const QString& op, Micros start, const Obj& inputs, Body body)
{
    const int index = addSpan(parent, op, start, inputs);
    try {
        const Micros end = body(index, start + ms(1, 4)) + ms(1, 5);
        m_trace.spans[index].end = end;
        return end;
    } catch (Raised& raised) {
        raised.at += ms(1, 4);
        m_trace.spans[index].end = raised.at;
        m_trace.spans[index].exception = raised.message;
        throw;
    }
}

QString Generator::failureFor(const QString& model)
{
    if (isClaude(model) && chance(0.5))
        return u"OverloadedError: Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', "
               u"'message': 'Overloaded'}}"_s;
    if (chance(0.4))
        return u"TimeoutError: Request timed out after 20.0 seconds."_s;
    return u"RateLimitError: Rate limit reached for %1 in organization org-spindle on tokens per min (TPM): "
           u"Limit 30000, Used %2, Requested %3. Please try again in %4s."_s.arg(model)
               .arg(between(28000, 29900))
               .arg(between(900, 2600))
               .arg(between(500, 4000) / 1000.0);
}

Obj Generator::llmOutput(const Completion& c, int prompt, int completion, Micros start)
{
    if (isClaude(c.model))
        return { { u"id"_s, token(u"msg_01"_s, 22) }, { u"type"_s, u"message"_s },
            { u"role"_s, u"assistant"_s }, { u"model"_s, c.model }, { u"content"_s, anthropicContent(c) },
            { u"stop_reason"_s, c.toolName.isEmpty() ? u"end_turn"_s : u"tool_use"_s },
            { u"stop_sequence"_s, QJsonValue() },
            { u"usage"_s, Obj { { u"input_tokens"_s, prompt }, { u"output_tokens"_s, completion } } } };
    Obj message { { u"role"_s, u"assistant"_s },
        { u"content"_s, c.reply.isEmpty() ? QJsonValue() : QJsonValue(c.reply) },
        { u"refusal"_s, QJsonValue() } };
    if (!c.toolName.isEmpty())
        message[u"tool_calls"_s] = openAiToolCalls(c);
    const Obj choice { { u"index"_s, 0 }, { u"message"_s, message }, { u"logprobs"_s, QJsonValue() },
        { u"finish_reason"_s, c.toolName.isEmpty() ? u"stop"_s : u"tool_calls"_s } };
    Obj usage = usageEntry(c.model, prompt, completion);
    usage.remove(u"requests"_s);
    return { { u"id"_s, token(u"chatcmpl-"_s, 29) }, { u"object"_s, u"chat.completion"_s },
        { u"created"_s, start / kSec }, { u"model"_s, c.model }, { u"choices"_s, Arr { choice } },
        { u"usage"_s, usage }, { u"system_fingerprint"_s, token(u"fp_"_s, 10).toLower() } };
}

// One LLM integration call (a leaf); throws Raised when `c.failure` is set.
Micros Generator::llmCall(int parent, Micros start, const Completion& c)
{
    const bool claude = isClaude(c.model);
    Obj inputs { { u"model"_s, c.model }, { u"messages"_s, c.messages } };
    if (claude) {
        inputs[u"max_tokens"_s] = 1024;
        inputs[u"system"_s] = c.system;
    } else {
        Arr messages { Obj { { u"role"_s, u"system"_s }, { u"content"_s, c.system } } };
        for (const auto& message : c.messages)
            messages.append(message);
        inputs[u"messages"_s] = messages;
        inputs[u"temperature"_s] = 0.2;
    }
    if (c.withTools)
        inputs[u"tools"_s] = toolSchemas(claude);
    const int index = addSpan(
        parent, claude ? u"anthropic.Messages.create"_s : u"openai.chat.completions.create"_s, start, inputs);
    const int prompt = int(compact(inputs).size() / 4) + c.extraPromptTokens + between(8, 30);
    const int completion = int((c.reply.size() + compact(c.toolArgs).size()) / 4) + between(4, 60);
    Span& span = m_trace.spans[index];
    if (!c.failure.isEmpty()) {
        span.end = start + (c.failure.startsWith(u"Timeout") ? ms(19850, 20000) : ms(60, 400));
        span.exception = c.failure;
        throw Raised { c.failure, span.end };
    }
    const bool fast = c.model.endsWith(u"mini") || c.model.contains(u"haiku");
    const int perTokenMs = c.model.contains(u"local") ? between(40, 70)
        : fast                                        ? between(8, 16)
                                                      : between(15, 30);
    const Micros latency = (ms(200, 700) + Micros(completion) * perTokenMs * kMs) * (chance(0.06) ? 3 : 1);
    span.end = start + std::min(latency, 20 * kSec);
    span.output = llmOutput(c, prompt, completion, start);
    span.ownUsage = { { c.model, usageEntry(c.model, prompt, completion) } };
    return span.end;
}

Micros Generator::embed(int parent, Micros start, const QString& text)
{
    const QString model = u"text-embedding-3-small"_s;
    return traced(parent, u"embed_query"_s, start, { { u"text"_s, text } }, [&](int self, Micros t) {
        const int tokens = int(text.size() / 4) + 2;
        Arr preview;
        for (int i = 0; i < 8; ++i)
            preview.append(between(-900, 900) / 10000.0);
        const int leaf = addSpan(self, u"openai.embeddings.create"_s, t,
            { { u"model"_s, model }, { u"input"_s, text }, { u"encoding_format"_s, u"float"_s } });
        Span& call = m_trace.spans[leaf];
        call.end = t + ms(60, 280);
        const Obj data { { u"object"_s, u"embedding"_s }, { u"index"_s, 0 }, { u"embedding"_s, preview } };
        const Obj usage { { u"prompt_tokens"_s, tokens }, { u"total_tokens"_s, tokens } };
        call.output = Obj { { u"object"_s, u"list"_s }, { u"model"_s, model }, { u"data"_s, Arr { data } },
            { u"usage"_s, usage } };
        Obj entry = usage;
        entry[u"requests"_s] = 1;
        call.ownUsage = { { model, entry } };
        m_trace.spans[self].output = Obj { { u"dimensions"_s, 1536 }, { u"preview"_s, preview } };
        return call.end;
    });
}

Micros Generator::vectorSearch(int parent, Micros start, int answerDoc, int topK, Arr& docs)
{
    const Obj inputs { { u"query"_s, fields(kQuestions[answerDoc])[0] }, { u"index"_s, u"acme-docs-v3"_s },
        { u"top_k"_s, topK } };
    return traced(parent, u"vector_search"_s, start, inputs, [&](int self, Micros t) {
        QList<int> order { answerDoc };
        while (order.size() < topK) {
            const int doc = between(0, int(std::size(kDocs)) - 1);
            if (!order.contains(doc))
                order.append(doc);
        }
        if (chance(0.3))
            std::swap(order[0], order[1]); // the reranker fixes this
        double score = between(840, 930) / 1000.0;
        for (const int doc : order) {
            const QStringList row = fields(kDocs[doc]);
            docs.append(Obj {
                { u"id"_s, row[0] }, { u"title"_s, row[1] }, { u"text"_s, row[2] }, { u"score"_s, score } });
            score -= between(15, 70) / 1000.0;
        }
        m_trace.spans[self].output = docs;
        return t + ms(50, 450);
    });
}

Micros Generator::rerank(
    int parent, Micros start, const QString& question, const QString& answerId, Arr& docs)
{
    const Obj inputs { { u"query"_s, question }, { u"documents"_s, docs },
        { u"model"_s, u"rerank-english-v3.0"_s }, { u"top_n"_s, 3 } };
    return traced(parent, u"rerank"_s, start, inputs, [&](int self, Micros t) {
        QList<Obj> sorted;
        for (const auto& doc : docs)
            sorted.append(doc.toObject());
        if (sorted.size() > 1 && sorted[1][u"id"_s].toString() == answerId)
            std::swap(sorted[0], sorted[1]);
        Arr top;
        double relevance = between(880, 990) / 1000.0;
        for (int i = 0; i < std::min(3, int(sorted.size())); ++i) {
            sorted[i][u"relevance_score"_s] = relevance;
            relevance -= between(100, 350) / 1000.0;
            top.append(sorted[i]);
        }
        docs = top;
        m_trace.spans[self].output = top;
        return t + ms(80, 600);
    });
}

// failMode 1: the LLM call fails and the error propagates; 2: it fails once and is retried after a backoff.
Micros Generator::generateAnswer(
    int parent, Micros start, const QStringList& qa, const Arr& docs, const QString& model, int failMode)
{
    const Obj inputs { { u"question"_s, qa[0] }, { u"documents"_s, docs } };
    return traced(parent, u"generate_answer"_s, start, inputs, [&](int self, Micros t) {
        QString context;
        for (const auto& doc : docs)
            context += u"[%1] %2\n"_s.arg(doc[u"id"_s].toString(), doc[u"text"_s].toString());
        Completion c;
        c.model = model;
        c.system = u"You are Acme Cloud's documentation assistant. Answer from the context; cite doc ids."_s;
        c.messages = { Obj { { u"role"_s, u"user"_s },
            { u"content"_s, u"Context:\n%1\nQuestion: %2"_s.arg(context, qa[0]) } } };
        c.reply = qa[1];
        c.extraPromptTokens = between(300, 1800); // the full chunks, not just the previews above
        if (failMode == 2) {
            Completion failing = c;
            failing.failure = failureFor(model);
            try {
                t = llmCall(self, t, failing);
            } catch (const Raised& raised) {
                t = raised.at + ms(1000, 4000);
            }
        }
        c.failure = failMode == 1 ? failureFor(model) : QString();
        t = llmCall(self, t, c);
        m_trace.spans[self].output = c.reply;
        return t;
    });
}

void Generator::ragTrace(Micros start, bool failing)
{
    const int qaIndex = between(0, int(std::size(kQuestions)) - 1);
    const QStringList qa = fields(kQuestions[qaIndex]);
    const int topK = chance(0.5) ? 5 : (chance(0.5) ? 3 : 8);
    const QString model = chance(0.3) ? u"gpt-4o"_s : u"gpt-4o-mini"_s;
    const int failMode = failing ? between(1, 2) : 0;
    traced(-1, u"rag_query"_s, start, { { u"question"_s, qa[0] }, { u"top_k"_s, topK } },
        [&](int root, Micros t) {
            Arr docs;
            t = embed(root, t, qa[0]);
            t = vectorSearch(root, t, qaIndex, topK, docs);
            t = rerank(root, t, qa[0], fields(kDocs[qaIndex])[0], docs);
            t = generateAnswer(root, t, qa, docs, model, failMode);
            Arr sources;
            for (const auto& doc : docs)
                sources.append(doc[u"id"_s]);
            m_trace.spans[root].output = Obj { { u"answer"_s, qa[1] }, { u"sources"_s, sources } };
            return t;
        });
}

Scenario Generator::scenario(int kind, const QString& order)
{
    const double amount = between(1500, 24999) / 100.0;
    const Obj byId { { u"order_id"_s, order } };
    const Obj info { { u"order_id"_s, order }, { u"status"_s, u"shipped"_s }, { u"carrier"_s, u"UPS"_s },
        { u"eta"_s, u"Thursday"_s }, { u"total"_s, amount }, { u"currency"_s, u"USD"_s } };
    const Obj refund { { u"refund_id"_s, token(u"rf_"_s, 14) }, { u"status"_s, u"pending"_s },
        { u"amount"_s, amount } };
    const Obj refundArgs { { u"order_id"_s, order }, { u"amount"_s, amount },
        { u"reason"_s, kind == 1 ? u"duplicate charge"_s : u"arrived damaged"_s } };
    const auto kb = [](const QString& query, const QString& id, const QString& title) {
        const Obj article { { u"id"_s, id }, { u"title"_s, title } };
        return Step { u"search_kb"_s, { { u"query"_s, query } }, { { u"articles"_s, Arr { article } } } };
    };
    const QString money = QString::number(amount, 'f', 2);
    switch (kind) {
    case 0:
        return { u"Where is my order %1? It was due Monday."_s.arg(order),
            u"Order %1 shipped with UPS and is now due Thursday. Sorry for the delay!"_s.arg(order),
            { { u"lookup_order"_s, byId, info } } };
    case 1:
        return { u"I was charged twice for order %1, please refund one."_s.arg(order),
            u"Done: I refunded $%1 for the duplicate charge. It shows up in 5-10 business days."_s.arg(money),
            { { u"lookup_order"_s, byId, info }, { u"refund_order"_s, refundArgs, refund } } };
    case 2:
        return { u"How do I change the shipping address on an order?"_s,
            u"You can edit the address under Orders > Edit until the parcel ships."_s,
            { kb(u"change shipping address"_s, u"kb-0921"_s, u"Changing a shipping address"_s) } };
    default:
        return { u"My blender from order %1 arrived broken. Can I return it?"_s.arg(order),
            u"Sorry it arrived broken! I refunded the full $%1; no need to send it back."_s.arg(money),
            { { u"lookup_order"_s, byId, info }, kb(u"damaged item"_s, u"kb-0930"_s, u"Returns and damage"_s),
                { u"refund_order"_s, refundArgs, refund } } };
    }
}

// One agent turn: the LLM asks for a tool, the tool runs (a refund may time out; the agent recovers).
Micros Generator::agentStep(
    int root, Micros t, Completion& c, const Step& step, bool refundFails, QString& reply)
{
    c.toolName = step.tool;
    c.toolArgs = step.args;
    c.toolCallId = isClaude(c.model) ? token(u"toolu_01"_s, 22) : token(u"call_"_s, 24);
    c.reply = isClaude(c.model) ? u"Let me check that for you."_s : QString();
    t = llmCall(root, t, c) + ms(2, 20);
    Obj result = step.result;
    try {
        t = traced(root, step.tool, t, step.args, [&](int self, Micros at) {
            if (refundFails && step.tool == u"refund_order")
                throw Raised { u"TimeoutError: payments-api did not respond within 10.0s"_s, at + 10 * kSec };
            m_trace.spans[self].output = step.result;
            return at + (step.tool == u"refund_order" ? ms(300, 2500) : ms(50, 900));
        });
    } catch (const Raised& raised) {
        t = raised.at;
        result = { { u"error"_s, raised.message } };
        reply = u"Sorry, our payment system is not responding. A teammate will finish the refund and email "
                u"you within 24 hours."_s;
    }
    appendToolExchange(c.messages, c, result);
    return t + ms(2, 20);
}

// failing: a refund times out and the agent recovers (descendant_error), else the first LLM call fails.
void Generator::agentTrace(Micros start, bool failing)
{
    if (m_threads.isEmpty() || chance(0.6))
        m_threads.append(token(u"thread_"_s, 12));
    m_trace.threadId = m_threads[m_rng.bounded(int(m_threads.size()))];
    Scenario plan = scenario(between(0, 3), u"A-%1"_s.arg(between(10000, 99999)));
    const bool refundFails = failing && plan.steps.last().tool == u"refund_order";
    Completion c;
    c.model = chance(0.5) ? u"gpt-4o"_s : u"claude-3-5-sonnet-20241022"_s;
    c.system = str(kAgentSystem);
    c.withTools = true;
    c.messages = { Obj { { u"role"_s, u"user"_s }, { u"content"_s, plan.message } } };
    c.failure = failing && !refundFails ? failureFor(c.model) : QString();
    const Obj inputs { { u"message"_s, plan.message }, { u"thread_id"_s, m_trace.threadId } };
    traced(-1, u"support_agent"_s, start, inputs, [&](int root, Micros t) {
        for (const Step& step : plan.steps)
            t = agentStep(root, t, c, step, refundFails, plan.reply);
        c.toolName.clear();
        c.toolArgs = {};
        c.reply = plan.reply;
        t = llmCall(root, t, c);
        m_trace.spans[root].output =
            Obj { { u"reply"_s, plan.reply }, { u"tool_calls"_s, int(plan.steps.size()) } };
        return t;
    });
}

void Generator::chatTrace(Micros start, bool failing)
{
    const QStringList task = fields(kTasks[m_rng.bounded(int(std::size(kTasks)))]);
    Completion c;
    c.model = choose(kChatModels);
    c.system = task[1];
    c.messages = { Obj { { u"role"_s, u"user"_s }, { u"content"_s, task[2] } } };
    c.reply = task[3];
    c.failure = failing ? failureFor(c.model) : QString();
    if (chance(0.3))
        c.extraPromptTokens = between(500, 4000); // a long pasted document
    try {
        llmCall(-1, start, c);
    } catch (const Raised&) {
        // the root itself failed
    }
    if (chance(0.35))
        m_trace.spans.first().displayName = task[0];
}

void Generator::makeTrace(int kind, Micros start, bool failing)
{
    static const char* const apps[] = { "docs-assistant", "support-agent", "playground" };
    static const char* const tiers[] = { "free", "free", "pro", "pro", "enterprise" };
    m_trace = {};
    const Obj weave { { u"client_version"_s, u"spindle-sample"_s }, { u"source"_s, u"spindle"_s } };
    m_trace.attributes = { { u"weave"_s, weave }, { u"env"_s, chance(0.8) ? u"prod"_s : u"staging"_s },
        { u"user_tier"_s, choose(tiers) }, { u"app"_s, str(apps[kind]) } };
    try {
        if (kind == 0)
            ragTrace(start, failing);
        else if (kind == 1)
            agentTrace(start, failing);
        else
            chatTrace(start, failing);
    } catch (const Raised&) {
        // the root failed; its span carries the exception
    }
}

// Cuts the finished trace part-way through and moves the cut to just before `now`: calls after it are
// dropped, calls spanning it lose their end.
void Generator::makeRunning(Micros now)
{
    const Span& root = m_trace.spans.first();
    const Micros cut = root.start + (root.end - root.start) * between(40, 85) / 100;
    const Micros delta = now - ms(300, 3000) - cut;
    for (Span& span : m_trace.spans) {
        span.dropped = span.start > cut;
        if (span.end > cut) {
            span.end = -1;
            span.output = QJsonValue();
            span.ownUsage = {};
        }
        span.start += delta;
        span.end += span.end >= 0 ? delta : 0;
        if (Obj output = span.output.toObject(); output.contains(u"created"_s)) {
            output[u"created"_s] = output[u"created"_s].toInteger() + delta / kSec;
            span.output = output;
        }
    }
}

// The SDK rollup: a finished call's summary.usage is its own plus its children's, and status_counts
// (self plus descendants) is written where something in the subtree failed.
void Generator::summarise()
{
    const int n = int(m_trace.spans.size());
    QList<Obj> usage(n);
    QList<int> ok(n, 0), failed(n, 0);
    for (int i = n - 1; i >= 0; --i) {
        Span& span = m_trace.spans[i];
        if (span.dropped || span.end < 0)
            continue;
        addNumbers(usage[i], span.ownUsage);
        (span.exception.isEmpty() ? ok[i] : failed[i]) += 1;
        if (!usage[i].isEmpty())
            span.summary[u"usage"_s] = usage[i];
        if (failed[i] > 0)
            span.summary[u"status_counts"_s] = Obj { { u"success"_s, ok[i] }, { u"error"_s, failed[i] } };
        if (span.parent >= 0) {
            addNumbers(usage[span.parent], usage[i]);
            ok[span.parent] += ok[i];
            failed[span.parent] += failed[i];
        }
    }
}

Obj Generator::startItem(const Span& span) const
{
    Obj start { { u"project_id"_s, m_project }, { u"id"_s, span.id }, { u"trace_id"_s, m_trace.traceId },
        { u"op_name"_s, opRef(m_project, span.op) },
        { u"started_at"_s, QString::fromStdString(formatIsoTime(span.start)) },
        { u"attributes"_s, m_trace.attributes }, { u"inputs"_s, span.inputs } };
    if (span.parent >= 0)
        start[u"parent_id"_s] = m_trace.spans[span.parent].id;
    if (!span.displayName.isEmpty())
        start[u"display_name"_s] = span.displayName;
    if (!m_trace.threadId.isEmpty()) {
        start[u"thread_id"_s] = m_trace.threadId;
        start[u"turn_id"_s] = m_trace.spans.first().id;
    }
    return { { u"mode"_s, u"start"_s }, { u"req"_s, Obj { { u"start"_s, start } } } };
}

Obj Generator::endItem(const Span& span) const
{
    Obj end { { u"project_id"_s, m_project }, { u"id"_s, span.id },
        { u"ended_at"_s, QString::fromStdString(formatIsoTime(span.end)) }, { u"output"_s, span.output },
        { u"summary"_s, span.summary } };
    if (!span.exception.isEmpty())
        end[u"exception"_s] = span.exception;
    return { { u"mode"_s, u"end"_s }, { u"req"_s, Obj { { u"end"_s, end } } } };
}

// Assigns time-based ids, then emits start and end items in time order. Every call lasts at least 1 ms,
// so sorting ends before starts on ties keeps each start before its own end.
Arr Generator::traceItems()
{
    m_trace.traceId = uuid7(m_trace.spans.first().start);
    QList<std::tuple<Micros, int, int>> events; // time, 0 = end / 1 = start, span index
    for (int i = 0; i < int(m_trace.spans.size()); ++i) {
        Span& span = m_trace.spans[i];
        span.id = uuid7(span.start);
        if (!span.dropped)
            events.append({ span.start, 1, i });
        if (!span.dropped && span.end >= 0)
            events.append({ span.end, 0, i });
    }
    std::sort(events.begin(), events.end());
    Arr items;
    for (const auto& [at, isStart, index] : events)
        items.append(isStart ? startItem(m_trace.spans[index]) : endItem(m_trace.spans[index]));
    return items;
}

// Finished traces start over the last ~6 hours and the newest few are still running; each trace's items
// stay in one batch. Kinds: 0 RAG, 1 agent, 2 standalone chat; about one finished trace in ten fails.
QList<SampleRequest> Generator::build(const QDateTime& now, int traceCount)
{
    QList<SampleRequest> requests;
    for (const char* op : kOps) {
        // The op's source file first (uploaded as multipart by the loader), then the op object.
        requests.append({ u"/file/create"_s,
            Obj { { u"project_id"_s, m_project }, { u"content"_s, opSource(str(op)) } } });
        const Obj obj { { u"project_id"_s, m_project }, { u"object_id"_s, str(op) },
            { u"val"_s, opValue(str(op)) } };
        requests.append({ u"/obj/create"_s, Obj { { u"obj"_s, obj } } });
    }
    const Micros nowMicros = now.toMSecsSinceEpoch() * kMs;
    const int running = std::min(3, traceCount / 4);
    QList<Micros> starts;
    for (int i = 0; i < traceCount - running; ++i)
        starts.append(nowMicros - Micros(between(240, 6 * 3600)) * kSec - ms(0, 999));
    std::sort(starts.begin(), starts.end());
    Arr batch;
    for (int i = 0; i < traceCount; ++i) {
        const bool isRunning = i >= starts.size();
        const int roll = between(0, 99);
        const int kind = isRunning ? int(i - starts.size()) % 3 : (roll < 35 ? 0 : roll < 65 ? 1 : 2);
        makeTrace(kind, isRunning ? nowMicros - 3600 * kSec : starts[i], !isRunning && i % 10 == 4);
        if (isRunning)
            makeRunning(nowMicros);
        summarise();
        const Arr items = traceItems();
        if (!batch.isEmpty() && batch.size() + items.size() > kMaxBatchItems)
            requests.append({ u"/call/upsert_batch"_s, Obj { { u"batch"_s, std::exchange(batch, {}) } } });
        for (const auto& item : items)
            batch.append(item);
    }
    if (!batch.isEmpty())
        requests.append({ u"/call/upsert_batch"_s, Obj { { u"batch"_s, batch } } });
    return requests;
}

} // namespace

QList<SampleRequest> buildSampleData(
    const QString& projectId, const QDateTime& now, int traceCount, quint32 seed)
{
    return Generator(projectId, seed).build(now, traceCount);
}

} // namespace spindle::app
