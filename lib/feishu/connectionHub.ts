// One long connection per (baseUrl, appId) per process, shared by every subscriber (each active
// workflow, the editor's test listener). Feishu gives each event to one random connection of an app
// (docs/protocol.md, "One connection per app gets each event"), so separate connections per workflow would steal each other's events.
// The hub dedupes once per app, paces plain events into runs (eventPacer.ts), then fans every
// event out to all subscribers.
import { secretFingerprint } from './crypto';
import { EventDeduper, type EventDeduperOptions } from './dedupe';
import { withoutTrailingSlash } from './domains';
import type { FeishuEnvelope } from './envelope';
import { EventPacer, type EventPacerOptions, type EventPacerStats } from './eventPacer';
import { GatewayClient, type GatewayClientOptions, type GatewayEventContext } from './gatewayClient';
import type { GatewayCredentials } from './gatewayEndpoint';
import type { FeishuGatewayError } from './gatewayErrors';
import type { GatewayStats } from './gatewayStats';
import { type FeishuLogger, silentLogger } from './logger';
import { getTenantAccessToken } from './tokenCache';

/** What a subscriber learns of an event besides the envelope. */
export interface HubEventContext {
	frameType: string;
	isCallback: boolean;
	/**
	 * Counts a run this event started as in flight until `done` settles: the app's events wait
	 * while its in-flight runs are at the largest `maxConcurrentRuns` of its subscribers. A plain
	 * event is acked once every run it started has settled, or at its ack deadline (eventPacer.ts).
	 */
	trackRun(done: PromiseLike<unknown>): void;
}

export interface HubSubscriber {
	/** For callbacks: resolve to the answer (undefined = no answer). Errors are logged, never fatal. */
	onEvent(envelope: FeishuEnvelope, context: HubEventContext): void | Promise<unknown>;
	/** The connection is lost for good; the subscription is over. */
	onFatal(error: Error): void;
}

/** Runs in flight per app before further events wait: a small n8n on SQLite stays responsive. */
export const DEFAULT_MAX_CONCURRENT_RUNS = 10;
/** Events kept waiting per app (unacked, a few KB each) before further ones are left to Feishu. */
export const DEFAULT_MAX_WAITING_EVENTS = 10_000;

export interface SubscribeOptions {
	logger?: FeishuLogger;
	/** How long callbacks wait for answers; the connection uses the largest of its subscribers'. Default 2500 ms, capped at 2900. */
	callbackBudgetMs?: number;
	/**
	 * Runs in flight (tracked with `trackRun`) before further plain events wait; the connection
	 * uses the largest of its subscribers'. 0 or less: no limit. Default 10.
	 */
	maxConcurrentRuns?: number;
	/** Events that may wait for room; the connection uses the largest. Default 10,000. */
	maxWaitingEvents?: number;
	/** Extra GatewayClient options for the connection's first subscriber (tests, tuning). */
	gateway?: Pick<GatewayClientOptions, 'overrides' | 'livenessTimeoutMs' | 'httpTimeoutMs' | 'handshakeTimeoutMs' | 'fragments'>;
	dedupe?: EventDeduperOptions;
	/** When plain events are acked (eventPacer.ts); for the connection's first subscriber (tests, tuning). */
	acks?: Pick<EventPacerOptions, 'ackDeadlineMs' | 'minHoldMs'>;
}

export interface HubSubscription {
	unsubscribe(): Promise<void>;
}

interface SubscriberEntry {
	subscriber: HubSubscriber;
	budgetMs?: number;
	maxRuns: number;
	maxWaiting: number;
}

interface AppConnection {
	key: string;
	creds: GatewayCredentials;
	/** The secret the connection opened with or that Feishu accepted since; joiners must match it. */
	secretFingerprint: string;
	client: GatewayClient;
	starting: Promise<void>;
	/** One entry per subscription (the same subscriber object may subscribe twice). */
	subscribers: Set<SubscriberEntry>;
	deduper: EventDeduper;
	pacer: EventPacer;
	trackRun: (done: PromiseLike<unknown>) => void;
	logger: FeishuLogger;
	duplicates: number;
}

const connections = new Map<string, AppConnection>();

function connectionKey(creds: GatewayCredentials): string {
	return `${withoutTrailingSlash(creds.baseUrl)}|${creds.appId}`;
}

/**
 * Subscribes to an app's events over the shared long connection. The first subscriber opens it;
 * concurrent first subscribers share that attempt and all reject if it fails (FeishuGatewayError
 * with Feishu's code/msg); a later one with another secret joins only once Feishu accepts that
 * secret (else FeishuApiError); the last unsubscribe closes it.
 */
