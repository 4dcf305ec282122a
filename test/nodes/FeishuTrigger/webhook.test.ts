// lib/feishu/webhook.ts against hand-made requests, the vectors of docs/protocol.md ("Worked example") and the official SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AESCipher, EventDispatcher, generateChallenge } from '@larksuiteoapi/node-sdk';
import { computeSignature, encryptPayload, handleWebhookRequest, type WebhookResult } from '../../../lib/feishu';

const KEY = 'test-encrypt-key-123';
const TOKEN = 'v-verification-token-abc';
const NOW_S = 1_700_000_000;
const now = () => NOW_S * 1000;
const opts = { encryptKey: KEY, verificationToken: TOKEN, now };
// docs/protocol.md, "Worked example": the encrypted challenge with a fixed IV, and the signature of its raw body
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
	// No token configured: nothing authenticates the request, so nothing is answered.
	assertReject(handleWebhookRequest(plain(body), {}), 401, /Verification Token/);
});

test('docs/protocol.md "Worked example" encrypted challenge: answered without signature headers, agrees with the SDK', () => {
	const req = plain({ encrypt: CT });
	const result = handleWebhookRequest(req, opts);
	assert.deepEqual(result, { kind: 'challenge', body: { challenge: 'ajls384kdjx98XX' } });
	const sdk = generateChallenge({ encrypt: CT }, { encryptKey: KEY });
	assert.equal(sdk.isChallenge, true);
	assert.deepEqual(result.kind === 'challenge' && result.body, sdk.challenge);
	// Wrong token inside the encrypted challenge.
	assertReject(handleWebhookRequest(req, { ...opts, verificationToken: 'nope' }), 401);
});

