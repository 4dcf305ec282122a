// Sandbox-specific gateway behaviour, driven frame by frame with a raw client: endpoint errors, ping/pong
// with ClientConfig, cluster mode, redelivery, the connection limit and malformed frames.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ackFrame, encodeFrame, getHeader } from '../../lib/feishu/frames';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { control, getEndpoint, RawClient, waitFor } from '../helpers/sandboxTests';

let sb: Sandbox;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true, ackTimeoutMs: 300, maxRedeliveries: 2, maxConnectionsPerApp: 3, clientConfig: { PingInterval: 7, ReconnectNonce: 1 } });
});
after(() => sb.close());

test('endpoint: PascalCase credentials get a ws URL with device_id/service_id and the ClientConfig; bad ones get 1000040346', async () => {
	const ok = await getEndpoint(sb.baseUrl);
	assert.equal(ok.code, 0);
	const url = new URL(ok.data.URL);
	assert.equal(url.protocol, 'ws:');
	assert.match(url.searchParams.get('device_id') ?? '', /^\d+$/);
	assert.match(url.searchParams.get('service_id') ?? '', /^\d+$/);
	assert.ok(url.searchParams.get('ticket'));
	assert.notEqual(url.search.indexOf('device_id'), 1, 'device_id must not be the first query key');
	assert.deepEqual(ok.data.ClientConfig, { PingInterval: 7, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 1 });
	const bad = await getEndpoint(sb.baseUrl, 'cli_0000000000000000', 'x');
	assert.equal(bad.code, 1000040346);
	const wrong = await getEndpoint(sb.baseUrl, undefined, 'wrong-secret');
	assert.equal(wrong.code, 1000040346);
});

test('ping gets a pong carrying the ClientConfig; a used ticket is refused', async () => {
	const ep = await getEndpoint(sb.baseUrl);
	const c = await RawClient.connect(sb.baseUrl);
	c.ping();
	const pong = await waitFor('pong', () => c.frames.find((f) => getHeader(f, 'type') === 'pong'));
	assert.equal(pong.method, 0);
	assert.deepEqual(JSON.parse(Buffer.from(pong.payload!).toString()), { PingInterval: 7, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 1 });
	c.close();
	// reuse a ticket twice: the second dial is refused with a retryable 514
	const first = new WebSocket(ep.data.URL);
	await new Promise((r) => first.once('open', r));
	const status = await new Promise<number>((resolve) => {
		const second = new WebSocket(ep.data.URL);
		second.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
		second.on('error', () => undefined);
	});
	assert.equal(status, 514);
	first.terminate();
});

test('cluster mode: each event goes to exactly one of two connections, and an unacked event is redelivered', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const a = await RawClient.connect(sb.baseUrl);
	const b = await RawClient.connect(sb.baseUrl);
	const autoAck = (c: RawClient) => c.ws.on('message', () => {
		const f = c.frames[c.frames.length - 1];
		if (getHeader(f, 'type') === 'event') c.ws.send(encodeFrame(ackFrame(f)));
	});
	autoAck(a);
	autoAck(b);
	const ids: string[] = [];
	for (let i = 0; i < 20; i++) ids.push((await control(sb.baseUrl, 'POST', 'events', { event_type: 'custom.event', event: { i } })).event_id);
	await waitFor('all acked', async () => (await control(sb.baseUrl, 'GET', 'deliveries')).deliveries.filter((d: any) => d.acked).length === 20);
	const seen = [...a.events(), ...b.events()].map((f) => JSON.parse(Buffer.from(f.payload!).toString()).header.event_id);
	assert.equal(seen.length, 20, 'no event may be broadcast to both connections');
	assert.deepEqual([...seen].sort(), [...ids].sort());
	assert.ok(a.events().length > 0 && b.events().length > 0, 'both connections should get some of 20 events');
	a.close();
	b.close();

	// no ack at all: delivered 1 + maxRedeliveries (2) times, then given up
	const silent = await RawClient.connect(sb.baseUrl);
	const { event_id } = await control(sb.baseUrl, 'POST', 'events', { event_type: 'custom.event', event: {} });
	await waitFor('given up', async () => (await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0].gave_up, 4000);
	const d = (await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0];
	assert.equal(d.attempts.length, 3);
	assert.equal(d.redelivered, true);
	assert.equal(d.acked, false);
	assert.equal(silent.events().length, 3, 'the same event arrives three times');
	const eventIds = new Set(silent.events().map((f) => JSON.parse(Buffer.from(f.payload!).toString()).header.event_id));
	assert.deepEqual([...eventIds], [event_id]);
	silent.close();
});

