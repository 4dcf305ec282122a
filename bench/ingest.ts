// Benchmark 1, gateway ingest: events/s and ack latency of our long-connection clients vs the official
// SDK's WSClient vs a bare ws + protobuf ceiling. Each client runs in its own process; the feeder
// (bench/lib/benchGateway.ts) runs here. Three streams per run: small events with 100 in flight,
// 100 KB events (2 fragments of 64 KiB, the sandbox's default) with 10 in flight, and small events
// one at a time (pure ack latency, no queueing). A second, shorter measurement pushes the same kind
// of stream through the real sandbox (POST /_sandbox/events) to show where the sandbox tops out.
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEMO_APP, startSandbox } from '../sandbox/server';
import { BENCH_APP, BenchGateway, encodeEvent, type EncodedEvent, messageEventPayload } from './lib/benchGateway';
import { median, percentile } from './lib/stats';

export type ClientKind = 'hub' | 'client' | 'official' | 'ceiling';
export const CLIENT_LABELS: Record<ClientKind, string> = {
	hub: 'ours: connection hub (used by the trigger)',
	client: 'ours: GatewayClient alone',
	official: 'official SDK WSClient 1.74',
	ceiling: 'ceiling: bare ws + protobuf',
};

export interface IngestOptions {
	runs: number;
	kinds: ClientKind[];
	smallEvents: number;
	smallWindow: number;
	largeEvents: number;
	largeWindow: number;
	latencyEvents: number;
	/** Steady-load stream: this many small events at pacedRate per second. */
	pacedEvents: number;
	pacedRate: number;
	smallTextBytes: number;
	largeTextBytes: number;
	fragmentBytes: number;
	sandboxEvents: number;
	/** A handler that takes this long (ms), ours vs official, events one at a time. */
	slowHandlerMs: number;
	slowEvents: number;
	log?: (line: string) => void;
}

export const DEFAULT_INGEST: IngestOptions = {
	runs: 5,
	kinds: ['hub', 'client', 'official', 'ceiling'],
	smallEvents: 20_000,
	smallWindow: 100,
	largeEvents: 400,
	largeWindow: 10,
	latencyEvents: 1_000,
	pacedEvents: 3_000,
	pacedRate: 1_000,
	smallTextBytes: 200,
	largeTextBytes: 100 * 1024,
	fragmentBytes: 64 * 1024,
	sandboxEvents: 3_000,
	slowHandlerMs: 20,
	slowEvents: 200,
};

export interface StreamFigures {
	eventsPerSec: number;
	p50: number;
	p99: number;
	missing: number;
}

export interface IngestRun {
	kind: ClientKind;
	small: StreamFigures;
	large: StreamFigures;
	latency: StreamFigures;
	paced: StreamFigures;
}

export interface IngestReport {
	options: IngestOptions;
	runs: IngestRun[];
	/** Median over runs, per client. */
	medians: Record<string, { small: StreamFigures; large: StreamFigures; latency: StreamFigures; paced: StreamFigures }>;
	sandbox: Record<string, { eventsPerSec: number; p50: number; p99: number; acked: number; sent: number }>;
	/** Ack latency with a slow handler, one event at a time, median over runs. */
	slow: Record<string, StreamFigures>;
	payloadBytes: { small: number; large: number };
}

const CLIENT_SCRIPT = path.join(__dirname, 'ingestClient.ts');

function spawnClient(kind: ClientKind, baseUrl: string, appId: string, appSecret: string, handlerMs = 0): Promise<ChildProcess> {
	const child = spawn(process.execPath, ['--import', 'tsx', CLIENT_SCRIPT, kind, baseUrl, appId, appSecret, String(handlerMs)], {
		stdio: ['pipe', 'pipe', 'inherit'],
	});
	return new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => reject(new Error(`${kind} client did not start`)), 30_000);
		child.stdout!.on('data', (d) => {
			out += d;
			if (out.includes('ready\n')) {
				clearTimeout(timer);
				resolve(child);
			}
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`${kind} client exited with ${code}`));
		});
	});
}

function stopClient(child: ChildProcess): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
		child.removeAllListeners('exit');
		child.once('exit', () => {
			clearTimeout(timer);
			resolve();
		});
		child.stdin!.end();
	});
}

function build(count: number, textBytes: number, fragmentBytes: number): EncodedEvent[] {
	const out: EncodedEvent[] = [];
	for (let i = 0; i < count; i++) out.push(encodeEvent(messageEventPayload(BENCH_APP.appId, textBytes), fragmentBytes));
	return out;
}

