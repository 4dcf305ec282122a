// Group custom bots (docs/protocol.md, "Custom bots"): one JSON POST to the group's webhook URL,
// optionally signed with the bot's secret; no app, no token, no API client. The URL's last segment
// is the bot's only credential, so it never appears in an error.
import { createHmac } from 'node:crypto';
import { isLoopbackHost } from './domains';
import { FeishuApiError, FeishuNetworkError, FeishuValidationError, toNetworkError } from './errors';
import { defaultTransport, type HttpTransport, type TransportResponse } from './httpTransport';
import { validateContent } from './messageContent';
import { delay } from './timers';
import { headerValue, isObject } from './values';

/** Hosts Feishu (China) and Lark issue custom bot webhook URLs on. */
export const CUSTOM_BOT_HOSTS: readonly string[] = ['open.feishu.cn', 'open.larksuite.com'];
export const CUSTOM_BOT_HOOK_PATH = '/open-apis/bot/v2/hook/';
export const CUSTOM_BOT_MESSAGE_TYPES = ['text', 'post', 'interactive', 'image', 'share_chat'] as const;
export type CustomBotMessageType = (typeof CUSTOM_BOT_MESSAGE_TYPES)[number];
/** Feishu refuses a request body over 20 KB. */
export const CUSTOM_BOT_MAX_BODY_BYTES = 20 * 1024;
/** Feishu takes a signature whose timestamp is at most this far from its clock. */
export const CUSTOM_BOT_SIGNATURE_WINDOW_SECONDS = 3600;

// 19001 is what Feishu answers for a token it does not know (third party, docs/protocol.md).
export const CUSTOM_BOT_TOKEN_INVALID = 19001;
export const CUSTOM_BOT_SIGNATURE_MISMATCH = 19021;
export const CUSTOM_BOT_IP_NOT_ALLOWED = 19022;
export const CUSTOM_BOT_KEYWORD_NOT_FOUND = 19024;
/** Feishu's "Bad Request" for a malformed body, and (with "too many request") its rate limit. */
export const CUSTOM_BOT_BAD_REQUEST = 9499;
/** The limit Feishu says it may hit under system load at busy times (:00, :30). */
export const CUSTOM_BOT_SYSTEM_LIMIT = 11232;

const REQUEST = 'POST custom bot webhook';
const URL_SHAPE = 'should look like https://open.feishu.cn/open-apis/bot/v2/hook/<token> (open.larksuite.com for Lark), as the custom bot\'s settings show it';

export interface CustomBotHook {
	/** The webhook URL from the bot's settings. */
	url: string;
	/** The signing secret, when the bot has signature verification on. */
	secret?: string;
}

/** A message as for the Open API: msg_type and its content object (a card for interactive). */
export interface CustomBotMessage {
	msgType: string;
	content: Record<string, unknown>;
}

export interface CustomBotSendOptions {
	/** The HTTP seam (n8n nodes pass one over n8n's request helpers); default: the global fetch. */
	transport?: HttpTransport;
	/** Total deadline of one attempt (default 30 000 ms). */
	timeoutMs?: number;
	/** Retries after a rate-limit answer (default 2): a refused request was not posted, so repeating is safe. */
	maxRateLimitRetries?: number;
	/** Wait before such a retry (default 1000 ms: the per-second limit's window). */
	rateLimitRetryDelayMs?: number;
	/** The clock the signature's timestamp comes from (default Date.now). */
	now?: () => number;
	signal?: AbortSignal;
}

/** What Feishu answered a posted message (`code` 0). */
export interface CustomBotResult {
	code: 0;
	msg: string;
	data: Record<string, unknown>;
	logId?: string;
}

/**
 * The webhook URL, checked and normalised: https on Feishu's or Lark's host (http or https on a
 * loopback host: the local sandbox), path /open-apis/bot/v2/hook/<token>, nothing else. Anything
 * else is refused before the message (and the secret's signature) goes to it.
 */
export function assertCustomBotUrl(url: string): string {
	const text = String(url ?? '').trim();
	if (!text) throw new FeishuValidationError('Webhook URL', `is empty; it ${URL_SHAPE}`);
	let u: URL;
	try {
		u = new URL(text);
	} catch {
		throw new FeishuValidationError('Webhook URL', `is not a URL; it ${URL_SHAPE}`);
	}
	const loopback = isLoopbackHost(u.hostname) && (u.protocol === 'http:' || u.protocol === 'https:');
	const feishu = u.protocol === 'https:' && !u.port && CUSTOM_BOT_HOSTS.includes(u.hostname.toLowerCase());
	if (!feishu && !loopback) {
		const why = u.protocol === 'http:' && CUSTOM_BOT_HOSTS.includes(u.hostname.toLowerCase()) ? 'uses http://' : `is on ${u.host}, not Feishu's or Lark's host`;
		throw new FeishuValidationError('Webhook URL', `${why}; it ${URL_SHAPE}`);
	}
	if (u.username || u.password || u.search || u.hash || text.includes('?') || text.includes('#')) {
		throw new FeishuValidationError('Webhook URL', `has a user name, query (?) or fragment (#); it ${URL_SHAPE}`);
	}
	if (/^\/open-apis\/bot\/hook\//.test(u.pathname)) {
		throw new FeishuValidationError('Webhook URL', `is a version 1 hook (/open-apis/bot/hook/…), which Feishu no longer serves; add the custom bot again and copy its URL: it ${URL_SHAPE}`);
	}
	const m = /^\/open-apis\/bot\/v2\/hook\/([A-Za-z0-9_-]+)\/?$/.exec(u.pathname);
	if (!m) throw new FeishuValidationError('Webhook URL', `has the wrong path; it ${URL_SHAPE}`);
	return `${u.origin}${CUSTOM_BOT_HOOK_PATH}${m[1]}`;
}

