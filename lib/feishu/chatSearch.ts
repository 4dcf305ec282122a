// Chat > Search (docs/protocol.md, "Chats and users"): the groups the bot can see (those it is in and
// those public to it) that match a keyword, `GET /open-apis/im/v1/chats/search`, over every page or the
// first `limit` chats. An empty query lists the chats the bot is in.
import type { FeishuApiClient } from './apiClient';
import { CHAT_PAGE_MAX, type FeishuChat, searchChatsPage } from './chats';
import { collectPages, pageSizeFor } from './paging';

export async function searchChats(client: FeishuApiClient, p: { query?: string; limit?: number }): Promise<FeishuChat[]> {
	const pageSize = pageSizeFor(p.limit, CHAT_PAGE_MAX);
	return collectPages((pageToken) => searchChatsPage(client, { query: p.query, pageToken, pageSize }), p.limit);
}
