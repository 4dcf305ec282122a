// lib/feishu/webhook.ts against hand-made requests, the protocol §6.7 vectors and the official SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AESCipher, EventDispatcher, generateChallenge } from '@larksuiteoapi/node-sdk';
import { computeSignature, encryptPayload, handleWebhookRequest, type WebhookResult } from '../../lib/feishu';

const KEY = 'test-encrypt-key-123';
const TOKEN = 'v-verification-token-abc';
const NOW_S = 1_700_000_000;
const now = () => NOW_S * 1000;
const opts = { encryptKey: KEY, verificationToken: TOKEN, now };
// protocol §6.7: the encrypted challenge with a fixed IV, and the signature of its raw body
const CT =
	'AAECAwQFBgcICQoLDA0OD7PVZRoi4t4QIuY0sS8ZOovEk/kGoyRigpdu2APy8/19tk6FftF7fAHqRqmoea5YghYrvo/LKr/C9FJbEcIfm3WypIpjYdl6kFOa8FN9a6Of6Q8KMThPt4HjMnFNYVsM4Q==';

function event(overrides: Record<string, unknown> = {}) {
	return {
		schema: '2.0',
		header: {
			event_id: 'ev_1',
			event_type: 'im.message.receive_v1',
			create_time: '1700000000000',
			token: TOKEN,
			app_id: 'cli_a1b2c3d4e5f60718',
			tenant_key: 't1',
		},
		event: { message: { message_id: 'om_1', chat_id: 'oc_1', chat_type: 'p2p', message_type: 'text', content: '{"text":"hi"}' } },
		...overrides,
	};
}

/** A request as Feishu sends it: encrypted body, signed over the exact bytes. */
function signedRequest(payload: unknown, o: { key?: string; ts?: number; nonce?: string; raw?: (json: string) => string } = {}) {
	const key = o.key ?? KEY;
	const json = JSON.stringify({ encrypt: encryptPayload(key, JSON.stringify(payload)) });
	const rawText = o.raw ? o.raw(json) : json;
	const ts = String(o.ts ?? NOW_S);
	const nonce = o.nonce ?? 'n-123';
	const rawBody = Buffer.from(rawText, 'utf8');
	return {
		method: 'POST',
		headers: {
			'content-type': 'application/json; charset=utf-8',
			'x-lark-request-timestamp': ts,
			'x-lark-request-nonce': nonce,
			'x-lark-signature': computeSignature(ts, nonce, key, rawBody),
		} as Record<string, string>,
		rawBody,
	};
}

function plain(payload: unknown, headers: Record<string, string> = {}) {
	return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, rawBody: Buffer.from(JSON.stringify(payload)) };
}

function assertReject(result: WebhookResult, status: number, messagePart?: RegExp) {
	assert.equal(result.kind, 'reject', `expected a ${status} rejection, got ${JSON.stringify(result)}`);
	if (result.kind !== 'reject') return;
	assert.equal(result.status, status);
	if (messagePart) assert.match(result.message, messagePart);
}

test('plain challenge answered in plaintext, token checked', () => {
	const body = { challenge: 'abc', token: TOKEN, type: 'url_verification' };
	assert.deepEqual(handleWebhookRequest(plain(body), { verificationToken: TOKEN, now }), { kind: 'challenge', body: { challenge: 'abc' } });
	assertReject(handleWebhookRequest(plain({ ...body, token: 'other' }), { verificationToken: TOKEN, now }), 401, /token/);
	// No token configured: the challenge is answered as is.
	assert.equal(handleWebhookRequest(plain({ ...body, token: 'other' }), {}).kind, 'challenge');
});

test('protocol §6.7 encrypted challenge: answered without signature headers, agrees with the SDK', () => {
	const req = plain({ encrypt: CT });
	const result = handleWebhookRequest(req, opts);
	assert.deepEqual(result, { kind: 'challenge', body: { challenge: 'ajls384kdjx98XX' } });
	const sdk = generateChallenge({ encrypt: CT }, { encryptKey: KEY });
	assert.equal(sdk.isChallenge, true);
	assert.deepEqual(result.kind === 'challenge' && result.body, sdk.challenge);
	// Wrong token inside the encrypted challenge.
	assertReject(handleWebhookRequest(req, { ...opts, verificationToken: 'nope' }), 401);
});

