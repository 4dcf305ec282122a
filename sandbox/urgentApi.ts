// Urgent (buzz) notifications (docs/protocol.md, "Urgent notifications"): in-app, SMS or phone, for a
// message the bot sent, to users in its chat; others come back in invalid_user_id_list. Sent buzzes are
// kept (GET /_sandbox/urgents) and count against a user's 200 unread ones (230023) until they read the message.
import { checkRequest, wellFormed, type UserIdType } from './chatModel';
import { invalid } from './content';
import { sendJson, type Router } from './http';
import { ApiError, type OpenApi } from './openApi';
import type { SandboxState } from './state';

const URGENT_TYPES = ['app', 'sms', 'phone'] as const;
/** At most this many unread urgent messages per user (Feishu's 230023). */
const MAX_UNREAD_URGENT = 200;

export function registerUrgentApi(router: Router, api: OpenApi, state: SandboxState): void {
	const unreadUrgent = (openId: string) =>
		new Set(state.urgents.filter((u) => u.openId === openId && !state.readReceipts.get(u.messageId)?.has(openId)).map((u) => u.messageId)).size;

	for (const type of URGENT_TYPES) {
		api.route(router, 'PATCH', `/open-apis/im/v1/messages/:message_id/urgent_${type}`, async (ctx) => {
			api.rateLimit(ctx.app, `im.message.urgent_${type}`);
			const b = await checkRequest(ctx, `im.v1.message.urgent${type[0].toUpperCase()}${type.slice(1)}`);
			const idType = ctx.query.get('user_id_type') as UserIdType;
			const m = state.messages.get(ctx.params.message_id);
			if (!m) throw invalid(`message_id "${ctx.params.message_id}" not found`);
			if (m.deleted) throw new ApiError(400, 230011, 'The message is recalled.');
			const chat = state.chats.get(m.chatId);
			const botIn = chat && !chat.dissolved && (chat.chatType === 'p2p' ? chat.appId === ctx.app.appId : chat.bots.has(ctx.app.appId));
			if (!chat || !botIn) throw new ApiError(400, 230002, 'The bot can not be outside the group.');
			if (m.from !== 'bot' || m.appId !== ctx.app.appId) throw new ApiError(400, 230012, 'Bot is NOT the sender of the message.');
			const ids = b.user_id_list as string[];
			if (ids.length === 0) throw invalid('user_id_list is empty');
			const valid: { sent: string; openId: string }[] = [];
			const invalidIds: string[] = [];
			for (const id of new Set(ids)) {
				const user = wellFormed(idType, id) ? state.userBy(idType, id) : undefined;
				// Only people in the message's chat can be buzzed about it.
				const inChat = user && (chat.chatType === 'p2p' ? chat.userOpenId === user.openId : chat.members.has(user.openId));
				if (user && inChat) valid.push({ sent: id, openId: user.openId });
				else invalidIds.push(id);
			}
			if (valid.some((v) => !state.urgents.some((u) => u.messageId === m.messageId && u.openId === v.openId) && unreadUrgent(v.openId) >= MAX_UNREAD_URGENT)) {
				throw new ApiError(400, 230023, 'The user has too many unread urgent messages.');
			}
			const now = Date.now();
			for (const v of valid) state.urgents.push({ messageId: m.messageId, openId: v.openId, type, at: now });
			return { data: { invalid_user_id_list: invalidIds } };
		});
	}

	// Control: the buzzes sent, oldest first.
	router.add('GET', '/_sandbox/urgents', (ctx) => {
		sendJson(ctx.res, 200, { urgents: state.urgents.map((u) => ({ message_id: u.messageId, open_id: u.openId, type: u.type, at: u.at })) });
	});
}
