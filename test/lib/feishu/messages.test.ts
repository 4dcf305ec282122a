// Every IM operation of the wire layer against the sandbox: the request the sandbox recorded and
// the parsed response; plus upload -> send -> download with identical bytes and 1,000 sends on one
// token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
	buildCard,
	buildPostContent,
	downloadMessageResource,
	editMessage,
	FeishuApiClient,
	FeishuApiError,
	FeishuValidationError,
	forwardMessage,
	getMessage,
	recallMessage,
	replyMessage,
	sendMessage,
	updateCard,
	uploadFile,
	uploadImage,
} from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { apiCalls, chatMessages, control, credsFor, sandbox, tinyPng, tokenFetches, userSays } from '../../helpers/sandbox';

let sb: Sandbox;
let client: FeishuApiClient;
const CHAT = 'oc_api_test_chat_0001';
let userMessageId: string;

before(async () => {
	sb = await sandbox({ rateLimitPerSecond: 100_000, rateLimitPerMinute: 1_000_000 });
	client = new FeishuApiClient(credsFor(sb), { retryBaseDelayMs: 10 });
	userMessageId = (await userSays(sb, CHAT, { text: 'hello bot' })).message_id;
});
after(async () => {
	await sb.close();
});

async function lastCall() {
	const calls = await apiCalls(sb);
	return calls[calls.length - 1];
}

test('send text to a chat: recorded request and parsed message', async () => {
	const m = await sendMessage(client, { receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'text', content: { text: 'hi there' } });
	assert.match(m.message_id, /^om_/);
	assert.equal(m.chat_id, CHAT);
	assert.equal(m.msg_type, 'text');
	assert.deepEqual(JSON.parse(m.body!.content), { text: 'hi there' });
	const call = await lastCall();
	assert.equal(call.method, 'POST');
	assert.equal(call.path, '/open-apis/im/v1/messages');
	assert.deepEqual(call.query, { receive_id_type: 'chat_id' });
	// Every send carries an idempotency uuid (generated here), so a retry never posts twice.
	const { uuid, ...body } = call.body;
	assert.match(uuid, /^[0-9a-f-]{36}$/);
	assert.deepEqual(body, { receive_id: CHAT, msg_type: 'text', content: '{"text":"hi there"}' });
	const stored = await chatMessages(sb, CHAT);
	assert.equal(stored[stored.length - 1].message_id, m.message_id);
});

test('send to a user by open_id, with a post and idempotency uuid (same uuid -> same message)', async () => {
	const post = buildPostContent('line 1\n[link](https://example.com)', 'en_us', 'T');
	const a = await sendMessage(client, { receiveIdType: 'open_id', receiveId: 'ou_api_user_1', msgType: 'post', content: post, uuid: 'uuid-api-1' });
	const b = await sendMessage(client, { receiveIdType: 'open_id', receiveId: 'ou_api_user_1', msgType: 'post', content: post, uuid: 'uuid-api-1' });
	assert.equal(a.message_id, b.message_id);
	assert.equal(a.msg_type, 'post');
	const call = await lastCall();
	assert.equal(call.query.receive_id_type, 'open_id');
	assert.equal(call.body.uuid, 'uuid-api-1');
	assert.deepEqual(JSON.parse(call.body.content), post);
});

test('reply with an idempotency uuid: the same app and uuid get the first reply back (one message); another app\'s same uuid posts', async () => {
	const before = (await chatMessages(sb, CHAT)).length;
	const a = await replyMessage(client, { messageId: userMessageId, msgType: 'text', content: { text: 'once' }, uuid: 'uuid-reply-1' });
	const b = await replyMessage(client, { messageId: userMessageId, msgType: 'text', content: { text: 'once again' }, uuid: 'uuid-reply-1' });
	assert.equal(b.message_id, a.message_id);
	assert.deepEqual(JSON.parse(b.body!.content), { text: 'once' }, 'the first reply, not the second content');
	assert.equal((await chatMessages(sb, CHAT)).length - before, 1);
	assert.equal((await lastCall()).body.uuid, 'uuid-reply-1');

	// Feishu keeps a uuid per app: the same key from another app is another message.
	const other = { appId: 'cli_api_test_other_app', appSecret: 'other-app-secret' };
	await control(sb, 'POST', 'apps', { app_id: other.appId, app_secret: other.appSecret });
	const otherClient = new FeishuApiClient(credsFor(sb, other.appSecret, other.appId), { retryBaseDelayMs: 10 });
	const c = await replyMessage(otherClient, { messageId: userMessageId, msgType: 'text', content: { text: 'other app' }, uuid: 'uuid-reply-1' });
	assert.notEqual(c.message_id, a.message_id);
	assert.equal((await chatMessages(sb, CHAT)).length - before, 2);
});

