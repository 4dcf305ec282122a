// Chats (im/v1/chats) as Feishu documents them (docs/protocol.md, "Chats and users" and "Chat
// management"): the list of group chats the bot is in, the search over them, one chat's details, and
// create, update, dissolve and share link. Members, managers and the announcement are in
// chatMembersApi.ts and chatAnnouncementApi.ts; the shared rules in chatModel.ts.
import { randomUUID } from 'node:crypto';
import { chatError, checkRequest, memberIdAs, operableChat, privileged, queryType, USER_ID_TYPES, userFor, wellFormed, type UserIdType } from './chatModel';
import { registerChatAnnouncementApi } from './chatAnnouncementApi';
import { registerChatMembersApi } from './chatMembersApi';
import { stableHex } from './ids';
import { ApiError, type OpenApi } from './openApi';
import { fieldViolation, oneOf, pageOf } from './paging';
import type { Router } from './http';
import { newChatRecord, TENANT_KEY, type ChatRecord, type SandboxState } from './state';

const SORT_TYPES = ['ByCreateTimeAsc', 'ByActiveTimeDesc'] as const;
const PAGE = { defaultSize: 20, maxSize: 100 };
const QUERY_MAX = 64;
/** Create: at most 50 users and 5 bots per request, at most 15 bots in a group. */
export const CREATE_LIMITS = { users: 50, bots: 5, botsInChat: 15 };
/** Same uuid + owner within 10 hours: one chat. */
const CREATE_UUID_WINDOW_MS = 10 * 60 * 60_000;
const LINK_VALIDITY_S = { week: 7 * 86_400, year: 365 * 86_400 } as const;

/** The string settings the schema leaves open, with the values Feishu's docs list. */
const SETTING_VALUES: Record<string, readonly string[]> = {
	chat_mode: ['group'],
	chat_type: ['private', 'public'],
	add_member_permission: ['only_owner', 'all_members'],
	share_card_permission: ['allowed', 'not_allowed'],
	at_all_permission: ['only_owner', 'all_members'],
	edit_permission: ['only_owner', 'all_members'],
	join_message_visibility: ['only_owner', 'all_members', 'not_anyone'],
	leave_message_visibility: ['only_owner', 'all_members', 'not_anyone'],
	membership_approval: ['no_approval_required', 'approval_required'],
};
/** What a member who is neither owner nor manager may change. */
const MEMBER_EDITABLE = new Set(['avatar', 'name', 'description', 'i18n_names']);
const SETTING_KEYS = [
	'avatar', 'description', 'i18n_names', 'chat_type', 'group_message_type', 'add_member_permission', 'share_card_permission', 'at_all_permission', 'edit_permission',
	'join_message_visibility', 'leave_message_visibility', 'membership_approval', 'restricted_mode_setting', 'urgent_setting', 'video_conference_setting', 'hide_member_count_setting',
];

/** Feishu's documented consistency rules the schema cannot express (232001 when broken). */
function checkSettings(body: Record<string, unknown>, current: Record<string, unknown> = {}): void {
	for (const [key, allowed] of Object.entries(SETTING_VALUES)) {
		const v = body[key];
		if (v !== undefined && v !== null && !allowed.includes(String(v))) throw chatError('invalidParam', `${key} must be one of ${allowed.join(', ')}.`);
	}
	// add_member_permission and share_card_permission go together (only_owner with not_allowed).
	const add = body.add_member_permission ?? current.add_member_permission;
	const share = body.share_card_permission ?? current.share_card_permission;
	if ((body.add_member_permission !== undefined || body.share_card_permission !== undefined) && add !== undefined && share !== undefined) {
		if ((add === 'only_owner') !== (share === 'not_allowed')) throw chatError('invalidParam', 'add_member_permission only_owner goes with share_card_permission not_allowed, all_members with allowed.');
	}
	const restricted = body.restricted_mode_setting as Record<string, unknown> | undefined;
	if (restricted && typeof restricted.status === 'boolean') {
		const perms = ['screenshot_has_permission_setting', 'download_has_permission_setting', 'message_has_permission_setting'].map((k) => restricted[k] ?? 'all_members');
		if (restricted.status && perms.every((p) => p === 'all_members')) throw chatError('invalidParam', 'restricted mode on needs at least one setting that is not_anyone.');
		if (!restricted.status && perms.includes('not_anyone')) throw chatError('invalidParam', 'restricted mode off allows no not_anyone setting.');
	}
}

