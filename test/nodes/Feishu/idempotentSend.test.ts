// One visible effect per Feishu event: the Feishu node's Send and Reply, run again for the same
// event (n8n's Retry, a crash recovery, a redelivery in another process), post once. The node runs in
// the test execution context (test/helpers/executeContext.ts) whose paired-item look-ups are
// n8n-workflow's own WorkflowDataProxy over the run so far, against the sandbox.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { eventSendUuid } from '../../../lib/feishu';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import type { Sandbox } from '../../../sandbox/server';
import { runNode, type RunOptions, type UpstreamNode } from '../../helpers/executeContext';
import { APP, apiCalls, chatMessages, control, sandbox, userSays } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

const TRIGGER_TYPE = 'n8n-nodes-feishu-bot.feishuTrigger';
const CHAT = 'oc_idempotent_chat_0001';
let sb: Sandbox;
let credentials: IDataObject;
const node = new Feishu();
const credentialType = new FeishuApi();

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: `${sb.baseUrl}/`, encryptKey: '', verificationToken: '' };
});
after(async () => {
	await sb.close();
});
beforeEach(async () => {
	await control(sb, 'POST', 'reset');
});

const run = (parameters: IDataObject, items: INodeExecutionData[], more: Partial<RunOptions> = {}) =>
	runNode({ node, parameters, items, credentialType, credentials: credentials as never, ...more });

/** A user message in the chat, and the item the Feishu Trigger outputs for it (lib/feishu shapeEvent's fields). */
async function userEvent(text: string): Promise<{ trigger: UpstreamNode; item: INodeExecutionData }> {
	const sent = await userSays(sb, CHAT, { text });
	const json = { event_type: 'im.message.receive_v1', event_id: sent.event_id, message_id: sent.message_id, chat_id: sent.chat_id, text };
	return { trigger: { name: 'Feishu Trigger', type: TRIGGER_TYPE, output: [{ json }] }, item: { json, pairedItem: { item: 0 } } };
}

const botMessages = async () => (await chatMessages(sb, CHAT)).filter((m) => m.from === 'bot');
const postedUuids = async () => (await apiCalls(sb)).filter((c) => c.method === 'POST' && c.path.startsWith('/open-apis/im/v1/messages')).map((c) => c.body.uuid as string);
const reply = { resource: 'message', operation: 'reply', messageId: '={{ $json.message_id }}', text: '=Echo: {{ $json.text }}' };
const send = { resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, text: '={{ $json.text }}' };

test('Reply run twice for the same event: one message in the chat, both requests with the same uuid, the same output', async () => {
	const { trigger, item } = await userEvent('hello');
	const first = await run(reply, [item], { upstream: [trigger] });
	const second = await run(reply, [item], { upstream: [trigger] });
	assert.ifError(first.error);
	assert.ifError(second.error);
	assert.equal(second.output![0][0].json.message_id, first.output![0][0].json.message_id, 'the re-run outputs the first reply');
	const bots = await botMessages();
	assert.equal(bots.length, 1);
	assert.equal(bots[0].content.text, 'Echo: hello');
	const uuids = await postedUuids();
	assert.equal(uuids.length, 2);
	assert.equal(uuids[0], uuids[1]);
	assert.equal(uuids[0], eventSendUuid({ eventId: String(item.json.event_id), workflowId: 'test-workflow', nodeId: 'test-node', runIndex: 0, itemIndex: 0 }));
});

test('the event is found through paired items when a node in between dropped event_id (a Set keeping two fields)', async () => {
	const { trigger, item } = await userEvent('reshaped');
	const reshaped = { json: { message_id: item.json.message_id, text: item.json.text }, pairedItem: { item: 0 } };
	const upstream: UpstreamNode[] = [trigger, { name: 'Edit Fields', type: 'n8n-nodes-base.set', output: [reshaped] }];
	for (let k = 0; k < 2; k++) assert.ifError((await run(reply, [{ ...reshaped, pairedItem: { item: 0 } }], { upstream })).error);
	assert.equal((await botMessages()).length, 1);
	const uuids = await postedUuids();
	assert.equal(uuids[0], uuids[1]);
	assert.equal(uuids[0], eventSendUuid({ eventId: String(item.json.event_id), workflowId: 'test-workflow', nodeId: 'test-node', itemIndex: 0 }));
});

