// Security findings on the Open API client and the action node, each reproduced against real
// loopback HTTP servers (and the sandbox where it fits): idempotent sends across retries (5), total
// deadlines (8), no redirects (9), no path climbing through ids (10), no raw HTTP-library errors and
// https-only base URLs (12).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { inspect } from 'node:util';
import axios from 'axios';
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import * as feishu from '../../../lib/feishu';
import {
	FeishuApiClient,
	FeishuValidationError,
	TENANT_ACCESS_PATH,
	clearTokenCache,
	downloadMessageResource,
	encodeMultipart,
	editMessage,
	forwardMessage,
	getMessage,
	getTenantAccessToken,
	recallMessage,
	replyMessage,
	resolveBaseUrl,
	sendMessage,
	updateCard,
	type FeishuAppCredentials,
} from '../../../lib/feishu';
import * as glue from '../../../nodes/Feishu/GenericFunctions';
import type { Sandbox } from '../../../sandbox/server';
import { runNode } from '../../helpers/executeContext';
import { APP, apiCalls, chatMessages, control, sandbox, userSays } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

const SECRET = 'app-secret-DO-NOT-LEAK-0123';
const TOKEN = 't-token-DO-NOT-LEAK-4567';
const CHAT = 'oc_security_chat_000001';

let sb: Sandbox;
before(async () => {
	sb = await sandbox();
});
after(async () => {
	await sb.close();
});

// ---- loopback servers ----------------------------------------------------------------------------

interface Recorded {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

interface Server {
	url: string;
	requests: Recorded[];
	close(): Promise<void>;
}

type Handler = (req: Recorded, res: http.ServerResponse) => void | Promise<void>;

/** A loopback server recording every request (with its body) before `handler` answers it. */
async function serve(handler: Handler): Promise<Server> {
	const requests: Recorded[] = [];
	const server = http.createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const c of req) chunks.push(c as Buffer);
		const rec = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
		requests.push(rec);
		await handler(rec, res);
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		close: () => {
			server.closeAllConnections();
			return new Promise((r) => server.close(() => r()));
		},
	};
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) => {
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
	res.end(JSON.stringify(body));
};

const tokenAnswer = { code: 0, msg: 'ok', tenant_access_token: TOKEN, expire: 7200 };

/** Answers the token endpoint, hands every other request to `api`. */
const withToken = (api: Handler): Handler => (req, res) => (req.url.startsWith(TENANT_ACCESS_PATH) ? json(res, 200, tokenAnswer) : api(req, res));

/** Sends 200 headers at once, then one byte every 100 ms for ~3 s, then a valid envelope. */
const drip: Handler = (req, res) => {
	res.writeHead(200, { 'content-type': 'application/json' });
	let n = 0;
	const timer = setInterval(() => {
		if (res.destroyed) return clearInterval(timer);
		if (++n < 30) return void res.write(' ');
		clearInterval(timer);
		res.end(JSON.stringify(req.url.startsWith(TENANT_ACCESS_PATH) ? tokenAnswer : { code: 0, msg: 'ok', data: {} }));
	}, 100);
};

const reset: Handler = (_req, res) => {
	res.socket?.resetAndDestroy();
};

const creds = (baseUrl: string, appSecret = SECRET): FeishuAppCredentials => ({ appId: 'cli_security_test', appSecret, baseUrl });

/** Everything an error object holds, hidden fields and causes included. */
const dump = (e: unknown) => inspect(e, { depth: Infinity, showHidden: true });

/** The transport fields an HTTP-library error carries and ours must not. */
function assertPlain(e: unknown, secrets: string[]) {
	const text = dump(e);
	for (const s of secrets) assert.ok(!text.includes(s), `error must not carry "${s}"`);
	for (const k of ['config', 'request', 'response', 'cause']) assert.ok(!(k in (e as object)), `error must not carry "${k}"`);
}

/**
 * An n8n execution context whose httpRequest does what n8n-core's does with these options (axios;
 * `timeout` idle, disableFollowRedirect -> maxRedirects 0), except that it ignores abortSignal: the
 * deadline must not depend on it.
 */
