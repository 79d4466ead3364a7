// End-to-end test: the real weave TS SDK (npm weave 0.11.1) and the real
// `openai` client trace into spindle-server; the test then reads everything
// back over the trace-server HTTP protocol and checks it.
//
// Run:  cd tests/e2e && SPINDLE_SERVER=/abs/path/to/spindle-server node --test

import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startOpenAIFixture, usageFor, replyFor, INVALID_API_KEY } from './openai-fixture.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The server's default prices: shared/data/llm-prices.json (beside the repo),
// else the copy the server ships in resources/; SPINDLE_PRICES_JSON overrides.
const PRICE_FILES = [
  process.env.SPINDLE_PRICES_JSON,
  path.resolve(HERE, '../../../shared/data/llm-prices.json'),
  path.resolve(HERE, '../../resources/llm-prices.json'),
].filter(Boolean);

// Must stay in sync with trace-app.mjs (kept as literals here on purpose, so a
// change of the app is a visible change of the test's expectations).
const ENTITY = 'e2e-entity';
const MODEL = 'gpt-4o-mini';
const LLM_OP = 'openai.chat.completions.create';
const PROMPTS = {
  chat: [
    { role: 'system', content: 'You are a terse assistant.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
  chat_stream: [{ role: 'user', content: 'Stream me a short greeting please' }],
  direct: [{ role: 'user', content: 'Say hi' }],
  auth_probe: [{ role: 'user', content: 'This request should be rejected' }],
};
const FLAKY_ERROR = 'tool exploded: x=42';
const CHARGE_ERROR = 'card declined: insufficient funds (order 7)';
const RENAMED = 'renamed via setDisplayName';
const QUESTION = 'What is the capital of France?';

const STARTUP_TIMEOUT_MS = 15_000;
const APP_TIMEOUT_MS = 40_000;
const API_KEY = 'e2e-dummy-key';
const AUTH = `Basic ${Buffer.from(`api:${API_KEY}`).toString('base64')}`;

// ---- shared state ----------------------------------------------------------

let tmpDir = null;
let dataDir = null;
let server = null; // {proc, url, stderr(): string}
let fixture = null;
let project = null; // "e2e-entity/<unique>"
let app = null; // parsed E2E_RESULT
let appStderr = '';
let calls = []; // every call of the project, include_costs: true
let byId = new Map();

// ---- helpers ---------------------------------------------------------------

function startServer(bin, dataDir) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let done = false;
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn(v);
    };
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      finish(
        reject,
        new Error(
          `spindle-server did not print its listening line within ${STARTUP_TIMEOUT_MS} ms.\nstdout: ${out}\nstderr: ${err}`,
        ),
      );
    }, STARTUP_TIMEOUT_MS);
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', d => (err += d));
    proc.stdout.on('data', d => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const first = out.slice(0, nl).replace(/\r$/, '');
      const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(first);
      if (!m) {
        proc.kill('SIGKILL');
        return finish(
          reject,
          new Error(`unexpected first stdout line from spindle-server: ${JSON.stringify(first)}`),
        );
      }
      finish(resolve, { proc, url: m[1], port: Number(m[2]), stderr: () => err });
    });
    proc.on('error', e => finish(reject, new Error(`cannot start ${bin}: ${e.message}`)));
    proc.on('exit', (code, sig) =>
      finish(
        reject,
        new Error(
          `spindle-server exited early (code ${code}, signal ${sig}).\nstdout: ${out}\nstderr: ${err}`,
        ),
      ),
    );
  });
}

/** SIGTERM, then SIGKILL after `ms`. Resolves {code, signal, killed} (killed: SIGKILL was needed). */
function stopProcess(proc, ms = 5000) {
  if (!proc) return Promise.resolve(null);
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode, killed: false });
  }
  return new Promise(resolve => {
    let killed = false;
    const t = setTimeout(() => {
      killed = true;
      proc.kill('SIGKILL');
    }, ms);
    proc.once('exit', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, killed });
    });
    proc.kill('SIGTERM');
  });
}

function runTraceApp(env, cwd) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(HERE, 'trace-app.mjs')], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', d => (out += d));
    proc.stderr.on('data', d => (err += d));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(
        new Error(
          `trace-app did not finish within ${APP_TIMEOUT_MS} ms (SDK uploads stuck?).\nstdout: ${out}\nstderr: ${err}`,
        ),
      );
    }, APP_TIMEOUT_MS);
    proc.on('exit', code => {
      clearTimeout(timer);
      if (code !== 0)
        return reject(new Error(`trace-app exited with ${code}.\nstdout: ${out}\nstderr: ${err}`));
      const line = out.split('\n').find(l => l.startsWith('E2E_RESULT '));
      if (!line)
        return reject(new Error(`trace-app printed no E2E_RESULT line.\nstdout: ${out}\nstderr: ${err}`));
      resolve({ result: JSON.parse(line.slice('E2E_RESULT '.length)), stdout: out, stderr: err });
    });
  });
}

