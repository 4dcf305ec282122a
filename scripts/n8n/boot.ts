// Boots a real n8n with our packed package installed the way a user installs a community package,
// and drives it through its own APIs: owner setup, an API key, credentials and workflows through
// the public API, activation (2.x publishes asynchronously), executions, stop and restart on the
// same user folder. Used by the end-to-end tests and by `npm run demo`.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureN8n, N8nInstall } from './install';
import { freePort, killTracked, spawnTracked, stopTracked } from './processes';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).name;

export const OWNER = {
	email: 'demo@example.com',
	firstName: 'Demo',
	lastName: 'Owner',
	password: 'Demo-password-1',
};

function log(msg: string): void {
	if (process.env.FEISHU_N8N_QUIET !== '1') process.stderr.write(`[n8n] ${msg}\n`);
}

function runCapture(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
	});
}

async function mustRun(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
	const r = await runCapture(cmd, args, opts);
	if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${(r.stdout + r.stderr).slice(-3000)}`);
	return r.stdout;
}

let packed: Promise<string> | undefined;

/**
 * Builds (unless FEISHU_SKIP_BUILD=1) and packs this repo once per process; returns the .tgz path.
 * The tarball is what a user would get from the registry.
 */
export function packPackage(): Promise<string> {
	packed ??= (async () => {
		if (process.env.FEISHU_SKIP_BUILD !== '1') await mustRun('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT });
		const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'feishu-pack-'));
		process.once('exit', () => fs.rmSync(dest, { recursive: true, force: true }));
		const out = await mustRun('npm', ['pack', '--json', '--pack-destination', dest], { cwd: REPO_ROOT });
		const info = JSON.parse(out.slice(out.indexOf('[')));
		return path.join(dest, info[0].filename);
	})();
	return packed;
}

/** Installs the tarball into `<userFolder>/.n8n/nodes` with npm, as n8n's community-package install does. */
export async function installPackageInto(userFolder: string, tgz: string): Promise<void> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const pj = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(pj)) fs.writeFileSync(pj, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	await mustRun('npm', ['i', '--omit=peer', '--no-audit', '--no-fund', '--loglevel=error', tgz], { cwd: nodesDir });
}

export interface N8nOptions {
	version: string;
	/** Reused when it exists (restart scenarios, demo); otherwise a fresh temp folder. */
	userFolder?: string;
	/** Fixed port (demo); otherwise a free one. */
	port?: number;
	/** Install our packed package (default true). */
	withPackage?: boolean;
	/** Extra environment for n8n. */
	env?: Record<string, string>;
	/** Mirror n8n's output to our stderr. */
	verbose?: boolean;
}

export interface Execution {
	id: string;
	workflowId: string;
	status: string;
	finished: boolean;
	mode: string;
	startedAt: string;
	stoppedAt?: string;
	data?: any;
}

// Keys the public API accepts on a node / in settings (2.x rejects anything else).
const NODE_KEYS = ['id', 'name', 'webhookId', 'disabled', 'notesInFlow', 'notes', 'type', 'typeVersion', 'executeOnce', 'alwaysOutputData', 'retryOnFail', 'maxTries', 'waitBetweenTries', 'continueOnFail', 'onError', 'position', 'parameters', 'credentials'];
const SETTINGS_KEYS = ['executionOrder', 'saveManualExecutions', 'saveDataErrorExecution', 'saveDataSuccessExecution', 'executionTimeout', 'timezone', 'callerPolicy'];

function pick(obj: Record<string, any>, keys: string[]): Record<string, any> {
	const out: Record<string, any> = {};
	for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
	return out;
}

export class N8n {
	readonly version: string;
	readonly userFolder: string;
	port = 0;
	private brokerPort = 0;
	private install?: N8nInstall;
	private child?: ChildProcess;
	private cookie = '';
	private apiKey = '';
	private logTail = '';
	/** n8n's output since the current process started. */
	private startLog = '';
	private readonly logFile: string;
	private readonly opts: N8nOptions;
	private readonly ownsUserFolder: boolean;
	/** Seconds from spawn to ready, for each start. */
	readonly startSeconds: number[] = [];

	constructor(opts: N8nOptions) {
		this.opts = opts;
		this.version = opts.version;
		this.ownsUserFolder = !opts.userFolder;
		this.userFolder = opts.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), `feishu-n8n-${opts.version}-`));
		fs.mkdirSync(this.userFolder, { recursive: true });
		this.logFile = path.join(this.userFolder, 'n8n-output.log');
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	get major(): number {
		return Number(this.version.split('.')[0]);
	}

	/** Installs n8n (cached) and our package, then starts n8n and sets up the owner and an API key. */
	async boot(): Promise<this> {
		this.install = await ensureN8n(this.version);
		if (this.opts.withPackage !== false) {
			const marker = path.join(this.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, 'package.json');
			if (!fs.existsSync(marker) || process.env.FEISHU_REINSTALL_PACKAGE !== '0') {
				await installPackageInto(this.userFolder, await packPackage());
			}
		}
		await this.start();
		await this.ensureOwnerAndKey();
		return this;
	}

	private environment(): NodeJS.ProcessEnv {
		const base: NodeJS.ProcessEnv = {};
		// Inherit the machine's basics, never a parent's n8n / test-runner settings.
		for (const [k, v] of Object.entries(process.env)) {
			if (/^(N8N_|DB_|EXECUTIONS_|QUEUE_|NODE_OPTIONS$|NODE_TEST_CONTEXT$|WEBHOOK_URL$|GENERIC_TIMEZONE$|FORCE_COLOR$)/.test(k)) continue;
			base[k] = v;
		}
		const env: NodeJS.ProcessEnv = {
			...base,
			...this.install!.env,
			N8N_USER_FOLDER: this.userFolder,
			N8N_PORT: String(this.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_ENCRYPTION_KEY: 'feishu-e2e-fixed-encryption-key-0001',
			DB_TYPE: 'sqlite',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
			N8N_SECURE_COOKIE: 'false',
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
			GENERIC_TIMEZONE: 'UTC',
			// Plain logs: the harness reads n8n's output (1.x activation lines).
			NO_COLOR: '1',
			...(this.major >= 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
			...(this.opts.env ?? {}),
		};
		return env;
	}

	/** Runs an n8n CLI command with the same environment (e.g. `execute --id=...`, `export:nodes`). */
	async cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
		this.install ??= await ensureN8n(this.version);
		if (!this.port) this.port = await freePort();
		if (!this.brokerPort) this.brokerPort = await freePort();
		// A CLI process next to a running n8n starts its own task broker: give it its own port.
		const env = { ...this.environment(), N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
		return runCapture(this.install.nodeExec, [this.install.n8nBin, ...args], { cwd: this.userFolder, env });
	}

	/** Node types n8n loads from the user folder, read with `n8n export:nodes` (no server needed). */
	async exportedNodeTypes(): Promise<string[]> {
		const out = path.join(this.userFolder, 'nodes-export.json');
		const r = await this.cli(['export:nodes', `--output=${out}`]);
		if (r.code !== 0) throw new Error(`export:nodes exited ${r.code}: ${(r.stdout + r.stderr).slice(-2000)}`);
		const nodes: { name: string }[] = JSON.parse(fs.readFileSync(out, 'utf8'));
		return nodes.map((n) => n.name);
	}

	async start(): Promise<void> {
		if (this.child) throw new Error('n8n already running');
		this.install ??= await ensureN8n(this.version);
		if (!this.port) this.port = this.opts.port ?? (await freePort());
		if (!this.brokerPort) this.brokerPort = await freePort();
		const t0 = Date.now();
		const logStream = fs.createWriteStream(this.logFile, { flags: 'a' });
		const child = spawnTracked(this.install.nodeExec, [this.install.n8nBin, 'start'], {
			cwd: this.userFolder,
			env: this.environment(),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.child = child;
		this.startLog = '';
		const onData = (d: Buffer) => {
			logStream.write(d);
			this.startLog += d.toString();
			this.logTail = (this.logTail + d.toString()).slice(-20000);
			if (this.opts.verbose) process.stderr.write(d);
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', (code, signal) => {
			logStream.end(`\n[harness] n8n exited code=${code} signal=${signal}\n`);
			if (this.child === child) this.child = undefined;
		});
		await this.waitReady(child, 120_000);
		const secs = (Date.now() - t0) / 1000;
		this.startSeconds.push(secs);
		log(`n8n ${this.version} ready on ${this.baseUrl} in ${secs.toFixed(1)} s (user folder ${this.userFolder})`);
	}

	private async waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		let stage = 0;
		while (Date.now() < deadline) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(`n8n ${this.version} exited during start-up (code ${child.exitCode}):\n${this.logTail.slice(-4000)}`);
			}
			try {
				// Readiness first (migrations done), then the public settings route (REST mounted, 1.x answers readiness earlier).
				const url = stage === 0 ? '/healthz/readiness' : '/rest/settings';
				const res = await fetch(this.baseUrl + url, { signal: AbortSignal.timeout(2000) });
				if (res.ok) {
					if (stage === 1) return;
					stage = 1;
					continue;
				}
			} catch {
				/* not listening yet */
			}
			await sleep(250);
		}
		throw new Error(`n8n ${this.version} not ready after ${timeoutMs} ms:\n${this.logTail.slice(-4000)}`);
	}

	/**
	 * Waits until this n8n process has activated the given workflows at start-up. n8n answers HTTP
	 * before it re-activates the active workflows (both 1.x and 2.x run that after the server starts)
	 * and logs `Activated workflow "<name>" (ID: <id>)` for each once its triggers are running.
	 */
	async waitActivatedAtStart(workflowIds: string[], timeoutMs = 60_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		const missing = () => workflowIds.filter((id) => !this.startLog.includes(`(ID: ${id})`) || !this.startLog.split('\n').some((l) => l.includes('Activated workflow') && l.includes(`(ID: ${id})`)));
		while (Date.now() < deadline) {
			if (missing().length === 0) return;
			if (!this.child) throw new Error(`n8n exited while activating workflows:\n${this.logs(3000)}`);
			await sleep(200);
		}
		throw new Error(`workflows ${missing().join(', ')} not activated ${timeoutMs} ms after the start:\n${this.logs(3000)}`);
	}

	/** Stops n8n (SIGTERM to n8n, its task runner follows; SIGKILL after a grace period). */
	async stop(): Promise<void> {
		const child = this.child;
		if (!child) return;
		await stopTracked(child, 20_000);
		this.child = undefined;
	}

	/** kill -9: n8n gets no chance to finish, flush or mark anything (start() brings it back). */
	async crash(): Promise<void> {
		const child = this.child;
		if (!child) return;
		await killTracked(child);
		this.child = undefined;
	}

	/** Stops n8n and removes the user folder if the harness created it (FEISHU_E2E_KEEP=1 keeps it). */
	async dispose(): Promise<void> {
		await this.stop();
		if (this.ownsUserFolder && process.env.FEISHU_E2E_KEEP !== '1') fs.rmSync(this.userFolder, { recursive: true, force: true });
	}

	async restart(): Promise<void> {
		await this.stop();
		await this.start();
	}

	get running(): boolean {
		return !!this.child;
	}

	/** GET a route as the owner: its HTTP status, or 0 when n8n did not answer within `timeoutMs`. */
	async probe(route: string, timeoutMs = 10_000): Promise<number> {
		try {
			const res = await fetch(this.baseUrl + route, { headers: { cookie: this.cookie }, signal: AbortSignal.timeout(timeoutMs) });
			await res.arrayBuffer();
			return res.status;
		} catch {
			return 0;
		}
	}

	/** n8n's health route and an authenticated REST read (the editor's executions list) both answer 200. */
	async healthy(): Promise<boolean> {
		if (!this.child) return false;
		return (await this.probe('/healthz/readiness')) === 200 && (await this.probe('/rest/executions?limit=1')) === 200;
	}

	/**
	 * Where every real-n8n test starts: n8n answering. Waits up to `waitMs` for it to recover (a burst
	 * before may still be draining); if it does not, restarts it, so one test's failure never fails
	 * the tests after it. Returns what it had to do.
	 */
	async ensureHealthy(waitMs = 60_000): Promise<'healthy' | 'recovered' | 'restarted'> {
		const deadline = Date.now() + waitMs;
		let first = true;
		while (Date.now() < deadline) {
			if (await this.healthy()) return first ? 'healthy' : 'recovered';
			first = false;
			if (!this.child) break;
			await sleep(1000);
		}
		log(`n8n ${this.version} not healthy after ${waitMs} ms: restarting it\n${this.logs(2000)}`);
		await this.restart();
		await this.ensureOwnerAndKey();
		return 'restarted';
	}

	/** The last part of n8n's own output, for failure messages. */
	logs(chars = 6000): string {
		return this.logTail.slice(-chars);
	}

	/** Owner account (created once, then logged into) and a public-API key with every scope the owner may have. */
	async ensureOwnerAndKey(): Promise<void> {
		const setup = await fetch(`${this.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(OWNER),
		});
		if (setup.ok) {
			this.cookie = authCookie(setup);
		} else {
			const login = await fetch(`${this.baseUrl}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, email: OWNER.email, password: OWNER.password }),
			});
			if (!login.ok) throw new Error(`owner setup (${setup.status}: ${await setup.text()}) and login (${login.status}: ${await login.text()}) both failed`);
			this.cookie = authCookie(login);
		}
		if (this.apiKey) return;
		const scopes = await this.rest<string[]>('GET', '/rest/api-keys/scopes');
		const key = await this.rest<{ rawApiKey?: string; apiKey: string }>('POST', '/rest/api-keys', {
			label: `harness-${Date.now()}`,
			scopes,
			expiresAt: null,
		});
		this.apiKey = key.rawApiKey ?? key.apiKey;
	}

	/** Internal REST API with the owner's cookie; returns the `data` member. */
	async rest<T = any>(method: string, urlPath: string, body?: unknown): Promise<T> {
		const res = await fetchRetryingStaleSocket(method, this.baseUrl + urlPath, {
			method,
			headers: { cookie: this.cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		const text = await res.text();
		if (!res.ok) throw new HttpError(method, urlPath, res.status, text);
		const json = text ? JSON.parse(text) : {};
		return (json && typeof json === 'object' && 'data' in json ? json.data : json) as T;
	}

	/** Public API (`/api/v1`) with the API key. */
	async api<T = any>(method: string, urlPath: string, body?: unknown): Promise<T> {
		const res = await fetchRetryingStaleSocket(method, `${this.baseUrl}/api/v1${urlPath}`, {
			method,
			headers: { 'x-n8n-api-key': this.apiKey, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		const text = await res.text();
		if (!res.ok) throw new HttpError(method, `/api/v1${urlPath}`, res.status, text);
		return (text ? JSON.parse(text) : {}) as T;
	}

	async createCredential(cred: { name: string; type: string; data: Record<string, unknown> }): Promise<{ id: string; name: string; type: string }> {
		// n8n 1.x adds "allowedHttpRequestDomains"/"allowedDomains" to every credential and its public-API
		// schema then demands allowedDomains unless the first is given (an if/then whose `if` passes
		// when the property is missing): say "all", which is the editor's default.
		// Types whose schema forbids extra properties (openAiApi on 1.123) refuse it: then send the data as given.
		const data = this.major < 2 && cred.data.allowedHttpRequestDomains === undefined ? { ...cred.data, allowedHttpRequestDomains: 'all' } : cred.data;
		try {
			return await this.api('POST', '/credentials', { ...cred, data });
		} catch (error) {
			if (data === cred.data || !String((error as Error).message).includes('additional property')) throw error;
			return this.api('POST', '/credentials', cred);
		}
	}

	/**
	 * Creates a workflow from an exported workflow JSON (inactive). Every node credential reference
	 * of a type found in `credentials` is pointed at that credential.
	 */
	async createWorkflow(wf: any, opts: { name?: string; credentials?: Record<string, { id: string; name: string }> } = {}): Promise<{ id: string; name: string; nodes: any[] }> {
		const nodes = (wf.nodes as any[]).map((n) => {
			const node = pick(n, NODE_KEYS);
			if (node.credentials && opts.credentials) {
				node.credentials = { ...node.credentials };
				for (const type of Object.keys(node.credentials)) {
					const c = opts.credentials[type];
					if (c) node.credentials[type] = { id: c.id, name: c.name };
				}
			}
			return node;
		});
		return this.api('POST', '/workflows', {
			name: opts.name ?? wf.name ?? 'workflow',
			nodes,
			connections: wf.connections ?? {},
			settings: pick(wf.settings ?? {}, SETTINGS_KEYS),
		});
	}

	/** Activates (1.x) / publishes (2.x) a workflow and waits until its triggers are live. */
	async activate(workflowId: string, timeoutMs = 60_000): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/activate`, this.major >= 2 ? {} : undefined);
		if (this.major < 2) return; // synchronous in 1.x: errors came back as HTTP 400
		await this.waitPublished(workflowId, timeoutMs);
	}

	/** 2.x: waits for `publication-status` to settle on `published`; throws with the trigger errors otherwise. */
	async waitPublished(workflowId: string, timeoutMs = 60_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		let last: any;
		while (Date.now() < deadline) {
			last = await this.rest('GET', `/rest/workflows/${workflowId}/publication-status`);
			if (last.status === 'published') return;
			if (last.status === 'failed' || last.status === 'partial') {
				throw new Error(`workflow ${workflowId} publication ${last.status}: ${JSON.stringify(last.triggers)}`);
			}
			await sleep(200);
		}
		throw new Error(`workflow ${workflowId} not published after ${timeoutMs} ms: ${JSON.stringify(last)}`);
	}

	async deactivate(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/deactivate`);
	}

	async getWorkflow(workflowId: string): Promise<any> {
		return this.api('GET', `/workflows/${workflowId}`);
	}

	/** Executions of one workflow, newest first, read through the public API. */
	async executions(workflowId: string, opts: { includeData?: boolean } = {}): Promise<Execution[]> {
		const out: Execution[] = [];
		let cursor: string | undefined;
		do {
			const q = new URLSearchParams({ workflowId, limit: '250', includeData: String(!!opts.includeData) });
			if (cursor) q.set('cursor', cursor);
			const page = await this.api<{ data: Execution[]; nextCursor?: string | null }>('GET', `/executions?${q}`);
			out.push(...page.data);
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		return out;
	}

	/** Waits until the workflow has at least `count` finished executions (any status) and returns them. */
	async waitForExecutions(workflowId: string, count: number, opts: { timeoutMs?: number; includeData?: boolean } = {}): Promise<Execution[]> {
		const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
		let list: Execution[] = [];
		while (Date.now() < deadline) {
			list = (await this.executions(workflowId, { includeData: opts.includeData })).filter((e) => e.status !== 'running' && e.status !== 'new' && e.status !== 'waiting');
			if (list.length >= count) return list;
			await sleep(250);
		}
		throw new Error(`workflow ${workflowId}: ${list.length} finished executions after ${opts.timeoutMs ?? 30_000} ms, wanted ${count}\n${this.logs(3000)}`);
	}

	/** Production webhook URL of a node: `/webhook/<webhookId>/<path>` unless the path is a full path. */
	webhookUrl(pathSuffix: string): string {
		return `${this.baseUrl}/webhook/${pathSuffix.replace(/^\//, '')}`;
	}
}

/**
 * fetch, with one retry of a GET whose pooled keep-alive socket n8n had just closed ("other side
 * closed" before any answer: measured after a test idled past n8n's 5 s keep-alive). Other methods
 * are never retried: n8n may have acted on them.
 */
async function fetchRetryingStaleSocket(method: string, url: string, init: RequestInit): Promise<Response> {
	try {
		return await fetch(url, { ...init, method });
	} catch (error) {
		const code = (error as { cause?: { code?: string } }).cause?.code;
		if (method !== 'GET' || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) throw error;
		return await fetch(url, { ...init, method });
	}
}

export class HttpError extends Error {
	constructor(
		readonly method: string,
		readonly path: string,
		readonly status: number,
		readonly body: string,
	) {
		super(`${method} ${path} -> HTTP ${status}: ${body.slice(0, 1000)}`);
	}
}

function authCookie(res: Response): string {
	const all = res.headers.getSetCookie?.() ?? [];
	const c = all.map((s) => s.split(';')[0]).find((s) => s.startsWith('n8n-auth='));
	if (!c) throw new Error('no n8n-auth cookie in the answer');
	return c;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

/** Node data (json items) of one node in an execution read with includeData. */
export function nodeOutput(execution: Execution, nodeName: string): any[] {
	const runs = execution.data?.resultData?.runData?.[nodeName];
	if (!runs?.length) return [];
	return (runs[0].data?.main?.[0] ?? []).map((i: any) => i.json);
}

/** Boots an n8n of the given version with our package. */
export async function bootN8n(opts: N8nOptions): Promise<N8n> {
	const n8n = new N8n(opts);
	try {
		return await n8n.boot();
	} catch (err) {
		await n8n.dispose();
		throw err;
	}
}
