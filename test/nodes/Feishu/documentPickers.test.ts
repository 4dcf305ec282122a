// The Base and Spreadsheet pickers' "From List" through the Feishu node against the sandbox: the
// documents in the root of the app's Drive space (only its own Bases, not its spreadsheets, not
// another app's, not one shared with it), the typed filter, more than one page of Feishu's largest
// (the root comes whole), a picked Base used by an operation, and with User authentication the
// user's My Space; the four document locators as one builder makes them.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import type { Sandbox } from '../../../sandbox/server';
import { listSearch, runNode } from '../../helpers/executeContext';
import { APP, apiCalls, control, sandbox } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

const node = new Feishu();
const credentialType = new FeishuApi();
const OTHER = { app_id: 'cli_0ther0app0000002', app_secret: 'other-secret', bot_open_id: 'ou_other_app_bot_000000000000002' };
const REDIRECT = 'http://localhost:5678/rest/oauth2-credential/callback';
let sb: Sandbox;
let credentials: IDataObject;

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl };
});
after(() => sb.close());
beforeEach(async () => {
	await control(sb, 'POST', 'reset');
	await control(sb, 'POST', 'apps', OTHER);
});

const rl = (mode: string, value: string) => ({ __rl: true, mode, value });
const editor = (parameters: IDataObject) => ({ node, credentialType, credentials: credentials as never, typeVersion: 2, parameters });
const base = (body: IDataObject) => control<{ app_token: string; url: string; tables: { table_id: string }[] }>(sb, 'POST', 'bitable/apps', body);
const sheet = (body: IDataObject) => control<{ spreadsheet_token: string; url: string }>(sb, 'POST', 'sheets/spreadsheets', body);
const fileLists = async () => (await apiCalls(sb)).filter((c) => c.path === '/open-apis/drive/v1/files');

test('Base "From List": only the app\'s own Bases (not its spreadsheets, not another app\'s, not one shared with it), with links; the filter; a picked Base works', async () => {
	// Shared with no app: the app opens it as its owner.
	const orders = await base({ name: 'Orders 2026', owner_id: APP.botOpenId, collaborators: {}, tables: [{ name: 'Lines' }] });
	const stock = await base({ name: 'Stock', owner_id: APP.botOpenId });
	await base({ name: 'Orders shared with the app' });
	await base({ name: 'Orders of the other app', owner_id: OTHER.bot_open_id });
	await sheet({ title: 'Orders sheet', owner_id: APP.botOpenId });

	const all = await listSearch(editor({ resource: 'bitable', operation: 'getTables' }), 'searchBitableBases');
	const byName = (r: { name: string }[]) => [...r].sort((a, b) => a.name.localeCompare(b.name));
	assert.deepEqual(byName(all.results), [
		{ name: 'Orders 2026', value: orders.app_token, url: `https://sandbox.feishu.cn/base/${orders.app_token}` },
		{ name: 'Stock', value: stock.app_token, url: `https://sandbox.feishu.cn/base/${stock.app_token}` },
	]);
	assert.equal(all.paginationToken, undefined);
	assert.deepEqual((await listSearch(editor({ resource: 'bitable' }), 'searchBitableBases', '  ORDERS ')).results.map((r) => r.value), [orders.app_token], 'case-insensitive, trimmed');
	assert.deepEqual((await listSearch(editor({ resource: 'bitable' }), 'searchBitableBases', 'nothing like it')).results, []);

	const [call] = await fileLists();
	assert.deepEqual(call.query, { page_size: '200' }, 'the root of the app\'s space, Feishu\'s largest page');

	// The value the list gives is what the operations take.
	const tables = await runNode({ node, parameters: { resource: 'bitable', operation: 'getTables', appToken: rl('list', orders.app_token), returnAll: true }, credentialType, credentials: credentials as never, typeVersion: 2 });
	assert.ifError(tables.error);
	assert.deepEqual(tables.output![0].map((i) => i.json.name), ['Lines']);
});

test('Spreadsheet "From List": the spreadsheets the app made (Create Spreadsheet), not its Bases or a person\'s; the filter', async () => {
	const run = (parameters: IDataObject) => runNode({ node, parameters: { resource: 'sheets', ...parameters }, credentialType, credentials: credentials as never, typeVersion: 2 });
	const made = await run({ operation: 'createSpreadsheet', title: 'Budget Q3' });
	assert.ifError(made.error);
	const budget = made.output![0][0].json;
	const other = (await run({ operation: 'createSpreadsheet', title: 'Roster' })).output![0][0].json;
	await sheet({ title: 'Budget of a person' });
	await base({ name: 'Budget Base', owner_id: APP.botOpenId });

	const listed = await listSearch(editor({ resource: 'sheets', operation: 'readRange' }), 'searchSpreadsheets');
	assert.deepEqual([...listed.results].sort((a, b) => a.name.localeCompare(b.name)), [
		{ name: 'Budget Q3', value: budget.spreadsheet_token, url: budget.url },
		{ name: 'Roster', value: other.spreadsheet_token, url: other.url },
	]);
	assert.deepEqual((await listSearch(editor({ resource: 'sheets' }), 'searchSpreadsheets', 'budget')).results.map((r) => r.value), [budget.spreadsheet_token]);
	// The Sheet picker works from a spreadsheet picked from the list.
	const sheets = await listSearch(editor({ resource: 'sheets', operation: 'readRange', spreadsheetToken: rl('list', String(budget.spreadsheet_token)) }), 'searchSheets');
	assert.deepEqual(sheets.results.map((r) => r.name), ['Sheet1']);
});

