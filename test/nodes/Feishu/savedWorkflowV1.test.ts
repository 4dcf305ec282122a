// Saved workflows keep working: test/fixtures/workflow-v1-every-operation.json holds one Feishu node
// (typeVersion 1) per operation with only the parameters n8n stores (those that differ from the
// defaults; the Chat management, Custom Bot and newer Message operations, added later, as a v1 node would save them). Each runs
// from the built package (dist/), as n8n loads it, against the sandbox, chained
// the way a workflow would pass items on; if a parameter is ever renamed, dropped or re-defaulted,
// this fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ICredentialType, IDataObject, INodeExecutionData, INodeType } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { binaryItem, runNode } from '../../helpers/executeContext';
import { APP, chatMessages, control, sandbox, tinyPng, userSays } from '../../helpers/sandbox';

const root = path.resolve(__dirname, '../../..');
const nodeFile = path.join(root, 'dist/nodes/Feishu/Feishu.node.js');
const credFile = path.join(root, 'dist/credentials/FeishuApi.credentials.js');
const customBotCredFile = path.join(root, 'dist/credentials/FeishuCustomBotApi.credentials.js');
const fixture = JSON.parse(fs.readFileSync(path.join(root, 'test/fixtures/workflow-v1-every-operation.json'), 'utf8')) as {
	nodes: { name: string; typeVersion: number; parameters: IDataObject }[];
};
const CHAT = 'oc_v1_fixture_chat';

let sb: Sandbox;
let Feishu: new () => INodeType;
let FeishuApi: new () => ICredentialType;
let FeishuCustomBotApi: new () => ICredentialType;
before(async () => {
	if (![nodeFile, credFile, customBotCredFile].every((f) => fs.existsSync(f))) {
		const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore' });
		assert.equal(r.status, 0, 'npm run build');
	}
	/* eslint-disable @typescript-eslint/no-require-imports */
	({ Feishu } = require(nodeFile) as { Feishu: new () => INodeType });
	({ FeishuApi } = require(credFile) as { FeishuApi: new () => ICredentialType });
	({ FeishuCustomBotApi } = require(customBotCredFile) as { FeishuCustomBotApi: new () => ICredentialType });
	/* eslint-enable @typescript-eslint/no-require-imports */
	sb = await sandbox();
	await userSays(sb, CHAT, { text: 'hello' });
});
after(async () => {
	await sb.close();
});

/** Runs the fixture's node of that name on the items (with the app's credential unless told otherwise); returns its one output item. */
async function step(name: string, items: INodeExecutionData[] = [{ json: {} }], credential?: { type: ICredentialType; data: IDataObject }): Promise<INodeExecutionData> {
	const saved = fixture.nodes.find((n) => n.name === name);
	assert.ok(saved, `the fixture has "${name}"`);
	assert.equal(saved.typeVersion, 1);
	const credentials = credential?.data ?? { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl };
	const r = await runNode({ node: new Feishu(), parameters: saved.parameters, items, credentialType: credential?.type ?? new FeishuApi(), credentials: credentials as never, name });
	assert.ifError(r.error);
	assert.equal(r.output![0].length, 1, `${name}: one output item`);
	assert.deepEqual(r.output![0][0].pairedItem, { item: 0 });
	if (name === 'Respond to Card Action') assert.equal(r.responses.length, 1, 'the answer went to sendResponse');
	return r.output![0][0];
}

