// A chat's or a thread's message history (docs/protocol.md, "Message history"), page by page.
import type { FeishuApiClient } from './apiClient';
import { FeishuValidationError } from './errors';
import type { FeishuMessage } from './messages';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';
import { requireId } from './paths';

/** Feishu's largest page of messages. */
export const HISTORY_PAGE_MAX = 50;
export const CONTAINER_ID_TYPES = ['chat', 'thread'] as const;
export const HISTORY_SORT_TYPES = ['ByCreateTimeAsc', 'ByCreateTimeDesc'] as const;

export interface HistoryQuery {
	containerIdType: string;
	/** A chat_id (oc_…) or a thread_id (omt_…). */
	containerId: string;
	/** Chats only: from this time (a Date, an ISO date, or Unix seconds). */
	startTime?: string | number | Date;
	/** Chats only: up to this time, inclusive. */
	endTime?: string | number | Date;
	sortType?: string;
}

/** A time bound as Feishu's Unix-seconds string; a number or digits are already seconds. */
export function unixSeconds(field: string, v: string | number | Date | undefined): string | undefined {
	if (v === undefined || v === '') return undefined;
	const s = v instanceof Date ? v.getTime() / 1000 : typeof v === 'number' || /^\d+$/.test(v) ? Number(v) : Date.parse(v) / 1000;
	if (!Number.isFinite(s) || s < 0) throw new FeishuValidationError(field, `"${String(v)}" is not a date or a Unix timestamp in seconds`);
	return String(Math.floor(s));
}

function historyQuery(q: HistoryQuery) {
	if (!(CONTAINER_ID_TYPES as readonly string[]).includes(q.containerIdType)) throw new FeishuValidationError('container_id_type', 'should be "chat" or "thread"');
	const sortType = q.sortType || 'ByCreateTimeAsc';
	if (!(HISTORY_SORT_TYPES as readonly string[]).includes(sortType)) throw new FeishuValidationError('sort_type', `should be one of ${HISTORY_SORT_TYPES.join(', ')}`);
	const start = unixSeconds('start_time', q.startTime);
	const end = unixSeconds('end_time', q.endTime);
	// Feishu refuses a time range for threads; say so before asking.
	if (q.containerIdType === 'thread' && (start || end)) throw new FeishuValidationError('start_time', 'a time range works for chats only, not threads');
	return { container_id_type: q.containerIdType, container_id: requireId('container_id', q.containerId), start_time: start, end_time: end, sort_type: sortType };
}

/** One page of history. */
export async function listMessagesPage(client: FeishuApiClient, p: HistoryQuery & { pageToken?: string; pageSize?: number }): Promise<FeishuPage<FeishuMessage>> {
	return client.request({ method: 'GET', path: '/open-apis/im/v1/messages', query: { ...historyQuery(p), page_token: p.pageToken, page_size: p.pageSize ?? HISTORY_PAGE_MAX } });
}

/** Every message of the chat or thread in range, or the first `limit`. */
export async function listMessages(client: FeishuApiClient, p: HistoryQuery & { limit?: number }): Promise<FeishuMessage[]> {
	historyQuery(p);
	const pageSize = pageSizeFor(p.limit, HISTORY_PAGE_MAX);
	return collectPages((pageToken) => listMessagesPage(client, { ...p, pageToken, pageSize }), p.limit);
}
