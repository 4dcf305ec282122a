// IM Open API (docs/protocol.md, "Send and reply" to "Message content formats"): send, reply, edit, card update, recall, get, forward, merge forward, history,
// and bot info (chats are in chatApi.ts, uploads and downloads are in uploadApi.ts). Message objects are shaped like Feishu's.
import { sendCardEntity } from './cardKitApi';
import { checkRequest } from './chatModel';
import { validateContent, invalid, type StoredContent } from './content';
import type { OpenApi } from './openApi';
import { ApiError } from './openApi';
import type { Router } from './http';
import { newMessageId } from './ids';
import { fieldViolation, oneOf, pageOf } from './paging';
import { registerUploadApi } from './uploadApi';
import { TENANT_KEY, type AppRecord, type ChatRecord, type MessageRecord, type SandboxState } from './state';

const RECEIVE_ID_TYPES = ['open_id', 'user_id', 'union_id', 'email', 'chat_id'] as const;
const UUID_WINDOW_MS = 60 * 60_000;
/** The sandbox's bound on one merge forward (an assumption: Feishu's docs name no number). */
const MERGE_FORWARD_MAX = 100;

export function apiMessage(m: MessageRecord): Record<string, unknown> {
	return {
		message_id: m.messageId,
		...(m.rootId ? { root_id: m.rootId } : {}),
		...(m.parentId ? { parent_id: m.parentId } : {}),
		...(m.threadId ? { thread_id: m.threadId } : {}),
		msg_type: m.msgType,
		create_time: String(m.createTime),
		update_time: String(m.updateTime),
		deleted: m.deleted,
		updated: m.updated,
		chat_id: m.chatId,
		sender: m.sender,
		body: { content: m.deleted ? JSON.stringify({ text: 'This message was recalled' }) : m.content },
		...(m.mentions.length ? { mentions: m.mentions.map((x) => ({ key: x.key, id: x.id.open_id, id_type: 'open_id', name: x.name, tenant_key: x.tenant_key })) } : {}),
		...(m.upperMessageId ? { upper_message_id: m.upperMessageId } : {}),
	};
}

