// GatewayClient protocol details against a scriptable in-test gateway (mockGateway.ts): the
// endpoint request, pings, ack shape, ClientConfig validation, odd frames, endpoint and handshake
// error classes, the reconnect schedule and the count cap, close() at awkward moments, and logs.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { type FeishuEnvelope, FeishuGatewayError, GatewayClient, type GatewayClientOptions, getHeader } from '../../../lib/feishu';
import { sleep, waitFor } from '../../helpers/hubSandbox';
import { eventFrame, MockGateway, v2Event } from '../../helpers/mockGateway';

const SECRET = 'super-secret-value';
let gw: MockGateway;
let clients: GatewayClient[];

beforeEach(async () => {
	gw = await new MockGateway().start();
	clients = [];
});

afterEach(async () => {
	await Promise.all(clients.map((c) => c.close()));
	await gw.close();
});

function client(overrides: Partial<GatewayClientOptions> = {}) {
	const events: FeishuEnvelope[] = [];
	const fatals: FeishuGatewayError[] = [];
	const logs: string[] = [];
	const log = (level: string) => (message: string, meta?: object) => logs.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
	const c = new GatewayClient({
		credentials: { appId: 'cli_0000000000000001', appSecret: SECRET, baseUrl: gw.baseUrl },
		onEvent: (e) => void events.push(e),
		onFatal: (e) => void fatals.push(e),
		logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
		...overrides,
	});
	clients.push(c);
	return { c, events, fatals, logs };
}

test('endpoint request: PascalCase body, locale header; ping at once with the URL service_id', async () => {
	const { c } = client();
	await c.start();
	assert.deepEqual(gw.endpointCalls[0].body, { AppID: 'cli_0000000000000001', AppSecret: SECRET });
	assert.equal(gw.endpointCalls[0].headers.locale, 'zh');
	const conn = gw.connections[0];
	await waitFor('first ping', () => conn.frames.length >= 1, 500);
	const ping = conn.frames[0];
	assert.equal(ping.method, 0);
	assert.equal(getHeader(ping, 'type'), 'ping');
	assert.equal(ping.service, 701);
	assert.equal(String(ping.SeqID), '0');
	assert.equal(c.stats().deviceId, 'dev1');
	// PingInterval 1 s from the endpoint's ClientConfig: a second ping about a second later.
	await waitFor('second ping', () => conn.frames.filter((f) => f.method === 0).length >= 2, 2500);
});

test('ack echoes the frame exactly, appends biz_rt and answers {"code":200}', async () => {
	const { c, events } = client();
	await c.start();
	const conn = gw.connections[0];
	const frame = eventFrame(v2Event('ev-1'));
	gw.send(conn, frame);
	const ack = await gw.ackFor(conn, String(frame.SeqID));
	assert.equal(String(ack.LogID), '9007199254740993');
	assert.equal(ack.LogIDNew, frame.LogIDNew);
	assert.equal(ack.service, frame.service);
	assert.deepEqual(ack.headers.slice(0, frame.headers.length), frame.headers);
	assert.match(getHeader(ack, 'biz_rt') ?? '', /^\d+$/);
	assert.deepEqual(JSON.parse(Buffer.from(ack.payload!).toString()), { code: 200 });
	await waitFor('event', () => events.length === 1);
	assert.equal(events[0].eventId, 'ev-1');
});

test('pong ClientConfig: valid fields applied, invalid ones ignored', async () => {
	const { c } = client();
	gw.pongPayload = () => ({ PingInterval: 'soon', ReconnectCount: 3, ReconnectInterval: -5, ReconnectNonce: 2 });
	await c.start();
	await waitFor('pong applied', () => c.currentTimings().reconnectCount === 3, 1000);
	const t = c.currentTimings();
	assert.equal(t.pingIntervalMs, 1000, 'kept from the endpoint config');
	assert.equal(t.reconnectIntervalMs, 1000, 'negative interval ignored');
	assert.equal(t.reconnectNonceMs, 2000);
	gw.pongPayload = () => 'not json {';
	await waitFor('bad pong counted', () => c.stats().malformed >= 1, 2500);
	assert.equal(c.currentTimings().reconnectCount, 3);
});

