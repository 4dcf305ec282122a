// Finding 11: a web page the developer visits must not drive the sandbox. DNS rebinding reaches it
// under the attacker's Host name (→ 403); a cross-site page without rebinding can only send simple
// requests (text/plain, form bodies, no body) with no preflight (→ 415); and preflights get no CORS
// permission. Requests go through node:http so the test can set the Host header a browser would send.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import WebSocket from 'ws';
import { isLoopbackHost } from '../../sandbox/guard';
import { DEMO_APP, startSandbox, type Sandbox } from '../../sandbox/server';

let sb: Sandbox;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true });
});
after(() => sb.close());

interface Reply {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
}

function request(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
	return new Promise((resolve, reject) => {
		const req = http.request(`${sb.baseUrl}${path}`, { method, agent: false, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

const EVIL = 'evil.example';
const evilHost = () => `${EVIL}:${sb.port}`;
const JSON_HEADERS = { 'content-type': 'application/json' };

async function appIds(): Promise<string[]> {
	const r = await request('GET', '/_sandbox/apps');
	assert.equal(r.status, 200);
	return (JSON.parse(r.text).apps as { app_id: string }[]).map((a) => a.app_id);
}

test('the sandbox listens on 127.0.0.1 by default', () => {
	assert.equal(new URL(sb.baseUrl).hostname, '127.0.0.1');
});

test('DNS rebinding: /_sandbox/apps for Host evil.example is 403 and carries no secret', async () => {
	const r = await request('GET', '/_sandbox/apps', { host: evilHost() });
	assert.equal(r.status, 403);
	assert.match(JSON.parse(r.text).error, /only answers requests for a loopback Host/);
	for (const secret of [DEMO_APP.appSecret, DEMO_APP.encryptKey!, DEMO_APP.verificationToken!]) assert.ok(!r.text.includes(secret), 'no secret in the 403');
});

test('DNS rebinding: every other sandbox surface refuses a foreign Host too', async () => {
	for (const [method, path] of [
		['GET', '/'],
		['GET', '/page/app.js'],
		['GET', '/page/style.css'],
		['GET', '/_sandbox/chats'],
		['GET', '/_sandbox/stats'],
		['GET', '/_sandbox/nope'],
	]) {
		const r = await request(method, path, { host: evilHost() });
		assert.equal(r.status, 403, `${method} ${path}`);
	}
	// State-changing routes: refused on Host before anything else, even with a JSON body.
	const before = await appIds();
	const r = await request('POST', '/_sandbox/apps', { host: evilHost(), ...JSON_HEADERS }, JSON.stringify({ app_id: 'cli_rebound00000000', app_secret: 'x' }));
	assert.equal(r.status, 403);
	assert.deepEqual(await appIds(), before);
	// Listening on loopback, the Open API and the gateway refuse it as well (with the public demo secret
	// a rebound page could otherwise fetch tokens, read chats or open a long connection).
	const creds = JSON.stringify({ app_id: DEMO_APP.appId, app_secret: DEMO_APP.appSecret });
	const token = await request('POST', '/open-apis/auth/v3/tenant_access_token/internal', { host: evilHost(), ...JSON_HEADERS }, creds);
	assert.equal(token.status, 403);
	assert.ok(!token.text.includes('tenant_access_token'));
	const endpoint = await request('POST', '/callback/ws/endpoint', { host: evilHost(), ...JSON_HEADERS }, JSON.stringify({ AppID: DEMO_APP.appId, AppSecret: DEMO_APP.appSecret }));
	assert.equal(endpoint.status, 403);
	assert.ok(!endpoint.text.includes('ticket='));
});

test('DNS rebinding: a WebSocket upgrade for a foreign Host is refused with 403', async () => {
	// A valid ticket, fetched the loopback way, so only the Host decides.
	const ep = await request('POST', '/callback/ws/endpoint', JSON_HEADERS, JSON.stringify({ AppID: DEMO_APP.appId, AppSecret: DEMO_APP.appSecret }));
	const url: string = JSON.parse(ep.text).data.URL;
	assert.match(url, /^ws:\/\/127\.0\.0\.1:/);
	const status = await new Promise<number>((resolve) => {
		const ws = new WebSocket(url, { headers: { host: evilHost() } });
		ws.on('open', () => {
			ws.close();
			resolve(101);
		});
		ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
		ws.on('error', () => resolve(-1));
	});
	assert.equal(status, 403);
});

test('cross-site simple requests: a text/plain POST is 415 and changes nothing', async () => {
	const before = await appIds();
	const body = JSON.stringify({ app_id: 'cli_csrf000000000000', app_secret: 'attacker' });
	const r = await request('POST', '/_sandbox/apps', { 'content-type': 'text/plain;charset=UTF-8', origin: `http://${EVIL}` }, body);
	assert.equal(r.status, 415);
	assert.match(JSON.parse(r.text).error, /application\/json/);
	assert.deepEqual(await appIds(), before);

	// A form post and a body-less POST (fetch mode "no-cors") are simple requests too.
	await request('POST', '/_sandbox/chats/oc_csrf_keep/messages', JSON_HEADERS, JSON.stringify({ text: 'keep me' }));
	const form = await request('POST', '/_sandbox/chats/oc_csrf_keep/messages', { 'content-type': 'application/x-www-form-urlencoded' }, 'text=injected');
	assert.equal(form.status, 415);
	const reset = await request('POST', '/_sandbox/reset', {});
	assert.equal(reset.status, 415);
	const put = await request('PUT', `/_sandbox/apps/${DEMO_APP.appId}/delivery`, { 'content-type': 'text/plain' }, JSON.stringify({ mode: 'webhook', url: 'http://evil.example/', force: true }));
	assert.equal(put.status, 415);
	const messages = JSON.parse((await request('GET', '/_sandbox/chats/oc_csrf_keep/messages')).text).messages;
	assert.deepEqual(
		messages.map((m: any) => m.content.text),
		['keep me'],
		'neither the form post nor the reset took effect',
	);
	const app = JSON.parse((await request('GET', '/_sandbox/apps')).text).apps.find((a: any) => a.app_id === DEMO_APP.appId);
	assert.deepEqual(app.delivery, { mode: 'long_connection' });
});

test('a CORS preflight from another origin gets no permission', async () => {
	const r = await request('OPTIONS', '/_sandbox/apps', {
		origin: `http://${EVIL}`,
		'access-control-request-method': 'POST',
		'access-control-request-headers': 'content-type',
	});
	assert.ok(r.status >= 400, `preflight status ${r.status}`);
	for (const h of Object.keys(r.headers)) assert.ok(!h.startsWith('access-control-'), `no ${h}`);
	// Nor does a plain cross-origin read get a CORS header that would let the page see the answer.
	const read = await request('GET', '/_sandbox/apps', { origin: `http://${EVIL}` });
	assert.equal(read.headers['access-control-allow-origin'], undefined);
});

test('loopback JSON requests still work, under every loopback name', async () => {
	for (const host of [`127.0.0.1:${sb.port}`, `localhost:${sb.port}`, `LOCALHOST`, `[::1]:${sb.port}`, `127.1.2.3:${sb.port}`]) {
		const r = await request('GET', '/_sandbox/apps', { host });
		assert.equal(r.status, 200, host);
		assert.ok(r.text.includes(DEMO_APP.appSecret), `${host} sees the apps`);
	}
	const added = await request('POST', '/_sandbox/apps', { 'content-type': 'application/json; charset=utf-8', host: `localhost:${sb.port}` }, JSON.stringify({ app_id: 'cli_loopback00000000', app_secret: 's' }));
	assert.equal(added.status, 200);
	assert.ok((await appIds()).includes('cli_loopback00000000'));
	const reset = await request('POST', '/_sandbox/reset', JSON_HEADERS);
	assert.equal(reset.status, 200);
	const page = await request('GET', '/', { host: `localhost:${sb.port}` });
	assert.equal(page.status, 200);
	const token = await request('POST', '/open-apis/auth/v3/tenant_access_token/internal', { ...JSON_HEADERS, host: `localhost:${sb.port}` }, JSON.stringify({ app_id: DEMO_APP.appId, app_secret: DEMO_APP.appSecret }));
	assert.equal(JSON.parse(token.text).code, 0);
});

test('isLoopbackHost: loopback names only, not look-alikes', () => {
	for (const h of ['localhost', 'localhost:9800', '127.0.0.1', '127.0.0.1:1', '127.255.255.254:65535', '[::1]', '[::1]:9800', 'LocalHost:80']) assert.ok(isLoopbackHost(h), h);
	for (const h of [undefined, '', 'evil.example', 'evil.example:9800', 'localhost.evil.example', '127.0.0.1.evil.example', 'evil.example:127.0.0.1', '127.0.0.256', '127.0.0', '128.0.0.1', '0.0.0.0', '[::]', '[::1].evil.example', '::1', 'localhost:', 'localhost:port', '10.0.0.1:9800']) {
		assert.ok(!isLoopbackHost(h), String(h));
	}
});
