// The wire layer's Bitable pieces: values converted both ways per field type (dates written as
// toISOString writes them), Base links parsed, search filters checked, the work on one answer done
// while the next request is on the wire (batch chunks, search pages), and big batches against the
// sandbox (chunks of Feishu's cap, a chunk refused for one record halved until that record fails
// alone, an error that is not about a record stopping the rest unsent, client_token kept across a
// retry).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	batchCreateBitableRecords,
	bitableAppToken,
	bitableTableId,
	checkSearchFilter,
	collectPages,
	delay,
	FeishuApiClient,
	FeishuApiError,
	FeishuValidationError,
	fromBitableFields,
	parseBitableUrl,
	runBitableBatch,
	streamBitableBatch,
	toBitableFields,
	toBitableValue,
	toTimestamp,
	type BitableFieldInfo,
	type BatchRun,
} from '../../../lib/feishu';
import { isoTime } from '../../../lib/feishu/isoTime';
import { collectConvertedPages } from '../../../lib/feishu/overlap';
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
	const empties = { Name: null, Due: undefined, Link: [], Where: '', Web: 'https://x.test' };
	assert.deepEqual(toBitableFields(fields, empties, { empty: 'omit' }), { Web: { link: 'https://x.test', text: 'https://x.test' } }, 'every empty value left out');
	assert.deepEqual(toBitableFields(fields, empties, { empty: 'clear' }), { Name: null, Due: null, Link: null, Where: null, Web: { link: 'https://x.test', text: 'https://x.test' } }, 'every empty value clears its field');
	assert.throws(() => toBitableFields(fields, { Made: null }, { empty: 'clear' }), /Made: is a CreatedTime field/, 'clearing a computed field is refused');
	assert.deepEqual(toBitableFields(fields, { Made: null, Nope: [] }, { empty: 'clear', skipUnknown: true }), {}, 'unless auto-mapped');
});