test('odd frames: text, undecodable, bad fragments and non-JSON payloads are counted; non-JSON is still acked', async () => {
	const { c, events } = client();
	await c.start();
	const conn = gw.connections[0];
	conn.ws.send('hello as text');
	conn.ws.send(Buffer.from([0xff, 0xff, 0xff]));
	gw.send(conn, eventFrame('{}', { sum: 2, seq: 2 }));
	const notJson = eventFrame('this is not json');
	gw.send(conn, notJson);
	const ack = await gw.ackFor(conn, String(notJson.SeqID));
	assert.deepEqual(JSON.parse(Buffer.from(ack.payload!).toString()), { code: 200 });
	const good = eventFrame(v2Event('ev-good'));
	gw.send(conn, good);
	await gw.ackFor(conn, String(good.SeqID));
	await waitFor('good event', () => events.length === 1);
	const s = c.stats();
	assert.equal(s.malformed, 4);
	assert.equal(s.acks, 2);
	assert.equal(events[0].eventId, 'ev-good');
	assert.equal(c.connected, true);
});

test('a `card` frame is treated as a callback and answered in the ack data', async () => {
	const answer = { toast: { type: 'info', content: 'hi' } };
	const { c } = client({ onEvent: async (_e, ctx) => (ctx.isCallback ? answer : undefined) });
	await c.start();
	const conn = gw.connections[0];
	const frame = eventFrame(JSON.stringify({ open_message_id: 'om_1', action: { value: { a: 1 } } }), { type: 'card' });
	gw.send(conn, frame);
	const ack = await gw.ackFor(conn, String(frame.SeqID));
	const body = JSON.parse(Buffer.from(ack.payload!).toString());
	assert.equal(body.code, 200);
	assert.deepEqual(JSON.parse(Buffer.from(body.data, 'base64').toString()), answer);
	assert.equal(c.stats().callbacks, 1);
});

test('a throwing callback handler still acks, with an empty answer', async () => {
	const { c } = client({
		onEvent: () => {
			throw new Error('workflow broke');
		},
	});
	await c.start();
	const conn = gw.connections[0];
	const frame = eventFrame(v2Event('cb-1', 'card.action.trigger'));
	gw.send(conn, frame);
	const ack = await gw.ackFor(conn, String(frame.SeqID));
	const body = JSON.parse(Buffer.from(ack.payload!).toString());
	assert.deepEqual(JSON.parse(Buffer.from(body.data, 'base64').toString()), {});
	assert.equal(c.stats().handlerErrors, 1);
});

test('endpoint codes: 1 and 1000040343 and HTTP 5xx are retryable, others fatal with Feishu msg', async () => {
	const cases: [{ status?: number; body: unknown }, boolean, number | undefined][] = [
		[{ body: { code: 1, msg: 'system busy' } }, true, 1],
		[{ body: { code: 1000040343, msg: 'internal error' } }, true, 1000040343],
		[{ status: 502, body: 'bad gateway' }, true, undefined],
		[{ status: 200, body: { code: 0, msg: 'ok' } }, true, 0],
		[{ body: { code: 1000040345, msg: 'system busy' } }, false, 1000040345],
		[{ status: 400, body: { code: 10003, msg: 'invalid app_secret' } }, false, 10003],
	];
	for (const [reply, retryable, code] of cases) {
		gw.endpointScript.push(reply);
		const { c } = client();
		const err = await c.start().catch((e: unknown) => e);
		assert.ok(err instanceof FeishuGatewayError, `${JSON.stringify(reply)} -> ${err}`);
		assert.equal(err.retryable, retryable, JSON.stringify(reply));
		assert.equal(err.code, code);
		if (typeof (reply.body as any)?.msg === 'string' && code !== 0) assert.ok(err.message.includes((reply.body as any).msg));
		assert.doesNotMatch(err.message, new RegExp(SECRET));
		assert.equal(c.stats().state, 'closed');
	}
});

test('handshake 514 with another autherrcode is retried; 403 after start is fatal', async () => {
	gw.upgradeScript.push({ status: 514, headers: { 'Handshake-Status': '514', 'Handshake-Autherrcode': '1000040343' } });
	const { c, fatals } = client();
	const err = await c.start().catch((e: unknown) => e);
	assert.ok(err instanceof FeishuGatewayError);
	assert.equal(err.retryable, true, 'retryable, but start() reports the first failure');
	assert.equal(err.code, 1000040343);

	const second = client();
	await second.c.start();
	gw.upgradeScript.push({ status: 514, headers: { 'Handshake-Status': '514', 'Handshake-Autherrcode': '1000040343' } });
	gw.upgradeScript.push({ status: 403, headers: { 'Handshake-Status': '403', 'Handshake-Msg': 'forbidden' } });
	gw.connections[0].ws.terminate();
	await waitFor('fatal', () => second.fatals.length === 1, 6000);
	assert.equal(second.fatals[0].retryable, false);
	assert.match(second.fatals[0].message, /403/);
	assert.equal(second.c.stats().reconnectAttempts, 2);
	assert.equal(second.c.stats().state, 'closed');
	assert.equal(fatals.length, 0, 'a failed start() does not also call onFatal');
});

