// The real Feishu Trigger on document events (drive.file.bitable_record_changed_v1, drive.file.edit_v1)
// against the in-process sandbox, both transports: the subscription it makes on activation and ends
// on deactivation, one run per record change with the record, the spreadsheet edit, and the refusals.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject, IHookFunctions, INode } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';
import { APP_ID, APP_SECRET, control, sleep, startTestSandbox, waitFor } from '../../helpers/hubSandbox';
import { createTriggerHarness, startWebhookServer, type WebhookServer } from '../../helpers/triggerContext';
import type { Sandbox } from '../../../sandbox/server';

// The explicit .ts: without it the resolver picks FeishuTrigger.node.json (the codex file).
const { FeishuTrigger } = require('../../../nodes/FeishuTrigger/FeishuTrigger.node.ts') as typeof import('../../../nodes/FeishuTrigger/FeishuTrigger.node');
const node = new FeishuTrigger();

const TOKEN = 'sandbox-verification-token';
const ENCRYPT_KEY = 'sandbox-encrypt-key';
const RECORD_CHANGED = 'drive.file.bitable_record_changed_v1';
const FILE_EDITED = 'drive.file.edit_v1';

let sandbox: Sandbox;
const servers: WebhookServer[] = [];
before(async () => {
	sandbox = await startTestSandbox();
});
after(async () => {
	await Promise.all(servers.map((s) => s.close()));
	await sandbox.close();
});

const credentials = () => ({ appId: APP_ID, appSecret: APP_SECRET, domain: 'custom', baseUrl: sandbox.baseUrl, encryptKey: ENCRYPT_KEY, verificationToken: TOKEN });

interface Base {
	app_token: string;
	url: string;
	tables: { table_id: string; fields: { field_id: string; field_name: string }[] }[];
}

async function newBase(collaborators: unknown = 'all'): Promise<{ appToken: string; url: string; tableId: string; fieldId: (name: string) => string }> {
	const base = await control<Base>(sandbox, 'POST', 'bitable/apps', {
		name: 'Orders',
		collaborators,
		tables: [{ name: 'Orders', fields: [{ field_name: 'Name', type: 1 }, { field_name: 'Qty', type: 2 }] }],
	});
	const table = base.tables[0];
	return { appToken: base.app_token, url: `${base.url}?table=${table.table_id}`, tableId: table.table_id, fieldId: (name) => table.fields.find((f) => f.field_name === name)!.field_id };
}

async function subscriptions(): Promise<{ file_token: string; file_type: string }[]> {
	return (await control(sandbox, 'GET', `drive/subscriptions?app_id=${APP_ID}`)).subscriptions;
}

const records = (appToken: string, tableId: string) => `bitable/apps/${appToken}/tables/${tableId}/records`;

