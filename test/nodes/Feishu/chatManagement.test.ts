// Managing groups through the Feishu node against the sandbox: Create (uuid idempotency), Update,
// Delete (dissolve), Get Link, Get Announcement, Members (Add, Remove, Get Many over more than two
// pages, Is in Chat) and Managers (Add, Remove); each change is seen by the calls after it, and each
// refusal reaches n8n as a NodeApiError with Feishu's code (or a NodeOperationError before any request).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import type { Sandbox } from '../../../sandbox/server';
import { runNode } from '../../helpers/executeContext';
import { APP, apiCalls, control, sandbox } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

const node = new Feishu();
const credentialType = new FeishuApi();
const OTHER_BOT = { app_id: 'cli_chat_mgmt_other_bot', app_secret: 'other-secret' };
let sb: Sandbox;
let credentials: IDataObject;
let bob: string;
let carol: string;

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
	await control(sb, 'POST', 'apps', OTHER_BOT);
	bob = (await control(sb, 'POST', 'users', { name: 'Bob Builder', email: 'bob@example.com' })).open_id;
	carol = (await control(sb, 'POST', 'users', { name: 'Carol', email: 'carol@example.com' })).open_id;
});
after(() => sb.close());

const run = (parameters: IDataObject, items?: INodeExecutionData[], continueOnFail = false) =>
	runNode({ node, parameters: { resource: 'chat', ...parameters }, items, credentialType, credentials: credentials as never, typeVersion: 2, continueOnFail });
const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const one = async (parameters: IDataObject, items?: INodeExecutionData[]) => {
	const r = await run(parameters, items);
	assert.ifError(r.error);
	assert.equal(r.output![0].length, 1);
	return r.output![0][0].json;
};
const refused = async (parameters: IDataObject, code: number, items?: INodeExecutionData[]) => {
	const r = await run(parameters, items);
	assert.ok(r.error instanceof NodeApiError, `expected Feishu error ${code}, got ${String(r.error)}`);
	assert.match(r.error.message, new RegExp(`^Feishu error ${code}: `));
	return r.error;
};
const chatOf = (chatId: string) => one({ operation: 'get', chatId: byId(chatId) });
const membersOf = async (chatId: string, extra: IDataObject = { returnAll: true }) => {
	const r = await run({ operation: 'getMembers', chatId: byId(chatId), ...extra });
	assert.ifError(r.error);
	return r.output![0].map((i) => i.json);
};
/** A group the bot created and owns, with these users in it. */
const newGroup = async (name: string, userIds = '') => String((await one({ operation: 'create', name, additionalFields: userIds ? { userIds } : {} })).chat_id);

test('Create: owner, members, other bots and settings; the chat then reads back as created', async () => {
	const chat = await one({
		operation: 'create',
		name: 'Release train',
		additionalFields: { description: 'Ships on Fridays', ownerId: bob, userIds: `${carol}, ${bob}`, botIds: OTHER_BOT.app_id, setBotManager: true, chatType: 'public', editPermission: 'only_owner' },
	});
	assert.match(String(chat.chat_id), /^oc_[0-9a-f]{32}$/);
	assert.equal(chat.name, 'Release train');
	assert.equal(chat.owner_id, bob);
	assert.equal(chat.chat_type, 'public');

	const call = (await apiCalls(sb)).find((c) => c.method === 'POST' && c.path === '/open-apis/im/v1/chats')!;
	assert.equal(call.query.user_id_type, 'open_id');
	assert.equal(call.query.set_bot_manager, 'true');
	assert.match(call.query.uuid, /^[0-9a-f-]{36}$/, 'a new uuid, so a retried create makes one group');
	assert.deepEqual(call.body.user_id_list, [carol, bob]);
	assert.deepEqual(call.body.bot_id_list, [OTHER_BOT.app_id]);
	assert.equal(call.body.chat_mode, 'group');

	const got = await chatOf(String(chat.chat_id));
	assert.equal(got.description, 'Ships on Fridays');
	assert.equal(got.edit_permission, 'only_owner');
	assert.equal(got.user_count, '2');
	assert.equal(got.bot_count, '2');
	assert.deepEqual(got.bot_manager_id_list, [APP.appId], 'Set Bot as Manager');
	assert.deepEqual((await membersOf(String(chat.chat_id))).map((m) => m.name), ['Bob Builder', 'Carol']);
	const listed = await run({ operation: 'getAll', returnAll: true });
	assert.ok(listed.output![0].some((i) => i.json.chat_id === chat.chat_id), 'Get Many lists the new group');
});

