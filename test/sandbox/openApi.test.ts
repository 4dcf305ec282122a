// Open API behaviour of the sandbox, checked over plain HTTP: token lifetime and errors, Bearer checks,
// x-tt-logid, content validation (230001), uuid idempotency, replies/threads, edit/update/recall,
// rate limit (429/99991400), call recording and the fail_next_api fault.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { APP, control } from '../helpers/sandboxTests';

let sb: Sandbox;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true, tokenTtlSeconds: 2 });
});
after(() => sb.close());

async function token(): Promise<string> {
	const r = await fetch(`${sb.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }) });
	const j: any = await r.json();
	assert.equal(j.code, 0);
	return j.tenant_access_token;
}

async function api(method: string, path: string, tok: string | undefined, body?: unknown) {
	const res = await fetch(`${sb.baseUrl}${path}`, {
		method,
		headers: { ...(tok ? { authorization: `Bearer ${tok}` } : {}), ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}) },
		body: body ? JSON.stringify(body) : undefined,
	});
	return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

async function userSays(chatId: string, text: string, extra: object = {}): Promise<string> {
	return (await control(sb.baseUrl, 'POST', `chats/${chatId}/messages`, { text, ...extra })).message_id;
}

test('token endpoint: ok response shape, wrong secret 10014, unknown app 10003', async () => {
	const ok = await fetch(`${sb.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }) });
	const j: any = await ok.json();
	assert.equal(j.msg, 'ok');
	assert.match(j.tenant_access_token, /^t-/);
	assert.equal(j.expire, 2);
	assert.ok(ok.headers.get('x-tt-logid'));
	const wrong: any = await (await fetch(`${sb.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: APP.appId, app_secret: 'nope' }) })).json();
	assert.equal(wrong.code, 10014);
	const unknown: any = await (await fetch(`${sb.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: 'cli_ffffffffffffffff', app_secret: 'x' }) })).json();
	assert.equal(unknown.code, 10003);
});

test('Bearer token: missing 99991661, bogus and expired 99991663 with HTTP 400', async () => {
	const missing = await api('GET', '/open-apis/bot/v3/info', undefined);
	assert.equal(missing.status, 400);
	assert.equal(missing.json.code, 99991661);
	const bogus = await api('GET', '/open-apis/bot/v3/info', 't-bogus');
	assert.equal(bogus.status, 400);
	assert.equal(bogus.json.code, 99991663);
	assert.equal(bogus.json.msg, 'Invalid access token for authorization. Please make a request with token attached.');
	assert.ok(bogus.headers.get('x-tt-logid'));
	const tok = await token();
	const info = await api('GET', '/open-apis/bot/v3/info', tok);
	assert.equal(info.status, 200);
	assert.deepEqual(Object.keys(info.json.bot).sort(), ['activate_status', 'app_name', 'avatar_url', 'ip_white_list', 'open_id']);
	assert.equal(info.json.bot.open_id, APP.botOpenId);
	await new Promise((r) => setTimeout(r, 2100));
	const expired = await api('GET', '/open-apis/bot/v3/info', tok);
	assert.equal(expired.status, 400);
	assert.equal(expired.json.code, 99991663);
});

test('send: all five receive_id_types; bad type is 99992402; unknown chat 230002', async () => {
	const tok = await token();
	await userSays('oc_sendtest', 'hi');
	const content = JSON.stringify({ text: 'hello' });
	for (const [type, id] of [['chat_id', 'oc_sendtest'], ['open_id', 'ou_abc'], ['union_id', 'on_abc'], ['user_id', 'u123'], ['email', 'bob@example.com']]) {
		const r = await api('POST', `/open-apis/im/v1/messages?receive_id_type=${type}`, tok, { receive_id: id, msg_type: 'text', content });
		assert.equal(r.json.code, 0, `${type}: ${JSON.stringify(r.json)}`);
		assert.match(r.json.data.message_id, /^om_/);
		assert.equal(r.json.data.sender.sender_type, 'app');
		assert.equal(r.json.data.sender.id, APP.appId);
		assert.equal(r.json.data.body.content, content);
		if (type === 'chat_id') assert.equal(r.json.data.chat_id, 'oc_sendtest');
	}
	const bad = await api('POST', '/open-apis/im/v1/messages?receive_id_type=phone', tok, { receive_id: 'x', msg_type: 'text', content });
	assert.equal(bad.status, 400);
	assert.equal(bad.json.code, 99992402);
	const unknown = await api('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', tok, { receive_id: 'oc_nope', msg_type: 'text', content });
	assert.equal(unknown.json.code, 230002);
});

