// The Feishu action node's execute() in a real-enough n8n execution context (test/helpers): every
// operation against the sandbox through n8n's helpers.httpRequest (token fetch included), paired
// items, "Continue on fail", NodeApiError details, the card-action answer, the credential's
// authenticate() (which n8n's HTTP Request node uses).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeHelpers, NodeOperationError } from 'n8n-workflow';
import { FeishuApi } from '../../../credentials/FeishuApi.credentials';
import type { Sandbox } from '../../../sandbox/server';
import { binaryItem, resolveParameters, runNode } from '../../helpers/executeContext';
import { APP, apiCalls, chatMessages, control, sandbox, tinyPng, tokenFetches, userSays } from '../../helpers/sandbox';

// 'Feishu.node' alone resolves to the codex file Feishu.node.json at run time: name the .ts file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../../nodes/Feishu/Feishu.node.ts') as typeof import('../../../nodes/Feishu/Feishu.node');

let sb: Sandbox;
const CHAT = 'oc_node_test_chat_0001';
const node = new Feishu();
const credentialType = new FeishuApi();
let credentials: IDataObject;

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: `${sb.baseUrl}/`, encryptKey: '', verificationToken: '' };
	await userSays(sb, CHAT, { text: 'hello' });
});
after(async () => {
	await sb.close();
});

const run = (parameters: IDataObject, items?: INodeExecutionData[], continueOnFail = false) =>
	runNode({ node, parameters, items, credentialType, credentials: credentials as never, continueOnFail });

async function lastCall() {
	const calls = await apiCalls(sb);
	return calls[calls.length - 1];
}

test('send text to a chat: output is the message, the request carries the tenant token', async () => {
	const r = await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, text: 'from n8n' });
	assert.ifError(r.error);
	const out = r.output![0];
	assert.equal(out.length, 1);
	assert.match(String(out[0].json.message_id), /^om_/);
	assert.deepEqual(out[0].json.content, { text: 'from n8n' });
	assert.deepEqual(out[0].pairedItem, { item: 0 });
	const send = r.requests.find((q) => String(q.url).endsWith('/open-apis/im/v1/messages'));
	assert.match(String((send?.headers as IDataObject | undefined)?.Authorization), /^Bearer \S+/);
	const call = await lastCall();
	const { uuid, ...body } = call.body;
	assert.match(uuid, /^[0-9a-f-]{36}$/, 'a generated idempotency uuid');
	assert.deepEqual(body, { receive_id: CHAT, msg_type: 'text', content: '{"text":"from n8n"}' });
});

test('text mentions, card builder and template via parameters', async () => {
	let r = await run({
		resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, text: 'look',
		options: { mentionUserIds: 'ou_a, ou_b', mentionAll: true, uuid: 'node-uuid-1' },
	});
	assert.ifError(r.error);
	let call = await lastCall();
	assert.equal(JSON.parse(call.body.content).text, '<at user_id="all">all</at> <at user_id="ou_a"></at> <at user_id="ou_b"></at> look');
	assert.equal(call.body.uuid, 'node-uuid-1');

	r = await run({
		resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'interactive',
		cardTitle: 'Approve?', cardTemplate: 'green', cardMarkdown: '**deploy**',
		cardButtons: { button: [{ text: 'Yes', value: '{"ok":true}', url: '', type: 'primary' }] },
	});
	assert.ifError(r.error);
	call = await lastCall();
	const card = JSON.parse(call.body.content);
	assert.equal(card.header.template, 'green');
	assert.deepEqual(card.elements[1].actions[0].value, { ok: true });

	r = await run({
		resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'interactive',
		cardSource: 'template', templateId: 'AAqNodeTpl', templateVariables: '{"n":1}',
	});
	assert.ifError(r.error);
	assert.deepEqual(JSON.parse((await lastCall()).body.content), { type: 'template', data: { template_id: 'AAqNodeTpl', template_variable: { n: 1 } } });

	r = await run({
		resource: 'message', operation: 'send', receiveIdType: 'open_id', receiveId: 'ou_node_user', msgType: 'post',
		postTitle: 'Hi', postText: 'a\nb',
	});
	assert.ifError(r.error);
	assert.deepEqual(JSON.parse((await lastCall()).body.content), { zh_cn: { title: 'Hi', content: [[{ tag: 'text', text: 'a' }], [{ tag: 'text', text: 'b' }]] } });
});

