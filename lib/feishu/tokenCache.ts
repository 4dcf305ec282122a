// tenant_access_token cache: one per (baseUrl, appId, secret) per process. Every node and trigger in
// an n8n process shares it (the build bundles lib/feishu once), so sending 1,000 messages costs one
// token fetch. Concurrent callers share one in-flight fetch; a token is refreshed 3 minutes before
// Feishu says it expires, like the official SDKs.
import { createHash } from 'node:crypto';
import axios from 'axios';
import type { FeishuAppCredentials } from './domains';
import { FeishuApiError } from './errors';

export const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const REFRESH_MARGIN_MS = 3 * 60 * 1000;
const FETCH_TIMEOUT_MS = 15_000;

interface CacheEntry {
	token?: string;
	expiresAt: number; // ms epoch after which the token is no longer used
	inflight?: Promise<string>;
}

const cache = new Map<string, CacheEntry>();
let fetches = 0;

function cacheKey(creds: FeishuAppCredentials): string {
	// The secret is part of the key (hashed) so a corrected secret never reuses a stale entry.
	const secret = createHash('sha256').update(creds.appSecret).digest('hex').slice(0, 16);
	return `${creds.baseUrl.replace(/\/+$/, '')}|${creds.appId}|${secret}`;
}

async function fetchToken(creds: FeishuAppCredentials): Promise<{ token: string; expireSeconds: number }> {
	fetches++;
	const url = `${creds.baseUrl.replace(/\/+$/, '')}${TOKEN_PATH}`;
	const res = await axios.post(
		url,
		{ app_id: creds.appId, app_secret: creds.appSecret },
		{
			headers: { 'Content-Type': 'application/json; charset=utf-8' },
			timeout: FETCH_TIMEOUT_MS,
			validateStatus: () => true,
		},
	);
	const body = typeof res.data === 'object' && res.data !== null ? res.data : {};
	const logId = (res.headers['x-tt-logid'] as string | undefined) ?? undefined;
	if (body.code !== 0 || typeof body.tenant_access_token !== 'string') {
		const code = typeof body.code === 'number' ? body.code : -1;
		const msg = typeof body.msg === 'string' ? body.msg : `HTTP ${res.status} from the token endpoint`;
		throw new FeishuApiError(code, msg, { httpStatus: res.status, logId, request: 'tenant_access_token' });
	}
	const expire = Number(body.expire);
	return { token: body.tenant_access_token, expireSeconds: Number.isFinite(expire) && expire > 0 ? expire : 7200 };
}

/** The cached tenant token for these credentials, fetching it when missing or about to expire. */
export function getTenantAccessToken(creds: FeishuAppCredentials): Promise<string> {
	const key = cacheKey(creds);
	let entry = cache.get(key);
	if (entry?.token && Date.now() < entry.expiresAt) return Promise.resolve(entry.token);
	if (entry?.inflight) return entry.inflight;
	if (!entry) {
		entry = { expiresAt: 0 };
		cache.set(key, entry);
	}
	const target = entry;
	const inflight = fetchToken(creds)
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
