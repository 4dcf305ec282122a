// The event pipeline shared by both transports: an envelope (already parsed, verified and
// deduplicated by the transport) is matched against the trigger's selection and filters, then
// shaped into one n8n item: the payload exactly as Feishu sent it plus flat convenience fields.
// Payload shapes: docs/protocol.md, "Event envelopes", "im.message.receive_v1 payload" and "Card callbacks".
import type { FeishuEnvelope } from './envelope';
import { documentEventFields, isDocumentEventType } from './documentEvents';
import { isObject } from './values';
import { type SessionFields, type SessionKey, sessionIdOf } from './sessionId';

/** The event type that stands for "any event" in a selection. */
export const ANY_EVENT = '*';

/** Common events offered in the trigger's picker; im.message.receive_v1 first. */
export const COMMON_EVENT_TYPES: { value: string; name: string; description: string }[] = [
	{ value: 'im.message.receive_v1', name: 'Message Received', description: 'A user sends the bot a message (p2p, or a group message the bot can read)' },
	{ value: 'im.message.message_read_v1', name: 'Message Read', description: 'A user read a message the bot sent in p2p' },
	{ value: 'im.message.reaction.created_v1', name: 'Reaction Added', description: 'A reaction was added to a message' },
	{ value: 'im.message.reaction.deleted_v1', name: 'Reaction Removed', description: 'A reaction was removed from a message' },
	{ value: 'im.chat.member.bot.added_v1', name: 'Bot Added to Chat', description: 'The bot was added to a group' },
	{ value: 'im.chat.member.bot.deleted_v1', name: 'Bot Removed From Chat', description: 'The bot was removed from a group' },
	{ value: 'im.chat.member.user.added_v1', name: 'User Joined Chat', description: 'Users joined a group the bot is in' },
	{ value: 'im.chat.member.user.deleted_v1', name: 'User Left Chat', description: 'Users left a group the bot is in' },
	{ value: 'im.chat.disbanded_v1', name: 'Chat Disbanded', description: 'A group the bot is in was disbanded' },
	{ value: 'p2p_chat_create', name: 'Direct Chat Opened', description: 'A user opened a p2p chat with the bot for the first time (an event of schema 1.0)' },
	{ value: 'card.action.trigger', name: 'Card Action', description: 'A user clicked a button or submitted a form on a card (a callback); answer with the Feishu node\'s "Respond to Card Action"' },
	{ value: 'application.bot.menu_v6', name: 'Bot Menu Clicked', description: 'A user clicked an item of the bot\'s custom menu' },
	{ value: 'contact.user.created_v3', name: 'User Created', description: 'A user joined the tenant' },
	{ value: 'drive.file.bitable_record_changed_v1', name: 'Base Record Changed', description: 'A record of a Base listed under Documents was added, changed or deleted (the trigger subscribes to the Base)' },
	{ value: 'drive.file.edit_v1', name: 'Document Edited', description: 'A spreadsheet (or Base) listed under Documents was edited (the trigger subscribes to it)' },
];

export type ChatTypeFilter = 'any' | 'p2p' | 'group';

export interface EventFilters {
	/** Selected event types; `*` matches every event. Empty matches nothing. */
	eventTypes: string[];
	/** Message events only: which chats pass. Default any. */
	chatType?: ChatTypeFilter;
	/** Message events only: in groups, pass only messages that @mention the bot. */
	onlyWhenBotMentionedInGroups?: boolean;
	/** Message events only: drop messages sent by bots/apps (sender_type "app"). */
	ignoreBotMessages?: boolean;
	/** Message events only: pass only these message types (text, post, image, ...). Empty = all. */
	messageTypes?: string[];
	/** Not a filter: how a message's session_id is made (sessionId.ts). Default auto. */
	sessionKey?: SessionKey;
}

/** Who the bot is, to recognise its @mentions. Either field may be unknown. */
export interface BotIdentity {
	openId?: string;
	name?: string;
}

