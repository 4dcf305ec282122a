// Sheets (电子表格) through the Feishu node against the sandbox: spreadsheets (create, get) and sheets
// (list, add, the Sheet picker), Write Range from input items (header row first) and from a 2-D array,
// Read Range as items (first row as headers, typed values as Feishu gives them) or raw, Append Rows
// (the sheet's own header row; 12,000 items in requests of 5,000 rows, each item its own row; with
// and without Continue On Fail), Clear Range, Find Cells, the spreadsheet and sheet from a link, and
// permission errors that say what to do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import type { Sandbox } from '../../../sandbox/server';
import { listSearch, runNode } from '../../helpers/executeContext';
import { APP, apiCalls, control, sandbox } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

const node = new Feishu();
const credentialType = new FeishuApi();
let sb: Sandbox;
let credentials: IDataObject;

interface Made {
	spreadsheet_token: string;
	url: string;
	sheets: { sheet_id: string; title: string }[];
}

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl };
});
after(() => sb.close());

const rl = (mode: string, value: string) => ({ __rl: true, mode, value });
const run = (parameters: IDataObject, items?: INodeExecutionData[], continueOnFail = false) =>
	runNode({ node, parameters: { resource: 'sheets', ...parameters }, items, credentialType, credentials: credentials as never, typeVersion: 2, continueOnFail });
async function ok(parameters: IDataObject, items?: INodeExecutionData[]) {
	const r = await run(parameters, items);
	assert.ifError(r.error);
	return r.output![0].map((i) => i.json);
}
const make = (body: IDataObject = {}) => control<Made>(sb, 'POST', 'sheets/spreadsheets', { title: 'Test', ...body });
const on = (m: Made, sheet = 0) => ({ spreadsheetToken: rl('url', `${m.url}?sheet=${m.sheets[sheet].sheet_id}`), sheetId: rl('id', m.sheets[sheet].sheet_id) });
const stored = async (m: Made, sheet = 0) => (await control<{ values: unknown[][] }>(sb, 'GET', `sheets/spreadsheets/${m.spreadsheet_token}/sheets/${m.sheets[sheet].sheet_id}/values`)).values;

