// Conformance: the OFFICIAL Feishu SDK (@larksuiteoapi/node-sdk) driven against the sandbox. If the
// official client works here, our code tested against the sandbox will work against Feishu.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { APP, control, quietLogger, waitFor } from '../helpers/sandboxTests';

let sb: Sandbox;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true, ackTimeoutMs: 2500, challengeTimeoutMs: 3000, clientConfig: { PingInterval: 1, ReconnectNonce: 0, ReconnectInterval: 0.2, ReconnectCount: -1 } });
});
after(() => sb.close());

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

function sdkClient(): lark.Client {
	return new lark.Client({ appId: APP.appId, appSecret: APP.appSecret, domain: sb.baseUrl, disableTokenCache: false, loggerLevel: lark.LoggerLevel.error, logger: quietLogger });
}

async function startWsClient(handlers: Record<string, (data: any) => unknown>, extra: { onReconnected?: () => void } = {}) {
	const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error, logger: quietLogger }).register(handlers as any);
	let ready!: () => void;
	const readyP = new Promise<void>((r) => (ready = r));
	const ws = new lark.WSClient({
		appId: APP.appId,
		appSecret: APP.appSecret,
		domain: sb.baseUrl,
		loggerLevel: lark.LoggerLevel.error,
		logger: quietLogger,
		onReady: () => ready(),
		onReconnected: extra.onReconnected,
	});
	await ws.start({ eventDispatcher: dispatcher });
	await readyP;
	return ws;
}

test('WSClient receives whole and fragmented (shuffled) events and acks them', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const received: any[] = [];
	const ws = await startWsClient({ 'im.message.receive_v1': (d) => void received.push(d) });
	try {
		const whole = await control(sb.baseUrl, 'POST', 'chats/oc_conf/messages', { text: 'hello @Sandbox Bot', chat_type: 'group', mention_bot: true });
		const big = 'x'.repeat(5000);
		const frag = await control(sb.baseUrl, 'POST', 'chats/oc_conf/messages', { text: big, fragment: 4, shuffle_fragments: true });
		await waitFor('two events', () => received.length === 2);
		const byId = new Map(received.map((d) => [d.event_id, d]));
		const w = byId.get(whole.event_id);
		assert.equal(w.event_type, 'im.message.receive_v1');
		assert.equal(w.message.message_id, whole.message_id);
		assert.equal(w.message.chat_type, 'group');
		assert.equal(JSON.parse(w.message.content).text, 'hello @_user_1');
		assert.equal(w.message.mentions[0].key, '@_user_1');
		assert.equal(w.message.mentions[0].id.open_id, APP.botOpenId);
		assert.equal(JSON.parse(byId.get(frag.event_id).message.content).text, big, 'fragments reassembled in seq order');
		await waitFor('acks recorded', async () => (await control(sb.baseUrl, 'GET', 'deliveries')).deliveries.every((d: any) => d.acked));
		const deliveries = (await control(sb.baseUrl, 'GET', 'deliveries')).deliveries;
		const fragDelivery = deliveries.find((d: any) => d.event_id === frag.event_id);
		assert.equal(fragDelivery.attempts[0].fragments, 4);
		assert.equal(fragDelivery.attempts[0].ack_code, 200);
		assert.equal(fragDelivery.redelivered, false);
	} finally {
		ws.close({ force: true });
	}
});

test('WSClient card.action.trigger handler answer comes back to the sandbox (toast + card update)', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const clicks: any[] = [];
	const ws = await startWsClient({
		'card.action.trigger': (d) => {
			clicks.push(d);
			return { toast: { type: 'success', content: `got ${d.action.value.choice}` }, card: { type: 'raw', data: { elements: [{ tag: 'markdown', content: 'Approved' }] } } };
		},
	});
	try {
		await control(sb.baseUrl, 'POST', 'chats/oc_card/messages', { text: 'show me a card' });
		const sent = await client.im.message.create({
			params: { receive_id_type: 'chat_id' },
			data: { receive_id: 'oc_card', msg_type: 'interactive', content: JSON.stringify({ elements: [{ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Approve' }, value: { choice: 'yes' } }] }] }) },
		});
		const messageId = sent.data!.message_id!;
		const click = await control(sb.baseUrl, 'POST', `cards/${messageId}/click`, { value: { choice: 'yes' } });
		assert.deepEqual(click.answer.toast, { type: 'success', content: 'got yes' });
		assert.equal(click.card_updated, true);
		assert.equal(clicks[0].context.open_message_id, messageId);
		assert.equal(clicks[0].context.open_chat_id, 'oc_card');
		assert.match(clicks[0].operator.open_id, /^ou_/);
		assert.equal(clicks[0].action.tag, 'button');
		assert.ok(clicks[0].token);
		const stored = (await control(sb.baseUrl, 'GET', 'chats/oc_card/messages')).messages.find((m: any) => m.message_id === messageId);
		assert.deepEqual(stored.content, { elements: [{ tag: 'markdown', content: 'Approved' }] });
	} finally {
		ws.close({ force: true });
	}
});

test('WSClient drops type=card frames like every official SDK: the click times out with 200340', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const clicks: any[] = [];
	const ws = await startWsClient({ 'card.action.trigger': (d) => void clicks.push(d) });
	try {
		await control(sb.baseUrl, 'POST', 'chats/oc_cardframe/messages', { text: 'x' });
		const msg = (await control(sb.baseUrl, 'GET', 'chats/oc_cardframe/messages')).messages[0];
		const click = await control(sb.baseUrl, 'POST', `cards/${msg.message_id}/click`, { value: { a: 1 }, frame_type: 'card' });
		assert.equal(click.answer, null);
		assert.equal(click.error.code, 200340);
		assert.equal(clicks.length, 0);
		const d = (await control(sb.baseUrl, 'GET', `deliveries?event_id=${click.event_id}`)).deliveries[0];
		assert.equal(d.acked, false);
		assert.equal(d.attempts.length, 1, 'callbacks are not redelivered');
	} finally {
		ws.close({ force: true });
	}
});

test('WSClient without a card.action.trigger handler: acked 200 with a "no handle" string, which the click reports as an invalid answer', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const ws = await startWsClient({ 'im.message.receive_v1': () => undefined });
	try {
		await control(sb.baseUrl, 'POST', 'chats/oc_nohandler/messages', { text: 'x' });
		const msg = (await control(sb.baseUrl, 'GET', 'chats/oc_nohandler/messages')).messages[0];
		const click = await control(sb.baseUrl, 'POST', `cards/${msg.message_id}/click`, { value: {} });
		assert.equal(click.acked, true);
		assert.match(String(click.answer), /no card\.action\.trigger event handle/);
		assert.equal(click.error.code, 200672);
		assert.equal(click.card_updated, false);
	} finally {
		ws.close({ force: true });
	}
});

test('WSClient: a handler that throws is acked 500 and the sandbox redelivers the same event', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const seen: string[] = [];
	const ws = await startWsClient({
		'im.message.receive_v1': (d) => {
			seen.push(d.event_id);
			if (seen.length === 1) throw new Error('first attempt fails');
		},
	});
	try {
		const { event_id } = await control(sb.baseUrl, 'POST', 'chats/oc_retry/messages', { text: 'retry me' });
		await waitFor('redelivered and acked', async () => (await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0].acked, 5000);
		assert.deepEqual(seen, [event_id, event_id]);
		const d = (await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0];
		assert.deepEqual(d.attempts.map((a: any) => a.ack_code), [500, 200]);
	} finally {
		ws.close({ force: true });
	}
});

test('WSClient dispatches a schema 1.0 event by event.type', async () => {
	const got: any[] = [];
	const ws = await startWsClient({ 'legacy.event_v1': (d) => void got.push(d) });
	try {
		const { event_id } = await control(sb.baseUrl, 'POST', 'events', { event_type: 'legacy.event_v1', event: { hello: 'v1' }, schema: '1.0' });
		await waitFor('v1 event', () => got.length === 1);
		assert.equal(got[0].hello, 'v1');
		assert.equal(got[0].uuid, event_id);
		assert.equal(got[0].type, 'event_callback');
	} finally {
		ws.close({ force: true });
	}
});

test('WSClient reconnects after the sandbox drops the connection and keeps receiving', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const received: any[] = [];
	let reconnected = 0;
	const ws = await startWsClient({ 'im.message.receive_v1': (d) => void received.push(d) }, { onReconnected: () => reconnected++ });
	try {
		const first = (await control(sb.baseUrl, 'GET', `connections?app_id=${APP.appId}`)).connections.filter((c: any) => c.open);
		assert.equal(first.length, 1);
		await control(sb.baseUrl, 'POST', 'faults', { drop_connections: true });
		await waitFor('reconnected', () => reconnected > 0, 5000);
		const open = (await control(sb.baseUrl, 'GET', `connections?app_id=${APP.appId}`)).connections.filter((c: any) => c.open);
		assert.equal(open.length, 1);
		assert.notEqual(open[0].device_id, first[0].device_id, 'a reconnect fetches a new URL with a new device_id');
		const { event_id } = await control(sb.baseUrl, 'POST', 'chats/oc_re/messages', { text: 'after reconnect' });
		await waitFor('event after reconnect', () => received.find((d) => d.event_id === event_id));
	} finally {
		ws.close({ force: true });
	}
});

test('Client sends, replies, uploads an image and downloads it again', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const { message_id: userMsg } = await control(sb.baseUrl, 'POST', 'chats/oc_client/messages', { text: 'ping' });
	const sent = await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_client', msg_type: 'text', content: JSON.stringify({ text: 'pong' }) } });
	assert.equal(sent.code, 0);
	assert.equal(sent.data?.chat_id, 'oc_client');
	const reply = await client.im.message.reply({ path: { message_id: userMsg }, data: { msg_type: 'text', content: JSON.stringify({ text: 'threaded' }), reply_in_thread: true } });
	assert.equal(reply.data?.parent_id, userMsg);
	assert.ok(reply.data?.thread_id);
	const img = await client.im.image.create({ data: { image_type: 'message', image: PNG } });
	const imageKey = img!.image_key!;
	assert.match(imageKey, /^img_/);
	const withImage = await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_client', msg_type: 'image', content: JSON.stringify({ image_key: imageKey }) } });
	const res = await client.im.messageResource.get({ path: { message_id: withImage.data!.message_id!, file_key: imageKey }, params: { type: 'image' } });
	const chunks: Buffer[] = [];
	for await (const c of res.getReadableStream()) chunks.push(c as Buffer);
	assert.deepEqual(Buffer.concat(chunks), PNG);
	const messages = (await control(sb.baseUrl, 'GET', 'chats/oc_client/messages')).messages;
	assert.deepEqual(messages.map((m: any) => m.from), ['user', 'bot', 'bot', 'bot']);
	const calls = (await control(sb.baseUrl, 'GET', 'calls')).calls;
	// The SDK's token cache is process-wide, so an earlier test may already have fetched the token.
	assert.ok(calls.filter((c: any) => c.path.includes('tenant_access_token')).length <= 1, 'the SDK caches the token');
	assert.ok(calls.filter((c: any) => c.path.startsWith('/open-apis/im/')).every((c: any) => c.code === 0 && c.status === 200));
});

