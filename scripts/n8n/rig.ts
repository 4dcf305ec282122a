// The one rig that puts real n8n next to the sandbox: a sandbox in this process, n8n with our packed
// package (boot.ts), and the "Feishu sandbox" credential pointing at it; plus the workflows the
// real-n8n tests and benchmarks share (the examples with fresh ids, a trigger-only workflow). Used by
// test/e2e (through harness.ts) and bench/ (through bench/lib/n8nRig.ts); the demo (demo.ts) boots
// its own long-running pair on fixed ports, with this rig's credentials.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bootN8n, type N8n } from './boot';
import { sandboxControl } from '../../sandbox/client';
import { DEMO_APP, startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { MODEL_API_BASE } from '../../sandbox/modelApi';

export const APP = DEMO_APP;
export const TRIGGER_TYPE = 'n8n-nodes-feishu-bot.feishuTrigger';
export const ACTION_TYPE = 'n8n-nodes-feishu-bot.feishu';
export const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');

/**
 * Client timings for long runs (bursts, benchmarks, queue mode): ping every 5 s (Feishu's default is
 * 120 s), so a dead socket is found fast without many frames beside the burst; reconnect within 1 s.
 */
export const LONG_RUN_CLIENT_CONFIG = { PingInterval: 5, ReconnectInterval: 1, ReconnectNonce: 0, ReconnectCount: -1 };

export interface Rig {
	sandbox: Sandbox;
	n8n: N8n;
	credential: { id: string; name: string };
	close(): Promise<void>;
}

export interface RigOptions {
	version: string;
	/** Sandbox options; tests and benchmarks pass their client timings here. */
	sandbox?: SandboxOptions;
	/** Extra environment for n8n (proxy variables, queue settings, NODE_OPTIONS). */
	env?: Record<string, string>;
	verbose?: boolean;
}

/** A sandbox on a free port (quiet) with the given options. */
export function startQuietSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
	return startSandbox({ port: 0, quiet: true, ...opts });
}

/** The Feishu credential n8n uses for a sandbox app (by default the demo app, named "Feishu sandbox"). */
export async function createSandboxCredential(
	n8n: Pick<N8n, 'createCredential'>,
	baseUrl: string,
	app: { appId: string; appSecret: string; encryptKey?: string; verificationToken?: string } = APP,
	name = 'Feishu sandbox',
): Promise<{ id: string; name: string }> {
	const { id } = await n8n.createCredential({
		name,
		type: 'feishuApi',
		data: { appId: app.appId, appSecret: app.appSecret, domain: 'custom', baseUrl, encryptKey: app.encryptKey ?? '', verificationToken: app.verificationToken ?? '' },
	});
	return { id, name };
}

/** An OpenAI credential pointed at the sandbox's scripted chat model (sandbox/modelApi.ts), named as the examples name it. */
export async function createSandboxModelCredential(n8n: Pick<N8n, 'createCredential'>, baseUrl: string): Promise<{ id: string; name: string }> {
	const { id, name } = await n8n.createCredential({ name: 'Sandbox model', type: 'openAiApi', data: { apiKey: 'sk-sandbox', url: `${baseUrl}${MODEL_API_BASE}`, header: false } });
	return { id, name };
}

export async function startRig(opts: RigOptions): Promise<Rig> {
	const sandbox = await startQuietSandbox(opts.sandbox);
	let n8n: N8n | undefined;
	try {
		n8n = await bootN8n({ version: opts.version, verbose: opts.verbose, env: opts.env });
		const credential = await createSandboxCredential(n8n, sandbox.baseUrl);
		const started = n8n;
		return {
			sandbox,
			n8n: started,
			credential,
			async close() {
				await started.dispose();
				await sandbox.close();
			},
		};
	} catch (error) {
		await n8n?.dispose();
		await sandbox.close();
		throw error;
	}
}

export function control<T = any>(rig: { sandbox: Sandbox }, method: string, urlPath: string, body?: unknown): Promise<T> {
	return sandboxControl<T>(rig.sandbox.baseUrl, method, urlPath, body);
}

export function loadExample(name: string): any {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, name), 'utf8'));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A copy with fresh node and webhook ids and without sticky notes, so several copies can be active. */
function freshCopy(wf: any, name: string): any {
	const copy = JSON.parse(JSON.stringify(wf));
	copy.name = name;
	for (const node of copy.nodes) {
		node.id = randomUUID();
		if (node.webhookId) node.webhookId = randomUUID();
	}
	copy.nodes = copy.nodes.filter((n: any) => n.type !== 'n8n-nodes-base.stickyNote');
	return copy;
}

/** examples/echo-bot-long-connection.json (Feishu Trigger -> Reply). */
export function echoLongConnection(name = 'echo (long connection)'): any {
	return freshCopy(loadExample('echo-bot-long-connection.json'), name);
}

/** examples/echo-bot-webhook.json; returns the workflow and its production URL path. */
export function echoWebhook(name = 'echo (webhook)'): { wf: any; path: string } {
	const wf = freshCopy(loadExample('echo-bot-webhook.json'), name);
	const trigger = wf.nodes.find((n: any) => n.type === TRIGGER_TYPE);
	return { wf, path: `${trigger.webhookId}/webhook` };
}

/** A Feishu Trigger (long connection) followed by a No Operation node: one execution per event. */
export function triggerOnly(name: string, extraNodes: any[] = []): any {
	const trigger = {
		parameters: { connectionMode: 'longConnection', events: ['im.message.receive_v1'], messageFilters: {}, options: {} },
		id: randomUUID(),
		name: 'Feishu Trigger',
		type: TRIGGER_TYPE,
		typeVersion: 1.1,
		position: [0, 0],
		credentials: { feishuApi: { id: 'x', name: 'Feishu sandbox' } },
	};
	const chain = extraNodes.length ? extraNodes : [{ parameters: {}, id: randomUUID(), name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [260, 0] }];
	const connections: any = {};
	let prev = trigger.name;
	for (const node of chain) {
		connections[prev] = { main: [[{ node: node.name, type: 'main', index: 0 }]] };
		prev = node.name;
	}
	return { name, nodes: [trigger, ...chain], connections, settings: { executionOrder: 'v1' } };
}
