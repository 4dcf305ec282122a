// Benchmarks 3, 4b and 5 against a real n8n (E's harness in scripts/n8n) with our packed package:
// 3. round trip: a user message in the sandbox -> echo workflow -> the bot's reply stored by the
//    sandbox. Latency = reply create_time - message create_time (both stamped by the sandbox, 1 ms
//    resolution, no polling error). Ours over the long connection and over a webhook, against a
//    baseline in the same n8n built from core nodes only (Webhook -> HTTP Request, the sandbox
//    pushing plaintext events to it). Sequential messages for p50/p99; then a burst for sustained
//    messages/s, with lost and duplicated replies counted.
// 4b. gateway connections the sandbox sees for 1 and 50 active Feishu Trigger workflows on one app.
// 5. RSS of the n8n main process with 1 vs 50 active Feishu Trigger workflows (and, as a reference
//    for n8n's own per-workflow cost, 49 workflows with a core Webhook trigger).
import { randomUUID } from 'node:crypto';
import { DEFAULT_N8N_VERSION } from '../scripts/n8n/install';
import { APP, baselineEcho, type BenchRig, control, echoLongConnection, echoWebhook, memoryAfterGc, sleep, startBenchRig, tenantToken, triggerOnly } from './lib/n8nRig';
import { fmt, median, percentile, ratio } from './lib/stats';

export interface N8nBenchSection {
	lines: string[];
	goals: string[];
	version?: string;
}

interface RoundTrip {
	latencies: number[];
	p50: number;
	p99: number;
	/** The platform's push -> our ack (sandbox-measured, first attempts) for the sequential messages. */
	ack: { p50: number; p99: number };
	burst: { sent: number; replied: number; lost: number; duplicates: number; perSec: number; lateFirstAttempts: number }[];
	perSec: number;
}

const BASELINE_APP = { app_id: 'cli_e1e2e3e4e5f60718', app_secret: 'baseline-secret', verification_token: 'baseline-token' };

interface ChatMessage {
	message_id: string;
	from: 'user' | 'bot';
	parent_id?: string;
	create_time: string;
}

async function chat(rig: BenchRig, chatId: string): Promise<ChatMessage[]> {
	return (await control<{ messages: ChatMessage[] }>(rig, 'GET', `chats/${chatId}/messages`)).messages;
}

async function say(rig: BenchRig, appId: string, chatId: string, text: string): Promise<string> {
	return (await sayFull(rig, appId, chatId, text)).message_id;
}

function sayFull(rig: BenchRig, appId: string, chatId: string, text: string): Promise<{ message_id: string; event_id: string }> {
	return control<{ message_id: string; event_id: string }>(rig, 'POST', `chats/${chatId}/messages`, { app_id: appId, text });
}

async function replyTo(rig: BenchRig, chatId: string, messageId: string, timeoutMs = 20_000): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const all = await chat(rig, chatId);
		const reply = all.find((m) => m.from === 'bot' && m.parent_id === messageId);
		if (reply) {
			const asked = all.find((m) => m.message_id === messageId)!;
			return Number(reply.create_time) - Number(asked.create_time);
		}
		await sleep(5);
	}
	throw new Error(`no reply to ${messageId} within ${timeoutMs} ms`);
}

