// A small, deterministic, OpenAI-compatible HTTP server for end-to-end tests.
//
// Only POST /v1/chat/completions is implemented. It behaves like the real
// API where the tests (and the `openai` npm client) can observe it:
//   - non-streaming: a `chat.completion` JSON object with `usage`;
//   - `stream: true`: Server-Sent Events with `chat.completion.chunk` objects,
//     a usage-only final chunk when `stream_options.include_usage` is true, then
//     `data: [DONE]`;
//   - errors use OpenAI's envelope {"error": {"message", "type", "param", "code"}}:
//     401 without a bearer token or with the key INVALID_API_KEY, 400 on a body
//     that is not JSON or lacks `model` / `messages`, 404 on unknown routes.
//
// The reply and the token counts are pure functions of the request messages
// (see replyFor / promptTokensFor / completionTokensFor), so tests can compute
// the exact numbers the traced calls must carry.

import http from 'node:http';

/** A key the fixture rejects with 401 invalid_api_key, like a revoked OpenAI key. */
export const INVALID_API_KEY = 'sk-invalid-e2e-key';

/** Number of whitespace-separated words: the fixture's notion of a token. */
export function countWords(text) {
  return String(text).trim().split(/\s+/).filter(Boolean).length;
}

function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    // Content parts: [{type: 'text', text: '...'}, ...]
    return content.map(part => (part && typeof part.text === 'string' ? part.text : '')).join(' ');
  }
  return '';
}

/** Prompt tokens: per message, its words plus 4 (role/framing overhead), plus 3 for priming the reply. */
export function promptTokensFor(messages) {
  let n = 3;
  for (const m of messages) n += countWords(contentText(m.content)) + 4;
  return n;
}

/** The assistant's reply: "Echo: " followed by the last user message. */
export function replyFor(messages) {
  const lastUser = [...messages].reverse().find(m => m.role === 'user');
  return `Echo: ${lastUser ? contentText(lastUser.content) : ''}`.trim();
}

/** Completion tokens: the words of the reply. */
export function completionTokensFor(messages) {
  return countWords(replyFor(messages));
}

/** The usage object the fixture reports for a request (same shape as OpenAI's). */
export function usageFor(messages) {
  const prompt_tokens = promptTokensFor(messages);
  const completion_tokens = completionTokensFor(messages);
  return {
    prompt_tokens,
    completion_tokens,
    total_tokens: prompt_tokens + completion_tokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function sendError(res, status, message, type, param = null, code = null) {
  const body = JSON.stringify({ error: { message, type, param, code } });
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendJson(res, status, obj, extraHeaders = {}) {
  const body = JSON.stringify(obj);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

function validateMessages(messages) {
  if (!Array.isArray(messages)) return "Missing required parameter: 'messages'.";
  if (messages.length === 0) {
    return "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.";
  }
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m === null || typeof m !== 'object' || typeof m.role !== 'string') {
      return `Missing required parameter: 'messages[${i}].role'.`;
    }
    if (!['system', 'developer', 'user', 'assistant', 'tool', 'function'].includes(m.role)) {
      return `Invalid value: '${m.role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`;
    }
  }
  return null;
}

/**
 * Start the fixture. Returns {url, port, requests, close()}.
 * `requests` records every request seen: {method, path, authorization, body}.
 */
export async function startOpenAIFixture({ created = 1735689600 } = {}) {
  const requests = [];
  let counter = 0;

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url || '').split('?')[0];
      const entry = {
        method: req.method,
        path,
        authorization: req.headers.authorization ?? null,
        body: null,
      };
      requests.push(entry);

      if (path !== '/v1/chat/completions') {
        return sendError(res, 404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error');
      }
      if (req.method !== 'POST') {
        return sendError(res, 405, `Method ${req.method} not allowed for ${path}`, 'invalid_request_error');
      }

      // Auth first, as OpenAI does.
      const auth = req.headers.authorization;
      const m = typeof auth === 'string' ? /^Bearer\s+(\S.*)$/i.exec(auth) : null;
      if (!m) {
        return sendError(
          res,
          401,
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          'invalid_request_error',
        );
      }
      const key = m[1].trim();
      if (key === INVALID_API_KEY) {
        return sendError(
          res,
          401,
          `Incorrect API key provided: ${key.slice(0, 6)}****${key.slice(-4)}.`,
          'invalid_request_error',
          null,
          'invalid_api_key',
        );
      }

      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        return sendError(
          res,
          400,
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
          'invalid_request_error',
        );
      }
      entry.body = body;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        return sendError(
          res,
          400,
          'Invalid type for request body: expected an object.',
          'invalid_request_error',
        );
      }
      if (typeof body.model !== 'string' || body.model === '') {
        return sendError(res, 400, 'you must provide a model parameter', 'invalid_request_error', null, null);
      }
      const msgErr = validateMessages(body.messages);
      if (msgErr) {
        return sendError(res, 400, msgErr, 'invalid_request_error', 'messages', 'missing_required_parameter');
      }

      counter += 1;
      const id = `chatcmpl-e2e${String(counter).padStart(6, '0')}`;
      const model = body.model;
      const reply = replyFor(body.messages);
      const usage = usageFor(body.messages);
      const system_fingerprint = 'fp_e2e_fixture';

      if (!body.stream) {
        return sendJson(
          res,
          200,
          {
            id,
            object: 'chat.completion',
            created,
            model,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: reply, refusal: null },
                logprobs: null,
                finish_reason: 'stop',
              },
            ],
            usage,
            service_tier: 'default',
            system_fingerprint,
          },
          { 'x-request-id': `req_e2e_${counter}` },
        );
      }

      // Streaming (SSE).
      const includeUsage = !!(body.stream_options && body.stream_options.include_usage);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
        'x-request-id': `req_e2e_${counter}`,
      });
      const base = {
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        service_tier: 'default',
        system_fingerprint,
      };
      const chunk = (choices, extra = {}) => {
        const obj = { ...base, choices, ...extra };
        if (includeUsage && !('usage' in obj)) obj.usage = null;
        res.write(`data: ${JSON.stringify(obj)}\n\n`);
      };
      chunk([
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ]);
      const words = reply.split(' ');
      words.forEach((w, i) => {
        chunk([{ index: 0, delta: { content: i === 0 ? w : ` ${w}` }, logprobs: null, finish_reason: null }]);
      });
      chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
      if (includeUsage) chunk([], { usage });
      res.write('data: [DONE]\n\n');
      res.end();
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    requests,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// Run standalone: `node openai-fixture.mjs` prints the base URL and serves until killed.
if (import.meta.url === `file://${process.argv[1]}`) {
  const fx = await startOpenAIFixture();
  console.log(`openai fixture listening on ${fx.url}/v1`);
}