test('more Bases than one page of Feishu\'s largest (200): the root of the space comes whole, so one search lists all 250', async () => {
	const tokens: string[] = [];
	for (let i = 0; i < 250; i++) tokens.push((await base({ name: `Base ${String(i).padStart(3, '0')}`, owner_id: APP.botOpenId })).app_token);
	await sheet({ title: 'Not a Base', owner_id: APP.botOpenId });
	const found = await listSearch(editor({ resource: 'bitable' }), 'searchBitableBases');
	assert.equal(found.paginationToken, undefined);
	assert.deepEqual(found.results.map((r) => r.value).sort(), [...tokens].sort());
	assert.equal((await fileLists()).length, 1, 'one request');
	const some = await listSearch(editor({ resource: 'bitable' }), 'searchBitableBases', 'base 24');
	assert.deepEqual(some.results.map((r) => r.name).sort(), ['Base 240', 'Base 241', 'Base 242', 'Base 243', 'Base 244', 'Base 245', 'Base 246', 'Base 247', 'Base 248', 'Base 249']);
});

test('with User authentication the list shows the user\'s My Space, not the app\'s', async () => {
	const info = await control(sb, 'GET', 'info');
	const mine = await base({ name: 'My Base', owner_id: info.default_user.open_id });
	await base({ name: 'The app\'s Base', owner_id: APP.botOpenId });
	const consent = await fetch(`${sb.baseUrl}/open-apis/authen/v1/authorize?${new URLSearchParams({ client_id: APP.appId, redirect_uri: REDIRECT, response_type: 'code', scope: 'offline_access drive:drive:readonly', state: 's' })}`, { redirect: 'manual' });
	const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
	const token = await fetch(`${sb.baseUrl}/open-apis/authen/v2/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'authorization_code', client_id: APP.appId, client_secret: APP.appSecret, code, redirect_uri: REDIRECT }) });
	const oauthTokenData = (await token.json()) as IDataObject;
	const oauth2 = { name: 'feishuOAuth2Api', data: { clientId: APP.appId, clientSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, oauthTokenData } };
	const listed = await listSearch({ node, oauth2, typeVersion: 2, parameters: { authentication: 'oAuth2', resource: 'bitable' } }, 'searchBitableBases');
	assert.deepEqual(listed.results.map((r) => r.value), [mine.app_token]);
});

test('the four document locators: "From List" first, then "By URL" and the ID; Base and Spreadsheet open on the link, Table and Sheet on the list', () => {
	const property = (name: string) => node.description.properties.find((p) => p.name === name)!;
	const modes = (p: INodeProperties) => (p.modes ?? []).map((m) => [m.name, m.displayName, m.typeOptions?.searchListMethod]);
	assert.deepEqual(modes(property('appToken')), [['list', 'From List', 'searchBitableBases'], ['url', 'By URL', undefined], ['id', 'By App Token', undefined]]);
	assert.deepEqual(modes(property('tableId')), [['list', 'From List', 'searchBitableTables'], ['url', 'By URL', undefined], ['id', 'By ID', undefined]]);
	assert.deepEqual(modes(property('spreadsheetToken')), [['list', 'From List', 'searchSpreadsheets'], ['url', 'By URL', undefined], ['id', 'By Token', undefined]]);
	assert.deepEqual(modes(property('sheetId')), [['list', 'From List', 'searchSheets'], ['url', 'By URL', undefined], ['id', 'By ID', undefined]]);
	assert.deepEqual([property('appToken').default, property('spreadsheetToken').default], [{ mode: 'url', value: '' }, { mode: 'url', value: '' }]);
	assert.deepEqual([property('tableId').default, property('sheetId').default], [{ mode: 'list', value: '' }, { mode: 'list', value: '' }]);
	for (const name of ['appToken', 'spreadsheetToken']) assert.match(String(property(name).description), /app's own space \(with User authentication: in your My Space\).*shared with the app is not listed: paste its link/);
	for (const method of ['searchBitableBases', 'searchSpreadsheets']) assert.equal(typeof node.methods.listSearch[method as keyof typeof node.methods.listSearch], 'function');
});
