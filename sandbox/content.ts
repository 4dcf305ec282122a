// Message content as Feishu checks it on send (docs/protocol.md, "Message content formats"): `content` must be a JSON string
// whose shape fits `msg_type`; bad content is HTTP 400 code 230001 with the problem named in `msg`.
// Returns the content as Feishu stores and returns it (text @-tags become @_user_N keys, post unwrapped
// from its locale).
import { cardComponentProblem } from './cardComponents';
import { cardEntityForMessage } from './cardKitApi';
import { ApiError } from './openApi';
import { TENANT_KEY, type AppRecord, type MentionRecord, type SandboxState } from './state';

export const MSG_TYPES = ['text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive', 'share_chat', 'share_user', 'system'];
const TEXT_LIMIT = 150 * 1024;
const RICH_LIMIT = 30 * 1024;
const POST_TAGS = new Set(['text', 'a', 'at', 'img', 'media', 'emotion', 'hr', 'code_block', 'md']);

export function invalid(problem: string): ApiError {
	return new ApiError(400, 230001, `Your request contains an invalid request parameter, ext=${problem}`);
}

export interface StoredContent {
	content: string;
	mentions: MentionRecord[];
	/** A CardKit card entity the message shows (`{"type":"card","data":{"card_id"}}`); sent once (imApi.ts). */
	cardId?: string;
}

/** `cardEntities`: the endpoint takes a card entity reference (send and reply do; batch, ephemeral and custom bots are not known to). */
export function validateContent(state: SandboxState, app: AppRecord, msgType: unknown, content: unknown, opts: { cardEntities?: boolean } = {}): StoredContent {
	if (typeof msgType !== 'string' || !msgType) throw invalid('msg_type is required');
	if (!MSG_TYPES.includes(msgType) || msgType === 'system') throw invalid(`unsupported msg_type "${msgType}"`);
	if (typeof content !== 'string') throw invalid('content must be a string of JSON (did you forget JSON.stringify?)');
	let parsed: any;
	try {
		parsed = JSON.parse(content);
	} catch {
		throw invalid('content is not a string in json format');
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('content must be a JSON object');
	const bytes = Buffer.byteLength(content);
	switch (msgType) {
		case 'text': {
			if (typeof parsed.text !== 'string') throw invalid('text content needs a "text" string');
			if (parsed.text.trim() === '') throw invalid('text content is empty');
			if (bytes > TEXT_LIMIT) throw new ApiError(400, 230025, 'The length of the message content reaches its limit: text is at most 150 KB.');
			return textWithMentions(state, app, parsed.text);
		}
		case 'post': {
			if (bytes > RICH_LIMIT) throw new ApiError(400, 230025, 'The length of the message content reaches its limit: post is at most 30 KB.');
			return { content: JSON.stringify(validatePost(parsed)), mentions: [] };
		}
		case 'image':
			requireKey(state, app, parsed, 'image_key', 'image');
			return { content: JSON.stringify({ image_key: parsed.image_key }), mentions: [] };
		case 'file':
		case 'audio':
		case 'media':
		case 'sticker': {
			const upload = requireKey(state, app, parsed, 'file_key', 'file', msgType === 'sticker');
			const out: Record<string, unknown> = { file_key: parsed.file_key };
			if (msgType === 'file' || msgType === 'media') out.file_name = upload?.fileName ?? parsed.file_name ?? '';
			if (msgType === 'media' && parsed.image_key) out.image_key = parsed.image_key;
			return { content: JSON.stringify(msgType === 'sticker' ? parsed : out), mentions: [] };
		}
		case 'interactive':
			// A card entity (docs/protocol.md, "CardKit: card entities and streaming"): the message shows its current state.
			if (parsed.type === 'card' && opts.cardEntities) return { ...cardEntityForMessage(state, app, parsed), mentions: [] };
			if (bytes > RICH_LIMIT) throw new ApiError(400, 230025, 'The length of the message content reaches its limit: card is at most 30 KB.');
			validateCard(parsed);
			return { content: JSON.stringify(parsed), mentions: [] };
		case 'share_chat':
			if (typeof parsed.chat_id !== 'string' || !parsed.chat_id.startsWith('oc_')) throw invalid('share_chat content needs a "chat_id" (oc_...)');
			return { content: JSON.stringify({ chat_id: parsed.chat_id }), mentions: [] };
		case 'share_user':
			if (typeof parsed.user_id !== 'string' || !parsed.user_id) throw invalid('share_user content needs a "user_id" (open_id of the user)');
			return { content: JSON.stringify({ user_id: parsed.user_id }), mentions: [] };
	}
	throw invalid(`unsupported msg_type "${msgType}"`);
}

function requireKey(state: SandboxState, app: AppRecord, parsed: any, field: 'image_key' | 'file_key', kind: 'image' | 'file', lenient = false) {
	const key = parsed[field];
	if (typeof key !== 'string' || !key) throw invalid(`${kind} content needs "${field}"`);
	const upload = state.uploads.get(key);
	if (!lenient && (!upload || upload.appId !== app.appId || upload.kind !== kind)) {
		throw invalid(`${field} "${key}" was not uploaded by this app (upload it with POST /open-apis/im/v1/${kind}s first)`);
	}
	return upload;
}

/** `<at user_id="ou_x">Tom</at>` -> `@_user_1` with a mention, as Feishu stores sent text. */
function textWithMentions(state: SandboxState, app: AppRecord, text: string): StoredContent {
	const mentions: MentionRecord[] = [];
	const out = text.replace(/<at\s+(user_id|id|open_id|email)\s*=\s*"?([^">\s]+)"?\s*>([^<]*)<\/at>/g, (_m, attr: string, id: string, name: string) => {
		if (id === 'all') return '@_all';
		const idType = attr === 'email' ? 'email' : id.startsWith('ou_') ? 'open_id' : id.startsWith('on_') ? 'union_id' : 'user_id';
		const isBot = id === app.botOpenId;
		const user = isBot ? undefined : state.userBy(idType, id, name || undefined);
		const key = `@_user_${mentions.length + 1}`;
		mentions.push({
			key,
			id: { open_id: user?.openId ?? app.botOpenId, union_id: user?.unionId ?? '', user_id: user?.userId ?? '' },
			name: name || user?.name || app.botName,
			tenant_key: TENANT_KEY,
		});
		return key;
	});
	return { content: JSON.stringify({ text: out }), mentions };
}

