// Batch writes of any size over Feishu's per-request cap (docs/protocol.md, "Bitable"): the
// entries go in chunks of at most the cap, one request at a time (Feishu refuses concurrent writes to
// one table, 1254291, and the client already waits out rate limits). A batch is all or nothing, so
// when Feishu refuses a chunk because of one record's value, the chunk is split in halves and each
// half sent again, down to the single record, which then fails on its own: every other record lands,
// and each entry gets its own result. An error that is not about one record (permissions, a missing
// table, the network) fails the chunk and every chunk after it, unsent.
import { FeishuApiError } from './errors';
import { nextTurn } from './overlap';

/** Codes Feishu answers for one record's content: a value the field cannot take, a field or record that does not exist. */
export const BITABLE_RECORD_ERROR_CODES: ReadonlySet<number> = new Set([
	1254015, // field types do not match
	1254043, // RecordIdNotFound
	1254045, // FieldNameNotFound
	1254060, 1254061, 1254062, 1254063, 1254064, 1254065, 1254066, 1254067, 1254068, 1254069, // <type>FieldConvFail
	1254130, // TooLargeCell
	99992402, // field validation failed
]);

export function isRecordError(error: unknown): boolean {
	return error instanceof FeishuApiError && BITABLE_RECORD_ERROR_CODES.has(error.code);
}

export interface BatchEntry<T> {
	/** The caller's key for the entry (the input item's index). */
	index: number;
	payload: T;
}

export type BatchOutcome<R> = { index: number; ok: true; result: R } | { index: number; ok: false; error: unknown };

export interface BatchRun {
	/** Requests sent, splits included. */
	requests: number;
	/** Chunks split after a record error. */
	splits: number;
}

/**
 * Sends `entries` in chunks of at most `size` through `send` (which answers one result per payload,
 * in order) and gives each entry its outcome, in the entries' order.
 */
export async function runBitableBatch<T, R>(
	entries: readonly BatchEntry<T>[],
	size: number,
	send: (payloads: T[]) => Promise<R[]>,
	stats: BatchRun = { requests: 0, splits: 0 },
): Promise<BatchOutcome<R>[]> {
	// Each outcome to its entry's position (no sort over the whole batch).
	const position = new Map(entries.map((e, i) => [e.index, i]));
	const ordered: BatchOutcome<R>[] = new Array(entries.length);
	await streamBitableBatch(entries, size, send, (outcomes) => {
		for (const o of outcomes) ordered[position.get(o.index)!] = o;
	}, stats);
	return ordered;
}

/**
 * runBitableBatch for a caller that takes each chunk's outcomes as they come: `settled` gets those
 * of an answered chunk while the next chunk is on the wire (the caller's work on them overlaps the
 * round trip; nothing of the batch is kept here), the last ones before this resolves. Every entry's
 * outcome comes once, in no promised order. An error `settled` throws does not stop the sending;
 * it is thrown once every chunk is answered.
 */
export async function streamBitableBatch<T, R>(
	entries: readonly BatchEntry<T>[],
	size: number,
	send: (payloads: T[]) => Promise<R[]>,
	settled: (outcomes: BatchOutcome<R>[]) => void,
	stats: BatchRun = { requests: 0, splits: 0 },
): Promise<void> {
	if (!Number.isInteger(size) || size < 1) throw new Error(`batch size ${size}`);
	let unreported: BatchOutcome<R>[] = [];
	let failed: { error: unknown } | undefined;
	const report = () => {
		const outcomes = unreported;
		unreported = [];
		if (failed || !outcomes.length) return;
		try {
			settled(outcomes);
		} catch (error) {
			failed = { error };
		}
	};
	// Chunks are ranges [from, to) of `entries`, the next one last: a split puts its two halves in front of the rest.
	const todo: [number, number][] = [];
	for (let from = Math.floor((entries.length - 1) / size) * size; from >= 0; from -= size) todo.push([from, Math.min(from + size, entries.length)]);
	let stopped: { error: unknown } | undefined;
	while (todo.length) {
		const [from, to] = todo.pop()!;
		if (stopped) {
			for (let at = from; at < to; at++) unreported.push({ index: entries[at].index, ok: false, error: stopped.error });
			continue;
		}
		stats.requests++;
		const payloads: T[] = [];
		for (let at = from; at < to; at++) payloads.push(entries[at].payload);
		let answer: Promise<R[]>;
		try {
			answer = send(payloads);
		} catch (error) {
			answer = Promise.reject(error);
		}
		if (unreported.length) {
			// Handled here so a failure during the caller's work is no unhandled rejection; awaited below.
			answer.catch(() => undefined);
			await nextTurn();
			report();
		}
		try {
			const results = await answer;
			if (results.length !== to - from) throw new FeishuApiError(-1, `Feishu answered ${results.length} records for ${to - from} sent`);
			for (let at = from; at < to; at++) unreported.push({ index: entries[at].index, ok: true, result: results[at - from] });
		} catch (error) {
			if (!isRecordError(error)) {
				stopped = { error };
				for (let at = from; at < to; at++) unreported.push({ index: entries[at].index, ok: false, error });
			} else if (to - from === 1) {
				unreported.push({ index: entries[from].index, ok: false, error });
			} else {
				stats.splits++;
				const half = from + Math.ceil((to - from) / 2);
				todo.push([half, to], [from, half]);
			}
		}
	}
	report();
	if (failed) throw failed.error;
}