test('Create Spreadsheet, Get Spreadsheet, Get Many Sheets, Add Sheet, and the Sheet picker', async () => {
	const [made] = await ok({ operation: 'createSpreadsheet', title: 'Orders 2026' });
	assert.match(String(made.spreadsheet_token), /^[A-Za-z0-9]{20,}$/);
	assert.equal(made.title, 'Orders 2026');
	const url = String(made.url);
	assert.match(url, /\/sheets\//);

	const [inFolder] = await ok({ operation: 'createSpreadsheet', title: 'In a folder', options: { folder: 'https://example.feishu.cn/drive/folder/fldcnAbCdEf0123' } });
	assert.equal(inFolder.folder_token, 'fldcnAbCdEf0123', 'the folder from its link');
	const [got] = await ok({ operation: 'getSpreadsheet', spreadsheetToken: rl('url', url) });
	assert.deepEqual([got.title, got.token], ['Orders 2026', made.spreadsheet_token]);
	const [added] = await ok({ operation: 'addSheet', spreadsheetToken: rl('id', String(made.spreadsheet_token)), sheetTitle: 'March', options: { index: 1 } });
	assert.deepEqual([added.title, added.index], ['March', 1]);
	const sheets = await ok({ operation: 'getSheets', spreadsheetToken: rl('url', url), returnAll: true });
	assert.deepEqual(sheets.map((s) => s.title), ['Sheet1', 'March']);
	assert.deepEqual((sheets[0].grid_properties as IDataObject).row_count, 200);
	assert.equal((await ok({ operation: 'getSheets', spreadsheetToken: rl('url', url), limit: 1 })).length, 1);
	const dup = await run({ operation: 'addSheet', spreadsheetToken: rl('url', url), sheetTitle: 'March' });
	assert.match(String(dup.error?.message), /^Feishu error 90210: ExistSheetTitle/);
	const badTitle = await run({ operation: 'addSheet', spreadsheetToken: rl('url', url), sheetTitle: 'a/b' });
	assert.ok(badTitle.error instanceof NodeOperationError);

	const edit = { node, credentialType, credentials: credentials as never, typeVersion: 2, parameters: { resource: 'sheets', operation: 'readRange', spreadsheetToken: rl('url', url) } };
	const listed = await listSearch(edit, 'searchSheets');
	assert.deepEqual(listed.results.map((r) => r.name), ['Sheet1', 'March']);
	assert.deepEqual((await listSearch(edit, 'searchSheets', 'mar')).results, [{ name: 'March', value: added.sheet_id }]);
});

test('Write Range from input items (header row first) and from a 2-D array; Read Range as items or raw', async () => {
	const m = await make();
	const items = [
		{ json: { Name: 'Alice', Amount: 12.5, Paid: true } },
		{ json: { Name: 'Bob', Amount: 3, Site: { type: 'url', text: 'Home', link: 'https://example.com' } } },
	];
	const written = await ok({ operation: 'writeRange', ...on(m), range: 'B2:E' }, items);
	assert.deepEqual(written.map((w) => w.updated_range), [`${m.sheets[0].sheet_id}!B3:E3`, `${m.sheets[0].sheet_id}!B4:E4`], 'each item its own row, under the header');
	assert.deepEqual(written[1].values, { Name: 'Bob', Amount: 3, Paid: null, Site: { type: 'url', text: 'Home', link: 'https://example.com' } });
	assert.deepEqual((await stored(m)).slice(1), [
		[null, 'Name', 'Amount', 'Paid', 'Site'],
		[null, 'Alice', 12.5, 'TRUE', null],
		[null, 'Bob', 3, null, { type: 'url', text: 'Home', link: 'https://example.com' }],
	]);
	const writes = (await apiCalls(sb)).filter((c) => c.method === 'PUT' && c.path.includes(m.spreadsheet_token));
	assert.equal(writes.length, 1, 'both items in one request');

	const rows = await ok({ operation: 'readRange', ...on(m), range: 'B2:E' });
	assert.deepEqual(rows, [
		{ Name: 'Alice', Amount: 12.5, Paid: 'TRUE', Site: null },
		{ Name: 'Bob', Amount: 3, Paid: null, Site: 'Home' },
	], 'numbers stay numbers; a link reads as its text (To String)');
	const [raw] = await ok({ operation: 'readRange', ...on(m), range: 'B2:C3', output: 'raw' });
	assert.deepEqual(raw.values, [['Name', 'Amount'], ['Alice', 12.5]]);
	assert.equal(raw.range, `${m.sheets[0].sheet_id}!B2:C3`);
	const [formulaRead] = await ok({ operation: 'readRange', ...on(m), range: 'E4:E4', output: 'raw', options: { valueRenderOption: 'Formula' } });
	assert.deepEqual(formulaRead.values, [[[{ type: 'url', text: 'Home', link: 'https://example.com' }]]], 'Formula: the cell as written');

	const [json] = await ok({ operation: 'writeRange', ...on(m), range: 'G1', dataMode: 'json', values: '[["x", 1], ["y", 2]]' });
	assert.equal(json.updated_range, `${m.sheets[0].sheet_id}!G1:H2`);
	assert.deepEqual((await ok({ operation: 'readRange', ...on(m), range: 'G1:H2', output: 'raw' }))[0].values, [['x', 1], ['y', 2]]);

	// Refused before anything is sent: a range too small, JSON that is no 2-D array, a bad range.
	const before = (await apiCalls(sb)).length;
	const small = await run({ operation: 'writeRange', ...on(m), range: 'A1:D2' }, [{ json: { a: 1 } }, { json: { a: 2 } }]);
	assert.match(String(small.error?.message), /3 rows do not fit in A1:D2/);
	const notRows = await run({ operation: 'writeRange', ...on(m), dataMode: 'json', values: '{"a": 1}' });
	assert.match(String(notRows.error?.message), /Values \(JSON\): should be a list of rows/);
	const badRange = await run({ operation: 'readRange', ...on(m), range: 'A1:?' });
	assert.match(String(badRange.error?.message), /is not an A1 range/);
	assert.equal((await apiCalls(sb)).length, before, 'nothing reached Feishu');
});

test('Append Rows: the sheet\'s own header orders the columns; 12,000 items go in requests of 5,000 rows, each item its own row', async () => {
	const m = await make({ sheets: [{ title: 'Log', values: [['When', 'Who', 'Text']] }] });
	const items = Array.from({ length: 12_000 }, (_, k) => ({ json: { Text: `line ${k}`, Who: `u${k % 7}`, When: k, Extra: 'not a column' } }));
	const before = (await apiCalls(sb)).length;
	const r = await run({ operation: 'appendRows', ...on(m) }, items);
	assert.ifError(r.error);
	const out = r.output![0];
	assert.equal(out.length, 12_000);
	assert.deepEqual(out[0].json.values, { When: 0, Who: 'u0', Text: 'line 0' });
	assert.deepEqual([out[0].json.row, out[4999].json.row, out[5000].json.row, out[11_999].json.row], [2, 5001, 5002, 12_001]);
	assert.deepEqual(out[7].pairedItem, { item: 7 });
	const appends = (await apiCalls(sb)).slice(before).filter((c) => c.path.endsWith('/values_append'));
	assert.deepEqual(appends.map((c) => (c.body as { valueRange: { values: unknown[] } }).valueRange.values.length), [5000, 5000, 2000]);
	assert.equal(appends[0].query.insertDataOption, 'INSERT_ROWS');
	const values = await stored(m);
	assert.equal(values.length, 12_001);
	assert.deepEqual(values[12_000], [11_999, 'u1', 'line 11999']);

	// An empty sheet: the Columns option (or the items' fields) become its header row.
	const empty = await make();
	const [first] = await ok({ operation: 'appendRows', ...on(empty), options: { columns: 'Who, Text' } }, [{ json: { Who: 'ann', Text: 'hi', When: 1 } }]);
	assert.equal(first.row, 2);
	await ok({ operation: 'appendRows', ...on(empty) }, [{ json: { Text: 'again', Who: 'bob' } }]);
	assert.deepEqual(await stored(empty), [['Who', 'Text'], ['ann', 'hi'], ['bob', 'again']]);
	const [fromJson] = await ok({ operation: 'appendRows', ...on(empty), dataMode: 'json', values: [['cy', 'json 1'], ['dee', 'json 2']] });
	assert.deepEqual([fromJson.row, fromJson.updated_rows], [4, 2]);
});

test('Append Rows with a bad item: Continue On Fail writes the others and returns the error item; without it nothing is written', async () => {
	const m = await make({ sheets: [{ title: 'Log', values: [['Name', 'Note']] }] });
	const items = [{ json: { Name: 'ok 1' } }, { json: { Name: 'too long', Note: 'x'.repeat(50_001) } }, { json: { Name: 'ok 2' } }];
	const stopped = await run({ operation: 'appendRows', ...on(m) }, items);
	assert.ok(stopped.error instanceof NodeOperationError);
	assert.match(stopped.error.message, /has 50001 characters; Feishu takes at most 50000/);
	assert.deepEqual(await stored(m), [['Name', 'Note']], 'nothing written');

	const items2 = [{ json: { Name: 'ok 1' } }, { json: { Name: 'bad' } }, { json: { Name: 'ok 2' } }];
	const bad = { ...on(m) };
	const r = await runNode({
		node,
		parameters: { resource: 'sheets', operation: 'appendRows', ...bad, sheetId: rl('id', '={{ $json.Name === "bad" ? "nosuch" : "' + m.sheets[0].sheet_id + '" }}') },
		items: items2,
		credentialType,
		credentials: credentials as never,
		typeVersion: 2,
		continueOnFail: true,
	});
	assert.ifError(r.error);
	const out = r.output![0];
	assert.deepEqual(out.map((i) => i.json.row ?? i.json.code), [2, 90215, 3], 'the item on another (missing) sheet fails with Feishu\'s code; the others land');
	assert.deepEqual((await stored(m)).map((row) => row[0]), ['Name', 'ok 1', 'ok 2']);
});

test('Clear Range (bounded, and open-ended to the sheet\'s last row) and Find Cells', async () => {
	const m = await make({ sheets: [{ title: 'Data', values: [['Name', 'City'], ['Ann', 'Paris'], ['bob', 'paris'], ['Cy', 'Oslo'], ['Dee', 'PARIS 2']] }] });
	const [found] = await ok({ operation: 'findCells', ...on(m), find: 'paris' });
	assert.deepEqual([found.matched_cells, found.rows_count], [['B2', 'B3', 'B5'], 3]);
	assert.deepEqual((await ok({ operation: 'findCells', ...on(m), find: 'paris', options: { matchCase: true } }))[0].matched_cells, ['B3']);
	assert.deepEqual((await ok({ operation: 'findCells', ...on(m), find: 'Paris', options: { matchEntireCell: true } }))[0].matched_cells, ['B2', 'B3']);
	assert.deepEqual((await ok({ operation: 'findCells', ...on(m), range: 'A1:A5', find: '^[A-C]', options: { searchByRegex: true, matchCase: true } }))[0].matched_cells, ['A2', 'A4']);
	const badRegex = await run({ operation: 'findCells', ...on(m), find: '(', options: { searchByRegex: true } });
	assert.match(String(badRegex.error?.message), /not a valid regular expression/);

	const [cleared] = await ok({ operation: 'clearRange', ...on(m), range: 'B2:B3' });
	assert.deepEqual([cleared.cleared_range, cleared.cleared_rows], [`${m.sheets[0].sheet_id}!B2:B3`, 2]);
	assert.deepEqual((await stored(m)).map((r) => r[1]), ['City', null, null, 'Oslo', 'PARIS 2']);
	const [open] = await ok({ operation: 'clearRange', ...on(m), range: 'A2:B' });
	assert.equal(open.cleared_range, `${m.sheets[0].sheet_id}!A2:B200`, 'to the sheet\'s last row (its grid)');
	assert.deepEqual(await stored(m), [['Name', 'City']]);
});

test('the spreadsheet and sheet from a link; permission errors say what to do, with Feishu\'s message and log_id', async () => {
	const m = await make({ sheets: [{ title: 'S', values: [['a']] }] });
	// The sheet from the spreadsheet link's ?sheet= when the Sheet field is empty.
	const [raw] = await ok({ operation: 'readRange', spreadsheetToken: rl('url', `${m.url}?sheet=${m.sheets[0].sheet_id}`), sheetId: rl('list', ''), output: 'raw' });
	assert.deepEqual(raw.values, [['a']]);
	const wiki = await run({ operation: 'readRange', spreadsheetToken: rl('id', 'https://example.feishu.cn/wiki/wikcnAbCdEfGh'), sheetId: rl('id', 'abc') });
	assert.match(String(wiki.error?.message), /wiki link/);
	const noSheet = await run({ operation: 'readRange', ...on(m), sheetId: rl('id', 'nosuch') });
	assert.match(String(noSheet.error?.message), /^Feishu error 90215: SheetIdNotFound/);

	const closed = await make({ collaborators: {} });
	const r = await run({ operation: 'readRange', ...on(closed) });
	assert.ok(r.error instanceof NodeApiError);
	assert.equal(r.error.message, 'Feishu error 90213: PermissionFail');
	assert.match(String(r.error.description), /^The app may not open this spreadsheet: add it as a collaborator/);
	assert.match(String(r.error.description), /log_id: \d{14}[0-9A-F]{18}/);
	assert.equal(r.error.httpCode, '403');
	const v3 = await run({ operation: 'getSheets', spreadsheetToken: rl('id', closed.spreadsheet_token) });
	assert.match(String(v3.error?.message), /^Feishu error 1310213: Permission Fail/);
	assert.match(String((v3.error as NodeApiError).description), /^The app may not open this spreadsheet/);

	await control(sb, 'PUT', `sheets/spreadsheets/${closed.spreadsheet_token}/collaborators`, { collaborators: { [APP.appId]: 'read' } });
	assert.ifError((await run({ operation: 'readRange', ...on(closed) })).error);
	const write = await run({ operation: 'appendRows', ...on(closed) }, [{ json: { a: 1 } }]);
	assert.match(String(write.error?.message), /^Feishu error 90213/, 'reading is not writing');

	await control(sb, 'PUT', `apps/${APP.appId}/scopes`, { missing: ['sheets:spreadsheet', 'drive:drive'] });
	try {
		const scoped = await run({ operation: 'appendRows', ...on(m) }, [{ json: { a: 1 } }]);
		assert.ok(scoped.error instanceof NodeApiError);
		assert.match(scoped.error.message, /^Feishu error 99991672/);
		assert.match(String(scoped.error.description), /^The app lacks a permission \(scope\)/);
	} finally {
		await control(sb, 'PUT', `apps/${APP.appId}/scopes`, {});
	}
	const unknown = await run({ operation: 'getSpreadsheet', spreadsheetToken: rl('id', 'shtcnNoSuchSheet0000000000') });
	assert.match(String(unknown.error?.message), /^Feishu error 1310214/);
});

test('the Sheets nodes of the saved v1 workflow fixture run from their saved parameters', async () => {
	const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/workflow-v1-every-operation.json'), 'utf8')) as { nodes: { name: string; typeVersion: number; parameters: IDataObject }[] };
	await make({ spreadsheet_token: 'shtcnV1FixtureSheet000000000', sheets: [{ title: 'Fixture', sheet_id: 'v1Fix1' }] });
	const step = async (name: string, items: INodeExecutionData[] = [{ json: {} }]) => {
		const saved = fixture.nodes.find((n) => n.name === name);
		assert.ok(saved, name);
		assert.equal(saved.typeVersion, 1);
		const r = await runNode({ node, parameters: saved.parameters, items, credentialType, credentials: credentials as never, typeVersion: 1, name });
		assert.ifError(r.error);
		return r.output![0];
	};
	assert.equal((await step('Sheets Create Spreadsheet'))[0].json.title, 'saved with v1');
	assert.equal((await step('Sheets Get Spreadsheet'))[0].json.token, 'shtcnV1FixtureSheet000000000');
	assert.equal((await step('Sheets Add Sheet'))[0].json.title, 'Added with v1');
	assert.equal((await step('Sheets Get Many Sheets')).length, 1);
	assert.equal((await step('Sheets Write Range', [{ json: { Name: 'saved with v1', N: 1 } }]))[0].json.row, 2);
	assert.equal((await step('Sheets Append Rows', [{ json: { Name: 'appended', N: 2 } }]))[0].json.row, 3);
	assert.deepEqual((await step('Sheets Read Range')).map((i) => i.json.Name), ['saved with v1', 'appended']);
	assert.deepEqual((await step('Sheets Find Cells'))[0].json.matched_cells, ['A2']);
	assert.equal((await step('Sheets Clear Range'))[0].json.cleared_rows, 3);
});
