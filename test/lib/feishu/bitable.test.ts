// The wire layer's Bitable pieces: values converted both ways per field type, Base links parsed,
// search filters checked, and big batches against the sandbox (chunks of Feishu's cap, a chunk
// refused for one record halved until that record fails alone, an error that is not about a record
// stopping the rest unsent, client_token kept across a retry).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	batchCreateBitableRecords,
	bitableAppToken,
	bitableTableId,
	checkSearchFilter,
	FeishuApiClient,
	FeishuApiError,
	FeishuValidationError,
	fromBitableFields,
	parseBitableUrl,
	runBitableBatch,
	toBitableFields,
	toBitableValue,
	toTimestamp,
	type BitableFieldInfo,
	type BatchRun,
} from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { apiCalls, control, credsFor, sandbox } from '../../helpers/sandbox';

const f = (field_name: string, type: number, property?: BitableFieldInfo['property']): BitableFieldInfo => ({ field_name, type, property });

test('toBitableValue: each field type takes what a workflow has and sends Feishu\'s form', () => {
	assert.equal(toBitableValue(f('T', 1), 12), '12');
	assert.equal(toBitableValue(f('N', 2), '1,234.5'), 1234.5);
	assert.equal(toBitableValue(f('S', 3), ['only']), 'only');
	assert.deepEqual(toBitableValue(f('M', 4), 'a, b ,c'), ['a', 'b', 'c']);
	assert.deepEqual(toBitableValue(f('M', 4), '["x","y"]'), ['x', 'y']);
	assert.equal(toBitableValue(f('D', 5), '2024-05-01'), Date.parse('2024-05-01T00:00:00Z'));
	assert.equal(toBitableValue(f('D', 5), '2024-05-01T09:30:00+08:00'), Date.parse('2024-05-01T01:30:00Z'));
	assert.equal(toBitableValue(f('D', 5), 1714526400), 1714526400000, 'seconds become milliseconds');
	assert.equal(toBitableValue(f('D', 5), 1714526400000), 1714526400000);
	assert.equal(toBitableValue(f('D', 5), { toMillis: () => 42e11 }), 42e11, 'a Luxon DateTime');
	assert.equal(toBitableValue(f('C', 7), 'false'), false);
	assert.deepEqual(toBitableValue(f('U', 11), 'ou_a, ou_b'), [{ id: 'ou_a' }, { id: 'ou_b' }]);
	assert.deepEqual(toBitableValue(f('U', 11), [{ id: 'ou_c', name: 'C' }]), [{ id: 'ou_c' }], 'a person as Feishu answered it goes back by id');
	assert.deepEqual(toBitableValue(f('L', 15), 'https://x.test/a'), { link: 'https://x.test/a', text: 'https://x.test/a' });
	assert.deepEqual(toBitableValue(f('A', 17), 'boxcnAbCdEfGh12'), [{ file_token: 'boxcnAbCdEfGh12' }]);
	assert.deepEqual(toBitableValue(f('R', 18), 'rec1, rec2'), ['rec1', 'rec2']);
	assert.deepEqual(toBitableValue(f('G', 23), 'oc_abc'), [{ id: 'oc_abc' }]);
	assert.equal(toBitableValue(f('N', 2), null), null, 'null clears');
	for (const [field, value, why] of [
		[f('N', 2), 'many', /N: "many" is not a number/],
		[f('D', 5), 'soon', /D: "soon" is not a date/],
		[f('D', 5), '05/01/2024', /is not a date/],
		[f('C', 7), 'yes', /C: should be true or false/],
		[f('L', 15), 'x.test', /should be an http/],
		[f('R', 18), 'row 1', /"row 1" is not a record ID/],
		[f('G', 23), 'ou_x', /is not a group chat ID/],
		[f('F', 20), 1, /F: is a Formula field, which Feishu computes/],
		[f('A', 1005), '1', /AutoNumber field/],
	] as const) {
		assert.throws(() => toBitableValue(field, value), (e: unknown) => e instanceof FeishuValidationError && why.test(e.message));
	}
});

