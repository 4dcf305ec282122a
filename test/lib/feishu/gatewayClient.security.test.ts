// Security findings in the long-connection wire layer, each reproduced against the real client over
// loopback sockets: 6 fragments pinning whole WebSocket messages, 7 reconnect storms, 8 endpoint and
// handshake answers dripped a byte at a time, 12 a ws:// gateway URL handed out by an https endpoint.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { afterEach, test } from 'node:test';
import { WebSocketServer } from 'ws';
import {
	DEFAULT_GATEWAY_TIMINGS,
	encodeFrame,
	FeishuGatewayError,
	FragmentAssembler,
	GatewayClient,
	type GatewayClientOptions,
	parseClientConfig,
	reconnectDelayMs,
} from '../../../lib/feishu';
import { sleep, waitFor } from '../../helpers/hubSandbox';
import { memoryAfterGc } from '../../helpers/memory';
import { eventFrame, MockGateway } from '../../helpers/mockGateway';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
	for (const fn of cleanups.splice(0).reverse()) await fn();
});

function client(baseUrl: string, opts: Partial<GatewayClientOptions> = {}): GatewayClient {
	const c = new GatewayClient({
		credentials: { appId: 'cli_security', appSecret: 'security-secret', baseUrl },
		onEvent: () => undefined,
		...opts,
	});
	cleanups.push(() => c.close());
	return c;
}

async function mockGateway(): Promise<MockGateway> {
	const gw = await new MockGateway().start();
	cleanups.push(() => gw.close());
	return gw;
}

