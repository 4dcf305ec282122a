// Bitable (Base) through the Feishu node against the sandbox: records (create, get, update, delete,
// create or update by a key field, search with the condition builder, JSON filters, sort, Return All
// / Limit over pages of 500), field values both ways (text, number, selects, ISO dates, checkbox,
// person, URL, link, attachment, formula read-only), the batch operations (2,500 records with three
// invalid ones: with Continue On Fail the valid ones land and the invalid ones are error items;
// without it the run stops), tables, fields and views, the Base and table from a link or the
// table list, the resource mapper's field list, and permission errors that say what to do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import type { Sandbox } from '../../../sandbox/server';
import { binaryItem, listSearch, runNode } from '../../helpers/executeContext';
import { APP, apiCalls, control, sandbox, tinyPng } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

const node = new Feishu();
const credentialType = new FeishuApi();
let sb: Sandbox;
let credentials: IDataObject;

interface MadeTable {
	table_id: string;
	name: string;
	view_id: string;
	fields: { field_id: string; field_name: string; type: number }[];
	record_ids: string[];
}
interface MadeBase {
	app_token: string;
	url: string;
	tables: MadeTable[];
}

const TASK_FIELDS = [
	{ field_name: 'Name', type: 1 },
	{ field_name: 'Amount', type: 2 },
	{ field_name: 'Status', type: 3, property: { options: [{ name: 'To Do' }, { name: 'Doing' }, { name: 'Done' }] } },
	{ field_name: 'Tags', type: 4, property: { options: [{ name: 'red' }, { name: 'blue' }] } },
	{ field_name: 'Due', type: 5 },
	{ field_name: 'Checked', type: 7 },
	{ field_name: 'Owner', type: 11 },
	{ field_name: 'Site', type: 15 },
	{ field_name: 'Files', type: 17 },
	{ field_name: 'Related', type: 18, property: { table_id: 'self' } },
	{ field_name: 'Created', type: 1001 },
];

let base: MadeBase;
let tasks: MadeTable;

async function makeBase(body: IDataObject = {}): Promise<MadeBase> {
	return control<MadeBase>(sb, 'POST', 'bitable/apps', { name: 'Test Base', tables: [{ name: 'Tasks', fields: TASK_FIELDS }], ...body });
}

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
	base = await makeBase();
	tasks = base.tables[0];
});
after(() => sb.close());

const rl = (mode: string, value: string) => ({ __rl: true, mode, value });
const run = (parameters: IDataObject, items?: INodeExecutionData[], continueOnFail = false) =>
	runNode({ node, parameters: { resource: 'bitable', ...parameters }, items, credentialType, credentials: credentials as never, typeVersion: 2, continueOnFail });
const on = (b: MadeBase, t: MadeTable) => ({ appToken: rl('url', `${b.url}?table=${t.table_id}&view=${t.view_id}`), tableId: rl('id', t.table_id) });
const defineBelow = (value: IDataObject, matchingColumns: string[] = []) => ({ mappingMode: 'defineBelow', value, matchingColumns, schema: [] });
async function ok(parameters: IDataObject, items?: INodeExecutionData[]) {
	const r = await run(parameters, items);
	assert.ifError(r.error);
	return r.output![0];
}
const stored = async (b: MadeBase, t: MadeTable) => (await control<{ records: { record_id: string; fields: IDataObject }[] }>(sb, 'GET', `bitable/apps/${b.app_token}/tables/${t.table_id}/records`)).records;