export interface FeishuSender {
	open_id?: string;
	user_id?: string;
	union_id?: string;
	sender_type?: string;
	tenant_key?: string;
}

export interface FeishuMention {
	key: string;
	name?: string;
	open_id?: string;
	user_id?: string;
	union_id?: string;
	is_bot: boolean;
}

/** One n8n item: the raw payload's top-level keys plus these fields (undefined ones omitted). */
export interface FeishuEventOutput {
	[key: string]: unknown;
	event_type?: string;
	event_id?: string;
	app_id?: string;
	tenant_key?: string;
	create_time?: string;
}

const MESSAGE_EVENT_TYPES = new Set(['im.message.receive_v1', 'message']);

function str(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number') return String(value);
	return undefined;
}

/** Splits a comma/newline-separated list of custom event types. */
export function parseEventTypeList(value: unknown): string[] {
	if (Array.isArray(value)) return value.flatMap(parseEventTypeList);
	if (typeof value !== 'string') return [];
	return value
		.split(/[\s,]+/)
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

export function isMessageEventType(eventType: string | undefined): boolean {
	return eventType !== undefined && MESSAGE_EVENT_TYPES.has(eventType);
}

export function matchesEventType(eventType: string | undefined, selected: string[]): boolean {
	if (selected.includes(ANY_EVENT)) return true;
	return eventType !== undefined && selected.includes(eventType);
}

function parseJson(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		return value;
	}
}

function mentionOf(raw: Record<string, any>, bot: BotIdentity | undefined): FeishuMention | undefined {
	const key = str(raw.key);
	if (!key) return undefined;
	const id = isObject(raw.id) ? raw.id : {};
	// A bare string id is the older form (open_id only).
	const openId = str(id.open_id) ?? (typeof raw.id === 'string' ? raw.id : undefined);
	const name = str(raw.name);
	let isBot = false;
	if (bot?.openId) isBot = openId === bot.openId;
	else if (bot?.name) isBot = name === bot.name;
	else isBot = raw.mentioned_type === 'bot';
	return { key, name, open_id: openId, user_id: str(id.user_id), union_id: str(id.union_id), is_bot: isBot };
}