export async function subscribeToApp(
	creds: GatewayCredentials,
	subscriber: HubSubscriber,
	opts: SubscribeOptions = {},
): Promise<HubSubscription> {
	const key = connectionKey(creds);
	const conn = await connectionFor(key, creds, opts);
	// Added before the connection is up so no event that arrives right after open is missed.
	const entry: SubscriberEntry = {
		subscriber,
		budgetMs: opts.callbackBudgetMs,
		maxRuns: limitOf(opts.maxConcurrentRuns, DEFAULT_MAX_CONCURRENT_RUNS),
		maxWaiting: limitOf(opts.maxWaitingEvents, DEFAULT_MAX_WAITING_EVENTS),
	};
	conn.subscribers.add(entry);
	applyLimits(conn);
	try {
		await conn.starting;
	} catch (error) {
		conn.subscribers.delete(entry);
		applyLimits(conn);
		if (connections.get(key) === conn) connections.delete(key);
		throw error;
	}
	const joined = conn;
	let active = true;
	return {
		async unsubscribe() {
			if (!active) return;
			active = false;
			joined.subscribers.delete(entry);
			if (joined.subscribers.size > 0) return applyLimits(joined);
			// Removed at once so a new subscriber opens a fresh connection instead of joining a closing one.
			if (connections.get(key) === joined) connections.delete(key);
			// The acks of events whose runs n8n holds go out first (2 s at most), over the open socket.
			await joined.pacer.finish();
			await joined.client.close();
		},
	};
}

/**
 * The app's connection for these credentials. Joining an open one takes the secret it proved or
 * one Feishu accepts now: a credential with the right App ID and a wrong secret must neither read
 * another workflow's events nor break its reconnects. A proven new secret (rotated in the console)
 * is used for the reconnects from then on.
 */
async function connectionFor(key: string, creds: GatewayCredentials, opts: SubscribeOptions): Promise<AppConnection> {
	const fingerprint = secretFingerprint(creds.appSecret);
	for (;;) {
		const conn = connections.get(key);
		if (!conn) return openConnection(key, creds, fingerprint, opts);
		if (conn.secretFingerprint === fingerprint) return conn;
		// Rejects with Feishu's answer (10014 "app secret invalid") for a wrong secret.
		await getTenantAccessToken(creds);
		// The connection may have closed or changed while Feishu answered: decide again.
		if (connections.get(key) !== conn) continue;
		conn.logger.info('Feishu app subscribed with a new, valid app secret; reconnects use it', { appId: creds.appId });
		conn.creds = { ...conn.creds, appSecret: creds.appSecret };
		conn.secretFingerprint = fingerprint;
		conn.client.updateCredentials({ appSecret: creds.appSecret });
		return conn;
	}
}

function openConnection(key: string, creds: GatewayCredentials, secretFingerprint: string, opts: SubscribeOptions): AppConnection {
	const logger = opts.logger ?? silentLogger;
	const conn = {
		key,
		creds: { ...creds },
		secretFingerprint,
		subscribers: new Set(),
		deduper: new EventDeduper(opts.dedupe),
		logger,
		duplicates: 0,
	} as AppConnection;
	conn.trackRun = (done) => conn.pacer.track(done);
	conn.pacer = new EventPacer({
		limit: DEFAULT_MAX_CONCURRENT_RUNS,
		maxWaiting: DEFAULT_MAX_WAITING_EVENTS,
		...opts.acks,
		// Each event's own trackRun: its ack waits for the runs it starts.
		start: (envelope, trackRun) => fanOut(conn, envelope, { frameType: 'event', isCallback: false, trackRun }),
	});
	conn.client = new GatewayClient({
		...opts.gateway,
		credentials: conn.creds,
		logger,
		consumerAcks: true,
		callbackBudgetMs: () => largestBudget(conn),
		onEvent: (envelope, context) => (context.isCallback ? dispatchCallback(conn, envelope, context) : admit(conn, envelope, context)),
		onFatal: (error) => onFatal(conn, error),
	});
	conn.starting = conn.client.start();
	// Each subscriber awaits `starting` itself; this only keeps a rejection from being "unhandled".
	conn.starting.catch(() => undefined);
	connections.set(key, conn);
	return conn;
}

/** Records the event id; true if it was already seen (a redelivery). Without an id there is nothing safe to dedupe on. */
function isDuplicate(conn: AppConnection, envelope: FeishuEnvelope): boolean {
	if (envelope.eventId === undefined || !conn.deduper.seen(envelope.eventId)) return false;
	conn.duplicates++;
	conn.logger.debug('Dropped a redelivered Feishu event', { appId: conn.creds.appId, eventId: envelope.eventId });
	return true;
}

/** A plain event: ack a duplicate at once, pace the rest (acked once n8n holds their runs: eventPacer.ts). */
function admit(conn: AppConnection, envelope: FeishuEnvelope, context: GatewayEventContext): void {
	const ack = context.ack ?? (() => undefined);
	if (isDuplicate(conn, envelope)) {
		// Not acked yet (waiting, or its runs not yet held): that ack goes to this newest delivery.
		if (!conn.pacer.refresh(envelope.eventId!, ack)) ack();
		return;
	}
	if (!conn.pacer.offer(envelope, ack)) {
		// Not kept, so not seen: it must run when Feishu sends it again.
		if (envelope.eventId !== undefined) conn.deduper.forget(envelope.eventId);
		conn.logger.debug('Feishu event left unacked: too many waiting; Feishu redelivers it', { appId: conn.creds.appId, eventId: envelope.eventId });
	}
}

