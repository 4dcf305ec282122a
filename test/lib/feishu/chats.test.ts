// The wire layer's chat management against the sandbox: the limits it checks before any request, and
// the retries it may make safely (Create carries a uuid kept across its retries; member changes are
// repeatable), so a 5xx never makes two groups or fails a change Feishu may have applied.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	addChatMembers,
	createChat,
	FeishuApiClient,
	FeishuApiError,
	FeishuValidationError,
	getChatLink,
	isInChat,
	listChatMembers,
	listChats,
	removeChatMembers,
	updateChat,
} from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { apiCalls, control, credsFor, sandbox } from '../../helpers/sandbox';

let sb: Sandbox;
let client: FeishuApiClient;

before(async () => {
	sb = await sandbox();
	client = new FeishuApiClient(credsFor(sb), { retryBaseDelayMs: 10 });
});
after(() => sb.close());

const serverError = (count = 1) => control(sb, 'POST', 'faults', { fail_next_api: { count, code: 1500, http_status: 500, msg: 'internal error' } });

test('createChat: a 5xx is retried with the same uuid, and makes one group', async () => {
	const before = (await listChats(client)).length;
	await serverError();
	const chat = await createChat(client, { name: 'Retried once', userIds: ['ou_wire_a'] });
	assert.match(chat.chat_id, /^oc_/);
	const posts = (await apiCalls(sb)).filter((c) => c.method === 'POST' && c.path === '/open-apis/im/v1/chats');
	assert.deepEqual(posts.map((c) => c.status), [500, 200]);
	assert.equal(posts[0].query.uuid, posts[1].query.uuid, 'the retry is the same request to Feishu');
	assert.equal((await listChats(client)).length, before + 1);
	assert.deepEqual((await listChatMembers(client, { chatId: chat.chat_id })).map((m) => m.member_id), ['ou_wire_a']);
});

test('member changes are retried after a 5xx and applied once', async () => {
	const { chat_id: chatId } = await createChat(client, { name: 'Members retried' });
	await serverError();
	const added = await addChatMembers(client, { chatId, ids: ['ou_wire_b', 'ou_wire_c', 'ou_wire_b'] });
	assert.deepEqual(added.invalid_id_list, []);
	assert.deepEqual((await apiCalls(sb)).at(-1)!.body, { id_list: ['ou_wire_b', 'ou_wire_c'] }, 'ids de-duplicated');
	await serverError();
	await removeChatMembers(client, { chatId, ids: ['ou_wire_c'] });
	assert.deepEqual((await listChatMembers(client, { chatId })).map((m) => m.member_id), ['ou_wire_b']);
	assert.deepEqual(await isInChat(client, { chatId }), { chat_id: chatId, is_in_chat: true });
});

test('limits and kinds are checked before any request', async () => {
	const calls = (await apiCalls(sb)).length;
	const invalid = (field: RegExp) => (e: unknown) => e instanceof FeishuValidationError && field.test(e.message);
	await assert.rejects(createChat(client, { userIds: Array.from({ length: 51 }, (_, i) => `ou_${i}`) }), invalid(/^user_id_list: has 51 IDs/));
	await assert.rejects(createChat(client, { botIds: ['cli_1', 'cli_2', 'cli_3', 'cli_4', 'cli_5', 'cli_6'] }), invalid(/^bot_id_list: has 6 IDs/));
	await assert.rejects(createChat(client, { userIdType: 'email' }), invalid(/^user_id_type: "email" is not one of open_id, union_id, user_id/));
	await assert.rejects(createChat(client, { uuid: 'x'.repeat(51) }), invalid(/^uuid:/));
	await assert.rejects(addChatMembers(client, { chatId: 'oc_x', ids: [] }), invalid(/^id_list: needs at least one ID/));
	await assert.rejects(addChatMembers(client, { chatId: 'oc_x', ids: ['ou_a'], succeedType: 3 }), invalid(/^succeed_type/));
	await assert.rejects(addChatMembers(client, { chatId: '../chats', ids: ['ou_a'] }), invalid(/^chat_id: .* is not a valid id/));
	await assert.rejects(listChatMembers(client, { chatId: 'oc_x', memberIdType: 'app_id' }), invalid(/^member_id_type: "app_id" is not one of open_id, union_id, user_id/));
	await assert.rejects(updateChat(client, { chatId: 'oc_x' }), invalid(/^Update Fields: set at least one field/));
	await assert.rejects(getChatLink(client, { chatId: 'oc_x', validityPeriod: 'month' }), invalid(/^validity_period/));
	assert.equal((await apiCalls(sb)).length, calls, 'nothing reached Feishu');
});

test('Feishu\'s refusals keep their code', async () => {
	const err = await addChatMembers(client, { chatId: 'oc_wire_missing', ids: ['ou_a'] }).catch((e: unknown) => e);
	assert.ok(err instanceof FeishuApiError);
	assert.equal(err.code, 232006);
	assert.equal(err.httpStatus, 400);
});
