// A small traced application that uses the real weave TS SDK (0.11.1) and the
// real `openai` client. Run it as a child process:
//
//   WF_TRACE_SERVER_URL=http://127.0.0.1:<port> WANDB_API_KEY=anything \
//   E2E_PROJECT=e2e-entity/<project> OPENAI_FIXTURE_URL=http://127.0.0.1:<port> \
//   node trace-app.mjs
//
// It prints one line `E2E_RESULT <json>` describing what it did (ids of a few
// calls, the op sources) and exits 0 once every call has been flushed.
//
// Traces produced (18 calls, 5 roots):
//   1. pipeline (root, succeeds; attributes tenant/request_id)
//        retrieve                 (extra attribute stage=retrieval)
//        score_doc x3             (run in parallel with Promise.all)
//        chat -> openai.chat.completions.create           (non-streaming LLM)
//        chat_stream -> openai.chat.completions.create    (streaming LLM)
//        flaky_tool               (throws; the root catches it)
//        summarize                (display name from callDisplayName)
//   2. failing_pipeline (root, fails with the child's error)
//        validate_input
//        charge_card              (throws)
//   3. rename_me (root; renamed after it finished via call.setDisplayName -> /call/update)
//   4. openai.chat.completions.create (root; an LLM call outside any op)
//   5. auth_probe (root, succeeds)
//        openai.chat.completions.create (fails: 401 from the fixture, caught)

import * as weave from 'weave';
import OpenAI from 'openai';
import { INVALID_API_KEY } from './openai-fixture.mjs';

export const MODEL = 'gpt-4o-mini';
export { INVALID_API_KEY };

