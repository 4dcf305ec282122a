// Batch Send, Get Batch Message Progress and Recall Batch Message through the Feishu node against the
// sandbox: users by every kind of ID and whole departments (sub-departments included) get the message in
// their one-to-one chat with the bot, the invalid IDs come back, each message type goes out in the shape
// batch_send takes (content as JSON, a post under "post", a card in "card"), Feishu's limits are checked
// before any request, the send is never repeated after a 5xx, and the task's progress and recall work.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { binaryItem } from '../../helpers/executeContext';
import { feishuNode } from '../../helpers/feishuNode';
import { APP, apiCalls, chatMessages, control, sandbox, tinyPng } from '../../helpers/sandbox';

let sb: Sandbox;
let credentials: IDataObject;
const { run, ok, refused } = feishuNode('message', () => credentials);
let eng: { open_department_id: string; department_id: string };
let ann: IDataObject;
let ben: IDataObject;

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
	eng = await control(sb, 'POST', 'departments', { name: 'Batch Eng', department_id: 'batch-eng' });
	const platform = await control(sb, 'POST', 'departments', { name: 'Batch Platform', parent_department_id: eng.open_department_id });
	ann = await control(sb, 'POST', 'users', { name: 'Ann', email: 'ann@batch.example', department_ids: [eng.open_department_id] });
	ben = await control(sb, 'POST', 'users', { name: 'Ben', email: 'ben@batch.example', department_ids: [platform.open_department_id] });
});
after(() => sb.close());

const batches = async () => (await control<{ batch_messages: any[] }>(sb, 'GET', 'batch-messages')).batch_messages;
/** What a user got from the bot last, in their one-to-one chat. */
async function lastMessageTo(openId: string): Promise<any> {
	const p2p = (await control(sb, 'GET', 'chats')).chats.find((c: any) => c.chat_type === 'p2p' && c.user_open_id === openId);
	assert.ok(p2p, `a one-to-one chat with ${openId}`);
	return (await chatMessages(sb, p2p.chat_id)).at(-1);
}

test('Batch Send: users by open_id, user_id and union_id, and a department with the one under it; invalid IDs are listed', async () => {
	const carol = await control(sb, 'POST', 'users', { name: 'Carol', email: 'carol@batch.example' });
	const [res] = await ok({
		operation: 'batchSend',
		text: 'all hands at 3',
		batchOpenIds: `${String(ann.open_id)}, not-an-open-id`,
		batchUserIds: [String(carol.user_id)],
		batchUnionIds: 'bad union',
		batchDepartmentIds: `batch-eng, od-batch-missing`,
	});
	assert.match(String(res.message_id), /^bm-/);
	assert.deepEqual(
		[res.invalid_open_ids, res.invalid_user_ids, res.invalid_union_ids, res.invalid_department_ids],
		[['not-an-open-id'], [], ['bad', 'union'], ['od-batch-missing']],
		'the lists Feishu answers are always there; text splits on commas and spaces',
	);
	const call = (await apiCalls(sb)).at(-1)!;
	assert.deepEqual([call.method, call.path], ['POST', '/open-apis/message/v4/batch_send/']);
	assert.deepEqual(call.body.content, { text: 'all hands at 3' }, 'content as a JSON object, not a string');
	const [batch] = (await batches()).filter((b) => b.batch_message_id === res.message_id);
	assert.deepEqual(batch.deliveries.map((d: any) => d.open_id).sort(), [ann.open_id, ben.open_id, carol.open_id].sort(), 'Ann once, Ben through Platform, Carol by user_id');
	for (const user of [ann, ben, carol]) assert.deepEqual((await lastMessageTo(String(user.open_id))).content, { text: 'all hands at 3' });
});

test('Batch Send: rich text goes under "post", a card in "card", an image by key, a shared chat by share_chat_id', async () => {
	const to = { batchOpenIds: String(ann.open_id) };
	await ok({ operation: 'batchSend', msgType: 'post', postTitle: 'Release', postText: 'Notes at [the wiki](https://example.com/wiki)', postLocale: 'en_us', ...to });
	assert.deepEqual((await apiCalls(sb)).at(-1)!.body.content, {
		post: { en_us: { title: 'Release', content: [[{ tag: 'text', text: 'Notes at ' }, { tag: 'a', text: 'the wiki', href: 'https://example.com/wiki' }]] } },
	});
	assert.equal((await lastMessageTo(String(ann.open_id))).msg_type, 'post');

	await ok({ operation: 'batchSend', msgType: 'interactive', cardTitle: 'Vote', cardMarkdown: '**Lunch?**', ...to });
	const cardCall = (await apiCalls(sb)).at(-1)!.body;
	assert.equal(cardCall.content, undefined);
	assert.equal(cardCall.card.header.title.content, 'Vote');
	assert.equal((await lastMessageTo(String(ann.open_id))).msg_type, 'interactive');

	const [image] = await ok({ operation: 'uploadImage' }, [binaryItem(tinyPng(), 'dot.png', 'image/png')]);
	await ok({ operation: 'batchSend', msgType: 'image', imageKey: String(image.image_key), ...to });
	assert.deepEqual((await lastMessageTo(String(ann.open_id))).content, { image_key: image.image_key });

	await control(sb, 'POST', 'chats', { app_id: APP.appId, chat_id: 'oc_batch_shared', name: 'Shared' });
	await ok({ operation: 'batchSend', msgType: 'share_chat', shareChatId: { __rl: true, mode: 'id', value: 'oc_batch_shared' }, ...to });
	assert.deepEqual((await apiCalls(sb)).at(-1)!.body.content, { share_chat_id: 'oc_batch_shared' });

	// Feishu's own refusals reach n8n with their code (HTTP 200 on this endpoint).
	await refused({ operation: 'batchSend', msgType: 'image', imageKey: 'img_v3_never_uploaded', ...to }, 11227);
	await refused({ operation: 'batchSend', msgType: 'share_chat', shareChatId: { __rl: true, mode: 'id', value: 'oc_batch_nowhere' }, ...to }, 11231);
});

