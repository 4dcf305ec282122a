// A bounded "have I seen this event id?" window. Feishu redelivers an event whose ack it missed
// (at 15 s, 5 min, 1 h, 6 h: feishu-protocol.md §6.6), so the default window covers ~7 h of ids.
// Ids sit in a Map for look-up and in an arrival queue for eviction, so both expiry and the count
// cap drop the oldest in O(1). (Evicting through the Map's own order is O(deleted) per call in V8:
// iteration walks over the holes deletions leave at the front, which made a full window quadratic.)
// Keys come from the network: a long one is kept as its hash, so a held id costs a bounded amount.
import { createHash } from 'node:crypto';

/** Keys longer than this are stored as a SHA-256 digest (Feishu's event ids are 32 characters). */
export const MAX_DEDUPE_KEY_CHARS = 128;

function storedKey(key: string): string {
	return key.length <= MAX_DEDUPE_KEY_CHARS ? key : `sha256:${createHash('sha256').update(key, 'utf8').digest('base64')}`;
}

export interface EventDeduperOptions {
	/** How long an id is remembered. Default 8 h. */
	windowMs?: number;
	/** At most this many ids are remembered (oldest evicted first). Default 20 000. */
	maxEntries?: number;
	/** Clock, for tests. */
	now?: () => number;
}

export class EventDeduper {
	private readonly windowMs: number;
	private readonly maxEntries: number;
	private readonly now: () => number;
	private readonly seenAt = new Map<string, number>();
	// Arrival queue: ids and their times from `head` on; the consumed front is cut off now and then.
	private queueIds: string[] = [];
	private queueTimes: number[] = [];
	private head = 0;

	constructor(opts: EventDeduperOptions = {}) {
		this.windowMs = opts.windowMs ?? 8 * 60 * 60 * 1000;
		this.maxEntries = Math.max(1, opts.maxEntries ?? 20_000);
		this.now = opts.now ?? Date.now;
	}

	/** True if `key` was already seen within the window; otherwise records it and returns false. */
	seen(id: string): boolean {
		const key = storedKey(id);
		const now = this.now();
		while (this.head < this.queueIds.length && now - this.queueTimes[this.head] >= this.windowMs) this.dropOldest();
		const at = this.seenAt.get(key);
		if (at !== undefined && now - at < this.windowMs) return true;
		if (at === undefined) while (this.seenAt.size >= this.maxEntries && this.head < this.queueIds.length) this.dropOldest();
		this.seenAt.set(key, now);
		this.queueIds.push(key);
		this.queueTimes.push(now);
		return false;
	}

	/** Takes back the record of `key` (an event that was refused after all). */
	forget(id: string): void {
		// Its place in the arrival queue stays; dropOldest skips ids whose time no longer matches.
		this.seenAt.delete(storedKey(id));
	}

	get size(): number {
		return this.seenAt.size;
	}

	clear(): void {
		this.seenAt.clear();
		this.queueIds = [];
		this.queueTimes = [];
		this.head = 0;
	}

	private dropOldest(): void {
		const key = this.queueIds[this.head];
		const at = this.queueTimes[this.head];
		this.head++;
		// An id recorded again later has a newer time in the Map: only its last record removes it.
		if (this.seenAt.get(key) === at) this.seenAt.delete(key);
		if (this.head >= 1024 && this.head * 2 >= this.queueIds.length) {
			this.queueIds = this.queueIds.slice(this.head);
			this.queueTimes = this.queueTimes.slice(this.head);
			this.head = 0;
		}
	}
}