/** A callback is never held (its answer is due within 3 s), but the runs it starts count. */
function dispatchCallback(conn: AppConnection, envelope: FeishuEnvelope, context: GatewayEventContext): unknown {
	if (isDuplicate(conn, envelope)) return undefined;
	return fanOut(conn, envelope, { frameType: context.frameType, isCallback: true, trackRun: conn.trackRun });
}

/**
 * Gives the event to every subscriber. A callback resolves to the first answer; a plain event
 * returns a promise only while some subscriber is still deciding (its ack waits for it).
 */
function fanOut(conn: AppConnection, envelope: FeishuEnvelope, context: HubEventContext): unknown {
	let pending: Promise<unknown>[] | undefined;
	for (const { subscriber } of [...conn.subscribers]) {
		try {
			const result: unknown = subscriber.onEvent(envelope, context);
			if (result && typeof (result as Promise<unknown>).then === 'function') {
				const settled = Promise.resolve(result).catch((error) => {
					logSubscriberError(conn, envelope, error);
					return undefined;
				});
				(pending ??= []).push(settled);
			} else if (result !== undefined && context.isCallback) {
				(pending ??= []).push(Promise.resolve(result));
			}
		} catch (error) {
			logSubscriberError(conn, envelope, error);
		}
	}
	if (!pending) return undefined;
	return context.isCallback ? firstAnswer(pending) : Promise.all(pending);
}

function limitOf(value: number | undefined, fallback: number): number {
	if (value === undefined || !Number.isFinite(value)) return value === Infinity ? Infinity : fallback;
	return value <= 0 ? Infinity : Math.floor(value);
}

/** The connection paces with the largest limits any subscriber asked for (the defaults while none is subscribed). */
function applyLimits(conn: AppConnection): void {
	let runs = 0;
	let waiting = 0;
	for (const entry of conn.subscribers) {
		runs = Math.max(runs, entry.maxRuns);
		waiting = Math.max(waiting, entry.maxWaiting);
	}
	conn.pacer.setLimits(runs || DEFAULT_MAX_CONCURRENT_RUNS, waiting || DEFAULT_MAX_WAITING_EVENTS);
}

/** The largest budget any subscriber asked for (undefined: the client's default). */
function largestBudget(conn: AppConnection): number | undefined {
	let largest: number | undefined;
	for (const { budgetMs: budget } of conn.subscribers) {
		if (budget !== undefined && Number.isFinite(budget) && (largest === undefined || budget > largest)) largest = budget;
	}
	return largest;
}

/** The first non-undefined answer of any subscriber; undefined once all have settled without one. */
function firstAnswer(results: Promise<unknown>[]): Promise<unknown> {
	return new Promise((resolve) => {
		let pending = results.length;
		for (const result of results) {
			void result.then((answer) => {
				if (answer !== undefined) resolve(answer);
				else if (--pending === 0) resolve(undefined);
			});
		}
	});
}

function logSubscriberError(conn: AppConnection, envelope: FeishuEnvelope, error: unknown): void {
	conn.logger.error('Feishu event subscriber failed', {
		appId: conn.creds.appId,
		eventId: envelope.eventId,
		eventType: envelope.eventType,
		error: error instanceof Error ? error.message : String(error),
	});
}

function onFatal(conn: AppConnection, error: FeishuGatewayError): void {
	if (connections.get(conn.key) === conn) connections.delete(conn.key);
	conn.pacer.close();
	const subscribers = [...conn.subscribers];
	conn.subscribers.clear();
	for (const { subscriber } of subscribers) {
		try {
			subscriber.onFatal(error);
		} catch (callbackError) {
			conn.logger.error('Feishu subscriber onFatal failed', { appId: conn.creds.appId, error: String(callbackError) });
		}
	}
}

export interface HubAppStats {
	appId: string;
	baseUrl: string;
	subscribers: number;
	connected: boolean;
	deviceId?: string;
	duplicatesDropped: number;
	/** Runs in flight and events waiting for room (see eventPacer.ts). */
	pacing: EventPacerStats;
	gateway: GatewayStats;
	/** Effective timings (Feishu's ClientConfig, validated, plus overrides). */
	timings: ReturnType<GatewayClient['currentTimings']>;
}

export function hubStats(): { apps: HubAppStats[] } {
	return {
		apps: [...connections.values()].map((conn) => {
			const gateway = conn.client.stats();
			return {
				appId: conn.creds.appId,
				baseUrl: conn.creds.baseUrl,
				subscribers: conn.subscribers.size,
				connected: gateway.connected,
				deviceId: gateway.deviceId,
				duplicatesDropped: conn.duplicates,
				pacing: conn.pacer.stats(),
				gateway,
				timings: conn.client.currentTimings(),
			};
		}),
	};
}

/** Closes every connection (process shutdown, tests). Subscribers are not notified. */
export async function closeAllConnections(): Promise<void> {
	const all = [...connections.values()];
	connections.clear();
	for (const conn of all) conn.pacer.close();
	await Promise.all(all.map((conn) => conn.client.close()));
}
