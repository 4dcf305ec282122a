// Message attachments against the sandbox: a person uploads (POST /_sandbox/uploads) and sends an
// image, a file or a post; the event is shaped as the trigger shapes it (events.ts); the wire layer
// lists its resources and downloads each through the message-resource API: identical bytes, a media
// type fit for a vision model, the per-file cap (skipped with a note, the download stopped), the count
// cap, and Feishu's refusals noted rather than thrown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
	cappedTransport,
	defaultTransport,
	downloadMessageAttachments,
	type FeishuAppCredentials,
	formatSize,
	type HttpTransport,
	listMessageAttachments,
	parseEnvelope,
	shapeEvent,
} from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { APP, apiCalls, chatMessages, control, credsFor, sandbox, tinyPng, userSays } from '../../helpers/sandbox';

let sb: Sandbox;
let creds: FeishuAppCredentials;
const CHAT = 'oc_attachments_test_chat_01';

before(async () => {
	sb = await sandbox({ rateLimitPerSecond: 100_000, rateLimitPerMinute: 1_000_000 });
	creds = credsFor(sb);
});
after(async () => {
	await sb.close();
});

/** A person's upload in the Feishu client: the key a message of theirs can carry. */
async function userUploads(kind: 'image' | 'file', data: Buffer, fileName?: string, contentType?: string): Promise<string> {
	const r = await control<{ image_key?: string; file_key?: string }>(sb, 'POST', 'uploads', { kind, data_base64: data.toString('base64'), file_name: fileName, content_type: contentType });
	return (r.image_key ?? r.file_key)!;
}

/** Sends a user message and shapes it as the trigger's item json (events.ts shapeEvent). */
async function userSends(messageType: string, content: unknown): Promise<Record<string, unknown>> {
	const sent = await userSays(sb, CHAT, { message_type: messageType, content });
	const stored = (await chatMessages(sb, CHAT)).find((m) => m.message_id === sent.message_id);
	const raw = {
		schema: '2.0',
		header: { event_id: sent.event_id, event_type: 'im.message.receive_v1', app_id: APP.appId, create_time: String(Date.now()) },
		event: {
			sender: { sender_id: { open_id: stored.sender.id }, sender_type: 'user' },
			message: { message_id: sent.message_id, chat_id: CHAT, chat_type: 'group', message_type: messageType, content: stored.body_content },
		},
	};
	return shapeEvent(parseEnvelope(raw));
}

const png = (): Buffer => tinyPng();
/** Another valid PNG (different bytes): the 1x1 one with a tEXt chunk before IEND. */
const otherPng = (): Buffer => {
	const p = tinyPng();
	const body = Buffer.from('tEXta\0b', 'latin1');
	const chunk = Buffer.alloc(4 + body.length + 4);
	chunk.writeUInt32BE(body.length - 4, 0);
	body.copy(chunk, 4);
	chunk.writeUInt32BE(crc32(body), 4 + body.length);
	return Buffer.concat([p.subarray(0, p.length - 12), chunk, p.subarray(p.length - 12)]);
};

test('listMessageAttachments: each message type names its resources, a post every img and media element in every locale, each once', () => {
	assert.deepEqual(listMessageAttachments({ message_type: 'text', content: { text: 'hi' } }), []);
	assert.deepEqual(listMessageAttachments({ message_type: 'image', content: { image_key: 'img_1' } }), [{ key: 'img_1', type: 'image', source: 'image' }]);
	assert.deepEqual(listMessageAttachments({ message_type: 'file', content: JSON.stringify({ file_key: 'file_1', file_name: 'a.pdf' }) }), [{ key: 'file_1', type: 'file', source: 'file', name: 'a.pdf' }]);
	assert.deepEqual(listMessageAttachments({ message_type: 'audio', content: { file_key: 'file_2', duration: 2000 } }), [{ key: 'file_2', type: 'file', source: 'audio' }]);
	assert.deepEqual(listMessageAttachments({ message_type: 'media', content: { file_key: 'file_3', image_key: 'img_cover', file_name: 'v.mp4' } }), [{ key: 'file_3', type: 'file', source: 'media', name: 'v.mp4' }]);
	assert.deepEqual(listMessageAttachments({ message_type: 'sticker', content: { file_key: 'file_s' } }), []);
	const flat = {
		message_type: 'post',
		content: {
			title: 'Look',
			content: [
				[{ tag: 'text', text: 'two pictures' }, { tag: 'img', image_key: 'img_a' }],
				[{ tag: 'img', image_key: 'img_b' }, { tag: 'img', image_key: 'img_a' }],
				[{ tag: 'media', file_key: 'file_v', image_key: 'img_cover' }],
			],
		},
	};
	assert.deepEqual(
		listMessageAttachments(flat).map((a) => [a.key, a.type]),
		[['img_a', 'image'], ['img_b', 'image'], ['file_v', 'file']],
	);
	const locales = { message_type: 'post', content: { zh_cn: { title: '', content: [[{ tag: 'img', image_key: 'img_zh' }]] }, en_us: { title: '', content: [[{ tag: 'img', image_key: 'img_en' }]] } } };
	assert.deepEqual(listMessageAttachments(locales).map((a) => a.key), ['img_zh', 'img_en']);
	// Malformed content never throws.
	assert.deepEqual(listMessageAttachments({ message_type: 'post', content: '{not json' }), []);
	assert.deepEqual(listMessageAttachments({ message_type: 'post', content: { content: [null, 'x', [null, { tag: 'img' }]] } }), []);
});

