// The Feishu OAuth2 credential in real n8n, as a user connects it in the editor: the credential is
// created through n8n's REST API; n8n's authorization URL (GET /rest/oauth2-credential/auth) points at
// the sandbox's authorization page with client_id, redirect_uri = n8n's callback, scope and state; the
// sandbox's 302 (the user consented) is followed to n8n's callback with the owner's session cookies;
// n8n exchanges the code and stores the tokens. Then a workflow runs Contact > Search Users as that
// user (the user token reached the sandbox); the sandbox expires the token; the next run has n8n
// refresh it (Feishu answers HTTP 400 with 99991677, which n8n's own refresh-on-401 would not catch)
// and succeeds; a third run uses the stored, refreshed token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { selectedVersions } from '../../scripts/n8n/install';
import { nodeOutput, OWNER } from '../../scripts/n8n/boot';
import { APP, control, eachTestStartsHealthy, type Rig, startRig } from './harness';

/** A browser's cookies for n8n: the session (n8n-auth) and, on 2.x, the OAuth flow's binding cookie. */
class CookieJar {
	private readonly cookies = new Map<string, string>();

	take(res: Response): void {
		for (const line of res.headers.getSetCookie?.() ?? []) {
			const [pair] = line.split(';');
			const i = pair.indexOf('=');
			if (i > 0) this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
		}
	}

	header(): string {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}
}

interface SandboxTokens {
	access_tokens: { token: string; grant: string; uses: number; expired: boolean; scope: string }[];
	refresh_tokens: { token: string; used: boolean }[];
}