async function post(route, body) {
  const res = await fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: AUTH },
    body: JSON.stringify(body),
  });
  const buf = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    contentType: res.headers.get('content-type') || '',
    buf,
    text: buf.toString('utf8'),
  };
}

async function postJson(route, body) {
  const r = await post(route, body);
  assert.equal(r.status, 200, `POST ${route} ${JSON.stringify(body)} -> ${r.status}: ${r.text}`);
  return JSON.parse(r.text);
}

function parseJsonl(text) {
  return text
    .split('\n')
    .filter(l => l.trim() !== '')
    .map(l => JSON.parse(l));
}

async function streamQuery(body) {
  const r = await post('/calls/stream_query', { project_id: project, ...body });
  assert.equal(r.status, 200, `stream_query ${JSON.stringify(body)} -> ${r.status}: ${r.text}`);
  return parseJsonl(r.text);
}

async function queryStats(body) {
  return postJson('/calls/query_stats', { project_id: project, ...body });
}

/** The SDK's / Weave's digest: sha256 -> base64url, '-'->'X', '_'->'Y', no padding. */
function weaveDigest(data) {
  return crypto
    .createHash('sha256')
    .update(data)
    .digest('base64url')
    .replace(/-/g, 'X')
    .replace(/_/g, 'Y')
    .replace(/=/g, '');
}

/** Python json.dumps (default separators) for plain JSON made of strings/objects/arrays/ints. */
function pyDumps(v, sortKeys) {
  if (v === null) return 'null';
  if (typeof v === 'string')
    return JSON.stringify(v).replace(
      /[\u007f-\uffff]/g,
      c => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
    );
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return '[' + v.map(x => pyDumps(x, sortKeys)).join(', ') + ']';
  const keys = Object.keys(v);
  if (sortKeys) keys.sort();
  return '{' + keys.map(k => pyDumps(k, sortKeys) + ': ' + pyDumps(v[k], sortKeys)).join(', ') + '}';
}

function opNameOf(call) {
  const m = /^weave:\/\/\/[^/]+\/[^/]+\/op\/([^:]+):/.exec(call.op_name);
  return m ? m[1] : call.op_name;
}

function callsOf(name) {
  return calls.filter(c => opNameOf(c) === name);
}

function only(name) {
  const list = callsOf(name);
  assert.equal(list.length, 1, `expected exactly one call of ${name}, got ${list.length}`);
  return list[0];
}

function childrenOf(call) {
  return calls.filter(c => c.parent_id === call.id);
}

function sortedNames(list) {
  return list.map(opNameOf).sort();
}

function loadPrices() {
  const p = PRICE_FILES.find(f => fs.existsSync(f));
  assert.ok(p, `no price file among ${PRICE_FILES.join(', ')}`);
  return JSON.parse(fs.readFileSync(p, 'utf8'));
}

/** Default price rule: the newest point whose created_at (UTC) is not after the call's start. */
function expectedPrice(prices, model, startedAt) {
  const points = prices[model];
  assert.ok(points && points.length, `no default price for ${model}`);
  const start = Date.parse(startedAt);
  const at = p => Date.parse(p.created_at.replace(' ', 'T') + 'Z');
  const eligible = points.filter(p => at(p) <= start).sort((a, b) => at(b) - at(a));
  if (eligible.length) return eligible[0];
  // No point effective yet: the protocol still uses the latest one.
  return [...points].sort((a, b) => at(b) - at(a))[0];
}

