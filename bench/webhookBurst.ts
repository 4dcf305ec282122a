// Benchmark 7: webhook bursts, answer times. Feishu wants each push answered 200 within 3 s. Bursts of
// 20 and 100 events, all created at once and pushed together by the sandbox, into one n8n at a time
// holding two workflows: ours (Feishu Trigger in webhook mode -> No Operation; events encrypted and
// signed) and n8n's core Webhook node (responseMode onReceived -> No Operation), receiving the
// same pushes of a second app (the same encrypted bodies and signature headers, which it ignores).
// Answer time = the sandbox's push -> the HTTP answer, first attempts, from its delivery records (the
// sandbox waits up to 30 s here, so late answers are measured, not cut at 3 s). One n8n per row:
// regular mode (SQLite) and queue mode (PostgreSQL, Redis, main + 2 workers), each with n8n's
// defaults and with the setting we recommend (recommendedN8nEnv). Cases alternate which goes first.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { N8n } from '../scripts/n8n/boot';
import { bootN8n } from '../scripts/n8n/boot';
import { DEFAULT_N8N_VERSION, recommendedN8nEnv } from '../scripts/n8n/install';
import { createSandboxCredential, TRIGGER_TYPE } from '../scripts/n8n/rig';
import type { Sandbox } from '../sandbox/server';
import { APP, control, sleep, startSandboxOnly } from './lib/n8nRig';
import { fmt, median, percentile, ratio } from './lib/stats';

const DEADLINE_MS = 3000;
const CORE_APP = { app_id: 'cli_c0c0c0c0c0c0c0c1', app_secret: 'core-webhook-secret', encrypt_key: 'core-webhook-encrypt-key', verification_token: 'core-webhook-token' };

interface Answers {
	p50: number;
	p99: number;
	max: number;
	within: number;
	count: number;
}

interface Row {
	label: string;
	/** burst size -> case -> answers (the runs' p50/p99 medians, max of maxima, within summed). */
	results: Record<number, { ours: Answers; core: Answers }>;
	executions: { ours: number; core: number; expected: number };
	loads: number[];
}

const noOp = () => ({ parameters: {}, id: randomUUID(), name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [260, 0] });

async function workflows(n8n: N8n, sandbox: Sandbox): Promise<{ ours: string; core: string }> {
	const credential = await createSandboxCredential(n8n, sandbox.baseUrl);
	const hookId = randomUUID();
	const ours = await n8n.createWorkflow(
		{
			name: 'webhook burst: Feishu Trigger',
			nodes: [
				{ parameters: { connectionMode: 'webhook', events: ['im.message.receive_v1'], messageFilters: {}, options: {} }, id: randomUUID(), webhookId: hookId, name: 'Feishu Trigger', type: TRIGGER_TYPE, typeVersion: 1.1, position: [0, 0], credentials: { feishuApi: credential } },
				noOp(),
			],
			connections: { 'Feishu Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		},
		{ credentials: { feishuApi: credential } },
	);
	const corePath = `burst-${randomUUID().slice(0, 8)}`;
	const core = await n8n.createWorkflow({
		name: 'webhook burst: core Webhook',
		nodes: [{ parameters: { httpMethod: 'POST', path: corePath, responseMode: 'onReceived', options: {} }, id: randomUUID(), webhookId: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0] }, noOp()],
		connections: { Webhook: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	});
	await n8n.activate(ours.id);
	await n8n.activate(core.id);
	const rig = { sandbox };
	const put = await control(rig, 'PUT', `apps/${APP.appId}/delivery`, { mode: 'webhook', url: n8n.webhookUrl(`${hookId}/webhook`) });
	if (!put.challenge_passed) throw new Error(`our webhook did not pass the challenge: ${JSON.stringify(put)}`);
	// The core node cannot answer Feishu's challenge: the delivery is set without it.
	await control(rig, 'POST', 'apps', { ...CORE_APP, delivery: { mode: 'webhook', url: n8n.webhookUrl(corePath) } });
	return { ours: ours.id, core: core.id };
}

async function burst(sandbox: Sandbox, appId: string, count: number, tag: string): Promise<Answers> {
	const rig = { sandbox };
	const sent = await Promise.all(Array.from({ length: count }, (_, i) => control<{ event_id: string }>(rig, 'POST', `chats/oc_whb_${tag}/messages`, { app_id: appId, text: `burst ${i}` })));
	const ids = new Set(sent.map((s) => s.event_id));
	let times: number[] = [];
	for (let i = 0; i < 1200; i++) {
		const { deliveries } = await control<{ deliveries: { event_id: string; attempts: { http_status?: number; ack_latency_ms?: number; error?: string }[] }[] }>(rig, 'GET', `deliveries?app_id=${appId}`);
		const firsts = deliveries.filter((d) => ids.has(d.event_id)).map((d) => d.attempts[0]);
		if (firsts.length === count && firsts.every((a) => a && (a.http_status !== undefined || a.error !== undefined))) {
			times = firsts.map((a) => (a.http_status === 200 ? (a.ack_latency_ms ?? Infinity) : Infinity));
			break;
		}
		await sleep(100);
	}
	const finite = times.filter(Number.isFinite);
	return { p50: percentile(times, 50), p99: percentile(times, 99), max: finite.length ? Math.max(...finite) : NaN, within: times.filter((t) => t <= DEADLINE_MS).length, count };
}

async function count(n8n: N8n, workflowId: string): Promise<number> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId, status: ['success', 'error', 'crashed', 'canceled'] }));
	return (await n8n.rest<{ count: number }>('GET', `/rest/executions?filter=${filter}&limit=1`)).count;
}