test('connection limit: the (max+1)th upgrade gets 514 with Handshake-Autherrcode 1000040350', async () => {
	await waitFor('previous closed', async () => (await control(sb.baseUrl, 'GET', 'stats')).connections_open === 0);
	const clients = [await RawClient.connect(sb.baseUrl), await RawClient.connect(sb.baseUrl), await RawClient.connect(sb.baseUrl)];
	const ep = await getEndpoint(sb.baseUrl);
	const res = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve) => {
		const ws = new WebSocket(ep.data.URL);
		ws.on('unexpected-response', (_req, r) => resolve({ status: r.statusCode ?? 0, headers: r.headers }));
		ws.on('error', () => undefined);
	});
	assert.equal(res.status, 514);
	assert.equal(res.headers['handshake-autherrcode'], '1000040350');
	assert.equal(res.headers['handshake-status'], '514');
	assert.ok(res.headers['handshake-msg']);
	for (const c of clients) c.close();
});

test('malformed client frames are counted, not fatal; the connection keeps working', async () => {
	const before = (await control(sb.baseUrl, 'GET', 'stats')).malformed_frames;
	const c = await RawClient.connect(sb.baseUrl);
	c.ws.send(Buffer.from([0xff, 0xff, 0xff]));
	c.ws.send('not a frame');
	c.ws.send(Buffer.from([0x08, 0x01])); // valid varint but required fields missing
	c.ping();
	await waitFor('pong after garbage', () => c.frames.find((f) => getHeader(f, 'type') === 'pong'));
	const after = (await control(sb.baseUrl, 'GET', 'stats')).malformed_frames;
	assert.equal(after - before, 3);
	assert.equal(c.closed, false);
	c.close();
});

test('faults: refuse_next_upgrade (403), silent_drop (no pongs, socket open), malformed_frames to the client', async () => {
	await control(sb.baseUrl, 'POST', 'faults', { refuse_next_upgrade: { status: 403 } });
	const ep = await getEndpoint(sb.baseUrl);
	const refused = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve) => {
		const ws = new WebSocket(ep.data.URL);
		ws.on('unexpected-response', (_req, r) => resolve({ status: r.statusCode ?? 0, headers: r.headers }));
		ws.on('error', () => undefined);
	});
	assert.equal(refused.status, 403);
	assert.equal(refused.headers['handshake-status'], '403');
	const c = await RawClient.connect(sb.baseUrl); // only the next upgrade was refused
	await control(sb.baseUrl, 'POST', 'faults', { malformed_frames: 2 });
	await waitFor('garbage frames', () => c.garbage === 2);
	await control(sb.baseUrl, 'POST', 'faults', { silent_drop: true });
	c.ping();
	await new Promise((r) => setTimeout(r, 200));
	assert.equal(c.frames.filter((f) => getHeader(f, 'type') === 'pong').length, 0, 'a silently dropped connection answers nothing');
	assert.equal(c.closed, false);
	const conns = (await control(sb.baseUrl, 'GET', 'connections')).connections;
	assert.equal(conns.find((x: any) => x.open && x.silent)?.silent, true);
	c.close();
});

test('an event sent while no client is connected waits and is delivered on connect', async () => {
	await waitFor('no open connections', async () => (await control(sb.baseUrl, 'GET', 'stats')).connections_open === 0);
	const { event_id } = await control(sb.baseUrl, 'POST', 'chats/oc_wait/messages', { text: 'early' });
	await new Promise((r) => setTimeout(r, 100));
	assert.equal((await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0].attempts.length, 0);
	const c = await RawClient.connect(sb.baseUrl);
	const ev = await waitFor('queued event', () => c.events()[0]);
	assert.equal(JSON.parse(Buffer.from(ev.payload!).toString()).header.event_id, event_id);
	c.ws.send(encodeFrame(ackFrame(ev)));
	await waitFor('acked', async () => (await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0].acked);
	c.close();
});