test('every operation of a v1 workflow runs from its saved parameters', async () => {
	const defaultOperation: Record<string, string> = { message: 'send', chat: 'get', callback: 'respondToCardAction', customBot: 'sendMessage', contact: 'getUser', api: 'callEndpoint' };
	const covered = new Set(fixture.nodes.map(({ parameters: p }) => {
		const resource = String(p.resource ?? 'message');
		return `${resource}:${String(p.operation ?? defaultOperation[resource])}`;
	}));
	const operations = new Feishu().description.properties.filter((p) => p.name === 'operation');
	// Send and Wait puts the execution to wait for n8n's resume webhook, which only a real n8n has:
	// test/e2e/sendAndWait.test.ts runs it there.
	const offered = operations.flatMap((p) => (p.options as { value: string }[]).map((o) => `${p.displayOptions!.show!.resource![0]}:${o.value}`)).filter((o) => o !== 'message:sendAndWait');
	assert.deepEqual([...covered].sort(), offered.sort(), 'the fixture covers every operation the node offers');

	const sent = await step('Send Text');
	assert.deepEqual(sent.json.content, { text: 'saved with v1' });
	const reply = await step('Reply', [sent]);
	assert.equal(reply.json.parent_id, sent.json.message_id, 'Message ID defaults to $json.message_id');
	await step('Edit', [sent]);
	const got = await step('Get', [sent]);
	assert.deepEqual(got.json.content, { text: 'edited' });
	const forwarded = await step('Forward', [sent]);
	assert.notEqual(forwarded.json.message_id, sent.json.message_id);

	const card = await step('Send Card');
	assert.equal(card.json.msg_type, 'interactive');
	assert.deepEqual((await step('Update Card', [card])).json, { message_id: card.json.message_id, updated: true });

	const png = tinyPng();
	const uploaded = await step('Upload Image', [binaryItem(png, 'dot.png', 'image/png')]);
	assert.match(String(uploaded.json.image_key), /^img_/);
	const image = await step('Send Image', [uploaded]);
	assert.equal(image.json.msg_type, 'image');
	const downloaded = await step('Download Image', [image]);
	assert.deepEqual(Buffer.from(downloaded.binary!.data.data, 'base64'), png, 'the image comes back byte for byte');

	const file = await step('Upload File', [binaryItem(Buffer.from('some notes'), 'x.bin', 'text/plain')]);
	assert.match(String(file.json.file_key), /^file_/);
	assert.equal(file.json.file_name, 'notes.txt');

	// No Feishu Trigger before it: the answer is a closed card replying to the message.
	const aiAnswer = await step('Send Answer', [sent]);
	assert.equal(aiAnswer.json.streamed, false);
	assert.deepEqual(aiAnswer.json.extra_message_ids, []);
	const answerCard = await control(sb, 'GET', `cardkit/cards/${String(aiAnswer.json.card_id)}`);
	assert.equal(answerCard.streaming_mode, false);
	assert.equal(answerCard.message_id, aiAnswer.json.message_id);

	const reaction = await step('Add Reaction', [sent]);
	assert.deepEqual(reaction.json.reaction_type, { emoji_type: 'OK' });
	assert.equal((await step('Get Reactions', [sent])).json.reaction_id, reaction.json.reaction_id);
	assert.equal((await step('Remove Reaction', [reaction])).json.reaction_id, reaction.json.reaction_id);

	assert.equal((await step('Pin', [sent])).json.message_id, sent.json.message_id);
	assert.equal((await step('Get Pins', [sent])).json.message_id, sent.json.message_id, 'Chat defaults to $json.chat_id');
	assert.deepEqual((await step('Unpin', [sent])).json, { message_id: sent.json.message_id, unpinned: true });

	assert.equal((await step('Get Many Messages', [sent])).json.chat_id, CHAT, 'the chat of $json.chat_id, Limit 1');

	await control(sb, 'POST', `messages/${String(sent.json.message_id)}/read`, { open_ids: ['ou_v1_fixture_reader'] });
	assert.equal((await step('Get Read Users', [sent])).json.user_id, 'ou_v1_fixture_reader');

	const buzzed = await step('Send Urgent', [sent]);
	assert.deepEqual([buzzed.json.urgent_type, buzzed.json.invalid_user_id_list], ['sms', ['ou_v1_fixture_urgent']], 'not in the chat: listed as invalid');

	const batch = await step('Batch Send');
	assert.deepEqual([batch.json.invalid_open_ids, (await step('Get Batch Message Progress', [batch])).json.batch_message_id], [['not-an-open-id'], batch.json.message_id]);
	assert.equal((await step('Recall Batch Message', [batch])).json.recalled, true);

	const merged = await step('Merge Forward', [sent]);
	assert.deepEqual([merged.json.msg_type, merged.json.chat_id, merged.json.invalid_message_id_list], ['merge_forward', CHAT, []]);

	assert.deepEqual((await step('Recall', [sent])).json, { message_id: sent.json.message_id, recalled: true });
	assert.equal((await chatMessages(sb, CHAT)).find((m) => m.message_id === sent.json.message_id).deleted, true);

	const chat = await step('Get Chat', [sent]);
	assert.equal(chat.json.chat_id, CHAT, 'Chat defaults to $json.chat_id');
	assert.equal(chat.json.chat_mode, 'group');
	assert.equal((await step('Get Many Chats')).json.chat_id, CHAT);
	assert.equal((await step('Call Endpoint')).json.chat_id, CHAT, 'API > Call Endpoint: GET /open-apis/im/v1/chats, Limit 1');

	// Managing a group: each step takes the chat from the item before it ($json.chat_id).
	const group = await step('Create Chat');
	assert.match(String(group.json.chat_id), /^oc_/);
	const inGroup = [{ json: { chat_id: group.json.chat_id } }];
	assert.deepEqual((await step('Add Chat Members', inGroup)).json.invalid_id_list, []);
	assert.equal((await step('Get Chat Members', inGroup)).json.member_id, 'ou_v1_fixture_user');
	assert.equal((await step('Is in Chat', inGroup)).json.is_in_chat, true);
	assert.deepEqual((await step('Add Chat Managers', inGroup)).json.chat_managers, ['ou_v1_fixture_member']);
	assert.deepEqual((await step('Remove Chat Managers', inGroup)).json.chat_managers, []);
	assert.deepEqual((await step('Remove Chat Members', inGroup)).json.invalid_id_list, []);
	assert.equal((await step('Update Chat', inGroup)).json.updated, true);
	assert.match(String((await step('Get Chat Link', inGroup)).json.share_link), /^https:/);
	assert.equal((await step('Get Chat Announcement', inGroup)).json.revision, '0');
	assert.deepEqual((await step('Update Chat Announcement', inGroup)).json, { chat_id: group.json.chat_id, base_revision: '0', requests: 1, updated: true });
	assert.equal((await step('Search Chats')).json.chat_id, group.json.chat_id);
	const ephemeral = await step('Send Ephemeral Card', [{ json: { chat_id: group.json.chat_id, sender: { open_id: 'ou_v1_fixture_user' } } }]);
	assert.equal(ephemeral.json.open_id, 'ou_v1_fixture_user', 'the sender of the item is who sees it');
	assert.equal((await step('Delete Ephemeral Card', [ephemeral])).json.deleted, true);
	assert.equal((await step('Delete Chat', inGroup)).json.deleted, true);

	// The directory: each step takes the user from the item before it.
	const member = await step('Get Department Members');
	assert.match(String(member.json.open_id), /^ou_/);
	assert.equal((await step('Get Contact User', [member])).json.open_id, member.json.open_id);
	assert.equal((await step('Get Many Users by ID', [member])).json.open_id, member.json.open_id);
	assert.equal((await step('Find User IDs', [member])).json.user_id, member.json.open_id);
	await control(sb, 'POST', 'departments', { name: 'v1 fixture department' });
	assert.equal((await step('Get Department Children')).json.name, 'v1 fixture department');

	const answered = await step('Respond to Card Action', [{ json: { event_type: 'card.action.trigger' } }]);
	assert.deepEqual((answered.json.answer as IDataObject).toast, { type: 'info', content: 'Got it' });

	const bot = await control<{ webhook_url: string }>(sb, 'POST', 'custom-bots', { chat_id: CHAT, secret: 'v1-secret' });
	const posted = await step('Send Custom Bot Message', undefined, { type: new FeishuCustomBotApi(), data: { webhookUrl: bot.webhook_url, secret: 'v1-secret' } });
	assert.deepEqual(posted.json, { sent: true, msg_type: 'text' });
	assert.equal((await chatMessages(sb, CHAT)).at(-1).content.text, 'saved with v1 through a custom bot');
});
