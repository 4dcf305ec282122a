// Who gets an event, and what happens when they don't confirm it: cluster mode (one random open
// connection of the app), ack matching by frame message_id + SeqID, redelivery when no code-200 ack
// arrives within the ack timeout, webhook pushes with the platform's retry schedule, and callback
// answers (card.action.trigger) read back from the ack data or the HTTP response.
import type { Frame } from '../lib/feishu/frames';
import { getHeader } from '../lib/feishu/frames';
import type { BuiltEvent } from './events';
import type { Gateway, GatewayConnection } from './gateway';
import type { SandboxLog } from './log';
import type { AppRecord, DeliveryAttempt, DeliveryRecord, SandboxState } from './state';
import { postToWebhook } from './webhookDelivery';

export interface DeliveryOptions {
	ackTimeoutMs: number;
	maxRedeliveries: number;
	fragmentThresholdBytes: number;
	webhookTimeoutMs: number;
	webhookRetryDelaysMs: number[];
	/** How long an event waits for a connection when none is open. */
	undeliveredTtlMs: number;
}

export interface DeliverOptions {
	callback?: boolean;
	fragments?: number;
	shuffleFragments?: boolean;
	/** 'card' imitates a misconfigured callback subscription: the official SDKs drop such frames. */
	frameType?: 'event' | 'card';
}

interface Entry {
	app: AppRecord;
	event: BuiltEvent;
	record: DeliveryRecord;
	opts: DeliverOptions;
	answer: Promise<unknown>;
	resolveAnswer(answer: unknown): void;
	finished: boolean;
	timer?: NodeJS.Timeout;
	waitingSince?: number;
}

interface PendingAck {
	entry: Entry;
	attempt: DeliveryAttempt;
	conn: GatewayConnection;
	seqIds: Set<string>;
	sentAt: number;
}

export class DeliveryEngine {
	private readonly pendingAcks = new Map<string, PendingAck>();
	private readonly waiting: Entry[] = [];
	private readonly timers = new Set<NodeJS.Timeout>();
	private closed = false;
	/** Aborts in-flight webhook pushes on close so the process can exit. */
	private readonly abort = new AbortController();
	gateway!: Gateway;

	constructor(
		private readonly state: SandboxState,
		private readonly log: SandboxLog,
		private readonly opts: DeliveryOptions,
	) {}

	/** Events delivered lately, so that one can be pushed again as Feishu does after a lost ack. */
	private readonly recent = new Map<string, { app: AppRecord; event: BuiltEvent }>();

	/**
	 * Pushes an event delivered before once more, same event_id and body, as a new delivery: what
	 * Feishu does when it never saw the ack (e.g. the process acked and died before it went out).
	 */
	deliverAgain(eventId: string): DeliveryRecord | undefined {
		const sent = this.recent.get(eventId);
		return sent && this.deliver(sent.app, sent.event).record;
	}

	/** Starts delivering; `answer` resolves with the app's callback answer (or undefined). */
	deliver(app: AppRecord, event: BuiltEvent, opts: DeliverOptions = {}): { record: DeliveryRecord; answer: Promise<unknown> } {
		if (!opts.callback) {
			this.recent.set(event.eventId, { app, event });
			if (this.recent.size > 10_000) this.recent.delete(this.recent.keys().next().value as string);
		}
		const record: DeliveryRecord = {
			event_id: event.eventId,
			event_type: event.eventType,
			app_id: app.appId,
			transport: app.delivery.mode,
			callback: !!opts.callback,
			attempts: [],
			acked: false,
			redelivered: false,
			created_at: Date.now(),
		};
		this.state.deliveries.push(record);
		if (this.state.deliveries.length > 5000) this.state.deliveries.splice(0, 1000);
		let resolveAnswer!: (a: unknown) => void;
		const answer = new Promise<unknown>((r) => (resolveAnswer = r));
		const entry: Entry = { app, event, record, opts, answer, resolveAnswer, finished: false };
		this.state.stats.events_sent++;
		this.log.info(`event ${event.eventType} ${event.eventId} -> ${app.appId} (${app.delivery.mode})`);
		this.attempt(entry);
		return { record, answer };
	}

