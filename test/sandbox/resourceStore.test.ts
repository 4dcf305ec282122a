// The generic resource store over plain HTTP: families registered from imported schemas (Bitable tables
// and records here, through SandboxOptions.resources; Task v2 built in) get validated requests, records
// per app and per parent path, Feishu's envelope and paging, the configured not-found code, hooks,
// call recording, rate limits and /_sandbox/reset.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../sandbox/openApi';
import { partialUpdate, type ResourceFamily } from '../../sandbox/resourceStore';
import { loadSchemas } from '../../sandbox/schemaValidator';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { APP, control } from '../helpers/sandboxTests';

const bitable = loadSchemas('bitable_v1');

const RECORDS: ResourceFamily = {
	schemas: bitable,
	family: 'bitable.v1.appTableRecord',
	resource: 'record',
	idField: 'record_id',
	idPrefix: 'rec',
	// Configured for this test; the store answers whatever a family declares.
	notFound: { code: 1254043, msg: 'RecordIdNotFound' },
	page: { defaultSize: 4, maxSize: 5 },
};

// Hooks: create unwraps `{table}`, answers with ids only (as Bitable does), list sorts by name,
// validate refuses a name with a family-specific code, view hides an internal field.
const TABLES: ResourceFamily = {
	schemas: bitable,
	family: 'bitable.v1.appTable',
	resource: 'table',
	idField: 'table_id',
	idPrefix: 'tbl',
	notFound: { code: 1254041, msg: 'TableIdNotFound', httpStatus: 404 },
	hooks: {
		validate: ({ op, body }) => {
			const name = op === 'create' ? (body.table as { name?: string } | undefined)?.name : body.name;
			if (name === 'forbidden') throw new ApiError(400, 1254013, 'TableNameDuplicated');
		},
		create: (body) => ({ ...(body.table as object), revision: 1, internal: 'not shown' }),
		update: (record, body) => ({ ...partialUpdate(record, body, 'table'), revision: Number(record.revision) + 1 }),
		view: ({ internal, ...table }) => (void internal, table),
		list: (tables) => [...tables].sort((a, b) => String(a.name).localeCompare(String(b.name))),
		data: (op, table) => (op === 'create' ? { table_id: table.table_id, default_view_id: 'vew_default' } : undefined),
	},
};

const OTHER_APP = { app_id: 'cli_00000000000000bb', app_secret: 'other-secret' };

let sb: Sandbox;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true, resources: [RECORDS, TABLES] });
	await control(sb.baseUrl, 'POST', 'apps', OTHER_APP);
});
after(() => sb.close());

