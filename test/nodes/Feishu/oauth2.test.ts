// Acting as a user through the Feishu node against the sandbox: the Feishu OAuth2 credential (its
// URLs and scope per domain, as n8n evaluates the hidden fields), the Authentication parameter and the
// credentials it shows (as n8n's editor picks the node's auth field), Contact > Search Users with a
// user token (Return All / Limit over Feishu's paging), the refresh when Feishu answers 99991677, a
// refresh token Feishu refuses, and the operations that take only one identity's token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData, INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import { FeishuOAuth2Api } from '../../../credentials/FeishuOAuth2Api.credentials';
import { ENDPOINT_TOKEN_TYPES, oauthEndpoints, operationTokenTypes } from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { resources } from '../../../nodes/Feishu/actions/router';
import { resolveParameters, runNode, type OAuth2Credential } from '../../helpers/executeContext';
import { APP, apiCalls, control, sandbox } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

const node = new Feishu();
const oauth2Type = new FeishuOAuth2Api();
let sb: Sandbox;
let searchers: { open_id: string; name: string }[];

before(async () => {
	sb = await sandbox();
	searchers = [];
	// 230 people called "Tester …": more than one page of Feishu's largest (200).
	for (let i = 0; i < 230; i++) searchers.push(await control(sb, 'POST', 'users', { name: `Tester ${String(i).padStart(3, '0')}` }));
	await control(sb, 'POST', 'users', { name: 'Someone Else' });
});
after(() => sb.close());

/** A credential field's value as n8n computes it: a `={{ … }}` default evaluated with $self. */
function credentialValue(name: string, self: IDataObject): unknown {
	const property = oauth2Type.properties.find((p) => p.name === name)!;
	const value = String(property.default);
	if (!value.startsWith('=')) return value;
	const expression = /^=\{\{([\s\S]*)\}\}$/.exec(value)![1];
	return new Function('$self', `return (${expression});`)(self);
}

/** The stored credential once n8n ran the flow: fields with the hidden ones filled in, as n8n applies defaults. */
function credentialData(fields: IDataObject): OAuth2Credential['data'] {
	const self: IDataObject = { clientId: APP.appId, clientSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, scopes: 'offline_access contact:user:search', ...fields };
	return {
		...self,
		grantType: credentialValue('grantType', self),
		authUrl: credentialValue('authUrl', self),
		accessTokenUrl: credentialValue('accessTokenUrl', self),
		scope: credentialValue('scope', self),
		authentication: credentialValue('authentication', self),
	} as OAuth2Credential['data'];
}

const N8N_CALLBACK = 'http://localhost:5678/rest/oauth2-credential/callback';

/**
 * What n8n does on "Connect my account" (oauth2-credential.controller, @n8n/client-oauth2): the
 * authorization URL with client_id, redirect_uri, response_type, scope and state; the sandbox's 302
 * to the callback; the code exchanged with a form body, client id and secret in it
 * (`authentication: 'body'`); the token answer stored as oauthTokenData.
 */
async function connect(data: OAuth2Credential['data']): Promise<OAuth2Credential> {
	const authorize = new URL(String(data.authUrl));
	for (const [k, v] of Object.entries({ client_id: data.clientId, redirect_uri: N8N_CALLBACK, response_type: 'code', state: 'n8n-state', scope: data.scope })) authorize.searchParams.set(k, String(v));
	const consent = await fetch(authorize, { redirect: 'manual' });
	assert.equal(consent.status, 302);
	const callback = new URL(consent.headers.get('location')!);
	assert.equal(`${callback.origin}${callback.pathname}`, N8N_CALLBACK);
	assert.equal(callback.searchParams.get('state'), 'n8n-state');
	const body = new URLSearchParams({ code: callback.searchParams.get('code')!, grant_type: 'authorization_code', redirect_uri: N8N_CALLBACK, client_id: String(data.clientId), client_secret: String(data.clientSecret) });
	const res = await fetch(String(data.accessTokenUrl), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body });
	assert.equal(res.status, 200);
	return { name: 'feishuOAuth2Api', data: { ...data, oauthTokenData: (await res.json()) as IDataObject } };
}

const asUser = (oauth2: OAuth2Credential, parameters: IDataObject, items?: INodeExecutionData[]) =>
	runNode({ node, parameters: { authentication: 'oAuth2', ...parameters }, items, oauth2, typeVersion: 2 });

const asBot = (parameters: IDataObject) =>
	runNode({ node, parameters, credentialType: new FeishuApi(), credentials: { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl } as never, typeVersion: 2 });

const search = (query: string, more: IDataObject = {}) => ({ resource: 'contact', operation: 'searchUsers', query, ...more });

