// Merge Forward through the Feishu node against the sandbox: messages of one chat go to another chat as
// one merged message whose children Get reads back; the uuid makes a repeat the same message; unknown
// or recalled ids are listed as invalid; Feishu's refusals (230001 mixed chats, 230002 a target chat
// without the bot) reach n8n as NodeApiErrors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { feishuNode } from '../../helpers/feishuNode';
import { APP, apiCalls, chatMessages, control, sandbox, userSays } from '../../helpers/sandbox';

const FROM = 'oc_merge_from';
const TO = 'oc_merge_to';
let sb: Sandbox;
let credentials: IDataObject;
const { run, ok, refused } = feishuNode('message', () => credentials);

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
	for (const chat_id of [FROM, TO]) await control(sb, 'POST', 'chats', { chat_id, name: chat_id });
});
after(() => sb.close());

const toChat = (chatId: string) => ({ receiveIdType: 'chat_id', chatId: { __rl: true, mode: 'id', value: chatId } });

test('Merge Forward: one merged message in the target chat; Get reads its children; the same uuid sends once', async () => {
	const a = await userSays(sb, FROM, { text: 'first' });
	const b = await userSays(sb, FROM, { text: 'second' });
	const [merged] = await ok({ operation: 'mergeForward', messageIds: `${a.message_id}, ${b.message_id}, om_merge_unknown`, ...toChat(TO), options: { uuid: 'merge-once' } });
	assert.equal(merged.msg_type, 'merge_forward');
	assert.equal(merged.chat_id, TO);
	assert.equal(merged.content, 'Merged and Forwarded Message');
	assert.deepEqual(merged.invalid_message_id_list, ['om_merge_unknown']);
	const call = (await apiCalls(sb)).at(-1)!;
	assert.deepEqual([call.path, call.query.receive_id_type, call.query.uuid], ['/open-apis/im/v1/messages/merge_forward', 'chat_id', 'merge-once']);
	assert.deepEqual(call.body, { receive_id: TO, message_id_list: [a.message_id, b.message_id, 'om_merge_unknown'] });

	const [got] = await ok({ operation: 'get' }, [{ json: merged }]);
	const children = got.children as IDataObject[];
	assert.deepEqual(children.map((c) => JSON.parse(String((c.body as IDataObject).content)).text), ['first', 'second']);
	assert.ok(children.every((c) => c.upper_message_id === merged.message_id));

	const [again] = await ok({ operation: 'mergeForward', messageIds: `${a.message_id}, ${b.message_id}`, ...toChat(TO), options: { uuid: 'merge-once' } });
	assert.equal(again.message_id, merged.message_id, 'same uuid within the hour: the first message');
	assert.equal((await chatMessages(sb, TO)).length, 1);
	// Without a uuid of the user's, each run sends anew (a random uuid, kept across its own retries).
	const [fresh] = await ok({ operation: 'mergeForward', messageIds: String(a.message_id), ...toChat(TO) });
	assert.notEqual(fresh.message_id, merged.message_id);
	assert.match((await apiCalls(sb)).at(-1)!.query.uuid, /^[0-9a-f-]{36}$/);
});

test('Merge Forward refusals: messages of two chats, a target chat without the bot, nothing valid, no IDs', async () => {
	const here = await userSays(sb, FROM, { text: 'here' });
	const there = await userSays(sb, TO, { text: 'there' });
	await refused({ operation: 'mergeForward', messageIds: `${here.message_id}, ${there.message_id}`, ...toChat(TO) }, 230001);
	await refused({ operation: 'mergeForward', messageIds: String(here.message_id), ...toChat('oc_merge_no_bot') }, 230002);
	await refused({ operation: 'mergeForward', messageIds: 'om_merge_unknown', ...toChat(TO) }, 230001);
	const none = await run({ operation: 'mergeForward', messageIds: ' ', ...toChat(TO) });
	assert.ok(none.error instanceof NodeOperationError, String(none.error));
});