test('an image message: the bytes as sent, image/png, in attachment_0, with a note', async () => {
	const bytes = png();
	const imageKey = await userUploads('image', bytes, 'photo.png', 'image/png');
	const json = await userSends('image', { image_key: imageKey });
	const { binaries, notes } = await downloadMessageAttachments(creds, json);
	assert.equal(binaries.length, 1);
	assert.equal(binaries[0].propertyName, 'attachment_0');
	assert.ok(binaries[0].data.equals(bytes), 'identical bytes');
	assert.equal(binaries[0].mimeType, 'image/png');
	assert.equal(binaries[0].fileName, 'photo.png');
	assert.deepEqual(notes, [{ key: imageKey, type: 'image', name: 'photo.png', mime_type: 'image/png', size: bytes.length, binary: 'attachment_0' }]);
	const calls = (await apiCalls(sb)).filter((c) => c.path.includes('/resources/'));
	assert.equal(calls.at(-1)!.path, `/open-apis/im/v1/messages/${json.message_id}/resources/${imageKey}`);
	assert.deepEqual(calls.at(-1)!.query, { type: 'image' });
});

test('a file message: the file name from the message, the type from the name when Feishu answers octet-stream', async () => {
	const bytes = Buffer.from('# Notes\n\nQuarterly numbers.\n');
	const fileKey = await userUploads('file', bytes, 'notes.md', 'application/octet-stream');
	const json = await userSends('file', { file_key: fileKey, file_name: 'notes.md' });
	const { binaries, notes } = await downloadMessageAttachments(creds, json);
	assert.equal(binaries.length, 1);
	assert.ok(binaries[0].data.equals(bytes));
	assert.equal(binaries[0].fileName, 'notes.md');
	assert.equal(binaries[0].mimeType, 'text/markdown');
	assert.equal(notes[0].binary, 'attachment_0');
	const call = (await apiCalls(sb)).filter((c) => c.path.includes('/resources/')).at(-1)!;
	assert.deepEqual(call.query, { type: 'file' });
});

test('a post with two images and text: both downloaded, in order, attachment_0 and attachment_1', async () => {
	const [a, b] = [png(), otherPng()];
	const [keyA, keyB] = [await userUploads('image', a), await userUploads('image', b)];
	const json = await userSends('post', { title: 'Compare', content: [[{ tag: 'text', text: 'which is better?' }], [{ tag: 'img', image_key: keyA }], [{ tag: 'img', image_key: keyB }]] });
	assert.equal(json.text, 'Compare\nwhich is better?\n\n');
	const { binaries, notes } = await downloadMessageAttachments(creds, json);
	assert.deepEqual(binaries.map((x) => x.propertyName), ['attachment_0', 'attachment_1']);
	assert.ok(binaries[0].data.equals(a));
	assert.ok(binaries[1].data.equals(b));
	assert.deepEqual(notes.map((n) => [n.key, n.binary]), [[keyA, 'attachment_0'], [keyB, 'attachment_1']]);
	assert.ok(binaries.every((x) => x.mimeType === 'image/png'));
});

