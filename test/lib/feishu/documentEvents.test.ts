// Document events in the wire layer: the documents as users paste them, the convenience fields of
// drive.file.bitable_record_changed_v1 and drive.file.edit_v1 (shaped through shapeEvent from Feishu's
// documented payloads), and the subscribe calls against the sandbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	FeishuApiClient,
	FeishuApiError,
	isSubscribedToDocument,
	parseDocumentList,
	parseDocumentRef,
	parseEnvelope,
	shapeEvent,
	subscribeToDocument,
	unsubscribeFromDocument,
} from '../../../lib/feishu';
import { control, credsFor, sandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';

let sb: Sandbox;
before(async () => {
	sb = await sandbox();
});
after(() => sb.close());

test('documents: Base and spreadsheet links, typed and bare tokens; wiki links and junk refused', () => {
	assert.deepEqual(parseDocumentRef('https://acme.feishu.cn/base/bascnAbCdEf12345?table=tblX&view=vewY'), { fileToken: 'bascnAbCdEf12345', fileType: 'bitable' });
	assert.deepEqual(parseDocumentRef('https://acme.larksuite.com/sheets/shtcnAbCdEf12345'), { fileToken: 'shtcnAbCdEf12345', fileType: 'sheet' });
	assert.deepEqual(parseDocumentRef('https://acme.feishu.cn/docx/doxcnAbCdEf12345'), { fileToken: 'doxcnAbCdEf12345', fileType: 'docx' });
	assert.deepEqual(parseDocumentRef('sheet:shtcnAbCdEf12345'), { fileToken: 'shtcnAbCdEf12345', fileType: 'sheet' });
	assert.deepEqual(parseDocumentRef(' bascnAbCdEf12345 '), { fileToken: 'bascnAbCdEf12345', fileType: 'bitable' });
	assert.throws(() => parseDocumentRef('https://acme.feishu.cn/wiki/wikcnAbCdEf12345'), /wiki link/);
	assert.throws(() => parseDocumentRef('https://acme.feishu.cn/drive/folder/x'), /not a Base link/);
	assert.throws(() => parseDocumentRef('../etc'), /not a document token/);
	const list = parseDocumentList('https://a.feishu.cn/base/bascnAbCdEf12345,\nsheet:shtcnAbCdEf12345  bascnAbCdEf12345');
	assert.deepEqual(list, [
		{ fileToken: 'bascnAbCdEf12345', fileType: 'bitable' },
		{ fileToken: 'shtcnAbCdEf12345', fileType: 'sheet' },
	]);
	assert.deepEqual(parseDocumentList(''), []);
});

// Feishu's example payload (the event page's 回调示例), trimmed.
const RECORD_CHANGED = {
	schema: '2.0',
	header: { event_id: 'ev1', token: 't', create_time: '1652677457000', event_type: 'drive.file.bitable_record_changed_v1', tenant_key: 'tk', app_id: 'cli_x' },
	event: {
		file_type: 'bitable',
		file_token: 'bascnAbCdEf12345',
		table_id: 'tblAbCd',
		revision: 12,
		operator_id: { open_id: 'ou_op', union_id: 'on_op', user_id: 'u_op' },
		action_list: [
			{
				record_id: 'recAbCd',
				action: 'record_edited',
				before_value: [{ field_id: 'fldQty', field_value: '1' }],
				after_value: [
					{ field_id: 'fldQty', field_value: '666' },
					{ field_id: 'fldOwner', field_value: '[{"id":"ou_a"}]', field_identity_value: { users: [{ user_id: { open_id: 'ou_a' }, name: 'A', en_name: 'A', avatar_url: '' }] } },
				],
			},
		],
		subscriber_id_list: [],
		update_time: 1652677457,
	},
};

test('record changed: one flat entry per record, values parsed by field id, the first record at the top', () => {
	const out = shapeEvent(parseEnvelope(RECORD_CHANGED));
	assert.equal(out.event_type, 'drive.file.bitable_record_changed_v1');
	assert.equal(out.file_token, 'bascnAbCdEf12345');
	assert.equal(out.table_id, 'tblAbCd');
	assert.equal(out.revision, 12);
	assert.equal(out.record_id, 'recAbCd');
	assert.equal(out.action, 'record_edited');
	assert.deepEqual(out.operator, { open_id: 'ou_op', union_id: 'on_op', user_id: 'u_op' });
	assert.deepEqual(out.records, [
		{
			record_id: 'recAbCd',
			action: 'record_edited',
			table_id: 'tblAbCd',
			before: { fldQty: 1 },
			after: { fldQty: 666, fldOwner: { value: [{ id: 'ou_a' }], users: [{ user_id: { open_id: 'ou_a' }, name: 'A', en_name: 'A', avatar_url: '' }] } },
			changed_field_ids: ['fldQty', 'fldOwner'],
		},
	]);
	assert.deepEqual((out.event as any).action_list, RECORD_CHANGED.event.action_list, 'the payload as sent stays');
});

test('file edited: the file, the sheet and the first operator', () => {
	const out = shapeEvent(
		parseEnvelope({
			schema: '2.0',
			header: { event_id: 'ev2', event_type: 'drive.file.edit_v1', app_id: 'cli_x', tenant_key: 'tk', create_time: '1', token: 't' },
			event: { file_type: 'sheet', file_token: 'shtcnAbCdEf12345', operator_id_list: [{ open_id: 'ou_1' }, { open_id: 'ou_2' }], subscriber_id_list: [], sheet_id: 'sh1' },
		}),
	);
	assert.equal(out.file_type, 'sheet');
	assert.equal(out.sheet_id, 'sh1');
	assert.deepEqual(out.operator, { open_id: 'ou_1' });
	assert.equal((out.operators as unknown[]).length, 2);
});

test('subscribe, ask, unsubscribe against the sandbox; a Base the app may not manage is 91403', async () => {
	const client = new FeishuApiClient(credsFor(sb));
	const base = await control(sb, 'POST', 'bitable/apps', { name: 'B' });
	const ref = { fileToken: base.app_token as string, fileType: 'bitable' as const };
	assert.equal(await isSubscribedToDocument(client, ref), false);
	await subscribeToDocument(client, ref);
	await subscribeToDocument(client, ref);
	assert.equal(await isSubscribedToDocument(client, ref), true);
	await unsubscribeFromDocument(client, ref);
	assert.equal(await isSubscribedToDocument(client, ref), false);
	const closed = await control(sb, 'POST', 'bitable/apps', { name: 'Closed', collaborators: {} });
	await assert.rejects(subscribeToDocument(client, { fileToken: closed.app_token, fileType: 'bitable' }), (e: FeishuApiError) => e.code === 91403 && e.httpStatus === 403);
	await assert.rejects(subscribeToDocument(client, { fileToken: 'NoSuchBase0000', fileType: 'bitable' }), (e: FeishuApiError) => e.code === 1061003 && e.httpStatus === 404);
});
