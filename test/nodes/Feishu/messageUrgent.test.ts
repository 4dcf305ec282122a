// Urgent notifications (Send Urgent) through the Feishu node against the sandbox: each Type calls its
// endpoint, once even after a 5xx; users outside the chat come back in invalid_user_id_list; Feishu's refusals (230012 not the
// bot's message, 230011 recalled, 230023 too many unread buzzes) reach n8n as NodeApiErrors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { feishuNode } from '../../helpers/feishuNode';
import { APP, apiCalls, control, sandbox, userSays } from '../../helpers/sandbox';

const BOB = 'ou_urgent_bob';
const CAROL = 'ou_urgent_carol';
let sb: Sandbox;
let credentials: IDataObject;
const { run, ok, refused } = feishuNode('message', () => credentials);
let chatId: string;

before(async () => {
	sb = await sandbox({ rateLimitPerSecond: 1000, rateLimitPerMinute: 10_000 });
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
});
after(() => sb.close());

const send = async (text: string) => (await ok({ operation: 'send', receiveIdType: 'chat_id', chatId: { __rl: true, mode: 'id', value: chatId }, msgType: 'text', text }))[0];

test('Send Urgent: App, SMS and Phone each call their endpoint; users outside the chat are listed as invalid', async () => {
	chatId = String((await ok({ resource: 'chat', operation: 'create', name: 'Urgent', additionalFields: { userIds: `${BOB}, ${CAROL}` } }))[0].chat_id);
	const sent = await send('the build is red');
	for (const urgentType of ['app', 'sms', 'phone']) {
		const [res] = await ok({ operation: 'urgent', urgentType, urgentUserIds: `${BOB}, ou_urgent_outsider` }, [{ json: sent }]);
		assert.deepEqual(res, { message_id: sent.message_id, urgent_type: urgentType, invalid_user_id_list: ['ou_urgent_outsider'] });
		const call = (await apiCalls(sb)).at(-1)!;
		assert.deepEqual([call.method, call.path, call.query.user_id_type], ['PATCH', `/open-apis/im/v1/messages/${sent.message_id}/urgent_${urgentType}`, 'open_id']);
		assert.deepEqual(call.body, { user_id_list: [BOB, 'ou_urgent_outsider'] });
	}
	const { urgents } = await control(sb, 'GET', 'urgents');
	assert.deepEqual(urgents.map((u: IDataObject) => [u.open_id, u.type]), [[BOB, 'app'], [BOB, 'sms'], [BOB, 'phone']]);
	// Default type: App.
	assert.equal((await ok({ operation: 'urgent', urgentUserIds: CAROL }, [{ json: sent }]))[0].urgent_type, 'app');
	// An expression's array (e.g. {{ $json.user_ids }}) works as well as comma-separated text.
	await ok({ operation: 'urgent', urgentUserIds: [CAROL, ` ${BOB} `] }, [{ json: sent }]);
	assert.deepEqual((await apiCalls(sb)).at(-1)!.body, { user_id_list: [CAROL, BOB] });
});

test('Send Urgent is not repeated after a 5xx: an SMS or a phone call could reach (and bill) the user twice', async () => {
	const sent = await send('not twice');
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 1, code: 55001, http_status: 500 } });
	const before = (await apiCalls(sb)).length;
	const r = await run({ operation: 'urgent', urgentType: 'sms', urgentUserIds: BOB }, [{ json: sent }]);
	assert.ok(r.error instanceof NodeApiError, String(r.error));
	assert.equal((await apiCalls(sb)).slice(before).filter((c) => c.path.endsWith('/urgent_sms')).length, 1, 'one request, no retry');
});

test('Send Urgent refusals: a user\'s message, a recalled one, too many unread buzzes, no users', async () => {
	const theirs = await userSays(sb, chatId, { text: 'a person wrote this' });
	await refused({ operation: 'urgent', urgentUserIds: BOB }, 230012, [{ json: theirs }]);
	const gone = await send('soon recalled');
	await ok({ operation: 'recall' }, [{ json: gone }]);
	await refused({ operation: 'urgent', urgentUserIds: BOB }, 230011, [{ json: gone }]);

	// Carol ignores 200 buzzes (one from the test before, one per message here); the next is refused until she reads one.
	const many: INodeExecutionData[] = [];
	for (let n = 0; n < 199; n++) many.push({ json: await send(`ping ${n}`) });
	assert.equal((await ok({ operation: 'urgent', urgentUserIds: CAROL }, many)).length, 199);
	const next = await send('one more');
	await refused({ operation: 'urgent', urgentUserIds: CAROL }, 230023, [{ json: next }]);
	await control(sb, 'POST', `messages/${String(many[0].json.message_id)}/read`, { open_ids: [CAROL] });
	assert.deepEqual((await ok({ operation: 'urgent', urgentUserIds: CAROL }, [{ json: next }]))[0].invalid_user_id_list, []);

	const none = await run({ operation: 'urgent', urgentUserIds: ' , ' }, [{ json: next }]);
	assert.ok(none.error instanceof NodeOperationError, String(none.error));
});
