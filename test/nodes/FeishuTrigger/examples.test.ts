// The example workflows, run node by node outside n8n: their Feishu Trigger parameters drive the real
// trigger against the sandbox and each emitted item goes through the next node (the real Feishu
// action node) with the example's parameters. Real n8n runs them in test/e2e.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import { APP_ID, APP_SECRET, control, openConnections, startTestSandbox, waitFor } from '../../helpers/hubSandbox';
import { runNode } from '../../helpers/executeContext';
import { createTriggerHarness, startWebhookServer, type Emitted } from '../../helpers/triggerContext';
import type { Sandbox } from '../../../sandbox/server';

// Explicit .ts: without it the resolver picks the codex .node.json files.
const { FeishuTrigger } = require('../../../nodes/FeishuTrigger/FeishuTrigger.node.ts') as typeof import('../../../nodes/FeishuTrigger/FeishuTrigger.node');
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

let sandbox: Sandbox;
before(async () => {
	sandbox = await startTestSandbox();
});
after(async () => {
	await sandbox.close();
});

function example(name: string): { nodes: any[]; connections: any } {
	return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', name), 'utf8'));
}

function credentials() {
	return {
		appId: APP_ID,
		appSecret: APP_SECRET,
		domain: 'custom',
		baseUrl: sandbox.baseUrl,
		encryptKey: 'sandbox-encrypt-key',
		verificationToken: 'sandbox-verification-token',
	};
}

function nodeOfType(wf: { nodes: any[] }, type: string) {
	const found = wf.nodes.find((n) => n.type === `n8n-nodes-feishu-bot.${type}`);
	assert.ok(found, `example has a ${type} node`);
	assert.equal(found.credentials?.feishuApi?.name, 'Feishu sandbox');
	return found;
}

function runNext(wf: { nodes: any[] }, item: IDataObject) {
	return runNode({ node: new Feishu(), parameters: nodeOfType(wf, 'feishu').parameters, items: [{ json: item } as INodeExecutionData], credentialType: new FeishuApi(), credentials: credentials() });
}

async function botMessages(chatId: string): Promise<string[]> {
	const { messages } = await control(sandbox, 'GET', `chats/${chatId}/messages`);
	return messages.filter((m: any) => m.from === 'bot').map((m: any) => m.content.text);
}

test('examples/echo-bot-long-connection.json answers "Echo: <text>"', async () => {
	const wf = example('echo-bot-long-connection.json');
	const trigger = nodeOfType(wf, 'feishuTrigger');
	assert.equal(trigger.parameters.connectionMode, 'longConnection');
	const h = createTriggerHarness({ node: new FeishuTrigger(), parameters: trigger.parameters, credentials: credentials() });
	const { closeFunction } = await h.run();
	try {
		await control(sandbox, 'POST', 'chats/oc_example_lc/messages', { text: 'hello bot' });
		const [emitted] = await h.waitForEmits(1);
		const result = await runNext(wf, emitted.json);
		assert.equal(result.error, undefined, String(result.error));
		assert.deepEqual(await botMessages('oc_example_lc'), ['Echo: hello bot']);
	} finally {
		await closeFunction!();
	}
	await waitFor('closed', async () => (await openConnections(sandbox)).length === 0);
});

test('examples/echo-bot-webhook.json answers "Echo: <text>" over the sandbox webhook delivery', async () => {
	const wf = example('echo-bot-webhook.json');
	const trigger = nodeOfType(wf, 'feishuTrigger');
	assert.equal(trigger.parameters.connectionMode, 'webhook');
	assert.equal(trigger.webhookId, 'feishu-echo');
	const server = await startWebhookServer({ node: new FeishuTrigger(), parameters: trigger.parameters, credentials: credentials() });
	try {
		const set = await control(sandbox, 'PUT', `apps/${APP_ID}/delivery`, { mode: 'webhook', url: server.url });
		assert.equal(set.challenge_passed, true);
		await control(sandbox, 'POST', 'chats/oc_example_wh/messages', { text: 'via webhook' });
		await waitFor('execution', () => server.executions.length === 1);
		const result = await runNext(wf, server.executions[0]);
		assert.equal(result.error, undefined, String(result.error));
		assert.deepEqual(await botMessages('oc_example_wh'), ['Echo: via webhook']);
	} finally {
		await control(sandbox, 'PUT', `apps/${APP_ID}/delivery`, { mode: 'long_connection' });
		await server.close();
	}
});

test('examples/card-callback.json: the click gets the Respond to Card Action toast', async () => {
	const wf = example('card-callback.json');
	const trigger = nodeOfType(wf, 'feishuTrigger');
	const h = createTriggerHarness({ node: new FeishuTrigger(), parameters: trigger.parameters, credentials: credentials() });
	const { closeFunction } = await h.run();
	// n8n's wiring: the next node's sendResponse resolves the response promise given to emit.
	const ctx = h.ctx as unknown as { emit: (...a: unknown[]) => void };
	const record = ctx.emit;
	ctx.emit = (...args: unknown[]) => {
		record(...args);
		const e: Emitted = h.emitted[h.emitted.length - 1];
		void runNext(wf, e.json).then((r) => e.response?.resolve(r.responses[0]));
	};
	try {
		const msg = await control(sandbox, 'POST', 'chats/oc_example_card/messages', { text: 'card host' });
		const clicked = await control(sandbox, 'POST', `cards/${msg.message_id}/click`, { value: { choice: 'yes' } });
		assert.deepEqual(clicked.answer?.toast, { type: 'success', content: 'Got it: {"choice":"yes"}' });
	} finally {
		await closeFunction!();
	}
});

// n8n answers a webhook in "responseNode" mode with the `body` of what sendResponse got (its
// IN8nHttpFullResponse shape), so over a webhook the answer only arrives when the Feishu node sends
// { body, headers, statusCode }; a bare answer object reaches Feishu as {}. Measured the same way in
// real n8n 2.41.1. The long connection accepts both shapes.
test('examples/card-callback.json over a webhook: the toast is the HTTP answer', async () => {
	const wf = example('card-callback.json');
	const trigger = nodeOfType(wf, 'feishuTrigger');
	const server = await startWebhookServer({
		node: new FeishuTrigger(),
		parameters: { ...trigger.parameters, connectionMode: 'webhook' },
		credentials: credentials(),
		cardAnswer: async (item) => (await runNext(wf, item)).responses[0] as never,
	});
	try {
		await control(sandbox, 'PUT', `apps/${APP_ID}/delivery`, { mode: 'webhook', url: server.url });
		const msg = await control(sandbox, 'POST', 'chats/oc_example_card_wh/messages', { text: 'card host' });
		const clicked = await control(sandbox, 'POST', `cards/${msg.message_id}/click`, { value: { choice: 'wh' } });
		assert.deepEqual(clicked.answer?.toast, { type: 'success', content: 'Got it: {"choice":"wh"}' });
	} finally {
		await control(sandbox, 'PUT', `apps/${APP_ID}/delivery`, { mode: 'long_connection' });
		await server.close();
	}
});
