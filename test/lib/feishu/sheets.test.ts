// The wire layer's Sheets pieces: A1 ranges, spreadsheet links, values checked against Feishu's limits,
// rows to objects and back, and against the sandbox: a read, a write, an append (INSERT_ROWS vs
// OVERWRITE), a clear of an open range over more than 5,000 rows in several writes, and find.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	appendRows,
	cellOf,
	checkValues,
	clearRange,
	columnIndex,
	columnName,
	FeishuApiClient,
	FeishuValidationError,
	findCells,
	formatA1,
	objectsToRows,
	parseA1,
	parseSheetsUrl,
	readRange,
	rowsToObjects,
	sheetRange,
	spreadsheetTokenOf,
	writeRange,
} from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { apiCalls, control, credsFor, sandbox } from '../../helpers/sandbox';

test('A1 ranges: columns both ways, the four forms Feishu takes, and what it does not', () => {
	assert.deepEqual([columnIndex('A'), columnIndex('Z'), columnIndex('AA'), columnIndex('CV')], [0, 25, 26, 99]);
	assert.deepEqual([columnName(0), columnName(25), columnName(26), columnName(701), columnName(702)], ['A', 'Z', 'AA', 'ZZ', 'AAA']);
	assert.deepEqual(parseA1('a1:c10'), { startColumn: 0, startRow: 1, endColumn: 2, endRow: 10 });
	assert.deepEqual(parseA1('A:C'), { startColumn: 0, endColumn: 2 });
	assert.deepEqual(parseA1('B2:D'), { startColumn: 1, startRow: 2, endColumn: 3 });
	assert.deepEqual(parseA1('B3'), { startColumn: 1, startRow: 3, endColumn: 1, endRow: 3 });
	assert.equal(parseA1(''), undefined);
	assert.equal(formatA1(parseA1('B2:D')!), 'B2:D');
	assert.equal(sheetRange('6e5ed3', 'a1:b2'), '6e5ed3!A1:B2');
	assert.equal(sheetRange('6e5ed3', ''), '6e5ed3');
	for (const bad of ['A0:B2', 'C1:A1', 'A5:A2', '1:1', 'A1:B2:C3', 'Sheet1!A1']) assert.throws(() => parseA1(bad), FeishuValidationError, bad);
	assert.throws(() => sheetRange('a/b', 'A1:B2'), /not a sheet ID/);
});

test('spreadsheet links: token and ?sheet=, the bare token, and a wiki link refused with what to do', () => {
	assert.deepEqual(parseSheetsUrl('https://acme.feishu.cn/sheets/shtcnAbCdEfGhIjKl?sheet=6e5ed3&from=x'), { spreadsheetToken: 'shtcnAbCdEfGhIjKl', sheetId: '6e5ed3' });
	assert.deepEqual(parseSheetsUrl('https://acme.larksuite.com/sheets/shtcnAbCdEfGhIjKl'), { spreadsheetToken: 'shtcnAbCdEfGhIjKl' });
	assert.equal(parseSheetsUrl('shtcnAbCdEfGhIjKl'), undefined);
	assert.equal(spreadsheetTokenOf(' shtcnAbCdEfGhIjKl '), 'shtcnAbCdEfGhIjKl');
	assert.throws(() => spreadsheetTokenOf('https://acme.feishu.cn/wiki/wikcnAbCdEf'), /wiki link/);
	assert.throws(() => spreadsheetTokenOf('https://acme.feishu.cn/base/bascnAbCdEf'), /not a spreadsheet link/);
	assert.throws(() => spreadsheetTokenOf('../etc'), /not a spreadsheet token/);
});

test('values: Feishu\'s limits per write, rows to objects by the header row and back', () => {
	assert.throws(() => checkValues([]), /has no rows/);
	assert.throws(() => checkValues([1, 2]), /list of rows/);
	assert.throws(() => checkValues(Array.from({ length: 5001 }, () => ['x'])), /5001 rows; Feishu writes at most 5000/);
	assert.throws(() => checkValues([Array.from({ length: 101 }, () => 1)]), /101 cells; Feishu writes at most 100 columns/);
	assert.throws(() => checkValues([['ok'], ['ok', 'x'.repeat(50_001)]]), /cell B2 has 50001 characters/);
	assert.equal(checkValues([['a', 1, null]]).length, 1);

	const { headers, rows } = rowsToObjects([['Name', '', 'Name', 'Qty'], ['Ann', 'x', 'dup', 2], [null, null, null, null], ['Bob']], 1);
	assert.deepEqual(headers, ['Name', 'C', 'Name_3', 'Qty'], 'an empty header is the column\'s letter; a repeated one gets its position');
	assert.deepEqual(rows, [{ Name: 'Ann', C: 'x', Name_3: 'dup', Qty: 2 }, { Name: 'Bob', C: null, Name_3: null, Qty: null }], 'empty rows left out');
	assert.deepEqual(objectsToRows([{ b: 2, a: 'x', c: true }, { a: { type: 'url', text: 't', link: 'https://e.x' } }], ['a', 'b', 'c']), [['x', 2, 'TRUE'], [{ type: 'url', text: 't', link: 'https://e.x' }, null, null]]);
	assert.equal(cellOf([1, 2]), '[1,2]');
	assert.equal(cellOf({ a: 1 }), '{"a":1}');
});

