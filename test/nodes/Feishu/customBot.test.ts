// The Custom Bot resource through the Feishu node against the sandbox: its own credential (and
// only it), Send Message for text, rich text, cards and images, with and without a signing secret,
// Feishu's refusals as n8n errors that say how to fix them (19021, 19024, 9499), and the
// credential's Test, run the way n8n runs it (authenticate(), the request, the rules).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestOptions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeHelpers, NodeOperationError } from 'n8n-workflow';
import { FeishuCustomBotApi } from '../../../credentials/FeishuCustomBotApi.credentials';
import { customBotSignature } from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { resolveParameters, runNode } from '../../helpers/executeContext';
import { chatMessages, control, sandbox } from '../../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

const node = new Feishu();
const credentialType = new FeishuCustomBotApi();
let sb: Sandbox;

interface Bot {
	webhook_url: string;
	chat_id: string;
	token: string;
}
const addBot = (body: Record<string, unknown> = {}) => control<Bot>(sb, 'POST', 'custom-bots', body);

before(async () => {
	// 5 a minute per bot (Feishu: 100) so the rate limit is reached at once.
	sb = await sandbox({ customBotRateLimitPerMinute: 5 });
});
after(() => sb.close());

const run = (credentials: IDataObject, parameters: IDataObject, items?: INodeExecutionData[], continueOnFail = false) =>
	runNode({ node, parameters: { resource: 'customBot', operation: 'sendMessage', ...parameters }, items, credentialType, credentials: credentials as never, continueOnFail, typeVersion: 2 });
const creds = (bot: Bot, secret = '') => ({ webhookUrl: bot.webhook_url, secret });
async function hookCalls(bot: Bot) {
	const { calls } = await control<{ calls: { path: string; body: any; code: number }[] }>(sb, 'GET', 'calls');
	return calls.filter((c) => c.path.endsWith(bot.token));
}

test('the node asks for the webhook credential for Custom Bot only, and for the app credential everywhere else', () => {
	const needs = (resource: string) =>
		node.description.credentials!.filter((c) => {
			const values = resolveParameters({ id: 'n', name: 'F', type: 'x', typeVersion: 2, position: [0, 0], parameters: { resource } } as never, node.description);
			return NodeHelpers.displayParameter(values as never, c, { typeVersion: 2 } as never, node.description);
		}).map((c) => `${c.name}${c.required ? '' : '?'}`);
	assert.deepEqual(needs('customBot'), ['feishuCustomBotApi']);
	for (const resource of ['message', 'chat', 'callback']) assert.deepEqual(needs(resource), ['feishuApi'], resource);
	// A saved node without a resource is a Message node (n8n fills the default in before it checks).
	const saved = resolveParameters({ id: 'n', name: 'F', type: 'x', typeVersion: 1, position: [0, 0], parameters: { text: 'hi' } } as never, node.description);
	assert.deepEqual(node.description.credentials!.filter((c) => NodeHelpers.displayParameter(saved as never, c, { typeVersion: 1 } as never, node.description)).map((c) => c.name), ['feishuApi']);
});

test('Send Message shows the fields of its message type', () => {
	const shown = (parameters: IDataObject) =>
		Object.keys(resolveParameters({ id: 'n', name: 'F', type: 'x', typeVersion: 2, position: [0, 0], parameters: { resource: 'customBot', ...parameters } } as never, node.description)).sort();
	assert.deepEqual(shown({}), ['msgType', 'operation', 'options', 'resource', 'text']);
	assert.deepEqual(shown({ msgType: 'post' }), ['msgType', 'operation', 'postInput', 'postLocale', 'postText', 'postTitle', 'resource']);
	assert.deepEqual(shown({ msgType: 'post', postInput: 'json' }), ['msgType', 'operation', 'postInput', 'postJson', 'resource']);
	assert.deepEqual(shown({ msgType: 'interactive' }), ['cardButtons', 'cardMarkdown', 'cardSource', 'cardTemplate', 'cardTitle', 'msgType', 'operation', 'resource']);
	assert.deepEqual(shown({ msgType: 'interactive', cardSource: 'template' }), ['cardSource', 'msgType', 'operation', 'resource', 'templateId', 'templateVariables']);
	assert.deepEqual(shown({ msgType: 'image' }), ['imageKey', 'msgType', 'operation', 'resource']);
	const buttons = node.description.properties.find((p) => p.name === 'cardButtons' && p.displayOptions?.show?.resource?.[0] === 'customBot')!;
	const values = (buttons.options as { values: { name: string }[] }[])[0].values.map((v) => v.name);
	assert.deepEqual(values, ['text', 'url', 'type'], 'a custom bot\'s card cannot call back: link buttons, no Value');
	const msgType = node.description.properties.find((p) => p.name === 'msgType' && p.displayOptions?.show?.resource?.[0] === 'customBot')!;
	const names = (msgType.options as { name: string }[]).map((o) => o.name);
	assert.deepEqual(names, [...names].sort(), 'sorted');
});

