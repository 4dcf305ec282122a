// One request function for every Open API call: base URL, tenant token, JSON or multipart body,
// Feishu's `{code, msg, data}` envelope unwrapped, errors carrying code/msg/HTTP status/log id, and
// the retry rules (invalid token: refresh + retry once; rate limit: wait for the reset header; 5xx:
// bounded backoff, only when repeating cannot duplicate; other 4xx: never; 3xx: an error, never
// followed). The HTTP transport (httpTransport.ts) is pluggable so n8n nodes can route the same
// requests, the token fetch included, through n8n's own request helpers (proxy, logging).
import { assertBaseUrl, type FeishuAppCredentials } from './domains';
import { FeishuApiError, FeishuNetworkError, FeishuValidationError, RATE_LIMIT_CODE, TOKEN_INVALID_CODES, toNetworkError } from './errors';
import { delay as pause } from './timers';
import { assertNotRedirect, defaultTransport, type HttpMethod, type HttpTransport, type TransportResponse } from './httpTransport';
import { type FeishuLogger, silentLogger } from './logger';
import { encodeMultipart, type MultipartValue } from './multipart';
import { headerValue } from './values';
import { getTenantAccessToken, invalidateTenantAccessToken, TOKEN_FETCH_TIMEOUT_MS } from './tokenCache';
import { USER_TOKEN_REFRESH_CODES, userAuthHint } from './userAuth';

export interface FeishuRequest {
	method: HttpMethod;
	path: string; // e.g. /open-apis/im/v1/messages
	/** A list (e.g. users/batch's `user_ids`) goes out as the key repeated. */
	query?: Record<string, string | number | boolean | readonly string[] | undefined>;
	body?: unknown; // JSON
	form?: Record<string, MultipartValue | undefined>; // multipart instead of JSON
	responseType?: 'json' | 'buffer';
	auth?: 'tenant' | 'none';
	/**
	 * A POST that may be repeated without harm (an upload: a repeat only leaves an unused key). Other
	 * POSTs are retried after a 5xx or a dropped connection only when they carry a `uuid`. `false` keeps
	 * any method from being repeated (a PATCH that costs money, such as an SMS or phone buzz).
	 */
	repeatable?: boolean;
}

/** What a `responseType: 'buffer'` request resolves to. */
export interface FeishuBinary {
	data: Buffer;
	contentType?: string;
	fileName?: string;
}

export interface FeishuApiClientOptions {
	transport?: HttpTransport;
	logger?: FeishuLogger;
	/** Retries after a 5xx or a network error (default 2). */
	maxRetries?: number;
	/** Retries after a rate-limit answer (default 3). */
	maxRateLimitRetries?: number;
	/** Longest wait for a rate-limit reset; a longer reset fails at once (default 10 000 ms). */
	maxRateLimitWaitMs?: number;
	/** First 5xx backoff, doubled per attempt (default 300 ms). */
	retryBaseDelayMs?: number;
	/** Total deadline of one HTTP attempt, response body included (default 30 000 ms). */
	timeoutMs?: number;
	/**
	 * Whose token the calls carry: the app's tenant_access_token (default, fetched and cached here), or
	 * a signed-in user's user_access_token, which the transport adds itself (n8n's OAuth2 helpers).
	 */
	identity?: 'tenant' | 'user';
	/**
	 * With the user identity: renews the user's token (and stores it) when Feishu refuses it as expired
	 * or invalid (99991677, 99991668); the call is then made once more.
	 */
	refreshUserToken?: () => Promise<void>;
}

function parseJson(res: TransportResponse): Record<string, unknown> | undefined {
	const text = res.body.toString('utf8').trim();
	if (!text.startsWith('{')) return undefined;
	try {
		return JSON.parse(text) as Record<string, unknown>;
	} catch {
		return undefined;
	}
}

function fileNameFrom(disposition?: string): string | undefined {
	if (!disposition) return undefined;
	const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
	if (star) {
		try {
			return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
		} catch {
			/* fall through to the plain form */
		}
	}
	const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)?.[1];
	if (plain && /%[0-9a-f]{2}/i.test(plain)) {
		try {
			return decodeURIComponent(plain);
		} catch {
			/* not percent-encoded after all */
		}
	}
	return plain;
}