test('Create: the same Idempotency Key and owner answer the first group; refusals are clear', async () => {
	const first = await one({ operation: 'create', name: 'Once', additionalFields: { uuid: 'create-once-1' } });
	const again = await one({ operation: 'create', name: 'Once', additionalFields: { uuid: 'create-once-1' } });
	assert.equal(again.chat_id, first.chat_id);
	const otherOwner = await one({ operation: 'create', name: 'Once', additionalFields: { uuid: 'create-once-1', ownerId: bob } });
	assert.notEqual(otherOwner.chat_id, first.chat_id, 'Feishu dedupes per uuid and owner');

	await refused({ operation: 'create', name: 'Bots', additionalFields: { botIds: 'cli_nobody_has_this_app' } }, 232021);
	await refused({ operation: 'create', name: 'Bad owner', additionalFields: { ownerId: 'not-an-open-id' } }, 232030);
	const tooMany = await run({ operation: 'create', name: 'Crowd', additionalFields: { userIds: Array.from({ length: 51 }, (_, i) => `ou_crowd_${i}`).join(',') } });
	assert.ok(tooMany.error instanceof NodeOperationError);
	assert.match(tooMany.error.message, /user_id_list: has 51 IDs; Feishu takes at most 50/);
	const shortName = await run({ operation: 'create', name: 'X', additionalFields: { chatType: 'public' } });
	assert.ok(shortName.error instanceof NodeOperationError);
	assert.match(shortName.error.message, /public group needs a name of at least 2 characters/);
});

test('Members: Add (as many items as needed), Get Members over three pages with Return All or exactly Limit, Remove', async () => {
	const chatId = await newGroup('Town hall');
	// 250 users in five requests of 50 (Feishu's most per request), one input item each.
	const users = Array.from({ length: 250 }, (_, i) => `ou_town_${String(i).padStart(3, '0')}`);
	const items = Array.from({ length: 5 }, (_, k) => ({ json: { chat_id: chatId, ids: users.slice(k * 50, k * 50 + 50) } }));
	const added = await run({ operation: 'addMembers', memberIds: '={{ $json.ids }}' }, items);
	assert.ifError(added.error);
	assert.equal(added.output![0].length, 5);
	assert.deepEqual(added.output![0][4].json, { chat_id: chatId, invalid_id_list: [], not_existed_id_list: [], pending_approval_id_list: [] });
	assert.deepEqual(added.output![0][4].pairedItem, { item: 4 });

	const before = (await apiCalls(sb)).length;
	const all = await membersOf(chatId);
	assert.deepEqual(all.map((m) => m.member_id), users, 'all 250 in the order they joined, none twice');
	assert.equal(all[0].member_id_type, 'open_id');
	const pages = (await apiCalls(sb)).slice(before).filter((c) => c.path === `/open-apis/im/v1/chats/${chatId}/members`);
	assert.deepEqual(pages.map((c) => c.query.page_size), ['100', '100', '100'], 'three pages of Feishu\'s largest size');
	assert.ok(pages[1].query.page_token && pages[2].query.page_token && pages[1].query.page_token !== pages[2].query.page_token);

	const limited = await membersOf(chatId, { returnAll: false, limit: 120 });
	assert.deepEqual(limited.map((m) => m.member_id), users.slice(0, 120), 'exactly Limit, across two pages');
	const few = await membersOf(chatId, { returnAll: false, limit: 7 });
	assert.equal(few.length, 7);
	assert.equal((await apiCalls(sb)).at(-1)!.query.page_size, '7', 'asks for no more than it needs');
	const asUnion = await membersOf(chatId, { returnAll: false, limit: 1, options: { memberIdType: 'union_id' } });
	assert.match(String(asUnion[0].member_id), /^on_/);

	const removed = await one({ operation: 'removeMembers', chatId: byId(chatId), memberIds: `${users[0]} ${users[1]}` });
	assert.deepEqual(removed, { chat_id: chatId, invalid_id_list: [] });
	assert.equal((await membersOf(chatId)).length, 248);
	assert.equal((await chatOf(chatId)).user_count, '248');
	// Only ids that are not in the chat: nothing valid to remove.
	await refused({ operation: 'removeMembers', chatId: byId(chatId), memberIds: users[0] }, 232027);
});