test('content validation: 230001 naming the problem, per msg_type', async () => {
	const tok = await token();
	const send = (msg_type: unknown, content: unknown) => api('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', tok, { receive_id: 'ou_val', msg_type, content });
	const cases: [unknown, unknown, RegExp][] = [
		['text', { text: 'not stringified' }, /JSON\.stringify/],
		['text', '{not json', /json format/],
		['text', JSON.stringify({ txt: 'x' }), /"text"/],
		['post', JSON.stringify({ zh_cn: { title: 't', content: [[{ text: 'no tag' }]] } }), /tag/],
		['post', JSON.stringify({ title: 'no locale' }), /locale/],
		['image', JSON.stringify({ image_key: 'img_never_uploaded' }), /not uploaded/],
		['interactive', JSON.stringify({ config: {} }), /elements/],
		['nonsense', JSON.stringify({}), /msg_type/],
	];
	for (const [type, content, re] of cases) {
		const r = await send(type, content);
		assert.equal(r.status, 400, `${type} ${content}`);
		assert.equal(r.json.code, 230001);
		assert.match(r.json.msg, re);
	}
	const post = await send('post', JSON.stringify({ zh_cn: { title: 'T', content: [[{ tag: 'text', text: 'a' }, { tag: 'a', text: 'l', href: 'https://x' }]] } }));
	assert.equal(post.json.code, 0);
	assert.deepEqual(JSON.parse(post.json.data.body.content), { title: 'T', content: [[{ tag: 'text', text: 'a' }, { tag: 'a', text: 'l', href: 'https://x' }]] });
	const card = await send('interactive', JSON.stringify({ header: { title: { tag: 'plain_text', content: 'Hi' } }, elements: [{ tag: 'div', text: { tag: 'lark_md', content: 'x' } }] }));
	assert.equal(card.json.code, 0);
	const at = await send('text', JSON.stringify({ text: 'hi <at user_id="ou_tom">Tom</at>' }));
	assert.deepEqual(JSON.parse(at.json.data.body.content), { text: 'hi @_user_1' });
	assert.equal(at.json.data.mentions[0].id, 'ou_tom');
	assert.equal(at.json.data.mentions[0].name, 'Tom');
});

test('reply: parent/root ids, reply_in_thread gives a thread_id, uuid is idempotent', async () => {
	const tok = await token();
	const root = await userSays('oc_replytest', 'question');
	const r1 = await api('POST', `/open-apis/im/v1/messages/${root}/reply`, tok, { msg_type: 'text', content: JSON.stringify({ text: 'answer' }), uuid: 'u-1' });
	assert.equal(r1.json.code, 0);
	assert.equal(r1.json.data.parent_id, root);
	assert.equal(r1.json.data.root_id, root);
	assert.equal(r1.json.data.chat_id, 'oc_replytest');
	const again = await api('POST', `/open-apis/im/v1/messages/${root}/reply`, tok, { msg_type: 'text', content: JSON.stringify({ text: 'answer' }), uuid: 'u-1' });
	assert.equal(again.json.data.message_id, r1.json.data.message_id, 'same uuid within 1 h -> same message');
	const r2 = await api('POST', `/open-apis/im/v1/messages/${r1.json.data.message_id}/reply`, tok, { msg_type: 'text', content: JSON.stringify({ text: 'follow-up' }) });
	assert.equal(r2.json.data.parent_id, r1.json.data.message_id);
	assert.equal(r2.json.data.root_id, root);
	const t = await api('POST', `/open-apis/im/v1/messages/${root}/reply`, tok, { msg_type: 'text', content: JSON.stringify({ text: 'in thread' }), reply_in_thread: true });
	assert.match(t.json.data.thread_id, /^omt_/);
	const msgs = (await control(sb.baseUrl, 'GET', 'chats/oc_replytest/messages')).messages;
	assert.equal(msgs.length, 4, 'question + 3 distinct replies (the uuid repeat is not stored twice)');
	assert.equal(msgs[1].from, 'bot');
	assert.equal(msgs[1].parent_id, root);
});

