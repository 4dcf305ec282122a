// The Feishu API credential's Test (methods.credentialTest of both nodes) against the sandbox: bad ids
// named, a missing scope named with the console link that grants it, scopes asked for but not granted
// named as such, and scopes only optional operations need leaving the test green.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';
import { clearTokenCache } from '../../../lib/feishu';
import { feishuApiCredentialTest, operationScopeRequirements } from '../../../nodes/Feishu/methods/credentialTest';
import { resources } from '../../../nodes/Feishu/actions/router';
import type { Sandbox } from '../../../sandbox/server';
import { APP, control, sandbox } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FeishuTrigger } = require('../../../nodes/FeishuTrigger/FeishuTrigger.node.ts') as typeof import('../../../nodes/FeishuTrigger/FeishuTrigger.node');

let sb: Sandbox;
before(async () => {
	sb = await sandbox();
});
after(() => sb.close());

function credential(data: Record<string, string> = {}): ICredentialsDecrypted {
	return { id: '1', name: 'Feishu', type: 'feishuApi', data: { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '', ...data } };
}

async function runTest(data?: Record<string, string>) {
	clearTokenCache();
	return feishuApiCredentialTest.call({} as ICredentialTestFunctions, credential(data));
}

const setScopes = (body: { missing?: string[]; pending?: string[] }) => control(sb, 'PUT', `apps/${APP.appId}/scopes`, body);

test('every operation that calls the Open API names its scopes, and both nodes run the same Test', () => {
	for (const [resource, { usesApi, operations }] of Object.entries(resources)) {
		for (const [name, op] of Object.entries(operations)) {
			if (!usesApi || !op.endpoint.includes('/open-apis/') || resource === 'api') continue;
			assert.ok(op.scopes?.length, `${resource} > ${name} has no scopes`);
			for (const scope of op.scopes!) assert.match(scope, /^[a-z_]+(:[a-z_.]+)+$/, `${resource} > ${name}: "${scope}"`);
		}
	}
	const send = operationScopeRequirements().find((r) => r.feature === 'Message > Send');
	assert.ok(send?.scopes.includes('im:message:send_as_bot'));
	assert.equal(new FeishuTrigger().methods.credentialTest.feishuApiCredentialTest, feishuApiCredentialTest);
});

test('valid ids and every scope: OK', async () => {
	await setScopes({});
	const r = await runTest();
	assert.equal(r.status, 'OK', r.message);
});

test('a wrong App Secret or App ID is named as such', async () => {
	const secret = await runTest({ appSecret: 'not-the-secret' });
	assert.equal(secret.status, 'Error');
	assert.match(secret.message, /Invalid App Secret.*10014/);
	const id = await runTest({ appId: 'cli_nobody' });
	assert.equal(id.status, 'Error');
	assert.match(id.message, /Invalid App ID.*10003/);
});

test('without the scopes to send messages the Test fails and names them, with the console link', async () => {
	await setScopes({ missing: ['im:message', 'im:message:send_as_bot', 'im:message:send'] });
	const r = await runTest();
	assert.equal(r.status, 'Error');
	assert.match(r.message, /App ID and Secret are valid/);
	assert.match(r.message, /Message > Reply, Message > Send, Message > Send and Wait for Response: im:message or im:message:send_as_bot or im:message:send/);
	assert.ok(r.message.includes(`${sb.baseUrl}/app/${APP.appId}/auth?q=`), r.message);
	assert.match(r.message, /publish a new version/);
});

test('a scope asked for but not granted yet fails the Test and is named as pending', async () => {
	await setScopes({ pending: ['contact:user.base:readonly', 'contact:contact.base:readonly', 'contact:contact:readonly_as_app', 'contact:contact:access_as_app', 'contact:contact:readonly'] });
	const r = await runTest();
	assert.equal(r.status, 'Error');
	assert.match(r.message, /Contact > Get User/);
	assert.match(r.message, /asked for, not granted yet/);
});

test('scopes only optional operations need, never asked for, leave the Test green', async () => {
	await setScopes({ missing: ['im:message.pins:write_only', 'im:message.pins:read'] });
	const r = await runTest();
	assert.equal(r.status, 'OK', r.message);
	await setScopes({});
});

test('an app not installed in the tenant (212100) fails with what to do; a host without the scope list passes on the ids alone', async () => {
	await control(sb, 'POST', 'faults', { app_id: APP.appId, fail_next_api: { code: 212100, http_status: 400, msg: 'app not install' } });
	const notInstalled = await runTest();
	assert.equal(notInstalled.status, 'Error');
	assert.match(notInstalled.message, /not installed.*212100/);
	await control(sb, 'POST', 'faults', { app_id: APP.appId, fail_next_api: { code: 404, http_status: 404, msg: 'not found' } });
	const noList = await runTest();
	assert.equal(noList.status, 'OK', noList.message);
	assert.match(noList.message, /could not be listed/);
});
