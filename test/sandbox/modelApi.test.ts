// The sandbox's scripted OpenAI-compatible chat model (sandbox/modelApi.ts) under /openai/v1: driven
// with plain fetch, then with the `openai` package n8n itself ships (from the n8n install cache that
// scripts/n8n/install.ts fills; when no install is there, those tests are skipped with the reason and
// the fetch half still runs), and @langchain/openai's ChatOpenAI from each n8n install. Streaming pieces and their order, include_usage, JSON answers, 401/400/404
// in OpenAI's shapes, tool-call round trips, errors mid-stream, images recorded by size and SHA-256,
// hold/release, the default memory-echo reply, the long markdown answer and the token timeline.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheRoot } from '../../scripts/n8n/install';
import { MODEL_API_BASE } from '../../sandbox/modelApi';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { control, waitFor } from '../helpers/sandboxTests';

let sb: Sandbox;
let base: string;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true });
	base = `${sb.baseUrl}${MODEL_API_BASE}`;
});
after(() => sb.close());
beforeEach(() => control(sb.baseUrl, 'POST', 'model/reset', {}));

const KEY = 'sk-sandbox-test';
const script = (replies: unknown[]) => control(sb.baseUrl, 'PUT', 'model/script', { replies });
const requests = async () => (await control<{ requests: any[]; listings: number }>(sb.baseUrl, 'GET', 'model/requests')).requests;
const user = (content: unknown) => ({ role: 'user', content });

async function post(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }): Promise<Response> {
	return fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** The `data:` payloads of an SSE body, JSON-parsed but for the final "[DONE]". */
function events(text: string): any[] {
	return text
		.split('\n\n')
		.filter((e) => e.startsWith('data: '))
		.map((e) => e.slice(6))
		.map((d) => (d === '[DONE]' ? d : JSON.parse(d)));
}

const contentOf = (evs: any[]) => evs.filter((e) => e !== '[DONE]' && e.choices?.[0]?.delta?.content).map((e) => e.choices[0].delta.content);

// A 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const pngPart = { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('GET /models lists the models in OpenAI\'s shape; the list can be replaced', async () => {
	const res = await fetch(`${base}/models`, { headers: { authorization: `Bearer ${KEY}` } });
	assert.equal(res.status, 200);
	const body = await res.json() as any;
	assert.equal(body.object, 'list');
	assert.ok(body.data.length > 0);
	for (const m of body.data) assert.deepEqual(Object.keys(m).sort(), ['created', 'id', 'object', 'owned_by']);
	assert.ok(body.data.some((m: any) => m.id === 'gpt-4o-mini'));
	await control(sb.baseUrl, 'PUT', 'model/models', { models: ['only-model'] });
	const one = await (await fetch(`${base}/models/only-model`, { headers: { authorization: `Bearer ${KEY}` } })).json() as any;
	assert.deepEqual(one, { id: 'only-model', object: 'model', created: 1_700_000_000, owned_by: 'sandbox' });
	const gone = await post({ model: 'gpt-4o-mini', messages: [user('hi')] });
	assert.equal(gone.status, 404);
	assert.deepEqual((await gone.json() as any).error, { message: 'The model `gpt-4o-mini` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' });
	assert.equal((await control(sb.baseUrl, 'GET', 'model/requests')).listings, 1);
});

