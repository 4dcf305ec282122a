// FeishuApiClient and the token cache against the sandbox: envelope, errors with code/msg/log_id,
// token caching and single flight, invalid token -> refresh -> retry once, rate limit -> wait, 5xx
// backoff, no retry on other 4xx.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FeishuApiClient, FeishuApiError, getTenantAccessToken, tokenFetchCount } from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { apiCalls, APP, control, credsFor, sandbox, tokenFetches } from '../../helpers/sandbox';

let sb: Sandbox;
before(async () => {
	sb = await sandbox();
});
after(async () => {
	await sb.close();
});

const fastRetries = { retryBaseDelayMs: 10 };

test('bot info: top-level result unwrapped, token fetched once for many concurrent calls', async () => {
	await control(sb, 'POST', 'reset');
	const client = new FeishuApiClient(credsFor(sb), fastRetries);
	const before = tokenFetchCount();
	const results = await Promise.all(Array.from({ length: 20 }, () => client.getBotInfo()));
	assert.equal(results[0].open_id, APP.botOpenId);
	assert.equal(results[0].app_name, APP.botName);
	assert.equal(tokenFetchCount() - before, 1, 'concurrent callers share one fetch');
	assert.equal(await tokenFetches(sb), 1);
	// Another client on the same app reuses the process-wide cache.
	await new FeishuApiClient(credsFor(sb)).getBotInfo();
	assert.equal(await tokenFetches(sb), 1);
	const calls = await apiCalls(sb);
	assert.equal(calls.length, 21);
	assert.ok(calls.every((c) => c.path === '/open-apis/bot/v3/info' && c.status === 200));
});

test('wrong secret: FeishuApiError with Feishu code and msg', async () => {
	const creds = credsFor(sb, 'not-the-secret');
	await assert.rejects(getTenantAccessToken(creds), (e: unknown) => {
		assert.ok(e instanceof FeishuApiError);
		assert.equal(e.code, 10014);
		assert.equal(e.msg, 'app secret invalid');
		assert.match(e.message, /app secret invalid/);
		return true;
	});
	await assert.rejects(new FeishuApiClient(creds).getBotInfo(), (e: unknown) => e instanceof FeishuApiError && e.code === 10014);
});

test('invalid token (99991663): cache invalidated, token refreshed, request retried once and succeeds', async () => {
	const client = new FeishuApiClient(credsFor(sb), fastRetries);
	await client.getBotInfo();
	const fetchesBefore = await tokenFetches(sb);
	await control(sb, 'POST', 'reset');
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 1, code: 99991663, http_status: 400 } });
	const bot = await client.getBotInfo();
	assert.equal(bot.open_id, APP.botOpenId);
	assert.equal((await tokenFetches(sb)) - fetchesBefore, 1, 'exactly one refresh');
	const calls = await apiCalls(sb);
	assert.deepEqual(calls.map((c) => [c.status, c.code]), [[400, 99991663], [200, 0]]);
});

test('invalid token twice in a row: retried only once, then the error surfaces', async () => {
	const client = new FeishuApiClient(credsFor(sb), fastRetries);
	await control(sb, 'POST', 'reset');
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 2, code: 99991671, http_status: 400 } });
	await assert.rejects(client.getBotInfo(), (e: unknown) => e instanceof FeishuApiError && e.code === 99991671);
	assert.equal((await apiCalls(sb)).length, 2);
});

test('rate limit (429 / 99991400): waits x-ogw-ratelimit-reset, then succeeds', async () => {
	const client = new FeishuApiClient(credsFor(sb), fastRetries);
	await client.getBotInfo();
	await control(sb, 'POST', 'reset');
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 1, code: 99991400, http_status: 429 } });
	const started = Date.now();
	const bot = await client.getBotInfo();
	const waited = Date.now() - started;
	assert.equal(bot.open_id, APP.botOpenId);
	assert.ok(waited >= 950, `waited for the 1 s reset (${waited} ms)`);
	assert.deepEqual((await apiCalls(sb)).map((c) => c.status), [429, 200]);
});

