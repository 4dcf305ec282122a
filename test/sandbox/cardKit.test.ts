// CardKit in the sandbox (docs/protocol.md, "CardKit: card entities and streaming"): card entities made from
// card JSON 2.0, changed by sequence-numbered operations (stream a text element, settings, full update,
// components), limited to 10 operations a second per card, streaming mode closing itself after its timeout,
// sent once as an interactive message whose content follows the entity, and the /_sandbox/cardkit/ control
// API (entities, their history, every refusal). Plain HTTP, as any client would call Feishu.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { APP, control } from '../helpers/sandboxTests';

const OTHER = { appId: 'cli_other0000cardkit', appSecret: 'other-secret', botName: 'Other Bot' };

let sb: Sandbox;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true, apps: [APP, OTHER] });
});
after(() => sb.close());

type Json = Record<string, any>;
interface Answer {
	status: number;
	json: Json;
	headers: Headers;
}

/** tenant_access_token per sandbox and app, fetched once. */
const tokens = new Map<string, string>();
async function tokenFor(base: string, app: { appId: string; appSecret: string }): Promise<string> {
	const key = `${base}|${app.appId}`;
	const cached = tokens.get(key);
	if (cached) return cached;
	const res = await fetch(`${base}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: app.appId, app_secret: app.appSecret }) });
	const token = ((await res.json()) as { tenant_access_token: string }).tenant_access_token;
	tokens.set(key, token);
	return token;
}

async function call(method: string, path: string, body?: unknown, opts: { app?: typeof OTHER; base?: string } = {}): Promise<Answer> {
	const base = opts.base ?? sb.baseUrl;
	const token = await tokenFor(base, opts.app ?? APP);
	const res = await fetch(`${base}${path}`, {
		method,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: res.status, json: (await res.json()) as Json, headers: res.headers };
}

/** A streaming card with one markdown element to type into and a button (not text). */
function streamingCard(over: Json = {}): Json {
	return {
		schema: '2.0',
		config: { streaming_mode: true, summary: { content: '[Generating]' } },
		header: { title: { tag: 'plain_text', content: 'Answer' } },
		body: {
			elements: [
				{ tag: 'markdown', element_id: 'answer', content: '' },
				{ tag: 'button', element_id: 'stop', text: { tag: 'plain_text', content: 'Stop' }, behaviors: [{ type: 'callback', value: { stop: true } }] },
			],
		},
		...over,
	};
}

const createRaw = (data: string, opts: { base?: string; app?: typeof OTHER } = {}) => call('POST', '/open-apis/cardkit/v1/cards', { type: 'card_json', data }, opts);

async function create(card: Json, opts: { base?: string } = {}): Promise<string> {
	const r = await createRaw(JSON.stringify(card), opts);
	assert.equal(r.json.code, 0, JSON.stringify(r.json));
	return r.json.data.card_id as string;
}

const content = (cardId: string, elementId: string, text: string, sequence: number, extra: Json = {}, opts: { base?: string; app?: typeof OTHER } = {}) =>
	call('PUT', `/open-apis/cardkit/v1/cards/${cardId}/elements/${elementId}/content`, { content: text, sequence, ...extra }, opts);
const settings = (cardId: string, value: Json, sequence: number, extra: Json = {}, opts: { base?: string; app?: typeof OTHER } = {}) =>
	call('PATCH', `/open-apis/cardkit/v1/cards/${cardId}/settings`, { settings: JSON.stringify(value), sequence, ...extra }, opts);
const update = (cardId: string, card: Json, sequence: number, extra: Json = {}, opts: { base?: string; app?: typeof OTHER } = {}) =>
	call('PUT', `/open-apis/cardkit/v1/cards/${cardId}`, { card: { type: 'card_json', data: JSON.stringify(card) }, sequence, ...extra }, opts);
const entity = (cardId: string, base = sb.baseUrl) => control<Json>(base, 'GET', `cardkit/cards/${cardId}`);
const markdownOf = (card: Json, elementId = 'answer') => card.body.elements.find((el: Json) => el.element_id === elementId)?.content;
const sendEntity = (cardId: string, extra: Json = {}, opts: { base?: string; app?: typeof OTHER } = {}) =>
	call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', { receive_id: 'ou_cardkit_reader', msg_type: 'interactive', content: JSON.stringify({ type: 'card', data: { card_id: cardId } }), ...extra }, opts);

/** A refusal: HTTP status and Feishu code, with the message for the failure report. */
function refused(r: Answer, status: number, code: number, msg?: RegExp): void {
	assert.equal(r.status, status, JSON.stringify(r.json));
	assert.equal(r.json.code, code, JSON.stringify(r.json));
	if (msg) assert.match(String(r.json.msg), msg);
}

test('create: a card JSON 2.0 entity gets a 19-digit card_id; its state, streaming mode and history are in the control API', async () => {
	const card = streamingCard();
	const cardId = await create(card);
	assert.match(cardId, /^7\d{18}$/);
	const e = await entity(cardId);
	assert.equal(e.app_id, APP.appId);
	assert.equal(e.type, 'card_json');
	assert.deepEqual(e.card, card);
	assert.equal(e.streaming_mode, true);
	assert.equal(e.sequence, 0);
	assert.equal(e.message_id, null);
	assert.deepEqual(e.history.map((h: Json) => [h.op, h.code]), [['create', 0]]);
	const { cards } = await control<{ cards: Json[] }>(sb.baseUrl, 'GET', `cardkit/cards?app_id=${APP.appId}`);
	assert.ok(cards.some((c) => c.card_id === cardId && c.operations === 1));
	// Not streaming unless the card says so.
	const quiet = await create(streamingCard({ config: {} }));
	assert.equal((await entity(quiet)).streaming_mode, false);
});

test('create refuses: schema 1.0 300303, empty 300307, bad JSON 200220, duplicate element_id 300301, over 30 KB 200860, update_multi false 300302; nothing is created', async () => {
	const before = (await control<{ cards: Json[] }>(sb.baseUrl, 'GET', 'cardkit/cards')).cards.length;
	refused(await createRaw(JSON.stringify({ config: {}, elements: [{ tag: 'markdown', content: 'v1' }] })), 400, 300303, /Only schema 2.0 is supported/);
	refused(await createRaw(JSON.stringify({ schema: '1.0', body: { elements: [] } })), 400, 300303);
	refused(await createRaw('   '), 400, 300307, /The card DSL is empty/);
	refused(await createRaw('null'), 400, 300307);
	refused(await createRaw('{"schema": "2.0", "body": '), 400, 200220, /Failed to generate card content/);
	refused(await createRaw('[1, 2]'), 400, 200220);
	const twice = streamingCard({ body: { elements: [{ tag: 'markdown', element_id: 'same', content: 'a' }, { tag: 'markdown', element_id: 'same', content: 'b' }] } });
	refused(await createRaw(JSON.stringify(twice)), 400, 300301, /Duplicate element_id.*same/);
	const big = streamingCard({ body: { elements: [{ tag: 'markdown', element_id: 'answer', content: 'x'.repeat(31 * 1024) }] } });
	refused(await createRaw(JSON.stringify(big)), 400, 200860, /Card content exceeds limit/);
	refused(await createRaw(JSON.stringify(streamingCard({ config: { update_multi: false } }))), 400, 300302);
	refused(await createRaw(JSON.stringify(streamingCard({ body: { elements: [{ tag: 'markdown', element_id: '9starts_with_digit' }] } }))), 400, 200220, /element_id/);
	// The request's own fields: Feishu's schema check (99992402) and 10002 for an unknown card type.
	refused(await call('POST', '/open-apis/cardkit/v1/cards', { type: 'card_json' }), 400, 99992402);
	refused(await call('POST', '/open-apis/cardkit/v1/cards', { type: 'html', data: '{}' }), 400, 10002);
	assert.equal((await control<{ cards: Json[] }>(sb.baseUrl, 'GET', 'cardkit/cards')).cards.length, before, 'no entity for a refused create');
	const { rejections } = await control<{ rejections: Json[] }>(sb.baseUrl, 'GET', 'cardkit/rejections?code=300301');
	assert.ok(rejections.some((r) => r.op === 'create' && r.card_id === null && r.app_id === APP.appId && r.http_status === 400));
});

test('stream content: each sequence must be greater than the last; an equal or lower one is 300317 and changes nothing', async () => {
	const cardId = await create(streamingCard());
	assert.equal((await content(cardId, 'answer', 'Hel', 1)).json.code, 0);
	assert.equal((await content(cardId, 'answer', 'Hello', 2)).json.code, 0);
	refused(await content(cardId, 'answer', 'Hijacked', 2), 400, 300317, /sequence/);
	refused(await content(cardId, 'answer', 'Older', 1), 400, 300317);
	let e = await entity(cardId);
	assert.equal(markdownOf(e.card), 'Hello', 'the refused operations left the text alone');
	assert.equal(e.sequence, 2);
	// Gaps are fine: greater is enough.
	assert.equal((await content(cardId, 'answer', 'Hello, world', 10)).json.code, 0);
	assert.equal((await content(cardId, 'answer', 'Goodbye', 11)).json.code, 0);
	e = await entity(cardId);
	assert.equal(markdownOf(e.card), 'Goodbye');
	assert.equal(e.sequence, 11);
	const ops = e.history.filter((h: Json) => h.op === 'content').map((h: Json) => [h.sequence, h.code, h.appended ?? null]);
	// appended: whether the new text continues the old (Feishu types only the new part then).
	assert.deepEqual(ops, [[1, 0, true], [2, 0, true], [2, 300317, null], [1, 300317, null], [10, 0, true], [11, 0, false]]);
	// The request's checks: sequence 1..2147483647, content 1..100000 characters.
	refused(await content(cardId, 'answer', 'x', 0), 400, 99992402);
	refused(await content(cardId, 'answer', 'x', 2_147_483_648), 400, 99992402);
	refused(await content(cardId, 'answer', '', 12), 400, 99992402);
	refused(await call('PUT', `/open-apis/cardkit/v1/cards/${cardId}/elements/answer/content`, { content: 'no sequence' }), 400, 99992402);
});

test('stream content refuses: streaming mode off 300309, a component that is not text 300310, an unknown element 300313; the sequence stays', async () => {
	const quiet = await create(streamingCard({ config: {} }));
	refused(await content(quiet, 'answer', 'typing', 1), 400, 300309, /Card streaming closed/);
	const cardId = await create(streamingCard());
	refused(await content(cardId, 'stop', 'not a text', 1), 400, 300310, /Only update text/);
	refused(await content(cardId, 'nowhere', 'lost', 1), 400, 300313, /nowhere/);
	refused(await content('7000000000000000001', 'answer', 'x', 1), 400, 200740, /does not exist/);
	// The path's element_id may be up to 64 characters (the page's rule); a long one is simply not in the card.
	refused(await content(cardId, 'e'.repeat(64), 'x', 1), 400, 300313);
	refused(await content(cardId, 'e'.repeat(65), 'x', 1), 400, 99992402);
	assert.equal((await entity(cardId)).sequence, 0, 'refusals do not use up a sequence');
	assert.equal((await content(cardId, 'answer', 'now it works', 1)).json.code, 0);
	// A plain_text element (here the header's title) streams too.
	const titled = await create(streamingCard({ header: { title: { tag: 'plain_text', element_id: 'title', content: '' } } }));
	assert.equal((await content(titled, 'title', 'Thinking…', 1)).json.code, 0);
	assert.equal((await entity(titled)).card.header.title.content, 'Thinking…');
});

test('settings: streaming_mode false closes streaming (then 300309), true opens it again; config and card_link merge; bad settings refused', async () => {
	const cardId = await create(streamingCard());
	assert.equal((await content(cardId, 'answer', 'Done.', 1)).json.code, 0);
	assert.equal((await settings(cardId, { config: { streaming_mode: false, summary: { content: 'Done.' } }, card_link: { url: 'https://example.com/answer' } }, 2)).json.code, 0);
	let e = await entity(cardId);
	assert.equal(e.streaming_mode, false);
	assert.equal(e.streaming_closed_by, 'settings');
	assert.deepEqual(e.card.config, { streaming_mode: false, summary: { content: 'Done.' } });
	assert.deepEqual(e.card.card_link, { url: 'https://example.com/answer' });
	assert.equal(markdownOf(e.card), 'Done.', 'settings keep the body');
	refused(await content(cardId, 'answer', 'Done. More', 3), 400, 300309);
	assert.equal((await settings(cardId, { config: { streaming_mode: true } }, 4)).json.code, 0);
	assert.equal((await entity(cardId)).streaming_mode, true);
	assert.equal((await content(cardId, 'answer', 'Done. More', 5)).json.code, 0);
	refused(await call('PATCH', `/open-apis/cardkit/v1/cards/${cardId}/settings`, { settings: '{"config":', sequence: 6 }), 400, 200220);
	refused(await settings(cardId, { config: { update_multi: false } }, 6), 400, 300302);
	refused(await settings(cardId, { config: 'streaming' }, 6), 400, 300122);
	refused(await settings(cardId, { config: { streaming_mode: 'yes' } }, 6), 400, 300122);
	e = await entity(cardId);
	assert.equal(e.sequence, 5);
	assert.equal(markdownOf(e.card), 'Done. More');
});

test('full update: the new card replaces the old, its config decides streaming mode; it is checked like a create', async () => {
	const cardId = await create(streamingCard());
	assert.equal((await content(cardId, 'answer', 'Draft', 1)).json.code, 0);
	const final = { schema: '2.0', header: { title: { tag: 'plain_text', content: 'Final answer' } }, body: { elements: [{ tag: 'markdown', element_id: 'answer', content: '**42**' }] } };
	assert.equal((await update(cardId, final, 2)).json.code, 0);
	let e = await entity(cardId);
	assert.deepEqual(e.card, final);
	assert.equal(e.streaming_mode, false);
	assert.equal(e.streaming_closed_by, 'update');
	refused(await content(cardId, 'answer', '**43**', 3), 400, 300309);
	// A new card that streams turns it back on.
	assert.equal((await update(cardId, streamingCard(), 3)).json.code, 0);
	assert.equal((await entity(cardId)).streaming_mode, true);
	refused(await update(cardId, { elements: [] }, 4), 400, 300303);
	refused(await update(cardId, streamingCard({ body: { elements: [{ tag: 'markdown', element_id: 'a' }, { tag: 'markdown', element_id: 'a' }] } }), 4), 400, 300301);
	refused(await update(cardId, streamingCard({ body: { elements: [{ tag: 'markdown', element_id: 'a', content: 'y'.repeat(40_000) }] } }), 4), 400, 200860);
	refused(await call('PUT', `/open-apis/cardkit/v1/cards/${cardId}`, { card: { type: 'template', data: '{}' }, sequence: 4 }), 400, 99992402);
	e = await entity(cardId);
	assert.equal(e.sequence, 3);
	assert.deepEqual(e.card, streamingCard());
});

test('a template entity: stored as {type: template, data}; a full update makes it card JSON, which then takes components', async () => {
	const r = await call('POST', '/open-apis/cardkit/v1/cards', { type: 'template', data: JSON.stringify({ template_id: 'AAqkz9aBcDeFg', template_variable: { name: 'Ann' } }) });
	assert.equal(r.json.code, 0, JSON.stringify(r.json));
	const cardId = r.json.data.card_id as string;
	let e = await entity(cardId);
	assert.equal(e.type, 'template');
	assert.deepEqual(e.card, { type: 'template', data: { template_id: 'AAqkz9aBcDeFg', template_variable: { name: 'Ann' } } });
	refused(await call('POST', '/open-apis/cardkit/v1/cards', { type: 'template', data: '{}' }), 400, 200220, /template_id/);
	const addButton = (sequence: number) => call('POST', `/open-apis/cardkit/v1/cards/${cardId}/elements`, { type: 'append', elements: JSON.stringify([{ tag: 'hr', element_id: 'rule' }]), sequence });
	refused(await addButton(1), 400, 300303);
	assert.equal((await update(cardId, streamingCard({ config: {} }), 1)).json.code, 0);
	e = await entity(cardId);
	assert.equal(e.type, 'card_json');
	assert.equal((await addButton(2)).json.code, 0);
	assert.deepEqual((await entity(cardId)).card.body.elements.map((el: Json) => el.element_id), ['answer', 'stop', 'rule']);
});

test('components: added before, after or appended, deleted (a container with what is in it); element_ids stay unique', async () => {
	const cardId = await create(streamingCard());
	const add = (body: Json, sequence: number) => call('POST', `/open-apis/cardkit/v1/cards/${cardId}/elements`, { ...body, sequence });
	assert.equal((await add({ type: 'insert_before', target_element_id: 'answer', elements: JSON.stringify([{ tag: 'markdown', element_id: 'intro', content: 'Hi' }]) }, 1)).json.code, 0);
	assert.equal((await add({ type: 'append', elements: JSON.stringify([{ tag: 'column_set', element_id: 'cols', columns: [] }, { tag: 'hr', element_id: 'line' }]) }, 2)).json.code, 0);
	assert.equal((await add({ type: 'insert_after', target_element_id: 'intro', elements: JSON.stringify([{ tag: 'markdown', element_id: 'note', content: '…' }]) }, 3)).json.code, 0);
	let ids = (await entity(cardId)).card.body.elements.map((el: Json) => el.element_id);
	assert.deepEqual(ids, ['intro', 'note', 'answer', 'stop', 'cols', 'line']);
	refused(await add({ type: 'append', elements: JSON.stringify([{ tag: 'markdown', element_id: 'intro' }]) }, 4), 400, 300301);
	refused(await add({ type: 'insert_after', target_element_id: 'ghost', elements: JSON.stringify([{ tag: 'hr' }]) }, 4), 400, 300315);
	const del = (elementId: string, sequence: number) => call('DELETE', `/open-apis/cardkit/v1/cards/${cardId}/elements/${elementId}`, { sequence });
	assert.equal((await del('note', 4)).json.code, 0);
	refused(await del('note', 5), 400, 300314);
	ids = (await entity(cardId)).card.body.elements.map((el: Json) => el.element_id);
	assert.deepEqual(ids, ['intro', 'answer', 'stop', 'cols', 'line']);
});

test('per card: at most 10 operations a second; the 11th is HTTP 429 code 99991400 and is not applied; other cards are not held up', async () => {
	const cardId = await create(streamingCard());
	const other = await create(streamingCard());
	const started = Date.now();
	for (let n = 1; n <= 10; n++) assert.equal((await content(cardId, 'answer', 'x'.repeat(n), n)).json.code, 0);
	const eleventh = await content(cardId, 'answer', 'x'.repeat(11), 11);
	const elapsed = Date.now() - started;
	assert.ok(elapsed < 1000, `the eleven calls took ${elapsed} ms; the limit is per second`);
	refused(eleventh, 429, 99991400, /frequency limit/);
	assert.equal(eleventh.headers.get('x-ogw-ratelimit-limit'), '10');
	assert.match(String(eleventh.headers.get('x-ogw-ratelimit-reset')), /^\d+$/);
	assert.equal((await content(other, 'answer', 'unaffected', 1)).json.code, 0);
	let e = await entity(cardId);
	assert.equal(e.sequence, 10);
	assert.equal(markdownOf(e.card), 'x'.repeat(10));
	// A second later there is room again, and sequence 11 is still free (the refused call did not use it).
	await new Promise((r) => setTimeout(r, Math.max(0, 1050 - (Date.now() - started))));
	assert.equal((await content(cardId, 'answer', 'x'.repeat(11), 11)).json.code, 0);
	e = await entity(cardId);
	assert.equal(e.sequence, 11);
});

test('the app\'s own limit (Feishu: 50/s and 1000/min per API) counts operations on cards that do not stream, not on streaming ones', async () => {
	const limited = await startSandbox({ port: 0, quiet: true, rateLimitPerMinute: 4 });
	try {
		const base = limited.baseUrl;
		const streaming = await create(streamingCard(), { base });
		const quiet = await create(streamingCard({ config: {} }), { base });
		// Streaming mode: more than the minute's 4 calls, all answered (only the per-card 10/s applies).
		for (let n = 1; n <= 6; n++) assert.equal((await content(streaming, 'answer', `${n}`, n, {}, { base })).json.code, 0);
		for (let n = 1; n <= 4; n++) assert.equal((await settings(quiet, { config: { width_mode: 'fill' } }, n, {}, { base })).json.code, 0);
		refused(await settings(quiet, { config: { width_mode: 'compact' } }, 5, {}, { base }), 429, 99991400);
		// Creates have their own count: 2 so far, 2 more fit, the fifth does not.
		await create(streamingCard(), { base });
		await create(streamingCard(), { base });
		refused(await createRaw(JSON.stringify(streamingCard()), { base }), 429, 99991400);
		assert.equal((await entity(quiet, base)).card.config.width_mode, 'fill');
	} finally {
		await limited.close();
	}
});

test('uuid: a repeat is answered without being applied again (even after later operations); the same uuid for another operation is 200770', async () => {
	const cardId = await create(streamingCard());
	assert.equal((await content(cardId, 'answer', 'A', 1, { uuid: 'op-1' })).json.code, 0);
	assert.equal((await content(cardId, 'answer', 'A', 1, { uuid: 'op-1' })).json.code, 0, 'the same request again');
	assert.equal((await content(cardId, 'answer', 'AB', 2, { uuid: 'op-2' })).json.code, 0);
	assert.equal((await content(cardId, 'answer', 'A', 1, { uuid: 'op-1' })).json.code, 0, 'a late retry of op-1 is not a sequence error');
	let e = await entity(cardId);
	assert.equal(markdownOf(e.card), 'AB', 'the retry did not undo op-2');
	assert.equal(e.sequence, 2);
	assert.equal(e.history.filter((h: Json) => h.replay === true).length, 2);
	refused(await content(cardId, 'answer', 'ABC', 3, { uuid: 'op-1' }), 400, 200770, /UUID conflict/);
	refused(await settings(cardId, { config: { streaming_mode: false } }, 3, { uuid: 'op-2' }), 400, 200770);
	refused(await content(cardId, 'answer', 'ABC', 3, { uuid: 'u'.repeat(65) }), 400, 99992402);
	e = await entity(cardId);
	assert.equal(markdownOf(e.card), 'AB');
	assert.equal(e.streaming_mode, true);
	// A uuid belongs to its card: another card may use it.
	const second = await create(streamingCard());
	assert.equal((await content(second, 'answer', 'A', 1, { uuid: 'op-1' })).json.code, 0);
});

test('another app\'s card: 300311 for every operation and for sending it; the card is unchanged', async () => {
	const cardId = await create(streamingCard());
	const asOther = { app: OTHER };
	refused(await content(cardId, 'answer', 'mine now', 1, {}, asOther), 400, 300311, /does not have permission/);
	refused(await settings(cardId, { config: { streaming_mode: false } }, 1, {}, asOther), 400, 300311);
	refused(await update(cardId, streamingCard(), 1, {}, asOther), 400, 300311);
	refused(await call('DELETE', `/open-apis/cardkit/v1/cards/${cardId}/elements/stop`, { sequence: 1 }, asOther), 400, 300311);
	const send = await sendEntity(cardId, {}, asOther);
	refused(send, 400, 230099, /ErrCode: 300311/);
	const e = await entity(cardId);
	assert.equal(e.sequence, 0);
	assert.equal(e.streaming_mode, true);
	assert.equal(e.message_id, null);
	const { rejections } = await control<{ rejections: Json[] }>(sb.baseUrl, 'GET', `cardkit/rejections?card_id=${cardId}&app_id=${OTHER.appId}`);
	assert.deepEqual(rejections.map((r) => [r.op, r.code]), [['content', 300311], ['settings', 300311], ['update', 300311], ['element_delete', 300311], ['send', 230099]]);
	// Its own app still can.
	assert.equal((await content(cardId, 'answer', 'still mine', 1)).json.code, 0);
});

test('sent as a message once (send and reply); a second send is 230099; the message shows the entity\'s current card', async () => {
	const cardId = await create(streamingCard());
	const sent = await sendEntity(cardId, { uuid: 'send-card-once' });
	assert.equal(sent.json.code, 0, JSON.stringify(sent.json));
	const messageId = sent.json.data.message_id as string;
	assert.equal(sent.json.data.msg_type, 'interactive');
	assert.deepEqual(JSON.parse(sent.json.data.body.content), streamingCard());
	assert.equal((await entity(cardId)).message_id, messageId);
	// The same uuid is the same send (the first message), not a second one.
	const again = await sendEntity(cardId, { uuid: 'send-card-once' });
	assert.equal(again.json.code, 0);
	assert.equal(again.json.data.message_id, messageId);
	refused(await sendEntity(cardId), 400, 230099, /cardid is invalid/);
	refused(await call('POST', `/open-apis/im/v1/messages/${messageId}/reply`, { msg_type: 'interactive', content: JSON.stringify({ type: 'card', data: { card_id: cardId } }) }), 400, 230099);

	// Streaming into the entity changes what the message shows, through the Open API and the chat.
	assert.equal((await content(cardId, 'answer', 'The answer is', 1)).json.code, 0);
	assert.equal((await content(cardId, 'answer', 'The answer is 42.', 2)).json.code, 0);
	const got = await call('GET', `/open-apis/im/v1/messages/${messageId}`);
	assert.equal(got.json.code, 0);
	const shown = JSON.parse(got.json.data.items[0].body.content);
	assert.equal(markdownOf(shown), 'The answer is 42.');
	assert.equal(shown.config.streaming_mode, true);
	assert.equal((await settings(cardId, { config: { streaming_mode: false } }, 3)).json.code, 0);
	const chatId = got.json.data.items[0].chat_id as string;
	const { messages } = await control<{ messages: Json[] }>(sb.baseUrl, 'GET', `chats/${chatId}/messages`);
	const inChat = messages.find((m) => m.message_id === messageId)!;
	assert.equal(markdownOf(inChat.content), 'The answer is 42.');
	assert.equal(inChat.content.config.streaming_mode, false);
	// The chat page finds the entities of a chat and whether they stream.
	const { cards } = await control<{ cards: Json[] }>(sb.baseUrl, 'GET', `cardkit/cards?chat_id=${chatId}`);
	assert.deepEqual(cards.map((c) => [c.card_id, c.message_id, c.streaming_mode]), [[cardId, messageId, false]]);

	// A reply shows an entity the same way, once.
	const second = await create(streamingCard());
	const reply = await call('POST', `/open-apis/im/v1/messages/${messageId}/reply`, { msg_type: 'interactive', content: JSON.stringify({ type: 'card', data: { card_id: second } }) });
	assert.equal(reply.json.code, 0, JSON.stringify(reply.json));
	assert.equal(reply.json.data.parent_id, messageId);
	assert.equal((await entity(second)).message_id, reply.json.data.message_id);
	refused(await call('POST', `/open-apis/im/v1/messages/${messageId}/reply`, { msg_type: 'interactive', content: JSON.stringify({ type: 'card', data: { card_id: second } }) }), 400, 230099);
	assert.equal((await content(second, 'answer', 'In the thread', 1)).json.code, 0);
	const replyShown = JSON.parse((await call('GET', `/open-apis/im/v1/messages/${reply.json.data.message_id}`)).json.data.items[0].body.content);
	assert.equal(markdownOf(replyShown), 'In the thread');

	// No such entity, no card_id.
	refused(await sendEntity('7000000000000000002'), 400, 230099, /ErrCode: 11310/);
	refused(await call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', { receive_id: 'ou_cardkit_reader', msg_type: 'interactive', content: JSON.stringify({ type: 'card', data: {} }) }), 400, 230001);
	const sends = (await control<{ rejections: Json[] }>(sb.baseUrl, 'GET', `cardkit/rejections?card_id=${cardId}`)).rejections.filter((r) => r.op === 'send');
	assert.equal(sends.length, 2, 'the second send and the second reply');
	assert.deepEqual((await entity(cardId)).history.filter((h: Json) => h.op === 'send' && h.code === 0).map((h: Json) => h.message_id), [messageId]);
});

test('the app needs cardkit:card:write: without it every CardKit call is 99991672', async () => {
	const cardId = await create(streamingCard());
	await control(sb.baseUrl, 'PUT', `apps/${APP.appId}/scopes`, { missing: ['cardkit:card:write'] });
	try {
		refused(await createRaw(JSON.stringify(streamingCard())), 400, 99991672, /cardkit:card:write/);
		refused(await content(cardId, 'answer', 'x', 1), 400, 99991672);
	} finally {
		await control(sb.baseUrl, 'PUT', `apps/${APP.appId}/scopes`, {});
	}
	assert.equal((await content(cardId, 'answer', 'x', 1)).json.code, 0);
});

test('streaming mode closes itself after cardStreamingTimeoutMs: content is then 200850, the card and its message say streaming_mode false, settings reopen it', async () => {
	const short = await startSandbox({ port: 0, quiet: true, cardStreamingTimeoutMs: 300 });
	try {
		const base = short.baseUrl;
		const cardId = await create(streamingCard(), { base });
		const sent = await sendEntity(cardId, {}, { base });
		assert.equal(sent.json.code, 0);
		const messageId = sent.json.data.message_id as string;
		const chatId = sent.json.data.chat_id as string;
		assert.equal((await content(cardId, 'answer', 'Working', 1, {}, { base })).json.code, 0);
		// Streaming more does not extend it: the time counts from when streaming was turned on.
		await new Promise((r) => setTimeout(r, 150));
		assert.equal((await content(cardId, 'answer', 'Working on it', 2, {}, { base })).json.code, 0);
		await new Promise((r) => setTimeout(r, 300));
		// The close reaches the message without any further call on the card (what the chat page shows).
		const { messages } = await control<{ messages: Json[] }>(base, 'GET', `chats/${chatId}/messages`);
		assert.equal(messages.find((m) => m.message_id === messageId)!.content.config.streaming_mode, false);
		refused(await content(cardId, 'answer', 'Too late', 3, {}, { base }), 400, 200850, /Card streaming timeout/);
		// Only the first call after the timeout hears why; later ones that streaming is closed.
		refused(await content(cardId, 'answer', 'Still too late', 3, {}, { base }), 400, 300309);
		const e = await entity(cardId, base);
		assert.equal(e.streaming_mode, false);
		assert.equal(e.streaming_closed_by, 'timeout');
		assert.equal(markdownOf(e.card), 'Working on it');
		assert.deepEqual(e.history.map((h: Json) => [h.op, h.code]), [['create', 0], ['send', 0], ['content', 0], ['content', 0], ['streaming_timeout', 0], ['content', 200850], ['content', 300309]]);
		// Settings turn it on again, for another full timeout.
		assert.equal((await settings(cardId, { config: { streaming_mode: true } }, 3, {}, { base })).json.code, 0);
		assert.equal((await content(cardId, 'answer', 'Back again', 4, {}, { base })).json.code, 0);
		assert.equal((await entity(cardId, base)).streaming_mode, true);
		// A second timeout answers 200850 again; the app closing it after that makes it plain 300309.
		await new Promise((r) => setTimeout(r, 400));
		refused(await content(cardId, 'answer', 'Late again', 5, {}, { base }), 400, 200850);
		const other = await create(streamingCard(), { base });
		await new Promise((r) => setTimeout(r, 400));
		assert.equal((await settings(other, { config: { streaming_mode: false } }, 1, {}, { base })).json.code, 0);
		assert.equal((await entity(other, base)).streaming_closed_by, 'settings');
		refused(await content(other, 'answer', 'x', 2, {}, { base }), 400, 300309);
	} finally {
		await short.close();
	}
});

test('rejections: every refused operation with its time, op, sequence, code and message, filterable; in the entity\'s history too; reset clears them', async () => {
	const since = Date.now();
	const cardId = await create(streamingCard());
	assert.equal((await content(cardId, 'answer', 'one', 1)).json.code, 0);
	await content(cardId, 'answer', 'stale', 1);
	await content(cardId, 'ghost', 'x', 2);
	await settings(cardId, { config: { update_multi: false } }, 2);
	const { rejections } = await control<{ rejections: Json[] }>(sb.baseUrl, 'GET', `cardkit/rejections?card_id=${cardId}`);
	assert.deepEqual(
		rejections.map((r) => [r.op, r.sequence, r.code, r.http_status, r.element_id ?? null]),
		[
			['content', 1, 300317, 400, 'answer'],
			['content', 2, 300313, 400, 'ghost'],
			['settings', 2, 300302, 400, null],
		],
	);
	for (const r of rejections) {
		assert.equal(r.app_id, APP.appId);
		assert.ok(r.at >= since && r.at <= Date.now());
		assert.ok(typeof r.msg === 'string' && r.msg.length > 0);
	}
	const only = await control<{ rejections: Json[] }>(sb.baseUrl, 'GET', `cardkit/rejections?card_id=${cardId}&code=300313`);
	assert.deepEqual(only.rejections.map((r) => r.element_id), ['ghost']);
	const history = (await entity(cardId)).history.map((h: Json) => [h.op, h.code]);
	assert.deepEqual(history, [['create', 0], ['content', 0], ['content', 300317], ['content', 300313], ['settings', 300302]]);
	assert.equal((await control(sb.baseUrl, 'GET', 'cardkit/cards/7000000000000000003').catch((e: Error) => e.message)).includes('HTTP 404'), true);

	await control(sb.baseUrl, 'POST', 'reset');
	assert.deepEqual((await control<{ cards: Json[] }>(sb.baseUrl, 'GET', 'cardkit/cards')).cards, []);
	assert.deepEqual((await control<{ rejections: Json[] }>(sb.baseUrl, 'GET', 'cardkit/rejections')).rejections, []);
	refused(await content(cardId, 'answer', 'gone', 2), 400, 200740);
});
