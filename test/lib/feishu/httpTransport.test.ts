// The package's one HTTP seam (lib/feishu/httpTransport.ts) against a real local server: the
// caller's cancel, the answer-size cap, and that the token fetch and the long connection's endpoint
// call go through it.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
	clearTokenCache,
	defaultTransport,
	fetchGatewayEndpoint,
	FeishuApiClient,
	FeishuGatewayError,
	FeishuNetworkError,
	getTenantAccessToken,
	type HttpTransport,
	TENANT_ACCESS_PATH,
} from '../../../lib/feishu';

async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
	const server = http.createServer(handler);
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		url,
		close: () =>
			new Promise((r) => {
				server.closeAllConnections();
				server.close(() => r());
			}),
	};
}

const big = (bytes: number): http.RequestListener => (_req, res) => {
	res.writeHead(200, { 'content-type': 'application/json' });
	res.end(`{"code":0,"pad":"${'x'.repeat(bytes)}"}`);
};

test('an answer longer than maxResponseBytes fails with ETOOLARGE; a shorter one arrives whole', async () => {
	const server = await serve(big(64 * 1024));
	try {
		const req = { method: 'GET' as const, url: server.url, headers: {}, timeoutMs: 5000 };
		const error = await defaultTransport().send({ ...req, maxResponseBytes: 1024 }).then(() => undefined, (e: unknown) => e);
		assert.ok(error instanceof FeishuNetworkError, String(error));
		assert.equal(error.code, 'ETOOLARGE');
		assert.match(error.message, /answer longer than 1024 bytes/);
		const whole = await defaultTransport().send({ ...req, maxResponseBytes: 128 * 1024 });
		assert.equal(whole.body.length, 64 * 1024 + '{"code":0,"pad":""}'.length);
	} finally {
		await server.close();
	}
});

test("the caller's signal cancels a request in flight (ABORTED), and an aborted signal sends nothing", async () => {
	let arrived = 0;
	const server = await serve(() => {
		arrived++; // never answers
	});
	try {
		const abort = new AbortController();
		const pending = defaultTransport().send({ method: 'GET', url: server.url, headers: {}, timeoutMs: 30_000, signal: abort.signal });
		while (arrived === 0) await new Promise((r) => setImmediate(r));
		abort.abort();
		const error = await pending.then(() => undefined, (e: unknown) => e);
		assert.ok(error instanceof FeishuNetworkError, String(error));
		assert.equal(error.code, 'ABORTED');

		const before = arrived;
		const again = await defaultTransport()
			.send({ method: 'GET', url: server.url, headers: {}, timeoutMs: 30_000, signal: abort.signal })
			.then(() => undefined, (e: unknown) => e);
		assert.equal((again as FeishuNetworkError).code, 'ABORTED');
		await new Promise((r) => setTimeout(r, 50));
		assert.equal(arrived, before, 'nothing reached the server');
	} finally {
		await server.close();
	}
});

test("the long connection's endpoint refuses an answer over 1 MB, retryably, naming the reason", async () => {
	const server = await serve(big(2 * 1024 * 1024));
	try {
		const error = await fetchGatewayEndpoint({ appId: 'cli_x', appSecret: 's3cret', baseUrl: server.url }).then(() => undefined, (e: unknown) => e);
		assert.ok(error instanceof FeishuGatewayError, String(error));
		assert.equal(error.retryable, true);
		assert.match(error.message, /^Could not reach Feishu's long-connection endpoint http:\/\/127\.0\.0\.1:\d+: answer longer than 1048576 bytes \(ETOOLARGE\)$/);
	} finally {
		await server.close();
	}
});

test("the token fetch goes through the API client's transport, once for many requests", async () => {
	const server = await serve((req, res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		if (req.url === TENANT_ACCESS_PATH) res.end(JSON.stringify({ code: 0, msg: 'ok', tenant_access_token: 't-abc', expire: 7200 }));
		else res.end(JSON.stringify({ code: 0, msg: 'ok', bot: { open_id: 'ou_bot', app_name: 'Bot' } }));
	});
	clearTokenCache();
	try {
		const seen: string[] = [];
		const counting: HttpTransport = {
			send: (req) => {
				seen.push(`${req.method} ${new URL(req.url).pathname} ${req.headers.Authorization ?? '-'}`);
				return defaultTransport().send(req);
			},
		};
		const client = new FeishuApiClient({ appId: 'cli_t', appSecret: 'sec', baseUrl: server.url }, { transport: counting });
		await Promise.all([client.getBotInfo(), client.getBotInfo()]);
		assert.deepEqual(seen, [`POST ${TENANT_ACCESS_PATH} -`, 'GET /open-apis/bot/v3/info Bearer t-abc', 'GET /open-apis/bot/v3/info Bearer t-abc']);
		// Without a transport, the token comes from the package's fetch transport (and the cache).
		assert.equal(await getTenantAccessToken({ appId: 'cli_t', appSecret: 'sec', baseUrl: server.url }), 't-abc');
		assert.equal(seen.length, 3);
	} finally {
		clearTokenCache();
		await server.close();
	}
});
