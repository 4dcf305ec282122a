// Feishu's list paging (docs/protocol.md, "Paging"): a list answers `{ items, has_more, page_token }`
// and the next page is asked for with `page_token`. n8n's "Return All" / "Limit" are built on it.
import { FeishuApiError } from './errors';

/** One page of a Feishu list. */
export interface FeishuPage<T> {
	items?: T[];
	has_more?: boolean;
	page_token?: string;
}

/** Fetches one page; `pageToken` is undefined for the first. */
export type PageFetcher<T> = (pageToken: string | undefined) => Promise<FeishuPage<T>>;

/** Bounds a "Return All" walk, so a server that keeps answering `has_more` cannot loop forever. */
export const MAX_PAGES = 1000;

/**
 * The items of every page, or the first `limit` of them. Stops when Feishu says there is no more,
 * and fails clearly when it says there is more but gives no new token (which would repeat a page).
 */
export async function collectPages<T>(fetchPage: PageFetcher<T>, limit?: number): Promise<T[]> {
	const out: T[] = [];
	let token: string | undefined;
	const seen = new Set<string>();
	for (let page = 0; page < MAX_PAGES; page++) {
		const res = await fetchPage(token);
		for (const item of res.items ?? []) {
			out.push(item);
			if (limit !== undefined && out.length >= limit) return out;
		}
		if (!res.has_more) return out;
		const next = res.page_token;
		if (!next || seen.has(next)) throw new FeishuApiError(-1, `Feishu said there are more items but sent ${next ? 'a page_token it sent before' : 'no page_token'}`);
		seen.add(next);
		token = next;
	}
	throw new FeishuApiError(-1, `stopped after ${MAX_PAGES} pages`);
}

/** The page size to ask for: the limit when it is smaller than Feishu's maximum. */
export function pageSizeFor(limit: number | undefined, max: number): number {
	return limit !== undefined && limit > 0 && limit < max ? limit : max;
}
