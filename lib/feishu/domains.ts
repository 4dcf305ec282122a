// Feishu (China) and Lark (international) are the same platform on two hosts; "custom" points the
// package at anything else that speaks the protocol (a proxy, or the local sandbox).

export type FeishuDomain = 'feishu' | 'lark' | 'custom';

export const FEISHU_BASE_URL = 'https://open.feishu.cn';
export const LARK_BASE_URL = 'https://open.larksuite.com';

export interface FeishuAppCredentials {
	appId: string;
	appSecret: string;
	baseUrl: string;
}

/**
 * Base URL for a domain choice; a full URL is accepted as the domain too. Trailing '/' stripped.
 * https is required, except for loopback hosts (the local sandbox, a local proxy).
 */
export function resolveBaseUrl(domain: FeishuDomain | string, customBaseUrl?: string): string {
	let url: string;
	if (domain === 'feishu' || domain === '' || domain === undefined) url = FEISHU_BASE_URL;
	else if (domain === 'lark') url = LARK_BASE_URL;
	else if (domain === 'custom') {
		if (!customBaseUrl || !customBaseUrl.trim()) throw new Error('Base URL is required when the domain is "custom"');
		url = customBaseUrl.trim();
	} else url = domain;
	return assertBaseUrl(url);
}

/** localhost, 127.0.0.0/8 or ::1 (the WHATWG parser has already normalised forms like 127.1). */
export function isLoopbackHost(hostname: string): boolean {
	const h = hostname.toLowerCase();
	return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Validates a base URL and returns it normalised (what was checked is what gets used): http(s),
 * plain http only to a loopback host (the token and the App Secret would travel in clear), no user
 * info, query or fragment (paths are appended to it).
 */
export function assertBaseUrl(url: string): string {
	let u: URL;
	try {
		u = new URL(url.trim());
	} catch {
		throw new Error(`Base URL must start with http:// or https:// (got "${url}")`);
	}
	if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`Base URL must start with http:// or https:// (got "${url}")`);
	if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
		throw new Error(`Base URL must use https:// (got "${u.origin}"): plain http:// is allowed only for localhost, 127.x.x.x and [::1]`);
	}
	if (u.username || u.password) throw new Error('Base URL must not contain a user name or password');
	if (u.search || u.hash || url.includes('?') || url.includes('#')) throw new Error('Base URL must not contain a query (?) or fragment (#)');
	return withoutTrailingSlash(`${u.origin}${u.pathname}`);
}

/** The URL without trailing '/': API paths are appended with their own leading '/', and cache keys must not split on it. */
export function withoutTrailingSlash(url: string): string {
	return url.replace(/\/+$/, '');
}

/**
 * The app credentials from the fields of a stored Feishu credential (appId, appSecret, domain,
 * baseUrl): id and secret trimmed, base URL resolved. Throws when the base URL is not valid.
 */
export function appCredentialsFrom(fields: Readonly<Record<string, unknown>>): FeishuAppCredentials {
	return {
		appId: String(fields.appId ?? '').trim(),
		appSecret: String(fields.appSecret ?? '').trim(),
		baseUrl: resolveBaseUrl(String(fields.domain ?? 'feishu'), String(fields.baseUrl ?? '')),
	};
}
