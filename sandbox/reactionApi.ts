// Message reactions (docs/protocol.md, "Message reactions"): add, remove and list emoji reactions on a
// message, with Feishu's 231xxx refusals. Reactions are kept in state, so a reaction added is listed
// and one removed is gone; a control route lets tests add a user's reaction (which the bot may not remove).
import { checkRequest } from './chatModel';
import { sendJson, type Router } from './http';
import { hex } from './ids';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import { pageOf } from './paging';
import type { ChatRecord, MessageRecord, ReactionRecord, SandboxState } from './state';

/** Feishu's reaction error codes with the messages its docs give (HTTP 400 for all of them). */
const REACTION_ERRORS = {
	invalidType: [231001, 'reaction type is invalid.'],
	noPermission: [231002, 'The operator has no permission to react on the specific message.'],
	noMessage: [231003, 'The message is not found, maybe not exist or deleted.'],
	noChat: [231004, 'The chat in which the message exists is not found, maybe not exist, deleted or archived.'],
	notYours: [231007, 'The operator has no permission to delete this reaction.'],
	noAccess: [231008, 'The operator has no access to the message.'],
	otherMessage: [231010, 'The reaction does not belong to the message.'],
	invalidReactionId: [231011, 'The request has an invalid reaction_id.'],
	invalidPageToken: [231012, 'The request has an invalid pageToken.'],
	invalidUserIdType: [231014, 'user_id_type is invalid.'],
} as const satisfies Record<string, readonly [number, string]>;

function reactionError(which: keyof typeof REACTION_ERRORS): ApiError {
	const [code, msg] = REACTION_ERRORS[which];
	return new ApiError(400, code, msg);
}

/**
 * emoji_type values from Feishu's emoji list ("表情文案说明", docs/protocol.md); the names are
 * case-sensitive as Feishu spells them. Not the whole list: the common ones.
 */
export const EMOJI_TYPES: ReadonlySet<string> = new Set([
	'OK', 'THUMBSUP', 'THANKS', 'MUSCLE', 'FINGERHEART', 'APPLAUSE', 'FISTBUMP', 'JIAYI', 'DONE', 'SMILE', 'BLUSH', 'LAUGH',
	'SMIRK', 'LOL', 'FACEPALM', 'LOVE', 'WINK', 'PROUD', 'WITTY', 'SMART', 'SCOWL', 'THINKING', 'SOB', 'CRY', 'ERROR',
	'NOSEPICK', 'HAUGHTY', 'SLAP', 'SPITBLOOD', 'TOASTED', 'GLANCE', 'DULL', 'INNOCENTSMILE', 'JOYFUL', 'WOW', 'TRICK',
	'YEAH', 'ENOUGH', 'TEARS', 'EMBARRASSED', 'KISS', 'SMOOCH', 'DROOL', 'OBSESSED', 'MONEY', 'TEASE', 'SHOWOFF',
	'COMFORT', 'CLAP', 'PRAISE', 'STRIVE', 'XBLUSH', 'SILENT', 'WAVE', 'WHAT', 'FROWN', 'SHY', 'DIZZY', 'LOOKDOWN',
	'CHUCKLE', 'WAIL', 'CRAZY', 'WHIMPER', 'HUG', 'BLUBBER', 'WRONGED', 'HUSKY', 'SHHH', 'SMUG', 'ANGRY', 'HAMMER',
	'SHOCKED', 'TERROR', 'PETRIFIED', 'SKULL', 'SWEAT', 'SPEECHLESS', 'SLEEP', 'DROWSY', 'YAWN', 'SICK', 'PUKE',
	'BETRAYED', 'HEADSET', 'EatingFood', 'MeMeMe', 'Sigh', 'Typing', 'Lemon', 'Get', 'LGTM', 'OnIt', 'OneSecond',
	'VRHeadset', 'YouAreTheBest', 'SALUTE', 'SHAKE', 'HIGHFIVE', 'UPPERLEFT', 'ThumbsDown', 'SLIGHT', 'TONGUE',
	'EYESCLOSED', 'RoarForYou', 'CALF', 'BEAR', 'BULL', 'RAINBOWPUKE', 'ROSE', 'HEART', 'PARTY', 'LIPS', 'BEER', 'CAKE',
	'GIFT', 'CUCUMBER', 'Drumstick', 'Pepper', 'CANDIEDHAWS', 'BubbleTea', 'Coffee', 'Yes', 'No', 'OKR', 'CheckMark',
	'CrossMark', 'MinusOne', 'Hundred', 'AWESOMEN', 'Pin', 'Alarm', 'Loudspeaker', 'Trophy', 'Fire', 'BOMB', 'Music',
	'XmasTree', 'Snowman', 'XmasHat', 'FIREWORKS', 'REDPACKET', 'FORTUNE', 'LUCK', 'FIRECRACKER', 'HEARTBROKEN', 'POOP',
	'CLEAVER', 'Soccer', 'Basketball',
]);

const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'];
const REACTION_PAGE = { defaultSize: 20, maxSize: 50 };