export class FeishuApiClient {
	readonly creds: FeishuAppCredentials;
	private readonly transport: HttpTransport;
	private readonly logger: FeishuLogger;
	private readonly opts: Required<Omit<FeishuApiClientOptions, 'transport' | 'logger' | 'identity' | 'refreshUserToken'>>;
	/** Whose token the calls carry (FeishuApiClientOptions.identity). */
	readonly identity: 'tenant' | 'user';
	private readonly refreshUserToken?: () => Promise<void>;

	constructor(creds: FeishuAppCredentials, opts: FeishuApiClientOptions = {}) {
		this.creds = { ...creds, baseUrl: assertBaseUrl(creds.baseUrl) };
		this.transport = opts.transport ?? defaultTransport();
		this.logger = opts.logger ?? silentLogger;
		this.opts = {
			maxRetries: opts.maxRetries ?? 2,
			maxRateLimitRetries: opts.maxRateLimitRetries ?? 3,
			maxRateLimitWaitMs: opts.maxRateLimitWaitMs ?? 10_000,
			retryBaseDelayMs: opts.retryBaseDelayMs ?? 300,
			timeoutMs: opts.timeoutMs ?? 30_000,
		};
		this.identity = opts.identity ?? 'tenant';
		this.refreshUserToken = opts.refreshUserToken;
	}