function n8nContext(): { ctx: IExecuteFunctions; seen: IHttpRequestOptions[] } {
	const seen: IHttpRequestOptions[] = [];
	const ctx = {
		helpers: {
			async httpRequest(o: IHttpRequestOptions) {
				seen.push(o);
				const res = await axios.request({
					method: o.method,
					url: o.url,
					params: o.qs,
					headers: o.headers as Record<string, string>,
					data: o.body,
					responseType: 'arraybuffer',
					timeout: o.timeout,
					...(o.disableFollowRedirect ? { maxRedirects: 0 } : {}),
					validateStatus: () => true,
				});
				return { statusCode: res.status, headers: res.headers, body: res.data };
			},
		},
	} as unknown as IExecuteFunctions;
	return { ctx, seen };
}

const node = new Feishu();
const credentialType = new FeishuApi();
const runFeishu = (baseUrl: string, parameters: IDataObject, items?: { json: IDataObject }[]) =>
	runNode({
		node,
		parameters: { resource: 'message', ...parameters },
		items,
		credentialType,
		credentials: { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl, encryptKey: '', verificationToken: '' },
	});

// ---- 5: idempotent sends -------------------------------------------------------------------------

/**
 * A proxy to the sandbox that answers HTTP 500 to the first `failures` message-creating POSTs
 * *after* the sandbox applied them: what a Feishu 5xx after the write looks like.
 */
async function failAfterApplying(failures: number): Promise<Server> {
	let left = failures;
	return serve(async (req, res) => {
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries(req.headers)) {
			if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k)) headers[k] = v;
		}
		const upstream = await fetch(`${sb.baseUrl}${req.url}`, { method: req.method, headers, body: req.body || undefined });
		const body = Buffer.from(await upstream.arrayBuffer());
		if (req.method === 'POST' && req.url.startsWith('/open-apis/im/v1/messages') && left > 0) {
			left--;
			return json(res, 500, { code: 1, msg: 'system busy' });
		}
		res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
		res.end(body);
	});
}

test('5: a send, reply or forward retried after a 5xx that followed the write posts one message, not three', async () => {
	await control(sb, 'POST', 'reset');
	const { message_id: userMessage } = await userSays(sb, CHAT, { text: 'hello' });
	const proxy = await failAfterApplying(Infinity);
	try {
		const client = new FeishuApiClient({ ...creds(proxy.url, APP.appSecret), appId: APP.appId }, { retryBaseDelayMs: 5, maxRetries: 2 });
		const ops = {
			send: () => sendMessage(client, { receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'text', content: { text: 'once' } }),
			reply: () => replyMessage(client, { messageId: userMessage, msgType: 'text', content: { text: 'once' } }),
			forward: () => forwardMessage(client, { messageId: userMessage, receiveIdType: 'chat_id', receiveId: CHAT }),
		};

		for (const [name, op] of Object.entries(ops)) {
			const before = (await chatMessages(sb, CHAT)).length;
			const posts = () => proxy.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/open-apis/im/')).length;
			const attempts = posts();
			await assert.rejects(op(), /HTTP 500|system busy/);
			assert.equal(posts() - attempts, 3, `${name}: first try + 2 retries`);
			assert.equal((await chatMessages(sb, CHAT)).length - before, 1, `${name}: three attempts, one message`);
		}
		// Each logical send has its own uuid, the same on all three attempts.
		const uuids = (await apiCalls(sb)).filter((c) => c.method === 'POST').map((c) => c.body?.uuid ?? c.query.uuid);
		assert.equal(uuids.length, 9);
		for (let i = 0; i < 9; i += 3) assert.ok(uuids[i] && uuids[i] === uuids[i + 1] && uuids[i] === uuids[i + 2]);
		assert.equal(new Set(uuids).size, 3);

		// A raw POST without a uuid (any other caller of request()) is not retried after a 5xx at all.
		const before = (await chatMessages(sb, CHAT)).length;
		const attempts = proxy.requests.length;
		const raw = client.request({ method: 'POST', path: '/open-apis/im/v1/messages', query: { receive_id_type: 'chat_id' }, body: { receive_id: CHAT, msg_type: 'text', content: '{"text":"raw"}' } });
		await assert.rejects(raw, /HTTP 500|system busy/);
		assert.equal(proxy.requests.length - attempts, 1, 'no retry without a uuid');
		assert.equal((await chatMessages(sb, CHAT)).length - before, 1);
	} finally {
		await proxy.close();
	}
});

