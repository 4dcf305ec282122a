// Many deadlines, one timer. A timer is not cheap on n8n-workflow's sleep (a promise, an abort
// controller), and the pacer keeps one deadline per run in flight and per unacked event. Their
// deadlines are added in non-decreasing order (start order), so the first entry is always the next
// one due and one timer for it serves them all.

import { after, type Timer } from './timers';

/** A monotonic clock in ms: deadlines must not move when the wall clock is set. */
export const monotonicNow = (): number => performance.now();

export class DeadlineQueue<T> {
	// A Map iterates in insertion order, which is deadline order.
	private readonly due = new Map<T, number>();
	private timer: Timer | undefined;

	constructor(private readonly onDue: (item: T) => void) {}

	get size(): number {
		return this.due.size;
	}

	/** `deadline` (monotonicNow() time) must be no earlier than the last one added; an earlier one waits for it. */
	add(item: T, deadline: number): void {
		this.due.set(item, deadline);
		this.arm();
	}

	/** True if it was waiting; its onDue will not run. */
	delete(item: T): boolean {
		const had = this.due.delete(item);
		// No timer left behind once nothing waits (it would hold the process open).
		if (this.due.size === 0) this.stop();
		return had;
	}

	clear(): void {
		this.due.clear();
		this.stop();
	}

	private stop(): void {
		this.timer?.cancel();
		this.timer = undefined;
	}

	private arm(): void {
		if (this.timer || this.due.size === 0) return;
		const first = this.due.values().next().value as number;
		this.timer = after(first - monotonicNow(), () => {
			this.timer = undefined;
			const now = monotonicNow();
			for (const [item, deadline] of this.due) {
				if (deadline > now) break;
				this.due.delete(item);
				this.onDue(item);
			}
			this.arm();
		});
	}
}