test('streaming: role first, the pieces in order, finish_reason last, then [DONE]; no usage unless asked', async () => {
	await script([{ tokens: ['Hel', 'lo', ', ', 'world', '!'] }]);
	const res = await post({ model: 'gpt-4o-mini', stream: true, messages: [user('hi')] });
	assert.equal(res.status, 200);
	assert.match(String(res.headers.get('content-type')), /^text\/event-stream/);
	const evs = events(await res.text());
	assert.equal(evs.at(-1), '[DONE]');
	const chunks = evs.slice(0, -1);
	for (const c of chunks) {
		assert.equal(c.object, 'chat.completion.chunk');
		assert.equal(c.model, 'gpt-4o-mini');
		assert.equal(c.id, chunks[0].id);
		assert.equal('usage' in c, false);
	}
	assert.equal(chunks[0].choices[0].delta.role, 'assistant');
	assert.deepEqual(contentOf(chunks), ['Hel', 'lo', ', ', 'world', '!']);
	assert.deepEqual(chunks.at(-1).choices[0], { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' });
	assert.ok(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null));
	const [r] = await requests();
	assert.equal(r.stream, true);
	assert.equal(r.apiKey, KEY);
	assert.equal(r.reply.text, 'Hello, world!');
	assert.equal(r.reply.finishReason, 'stop');
});

test('stream_options.include_usage: usage null on every chunk, then a usage chunk with no choices before [DONE]', async () => {
	await script([{ text: 'Three word answer' }]);
	const evs = events(await (await post({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [user('count')] })).text());
	assert.equal(evs.at(-1), '[DONE]');
	const usage = evs.at(-2);
	assert.deepEqual(usage.choices, []);
	assert.equal(usage.usage.completion_tokens, 3);
	assert.ok(usage.usage.prompt_tokens > 0);
	assert.equal(usage.usage.total_tokens, usage.usage.prompt_tokens + 3);
	assert.ok(evs.slice(0, -2).every((c) => c.usage === null));
	assert.deepEqual(contentOf(evs), ['Three', ' word', ' answer']);
	// stream_options without stream is OpenAI's 400.
	const bad = await post({ model: 'gpt-4o-mini', stream_options: { include_usage: true }, messages: [user('x')] });
	assert.equal(bad.status, 400);
	assert.equal((await bad.json() as any).error.param, 'stream_options');
});

test('non-streaming: one chat.completion with the whole text, finish_reason stop and usage', async () => {
	await script([{ text: 'A complete answer.' }]);
	const res = await post({ model: 'gpt-4.1-mini', messages: [{ role: 'system', content: 'Be brief.' }, user('question')] });
	assert.equal(res.status, 200);
	assert.match(String(res.headers.get('x-request-id')), /^req_\d+$/);
	const body = await res.json() as any;
	assert.equal(body.object, 'chat.completion');
	assert.match(body.id, /^chatcmpl-[A-Za-z0-9]{29}$/);
	assert.equal(body.model, 'gpt-4.1-mini');
	assert.deepEqual(body.choices, [{ index: 0, message: { role: 'assistant', content: 'A complete answer.', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }]);
	assert.equal(body.usage.completion_tokens, 3);
	assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
	// max_tokens cuts the answer short: finish_reason "length".
	await script([{ text: 'one two three four' }]);
	const cut = await (await post({ model: 'gpt-4o-mini', max_tokens: 2, messages: [user('q')] })).json() as any;
	assert.equal(cut.choices[0].message.content, 'one two');
	assert.equal(cut.choices[0].finish_reason, 'length');
});

test('auth: no Authorization, an empty key or another scheme get 401 in OpenAI\'s shape; any non-empty Bearer key passes', async () => {
	for (const headers of [{}, { authorization: 'Bearer ' }, { authorization: 'Basic dXNlcjpwYXNz' }] as Record<string, string>[]) {
		const res = await post({ model: 'gpt-4o-mini', messages: [user('hi')] }, headers);
		assert.equal(res.status, 401);
		const { error } = await res.json() as any;
		assert.match(error.message, /^You didn't provide an API key/);
		assert.equal(error.type, 'invalid_request_error');
		assert.equal(error.param, null);
		assert.equal(error.code, null);
	}
	assert.equal((await fetch(`${base}/models`)).status, 401);
	assert.equal((await post({ model: 'gpt-4o-mini', messages: [user('hi')] }, { authorization: 'Bearer x' })).status, 200);
	const recorded = await requests();
	assert.deepEqual(recorded.map((r) => r.status), [401, 401, 401, 200]);
});

test('bad bodies get 400 invalid_request_error with OpenAI\'s message, param and code', async () => {
	const cases: [unknown, string, string | null, string | null][] = [
		['{not json', "We could not parse the JSON body of your request.", null, null],
		[{ messages: [user('x')] }, 'you must provide a model parameter', null, null],
		[{ model: 5, messages: [user('x')] }, "Invalid type for 'model': expected a string, but got an integer instead.", 'model', 'invalid_type'],
		[{ model: 'gpt-4o-mini' }, "Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter'],
		[{ model: 'gpt-4o-mini', messages: 'hi' }, "Invalid type for 'messages': expected an array, but got a string instead.", 'messages', 'invalid_type'],
		[{ model: 'gpt-4o-mini', messages: [] }, "Invalid 'messages': empty array.", 'messages', 'empty_array'],
		[{ model: 'gpt-4o-mini', messages: [{ content: 'x' }] }, "Missing required parameter: 'messages[0].role'.", 'messages[0].role', 'missing_required_parameter'],
		[{ model: 'gpt-4o-mini', messages: [{ role: 'robot', content: 'x' }] }, "Invalid value: 'robot'.", 'messages[0].role', 'invalid_value'],
		[{ model: 'gpt-4o-mini', messages: [{ role: 'user' }] }, "Missing required parameter: 'messages[0].content'.", 'messages[0].content', 'missing_required_parameter'],
		[{ model: 'gpt-4o-mini', messages: [user([{ type: 'video', url: 'x' }])] }, "Invalid value: 'video'.", 'messages[0].content[0].type', 'invalid_value'],
		[{ model: 'gpt-4o-mini', messages: [user('x'), { role: 'tool', tool_call_id: 'call_1', content: 'r' }] }, "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", 'messages.[1].role', null],
		[{ model: 'gpt-4o-mini', messages: [user('x'), { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }] }, "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_1", 'messages.[1].role', null],
		[{ model: 'gpt-4o-mini', messages: [user('x')], tools: [{ type: 'function', function: { name: 'has space' } }] }, "Invalid 'tools[0].function.name': string does not match pattern.", 'tools[0].function.name', 'invalid_value'],
		[{ model: 'gpt-4o-mini', messages: [user([{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,AAAA' } }])] }, 'You uploaded an unsupported image.', null, 'invalid_image_format'],
		[{ model: 'gpt-4o-mini', stream: 'yes', messages: [user('x')] }, "Invalid type for 'stream': expected a boolean, but got a string instead.", 'stream', 'invalid_type'],
	];
	for (const [body, message, param, code] of cases) {
		const res = await post(body);
		assert.equal(res.status, 400, JSON.stringify(body));
		const { error } = await res.json() as any;
		assert.ok(error.message.startsWith(message), `${JSON.stringify(body)}: ${error.message}`);
		assert.equal(error.type, 'invalid_request_error');
		assert.equal(error.param, param, JSON.stringify(body));
		assert.equal(error.code, code, JSON.stringify(body));
	}
	const recorded = await requests();
	assert.equal(recorded.length, cases.length);
	assert.ok(recorded.every((r) => r.status === 400 && r.reply === null && r.error));
});

const weatherTool = { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

test('tool call round trip (JSON): the model calls the tool, then answers from its result', async () => {
	await script([{ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } }, { text: 'It is sunny in Paris.' }]);
	const first = await (await post({ model: 'gpt-4o-mini', tools: [weatherTool], messages: [user('Weather in Paris?')] })).json() as any;
	const choice = first.choices[0];
	assert.equal(choice.finish_reason, 'tool_calls');
	assert.equal(choice.message.content, null);
	assert.equal(choice.message.tool_calls.length, 1);
	const call = choice.message.tool_calls[0];
	assert.match(call.id, /^call_[A-Za-z0-9]{24}$/);
	assert.deepEqual({ type: call.type, name: call.function.name, args: JSON.parse(call.function.arguments) }, { type: 'function', name: 'get_weather', args: { city: 'Paris' } });
	const history = [user('Weather in Paris?'), choice.message, { role: 'tool', tool_call_id: call.id, content: '{"sky":"sunny"}' }];
	const second = await (await post({ model: 'gpt-4o-mini', tools: [weatherTool], messages: history })).json() as any;
	assert.equal(second.choices[0].message.content, 'It is sunny in Paris.');
	assert.equal(second.choices[0].finish_reason, 'stop');
	// Without a script, the answer after a tool result says what the tool returned.
	const third = await (await post({ model: 'gpt-4o-mini', tools: [weatherTool], messages: history })).json() as any;
	assert.equal(third.choices[0].message.content, 'The tool get_weather returned: {"sky":"sunny"}');
	const recorded = await requests();
	assert.deepEqual(recorded[0].tools, [weatherTool]);
	assert.equal(recorded[1].messages[2].role, 'tool');
	assert.deepEqual(recorded.map((r) => r.reply.source), ['script', 'script', 'default']);
});

test('tool call round trip (streaming): id and name in one delta, the arguments in pieces, finish_reason tool_calls', async () => {
	await script([{ toolCall: { name: 'get_weather', arguments: { city: 'San Francisco', unit: 'celsius' }, id: 'call_fixed' } }, { text: 'Foggy.' }]);
	const evs = events(await (await post({ model: 'gpt-4o-mini', stream: true, tools: [weatherTool], messages: [user('SF?')] })).text());
	const deltas = evs.filter((e) => e !== '[DONE]').map((e) => e.choices[0]);
	assert.equal(deltas[0].delta.role, 'assistant');
	assert.equal(deltas[0].delta.content, null);
	const calls = deltas.flatMap((d) => d.delta.tool_calls ?? []);
	assert.deepEqual(calls[0], { index: 0, id: 'call_fixed', type: 'function', function: { name: 'get_weather', arguments: '' } });
	assert.ok(calls.length > 2);
	assert.ok(calls.slice(1).every((c: any) => c.index === 0 && !c.id && Object.keys(c.function).join() === 'arguments'));
	assert.deepEqual(JSON.parse(calls.map((c: any) => c.function.arguments).join('')), { city: 'San Francisco', unit: 'celsius' });
	assert.equal(deltas.at(-1).finish_reason, 'tool_calls');
	const history = [user('SF?'), { role: 'assistant', content: null, tool_calls: [{ id: 'call_fixed', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'call_fixed', content: 'fog' }];
	assert.deepEqual(contentOf(events(await (await post({ model: 'gpt-4o-mini', stream: true, messages: history })).text())), ['Foggy.']);
});

test('an error mid-stream: the pieces before it, then an SSE error event and the end (no [DONE]); "drop" kills the connection; JSON gets HTTP 500', async () => {
	await script([{ text: 'one two three four', errorAfterTokens: 2 }]);
	const evs = events(await (await post({ model: 'gpt-4o-mini', stream: true, messages: [user('x')] })).text());
	assert.deepEqual(contentOf(evs), ['one', ' two']);
	assert.deepEqual(evs.at(-1), { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } });
	assert.equal(evs.includes('[DONE]'), false);

	await script([{ text: 'one two three', errorAfterTokens: 1, errorMode: 'drop' }]);
	const dropped = await post({ model: 'gpt-4o-mini', stream: true, messages: [user('x')] });
	assert.equal(dropped.status, 200);
	await assert.rejects(dropped.text());

	await script([{ text: 'one two', errorAfterTokens: 1 }, { errorAfterTokens: 0, errorStatus: 429 }]);
	const json = await post({ model: 'gpt-4o-mini', messages: [user('x')] });
	assert.equal(json.status, 500);
	assert.equal((await json.json() as any).error.type, 'server_error');
	const limited = await post({ model: 'gpt-4o-mini', stream: true, messages: [user('x')] });
	assert.equal(limited.status, 429);
	assert.equal((await limited.json() as any).error.code, 'rate_limit_exceeded');
	const recorded = await requests();
	assert.ok(recorded.every((r) => r.reply.error));
	assert.deepEqual(recorded.map((r) => r.status), [200, 200, 500, 429]);
});

test('image parts are recorded as {type: image, mediaType, bytes, sha256}, and the default reply mentions them', async () => {
	const res = await post({ model: 'gpt-4o-mini', messages: [user([{ type: 'text', text: 'What is this?' }, pngPart])] });
	const body = await res.json() as any;
	const [r] = await requests();
	assert.deepEqual(r.messages[0].content, [{ type: 'text', text: 'What is this?' }, { type: 'image', mediaType: 'image/png', bytes: PNG.length, sha256: sha256(PNG) }]);
	assert.equal(body.choices[0].message.content, `You said: What is this?. Earlier you said: nothing. I see 1 image: image/png, ${PNG.length} bytes, sha256 ${sha256(PNG).slice(0, 12)}.`);
	assert.equal(JSON.stringify(r).includes(PNG.toString('base64')), false);
});

test('the default reply echoes the conversation: the last user text and the earlier ones', async () => {
	const first = await (await post({ model: 'gpt-4o-mini', messages: [user('my name is Ada')] })).json() as any;
	assert.equal(first.choices[0].message.content, 'You said: my name is Ada. Earlier you said: nothing.');
	const convo = [{ role: 'system', content: 'sys' }, user('my name is Ada'), { role: 'assistant', content: first.choices[0].message.content }, user('I like tea'), { role: 'assistant', content: 'ok' }, user('who am I?')];
	const evs = events(await (await post({ model: 'gpt-4o-mini', stream: true, messages: convo })).text());
	assert.equal(contentOf(evs).join(''), 'You said: who am I?. Earlier you said: my name is Ada | I like tea.');
});

test('match picks the first reply whose substring the last user message contains; times repeats a reply', async () => {
	await script([{ match: 'weather', text: 'Weather reply' }, { text: 'Any reply', times: 2 }]);
	const say = async (t: string) => (await (await post({ model: 'gpt-4o-mini', messages: [user(t)] })).json() as any).choices[0].message.content;
	assert.equal(await say('hello'), 'Any reply');
	assert.equal(await say('the weather?'), 'Weather reply');
	assert.equal(await say('again'), 'Any reply');
	assert.equal(await say('and again'), 'You said: and again. Earlier you said: nothing.');
	assert.deepEqual((await control(sb.baseUrl, 'GET', 'model/script')).replies, []);
	// The control API refuses a malformed reply.
	await assert.rejects(script([{ text: 1 }]), /replies\[0\]\.text must be a string/);
	await assert.rejects(script([{ txt: 'typo' }]), /replies\[0\]\.txt is not a reply field/);
	await assert.rejects(control(sb.baseUrl, 'PUT', 'model/script', { replies: 'x' }), /HTTP 400/);
});

test('repeat: a deterministic long markdown answer of about N characters in ~20-character tokens', async () => {
	await script([{ repeat: 3000 }, { repeat: 3000 }]);
	const a = contentOf(events(await (await post({ model: 'gpt-4o-mini', stream: true, messages: [user('long')] })).text()));
	const b = (await (await post({ model: 'gpt-4o-mini', messages: [user('long')] })).json() as any).choices[0].message.content;
	const text = a.join('');
	assert.equal(text, b);
	assert.ok(Math.abs(text.length - 3000) < 20, `length ${text.length}`);
	assert.ok(a.slice(0, -1).every((t) => t.length === 20));
	for (const feature of ['# Sandbox long answer', '\n## Part 1', '\n- item 1.1', '\n1. step', '\n```ts\n', '\n|---|---|---|\n']) assert.ok(text.includes(feature), feature);
});

test('hold/release: the last token waits for the go-ahead; the timeline records the first and last token', async () => {
	await script([{ tokens: ['a', 'b', 'c', 'd'], delayMs: 30, holdLastToken: true }]);
	const res = await post({ model: 'gpt-4o-mini', stream: true, messages: [user('x')] });
	const reader = res.body!.getReader();
	let text = '';
	const pump = (async () => {
		for (;;) {
			const { value, done } = await reader.read();
			if (done) return;
			text += Buffer.from(value).toString('utf8');
		}
	})();
	const held = await waitFor('the reply held', async () => (await requests())[0]?.reply?.held && (await requests())[0]);
	await waitFor('three pieces read', () => contentOf(events(text)).length === 3);
	await new Promise((r) => setTimeout(r, 100));
	assert.deepEqual(contentOf(events(text)), ['a', 'b', 'c']);
	assert.equal(text.includes('[DONE]'), false);
	assert.deepEqual(await control(sb.baseUrl, 'POST', 'model/release', { request_id: held.id }), { ok: true, released: 1 });
	await pump;
	assert.deepEqual(contentOf(events(text)), ['a', 'b', 'c', 'd']);
	assert.equal(events(text).at(-1), '[DONE]');
	const [r] = await requests();
	assert.equal(r.reply.held, false);
	assert.ok(r.reply.lastTokenAt - r.reply.firstTokenAt >= 160, `timeline ${r.reply.firstTokenAt} → ${r.reply.lastTokenAt}`);
	assert.ok(r.reply.finishedAt >= r.reply.lastTokenAt);
	// Non-streaming holds the whole answer; a release without a request id frees every held reply.
	await script([{ text: 'held answer', holdLastToken: true }]);
	const pending = post({ model: 'gpt-4o-mini', messages: [user('y')] });
	await waitFor('the JSON reply held', async () => (await requests())[1]?.reply?.held);
	assert.deepEqual(await control(sb.baseUrl, 'POST', 'model/release', {}), { ok: true, released: 1 });
	assert.equal((await (await pending).json() as any).choices[0].message.content, 'held answer');
});

test('firstTokenDelayMs and delayMs pace the stream', async () => {
	await script([{ tokens: ['x', 'y', 'z'], firstTokenDelayMs: 120, delayMs: 40 }]);
	const t0 = Date.now();
	await (await post({ model: 'gpt-4o-mini', stream: true, messages: [user('x')] })).text();
	const [r] = await requests();
	assert.ok(r.reply.firstTokenAt - t0 >= 110, `first token after ${r.reply.firstTokenAt - t0} ms`);
	assert.ok(r.reply.lastTokenAt - r.reply.firstTokenAt >= 70, `tokens over ${r.reply.lastTokenAt - r.reply.firstTokenAt} ms`);
});

test('/responses and other unknown paths get OpenAI\'s 404 (with a hint to turn the Responses API off); /_sandbox/reset clears the model too', async () => {
	const res = await fetch(`${base}/responses`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: '{}' });
	assert.equal(res.status, 404);
	const { error } = await res.json() as any;
	assert.match(error.message, /^Invalid URL \(POST \/v1\/responses\)\. .*responsesApiEnabled: false/);
	assert.equal(error.type, 'invalid_request_error');
	assert.equal((await fetch(`${base}/chat/completions`, { headers: { authorization: `Bearer ${KEY}` } })).status, 404);
	await script([{ text: 'queued' }]);
	await post({ model: 'gpt-4o-mini', messages: [user('x')] });
	await script([{ text: 'still queued' }]);
	await control(sb.baseUrl, 'POST', 'reset', {});
	assert.deepEqual(await requests(), []);
	assert.deepEqual((await control(sb.baseUrl, 'GET', 'model/script')).replies, []);
});

// --- The `openai` package n8n ships (what @langchain/openai calls under n8n's OpenAI Chat Model node). ---

function findOpenAiPackage(): { dir?: string; reason?: string } {
	const tried: string[] = [];
	for (const version of ['2.41.1', '1.123.81']) {
		const dir = path.join(cacheRoot(), `n8n-${version}`, 'node_modules', 'openai');
		tried.push(dir);
		if (fs.existsSync(path.join(dir, 'index.mjs'))) return { dir };
	}
	return { reason: `n8n's openai package is not installed (looked in ${tried.join(', ')}; scripts/n8n/install.ts puts it there)` };
}

const sdk = findOpenAiPackage();
const sdkTest = (name: string, fn: (client: any, OpenAI: any) => Promise<void>) =>
	test(`openai SDK: ${name}`, { skip: sdk.reason ?? false }, async () => {
		const OpenAI = (await import(pathToFileURL(path.join(sdk.dir!, 'index.mjs')).href)).default;
		await fn(new OpenAI({ apiKey: KEY, baseURL: base, maxRetries: 0 }), OpenAI);
	});

sdkTest('models.list and a non-streaming completion', async (client) => {
	const page = await client.models.list();
	assert.ok(page.data.some((m: any) => m.id === 'gpt-4o-mini'));
	await script([{ text: 'Hi from the sandbox.' }]);
	const c = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
	assert.equal(c.choices[0].message.content, 'Hi from the sandbox.');
	assert.ok(c.usage.total_tokens > 0);
	assert.match(c._request_id, /^req_\d+$/);
});

sdkTest('a stream with include_usage, as @langchain/openai asks for it', async (client) => {
	await script([{ tokens: ['Str', 'eam', 'ed', '.'] }]);
	const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'go' }] });
	const pieces: string[] = [];
	let usage: any;
	for await (const chunk of stream) {
		if (chunk.usage) usage = chunk.usage;
		const piece = chunk.choices[0]?.delta?.content;
		if (piece) pieces.push(piece);
	}
	assert.deepEqual(pieces, ['Str', 'eam', 'ed', '.']);
	assert.equal(usage.completion_tokens, 4);
	const [r] = await requests();
	assert.deepEqual(r.params.stream_options, { include_usage: true });
});

sdkTest('the stream helper accumulates a streamed tool call, then the answer after the tool result', async (client) => {
	await script([{ toolCall: { name: 'get_weather', arguments: { city: 'Oslo' } } }, { text: 'Snow in Oslo.' }]);
	const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', tools: [weatherTool], messages: [{ role: 'user', content: 'Oslo?' }] });
	const final = await runner.finalChatCompletion();
	const message = final.choices[0].message;
	assert.equal(final.choices[0].finish_reason, 'tool_calls');
	assert.equal(message.tool_calls[0].function.name, 'get_weather');
	assert.deepEqual(JSON.parse(message.tool_calls[0].function.arguments), { city: 'Oslo' });
	const answer = await client.chat.completions.create({
		model: 'gpt-4o-mini',
		messages: [{ role: 'user', content: 'Oslo?' }, { role: 'assistant', content: null, tool_calls: message.tool_calls }, { role: 'tool', tool_call_id: message.tool_calls[0].id, content: 'snow' }],
	});
	assert.equal(answer.choices[0].message.content, 'Snow in Oslo.');
});

sdkTest('errors: 401 AuthenticationError, 400 BadRequestError, an APIError mid-stream after the first pieces', async (client, OpenAI) => {
	// The SDK refuses an empty key itself; a header that is not Bearer reaches the sandbox.
	const anonymous = new OpenAI({ apiKey: 'unused', baseURL: base, maxRetries: 0, defaultHeaders: { authorization: 'Basic dXNlcjpwYXNz' } });
	await assert.rejects(anonymous.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), (e: any) => e instanceof OpenAI.AuthenticationError && e.status === 401);
	await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }), (e: any) => e instanceof OpenAI.BadRequestError && e.code === 'empty_array' && e.param === 'messages');
	await script([{ text: 'before the break and after', errorAfterTokens: 3 }]);
	const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x' }] });
	const pieces: string[] = [];
	await assert.rejects(
		(async () => {
			for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) pieces.push(chunk.choices[0].delta.content);
		})(),
		(e: any) => e instanceof OpenAI.APIError && /server had an error/.test(e.message),
	);
	assert.deepEqual(pieces, ['before', ' the', ' break']);
});

sdkTest('an image part sent through the SDK is recorded with the right SHA-256', async (client) => {
	await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, pngPart] }] });
	const [r] = await requests();
	assert.deepEqual(r.messages[0].content[1], { type: 'image', mediaType: 'image/png', bytes: PNG.length, sha256: sha256(PNG) });
});