test('reply defaults to the triggering message ($json.message_id) and can reply in thread', async () => {
	const { message_id } = await userSays(sb, CHAT, { text: 'question?' });
	const triggerItem = { json: { event_type: 'im.message.receive_v1', message_id, chat_id: CHAT, text: 'question?' } };
	const r = await run({ resource: 'message', operation: 'reply', text: 'answer', options: { replyInThread: true } }, [triggerItem]);
	assert.ifError(r.error);
	assert.equal(r.output![0][0].json.parent_id, message_id);
	const call = await lastCall();
	assert.equal(call.path, `/open-apis/im/v1/messages/${message_id}/reply`);
	assert.equal(call.body.reply_in_thread, true);
});

test('edit, get, forward, update card, recall through the node', async () => {
	const sent = (await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, text: 'v1' })).output![0][0].json;
	const item = { json: { message_id: sent.message_id } };

	let r = await run({ resource: 'message', operation: 'edit', text: 'v2' }, [item]);
	assert.ifError(r.error);
	assert.equal((await lastCall()).method, 'PUT');

	r = await run({ resource: 'message', operation: 'get' }, [item]);
	assert.ifError(r.error);
	assert.deepEqual(r.output![0][0].json.content, { text: 'v2' });

	r = await run({ resource: 'message', operation: 'forward', receiveIdType: 'open_id', receiveId: 'ou_node_user' }, [item]);
	assert.ifError(r.error);
	assert.notEqual(r.output![0][0].json.message_id, sent.message_id);

	const card = (await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'interactive', cardTitle: 'c1' })).output![0][0].json;
	r = await run({ resource: 'message', operation: 'updateCard', messageId: card.message_id, cardSource: 'json', cardJson: '{"elements":[{"tag":"markdown","content":"c2"}]}' });
	assert.ifError(r.error);
	assert.deepEqual(r.output![0][0].json, { message_id: card.message_id, updated: true });
	assert.equal((await lastCall()).method, 'PATCH');

	r = await run({ resource: 'message', operation: 'recall' }, [item]);
	assert.ifError(r.error);
	assert.deepEqual(r.output![0][0].json, { message_id: sent.message_id, recalled: true });
	assert.equal((await chatMessages(sb, CHAT)).find((m) => m.message_id === sent.message_id).deleted, true);
});

test('upload image and file from binary, send them, download them back: identical bytes', async () => {
	const png = tinyPng();
	let r = await run({ resource: 'message', operation: 'uploadImage' }, [binaryItem(png, 'dot.png', 'image/png')]);
	assert.ifError(r.error);
	const imageKey = String(r.output![0][0].json.image_key);
	assert.match(imageKey, /^img_/);

	const bytes = randomBytes(50_000);
	r = await run({ resource: 'message', operation: 'uploadFile', options: { fileName: 'data.bin' } }, [binaryItem(bytes, 'x.bin', 'application/octet-stream')]);
	assert.ifError(r.error);
	const fileKey = String(r.output![0][0].json.file_key);

	const imgMsg = (await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'image', imageKey })).output![0][0].json;
	const fileMsg = (await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'file', fileKey })).output![0][0].json;

	// Defaults: message, key and type from a Feishu Trigger item for a received image message.
	const triggerItem = { json: { event_type: 'im.message.receive_v1', message_id: imgMsg.message_id, message_type: 'image', content: { image_key: imageKey } } };
	r = await run({ resource: 'message', operation: 'downloadResource' }, [triggerItem]);
	assert.ifError(r.error);
	const imgOut = r.output![0][0];
	assert.ok(Buffer.from(imgOut.binary!.data.data, 'base64').equals(png));
	assert.equal(imgOut.binary!.data.mimeType, 'image/png');

	r = await run({ resource: 'message', operation: 'downloadResource', binaryPropertyName: 'file' }, [
		{ json: { message_id: fileMsg.message_id, message_type: 'file', content: { file_key: fileKey, file_name: 'data.bin' } } },
	]);
	assert.ifError(r.error);
	const fileOut = r.output![0][0];
	assert.ok(Buffer.from(fileOut.binary!.file.data, 'base64').equals(bytes));
	assert.equal(fileOut.json.file_name, 'data.bin');
	assert.equal((await lastCall()).path, `/open-apis/im/v1/messages/${fileMsg.message_id}/resources/${fileKey}`);
});