test('acks are matched by message_id and SeqID: a wrong SeqID or a non-200 code does not confirm', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const c = await RawClient.connect(sb.baseUrl);
	const before = (await control(sb.baseUrl, 'GET', 'stats')).unmatched_acks;
	const { event_id } = await control(sb.baseUrl, 'POST', 'events', { event_type: 'custom.event', event: {} });
	const ev = await waitFor('event', () => c.events()[0]);
	c.ws.send(encodeFrame({ ...ackFrame(ev), SeqID: '999999' }));
	c.ws.send(encodeFrame(ackFrame(ev, { code: 500 })));
	await waitFor('500 recorded', async () => (await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0].attempts[0].ack_code === 500);
	assert.equal((await control(sb.baseUrl, 'GET', 'stats')).unmatched_acks - before, 1);
	// the 500 leads to a redelivery; acking that one with 200 confirms the event
	const again = await waitFor('redelivery', () => c.events()[1], 2000);
	assert.notEqual(getHeader(again, 'message_id'), getHeader(ev, 'message_id'));
	c.ws.send(encodeFrame(ackFrame(again)));
	await waitFor('acked', async () => (await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0].acked);
	const d = (await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0];
	assert.deepEqual(d.attempts.map((a: any) => a.ack_code), [500, 200]);
	assert.equal(d.redelivered, true);
	c.close();
});

test('event frames follow the wire format: service = the URL service_id, method 1, type/message_id/sum/seq/trace_id headers', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const c = await RawClient.connect(sb.baseUrl);
	await control(sb.baseUrl, 'POST', 'events', { event_type: 'custom.event', event: { big: 'y'.repeat(300) }, fragment: 3 });
	await waitFor('three fragments', () => c.events().length === 3);
	const frames = c.events();
	for (const [i, f] of frames.entries()) {
		assert.equal(f.service, c.serviceId);
		assert.equal(f.method, 1);
		assert.deepEqual(f.headers.map((h) => h.key), ['type', 'message_id', 'sum', 'seq', 'trace_id']);
		assert.equal(getHeader(f, 'sum'), '3');
		assert.equal(getHeader(f, 'seq'), String(i));
		assert.notEqual(String(f.SeqID), '0');
	}
	assert.equal(new Set(frames.map((f) => getHeader(f, 'message_id'))).size, 1, 'fragments share one message_id');
	const whole = JSON.parse(Buffer.concat(frames.map((f) => Buffer.from(f.payload!))).toString());
	assert.equal(whole.event.big.length, 300);
	c.ping();
	const pong = await waitFor('pong', () => c.frames.find((f) => getHeader(f, 'type') === 'pong'));
	assert.equal(pong.service, c.serviceId);
	c.close();
});

test('drop_connections: terminate by default (1006), or a clean close frame with close_code', async () => {
	const a = await RawClient.connect(sb.baseUrl);
	const codeA = new Promise<number>((r) => a.ws.once('close', (code) => r(code)));
	await control(sb.baseUrl, 'POST', 'faults', { drop_connections: true });
	assert.equal(await codeA, 1006);
	const b = await RawClient.connect(sb.baseUrl);
	const codeB = new Promise<number>((r) => b.ws.once('close', (code) => r(code)));
	await control(sb.baseUrl, 'POST', 'faults', { drop_connections: { close_code: 4000 } });
	assert.equal(await codeB, 4000);
});

test('a user post is delivered as {title, content} without the locale key', async () => {
	const c = await RawClient.connect(sb.baseUrl);
	await control(sb.baseUrl, 'POST', 'chats/oc_post/messages', { message_type: 'post', content: { zh_cn: { title: 'T', content: [[{ tag: 'text', text: 'x' }]] } } });
	const ev = await waitFor('post event', () => c.events()[0]);
	const payload = JSON.parse(Buffer.from(ev.payload!).toString());
	assert.equal(payload.event.message.message_type, 'post');
	assert.deepEqual(JSON.parse(payload.event.message.content), { title: 'T', content: [[{ tag: 'text', text: 'x' }]] });
	c.close();
});

test('the default limit is 50 connections per app; the 51st upgrade is refused with 514/1000040350', async () => {
	const fresh = await startSandbox({ port: 0, quiet: true });
	const clients: RawClient[] = [];
	try {
		for (let i = 0; i < 50; i++) clients.push(await RawClient.connect(fresh.baseUrl));
		const ep = await getEndpoint(fresh.baseUrl);
		const res = await new Promise<{ status: number; code: unknown }>((resolve) => {
			const ws = new WebSocket(ep.data.URL);
			ws.on('unexpected-response', (_req, r) => resolve({ status: r.statusCode ?? 0, code: r.headers['handshake-autherrcode'] }));
			ws.on('error', () => undefined);
		});
		assert.deepEqual(res, { status: 514, code: '1000040350' });
		clients.pop()!.close();
		await waitFor('49 open', async () => (await control(fresh.baseUrl, 'GET', 'stats')).connections_open === 49);
		clients.push(await RawClient.connect(fresh.baseUrl)); // room again after one left
	} finally {
		for (const c of clients) c.close();
		await fresh.close();
	}
});