async function measure(label: string, n8n: N8n, sandbox: Sandbox, sizes: number[], runs: number, log: (l: string) => void): Promise<Row> {
	const ids = await workflows(n8n, sandbox);
	const cases: ['ours' | 'core', string][] = [
		['ours', APP.appId],
		['core', CORE_APP.app_id],
	];
	// Warm-up: n8n's first executions of a workflow are slower than the rest.
	for (const [, app] of cases) for (let i = 0; i < 3; i++) await control({ sandbox }, 'POST', 'chats/oc_whb_warm/messages', { app_id: app, text: `warm ${i}` }).then(() => sleep(300));
	await sleep(3000);
	const samples: Record<number, { ours: Answers[]; core: Answers[] }> = {};
	const loads: number[] = [];
	let sent = 3;
	for (let r = 0; r < runs; r++) {
		for (const size of sizes) {
			for (const [which, app] of r % 2 ? [...cases].reverse() : cases) {
				loads.push(os.loadavg()[0]);
				const a = await burst(sandbox, app, size, `${which}_${r}_${size}`);
				((samples[size] ??= { ours: [], core: [] })[which]).push(a);
				log(`webhook burst, ${label}, ${which}, ${size} events: p50 ${a.p50} ms, p99 ${a.p99} ms, ${a.within}/${size} within 3 s (load ${os.loadavg()[0].toFixed(2)})`);
				await sleep(size >= 100 ? 15_000 : 5_000); // the runs drain before the next burst
			}
			sent += size;
		}
	}
	let executions = { ours: await count(n8n, ids.ours), core: await count(n8n, ids.core) };
	for (let i = 0; i < 30 && (executions.ours < sent || executions.core < sent); i++) {
		await sleep(2000);
		executions = { ours: await count(n8n, ids.ours), core: await count(n8n, ids.core) };
	}
	const combine = (xs: Answers[]): Answers => ({ p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)), max: Math.max(...xs.map((x) => x.max)), within: xs.reduce((n, x) => n + x.within, 0), count: xs.reduce((n, x) => n + x.count, 0) });
	const results: Row['results'] = {};
	for (const size of sizes) results[size] = { ours: combine(samples[size].ours), core: combine(samples[size].core) };
	return { label, results, executions: { ...executions, expected: sent }, loads };
}

async function regularRow(version: string, recommended: boolean, o: { sizes: number[]; runs: number }, log: (l: string) => void): Promise<Row> {
	const sandbox = await startSandboxOnly({ rateLimitPerSecond: 1e6, rateLimitPerMinute: 1e7, webhookTimeoutMs: 30_000 });
	const n8n = await bootN8n({ version, env: recommended ? recommendedN8nEnv(version, 'regular') : {} });
	try {
		return await measure(`regular mode (SQLite), ${recommended ? 'recommended settings' : "n8n's defaults"}`, n8n, sandbox, o.sizes, o.runs, log);
	} finally {
		await n8n.dispose();
		await sandbox.close();
	}
}

async function queueRow(version: string, recommended: boolean, o: { sizes: number[]; runs: number }, log: (l: string) => void): Promise<Row> {
	const { startQueueCluster } = await import('../scripts/queue/cluster');
	const sandbox = await startSandboxOnly({ rateLimitPerSecond: 1e6, rateLimitPerMinute: 1e7, webhookTimeoutMs: 30_000 });
	try {
		const cluster = await startQueueCluster({ version, workers: 2, recommended });
		try {
			return await measure(`queue mode (main + 2 workers), ${recommended ? 'recommended settings' : "n8n's defaults"}`, cluster.main, sandbox, o.sizes, o.runs, log);
		} finally {
			await cluster.stop();
		}
	} finally {
		await sandbox.close();
	}
}

