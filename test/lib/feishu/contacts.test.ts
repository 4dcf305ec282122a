// The contact wire layer (lib/feishu/users.ts, contacts.ts) over the default fetch transport against the
// sandbox: lists sent as a repeated key, id types checked before any request, limits, and paging.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTACT_LIMITS, FeishuApiClient, FeishuApiError, FeishuValidationError, findUserIds, getUser, getUsersByIds, listDepartmentChildren, listDepartmentUsers } from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { apiCalls, control, credsFor, sandbox } from '../../helpers/sandbox';

let sb: Sandbox;
let client: FeishuApiClient;
before(async () => {
	sb = await sandbox();
	client = new FeishuApiClient(credsFor(sb));
});
after(() => sb.close());

test('users by a list of ids: the ids go as user_ids repeated, in order; a bad id type or too many ids fail before sending', async () => {
	const a = await control(sb, 'POST', 'users', { name: 'Wire A', email: 'wire.a@example.com' });
	const b = await control(sb, 'POST', 'users', { name: 'Wire B', email: 'wire.b@example.com' });
	assert.deepEqual((await getUsersByIds(client, { userIds: [b.open_id, a.open_id, b.open_id] })).map((u) => u.name), ['Wire B', 'Wire A'], 'duplicates dropped');
	assert.equal((await getUser(client, { userId: a.user_id, userIdType: 'user_id' })).open_id, a.open_id);
	const sent = (await apiCalls(sb)).length;
	await assert.rejects(getUser(client, { userId: a.open_id, userIdType: 'email' }), FeishuValidationError);
	await assert.rejects(getUsersByIds(client, { userIds: Array.from({ length: CONTACT_LIMITS.userIds + 1 }, (_, i) => `ou_${i}`) }), /at most 50/);
	await assert.rejects(findUserIds(client, { emails: [] }), FeishuValidationError);
	await assert.rejects(getUser(client, { userId: '../chats' }), FeishuValidationError, 'no path climbing');
	assert.equal((await apiCalls(sb)).length, sent, 'nothing reached the sandbox');
	await assert.rejects(getUser(client, { userId: 'ou_nobody' }), (e: unknown) => e instanceof FeishuApiError && e.code === 41050);
});

test('department children and members: every page with no limit, exactly the limit otherwise', async () => {
	const parent = await control(sb, 'POST', 'departments', { name: 'Wire parent' });
	for (let i = 0; i < 55; i++) await control(sb, 'POST', 'departments', { name: `Wire child ${i}`, parent_department_id: parent.open_department_id });
	for (let i = 0; i < 52; i++) await control(sb, 'POST', 'users', { name: `Wire member ${i}`, department_ids: [parent.open_department_id] });
	assert.equal((await listDepartmentChildren(client, { departmentId: parent.open_department_id })).length, 55);
	assert.equal((await listDepartmentChildren(client, { departmentId: parent.open_department_id, limit: 51 })).length, 51);
	assert.equal((await listDepartmentUsers(client, { departmentId: parent.open_department_id })).length, 52);
	assert.equal((await listDepartmentUsers(client, { departmentId: parent.open_department_id, limit: 3 })).length, 3);
	const found = await findUserIds(client, { emails: ['wire.a@example.com', ' wire.a@example.com '], mobiles: [] });
	assert.equal(found.length, 1, 'trimmed and de-duplicated');
});

test('the sandbox\'s sample directory: a tree with people, readable level by level', async () => {
	const sample = await control(sb, 'POST', 'directory/sample');
	const top = await listDepartmentChildren(client, { departmentId: '0', departmentIdType: 'department_id' });
	assert.ok(['ENG', 'SALES'].every((id) => top.some((d) => d.department_id === id)));
	const platform = await listDepartmentUsers(client, { departmentId: 'PLATFORM', departmentIdType: 'department_id' });
	assert.deepEqual(platform.map((u) => u.name), ['Ada Lovelace', 'Linus Torvalds']);
	const [mary] = await findUserIds(client, { mobiles: ['+12125550123'] });
	assert.equal(mary.user_id, sample.users.find((u: { name: string }) => u.name === 'Mary Kay').open_id);
});
