// Users of the tenant (contact/v3), as far as the app's contact scope reaches (docs/protocol.md,
// "Chats and users" and "Contacts"). Department "0" is the root: with the whole tenant in scope, everyone.
import type { FeishuApiClient } from './apiClient';
import { FeishuValidationError } from './errors';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';
import { pathId, requireId, seg } from './paths';

export const USERS = '/open-apis/contact/v3/users';
/** Feishu's largest page for find_by_department. */
export const USER_PAGE_MAX = 50;
export const ROOT_DEPARTMENT = '0';
export const CONTACT_USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
export type ContactUserIdType = (typeof CONTACT_USER_ID_TYPES)[number];
export const DEPARTMENT_ID_TYPES = ['open_department_id', 'department_id'] as const;
export type DepartmentIdType = (typeof DEPARTMENT_ID_TYPES)[number];

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

/** The id types of one contact call, checked (Feishu's defaults when unset). */
export interface ContactIdTypes {
	userIdType?: string;
	departmentIdType?: string;
}

export function checkIdTypes(p: ContactIdTypes): { user_id_type: ContactUserIdType; department_id_type: DepartmentIdType } {
	const user = p.userIdType || 'open_id';
	const dept = p.departmentIdType || 'open_department_id';
	if (!(CONTACT_USER_ID_TYPES as readonly string[]).includes(user)) throw new FeishuValidationError('user_id_type', `"${user}" is not one of ${CONTACT_USER_ID_TYPES.join(', ')}`);
	if (!(DEPARTMENT_ID_TYPES as readonly string[]).includes(dept)) throw new FeishuValidationError('department_id_type', `"${dept}" is not one of ${DEPARTMENT_ID_TYPES.join(', ')}`);
	return { user_id_type: user as ContactUserIdType, department_id_type: dept as DepartmentIdType };
}

/** One page of the users directly in a department (the root by default). */
export async function listDepartmentUsersPage(
	client: FeishuApiClient,
	p: { departmentId?: string; pageToken?: string; pageSize?: number } & ContactIdTypes = {},
): Promise<FeishuPage<FeishuUser>> {
	const departmentId = p.departmentId === undefined ? ROOT_DEPARTMENT : requireId('department_id', p.departmentId);
	return client.request({
		method: 'GET',
		path: `${USERS}/find_by_department`,
		query: { department_id: departmentId, ...checkIdTypes(p), page_token: p.pageToken, page_size: p.pageSize ?? USER_PAGE_MAX },
	});
}

/** Every user directly in a department, or the first `limit`. */
export async function listDepartmentUsers(client: FeishuApiClient, p: { departmentId?: string; limit?: number } & ContactIdTypes = {}): Promise<FeishuUser[]> {
	const pageSize = pageSizeFor(p.limit, USER_PAGE_MAX);
	const types = checkIdTypes(p);
	const ids = { userIdType: types.user_id_type, departmentIdType: types.department_id_type };
	return collectPages((pageToken) => listDepartmentUsersPage(client, { departmentId: p.departmentId, pageToken, pageSize, ...ids }), p.limit);
}

/** One user by an id of `userIdType` (open_id by default). */
export async function getUser(client: FeishuApiClient, p: { userId: string } & ContactIdTypes): Promise<FeishuUser> {
	const id = pathId('user_id', p.userId);
	const data = await client.request<{ user: FeishuUser }>({ method: 'GET', path: `${USERS}/${seg(id)}`, query: checkIdTypes(p) });
	return data.user;
}