test('send each remaining content type', async () => {
	const image = await uploadImage(client, { image: { data: tinyPng(), fileName: 'dot.png', contentType: 'image/png' } });
	const file = await uploadFile(client, { file: { data: Buffer.from('pdf-ish'), fileName: 'doc.pdf' } });
	const cases: [string, Record<string, unknown>][] = [
		['image', { image_key: image.image_key }],
		['file', { file_key: file.file_key }],
		['audio', { file_key: file.file_key }],
		['media', { file_key: file.file_key, image_key: image.image_key }],
		['sticker', { file_key: file.file_key }],
		['interactive', buildCard({ title: 'Card', markdown: '**x**', buttons: [{ text: 'OK', value: { ok: 1 } }] })],
		['interactive', { type: 'template', data: { template_id: 'AAqTemplate01', template_variable: { name: 'n8n' } } }],
		['share_chat', { chat_id: CHAT }],
		['share_user', { user_id: 'ou_api_user_1' }],
	];
	for (const [msgType, content] of cases) {
		const m = await sendMessage(client, { receiveIdType: 'chat_id', receiveId: CHAT, msgType, content });
		assert.equal(m.msg_type, msgType, msgType);
		const call = await lastCall();
		assert.equal(call.body.msg_type, msgType);
		assert.deepEqual(JSON.parse(call.body.content), content);
	}
});

test('invalid content is refused before any request, naming the field', async () => {
	const before = (await apiCalls(sb)).length;
	await assert.rejects(
		sendMessage(client, { receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'image', content: { image_key: '' } }),
		(e: unknown) => e instanceof FeishuValidationError && e.field === 'image_key',
	);
	await assert.rejects(
		sendMessage(client, { receiveIdType: 'phone', receiveId: '1', msgType: 'text', content: { text: 'x' } }),
		(e: unknown) => e instanceof FeishuValidationError && e.field === 'receive_id_type',
	);
	assert.equal((await apiCalls(sb)).length, before);
});

test('a Feishu error surfaces with code, msg and log_id (bot not in chat)', async () => {
	let err: unknown;
	try {
		await sendMessage(client, { receiveIdType: 'chat_id', receiveId: 'oc_not_a_known_chat', msgType: 'text', content: { text: 'x' } });
	} catch (e) {
		err = e;
	}
	assert.ok(err instanceof FeishuApiError);
	assert.equal(err.code, 230002);
	assert.equal(err.msg, 'Bot/User can NOT be out of the chat.');
	assert.equal(err.httpStatus, 400);
	assert.equal(err.logId, (await lastCall()).log_id);
});

test('reply (in thread), edit, get, forward, update card, recall', async () => {
	const reply = await replyMessage(client, { messageId: userMessageId, msgType: 'text', content: { text: 'reply!' }, replyInThread: true });
	assert.equal(reply.parent_id, userMessageId);
	let call = await lastCall();
	assert.equal(call.path, `/open-apis/im/v1/messages/${userMessageId}/reply`);
	const { uuid: replyUuid, ...replyBody } = call.body;
	assert.match(replyUuid, /^[0-9a-f-]{36}$/, 'a reply carries a generated uuid too');
	assert.deepEqual(replyBody, { msg_type: 'text', content: '{"text":"reply!"}', reply_in_thread: true });

	const edited = await editMessage(client, { messageId: reply.message_id, msgType: 'text', content: { text: 'edited' } });
	call = await lastCall();
	assert.equal(call.method, 'PUT');
	assert.equal(call.path, `/open-apis/im/v1/messages/${reply.message_id}`);
	assert.deepEqual(JSON.parse(edited.body!.content), { text: 'edited' });

	const got = await getMessage(client, { messageId: reply.message_id });
	assert.equal(got.message_id, reply.message_id);
	assert.equal(got.updated, true);
	assert.deepEqual(JSON.parse(got.body!.content), { text: 'edited' });
	assert.equal((await lastCall()).method, 'GET');

	const fwd = await forwardMessage(client, { messageId: reply.message_id, receiveIdType: 'open_id', receiveId: 'ou_api_user_2' });
	call = await lastCall();
	assert.equal(call.path, `/open-apis/im/v1/messages/${reply.message_id}/forward`);
	assert.equal(call.query.receive_id_type, 'open_id');
	assert.match(call.query.uuid, /^[0-9a-f-]{36}$/, 'forward takes its uuid in the query');
	assert.deepEqual(call.body, { receive_id: 'ou_api_user_2' });
	assert.notEqual(fwd.message_id, reply.message_id);

	const card = await sendMessage(client, { receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'interactive', content: buildCard({ title: 'v1' }) });
	const v2 = buildCard({ title: 'v2', markdown: 'updated' });
	await updateCard(client, { messageId: card.message_id, card: v2 });
	call = await lastCall();
	assert.equal(call.method, 'PATCH');
	assert.deepEqual(JSON.parse(call.body.content), v2);
	const stored = (await chatMessages(sb, CHAT)).find((m) => m.message_id === card.message_id);
	assert.equal(stored.content.header.title.content, 'v2');

	await recallMessage(client, { messageId: card.message_id });
	call = await lastCall();
	assert.equal(call.method, 'DELETE');
	assert.equal(call.status, 200);
	assert.equal((await chatMessages(sb, CHAT)).find((m) => m.message_id === card.message_id).deleted, true);
	await assert.rejects(recallMessage(client, { messageId: card.message_id }), (e: unknown) => e instanceof FeishuApiError && e.code === 230011);
});