test('reconnect schedule: first attempt within the nonce, then every interval; each attempt re-calls the endpoint', async () => {
	const { c } = client({ overrides: { reconnectNonceMs: 300, reconnectIntervalMs: 400 } });
	await c.start();
	gw.endpointScript.push({ body: { code: 1, msg: 'busy' } }, { body: { code: 1, msg: 'busy' } });
	const droppedAt = Date.now();
	gw.connections[0].ws.terminate();
	await waitFor('reconnected', () => c.stats().reconnects === 1, 5000);
	const calls = gw.endpointCalls.slice(1).map((x) => x.at);
	assert.equal(calls.length, 3);
	assert.ok(calls[0] - droppedAt < 300 + 250, `first attempt after ${calls[0] - droppedAt} ms (nonce 300 ms)`);
	assert.ok(calls[1] - calls[0] >= 390 && calls[2] - calls[1] >= 390, `gaps ${calls[1] - calls[0]}, ${calls[2] - calls[1]}`);
	assert.equal(c.stats().deviceId, 'dev2');
	assert.equal(c.stats().reconnectAttempts, 3);
});

test('ReconnectCount caps the attempts, then onFatal', async () => {
	const { c, fatals } = client({ overrides: { reconnectNonceMs: 0, reconnectIntervalMs: 50, reconnectCount: 2 } });
	await c.start();
	for (let i = 0; i < 5; i++) gw.endpointScript.push({ status: 503, body: {} });
	gw.connections[0].ws.terminate();
	await waitFor('gave up', () => fatals.length === 1, 3000);
	assert.match(fatals[0].message, /gave up after 2 reconnect attempts/);
	assert.equal(gw.endpointCalls.length, 3);
});

test('the watchdog terminates a socket that stops answering', async () => {
	const { c } = client({ overrides: { pingIntervalMs: 100, reconnectNonceMs: 0 } });
	await c.start();
	gw.answerPings = false;
	await waitFor('watchdog', () => c.stats().watchdogTerminations === 1, 2000);
	gw.answerPings = true;
	await waitFor('reconnected', () => c.connected && c.stats().reconnects === 1, 2000);
	assert.equal(c.currentTimings().watchdogMs, 300);
});

test('close() during start, during a reconnect wait and twice leaves nothing running', async () => {
	const before = process.getActiveResourcesInfo().length;
	const a = client();
	const starting = a.c.start();
	await a.c.close();
	const err = await starting.catch((e: unknown) => e);
	assert.ok(err instanceof FeishuGatewayError);
	assert.match(err.message, /closed before it connected/);

	const b = client({ overrides: { reconnectNonceMs: 5000 } });
	await b.c.start();
	gw.connections.at(-1)!.ws.terminate();
	await waitFor('reconnecting', () => b.c.stats().state === 'reconnecting', 1000);
	await b.c.close();
	await b.c.close();
	assert.equal(b.c.stats().state, 'closed');
	assert.equal(b.fatals.length, 0);
	await sleep(30);
	assert.ok(process.getActiveResourcesInfo().length <= before, `${process.getActiveResourcesInfo()}`);
});

test('logs never contain the app secret, the ticket or the access key', async () => {
	const { c, logs } = client({ overrides: { reconnectNonceMs: 0, reconnectIntervalMs: 50 } });
	await c.start();
	gw.endpointScript.push({ body: { code: 1, msg: `busy ${SECRET}` } });
	gw.connections[0].ws.terminate();
	await waitFor('reconnected', () => c.stats().reconnects === 1, 3000);
	gw.send(gw.connections.at(-1)!, eventFrame('garbage'));
	await sleep(50);
	const all = logs.join('\n');
	assert.ok(logs.length >= 3);
	assert.match(all, /device_id=dev1/);
	assert.doesNotMatch(all, new RegExp(`${SECRET}|tkt-|secretkey`));
});
