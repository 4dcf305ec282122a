// A sandbox plus a real n8n with our package (E's harness, scripts/n8n/boot.ts), and the workflows
// the real-n8n benchmarks and fault tests run: our echo bot (long connection or webhook), a baseline
// echo bot built only from n8n core nodes (Webhook -> HTTP Request), and trigger-only workflows.
// Shared by bench/n8n.ts and test/e2e/faults-n8n.test.ts.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bootN8n, type N8n } from '../../scripts/n8n/boot';
import { sandboxControl } from '../../sandbox/client';
import { DEMO_APP, startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';

export const APP = DEMO_APP;
export const TRIGGER_TYPE = 'n8n-nodes-feishu-bot.feishuTrigger';
export const ACTION_TYPE = 'n8n-nodes-feishu-bot.feishu';
const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

export interface BenchRig {
	sandbox: Sandbox;
	n8n: N8n;
	credential: { id: string; name: string };
	close(): Promise<void>;
}

export async function startBenchRig(opts: { version: string; sandbox?: SandboxOptions; env?: Record<string, string>; verbose?: boolean }): Promise<BenchRig> {
	const sandbox = await startSandbox({
		port: 0,
		quiet: true,
		clientConfig: { PingInterval: 5, ReconnectInterval: 1, ReconnectNonce: 0, ReconnectCount: -1 },
		...opts.sandbox,
	});
	let n8n: N8n | undefined;
	try {
		n8n = await bootN8n({ version: opts.version, env: opts.env, verbose: opts.verbose });
		const credential = await n8n.createCredential({
			name: 'Feishu sandbox',
			type: 'feishuApi',
			data: { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sandbox.baseUrl, encryptKey: APP.encryptKey, verificationToken: APP.verificationToken },
		});
		const started = n8n;
		return {
			sandbox,
			n8n: started,
			credential: { id: credential.id, name: credential.name },
			async close() {
				await started.stop();
				await sandbox.close();
			},
		};
	} catch (error) {
		await n8n?.stop();
		await sandbox.close();
		throw error;
	}
}

export function control<T = any>(rig: { sandbox: Sandbox }, method: string, urlPath: string, body?: unknown): Promise<T> {
	return sandboxControl<T>(rig.sandbox.baseUrl, method, urlPath, body);
}

function example(name: string): any {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES, name), 'utf8'));
}

/** Fresh node ids (and webhook ids) so several copies can be active at once. */
function freshIds(wf: any, name: string): any {
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
export function echoLongConnection(name = 'bench echo (long connection)'): any {
	return freshIds(example('echo-bot-long-connection.json'), name);
}

/** examples/echo-bot-webhook.json; returns the workflow and its production URL path. */
export function echoWebhook(name = 'bench echo (webhook)'): { wf: any; path: string } {
	const wf = freshIds(example('echo-bot-webhook.json'), name);
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

/**
 * The baseline echo bot from n8n core nodes only: a Webhook node (answers 200 at once, like our
 * trigger) receives the sandbox's plaintext push, an HTTP Request node POSTs the reply to the
 * sandbox's Open API with a tenant token fetched beforehand (so the baseline pays no token lookup).
 */
export function baselineEcho(opts: { name?: string; baseUrl: string; token: string }): { wf: any; path: string } {
	const webhookPath = `baseline-${randomUUID().slice(0, 8)}`;
	const wf = {
		name: opts.name ?? 'bench baseline echo (Webhook -> HTTP Request)',
		nodes: [
			{
				parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
				id: randomUUID(),
				webhookId: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
			},
			{
				parameters: {
					method: 'POST',
					url: `={{ '${opts.baseUrl}/open-apis/im/v1/messages/' + $json.body.event.message.message_id + '/reply' }}`,
					sendHeaders: true,
					headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${opts.token}` }] },
					sendBody: true,
					specifyBody: 'json',
					jsonBody: "={{ JSON.stringify({ msg_type: 'text', content: JSON.stringify({ text: 'Echo: ' + JSON.parse($json.body.event.message.content).text }) }) }}",
					options: {},
				},
				id: randomUUID(),
				name: 'Reply',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [260, 0],
			},
		],
		connections: { Webhook: { main: [[{ node: 'Reply', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
	return { wf, path: webhookPath };
}

/** The n8n main process (the harness keeps it private). */
export function n8nPid(n8n: N8n): number | undefined {
	return (n8n as unknown as { child?: ChildProcess }).child?.pid;
}

/** Resident set size of one process, in KiB (Linux /proc). */
export function rssKiB(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const m = /VmRSS:\s+(\d+) kB/.exec(status);
	return m ? Number(m[1]) : Number.NaN;
}

export async function tenantToken(baseUrl: string, appId: string, appSecret: string): Promise<string> {
	const res = await fetch(`${baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ app_id: appId, app_secret: appSecret }),
	});
	const body = (await res.json()) as { tenant_access_token?: string };
	if (!body.tenant_access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
	return body.tenant_access_token;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A sandbox with the bench defaults, for setups that start n8n themselves (queue mode). */
export function startSandboxOnly(opts: SandboxOptions = {}): Promise<Sandbox> {
	return startSandbox({ port: 0, quiet: true, clientConfig: { PingInterval: 5, ReconnectInterval: 1, ReconnectNonce: 0, ReconnectCount: -1 }, ...opts });
}

/**
 * process.memoryUsage() of the n8n main process right after a full garbage collection, through the
 * V8 inspector (n8n started with NODE_OPTIONS=--inspect=127.0.0.1:0; the URL is in its output).
 * Without the forced collection, heap and RSS swing by hundreds of MB between samples.
 */
export async function memoryAfterGc(n8n: { userFolder: string }): Promise<{ rss: number; heapUsed: number }> {
	const { default: WebSocket } = await import('ws');
	const log = fs.readFileSync(path.join(n8n.userFolder, 'n8n-output.log'), 'utf8');
	const url = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(log)?.[1];
	if (!url) throw new Error('n8n was not started with the inspector');
	const ws = new WebSocket(url);
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	let id = 0;
	const call = (method: string, params?: object) =>
		new Promise<any>((resolve, reject) => {
			const my = ++id;
			const onMessage = (data: Buffer) => {
				const msg = JSON.parse(data.toString());
				if (msg.id !== my) return;
				ws.off('message', onMessage);
				if (msg.error) reject(new Error(msg.error.message));
				else resolve(msg.result);
			};
			ws.on('message', onMessage);
			ws.send(JSON.stringify({ id: my, method, params }));
		});
	try {
		await call('HeapProfiler.collectGarbage');
		await call('HeapProfiler.collectGarbage');
		const r = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
		const mem = JSON.parse(r.result.value);
		return { rss: mem.rss / 2 ** 20, heapUsed: mem.heapUsed / 2 ** 20 };
	} finally {
		ws.terminate();
	}
}
