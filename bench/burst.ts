// Benchmark 6: a burst of Feishu events into a fresh n8n with its default settings, each case on its
// own fresh n8n so none inherits another's database:
// - ours: the Feishu Trigger over the long connection (trigger -> No Operation), with its default
//   pacing (10 runs in flight per app); the sandbox pushes the events as fast as 8 senders create them;
// - n8n's ceiling: the same number of events POSTed by 8 senders to n8n's own core Webhook trigger
//   (-> No Operation; the Webhook node answers on receipt, as our trigger acks on receipt);
// - ours again in queue mode (PostgreSQL + Redis, main + 2 workers), when the Debian packages are there.
// Measured: time from the first event to the last finished execution (n8n's own count), n8n's health
// while it drains (health routes and the executions list polled every 0.5 s: answers that are not 200)
// and executions beyond the number sent (duplicates).
import { randomUUID } from 'node:crypto';
import type { N8n } from '../scripts/n8n/boot';
import { bootN8n } from '../scripts/n8n/boot';
import { type HealthReport, monitorHealth } from '../scripts/n8n/healthMonitor';
import { DEFAULT_N8N_VERSION } from '../scripts/n8n/install';
import { APP, control, sleep, startBenchRig, startSandboxOnly, triggerOnly } from './lib/n8nRig';
import type { Sandbox } from '../sandbox/server';
import { fmt, ratio } from './lib/stats';

const SENDERS = 8;

interface BurstCase {
	label: string;
	events: number;
	sendSeconds: number;
	drainSeconds: number;
	executions: number;
	health: HealthReport;
	note?: string;
}

async function finished(n8n: N8n, workflowId: string): Promise<number> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId, status: ['success', 'error', 'crashed', 'canceled'] }));
	try {
		return (await n8n.rest<{ count: number }>('GET', `/rest/executions?filter=${filter}&limit=1`)).count;
	} catch {
		return -1; // n8n not answering: the health report counts it
	}
}

/** Sends `events` with SENDERS concurrent senders, then waits until n8n has finished them all. */
async function drive(n8n: N8n, workflowId: string, events: number, send: (i: number) => Promise<unknown>, log: (l: string) => void): Promise<Omit<BurstCase, 'label' | 'events'>> {
	const health = monitorHealth(n8n);
	const t0 = Date.now();
	let next = 0;
	await Promise.all(
		Array.from({ length: SENDERS }, async () => {
			while (next < events) await send(next++);
		}),
	);
	const sendSeconds = (Date.now() - t0) / 1000;
	let count = 0;
	let lastChange = Date.now();
	let note: string | undefined;
	for (;;) {
		const n = await finished(n8n, workflowId);
		if (n > count) {
			count = n;
			lastChange = Date.now();
		}
		if (count >= events) break;
		if (Date.now() - lastChange > 120_000) {
			note = `stuck at ${count} of ${events} executions`;
			break;
		}
		await sleep(500);
	}
	const drainSeconds = (Date.now() - t0) / 1000;
	const report = await health.stop();
	await sleep(5000); // late duplicates
	const executions = Math.max(count, await finished(n8n, workflowId));
	log(`  ${executions} executions, sent in ${fmt(sendSeconds, 1)} s, drained in ${fmt(drainSeconds, 1)} s, ${report.failures.length} of ${report.probes} health probes not 200`);
	return { sendSeconds, drainSeconds, executions, health: report, note };
}

async function oursOverLongConnection(version: string, events: number, log: (l: string) => void): Promise<BurstCase> {
	const rig = await startBenchRig({ version, sandbox: { rateLimitPerSecond: 1e6, rateLimitPerMinute: 1e7, undeliveredTtlMs: 300_000 } });
	try {
		const wf = await rig.n8n.createWorkflow(triggerOnly('burst: Feishu Trigger'), { credentials: { feishuApi: rig.credential } });
		await rig.n8n.activate(wf.id);
		await waitForConnection(rig);
		const r = await drive(rig.n8n, wf.id, events, (i) => control(rig, 'POST', `chats/oc_burst_${i % 50}/messages`, { text: `burst ${i}` }), log);
		return { label: `Feishu Trigger, long connection (n8n ${version}, SQLite)`, events, ...r };
	} finally {
		await rig.close();
	}
}

async function waitForConnection(rig: { sandbox: Sandbox }): Promise<void> {
	for (let i = 0; i < 300; i++) {
		const { connections } = await control<{ connections: { open: boolean }[] }>(rig, 'GET', `connections?app_id=${APP.appId}`);
		if (connections.some((c) => c.open)) return;
		await sleep(100);
	}
	throw new Error('the trigger never opened its long connection');
}

async function coreWebhookCeiling(version: string, events: number, log: (l: string) => void): Promise<BurstCase> {
	const n8n = await bootN8n({ version, withPackage: false });
	try {
		const path = `burst-${randomUUID().slice(0, 8)}`;
		const wf = await n8n.createWorkflow({
			name: 'burst: core Webhook',
			nodes: [
				{ parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} }, id: randomUUID(), webhookId: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0] },
				{ parameters: {}, id: randomUUID(), name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [260, 0] },
			],
			connections: { Webhook: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		});
		await n8n.activate(wf.id);
		const url = n8n.webhookUrl(path);
		// About the size of a message event as Feishu pushes it.
		const body = (i: number) =>
			JSON.stringify({
				schema: '2.0',
				header: { event_id: randomUUID(), event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: 'x', app_id: APP.appId, tenant_key: 't' },
				event: { sender: { sender_id: { open_id: 'ou_x' }, sender_type: 'user' }, message: { message_id: `om_${i}`, chat_id: `oc_burst_${i % 50}`, chat_type: 'group', message_type: 'text', content: JSON.stringify({ text: `burst ${i}` }) } },
			});
		const r = await drive(
			n8n,
			wf.id,
			events,
			async (i) => {
				const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i) });
				await res.arrayBuffer();
			},
			log,
		);
		return { label: `n8n's core Webhook trigger (n8n ${version}, SQLite): the ceiling`, events, ...r };
	} finally {
		await n8n.dispose();
	}
}

