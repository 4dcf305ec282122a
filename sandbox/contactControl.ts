// Control routes for the directory (docs/protocol.md, "Contacts"): tests and the demo add departments
// and set an app's contact scope; people are added with POST /_sandbox/users (control.ts).
import { appFrom, bad, type ControlDeps } from './controlContext';
import { ROOT_DEPARTMENT } from './contactModel';
import { sendJson, type Router } from './http';
import { stableHex } from './ids';
import type { DepartmentRecord, SandboxState } from './state';

export function departmentJson(d: DepartmentRecord) {
	return { open_department_id: d.openDepartmentId, department_id: d.departmentId, name: d.name, parent_department_id: d.parentOpenId };
}

/** Open department ids from a control body: each must name a department ("0" allowed when `root`). */
export function departmentIdsFrom(state: SandboxState, v: unknown, root: boolean): string[] | string {
	if (v === undefined) return [];
	if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return 'department_ids must be an array of open_department_ids';
	for (const id of v) if (!(state.departments.has(id) || (root && id === ROOT_DEPARTMENT))) return `unknown department ${id}`;
	return v;
}

export function registerContactControl(router: Router, d: ControlDeps): void {
	const { state } = d;
	let order = 0;
	const addDepartment = (name: string, parent: string, departmentId?: string): DepartmentRecord => {
		const dept: DepartmentRecord = {
			openDepartmentId: `od-${stableHex(`dept:${parent}:${name}`)}`,
			departmentId: departmentId || `D${stableHex(`dept-id:${parent}:${name}`, 6)}`,
			name,
			parentOpenId: parent,
			createdAt: ++order,
		};
		state.departments.set(dept.openDepartmentId, dept);
		return dept;
	};

	// A department under the root or another one (body: name, parent_department_id?, department_id?).
	router.add('POST', '/_sandbox/departments', async (ctx) => {
		const b = await ctx.json();
		if (typeof b.name !== 'string' || !b.name.trim()) return bad(ctx, 'name is required');
		const parent = typeof b.parent_department_id === 'string' && b.parent_department_id ? b.parent_department_id : ROOT_DEPARTMENT;
		if (parent !== ROOT_DEPARTMENT && !state.departments.has(parent)) return bad(ctx, `unknown parent department ${parent}`);
		sendJson(ctx.res, 200, departmentJson(addDepartment(b.name.trim(), parent, typeof b.department_id === 'string' ? b.department_id : undefined)));
	});

	// A small directory to try the Contact operations on: Engineering (with Platform) and Sales, two people in each.
	router.add('POST', '/_sandbox/directory/sample', (ctx) => {
		const eng = addDepartment('Engineering', ROOT_DEPARTMENT, 'ENG');
		const platform = addDepartment('Platform', eng.openDepartmentId, 'PLATFORM');
		const sales = addDepartment('Sales', ROOT_DEPARTMENT, 'SALES');
		const people: [string, string, DepartmentRecord][] = [
			['Grace Hopper', '+8613800138001', eng],
			['Linus Torvalds', '+8613800138002', platform],
			['Ada Lovelace', '+8613800138003', platform],
			['Mary Kay', '+12125550123', sales],
		];
		const users = people.map(([name, mobile, dept]) => {
			const user = state.userBy('email', `${name.split(' ')[0].toLowerCase()}@sandbox.example`, name);
			user.mobile = mobile;
			user.departmentIds = [dept.openDepartmentId];
			return { open_id: user.openId, name, email: user.email, mobile, open_department_id: dept.openDepartmentId };
		});
		sendJson(ctx.res, 200, { departments: [eng, platform, sales].map(departmentJson), users });
	});

	// An app's contact scope (body: department_ids, user_ids: open ids); `{"all":true}` restores the whole tenant.
	router.add('PUT', '/_sandbox/apps/:app_id/contact-scope', async (ctx) => {
		const app = appFrom(state, ctx, ctx.params.app_id);
		if (!app) return;
		const b = await ctx.json();
		if (b.all === true) {
			state.contactScopes.delete(app.appId);
			return sendJson(ctx.res, 200, { app_id: app.appId, all: true });
		}
		const departments = departmentIdsFrom(state, b.department_ids, false);
		if (typeof departments === 'string') return bad(ctx, departments);
		const users = Array.isArray(b.user_ids) ? b.user_ids.filter((x: unknown): x is string => typeof x === 'string') : [];
		state.contactScopes.set(app.appId, { departments: new Set(departments), users: new Set(users) });
		sendJson(ctx.res, 200, { app_id: app.appId, department_ids: departments, user_ids: users });
	});
}