test('Members: unavailable IDs refused by default, listed with "Add the Available Ones"; bots by app ID', async () => {
	const chatId = await newGroup('Mixed bag');
	const error = await refused({ operation: 'addMembers', chatId: byId(chatId), memberIds: `${carol}, not-an-open-id` }, 232043);
	assert.match(error.message, /not-an-open-id/);
	assert.equal((await membersOf(chatId)).length, 0, 'the refused request added nobody');

	const partial = await one({ operation: 'addMembers', chatId: byId(chatId), memberIds: `${carol}, not-an-open-id`, options: { succeedType: 1 } });
	assert.deepEqual(partial.invalid_id_list, ['not-an-open-id']);
	assert.deepEqual((await membersOf(chatId)).map((m) => m.member_id), [carol]);
	const call = (await apiCalls(sb)).filter((c) => c.method === 'POST' && c.path.endsWith('/members')).at(-1)!;
	assert.deepEqual([call.query.member_id_type, call.query.succeed_type], ['open_id', '1']);

	const bots = await one({ operation: 'addMembers', chatId: byId(chatId), memberIdType: 'app_id', memberIds: `${OTHER_BOT.app_id}, cli_not_a_sandbox_app`, options: { succeedType: 1 } });
	assert.deepEqual(bots.not_existed_id_list, ['cli_not_a_sandbox_app']);
	assert.equal((await chatOf(chatId)).bot_count, '2');
	assert.equal((await membersOf(chatId)).length, 1, 'the member list shows users only');

	const sixBots = await run({ operation: 'addMembers', chatId: byId(chatId), memberIdType: 'app_id', memberIds: 'cli_a1,cli_a2,cli_a3,cli_a4,cli_a5,cli_a6' });
	assert.ok(sixBots.error instanceof NodeOperationError);
	assert.match(sixBots.error.message, /at most 5 per request/);
	const none = await run({ operation: 'addMembers', chatId: byId(chatId), memberIds: ' , ' });
	assert.ok(none.error instanceof NodeOperationError);
	assert.match(none.error.message, /id_list: needs at least one ID/);
});

test('Is in Chat, and a bot that leaves: later calls see it gone', async () => {
	// Carol owns it: an owner cannot leave (232076), the bot that created it can.
	const chatId = String((await one({ operation: 'create', name: 'Short stay', additionalFields: { ownerId: carol } })).chat_id);
	assert.deepEqual(await one({ operation: 'isInChat', chatId: byId(chatId) }), { chat_id: chatId, is_in_chat: true });
	// The trigger's chat by default.
	assert.equal((await one({ operation: 'isInChat' }, [{ json: { chat_id: chatId } }])).is_in_chat, true);

	await refused({ operation: 'removeMembers', chatId: byId(chatId), memberIds: carol }, 232076);
	await one({ operation: 'removeMembers', chatId: byId(chatId), memberIdType: 'app_id', memberIds: APP.appId });
	assert.equal((await one({ operation: 'isInChat', chatId: byId(chatId) })).is_in_chat, false);
	await refused({ operation: 'getMembers', chatId: byId(chatId), returnAll: true }, 232011);
	const send = await runNode({ node, parameters: { resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: chatId, text: 'anyone?' }, credentialType, credentials: credentials as never });
	assert.match(String(send.error?.message), /230002/, 'no more messages to a group the bot left');
	await refused({ operation: 'isInChat', chatId: byId('oc_no_such_chat') }, 232006);
});

