// Bad input never crashes the sandbox or yields a 5xx: every route gets junk bodies and odd parameters,
// and the sandbox must answer each with a 2xx/4xx and keep serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { APP, control } from '../helpers/sandboxTests';

let sb: Sandbox;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true, callbackWaitMs: 200 });
});
after(() => sb.close());

const ROUTES: [string, string][] = [
	['POST', '/open-apis/auth/v3/tenant_access_token/internal'],
	['POST', '/callback/ws/endpoint'],
	['GET', '/open-apis/bot/v3/info'],
	['POST', '/open-apis/im/v1/messages?receive_id_type=chat_id'],
	['POST', '/open-apis/im/v1/messages?receive_id_type=open_id'],
	['GET', '/open-apis/im/v1/messages?container_id_type=chat&container_id=oc_x&page_size=999'],
	['POST', '/open-apis/im/v1/messages/om_nope/reply'],
	['PUT', '/open-apis/im/v1/messages/om_nope'],
	['PATCH', '/open-apis/im/v1/messages/om_nope'],
	['DELETE', '/open-apis/im/v1/messages/om_nope'],
	['GET', '/open-apis/im/v1/messages/om_nope'],
	['POST', '/open-apis/im/v1/messages/om_nope/forward?receive_id_type=chat_id'],
	['POST', '/open-apis/im/v1/images'],
	['POST', '/open-apis/im/v1/files'],
	['GET', '/open-apis/im/v1/messages/om_nope/resources/img_x?type=image'],
	['GET', '/open-apis/im/v1/chats/oc_nope'],
	['POST', '/open-apis/im/v1/messages/om_nope/reactions'],
	['DELETE', '/open-apis/im/v1/messages/om_nope/reactions/r_nope'],
	['GET', '/open-apis/im/v1/messages/om_nope/reactions?user_id_type=bogus&page_token=%E0'],
	['POST', '/open-apis/im/v1/pins'],
	['DELETE', '/open-apis/im/v1/pins/om_nope'],
	['GET', '/open-apis/im/v1/pins?chat_id=oc_nope&start_time=abc'],
	['GET', '/open-apis/im/v1/messages/om_nope/read_users?user_id_type=open_id'],
	['PATCH', '/open-apis/im/v1/messages/om_nope/urgent_sms?user_id_type=open_id'],
	['POST', '/open-apis/im/v1/messages/merge_forward?receive_id_type=thread_id'],
	['POST', '/_sandbox/messages/om_nope/reactions'],
	['POST', '/_sandbox/messages/om_nope/read'],
	['PATCH', '/_sandbox/messages/om_nope'],
	['POST', '/_sandbox/apps'],
	['PUT', `/_sandbox/apps/${APP.appId}/delivery`],
	['POST', '/_sandbox/chats/oc_fuzz/messages'],
	['POST', '/_sandbox/cards/om_nope/click'],
	['POST', '/_sandbox/events'],
	['POST', '/_sandbox/faults'],
	['GET', '/_sandbox/deliveries?event_id=%E0%A4%A'],
];

const BODIES: (string | undefined)[] = [undefined, '', 'null', '[]', '42', '"str"', '{bad json', '{"receive_id":123,"msg_type":["x"],"content":{"a":1}}', '{"text":null,"message_type":"image","content":"x","fragment":1e12,"malformed_frames":1e12,"refuse_next_upgrade":{"status":"abc"}}', '{"mode":"webhook","url":"ftp://x"}', '{"app_id":"cli_a1b2c3d4e5f60718","value":null,"operator":{"open_id":5}}'];

test('junk bodies on every route: no 5xx, and the sandbox keeps serving', async () => {
	const tok: any = await (await fetch(`${sb.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }) })).json();
	const problems: string[] = [];
	for (const [method, path] of ROUTES) {
		for (const body of BODIES) {
			for (const contentType of ['application/json', 'multipart/form-data; boundary=zzz', 'text/plain']) {
				const res = await fetch(`${sb.baseUrl}${path}`, {
					method,
					headers: { authorization: `Bearer ${tok.tenant_access_token}`, 'content-type': contentType },
					body: method === 'GET' ? undefined : body,
				});
				await res.arrayBuffer();
				if (res.status >= 500) problems.push(`${method} ${path} ${contentType} ${body} -> ${res.status}`);
			}
		}
	}
	assert.deepEqual(problems, []);
	const stats = await control(sb.baseUrl, 'GET', 'stats');
	assert.ok(stats.rejected_requests > 0);
});

test('malformed HTTP and odd paths are answered, not fatal', async () => {
	const { connect } = await import('node:net');
	const port = new URL(sb.baseUrl).port;
	const reply = await new Promise<string>((resolve) => {
		const s = connect(Number(port), '127.0.0.1', () => s.write('GARBAGE / HTTP/9\r\n\r\n'));
		let out = '';
		s.on('data', (d) => (out += d));
		s.on('close', () => resolve(out));
		s.on('error', () => resolve(out));
	});
	assert.match(reply, /^HTTP\/1\.1 400/);
	const odd = await fetch(`${sb.baseUrl}/_sandbox/chats/%E0%A4%A/messages`);
	assert.ok(odd.status < 500);
	assert.equal((await fetch(`${sb.baseUrl}/_sandbox/stats`)).status, 200);
});
