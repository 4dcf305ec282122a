// The API resource through the Feishu node against the sandbox: Call Endpoint on three endpoint
// families (im: a paged list with Return All and Limit; contact: a path parameter; task v2: JSON bodies,
// parameter fields on top, a patch), Feishu's errors as our NodeApiError with the hint, paths that
// could leave /open-apis/ refused before any request, a user-token-only endpoint refused for the bot; the
// "From List" search (English, Chinese, by path, paged) and the resource mapper's fields, as the editor
// calls them; the catalog read on first use only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import { catalogLoaded } from '../../../nodes/Feishu/api/endpoints';
import type { Sandbox } from '../../../sandbox/server';
import { oauthEndpoints } from '../../../lib/feishu';
import { listSearch, resourceMapping, runNode, type OAuth2Credential } from '../../helpers/executeContext';
import { APP, apiCalls, control, sandbox } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

const node = new Feishu();
const credentialType = new FeishuApi();
let sb: Sandbox;
let credentials: IDataObject;
const chats: { chat_id: string; name: string }[] = [];

// Before the sandbox and before any test: building the node and its description reads no catalog.
const descriptionJson = JSON.stringify(node.description);
const catalogReadWithTheNode = catalogLoaded();

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
	// 45 groups: three pages of Feishu's default 20.
	for (let i = 0; i < 45; i++) chats.push(await control(sb, 'POST', 'chats', { app_id: APP.appId, name: `Group ${i}` }));
});
after(() => sb.close());

const byPath = (value: string) => ({ __rl: true, mode: 'path', value });
const fromList = (value: string) => ({ __rl: true, mode: 'list', value });
const mapped = (value: IDataObject) => ({ mappingMode: 'defineBelow', value });
const run = (parameters: IDataObject, typeVersion = 2) =>
	runNode({ node, parameters: { resource: 'api', operation: 'callEndpoint', ...parameters }, credentialType, credentials: credentials as never, typeVersion });
const ok = async (parameters: IDataObject, typeVersion = 2) => {
	const r = await run(parameters, typeVersion);
	assert.ifError(r.error);
	return r.output![0].map((i) => i.json);
};
const editor = { node, credentialType, get credentials() { return credentials as never; }, typeVersion: 2 };

test('the node loads and describes itself without reading the catalog; its description does not carry it', () => {
	assert.equal(catalogReadWithTheNode, false);
	assert.ok(!descriptionJson.includes('im.v1.chat.list') && !descriptionJson.includes('/open-apis/contact/v3/users/:user_id'), 'no catalog entry in the description');
	const resource = node.description.properties.find((p) => p.name === 'resource')!;
	assert.ok((resource.options as { value: string }[]).some((o) => o.value === 'api'));
});

test('im: Return All walks page_token over three pages; Limit returns exactly that many', async () => {
	const start = (await apiCalls(sb)).length;
	const all = await ok({ endpoint: fromList('GET /open-apis/im/v1/chats'), returnAll: true });
	assert.deepEqual(all.map((c) => c.chat_id), chats.map((c) => c.chat_id), 'all 45 in order, none twice');
	const pages = (await apiCalls(sb)).slice(start).filter((c) => c.path === '/open-apis/im/v1/chats');
	assert.equal(pages.length, 3, 'three pages of 20');
	assert.equal(pages[0].query.page_token, undefined);
	assert.ok(pages[1].query.page_token && pages[2].query.page_token && pages[1].query.page_token !== pages[2].query.page_token);

	for (const limit of [7, 25]) {
		const before = (await apiCalls(sb)).length;
		const some = await ok({ endpoint: byPath('GET /open-apis/im/v1/chats'), returnAll: false, limit, apiParameters: mapped({ 'query:sort_type': 'ByCreateTimeAsc' }) });
		assert.deepEqual(some.map((c) => c.chat_id), chats.slice(0, limit).map((c) => c.chat_id), `exactly ${limit}`);
		const calls = (await apiCalls(sb)).slice(before);
		assert.equal(calls.length, limit <= 20 ? 1 : 2, 'no page more than needed');
		assert.equal(calls[0].query.sort_type, 'ByCreateTimeAsc', 'a query parameter from the fields');
	}
});

test('contact: a path parameter from the fields, a query parameter from the JSON Query', async () => {
	const bob = await control<{ open_id: string; user_id: string }>(sb, 'POST', 'users', { name: 'Bob Builder', email: 'bob@example.com' });
	const [got] = await ok({
		endpoint: fromList('GET /open-apis/contact/v3/users/:user_id'),
		apiParameters: mapped({ 'path:user_id': bob.open_id }),
		apiQuery: '{"user_id_type": "open_id"}',
	});
	const user = got.user as IDataObject;
	assert.equal(user.open_id, bob.open_id);
	assert.equal(user.name, 'Bob Builder');
	const last = (await apiCalls(sb)).at(-1)!;
	assert.equal(last.path, `/open-apis/contact/v3/users/${bob.open_id}`);
	assert.equal(last.query.user_id_type, 'open_id');
});

