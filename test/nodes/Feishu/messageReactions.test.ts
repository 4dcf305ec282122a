// Message reactions through the Feishu node against the sandbox: Add Reaction (then listed), Get
// Reactions over more than two pages with Return All or exactly Limit, filtered by emoji type, Remove
// Reaction (then gone), and Feishu's refusals (231001 unknown emoji, 231003 unknown or recalled
// message, 231002 a chat without the bot, 231007 someone else's reaction) as NodeApiErrors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { feishuNode } from '../../helpers/feishuNode';
import { APP, apiCalls, control, sandbox, userSays } from '../../helpers/sandbox';

let sb: Sandbox;
let credentials: IDataObject;
const { ok, refused } = feishuNode('message', () => credentials);

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
});
after(() => sb.close());

/** A user's message in a group the bot is in, as the trigger would hand it on. */
const triggerItem = async (chatId: string) => {
	await control(sb, 'POST', 'chats', { chat_id: chatId, name: `Chat ${chatId}` });
	const { message_id } = await userSays(sb, chatId, { text: 'react to me' });
	return [{ json: { message_id, chat_id: chatId } }];
};

test('Add Reaction reacts to the triggering message; Get Reactions lists it; Remove Reaction takes it back', async () => {
	const items = await triggerItem('oc_reactions_basic');
	const messageId = String(items[0].json.message_id);
	const [added] = await ok({ operation: 'addReaction', emojiType: 'THUMBSUP' }, items);
	assert.equal(added.message_id, messageId);
	assert.match(String(added.reaction_id), /^[A-Za-z0-9_-]+$/);
	assert.deepEqual(added.operator, { operator_id: APP.appId, operator_type: 'app' });
	assert.deepEqual(added.reaction_type, { emoji_type: 'THUMBSUP' });
	assert.match(String(added.action_time), /^\d{13}$/);
	const call = (await apiCalls(sb)).find((c) => c.method === 'POST' && c.path.endsWith('/reactions'))!;
	assert.equal(call.path, `/open-apis/im/v1/messages/${messageId}/reactions`);
	assert.deepEqual(call.body, { reaction_type: { emoji_type: 'THUMBSUP' } });

	await control(sb, 'POST', `messages/${messageId}/reactions`, { open_id: 'ou_reactor_person', emoji_type: 'SMILE' });
	const listed = await ok({ operation: 'getReactions', returnAll: true }, items);
	assert.deepEqual(listed.map((r) => [r.reaction_id, (r.reaction_type as IDataObject).emoji_type]), [[added.reaction_id, 'THUMBSUP'], [listed[1].reaction_id, 'SMILE']]);
	assert.deepEqual(listed[1].operator, { operator_id: 'ou_reactor_person', operator_type: 'user' });
	const smiles = await ok({ operation: 'getReactions', returnAll: true, options: { emojiType: 'SMILE' } }, items);
	assert.deepEqual(smiles.map((r) => (r.operator as IDataObject).operator_id), ['ou_reactor_person']);

	// Remove takes the message and reaction ids from Add Reaction's output item by default.
	const [removed] = await ok({ operation: 'removeReaction' }, [{ json: added }]);
	assert.equal(removed.reaction_id, added.reaction_id);
	assert.deepEqual(removed.reaction_type, { emoji_type: 'THUMBSUP' });
	const left = await ok({ operation: 'getReactions', returnAll: true }, items);
	assert.deepEqual(left.map((r) => (r.reaction_type as IDataObject).emoji_type), ['SMILE']);
	// The person's reaction is theirs: the bot may not remove it (231007); a removed one is unknown (231011).
	await refused({ operation: 'removeReaction', reactionId: String(left[0].reaction_id) }, 231007, items);
	await refused({ operation: 'removeReaction', reactionId: String(added.reaction_id) }, 231011, items);
});

test('Get Reactions over three pages: everything with Return All, exactly Limit otherwise', async () => {
	const items = await triggerItem('oc_reactions_paged');
	const messageId = String(items[0].json.message_id);
	const people = Array.from({ length: 112 }, (_, n) => `ou_reactor_${String(n).padStart(3, '0')}`);
	for (const open_id of people) await control(sb, 'POST', `messages/${messageId}/reactions`, { open_id, emoji_type: 'DONE' });
	const before = (await apiCalls(sb)).length;
	const all = await ok({ operation: 'getReactions', returnAll: true }, items);
	assert.deepEqual(all.map((r) => (r.operator as IDataObject).operator_id), people);
	const pages = (await apiCalls(sb)).slice(before).filter((c) => c.path === `/open-apis/im/v1/messages/${messageId}/reactions`);
	assert.deepEqual(pages.map((c) => c.query.page_size), ['50', '50', '50'], 'three pages of Feishu\'s largest size');
	assert.ok(pages[1].query.page_token && pages[2].query.page_token && pages[1].query.page_token !== pages[2].query.page_token);

	const limited = await ok({ operation: 'getReactions', returnAll: false, limit: 70 }, items);
	assert.deepEqual(limited.map((r) => (r.operator as IDataObject).operator_id), people.slice(0, 70), 'exactly Limit, across two pages');
	const few = await ok({ operation: 'getReactions', returnAll: false, limit: 3 }, items);
	assert.equal(few.length, 3);
	const asUnion = await ok({ operation: 'getReactions', returnAll: false, limit: 1, options: { userIdType: 'union_id' } }, items);
	assert.match(String((asUnion[0].operator as IDataObject).operator_id), /^on_/);
});

test('refusals: unknown emoji type, unknown or recalled message, a chat without the bot', async () => {
	const items = await triggerItem('oc_reactions_refused');
	await refused({ operation: 'addReaction', emojiType: 'NOT_AN_EMOJI' }, 231001, items);
	await refused({ operation: 'addReaction', emojiType: 'thumbsup' }, 231001, items);
	await refused({ operation: 'getReactions', returnAll: true, options: { emojiType: 'NOT_AN_EMOJI' } }, 231001, items);
	await refused({ operation: 'addReaction', messageId: 'om_nobody_sent_this', emojiType: 'OK' }, 231003);
	await refused({ operation: 'getReactions', messageId: 'om_nobody_sent_this', returnAll: true }, 231003);

	const [sent] = await ok({ operation: 'send', receiveIdType: 'chat_id', chatId: { __rl: true, mode: 'id', value: 'oc_reactions_refused' }, msgType: 'text', text: 'soon gone' });
	await ok({ operation: 'recall', messageId: String(sent.message_id) });
	await refused({ operation: 'addReaction', messageId: String(sent.message_id), emojiType: 'OK' }, 231003);

	// A group the bot was removed from: its messages are out of reach.
	const [chat] = await ok({ operation: 'create', resource: 'chat', name: 'Bot leaves', additionalFields: { ownerId: 'ou_reactions_owner', userIds: 'ou_reactions_owner' } });
	const chatId = String(chat.chat_id);
	const { message_id } = await userSays(sb, chatId, { text: 'before the bot left' });
	await ok({ resource: 'chat', operation: 'removeMembers', chatId: { __rl: true, mode: 'id', value: chatId }, memberIdType: 'app_id', memberIds: APP.appId });
	await refused({ operation: 'addReaction', messageId: message_id, emojiType: 'OK' }, 231002);
	await refused({ operation: 'getReactions', messageId: message_id, returnAll: true }, 231008);
});
