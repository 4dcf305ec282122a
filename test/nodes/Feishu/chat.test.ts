// Chats and users through the Feishu node against the sandbox: the Chat resource (Get, Get Many with
// Return All / Limit over Feishu's paging), version 2's chat and user pickers in Send (each locator
// mode), and the listSearch methods behind "From List", as the editor calls them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import type { Sandbox } from '../../../sandbox/server';
import { listSearch, runNode } from '../../helpers/executeContext';
import { APP, apiCalls, chatMessages, control, sandbox } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

const node = new Feishu();
const credentialType = new FeishuApi();
let sb: Sandbox;
let credentials: IDataObject;
const chats: { chat_id: string; name: string }[] = [];
let bob: { open_id: string };

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
	// 120 groups: more than one page of Feishu's largest (100).
	for (let i = 0; i < 120; i++) chats.push(await control(sb, 'POST', 'chats', { app_id: APP.appId, name: i < 3 ? `Release train ${i}` : `Team ${i}` }));
	bob = await control(sb, 'POST', 'users', { name: 'Bob Builder', email: 'bob@example.com' });
	await control(sb, 'POST', 'users', { name: 'Carol', email: 'carol@example.com' });
});
after(() => sb.close());

const run = (parameters: IDataObject, items?: INodeExecutionData[], typeVersion = 2) => runNode({ node, parameters, items, credentialType, credentials: credentials as never, typeVersion });
const rl = (mode: string, value: string) => ({ __rl: true, mode, value });

test('Chat > Get: by ID, by AppLink URL, from the list, and by default the trigger\'s chat', async () => {
	const target = chats[5];
	for (const chatId of [rl('id', target.chat_id), rl('url', `https://applink.feishu.cn/client/chat/open?openChatId=${target.chat_id}`), rl('list', target.chat_id)]) {
		const r = await run({ resource: 'chat', operation: 'get', chatId });
		assert.ifError(r.error);
		assert.equal(r.output![0].length, 1);
		assert.equal(r.output![0][0].json.chat_id, target.chat_id);
		assert.equal(r.output![0][0].json.name, target.name);
		assert.equal(r.output![0][0].json.chat_mode, 'group');
	}
	const fromTrigger = await run({ resource: 'chat', operation: 'get' }, [{ json: { chat_id: chats[7].chat_id } }]);
	assert.ifError(fromTrigger.error);
	assert.equal(fromTrigger.output![0][0].json.name, chats[7].name, 'the default reads $json.chat_id');

	const bad = await run({ resource: 'chat', operation: 'get', chatId: rl('url', 'https://example.com/no-chat-here') });
	assert.match(String(bad.error?.message), /value is invalid/);
	const missing = await run({ resource: 'chat', operation: 'get', chatId: rl('id', 'oc_missing') });
	assert.ok(missing.error instanceof NodeApiError);
	assert.match(missing.error.message, /232006/);
});

test('Chat > Get Many: Limit asks for no more than it needs; Return All follows page_token to the end', async () => {
	const limited = await run({ resource: 'chat', operation: 'getAll', returnAll: false, limit: 7 }, [{ json: {} }, { json: {} }]);
	assert.ifError(limited.error);
	assert.equal(limited.output![0].length, 14, '7 per input item');
	assert.deepEqual(limited.output![0].slice(0, 7).map((i) => i.json.chat_id), chats.slice(0, 7).map((c) => c.chat_id));
	assert.deepEqual(limited.output![0][7].pairedItem, { item: 1 });
	const listCalls = (await apiCalls(sb)).filter((c) => c.path === '/open-apis/im/v1/chats');
	assert.equal(listCalls[listCalls.length - 1].query.page_size, '7');

	const before = (await apiCalls(sb)).length;
	const all = await run({ resource: 'chat', operation: 'getAll', returnAll: true });
	assert.ifError(all.error);
	assert.deepEqual(all.output![0].map((i) => i.json.chat_id), chats.map((c) => c.chat_id), 'all 120, in order, none twice');
	const pages = (await apiCalls(sb)).slice(before).filter((c) => c.path === '/open-apis/im/v1/chats');
	assert.equal(pages.length, 2, 'two pages of 100');
	assert.ok(pages[1].query.page_token, 'the second asked with the first page\'s token');
});

