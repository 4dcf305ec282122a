// Acting as a user, as Feishu documents it (docs/protocol.md, "Acting as a user"): the authorization
// page (GET /open-apis/authen/v1/authorize, answered as if the user consented: 302 to redirect_uri with
// code and state), the OAuth token endpoint (POST /open-apis/authen/v2/oauth/token, and its v3 twin at
// /oauth/v3/token that the official SDK calls): authorization_code and refresh_token grants, codes
// single-use for 5 minutes, refresh tokens single-use and rotated, errors as {code, error,
// error_description} with the RFC 6749 status; and the user-token endpoints: user_info and Search
// Users. The control routes under /_sandbox/oauth/ pick who consents (or make them decline), set an
// app's redirect URLs, and expire or revoke users' tokens.
import { createHash, timingSafeEqual } from 'node:crypto';
import { bad } from './controlContext';
import { JsonBodyError, sendJson, type RouteContext, type Router } from './http';
import { newLogId } from './ids';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import { fieldViolation, pageOf } from './paging';
import { TENANT_KEY, type AppRecord, type SandboxState, type UserRecord } from './state';
import type { OAuthCodeRecord } from './oauthModel';

export const AUTHORIZE_PATH = '/open-apis/authen/v1/authorize';
export const TOKEN_PATH_V2 = '/open-apis/authen/v2/oauth/token';
/** Where the official SDK (1.74.0, `client.accessToken`) exchanges codes: the accounts host's /oauth/v3/token. */
export const TOKEN_PATH_V3 = '/oauth/v3/token';
export const USER_INFO_PATH = '/open-apis/authen/v1/user_info';
export const USER_SEARCH_PATH = '/open-apis/search/v1/user';

export const SEARCH_SCOPE = 'contact:user:search';
/** Search Users: page_size 1..200, 20 by default. */
const SEARCH_PAGE = { defaultSize: 20, maxSize: 200 };

/** The token endpoint's refusals: [HTTP status, code, OAuth error, description] (docs/protocol.md, "Acting as a user"). */
export const TOKEN_ERRORS = {
	missingParam: [400, 20001, 'invalid_request', 'the request is missing a required parameter'],
	badClient: [401, 20002, 'invalid_client', 'client authentication failed: client_id or client_secret is wrong'],
	badCode: [400, 20003, 'invalid_grant', 'the authorization code is invalid'],
	codeExpired: [400, 20004, 'invalid_grant', 'the authorization code has expired'],
	wrongClient: [400, 20024, 'invalid_grant', 'the authorization code or refresh_token was issued to another client_id'],
	badRefresh: [400, 20026, 'invalid_grant', 'the refresh_token is invalid'],
	grantType: [400, 20036, 'unsupported_grant_type', 'the grant_type is not supported'],
	refreshExpired: [400, 20037, 'invalid_grant', 'the refresh_token has expired'],
	noApp: [401, 20048, 'invalid_client', 'the app specified does not exist'],
	pkce: [400, 20049, 'invalid_grant', 'PKCE code challenge failed'],
	format: [400, 20063, 'invalid_request', 'the request format is wrong: send application/json or application/x-www-form-urlencoded'],
	refreshRevoked: [400, 20064, 'invalid_grant', 'the refresh_token has been revoked'],
	codeUsed: [400, 20065, 'invalid_grant', 'the authorization code has already been used'],
	scopeDuplicated: [400, 20067, 'invalid_scope', 'the scope list contains duplicated items'],
	scopeNotGranted: [400, 20068, 'invalid_scope', 'the scope list contains scopes the user has not granted'],
	twoAuthMethods: [400, 20070, 'invalid_request', 'the request provides more than one client authentication method'],
	redirectMismatch: [400, 20071, 'invalid_grant', 'redirect_uri does not match the one of the authorization request'],
	refreshUsed: [400, 20073, 'invalid_grant', 'the refresh_token has already been used'],
} as const satisfies Record<string, readonly [number, number, string, string]>;

type TokenError = keyof typeof TOKEN_ERRORS;
type TokenAnswer = { status: number; body: Record<string, unknown>; app?: AppRecord };

function refuse(which: TokenError, detail?: string, app?: AppRecord): TokenAnswer {
	const [status, code, error, description] = TOKEN_ERRORS[which];
	return { status, app, body: { code, error, error_description: detail ? `${description}: ${detail}` : description } };
}

