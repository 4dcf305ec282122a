// Benchmark 8, Bitable records: 10,000 records written and read back through the Feishu node (Batch Create
// Records over 10,000 input items, then Search Records with Return All), run as the node tests run it
// (test/helpers/executeContext.ts: n8n-workflow's parameter resolution, n8n-core's httpRequest over axios),
// against the official SDK's Client doing the same batches (batchCreate of 1,000 records, search pages of
// 500), both one request at a time: Feishu refuses concurrent writes to one table (1254291) and a search's
// next page needs the previous page's token. The sandbox runs in a process of its own (Feishu is another
// machine) and enforces the record pages' budgets per app: batch_create 50/s, search 20/s
// (docs/protocol.md, "Bitable"). Per phase: records/s, ours / official, errors, rate-limited answers (HTTP
// 429, counted by the sandbox), and the fraction of the budget used = accepted requests/s over the phase
// (client-side wall time) / the documented requests/s. Runs alternate which client goes first, each client
// starting on a collected heap; medians.
// Alone: `node --import tsx bench/bitable.ts [--runs N] [--records N]` prints the section as Markdown.
import * as lark from '@larksuiteoapi/node-sdk';
import { spawn } from 'node:child_process';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { FeishuApi } from '../credentials/FeishuApi.credentials';
import { sandboxControl } from '../sandbox/client';
import { runNode } from '../test/helpers/executeContext';
import { fmt, median, ratio } from './lib/stats';

// The explicit .ts: without it the resolver picks Feishu.node.json (the codex file).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../nodes/Feishu/Feishu.node.ts') as typeof import('../nodes/Feishu/Feishu.node');

const ROOT = path.resolve(__dirname, '..');

/** Feishu's per-second budgets for the two endpoints (the record pages' "接口频率限制"). */
export const BITABLE_BUDGET = { batchCreate: 50, search: 20 } as const;
const BATCH = 1_000;
const PAGE = 500;

const APPS = {
	ours: { appId: 'cli_d1d2c3d4e5f60718', appSecret: 'bench-bitable-ours' },
	official: { appId: 'cli_d2d2c3d4e5f60718', appSecret: 'bench-bitable-official' },
	bare: { appId: 'cli_d3d2c3d4e5f60718', appSecret: 'bench-bitable-bare' },
} as const;
type Kind = keyof typeof APPS;
export const BITABLE_CLIENT_LABELS: Record<Kind, string> = {
	ours: 'ours: Feishu node (Batch Create Records, Search Records)',
	official: 'official SDK Client 1.74',
	bare: 'floor: bare fetch, bodies serialized beforehand',
};

const FIELDS = [
	{ field_name: 'Name', type: 1 },
	{ field_name: 'Amount', type: 2 },
	{ field_name: 'Status', type: 3, property: { options: [{ name: 'To Do' }, { name: 'Doing' }, { name: 'Done' }] } },
	{ field_name: 'Due', type: 5 },
	{ field_name: 'Done', type: 7 },
];

/** Record k's values, in the form both clients send (text, number, option name, ms timestamp, boolean). */
function recordValues(k: number): IDataObject {
	return { Name: `Record ${k}`, Amount: k * 1.5, Status: ['To Do', 'Doing', 'Done'][k % 3], Due: 1714521600000 + (k % 365) * 86_400_000, Done: k % 2 === 0 };
}

export interface PhaseResult {
	ms: number;
	records: number;
	recordsPerSec: number;
	/** Requests to the phase's endpoint the sandbox accepted, and answered with 429. */
	accepted: number;
	rateLimited: number;
	requestsPerSec: number;
	/** requestsPerSec / the documented budget, at most 1. */
	budgetUsed: number;
	msPerRequest: number;
	/** Records missing or wrong, failed calls. */
	errors: number;
}

export interface BitableRun {
	order: Kind[];
	write: Record<Kind, PhaseResult>;
	read: Record<Kind, PhaseResult>;
}

