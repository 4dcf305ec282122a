// Drive's folder listing in the sandbox (GET /open-apis/drive/v1/files, docs/protocol.md, "Drive file
// list"), over plain HTTP: the root of the app's space (what the app owns, whole, not paged), a folder
// in pages, a user token's My Space, and Feishu's refusals (page_size, the enums, an unknown or
// foreign folder, a forged page_token, the scopes).
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Sandbox } from '../../sandbox/server';
import { APP, control, sandbox } from '../helpers/sandbox';

const OTHER = { app_id: 'cli_0ther0app0000001', app_secret: 'other-secret', bot_open_id: 'ou_other_app_bot_000000000000000' };
const REDIRECT = 'http://localhost:5678/rest/oauth2-credential/callback';

let sb: Sandbox;
before(async () => {
	sb = await sandbox();
});
after(() => sb.close());
beforeEach(async () => {
	await control(sb, 'POST', 'reset');
	await control(sb, 'POST', 'apps', OTHER);
});

async function tenantToken(appId = APP.appId, appSecret = APP.appSecret): Promise<string> {
	const res = await fetch(`${sb.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: appId, app_secret: appSecret }) });
	return ((await res.json()) as { tenant_access_token: string }).tenant_access_token;
}

async function userToken(): Promise<string> {
	const consent = await fetch(`${sb.baseUrl}/open-apis/authen/v1/authorize?${new URLSearchParams({ client_id: APP.appId, redirect_uri: REDIRECT, response_type: 'code', scope: 'drive:drive:readonly', state: 's' })}`, { redirect: 'manual' });
	const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
	const res = await fetch(`${sb.baseUrl}/open-apis/authen/v2/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'authorization_code', client_id: APP.appId, client_secret: APP.appSecret, code, redirect_uri: REDIRECT }) });
	return ((await res.json()) as { access_token: string }).access_token;
}

async function list(token: string, query: Record<string, string> = {}): Promise<{ status: number; body: any }> {
	const res = await fetch(`${sb.baseUrl}/open-apis/drive/v1/files?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${token}` } });
	return { status: res.status, body: await res.json() };
}

const base = (body: Record<string, unknown>) => control<{ app_token: string }>(sb, 'POST', 'bitable/apps', body);
const spreadsheet = (body: Record<string, unknown>) => control<{ spreadsheet_token: string }>(sb, 'POST', 'sheets/spreadsheets', body);
const folder = (body: Record<string, unknown>) => control<{ token: string; url: string }>(sb, 'POST', 'drive/folders', body);

