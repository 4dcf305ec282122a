// The event ids a trigger ran lately, in a compact string that survives a restart when the caller
// keeps it somewhere persistent (the n8n glue keeps it in the workflow's static data, which n8n 1.x
// saves on every emit). Feishu redelivers an event it saw no ack for at 15 s, 5 min, 1 h and 6 h
// (docs/protocol.md), so an id is worth keeping for about 7.5 h; the count is bounded too, because
// the whole string is written on every event.

/** Feishu's redelivery schedule spans 15 s + 5 min + 1 h + 6 h; a margin on top. */
export const REDELIVERY_WINDOW_MS = 7.5 * 60 * 60 * 1000;
/** Ids kept at most (about 24 characters each when serialised). */
export const DEFAULT_MAX_RECENT_EVENT_IDS = 1000;
// Feishu's event ids are 32 random hex characters; 16 of them (64 bits) cannot collide among a
// thousand in practice, and halve what is written.
const ID_CHARS = 16;

export interface RecentEventIdsOptions {
	max?: number;
	windowMs?: number;
}

export class RecentEventIds {
	/** Short id → when it was recorded (epoch seconds), oldest first. */
	private readonly ids = new Map<string, number>();
	private readonly max: number;
	private readonly windowMs: number;

	constructor(opts: RecentEventIdsOptions = {}) {
		this.max = Math.max(1, opts.max ?? DEFAULT_MAX_RECENT_EVENT_IDS);
		this.windowMs = opts.windowMs ?? REDELIVERY_WINDOW_MS;
	}

	/** Reads what `serialize` wrote; anything malformed is skipped (a hand-edited or foreign value). */
	static parse(value: unknown, opts: RecentEventIdsOptions = {}): RecentEventIds {
		const recent = new RecentEventIds(opts);
		if (typeof value !== 'string') return recent;
		for (const entry of value.split(',')) {
			const dot = entry.indexOf('.');
			if (dot <= 0) continue;
			const seconds = parseInt(entry.slice(dot + 1), 36);
			if (Number.isFinite(seconds)) recent.record(entry.slice(0, dot), seconds * 1000);
		}
		recent.prune(Date.now());
		return recent;
	}

	get size(): number {
		return this.ids.size;
	}

	/** True if `eventId` was recorded within the window. */
	has(eventId: string, now = Date.now()): boolean {
		const at = this.ids.get(shortId(eventId));
		return at !== undefined && now - at * 1000 < this.windowMs;
	}

	/** Records `eventId` as run now; drops ids past the window, then the oldest past `max`. */
	add(eventId: string, now = Date.now()): void {
		this.record(shortId(eventId), now);
		this.prune(now);
	}

	serialize(): string {
		const parts: string[] = [];
		for (const [id, seconds] of this.ids) parts.push(`${id}.${seconds.toString(36)}`);
		return parts.join(',');
	}

	private record(id: string, atMs: number): void {
		// Re-recorded ids move to the end, so the map stays oldest first.
		this.ids.delete(id);
		this.ids.set(id, Math.floor(atMs / 1000));
	}

	private prune(now: number): void {
		for (const [id, seconds] of this.ids) {
			if (this.ids.size <= this.max && now - seconds * 1000 < this.windowMs) break;
			this.ids.delete(id);
		}
	}
}

function shortId(eventId: string): string {
	// Only the separators need keeping out; ids from Feishu are hex.
	return eventId.replace(/[.,]/g, '_').slice(0, ID_CHARS);
}