export interface BitableReport {
	options: { records: number; runs: number };
	runs: BitableRun[];
	medians: Record<Kind, { write: PhaseResult; read: PhaseResult }>;
	loadAverage: number[];
}

interface SandboxProcess {
	baseUrl: string;
	close(): Promise<void>;
}

/** `npm run sandbox` in a child process with the two apps; resolves once it prints its URL. */
function startSandboxProcess(): Promise<SandboxProcess> {
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'sandbox', 'cli.ts'), '--port', '0', '--quiet'], {
		cwd: ROOT,
		env: { ...process.env, FEISHU_SANDBOX_APPS: JSON.stringify(Object.values(APPS)) },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	return new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => {
			child.kill('SIGTERM');
			reject(new Error(`the sandbox did not start within 60 s: ${out}`));
		}, 60_000);
		child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
		child.stdout!.on('data', (c: Buffer) => {
			out += c.toString();
			const m = /running at (http:\/\/\S+)/.exec(out);
			if (!m) return;
			clearTimeout(timer);
			resolve({
				baseUrl: m[1],
				close: () =>
					new Promise<void>((done) => {
						if (child.exitCode !== null) return done();
						child.once('exit', () => done());
						child.kill('SIGTERM');
					}),
			});
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`the sandbox exited (${code}): ${out}`));
		});
	});
}

interface MadeBase {
	app_token: string;
	tables: { table_id: string }[];
}

interface Call {
	app_id?: string;
	path: string;
	status: number;
	at: number;
}

/** The sandbox's record of the app's calls to `endpoint` within [from, to] (Date.now() of both processes). */
async function callsTo(baseUrl: string, kind: Kind, endpoint: string, from: number, to: number): Promise<{ accepted: number; rateLimited: number; failed: number }> {
	// Without the bodies (thousands of records each): parsing them here would leave the next client's phase garbage to collect.
	const { calls } = await sandboxControl<{ calls: Call[] }>(baseUrl, 'GET', `calls?app_id=${APPS[kind].appId}&path=${encodeURIComponent(endpoint)}&bodies=false`);
	const mine = calls.filter((c) => c.at >= from && c.at <= to);
	return {
		accepted: mine.filter((c) => c.status === 200).length,
		rateLimited: mine.filter((c) => c.status === 429).length,
		failed: mine.filter((c) => c.status !== 200 && c.status !== 429).length,
	};
}

/** A full collection, so that no client's phase pays for the garbage of the one before it (or of the harness). */
function collectGarbage(): void {
	v8.setFlagsFromString('--expose-gc');
	(vm.runInNewContext('gc') as () => void)();
}

/** A silent logger for the official client (its rate-limited answers are counted by the sandbox). */
const QUIET = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined };

/**
 * What a careful user of the official SDK does about Feishu's rate limit (the SDK itself does not retry):
 * on HTTP 429 wait x-ogw-ratelimit-reset seconds and send again, at most 3 times.
 */
async function withRateLimitRetry<T>(call: () => Promise<T>): Promise<T> {
	for (let attempt = 0; ; attempt++) {
		try {
			return await call();
		} catch (error) {
			const res = (error as { response?: { status?: number; headers?: Record<string, string> } }).response;
			if (res?.status !== 429 || attempt >= 3) throw error;
			const reset = Number(res.headers?.['x-ogw-ratelimit-reset']);
			await new Promise((r) => setTimeout(r, (Number.isFinite(reset) && reset >= 0 ? reset : 1) * 1000));
		}
	}
}