test('the credential: extends oAuth2Api; authorization and token URLs per domain (as lib/feishu oauthEndpoints); offline_access always asked for', () => {
	assert.equal(oauth2Type.name, 'feishuOAuth2Api');
	assert.deepEqual(oauth2Type.extends, ['oAuth2Api']);
	assert.equal(oauth2Type.displayName, 'Feishu OAuth2 API');
	const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { n8n: { credentials: string[] } };
	assert.ok(pkg.n8n.credentials.includes('dist/credentials/FeishuOAuth2Api.credentials.js'));

	for (const [domain, baseUrl] of [['feishu', ''], ['lark', ''], ['custom', 'http://127.0.0.1:9800/']] as const) {
		const lib = oauthEndpoints(domain, baseUrl);
		assert.equal(credentialValue('authUrl', { domain, baseUrl }), lib.authorizeUrl, domain);
		assert.equal(credentialValue('accessTokenUrl', { domain, baseUrl }), lib.tokenUrl, domain);
	}
	assert.equal(credentialValue('authUrl', { domain: 'feishu' }), 'https://accounts.feishu.cn/open-apis/authen/v1/authorize');
	assert.equal(credentialValue('accessTokenUrl', { domain: 'lark' }), 'https://open.larksuite.com/open-apis/authen/v2/oauth/token');
	assert.equal(credentialValue('scope', { scopes: 'contact:user:search, im:chat:readonly  contact:user:search' }), 'contact:user:search im:chat:readonly offline_access');
	assert.equal(credentialValue('scope', { scopes: '' }), 'offline_access');
	const visible = oauth2Type.properties.find((p) => p.name === 'scopes')!;
	assert.match(String(visible.default), /offline_access/);
	assert.match(String(visible.default), /contact:user:search/);
	assert.match(String(visible.description), /contact:user:search/);
	assert.equal(oauth2Type.properties.find((p) => p.name === 'scope')!.type, 'hidden', 'n8n uses the hidden default (it drops a stored scope of credentials not listed as editable)');
	assert.equal(credentialValue('authentication', {}), 'body', 'client id and secret in the body');
	assert.equal(credentialValue('grantType', {}), 'authorizationCode');
});

/** n8n's editor (getMainAuthField, getNodeAuthFields, isAuthRelatedParameter in editor-ui's nodeTypesUtils). */
function editorAuthFields(description: INodeTypeDescription) {
	const showKeys = new Set((description.credentials ?? []).flatMap((c) => Object.keys(c.displayOptions?.show ?? {})));
	const authFields = description.properties.filter((p) => showKeys.has(p.name));
	const main =
		authFields.find((p) => p.name === 'authentication' && !p.options?.some((o) => 'value' in o && o.value === 'none')) ??
		authFields.find((p) => p.options?.length && p.options.every((o) => 'value' in o && (description.credentials ?? []).some((c) => c.displayOptions?.show?.[p.name]?.includes(o.value as string))));
	const hidden = (p: INodeProperties) => p.name === main?.name || authFields.some((f) => f.displayOptions?.show && p.name in f.displayOptions.show);
	return { main, hidden };
}

test('the node: Authentication (bot by default) picks the credential; n8n\'s editor takes it as the auth field and keeps Resource in the list; Custom Bot unchanged', () => {
	const { description } = node;
	const auth = description.properties.find((p) => p.name === 'authentication')!;
	assert.equal(auth.default, 'appCredential');
	assert.deepEqual(auth.options!.map((o) => o.name), ['Bot (App Credential)', 'User (OAuth2)']);
	const { main, hidden } = editorAuthFields(description);
	assert.equal(main?.name, 'authentication');
	assert.equal(hidden(description.properties.find((p) => p.name === 'resource')!), false, 'the Resource picker stays visible');

	const shown = (parameters: IDataObject) => {
		const n = { id: 'n', name: 'Feishu', type: 'n8n-nodes-feishu-bot.feishu', typeVersion: 2, position: [0, 0] as [number, number], parameters: parameters as never };
		const values = resolveParameters(n, description);
		return (description.credentials ?? []).filter((c) => {
			const show = c.displayOptions?.show ?? {};
			const hide = c.displayOptions?.hide ?? {};
			return Object.entries(show).every(([k, v]) => v!.includes(values[k] as never)) && !Object.entries(hide).some(([k, v]) => v!.includes(values[k] as never));
		}).map((c) => c.name);
	};
	assert.deepEqual(shown({ resource: 'message', operation: 'send' }), ['feishuApi'], 'saved workflows (no Authentication) keep the app credential');
	assert.deepEqual(shown({ authentication: 'oAuth2', resource: 'contact', operation: 'searchUsers' }), ['feishuOAuth2Api']);
	assert.deepEqual(shown({ authentication: 'oAuth2', resource: 'customBot', operation: 'sendMessage' }), ['feishuCustomBotApi']);
	assert.deepEqual(shown({ resource: 'customBot', operation: 'sendMessage' }), ['feishuCustomBotApi']);
});

