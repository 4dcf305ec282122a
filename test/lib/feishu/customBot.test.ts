// The wire layer's group custom bots (lib/feishu/customBot.ts) against the sandbox: the URL check,
// the signature (a vector from elsewhere), the body per message type, Feishu's refusals as errors
// with their fix (19001, 19021, 19024, 9499), the rate-limit retry, and the hook's token kept out of
// every message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	assertCustomBotUrl,
	customBotBody,
	customBotSignature,
	customBotSignFields,
	FeishuApiError,
	FeishuNetworkError,
	FeishuValidationError,
	sendCustomBotMessage,
} from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { chatMessages, control, sandbox } from '../../helpers/sandbox';

let sb: Sandbox;
before(async () => {
	// 3 a minute per bot (Feishu: 100) so the limit is reached at once; 1 a second for the retry test.
	sb = await sandbox({ customBotRateLimitPerSecond: 1, customBotRateLimitPerMinute: 3 });
});
after(() => sb.close());

interface Bot {
	webhook_url: string;
	chat_id: string;
	token: string;
}
const addBot = (body: Record<string, unknown> = {}) => control<Bot>(sb, 'POST', 'custom-bots', body);
const text = (t: string) => ({ msgType: 'text', content: { text: t } });
/** Calls recorded for a bot's webhook. */
async function hookCalls(bot: Bot) {
	const { calls } = await control<{ calls: { path: string; body: any; code: number }[] }>(sb, 'GET', 'calls');
	return calls.filter((c) => c.path.endsWith(bot.token));
}

test('signature: base64 HMAC-SHA256 keyed "timestamp\\nsecret" over an empty message', () => {
	// The vector a third-party client pins (checked there against Python's hmac), see docs/protocol.md.
	assert.equal(customBotSignature('mysecret', 1700000000), 'Jp33/xXhCipDEpjyHvEyc7mRSyXWHbNz6J8+C3qQKNo=');
	assert.equal(customBotSignature('mysecret', '1700000000'), customBotSignature('mysecret', 1700000000));
	assert.notEqual(customBotSignature('mysecret', 1700000001), customBotSignature('mysecret', 1700000000));
	assert.deepEqual(customBotSignFields('mysecret', 1700000000_999), { timestamp: '1700000000', sign: 'Jp33/xXhCipDEpjyHvEyc7mRSyXWHbNz6J8+C3qQKNo=' }, 'whole seconds');
});

