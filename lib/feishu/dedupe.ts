// A bounded "have I seen this event id?" window. Feishu redelivers an event whose ack it missed
// (at 15 s, 5 min, 1 h, 6 h: feishu-protocol.md §6.6), so the default window covers ~7 h of ids.
// Map insertion order is arrival order, so expiry and the count cap both evict from the front: O(1)
// amortised per call.

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

	constructor(opts: EventDeduperOptions = {}) {
		this.windowMs = opts.windowMs ?? 8 * 60 * 60 * 1000;
		this.maxEntries = Math.max(1, opts.maxEntries ?? 20_000);
		this.now = opts.now ?? Date.now;
	}

	/** True if `key` was already seen within the window; otherwise records it and returns false. */
	seen(key: string): boolean {
		const now = this.now();
		this.evict(now);
		const at = this.seenAt.get(key);
		if (at !== undefined && now - at < this.windowMs) return true;
		// Re-insert so the entry moves to the back of the arrival order.
		this.seenAt.delete(key);
		this.seenAt.set(key, now);
		if (this.seenAt.size > this.maxEntries) this.seenAt.delete(this.seenAt.keys().next().value as string);
		return false;
	}

	get size(): number {
		return this.seenAt.size;
	}

	clear(): void {
		this.seenAt.clear();
	}

	private evict(now: number): void {
		for (const [key, at] of this.seenAt) {
			if (now - at < this.windowMs) break;
			this.seenAt.delete(key);
		}
	}
}