export function registerImApi(router: Router, api: OpenApi, state: SandboxState): void {
	const botSender = (app: AppRecord) => ({ id: app.appId, id_type: 'app_id' as const, sender_type: 'app' as const, tenant_key: TENANT_KEY });

	const findMessage = (id: string): MessageRecord => {
		const m = state.messages.get(id);
		if (!m) throw invalid(`message_id "${id}" not found`);
		return m;
	};
	const ownMessage = (app: AppRecord, id: string, action: string): MessageRecord => {
		const m = findMessage(id);
		if (m.deleted) throw new ApiError(400, 230011, 'The message is recalled.');
		if (m.from !== 'bot' || m.appId !== app.appId) throw new ApiError(400, 230027, `Lack of necessary permissions: the bot can only ${action} messages it sent.`);
		return m;
	};

	const resolveChat = (app: AppRecord, idType: string | null, receiveId: unknown): ChatRecord => {
		if (!idType) throw fieldViolation('receive_id_type', 'receive_id_type is required');
		if (!(RECEIVE_ID_TYPES as readonly string[]).includes(idType)) throw fieldViolation('receive_id_type', `receive_id_type must be one of ${RECEIVE_ID_TYPES.join(', ')}`);
		if (typeof receiveId !== 'string' || !receiveId) throw fieldViolation('receive_id', 'receive_id is required');
		switch (idType) {
			case 'chat_id': {
				if (!receiveId.startsWith('oc_')) throw invalid(`invalid receive_id "${receiveId}" for receive_id_type chat_id`);
				const chat = state.chats.get(receiveId);
				// A bot sends only where it is: removed from the group, or the group dissolved, it cannot.
				if (!chat || chat.dissolved || !chat.bots.has(app.appId)) throw new ApiError(400, 230002, 'Bot/User can NOT be out of the chat.');
				return chat;
			}
			case 'open_id':
				if (!receiveId.startsWith('ou_')) throw invalid(`invalid receive_id "${receiveId}" for receive_id_type open_id`);
				return state.p2pChat(app.appId, state.userBy('open_id', receiveId));
			case 'union_id':
				if (!receiveId.startsWith('on_')) throw invalid(`invalid receive_id "${receiveId}" for receive_id_type union_id`);
				return state.p2pChat(app.appId, state.userBy('union_id', receiveId));
			case 'email':
				if (!/^[^@\s]+@[^@\s]+$/.test(receiveId)) throw invalid(`invalid receive_id "${receiveId}" for receive_id_type email`);
				return state.p2pChat(app.appId, state.userBy('email', receiveId));
			default:
				return state.p2pChat(app.appId, state.userBy('user_id', receiveId));
		}
	};

	/** uuid idempotency: the same uuid from the same app within 1 h returns the first message. */
	const idempotent = (app: AppRecord, uuid: unknown, create: () => MessageRecord): MessageRecord => {
		if (uuid !== undefined && (typeof uuid !== 'string' || uuid.length > 50)) throw invalid('uuid must be a string of at most 50 characters');
		if (typeof uuid === 'string' && uuid) {
			const key = `${app.appId}:${uuid}`;
			const prev = state.uuids.get(key);
			if (prev && Date.now() - prev.at < UUID_WINDOW_MS) {
				const m = state.messages.get(prev.messageId);
				if (m) return m;
			}
			const m = create();
			state.uuids.set(key, { messageId: m.messageId, at: Date.now() });
			return m;
		}
		return create();
	};

	const store = (m: Omit<MessageRecord, 'messageId' | 'createTime' | 'updateTime' | 'updated' | 'deleted' | 'from'>): MessageRecord => {
		const now = Date.now();
		const message: MessageRecord = { ...m, messageId: newMessageId(), from: 'bot', createTime: now, updateTime: now, updated: false, deleted: false };
		state.messages.set(message.messageId, message);
		return message;
	};

	/** A message showing a card entity is made once per entity (cardKitApi.ts); others as they come. */
	const sendOnce = (app: AppRecord, stored: StoredContent, make: () => MessageRecord): MessageRecord => (stored.cardId ? sendCardEntity(state, app, stored.cardId, make) : make());

	api.route(router, 'GET', '/open-apis/bot/v3/info', (ctx) => ({
		msg: 'ok',
		extra: { bot: { activate_status: 2, app_name: ctx.app.botName, avatar_url: `https://sandbox.invalid/avatar/${ctx.app.appId}.png`, ip_white_list: [], open_id: ctx.app.botOpenId } },
	}));

	api.route(router, 'POST', '/open-apis/im/v1/messages', async (ctx) => {
		api.rateLimit(ctx.app, 'im.message.create');
		const b = await ctx.json();
		const chat = resolveChat(ctx.app, ctx.query.get('receive_id_type'), b.receive_id);
		const stored = validateContent(state, ctx.app, b.msg_type, b.content, { cardEntities: true });
		const m = idempotent(ctx.app, b.uuid, () => sendOnce(ctx.app, stored, () => store({ chatId: chat.chatId, appId: ctx.app.appId, msgType: b.msg_type, content: stored.content, mentions: stored.mentions, sender: botSender(ctx.app) })));
		return { data: apiMessage(m) };
	});

	api.route(router, 'POST', '/open-apis/im/v1/messages/:message_id/reply', async (ctx) => {
		api.rateLimit(ctx.app, 'im.message.reply');
		const b = await ctx.json();
		const parent = findMessage(ctx.params.message_id);
		if (parent.deleted) throw new ApiError(400, 230011, 'The message is recalled.');
		const stored = validateContent(state, ctx.app, b.msg_type, b.content, { cardEntities: true });
		if (b.reply_in_thread !== undefined && typeof b.reply_in_thread !== 'boolean') throw invalid('reply_in_thread must be a boolean');
		const m = idempotent(ctx.app, b.uuid, () => sendOnce(ctx.app, stored, () => {
			const rootId = parent.rootId ?? parent.messageId;
			const root = state.messages.get(rootId) ?? parent;
			const chat = state.chats.get(parent.chatId);
			const inThread = b.reply_in_thread === true || !!parent.threadId || chat?.chatType === 'topic_group';
			return store({
				chatId: parent.chatId,
				appId: ctx.app.appId,
				msgType: b.msg_type,
				content: stored.content,
				mentions: stored.mentions,
				sender: botSender(ctx.app),
				rootId,
				// In a thread every reply answers the root (Feishu docs, message intro).
				parentId: inThread ? rootId : parent.messageId,
				threadId: inThread ? state.threadFor(root) : undefined,
			});
		}));
		return { data: apiMessage(m) };
	});

	api.route(router, 'PUT', '/open-apis/im/v1/messages/:message_id', async (ctx) => {
		const b = await ctx.json();
		const m = ownMessage(ctx.app, ctx.params.message_id, 'edit');
		if (m.msgType !== 'text' && m.msgType !== 'post') throw invalid(`only text and post messages can be edited, this one is "${m.msgType}"`);
		if (b.msg_type !== m.msgType) throw invalid(`msg_type must stay "${m.msgType}" when editing`);
		const stored = validateContent(state, ctx.app, b.msg_type, b.content);
		m.content = stored.content;
		m.mentions = stored.mentions;
		m.updateTime = Date.now();
		m.updated = true;
		return { data: apiMessage(m) };
	});

	api.route(router, 'PATCH', '/open-apis/im/v1/messages/:message_id', async (ctx) => {
		const b = await ctx.json();
		const m = ownMessage(ctx.app, ctx.params.message_id, 'update');
		if (m.msgType !== 'interactive') throw invalid(`only interactive (card) messages can be updated with PATCH, this one is "${m.msgType}"`);
		const stored = validateContent(state, ctx.app, 'interactive', b.content);
		m.content = stored.content;
		m.updateTime = Date.now();
		m.updated = true;
		return { data: {} };
	});

	api.route(router, 'DELETE', '/open-apis/im/v1/messages/:message_id', (ctx) => {
		const m = ownMessage(ctx.app, ctx.params.message_id, 'recall');
		m.deleted = true;
		m.updateTime = Date.now();
		return { data: {} };
	});

	api.route(router, 'GET', '/open-apis/im/v1/messages/:message_id', (ctx) => {
		const m = findMessage(ctx.params.message_id);
		// A merged forward lists its children after itself (each with upper_message_id).
		const children = m.msgType === 'merge_forward' ? [...state.messages.values()].filter((c) => c.upperMessageId === m.messageId) : [];
		return { data: { items: [m, ...children].map(apiMessage) } };
	});

	api.route(router, 'POST', '/open-apis/im/v1/messages/:message_id/forward', async (ctx) => {
		const b = await ctx.json();
		const src = findMessage(ctx.params.message_id);
		if (src.deleted) throw new ApiError(400, 230011, 'The message is recalled.');
		const chat = resolveChat(ctx.app, ctx.query.get('receive_id_type'), b.receive_id);
		const m = idempotent(ctx.app, ctx.query.get('uuid') ?? b.uuid, () =>
			store({ chatId: chat.chatId, appId: ctx.app.appId, msgType: src.msgType, content: src.content, mentions: src.mentions, sender: botSender(ctx.app) }),
		);
		return { data: apiMessage(m) };
	});

	// Merge forward (docs/protocol.md, "Merge forward"): messages of one chat, sent on as one message whose
	// children are copies; unknown or recalled ids are listed in invalid_message_id_list.
	api.route(router, 'POST', '/open-apis/im/v1/messages/merge_forward', async (ctx) => {
		api.rateLimit(ctx.app, 'im.message.mergeForward');
		const b = await checkRequest(ctx, 'im.v1.message.mergeForward');
		const ids = [...new Set(b.message_id_list as string[])];
		if (ids.length === 0) throw invalid('message_id_list is empty');
		if (ids.length > MERGE_FORWARD_MAX) throw invalid(`message_id_list: at most ${MERGE_FORWARD_MAX} messages`);
		const found = ids.map((id) => state.messages.get(id));
		const sources = found.filter((m): m is MessageRecord => !!m && !m.deleted);
		const invalidIds = ids.filter((_, n) => !found[n] || found[n]!.deleted);
		if (sources.length === 0) throw invalid('no message in message_id_list can be forwarded');
		if (new Set(sources.map((m) => m.chatId)).size > 1) throw invalid('the messages must all come from one chat');
		if (new Set(sources.map((m) => m.threadId ?? '')).size > 1) throw invalid('the messages must all come from one thread, or all from outside threads');
		if (sources.some((m) => m.upperMessageId)) throw invalid('a message inside a merged forward cannot be merge-forwarded again');
		const src = state.chats.get(sources[0].chatId);
		const inSource = src && !src.dissolved && (src.chatType === 'p2p' ? src.appId === ctx.app.appId : src.bots.has(ctx.app.appId));
		if (!inSource) throw new ApiError(400, 230002, 'Bot/User can NOT be out of the chat.');
		const idType = ctx.query.get('receive_id_type');
		const thread = idType === 'thread_id' ? [...state.messages.values()].find((m) => m.threadId === b.receive_id && !m.parentId) : undefined;
		if (idType === 'thread_id' && !thread) throw invalid(`receive_id "${String(b.receive_id)}" is not a thread`);
		const chat = thread ? resolveChat(ctx.app, 'chat_id', thread.chatId) : resolveChat(ctx.app, idType, b.receive_id);
		const m = idempotent(ctx.app, ctx.query.get('uuid') ?? undefined, () => {
			const merged = store({
				chatId: chat.chatId,
				appId: ctx.app.appId,
				msgType: 'merge_forward',
				content: 'Merged and Forwarded Message',
				mentions: [],
				sender: botSender(ctx.app),
				...(thread ? { rootId: thread.messageId, parentId: thread.messageId, threadId: thread.threadId } : {}),
			});
			sources.sort((x, y) => x.createTime - y.createTime);
			for (const c of sources) {
				const child: MessageRecord = { ...c, messageId: newMessageId(), upperMessageId: merged.messageId, rootId: undefined, parentId: undefined, threadId: undefined, updated: false };
				state.messages.set(child.messageId, child);
			}
			return merged;
		});
		return { data: { message: apiMessage(m), invalid_message_id_list: invalidIds } };
	});

	// History (docs/protocol.md, "Message history"): a chat's or a thread's messages, oldest first unless
	// sort_type says otherwise; a chat's within start_time..end_time (seconds, both inclusive).
	api.route(router, 'GET', '/open-apis/im/v1/messages', (ctx) => {
		const type = ctx.query.get('container_id_type');
		const id = ctx.query.get('container_id') ?? '';
		if (type !== 'chat' && type !== 'thread') throw fieldViolation('container_id_type', 'container_id_type must be "chat" or "thread"');
		if (!id) throw fieldViolation('container_id', 'container_id is required');
		const sortType = oneOf(ctx.query, 'sort_type', ['ByCreateTimeAsc', 'ByCreateTimeDesc'] as const, 'ByCreateTimeAsc');
		const seconds = (name: string): number | undefined => {
			const raw = ctx.query.get(name);
			if (raw === null || raw === '') return undefined;
			if (!/^\d{1,12}$/.test(raw)) throw invalid(`${name} must be a Unix timestamp in seconds`);
			return Number(raw);
		};
		const startS = seconds('start_time');
		const endS = seconds('end_time');
		// Feishu takes a time range for chats only.
		if (type === 'thread' && (startS !== undefined || endS !== undefined)) throw invalid('start_time and end_time are not supported for container_id_type thread');
		if (startS !== undefined && endS !== undefined && startS > endS) throw invalid('start_time must not be later than end_time');
		const chatId = type === 'chat' ? id : [...state.messages.values()].find((m) => m.threadId === id)?.chatId;
		if (type === 'thread' && !chatId) throw invalid(`container_id "${id}" is not a thread`);
		const chat = state.chats.get(chatId!);
		const botIn = chat && !chat.dissolved && (chat.chatType === 'p2p' ? chat.appId === ctx.app.appId : chat.bots.has(ctx.app.appId));
		if (!botIn) throw new ApiError(400, 230002, 'Bot/User can NOT be out of the chat.');
		const start = (startS ?? 0) * 1000;
		const end = endS === undefined ? Infinity : endS * 1000 + 999;
		// A merged forward's children are read through it, not listed in the history.
		const items = [...state.messages.values()].filter((m) => !m.upperMessageId && (type === 'chat' ? m.chatId === id : m.threadId === id) && m.createTime >= start && m.createTime <= end);
		items.sort((a, b) => a.createTime - b.createTime);
		if (sortType === 'ByCreateTimeDesc') items.reverse();
		const page = pageOf(items, ctx.query, { defaultSize: 20, maxSize: 50 });
		return { data: { has_more: page.has_more, page_token: page.page_token ?? '', items: page.items.map(apiMessage) } };
	});

	registerUploadApi(router, api, state, findMessage);
}
