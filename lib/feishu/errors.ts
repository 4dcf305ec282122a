// Errors of the Open API layer. Feishu answers errors as `{code, msg}` plus an `x-tt-logid` header;
// keeping all four lets users quote the log id to Feishu support.

/** Codes Feishu uses for an invalid or expired access token: refresh the token and retry once. */
export const TOKEN_INVALID_CODES: ReadonlySet<number> = new Set([99991663, 99991664, 99991668, 99991671]);

/** "request trigger frequency limit" (HTTP 429, or 400 on some old APIs). */
export const RATE_LIMIT_CODE = 99991400;

export class FeishuApiError extends Error {
	readonly code: number;
	readonly msg: string;
	readonly httpStatus?: number;
	readonly logId?: string;
	/** How to fix it, when the code alone does not say (errorHints.ts covers the Open API's codes). */
	readonly hint?: string;

	constructor(code: number, msg: string, opts: { httpStatus?: number; logId?: string; request?: string; hint?: string } = {}) {
		const where = opts.request ? ` (${opts.request})` : '';
		const log = opts.logId ? ` [log_id ${opts.logId}]` : '';
		super(`Feishu error ${code}: ${msg}${where}${log}`);
		this.name = 'FeishuApiError';
		this.code = code;
		this.msg = msg;
		this.httpStatus = opts.httpStatus;
		this.logId = opts.logId;
		this.hint = opts.hint;
	}
}

/** Content rejected before sending: names the offending field instead of Feishu's generic 230001. */
export class FeishuValidationError extends Error {
	readonly field: string;

	constructor(field: string, message: string) {
		super(`${field}: ${message}`);
		this.name = 'FeishuValidationError';
		this.field = field;
	}
}

/**
 * A request that got no usable HTTP answer (refused, reset, deadline, DNS...). Built from the HTTP
 * library's error with only method, URL and the socket code: the library's own error carries the
 * request config (headers with the token, the token fetch's body with the App Secret), so it never
 * leaves the transport.
 */
export class FeishuNetworkError extends Error {
	/** The socket or library code, e.g. ECONNRESET, ECONNREFUSED, ETIMEDOUT. */
	readonly code: string;
	readonly method: string;
	readonly url: string;
	/** What went wrong, without the request (e.g. "no complete answer within 400 ms (ETIMEDOUT)"). */
	readonly detail: string;

	constructor(method: string, url: string, code: string, detail: string) {
		const where = safeUrl(url);
		const what = `${detail}${detail.includes(code) ? '' : ` (${code})`}`;
		super(`Feishu request ${method} ${where} failed: ${what}`);
		this.name = 'FeishuNetworkError';
		this.detail = what;
		this.code = code;
		this.method = method;
		this.url = where;
	}
}

/** A URL fit for messages: no user info, query or fragment (they may carry secrets). */
export function safeUrl(url: string): string {
	try {
		const u = new URL(url);
		return `${u.origin}${u.pathname}`;
	} catch {
		return url.replace(/[?#].*$/s, '').replace(/\/\/[^/@]*@/, '//').slice(0, 200);
	}
}

/** Turns any error of an HTTP layer into a FeishuNetworkError, keeping only its code and message. */
export function toNetworkError(error: unknown, method: string, url: string): FeishuNetworkError {
	if (error instanceof FeishuNetworkError) return error;
	// n8n's request helpers wrap the axios error in a NodeApiError: the socket code is then its
	// httpCode (or on the wrapped error).
	const e = error as { code?: unknown; message?: unknown; httpCode?: unknown; cause?: { code?: unknown }; errorResponse?: { code?: unknown } } | undefined;
	const candidates = [e?.code, e?.cause?.code, e?.errorResponse?.code, e?.httpCode];
	const raw = candidates.find((c): c is string => typeof c === 'string' && /^E[A-Z_]+$/.test(c));
	const code = raw ?? 'ENETWORK';
	const message = typeof e?.message === 'string' && e.message ? e.message : String(error);
	return new FeishuNetworkError(method, url, code, message.slice(0, 300));
}