test('the root of the app\'s space: its own Bases, spreadsheets and folders, whole (page_size does not page it); not what is shared with it or another app\'s', async () => {
	const tok = await tenantToken();
	const ownBase = await base({ name: 'Orders', owner_id: APP.botOpenId });
	await base({ name: 'Shared with every app' });
	await base({ name: 'The other app\'s', owner_id: OTHER.bot_open_id });
	const made = await fetch(`${sb.baseUrl}/open-apis/sheets/v3/spreadsheets`, { method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Made by the app' }) });
	const sheetToken = ((await made.json()) as any).data.spreadsheet.spreadsheet_token as string;
	await spreadsheet({ title: 'A person\'s' });
	const ownFolder = await folder({ name: 'Archive', owner_id: APP.botOpenId });
	await base({ name: 'In the folder', owner_id: APP.botOpenId, folder_token: ownFolder.token });

	const { status, body } = await list(tok, { page_size: '1' });
	assert.equal(status, 200);
	assert.equal(body.code, 0);
	assert.equal(body.data.has_more, false);
	assert.equal(body.data.next_page_token, undefined);
	const files = body.data.files as any[];
	assert.deepEqual(files.map((f) => [f.type, f.name]).sort(), [['bitable', 'Orders'], ['folder', 'Archive'], ['sheet', 'Made by the app']]);
	const orders = files.find((f) => f.type === 'bitable');
	assert.deepEqual(Object.keys(orders).sort(), ['created_time', 'modified_time', 'name', 'owner_id', 'token', 'type', 'url']);
	assert.equal(orders.token, ownBase.app_token);
	assert.equal(orders.url, `https://sandbox.feishu.cn/base/${ownBase.app_token}`);
	assert.equal(orders.owner_id, APP.botOpenId);
	assert.match(orders.created_time, /^\d{10}$/);
	assert.equal(files.find((f) => f.type === 'sheet').url, `https://sandbox.feishu.cn/sheets/${sheetToken}`);
	assert.equal(files.find((f) => f.type === 'folder').url, ownFolder.url);

	const other = await list(await tenantToken(OTHER.app_id, OTHER.app_secret));
	assert.deepEqual(other.body.data.files.map((f: any) => f.name), ['The other app\'s']);
});

test('a folder in pages of page_size with next_page_token, both orders; union_id owners; a user token lists the user\'s My Space', async () => {
	const tok = await tenantToken();
	const box = await folder({ name: 'Box', owner_id: APP.botOpenId });
	const inside: string[] = [];
	for (let i = 0; i < 3; i++) inside.push((await base({ name: `Base ${i}`, owner_id: APP.botOpenId, folder_token: box.token })).app_token);
	for (let i = 0; i < 2; i++) inside.push((await spreadsheet({ title: `Sheet ${i}`, folder_token: box.token })).spreadsheet_token);

	const seen: any[] = [];
	let pageToken: string | undefined;
	let pages = 0;
	do {
		const { body } = await list(tok, { folder_token: box.token, page_size: '2', ...(pageToken ? { page_token: pageToken } : {}) });
		assert.equal(body.code, 0);
		assert.ok(body.data.files.length <= 2);
		seen.push(...body.data.files);
		pages++;
		assert.equal(body.data.has_more, pages < 3);
		pageToken = body.data.next_page_token;
		assert.equal(pageToken === undefined, !body.data.has_more, 'next_page_token exactly when has_more');
	} while (pageToken);
	assert.equal(pages, 3);
	assert.deepEqual(seen.map((f) => f.token).sort(), [...inside].sort());
	assert.ok(seen.every((f) => f.parent_token === box.token));
	const asc = (await list(tok, { folder_token: box.token, direction: 'ASC', order_by: 'CreatedTime' })).body.data.files.map((f: any) => f.created_time);
	assert.deepEqual(asc, [...asc].sort());
	// The owner in another id type: an app's bot is no user of the directory, so it has none.
	const info = await control(sb, 'GET', 'info');
	const mine = await base({ name: 'My own Base', owner_id: info.default_user.open_id });
	const byUnion = (await list(tok, { folder_token: box.token, user_id_type: 'union_id' })).body.data.files as any[];
	assert.ok(byUnion.filter((f) => f.type === 'bitable').every((f) => f.owner_id === undefined), 'an app has no union_id');

	const user = await userToken();
	const myspace = await list(user, { user_id_type: 'union_id' });
	assert.equal(myspace.status, 200);
	assert.deepEqual(myspace.body.data.files.map((f: any) => [f.token, f.owner_id]), [[mine.app_token, info.default_user.union_id]]);
	assert.equal((await list(user, { folder_token: box.token })).body.code, 1061004, 'the app\'s folder is not the user\'s');
});

test('Feishu\'s refusals: page_size out of limit 1064001, not a number and bad enums 99992402, unknown folder 1061003, another\'s folder 1061004, a forged page_token, no scope 99991672', async () => {
	const tok = await tenantToken();
	const theirs = await folder({ name: 'Theirs', owner_id: OTHER.bot_open_id });
	const refused = async (query: Record<string, string>, status: number, code: number) => {
		const r = await list(tok, query);
		assert.equal(r.status, status, JSON.stringify(query));
		assert.equal(r.body.code, code, JSON.stringify(query));
		return r.body;
	};
	assert.match((await refused({ page_size: '201' }, 400, 1064001)).msg, /page size out of limit/);
	await refused({ page_size: '0' }, 400, 1064001);
	await refused({ page_size: 'ten' }, 400, 99992402);
	await refused({ order_by: 'Name' }, 400, 99992402);
	await refused({ direction: 'UP' }, 400, 99992402);
	await refused({ user_id_type: 'email' }, 400, 99992402);
	assert.match((await refused({ folder_token: 'fldcnNoSuchFolder000000000' }, 404, 1061003)).msg, /not found/);
	await refused({ folder_token: theirs.token }, 403, 1061004);
	const own = await folder({ name: 'Mine', owner_id: APP.botOpenId });
	await refused({ folder_token: own.token, page_token: 'not-a-token' }, 400, 99992402);
	assert.equal((await list(tok, { page_size: '200' })).body.code, 0);

	await control(sb, 'PUT', `apps/${APP.appId}/scopes`, { missing: ['drive:drive', 'drive:drive:readonly', 'space:document:retrieve'] });
	const denied = await refused({}, 400, 99991672);
	assert.match(denied.msg, /drive:drive, drive:drive:readonly, space:document:retrieve/);
	await control(sb, 'PUT', `apps/${APP.appId}/scopes`, { missing: ['drive:drive', 'space:document:retrieve'] });
	assert.equal((await list(tok)).body.code, 0, 'any one scope is enough');
});

test('control: a folder needs an owner_id and a known parent; a document\'s owner_id and folder_token are checked', async () => {
	const bad = async (path: string, body: Record<string, unknown>) => {
		const res = await fetch(`${sb.baseUrl}/_sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
	};
	await bad('drive/folders', { name: 'No owner' });
	await bad('drive/folders', { name: 'Nowhere', owner_id: APP.botOpenId, parent_token: 'fldcnNoSuch' });
	await bad('bitable/apps', { name: 'x', owner_id: APP.appId });
	await bad('sheets/spreadsheets', { title: 'x', folder_token: 'a/b' });
	const parent = await folder({ name: 'Parent', owner_id: APP.botOpenId });
	const child = await folder({ name: 'Child', owner_id: APP.botOpenId, parent_token: parent.token });
	const listed = await list(await tenantToken(), { folder_token: parent.token });
	assert.deepEqual(listed.body.data.files.map((f: any) => [f.token, f.type]), [[child.token, 'folder']]);
});
