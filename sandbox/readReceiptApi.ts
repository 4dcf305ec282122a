// Read receipts (docs/protocol.md, "Read receipts"): who has read a message the bot sent, within 7
// days of sending, with Feishu's 230xxx refusals. Control routes mark a message read by users (as
// their clients would) and back-date a message (to reach the 7-day limit).
import { checkRequest } from './chatModel';
import { invalid } from './content';
import { sendJson, type Router } from './http';
import { ApiError, type OpenApi } from './openApi';
import { pageOf } from './paging';
import { TENANT_KEY, type SandboxState } from './state';

const READ_USERS_PAGE = { defaultSize: 20, maxSize: 100 };
const READ_WINDOW_MS = 7 * 24 * 3_600_000;

export function registerReadReceiptApi(router: Router, api: OpenApi, state: SandboxState): void {
	api.route(router, 'GET', '/open-apis/im/v1/messages/:message_id/read_users', async (ctx) => {
		await checkRequest(ctx, 'im.v1.message.readUsers');
		const idType = ctx.query.get('user_id_type') as 'open_id' | 'union_id' | 'user_id';
		const m = state.messages.get(ctx.params.message_id);
		if (!m) throw invalid(`message_id "${ctx.params.message_id}" not found`);
		if (m.deleted) throw new ApiError(400, 230011, 'The message is recalled.');
		const chat = state.chats.get(m.chatId);
		const botIn = chat && !chat.dissolved && (chat.chatType === 'p2p' ? chat.appId === ctx.app.appId : chat.bots.has(ctx.app.appId));
		if (!botIn) throw new ApiError(400, 230002, 'The bot can not be outside the group.');
		if (m.from !== 'bot' || m.appId !== ctx.app.appId) throw new ApiError(400, 230012, 'Bot is NOT the sender of the message.');
		if (Date.now() - m.createTime > READ_WINDOW_MS) throw new ApiError(400, 230033, 'Get the reading status must be done within 7 days after the message is sent.');
		const readers = [...(state.readReceipts.get(m.messageId) ?? new Map<string, number>())].sort((a, b) => a[1] - b[1]);
		const page = pageOf(readers, ctx.query, READ_USERS_PAGE);
		const items = page.items.map(([openId, at]) => {
			const u = state.users.get(openId);
			const userId = idType === 'union_id' ? u?.unionId : idType === 'user_id' ? u?.userId : openId;
			return { user_id_type: idType, user_id: userId ?? openId, timestamp: String(at), tenant_key: TENANT_KEY };
		});
		return { data: { items, has_more: page.has_more, page_token: page.page_token ?? '' } };
	});

	// Control: users read a message (`open_ids`, default the sandbox's default user), as their clients would report it.
	router.add('POST', '/_sandbox/messages/:message_id/read', async (ctx) => {
		const b = await ctx.json();
		const m = state.messages.get(ctx.params.message_id);
		if (!m) return sendJson(ctx.res, 404, { ok: false, error: `unknown message ${ctx.params.message_id}` });
		const ids = Array.isArray(b.open_ids) ? b.open_ids : [state.defaultUser().openId];
		if (!ids.every((id: unknown) => typeof id === 'string' && /^ou_[A-Za-z0-9_-]+$/.test(id))) return sendJson(ctx.res, 400, { ok: false, error: 'open_ids must be a list of ou_… ids' });
		let readers = state.readReceipts.get(m.messageId);
		if (!readers) state.readReceipts.set(m.messageId, (readers = new Map()));
		const now = Date.now();
		ids.forEach((id: string, n: number) => {
			state.userBy('open_id', id);
			// Keep the first read; later ones in one call come a millisecond apart, so the order is stable.
			if (!readers.has(id)) readers.set(id, now + n);
		});
		sendJson(ctx.res, 200, { message_id: m.messageId, read_by: readers.size });
	});

	// Control: back-date a message (`create_time`, ms), e.g. past the 7 days read receipts are kept.
	router.add('PATCH', '/_sandbox/messages/:message_id', async (ctx) => {
		const b = await ctx.json();
		const m = state.messages.get(ctx.params.message_id);
		if (!m) return sendJson(ctx.res, 404, { ok: false, error: `unknown message ${ctx.params.message_id}` });
		if (!Number.isInteger(b.create_time) || b.create_time < 0) return sendJson(ctx.res, 400, { ok: false, error: 'create_time must be milliseconds since the epoch' });
		m.createTime = b.create_time;
		sendJson(ctx.res, 200, { message_id: m.messageId, create_time: String(m.createTime) });
	});
}