	private attempt(entry: Entry): void {
		if (this.closed || entry.finished) return;
		if (entry.app.delivery.mode === 'webhook') void this.attemptWebhook(entry, entry.app.delivery.url);
		else this.attemptConnection(entry);
	}

	// ---- long connection ----

	private attemptConnection(entry: Entry): void {
		const conns = this.gateway.openConnections(entry.app.appId);
		if (conns.length === 0) {
			if (entry.waitingSince === undefined) {
				entry.waitingSince = Date.now();
				this.waiting.push(entry);
				this.log.info(`event ${entry.event.eventId} waits: no open connection for ${entry.app.appId}`);
				entry.timer = this.later(this.opts.undeliveredTtlMs, () => {
					this.removeWaiting(entry);
					this.finish(entry, `no connection within ${this.opts.undeliveredTtlMs} ms`);
				});
			}
			return;
		}
		// Cluster mode: exactly one random connection, never a broadcast.
		const conn = conns[Math.floor(Math.random() * conns.length)];
		const payload = Buffer.from(JSON.stringify(entry.event.build('')));
		const faults = this.state.faultsFor(entry.app.appId);
		const sent = this.gateway.sendPayload(conn, payload, {
			fragments: entry.opts.fragments,
			fragmentBytes: faults.fragmentBytes ?? this.opts.fragmentThresholdBytes,
			shuffle: entry.opts.shuffleFragments,
			type: entry.opts.frameType,
		});
		const attempt: DeliveryAttempt = { connection_id: conn.id, at: Date.now(), acked: false, fragments: sent.fragments };
		entry.record.attempts.push(attempt);
		if (entry.record.attempts.length > 1) entry.record.redelivered = true;
		this.pendingAcks.set(sent.messageId, { entry, attempt, conn, seqIds: new Set(sent.seqIds), sentAt: Date.now() });
		entry.timer = this.later(this.opts.ackTimeoutMs, () => {
			this.pendingAcks.delete(sent.messageId);
			this.retryOrGiveUp(entry, `no code-200 ack within ${this.opts.ackTimeoutMs} ms`);
		});
	}

	/** An ack frame from a client: match it to what was sent, record it, read the callback answer. */
	onDataFrame(conn: GatewayConnection, frame: Frame): void {
		const messageId = getHeader(frame, 'message_id') ?? '';
		const pending = this.pendingAcks.get(messageId);
		if (!pending || pending.conn.id !== conn.id || !pending.seqIds.has(String(frame.SeqID))) {
			this.state.stats.unmatched_acks++;
			this.log.warn(`ws ${conn.id}: ack for unknown message_id ${messageId || '(none)'} / SeqID ${frame.SeqID} ignored`);
			return;
		}
		let body: { code?: unknown; data?: unknown };
		try {
			body = JSON.parse(Buffer.from(frame.payload ?? []).toString('utf8'));
			if (typeof body !== 'object' || body === null) throw new Error('not an object');
		} catch {
			this.state.stats.malformed_frames++;
			this.log.warn(`ws ${conn.id}: ack payload for ${messageId} is not JSON {"code":...}`);
			return;
		}
		const { entry, attempt } = pending;
		attempt.ack_code = Number(body.code);
		attempt.ack_latency_ms = Date.now() - pending.sentAt;
		if (attempt.ack_code !== 200) {
			this.log.warn(`event ${entry.event.eventId}: ack code ${attempt.ack_code} from ${conn.id}; will redeliver`);
			return; // the ack timer redelivers
		}
		this.pendingAcks.delete(messageId);
		this.log.info(`event ${entry.event.eventId} acked by ${conn.id} in ${attempt.ack_latency_ms} ms${typeof body.data === 'string' && body.data ? ' with an answer' : ''}`);
		attempt.acked = true;
		entry.record.acked = true;
		if (typeof body.data === 'string' && body.data) {
			const text = Buffer.from(body.data, 'base64').toString('utf8');
			try {
				entry.record.answer = JSON.parse(text);
			} catch {
				entry.record.answer = text;
			}
		}
		this.complete(entry);
	}