export async function runWebhookBurstBench(opts: { log: (line: string) => void; quick: boolean }): Promise<{ lines: string[]; goals: string[] }> {
	const { log, quick } = opts;
	const version = process.env.FEISHU_BENCH_N8N_VERSION || DEFAULT_N8N_VERSION;
	const o = { sizes: [20, 100], runs: quick ? 1 : 2 };
	const rows: Row[] = [];
	const notRun: string[] = [];
	for (const recommended of [false, true]) rows.push(await regularRow(version, recommended, o, log));
	for (const recommended of [false, true]) {
		try {
			rows.push(await queueRow(version, recommended, o, log));
		} catch (error) {
			notRun.push(`Queue mode (${recommended ? 'recommended' : 'defaults'}) not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
		}
	}
	const cell = (a: Answers) => `${fmt(a.p50, 0)} / ${fmt(a.p99, 0)} / ${fmt(a.max, 0)} | ${a.within}/${a.count}`;
	const table: string[] = [];
	for (const row of rows) {
		for (const size of o.sizes) {
			const { ours, core } = row.results[size];
			table.push(`| ${row.label} | ${size} | ${cell(ours)} | ${cell(core)} | ${fmt(ratio(ours.p50, core.p50), 2)} / ${fmt(ratio(ours.p99, core.p99), 2)} |`);
		}
	}
	const recommendedRows = rows.filter((r) => r.label.includes('recommended'));
	const allWithin = recommendedRows.every((r) => o.sizes.every((s) => r.results[s].ours.within === r.results[s].ours.count));
	const worstP99 = Math.max(...recommendedRows.flatMap((r) => o.sizes.map((s) => r.results[s].ours.p99)));
	const lines = [
		`## 7. Webhook bursts: answer times (n8n ${version}, ours vs n8n's core Webhook node in the same n8n)`,
		'',
		`Bursts of ${o.sizes.join(' and ')} events created at once; the sandbox pushes each at once (encrypted and signed), to our Feishu Trigger (webhook -> No Operation) and, from a second app, the same kind of pushes to n8n's core Webhook node (onReceived -> No Operation). Answer = the sandbox's push -> HTTP answer of the first attempt (its delivery records; it waits up to 30 s here instead of Feishu's 3 s, so late answers are measured). ${o.runs} run(s) per case, alternating which case goes first; p50 and p99 are medians over the runs, max the largest. One fresh n8n per row. "Recommended settings" = \`${JSON.stringify(recommendedN8nEnv(version, 'regular'))}\` in regular mode, \`${JSON.stringify(recommendedN8nEnv(version, 'queue'))}\` in queue mode (recommendedN8nEnv; docs/queue-mode.md "Webhook bursts"). Load average (1 min) during the rows: ${fmt(Math.min(...rows.flatMap((r) => r.loads)), 2)}-${fmt(Math.max(...rows.flatMap((r) => r.loads)), 2)}.`,
		'',
		'| n8n | burst | ours: answer p50 / p99 / max ms | ours: within 3 s | core Webhook: p50 / p99 / max ms | core: within 3 s | ours / core (p50 / p99) |',
		'|---|---:|---:|---:|---:|---:|---:|',
		...table,
		'',
		`Executions (n8n's count, every burst and the warm-up): ${rows.map((r) => `${r.label}: ours ${r.executions.ours}, core ${r.executions.core} of ${r.executions.expected}`).join('; ')}.`,
		'',
		"Our trigger (message events only) leaves the ack to n8n (onReceived): n8n 2.x sends it once it has stored the run (queued it, in queue mode), as it does for its own Webhook node; when that takes longer than 1 s after our webhook() started, the trigger acks itself (its ack deadline). With n8n's defaults, n8n 2.x creates an expression isolate for every request to any webhook node but its own, before our webhook() runs: that, not the trigger, is what the defaults rows measure.",
		...(notRun.length ? ['', ...notRun] : []),
	];
	const goals = [`Webhook bursts (${o.sizes.join(' and ')} events, recommended settings): every push answered within 3 s ${allWithin ? '**met**' : '**missed**'}; slowest p99 ${fmt(worstP99, 0)} ms`];
	return { lines, goals };
}

if (require.main === module) {
	const quick = process.argv.includes('--quick');
	void runWebhookBurstBench({ log: (l) => process.stderr.write(`[bench] ${l}\n`), quick }).then((r) => process.stdout.write([...r.goals, '', ...r.lines, ''].join('\n')));
}