test('Managers: the owner names and drops them; Get shows them; a bot that is not the owner is refused', async () => {
	const chatId = await newGroup('Managed', `${bob}, ${carol}`);
	const added = await one({ operation: 'addManagers', chatId: byId(chatId), memberIds: bob });
	assert.deepEqual(added, { chat_id: chatId, chat_managers: [bob], chat_bot_managers: [] });
	assert.deepEqual((await chatOf(chatId)).user_manager_id_list, [bob]);
	await refused({ operation: 'addManagers', chatId: byId(chatId), memberIds: 'ou_not_in_this_chat' }, 232027);
	const dropped = await one({ operation: 'removeManagers', chatId: byId(chatId), memberIds: bob });
	assert.deepEqual(dropped.chat_managers, []);
	assert.deepEqual((await chatOf(chatId)).user_manager_id_list, []);

	// Carol owns this one; the bot only created it.
	const theirs = String((await one({ operation: 'create', name: 'Carol\'s', additionalFields: { ownerId: carol, userIds: bob } })).chat_id);
	const error = await refused({ operation: 'addManagers', chatId: byId(theirs), memberIds: bob }, 232038);
	assert.match(String(error.description), /log_id: \S+/);
});

test('Update: name, description and settings are kept; the owner can be handed to a member only', async () => {
	const chatId = await newGroup('Before', bob);
	const updated = await one({ operation: 'update', chatId: byId(chatId), updateFields: { name: 'After', description: 'New words', addMemberPermission: 'only_owner', atAllPermission: 'only_owner' } });
	assert.deepEqual(updated, { chat_id: chatId, updated: true });
	const body = (await apiCalls(sb)).at(-1)!.body;
	assert.deepEqual(body, { name: 'After', description: 'New words', add_member_permission: 'only_owner', share_card_permission: 'not_allowed', at_all_permission: 'only_owner' }, 'share permission sent in step, as Feishu requires');
	const got = await chatOf(chatId);
	assert.deepEqual([got.name, got.description, got.add_member_permission, got.share_card_permission, got.at_all_permission], ['After', 'New words', 'only_owner', 'not_allowed', 'only_owner']);

	await refused({ operation: 'update', chatId: byId(chatId), updateFields: { ownerId: carol } }, 232012);
	await one({ operation: 'update', chatId: byId(chatId), updateFields: { ownerId: bob } });
	assert.equal((await chatOf(chatId)).owner_id, bob);

	const nothing = await run({ operation: 'update', chatId: byId(chatId), updateFields: {} });
	assert.ok(nothing.error instanceof NodeOperationError);
	assert.match(nothing.error.message, /set at least one field/);
	// A group a person made and added the bot to: the bot may rename it, not change its settings.
	const { chat_id: theirs } = await control(sb, 'POST', 'chats', { app_id: APP.appId, name: 'Made by a person' });
	await one({ operation: 'update', chatId: byId(theirs), updateFields: { name: 'Renamed by the bot' } });
	await refused({ operation: 'update', chatId: byId(theirs), updateFields: { editPermission: 'only_owner' } }, 232016);
});