export const PROMPTS = {
  chat: [
    { role: 'system', content: 'You are a terse assistant.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
  chat_stream: [{ role: 'user', content: 'Stream me a short greeting please' }],
  direct: [{ role: 'user', content: 'Say hi' }],
  auth_probe: [{ role: 'user', content: 'This request should be rejected' }],
};

export const FLAKY_ERROR = 'tool exploded: x=42';
export const CHARGE_ERROR = 'card declined: insufficient funds (order 7)';
export const RENAMED = 'renamed via setDisplayName';
export const ATTRS_ROOT = { tenant: 'acme', request_id: 'req-0001' };
export const ATTRS_RETRIEVE = { stage: 'retrieval' };
export const DOCS = ['doc-a', 'doc-b', 'doc-c'];

const sleep = ms => new Promise(r => setTimeout(r, ms));

let openai = null; // wrapped client, set in main()
let badOpenai = null; // wrapped client with a key the fixture rejects

// ---- ops -------------------------------------------------------------------

async function retrieve(query) {
  await sleep(5);
  return { query, docs: DOCS };
}

async function score_doc(doc) {
  // Long enough that the three parallel calls overlap in time.
  await sleep(40);
  return { doc, score: doc.length };
}

async function chat(question) {
  const res = await openai.chat.completions.create({ model: MODEL, messages: PROMPTS.chat });
  return res.choices[0].message.content;
}

async function chat_stream(topic) {
  const stream = await openai.chat.completions.create({
    model: MODEL,
    messages: PROMPTS.chat_stream,
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) {
    text += chunk.choices?.[0]?.delta?.content ?? '';
  }
  return { topic, text };
}

async function flaky_tool(x) {
  await sleep(1);
  throw new Error(FLAKY_ERROR);
}

async function summarize(text) {
  return `summary(${text.length})`;
}

async function pipeline(question) {
  const r = await weave.withAttributes(ATTRS_RETRIEVE, () => retrieveOp(question));
  const scores = await Promise.all(r.docs.map(d => scoreDocOp(d)));
  const answer = await chatOp(question);
  const streamed = await chatStreamOp('greeting');
  let toolError = null;
  try {
    await flakyToolOp(42);
  } catch (e) {
    toolError = e.message;
  }
  const summary = await summarizeOp(answer);
  return { answer, streamed: streamed.text, scores: scores.map(s => s.score), toolError, summary };
}

async function validate_input(orderId) {
  return { orderId, ok: true };
}

async function charge_card(amount) {
  await sleep(1);
  throw new Error(CHARGE_ERROR);
}

async function failing_pipeline(orderId) {
  await validateInputOp(orderId);
  await chargeCardOp(19.99);
  return 'unreachable';
}

async function rename_me(n) {
  return n * 2;
}

async function auth_probe() {
  try {
    await badOpenai.chat.completions.create({ model: MODEL, messages: PROMPTS.auth_probe });
    return { rejected: false };
  } catch (e) {
    return { rejected: true, status: e.status ?? null };
  }
}

export const retrieveOp = weave.op(retrieve);
export const scoreDocOp = weave.op(score_doc);
export const chatOp = weave.op(chat);
export const chatStreamOp = weave.op(chat_stream);
export const flakyToolOp = weave.op(flaky_tool);
export const summarizeOp = weave.op(summarize, {
  callDisplayName: text => `Summary of ${text.length} chars`,
});
export const pipelineOp = weave.op(pipeline, { parameterNames: ['question'] });
export const validateInputOp = weave.op(validate_input);
export const chargeCardOp = weave.op(charge_card);
export const failingPipelineOp = weave.op(failing_pipeline);
export const renameMeOp = weave.op(rename_me);
export const authProbeOp = weave.op(auth_probe);

/** The plain functions behind the ops, keyed by op name (their source is what the SDK uploads). */
export const OP_FUNCTIONS = {
  pipeline,
  retrieve,
  score_doc,
  chat,
  chat_stream,
  flaky_tool,
  summarize,
  failing_pipeline,
  validate_input,
  charge_card,
  rename_me,
  auth_probe,
};

// ---- main ------------------------------------------------------------------

export async function main() {
  const project = process.env.E2E_PROJECT;
  const fixtureUrl = process.env.OPENAI_FIXTURE_URL;
  if (!project || !fixtureUrl || !process.env.WF_TRACE_SERVER_URL) {
    throw new Error('E2E_PROJECT, OPENAI_FIXTURE_URL and WF_TRACE_SERVER_URL must be set');
  }
  const client = await weave.init(project, { printCallLink: false });
  openai = weave.wrapOpenAI(new OpenAI({ baseURL: `${fixtureUrl}/v1`, apiKey: 'test', maxRetries: 0 }));
  badOpenai = weave.wrapOpenAI(
    new OpenAI({ baseURL: `${fixtureUrl}/v1`, apiKey: INVALID_API_KEY, maxRetries: 0 }),
  );

  // 1. the main pipeline, with attributes on the whole trace.
  const pipelineResult = await weave.withAttributes(ATTRS_ROOT, () =>
    pipelineOp('What is the capital of France?'),
  );

  // 2. a root that fails.
  let failingError = null;
  try {
    await failingPipelineOp(7);
  } catch (e) {
    failingError = e.message;
  }

  // 3. a call renamed after it finished: setDisplayName -> POST /call/update.
  //    Flush first so the call exists on the server before it is updated.
  const [renameResult, renameCall] = await renameMeOp.invoke(21);
  const renameCallId = renameCall.id;
  await client.waitForBatchProcessing();
  await renameCall.setDisplayName(RENAMED);

  // 4. an LLM call that is itself a root.
  const direct = await openai.chat.completions.create({ model: MODEL, messages: PROMPTS.direct });

  // 5. an LLM call rejected by the provider (401), caught inside an op.
  const probe = await authProbeOp();

  await client.waitForBatchProcessing();

  const result = {
    project: client.projectId,
    pipelineResult,
    failingError,
    renameResult,
    renameCallId,
    directContent: direct.choices[0].message.content,
    probe,
    opSources: Object.fromEntries(Object.entries(OP_FUNCTIONS).map(([k, fn]) => [k, fn.toString()])),
  };
  process.stdout.write(`E2E_RESULT ${JSON.stringify(result)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    err => {
      console.error('trace-app failed:', err);
      process.exit(1);
    },
  );
}