export function registerReactionApi(router: Router, api: OpenApi, state: SandboxState): void {
	/** The message (231003 if missing or recalled) and its chat (231004 if gone). */
	const messageAndChat = (id: string): { message: MessageRecord; chat: ChatRecord } => {
		const message = state.messages.get(id);
		if (!message || message.deleted) throw reactionError('noMessage');
		const chat = state.chats.get(message.chatId);
		if (!chat || chat.dissolved) throw reactionError('noChat');
		return { message, chat };
	};
	/** A bot reaches a group's messages only from inside it; a p2p chat is its own. */
	const botIn = (ctx: ApiContext, chat: ChatRecord) => (chat.chatType === 'p2p' ? chat.appId === ctx.app.appId : chat.bots.has(ctx.app.appId));

	const emojiType = (v: unknown): string => {
		if (typeof v !== 'string' || !EMOJI_TYPES.has(v)) throw reactionError('invalidType');
		return v;
	};

	const operatorJson = (r: ReactionRecord, idType: string) => {
		if (r.operatorType === 'app') return { operator_id: r.operatorId, operator_type: 'app' };
		const user = state.users.get(r.operatorId);
		const id = idType === 'union_id' ? user?.unionId : idType === 'user_id' ? user?.userId : r.operatorId;
		return { operator_id: id ?? r.operatorId, operator_type: 'user' };
	};
	const reactionJson = (r: ReactionRecord, idType = 'open_id') => ({
		reaction_id: r.reactionId,
		operator: operatorJson(r, idType),
		action_time: String(r.actionTime),
		reaction_type: { emoji_type: r.emojiType },
	});

	/** One reaction per operator, emoji and message (as in the client, where a second tap removes it). */
	const add = (messageId: string, emoji: string, operatorType: 'app' | 'user', operatorId: string): ReactionRecord => {
		for (const r of state.reactions.values()) if (r.messageId === messageId && r.emojiType === emoji && r.operatorType === operatorType && r.operatorId === operatorId) return r;
		const r: ReactionRecord = { reactionId: `ZCaCIjUBVVWSrm5L-${hex(24)}`, messageId, emojiType: emoji, operatorType, operatorId, actionTime: Date.now() };
		state.reactions.set(r.reactionId, r);
		return r;
	};

	api.route(router, 'POST', '/open-apis/im/v1/messages/:message_id/reactions', async (ctx) => {
		api.rateLimit(ctx.app, 'im.messageReaction.create');
		const b = await checkRequest(ctx, 'im.v1.messageReaction.create');
		const { message, chat } = messageAndChat(ctx.params.message_id);
		if (!botIn(ctx, chat)) throw reactionError('noPermission');
		const emoji = emojiType((b.reaction_type as { emoji_type?: unknown }).emoji_type);
		return { data: reactionJson(add(message.messageId, emoji, 'app', ctx.app.appId)) };
	});

	api.route(router, 'DELETE', '/open-apis/im/v1/messages/:message_id/reactions/:reaction_id', async (ctx) => {
		await checkRequest(ctx, 'im.v1.messageReaction.delete');
		const { message, chat } = messageAndChat(ctx.params.message_id);
		if (!botIn(ctx, chat)) throw reactionError('noPermission');
		const r = state.reactions.get(ctx.params.reaction_id);
		if (!r) throw reactionError('invalidReactionId');
		if (r.messageId !== message.messageId) throw reactionError('otherMessage');
		if (r.operatorType !== 'app' || r.operatorId !== ctx.app.appId) throw reactionError('notYours');
		state.reactions.delete(r.reactionId);
		return { data: reactionJson(r) };
	});

	api.route(router, 'GET', '/open-apis/im/v1/messages/:message_id/reactions', async (ctx) => {
		// Feishu answers a bad user_id_type with its own code, before the generic schema check.
		const idType = ctx.query.get('user_id_type') || 'open_id';
		if (!USER_ID_TYPES.includes(idType)) throw reactionError('invalidUserIdType');
		await checkRequest(ctx, 'im.v1.messageReaction.list');
		const { message, chat } = messageAndChat(ctx.params.message_id);
		if (!botIn(ctx, chat)) throw reactionError('noAccess');
		const filter = ctx.query.get('reaction_type');
		if (filter) emojiType(filter);
		const all = [...state.reactions.values()].filter((r) => r.messageId === message.messageId && (!filter || r.emojiType === filter));
		let page;
		try {
			page = pageOf(all, ctx.query, REACTION_PAGE);
		} catch (error) {
			// Feishu names a bad page_token with its own code; a bad page_size stays the schema's 99992402.
			const violations = error instanceof ApiError ? (error.detail.field_violations as { field: string }[] | undefined) : undefined;
			if (violations?.some((v) => v.field === 'page_token')) throw reactionError('invalidPageToken');
			throw error;
		}
		return { data: { items: page.items.map((r) => reactionJson(r, idType)), has_more: page.has_more, page_token: page.page_token ?? '' } };
	});

	// Control: a user's reaction (the bot cannot add one for someone else), e.g. to test 231007.
	router.add('POST', '/_sandbox/messages/:message_id/reactions', async (ctx) => {
		const b = await ctx.json();
		const message = state.messages.get(ctx.params.message_id);
		if (!message) return sendJson(ctx.res, 404, { ok: false, error: `unknown message ${ctx.params.message_id}` });
		if (typeof b.emoji_type !== 'string' || !EMOJI_TYPES.has(b.emoji_type)) return sendJson(ctx.res, 400, { ok: false, error: 'emoji_type must be one of Feishu\'s emoji types' });
		const user = typeof b.open_id === 'string' && b.open_id ? state.userBy('open_id', b.open_id) : state.defaultUser();
		sendJson(ctx.res, 200, reactionJson(add(message.messageId, b.emoji_type, 'user', user.openId)));
	});
}