test('Contact > Search Users as the user: Limit asks for no more than it needs; Return All follows page_token over Feishu\'s 200 a page', async () => {
	const cred = await connect(credentialData({}));
	const limited = await asUser(cred, search('tester', { returnAll: false, limit: 5 }));
	assert.ifError(limited.error);
	assert.deepEqual(limited.output![0].map((i) => i.json.name), ['Tester 000', 'Tester 001', 'Tester 002', 'Tester 003', 'Tester 004']);
	const [call] = (await apiCalls(sb)).filter((c) => c.path === '/open-apis/search/v1/user').slice(-1);
	assert.deepEqual([call.query.query, call.query.page_size, call.status], ['tester', '5', 200]);
	const sent = limited.requests.find((q) => String(q.url).endsWith('/open-apis/search/v1/user'));
	assert.equal((sent?.headers as IDataObject).Authorization, `Bearer ${cred.data.oauthTokenData!.access_token}`, 'the user\'s token, added by n8n');

	const before = (await apiCalls(sb)).length;
	const all = await asUser(cred, search('Tester', { returnAll: true }));
	assert.ifError(all.error);
	assert.deepEqual(all.output![0].map((i) => i.json.open_id), searchers.map((s) => s.open_id), 'all 230, in order, none twice');
	const pages = (await apiCalls(sb)).slice(before).filter((c) => c.path === '/open-apis/search/v1/user');
	assert.deepEqual(pages.map((p) => p.query.page_size), ['200', '200']);
	assert.ok(pages[1].query.page_token);
	const tokens = await control(sb, 'GET', `oauth/tokens?app_id=${APP.appId}`);
	assert.ok(tokens.access_tokens.find((t: any) => t.token === cred.data.oauthTokenData!.access_token).uses >= 3);
	assert.equal(cred.refreshes ?? 0, 0);

	const none = await asUser(cred, search('  '));
	assert.match(String(none.error?.message), /query: is required/);
});

test('an expired user token: Feishu answers HTTP 400 with 99991677; the node has n8n refresh it (stored again, rotated) and the call goes through', async () => {
	const cred = await connect(credentialData({}));
	const { access_token: oldAccess, refresh_token: oldRefresh } = cred.data.oauthTokenData as { access_token: string; refresh_token: string };
	await control(sb, 'POST', 'oauth/expire', { app_id: APP.appId });
	const r = await asUser(cred, search('Someone', { returnAll: true }));
	assert.ifError(r.error);
	assert.deepEqual(r.output![0].map((i) => i.json.name), ['Someone Else']);
	assert.equal(cred.refreshes, 1);
	const stored = cred.data.oauthTokenData as { access_token: string; refresh_token: string; expires_in: number };
	assert.notEqual(stored.access_token, oldAccess);
	assert.notEqual(stored.refresh_token, oldRefresh, 'Feishu rotates the refresh token; the new one is stored');
	const calls = (await apiCalls(sb)).filter((c) => c.path === '/open-apis/search/v1/user').slice(-2);
	assert.deepEqual(calls.map((c) => [c.status, c.code]), [[400, 99991677], [200, 0]]);
	const tokens = await control(sb, 'GET', `oauth/tokens?app_id=${APP.appId}`);
	assert.equal(tokens.refresh_tokens.find((t: any) => t.token === oldRefresh).used, true);
	assert.equal(tokens.access_tokens.find((t: any) => t.token === stored.access_token).grant, 'refresh_token');

	// Later runs use the stored token: no second refresh.
	const again = await asUser(cred, search('Someone'));
	assert.ifError(again.error);
	assert.equal(cred.refreshes, 1);
});

test('a refresh Feishu refuses (the user revoked the app) fails with Feishu\'s code and says to connect the credential again', async () => {
	const cred = await connect(credentialData({}));
	await control(sb, 'POST', 'oauth/revoke', { app_id: APP.appId });
	const r = await asUser(cred, search('Someone'));
	assert.ok(r.error instanceof NodeApiError, String(r.error));
	assert.match(r.error.message, /^Feishu error 20064: /);
	assert.match(String(r.error.description), /Connect my account/);
	assert.equal(cred.refreshes ?? 0, 0, 'nothing stored');
	const calls = (await apiCalls(sb)).filter((c) => c.path === '/open-apis/search/v1/user').slice(-1);
	assert.deepEqual([calls[0].status, calls[0].code], [400, 99991668], 'one refused call, then no retry after the failed refresh');
});

