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

	constructor(code: number, msg: string, opts: { httpStatus?: number; logId?: string; request?: string } = {}) {
		const where = opts.request ? ` (${opts.request})` : '';
		const log = opts.logId ? ` [log_id ${opts.logId}]` : '';
		super(`Feishu error ${code}: ${msg}${where}${log}`);
		this.name = 'FeishuApiError';
		this.code = code;
		this.msg = msg;
		this.httpStatus = opts.httpStatus;
		this.logId = opts.logId;
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