async function token(appId = APP.appId, appSecret = APP.appSecret): Promise<string> {
	const r = await fetch(`${sb.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: appId, app_secret: appSecret }) });
	return ((await r.json()) as any).tenant_access_token;
}

async function call(method: string, path: string, tok: string, body?: unknown, base = sb.baseUrl) {
	const res = await fetch(`${base}${path}`, {
		method,
		headers: { authorization: `Bearer ${tok}`, ...(body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}) },
		body: body !== undefined ? JSON.stringify(body) : undefined,
	});
	return { status: res.status, logId: res.headers.get('x-tt-logid'), json: (await res.json()) as any };
}

const REC = '/open-apis/bitable/v1/apps/bascnApp1/tables';

test('create / get / update (PUT) / delete with Feishu envelopes, prefixed ids and the configured not-found code', async () => {
	const tok = await token();
	const created = await call('POST', `${REC}/tblA/records?user_id_type=open_id`, tok, { fields: { Name: 'first', Score: 3 } });
	assert.equal(created.status, 200);
	assert.equal(created.json.code, 0);
	assert.equal(created.json.msg, 'success');
	const id = created.json.data.record.record_id;
	assert.match(id, /^rec[0-9a-f]{32}$/);
	assert.deepEqual(created.json.data.record, { fields: { Name: 'first', Score: 3 }, record_id: id });
	assert.match(String(created.logId), /^\d{14}[0-9A-F]{18}$/);

	const got = await call('GET', `${REC}/tblA/records/${id}`, tok);
	assert.deepEqual(got.json, { code: 0, msg: 'success', data: { record: { fields: { Name: 'first', Score: 3 }, record_id: id } } });

	// Without update_fields, the body is merged into the record (PUT style): `fields` is replaced.
	const updated = await call('PUT', `${REC}/tblA/records/${id}`, tok, { fields: { Name: 'renamed' } });
	assert.deepEqual(updated.json.data.record, { fields: { Name: 'renamed' }, record_id: id });

	// The record lives in its table: the same id under another table is unknown.
	const elsewhere = await call('GET', `${REC}/tblB/records/${id}`, tok);
	assert.deepEqual([elsewhere.status, elsewhere.json.code, elsewhere.json.msg], [400, 1254043, 'RecordIdNotFound']);
	assert.match(elsewhere.json.error.log_id, /^\d{14}/);

	const deleted = await call('DELETE', `${REC}/tblA/records/${id}`, tok);
	assert.deepEqual(deleted.json, { code: 0, msg: 'success', data: {} });
	const gone = await call('GET', `${REC}/tblA/records/${id}`, tok);
	assert.deepEqual([gone.status, gone.json.code], [400, 1254043]);
	const again = await call('DELETE', `${REC}/tblA/records/${id}`, tok);
	assert.equal(again.json.code, 1254043, 'deleting twice: not found');
});

test('records are per app: another app neither sees nor changes them', async () => {
	const mine = await token();
	const theirs = await token(OTHER_APP.app_id, OTHER_APP.app_secret);
	const { json } = await call('POST', `${REC}/tblShared/records`, mine, { fields: { Owner: 'me' } });
	const id = json.data.record.record_id;
	assert.equal((await call('GET', `${REC}/tblShared/records/${id}`, theirs)).json.code, 1254043);
	assert.equal((await call('PUT', `${REC}/tblShared/records/${id}`, theirs, { fields: { Owner: 'them' } })).json.code, 1254043);
	assert.deepEqual((await call('GET', `${REC}/tblShared/records`, theirs)).json.data, { items: [], has_more: false, page_token: '' });
	assert.deepEqual((await call('GET', `${REC}/tblShared/records/${id}`, mine)).json.data.record.fields, { Owner: 'me' });
});

test('list pages through pageOf: page_size up to the family maximum, opaque page_token, empty token on the last page', async () => {
	const tok = await token();
	const ids: string[] = [];
	for (let i = 0; i < 7; i++) ids.push((await call('POST', `${REC}/tblPaged/records`, tok, { fields: { n: i } })).json.data.record.record_id);
	const seen: string[] = [];
	let pageToken = '';
	let pages = 0;
	do {
		const { json } = await call('GET', `${REC}/tblPaged/records?page_size=3${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`, tok);
		assert.equal(json.code, 0);
		pages++;
		seen.push(...json.data.items.map((r: any) => r.record_id));
		assert.equal(json.data.has_more, pages < 3);
		pageToken = json.data.page_token;
		if (!json.data.has_more) assert.equal(pageToken, '');
	} while (pageToken);
	assert.deepEqual(seen, ids, 'every record once, oldest first');
	assert.equal(pages, 3);
	assert.equal((await call('GET', `${REC}/tblPaged/records`, tok)).json.data.items.length, 4, "the family's default page size");
	const tooBig = await call('GET', `${REC}/tblPaged/records?page_size=6`, tok);
	assert.deepEqual([tooBig.status, tooBig.json.code, tooBig.json.error.field_violations], [400, 99992402, [{ field: 'page_size', description: 'page_size must be between 1 and 5' }]]);
	const forged = await call('GET', `${REC}/tblPaged/records?page_token=forged`, tok);
	assert.deepEqual(forged.json.error.field_violations, [{ field: 'page_token', description: 'page_token is invalid' }]);
	const notNumber = await call('GET', `${REC}/tblPaged/records?page_size=many`, tok);
	assert.deepEqual(notNumber.json.error.field_violations, [{ field: 'page_size', description: 'page_size must be a number, got "many"' }]);
});

test('requests are validated against the endpoint schema before anything is stored', async () => {
	const tok = await token();
	const missing = await call('POST', `${REC}/tblV/records`, tok, { other: 1 });
	assert.equal(missing.status, 400);
	assert.equal(missing.json.code, 99992402);
	assert.equal(missing.json.msg, 'field validation failed');
	assert.deepEqual(missing.json.error.field_violations, [{ field: 'fields', description: 'fields is required' }]);
	const several = await call('POST', `${REC}/tblV/records?user_id_type=email&ignore_consistency_check=maybe`, tok, { fields: 'Name=x' });
	assert.deepEqual(several.json.error.field_violations, [
		{ field: 'user_id_type', description: 'user_id_type must be one of open_id, union_id, user_id' },
		{ field: 'ignore_consistency_check', description: 'ignore_consistency_check must be true or false, got "maybe"' },
		{ field: 'fields', description: 'fields must be an object, got string' },
	]);
	const notJson = await fetch(`${sb.baseUrl}${REC}/tblV/records`, { method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: '{"fields":' });
	assert.deepEqual([notJson.status, ((await notJson.json()) as any).code], [400, 9499]);
	assert.deepEqual((await call('GET', `${REC}/tblV/records`, tok)).json.data.items, [], 'nothing was stored');
	const noToken = await fetch(`${sb.baseUrl}${REC}/tblV/records`);
	assert.equal(((await noToken.json()) as any).code, 99991661, 'auth comes first, as for every Open API route');
});

test('hooks shape records, answers, order and errors; update bumps through the hook', async () => {
	const tok = await token();
	const base = '/open-apis/bitable/v1/apps/bascnHooks/tables';
	const created = await call('POST', base, tok, { table: { name: 'Zeta' } });
	assert.deepEqual(Object.keys(created.json.data).sort(), ['default_view_id', 'table_id']);
	const zeta = created.json.data.table_id;
	assert.match(zeta, /^tbl[0-9a-f]{32}$/);
	await call('POST', base, tok, { table: { name: 'Alpha' } });
	const listed = await call('GET', base, tok);
	assert.deepEqual(
		listed.json.data.items.map((t: any) => [t.name, t.revision, 'internal' in t]),
		[
			['Alpha', 1, false],
			['Zeta', 1, false],
		],
	);
	const patched = await call('PATCH', `${base}/${zeta}`, tok, { name: 'Omega' });
	assert.deepEqual(patched.json.data.table, { name: 'Omega', revision: 2, table_id: zeta });
	const refused = await call('POST', base, tok, { table: { name: 'forbidden' } });
	assert.deepEqual([refused.status, refused.json.code, refused.json.msg], [400, 1254013, 'TableNameDuplicated']);
	const missing = await call('DELETE', `${base}/tblnothing`, tok);
	assert.deepEqual([missing.status, missing.json.code], [404, 1254041], 'a family may answer not-found with HTTP 404');
});

test('a family whose default page is larger than its maximum is refused at registration', async () => {
	await assert.rejects(startSandbox({ port: 0, quiet: true, resources: [{ ...RECORDS, family: 'bitable.v1.appTableField', page: { defaultSize: 10, maxSize: 5 } }] }), /default page size 10 is above the maximum 5/);
	await assert.rejects(startSandbox({ port: 0, quiet: true, resources: [{ ...RECORDS, family: 'bitable.v1.nothing' }] }), /bitable_v1 has no endpoints for bitable\.v1\.nothing/);
});

test('partialUpdate follows Feishu’s update_fields: listed fields take the new value, listed fields without one are cleared', () => {
	const record = { guid: 'g', summary: 'old', description: 'keep?', extra: 'x' };
	assert.deepEqual(partialUpdate(record, { task: { summary: 'new', extra: 'ignored' }, update_fields: ['summary', 'description'] }, 'task'), { guid: 'g', summary: 'new', extra: 'x' });
	assert.deepEqual(partialUpdate(record, { summary: 'merged' }, 'task'), { ...record, summary: 'merged' });
	assert.deepEqual(partialUpdate(record, { task: { extra: 'wrapped' } }, 'task'), { ...record, extra: 'wrapped' });
	assert.equal(record.summary, 'old', 'the stored record is not modified in place');
});

test('Task v2 hooks: server fields, status from completed_at, completed filter, 1470400 checks, 1470404 with HTTP 404', async () => {
	const tok = await token();
	const T = '/open-apis/task/v2/tasks';
	const created = await call('POST', `${T}?user_id_type=open_id`, tok, { summary: 'Write the report', client_token: 'once', members: [{ id: 'ou_1', role: 'assignee' }], unknown_field: true });
	assert.equal(created.json.code, 0);
	const task = created.json.data.task;
	assert.match(task.guid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
	assert.match(task.task_id, /^t\d+$/);
	assert.deepEqual([task.summary, task.status, task.completed_at, task.description], ['Write the report', 'todo', '0', '']);
	assert.deepEqual(task.creator, { id: APP.appId, type: 'app', role: 'creator' });
	assert.deepEqual(task.members, [{ id: 'ou_1', role: 'assignee' }]);
	assert.equal(task.created_at, task.updated_at);
	assert.equal('client_token' in task, false, 'the idempotency key is not part of the task');
	assert.equal(task.unknown_field, true, 'unknown fields are not refused (and, like any field sent, kept)');

	const done = await call('PATCH', `${T}/${task.guid}`, tok, { task: { completed_at: '1700000000000', description: 'ignored: not listed' }, update_fields: ['completed_at'] });
	assert.deepEqual([done.json.data.task.status, done.json.data.task.completed_at, done.json.data.task.description], ['done', '1700000000000', '']);
	const open = (await call('POST', T, tok, { summary: 'Still open' })).json.data.task;
	const onlyDone = (await call('GET', `${T}?completed=true`, tok)).json.data.items.map((t: any) => t.guid);
	const onlyOpen = (await call('GET', `${T}?completed=false`, tok)).json.data.items.map((t: any) => t.guid);
	assert.ok(onlyDone.includes(task.guid) && !onlyDone.includes(open.guid));
	assert.ok(onlyOpen.includes(open.guid) && !onlyOpen.includes(task.guid));

	const noTimestamp = await call('POST', T, tok, { summary: 'x', due: { is_all_day: true } });
	assert.deepEqual([noTimestamp.status, noTimestamp.json.code, noTimestamp.json.msg], [400, 1470400, "Invalid Param 'due.timestamp', param is required."]);
	const badRole = await call('POST', T, tok, { summary: 'x', members: [{ id: 'ou_1', role: 'owner' }] });
	assert.deepEqual([badRole.json.code, badRole.json.msg], [1470400, "Invalid Param 'members', role is invalid. Only 'assignee', 'follower' are supported."]);
	const clearSummary = await call('PATCH', `${T}/${open.guid}`, tok, { task: {}, update_fields: ['summary'] });
	assert.deepEqual([clearSummary.json.code, clearSummary.json.msg], [1470400, "Invalid Param 'summary', param is required."]);
	const tooLong = await call('POST', T, tok, { summary: 'x'.repeat(3001) });
	assert.deepEqual(tooLong.json.error.field_violations, [{ field: 'summary', description: 'summary must be at most 3000 characters' }]);

	const unknown = await call('GET', `${T}/00000000-0000-4000-8000-000000000000`, tok);
	assert.deepEqual([unknown.status, unknown.json.code], [404, 1470404]);
	const pageTooBig = await call('GET', `${T}?page_size=101`, tok);
	assert.equal(pageTooBig.json.error.field_violations[0].description, 'page_size must be between 1 and 100');
});

test('calls are recorded with their codes; /_sandbox/reset clears the records', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const tok = await token();
	const { json } = await call('POST', `${REC}/tblR/records`, tok, { fields: { a: 1 } });
	await call('POST', `${REC}/tblR/records`, tok, {});
	const calls = (await control(sb.baseUrl, 'GET', 'calls')).calls.filter((c: any) => c.path.startsWith('/open-apis/bitable/'));
	assert.deepEqual(
		calls.map((c: any) => [c.method, c.path, c.status, c.code, c.app_id]),
		[
			['POST', `${REC}/tblR/records`, 200, 0, APP.appId],
			['POST', `${REC}/tblR/records`, 400, 99992402, APP.appId],
		],
	);
	assert.deepEqual(calls[0].body, { fields: { a: 1 } });
	await control(sb.baseUrl, 'POST', 'reset');
	assert.equal((await call('GET', `${REC}/tblR/records/${json.data.record.record_id}`, tok)).json.code, 1254043);
});

test('the per-app, per-endpoint rate limit applies to schema-driven routes', async () => {
	const limited = await startSandbox({ port: 0, quiet: true, rateLimitPerSecond: 2, rateLimitPerMinute: 100 });
	try {
		const r = await fetch(`${limited.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }) });
		const tok = ((await r.json()) as any).tenant_access_token;
		const codes: number[] = [];
		for (let i = 0; i < 3; i++) codes.push((await call('POST', '/open-apis/task/v2/tasks', tok, { summary: `t${i}` }, limited.baseUrl)).json.code);
		assert.deepEqual(codes, [0, 0, 99991400]);
		const list = await call('GET', '/open-apis/task/v2/tasks', tok, undefined, limited.baseUrl);
		assert.equal(list.json.data.items.length, 2, 'another endpoint has its own budget');
	} finally {
		await limited.close();
	}
});
