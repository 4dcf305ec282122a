// Pinned messages (docs/protocol.md, "Pins"): pin a message in its chat, unpin it, list a chat's pins
// page by page within a time range. Pinning a pinned message answers the pin already there, so a
// repeated Pin does no harm (repeatable).
import type { FeishuApiClient } from './apiClient';
import { FeishuValidationError } from './errors';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';
import { pathId, seg } from './paths';

const PINS = '/open-apis/im/v1/pins';
/** Feishu's largest page of pins. */
export const PIN_PAGE_MAX = 50;

export interface FeishuPin {
	message_id: string;
	chat_id?: string;
	/** An app's app id (operator_id_type app_id) or a user's open_id (open_id). */
	operator_id?: string;
	operator_id_type?: string;
	/** Milliseconds since the epoch, as a string. */
	create_time?: string;
	[key: string]: unknown;
}

export async function pinMessage(client: FeishuApiClient, p: { messageId: string }): Promise<FeishuPin> {
	const messageId = pathId('message_id', p.messageId);
	const data = await client.request<{ pin?: FeishuPin }>({ method: 'POST', path: PINS, body: { message_id: messageId }, repeatable: true });
	return data.pin ?? { message_id: messageId };
}

export async function unpinMessage(client: FeishuApiClient, p: { messageId: string }): Promise<{ message_id: string }> {
	const messageId = pathId('message_id', p.messageId);
	await client.request({ method: 'DELETE', path: `${PINS}/${seg(messageId)}` });
	return { message_id: messageId };
}

/** A time bound: a Date, an ISO date or milliseconds since the epoch, as Feishu's millisecond string. */
export function msTimestamp(field: string, v: string | number | Date | undefined): string | undefined {
	if (v === undefined || v === '') return undefined;
	const ms = v instanceof Date ? v.getTime() : typeof v === 'number' || /^\d+$/.test(v) ? Number(v) : Date.parse(v);
	if (!Number.isFinite(ms) || ms < 0) throw new FeishuValidationError(field, `"${String(v)}" is not a date or a millisecond timestamp`);
	return String(Math.floor(ms));
}

/** One page of a chat's pins, newest first. */
export async function listPinsPage(
	client: FeishuApiClient,
	p: { chatId: string; startTime?: string | number | Date; endTime?: string | number | Date; pageToken?: string; pageSize?: number },
): Promise<FeishuPage<FeishuPin>> {
	const chatId = pathId('chat_id', p.chatId);
	const query = { chat_id: chatId, start_time: msTimestamp('start_time', p.startTime), end_time: msTimestamp('end_time', p.endTime), page_token: p.pageToken, page_size: p.pageSize ?? PIN_PAGE_MAX };
	return client.request({ method: 'GET', path: PINS, query });
}

/** Every pin of a chat in the time range, or the first `limit`. */
export async function listPins(
	client: FeishuApiClient,
	p: { chatId: string; startTime?: string | number | Date; endTime?: string | number | Date; limit?: number },
): Promise<FeishuPin[]> {
	const pageSize = pageSizeFor(p.limit, PIN_PAGE_MAX);
	return collectPages((pageToken) => listPinsPage(client, { ...p, pageToken, pageSize }), p.limit);
}
