// The tenant's directory as the contact/v3 endpoints see it (docs/protocol.md, "Contacts"): departments
// under the implicit root "0", the users directly in each, ids of both kinds, and the app's contact
// scope: the departments (with everything under them) and users a tenant token may read.
import { ApiError, type ApiContext } from './openApi';
import { endpointSchema, loadSchemas, validateRequest } from './schemaValidator';
import type { AppRecord, DepartmentRecord, SandboxState, UserRecord } from './state';

export const ROOT_DEPARTMENT = '0';
export const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
export type UserIdType = (typeof USER_ID_TYPES)[number];
export type DepartmentIdType = 'open_department_id' | 'department_id';

/** Feishu's contact/v3 refusals (HTTP status, code, msg as its error tables give them). */
export const CONTACT_ERRORS = {
	noDeptAuthority: [403, 40004, 'no dept authority error'],
	noUserAuthority: [400, 41050, 'no user authority error'],
	badPageToken: [400, 40012, 'page token is invalid error'],
} as const satisfies Record<string, readonly [number, number, string]>;

export function contactError(which: keyof typeof CONTACT_ERRORS): ApiError {
	const [status, code, msg] = CONTACT_ERRORS[which];
	return new ApiError(status, code, msg);
}

/** The contact_v3 schema check of endpoint `name` (99992402 with field_violations); returns the body. */
export async function checkContactRequest(ctx: ApiContext, name: string): Promise<Record<string, unknown>> {
	const endpoint = endpointSchema(loadSchemas('contact_v3'), name);
	const body: Record<string, unknown> = endpoint.data ? await ctx.json() : {};
	validateRequest(endpoint, { path: ctx.params, query: ctx.query, body: endpoint.data ? body : undefined });
	return body;
}

/** An enumerated query parameter the schema already checked, or its default. */
export function queryValue<T extends string>(ctx: ApiContext, name: string, fallback: T): T {
	const v = ctx.query.get(name);
	return (v === null || v === '' ? fallback : v) as T;
}

export const userIdOf = (u: UserRecord, type: UserIdType): string => (type === 'open_id' ? u.openId : type === 'union_id' ? u.unionId : u.userId);

export function findUser(state: SandboxState, type: UserIdType, id: string): UserRecord | undefined {
	for (const u of state.users.values()) if (userIdOf(u, type) === id) return u;
	return undefined;
}

/** The department an id of `type` names ("0" is the root, in either type). */
export function findDepartment(state: SandboxState, type: DepartmentIdType, id: string): DepartmentRecord | typeof ROOT_DEPARTMENT | undefined {
	if (id === ROOT_DEPARTMENT) return ROOT_DEPARTMENT;
	for (const d of state.departments.values()) if ((type === 'open_department_id' ? d.openDepartmentId : d.departmentId) === id) return d;
	return undefined;
}

/** A department's id (an open_department_id or "0") as `type`. */
export function departmentIdAs(state: SandboxState, openId: string, type: DepartmentIdType): string {
	if (openId === ROOT_DEPARTMENT || type === 'open_department_id') return openId;
	return state.departments.get(openId)?.departmentId ?? openId;
}

export const userDepartments = (u: UserRecord): string[] => (u.departmentIds?.length ? u.departmentIds : [ROOT_DEPARTMENT]);

/** The department and every one above it, up to (not including) the root. */
function lineage(state: SandboxState, openId: string): string[] {
	const out: string[] = [];
	for (let id = openId; id !== ROOT_DEPARTMENT && !out.includes(id); ) {
		out.push(id);
		id = state.departments.get(id)?.parentOpenId ?? ROOT_DEPARTMENT;
	}
	return out;
}

/** Whether the app may read the department: the whole tenant is in scope, or it or a parent is. The root needs the whole tenant. */
export function departmentInScope(state: SandboxState, app: AppRecord, openId: string): boolean {
	const scope = state.contactScopes.get(app.appId);
	if (!scope) return true;
	if (openId === ROOT_DEPARTMENT) return false;
	return lineage(state, openId).some((id) => scope.departments.has(id));
}

export function userInScope(state: SandboxState, app: AppRecord, u: UserRecord): boolean {
	const scope = state.contactScopes.get(app.appId);
	if (!scope) return true;
	return scope.users.has(u.openId) || userDepartments(u).some((d) => departmentInScope(state, app, d));
}

/** The departments directly under `parentOpenId`, or (recursive) all below it, parents before children. */
export function childDepartments(state: SandboxState, parentOpenId: string, recursive: boolean): DepartmentRecord[] {
	const all = [...state.departments.values()].sort((a, b) => a.createdAt - b.createdAt);
	const out: DepartmentRecord[] = [];
	const queue = [parentOpenId];
	while (queue.length > 0) {
		const parent = queue.shift()!;
		for (const d of all) {
			if (d.parentOpenId !== parent) continue;
			out.push(d);
			if (recursive) queue.push(d.openDepartmentId);
		}
	}
	return out;
}

/** The active users directly in a department, by name (resigned users are not listed). */
export function departmentUsers(state: SandboxState, openId: string): UserRecord[] {
	return [...state.users.values()]
		.filter((u) => !u.resigned && userDepartments(u).includes(openId))
		.sort((a, b) => a.name.localeCompare(b.name) || a.openId.localeCompare(b.openId));
}

export function userStatus(u: UserRecord) {
	return { is_activated: !u.resigned, is_frozen: false, is_resigned: u.resigned === true, is_exited: false, is_unjoin: false };
}

/** A user as contact/v3 answers it; department ids in `deptType`. */
export function userView(state: SandboxState, u: UserRecord, deptType: DepartmentIdType) {
	return {
		open_id: u.openId,
		union_id: u.unionId,
		user_id: u.userId,
		name: u.name,
		en_name: u.name,
		email: u.email,
		...(u.mobile ? { mobile: u.mobile } : {}),
		avatar: { avatar_72: `https://sandbox.invalid/user/${u.openId}.png` },
		department_ids: userDepartments(u).map((d) => departmentIdAs(state, d, deptType)),
		status: userStatus(u),
	};
}

/** A department as contact/v3 answers it; its ids and its parent's in `deptType`. */
export function departmentView(state: SandboxState, d: DepartmentRecord, deptType: DepartmentIdType) {
	return {
		name: d.name,
		i18n_name: { zh_cn: d.name, en_us: d.name, ja_jp: d.name },
		parent_department_id: departmentIdAs(state, d.parentOpenId, deptType),
		department_id: d.departmentId,
		open_department_id: d.openDepartmentId,
		member_count: departmentUsers(state, d.openDepartmentId).length,
		status: { is_deleted: false },
	};
}
