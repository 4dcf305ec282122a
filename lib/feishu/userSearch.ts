// Search Users (docs/protocol.md, "Search Users"): `GET /open-apis/search/v1/user`, with a
// user_access_token only. It finds, by name, the users of the tenant the signed-in user can see
// (not external or resigned ones); paged with page_size 1..200 (default 20) and page_token, the
// results under `users` rather than the usual `items`.
import type { FeishuApiClient } from './apiClient';
import { FeishuValidationError } from './errors';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';

export const USER_SEARCH_PATH = '/open-apis/search/v1/user';
export const USER_SEARCH_PAGE_MAX = 200;

export interface FeishuFoundUser {
	open_id: string;
	/** Only for custom apps with the "Obtain user ID" scope. */
	user_id?: string;
	name?: string;
	department_ids?: string[];
	avatar?: Record<string, string>;
	[key: string]: unknown;
}

function queryOf(query: string): string {
	const q = String(query ?? '').trim();
	if (!q) throw new FeishuValidationError('query', 'is required: the name (or part of it) to search for');
	return q;
}

/** One page of the users whose name matches `query`. */
export async function searchUsersPage(client: FeishuApiClient, p: { query: string; pageToken?: string; pageSize?: number }): Promise<FeishuPage<FeishuFoundUser>> {
	const data = await client.request<{ users?: FeishuFoundUser[]; has_more?: boolean; page_token?: string }>({
		method: 'GET',
		path: USER_SEARCH_PATH,
		query: { query: queryOf(p.query), page_size: p.pageSize ?? USER_SEARCH_PAGE_MAX, page_token: p.pageToken },
	});
	return { items: data.users ?? [], has_more: data.has_more, page_token: data.page_token };
}

/** Every matching user, or the first `limit`. */
export async function searchUsers(client: FeishuApiClient, p: { query: string; limit?: number }): Promise<FeishuFoundUser[]> {
	const query = queryOf(p.query);
	const pageSize = pageSizeFor(p.limit, USER_SEARCH_PAGE_MAX);
	return collectPages((pageToken) => searchUsersPage(client, { query, pageToken, pageSize }), p.limit);
}