function assertClose(actual, expected, what) {
  assert.equal(typeof actual, 'number', `${what}: expected a number, got ${JSON.stringify(actual)}`);
  const tol = Math.max(Math.abs(expected) * 1e-9, 1e-15);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected}, got ${actual}`);
}

/** The summary.usage entry the TS SDK writes for one LLM call: {requests: 1, ...usage}. */
function llmUsage(messages) {
  return { requests: 1, ...usageFor(messages) };
}

/** Numeric deep sum (the SDK's mergeSummaries for numbers and objects). */
function addUsage(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (typeof v === 'number' && typeof out[k] === 'number') out[k] += v;
    else if (v && typeof v === 'object' && out[k] && typeof out[k] === 'object') out[k] = addUsage(out[k], v);
    else if (!(k in out)) out[k] = v;
  }
  return out;
}

// ---- lifecycle -------------------------------------------------------------

function serverBinError() {
  const bin = process.env.SPINDLE_SERVER;
  if (!bin) {
    return 'SPINDLE_SERVER is not set. Run from tests/e2e: SPINDLE_SERVER=/absolute/path/to/spindle-server node --test';
  }
  if (!path.isAbsolute(bin)) return `SPINDLE_SERVER must be an absolute path, got ${JSON.stringify(bin)}`;
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    return `SPINDLE_SERVER=${bin} does not exist or is not executable`;
  }
  return null;
}

function setUp() {
  before(
    async () => {
      const bin = process.env.SPINDLE_SERVER;
      tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spindle-e2e-'));
      dataDir = path.join(tmpDir, 'data');
      const appCwd = path.join(tmpDir, 'app');
      fs.mkdirSync(dataDir);
      fs.mkdirSync(appCwd);

      server = await startServer(bin, dataDir);
      fixture = await startOpenAIFixture();
      project = `${ENTITY}/sdk-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;

      const env = { ...process.env };
      for (const k of Object.keys(env)) {
        if (/^(WANDB_|WF_|WEAVE_|OPENAI_)/.test(k)) delete env[k];
      }
      Object.assign(env, {
        HOME: appCwd, // no ~/.netrc or ~/.config/wandb from the developer's machine
        WANDB_API_KEY: API_KEY,
        WF_TRACE_SERVER_URL: server.url,
        WEAVE_PRINT_CALL_LINK: 'false',
        E2E_PROJECT: project,
        OPENAI_FIXTURE_URL: fixture.url,
      });
      const run = await runTraceApp(env, appCwd);
      app = run.result;
      appStderr = run.stderr;

      calls = await streamQuery({ include_costs: true });
      byId = new Map(calls.map(c => [c.id, c]));
    },
    { timeout: 55_000 },
  );

  after(async () => {
    await stopProcess(server?.proc);
    await fixture?.close();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });
}

// ---- tests -----------------------------------------------------------------