async function tenantToken(baseUrl: string, app: { appId: string; appSecret: string }): Promise<string> {
	const res = await fetch(`${baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: app.appId, app_secret: app.appSecret }) });
	return String(((await res.json()) as { tenant_access_token?: string }).tenant_access_token);
}

interface Clients {
	baseUrl: string;
	node: InstanceType<typeof Feishu>;
	credentialType: FeishuApi;
	official: lark.Client;
}

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

/** Writes `count` records into a fresh table, reads them back; returns both phases (write, read) as measured. */
async function runClient(c: Clients, kind: Kind, count: number): Promise<{ write: PhaseResult; read: PhaseResult }> {
	const base = await sandboxControl<MadeBase>(c.baseUrl, 'POST', 'bitable/apps', { name: `Bench ${kind}`, tables: [{ name: 'Records', fields: FIELDS }] });
	const appToken = base.app_token;
	const tableId = base.tables[0].table_id;
	const values = Array.from({ length: count }, (_, k) => recordValues(k));
	let created: string[] = [];
	let read: { record_id?: string; fields?: IDataObject }[] = [];
	// The floor: a token fetched and every body serialized before the clock starts; fetch, JSON.parse, and
	// on 429 the same wait as the others.
	const tableUrl = `${c.baseUrl}/open-apis/bitable/v1/apps/${appToken}/tables/${tableId}/records`;
	const bareBodies = kind === 'bare' ? Array.from({ length: Math.ceil(count / BATCH) }, (_, k) => JSON.stringify({ records: values.slice(k * BATCH, (k + 1) * BATCH).map((fields) => ({ fields })) })) : [];
	const bareToken = kind === 'bare' ? await tenantToken(c.baseUrl, APPS.bare) : '';
	const bare = async (url: string, body: string): Promise<{ code?: number; data?: unknown } | undefined> => {
		for (let attempt = 0; attempt <= 3; attempt++) {
			const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${bareToken}`, 'content-type': 'application/json; charset=utf-8' }, body });
			const json = (await res.json()) as { code?: number; data?: unknown };
			if (res.status !== 429) return json.code === 0 ? json : undefined;
			const reset = Number(res.headers.get('x-ogw-ratelimit-reset'));
			await new Promise((r) => setTimeout(r, (Number.isFinite(reset) && reset >= 0 ? reset : 1) * 1000));
		}
		return undefined;
	};

	const phase = async (body: () => Promise<void>) => {
		const wall = Date.now();
		const t0 = performance.now();
		await body();
		return { ms: performance.now() - t0, from: wall, to: Date.now() };
	};

	const write = await phase(async () => {
		if (kind === 'ours') {
			const credentials = { appId: APPS.ours.appId, appSecret: APPS.ours.appSecret, domain: 'custom', baseUrl: c.baseUrl, encryptKey: '', verificationToken: '' };
			const items: INodeExecutionData[] = values.map((json) => ({ json: { ...json } }));
			const r = await runNode({
				node: c.node,
				parameters: { resource: 'bitable', operation: 'batchCreateRecords', appToken: rl(appToken), tableId: rl(tableId), columns: { mappingMode: 'autoMapInputData', value: null } },
				items,
				credentialType: c.credentialType,
				credentials: credentials as never,
				typeVersion: 2,
			});
			if (!r.error) created = r.output![0].map((i) => String(i.json.record_id ?? ''));
		} else if (kind === 'bare') {
			for (const body of bareBodies) {
				const res = await bare(`${tableUrl}/batch_create`, body);
				created.push(...((res?.data as { records?: { record_id?: string }[] } | undefined)?.records ?? []).map((r) => String(r.record_id ?? '')));
			}
		} else {
			const path = { app_token: appToken, table_id: tableId };
			for (let at = 0; at < count; at += BATCH) {
				const records = values.slice(at, at + BATCH).map((fields) => ({ fields: fields as Record<string, string | number | boolean> }));
				try {
					const res = await withRateLimitRetry(() => c.official.bitable.v1.appTableRecord.batchCreate({ path, data: { records } }));
					created.push(...(res.data?.records ?? []).map((r) => String(r.record_id ?? '')));
				} catch {
					// Counted below: these records were not created.
				}
			}
		}
	});
	const writeErrors = count - created.filter(Boolean).length;

	const readPhase = await phase(async () => {
		if (kind === 'ours') {
			const credentials = { appId: APPS.ours.appId, appSecret: APPS.ours.appSecret, domain: 'custom', baseUrl: c.baseUrl, encryptKey: '', verificationToken: '' };
			const r = await runNode({
				node: c.node,
				parameters: { resource: 'bitable', operation: 'searchRecords', appToken: rl(appToken), tableId: rl(tableId), returnAll: true },
				credentialType: c.credentialType,
				credentials: credentials as never,
				typeVersion: 2,
			});
			if (!r.error) read = r.output![0].map((i) => i.json as { record_id?: string; fields?: IDataObject });
		} else if (kind === 'bare') {
			let pageToken: string | undefined;
			do {
				const res = await bare(`${tableUrl}/search?page_size=${PAGE}${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`, '{}');
				const data = res?.data as { items?: { record_id?: string; fields?: IDataObject }[]; has_more?: boolean; page_token?: string } | undefined;
				read.push(...(data?.items ?? []));
				pageToken = data?.has_more ? data.page_token : undefined;
			} while (pageToken);
		} else {
			const path = { app_token: appToken, table_id: tableId };
			let pageToken: string | undefined;
			try {
				do {
					const params: { page_size: number; page_token?: string } = { page_size: PAGE, ...(pageToken ? { page_token: pageToken } : {}) };
					const res = await withRateLimitRetry(() => c.official.bitable.v1.appTableRecord.search({ path, params, data: {} }));
					read.push(...((res.data?.items ?? []) as unknown as { record_id?: string; fields?: IDataObject }[]));
					pageToken = res.data?.has_more ? res.data.page_token : undefined;
				} while (pageToken);
			} catch {
				// Counted below: the records not read.
			}
		}
	});
	// Every record must come back once, with its Name: each one read wrong, twice or not at all is an error.
	const names = new Map(created.map((id, k) => [id, `Record ${k}`]));
	const seen = new Set<string>();
	let wrong = 0;
	for (const r of read) {
		const id = String(r.record_id ?? '');
		const name = r.fields?.Name;
		const text = Array.isArray(name) ? name.map((s) => (s as { text?: string }).text ?? '').join('') : String(name ?? '');
		if (!names.has(id) || seen.has(id) || names.get(id) !== text) wrong++;
		else seen.add(id);
	}
	const readErrors = wrong + (count - seen.size);

	const result = async (p: { ms: number; from: number; to: number }, endpoint: string, budget: number, records: number, errors: number): Promise<PhaseResult> => {
		const calls = await callsTo(c.baseUrl, kind, endpoint, p.from, p.to);
		const requestsPerSec = (calls.accepted / p.ms) * 1000;
		return {
			ms: p.ms,
			records,
			recordsPerSec: (records / p.ms) * 1000,
			accepted: calls.accepted,
			rateLimited: calls.rateLimited,
			requestsPerSec,
			// The pace while busy over the budget, at most 100%: a phase shorter than Feishu's 1 s window may
			// go faster (its requests fit the window's count), a sustained one cannot.
			budgetUsed: Math.min(1, requestsPerSec / budget),
			msPerRequest: calls.accepted ? p.ms / calls.accepted : Number.NaN,
			errors: errors + calls.failed,
		};
	};
	return {
		write: await result(write, '/records/batch_create', BITABLE_BUDGET.batchCreate, count, writeErrors),
		read: await result(readPhase, '/records/search', BITABLE_BUDGET.search, read.length, readErrors),
	};
}