test('Create, Get, Update, Delete Record: values go in as n8n has them and come back plain', async () => {
	const [first] = await ok({ operation: 'createRecord', ...on(base, tasks), columns: defineBelow({ Name: 'First' }) });
	const [created] = await ok({
		operation: 'createRecord',
		...on(base, tasks),
		columns: defineBelow({
			Name: 'Write the docs',
			Amount: '1,250.5',
			Status: 'Doing',
			Tags: 'red, green',
			Due: '2024-05-01T09:30:00+08:00',
			Checked: 'true',
			Owner: 'ou_alice_000000000000000000000000',
			Site: 'https://example.com/docs',
			Related: first.json.record_id,
			Files: '',
		}),
	});
	const id = String(created.json.record_id);
	assert.match(id, /^rec/);
	const fields = created.json.fields as IDataObject;
	assert.equal(fields.Name, 'Write the docs');
	assert.equal(fields.Amount, 1250.5);
	assert.equal(fields.Status, 'Doing');
	assert.deepEqual(fields.Tags, ['red', 'green'], 'a new option is added, as Feishu does');
	assert.equal(fields.Due, '2024-05-01T01:30:00.000Z', 'ISO in, ISO (UTC) out');
	assert.equal(fields.Checked, true);
	assert.deepEqual((fields.Owner as IDataObject[]).map((o) => o.id), ['ou_alice_000000000000000000000000']);
	assert.deepEqual(fields.Site, { link: 'https://example.com/docs', text: 'https://example.com/docs' });
	assert.deepEqual(fields.Related, [first.json.record_id], 'links as record IDs');
	assert.match(String(fields.Created), /^\d{4}-\d\d-\d\dT/, 'the automatic created time, as ISO');
	assert.equal(fields.Files, undefined, 'an empty value is not sent');
	// What Feishu stored: a timestamp in ms, the select's names, the link's ids.
	const raw = (await stored(base, tasks)).find((r) => r.record_id === id)!;
	assert.equal(raw.fields.Due, Date.parse('2024-05-01T01:30:00Z'));
	assert.deepEqual(raw.fields.Related, { link_record_ids: [first.json.record_id] });

	const [got] = await ok({ operation: 'getRecord', ...on(base, tasks), recordId: id });
	assert.deepEqual(got.json.fields, fields);
	const [rawGot] = await ok({ operation: 'getRecord', ...on(base, tasks), recordId: id, simplify: false });
	assert.equal((rawGot.json.fields as IDataObject).Due, Date.parse('2024-05-01T01:30:00Z'), 'Simplify off: Feishu\'s own form');
	assert.equal((await apiCalls(sb)).filter((c) => c.path.endsWith('/records/batch_get')).length, 2, 'Get reads through batch_get');

	const [updated] = await ok({ operation: 'updateRecord', ...on(base, tasks), recordId: id, columns: defineBelow({ Status: 'Done', Amount: null }) });
	assert.equal((updated.json.fields as IDataObject).Status, 'Done');
	assert.equal((updated.json.fields as IDataObject).Amount, 1250.5, 'an empty value leaves the field as it is');
	const [cleared] = await ok({ operation: 'updateRecord', ...on(base, tasks), recordId: id, columns: defineBelow({ Amount: '' }), options: { clearEmpty: true } });
	assert.equal((cleared.json.fields as IDataObject).Amount, undefined, 'Clear Empty Fields: an empty value clears it');
	assert.equal((cleared.json.fields as IDataObject).Name, 'Write the docs', 'fields not given keep their values');

	// The record id from the item, as Search Records outputs it.
	const [deleted] = await ok({ operation: 'deleteRecord', ...on(base, tasks) }, [{ json: { record_id: id } }]);
	assert.deepEqual(deleted.json, { deleted: true, record_id: id });
	const gone = await run({ operation: 'getRecord', ...on(base, tasks), recordId: id });
	assert.ok(gone.error instanceof NodeOperationError);
	assert.match(gone.error.message, new RegExp(`no record ${id}`));
});

test('values a field cannot take are refused before sending, naming the field; formula fields are read-only', async () => {
	const before = (await apiCalls(sb)).length;
	for (const [value, why] of [
		[{ Amount: 'lots' }, /Amount: "lots" is not a number/],
		[{ Due: 'next tuesday' }, /Due: "next tuesday" is not a date/],
		[{ Site: 'example.com' }, /Site: should be an http/],
		[{ Nope: 'x' }, /Nope: the table has no field of that name/],
		[{ Created: '2024-01-01' }, /Created: is a CreatedTime field, which Feishu computes/],
	] as const) {
		const r = await run({ operation: 'createRecord', ...on(base, tasks), columns: defineBelow(value as IDataObject) });
		assert.ok(r.error instanceof NodeOperationError, String(r.error));
		assert.match(r.error.message, why);
	}
	const sent = (await apiCalls(sb)).slice(before).filter((c) => c.path.endsWith('/records'));
	assert.equal(sent.length, 0, 'nothing reached Feishu');

	// A formula over Amount, made through Create Field, computed on read and refused on write.
	const amount = tasks.fields.find((f) => f.field_name === 'Amount')!;
	const [formula] = await ok({ operation: 'createField', ...on(base, tasks), fieldName: 'Double', fieldType: 20, options: { formulaExpression: `bitable::$table[${tasks.table_id}].$field[${amount.field_id}]*2` } });
	assert.match(String(formula.json.field_id), /^fld/);
	const [rec] = await ok({ operation: 'createRecord', ...on(base, tasks), columns: defineBelow({ Name: 'Formula', Amount: 21 }) });
	assert.equal((rec.json.fields as IDataObject).Double, 42, 'the formula\'s result, unwrapped');
	const write = await run({ operation: 'updateRecord', ...on(base, tasks), recordId: rec.json.record_id, columns: defineBelow({ Double: 1 }) });
	assert.match(String(write.error?.message), /Double: is a Formula field, which Feishu computes/);
});