test('upload -> send -> download: identical bytes for an image and a file', async () => {
	const png = tinyPng();
	const { image_key } = await uploadImage(client, { image: { data: png, fileName: 'dot.png', contentType: 'image/png' } });
	assert.match(image_key, /^img_/);
	let call = await lastCall();
	assert.equal(call.path, '/open-apis/im/v1/images');
	const imgMsg = await sendMessage(client, { receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'image', content: { image_key } });
	const img = await downloadMessageResource(client, { messageId: imgMsg.message_id, fileKey: image_key, type: 'image' });
	assert.ok(img.data.equals(png), 'image bytes identical');
	assert.match(img.contentType ?? '', /^image\/png/);
	call = await lastCall();
	assert.equal(call.path, `/open-apis/im/v1/messages/${imgMsg.message_id}/resources/${image_key}`);
	assert.deepEqual(call.query, { type: 'image' });

	const bytes = randomBytes(200_000);
	const { file_key } = await uploadFile(client, { file: { data: bytes, fileName: '报告 2026.bin' } });
	call = await lastCall();
	assert.equal(call.path, '/open-apis/im/v1/files');
	const fileMsg = await sendMessage(client, { receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'file', content: { file_key } });
	const file = await downloadMessageResource(client, { messageId: fileMsg.message_id, fileKey: file_key, type: 'file' });
	assert.ok(file.data.equals(bytes), 'file bytes identical');
	assert.equal(file.fileName, '报告 2026.bin');
});

test('1,000 sends fetch at most one token', async () => {
	const fresh = await sandbox({ rateLimitPerSecond: 100_000, rateLimitPerMinute: 1_000_000 });
	try {
		const c = new FeishuApiClient(credsFor(fresh));
		const chat = 'oc_api_bulk_chat_0001';
		await userSays(fresh, chat, { text: 'start' });
		for (let batch = 0; batch < 20; batch++) {
			await Promise.all(
				Array.from({ length: 50 }, (_, k) =>
					sendMessage(c, { receiveIdType: 'chat_id', receiveId: chat, msgType: 'text', content: { text: `m${batch * 50 + k}` } }),
				),
			);
		}
		assert.equal(await tokenFetches(fresh), 1);
		const sends = (await apiCalls(fresh)).filter((x) => x.path === '/open-apis/im/v1/messages' && x.status === 200);
		assert.equal(sends.length, 1000);
	} finally {
		await fresh.close();
	}
});

test('rate limit from the sandbox\'s own limiter: waits and succeeds', async () => {
	const limited = await sandbox({ rateLimitPerSecond: 5 });
	try {
		const c = new FeishuApiClient(credsFor(limited));
		const chat = 'oc_api_limited_chat_01';
		await userSays(limited, chat, { text: 'start', app_id: undefined });
		const sent = await Promise.all(
			Array.from({ length: 8 }, (_, k) => sendMessage(c, { receiveIdType: 'chat_id', receiveId: chat, msgType: 'text', content: { text: `r${k}` } })),
		);
		assert.equal(new Set(sent.map((m) => m.message_id)).size, 8);
		const calls = await apiCalls(limited);
		assert.ok(calls.some((x) => x.status === 429 && x.code === 99991400), 'some sends were limited');
		assert.equal(calls.filter((x) => x.status === 200).length, 8);
	} finally {
		await limited.close();
	}
	await control(sb, 'POST', 'reset');
});

test('download of a file whose content looks like a Feishu envelope is still the file', async () => {
	await userSays(sb, CHAT, { text: 'again' }); // an earlier test reset the sandbox
	const bytes = Buffer.from(JSON.stringify({ code: 99991663, msg: 'not an error, just a file' }));
	const { file_key } = await uploadFile(client, { file: { data: bytes, fileName: 'tricky.json', contentType: 'application/octet-stream' } });
	const m = await sendMessage(client, { receiveIdType: 'chat_id', receiveId: CHAT, msgType: 'file', content: { file_key } });
	const got = await downloadMessageResource(client, { messageId: m.message_id, fileKey: file_key, type: 'file' });
	assert.ok(got.data.equals(bytes));
});
