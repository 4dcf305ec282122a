// Contacts (contact/v3) as Feishu documents them (docs/protocol.md, "Chats and users" and "Contacts"):
// one user, a batch of users, user ids by email or mobile, a department's children and its users.
// Requests are checked against schemas/contact_v3.json first; what a tenant token may read is the
// app's contact scope (contactModel.ts; by default the whole tenant).
import {
	checkContactRequest,
	childDepartments,
	contactError,
	departmentInScope,
	departmentUsers,
	findDepartment,
	findUser,
	queryValue,
	ROOT_DEPARTMENT,
	userIdOf,
	userInScope,
	userStatus,
	userView,
	departmentView,
	type DepartmentIdType,
	type UserIdType,
} from './contactModel';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import { fieldViolation, pageOf } from './paging';
import type { Router } from './http';
import type { SandboxState, UserRecord } from './state';

export { ROOT_DEPARTMENT };

/** find_by_department and children: pages of 10 by default, at most 50. */
const PAGE = { defaultSize: 10, maxSize: 50 };
/** users/batch: at most 50 ids; batch_get_id: at most 50 emails and 50 mobiles. */
export const CONTACT_LIMITS = { batchUsers: 50, emails: 50, mobiles: 50 } as const;

/** One page; a page_token the sandbox never issued is the contact service's 40012. */
function page<T>(items: T[], ctx: ApiContext) {
	try {
		return pageOf(items, ctx.query, PAGE);
	} catch (e) {
		if (e instanceof ApiError && (e.detail.field_violations as { field: string }[] | undefined)?.some((v) => v.field === 'page_token')) throw contactError('badPageToken');
		throw e;
	}
}

/** A department the app may read, by the request's department_id_type (unknown ones are out of scope too). */
function readableDepartment(state: SandboxState, ctx: ApiContext, id: string): string {
	const type = queryValue<DepartmentIdType>(ctx, 'department_id_type', 'open_department_id');
	const d = findDepartment(state, type, id);
	const openId = d === ROOT_DEPARTMENT ? ROOT_DEPARTMENT : d?.openDepartmentId;
	if (!openId || !departmentInScope(state, ctx.app, openId)) throw contactError('noDeptAuthority');
	return openId;
}

/** Mainland numbers may come without +86 (Feishu's batch_get_id page). */
const normalMobile = (m: string) => (/^1\d{10}$/.test(m) ? `+86${m}` : m);

export function registerContactApi(router: Router, api: OpenApi, state: SandboxState): void {
	const deptType = (ctx: ApiContext) => queryValue<DepartmentIdType>(ctx, 'department_id_type', 'open_department_id');
	const readableUser = (ctx: ApiContext, type: UserIdType, id: string): UserRecord => {
		const user = findUser(state, type, id);
		if (!user || !userInScope(state, ctx.app, user)) throw contactError('noUserAuthority');
		return user;
	};

	api.route(router, 'GET', '/open-apis/contact/v3/users/find_by_department', async (ctx) => {
		await checkContactRequest(ctx, 'contact.v3.user.findByDepartment');
		const department = readableDepartment(state, ctx, ctx.query.get('department_id') ?? '');
		const p = page(departmentUsers(state, department), ctx);
		return { data: { ...p, items: p.items.map((u) => userView(state, u, deptType(ctx))) } };
	});

	api.route(router, 'GET', '/open-apis/contact/v3/users/batch', async (ctx) => {
		await checkContactRequest(ctx, 'contact.v3.user.batch');
		const ids = ctx.query.getAll('user_ids');
		if (ids.length > CONTACT_LIMITS.batchUsers) throw fieldViolation('user_ids', `user_ids must have at most ${CONTACT_LIMITS.batchUsers} items`);
		const type = queryValue<UserIdType>(ctx, 'user_id_type', 'open_id');
		const users = ids.map((id) => readableUser(ctx, type, id));
		return { data: { items: users.map((u) => userView(state, u, deptType(ctx))) } };
	});

	api.route(router, 'POST', '/open-apis/contact/v3/users/batch_get_id', async (ctx) => {
		const body = await checkContactRequest(ctx, 'contact.v3.user.batchGetId');
		const emails = (body.emails as string[] | undefined) ?? [];
		const mobiles = (body.mobiles as string[] | undefined) ?? [];
		if (emails.length > CONTACT_LIMITS.emails) throw fieldViolation('emails', `emails must have at most ${CONTACT_LIMITS.emails} items`);
		if (mobiles.length > CONTACT_LIMITS.mobiles) throw fieldViolation('mobiles', `mobiles must have at most ${CONTACT_LIMITS.mobiles} items`);
		const type = queryValue<UserIdType>(ctx, 'user_id_type', 'open_id');
		// Nobody found, out of scope or resigned (without include_resigned): the entry comes back without an id.
		const found = (match: (u: UserRecord) => boolean) =>
			[...state.users.values()].find((u) => match(u) && userInScope(state, ctx.app, u) && (!u.resigned || body.include_resigned === true));
		const entry = (key: 'email' | 'mobile', value: string, u: UserRecord | undefined) => ({ [key]: value, ...(u ? { user_id: userIdOf(u, type), status: userStatus(u) } : {}) });
		const userList = [
			...emails.map((e) => entry('email', e, found((u) => u.email.toLowerCase() === e.toLowerCase()))),
			...mobiles.map((m) => entry('mobile', m, found((u) => u.mobile !== undefined && normalMobile(u.mobile) === normalMobile(m)))),
		];
		return { data: { user_list: userList } };
	});

	api.route(router, 'GET', '/open-apis/contact/v3/users/:user_id', async (ctx) => {
		await checkContactRequest(ctx, 'contact.v3.user.get');
		const user = readableUser(ctx, queryValue<UserIdType>(ctx, 'user_id_type', 'open_id'), ctx.params.user_id);
		return { data: { user: userView(state, user, deptType(ctx)) } };
	});

	api.route(router, 'GET', '/open-apis/contact/v3/departments/:department_id/children', async (ctx) => {
		await checkContactRequest(ctx, 'contact.v3.department.children');
		const parent = readableDepartment(state, ctx, ctx.params.department_id);
		const p = page(childDepartments(state, parent, ctx.query.get('fetch_child') === 'true'), ctx);
		return { data: { ...p, items: p.items.map((d) => departmentView(state, d, deptType(ctx))) } };
	});
}
