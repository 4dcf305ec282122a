// Reassembly of fragmented long-connection payloads (docs/protocol.md, "Fragments"): fragments of one
// logical message share `message_id`; `sum` is the fragment count and `seq` the 0-based index.
// Only the fragment that completes a message is returned (its frame is the one acked); partial
// messages expire ~10 s after their first fragment. Everything is bounded because the input
// comes from the network.
import { type Frame, getHeader } from './frames';
import { after, type Timer } from './timers';

export class FragmentError extends Error {
	constructor(message: string) {
		super(`Invalid fragment: ${message}`);
		this.name = 'FragmentError';
	}
}

export interface FragmentAssemblerOptions {
	/** A partial message is dropped this long after its first fragment. Default 10 000 ms. */
	ttlMs?: number;
	/** Largest accepted `sum`. Default 1024. */
	maxFragments?: number;
	/** Bytes held by all partial messages together. Default 32 MiB. */
	maxPendingBytes?: number;
	/**
	 * Fragments held by all partial messages together. Default 8192. Each costs ~200 bytes of
	 * bookkeeping that maxPendingBytes (payload bytes) does not see.
	 */
	maxPendingFragments?: number;
	/** Partial messages held at once; the oldest is dropped beyond this. Default 256. */
	maxPendingMessages?: number;
	now?: () => number;
}

export type FragmentResult =
	| { complete: true; payload: Buffer; frame: Frame }
	| { complete: false };

interface Pending {
	sum: number;
	slots: (Buffer | undefined)[];
	filled: number;
	bytes: number;
	firstAt: number;
}

const INTEGER = /^(0|[1-9][0-9]{0,9})$/;

function parseIndex(value: string | undefined, name: string): number {
	if (value === undefined) return name === 'sum' ? 1 : 0; // unfragmented frames may omit both
	if (!INTEGER.test(value)) throw new FragmentError(`${name} "${value.slice(0, 20)}" is not a non-negative integer`);
	return Number(value);
}

// Its own memory, not the pool: a pooled copy would share (and could pin) an 8 KiB slab.
function ownCopy(view: Buffer): Buffer {
	const copy = Buffer.allocUnsafeSlow(view.length);
	view.copy(copy);
	return copy;
}

export class FragmentAssembler {
	private readonly ttlMs: number;
	private readonly maxFragments: number;
	private readonly maxPendingBytes: number;
	private readonly maxPendingMessages: number;
	private readonly maxPendingFragments: number;
	private readonly now: () => number;
	private readonly pending = new Map<string, Pending>();
	private heldBytes = 0;
	private heldFragments = 0;
	private sweepTimer: Timer | undefined;
	/** Partial messages dropped by expiry or by the bounds. */
	expired = 0;

	constructor(opts: FragmentAssemblerOptions = {}) {
		this.ttlMs = opts.ttlMs ?? 10_000;
		this.maxFragments = opts.maxFragments ?? 1024;
		this.maxPendingBytes = opts.maxPendingBytes ?? 32 * 1024 * 1024;
		this.maxPendingMessages = opts.maxPendingMessages ?? 256;
		this.maxPendingFragments = opts.maxPendingFragments ?? 8192;
		this.now = opts.now ?? Date.now;
	}

	/** Adds one data frame; throws FragmentError on inconsistent sum/seq (the message is dropped). */
	add(frame: Frame): FragmentResult {
		const sum = parseIndex(getHeader(frame, 'sum'), 'sum');
		const seq = parseIndex(getHeader(frame, 'seq'), 'seq');
		if (sum < 1) throw new FragmentError('sum must be at least 1');
		if (sum > this.maxFragments) throw new FragmentError(`sum ${sum} exceeds ${this.maxFragments}`);
		if (seq >= sum) throw new FragmentError(`seq ${seq} is not below sum ${sum}`);
		// decodeFrame's copy, which may sit in Buffer's shared pool: fine to hand on at once, but a
		// stored fragment is copied into memory of its own (below) so it pins no pool slab.
		const bytes = frame.payload ?? new Uint8Array(0);
		const payload = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		if (sum === 1) return { complete: true, payload, frame };

		const messageId = getHeader(frame, 'message_id');
		if (!messageId) throw new FragmentError('fragmented frame without message_id');
		const now = this.now();
		this.sweep(now);
		let entry = this.pending.get(messageId);
		if (entry && entry.sum !== sum) {
			this.drop(messageId);
			throw new FragmentError(`sum changed from ${entry.sum} to ${sum} for one message`);
		}
		if (!entry) {
			entry = { sum, slots: new Array(sum), filled: 0, bytes: 0, firstAt: now };
			this.pending.set(messageId, entry);
			while (this.pending.size > this.maxPendingMessages) {
				this.drop(this.pending.keys().next().value as string);
				this.expired++;
			}
			this.startSweep();
		}
		const previous = entry.slots[seq];
		const completes = !previous && entry.filled + 1 === sum;
		const delta = payload.length - (previous?.length ?? 0);
		if (this.heldBytes + delta > this.maxPendingBytes) {
			this.drop(messageId);
			throw new FragmentError('pending fragments exceed the size bound');
		}
		if (completes) {
			const slots = entry.slots;
			slots[seq] = payload;
			this.drop(messageId);
			return { complete: true, payload: Buffer.concat(slots as Buffer[]), frame };
		}
		if (!previous && this.heldFragments >= this.maxPendingFragments) {
			this.drop(messageId);
			throw new FragmentError('pending fragments exceed the count bound');
		}
		if (!previous) {
			entry.filled++;
			this.heldFragments++;
		}
		entry.slots[seq] = ownCopy(payload); // a repeated seq replaces the earlier copy
		entry.bytes += delta;
		this.heldBytes += delta;
		return { complete: false };
	}

	get pendingMessages(): number {
		return this.pending.size;
	}

	/** Payload bytes held by partial messages (what maxPendingBytes bounds). */
	get pendingBytes(): number {
		return this.heldBytes;
	}

	/** Drops everything and stops the sweep timer. */
	clear(): void {
		this.pending.clear();
		this.heldBytes = 0;
		this.heldFragments = 0;
		this.stopSweep();
	}

	private drop(messageId: string): void {
		const entry = this.pending.get(messageId);
		if (!entry) return;
		this.pending.delete(messageId);
		this.heldBytes -= entry.bytes;
		this.heldFragments -= entry.filled;
	}

	private sweep(now: number): void {
		// Insertion order is first-fragment order, so expired entries sit at the front.
		for (const [messageId, entry] of this.pending) {
			if (now - entry.firstAt < this.ttlMs) break;
			this.drop(messageId);
			this.expired++;
		}
	}

	// Armed when a partial message arrives, and left to fire even if that message completes first:
	// it re-arms only while something is pending. Cancelling it each time the last partial message
	// completes would cost a timer per fragmented event (n8n-workflow's sleep is not cheap).
	private startSweep(): void {
		if (this.sweepTimer) return;
		this.sweepTimer = after(Math.max(50, Math.min(this.ttlMs, 10_000)), () => {
			this.sweepTimer = undefined;
			this.sweep(this.now());
			if (this.pending.size > 0) this.startSweep();
		});
	}

	private stopSweep(): void {
		this.sweepTimer?.cancel();
		this.sweepTimer = undefined;
	}
}
