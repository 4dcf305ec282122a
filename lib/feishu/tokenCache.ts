// tenant_access_token cache: one per (baseUrl, appId, secret) per process. Every node and trigger in
// an n8n process shares it (the build bundles lib/feishu once), so sending 1,000 messages costs one
// token fetch. Concurrent callers share one in-flight fetch; a token is refreshed 3 minutes before
// Feishu says it expires, like the official SDKs.
import { secretFingerprint } from './crypto';
import { assertBaseUrl, type FeishuAppCredentials, withoutTrailingSlash } from './domains';
import { errorHint } from './errorHints';
import { FeishuApiError } from './errors';
import { assertNotRedirect, defaultTransport, type HttpTransport } from './httpTransport';
import { headerValue, isObject } from './values';

export const TENANT_ACCESS_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const REFRESH_MARGIN_MS = 3 * 60 * 1000;
/** Total deadline of one token fetch. */
export const TOKEN_FETCH_TIMEOUT_MS = 15_000;

interface CacheEntry {
	token?: string;
	expiresAt: number; // ms epoch after which the token is no longer used
	inflight?: Promise<string>;
}

const cache = new Map<string, CacheEntry>();
let fetches = 0;

function cacheKey(creds: FeishuAppCredentials): string {
	// The secret is part of the key (hashed) so a corrected secret never reuses a stale entry.
	return `${withoutTrailingSlash(creds.baseUrl)}|${creds.appId}|${secretFingerprint(creds.appSecret)}`;
}

// Every transport has a total deadline, follows no redirect (the body is the App Secret) and throws
// errors without the request config.
async function fetchToken(creds: FeishuAppCredentials, timeoutMs: number, transport: HttpTransport): Promise<{ token: string; expireSeconds: number }> {
	// Checked here too, for callers that skip resolveBaseUrl: the secret never goes out over plain http.
	const url = `${assertBaseUrl(creds.baseUrl)}${TENANT_ACCESS_PATH}`;
	fetches++;
	const res = await transport.send({
		method: 'POST',
		url,
		headers: { 'Content-Type': 'application/json; charset=utf-8' },
		body: { app_id: creds.appId, app_secret: creds.appSecret },
		timeoutMs,
	});
	assertNotRedirect(res, 'tenant_access_token');
	let body: Record<string, unknown> = {};
	try {
		const parsed: unknown = JSON.parse(res.body.toString('utf8'));
		// An array is not the envelope either; it fails below like any body without a code.
		if (isObject(parsed)) body = parsed;
	} catch {
		/* not JSON: reported below with the HTTP status */
	}
	const logId = headerValue(res.headers, 'x-tt-logid');
	if (body.code !== 0 || typeof body.tenant_access_token !== 'string') {
		const code = typeof body.code === 'number' ? body.code : -1;
		const msg = typeof body.msg === 'string' ? body.msg : `HTTP ${res.status} from the token endpoint`;
		throw new FeishuApiError(code, msg, { httpStatus: res.status, logId, request: 'tenant_access_token' });
	}
	const expire = Number(body.expire);
	return { token: body.tenant_access_token, expireSeconds: Number.isFinite(expire) && expire > 0 ? expire : 7200 };
}

export interface TokenFetchOptions {
	timeoutMs?: number;
	/** How a fetch goes out: the API client passes its own (n8n's request helpers in a node). */
	transport?: HttpTransport;
}

/** The cached tenant token for these credentials, fetching it when missing or about to expire. */
export function getTenantAccessToken(creds: FeishuAppCredentials, opts: TokenFetchOptions = {}): Promise<string> {
	const key = cacheKey(creds);
	let entry = cache.get(key);
	if (entry?.token && Date.now() < entry.expiresAt) return Promise.resolve(entry.token);
	if (entry?.inflight) return entry.inflight;
	if (!entry) {
		entry = { expiresAt: 0 };
		cache.set(key, entry);
	}
	const target = entry;
	const inflight = fetchToken(creds, opts.timeoutMs ?? TOKEN_FETCH_TIMEOUT_MS, opts.transport ?? defaultTransport())
		.then(({ token, expireSeconds }) => {
			const lifetimeMs = expireSeconds * 1000;
			// Short-lived tokens (tests) keep half their life instead of going stale at once.
			target.token = token;
			target.expiresAt = Date.now() + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
			return token;
		})
		.finally(() => {
			target.inflight = undefined;
		});
	target.inflight = inflight;
	return inflight;
}

/**
 * Drops the cached token after Feishu called it invalid. With `token`, only that token is dropped, so
 * many requests failing with the same stale token cause one refresh, not one each.
 */
export function invalidateTenantAccessToken(creds: FeishuAppCredentials, token?: string): void {
	const entry = cache.get(cacheKey(creds));
	if (!entry || entry.inflight) return;
	if (token !== undefined && entry.token !== token) return;
	entry.token = undefined;
	entry.expiresAt = 0;
}

/** How many token fetches this process made (tests and diagnostics). */
export function tokenFetchCount(): number {
	return fetches;
}

/** Forgets every cached token (tests). */
export function clearTokenCache(): void {
	cache.clear();
}

/**
 * What a failed tenant token fetch says to a person setting up the credential: which of the two ids
 * is wrong, with Feishu's own message and the fix (n8n's credential test shows it as is).
 */
export function tokenErrorMessage(error: unknown): string {
	const e = error as { code?: number; msg?: string; message?: string };
	if (e.msg === undefined) return `Could not get a tenant access token: ${e.message ?? String(error)}`;
	const what = e.code === 10003 ? 'Invalid App ID' : e.code === 10014 ? 'Invalid App Secret' : 'Feishu refused the app credentials';
	const hint = e.code === undefined ? undefined : errorHint(e.code);
	return `${what}: Feishu says "${e.msg}" (code ${e.code})${hint ? `. ${hint}` : ''}`;
}
