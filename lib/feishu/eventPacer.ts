// Paces one app's events into the runs they start, so that a burst (a busy group, the redelivery
// wave after an outage) never hands the engine more work than it can take: at most `limit` runs are
// in flight; further events wait in arrival order, *unacked*, and are acked when they start.
//
// Why unacked: an acked event is ours alone to keep, and a waiting event is only in memory. Left
// unacked, Feishu still holds it and redelivers it (docs/ARCHITECTURE.md, "Pacing bursts"), so a
// crash loses nothing Feishu has not still got. A redelivery of an event that is still waiting only
// refreshes the ack to send when it starts (the newest delivery is the one Feishu is waiting on);
// the caller's dedupe window keeps it from running twice. Past `maxWaiting`, events are refused:
// not acked, not kept, for Feishu to deliver again later.
import type { FeishuEnvelope } from './envelope';
import { after, type Timer } from './timers';

export interface EventPacerOptions {
	/** Most runs in flight; Infinity for no limit. Changed later with setLimits. */
	limit: number;
	/** Most events waiting for room; beyond it events are refused (left unacked). */
	maxWaiting: number;
	/** Runs an admitted, acked event; it calls `track` for every run it starts. */
	start(envelope: FeishuEnvelope): void;
	/** A tracked run whose end never arrives stops counting after this long. Default 10 min. */
	runLeaseMs?: number;
}

export interface EventPacerStats {
	inFlight: number;
	waiting: number;
	/** Events that had to wait for room, in all. */
	waited: number;
	/** Events refused because the waiting line was full (left for Feishu to redeliver). */
	refused: number;
	/** Longest wait, receipt to start, in ms. */
	longestWaitMs: number;
}

interface Waiting {
	envelope: FeishuEnvelope;
	ack: () => void;
	since: number;
}

interface Lease {
	startedAt: number;
}

const DEFAULT_RUN_LEASE_MS = 10 * 60 * 1000;

export class EventPacer {
	private inFlight = 0;
	// A FIFO with a moving head: shift() on a long array is O(n).
	private line: (Waiting | undefined)[] = [];
	private head = 0;
	private readonly byId = new Map<string, Waiting>();
	/** Tracked runs in flight, oldest first. */
	private readonly leases = new Set<Lease>();
	private leaseSweep: Timer | undefined;
	private closed = false;
	private readonly counters = { waited: 0, refused: 0, longestWaitMs: 0 };
	private limit: number;
	private maxWaiting: number;

	private readonly leaseMs: number;

	constructor(private readonly opts: EventPacerOptions) {
		this.leaseMs = opts.runLeaseMs ?? DEFAULT_RUN_LEASE_MS;
		this.limit = opts.limit;
		this.maxWaiting = opts.maxWaiting;
	}

	/** New limits (a subscriber came or went); waiting events start at once if the limit grew. */
	setLimits(limit: number, maxWaiting: number): void {
		this.limit = limit;
		this.maxWaiting = maxWaiting;
		this.drain();
	}

	/**
	 * Takes an event the caller has not seen before. Starts it now (acked now) when there is room,
	 * else keeps it waiting (acked when it starts). False: refused, not acked, not kept.
	 */
	offer(envelope: FeishuEnvelope, ack: () => void): boolean {
		if (this.closed) return false;
		if (this.waitingCount === 0 && this.hasRoom()) {
			this.begin(envelope, ack);
			return true;
		}
		if (this.waitingCount >= this.maxWaiting) {
			this.counters.refused++;
			return false;
		}
		const entry: Waiting = { envelope, ack, since: Date.now() };
		this.line.push(entry);
		if (envelope.eventId !== undefined) this.byId.set(envelope.eventId, entry);
		this.counters.waited++;
		return true;
	}

	/** A redelivery of an event that is still waiting: ack this newest delivery when it starts. */
	refresh(eventId: string, ack: () => void): boolean {
		const entry = this.byId.get(eventId);
		if (!entry) return false;
		entry.ack = ack;
		return true;
	}

	/** Counts a run as in flight until `done` settles (or its lease runs out). */
	track(done: PromiseLike<unknown>): void {
		if (this.closed) return;
		this.inFlight++;
		const run: Lease = { startedAt: Date.now() };
		this.leases.add(run);
		this.armLeaseSweep();
		const end = () => {
			// Ended already, by its lease or by close().
			if (!this.leases.delete(run)) return;
			// No timer left behind once nothing runs (it would hold the process open).
			if (this.leases.size === 0) {
				this.leaseSweep?.cancel();
				this.leaseSweep = undefined;
			}
			this.release();
		};
		Promise.resolve(done).then(end, end);
	}

	/** Drops every waiting event (unacked: Feishu redelivers them) and stops counting. */
	close(): void {
		this.closed = true;
		this.leaseSweep?.cancel();
		this.leaseSweep = undefined;
		this.leases.clear();
		this.line = [];
		this.head = 0;
		this.byId.clear();
	}

	stats(): EventPacerStats {
		return { inFlight: this.inFlight, waiting: this.waitingCount, ...this.counters };
	}

	private get waitingCount(): number {
		return this.line.length - this.head;
	}

	private hasRoom(): boolean {
		return this.inFlight < this.limit;
	}

	private begin(envelope: FeishuEnvelope, ack: () => void): void {
		// The ack goes out first: the WebSocket writes it at once. The event holds a place while its
		// subscribers have it; the runs they start are tracked synchronously, so a burst cannot
		// overshoot the limit. Its subscribers run now rather than on a later tick: deferred, the rest
		// of a socket read's events would wait behind places held by events whose runs had not even
		// started, and events kept waiting outlive the young generation (measured: old-space growth
		// and mark-compacts in the middle of a burst).
		this.inFlight++;
		ack();
		try {
			if (!this.closed) this.opts.start(envelope);
		} finally {
			// Not release(): its drain would recurse through begin for every waiting event.
			if (!this.closed) this.inFlight--;
		}
	}

	// One timer for all leases while any run is in flight, rather than one per run (a timer is not
	// cheap on n8n-workflow's sleep): runs are leased in start order, so the oldest is always first.
	private armLeaseSweep(): void {
		if (this.leaseSweep || this.leases.size === 0) return;
		const oldest = this.leases.values().next().value as Lease;
		this.leaseSweep = after(oldest.startedAt + this.leaseMs - Date.now(), () => {
			this.leaseSweep = undefined;
			if (this.closed) return;
			const now = Date.now();
			for (const run of this.leases) {
				if (now - run.startedAt < this.leaseMs) break;
				this.leases.delete(run);
				this.release();
			}
			this.armLeaseSweep();
		});
	}

	private release(): void {
		if (this.closed) return;
		this.inFlight--;
		this.drain();
	}

	private drain(): void {
		if (this.closed) return;
		while (this.waitingCount > 0 && this.hasRoom()) {
			const entry = this.line[this.head]!;
			this.line[this.head++] = undefined;
			if (entry.envelope.eventId !== undefined) this.byId.delete(entry.envelope.eventId);
			this.counters.longestWaitMs = Math.max(this.counters.longestWaitMs, Date.now() - entry.since);
			this.begin(entry.envelope, entry.ack);
		}
		if (this.head >= 1024 && this.head * 2 >= this.line.length) {
			this.line = this.line.slice(this.head);
			this.head = 0;
		}
	}
}