test('edit (PUT), card update (PATCH), recall (DELETE), get, forward', async () => {
	const tok = await token();
	await userSays('oc_edit', 'x');
	const sent = await api('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', tok, { receive_id: 'oc_edit', msg_type: 'text', content: JSON.stringify({ text: 'v1' }) });
	const id = sent.json.data.message_id;
	const edited = await api('PUT', `/open-apis/im/v1/messages/${id}`, tok, { msg_type: 'text', content: JSON.stringify({ text: 'v2' }) });
	assert.equal(edited.json.code, 0);
	assert.equal(edited.json.data.updated, true);
	const got = await api('GET', `/open-apis/im/v1/messages/${id}`, tok);
	assert.equal(JSON.parse(got.json.data.items[0].body.content).text, 'v2');
	const patchText = await api('PATCH', `/open-apis/im/v1/messages/${id}`, tok, { content: JSON.stringify({ elements: [] }) });
	assert.equal(patchText.json.code, 230001, 'a text message cannot be card-updated');
	const card = await api('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', tok, { receive_id: 'oc_edit', msg_type: 'interactive', content: JSON.stringify({ elements: [{ tag: 'markdown', content: 'a' }] }) });
	const patched = await api('PATCH', `/open-apis/im/v1/messages/${card.json.data.message_id}`, tok, { content: JSON.stringify({ elements: [{ tag: 'markdown', content: 'b' }] }) });
	assert.equal(patched.json.code, 0);
	const fwd = await api('POST', `/open-apis/im/v1/messages/${id}/forward?receive_id_type=open_id`, tok, { receive_id: 'ou_fwd' });
	assert.equal(fwd.json.code, 0);
	assert.equal(JSON.parse(fwd.json.data.body.content).text, 'v2');
	const recalled = await api('DELETE', `/open-apis/im/v1/messages/${id}`, tok);
	assert.equal(recalled.json.code, 0);
	const after = await api('GET', `/open-apis/im/v1/messages/${id}`, tok);
	assert.equal(after.json.data.items[0].deleted, true);
	const twice = await api('DELETE', `/open-apis/im/v1/messages/${id}`, tok);
	assert.equal(twice.json.code, 230011);
	const userMsg = (await control(sb.baseUrl, 'GET', 'chats/oc_edit/messages')).messages[0].message_id;
	const notOwn = await api('DELETE', `/open-apis/im/v1/messages/${userMsg}`, tok);
	assert.equal(notOwn.status, 400);
});

test('rate limit: past the budget, create answers 429, 99991400, x-ogw-ratelimit-limit/-reset; reply has its own budget', async () => {
	// The per-minute window keeps this deterministic on a loaded machine; the per-second window is
	// covered with injected time in rateLimit.test.ts.
	const limited = await startSandbox({ port: 0, quiet: true, rateLimitPerMinute: 5 });
	try {
		const j: any = await (await fetch(`${limited.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }) })).json();
		const send = () =>
			fetch(`${limited.baseUrl}/open-apis/im/v1/messages?receive_id_type=open_id`, {
				method: 'POST',
				headers: { authorization: `Bearer ${j.tenant_access_token}`, 'content-type': 'application/json' },
				body: JSON.stringify({ receive_id: 'ou_rl', msg_type: 'text', content: JSON.stringify({ text: 'x' }) }),
			});
		const statuses: number[] = [];
		let last: Response | undefined;
		for (let i = 0; i < 7; i++) {
			last = await send();
			statuses.push(last.status);
			if (i < 6) await last.arrayBuffer();
		}
		assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
		const body: any = await last!.json();
		assert.equal(body.code, 99991400);
		assert.equal(last!.headers.get('x-ogw-ratelimit-limit'), '5');
		assert.ok(Number(last!.headers.get('x-ogw-ratelimit-reset')) >= 1);
		const { message_id } = await control(limited.baseUrl, 'POST', 'chats/oc_rl/messages', { text: 'q' });
		const reply = await fetch(`${limited.baseUrl}/open-apis/im/v1/messages/${message_id}/reply`, {
			method: 'POST',
			headers: { authorization: `Bearer ${j.tenant_access_token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ msg_type: 'text', content: JSON.stringify({ text: 'a' }) }),
		});
		assert.equal(reply.status, 200);
	} finally {
		await limited.close();
	}
});