test('5: the node gives each item its own uuid (two items, a 5xx after the first write: two messages); the uuid option wins', async () => {
	await control(sb, 'POST', 'reset');
	await userSays(sb, CHAT, { text: 'hello' });
	const proxy = await failAfterApplying(1);
	try {
		const before = (await chatMessages(sb, CHAT)).length;
		const items = [{ json: { t: 'first' } }, { json: { t: 'second' } }];
		const r = await runFeishu(proxy.url, { operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, text: '={{ $json.t }}' }, items);
		assert.ifError(r.error);
		const texts = (await chatMessages(sb, CHAT)).slice(before).map((m) => m.content.text);
		assert.deepEqual(texts, ['first', 'second'], 'the retried item posted once');
		const uuids = (await apiCalls(sb)).filter((c) => c.method === 'POST').map((c) => c.body.uuid as string);
		assert.equal(uuids.length, 3, 'item 1 twice (retried), item 2 once');
		assert.equal(uuids[0], uuids[1], 'kept across the retry');
		assert.notEqual(uuids[1], uuids[2], 'not shared across items');
		assert.ok(uuids.every((u) => u.length <= 50));

		const mine = await runFeishu(sb.baseUrl, { operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, text: 'x', options: { uuid: 'user-key-1' } });
		assert.ifError(mine.error);
		const calls = await apiCalls(sb);
		assert.equal(calls[calls.length - 1].body.uuid, 'user-key-1');
		await assert.rejects(sendMessage(new FeishuApiClient(creds(sb.baseUrl)), { receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'text', content: { text: 'x' }, uuid: 'u'.repeat(51) }), (e: unknown) => e instanceof FeishuValidationError && e.field === 'uuid');
	} finally {
		await proxy.close();
	}
});

// ---- 8: total deadlines --------------------------------------------------------------------------

test('8: a server dripping one byte per 100 ms fails the token fetch and the API call within their deadline', async () => {
	const server = await serve(drip);
	clearTokenCache();
	try {
		let started = Date.now();
		let outcome = await getTenantAccessToken(creds(server.url), { timeoutMs: 400 }).then(() => 'resolved', (e: unknown) => e);
		assert.ok(Date.now() - started < 1500, `token fetch ended after ${Date.now() - started} ms (deadline 400)`);
		assert.match(String(outcome), new RegExp(`POST ${server.url}${TENANT_ACCESS_PATH} failed: no complete answer within 400 ms`));
		assert.equal((outcome as { code?: string }).code, 'ETIMEDOUT');

		const client = new FeishuApiClient(creds(server.url), { timeoutMs: 400, maxRetries: 0 });
		started = Date.now();
		outcome = await client.request({ method: 'GET', path: '/open-apis/bot/v3/info', auth: 'none' }).then(() => 'resolved', (e: unknown) => e);
		assert.ok(Date.now() - started < 1500, `API call ended after ${Date.now() - started} ms (deadline 400)`);
		assert.match(String(outcome), /no complete answer within 400 ms/);
	} finally {
		await server.close();
	}
});

test('8: the n8n transport has the same total deadline, even if n8n ignored the abort signal', async () => {
	const server = await serve(drip);
	try {
		const { ctx, seen } = n8nContext();
		const client = new FeishuApiClient(creds(server.url), { transport: glue.n8nTransport(ctx), timeoutMs: 400, maxRetries: 0 });
		const started = Date.now();
		await assert.rejects(client.request({ method: 'GET', path: '/open-apis/bot/v3/info', auth: 'none' }), /no complete answer within 400 ms/);
		assert.ok(Date.now() - started < 1500, `failed after ${Date.now() - started} ms (deadline 400)`);
		assert.ok(seen[0].abortSignal, 'n8n gets the signal too, to stop the request');
	} finally {
		await server.close();
	}
});

// ---- 9: no redirects -----------------------------------------------------------------------------

test('9: a 307 on the token fetch is an error; the App Secret never reaches the other host', async () => {
	const other = await serve((_req, res) => json(res, 200, tokenAnswer));
	const first = await serve((req, res) => {
		res.writeHead(307, { location: `${other.url}${req.url}` });
		res.end();
	});
	clearTokenCache();
	try {
		const outcome = await getTenantAccessToken(creds(first.url)).then(() => 'resolved', (e: unknown) => e);
		assert.deepEqual(other.requests.map((r) => r.body.includes(SECRET)), [], 'the redirect target got nothing');
		assert.match(String(outcome), new RegExp(`redirect \\(HTTP 307\\) to ${other.url}${TENANT_ACCESS_PATH} — check the Base URL`));
		assert.equal(first.requests.length, 1);
	} finally {
		await Promise.all([first.close(), other.close()]);
	}
});

