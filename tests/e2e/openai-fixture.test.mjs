// Checks that the OpenAI fixture speaks the protocol the weave SDK and the
// `openai` client expect. Needs no spindle-server.

import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { startOpenAIFixture, usageFor, replyFor, INVALID_API_KEY } from './openai-fixture.mjs';

const MESSAGES = [
  { role: 'system', content: 'You are a terse assistant.' },
  { role: 'user', content: 'What is the capital of France?' },
];

describe('openai fixture', () => {
  let fx;
  before(async () => {
    fx = await startOpenAIFixture();
  });
  after(async () => {
    await fx.close();
  });

  const post = (body, headers = { Authorization: 'Bearer test' }) =>
    fetch(`${fx.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  test('deterministic token counts', () => {
    // words + 4 per message, + 3: (5 + 4) + (6 + 4) + 3
    assert.equal(usageFor(MESSAGES).prompt_tokens, 22);
    assert.equal(replyFor(MESSAGES), 'Echo: What is the capital of France?');
    assert.equal(usageFor(MESSAGES).completion_tokens, 7);
    assert.equal(usageFor(MESSAGES).total_tokens, 29);
  });

  test('non-streaming chat.completion', async () => {
    const res = await post({ model: 'gpt-4o-mini', messages: MESSAGES });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const body = await res.json();
    assert.match(body.id, /^chatcmpl-/);
    assert.equal(body.object, 'chat.completion');
    assert.equal(typeof body.created, 'number');
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.choices.length, 1);
    assert.equal(body.choices[0].index, 0);
    assert.deepEqual(body.choices[0].message, {
      role: 'assistant',
      content: 'Echo: What is the capital of France?',
      refusal: null,
    });
    assert.equal(body.choices[0].finish_reason, 'stop');
    assert.deepEqual(body.usage, usageFor(MESSAGES));
  });

  test('the requested model is echoed', async () => {
    const body = await (await post({ model: 'some-other-model', messages: MESSAGES })).json();
    assert.equal(body.model, 'some-other-model');
  });

  test('streaming: SSE chunks, usage chunk when asked, then [DONE]', async () => {
    const res = await post({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const text = await res.text();
    assert.ok(text.endsWith('data: [DONE]\n\n'));
    const events = text
      .split('\n\n')
      .filter(Boolean)
      .map(e => {
        assert.match(e, /^data: /);
        return e.slice('data: '.length);
      });
    assert.equal(events.pop(), '[DONE]');
    const chunks = events.map(e => JSON.parse(e));
    for (const c of chunks) {
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.model, 'gpt-4o-mini');
      assert.equal(c.id, chunks[0].id);
    }
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const content = chunks.map(c => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(content, replyFor(MESSAGES));
    const usageChunk = chunks.at(-1);
    assert.deepEqual(usageChunk.choices, []);
    assert.deepEqual(usageChunk.usage, usageFor(MESSAGES));
    assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null);
  });

  test('streaming without include_usage has no usage chunk', async () => {
    const text = await (await post({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })).text();
    const chunks = text
      .split('\n\n')
      .filter(e => e && e !== 'data: [DONE]')
      .map(e => JSON.parse(e.slice(6)));
    assert.ok(chunks.every(c => !('usage' in c)));
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
  });

  test('401 without a bearer token, and for a rejected key', async () => {
    const res = await post({ model: 'gpt-4o-mini', messages: MESSAGES }, {});
    assert.equal(res.status, 401);
    const body = await res.json();
    assert.equal(typeof body.error.message, 'string');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.ok('code' in body.error);

    const bad = await post(
      { model: 'gpt-4o-mini', messages: MESSAGES },
      { Authorization: `Bearer ${INVALID_API_KEY}` },
    );
    assert.equal(bad.status, 401);
    assert.equal((await bad.json()).error.code, 'invalid_api_key');
  });

  test('400 on a bad body', async () => {
    const notJson = await post('{"model": ');
    assert.equal(notJson.status, 400);
    assert.equal((await notJson.json()).error.type, 'invalid_request_error');

    const noMessages = await post({ model: 'gpt-4o-mini' });
    assert.equal(noMessages.status, 400);
    assert.equal((await noMessages.json()).error.param, 'messages');

    const noModel = await post({ messages: MESSAGES });
    assert.equal(noModel.status, 400);
    assert.match((await noModel.json()).error.message, /model/);
  });

  test('404 on unknown routes', async () => {
    const res = await fetch(`${fx.url}/v1/embeddings`, {
      method: 'POST',
      headers: { Authorization: 'Bearer t' },
    });
    assert.equal(res.status, 404);
    assert.ok((await res.json()).error);
  });

  test('works with the openai npm client (plain, streaming, auth error)', async () => {
    const client = new OpenAI({ baseURL: `${fx.url}/v1`, apiKey: 'test', maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    assert.equal(r.choices[0].message.content, replyFor(MESSAGES));
    assert.equal(r.usage.prompt_tokens, 22);

    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, replyFor(MESSAGES));
    assert.deepEqual(usage, usageFor(MESSAGES));

    const bad = new OpenAI({ baseURL: `${fx.url}/v1`, apiKey: INVALID_API_KEY, maxRetries: 0 });
    await assert.rejects(bad.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }), err => {
      assert.equal(err.status, 401);
      assert.equal(err.code, 'invalid_api_key');
      return true;
    });
  });
});
