// examples/sheets-from-chat.json run node by node outside n8n, the way n8n would pass items on: the
// example's Feishu Trigger parameters drive the real trigger over the sandbox's long connection, each
// emitted message goes through the example's If condition (its own parameters: `text` starts with
// "/log"), the ones that pass into the real Feishu node's Sheets Append Rows and its output into the
// Reply, against a sandbox spreadsheet made as the example's sticky note says.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import type { Sandbox } from '../../../sandbox/server';
import { APP_ID, APP_SECRET, control, openConnections, startTestSandbox, waitFor } from '../../helpers/hubSandbox';
import { runNode } from '../../helpers/executeContext';
import { createTriggerHarness } from '../../helpers/triggerContext';

// Explicit .ts: without it the resolver picks the codex .node.json files.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FeishuTrigger } = require('../../../nodes/FeishuTrigger/FeishuTrigger.node.ts') as typeof import('../../../nodes/FeishuTrigger/FeishuTrigger.node');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: IDataObject;
	credentials?: { feishuApi?: { name: string } };
}
const workflow = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../examples/sheets-from-chat.json'), 'utf8')) as { nodes: WorkflowNode[]; connections: Record<string, { main: { node: string }[][] }> };
const byName = (name: string) => workflow.nodes.find((n) => n.name === name)!;
const next = (name: string, output = 0) => byName(workflow.connections[name].main[output][0].node);

let sb: Sandbox;
before(async () => {
	sb = await startTestSandbox();
});
after(() => sb.close());

const credentials = () => ({ appId: APP_ID, appSecret: APP_SECRET, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: 'sandbox-encrypt-key', verificationToken: 'sandbox-verification-token' });

/** The If node's one condition, as n8n evaluates a string startsWith (case-sensitive) over the item. */
function passes(ifNode: WorkflowNode, item: IDataObject): boolean {
	const { conditions, combinator, options } = ifNode.parameters.conditions as { conditions: { leftValue: string; rightValue: string; operator: { type: string; operation: string } }[]; combinator: string; options: { caseSensitive: boolean } };
	assert.deepEqual([conditions.length, combinator, options.caseSensitive], [1, 'and', true]);
	const [c] = conditions;
	assert.deepEqual([c.leftValue, c.operator], ['={{ $json.text }}', { type: 'string', operation: 'startsWith' }]);
	return String(item.text ?? '').startsWith(c.rightValue);
}

test('examples/sheets-from-chat.json: Feishu Trigger -> If "/log" -> Sheets Append Rows -> Reply "logged", against the sandbox', async () => {
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-feishu-bot.feishuTrigger')!;
	const ifNode = next(trigger.name);
	const append = next(ifNode.name, 0);
	const reply = next(append.name);
	assert.equal(ifNode.type, 'n8n-nodes-base.if');
	assert.deepEqual(workflow.connections[ifNode.name].main[1], [], 'other messages go nowhere');
	assert.deepEqual([append.parameters.resource, append.parameters.operation], ['sheets', 'appendRows']);
	assert.deepEqual([reply.parameters.resource, reply.parameters.operation], ['message', 'reply']);
	for (const n of [trigger, append, reply]) assert.equal(n.credentials?.feishuApi?.name, 'Feishu sandbox');

	// The spreadsheet of the sticky note: a header row, shared with the app.
	await control(sb, 'POST', 'sheets/spreadsheets', { spreadsheet_token: 'shtcnSandboxChatLog000000000', title: 'Chat log', sheets: [{ sheet_id: 'chatLg', title: 'Log', values: [['text', 'chat_id', 'message_id']] }] });
	const feishu = (n: WorkflowNode, items: INodeExecutionData[]) =>
		runNode({ node: new Feishu(), parameters: n.parameters, items, credentialType: new FeishuApi(), credentials: credentials() as never, name: n.name, typeVersion: n.typeVersion });

	const h = createTriggerHarness({ node: new FeishuTrigger(), parameters: trigger.parameters, credentials: credentials() });
	const { closeFunction } = await h.run();
	try {
		for (const text of ['/log bought milk', 'just chatting', '/log paid rent']) await control(sb, 'POST', 'chats/oc_sheets_example/messages', { text });
		const emitted = await h.waitForEmits(3);
		for (const e of emitted) {
			if (!passes(ifNode, e.json)) continue;
			const appended = await feishu(append, [{ json: e.json }]);
			assert.ifError(appended.error);
			const answered = await feishu(reply, appended.output![0]);
			assert.ifError(answered.error);
		}
	} finally {
		await closeFunction!();
	}
	const { values } = await control<{ values: unknown[][] }>(sb, 'GET', 'sheets/spreadsheets/shtcnSandboxChatLog000000000/sheets/chatLg/values');
	assert.deepEqual(values.map((row) => row.slice(0, 2)), [['text', 'chat_id'], ['/log bought milk', 'oc_sheets_example'], ['/log paid rent', 'oc_sheets_example']]);
	assert.match(String(values[1][2]), /^om_/, 'the message id, for a reply later');
	const { messages } = await control(sb, 'GET', 'chats/oc_sheets_example/messages');
	const bot = messages.filter((m: IDataObject) => m.from === 'bot');
	assert.deepEqual(bot.map((m: { content: { text: string } }) => m.content.text), ['logged (row 2)', 'logged (row 3)']);
	assert.deepEqual(bot.map((m: IDataObject) => m.parent_id), [values[1][2], values[2][2]], 'each a reply to its /log message');
	await waitFor('closed', async () => (await openConnections(sb)).length === 0);
});
