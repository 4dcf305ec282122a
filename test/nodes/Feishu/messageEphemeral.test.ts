// Send Ephemeral Card and Delete Ephemeral Card through the Feishu node against the sandbox: a card in a
// group that only one member sees, given by open_id (picked, or the triggering message's sender), user_id
// or email, built with the node's card fields; it stays out of the chat's history; deleting it twice is
// Feishu's 18051; the chats (one-to-one, topic groups) and users Feishu refuses reach n8n as NodeApiErrors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { feishuNode } from '../../helpers/feishuNode';
import { APP, apiCalls, chatMessages, control, sandbox } from '../../helpers/sandbox';

let sb: Sandbox;
let credentials: IDataObject;
const { run, ok, refused } = feishuNode('message', () => credentials);
let chatId: string;
let dana: IDataObject;
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
	dana = await control(sb, 'POST', 'users', { name: 'Dana', email: 'dana@ephemeral.example' });
	chatId = String((await ok({ resource: 'chat', operation: 'create', name: 'Ephemeral', additionalFields: { userIds: `${String(dana.open_id)}, ou_eph_erin` } }))[0].chat_id);
});
after(() => sb.close());

const cards = async () => (await control<{ ephemeral_cards: any[] }>(sb, 'GET', `ephemeral-cards?chat_id=${chatId}`)).ephemeral_cards;

test('Send Ephemeral Card: to the sender of the triggering message by default, with the card builder; not in the chat history', async () => {
	const trigger = { json: { chat_id: chatId, message_id: 'om_trigger', sender: { open_id: dana.open_id } } };
	const [sent] = await ok({ operation: 'sendEphemeral', cardTitle: 'Just for you', cardMarkdown: 'Pick a date', cardButtons: { button: [{ text: 'OK', value: '{"ok":1}' }] } }, [trigger]);
	assert.match(String(sent.message_id), /^om_/);
	assert.deepEqual([sent.chat_id, sent.open_id], [chatId, dana.open_id]);
	const call = (await apiCalls(sb)).at(-1)!;
	assert.deepEqual([call.method, call.path, call.body.chat_id, call.body.open_id, call.body.msg_type], ['POST', '/open-apis/ephemeral/v1/send', chatId, dana.open_id, 'interactive']);
	assert.equal(typeof call.body.card, 'object', 'the card as a JSON object');
	const [card] = await cards();
	assert.deepEqual([card.message_id, card.open_id, card.card.header.title.content], [sent.message_id, dana.open_id, 'Just for you']);
	assert.ok(!(await chatMessages(sb, chatId)).some((m) => m.message_id === sent.message_id), 'others never see it in the chat');
});

test('Send Ephemeral Card: by user_id and by email, with card JSON or a template', async () => {
	const [byUserId] = await ok({ operation: 'sendEphemeral', chatId: byId(chatId), ephemeralUserIdType: 'user_id', ephemeralUser: String(dana.user_id), cardSource: 'json', cardJson: '{"elements":[{"tag":"markdown","content":"json card"}]}' });
	assert.equal((await apiCalls(sb)).at(-1)!.body.user_id, dana.user_id);
	assert.equal(byUserId.user_id, dana.user_id);
	const [byEmail] = await ok({ operation: 'sendEphemeral', chatId: byId(chatId), ephemeralUserIdType: 'email', ephemeralUser: ' dana@ephemeral.example ', cardSource: 'template', templateId: 'AAqTemplate1' });
	const body = (await apiCalls(sb)).at(-1)!.body;
	assert.deepEqual([body.email, body.card.type, body.card.data.template_id], ['dana@ephemeral.example', 'template', 'AAqTemplate1']);
	assert.ok((await cards()).filter((c) => c.open_id === dana.open_id).length >= 3);
	assert.match(String(byEmail.message_id), /^om_/);
});

test('Delete Ephemeral Card: takes the card from the item before it; a second delete is Feishu\'s 18051', async () => {
	const [sent] = await ok({ operation: 'sendEphemeral', chatId: byId(chatId), userId: byId('ou_eph_erin'), cardMarkdown: 'soon gone' });
	assert.deepEqual((await ok({ operation: 'deleteEphemeral' }, [{ json: sent }]))[0], { message_id: sent.message_id, deleted: true });
	assert.equal((await cards()).find((c) => c.message_id === sent.message_id).deleted, true);
	await refused({ operation: 'deleteEphemeral' }, 18051, [{ json: sent }]);
});

test('Send Ephemeral Card refusals: a user outside the chat, a one-to-one chat, a topic group, an unknown chat, an empty user', async () => {
	await refused({ operation: 'sendEphemeral', chatId: byId(chatId), userId: byId('ou_eph_outsider'), cardMarkdown: 'x' }, 230001);
	await ok({ operation: 'send', receiveIdType: 'open_id', userId: byId(String(dana.open_id)), text: 'hi' });
	const p2p = (await control(sb, 'GET', 'chats')).chats.find((c: any) => c.chat_type === 'p2p' && c.user_open_id === dana.open_id);
	await refused({ operation: 'sendEphemeral', chatId: byId(p2p.chat_id), userId: byId(String(dana.open_id)), cardMarkdown: 'x' }, 230001);
	const topics = await control(sb, 'POST', 'chats', { app_id: APP.appId, name: 'Topics', chat_type: 'topic_group' });
	await refused({ operation: 'sendEphemeral', chatId: byId(topics.chat_id), userId: byId(String(dana.open_id)), cardMarkdown: 'x' }, 230001);
	await refused({ operation: 'sendEphemeral', chatId: byId('oc_eph_not_a_chat'), userId: byId(String(dana.open_id)), cardMarkdown: 'x' }, 230002);
	const before = (await apiCalls(sb)).length;
	const empty = await run({ operation: 'sendEphemeral', chatId: byId(chatId), ephemeralUserIdType: 'email', ephemeralUser: ' ', cardMarkdown: 'x' });
	assert.ok(empty.error instanceof NodeOperationError, String(empty.error));
	assert.equal((await apiCalls(sb)).length, before, 'refused before any request');
});