test('protocol §6.7 vector request: signature headers on a challenge do not matter (Feishu never signs it)', () => {
	const raw = JSON.stringify({ encrypt: CT });
	const sig = computeSignature('1700000000', '1234567890', KEY, raw);
	assert.equal(sig, 'f3a4b9c1052a22748b71df64c1e428cd2cf70170464a6999308fcb36ef2a7cd9');
	const headers = { 'x-lark-request-timestamp': '1', 'x-lark-request-nonce': '1234567890', 'x-lark-signature': sig };
	const result = handleWebhookRequest({ method: 'POST', headers, rawBody: Buffer.from(raw) }, opts);
	assert.deepEqual(result, { kind: 'challenge', body: { challenge: 'ajls384kdjx98XX' } });
});

test('encrypted + signed event accepted and parsed; the SDK accepts the same request', async () => {
	const payload = event();
	const req = signedRequest(payload);
	const result = handleWebhookRequest(req, opts);
	assert.equal(result.kind, 'event');
	if (result.kind !== 'event') return;
	assert.equal(result.envelope.schema, '2.0');
	assert.equal(result.envelope.eventId, 'ev_1');
	assert.equal(result.envelope.eventType, 'im.message.receive_v1');
	assert.deepEqual(result.envelope.raw, payload);

	// The official dispatcher (which hashes re-serialised JSON) agrees on a compact body.
	let seen: any;
	const dispatcher = new EventDispatcher({ encryptKey: KEY, verificationToken: TOKEN, loggerLevel: 0 as any }).register({
		'im.message.receive_v1': async (data: any) => {
			seen = data;
			return 'ok';
		},
	});
	const data = Object.assign(Object.create({ headers: req.headers }), JSON.parse(req.rawBody.toString()));
	assert.equal(await dispatcher.invoke(data), 'ok');
	assert.equal(seen.message.message_id, 'om_1');
	// And our ciphertext decrypts with the SDK's AESCipher.
	assert.deepEqual(JSON.parse(new AESCipher(KEY).decrypt(JSON.parse(req.rawBody.toString()).encrypt)), payload);
});

test('body with extra whitespace: signature over the raw bytes accepted (the SDK would reject it)', async () => {
	const req = signedRequest(event(), { raw: (json) => `{\n  "encrypt" : ${JSON.stringify(JSON.parse(json).encrypt)}\n}\n` });
	assert.equal(handleWebhookRequest(req, opts).kind, 'event');
	const dispatcher = new EventDispatcher({ encryptKey: KEY, loggerLevel: 0 as any }).register({ 'im.message.receive_v1': async () => 'ok' });
	const data = Object.assign(Object.create({ headers: req.headers }), JSON.parse(req.rawBody.toString()));
	assert.equal(await dispatcher.invoke(data), undefined, 'the SDK hashes re-serialised JSON');
});

test('wrong signature, tampered body, wrong key: 401', () => {
	const req = signedRequest(event());
	assertReject(handleWebhookRequest({ ...req, headers: { ...req.headers, 'x-lark-signature': '0'.repeat(64) } }, opts), 401, /Signature/);
	assertReject(handleWebhookRequest({ ...req, headers: { ...req.headers, 'x-lark-request-nonce': 'other' } }, opts), 401);
	const tampered = Buffer.from(req.rawBody.toString() + ' ');
	assertReject(handleWebhookRequest({ ...req, rawBody: tampered }, opts), 401);
	// Encrypted and signed with another key: the signature is judged first.
	assertReject(handleWebhookRequest(signedRequest(event(), { key: 'other-key' }), opts), 401, /Signature/);
	// A garbage body under a wrong signature says nothing about the body.
	const garbage = { ...req, rawBody: Buffer.from('{"encrypt":"bm90IGNpcGhlcg=="}') };
	assertReject(handleWebhookRequest(garbage, opts), 401, /Signature/);
	assertReject(handleWebhookRequest({ ...garbage, rawBody: Buffer.from('not json') }, opts), 401, /Signature/);
});

test('missing signature headers: 401', () => {
	const req = signedRequest(event());
	for (const name of ['x-lark-request-timestamp', 'x-lark-request-nonce', 'x-lark-signature']) {
		const headers = { ...req.headers };
		delete headers[name];
		assertReject(handleWebhookRequest({ ...req, headers }, opts), 401, /Missing/);
	}
});