function figures(r: { eventsPerSec: number; ackLatenciesMs: number[]; missing: number }): StreamFigures {
	return { eventsPerSec: r.eventsPerSec, p50: percentile(r.ackLatenciesMs, 50), p99: percentile(r.ackLatenciesMs, 99), missing: r.missing };
}

function medianFigures(list: StreamFigures[]): StreamFigures {
	return {
		eventsPerSec: median(list.map((f) => f.eventsPerSec)),
		p50: median(list.map((f) => f.p50)),
		p99: median(list.map((f) => f.p99)),
		missing: Math.max(...list.map((f) => f.missing)),
	};
}

async function oneRun(gw: BenchGateway, kind: ClientKind, o: IngestOptions): Promise<IngestRun> {
	// Fresh event ids every run (the hub dedupes), encoded before the clock starts.
	const warm = build(Math.min(10_000, o.smallEvents), o.smallTextBytes, o.fragmentBytes);
	const warmLarge = build(Math.min(100, o.largeEvents), o.largeTextBytes, o.fragmentBytes);
	const small = build(o.smallEvents, o.smallTextBytes, o.fragmentBytes);
	const large = build(o.largeEvents, o.largeTextBytes, o.fragmentBytes);
	const single = build(o.latencyEvents, o.smallTextBytes, o.fragmentBytes);
	const paced = build(o.pacedEvents, o.smallTextBytes, o.fragmentBytes);
	const child = await spawnClient(kind, gw.baseUrl, BENCH_APP.appId, BENCH_APP.appSecret);
	try {
		await gw.waitForConnection();
		await gw.stream(warm, o.smallWindow);
		await gw.stream(warmLarge, o.largeWindow);
		const s = figures(await gw.stream(small, o.smallWindow));
		const l = figures(await gw.stream(large, o.largeWindow));
		const t = figures(await gw.stream(single, 1));
		const p = figures(await gw.streamPaced(paced, o.pacedRate));
		return { kind, small: s, large: l, latency: t, paced: p };
	} finally {
		await stopClient(child);
	}
}

async function slowRun(gw: BenchGateway, kind: ClientKind, o: IngestOptions): Promise<StreamFigures> {
	const warm = build(20, o.smallTextBytes, o.fragmentBytes);
	const events = build(o.slowEvents, o.smallTextBytes, o.fragmentBytes);
	const child = await spawnClient(kind, gw.baseUrl, BENCH_APP.appId, BENCH_APP.appSecret, o.slowHandlerMs);
	try {
		await gw.waitForConnection();
		await gw.stream(warm, 1);
		return figures(await gw.stream(events, 1));
	} finally {
		await stopClient(child);
	}
}

// ---- through the sandbox ----

