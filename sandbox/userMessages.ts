// A person says something in a chat: store the message the way Feishu would show it (mentions turned
// into @_user_N placeholders) and deliver im.message.receive_v1 to the app.
import { envelope, messageReceiveEvent } from './events';
import type { DeliveryEngine } from './delivery';
import { newMessageId, stableHex } from './ids';
import { newChatRecord, TENANT_KEY, type AppRecord, type ChatRecord, type MentionRecord, type MessageRecord, type SandboxState, type UserRecord } from './state';

export interface UserMessageInput {
	text?: string;
	message_type?: string;
	content?: unknown;
	chat_type?: 'p2p' | 'group' | 'topic_group';
	chat_name?: string;
	sender?: { open_id?: string; user_id?: string; union_id?: string; name?: string };
	mentions?: { open_id?: string; name?: string }[];
	mention_bot?: boolean;
	parent_id?: string;
	app_id?: string;
	fragment?: number;
	shuffle_fragments?: boolean;
	schema?: '2.0' | '1.0';
}

export class InputError extends Error {}

export function senderFor(state: SandboxState, sender: UserMessageInput['sender']): UserRecord {
	if (sender?.open_id) return state.userBy('open_id', sender.open_id, sender.name);
	if (sender?.user_id) return state.userBy('user_id', sender.user_id, sender.name);
	if (sender?.union_id) return state.userBy('union_id', sender.union_id, sender.name);
	if (sender?.name) return state.userBy('open_id', `ou_${stableHex(`named:${sender.name}`)}`, sender.name);
	return state.defaultUser();
}

export function ensureChat(state: SandboxState, app: AppRecord, chatId: string, input: { chat_type?: ChatRecord['chatType']; chat_name?: string }, user: UserRecord): ChatRecord {
	let chat = state.chats.get(chatId);
	if (!chat) {
		const chatType = input.chat_type ?? 'p2p';
		chat = newChatRecord({
			chatId,
			chatType,
			name: input.chat_name ?? (chatType === 'p2p' ? user.name : `Group ${chatId.slice(-6)}`),
			appId: app.appId,
			userOpenId: chatType === 'p2p' ? user.openId : undefined,
		});
		state.chats.set(chatId, chat);
	}
	// Whoever speaks is in the chat, and so is the bot spoken to (a person reaches a bot only where it is).
	if (!chat.dissolved) {
		chat.members.add(user.openId);
		chat.bots.add(app.appId);
	}
	return chat;
}

/** Builds mentions for the given people and swaps `@Name` in the text for the `@_user_N` keys. */
function applyMentions(state: SandboxState, app: AppRecord, text: string, input: UserMessageInput): { text: string; mentions: MentionRecord[] } {
	const people: { openId: string; unionId: string; userId: string; name: string }[] = [];
	if (input.mention_bot) people.push({ openId: app.botOpenId, unionId: `on_${stableHex(`bot-union:${app.appId}`)}`, userId: '', name: app.botName });
	for (const m of input.mentions ?? []) {
		if (m.open_id === app.botOpenId) {
			people.push({ openId: app.botOpenId, unionId: `on_${stableHex(`bot-union:${app.appId}`)}`, userId: '', name: m.name ?? app.botName });
			continue;
		}
		const u = m.open_id ? state.userBy('open_id', m.open_id, m.name) : state.userBy('open_id', `ou_${stableHex(`named:${m.name}`)}`, m.name);
		people.push({ openId: u.openId, unionId: u.unionId, userId: u.userId, name: m.name ?? u.name });
	}
	const mentions: MentionRecord[] = [];
	let out = text;
	people.forEach((p, i) => {
		const key = `@_user_${i + 1}`;
		mentions.push({ key, id: { open_id: p.openId, union_id: p.unionId, user_id: p.userId }, name: p.name, tenant_key: TENANT_KEY });
		const token = `@${p.name}`;
		if (out.includes(token)) out = out.replace(token, key);
		else out = `${key} ${out}`;
	});
	return { text: out, mentions };
}

export function sendUserMessage(state: SandboxState, delivery: DeliveryEngine, app: AppRecord, chatId: string, input: UserMessageInput): { message: MessageRecord; eventId: string } {
	const msgType = input.message_type ?? 'text';
	const user = senderFor(state, input.sender);
	const chat = ensureChat(state, app, chatId, input, user);
	let content: string;
	let mentions: MentionRecord[] = [];
	if (msgType === 'text') {
		const text = typeof input.text === 'string' ? input.text : typeof (input.content as any)?.text === 'string' ? (input.content as any).text : undefined;
		if (text === undefined) throw new InputError('a text message needs "text"');
		const applied = applyMentions(state, app, text, input);
		mentions = applied.mentions;
		content = JSON.stringify({ text: applied.text });
	} else {
		if (typeof input.content !== 'object' || input.content === null) throw new InputError(`a ${msgType} message needs "content" (an object)`);
		if (input.mentions?.length || input.mention_bot) mentions = applyMentions(state, app, '', input).mentions;
		content = JSON.stringify(defaultsFor(msgType, input.content as Record<string, unknown>));
	}
	const now = Date.now();
	const message: MessageRecord = {
		messageId: newMessageId(),
		chatId: chat.chatId,
		appId: app.appId,
		msgType,
		content,
		from: 'user',
		sender: { id: user.openId, id_type: 'open_id', sender_type: 'user', tenant_key: TENANT_KEY },
		mentions,
		createTime: now,
		updateTime: now,
		updated: false,
		deleted: false,
	};
	if (input.parent_id) {
		const parent = state.messages.get(input.parent_id);
		if (!parent) throw new InputError(`parent_id ${input.parent_id} is not a message in the sandbox`);
		message.parentId = parent.messageId;
		message.rootId = parent.rootId ?? parent.messageId;
		if (parent.threadId) message.threadId = parent.threadId;
	}
	state.messages.set(message.messageId, message);
	const event = envelope(app, { eventType: 'im.message.receive_v1', event: messageReceiveEvent(message, chat, user), schema: input.schema });
	delivery.deliver(app, event, { fragments: input.fragment, shuffleFragments: input.shuffle_fragments });
	return { message, eventId: event.eventId };
}

/** Keys a user's image/file message carries even when the caller only gave part of them. */
function defaultsFor(msgType: string, content: Record<string, unknown>): Record<string, unknown> {
	// Received posts carry {title, content} without the locale key used when sending.
	if (msgType === 'post' && !Array.isArray(content.content)) {
		const locale = Object.values(content).find((v) => v && typeof v === 'object' && Array.isArray((v as Record<string, unknown>).content));
		if (locale) return locale as Record<string, unknown>;
	}
	if (msgType === 'image' && !content.image_key) return { ...content, image_key: `img_v3_${stableHex(JSON.stringify(content), 24)}` };
	if (msgType === 'file' && !content.file_key) return { file_key: `file_v3_${stableHex(JSON.stringify(content), 24)}`, file_name: 'file.txt', ...content };
	return content;
}
