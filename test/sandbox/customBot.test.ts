// The sandbox's group custom bots over plain HTTP, as any client would post to Feishu: the webhook
// route (docs/protocol.md, "Custom bots": the outcome in the answer's code, HTTP 200 but for 9499;
// 19001 unknown token, 19021 signature or timestamp, 19022 IP whitelist, 19024 keywords, 9499 bad
// body or rate limit), messages landing in the bot's group, and the /_sandbox/custom-bots control API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ipMatches } from '../../sandbox/customBotApi';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { control } from '../helpers/sandboxTests';

let sb: Sandbox;
before(async () => {
	// 5 a minute (Feishu: 100) so the minute's limit is reached at once, whatever the machine's speed.
	sb = await startSandbox({ port: 0, quiet: true, customBotRateLimitPerMinute: 5 });
});
after(() => sb.close());

interface Bot {
	token: string;
	webhook_url: string;
	chat_id: string;
	secret: string;
	bot_id: string;
}

const addBot = (body: Record<string, unknown> = {}) => control<Bot>(sb.baseUrl, 'POST', 'custom-bots', body);

async function post(url: string, body: unknown): Promise<{ status: number; json: any; logId: string | null }> {
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
	return { status: res.status, json: await res.json(), logId: res.headers.get('x-tt-logid') };
}

const sign = (timestamp: number | string, secret: string) => createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
const now = () => Math.floor(Date.now() / 1000);
const messages = async (chatId: string) => (await control<{ messages: any[] }>(sb.baseUrl, 'GET', `chats/${chatId}/messages`)).messages;
const text = (t: string) => ({ msg_type: 'text', content: { text: t } });