test('identity checks before any call: Search Users with the bot says it needs a user; bot-only operations say they cannot act as a user', async () => {
	const bot = await asBot(search('Tester'));
	assert.ok(bot.error instanceof NodeOperationError);
	assert.match(bot.error.message, /^Contact > Search Users needs a signed-in user/);
	assert.match(String(bot.error.description), /User \(OAuth2\)/);
	assert.equal(bot.requests.length, 0, 'no request: not even the tenant token');

	const cred = await connect(credentialData({}));
	const urgent = await asUser(cred, { resource: 'message', operation: 'urgent', messageId: 'om_x', urgentType: 'app', userIds: 'ou_x' });
	assert.ok(urgent.error instanceof NodeOperationError);
	assert.match(urgent.error.message, /cannot act as a user/);
	assert.match(String(urgent.error.description), /Bot \(App Credential\)/);
	assert.equal(urgent.requests.length, 0);

	const notConnected = await asUser({ name: 'feishuOAuth2Api', data: credentialData({}) }, search('Tester'));
	assert.match(String(notConnected.error?.message), /not connected to a user yet/);
});

test('the endpoint token types agree with Feishu\'s lark-mcp data (sandbox/schemas) for every endpoint both know; every user-token operation is listed', () => {
	const schemas = ['im_v1', 'contact_v3', 'bitable_v1'].map((f) => JSON.parse(readFileSync(path.join(__dirname, `../../../sandbox/schemas/${f}.json`), 'utf8')) as { endpoints: Record<string, { method: string; path: string; accessTokens: string[] }> });
	const shape = (p: string) => p.replace(/:\w+/g, ':x');
	let compared = 0;
	for (const [endpoint, types] of Object.entries(ENDPOINT_TOKEN_TYPES)) {
		const [method, path] = endpoint.split(' ');
		for (const expanded of path.includes('{') ? ['app', 'sms', 'phone'].map((k) => path.replace(/\{[^}]+\}/, k)) : [path]) {
			const known = schemas.flatMap((s) => Object.values(s.endpoints)).find((e) => e.method.toUpperCase() === method && shape(e.path) === shape(expanded));
			if (!known) continue;
			compared++;
			assert.deepEqual([...types].sort(), [...known.accessTokens].sort(), endpoint);
		}
	}
	assert.ok(compared >= 30, `compared ${compared}`);
	const operations = Object.values(resources).flatMap((r) => Object.values(r.operations));
	assert.ok(operations.some((o) => o.endpoint === 'GET /open-apis/search/v1/user' && ENDPOINT_TOKEN_TYPES[o.endpoint].join() === 'user'));
});

test('every operation that calls the Open API with a token has its token types known, each call of a multi-call operation included', () => {
	// Not checked by design: any endpoint (Feishu answers for itself), the card callback's answer (no call)
	// and the custom bot (its webhook is signed, no token).
	const tokenless = new Set(['api.callEndpoint', 'callback.respondToCardAction', 'customBot.sendMessage']);
	const unknown: string[] = [];
	for (const [resource, { operations }] of Object.entries(resources)) {
		for (const [name, op] of Object.entries(operations)) {
			if (tokenless.has(`${resource}.${name}`)) continue;
			const calls = op.endpoint.split(/,? then |,? or /).filter((c) => !c.includes('…'));
			for (const call of calls) if (!ENDPOINT_TOKEN_TYPES[call]) unknown.push(`${resource}.${name}: ${call}`);
		}
	}
	assert.deepEqual(unknown, []);
	assert.deepEqual(operationTokenTypes('POST /open-apis/drive/v1/medias/upload_all, then PUT /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id'), ['tenant', 'user']);
	assert.deepEqual(operationTokenTypes('POST /open-apis/im/v1/images, then GET /open-apis/search/v1/user'), []);
	assert.equal(operationTokenTypes('ANY /open-apis/...'), undefined);
});

test('the saved v1 workflow\'s Search Users node runs from its saved parameters (Authentication "User (OAuth2)", Limit 1)', async () => {
	const fixture = JSON.parse(readFileSync(path.join(__dirname, '../../../test/fixtures/workflow-v1-every-operation.json'), 'utf8')) as { nodes: { name: string; typeVersion: number; parameters: IDataObject }[] };
	const saved = fixture.nodes.find((n) => n.name === 'Search Users')!;
	assert.equal(saved.typeVersion, 1);
	await control(sb, 'POST', 'users', { name: 'v1 fixture person' });
	await control(sb, 'POST', 'users', { name: 'v1 fixture other' });
	const cred = await connect(credentialData({}));
	const r = await runNode({ node, parameters: saved.parameters, oauth2: cred, typeVersion: 1, name: 'Search Users' });
	assert.ifError(r.error);
	assert.deepEqual(r.output![0].map((i) => i.json.name), ['v1 fixture other']);
	assert.deepEqual(r.output![0][0].pairedItem, { item: 0 });
});
