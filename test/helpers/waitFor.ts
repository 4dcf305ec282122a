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