test('Upload Attachment: the file goes into the Base, then into the record\'s attachment field, after those already there', async () => {
	const [rec] = await ok({ operation: 'createRecord', ...on(base, tasks), columns: defineBelow({ Name: 'With files' }) });
	const png = tinyPng();
	for (const name of ['a.png', 'b.png']) {
		const [out] = await ok({ operation: 'uploadAttachment', ...on(base, tasks), attachmentField: 'Files' }, [binaryItem(png, name, 'image/png', { record_id: rec.json.record_id })]);
		assert.match(String(out.json.file_token), /^[A-Za-z0-9]{27}$/);
	}
	const [got] = await ok({ operation: 'getRecord', ...on(base, tasks), recordId: rec.json.record_id });
	const files = (got.json.fields as IDataObject).Files as IDataObject[];
	assert.deepEqual(files.map((f) => f.name), ['a.png', 'b.png']);
	assert.equal(files[0].size, png.length);
	const token = (await (await fetch(`${sb.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }) })).json()) as { tenant_access_token: string };
	const download = await fetch(String(files[1].url), { headers: { authorization: `Bearer ${token.tenant_access_token}` } });
	assert.deepEqual(Buffer.from(await download.arrayBuffer()), png, 'the stored file comes back byte for byte');
	const uploads = (await apiCalls(sb)).filter((c) => c.path === '/open-apis/drive/v1/medias/upload_all');
	assert.equal(uploads.at(-1)!.body.multipart.parent_type, 'bitable_image');
	assert.equal(uploads.at(-1)!.body.multipart.parent_node, base.app_token);

	const [replaced] = await ok({ operation: 'uploadAttachment', ...on(base, tasks), attachmentField: 'Files', options: { append: false } }, [binaryItem(Buffer.from('notes'), 'c.txt', 'text/plain', { record_id: rec.json.record_id })]);
	assert.deepEqual(((replaced.json.fields as IDataObject).Files as IDataObject[]).map((f) => f.name), ['c.txt']);
	const notAttachment = await run({ operation: 'uploadAttachment', ...on(base, tasks), attachmentField: 'Name' }, [binaryItem(png, 'x.png', 'image/png', { record_id: rec.json.record_id })]);
	assert.match(String(notAttachment.error?.message), /"Name" is not an attachment field/);
});

test('Search Records: conditions (all / any, dates as ISO or keywords), JSON filter, sort, Limit and Return All over pages of 500', async () => {
	const b = await makeBase();
	const t = b.tables[0];
	const day = (d: number) => `2024-03-${String(d).padStart(2, '0')}`;
	const items = Array.from({ length: 1200 }, (_, k) => ({ json: { Name: `Task ${k}`, Amount: k, Status: ['To Do', 'Doing', 'Done'][k % 3], Due: day((k % 28) + 1) } }));
	const made = await run({ operation: 'batchCreateRecords', ...on(b, t), columns: { mappingMode: 'autoMapInputData', value: null } }, items);
	assert.ifError(made.error);
	assert.equal(made.output![0].length, 1200);

	const search = (extra: IDataObject) => ok({ operation: 'searchRecords', ...on(b, t), ...extra });
	const done = await search({ filterType: 'conditions', conditions: { condition: [{ fieldName: 'Status', operator: 'is', value: 'Done' }, { fieldName: 'Amount', operator: 'isGreaterEqual', value: '1100' }] }, returnAll: true });
	assert.deepEqual(done.map((i) => (i.json.fields as IDataObject).Amount), Array.from({ length: 1200 }, (_, k) => k).filter((k) => k % 3 === 2 && k >= 1100));
	const either = await search({ filterType: 'conditions', conjunction: 'or', conditions: { condition: [{ fieldName: 'Amount', operator: 'isLess', value: '2' }, { fieldName: 'Name', operator: 'is', value: 'Task 1199' }] }, returnAll: true });
	assert.deepEqual(either.map((i) => (i.json.fields as IDataObject).Name), ['Task 0', 'Task 1', 'Task 1199']);
	const onDay = await search({ filterType: 'conditions', conditions: { condition: [{ fieldName: 'Due', operator: 'is', value: '2024-03-05' }] }, returnAll: true });
	assert.equal(onDay.length, 43, 'ExactDate: the records due that day');
	const search1 = (await apiCalls(sb)).filter((c) => c.path.endsWith('/records/search')).at(-1)!;
	assert.deepEqual(search1.body.filter.conditions[0].value, ['ExactDate', String(Date.parse('2024-03-05'))]);
	const past = await search({ filterType: 'conditions', conditions: { condition: [{ fieldName: 'Due', operator: 'isLess', value: 'today' }] }, limit: 3 });
	assert.equal(past.length, 3, 'a date keyword');

	const sorted = await search({ filterType: 'json', filterJson: JSON.stringify({ conjunction: 'and', conditions: [{ field_name: 'Status', operator: 'is', value: ['To Do'] }] }), sort: { field: [{ fieldName: 'Amount', direction: 'desc' }] }, limit: 5 });
	assert.deepEqual(sorted.map((i) => (i.json.fields as IDataObject).Amount), [1197, 1194, 1191, 1188, 1185]);
	const calls = (await apiCalls(sb)).filter((c) => c.path.endsWith('/records/search'));
	assert.equal(calls.at(-1)!.query.page_size, '5', 'Limit asks for no more than it needs');
	assert.deepEqual(calls.at(-1)!.body.sort, [{ field_name: 'Amount', desc: true }]);

	const before = calls.length;
	const all = await search({ returnAll: true, options: { fieldNames: 'Name, Amount' } });
	assert.equal(all.length, 1200);
	assert.equal(new Set(all.map((i) => i.json.record_id)).size, 1200, 'none twice');
	assert.deepEqual(Object.keys(all[0].json.fields as IDataObject).sort(), ['Amount', 'Name']);
	const pages = (await apiCalls(sb)).filter((c) => c.path.endsWith('/records/search')).slice(before);
	assert.deepEqual(pages.map((p) => p.query.page_size), ['500', '500', '500'], 'three pages of 500');

	const bad = await run({ operation: 'searchRecords', ...on(b, t), filterType: 'conditions', conditions: { condition: [{ fieldName: 'Nope', operator: 'is', value: 'x' }] } });
	assert.match(String(bad.error?.message), /no field "Nope"/);
	const badJson = await run({ operation: 'searchRecords', ...on(b, t), filterType: 'json', filterJson: '{"conjunction":"xor"}' });
	assert.match(String(badJson.error?.message), /conjunction: is "and" or "or"/);
	const refused = await run({ operation: 'searchRecords', ...on(b, t), filterType: 'json', filterJson: JSON.stringify({ conjunction: 'and', conditions: [{ field_name: 'Name', operator: 'isGreater', value: ['a'] }] }) });
	assert.ok(refused.error instanceof NodeApiError);
	assert.match(refused.error.message, /^Feishu error 1254018: InvalidFilter/, 'what Feishu refuses comes back as its error');
	// "FieldNam|eNotFound" holds ENOTFOUND: n8n's NodeApiError would say "incorrect host (domain)" instead.
	const unknownField = await run({ operation: 'searchRecords', ...on(b, t), filterType: 'none', options: { fieldNames: 'Name, Nowhere' } });
	assert.ok(unknownField.error instanceof NodeApiError, String(unknownField.error ?? JSON.stringify(unknownField.output)));
	assert.equal(unknownField.error.message, 'Feishu error 1254045: FieldNameNotFound: Nowhere');
	assert.match(String(unknownField.error.description), /no field of that name/);
});

test('Batch Create Records: 2,500 records with three invalid ones, with and without Continue On Fail', async () => {
	const b = await makeBase();
	const t = b.tables[0];
	const items: INodeExecutionData[] = Array.from({ length: 2500 }, (_, k) => ({ json: { Name: `Row ${k}`, Amount: k } }));
	items[7] = { json: { Name: 'bad amount', Amount: 'seven' } }; // caught before sending
	items[1500] = { json: { Name: 'bad date', Due: 'someday' } }; // caught before sending
	items[2100] = { json: { Name: 'bad link', Related: 'recDoesNotExist1' } }; // only Feishu knows: refused in its batch
	const params = { operation: 'batchCreateRecords', ...on(b, t), columns: { mappingMode: 'autoMapInputData', value: null } };

	// Without Continue On Fail: a value the node can check stops the run before anything is written.
	const stopped = await run(params, items, false);
	assert.ok(stopped.error instanceof NodeOperationError);
	assert.match(stopped.error.message, /Amount: "seven" is not a number/);
	assert.equal((stopped.error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex, 7);
	assert.equal((await stored(b, t)).length, 0, 'nothing landed');

	const before = (await apiCalls(sb)).length;
	const r = await run(params, items, true);
	assert.ifError(r.error);
	const out = r.output![0];
	assert.equal(out.length, 2500, 'one result per input item');
	out.forEach((item, k) => assert.deepEqual(item.pairedItem, { item: k }));
	const failed = out.map((item, k) => [k, item.json] as const).filter(([, json]) => json.error);
	assert.deepEqual(failed.map(([k]) => k), [7, 1500, 2100]);
	assert.match(String(failed[0][1].error), /Amount: "seven" is not a number/);
	assert.match(String(failed[1][1].error), /Due: "someday" is not a date/);
	assert.equal(failed[2][1].code, 1254067, 'Feishu\'s own code for the link');
	assert.match(String(failed[2][1].log_id), /^\d{14}[0-9A-F]{18}$/);
	assert.equal((out[2101].json.fields as IDataObject).Name, 'Row 2101');
	const rows = await stored(b, t);
	assert.equal(rows.length, 2497, 'every valid record landed');
	assert.equal(new Set(rows.map((row) => row.fields.Name)).size, 2497, 'none twice');
	const batches = (await apiCalls(sb)).slice(before).filter((c) => c.path.endsWith('/records/batch_create'));
	assert.ok(batches.every((c) => c.body.records.length <= 1000), 'at most 1,000 per request');
	assert.equal(batches.filter((c) => c.code === 0).reduce((n, c) => n + c.body.records.length, 0), 2497);
	assert.ok(batches.length < 30, `the bad record was found by halving its batch (${batches.length} requests)`);
	assert.equal((await apiCalls(sb)).slice(before).filter((c) => c.path.endsWith('/fields')).length, 1, 'the field list read once');

	// A value only Feishu refuses, without Continue On Fail: the run stops at that item.
	const late = await run(params, [{ json: { Name: 'fine' } }, { json: { Name: 'bad link', Related: 'recDoesNotExist2' } }], false);
	assert.ok(late.error instanceof NodeApiError);
	assert.match(late.error.message, /^Feishu error 1254067/);
	assert.equal((late.error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex, 1);
});

test('Batch Update and Batch Delete Records: one result per item, a missing record an error of its own', async () => {
	const b = await makeBase();
	const t = b.tables[0];
	const made = await ok({ operation: 'batchCreateRecords', ...on(b, t), columns: { mappingMode: 'autoMapInputData', value: null } }, Array.from({ length: 5 }, (_, k) => ({ json: { Name: `N${k}` } })));
	const ids = made.map((i) => String(i.json.record_id));
	const updates = ids.map((id, k) => ({ json: { record_id: k === 2 ? 'recMissing00001' : id, status: k % 2 ? 'Done' : 'Doing' } }));
	const r = await run({ operation: 'batchUpdateRecords', ...on(b, t), columns: defineBelow({ Status: '={{ $json.status }}' }) }, updates, true);
	assert.ifError(r.error);
	assert.deepEqual(r.output![0].map((i) => (i.json.fields as IDataObject | undefined)?.Status ?? i.json.code), ['Doing', 'Done', 1254043, 'Done', 'Doing']);
	assert.deepEqual(r.output![0].map((i) => (i.json.fields as IDataObject | undefined)?.Name), ['N0', 'N1', undefined, 'N3', 'N4'], 'other fields kept');

	const del = await run({ operation: 'batchDeleteRecords', ...on(b, t) }, [ids[0], 'recMissing00002', ids[4]].map((id) => ({ json: { record_id: id } })), true);
	assert.ifError(del.error);
	assert.deepEqual(del.output![0].map((i) => i.json.deleted ?? i.json.code), [true, 1254043, true]);
	assert.deepEqual((await stored(b, t)).map((row) => row.fields.Name).sort(), ['N1', 'N2', 'N3']);
});

test('Create or Update Record: by the key field, once created, then updated; two matches are an error', async () => {
	const b = await makeBase();
	const t = b.tables[0];
	const upsert = (value: IDataObject) => run({ operation: 'upsertRecord', ...on(b, t), columns: defineBelow(value, ['Name']) });
	const first = await upsert({ Name: 'ACME', Amount: 1 });
	assert.ifError(first.error);
	assert.equal(first.output![0][0].json.operation, 'created');
	const second = await upsert({ Name: 'ACME', Amount: 2 });
	assert.equal(second.output![0][0].json.operation, 'updated');
	assert.equal(second.output![0][0].json.record_id, first.output![0][0].json.record_id);
	assert.deepEqual((await stored(b, t)).map((row) => row.fields.Amount), [2]);
	await ok({ operation: 'createRecord', ...on(b, t), columns: defineBelow({ Name: 'ACME' }) });
	const twice = await upsert({ Name: 'ACME', Amount: 3 });
	assert.match(String(twice.error?.message), /2 records have "ACME": the key field should be unique/);
	const noKey = await run({ operation: 'upsertRecord', ...on(b, t), columns: defineBelow({ Name: 'x' }) });
	assert.match(String(noKey.error?.message), /Key Field/);
	const badKey = await run({ operation: 'upsertRecord', ...on(b, t), columns: defineBelow({ Tags: 'red' }, ['Tags']) });
	assert.match(String(badKey.error?.message), /"Tags" cannot identify a record/);
});

test('tables, fields and views: list, create, delete', async () => {
	const b = await makeBase();
	const [made] = await ok({ operation: 'createTable', appToken: rl('id', b.app_token), tableName: 'Orders', tableFields: { field: [{ fieldName: 'Order', type: 1 }, { fieldName: 'Total', type: 2 }] }, options: { defaultViewName: 'All orders' } });
	assert.match(String(made.json.table_id), /^tbl/);
	assert.equal(made.json.field_id_list && (made.json.field_id_list as string[]).length, 2);
	const tables = await ok({ operation: 'getTables', appToken: rl('url', b.url), returnAll: true });
	assert.deepEqual(tables.map((i) => i.json.name), ['Tasks', 'Orders']);
	const orders = { appToken: rl('id', b.app_token), tableId: rl('list', String(made.json.table_id)) };
	const fields = await ok({ operation: 'getFields', ...orders, returnAll: true });
	assert.deepEqual(fields.map((i) => [i.json.field_name, i.json.type_name, i.json.is_primary]), [['Order', 'Text', true], ['Total', 'Number', false]]);
	const [select] = await ok({ operation: 'createField', ...orders, fieldName: 'Stage', fieldType: 3, options: { selectOptions: 'New, Paid, Shipped' } });
	assert.deepEqual(((select.json.property as IDataObject).options as IDataObject[]).map((o) => o.name), ['New', 'Paid', 'Shipped']);
	const dup = await run({ operation: 'createField', ...orders, fieldName: 'Stage', fieldType: 1 });
	assert.match(String(dup.error?.message), /^Feishu error 1254014/);
	const link = await run({ operation: 'createField', ...orders, fieldName: 'Task', fieldType: 18 });
	assert.match(String(link.error?.message), /Linked Table ID/);
	const views = await ok({ operation: 'getViews', ...orders, returnAll: true });
	assert.deepEqual(views.map((i) => [i.json.view_name, i.json.view_type]), [['All orders', 'grid']]);
	const limited = await ok({ operation: 'getFields', ...orders, limit: 2 });
	assert.equal(limited.length, 2);

	const [deleted] = await ok({ operation: 'deleteTable', ...orders });
	assert.deepEqual(deleted.json, { table_id: made.json.table_id, deleted: true });
	assert.deepEqual((await ok({ operation: 'getTables', appToken: rl('id', b.app_token), returnAll: true })).map((i) => i.json.name), ['Tasks']);
	const last = await run({ operation: 'deleteTable', appToken: rl('id', b.app_token), tableId: rl('id', b.tables[0].table_id) });
	assert.match(String(last.error?.message), /^Feishu error 1254002/, 'the last table stays');
});

test('the Base and table from a link, the table from the list; the resource mapper shows the table\'s fields', async () => {
	const edit = (parameters: IDataObject) => ({ node, credentialType, credentials: credentials as never, typeVersion: 2, parameters: { resource: 'bitable', operation: 'createRecord', ...parameters } });
	const listed = await listSearch(edit({ appToken: rl('url', base.url) }), 'searchBitableTables');
	assert.deepEqual(listed.results, [{ name: 'Tasks', value: tasks.table_id }]);
	assert.deepEqual((await listSearch(edit({ appToken: rl('id', base.app_token) }), 'searchBitableTables', 'nothing like it')).results, []);

	// The resource mapper's method, called as the editor calls it.
	const mapping = { description: node.description, methods: { listSearch: { fields: node.methods.resourceMapping.getBitableFields } } } as unknown as INodeType;
	const mapped = (await listSearch({ ...edit({ ...on(base, tasks) }), node: mapping }, 'fields')) as unknown as { fields: IDataObject[] };
	const byId = Object.fromEntries(mapped.fields.map((f) => [f.id, f]));
	assert.deepEqual(Object.keys(byId).slice(0, 11), TASK_FIELDS.map((f) => f.field_name));
	assert.equal(byId.Amount.type, 'number');
	assert.equal(byId.Due.type, 'dateTime');
	assert.equal(byId.Checked.type, 'boolean');
	assert.deepEqual(byId.Status.options, ['To Do', 'Doing', 'Done'].map((v) => ({ name: v, value: v })));
	assert.equal(byId.Created.readOnly, true);
	assert.equal(byId.Name.canBeUsedToMatch, true);
	assert.equal(byId.Tags.canBeUsedToMatch, false);
	assert.match(String(byId.Owner.displayName), /^Owner \(User: open_ids/);
	const none = (await listSearch({ ...edit({ appToken: rl('url', base.url), tableId: rl('list', '') }), node: mapping }, 'fields')) as unknown as { fields: unknown[]; emptyFieldsNotice: string };
	assert.deepEqual(none.fields, []);
	assert.match(none.emptyFieldsNotice, /Choose the Base and the table/);

	// Links pasted in the ID modes work too; a wiki link is refused with what to do.
	const [one] = await ok({ operation: 'searchRecords', appToken: rl('id', base.url), tableId: rl('id', `${base.url}?table=${tasks.table_id}`), limit: 1 });
	assert.match(String(one.json.record_id), /^rec/);
	const wiki = await run({ operation: 'searchRecords', appToken: rl('id', 'https://example.feishu.cn/wiki/wikcnAbCdEfGh'), tableId: rl('id', tasks.table_id) });
	assert.match(String(wiki.error?.message), /wiki link/);
	const bad = await run({ operation: 'searchRecords', appToken: rl('url', 'https://example.feishu.cn/docx/abc'), tableId: rl('id', tasks.table_id) });
	assert.match(String(bad.error?.message), /Base parameter's value is invalid/);
});

test('permission errors say what to do: not a collaborator (91403), read-only collaborator writing, a missing scope', async () => {
	const closed = await control<MadeBase>(sb, 'POST', 'bitable/apps', { name: 'Closed', collaborators: {}, tables: [{ name: 'T' }] });
	const r = await run({ operation: 'searchRecords', ...on(closed, closed.tables[0]) });
	assert.ok(r.error instanceof NodeApiError);
	assert.equal(r.error.message, 'Feishu error 91403: Forbidden');
	assert.match(String(r.error.description), /^The app may not open this Base: add it as a collaborator/);
	assert.match(String(r.error.description), /log_id: \d{14}[0-9A-F]{18}/);
	assert.equal(r.error.httpCode, '403');

	await control(sb, 'PUT', `bitable/apps/${closed.app_token}/collaborators`, { collaborators: { [APP.appId]: 'read' } });
	assert.ifError((await run({ operation: 'searchRecords', ...on(closed, closed.tables[0]) })).error);
	const write = await run({ operation: 'createRecord', ...on(closed, closed.tables[0]), columns: defineBelow({ Text: 'x' }) });
	assert.match(String(write.error?.message), /^Feishu error 91403/, 'reading is not writing');

	await control(sb, 'PUT', `apps/${APP.appId}/scopes`, { missing: ['bitable:app', 'base:record:create'] });
	try {
		const scoped = await run({ operation: 'createRecord', ...on(base, tasks), columns: defineBelow({ Name: 'x' }) });
		assert.ok(scoped.error instanceof NodeApiError);
		assert.match(scoped.error.message, /^Feishu error 99991672/);
		assert.match(String(scoped.error.description), /^The app lacks a permission \(scope\)/);
	} finally {
		await control(sb, 'PUT', `apps/${APP.appId}/scopes`, {});
	}
	const unknownBase = await run({ operation: 'getTables', appToken: rl('id', 'bascnNoSuchBase000000000000') });
	assert.match(String(unknownBase.error?.message), /^Feishu error 1254040/);
});

test('the Bitable nodes of the saved v1 workflow fixture run from their saved parameters', async () => {
	const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/workflow-v1-every-operation.json'), 'utf8')) as { nodes: { name: string; typeVersion: number; parameters: IDataObject }[] };
	await control(sb, 'POST', 'bitable/apps', { app_token: 'bascnV1FixtureBase0000000000', tables: [{ table_id: 'tblV1Fixture0001', name: 'Fixture', fields: [{ field_name: 'Name', type: 1 }, { field_name: 'Files', type: 17 }] }, { name: 'Spare' }] });
	const step = async (name: string, items: INodeExecutionData[] = [{ json: {} }]) => {
		const saved = fixture.nodes.find((n) => n.name === name);
		assert.ok(saved, name);
		assert.equal(saved.typeVersion, 1);
		const r = await runNode({ node, parameters: saved.parameters, items, credentialType, credentials: credentials as never, typeVersion: 1, name });
		assert.ifError(r.error);
		assert.equal(r.output![0].length, 1, `${name}: one item`);
		return r.output![0][0];
	};
	const created = await step('Bitable Create Record');
	assert.deepEqual(created.json.fields, { Name: 'saved with v1' });
	const item = [created];
	assert.equal((await step('Bitable Search Records')).json.record_id, created.json.record_id);
	assert.equal((await step('Bitable Get Record', item)).json.record_id, created.json.record_id);
	assert.equal((await step('Bitable Update Record', item)).json.record_id, created.json.record_id);
	assert.equal((await step('Bitable Create or Update Record')).json.operation, 'updated');
	assert.match(String((await step('Bitable Upload Attachment', [binaryItem(tinyPng(), 'v1.png', 'image/png', created.json)])).json.file_token), /^[A-Za-z0-9]{27}$/);
	const batch = await step('Bitable Batch Create Records', [{ json: { Name: 'batch v1' } }]);
	assert.equal((await step('Bitable Batch Update Records', [batch])).json.record_id, batch.json.record_id);
	assert.equal((await step('Bitable Batch Delete Records', [batch])).json.deleted, true);
	assert.equal((await step('Bitable Delete Record', item)).json.deleted, true);
	assert.equal((await step('Bitable Get Many Tables')).json.table_id, 'tblV1Fixture0001');
	assert.equal((await step('Bitable Get Many Fields')).json.field_name, 'Name');
	assert.equal((await step('Bitable Get Many Views')).json.view_type, 'grid');
	assert.equal((await step('Bitable Create Field')).json.field_name, 'v1 fixture field');
	assert.match(String((await step('Bitable Create Table')).json.table_id), /^tbl/);
	assert.equal((await step('Bitable Delete Table')).json.deleted, true);
});

test('Batch Create Records stays within Feishu\'s rate limit: a refused request waits for the reset and goes again', async () => {
	const slow = await sandbox({ rateLimitPerSecond: 2 });
	try {
		const b = await control<MadeBase>(slow, 'POST', 'bitable/apps', { tables: [{ name: 'T', fields: [{ field_name: 'Name', type: 1 }] }] });
		const creds = { ...credentials, baseUrl: slow.baseUrl };
		const items = Array.from({ length: 3500 }, (_, k) => ({ json: { Name: `r${k}` } }));
		const started = Date.now();
		const r = await runNode({ node, parameters: { resource: 'bitable', operation: 'batchCreateRecords', ...on(b, b.tables[0]), columns: { mappingMode: 'autoMapInputData', value: null } }, items, credentialType, credentials: creds as never, typeVersion: 2 });
		assert.ifError(r.error);
		assert.equal(r.output![0].filter((i) => i.json.record_id).length, 3500);
		const calls = (await apiCalls(slow)).filter((c) => c.path.endsWith('/batch_create'));
		assert.deepEqual(calls.map((c) => c.status), [200, 200, 429, 200, 200], 'four chunks; the third waited once');
		assert.ok(Date.now() - started >= 900, 'it waited for x-ogw-ratelimit-reset');
		assert.equal((await control<{ records: unknown[] }>(slow, 'GET', `bitable/apps/${b.app_token}/tables/${b.tables[0].table_id}/records`)).records.length, 3500, 'none twice');
	} finally {
		await slow.close();
	}
});

test('Batch Create Records reads a parameter set without an expression once per batch, one with an expression per item (items into two tables)', async () => {
	const b = await control<MadeBase>(sb, 'POST', 'bitable/apps', { tables: [{ name: 'A', fields: [{ field_name: 'Name', type: 1 }] }, { name: 'B', fields: [{ field_name: 'Name', type: 1 }] }] });
	const [a, c] = b.tables;
	const items = Array.from({ length: 6 }, (_, k) => ({ json: { Name: `n${k}`, table: k % 2 ? c.table_id : a.table_id } }));
	const made = await ok({ operation: 'batchCreateRecords', appToken: rl('id', b.app_token), tableId: rl('id', '={{ $json.table }}'), columns: { mappingMode: 'autoMapInputData', value: null } }, items);
	assert.equal(made.filter((i) => i.json.record_id).length, 6);
	const names = async (t: MadeTable) => (await stored(b, t)).map((r) => r.fields.Name).sort();
	assert.deepEqual(await names(a), ['n0', 'n2', 'n4']);
	assert.deepEqual(await names(c), ['n1', 'n3', 'n5']);
});