test('9: a 302 on an API call is an error, through the default and the n8n transport; the token never reaches the other host', async () => {
	const other = await serve((_req, res) => json(res, 200, { code: 0, msg: 'ok', bot: {} }));
	const first = await serve(
		withToken((req, res) => {
			res.writeHead(302, { location: `${other.url}${req.url}?leak=1` });
			res.end();
		}),
	);
	clearTokenCache();
	try {
		const redirected = /redirect \(HTTP 302\) to http:\/\/127\.0\.0\.1:\d+\/open-apis\/bot\/v3\/info — check the Base URL/;
		const outcome = await new FeishuApiClient(creds(first.url)).getBotInfo().then(() => 'resolved', (e: unknown) => e);
		assert.deepEqual(other.requests.map((r) => r.headers.authorization), [], 'the redirect target got nothing');
		assert.match(String(outcome), redirected);

		const { ctx, seen } = n8nContext();
		await assert.rejects(new FeishuApiClient(creds(first.url), { transport: glue.n8nTransport(ctx) }).getBotInfo(), redirected);
		assert.equal(other.requests.length, 0, 'nothing through n8n either');
		assert.equal(seen[0].disableFollowRedirect, true);
	} finally {
		await Promise.all([first.close(), other.close()]);
	}
});

// ---- 10: no path climbing ------------------------------------------------------------------------

test('10: message ids and file keys like "." and ".." (or with / ? # %) are refused before any request', async () => {
	const server = await serve(withToken((_req, res) => json(res, 200, { code: 0, msg: 'ok', data: { items: [{ message_id: 'om_x' }] } })));
	clearTokenCache();
	try {
		const client = new FeishuApiClient(creds(server.url));
		const text = { msgType: 'text', content: { text: 'x' } };
		const ops: [string, (id: string) => Promise<unknown>][] = [
			['message_id', (id) => replyMessage(client, { messageId: id, ...text })],
			['message_id', (id) => editMessage(client, { messageId: id, ...text })],
			['message_id', (id) => updateCard(client, { messageId: id, card: { elements: [] } })],
			['message_id', (id) => recallMessage(client, { messageId: id })],
			['message_id', (id) => getMessage(client, { messageId: id })],
			['message_id', (id) => forwardMessage(client, { messageId: id, receiveIdType: 'chat_id', receiveId: CHAT })],
			['message_id', (id) => downloadMessageResource(client, { messageId: id, fileKey: 'file_v3_ok', type: 'file' })],
			['file_key', (key) => downloadMessageResource(client, { messageId: 'om_ok', fileKey: key, type: 'file' })],
		];
		const outcomes: unknown[] = [];
		for (const bad of ['.', '..', 'om_a/../../chats', 'om_a?page_size=50', 'om_a#x', '%2e%2e', 'om_%2F']) {
			for (const [field, op] of ops) outcomes.push(await op(bad).then(() => `${field} "${bad}" accepted`, (e: unknown) => e));
		}
		assert.deepEqual(server.requests.filter((q) => !q.url.startsWith(TENANT_ACCESS_PATH)).map((q) => `${q.method} ${q.url}`), [], 'no request left');
		for (const e of outcomes) assert.ok(e instanceof FeishuValidationError && /^(message_id|file_key): ".*" is not a valid id/.test(e.message), String(e));
		// Any other caller of request(): dot segments and query characters in a path are refused too.
		await assert.rejects(client.request({ method: 'GET', path: '/open-apis/im/v1/messages/../chats' }), (e: unknown) => e instanceof FeishuValidationError && e.field === 'path');
		assert.deepEqual(server.requests.map((r) => r.url), [], 'not even a token fetch');

		const r = await runFeishu(server.url, { operation: 'get', messageId: '..' });
		assert.match(String(r.error?.message), /^message_id: "\.\." is not a valid id/);
		assert.equal(server.requests.filter((q) => !q.url.startsWith(TENANT_ACCESS_PATH)).length, 0);
	} finally {
		await server.close();
	}
});

// ---- 12: plain errors, https only ----------------------------------------------------------------

