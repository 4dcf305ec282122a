// Builders and validators for the `content` of each msg_type. Feishu answers malformed content with a
// generic 230001 "invalid parameter"; checking here first gives an error that names the field.
import { FeishuValidationError } from './errors';
import { isObject } from './values';

export const MESSAGE_TYPES = [
	'text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive', 'share_chat', 'share_user',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const RECEIVE_ID_TYPES = ['chat_id', 'open_id', 'user_id', 'union_id', 'email'] as const;
export type ReceiveIdType = (typeof RECEIVE_ID_TYPES)[number];

// Size limits from Feishu's send API: text 150 KB, post and card 30 KB (of the serialised content).
const MAX_TEXT_BYTES = 150 * 1024;
const MAX_RICH_BYTES = 30 * 1024;

// ---- text and mentions ----

const escapeAttr = (s: string) => s.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);

/** `<at user_id="ou_…">Name</at>`: mentions a user by open_id (or user_id) inside a text message. */
export function mentionUser(userId: string, name = ''): string {
	if (!userId) throw new FeishuValidationError('mention.userId', 'is empty');
	return `<at user_id="${escapeAttr(userId)}">${name}</at>`;
}

/** `<at user_id="all">…</at>`: mentions everyone in the group. */
export function mentionAll(label = 'all'): string {
	return `<at user_id="all">${label}</at>`;
}

export function buildTextContent(text: string, mentions: { userId: string; name?: string }[] = [], atAll = false): { text: string } {
	const prefix = [...(atAll ? [mentionAll()] : []), ...mentions.map((m) => mentionUser(m.userId, m.name))];
	return { text: prefix.length ? `${prefix.join(' ')} ${text}` : text };
}

// ---- post (rich text) ----

export type PostElement = Record<string, unknown> & { tag: string };
export interface SimplePost {
	title?: string;
	/** Paragraphs: a string (one text run; `[label](url)` becomes a link) or an array of elements. */
	paragraphs: (string | PostElement[])[];
}

function textToElements(line: string): PostElement[] {
	const out: PostElement[] = [];
	const link = /\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g;
	let last = 0;
	for (let m = link.exec(line); m; m = link.exec(line)) {
		if (m.index > last) out.push({ tag: 'text', text: line.slice(last, m.index) });
		out.push({ tag: 'a', text: m[1], href: m[2] });
		last = m.index + m[0].length;
	}
	if (last < line.length || out.length === 0) out.push({ tag: 'text', text: line.slice(last) });
	return out;
}

/** `{ [locale]: { title, content: [[elements]] } }` from a simple structure (text body split into lines). */
export function buildPostContent(post: SimplePost | string, locale = 'zh_cn', title?: string): Record<string, unknown> {
	const simple: SimplePost = typeof post === 'string' ? { title, paragraphs: post.split(/\r?\n/) } : post;
	const content = simple.paragraphs.map((p) => (typeof p === 'string' ? textToElements(p) : p));
	return { [locale]: { title: simple.title ?? '', content } };
}

// ---- interactive cards ----

export const CARD_TEMPLATES = [
	'blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey', 'default',
] as const;

export interface CardButton {
	text: string;
	/** Sent back in card.action.trigger as `action.value`. */
	value?: Record<string, unknown>;
	/** Opens a link instead of (or besides) calling back. */
	url?: string;
	type?: 'default' | 'primary' | 'danger';
}

export interface SimpleCard {
	title?: string;
	template?: string; // header colour
	markdown?: string;
	buttons?: CardButton[];
	wideScreen?: boolean;
}

/** A message card (JSON 1.0 structure: header + markdown + one row of buttons). */
export function buildCard(card: SimpleCard): Record<string, unknown> {
	const elements: Record<string, unknown>[] = [];
	if (card.markdown) elements.push({ tag: 'markdown', content: card.markdown });
	if (card.buttons?.length) {
		elements.push({
			tag: 'action',
			actions: card.buttons.map((b, i) => {
				if (!b.text) throw new FeishuValidationError(`buttons[${i}].text`, 'is empty');
				return {
					tag: 'button',
					text: { tag: 'plain_text', content: b.text },
					type: b.type ?? 'default',
					...(b.value !== undefined ? { value: b.value } : {}),
					...(b.url ? { url: b.url } : {}),
				};
			}),
		});
	}
	const out: Record<string, unknown> = { config: { wide_screen_mode: card.wideScreen ?? true, update_multi: true }, elements };
	if (card.title) out.header = { title: { tag: 'plain_text', content: card.title }, template: card.template || 'blue' };
	return out;
}

