// Pins through the Feishu node against the sandbox: Pin (then listed; pinning again answers the same
// pin), Get Pins over more than two pages with Return All or exactly Limit and within a time range,
// Unpin (then gone), and Feishu's refusals (230001 unknown message, 230011 recalled, 230002 a chat
// without the bot) as NodeApiErrors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { feishuNode } from '../../helpers/feishuNode';
import { APP, apiCalls, control, sandbox, userSays } from '../../helpers/sandbox';

let sb: Sandbox;
let credentials: IDataObject;
const { ok, refused } = feishuNode('message', () => credentials);

before(async () => {
	// Pinning over a hundred messages in one run: above Feishu's 50 requests a second.
	sb = await sandbox({ rateLimitPerSecond: 1000, rateLimitPerMinute: 10_000 });
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
});
after(() => sb.close());

/** Users' messages in a group the bot is in, as the trigger would hand them on. */
const triggerItems = async (chatId: string, n = 1) => {
	await control(sb, 'POST', 'chats', { chat_id: chatId, name: `Chat ${chatId}` });
	const items: INodeExecutionData[] = [];
	for (let k = 0; k < n; k++) {
		const { message_id } = await userSays(sb, chatId, { text: `message ${k}` });
		items.push({ json: { message_id, chat_id: chatId } });
	}
	return items;
};

test('Pin the triggering message; Get Pins lists it; pinning again answers the same pin; Unpin takes it off', async () => {
	const items = await triggerItems('oc_pins_basic', 2);
	const [first, second] = items.map((i) => String(i.json.message_id));
	const [pinned] = await ok({ operation: 'pin' }, items.slice(0, 1));
	assert.deepEqual(Object.keys(pinned).sort(), ['chat_id', 'create_time', 'message_id', 'operator_id', 'operator_id_type']);
	assert.deepEqual([pinned.message_id, pinned.chat_id, pinned.operator_id, pinned.operator_id_type], [first, 'oc_pins_basic', APP.appId, 'app_id']);
	assert.match(String(pinned.create_time), /^\d{13}$/);
	const call = (await apiCalls(sb)).find((c) => c.method === 'POST' && c.path === '/open-apis/im/v1/pins')!;
	assert.deepEqual(call.body, { message_id: first });
	const [again] = await ok({ operation: 'pin' }, items.slice(0, 1));
	assert.deepEqual(again, pinned, 'a pinned message answers its pin');

	await new Promise((r) => setImmediate(r));
	await ok({ operation: 'pin' }, items.slice(1));
	const listed = await ok({ operation: 'getPins', returnAll: true }, items.slice(0, 1));
	assert.deepEqual(listed.map((p) => p.message_id).sort(), [first, second].sort());
	assert.equal(listed.length, 2, 'each message once');

	assert.deepEqual(await ok({ operation: 'unpin' }, items.slice(0, 1)), [{ message_id: first, unpinned: true }]);
	assert.deepEqual((await ok({ operation: 'getPins', returnAll: true }, items.slice(0, 1))).map((p) => p.message_id), [second]);
});

test('Get Pins over three pages: everything with Return All, exactly Limit otherwise; Start Time and End Time bound it', async () => {
	const items = await triggerItems('oc_pins_paged', 112);
	const pinned = await ok({ operation: 'pin' }, items);
	assert.equal(pinned.length, 112);
	const chat = [{ json: { chat_id: 'oc_pins_paged' } }];
	const before = (await apiCalls(sb)).length;
	const all = await ok({ operation: 'getPins', returnAll: true }, chat);
	assert.deepEqual(all.map((p) => p.message_id), items.map((i) => i.json.message_id).reverse(), 'newest pin first, each once');
	const pages = (await apiCalls(sb)).slice(before).filter((c) => c.path === '/open-apis/im/v1/pins');
	assert.deepEqual(pages.map((c) => c.query.page_size), ['50', '50', '50'], 'three pages of Feishu\'s largest size');
	assert.ok(pages.every((c) => c.query.chat_id === 'oc_pins_paged'));

	const limited = await ok({ operation: 'getPins', returnAll: false, limit: 70 }, chat);
	assert.deepEqual(limited.map((p) => p.message_id), all.slice(0, 70).map((p) => p.message_id), 'exactly Limit, across two pages');
	assert.equal((await ok({ operation: 'getPins', returnAll: false, limit: 4 }, chat)).length, 4);

	const future = new Date(Date.now() + 3_600_000).toISOString();
	const later = new Date(Date.now() + 7_200_000).toISOString();
	assert.deepEqual(await ok({ operation: 'getPins', returnAll: true, options: { startTime: future, endTime: later } }, chat), []);
	await refused({ operation: 'getPins', returnAll: true, options: { startTime: later, endTime: future } }, 230001, chat);
	const past = new Date(Date.now() - 3_600_000).toISOString();
	assert.deepEqual(await ok({ operation: 'getPins', returnAll: true, options: { endTime: past } }, chat), []);
	const query = (await apiCalls(sb)).at(-1)!.query;
	assert.equal(query.end_time, String(Date.parse(past)), 'a millisecond timestamp, as Feishu takes it');
	assert.equal((await ok({ operation: 'getPins', returnAll: true, options: { startTime: past, endTime: future } }, chat)).length, 112);
});

test('refusals: unknown or recalled message, a chat without the bot', async () => {
	const items = await triggerItems('oc_pins_refused');
	await refused({ operation: 'pin', messageId: 'om_nobody_sent_this' }, 230001);
	await refused({ operation: 'unpin', messageId: 'om_nobody_sent_this' }, 230001);
	const [sent] = await ok({ operation: 'send', receiveIdType: 'chat_id', chatId: { __rl: true, mode: 'id', value: 'oc_pins_refused' }, msgType: 'text', text: 'soon gone' });
	await ok({ operation: 'recall', messageId: String(sent.message_id) });
	await refused({ operation: 'pin', messageId: String(sent.message_id) }, 230011);

	const [chat] = await ok({ operation: 'create', resource: 'chat', name: 'Bot leaves', additionalFields: { ownerId: 'ou_pins_owner', userIds: 'ou_pins_owner' } });
	const chatId = String(chat.chat_id);
	const { message_id } = await userSays(sb, chatId, { text: 'before the bot left' });
	await ok({ operation: 'pin', messageId: message_id });
	await ok({ resource: 'chat', operation: 'removeMembers', chatId: { __rl: true, mode: 'id', value: chatId }, memberIdType: 'app_id', memberIds: APP.appId });
	await refused({ operation: 'pin', messageId: message_id }, 230002);
	await refused({ operation: 'getPins', chatId: { __rl: true, mode: 'id', value: chatId }, returnAll: true }, 230002);
	await refused({ operation: 'getPins', chatId: { __rl: true, mode: 'id', value: 'oc_no_such_chat' }, returnAll: true }, 230045);
	assert.equal((await ok({ operation: 'getPins', returnAll: true }, items)).length, 0);
});