test('toBitableFields / fromBitableFields: by field name, unknown names refused or skipped, answers made plain', () => {
	const fields = [f('Name', 1), f('Due', 5), f('Link', 18), f('Total', 20), f('Web', 15), f('Made', 1001), f('Where', 22)];
	assert.deepEqual(toBitableFields(fields, { Name: 'x', Due: '2024-01-02', Web: undefined, Link: '' }), { Name: 'x', Due: Date.parse('2024-01-02') });
	assert.throws(() => toBitableFields(fields, { Nope: 1 }), /Nope: the table has no field of that name/);
	assert.deepEqual(toBitableFields(fields, { Nope: 1, Made: 'x', Name: 'y' }, { skipUnknown: true }), { Name: 'y' }, 'auto-mapped items: other keys and computed fields are left out');
	assert.deepEqual(
		fromBitableFields(fields, {
			Name: [{ text: 'Hello ', type: 'text' }, { text: 'world', type: 'mention' }],
			Due: 1704153600000,
			Link: [{ record_ids: ['recA', 'recB'], table_id: 'tblX', text: '', type: 'text' }],
			Total: { type: 2, value: [42] },
			Web: [{ link: 'https://x.test', text: 'x' }],
			Made: '1704153600000',
			Where: { location: '1,2', full_address: 'Somewhere' },
			Other: 'as is',
		}),
		{ Name: 'Hello world', Due: '2024-01-02T00:00:00.000Z', Link: ['recA', 'recB'], Total: 42, Web: { link: 'https://x.test', text: 'x' }, Made: '2024-01-02T00:00:00.000Z', Where: 'Somewhere', Other: 'as is' },
	);
	assert.deepEqual(fromBitableFields(fields, { Link: { link_record_ids: ['recC'] } }), { Link: ['recC'] }, 'get / list answer links this way');
	assert.throws(() => toTimestamp('When', 'tomorrow'), /When: "tomorrow" is not a date/);
});

test('Base links: the app token, table and view; a wiki link is refused with what to do', () => {
	assert.deepEqual(parseBitableUrl('https://acme.feishu.cn/base/bascnAbCdEfGh123?table=tblXyZ123&view=vewAbC123'), { appToken: 'bascnAbCdEfGh123', tableId: 'tblXyZ123', viewId: 'vewAbC123' });
	assert.deepEqual(parseBitableUrl('https://acme.larksuite.com/base/AbCdEfGh12345678/'), { appToken: 'AbCdEfGh12345678' });
	assert.equal(parseBitableUrl('bascnAbCdEfGh123'), undefined, 'not a link');
	assert.throws(() => parseBitableUrl('https://acme.feishu.cn/wiki/wikcnAbCdEf'), /wiki link/);
	assert.throws(() => parseBitableUrl('https://acme.feishu.cn/docx/AbCdEf'), /is not a Base link/);
	assert.equal(bitableAppToken(' bascnAbCdEfGh123 '), 'bascnAbCdEfGh123');
	assert.throws(() => bitableAppToken('../etc'), /is not an app token/);
	assert.throws(() => bitableAppToken(''), /Base: is required/);
	assert.equal(bitableTableId('https://acme.feishu.cn/base/bascnAbCdEfGh123?table=tblXyZ123'), 'tblXyZ123');
	assert.throws(() => bitableTableId('https://acme.feishu.cn/base/bascnAbCdEfGh123'), /names no table/);
});

test('checkSearchFilter: conjunction, operators and values as Feishu takes them, children one level deep', () => {
	assert.deepEqual(checkSearchFilter({ conditions: [{ field_name: 'A', operator: 'is', value: 3 }] }), { conjunction: 'and', conditions: [{ field_name: 'A', operator: 'is', value: ['3'] }] });
	assert.deepEqual(checkSearchFilter({ conjunction: 'or', children: [{ conjunction: 'and', conditions: [{ field_name: 'B', operator: 'isEmpty' }] }] }).children, [{ conjunction: 'and', conditions: [{ field_name: 'B', operator: 'isEmpty' }] }]);
	assert.throws(() => checkSearchFilter([]), /filter: should be an object/);
	assert.throws(() => checkSearchFilter({ conjunction: 'nor' }), /filter.conjunction: is "and" or "or"/);
	assert.throws(() => checkSearchFilter({ conditions: [{ field_name: 'A', operator: 'equals' }] }), /conditions\[0\].operator: is one of/);
	assert.throws(() => checkSearchFilter({ children: [{ children: [] }] }), /children nest one level deep/);
});