/** A card built in Feishu's card builder, by template id and variables. */
export function buildTemplateCard(templateId: string, variables: Record<string, unknown> = {}, version?: string): Record<string, unknown> {
	if (!templateId) throw new FeishuValidationError('templateId', 'is empty');
	return {
		type: 'template',
		data: { template_id: templateId, ...(version ? { template_version_name: version } : {}), template_variable: variables },
	};
}

/** The answer to a card.action.trigger callback: an optional toast and/or a replacement card. */
export function buildCardActionAnswer(answer: {
	toast?: { type?: 'info' | 'success' | 'error' | 'warning'; content: string };
	card?: Record<string, unknown>;
}): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	if (answer.toast?.content) out.toast = { type: answer.toast.type ?? 'info', content: answer.toast.content };
	if (answer.card) {
		out.card = answer.card.type === 'template' ? answer.card : { type: 'raw', data: answer.card };
	}
	return out;
}

// ---- validation ----

function requireString(content: Record<string, unknown>, key: string, prefix?: string): void {
	const v = content[key];
	if (typeof v !== 'string' || !v.trim()) throw new FeishuValidationError(key, 'is required');
	if (prefix && !v.startsWith(prefix)) throw new FeishuValidationError(key, `should start with "${prefix}" (got "${v}")`);
}

function validatePost(content: Record<string, unknown>): void {
	const locales = Object.keys(content);
	if (locales.length === 0) throw new FeishuValidationError('post', 'needs at least one locale (zh_cn, en_us, …)');
	for (const locale of locales) {
		const body = content[locale];
		if (!isObject(body)) throw new FeishuValidationError(`post.${locale}`, 'should be an object { title, content }');
		if (!Array.isArray(body.content)) throw new FeishuValidationError(`post.${locale}.content`, 'should be an array of paragraphs');
		body.content.forEach((para, i) => {
			if (!Array.isArray(para)) throw new FeishuValidationError(`post.${locale}.content[${i}]`, 'should be an array of elements');
			para.forEach((el, j) => {
				if (!isObject(el) || typeof el.tag !== 'string') {
					throw new FeishuValidationError(`post.${locale}.content[${i}][${j}].tag`, 'is required');
				}
			});
		});
	}
}

function validateCard(content: Record<string, unknown>): void {
	if (content.type === 'template') {
		if (!isObject(content.data) || typeof content.data.template_id !== 'string' || !content.data.template_id) {
			throw new FeishuValidationError('template_id', 'is required for a template card');
		}
		return;
	}
	const hasBody = Array.isArray(content.elements) || isObject(content.body) || Array.isArray(content.i18n_elements) || isObject(content.header);
	if (!hasBody) throw new FeishuValidationError('card', 'needs elements, body or header (raw card JSON)');
}

/** Throws FeishuValidationError naming the field when `content` is not valid for `msgType`. */
export function validateContent(msgType: string, content: unknown): void {
	if (!(MESSAGE_TYPES as readonly string[]).includes(msgType)) {
		throw new FeishuValidationError('msg_type', `"${msgType}" is not one of ${MESSAGE_TYPES.join(', ')}`);
	}
	if (!isObject(content)) throw new FeishuValidationError('content', `should be a JSON object for ${msgType}`);
	const type = msgType as MessageType;
	switch (type) {
		case 'text':
			if (typeof content.text !== 'string' || content.text.length === 0) throw new FeishuValidationError('text', 'is required');
			break;
		case 'post':
			validatePost(content);
			break;
		case 'image':
			requireString(content, 'image_key');
			break;
		case 'file':
		case 'audio':
		case 'sticker':
			requireString(content, 'file_key');
			break;
		case 'media':
			requireString(content, 'file_key');
			if (content.image_key !== undefined) requireString(content, 'image_key');
			break;
		case 'interactive':
			validateCard(content);
			break;
		case 'share_chat':
			requireString(content, 'chat_id', 'oc_');
			break;
		case 'share_user':
			requireString(content, 'user_id');
			break;
	}
}

/** Validates and serialises content to the JSON string Feishu expects, enforcing the size limits. */
export function serializeContent(msgType: string, content: unknown): string {
	validateContent(msgType, content);
	const json = JSON.stringify(content);
	const bytes = Buffer.byteLength(json, 'utf8');
	const limit = msgType === 'text' ? MAX_TEXT_BYTES : msgType === 'post' || msgType === 'interactive' ? MAX_RICH_BYTES : Infinity;
	if (bytes > limit) throw new FeishuValidationError('content', `is ${bytes} bytes; Feishu accepts at most ${limit} for ${msgType}`);
	return json;
}

/** Parses content given as a JSON string (e.g. from a node parameter), naming the field on failure. */
export function parseJsonField(field: string, value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch (error) {
		throw new FeishuValidationError(field, `is not valid JSON (${(error as Error).message})`);
	}
}