// --- @langchain/openai's ChatOpenAI from each n8n install: the class n8n's OpenAI Chat Model node builds. ---

for (const version of ['2.41.1', '1.123.81']) {
	const dir = path.join(cacheRoot(), `n8n-${version}`);
	const present = fs.existsSync(path.join(dir, 'node_modules', '@langchain', 'openai', 'package.json'));
	test(`@langchain/openai of n8n ${version}: invoke, stream with usage, a tool round trip, and the Responses API refused with a hint`, { skip: present ? false : `n8n ${version} is not installed in ${dir} (scripts/n8n/install.ts puts it there)` }, async () => {
		const load = createRequire(path.join(dir, 'package.json'));
		const { ChatOpenAI } = load('@langchain/openai');
		const { AIMessage, HumanMessage, ToolMessage } = load('@langchain/core/messages');
		const fields = { apiKey: KEY, model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: base } };
		const model = new ChatOpenAI(fields);
		const answer = await model.invoke([new HumanMessage('I am Ada'), new AIMessage('Hello Ada'), new HumanMessage('who am I?')]);
		assert.equal(answer.content, 'You said: who am I?. Earlier you said: I am Ada.');
		let streamed = '';
		let usage: any;
		for await (const chunk of await model.stream('streamed')) {
			streamed += chunk.content;
			usage = chunk.usage_metadata ?? usage;
		}
		assert.equal(streamed, 'You said: streamed. Earlier you said: nothing.');
		assert.ok(usage?.total_tokens > 0);
		await script([{ toolCall: { name: 'get_weather', arguments: { city: 'Rome' } } }, { text: 'Warm in Rome.' }]);
		const bound = model.bindTools([weatherTool]);
		const call = await bound.invoke('weather in Rome?');
		assert.deepEqual(call.tool_calls.map((c: any) => [c.name, c.args]), [['get_weather', { city: 'Rome' }]]);
		const final = await bound.invoke([new HumanMessage('weather in Rome?'), call, new ToolMessage({ tool_call_id: call.tool_calls[0].id, content: 'warm' })]);
		assert.equal(final.content, 'Warm in Rome.');
		const recorded = await requests();
		assert.deepEqual(recorded.map((r) => [r.stream, r.params.stream_options ?? null]), [[false, null], [true, { include_usage: true }], [false, null], [false, null]]);
		assert.equal(recorded[2].tools[0].function.name, 'get_weather');
		await assert.rejects(new ChatOpenAI({ ...fields, useResponsesApi: true }).invoke('hi'), /responsesApiEnabled: false/);
	});
}