/** The authorization page's refusals, shown to the user (no redirect: the redirect_uri is not trusted yet). */
const PAGE_ERRORS = {
	missingParam: [20001, 'client_id and redirect_uri are required'],
	noApp: [20048, 'the app specified does not exist'],
	redirectUri: [20029, 'redirect_uri 请求不合法 (the redirect URL is not one of the app\'s "Security Settings > Redirect URLs")'],
} as const;

function errorPage(ctx: RouteContext, which: keyof typeof PAGE_ERRORS): void {
	const [code, msg] = PAGE_ERRORS[which];
	const logId = newLogId();
	const html = `<!doctype html><meta charset="utf-8"><title>Authorization failed</title><h1>Authorization failed</h1><p>错误码：${code}</p><p>${msg}</p><p>Logid: ${logId}</p>`;
	ctx.res.writeHead(400, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'x-tt-logid': logId });
	ctx.res.end(html);
}

function redirect(ctx: RouteContext, to: URL): void {
	ctx.res.writeHead(302, { location: to.toString(), 'content-length': 0, 'x-tt-logid': newLogId() });
	ctx.res.end();
}

const splitScopes = (s: unknown): string[] => String(s ?? '').split(' ').map((x) => x.trim()).filter(Boolean);

function challengeOf(verifier: string, method: 'S256' | 'plain'): string {
	return method === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
}

