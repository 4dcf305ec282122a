// A bounded "have I seen this event id?" window. Feishu redelivers an event whose ack it missed
// (at 15 s, 5 min, 1 h, 6 h: docs/protocol.md, "Webhook timing and retries"), so the default window covers ~7 h of ids.
// Ids sit in a Map for look-up and in a ring in arrival order for eviction, so both expiry and the
// count cap drop the oldest in O(1). (Evicting through the Map's own order is O(deleted) per call in
// V8: iteration walks over the holes deletions leave at the front, which made a full window
// quadratic.) The ring allocates nothing per id once grown: a window that churns all day should add
// as little as possible to the old generation, whose collections pause the event loop mid-burst.
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
	// Times are kept relative to this, so they stay small integers (V8 boxes larger numbers
	// held in a Map, one heap object per id).
	private readonly epoch: number;
	/** Stored key → its slot in the ring. */
	private readonly slotOf = new Map<string, number>();
	// A ring of recorded keys in arrival order, oldest at `head`; it grows by doubling up to maxEntries.
	private keys: (string | undefined)[] = new Array(64);
	private times = new Float64Array(64);
	private head = 0;
	private count = 0;

	constructor(opts: EventDeduperOptions = {}) {
		this.windowMs = opts.windowMs ?? 8 * 60 * 60 * 1000;
		this.maxEntries = Math.max(1, opts.maxEntries ?? 20_000);
		this.now = opts.now ?? Date.now;
		this.epoch = this.now();
	}

	/** True if `key` was already seen within the window; otherwise records it and returns false. */
	seen(id: string): boolean {
		const key = storedKey(id);
		const now = this.now() - this.epoch;
		while (this.count > 0 && now - this.times[this.head] >= this.windowMs) this.dropOldest();
		const slot = this.slotOf.get(key);
		// Whatever is still in the ring is within the window: expired records were dropped above.
		if (slot !== undefined) return true;
		if (this.count >= this.maxEntries) this.dropOldest();
		else if (this.count === this.keys.length) this.grow();
		const at = (this.head + this.count) % this.keys.length;
		this.keys[at] = key;
		this.times[at] = now;
		this.slotOf.set(key, at);
		this.count++;
		return false;
	}

	/** Takes back the record of `key` (an event that was refused after all). */
	forget(id: string): void {
		// Its slot stays until it is the oldest; dropOldest then finds it no longer mapped to that slot.
		this.slotOf.delete(storedKey(id));
	}

	get size(): number {
		return this.slotOf.size;
	}

	clear(): void {
		this.slotOf.clear();
		this.keys = new Array(64);
		this.times = new Float64Array(64);
		this.head = 0;
		this.count = 0;
	}

	private dropOldest(): void {
		const key = this.keys[this.head]!;
		// A key forgotten and recorded again later has a newer slot: only its own slot removes it.
		if (this.slotOf.get(key) === this.head) this.slotOf.delete(key);
		this.keys[this.head] = undefined;
		this.head = (this.head + 1) % this.keys.length;
		this.count--;
	}

	private grow(): void {
		const size = Math.min(this.keys.length * 2, this.maxEntries);
		const keys: (string | undefined)[] = new Array(size);
		const times = new Float64Array(size);
		for (let i = 0; i < this.count; i++) {
			const from = (this.head + i) % this.keys.length;
			keys[i] = this.keys[from];
			times[i] = this.times[from];
			this.slotOf.set(keys[i]!, i);
		}
		this.keys = keys;
		this.times = times;
		this.head = 0;
	}
}
