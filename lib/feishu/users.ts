// Users of the tenant (contact/v3), as far as the app's contact scope reaches (docs/protocol.md,
// "Chats and users"). Department "0" is the root: with the whole tenant in scope, everyone.
import type { FeishuApiClient } from './apiClient';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';
import { pathId, seg } from './paths';

const USERS = '/open-apis/contact/v3/users';
/** Feishu's largest page for find_by_department. */
export const USER_PAGE_MAX = 50;
export const ROOT_DEPARTMENT = '0';

export interface FeishuUser {
	open_id: string;
	union_id?: string;
	user_id?: string;
	name?: string;
	en_name?: string;
	email?: string;
	avatar?: Record<string, string>;
	department_ids?: string[];
	[key: string]: unknown;
}

/** One page of the users directly in a department (the root by default). */
export async function listDepartmentUsersPage(
	client: FeishuApiClient,
	p: { departmentId?: string; pageToken?: string; pageSize?: number } = {},
): Promise<FeishuPage<FeishuUser>> {
	return client.request({
		method: 'GET',
		path: `${USERS}/find_by_department`,
		query: { department_id: p.departmentId ?? ROOT_DEPARTMENT, user_id_type: 'open_id', page_token: p.pageToken, page_size: p.pageSize ?? USER_PAGE_MAX },
	});
}

/** Every user directly in a department, or the first `limit`. */
export async function listDepartmentUsers(client: FeishuApiClient, p: { departmentId?: string; limit?: number } = {}): Promise<FeishuUser[]> {
	const pageSize = pageSizeFor(p.limit, USER_PAGE_MAX);
	return collectPages((pageToken) => listDepartmentUsersPage(client, { departmentId: p.departmentId, pageToken, pageSize }), p.limit);
}

/** One user by open_id. */
export async function getUser(client: FeishuApiClient, p: { openId: string }): Promise<FeishuUser> {
	const id = pathId('user_id', p.openId);
	const data = await client.request<{ user: FeishuUser }>({ method: 'GET', path: `${USERS}/${seg(id)}`, query: { user_id_type: 'open_id' } });
	return data.user;
}
