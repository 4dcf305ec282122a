// Chats (im/v1/chats) as Feishu documents them (docs/protocol.md, "Chats and users"): the list of
// group chats the bot is in, the search over them, one chat's details.
import { ApiError, type OpenApi } from './openApi';
import { fieldViolation, oneOf, pageOf } from './paging';
import type { Router } from './http';
import { TENANT_KEY, type ChatRecord, type SandboxState } from './state';

const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
const SORT_TYPES = ['ByCreateTimeAsc', 'ByActiveTimeDesc'] as const;
const PAGE = { defaultSize: 20, maxSize: 100 };
const QUERY_MAX = 64;

export function registerChatApi(router: Router, api: OpenApi, state: SandboxState): void {
	const chatInfo = (chat: ChatRecord) => ({
		chat_id: chat.chatId,
		avatar: `https://sandbox.invalid/chat/${chat.chatId}.png`,
		name: chat.name,
		description: '',
		owner_id: chat.userOpenId ?? '',
		owner_id_type: 'open_id',
		external: false,
		tenant_key: TENANT_KEY,
		chat_status: 'normal',
	});

	/** The group chats the app's bot is in (p2p chats are not listed), in the requested order. */
	const groupsOf = (appId: string, sort: (typeof SORT_TYPES)[number]): ChatRecord[] => {
		const chats = [...state.chats.values()].filter((c) => c.appId === appId && c.chatType !== 'p2p');
		if (sort === 'ByActiveTimeDesc') {
			const lastActive = (c: ChatRecord) => Math.max(c.createdAt, ...state.chatMessages(c.chatId).map((m) => m.createTime));
			return chats.sort((a, b) => lastActive(b) - lastActive(a));
		}
		return chats.sort((a, b) => a.createdAt - b.createdAt);
	};

	api.route(router, 'GET', '/open-apis/im/v1/chats', (ctx) => {
		oneOf(ctx.query, 'user_id_type', USER_ID_TYPES, 'open_id');
		const sort = oneOf(ctx.query, 'sort_type', SORT_TYPES, 'ByCreateTimeAsc');
		const page = pageOf(groupsOf(ctx.app.appId, sort), ctx.query, PAGE);
		return { data: { ...page, items: page.items.map(chatInfo), page_token: page.page_token ?? '' } };
	});

	// Registered before /chats/:chat_id, which would otherwise take "search" for an id.
	api.route(router, 'GET', '/open-apis/im/v1/chats/search', (ctx) => {
		oneOf(ctx.query, 'user_id_type', USER_ID_TYPES, 'open_id');
		const query = (ctx.query.get('query') ?? '').trim().toLowerCase();
		if (query.length > QUERY_MAX) throw fieldViolation('query', `query must be at most ${QUERY_MAX} characters`);
		const matches = groupsOf(ctx.app.appId, 'ByCreateTimeAsc').filter((c) => c.name.toLowerCase().includes(query) || c.chatId === query);
		const page = pageOf(matches, ctx.query, PAGE);
		return { data: { ...page, items: page.items.map(chatInfo), page_token: page.page_token ?? '' } };
	});

	api.route(router, 'GET', '/open-apis/im/v1/chats/:chat_id', (ctx) => {
		oneOf(ctx.query, 'user_id_type', USER_ID_TYPES, 'open_id');
		const chat = state.chats.get(ctx.params.chat_id);
		if (!chat) throw new ApiError(400, 232006, 'Your request specifies a chat_id that is invalid.');
		if (chat.appId !== ctx.app.appId) throw new ApiError(400, 232011, 'Operator can NOT be out of the chat.');
		const { chat_id: _id, ...info } = chatInfo(chat);
		void _id;
		const members = new Set(state.chatMessages(chat.chatId).filter((m) => m.from === 'user').map((m) => m.sender.id));
		return {
			data: {
				...info,
				chat_mode: chat.chatType === 'p2p' ? 'p2p' : chat.chatType === 'topic_group' ? 'topic' : 'group',
				chat_type: 'private',
				user_count: String(Math.max(1, members.size)),
				bot_count: '1',
			},
		};
	});
}
