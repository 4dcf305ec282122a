// Contacts (contact/v3/users) as Feishu documents them (docs/protocol.md, "Chats and users"): the
// sandbox tenant has one department, the root ("0"), and the app's contact scope is the whole tenant.
import { ApiError, type OpenApi } from './openApi';
import { oneOf, pageOf } from './paging';
import type { Router } from './http';
import type { SandboxState, UserRecord } from './state';

const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
const DEPARTMENT_ID_TYPES = ['open_department_id', 'department_id'] as const;
const PAGE = { defaultSize: 10, maxSize: 50 };

export const ROOT_DEPARTMENT = '0';

function userInfo(u: UserRecord) {
	return {
		open_id: u.openId,
		union_id: u.unionId,
		user_id: u.userId,
		name: u.name,
		en_name: u.name,
		email: u.email,
		avatar: { avatar_72: `https://sandbox.invalid/user/${u.openId}.png` },
		department_ids: [ROOT_DEPARTMENT],
		status: { is_activated: true, is_frozen: false, is_resigned: false },
	};
}

export function registerContactApi(router: Router, api: OpenApi, state: SandboxState): void {
	api.route(router, 'GET', '/open-apis/contact/v3/users/find_by_department', (ctx) => {
		oneOf(ctx.query, 'user_id_type', USER_ID_TYPES, 'open_id');
		oneOf(ctx.query, 'department_id_type', DEPARTMENT_ID_TYPES, 'open_department_id');
		const department = ctx.query.get('department_id');
		if (department !== ROOT_DEPARTMENT) throw new ApiError(403, 40004, 'no dept authority error');
		const users = [...state.users.values()].sort((a, b) => a.name.localeCompare(b.name) || a.openId.localeCompare(b.openId));
		const page = pageOf(users, ctx.query, PAGE);
		return { data: { ...page, items: page.items.map(userInfo) } };
	});

	api.route(router, 'GET', '/open-apis/contact/v3/users/:user_id', (ctx) => {
		const idType = oneOf(ctx.query, 'user_id_type', USER_ID_TYPES, 'open_id');
		const id = ctx.params.user_id;
		const user = [...state.users.values()].find((u) => (idType === 'open_id' ? u.openId : idType === 'union_id' ? u.unionId : u.userId) === id);
		if (!user) throw new ApiError(400, 41050, 'no user authority error');
		return { data: { user: userInfo(user) } };
	});
}
