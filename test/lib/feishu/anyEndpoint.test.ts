// The wire layer's generic endpoint call (the API resource's): path templates checked and filled,
// list pages read whatever their list is called, a walk started from a given page_token, and a POST
// that is not idempotent never repeated after a 5xx, against the sandbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { callEndpoint, callEndpointPages, endpointPath, FeishuApiClient, FeishuApiError, FeishuValidationError, pageOfAnswer, templateParams } from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { APP, apiCalls, control, credsFor, sandbox } from '../../helpers/sandbox';

let sb: Sandbox;
let client: FeishuApiClient;

before(async () => {
	sb = await sandbox();
	client = new FeishuApiClient(credsFor(sb), { retryBaseDelayMs: 10 });
	for (let i = 0; i < 5; i++) await control(sb, 'POST', 'chats', { app_id: APP.appId, name: `Wire group ${i}` });
});
after(() => sb.close());

test('endpointPath: each :name filled with its checked, encoded value; calendar ids with "@" and "." pass', () => {
	assert.deepEqual(templateParams('/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records'), ['app_token', 'table_id']);
	assert.equal(endpointPath('/open-apis/bitable/v1/apps/:app_token/tables/:table_id', { app_token: 'bascn1', table_id: 'tbl2' }), '/open-apis/bitable/v1/apps/bascn1/tables/tbl2');
	assert.equal(
		endpointPath('/open-apis/calendar/v4/calendars/:calendar_id', { calendar_id: 'feishu.cn_abc@group.calendar.feishu.cn' }),
		'/open-apis/calendar/v4/calendars/feishu.cn_abc%40group.calendar.feishu.cn',
	);
	assert.equal(endpointPath('/open-apis/hire/v1/talent_pools/'), '/open-apis/hire/v1/talent_pools/', 'a trailing slash Feishu lists');
	// A parameter whose name starts another's is filled by segment, not by text.
	assert.equal(endpointPath('/open-apis/x/v1/:id/:id_type', { id: 'a', id_type: 'b' }), '/open-apis/x/v1/a/b');
	for (const [template, values] of [
		['/open-apis/im/v1/chats/:chat_id', { chat_id: 'a/b' }],
		['/open-apis/im/v1/chats/:chat_id', { chat_id: '...' }],
		['/open-apis/im/v1/chats/:chat_id', { chat_id: 'oc_1?x=1' }],
		['/open-apis/im/v1/chats/:chat_id', { chat_id: 'oc%2e' }],
		['/open-apis/im/v1/chats/:chat_id', {}],
		['/open-apis/im/v1//chats', {}],
		['/open-apis/im/v1/chats\\x', {}],
		['/openapis/im/v1/chats', {}],
	] as const) {
		assert.throws(() => endpointPath(template, values), FeishuValidationError, `${template} ${JSON.stringify(values)}`);
	}
});

test('pageOfAnswer: items, or the one list a page holds; next_page_token on older lists', () => {
	assert.deepEqual(pageOfAnswer({ items: [1], has_more: true, page_token: 'p2' }), { items: [1], has_more: true, page_token: 'p2' });
	assert.deepEqual(pageOfAnswer({ files: [{ token: 'f' }], has_more: true, next_page_token: 'n2' }), { items: [{ token: 'f' }], has_more: true, page_token: 'n2' });
	assert.deepEqual(pageOfAnswer({ a: [1], b: [2], has_more: false }), { items: [], has_more: false, page_token: undefined }, 'two lists: neither is guessed');
	assert.deepEqual(pageOfAnswer(undefined), { items: [], has_more: false, page_token: undefined });
});

test('callEndpointPages: page_size as the query says, from a page_token given in the query; callEndpoint: one answer', async () => {
	const all = (await callEndpointPages(client, { method: 'GET', path: '/open-apis/im/v1/chats', query: { page_size: 2 } })) as { chat_id: string }[];
	assert.equal(all.length, 5);
	const first = await callEndpoint<{ items: unknown[]; page_token: string }>(client, { method: 'get', path: '/open-apis/im/v1/chats', query: { page_size: 2 } });
	assert.equal(first.items.length, 2);
	const rest = (await callEndpointPages(client, { method: 'GET', path: '/open-apis/im/v1/chats', query: { page_size: 2, page_token: first.page_token } })) as { chat_id: string }[];
	assert.deepEqual(rest.map((c) => c.chat_id), all.slice(2).map((c) => c.chat_id));
	assert.equal((await callEndpointPages(client, { method: 'GET', path: '/open-apis/im/v1/chats' }, 3)).length, 3);
});

test('a POST without a uuid is not repeated after a 5xx (it may have been applied); a GET is', async () => {
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 1, code: 1500, http_status: 500, msg: 'internal error' } });
	await assert.rejects(callEndpoint(client, { method: 'POST', path: '/open-apis/task/v2/tasks', body: { summary: 'once' } }), (e: unknown) => e instanceof FeishuApiError && e.httpStatus === 500);
	assert.equal((await apiCalls(sb)).filter((c) => c.method === 'POST' && c.path === '/open-apis/task/v2/tasks').length, 1);
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 1, code: 1500, http_status: 500, msg: 'internal error' } });
	const chats = await callEndpoint<{ items: unknown[] }>(client, { method: 'GET', path: '/open-apis/im/v1/chats' });
	assert.equal(chats.items.length, 5, 'retried once, answered');
});
