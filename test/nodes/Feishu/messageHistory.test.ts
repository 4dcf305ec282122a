// Message history (Get Many) through the Feishu node against the sandbox: a chat's messages over more
// than two pages with Return All or exactly Limit, newest or oldest first, within a time range; a
// thread's messages; and Feishu's refusals (230002 a chat without the bot) as NodeApiErrors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { feishuNode } from '../../helpers/feishuNode';
import { APP, apiCalls, control, sandbox, userSays } from '../../helpers/sandbox';

let sb: Sandbox;
let credentials: IDataObject;
const { run, ok } = feishuNode('message', () => credentials);

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
});
after(() => sb.close());

const texts = (messages: IDataObject[]) => messages.map((m) => (m.content as IDataObject).text);

test('Get Many: a chat\'s history over three pages with Return All or exactly Limit, either order, within a time range', async () => {
	const chatId = 'oc_history_paged';
	await control(sb, 'POST', 'chats', { chat_id: chatId, name: 'History' });
	const said = Array.from({ length: 112 }, (_, n) => `line ${n}`);
	for (const text of said) await userSays(sb, chatId, { text });
	const trigger = [{ json: { chat_id: chatId } }];

	const before = (await apiCalls(sb)).length;
	const all = await ok({ operation: 'getAll', returnAll: true }, trigger);
	assert.deepEqual(texts(all), said, 'oldest first, every message once, content parsed');
	assert.equal(all[0].chat_id, chatId);
	assert.equal((all[0].sender as IDataObject).sender_type, 'user');
	const pages = (await apiCalls(sb)).slice(before).filter((c) => c.path === '/open-apis/im/v1/messages');
	assert.deepEqual(pages.map((c) => c.query.page_size), ['50', '50', '50'], 'three pages of Feishu\'s largest size');
	assert.deepEqual([pages[0].query.container_id_type, pages[0].query.container_id, pages[0].query.sort_type], ['chat', chatId, 'ByCreateTimeAsc']);

	assert.deepEqual(texts(await ok({ operation: 'getAll', returnAll: false, limit: 70 }, trigger)), said.slice(0, 70), 'exactly Limit, across two pages');
	assert.deepEqual(texts(await ok({ operation: 'getAll', returnAll: false, limit: 3, options: { sortType: 'ByCreateTimeDesc' } }, trigger)), said.slice(-3).reverse());

	const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
	const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
	assert.deepEqual(await ok({ operation: 'getAll', returnAll: true, options: { endTime: hourAgo } }, trigger), []);
	const query = (await apiCalls(sb)).at(-1)!.query;
	assert.equal(query.end_time, String(Math.floor(Date.parse(hourAgo) / 1000)), 'Unix seconds, as Feishu takes them');
	assert.equal((await ok({ operation: 'getAll', returnAll: true, options: { startTime: hourAgo, endTime: inAnHour } }, trigger)).length, 112);
});

test('Get Many: a thread\'s messages, by default from the item\'s thread_id', async () => {
	const chatId = 'oc_history_thread';
	await control(sb, 'POST', 'chats', { chat_id: chatId, name: 'Threads' });
	const root = await userSays(sb, chatId, { text: 'the root' });
	await userSays(sb, chatId, { text: 'not in the thread' });
	const [reply] = await ok({ operation: 'reply', messageId: root.message_id, msgType: 'text', text: 'in the thread', options: { replyInThread: true } });
	assert.match(String(reply.thread_id), /^omt_/);
	const thread = await ok({ operation: 'getAll', containerIdType: 'thread', returnAll: true }, [{ json: reply }]);
	assert.deepEqual(texts(thread), ['the root', 'in the thread']);
	const call = (await apiCalls(sb)).at(-1)!;
	assert.deepEqual([call.query.container_id_type, call.query.container_id], ['thread', reply.thread_id]);
	// Feishu takes no time range for a thread: the option is left out rather than refused.
	assert.equal((await ok({ operation: 'getAll', containerIdType: 'thread', returnAll: true, options: { startTime: new Date(0).toISOString() } }, [{ json: reply }])).length, 2);
});

test('Get Many refusals: a chat without the bot (230002); no chat given', async () => {
	const r = await run({ operation: 'getAll', chatId: { __rl: true, mode: 'id', value: 'oc_history_no_bot' }, returnAll: true });
	assert.ok(r.error instanceof NodeApiError, String(r.error));
	assert.match(r.error.message, /^Feishu error 230002: /);
	const empty = await run({ operation: 'getAll', returnAll: true }, [{ json: {} }]);
	assert.ok(empty.error instanceof NodeOperationError, String(empty.error));
});