test('task v2: a JSON body with body fields on top; a path parameter with object and list fields given as JSON text', async () => {
	const [created] = await ok({
		endpoint: byPath('POST /open-apis/task/v2/tasks'),
		apiBody: JSON.stringify({ summary: 'from the JSON body', description: 'replaced' }),
		apiParameters: mapped({ 'body:description': 'from the fields', 'body:due': '{"timestamp": "1767225600000", "is_all_day": true}' }),
	});
	const task = created.task as IDataObject;
	assert.equal(task.summary, 'from the JSON body');
	assert.equal(task.description, 'from the fields', 'a field wins over the JSON body');
	assert.deepEqual(task.due, { timestamp: '1767225600000', is_all_day: true }, 'an object field given as text is sent as JSON');
	const [fetched] = await ok({ endpoint: byPath('GET /open-apis/task/v2/tasks/:task_guid'), apiParameters: mapped({ 'path:task_guid': String(task.guid) }) });
	assert.equal((fetched.task as IDataObject).summary, 'from the JSON body', 'stored by the sandbox');

	const [patched] = await ok({
		endpoint: fromList('PATCH /open-apis/task/v2/tasks/:task_guid'),
		apiParameters: mapped({ 'path:task_guid': String(task.guid), 'body:task': '{"summary": "patched"}', 'body:update_fields': '["summary"]' }),
	});
	assert.equal((patched.task as IDataObject).summary, 'patched', 'an object and a list field given as JSON text');
	assert.deepEqual((await apiCalls(sb)).at(-1)!.body, { task: { summary: 'patched' }, update_fields: ['summary'] });
	// The task list is served to a user's token only (lark-mcp): refused for the bot before any call.
	const list = await run({ endpoint: byPath('GET /open-apis/task/v2/tasks'), returnAll: true });
	assert.match(String(list.error?.message), /takes only a user's token/);
});

test('Feishu errors come out as NodeApiError with the hint; a refused field names it', async () => {
	const r = await run({ endpoint: byPath('GET /open-apis/im/v1/chats/:chat_id'), apiParameters: mapped({ 'path:chat_id': 'oc_missing' }) });
	assert.ok(r.error instanceof NodeApiError, String(r.error));
	assert.match(r.error.message, /^Feishu error 232006: /);
	assert.match(String(r.error.description), /This is not the ID of a chat the app can see/);
	assert.match(String(r.error.description), /log_id: \S+/);

	const missing = await run({ endpoint: byPath('POST /open-apis/task/v2/tasks'), apiBody: '{"description": "no summary"}' });
	assert.ok(missing.error instanceof NodeApiError);
	assert.match(missing.error.message, /^Feishu error 99992402: .*summary/);
});

test('paths outside /open-apis/, dot segments and path values that would change the path are refused before any request', async () => {
	const before = (await apiCalls(sb)).length;
	const cases: [IDataObject, RegExp][] = [
		[{ endpoint: byPath('GET /open-apis/../auth/v3/tenant_access_token/internal') }, /"\.\." segment/],
		[{ endpoint: byPath('GET /open-apis/im/v1/./chats') }, /"\.\." segment/],
		[{ endpoint: byPath('GET /im/v1/chats') }, /must start with \/open-apis\//],
		[{ endpoint: byPath('GET /open-apis/im/v1/chats?page_size=1') }, /no query string/],
		[{ endpoint: byPath('FETCH /open-apis/im/v1/chats') }, /not one of GET, POST/],
		[{ endpoint: byPath('GET /open-apis/im/v1/chats/:chat_id'), apiParameters: mapped({ 'path:chat_id': '../../contact/v3/users' }) }, /chat_id: .*not a valid id/],
		[{ endpoint: byPath('GET /open-apis/im/v1/chats/:chat_id'), apiParameters: mapped({ 'path:chat_id': '..' }) }, /chat_id: .*not a valid id/],
		[{ endpoint: byPath('GET /open-apis/im/v1/chats/:chat_id') }, /chat_id: is required/],
		[{ endpoint: byPath('GET /open-apis/im/v1/chats'), apiQuery: '{"user_id_type": ' }, /Query: is not valid JSON/],
		[{ endpoint: byPath('GET /open-apis/im/v1/chats'), apiQuery: '{"filter": {"a": 1}}' }, /Feishu takes no objects in the query string/],
		[{ endpoint: byPath('POST /open-apis/task/v2/tasks'), apiParameters: mapped({ 'body:due': '{not json' }) }, /due \(body\): should be a JSON object/],
		[{ endpoint: byPath('POST /open-apis/task/v2/tasks'), apiBody: '[1, 2]' }, /Body: should be a JSON object/],
	];
	for (const [parameters, message] of cases) {
		const r = await run(parameters);
		assert.ok(r.error instanceof NodeOperationError, `${JSON.stringify(parameters)}: ${String(r.error)}`);
		assert.match(r.error.message, message);
	}
	assert.equal((await apiCalls(sb)).length, before, 'none reached the sandbox');

	const userOnly = await run({ endpoint: fromList('POST /open-apis/acs/v1/rule_external') });
	assert.ok(userOnly.error instanceof NodeOperationError);
	assert.match(userOnly.error.message, /takes only a user's token .*set Authentication to "User \(OAuth2\)"/);
});

/** A Feishu OAuth2 credential connected the way n8n does it (authorize, 302 with a code, code for tokens), against the sandbox. */
async function connectedUser(): Promise<OAuth2Credential> {
	const { authorizeUrl, tokenUrl } = oauthEndpoints('custom', sb.baseUrl);
	const callback = 'http://localhost:5678/rest/oauth2-credential/callback';
	const scope = 'offline_access contact:user:search';
	const authorize = new URL(authorizeUrl);
	for (const [k, v] of Object.entries({ client_id: APP.appId, redirect_uri: callback, response_type: 'code', state: 's', scope })) authorize.searchParams.set(k, v);
	const consent = await fetch(authorize, { redirect: 'manual' });
	assert.equal(consent.status, 302);
	const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
	const form = new URLSearchParams({ code, grant_type: 'authorization_code', redirect_uri: callback, client_id: APP.appId, client_secret: APP.appSecret });
	const res = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form });
	assert.equal(res.status, 200);
	const data = { clientId: APP.appId, clientSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, authUrl: authorizeUrl, accessTokenUrl: tokenUrl, scope, authentication: 'body', grantType: 'authorizationCode' };
	return { name: 'feishuOAuth2Api', data: { ...data, oauthTokenData: (await res.json()) as IDataObject } };
}

test('as the signed-in user (Authentication "User (OAuth2)"): the call carries the user\'s token; an endpoint only the bot may call is refused', async () => {
	const oauth2 = await connectedUser();
	const asUser = (parameters: IDataObject) => runNode({ node, parameters: { authentication: 'oAuth2', resource: 'api', operation: 'callEndpoint', ...parameters }, oauth2, typeVersion: 2 });
	await control(sb, 'POST', 'users', { name: 'Searchable Sam' });
	const found = await asUser({ endpoint: byPath('GET /open-apis/search/v1/user'), apiQuery: '{"query": "Searchable"}' });
	assert.ifError(found.error);
	assert.deepEqual(((found.output![0][0].json.users ?? []) as IDataObject[]).map((u) => u.name), ['Searchable Sam'], 'Feishu\'s user search, which takes only a user token');
	const sent = found.requests.at(-1)!;
	assert.match(String((sent.headers as IDataObject).Authorization), /^Bearer u-/, 'the user\'s token, not a tenant token');

	const send = await asUser({ endpoint: fromList('POST /open-apis/im/v1/messages'), apiBody: '{"receive_id": "oc_x", "msg_type": "text", "content": "{}"}' });
	assert.ok(send.error instanceof NodeOperationError);
	assert.match(send.error.message, /takes only the app's own token .*set Authentication to "Bot \(App Credential\)"/);
});

test('version 1 nodes have the resource too; an endpoint outside the catalog is called once, its answer one item', async () => {
	const [bot] = await ok({ endpoint: byPath('GET /open-apis/bot/v3/info') }, 1);
	assert.equal((bot.bot as IDataObject).open_id, 'ou_sandbox_bot_0000000000000000000');
});

test('From List: search in English, Chinese and by path; every endpoint, a page at a time', async () => {
	const english = await listSearch(editor, 'searchApiEndpoints', 'groups where the user or bot');
	assert.equal(english.results[0].value, 'GET /open-apis/im/v1/chats');
	assert.match(english.results[0].name, /^GET \/open-apis\/im\/v1\/chats — Obtain groups where the user or bot is a member \(获取用户或机器人所在的群列表\)$/);
	assert.match(String(english.results[0].url), /^https:\/\/open\.feishu\.cn\/api-explorer\?apiName=list&project=im&resource=chat&version=v1$/);
	assert.match(String(english.results[0].description), /tenant or user token · query: .*sort_type.* · paged list/);

	const lark = await listSearch({ ...editor, credentials: { ...credentials, domain: 'lark' } as never }, 'searchApiEndpoints', 'groups where the user or bot');
	assert.match(String(lark.results[0].url), /^https:\/\/open\.larksuite\.com\/api-explorer\?/, 'a Lark credential links to Lark\'s site');
	const chinese = await listSearch(editor, 'searchApiEndpoints', '新增记录');
	assert.ok(chinese.results.some((r) => r.value === 'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records'));
	const path = await listSearch(editor, 'searchApiEndpoints', '/open-apis/contact/v3/users/:user_id');
	assert.ok(path.results.some((r) => r.value === 'GET /open-apis/contact/v3/users/:user_id'));
	assert.ok(path.results.every((r) => String(r.value).includes('/open-apis/contact/v3/users/:user_id')));
	const words = await listSearch(editor, 'searchApiEndpoints', 'post task');
	assert.ok(words.results.some((r) => r.value === 'POST /open-apis/task/v2/tasks'), 'every word matches somewhere');
	assert.deepEqual((await listSearch(editor, 'searchApiEndpoints', 'no such endpoint anywhere')).results, []);

	const seen = new Set<string>();
	let token: string | undefined;
	let pages = 0;
	do {
		const page = await listSearch(editor, 'searchApiEndpoints', '', token);
		assert.ok(page.results.length <= 100);
		for (const r of page.results) seen.add(String(r.value));
		token = page.paginationToken === undefined ? undefined : String(page.paginationToken);
		pages++;
	} while (token);
	assert.ok(seen.size > 1000, `${seen.size} endpoints listed over ${pages} pages`);
	assert.equal(pages, Math.ceil(seen.size / 100));
});

test('the parameter fields: path parameters required, documented query and body fields typed, Feishu-required ones shown', async () => {
	const record = await resourceMapping({ ...editor, parameters: { resource: 'api', operation: 'callEndpoint', endpoint: fromList('POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records') } }, 'getApiEndpointFields');
	const byId = new Map(record.fields.map((f) => [f.id, f]));
	assert.deepEqual(record.fields.filter((f) => f.required).map((f) => f.id), ['path:app_token', 'path:table_id']);
	assert.deepEqual(
		{ type: byId.get('query:user_id_type')!.type, options: byId.get('query:user_id_type')!.options?.map((o) => o.value), removed: byId.get('query:user_id_type')!.removed },
		{ type: 'options', options: ['open_id', 'union_id', 'user_id'], removed: true },
	);
	assert.equal(byId.get('query:ignore_consistency_check')!.type, 'boolean');
	const fields = byId.get('body:fields')!;
	assert.deepEqual([fields.type, fields.removed, fields.required, fields.displayName], ['object', false, false, 'fields (body, object, required)']);

	const task = await resourceMapping({ ...editor, parameters: { resource: 'api', operation: 'callEndpoint', endpoint: byPath('POST /open-apis/task/v2/tasks') } }, 'getApiEndpointFields');
	assert.equal(task.fields.find((f) => f.id === 'body:due')!.displayName, 'due (body, object: timestamp, is_all_day)', 'the names one level down');
	assert.equal(task.fields.find((f) => f.id === 'body:members')!.type, 'array');

	const list = await resourceMapping({ ...editor, parameters: { resource: 'api', operation: 'callEndpoint', endpoint: byPath('GET /open-apis/im/v1/chats') } }, 'getApiEndpointFields');
	assert.ok(!list.fields.some((f) => f.id === 'query:page_token'), 'paging is the operation\'s');
	assert.ok(list.fields.some((f) => f.id === 'query:page_size'));

	const unknown = await resourceMapping({ ...editor, parameters: { resource: 'api', operation: 'callEndpoint', endpoint: byPath('GET /open-apis/made/v9/up/:thing_id') } }, 'getApiEndpointFields');
	assert.deepEqual(unknown.fields.map((f) => [f.id, f.required]), [['path:thing_id', true]]);
	const none = await resourceMapping({ ...editor, parameters: { resource: 'api', operation: 'callEndpoint', endpoint: byPath('GET /open-apis/bot/v3/info') } }, 'getApiEndpointFields');
	assert.deepEqual(none.fields, []);
	assert.match(String(none.emptyFieldsNotice), /not in the catalog/);
	const empty = await resourceMapping({ ...editor, parameters: { resource: 'api', operation: 'callEndpoint' } }, 'getApiEndpointFields');
	assert.match(String(empty.emptyFieldsNotice), /Pick an endpoint first/);
});