test('12a: a failed token fetch or API call throws a plain error: method, URL, code, and neither the App Secret nor the token', async () => {
	const dead = await serve(reset);
	const tokenOnly = await serve(withToken(reset));
	clearTokenCache();
	try {
		let err: unknown;
		await getTenantAccessToken(creds(dead.url)).catch((e: unknown) => (err = e));
		assertPlain(err, [SECRET]);
		assert.ok(err instanceof feishu.FeishuNetworkError);
		assert.equal(err.code, 'ECONNRESET');
		assert.match(err.message, new RegExp(`^Feishu request POST ${dead.url}${TENANT_ACCESS_PATH} failed: `));

		const { ctx } = n8nContext();
		for (const transport of [undefined, glue.n8nTransport(ctx)]) {
			err = undefined;
			await new FeishuApiClient(creds(tokenOnly.url), { transport, maxRetries: 0 }).request({ method: 'GET', path: '/open-apis/bot/v3/info', query: { page_token: 'q-secret' } }).catch((e: unknown) => (err = e));
			assertPlain(err, [TOKEN, SECRET, 'q-secret']);
			assert.equal((err as { code?: string }).code, 'ECONNRESET');
			assert.match(String(err), new RegExp(`GET ${tokenOnly.url}/open-apis/bot/v3/info failed`));
		}

		// Through the node: what n8n shows (and stores) must not hold the token either.
		const r = await runFeishu(tokenOnly.url, { operation: 'get', messageId: 'om_abc' });
		assert.ok(r.error);
		const authed = r.requests.find((q) => (q.headers as IDataObject | undefined)?.Authorization !== undefined);
		assert.ok(authed, 'the request was authenticated');
		const token = String((authed.headers as IDataObject).Authorization).replace('Bearer ', '');
		assert.ok(!dump(r.error).includes(token), 'the node error does not carry the tenant token');
		// n8n rewords messages naming a socket code; ours keeps the code in the description.
		assert.match(String((r.error as { description?: string }).description), /Network error ECONNRESET/);
	} finally {
		await Promise.all([dead.close(), tokenOnly.close()]);
	}
});

test('12b: plain http only to loopback hosts; anywhere else the secret is not sent', async () => {
	// 0.0.0.0 reaches this machine but is not a loopback name: a stand-in for a remote http host.
	const server = await serve((_req, res) => json(res, 200, tokenAnswer));
	clearTokenCache();
	try {
		const remote = server.url.replace('127.0.0.1', '0.0.0.0');
		const outcome = await getTenantAccessToken(creds(remote)).then(() => 'resolved', (e: unknown) => e);
		const r = await runFeishu(remote, { operation: 'get', messageId: 'om_abc' });
		assert.equal(server.requests.length, 0, 'the App Secret never went out over plain http');
		assert.match(String(outcome), /must use https/);
		assert.match(String(r.error?.message), /must use https/);
		assert.throws(() => new FeishuApiClient(creds(remote)), /must use https/);
	} finally {
		await server.close();
	}

	for (const ok of ['http://127.0.0.1:9800', 'http://127.1.2.3', 'http://localhost:1', 'http://[::1]:2', 'https://open.example.com/prefix/']) {
		assert.doesNotThrow(() => resolveBaseUrl('custom', ok), ok);
	}
	assert.equal(resolveBaseUrl('custom', 'https://open.example.com/prefix/'), 'https://open.example.com/prefix');
	for (const bad of ['http://open.feishu.cn', 'http://10.0.0.5:9800', 'http://0.0.0.0:9800', 'http://127.0.0.1.example.com', 'http://[::ffff:7f00:1]']) {
		assert.throws(() => resolveBaseUrl('custom', bad), /must use https:\/\/.*only for localhost, 127\.x\.x\.x and \[::1\]/, bad);
	}
	assert.throws(() => resolveBaseUrl('http://evil.example'), /must use https/);

	const baseUrl = credentialType.properties.find((p) => p.name === 'baseUrl');
	assert.match(String(baseUrl?.description), /https:\/\/.*localhost, 127\.x\.x\.x and \[::1\]/);
});

test('a file MIME type with CR/LF cannot add part headers to a multipart upload', () => {
	const { body } = encodeMultipart({ file_type: 'stream', file: { data: Buffer.from('x'), fileName: 'a.txt', contentType: 'text/plain\r\nX-Injected: 1' } });
	const text = body.toString('utf8');
	assert.doesNotMatch(text, /X-Injected/);
	assert.match(text, /Content-Type: application\/octet-stream\r\n\r\nx\r\n/);
	// A well-formed type with parameters passes unchanged.
	const ok = encodeMultipart({ file: { data: Buffer.from('x'), fileName: 'a.txt', contentType: 'text/plain; charset=utf-8' } });
	assert.match(ok.body.toString('utf8'), /Content-Type: text\/plain; charset=utf-8\r\n/);
});
