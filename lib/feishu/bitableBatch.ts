// Batch writes of any size over Feishu's per-request cap (docs/protocol.md, "Bitable"): the
// entries go in chunks of at most the cap, one request at a time (Feishu refuses concurrent writes to
// one table, 1254291, and the client already waits out rate limits). A batch is all or nothing, so
// when Feishu refuses a chunk because of one record's value, the chunk is split in halves and each
// half sent again, down to the single record, which then fails on its own: every other record lands,
// and each entry gets its own result. An error that is not about one record (permissions, a missing
// table, the network) fails the chunk and every chunk after it, unsent.
import { FeishuApiError } from './errors';

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
	if (!Number.isInteger(size) || size < 1) throw new Error(`batch size ${size}`);
	const outcomes: BatchOutcome<R>[] = [];
	let stopped: unknown;
	const attempt = async (chunk: readonly BatchEntry<T>[]): Promise<void> => {
		if (stopped !== undefined) {
			for (const e of chunk) outcomes.push({ index: e.index, ok: false, error: stopped });
			return;
		}
		stats.requests++;
		try {
			const results = await send(chunk.map((e) => e.payload));
			if (results.length !== chunk.length) throw new FeishuApiError(-1, `Feishu answered ${results.length} records for ${chunk.length} sent`);
			chunk.forEach((e, i) => outcomes.push({ index: e.index, ok: true, result: results[i] }));
		} catch (error) {
			if (!isRecordError(error)) {
				stopped = error;
				for (const e of chunk) outcomes.push({ index: e.index, ok: false, error });
				return;
			}
			if (chunk.length === 1) {
				outcomes.push({ index: chunk[0].index, ok: false, error });
				return;
			}
			stats.splits++;
			const half = Math.ceil(chunk.length / 2);
			await attempt(chunk.slice(0, half));
			await attempt(chunk.slice(half));
		}
	};
	for (let at = 0; at < entries.length; at += size) await attempt(entries.slice(at, at + size));
	// Back into the entries' order: each outcome to its entry's position (no sort over the whole batch).
	const position = new Map(entries.map((e, i) => [e.index, i]));
	const ordered: BatchOutcome<R>[] = new Array(outcomes.length);
	for (const o of outcomes) ordered[position.get(o.index)!] = o;
	return ordered;
}