for (const version of selectedVersions()) {
	describe(`n8n ${version}: the Feishu OAuth2 credential`, { timeout: 600_000 }, () => {
		let rig: Rig;
		eachTestStartsHealthy(() => rig?.n8n);
		before(async () => {
			rig = await startRig(version);
		});
		after(async () => {
			await rig?.close();
		});

		test('the authorization redirect, n8n\'s callback, a user-token call (Search Users), a refresh after expiry', async (t) => {
			const { n8n, sandbox } = rig;
			// Through the editor's REST API, as the credential modal saves it (n8n 1.x's public API refuses
			// credentials that extend oAuth2Api: its schema requires fields that only other grant types show).
			const credential = await n8n.rest<{ id: string; name: string }>('POST', '/rest/credentials', {
				name: 'Feishu sandbox user',
				type: 'feishuOAuth2Api',
				data: { clientId: APP.appId, clientSecret: APP.appSecret, domain: 'custom', baseUrl: sandbox.baseUrl, scopes: 'contact:user:search' },
			});

			// The editor's "Connect my account": signed in as the owner, ask n8n for the authorization URL.
			const jar = new CookieJar();
			const login = await fetch(`${n8n.baseUrl}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, email: OWNER.email, password: OWNER.password }),
			});
			assert.equal(login.status, 200, await login.clone().text());
			jar.take(login);
			const authRes = await fetch(`${n8n.baseUrl}/rest/oauth2-credential/auth?id=${credential.id}`, { headers: { cookie: jar.header() } });
			assert.equal(authRes.status, 200, await authRes.clone().text());
			jar.take(authRes);
			const authUrl = new URL(((await authRes.json()) as { data: string }).data);
			assert.equal(`${authUrl.origin}${authUrl.pathname}`, `${sandbox.baseUrl}/open-apis/authen/v1/authorize`, 'the sandbox\'s authorization page');
			assert.equal(authUrl.searchParams.get('client_id'), APP.appId);
			assert.equal(authUrl.searchParams.get('response_type'), 'code');
			const redirectUri = new URL(authUrl.searchParams.get('redirect_uri') ?? '');
			assert.equal(redirectUri.pathname, '/rest/oauth2-credential/callback', 'n8n\'s callback');
			assert.equal(redirectUri.port, String(n8n.port));
			assert.deepEqual(authUrl.searchParams.get('scope')?.split(' ').sort(), ['contact:user:search', 'offline_access'], 'space-separated, offline_access added');
			assert.ok(authUrl.searchParams.get('state'), 'a state');

			// The user consents (the sandbox's default user): 302 to n8n's callback with code and state.
			const consent = await fetch(authUrl, { redirect: 'manual' });
			assert.equal(consent.status, 302);
			const callback = new URL(consent.headers.get('location')!);
			assert.equal(`${callback.origin}${callback.pathname}`, `${redirectUri.origin}${redirectUri.pathname}`);
			assert.equal(callback.searchParams.get('state'), authUrl.searchParams.get('state'));
			const done = await fetch(callback, { headers: { cookie: jar.header() }, redirect: 'manual' });
			const page = await done.text();
			assert.equal(done.status, 200, page.slice(0, 500));
			assert.doesNotMatch(page, /error/i, page.slice(0, 500));

			const stored = await n8n.rest<{ data?: { oauthTokenData?: unknown } }>('GET', `/rest/credentials/${credential.id}?includeData=true`);
			assert.ok(stored.data?.oauthTokenData, 'n8n holds the tokens');
			let tokens = await control<SandboxTokens>(rig, 'GET', `oauth/tokens?app_id=${APP.appId}`);
			assert.equal(tokens.access_tokens.length, 1);
			assert.equal(tokens.access_tokens[0].grant, 'authorization_code');
			assert.equal(tokens.refresh_tokens.length, 1);
			const first = tokens.access_tokens[0];

			await control(rig, 'POST', 'users', { name: 'E2E Searched Person' });
			const wf = await n8n.createWorkflow({
				name: 'Search Users as the user',
				nodes: [
					{ parameters: {}, id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
					{
						parameters: { authentication: 'oAuth2', resource: 'contact', operation: 'searchUsers', query: 'E2E Searched', returnAll: true },
						id: randomUUID(),
						name: 'Search Users',
						type: 'n8n-nodes-feishu-bot.feishu',
						typeVersion: 2,
						position: [220, 0],
						credentials: { feishuOAuth2Api: { id: credential.id, name: credential.name } },
					},
				],
				connections: { Start: { main: [[{ node: 'Search Users', type: 'main', index: 0 }]] } },
				settings: { executionOrder: 'v1' },
			});
			const runOnce = async (runs: number) => {
				const run = await n8n.cli(['execute', `--id=${wf.id}`]);
				if (run.code !== 0) t.diagnostic(`n8n execute exited ${run.code}; stderr: ${run.stderr.slice(-500)}`);
				const executions = await n8n.waitForExecutions(wf.id, runs, { includeData: true, timeoutMs: 20_000 });
				const latest = executions.sort((a, b) => Number(b.id) - Number(a.id))[0];
				assert.equal(latest.status, 'success', JSON.stringify(latest.data?.resultData?.error ?? {}).slice(0, 2000));
				const out = nodeOutput(latest, 'Search Users');
				assert.deepEqual(out.map((u: { name: string }) => u.name), ['E2E Searched Person']);
			};
			const searches = async () => (await control<{ calls: { path: string; status: number; code: number }[] }>(rig, 'GET', `calls?app_id=${APP.appId}`)).calls.filter((c) => c.path === '/open-apis/search/v1/user');

			await runOnce(1);
			tokens = await control<SandboxTokens>(rig, 'GET', `oauth/tokens?app_id=${APP.appId}`);
			assert.equal(tokens.access_tokens.find((a) => a.token === first.token)?.uses, 1, 'the user token reached the sandbox');
			assert.deepEqual((await searches()).map((c) => [c.status, c.code]), [[200, 0]]);

			// The token expires: the next run meets 99991677, n8n refreshes, the call goes through.
			await control(rig, 'POST', 'oauth/expire', { app_id: APP.appId });
			await runOnce(2);
			tokens = await control<SandboxTokens>(rig, 'GET', `oauth/tokens?app_id=${APP.appId}`);
			assert.equal(tokens.access_tokens.length, 2, 'one new access token');
			const refreshed = tokens.access_tokens.find((a) => a.token !== first.token)!;
			assert.equal(refreshed.grant, 'refresh_token');
			assert.equal(refreshed.uses, 1);
			assert.equal(tokens.refresh_tokens.filter((r) => r.used).length, 1, 'the first refresh token was spent (rotation)');
			assert.deepEqual((await searches()).map((c) => [c.status, c.code]), [[200, 0], [400, 99991677], [200, 0]]);

			// n8n stored the refreshed tokens: a third run uses them without refreshing again.
			await runOnce(3);
			tokens = await control<SandboxTokens>(rig, 'GET', `oauth/tokens?app_id=${APP.appId}`);
			assert.equal(tokens.access_tokens.length, 2, 'no further refresh');
			assert.equal(tokens.access_tokens.find((a) => a.token === refreshed.token)?.uses, 2);
		});
	});
}