function controlPost(agent: http.Agent, baseUrl: string, p: string, body: unknown): Promise<any> {
	const data = Buffer.from(JSON.stringify(body));
	return new Promise((resolve, reject) => {
		const req = http.request(`${baseUrl}/_sandbox/${p}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
		});
		req.on('error', reject);
		req.end(data);
	});
}

function controlGet(baseUrl: string, p: string): Promise<any> {
	return new Promise((resolve, reject) => {
		http
			.get(`${baseUrl}/_sandbox/${p}`, { agent: false }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
			})
			.on('error', reject);
	});
}

/** Pushes `count` small events through the sandbox's control API, 32 requests in flight. */
async function sandboxRun(kind: ClientKind, count: number, textBytes: number): Promise<IngestReport['sandbox'][string]> {
	const sandbox = await startSandbox({ port: 0, quiet: true, clientConfig: { PingInterval: 120 } });
	const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
	const child = await spawnClient(kind, sandbox.baseUrl, DEMO_APP.appId, DEMO_APP.appSecret);
	try {
		const text = 'x'.repeat(textBytes);
		const event = (i: number) => ({
			event_type: 'im.message.receive_v1',
			event: { message: { message_id: `om_${i}`, chat_id: 'oc_bench', chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text }) } },
		});
		// Warm up, then measure.
		await Promise.all(Array.from({ length: 200 }, (_, i) => controlPost(agent, sandbox.baseUrl, 'events', event(i))));
		await controlPost(agent, sandbox.baseUrl, 'reset', {});
		const started = performance.now();
		let next = 0;
		await Promise.all(
			Array.from({ length: 32 }, async () => {
				while (next < count) await controlPost(agent, sandbox.baseUrl, 'events', event(next++));
			}),
		);
		let acked = 0;
		const deadline = Date.now() + 60_000;
		while (Date.now() < deadline) {
			acked = (await controlGet(sandbox.baseUrl, 'stats')).deliveries_acked;
			if (acked >= count) break;
			await new Promise((r) => setTimeout(r, 5));
		}
		const elapsed = performance.now() - started;
		const { deliveries } = await controlGet(sandbox.baseUrl, 'deliveries');
		const latencies = deliveries.flatMap((d: any) => d.attempts.filter((a: any) => a.acked).map((a: any) => a.ack_latency_ms as number));
		return { eventsPerSec: (acked / elapsed) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), acked, sent: count };
	} finally {
		await stopClient(child);
		agent.destroy();
		await sandbox.close();
	}
}

export async function runIngestBench(partial: Partial<IngestOptions> = {}): Promise<IngestReport> {
	const o = { ...DEFAULT_INGEST, ...partial };
	const log = o.log ?? (() => undefined);
	const gw = await new BenchGateway().start();
	const runs: IngestRun[] = [];
	const slow: IngestReport['slow'] = {};
	try {
		for (let r = 0; r < o.runs; r++) {
			// Rotate the order so no client always runs first (or last) on a warming machine.
			const order = o.kinds.map((_, i) => o.kinds[(i + r) % o.kinds.length]);
			for (const kind of order) {
				const run = await oneRun(gw, kind, o);
				runs.push(run);
				log(
					`ingest run ${r + 1}/${o.runs} ${kind}: small ${run.small.eventsPerSec.toFixed(0)}/s p99 ${run.small.p99.toFixed(2)} ms; ` +
						`100KB ${run.large.eventsPerSec.toFixed(0)}/s p99 ${run.large.p99.toFixed(2)} ms; single p50 ${run.latency.p50.toFixed(3)} p99 ${run.latency.p99.toFixed(3)} ms; paced ${o.pacedRate}/s p50 ${run.paced.p50.toFixed(3)} p99 ${run.paced.p99.toFixed(3)} ms`,
				);
			}
		}
		const slowRuns: Record<string, StreamFigures[]> = {};
		if (o.slowEvents > 0) {
			for (let r = 0; r < Math.min(3, o.runs); r++) {
				for (const kind of ['hub', 'official'] as ClientKind[]) {
					if (!o.kinds.includes(kind)) continue;
					const f = await slowRun(gw, kind, o);
					(slowRuns[kind] ??= []).push(f);
					log(`ingest with a ${o.slowHandlerMs} ms handler, ${kind}: ack p50 ${f.p50.toFixed(3)} p99 ${f.p99.toFixed(3)} ms`);
				}
			}
		}
		for (const [kind, list] of Object.entries(slowRuns)) slow[kind] = medianFigures(list);
	} finally {
		await gw.close();
	}
	const medians: IngestReport['medians'] = {};
	for (const kind of o.kinds) {
		const mine = runs.filter((r) => r.kind === kind);
		medians[kind] = {
			small: medianFigures(mine.map((r) => r.small)),
			large: medianFigures(mine.map((r) => r.large)),
			latency: medianFigures(mine.map((r) => r.latency)),
			paced: medianFigures(mine.map((r) => r.paced)),
		};
	}
	const sandbox: IngestReport['sandbox'] = {};
	if (o.sandboxEvents > 0) {
		for (const kind of o.kinds) {
			sandbox[kind] = await sandboxRun(kind, o.sandboxEvents, o.smallTextBytes);
			log(`ingest via sandbox ${kind}: ${sandbox[kind].eventsPerSec.toFixed(0)}/s p50 ${sandbox[kind].p50} ms p99 ${sandbox[kind].p99} ms (${sandbox[kind].acked}/${sandbox[kind].sent} acked)`);
		}
	}
	return {
		options: o,
		runs,
		medians,
		sandbox,
		slow,
		payloadBytes: {
			small: messageEventPayload(BENCH_APP.appId, o.smallTextBytes).length,
			large: messageEventPayload(BENCH_APP.appId, o.largeTextBytes).length,
		},
	};
}

if (require.main === module) {
	const quick = process.argv.includes('--quick');
	void runIngestBench({
		log: (l) => console.log(l),
		...(quick ? { runs: 1, smallEvents: 5_000, largeEvents: 100, latencyEvents: 300, pacedEvents: 1_000, sandboxEvents: 1_000 } : {}),
	}).then((r) => console.log(JSON.stringify(r.medians, null, 2), JSON.stringify(r.sandbox, null, 2)));
}