test('Get Link: a week by default, a year, or permanently; not for a p2p chat', async () => {
	const chatId = await newGroup('Open house');
	const week = await one({ operation: 'getLink', chatId: byId(chatId) });
	assert.match(String(week.share_link), /^https:\/\/applink\.feishu\.cn\/client\/chat\/chatter\/add_by_link\?link_token=/);
	assert.equal(week.is_permanent, false);
	const inDays = (Number(week.expire_time) - Date.now() / 1000) / 86_400;
	assert.ok(inDays > 6.9 && inDays <= 7, `expires in a week, not ${inDays} days`);
	assert.deepEqual((await apiCalls(sb)).at(-1)!.body, { validity_period: 'week' });
	const year = await one({ operation: 'getLink', chatId: byId(chatId), validityPeriod: 'year' });
	assert.ok(Number(year.expire_time) - Date.now() / 1000 > 364 * 86_400);
	const forever = await one({ operation: 'getLink', chatId: byId(chatId), validityPeriod: 'permanently' });
	assert.equal(forever.is_permanent, true);

	await runNode({ node, parameters: { resource: 'message', operation: 'send', receiveIdType: 'open_id', receiveId: bob, text: 'hi' }, credentialType, credentials: credentials as never });
	const p2p = (await control(sb, 'GET', 'chats')).chats.find((c: any) => c.chat_type === 'p2p' && c.user_open_id === bob);
	await refused({ operation: 'getLink', chatId: byId(p2p.chat_id) }, 232062);
});

test('Get Announcement: the content and revision a person last saved', async () => {
	const chatId = await newGroup('Noticeboard');
	const empty = await one({ operation: 'getAnnouncement', chatId: byId(chatId) });
	assert.deepEqual([empty.chat_id, empty.content, empty.revision], [chatId, '', '0']);
	const content = JSON.stringify({ title: { elements: [{ type: 'textRun', textRun: { text: 'Read me' } }] } });
	await control(sb, 'PUT', `chats/${chatId}/announcement`, { content, open_id: carol });
	const got = await one({ operation: 'getAnnouncement', chatId: byId(chatId) });
	assert.deepEqual([got.content, got.revision, got.modifier_id, got.modifier_id_type], [content, '1', carol, 'open_id']);
	const asUnion = await one({ operation: 'getAnnouncement', chatId: byId(chatId), options: { userIdType: 'union_id' } });
	assert.match(String(asUnion.modifier_id), /^on_/);
});

test('Delete: dissolves a group the bot made; it leaves the lists and every later call is refused', async () => {
	const chatId = await newGroup('Temporary', bob);
	assert.deepEqual(await one({ operation: 'delete', chatId: byId(chatId) }), { chat_id: chatId, deleted: true });
	assert.equal((await apiCalls(sb)).at(-1)!.method, 'DELETE');
	const listed = await run({ operation: 'getAll', returnAll: true });
	assert.ok(!listed.output![0].some((i) => i.json.chat_id === chatId));
	assert.equal((await chatOf(chatId)).chat_status, 'dissolved');
	await refused({ operation: 'addMembers', chatId: byId(chatId), memberIds: carol }, 232009);
	await refused({ operation: 'delete', chatId: byId(chatId) }, 232009);

	// Delete takes no default from the triggering message: nothing picked, nothing dissolved.
	const unpicked = await run({ operation: 'delete' }, [{ json: { chat_id: chatId } }]);
	assert.ok(unpicked.error instanceof NodeOperationError);
	assert.match(unpicked.error.message, /chat_id: is required/);
	const { chat_id: theirs } = await control(sb, 'POST', 'chats', { app_id: APP.appId, name: 'Not the bot\'s to dissolve' });
	await refused({ operation: 'delete', chatId: byId(theirs) }, 232017);
	await refused({ operation: 'delete', chatId: byId('oc_no_such_chat') }, 232006);
});

test('Continue On Fail: a refused member change becomes an item with Feishu\'s code, the others go on', async () => {
	const chatId = await newGroup('Half and half');
	const r = await run({ operation: 'addMembers', memberIds: '={{ $json.who }}' }, [{ json: { chat_id: chatId, who: carol } }, { json: { chat_id: 'oc_no_such_chat', who: carol } }], true);
	assert.ifError(r.error);
	assert.equal(r.output![0][0].json.chat_id, chatId);
	assert.equal(r.output![0][1].json.code, 232006);
	assert.deepEqual(r.output![0][1].pairedItem, { item: 1 });
});