test('stale or future timestamp outside the replay window: 401; inside: accepted', () => {
	assertReject(handleWebhookRequest(signedRequest(event(), { ts: NOW_S - 301 }), opts), 401, /replay window/);
	assertReject(handleWebhookRequest(signedRequest(event(), { ts: NOW_S + 301 }), opts), 401, /replay window/);
	assert.equal(handleWebhookRequest(signedRequest(event(), { ts: NOW_S - 299 }), opts).kind, 'event');
	// A configurable window.
	assertReject(handleWebhookRequest(signedRequest(event(), { ts: NOW_S - 61 }), { ...opts, replayWindowSeconds: 60 }), 401);
	assertReject(handleWebhookRequest(signedRequest(event(), { ts: Number.NaN }), opts), 401);
});

test('wrong verification token in header.token (2.0) and token (1.0): 401', () => {
	const bad = event({ header: { ...event().header, token: 'wrong' } });
	assertReject(handleWebhookRequest(signedRequest(bad), opts), 401, /token/);
	assertReject(handleWebhookRequest(plain(bad), { verificationToken: TOKEN }), 401, /token/);
	const v1 = { uuid: 'u1', token: 'wrong', ts: '1700000000.1', type: 'event_callback', event: { type: 'message' } };
	assertReject(handleWebhookRequest(plain(v1), { verificationToken: TOKEN }), 401);
	const ok = handleWebhookRequest(plain({ ...v1, token: TOKEN }), { verificationToken: TOKEN });
	assert.equal(ok.kind, 'event');
	if (ok.kind === 'event') {
		assert.equal(ok.envelope.schema, '1.0');
		assert.equal(ok.envelope.eventId, 'u1');
		assert.equal(ok.envelope.eventType, 'message');
	}
});

test('schema 1.0 event encrypted and signed', () => {
	const v1 = { uuid: 'u2', token: TOKEN, ts: '1700000000.1', type: 'event_callback', event: { type: 'p2p_chat_create', app_id: 'cli_x' } };
	const result = handleWebhookRequest(signedRequest(v1), opts);
	assert.equal(result.kind, 'event');
	if (result.kind === 'event') assert.equal(result.envelope.eventType, 'p2p_chat_create');
});

test('garbage bodies: 400 with a clear message, never a throw', () => {
	const bodies = ['not json', '', '[1,2]', '"str"', 'null', '{"encrypt":"bm90IGNpcGhlcg=="}', '{"encrypt":42}', '\u0000\u00ff'];
	for (const text of bodies) {
		const result = handleWebhookRequest({ method: 'POST', headers: {}, rawBody: Buffer.from(text) }, opts);
		assertReject(result, 400);
	}
	// Valid ciphertext whose plaintext is not JSON.
	const notJson = JSON.stringify({ encrypt: encryptPayload(KEY, 'hello') });
	assertReject(handleWebhookRequest(plain(JSON.parse(notJson)), opts), 400, /not valid JSON/);
});

test('encrypted body without an Encrypt Key configured: 400 naming the setting', () => {
	assertReject(handleWebhookRequest(signedRequest(event()), { verificationToken: TOKEN }), 400, /Encrypt Key/);
});

test('oversized body 413, wrong method 405, non-JSON content type 415', () => {
	const big = Buffer.alloc(2048, 0x20);
	assertReject(handleWebhookRequest({ method: 'POST', headers: {}, rawBody: big }, { maxBodyBytes: 1024 }), 413);
	assertReject(handleWebhookRequest({ ...plain(event()), method: 'GET' }, {}), 405);
	assertReject(handleWebhookRequest({ ...plain(event()), method: 'PUT' }, {}), 405);
	const form = { ...plain(event()), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
	assertReject(handleWebhookRequest(form, {}), 415);
	// Header names in any case, a missing content type tolerated.
	assert.equal(handleWebhookRequest({ ...plain(event()), headers: {} }, {}).kind, 'event');
	const upper = signedRequest(event());
	const headers = Object.fromEntries(Object.entries(upper.headers).map(([k, v]) => [k.toUpperCase(), v]));
	assert.equal(handleWebhookRequest({ ...upper, headers }, opts).kind, 'event');
});

test('no Encrypt Key: plain events pass without signature headers (Feishu signs only with a key)', () => {
	const result = handleWebhookRequest(plain(event()), { verificationToken: TOKEN });
	assert.equal(result.kind, 'event');
});
