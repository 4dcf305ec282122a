// Read receipts (Get Read Users) through the Feishu node against the sandbox: nobody until the sandbox
// marks the message read, then the readers over more than two pages with Return All or exactly Limit,
// by the user ID type asked for; and Feishu's refusals (230012 not the bot's message, 230033 older
// than 7 days, 230011 recalled, 230001 unknown) as NodeApiErrors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { feishuNode } from '../../helpers/feishuNode';
import { APP, apiCalls, control, sandbox, userSays } from '../../helpers/sandbox';

const CHAT = 'oc_read_users';
let sb: Sandbox;
let credentials: IDataObject;
const { ok, refused } = feishuNode('message', () => credentials);

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
	await control(sb, 'POST', 'chats', { chat_id: CHAT, name: 'Read receipts' });
});
after(() => sb.close());

const send = async (text: string) => (await ok({ operation: 'send', receiveIdType: 'chat_id', chatId: { __rl: true, mode: 'id', value: CHAT }, msgType: 'text', text }))[0];

test('Get Read Users: nobody at first, then every reader over three pages with Return All, exactly Limit otherwise', async () => {
	const sent = await send('did you read this?');
	assert.deepEqual(await ok({ operation: 'getReadUsers', returnAll: true }, [{ json: sent }]), [], 'no one has read it yet');

	const readers = Array.from({ length: 205 }, (_, n) => `ou_reader_${String(n).padStart(3, '0')}`);
	await control(sb, 'POST', `messages/${sent.message_id}/read`, { open_ids: readers });
	const before = (await apiCalls(sb)).length;
	const all = await ok({ operation: 'getReadUsers', returnAll: true }, [{ json: sent }]);
	assert.deepEqual(all.map((r) => r.user_id), readers, 'in the order they read it, each once');
	assert.deepEqual(Object.keys(all[0]).sort(), ['tenant_key', 'timestamp', 'user_id', 'user_id_type']);
	assert.equal(all[0].user_id_type, 'open_id');
	assert.match(String(all[0].timestamp), /^\d{13}$/);
	const pages = (await apiCalls(sb)).slice(before).filter((c) => c.path.endsWith('/read_users'));
	assert.deepEqual(pages.map((c) => c.query.page_size), ['100', '100', '100'], 'three pages of Feishu\'s largest size');
	assert.ok(pages.every((c) => c.query.user_id_type === 'open_id'), 'user_id_type is required: open_id by default');

	assert.deepEqual((await ok({ operation: 'getReadUsers', returnAll: false, limit: 150 }, [{ json: sent }])).map((r) => r.user_id), readers.slice(0, 150));
	const asUnion = await ok({ operation: 'getReadUsers', returnAll: false, limit: 2, options: { userIdType: 'union_id' } }, [{ json: sent }]);
	assert.equal(asUnion.length, 2);
	assert.ok(asUnion.every((r) => r.user_id_type === 'union_id' && /^on_/.test(String(r.user_id))));
});

test('Get Read Users refusals: a user\'s message, older than 7 days, recalled, unknown', async () => {
	const theirs = await userSays(sb, CHAT, { text: 'a person wrote this' });
	await refused({ operation: 'getReadUsers', returnAll: true }, 230012, [{ json: theirs }]);

	const old = await send('last week');
	await control(sb, 'PATCH', `messages/${old.message_id}`, { create_time: Date.now() - 8 * 24 * 3_600_000 });
	await refused({ operation: 'getReadUsers', returnAll: true }, 230033, [{ json: old }]);

	const gone = await send('soon recalled');
	await ok({ operation: 'recall' }, [{ json: gone }]);
	await refused({ operation: 'getReadUsers', returnAll: true }, 230011, [{ json: gone }]);
	await refused({ operation: 'getReadUsers', messageId: 'om_nobody_sent_this', returnAll: true }, 230001);
});
