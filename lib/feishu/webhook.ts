// Webhook request handling, independent of any HTTP framework: one function turns a raw request
// into "answer this challenge", "here is a verified event" or "reject with this status".
// Rules from docs/protocol.md, "Webhook security": the challenge is answered in plaintext JSON and is never signed;
// encrypted bodies are AES-256-CBC; the signature covers the RAW body bytes (never re-serialised
// JSON) and is compared in constant time; the verification token sits in header.token (2.0) or in
// the top-level token (1.0 and the challenge). With an Encrypt Key, unsigned requests other than
// this app's challenge all get one identical answer (docs/security.md).
import { decryptPayload, safeEqual, verifySignature } from './crypto';
import { EventDeduper } from './dedupe';
import { FeishuEnvelope, parseEnvelope } from './envelope';
import { headerValue, isObject } from './values';

export interface WebhookRequest {
	method: string;
	/** Header names in any case; values as Node gives them. */
	headers: Record<string, string | string[] | undefined>;
	rawBody: Buffer;
}

export interface WebhookVerifyOptions {
	encryptKey?: string;
	/** Required: without it every request is refused (nothing else authenticates unsigned requests). */
	verificationToken?: string;
	/** Largest accepted clock difference for X-Lark-Request-Timestamp. Default 300 s, at most 8 h. */
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
/**
 * The replay window may not outlast the webhook's dedupe window (8 h, the span of Feishu's own
 * retries): a signed request replayed inside the window is then always caught as a redelivery.
 */
export const MAX_REPLAY_WINDOW_SECONDS = 8 * 60 * 60;

const NO_TOKEN_MESSAGE =
	'No Verification Token is set in the credential: webhook mode needs it to tell Feishu from anyone else (Feishu developer console > your app > Events & Callbacks > Encryption Strategy)';
const UNSIGNED_MESSAGE = 'Missing X-Lark-Request-Timestamp, X-Lark-Request-Nonce or X-Lark-Signature header';
const TOKEN_MISMATCH_MESSAGE = 'Verification token does not match the credential';
export const DEFAULT_MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

function reject(status: WebhookRejectStatus, message: string): WebhookResult {
	return { kind: 'reject', status, message };
}

// An empty header counts as absent here (a blank signature header is no signature).
function header(headers: WebhookRequest['headers'], name: string): string | undefined {
	const first = headerValue(headers, name);
	return typeof first === 'string' && first !== '' ? first : undefined;
}

// Feishu always sends application/json. Anything else is refused: text/plain, a form or no type at
// all are what a web page can post cross-site without a CORS preflight.
function isJsonContentType(contentType: string | undefined): boolean {
	return contentType?.split(';')[0].trim().toLowerCase() === 'application/json';
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
	// Feishu sends whole Unix seconds in decimal; Number() would also take "0x6553F100" or "1.7e9".
	const seconds = /^[0-9]{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
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
	const replayWindowSeconds = Math.min(opts.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS, MAX_REPLAY_WINDOW_SECONDS);
	const now = opts.now ?? Date.now;
	const encryptKey = opts.encryptKey || undefined;
	const verificationToken = opts.verificationToken || undefined;

	if (String(req.method).toUpperCase() !== 'POST') return reject(405, 'Feishu events are delivered with POST');
	if (req.rawBody.length > maxBodyBytes) {
		return reject(413, `Body is ${req.rawBody.length} bytes, more than the ${maxBodyBytes} accepted`);
	}
	if (!isJsonContentType(header(req.headers, 'content-type'))) {
		return reject(415, 'Body must be JSON (Content-Type: application/json)');
	}
	// Without a token nothing authenticates an unsigned request: refuse rather than run forgeries.
	if (verificationToken === undefined) return reject(401, NO_TOKEN_MESSAGE);

	if (encryptKey) {
		const signature = checkSignature(req, encryptKey, replayWindowSeconds, now);
		// Feishu does not sign the url_verification challenge. Any other request without a valid
		// signature is refused on its headers alone, the same whatever its body decrypts to:
		// answers that told bad padding from bad JSON would be a padding oracle.
		if (!signature.present || signature.error !== undefined) {
			return unsignedChallenge(req.rawBody, encryptKey, verificationToken) ?? reject(401, signature.error ?? UNSIGNED_MESSAGE);
		}
	}

	let body: unknown;
	try {
		body = JSON.parse(req.rawBody.toString('utf8'));
	} catch {
		return reject(400, 'Body is not valid JSON');
	}
	if (!isObject(body)) return reject(400, 'Body is not a JSON object');

	let payload: Record<string, any> = body;
	if ('encrypt' in body) {
		if (!encryptKey) {
			return reject(400, 'Body is encrypted but no Encrypt Key is set in the credential (copy it from the Feishu console)');
		}
		let plaintext: string;
		try {
			plaintext = decryptPayload(encryptKey, body.encrypt);
		} catch (error) {
			return reject(400, (error as Error).message);
		}
		const decrypted = parseObject(plaintext);
		if (!decrypted) return reject(400, 'Decrypted body is not a JSON object: check that the Encrypt Key matches the Feishu console');
		payload = decrypted;
	}

	if (payload.type === 'url_verification') {
		if (!tokenMatches(payload.token, verificationToken)) return reject(401, TOKEN_MISMATCH_MESSAGE);
		if (typeof payload.challenge !== 'string') return reject(400, 'url_verification without a challenge');
		return { kind: 'challenge', body: { challenge: payload.challenge } };
	}

	if (!tokenMatches(tokenOf(payload), verificationToken)) return reject(401, TOKEN_MISMATCH_MESSAGE);
	return { kind: 'event', envelope: parseEnvelope(payload) };
}

/** This app's url_verification challenge (plain or encrypted, token matching), or undefined for anything else. */
function unsignedChallenge(rawBody: Buffer, encryptKey: string, verificationToken: string): WebhookResult | undefined {
	let payload = parseObject(rawBody.toString('utf8'));
	if (payload && 'encrypt' in payload) {
		try {
			payload = parseObject(decryptPayload(encryptKey, payload.encrypt));
		} catch {
			return undefined;
		}
	}
	if (payload?.type !== 'url_verification' || typeof payload.challenge !== 'string') return undefined;
	if (!tokenMatches(payload.token, verificationToken)) return undefined;
	return { kind: 'challenge', body: { challenge: payload.challenge } };
}

function parseObject(text: string): Record<string, any> | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return isObject(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

function tokenMatches(given: unknown, expected: string): boolean {
	return typeof given === 'string' && safeEqual(given, expected);
}

// Feishu retries a delivery it thinks failed at 15 s, 5 min, 1 h and 6 h (docs/protocol.md, "Webhook
// timing and retries"). One process-wide window for every webhook trigger (the long connection has its
// own, per app, in the connection hub); it spans the longest replay window, so a signed request
// replayed while its timestamp is still accepted counts as a redelivery too.
const webhookDeliveries = new EventDeduper({ windowMs: MAX_REPLAY_WINDOW_SECONDS * 1000, maxEntries: 50_000 });

/**
 * Records a verified webhook event; true if `scope` saw it already (a redelivery: answer, do not run).
 * `scope` keeps receivers apart (each workflow's trigger runs its own copy of an event). An event
 * without an id cannot be told apart from another, so it always runs.
 */
export function isWebhookRedelivery(scope: string, envelope: FeishuEnvelope): boolean {
	return envelope.eventId !== undefined && webhookDeliveries.seen(`${scope}|${envelope.eventId}`);
}

/** Takes back isWebhookRedelivery's record: the event was not taken after all (n8n refused the run). */
export function forgetWebhookDelivery(scope: string, envelope: FeishuEnvelope): void {
	if (envelope.eventId !== undefined) webhookDeliveries.forget(`${scope}|${envelope.eventId}`);
}