async function burst(rig: BenchRig, appId: string, chatId: string, count: number): Promise<RoundTrip['burst'][number]> {
	const ids: string[] = [];
	const eventIds = new Set<string>();
	let next = 0;
	await Promise.all(
		Array.from({ length: 10 }, async () => {
			while (next < count) {
				const i = next++;
				const r = await sayFull(rig, appId, chatId, `burst ${i}`);
				ids.push(r.message_id);
				eventIds.add(r.event_id);
			}
		}),
	);
	const wanted = new Set(ids);
	let replies: ChatMessage[] = [];
	let lastProgress = Date.now();
	let seen = -1;
	// Long enough to see the platform's first retry (15 s after a push that got no answer in 3 s).
	while (Date.now() - lastProgress < 25_000) {
		replies = (await chat(rig, chatId)).filter((m) => m.from === 'bot' && m.parent_id && wanted.has(m.parent_id));
		if (replies.length !== seen) {
			seen = replies.length;
			lastProgress = Date.now();
		}
		if (new Set(replies.map((r) => r.parent_id)).size >= count) break;
		await sleep(100);
	}
	const all = await chat(rig, chatId);
	const firstAsked = Math.min(...all.filter((m) => wanted.has(m.message_id)).map((m) => Number(m.create_time)));
	const lastReply = Math.max(...replies.map((m) => Number(m.create_time)));
	const distinct = new Set(replies.map((r) => r.parent_id)).size;
	const { deliveries } = await control<{ deliveries: { event_id: string; attempts: { acked: boolean }[] }[] }>(rig, 'GET', `deliveries?app_id=${appId}`);
	const lateFirstAttempts = deliveries.filter((d) => eventIds.has(d.event_id) && d.attempts[0] && !d.attempts[0].acked).length;
	return { sent: count, replied: distinct, lost: count - distinct, duplicates: replies.length - distinct, perSec: (distinct / (lastReply - firstAsked)) * 1000, lateFirstAttempts };
}

/** Push -> ack of each event's first attempt, as the sandbox measured it (webhook: push -> HTTP answer). */
async function ackLatency(rig: BenchRig, appId: string, eventIds: Set<string>): Promise<{ p50: number; p99: number }> {
	const { deliveries } = await control<{ deliveries: { event_id: string; attempts: { ack_latency_ms?: number }[] }[] }>(rig, 'GET', `deliveries?app_id=${appId}`);
	const times = deliveries
		.filter((d) => eventIds.has(d.event_id))
		.map((d) => d.attempts[0]?.ack_latency_ms)
		.filter((t): t is number => typeof t === 'number');
	return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

type RoundTripOptions = { sequential: number; burst: number; bursts: number };

async function roundTrips(rig: BenchRig, appId: string, label: string, o: RoundTripOptions, log: (l: string) => void): Promise<RoundTrip> {
	const chatId = `oc_${label}_${randomUUID().slice(0, 6)}`;
	for (let i = 0; i < 10; i++) await replyTo(rig, chatId, await say(rig, appId, chatId, `warm ${i}`));
	const latencies: number[] = [];
	const eventIds = new Set<string>();
	for (let i = 0; i < o.sequential; i++) {
		const sent = await sayFull(rig, appId, chatId, `seq ${i}`);
		eventIds.add(sent.event_id);
		latencies.push(await replyTo(rig, chatId, sent.message_id));
	}
	const ack = await ackLatency(rig, appId, eventIds);
	const bursts: RoundTrip['burst'] = [];
	for (let b = 0; b < o.bursts; b++) {
		const r = await burst(rig, appId, `oc_${label}_burst${b}_${randomUUID().slice(0, 6)}`, o.burst);
		bursts.push(r);
		log(`n8n ${label} burst ${b + 1}: ${r.replied}/${r.sent} replied, ${r.duplicates} duplicates, ${r.lateFirstAttempts} first attempts unanswered within the platform deadline, ${r.perSec.toFixed(1)} msgs/s`);
	}
	const rt = { latencies, p50: percentile(latencies, 50), p99: percentile(latencies, 99), ack, burst: bursts, perSec: median(bursts.map((b) => b.perSec)) };
	log(`n8n ${label}: round trip p50 ${rt.p50} ms p99 ${rt.p99} ms, ack p50 ${ack.p50} ms p99 ${ack.p99} ms, sustained ${rt.perSec.toFixed(1)} msgs/s`);
	return rt;
}

/** Sequential POSTs to an n8n webhook URL: how long n8n takes to answer (p50/p99 ms). */
async function answerTimes(url: string, body: string, headers: Record<string, string>, count: number): Promise<{ p50: number; p99: number; statuses: number[] }> {
	const times: number[] = [];
	const statuses = new Set<number>();
	for (let i = 0; i < count; i++) {
		const t = performance.now();
		const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
		await res.text();
		times.push(performance.now() - t);
		statuses.add(res.status);
	}
	return { p50: percentile(times, 50), p99: percentile(times, 99), statuses: [...statuses] };
}

async function until(fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await fn())) {
		if (Date.now() > deadline) throw new Error('timed out');
		await sleep(200);
	}
}

