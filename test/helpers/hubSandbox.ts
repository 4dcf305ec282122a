// Shared helpers for the long-connection tests: a sandbox per file, its control API and polling.
import { after, afterEach, before } from 'node:test';
import { closeAllConnections, type FeishuEnvelope } from '../../lib/feishu';
import { sandboxControl } from '../../sandbox/client';
import { DEMO_APP, startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { type Truthy, waitFor as poll } from './waitFor';

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
	return sandboxControl<T>(sandbox.baseUrl, method, path, body);
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

export function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 8000, everyMs = 20): Promise<Truthy<T>> {
	return poll(what, fn, timeoutMs, everyMs);
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