test('webhook URL: Feishu\'s or Lark\'s https hook, or loopback (the sandbox); anything else named clearly, the token never echoed', () => {
	assert.equal(assertCustomBotUrl(' https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd/ '), 'https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd');
	assert.equal(assertCustomBotUrl('https://OPEN.LARKSUITE.COM/open-apis/bot/v2/hook/abc_DEF-1'), 'https://open.larksuite.com/open-apis/bot/v2/hook/abc_DEF-1');
	assert.equal(assertCustomBotUrl('http://127.0.0.1:9800/open-apis/bot/v2/hook/t'), 'http://127.0.0.1:9800/open-apis/bot/v2/hook/t');
	const refused: [string, RegExp][] = [
		['', /is empty/],
		['open.feishu.cn/open-apis/bot/v2/hook/tok3n', /is not a URL/],
		['http://open.feishu.cn/open-apis/bot/v2/hook/tok3n', /uses http:\/\//],
		['https://oapi.dingtalk.com/robot/send?access_token=tok3n', /is on oapi\.dingtalk\.com, not Feishu's or Lark's host/],
		['https://open.feishu.cn:8443/open-apis/bot/v2/hook/tok3n', /not Feishu's or Lark's host/],
		['https://open.feishu.cn/open-apis/bot/v2/hook/tok3n?x=1', /query/],
		['https://open.feishu.cn/open-apis/bot/hook/tok3n', /version 1 hook/],
		['https://open.feishu.cn/open-apis/im/v1/messages', /wrong path/],
		['https://open.feishu.cn/open-apis/bot/v2/hook/', /wrong path/],
	];
	for (const [url, why] of refused) {
		assert.throws(
			() => assertCustomBotUrl(url),
			(e: unknown) => {
				assert.ok(e instanceof FeishuValidationError);
				assert.equal(e.field, 'Webhook URL');
				assert.match(e.message, why, url);
				assert.match(e.message, /should look like https:\/\/open\.feishu\.cn\/open-apis\/bot\/v2\/hook\/<token>/);
				assert.doesNotMatch(e.message, /tok3n/, 'the token stays out of the message');
				return true;
			},
		);
	}
});

test('bodies as the custom bot takes them: post under content.post, card as "card", shared chat by share_chat_id; checked first', () => {
	assert.deepEqual(customBotBody(text('hi')), { msg_type: 'text', content: { text: 'hi' } });
	const post = { zh_cn: { title: 'T', content: [[{ tag: 'text', text: 'x' }]] } };
	assert.deepEqual(customBotBody({ msgType: 'post', content: post }), { msg_type: 'post', content: { post } });
	assert.deepEqual(customBotBody({ msgType: 'post', content: { post } }), { msg_type: 'post', content: { post } }, 'the custom bot docs\' own shape is taken too');
	const card = { elements: [{ tag: 'markdown', content: 'm' }] };
	assert.deepEqual(customBotBody({ msgType: 'interactive', content: card }), { msg_type: 'interactive', card });
	assert.deepEqual(customBotBody({ msgType: 'image', content: { image_key: 'img_1' } }), { msg_type: 'image', content: { image_key: 'img_1' } });
	assert.deepEqual(customBotBody({ msgType: 'share_chat', content: { chat_id: 'oc_1' } }), { msg_type: 'share_chat', content: { share_chat_id: 'oc_1' } });
	assert.throws(() => customBotBody({ msgType: 'file', content: { file_key: 'f' } }), /msg_type: "file" cannot be sent by a custom bot/);
	assert.throws(() => customBotBody(text('')), (e: unknown) => e instanceof FeishuValidationError && e.field === 'text');
	assert.throws(() => customBotBody({ msgType: 'interactive', content: {} }), (e: unknown) => e instanceof FeishuValidationError && e.field === 'card');
});

test('send without a secret: Feishu\'s answer, the message in the group, no signature fields sent', async () => {
	const bot = await addBot();
	const res = await sendCustomBotMessage({ url: bot.webhook_url }, text('unsigned'));
	assert.equal(res.code, 0);
	assert.equal(res.msg, 'success');
	assert.match(String(res.logId), /^\d{14}/);
	assert.deepEqual((await chatMessages(sb, bot.chat_id)).map((m) => m.content.text), ['unsigned']);
	const [call] = await hookCalls(bot);
	assert.deepEqual(call.body, { msg_type: 'text', content: { text: 'unsigned' } });
});

test('send with a secret: signed with the current time; a wrong secret is 19021 with the fix', async () => {
	const bot = await addBot({ secret: 'right-secret' });
	const before = Math.floor(Date.now() / 1000);
	await sendCustomBotMessage({ url: bot.webhook_url, secret: ' right-secret ' }, { msgType: 'post', content: { zh_cn: { title: 'Signed', content: [[{ tag: 'text', text: 'ok' }]] } } });
	const [call] = await hookCalls(bot);
	assert.ok(Math.abs(Number(call.body.timestamp) - before) <= 2, 'seconds, now');
	assert.equal(call.body.sign, customBotSignature('right-secret', call.body.timestamp));
	assert.equal((await chatMessages(sb, bot.chat_id))[0].content.title, 'Signed');

	await assert.rejects(sendCustomBotMessage({ url: bot.webhook_url, secret: 'wrong-secret' }, text('x')), (e: unknown) => {
		assert.ok(e instanceof FeishuApiError);
		assert.equal(e.code, 19021);
		assert.equal(e.msg, 'sign match fail or timestamp is not within one hour from current time');
		assert.match(String(e.hint), /Signing Secret is empty or not the bot's current secret/);
		assert.match(String(e.hint), /clock/);
		assert.doesNotMatch(e.message, new RegExp(bot.token));
		return true;
	});
	await assert.rejects(sendCustomBotMessage({ url: bot.webhook_url }, text('no secret')), /19021/);
	// A clock more than an hour off is refused the same way.
	await assert.rejects(sendCustomBotMessage({ url: bot.webhook_url, secret: 'right-secret' }, text('late'), { now: () => Date.now() - 2 * 3600_000 }), /19021/);
	assert.equal((await chatMessages(sb, bot.chat_id)).length, 1);
});

test('keywords: 19024 with the fix; a removed bot: 19001 with the fix', async () => {
	const bot = await addBot({ keywords: ['n8n'] });
	await assert.rejects(sendCustomBotMessage({ url: bot.webhook_url }, text('plain')), (e: unknown) => {
		assert.ok(e instanceof FeishuApiError);
		assert.equal(e.code, 19024);
		assert.match(String(e.hint), /contains none of the custom bot's keywords/);
		return true;
	});
	await sendCustomBotMessage({ url: bot.webhook_url }, text('from n8n'));
	await control(sb, 'DELETE', `custom-bots/${bot.token}`);
	await assert.rejects(sendCustomBotMessage({ url: bot.webhook_url }, text('from n8n')), (e: unknown) => {
		assert.ok(e instanceof FeishuApiError);
		assert.equal(e.code, 19001);
		assert.match(String(e.hint), /Copy the Webhook URL again/);
		return true;
	});
});

test('rate limit: retried after a pause (nothing was posted); when the retries run out, 9499 with the fix', async () => {
	const bot = await addBot();
	await sendCustomBotMessage({ url: bot.webhook_url }, text('one'));
	// 1 a second: the second waits out the second's window and goes through.
	await sendCustomBotMessage({ url: bot.webhook_url }, text('two'), { rateLimitRetryDelayMs: 1100 });
	assert.deepEqual((await hookCalls(bot)).map((c) => c.code), [0, 9499, 0]);
	await new Promise((r) => setTimeout(r, 1100));
	await sendCustomBotMessage({ url: bot.webhook_url }, text('three'));
	// 3 a minute: the fourth cannot go through however often it is retried.
	await assert.rejects(sendCustomBotMessage({ url: bot.webhook_url }, text('four'), { rateLimitRetryDelayMs: 10 }), (e: unknown) => {
		assert.ok(e instanceof FeishuApiError);
		assert.equal(e.code, 9499);
		assert.equal(e.msg, 'too many request');
		assert.match(String(e.hint), /at most 5 messages a second and 100 a minute/);
		return true;
	});
	assert.deepEqual((await hookCalls(bot)).map((c) => c.code), [0, 9499, 0, 0, 9499, 9499, 9499], 'the first try and 2 retries');
	assert.deepEqual((await chatMessages(sb, bot.chat_id)).map((m) => m.content.text), ['one', 'two', 'three']);
});

test('checked before sending: a request over 20 KB, a bad URL (nothing reaches Feishu)', async () => {
	const bot = await addBot();
	await assert.rejects(sendCustomBotMessage({ url: bot.webhook_url }, text('x'.repeat(20 * 1024))), (e: unknown) => {
		assert.ok(e instanceof FeishuValidationError);
		assert.match(e.message, /a custom bot takes at most 20480/);
		return true;
	});
	await assert.rejects(sendCustomBotMessage({ url: 'https://example.com/open-apis/bot/v2/hook/x' }, text('x')), FeishuValidationError);
	assert.deepEqual(await hookCalls(bot), []);
});

test('a network error names the hook without its token', async () => {
	// Nothing listens on port 9 of this machine.
	await assert.rejects(sendCustomBotMessage({ url: 'http://127.0.0.1:9/open-apis/bot/v2/hook/very-secret-token' }, text('x'), { timeoutMs: 5000 }), (e: unknown) => {
		assert.ok(e instanceof FeishuNetworkError);
		assert.equal(e.url, 'http://127.0.0.1:9/open-apis/bot/v2/hook/***');
		assert.doesNotMatch(`${e.message} ${e.detail}`, /very-secret-token/);
		return true;
	});
});
