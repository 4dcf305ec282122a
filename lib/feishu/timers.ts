// Every delay, deadline, ping loop and watchdog of the package goes through here. n8n Cloud runs
// community nodes only if they use no timer globals (its scanner's `no-restricted-globals` rule), so
// the one clock we use is n8n-workflow's abortable sleep, which n8n itself provides at runtime; this
// is the wire layer's only use of n8n-workflow.
import * as workflow from 'n8n-workflow';

type AbortableSleep = (ms: number, signal: AbortSignal) => Promise<void>;

// n8n-workflow 1.x exports `sleepWithAbort(ms, signal)` (its `sleep` takes no signal); 2.x exports
// only `sleep(ms, signal?)`, abortable. Measured: 1.120.31 (n8n 1.123.81) and 2.41.0 (n8n 2.41.1).
const exported = workflow as unknown as { sleepWithAbort?: AbortableSleep; sleep: AbortableSleep };
const sleepWithAbort: AbortableSleep = exported.sleepWithAbort ?? exported.sleep;

/** A pending one-shot timer. */
export interface Timer {
	/** Stops it; the callback will not run. Calling it again does nothing. */
	cancel(): void;
}

const ignore = (): void => undefined;
// Aborting with a reason of our own skips the DOMException (and its stack trace) abort() makes.
const CANCELLED = Object.freeze({ cancelled: true });

/**
 * Runs `fn` once after `ms`, unless cancelled first. Each timer has its own AbortController:
 * 1.x's `sleepWithAbort` adds an abort listener that it never removes, so a shared signal would
 * collect one listener per timer for its whole life.
 */
export function after(ms: number, fn: () => void): Timer {
	const abort = new AbortController();
	sleepWithAbort(Math.max(0, ms), abort.signal).then(() => {
		if (!abort.signal.aborted) fn();
	}, ignore); // rejects only when cancelled
	return { cancel: () => abort.abort(CANCELLED) };
}

/** Resolves true after `ms`, or false as soon as `signal` aborts (at once if it already has). */
export function delay(ms: number, signal?: AbortSignal): Promise<boolean> {
	if (signal?.aborted) return Promise.resolve(false);
	return new Promise((resolve) => {
		const timer = after(ms, () => {
			signal?.removeEventListener('abort', onAbort);
			resolve(true);
		});
		const onAbort = () => {
			timer.cancel();
			resolve(false);
		};
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

/** What `within` gives when the time ran out (or the signal aborted) before the promise settled. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * What `promise` resolves to, or TIMED_OUT once `ms` pass or `signal` aborts, whichever comes first
 * (at once if the signal already has). A rejection rejects. The timer and the abort listener are
 * released as soon as it settles, so a long-lived signal collects no listeners.
 */
export function within<T>(promise: PromiseLike<T>, ms: number, signal?: AbortSignal): Promise<T | typeof TIMED_OUT> {
	if (signal?.aborted) return Promise.resolve(TIMED_OUT);
	return new Promise((resolve, reject) => {
		let settled = false;
		const settle = (): boolean => {
			if (settled) return false;
			settled = true;
			timer.cancel();
			signal?.removeEventListener('abort', onAbort);
			return true;
		};
		const onAbort = () => settle() && resolve(TIMED_OUT);
		const timer = after(ms, onAbort);
		signal?.addEventListener('abort', onAbort, { once: true });
		promise.then(
			(value) => settle() && resolve(value),
			(error: unknown) => settle() && reject(error),
		);
	});
}
