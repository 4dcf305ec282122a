// What only the benchmarks need on top of the shared rig (scripts/n8n/rig.ts): the bench's client
// timings, a baseline echo bot built only from n8n core nodes (Webhook -> HTTP Request), process
// memory readings.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { N8n } from '../../scripts/n8n/boot';
import { LONG_RUN_CLIENT_CONFIG, type Rig, type RigOptions, startQuietSandbox, startRig } from '../../scripts/n8n/rig';
import type { Sandbox, SandboxOptions } from '../../sandbox/server';

export { APP, control, echoLongConnection, echoWebhook, sleep, triggerOnly } from '../../scripts/n8n/rig';
export type BenchRig = Rig;


export function startBenchRig(opts: RigOptions): Promise<BenchRig> {
	return startRig({ ...opts, sandbox: { clientConfig: LONG_RUN_CLIENT_CONFIG, ...opts.sandbox } });
}

/** A sandbox with the bench defaults, for setups that start n8n themselves (queue mode). */
export function startSandboxOnly(opts: SandboxOptions = {}): Promise<Sandbox> {
	return startQuietSandbox({ clientConfig: LONG_RUN_CLIENT_CONFIG, ...opts });
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
