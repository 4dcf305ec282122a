// The wire layer acting as a user, against the sandbox: the OAuth endpoints per domain, scopes as
// Feishu takes them, and FeishuApiClient with `identity: 'user'`: no tenant token fetched, the caller's
// transport signs; an expired user token (99991677) is refreshed through the hook and the call made once
// more, never twice; a tenant client does not treat 99991677 as its own token's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTransport, FeishuApiClient, FeishuApiError, normalizeScopes, oauthEndpoints, searchUsers, type HttpTransport } from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { APP, control, credsFor, sandbox, tokenFetches } from '../../helpers/sandbox';

let sb: Sandbox;
before(async () => {
	sb = await sandbox();
});
after(() => sb.close());

test('OAuth endpoints: the accounts host for the page, the Open API host for tokens; a custom base URL serves both', () => {
	assert.deepEqual(oauthEndpoints('feishu'), {
		authorizeUrl: 'https://accounts.feishu.cn/open-apis/authen/v1/authorize',
		tokenUrl: 'https://open.feishu.cn/open-apis/authen/v2/oauth/token',
		apiBaseUrl: 'https://open.feishu.cn',
	});
	assert.equal(oauthEndpoints('lark').authorizeUrl, 'https://accounts.larksuite.com/open-apis/authen/v1/authorize');
	assert.equal(oauthEndpoints('lark').tokenUrl, 'https://open.larksuite.com/open-apis/authen/v2/oauth/token');
	assert.equal(oauthEndpoints('custom', 'http://127.0.0.1:9800/').authorizeUrl, 'http://127.0.0.1:9800/open-apis/authen/v1/authorize');
	assert.throws(() => oauthEndpoints('custom', 'http://example.com'), /https/);
	assert.equal(normalizeScopes('contact:user:search,  im:chat:readonly contact:user:search'), 'contact:user:search im:chat:readonly offline_access');
	assert.equal(normalizeScopes(['offline_access', 'a'], { offlineAccess: false }), 'offline_access a');
});

async function userTokens(): Promise<{ access_token: string; refresh_token: string }> {
	const consent = await fetch(`${sb.baseUrl}/open-apis/authen/v1/authorize?${new URLSearchParams({ client_id: APP.appId, redirect_uri: 'http://localhost/cb', scope: 'offline_access contact:user:search' })}`, { redirect: 'manual' });
	const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
	const res = await fetch(`${sb.baseUrl}/open-apis/authen/v2/oauth/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ grant_type: 'authorization_code', code, client_id: APP.appId, client_secret: APP.appSecret }),
	});
	return (await res.json()) as { access_token: string; refresh_token: string };
}

/** What n8n's httpRequestWithAuthentication does for an OAuth2 credential: the stored Bearer token on each request. */
function signing(holder: { token: string }): HttpTransport {
	const inner = defaultTransport();
	return { send: (req) => inner.send({ ...req, headers: { ...req.headers, Authorization: `Bearer ${holder.token}` } }) };
}

test('identity user: the transport\'s token, no tenant token; 99991677 refreshes once through the hook and the call goes through', async () => {
	await control(sb, 'POST', 'users', { name: 'Wire Person' });
	const first = await userTokens();
	const holder = { token: first.access_token, refresh: first.refresh_token };
	let refreshes = 0;
	const client = new FeishuApiClient(credsFor(sb), {
		identity: 'user',
		transport: signing(holder),
		refreshUserToken: async () => {
			refreshes++;
			const res = await fetch(`${sb.baseUrl}/open-apis/authen/v2/oauth/token`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: holder.refresh, client_id: APP.appId, client_secret: APP.appSecret }),
			});
			const t = (await res.json()) as { access_token: string; refresh_token: string };
			holder.token = t.access_token;
			holder.refresh = t.refresh_token;
		},
	});
	assert.equal(client.identity, 'user');
	const fetchesBefore = await tokenFetches(sb);
	assert.deepEqual((await searchUsers(client, { query: 'Wire' })).map((u) => u.name), ['Wire Person']);
	assert.equal(await tokenFetches(sb), fetchesBefore, 'no tenant token fetched');

	await control(sb, 'POST', 'oauth/expire', { app_id: APP.appId });
	assert.deepEqual((await searchUsers(client, { query: 'Wire' })).map((u) => u.name), ['Wire Person']);
	assert.equal(refreshes, 1);
	assert.notEqual(holder.token, first.access_token);
});

test('a refresh that does not help: one retry, then Feishu\'s 99991677 with what to do; a tenant client does not retry 99991677', async () => {
	const { access_token } = await userTokens();
	await control(sb, 'POST', 'oauth/expire', { app_id: APP.appId });
	let refreshes = 0;
	const client = new FeishuApiClient(credsFor(sb), { identity: 'user', transport: signing({ token: access_token }), refreshUserToken: async () => void refreshes++ });
	await assert.rejects(searchUsers(client, { query: 'x' }), (e: unknown) => {
		assert.ok(e instanceof FeishuApiError);
		assert.equal(e.code, 99991677);
		assert.equal(e.httpStatus, 400);
		assert.match(String(e.hint), /connect the Feishu OAuth2 credential again/);
		return true;
	});
	assert.equal(refreshes, 1, 'refreshed once, not in a loop');

	const noHook = new FeishuApiClient(credsFor(sb), { identity: 'user', transport: signing({ token: access_token }) });
	await assert.rejects(searchUsers(noHook, { query: 'x' }), (e: unknown) => e instanceof FeishuApiError && e.code === 99991677);

	const tenant = new FeishuApiClient(credsFor(sb));
	await assert.rejects(searchUsers(tenant, { query: 'x' }), (e: unknown) => e instanceof FeishuApiError && e.code === 99991668, 'Search Users refuses the tenant token');
});
