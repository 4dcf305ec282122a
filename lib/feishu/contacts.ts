// The Contact resource's calls beyond users.ts (docs/protocol.md, "Contacts"): users by a list of ids,
// user ids by email or mobile, and a department's children. All read-only, all within the app's contact scope.
import type { FeishuApiClient } from './apiClient';
import { FeishuValidationError } from './errors';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';
import { pathId, seg } from './paths';
import { checkIdTypes, type ContactIdTypes, type FeishuUser, USERS } from './users';

const DEPARTMENTS = '/open-apis/contact/v3/departments';
/** Per request: 50 user ids (users/batch), 50 emails and 50 mobiles (batch_get_id). */
export const CONTACT_LIMITS = { userIds: 50, emails: 50, mobiles: 50 } as const;
/** Feishu's largest page of child departments. */
export const DEPARTMENT_PAGE_MAX = 50;

export interface FeishuDepartment {
	name?: string;
	parent_department_id?: string;
	department_id?: string;
	open_department_id?: string;
	member_count?: number;
	[key: string]: unknown;
}

/** One email's or mobile's answer: `user_id` (of the requested type) only when Feishu found someone the app may see. */
export interface FeishuUserIdMatch {
	email?: string;
	mobile?: string;
	user_id?: string;
	status?: Record<string, boolean>;
	[key: string]: unknown;
}

/** A trimmed, de-duplicated list within `max`. */
function listOf(field: string, values: readonly string[] | undefined, max: number): string[] {
	const list = [...new Set((values ?? []).map((v) => v.trim()).filter(Boolean))];
	if (list.length > max) throw new FeishuValidationError(field, `has ${list.length} entries; Feishu takes at most ${max} per request`);
	return list;
}

/** Users by ids of one type, in the order asked (users/batch). */
export async function getUsersByIds(client: FeishuApiClient, p: { userIds: readonly string[] } & ContactIdTypes): Promise<FeishuUser[]> {
	const ids = listOf('user_ids', p.userIds, CONTACT_LIMITS.userIds);
	if (ids.length === 0) throw new FeishuValidationError('user_ids', 'needs at least one ID');
	const data = await client.request<{ items?: FeishuUser[] }>({ method: 'GET', path: `${USERS}/batch`, query: { user_ids: ids, ...checkIdTypes(p) } });
	return data.items ?? [];
}

/** The user id behind each email and mobile (batch_get_id); an entry without `user_id` found nobody the app may see. */
export async function findUserIds(
	client: FeishuApiClient,
	p: { emails?: readonly string[]; mobiles?: readonly string[]; includeResigned?: boolean; userIdType?: string },
): Promise<FeishuUserIdMatch[]> {
	const emails = listOf('emails', p.emails, CONTACT_LIMITS.emails);
	const mobiles = listOf('mobiles', p.mobiles, CONTACT_LIMITS.mobiles);
	if (emails.length + mobiles.length === 0) throw new FeishuValidationError('emails', 'give at least one email or mobile');
	const { user_id_type } = checkIdTypes({ userIdType: p.userIdType });
	const data = await client.request<{ user_list?: FeishuUserIdMatch[] }>({
		method: 'POST',
		path: `${USERS}/batch_get_id`,
		query: { user_id_type },
		body: { ...(emails.length ? { emails } : {}), ...(mobiles.length ? { mobiles } : {}), include_resigned: p.includeResigned === true },
		// A look-up changes nothing: repeating it is harmless.
		repeatable: true,
	});
	return data.user_list ?? [];
}

/** One page of a department's child departments ("0" is the root; `fetchChild`: all levels below). */
export async function listDepartmentChildrenPage(
	client: FeishuApiClient,
	p: { departmentId: string; fetchChild?: boolean; pageToken?: string; pageSize?: number } & ContactIdTypes,
): Promise<FeishuPage<FeishuDepartment>> {
	const id = pathId('department_id', p.departmentId);
	return client.request({
		method: 'GET',
		path: `${DEPARTMENTS}/${seg(id)}/children`,
		query: { ...checkIdTypes(p), fetch_child: p.fetchChild === true ? true : undefined, page_token: p.pageToken, page_size: p.pageSize ?? DEPARTMENT_PAGE_MAX },
	});
}

/** Every child department, or the first `limit`. */
export async function listDepartmentChildren(
	client: FeishuApiClient,
	p: { departmentId: string; fetchChild?: boolean; limit?: number } & ContactIdTypes,
): Promise<FeishuDepartment[]> {
	const pageSize = pageSizeFor(p.limit, DEPARTMENT_PAGE_MAX);
	return collectPages((pageToken) => listDepartmentChildrenPage(client, { ...p, pageToken, pageSize }), p.limit);
}
