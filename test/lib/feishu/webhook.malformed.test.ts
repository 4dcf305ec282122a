// Fault suite, webhook: malformed bodies and headers through handleWebhookRequest (what the trigger's
// webhook() runs on every request). Each must be rejected with a 4xx and a message that says what is
// wrong, and a valid signed event handled right after each must still be accepted.
import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { computeSignature, encryptPayload } from '../../../lib/feishu/crypto';
import { handleWebhookRequest, type WebhookRequest, type WebhookVerifyOptions } from '../../../lib/feishu/webhook';
import { trapUnhandled } from '../../helpers/faults';

const KEY = 'fault-encrypt-key';
const TOKEN = 'fault-verification-token';
const OPTS: WebhookVerifyOptions = { encryptKey: KEY, verificationToken: TOKEN };
const trap = trapUnhandled();
after(() => trap.dispose());

const nowSeconds = () => String(Math.floor(Date.now() / 1000));

function event2(id: string, token: unknown = TOKEN): Record<string, unknown> {
	return { schema: '2.0', header: { event_id: id, event_type: 'im.message.receive_v1', token, create_time: '1', app_id: 'cli_x', tenant_key: 't' }, event: { message: { message_id: 'om_1' } } };
}

/** A correctly signed request for an arbitrary raw body. */
function signed(rawBody: Buffer | string, opts: { ts?: string; nonce?: string; headers?: Record<string, string> } = {}): WebhookRequest {
	const raw = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody);
	const ts = opts.ts ?? nowSeconds();
	const nonce = opts.nonce ?? 'n-' + randomBytes(4).toString('hex');
	return {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			'x-lark-request-timestamp': ts,
			'x-lark-request-nonce': nonce,
			'x-lark-signature': computeSignature(ts, nonce, KEY, raw),
			...opts.headers,
		},
		rawBody: raw,
	};
}

const encryptedBody = (plain: string) => JSON.stringify({ encrypt: encryptPayload(KEY, plain) });

/** AES-CBC of `plain` with a different key: decrypts to padding garbage under ours. */
function encryptedWithOtherKey(plain: string): string {
	const iv = Buffer.alloc(16, 7);
	const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update('another-key').digest(), iv);
	return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

interface Case {
	name: string;
	req: () => WebhookRequest;
	opts?: WebhookVerifyOptions;
	status: number;
	/** A fragment the message must contain, so the rejection says why. */
	says: RegExp;
}

const valid = (id: string) => signed(encryptedBody(JSON.stringify(event2(id))));

