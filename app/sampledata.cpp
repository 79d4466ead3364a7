// Sample traces shaped like what the Weave SDKs send. Each trace is built in memory as a tree of spans
// (times in microseconds), usage is rolled up the tree the way the SDKs do it, ids are assigned, and the
// start/end items are emitted in time order into /call/upsert_batch bodies.
#include "app/sampledata.h"

#include "app/sampletext.h"

#include <QRandomGenerator>

#include <algorithm>
#include <tuple>
#include <utility>

namespace spindle::app {

using namespace Qt::StringLiterals;

namespace {

using namespace sample;

constexpr int kMaxBatchItems = 500;

// An exception raised inside a traced op; it unwinds through the ancestors as it would in the SDK.
struct Raised
{
    QString message;
    Micros at;
};

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
    Arr traceItems();

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

// The response's ids are drawn in the order the SDK payload lists them.
Obj Generator::llmOutput(const Completion& c, int prompt, int completion, Micros start)
{
    if (isClaude(c.model))
        return anthropicMessage(c, prompt, completion, token(u"msg_01"_s, 22));
    const QString id = token(u"chatcmpl-"_s, 29);
    const QString fingerprint = token(u"fp_"_s, 10).toLower();
    return openAiCompletion(c, prompt, completion, start / kSec, id, fingerprint);
}

// One LLM integration call (a leaf); throws Raised when `c.failure` is set.
Micros Generator::llmCall(int parent, Micros start, const Completion& c)
{
    const bool claude = isClaude(c.model);
    const Obj inputs = llmRequest(c);
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
        call.output = embeddingResponse(model, preview, tokens);
        call.ownUsage = embeddingUsage(model, tokens);
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
    const QString refundId = token(u"rf_"_s, 14);
    return supportScenario(kind, order, amount, refundId);
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
    m_trace = {};
    const Obj weave { { u"client_version"_s, kSampleClientVersion }, { u"source"_s, u"spindle"_s } };
    m_trace.attributes = { { u"weave"_s, weave }, { u"env"_s, chance(0.8) ? u"prod"_s : u"staging"_s },
        { u"user_tier"_s, choose(kUserTiers) }, { u"app"_s, str(kApps[kind]) } };
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
        items.append(isStart ? callStartItem(m_project, m_trace, m_trace.spans[index])
                             : callEndItem(m_project, m_trace.spans[index]));
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
        rollUpSummaries(m_trace);
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