test('past the size cap: that attachment is skipped with a clear note, the download stopped early, the others still come', async () => {
	const big = randomBytes(300_000);
	const bigKey = await userUploads('file', big, 'big.bin');
	const small = png();
	const smallKey = await userUploads('image', small);
	const json = await userSends('post', { title: '', content: [[{ tag: 'media', file_key: bigKey, image_key: smallKey }], [{ tag: 'img', image_key: smallKey }]] });
	const { binaries, notes } = await downloadMessageAttachments(creds, json, { maxBytes: 100_000 });
	assert.deepEqual(binaries.map((x) => x.propertyName), ['attachment_0']);
	assert.ok(binaries[0].data.equals(small));
	assert.equal(notes[0].key, bigKey);
	assert.equal(notes[0].skipped, `larger than ${formatSize(100_000)} (Max Attachment Size)`);
	assert.equal(notes[0].binary, undefined);
	assert.equal(notes[1].binary, 'attachment_0');

	// A transport that ignores the cap (a custom one): the size is checked after the download too, and noted.
	const uncapped: HttpTransport = { send: (req) => defaultTransport().send({ ...req, maxResponseBytes: undefined }) };
	const again = await downloadMessageAttachments(creds, json, { maxBytes: 100_000, transport: uncapped });
	assert.equal(again.notes[0].skipped, `larger than ${formatSize(100_000)} (Max Attachment Size)`);
	assert.equal(again.notes[0].size, big.length);
	assert.equal(again.binaries.length, 1);
	// The default cap (20 MB) takes it.
	const whole = await downloadMessageAttachments(creds, json);
	assert.ok(whole.binaries[0].data.equals(big));
	assert.equal(whole.binaries[0].fileName, 'big.bin');
});

test('cappedTransport: answers longer than the cap fail with ETOOLARGE before they are all read', async () => {
	const transport = cappedTransport(defaultTransport(), 10);
	await assert.rejects(transport.send({ method: 'GET', url: `${sb.baseUrl}/_sandbox/info`, headers: {}, timeoutMs: 5000 }), (e: any) => e.code === 'ETOOLARGE');
	const ok = await cappedTransport(defaultTransport(), 100_000).send({ method: 'GET', url: `${sb.baseUrl}/_sandbox/info`, headers: {}, timeoutMs: 5000 });
	assert.equal(ok.status, 200);
});

test('the count cap: only the first attachments are downloaded, the rest noted', async () => {
	const keys = [await userUploads('image', png()), await userUploads('image', otherPng())];
	const json = await userSends('post', { title: '', content: [keys.map((k) => ({ tag: 'img', image_key: k }))] });
	const { binaries, notes } = await downloadMessageAttachments(creds, json, { maxCount: 1 });
	assert.equal(binaries.length, 1);
	assert.equal(notes[1].skipped, 'only the first 1 attachments of a message are downloaded');
});

test('Feishu refuses the download (a missing scope, a key not in the message): noted with the code and the fix, never thrown', async () => {
	const imageKey = await userUploads('image', png());
	const json = await userSends('image', { image_key: imageKey });
	await control(sb, 'PUT', `apps/${APP.appId}/scopes`, { missing: ['im:message', 'im:message:readonly', 'im:message.history:readonly'] });
	const warnings: string[] = [];
	const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
	try {
		const { binaries, notes } = await downloadMessageAttachments(creds, json, { logger });
		assert.equal(binaries.length, 0);
		assert.equal(notes[0].code, 99991672);
		assert.match(notes[0].skipped!, /^Feishu refused the download \(99991672: Access denied/);
		assert.match(notes[0].skipped!, /im:message, im:message:readonly or im:message\.history:readonly/);
		assert.equal(warnings.length, 1);
		assert.match(warnings[0], new RegExp(imageKey));
	} finally {
		await control(sb, 'PUT', `apps/${APP.appId}/scopes`, {});
	}
	// The key belongs to no such message: 234003, noted.
	const other = await userSends('image', { image_key: 'img_v3_not_in_this_message' });
	const forged = { ...other, content: { image_key: imageKey } };
	const { notes } = await downloadMessageAttachments(creds, forged);
	assert.equal(notes[0].code, 234003);
	// No message_id: nothing to download with, noted.
	const { message_id: _id, ...noId } = json;
	assert.match((await downloadMessageAttachments(creds, noId)).notes[0].skipped!, /no message_id/);
});

test('a message without attachments costs no call', async () => {
	const before = (await apiCalls(sb)).length;
	const json = await userSends('text', { text: 'just words' });
	assert.deepEqual(await downloadMessageAttachments(creds, json), { binaries: [], notes: [] });
	assert.equal((await apiCalls(sb)).length, before);
});
