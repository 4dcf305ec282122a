// What the sandbox remembers of users' authorizations (docs/protocol.md, "Acting as a user"): codes
// (5 minutes, single use), user access tokens (2 h by default), refresh tokens (single use, rotated on
// every refresh, ~30 days), the scopes each user granted each app (they accumulate), and what the
// control API set: who consents (or that the next user declines) and an app's redirect URLs.
import { randomBytes } from 'node:crypto';

export const CODE_TTL_MS = 5 * 60_000;

export interface OAuthCodeRecord {
	code: string;
	appId: string;
	openId: string;
	/** As the authorization request had it ('' when it had none). */
	redirectUri: string;
	/** Granted scopes (accumulated over the user's authorizations of the app). */
	scope: string[];
	codeChallenge?: string;
	codeChallengeMethod?: 'S256' | 'plain';
	expiresAt: number;
	used: boolean;
}

export interface UserTokenRecord {
	token: string;
	appId: string;
	openId: string;
	scope: string[];
	expiresAt: number;
	/** Revoked with the grant (the user took the authorization back). */
	revoked: boolean;
	/** How it came: a code or a refresh. */
	grant: 'authorization_code' | 'refresh_token';
	/** Requests made with it. */
	uses: number;
	issuedAt: number;
}

export interface RefreshTokenRecord {
	token: string;
	appId: string;
	openId: string;
	scope: string[];
	expiresAt: number;
	used: boolean;
	revoked: boolean;
	issuedAt: number;
}

/** Who the authorization page signs in, and whether they agree (PUT /_sandbox/oauth/consent). */
export interface ConsentSetting {
	openId?: string;
	/** The next authorizations are declined (redirect with error=access_denied). */
	deny?: boolean;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export class OAuthStore {
	readonly codes = new Map<string, OAuthCodeRecord>();
	readonly accessTokens = new Map<string, UserTokenRecord>();
	readonly refreshTokens = new Map<string, RefreshTokenRecord>();
	/** `${appId}:${openId}` -> every scope the user ever granted the app. */
	readonly grants = new Map<string, Set<string>>();
	/** Per app; '*' for every app. */
	readonly consent = new Map<string, ConsentSetting>();
	/** Per app: the redirect URLs of "Security Settings"; none set: any URL is taken. */
	readonly redirectUrls = new Map<string, string[]>();
	accessTtlSeconds = 7200;
	refreshTtlSeconds = 30 * 24 * 3600;
	codeTtlMs = CODE_TTL_MS;

	configure(opts: { accessTtlSeconds?: number; refreshTtlSeconds?: number; codeTtlSeconds?: number }): void {
		if (opts.accessTtlSeconds !== undefined) this.accessTtlSeconds = opts.accessTtlSeconds;
		if (opts.refreshTtlSeconds !== undefined) this.refreshTtlSeconds = opts.refreshTtlSeconds;
		if (opts.codeTtlSeconds !== undefined) this.codeTtlMs = opts.codeTtlSeconds * 1000;
	}

	consentFor(appId: string): ConsentSetting {
		return this.consent.get(appId) ?? this.consent.get('*') ?? {};
	}

	/** Adds the scopes to what the user granted the app; returns everything granted so far. */
	grant(appId: string, openId: string, scopes: readonly string[]): string[] {
		const key = `${appId}:${openId}`;
		const set = this.grants.get(key) ?? new Set<string>();
		for (const s of scopes) set.add(s);
		this.grants.set(key, set);
		return [...set];
	}

	issueCode(p: Omit<OAuthCodeRecord, 'code' | 'expiresAt' | 'used'>): OAuthCodeRecord {
		const rec: OAuthCodeRecord = { ...p, code: hex(16), expiresAt: Date.now() + this.codeTtlMs, used: false };
		this.codes.set(rec.code, rec);
		return rec;
	}

	/** A new access token, and a refresh token when offline_access was granted. */
	issueTokens(appId: string, openId: string, scope: string[], grant: UserTokenRecord['grant']): { access: UserTokenRecord; refresh?: RefreshTokenRecord } {
		const now = Date.now();
		this.sweep(now);
		const access: UserTokenRecord = { token: `u-${hex(20)}`, appId, openId, scope, expiresAt: now + this.accessTtlSeconds * 1000, revoked: false, grant, uses: 0, issuedAt: now };
		this.accessTokens.set(access.token, access);
		if (!scope.includes('offline_access')) return { access };
		const refresh: RefreshTokenRecord = { token: `ur-${hex(20)}`, appId, openId, scope, expiresAt: now + this.refreshTtlSeconds * 1000, used: false, revoked: false, issuedAt: now };
		this.refreshTokens.set(refresh.token, refresh);
		return { access, refresh };
	}

	/** Tokens of an app (and user) that are still live: for expiring, revoking and the control API's listing. */
	matching<T extends { appId: string; openId: string }>(map: Map<string, T>, appId?: string, openId?: string): T[] {
		return [...map.values()].filter((t) => (!appId || t.appId === appId) && (!openId || t.openId === openId));
	}

	clear(): void {
		this.codes.clear();
		this.accessTokens.clear();
		this.refreshTokens.clear();
		this.grants.clear();
		this.consent.clear();
		this.redirectUrls.clear();
	}

	/** Drops what can no longer be used, a day after it stopped (tests look at recent ones). */
	private sweep(now: number): void {
		const day = 24 * 3600_000;
		for (const [k, c] of this.codes) if (c.expiresAt + day < now) this.codes.delete(k);
		for (const [k, t] of this.accessTokens) if (t.expiresAt + day < now) this.accessTokens.delete(k);
		for (const [k, t] of this.refreshTokens) if (t.expiresAt + day < now) this.refreshTokens.delete(k);
	}
}