function escapeRegExp(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces `@_user_N` placeholders by `@Name`; bot mentions are dropped when `dropBot`. */
function resolvePlaceholders(text: string, mentions: FeishuMention[], dropBot: boolean): string {
	if (mentions.length === 0) return text;
	// Longest key first so @_user_1 never eats the prefix of @_user_10.
	const keys = [...mentions].sort((a, b) => b.key.length - a.key.length);
	const pattern = new RegExp(keys.map((m) => escapeRegExp(m.key)).join('|'), 'g');
	const byKey = new Map(mentions.map((m) => [m.key, m]));
	const out = text.replace(pattern, (key) => {
		const m = byKey.get(key)!;
		if (dropBot && m.is_bot) return '';
		return `@${m.name ?? key.replace(/^@/, '')}`;
	});
	if (!dropBot) return out;
	// Removing "@Bot " leaves double or edge spaces on the lines it touched.
	return out
		.split('\n')
		.map((line) => line.replace(/[ \t]{2,}/g, ' ').trim())
		.join('\n');
}

/** Plain text of a received `post`: title and paragraphs; `at` elements go through the mentions. */
function postText(content: Record<string, any>): string | undefined {
	// Received posts are flat ({title, content}); a locale-wrapped form is tolerated.
	const body = Array.isArray(content.content) ? content : Object.values(content).find((v) => isObject(v) && Array.isArray(v.content));
	if (!isObject(body)) return undefined;
	const lines: string[] = [];
	if (str(body.title)) lines.push(body.title);
	for (const paragraph of body.content as unknown[]) {
		if (!Array.isArray(paragraph)) continue;
		const parts: string[] = [];
		for (const el of paragraph) {
			if (!isObject(el)) continue;
			if (el.tag === 'text' || el.tag === 'a' || el.tag === 'md') parts.push(String(el.text ?? ''));
			else if (el.tag === 'at') parts.push(str(el.user_id)?.startsWith('@_') ? el.user_id : `@${el.user_name ?? el.user_id ?? ''}`);
			else if (el.tag === 'emotion' && str(el.emoji_type)) parts.push(`[${el.emoji_type}]`);
		}
		lines.push(parts.join(''));
	}
	return lines.join('\n');
}

function messageFieldsV2(event: Record<string, any>, bot: BotIdentity | undefined): Record<string, unknown> {
	const message = isObject(event.message) ? event.message : {};
	const senderRaw = isObject(event.sender) ? event.sender : {};
	const senderId = isObject(senderRaw.sender_id) ? senderRaw.sender_id : {};
	const mentions = (Array.isArray(message.mentions) ? message.mentions : [])
		.filter(isObject)
		.map((m: Record<string, any>) => mentionOf(m, bot))
		.filter((m: FeishuMention | undefined): m is FeishuMention => m !== undefined);
	const content = parseJson(message.content);
	let rawText: string | undefined;
	if (isObject(content)) {
		if (message.message_type === 'text' && typeof content.text === 'string') rawText = content.text;
		else if (message.message_type === 'post') rawText = postText(content);
	}
	return {
		message_id: str(message.message_id),
		chat_id: str(message.chat_id),
		chat_type: str(message.chat_type),
		message_type: str(message.message_type),
		thread_id: str(message.thread_id),
		root_id: str(message.root_id),
		parent_id: str(message.parent_id),
		sender: {
			open_id: str(senderId.open_id),
			user_id: str(senderId.user_id),
			union_id: str(senderId.union_id),
			sender_type: str(senderRaw.sender_type),
			tenant_key: str(senderRaw.tenant_key),
		},
		content,
		text: rawText === undefined ? undefined : resolvePlaceholders(rawText, mentions, false),
		text_without_bot_mention: rawText === undefined ? undefined : resolvePlaceholders(rawText, mentions, true),
		mentions,
		is_bot_mentioned: mentions.some((m) => m.is_bot),
	};
}

// Schema 1.0 "message" event: flat fields (open_chat_id, msg_type, is_mention, text_without_at_bot).
function messageFieldsV1(event: Record<string, any>): Record<string, unknown> {
	const chatType = str(event.chat_type);
	return {
		message_id: str(event.open_message_id) ?? str(event.message_id),
		chat_id: str(event.open_chat_id) ?? str(event.chat_id),
		chat_type: chatType === 'private' ? 'p2p' : chatType,
		message_type: str(event.msg_type) ?? str(event.message_type),
		root_id: str(event.root_id),
		parent_id: str(event.parent_id),
		sender: {
			open_id: str(event.open_id),
			user_id: str(event.employee_id) ?? str(event.user_id),
			union_id: str(event.union_id),
			sender_type: event.is_bot === true ? 'app' : 'user',
			tenant_key: str(event.tenant_key),
		},
		content: event.text === undefined ? undefined : { text: event.text },
		text: str(event.text),
		text_without_bot_mention: str(event.text_without_at_bot) ?? str(event.text),
		mentions: [],
		is_bot_mentioned: event.is_mention === true,
	};
}

function cardFields(event: Record<string, any>): Record<string, unknown> {
	const context = isObject(event.context) ? event.context : {};
	const messageId = str(context.open_message_id);
	const chatId = str(context.open_chat_id);
	return {
		action: isObject(event.action) ? event.action : undefined,
		operator: isObject(event.operator) ? event.operator : undefined,
		context: { ...context, message_id: messageId, chat_id: chatId },
		token: str(event.token),
		message_id: messageId,
		chat_id: chatId,
	};
}

function withoutUndefined(obj: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(obj)) {
		if (value === undefined) continue;
		out[key] = isObject(value) && !Array.isArray(value) && key === 'sender' ? withoutUndefined(value) : value;
	}
	return out;
}

