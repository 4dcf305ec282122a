// The Contact resource through the Feishu node against the sandbox's directory: users by one ID and by a
// list, user IDs by email or mobile, a department's children and members (Return All over more than two
// pages, Limit exact), and the app's contact scope (40004 for departments, 41050 for users outside it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import type { Sandbox } from '../../../sandbox/server';
import { runNode } from '../../helpers/executeContext';
import { APP, apiCalls, control, sandbox } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

const node = new Feishu();
const credentialType = new FeishuApi();
let sb: Sandbox;
let credentials: IDataObject;
type Dept = { open_department_id: string; department_id: string };
type User = { open_id: string; union_id: string; user_id: string };
let eng: Dept, platform: Dept, sales: Dept, big: Dept, crowd: Dept;
let ada: User, ben: User, cleo: User, gone: User;

const dept = (name: string, parent?: Dept, departmentId?: string) =>
	control<Dept>(sb, 'POST', 'departments', { name, parent_department_id: parent?.open_department_id, department_id: departmentId });
const person = (name: string, d: Dept | '0', extra: IDataObject = {}) =>
	control<User>(sb, 'POST', 'users', { name, email: `${name.toLowerCase().replace(/\s+/g, '.')}@example.com`, department_ids: [d === '0' ? '0' : d.open_department_id], ...extra });

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
	// Root ─┬─ Engineering ── Platform
	//       ├─ Sales
	//       ├─ Big (110 sub-departments)
	//       └─ Crowd (120 people)
	eng = await dept('Engineering', undefined, 'ENG');
	platform = await dept('Platform', eng, 'PLAT');
	sales = await dept('Sales');
	big = await dept('Big');
	crowd = await dept('Crowd');
	ada = await person('Ada', eng, { mobile: '+8613800000001' });
	ben = await person('Ben', platform, { mobile: '+12125550100' });
	cleo = await person('Cleo', sales);
	gone = await person('Gone Person', sales, { resigned: true });
	for (let i = 0; i < 110; i++) await dept(`Team ${String(i).padStart(3, '0')}`, big);
	for (let i = 0; i < 120; i++) await person(`Crowd ${String(i).padStart(3, '0')}`, crowd);
});
after(() => sb.close());

const run = (parameters: IDataObject) => runNode({ node, parameters: { resource: 'contact', ...parameters }, credentialType, credentials: credentials as never, typeVersion: 2 });
const items = async (parameters: IDataObject) => {
	const r = await run(parameters);
	assert.ifError(r.error);
	return r.output![0].map((i) => i.json);
};
const refused = async (parameters: IDataObject, code: number) => {
	const r = await run(parameters);
	assert.ok(r.error instanceof NodeApiError, `expected Feishu error ${code}, got ${String(r.error)}`);
	assert.match(r.error.message, new RegExp(`^Feishu error ${code}: `));
};
const callsTo = async (path: string) => (await apiCalls(sb)).filter((c) => c.path === path);

test('Get User: by open_id, union_id or user_id; departments in the Department ID Type; an unknown user is 41050', async () => {
	const [byOpen] = await items({ operation: 'getUser', userId: ada.open_id });
	assert.equal(byOpen.name, 'Ada');
	assert.equal(byOpen.email, 'ada@example.com');
	assert.deepEqual(byOpen.department_ids, [eng.open_department_id]);
	const [byUnion] = await items({ operation: 'getUser', userId: ben.union_id, userIdType: 'union_id', options: { departmentIdType: 'department_id' } });
	assert.equal(byUnion.open_id, ben.open_id);
	assert.deepEqual(byUnion.department_ids, ['PLAT']);
	const [byUserId] = await items({ operation: 'getUser', userId: cleo.user_id, userIdType: 'user_id' });
	assert.equal(byUserId.name, 'Cleo');
	const call = (await apiCalls(sb)).filter((c) => c.path === `/open-apis/contact/v3/users/${cleo.user_id}`).at(-1)!;
	assert.equal(call.query.user_id_type, 'user_id');
	await refused({ operation: 'getUser', userId: 'ou_nobody_here' }, 41050);
});

