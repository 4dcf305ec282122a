// Shared helpers for the long-connection tests: a sandbox per file, its control API (plain node
// http without keep-alive, so no pooled sockets outlive a test) and polling.
import http from 'node:http';
import { after, afterEach, before } from 'node:test';
import { closeAllConnections, type FeishuEnvelope } from '../../lib/feishu';
import { DEMO_APP, startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';

export const APP_ID = DEMO_APP.appId;
export const APP_SECRET = DEMO_APP.appSecret;

/** Fast timings from the brief: ping every 1 s, reconnect interval 1 s, first-attempt jitter < 1 s. */
export function startTestSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
	return startSandbox({
		port: 0,
		quiet: true,
		clientConfig: { PingInterval: 1, ReconnectInterval: 1, ReconnectNonce: 1 },
		...opts,
	});
}

export function credsFor(sandbox: Sandbox, appSecret = APP_SECRET) {
	return { appId: APP_ID, appSecret, baseUrl: sandbox.baseUrl };
}

export function control<T = any>(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<T> {
	const url = new URL(`/_sandbox/${path.replace(/^\//, '')}`, sandbox.baseUrl);
	const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
	return new Promise((resolve, reject) => {
		const req = http.request(
			url,
			{ method, agent: false, headers: { 'content-type': 'application/json', ...(data ? { 'content-length': data.length } : {}) } },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					if ((res.statusCode ?? 0) >= 400) return reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${text}`));
					try {
						resolve(JSON.parse(text) as T);
					} catch {
						reject(new Error(`${method} ${path}: not JSON: ${text.slice(0, 200)}`));
					}
				});
			},
		);
		req.on('error', reject);
		req.end(data);
	});
}

export function sendText(sandbox: Sandbox, text: string, chatId = 'oc_gateway_test'): Promise<{ message_id: string; event_id: string }> {
	return control(sandbox, 'POST', `chats/${chatId}/messages`, { text });
}

export async function deliveries(sandbox: Sandbox, eventId?: string): Promise<any[]> {
	const q = new URLSearchParams({ app_id: APP_ID, ...(eventId ? { event_id: eventId } : {}) });
	return (await control(sandbox, 'GET', `deliveries?${q}`)).deliveries;
}

export async function openConnections(sandbox: Sandbox): Promise<any[]> {
	const { connections } = await control(sandbox, 'GET', `connections?app_id=${APP_ID}`);
	return connections.filter((c: any) => c.open);
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 8000, everyMs = 20): Promise<NonNullable<T>> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await fn();
			if (value) return value as NonNullable<T>;
		} catch (error) {
			last = error;
		}
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts of the resource kinds that keep the process alive (sockets, timers...). */
export function activeResources(): Record<string, number> {
	const out: Record<string, number> = {};
	for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
	return out;
}

/**
 * One sandbox for the test file, handed to `use` once started; after each test every hub connection
 * is closed and the sandbox reset, so each test starts with no connection open.
 */
export function sandboxPerFile(use: (sandbox: Sandbox) => void, opts: SandboxOptions = {}): void {
	let sandbox: Sandbox;
	before(async () => {
		sandbox = await startTestSandbox(opts);
		use(sandbox);
	});
	afterEach(async () => {
		await closeAllConnections();
		await control(sandbox, 'POST', 'reset');
		await waitFor('sandbox to see every connection closed', async () => (await openConnections(sandbox)).length === 0);
	});
	after(async () => {
		await sandbox.close();
	});
}

/**
 * A hub subscriber that records events and fatal errors. With `cardAnswer` it answers every card
 * action with it (as a trigger with "Respond to Card Action" would).
 */
export function collector(cardAnswer?: unknown) {
	const events: FeishuEnvelope[] = [];
	const fatals: Error[] = [];
	return {
		events,
		fatals,
		subscriber: {
			onEvent(envelope: FeishuEnvelope): Promise<unknown> | undefined {
				events.push(envelope);
				return cardAnswer !== undefined && envelope.eventType === 'card.action.trigger' ? Promise.resolve(cardAnswer) : undefined;
			},
			onFatal(error: Error) {
				fatals.push(error);
			},
		},
	};
}