test('Send (version 2): to a chat picked in the list, to a user picked in the list, to an email', async () => {
	const chat = chats[1];
	const r = await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', chatId: rl('list', chat.chat_id), text: 'to the picked chat' });
	assert.ifError(r.error);
	assert.equal(r.output![0][0].json.chat_id, chat.chat_id);
	assert.equal((await chatMessages(sb, chat.chat_id)).at(-1).content.text, 'to the picked chat');

	const toUser = await run({ resource: 'message', operation: 'send', receiveIdType: 'open_id', userId: rl('list', bob.open_id), text: 'hi Bob' });
	assert.ifError(toUser.error);
	const dm = (await apiCalls(sb)).at(-1)!;
	assert.equal(dm.query.receive_id_type, 'open_id');
	assert.equal(dm.body.receive_id, bob.open_id);

	const bySender = await run({ resource: 'message', operation: 'send', receiveIdType: 'open_id', userId: rl('id', '={{ $json.sender.open_id }}'), text: 'hi again' }, [{ json: { sender: { open_id: bob.open_id } } }]);
	assert.ifError(bySender.error);
	assert.equal((await apiCalls(sb)).at(-1)!.body.receive_id, bob.open_id, 'the trigger\'s sender, by expression');

	const unpicked = await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', text: 'nowhere' });
	assert.match(String(unpicked.error?.message), /receive_id.*required/i, 'no chat picked: a clear error before any request');

	const byEmail = await run({ resource: 'message', operation: 'send', receiveIdType: 'email', receiveId: 'bob@example.com', text: 'by mail' });
	assert.ifError(byEmail.error);
	assert.equal((await apiCalls(sb)).at(-1)!.body.receive_id, 'bob@example.com');

	// Sharing a chat or a user's card: picked the same way.
	const shared = await run({ resource: 'message', operation: 'send', chatId: rl('list', chat.chat_id), msgType: 'share_chat', shareChatId: rl('list', chats[2].chat_id) });
	assert.ifError(shared.error);
	assert.deepEqual(shared.output![0][0].json.content, { chat_id: chats[2].chat_id });
	const card = await run({ resource: 'message', operation: 'send', chatId: rl('list', chat.chat_id), msgType: 'share_user', shareUserId: rl('id', bob.open_id) });
	assert.ifError(card.error);
	assert.deepEqual(card.output![0][0].json.content, { user_id: bob.open_id });

	// Version 1 keeps its one text field.
	const v1 = await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: chat.chat_id, text: 'v1' }, undefined, 1);
	assert.ifError(v1.error);
	assert.equal(v1.output![0][0].json.chat_id, chat.chat_id);
});

test('From List: chats are searched by name and load page by page; users by name or email', async () => {
	const opts = { node, credentialType, credentials: credentials as never, typeVersion: 2 };
	const first = await listSearch(opts, 'searchChats');
	assert.equal(first.results.length, 50);
	assert.ok(first.paginationToken, 'more to load on scroll');
	assert.equal(first.results[0].url, `https://applink.feishu.cn/client/chat/open?openChatId=${chats[0].chat_id}`);
	const names: string[] = first.results.map((r) => String(r.name));
	for (let token: unknown = first.paginationToken; token; ) {
		const next = await listSearch(opts, 'searchChats', undefined, String(token));
		names.push(...next.results.map((r) => String(r.name)));
		token = next.paginationToken;
	}
	assert.deepEqual(names, chats.map((c) => c.name), 'every chat once');

	const release = await listSearch(opts, 'searchChats', 'release');
	assert.deepEqual(release.results.map((r) => r.name), ['Release train 0', 'Release train 1', 'Release train 2']);
	assert.equal(release.paginationToken, undefined);

	const users = await listSearch(opts, 'searchUsers');
	assert.deepEqual(users.results.map((r) => r.name), ['Bob Builder (bob@example.com)', 'Carol (carol@example.com)']);
	const byMail = await listSearch(opts, 'searchUsers', 'carol@');
	assert.deepEqual(byMail.results.map((r) => r.value), [(await listSearch(opts, 'searchUsers', 'Carol')).results[0].value]);
	assert.equal((await listSearch(opts, 'searchUsers', 'nobody')).results.length, 0);

	// A Feishu error reaches the editor as n8n's error with the hint, not as a crash.
	await assert.rejects(listSearch({ ...opts, credentials: { ...credentials, appSecret: 'wrong' } as never }, 'searchChats'), (e: any) => e instanceof NodeApiError && /10014/.test(e.message));
});
