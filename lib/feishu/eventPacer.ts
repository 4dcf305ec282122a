// Paces one app's events into the runs they start, so that a burst (a busy group, the redelivery
// wave after an outage) never hands the engine more work than it can take: at most `limit` runs are
// in flight; further events wait in arrival order, *unacked*.
//
// When an event is acked: once n8n holds what it started. An acked event is ours alone to keep,
// and until n8n has recorded its execution it is only in our memory, so a `kill -9` would lose it
// (measured before this rule: 9 of 600 acked events lost to three kill -9s in test/e2e/crash-recovery.test.ts). So an event that started runs is
// acked when each of them has ended (n8n has then written the execution), or at its ack deadline,
// whichever comes first: `ackDeadlineMs` after it arrived (Feishu wants the ack within 3 s), but
// never sooner than `minHoldMs` after it started, so that n8n has had time to record the run.
// An event that starts no run (filtered out, a dropped redelivery) is acked as soon as its
// subscribers have decided. docs/ARCHITECTURE.md, "Pacing bursts" and "When an event is acked".
//
// Why waiting events stay unacked: Feishu still holds them and redelivers them, so a crash loses
// nothing Feishu has not still got. A redelivery of an event that is waiting or started but not
// yet acked only replaces the ack to send (the newest delivery is the one Feishu is waiting on);
// the caller's dedupe window keeps it from running twice. Past `maxWaiting`, events are refused:
// not acked, not kept, for Feishu to deliver again later.
import { DeadlineQueue, monotonicNow } from './deadlineQueue';
import type { FeishuEnvelope } from './envelope';

/** Feishu wants the ack within 3 s of its push; 1 s is left for the network and Feishu's clock. */
export const DEFAULT_ACK_DEADLINE_MS = 2000;
/** The least time n8n gets, from the trigger's emit, to record a run before a deadline ack. */
export const DEFAULT_MIN_HOLD_MS = 1000;

export interface EventPacerOptions {
	/** Most runs in flight; Infinity for no limit. Changed later with setLimits. */
	limit: number;
	/** Most events waiting for room; beyond it events are refused (left unacked). */
	maxWaiting: number;
	/**
	 * Hands an admitted event to its subscribers; they call `track` for every run they start (the
	 * event is acked once those have ended). A returned promise: they are still deciding (e.g. a
	 * first bot look-up), and the event is not acked before it settles.
	 */
	start(envelope: FeishuEnvelope, track: (done: PromiseLike<unknown>) => void): unknown;
	/** A tracked run whose end never arrives stops counting after this long. Default 10 min. */
	runLeaseMs?: number;
	/** From arrival to the latest ack of an event whose runs are still going. Default 2000. */
	ackDeadlineMs?: number;
	/** From start to the earliest deadline ack. Default 1000. */
	minHoldMs?: number;
}

export interface EventPacerStats {
	inFlight: number;
	waiting: number;
	/** Events started whose ack waits for their runs (or their deadline). */
	unacked: number;
	/** Events that had to wait for room, in all. */
	waited: number;
	/** Events refused because the waiting line was full (left for Feishu to redeliver). */
	refused: number;
	/** Events acked at their deadline, before their runs had ended. */
	ackedAtDeadline: number;
	/** Longest wait, receipt to start, in ms. */
	longestWaitMs: number;
}

interface Waiting {
	envelope: FeishuEnvelope;
	ack: () => void;
	since: number;
}

/** A started event whose ack waits: for `pending` to reach 0 or for its deadline. */
interface Held {
	eventId: string | undefined;
	ack: () => void;
	pending: number;
	acked: boolean;
}

const DEFAULT_RUN_LEASE_MS = 10 * 60 * 1000;
const isThenable = (value: unknown): value is PromiseLike<unknown> =>
	typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';

export class EventPacer {
	private inFlight = 0;
	// A FIFO with a moving head: shift() on a long array is O(n).
	private line: (Waiting | undefined)[] = [];
	private head = 0;
	/** Waiting and started-but-unacked events by id, for refresh(). */
	private readonly byId = new Map<string, Waiting | Held>();
	/** Tracked runs in flight, in start order, each until its lease runs out. */
	private readonly leases: DeadlineQueue<object>;
	/** Started events not yet acked, in start order, each until its ack deadline. */
	private readonly holds: DeadlineQueue<Held>;
	private closed = false;
	/** Set by finish(): no new events; resolved when the last started event is acked. */
	private finishing: { resolve: () => void; promise: Promise<void> } | undefined;
	private readonly counters = { waited: 0, refused: 0, ackedAtDeadline: 0, longestWaitMs: 0 };
	private limit: number;
	private maxWaiting: number;
	private readonly leaseMs: number;
	private readonly ackDeadlineMs: number;
	private readonly minHoldMs: number;

	constructor(private readonly opts: EventPacerOptions) {
		this.leaseMs = opts.runLeaseMs ?? DEFAULT_RUN_LEASE_MS;
		this.ackDeadlineMs = opts.ackDeadlineMs ?? DEFAULT_ACK_DEADLINE_MS;
		this.minHoldMs = opts.minHoldMs ?? DEFAULT_MIN_HOLD_MS;
		this.limit = opts.limit;
		this.maxWaiting = opts.maxWaiting;
		this.leases = new DeadlineQueue(() => this.release());
		this.holds = new DeadlineQueue((held) => {
			this.counters.ackedAtDeadline++;
			this.acknowledge(held);
		});
	}

