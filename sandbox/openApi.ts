// The Open API as open.feishu.cn serves it: tenant_access_token, and (with a Bearer token) the IM
// message, upload and bot endpoints. Every response carries a fresh x-tt-logid; errors are Feishu's
// `{code, msg}` with Feishu's HTTP status; every call is recorded for /_sandbox/calls.
import { requireScopes } from './appScopes';
import { newLogId } from './ids';
import { JsonBodyError, sendJson, type RouteContext, type Router } from './http';
import type { SandboxLog } from './log';
import { RateLimiter } from './rateLimit';
import type { AppRecord, SandboxState, UserRecord } from './state';
import type { TokenStore } from './tokens';

export interface OpenApiDeps {
	state: SandboxState;
	tokens: TokenStore;
	log: SandboxLog;
	rateLimitPerSecond: number;
	rateLimitPerMinute: number;
}

export class ApiError extends Error {
	constructor(
		readonly httpStatus: number,
		readonly code: number,
		msg: string,
		readonly headers: Record<string, string> = {},
		/** Extra fields for the `error` object (e.g. field_violations). */
		readonly detail: Record<string, unknown> = {},
	) {
		super(msg);
	}
}

export const INVALID_TOKEN_MSG = 'Invalid access token for authorization. Please make a request with token attached.';
export const MISSING_TOKEN_MSG = 'Missing access token for authorization. Please make a request with token attached.';
/** A user_access_token past its lifetime (docs/protocol.md, "Acting as a user"). */
export const USER_TOKEN_EXPIRED_MSG = 'Authentication token expired';

/** Which access tokens a route takes (Feishu's per-endpoint token types); the app's tenant token by default. */
export type AccessTokenType = 'tenant' | 'user';
export interface RouteOptions {
	tokens?: readonly AccessTokenType[];
}

/** Context an authenticated handler gets. */
export interface ApiContext extends RouteContext {
	app: AppRecord;
	/** The kind of token the request carried; with a user token, the signed-in user. */
	tokenType: AccessTokenType;
	user?: UserRecord;
	/** The user token's granted scopes. */
	userScopes?: readonly string[];
	/** What to record as the call's body (multipart handlers set a summary). */
	recordBody?: unknown;
}

export type ApiHandler = (ctx: ApiContext) => Promise<ApiReply> | ApiReply;
export type ApiReply = { data?: unknown; extra?: Record<string, unknown>; msg?: string } | { raw: Buffer; contentType: string; headers?: Record<string, string> };

export class OpenApi {
	constructor(private readonly d: OpenApiDeps) {}

	/** Sends a Feishu response: envelope, x-tt-logid, and the call record. */
	private respond(ctx: RouteContext, app: AppRecord | undefined, logId: string, status: number, body: Record<string, unknown>, headers: Record<string, string>, recordBody: unknown): void {
		this.record(ctx, app, logId, status, Number(body.code ?? 0), recordBody);
		if (status === 200) this.d.log.info(`api ${ctx.req.method} ${ctx.path}${app ? ` (${app.appId})` : ''} -> code ${body.code ?? 0}`);
		sendJson(ctx.res, status, body, { 'x-tt-logid': logId, ...headers });
	}

	private record(ctx: RouteContext, app: AppRecord | undefined, logId: string, status: number, code: number, body: unknown): void {
		const { calls } = this.d.state;
		calls.push({ app_id: app?.appId, method: ctx.req.method ?? '', path: ctx.path, query: Object.fromEntries(ctx.query), body, status, code, log_id: logId, at: Date.now() });
		if (calls.length > 10_000) calls.splice(0, 2000);
	}

	private error(ctx: RouteContext, app: AppRecord | undefined, logId: string, e: ApiError, recordBody: unknown): void {
		if (e.httpStatus !== 200) this.d.state.stats.rejected_requests++;
		this.d.log.warn(`${ctx.req.method} ${ctx.path} -> ${e.httpStatus} code ${e.code}: ${e.message}`);
		this.respond(ctx, app, logId, e.httpStatus, { code: e.code, msg: e.message, error: { ...e.detail, log_id: logId } }, e.headers, recordBody);
	}

	/** Registers an authenticated Open API route. */
	route(router: Router, method: string, path: string, handler: ApiHandler, opts: RouteOptions = {}): void {
		const tokens = opts.tokens ?? ['tenant'];
		router.add(method, path, async (ctx) => {
			const logId = newLogId();
			let app: AppRecord | undefined;
			const actx = ctx as ApiContext;
			try {
				app = this.authenticate(ctx, actx, tokens);
				actx.app = app;
				await this.applyFaults(app);
				requireScopes(this.d.state, app, `http://${ctx.req.headers.host ?? '127.0.0.1'}`, `${method} ${path}`);
				const reply = await handler(actx);
				if ('raw' in reply) {
					this.record(ctx, app, logId, 200, 0, actx.recordBody ?? null);
					ctx.res.writeHead(200, { 'content-type': reply.contentType, 'content-length': reply.raw.length, 'x-tt-logid': logId, ...reply.headers });
					ctx.res.end(reply.raw);
					return;
				}
				this.respond(ctx, app, logId, 200, { code: 0, msg: reply.msg ?? 'success', ...(reply.data !== undefined ? { data: reply.data } : {}), ...reply.extra }, {}, actx.recordBody ?? (await bodyForRecord(ctx)));
			} catch (e) {
				// A refused user token of a known app is recorded under that app (authenticate sets it).
				app ??= actx.app as AppRecord | undefined;
				if (e instanceof JsonBodyError) return this.error(ctx, app, logId, new ApiError(400, 9499, `Bad Request: ${e.message}`), null);
				if (e instanceof ApiError) return this.error(ctx, app, logId, e, actx.recordBody ?? (await bodyForRecord(ctx)));
				throw e;
			}
		});
	}

