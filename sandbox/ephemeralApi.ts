// Ephemeral cards (docs/protocol.md, "Ephemeral cards"): POST /open-apis/ephemeral/v1/send shows a card
// to one member of a group (chat mode group, not topic; not one-to-one), POST /open-apis/ephemeral/v1/delete
// takes it away again (18051 once deleted). Feishu's pages name no error codes for the send beyond the
// general ones; the sandbox answers with the IM message API's (230001 bad parameter, 230002 the bot is
// not in the chat), and 99991400 past the 40 sends a second per group. The cards are kept
// (GET /_sandbox/ephemeral-cards) and are not part of the chat's history.
import { wellFormed } from './chatModel';
import { invalid, validateContent } from './content';
import { sendJson, type Router } from './http';
import { newMessageId } from './ids';
import { ApiError, type OpenApi } from './openApi';
import { RateLimiter } from './rateLimit';
import type { EphemeralCardRecord, SandboxState, UserRecord } from './state';

/** Sends to one group, all apps together (Feishu: 40 a second). */
export const EPHEMERAL_PER_CHAT_PER_SECOND = 40;

export function registerEphemeralApi(router: Router, api: OpenApi, state: SandboxState): void {
	const perChat = new RateLimiter(EPHEMERAL_PER_CHAT_PER_SECOND, Number.MAX_SAFE_INTEGER);

	api.route(router, 'POST', '/open-apis/ephemeral/v1/send', async (ctx) => {
		api.rateLimit(ctx.app, 'ephemeral.v1.send');
		const b = await ctx.json();
		if (typeof b.chat_id !== 'string' || !b.chat_id) throw invalid('chat_id is required');
		if (b.msg_type !== 'interactive') throw invalid('msg_type must be "interactive"');
		if (typeof b.card !== 'object' || b.card === null || Array.isArray(b.card)) throw invalid('card is required (a JSON object)');
		const card = validateContent(state, ctx.app, 'interactive', JSON.stringify(b.card)).content;

		// One of open_id, user_id, email; with several, open_id wins, then user_id (Feishu's order).
		let user: UserRecord | undefined;
		if (b.open_id !== undefined && b.open_id !== '') {
			if (!wellFormed('open_id', b.open_id)) throw invalid(`open_id "${String(b.open_id)}" is not an open_id`);
			user = state.userBy('open_id', b.open_id);
		} else if (b.user_id !== undefined && b.user_id !== '') {
			if (!wellFormed('user_id', b.user_id)) throw invalid(`user_id "${String(b.user_id)}" is not a user_id`);
			user = state.userBy('user_id', b.user_id);
		} else if (b.email !== undefined && b.email !== '') {
			if (typeof b.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(b.email)) throw invalid(`email "${String(b.email)}" is not an email address`);
			user = state.userBy('email', b.email);
		} else {
			throw invalid('one of open_id, user_id, email is required');
		}

		const chat = state.chats.get(b.chat_id);
		if (!chat || chat.dissolved || !chat.bots.has(ctx.app.appId)) throw new ApiError(400, 230002, 'Bot/User can NOT be out of the chat.');
		if (chat.chatType === 'p2p') throw invalid('ephemeral cards are for group chats, not one-to-one chats');
		if (chat.chatType === 'topic_group') throw invalid('ephemeral cards are not supported in topic groups (chat mode topic)');
		if (!chat.members.has(user.openId)) throw invalid(`the user ${user.openId} is not in the chat`);
		const verdict = perChat.hit(chat.chatId);
		if (!verdict.ok) {
			throw new ApiError(429, 99991400, 'request trigger frequency limit', { 'x-ogw-ratelimit-limit': String(verdict.limit), 'x-ogw-ratelimit-reset': String(verdict.resetSeconds) });
		}

		const record: EphemeralCardRecord = { messageId: newMessageId(), chatId: chat.chatId, appId: ctx.app.appId, openId: user.openId, card, createTime: Date.now(), deleted: false };
		state.ephemeralCards.set(record.messageId, record);
		return { msg: 'ok', data: { message_id: record.messageId } };
	});

	api.route(router, 'POST', '/open-apis/ephemeral/v1/delete', async (ctx) => {
		const b = await ctx.json();
		if (typeof b.message_id !== 'string' || !b.message_id) throw invalid('message_id is required');
		const record = state.ephemeralCards.get(b.message_id);
		if (!record) throw invalid(`message_id "${b.message_id}" is not an ephemeral card`);
		if (record.appId !== ctx.app.appId) throw new ApiError(400, 230027, 'Lack of necessary permissions: the bot can only delete ephemeral cards it sent.');
		if (record.deleted) throw new ApiError(400, 18051, 'The message has been deleted.');
		const chat = state.chats.get(record.chatId);
		if (!chat || chat.dissolved || !chat.bots.has(ctx.app.appId)) throw new ApiError(400, 230002, 'Bot/User can NOT be out of the chat.');
		record.deleted = true;
		return { msg: 'ok' };
	});

	// Control: the ephemeral cards sent (optionally of one chat or for one user), oldest first.
	router.add('GET', '/_sandbox/ephemeral-cards', (ctx) => {
		const chatId = ctx.query.get('chat_id');
		const openId = ctx.query.get('open_id');
		const cards = [...state.ephemeralCards.values()].filter((c) => (!chatId || c.chatId === chatId) && (!openId || c.openId === openId));
		sendJson(ctx.res, 200, {
			ephemeral_cards: cards.map((c) => {
				let card: unknown = c.card;
				try {
					card = JSON.parse(c.card);
				} catch {
					// stored as sent
				}
				return { message_id: c.messageId, chat_id: c.chatId, app_id: c.appId, open_id: c.openId, card, create_time: String(c.createTime), deleted: c.deleted };
			}),
		});
	});
}