	onConnectionOpen(conn: GatewayConnection): void {
		const ready = this.waiting.filter((e) => e.app.appId === conn.appId);
		for (const entry of ready) {
			this.removeWaiting(entry);
			if (entry.timer) clearTimeout(entry.timer);
			entry.waitingSince = undefined;
			this.attemptConnection(entry);
		}
	}

	// ---- webhook ----

	private async attemptWebhook(entry: Entry, url: string): Promise<void> {
		const attempt: DeliveryAttempt = { at: Date.now(), acked: false };
		entry.record.attempts.push(attempt);
		if (entry.record.attempts.length > 1) entry.record.redelivered = true;
		this.state.stats.webhook_posts++;
		const result = await postToWebhook(entry.app, url, entry.event.build(entry.app.verificationToken), this.opts.webhookTimeoutMs, this.abort.signal);
		if (this.closed) return;
		attempt.http_status = result.status;
		attempt.ack_latency_ms = result.latencyMs;
		if (result.error) attempt.error = result.error;
		if (result.status === 200) {
			this.log.info(`event ${entry.event.eventId} accepted by webhook in ${result.latencyMs} ms`);
			attempt.acked = true;
			entry.record.acked = true;
			if (result.body !== undefined && result.body !== '') entry.record.answer = result.body;
			this.complete(entry);
			return;
		}
		this.log.warn(`webhook ${url} for ${entry.event.eventId}: ${result.error ?? `HTTP ${result.status}`}`);
		this.retryOrGiveUp(entry, result.error ?? `HTTP ${result.status}`);
	}

	// ---- shared ----

	private retryOrGiveUp(entry: Entry, reason: string): void {
		if (entry.finished || this.closed) return;
		const retries = entry.record.attempts.length - 1;
		const faults = this.state.faultsFor(entry.app.appId);
		// Callbacks are answered once: the user sees an error instead of a retry.
		if (entry.opts.callback || !faults.redelivery || retries >= this.opts.maxRedeliveries) {
			this.finish(entry, reason);
			return;
		}
		if (entry.app.delivery.mode === 'webhook') {
			const delay = this.opts.webhookRetryDelaysMs[Math.min(retries, this.opts.webhookRetryDelaysMs.length - 1)] ?? 0;
			entry.timer = this.later(delay, () => this.attempt(entry));
		} else {
			this.log.info(`event ${entry.event.eventId}: redelivering (${reason})`);
			this.attempt(entry);
		}
	}

	private complete(entry: Entry): void {
		if (entry.timer) clearTimeout(entry.timer);
		entry.finished = true;
		entry.resolveAnswer(entry.record.answer);
	}

	private finish(entry: Entry, reason: string): void {
		if (entry.timer) clearTimeout(entry.timer);
		entry.finished = true;
		entry.record.gave_up = reason;
		this.log.warn(`event ${entry.event.eventId} not confirmed: ${reason}`);
		entry.resolveAnswer(undefined);
	}

	private removeWaiting(entry: Entry): void {
		const i = this.waiting.indexOf(entry);
		if (i >= 0) this.waiting.splice(i, 1);
	}

	private later(ms: number, fn: () => void): NodeJS.Timeout {
		const t = setTimeout(() => {
			this.timers.delete(t);
			try {
				fn();
			} catch (error) {
				this.log.warn(`delivery timer error: ${(error as Error).message}`);
			}
		}, ms);
		t.unref();
		this.timers.add(t);
		return t;
	}

	/** Forget everything in flight (control reset). */
	clear(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.pendingAcks.clear();
		this.recent.clear();
		this.waiting.length = 0;
	}

	close(): void {
		this.closed = true;
		this.abort.abort();
		this.clear();
	}
}