function medianPhase(list: PhaseResult[]): PhaseResult {
	const m = (pick: (p: PhaseResult) => number) => median(list.map(pick));
	return {
		ms: m((p) => p.ms),
		records: m((p) => p.records),
		recordsPerSec: m((p) => p.recordsPerSec),
		accepted: m((p) => p.accepted),
		rateLimited: list.reduce((n, p) => n + p.rateLimited, 0),
		requestsPerSec: m((p) => p.requestsPerSec),
		budgetUsed: m((p) => p.budgetUsed),
		msPerRequest: m((p) => p.msPerRequest),
		errors: list.reduce((n, p) => n + p.errors, 0),
	};
}

export async function runBitableBench(opts: { log?: (line: string) => void; runs?: number; records?: number } = {}): Promise<BitableReport> {
	const log = opts.log ?? (() => undefined);
	const runs = opts.runs ?? 5;
	const records = opts.records ?? 10_000;
	const loadAverage: number[] = [];
	const sandbox = await startSandboxProcess();
	try {
		const c: Clients = {
			baseUrl: sandbox.baseUrl,
			node: new Feishu(),
			credentialType: new FeishuApi(),
			official: new lark.Client({ appId: APPS.official.appId, appSecret: APPS.official.appSecret, domain: sandbox.baseUrl, logger: QUIET, loggerLevel: lark.LoggerLevel.error }),
		};
		// Warm-up: tokens fetched and cached, code paths compiled.
		for (const kind of Object.keys(APPS) as Kind[]) await runClient(c, kind, 1_000);
		const all: BitableRun[] = [];
		for (let i = 0; i < runs; i++) {
			await sandboxControl(c.baseUrl, 'POST', 'reset');
			await new Promise((r) => setTimeout(r, 1_100)); // every budget window empty
			loadAverage.push(os.loadavg()[0]);
			const order: Kind[] = i % 2 === 0 ? ['ours', 'official', 'bare'] : ['bare', 'official', 'ours'];
			const run = { order, write: {}, read: {} } as BitableRun;
			for (const kind of order) {
				collectGarbage();
				const r = await runClient(c, kind, records);
				run.write[kind] = r.write;
				run.read[kind] = r.read;
				log(`bitable run ${i + 1}/${runs} ${kind}: write ${fmt(r.write.recordsPerSec, 0)} records/s (${r.write.accepted} requests, ${r.write.rateLimited} x 429), read ${fmt(r.read.recordsPerSec, 0)} records/s (${r.read.accepted} requests, ${r.read.rateLimited} x 429), errors ${r.write.errors + r.read.errors}`);
			}
			all.push(run);
		}
		const medians = {} as BitableReport['medians'];
		for (const kind of Object.keys(APPS) as Kind[]) medians[kind] = { write: medianPhase(all.map((r) => r.write[kind])), read: medianPhase(all.map((r) => r.read[kind])) };
		return { options: { records, runs }, runs: all, medians, loadAverage };
	} finally {
		await sandbox.close();
	}
}

