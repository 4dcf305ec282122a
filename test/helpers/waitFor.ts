// Polling for a condition, shared by every suite (each keeps its own default timeout and interval).

export type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/** Polls `fn` until it returns a truthy value; an error thrown by `fn` counts as "not yet" and is named on timeout. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 5000, everyMs = 20): Promise<Truthy<T>> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		try {
			const value = await fn();
			if (value) return value as Truthy<T>;
		} catch (error) {
			lastError = error;
		}
		if (Date.now() > deadline) {
			const cause = lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` : '';
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
		}
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

/**
 * Polls `count` until it reaches `target` (a burst drained): fails at `timeoutMs`, or as soon as the
 * count has not moved for `stuckMs`, with `detail()` (e.g. n8n's log tail) in the message.
 */
export async function untilCount(
	what: string,
	count: () => number | Promise<number>,
	target: number,
	opts: { timeoutMs: number; stuckMs?: number; everyMs?: number; detail?: () => string },
): Promise<void> {
	const { timeoutMs, stuckMs = 90_000, everyMs = 1000 } = opts;
	const deadline = Date.now() + timeoutMs;
	let last = -1;
	let lastChange = Date.now();
	for (;;) {
		const n = await count();
		if (n >= target) return;
		if (n !== last) {
			last = n;
			lastChange = Date.now();
		}
		const detail = () => (opts.detail ? `\n${opts.detail()}` : '');
		if (Date.now() - lastChange > stuckMs) throw new Error(`stuck at ${n} of ${target} ${what}${detail()}`);
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms at ${n} of ${target} ${what}${detail()}`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}