async function openConnections(rig: BenchRig): Promise<number> {
	const { connections } = await control<{ connections: { open: boolean }[] }>(rig, 'GET', `connections?app_id=${APP.appId}`);
	return connections.filter((c) => c.open).length;
}

/** Memory of the n8n main process after a forced full GC (median of 3, 1 s apart), MB. */
async function memory(rig: BenchRig): Promise<{ rss: number; heap: number }> {
	const rss: number[] = [];
	const heap: number[] = [];
	for (let i = 0; i < 3; i++) {
		await sleep(1000);
		const m = await memoryAfterGc(rig.n8n);
		rss.push(m.rss);
		heap.push(m.heapUsed);
	}
	return { rss: median(rss), heap: median(heap) };
}

type Answer = { p50: number; p99: number; statuses: number[] };
type Creds = { credentials: { feishuApi: { id: string; name: string } } };

// n8n 2.x setting under which our webhook phase needs no expression isolate (see the notes).
const LAZY_ISOLATES = { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' };

/** Echo bot over a webhook (encrypted + signed by the sandbox); then n8n's answer time for a request our trigger rejects at once. */
async function webhookRoundTrips(rig: BenchRig, creds: Creds, label: string, o: RoundTripOptions, log: (l: string) => void): Promise<{ roundTrip: RoundTrip; answer: Answer }> {
	const wh = echoWebhook();
	const wf = await rig.n8n.createWorkflow(wh.wf, creds);
	await rig.n8n.activate(wf.id);
	const challenge = await control(rig, 'PUT', `apps/${APP.appId}/delivery`, { mode: 'webhook', url: rig.n8n.webhookUrl(wh.path) });
	if (!challenge.challenge_passed) throw new Error(`our webhook did not pass the challenge: ${JSON.stringify(challenge)}`);
	const roundTrip = await roundTrips(rig, APP.appId, label, o, log);
	// A bad signature: no workflow runs, so this is n8n's cost plus our check.
	const ts = String(Math.floor(Date.now() / 1000));
	const answer = await answerTimes(rig.n8n.webhookUrl(wh.path), JSON.stringify({ encrypt: 'x'.repeat(64) }), { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n', 'x-lark-signature': 'bad' }, 30);
	await rig.n8n.deactivate(wf.id);
	await control(rig, 'PUT', `apps/${APP.appId}/delivery`, { mode: 'long_connection' });
	return { roundTrip, answer };
}

/** The same echo from n8n core nodes only: Webhook -> HTTP Request, plaintext pushes from a second app. */
async function baselineRoundTrips(rig: BenchRig, label: string, o: RoundTripOptions, log: (l: string) => void): Promise<RoundTrip> {
	await control(rig, 'POST', 'apps', BASELINE_APP);
	const token = await tenantToken(rig.sandbox.baseUrl, BASELINE_APP.app_id, BASELINE_APP.app_secret);
	const base = baselineEcho({ baseUrl: rig.sandbox.baseUrl, token });
	const wf = await rig.n8n.createWorkflow(base.wf);
	await rig.n8n.activate(wf.id);
	// The core Webhook node cannot answer Feishu's challenge (it would need a Respond node): forced.
	await control(rig, 'PUT', `apps/${BASELINE_APP.app_id}/delivery`, { mode: 'webhook', url: rig.n8n.webhookUrl(base.path), force: true });
	const roundTrip = await roundTrips(rig, BASELINE_APP.app_id, label, o, log);
	await rig.n8n.deactivate(wf.id);
	return roundTrip;
}

export async function runN8nBench(opts: { log: (line: string) => void; quick: boolean }): Promise<N8nBenchSection> {
	const { log, quick } = opts;
	const version = process.env.FEISHU_BENCH_N8N_VERSION || DEFAULT_N8N_VERSION;
	const o = quick ? { sequential: 30, burst: 100, bursts: 1 } : { sequential: 100, burst: 200, bursts: 2 };
	const workflows = quick ? 10 : 50;
	const t0 = Date.now();
	// FEISHU_BENCH_N8N_ENV="K=V,K2=V2": n8n settings to compare (e.g. N8N_EXPRESSION_ENGINE=legacy).
	const extraEnv = Object.fromEntries(
		(process.env.FEISHU_BENCH_N8N_ENV ?? '')
			.split(',')
			.filter((kv) => kv.includes('='))
			.map((kv) => [kv.slice(0, kv.indexOf('=')).trim(), kv.slice(kv.indexOf('=') + 1).trim()]),
	);
	const rig = await startBenchRig({
		version,
		env: { NODE_OPTIONS: '--inspect=127.0.0.1:0', ...extraEnv },
		sandbox: { rateLimitPerSecond: 1e6, rateLimitPerMinute: 1e7 },
	});
	if (Object.keys(extraEnv).length) log(`n8n settings from FEISHU_BENCH_N8N_ENV: ${JSON.stringify(extraEnv)}`);
	log(`n8n ${version} up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	const creds = { credentials: { feishuApi: rig.credential } };
	let closed = false;
	try {
		// 5 + 4b first, on a fresh n8n (no load yet): memory and connections. A core Webhook reference first.
		const { rss: rss0, heap: heap0 } = await memory(rig);
		let lastRefPath = '';
		for (let i = 0; i < workflows - 1; i++) {
			lastRefPath = `ref-${randomUUID()}`;
			const w = await rig.n8n.createWorkflow({
				name: `core webhook ${i}`,
				nodes: [{ parameters: { httpMethod: 'POST', path: lastRefPath, responseMode: 'onReceived', options: {} }, id: randomUUID(), webhookId: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0] }],
				connections: {},
				settings: { executionOrder: 'v1' },
			});
			await rig.n8n.activate(w.id);
		}
		const { rss: rssCore, heap: heapCore } = await memory(rig);
		const feishuIds: string[] = [];
		const first = await rig.n8n.createWorkflow(triggerOnly('feishu trigger 0'), creds);
		await rig.n8n.activate(first.id);
		feishuIds.push(first.id);
		const { rss: rss1, heap: heap1 } = await memory(rig);
		const conns1 = await openConnections(rig);
		const ta = Date.now();
		for (let i = 1; i < workflows; i++) {
			const w = await rig.n8n.createWorkflow(triggerOnly(`feishu trigger ${i}`), creds);
			await rig.n8n.activate(w.id);
			feishuIds.push(w.id);
		}
		const activateSecs = (Date.now() - ta) / 1000;
		const { rss: rssN, heap: heapN } = await memory(rig);
		const connsN = await openConnections(rig);
		// Every one of them gets the event (the hub fans out): one message, N executions.
		const before = await Promise.all(feishuIds.map((id) => rig.n8n.executions(id).then((e) => e.length)));
		await say(rig, APP.appId, 'oc_fanout', 'to all workflows');
		let fanout = 0;
		for (let i = 0; i < 60 && fanout < workflows; i++) {
			await sleep(500);
			const after = await Promise.all(feishuIds.map((id) => rig.n8n.executions(id).then((e) => e.length)));
			fanout = after.filter((n, k) => n > before[k]).length;
		}
		for (const id of feishuIds) await rig.n8n.deactivate(id);
		// n8n's answer time for a core Webhook node (v2, no expression, nothing downstream).
		const coreAnswer = await answerTimes(rig.n8n.webhookUrl(lastRefPath), '{"a":1}', {}, 30);
		await until(async () => (await openConnections(rig)) === 0, 30_000);
		log(`n8n memory: heap ${heap0.toFixed(1)} -> ${heapCore.toFixed(1)} -> ${heap1.toFixed(1)} -> ${heapN.toFixed(1)} MB; rss ${rss0.toFixed(1)} MB -> ${rssCore.toFixed(1)} (+${workflows - 1} core) -> ${rss1.toFixed(1)} (1 Feishu) -> ${rssN.toFixed(1)} MB (${workflows} Feishu); connections ${conns1} -> ${connsN}; fan-out ${fanout}/${workflows}`);

		// 3a. ours, long connection.
		const lc = await rig.n8n.createWorkflow(echoLongConnection(), creds);
		await rig.n8n.activate(lc.id);
		const ours = await roundTrips(rig, APP.appId, 'ours_lc', o, log);
		await rig.n8n.deactivate(lc.id);

		// 3b. ours, webhook (encrypted + signed by the sandbox, verified by the trigger).
		const { roundTrip: oursWebhook, answer: oursAnswer } = await webhookRoundTrips(rig, creds, 'ours_webhook', o, log);
		log(`n8n webhook answer time: ours (rejecting) p50 ${oursAnswer.p50.toFixed(0)} ms ${JSON.stringify(oursAnswer.statuses)}, core Webhook p50 ${coreAnswer.p50.toFixed(0)} ms ${JSON.stringify(coreAnswer.statuses)}`);

		// 3c. baseline: core Webhook -> HTTP Request, plaintext pushes from a second app.
		const baseline = await baselineRoundTrips(rig, 'baseline', o, log);
		await rig.close();
		closed = true;

		// 3d. webhook mode and baseline again on an n8n that takes expression isolates lazily.
		const lazyRig = await startBenchRig({ version, env: { ...extraEnv, ...LAZY_ISOLATES }, sandbox: { rateLimitPerSecond: 1e6, rateLimitPerMinute: 1e7 } });
		let lazy: { webhook: RoundTrip; answer: Answer; baseline: RoundTrip };
		try {
			const lazyCreds = { credentials: { feishuApi: lazyRig.credential } };
			const w = await webhookRoundTrips(lazyRig, lazyCreds, 'lazy ours_webhook', o, log);
			const b = await baselineRoundTrips(lazyRig, 'lazy baseline', o, log);
			lazy = { webhook: w.roundTrip, answer: w.answer, baseline: b };
		} finally {
			await lazyRig.close();
		}

		const perFeishu = (rssN - rss1) / (workflows - 1);
		const perCore = (rssCore - rss0) / (workflows - 1);
		const heapPerFeishu = (heapN - heap1) / (workflows - 1);
		const heapPerCore = (heapCore - heap0) / (workflows - 1);
		const rel = ratio(ours.p50, baseline.p50);
		const rel99 = ratio(ours.p99, baseline.p99);
		const lines = [
			`## 3. Real n8n round trip (n8n ${version})`,
			'',
			`One n8n ${version} (sqlite, regular mode) with this package installed from its packed tarball, one sandbox. Round trip = the bot's reply stored by the sandbox minus the user's message, both stamped by the sandbox (ms). ${o.sequential} messages one at a time (after 10 warm-up ones) for p50/p99; then ${o.bursts} burst(s) of ${o.burst} messages sent as fast as the sandbox takes them (10 requests in flight) for sustained messages/s = replies / (last reply - first message).`,
			'',
			'Baseline: the same echo built from n8n core nodes only: a Webhook node (answers at once) receiving the sandbox\'s plaintext event pushes, then an HTTP Request node POSTing the reply to the sandbox\'s Open API with a tenant token fetched beforehand. It skips what our nodes do (decryption, signature and token checks, dedupe, token cache, output shaping), so it is a lower bound for any Feishu integration in n8n.',
			'',
			'| workflow | round trip p50 ms | p99 ms | ack p50 / p99 ms | sustained msgs/s | lost | duplicate replies | burst events not answered within the platform deadline (first attempt) |',
			'|---|---:|---:|---:|---:|---:|---:|---:|',
			...(
				[
					['ours: Feishu Trigger (long connection) -> Feishu Reply', ours],
					['ours: Feishu Trigger (webhook, encrypted + signed) -> Feishu Reply', oursWebhook],
					['baseline: core Webhook -> HTTP Request', baseline],
					['ours: webhook, n8n with N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true', lazy.webhook],
					['baseline: core Webhook -> HTTP Request, same setting', lazy.baseline],
				] as [string, RoundTrip][]
			).map(([name, r]) => `| ${name} | ${fmt(r.p50, 0)} | ${fmt(r.p99, 0)} | ${fmt(r.ack.p50, 0)} / ${fmt(r.ack.p99, 0)} | ${fmt(r.perSec, 1)} | ${r.burst.reduce((n, b) => n + b.lost, 0)} | ${r.burst.reduce((n, b) => n + b.duplicates, 0)} | ${r.burst.reduce((n, b) => n + b.lateFirstAttempts, 0)} |`),
			'',
			'"Ack" = the platform\'s push of a sequential message -> our ack frame (long connection) or HTTP answer (webhook), as the sandbox measured it. The long connection acks an event once n8n has finished its run (or 2 s after arrival at the latest), so its ack time follows the run time: before that change it acked on receipt (see the notes for the figures measured then).',
			'',
			'"Lost" = no reply within 25 s of the last progress (a push the platform retries 15 s later still counts if it arrives); the last column counts events whose first push (webhook: HTTP 200 within 3 s) or first long-connection delivery (ack within 3 s) was not confirmed in time.',
			'',
			`Webhook answer time (30 sequential POSTs, n8n's HTTP answer): our trigger rejecting a bad signature (no workflow runs) p50 ${fmt(oursAnswer.p50, 0)} ms / p99 ${fmt(oursAnswer.p99, 0)} ms; a core Webhook node (v2) with nothing downstream p50 ${fmt(coreAnswer.p50, 0)} / p99 ${fmt(coreAnswer.p99, 0)} ms. Our check itself takes tens of µs (benchmark 2): the rest is n8n's. n8n 2.x with its default expression engine (N8N_EXPRESSION_ENGINE=vm) takes an expression isolate for every webhook request of any node but its own core Webhook node, whether or not an expression is evaluated; see the notes. The last two rows come from a second n8n started with \`N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true\` (an isolate only when an expression is evaluated; our trigger evaluates none per request): there our rejection is answered in p50 ${fmt(lazy.answer.p50, 0)} ms / p99 ${fmt(lazy.answer.p99, 0)} ms.`,
			'',
			`Ours (long connection) / baseline: p50 ${fmt(rel, 2)}x, p99 ${fmt(rel99, 2)}x, throughput ${fmt(ratio(ours.perSec, baseline.perSec), 2)}x. Ours (webhook) / baseline: p50 ${fmt(ratio(oursWebhook.p50, baseline.p50), 2)}x with n8n's defaults, ${fmt(ratio(lazy.webhook.p50, lazy.baseline.p50), 2)}x with lazy isolates (throughput ${fmt(ratio(lazy.webhook.perSec, lazy.baseline.perSec), 2)}x).`,
			'',
			`## 4b. Gateway connections for N workflows on one app`,
			'',
			`Open connections the sandbox sees for the app: ${conns1} with 1 active Feishu Trigger workflow, ${connsN} with ${workflows} (activating the other ${workflows - 1} took ${fmt(activateSecs, 1)} s). One message then started ${fanout} of the ${workflows} workflows (every workflow gets every event).`,
			'',
			'## 5. Memory',
			'',
			`Measured first, on the freshly started n8n (before any load), through the V8 inspector (n8n started with \`--inspect=127.0.0.1:0\`): \`process.memoryUsage()\` of the n8n main process right after a forced full garbage collection, median of 3 (without the forced collection heap and RSS swing by hundreds of MB between samples).`,
			'',
			'| step | RSS MB | heap used MB |',
			'|---|---:|---:|',
			`| before | ${fmt(rss0, 1)} | ${fmt(heap0, 1)} |`,
			`| + ${workflows - 1} core Webhook workflows (reference: n8n's own cost of an active workflow) | ${fmt(rssCore, 1)} | ${fmt(heapCore, 1)} |`,
			`| + 1 Feishu Trigger workflow | ${fmt(rss1, 1)} | ${fmt(heap1, 1)} |`,
			`| + ${workflows - 1} more Feishu Trigger workflows (${workflows} in all, one app) | ${fmt(rssN, 1)} | ${fmt(heapN, 1)} |`,
			'',
			`Per additional Feishu Trigger workflow: **${fmt(perFeishu * 1024, 0)} KB RSS**, ${fmt(heapPerFeishu * 1024, 0)} KB heap (core Webhook workflow: ${fmt(perCore * 1024, 0)} KB RSS, ${fmt(heapPerCore * 1024, 0)} KB heap). The heap figure (live objects after a full collection) is the precise one; RSS also holds memory V8 keeps reserved.`,
		];
		const goals = [
			`Real n8n round trip: ours (long connection) p50 ${fmt(rel, 2)}x / p99 ${fmt(rel99, 2)}x the core-node baseline ${goal(rel <= 1.25)} (goal: <= 1.25x, judged on p50); lost ${ours.burst.reduce((n, b) => n + b.lost, 0)}, duplicates ${ours.burst.reduce((n, b) => n + b.duplicates, 0)}`,
			`Real n8n round trip, webhook mode: ours p50 ${fmt(ratio(oursWebhook.p50, baseline.p50), 2)}x the core-node baseline with n8n's default expression engine settings ${goal(ratio(oursWebhook.p50, baseline.p50) <= 1.25)}, ${fmt(ratio(lazy.webhook.p50, lazy.baseline.p50), 2)}x with N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true ${goal(ratio(lazy.webhook.p50, lazy.baseline.p50) <= 1.25)} (goal: <= 1.25x); lost ${lazy.webhook.burst.reduce((n, b) => n + b.lost, 0)}, duplicates ${lazy.webhook.burst.reduce((n, b) => n + b.duplicates, 0)} with lazy isolates`,
			`Gateway connections for ${workflows} workflows on one app: ${connsN} ${goal(connsN === 1)} (goal 1)`,
			`Memory per Feishu Trigger workflow (1 -> ${workflows} on one app, after a full GC): ${fmt(heapPerFeishu * 1024, 0)} KB heap; ${fmt(perFeishu * 1024, 0)} KB RSS, of which n8n's own cost of any active workflow (core Webhook reference) is ${fmt(perCore * 1024, 0)} KB ${goal(heapPerFeishu <= 1 && perFeishu - Math.max(0, perCore) <= 1)} (goal <= 1 MB: heap, and RSS beyond n8n's own per-workflow cost)`,
		];
		return { lines, goals, version };
	} finally {
		if (!closed) await rig.close();
	}
}

const goal = (met: boolean) => (met ? '**met**' : '**missed**');

if (require.main === module) {
	void runN8nBench({ log: (l) => console.error(l), quick: process.argv.includes('--quick') }).then((r) => console.log([...r.goals, '', ...r.lines].join('\n')));
}