	/** Registers an unauthenticated route with the same envelope/log-id/recording (token endpoint). */
	publicRoute(router: Router, method: string, path: string, handler: (ctx: RouteContext) => Promise<{ status?: number; body: Record<string, unknown>; app?: AppRecord }>): void {
		router.add(method, path, async (ctx) => {
			const logId = newLogId();
			const { status = 200, body, app } = await handler(ctx);
			const recorded = await bodyForRecord(ctx);
			this.respond(ctx, app, logId, status, body, {}, redactSecret(recorded));
		});
	}

	/**
	 * The app behind the Bearer token. A tenant token where the route takes only user tokens gets the
	 * user token's 99991668, a user token where it takes only tenant tokens the tenant token's 99991663
	 * (what Feishu answers there is not documented; docs/protocol.md, "Acting as a user").
	 */
	private authenticate(ctx: RouteContext, actx: ApiContext, tokens: readonly AccessTokenType[]): AppRecord {
		const header = ctx.req.headers.authorization ?? '';
		const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
		if (!m) throw new ApiError(400, 99991661, MISSING_TOKEN_MSG);
		const issued = this.d.tokens.check(m[1]);
		if (issued) {
			const app = this.d.state.apps.get(issued.appId);
			if (!app) throw new ApiError(400, 99991663, INVALID_TOKEN_MSG);
			if (!tokens.includes('tenant')) throw new ApiError(400, 99991668, INVALID_TOKEN_MSG);
			actx.tokenType = 'tenant';
			return app;
		}
		const userToken = this.d.state.oauth.accessTokens.get(m[1]);
		const app = userToken && this.d.state.apps.get(userToken.appId);
		if (!userToken || !app) throw new ApiError(400, tokens.includes('tenant') ? 99991663 : 99991668, INVALID_TOKEN_MSG);
		actx.app = app;
		if (!tokens.includes('user')) throw new ApiError(400, 99991663, INVALID_TOKEN_MSG);
		if (userToken.revoked) throw new ApiError(400, 99991668, INVALID_TOKEN_MSG);
		if (userToken.expiresAt <= Date.now()) throw new ApiError(400, 99991677, USER_TOKEN_EXPIRED_MSG);
		userToken.uses++;
		actx.tokenType = 'user';
		actx.user = this.d.state.users.get(userToken.openId);
		actx.userScopes = userToken.scope;
		return app;
	}

	private async applyFaults(app: AppRecord): Promise<void> {
		const f = this.d.state.faultsFor(app.appId);
		if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
		if (f.failNextApi && f.failNextApi.count > 0) {
			const { code, httpStatus, msg } = f.failNextApi;
			if (--f.failNextApi.count <= 0) f.failNextApi = undefined;
			throw new ApiError(httpStatus, code, msg ?? 'injected failure (sandbox fault)', code === 99991400 ? { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '1' } : {});
		}
	}

	// ---- rate limit: per app per API, 50/s and 1000/min like im/v1/messages (docs/protocol.md, "Rate limits") ----
	private limiterInstance?: RateLimiter;
	private get limiter(): RateLimiter {
		return (this.limiterInstance ??= new RateLimiter(this.d.rateLimitPerSecond, this.d.rateLimitPerMinute));
	}

	// An API whose page gives its own per-second budget and no per-minute one (Bitable's record batches
	// and search: "50 次/秒", "20 次/秒") gets a limiter of its own: that budget, or the sandbox's
	// rateLimitPerSecond if lower (tests lower it), and no minute window beyond 60 seconds of it.
	private readonly documentedLimiters = new Map<number, RateLimiter>();

	rateLimit(app: AppRecord, api: string, documentedPerSecond?: number): void {
		let limiter = this.limiter;
		if (documentedPerSecond !== undefined) {
			const perSecond = Math.min(this.d.rateLimitPerSecond, documentedPerSecond);
			limiter = this.documentedLimiters.get(perSecond) ?? new RateLimiter(perSecond, perSecond * 60);
			this.documentedLimiters.set(perSecond, limiter);
		}
		const verdict = limiter.hit(`${app.appId}:${api}`);
		if (verdict.ok) return;
		throw new ApiError(429, 99991400, 'request trigger frequency limit', {
			'x-ogw-ratelimit-limit': String(verdict.limit),
			'x-ogw-ratelimit-reset': String(verdict.resetSeconds),
		});
	}
}

async function bodyForRecord(ctx: RouteContext): Promise<unknown> {
	const type = String(ctx.req.headers['content-type'] ?? '');
	if (!type.includes('json')) return null;
	try {
		return await ctx.json();
	} catch {
		return (await ctx.body()).toString('utf8').slice(0, 2000);
	}
}

/** Secrets and one-time values never reach /_sandbox/calls (the token endpoints' bodies carry them). */
const SECRET_FIELDS = ['app_secret', 'client_secret', 'code', 'refresh_token', 'code_verifier', 'client_assertion'];

function redactSecret(body: unknown): unknown {
	if (!body || typeof body !== 'object') return body;
	const present = SECRET_FIELDS.filter((f) => f in body);
	if (present.length === 0) return body;
	return { ...(body as object), ...Object.fromEntries(present.map((f) => [f, '***'])) };
}
