// Which of the scopes a set of features needs the app lacks (docs/protocol.md, "Scopes"): Feishu's
// `GET /open-apis/application/v6/scopes` lists the scopes the app asked for with whether the tenant
// granted them (1) or not yet (2); a scope the app never asked for is not listed at all.
import type { FeishuApiClient } from './apiClient';
import { withoutTrailingSlash } from './domains';

export const APP_SCOPES_PATH = '/open-apis/application/v6/scopes';

export interface AppScope {
	scope_name: string;
	/** 1 granted, 2 asked for but not granted (a version not yet published, or awaiting the admin). */
	grant_status: number;
}

/** A feature (an operation, an event) and the scopes that let it work, any one being enough. */
export interface ScopeRequirement {
	feature: string;
	scopes: readonly string[];
}

/** The features whose scopes are all missing, with which of those are asked for but not granted. */
export interface ScopeGap {
	feature: string;
	scopes: readonly string[];
	/** Of `scopes`, those the app asked for that the tenant has not granted yet. */
	pending: string[];
}

export async function listAppScopes(client: FeishuApiClient): Promise<AppScope[]> {
	const data = await client.request<{ scopes?: AppScope[] }>({ method: 'GET', path: APP_SCOPES_PATH });
	return Array.isArray(data?.scopes) ? data.scopes : [];
}

/** The requirements none of whose scopes is granted. */
export function scopeGaps(appScopes: readonly AppScope[], requirements: readonly ScopeRequirement[]): ScopeGap[] {
	const granted = new Set(appScopes.filter((s) => s.grant_status === 1).map((s) => s.scope_name));
	const pending = new Set(appScopes.filter((s) => s.grant_status !== 1).map((s) => s.scope_name));
	return requirements
		.filter((r) => r.scopes.length > 0 && !r.scopes.some((s) => granted.has(s)))
		.map((r) => ({ feature: r.feature, scopes: r.scopes, pending: r.scopes.filter((s) => pending.has(s)) }));
}

/**
 * The developer console's page that grants `scopes` to the app, the link Feishu's own 99991672
 * message carries (the console is on the Open API's host: open.feishu.cn, open.larksuite.com).
 */
export function scopeGrantUrl(baseUrl: string, appId: string, scopes: readonly string[]): string {
	return `${withoutTrailingSlash(baseUrl)}/app/${encodeURIComponent(appId)}/auth?q=${scopes.map((s) => encodeURIComponent(s).replace(/%3A/gi, ':')).join(',')}&op_from=openapi&token_type=tenant`;
}

/** Gaps grouped by the scopes that would close them: "Send Message, Reply: im:message or im:message:send_as_bot". */
export function describeScopeGaps(gaps: readonly ScopeGap[]): string[] {
	const byScopes = new Map<string, { scopes: readonly string[]; features: string[]; pending: string[] }>();
	for (const gap of gaps) {
		const key = [...gap.scopes].sort().join(' ');
		const entry = byScopes.get(key) ?? { scopes: gap.scopes, features: [], pending: gap.pending };
		entry.features.push(gap.feature);
		byScopes.set(key, entry);
	}
	return [...byScopes.values()].map(
		(e) => `${e.features.join(', ')}: ${e.scopes.join(' or ')}${e.pending.length ? ` (${e.pending.join(', ')} asked for, not granted yet)` : ''}`,
	);
}
