// Pins (docs/protocol.md, "Pins"): pin a message, unpin it, list a chat's pins in a time range, with
// Feishu's 230xxx refusals. Pins are kept in state, so a pin made is listed and an unpinned one is gone.
import { checkRequest } from './chatModel';
import { invalid } from './content';
import type { Router } from './http';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import { pageOf } from './paging';
import type { ChatRecord, MessageRecord, PinRecord, SandboxState } from './state';

const PIN_PAGE = { defaultSize: 20, maxSize: 50 };

const notInChat = () => new ApiError(400, 230002, 'The bot can not be outside the group.');
const noChat = () => new ApiError(400, 230045, 'The chat not exist.');

export const pinJson = (p: PinRecord) => ({ message_id: p.messageId, chat_id: p.chatId, operator_id: p.operatorId, operator_id_type: p.operatorIdType, create_time: String(p.createTime) });

export function registerPinApi(router: Router, api: OpenApi, state: SandboxState): void {
	const botIn = (ctx: ApiContext, chat: ChatRecord) => (chat.chatType === 'p2p' ? chat.appId === ctx.app.appId : chat.bots.has(ctx.app.appId));

	/** The chat the bot may pin in: it exists (230045) and has the bot (230002). */
	const operableChat = (ctx: ApiContext, chatId: string): ChatRecord => {
		const chat = state.chats.get(chatId);
		if (!chat || chat.dissolved) throw noChat();
		if (!botIn(ctx, chat)) throw notInChat();
		return chat;
	};
	/** A message the bot may pin or unpin: it exists (230001), is not recalled (230011), its chat is operable. */
	const pinnable = (ctx: ApiContext, id: unknown): MessageRecord => {
		const m = typeof id === 'string' ? state.messages.get(id) : undefined;
		if (!m) throw invalid(`message_id "${String(id)}" not found`);
		if (m.deleted) throw new ApiError(400, 230011, 'The message is recalled.');
		operableChat(ctx, m.chatId);
		return m;
	};
	/** A millisecond timestamp query parameter, or the fallback when absent. */
	const msParam = (ctx: ApiContext, name: string, fallback: number): number => {
		const raw = ctx.query.get(name);
		if (raw === null || raw === '') return fallback;
		if (!/^\d{1,16}$/.test(raw)) throw invalid(`${name} must be a millisecond timestamp`);
		return Number(raw);
	};

	api.route(router, 'POST', '/open-apis/im/v1/pins', async (ctx) => {
		api.rateLimit(ctx.app, 'im.pin.create');
		const b = await checkRequest(ctx, 'im.v1.pin.create');
		const m = pinnable(ctx, b.message_id);
		// An already pinned message answers the pin that is there (Feishu's docs).
		let pin = state.pins.get(m.messageId);
		if (!pin) {
			pin = { messageId: m.messageId, chatId: m.chatId, operatorIdType: 'app_id', operatorId: ctx.app.appId, createTime: Date.now() };
			state.pins.set(m.messageId, pin);
		}
		return { data: { pin: pinJson(pin) } };
	});

	api.route(router, 'DELETE', '/open-apis/im/v1/pins/:message_id', async (ctx) => {
		await checkRequest(ctx, 'im.v1.pin.delete');
		const m = pinnable(ctx, ctx.params.message_id);
		state.pins.delete(m.messageId);
		return { data: {} };
	});

	api.route(router, 'GET', '/open-apis/im/v1/pins', async (ctx) => {
		await checkRequest(ctx, 'im.v1.pin.list');
		const chat = operableChat(ctx, ctx.query.get('chat_id') ?? '');
		const start = msParam(ctx, 'start_time', 0);
		const end = msParam(ctx, 'end_time', Date.now());
		if (start > end) throw invalid('start_time must not be later than end_time');
		// Newest pin first; a recalled message drops out of the list.
		const pins = [...state.pins.values()]
			.filter((p) => p.chatId === chat.chatId && p.createTime >= start && p.createTime <= end && !state.messages.get(p.messageId)?.deleted)
			.reverse();
		const page = pageOf(pins, ctx.query, PIN_PAGE);
		return { data: { items: page.items.map(pinJson), has_more: page.has_more, page_token: page.page_token ?? '' } };
	});
}