test('long connection: subscribes on activation, one run per record change with the record, unsubscribes on close', async () => {
	const base = await newBase();
	const h = createTriggerHarness({ node, parameters: { events: [RECORD_CHANGED], documents: base.url }, credentials: credentials() });
	const { closeFunction } = await h.run();
	try {
		assert.deepEqual((await subscriptions()).filter((s) => s.file_token === base.appToken).map((s) => s.file_type), ['bitable']);

		const added = await control(sandbox, 'POST', records(base.appToken, base.tableId), { fields: { Name: 'Tea', Qty: 2 } });
		const [first] = await h.waitForEmits(1);
		assert.equal(first.json.event_type, RECORD_CHANGED);
		assert.equal(first.json.file_token, base.appToken);
		assert.equal(first.json.file_type, 'bitable');
		assert.equal(first.json.table_id, base.tableId);
		assert.equal(first.json.record_id, added.record_id);
		assert.equal(first.json.action, 'record_added');
		const [change] = first.json.records as IDataObject[];
		assert.deepEqual(change.before, {});
		assert.deepEqual(change.after, { [base.fieldId('Name')]: [{ text: 'Tea', type: 'text' }], [base.fieldId('Qty')]: 2 });
		// The payload as Feishu sends it is there too: field values as JSON strings.
		const raw = (first.json.event as IDataObject).action_list as IDataObject[];
		assert.equal(typeof (raw[0].after_value as IDataObject[])[0].field_value, 'string');
		assert.ok((first.json.operator as IDataObject).open_id, 'the person who made the change');

		await control(sandbox, 'PUT', `${records(base.appToken, base.tableId)}/${added.record_id}`, { fields: { Qty: 5 } });
		const [, second] = await h.waitForEmits(2);
		assert.equal(second.json.action, 'record_edited');
		assert.equal(second.json.record_id, added.record_id);
		const edit = (second.json.records as IDataObject[])[0];
		assert.deepEqual(edit.before, { [base.fieldId('Qty')]: 2 }, 'only the changed field');
		assert.deepEqual(edit.after, { [base.fieldId('Qty')]: 5 });
		assert.deepEqual(edit.changed_field_ids, [base.fieldId('Qty')]);

		await control(sandbox, 'DELETE', `${records(base.appToken, base.tableId)}/${added.record_id}`, {});
		const [, , third] = await h.waitForEmits(3);
		assert.equal(third.json.action, 'record_deleted');
		assert.deepEqual((third.json.records as IDataObject[])[0].after, {});
		await sleep(200);
		assert.equal(h.emitted.length, 3, 'exactly one run per change (the file edits that come with them are not selected)');
		assert.equal(new Set(h.emitted.map((e) => e.json.event_id)).size, 3);
	} finally {
		await closeFunction!();
	}
	assert.equal((await subscriptions()).filter((s) => s.file_token === base.appToken).length, 0, 'unsubscribed on close');
});