test('Send: two items from one event post two messages, and a re-run posts none', async () => {
	const { trigger, item } = await userEvent('split');
	const items = ['part 1', 'part 2'].map((text) => ({ json: { ...item.json, text }, pairedItem: { item: 0 } }));
	for (let k = 0; k < 2; k++) assert.ifError((await run(send, items, { upstream: [trigger] })).error);
	assert.deepEqual((await botMessages()).map((m) => m.content.text), ['part 1', 'part 2']);
	const uuids = await postedUuids();
	assert.equal(uuids.length, 4);
	assert.notEqual(uuids[0], uuids[1], 'one key per item');
	assert.deepEqual(uuids.slice(2), uuids.slice(0, 2), 'the re-run sends the same keys');
});

test('another node, another workflow or another run of the node (a loop) posts again for the same event', async () => {
	const { trigger, item } = await userEvent('steps');
	const runs: Partial<RunOptions>[] = [{}, { nodeId: 'second-reply-node' }, { workflowId: 'another-workflow' }, { runIndex: 1 }];
	for (const more of runs) assert.ifError((await run(reply, [item], { upstream: [trigger], ...more })).error);
	assert.equal((await botMessages()).length, runs.length);
	assert.equal(new Set(await postedUuids()).size, runs.length);
});

test('the uuid option wins over the derived key', async () => {
	const { trigger, item } = await userEvent('mine');
	const r = await run({ ...send, options: { uuid: 'user-chosen-key-1' } }, [item], { upstream: [trigger] });
	assert.ifError(r.error);
	assert.deepEqual(await postedUuids(), ['user-chosen-key-1']);
});

test('no Feishu event behind the item: a random uuid, so two runs post two messages', async () => {
	await userSays(sb, CHAT, { text: 'the bot may post here' });
	const items = [{ json: { text: 'manual run' } }];
	for (let k = 0; k < 2; k++) assert.ifError((await run(send, items)).error);
	// A Feishu Trigger upstream whose item carries no event id (pinned data typed by hand) counts as none.
	const pinned: UpstreamNode = { name: 'Feishu Trigger', type: TRIGGER_TYPE, output: [{ json: { text: 'pinned' } }] };
	for (let k = 0; k < 2; k++) assert.ifError((await run(send, [{ json: { text: 'pinned' }, pairedItem: { item: 0 } }], { upstream: [pinned] })).error);
	assert.equal((await botMessages()).length, 4);
	const uuids = await postedUuids();
	assert.equal(new Set(uuids).size, 4);
	for (const u of uuids) assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/, 'a random (version 4) UUID');
});

test('pairing that fails never fails the send: the item\'s own event_id, else a random uuid', async () => {
	const { trigger, item } = await userEvent('unpaired');
	// No pairedItem on the input (a node that drops pairing): n8n's $().item throws; the item's own event_id is used.
	const unpaired = { json: item.json };
	for (let k = 0; k < 2; k++) assert.ifError((await run(reply, [unpaired], { upstream: [trigger] })).error);
	// A Feishu Trigger upstream with no item this one pairs to, and no event_id of its own: random.
	const idle: UpstreamNode = { name: 'Other Feishu Trigger', type: TRIGGER_TYPE, output: [] };
	const other = await run(reply, [{ json: { message_id: item.json.message_id, text: 'x' } }], { upstream: [idle] });
	assert.ifError(other.error);
	const uuids = await postedUuids();
	assert.equal(uuids[0], uuids[1]);
	assert.equal(uuids[0], eventSendUuid({ eventId: String(item.json.event_id), workflowId: 'test-workflow', nodeId: 'test-node', itemIndex: 0 }));
	assert.match(uuids[2], /^[0-9a-f]{8}-[0-9a-f]{4}-4/);
	assert.equal((await botMessages()).length, 2);
});

test('an item that is not from a Feishu Trigger but carries an event_id (a sub-workflow, an HTTP hop) still posts once', async () => {
	const { item } = await userEvent('forwarded');
	const items = [{ json: { event_id: item.json.event_id, message_id: item.json.message_id, text: 'hop' } }];
	const upstream: UpstreamNode[] = [{ name: 'Webhook', type: 'n8n-nodes-base.webhook', output: items }];
	for (let k = 0; k < 2; k++) assert.ifError((await run(reply, [{ ...items[0], pairedItem: { item: 0 } }], { upstream })).error);
	assert.equal((await botMessages()).length, 1);
});