test('Get Many Users by ID: the users in the order asked, the IDs sent as a repeated user_ids; more than 50 refused before any request', async () => {
	const users = await items({ operation: 'getUsers', userIds: `${cleo.open_id}, ${ada.open_id} ${ben.open_id}` });
	assert.deepEqual(users.map((u) => u.name), ['Cleo', 'Ada', 'Ben']);
	const byUserId = await items({ operation: 'getUsers', userIds: [ada.user_id, ben.user_id], userIdType: 'user_id' });
	assert.deepEqual(byUserId.map((u) => u.open_id), [ada.open_id, ben.open_id]);
	await refused({ operation: 'getUsers', userIds: `${ada.open_id}, ou_nobody_here` }, 41050);

	const before = (await callsTo('/open-apis/contact/v3/users/batch')).length;
	const tooMany = Array.from({ length: 51 }, (_, i) => `ou_many_${i}`).join(',');
	const r = await run({ operation: 'getUsers', userIds: tooMany });
	assert.ok(r.error instanceof NodeOperationError, String(r.error));
	assert.match(r.error.message, /at most 50/);
	assert.equal((await callsTo('/open-apis/contact/v3/users/batch')).length, before, 'nothing sent');
});

test('Find User IDs by Email or Mobile: one item per email and mobile, user_id only where someone was found; resigned users on request', async () => {
	const found = await items({ operation: 'findUserIds', emails: 'ada@example.com, nobody@example.com, gone.person@example.com', mobiles: '13800000001, +12125550100' });
	assert.deepEqual(found, [
		{ email: 'ada@example.com', user_id: ada.open_id, status: { is_activated: true, is_frozen: false, is_resigned: false, is_exited: false, is_unjoin: false } },
		{ email: 'nobody@example.com' },
		{ email: 'gone.person@example.com' },
		{ mobile: '13800000001', user_id: ada.open_id, status: { is_activated: true, is_frozen: false, is_resigned: false, is_exited: false, is_unjoin: false } },
		{ mobile: '+12125550100', user_id: ben.open_id, status: { is_activated: true, is_frozen: false, is_resigned: false, is_exited: false, is_unjoin: false } },
	]);
	const withResigned = await items({ operation: 'findUserIds', emails: 'gone.person@example.com', userIdType: 'union_id', options: { includeResigned: true } });
	assert.equal(withResigned[0].user_id, gone.union_id);
	assert.equal((withResigned[0].status as IDataObject).is_resigned, true);
	const call = (await callsTo('/open-apis/contact/v3/users/batch_get_id')).at(-1)!;
	assert.equal(call.query.user_id_type, 'union_id');
	assert.deepEqual(call.body, { emails: ['gone.person@example.com'], include_resigned: true });

	const r = await run({ operation: 'findUserIds', emails: '', mobiles: '' });
	assert.ok(r.error instanceof NodeOperationError, 'nothing to look up');
});

test('Get Department Children: direct children of the root or a department, all levels with Include All Levels', async () => {
	const top = await items({ operation: 'getDepartmentChildren', departmentId: '0', returnAll: true });
	assert.deepEqual(top.map((d) => d.name), ['Engineering', 'Sales', 'Big', 'Crowd']);
	assert.equal(top[0].parent_department_id, '0');
	const [plat] = await items({ operation: 'getDepartmentChildren', departmentId: 'ENG', returnAll: true, options: { departmentIdType: 'department_id' } });
	assert.equal(plat.name, 'Platform');
	assert.equal(plat.parent_department_id, 'ENG', 'the parent in the Department ID Type');
	assert.equal(plat.member_count, 1);
	const all = await items({ operation: 'getDepartmentChildren', departmentId: '0', returnAll: true, options: { fetchChild: true } });
	assert.equal(all.length, 5 + 110);
	assert.ok(all.findIndex((d) => d.name === 'Platform') > all.findIndex((d) => d.name === 'Engineering'), 'parents first');
	const call = (await callsTo('/open-apis/contact/v3/departments/0/children')).at(-1)!;
	assert.equal(call.query.fetch_child, 'true');
});

