// Webhook pushes checked byte by byte: the signature covers the exact raw body, encryption follows the
// app's Encrypt Key, and non-200 answers or timeouts are retried (short delays here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decryptPayload, verifySignature } from '../../lib/feishu/crypto';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { control, waitFor } from '../helpers/sandboxTests';

let sb: Sandbox;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true, webhookTimeoutMs: 1000, challengeTimeoutMs: 3000, webhookRetryDelaysMs: [50, 50, 50, 50], maxRedeliveries: 3 });
});
after(() => sb.close());

interface Received {
	raw: Buffer;
	headers: IncomingMessage['headers'];
}

async function receiver(answer: (body: any, n: number) => { status: number; body?: unknown; delayMs?: number }) {
	const got: Received[] = [];
	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			got.push({ raw, headers: req.headers });
			const a = answer(JSON.parse(raw.toString()), got.length);
			setTimeout(() => {
				res.writeHead(a.status, { 'content-type': 'application/json' });
				res.end(a.body === undefined ? '' : JSON.stringify(a.body));
			}, a.delayMs ?? 0).unref();
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, close: () => { server.closeAllConnections(); server.close(); } };
}

test('encrypted app: challenge and events are {"encrypt"} bodies signed over the exact raw bytes', async () => {
	const app = { app_id: 'cli_0000000000000b01', app_secret: 's', encrypt_key: 'k-b01', verification_token: 'vt-b01' };
	await control(sb.baseUrl, 'POST', 'apps', app);
	const r = await receiver((body) => {
		const plain = JSON.parse(decryptPayload(app.encrypt_key, body.encrypt));
		return plain.type === 'url_verification' ? { status: 200, body: { challenge: plain.challenge } } : { status: 200, body: {} };
	});
	try {
		const set = await control(sb.baseUrl, 'PUT', `apps/${app.app_id}/delivery`, { mode: 'webhook', url: r.url });
		assert.equal(set.challenge_passed, true);
		const challenge = JSON.parse(decryptPayload(app.encrypt_key, JSON.parse(r.got[0].raw.toString()).encrypt));
		assert.deepEqual(Object.keys(challenge).sort(), ['challenge', 'token', 'type']);
		assert.equal(challenge.token, app.verification_token);
		const { event_id } = await control(sb.baseUrl, 'POST', 'chats/oc_b01/messages', { app_id: app.app_id, text: 'signed' });
		await waitFor('event', () => r.got.length === 2);
		const ev = r.got[1];
		const h = ev.headers;
		assert.ok(verifySignature(String(h['x-lark-request-timestamp']), String(h['x-lark-request-nonce']), app.encrypt_key, ev.raw, String(h['x-lark-signature'])));
		assert.ok(!verifySignature(String(h['x-lark-request-timestamp']), String(h['x-lark-request-nonce']), 'wrong', ev.raw, String(h['x-lark-signature'])));
		const plain = JSON.parse(decryptPayload(app.encrypt_key, JSON.parse(ev.raw.toString()).encrypt));
		assert.equal(plain.schema, '2.0');
		assert.equal(plain.header.event_id, event_id);
		assert.equal(plain.header.token, app.verification_token);
	} finally {
		r.close();
	}
});

test('plain app (no Encrypt Key): the body is the event JSON itself', async () => {
	const app = { app_id: 'cli_0000000000000b02', app_secret: 's', verification_token: 'vt-b02' };
	await control(sb.baseUrl, 'POST', 'apps', app);
	const r = await receiver((body) => (body.type === 'url_verification' ? { status: 200, body: { challenge: body.challenge } } : { status: 200 }));
	try {
		assert.equal((await control(sb.baseUrl, 'PUT', `apps/${app.app_id}/delivery`, { mode: 'webhook', url: r.url })).challenge_passed, true);
		await control(sb.baseUrl, 'POST', 'events', { app_id: app.app_id, event_type: 'im.chat.member.bot.added_v1', event: { chat_id: 'oc_x' } });
		await waitFor('event', () => r.got.length === 2);
		const body = JSON.parse(r.got[1].raw.toString());
		assert.equal(body.header.event_type, 'im.chat.member.bot.added_v1');
		assert.deepEqual(body.event, { chat_id: 'oc_x' });
	} finally {
		r.close();
	}
});

test('non-200 and too-slow answers are retried until a 200', async () => {
	const app = { app_id: 'cli_0000000000000b03', app_secret: 's' };
	await control(sb.baseUrl, 'POST', 'apps', app);
	const r = await receiver((body, n) => {
		if (body.type === 'url_verification') return { status: 200, body: { challenge: body.challenge } };
		if (n === 2) return { status: 500 };
		if (n === 3) return { status: 200, delayMs: 1600 }; // past the 1 s deadline
		return { status: 200 };
	});
	try {
		await control(sb.baseUrl, 'PUT', `apps/${app.app_id}/delivery`, { mode: 'webhook', url: r.url });
		const { event_id } = await control(sb.baseUrl, 'POST', 'events', { app_id: app.app_id, event_type: 'custom.event', event: {} });
		await waitFor('acked after retries', async () => (await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0].acked, 4000);
		const d = (await control(sb.baseUrl, 'GET', `deliveries?event_id=${event_id}`)).deliveries[0];
		assert.equal(d.attempts.length, 3);
		assert.equal(d.attempts[0].http_status, 500);
		assert.match(d.attempts[1].error, /no response within 1000 ms/);
		assert.equal(d.attempts[2].http_status, 200);
		assert.equal(d.redelivered, true);
		const ids = r.got.slice(1).map((g) => JSON.parse(g.raw.toString()).header.event_id);
		assert.deepEqual(ids, [event_id, event_id, event_id], 'retries carry the same event_id');
	} finally {
		r.close();
	}
});
