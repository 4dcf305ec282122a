// Group chats (im/v1/chats): the chats the bot is in, a search over the chats it can see, and one
// chat's details (docs/protocol.md, "Chats and users").
import type { FeishuApiClient } from './apiClient';
import { FeishuValidationError } from './errors';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';
import { pathId, seg } from './paths';

const CHATS = '/open-apis/im/v1/chats';
/** Feishu's largest page for the chat lists. */
export const CHAT_PAGE_MAX = 100;
/** Longest search query Feishu takes. */
export const CHAT_QUERY_MAX = 64;

/** A chat as the lists return it. */
export interface FeishuChat {
	chat_id: string;
	name?: string;
	avatar?: string;
	description?: string;
	owner_id?: string;
	owner_id_type?: string;
	external?: boolean;
	tenant_key?: string;
	chat_status?: string;
	[key: string]: unknown;
}

export type ChatSort = 'ByCreateTimeAsc' | 'ByActiveTimeDesc';

/** One page of the chats the bot is in. */
export async function listChatsPage(
	client: FeishuApiClient,
	p: { pageToken?: string; pageSize?: number; sortType?: ChatSort } = {},
): Promise<FeishuPage<FeishuChat>> {
	return client.request({ method: 'GET', path: CHATS, query: { page_token: p.pageToken, page_size: p.pageSize ?? CHAT_PAGE_MAX, sort_type: p.sortType } });
}

/** One page of the chats the bot can see whose name matches `query` (all of them for an empty query). */
export async function searchChatsPage(client: FeishuApiClient, p: { query?: string; pageToken?: string; pageSize?: number }): Promise<FeishuPage<FeishuChat>> {
	const query = (p.query ?? '').trim();
	if (query.length > CHAT_QUERY_MAX) throw new FeishuValidationError('query', `is longer than Feishu's ${CHAT_QUERY_MAX} characters`);
	if (!query) return listChatsPage(client, { pageToken: p.pageToken, pageSize: p.pageSize });
	return client.request({ method: 'GET', path: `${CHATS}/search`, query: { query, page_token: p.pageToken, page_size: p.pageSize ?? CHAT_PAGE_MAX } });
}

/** Every chat the bot is in, or the first `limit`. */
export async function listChats(client: FeishuApiClient, p: { limit?: number; sortType?: ChatSort } = {}): Promise<FeishuChat[]> {
	const pageSize = pageSizeFor(p.limit, CHAT_PAGE_MAX);
	return collectPages((pageToken) => listChatsPage(client, { pageToken, pageSize, sortType: p.sortType }), p.limit);
}

/** One chat's details (name, mode, owner, member counts); `chat_id` is added, as Feishu leaves it out. */
export async function getChat(client: FeishuApiClient, p: { chatId: string }): Promise<FeishuChat> {
	const id = pathId('chat_id', p.chatId);
	const data = await client.request<Omit<FeishuChat, 'chat_id'>>({ method: 'GET', path: `${CHATS}/${seg(id)}` });
	return { chat_id: id, ...data };
}