test('version 2 sends an n8n binary in one step: uploaded (audio as opus), then sent by its key; by key still works', async () => {
	const v2 = (parameters: IDataObject, items?: INodeExecutionData[]) => runNode({ node, parameters, items, credentialType, credentials: credentials as never, typeVersion: 2 });
	const chatId = { __rl: true, mode: 'id', value: CHAT };
	const png = tinyPng();
	let r = await v2({ resource: 'message', operation: 'send', chatId, msgType: 'image' }, [binaryItem(png, 'dot.png', 'image/png')]);
	assert.ifError(r.error);
	const image = r.output![0][0].json;
	assert.equal(image.msg_type, 'image');
	const imageKey = String((image.content as IDataObject).image_key);
	const calls = await apiCalls(sb);
	assert.deepEqual(calls.slice(-2).map((c) => c.path), ['/open-apis/im/v1/images', '/open-apis/im/v1/messages'], 'upload, then send');
	const back = await run({ resource: 'message', operation: 'downloadResource' }, [{ json: { message_id: image.message_id, message_type: 'image', content: { image_key: imageKey } } }]);
	assert.ok(Buffer.from(back.output![0][0].binary!.data.data, 'base64').equals(png), 'the bytes sent are the bytes Feishu has');

	r = await v2({ resource: 'message', operation: 'reply', msgType: 'audio', binaryPropertyName: 'voice' }, [
		{ json: { message_id: image.message_id }, binary: { voice: { data: randomBytes(300).toString('base64'), mimeType: 'audio/ogg', fileName: 'note.ogg' } } },
	]);
	assert.ifError(r.error);
	assert.equal(r.output![0][0].json.msg_type, 'audio');
	const upload = (await apiCalls(sb)).filter((c) => c.path === '/open-apis/im/v1/files').at(-1)!;
	assert.equal(upload.body.multipart.file_type, 'opus', 'audio goes up as opus, as Feishu requires');

	r = await v2({ resource: 'message', operation: 'send', chatId, msgType: 'image', uploadFrom: 'key', imageKey });
	assert.ifError(r.error);
	assert.deepEqual(r.output![0][0].json.content, { image_key: imageKey });

	r = await v2({ resource: 'message', operation: 'send', chatId, msgType: 'file' }, [{ json: {} }]);
	assert.match(String(r.error?.message), /binary file 'data'/, 'no binary: n8n\'s own clear error');
});

test('continue on fail: per-item errors with Feishu code/log_id or the invalid field; paired items kept', async () => {
	const items = [{ json: { to: CHAT, t: 'ok' } }, { json: { to: 'oc_unknown_chat_zz', t: 'nope' } }, { json: { to: CHAT, t: '' } }];
	const r = await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: '={{ $json.to }}', text: '={{ $json.t }}' }, items, true);
	assert.ifError(r.error);
	const out = r.output![0];
	assert.deepEqual(out.map((o) => o.pairedItem), [{ item: 0 }, { item: 1 }, { item: 2 }]);
	assert.match(String(out[0].json.message_id), /^om_/);
	assert.equal(out[1].json.code, 230002);
	assert.match(String(out[1].json.log_id), /\S+/);
	assert.match(String(out[1].json.hint), /add the bot to the group/, 'the fix for the code');
	assert.equal(out[2].json.field, 'text');
});

test('without continue on fail: NodeApiError with Feishu code, msg and log_id; validation -> NodeOperationError', async () => {
	let r = await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: 'oc_unknown_chat_zz', text: 'x' });
	assert.ok(r.error instanceof NodeApiError, String(r.error));
	assert.match(r.error.message, /230002/);
	assert.match(r.error.message, /out of the chat/);
	const logId = (await lastCall()).log_id;
	assert.match(String(r.error.description), new RegExp(logId));
	assert.match(String(r.error.description), /^The bot is not in this chat: add the bot to the group/, 'the description starts with the fix');

	r = await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'interactive', cardSource: 'json', cardJson: '{bad' });
	assert.ok(r.error instanceof NodeOperationError, String(r.error));
	assert.match(r.error.message, /Card JSON/);
});

test('invalid token through n8n\'s request path: refreshed once and retried', async () => {
	await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, text: 'warm' });
	const fetches = await tokenFetches(sb);
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 1, code: 99991663, http_status: 400 } });
	const r = await run({ resource: 'message', operation: 'send', receiveIdType: 'chat_id', receiveId: CHAT, text: 'after refresh' });
	assert.ifError(r.error);
	assert.equal((await tokenFetches(sb)) - fetches, 1);
	// The refresh goes through n8n too: the refused send, the token fetch, the send again.
	assert.deepEqual(
		r.requests.map((q) => new URL(String(q.url)).pathname),
		['/open-apis/im/v1/messages', '/open-apis/auth/v3/tenant_access_token/internal', '/open-apis/im/v1/messages'],
	);
	const calls = await apiCalls(sb);
	assert.deepEqual(calls.slice(-2).map((c) => c.code), [99991663, 0]);
});