/** The URL with its token masked, for messages. */
export function redactCustomBotUrl(url: string): string {
	const at = url.indexOf(CUSTOM_BOT_HOOK_PATH);
	return at < 0 ? url : `${url.slice(0, at + CUSTOM_BOT_HOOK_PATH.length)}***`;
}

/**
 * Feishu's custom bot signature: base64 of HMAC-SHA256 keyed with `timestamp + "\n" + secret` over
 * an empty message (the secret is in the key, the signed data is empty: the docs' own samples).
 */
export function customBotSignature(secret: string, timestamp: number | string): string {
	return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

/** The `timestamp` (whole seconds, as a string like the docs' example) and `sign` fields of a signed request. */
export function customBotSignFields(secret: string, nowMs = Date.now()): { timestamp: string; sign: string } {
	const timestamp = String(Math.floor(nowMs / 1000));
	return { timestamp, sign: customBotSignature(secret, timestamp) };
}

/** A post given as `{post: {zh_cn: …}}` (the custom bot docs' shape) or locale-keyed (the Open API's). */
function postLocales(content: Record<string, unknown>): Record<string, unknown> {
	const keys = Object.keys(content);
	return keys.length === 1 && keys[0] === 'post' && isObject(content.post) ? content.post : content;
}

/**
 * The request body for a message (without the signature): the same content objects as the Open
 * API, placed as the custom bot takes them (a post under `content.post`, a card as `card`, a shared
 * chat as `share_chat_id`), each checked first so the error names the field.
 */
export function customBotBody(message: CustomBotMessage): Record<string, unknown> {
	const { msgType, content } = message;
	if (!(CUSTOM_BOT_MESSAGE_TYPES as readonly string[]).includes(msgType)) {
		throw new FeishuValidationError('msg_type', `"${msgType}" cannot be sent by a custom bot (it sends ${CUSTOM_BOT_MESSAGE_TYPES.join(', ')})`);
	}
	if (!isObject(content)) throw new FeishuValidationError('content', `should be a JSON object for ${msgType}`);
	switch (msgType as CustomBotMessageType) {
		case 'text':
			validateContent('text', content);
			return { msg_type: 'text', content: { text: content.text } };
		case 'post': {
			const post = postLocales(content);
			validateContent('post', post);
			return { msg_type: 'post', content: { post } };
		}
		case 'interactive':
			validateContent('interactive', content);
			return { msg_type: 'interactive', card: content };
		case 'image':
			validateContent('image', content);
			return { msg_type: 'image', content: { image_key: content.image_key } };
		case 'share_chat': {
			const chatId = content.share_chat_id ?? content.chat_id;
			validateContent('share_chat', { chat_id: chatId });
			return { msg_type: 'share_chat', content: { share_chat_id: chatId } };
		}
	}
}

/** Whether Feishu's answer is its rate limit (9499 "too many request", or 11232 under load). */
export function isCustomBotRateLimit(code: number, msg: string): boolean {
	return code === CUSTOM_BOT_SYSTEM_LIMIT || (code === CUSTOM_BOT_BAD_REQUEST && /too many|frequen|limit/i.test(msg));
}

/** How to fix a custom bot's error code (its codes are its own, so errorHints.ts does not list them). */
export function customBotHint(code: number, msg = ''): string | undefined {
	if (isCustomBotRateLimit(code, msg)) {
		return 'Feishu rate-limited the custom bot (at most 5 messages a second and 100 a minute per bot) and the retries ran out: send less often (e.g. Loop Over Items with a Wait), or put several lines into one message';
	}
	switch (code) {
		case CUSTOM_BOT_TOKEN_INVALID:
			return 'Feishu does not know this webhook: the custom bot was removed from its group, or the URL was copied incompletely. Copy the Webhook URL again from the bot (group settings > Bots > the custom bot)';
		case CUSTOM_BOT_SIGNATURE_MISMATCH:
			return 'The signature was refused: the custom bot has signature verification on, and the credential\'s Signing Secret is empty or not the bot\'s current secret (copy it again from the bot\'s security settings; "Reset" there changes it). Feishu also refuses a timestamp more than 1 hour off, so check this machine\'s clock';
		case CUSTOM_BOT_IP_NOT_ALLOWED:
			return 'The address n8n sends from is not on the custom bot\'s IP whitelist: add it in the bot\'s security settings, or remove the whitelist';
		case CUSTOM_BOT_KEYWORD_NOT_FOUND:
			return 'The message contains none of the custom bot\'s keywords: put one in the text or a title (Feishu looks at text and titles, not at links), or change the keywords in the bot\'s security settings';
		case CUSTOM_BOT_BAD_REQUEST:
			return 'Feishu could not read the message: check the Post JSON or Card JSON against the custom bot\'s message formats, and keep the whole message under 20 KB';
		default:
			return undefined;
	}
}

function parseJson(res: TransportResponse): Record<string, unknown> | undefined {
	const text = res.body.toString('utf8').trim();
	if (!text.startsWith('{')) return undefined;
	try {
		const parsed: unknown = JSON.parse(text);
		return isObject(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

/** Feishu's answer as a result, or the FeishuApiError it stands for. */
function readAnswer(res: TransportResponse): CustomBotResult {
	const logId = headerValue(res.headers, 'x-tt-logid');
	if (res.status >= 300 && res.status < 400) {
		throw new FeishuApiError(-1, `the webhook answered with a redirect (HTTP ${res.status}), which is not followed: check the Webhook URL`, { httpStatus: res.status, logId, request: REQUEST });
	}
	const json = parseJson(res);
	// Feishu's current field is `code`; `StatusCode` is kept for old clients (both in its success answer).
	const code = typeof json?.code === 'number' ? json.code : typeof json?.StatusCode === 'number' ? json.StatusCode : undefined;
	if (code === undefined) {
		const text = res.body.toString('utf8').slice(0, 200).trim();
		const what = res.status >= 200 && res.status < 300 ? 'the answer is not Feishu JSON' : `HTTP ${res.status}${text ? `: ${text}` : ''}`;
		throw new FeishuApiError(-1, what, { httpStatus: res.status, logId, request: REQUEST });
	}
	const msg = typeof json?.msg === 'string' ? json.msg : typeof json?.StatusMessage === 'string' ? json.StatusMessage : '';
	if (code !== 0 || res.status < 200 || res.status >= 300) {
		throw new FeishuApiError(code === 0 ? -1 : code, code === 0 ? `HTTP ${res.status}` : msg || 'unknown error', { httpStatus: res.status, logId, request: REQUEST, hint: customBotHint(code, msg) });
	}
	return { code: 0, msg: msg || 'success', data: isObject(json?.data) ? json.data : {}, ...(logId ? { logId } : {}) };
}

/**
 * Posts a message to a custom bot, signed when the hook has a secret. A rate-limit answer is
 * retried after a pause (nothing was posted); nothing else is, since a POST whose answer was lost
 * may have posted (the webhook has no idempotency key). Rejects with FeishuValidationError (bad URL
 * or content, body over 20 KB), FeishuApiError (Feishu's code, with a hint) or FeishuNetworkError.
 */
export async function sendCustomBotMessage(hook: CustomBotHook, message: CustomBotMessage, opts: CustomBotSendOptions = {}): Promise<CustomBotResult> {
	const url = assertCustomBotUrl(hook.url);
	const secret = hook.secret?.trim() || undefined;
	const payload = customBotBody(message);
	const transport = opts.transport ?? defaultTransport();
	const now = opts.now ?? Date.now;
	const maxRetries = opts.maxRateLimitRetries ?? 2;
	for (let attempt = 0; ; attempt++) {
		// Signed afresh per attempt: the timestamp is the request's.
		const body = Buffer.from(JSON.stringify(secret ? { ...customBotSignFields(secret, now()), ...payload } : payload), 'utf8');
		if (body.length > CUSTOM_BOT_MAX_BODY_BYTES) {
			throw new FeishuValidationError('content', `makes a request of ${body.length} bytes; a custom bot takes at most ${CUSTOM_BOT_MAX_BODY_BYTES}`);
		}
		let res: TransportResponse;
		try {
			res = await transport.send({
				method: 'POST',
				url,
				headers: { 'Content-Type': 'application/json; charset=utf-8' },
				body,
				timeoutMs: opts.timeoutMs ?? 30_000,
				signal: opts.signal,
				maxResponseBytes: 64 * 1024,
			});
		} catch (error) {
			throw redactedNetworkError(error, url);
		}
		try {
			return readAnswer(res);
		} catch (error) {
			const limited = error instanceof FeishuApiError && isCustomBotRateLimit(error.code, error.msg);
			if (!limited || attempt >= maxRetries) throw error;
			if (!(await delay(opts.rateLimitRetryDelayMs ?? 1000, opts.signal))) throw error;
		}
	}
}

/** A transport error with the hook's token masked wherever it appeared. */
function redactedNetworkError(error: unknown, url: string): FeishuNetworkError {
	const e = error instanceof FeishuNetworkError ? error : toNetworkError(error, 'POST', url);
	const token = url.slice(url.lastIndexOf('/') + 1);
	const mask = (s: string) => (token ? s.split(token).join('***') : s);
	return new FeishuNetworkError(e.method, redactCustomBotUrl(url), e.code, mask(e.detail));
}