test('Get Department Children pages: Return All over three pages gets all 110, Limit gets exactly that many', async () => {
	const path = `/open-apis/contact/v3/departments/${big.open_department_id}/children`;
	const start = (await callsTo(path)).length;
	const all = await items({ operation: 'getDepartmentChildren', departmentId: big.open_department_id, returnAll: true });
	assert.equal(all.length, 110);
	assert.equal(new Set(all.map((d) => d.open_department_id)).size, 110, 'no department twice');
	const pages = (await callsTo(path)).slice(start);
	assert.equal(pages.length, 3, 'three pages of at most 50');
	assert.ok(pages.every((c) => c.query.page_size === '50'));
	assert.equal((await items({ operation: 'getDepartmentChildren', departmentId: big.open_department_id, returnAll: false, limit: 73 })).length, 73);
	const seven = await items({ operation: 'getDepartmentChildren', departmentId: big.open_department_id, limit: 7 });
	assert.deepEqual(seven.map((d) => d.name), all.slice(0, 7).map((d) => d.name));
	assert.equal((await callsTo(path)).at(-1)!.query.page_size, '7', 'asks for no more than the limit');
});

test('Get Department Members: the users directly in it; Return All over three pages, Limit exact; resigned users not listed', async () => {
	const start = (await callsTo('/open-apis/contact/v3/users/find_by_department')).length;
	const all = await items({ operation: 'getDepartmentMembers', departmentId: crowd.open_department_id, returnAll: true });
	assert.equal(all.length, 120);
	assert.equal(new Set(all.map((u) => u.open_id)).size, 120);
	assert.equal((await callsTo('/open-apis/contact/v3/users/find_by_department')).length - start, 3);
	assert.equal((await items({ operation: 'getDepartmentMembers', departmentId: crowd.open_department_id, limit: 101 })).length, 101);
	const salesPeople = await items({ operation: 'getDepartmentMembers', departmentId: sales.open_department_id, returnAll: true, options: { userIdType: 'union_id' } });
	assert.deepEqual(salesPeople.map((u) => u.name), ['Cleo']);
	const direct = await items({ operation: 'getDepartmentMembers', departmentId: 'ENG', returnAll: true, options: { departmentIdType: 'department_id' } });
	assert.deepEqual(direct.map((u) => u.name), ['Ada'], 'Ben is in Platform, not directly in Engineering');
	assert.deepEqual(direct[0].department_ids, ['ENG']);
});

test('the app\'s contact scope: outside it departments are 40004 and users 41050; inside it everything reads', async () => {
	await control(sb, 'PUT', `apps/${APP.appId}/contact-scope`, { department_ids: [eng.open_department_id], user_ids: [cleo.open_id] });
	try {
		await refused({ operation: 'getDepartmentMembers', departmentId: '0', returnAll: true }, 40004);
		await refused({ operation: 'getDepartmentChildren', departmentId: sales.open_department_id, returnAll: true }, 40004);
		await refused({ operation: 'getUser', userId: gone.open_id }, 41050);
		const outsider = await person('Outsider', crowd);
		await refused({ operation: 'getUsers', userIds: `${ada.open_id}, ${outsider.open_id}` }, 41050);
		assert.deepEqual((await items({ operation: 'getDepartmentMembers', departmentId: platform.open_department_id, returnAll: true })).map((u) => u.name), ['Ben'], 'a department under a scoped one');
		assert.equal((await items({ operation: 'getUser', userId: cleo.open_id }))[0].name, 'Cleo', 'a user named in the scope');
		const found = await items({ operation: 'findUserIds', emails: 'ada@example.com, crowd.000@example.com' });
		assert.equal(found[0].user_id, ada.open_id);
		assert.equal(found[1].user_id, undefined, 'out of scope: found nobody');
	} finally {
		await control(sb, 'PUT', `apps/${APP.appId}/contact-scope`, { all: true });
	}
});