function sameString(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

/** The token request's fields: a JSON or a form body (RFC 6749 says form; Feishu's example is JSON). */
async function tokenFields(ctx: RouteContext): Promise<Record<string, string> | undefined> {
	const type = String(ctx.req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	try {
		if (type === 'application/json') {
			const body = (await ctx.json()) as Record<string, unknown>;
			return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string' || typeof v === 'number').map(([k, v]) => [k, String(v)]));
		}
		if (type === 'application/x-www-form-urlencoded') {
			const form = new URLSearchParams((await ctx.body()).toString('utf8'));
			return Object.fromEntries([...form.keys()].map((k) => [k, form.get(k) ?? '']));
		}
	} catch (e) {
		if (e instanceof JsonBodyError) return undefined;
		throw e;
	}
	return undefined;
}

/** HTTP Basic client credentials (RFC 6749 §2.3.1), when sent. */
function basicClient(ctx: RouteContext): { id: string; secret: string } | undefined {
	const m = /^Basic\s+(\S+)\s*$/i.exec(ctx.req.headers.authorization ?? '');
	if (!m) return undefined;
	const decoded = Buffer.from(m[1], 'base64').toString('utf8');
	const i = decoded.indexOf(':');
	if (i < 0) return undefined;
	const dec = (s: string) => {
		try {
			return decodeURIComponent(s.replace(/\+/g, ' '));
		} catch {
			return s;
		}
	};
	return { id: dec(decoded.slice(0, i)), secret: dec(decoded.slice(i + 1)) };
}

function avatar(u: UserRecord) {
	const base = `https://sandbox.invalid/user/${u.openId}`;
	return { avatar_72: `${base}~72x72.png`, avatar_240: `${base}~240x240.png`, avatar_640: `${base}~640x640.png`, avatar_origin: `${base}.png` };
}

export function registerOAuthApi(router: Router, api: OpenApi, state: SandboxState): void {
	const { oauth } = state;

	router.add('GET', AUTHORIZE_PATH, (ctx) => {
		const q = ctx.query;
		const clientId = q.get('client_id') ?? '';
		const redirectUri = q.get('redirect_uri') ?? '';
		if (!clientId || !redirectUri) return errorPage(ctx, 'missingParam');
		const app = state.apps.get(clientId);
		if (!app) return errorPage(ctx, 'noApp');
		let target: URL;
		try {
			target = new URL(redirectUri);
		} catch {
			return errorPage(ctx, 'redirectUri');
		}
		const allowed = oauth.redirectUrls.get(app.appId) ?? [];
		if (!/^https?:$/.test(target.protocol) || (allowed.length > 0 && !allowed.includes(redirectUri))) return errorPage(ctx, 'redirectUri');

		// From here on the redirect_uri is trusted: errors go back to it (RFC 6749 §4.1.2.1).
		const state_ = q.get('state');
		const back = (params: Record<string, string>) => {
			for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
			if (state_ !== null) target.searchParams.set('state', state_);
			redirect(ctx, target);
		};
		const responseType = q.get('response_type');
		if (responseType !== null && responseType !== 'code') return back({ error: 'unsupported_response_type', error_description: 'response_type must be code' });
		const challenge = q.get('code_challenge') ?? undefined;
		const method = q.get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
		if (method !== undefined && method !== 'S256' && method !== 'plain') return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256 or plain' });
		const consent = oauth.consentFor(app.appId);
		if (consent.deny) return back({ error: 'access_denied', error_description: 'the user declined the authorization' });
		const user = consent.openId ? state.users.get(consent.openId) : state.defaultUser();
		if (!user || user.resigned) return back({ error: 'access_denied', error_description: 'the user may not use the app' });
		const scope = oauth.grant(app.appId, user.openId, splitScopes(q.get('scope')));
		const code = oauth.issueCode({ appId: app.appId, openId: user.openId, redirectUri, scope, codeChallenge: challenge, codeChallengeMethod: challenge ? (method as 'S256' | 'plain') : undefined });
		back({ code: code.code });
	});

	const tokenEndpoint = async (ctx: RouteContext, version: 'v2' | 'v3'): Promise<TokenAnswer> => {
		const f = await tokenFields(ctx);
		if (!f) return refuse('format');
		const basic = basicClient(ctx);
		if (basic && f.client_secret !== undefined) return refuse('twoAuthMethods');
		const clientId = basic?.id ?? f.client_id;
		const clientSecret = basic?.secret ?? f.client_secret;
		if (!f.grant_type) return refuse('missingParam', 'grant_type');
		if (!clientId || !clientSecret) return refuse('missingParam', 'client_id and client_secret');
		const app = state.apps.get(clientId);
		if (!app) return refuse('noApp');
		if (!sameString(clientSecret, app.appSecret)) return refuse('badClient', undefined, app);
		if (f.grant_type === 'authorization_code') return codeGrant(app, f, version);
		if (f.grant_type === 'refresh_token') return refreshGrant(app, f);
		return refuse('grantType', f.grant_type, app);
	};

	/** The scope a token request narrows to (must be among the granted ones), or the granted ones. */
	const narrowed = (granted: string[], asked: string | undefined, app: AppRecord): string[] | TokenAnswer => {
		if (asked === undefined || asked.trim() === '') return granted;
		const list = splitScopes(asked);
		if (new Set(list).size !== list.length) return refuse('scopeDuplicated', undefined, app);
		const missing = list.filter((s) => !granted.includes(s));
		if (missing.length) return refuse('scopeNotGranted', missing.join(' '), app);
		return list;
	};

	const tokensAnswer = (app: AppRecord, openId: string, scope: string[], grant: 'authorization_code' | 'refresh_token'): TokenAnswer => {
		const { access, refresh } = oauth.issueTokens(app.appId, openId, scope, grant);
		const now = Date.now();
		return {
			status: 200,
			app,
			body: {
				code: 0,
				access_token: access.token,
				expires_in: Math.round((access.expiresAt - now) / 1000),
				...(refresh ? { refresh_token: refresh.token, refresh_token_expires_in: Math.round((refresh.expiresAt - now) / 1000) } : {}),
				token_type: 'Bearer',
				scope: scope.join(' '),
			},
		};
	};

	const codeGrant = (app: AppRecord, f: Record<string, string>, version: 'v2' | 'v3'): TokenAnswer => {
		if (!f.code) return refuse('missingParam', 'code', app);
		const rec: OAuthCodeRecord | undefined = oauth.codes.get(f.code);
		if (!rec) return refuse('badCode', undefined, app);
		if (rec.appId !== app.appId) return refuse('wrongClient', undefined, app);
		if (rec.used) return refuse('codeUsed', undefined, app);
		if (rec.expiresAt <= Date.now()) return refuse('codeExpired', undefined, app);
		if (f.redirect_uri !== undefined && f.redirect_uri !== rec.redirectUri) return refuse('redirectMismatch', undefined, app);
		if (rec.codeChallenge) {
			if (!f.code_verifier || !sameString(challengeOf(f.code_verifier, rec.codeChallengeMethod ?? 'plain'), rec.codeChallenge)) return refuse('pkce', undefined, app);
		} else if (f.code_verifier && version === 'v3') {
			// v3 applies PKCE's rule that v2 did not: a verifier for a code asked for without a challenge.
			return refuse('pkce', 'the authorization request had no code_challenge', app);
		}
		const scope = narrowed(rec.scope, f.scope, app);
		if (!Array.isArray(scope)) return scope;
		rec.used = true;
		return tokensAnswer(app, rec.openId, scope, 'authorization_code');
	};

	const refreshGrant = (app: AppRecord, f: Record<string, string>): TokenAnswer => {
		if (!f.refresh_token) return refuse('missingParam', 'refresh_token', app);
		const rec = oauth.refreshTokens.get(f.refresh_token);
		if (!rec) return refuse('badRefresh', undefined, app);
		if (rec.appId !== app.appId) return refuse('wrongClient', undefined, app);
		if (rec.revoked) return refuse('refreshRevoked', undefined, app);
		if (rec.used) return refuse('refreshUsed', undefined, app);
		if (rec.expiresAt <= Date.now()) return refuse('refreshExpired', undefined, app);
		const scope = narrowed(rec.scope, f.scope, app);
		if (!Array.isArray(scope)) return scope;
		// Single use: the refresh token goes as soon as it is spent, its successor comes with the answer.
		rec.used = true;
		return tokensAnswer(app, rec.openId, scope, 'refresh_token');
	};

	api.publicRoute(router, 'POST', TOKEN_PATH_V2, (ctx) => tokenEndpoint(ctx, 'v2'));
	api.publicRoute(router, 'POST', TOKEN_PATH_V3, (ctx) => tokenEndpoint(ctx, 'v3'));

	api.route(
		router,
		'GET',
		USER_INFO_PATH,
		(ctx) => {
			const u = signedIn(ctx);
			const has = (scope: string) => ctx.userScopes?.includes(scope) === true;
			const pic = avatar(u);
			return {
				data: {
					name: u.name,
					en_name: u.name,
					avatar_url: pic.avatar_240,
					avatar_thumb: pic.avatar_72,
					avatar_middle: pic.avatar_240,
					avatar_big: pic.avatar_640,
					open_id: u.openId,
					union_id: u.unionId,
					...(has('contact:user.email:readonly') ? { email: u.email } : {}),
					...(has('contact:user.employee_id:readonly') ? { user_id: u.userId } : {}),
					...(u.mobile && has('contact:user.phone:readonly') ? { mobile: u.mobile } : {}),
					tenant_key: TENANT_KEY,
				},
			};
		},
		{ tokens: ['user'] },
	);

	api.route(
		router,
		'GET',
		USER_SEARCH_PATH,
		(ctx) => {
			signedIn(ctx);
			if (!ctx.userScopes?.includes(SEARCH_SCOPE)) {
				throw new ApiError(
					400,
					99991679,
					`Unauthorized. You do not have permission to perform the requested operation on the resource. Please request user re-authorization and try again. required one of these privileges under the user identity: [${SEARCH_SCOPE}]`,
				);
			}
			const query = (ctx.query.get('query') ?? '').trim();
			if (!query) throw fieldViolation('query', 'query is required');
			const needle = query.toLowerCase();
			const found = [...state.users.values()]
				.filter((u) => !u.resigned && u.name.toLowerCase().includes(needle))
				.sort((a, b) => a.name.localeCompare(b.name) || a.openId.localeCompare(b.openId));
			const page = pageOf(found, ctx.query, SEARCH_PAGE);
			const withUserId = ctx.userScopes.includes('contact:user.employee_id:readonly');
			return {
				data: {
					has_more: page.has_more,
					...(page.page_token ? { page_token: page.page_token } : {}),
					users: page.items.map((u) => ({
						avatar: avatar(u),
						department_ids: u.departmentIds?.length ? u.departmentIds : ['0'],
						name: u.name,
						open_id: u.openId,
						...(withUserId ? { user_id: u.userId } : {}),
					})),
				},
			};
		},
		{ tokens: ['user'] },
	);

	registerOAuthControl(router, state);
}

function signedIn(ctx: ApiContext): UserRecord {
	if (!ctx.user) throw new ApiError(400, 99991668, 'Invalid access token for authorization. Please make a request with token attached.');
	return ctx.user;
}

/** The control routes (/_sandbox/oauth/…, /_sandbox/apps/:app_id/redirect-urls). */
function registerOAuthControl(router: Router, state: SandboxState): void {
	const { oauth } = state;
	const appOrAll = (id: unknown): string | undefined => (typeof id === 'string' && id ? id : undefined);

	// Who signs in on the authorization page, or that they decline: {app_id?, open_id?, deny?}; {} restores the default user.
	router.add('PUT', '/_sandbox/oauth/consent', async (ctx) => {
		const b = await ctx.json();
		const appId = appOrAll(b.app_id);
		if (appId && !state.apps.has(appId)) return bad(ctx, `unknown app_id ${appId}`, 404);
		if (b.open_id !== undefined && (typeof b.open_id !== 'string' || !state.users.has(b.open_id))) return bad(ctx, `unknown open_id ${String(b.open_id)} (add the user with POST /_sandbox/users)`, 404);
		const setting = { ...(b.open_id ? { openId: b.open_id as string } : {}), ...(b.deny === true ? { deny: true } : {}) };
		oauth.consent.set(appId ?? '*', setting);
		sendJson(ctx.res, 200, { app_id: appId ?? '*', open_id: setting.openId ?? state.defaultUser().openId, deny: setting.deny === true });
	});

	// The app's redirect URLs ("Security Settings"): {urls: [...]}; [] accepts any.
	router.add('PUT', '/_sandbox/apps/:app_id/redirect-urls', async (ctx) => {
		const app = state.apps.get(ctx.params.app_id);
		if (!app) return bad(ctx, `unknown app_id ${ctx.params.app_id}`, 404);
		const b = await ctx.json();
		if (!Array.isArray(b.urls) || !b.urls.every((u: unknown) => typeof u === 'string')) return bad(ctx, 'urls must be an array of URLs');
		oauth.redirectUrls.set(app.appId, b.urls);
		sendJson(ctx.res, 200, { app_id: app.appId, urls: b.urls });
	});

	// Expire users' access tokens now (and, with refresh_tokens, their refresh tokens): {app_id?, open_id?, refresh_tokens?}.
	router.add('POST', '/_sandbox/oauth/expire', async (ctx) => {
		const b = await ctx.json();
		const now = Date.now();
		const tokens = oauth.matching(oauth.accessTokens, appOrAll(b.app_id), appOrAll(b.open_id)).filter((t) => t.expiresAt > now);
		for (const t of tokens) t.expiresAt = now - 1;
		const refresh = b.refresh_tokens === true ? oauth.matching(oauth.refreshTokens, appOrAll(b.app_id), appOrAll(b.open_id)).filter((t) => t.expiresAt > now && !t.used) : [];
		for (const t of refresh) t.expiresAt = now - 1;
		sendJson(ctx.res, 200, { expired_access_tokens: tokens.length, expired_refresh_tokens: refresh.length });
	});

	// The user takes the app's authorization back: every token of theirs stops working. {app_id?, open_id?}.
	router.add('POST', '/_sandbox/oauth/revoke', async (ctx) => {
		const b = await ctx.json();
		const access = oauth.matching(oauth.accessTokens, appOrAll(b.app_id), appOrAll(b.open_id));
		const refresh = oauth.matching(oauth.refreshTokens, appOrAll(b.app_id), appOrAll(b.open_id));
		for (const t of [...access, ...refresh]) t.revoked = true;
		sendJson(ctx.res, 200, { revoked_access_tokens: access.length, revoked_refresh_tokens: refresh.length });
	});

	// Tokens issued, newest last: ?app_id=&open_id=.
	router.add('GET', '/_sandbox/oauth/tokens', (ctx) => {
		const appId = ctx.query.get('app_id') || undefined;
		const openId = ctx.query.get('open_id') || undefined;
		const now = Date.now();
		sendJson(ctx.res, 200, {
			access_tokens: oauth.matching(oauth.accessTokens, appId, openId).map((t) => ({
				token: t.token,
				app_id: t.appId,
				open_id: t.openId,
				scope: t.scope.join(' '),
				grant: t.grant,
				issued_at: t.issuedAt,
				expires_at: t.expiresAt,
				expired: t.expiresAt <= now,
				revoked: t.revoked,
				uses: t.uses,
			})),
			refresh_tokens: oauth.matching(oauth.refreshTokens, appId, openId).map((t) => ({
				token: t.token,
				app_id: t.appId,
				open_id: t.openId,
				issued_at: t.issuedAt,
				expires_at: t.expiresAt,
				used: t.used,
				revoked: t.revoked,
			})),
		});
	});
}