let sb: Sandbox;
let client: FeishuApiClient;
let token: string;
let sheet: string;
before(async () => {
	sb = await sandbox();
	client = new FeishuApiClient(credsFor(sb));
	const made = await control<{ spreadsheet_token: string; sheets: { sheet_id: string }[] }>(sb, 'POST', 'sheets/spreadsheets', { sheets: [{ title: 'Data', row_count: 12_000, values: [['h1', 'h2'], ['a', 1], ['b', 2]] }] });
	token = made.spreadsheet_token;
	sheet = made.sheets[0].sheet_id;
});
after(() => sb.close());

test('read, write, append (INSERT_ROWS moves what is below; OVERWRITE writes over it) against the sandbox', async () => {
	const read = await readRange(client, { spreadsheetToken: token, range: `${sheet}!A1:B`, valueRenderOption: 'ToString' });
	assert.deepEqual(read.values, [['h1', 'h2'], ['a', 1], ['b', 2]]);
	assert.equal(read.range, `${sheet}!A1:B3`);
	const written = await writeRange(client, { spreadsheetToken: token, range: `${sheet}!D1:D2`, values: [['below'], ['x']] });
	assert.deepEqual([written.updatedRange, written.updatedCells], [`${sheet}!D1:D2`, 2]);

	const inserted = await appendRows(client, { spreadsheetToken: token, range: `${sheet}!A1:B`, values: [['c', 3]] });
	assert.equal(inserted.updates.updatedRange, `${sheet}!A4:B4`);
	const overwritten = await appendRows(client, { spreadsheetToken: token, range: `${sheet}!C1:D`, values: [['o1', 'o2']], insertDataOption: 'OVERWRITE' });
	assert.equal(overwritten.updates.updatedRange, `${sheet}!C3:D3`, 'row 3 is the first whose C:D cells are all empty');
	assert.deepEqual((await readRange(client, { spreadsheetToken: token, range: `${sheet}!A1:D4` })).values, [['h1', 'h2', null, 'below'], ['a', 1, null, 'x'], ['b', 2, 'o1', 'o2'], ['c', 3, null, null]], 'INSERT_ROWS added row 4 under A:B; OVERWRITE moved nothing');
	await assert.rejects(appendRows(client, { spreadsheetToken: token, range: `${sheet}!A1:B`, values: [['x']], insertDataOption: 'SOMETIMES' as never }), /Insert Data Option/);
	await assert.rejects(writeRange(client, { spreadsheetToken: token, range: `${sheet}!A1:A1`, values: [['a', 'b']] }), /Feishu error 90202/);
});

test('clearRange: an open range ends at the sheet\'s last row, written empty in parts of 5,000 rows; findCells', async () => {
	const found = await findCells(client, { spreadsheetToken: token, sheetId: sheet, range: sheet, find: 'b', matchEntireCell: true });
	assert.deepEqual(found.matched_cells, ['A3']);
	const before = (await apiCalls(sb)).length;
	const cleared = await clearRange(client, { spreadsheetToken: token, range: `${sheet}!A2:B` });
	assert.deepEqual([cleared.clearedRange, cleared.requests], [`${sheet}!A2:B12001`, 3]);
	const calls = (await apiCalls(sb)).slice(before);
	assert.deepEqual(calls.map((c) => `${c.method} ${c.path.split('/').slice(-2).join('/')}`), [`GET sheets/${sheet}`, `PUT ${token}/values`, `PUT ${token}/values`, `PUT ${token}/values`]);
	assert.deepEqual(calls.slice(1).map((c) => c.body.valueRange.range), [`${sheet}!A2:B5001`, `${sheet}!A5002:B10001`, `${sheet}!A10002:B12001`]);
	assert.deepEqual((await readRange(client, { spreadsheetToken: token, range: `${sheet}!A1:B` })).values, [['h1', 'h2']]);
});
