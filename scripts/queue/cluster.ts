// n8n in queue mode on loopback, for the queue-mode tests: Redis and PostgreSQL from the Debian
// packages (scripts/queue/setup.sh installs them), each in a temp dir on a free port, then one n8n
// main and N workers (`n8n worker`) sharing the main's environment, encryption key and user folder
// (so every process loads our package from <userFolder>/.n8n/nodes), with the settings we recommend
// (recommendedN8nEnv) unless told not to. Recipe measured in docs/queue-mode.md, "The queue-mode
// test". Everything stops with stop(), and with this process in any case.
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootN8n, type N8n } from '../n8n/boot';
import { ensureN8n, recommendedN8nEnv } from '../n8n/install';
import { freePort, spawnTracked, stopTracked } from '../n8n/processes';

const SETUP = path.join(__dirname, 'setup.sh');

export interface QueueCluster {
	main: N8n;
	workers: { child: ChildProcess; logFile: string; healthPort: number }[];
	redisPort: number;
	pgPort: number;
	/** Runs SQL on the n8n database with psql; returns rows as arrays of strings (tab-separated). */
	sql(query: string): string[][];
	/** Text of every worker's log so far. */
	workerLogs(): string[];
	stop(): Promise<void>;
}

function pgBin(name: string): string {
	const base = '/usr/lib/postgresql';
	const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
	for (const v of versions) {
		const p = path.join(base, v, 'bin', name);
		if (fs.existsSync(p)) return p;
	}
	throw new Error(`PostgreSQL's ${name} not found under ${base}: run scripts/queue/setup.sh`);
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			if (await check()) return;
		} catch {
			/* not yet */
		}
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/** Installs Redis and PostgreSQL when missing (apt-get, idempotent). */
export function ensureQueuePackages(): void {
	const r = spawnSync('bash', [SETUP], { stdio: 'inherit' });
	if (r.status !== 0) throw new Error(`scripts/queue/setup.sh exited ${r.status}`);
}

export interface QueueClusterOptions {
	version: string;
	workers?: number;
	concurrency?: number;
	/** false: n8n's own defaults instead of recommendedN8nEnv (benchmarks of the defaults). */
	recommended?: boolean;
	env?: Record<string, string>;
	log?: (line: string) => void;
}

export async function startQueueCluster(opts: QueueClusterOptions): Promise<QueueCluster> {
	const log = opts.log ?? (() => undefined);
	ensureQueuePackages();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feishu-queue-'));
	fs.chmodSync(dir, 0o777);
	const stops: (() => Promise<void>)[] = [];
	const stopAll = async () => {
		for (const stop of stops.reverse()) await stop().catch(() => undefined);
		stops.length = 0;
	};
	try {
		// Redis: no persistence, loopback only.
		const redisPort = await freePort();
		const redis = spawnTracked('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
		stops.push(() => stopTracked(redis, 5000));

		// PostgreSQL as the postgres user (initdb refuses root), trust auth on loopback, no fsync.
		const pgPort = await freePort();
		const data = path.join(dir, 'pgdata');
		const asPostgres = (bin: string, args: string[]): [string, string[]] => (process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]);
		execFileSync(...asPostgres(pgBin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--locale=C', '--no-sync']), { stdio: 'ignore' });
		const pg = spawnTracked(
			...asPostgres(pgBin('postgres'), ['-D', data, '-p', String(pgPort), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'max_connections=200']),
			{ stdio: 'ignore' },
		);
		stops.push(() => stopTracked(pg, 10_000));
		const psql = (args: string[]) =>
			execFileSync(pgBin('psql'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 * 1024 * 1024 });
		await waitFor('PostgreSQL', () => psql(['-d', 'postgres', '-tAc', 'select 1']).trim() === '1', 30_000);
		psql(['-d', 'postgres', '-c', 'create database n8n']);
		await waitFor('Redis', () => execFileSync('redis-cli', ['-p', String(redisPort), 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim() === 'PONG', 10_000);
		log(`queue: Redis on ${redisPort}, PostgreSQL on ${pgPort} (${dir})`);

		const env: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pgPort),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			EXECUTIONS_DATA_PRUNE: 'false',
			...(opts.recommended === false ? {} : recommendedN8nEnv(opts.version, 'queue')),
			...opts.env,
		};
		const main = await bootN8n({ version: opts.version, env });
		stops.push(() => main.stop());
		log(`queue: n8n main ${opts.version} ready on ${main.baseUrl}`);

		// Workers: the main's environment (private in the harness) with their own ports and log names.
		const install = await ensureN8n(opts.version);
		const mainEnv = (main as unknown as { environment(): NodeJS.ProcessEnv }).environment();
		const workers: QueueCluster['workers'] = [];
		for (let i = 0; i < (opts.workers ?? 2); i++) {
			const healthPort = await freePort();
			const logFile = path.join(main.userFolder, `worker-${i}.log`);
			const out = fs.openSync(logFile, 'a');
			const child = spawnTracked(install.nodeExec, [install.n8nBin, 'worker', `--concurrency=${opts.concurrency ?? 10}`], {
				cwd: main.userFolder,
				env: {
					...mainEnv,
					N8N_RUNNERS_BROKER_PORT: String(await freePort()),
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(healthPort),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					N8N_EVENTBUS_LOGWRITER_LOGBASENAME: `n8nEventLog-worker-${i}`,
				},
				stdio: ['ignore', out, out],
			});
			fs.closeSync(out);
			stops.push(() => stopTracked(child, 15_000));
			workers.push({ child, logFile, healthPort });
		}
		for (const w of workers) {
			await waitFor(`worker on ${w.healthPort}`, async () => (await fetch(`http://127.0.0.1:${w.healthPort}/healthz/readiness`)).ok, 120_000);
		}
		log(`queue: ${workers.length} workers ready`);
		return {
			main,
			workers,
			redisPort,
			pgPort,
			sql: (query) =>
				psql(['-d', 'n8n', '-tA', '-F', '\t', '-c', query])
					.split('\n')
					.filter((l) => l.length > 0)
					.map((l) => l.split('\t')),
			workerLogs: () => workers.map((w) => fs.readFileSync(w.logFile, 'utf8')),
			stop: async () => {
				await stopAll();
				fs.rmSync(dir, { recursive: true, force: true });
			},
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}