/** A post is `{zh_cn:{title,content}}` (any locale) or `{title,content}`; returned unwrapped. */
function validatePost(parsed: any): { title: string; content: unknown[][] } {
	let body = parsed;
	if (!Array.isArray(parsed.content)) {
		const locale = ['zh_cn', 'en_us', 'ja_jp', ...Object.keys(parsed)].find((k) => parsed[k] && typeof parsed[k] === 'object' && Array.isArray(parsed[k].content));
		if (!locale) throw invalid('post content needs a locale key (e.g. "zh_cn") holding {title, content: [[...]]}');
		body = parsed[locale];
	}
	if (body.title !== undefined && typeof body.title !== 'string') throw invalid('post title must be a string');
	body.content.forEach((paragraph: unknown, i: number) => {
		if (!Array.isArray(paragraph)) throw invalid(`post content[${i}] must be an array of elements (a paragraph)`);
		paragraph.forEach((el: any, j: number) => {
			const where = `post content[${i}][${j}]`;
			if (!el || typeof el !== 'object' || typeof el.tag !== 'string') throw invalid(`${where} needs a "tag"`);
			if (!POST_TAGS.has(el.tag)) throw invalid(`${where}: unknown tag "${el.tag}"`);
			if (el.tag === 'text' && typeof el.text !== 'string') throw invalid(`${where}: a text element needs "text"`);
			if (el.tag === 'a' && (typeof el.href !== 'string' || typeof el.text !== 'string')) throw invalid(`${where}: a link needs "text" and "href"`);
			if (el.tag === 'at' && typeof el.user_id !== 'string') throw invalid(`${where}: an at element needs "user_id"`);
			if (el.tag === 'img' && typeof el.image_key !== 'string') throw invalid(`${where}: an img element needs "image_key"`);
		});
	});
	return { title: body.title ?? '', content: body.content };
}

function validateCard(card: any): void {
	if (card.type === 'template') {
		if (!card.data || typeof card.data.template_id !== 'string' || !card.data.template_id) throw invalid('a template card needs data.template_id');
		return;
	}
	const lists: unknown[] = [];
	if (card.schema === '2.0') {
		if (!card.body || !Array.isArray(card.body.elements)) throw invalid('a schema 2.0 card needs body.elements (an array)');
		lists.push(card.body.elements);
		const problem = cardComponentProblem(card);
		if (problem) throw invalid(problem);
	} else if (Array.isArray(card.elements)) {
		lists.push(card.elements);
	} else if (card.i18n_elements && typeof card.i18n_elements === 'object') {
		lists.push(...Object.values(card.i18n_elements));
	} else if (!card.header) {
		throw invalid('card content needs "elements" (or "header", "i18n_elements", or schema 2.0 "body")');
	}
	if (card.header !== undefined && (typeof card.header !== 'object' || card.header === null)) throw invalid('card header must be an object');
	for (const list of lists) {
		if (!Array.isArray(list)) throw invalid('card elements must be an array');
		list.forEach((el: any, i: number) => {
			if (!el || typeof el !== 'object' || typeof el.tag !== 'string') throw invalid(`card element ${i} needs a "tag"`);
			if (el.tag === 'action' && !Array.isArray(el.actions)) throw invalid(`card element ${i}: an action element needs "actions"`);
		});
	}
}