function checkPublicName(name: string, chatType: unknown): void {
	if (chatType !== 'public') return;
	if (!name) throw chatError('publicNameEmpty');
	if ([...name].length < 2) throw chatError('publicNameTooShort');
}

function pickSettings(body: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of SETTING_KEYS) if (body[key] !== undefined && body[key] !== null) out[key] = structuredClone(body[key]);
	return out;
}

export function registerChatApi(router: Router, api: OpenApi, state: SandboxState): void {
	const ownerView = (chat: ChatRecord, type: UserIdType) => {
		if (chat.ownerId) return chat.ownerIsBot ? { owner_id: chat.ownerId, owner_id_type: 'app_id' } : { owner_id: memberIdAs(state, chat.ownerId, type), owner_id_type: type };
		return { owner_id: chat.userOpenId ? memberIdAs(state, chat.userOpenId, type) : '', owner_id_type: type };
	};
	const status = (chat: ChatRecord) => (chat.dissolved ? 'dissolved' : 'normal');
	const avatar = (chat: ChatRecord) => String(chat.settings.avatar ?? `https://sandbox.invalid/chat/${chat.chatId}.png`);
	const chatMode = (chat: ChatRecord) => (chat.chatType === 'p2p' ? 'p2p' : chat.chatType === 'topic_group' ? 'topic' : 'group');

	/** A chat as the lists show it. */
	const chatInfo = (chat: ChatRecord, type: UserIdType = 'open_id') => ({
		chat_id: chat.chatId,
		avatar: avatar(chat),
		name: chat.name,
		description: String(chat.settings.description ?? ''),
		...ownerView(chat, type),
		external: false,
		tenant_key: TENANT_KEY,
		chat_status: status(chat),
	});

	/** A chat's details and settings, as get and create answer them. */
	const chatDetails = (chat: ChatRecord, type: UserIdType) => {
		const s = chat.settings;
		return {
			avatar: avatar(chat),
			name: chat.name,
			description: String(s.description ?? ''),
			...(s.i18n_names ? { i18n_names: s.i18n_names } : {}),
			add_member_permission: s.add_member_permission ?? 'all_members',
			share_card_permission: s.share_card_permission ?? 'allowed',
			at_all_permission: s.at_all_permission ?? 'all_members',
			edit_permission: s.edit_permission ?? 'all_members',
			...ownerView(chat, type),
			group_message_type: s.group_message_type ?? (chat.chatType === 'topic_group' ? 'thread' : 'chat'),
			chat_mode: chatMode(chat),
			chat_type: s.chat_type ?? 'private',
			chat_tag: 'inner',
			join_message_visibility: s.join_message_visibility ?? 'all_members',
			leave_message_visibility: s.leave_message_visibility ?? 'all_members',
			membership_approval: s.membership_approval ?? 'no_approval_required',
			moderation_permission: 'all_members',
			external: false,
			tenant_key: TENANT_KEY,
			restricted_mode_setting: s.restricted_mode_setting ?? { status: false, screenshot_has_permission_setting: 'all_members', download_has_permission_setting: 'all_members', message_has_permission_setting: 'all_members' },
			urgent_setting: s.urgent_setting ?? 'all_members',
			video_conference_setting: s.video_conference_setting ?? 'all_members',
			hide_member_count_setting: s.hide_member_count_setting ?? 'all_members',
		};
	};

	/** The group chats the app's bot is in (p2p chats are not listed), in the requested order. */
	const groupsOf = (appId: string, sort: (typeof SORT_TYPES)[number]): ChatRecord[] => {
		const chats = [...state.chats.values()].filter((c) => c.bots.has(appId) && !c.dissolved && c.chatType !== 'p2p');
		if (sort === 'ByActiveTimeDesc') {
			const lastActive = (c: ChatRecord) => Math.max(c.createdAt, ...state.chatMessages(c.chatId).map((m) => m.createTime));
			return chats.sort((a, b) => lastActive(b) - lastActive(a));
		}
		return chats.sort((a, b) => a.createdAt - b.createdAt);
	};

	api.route(router, 'GET', '/open-apis/im/v1/chats', (ctx) => {
		const type = oneOf(ctx.query, 'user_id_type', USER_ID_TYPES, 'open_id');
		const sort = oneOf(ctx.query, 'sort_type', SORT_TYPES, 'ByCreateTimeAsc');
		const page = pageOf(groupsOf(ctx.app.appId, sort), ctx.query, PAGE);
		return { data: { ...page, items: page.items.map((c) => chatInfo(c, type)), page_token: page.page_token ?? '' } };
	});

	// Registered before /chats/:chat_id, which would otherwise take "search" for an id.
	api.route(router, 'GET', '/open-apis/im/v1/chats/search', (ctx) => {
		const type = oneOf(ctx.query, 'user_id_type', USER_ID_TYPES, 'open_id');
		const query = (ctx.query.get('query') ?? '').trim().toLowerCase();
		if (query.length > QUERY_MAX) throw fieldViolation('query', `query must be at most ${QUERY_MAX} characters`);
		const matches = groupsOf(ctx.app.appId, 'ByCreateTimeAsc').filter((c) => c.name.toLowerCase().includes(query) || c.chatId === query);
		const page = pageOf(matches, ctx.query, PAGE);
		return { data: { ...page, items: page.items.map((c) => chatInfo(c, type)), page_token: page.page_token ?? '' } };
	});

	api.route(router, 'GET', '/open-apis/im/v1/chats/:chat_id', (ctx) => {
		const type = oneOf(ctx.query, 'user_id_type', USER_ID_TYPES, 'open_id');
		const chat = state.chats.get(ctx.params.chat_id);
		if (!chat) throw new ApiError(400, 232006, 'Your request specifies a chat_id that is invalid.');
		// Of a dissolved group Feishu still shows the name, avatar, member count and status.
		if (chat.dissolved) return { data: { name: chat.name, avatar: avatar(chat), user_count: String(chat.members.size), chat_status: 'dissolved' } };
		if (!chat.bots.has(ctx.app.appId)) throw new ApiError(400, 232011, 'Operator can NOT be out of the chat.');
		const managers = [...chat.managers];
		return {
			data: {
				...chatDetails(chat, type),
				user_manager_id_list: managers.filter((id) => !state.apps.has(id)).map((id) => memberIdAs(state, id, type)),
				bot_manager_id_list: managers.filter((id) => state.apps.has(id)),
				user_count: String(chat.members.size),
				bot_count: String(chat.bots.size),
				chat_status: 'normal',
			},
		};
	});

	const resolveUser = (type: UserIdType, id: unknown, field: string) => {
		if (!wellFormed(type, id)) throw chatError('invalidUserId', `${field}: "${String(id).slice(0, 80)}" is not a ${type}.`);
		return userFor(state, type, id);
	};

	api.route(router, 'POST', '/open-apis/im/v1/chats', async (ctx) => {
		api.rateLimit(ctx.app, 'im.chat.create');
		const b = await checkRequest(ctx, 'im.v1.chat.create');
		const type = queryType<UserIdType>(ctx, 'user_id_type', 'open_id');
		checkSettings(b);
		const name = typeof b.name === 'string' ? b.name.trim() : '';
		checkPublicName(name, b.chat_type);
		const userIds = (b.user_id_list ?? []) as string[];
		const botIds = [...new Set((b.bot_id_list ?? []) as string[])].filter((id) => id !== ctx.app.appId);
		if (userIds.length > CREATE_LIMITS.users) throw chatError('invalidParam', `user_id_list has ${userIds.length} ids; at most ${CREATE_LIMITS.users} users can be invited at once.`);
		if (botIds.length > CREATE_LIMITS.bots) throw chatError('invalidParam', `bot_id_list has ${botIds.length} ids; at most ${CREATE_LIMITS.bots} bots can be invited at once.`);
		for (const id of botIds) if (!state.apps.has(id)) throw chatError('botNotFound', `bot_id_list: ${String(id).slice(0, 80)}`);
		const owner = b.owner_id === undefined || b.owner_id === '' ? undefined : resolveUser(type, b.owner_id, 'owner_id');
		const users = userIds.map((id, i) => resolveUser(type, id, `user_id_list[${i}]`));

		// The uuid dedupes per app, uuid and owner for 10 hours: the same request answers the first chat.
		const uuid = ctx.query.get('uuid');
		const uuidKey = uuid ? `${ctx.app.appId}:${uuid}:${owner?.openId ?? ''}` : undefined;
		const earlier = uuidKey ? state.chatUuids.get(uuidKey) : undefined;
		const again = earlier && Date.now() - earlier.at < CREATE_UUID_WINDOW_MS ? state.chats.get(earlier.chatId) : undefined;
		if (again?.dissolved) state.chatUuids.delete(uuidKey!);
		if (again && !again.dissolved) return { data: { chat_id: again.chatId, ...chatDetails(again, type) } };

		const chatId = `oc_${stableHex(`api-group:${randomUUID()}`)}`;
		const chat = newChatRecord({
			chatId,
			chatType: b.group_message_type === 'thread' ? 'topic_group' : 'group',
			// Feishu names an unnamed private group "(no title)".
			name: name || '(no title)',
			appId: ctx.app.appId,
			creatorAppId: ctx.app.appId,
			settings: pickSettings(b),
		});
		for (const u of [...(owner ? [owner] : []), ...users]) chat.members.add(u.openId);
		for (const id of botIds) chat.bots.add(id);
		if (owner) {
			chat.ownerId = owner.openId;
			if (ctx.query.get('set_bot_manager') === 'true') chat.managers.add(ctx.app.appId);
		} else {
			chat.ownerId = ctx.app.appId;
			chat.ownerIsBot = true;
		}
		state.chats.set(chatId, chat);
		if (uuidKey) state.chatUuids.set(uuidKey, { chatId, at: Date.now() });
		return { data: { chat_id: chatId, ...chatDetails(chat, type) } };
	});

	api.route(router, 'PUT', '/open-apis/im/v1/chats/:chat_id', async (ctx) => {
		const b = await checkRequest(ctx, 'im.v1.chat.update');
		const type = queryType<UserIdType>(ctx, 'user_id_type', 'open_id');
		const chat = operableChat(state, ctx.app, ctx.params.chat_id);
		if (chat.chatType === 'p2p') throw chatError('unsupportedChat');
		const changed = Object.keys(b).filter((k) => b[k] !== undefined && b[k] !== null);
		if (!privileged(chat, ctx.app.appId)) {
			if (chat.settings.edit_permission === 'only_owner') throw chatError('onlyOwnerCanEdit');
			const beyond = changed.filter((k) => !MEMBER_EDITABLE.has(k));
			if (beyond.length) throw chatError('memberOnlyEdits', `Not the owner or a manager: ${beyond.join(', ')} cannot be changed.`);
		}
		checkSettings(b, chat.settings);
		const name = typeof b.name === 'string' ? b.name.trim() : chat.name;
		checkPublicName(name, b.chat_type ?? chat.settings.chat_type);
		let newOwner: string | undefined;
		if (typeof b.owner_id === 'string' && b.owner_id) {
			const user = resolveUser(type, b.owner_id, 'owner_id');
			if (!chat.members.has(user.openId)) throw chatError('newOwnerOutOfChat');
			newOwner = user.openId;
		}
		if (typeof b.name === 'string' && name) chat.name = name;
		Object.assign(chat.settings, pickSettings(b));
		if (newOwner) {
			chat.ownerId = newOwner;
			chat.ownerIsBot = false;
			chat.managers.delete(newOwner);
		}
		return { data: {} };
	});

	api.route(router, 'DELETE', '/open-apis/im/v1/chats/:chat_id', async (ctx) => {
		await checkRequest(ctx, 'im.v1.chat.delete');
		const chat = operableChat(state, ctx.app, ctx.params.chat_id);
		if (chat.chatType === 'p2p') throw chatError('unsupportedChat');
		// The bot must own the group, or have created it (with the operate_as_owner scope).
		if (!((chat.ownerIsBot && chat.ownerId === ctx.app.appId) || chat.creatorAppId === ctx.app.appId)) throw chatError('notOwnerOrCreator');
		chat.dissolved = true;
		return { data: {} };
	});

	api.route(router, 'POST', '/open-apis/im/v1/chats/:chat_id/link', async (ctx) => {
		const b = await checkRequest(ctx, 'im.v1.chat.link');
		const chat = operableChat(state, ctx.app, ctx.params.chat_id);
		if (chat.chatType === 'p2p') throw chatError('p2pLink');
		if (chat.settings.add_member_permission === 'only_owner' && !privileged(chat, ctx.app.appId)) throw chatError('noSharePermission');
		const period = (b.validity_period ?? 'week') as 'week' | 'year' | 'permanently';
		const link = `https://applink.feishu.cn/client/chat/chatter/add_by_link?link_token=${randomUUID()}`;
		if (period === 'permanently') return { data: { share_link: link, is_permanent: true } };
		return { data: { share_link: link, expire_time: String(Math.floor(Date.now() / 1000) + LINK_VALIDITY_S[period]), is_permanent: false } };
	});

	registerChatMembersApi(router, api, state);
	registerChatAnnouncementApi(router, api, state);
}