	/** Performs one API call and resolves to the envelope's `data` (or the top-level fields when there is none). */
	async request<T = any>(req: FeishuRequest): Promise<T> {
		const label = `${req.method} ${req.path}`;
		// Ids are validated where paths are built (messages.ts); this catches any other caller.
		if (!req.path.startsWith('/') || /[?#\\]|%2[ef]|%5c|(^|\/)\.\.?(\/|$)/i.test(req.path)) {
			throw new FeishuValidationError('path', `"${req.path}" is not a plain API path`);
		}
		// Repeating a POST that may have reached Feishu could apply it twice, unless Feishu dedupes it by uuid.
		const repeatable = req.repeatable !== false && (req.method !== 'POST' || req.repeatable === true || hasUuid(req));
		const query: Record<string, string | string[]> = {};
		for (const [k, v] of Object.entries(req.query ?? {})) {
			if (Array.isArray(v)) {
				if (v.length) query[k] = [...v];
			} else if (v !== undefined && v !== '') query[k] = String(v);
		}
		const headers: Record<string, string> = {};
		let body: Buffer | object | undefined;
		if (req.form) {
			const encoded = encodeMultipart(req.form);
			body = encoded.body;
			headers['Content-Type'] = encoded.contentType;
		} else if (req.body !== undefined) {
			body = req.body as object;
			headers['Content-Type'] = 'application/json; charset=utf-8';
		}

		let tokenRetried = false;
		let serverRetries = 0;
		let rateRetries = 0;
		for (;;) {
			let token: string | undefined;
			if (req.auth !== 'none' && this.identity === 'tenant') {
				// The one token look-up of the request, its fetch (when due) through the same transport.
				token = await getTenantAccessToken(this.creds, { timeoutMs: Math.min(TOKEN_FETCH_TIMEOUT_MS, this.opts.timeoutMs), transport: this.transport });
				headers.Authorization = `Bearer ${token}`;
			}

			let res: TransportResponse;
			try {
				res = await this.transport.send({
					method: req.method,
					url: `${this.creds.baseUrl}${req.path}`,
					query: Object.keys(query).length ? query : undefined,
					headers: { ...headers },
					body,
					timeoutMs: this.opts.timeoutMs,
				});
			} catch (caught) {
				if (caught instanceof FeishuApiError) throw caught;
				// Whatever a custom transport throws, never the HTTP library's error with its config.
				const error = caught instanceof FeishuNetworkError ? caught : toNetworkError(caught, req.method, `${this.creds.baseUrl}${req.path}`);
				// A reset or timeout may come after Feishu applied the request: only a refused connection
				// is safe to retry for a POST that is not repeatable.
				const safe = repeatable ? isTransientNetworkError(error.code) : error.code === 'ECONNREFUSED';
				if (serverRetries < this.opts.maxRetries && safe) {
					const delay = this.opts.retryBaseDelayMs * 2 ** serverRetries++;
					this.logger.warn(`Feishu ${label}: ${error.message}; retrying in ${delay} ms`);
					await pause(delay);
					continue;
				}
				throw error;
			}

			assertNotRedirect(res, label);

			const logId = headerValue(res.headers, 'x-tt-logid');
			const json = parseJson(res);
			const code = typeof json?.code === 'number' ? json.code : undefined;

			// A downloaded file is binary unless it is Feishu's JSON envelope (a .json file that merely
			// contains a "code" field is still the file).
			const isEnvelope = code !== undefined && typeof json?.msg === 'string' && /json/i.test(headerValue(res.headers, 'content-type') ?? '');
			if (req.responseType === 'buffer' && res.status >= 200 && res.status < 300 && !isEnvelope) {
				return {
					data: res.body,
					contentType: headerValue(res.headers, 'content-type'),
					fileName: fileNameFrom(headerValue(res.headers, 'content-disposition')),
				} as T;
			}

			if (code !== undefined && TOKEN_INVALID_CODES.has(code) && token !== undefined && !tokenRetried) {
				tokenRetried = true;
				this.logger.info(`Feishu ${label}: token rejected (${code}); refreshing and retrying once`, { logId });
				invalidateTenantAccessToken(this.creds, token);
				continue;
			}

			if (this.identity === 'user' && req.auth !== 'none' && code !== undefined && USER_TOKEN_REFRESH_CODES.has(code) && !tokenRetried && this.refreshUserToken) {
				tokenRetried = true;
				this.logger.info(`Feishu ${label}: user token refused (${code}); refreshing it and retrying once`, { logId });
				await this.refreshUserToken();
				continue;
			}

			if (res.status === 429 || code === RATE_LIMIT_CODE) {
				const resetSec = Number(headerValue(res.headers, 'x-ogw-ratelimit-reset'));
				const waitMs = Number.isFinite(resetSec) && resetSec >= 0 ? resetSec * 1000 : 1000;
				if (rateRetries < this.opts.maxRateLimitRetries && waitMs <= this.opts.maxRateLimitWaitMs) {
					rateRetries++;
					this.logger.warn(`Feishu ${label}: rate limited; waiting ${waitMs} ms`, { logId });
					await pause(waitMs);
					continue;
				}
			} else if (res.status >= 500 && repeatable && serverRetries < this.opts.maxRetries) {
				const delay = this.opts.retryBaseDelayMs * 2 ** serverRetries++;
				this.logger.warn(`Feishu ${label}: HTTP ${res.status}; retrying in ${delay} ms`, { logId });
				await pause(delay);
				continue;
			}

			if (code === undefined) {
				if (res.status >= 200 && res.status < 300) throw new FeishuApiError(-1, 'response is not Feishu JSON', { httpStatus: res.status, logId, request: label });
				const text = res.body.toString('utf8').slice(0, 200).trim();
				throw new FeishuApiError(-1, `HTTP ${res.status}${text ? `: ${text}` : ''}`, { httpStatus: res.status, logId, request: label });
			}
			if (code !== 0) {
				let msg = typeof json?.msg === 'string' ? json.msg : 'unknown error';
				// Parameter errors (99992402) list the offending fields under error.field_violations.
				const violations = (json?.error as { field_violations?: { field?: string; description?: string }[] } | undefined)?.field_violations;
				if (Array.isArray(violations) && violations.length) {
					msg += `: ${violations.map((v) => `${v.field ?? '?'}: ${v.description ?? 'invalid'}`).join('; ')}`;
				}
				const hint = this.identity === 'user' ? userAuthHint(code) : undefined;
				throw new FeishuApiError(code, msg, { httpStatus: res.status, logId, request: label, ...(hint ? { hint } : {}) });
			}
			const { code: _c, msg: _m, data, ...rest } = json as Record<string, unknown>;
			return (data !== undefined ? data : rest) as T;
		}
	}

	/** The bot's own identity (`GET /open-apis/bot/v3/info`, whose result sits in `bot`). */
	async getBotInfo(): Promise<{ open_id: string; app_name: string; activate_status?: number; avatar_url?: string }> {
		const res = await this.request<{ bot: { open_id: string; app_name: string } }>({ method: 'GET', path: '/open-apis/bot/v3/info' });
		return res.bot;
	}
}

function hasUuid(req: FeishuRequest): boolean {
	return Boolean(req.query?.uuid || (req.body as { uuid?: unknown } | undefined)?.uuid);
}

function isTransientNetworkError(code: string): boolean {
	return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'EPIPE';
}
