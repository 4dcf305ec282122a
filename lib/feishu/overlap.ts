// Working on one answer while the next request is on the wire. Requests that must go one at a time
// (Feishu's writes to one table, a list's next page) leave the client idle for the whole round trip;
// the CPU work on the previous answer can fill it. The work has to wait until the request has been
// written: an HTTP client dispatches it through promise callbacks and process.nextTick, which all
// run before the next timer, so work done straight away would hold the request back instead.
import { FeishuApiError } from './errors';
import { MAX_PAGES, type PageFetcher } from './paging';
import { delay } from './timers';

/** Resolves on a later turn of the event loop, once the requests started so far have gone out. */
export async function nextTurn(): Promise<void> {
	await delay(0);
}

const ignore = (): void => undefined;

/**
 * collectPages with `convert` applied to each item: page k's items are converted while page k+1 is
 * fetched. Same pages, limit and errors as collectPages; a conversion that throws does not stop the
 * walk (the pages are read as before) and its error is thrown once the last page is in.
 */
export async function collectConvertedPages<T, U>(fetchPage: PageFetcher<T>, convert: (item: T) => U, limit?: number): Promise<U[]> {
	const out: U[] = [];
	let failed: { error: unknown } | undefined;
	const take = (items: readonly T[]) => {
		if (failed) return;
		try {
			for (let k = 0; k < items.length; k++) out.push(convert(items[k]));
		} catch (error) {
			failed = { error };
		}
	};
	const seen = new Set<string>();
	let taken = 0;
	let res = await fetchPage(undefined);
	for (let page = 1; ; page++) {
		let items = res.items ?? [];
		// As collectPages: the limit is checked as each item is added.
		const full = limit !== undefined && items.length > 0 && taken + items.length >= limit;
		if (full) items = items.slice(0, Math.max(1, limit - taken));
		taken += items.length;
		if (full || !res.has_more) {
			take(items);
			break;
		}
		const next = res.page_token;
		if (!next || seen.has(next)) throw new FeishuApiError(-1, `Feishu said there are more items but sent ${next ? 'a page_token it sent before' : 'no page_token'}`);
		seen.add(next);
		if (page >= MAX_PAGES) throw new FeishuApiError(-1, `stopped after ${MAX_PAGES} pages`);
		const pending = fetchPage(next);
		// Handled here so a failure while this turn's conversion runs is not an unhandled rejection; awaited below.
		pending.catch(ignore);
		if (items.length) {
			await nextTurn();
			take(items);
		}
		res = await pending;
	}
	if (failed) throw failed.error;
	return out;
}