const BIN_ERROR = serverBinError();
if (BIN_ERROR) {
  test('SPINDLE_SERVER names the spindle-server binary', () => {
    assert.fail(BIN_ERROR);
  });
} else {
  describe('weave TS SDK 0.11.1 -> spindle-server', () => {
    setUp();

    test('the traced app ran cleanly against the server', () => {
      assert.equal(app.project, project);
      assert.doesNotMatch(
        appStderr,
        /Error processing batch|Error saving file|Exceeded max errors/,
        appStderr,
      );
      assert.equal(app.failingError, CHARGE_ERROR);
      assert.equal(app.renameResult, 42);
      assert.deepEqual(app.probe, { rejected: true, status: 401 });
      assert.equal(app.pipelineResult.answer, replyFor(PROMPTS.chat));
      assert.equal(app.pipelineResult.streamed, replyFor(PROMPTS.chat_stream));
      assert.equal(app.pipelineResult.toolError, FLAKY_ERROR);
      assert.equal(app.directContent, replyFor(PROMPTS.direct));
      // 3 successful completions + 1 rejected by auth, all to the fixture.
      const chatReqs = fixture.requests.filter(r => r.path === '/v1/chat/completions');
      assert.equal(chatReqs.length, 4);
      assert.equal(chatReqs.filter(r => r.body?.stream === true).length, 1);
      const streamReq = chatReqs.find(r => r.body?.stream === true);
      assert.equal(streamReq.body.stream_options?.include_usage, true, 'the SDK asks for usage on streams');
    });

    test('stream_query answers JSONL', async () => {
      const r = await post('/calls/stream_query', { project_id: project, limit: 2 });
      assert.equal(r.status, 200);
      assert.match(r.contentType, /^application\/jsonl/);
      assert.ok(!r.text.trimStart().startsWith('['), 'must not be a JSON array');
      const lines = r.text.split('\n').filter(l => l !== '');
      assert.equal(lines.length, 2);
      for (const l of lines) assert.equal(typeof JSON.parse(l).id, 'string');

      const empty = await post('/calls/stream_query', {
        project_id: project,
        filter: { call_ids: ['no-such-call'] },
      });
      assert.equal(empty.status, 200);
      assert.equal(empty.text.trim(), '', 'an empty result is an empty body');
    });

    test('exact call trees: parent/trace links and calls per op', () => {
      assert.equal(calls.length, 18, `calls: ${sortedNames(calls).join(', ')}`);
      assert.equal(new Set(calls.map(c => c.id)).size, 18, 'call ids are unique');

      const counts = {};
      for (const c of calls) counts[opNameOf(c)] = (counts[opNameOf(c)] || 0) + 1;
      assert.deepEqual(counts, {
        pipeline: 1,
        retrieve: 1,
        score_doc: 3,
        chat: 1,
        chat_stream: 1,
        [LLM_OP]: 4,
        flaky_tool: 1,
        summarize: 1,
        failing_pipeline: 1,
        validate_input: 1,
        charge_card: 1,
        rename_me: 1,
        auth_probe: 1,
      });

      const roots = calls.filter(c => c.parent_id == null);
      assert.deepEqual(
        sortedNames(roots),
        ['auth_probe', 'failing_pipeline', LLM_OP, 'pipeline', 'rename_me'].sort(),
      );
      assert.equal(new Set(roots.map(c => c.trace_id)).size, 5, 'each root has its own trace_id');

      // Every non-root points at an existing call of the same trace.
      for (const c of calls) {
        if (c.parent_id == null) continue;
        const p = byId.get(c.parent_id);
        assert.ok(p, `parent ${c.parent_id} of ${opNameOf(c)} exists`);
        assert.equal(c.trace_id, p.trace_id, `${opNameOf(c)} shares its parent's trace_id`);
      }

      const pipeline = only('pipeline');
      assert.deepEqual(sortedNames(childrenOf(pipeline)), [
        'chat',
        'chat_stream',
        'flaky_tool',
        'retrieve',
        'score_doc',
        'score_doc',
        'score_doc',
        'summarize',
      ]);
      assert.deepEqual(sortedNames(childrenOf(only('chat'))), [LLM_OP]);
      assert.deepEqual(sortedNames(childrenOf(only('chat_stream'))), [LLM_OP]);
      for (const leaf of [
        'retrieve',
        'flaky_tool',
        'summarize',
        'validate_input',
        'charge_card',
        'rename_me',
      ]) {
        assert.deepEqual(childrenOf(only(leaf)), [], `${leaf} has no children`);
      }
      for (const c of callsOf('score_doc')) assert.deepEqual(childrenOf(c), []);
      assert.equal(calls.filter(c => c.trace_id === pipeline.trace_id).length, 11);

      const failing = only('failing_pipeline');
      assert.deepEqual(sortedNames(childrenOf(failing)), ['charge_card', 'validate_input']);
      assert.equal(calls.filter(c => c.trace_id === failing.trace_id).length, 3);

      const probe = only('auth_probe');
      assert.deepEqual(sortedNames(childrenOf(probe)), [LLM_OP]);

      assert.equal(only('rename_me').id, app.renameCallId);
      assert.equal(calls.filter(c => c.trace_id === only('rename_me').trace_id).length, 1);

      // Children run inside their parent's time span.
      for (const c of calls) {
        assert.equal(c.project_id, project);
        assert.ok(c.ended_at, `${opNameOf(c)} has ended`);
        if (c.parent_id == null) continue;
        const p = byId.get(c.parent_id);
        assert.ok(
          Date.parse(c.started_at) >= Date.parse(p.started_at),
          `${opNameOf(c)} starts after its parent`,
        );
        assert.ok(Date.parse(c.ended_at) <= Date.parse(p.ended_at), `${opNameOf(c)} ends before its parent`);
      }
    });

    test('parallel children (Promise.all) overlap in time', () => {
      const scores = callsOf('score_doc');
      assert.equal(scores.length, 3);
      assert.equal(new Set(scores.map(c => c.parent_id)).size, 1);
      const latestStart = Math.max(...scores.map(c => Date.parse(c.started_at)));
      const earliestEnd = Math.min(...scores.map(c => Date.parse(c.ended_at)));
      assert.ok(latestStart < earliestEnd, 'all three score_doc calls were running at the same time');
      assert.deepEqual(scores.map(c => c.inputs.arg0).sort(), ['doc-a', 'doc-b', 'doc-c']);
      for (const c of scores) assert.deepEqual(c.output, { doc: c.inputs.arg0, score: 5 });
    });

    test('op_name is a weave:/// op ref with a 43-char digest; one version per op', () => {
      const re = new RegExp(
        `^weave:///${ENTITY}/${project.split('/')[1]}/op/([A-Za-z0-9._-]+):([A-Za-z0-9]{43})$`,
      );
      const refsByName = new Map();
      for (const c of calls) {
        const m = re.exec(c.op_name);
        assert.ok(m, `bad op_name ${c.op_name}`);
        if (!refsByName.has(m[1])) refsByName.set(m[1], new Set());
        refsByName.get(m[1]).add(c.op_name);
      }
      for (const [name, refs] of refsByName) {
        // The openai integration re-saves its op on every call: same source, so the
        // server must deduplicate to the same digest.
        assert.equal(refs.size, 1, `${name} has one op version, got ${[...refs].join(', ')}`);
      }
    });

    test('op objects are readable via /obj/read and their source via /file/content', async () => {
      const opRefs = [...new Set(calls.map(c => c.op_name))];
      assert.equal(opRefs.length, 13);
      for (const ref of opRefs) {
        const [, name, digest] = /\/op\/([^:]+):(.+)$/.exec(ref);
        const { obj } = await postJson('/obj/read', { project_id: project, object_id: name, digest });
        assert.equal(obj.object_id, name);
        assert.equal(obj.digest, digest);
        assert.equal(obj.project_id, project);
        assert.equal(obj.kind, 'op');
        assert.equal(obj.val._type, 'CustomWeaveType');
        assert.deepEqual(obj.val.weave_type, { type: 'Op' });
        assert.equal(obj.val.load_op, 'NO_LOAD_OP');
        assert.deepEqual(Object.keys(obj.val.files), ['obj.py']);
        const fileDigest = obj.val.files['obj.py'];
        assert.match(fileDigest, /^[A-Za-z0-9]{43}$/);

        // The object digest is Weave's: sha256 of Python json.dumps(val) (sorted
        // keys in the newest revision, insertion order in older ones).
        const sentVal = {
          _type: 'CustomWeaveType',
          weave_type: { type: 'Op' },
          files: { 'obj.py': fileDigest },
          load_op: 'NO_LOAD_OP',
        };
        const candidates = [weaveDigest(pyDumps(sentVal, true)), weaveDigest(pyDumps(sentVal, false))];
        assert.ok(
          candidates.includes(digest),
          `object digest ${digest} is not Weave's (${candidates.join(' or ')})`,
        );

        const file = await post('/file/content', { project_id: project, digest: fileDigest });
        assert.equal(file.status, 200, `/file/content ${fileDigest}: ${file.text}`);
        assert.equal(
          weaveDigest(file.buf),
          fileDigest,
          'file bytes hash to the digest they are stored under',
        );
        if (name === LLM_OP) {
          // Source of the SDK's wrapper function inside its openai integration.
          assert.match(file.text, /^function wrapped\(/);
          assert.match(file.text, /include_usage: true/);
        } else {
          assert.equal(file.text, app.opSources[name], `source of ${name}`);
          assert.match(file.text, new RegExp(`^async function ${name}\\(`));
        }
      }

      // Version selectors for the same object.
      const pipeRef = only('pipeline').op_name;
      const digest = pipeRef.split(':').pop();
      const latest = await postJson('/obj/read', {
        project_id: project,
        object_id: 'pipeline',
        digest: 'latest',
      });
      assert.equal(latest.obj.digest, digest);
      const v0 = await postJson('/obj/read', { project_id: project, object_id: 'pipeline', digest: 'v0' });
      assert.equal(v0.obj.digest, digest);
      assert.equal(v0.obj.version_index, 0);
      assert.equal(latest.obj.is_latest, 1);

      // The UI lists ops with /objs/query is_op + latest_only.
      const { objs } = await postJson('/objs/query', {
        project_id: project,
        filter: { is_op: true, latest_only: true },
        metadata_only: true,
      });
      assert.deepEqual(
        objs.map(o => `weave:///${project}/op/${o.object_id}:${o.digest}`).sort(),
        [...opRefs].sort(),
      );
      for (const o of objs) assert.equal(o.kind, 'op');

      const missing = await post('/obj/read', {
        project_id: project,
        object_id: 'no_such_op',
        digest: 'latest',
      });
      assert.equal(missing.status, 404);
    });

    test('statuses, exceptions and latency', () => {
      const status = c => c.summary?.weave?.status;

      const flaky = only('flaky_tool');
      assert.equal(status(flaky), 'error');
      assert.equal(flaky.exception, FLAKY_ERROR);
      assert.equal(flaky.output, null);

      // The root caught the child's error; the TS SDK writes no status_counts, so
      // the root is plain "success" (descendant_error needs status_counts).
      const pipeline = only('pipeline');
      assert.equal(status(pipeline), 'success');
      assert.equal(pipeline.exception ?? null, null);

      const charge = only('charge_card');
      assert.equal(status(charge), 'error');
      assert.equal(charge.exception, CHARGE_ERROR);
      const failing = only('failing_pipeline');
      assert.equal(status(failing), 'error');
      assert.equal(failing.exception, CHARGE_ERROR, 'the root failed with the error its child threw');
      assert.equal(failing.output, null);
      assert.equal(status(only('validate_input')), 'success');

      const probe = only('auth_probe');
      assert.equal(status(probe), 'success');
      assert.deepEqual(probe.output, { rejected: true, status: 401 });
      const rejected = childrenOf(probe)[0];
      assert.equal(status(rejected), 'error');
      assert.match(rejected.exception, /^401 Incorrect API key provided/);

      const errored = calls.filter(c => status(c) === 'error');
      assert.deepEqual(
        errored.map(opNameOf).sort(),
        ['charge_card', 'failing_pipeline', 'flaky_tool', LLM_OP].sort(),
      );
      assert.deepEqual(errored.map(c => c.id).sort(), [charge.id, failing.id, flaky.id, rejected.id].sort());
      for (const c of calls) {
        if (!errored.includes(c)) {
          assert.equal(status(c), 'success', `${opNameOf(c)} succeeded`);
          assert.equal(c.exception ?? null, null);
        }
        assert.equal(
          c.summary.weave.latency_ms,
          Date.parse(c.ended_at) - Date.parse(c.started_at),
          `latency of ${opNameOf(c)}`,
        );
      }
    });

    test('inputs and outputs are stored as sent', () => {
      const pipeline = only('pipeline');
      assert.deepEqual(pipeline.inputs, { question: QUESTION });
      assert.equal(pipeline.output.answer, replyFor(PROMPTS.chat));
      assert.deepEqual(pipeline.output.scores, [5, 5, 5]);
      assert.equal(pipeline.output.toolError, FLAKY_ERROR);
      assert.deepEqual(only('retrieve').inputs, { arg0: QUESTION });
      assert.deepEqual(only('retrieve').output, { query: QUESTION, docs: ['doc-a', 'doc-b', 'doc-c'] });
      assert.deepEqual(only('flaky_tool').inputs, { arg0: 42 });
      assert.deepEqual(only('charge_card').inputs, { arg0: 19.99 });
      assert.deepEqual(only('rename_me').inputs, { arg0: 21 });
      assert.equal(only('rename_me').output, 42);
      assert.equal(only('chat').output, replyFor(PROMPTS.chat));

      const chatLlm = childrenOf(only('chat'))[0];
      assert.deepEqual(chatLlm.inputs, { model: MODEL, messages: PROMPTS.chat });
      assert.equal(chatLlm.output.object, 'chat.completion');
      assert.equal(chatLlm.output.model, MODEL);
      assert.equal(chatLlm.output.choices[0].message.content, replyFor(PROMPTS.chat));

      const streamLlm = childrenOf(only('chat_stream'))[0];
      assert.deepEqual(streamLlm.inputs, { model: MODEL, messages: PROMPTS.chat_stream, stream: true });
      assert.equal(streamLlm.output.choices[0].message.content, replyFor(PROMPTS.chat_stream));
      assert.equal(streamLlm.output.choices[0].finish_reason, 'stop');
    });

    test('attributes from weave.withAttributes are on the calls', () => {
      const pipeline = only('pipeline');
      for (const c of calls) {
        assert.deepEqual(
          c.attributes.weave,
          { client_version: '0.11.1', source: 'js-sdk' },
          `weave attributes on ${opNameOf(c)}`,
        );
        const inPipeline = c.trace_id === pipeline.trace_id;
        const expected = { weave: c.attributes.weave };
        if (inPipeline) Object.assign(expected, { tenant: 'acme', request_id: 'req-0001' });
        if (opNameOf(c) === 'retrieve') expected.stage = 'retrieval';
        assert.deepEqual(c.attributes, expected, `attributes of ${opNameOf(c)}`);
      }
    });

    test('display names (op option and setDisplayName via /call/update)', () => {
      const summarize = only('summarize');
      const expected = `Summary of ${replyFor(PROMPTS.chat).length} chars`;
      assert.equal(summarize.display_name, expected);
      assert.equal(summarize.summary.weave.display_name, expected);
      assert.equal(
        summarize.summary.weave.trace_name,
        undefined,
        'trace_name is absent when display_name is set',
      );

      const renamed = only('rename_me');
      assert.equal(renamed.display_name, RENAMED);
      assert.equal(renamed.summary.weave.display_name, RENAMED);
      assert.equal(renamed.summary.weave.trace_name, undefined);

      for (const c of calls) {
        if (c === summarize || c === renamed) continue;
        assert.equal(c.display_name ?? null, null, `${opNameOf(c)} has no display name`);
        assert.equal(c.summary.weave.trace_name, opNameOf(c), `trace_name of ${opNameOf(c)}`);
        assert.equal(c.summary.weave.display_name, undefined);
      }
    });

    test('summary.usage: LLM token counts from the fixture, rolled up by the SDK', () => {
      // Literal values for the fixture's counting rule (words + 4 per message, + 3).
      assert.deepEqual(
        [usageFor(PROMPTS.chat).prompt_tokens, usageFor(PROMPTS.chat).completion_tokens],
        [22, 7],
      );
      const u = c => c.summary.usage?.[MODEL];
      const chatLlm = childrenOf(only('chat'))[0];
      const streamLlm = childrenOf(only('chat_stream'))[0];
      const directLlm = calls.find(c => opNameOf(c) === LLM_OP && c.parent_id == null);
      const rejectedLlm = childrenOf(only('auth_probe'))[0];

      assert.deepEqual(u(chatLlm), llmUsage(PROMPTS.chat));
      assert.equal(u(chatLlm).prompt_tokens, 22);
      assert.equal(u(chatLlm).completion_tokens, 7);
      assert.equal(u(chatLlm).total_tokens, 29);
      assert.deepEqual(u(streamLlm), llmUsage(PROMPTS.chat_stream));
      assert.deepEqual(u(directLlm), llmUsage(PROMPTS.direct));
      assert.deepEqual(Object.keys(chatLlm.summary.usage), [MODEL]);

      // Client-side rollup: a parent's summary.usage already includes its subtree.
      assert.deepEqual(u(only('chat')), llmUsage(PROMPTS.chat));
      assert.deepEqual(u(only('chat_stream')), llmUsage(PROMPTS.chat_stream));
      const rolled = addUsage(llmUsage(PROMPTS.chat), llmUsage(PROMPTS.chat_stream));
      assert.equal(rolled.requests, 2);
      assert.deepEqual(u(only('pipeline')), rolled);

      // No usage anywhere else (the rejected LLM call has no response to count).
      for (const c of [
        rejectedLlm,
        only('auth_probe'),
        only('failing_pipeline'),
        only('retrieve'),
        only('rename_me'),
        ...callsOf('score_doc'),
      ]) {
        assert.equal(c.summary.usage, undefined, `${opNameOf(c)} has no usage`);
      }
    });

    test('summary.weave.costs with the default gpt-4o-mini price', async () => {
      const prices = loadPrices();
      const withUsage = calls.filter(c => c.summary.usage?.[MODEL]);
      assert.deepEqual(
        sortedNames(withUsage),
        ['chat', 'chat_stream', LLM_OP, LLM_OP, LLM_OP, 'pipeline'].sort(),
      );
      for (const c of withUsage) {
        const usage = c.summary.usage[MODEL];
        const price = expectedPrice(prices, MODEL, c.started_at);
        const cost = c.summary.weave.costs?.[MODEL];
        assert.ok(cost, `${opNameOf(c)} has costs[${MODEL}]: ${JSON.stringify(c.summary.weave)}`);
        assert.deepEqual(Object.keys(c.summary.weave.costs), [MODEL]);
        assert.equal(cost.prompt_tokens, usage.prompt_tokens);
        assert.equal(cost.completion_tokens, usage.completion_tokens);
        assert.equal(cost.total_tokens, usage.total_tokens);
        assert.equal(cost.requests, usage.requests);
        assert.equal(cost.prompt_token_cost, price.input);
        assert.equal(cost.completion_token_cost, price.output);
        assertClose(
          cost.prompt_tokens_total_cost,
          usage.prompt_tokens * price.input,
          `${opNameOf(c)} prompt cost`,
        );
        assertClose(
          cost.completion_tokens_total_cost,
          usage.completion_tokens * price.output,
          `${opNameOf(c)} completion cost`,
        );
        assert.equal(cost.pricing_level, 'default');
        assert.equal(cost.provider_id, price.provider);
        assert.ok(
          String(cost.effective_date).replace('T', ' ').startsWith(price.created_at),
          `effective_date ${cost.effective_date} is the selected point ${price.created_at}`,
        );
      }
      // Literal check against the file's current gpt-4o-mini price (1.5e-07 / 6e-07 per token).
      const chatLlmCost = childrenOf(only('chat'))[0].summary.weave.costs[MODEL];
      assertClose(chatLlmCost.prompt_tokens_total_cost, 22 * 1.5e-7, 'chat prompt cost literal');
      assertClose(chatLlmCost.completion_tokens_total_cost, 7 * 6e-7, 'chat completion cost literal');

      for (const c of calls.filter(x => !x.summary.usage)) {
        assert.equal(c.summary.weave.costs, undefined, `${opNameOf(c)} has no costs`);
      }

      // Without include_costs there are no costs.
      const plain = await streamQuery({ filter: { call_ids: [only('pipeline').id] } });
      assert.equal(plain.length, 1);
      assert.equal(plain[0].summary.weave.costs, undefined);
      assert.deepEqual(plain[0].summary.usage, only('pipeline').summary.usage);
    });

    test('calls/query_stats counts match', async () => {
      const [, proj] = project.split('/');
      const llmWildcard = `weave:///${ENTITY}/${proj}/op/${LLM_OP}:*`;
      assert.equal((await queryStats({})).count, calls.length);
      assert.equal((await queryStats({ filter: { trace_roots_only: true } })).count, 5);
      assert.equal((await queryStats({ filter: { op_names: [llmWildcard] } })).count, 4);
      assert.equal(
        (await queryStats({ filter: { op_names: [llmWildcard], trace_roots_only: true } })).count,
        1,
      );
      assert.equal(
        (
          await queryStats({
            filter: { op_names: [only('retrieve').op_name.replace(/\/retrieve:.*/, '/score_doc:*')] },
          })
        ).count,
        3,
      );
      assert.equal((await queryStats({ filter: { op_names: [callsOf('score_doc')[0].op_name] } })).count, 3);
      assert.equal((await queryStats({ filter: { trace_ids: [only('pipeline').trace_id] } })).count, 11);
      assert.equal((await queryStats({ filter: { parent_ids: [only('pipeline').id] } })).count, 8);
      const capped = await queryStats({ limit: 3 });
      assert.equal(capped.count, 3, 'count is capped at limit');
      if ('has_more' in capped) assert.equal(capped.has_more, true);
      const statusError = {
        $expr: { $eq: [{ $getField: 'summary.weave.status' }, { $literal: 'error' }] },
      };
      assert.equal((await queryStats({ query: statusError })).count, 4);
      assert.equal((await queryStats({ query: statusError, filter: { trace_roots_only: true } })).count, 1);
      const other = await postJson('/calls/query_stats', {
        project_id: `${ENTITY}/no-such-project-${Date.now()}`,
      });
      assert.equal(other.count, 0);
    });

    test('stream_query filters: op_names wildcard and trace_roots_only', async () => {
      const [, proj] = project.split('/');
      const llmWildcard = `weave:///${ENTITY}/${proj}/op/${LLM_OP}:*`;
      const ids = list => list.map(c => c.id).sort();

      const llm = await streamQuery({ filter: { op_names: [llmWildcard] }, include_costs: true });
      assert.deepEqual(ids(llm), ids(callsOf(LLM_OP)));
      assert.equal(llm.length, 4);

      const roots = await streamQuery({ filter: { trace_roots_only: true } });
      assert.deepEqual(ids(roots), ids(calls.filter(c => c.parent_id == null)));

      const both = await streamQuery({ filter: { op_names: [llmWildcard], trace_roots_only: true } });
      assert.equal(both.length, 1);
      assert.equal(both[0].parent_id ?? null, null);
      assert.deepEqual(both[0].summary.usage[MODEL], llmUsage(PROMPTS.direct));

      // A wildcard on a prefix of another op's name must not match it ("chat:*" vs "chat_stream").
      const chatOnly = await streamQuery({ filter: { op_names: [`weave:///${ENTITY}/${proj}/op/chat:*`] } });
      assert.deepEqual(chatOnly.map(opNameOf), ['chat']);

      const twoOps = await streamQuery({
        filter: {
          op_names: [
            `weave:///${ENTITY}/${proj}/op/charge_card:*`,
            `weave:///${ENTITY}/${proj}/op/flaky_tool:*`,
          ],
        },
      });
      assert.deepEqual(twoOps.map(opNameOf).sort(), ['charge_card', 'flaky_tool']);

      // Default order: started_at ascending.
      const all = await streamQuery({});
      for (let i = 1; i < all.length; i++) {
        assert.ok(
          Date.parse(all[i - 1].started_at) <= Date.parse(all[i].started_at),
          'default order is started_at asc',
        );
      }
      const errored = await streamQuery({
        query: { $expr: { $eq: [{ $getField: 'summary.weave.status' }, { $literal: 'error' }] } },
      });
      assert.deepEqual(
        errored.map(opNameOf).sort(),
        ['charge_card', 'failing_pipeline', 'flaky_tool', LLM_OP].sort(),
      );

      const desc = await streamQuery({ sort_by: [{ field: 'started_at', direction: 'desc' }] });
      assert.equal(desc.length, all.length);
      for (let i = 1; i < desc.length; i++) {
        assert.ok(
          Date.parse(desc[i - 1].started_at) >= Date.parse(desc[i].started_at),
          'sort_by started_at desc',
        );
      }

      const page = await streamQuery({ limit: 5, offset: 5 });
      assert.deepEqual(
        page.map(c => c.id),
        all.slice(5, 10).map(c => c.id),
      );
    });

    test('client mistakes get a 4xx with {"reason"}, never a 5xx (the SDK retries 5xx for hours)', async () => {
      const raw = async (route, body) => {
        const res = await fetch(`${server.url}${route}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: AUTH },
          body,
        });
        return { status: res.status, text: await res.text() };
      };
      const cases = [
        ['/calls/stream_query', '{"project_id": ', 400],
        ['/calls/stream_query', '{}', 400],
        ['/calls/query_stats', '[1, 2]', 400],
        ['/call/upsert_batch', '{"batch": "not a list"}', 400],
        ['/file/content', JSON.stringify({ project_id: project, digest: 'A'.repeat(43) }), 404],
        [
          '/obj/read',
          JSON.stringify({ project_id: project, object_id: 'no_such_op', digest: 'latest' }),
          404,
        ],
      ];
      for (const [route, body, expected] of cases) {
        const r = await raw(route, body);
        assert.equal(r.status, expected, `${route} ${body} -> ${r.status} ${r.text}`);
        assert.equal(typeof JSON.parse(r.text).reason, 'string', `${route} error body ${r.text}`);
      }
    });

    // Keep this last: it restarts the server.
    test('SIGTERM stops the server; the data survives a restart on the same --data-dir', async () => {
      const exit = await stopProcess(server.proc, 10_000);
      assert.equal(exit.killed, false, `spindle-server ignored SIGTERM for 10 s. stderr: ${server.stderr()}`);
      assert.ok(exit.code === 0 || exit.signal === 'SIGTERM', `exit after SIGTERM: ${JSON.stringify(exit)}`);

      server = await startServer(process.env.SPINDLE_SERVER, dataDir);
      assert.equal((await queryStats({})).count, 18);
      const again = await streamQuery({ include_costs: true });
      assert.deepEqual(again, calls);
    });
  });
}