test('rate limit reset longer than the bound: fails at once with the rate-limit error', async () => {
	const client = new FeishuApiClient(credsFor(sb), { ...fastRetries, maxRateLimitWaitMs: 500 });
	await control(sb, 'POST', 'reset');
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 1, code: 99991400, http_status: 429 } });
	await assert.rejects(client.getBotInfo(), (e: unknown) => e instanceof FeishuApiError && e.code === 99991400 && e.httpStatus === 429);
	assert.equal((await apiCalls(sb)).length, 1);
});

test('5xx: retried with backoff, bounded', async () => {
	const client = new FeishuApiClient(credsFor(sb), { ...fastRetries, maxRetries: 2 });
	await control(sb, 'POST', 'reset');
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 2, code: 1, http_status: 503, msg: 'system busy' } });
	assert.equal((await client.getBotInfo()).open_id, APP.botOpenId);
	assert.deepEqual((await apiCalls(sb)).map((c) => c.status), [503, 503, 200]);

	await control(sb, 'POST', 'reset');
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 5, code: 1, http_status: 500, msg: 'system busy' } });
	await assert.rejects(client.getBotInfo(), (e: unknown) => e instanceof FeishuApiError && e.httpStatus === 500 && e.msg === 'system busy');
	assert.equal((await apiCalls(sb)).length, 3, 'first try + 2 retries');
	await control(sb, 'POST', 'reset');
});

test('other 4xx: not retried; the error carries code, msg, HTTP status and the log_id Feishu sent', async () => {
	const client = new FeishuApiClient(credsFor(sb), fastRetries);
	await control(sb, 'POST', 'reset');
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 1, code: 230002, http_status: 400, msg: 'Bot/User can NOT be out of the chat.' } });
	let err: FeishuApiError | undefined;
	try {
		await client.getBotInfo();
	} catch (e) {
		err = e as FeishuApiError;
	}
	assert.ok(err instanceof FeishuApiError);
	assert.equal(err.code, 230002);
	assert.equal(err.msg, 'Bot/User can NOT be out of the chat.');
	assert.equal(err.httpStatus, 400);
	const calls = await apiCalls(sb);
	assert.equal(calls.length, 1, 'no retry');
	assert.ok(err.logId && err.logId === calls[0].log_id, 'log_id taken from x-tt-logid');
	assert.match(err.message, new RegExp(`log_id ${err.logId}`));
});

test('token refreshed before it expires (short sandbox TTL)', async () => {
	const short = await sandbox({ tokenTtlSeconds: 2 });
	try {
		const client = new FeishuApiClient(credsFor(short), fastRetries);
		await client.getBotInfo();
		await client.getBotInfo();
		assert.equal(await tokenFetches(short), 1);
		// A 2 s token is kept for half its life (the 3-minute margin would exceed it).
		await new Promise((r) => setTimeout(r, 1100));
		await client.getBotInfo();
		assert.equal(await tokenFetches(short), 2);
	} finally {
		await short.close();
	}
});

test('network errors: GET and POST with uuid retried, POST without uuid not (it may have reached Feishu)', async () => {
	const net = await import('node:net');
	let connections = 0;
	const server = net.createServer((socket) => {
		connections++;
		socket.once('data', () => socket.resetAndDestroy());
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const { port } = server.address() as { port: number };
	try {
		const c = new FeishuApiClient({ appId: APP.appId, appSecret: 'x', baseUrl: `http://127.0.0.1:${port}` }, { retryBaseDelayMs: 5, maxRetries: 2 });
		const attempt = async (req: Parameters<FeishuApiClient['request']>[0]) => {
			connections = 0;
			await assert.rejects(c.request({ ...req, auth: 'none' }), (e: unknown) => (e as { code?: string }).code === 'ECONNRESET');
			return connections;
		};
		assert.equal(await attempt({ method: 'GET', path: '/open-apis/x' }), 3);
		assert.equal(await attempt({ method: 'POST', path: '/open-apis/im/v1/messages', body: { text: 'x' } }), 1);
		assert.equal(await attempt({ method: 'POST', path: '/open-apis/im/v1/messages', body: { text: 'x', uuid: 'u1' } }), 3);
	} finally {
		await new Promise((r) => server.close(r));
	}
});