test('an unsigned bot posts text into its group: HTTP 200, Feishu\'s success answer, the message shown as the bot\'s', async () => {
	const bot = await addBot({ name: 'Build Alerts', chat_name: 'Ops' });
	assert.match(bot.token, /^[0-9a-f-]{36}$/);
	assert.equal(bot.webhook_url, `${sb.baseUrl}/open-apis/bot/v2/hook/${bot.token}`);
	const r = await post(bot.webhook_url, text('build 42 passed'));
	assert.equal(r.status, 200);
	assert.deepEqual(r.json, { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' });
	assert.match(String(r.logId), /^\d{14}[0-9A-F]{18}$/);
	const [m] = await messages(bot.chat_id);
	assert.equal(m.from, 'custom_bot');
	assert.equal(m.sender_name, 'Build Alerts');
	assert.deepEqual(m.sender, { id: bot.bot_id, id_type: 'app_id', sender_type: 'app', tenant_key: m.sender.tenant_key });
	assert.deepEqual(m.content, { text: 'build 42 passed' });
	const { chats } = await control<{ chats: any[] }>(sb.baseUrl, 'GET', 'chats');
	assert.equal(chats.find((c) => c.chat_id === bot.chat_id).name, 'Ops');
});

test('an unknown or removed bot answers 19001 (HTTP 200), whatever the body', async () => {
	const unknown = await post(`${sb.baseUrl}/open-apis/bot/v2/hook/00000000-0000-4000-8000-000000000000`, 'not even JSON');
	assert.equal(unknown.status, 200);
	assert.deepEqual(unknown.json, { code: 19001, msg: 'param invalid: incoming webhook access token invalid', data: {} });
	const bot = await addBot();
	assert.equal((await post(bot.webhook_url, text('still here'))).json.code, 0);
	await control(sb.baseUrl, 'DELETE', `custom-bots/${bot.token}`);
	assert.equal((await post(bot.webhook_url, text('gone'))).json.code, 19001);
	assert.equal((await messages(bot.chat_id)).length, 1);
});

test('signature verification: timestamp (seconds) and base64 HMAC-SHA256 keyed "timestamp\\nsecret" over ""; wrong, missing or an hour off is 19021', async () => {
	const bot = await addBot({ secret: 'shh-its-a-secret' });
	const ts = now();
	const ok = await post(bot.webhook_url, { timestamp: String(ts), sign: sign(ts, 'shh-its-a-secret'), ...text('signed') });
	assert.equal(ok.json.code, 0, JSON.stringify(ok.json));
	assert.equal((await post(bot.webhook_url, { timestamp: ts, sign: sign(ts, 'shh-its-a-secret'), ...text('number timestamp') })).json.code, 0);
	const within = now() - 3500;
	assert.equal((await post(bot.webhook_url, { timestamp: String(within), sign: sign(within, 'shh-its-a-secret'), ...text('59 minutes old') })).json.code, 0);

	const refused = [
		{ timestamp: String(ts), sign: sign(ts, 'wrong-secret'), ...text('wrong secret') },
		text('no signature'),
		{ timestamp: String(ts), ...text('no sign') },
		{ timestamp: String(ts - 3700), sign: sign(ts - 3700, 'shh-its-a-secret'), ...text('over an hour old') },
		{ timestamp: String(ts + 3700), sign: sign(ts + 3700, 'shh-its-a-secret'), ...text('over an hour ahead') },
		{ timestamp: `${ts}000`, sign: sign(`${ts}000`, 'shh-its-a-secret'), ...text('milliseconds') },
	];
	for (const body of refused) {
		const r = await post(bot.webhook_url, body);
		assert.equal(r.status, 200);
		assert.deepEqual(r.json, { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time', data: {} }, body.content.text);
	}
	assert.deepEqual((await messages(bot.chat_id)).map((m) => m.content.text), ['signed', 'number timestamp', '59 minutes old']);

	// Turning verification off (as in the console) makes the signature fields irrelevant.
	const unsigned = await control<Bot>(sb.baseUrl, 'POST', 'custom-bots', { token: bot.token, secret: false });
	assert.equal(unsigned.secret, '');
	assert.equal((await post(bot.webhook_url, text('verification off'))).json.code, 0);
	const generated = await control<Bot>(sb.baseUrl, 'POST', 'custom-bots', { token: bot.token, secret: true });
	assert.match(generated.secret, /^[A-Za-z0-9_-]{16,}$/, 'true generates a secret, as the console does');
});

test('keywords: a message must contain one in its text or titles (not in links); otherwise 19024 and nothing is posted', async () => {
	const bot = await addBot({ keywords: ['[alert]', 'deploy'] });
	assert.deepEqual((await post(bot.webhook_url, text('nothing to see'))).json, { code: 19024, msg: 'Key Words Not Found', data: {} });
	assert.equal((await post(bot.webhook_url, text('[alert] disk full'))).json.code, 0);
	const postWith = (title: string, href: string) => ({
		msg_type: 'post',
		content: { post: { zh_cn: { title, content: [[{ tag: 'text', text: 'see ' }, { tag: 'a', text: 'here', href }]] } } },
	});
	assert.equal((await post(bot.webhook_url, postWith('deploy done', 'https://example.com'))).json.code, 0, 'in the title');
	assert.equal((await post(bot.webhook_url, postWith('done', 'https://example.com/deploy'))).json.code, 19024, 'only in a link');
	const card = { msg_type: 'interactive', card: { elements: [{ tag: 'markdown', content: 'a **deploy** started' }] } };
	assert.equal((await post(bot.webhook_url, card)).json.code, 0, 'in card text');
	assert.equal((await messages(bot.chat_id)).length, 3);
});

test('IP whitelist: addresses, a.b.c.* and CIDR; a request from elsewhere is 19022', async () => {
	const elsewhere = await addBot({ ip_allowlist: ['10.0.0.0/8', '192.168.1.*'] });
	assert.deepEqual((await post(elsewhere.webhook_url, text('from loopback'))).json, { code: 19022, msg: 'Ip Not Allowed', data: {} });
	const here = await addBot({ ip_allowlist: ['127.0.0.*'] });
	assert.equal((await post(here.webhook_url, text('from loopback'))).json.code, 0);
	assert.ok(ipMatches('10.0.0.0/8', '10.200.3.4'));
	assert.ok(!ipMatches('10.0.0.0/8', '11.0.0.1'));
	assert.ok(ipMatches('123.1.1.1/24', '123.1.1.200'));
	assert.ok(ipMatches('123.12.1.*', '123.12.1.9'));
	assert.ok(!ipMatches('123.12.1.*', '123.12.2.9'));
	assert.ok(ipMatches('8.8.8.8', '8.8.8.8'));
	assert.ok(!ipMatches('8.8.8.8', '8.8.8.9'));
});

test('rate limit per bot: past it 9499 "too many request" (HTTP 400), other bots unaffected', async () => {
	const busy = await addBot();
	for (let i = 0; i < 5; i++) assert.equal((await post(busy.webhook_url, text(`n${i}`))).json.code, 0);
	const limited = await post(busy.webhook_url, text('one too many'));
	assert.equal(limited.status, 400);
	assert.deepEqual(limited.json, { code: 9499, msg: 'too many request', data: {} });
	assert.equal((await messages(busy.chat_id)).length, 5);
	const other = await addBot();
	assert.equal((await post(other.webhook_url, text('my own budget'))).json.code, 0);
});

test('a body Feishu cannot read is 9499 "Bad Request" (HTTP 400): not JSON, no content, unknown type, over 20 KB', async () => {
	const bot = await addBot();
	const bad = async (body: unknown) => {
		const r = await post(bot.webhook_url, body);
		assert.equal(r.status, 400);
		assert.equal(r.json.code, 9499, JSON.stringify(r.json));
		return String(r.json.msg);
	};
	assert.equal(await bad('{not json'), 'Bad Request');
	assert.equal(await bad({ msg_type: 'text' }), 'Bad Request: fail to parse content');
	assert.match(await bad({ msg_type: 'text', content: { text: '  ' } }), /^Bad Request: text content is empty/);
	assert.match(await bad({ msg_type: 'file', content: { file_key: 'file_x' } }), /not one a custom bot sends/);
	assert.match(await bad({ msg_type: 'post', content: { zh_cn: { content: [] } } }), /content\.post/, 'a post goes under content.post');
	assert.match(await bad({ msg_type: 'interactive', content: { elements: [] } }), /card/, 'a card goes in "card"');
	assert.equal(await bad(text('x'.repeat(21 * 1024))), 'Bad Request');
	assert.equal((await messages(bot.chat_id)).length, 0);
});

test('every type a custom bot sends is stored as Feishu keeps it: post unwrapped, card, image, shared chat', async () => {
	const bot = await addBot();
	const bodies = [
		{ msg_type: 'post', content: { post: { en_us: { title: 'Weekly', content: [[{ tag: 'text', text: 'all good' }, { tag: 'at', user_id: 'all', user_name: 'everyone' }]] } } } },
		{ msg_type: 'interactive', card: { header: { title: { tag: 'plain_text', content: 'Card' } }, elements: [{ tag: 'markdown', content: 'hi' }] } },
		{ msg_type: 'image', content: { image_key: 'img_v3_0abc' } },
		{ msg_type: 'share_chat', content: { share_chat_id: bot.chat_id } },
	];
	for (const body of bodies) assert.equal((await post(bot.webhook_url, body)).json.code, 0, body.msg_type);
	const stored = await messages(bot.chat_id);
	assert.deepEqual(stored.map((m) => m.msg_type), ['post', 'interactive', 'image', 'share_chat']);
	assert.deepEqual(stored[0].content, { title: 'Weekly', content: bodies[0].content!.post!.en_us.content });
	assert.equal(stored[1].content.header.title.content, 'Card');
	assert.deepEqual(stored[2].content, { image_key: 'img_v3_0abc' });
	assert.deepEqual(stored[3].content, { chat_id: bot.chat_id });
});

test('control API: a bot joins an existing group or a new one; limits of 10 keywords / IPs; changes by token keep the rest', async () => {
	const group = await control<{ chat_id: string }>(sb.baseUrl, 'POST', 'chats', { name: 'Existing group' });
	const bot = await addBot({ chat_id: group.chat_id, keywords: ['ci'] });
	assert.equal(bot.chat_id, group.chat_id);
	const changed = await control<Bot & { keywords: string[] }>(sb.baseUrl, 'POST', 'custom-bots', { token: bot.token, name: 'Renamed' });
	assert.deepEqual(changed.keywords, ['ci']);
	assert.equal(changed.chat_id, group.chat_id);
	const { custom_bots } = await control<{ custom_bots: Bot[] }>(sb.baseUrl, 'GET', 'custom-bots');
	assert.ok(custom_bots.some((b) => b.token === bot.token));

	await assert.rejects(addBot({ keywords: Array.from({ length: 11 }, (_, i) => `k${i}`) }), /HTTP 400.*at most 10/);
	await assert.rejects(addBot({ ip_allowlist: ['not-an-ip'] }), /HTTP 400/);
	await assert.rejects(addBot({ chat_id: 'nope' }), /HTTP 400/);
	await assert.rejects(control(sb.baseUrl, 'POST', 'custom-bots', { token: 'missing' }), /HTTP 404/);
	await assert.rejects(control(sb.baseUrl, 'DELETE', 'custom-bots/missing'), /HTTP 404/);
	await control(sb.baseUrl, 'POST', 'reset');
	assert.deepEqual((await control<{ custom_bots: Bot[] }>(sb.baseUrl, 'GET', 'custom-bots')).custom_bots, [], 'reset removes them');
});

test('junk on the webhook and the control route: a 4xx or a code, never a 5xx', async () => {
	const bot = await addBot({ secret: 's', keywords: ['k'], ip_allowlist: ['127.0.0.1'] });
	const bodies = ['', 'null', '[]', '42', '"str"', '{bad', '{"msg_type":["x"],"content":"x","card":7,"timestamp":{},"sign":1}', '{"msg_type":"post","content":{"post":[1]}}', '{"msg_type":"interactive","card":"{\\"elements\\":5}"}', '{"token":5,"keywords":"k","ip_allowlist":[1],"secret":[],"chat_id":7}'];
	const problems: string[] = [];
	for (const url of [bot.webhook_url, `${sb.baseUrl}/_sandbox/custom-bots`]) {
		for (const body of bodies) {
			const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
			await res.arrayBuffer();
			if (res.status >= 500) problems.push(`${url} ${body} -> ${res.status}`);
		}
	}
	assert.deepEqual(problems, []);
	assert.equal((await messages(bot.chat_id)).length, 0);
});
