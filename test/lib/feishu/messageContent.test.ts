// Content builders and validators, and the multipart encoder (parsed back with busboy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import busboy from 'busboy';
import {
	buildCard,
	buildCardActionAnswer,
	buildPostContent,
	buildTemplateCard,
	buildTextContent,
	encodeMultipart,
	FeishuValidationError,
	mentionAll,
	mentionUser,
	resolveBaseUrl,
	serializeContent,
	validateContent,
} from '../../../lib/feishu';

test('text with mentions uses Feishu <at> tags', () => {
	assert.equal(mentionUser('ou_1', 'Tom'), '<at user_id="ou_1">Tom</at>');
	assert.equal(mentionAll(), '<at user_id="all">all</at>');
	assert.deepEqual(buildTextContent('hi', [{ userId: 'ou_1', name: 'Tom' }], true), {
		text: '<at user_id="all">all</at> <at user_id="ou_1">Tom</at> hi',
	});
	assert.throws(() => mentionUser(''), (e: unknown) => e instanceof FeishuValidationError && e.field === 'mention.userId');
});

test('post from lines: locale-keyed, one paragraph per line, markdown links become a tags', () => {
	const post = buildPostContent('first line\nsee [docs](https://example.com/x) now', 'en_us', 'Title');
	assert.deepEqual(post, {
		en_us: {
			title: 'Title',
			content: [
				[{ tag: 'text', text: 'first line' }],
				[
					{ tag: 'text', text: 'see ' },
					{ tag: 'a', text: 'docs', href: 'https://example.com/x' },
					{ tag: 'text', text: ' now' },
				],
			],
		},
	});
	validateContent('post', post);
});

test('card builder: header colour, markdown, buttons with values', () => {
	const card = buildCard({
		title: 'Deploy?',
		template: 'red',
		markdown: '**prod**',
		buttons: [{ text: 'Yes', value: { action: 'yes' }, type: 'primary' }, { text: 'Docs', url: 'https://example.com' }],
	});
	assert.deepEqual(card.header, { title: { tag: 'plain_text', content: 'Deploy?' }, template: 'red' });
	const elements = card.elements as any[];
	assert.deepEqual(elements[0], { tag: 'markdown', content: '**prod**' });
	assert.equal(elements[1].tag, 'action');
	assert.deepEqual(elements[1].actions[0], { tag: 'button', text: { tag: 'plain_text', content: 'Yes' }, type: 'primary', value: { action: 'yes' } });
	assert.equal(elements[1].actions[1].url, 'https://example.com');
	validateContent('interactive', card);
	assert.throws(() => buildCard({ buttons: [{ text: '' }] }), /buttons\[0\]\.text/);
});

test('template card and card-action answers', () => {
	assert.deepEqual(buildTemplateCard('AAq1', { n: 1 }), { type: 'template', data: { template_id: 'AAq1', template_variable: { n: 1 } } });
	const card = buildCard({ title: 'Done' });
	assert.deepEqual(buildCardActionAnswer({ toast: { type: 'success', content: 'ok' }, card }), {
		toast: { type: 'success', content: 'ok' },
		card: { type: 'raw', data: card },
	});
	assert.deepEqual(buildCardActionAnswer({ toast: { content: '' } }), {});
});

test('validation names the field instead of letting Feishu answer 230001', () => {
	const field = (fn: () => unknown) => {
		try {
			fn();
		} catch (e) {
			assert.ok(e instanceof FeishuValidationError, String(e));
			return e.field;
		}
		assert.fail('expected a validation error');
	};
	assert.equal(field(() => validateContent('text', { text: '' })), 'text');
	assert.equal(field(() => validateContent('image', {})), 'image_key');
	assert.equal(field(() => validateContent('file', { file_key: ' ' })), 'file_key');
	assert.equal(field(() => validateContent('share_chat', { chat_id: 'ou_wrong' })), 'chat_id');
	assert.equal(field(() => validateContent('post', { zh_cn: { content: [[{ text: 'no tag' }]] } })), 'post.zh_cn.content[0][0].tag');
	assert.equal(field(() => validateContent('interactive', { foo: 1 })), 'card');
	assert.equal(field(() => validateContent('interactive', { type: 'template', data: {} })), 'template_id');
	assert.equal(field(() => validateContent('location', {})), 'msg_type');
	assert.equal(field(() => serializeContent('text', { text: 'x'.repeat(151 * 1024) })), 'content');
	assert.equal(serializeContent('sticker', { file_key: 'file_1' }), '{"file_key":"file_1"}');
});

test('resolveBaseUrl: Feishu, Lark, custom (trailing slash stripped)', () => {
	assert.equal(resolveBaseUrl('feishu'), 'https://open.feishu.cn');
	assert.equal(resolveBaseUrl('lark'), 'https://open.larksuite.com');
	assert.equal(resolveBaseUrl('custom', 'http://127.0.0.1:9800//'), 'http://127.0.0.1:9800');
	assert.throws(() => resolveBaseUrl('custom', ''), /Base URL is required/);
	assert.throws(() => resolveBaseUrl('custom', 'ftp://x'), /must start with http/);
});

test('multipart encoding parses back to the same fields and bytes', async () => {
	const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256));
	const { body, contentType } = encodeMultipart({
		file: { data: bytes, fileName: 'a "b".bin', contentType: 'application/x-test' },
		file_type: 'stream',
		duration: undefined,
		file_name: 'report.bin',
	});
	const fields: Record<string, string> = {};
	let file: { name: string; filename?: string; mime: string; data: Buffer } | undefined;
	const order: string[] = [];
	await new Promise<void>((resolve, reject) => {
		const bb = busboy({ headers: { 'content-type': contentType } });
		bb.on('field', (name, value) => {
			order.push(name);
			fields[name] = value;
		});
		bb.on('file', (name, stream, info) => {
			order.push(name);
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('end', () => (file = { name, filename: info.filename, mime: info.mimeType, data: Buffer.concat(chunks) }));
		});
		bb.on('close', resolve);
		bb.on('error', reject);
		bb.end(body);
	});
	assert.deepEqual(fields, { file_type: 'stream', file_name: 'report.bin' });
	assert.deepEqual(order, ['file_type', 'file_name', 'file'], 'file part goes last');
	assert.ok(file);
	assert.equal(file.mime, 'application/x-test');
	assert.ok(file.data.equals(bytes));
});