const goal = (met: boolean) => (met ? '**met**' : '**missed**');
const pct = (x: number) => `${fmt(x * 100, 0)}%`;

export function bitableSection(r: BitableReport): { lines: string[]; goals: string[] } {
	const m = r.medians;
	const n = fmt(r.options.records, 0);
	const lines = [
		`${n} records (text, number, single select, date, checkbox) written into a fresh table and read back, per client and run; ${r.options.runs} runs alternating which client goes first, medians (429s and errors: totals over the runs). Ours: the Feishu node's Batch Create Records over ${n} input items (map automatically), then Search Records with Return All, run as the node tests run it (n8n-workflow's parameter resolution, n8n-core's request helper over axios; no n8n server). Official: the SDK's \`Client\`, \`bitable.v1.appTableRecord.batchCreate\` with ${fmt(BATCH, 0)} records per request, then \`search\` in pages of ${PAGE} (on HTTP 429 it waits \`x-ogw-ratelimit-reset\` and sends again, as its users must: the SDK does not). Floor: a bare \`fetch\` of the same requests, its token fetched and every body serialized before the clock starts (what the server and the loopback take). All send one request at a time: Feishu refuses concurrent writes to one table (1254291) and each search page needs the previous one's token. The sandbox runs in its own process and enforces Feishu's budgets per app: batch_create ${BITABLE_BUDGET.batchCreate}/s, search ${BITABLE_BUDGET.search}/s. Budget used = requests the sandbox accepted per second of the phase (client wall time, the node's field-list read included) / the budget, at most 100%: a phase shorter than Feishu's 1 s window may go faster than the budget (its 10 or 20 requests fit in one window's count), a longer run could not, so the figure says how much of the budget the client's pace would use when sustained. Load average (1 min) during the runs: ${fmt(Math.min(...r.loadAverage), 2)}-${fmt(Math.max(...r.loadAverage), 2)}.`,
		'',
		`| client | write: records/s | ms per batch_create | batch_create/s (budget used) | 429s | read: records/s | ms per search page | search/s (budget used) | 429s | errors |`,
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
	];
	for (const kind of Object.keys(m) as Kind[]) {
		const w = m[kind].write;
		const rd = m[kind].read;
		lines.push(
			`| ${BITABLE_CLIENT_LABELS[kind]} | ${fmt(w.recordsPerSec, 0)} | ${fmt(w.msPerRequest, 1)} | ${fmt(w.requestsPerSec, 1)} (${pct(w.budgetUsed)}) | ${w.rateLimited} | ${fmt(rd.recordsPerSec, 0)} | ${fmt(rd.msPerRequest, 1)} | ${fmt(rd.requestsPerSec, 1)} (${pct(rd.budgetUsed)}) | ${rd.rateLimited} | ${w.errors + rd.errors} |`,
		);
	}
	const wr = ratio(m.ours.write.recordsPerSec, m.official.write.recordsPerSec);
	const rr = ratio(m.ours.read.recordsPerSec, m.official.read.recordsPerSec);
	const errors = m.ours.write.errors + m.ours.read.errors;
	const officialErrors = m.official.write.errors + m.official.read.errors;
	const needWriteMs = 1000 / BITABLE_BUDGET.batchCreate;
	const needReadMs = 1000 / BITABLE_BUDGET.search;
	lines.push(
		'',
		`Ours / official: write ${fmt(wr, 2)}x, read ${fmt(rr, 2)}x the records/s. Errors: ours ${errors}, official ${officialErrors}.`,
		'',
		`One request at a time, a client uses the whole budget only if a request takes at most ${fmt(needWriteMs, 0)} ms from send to answer (batch_create, ${BITABLE_BUDGET.batchCreate}/s) or ${fmt(needReadMs, 0)} ms (search, ${BITABLE_BUDGET.search}/s). Here a batch_create of ${fmt(BATCH, 0)} records took ${fmt(m.ours.write.msPerRequest, 0)} ms (ours), ${fmt(m.official.write.msPerRequest, 0)} ms (official) and ${fmt(m.bare.write.msPerRequest, 0)} ms (the floor), a search page of ${PAGE} ${fmt(m.ours.read.msPerRequest, 0)}, ${fmt(m.official.read.msPerRequest, 0)} and ${fmt(m.bare.read.msPerRequest, 0)} ms. The floor does nothing per request but send bytes it already has and parse the answer, so its time is the server's (the sandbox validates, stores and answers ${fmt(BATCH, 0)} records per batch) plus the loopback; a client can only add to it, and cannot overlap it with another write to the same table.`,
	);
	const goals = [
		`Bitable, ${n} records: write ${fmt(wr, 2)}x, read ${fmt(rr, 2)}x the official SDK's records/s, ${errors} errors ${goal(wr >= 0.9 && rr >= 0.9 && errors === 0)} (goal >= 0.9x at zero errors)`,
		`Bitable rate limit used (ours): write ${pct(m.ours.write.budgetUsed)} of ${BITABLE_BUDGET.batchCreate}/s, read ${pct(m.ours.read.budgetUsed)} of ${BITABLE_BUDGET.search}/s ${goal(m.ours.write.budgetUsed >= 0.8 && m.ours.read.budgetUsed >= 0.8)} (goal >= 80%; official: ${pct(m.official.write.budgetUsed)}, ${pct(m.official.read.budgetUsed)})`,
	];
	return { lines, goals };
}

if (require.main === module) {
	const args = process.argv.slice(2);
	const num = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
	void runBitableBench({ log: (l) => process.stderr.write(`[bench] ${l}\n`), runs: num('--runs'), records: num('--records') }).then(
		(r) => {
			const s = bitableSection(r);
			process.stdout.write([...s.lines, '', ...s.goals.map((g) => `- ${g}`), ''].join('\n'));
			process.stderr.write(`${JSON.stringify(r.medians)}\n`);
		},
		(error) => {
			process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
			process.exit(1);
		},
	);
}
