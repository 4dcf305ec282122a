// examples/send-message.json run through the built package (dist/), the way n8n loads it: the Feishu
// node and the credential are separate bundles that must share dist/lib/feishu.js, so the token
// fetched by the credential's authenticate() is the one the node's client knows (one fetch in all).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ICredentialType, IDataObject, INodeType } from 'n8n-workflow';
import { DEMO_GROUP_CHAT, type Sandbox } from '../../../sandbox/server';
import { runNode } from '../../helpers/executeContext';
import { APP, apiCalls, chatMessages, control, sandbox, tokenFetches } from '../../helpers/sandbox';

const root = path.resolve(__dirname, '../../..');
const nodeFile = path.join(root, 'dist/nodes/Feishu/Feishu.node.js');
const credFile = path.join(root, 'dist/credentials/FeishuApi.credentials.js');

let sb: Sandbox;
before(async () => {
	// `npm test` builds first; a standalone run builds when dist is missing.
	if (!fs.existsSync(nodeFile) || !fs.existsSync(credFile)) {
		const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore' });
		assert.equal(r.status, 0, 'npm run build');
	}
	sb = await sandbox();
});
after(async () => {
	await sb.close();
});

test('examples/send-message.json: Manual Trigger -> Feishu Send, run three times from dist', async () => {
	const workflow = JSON.parse(fs.readFileSync(path.join(root, 'examples/send-message.json'), 'utf8'));
	const feishuNode = workflow.nodes.find((n: IDataObject) => n.type === 'n8n-nodes-feishu-bot.feishu');
	assert.ok(feishuNode, 'the example has a Feishu node');
	assert.equal(feishuNode.credentials.feishuApi.name, 'Feishu sandbox');
	const trigger = workflow.nodes.find((n: IDataObject) => n.type === 'n8n-nodes-base.manualTrigger');
	assert.deepEqual(workflow.connections[trigger.name].main[0][0].node, feishuNode.name);

	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Feishu } = require(nodeFile) as { Feishu: new () => INodeType };
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { FeishuApi } = require(credFile) as { FeishuApi: new () => ICredentialType };
	const chatId = feishuNode.parameters.chatId.value as string;
	assert.equal(chatId, DEMO_GROUP_CHAT, 'the group npm run demo creates');
	await control(sb, 'POST', 'chats', { app_id: APP.appId, chat_id: chatId, name: 'Demo group' });

	const credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl };
	for (let run = 0; run < 3; run++) {
		const r = await runNode({ node: new Feishu(), parameters: feishuNode.parameters, credentialType: new FeishuApi(), credentials, name: feishuNode.name, typeVersion: feishuNode.typeVersion });
		assert.ifError(r.error);
		assert.match(String(r.output![0][0].json.message_id), /^om_/);
	}
	const botMessages = (await chatMessages(sb, chatId)).filter((m) => m.from === 'bot');
	assert.equal(botMessages.length, 3);
	assert.deepEqual(botMessages[0].content, { text: feishuNode.parameters.text });
	assert.equal((await apiCalls(sb)).filter((c) => c.path === '/open-apis/im/v1/messages').length, 3);
	assert.equal(await tokenFetches(sb), 1, 'node and credential bundles share one token cache');
});