test('calls are recorded; fail_next_api fails exactly N calls with the given code', async () => {
	await control(sb.baseUrl, 'POST', 'reset');
	const tok = await token();
	await control(sb.baseUrl, 'POST', 'faults', { fail_next_api: { count: 2, code: 99991400, http_status: 429 } });
	const a = await api('GET', '/open-apis/bot/v3/info', tok);
	const b = await api('GET', '/open-apis/bot/v3/info', tok);
	const c = await api('GET', '/open-apis/bot/v3/info', tok);
	assert.deepEqual([a.status, b.status, c.status], [429, 429, 200]);
	assert.equal(a.json.code, 99991400);
	const calls = (await control(sb.baseUrl, 'GET', `calls?app_id=${APP.appId}`)).calls;
	const info = calls.filter((x: any) => x.path === '/open-apis/bot/v3/info');
	assert.deepEqual(info.map((x: any) => x.code), [99991400, 99991400, 0]);
	assert.ok(info.every((x: any) => /^\d{14}[0-9A-F]{18}$/.test(x.log_id)));
	const tokenCall = calls.find((x: any) => x.path.includes('tenant_access_token'));
	assert.equal(tokenCall.body.app_secret, '***', 'secrets are not recorded');
});

test('history: GET messages by chat with paging and sort order; chats list and get', async () => {
	const tok = await token();
	const ids = [await userSays('oc_hist', 'one', { chat_type: 'group', chat_name: 'History' }), await userSays('oc_hist', 'two'), await userSays('oc_hist', 'three')];
	const p1 = await api('GET', '/open-apis/im/v1/messages?container_id_type=chat&container_id=oc_hist&page_size=2', tok);
	assert.equal(p1.json.code, 0);
	assert.deepEqual(p1.json.data.items.map((m: any) => m.message_id), ids.slice(0, 2));
	assert.equal(p1.json.data.has_more, true);
	const p2 = await api('GET', `/open-apis/im/v1/messages?container_id_type=chat&container_id=oc_hist&page_size=2&page_token=${p1.json.data.page_token}`, tok);
	assert.deepEqual(p2.json.data.items.map((m: any) => m.message_id), ids.slice(2));
	assert.equal(p2.json.data.has_more, false);
	const desc = await api('GET', '/open-apis/im/v1/messages?container_id_type=chat&container_id=oc_hist&sort_type=ByCreateTimeDesc', tok);
	assert.equal(desc.json.data.items[0].message_id, ids[2]);
	assert.equal(desc.json.data.items[0].sender.sender_type, 'user');
	const chats = await api('GET', '/open-apis/im/v1/chats', tok);
	assert.ok(chats.json.data.items.some((c: any) => c.chat_id === 'oc_hist' && c.name === 'History'));
	const chat = await api('GET', '/open-apis/im/v1/chats/oc_hist', tok);
	assert.equal(chat.json.data.chat_mode, 'group');
	const missing = await api('GET', '/open-apis/im/v1/messages?container_id_type=chat&container_id=oc_missing', tok);
	assert.equal(missing.json.code, 230002);
});

test('sending to a user by open_id lands in the p2p chat that user already has with the bot', async () => {
	const tok = await token();
	await control(sb.baseUrl, 'POST', 'chats/oc_p2p_alice/messages', { text: 'hi bot', sender: { open_id: 'ou_alice_p2p', name: 'Alice' } });
	const r = await api('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', tok, { receive_id: 'ou_alice_p2p', msg_type: 'text', content: JSON.stringify({ text: 'hi Alice' }) });
	assert.equal(r.json.data.chat_id, 'oc_p2p_alice');
	const msgs = (await control(sb.baseUrl, 'GET', 'chats/oc_p2p_alice/messages')).messages;
	assert.deepEqual(msgs.map((m: any) => m.from), ['user', 'bot']);
});
