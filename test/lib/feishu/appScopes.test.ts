// Scope gaps: which requirements none of the app's granted scopes meets, grouped for the message, and
// the console link; and the scope list read from the sandbox through the API client.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeScopeGaps, FeishuApiClient, listAppScopes, scopeGaps, scopeGrantUrl } from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { APP, control, credsFor, sandbox } from '../../helpers/sandbox';

let sb: Sandbox;
before(async () => {
	sb = await sandbox();
});
after(() => sb.close());

test('a requirement is met by any one granted scope; asked-for but ungranted ones are named pending', () => {
	const app = [
		{ scope_name: 'im:message', grant_status: 1 },
		{ scope_name: 'im:chat', grant_status: 2 },
	];
	const gaps = scopeGaps(app, [
		{ feature: 'Send', scopes: ['im:message', 'im:message:send_as_bot'] },
		{ feature: 'Get Chat', scopes: ['im:chat', 'im:chat:readonly'] },
		{ feature: 'List Chats', scopes: ['im:chat:readonly', 'im:chat'] },
		{ feature: 'Get User', scopes: ['contact:user.base:readonly'] },
		{ feature: 'Callback', scopes: [] },
	]);
	assert.deepEqual(gaps.map((g) => [g.feature, g.pending]), [['Get Chat', ['im:chat']], ['List Chats', ['im:chat']], ['Get User', []]]);
	assert.deepEqual(describeScopeGaps(gaps), ['Get Chat, List Chats: im:chat or im:chat:readonly (im:chat asked for, not granted yet)', 'Get User: contact:user.base:readonly']);
});

test('the grant link is the console page Feishu links in 99991672, scopes unescaped', () => {
	assert.equal(scopeGrantUrl('https://open.feishu.cn', 'cli_x', ['im:message', 'im:chat:readonly']), 'https://open.feishu.cn/app/cli_x/auth?q=im:message,im:chat:readonly&op_from=openapi&token_type=tenant');
	assert.equal(scopeGrantUrl('https://open.larksuite.com/', 'cli_y', ['im:chat']), 'https://open.larksuite.com/app/cli_y/auth?q=im:chat&op_from=openapi&token_type=tenant');
});

test('listAppScopes reads GET /open-apis/application/v6/scopes', async () => {
	await control(sb, 'PUT', `apps/${APP.appId}/scopes`, { missing: ['im:chat:delete'], pending: ['im:chat:create'] });
	const scopes = await listAppScopes(new FeishuApiClient(credsFor(sb)));
	assert.equal(scopes.find((s) => s.scope_name === 'im:chat:delete'), undefined);
	assert.equal(scopes.find((s) => s.scope_name === 'im:chat:create')?.grant_status, 2);
	assert.equal(scopes.find((s) => s.scope_name === 'im:message:send_as_bot')?.grant_status, 1);
});