test('respond to card action: sendResponse gets the toast and the new card', async () => {
	const r = await run(
		{ resource: 'callback', operation: 'respondToCardAction', toastType: 'success', toastContent: 'Approved', respondWithCard: true, cardTitle: 'Done', cardTemplate: 'green' },
		[{ json: { event_type: 'card.action.trigger', action: { value: { ok: true } } } }],
	);
	assert.ifError(r.error);
	assert.equal(r.responses.length, 1);
	const response = r.responses[0] as any;
	assert.equal(response.statusCode, 200, 'full-response shape, so a webhook trigger answers with its body');
	const answer = response.body;
	assert.deepEqual(answer.toast, { type: 'success', content: 'Approved' });
	assert.equal(answer.card.type, 'raw');
	assert.equal(answer.card.data.header.title.content, 'Done');
	assert.deepEqual(r.output![0][0].pairedItem, { item: 0 });
	assert.equal(r.requests.length, 0, 'no API call needed');
});

test('credential: authenticate() shows Feishu\'s message for a wrong secret', async () => {
	await assert.rejects(
		credentialType.authenticate({ ...credentials, appSecret: 'wrong' } as never, { url: '/x' }),
		(e: unknown) => {
			assert.ok(e instanceof Error);
			assert.match(e.message, /^Invalid App Secret: Feishu says "app secret invalid" \(code 10014\)\. Copy the App ID and App Secret again/);
			assert.equal((e as { code?: unknown }).code, undefined, 'no code property: n8n would show it instead of the message');
			return true;
		},
	);
	await assert.rejects(credentialType.authenticate({ ...credentials, appId: 'cli_unknown' } as never, { url: '/x' }), /^Error: Invalid App ID: Feishu says ".+" \(code 10003\)/);
	const ok = await credentialType.authenticate(credentials as never, { url: '/x', headers: { A: 'b' } });
	assert.match(String((ok.headers as IDataObject).Authorization), /^Bearer /);
	assert.equal((ok.headers as IDataObject).A, 'b');
});

test('each operation displays only the parameters it uses (n8n\'s own parameter resolution)', () => {
	const resolved = (parameters: IDataObject) => Object.keys(resolveParameters({ id: 'n', name: 'F', type: 'x', typeVersion: 1, position: [0, 0], parameters } as never, node.description));
	// Authentication (bot or user) is node-wide: every resource has it but Custom Bot, which has its own credential.
	assert.ok(resolved({ resource: 'message', operation: 'send' }).includes('authentication'));
	assert.ok(!resolved({ resource: 'customBot' }).includes('authentication'));
	const shown = (parameters: IDataObject) => resolved(parameters).filter((name) => name !== 'authentication').sort();
	assert.deepEqual(shown({ resource: 'message', operation: 'send' }), ['msgType', 'operation', 'options', 'receiveId', 'receiveIdType', 'resource', 'text']);
	assert.deepEqual(shown({ resource: 'message', operation: 'send', msgType: 'post' }), ['msgType', 'operation', 'options', 'postInput', 'postLocale', 'postText', 'postTitle', 'receiveId', 'receiveIdType', 'resource']);
	assert.deepEqual(shown({ resource: 'message', operation: 'send', msgType: 'interactive' }), ['cardButtons', 'cardMarkdown', 'cardSource', 'cardTemplate', 'cardTitle', 'msgType', 'operation', 'options', 'receiveId', 'receiveIdType', 'resource']);
	assert.deepEqual(shown({ resource: 'message', operation: 'updateCard', cardSource: 'json' }), ['cardJson', 'cardSource', 'messageId', 'operation', 'resource']);
	assert.deepEqual(shown({ resource: 'message', operation: 'recall' }), ['messageId', 'operation', 'resource']);
	assert.deepEqual(shown({ resource: 'message', operation: 'downloadResource' }), ['binaryPropertyName', 'messageId', 'operation', 'resource', 'resourceKey', 'resourceType']);
	assert.deepEqual(shown({ resource: 'callback', operation: 'respondToCardAction' }), ['operation', 'resource', 'respondWithCard', 'toastContent', 'toastType']);
	assert.deepEqual(shown({ resource: 'callback', operation: 'respondToCardAction', respondWithCard: true, cardSource: 'template' }), ['cardSource', 'operation', 'resource', 'respondWithCard', 'templateId', 'templateVariables', 'toastContent', 'toastType']);
	assert.deepEqual(shown({ resource: 'customBot' }), ['msgType', 'operation', 'options', 'resource', 'text']);
	assert.deepEqual(shown({ resource: 'customBot', msgType: 'interactive', cardSource: 'json' }), ['cardJson', 'cardSource', 'msgType', 'operation', 'resource']);
});

