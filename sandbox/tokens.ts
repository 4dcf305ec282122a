// tenant_access_token issuing and checking (docs/protocol.md, "tenant_access_token"): 2 h lifetime by default; the same
// token is returned until less than 30 minutes remain, then a new one (the old stays valid).
import { newTenantToken } from './ids';

export interface IssuedToken {
	token: string;
	appId: string;
	expiresAt: number;
}

export class TokenStore {
	private readonly byToken = new Map<string, IssuedToken>();
	private readonly latest = new Map<string, IssuedToken>();

	constructor(private readonly ttlSeconds: number) {}

	issue(appId: string): { token: string; expire: number } {
		const now = Date.now();
		const current = this.latest.get(appId);
		// Refresh window: 30 min of a 2 h token; scaled down for the short lifetimes tests use.
		const refreshMs = Math.min(30 * 60_000, (this.ttlSeconds * 1000) / 4);
		if (current && current.expiresAt - now > refreshMs) {
			return { token: current.token, expire: Math.floor((current.expiresAt - now) / 1000) };
		}
		const issued: IssuedToken = { token: newTenantToken(), appId, expiresAt: now + this.ttlSeconds * 1000 };
		this.byToken.set(issued.token, issued);
		this.latest.set(appId, issued);
		this.sweep(now);
		return { token: issued.token, expire: this.ttlSeconds };
	}

	/** The app a live token belongs to, or undefined when unknown or expired. */
	check(token: string): IssuedToken | undefined {
		const t = this.byToken.get(token);
		if (!t || t.expiresAt <= Date.now()) return undefined;
		return t;
	}

	/** Expires every token of an app at once (tests of the refresh path). */
	expireAll(appId?: string): void {
		for (const t of this.byToken.values()) if (!appId || t.appId === appId) t.expiresAt = 0;
	}

	private sweep(now: number): void {
		for (const [k, t] of this.byToken) if (t.expiresAt <= now) this.byToken.delete(k);
	}
}