/** A bare server on loopback; every socket is destroyed on cleanup. */
async function listen(server: http.Server): Promise<string> {
	const sockets = new Set<Socket>();
	server.on('connection', (s: Socket) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	cleanups.push(
		() =>
			new Promise<void>((r) => {
				for (const s of sockets) s.destroy();
				server.close(() => r());
			}),
	);
	return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Settles with the promise, or with 'pending' if it is still pending after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown; pending?: true; ms: number }> {
	const started = Date.now();
	return Promise.race([
		promise.then(
			(value) => ({ value, ms: Date.now() - started }),
			(error: unknown) => ({ error, ms: Date.now() - started }),
		),
		sleep(ms).then(() => ({ pending: true as const, ms })),
	]);
}

// ---- 6: stored fragments hold their own bytes, not the WebSocket message they came in ----

const arrayBufferBytes = () => memoryAfterGc().arrayBuffers;

test('6: 100 one-byte fragments in 1 MiB frames retain about 100 bytes, as accounted, not 100 MiB', async (t) => {
	const gw = await mockGateway();
	const c = client(gw.baseUrl);
	await c.start();
	const conn = gw.connections[0];
	const assembler = c['fragments'];
	const before = arrayBufferBytes();
	const pad = 'p'.repeat(1024 * 1024);
	for (let i = 0; i < 100; i++) {
		const frame = eventFrame('x', { sum: 2, seq: 0, messageId: `big-${i}` });
		frame.headers.push({ key: 'pad', value: pad }); // the bulk of the message is not payload
		await new Promise<void>((resolve, reject) => conn.ws.send(encodeFrame(frame), (e) => (e ? reject(e) : resolve())));
	}
	await waitFor('100 partial messages held', () => assembler.pendingMessages === 100, 10_000);
	const retained = arrayBufferBytes() - before;
	t.diagnostic(`retained ${(retained / 2 ** 20).toFixed(2)} MiB for ${assembler.pendingBytes} accounted bytes`);
	assert.equal(assembler.pendingBytes, 100, 'the assembler accounts one byte per fragment');
	assert.ok(retained < 8 * 1024 * 1024, `100 pending one-byte fragments retain ${(retained / 2 ** 20).toFixed(1)} MiB`);
	assert.equal(c.connected, true);
});

test('6: the number of held fragments is bounded too (their bookkeeping is memory the byte count does not see)', () => {
	const a = new FragmentAssembler({ maxPendingFragments: 4 });
	const frag = (id: string, seq: number) => eventFrame('x', { sum: 3, seq, messageId: id });
	for (const [id, seq] of [['a', 0], ['a', 1], ['b', 0], ['c', 0]] as const) assert.equal(a.add(frag(id, seq)).complete, false);
	assert.throws(() => a.add(frag('d', 0)), /count bound/);
	assert.equal(a.add(frag('a', 2)).complete, true, 'a completing fragment is never refused: it frees its message');
	assert.equal(a.add(frag('d', 0)).complete, false, 'room again');
	assert.deepEqual([a.pendingMessages, a.pendingBytes], [3, 3]);
	a.clear();
});

// ---- 7: reconnect storms ----

test('7: ReconnectInterval 0 from the server is floored, and the backoff grows with jitter', () => {
	assert.equal(parseClientConfig({ ReconnectInterval: 0 }).reconnectIntervalMs, 1000);
	assert.equal(parseClientConfig({ ReconnectInterval: 0.05 }).reconnectIntervalMs, 1000);
	assert.equal(parseClientConfig({ ReconnectInterval: 120 }).reconnectIntervalMs, 120_000, 'normal values unchanged');
	const feishu = { ...DEFAULT_GATEWAY_TIMINGS }; // interval 120 s, nonce 30 s
	// Feishu's schedule: first attempt after random [0, nonce), then the interval.
	assert.equal(reconnectDelayMs(feishu, 0, () => 0.5), 15_000);
	assert.equal(reconnectDelayMs(feishu, 1, () => 0.5), 120_000);
	// Then it doubles, jittered within [half, whole] of the doubled value, and never below the interval.
	const lows = [1, 2, 3, 4, 5, 6].map((f) => reconnectDelayMs(feishu, f, () => 0));
	const highs = [1, 2, 3, 4, 5, 6].map((f) => reconnectDelayMs(feishu, f, () => 0.999999));
	assert.deepEqual(lows, [120_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
	assert.deepEqual(highs.map((ms) => Math.round(ms / 1000)), [120, 240, 480, 600, 600, 600]);
	// All-zero timings (only overrides can say so now) still leave a gap of 100 ms that grows.
	const zero = { ...feishu, reconnectIntervalMs: 0, reconnectNonceMs: 0 };
	assert.deepEqual([0, 1, 2, 3, 4, 5].map((f) => reconnectDelayMs(zero, f, () => 0)), [100, 100, 100, 200, 400, 800]);
});

test('7: an accept-then-close gateway with ReconnectInterval 0 gets a few attempts in 2 s, not a storm', async (t) => {
	const gw = await mockGateway();
	gw.clientConfig = { PingInterval: 1, ReconnectCount: -1, ReconnectInterval: 0, ReconnectNonce: 0 };
	gw.acceptThenClose = true;
	const c = client(gw.baseUrl);
	await c.start();
	await sleep(2000);
	const endpointCalls = gw.endpointCalls.length;
	const sockets = gw.connections.length;
	await c.close();
	t.diagnostic(`${endpointCalls} endpoint requests, ${sockets} sockets in 2 s`);
	// start() + one attempt after the 1 s floor (+ perhaps one more after 1-2 s).
	assert.ok(endpointCalls <= 3 && sockets <= 3, `${endpointCalls} endpoint requests and ${sockets} sockets in 2 s`);
	assert.ok(endpointCalls >= 2, 'it does keep trying');
});

test('7: a busy endpoint after a pong that says ReconnectInterval 0 backs off too', async (t) => {
	const gw = await mockGateway();
	gw.pongPayload = () => ({ PingInterval: 1, ReconnectCount: -1, ReconnectInterval: 0, ReconnectNonce: 0 });
	const c = client(gw.baseUrl);
	await c.start();
	await waitFor('pong config applied', () => c.currentTimings().reconnectNonceMs === 0, 2000);
	for (let i = 0; i < 10_000; i++) gw.endpointScript.push({ body: { code: 1, msg: 'system busy' } });
	gw.connections[0].ws.terminate();
	await sleep(2000);
	const endpointCalls = gw.endpointCalls.length - 1;
	await c.close();
	t.diagnostic(`${endpointCalls} endpoint requests in 2 s`);
	assert.ok(endpointCalls <= 3, `${endpointCalls} endpoint requests in 2 s`);
	assert.ok(endpointCalls >= 1, 'it does keep trying');
});

test('7: a gateway that delivers an event and closes at once still gets at most one attempt per interval', async (t) => {
	const gw = await mockGateway();
	gw.clientConfig = { PingInterval: 1, ReconnectCount: -1, ReconnectInterval: 0, ReconnectNonce: 0 };
	const events: string[] = [];
	const c = client(gw.baseUrl, { onEvent: (e) => void events.push(String(e.eventId)) });
	await c.start();
	const started = Date.now();
	let handled = 0;
	// Each new connection: one event, then the gateway closes it.
	while (Date.now() - started < 3000) {
		if (gw.connections.length > handled) {
			const conn = gw.connections[handled++];
			gw.send(conn, eventFrame(JSON.stringify({ schema: '2.0', header: { event_id: `ev-${handled}`, event_type: 'im.message.receive_v1' }, event: {} })));
			await sleep(20);
			conn.ws.terminate();
		}
		await sleep(10);
	}
	const sockets = gw.connections.length;
	await c.close();
	t.diagnostic(`${sockets} sockets in 3 s, ${events.length} events`);
	assert.ok(sockets <= 4, `${sockets} sockets in 3 s`);
	assert.ok(events.length >= 2, 'it keeps reconnecting and receiving');
});

test('7: a working connection the server drops again and again is back within about one interval each time', async () => {
	// A gateway restart (or the fault suite's forced disconnects): each connection delivered events,
	// so each drop starts Feishu's schedule afresh instead of growing the backoff.
	const gw = await mockGateway();
	gw.clientConfig = { PingInterval: 1, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 };
	const c = client(gw.baseUrl);
	await c.start();
	for (let drop = 1; drop <= 5; drop++) {
		const conn = gw.connections[gw.connections.length - 1];
		gw.send(conn, eventFrame(JSON.stringify({ schema: '2.0', header: { event_id: `ev-drop-${drop}`, event_type: 'im.message.receive_v1' }, event: {} })));
		await sleep(50);
		const droppedAt = Date.now();
		conn.ws.terminate();
		await waitFor(`reconnect ${drop}`, () => c.stats().reconnects === drop, 5000);
		assert.ok(Date.now() - droppedAt < 2500, `reconnect ${drop} took ${Date.now() - droppedAt} ms`);
	}
	await c.close();
});

// ---- 8: total deadlines for the endpoint answer and the WebSocket handshake ----

/** Writes `head`, then one byte of `tail` every 100 ms (each byte resets an idle timeout). */
function drip(socket: Writable, head: string, tail: string): void {
	socket.write(head);
	let i = 0;
	const timer = setInterval(() => {
		if (socket.destroyed || i >= tail.length) return clearInterval(timer);
		socket.write(tail[i++]);
	}, 100);
	cleanups.push(() => clearInterval(timer));
}

test('8: an endpoint answer dripped a byte at a time fails start() at the deadline', async (t) => {
	const server = http.createServer((req, res) => {
		req.resume();
		res.writeHead(200, { 'content-type': 'application/json', 'content-length': 10_000 });
		drip(res, '{', ' '.repeat(9_999));
	});
	const host = await listen(server);
	const c = client(`http://${host}`, { httpTimeoutMs: 600 });
	const result = await within(c.start(), 3000);
	t.diagnostic(result.pending ? 'still pending after 3 s' : `settled after ${result.ms} ms`);
	assert.ok(!result.pending, 'start() still pending after 3 s (idle timeout only)');
	assert.ok(result.error instanceof FeishuGatewayError, String(result.error));
	assert.equal(result.error.stage, 'endpoint');
	assert.equal(result.error.retryable, true);
	assert.match(result.error.message, /within 600 ms/);
	assert.ok(result.ms < 2000, `rejected after ${result.ms} ms (deadline 600 ms)`);
});

test('8: a WebSocket handshake dripped a byte at a time fails start() at the deadline', async (t) => {
	const server = http.createServer();
	const host = await listen(server);
	server.on('request', (req, res) => {
		req.resume();
		res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
		res.end(JSON.stringify({ code: 0, msg: 'ok', data: { URL: `ws://${host}/ws/v2?service_id=1`, ClientConfig: {} } }));
	});
	server.on('upgrade', (_req, socket: Socket) => drip(socket, 'HTTP/1.1 101 Switching Protocols\r\n', `X-Pad: ${'a'.repeat(200)}\r\n`));
	const c = client(`http://${host}`, { handshakeTimeoutMs: 600 });
	const result = await within(c.start(), 3000);
	t.diagnostic(result.pending ? 'still pending after 3 s' : `settled after ${result.ms} ms`);
	assert.ok(!result.pending, 'start() still pending after 3 s (idle timeout only)');
	assert.ok(result.error instanceof FeishuGatewayError, String(result.error));
	assert.equal(result.error.stage, 'handshake');
	assert.equal(result.error.retryable, true);
	assert.match(result.error.message, /within 600 ms/);
	assert.ok(result.ms < 2000, `rejected after ${result.ms} ms (deadline 600 ms)`);
});

// ---- 12: an https endpoint must hand out a wss:// gateway URL ----

// A self-signed certificate for 127.0.0.1, made once with openssl and kept with the tests (valid
// to 2126), so the test needs no tool on the machine.
const tls = {
	key: fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'loopback-key.pem'), 'utf8'),
	cert: fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'loopback-cert.pem'), 'utf8'),
};

