// examples/bitable-digest.json run node by node outside n8n, the way n8n would pass items on: the
// Schedule Trigger's one (empty) item into the Feishu Bitable search (the real node, the example's
// parameters), its records into the example's own Code node JavaScript, its digest into the Feishu
// Send node, against a sandbox Base made as the example's sticky note says.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import { DEMO_GROUP_CHAT, type Sandbox } from '../../../sandbox/server';
import { runNode } from '../../helpers/executeContext';
import { APP, apiCalls, chatMessages, control, sandbox } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: IDataObject;
	credentials?: { feishuApi?: { name: string } };
}
const workflow = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../examples/bitable-digest.json'), 'utf8')) as { nodes: WorkflowNode[]; connections: Record<string, { main: { node: string }[][] }> };
const byName = (name: string) => workflow.nodes.find((n) => n.name === name)!;
const next = (name: string) => byName(workflow.connections[name].main[0][0].node);

let sb: Sandbox;
before(async () => {
	sb = await sandbox();
});
after(() => sb.close());

const DAY = 86_400_000;

test('examples/bitable-digest.json: Schedule Trigger -> Bitable Search Records -> Code -> Send, against the sandbox', async () => {
	// The chain as the example wires it.
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.scheduleTrigger')!;
	const search = next(trigger.name);
	const code = next(search.name);
	const send = next(code.name);
	assert.deepEqual([search.type, search.parameters.resource, search.parameters.operation], ['n8n-nodes-feishu-bot.feishu', 'bitable', 'searchRecords']);
	assert.equal(code.type, 'n8n-nodes-base.code');
	assert.deepEqual([send.type, send.parameters.operation], ['n8n-nodes-feishu-bot.feishu', 'send']);
	for (const n of [search, send]) assert.equal(n.credentials?.feishuApi?.name, 'Feishu sandbox');

	// The Base of the sticky note, with a few tasks; the group the bot posts to.
	const now = Date.now();
	const tasks = [
		{ Task: 'Write the release notes', Status: 'Doing', Due: now - 2 * DAY, Owner: [{ id: 'ou_writer_0000000000000000000000' }] },
		{ Task: 'Book the room', Status: 'To Do', Due: now + 3 * DAY },
		{ Task: 'Fix the login bug', Status: 'Doing', Due: now - 5 * DAY },
		{ Task: 'Ship 1.0', Status: 'Done', Due: now - DAY },
		{ Task: 'Plan Q3', Status: 'To Do' },
	];
	await control(sb, 'POST', 'bitable/apps', {
		app_token: 'bascnSandboxDigest00000000000',
		tables: [{ table_id: 'tblSandboxTasks01', name: 'Tasks', fields: [{ field_name: 'Task', type: 1 }, { field_name: 'Status', type: 3 }, { field_name: 'Owner', type: 11 }, { field_name: 'Due', type: 5 }], records: tasks }],
	});
	await control(sb, 'POST', 'chats', { app_id: APP.appId, chat_id: DEMO_GROUP_CHAT, name: 'Demo group' });
	const credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl };
	const feishu = (n: WorkflowNode, items: INodeExecutionData[]) =>
		runNode({ node: new Feishu(), parameters: n.parameters, items, credentialType: new FeishuApi(), credentials: credentials as never, name: n.name, typeVersion: n.typeVersion });

	// Search: the open tasks, earliest due first (no due date last).
	const found = await feishu(search, [{ json: {} }]);
	assert.ifError(found.error);
	const records = found.output![0];
	assert.deepEqual(records.map((r) => (r.json.fields as IDataObject).Task), ['Fix the login bug', 'Write the release notes', 'Book the room', 'Plan Q3']);
	assert.deepEqual(Object.keys(records[1].json.fields as IDataObject).sort(), ['Due', 'Owner', 'Status', 'Task']);
	const call = (await apiCalls(sb)).find((c) => c.path.endsWith('/records/search'))!;
	assert.deepEqual(call.body.filter, { conjunction: 'and', conditions: [{ field_name: 'Status', operator: 'isNot', value: ['Done'] }] });

	// The example's Code node, its own JavaScript, over those items.
	const summarize = new Function('$input', String(code.parameters.jsCode)) as (input: { all: () => INodeExecutionData[] }) => INodeExecutionData[];
	const digest = summarize({ all: () => records });
	assert.equal(digest.length, 1);
	assert.deepEqual([digest[0].json.open, digest[0].json.overdue], [4, 2]);

	// Send: the digest into the group.
	const sent = await feishu(send, digest);
	assert.ifError(sent.error);
	const posted = (await chatMessages(sb, DEMO_GROUP_CHAT)).filter((m) => m.from === 'bot').at(-1);
	const text = String(posted.content.text);
	assert.match(text, /^Open tasks: 4\n- Doing: 2\n- To Do: 2\nOverdue: 2\n- Fix the login bug \(due \d{4}-\d\d-\d\d\)\n- Write the release notes/);
});
