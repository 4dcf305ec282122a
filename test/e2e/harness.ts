// Shared setup for the real-n8n tests: a sandbox in this process, an n8n child process with our
// packed package, the "Feishu sandbox" credential, and small readers for the sandbox control API.
// Results are always read from n8n itself (executions through its public API).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach } from 'node:test';
import { N8n } from '../../scripts/n8n/boot';
import { APP, control, EXAMPLES_DIR, type Rig, startRig as startSharedRig } from '../../scripts/n8n/rig';
import type { SandboxOptions } from '../../sandbox/server';
import { type Truthy, waitFor as poll } from '../helpers/waitFor';

export { APP, control, createSandboxCredential, createSandboxModelCredential, echoLongConnection, echoWebhook, EXAMPLES_DIR, loadExample, LONG_RUN_CLIENT_CONFIG, type Rig, sleep, startQuietSandbox, TRIGGER_TYPE, triggerOnly } from '../../scripts/n8n/rig';

/**
 * Registers, in the current describe, a check before each test: n8n answers (restarted if it does
 * not), so a test that leaves n8n unwell never fails the ones after it.
 */
export function eachTestStartsHealthy(n8n: () => N8n | undefined): void {
	beforeEach(async () => {
		const state = await n8n()?.ensureHealthy();
		if (state && state !== 'healthy') console.log(`[e2e] n8n was not healthy before this test: ${state}`);
	});
}

/** Client timings for the tests: reconnect after ~1 s, ping every 2 s. */
export const E2E_CLIENT_CONFIG = { PingInterval: 2, ReconnectInterval: 1, ReconnectNonce: 0, ReconnectCount: -1 };

/** The shared rig (scripts/n8n/rig.ts) with the tests' client timings, quiet unless FEISHU_E2E_VERBOSE=1. */
export function startRig(version: string, sandboxOpts: SandboxOptions = {}, n8nEnv: Record<string, string> = {}): Promise<Rig> {
	const verbose = process.env.FEISHU_E2E_VERBOSE === '1';
	return startSharedRig({ version, verbose, env: n8nEnv, sandbox: { quiet: !verbose, clientConfig: E2E_CLIENT_CONFIG, ...sandboxOpts } });
}

export function hasExample(name: string): boolean {
	return fs.existsSync(path.join(EXAMPLES_DIR, name));
}

/** Imports a workflow JSON with every Feishu credential pointed at the rig's credential. */
export async function importWorkflow(rig: Rig, wf: any, name?: string): Promise<{ id: string; name: string; nodes: any[] }> {
	return rig.n8n.createWorkflow(wf, { name, credentials: { feishuApi: rig.credential } });
}

/** A copy of a workflow with fresh node/webhook ids, so several copies can be active at once. */
export function cloneWorkflow(wf: any, suffix: string): any {
	const copy = JSON.parse(JSON.stringify(wf));
	for (const node of copy.nodes) {
		if (node.id) node.id = `${node.id}`.slice(0, 24) + suffix;
		if (node.webhookId) node.webhookId = `${node.webhookId}`.slice(0, 24) + suffix;
	}
	copy.name = `${copy.name} ${suffix}`;
	return copy;
}

// ---- sandbox control API ----

export interface SandboxMessage {
	message_id: string;
	chat_id: string;
	msg_type: string;
	content: any;
	from: 'user' | 'bot';
	parent_id?: string;
	root_id?: string;
}

export async function sendUserText(rig: Rig, chatId: string, text: string, extra: Record<string, unknown> = {}): Promise<{ message_id: string; event_id: string; chat_id: string }> {
	return control(rig, 'POST', `chats/${chatId}/messages`, { text, ...extra });
}

export async function chatMessages(rig: Rig, chatId: string): Promise<SandboxMessage[]> {
	return (await control<{ messages: SandboxMessage[] }>(rig, 'GET', `chats/${chatId}/messages`)).messages;
}

export async function openConnections(rig: Rig): Promise<any[]> {
	const { connections } = await control<{ connections: any[] }>(rig, 'GET', `connections?app_id=${APP.appId}`);
	return connections.filter((c) => c.open);
}

/** Polls until `fn` returns a truthy value; throws with `what` after the timeout. */
export function waitFor<T>(what: string, fn: () => Promise<T>, timeoutMs = 20_000, everyMs = 200): Promise<Truthy<T>> {
	return poll(what, fn, timeoutMs, everyMs);
}

/** Waits for the bot's reply to one user message in the chat. */
export async function waitForReply(rig: Rig, chatId: string, parentId: string, timeoutMs = 20_000): Promise<SandboxMessage> {
	return waitFor(`the bot's reply to ${parentId}`, async () => (await chatMessages(rig, chatId)).find((m) => m.from === 'bot' && m.parent_id === parentId), timeoutMs);
}

export function textOf(m: SandboxMessage): string {
	return typeof m.content === 'object' && m.content && 'text' in m.content ? String(m.content.text) : JSON.stringify(m.content);
}

// ---- `npm run demo` as a newcomer runs it ----

/** The demo's environment: free ports, its own folder, the sandbox (no real Feishu app). */
export function demoEnv(dir: string, version: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env, FEISHU_DEMO_DIR: dir, FEISHU_DEMO_N8N_PORT: '0', FEISHU_SANDBOX_PORT: '0', FEISHU_DEMO_N8N_VERSION: version };
	delete env.FEISHU_APP_ID;
	delete env.FEISHU_APP_SECRET;
	delete env.NODE_TEST_CONTEXT;
	return env;
}

/** True when nothing answers at `url` any more. */
export async function refused(url: string): Promise<boolean> {
	try {
		await fetch(url, { signal: AbortSignal.timeout(2000) });
		return false;
	} catch {
		return true;
	}
}

/** A fresh chat id, so a test's messages never meet another's. */
export const newChatId = (): string => `oc_${randomUUID().replace(/-/g, '').slice(0, 24)}`;

/** The sandbox app's tenant_access_token, for reading through the Open API as the app. */
export async function tenantToken(rig: Rig): Promise<string> {
	const res = await fetch(`${rig.sandbox.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }) });
	return ((await res.json()) as { tenant_access_token: string }).tenant_access_token;
}