async function oursInQueueMode(version: string, events: number, log: (l: string) => void): Promise<BurstCase> {
	const { startQueueCluster } = await import('../scripts/queue/cluster');
	const sandbox = await startSandboxOnly({ rateLimitPerSecond: 1e6, rateLimitPerMinute: 1e7, undeliveredTtlMs: 300_000 });
	const cluster = await startQueueCluster({ version, workers: 2, recommended: false }); // this section measures n8n's defaults
	try {
		const c = await cluster.main.createCredential({
			name: 'Feishu sandbox',
			type: 'feishuApi',
			data: { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sandbox.baseUrl },
		});
		const wf = await cluster.main.createWorkflow(triggerOnly('burst: queue mode'), { credentials: { feishuApi: { id: c.id, name: c.name } } });
		await cluster.main.activate(wf.id);
		const rig = { sandbox };
		await waitForConnection(rig);
		const r = await drive(cluster.main, wf.id, events, (i) => control(rig, 'POST', `chats/oc_burst_${i % 50}/messages`, { text: `burst ${i}` }), log);
		return { label: `Feishu Trigger, long connection (n8n ${version} queue mode: PostgreSQL, main + 2 workers)`, events, ...r };
	} finally {
		await cluster.stop();
		await sandbox.close();
	}
}

export async function runBurstBench(opts: { log: (line: string) => void; quick: boolean }): Promise<{ lines: string[]; goals: string[] }> {
	const { log, quick } = opts;
	const version = process.env.FEISHU_BENCH_N8N_VERSION || DEFAULT_N8N_VERSION;
	const events = quick ? 1_000 : 10_000;
	const cases: BurstCase[] = [];
	log(`burst: ${events} events, Feishu Trigger (long connection)`);
	cases.push(await oursOverLongConnection(version, events, log));
	log(`burst: ${events} events, n8n core Webhook trigger`);
	cases.push(await coreWebhookCeiling(version, events, log));
	let queueNote = '';
	try {
		log(`burst: ${events} events, Feishu Trigger in queue mode`);
		cases.push(await oursInQueueMode(version, events, log));
	} catch (error) {
		queueNote = `Queue mode not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
		log(queueNote);
	}
	const [ours, ceiling] = cases;
	const rows = cases.map((c) => {
		const statuses = [...new Set(c.health.failures.map((f) => f.status))].join(', ');
		return `| ${c.label} | ${fmt(c.sendSeconds, 1)} | ${fmt(c.drainSeconds, 1)} | ${fmt(c.events / c.drainSeconds, 1)} | ${c.executions} | ${c.health.failures.length} of ${c.health.probes}${statuses ? ` (${statuses})` : ''} | ${fmt(c.health.slowestMs, 0)} |${c.note ? ` ${c.note}` : ''}`;
	});
	const healthy = (c: BurstCase) => c.health.failures.length === 0;
	const exact = (c: BurstCase) => c.executions === c.events && !c.note;
	const lines = [
		`## 6. A ${fmt(events, 0)}-event burst into n8n (n8n ${version}, default settings, a fresh n8n per row)`,
		'',
		`${fmt(events, 0)} events created as fast as ${SENDERS} senders go. Drain = first event sent -> n8n has finished the last execution (its own count). Health: \`/healthz\`, \`/healthz/readiness\` and the editor's executions list (\`/rest/executions\`) polled one after the other every 0.5 s while it drains; "not 200" includes no answer within 10 s (0).`,
		'',
		'| case | events sent in (s) | drained in (s) | executions/s | executions | health probes not 200 | slowest probe (ms) |',
		'|---|---:|---:|---:|---:|---:|---:|',
		...rows,
		'',
		`Ours drains in ${fmt(ratio(ours.drainSeconds, ceiling.drainSeconds), 2)}x the ceiling's time. The trigger holds events beyond its Parallel Processing Limit (default 10 runs per app) unacknowledged until a run ends, while Feishu (the sandbox) pushes them as fast as they are created. n8n's Webhook node answers a request only once it has recorded its execution, so the ${SENDERS} senders to the core Webhook trigger are held back by n8n itself (their "sent in" equals the drain): that row is n8n's own pace for this workflow, with never more than ${SENDERS} requests in flight.`,
		...(queueNote ? ['', queueNote] : []),
	];
	const goals = [
		`Burst: n8n answers throughout a ${fmt(events, 0)}-event burst into the Feishu Trigger: ${ours.health.failures.length} non-200 health probes ${healthy(ours) ? '**met**' : '**missed**'} (goal 0)`,
		`Burst: every one of ${fmt(events, 0)} events runs exactly once: ${ours.executions} executions ${exact(ours) ? '**met**' : '**missed**'}`,
		...cases.slice(2).map((c) => `Burst, queue mode: ${c.health.failures.length} non-200 health probes, ${c.executions} executions ${healthy(c) && exact(c) ? '**met**' : '**missed**'} (goal 0 and ${fmt(events, 0)})`),
	];
	return { lines, goals };
}