	/** New limits (a subscriber came or went); waiting events start at once if the limit grew. */
	setLimits(limit: number, maxWaiting: number): void {
		this.limit = limit;
		this.maxWaiting = maxWaiting;
		this.drain();
	}

	/**
	 * Takes an event the caller has not seen before. Starts it now when there is room, else keeps it
	 * waiting; either way it is acked once n8n holds its runs. False: refused, not acked, not kept.
	 */
	offer(envelope: FeishuEnvelope, ack: () => void): boolean {
		if (this.closed || this.finishing) return false;
		const entry: Waiting = { envelope, ack, since: monotonicNow() };
		if (this.waitingCount === 0 && this.hasRoom()) {
			this.begin(entry);
			return true;
		}
		if (this.waitingCount >= this.maxWaiting) {
			this.counters.refused++;
			return false;
		}
		this.line.push(entry);
		if (envelope.eventId !== undefined) this.byId.set(envelope.eventId, entry);
		this.counters.waited++;
		return true;
	}

	/** A redelivery of an event not yet acked (waiting or started): its ack goes to this newest delivery. */
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
		const lease = {};
		this.leases.add(lease, monotonicNow() + this.leaseMs);
		// Ended already, by its lease or by close(), if it is no longer queued.
		const end = () => {
			if (this.leases.delete(lease)) this.release();
		};
		Promise.resolve(done).then(end, end);
	}

	/**
	 * A graceful end (the connection is about to close): takes no new event, drops the waiting ones
	 * unacked (Feishu redelivers them, to the next connection), and resolves once every started event
	 * has been acked, as its runs end or at its deadline (about 2 s at most), then closes. So a
	 * graceful restart leaves Feishu nothing to redeliver that n8n already ran.
	 */
	finish(): Promise<void> {
		if (this.closed) return Promise.resolve();
		if (!this.finishing) {
			let resolve!: () => void;
			const promise = new Promise<void>((r) => (resolve = r));
			this.finishing = { resolve, promise };
			for (let i = this.head; i < this.line.length; i++) {
				const id = this.line[i]?.envelope.eventId;
				if (id !== undefined) this.byId.delete(id);
			}
			this.line = [];
			this.head = 0;
			this.settleFinish();
		}
		return this.finishing.promise;
	}

	/**
	 * Drops every waiting event and every started one not yet acked (unacked: Feishu redelivers
	 * them, and the dedupe n8n keeps drops those whose runs it already has) and stops counting.
	 */
	close(): void {
		this.closed = true;
		this.finishing?.resolve();
		this.leases.clear();
		this.holds.clear();
		this.line = [];
		this.head = 0;
		this.byId.clear();
	}

	stats(): EventPacerStats {
		const { waited, refused, ackedAtDeadline, longestWaitMs } = this.counters;
		return { inFlight: this.inFlight, waiting: this.waitingCount, unacked: this.holds.size, waited, refused, ackedAtDeadline, longestWaitMs };
	}

	private get waitingCount(): number {
		return this.line.length - this.head;
	}

	private hasRoom(): boolean {
		return this.inFlight < this.limit;
	}

	private begin(entry: Waiting): void {
		const eventId = entry.envelope.eventId;
		const held: Held = { eventId, ack: entry.ack, pending: 1, acked: false };
		if (eventId !== undefined) this.byId.set(eventId, held);
		const settle = () => {
			if (--held.pending === 0) this.acknowledge(held);
		};
		const track = (done: PromiseLike<unknown>) => {
			this.track(done);
			if (this.closed) return;
			held.pending++;
			Promise.resolve(done).then(settle, settle);
		};
		// The event holds a place while its subscribers have it; the runs they start are tracked
		// synchronously, so a burst cannot overshoot the limit. Its subscribers run now rather than on
		// a later tick: deferred, the rest of a socket read's events would wait behind places held by
		// events whose runs had not even started, and events kept waiting outlive the young
		// generation (measured: old-space growth and mark-compacts in the middle of a burst).
		this.inFlight++;
		try {
			const deciding = this.opts.start(entry.envelope, track);
			if (isThenable(deciding) && !this.closed) {
				held.pending++;
				Promise.resolve(deciding).then(settle, settle);
			}
		} finally {
			// Not release(): its drain would recurse through begin for every waiting event.
			if (!this.closed) this.inFlight--;
		}
		if (this.closed) return;
		settle();
		if (!held.acked) this.holds.add(held, Math.max(entry.since + this.ackDeadlineMs, monotonicNow() + this.minHoldMs));
	}

	private acknowledge(held: Held): void {
		if (held.acked || this.closed) return;
		held.acked = true;
		this.holds.delete(held);
		if (held.eventId !== undefined && this.byId.get(held.eventId) === held) this.byId.delete(held.eventId);
		held.ack();
		this.settleFinish();
	}

	private settleFinish(): void {
		if (this.finishing && this.holds.size === 0) this.close();
	}

	private release(): void {
		if (this.closed) return;
		this.inFlight--;
		this.drain();
	}

	private drain(): void {
		if (this.closed || this.finishing) return;
		while (this.waitingCount > 0 && this.hasRoom()) {
			const entry = this.line[this.head]!;
			this.line[this.head++] = undefined;
			if (entry.envelope.eventId !== undefined && this.byId.get(entry.envelope.eventId) === entry) this.byId.delete(entry.envelope.eventId);
			this.counters.longestWaitMs = Math.max(this.counters.longestWaitMs, monotonicNow() - entry.since);
			this.begin(entry);
		}
		if (this.head >= 1024 && this.head * 2 >= this.line.length) {
			this.line = this.line.slice(this.head);
			this.head = 0;
		}
	}
}