/** One n8n item for an event: the payload as sent, plus flat convenience fields. */
export function shapeEvent(envelope: FeishuEnvelope, bot?: BotIdentity, sessionKey?: SessionKey): FeishuEventOutput {
	const raw: Record<string, any> = isObject(envelope.raw) ? envelope.raw : {};
	const event: Record<string, any> = isObject(raw.event) ? raw.event : {};
	let base: Record<string, unknown>;
	let specific: Record<string, unknown> = {};
	if (envelope.schema === '2.0') {
		const header = isObject(raw.header) ? raw.header : {};
		base = {
			event_type: envelope.eventType,
			event_id: envelope.eventId,
			app_id: str(header.app_id),
			tenant_key: str(header.tenant_key),
			create_time: str(header.create_time),
		};
	} else {
		base = {
			event_type: envelope.eventType,
			event_id: envelope.eventId,
			app_id: str(event.app_id),
			tenant_key: str(event.tenant_key),
			create_time: str(raw.ts),
		};
	}
	// By event type, not schema: a 1.0 envelope may carry a 2.0-style body and vice versa.
	if (envelope.eventType === 'im.message.receive_v1' || envelope.eventType === 'message') {
		specific = envelope.eventType === 'message' ? messageFieldsV1(event) : messageFieldsV2(event, bot);
		specific.session_id = sessionIdOf(specific as SessionFields, sessionKey);
	} else if (envelope.eventType === 'card.action.trigger') specific = cardFields(event);
	else if (isDocumentEventType(envelope.eventType)) specific = documentEventFields(envelope.eventType, event);
	else {
		// Reactions, read receipts, chat membership...: surface the ids most events carry at the top
		// of `event`, so a following Feishu node can use {{ $json.chat_id }} / {{ $json.message_id }}.
		specific = { message_id: str(event.message_id), chat_id: str(event.chat_id) };
	}
	// The convenience fields first (n8n's Table and Schema views open on them), then the payload as sent;
	// where names meet, the convenience value wins, as before (`{ ...raw, ...base, ...specific }`).
	return withoutUndefined({ ...specific, ...base, ...raw, ...base, ...specific }) as FeishuEventOutput;
}

/** Why an event did not pass, or undefined when it passes. */
export function filterReason(output: FeishuEventOutput, filters: EventFilters): string | undefined {
	const eventType = output.event_type;
	if (!matchesEventType(eventType, filters.eventTypes)) return `event type ${eventType ?? '(none)'} not selected`;
	if (!isMessageEventType(eventType)) return undefined;

	const chatType = output.chat_type as string | undefined;
	const isGroup = chatType !== undefined && chatType !== 'p2p';
	if (filters.chatType === 'p2p' && isGroup) return 'not a p2p chat';
	if (filters.chatType === 'group' && !isGroup) return 'not a group chat';
	if (filters.onlyWhenBotMentionedInGroups && isGroup && output.is_bot_mentioned !== true) return 'bot not @mentioned';
	const sender = output.sender as FeishuSender | undefined;
	if (filters.ignoreBotMessages && sender?.sender_type === 'app') return 'sent by a bot';
	const types = filters.messageTypes ?? [];
	if (types.length > 0 && !types.includes(String(output.message_type))) return `message type ${output.message_type} not selected`;
	return undefined;
}

/** Shape then filter: the item to emit, or undefined when the trigger's filters drop the event. */
export function processEvent(
	envelope: FeishuEnvelope,
	filters: EventFilters,
	bot?: BotIdentity,
): FeishuEventOutput | undefined {
	// Cheap check first: most events of an app are not for this trigger.
	if (!matchesEventType(envelope.eventType, filters.eventTypes)) return undefined;
	const output = shapeEvent(envelope, bot, filters.sessionKey);
	return filterReason(output, filters) === undefined ? output : undefined;
}

/** True when shaping this event needs to know who the bot is: a received message with @mentions. */
export function needsBotIdentity(envelope: FeishuEnvelope): boolean {
	if (envelope.eventType !== 'im.message.receive_v1') return false;
	const mentions = envelope.raw?.event?.message?.mentions;
	return Array.isArray(mentions) && mentions.length > 0;
}