test('Batch Send checks Feishu\'s limits before any request: 200 IDs of a kind, at least one recipient, no root department', async () => {
	const before = (await apiCalls(sb)).length;
	const tooMany = Array.from({ length: 201 }, (_, n) => `ou_batch_${n}`).join(',');
	for (const parameters of [
		{ operation: 'batchSend', text: 'x', batchOpenIds: tooMany },
		{ operation: 'batchSend', text: 'x' },
		{ operation: 'batchSend', text: 'x', batchDepartmentIds: '0' },
		{ operation: 'batchSend', msgType: 'post', postInput: 'json', postJson: '{"zh_cn":{"content":[[{"tag":"md","text":"**x**"}]]}}', batchOpenIds: String(ann.open_id) },
	]) {
		const r = await run(parameters);
		assert.ok(r.error instanceof NodeOperationError, String(r.error));
	}
	assert.equal((await apiCalls(sb)).length, before, 'nothing was sent');
	// 200 is fine.
	const [res] = await ok({ operation: 'batchSend', text: 'x', batchOpenIds: tooMany.split(',').slice(0, 200) });
	assert.deepEqual(res.invalid_open_ids, []);
});

test('Batch Send is not repeated after a 5xx: a repeat would message everyone twice', async () => {
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 1, code: 55001, http_status: 500 } });
	const before = (await apiCalls(sb)).length;
	const r = await run({ operation: 'batchSend', text: 'once', batchOpenIds: String(ann.open_id) });
	assert.ok(r.error instanceof NodeApiError, String(r.error));
	assert.equal((await apiCalls(sb)).slice(before).filter((c) => c.path.startsWith('/open-apis/message/v4/batch_send')).length, 1);
});

test('Get Batch Message Progress and Recall Batch Message take the task from the Batch Send before them', async () => {
	const [sent] = await ok({ operation: 'batchSend', text: 'read me', batchDepartmentIds: eng.open_department_id });
	const [progress] = await ok({ operation: 'getBatchProgress' }, [{ json: sent }]);
	assert.deepEqual(progress, {
		batch_message_id: sent.message_id,
		batch_message_send_progress: { valid_user_ids_count: 2, success_user_ids_count: 2, read_user_ids_count: 0 },
		batch_message_recall_progress: { recall: false, recall_count: 0 },
	});
	const [batch] = (await batches()).filter((b) => b.batch_message_id === sent.message_id);
	const annsCopy = batch.deliveries.find((d: any) => d.open_id === ann.open_id).message_id;
	await control(sb, 'POST', `messages/${annsCopy}/read`, { open_ids: [ann.open_id] });
	assert.equal(((await ok({ operation: 'getBatchProgress' }, [{ json: sent }]))[0].batch_message_send_progress as IDataObject).read_user_ids_count, 1);

	assert.deepEqual((await ok({ operation: 'recallBatch' }, [{ json: sent }]))[0], { batch_message_id: sent.message_id, recalled: true });
	assert.equal((await apiCalls(sb)).at(-1)!.method, 'DELETE');
	assert.equal((await lastMessageTo(String(ann.open_id))).deleted, true);
	assert.deepEqual((await ok({ operation: 'getBatchProgress', batchMessageId: String(sent.message_id) }))[0].batch_message_recall_progress, { recall: true, recall_count: 2 });

	await refused({ operation: 'getBatchProgress', batchMessageId: 'bm-missing' }, 230030);
	await refused({ operation: 'recallBatch', batchMessageId: 'bm-missing' }, 230030);
	const bad = await run({ operation: 'recallBatch', batchMessageId: 'bm-../../x' });
	assert.ok(bad.error instanceof NodeOperationError, 'an ID that would change the path is refused before any request');
});

test('Batch Send: users outside the app\'s contact scope count as valid but get nothing (Feishu\'s progress page)', async () => {
	await control(sb, 'PUT', `apps/${APP.appId}/contact-scope`, { department_ids: [eng.open_department_id] });
	try {
		const [sent] = await ok({ operation: 'batchSend', text: 'scoped', batchOpenIds: `${String(ann.open_id)}, ou_batch_out_of_scope` });
		assert.deepEqual(sent.invalid_open_ids, []);
		const [progress] = await ok({ operation: 'getBatchProgress' }, [{ json: sent }]);
		assert.deepEqual(progress.batch_message_send_progress, { valid_user_ids_count: 2, success_user_ids_count: 1, read_user_ids_count: 0 });
		assert.deepEqual((await lastMessageTo(String(ann.open_id))).content, { text: 'scoped' });
	} finally {
		await control(sb, 'PUT', `apps/${APP.appId}/contact-scope`, { all: true });
	}
});