test('Client uploads a file, sends it and downloads it by message resource', async () => {
	const client = sdkClient();
	await control(sb.baseUrl, 'POST', 'chats/oc_files/messages', { text: 'send me the report' });
	const bytes = Buffer.from('%PDF-1.4 sandbox report');
	const up = await client.im.file.create({ data: { file_type: 'pdf', file_name: 'report.pdf', file: bytes } });
	const fileKey = up!.file_key!;
	assert.match(fileKey, /^file_/);
	const sent = await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_files', msg_type: 'file', content: JSON.stringify({ file_key: fileKey }) } });
	assert.deepEqual(JSON.parse(sent.data!.body!.content), { file_key: fileKey, file_name: 'report.pdf' });
	const res = await client.im.messageResource.get({ path: { message_id: sent.data!.message_id!, file_key: fileKey }, params: { type: 'file' } });
	const chunks: Buffer[] = [];
	for await (const c of res.getReadableStream()) chunks.push(c as Buffer);
	assert.deepEqual(Buffer.concat(chunks), bytes);
	await assert.rejects(client.im.image.create({ data: { image_type: 'message', image: Buffer.from('not an image') } }));
	const calls = (await control(sb.baseUrl, 'GET', 'calls')).calls;
	const rejected = calls.filter((c: any) => c.path === '/open-apis/im/v1/images').pop();
	assert.equal(rejected.code, 234011);
	assert.equal(rejected.status, 400);
	assert.deepEqual(Object.keys(rejected.body.multipart).sort(), ['image', 'image_type']);
});

const HOOK_APP = { app_id: 'cli_00000000000000aa', app_secret: 'hook-secret', encrypt_key: 'hook-encrypt-key', verification_token: 'hook-verification-token' };

async function startWebhookReceiver(handlers: Record<string, (data: any) => unknown>, withKey = true): Promise<{ url: string; server: Server; requests: { headers: Record<string, unknown> }[] }> {
	const dispatcher = new lark.EventDispatcher({
		encryptKey: withKey ? HOOK_APP.encrypt_key : undefined,
		verificationToken: HOOK_APP.verification_token,
		loggerLevel: lark.LoggerLevel.error,
		logger: quietLogger,
	}).register(handlers as any);
	const handler = lark.adaptDefault('/webhook/event', dispatcher, { autoChallenge: true });
	const requests: { headers: Record<string, unknown> }[] = [];
	const server = createServer((req, res) => {
		requests.push({ headers: req.headers });
		handler(req, res);
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/event`, server, requests };
}

test('EventDispatcher + adaptDefault(autoChallenge) passes the encrypted challenge and gets signed, encrypted events and card callbacks', async () => {
	await control(sb.baseUrl, 'POST', 'apps', HOOK_APP);
	const events: any[] = [];
	const receiver = await startWebhookReceiver({
		'im.message.receive_v1': (d) => void events.push(d),
		'card.action.trigger': (d) => ({ toast: { type: 'info', content: `webhook saw ${d.action.value.n}` } }),
	});
	try {
		const set = await control(sb.baseUrl, 'PUT', `apps/${HOOK_APP.app_id}/delivery`, { mode: 'webhook', url: receiver.url });
		assert.equal(set.challenge_passed, true, JSON.stringify(set));
		assert.equal(typeof set.body.challenge, 'string');
		const { event_id } = await control(sb.baseUrl, 'POST', 'chats/oc_hook/messages', { app_id: HOOK_APP.app_id, text: 'over webhook' });
		await waitFor('webhook event', () => events.find((e) => e.event_id === event_id));
		const e = events.find((x) => x.event_id === event_id);
		assert.equal(JSON.parse(e.message.content).text, 'over webhook');
		assert.equal(e.token, HOOK_APP.verification_token, 'webhook events carry the verification token');
		const last = receiver.requests[receiver.requests.length - 1].headers;
		assert.match(String(last['x-lark-signature']), /^[0-9a-f]{64}$/);
		assert.ok(last['x-lark-request-timestamp'] && last['x-lark-request-nonce']);
		const d = (await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0];
		assert.equal(d.transport, 'webhook');
		assert.equal(d.attempts[0].http_status, 200);
		// A card click over webhook: the answer is the HTTP response body.
		const tok: any = await (await fetch(`${sb.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: HOOK_APP.app_id, app_secret: HOOK_APP.app_secret }) })).json();
		const card: any = await (
			await fetch(`${sb.baseUrl}/open-apis/im/v1/messages?receive_id_type=chat_id`, {
				method: 'POST',
				headers: { authorization: `Bearer ${tok.tenant_access_token}`, 'content-type': 'application/json' },
				body: JSON.stringify({ receive_id: 'oc_hook', msg_type: 'interactive', content: JSON.stringify({ elements: [{ tag: 'markdown', content: 'x' }] }) }),
			})
		).json();
		const click = await control(sb.baseUrl, 'POST', `cards/${card.data.message_id}/click`, { value: { n: 7 } });
		assert.deepEqual(click.answer, { toast: { type: 'info', content: 'webhook saw 7' } });
	} finally {
		await control(sb.baseUrl, 'PUT', `apps/${HOOK_APP.app_id}/delivery`, { mode: 'long_connection' });
		receiver.server.close();
	}
});