const cases: Case[] = [
	// Method, size, type.
	{ name: 'GET', req: () => ({ ...valid('m1'), method: 'GET' }), status: 405, says: /POST/ },
	{ name: 'PUT', req: () => ({ ...valid('m2'), method: 'PUT' }), status: 405, says: /POST/ },
	{ name: 'body over 1 MiB', req: () => signed(JSON.stringify({ encrypt: 'A'.repeat(1024 * 1024 + 10) })), status: 413, says: /bytes/ },
	{ name: 'body over a configured 10 KiB limit', req: () => valid('big'), opts: { ...OPTS, maxBodyBytes: 100 }, status: 413, says: /bytes/ },
	{ name: 'multipart content type', req: () => signed(encryptedBody('{}'), { headers: { 'content-type': 'multipart/form-data; boundary=x' } }), status: 415, says: /JSON/ },
	{ name: 'form content type', req: () => signed('a=1&b=2', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), status: 415, says: /JSON/ },
	{ name: 'text/plain content type (a cross-site form or fetch can send it)', req: () => signed(encryptedBody('{}'), { headers: { 'content-type': 'text/plain' } }), status: 415, says: /JSON/ },
	{ name: 'no content type', req: () => { const r = valid('nct'); delete r.headers['content-type']; return r; }, status: 415, says: /JSON/ },
	{ name: 'no Verification Token configured', req: () => valid('nvt'), opts: { encryptKey: KEY }, status: 401, says: /Verification Token/ },
	{ name: 'XML content type', req: () => signed('<xml/>', { headers: { 'content-type': 'application/xml' } }), status: 415, says: /JSON/ },
	// Not JSON, or not an object.
	{ name: 'empty body', req: () => signed(''), status: 400, says: /JSON/ },
	{ name: 'plain text body', req: () => signed('hello feishu'), status: 400, says: /JSON/ },
	{ name: 'truncated JSON', req: () => signed('{"encrypt":"abc'), status: 400, says: /JSON/ },
	{ name: 'invalid UTF-8 bytes around the JSON', req: () => signed(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])), status: 400, says: /JSON/ },
	// Decodes to {"\uFFFD\uFFFD":1}: an object, correctly signed, but not an event of this app.
	{ name: 'invalid UTF-8 inside a JSON key', req: () => signed(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])), status: 401, says: /token/i },
	{ name: 'JSON array body', req: () => signed('[{"encrypt":"x"}]'), status: 400, says: /object/ },
	{ name: 'JSON null body', req: () => signed('null'), status: 400, says: /object/ },
	{ name: 'JSON number body', req: () => signed('12345'), status: 400, says: /object/ },
	{ name: 'JSON string body', req: () => signed('"encrypt"'), status: 400, says: /object/ },
	// The encrypt field.
	{ name: 'encrypt is a number', req: () => signed('{"encrypt":42}'), status: 400, says: /encrypt/ },
	{ name: 'encrypt is empty', req: () => signed('{"encrypt":""}'), status: 400, says: /encrypt/ },
	{ name: 'encrypt is an object', req: () => signed('{"encrypt":{"a":1}}'), status: 400, says: /encrypt/ },
	{ name: 'encrypt is not base64', req: () => signed('{"encrypt":"!!!!****"}'), status: 400, says: /encrypt|ciphertext/ },
	{ name: 'ciphertext of the wrong length', req: () => signed(JSON.stringify({ encrypt: randomBytes(20).toString('base64') })), status: 400, says: /length/ },
	{ name: 'ciphertext under another key', req: () => signed(JSON.stringify({ encrypt: encryptedWithOtherKey(JSON.stringify(event2('k'))) })), status: 400, says: /Encrypt Key/ },
	{ name: 'encrypted plaintext is not JSON', req: () => signed(encryptedBody('definitely not json')), status: 400, says: /Decrypted body/ },
	{ name: 'encrypted plaintext is a JSON array', req: () => signed(encryptedBody('[1,2]')), status: 400, says: /not a JSON object/ },
	{ name: 'encrypted body but no Encrypt Key configured', req: () => valid('nokey'), opts: { verificationToken: TOKEN }, status: 400, says: /Encrypt Key/ },
	// Signature headers.
	{ name: 'no signature headers at all', req: () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, rawBody: Buffer.from(encryptedBody(JSON.stringify(event2('ns')))) }), status: 401, says: /Missing/ },
	{ name: 'missing timestamp', req: () => { const r = valid('mt'); delete r.headers['x-lark-request-timestamp']; return r; }, status: 401, says: /Missing/ },
	{ name: 'missing nonce', req: () => { const r = valid('mn'); delete r.headers['x-lark-request-nonce']; return r; }, status: 401, says: /Missing/ },
	{ name: 'empty signature', req: () => { const r = valid('es'); r.headers['x-lark-signature'] = ''; return r; }, status: 401, says: /Missing/ },
	{ name: 'wrong signature', req: () => { const r = valid('ws'); r.headers['x-lark-signature'] = 'a'.repeat(64); return r; }, status: 401, says: /Signature/ },
	{ name: 'signature of the wrong length', req: () => { const r = valid('wl'); r.headers['x-lark-signature'] = 'abc'; return r; }, status: 401, says: /Signature/ },
	{ name: 'signature as an array of wrong values', req: () => { const r = valid('wa'); r.headers['x-lark-signature'] = ['x', 'y']; return r; }, status: 401, says: /Signature/ },
	{
		name: 'signature over re-serialised JSON, not the raw bytes',
		req: () => {
			const pretty = JSON.stringify(JSON.parse(encryptedBody(JSON.stringify(event2('rs')))), null, 2);
			const r = signed(pretty);
			r.headers['x-lark-signature'] = computeSignature(r.headers['x-lark-request-timestamp'] as string, r.headers['x-lark-request-nonce'] as string, KEY, JSON.stringify(JSON.parse(pretty)));
			return r;
		},
		status: 401,
		says: /Signature/,
	},
	{ name: 'body changed after signing', req: () => { const r = valid('bc'); r.rawBody = Buffer.from(encryptedBody(JSON.stringify(event2('other')))); return r; }, status: 401, says: /Signature/ },
	{ name: 'signed with another key', req: () => { const r = valid('ok'); r.headers['x-lark-signature'] = computeSignature(r.headers['x-lark-request-timestamp'] as string, r.headers['x-lark-request-nonce'] as string, 'other', r.rawBody); return r; }, status: 401, says: /Signature/ },
	{ name: 'timestamp an hour old (replay)', req: () => signed(encryptedBody(JSON.stringify(event2('old'))), { ts: String(Math.floor(Date.now() / 1000) - 3600) }), status: 401, says: /replay window/ },
	{ name: 'timestamp an hour ahead', req: () => signed(encryptedBody(JSON.stringify(event2('fut'))), { ts: String(Math.floor(Date.now() / 1000) + 3600) }), status: 401, says: /replay window/ },
	{ name: 'timestamp in hex', req: () => signed(encryptedBody(JSON.stringify(event2('hex'))), { ts: `0x${Math.floor(Date.now() / 1000).toString(16)}` }), status: 401, says: /replay window/ },
	{ name: 'timestamp in exponent notation', req: () => signed(encryptedBody(JSON.stringify(event2('exp'))), { ts: `${Math.floor(Date.now() / 1000) / 1e9}e9` }), status: 401, says: /replay window/ },
	{ name: 'timestamp not a number', req: () => signed(encryptedBody(JSON.stringify(event2('nan'))), { ts: 'yesterday' }), status: 401, says: /replay window/ },
	// Verification token.
	{ name: 'wrong token in header.token', req: () => signed(encryptedBody(JSON.stringify(event2('wt', 'nope')))), status: 401, says: /token/i },
	{
		name: 'missing token',
		req: () => {
			const e = event2('mt2') as { header: Record<string, unknown> };
			delete e.header.token;
			return signed(encryptedBody(JSON.stringify(e)));
		},
		status: 401,
		says: /token/i,
	},
	{ name: 'token of the wrong type', req: () => signed(encryptedBody(JSON.stringify(event2('tt', 12345)))), status: 401, says: /token/i },
	{ name: 'schema 1.0 event with a wrong token', req: () => signed(encryptedBody(JSON.stringify({ uuid: 'u1', token: 'bad', type: 'event_callback', event: { type: 'message' } }))), status: 401, says: /token/i },
	{ name: 'url_verification with a wrong token', req: () => signed(encryptedBody(JSON.stringify({ type: 'url_verification', challenge: 'c', token: 'bad' }))), status: 401, says: /token/i },
	{ name: 'url_verification without a challenge', req: () => signed(encryptedBody(JSON.stringify({ type: 'url_verification', token: TOKEN }))), status: 400, says: /challenge/ },
	{ name: 'url_verification with a numeric challenge', req: () => signed(encryptedBody(JSON.stringify({ type: 'url_verification', token: TOKEN, challenge: 7 }))), status: 400, says: /challenge/ },
	// Plaintext mode (no Encrypt Key in the credential).
	{ name: 'plaintext: wrong token', req: () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, rawBody: Buffer.from(JSON.stringify(event2('pw', 'bad'))) }), opts: { verificationToken: TOKEN }, status: 401, says: /token/i },
	{ name: 'plaintext: JSON array', req: () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, rawBody: Buffer.from('[]') }), opts: { verificationToken: TOKEN }, status: 400, says: /object/ },
];

test(`${cases.length} malformed webhook requests: each a 4xx with a reason; a valid event still passes after each`, () => {
	assert.ok(cases.length >= 40);
	let n = 0;
	for (const c of cases) {
		const result = handleWebhookRequest(c.req(), c.opts ?? OPTS);
		assert.equal(result.kind, 'reject', `${c.name}: rejected`);
		if (result.kind !== 'reject') continue;
		assert.equal(result.status, c.status, `${c.name}: status ${result.status} (${result.message})`);
		assert.match(result.message, c.says, `${c.name}: the message says why`);
		const id = `good-${++n}`;
		const good = handleWebhookRequest(valid(id), OPTS);
		assert.equal(good.kind, 'event', `${c.name}: a valid event after it`);
		if (good.kind === 'event') assert.equal(good.envelope.eventId, id);
	}
	assert.deepEqual(trap.errors, []);
});

test('the same inputs never throw, whatever the options', () => {
	for (const c of cases) {
		for (const opts of [{}, { encryptKey: KEY }, { verificationToken: TOKEN }, OPTS]) {
			assert.doesNotThrow(() => handleWebhookRequest(c.req(), opts), c.name);
		}
	}
});
