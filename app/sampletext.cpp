#include "app/sampletext.h"

#include "core/digest.h"
#include "core/timeformat.h"

#include <QJsonDocument>

namespace spindle::app::sample {

using namespace Qt::StringLiterals;

namespace {

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

} // namespace

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

Obj usageEntry(const QString& model, int prompt, int completion)
{
    if (isClaude(model)) // Anthropic's keys, and no total_tokens
        return { { u"requests"_s, 1 }, { u"input_tokens"_s, prompt }, { u"output_tokens"_s, completion } };
    return { { u"requests"_s, 1 }, { u"prompt_tokens"_s, prompt }, { u"completion_tokens"_s, completion },
        { u"total_tokens"_s, prompt + completion } };
}

void rollUpSummaries(Trace& trace)
{
    const int n = int(trace.spans.size());
    QList<Obj> usage(n);
    QList<int> ok(n, 0), failed(n, 0);
    for (int i = n - 1; i >= 0; --i) {
        Span& span = trace.spans[i];
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

Obj embeddingResponse(const QString& model, const Arr& embedding, int tokens)
{
    const Obj data { { u"object"_s, u"embedding"_s }, { u"index"_s, 0 }, { u"embedding"_s, embedding } };
    const Obj usage { { u"prompt_tokens"_s, tokens }, { u"total_tokens"_s, tokens } };
    return { { u"object"_s, u"list"_s }, { u"model"_s, model }, { u"data"_s, Arr { data } },
        { u"usage"_s, usage } };
}

Obj embeddingUsage(const QString& model, int tokens)
{
    const Obj entry { { u"prompt_tokens"_s, tokens }, { u"total_tokens"_s, tokens }, { u"requests"_s, 1 } };
    return { { model, entry } };
}

Obj llmRequest(const Completion& c)
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
    return inputs;
}

Obj anthropicMessage(const Completion& c, int prompt, int completion, const QString& id)
{
    return { { u"id"_s, id }, { u"type"_s, u"message"_s }, { u"role"_s, u"assistant"_s },
        { u"model"_s, c.model }, { u"content"_s, anthropicContent(c) },
        { u"stop_reason"_s, c.toolName.isEmpty() ? u"end_turn"_s : u"tool_use"_s },
        { u"stop_sequence"_s, QJsonValue() },
        { u"usage"_s, Obj { { u"input_tokens"_s, prompt }, { u"output_tokens"_s, completion } } } };
}

Obj openAiCompletion(const Completion& c, int prompt, int completion, qint64 createdSeconds,
    const QString& id, const QString& fingerprint)
{
    Obj message { { u"role"_s, u"assistant"_s },
        { u"content"_s, c.reply.isEmpty() ? QJsonValue() : QJsonValue(c.reply) },
        { u"refusal"_s, QJsonValue() } };
    if (!c.toolName.isEmpty())
        message[u"tool_calls"_s] = openAiToolCalls(c);
    const Obj choice { { u"index"_s, 0 }, { u"message"_s, message }, { u"logprobs"_s, QJsonValue() },
        { u"finish_reason"_s, c.toolName.isEmpty() ? u"stop"_s : u"tool_calls"_s } };
    Obj usage = usageEntry(c.model, prompt, completion);
    usage.remove(u"requests"_s);
    return { { u"id"_s, id }, { u"object"_s, u"chat.completion"_s }, { u"created"_s, createdSeconds },
        { u"model"_s, c.model }, { u"choices"_s, Arr { choice } }, { u"usage"_s, usage },
        { u"system_fingerprint"_s, fingerprint } };
}

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

Scenario supportScenario(int kind, const QString& order, double amount, const QString& refundId)
{
    const Obj byId { { u"order_id"_s, order } };
    const Obj info { { u"order_id"_s, order }, { u"status"_s, u"shipped"_s }, { u"carrier"_s, u"UPS"_s },
        { u"eta"_s, u"Thursday"_s }, { u"total"_s, amount }, { u"currency"_s, u"USD"_s } };
    const Obj refund { { u"refund_id"_s, refundId }, { u"status"_s, u"pending"_s }, { u"amount"_s, amount } };
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

// The ref digest is that of the op value as Python's json.dumps(sort_keys=True) prints it, so it
// matches what a Weave-compatible server answers.
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

Obj callStartItem(const QString& project, const Trace& trace, const Span& span)
{
    Obj start { { u"project_id"_s, project }, { u"id"_s, span.id }, { u"trace_id"_s, trace.traceId },
        { u"op_name"_s, opRef(project, span.op) },
        { u"started_at"_s, QString::fromStdString(formatIsoTime(span.start)) },
        { u"attributes"_s, trace.attributes }, { u"inputs"_s, span.inputs } };
    if (span.parent >= 0)
        start[u"parent_id"_s] = trace.spans[span.parent].id;
    if (!span.displayName.isEmpty())
        start[u"display_name"_s] = span.displayName;
    if (!trace.threadId.isEmpty()) {
        start[u"thread_id"_s] = trace.threadId;
        start[u"turn_id"_s] = trace.spans.first().id;
    }
    return { { u"mode"_s, u"start"_s }, { u"req"_s, Obj { { u"start"_s, start } } } };
}

Obj callEndItem(const QString& project, const Span& span)
{
    Obj end { { u"project_id"_s, project }, { u"id"_s, span.id },
        { u"ended_at"_s, QString::fromStdString(formatIsoTime(span.end)) }, { u"output"_s, span.output },
        { u"summary"_s, span.summary } };
    if (!span.exception.isEmpty())
        end[u"exception"_s] = span.exception;
    return { { u"mode"_s, u"end"_s }, { u"req"_s, Obj { { u"end"_s, end } } } };
}

} // namespace spindle::app::sample