test('long connection: a change through the Bitable API runs the workflow too; another Base\'s changes do not', async () => {
	const watched = await newBase();
	const other = await newBase();
	const h = createTriggerHarness({ node, parameters: { events: [RECORD_CHANGED], documents: watched.appToken }, credentials: credentials() });
	const o = createTriggerHarness({ node, parameters: { events: [RECORD_CHANGED], documents: other.appToken }, credentials: credentials(), nodeId: 'node-2' });
	const a = await h.run();
	const b = await o.run();
	try {
		const token = (await (await fetch(`${sandbox.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: APP_ID, app_secret: APP_SECRET }) })).json() as { tenant_access_token: string }).tenant_access_token;
		const created = (await (
			await fetch(`${sandbox.baseUrl}/open-apis/bitable/v1/apps/${watched.appToken}/tables/${watched.tableId}/records`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
				body: JSON.stringify({ fields: { Name: 'Coffee' } }),
			})
		).json()) as { code: number; data: { record: { record_id: string } } };
		assert.equal(created.code, 0);
		await control(sandbox, 'POST', records(other.appToken, other.tableId), { fields: { Name: 'Elsewhere' } });
		const [run] = await h.waitForEmits(1);
		assert.equal(run.json.record_id, created.data.record.record_id);
		const [otherRun] = await o.waitForEmits(1);
		assert.equal(otherRun.json.file_token, other.appToken);
		await sleep(200);
		assert.equal(h.emitted.length, 1, 'the other Base\'s change is not this trigger\'s');
	} finally {
		await a.closeFunction!();
		await b.closeFunction!();
	}
});

test('long connection: a subscribe refusal fails the activation with the fix; no connection or subscription is left', async () => {
	const base = await newBase({});
	const h = createTriggerHarness({ node, parameters: { events: [RECORD_CHANGED], documents: base.url }, credentials: credentials() });
	await assert.rejects(h.run(), (e: Error & { description?: string }) => {
		assert.match(e.message, /Could not subscribe to Base .*91403/);
		assert.match(String(e.description), /Add Document App/);
		return true;
	});
	assert.equal((await subscriptions()).filter((s) => s.file_token === base.appToken).length, 0);
	await waitFor('no connection left', async () => (await control(sandbox, 'GET', `connections?app_id=${APP_ID}`)).connections.every((c: IDataObject) => !c.open));
});

test('long connection: without Documents the activation says what to add; a missing scope names the scopes', async () => {
	const none = createTriggerHarness({ node, parameters: { events: [RECORD_CHANGED], documents: '' }, credentials: credentials() });
	await assert.rejects(none.run(), /Add the Base or spreadsheet links under Documents/);
	const wiki = createTriggerHarness({ node, parameters: { events: [RECORD_CHANGED], documents: 'https://x.feishu.cn/wiki/wikcnAbCdEf123' }, credentials: credentials() });
	await assert.rejects(wiki.run(), /wiki link/);

	const base = await newBase();
	await control(sandbox, 'PUT', `apps/${APP_ID}/scopes`, { missing: ['docs:doc', 'docs:event:subscribe', 'drive:drive', 'sheets:spreadsheet'] });
	try {
		const h = createTriggerHarness({ node, parameters: { events: [RECORD_CHANGED], documents: base.url }, credentials: credentials() });
		await assert.rejects(h.run(), (e: Error & { description?: string }) => {
			assert.match(e.message, /99991672/);
			assert.match(String(e.description), /docs:event:subscribe/);
			return true;
		});
	} finally {
		await control(sandbox, 'PUT', `apps/${APP_ID}/scopes`, {});
	}
});

test('long connection: repeated activations share the subscription; deactivation never fails, even when Feishu refuses the unsubscribe', async () => {
	const base = await newBase({ [APP_ID]: 'edit' });
	const one = createTriggerHarness({ node, parameters: { events: [RECORD_CHANGED], documents: base.url }, credentials: credentials(), nodeId: 'a' });
	const two = createTriggerHarness({ node, parameters: { events: [RECORD_CHANGED], documents: base.url }, credentials: credentials(), nodeId: 'b' });
	const a = await one.run();
	const b = await two.run();
	assert.equal((await subscriptions()).filter((s) => s.file_token === base.appToken).length, 1, 'subscribing twice leaves one subscription');
	await a.closeFunction!();
	assert.equal((await subscriptions()).filter((s) => s.file_token === base.appToken).length, 1, 'the other trigger still needs it');
	// The app lost its access meanwhile: Feishu refuses the unsubscribe (91403); closing still succeeds.
	await control(sandbox, 'PUT', `bitable/apps/${base.appToken}/collaborators`, { collaborators: {} });
	await b.closeFunction!();
	assert.equal(two.errors.length, 0);
});

test('long connection: a person\'s spreadsheet edit (drive.file.edit_v1) with the sheet and operator', async () => {
	const sheet = await control(sandbox, 'POST', 'drive/files', { file_type: 'sheet' });
	const h = createTriggerHarness({ node, parameters: { events: [FILE_EDITED], documents: sheet.url }, credentials: credentials() });
	const { closeFunction } = await h.run();
	try {
		assert.deepEqual((await subscriptions()).filter((s) => s.file_token === sheet.file_token).map((s) => s.file_type), ['sheet']);
		await control(sandbox, 'POST', `drive/files/${sheet.file_token}/edit`, { sheet_id: 'a1b2c3' });
		const [run] = await h.waitForEmits(1);
		assert.equal(run.json.event_type, FILE_EDITED);
		assert.equal(run.json.file_token, sheet.file_token);
		assert.equal(run.json.file_type, 'sheet');
		assert.equal(run.json.sheet_id, 'a1b2c3');
		assert.ok((run.json.operator as IDataObject).open_id);
	} finally {
		await closeFunction!();
	}
	assert.equal((await subscriptions()).filter((s) => s.file_token === sheet.file_token).length, 0);
});

/** n8n's IHookFunctions for webhookMethods, parameters resolved as n8n loads them. */
function hookContext(parameters: IDataObject): IHookFunctions {
	const nodeObj: INode = { id: 'node-1', name: 'Feishu Trigger', type: 'n8n-nodes-feishu-bot.feishuTrigger', typeVersion: 1.1, position: [0, 0], parameters: parameters as INode['parameters'] };
	const params = (NodeHelpers.getNodeParameters(node.description.properties, nodeObj.parameters, true, false, nodeObj, node.description) ?? {}) as IDataObject;
	nodeObj.parameters = params as INode['parameters'];
	const silent = { debug() {}, info() {}, warn() {}, error() {}, verbose() {} };
	return {
		getNode: () => nodeObj,
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getCredentials: async () => credentials(),
		getMode: () => 'trigger',
		logger: silent,
	} as unknown as IHookFunctions;
}

test('webhook: checkExists asks Feishu, create subscribes, events run the workflow, delete unsubscribes (twice without failing)', async () => {
	const base = await newBase();
	const parameters = { connectionMode: 'webhook', events: [RECORD_CHANGED], documents: base.url };
	const methods = node.webhookMethods!.default!;
	const hooks = hookContext(parameters);
	assert.equal(await methods.checkExists.call(hooks), false, 'not subscribed yet');
	assert.equal(await methods.create!.call(hooks), true);
	assert.equal(await methods.checkExists.call(hooks), true);
	assert.equal(await methods.create!.call(hooks), true, 'n8n may create again (test listens): idempotent');
	assert.equal((await subscriptions()).filter((s) => s.file_token === base.appToken).length, 1);

	const server = await startWebhookServer({ node, parameters, credentials: credentials() });
	servers.push(server);
	const r = await control(sandbox, 'PUT', `apps/${APP_ID}/delivery`, { mode: 'webhook', url: server.url });
	assert.equal(r.challenge_passed, true, JSON.stringify(r));
	try {
		const added = await control(sandbox, 'POST', records(base.appToken, base.tableId), { fields: { Name: 'Juice', Qty: 1 } });
		await control(sandbox, 'PUT', `${records(base.appToken, base.tableId)}/${added.record_id}`, { fields: { Name: 'Orange juice' } });
		await waitFor('two runs', () => server.executions.length >= 2);
		await sleep(200);
		// Pushed concurrently: the table's revision orders them.
		const runs = [...server.executions].sort((x, y) => Number(x.revision) - Number(y.revision));
		assert.deepEqual(runs.map((e) => [e.action, e.record_id]), [['record_added', added.record_id], ['record_edited', added.record_id]]);
		assert.deepEqual(((runs[1].records as IDataObject[])[0].after as IDataObject)[base.fieldId('Name')], [{ text: 'Orange juice', type: 'text' }]);
	} finally {
		await control(sandbox, 'PUT', `apps/${APP_ID}/delivery`, { mode: 'long_connection' });
	}

	assert.equal(await methods.delete!.call(hooks), true);
	assert.equal((await subscriptions()).filter((s) => s.file_token === base.appToken).length, 0);
	await control(sandbox, 'PUT', `bitable/apps/${base.appToken}/collaborators`, { collaborators: {} });
	assert.equal(await methods.delete!.call(hooks), true, 'Feishu refusing it again does not fail the deactivation');
});

test('webhook: a subscribe refusal fails the activation (create) with the fix', async () => {
	const base = await newBase({});
	const hooks = hookContext({ connectionMode: 'webhook', events: [RECORD_CHANGED], documents: base.appToken });
	const methods = node.webhookMethods!.default!;
	assert.equal(await methods.checkExists.call(hooks), false);
	await assert.rejects(methods.create!.call(hooks), (e: Error & { description?: string }) => {
		assert.match(e.message, /91403/);
		assert.match(String(e.description), /Add Document App/);
		return true;
	});
});

test('the Documents field shows only for the document events', () => {
	const documents = node.description.properties.find((p) => p.name === 'documents')!;
	assert.deepEqual(documents.displayOptions?.show?.events, [RECORD_CHANGED, FILE_EDITED]);
	const shown = (events: string[]) => 'documents' in (NodeHelpers.getNodeParameters(node.description.properties, { events }, true, false, null, node.description) ?? {});
	assert.equal(shown(['im.message.receive_v1']), false);
	assert.equal(shown(['im.message.receive_v1', RECORD_CHANGED]), true);
	assert.equal(shown([FILE_EDITED]), true);
});