test('text without a secret: posted through n8n\'s request helper, one output item per input, mentions', async () => {
	const bot = await addBot();
	const r = await run(creds(bot), { text: '={{ $json.line }}', options: { mentionAll: true, mentionUserIds: 'ou_a' } }, [{ json: { line: 'first' } }, { json: { line: 'second' } }]);
	assert.ifError(r.error);
	assert.deepEqual(r.output![0].map((o) => o.json), [{ sent: true, msg_type: 'text' }, { sent: true, msg_type: 'text' }]);
	assert.deepEqual(r.output![0].map((o) => o.pairedItem), [{ item: 0 }, { item: 1 }]);
	assert.deepEqual(r.requests.map((q) => q.url), [bot.webhook_url, bot.webhook_url], 'through n8n, nothing else called');
	const stored = await chatMessages(sb, bot.chat_id);
	assert.deepEqual(stored.map((m) => m.content.text), ['@_all @_user_1 first', '@_all @_user_1 second']);
	assert.equal(stored[0].from, 'custom_bot');
});

test('with a signing secret: every request signed; a wrong secret is a NodeApiError that starts with the fix, per item with Continue On Fail', async () => {
	const bot = await addBot({ secret: 'bot-secret' });
	const ok = await run(creds(bot, 'bot-secret'), { msgType: 'post', postTitle: 'Release', postText: 'v1.2 is out\n[notes](https://example.com/notes)', postLocale: 'en_us' });
	assert.ifError(ok.error);
	const [call] = await hookCalls(bot);
	assert.equal(call.body.sign, customBotSignature('bot-secret', call.body.timestamp));
	assert.deepEqual(call.body.content, { post: { en_us: { title: 'Release', content: [[{ tag: 'text', text: 'v1.2 is out' }], [{ tag: 'a', text: 'notes', href: 'https://example.com/notes' }]] } } });

	const wrong = await run(creds(bot, 'not-the-secret'), { text: 'x' });
	assert.ok(wrong.error instanceof NodeApiError, String(wrong.error));
	assert.match(wrong.error.message, /^Feishu error 19021: sign match fail/);
	assert.match(String(wrong.error.description), /^The signature was refused: the custom bot has signature verification on/);
	const unsigned = await run(creds(bot), { text: 'x' }, [{ json: {} }], true);
	assert.ifError(unsigned.error);
	assert.equal(unsigned.output![0][0].json.code, 19021);
	assert.match(String(unsigned.output![0][0].json.hint), /Signing Secret is empty/);
	assert.equal((await chatMessages(sb, bot.chat_id)).length, 1);
});