test('docs/protocol.md "Worked example" vector request: signature headers on a challenge do not matter (Feishu never signs it)', () => {
	const raw = JSON.stringify({ encrypt: CT });
	const sig = computeSignature('1700000000', '1234567890', KEY, raw);
	assert.equal(sig, 'f3a4b9c1052a22748b71df64c1e428cd2cf70170464a6999308fcb36ef2a7cd9');
	const headers = { 'content-type': 'application/json', 'x-lark-request-timestamp': '1', 'x-lark-request-nonce': '1234567890', 'x-lark-signature': sig };
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

const GARBAGE = ['not json', '', '[1,2]', '"str"', 'null', '{"encrypt":"bm90IGNpcGhlcg=="}', '{"encrypt":42}', '\u0000\u00ff'];

function raw(text: string, headers: Record<string, string> = {}) {
	return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, rawBody: Buffer.from(text) };
}

function signedRaw(text: string) {
	const ts = String(NOW_S);
	return raw(text, { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n', 'x-lark-signature': computeSignature(ts, 'n', KEY, text) });
}

test('garbage bodies: 400 with a clear message, never a throw', () => {
	// Without an Encrypt Key (token only) and, with one, when correctly signed.
	for (const text of GARBAGE) {
		assertReject(handleWebhookRequest(raw(text), { verificationToken: TOKEN, now }), 400);
		assertReject(handleWebhookRequest(signedRaw(text), opts), 400);
	}
	// Valid ciphertext whose plaintext is not JSON.
	assertReject(handleWebhookRequest(signedRaw(JSON.stringify({ encrypt: encryptPayload(KEY, 'hello') })), opts), 400, /not a JSON object/);
});

test('with an Encrypt Key, every unsigned or badly signed request but the challenge gets one identical answer (no padding oracle)', () => {
	const realChallenge = JSON.parse(plain({ encrypt: CT }).rawBody.toString()).encrypt as string;
	const bytes = Buffer.from(realChallenge, 'base64');
	const flipped = (i: number) => {
		const copy = Buffer.from(bytes);
		copy[i] ^= 1;
		return copy.toString('base64');
	};
	const bodies = [
		...GARBAGE,
		JSON.stringify({ encrypt: flipped(bytes.length - 17) }), // last byte of the next-to-last block: breaks the padding
		JSON.stringify({ encrypt: flipped(20) }), // garbles the plaintext, padding intact
		JSON.stringify({ encrypt: encryptPayload(KEY, 'hello') }), // valid padding, not JSON
		JSON.stringify({ encrypt: encryptPayload(KEY, '[1]') }), // JSON, not an object
		JSON.stringify({ encrypt: encryptPayload(KEY, JSON.stringify(event())) }), // a real event, unsigned
		JSON.stringify({ encrypt: encryptPayload(KEY, JSON.stringify({ type: 'url_verification', challenge: 'c', token: 'wrong' })) }),
		JSON.stringify(event()), // plaintext event
	];
	const answers = new Set<string>();
	for (const text of bodies) {
		const shapes: Record<string, string>[] = [{}, { 'x-lark-request-timestamp': String(NOW_S), 'x-lark-request-nonce': 'n', 'x-lark-signature': '0'.repeat(64) }];
		for (const headers of shapes) {
			const result = handleWebhookRequest(raw(text, headers), opts);
			assert.equal(result.kind, 'reject', text);
			if (result.kind === 'reject') answers.add(`${result.status} ${Object.keys(headers).length ? 'signed' : 'unsigned'} ${result.message}`);
		}
	}
	// One answer per header shape (missing vs wrong signature), never one per body.
	assert.deepEqual([...answers].sort(), [
		'401 signed X-Lark-Signature does not match the body (check the Encrypt Key)',
		'401 unsigned Missing X-Lark-Request-Timestamp, X-Lark-Request-Nonce or X-Lark-Signature header',
	]);
	// The one exception: this app's own challenge.
	assert.equal(handleWebhookRequest(raw(JSON.stringify({ encrypt: realChallenge })), opts).kind, 'challenge');
});

test('timestamps only in whole decimal seconds; the verification token compared in constant time', () => {
	for (const ts of ['0x6553F100', '1.7e9', ' 1700000000', '1700000000.0', '+1700000000', '']) {
		const req = signedRequest(event());
		const rawBody = req.rawBody;
		const headers = { ...req.headers, 'x-lark-request-timestamp': ts, 'x-lark-signature': computeSignature(ts, 'n-123', KEY, rawBody) };
		const result = handleWebhookRequest({ ...req, headers }, opts);
		assert.equal(result.kind, 'reject', `timestamp ${JSON.stringify(ts)} accepted`);
	}
	// Tokens of other lengths and types are refused, never thrown on.
	for (const token of ['', 'v', `${TOKEN}x`, 42, null]) {
		assertReject(handleWebhookRequest(plain({ ...event(), header: { ...event().header, token } }), { verificationToken: TOKEN }), 401, /token/);
	}
});

test('the replay window is capped at the dedupe window (8 h)', () => {
	const eightHours = 8 * 3600;
	assert.equal(handleWebhookRequest(signedRequest(event(), { ts: NOW_S - eightHours + 5 }), { ...opts, replayWindowSeconds: 24 * 3600 }).kind, 'event');
	assertReject(handleWebhookRequest(signedRequest(event(), { ts: NOW_S - eightHours - 5 }), { ...opts, replayWindowSeconds: 24 * 3600 }), 401, /replay window/);
});

test('encrypted body without an Encrypt Key configured: 400 naming the setting', () => {
	assertReject(handleWebhookRequest(signedRequest(event()), { verificationToken: TOKEN }), 400, /Encrypt Key/);
});

test('oversized body 413, wrong method 405, non-JSON content type 415', () => {
	const big = Buffer.alloc(2048, 0x20);
	const tokenOnly = { verificationToken: TOKEN };
	assertReject(handleWebhookRequest({ method: 'POST', headers: {}, rawBody: big }, { ...tokenOnly, maxBodyBytes: 1024 }), 413);
	assertReject(handleWebhookRequest({ ...plain(event()), method: 'GET' }, tokenOnly), 405);
	assertReject(handleWebhookRequest({ ...plain(event()), method: 'PUT' }, tokenOnly), 405);
	// Only application/json: forms, text/plain and no type at all are what a web page can post cross-site.
	for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'text/plain;charset=UTF-8', 'multipart/form-data; boundary=x', 'application/ld+json']) {
		assertReject(handleWebhookRequest({ ...plain(event()), headers: { 'content-type': type } }, tokenOnly), 415);
	}
	assertReject(handleWebhookRequest({ ...plain(event()), headers: {} }, tokenOnly), 415);
	assert.equal(handleWebhookRequest({ ...plain(event()), headers: { 'Content-Type': 'Application/JSON; charset=utf-8' } }, tokenOnly).kind, 'event');
	// Header names in any case.
	const upper = signedRequest(event());
	const headers = Object.fromEntries(Object.entries(upper.headers).map(([k, v]) => [k.toUpperCase(), v]));
	assert.equal(handleWebhookRequest({ ...upper, headers }, opts).kind, 'event');
});

test('no Encrypt Key: plain events pass without signature headers (Feishu signs only with a key)', () => {
	const result = handleWebhookRequest(plain(event()), { verificationToken: TOKEN });
	assert.equal(result.kind, 'event');
});
