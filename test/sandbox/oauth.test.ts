// The sandbox's OAuth endpoints as Feishu documents them (docs/protocol.md, "Acting as a user"), over
// plain HTTP: the authorization page (302 with code and state, its refusals), the token endpoint
// (both grants, JSON and form bodies, single-use codes and refresh tokens, Feishu's error bodies), and
// the user-token endpoints (which token types each route takes, an expired token's 99991677).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Sandbox } from '../../sandbox/server';
import { APP, control, sandbox } from '../helpers/sandbox';

let sb: Sandbox;
before(async () => {
	sb = await sandbox({ oauthCodeTtlSeconds: 1 });
});
after(() => sb.close());

const REDIRECT = 'http://localhost:5678/rest/oauth2-credential/callback';

async function authorize(params: Record<string, string>): Promise<Response> {
	return fetch(`${sb.baseUrl}/open-apis/authen/v1/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
}

/** The code of a consented authorization (the sandbox's default user unless the consent says otherwise). */
async function codeFor(params: Record<string, string> = {}): Promise<string> {
	const res = await authorize({ client_id: APP.appId, redirect_uri: REDIRECT, response_type: 'code', scope: 'offline_access contact:user:search', state: 's1', ...params });
	assert.equal(res.status, 302);
	const to = new URL(res.headers.get('location')!);
	assert.equal(to.searchParams.get('state'), params.state ?? 's1');
	return to.searchParams.get('code')!;
}

async function token(body: Record<string, string>, opts: { form?: boolean; path?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
	const res = await fetch(`${sb.baseUrl}${opts.path ?? '/open-apis/authen/v2/oauth/token'}`, {
		method: 'POST',
		headers: { 'content-type': opts.form ? 'application/x-www-form-urlencoded' : 'application/json; charset=utf-8', ...opts.headers },
		body: opts.form ? new URLSearchParams(body).toString() : JSON.stringify(body),
	});
	return { status: res.status, body: await res.json() };
}

const client = { client_id: APP.appId, client_secret: APP.appSecret };

async function api(path: string, bearer: string): Promise<{ status: number; body: any }> {
	const res = await fetch(`${sb.baseUrl}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
	return { status: res.status, body: await res.json() };
}

async function tenantToken(): Promise<string> {
	const res = await fetch(`${sb.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }) });
	return ((await res.json()) as { tenant_access_token: string }).tenant_access_token;
}

test('the authorization page redirects with code and state; refuses a missing client, an unknown app and a redirect URL the app did not list', async () => {
	const code = await codeFor();
	assert.match(code, /^[0-9a-f]{32}$/);

	for (const [params, code] of [
		[{ redirect_uri: REDIRECT }, '20001'],
		[{ client_id: 'cli_nobody', redirect_uri: REDIRECT }, '20048'],
		[{ client_id: APP.appId, redirect_uri: 'not a url' }, '20029'],
	] as const) {
		const res = await authorize(params);
		assert.equal(res.status, 400, JSON.stringify(params));
		assert.match(await res.text(), new RegExp(`错误码：${code}`));
	}
	await control(sb, 'PUT', `apps/${APP.appId}/redirect-urls`, { urls: ['https://n8n.example.com/rest/oauth2-credential/callback'] });
	try {
		const res = await authorize({ client_id: APP.appId, redirect_uri: REDIRECT });
		assert.equal(res.status, 400);
		assert.match(await res.text(), /20029/);
		const ok = await authorize({ client_id: APP.appId, redirect_uri: 'https://n8n.example.com/rest/oauth2-credential/callback' });
		assert.equal(ok.status, 302);
	} finally {
		await control(sb, 'PUT', `apps/${APP.appId}/redirect-urls`, { urls: [] });
	}
});

test('a declining user, a bad response_type and a bad PKCE method come back to the redirect URL as OAuth errors', async () => {
	const back = async (params: Record<string, string>) => new URL((await authorize({ client_id: APP.appId, redirect_uri: `${REDIRECT}?keep=1`, state: 'xyz', ...params })).headers.get('location')!);
	let to = await back({ response_type: 'token' });
	assert.equal(to.searchParams.get('error'), 'unsupported_response_type');
	assert.equal(to.searchParams.get('keep'), '1', 'the redirect URL keeps its own query');
	to = await back({ code_challenge: 'abc', code_challenge_method: 'S512' });
	assert.equal(to.searchParams.get('error'), 'invalid_request');
	await control(sb, 'PUT', 'oauth/consent', { deny: true });
	try {
		to = await back({});
		assert.equal(to.searchParams.get('error'), 'access_denied');
		assert.equal(to.searchParams.get('state'), 'xyz');
		assert.equal(to.searchParams.get('code'), null);
	} finally {
		await control(sb, 'PUT', 'oauth/consent', {});
	}
});

test('authorization_code: JSON or form body, client in the body or HTTP Basic; the code is single use and lasts its lifetime', async () => {
	const json = await token({ grant_type: 'authorization_code', code: await codeFor(), redirect_uri: REDIRECT, ...client });
	assert.equal(json.status, 200);
	assert.equal(json.body.code, 0);
	assert.match(json.body.access_token, /^u-/);
	assert.match(json.body.refresh_token, /^ur-/);
	assert.equal(json.body.token_type, 'Bearer');
	assert.ok(json.body.expires_in > 7000 && json.body.expires_in <= 7200);
	assert.ok(json.body.refresh_token_expires_in > 2_500_000);
	assert.deepEqual(json.body.scope.split(' ').sort(), ['contact:user:search', 'offline_access']);

	const code = await codeFor();
	const form = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...client }, { form: true });
	assert.equal(form.status, 200, JSON.stringify(form.body));
	const again = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...client }, { form: true });
	assert.deepEqual([again.status, again.body.code, again.body.error], [400, 20065, 'invalid_grant']);

	const basic = `Basic ${Buffer.from(`${APP.appId}:${APP.appSecret}`).toString('base64')}`;
	const viaBasic = await token({ grant_type: 'authorization_code', code: await codeFor(), redirect_uri: REDIRECT }, { form: true, headers: { authorization: basic } });
	assert.equal(viaBasic.status, 200);
	const both = await token({ grant_type: 'authorization_code', code: await codeFor(), ...client }, { form: true, headers: { authorization: basic } });
	assert.deepEqual([both.status, both.body.code], [400, 20070]);

	const late = await codeFor();
	await new Promise((r) => setTimeout(r, 1100));
	const expired = await token({ grant_type: 'authorization_code', code: late, ...client });
	assert.deepEqual([expired.status, expired.body.code, expired.body.error], [400, 20004, 'invalid_grant']);
});

test('the token endpoint refuses as Feishu does: format, missing fields, client, grant type, code, redirect_uri, scope', async () => {
	const text = await fetch(`${sb.baseUrl}/open-apis/authen/v2/oauth/token`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'grant_type=authorization_code' });
	assert.deepEqual([text.status, ((await text.json()) as { code: number }).code], [400, 20063]);
	const cases: [Record<string, string>, number, number, string][] = [
		[{ code: 'x', ...client }, 400, 20001, 'invalid_request'],
		[{ grant_type: 'authorization_code', code: 'x', client_id: APP.appId }, 400, 20001, 'invalid_request'],
		[{ grant_type: 'authorization_code', code: 'x', client_id: APP.appId, client_secret: 'wrong' }, 401, 20002, 'invalid_client'],
		[{ grant_type: 'authorization_code', code: 'x', client_id: 'cli_nobody', client_secret: 'x' }, 401, 20048, 'invalid_client'],
		[{ grant_type: 'password', ...client }, 400, 20036, 'unsupported_grant_type'],
		[{ grant_type: 'authorization_code', code: 'f'.repeat(32), ...client }, 400, 20003, 'invalid_grant'],
		[{ grant_type: 'authorization_code', ...client }, 400, 20001, 'invalid_request'],
	];
	for (const [body, status, code, error] of cases) {
		const r = await token(body);
		assert.deepEqual([r.status, r.body.code, r.body.error], [status, code, error], JSON.stringify(body));
		assert.equal(typeof r.body.error_description, 'string');
	}
	const mismatch = await token({ grant_type: 'authorization_code', code: await codeFor(), redirect_uri: 'http://localhost:1/other', ...client });
	assert.deepEqual([mismatch.status, mismatch.body.code], [400, 20071]);
	const notGranted = await token({ grant_type: 'authorization_code', code: await codeFor(), scope: 'im:message', ...client });
	assert.deepEqual([notGranted.status, notGranted.body.code, notGranted.body.error], [400, 20068, 'invalid_scope']);
	const duplicated = await token({ grant_type: 'authorization_code', code: await codeFor(), scope: 'offline_access offline_access', ...client });
	assert.equal(duplicated.body.code, 20067);
	const narrowed = await token({ grant_type: 'authorization_code', code: await codeFor(), scope: 'contact:user:search', ...client });
	assert.equal(narrowed.body.scope, 'contact:user:search');
	assert.equal(narrowed.body.refresh_token, undefined, 'no offline_access, no refresh token');
	const calls = (await control(sb, 'GET', 'calls')).calls.filter((c: any) => c.path === '/open-apis/authen/v2/oauth/token' && c.body);
	assert.ok(calls.length > 0);
	for (const c of calls) assert.ok(!JSON.stringify(c.body).includes(APP.appSecret), 'secrets never reach /_sandbox/calls');
});

test('PKCE: S256 and plain challenges are checked; v2 lets a verifier pass without a challenge, v3 does not', async () => {
	const verifier = 'v'.repeat(43);
	const s256 = createHash('sha256').update(verifier).digest('base64url');
	const good = await token({ grant_type: 'authorization_code', code: await codeFor({ code_challenge: s256, code_challenge_method: 'S256' }), code_verifier: verifier, ...client });
	assert.equal(good.status, 200);
	const bad = await token({ grant_type: 'authorization_code', code: await codeFor({ code_challenge: s256, code_challenge_method: 'S256' }), code_verifier: 'w'.repeat(43), ...client });
	assert.deepEqual([bad.status, bad.body.code], [400, 20049]);
	const none = await token({ grant_type: 'authorization_code', code: await codeFor({ code_challenge: verifier }), ...client });
	assert.equal(none.body.code, 20049, 'a challenge needs its verifier');
	const plain = await token({ grant_type: 'authorization_code', code: await codeFor({ code_challenge: verifier }), code_verifier: verifier, ...client });
	assert.equal(plain.status, 200, 'no method: plain');
	const v2 = await token({ grant_type: 'authorization_code', code: await codeFor(), code_verifier: verifier, ...client });
	assert.equal(v2.status, 200);
	const v3 = await token({ grant_type: 'authorization_code', code: await codeFor(), code_verifier: verifier, ...client }, { path: '/oauth/v3/token' });
	assert.deepEqual([v3.status, v3.body.code], [400, 20049]);
});

test('refresh_token: rotated on every use; a used, revoked or expired one is refused; scopes accumulate over authorizations', async () => {
	const first = (await token({ grant_type: 'authorization_code', code: await codeFor(), ...client })).body;
	const next = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token, ...client }, { form: true });
	assert.equal(next.status, 200);
	assert.notEqual(next.body.access_token, first.access_token);
	assert.notEqual(next.body.refresh_token, first.refresh_token);
	const reused = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token, ...client });
	assert.deepEqual([reused.status, reused.body.code, reused.body.error], [400, 20073, 'invalid_grant']);
	const unknown = await token({ grant_type: 'refresh_token', refresh_token: 'ur-nothing', ...client });
	assert.equal(unknown.body.code, 20026);
	assert.equal((await token({ grant_type: 'refresh_token', ...client })).body.code, 20001);

	const user = await control(sb, 'POST', 'users', { name: 'Refresh Tester' });
	await control(sb, 'PUT', 'oauth/consent', { open_id: user.open_id });
	try {
		const mine = (await token({ grant_type: 'authorization_code', code: await codeFor({ scope: 'offline_access' }), ...client })).body;
		assert.equal(mine.scope, 'offline_access');
		const more = (await token({ grant_type: 'authorization_code', code: await codeFor({ scope: 'contact:user:search' }), ...client })).body;
		assert.deepEqual(more.scope.split(' ').sort(), ['contact:user:search', 'offline_access'], 'what the user granted before stays granted');
		const expired = await control(sb, 'POST', 'oauth/expire', { open_id: user.open_id, refresh_tokens: true });
		assert.ok(expired.expired_refresh_tokens >= 2);
		assert.equal((await token({ grant_type: 'refresh_token', refresh_token: more.refresh_token, ...client })).body.code, 20037);
		const fresh = (await token({ grant_type: 'authorization_code', code: await codeFor(), ...client })).body;
		await control(sb, 'POST', 'oauth/revoke', { open_id: user.open_id });
		assert.equal((await token({ grant_type: 'refresh_token', refresh_token: fresh.refresh_token, ...client })).body.code, 20064);
		assert.equal((await api('/open-apis/authen/v1/user_info', fresh.access_token)).body.code, 99991668, 'a revoked user token is invalid');
	} finally {
		await control(sb, 'PUT', 'oauth/consent', {});
	}
});

test('user-token endpoints: user_info and Search Users take only a user token; other routes only a tenant token; expired is 99991677', async () => {
	const { access_token: userToken } = (await token({ grant_type: 'authorization_code', code: await codeFor(), ...client })).body;
	const me = await api('/open-apis/authen/v1/user_info', userToken);
	assert.equal(me.status, 200);
	const info = await control(sb, 'GET', 'info');
	assert.equal(me.body.data.open_id, info.default_user.open_id);
	assert.equal(me.body.data.name, 'Alice');
	assert.equal(me.body.data.email, undefined, 'email only with contact:user.email:readonly');

	const tenant = await tenantToken();
	assert.deepEqual([(await api('/open-apis/authen/v1/user_info', tenant)).status, (await api('/open-apis/authen/v1/user_info', tenant)).body.code], [400, 99991668]);
	assert.equal((await api('/open-apis/search/v1/user?query=a', tenant)).body.code, 99991668);
	const chats = await api('/open-apis/im/v1/chats', userToken);
	assert.deepEqual([chats.status, chats.body.code], [400, 99991663], 'a tenant-only route refuses the user token');
	assert.equal((await api('/open-apis/authen/v1/user_info', 'u-forged')).body.code, 99991668);

	await control(sb, 'POST', 'oauth/expire', { app_id: APP.appId });
	const expired = await api('/open-apis/authen/v1/user_info', userToken);
	assert.deepEqual([expired.status, expired.body.code, expired.body.msg], [400, 99991677, 'Authentication token expired']);
});

test('Search Users: by name, paged (page_size 1..200, opaque page_token), the scope contact:user:search, query required', async () => {
	for (const name of ['Zed One', 'Zed Two', 'Zed Three']) await control(sb, 'POST', 'users', { name });
	const { access_token: userToken } = (await token({ grant_type: 'authorization_code', code: await codeFor(), ...client })).body;
	const first = await api('/open-apis/search/v1/user?query=zed&page_size=2', userToken);
	assert.equal(first.status, 200);
	assert.deepEqual(first.body.data.users.map((u: any) => u.name), ['Zed One', 'Zed Three']);
	assert.equal(first.body.data.has_more, true);
	assert.match(first.body.data.users[0].open_id, /^ou_/);
	assert.ok(first.body.data.users[0].avatar.avatar_72);
	assert.equal(first.body.data.users[0].user_id, undefined, 'user_id only with the user ID scope');
	const second = await api(`/open-apis/search/v1/user?query=zed&page_size=2&page_token=${first.body.data.page_token}`, userToken);
	assert.deepEqual(second.body.data.users.map((u: any) => u.name), ['Zed Two']);
	assert.equal(second.body.data.has_more, false);
	assert.equal(second.body.data.page_token, undefined);

	assert.equal((await api('/open-apis/search/v1/user?query=zed&page_size=201', userToken)).body.code, 99992402);
	assert.equal((await api('/open-apis/search/v1/user?query=zed&page_token=forged', userToken)).body.code, 99992402);
	assert.equal((await api('/open-apis/search/v1/user', userToken)).body.code, 99992402);

	const narrow = (await token({ grant_type: 'authorization_code', code: await codeFor(), scope: 'offline_access', ...client })).body;
	const denied = await api('/open-apis/search/v1/user?query=zed', narrow.access_token);
	assert.deepEqual([denied.status, denied.body.code], [400, 99991679]);
	assert.match(denied.body.msg, /contact:user:search/);
});