test('a keyword rule: 19024 with the fix; a message with the keyword posts', async () => {
	const bot = await addBot({ keywords: ['[CI]'] });
	const r = await run(creds(bot), { text: 'build failed' });
	assert.ok(r.error instanceof NodeApiError, String(r.error));
	assert.match(r.error.message, /19024/);
	assert.match(String(r.error.description), /^The message contains none of the custom bot's keywords/);
	assert.ifError((await run(creds(bot), { text: '[CI] build failed' })).error);
});

test('the rate limit: retried, then 9499 with the fix once the bot\'s minute is used up', async () => {
	const bot = await addBot();
	const r = await run(creds(bot), { text: '={{ $json.n }}' }, [1, 2, 3, 4, 5, 6].map((n) => ({ json: { n: `message ${n}` } })), true);
	assert.ifError(r.error);
	const out = r.output![0].map((o) => o.json);
	assert.deepEqual(out.slice(0, 5), Array(5).fill({ sent: true, msg_type: 'text' }));
	assert.equal(out[5].code, 9499);
	assert.equal(out[5].msg, 'too many request');
	assert.match(String(out[5].hint), /^Feishu rate-limited the custom bot \(at most 5 messages a second and 100 a minute per bot\)/);
	assert.equal((await hookCalls(bot)).length, 8, 'the sixth tried once and retried twice');
});

test('cards: the builder (link buttons, no callback value), Card JSON, a template; an image by key', async () => {
	const bot = await addBot();
	let r = await run(creds(bot), {
		msgType: 'interactive', cardTitle: 'Deploy', cardTemplate: 'green', cardMarkdown: '**prod** is live',
		cardButtons: { button: [{ text: 'Open', url: 'https://example.com', type: 'primary' }] },
	});
	assert.ifError(r.error);
	let [call] = (await hookCalls(bot)).slice(-1);
	assert.equal(call.body.card.header.title.content, 'Deploy');
	assert.deepEqual(call.body.card.elements[1].actions[0], { tag: 'button', text: { tag: 'plain_text', content: 'Open' }, type: 'primary', url: 'https://example.com' });
	assert.equal(call.body.content, undefined, 'a card goes in "card"');

	r = await run(creds(bot), { msgType: 'interactive', cardSource: 'json', cardJson: '{"schema":"2.0","body":{"elements":[{"tag":"markdown","content":"v2"}]}}' });
	assert.ifError(r.error);
	r = await run(creds(bot), { msgType: 'interactive', cardSource: 'template', templateId: 'AAqTpl', templateVariables: '{"who":"n8n"}' });
	assert.ifError(r.error);
	[call] = (await hookCalls(bot)).slice(-1);
	assert.deepEqual(call.body.card, { type: 'template', data: { template_id: 'AAqTpl', template_variable: { who: 'n8n' } } });

	r = await run(creds(bot), { msgType: 'image', imageKey: 'img_v3_custom' });
	assert.ifError(r.error);
	assert.deepEqual((await chatMessages(sb, bot.chat_id)).map((m) => m.msg_type), ['interactive', 'interactive', 'interactive', 'image']);
});

test('checked before anything is sent: the credential\'s URL, the content', async () => {
	let r = await run({ webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=abc', secret: '' }, { text: 'x' });
	assert.ok(r.error instanceof NodeOperationError, String(r.error));
	assert.match(r.error.message, /^Webhook URL: is on oapi\.dingtalk\.com, not Feishu's or Lark's host; it should look like https:\/\/open\.feishu\.cn\/open-apis\/bot\/v2\/hook\/<token>/);
	assert.equal(r.requests.length, 0);
	const bot = await addBot();
	r = await run(creds(bot), { msgType: 'post', postInput: 'json', postJson: '{"zh_cn":{"content":"not paragraphs"}}' });
	assert.ok(r.error instanceof NodeOperationError, String(r.error));
	assert.match(r.error.message, /post\.zh_cn\.content/);
	assert.equal(r.requests.length, 0);
});

/** The credential's Test as n8n runs it: the request from `test`, through authenticate(), then the rules on the answer. */
async function credentialTest(credentials: ICredentialDataDecryptedObject): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const resolve = (v: unknown): unknown => {
		if (typeof v !== 'string' || !v.startsWith('={{')) return v;
		return new Function('$credentials', `return (${v.slice(3, -2)});`)(credentials);
	};
	const request = credentialType.test.request as IHttpRequestOptions;
	let options: IHttpRequestOptions;
	try {
		options = await credentialType.authenticate(credentials, { ...request, url: String(resolve(request.url)) });
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	const res = await fetch(options.url, { method: options.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(options.body), redirect: 'manual' });
	// Without ignoreHttpStatusErrors n8n fails the test on any status but 2xx (Feishu's 9499 comes with 400).
	if (!options.ignoreHttpStatusErrors && (res.status < 200 || res.status > 299)) return { status: 'Error', message: `Received HTTP status code: ${res.status}` };
	const json = (await res.json()) as IDataObject;
	for (const rule of credentialType.test.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && json[rule.properties.key] === rule.properties.value) return { status: 'Error', message: rule.properties.message };
	}
	return { status: 'OK', message: `answered code ${String(json.code)}` };
}

test('the credential\'s Test: passes for a working hook without posting; names the fix for an unknown hook, a wrong secret, a bad URL', async () => {
	const bot = await addBot({ secret: 'test-secret', keywords: ['only-this'] });
	assert.deepEqual(await credentialTest(creds(bot, 'test-secret')), { status: 'OK', message: 'answered code 9499' });
	assert.deepEqual(await chatMessages(sb, bot.chat_id), [], 'nothing was posted');
	const [call] = await hookCalls(bot);
	assert.equal(call.body.sign, customBotSignature('test-secret', call.body.timestamp), 'authenticate() signed the test request');

	const wrongSecret = await credentialTest(creds(bot, 'nope'));
	assert.equal(wrongSecret.status, 'Error');
	assert.match(wrongSecret.message, /^Feishu code 19021: The signature was refused/);
	const gone = await credentialTest({ webhookUrl: `${sb.baseUrl}/open-apis/bot/v2/hook/00000000-0000-4000-8000-000000000000`, secret: '' });
	assert.match(gone.message, /^Feishu code 19001: Feishu does not know this webhook/);
	const bad = await credentialTest({ webhookUrl: 'https://open.feishu.cn/open-apis/bot/hook/old', secret: '' });
	assert.match(bad.message, /^Webhook URL: is a version 1 hook/);

	// Unsigned hooks pass unsigned: authenticate() leaves the body alone without a secret.
	const plain = await addBot();
	assert.equal((await credentialTest(creds(plain))).status, 'OK');
	assert.deepEqual((await hookCalls(plain))[0].body, { msg_type: 'text' });
});