test('isoTime: what toISOString writes, over years 1-10100 and random moments; other values go to toISOString', () => {
	const wrong: number[] = [];
	const days = (from: number, to: number, step: number) => {
		for (let day = from; day < to; day += step) {
			const ms = day * 86_400_000 + ((day * 7919) % 86_400_000);
			if (isoTime(ms) !== new Date(ms).toISOString()) wrong.push(ms);
		}
	};
	days(-719_162, 2_970_000, 7); // every 7th day: each day of the month and leap rule comes round
	days(-355_000, -354_000, 1); // around 1000-01-01, where the fast path starts
	days(2_932_000, 2_933_500, 1); // around 10000-01-01, where it ends
	days(-1_000, 20_000, 1); // 1967 to 2024
	for (let k = 0; k < 100_000; k++) {
		const ms = Math.floor((Math.random() - 0.3) * 4e14);
		if (isoTime(ms) !== new Date(ms).toISOString()) wrong.push(ms);
	}
	assert.deepEqual(wrong.slice(0, 5), []);
	for (const ms of [0, -0, -1, 1, 8.64e15, -8.64e15, 1714521600000.5]) assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
	for (const ms of [8.64e15 + 1, NaN, Infinity]) assert.throws(() => isoTime(ms), RangeError);
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

/** A send whose answers the test gives: each call waits for `answer(k)` (its results) or `fail(k)`. */
function heldSend<T, R>(results: (payloads: T[]) => R[]) {
	const calls: { payloads: T[]; resolve: (r: R[]) => void; reject: (e: unknown) => void }[] = [];
	const waiters: (() => void)[] = [];
	const send = (payloads: T[]) =>
		new Promise<R[]>((resolve, reject) => {
			calls.push({ payloads, resolve, reject });
			waiters.splice(0).forEach((w) => w());
		});
	const sent = async (n: number) => {
		while (calls.length < n) await new Promise<void>((r) => waiters.push(r));
	};
	return { calls, send, sent, answer: (k: number) => calls[k].resolve(results(calls[k].payloads)), fail: (k: number, e: unknown) => calls[k].reject(e) };
}

test('streamBitableBatch: a chunk\'s outcomes are handed over while the next chunk is on the wire, the last before it resolves', async () => {
	const entries = Array.from({ length: 7 }, (_, k) => ({ index: k, payload: k }));
	const held = heldSend<number, number>((p) => p.map((x) => x * 10));
	const log: string[] = [];
	const out: number[] = [];
	const run = streamBitableBatch(entries, 3, held.send, (outcomes) => {
		log.push(`settled ${outcomes.map((o) => o.index).join(',')} with ${held.calls.length} sent`);
		for (const o of outcomes) out[o.index] = o.ok ? o.result : -1;
	});
	await held.sent(1);
	held.answer(0);
	await held.sent(2);
	assert.deepEqual(log, [], 'nothing handed over before the next request went out');
	await delay(5);
	assert.deepEqual(log, ['settled 0,1,2 with 2 sent'], 'the first chunk, while the second is unanswered');
	held.answer(1);
	await held.sent(3);
	held.answer(2);
	await run;
	assert.deepEqual(log, ['settled 0,1,2 with 2 sent', 'settled 3,4,5 with 3 sent', 'settled 6 with 3 sent']);
	assert.deepEqual(out, [0, 10, 20, 30, 40, 50, 60]);
});

test('streamBitableBatch: split, failed and unsent chunks are handed over too; an error thrown there stops no chunk and comes out at the end', async () => {
	const recordError = new FeishuApiError(1254067, 'LinkFieldConvFail');
	const refused = new FeishuApiError(91403, 'Forbidden', { httpStatus: 403 });
	const entries = Array.from({ length: 10 }, (_, k) => ({ index: k * 2, payload: k }));
	const sent: number[][] = [];
	const seen: number[] = [];
	const ok = new Map<number, boolean>();
	await streamBitableBatch(entries, 4, async (p) => {
		sent.push(p);
		if (p.includes(1)) throw recordError;
		if (p.includes(5)) throw refused;
		return p.map((x) => -x);
	}, (outcomes) => {
		seen.push(...outcomes.map((o) => o.index));
		for (const o of outcomes) ok.set(o.index, o.ok);
	});
	const out = await runBitableBatch(entries, 4, async (p) => {
		if (p.includes(1)) throw recordError;
		if (p.includes(5)) throw refused;
		return p.map((x) => -x);
	});
	assert.deepEqual(entries.map((e) => ok.get(e.index)), out.map((o) => o.ok), 'the same outcomes as runBitableBatch gives in order');
	assert.deepEqual(sent, [[0, 1, 2, 3], [0, 1], [0], [1], [2, 3], [4, 5, 6, 7]], 'the last chunk is never sent');
	assert.deepEqual([...seen].sort((a, b) => a - b), entries.map((e) => e.index), 'every outcome once');
	assert.deepEqual(out.map((o) => o.ok), [true, false, true, true, false, false, false, false, false, false]);
	assert.ok(out.slice(4).every((o) => !o.ok && o.error === refused));

	const sentAfter: number[][] = [];
	const boom = new Error('output conversion failed');
	await assert.rejects(
		streamBitableBatch(entries, 2, async (p) => (sentAfter.push(p), p), () => {
			throw boom;
		}),
		(e) => e === boom,
	);
	assert.deepEqual(sentAfter, [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]], 'every chunk still sent');
});

test('collectConvertedPages: the pages, limit and errors of collectPages, a page converted while the next one is fetched', async () => {
	const pages: Record<string, { items: number[]; has_more: boolean; page_token?: string }> = {
		'': { items: [1, 2, 3], has_more: true, page_token: 'b' },
		b: { items: [4, 5, 6], has_more: true, page_token: 'c' },
		c: { items: [7], has_more: false },
	};
	const log: string[] = [];
	let pageOneConverted!: () => void;
	const converted = new Promise<void>((resolve) => (pageOneConverted = resolve));
	const fetchPage = async (token: string | undefined) => {
		log.push(`fetch ${token ?? ''}`);
		// Page b answers once page 1 is converted, not after a race of timers a loaded machine can lose;
		// the 1 s fallback makes an implementation that waits for page b before converting fail, not hang.
		await (token === 'b' ? Promise.race([converted, delay(1000)]) : delay(3));
		log.push(`got ${token ?? ''}`);
		return pages[token ?? ''];
	};
	const convert = (n: number) => {
		log.push(`convert ${n}`);
		if (n === 3) pageOneConverted();
		return `#${n}`;
	};
	assert.deepEqual(await collectConvertedPages(fetchPage, convert), ['#1', '#2', '#3', '#4', '#5', '#6', '#7']);
	assert.deepEqual(log.slice(0, 6), ['fetch ', 'got ', 'fetch b', 'convert 1', 'convert 2', 'convert 3'], 'page 1 converted after page 2 was asked for');
	assert.ok(log.indexOf('convert 1') < log.indexOf('got b'));
	for (const limit of [1, 3, 4, 7, 50]) assert.deepEqual(await collectConvertedPages(fetchPage, String, limit), (await collectPages(fetchPage, limit)).map(String), `limit ${limit}`);
	log.length = 0;
	await collectConvertedPages(fetchPage, String, 3);
	assert.deepEqual(log, ['fetch ', 'got '], 'no page past the limit');

	const looping = async (token: string | undefined) => ({ items: [token ?? 'a'], has_more: true, page_token: 'same' });
	await assert.rejects(collectConvertedPages(looping, String), /sent a page_token it sent before/);
	await assert.rejects(collectConvertedPages(async () => ({ items: [1], has_more: true }), String), /sent no page_token/);
	const asked: (string | undefined)[] = [];
	const failing = (token: string | undefined) => (asked.push(token), fetchPage(token));
	await assert.rejects(
		collectConvertedPages(failing, (n: number) => {
			if (n === 2) throw new Error('cannot convert 2');
			return n;
		}),
		/cannot convert 2/,
	);
	assert.deepEqual(asked, [undefined, 'b', 'c'], 'a failed conversion stops no page');
	const refused = new FeishuApiError(91403, 'Forbidden');
	await assert.rejects(collectConvertedPages(async (t) => (t ? Promise.reject(refused) : pages['']), String), (e) => e === refused);
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