test('12: an https endpoint answering with a ws:// gateway URL is refused; wss:// is used', async () => {
	// The client has no option to trust a test CA; the certificate is self-signed, so accept it
	// for this test only (read per connection by node's TLS).
	const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
	process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
	cleanups.push(() => {
		if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
		else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
	});
	// The downgrade target: a plain ws:// gateway that would happily carry the events in the clear.
	const plainGateway = http.createServer();
	const plainHost = await listen(plainGateway);
	let plainUpgrades = 0;
	const wss = new WebSocketServer({ noServer: true });
	cleanups.push(() => wss.close());
	plainGateway.on('upgrade', (req, socket, head) => {
		plainUpgrades++;
		wss.handleUpgrade(req, socket, head, () => undefined);
	});
	let gatewayUrl = `ws://${plainHost}/ws/v2?service_id=1`;
	const endpoint = https.createServer(tls);
	const host = await listen(endpoint);
	endpoint.on('request', (req, res) => {
		req.resume();
		res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
		res.end(JSON.stringify({ code: 0, msg: 'ok', data: { URL: gatewayUrl, ClientConfig: {} } }));
	});
	let secureUpgrades = 0;
	endpoint.on('upgrade', (req, socket, head) => {
		secureUpgrades++;
		wss.handleUpgrade(req, socket, head, () => undefined);
	});

	const plain = client(`https://${host}`);
	const error = await plain.start().catch((e: unknown) => e);
	assert.ok(error instanceof FeishuGatewayError, `start() gave ${error}`);
	assert.equal(error.stage, 'endpoint');
	assert.equal(error.retryable, false, 'a downgrade is not retried');
	assert.match(error.message, /ws:\/\//);
	assert.match(error.message, /wss:\/\//);
	assert.equal(plainUpgrades, 0, 'no connection attempted to the ws:// URL');

	gatewayUrl = `wss://${host}/ws/v2?service_id=1`;
	const secure = client(`https://${host}`);
	await secure.start();
	assert.equal(secure.connected, true);
	assert.equal(secureUpgrades, 1);
});

test('12: a plain http base URL (loopback sandbox) still takes a ws:// gateway URL', async () => {
	const gw = await mockGateway();
	const c = client(gw.baseUrl);
	await c.start();
	assert.equal(c.connected, true);
});