test('a webhook with the wrong Encrypt Key fails the challenge; the delivery mode is not changed', async () => {
	await control(sb.baseUrl, 'POST', 'apps', HOOK_APP);
	const dispatcher = new lark.EventDispatcher({ encryptKey: 'some-other-key', loggerLevel: lark.LoggerLevel.error, logger: quietLogger });
	const handler = lark.adaptDefault('/webhook/event', dispatcher, { autoChallenge: true });
	const server = createServer((req, res) => {
		Promise.resolve(handler(req, res)).catch(() => {
			res.statusCode = 500;
			res.end();
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	try {
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/event`;
		const set = await control(sb.baseUrl, 'PUT', `apps/${HOOK_APP.app_id}/delivery`, { mode: 'webhook', url });
		assert.equal(set.challenge_passed, false);
		assert.equal(set.delivery.mode, 'long_connection');
	} finally {
		server.closeAllConnections();
		server.close();
	}
});

test('Client lists, searches and gets chats, and lists users, with Feishu paging and its errors', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const ids: string[] = [];
	for (let i = 0; i < 23; i++) ids.push((await control(sb.baseUrl, 'POST', 'chats', { app_id: APP.appId, name: `${i % 2 ? 'Sales' : 'Support'} room ${i}` })).chat_id);
	await control(sb.baseUrl, 'POST', 'chats/oc_p2pconf/messages', { text: 'a direct message', chat_type: 'p2p' });

	// im.chat.list: groups only, 10 per page, the SDK's iterator follows page_token to the end.
	const first = await client.im.chat.list({ params: { page_size: 10 } });
	assert.equal(first.code, 0);
	assert.equal(first.data?.items?.length, 10);
	assert.equal(first.data?.has_more, true);
	const seen: string[] = [];
	for await (const page of await client.im.chat.listWithIterator({ params: { page_size: 10 } })) for (const c of page?.items ?? []) seen.push(c.chat_id!);
	assert.deepEqual(seen, ids, 'every group once, oldest first, no p2p chat');

	// im.chat.search: by name, paged too.
	const sales = await client.im.chat.search({ params: { query: 'sales', page_size: 5 } });
	assert.equal(sales.data?.items?.length, 5);
	assert.ok(sales.data?.items?.every((c) => /^Sales/.test(c.name!)));
	const rest = await client.im.chat.search({ params: { query: 'sales', page_size: 50, page_token: sales.data?.page_token } });
	assert.equal(rest.data?.items?.length, 6, '11 Sales rooms in all');
	assert.equal(rest.data?.has_more, false);

	// im.chat.get: the details, without chat_id in them (as Feishu answers).
	const one = await client.im.chat.get({ path: { chat_id: ids[3] } });
	assert.equal(one.data?.name, 'Sales room 3');
	assert.equal(one.data?.chat_mode, 'group');

	// Errors as Feishu gives them: a page size out of range, a forged page token, an unknown chat.
	await assert.rejects(client.im.chat.list({ params: { page_size: 101 } }), (e: any) => e.response?.data?.code === 99992402);
	await assert.rejects(client.im.chat.list({ params: { page_token: 'forged' } }), (e: any) => e.response?.data?.code === 99992402);
	await assert.rejects(client.im.chat.get({ path: { chat_id: 'oc_missing' } }), (e: any) => e.response?.data?.code === 232006);

	// contact.user.findByDepartment: the root department lists the tenant's people; another is out of scope.
	for (const name of ['Carol', 'Bob']) await control(sb.baseUrl, 'POST', 'users', { name, email: `${name.toLowerCase()}@example.com` });
	const users: string[] = [];
	for await (const page of await client.contact.user.findByDepartmentWithIterator({ params: { department_id: '0', page_size: 2 } })) for (const u of page?.items ?? []) users.push(u.name!);
	assert.deepEqual(users, ['Alice', 'Bob', 'Carol'], 'sorted by name, across pages of 2');
	const bob = (await client.contact.user.findByDepartment({ params: { department_id: '0', page_size: 50 } })).data?.items?.find((u) => u.name === 'Bob');
	assert.equal(bob?.email, 'bob@example.com');
	const got = await client.contact.user.get({ path: { user_id: bob!.open_id! }, params: { user_id_type: 'open_id' } });
	assert.equal(got.data?.user?.name, 'Bob');
	await assert.rejects(client.contact.user.findByDepartment({ params: { department_id: 'od_elsewhere' } }), (e: any) => e.response?.status === 403 && e.response?.data?.code === 40004);
});

test('Client reads the directory: users by id and by list, ids by email or mobile, department children and members, and the contact scope', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const eng = await control(sb.baseUrl, 'POST', 'departments', { name: 'Engineering', department_id: 'ENG' });
	const web = await control(sb.baseUrl, 'POST', 'departments', { name: 'Web', parent_department_id: eng.open_department_id });
	const ops = await control(sb.baseUrl, 'POST', 'departments', { name: 'Ops' });
	const dana = await control(sb.baseUrl, 'POST', 'users', { name: 'Dana', email: 'dana@example.com', mobile: '+8613900000002', department_ids: [eng.open_department_id] });
	const eve = await control(sb.baseUrl, 'POST', 'users', { name: 'Eve', email: 'eve@example.com', department_ids: [web.open_department_id] });
	const finn = await control(sb.baseUrl, 'POST', 'users', { name: 'Finn', email: 'finn@example.com', department_ids: [ops.open_department_id] });

	// contact.user.get, by any id type, department ids in the asked type.
	const got = await client.contact.user.get({ path: { user_id: dana.union_id }, params: { user_id_type: 'union_id', department_id_type: 'department_id' } });
	assert.equal(got.data?.user?.open_id, dana.open_id);
	assert.deepEqual(got.data?.user?.department_ids, ['ENG']);
	// contact.user.batch: the SDK repeats user_ids.
	const batch = await client.contact.user.batch({ params: { user_ids: [eve.open_id, dana.open_id], user_id_type: 'open_id' } });
	assert.deepEqual(batch.data?.items?.map((u) => u.name), ['Eve', 'Dana']);
	// contact.user.batchGetId: an entry per email and mobile, user_id where someone was found.
	const ids = await client.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { emails: ['finn@example.com', 'nobody@example.com'], mobiles: ['13900000002'] } });
	assert.deepEqual(ids.data?.user_list?.map((e) => [e.email ?? e.mobile, e.user_id]), [['finn@example.com', finn.user_id], ['nobody@example.com', undefined], ['13900000002', dana.user_id]]);
	// contact.department.children: one level, or all with fetch_child, paged.
	const top = await client.contact.department.children({ path: { department_id: '0' }, params: { page_size: 1 } });
	assert.deepEqual(top.data?.items?.map((d) => d.name), ['Engineering']);
	assert.equal(top.data?.has_more, true);
	const names: string[] = [];
	for await (const page of await client.contact.department.childrenWithIterator({ path: { department_id: '0' }, params: { fetch_child: true, page_size: 2 } })) for (const d of page?.items ?? []) names.push(d.name);
	assert.deepEqual(names, ['Engineering', 'Ops', 'Web']);
	// contact.user.findByDepartment: the users directly in it.
	const direct = await client.contact.user.findByDepartment({ params: { department_id: eng.open_department_id } });
	assert.deepEqual(direct.data?.items?.map((u) => u.name), ['Dana']);

	// Feishu's refusals: a bad id type, too many ids, a forged page token, and what the contact scope leaves out.
	const code = (n: number, status?: number) => (e: any) => e.response?.data?.code === n && (status === undefined || e.response?.status === status);
	await assert.rejects(client.contact.user.get({ path: { user_id: dana.open_id }, params: { user_id_type: 'email' as never } }), code(99992402, 400));
	await assert.rejects(client.contact.user.batch({ params: { user_ids: Array.from({ length: 51 }, (_, i) => `ou_x${i}`) } }), code(99992402, 400));
	await assert.rejects(client.contact.user.batchGetId({ data: { emails: Array.from({ length: 51 }, (_, i) => `x${i}@example.com`) } }), code(99992402, 400));
	await assert.rejects(client.contact.department.children({ path: { department_id: '0' }, params: { page_token: 'forged' } }), code(40012, 400));
	await control(sb.baseUrl, 'PUT', `apps/${APP.appId}/contact-scope`, { department_ids: [eng.open_department_id] });
	await assert.rejects(client.contact.user.findByDepartment({ params: { department_id: '0' } }), code(40004, 403));
	await assert.rejects(client.contact.department.children({ path: { department_id: ops.open_department_id } }), code(40004, 403));
	await assert.rejects(client.contact.user.get({ path: { user_id: finn.open_id } }), code(41050, 400));
	assert.equal((await client.contact.user.findByDepartment({ params: { department_id: web.open_department_id } })).data?.items?.[0]?.name, 'Eve', 'under a scoped department');
	const outside = await client.contact.user.batchGetId({ data: { emails: ['finn@example.com'] } });
	assert.equal(outside.data?.user_list?.[0]?.user_id, undefined, 'out of scope: no id');
	await control(sb.baseUrl, 'PUT', `apps/${APP.appId}/contact-scope`, { all: true });
});

test('Client manages a group: create, members (add, page, is_in_chat, remove), managers, update, link, announcement, dissolve', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const users = ['ou_conf_member_a', 'ou_conf_member_b', 'ou_conf_member_c'];
	const created = await client.im.chat.create({ params: { user_id_type: 'open_id', uuid: 'conf-create-1' }, data: { name: 'Conformance group', description: 'by the SDK', user_id_list: users.slice(0, 1), chat_mode: 'group', chat_type: 'private' } });
	assert.equal(created.code, 0);
	const chatId = created.data!.chat_id!;
	assert.match(chatId, /^oc_/);
	assert.equal(created.data?.name, 'Conformance group');
	assert.equal(created.data?.owner_id, APP.appId, 'no owner_id: the bot owns it');
	assert.equal(created.data?.owner_id_type, 'app_id');
	const again = await client.im.chat.create({ params: { user_id_type: 'open_id', uuid: 'conf-create-1' }, data: { name: 'Conformance group' } });
	assert.equal(again.data?.chat_id, chatId, 'same uuid and owner: the same group');

	// chatMembers.create: succeed_type 1 adds the available ids and lists the others.
	const added = await client.im.chatMembers.create({ path: { chat_id: chatId }, params: { member_id_type: 'open_id', succeed_type: 1 }, data: { id_list: [...users.slice(1), 'bogus'] } });
	assert.equal(added.code, 0);
	assert.deepEqual(added.data, { invalid_id_list: ['bogus'], not_existed_id_list: [], pending_approval_id_list: [] });
	const seen: string[] = [];
	for await (const page of await client.im.chatMembers.getWithIterator({ path: { chat_id: chatId }, params: { member_id_type: 'open_id', page_size: 2 } })) {
		for (const m of page?.items ?? []) seen.push(m.member_id!);
		assert.equal(page?.member_total, 3);
	}
	assert.deepEqual(seen, users, 'every member once, across pages of 2');
	assert.equal((await client.im.chatMembers.isInChat({ path: { chat_id: chatId } })).data?.is_in_chat, true);

	const managers = await client.im.chatManagers.addManagers({ path: { chat_id: chatId }, params: { member_id_type: 'open_id' }, data: { manager_ids: [users[0]] } });
	assert.deepEqual(managers.data, { chat_managers: [users[0]], chat_bot_managers: [] });
	assert.deepEqual((await client.im.chat.get({ path: { chat_id: chatId } })).data?.user_manager_id_list, [users[0]]);
	assert.deepEqual((await client.im.chatManagers.deleteManagers({ path: { chat_id: chatId }, params: { member_id_type: 'open_id' }, data: { manager_ids: [users[0]] } })).data?.chat_managers, []);

	const removed = await client.im.chatMembers.delete({ path: { chat_id: chatId }, params: { member_id_type: 'open_id' }, data: { id_list: [users[2]] } });
	assert.deepEqual(removed.data, { invalid_id_list: [] });
	assert.equal((await client.im.chatMembers.get({ path: { chat_id: chatId }, params: { page_size: 50 } })).data?.items?.length, 2);

	assert.equal((await client.im.chat.update({ path: { chat_id: chatId }, params: { user_id_type: 'open_id' }, data: { name: 'Renamed', owner_id: users[1] } })).code, 0);
	const got = await client.im.chat.get({ path: { chat_id: chatId }, params: { user_id_type: 'open_id' } });
	assert.deepEqual([got.data?.name, got.data?.owner_id, got.data?.owner_id_type, got.data?.user_count], ['Renamed', users[1], 'open_id', '2']);

	const link = await client.im.chat.link({ path: { chat_id: chatId }, data: { validity_period: 'year' } });
	assert.match(link.data!.share_link!, /^https:\/\/applink\.feishu\.cn\/client\/chat\/chatter\/add_by_link\?link_token=/);
	assert.equal(link.data?.is_permanent, false);
	const announcement = await client.im.chatAnnouncement.get({ path: { chat_id: chatId }, params: { user_id_type: 'open_id' } });
	assert.deepEqual([announcement.code, announcement.data?.revision], [0, '0']);

	// Refusals as Feishu gives them: the schema (99992402), then the chat rules (232xxx).
	const violation = (field: string) => (e: any) => e.response?.status === 400 && e.response?.data?.code === 99992402 && e.response.data.error?.field_violations?.[0]?.field === field;
	await assert.rejects(client.im.chatMembers.create({ path: { chat_id: chatId }, data: { id_list: 'ou_not_a_list' as any } }), violation('id_list'));
	await assert.rejects(client.im.chat.link({ path: { chat_id: chatId }, data: { validity_period: 'month' as any } }), violation('validity_period'));
	await assert.rejects(client.im.chatMembers.create({ path: { chat_id: chatId }, data: { id_list: [] } }), (e: any) => e.response?.data?.code === 232027);
	await assert.rejects(client.im.chatMembers.create({ path: { chat_id: chatId }, data: { id_list: ['bogus'] } }), (e: any) => e.response?.data?.code === 232043);
	await assert.rejects(client.im.chatMembers.get({ path: { chat_id: 'oc_conf_missing' } }), (e: any) => e.response?.data?.code === 232006);
	// The bot handed the group to a user but created it: it may still dissolve it.
	assert.equal((await client.im.chat.delete({ path: { chat_id: chatId } })).code, 0);
	await assert.rejects(client.im.chatMembers.create({ path: { chat_id: chatId }, data: { id_list: [users[2]] } }), (e: any) => e.response?.data?.code === 232009);
	const list = await client.im.chat.list({ params: { page_size: 100 } });
	assert.ok(!list.data?.items?.some((c) => c.chat_id === chatId), 'a dissolved group is not listed');
	// A group a person made: the bot is in it but may not add managers or dissolve it.
	const theirs = (await control(sb.baseUrl, 'POST', 'chats', { app_id: APP.appId, name: 'A person made this' })).chat_id;
	await assert.rejects(client.im.chatManagers.addManagers({ path: { chat_id: theirs }, data: { manager_ids: [users[0]] } }), (e: any) => e.response?.data?.code === 232038);
	await assert.rejects(client.im.chat.delete({ path: { chat_id: theirs } }), (e: any) => e.response?.data?.code === 232017);
});

test('Client reacts to a message: messageReaction create, list (paged, by type), delete, and Feishu’s 231xxx refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	await control(sb.baseUrl, 'POST', 'chats', { chat_id: 'oc_conf_reactions', name: 'Reactions' });
	const { message_id } = await control(sb.baseUrl, 'POST', 'chats/oc_conf_reactions/messages', { text: 'react', chat_type: 'group' });
	const created = await client.im.messageReaction.create({ path: { message_id }, data: { reaction_type: { emoji_type: 'THUMBSUP' } } });
	assert.equal(created.code, 0);
	assert.deepEqual(created.data?.operator, { operator_id: APP.appId, operator_type: 'app' });
	assert.deepEqual(created.data?.reaction_type, { emoji_type: 'THUMBSUP' });
	for (const emoji_type of ['OK', 'DONE']) await client.im.messageReaction.create({ path: { message_id }, data: { reaction_type: { emoji_type } } });
	const seen: string[] = [];
	for await (const page of await client.im.messageReaction.listWithIterator({ path: { message_id }, params: { page_size: 2 } })) {
		for (const r of (page as { items?: { reaction_type?: { emoji_type: string } }[] })?.items ?? []) seen.push(r.reaction_type!.emoji_type);
	}
	assert.deepEqual(seen, ['THUMBSUP', 'OK', 'DONE'], 'every reaction once, across pages of 2');
	const oks = await client.im.messageReaction.list({ path: { message_id }, params: { reaction_type: 'OK' } });
	assert.deepEqual([oks.data?.items.length, oks.data?.has_more], [1, false]);
	const deleted = await client.im.messageReaction.delete({ path: { message_id, reaction_id: created.data!.reaction_id! } });
	assert.equal(deleted.data?.reaction_id, created.data?.reaction_id);
	assert.equal((await client.im.messageReaction.list({ path: { message_id } })).data?.items.length, 2);

	const code = (n: number) => (e: any) => e.response?.status === 400 && e.response?.data?.code === n;
	await assert.rejects(client.im.messageReaction.create({ path: { message_id }, data: { reaction_type: { emoji_type: 'NOPE' } } }), code(231001));
	await assert.rejects(client.im.messageReaction.create({ path: { message_id: 'om_conf_missing' }, data: { reaction_type: { emoji_type: 'OK' } } }), code(231003));
	await assert.rejects(client.im.messageReaction.delete({ path: { message_id, reaction_id: created.data!.reaction_id! } }), code(231011));
	await assert.rejects(client.im.messageReaction.list({ path: { message_id }, params: { page_token: 'forged' } }), code(231012));
	await assert.rejects(client.im.messageReaction.list({ path: { message_id }, params: { user_id_type: 'email' as any } }), code(231014));
	await assert.rejects(client.im.messageReaction.create({ path: { message_id }, data: {} as any }), (e: any) => e.response?.data?.code === 99992402);
});

test('Client pins messages: pin create (again: the same pin), list (paged, time range), delete, and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	await control(sb.baseUrl, 'POST', 'chats', { chat_id: 'oc_conf_pins', name: 'Pins' });
	const ids: string[] = [];
	for (const text of ['one', 'two', 'three']) ids.push((await control(sb.baseUrl, 'POST', 'chats/oc_conf_pins/messages', { text, chat_type: 'group' })).message_id);
	const created = await client.im.pin.create({ data: { message_id: ids[0] } });
	assert.equal(created.code, 0);
	assert.deepEqual([created.data?.pin?.message_id, created.data?.pin?.chat_id, created.data?.pin?.operator_id, created.data?.pin?.operator_id_type], [ids[0], 'oc_conf_pins', APP.appId, 'app_id']);
	assert.deepEqual((await client.im.pin.create({ data: { message_id: ids[0] } })).data?.pin, created.data?.pin, 'pinned already: the same pin');
	for (const message_id of ids.slice(1)) await client.im.pin.create({ data: { message_id } });
	const seen: string[] = [];
	for await (const page of await client.im.pin.listWithIterator({ params: { chat_id: 'oc_conf_pins', page_size: 2 } })) for (const p of page?.items ?? []) seen.push(p.message_id);
	assert.deepEqual(seen, [...ids].reverse(), 'every pin once, newest first, across pages of 2');
	const none = await client.im.pin.list({ params: { chat_id: 'oc_conf_pins', start_time: String(Date.now() + 60_000), end_time: String(Date.now() + 120_000) } });
	assert.deepEqual([none.data?.items, none.data?.has_more], [[], false]);
	assert.equal((await client.im.pin.delete({ path: { message_id: ids[1] } })).code, 0);
	assert.deepEqual((await client.im.pin.list({ params: { chat_id: 'oc_conf_pins' } })).data?.items?.map((p) => p.message_id), [ids[2], ids[0]]);

	const code = (n: number) => (e: any) => e.response?.status === 400 && e.response?.data?.code === n;
	await assert.rejects(client.im.pin.create({ data: { message_id: 'om_conf_missing' } }), code(230001));
	await assert.rejects(client.im.pin.list({ params: { chat_id: 'oc_conf_missing' } }), code(230045));
	await assert.rejects(client.im.pin.list({ params: { chat_id: 'oc_conf_pins', page_token: 'forged' } }), code(99992402));
	await assert.rejects(client.im.pin.create({ data: {} as any }), code(99992402));
});

test('Client reads history: message list (paged, both orders, time range, threads) and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	await control(sb.baseUrl, 'POST', 'chats', { chat_id: 'oc_conf_history', name: 'History' });
	const ids: string[] = [];
	for (const text of ['a', 'b', 'c', 'd', 'e']) ids.push((await control(sb.baseUrl, 'POST', 'chats/oc_conf_history/messages', { text, chat_type: 'group' })).message_id);
	const seen: string[] = [];
	for await (const page of await client.im.message.listWithIterator({ params: { container_id_type: 'chat', container_id: 'oc_conf_history', page_size: 2 } })) for (const m of page?.items ?? []) seen.push(m.message_id!);
	assert.deepEqual(seen, ids, 'oldest first, every message once, across pages of 2');
	const desc = await client.im.message.list({ params: { container_id_type: 'chat', container_id: 'oc_conf_history', sort_type: 'ByCreateTimeDesc', page_size: 1 } });
	assert.deepEqual([desc.data?.items?.[0].message_id, desc.data?.has_more], [ids[4], true]);
	assert.equal(JSON.parse(desc.data!.items![0].body!.content).text, 'e');
	const now = Math.floor(Date.now() / 1000);
	const later = await client.im.message.list({ params: { container_id_type: 'chat', container_id: 'oc_conf_history', start_time: String(now + 60), end_time: String(now + 120) } });
	assert.deepEqual([later.data?.items, later.data?.has_more], [[], false]);
	const reply = await client.im.message.reply({ path: { message_id: ids[0] }, data: { msg_type: 'text', content: JSON.stringify({ text: 'threaded' }), reply_in_thread: true } });
	const thread = await client.im.message.list({ params: { container_id_type: 'thread', container_id: reply.data!.thread_id! } });
	assert.deepEqual(thread.data?.items?.map((m) => m.message_id), [ids[0], reply.data!.message_id]);

	const code = (n: number) => (e: any) => e.response?.status === 400 && e.response?.data?.code === n;
	await assert.rejects(client.im.message.list({ params: { container_id_type: 'chat', container_id: 'oc_conf_missing' } }), code(230002));
	await assert.rejects(client.im.message.list({ params: { container_id_type: 'thread', container_id: reply.data!.thread_id!, start_time: String(now) } }), code(230001));
	await assert.rejects(client.im.message.list({ params: { container_id_type: 'chat', container_id: 'oc_conf_history', sort_type: 'Sideways' as any } }), code(99992402));
});

test('Client reads receipts: message readUsers (paged, by user_id_type) once the sandbox marks a message read, and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	await control(sb.baseUrl, 'POST', 'chats', { chat_id: 'oc_conf_read', name: 'Read receipts' });
	const sent = await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_conf_read', msg_type: 'text', content: JSON.stringify({ text: 'read me' }) } });
	const message_id = sent.data!.message_id!;
	assert.deepEqual((await client.im.message.readUsers({ path: { message_id }, params: { user_id_type: 'open_id' } })).data?.items, []);
	const readers = ['ou_conf_reader_a', 'ou_conf_reader_b', 'ou_conf_reader_c'];
	await control(sb.baseUrl, 'POST', `messages/${message_id}/read`, { open_ids: readers });
	const first = await client.im.message.readUsers({ path: { message_id }, params: { user_id_type: 'open_id', page_size: 2 } });
	assert.deepEqual([first.data?.items?.map((r) => r.user_id), first.data?.has_more], [readers.slice(0, 2), true]);
	assert.equal(first.data?.items?.[0].user_id_type, 'open_id');
	const rest = await client.im.message.readUsers({ path: { message_id }, params: { user_id_type: 'open_id', page_size: 2, page_token: first.data!.page_token! } });
	assert.deepEqual([rest.data?.items?.map((r) => r.user_id), rest.data?.has_more], [readers.slice(2), false]);
	const byUnion = await client.im.message.readUsers({ path: { message_id }, params: { user_id_type: 'union_id' } });
	assert.ok(byUnion.data?.items?.every((r) => r.user_id_type === 'union_id' && r.user_id.startsWith('on_')));

	const code = (n: number) => (e: any) => e.response?.status === 400 && e.response?.data?.code === n;
	const theirs = (await control(sb.baseUrl, 'POST', 'chats/oc_conf_read/messages', { text: 'mine', chat_type: 'group' })).message_id;
	await assert.rejects(client.im.message.readUsers({ path: { message_id: theirs }, params: { user_id_type: 'open_id' } }), code(230012));
	await control(sb.baseUrl, 'PATCH', `messages/${message_id}`, { create_time: Date.now() - 8 * 24 * 3_600_000 });
	await assert.rejects(client.im.message.readUsers({ path: { message_id }, params: { user_id_type: 'open_id' } }), code(230033));
	await assert.rejects(client.im.message.readUsers({ path: { message_id }, params: {} as any }), code(99992402));
});

test('Client buzzes: message urgentApp / urgentSms / urgentPhone with invalid_user_id_list, and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const created = await client.im.chat.create({ params: { user_id_type: 'open_id' }, data: { name: 'Buzz', user_id_list: ['ou_conf_buzzed'] } });
	const chat_id = created.data!.chat_id!;
	const sent = await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat_id, msg_type: 'text', content: JSON.stringify({ text: 'urgent' }) } });
	const message_id = sent.data!.message_id!;
	const app = await client.im.message.urgentApp({ path: { message_id }, params: { user_id_type: 'open_id' }, data: { user_id_list: ['ou_conf_buzzed', 'ou_conf_outsider'] } });
	assert.deepEqual([app.code, app.data?.invalid_user_id_list], [0, ['ou_conf_outsider']]);
	assert.deepEqual((await client.im.message.urgentSms({ path: { message_id }, params: { user_id_type: 'open_id' }, data: { user_id_list: ['ou_conf_buzzed'] } })).data?.invalid_user_id_list, []);
	assert.deepEqual((await client.im.message.urgentPhone({ path: { message_id }, params: { user_id_type: 'open_id' }, data: { user_id_list: ['ou_conf_buzzed'] } })).data?.invalid_user_id_list, []);
	assert.deepEqual((await control(sb.baseUrl, 'GET', 'urgents')).urgents.map((u: any) => u.type), ['app', 'sms', 'phone']);

	const code = (n: number) => (e: any) => e.response?.status === 400 && e.response?.data?.code === n;
	const theirs = (await control(sb.baseUrl, 'POST', `chats/${chat_id}/messages`, { text: 'mine', chat_type: 'group' })).message_id;
	await assert.rejects(client.im.message.urgentApp({ path: { message_id: theirs }, params: { user_id_type: 'open_id' }, data: { user_id_list: ['ou_conf_buzzed'] } }), code(230012));
	await assert.rejects(client.im.message.urgentApp({ path: { message_id: 'om_conf_missing' }, params: { user_id_type: 'open_id' }, data: { user_id_list: ['ou_conf_buzzed'] } }), code(230001));
	await assert.rejects(client.im.message.urgentApp({ path: { message_id }, params: {} as any, data: { user_id_list: ['ou_conf_buzzed'] } }), code(99992402));
});

test('Client merge-forwards: message mergeForward (uuid, invalid ids, into a thread), get lists the children, and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	for (const chat_id of ['oc_conf_merge_from', 'oc_conf_merge_to']) await control(sb.baseUrl, 'POST', 'chats', { chat_id, name: chat_id });
	const ids: string[] = [];
	for (const text of ['one', 'two']) ids.push((await control(sb.baseUrl, 'POST', 'chats/oc_conf_merge_from/messages', { text, chat_type: 'group' })).message_id);
	const merged = await client.im.message.mergeForward({ params: { receive_id_type: 'chat_id', uuid: 'conf-merge-1' }, data: { receive_id: 'oc_conf_merge_to', message_id_list: [...ids, 'om_conf_missing'] } });
	assert.equal(merged.code, 0);
	const m = merged.data!.message!;
	assert.deepEqual([m.msg_type, m.chat_id, m.body?.content], ['merge_forward', 'oc_conf_merge_to', 'Merged and Forwarded Message']);
	assert.deepEqual((merged.data as { invalid_message_id_list?: string[] }).invalid_message_id_list, ['om_conf_missing']);
	const again = await client.im.message.mergeForward({ params: { receive_id_type: 'chat_id', uuid: 'conf-merge-1' }, data: { receive_id: 'oc_conf_merge_to', message_id_list: ids } });
	assert.equal(again.data?.message?.message_id, m.message_id, 'same uuid: the same message');
	const got = await client.im.message.get({ path: { message_id: m.message_id! } });
	assert.deepEqual(got.data?.items?.map((i) => i.upper_message_id ?? null), [null, m.message_id, m.message_id]);

	const root = await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_conf_merge_to', msg_type: 'text', content: JSON.stringify({ text: 'root' }) } });
	const threadId = (await client.im.message.reply({ path: { message_id: root.data!.message_id! }, data: { msg_type: 'text', content: JSON.stringify({ text: 'start' }), reply_in_thread: true } })).data!.thread_id!;
	const intoThread = await client.im.message.mergeForward({ params: { receive_id_type: 'thread_id' }, data: { receive_id: threadId, message_id_list: ids } });
	assert.equal(intoThread.data?.message?.thread_id, threadId);

	const code = (n: number) => (e: any) => e.response?.status === 400 && e.response?.data?.code === n;
	const elsewhere = (await control(sb.baseUrl, 'POST', 'chats/oc_conf_merge_to/messages', { text: 'x', chat_type: 'group' })).message_id;
	await assert.rejects(client.im.message.mergeForward({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_conf_merge_to', message_id_list: [ids[0], elsewhere] } }), code(230001));
	await assert.rejects(client.im.message.mergeForward({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_conf_merge_none', message_id_list: ids } }), code(230002));
	await assert.rejects(client.im.message.mergeForward({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_conf_merge_to' } as any }), code(99992402));
});

test('Client drives the schema-driven Task v2 family: create, get, patch, list with paging, delete, and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const created: string[] = [];
	for (const summary of ['Plan the launch', 'Write the notes', 'Ship it']) {
		const res = await client.task.v2.task.create({ params: { user_id_type: 'open_id' }, data: { summary, due: { timestamp: '1735689600000', is_all_day: true }, members: [{ id: 'ou_sandbox_member', type: 'user', role: 'assignee' }] } });
		assert.equal(res.code, 0);
		assert.equal(res.data?.task?.summary, summary);
		assert.equal(res.data?.task?.status, 'todo');
		created.push(res.data!.task!.guid!);
	}
	const [guid] = created;

	const got = await client.task.v2.task.get({ path: { task_guid: guid } });
	assert.equal(got.data?.task?.guid, guid);
	assert.equal(got.data?.task?.summary, 'Plan the launch');
	assert.deepEqual(got.data?.task?.due, { timestamp: '1735689600000', is_all_day: true });
	assert.deepEqual(got.data?.task?.members, [{ id: 'ou_sandbox_member', type: 'user', role: 'assignee' }]);
	assert.equal(got.data?.task?.creator?.id, APP.appId);

	// Feishu's partial update: only the fields named in update_fields change.
	const patched = await client.task.v2.task.patch({ path: { task_guid: guid }, data: { task: { summary: 'Plan the launch (v2)', description: 'not listed, not changed', completed_at: '1735700000000' }, update_fields: ['summary', 'completed_at'] } });
	assert.equal(patched.data?.task?.summary, 'Plan the launch (v2)');
	assert.equal(patched.data?.task?.description, '');
	assert.equal(patched.data?.task?.completed_at, '1735700000000');
	assert.equal(patched.data?.task?.status, 'done');
	assert.equal((await client.task.v2.task.get({ path: { task_guid: guid } })).data?.task?.summary, 'Plan the launch (v2)');

	// One task per page, following page_token until has_more is false.
	const listed: string[] = [];
	let pageToken: string | undefined;
	let pages = 0;
	do {
		const page = await client.task.v2.task.list({ params: { page_size: 1, ...(pageToken ? { page_token: pageToken } : {}) } });
		assert.equal(page.code, 0);
		assert.equal(page.data?.items?.length, 1);
		listed.push(page.data!.items![0].guid!);
		pages++;
		pageToken = page.data?.has_more ? page.data.page_token : undefined;
		if (!page.data?.has_more) assert.equal(page.data?.page_token, '');
	} while (pageToken);
	assert.deepEqual(listed, created, 'every task once, in creation order');
	assert.equal(pages, 3);
	const open = await client.task.v2.task.list({ params: { completed: false } });
	assert.deepEqual(open.data?.items?.map((t) => t.guid), created.slice(1));

	const deleted = await client.task.v2.task.delete({ path: { task_guid: guid } });
	assert.equal(deleted.code, 0);
	await assert.rejects(client.task.v2.task.get({ path: { task_guid: guid } }), (e: any) => e.response?.status === 404 && e.response?.data?.code === 1470404);
	assert.equal((await client.task.v2.task.list({ params: { page_size: 50 } })).data?.items?.length, 2);

	// Requests Feishu's gateway refuses: a missing required field, a value outside the enum.
	const refused = (code: number, field: string, description: RegExp) => (e: any) => {
		const body = e.response?.data;
		assert.equal(e.response?.status, 400);
		assert.equal(body?.code, code);
		assert.equal(body?.msg, 'field validation failed');
		assert.equal(body?.error?.field_violations?.[0]?.field, field);
		assert.match(body?.error?.field_violations?.[0]?.description, description);
		return true;
	};
	await assert.rejects(client.task.v2.task.create({ data: { description: 'no summary' } as any }), refused(99992402, 'summary', /summary is required/));
	await assert.rejects(
		client.task.v2.task.patch({ path: { task_guid: created[1] }, data: { task: { summary: 'x' }, update_fields: ['owner'] } }),
		refused(99992402, 'update_fields[0]', /must be one of summary, description/),
	);
	await assert.rejects(client.task.v2.task.list({ params: { page_size: 101 } }), refused(99992402, 'page_size', /between 1 and 100/));
	assert.equal((await client.task.v2.task.get({ path: { task_guid: created[1] } })).data?.task?.summary, 'Write the notes', 'a refused patch changes nothing');
});

test('Client lists the app’s scopes (application.scope.list) and meets Feishu’s 99991672 for a scope the app lacks', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const all = await client.application.scope.list();
	assert.equal(all.code, 0);
	const granted = all.data?.scopes ?? [];
	assert.ok(granted.some((s) => s.scope_name === 'im:message:send_as_bot' && s.grant_status === 1), JSON.stringify(granted.slice(0, 5)));

	await control(sb.baseUrl, 'PUT', `apps/${APP.appId}/scopes`, { missing: ['im:chat', 'im:chat:readonly', 'im:chat.group_info:readonly'], pending: ['im:chat:read'] });
	const after = (await client.application.scope.list()).data?.scopes ?? [];
	assert.equal(after.find((s) => s.scope_name === 'im:chat'), undefined, 'a scope never asked for is not listed');
	assert.equal(after.find((s) => s.scope_name === 'im:chat:read')?.grant_status, 2, 'asked for, not granted');
	await assert.rejects(client.im.chat.list({ params: { page_size: 10 } }), (e: any) => {
		const body = e.response?.data;
		return e.response?.status === 400 && body?.code === 99991672 && /One of the following scopes is required: \[[^\]]*im:chat/.test(body.msg) && body.error?.permission_violations?.length > 0;
	});
	await control(sb.baseUrl, 'PUT', `apps/${APP.appId}/scopes`, {});
	assert.equal((await client.im.chat.list({ params: { page_size: 10 } })).code, 0);
});

test('Client batch-sends (message/v4/batch_send through client.request), reads the progress and recalls it (im.batchMessage), and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const eng = await control(sb.baseUrl, 'POST', 'departments', { name: 'Conf Batch Eng' });
	const platform = await control(sb.baseUrl, 'POST', 'departments', { name: 'Conf Batch Platform', parent_department_id: eng.open_department_id });
	const ann = await control(sb.baseUrl, 'POST', 'users', { name: 'Conf Ann', department_ids: [eng.open_department_id] });
	const ben = await control(sb.baseUrl, 'POST', 'users', { name: 'Conf Ben', department_ids: [platform.open_department_id] });
	const batchSend = (data: Record<string, unknown>) => client.request({ method: 'POST', url: '/open-apis/message/v4/batch_send/', data });

	const sent = await batchSend({ msg_type: 'text', content: { text: 'to everyone' }, open_ids: ['ou_conf_batch_solo', ann.open_id, 'not-an-open-id'], department_ids: [eng.open_department_id, 'od-conf-missing'] });
	assert.equal(sent.code, 0, JSON.stringify(sent));
	const batchId = sent.data.message_id as string;
	assert.match(batchId, /^bm-[0-9a-f]+$/);
	assert.deepEqual([sent.data.invalid_open_ids, sent.data.invalid_department_ids, sent.data.invalid_user_ids, sent.data.invalid_union_ids], [['not-an-open-id'], ['od-conf-missing'], [], []]);
	const { batch_messages } = await control(sb.baseUrl, 'GET', 'batch-messages');
	assert.deepEqual(batch_messages[0].deliveries.map((d: any) => d.open_id).sort(), ['ou_conf_batch_solo', ann.open_id, ben.open_id].sort(), 'Ann once, Ben through the sub-department');

	let progress = await client.im.batchMessage.getProgress({ path: { batch_message_id: batchId } });
	assert.deepEqual(progress.data, { batch_message_send_progress: { valid_user_ids_count: 3, success_user_ids_count: 3, read_user_ids_count: 0 }, batch_message_recall_progress: { recall: false, recall_count: 0 } });
	const bens = batch_messages[0].deliveries.find((d: any) => d.open_id === ben.open_id).message_id;
	await control(sb.baseUrl, 'POST', `messages/${bens}/read`, { open_ids: [ben.open_id] });
	assert.equal((await client.im.batchMessage.getProgress({ path: { batch_message_id: batchId } })).data?.batch_message_send_progress?.read_user_ids_count, 1);

	assert.equal((await client.im.batchMessage.delete({ path: { batch_message_id: batchId } })).code, 0);
	progress = await client.im.batchMessage.getProgress({ path: { batch_message_id: batchId } });
	assert.deepEqual(progress.data?.batch_message_recall_progress, { recall: true, recall_count: 3 });
	assert.equal((await client.im.message.get({ path: { message_id: bens } })).data?.items?.[0]?.deleted, true);

	// A card goes in "card", a post's locales under "post", a shared chat by share_chat_id.
	const card = await batchSend({ msg_type: 'interactive', card: { elements: [{ tag: 'markdown', content: '**hi**' }] }, union_ids: ['on_conf_batch_u'] });
	assert.equal(card.code, 0);
	const post = await batchSend({ msg_type: 'post', content: { post: { en_us: { title: 'T', content: [[{ tag: 'text', text: 'line' }]] } } }, user_ids: ['confbatchu1'] });
	assert.equal(post.code, 0);
	await control(sb.baseUrl, 'POST', 'chats', { app_id: APP.appId, chat_id: 'oc_conf_batch_shared', name: 'Shared' });
	assert.equal((await batchSend({ msg_type: 'share_chat', content: { share_chat_id: 'oc_conf_batch_shared' }, open_ids: ['ou_conf_batch_solo'] })).code, 0);

	// v4 refusals come with HTTP 200; the im/v1 ones with HTTP 400.
	const refused = async (data: Record<string, unknown>, code: number) => assert.equal((await batchSend(data)).code, code, JSON.stringify(data).slice(0, 120));
	await refused({ msg_type: 'audio', content: { file_key: 'x' }, open_ids: ['ou_conf_batch_solo'] }, 10003);
	await refused({ msg_type: 'text', content: { text: 'nobody' } }, 10003);
	await refused({ msg_type: 'text', content: { text: 'too many' }, open_ids: Array.from({ length: 201 }, (_, n) => `ou_conf_batch_${n}`) }, 10003);
	await refused({ msg_type: 'interactive', content: { text: 'not a card' }, open_ids: ['ou_conf_batch_solo'] }, 10003);
	await refused({ msg_type: 'image', content: { image_key: 'img_v3_never_uploaded' }, open_ids: ['ou_conf_batch_solo'] }, 11227);
	await refused({ msg_type: 'share_chat', content: { share_chat_id: 'oc_conf_batch_nowhere' }, open_ids: ['ou_conf_batch_solo'] }, 11231);
	await refused({ msg_type: 'post', content: { post: { zh_cn: { content: [[{ tag: 'md', text: '**x**' }]] } } }, open_ids: ['ou_conf_batch_solo'] }, 11246);
	await refused({ msg_type: 'text', content: { text: '' }, open_ids: ['ou_conf_batch_solo'] }, 11246);
	await assert.rejects(client.im.batchMessage.getProgress({ path: { batch_message_id: 'bm-conf-missing' } }), (e: any) => e.response?.status === 400 && e.response?.data?.code === 230030);
	await assert.rejects(client.im.batchMessage.delete({ path: { batch_message_id: 'bm-conf-missing' } }), (e: any) => e.response?.status === 400 && e.response?.data?.code === 230030);
});

test('Client sends and deletes an ephemeral card (ephemeral/v1 through client.request), and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const created = await client.im.chat.create({ params: { user_id_type: 'open_id' }, data: { name: 'Ephemeral', user_id_list: ['ou_conf_eph_member'] } });
	const chatId = created.data!.chat_id!;
	const card = { schema: '2.0', body: { elements: [{ tag: 'markdown', content: 'only you' }] } };
	const send = (data: Record<string, unknown>) => client.request({ method: 'POST', url: '/open-apis/ephemeral/v1/send', data: { chat_id: chatId, msg_type: 'interactive', card, ...data } });
	const sent = await send({ open_id: 'ou_conf_eph_member' });
	assert.equal(sent.code, 0);
	const messageId = sent.data.message_id as string;
	assert.match(messageId, /^om_/);
	const listed = (await control(sb.baseUrl, 'GET', `ephemeral-cards?chat_id=${chatId}`)).ephemeral_cards;
	assert.deepEqual(listed.map((c: any) => [c.message_id, c.open_id, c.deleted]), [[messageId, 'ou_conf_eph_member', false]]);
	assert.deepEqual(listed[0].card, card);
	const history = await client.im.message.list({ params: { container_id_type: 'chat', container_id: chatId } });
	assert.ok(!history.data?.items?.some((m) => m.message_id === messageId), 'not in the chat history');

	const code = (n: number) => (e: any) => e.response?.status === 400 && e.response?.data?.code === n;
	assert.equal((await client.request({ method: 'POST', url: '/open-apis/ephemeral/v1/delete', data: { message_id: messageId } })).code, 0);
	await assert.rejects(client.request({ method: 'POST', url: '/open-apis/ephemeral/v1/delete', data: { message_id: messageId } }), code(18051));
	await assert.rejects(send({ open_id: 'ou_conf_eph_outsider' }), code(230001));
	await assert.rejects(send({}), code(230001));
	await assert.rejects(send({ open_id: 'ou_conf_eph_member', msg_type: 'text' }), code(230001));
	await assert.rejects(send({ open_id: 'ou_conf_eph_member', chat_id: 'oc_conf_eph_nowhere' }), code(230002));
});

test('Client updates a group announcement (chatAnnouncement.patch: insert, title, delete range) and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const chatId = (await client.im.chat.create({ data: { name: 'Notices' } })).data!.chat_id!;
	const paragraph = (text: string) => ({ type: 'paragraph', paragraph: { elements: [{ type: 'textRun', textRun: { text, style: {} } }], style: {} } });
	const insert = (...texts: string[]) =>
		JSON.stringify({ requestType: 'InsertBlocksRequestType', insertBlocksRequest: { payload: JSON.stringify({ blocks: texts.map(paragraph) }), location: { zoneId: '0', index: 0, endOfZone: true } } });
	const title = JSON.stringify({ requestType: 'UpdateTitleRequestType', updateTitleRequest: { payload: JSON.stringify({ elements: [{ type: 'textRun', textRun: { text: 'Rules', style: {} } }] }) } });
	assert.equal((await client.im.chatAnnouncement.patch({ path: { chat_id: chatId }, data: { revision: '0', requests: [insert('Be kind', 'Ship it'), title] } })).code, 0);
	let got = await client.im.chatAnnouncement.get({ path: { chat_id: chatId } });
	assert.equal(got.data?.revision, '1');
	assert.equal(got.data?.modifier_id_type, 'app_id');
	const doc = JSON.parse(got.data!.content!);
	assert.equal(doc.title.elements[0].textRun.text, 'Rules');
	assert.deepEqual(doc.body.blocks.map((b: any) => [b.paragraph.elements[0].textRun.text, b.paragraph.location]), [
		['Be kind', { zoneId: '0', startIndex: 6, endIndex: 13 }],
		['Ship it', { zoneId: '0', startIndex: 14, endIndex: 21 }],
	]);
	const remove = JSON.stringify({ requestType: 'DeleteContentRangeRequestType', deleteContentRangeRequest: { deleteRange: { zoneId: '0', startIndex: 6, endIndex: 13 } } });
	assert.equal((await client.im.chatAnnouncement.patch({ path: { chat_id: chatId }, data: { revision: '1', requests: [remove] } })).code, 0);
	got = await client.im.chatAnnouncement.get({ path: { chat_id: chatId } });
	assert.deepEqual([got.data?.revision, JSON.parse(got.data!.content!).body.blocks.map((b: any) => b.paragraph.elements[0].textRun.text)], ['2', ['Ship it']]);

	const code = (n: number) => (e: any) => e.response?.status === 400 && e.response?.data?.code === n;
	await assert.rejects(client.im.chatAnnouncement.patch({ path: { chat_id: chatId }, data: { revision: '9', requests: [insert('x')] } }), code(232001));
	await assert.rejects(client.im.chatAnnouncement.patch({ path: { chat_id: chatId }, data: { revision: '2', requests: ['{"requestType":"ReplaceAllTextRequestType"}'] } }), code(232018));
	await assert.rejects(client.im.chatAnnouncement.patch({ path: { chat_id: chatId }, data: { revision: '2', requests: ['not json'] } }), code(232001));
	await assert.rejects(client.im.chatAnnouncement.patch({ path: { chat_id: chatId }, data: { requests: [insert('x')] } as any }), code(99992402));
	await assert.rejects(client.im.chatAnnouncement.patch({ path: { chat_id: 'oc_conf_notices_missing' }, data: { revision: '0', requests: [insert('x')] } }), code(232006));
	assert.equal((await client.im.chatAnnouncement.get({ path: { chat_id: chatId } })).data?.revision, '2', 'refused edits change nothing');
});

test('Client acts as a user: accessToken.retrieveByAuthorizationCode / refresh (the SDK’s OAuth token endpoint), authen.userInfo.get and Search Users with the user token, the v2 token endpoint through client.request, and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const redirectUri = 'http://localhost:5678/rest/oauth2-credential/callback';
	const authorize = async (scope = 'offline_access contact:user:search') => {
		const query = new URLSearchParams({ client_id: APP.appId, redirect_uri: redirectUri, response_type: 'code', scope, state: 'st' });
		const res = await fetch(`${sb.baseUrl}/open-apis/authen/v1/authorize?${query}`, { redirect: 'manual' });
		assert.equal(res.status, 302);
		return new URL(res.headers.get('location')!).searchParams.get('code')!;
	};
	// oauthBaseUrl: Feishu's accounts host, where the SDK posts to /oauth/v3/token (the sandbox serves both hosts).
	const client = new lark.Client({ appId: APP.appId, appSecret: APP.appSecret, domain: sb.baseUrl, oauthBaseUrl: sb.baseUrl, loggerLevel: lark.LoggerLevel.error, logger: quietLogger });
	const first = await client.accessToken.retrieveByAuthorizationCode({ code: await authorize(), redirectUri });
	assert.match(first.accessToken, /^u-/);
	assert.match(first.refreshToken ?? '', /^ur-/);
	assert.equal(first.tokenType, 'Bearer');
	assert.ok((first.expiresIn ?? 0) > 7000);
	assert.deepEqual(first.scope?.split(' ').sort(), ['contact:user:search', 'offline_access']);
	const second = await client.accessToken.refresh({ refreshToken: first.refreshToken! });
	assert.notEqual(second.refreshToken, first.refreshToken);
	await assert.rejects(client.accessToken.refresh({ refreshToken: first.refreshToken! }), (e: any) => e.statusCode === 400 && e.code === 20073 && e.error === 'invalid_grant');

	const me = await client.authen.userInfo.get({}, lark.withUserAccessToken(second.accessToken));
	assert.equal(me.code, 0);
	const info = await control(sb.baseUrl, 'GET', 'info');
	assert.equal(me.data?.open_id, info.default_user.open_id);
	assert.equal(me.data?.tenant_key, info.tenant_key);

	await control(sb.baseUrl, 'POST', 'users', { name: 'Alice Liddell' });
	const found = await client.request<{ code: number; data: { users: { name: string }[]; has_more: boolean } }>({ method: 'GET', url: '/open-apis/search/v1/user', params: { query: 'alice', page_size: 10 } }, lark.withUserAccessToken(second.accessToken));
	assert.deepEqual(found.data.users.map((u) => u.name), ['Alice', 'Alice Liddell']);
	await assert.rejects(client.request({ method: 'GET', url: '/open-apis/search/v1/user', params: { query: 'alice' } }), (e: any) => e.response?.status === 400 && e.response?.data?.code === 99991668, 'the tenant token is refused');

	const v2 = await client.request<{ code: number; access_token: string; refresh_token: string }>({ method: 'POST', url: '/open-apis/authen/v2/oauth/token', data: { grant_type: 'authorization_code', client_id: APP.appId, client_secret: APP.appSecret, code: await authorize(), redirect_uri: redirectUri } });
	assert.equal(v2.code, 0);
	assert.match(v2.access_token, /^u-/);
	await assert.rejects(
		client.request({ method: 'POST', url: '/open-apis/authen/v2/oauth/token', data: { grant_type: 'refresh_token', client_id: APP.appId, client_secret: 'wrong', refresh_token: v2.refresh_token } }),
		(e: any) => e.response?.status === 401 && e.response?.data?.code === 20002 && e.response?.data?.error === 'invalid_client',
	);

	await control(sb.baseUrl, 'POST', 'oauth/expire', { app_id: APP.appId });
	await assert.rejects(client.authen.userInfo.get({}, lark.withUserAccessToken(v2.access_token)), (e: any) => e.response?.status === 400 && e.response?.data?.code === 99991677);
	const renewed = await client.accessToken.refresh({ refreshToken: v2.refresh_token });
	assert.equal((await client.authen.userInfo.get({}, lark.withUserAccessToken(renewed.accessToken))).code, 0);
});

test('Client drives Bitable: tables, fields, views, records (create, get, update, search, batches, delete), the attachment upload, and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const made = await control(sb.baseUrl, 'POST', 'bitable/apps', { name: 'Conformance Base', tables: [{ name: 'First' }] });
	const app_token: string = made.app_token;

	const table = await client.bitable.v1.appTable.create({
		path: { app_token },
		data: { table: { name: 'Orders', default_view_name: 'Grid', fields: [{ field_name: 'Order', type: 1 }, { field_name: 'Total', type: 2 }, { field_name: 'Stage', type: 3, property: { options: [{ name: 'New' }] } }, { field_name: 'Due', type: 5 }, { field_name: 'Files', type: 17 }] } },
	});
	assert.equal(table.code, 0);
	const table_id = table.data!.table_id!;
	assert.match(table_id, /^tbl/);
	assert.equal(table.data?.field_id_list?.length, 5);
	const tables = await client.bitable.v1.appTable.list({ path: { app_token }, params: { page_size: 1 } });
	assert.deepEqual([tables.data?.items?.[0]?.name, tables.data?.has_more], ['First', true]);
	const field = await client.bitable.v1.appTableField.create({ path: { app_token, table_id }, data: { field_name: 'Tags', type: 4, property: { options: [{ name: 'a' }, { name: 'b' }] } } });
	assert.deepEqual(field.data?.field?.property?.options?.map((o) => o.name), ['a', 'b']);
	const fields = await client.bitable.v1.appTableField.list({ path: { app_token, table_id } });
	assert.deepEqual(fields.data?.items?.map((f) => [f.field_name, f.type, f.is_primary]), [['Order', 1, true], ['Total', 2, false], ['Stage', 3, false], ['Due', 5, false], ['Files', 17, false], ['Tags', 4, false]]);
	const views = await client.bitable.v1.appTableView.list({ path: { app_token, table_id } });
	assert.deepEqual(views.data?.items?.map((v) => [v.view_name, v.view_type]), [['Grid', 'grid']]);

	const path = { app_token, table_id };
	const one = await client.bitable.v1.appTableRecord.create({ path, data: { fields: { Order: 'A-1', Total: 10, Stage: 'Paid', Due: 1714521600000 } } });
	const recordId = one.data!.record!.record_id!;
	assert.match(recordId, /^rec/);
	assert.deepEqual(one.data?.record?.fields, { Order: 'A-1', Total: 10, Stage: 'Paid', Due: 1714521600000 });
	const updated = await client.bitable.v1.appTableRecord.update({ path: { ...path, record_id: recordId }, data: { fields: { Total: 12, Due: null as unknown as number } } });
	assert.deepEqual(updated.data?.record?.fields, { Order: 'A-1', Total: 12, Stage: 'Paid' }, 'incremental: null clears, the rest stays');
	const got = await client.bitable.v1.appTableRecord.get({ path: { ...path, record_id: recordId } });
	assert.equal(got.data?.record?.fields?.Total, 12);
	assert.deepEqual((await client.bitable.v1.appTableField.list({ path })).data?.items?.find((f) => f.field_name === 'Stage')?.property?.options?.map((o) => o.name), ['New', 'Paid'], 'a new option was added');

	const batch = await client.bitable.v1.appTableRecord.batchCreate({ path, params: { client_token: 'c8d1e7a2-0000-4000-8000-000000000001' }, data: { records: Array.from({ length: 30 }, (_, k) => ({ fields: { Order: `B-${k}`, Total: k, Tags: k % 2 ? ['a'] : ['a', 'b'] } })) } });
	assert.equal(batch.data?.records?.length, 30);
	const again = await client.bitable.v1.appTableRecord.batchCreate({ path, params: { client_token: 'c8d1e7a2-0000-4000-8000-000000000001' }, data: { records: [{ fields: { Order: 'never' } }] } });
	assert.deepEqual(again.data?.records?.map((r) => r.record_id), batch.data?.records?.map((r) => r.record_id), 'the same client_token: nothing new');
	const ids = batch.data!.records!.map((r) => r.record_id!);
	const batchUpdated = await client.bitable.v1.appTableRecord.batchUpdate({ path, data: { records: ids.slice(0, 3).map((record_id) => ({ record_id, fields: { Stage: 'New' } })) } });
	assert.deepEqual(batchUpdated.data?.records?.map((r) => r.fields?.Stage), ['New', 'New', 'New']);
	const batchGot = await client.bitable.v1.appTableRecord.batchGet({ path, data: { record_ids: [ids[0], 'recNotThere0001'] } });
	assert.deepEqual([batchGot.data?.records?.map((r) => r.record_id), batchGot.data?.absent_record_ids], [[ids[0]], ['recNotThere0001']]);

	// Search: filter, sort, paging (search answers text fields as rich-text segments).
	const search = (params: { page_size?: number; page_token?: string }, data: Record<string, unknown>) => client.bitable.v1.appTableRecord.search({ path, params, data: data as any });
	const found = await search({ page_size: 4 }, { filter: { conjunction: 'and', conditions: [{ field_name: 'Tags', operator: 'contains', value: ['b'] }, { field_name: 'Total', operator: 'isGreaterEqual', value: ['10'] }] }, sort: [{ field_name: 'Total', desc: true }], field_names: ['Order', 'Total'] });
	assert.equal(found.data?.total, 10);
	assert.deepEqual(found.data?.items?.map((r) => r.fields.Total), [28, 26, 24, 22]);
	assert.deepEqual(found.data?.items?.[0]?.fields.Order, [{ text: 'B-28', type: 'text' }]);
	const next = await search({ page_size: 4, page_token: found.data!.page_token }, { filter: { conjunction: 'and', conditions: [{ field_name: 'Tags', operator: 'contains', value: ['b'] }, { field_name: 'Total', operator: 'isGreaterEqual', value: ['10'] }] }, sort: [{ field_name: 'Total', desc: true }] });
	assert.deepEqual(next.data?.items?.map((r) => r.fields.Total), [20, 18, 16, 14]);
	const today = await search({}, { filter: { conjunction: 'or', conditions: [{ field_name: 'Due', operator: 'isEmpty', value: [] }] } });
	assert.equal(today.data?.total, 31);

	// An attachment: uploaded into the base, written as its file_token.
	const png = PNG;
	const up = await client.drive.v1.media.uploadAll({ data: { file_name: 'dot.png', parent_type: 'bitable_image', parent_node: app_token, size: png.length, file: png } });
	assert.match(String(up?.file_token), /^[A-Za-z0-9]{27}$/);
	const withFile = await client.bitable.v1.appTableRecord.update({ path: { ...path, record_id: recordId }, data: { fields: { Files: [{ file_token: up!.file_token! }] } as any } });
	assert.equal((withFile.data?.record?.fields?.Files as any)?.[0]?.name, 'dot.png');

	const deleted = await client.bitable.v1.appTableRecord.batchDelete({ path, data: { records: ids.slice(0, 2) } });
	assert.deepEqual(deleted.data?.records?.map((r) => r.deleted), [true, true]);
	assert.equal((await client.bitable.v1.appTableRecord.delete({ path: { ...path, record_id: recordId } })).data?.deleted, true);

	// Feishu's refusals: its code, message and HTTP status.
	const refused = (status: number, code: number, msg?: RegExp) => (e: any) => {
		assert.equal(e.response?.status, status);
		assert.equal(e.response?.data?.code, code);
		if (msg) assert.match(e.response?.data?.msg, msg);
		return true;
	};
	await assert.rejects(client.bitable.v1.appTableRecord.get({ path: { ...path, record_id: recordId } }), refused(400, 1254043, /RecordIdNotFound/));
	await assert.rejects(client.bitable.v1.appTableRecord.create({ path, data: { fields: { Total: 'ten' } } }), refused(400, 1254061, /NumberFieldConvFail/));
	await assert.rejects(client.bitable.v1.appTableRecord.create({ path, data: { fields: { Nope: 'x' } } }), refused(400, 1254045, /FieldNameNotFound/));
	await assert.rejects(client.bitable.v1.appTableRecord.batchCreate({ path, data: { records: Array.from({ length: 1001 }, () => ({ fields: {} })) } }), refused(400, 1254104, /RecordAddOnceExceedLimit/));
	await assert.rejects(client.bitable.v1.appTableRecord.batchDelete({ path, data: { records: Array.from({ length: 501 }, (_, k) => `rec${k}`) } }), refused(400, 99992402));
	await assert.rejects(client.bitable.v1.appTableRecord.search({ path, params: { page_size: 501 }, data: {} }), refused(400, 99992402));
	await assert.rejects(search({}, { filter: { conjunction: 'and', conditions: [{ field_name: 'Order', operator: 'isGreater', value: ['x'] }] } }), refused(400, 1254018, /InvalidFilter/));
	await assert.rejects(client.bitable.v1.appTableRecord.create({ path: { app_token, table_id: 'tblNoSuchTable01' }, data: { fields: {} } }), refused(400, 1254041, /TableIdNotFound/));
	await assert.rejects(client.bitable.v1.appTable.list({ path: { app_token: 'NoSuchBase000000000000000000' } }), refused(400, 1254040, /BaseTokenNotFound/));
	await control(sb.baseUrl, 'PUT', `bitable/apps/${app_token}/collaborators`, { collaborators: {} });
	await assert.rejects(client.bitable.v1.appTableRecord.search({ path, data: {} }), refused(403, 91403, /Forbidden/));
	await assert.rejects(client.bitable.v1.appTable.delete({ path }), refused(403, 91403));
});

test('Client subscribes to a Base’s and a spreadsheet’s events (drive.v1.file.subscribe / getSubscribe / deleteSubscribe), receives the record change over WSClient, and Feishu’s refusals', async () => {
	const client = sdkClient();
	const base = await control(sb.baseUrl, 'POST', 'bitable/apps', { name: 'Conformance events', tables: [{ name: 'T', fields: [{ field_name: 'Name', type: 1 }] }] });
	const file = { path: { file_token: base.app_token as string }, params: { file_type: 'bitable' as const } };
	assert.equal((await client.drive.v1.file.getSubscribe(file)).data?.is_subscribe, false);
	assert.equal((await client.drive.v1.file.subscribe(file)).code, 0);
	assert.equal((await client.drive.v1.file.subscribe(file)).code, 0, 'subscribing again is fine');
	assert.equal((await client.drive.v1.file.getSubscribe(file)).data?.is_subscribe, true);

	const received: any[] = [];
	const ws = await startWsClient({ 'drive.file.bitable_record_changed_v1': (d) => void received.push(d) });
	try {
		const made = await control(sb.baseUrl, 'POST', `bitable/apps/${base.app_token}/tables/${base.tables[0].table_id}/records`, { fields: { Name: 'x' } });
		await waitFor('the record change', () => received.length === 1);
		assert.equal(received[0].file_token, base.app_token);
		assert.equal(received[0].table_id, base.tables[0].table_id);
		assert.equal(received[0].action_list[0].record_id, made.record_id);
		assert.equal(received[0].action_list[0].action, 'record_added');
		assert.equal(typeof received[0].action_list[0].after_value[0].field_value, 'string');
	} finally {
		ws.close({ force: true });
	}

	assert.equal((await client.drive.v1.file.deleteSubscribe(file)).code, 0);
	assert.equal((await client.drive.v1.file.getSubscribe(file)).data?.is_subscribe, false);

	const sheet = await control(sb.baseUrl, 'POST', 'drive/files', { file_type: 'sheet' });
	assert.equal((await client.drive.v1.file.subscribe({ path: { file_token: sheet.file_token }, params: { file_type: 'sheet' } })).code, 0);
	assert.equal((await client.drive.v1.file.getSubscribe({ path: { file_token: sheet.file_token }, params: { file_type: 'sheet' } })).data?.is_subscribe, true);

	const refused = (status: number, code: number) => (e: any) => {
		assert.equal(e.response?.status, status);
		assert.equal(e.response?.data?.code, code);
		return true;
	};
	await assert.rejects(client.drive.v1.file.subscribe({ path: { file_token: 'NoSuchBase0000' }, params: { file_type: 'bitable' } }), refused(404, 1061003));
	await assert.rejects(client.drive.v1.file.subscribe({ path: { file_token: sheet.file_token }, params: { file_type: 'bitable' } }), refused(404, 1061003));
	await assert.rejects(client.drive.v1.file.subscribe({ path: { file_token: base.app_token }, params: { file_type: 'wiki' as any } }), refused(400, 99992402));
	await assert.rejects(client.drive.v1.file.subscribe({ path: { file_token: base.app_token }, params: { file_type: 'bitable', event_type: 'file.created_in_folder_v1' } }), refused(400, 1061002));
	await control(sb.baseUrl, 'PUT', `bitable/apps/${base.app_token}/collaborators`, { collaborators: { [APP.appId]: 'read' } });
	await assert.rejects(client.drive.v1.file.subscribe(file), refused(403, 91403));
});

test('Client drives Sheets: spreadsheet create / get, sheets query / get / find (typed methods), values read / write / append and sheets_batch_update (client.request), and Feishu’s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const made = await client.sheets.spreadsheet.create({ data: { title: 'Conformance Sheet' } });
	const token = made.data!.spreadsheet!.spreadsheet_token!;
	assert.match(token, /^[A-Za-z0-9]{20,}$/);
	assert.match(String(made.data?.spreadsheet?.url), new RegExp(`/sheets/${token}$`));
	assert.equal((await client.sheets.spreadsheet.get({ path: { spreadsheet_token: token } })).data?.spreadsheet?.title, 'Conformance Sheet');
	const sheets = (await client.sheets.spreadsheetSheet.query({ path: { spreadsheet_token: token } })).data?.sheets ?? [];
	assert.deepEqual(sheets.map((s) => [s.title, s.index, s.grid_properties?.row_count, s.grid_properties?.column_count]), [['Sheet1', 0, 200, 20]]);
	const sheetId = sheets[0].sheet_id!;
	assert.equal((await client.sheets.spreadsheetSheet.get({ path: { spreadsheet_token: token, sheet_id: sheetId } })).data?.sheet?.title, 'Sheet1');

	const v2 = `/open-apis/sheets/v2/spreadsheets/${token}`;
	const put = await client.request({ method: 'PUT', url: `${v2}/values`, data: { valueRange: { range: `${sheetId}!A1:B3`, values: [['Name', 'Qty'], ['apple', 3], ['pear', 5]] } } });
	assert.deepEqual([put.code, put.data.updatedRange, put.data.updatedRows, put.data.updatedColumns, put.data.updatedCells], [0, `${sheetId}!A1:B3`, 3, 2, 6]);
	const appended = await client.request({ method: 'POST', url: `${v2}/values_append`, params: { insertDataOption: 'INSERT_ROWS' }, data: { valueRange: { range: `${sheetId}!A1:B`, values: [['plum', 7]] } } });
	assert.deepEqual([appended.data.tableRange, appended.data.updates.updatedRange, appended.data.updates.updatedRows], [`${sheetId}!A4:B4`, `${sheetId}!A4:B4`, 1]);
	const read = await client.request({ method: 'GET', url: `${v2}/values/${encodeURIComponent(`${sheetId}!A1:B`)}`, params: { valueRenderOption: 'ToString' } });
	assert.deepEqual([read.data.valueRange.range, read.data.valueRange.majorDimension, read.data.valueRange.values], [`${sheetId}!A1:B4`, 'ROWS', [['Name', 'Qty'], ['apple', 3], ['pear', 5], ['plum', 7]]]);
	assert.equal(read.data.revision, read.data.valueRange.revision);

	const found = await client.sheets.spreadsheetSheet.find({ path: { spreadsheet_token: token, sheet_id: sheetId }, data: { find_condition: { range: `${sheetId}!A1:B4`, match_case: false, match_entire_cell: false }, find: 'P' } });
	assert.deepEqual([found.data?.find_result?.matched_cells, found.data?.find_result?.rows_count], [['A2', 'A3', 'A4'], 3], 'case-insensitive: apple, pear, plum');

	const batch = await client.request({ method: 'POST', url: `${v2}/sheets_batch_update`, data: { requests: [{ addSheet: { properties: { title: 'Second', index: 1 } } }, { copySheet: { source: { sheetId }, destination: { title: 'Copy' } } }] } });
	const [add, copy] = batch.data.replies;
	assert.deepEqual([add.addSheet.properties.title, add.addSheet.properties.index, copy.copySheet.properties.title], ['Second', 1, 'Copy']);
	const del = await client.request({ method: 'POST', url: `${v2}/sheets_batch_update`, data: { requests: [{ deleteSheet: { sheetId: add.addSheet.properties.sheetId } }] } });
	assert.deepEqual(del.data.replies[0].deleteSheet, { result: true, sheetId: add.addSheet.properties.sheetId });
	assert.deepEqual(((await client.sheets.spreadsheetSheet.query({ path: { spreadsheet_token: token } })).data?.sheets ?? []).map((s) => s.title), ['Sheet1', 'Copy']);

	// Feishu's refusals: its code, message and HTTP status.
	const refused = (status: number, code: number, msg?: RegExp) => (e: any) => {
		assert.equal(e.response?.status, status);
		assert.equal(e.response?.data?.code, code);
		if (msg) assert.match(e.response?.data?.msg, msg);
		return true;
	};
	await assert.rejects(client.request({ method: 'GET', url: `${v2}/values/${encodeURIComponent(`${sheetId}!A1:?`)}` }), refused(400, 90202, /validate RangeVal fail/));
	await assert.rejects(client.request({ method: 'PUT', url: `${v2}/values`, data: { valueRange: { range: `${sheetId}!A1:A1`, values: [['a', 'b']] } } }), refused(400, 90202));
	await assert.rejects(client.request({ method: 'PUT', url: `${v2}/values`, data: { valueRange: { range: `${sheetId}!A1:A6000`, values: Array.from({ length: 5001 }, () => ['x']) } } }), refused(400, 90227, /TooLargeRequest/));
	await assert.rejects(client.request({ method: 'PUT', url: `${v2}/values`, data: { valueRange: { range: `${sheetId}!A1`, values: [['x'.repeat(50_001)]] } } }), refused(400, 90222, /TooLargeCell/));
	await assert.rejects(client.request({ method: 'PUT', url: `${v2}/values`, data: { valueRange: { range: `${sheetId}!A1:B1` } } }), refused(400, 90204, /WrongRequestBody/));
	await assert.rejects(client.request({ method: 'PUT', url: `${v2}/values`, data: { valueRange: { range: 'nosuch!A1:A1', values: [['x']] } } }), refused(400, 90215, /SheetIdNotFound/));
	await assert.rejects(client.request({ method: 'POST', url: `${v2}/values_append`, params: { insertDataOption: 'SOMETIMES' }, data: { valueRange: { range: `${sheetId}!A1:B`, values: [['x']] } } }), refused(400, 90204));
	await assert.rejects(client.request({ method: 'POST', url: `${v2}/sheets_batch_update`, data: { requests: [{ addSheet: { properties: { title: 'Copy' } } }] } }), refused(400, 90210, /ExistSheetTitle/));
	await assert.rejects(client.sheets.spreadsheetSheet.get({ path: { spreadsheet_token: token, sheet_id: 'nosuch' } }), refused(400, 1310215, /Sheet Id Not Found/));
	await assert.rejects(client.sheets.spreadsheet.get({ path: { spreadsheet_token: 'shtcnNoSuchSheet00000000000' } }), refused(400, 1310214));
	await assert.rejects(client.sheets.spreadsheet.create({ data: { title: 'x'.repeat(256) } }), refused(400, 1310204, /Wrong Request Body/));
	// A spreadsheet a person made and did not share with the app.
	const closed = await control(sb.baseUrl, 'POST', 'sheets/spreadsheets', { title: 'Closed', collaborators: {} });
	await assert.rejects(client.request({ method: 'GET', url: `/open-apis/sheets/v2/spreadsheets/${closed.spreadsheet_token}/values/${closed.sheets[0].sheet_id}` }), refused(403, 90213, /PermissionFail/));
	await assert.rejects(client.sheets.spreadsheetSheet.query({ path: { spreadsheet_token: closed.spreadsheet_token } }), refused(400, 1310213, /Permission Fail/));
});

test('Client lists Drive files (drive.v1.file.list / listWithIterator): the root of the app\'s space whole, a folder page by page, and Feishu\'s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const own = await control(sb.baseUrl, 'POST', 'bitable/apps', { name: 'Own Base', owner_id: APP.botOpenId });
	await control(sb.baseUrl, 'POST', 'bitable/apps', { name: 'Shared Base' });
	const sheet = (await client.sheets.spreadsheet.create({ data: { title: 'Own Sheet' } })).data!.spreadsheet!.spreadsheet_token!;
	const root = await client.drive.v1.file.list({ params: { page_size: 50, order_by: 'CreatedTime', direction: 'ASC' } });
	assert.equal(root.code, 0);
	assert.equal(root.data?.has_more, false);
	assert.deepEqual(root.data?.files?.map((f) => [f.type, f.name, f.token, f.owner_id]), [
		['bitable', 'Own Base', own.app_token, APP.botOpenId],
		['sheet', 'Own Sheet', sheet, APP.botOpenId],
	]);
	assert.match(String(root.data?.files?.[0].url), new RegExp(`/base/${own.app_token}$`));

	const box = await control(sb.baseUrl, 'POST', 'drive/folders', { name: 'Box', owner_id: APP.botOpenId });
	const inside: string[] = [];
	for (let i = 0; i < 5; i++) inside.push((await control(sb.baseUrl, 'POST', 'bitable/apps', { name: `Boxed ${i}`, owner_id: APP.botOpenId, folder_token: box.token })).app_token);
	const pages: string[][] = [];
	for await (const page of await client.drive.v1.file.listWithIterator({ params: { folder_token: box.token, page_size: 2 } })) pages.push((page?.files ?? []).map((f) => f.token));
	assert.deepEqual(pages.map((p) => p.length), [2, 2, 1], 'the SDK follows next_page_token');
	assert.deepEqual(pages.flat().sort(), inside.sort());

	const refused = (status: number, code: number) => (e: any) => {
		assert.equal(e.response?.status, status);
		assert.equal(e.response?.data?.code, code);
		return true;
	};
	await assert.rejects(client.drive.v1.file.list({ params: { page_size: 201 } }), refused(400, 1064001));
	await assert.rejects(client.drive.v1.file.list({ params: { folder_token: 'fldcnNoSuchFolder000000000' } }), refused(404, 1061003));
	await assert.rejects(client.drive.v1.file.list({ params: { order_by: 'Name' as any } }), refused(400, 99992402));
});

test('Client streams a CardKit card entity: cardkit.v1.card.create, cardElement.content, card.settings, card.update, sent with im.v1.message.create, and Feishu\'s refusals', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const client = sdkClient();
	const card = {
		schema: '2.0',
		config: { streaming_mode: true, summary: { content: '[Generating]' } },
		header: { title: { tag: 'plain_text', content: 'Answer' } },
		body: { elements: [{ tag: 'markdown', element_id: 'answer', content: '' }] },
	};
	const created = await client.cardkit.v1.card.create({ data: { type: 'card_json', data: JSON.stringify(card) } });
	assert.equal(created.code, 0);
	const cardId = created.data!.card_id;
	assert.match(cardId, /^7\d{18}$/);
	const sent = await client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_cardkit', msg_type: 'interactive', content: JSON.stringify({ type: 'card', data: { card_id: cardId } }) } }).catch((e: any) => e.response?.data);
	// The bot is in no chat oc_cardkit yet: Feishu's 230002, the SDK passes it on.
	assert.equal(sent.code, 230002);
	await control(sb.baseUrl, 'POST', 'chats/oc_cardkit/messages', { text: 'tell me', chat_type: 'group', mention_bot: true });
	const message = await client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_cardkit', msg_type: 'interactive', content: JSON.stringify({ type: 'card', data: { card_id: cardId } }) } });
	assert.equal(message.code, 0);
	const messageId = message.data!.message_id!;

	let sequence = 0;
	for (const text of ['The', 'The answer', 'The answer is 42.']) {
		const r = await client.cardkit.v1.cardElement.content({ path: { card_id: cardId, element_id: 'answer' }, data: { content: text, sequence: ++sequence, uuid: `c-${sequence}` } });
		assert.equal(r.code, 0);
	}
	const shown = async () => JSON.parse((await client.im.v1.message.get({ path: { message_id: messageId } })).data!.items![0].body!.content);
	assert.equal((await shown()).body.elements[0].content, 'The answer is 42.');

	const refused = (status: number, code: number) => (e: any) => {
		assert.equal(e.response?.status, status);
		assert.equal(e.response?.data?.code, code);
		return true;
	};
	await assert.rejects(client.cardkit.v1.cardElement.content({ path: { card_id: cardId, element_id: 'answer' }, data: { content: 'stale', sequence } }), refused(400, 300317));
	await assert.rejects(client.cardkit.v1.cardElement.content({ path: { card_id: cardId, element_id: 'missing' }, data: { content: 'x', sequence: sequence + 1 } }), refused(400, 300313));

	const closed = await client.cardkit.v1.card.settings({ path: { card_id: cardId }, data: { settings: JSON.stringify({ config: { streaming_mode: false, summary: { content: 'The answer is 42.' } } }), sequence: ++sequence } });
	assert.equal(closed.code, 0);
	await assert.rejects(client.cardkit.v1.cardElement.content({ path: { card_id: cardId, element_id: 'answer' }, data: { content: 'The answer is 42. More', sequence: ++sequence } }), refused(400, 300309));

	const final = { schema: '2.0', header: { title: { tag: 'plain_text', content: 'Final answer' } }, body: { elements: [{ tag: 'markdown', element_id: 'answer', content: '**42**' }] } };
	const updated = await client.cardkit.v1.card.update({ path: { card_id: cardId }, data: { card: { type: 'card_json', data: JSON.stringify(final) }, sequence: ++sequence, uuid: 'final' } });
	assert.equal(updated.code, 0);
	assert.deepEqual(await shown(), final);

	// Components through the SDK too.
	const added = await client.cardkit.v1.cardElement.create({ path: { card_id: cardId }, data: { type: 'append', elements: JSON.stringify([{ tag: 'hr', element_id: 'rule' }]), sequence: ++sequence } });
	assert.equal(added.code, 0);
	const removed = await client.cardkit.v1.cardElement.delete({ path: { card_id: cardId, element_id: 'rule' }, data: { sequence: ++sequence } });
	assert.equal(removed.code, 0);
	assert.deepEqual(await shown(), final);

	await assert.rejects(client.cardkit.v1.card.create({ data: { type: 'card_json', data: JSON.stringify({ elements: [] }) } }), refused(400, 300303));
	await assert.rejects(client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_cardkit', msg_type: 'interactive', content: JSON.stringify({ type: 'card', data: { card_id: cardId } }) } }), refused(400, 230099));
	const entity = await control(sb.baseUrl, 'GET', `cardkit/cards/${cardId}`);
	assert.equal(entity.message_id, messageId);
	assert.equal(entity.sequence, sequence);
	assert.equal(entity.streaming_mode, false);
});