test('the editor hides the card fields once Message Type leaves Card, though it keeps their values', () => {
	// The editor decides each field on the node's raw parameter values (n8n-workflow's displayParameter),
	// and a hidden parameter keeps its value: Card Source stays "builder" after Card → Text.
	const visible = (values: IDataObject) =>
		node.description.properties
			.filter((p) => NodeHelpers.displayParameter(values as never, p, { typeVersion: 1 } as never, node.description))
			.map((p) => p.name)
			.sort();
	const cardFields = ['cardButtons', 'cardMarkdown', 'cardSource', 'cardTemplate', 'cardTitle'];
	const card = { resource: 'message', operation: 'send', msgType: 'interactive', cardSource: 'builder' };
	assert.deepEqual(visible(card).filter((n) => cardFields.includes(n)), cardFields);
	for (const msgType of ['text', 'post', 'image']) {
		const left = visible({ ...card, msgType });
		assert.deepEqual(left.filter((n) => n.startsWith('card')), [], `after Card → ${msgType}`);
	}
	assert.deepEqual(visible({ ...card, operation: 'recall' }).filter((n) => n.startsWith('card')), [], 'after Send → Recall');
	assert.deepEqual(visible({ resource: 'callback', operation: 'respondToCardAction', respondWithCard: false, cardSource: 'json' }).filter((n) => n.startsWith('card')), []);
	assert.deepEqual(visible({ resource: 'message', operation: 'updateCard', cardSource: 'json' }).filter((n) => n.startsWith('card')), ['cardJson', 'cardSource']);
	const botCard = { resource: 'customBot', operation: 'sendMessage', msgType: 'interactive', cardSource: 'builder' };
	assert.deepEqual(visible(botCard).filter((n) => cardFields.includes(n)), cardFields);
	assert.deepEqual(visible({ ...botCard, msgType: 'text' }).filter((n) => n.startsWith('card')), [], 'the custom bot\'s card fields too');
});

test('version 2 shows the chat or user picker by "Send To"; every parameter a panel shows says what it is for', () => {
	// Authentication is node-wide (the test above checks where it shows).
	const shown = (parameters: IDataObject) =>
		Object.keys(resolveParameters({ id: 'n', name: 'F', type: 'x', typeVersion: 2, position: [0, 0], parameters } as never, node.description))
			.filter((name) => name !== 'authentication')
			.sort();
	assert.deepEqual(shown({ resource: 'message', operation: 'send' }), ['chatId', 'msgType', 'operation', 'options', 'receiveIdType', 'resource', 'text']);
	assert.deepEqual(shown({ resource: 'message', operation: 'send', receiveIdType: 'open_id' }), ['msgType', 'operation', 'options', 'receiveIdType', 'resource', 'text', 'userId']);
	assert.deepEqual(shown({ resource: 'message', operation: 'forward', receiveIdType: 'email' }), ['messageId', 'operation', 'options', 'receiveId', 'receiveIdType', 'resource']);

	// Resource, Operation and the Options collections are self-explanatory (n8n's own nodes leave them bare).
	const selfExplanatory = new Set(['resource', 'operation', 'options']);
	const undocumented = (properties: INodeProperties[], values: IDataObject, version: number, path: string): string[] =>
		properties
			.filter((p) => p.type !== 'notice' && NodeHelpers.displayParameter(values as never, p, { typeVersion: version, parameters: values } as never, node.description))
			.flatMap((p) => {
				const here = selfExplanatory.has(p.name) || p.description ? [] : [`${path}${p.displayName}`];
				const children = (p.options ?? []).flatMap((o) => ('values' in o ? undocumented((o as { values: INodeProperties[] }).values, values, version, `${path}${p.displayName} > `) : 'displayName' in o ? undocumented([o as INodeProperties], values, version, `${path}${p.displayName} > `) : []));
				return [...here, ...children];
			});
	const missing: string[] = [];
	for (const op of node.description.properties.filter((p) => p.name === 'operation')) {
		const resource = op.displayOptions!.show!.resource![0] as string;
		for (const { value } of op.options as { value: string }[]) {
			for (const extra of [{}, { msgType: 'interactive' }, { msgType: 'post' }, { respondWithCard: true }, { receiveIdType: 'email' }]) {
				for (const version of [1, 2]) {
					// What the editor decides on: the values with every default filled in.
					const values = resolveParameters({ id: 'n', name: 'F', type: 'x', typeVersion: version, position: [0, 0], parameters: { resource, operation: value, ...extra } } as never, node.description);
					missing.push(...undocumented(node.description.properties, values, version, `${resource}/${value}: `));
				}
			}
		}
	}
	assert.deepEqual([...new Set(missing)], []);
});
