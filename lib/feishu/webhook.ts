// Webhook request handling, independent of any HTTP framework: one function turns a raw request
// into "answer this challenge", "here is a verified event" or "reject with this status".
// Rules from feishu-protocol.md §6: the challenge is answered in plaintext JSON and is never signed;
// encrypted bodies are AES-256-CBC; the signature covers the RAW body bytes (never re-serialised
// JSON) and is compared in constant time; the verification token sits in header.token (2.0) or in
// the top-level token (1.0 and the challenge).
import { decryptPayload, verifySignature } from './crypto';
import { FeishuEnvelope, parseEnvelope } from './envelope';

export interface WebhookRequest {
	method: string;
	/** Header names in any case; values as Node gives them. */
	headers: Record<string, string | string[] | undefined>;
	rawBody: Buffer;
}

export interface WebhookVerifyOptions {
	encryptKey?: string;
	verificationToken?: string;
	/** Largest accepted clock difference for X-Lark-Request-Timestamp. Default 300 s. */
	replayWindowSeconds?: number;
	/** Largest accepted body. Default 1 MiB (Feishu events are a few KiB; text messages <= 150 KB). */
	maxBodyBytes?: number;
	/** Clock in ms, for tests. */
	now?: () => number;
}

export type WebhookRejectStatus = 400 | 401 | 405 | 413 | 415;

export type WebhookResult =
	| { kind: 'challenge'; body: { challenge: string } }
	| { kind: 'event'; envelope: FeishuEnvelope }
	| { kind: 'reject'; status: WebhookRejectStatus; message: string };

export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;
export const DEFAULT_MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

function reject(status: WebhookRejectStatus, message: string): WebhookResult {
	return { kind: 'reject', status, message };
}

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
	const wanted = name.toLowerCase();
	// Node lowercases header names, so the direct look-up nearly always hits; others are scanned.
	let value = headers[wanted];
	if (value === undefined) {
		for (const key of Object.keys(headers)) {
			if (key.toLowerCase() === wanted) {
				value = headers[key];
				break;
			}
		}
	}
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' && first !== '' ? first : undefined;
}

function isObject(value: unknown): value is Record<string, any> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Feishu sends application/json; text/plain and a missing type are tolerated (some proxies drop
// or rewrite it), anything clearly not JSON (forms, multipart) is refused.
function acceptableContentType(contentType: string | undefined): boolean {
	if (contentType === undefined) return true;
	const type = contentType.split(';')[0].trim().toLowerCase();
	return type === '' || type === 'application/json' || type.endsWith('+json') || type === 'text/plain';
}

/** Signature verdict: `present` when all three headers came; `error` when they came and fail. */
function checkSignature(
	req: WebhookRequest,
	encryptKey: string,
	replayWindowSeconds: number,
	now: () => number,
): { present: boolean; error?: string } {
	const timestamp = header(req.headers, 'x-lark-request-timestamp');
	const nonce = header(req.headers, 'x-lark-request-nonce');
	const signature = header(req.headers, 'x-lark-signature');
	if (!timestamp || !nonce || !signature) return { present: false };
	if (!verifySignature(timestamp, nonce, encryptKey, req.rawBody, signature)) {
		return { present: true, error: 'X-Lark-Signature does not match the body (check the Encrypt Key)' };
	}
	// Checked after the signature, which covers the timestamp: a replay cannot forge a fresh one.
	const seconds = Number(timestamp);
	if (!Number.isFinite(seconds) || Math.abs(now() / 1000 - seconds) > replayWindowSeconds) {
		return { present: true, error: `X-Lark-Request-Timestamp is outside the ${replayWindowSeconds} s replay window` };
	}
	return { present: true };
}

function tokenOf(payload: Record<string, any>): unknown {
	if (isObject(payload.header)) return payload.header.token;
	return payload.token;
}

export function handleWebhookRequest(req: WebhookRequest, opts: WebhookVerifyOptions = {}): WebhookResult {
	const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BODY_BYTES;
	const replayWindowSeconds = opts.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS;
	const now = opts.now ?? Date.now;
	const encryptKey = opts.encryptKey || undefined;
	const verificationToken = opts.verificationToken || undefined;

	if (String(req.method).toUpperCase() !== 'POST') return reject(405, 'Feishu events are delivered with POST');
	if (req.rawBody.length > maxBodyBytes) {
		return reject(413, `Body is ${req.rawBody.length} bytes, more than the ${maxBodyBytes} accepted`);
	}
	if (!acceptableContentType(header(req.headers, 'content-type'))) {
		return reject(415, 'Body must be JSON (Content-Type: application/json)');
	}

	// Signed requests are judged on the signature first, so a forged request learns nothing from
	// how its body fails. The verdict is applied after decryption because Feishu does not sign the
	// url_verification challenge.
	const signature = encryptKey ? checkSignature(req, encryptKey, replayWindowSeconds, now) : { present: false };
	const signatureReject = signature.error !== undefined ? reject(401, signature.error) : undefined;

	let body: unknown;
	try {
		body = JSON.parse(req.rawBody.toString('utf8'));
	} catch {
		return signatureReject ?? reject(400, 'Body is not valid JSON');
	}
	if (!isObject(body)) return signatureReject ?? reject(400, 'Body is not a JSON object');

	let payload: Record<string, any> = body;
	if ('encrypt' in body) {
		if (!encryptKey) {
			return reject(400, 'Body is encrypted but no Encrypt Key is set in the credential (copy it from the Feishu console)');
		}
		let plaintext: string;
		try {
			plaintext = decryptPayload(encryptKey, body.encrypt);
		} catch (error) {
			return signatureReject ?? reject(400, (error as Error).message);
		}
		try {
			payload = JSON.parse(plaintext);
		} catch {
			return signatureReject ?? reject(400, 'Decrypted body is not valid JSON: check that the Encrypt Key matches the Feishu console');
		}
		if (!isObject(payload)) return signatureReject ?? reject(400, 'Decrypted body is not a JSON object');
	}

	// Feishu does not sign the url_verification request, so only the token guards it.
	if (payload.type === 'url_verification') {
		if (verificationToken !== undefined && payload.token !== verificationToken) {
			return reject(401, 'Verification token does not match the credential');
		}
		if (typeof payload.challenge !== 'string') return reject(400, 'url_verification without a challenge');
		return { kind: 'challenge', body: { challenge: payload.challenge } };
	}

	if (signatureReject) return signatureReject;
	if (encryptKey && !signature.present) {
		return reject(401, 'Missing X-Lark-Request-Timestamp, X-Lark-Request-Nonce or X-Lark-Signature header');
	}

	if (verificationToken !== undefined && tokenOf(payload) !== verificationToken) {
		return reject(401, 'Verification token does not match the credential');
	}

	return { kind: 'event', envelope: parseEnvelope(payload) };
}