test('runBitableBatch: an error that is not about one record stops the chunks after it, unsent', async () => {
	const sent: number[][] = [];
	const refused = new FeishuApiError(91403, 'Forbidden', { httpStatus: 403 });
	const entries = Array.from({ length: 7 }, (_, k) => ({ index: k * 10, payload: k }));
	const stats: BatchRun = { requests: 0, splits: 0 };
	const out = await runBitableBatch(entries, 3, async (p) => {
		sent.push(p);
		if (sent.length === 2) throw refused;
		return p.map((x) => x * 2);
	}, stats);
	assert.deepEqual(sent, [[0, 1, 2], [3, 4, 5]], 'the third chunk is never sent');
	assert.deepEqual(out.map((o) => [o.index, o.ok]), [[0, true], [10, true], [20, true], [30, false], [40, false], [50, false], [60, false]]);
	assert.ok(out.slice(3).every((o) => !o.ok && o.error === refused));
	assert.deepEqual(stats, { requests: 2, splits: 0 });
});

let sb: Sandbox;
let client: FeishuApiClient;
let base: { app_token: string; tables: { table_id: string; record_ids: string[] }[] };
before(async () => {
	sb = await sandbox();
	client = new FeishuApiClient(credsFor(sb), { retryBaseDelayMs: 10 });
	base = await control(sb, 'POST', 'bitable/apps', { tables: [{ name: 'T', fields: [{ field_name: 'Name', type: 1 }, { field_name: 'N', type: 2 }, { field_name: 'Link', type: 18, property: { table_id: 'self' } }] }] });
});
after(() => sb.close());

test('runBitableBatch against the sandbox: 2,300 records in chunks of 1,000, two refused by Feishu found by halving', async () => {
	const ref = { appToken: base.app_token, tableId: base.tables[0].table_id };
	const entries = Array.from({ length: 2300 }, (_, k) => ({ index: k, payload: k === 10 || k === 1999 ? { Name: `bad ${k}`, Link: ['recNoSuchRecord1'] } : { Name: `row ${k}`, N: k } }));
	const stats: BatchRun = { requests: 0, splits: 0 };
	const before = (await apiCalls(sb)).length;
	const out = await runBitableBatch(entries, 1000, (records) => batchCreateBitableRecords(client, { ...ref, records }), stats);
	assert.equal(out.length, 2300);
	assert.deepEqual(out.filter((o) => !o.ok).map((o) => o.index), [10, 1999]);
	for (const o of out.filter((x) => !x.ok)) assert.equal((o as { error: FeishuApiError }).error.code, 1254067);
	const ok = out.filter((o): o is Extract<typeof o, { ok: true }> => o.ok);
	assert.equal(ok[5].result.fields.Name, 'row 5', 'each result is its own entry\'s record');
	const calls = (await apiCalls(sb)).slice(before).filter((c) => c.path.endsWith('/batch_create'));
	assert.equal(calls.length, stats.requests);
	assert.deepEqual(calls.slice(0, 1).map((c) => c.body.records.length), [1000]);
	assert.ok(calls.every((c) => c.body.records.length <= 1000));
	assert.ok(stats.splits >= 2 && stats.requests <= 45, `halving, not one request per record (${stats.requests} requests)`);
	const stored = (await control<{ records: unknown[] }>(sb, 'GET', `bitable/apps/${base.app_token}/tables/${ref.tableId}/records`)).records;
	assert.equal(stored.length, 2298);
});

test('batchCreateBitableRecords: a 5xx is retried with the same client_token; Feishu\'s limits checked first', async () => {
	const ref = { appToken: base.app_token, tableId: base.tables[0].table_id };
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 1, code: 1255001, http_status: 500, msg: 'InternalError' } });
	const made = await batchCreateBitableRecords(client, { ...ref, records: [{ Name: 'retried' }] });
	assert.equal(made.length, 1);
	const posts = (await apiCalls(sb)).filter((c) => c.path.endsWith('/batch_create')).slice(-2);
	assert.deepEqual(posts.map((c) => c.status), [500, 200]);
	assert.equal(posts[0].query.client_token, posts[1].query.client_token);
	await assert.rejects(batchCreateBitableRecords(client, { ...ref, records: [] }), /records: takes 1 to 1000 records per request, not 0/);
	await assert.rejects(batchCreateBitableRecords(client, { ...ref, records: Array.from({ length: 1001 }, () => ({})) }), /not 1001/);
});
